"""Writing the site: everything into a temporary sibling folder, then one swap.

A build that fails before the swap leaves the previous site exactly as it was.
Media files are hard-linked from the show (no copies of gigabytes of audio) and
fall back to a copy across file systems. The output folder is refused when it
would hold or replace the host's own sources.
"""

from __future__ import annotations

import errno
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from .errors import CastnotesError

MARKER = ".castnotes-site"  # marks a folder castnotes made, so it may replace it
SOURCE_NAMES = ("episodes", "templates", "static", ".castnotes", "castnotes.toml", ".git")


@dataclass(frozen=True, slots=True)
class WriteStats:
    files: int
    linked: int
    copied: int
    bytes_written: int


def check_output_dir(output_dir: Path, show_root: Path) -> None:
    """Refuse an output folder that is, contains, or lies inside the show's sources."""
    output_dir, show_root = output_dir.resolve(), show_root.resolve()
    if show_root.is_relative_to(output_dir):
        raise CastnotesError.single(
            f"the output folder {output_dir} contains the show itself", show_root / "castnotes.toml",
            hint='set [site] output to a folder of its own, such as "site"')
    for name in SOURCE_NAMES:
        source = show_root / name
        if name == ".castnotes" and output_dir != source:
            continue  # castnotes' own folder: the preview of `castnotes serve` lives inside it
        if output_dir == source or output_dir.is_relative_to(source):
            raise CastnotesError.single(
                f"the output folder {output_dir} is inside the show's {name}", show_root / "castnotes.toml",
                hint='set [site] output to a folder of its own, such as "site"')
    if output_dir.exists() and not output_dir.is_dir():
        raise CastnotesError.single(f"the output path {output_dir} is a file, not a folder")
    if output_dir.is_dir() and any(output_dir.iterdir()) and not (output_dir / MARKER).exists():
        raise CastnotesError.single(
            f"the output folder {output_dir} exists and was not made by castnotes; "
            "castnotes replaces its output folder on every build",
            hint="move its files away, or choose another [site] output")


def check_site_path(site_path: str) -> str:
    """A site path must stay inside the site: relative, no `..`, no backslashes."""
    pure = PurePosixPath(site_path)
    if pure.is_absolute() or ".." in pure.parts or "\\" in site_path or not site_path:
        raise CastnotesError.single(f"refusing to write outside the site: {site_path!r}")
    return pure.as_posix()


def write_site(output_dir: Path, files: Iterable[tuple[str, bytes]],
               copies: Iterable[tuple[Path, str]]) -> WriteStats:
    """Write rendered `files` and `copies` (source, site path) as the new output folder."""
    output_dir = output_dir.resolve()
    parent = output_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(output_dir)
    staging = parent / f".{output_dir.name}.tmp-{os.getpid()}"
    staging.mkdir()
    linked = copied = count = written = 0
    try:
        for site_path, data in files:
            target = staging / check_site_path(site_path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            count += 1
            written += len(data)
        placed: dict[str, Path] = {}
        for source, site_path in copies:
            site_path = check_site_path(site_path)
            if site_path in placed:
                if placed[site_path] != source:
                    raise CastnotesError.single(
                        f"two files want to be published as {site_path}: {placed[site_path]} and {source}",
                        source, hint="rename one of them")
                continue
            target = staging / site_path
            if target.exists():
                raise CastnotesError.single(
                    f"{site_path} would overwrite a page castnotes generates", source,
                    hint="rename the file")
            placed[site_path] = source
            target.parent.mkdir(parents=True, exist_ok=True)
            if _link_or_copy(source, target):
                linked += 1
            else:
                copied += 1
            count += 1
        (staging / MARKER).write_bytes(b"")
        _swap(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteStats(count, linked, copied, written)


LINK_MIN_BYTES = 1 << 20  # hard-link media; copy small files (theme CSS a host might edit in site/)


def _link_or_copy(source: Path, target: Path) -> bool:
    if source.stat().st_size < LINK_MIN_BYTES:
        shutil.copyfile(source, target)
        return False
    try:
        os.link(source, target)
        return True
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES):
            raise
    shutil.copyfile(source, target)
    return False


def _swap(staging: Path, output_dir: Path) -> None:
    """Move the old site aside, the new one in, then delete the old one."""
    old = output_dir.parent / f".{output_dir.name}.old-{os.getpid()}"
    if output_dir.exists():
        os.replace(output_dir, old)
    try:
        os.replace(staging, output_dir)
    except BaseException:
        if old.exists():
            os.replace(old, output_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(output_dir: Path) -> None:
    """Clean up after a build that was killed midway (never another build still running).

    If it died between its two renames, the previous site is still in `.old-PID`:
    put it back first, so a failing build now cannot leave the host with no site.
    """
    for pattern in (f".{output_dir.name}.old-*", f".{output_dir.name}.tmp-*"):
        for leftover in sorted(output_dir.parent.glob(pattern)):
            if not leftover.is_dir() or _pid_alive(leftover.name.rsplit("-", 1)[-1]):
                continue
            if ".old-" in leftover.name and not output_dir.exists():
                os.replace(leftover, output_dir)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def _pid_alive(text: str) -> bool:
    if not text.isdigit():
        return False
    pid = int(text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
