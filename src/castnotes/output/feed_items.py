"""Each episode's rendered feed <item> and what the feed rules found in it, kept between builds.

Rendering an item (feedgen, the notes' Apple description) and checking it (parsing
the feed again) was most of a build's feed phase, for every episode on every build.
A build keeps each item's bytes with its findings under a key that digests all they
depend on (the caller's: see commands/check.py), and renders and checks only the
items whose key it has not kept.

One compact file per set of build options (like the build state, so `serve`'s preview
and `build` keep theirs apart): `.castnotes/feed-items-<options>.bin`, read entry
by entry at the start of a build and written anew, through one temporary file and a rename,
with the entries this build used (so it never grows with old ones):

    item bytes, record bytes, item bytes, record bytes, ...   (the entries)
    [[key, item length, record length], ...]                  (the index, one JSON line)
    {"format": .., "version": .., "index": offset, "crc": ..} (the trailer, one JSON line)

The CRC covers everything before the trailer, so a truncated or damaged file is
ignored (every item is rendered again), never half used. Each entry is read into its
own bytes (the document is then written from them), never the whole file at once.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from castnotes import __version__
from castnotes.store import atomic_path, store_dir

FORMAT = 1  # bump when the file's layout changes


def feed_items_path(root: Path, options: str) -> Path:
    """The file of kept items for one set of build options (`output.state.options_key`)."""
    return store_dir(root) / f"feed-items-{options}.bin"


class FeedItems:
    """The kept items of the last build (`entries`) and the ones this build keeps (`put`)."""

    def __init__(self, path: Path, out: BinaryIO | None = None):
        self.path = path
        self.out = out
        self.entries: dict[str, tuple[bytes, bytes]] = {}  # key -> (item, record)
        self.written: list[list[object]] = []  # the new index
        self.offset = 0
        self.crc = 0  # of what was written to `out`
        self._load()

    def _load(self) -> None:
        """Entry by entry, each its own bytes: no buffer of the whole file, which a large
        show's feed would add to the build's peak memory at once."""
        try:
            with self.path.open("rb") as fh:
                self.entries = self._read(fh) or {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return

    @staticmethod
    def _read(fh: BinaryIO) -> dict[str, tuple[bytes, bytes]] | None:
        size = fh.seek(0, 2)
        fh.seek(max(0, size - 4096))  # the trailer is the last line, and short
        tail = fh.read()
        if not tail.endswith(b"\n"):
            return None
        cut = tail.rindex(b"\n", 0, len(tail) - 1) + 1
        trailer = json.loads(tail[cut:])
        start = size - len(tail) + cut  # where the trailer begins in the file
        if trailer.get("format") != FORMAT or trailer.get("version") != __version__:
            return None
        index_at = trailer["index"]
        fh.seek(index_at)
        index = fh.read(start - index_at)
        fh.seek(0)
        crc = 0
        entries = {}
        for key, item_size, record_size in json.loads(index):
            cut = int(item_size)
            entry = fh.read(cut + int(record_size))  # one read and one CRC step per entry
            crc = zlib.crc32(entry, crc)
            entries[str(key)] = (entry[:cut], entry[cut:])
        if fh.tell() != index_at or zlib.crc32(index, crc) != trailer["crc"]:
            return None
        return entries

    def put(self, key: str, item: bytes | memoryview, record: bytes) -> None:
        """Keep an item for the next build (written out at once: nothing more is held)."""
        if self.out is None:
            return
        entry = bytes(item) + record  # the same bytes as one after the other, in one write
        self.crc = zlib.crc32(entry, self.crc)
        self.out.write(entry)
        self.written.append([key, len(item), len(record)])
        self.offset += len(item) + len(record)


@contextmanager
def kept_feed_items(path: Path) -> Iterator[FeedItems]:
    """The last build's kept items, and a new file for this build's, in place when the block ends.

    When the block raises, the old file stays as it was.
    """
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        items = FeedItems(path, fh)
        yield items
        items.out = None
        index = json.dumps(items.written, separators=(",", ":")).encode() + b"\n"
        trailer = {"format": FORMAT, "version": __version__, "index": items.offset, "crc": zlib.crc32(index, items.crc)}
        fh.write(index + json.dumps(trailer).encode() + b"\n")
        items.entries = {}
