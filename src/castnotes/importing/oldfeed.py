"""Another host's podcast feed -> plain data (`OldFeed`), for `castnotes import`.

feedparser reads the feed the way podcast apps do: lenient about broken XML,
entities decoded, the GUID, title, link, enclosures and dates as apps see them.
lxml reads the same bytes a second time for what feedparser flattens or loses: the
Podcasting 2.0 tags (feedparser keeps only the last of repeated tags, without their
text), itunes:summary apart from the description, itunes:explicit as written, and
each item's line for messages. Items of the two are matched by position.

Nothing here decides what to import; `importplan` does, with warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser
from lxml import etree

from castnotes.errors import CastnotesError
from castnotes.fields import is_http_url
from castnotes.feedxml import (
    attr_or_text,
    channel_element,
    child_elements,
    child_text,
    feed_link_hint,
    is_html_page,
    item_elements,
    other_tags,
    parse_xml,
    self_link,
    tag_family,
    tag_values,
)
from castnotes.importing.html import looks_like_html

# Tags whose content the importer carries over; any other itunes:/podcast: tag is reported.
ITEM_TAGS = {"itunes": {"title", "episode", "season", "episodetype", "explicit", "image", "duration",
                        "summary", "subtitle", "keywords", "author"},
             "podcast": {"chapters", "transcript", "person", "soundbite", "season", "episode", "funding",
                         "license", "location"}}
CHANNEL_PODCAST_TAGS = ("guid", "locked", "funding", "person", "license", "medium", "location", "txt",
                        "block", "updateFrequency")
CHANNEL_TAGS = {"itunes": {"title", "author", "owner", "image", "category", "explicit", "type",
                           "keywords", "new-feed-url", "summary", "subtitle", "block", "complete"},
                "podcast": {t.lower() for t in CHANNEL_PODCAST_TAGS} | {"podroll"}}
# A podcast:* tag as read: its attributes, and its text under "text".
TagValues = tuple[dict[str, str], ...]


@dataclass(frozen=True, slots=True)
class OldEnclosure:
    url: str  # absolute when the feed or its address allowed resolving it
    length: int | None
    type: str | None
    written_url: str | None = None  # as the old feed wrote it, when the import had to correct it


@dataclass(frozen=True, slots=True)
class OldPerson:
    name: str
    role: str | None = None
    group: str | None = None
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True, slots=True)
class OldItem:
    position: int  # 1-based, in document order
    line: int | None
    guid: str | None
    title: str | None
    link: str | None
    published: datetime | None  # the exact instant, in the offset the feed wrote
    published_text: str | None
    enclosures: tuple[OldEnclosure, ...]
    duration_text: str | None = None
    published_note: str | None = None  # how a date feedparser could not read was read
    guid_permalink: bool | None = None  # the <guid isPermaLink> attribute; None: not written
    itunes_title: str | None = None
    number_text: str | None = None
    season_text: str | None = None
    episode_type: str | None = None
    explicit_text: str | None = None
    author: str | None = None
    image: str | None = None
    subtitle: str | None = None
    itunes_summary: str | None = None
    description: str | None = None  # the short <description>, when content:encoded holds the notes
    notes: str = ""
    notes_are_html: bool = True
    keywords: tuple[str, ...] = ()
    chapters_url: str | None = None
    psc_chapters: tuple[dict[str, str], ...] = ()
    transcripts: tuple[dict[str, str], ...] = ()
    persons: tuple[OldPerson, ...] = ()
    soundbites: tuple[dict[str, str], ...] = ()
    funding: TagValues = ()
    license: TagValues = ()
    locations: TagValues = ()
    season_name: str | None = None
    other_tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OldChannel:
    title: str | None
    description: str  # HTML or text
    link: str | None
    language: str | None
    author: str | None
    owner_name: str | None
    owner_email: str | None
    image_url: str | None
    categories: tuple[tuple[str, str | None], ...]
    explicit_text: str | None
    type_text: str | None
    copyright: str | None
    keywords: tuple[str, ...]
    new_feed_url: str | None
    self_url: str | None
    podcast_guid: str | None
    published: datetime | None = None  # the channel's pubDate or lastBuildDate
    podcast: dict[str, TagValues] = field(default_factory=dict)  # CHANNEL_PODCAST_TAGS, and podroll
    itunes_block: str | None = None
    itunes_complete: str | None = None
    other_tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OldFeed:
    channel: OldChannel
    items: tuple[OldItem, ...]
    xml_problem: str | None = None  # the feed is not well-formed XML, but parsers read it
    extras_lost: bool = False  # items could not be matched for the Podcasting 2.0 tags


def parse_old_feed(data: bytes, *, base_url: str | None = None, where: Path | None = None) -> OldFeed:
    """Read a podcast feed; raise CastnotesError when the bytes are not one."""
    if not data.strip():
        raise CastnotesError.single("the feed is empty (0 bytes)", where,
                                    hint="check the address or the file")
    if is_html_page(data):
        raise CastnotesError.single("this is a web page (HTML), not a podcast feed", where,
                                    hint=feed_link_hint(data, base_url))
    xml_problem, tree = parse_xml(data)
    base_url = base_url or self_link(tree)  # a saved feed names its own address
    parsed = feedparser.parse(data)
    if not parsed.get("version"):
        if xml_problem:
            raise CastnotesError.single(f"not a podcast feed: the file is not XML ({xml_problem})", where,
                                        hint="import the RSS feed's address or file")
        root = etree.QName(tree).localname if tree is not None else "?"
        raise CastnotesError.single(f"not a podcast feed: the document is <{root}>, not <rss> or <feed>",
                                    where, hint="import the RSS feed's address or file")
    elements = item_elements(tree) if tree is not None else []
    entries = parsed.entries
    matched = len(elements) == len(entries)
    items = tuple(
        _item(i + 1, entry, elements[i] if matched else None, base_url)
        for i, entry in enumerate(entries)
    )
    channel = _channel(parsed.feed, channel_element(tree), base_url)
    return OldFeed(channel, items, xml_problem, extras_lost=bool(entries) and not matched)


# --- items -------------------------------------------------------------------------------

def _item(position: int, entry: Any, element: Any, base_url: str | None) -> OldItem:
    base = _base(element, base_url)
    return OldItem(
        position=position,
        line=element.sourceline if element is not None else None,
        guid=_clean(entry.get("id")),
        title=_clean(entry.get("title")),
        link=_absolute(_clean(entry.get("link")), base),
        **dict(zip(("published", "published_note"), _published(entry))),
        published_text=_clean(dict.get(entry, "published") or dict.get(entry, "updated")),
        enclosures=tuple(_enclosures(entry, base)),
        guid_permalink=_permalink(element),
        itunes_title=child_text(element, "itunes", "title"),
        duration_text=child_text(element, "itunes", "duration") or _clean(entry.get("itunes_duration")),
        number_text=child_text(element, "itunes", "episode") or child_text(element, "podcast", "episode")
        or _clean(entry.get("itunes_episode")),
        season_text=child_text(element, "itunes", "season") or child_text(element, "podcast", "season")
        or _clean(entry.get("itunes_season")),
        episode_type=child_text(element, "itunes", "episodeType") or _clean(entry.get("itunes_episodetype")),
        explicit_text=child_text(element, "itunes", "explicit"),
        author=child_text(element, "itunes", "author"),
        image=_absolute(attr_or_text(element, "itunes", "image", "href")
                        or (entry.get("image") or {}).get("href")
                        or attr_or_text(element, "media", "thumbnail", "url"), base),
        subtitle=child_text(element, "itunes", "subtitle"),
        itunes_summary=child_text(element, "itunes", "summary"),
        description=child_text(element, "", "description") if child_text(element, "content", "encoded") else None,
        **_notes(entry, element),
        keywords=_keywords(entry, element),
        chapters_url=_absolute(attr_or_text(element, "podcast", "chapters", "url"), base),
        psc_chapters=_psc_chapters(entry, element),
        transcripts=tuple(_attributes(c, ("url", "type", "language", "rel"), base)
                          for c in child_elements(element, "podcast", "transcript")),
        persons=tuple(_person(c, base) for c in child_elements(element, "podcast", "person")
                      if "".join(c.itertext()).strip()),
        soundbites=tuple({**_attributes(c, ("startTime", "duration"), None),
                          "title": "".join(c.itertext()).strip()}
                         for c in child_elements(element, "podcast", "soundbite")),
        funding=tag_values(element, "funding", ("url",)),
        license=tag_values(element, "license", ("url",)),
        locations=tag_values(element, "location", ("geo", "osm", "rel", "country")),
        season_name=attr_or_text(element, "podcast", "season", "name")
        if any(c.get("name") for c in child_elements(element, "podcast", "season")) else None,
        other_tags=other_tags(element, ITEM_TAGS),
    )


def _permalink(element: Any) -> bool | None:
    guids = child_elements(element, "", "guid")
    flag = (guids[0].get("isPermaLink") or "").strip().lower() if guids else ""
    return {"true": True, "false": False}.get(flag)


def _base(element: Any, base_url: str | None) -> str | None:
    """Where relative URLs of this item point: xml:base, else the feed's own address."""
    xml_base = element.base if element is not None else None
    if is_http_url(xml_base):
        return urljoin(base_url, xml_base) if base_url else xml_base
    return base_url


def _clean(value: Any) -> str | None:
    return None if value is None else str(value).strip() or None


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) or not base:
        return url
    return urljoin(base, url)


def _published(entry: Any) -> tuple[datetime | None, str | None]:
    """The instant the item was published, in the offset the feed wrote it with, and a note
    when it was read some other way than feedparser's.

    feedparser reads most dates; where it cannot (a weekday in another language, no seconds,
    no zone) the text is read as RFC 2822 by `email.utils` and then as ISO 8601, as the
    Podcast Index parser and gPodder do. Two-digit years follow RFC 2822 (00-49: 20xx,
    50-99: 19xx), where feedparser reads `70` as 2070.
    """
    # dict.get: feedparser's own get() maps `updated` to `published` with a deprecation warning
    parsed = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    raw = (dict.get(entry, "published") or dict.get(entry, "updated") or "").strip()
    written, two_digit = parse_date_text(raw)
    if written is not None and written.tzinfo is None:
        return written.replace(tzinfo=timezone.utc), f"{raw!r} names no time zone; read as UTC"
    if not parsed or two_digit:
        return written, None
    instant = datetime(*parsed[:6], tzinfo=timezone.utc)
    return (written if written == instant else instant), None  # the feed's own offset, when it is that instant


# Weekday and month names in the languages old feeds were seen to use, for `email.utils`.
_MONTHS = {"mär": "Mar", "mrz": "Mar", "mai": "May", "okt": "Oct", "dez": "Dec", "janv": "Jan", "févr": "Feb",
           "fevr": "Feb", "mars": "Mar", "avr": "Apr", "juin": "Jun", "juil": "Jul", "août": "Aug",
           "aout": "Aug", "déc": "Dec", "ene": "Jan", "abr": "Apr", "ago": "Aug", "dic": "Dec", "gen": "Jan",
           "mag": "May", "giu": "Jun", "lug": "Jul", "set": "Sep", "ott": "Oct", "mei": "May", "mrt": "Mar"}
_RFC822 = re.compile(r"^(?:[^\W\d]+\.?,?\s+)?(\d{1,2})[\s-]+([^\W\d]+)\.?[\s-]+(\d{2,4})\s+(.*)$")


def parse_date_text(text: str) -> tuple[datetime | None, bool]:
    """An RFC 2822 date (any weekday name, English or not, dropped) or ISO 8601, and whether it
    had a two-digit year; (None, False) when it is neither. Naive when the text has no zone."""
    match = _RFC822.match(text.strip())
    if match:
        day, month, year, rest = match.groups()
        month = _MONTHS.get(month.lower(), month[:3])
        two_digit = len(year) == 2
        if two_digit:
            year = str(int(year) + (2000 if int(year) < 50 else 1900))
        try:
            return parsedate_to_datetime(f"{day} {month} {year} {rest}"), two_digit
        except (TypeError, ValueError, IndexError):
            pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")), False
    except ValueError:
        return None, False


def _enclosures(entry: Any, base: str | None) -> list[OldEnclosure]:
    found = []
    for enclosure in entry.get("enclosures", []):
        if url := _absolute(_clean(enclosure.get("href")), base):
            length = _clean(enclosure.get("length"))
            found.append(OldEnclosure(url, int(length) if length and length.isdigit() else None,
                                      _clean(enclosure.get("type"))))
    return found


def _notes(entry: Any, element: Any) -> dict[str, Any]:
    """The show notes: content:encoded, else the description, else itunes:summary."""
    candidates: list[str | None] = []
    if element is not None and tag_family(element)[0] == "":
        candidates = [child_text(element, "content", "encoded"), child_text(element, "", "description"),
                      child_text(element, "itunes", "summary")]
    for text in candidates:
        if text:
            return {"notes": text, "notes_are_html": looks_like_html(text)}
    for content in [*(entry.get("content", []) or []), entry.get("summary_detail") or {}]:
        if content.get("value", "").strip():
            return {"notes": content["value"], "notes_are_html": "html" in content.get("type", "html")}
    return {"notes": "", "notes_are_html": False}


def _keywords(entry: Any, element: Any) -> tuple[str, ...]:
    keywords = child_text(element, "itunes", "keywords") or _clean(entry.get("itunes_keywords")) or ""
    words = [" ".join(w.split()) for w in keywords.split(",")]  # empty ones are dropped below
    for tag in entry.get("tags", []) or []:
        scheme = (tag.get("scheme") or "").lower()
        if "itunes" not in scheme and tag.get("term"):
            words.append(str(tag["term"]).strip())
    return tuple(dict.fromkeys(w for w in words if w))


def _psc_chapters(entry: Any, element: Any) -> tuple[dict[str, str], ...]:
    first = child_elements(element, "psc", "chapters")[:1]  # clients ignore all but the first psc:chapters
    chapters = [{k: v.strip() for k, v in chapter.attrib.items() if v and v.strip()}
                for group in first for chapter in child_elements(group, "psc", "chapter")]
    if not chapters and entry.get("psc_chapters"):
        chapters = [{k: str(chapter[k]) for k in ("start", "title", "href", "image") if chapter.get(k)}
                    for chapter in entry["psc_chapters"].get("chapters", [])]
    return tuple(chapters)


def _attributes(element: Any, names: tuple[str, ...], base: str | None) -> dict[str, str]:
    return {name: _absolute(value, base) if name == "url" else value
            for name in names if (value := (element.get(name) or "").strip())}


def _person(element: Any, base: str | None) -> OldPerson:
    role, group = (_clean((element.get(key) or "").lower()) for key in ("role", "group"))
    href, img = (_absolute(_clean(element.get(key)), base) for key in ("href", "img"))
    return OldPerson(re.sub(r"\s+", " ", "".join(element.itertext())).strip(), role, group, href, img)


# --- channel ------------------------------------------------------------------------------

def _channel(feed: Any, element: Any, base_url: str | None) -> OldChannel:
    owner = child_elements(element, "itunes", "owner")
    # itunes:image, else the RSS <image> or Atom <logo>, else the Atom <icon> (what apps show)
    image = (attr_or_text(element, "itunes", "image", "href") or (feed.get("image") or {}).get("href")
             or _clean(feed.get("logo")) or _clean(feed.get("icon")))
    description = (child_text(element, "", "description") or child_text(element, "itunes", "summary")
                   or child_text(element, "itunes", "subtitle") or _clean(feed.get("subtitle")) or "")
    return OldChannel(
        title=_clean(feed.get("title")),
        description=description,
        link=_absolute(_clean(feed.get("link")), base_url),
        language=_clean(feed.get("language")),
        author=child_text(element, "itunes", "author") or _clean(feed.get("author")),
        owner_name=child_text(owner[0], "itunes", "name") if owner else None,
        owner_email=child_text(owner[0], "itunes", "email") if owner else None,
        image_url=_absolute(_clean(image), base_url),
        categories=_categories(element),
        explicit_text=child_text(element, "itunes", "explicit"),
        type_text=child_text(element, "itunes", "type") or _clean(feed.get("itunes_type")),
        copyright=_clean(feed.get("rights")),
        keywords=tuple(" ".join(w.split()) for w in (child_text(element, "itunes", "keywords") or "").split(",")
                       if w.strip()),
        new_feed_url=attr_or_text(element, "itunes", "new-feed-url", "href"),
        self_url=self_link(element),
        podcast_guid=child_text(element, "podcast", "guid"),
        published=_published(feed)[0],
        podcast=_channel_podcast(element),
        itunes_block=child_text(element, "itunes", "block"),
        itunes_complete=child_text(element, "itunes", "complete"),
        other_tags=other_tags(element, CHANNEL_TAGS),
    )


def _channel_podcast(element: Any) -> dict[str, TagValues]:
    attributes = {"locked": ("owner",), "funding": ("url",), "person": ("role", "group", "href", "img"),
                  "license": ("url",), "location": ("geo", "osm", "rel", "country"), "txt": ("purpose",),
                  "block": ("id",), "updateFrequency": ("rrule", "complete", "dtstart")}
    found = {tag: tag_values(element, tag, attributes.get(tag, ())) for tag in CHANNEL_PODCAST_TAGS}
    found["podroll"] = tuple(
        values for podroll in child_elements(element, "podcast", "podroll")
        for values in tag_values(podroll, "remoteItem", ("feedGuid", "feedUrl", "medium", "title")))
    return {tag: values for tag, values in found.items() if values}


def _categories(element: Any) -> tuple[tuple[str, str | None], ...]:
    found: list[tuple[str, str | None]] = []
    for category in child_elements(element, "itunes", "category"):
        if parent := (category.get("text") or "").strip():
            subs = [s for c in child_elements(category, "itunes", "category")
                    if (s := (c.get("text") or "").strip())]
            found += [(parent, sub) for sub in subs] or [(parent, None)]
    return tuple(dict.fromkeys(found))
