"""Episode folders -> Episode models (front matter, body, audio, art, chapters).

Two passes: the first reads every episode.md and settles each slug, so the second
can resolve links between episodes. Every problem is collected with its file and
line; nothing is raised until all episodes have been looked at.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import chapters as chapter_sources
from .audio import AUDIO_SUFFIXES, OTHER_MEDIA_SUFFIXES, AudioInfo
from .cache import AudioCache
from .config import Settings
from .errors import CastnotesError, Problems
from .fields import FieldReader
from .frontmatter import Document, parse_datetime, parse_document
from .markdown import render_notes
from .model import EPISODE_TYPES, Artwork, Chapter, Enclosure, Episode, Person, Show, Soundbite, Sponsor
from .transcripts import find_transcripts, make_transcript

EPISODES_DIR = "episodes"
EPISODE_FILE = "episode.md"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FRONT_MATTER_KEYS = (
    "title", "date", "number", "season", "type", "guid", "summary", "guests", "categories",
    "explicit", "image", "audio", "chapters", "transcript", "sponsors", "related", "soundbites",
    "draft", "slug",
)
REMOTE_AUDIO_KEYS = ("url", "length", "type", "duration")
GUID_NAMESPACE = uuid.UUID("5b0e35e5-1b0c-5e3f-9d77-8a1e2c4b6a10")  # castnotes' own, for derived GUIDs


@dataclass
class _Source:
    """An episode folder after the first pass."""

    folder: Path
    path: Path
    doc: Document
    reader: FieldReader
    slug: str


def load_show(settings: Settings, cache: AudioCache, *, drafts: bool = False, future: bool = False,
              now: datetime | None = None) -> Show:
    """Read every episode folder into a Show; raise CastnotesError with all problems."""
    now = now or datetime.now(timezone.utc)
    problems = Problems()
    sources = _first_pass(settings, problems)
    by_folder = {s.folder.name: s for s in sources}

    def lookup(folder_name: str) -> str | None:
        source = by_folder.get(folder_name)
        return f"episodes/{source.slug}/" if source else None

    episodes = []
    for source in sources:
        try:
            episode = _load_episode(source, settings, cache, lookup, problems)
        except CastnotesError as exc:
            problems.extend(exc.problems)
            continue
        if episode is not None:
            episodes.append(episode)
    problems.raise_if_errors()

    kept = []
    for episode in episodes:
        scheduled = episode.date > now
        if (episode.draft and not drafts) or (scheduled and not future):
            continue
        kept.append(replace(episode, scheduled=scheduled) if scheduled else episode)
    kept.sort(key=lambda e: (e.date, e.number or 0, e.folder), reverse=True)
    return Show(settings=settings, episodes=tuple(kept), image=_show_artwork(settings),
                problems=tuple(problems.warnings))


def _first_pass(settings: Settings, problems: Problems) -> list[_Source]:
    episodes_dir = settings.root / EPISODES_DIR
    if not episodes_dir.is_dir():
        raise CastnotesError.single(f"no {EPISODES_DIR}/ folder", episodes_dir,
                                    hint="create one, or run `castnotes new TITLE`")
    sources = []
    for folder in sorted(p for p in episodes_dir.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "_")):
            continue
        path = folder / EPISODE_FILE
        if not path.is_file():
            problems.add(f"folder has no {EPISODE_FILE}", folder, severity="warning",
                         hint="add one, or rename the folder to start with _ to keep it out")
            continue
        try:
            doc = parse_document(path.read_text(encoding="utf-8"), path)
        except UnicodeDecodeError:
            problems.add("episode.md is not UTF-8 text", path, hint="save it as UTF-8")
            continue
        except CastnotesError as exc:
            problems.extend(exc.problems)
            continue
        reader = FieldReader(path, doc.meta, problems)
        reader.check_keys(FRONT_MATTER_KEYS)
        slug = reader.text("slug") or default_slug(folder.name)
        if not SLUG_RE.match(slug):
            reader.error("slug", f"{slug!r} may hold only a-z, 0-9 and -")
        sources.append(_Source(folder, path, doc, reader, slug))
    if not sources and not problems.errors:
        raise CastnotesError.single(
            f"no episodes: {EPISODES_DIR}/ holds no episode folders", episodes_dir,
            hint="add episodes/001-first/episode.md with its audio, or run `castnotes new TITLE`")
    _check_unique(sources, "slug", lambda s: s.slug, settings.root,
                  "give one of them `slug:` in its front matter")
    _check_unique(sources, "guid", lambda s: s.reader.text("guid"), settings.root,
                  "every episode needs its own GUID; never change one that is published")
    return sources


def _check_unique(sources: list[_Source], key: str, value_of: Any, root: Path, hint: str) -> None:
    seen: dict[str, _Source] = {}
    for source in sources:
        value = value_of(source)
        if value is None:
            continue
        if value in seen:
            other = seen[value].path.relative_to(root).as_posix()
            source.reader.error(key, f"{value!r} is also the {key} of {other}", hint=hint)
        else:
            seen[value] = source


def default_slug(folder_name: str) -> str:
    """`042-stay-connected` -> `stay-connected`; a folder of digits keeps its name."""
    slug = re.sub(r"^\d+[-_. ]*", "", folder_name) or folder_name
    slug = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-")
    return slug or "episode"


def _load_episode(source: _Source, settings: Settings, cache: AudioCache, lookup: Any,
                  problems: Problems) -> Episode | None:
    reader, folder, path = source.reader, source.folder, source.path
    page_path = f"episodes/{source.slug}/"
    copies: list[tuple[Path, str]] = []
    enclosure, info = _enclosure(reader, folder, source.slug, settings, cache, copies)
    if enclosure is None:
        return None
    zone = settings.zone
    tags = info or AudioInfo(mime="", codec="", duration=0, size=0)

    title = reader.text("title") or tags.title
    if not title:
        reader.error("title", "missing, and the audio has no title tag", hint='add title: "..."')
    date = _episode_date(reader, tags, zone)
    episode_type = reader.choice("type", EPISODE_TYPES, "full")
    number = reader.integer("number")
    if number is None and "number" not in reader.meta and episode_type != "trailer":
        digits = re.match(r"^(\d+)", folder.name)
        number = int(digits.group(1)) if digits and int(digits.group(1)) > 0 else tags.track
    guid = reader.text("guid")
    if guid is None:
        guid = str(uuid.uuid5(GUID_NAMESPACE, settings.show.url + source.slug))
        reader.warn("guid", f"missing; using the derived {guid}",
                    hint=f"add `guid: {guid}` so it never changes, even if the slug does")

    notes = render_notes(source.doc.body, source_path=path, first_line=source.doc.body_line,
                         episodes_dir=settings.root / EPISODES_DIR, page_path=page_path, lookup=lookup)
    problems.extend(notes.problems)
    copies.extend(notes.assets)
    summary = reader.text("summary")
    summary_is_excerpt = summary is None and bool(notes.first_paragraph)
    summary = summary or notes.first_paragraph or (tags.comment or "")
    image = _episode_artwork(reader, folder, page_path, settings, tags, cache, copies)
    chapters = _chapters(reader, folder, page_path, tags, cache, copies, problems)
    if chapters and enclosure.duration:
        chapter_sources.check_chapters(chapters, enclosure.duration,
                                       lambda m: reader.error("chapters", m))
    transcripts = []
    for file, language in find_transcripts(reader, folder):
        transcript = make_transcript(file, language, settings.show.language, page_path, settings.show.url)
        transcripts.append(transcript)
        copies.append((file, transcript.site_path))
    related = _related(reader, folder, settings, lookup)

    if not title or date is None:
        return None
    return Episode(
        folder=folder.name,
        source_path=path,
        slug=source.slug,
        guid=guid,
        title=title,
        date=date,
        summary=summary,
        summary_is_excerpt=summary_is_excerpt,
        body_html=notes.html,
        enclosure=enclosure,
        number=number,
        season=reader.integer("season"),
        type=episode_type or "full",
        explicit=reader.boolean("explicit"),
        image=image,
        categories=reader.strings("categories"),
        guests=_guests(reader),
        sponsors=_sponsors(reader),
        chapters=tuple(chapters),
        transcripts=tuple(transcripts),
        soundbites=_soundbites(reader, enclosure.duration),
        related=related,
        draft=bool(reader.boolean("draft")),
        copies=tuple(copies),
    )


def _episode_date(reader: FieldReader, tags: AudioInfo, zone: Any) -> datetime | None:
    if reader.has("date"):
        value = reader.meta["date"]
        date = parse_datetime(value, zone)
        if date is None:
            reader.error("date", f"{value!r} is not a date",
                         hint="write it as 2026-05-04 or 2026-05-04 06:00 (optionally +02:00)")
        return date
    if tags.date and re.match(r"^\d{4}-\d{2}-\d{2}", tags.date):
        return parse_datetime(tags.date[:19].replace("T", " "), zone)
    reader.error("date", "missing, and the audio has no full date tag", hint="add date: 2026-05-04 06:00")
    return None


# --- audio -------------------------------------------------------------------------

def _enclosure(reader: FieldReader, folder: Path, slug: str, settings: Settings, cache: AudioCache,
               copies: list[tuple[Path, str]]) -> tuple[Enclosure | None, AudioInfo | None]:
    value = reader.meta.get("audio")
    if isinstance(value, dict):
        return _remote_enclosure(reader), None
    if value is not None and not isinstance(value, str):
        reader.error("audio", "must be a file name in the episode folder, or url/length/type/duration")
        return None, None
    if isinstance(value, str) and re.match(r"^[a-z]+://", value):
        reader.error("audio", "a URL needs its length, type and duration beside it",
                     hint="audio: {url: https://..., length: 12345678, type: audio/mpeg, duration: 1834}")
        return None, None
    audio_path = _find_audio(reader, folder, value)
    if audio_path is None:
        return None, None
    try:
        info = cache.info(audio_path)
    except CastnotesError as exc:
        reader.problems.extend(exc.problems)
        return None, None
    site_path = f"media/{slug}/{audio_path.name}"
    if settings.media.base_url:
        url = settings.media.base_url + quote(f"{slug}/{audio_path.name}")
    else:
        url = settings.show.url + quote(site_path)
        copies.append((audio_path, site_path))
    enclosure = Enclosure(
        url=with_prefix(url, settings.media.prefix),
        length=info.size,
        mime=info.mime,
        duration=info.duration,
        bitrate=info.bitrate,
        source_path=audio_path,
        site_path=None if settings.media.base_url else site_path,
    )
    return enclosure, info


def with_prefix(url: str, prefix: str | None) -> str:
    """Analytics prefixes (OP3, Podtrac, ...) take the URL without its scheme after them."""
    if not prefix:
        return url
    return prefix + re.sub(r"^https?://", "", url)


def _find_audio(reader: FieldReader, folder: Path, name: str | None) -> Path | None:
    if name:
        path = (folder / name).resolve()
        if not path.is_relative_to(folder.resolve()):
            reader.error("audio", f"{name!r} is outside the episode folder",
                         hint="put the audio file inside the episode folder")
            return None
        if not path.is_file():
            reader.error("audio", f"{name!r} not found in {folder.name}/")
            return None
        return path
    candidates = sorted(p for p in folder.iterdir()
                        if p.suffix.lower() in AUDIO_SUFFIXES + OTHER_MEDIA_SUFFIXES and p.is_file())
    if not candidates:
        reader.error("audio", f"no audio file in {folder.name}/",
                     hint="copy the episode's MP3 or M4A into the folder")
        return None
    if len(candidates) > 1:
        names = ", ".join(p.name for p in candidates)
        reader.error("audio", f"several audio files ({names}); say which one is the episode",
                     hint=f"add `audio: {candidates[0].name}`; the others become alternate formats")
        return None
    return candidates[0]


def _remote_enclosure(reader: FieldReader) -> Enclosure | None:
    item = FieldReader(reader.path, reader.meta["audio"], reader.problems, "audio.", reader.line("audio"))
    item.check_keys(REMOTE_AUDIO_KEYS, "audio key")
    url = item.url("url")
    length = item.integer("length", minimum=0)
    mime = item.text("type")
    duration = item.number("duration")
    for key, value in (("url", url), ("length", length), ("type", mime), ("duration", duration)):
        if value is None and not item.has(key):
            item.error(key, "missing", hint="remote audio needs url, length, type and duration")
    if url is None or length is None or mime is None or duration is None:
        return None
    return Enclosure(url=url, length=length, mime=mime, duration=duration)


# --- art, chapters, people ------------------------------------------------------------

def _episode_artwork(reader: FieldReader, folder: Path, page_path: str, settings: Settings,
                     tags: AudioInfo, cache: AudioCache, copies: list[tuple[Path, str]]) -> Artwork | None:
    name = reader.text("image")
    source: Path | None = None
    if name:
        source = (folder / name).resolve()
        if not source.is_relative_to(folder.resolve()) or not source.is_file():
            reader.error("image", f"{name!r} is not a file in the episode folder")
            return None
        if source.suffix.lower() not in IMAGE_SUFFIXES:
            reader.error("image", f"{name!r} must be a .jpg or .png file")
            return None
    else:
        source = next((folder / f"cover{s}" for s in IMAGE_SUFFIXES if (folder / f"cover{s}").is_file()),
                      None)
    if source is None and tags.art is not None:
        source = cache.picture_path(tags.art)
    if source is None:
        return None
    suffix = ".png" if source.suffix.lower() == ".png" else ".jpg"
    site_path = f"{page_path}cover{suffix}"
    copies.append((source, site_path))
    width, height = image_size(source)
    return Artwork(url=settings.show.url + site_path, site_path=site_path, source_path=source,
                   width=width, height=height)


def _show_artwork(settings: Settings) -> Artwork | None:
    """The show's artwork, published under a content-hashed name: apps cache art by URL."""
    source = settings.show.image_path
    if source is None:
        return None
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:10]
    suffix = ".png" if source.suffix.lower() == ".png" else ".jpg"
    site_path = f"artwork-{digest}{suffix}"
    width, height = image_size(source)
    return Artwork(url=settings.show.url + site_path, site_path=site_path, source_path=source,
                   width=width, height=height)


def image_size(path: Path) -> tuple[int | None, int | None]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, UnidentifiedImageError):
        return None, None


def _chapters(reader: FieldReader, folder: Path, page_path: str, tags: AudioInfo, cache: AudioCache,
              copies: list[tuple[Path, str]], problems: Problems) -> list[Chapter]:
    if reader.has("chapters"):
        return chapter_sources.chapters_from_front_matter(reader, folder, page_path, copies)
    json_path = folder / "chapters.json"
    if json_path.is_file():
        return chapter_sources.chapters_from_json(json_path, problems)
    return chapter_sources.chapters_from_audio(tags.chapters, page_path, cache.picture_path, copies)


def _guests(reader: FieldReader) -> tuple[Person, ...]:
    guests = []
    for item_reader, item in reader.entries("guests"):
        if isinstance(item, str):
            guests.append(Person(name=item.strip()))
            continue
        item_reader.check_keys(("name", "role", "group", "href", "img", "id"), "guest key")
        name = item_reader.text("name")
        if not name:
            item_reader.error("name", "each guest needs a name")
            continue
        guests.append(Person(
            name=name,
            role=item_reader.text("role") or "guest",
            group=item_reader.text("group") or "cast",
            href=item_reader.url("href"),
            img=item_reader.text("img"),
            id=item_reader.text("id"),
        ))
    return tuple(guests)


def _sponsors(reader: FieldReader) -> tuple[Sponsor, ...]:
    sponsors = []
    for item_reader, item in reader.entries("sponsors"):
        item_reader.check_keys(("name", "url", "text"), "sponsor key")
        name = item_reader.text("name")
        if not name:
            item_reader.error("name", "each sponsor needs a name")
            continue
        sponsors.append(Sponsor(name, item_reader.url("url"), item_reader.text("text")))
    return tuple(sponsors)


def _soundbites(reader: FieldReader, duration: float) -> tuple[Soundbite, ...]:
    bites = []
    for item_reader, item in reader.entries("soundbites"):
        item_reader.check_keys(("start", "duration", "title"), "soundbite key")
        start = chapter_sources.parse_time_value(item.get("start") if isinstance(item, dict) else None)
        length = item_reader.number("duration")
        if start is None or length is None or length <= 0:
            item_reader.error("start", "each soundbite needs start (a time) and duration (seconds)")
            continue
        if duration and start + length > duration + 0.5:
            item_reader.error("start", "the soundbite runs past the end of the audio")
            continue
        bites.append(Soundbite(start, length, item_reader.text("title", max_len=128)))
    return tuple(bites)


def _related(reader: FieldReader, folder: Path, settings: Settings, lookup: Any) -> tuple[str, ...]:
    """`related: [../017-x/episode.md]` (or the folder) -> the slugs of those episodes."""
    episodes_dir = (settings.root / EPISODES_DIR).resolve()
    slugs = []
    for value in reader.strings("related"):
        target = (folder / value).resolve()
        if target.name == EPISODE_FILE:
            target = target.parent
        site = lookup(target.name) if target.parent == episodes_dir else None
        if site is None:
            reader.error("related", f"{value!r} is not an episode", hint="use ../<folder>/episode.md")
            continue
        slugs.append(posixpath.basename(site.rstrip("/")))
    return tuple(slugs)


