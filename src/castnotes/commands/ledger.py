"""`castnotes ledger rebuild FEED`: restore `published.jsonl` from the live feed.

The ledger guards published episodes (their GUIDs, enclosure URLs and dates). If it
is deleted, the next build can no longer tell a changed episode from a new one; the
published feed still knows what subscribers have, so it is the source to rebuild
from. Records are `imported`, one per item, and GUIDs already in the ledger are kept
as they are: running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from castnotes.fetch import load_feed
from castnotes.errors import CastnotesError
from castnotes.feedxml import safe_parser
from castnotes.model import CONFIG_NAME
from castnotes.output.ledger import append_entries
from castnotes.read.ledger import LEDGER_NAME, LedgerEntry, load_ledger, recorded_now


@dataclass(frozen=True, slots=True)
class RebuildResult:
    path: Path
    items: int  # items in the feed
    added: int  # records appended (the others were in the ledger already)


def rebuild_ledger(root: Path, source: str, now: datetime | None = None) -> RebuildResult:
    """Append an `imported` record for every item of the feed at `source` (file or URL)."""
    if not (root / CONFIG_NAME).is_file():
        raise CastnotesError.single(f"no {CONFIG_NAME} here", root / CONFIG_NAME,
                                    hint="run it in the show folder, or pass -C SHOWDIR")
    data = load_feed(source).data
    try:
        channel = etree.fromstring(data, safe_parser()).find("channel")
    except etree.XMLSyntaxError as exc:
        raise CastnotesError.single(f"{source} is not a feed: {exc}") from None
    if channel is None:
        raise CastnotesError.single(f"{source} is not an RSS feed (no <channel>)")
    recorded = recorded_now(now)
    known = load_ledger(root).latest
    entries = []
    items = channel.findall("item")
    for number, item in enumerate(items, start=1):
        entry = _entry(item, recorded, source)
        if entry is None:
            raise CastnotesError.single(
                f"item {number} of {source} has no <guid>, <enclosure url> or valid <pubDate>",
                hint="rebuild from the feed castnotes published (site/feed.xml or its URL)")
        if entry.guid not in known:
            entries.append(entry)
    added = append_entries(root, entries)
    return RebuildResult(root / LEDGER_NAME, len(items), added)


def _entry(item: etree._Element, recorded: str, source: str) -> LedgerEntry | None:
    guid = (item.findtext("guid") or "").strip()
    enclosure = item.find("enclosure")
    url = (enclosure.get("url") or "").strip() if enclosure is not None else ""
    try:
        date = parsedate_to_datetime((item.findtext("pubDate") or "").strip())
    except (TypeError, ValueError, IndexError):
        date = None
    if not guid or not url or date is None:
        return None
    return LedgerEntry(guid=guid, slug=_slug(item, url), url=url, date=date.isoformat(), kind="imported",
                       recorded=recorded, note=f"rebuilt from {source}")


def _slug(item: etree._Element, enclosure_url: str) -> str:
    """The episode's slug from its page link (`.../episodes/<slug>/`), else its media folder."""
    for address in ((item.findtext("link") or "").strip(), enclosure_url):
        parts = [p for p in urlsplit(address).path.split("/") if p]
        for marker in ("episodes", "media"):
            if marker in parts and parts.index(marker) + 1 < len(parts):
                return parts[parts.index(marker) + 1]
    return ""
