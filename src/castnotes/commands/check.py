"""`castnotes check`: lint a show, its feed, or any podcast feed against feed-rules.md §1.

`lint_feed` runs every offline rule over feed bytes; `check_show` and `check_feed`
wrap it for the two things a host points the command at. `castnotes build` checks
its feed with `ShowFeedLint` and refuses one with an error-level finding.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator

from lxml import etree

from castnotes.checks.channel import check_channel, check_feed_size, self_href, text_of
from castnotes.checks.items import ItemFacts, check_item, check_item_list, check_items, item_context
from castnotes.checks.online import (
    check_feed_response,
    check_online,
    fetch_bytes,
)
from castnotes.checks.podcast20 import check_podcasting
from castnotes.checks.published import compare_with_published
from castnotes.checks.report import Lint
from castnotes.checks.resources import Resources, mirror_for
from castnotes.checks.show import ShowLocator, show_resources
from castnotes.checks.xmldoc import parse_feed_document
from castnotes.codec import digest
from castnotes.config.settings import load_settings
from castnotes.errors import CastnotesError, Problem, SourceLocation
from castnotes.feedxml import safe_parser
from castnotes.fetch import load_feed
from castnotes.model import Episode, Show
from castnotes.output.feed_items import FeedItems
from castnotes.output.ledger import guard, unguarded_warning
from castnotes.read.ledger import keep_published
from castnotes.read.show import load_show
from castnotes.read.status import select_episodes
from castnotes.render import rss
from castnotes.render.fingerprints import Fingerprints
from castnotes.render.rss import (
    FeedDocument,
    Splicer,
    cut_items,
    item_inputs,
    item_key,
    plan_feeds,
    render_channel,
    render_feed,
    render_feeds,
    render_parts,
)

@dataclass(frozen=True, slots=True)
class CheckReport:
    subject: str  # what was checked: the show folder, a file or a URL
    findings: tuple[Problem, ...] = field(default=())  # each with its rule id

    @property
    def errors(self) -> list[Problem]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [f for f in self.findings if f.severity == "warning"]

    def failed(self, strict: bool) -> bool:
        """Errors fail a check; with --strict, warnings too."""
        return bool(self.errors or (strict and self.warnings))


def lint_feed(data: bytes, lint: Lint, resources: Resources, *, online: bool = False) -> etree._Element | None:
    """Run every rule over the feed bytes; returns the parsed root (None when XML-1 stopped it)."""
    root = parse_feed_document(data, lint)
    if root is None:
        return None
    channel = root.find("channel")
    check_channel(channel, lint, resources)
    check_items(channel, lint, resources)
    check_podcasting(channel, lint, resources)
    if online:
        check_online(channel, lint)
    return root


class ShowFeedLint:
    """The rules over a show's rendered feed, placed in the show's files (used by build).

    Documents are added one at a time, so each can be dropped once checked. They may be
    the pages of a paged feed, or the pieces a feed is rendered in (feed.render_parts):
    every piece carries the same channel, so a finding about the channel is kept once;
    episodes sharing an enclosure URL across pieces are found from the show itself.

    A build checks a document in parts instead (`feed_documents`): its channel alone
    (`channel`), the items it renders afresh (`fresh_items`), and the findings of all its
    items, kept or fresh, in their order (`items`).
    """

    def __init__(self, show: Show, digests: Fingerprints | None = None,
                 stamps: dict[str, list[int]] | None = None):
        self.show = show
        self.digests = digests if digests is not None else Fingerprints()  # the build's, shared with its pages
        # [size, mtime_ns] of the files the build stamped before reading them ([-1, -1]: absent)
        self.stamps = stamps or {}
        self.lint = Lint(locate=ShowLocator(show))
        self.resources = show_resources(show)
        self.document_findings: set[tuple[str | None, str]] = set()
        self.context = digest("checks", ITEM_RECORD_FORMAT, str(show.settings.root))

    def add(self, data: bytes) -> None:
        lint_feed(data, self.lint, self.resources)

    def channel(self, data: bytes) -> etree._Element | None:
        """The rules of the document itself over `data`, a document without items; its <channel>."""
        lint = self.lint
        before = len(lint.items)
        root = parse_feed_document(data, lint)
        if root is None:
            return None
        channel = root.find("channel")
        check_channel(channel, lint, self.resources)
        check_podcasting(channel, lint, self.resources)
        self.document_findings = {(f.rule, f.message) for f in lint.items[before:]}
        return channel

    def fresh_items(self, part: bytes, count: int) -> list[CheckedItem] | None:
        """The findings of each of the `count` items of a piece, apart from the lint; None
        when the piece is not such a feed.

        The piece's own document-level findings repeat its channel's; should one not (an
        item that changed the document), its items are marked not to be kept, so the
        next build finds it again.
        """
        lint = self.lint
        before = len(lint.items)
        # Items declare no namespace of their own (feedgen declares all on <rss>) unless
        # their bytes say "xmlns": only then must every element's declarations be read.
        own = part.find(b"xmlns", max(0, part.find(b"<channel>"))) != -1
        root = parse_feed_document(part, lint, namespaces="all" if own else "root")
        keep = all((f.rule, f.message) in self.document_findings for f in lint.items[before:])
        if keep:
            del lint.items[before:]
        if root is None:
            return None
        channel = root.find("channel")
        elements = list(channel.iter("item"))
        if len(elements) != count:
            return None
        context = item_context(channel)
        checked = []
        for element in elements:
            before = len(lint.items)
            facts = check_item(element, context, lint, self.resources)
            checked.append(CheckedItem(facts, tuple(lint.items[before:]), keep))
            del lint.items[before:]
        return checked

    def items(self, channel: etree._Element, checked: list[CheckedItem]) -> None:
        """The findings of a document's items, in order, and the rules across them."""
        for item in checked:
            self.lint.items.extend(item.problems)
        check_item_list(channel, [item.facts for item in checked], self.lint,
                        lambda index: _item_element(checked[index].facts))

    def key_of(self, context: str, episode: Episode) -> str:
        """What an episode's item and its findings depend on: the item's context (render.rss),
        the episode, the show's folder (places are named relative to it) and the files the
        rules read: its episode.md (lines of findings), its audio and picture. A file the build
        stamped before reading it (`stamps`) keeps that stamp: no second stat, and an edit saved
        since then makes the next build check the item again."""
        urls = [episode.enclosure.url, *(t.url for t in episode.transcripts)]
        if episode.image is not None:
            urls.append(episode.image.url)
        paths = [episode.source_path, *(self.resources.local_path(url) for url in urls)]
        return item_key(context, episode, self.context, [_stat(path, self.stamps) for path in paths],
                        digests=self.digests)

    def size(self, size: int) -> None:
        """The size of the whole feed document (its pieces are checked one by one)."""
        check_feed_size(size, self.lint)

    def finish(self) -> Lint:
        lint = self.lint
        seen: set[tuple[str | None, str, SourceLocation]] = set()
        kept = []
        for finding in lint.items:
            key = (finding.rule, finding.message, finding.where)
            if finding.guid is None and key in seen:
                continue
            seen.add(key)
            kept.append(finding)
        lint.items[:] = kept
        _shared_enclosures(self.show, lint)
        return lint


def _shared_enclosures(show: Show, lint: Lint) -> None:
    """IT-ENC-5 over the whole show, where pieces of the feed would each miss it."""
    first: dict[str, str] = {}
    reported = {f.guid for f in lint.items if f.rule == "IT-ENC-5"}
    for episode in reversed(show.episodes):  # oldest first: the newer copy is the one reported
        url = episode.enclosure.url
        if url in first and episode.guid not in reported:
            lint.add_at(ShowLocator(show).place_of(episode, "audio"),
                        "IT-ENC-5", f"the enclosure {url} is also the audio of another episode",
                        guid=episode.guid)
        first.setdefault(url, episode.guid)


ITEM_RECORD_FORMAT = 1  # bump when a kept item's record (below) changes shape


@dataclass(frozen=True, slots=True)
class CheckedItem:
    """One item's findings (placed, complete) and the facts the rules across items need."""

    facts: ItemFacts
    problems: tuple[Problem, ...]
    keep: bool = True  # False: check it again next build
    record: bytes | None = None  # as kept (`_record`), when it came from there


def _record(item: CheckedItem) -> bytes:
    """A checked item as kept with its bytes (output/feed_items.py)."""
    if item.record is not None:
        return item.record
    facts = item.facts
    problems = [[p.message, str(p.where.path) if p.where.path is not None else None, p.where.line,
                 p.where.label, p.severity, p.hint, p.rule, p.guid] for p in item.problems]
    return json.dumps([facts.title, facts.guid, facts.url, facts.enclosure, problems],
                      ensure_ascii=False, separators=(",", ":")).encode()


def _from_record(record: bytes, paths: dict[str, Path], parsed: object = None) -> CheckedItem | None:
    """The checked item `_record` kept; `paths` shares one Path per file among the findings.
    `parsed`: the record's JSON already parsed (`_parse_records`), else it is parsed here."""
    try:
        title, guid, url, enclosure, found = json.loads(record) if parsed is None else parsed
        problems = []
        for message, path, line, label, severity, hint, rule, found_guid in found:
            if path is not None and (known := paths.get(path)) is None:
                known = paths[path] = Path(path)
            problems.append(Problem(message, SourceLocation(known if path is not None else None, line, label),
                                    severity, hint, rule, found_guid))
        return CheckedItem(ItemFacts(title, guid, url, enclosure), tuple(problems), record=record)
    except (ValueError, TypeError):
        return None


RECORDS_PARSED = 500  # kept records parsed per JSON call: 10,000 at once held some 40 MB of lists


def _parse_records(records: list[bytes]) -> list[object]:
    """Every record's JSON, parsed in one call (a thousand calls cost more than the parsing);
    [None, ...] (each parsed on its own then) when they do not make one JSON array."""
    try:
        parsed = json.loads(b"[" + b",".join(records) + b"]")
    except ValueError:
        return [None] * len(records)
    return parsed if len(parsed) == len(records) else [None] * len(records)


def _item_element(facts: ItemFacts) -> etree._Element:
    """An <item> with the title and GUID a locator places a finding by (a kept item has no tree)."""
    item = etree.Element("item")
    etree.SubElement(item, "title").text = facts.title
    if facts.guid:
        etree.SubElement(item, "guid").text = facts.guid
    return item


def _stat(path: Path | None, stamps: dict[str, list[int]] | None = None) -> tuple[int, int] | None:
    """(size, mtime_ns) of the file, from `stamps` when it is there; None when there is no file."""
    if path is None:
        return None
    known = stamps.get(os.fspath(path)) if stamps else None
    if known is not None:
        return (known[0], known[1]) if known[0] >= 0 else None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def feed_documents(show: Show, checker: ShowFeedLint, kept: FeedItems
                   ) -> Iterator[tuple[str, list[bytes]]]:
    """Every feed document of the show as (site path, chunks), checked on the way.

    Each document is its channel around its items' bytes (render.rss): the items kept
    from the last build (with their findings) where the key matches, the others rendered
    and checked in pieces of PART_ITEMS. Every item is kept for the next build. Should a
    document not come apart that way, it is rendered and checked whole, as `castnotes
    check` does, and none of its items is kept.
    """
    context = item_inputs(show)
    for document in plan_feeds(show):
        head, tail = render_channel(show, document)
        channel = checker.channel(head + tail)
        chunks = None
        if channel is not None:
            chunks = _from_kept_items(show, document, head, tail, channel, checker, kept, context)
        if chunks is None:
            splicer = Splicer()
            for part in render_parts(show, document):
                checker.add(part)
                splicer.add(part)
            chunks = splicer.result()
        yield document.site_path, chunks


def _from_kept_items(show: Show, document: FeedDocument, head: bytes, tail: bytes, channel: etree._Element,
                     checker: ShowFeedLint, kept: FeedItems, context: str) -> list[bytes] | None:
    episodes = document.episodes
    keys = [checker.key_of(context, episode) for episode in episodes]
    data: list[bytes | None] = [None] * len(episodes)
    checked: list[CheckedItem | None] = [None] * len(episodes)
    # the findings name the episodes' own files: their Path objects are shared, not made again
    paths: dict[str, Path] = {str(e.source_path): e.source_path for e in episodes}
    for first in range(0, len(keys), RECORDS_PARSED):  # a few JSON calls, never all records' at once
        found = [kept.entries.get(key) for key in keys[first:first + RECORDS_PARSED]]
        parsed = iter(_parse_records([entry[1] for entry in found if entry is not None]))
        for index, entry in enumerate(found, first):
            if entry is not None and (item := _from_record(entry[1], paths, next(parsed))) is not None:
                data[index], checked[index] = entry[0], item
    missing = [index for index, item in enumerate(checked) if item is None]
    size = rss.PART_ITEMS  # read now: a test renders in smaller pieces
    for start in range(0, len(missing), size):
        indexes = missing[start:start + size]
        (part,) = render_parts(show, document, tuple(episodes[index] for index in indexes))
        cut = cut_items(part, head, tail, len(indexes))
        fresh = checker.fresh_items(part, len(indexes))
        if cut is None or fresh is None:
            return None
        for index, item_bytes, item in zip(indexes, cut, fresh):
            data[index], checked[index] = item_bytes, item
        del part, cut, fresh
    done = [item for item in checked if item is not None]
    chunks = [item_bytes for item_bytes in data if item_bytes is not None]
    for key, item_bytes, item in zip(keys, chunks, done):
        if item.keep:
            kept.put(key, item_bytes, _record(item))
    checker.items(channel, done)
    return [head, *chunks, tail]


def check_show(root: Path, *, online: bool = False, against: str | None = None,
               now: datetime | None = None) -> CheckReport:
    """Lint the feed `castnotes build` would write for the show, plus the ledger and the sources."""
    lint = Lint()
    try:
        settings = load_settings(root)
        everything = keep_published(load_show(settings, now=now, strict_drafts=False))
    except CastnotesError as exc:
        _add_findings(lint, exc.problems, root, "SOURCE")
        return CheckReport(str(root), tuple(lint.items))
    show = select_episodes(everything)
    lint = Lint(locate=ShowLocator(show))
    _add_findings(lint, show.problems, settings.root, "SOURCE")
    resources = show_resources(show)
    if online:
        resources.fetch = fetch_bytes
    for number, (_, document) in enumerate(render_feeds(show)):  # one document, or a paged feed's pages
        lint_feed(document, lint, resources, online=online)
        if number == 0:
            check_feed_size(len(document), lint)
    unguarded = unguarded_warning(settings.root, settings.output_dir / settings.feed.path)
    problems, _ = guard(settings.root, everything.episodes)
    _add_findings(lint, ([unguarded] if unguarded else []) + problems, settings.root, "LEDGER")
    if against:
        compare_against(render_feed(show), against, lint)  # every episode, in one document
    return CheckReport(str(settings.root), tuple(lint.items))


def check_feed(source: str, *, online: bool = False, against: str | None = None) -> CheckReport:
    """Lint any feed, from a file or an http(s) URL."""
    lint = Lint()
    resources = Resources(fetch=fetch_bytes if online else None)
    loaded = load_feed(source)
    data = loaded.data
    parsed = _parse(data)  # the <channel>, for the feed's own address before linting
    root = parsed.find("channel") if parsed is not None else None
    if loaded.path is not None and root is not None:
        resources.mirror = mirror_for(loaded.path, self_href(root), (text_of(root, "link") or "").strip())
    tree = lint_feed(data, lint, resources, online=online)
    check_feed_size(len(data), lint)
    if loaded.headers is not None and loaded.url is not None:
        self_url = self_href(root) if root is not None else None
        check_feed_response(source.strip(), loaded.url, loaded.headers, self_url, lint)
    if against and tree is not None:
        compare_with_published(data, load_feed(against).data, tree, lint)
    return CheckReport(source, tuple(lint.items))


def compare_against(feed: bytes, published_source: str, lint: Lint) -> None:
    """PUB-* findings for a feed about to be written, against the published feed (build --against)."""
    root = _parse(feed)
    if root is not None:
        compare_with_published(feed, load_feed(published_source).data, root, lint)


def _parse(data: bytes) -> etree._Element | None:
    try:
        return etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError:
        return None


def _add_findings(lint: Lint, problems: Iterable[Problem], root: Path, rule: str) -> None:
    """Problems of the show's files as findings of `rule`, each place named as the check names
    places: relative to the show."""
    for problem in problems:
        where = problem.where
        place = SourceLocation(where.path, where.line, SourceLocation(where.path).describe(root)) \
            if where.path is not None else SourceLocation(label="show")
        lint.add_at(place, rule, problem.message, severity=problem.severity, hint=problem.hint)
