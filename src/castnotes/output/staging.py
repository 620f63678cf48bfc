"""Writing the site: everything into a temporary sibling folder, then one swap.

A build that fails before the swap leaves the previous site exactly as it was.
Media files are hard-linked from the show (no copies of gigabytes of audio) and
fall back to a copy across file systems; files whose inputs did not change are
hard-linked from the previous site, so they stay untouched. The output folder is
refused when it would hold or replace the host's own sources.

The site the swap replaces is not deleted but kept in `.castnotes/spare/` and staged
into by the next build: making a folder costs 60-240 microseconds on ext4, and a
1,000-episode site has 2,400 of them. A recycled tree is never trusted: every file is
made anew or linked again, what the build did not stage is deleted before the swap,
and nothing is ever written through a file it holds, since that file may share its
inode with the live site or with the host's audio.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path, PurePosixPath

from castnotes.audio.info import AUDIO_SUFFIXES
from castnotes.errors import CastnotesError
from castnotes.store import STORE_DIR, store_dir

MARKER = ".castnotes-site"  # marks a folder castnotes made, so it may replace it
SOURCE_NAMES = ("episodes", "templates", "static", ".castnotes", "castnotes.toml", ".git")


def check_output_dir(output_dir: Path, show_root: Path) -> None:
    """Refuse an output folder that is, contains, or lies inside the show's sources."""
    output_dir, show_root = output_dir.resolve(), show_root.resolve()
    config, hint = show_root / "castnotes.toml", 'set [site] output to a folder of its own, such as "site"'
    if show_root.is_relative_to(output_dir):
        raise CastnotesError.single(f"the output folder {output_dir} contains the show itself", config, hint=hint)
    for name in SOURCE_NAMES:
        source = show_root / name
        # inside castnotes' own folder is allowed: the preview of `castnotes serve` lives there
        if output_dir == source or (name != ".castnotes" and output_dir.is_relative_to(source)):
            raise CastnotesError.single(f"the output folder {output_dir} is inside the show's {name}", config,
                                        hint=hint)
    if output_dir.exists() and not output_dir.is_dir():
        raise CastnotesError.single(f"the output path {output_dir} is a file, not a folder")
    if output_dir.is_dir() and any(output_dir.iterdir()) and not (output_dir / MARKER).exists():
        raise CastnotesError.single(
            f"the output folder {output_dir} exists and was not made by castnotes; "
            "castnotes replaces its output folder on every build",
            hint="move its files away, or choose another [site] output")


def check_site_path(site_path: str) -> str:
    """A site path must stay inside the site: relative, no `..`, no backslashes.

    Already-normal paths (no empty, `.` or `..` part: all castnotes makes) are checked on
    the string; others go through PurePosixPath, which also normalises them.
    """
    parts = site_path.split("/")
    if site_path and "\\" not in site_path and "" not in parts and "." not in parts and ".." not in parts:
        return site_path
    pure = PurePosixPath(site_path)
    if pure.is_absolute() or ".." in pure.parts or "\\" in site_path or not site_path:
        raise CastnotesError.single(f"refusing to write outside the site: {site_path!r}")
    return pure.as_posix()


class Staging:
    """The next version of the output folder, built beside it and swapped in by `commit()`.

    Files that did not change since the last build are hard-linked from the current
    output folder (`reuse`), so they stay untouched on disk: same inode, same mtime.

    This is the hot path of an incremental build (one call per file of the site), so it
    works on strings and `os` calls: each staged folder is made once (the set `_folders`
    remembers which exist), and a file of the current site is linked without asking
    first whether it is there: the failing link is the answer.

    With a `spare` folder (see `spare_site`), the staging starts as the site the last
    swap replaced, so its folders exist already; that tree holds anything at all as far
    as this class is concerned (see the module docstring).
    """

    def __init__(self, output_dir: Path, spare: Path | None = None):
        self.output_dir = output_dir.resolve()
        self.output_dir.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(self.output_dir)
        self.dir = self.output_dir.parent / f".{self.output_dir.name}.tmp-{os.getpid()}"
        self.spare = spare
        self.recycled = spare is not None and _is_folder(spare) and _take(spare, self.dir)
        if not self.recycled:
            self.dir.mkdir()
        self.placed: dict[str, Path | None] = {}  # site path -> copied source (None: generated)
        self.reused = self.linked = self.copied = 0
        self._old = f"{self.output_dir}/"  # site path -> its file in the current site, by concatenation
        self._new = f"{self.dir}/"
        self._folders: set[str] = {""}  # staged folders known to exist (site paths)
        self._has_old = os.path.isdir(self._old)  # a first build asks the current site nothing
        self._committed = False

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed:  # an error happened: the current site stays as it was
            if self.spare is None or not _take(self.dir, self.spare):
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
        self.place(self.claim(site_path), data)

    def place(self, site_path: str, data: bytes | list[bytes]) -> bool:
        """Stage a generated file for a site path already claimed; True when the current
        site's file had the same bytes and was kept (hard-linked) instead."""
        chunks = [data] if isinstance(data, bytes) else data
        self._make_folder(site_path)
        if self._has_old and _same_file(self._old + site_path, chunks) and self._link_old(site_path):
            return True
        target = self._new + site_path
        try:
            _write_chunks(target, chunks)
        except FileExistsError:  # a recycled tree's file
            self._clear(site_path)
            _write_chunks(target, chunks)
        return False

    def reuse(self, site_path: str) -> bool:
        """Keep the current output's file (its inputs did not change); False when there is none."""
        site_path = self.claim(site_path)
        self._make_folder(site_path)
        if self._link_old(site_path):
            return True
        del self.placed[site_path]
        return False

    def copy(self, source: Path, site_path: str, unchanged: bool = False, size: int | None = None) -> None:
        """Publish a file as is: reused when `unchanged` and present, else hard-linked or copied.

        `size` is the source's size when the caller has stamped it already (one stat less)."""
        site_path = self.claim(site_path, source)
        if site_path is None:
            return
        self._make_folder(site_path)
        if unchanged and self._link_old(site_path):
            return
        target = self._new + site_path
        try:
            linked = _link_or_copy(os.fspath(source), target, size)
        except FileExistsError:  # a recycled tree's file: most often this very link
            linked = _same_inode(os.fspath(source), target)
            if not linked:
                self._clear(site_path)
                linked = _link_or_copy(os.fspath(source), target, size)
        if linked:
            self.linked += 1
        else:
            self.copied += 1

    def commit(self) -> None:
        """Mark the folder as castnotes' own and swap it in place of the output folder.

        The previous site ends up in this staging folder's place. It becomes the next
        build's spare, or is deleted after the swap (in the background when it is large);
        a build killed before that is done leaves a `.tmp-PID` folder that the next build
        deletes (`_remove_leftovers`)."""
        self.place(self.claim(MARKER), b"")
        if self.recycled:
            self._prune()
        old = _swap(self.dir, self.output_dir)
        self._committed = True
        if old is not None and (self.spare is None or not _take(old, self.spare)):
            _delete_later(old, len(self.placed))
        elif old is not None:
            _forget_spares(self.spare)

    def _make_folder(self, site_path: str) -> None:
        """Make the staged folder of `site_path` and its parents, each once per build."""
        folder = site_path.rpartition("/")[0]
        if folder in self._folders:
            return
        missing = []
        while folder not in self._folders:
            missing.append(folder)
            folder = folder.rpartition("/")[0]
        for folder in reversed(missing):
            path = self._new + folder
            try:
                os.mkdir(path)
            except FileExistsError:  # a recycled tree's: kept when a real folder (never a symlink)
                if not stat.S_ISDIR(os.lstat(path).st_mode):
                    os.unlink(path)
                    os.mkdir(path)
            self._folders.add(folder)

    def _clear(self, site_path: str) -> None:
        """Remove what a recycled tree holds at `site_path`, so that a new file is made there
        rather than written through it (it may be a hard link to the live site or the host's
        audio). A folder this build staged is not the recycled tree's: that is a clash."""
        if site_path in self._folders:
            raise CastnotesError.single(f"{site_path} would be both a file and a folder of the site",
                                        hint="rename the file")
        path = self._new + site_path
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError:  # a folder in the file's place
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                raise
            shutil.rmtree(path)

    def _prune(self) -> None:
        """Delete what a recycled tree holds that this build did not stage. Every folder
        that is kept was made or checked by `_make_folder`; anything else inside them goes."""
        for folder in self._folders:
            prefix = f"{folder}/" if folder else ""
            with os.scandir(self._new + folder) as entries:
                for entry in entries:
                    site_path = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if site_path not in self._folders:
                            shutil.rmtree(entry.path)
                    elif site_path not in self.placed:
                        os.unlink(entry.path)

    def _link_old(self, site_path: str) -> bool:
        """Hard-link the current site's file into the staging folder (its folder made);
        False when the current site has no such file."""
        if not self._has_old:
            return False
        old = self._old + site_path
        try:
            os.link(old, self._new + site_path)
        except (FileNotFoundError, NotADirectoryError):
            return False
        except FileExistsError:  # a recycled tree's file: most often this very one
            if site_path in self._folders:
                return False
            if not _same_inode(old, self._new + site_path):
                self._clear(site_path)
                return self._link_old(site_path)
        except OSError:  # a folder in its place (EPERM), too many links, a file system without them
            if not os.path.isfile(old):
                return False
            _copy_new(old, self._new + site_path)
        self.reused += 1
        return True


def spare_site(root: Path, output_dir: Path) -> Path | None:
    """Where the site replaced by a build of `output_dir` waits for the next build: in the
    show's `.castnotes/` (git-ignored, safe to delete), one per output folder. None when
    that folder is not a real one (a symlink could lead the old site out of the show)."""
    key = hashlib.sha256(os.fsencode(output_dir.resolve())).hexdigest()[:16]
    folder = store_dir(root, "spare")
    return folder / key if _is_folder(folder) and _is_folder(folder.parent) else None


def _is_folder(path: Path) -> bool:
    """A folder itself, not a symlink to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


SPARES_KEPT = 2  # the site and the preview of `castnotes serve`; an older spare goes


def _forget_spares(latest: Path) -> None:
    """Delete all but the most recently kept spares: a spare holds hard links to the audio,
    so one left behind by a one-off `--output` would keep deleted episodes' disk space."""
    os.utime(latest)
    with os.scandir(latest.parent) as entries:
        spares = sorted((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path) for entry in entries
                        if entry.is_dir(follow_symlinks=False))
    for _, path in spares[:-SPARES_KEPT]:
        _delete_later(Path(path), BACKGROUND_DELETE_MIN)


def _take(folder: Path, target: Path) -> bool:
    """Move a folder to `target` (which must not exist) with one rename; False when it is
    not there or cannot move there (another file system: the caller makes or deletes)."""
    try:
        os.rename(folder, target)
        return True
    except FileNotFoundError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EPERM, errno.EACCES):
            raise
        return False


def _same_inode(path: str, staged: str) -> bool:
    """Is the staged path (not followed if a symlink) a hard link to the file at `path`?"""
    try:
        one, other = os.stat(path), os.lstat(staged)
    except OSError:
        return False
    return (one.st_ino, one.st_dev) == (other.st_ino, other.st_dev)


def _write_chunks(path: str, chunks: list[bytes]) -> None:
    """Write a new file with plain `os` calls (no buffered file object: three system calls).
    Never an existing one (FileExistsError): it may share its inode with another path."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        for chunk in chunks:
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _same_file(path: str, chunks: list[bytes]) -> bool:
    """Does the file hold exactly these chunks? Compared piece by piece, never loaded whole."""
    try:
        if os.stat(path).st_size != sum(len(c) for c in chunks):
            return False
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        for chunk in chunks:
            got = os.read(fd, len(chunk))
            while len(got) < len(chunk):  # a short read: ask for the rest
                more = os.read(fd, len(chunk) - len(got))
                if not more:
                    return False
                got += more
            if got != chunk:
                return False
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


LINK_MIN_BYTES = 1 << 20  # hard-link media and big files; copy small ones (theme CSS a host might edit)
_STORE_PART = f"{os.sep}{STORE_DIR}{os.sep}"


def _link_or_copy(source: str, target: str, size: int | None = None) -> bool:
    """Hard-link audio, big files and what castnotes made in its own cache (share cards, web
    copies of artwork: nobody edits those); copy the host's small files. The target must not
    exist (FileExistsError)."""
    if (os.path.splitext(source)[1].lower() not in AUDIO_SUFFIXES and _STORE_PART not in source
            and (os.stat(source).st_size if size is None else size) < LINK_MIN_BYTES):
        _copy_new(source, target)
        return False
    try:
        os.link(source, target)
        return True
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES):
            raise
    _copy_new(source, target)
    return False


def _copy_new(source: str, target: str) -> None:
    """Copy a file into a new file (never through an existing one, which may be a hard link)."""
    with open(source, "rb") as reader, open(target, "xb") as writer:
        shutil.copyfileobj(reader, writer, 1 << 20)


RENAME_EXCHANGE = 2  # linux/fs.h: swap two paths in one atomic step


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders with one `renameat2(RENAME_EXCHANGE)` (Linux): at no moment is either
    path missing. False where the system or file system cannot (the caller renames twice)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # no libc to load, or a glibc older than 2.28
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.ENOENT):
        return False  # not supported here, or nothing to exchange with
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _swap(staging: Path, output_dir: Path) -> Path | None:
    """Put the staged site in place of the output folder; returns where the old site went.

    Where the system can, one atomic exchange: readers see the old site, then the new one,
    never neither, and a build killed at any moment leaves a complete site in place (the old
    one ends up in the staging folder's name, a leftover the next build deletes). Elsewhere
    two renames, with the old site in `.old-PID` between them; `_remove_leftovers` puts it
    back if the build dies there.
    """
    if output_dir.is_dir() and _exchange(staging, output_dir):
        return staging
    old = output_dir.parent / f".{output_dir.name}.old-{os.getpid()}"
    if not output_dir.exists():
        os.replace(staging, output_dir)
        return None
    os.replace(output_dir, old)
    try:
        os.replace(staging, output_dir)
    except BaseException:
        os.replace(old, output_dir)
        raise
    os.replace(old, staging)  # `.old-` means "put me back": a site being deleted must not say so
    return staging


BACKGROUND_DELETE_MIN = 2000  # files; below this, deleting now is quicker than starting `rm`


def _delete_later(folder: Path, files: int) -> None:
    """Delete the previous site without making the host wait for it.

    A large site is mostly folders of hard links, and removing tens of thousands of
    them takes seconds on some file systems: `rm -rf` does it in the background. If
    anything stops it, the next build removes what is left (`_remove_leftovers`): the
    folder's name ends in this build's process id, a process that is gone by then.
    `files` (the new site's count) estimates the old site's size, without walking it.
    """
    rm = shutil.which("rm") if files >= BACKGROUND_DELETE_MIN else None
    if rm is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    subprocess.Popen([rm, "-rf", str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)


def _remove_leftovers(output_dir: Path) -> None:
    """Clean up after a build that was killed midway (never another build still running).

    If it died between its two renames, the previous site is still in `.old-PID`:
    put it back first, so a failing build now cannot leave the host with no site.
    A `.tmp-PID` is never put back: it is a half-staged site, or (after an exchange)
    the previous site on its way out.
    """
    old_prefix, tmp_prefix = f".{output_dir.name}.old-", f".{output_dir.name}.tmp-"
    with os.scandir(output_dir.parent) as entries:
        leftovers = [entry.name for entry in entries if entry.name.startswith((old_prefix, tmp_prefix))]
    for name in sorted(leftovers, key=lambda n: (not n.startswith(old_prefix), n)):  # .old- first
        leftover = output_dir.parent / name
        if not leftover.is_dir() or _pid_alive(name.rsplit("-", 1)[-1]):
            continue
        if name.startswith(old_prefix) and not output_dir.exists():
            os.replace(leftover, output_dir)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def _pid_alive(text: str) -> bool:
    if not text.isdigit() or int(text) == os.getpid():
        return False
    try:
        os.kill(int(text), 0)
    except ProcessLookupError:
        return False
    return True  # a process of another user (PermissionError) is alive too
