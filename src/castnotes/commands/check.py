"""`castnotes check`: lint a show, its feed, or any podcast feed against feed-rules.md §1.

`lint_feed` runs every offline rule over feed bytes; `check_show` and `check_feed`
wrap it for the two things a host points the command at. `castnotes build` checks
its feed with `ShowFeedLint` and refuses one with an error-level finding.
"""

from __future__ import annotations

import urllib.error
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from pathlib import Path
from typing import Iterable

from lxml import etree

from castnotes.checks.channel import check_channel, check_feed_size, self_href, text_of
from castnotes.checks.items import check_items
from castnotes.checks.online import (
    check_feed_response,
    check_online,
    fetch_bytes,
    fetch_feed,
)
from castnotes.checks.podcast20 import check_podcasting
from castnotes.checks.published import compare_with_published
from castnotes.checks.report import Lint
from castnotes.checks.resources import Resources, mirror_for
from castnotes.checks.show import ShowLocator, show_resources
from castnotes.checks.xmldoc import parse_feed_document
from castnotes.config.settings import load_settings
from castnotes.errors import CastnotesError, Problem, SourceLocation
from castnotes.fetch import is_http_url
from castnotes.model import Show
from castnotes.output.ledger import guard, unguarded_warning
from castnotes.read.ledger import keep_published
from castnotes.read.show import load_show
from castnotes.read.status import select_episodes
from castnotes.render.rss import render_feed, render_feeds

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
    """

    def __init__(self, show: Show):
        self.show = show
        self.lint = Lint(locate=ShowLocator(show))
        self.resources = show_resources(show)

    def add(self, data: bytes) -> None:
        lint_feed(data, self.lint, self.resources)

    def size(self, size: int) -> None:
        """The size of the whole feed document (its pieces are checked one by one)."""
        check_feed_size(size, self.lint)

    def finish(self) -> Lint:
        lint = self.lint
        seen: set[tuple[str, str, str]] = set()
        kept = []
        for finding in lint.items:
            key = (finding.rule, finding.message, str(finding.where))
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
    data, headers, final_url = _load_feed(source, "", "check the address, or save the feed and check the file",
                                          "give a feed file or an http(s) URL")
    root = _peek_channel(data)
    if not is_http_url(source) and root is not None:
        resources.mirror = mirror_for(Path(source), self_href(root), (text_of(root, "link") or "").strip())
    tree = lint_feed(data, lint, resources, online=online)
    check_feed_size(len(data), lint)
    if headers is not None and final_url is not None:
        check_feed_response(source, final_url, headers, self_href(root) if root is not None else None, lint)
    if against and tree is not None:
        compare_with_published(data, read_feed_source(against), tree, lint)
    return CheckReport(source, tuple(lint.items))


def compare_against(feed: bytes, published_source: str, lint: Lint) -> None:
    """PUB-* findings for a feed about to be written, against the published feed (build --against)."""
    root = _parse(feed)
    if root is not None:
        compare_with_published(feed, read_feed_source(published_source), root, lint)


def read_feed_source(source: str) -> bytes:
    """The published feed for --against: a file or a URL."""
    return _load_feed(source, "the published feed ", None, "--against takes a feed file or URL")[0]


def _load_feed(source: str, what: str, fetch_hint: str | None,
               file_hint: str) -> tuple[bytes, Message | None, str | None]:
    """(bytes, response headers, final address) of a feed URL, or the bytes of a feed file."""
    if is_http_url(source):
        try:
            return fetch_feed(source)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise CastnotesError.single(f"could not fetch {what}{source}: {getattr(exc, 'reason', exc)}",
                                        hint=fetch_hint) from None
    path = Path(source)
    if not path.is_file():
        raise CastnotesError.single(f"no such feed file: {source}", hint=file_hint)
    return path.read_bytes(), None, None


def _parse(data: bytes) -> etree._Element | None:
    try:
        return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError:
        return None


def _peek_channel(data: bytes) -> etree._Element | None:
    """The <channel> when the bytes parse (to find the feed's own address before linting)."""
    root = _parse(data)
    return root.find("channel") if root is not None else None


def _add_findings(lint: Lint, problems: Iterable[Problem], root: Path, rule: str) -> None:
    """Problems of the show's files as findings of `rule`, each place named as the check names
    places: relative to the show."""
    for problem in problems:
        where = problem.where
        place = SourceLocation(where.path, where.line, SourceLocation(where.path).describe(root)) \
            if where.path is not None else SourceLocation(label="show")
        lint.add_at(place, rule, problem.message, severity=problem.severity, hint=problem.hint)
