"""Is the site already up to date? Answered without loading the show.

After a successful build, castnotes records the size and mtime of every file it read
and the mtime of every folder it listed (a file added to or removed from a folder
changes the folder's mtime), together with the build's options, castnotes' version,
the token it wrote into the output folder, and the publish time of the next
scheduled episode. A later `castnotes build` compares those stamps first: when
nothing changed, it says so and stops, without importing mutagen, feedgen or Jinja.

This module must stay light: only the standard library.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from . import __version__

STATE_DIR = ".castnotes"
MARKER = ".castnotes-site"  # in the output folder: the token of the build that wrote it


@dataclass(frozen=True, slots=True)
class BuildState:
    version: str
    options: str  # a digest of the options that change the output
    output: str  # absolute output folder
    token: str  # written into output/MARKER by that build
    next_due: str | None  # ISO time the next scheduled episode goes live, if any
    files: dict[str, list[int]] = field(default_factory=dict)  # path -> [size, mtime_ns]
    dirs: dict[str, int] = field(default_factory=dict)  # folder -> mtime_ns


def options_key(*values: object) -> str:
    return hashlib.sha256(json.dumps([str(v) for v in values]).encode()).hexdigest()[:16]


def state_path(root: Path, output_dir: Path) -> Path:
    """One state per output folder, so `serve`'s preview and `build` do not undo each other."""
    name = hashlib.sha256(str(output_dir).encode()).hexdigest()[:12]
    return root / STATE_DIR / f"state-{name}.json"


def new_token() -> str:
    return secrets.token_hex(8)


def stamp_inputs(files: Iterable[Path], dirs: Iterable[Path]) -> tuple[dict[str, list[int]], dict[str, int]]:
    file_stamps: dict[str, list[int]] = {}
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            continue
        file_stamps[str(path)] = [st.st_size, st.st_mtime_ns]
    dir_stamps: dict[str, int] = {}
    for path in dirs:
        try:
            dir_stamps[str(path)] = os.stat(path).st_mtime_ns
        except OSError:
            continue
    return file_stamps, dir_stamps


def walk(top: Path) -> tuple[list[Path], list[Path]]:
    """Every file and folder under `top` (hidden ones skipped), for stamping."""
    files: list[Path] = []
    dirs: list[Path] = []
    if not top.is_dir():
        return files, dirs
    stack = [top]
    while stack:
        folder = stack.pop()
        dirs.append(folder)
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            else:
                files.append(Path(entry.path))
    return files, dirs


def save_state(path: Path, state: BuildState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state), sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def forget_state(path: Path) -> None:
    path.unlink(missing_ok=True)


def load_state(path: Path) -> BuildState | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return BuildState(**data)
    except (OSError, ValueError, TypeError):
        return None


def up_to_date(path: Path, options: str, now: datetime | None = None) -> bool:
    """True when the last build with these options is still exactly what a build would write."""
    state = load_state(path)
    if state is None or state.version != __version__ or state.options != options:
        return False
    now = now or datetime.now(timezone.utc)
    if state.next_due is not None and datetime.fromisoformat(state.next_due) <= now:
        return False  # a scheduled episode is due: it goes into the feed now
    try:
        if (Path(state.output) / MARKER).read_text(encoding="utf-8") != state.token:
            return False  # the output folder was replaced or edited by someone else
    except OSError:
        return False
    files, dirs = stamp_inputs(map(Path, state.files), map(Path, state.dirs))
    return files == state.files and dirs == state.dirs
