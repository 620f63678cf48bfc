"""`--against`: compare a feed with the one subscribers already have (PUB-* rules).

Apps know an episode by its GUID (Apple falls back to the enclosure URL). An episode
that disappears, a GUID that changes, an enclosure that moves or a date that jumps
makes apps delete, duplicate or re-download episodes. Both feeds are read with
feedparser, the way an app would.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from lxml import etree

from castnotes.checks.report import Lint
from castnotes.errors import SourceLocation


@dataclass(frozen=True, slots=True)
class Entry:
    guid: str | None
    title: str
    url: str | None
    length: str | None
    published: int | None  # Unix time

    @property
    def key(self) -> str | None:
        return self.guid or self.url

    def label(self) -> str:
        return f'"{self.title[:60]}" (guid {self.guid})' if self.guid else f'"{self.title[:60]}"'


def read_entries(data: bytes) -> list[Entry]:
    import feedparser  # only `--against` compares: every build imports this module, few use it

    entries = []
    for entry in feedparser.parse(data).entries:
        enclosure = next(iter(entry.get("enclosures") or []), {})
        stamp = entry.get("published_parsed")
        entries.append(Entry(
            guid=(entry.get("id") or "").strip() or None,
            title=(entry.get("title") or "").strip(),
            url=(enclosure.get("href") or "").strip() or None,
            length=(str(enclosure.get("length")) if enclosure.get("length") is not None else None),
            published=calendar.timegm(stamp) if stamp else None,
        ))
    return entries


def compare_with_published(current: bytes, published: bytes, root: etree._Element, lint: Lint) -> None:
    """Report every way `current` would surprise subscribers of `published`."""
    now, before = read_entries(current), read_entries(published)
    items = {(i.findtext("guid") or "").strip(): i for i in root.iter("item")}
    by_guid = {e.guid: e for e in now if e.guid}
    by_url = {e.url: e for e in now if e.url}
    by_title = {e.title: e for e in reversed(now)}  # the first entry of each title

    def element(entry: Entry) -> etree._Element | None:
        return items.get(entry.guid or "")

    for old in before:
        new = by_guid.get(old.guid) if old.guid else by_url.get(old.url or "")
        if new is None:
            twin = by_url.get(old.url or "") or by_title.get(old.title)
            if twin is not None and old.guid:
                lint.report("PUB-GUID", f"published episode {old.label()} now has the GUID {twin.guid!r}: "
                            "every app would list it twice", element(twin), "guid",
                            hint=f"put back `guid: {old.guid}`")
            else:
                lint.add_at(SourceLocation(label=f"published feed: item {old.label()}"), "PUB-REMOVED",
                            f"published episode {old.label()} is not in this feed; apps delete it or "
                            "keep a dead copy", guid=old.guid,
                            hint=f"restore it (same GUID), or build with --allow-change {old.guid} "
                                 "if you removed it on purpose")
            continue
        if old.url and new.url and old.url != new.url:
            lint.report("PUB-URL", f"published episode {old.label()} moved its enclosure from {old.url} "
                        f"to {new.url}", element(new), "audio")
        if old.length and new.length and old.length != new.length:
            lint.report("PUB-LENGTH", f"published episode {old.label()} changed its enclosure length from "
                        f"{old.length} to {new.length} bytes", element(new), "audio")
        if old.published is not None and new.published is not None and old.published != new.published:
            hours = (new.published - old.published) / 3600
            lint.report("PUB-DATE", f"published episode {old.label()} moved its date by {hours:+.1f} hours; "
                        "apps re-sort or re-announce it", element(new), "date")
    _duplicates(now, before, element, lint)


def _duplicates(now: list[Entry], before: list[Entry], element, lint: Lint) -> None:  # noqa: ANN001
    seen: dict[str, Entry] = {}
    for entry in now:
        if entry.key and entry.key in seen:
            lint.report("PUB-DUP", f"episode {entry.label()} appears twice in this feed", element(entry), "guid")
        elif entry.key:
            seen[entry.key] = entry
    old_urls = {e.url: e for e in before if e.url and e.guid}
    for entry in now:
        old = old_urls.get(entry.url or "")
        if old is not None and entry.guid and entry.guid != old.guid and any(e.guid == old.guid for e in now):
            lint.report("PUB-DUP", f"episode {entry.label()} has the same enclosure as published episode "
                        f"{old.label()}: apps would list it twice", element(entry), "audio")
