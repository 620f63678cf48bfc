"""The site's search index, made by Pagefind from the staged pages before the swap.

Pagefind (the `pagefind[bin]` package: its own binary, no network) reads the built
HTML and writes `pagefind/`: a small entry script and an index split in fragments, so
a browser fetches only the parts a query needs, even on a 10,000-episode site. Only
episode pages are indexed (they carry `data-pagefind-body`): titles, notes, guests,
topics, chapters and transcripts. The search page loads it on first use.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from castnotes.errors import CastnotesError

SEARCH_DIR = "pagefind"


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


def build_search_index(site_dir: Path, language: str) -> int:
    """Index the staged site in `site_dir` into `site_dir/pagefind/`; returns the files written."""
    target = site_dir / SEARCH_DIR
    if target.exists():
        raise CastnotesError.single(f"{SEARCH_DIR}/ would overwrite a published file or folder",
                                    hint=f"rename the show's static/{SEARCH_DIR}/; castnotes writes the search index there")
    command = [str(pagefind_binary()), "--site", str(site_dir), "--output-subdir", SEARCH_DIR, "--silent",
               "--force-language", language.split("-")[0].lower() or "en"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=1800,
                                cwd=site_dir, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise CastnotesError.single("Pagefind took more than 30 minutes to index the site") from None
    if result.returncode != 0 or not (target / "pagefind.js").is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise CastnotesError.single("Pagefind could not index the site: " + " / ".join(detail))
    return sum(1 for path in target.rglob("*") if path.is_file())
