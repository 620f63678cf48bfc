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

One file, `.castnotes/episodes.jsonl`, written through the model codec. Only the
short head of each line is kept in memory; a cached result is read back from the
file (by its offset) when it is used, and copied from there when the file is saved.
New lines go to a temporary file beside it as episodes are loaded, so a cold build of
a large show does not hold the whole cache as text either.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from castnotes import __version__
from castnotes.codec import decoder, encode
from castnotes.errors import Problem
from castnotes.model import Episode
from castnotes.store import STORE_DIR, atomic_path, store_dir

CACHE_NAME = "episodes.jsonl"
FORMAT = 6  # bump when the cached Episode or the line changes shape (6: folder stamps, first-pass summary)

_episode = decoder(Episode)
_problem = decoder(Problem)


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


@dataclass(frozen=True, slots=True)
class _Entry:
    """The head of one cached line (what is compared), and where the whole line is in the file."""

    stamp: str
    slug: str
    linked: str  # JSON: folder -> the slug it had
    summary: str  # JSON: the first pass's values, or null
    offset: int
    length: int
    new: bool = False  # in this build's temporary file, not the cache file


class EpisodeCache:
    """`.castnotes/episodes.jsonl`: a header line, then one line per episode folder,
    `folder TAB stamp TAB slug TAB linked-slugs-json TAB summary-json TAB result-json`.

    Results are decoded only for the episodes looked up, and their text is not kept:
    a large show's cache costs a few hundred bytes per episode in memory, not its size.
    """

    def __init__(self, root: Path):
        self.path = root / STORE_DIR / CACHE_NAME
        self.entries: dict[str, _Entry] = {}
        self._file: Any = None  # the cache file, open while its lines may be read back
        self._spill: Any = None  # this build's new lines, until `save` (a temporary file)
        self._spilled = 0  # its length
        self.used: dict[str, _Entry] = {}  # what this build keeps: an old line, or a new one
        self._load()

    def _load(self) -> None:
        try:
            fh = self.path.open("rb")
        except OSError:
            return
        try:
            header = fh.readline()
            if header.rstrip(b"\n").decode("utf-8", "replace") != self._header():
                fh.close()
                return
            offset = len(header)
            for raw in fh:  # line by line: never the whole file at once
                parts = raw.split(b"\t", 5)
                if len(parts) == 6 and raw.endswith(b"\n"):
                    folder, stamp, slug, linked, summary = (p.decode("utf-8") for p in parts[:5])
                    self.entries[folder] = _Entry(stamp, slug, linked, summary, offset, len(raw))
                offset += len(raw)
        except (OSError, UnicodeDecodeError):
            fh.close()
            self.entries = {}
            return
        self._file = fh

    @staticmethod
    def _header() -> str:
        return json.dumps({"format": FORMAT, "version": __version__})

    def close(self) -> None:
        for handle in (self._file, self._spill):
            if handle is not None:
                handle.close()
        self._file = self._spill = None

    def _line(self, entry: _Entry) -> bytes:
        return os.pread((self._spill if entry.new else self._file).fileno(), entry.length, entry.offset)

    def first(self, folder: str, stamp: str) -> dict[str, Any] | None:
        """The first pass's values for a folder whose stamp is unchanged (None: parse it)."""
        entry = self.entries.get(folder)
        if entry is None or entry.stamp != stamp:
            return None
        try:
            summary = json.loads(entry.summary)
        except ValueError:
            return None
        return summary if isinstance(summary, dict) else None

    def get(self, folder: str, stamp: str, slug: str, slugs: dict[str, str]) -> Loaded | None:
        """The cached result when the folder's files and the settings are unchanged (`stamp`), the
        episode keeps its slug, and every episode it links to still has the slug it had
        (`slugs`: folder -> slug now)."""
        entry = self.entries.get(folder)
        if entry is None or entry.stamp != stamp or entry.slug != slug or self._file is None:
            return None
        try:
            if any(slugs.get(other) != was for other, was in json.loads(entry.linked).items()):
                return None
            data = json.loads(self._line(entry).split(b"\t", 5)[5])
            episode = data["episode"]
            loaded = Loaded(
                episode=_episode(episode) if episode is not None else None,
                problems=tuple(map(_problem, data["problems"])),
                links=tuple((f, line_number) for f, line_number in data["links"]),
                control=tuple(data["control"]) if data["control"] else None,
            )
        except (KeyError, TypeError, ValueError, IndexError, OSError):
            return None
        if loaded.episode is not None and not all(os.path.isfile(source) for source, _ in loaded.episode.copies):
            return None  # a file it publishes (e.g. art extracted into the audio cache) is gone
        self.used[folder] = entry
        return loaded

    def put(self, folder: str, stamp: str, slug: str, summary: dict[str, Any] | None, loaded: Loaded,
            linked: dict[str, str | None]) -> None:
        payload = {
            "episode": encode(loaded.episode) if loaded.episode is not None else None,
            "problems": [encode(p) for p in loaded.problems],
            "links": [list(link) for link in loaded.links],
            "control": list(loaded.control) if loaded.control else None,
        }
        if any(c in folder or c in slug for c in "\t\n"):
            return  # not worth caching under a name the line format cannot hold
        line = "\t".join((folder, stamp, slug, json.dumps(linked, sort_keys=True),
                          json.dumps(summary, sort_keys=True), json.dumps(payload, sort_keys=True))).encode() + b"\n"
        if self._spill is None:
            store_dir(self.path.parent.parent)
            self._spill = tempfile.TemporaryFile(dir=self.path.parent)  # gone when closed, whatever happens
            self._spilled = 0
        self._spill.write(line)
        self.used[folder] = _Entry(stamp, slug, "", "", self._spilled, len(line), new=True)
        self._spilled += len(line)

    def save(self) -> None:
        """Keep exactly the episodes of this build (deleted folders drop out)."""
        if self._spill is None and self.used.keys() == self.entries.keys():
            self.close()
            return
        store_dir(self.path.parent.parent)
        if self._spill is not None:
            self._spill.flush()
        with atomic_path(self.path) as tmp, tmp.open("wb") as fh:
            fh.write(self._header().encode("utf-8") + b"\n")
            for folder in sorted(self.used):
                fh.write(self._line(self.used[folder]))
        self.close()
        self.entries, self.used = {}, {}
