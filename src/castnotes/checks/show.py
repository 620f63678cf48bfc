"""Checking a show: the feed a build would write, with problems placed in the host's files.

The feed is rendered in memory by the same code as `castnotes build`; an episode's
problem is reported at its `episodes/<folder>/episode.md`, on the line of the front
matter key behind the tag when the key is written there, and a channel problem at
the setting's line in `castnotes.toml`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from lxml import etree

from castnotes.checks.report import feed_locator
from castnotes.checks.resources import Resources
from castnotes.errors import SourceLocation
from castnotes.fields import KeyLines
from castnotes.model import CONFIG_NAME, Episode, Settings, Show


class ShowLocator:
    """(element, key) -> the episode.md line or castnotes.toml line behind a feed tag."""

    def __init__(self, show: Show):
        self.settings: Settings = show.settings
        self.episodes = {e.guid: e for e in show.episodes}
        self.metas: dict[Path, dict[str, int] | None] = {}
        self.prefix = str(self.settings.root).rstrip(os.sep) + os.sep
        try:
            text = self.settings.config_path.read_text(encoding="utf-8")
        except OSError:
            text = ""
        self.key_lines = KeyLines(text)

    def __call__(self, element: etree._Element | None, key: str | None) -> SourceLocation:
        if element is not None and element.tag == "item":
            episode = self.episodes.get((element.findtext("guid") or "").strip())
            if episode is None:
                return feed_locator(element, key)
            return self.place_of(episode, key)
        line = None
        if key and "." in key:
            section, name = key.split(".", 1)
            line = self.key_lines.find(section, name)
        return SourceLocation(self.settings.config_path, line, CONFIG_NAME)

    def place_of(self, episode: Episode, key: str | None) -> SourceLocation:
        """The episode's episode.md, at the line of `key` when the front matter has it."""
        return SourceLocation(episode.source_path, self._line(episode.source_path, key),
                              self._relative(episode.source_path))

    def _relative(self, path: Path) -> str:
        text = str(path)  # a prefix of the text, as relative_to compares parts (this runs per finding)
        if text.startswith(self.prefix):
            return text[len(self.prefix):].replace(os.sep, "/")
        try:
            return path.relative_to(self.settings.root).as_posix()
        except ValueError:
            return path.as_posix()

    def _line(self, path: Path, key: str | None) -> int | None:
        """The line of a top-level front matter key (a text scan: this runs for every finding)."""
        if key is None:
            return None
        if path not in self.metas:
            try:
                self.metas[path] = front_matter_lines(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                self.metas[path] = None
        lines = self.metas[path]
        return lines.get(key) if lines else None


def front_matter_lines(text: str) -> dict[str, int]:
    """Top-level key -> line in an episode.md's front matter."""
    lines: dict[str, int] = {}
    rows = text.lstrip("\ufeff").split("\n")
    if not rows or rows[0].strip() != "---":
        return lines
    for number, row in enumerate(rows[1:], start=2):
        if row.strip() == "---":
            break
        match = _KEY.match(row)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def show_resources(show: Show) -> Resources:
    """Every URL of the feed that is one of the host's own files, and the audio's real durations."""
    resources = Resources()
    if show.image and show.image.source_path:
        resources.files[show.image.url] = show.image.source_path
    for episode in show.episodes:
        enclosure = episode.enclosure
        if enclosure.source_path is not None:
            resources.files[enclosure.url] = enclosure.source_path
            resources.durations[enclosure.url] = enclosure.duration
        if episode.image and episode.image.source_path:
            resources.files[episode.image.url] = episode.image.source_path
        for transcript in episode.transcripts:
            resources.files[transcript.url] = transcript.source_path
    return resources
