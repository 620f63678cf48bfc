"""Same input, same bytes: two builds agree, and the demo feed matches its golden copy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import ShowMaker, copy_demo, run_cli

GOLDEN = Path(__file__).parent / "golden"


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_two_builds_give_identical_bytes(make_show: ShowMaker, tmp_path: Path) -> None:
    show = make_show()
    assert run_cli("build", show=show).exit_code == 0
    first = site_files(show / "site")
    shutil.rmtree(show / ".castnotes")  # cold cache the second time
    os.utime(show / "episodes" / "001-first" / "audio.mp3")  # a touch is not a change
    assert run_cli("build", show=show).exit_code == 0
    assert site_files(show / "site") == first


def test_demo_show_builds_identically_in_two_places(tmp_path: Path) -> None:
    one, two = copy_demo(tmp_path / "one"), copy_demo(tmp_path / "two")
    for show in (one, two):
        result = run_cli("build", show=show)
        assert result.exit_code == 0, result.output
    assert site_files(one / "site") == site_files(two / "site")


def test_demo_feed_matches_golden(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    show = copy_demo(tmp_path / "demo")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    feed = (show / "site" / "feed.xml").read_bytes()
    golden = GOLDEN / "demo-feed.xml"
    if request.config.getoption("--update-golden"):
        golden.write_bytes(feed)
    assert golden.is_file(), "no golden feed yet: run pytest --update-golden"
    assert feed == golden.read_bytes(), (
        "the demo feed changed; if on purpose, run `pytest --update-golden` and review the diff")
