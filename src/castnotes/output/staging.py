"""Writing the site: everything into a temporary sibling folder, then one swap.

A build that fails before the swap leaves the previous site exactly as it was.
Media files are hard-linked from the show (no copies of gigabytes of audio) and
fall back to a copy across file systems; files whose inputs did not change are
hard-linked from the previous site, so they stay untouched. The output folder is
refused when it would hold or replace the host's own sources.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path, PurePosixPath
from typing import Callable, TypeVar

from castnotes.audio.info import AUDIO_SUFFIXES
from castnotes.errors import CastnotesError
from castnotes.store import STORE_DIR

T = TypeVar("T")
MARKER = ".castnotes-site"  # marks a folder castnotes made, so it may replace it
SOURCE_NAMES = ("episodes", "templates", "static", ".castnotes", "castnotes.toml", ".git")


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


class Staging:
    """The next version of the output folder, built beside it and swapped in by `commit()`.

    Files that did not change since the last build are hard-linked from the current
    output folder (`reuse`), so they stay untouched on disk: same inode, same mtime.
    Rendering may happen in worker processes, which write with `write_file(dir, ...)`.
    """

    def __init__(self, output_dir: Path):
        self.output_dir = output_dir.resolve()
        self.output_dir.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(self.output_dir)
        self.dir = self.output_dir.parent / f".{self.output_dir.name}.tmp-{os.getpid()}"
        self.dir.mkdir()
        self.placed: dict[str, Path | None] = {}  # site path -> copied source (None: generated)
        self.written = self.reused = self.linked = self.copied = 0

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.dir.exists():  # not committed: an error happened
            shutil.rmtree(self.dir, ignore_errors=True)

    def claim(self, site_path: str, source: Path | None = None) -> str | None:
        """Reserve a site path; None when the same source already holds it."""
        site_path = check_site_path(site_path)
        if site_path in self.placed:
            previous = self.placed[site_path]
            if source is not None and previous == source:
                return None
            if source is None or previous is None:
                raise CastnotesError.single(
                    f"{site_path} would overwrite a page castnotes generates", source or previous,
                    hint="rename the file")
            raise CastnotesError.single(
                f"two files want to be published as {site_path}: {previous} and {source}",
                source, hint="rename one of them")
        self.placed[site_path] = source
        return site_path

    def write(self, site_path: str, data: bytes | list[bytes]) -> None:
        """A generated file (bytes, or a list of chunks to write one after the other); when the
        current output has the same bytes, reuse that."""
        site_path = self.claim(site_path)
        if place_generated(self.dir, self.output_dir, site_path, data):
            self.reused += 1
        else:
            self.written += 1

    def reuse(self, site_path: str) -> bool:
        """Keep the current output's file (its inputs did not change); False when there is none."""
        site_path = self.claim(site_path)
        if not (self.output_dir / site_path).is_file():
            del self.placed[site_path]
            return False
        self._link_old(site_path)
        return True

    def copy(self, source: Path, site_path: str, unchanged: bool = False) -> None:
        """Publish a file as is: reused when `unchanged` and present, else hard-linked or copied."""
        site_path = self.claim(site_path, source)
        if site_path is None:
            return
        old = self.output_dir / site_path
        if unchanged and old.is_file():
            self._link_old(site_path)
            return
        target = self.dir / site_path
        if _in_folder(target, lambda: _link_or_copy(source, target)):
            self.linked += 1
        else:
            self.copied += 1

    def commit(self) -> None:
        """Mark the folder as castnotes' own and swap it in place of the output folder."""
        place_generated(self.dir, self.output_dir, MARKER, b"")
        _swap(self.dir, self.output_dir)

    @property
    def files(self) -> int:
        return len(self.placed)

    def _link_old(self, site_path: str) -> None:
        _link_old(self.dir, self.output_dir, site_path)
        self.reused += 1


def place_generated(staging_dir: Path, output_dir: Path, site_path: str, data: bytes | list[bytes]) -> bool:
    """Put one generated file into a staging folder.

    When the current output already has these exact bytes, its file is hard-linked
    instead, so an unchanged file stays untouched. Returns True in that case.
    """
    chunks = [data] if isinstance(data, bytes) else data
    if _same_file(output_dir / site_path, chunks):
        _link_old(staging_dir, output_dir, site_path)
        return True
    target = staging_dir / site_path
    with _in_folder(target, lambda: target.open("wb")) as fh:
        for chunk in chunks:
            fh.write(chunk)
    return False


def _in_folder(target: Path, make: Callable[[], T]) -> T:
    """`make()` (which creates `target`), making its folder first when it is missing.

    Most files go into a folder that already holds another (a page, its card, its audio):
    trying first spares a mkdir, and the error it raises inside, for each of them.
    """
    try:
        return make()
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        return make()


def _same_file(path: Path, chunks: list[bytes]) -> bool:
    """Does the file hold exactly these chunks? Compared piece by piece, never loaded whole."""
    try:
        if path.stat().st_size != sum(len(c) for c in chunks):
            return False
        with path.open("rb") as fh:
            return all(fh.read(len(chunk)) == chunk for chunk in chunks)
    except OSError:
        return False


def _link_old(staging_dir: Path, output_dir: Path, site_path: str) -> None:
    target = staging_dir / site_path
    try:
        _in_folder(target, lambda: os.link(output_dir / site_path, target))
    except OSError:
        shutil.copyfile(output_dir / site_path, target)


LINK_MIN_BYTES = 1 << 20  # hard-link media and big files; copy small ones (theme CSS a host might edit)


def _link_or_copy(source: Path, target: Path) -> bool:
    """Hard-link audio, big files and what castnotes made in its own cache (share cards, web
    copies of artwork: nobody edits those); copy the host's small files."""
    if (source.suffix.lower() not in AUDIO_SUFFIXES and STORE_DIR not in source.parts
            and source.stat().st_size < LINK_MIN_BYTES):
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
    _delete_later(old)


BACKGROUND_DELETE_MIN = 2000  # entries; below this, deleting now is quicker than starting `rm`


def _delete_later(folder: Path) -> None:
    """Delete the previous site without making the host wait for it.

    A large site is mostly folders of hard links, and removing tens of thousands of
    them takes seconds on some file systems: `rm -rf` does it in the background. If
    anything stops it, the next build removes what is left (`_remove_leftovers`).
    """
    rm = shutil.which("rm")
    if rm is None or sum(1 for _ in zip(range(BACKGROUND_DELETE_MIN), folder.rglob("*"))) < BACKGROUND_DELETE_MIN:
        shutil.rmtree(folder, ignore_errors=True)
        return
    subprocess.Popen([rm, "-rf", str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)


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
