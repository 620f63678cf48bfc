"""Episode rules: IT-*, IT-ENC-*, IT-GUID-*, plus XML-4/XML-5 for episode values.

Split in two so a build can keep each episode's findings between builds: `check_item`
runs every rule that reads one <item> (and the channel's title and type, given as an
`ItemContext`), `check_item_list` the few that compare items with each other, from the
`ItemFacts` each item's check returns.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from posixpath import splitext
from typing import Callable, Sequence
from urllib.parse import unquote, urlsplit

from lxml import etree

from castnotes.audio.types import (
    APPLE_SUFFIXES,
    APPLE_TYPES,
    MEDIA_TYPES,
    OTHER_SUFFIXES,
    PDF,
)
from castnotes.checks.artwork import check_artwork
from castnotes.checks.podcast20 import check_item_podcasting
from castnotes.checks.channel import (
    I,
    check_description,
    check_explicit,
    check_value,
    text_of,
)
from castnotes.checks.report import Lint
from castnotes.checks.resources import Resources
from castnotes.checks.values import (
    DURATION_RE,
    SAFE_PATH_RE,
    date_problem,
)
from castnotes.fields import is_http_url
from castnotes.timecode import parse_timestamp

# The types each file suffix may carry (from the one media table; PDF is Apple's document enclosure).
TYPES_BY_SUFFIX = {row.suffix: row.accepted for row in MEDIA_TYPES} | {".pdf": frozenset({PDF})}
DESCRIPTION_TAGS = {"p", "ol", "ul", "li", "a"}  # what Apple shows
DURATION_SLACK = 2.0  # seconds between itunes:duration and the audio's real length


@dataclass(frozen=True, slots=True)
class ItemContext:
    """What the episode rules read from the channel: is the show serial, and its title."""

    serial: bool
    show_title: str


def item_context(channel: etree._Element) -> ItemContext:
    return ItemContext(serial=(text_of(channel, f"{I}type") or "").strip() == "serial",
                       show_title=(text_of(channel, "title") or "").strip())


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What the rules over the whole list of items need of one item."""

    title: str  # stripped, "" when absent
    guid: str | None  # stripped, None when absent or empty
    url: str | None  # the enclosure URL, stripped
    enclosure: bool  # it has an <enclosure> at all


def check_items(channel: etree._Element, lint: Lint, resources: Resources) -> None:
    """Every episode rule over the items of a parsed feed."""
    context = item_context(channel)
    items = list(channel.iter("item"))
    facts = [check_item(item, context, lint, resources) for item in items]
    check_item_list(channel, facts, lint, items.__getitem__)


def check_item(item: etree._Element, context: ItemContext, lint: Lint, resources: Resources) -> ItemFacts:
    """Every rule that reads this one item (Podcasting 2.0 and chapter tags included).

    Each finding is reported at `item`: a build keeps them with the item's bytes.
    """
    _title(item, context.show_title, lint)
    url = _enclosure(item, lint, resources)
    guid = _guid(item, lint)
    _date(item, lint)
    _description(item, lint)
    _itunes(item, context.serial, lint, resources, url)
    link = (text_of(item, "link") or "").strip()
    if not is_http_url(link):
        lint.report("IT-LINK", "the episode has no <link> to its page" if not link
                    else f"the episode <link> {link!r} is not an absolute http(s) URL", item, None)
    if context.serial:
        kind = (text_of(item, f"{I}episodeType") or "full").strip()
        if kind == "full" and item.find(f"{I}episode") is None:
            lint.report("CH-TYPE", "a serial show numbers every full episode; this one has no "
                        "<itunes:episode>", item, "number", hint="add `number:` to the episode")
    check_item_podcasting(item, lint, resources)
    return ItemFacts(title=(text_of(item, "title") or "").strip(), guid=guid, url=url,
                     enclosure=item.find("enclosure") is not None)


def check_item_list(channel: etree._Element, facts: Sequence[ItemFacts], lint: Lint,
                    element: Callable[[int], etree._Element]) -> None:
    """The rules across items: GUIDs and enclosures used twice, a feed with nothing to play.

    `element(i)` gives the i-th item to report at (only called for a finding).
    """
    guids: dict[str, list[int]] = defaultdict(list)
    urls: dict[str, list[int]] = defaultdict(list)
    for index, fact in enumerate(facts):
        if fact.guid:
            guids[fact.guid].append(index)
        if fact.url:
            urls[fact.url].append(index)
    for guid, indexes in guids.items():
        for index in indexes[1:]:
            lint.report("IT-GUID-1", f"GUID {guid!r} is used by {len(indexes)} episodes; apps keep only one",
                        element(index), "guid")
    for url, indexes in urls.items():
        for index in indexes[1:]:
            lint.report("IT-ENC-5", f"the enclosure {url} is used by {len(indexes)} episodes",
                        element(index), "audio")
    if not any(fact.enclosure for fact in facts):
        lint.report("CH-ITEMS", "the feed has no episode with an enclosure; directories refuse or hide "
                    "an empty show", channel, None)


def _title(item: etree._Element, show_title: str, lint: Lint) -> None:
    title = (text_of(item, "title") or "").strip()
    if not title:
        lint.report("IT-TITLE", "the episode has no <title>", item, "title")
        return
    for path, key in (("title", "title"), (f"{I}author", None), (f"{I}subtitle", None)):
        check_value(item, path, key, lint)
    if re.match(r"^(episode|ep\.?|#)\s*\d+\b", title, re.IGNORECASE):
        lint.report("IT-TITLE", f"the title {title!r} starts with the episode number",
                    item, "title", severity="warning",
                    hint="apps show the number from itunes:episode; keep it out of the title")
    elif show_title and len(show_title) > 3 and title.lower().startswith(show_title.lower()):
        lint.report("IT-TITLE", f"the title {title!r} repeats the show's name", item, "title",
                    severity="warning", hint="apps already show the show's name beside the episode")


def _enclosure(item: etree._Element, lint: Lint, resources: Resources) -> str | None:
    """Check the one enclosure; return its URL (for the duplicate check) when it has one."""
    enclosures = item.findall("enclosure")
    if not enclosures:
        lint.report("IT-ENC-1", "the episode has no <enclosure>; apps cannot play it", item, "audio")
        return None
    if len({e.get("url") for e in enclosures}) > 1:
        lint.report("IT-ENC-1", f"the episode has {len(enclosures)} enclosures; apps take one "
                    "(gPodder drops the episode)", item, "audio",
                    hint="keep one enclosure; offer other formats with podcast:alternateEnclosure")
    enclosure = enclosures[0]
    url, length, mime = (enclosure.get(k) for k in ("url", "length", "type"))
    missing = [k for k, v in (("url", url), ("length", length), ("type", mime)) if v is None]
    if missing:
        lint.report("IT-ENC-1", f"<enclosure> lacks {', '.join(missing)}", item, "audio")
    if url is not None:
        _enclosure_url(url.strip(), mime, item, lint)
        _safe_url(url.strip(), "enclosure", item, "audio", lint)
    if length is not None:
        _enclosure_length(length.strip(), url, item, lint, resources)
    return url.strip() if url else None


def _enclosure_url(url: str, mime: str | None, item: etree._Element, lint: Lint) -> None:
    if not is_http_url(url):
        lint.report("IT-ENC-2", f"the enclosure URL {url!r} is not an absolute http(s) URL", item, "audio")
        return
    suffix = splitext(urlsplit(url).path)[1].lower()
    if suffix in OTHER_SUFFIXES:
        lint.report("IT-ENC-2", f"Apple Podcasts does not list {suffix} episodes (other apps play them)",
                    item, "audio", severity="warning", hint="publish an MP3 or M4A as the main enclosure")
    elif suffix not in APPLE_SUFFIXES:
        lint.report("IT-ENC-2", f"the enclosure URL does not end in a media file extension ({url})",
                    item, "audio")
    if mime is None:
        return
    mime = mime.strip().lower()
    if mime not in APPLE_TYPES:
        other = any(mime in types for s, types in TYPES_BY_SUFFIX.items() if s in OTHER_SUFFIXES)
        lint.report("IT-ENC-3", f"the enclosure type {mime!r} is not one Apple takes"
                    + (" (other apps play it)" if other else ""), item, "audio",
                    severity="warning" if other else None,
                    hint="audio/mpeg for .mp3" if mime in ("audio/mp3", "audio/mpeg3") else None)
    expected = TYPES_BY_SUFFIX.get(suffix)
    if expected and mime not in expected:
        lint.report("IT-ENC-3", f"the enclosure type {mime!r} does not match its {suffix} file",
                    item, "audio", hint=f"use type=\"{sorted(expected)[0]}\"")


def _enclosure_length(length: str, url: str | None, item: etree._Element, lint: Lint,
                      resources: Resources) -> None:
    if not length.isdigit():
        lint.report("IT-ENC-4", f"the enclosure length {length!r} is not a whole number of bytes",
                    item, "audio")
        return
    if int(length) == 0:
        lint.report("IT-ENC-4", "the enclosure length is 0; apps read it as unknown", item, "audio")
        return
    size = resources.size(url.strip()) if url else None
    if size is not None and size != int(length):
        lint.report("IT-ENC-4", f"the enclosure length says {length} bytes; the file has {size}",
                    item, "audio")


def _safe_url(url: str, what: str, item: etree._Element, key: str, lint: Lint) -> None:
    path = unquote(urlsplit(url).path)
    if not SAFE_PATH_RE.match(path.replace("%", "")) or not url.isascii():
        lint.report("XML-5", f"the {what} URL has characters other than a-z, 0-9, - _ . / ({url})",
                    item, key)


def _guid(item: etree._Element, lint: Lint) -> str | None:
    element = item.find("guid")
    value = (element.text or "").strip() if element is not None else ""
    if not value:
        lint.report("IT-GUID-1", "the episode has no <guid>; apps fall back to the enclosure URL and "
                    "duplicate the episode when it changes", item, "guid")
        return None
    permalink = element.get("isPermaLink")
    if permalink is not None and permalink not in ("true", "false"):
        lint.report("IT-GUID-2", f"isPermaLink={permalink!r} must be \"true\" or \"false\"", item, "guid")
    elif permalink != "false" and not is_http_url(value):
        lint.report("IT-GUID-2", f"the GUID {value!r} is not a URL, so it needs isPermaLink=\"false\"",
                    item, "guid")
    if value.isdigit() and len(value) < 9:
        lint.report("IT-GUID-2", f"the GUID {value!r} is a short number; it may clash with other shows'",
                    item, "guid")
    return value


def _date(item: etree._Element, lint: Lint) -> None:
    value = text_of(item, "pubDate")
    if value is None or not value.strip():
        lint.report("IT-DATE", "the episode has no <pubDate>", item, "date")
    elif problem := date_problem(value):
        lint.report("IT-DATE", problem, item, "date")


def _description(item: etree._Element, lint: Lint) -> None:
    text = check_description(item, "IT-DESC", "summary", lint)
    if text is None:
        return
    tags = sorted({t.lower() for t in re.findall(r"</?\s*([A-Za-z][A-Za-z0-9]*)", text)} - DESCRIPTION_TAGS)
    if tags:
        lint.report("IT-DESC", f"the description uses HTML tags Apple does not show ({', '.join(tags)})",
                    item, "summary")


def _itunes(item: etree._Element, serial: bool, lint: Lint, resources: Resources, url: str | None) -> None:
    duration = text_of(item, f"{I}duration")
    if duration is None:
        lint.report("IT-DUR", "the episode has no <itunes:duration>", item, "audio")
    elif not DURATION_RE.match(duration.strip()):
        lint.report("IT-DUR", f"<itunes:duration> {duration.strip()!r} is not whole seconds (or H:MM:SS)",
                    item, "audio")
    elif url and (real := resources.duration(url)) is not None:
        given = parse_timestamp(duration) or 0
        if abs(given - real) > DURATION_SLACK:
            lint.report("IT-DUR", f"<itunes:duration> says {given:.0f} s; the audio lasts {real:.0f} s",
                        item, "audio")
    explicit = text_of(item, f"{I}explicit")
    if explicit is not None and (problem := check_explicit(explicit)):
        lint.report("IT-EXPL", problem[1], item, "explicit")
    for tag, key in (("episode", "number"), ("season", "season")):
        value = text_of(item, f"{I}{tag}")
        if value is not None and not (value.strip().isdigit() and int(value.strip()) > 0):
            lint.report("IT-NUM", f"<itunes:{tag}> {value.strip()!r} is not a positive whole number",
                        item, key, severity="error" if serial else None)
    kind = text_of(item, f"{I}episodeType")
    if kind is not None and kind.strip() not in ("full", "trailer", "bonus"):
        lint.report("IT-TYPE", f"<itunes:episodeType> {kind.strip()!r} must be full, trailer or bonus",
                    item, "type")
    image = item.find(f"{I}image")
    if image is not None:
        href = (image.get("href") or "").strip()
        if not is_http_url(href):
            lint.report("IT-IMG", "<itunes:image> needs an absolute href", item, "image")
        elif (data := resources.read(href)) is not None:
            check_artwork(data, href, resources.label(href), lint, item, "image", rule="IT-IMG")
