"""The process pool: the same work on every core, results back in order; and the garbage
collector's settings for work of that size.

Workers are forked, so the function and its data reach them copy-on-write instead of
being pickled; only results travel back.
"""

from __future__ import annotations

import gc
import itertools
import os
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")
PARALLEL_MIN = 64  # below this many items, forking costs more than it saves
CHUNK_MAX = 64  # items per message from a worker


def workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS
        return max(1, os.cpu_count() or 1)


def parallel_imap(function: Callable[[T], R], items: list[T]) -> Iterator[R]:
    """`function(item)` for each item, in order, computed by forked workers when it pays.

    The caller consumes the results while the workers go on (the parent writes pages as they
    arrive: one writer is faster on most file systems than two). Exceptions (CastnotesError
    included) are re-raised in the parent.
    """
    count = _fork_count(items)
    if not count:
        yield from (function(item) for item in items)
        return
    token = next(_TOKENS)
    _JOBS[token] = (function, items)  # set before forking: workers find it here
    try:
        # small chunks: pages differ a lot in cost, and each chunk's results (a page's bytes)
        # cross as one message, held twice while unpickled: at most CHUNK_MAX items keeps that
        # to a few MB on a show of 10,000 episodes (it was 417 pages, 35 MB, at count * 16)
        tasks = _tasks(token, len(items), max(count * 16, -(-len(items) // CHUNK_MAX)))
        with frozen_heap(), _fork_pool(count) as pool:
            for part in pool.imap(_run_chunk, tasks):
                yield from part
    finally:
        del _JOBS[token]


_JOBS: dict[int, tuple[Callable[[Any], Any], list[Any]]] = {}  # what forked workers run, by token
_TOKENS = itertools.count()


def _fork_count(items: list[Any]) -> int:
    """How many workers to fork for `items`: 0 where forking costs more than it saves or is not
    available. `multiprocessing` is imported only when a build has enough work for workers:
    the week's build usually has not, and the import costs 15-20 ms."""
    count = workers()
    if count < 2 or len(items) < PARALLEL_MIN:
        return 0
    import multiprocessing

    return count if "fork" in multiprocessing.get_all_start_methods() else 0


def _fork_pool(count: int) -> Any:
    import multiprocessing

    return multiprocessing.get_context("fork").Pool(count)


_FROZEN = [0]  # how many `frozen_heap` blocks are open


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Every object alive now is left alone by the garbage collector until the block ends.

    For two reasons: a forked worker would copy every inherited page of memory the collector
    touches; and objects that live as long as the build (the show, its episodes) need not be
    scanned again by every full collection (on 1,000 episodes each took 70-150 ms). Blocks
    nest: only the outermost one gives the objects back to the collector.
    """
    gc.freeze()
    _FROZEN[0] += 1
    try:
        yield
    finally:
        _FROZEN[0] -= 1
        if not _FROZEN[0]:
            gc.unfreeze()


def give_back_memory() -> None:
    """Hand the heap memory Python has freed back to the system (glibc's `malloc_trim`).

    glibc keeps freed small blocks for the process, so memory a phase used and let go still
    counts until the process ends, and the next phase's own adds to it: at 10,000 episodes the
    feed phase frees 60 MB of kept feed items, and trimming then kept the build's peak at
    235 MB instead of 258. Nothing happens where there is no glibc.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # musl and others: no malloc_trim
        return
    trim(0)


BUILD_GC_THRESHOLD = 20_000  # allocations between young collections (Python's default: 700)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect young objects every BUILD_GC_THRESHOLD allocations instead of every 700.

    A build makes millions of objects that mostly live until it ends, and with the default
    each survivor is scanned again and again: 0.15-0.2 s of a 1,000-episode build. Cyclic
    garbage is still collected, a little later.
    """
    before = gc.get_threshold()
    gc.set_threshold(BUILD_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _tasks(token: int, total: int, pieces: int) -> list[tuple[int, int, int]]:
    size = max(1, -(-total // pieces))
    return [(token, start, min(total, start + size)) for start in range(0, total, size)]


def _run_chunk(task: tuple[int, int, int]) -> list[Any]:
    token, start, end = task
    function, items = _JOBS[token]
    return [function(item) for item in items[start:end]]


class Background:
    """`function(item)` for each item on the other cores while the caller goes on; `wait()`
    for the results, in order.

    For work whose results are needed only later (the share cards: drawn while the feed is
    checked and the pages are rendered, which leave a core idle now and then). Forked at once,
    so the workers see the data as it is now. Below PARALLEL_MIN items, or on one core, the
    work is done by `wait()` itself. Inside `background_scope()`, work still running when the
    scope ends (an error stopped the caller) is cancelled; otherwise `cancel()` it. A cancelled
    worker is killed (Pool.terminate): an item it was writing may leave its temporary file.
    """

    def __init__(self, function: Callable[[T], R], items: list[T]):
        self.function, self.items = function, items
        self.pool: Any = None
        self.pending: Any = None
        count = _fork_count(items)
        if not count:
            return
        self.token = next(_TOKENS)
        _JOBS[self.token] = (function, items)  # set before forking: workers find it here
        with frozen_heap():
            self.pool = _fork_pool(count)
        self.pending = self.pool.map_async(_run_chunk, _tasks(self.token, len(items), count * 16))
        self.pool.close()
        if _SCOPES:
            _SCOPES[-1].append(self)

    def wait(self) -> list[R]:
        """The results, in order (re-raising the first exception of a worker)."""
        if self.pool is None:
            return [self.function(item) for item in self.items]
        try:
            parts = self.pending.get()
            self.pool.join()
        finally:
            self.cancel()
        return [result for part in parts for result in part]

    def cancel(self) -> None:
        """Stop the workers (nothing when they are done)."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
            self.items = []
            _JOBS.pop(self.token, None)


_SCOPES: list[list[Background]] = []


@contextmanager
def background_scope() -> Iterator[None]:
    """Background work started inside is cancelled when the block ends, if still running."""
    started: list[Background] = []
    _SCOPES.append(started)
    try:
        yield
    finally:
        _SCOPES.remove(started)
        for work in started:
            work.cancel()
