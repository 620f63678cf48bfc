"""Same input, same bytes: two builds agree, and the demo's feed and pages match their golden copies."""

from __future__ import annotations

import difflib
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


# Golden copies of the demo's output: tests/golden/<name> holds site/<path>. Any change to what
# a build writes for these files shows up as a reviewable diff in the commit that refreshes them.
GOLDEN_FILES = {
    "demo-feed.xml": "feed.xml",
    "demo-index.html": "index.html",
    "demo-episode.html": "episodes/why-we-drift-apart/index.html",
    "demo-takeaways.xml": "takeaways.xml",
    "demo-chapters.json": "episodes/why-we-drift-apart/chapters.json",
}
REFRESH = "PYTHONPATH=src python -m pytest tests/test_determinism.py --update-golden"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo show built once for all golden comparisons."""
    show = copy_demo(tmp_path_factory.mktemp("golden") / "demo")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    return show / "site"


def golden_diff(golden: Path, built: bytes, label: str, limit: int = 60) -> str:
    """A unified diff golden -> built, cut to `limit` lines so the failure stays readable."""
    old = golden.read_bytes().decode("utf-8", "replace").splitlines(keepends=True)
    new = built.decode("utf-8", "replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(old, new, f"tests/golden/{golden.name}", f"site/{label}"))
    if not lines:  # same text, other bytes (line endings, encoding)
        return "the text is the same but the bytes differ (line endings or encoding)\n"
    more = f"... {len(lines) - limit} more diff lines\n" if len(lines) > limit else ""
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines[:limit]) + more


@pytest.mark.parametrize("name", sorted(GOLDEN_FILES))
def test_demo_output_matches_golden(name: str, demo_site: Path, request: pytest.FixtureRequest) -> None:
    built = (demo_site / GOLDEN_FILES[name]).read_bytes()
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        golden.write_bytes(built)
    assert golden.is_file(), f"no golden copy of site/{GOLDEN_FILES[name]} yet: run `{REFRESH}`"
    if built != golden.read_bytes():
        pytest.fail(f"site/{GOLDEN_FILES[name]} differs from tests/golden/{name}:\n"
                    f"{golden_diff(golden, built, GOLDEN_FILES[name])}"
                    f"If the change is on purpose, refresh every golden file with `{REFRESH}` "
                    "and review the diff in the commit.", pytrace=False)


def test_golden_diff_is_readable(tmp_path: Path) -> None:
    """The failure shows the changed lines, not two walls of bytes."""
    golden = tmp_path / "demo-x.html"
    golden.write_text("<p>one</p>\n<p>two</p>\n", encoding="utf-8")
    diff = golden_diff(golden, b"<p>one</p>\n<p>2</p>\n", "x.html")
    assert "-<p>two</p>\n+<p>2</p>\n" in diff and "--- tests/golden/demo-x.html" in diff
