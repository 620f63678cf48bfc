"""The site's search index, made by Pagefind from the staged pages before the swap.

Pagefind (the `pagefind[bin]` package: its own binary, no network) reads the built
HTML and writes `pagefind/`: a small entry script and an index split in fragments, so
a browser fetches only the parts a query needs, even on a 10,000-episode site. Only
episode pages are indexed (they carry `data-pagefind-body`): titles, notes, guests,
topics, chapters and transcripts. The search page loads it on first use.
"""

from __future__ import annotations

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
        pattern = indexed_glob(self.staging.dir)
        if pattern is not None:
            command += ["--glob", pattern]
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


BODY_MARK = b"data-pagefind-body"


def indexed_glob(site: Path) -> str | None:
    """A `--glob` for Pagefind naming just the pages it indexes: the same index for less work.

    When any page carries `data-pagefind-body`, Pagefind indexes only such pages but
    still parses every other one. A glob that matches the marked pages and no other
    page (on the default theme: `episodes/*/index.html`) gives the same bundle, byte for
    byte, without parsing the list pages (a third less of Pagefind's time on a
    1,000-episode show). None (Pagefind's own `**/*.html`) when no page is marked or
    no such glob fits.
    """
    pages = [p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.is_file()]
    marked = {page for page in pages if BODY_MARK in (site / page).read_bytes()}
    if not marked:
        return None
    patterns = sorted({_pattern(page) for page in marked})
    if any(page not in marked and any(_matches(page, pattern) for pattern in patterns) for page in pages):
        return None
    if any(set(pattern) & set("{},[]?\\") - {"*"} for pattern in patterns):
        return None  # a name Pagefind's glob would read as syntax
    return patterns[0] if len(patterns) == 1 else "{" + ",".join(patterns) + "}"


def _pattern(page: str) -> str:
    """`episodes/x/index.html` -> `episodes/*/index.html`: first folder and file name kept."""
    parts = page.split("/")
    return "/".join(parts if len(parts) < 3 else [parts[0], *["*"] * (len(parts) - 2), parts[-1]])


def _matches(page: str, pattern: str) -> bool:
    parts, wanted = page.split("/"), pattern.split("/")
    return len(parts) == len(wanted) and all(w in ("*", p) for p, w in zip(parts, wanted))


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
