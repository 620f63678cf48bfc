"""The least work any show-folder-to-podcast-feed tool must do: the benchmark baseline.

Usage: python benchmarks/minimal.py SHOWDIR OUTPUT.xml

For every episode folder it parses the front matter with plain `yaml.safe_load`
(PyYAML's pure-Python loader, as a naive tool would), opens the audio file with
`mutagen.File` for its duration and type, and finally writes one RSS feed with
feedgen's podcast extension. No validation, no HTML, no cache.
"""

from __future__ import annotations

import argparse
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import mutagen
import yaml
from feedgen.feed import FeedGenerator

AUDIO_SUFFIXES = {".mp3", ".m4a", ".ogg", ".opus", ".flac"}


def read_front_matter(path: Path) -> dict[str, Any]:
    """The YAML between the first two `---` lines of episode.md."""
    text = path.read_text(encoding="utf-8")
    _, yaml_text, _ = text.split("---\n", 2)
    return yaml.safe_load(yaml_text)


def find_audio(folder: Path) -> Path:
    return next(p for p in sorted(folder.iterdir()) if p.suffix in AUDIO_SUFFIXES)


def show_feed(show: dict[str, Any]) -> FeedGenerator:
    """A FeedGenerator with the channel-level fields filled in."""
    feed = FeedGenerator()
    feed.load_extension("podcast")
    feed.title(show["title"])
    feed.link(href=show["url"], rel="alternate")
    feed.description(show["description"])
    feed.language(show["language"])
    feed.podcast.itunes_author(show.get("author"))
    feed.podcast.itunes_image(show["url"] + show["image"])
    main, _, sub = show["categories"][0].partition("/")
    feed.podcast.itunes_category(main, sub or None)
    return feed


def add_episode(feed: FeedGenerator, folder: Path, show: dict[str, Any], zone: ZoneInfo) -> None:
    meta = read_front_matter(folder / "episode.md")
    audio_path = find_audio(folder)
    audio = mutagen.File(audio_path)
    add_entry(feed, folder, show, zone, meta, audio_path.name, audio_path.stat().st_size, audio.mime[0],
              audio.info.length)


def add_entry(feed: FeedGenerator, folder: Path, show: dict[str, Any], zone: ZoneInfo, meta: dict[str, Any],
              audio_name: str, size: int, mime: str, length: float) -> None:
    """The episode's feed item, from its front matter and its audio's name, size, type and length."""
    published = meta["date"]
    if isinstance(published, str):  # "2026-05-04 06:00": YAML 1.1 wants seconds for a timestamp
        published = datetime.fromisoformat(published)
    if published.tzinfo is None:
        published = published.replace(tzinfo=zone)
    slug = folder.name.split("-", 1)[1]
    entry = feed.add_entry(order="append")
    entry.title(meta["title"])
    entry.guid(str(meta["guid"]), permalink=False)
    entry.enclosure(show["url"] + quote(f"media/{slug}/{audio_name}"), str(size), mime)
    entry.podcast.itunes_duration(round(length))
    entry.pubDate(published)
    entry.description(meta.get("summary") or meta["title"])


def build(root: Path, output: Path) -> int:
    """Write the feed for the show in `root`; return the number of episodes."""
    show = tomllib.loads((root / "castnotes.toml").read_text(encoding="utf-8"))["show"]
    zone = ZoneInfo(show.get("timezone", "UTC"))
    feed = show_feed(show)
    folders = sorted(p for p in (root / "episodes").iterdir() if (p / "episode.md").is_file())
    for folder in reversed(folders):  # newest first
        add_episode(feed, folder, show, zone)
    feed.rss_file(str(output), pretty=False)
    return len(folders)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("show", type=Path)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    build(args.show, args.output)


if __name__ == "__main__":
    main()
