"""Audio metadata cache: a rebuild never reopens audio that has not changed.

One JSON file, `.castnotes/audio.json`, maps each audio file (relative to the show)
to its size, mtime and `AudioInfo`. Embedded pictures are written once each, named
by their SHA-256, under `.castnotes/pictures/`. JSON rather than pickle: a host can
read it, and a stale or damaged cache is simply ignored (the folder is safe to delete).

A build that reads a few new files (the week's episode) appends their entries to
`.castnotes/audio-new.jsonl`, one `[version, key, entry]` line each, instead of writing
all of `audio.json` again; once those lines are an eighth of the entries (or 64), they
are merged into `audio.json` and the journal goes. A torn or damaged line is skipped
(its file is read again), and every entry is checked against its file's size and mtime
anyway.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from castnotes.audio import read_audio
from castnotes.audio.info import AudioInfo, PictureRef, Pictures, stamp
from castnotes.codec import decode, encode
from castnotes.imageinfo import is_png
from castnotes.store import STORE_DIR, store_dir, write_atomic

CACHE_VERSION = 4  # bump when AudioInfo or the readers change meaning
JOURNAL_NAME = "audio-new.jsonl"
JOURNAL_MIN = 64  # lines the journal may always hold before it is merged into audio.json


class AudioCache:
    """Read-through cache of `read_audio`, saved with `save()` after a build."""

    def __init__(self, root: Path):
        self.root = root
        self.dir = root / STORE_DIR
        self.path = self.dir / "audio.json"
        self.journal = self.dir / JOURNAL_NAME
        self._journaled = 0  # lines in the journal when it was read
        self._base_read = False  # audio.json was there and whole
        self.changed: set[str] = set()  # keys whose entry this build wrote (to save)
        self.pictures_dir = self.dir / "pictures"
        self._entries: dict[str, dict[str, Any]] | None = None  # read on first use (`entries`)
        self.reads = 0  # files opened this run (for tests and --verbose)
        self.updated: set[str] = set()  # entries read this run, for `take_changes`

    @property
    def entries(self) -> dict[str, dict[str, Any]]:
        """Every cached file's entry. Read from disk when first needed: a build whose episodes all
        come from the episode cache never needs it (on a big show it is tens of MB as objects)."""
        if self._entries is None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = None
            files = data.get("files") if isinstance(data, dict) and data.get("version") == CACHE_VERSION else None
            self._base_read = isinstance(files, dict)
            self._entries = files if isinstance(files, dict) else {}
            self._read_journal(self._entries)
        return self._entries

    def _read_journal(self, entries: dict[str, dict[str, Any]]) -> None:
        try:
            text = self.journal.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        for line in text.splitlines():
            self._journaled += 1
            try:
                version, key, entry = json.loads(line)
            except (ValueError, TypeError):
                continue  # a torn or damaged line: that file is read again
            if version == CACHE_VERSION and isinstance(key, str) and isinstance(entry, dict):
                entries[key] = entry

    def info(self, path: Path) -> AudioInfo:
        """The file's metadata, from the cache when its size and mtime are unchanged."""
        key = self._key(path)
        size, mtime_ns = stamp(path)
        entry = self.entries.get(key)
        if entry and entry.get("size") == size and entry.get("mtime_ns") == mtime_ns:
            try:
                info = decode(AudioInfo, entry["info"])
            except (KeyError, TypeError):
                info = None
            if info is not None and self._pictures_present(info):
                return info
        info, pictures = read_audio(path)
        self.reads += 1
        self._store_pictures(pictures)
        self.entries[key] = {"size": size, "mtime_ns": mtime_ns, "info": encode(info)}
        self.updated.add(key)
        self.changed.add(key)
        return info

    def take_changes(self) -> dict[str, Any]:
        """What this process learned since the last call, to send back from a worker process."""
        changes = {"files": {k: self.entries[k] for k in self.updated}, "reads": self.reads}
        self.updated, self.reads = set(), 0
        return changes

    def merge_changes(self, changes: dict[str, Any]) -> None:
        """Take in what a worker process (or `take_changes` here) learned."""
        self.entries.update(changes["files"])
        self.changed.update(changes["files"])
        self.reads += changes["reads"]

    def picture_path(self, ref: PictureRef) -> Path:
        return self.pictures_dir / f"{ref.sha256}{ref.suffix}"

    def save(self) -> None:
        if not self.changed:
            return
        store_dir(self.root)
        changed = sorted(key for key in self.changed if key in self.entries)
        if self._base_read and self._journaled + len(changed) <= max(JOURNAL_MIN, len(self.entries) // 8):
            with self.journal.open("a", encoding="utf-8") as fh:
                fh.write("".join(json.dumps([CACHE_VERSION, key, self.entries[key]], sort_keys=True) + "\n"
                                 for key in changed))
            self._journaled += len(changed)
        else:
            payload = json.dumps({"version": CACHE_VERSION, "files": self.entries}, sort_keys=True)
            write_atomic(self.path, payload)
            self.journal.unlink(missing_ok=True)
            self._base_read, self._journaled = True, 0
        self.changed = set()

    def _key(self, path: Path) -> str:
        resolved = path.resolve()
        return (resolved.relative_to(self.root) if resolved.is_relative_to(self.root) else resolved).as_posix()

    def _pictures_present(self, info: AudioInfo) -> bool:
        refs = [info.art] + [c.image for c in info.chapters]
        return all(self.picture_path(r).is_file() for r in refs if r is not None)

    def _store_pictures(self, pictures: Pictures) -> None:
        if not pictures:
            return
        store_dir(self.root, self.pictures_dir.name)
        for sha, data in pictures.items():
            target = self.pictures_dir / f"{sha}{'.png' if is_png(data) else '.jpg'}"
            if not target.exists():
                write_atomic(target, data)

