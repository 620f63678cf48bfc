"""Is the site already up to date? Answered without loading the show.

After a successful build, castnotes records the size and mtime of every file it read
(stamped before it was read, so an edit saved during the build is seen as a change by
the next one) and the mtime of every folder it listed (a file added to or removed from a folder
changes the folder's mtime), together with the build's options, castnotes' version,
the identity of the output folder it swapped in, the publish time of the next scheduled
episode, and the show folder itself (a copied show does not inherit its original's state).
A later `castnotes build` compares those stamps first: when nothing changed, it says so
and stops, without importing mutagen, feedgen or Jinja.

This module must stay light: only the standard library.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from castnotes import __version__
from castnotes.store import STORE_DIR, atomic_path, store_dir


@dataclass(frozen=True, slots=True)
class BuildState:
    version: str
    options: str  # a digest of the options that change the output
    root: str  # the show folder this state belongs to: a copied show's state is not its own
    output: str  # absolute output folder
    identity: list[int]  # (device, inode, ctime) of the output folder that build swapped in
    next_due: str | None  # ISO time the next scheduled episode goes live, if any
    files: dict[str, list[int]] = field(default_factory=dict)  # path -> [size, mtime_ns]
    dirs: dict[str, int] = field(default_factory=dict)  # folder -> mtime_ns
    warnings: list[str] = field(default_factory=list)  # printed again when nothing changed
    pages: dict[str, str] = field(default_factory=dict)  # site path -> fingerprint
    copies: dict[str, list] = field(default_factory=dict)  # site path -> [source, size, mtime_ns]
    search: dict[str, str] = field(default_factory=dict)  # page fingerprint -> what Pagefind reads (output.search)

    def is_current(self, root: str) -> bool:
        """True when this castnotes wrote it for the show folder `root` (a copied or moved show
        does not inherit its original's state), and the output folder is still the one that build
        swapped in: every build swaps in a new folder, so a build with other options (or a deleted
        and rebuilt site) shows up as another inode."""
        return self.version == __version__ and self.root == root and folder_identity(Path(self.output)) == self.identity


@contextmanager
def build_lock(root: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold `.castnotes/build.lock` for one build; a second build of the show waits for it.

    An advisory `flock`: released by the kernel when the process ends, so a killed
    build never leaves a stale lock behind.
    """
    fd = os.open(store_dir(root) / "build.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()  # the CLI says that it waits
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def folder_identity(folder: Path) -> list[int]:
    try:
        st = os.stat(folder)
    except OSError:
        return []
    return [st.st_dev, st.st_ino, st.st_ctime_ns]


def options_key(drafts: bool, future: bool, base_url: str | None, output: Path | None) -> str:
    """What distinguishes one build's output from another's: a build with other options
    keeps its own state, so `serve`'s preview and `build` do not undo each other."""
    values = [drafts, future, base_url, str(output) if output else None]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:16]


def state_path(root: Path, options: str) -> Path:
    """One state per set of options, so `serve`'s preview and `build` do not undo each other."""
    return root / STORE_DIR / f"state-{options}.json"


def stamp_inputs(files: Iterable[str | Path], dirs: Iterable[str | Path]
                 ) -> tuple[dict[str, list[int]], dict[str, int]]:
    """[size, mtime_ns] of each file and mtime_ns of each folder, keyed by path ([-1, -1], -1: absent)."""
    file_stamps: dict[str, list[int]] = {}
    stat = os.stat
    for path in files:
        key = os.fspath(path)
        try:
            st = stat(key)
            file_stamps[key] = [st.st_size, st.st_mtime_ns]
        except OSError:
            file_stamps[key] = [-1, -1]  # absent: creating it later is a change
    dir_stamps: dict[str, int] = {}
    for path in dirs:
        key = os.fspath(path)
        try:
            dir_stamps[key] = stat(key).st_mtime_ns
        except OSError:
            dir_stamps[key] = -1
    return file_stamps, dir_stamps


def walk(*tops: Path) -> tuple[list[str], list[str]]:
    """Every file and folder under `tops` (hidden ones skipped), for stamping, as path strings
    (what the stamps are keyed by: no Path object made for each of thousands of files).
    A missing top is stamped as absent: creating it later is a change."""
    files: list[str] = []
    dirs = [os.fspath(top) for top in tops if not top.is_dir()]
    stack = [os.fspath(top) for top in reversed(tops) if top.is_dir()]  # each top's tree in turn
    while stack:
        folder = stack.pop()
        dirs.append(folder)
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    else:
                        files.append(entry.path)
        except OSError:
            continue
    return files, dirs


STATE_PIECE = 2000  # entries of a large mapping dumped at a time


def save_state(path: Path, state: BuildState) -> None:
    """Write the state as JSON. Its fields hold only JSON values already, so they are dumped
    as they are (`asdict` would first copy each of the thousands of stamp lists).

    The text is what `json.dumps(..., sort_keys=True)` gives, written in pieces: at 10,000
    episodes the stamps and fingerprints are some 10 MB of JSON, which as one string (and its
    bytes) would be the build's peak of memory, at its very end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {f.name: getattr(state, f.name) for f in fields(state)}
    with atomic_path(path) as partial, open(partial, "w", encoding="utf-8") as out:
        out.write("{")
        for index, name in enumerate(sorted(values)):
            out.write(f"{', ' if index else ''}{json.dumps(name)}: ")
            value = values[name]
            if not isinstance(value, dict) or len(value) <= STATE_PIECE:
                out.write(json.dumps(value, sort_keys=True))
                continue
            keys = sorted(value)
            out.write("{")
            for start in range(0, len(keys), STATE_PIECE):
                piece = json.dumps({key: value[key] for key in keys[start:start + STATE_PIECE]}, sort_keys=True)
                out.write(("" if start == 0 else ", ") + piece[1:-1])
            out.write("}")
        out.write("}")


def load_state(path: Path) -> BuildState | None:
    try:
        return BuildState(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def up_to_date(path: Path, options: str, now: datetime | None = None) -> BuildState | None:
    """The last build's state when it is still exactly what a build with these options would write."""
    state = load_state(path)
    if state is None or state.options != options or not state.is_current(str(path.parent.parent.resolve())):
        return None
    now = now or datetime.now(timezone.utc)
    if state.next_due is not None and datetime.fromisoformat(state.next_due) <= now:
        return None  # a scheduled episode is due: it goes into the feed now
    files, dirs = stamp_inputs(state.files, state.dirs)
    return state if files == state.files and dirs == state.dirs else None
