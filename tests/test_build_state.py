"""Build state never lies (issue 12): edits during a build, copied shows, two builds at once."""

from __future__ import annotations

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
