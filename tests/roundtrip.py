"""Compare an old feed with the feed castnotes builds after importing it, item by item.

What subscribers' apps hold on to must survive the move: each item's GUID, enclosure
URL, length and type, title and publish date, read by feedparser from both feeds
(and the GUIDs, URLs and dates also by podcastparser, which is what gPodder uses).
Every item of the old feed is accounted for: compared, or reported as skipped.
"""

from __future__ import annotations

import io
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import podcastparser

from castnotes.audio.types import MIME_BY_SUFFIX as TYPES_BY_SUFFIX
from castnotes.commands.importer import ImportResult


def first_media(entry: Any) -> dict[str, str]:
    """The enclosure apps play: the first audio or video one."""
    for enclosure in entry.get("enclosures", []):
        kind = (enclosure.get("type") or "").split("/")[0]
        if kind in ("", "audio", "video") or enclosure.get("type") == "application/octet-stream":
            return enclosure
    raise AssertionError(f"no media enclosure in {entry.get('title')!r}")


def compare_feeds(original: bytes, built: Path, result: ImportResult, base_url: str | None = None,
                  lengths: dict[str, int] | None = None, server_size: int | None = None) -> int:
    """Assert the round trip holds; return how many items were compared.

    `lengths` overrides expected enclosure lengths by URL (downloaded files are measured);
    `server_size` is what servers answered for enclosures the old feed gave no length.
    """
    old = feedparser.parse(original)
    data = built.read_bytes()
    new = feedparser.parse(data)
    assert not new.bozo, new.get("bozo_exception")
    warnings = "\n".join(p.message for p in result.problems)
    outcomes = {o.position: o for o in result.outcomes}
    assert sorted(outcomes) == list(range(1, len(old.entries) + 1)), "every item must be accounted for"
    by_guid = {e.id: e for e in new.entries}
    assert len(by_guid) == len(new.entries)
    compared = 0
    for position, entry in enumerate(old.entries, start=1):
        outcome = outcomes[position]
        if outcome.status == "skipped":
            assert outcome.reason and f"item {position}" in warnings, outcome
            continue
        assert outcome.status == "imported", outcome
        if entry.get("id"):
            assert outcome.guid == entry.id
        else:
            assert "has no <guid>" in warnings
        item = by_guid.pop(outcome.guid)
        media = first_media(entry)
        url = urljoin(base_url or "", media["href"])
        [enclosure] = item.enclosures
        assert enclosure.href == url
        declared = media.get("length", "")
        if url in (lengths or {}):
            assert int(enclosure.length) == lengths[url]
        elif declared.isdigit() and int(declared) > 0:
            assert int(enclosure.length) == int(declared)
        else:
            assert int(enclosure.length) == server_size and f"its server says {server_size} bytes" in warnings
        suffix = posixpath.splitext(urlsplit(url).path)[1].lower()
        corrected = f"the enclosure type {media.get('type')!r} is not one Apple takes for a {suffix} file"
        if not media.get("type"):
            assert enclosure.type == TYPES_BY_SUFFIX[suffix]
            assert "the enclosure has no type" in warnings
        elif enclosure.type != media["type"]:
            assert enclosure.type == TYPES_BY_SUFFIX[suffix] and corrected in warnings
        else:
            assert corrected not in warnings
        if entry.get("title"):
            assert item.title == entry.title
        else:
            assert item.title == posixpath.splitext(posixpath.basename(unquote(urlsplit(url).path)))[0]
        if entry.get("published_parsed"):
            assert item.published_parsed == entry.published_parsed
        else:
            assert "has no publish date" in warnings
        compared += 1
    assert not by_guid, f"items in the new feed that were not in the old one: {list(by_guid)}"
    _compare_podcastparser(original, data, result)
    return compared


def _compare_podcastparser(original: bytes, built: bytes, result: ImportResult) -> None:
    """gPodder's view: the same GUIDs (its fallbacks included), enclosure URLs and dates."""
    imported = {o.guid for o in result.outcomes if o.status == "imported"}
    new = {e["guid"]: e for e in podcastparser.parse("", io.BytesIO(built))["episodes"]}
    assert set(new) == imported
    try:
        old = podcastparser.parse("", io.BytesIO(original))["episodes"]
    except podcastparser.FeedParseError:
        return  # podcastparser refuses this feed outright; feedparser's view was compared
    for episode in old:
        if episode["guid"] not in imported:
            continue
        twin = new[episode["guid"]]
        assert twin["enclosures"][0]["url"] == episode["enclosures"][0]["url"]
        if episode["published"]:
            assert twin["published"] == episode["published"]

