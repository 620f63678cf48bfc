"""The site's search index, made by Pagefind from the staged pages before the swap.

Pagefind (the `pagefind[bin]` package: its own binary, no network) reads the built
HTML and writes `pagefind/`: a small entry script and an index split in fragments, so
a browser fetches only the parts a query needs, even on a 10,000-episode site. Only
episode pages are indexed (they carry `data-pagefind-body`): titles, notes, guests,
topics, chapters and transcripts. The search page loads it on first use.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO

from castnotes.errors import CastnotesError
from castnotes.output.staging import Staging

SEARCH_DIR = "pagefind"
TIMEOUT = 1800  # seconds
UNUSED = ("pagefind-ui.*", "pagefind-component-ui.*", "pagefind-modular-ui.*", "pagefind-highlight.js")


def pagefind_binary() -> Path:
    """The Pagefind executable shipped in the `pagefind-bin` wheel."""
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise CastnotesError.single("the search index needs Pagefind, which is not installed",
                                    hint="pip install 'pagefind[bin]'") from None
    try:
        return get_executable()
    except FileNotFoundError as exc:
        raise CastnotesError.single(f"the Pagefind binary is missing: {exc}",
                                    hint="pip install --force-reinstall 'pagefind[bin]'") from None


def build_search_index(staging: Staging, language: str) -> int:
    """Index the staged pages into `pagefind/` of the staging folder; returns the files written."""
    with SearchIndex(staging, language) as index:
        index.start()
        return index.finish()


class SearchIndex:
    """Pagefind running on the staged pages while the build goes on (it is a process of its
    own: the build draws share cards and places files meanwhile), then its files placed.

    Start it once every page is staged: it reads only the HTML. Pagefind writes into a scratch
    folder; each of its files then goes through the staging like any generated file, so a file
    with the same bytes as in the current site (Pagefind's own scripts, an unchanged fragment)
    keeps its inode, and a `static/pagefind/` of the show's is reported as a clash instead of
    being overwritten. Leaving the `with` block stops Pagefind if it still runs.
    """

    def __init__(self, staging: Staging, language: str) -> None:
        self.staging = staging
        self.language = language.split("-")[0].lower() or "en"
        self.process: subprocess.Popen[bytes] | None = None
        self.scratch: Path | None = None
        self.errors: IO[bytes] | None = None

    @property
    def started(self) -> bool:
        return self.process is not None

    def __enter__(self) -> "SearchIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.errors is not None:
            self.errors.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def start(self) -> None:
        """Start Pagefind on the staged pages (in the background)."""
        self.scratch = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=self.staging.dir.parent))
        command = [str(pagefind_binary()), "--site", str(self.staging.dir), "--output-path", str(self.scratch),
                   "--silent", "--force-language", self.language]
        if only_episode_pages(self.staging.dir):
            command += ["--glob", EPISODE_PAGES]
        # its output goes to a file, not a pipe: nobody reads a pipe while the build goes on
        self.errors = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self.errors,
                                        stderr=subprocess.STDOUT, cwd=self.staging.dir)

    def finish(self) -> int:
        """Wait for Pagefind and stage its files; returns the files written."""
        assert self.process is not None and self.scratch is not None and self.errors is not None
        try:
            returncode = self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise CastnotesError.single("Pagefind took more than 30 minutes to index the site") from None
        scratch = self.scratch
        if returncode != 0 or not (scratch / "pagefind.js").is_file():
            self.errors.seek(0)
            detail = self.errors.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise CastnotesError.single("Pagefind could not index the site: " + " / ".join(detail))
        written = 0
        for path in sorted(scratch.rglob("*")):
            if path.is_file() and not any(path.match(name) for name in UNUSED):
                self.staging.write(f"{SEARCH_DIR}/{path.relative_to(scratch).as_posix()}", path.read_bytes())
                written += 1
        return written


EPISODE_PAGES = "episodes/*/index.html"
BODY_MARKER = b"data-pagefind-body"


def only_episode_pages(site: Path) -> bool:
    """Would Pagefind index nothing but episode pages? Then it need not read the others.

    Once a page carries `data-pagefind-body`, Pagefind indexes only such pages, but it
    still parses every HTML file to find them: a quarter of its time on the benchmark show.
    When no other HTML file (a listing, a page from pages/, a file from static/, whatever
    the show's templates make) carries the marker, the index made from the episode pages
    alone is the same, byte for byte.
    """
    marked = False
    for folder, _, names in os.walk(site):
        relative = os.path.relpath(folder, site).replace(os.sep, "/")
        episode_folder = relative.startswith("episodes/") and relative.count("/") == 1
        for name in names:
            if not name.endswith(".html"):
                continue
            if episode_folder and name == "index.html":
                if not marked:
                    marked = BODY_MARKER in Path(folder, name).read_bytes()
            elif BODY_MARKER in Path(folder, name).read_bytes():
                return False
    return marked


def reuse_search_index(staging: Staging) -> int | None:
    """Keep the current site's index when no page changed (Pagefind cannot update an index,
    only make it anew): its files are hard-linked into the staging folder. Returns the files
    kept, or None when there is no index to keep."""
    current = staging.output_dir / SEARCH_DIR
    if not (current / "pagefind.js").is_file():
        return None
    kept = 0
    for path in sorted(current.rglob("*")):
        if path.is_file() and staging.reuse(path.relative_to(staging.output_dir).as_posix()):
            kept += 1
    return kept
