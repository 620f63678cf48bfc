"""Chapters from the three sources a host keeps, and the checks they must pass.

Order of precedence (DESIGN.md §1): front matter `chapters:`, then `chapters.json`
beside the episode, then the chapters embedded in the audio (ID3 CHAP/CTOC, MP4
Nero chapters, Vorbis CHAPTERnnn). `chapters:` may instead be the URL of chapters
hosted elsewhere (as `castnotes import` writes it): then only podcast:chapters points
there. Images are returned as (source file, site path) copies so the writer
publishes them next to the episode page. Every chapter keeps the line it came from,
so "chapter 3 starts after the audio ends" points at chapter 3.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from castnotes.audio.info import AudioChapter, PictureRef
from castnotes.errors import Problems
from castnotes.fields import FieldReader
from castnotes.model import Chapter
from castnotes.timecode import format_clock, parse_time_value


@dataclass(frozen=True, slots=True)
class ChapterSource:
    """Chapters as read, with the file (and line of each chapter) they came from."""

    chapters: tuple[Chapter, ...] = ()
    path: Path | None = None
    lines: tuple[int | None, ...] = ()
    remote_url: str | None = None  # chapters hosted elsewhere, linked as they are
    copies: tuple[tuple[Path, str], ...] = ()


def load_chapters(reader: FieldReader, folder: Path, page_path: str, audio_chapters: tuple[AudioChapter, ...],
                  audio_path: Path | None, picture_path: Callable[[PictureRef], Path],
                  problems: Problems) -> ChapterSource:
    """The episode's chapters from the first source that has them."""
    copies: list[tuple[Path, str]] = []
    if isinstance(reader.meta.get("chapters"), str):
        if "://" not in reader.meta["chapters"]:
            reader.error("chapters", f"{reader.meta['chapters']!r} is neither a list of chapters nor a URL",
                         hint="a chapters.json beside episode.md is found without naming it; "
                              "or list them: - {start: '0:00', title: Intro}")
            return ChapterSource(path=reader.path)
        return ChapterSource(path=reader.path, remote_url=reader.url("chapters", warn_http=True))
    if reader.has("chapters"):
        path = reader.path
        chapters, lines = chapters_from_front_matter(reader, folder, page_path, copies)
    elif (path := folder / "chapters.json").is_file():
        chapters, lines = chapters_from_json(path, problems, folder, page_path, copies)
    else:
        path, chapters = audio_path, chapters_from_audio(audio_chapters, page_path, picture_path, copies)
        lines = [None] * len(chapters)
    return ChapterSource(tuple(chapters), path, tuple(lines), copies=tuple(copies))

CHAPTER_KEYS = ("start", "title", "end", "url", "img", "toc")


def chapters_from_front_matter(
    reader: FieldReader, folder: Path, page_path: str, copies: list[tuple[Path, str]]
) -> tuple[list[Chapter], list[int | None]]:
    chapters: list[Chapter] = []
    lines: list[int | None] = []
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
        lines.append(item_reader.line())
    return chapters, lines


def _local_or_url_image(reader: FieldReader, key: str, folder: Path, page_path: str,
                        copies: list[tuple[Path, str]]) -> str | None:
    value = reader.text(key)
    if value is None:
        return None
    if "://" in value:
        return reader.url(key)
    site_path = _publish_image(value, folder, page_path, copies)
    if site_path is None:
        reader.error(key, f"image {value!r} is not a file in the episode folder")
    return site_path


def _publish_image(value: str, folder: Path, page_path: str, copies: list[tuple[Path, str]]) -> str | None:
    """A chapter image in the episode folder, published beside the page: its site path, or None
    when `value` names no file there."""
    inside = folder.resolve()
    source = (folder / value).resolve()
    if not source.is_relative_to(inside) or not source.is_file():
        return None
    site_path = posixpath.join(page_path, source.relative_to(inside).as_posix())
    copies.append((source, site_path))
    return site_path


def chapters_from_json(path: Path, problems: Problems, folder: Path, page_path: str,
                       copies: list[tuple[Path, str]]) -> tuple[list[Chapter], list[int | None]]:
    """A Podcasting 2.0 JSON chapters file (startTime in seconds)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except UnicodeDecodeError:
        problems.add("chapters file is not UTF-8 text", path)
        return [], []
    except json.JSONDecodeError as exc:
        problems.add(f"malformed JSON: {exc.msg}", path, exc.lineno)
        return [], []
    if not isinstance(data, dict) or not isinstance(data.get("chapters"), list):
        problems.add('chapters file needs {"version": "1.2.0", "chapters": [...]}', path, 1)
        return [], []
    # json keeps no positions: the n-th "startTime" key is on the n-th chapter's line.
    starts = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r'"startTime"\s*:', text)]
    chapters, lines = [], []
    for i, item in enumerate(data["chapters"]):
        line = starts[i] if i < len(starts) and len(starts) == len(data["chapters"]) else None
        start = item.get("startTime") if isinstance(item, dict) else None
        if isinstance(start, bool) or not isinstance(start, (int, float)) or start < 0:
            problems.add(f"chapters[{i}]: startTime must be a number of seconds", path, line)
            continue
        end = item.get("endTime")
        image = item.get("img") if isinstance(item.get("img"), str) else None
        if image and "://" not in image:
            site_path = _publish_image(image, folder, page_path, copies)
            if site_path is None:
                problems.add(f"chapter image {image!r} is not a file in the episode folder", path, line,
                             hint="give an https URL, or a file name beside chapters.json")
            image = site_path
        chapters.append(Chapter(
            start=float(start),
            title=str(item.get("title") or "").strip(),
            end=float(end) if isinstance(end, (int, float)) and not isinstance(end, bool) else None,
            url=item.get("url") if isinstance(item.get("url"), str) else None,
            image=image,
            toc=item.get("toc") is not False,
        ))
        lines.append(line)
    return chapters, lines


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


END_TOLERANCE = 0.5  # seconds an end time may pass the audio's end (ms rounding in ID3 CHAP)
TRIM_TOLERANCE = 2.0  # seconds past the end that are trimmed with a warning (editors round the last chapter)


def check_chapters(source: ChapterSource, duration: float, problems: Problems,
                   prefix: str = "") -> tuple[Chapter, ...]:
    """Chapters must ascend and lie within the audio; each problem at its chapter's line.

    Returns the chapters, a last end that overshoots the audio by at most
    TRIM_TOLERANCE trimmed to the audio's end (a warning): recording tools often
    round the final chapter up, and the episode is fine.
    """
    previous = -1.0
    hint = _fix_hint(source)
    result = []
    for i, chapter in enumerate(source.chapters):
        line = source.lines[i] if i < len(source.lines) else None
        label = f"{prefix}chapter {i + 1} ({chapter.title!r} at {format_clock(chapter.start)})"
        if chapter.start <= previous:
            problems.add(f"{label} starts before or with the one before it; chapters must be in order",
                         source.path, line, hint=hint)
        if chapter.start >= duration:
            problems.add(f"{label} starts after the audio ends ({format_clock(duration)})",
                         source.path, line, hint=hint)
        if chapter.end is not None and chapter.end <= chapter.start:
            problems.add(f"{label} ends before it starts", source.path, line, hint=hint)
        elif chapter.end is not None and duration + END_TOLERANCE < chapter.end <= duration + TRIM_TOLERANCE:
            problems.add(f"{label} ends {chapter.end - duration:.1f} s after the audio ends "
                         f"({format_clock(duration)}); trimmed to the end", source.path, line,
                         severity="warning", hint=hint)
            chapter = replace(chapter, end=duration)
        elif chapter.end is not None and chapter.end > duration + TRIM_TOLERANCE:
            problems.add(f"{label} ends at {format_clock(chapter.end)}, after the audio ends "
                         f"({format_clock(duration)})", source.path, line, hint=hint)
        result.append(chapter)
        previous = chapter.start
    return tuple(result)


def _fix_hint(source: ChapterSource) -> str:
    if source.path is not None and source.path.name == "episode.md":
        return "chapters are listed in order of their start, each before the end of the audio"
    if source.path is not None and source.path.suffix == ".json":
        return "fix startTime (seconds) in chapters.json, or list the chapters in front matter"
    return "the audio's own chapter tags are wrong: list the chapters in front matter to override them"


