"""Render only what changed, on every core.

Each page gets a fingerprint: the digest of everything its template can see (the
page's own context, the show's settings, artwork and hosts, the templates
themselves and castnotes' version). Templates get the show without its episode list
(`ShowView`), so a page can only depend on the episodes its context hands it; that is
what makes the fingerprint complete. A page whose fingerprint matches the last build
is hard-linked from the current site instead of being rendered again, which is also
what a full build would have written, byte for byte.

Pages that must be rendered are shared out among worker processes (fork) when there
are enough of them to pay for it; each worker writes its pages straight into the
staging folder, so no process holds the whole site in memory.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

from . import __version__
from .model import Episode
from .output import Staging, place_generated

T = TypeVar("T")
R = TypeVar("R")
PARALLEL_MIN = 64  # below this many items, forking costs more than it saves


def digest(*parts: object) -> str:
    hasher = hashlib.sha1()
    for part in parts:
        hasher.update(repr(part).encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()


class Fingerprints:
    """Digests of page contexts, hashing each episode once however many pages show it.

    An episode appears on its page, its neighbours', the home pages, its categories,
    its people: hashing its full `repr` each time would cost more than rendering.
    """

    def __init__(self) -> None:
        self.episodes: dict[int, str] = {}

    def of(self, *parts: object) -> str:
        return digest(*(self._canonical(part) for part in parts))

    def _canonical(self, value: object) -> object:
        if isinstance(value, Episode):
            known = self.episodes.get(id(value))
            if known is None:
                known = self.episodes[id(value)] = "Episode:" + digest(value)
            return known
        if isinstance(value, (list, tuple)):
            return tuple(self._canonical(v) for v in value)
        if isinstance(value, dict):
            return tuple((k, self._canonical(v)) for k, v in value.items())
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return (type(value).__name__,
                    tuple(self._canonical(getattr(value, f.name)) for f in dataclasses.fields(value)))
        return value


def tree_digest(folders: Iterable[Path]) -> str:
    """The bytes of every file under the template folders: a changed template changes all pages."""
    hasher = hashlib.sha1(__version__.encode())
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                hasher.update(path.relative_to(folder).as_posix().encode())
                hasher.update(path.read_bytes())
    return hasher.hexdigest()


def workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS
        return max(1, os.cpu_count() or 1)


def parallel_imap(function: Callable[[T], R], items: list[T]) -> Iterator[R]:
    """`function(item)` for each item, in order, computed by forked workers when it pays.

    The function and its data reach the workers by fork (copy-on-write), not by
    pickling; only the results travel back, and the caller consumes them while
    the workers go on (the parent writes pages as they arrive: one writer is faster
    on most file systems than two). Exceptions (CastnotesError included) are
    re-raised in the parent.
    """
    count = workers()
    if count < 2 or len(items) < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        yield from (function(item) for item in items)
        return
    global _JOB
    _JOB = (function, items)
    gc.freeze()  # keep the collector from touching (and so copying) every inherited object
    try:
        chunks = _chunks(len(items), count * 16)  # small chunks: pages differ a lot in cost
        with multiprocessing.get_context("fork").Pool(count) as pool:
            for part in pool.imap(_run_chunk, chunks):
                yield from part
    finally:
        gc.unfreeze()
        _JOB = None


_JOB: tuple[Callable[[Any], Any], list[Any]] | None = None


def _chunks(total: int, pieces: int) -> list[tuple[int, int]]:
    size = max(1, -(-total // pieces))
    return [(start, min(total, start + size)) for start in range(0, total, size)]


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _JOB is not None
    function, items = _JOB
    return [function(item) for item in items[bounds[0] : bounds[1]]]


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One file to render: where it goes, its fingerprint, and how to make its bytes."""

    site_path: str
    fingerprint: str
    render: Callable[[], bytes]


def render_changed(jobs: list[RenderJob], previous: dict[str, str], staging: Staging) -> tuple[int, int]:
    """Reuse every file whose fingerprint is unchanged, render the rest (in parallel).

    Returns (rendered, reused).
    """
    todo: list[RenderJob] = []
    reused = 0
    for job in jobs:
        if previous.get(job.site_path) == job.fingerprint and staging.reuse(job.site_path):
            reused += 1
            continue
        staging.claim(job.site_path)
        todo.append(job)
    for job, data in zip(todo, parallel_imap(lambda job: job.render(), todo)):
        if place_generated(staging.dir, staging.output_dir, job.site_path, data):
            staging.reused += 1
        else:
            staging.written += 1
    return len(todo), reused
