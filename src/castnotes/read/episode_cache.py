"""Loaded episodes kept between builds, so an unchanged episode is not loaded again.

Loading an episode means rendering its Markdown, reading its audio's metadata,
checking its transcripts and chapters: most of a cold build. An episode's result
depends only on the files in its folder, the show's settings (people registry
included) and the slugs of the episodes it links to, so that is its key: the size
and mtime of every file in the folder and a digest of the settings, with the slugs
of the linked episode folders checked on the way out. The cached result is the Episode and the problems
found while loading it (warnings are shown again on every build).

One file, `.castnotes/episodes.jsonl`, written through the model codec.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from castnotes import __version__
from castnotes.codec import decode, encode
from castnotes.errors import Problem
from castnotes.model import Episode
from castnotes.store import STORE_DIR, atomic_path, store_dir

CACHE_NAME = "episodes.jsonl"
FORMAT = 4  # bump when the cached Episode changes shape (4: social threads)


@dataclass(frozen=True, slots=True)
class Loaded:
    """What loading one episode folder gave: the episode (None if it failed), its problems,
    and the episode folders its notes link to (folder, line)."""

    episode: Episode | None
    problems: tuple[Problem, ...]
    links: tuple[tuple[str, int], ...]


def folder_stamp(folder: Path) -> list[list[Any]]:
    """Name, size and mtime of every file in an episode folder (subfolders included)."""
    found = []
    stack = [folder]
    while stack:
        current = stack.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    try:
                        st = entry.stat()
                    except OSError:  # a broken link: read.show reports it; stamp the link itself
                        st = entry.stat(follow_symlinks=False)
                    found.append([os.path.relpath(entry.path, folder), st.st_size, st.st_mtime_ns])
    return sorted(found)


class EpisodeCache:
    """`.castnotes/episodes.jsonl`: a header line, then one line per episode folder,
    `folder TAB key TAB linked-slugs-json TAB result-json`.

    Lines are kept as text and decoded only for the episodes looked up, so a large
    show's cache costs its size in memory, not the several times more of parsed JSON.
    """

    def __init__(self, root: Path):
        self.path = root / STORE_DIR / CACHE_NAME
        self.lines: dict[str, str] = self._load()  # folder -> its line
        self.used: dict[str, str] = {}  # the lines this build looked up or stored

    def _load(self) -> dict[str, str]:
        lines: dict[str, str] = {}
        try:
            with self.path.open(encoding="utf-8") as fh:  # line by line: never the whole file twice
                if fh.readline().rstrip("\n") != self._header():
                    return {}
                for line in fh:
                    line = line.rstrip("\n")
                    if line.count("\t") >= 3:
                        lines[line.split("\t", 1)[0]] = line
        except (OSError, UnicodeDecodeError):
            return {}
        return lines

    @staticmethod
    def _header() -> str:
        return json.dumps({"format": FORMAT, "version": __version__})

    def get(self, folder: str, key: str, slugs: dict[str, str]) -> Loaded | None:
        """The cached result when the folder's files and the settings are unchanged (`key`) and
        every episode it links to still has the slug it had (`slugs`: folder -> slug now)."""
        line = self.lines.get(folder)
        if line is None:
            return None
        _, cached_key, linked, payload = line.split("\t", 3)
        if cached_key != key:
            return None
        try:
            if any(slugs.get(other) != slug for other, slug in json.loads(linked).items()):
                return None
            data = json.loads(payload)
            loaded = Loaded(
                episode=decode(Episode, data["episode"]) if data["episode"] is not None else None,
                problems=tuple(decode(Problem, p) for p in data["problems"]),
                links=tuple((f, line_number) for f, line_number in data["links"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if loaded.episode is not None and not all(source.is_file() for source, _ in loaded.episode.copies):
            return None  # a file it publishes (e.g. art extracted into the audio cache) is gone
        self.used[folder] = line
        return loaded

    def put(self, folder: str, key: str, loaded: Loaded, linked: dict[str, str | None]) -> None:
        payload = {
            "episode": encode(loaded.episode) if loaded.episode is not None else None,
            "problems": [encode(p) for p in loaded.problems],
            "links": [list(link) for link in loaded.links],
        }
        if "\t" in folder or "\n" in folder:
            return  # not worth caching under a name the line format cannot hold
        self.used[folder] = "\t".join((folder, key, json.dumps(linked, sort_keys=True),
                                       json.dumps(payload, sort_keys=True)))

    def save(self) -> None:
        """Keep exactly the episodes of this build (deleted folders drop out)."""
        if self.used == self.lines:
            return
        store_dir(self.path.parent.parent)
        with atomic_path(self.path) as tmp, tmp.open("w", encoding="utf-8") as fh:
            fh.write(self._header() + "\n")
            for folder in sorted(self.used):
                fh.write(self.used[folder])
                fh.write("\n")
        self.lines = dict(self.used)
