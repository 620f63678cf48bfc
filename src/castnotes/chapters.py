"""Chapters from the three sources a host keeps, and the checks they must pass.

Order of precedence (DESIGN.md §1): front matter `chapters:`, then `chapters.json`
beside the episode, then the chapters embedded in the audio (ID3 CHAP/CTOC, MP4
Nero chapters, Vorbis CHAPTERnnn). Images are returned as (source file, site path)
copies so the writer publishes them next to the episode page.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any, Callable

from .audio import AudioChapter, PictureRef, parse_timestamp
from .errors import Problems
from .fields import FieldReader
from .model import Chapter

CHAPTER_KEYS = ("start", "title", "end", "url", "img", "toc")


def parse_time_value(value: Any) -> float | None:
    """A chapter time from YAML/JSON: seconds as a number, or `H:MM:SS(.mmm)` text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value >= 0 else None
    if isinstance(value, str):
        return parse_timestamp(value)
    return None


def chapters_from_front_matter(
    reader: FieldReader, folder: Path, page_path: str, copies: list[tuple[Path, str]]
) -> list[Chapter]:
    chapters: list[Chapter] = []
    for item_reader, item in reader.entries("chapters"):
        if not isinstance(item, dict):
            item_reader.error("start", "each chapter needs start and title",
                              hint='- {start: "12:30", title: "Why we drift apart"}')
            continue
        item_reader.check_keys(CHAPTER_KEYS, "chapter key")
        start = parse_time_value(item.get("start"))
        if start is None:
            item_reader.error("start", f"must be a time such as 12:30 or 1:02:03, not {item.get('start')!r}")
            continue
        end = parse_time_value(item["end"]) if item.get("end") is not None else None
        title = item_reader.text("title")
        if not title:
            item_reader.error("title", "each chapter needs a title")
            continue
        image = _local_or_url_image(item_reader, "img", folder, page_path, copies)
        toc = item_reader.boolean("toc")
        chapters.append(Chapter(start, title, end, item_reader.url("url"), image,
                                True if toc is None else toc))
    return chapters


def _local_or_url_image(reader: FieldReader, key: str, folder: Path, page_path: str,
                        copies: list[tuple[Path, str]]) -> str | None:
    value = reader.text(key)
    if value is None:
        return None
    if "://" in value:
        return reader.url(key)
    source = (folder / value).resolve()
    if not source.is_relative_to(folder.resolve()) or not source.is_file():
        reader.error(key, f"image {value!r} is not a file in the episode folder")
        return None
    site_path = posixpath.join(page_path, source.relative_to(folder.resolve()).as_posix())
    copies.append((source, site_path))
    return site_path


def chapters_from_json(path: Path, problems: Problems) -> list[Chapter]:
    """A Podcasting 2.0 JSON chapters file (startTime in seconds)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.add("chapters file is not UTF-8 text", path)
        return []
    except json.JSONDecodeError as exc:
        problems.add(f"malformed JSON: {exc.msg}", path, exc.lineno)
        return []
    if not isinstance(data, dict) or not isinstance(data.get("chapters"), list):
        problems.add('chapters file needs {"version": "1.2.0", "chapters": [...]}', path, 1)
        return []
    chapters = []
    for i, item in enumerate(data["chapters"]):
        start = item.get("startTime") if isinstance(item, dict) else None
        if isinstance(start, bool) or not isinstance(start, (int, float)) or start < 0:
            problems.add(f"chapters[{i}]: startTime must be a number of seconds", path)
            continue
        end = item.get("endTime")
        chapters.append(Chapter(
            start=float(start),
            title=str(item.get("title") or "").strip(),
            end=float(end) if isinstance(end, (int, float)) and not isinstance(end, bool) else None,
            url=item.get("url") if isinstance(item.get("url"), str) else None,
            image=item.get("img") if isinstance(item.get("img"), str) else None,
            toc=item.get("toc") is not False,
        ))
    return chapters


def chapters_from_audio(
    audio_chapters: tuple[AudioChapter, ...], page_path: str,
    picture_path: Callable[[PictureRef], Path], copies: list[tuple[Path, str]],
) -> list[Chapter]:
    chapters = []
    for i, chapter in enumerate(audio_chapters, start=1):
        image = None
        if chapter.image is not None:
            image = f"{page_path}chapter-{i}{chapter.image.suffix}"
            copies.append((picture_path(chapter.image), image))
        chapters.append(Chapter(chapter.start, chapter.title or f"Chapter {i}", chapter.end,
                                chapter.url, image, chapter.toc))
    return chapters


def check_chapters(chapters: list[Chapter], duration: float, report: Callable[[str], None]) -> None:
    """Chapters must start at or after 0, ascend, and begin before the audio ends."""
    previous = -1.0
    for i, chapter in enumerate(chapters):
        label = f"chapter {i + 1} ({chapter.title!r} at {format_clock(chapter.start)})"
        if chapter.start <= previous:
            report(f"{label} starts before or with the one before it; chapters must be in order")
        if chapter.start >= duration:
            report(f"{label} starts after the audio ends ({format_clock(duration)})")
        if chapter.end is not None and chapter.end <= chapter.start:
            report(f"{label} ends before it starts")
        previous = chapter.start


def format_clock(seconds: float) -> str:
    """`1:02:03` or `12:30`: how hosts write times (rounded to the nearest second)."""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_npt(seconds: float) -> str:
    """`HH:MM:SS.mmm`, the Podlove Simple Chapters form every parser accepts."""
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"
