"""The process pool: the same work on every core, results back in order.

Workers are forked, so the function and its data reach them copy-on-write instead of
being pickled; only results travel back.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")
PARALLEL_MIN = 64  # below this many items, forking costs more than it saves


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
