"""The site's search index, made by Pagefind from the staged pages before the swap, in shards.

Pagefind (the `pagefind[bin]` package: its own binary, no network) reads the built
HTML and writes a bundle: a small entry script and an index split in fragments, so a
browser fetches only the parts a query needs, even on a 10,000-episode site. Only
episode pages are indexed (they carry `data-pagefind-body`): titles, notes, guests,
topics, chapters and transcripts. The search page loads it on first use.

Why shards: Pagefind cannot update an index, only make it anew, and on one index a new
episode cost a re-index of every page (~4 CPU seconds per 1,000 pages) while its
process grew to 1.2 GB on 10,000 pages. So the indexed pages are put in a stable order
(episodes oldest first, then any other indexed page by path) and cut from the oldest end
into full blocks of 1,000 pages, then the rest in blocks of 100 (`SHARD_SIZES`): adding
the week's episode changes only the last block, Pagefind re-indexes at most 200 pages
(once every 1,000 episodes, the small blocks are merged into a block of 1,000),
and a shard whose pages kept their bytes keeps its files from the current site. Each
shard is one Pagefind run (about 130 MB for 1,000 pages), up to one per core at a time,
into its own bundle: the first in `pagefind/`, the others in `pagefind/shard-N/`;
`pagefind/shards.json` lists them, and the search page merges them with Pagefind's
`mergeIndex`, so a query searches every shard, one index chunk per word per shard.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from castnotes.errors import CastnotesError
from castnotes.output.staging import Staging
from castnotes.workers import workers

SEARCH_DIR = "pagefind"
SHARD_LIST = "shards.json"  # in SEARCH_DIR: the shards' folders, for the search page and the next build
SHARD_SIZES = (1000, 100)  # full blocks of the first size from the oldest page, the rest in blocks of the second
LAYOUT = 1  # part of every shard's digest: a change of how shards are made re-indexes them all
TIMEOUT = 1800  # seconds, for all shards together
UNUSED = ("pagefind-ui.*", "pagefind-component-ui.*", "pagefind-modular-ui.*", "pagefind-highlight.js")
PRIMARY_ONLY = ("pagefind.js", "pagefind-worker.js", "wasm.*.pagefind")  # a merged index uses the first one's
SHARD_FOLDER = re.compile(r"shard-\d+")
BODY_MARK = b"data-pagefind-body"


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


@dataclass(frozen=True, slots=True)
class Shard:
    """Some consecutive pages of the stable order, indexed together into one bundle."""
    number: int  # 1 for the first (oldest) shard
    pages: tuple[str, ...]  # site paths
    digest: str  # of the pages' paths and what Pagefind reads of them, its version, the language, LAYOUT

    @property
    def folder(self) -> str:
        """The bundle's folder inside SEARCH_DIR: "" for the first shard, "shard-N/" for the others."""
        return "" if self.number == 1 else f"shard-{self.number}/"


def shard_bounds(count: int, sizes: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """(start, end) of each shard over `count` pages in the stable order: full blocks of
    sizes[0] from the oldest end, then full blocks of sizes[1], then the rest (1 to
    sizes[1] pages). A block is closed only once a newer page follows it: the newest page
    links to the one added after it ("next episode"), so the block that holds it is
    indexed again anyway, and ten small blocks become one big one in that same build.
    A page added at the newest end so changes the last shard (and the one before when
    it starts a new one); once every sizes[0] pages, the small blocks are merged."""
    big, small = sizes or SHARD_SIZES
    if count == 0:
        return [(0, 0)]
    closed = (count - 1) // big * big
    bounds = [(start, start + big) for start in range(0, closed, big)]
    tail = closed + (count - closed - 1) // small * small
    bounds += [(start, start + small) for start in range(closed, tail, small)]
    return bounds + [(tail, count)]


def indexed_pages(site: Path, episode_pages: Sequence[str], staged: Iterable[str] | None = None,
                  known: PageDigests | None = None) -> dict[str, bytes]:
    """The pages Pagefind indexes, in the stable order, each with the digest of what Pagefind
    reads of it (`pagefind_part`): those carrying `data-pagefind-body` (on the default theme
    the episode pages), or every page when none does (as Pagefind itself does). Episode pages
    come first, oldest first (`episode_pages`), then any other indexed page by path.

    `staged` names every file in `site` (the staging's list; else the folder is listed), and
    `known` holds the digests of pages kept from the last build: only the others are read,
    each once and let go (on 10,000 episodes their bytes would be 200 MB)."""
    if staged is None:
        pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.is_file())
    else:
        pages = sorted(page for page in staged if page.endswith(".html"))
    folder = f"{site}/"
    digests: dict[str, bytes] = {}
    for page in pages:
        part = known.get(page) if known is not None else None
        if part is None:
            with open(folder + page, "rb") as fh:
                data = fh.read()
            part = hashlib.sha256(pagefind_part(data)).digest() if BODY_MARK in data else b""
            if known is not None:
                known.learn(page, part)
        if part:
            digests[page] = part
    if not digests:
        digests = {page: hashlib.sha256((site / page).read_bytes()).digest() for page in pages}
    first = [page for page in dict.fromkeys(episode_pages) if page in digests]
    ordered = first + sorted(digests.keys() - set(first))
    return {page: digests[page] for page in ordered}


class PageDigests:
    """What Pagefind reads of each rendered page (the sha256 of `pagefind_part`, or nothing
    for a page it does not index), kept in the build state by the page's fingerprint, so
    that a build reads only the pages it rendered anew, not the thousand it kept.

    A page's fingerprint covers all its bytes (render/fingerprints.py: a kept page is
    the last build's file), so its digest holds while the fingerprint does. The kept
    mapping carries a check over all its entries and LAYOUT: a damaged or edited state
    (a wrong entry would leave a page out of the index) is ignored whole, and every
    page is read again.
    """

    CHECK = "check"  # the key of the check entry (fingerprints are hex: no page's key)

    def __init__(self, fingerprints: dict[str, str], stored: object = None):
        # site path -> fingerprint, of the HTML pages this build renders or keeps
        self.fingerprints = {path: fp for path, fp in fingerprints.items() if path.endswith(".html")}
        self.known = self._valid(stored)
        self.learned: dict[str, bytes] = {}  # fingerprint -> digest, of the pages read this build

    @classmethod
    def _valid(cls, stored: object) -> dict[str, bytes]:
        if not isinstance(stored, dict) or not stored:
            return {}
        entries = {key: value for key, value in stored.items() if key != cls.CHECK}
        try:
            if stored.get(cls.CHECK) != cls._check(entries):
                return {}
            return {str(key): bytes.fromhex(value) for key, value in entries.items()}
        except (TypeError, ValueError, AttributeError):
            return {}

    @staticmethod
    def _check(entries: dict[str, str]) -> str:
        hasher = hashlib.sha256(f"{LAYOUT}\0".encode())
        for key in sorted(entries):
            hasher.update(f"{key}:{entries[key]}\n".encode())
        return hasher.hexdigest()

    def get(self, page: str) -> bytes | None:
        """The page's digest (b"" when Pagefind does not index it); None when it must be read."""
        fingerprint = self.fingerprints.get(page)
        return None if fingerprint is None else self.known.get(fingerprint)

    def learn(self, page: str, part: bytes) -> None:
        fingerprint = self.fingerprints.get(page)
        if fingerprint is not None:
            self.learned[fingerprint] = part

    def stored(self) -> dict[str, str]:
        """What the build state keeps: every page of this build whose digest is known, read now or
        kept (a build that indexed nothing keeps the last one's), with the check."""
        parts = self.known | self.learned
        entries = {fp: parts[fp].hex() for fp in self.fingerprints.values() if fp in parts}
        if entries:
            entries[self.CHECK] = self._check(entries)
        return entries


def plan_shards(pages: dict[str, bytes], language: str, sizes: Sequence[int] | None = None) -> list[Shard]:
    """The shards of these pages (in their order; page -> digest), each with the digest that
    tells whether the current site's bundle for it can be kept."""
    names = list(pages)
    shards = []
    for number, (start, end) in enumerate(shard_bounds(len(names), sizes), 1):
        digest = hashlib.sha256(f"{LAYOUT}\0{_pagefind_version()}\0{language}\0".encode())
        for page in names[start:end]:
            digest.update(page.encode() + b"\0" + pages[page])
        shards.append(Shard(number, tuple(names[start:end]), digest.hexdigest()))
    return shards


def pagefind_part(page: bytes) -> bytes:
    """The part of a page that Pagefind's index depends on, for the shard's digest: the page
    up to the end of its last `data-pagefind-body` element, when what follows has nothing
    Pagefind reads there (no `data-pagefind-*` attribute, no `<h1>` for a default title, no
    `<img>` for a default image unless the page names its image); else the whole page.

    An episode page ends with its neighbours and related episodes, outside the indexed
    article: a new episode changes them on a dozen older pages, and counting those bytes
    would index their shards again for the same index.
    """
    mark = page.rfind(BODY_MARK)
    opening = page.rfind(b"<", 0, mark)
    name = re.match(rb"<([A-Za-z][A-Za-z0-9-]*)", page[opening:mark])
    if mark < 0 or name is None or b">" in page[opening:mark]:
        return page  # not marked, or the words in a page's text rather than an attribute
    depth, end = 0, -1
    for tag in re.finditer(rb"<(/?)" + re.escape(name.group(1)) + rb"(?=[\s/>])[^>]*>", page[opening:], re.I):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            end = opening + tag.end()
            break
    if end < 0:
        return page
    rest = page[end:]
    if b"data-pagefind" in rest or re.search(rb"<h1[\s>]", rest, re.I) or (
            re.search(rb"<img[\s>]", rest, re.I) and b'data-pagefind-meta="image[' not in page[:end]):
        return page
    return page[:end]


@functools.cache
def _pagefind_version() -> str:
    """The installed Pagefind's version, part of every shard's digest. Read from the name of
    its wheel's `.dist-info` folder beside the package: `importlib.metadata` costs 45 ms,
    which every build would pay. Anything else (no such folder, or two) asks it after all."""
    try:
        import pagefind_bin

        folder = Path(pagefind_bin.__file__).parent.parent
        found = [name for name in os.listdir(folder) if name.startswith("pagefind_bin-") and name.endswith(".dist-info")]
        if len(found) == 1:
            return found[0][len("pagefind_bin-"):-len(".dist-info")]
    except (ImportError, OSError, TypeError):
        pass
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("pagefind_bin")
    except PackageNotFoundError:
        return "?"


def current_digests(output_dir: Path) -> dict[str, str]:
    """Shard folder -> digest of the bundles the current site holds (its shards.json),
    for the shards whose files are there."""
    search = output_dir / SEARCH_DIR
    try:
        listed = json.loads((search / SHARD_LIST).read_text(encoding="utf-8"))["shards"]
        digests = {str(item["path"]): str(item["digest"]) for item in listed}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {folder: digest for folder, digest in digests.items()
            if (search / folder / "pagefind-entry.json").is_file()}


class SearchIndex:
    """Pagefind running on the staged pages while the build goes on (processes of their own:
    the build draws share cards and places files meanwhile), then its files placed.

    Start it once every page is staged: it reads only the HTML. Each shard to index gets a
    scratch site of hard links to just its pages (the same relative paths, so the same
    result URLs) and its own Pagefind run, up to one per core at a time; a shard whose
    digest is the current site's keeps its files (hard links, no Pagefind). Each file
    Pagefind writes then goes through the staging like any generated file, so a file with
    the same bytes as in the current site keeps its inode, and a `static/pagefind/` of the
    show's is reported as a clash instead of being overwritten. Leaving the `with` block
    stops Pagefind if it still runs.
    """

    def __init__(self, staging: Staging, language: str) -> None:
        self.staging = staging
        self.language = language.split("-")[0].lower() or "en"
        self.shards: list[Shard] = []
        self.kept: set[int] = set()  # shard numbers whose current files are reused
        self.runs: dict[int, Future[tuple[int, bytes]]] = {}
        self.scratch: Path | None = None
        self.pool: ThreadPoolExecutor | None = None
        self.processes: list[subprocess.Popen[bytes]] = []
        self.lock = threading.Lock()
        self.stopped = False

    @property
    def started(self) -> bool:
        return bool(self.shards)

    def __enter__(self) -> "SearchIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.stopped = True
            for process in self.processes:
                if process.poll() is None:
                    process.kill()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def start(self, episode_pages: Sequence[str] = (), reuse: bool = False, known: PageDigests | None = None) -> None:
        """Plan the shards of the staged pages and start Pagefind (in the background) on those
        that changed; with `reuse` (the current site is the one the last build wrote), a shard
        whose digest is the current site's keeps its files. `known`: the digests of the pages
        kept from the last build (`PageDigests`), which need not be read."""
        pages = indexed_pages(self.staging.dir, episode_pages, self.staging.placed, known)
        self.shards = plan_shards(pages, self.language)
        current = current_digests(self.staging.output_dir) if reuse else {}
        self.kept = {shard.number for shard in self.shards if shard.pages and current.get(shard.folder) == shard.digest}
        todo = [shard for shard in self.shards if shard.number not in self.kept]
        if not todo:
            return
        binary = pagefind_binary()
        self.scratch = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=self.staging.dir.parent))
        self.pool = ThreadPoolExecutor(max_workers=min(len(todo), workers()), thread_name_prefix="pagefind")
        for shard in todo:
            self.runs[shard.number] = self.pool.submit(self._index, binary, shard)

    def _index(self, binary: Path, shard: Shard) -> tuple[int, bytes]:
        """One Pagefind run over a scratch site of just this shard's pages; (exit code, output)."""
        assert self.scratch is not None
        site, out = self.scratch / f"site-{shard.number}", self.scratch / f"out-{shard.number}"
        site.mkdir()
        for page in shard.pages:
            target = site / page
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.staging.dir / page, target)
            except OSError:
                shutil.copyfile(self.staging.dir / page, target)
        if not shard.pages:  # a site without a page: an empty index, so the search page still loads
            (site / "index.html").write_bytes(b"<html><body></body></html>")
        command = [str(binary), "--site", str(site), "--output-path", str(out), "--silent",
                   "--force-language", self.language]
        with tempfile.TemporaryFile() as errors:  # a file, not a pipe: nobody reads it meanwhile
            with self.lock:
                if self.stopped:
                    return -1, b"stopped"
                process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=errors,
                                           stderr=subprocess.STDOUT, cwd=site)
                self.processes.append(process)
            code = process.wait()
            errors.seek(0)
            return code, errors.read()

    def finish(self) -> int:
        """Wait for Pagefind and stage every shard's files and the shard list; returns the
        files written or kept."""
        assert self.shards
        deadline = time.monotonic() + TIMEOUT
        placed = 0
        for shard in self.shards:
            if shard.number in self.kept:  # its current files hard-linked into the staging
                placed += _reuse_files(self.staging, f"{SEARCH_DIR}/{shard.folder}",
                                       _other_shards if shard.number == 1 else None)
                continue
            try:
                code, output = self.runs[shard.number].result(timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise CastnotesError.single("Pagefind took more than 30 minutes to index the site") from None
            assert self.scratch is not None
            out = self.scratch / f"out-{shard.number}"
            if code != 0 or not (out / "pagefind-entry.json").is_file():
                detail = output.decode("utf-8", "replace").strip().splitlines()[-3:]
                raise CastnotesError.single("Pagefind could not index the site: " + " / ".join(detail))
            skip = UNUSED if shard.number == 1 else UNUSED + PRIMARY_ONLY
            for path in sorted(out.rglob("*")):
                if path.is_file() and not any(path.match(name) for name in skip):
                    self.staging.write(f"{SEARCH_DIR}/{shard.folder}{path.relative_to(out).as_posix()}",
                                       path.read_bytes())
                    placed += 1
        listing = {"shards": [{"path": s.folder, "pages": len(s.pages), "digest": s.digest} for s in self.shards]}
        self.staging.write(f"{SEARCH_DIR}/{SHARD_LIST}", json.dumps(listing, indent=1).encode() + b"\n")
        return placed + 1


def _other_shards(top: str) -> bool:
    """What the first shard's folder holds besides its own files: the others' (shard-N/) and the list (written anew)."""
    return SHARD_FOLDER.fullmatch(top) is not None or top == SHARD_LIST


def _reuse_files(staging: Staging, folder: str, skip: Callable[[str], bool] | None = None) -> int:
    """Hard-link the current site's files under `folder` (a site path ending in "/") into the staging;
    returns how many."""
    return sum(staging.reuse(folder + inside) for inside in _files_under(f"{staging.output_dir}/{folder}", skip))


def _files_under(folder: str, skip: Callable[[str], bool] | None = None) -> list[str]:
    """The files under `folder` as sorted relative POSIX paths, leaving out what `skip` says
    of a top-level name; listed with `os.scandir` (a kept shard is a thousand files: a
    Path object for each cost more than linking them)."""
    found: list[str] = []
    stack = [""]
    while stack:
        inside = stack.pop()
        try:
            entries = os.scandir(folder + inside)
        except OSError:
            continue
        with entries:
            for entry in entries:
                if not inside and skip is not None and skip(entry.name):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(f"{inside}{entry.name}/")
                elif entry.is_file():
                    found.append(inside + entry.name)
    return sorted(found)


def reuse_search_index(staging: Staging) -> int | None:
    """Keep the current site's index when no page changed: its files are hard-linked into
    the staging folder. Returns the files kept, or None when there is no index to keep."""
    current = staging.output_dir / SEARCH_DIR
    if not (current / "pagefind.js").is_file() or not (current / SHARD_LIST).is_file():
        return None
    return _reuse_files(staging, f"{SEARCH_DIR}/")
