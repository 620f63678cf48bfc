"""Loaded episodes kept between builds, so an unchanged episode is not read again.

Loading an episode means parsing its front matter, rendering its Markdown, reading
its audio's metadata, checking its transcripts and chapters: most of a cold build.
An episode's result depends only on the files in its folder, the show's settings
(people registry included), castnotes' version and the slugs of the episodes it
links to. So each folder is keyed by its *stamp*: the name, size, mtime and inode
of every file in it (one `scandir` walk, no file opened) with a digest of the
settings and version. With an unchanged stamp the build takes from here both what
the first pass needs (explicit slug, GUID, date, draft: the cross-episode work,
slugs, published addresses, statuses, is still done over all episodes) and, when the
episode's slug and the slugs it links to are unchanged too, the Episode itself.

A known limit, as for every stamp-based tool (make, rsync): a file rewritten with the
same size and its old mtime (and inode) restored is taken as unchanged.

One file, `.castnotes/episodes.bin`, read by every build, so made to be read fast:
a header line, an index (folder -> stamp, slug, linked slugs, first-pass summary and
where its result is), then each episode's result as a small pickle. Decoding a JSON
copy of a thousand episodes through the type hints cost more than the rest of an
incremental build's loading; a pickle of the model's own dataclasses comes back in a
tenth of that. Only this module's own pickles are read: the unpickler builds nothing
but the model's dataclasses, `Problem`s, paths and dates (no other class or function
can be named in the file), and every part is checked against a digest (the index:
SHA-256 in the header; each result: CRC-32 in the index) before it is unpickled. A
damaged, foreign or older file, or a damaged result, is ignored: the episode is
loaded again.

A result is read back from the file (by its offset) when it is used, and copied from
there when the file is saved; new results go to a temporary file as episodes are
loaded, so a cold build of a large show does not hold the whole cache in memory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import pickle
import sys
import tempfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path, PosixPath
from typing import Any
from zoneinfo import ZoneInfo

from castnotes import __version__, model
from castnotes.errors import Problem, SourceLocation
from castnotes.model import Episode
from castnotes.store import STORE_DIR, atomic_path, store_dir

CACHE_NAME = "episodes.bin"
OLD_NAMES = ("episodes.jsonl",)  # earlier formats' files, removed when this one is written
FORMAT = 7  # bump when the cached Episode, the index or the file's layout changes (7: pickles)
MAGIC = b"castnotes episode cache\n"
PROTOCOL = 5


@dataclass(frozen=True, slots=True)
class Loaded:
    """What loading one episode folder gave: the episode (None if it failed), its problems,
    and the episode folders its notes link to (folder, line)."""

    episode: Episode | None
    problems: tuple[Problem, ...]
    links: tuple[tuple[str, int], ...]
    control: tuple[str, str] | None = None  # (field, character) of a control character in the episode


def scan_folder(folder: str) -> tuple[list[list[Any]], bool]:
    """The stamp of an episode folder: [name, size, mtime_ns, inode] of every file in it
    (subfolders included, sorted), and whether it holds only regular files and folders.

    A folder with a link (or a pipe, a device) is not "plain": its first pass checks
    where each link leads every time (files.check_folder_files). Links are stamped by
    their target, a broken one by itself. OSError (an unreadable folder) is the caller's.
    """
    found: list[list[Any]] = []
    plain = True
    stack = [(folder, "")]
    while stack:
        current, prefix = stack.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, name + "/"))
                    continue
                if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
                    plain = False
                try:
                    st = entry.stat()
                except OSError:  # a broken link: read.show reports it; stamp the link itself
                    st = entry.stat(follow_symlinks=False)
                found.append([name, st.st_size, st.st_mtime_ns, st.st_ino])
    found.sort()
    return found, plain


# --- the pickles: the model's dataclasses, paths and dates, and nothing else ------------

def path_of(text: str) -> Path:
    """`Path(text)`, quicker for the absolute paths (as str() of a Path gives them) read.show makes."""
    return Path(text)


def _fast_path(text: str) -> Path:
    """`path_of` without pathlib parsing the text again: an absolute path's str is already in
    normal form, so its parts are the text split at "/" (and the text is its str). A cached
    show holds several paths per episode, and parsing them was a third of reading the cache
    back; the first pass makes two per episode folder."""
    if text[:1] != "/" or text[:2] == "//" or text == "/":
        return PosixPath(text)
    parts = text[1:].split("/")
    parts.insert(0, "/")
    path = _from_parsed_parts("", "/", parts)
    path._str = text
    return path


try:  # pathlib's internals of Python 3.11; any other layout takes the plain way
    _from_parsed_parts = PosixPath._from_parsed_parts  # type: ignore[attr-defined]
    for _text in ("/a/b c/d.md", "/a", "/a/../b/.x"):
        _fast, _slow = _fast_path(_text), PosixPath(_text)
        if not (type(_fast) is PosixPath and _fast._parts == _slow._parts and _fast == _slow  # type: ignore
                and str(_slow) == _text and hash(_fast) == hash(_slow) and _fast.parent == _slow.parent
                and _fast.name == _slow.name and _fast / "x" == _slow / "x"):
            raise TypeError("another pathlib")
    path_of = _fast_path  # noqa: F811
except Exception:  # noqa: BLE001 (whatever another version's pathlib does)
    pass


def _init_fields(cls: type) -> tuple[str, ...] | None:
    """The fields `cls(*values)` takes, in order; None when some field is not an __init__ argument."""
    fields = dataclasses.fields(cls)
    if any(not f.init or f.kw_only for f in fields):
        return None
    return tuple(f.name for f in fields)


_CLASSES = [value for value in vars(model).values()
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == model.__name__]
_FIELDS: dict[type, tuple[str, ...]] = {
    cls: names for cls in (*_CLASSES, Problem, SourceLocation) if (names := _init_fields(cls)) is not None}
_GLOBALS: dict[tuple[str, str], Any] = {(cls.__module__, cls.__qualname__): cls for cls in _FIELDS}
_GLOBALS.update({(f.__module__, f.__qualname__): f for f in (path_of, ZoneInfo, datetime, timezone, timedelta)})
_NAMED = {id(value) for value in _GLOBALS.values()}


class _Pickler(pickle.Pickler):
    """Each value as `cls(*fields)`, `path_of(str)`, a date as datetime pickles it with its zone as
    `ZoneInfo(key)`; any other object (one this cache cannot give back exactly) is a PicklingError:
    that episode is not kept."""

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        names = _FIELDS.get(cls)
        if names is not None:
            return cls, tuple([getattr(obj, name) for name in names])
        if cls is PosixPath:
            return path_of, (str(obj),)
        if cls is ZoneInfo and obj.key:
            return ZoneInfo, (obj.key,)
        if cls in (datetime, timezone, timedelta):
            return NotImplemented  # their own reduction: (class, (state bytes or numbers, zone))
        if id(obj) in _NAMED:
            return NotImplemented  # saved by name, as the unpickler allows
        raise pickle.PicklingError(f"{cls.__name__} is not kept in the episode cache")


class _Unpickler(pickle.Unpickler):
    """Names nothing but the model's dataclasses, `path_of`, `ZoneInfo` and datetime's classes: a file that asks for
    any other class or function (never written here) is refused, so it cannot run anything."""

    def find_class(self, module: str, name: str) -> Any:
        found = _GLOBALS.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the episode cache")
        return found


def dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, PROTOCOL).dump(value)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


class _Shrunk(Exception):
    """The cache file is shorter than its index says."""


# --- the cache --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Entry:
    """One folder in the index: what is compared, and where its result is."""

    stamp: str
    slug: str
    linked: dict[str, str | None]  # folder -> the slug it had
    summary: dict[str, Any] | None  # the first pass's values, or None
    offset: int  # in the results part of the file (or of this build's temporary file)
    length: int
    crc: int
    new: bool = False  # in this build's temporary file, not the cache file


def _entry(value: Any) -> _Entry:
    """An index value (a tuple) as an _Entry; TypeError when it is not one this module wrote."""
    stamp, slug, linked, summary, offset, length, crc = value
    if not (type(stamp) is str and type(slug) is str and type(linked) is dict
            and (summary is None or type(summary) is dict)
            and type(offset) is int and type(length) is int and type(crc) is int and offset >= 0 and length > 0):
        raise TypeError("not an index entry")
    return _Entry(stamp, slug, linked, summary, offset, length, crc)


class EpisodeCache:
    """`.castnotes/episodes.bin`: `MAGIC`, a JSON header line (format, castnotes and Python
    versions, the index's length and SHA-256), the index (a pickle of folder -> entry tuple),
    then the results, one pickle of (episode, problems, links, control) each.

    Results are unpickled only for the episodes looked up and are not kept: a large show's
    cache costs its index in memory, not its size.
    """

    def __init__(self, root: Path):
        self.path = root / STORE_DIR / CACHE_NAME
        self.entries: dict[str, _Entry] = {}
        self._file: Any = None  # the cache file, open while its results may be read back
        self._start = 0  # where its results begin
        self._spill: Any = None  # this build's new results, until `save` (a temporary file)
        self._spilled = 0  # its length
        self.used: dict[str, _Entry] = {}  # what this build keeps: an old result, or a new one
        self._load()

    @staticmethod
    def _identity() -> dict[str, Any]:
        return {"format": FORMAT, "version": __version__, "python": "%d.%d" % sys.version_info[:2]}

    def _load(self) -> None:
        try:
            fh = open(self.path, "rb")
        except OSError:
            return
        try:
            if fh.readline(len(MAGIC) + 1) != MAGIC:
                raise ValueError("not an episode cache")
            header = json.loads(fh.readline(4096))
            if not isinstance(header, dict) or {k: header.get(k) for k in ("format", "version", "python")} \
                    != self._identity():
                raise ValueError("another format or version")
            size, expected = header["index"], header["sha256"]
            index = fh.read(size) if type(size) is int and size > 0 else b""
            if len(index) != size or hashlib.sha256(index).hexdigest() != expected:
                raise ValueError("a damaged index")
            entries = loads(index)
            if type(entries) is not dict:
                raise TypeError("not an index")
            self.entries = {folder: _entry(value) for folder, value in entries.items() if type(folder) is str}
            self._start = fh.tell()
        except Exception:  # noqa: BLE001 (a damaged or foreign file, whatever it holds, is only ignored)
            fh.close()
            self.entries = {}
            return
        self._file = fh

    def close(self) -> None:
        for handle in (self._file, self._spill):
            if handle is not None:
                handle.close()
        self._file = self._spill = None

    def _blob(self, entry: _Entry) -> bytes:
        if entry.new:
            return os.pread(self._spill.fileno(), entry.length, entry.offset)
        return os.pread(self._file.fileno(), entry.length, self._start + entry.offset)

    def first(self, folder: str, stamp: str) -> dict[str, Any] | None:
        """The first pass's values for a folder whose stamp is unchanged (None: parse it)."""
        entry = self.entries.get(folder)
        return entry.summary if entry is not None and entry.stamp == stamp else None

    def get(self, folder: str, stamp: str, slug: str, slugs: dict[str, str]) -> Loaded | None:
        """The cached result when the folder's files and the settings are unchanged (`stamp`), the
        episode keeps its slug, and every episode it links to still has the slug it had
        (`slugs`: folder -> slug now)."""
        entry = self.entries.get(folder)
        if entry is None or entry.stamp != stamp or entry.slug != slug or self._file is None:
            return None
        if entry.linked and any(slugs.get(other) != was for other, was in entry.linked.items()):
            return None
        try:
            blob = self._blob(entry)
            if len(blob) != entry.length or zlib.crc32(blob) != entry.crc:
                return None
            episode, problems, links, control = loads(blob)
        except Exception:  # noqa: BLE001 (as in _load: a damaged result is loaded again)
            return None
        if not ((episode is None or type(episode) is Episode) and type(problems) is tuple and type(links) is tuple
                and all(type(p) is Problem for p in problems) and (control is None or type(control) is tuple)):
            return None
        if episode is not None and not self._copies_exist(episode):
            return None  # a file it publishes (e.g. art extracted into the audio cache) is gone
        self.used[folder] = entry
        return Loaded(episode, problems, links, control)

    @staticmethod
    def _copies_exist(episode: Episode) -> bool:
        """Whether every file the episode publishes is still there. One in the episode's own
        folder is: the folder's unchanged stamp lists it (no need to stat it again)."""
        inside = os.path.dirname(str(episode.source_path)) + "/"
        sources = (str(source) for source, _ in episode.copies)
        return all(os.path.isfile(text) for text in sources
                   if not text.startswith(inside) or ".." in text[len(inside):].split("/"))

    def put(self, folder: str, stamp: str, slug: str, summary: dict[str, Any] | None, loaded: Loaded,
            linked: dict[str, str | None]) -> None:
        try:
            blob = dumps((loaded.episode, loaded.problems, loaded.links, loaded.control))
            dumps((summary, linked))  # the index must take these too
        except (pickle.PicklingError, TypeError, AttributeError):
            return  # a value this cache cannot give back exactly: loaded again next time
        if self._spill is None:
            store_dir(self.path.parent.parent)
            self._spill = tempfile.TemporaryFile(dir=self.path.parent)  # gone when closed, whatever happens
            self._spilled = 0
        self._spill.write(blob)
        self.used[folder] = _Entry(stamp, slug, linked, summary, self._spilled, len(blob), zlib.crc32(blob),
                                   new=True)
        self._spilled += len(blob)

    def save(self) -> None:
        """Keep exactly the episodes of this build (deleted folders drop out)."""
        if self._spill is None and self.used.keys() == self.entries.keys():
            self.close()
            return
        store_dir(self.path.parent.parent)
        if self._spill is not None:
            self._spill.flush()
        index: dict[str, tuple] = {}
        offset = 0
        # The results are copied in runs: an unchanged episode's follows the one before it in
        # the old file as in the new one, so a week's build copies three runs, not 1,000 results.
        runs: list[list[Any]] = []  # [from the temporary file, start, end]
        for folder in sorted(self.used):
            entry = self.used[folder]
            index[folder] = (entry.stamp, entry.slug, entry.linked, entry.summary, offset, entry.length, entry.crc)
            offset += entry.length
            start = entry.offset if entry.new else self._start + entry.offset
            if runs and runs[-1][0] == entry.new and runs[-1][2] == start:
                runs[-1][2] += entry.length
            else:
                runs.append([entry.new, start, start + entry.length])
        packed = dumps(index)
        header = dict(self._identity(), index=len(packed), sha256=hashlib.sha256(packed).hexdigest())
        try:
            with atomic_path(self.path) as tmp, tmp.open("wb") as fh:
                fh.write(MAGIC + json.dumps(header).encode("ascii") + b"\n" + packed)
                for new, start, end in runs:
                    handle = (self._spill if new else self._file).fileno()
                    while start < end:
                        chunk = os.pread(handle, min(end - start, 1 << 20), start)
                        if not chunk:
                            raise _Shrunk()
                        fh.write(chunk)
                        start += len(chunk)
        except _Shrunk:
            pass  # the old file was cut short meanwhile (not by castnotes): keep it, it is checked when read
        for old in OLD_NAMES:
            try:
                (self.path.parent / old).unlink(missing_ok=True)
            except OSError:
                pass
        self.close()
        self.entries, self.used = {}, {}
