"""Which items of an old feed become which episode folders, with what front matter.

Pure: an `OldFeed` and what the show already holds in, an `ImportPlan` out. Every
item ends with an outcome (imported, already there, left for a later run, skipped)
and every guess or loss is a warning with the item's line in the feed, so the host
sees exactly what moved and what did not.

Subscribers' apps know an episode by its GUID, and fetch it from its enclosure URL:
both are copied byte for byte. An item without a GUID gets the one gPodder and other
apps already use for it (its link, else its enclosure URL: podcastparser's rule).
"""

from __future__ import annotations

import itertools
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from castnotes.audio.types import APPLE_TYPES, BY_SUFFIX
from castnotes.errors import Problem, SourceLocation
from castnotes.fields import CONTROL_CHARACTERS, is_http_url
from castnotes.importing.extras import episode_extras
from castnotes.importing.html import html_to_markdown, html_to_text, text_to_markdown
from castnotes.importing.oldfeed import OldEnclosure, OldFeed, OldItem
from castnotes.model import EPISODE_TYPES
from castnotes.slugs import slugify
from castnotes.timecode import compact_seconds, parse_timestamp

# Unofficial spellings of a type old hosts wrote, and the file type (audio/types.py) they mean.
TYPE_ALIASES = {"audio/mp3": ".mp3", "audio/mpeg3": ".mp3", "audio/x-mp3": ".mp3", "audio/x-mpeg": ".mp3",
                "audio/mpg": ".mp3", "audio/x-mpeg-3": ".mp3", "audio/x-mp4": ".m4a"}


@dataclass(frozen=True, slots=True)
class ExistingShow:
    """What the show folder already holds: imported items with these GUIDs are left alone."""

    guids: frozenset[str] = frozenset()
    slugs: frozenset[str] = frozenset()
    folders: frozenset[str] = frozenset()
    numbers: frozenset[int] = frozenset()  # episode numbers (itunes:episode) already used


@dataclass(frozen=True, slots=True)
class PlannedEpisode:
    position: int  # the item's place in the feed
    folder: str
    slug: str
    guid: str
    date: datetime
    audio_url: str
    audio_length: int | None  # as the feed declared it
    meta: dict[str, Any]  # the front matter, in the order it is written
    body: str  # Markdown


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    position: int
    line: int | None
    label: str  # the title, or "item N"
    status: str  # "imported", "present", "limited", "skipped"
    reason: str | None = None
    guid: str | None = None
    folder: str | None = None


@dataclass(frozen=True, slots=True)
class ImportPlan:
    episodes: tuple[PlannedEpisode, ...]
    outcomes: tuple[ItemOutcome, ...]
    problems: tuple[Problem, ...] = field(default=())  # warnings
    seasons: dict[int, str] = field(default_factory=dict)  # season names (podcast:season name)


@dataclass
class _Candidate:
    item: OldItem
    guid: str
    title: str
    date: datetime
    enclosure: OldEnclosure
    mime: str
    duration: float


class _Notes:
    """Warnings about one feed, each placed at an item's line."""

    def __init__(self, where: Path | None, label: str):
        self.where, self.label, self.items = where, label, []
        self.positions: list[int | None] = []  # the item each warning is about (None: the feed)

    def about(self, outcomes: dict[int, "ItemOutcome"]) -> tuple[Problem, ...]:
        """The warnings, without those about items the show already has: a re-import reports
        only what it touches."""
        return tuple(p for p, position in zip(self.items, self.positions)
                     if position is None or outcomes.get(position) is None
                     or outcomes[position].status != "present")

    def warn(self, item: OldItem | None, message: str, hint: str | None = None) -> None:
        text = message
        if item is not None:
            name = f"item {item.position} ({item.title!r})" if item.title else f"item {item.position}"
            text = f"{name}: {message}"
            if self.where is None and item.line:
                text += f" [{self.label} line {item.line}]"
        line = item.line if item is not None and self.where is not None else None
        self.items.append(Problem(text, SourceLocation(self.where, line), severity="warning", hint=hint))
        self.positions.append(item.position if item is not None else None)


def plan_import(feed: OldFeed, existing: ExistingShow, *, limit: int | None, now: datetime,
                where: Path | None = None, label: str = "feed") -> ImportPlan:
    notes = _Notes(where, label)
    outcomes: dict[int, ItemOutcome] = {}
    seen: dict[str, _Candidate] = {}  # by GUID, in the feed's order
    for item in feed.items:
        candidate = _candidate(item, feed, now, notes, outcomes)
        if candidate is None:
            continue
        if (first := seen.get(candidate.guid)) is not None:
            reason = (f"has the same GUID as item {first.item.position} ({first.title!r}): "
                      "apps keep only one of them, so only the first is imported")
            _skip(item, reason, notes, outcomes, candidate.guid)
        else:
            seen[candidate.guid] = candidate
    candidates = list(seen.values())

    by_url: dict[str, _Candidate] = {}
    for candidate in candidates:
        first = by_url.setdefault(candidate.enclosure.url, candidate)
        if first is not candidate:
            notes.warn(candidate.item, f"has the same audio as item {first.item.position} ({first.title!r}), "
                       f"{candidate.enclosure.url}; both are kept (their GUIDs differ), and a build warns "
                       "(IT-ENC-5: Apple lists one file once)")
    # Folder numbers follow the feed's order in time, so a later run numbers alike.
    in_time = sorted(candidates, key=lambda c: (c.date, -c.item.position))
    order = {c.item.position: i + 1 for i, c in enumerate(in_time)}
    new = [c for c in in_time if c.guid not in existing.guids]
    for candidate in in_time:
        if candidate.guid in existing.guids:
            outcomes[candidate.item.position] = _outcome(candidate, "present")
    if limit is not None and len(new) > limit:
        kept = {id(c) for c in sorted(new, key=lambda c: c.date, reverse=True)[:limit]}
        for candidate in new:
            if id(candidate) not in kept:
                outcomes[candidate.item.position] = _outcome(candidate, "limited",
                                                             f"left for a later run (--limit {limit})")
        new = [c for c in new if id(c) in kept]

    slugs, folders = set(existing.slugs), set(existing.folders)
    numbers = set(existing.numbers) | {n for c in candidates if (n := _quiet_positive(c.item.number_text))}
    episodes = []
    lost: Counter[str] = Counter()
    seasons: dict[int, str] = {}
    for candidate in new:
        episode = _episode(candidate, feed, order[candidate.item.position], slugs, folders, numbers, notes)
        episodes.append(episode)
        if candidate.item.season_name and episode.meta.get("season"):
            seasons.setdefault(episode.meta["season"], candidate.item.season_name)
        outcomes[candidate.item.position] = _outcome(candidate, "imported", folder=episode.folder)
        lost.update(candidate.item.other_tags)
        if candidate.item.author and feed.channel.author and candidate.item.author != feed.channel.author:
            lost["itunes:author (the episode's own)"] += 1
    if lost:
        listed = ", ".join(f"{tag} ({count} episode{'s' if count != 1 else ''})"
                           for tag, count in sorted(lost.items()))
        notes.warn(None, f"not imported, castnotes has no place for them yet: {listed}")
    return ImportPlan(tuple(episodes), tuple(outcomes[i] for i in sorted(outcomes)), notes.about(outcomes),
                      seasons)


def _outcome(candidate: _Candidate, status: str, reason: str | None = None,
             folder: str | None = None) -> ItemOutcome:
    item = candidate.item
    return ItemOutcome(item.position, item.line, candidate.title, status, reason, candidate.guid, folder)


def _skip(item: OldItem, reason: str, notes: _Notes, outcomes: dict[int, ItemOutcome],
          guid: str | None = None, hint: str | None = None) -> None:
    notes.warn(item, f"skipped: {reason}", hint)
    outcomes[item.position] = ItemOutcome(item.position, item.line, item.title or f"item {item.position}",
                                          "skipped", reason, guid)


# --- one item ------------------------------------------------------------------------------

def _candidate(item: OldItem, feed: OldFeed, now: datetime, notes: _Notes,
               outcomes: dict[int, ItemOutcome]) -> _Candidate | None:
    enclosure, reason, hint = _pick_enclosure(item, notes)
    if enclosure is None:
        _skip(item, reason or "no enclosure", notes, outcomes, hint=hint)
        return None
    suffix = posixpath.splitext(urlsplit(enclosure.url).path)[1].lower()
    if suffix not in BY_SUFFIX:
        notes.warn(item, f"the enclosure address {enclosure.url} does not end in a media file extension; kept "
                         "as it is (apps play it; Apple's directory asks for .mp3, .m4a ...): a build warns")
    mime = (enclosure.type or "").strip() or None
    row = BY_SUFFIX.get(suffix)  # the type by file name, for feeds that leave `type` out
    if not mime:
        mime = row.mime if row else None
        if mime is None:
            _skip(item, f"its enclosure has no type, and its address does not say one: {enclosure.url}",
                  notes, outcomes, hint="add type=\"audio/mpeg\" (or the right type) to the enclosure")
            return None
        notes.warn(item, f"the enclosure has no type; using {mime}, from the file name")
    elif mime.lower() in TYPE_ALIASES and row is None:
        meant = BY_SUFFIX[TYPE_ALIASES[mime.lower()]].mime
        notes.warn(item, f"the enclosure type {mime!r} is not one Apple lists; the new feed says {meant}, "
                         "the same format")
        mime = meant
    elif row and (mime.lower() not in row.accepted or row.apple and mime.lower() not in APPLE_TYPES):
        notes.warn(item, f"the enclosure type {mime!r} is not one Apple takes for a {suffix} file; "
                         f"the new feed says {row.mime}")
        mime = row.mime
    guid = _without_controls(item.guid, "GUID", item, notes)
    if guid is None:
        guid = enclosure.written_url or enclosure.url  # the address as apps read it from the old feed
        notes.warn(item, f"has no <guid>; its GUID is now its enclosure URL, {guid}, the id Apple Podcasts and "
                         "the Podcasting 2.0 recommendations give such an item",
                   hint="keep the guid castnotes wrote into episode.md")
    title = _without_controls(item.title, "title", item, notes)
    if title is None:
        title = posixpath.splitext(posixpath.basename(unquote(urlsplit(enclosure.url).path)))[0] or "Untitled"
        notes.warn(item, f"has no title; using {title!r}, from the file name (as podcast apps do)")
    date = item.published
    if date is None:
        date = feed.channel.published or now.replace(microsecond=0)
        where = "the feed's own date" if feed.channel.published else "the time of this import"
        shown = f" ({item.published_text!r} is not a date)" if item.published_text else ""
        notes.warn(item, f"has no publish date{shown}; dated {date.isoformat()}, {where}",
                   hint="correct `date:` in its episode.md")
    elif item.published_note:
        notes.warn(item, item.published_note)
    if date > now:
        notes.warn(item, f"is dated {date.isoformat()}, in the future; the old feed lists it, so it stays "
                         "published (a build keeps it in the feed)")
    duration = parse_timestamp(item.duration_text) if item.duration_text else None
    if duration is None and item.duration_text:
        notes.warn(item, f"itunes:duration {item.duration_text!r} is not a duration; the new feed leaves it "
                         "out, as for an episode without one", hint="import with --download to measure the file")
    return _Candidate(item, guid, title, date, enclosure, mime, duration or 0.0)


def _without_controls(text: str | None, what: str, item: OldItem, notes: _Notes) -> str | None:
    """`text` without control characters (XML cannot carry them; a build refuses them)."""
    if text is None or not CONTROL_CHARACTERS.search(text):
        return text
    found = ", ".join(sorted({f"U+{ord(c):04X}" for c in CONTROL_CHARACTERS.findall(text)}))
    notes.warn(item, f"its {what} held control characters ({found}), which XML cannot carry; removed")
    return CONTROL_CHARACTERS.sub("", text).strip() or None


def _pick_enclosure(item: OldItem, notes: _Notes) -> tuple[OldEnclosure | None, str | None, str | None]:
    """The first audio or video enclosure (apps play the first), or why there is none."""
    if not item.enclosures:
        return None, "it has no enclosure (no audio file)", None
    media = [e for e in item.enclosures if not e.type or e.type.split("/")[0] in ("audio", "video")
             or e.type == "application/octet-stream"]
    if not media:
        return None, f"its enclosure is not audio or video ({item.enclosures[0].type})", None
    enclosure = media[0]
    if not re.match(r"^https?://", enclosure.url, re.I):
        if "://" in enclosure.url:
            return None, f"the enclosure address is not http(s): {enclosure.url}", None
        return None, (f"the enclosure address {enclosure.url!r} is relative, and the feed's own "
                      "address is unknown"), "import the feed from its URL instead of a saved file"
    if re.search(r"\s", enclosure.url):
        # A space apps already encode as %20 when they fetch it: the same file, written correctly.
        encoded = re.sub(r"\s", lambda m: quote(m.group()), enclosure.url)
        notes.warn(item, f"the enclosure address {enclosure.url!r} holds spaces; the new feed writes them "
                         f"as %20 (the address apps fetch): {encoded}")
        enclosure = replace(enclosure, url=encoded, written_url=enclosure.url)
    others = {e.url for e in item.enclosures} - {enclosure.url, enclosure.written_url}
    if others:
        notes.warn(item, f"has {len(others) + 1} enclosures; imported the first, {enclosure.url}, "
                         "which is the one apps play")
    return enclosure, None, None


def _episode(candidate: _Candidate, feed: OldFeed, order: int, slugs: set[str], folders: set[str],
             numbers: set[int], notes: _Notes) -> PlannedEpisode:
    item = candidate.item
    number = _positive(item.number_text, "itunes:episode", item, notes)
    slug = unique_slug(slugify(candidate.title, max_length=50) or "episode", slugs)
    folder = f"{number or order:03d}-{slug}"
    while folder in folders:
        slug = unique_slug(slug, slugs | {slug})
        folder = f"{number or order:03d}-{slug}"
    slugs.add(slug)
    folders.add(folder)
    body = _without_controls(_body(item), "notes", item, notes) or ""
    meta = {"title": candidate.title, "date": candidate.date, "guid": candidate.guid}
    # RSS reads a <guid> without isPermaLink as a permalink; castnotes writes "false" unless told
    if item.guid is not None and (item.guid_permalink or item.guid_permalink is None and is_http_url(item.guid)):
        meta["guid_permalink"] = True
    if item.itunes_title and item.itunes_title != candidate.title:
        meta["itunes_title"] = _without_controls(item.itunes_title, "itunes:title", item, notes)
    episode_type = (item.episode_type or "").lower() or None
    if episode_type and episode_type not in EPISODE_TYPES:
        notes.warn(item, f"itunes:episodeType {item.episode_type!r} is not full, trailer or bonus; left out")
        episode_type = None
    if number is None and episode_type in (None, "full") and (feed.channel.type_text or "").lower() == "serial":
        number = order
        while number in numbers:  # never a number another episode has, in any season
            number += 1
        numbers.add(number)
        place = "its place in the feed" if number == order else f"the first number after its place ({order}) " \
                                                                 "that no other episode has"
        notes.warn(item, f"a serial show numbers every full episode; this one had no itunes:episode and "
                         f"is number {number}, {place}")
    if number is not None:
        meta["number"] = number
    elif episode_type != "trailer":
        meta["number"] = None  # the folder's digits are its place in the feed, not an episode number
    season = _positive(item.season_text, "itunes:season", item, notes)
    if season is not None:
        meta["season"] = season
    if episode_type:
        meta["type"] = episode_type
    explicit = {"yes": True, "true": True, "explicit": True, "no": False, "false": False,
                "clean": False}.get((item.explicit_text or "").lower())
    if explicit is not None:
        meta["explicit"] = explicit
    if summary := _summary(item):
        meta["summary"] = summary
    if is_http_url(item.image):
        meta["image"] = item.image
    elif item.image:
        notes.warn(item, f"itunes:image {item.image!r} is not an http(s) URL; left out")
    meta["audio"] = {"url": candidate.enclosure.url, "length": candidate.enclosure.length or 0,
                     "type": candidate.mime}
    if candidate.duration:  # none in the old feed: none in the new one until --download measures it
        meta["audio"]["duration"] = compact_seconds(candidate.duration)
    meta.update(episode_extras(item, candidate.duration, lambda message: notes.warn(item, message)))
    if item.keywords:
        meta["categories"] = list(item.keywords)
    meta = _scrubbed(meta, item, notes)
    return PlannedEpisode(item.position, folder, slug, candidate.guid, candidate.date,
                          candidate.enclosure.url, candidate.enclosure.length, meta, body)


def _scrubbed(meta: dict[str, Any], item: OldItem, notes: _Notes) -> dict[str, Any]:
    """The front matter without control characters in any value (summary, guests, chapters ...)."""
    found: set[str] = set()

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            found.update(CONTROL_CHARACTERS.findall(value))
            return CONTROL_CHARACTERS.sub("", value)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    cleaned = clean(meta)
    if found:
        codes = ", ".join(sorted(f"U+{ord(c):04X}" for c in found))
        notes.warn(item, f"control characters ({codes}), which XML cannot carry, removed from its front matter")
    return cleaned


def _body(item: OldItem) -> str:
    return html_to_markdown(item.notes, item.link) if item.notes_are_html else text_to_markdown(item.notes)


def _summary(item: OldItem) -> str | None:
    """itunes:subtitle, else itunes:summary, else the short <description> beside content:encoded,
    when it says something the notes do not start with (apps show it in episode lists)."""
    for text in (item.subtitle, item.itunes_summary, item.description):
        if not text:
            continue
        plain = html_to_text(text)
        if plain and html_to_text(item.notes)[:len(plain)] != plain:
            return plain
    return None


def _quiet_positive(text: str | None) -> int | None:
    try:
        value = float(text or "")
    except ValueError:
        return None
    return int(value) if value >= 1 and value.is_integer() else None  # not inf


def _positive(text: str | None, tag: str, item: OldItem, notes: _Notes) -> int | None:
    value = _quiet_positive(text)
    if text and value is None:
        notes.warn(item, f"{tag} {text!r} is not a positive whole number; left out")
    return value


# --- names ---------------------------------------------------------------------------------

def unique_slug(slug: str, taken: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3` ... when taken; digits that belong to the title stay
    (`episode-3` becomes `episode-3-2`, never `episode-2`, which another episode may be)."""
    if slug not in taken:
        return slug
    return next(f"{slug}-{number}" for number in itertools.count(2) if f"{slug}-{number}" not in taken)
