"""Loaded episodes kept between builds, so an unchanged episode is not loaded again.

Loading an episode means rendering its Markdown, reading its audio's metadata,
checking its transcripts and chapters: most of a cold build. An episode's result
depends only on the files in its folder, the show's settings (people registry
included) and the slugs of the episodes it links to, so that is its key: the size
and mtime of every file in the folder and a digest of the settings, with the slugs
of the linked episode folders checked on the way out. The cached result is the Episode and the problems
found while loading it (warnings are shown again on every build).

One JSON file, `.castnotes/episodes.json`, written through the model codec.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .cache import CACHE_DIR, ignore_in_git, write_text_atomic
from .codec import decode, encode
from .errors import Problem
from .model import Episode

CACHE_NAME = "episodes.json"
FORMAT = 1


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
                    st = entry.stat()
                    found.append([os.path.relpath(entry.path, folder), st.st_size, st.st_mtime_ns])
    return sorted(found)


class EpisodeCache:
    def __init__(self, root: Path):
        self.path = root / CACHE_DIR / CACHE_NAME
        self.entries: dict[str, dict[str, Any]] = self._load()
        self.used: dict[str, dict[str, Any]] = {}  # what this build looked up or stored

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != __version__:
            return {}
        entries = data.get("episodes")
        return entries if isinstance(entries, dict) else {}

    def get(self, folder: str, key: str, slugs: dict[str, str]) -> Loaded | None:
        """The cached result when the folder's files and the settings are unchanged (`key`) and
        every episode it links to still has the slug it had (`slugs`: folder -> slug now)."""
        entry = self.entries.get(folder)
        if not entry or entry.get("key") != key:
            return None
        if any(slugs.get(other) != slug for other, slug in entry.get("linked", {}).items()):
            return None
        try:
            loaded = Loaded(
                episode=decode(Episode, entry["episode"]) if entry["episode"] is not None else None,
                problems=tuple(decode(Problem, p) for p in entry["problems"]),
                links=tuple((f, line) for f, line in entry["links"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if loaded.episode is not None and not all(source.is_file() for source, _ in loaded.episode.copies):
            return None  # a file it publishes (e.g. art extracted into the audio cache) is gone
        self.used[folder] = entry
        return loaded

    def put(self, folder: str, key: str, loaded: Loaded, linked: dict[str, str | None]) -> None:
        self.used[folder] = {
            "key": key,
            "linked": linked,
            "episode": encode(loaded.episode) if loaded.episode is not None else None,
            "problems": [encode(p) for p in loaded.problems],
            "links": [list(link) for link in loaded.links],
        }

    def save(self) -> None:
        """Keep exactly the episodes of this build (deleted folders drop out)."""
        if self.used == self.entries:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ignore_in_git(self.path.parent)
        write_text_atomic(self.path, json.dumps(
            {"format": FORMAT, "version": __version__, "episodes": self.used}, sort_keys=True))
        self.entries = dict(self.used)
