"""Podcasting 2.0 JSON chapters: `site/episodes/<slug>/chapters.json`, and chapter image URLs."""

from __future__ import annotations

import json
from typing import Any

from castnotes.model import Episode, Show
from castnotes.timecode import compact_seconds

JSON_CHAPTERS_VERSION = "1.2.0"
JSON_CHAPTERS_TYPE = "application/json+chapters"


def chapter_image_url(image: str | None, site_url: str) -> str | None:
    """Chapter images are site paths or URLs; feeds and chapters.json need absolute URLs."""
    if image is None:
        return None
    return image if "://" in image else site_url + image


def render_chapters_json(show: Show, episode: Episode) -> bytes:
    """Podcasting 2.0 JSON chapters (version 1.2.0) for `site/episodes/<slug>/chapters.json`."""
    chapters = []
    for chapter in episode.chapters:
        item: dict[str, Any] = {"startTime": compact_seconds(chapter.start), "title": chapter.title}
        if image := chapter_image_url(chapter.image, show.url):
            item["img"] = image
        if chapter.url:
            item["url"] = chapter.url
        if not chapter.toc:
            item["toc"] = False
        if chapter.end is not None:
            item["endTime"] = compact_seconds(chapter.end)
        chapters.append(item)
    data = {"version": JSON_CHAPTERS_VERSION, "title": episode.title,
            "podcastName": show.settings.show.title, "chapters": chapters}
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
