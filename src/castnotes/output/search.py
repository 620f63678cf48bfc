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
from pathlib import Path

from castnotes.errors import CastnotesError
from castnotes.output.staging import Staging

SEARCH_DIR = "pagefind"
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
    """Index the staged pages into `pagefind/` of the staging folder; returns the files written.

    Pagefind reads the indexed pages (`indexed_glob`) and writes into a scratch folder first; each of its files then goes through the
    staging like any generated file, so a file with the same bytes as in the current site
    (Pagefind's own scripts, an unchanged fragment) keeps its inode, and a `static/pagefind/`
    of the show's is reported as a clash instead of being overwritten.
    """
    import tempfile

    scratch = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=staging.dir.parent))
    try:
        bundle = scratch / "bundle"
        command = [str(pagefind_binary()), "--site", str(staging.dir), "--output-path", str(bundle),
                   "--silent", "--force-language", language.split("-")[0].lower() or "en"]
        pattern = indexed_glob(staging.dir)
        if pattern is not None:
            command += ["--glob", pattern]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=1800,
                                    cwd=staging.dir, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise CastnotesError.single("Pagefind took more than 30 minutes to index the site") from None
        if result.returncode != 0 or not (bundle / "pagefind.js").is_file():
            detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise CastnotesError.single("Pagefind could not index the site: " + " / ".join(detail))
        written = 0
        for path in sorted(bundle.rglob("*")):
            if path.is_file() and not any(path.match(name) for name in UNUSED):
                staging.write(f"{SEARCH_DIR}/{path.relative_to(bundle).as_posix()}", path.read_bytes())
                written += 1
        return written
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


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
