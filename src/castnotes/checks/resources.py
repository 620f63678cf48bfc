"""The files behind a feed's URLs, when the checker can see them.

For a show, every enclosure and picture URL maps to the host's own file. For a feed
file on disk (a built `site/feed.xml`), URLs under the feed's own address map to
files beside it, so `castnotes check site/feed.xml` measures the real files. With
`--online`, anything else is fetched. Without any of these, the rules that need the
bytes (artwork size, exact lengths) are skipped, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from castnotes.audio import read_audio
from castnotes.errors import CastnotesError
from castnotes.fetch import MAX_FILE_BYTES


@dataclass
class Resources:
    files: dict[str, Path] = field(default_factory=dict)  # exact URL -> local file
    durations: dict[str, float] = field(default_factory=dict)  # enclosure URL -> seconds
    mirror: tuple[str, Path] | None = None  # URL prefix -> local folder holding that address
    fetch: Callable[[str], bytes | None] | None = None  # over the network, with --online

    def local_path(self, url: str) -> Path | None:
        if url in self.files:
            return self.files[url]
        if self.mirror is None or not url.startswith(self.mirror[0]):
            return None
        prefix, folder = self.mirror
        relative = unquote(urlsplit(url[len(prefix):]).path)
        if not relative or relative.endswith("/"):
            return None
        path = (folder / relative).resolve()
        if not path.is_relative_to(folder.resolve()) or not path.is_file():
            return None
        return path

    def label(self, url: str) -> str:
        """How to name the file behind `url` in a message: the host's own file name when local."""
        path = self.local_path(url)
        return path.name if path is not None else (url.rsplit("/", 1)[-1] or url)

    def size(self, url: str) -> int | None:
        path = self.local_path(url)
        return path.stat().st_size if path else None

    def read(self, url: str) -> bytes | None:
        """The bytes at `url` (a picture, a chapters file), or None when they cannot be seen."""
        path = self.local_path(url)
        if path is not None:
            return path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else None
        return self.fetch(url) if self.fetch is not None else None

    def duration(self, url: str) -> float | None:
        if url in self.durations:
            return self.durations[url]
        path = self.local_path(url)
        if path is None:
            return None
        try:
            info, _ = read_audio(path)
        except CastnotesError:
            return None
        self.durations[url] = info.duration
        return info.duration


def mirror_for(feed_path: Path, self_url: str | None, site_url: str | None) -> tuple[str, Path] | None:
    """Which address the folder around a feed file stands for, from the feed's own links.

    `site/feed.xml` with self link `https://x.example/feed.xml` stands for
    `https://x.example/`; with `https://x.example/podcast/feed.xml` and channel link
    `https://x.example/`, the site root is one folder further up.
    """
    if not self_url or "/" not in self_url:
        return None
    folder = feed_path.resolve().parent
    if site_url and self_url.startswith(site_url) and site_url.endswith("/"):
        depth = self_url[len(site_url):].count("/")
        for _ in range(depth):
            folder = folder.parent
        return site_url, folder
    return self_url.rsplit("/", 1)[0] + "/", folder
