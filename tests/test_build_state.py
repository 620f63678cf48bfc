"""Build state never lies (issue 12): edits during a build, copied shows, two builds at once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO, ShowMaker, run_cli

from castnotes.commands.build import BuildOptions, build
from castnotes.output.state import build_lock


class EditWhileLoading:
    """A progress display that saves an edit to an episode right after it was read."""

    def __init__(self, path: Path):
        self.path = path
        self.edited = False

    def start(self, total: int) -> None:
        pass

    def advance(self, name: str) -> None:
        if name == self.path.parent.name and not self.edited:
            self.path.write_text(self.path.read_text().replace("We begin.", "We begin, edited mid-build."))
            self.edited = True

    def finish(self) -> None:
        pass


def test_an_edit_saved_during_a_build_is_published_by_the_next(make_show: ShowMaker) -> None:
    show = make_show()
    md = show / "episodes" / "001-first" / "episode.md"
    progress = EditWhileLoading(md)
    build(show, BuildOptions(), progress)
    assert progress.edited
    page = show / "site" / "episodes" / "first" / "index.html"
    assert "edited mid-build" not in page.read_text()  # read before the edit
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "Nothing changed" not in result.output
    assert "edited mid-build" in page.read_text()


def test_a_copied_show_does_not_trust_the_originals_state(make_show: ShowMaker, tmp_path: Path) -> None:
    show = make_show()
    assert run_cli("build", show=show).exit_code == 0
    copy = tmp_path / "copy"
    shutil.copytree(show, copy, symlinks=True)
    md = copy / "episodes" / "002-second" / "episode.md"
    md.write_text(md.read_text().replace("Second wind", "Second wind, copied"))
    before = (show / "site" / "feed.xml").read_bytes()
    result = run_cli("build", show=copy)
    assert result.exit_code == 0, result.output
    assert "Nothing changed" not in result.output
    assert b"Second wind, copied" in (copy / "site" / "feed.xml").read_bytes()
    assert (show / "site" / "feed.xml").read_bytes() == before
    assert "Nothing changed" in run_cli("build", show=copy).output  # its own state now


def test_a_second_build_waits_for_the_first(make_show: ShowMaker) -> None:
    show = make_show()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    with build_lock(show.resolve()):
        second = subprocess.Popen([sys.executable, "-m", "castnotes", "-C", str(show), "build"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = second.stdout.readline()
            assert line.strip() == "Another build of this show is running; waiting for it to finish..."
            time.sleep(1.0)
            assert second.poll() is None  # still waiting
            assert not (show / "site").exists()
        except BaseException:
            second.kill()
            raise
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "Built site/" in out


def test_the_state_is_written_in_pieces_as_json_dumps_would_write_it(tmp_path: Path) -> None:
    """Large mappings go out a piece at a time (memory at 10,000 episodes), yet the file is
    byte for byte `json.dumps(sort_keys=True)`, and reads back the same."""
    from dataclasses import fields

    from castnotes.output.state import STATE_PIECE, BuildState, load_state, save_state

    pages = {f"episodes/e{n:05d}/index.html": f"{n:064x}" for n in range(STATE_PIECE * 2 + 7, 0, -1)}
    files = {f"/show/episodes/{n}/episode.md": [n, n * 7, {"nested": [n]}] for n in range(STATE_PIECE + 1)}
    state = BuildState(version="0.1.0", options="x", root="/show", output="/show/site", identity=[1, 2],
                       next_due=None, files=files, dirs={"/show/episodes": 5}, warnings=['w ü " \n'],
                       pages=pages, copies={})
    path = tmp_path / "state.json"
    save_state(path, state)
    expected = json.dumps({f.name: getattr(state, f.name) for f in fields(state)}, sort_keys=True)
    assert path.read_text(encoding="utf-8") == expected
    assert load_state(path) == state
