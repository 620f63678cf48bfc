"""The show's `.castnotes/` folder and the one atomic write every module uses.

`.castnotes/` holds what castnotes can make again (audio metadata, episode cache,
web-sized images, build state, downloads, the preview site), so it is git-ignored
and safe to delete. Every file castnotes writes in place goes through a temporary
sibling and one rename: a reader, a crash or a full disk never leaves half a file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

STORE_DIR = ".castnotes"


def store_dir(root: Path, *parts: str) -> Path:
    """`root/.castnotes/...`, created and git-ignored, for a cache or state file."""
    base = root / STORE_DIR
    folder = base.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    marker = base / ".gitignore"  # `*`: the cache is never committed with the show
    if not marker.exists():
        marker.write_text("# castnotes' cache: safe to delete, never commit\n*\n", encoding="utf-8")
    return folder


@contextmanager
def atomic_path(path: Path, *, suffix: str = "", exclusive: bool = False) -> Iterator[Path]:
    """A temporary sibling of `path` to write; it becomes `path` with one rename when the block ends.

    When the block raises, the temporary file goes and `path` is left as it was.
    `exclusive` links instead of renaming, so a file that appeared meanwhile is never
    replaced (FileExistsError).
    """
    tmp = _new_sibling(path, suffix)
    try:
        yield tmp
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _new_sibling(path: Path, suffix: str) -> Path:
    """An empty, new hidden file beside `path`, with the usual permissions (umask, not 0600)."""
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{suffix}")
        with suppress(FileExistsError):  # taken already: another name
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp


def write_atomic(path: Path, data: bytes | str, *, durable: bool = False, exclusive: bool = False) -> None:
    """Write `data` (text as UTF-8) to `path` through a temporary sibling and one rename.

    `durable` fsyncs the bytes before the rename, for files that must survive a
    power cut (imported episodes); caches skip it, they can be made again.
    """
    with atomic_path(path, exclusive=exclusive) as tmp:
        with tmp.open("wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())


def fsync_dir(folder: Path) -> None:
    """Make a newly created file's directory entry durable too (best effort)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
