"""Show -> podcast RSS 2.0 bytes, with feedgen.

Pure: a Show in, bytes out. Deterministic: every date comes from the episodes, the
generator tag is ours, entries are appended in order. feedgen's traps (feed-rules.md
§7) are handled by the small `castnotes` extension below: `itunes:explicit` as
true/false, which feedgen refuses, the item description in CDATA, `itunes:block` and
`itunes:complete` as Apple's "Yes", and item art whatever its URL ends in (feedgen
silently drops art URLs not ending in .jpg/.png). The Podcasting 2.0 tags come from
podcasting.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterator

import feedgen.version
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem
from lxml import etree
from lxml.etree import CDATA

from castnotes import __version__
from castnotes.codec import digest
from castnotes.feedxml import ATOM, ITUNES
from castnotes.markdown import apple_description, render_markdown, resolve_site_links
from castnotes.model import Episode, Show
from castnotes.render.fingerprints import Fingerprints, episode_digest
from castnotes.render.podcasting import (
    PodcastIndexEntryExtension,
    PodcastIndexExtension,
    channel_tags,
    item_tags,
)
from castnotes.timecode import whole_seconds

GENERATOR = f"castnotes {__version__}"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _explicit_and_description(element: etree._Element, explicit: bool | None, description_html: str | None) -> None:
    """itunes:explicit as true/false, and the description as HTML in CDATA (channel and item alike)."""
    if explicit is not None:
        xml_elem(f"{{{ITUNES}}}explicit", element).text = "true" if explicit else "false"
    if description_html is not None:
        element.find("description").text = CDATA(description_html.replace("]]>", "]]&gt;"))


class CastnotesExtension(BaseExtension):
    """Channel-level fixes: itunes:explicit true/false, an HTML description in CDATA, block/complete."""

    def __init__(self) -> None:
        self.explicit: bool | None = None
        self.description_html: str | None = None
        self.block = False
        self.complete = False
        self.paging: list[tuple[str, str]] = []  # (rel, href): RFC 5005 paged-feed links
        self.hubs: tuple[str, ...] = ()  # WebSub hubs ([publish] websub_hubs) apps may subscribe at

    def extend_rss(self, rss_feed):  # noqa: ANN001 - feedgen's signature
        channel = rss_feed[0]
        self_link = channel.find(f"{{{ATOM}}}link")
        for href in reversed(self.hubs):  # after the paging links (inserted next, before them)
            self_link.addnext(etree.Element(f"{{{ATOM}}}link", href=href, rel="hub"))
        for rel, href in reversed(self.paging):  # right after atom:link rel=self
            self_link.addnext(etree.Element(f"{{{ATOM}}}link", href=href, rel=rel, type="application/rss+xml"))
        _explicit_and_description(channel, self.explicit, self.description_html)
        if self.block:
            xml_elem(f"{{{ITUNES}}}block", channel).text = "Yes"
        if self.complete:
            xml_elem(f"{{{ITUNES}}}complete", channel).text = "Yes"
        return rss_feed


class CastnotesEntryExtension(BaseEntryExtension):
    """Item-level fixes: itunes:explicit true/false, the description in CDATA, any art URL,
    itunes:title."""

    def __init__(self) -> None:
        self.explicit: bool | None = None
        self.description_html: str | None = None
        self.image_url: str | None = None
        self.itunes_title: str | None = None

    def extend_rss(self, entry):  # noqa: ANN001 - feedgen's signature
        if self.itunes_title is not None:
            xml_elem(f"{{{ITUNES}}}title", entry).text = self.itunes_title
        if self.image_url is not None:
            xml_elem(f"{{{ITUNES}}}image", entry).set("href", self.image_url)
        _explicit_and_description(entry, self.explicit, self.description_html)
        return entry


def build_date(show: Show) -> datetime:
    """lastBuildDate from the content, never the clock (SOURCE_DATE_EPOCH when there is none)."""
    if show.episodes:
        return max(e.date for e in show.episodes)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch) if epoch else 0, timezone.utc)


PART_ITEMS = 200  # items per piece: feedgen builds each piece's tree, never the whole feed's


@dataclass(frozen=True, slots=True)
class FeedDocument:
    """One feed file: feed.xml, or a page of a paged feed."""

    site_path: str
    self_url: str
    episodes: tuple[Episode, ...]
    paging: tuple[tuple[str, str], ...] = ()  # RFC 5005 (rel, href)


def render_parts(show: Show, document: FeedDocument,
                 episodes: tuple[Episode, ...] | None = None) -> Iterator[bytes]:
    """The document as standalone feeds of at most PART_ITEMS items each, same channel in all.

    `splice` joins them into the document. A 10,000-episode feed is tens of MB;
    building it in pieces keeps feedgen's XML tree (several times the text) small,
    and lets a build check each piece as it goes. `episodes` renders only those
    items (a build renders the ones it has not kept), still with the document's channel.
    """
    uses_psc = any(c.toc for e in document.episodes for c in e.chapters)
    episodes = document.episodes if episodes is None else episodes
    tags = channel_tags(show)  # once: trailers come from every episode
    for start in range(0, max(1, len(episodes)), PART_ITEMS):
        fg = new_feed(show, document.self_url, tags)
        fg.castnotes.paging = list(document.paging)
        fg.podcastindex.uses_psc = uses_psc
        for episode in episodes[start : start + PART_ITEMS]:
            add_item(fg, show, episode)
        yield XML_DECLARATION + fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=False)


_ITEM = b"\n    <item>"
_CHANNEL_END = b"  </channel>"
_BETWEEN_ITEMS = b"</item>\n    <item>"

# --- a feed made of kept items ---------------------------------------------------------------
# A build keeps each episode's <item> bytes (output/feed_items.py) and renders only the
# items it does not have. feedgen pretty-prints with lxml and declares every namespace once,
# at <rss>: an item's bytes depend on the item alone (its indentation is fixed by its depth),
# never on its neighbours, so a document is its channel's bytes around its items' bytes,
# byte for byte what feedgen writes for the whole document (tests/test_feed_cache.py).

ITEM_FORMAT = 1  # bump when an item's bytes change for a reason `item_inputs` cannot see


def item_inputs(show: Show) -> str:
    """A digest of everything besides the episode that goes into each of its items.

    add_item reads the show's address, its [show] settings (author, seasons) and hosts;
    the whole [show] section is taken, so no setting an item shows can be missed. The
    renderer's versions count too: another feedgen or libxml2 may write other bytes.
    """
    return digest("feed-item", ITEM_FORMAT, GENERATOR, feedgen.version.version_str, etree.LXML_VERSION,
                  etree.LIBXML_VERSION, show.url, show.settings.show, show.hosts)


def item_key(inputs: str, episode: Episode, *more: object, digests: Fingerprints | None = None) -> str:
    """The digest of an episode's item: `item_inputs`, the whole episode (`episode_digest`, taken
    from `digests` when given: the build's pages share it) and `more` (the checks' own inputs)."""
    known = digests.episode(episode) if digests is not None else episode_digest(episode)
    return digest(inputs, known, more)


def render_channel(show: Show, document: FeedDocument) -> tuple[bytes, bytes]:
    """The document without items, cut where they go: head + items + tail is the document."""
    data = next(render_parts(show, document, ()))
    end = data.rfind(_CHANNEL_END)
    return data[:end], data[end:]


def cut_items(part: bytes, head: bytes, tail: bytes, count: int) -> list[bytes] | None:
    """The bytes of each of the `count` items of a piece from `render_parts`, in order.

    `head` and `tail` are the document's channel from `render_channel`, which every piece
    has around its items. None when the piece is not that channel around exactly `count`
    items (an item whose text held the very bytes between two items): the caller then
    keeps nothing of that piece.
    """
    if not (part.startswith(head) and part.endswith(tail)) or len(part) < len(head) + len(tail):
        return None
    region = part[len(head):len(part) - len(tail)]
    if count == 0:
        return [] if not region else None
    if not (region.startswith(b"    <item>") and region.endswith(b"</item>\n")):
        return None
    pieces = region.split(_BETWEEN_ITEMS)
    if len(pieces) != count:
        return None
    # the split took "</item>\n" off each piece but the last and "    <item>" off each but the first
    return [(b"    <item>" if i else b"") + piece + (b"</item>\n" if i < count - 1 else b"")
            for i, piece in enumerate(pieces)]


class Splicer:
    """Joins the pieces from `render_parts` into one document: the first piece's channel,
    every piece's items. Keeps only the slices, so each piece can go once added.

    The same bytes feedgen writes for all the items at once (tested), since every
    piece has the same channel and namespaces.
    """

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.tail = b""
        self.first: bytes | None = None

    def add(self, part: bytes) -> None:
        if self.first is None and not self.chunks:
            self.first = part  # kept whole until a second piece shows the feed is split
            return
        if self.first is not None:
            self._cut(self.first, head=True)
            self.first = None
        self._cut(part, head=False)

    def _cut(self, part: bytes, head: bool) -> None:
        start = part.find(_ITEM) + 1
        end = part.rfind(_CHANNEL_END)
        if head:
            self.chunks.append(part[:start])
            self.tail = part[end:]
        self.chunks.append(part[start:end])

    def result(self) -> list[bytes]:
        """The document as a list of byte chunks (join them, or write them one by one)."""
        return [self.first] if self.first is not None else [*self.chunks, self.tail]


def splice(parts: list[bytes]) -> bytes:
    splicer = Splicer()
    for part in parts:
        splicer.add(part)
    return b"".join(splicer.result())


def render_feed(show: Show, episodes: tuple[Episode, ...] | None = None, *,
                self_url: str | None = None, paging: list[tuple[str, str]] | None = None) -> bytes:
    """One feed document as UTF-8 bytes (`episodes` defaults to all of the show's, newest first)."""
    document = FeedDocument("", self_url or show.feed_url,
                            show.episodes if episodes is None else episodes, tuple(paging or ()))
    return splice(list(render_parts(show, document)))


def plan_feeds(show: Show) -> list[FeedDocument]:
    """Every feed document: `feed.xml`, then `feed-2.xml`, `feed-3.xml`, ... linked as an RFC 5005
    paged feed when split.

    With `[feed] limit`, feed.xml keeps the newest `limit` episodes and each further
    page the next older `limit`, so every episode is in exactly one document.
    gPodder/podcastparser follow `first`/`next` and AntennaPod follows `next`
    (feed-rules.md rule PAGE), so older episodes stay reachable from the newest page.
    """
    path, limit = show.settings.feed.path, show.settings.feed.limit
    if not limit or len(show.episodes) <= limit:
        return [FeedDocument(path, show.feed_url, show.episodes)]
    pages = -(-len(show.episodes) // limit)
    paths = [path] + [f"{path[:-len('.xml')]}-{number}.xml" for number in range(2, pages + 1)]
    urls = [show.url + path for path in paths]
    documents = []
    for number, path in enumerate(paths):
        links = [("first", urls[0]), ("last", urls[-1])]
        if number > 0:
            links.append(("previous", urls[number - 1]))
        if number + 1 < len(paths):
            links.append(("next", urls[number + 1]))
        chunk = show.episodes[number * limit : (number + 1) * limit]
        documents.append(FeedDocument(path, urls[number], chunk, tuple(links)))
    return documents


def render_feeds(show: Show) -> list[tuple[str, bytes]]:
    """Every feed document as (site path, bytes)."""
    return [(doc.site_path, splice(list(render_parts(show, doc)))) for doc in plan_feeds(show)]


def new_feed(show: Show, self_url: str, tags: list) -> FeedGenerator:
    settings = show.settings.show
    fg = FeedGenerator()
    fg.load_extension("podcast", rss=True, atom=False)
    fg.register_extension("castnotes", CastnotesExtension, CastnotesEntryExtension, atom=False)
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension, atom=False)
    fg.title(settings.title)
    # feedgen takes the channel <link> from the last link given: self first, then the site.
    fg.link(href=self_url, rel="self", type="application/rss+xml")
    fg.link(href=show.url, rel="alternate")
    fg.description(settings.description)
    fg.castnotes.description_html = apple_description(None, render_markdown(settings.description), show.url, show.url)
    fg.language(settings.language)
    if settings.copyright:
        fg.copyright(settings.copyright)
    fg.generator(GENERATOR)
    fg.lastBuildDate(build_date(show))
    if show.episodes:
        fg.pubDate(show.episodes[0].date)
    if settings.author:
        fg.podcast.itunes_author(settings.author)
    if settings.owner:
        fg.podcast.itunes_owner(name=settings.owner.name, email=settings.owner.email)
    if show.image:
        fg.image(url=show.image.url, title=settings.title, link=show.url)
        fg.podcast.itunes_image(show.image.url)
    if settings.categories:
        fg.podcast.itunes_category([{"cat": cat, "sub": sub} for cat, sub in settings.categories])
    fg.podcast.itunes_type(settings.type)
    if settings.new_feed_url:
        fg.podcast.itunes_new_feed_url(settings.new_feed_url)
    fg.castnotes.explicit = settings.explicit
    fg.castnotes.block = any(r.blocked and r.service in (None, "apple") for r in settings.block)
    fg.castnotes.complete = settings.complete
    fg.castnotes.hubs = show.settings.publish.websub_hubs
    fg.podcastindex.tags = tags
    return fg


def add_item(fg: FeedGenerator, show: Show, episode: Episode) -> None:
    fe = fg.add_entry(order="append")
    page_url = show.url + episode.page_path
    fe.title(episode.title)
    fe.link(href=page_url)
    fe.guid(episode.guid, permalink=episode.guid_permalink)
    fe.pubDate(episode.date)
    summary = None if episode.summary_is_excerpt else episode.summary
    fe.description(episode.summary or episode.title)
    fe.castnotes.description_html = apple_description(summary, episode.body_html, show.url, page_url)
    fe.content(resolve_site_links(episode.body_html, show.url), type="CDATA")
    enclosure = episode.enclosure
    fe.enclosure(enclosure.url, str(enclosure.length), enclosure.mime)
    if enclosure.duration > 0:  # 0: not measured yet (remote audio imported without one): no tag
        fe.podcast.itunes_duration(str(whole_seconds(enclosure.duration)))
    if show.settings.show.author:
        fe.podcast.itunes_author(show.settings.show.author)
    if episode.number is not None:
        fe.podcast.itunes_episode(episode.number)
    if episode.season is not None:
        fe.podcast.itunes_season(episode.season)
    fe.podcast.itunes_episode_type(episode.type)
    if episode.image is not None:
        fe.castnotes.image_url = episode.image.url
    fe.castnotes.explicit = episode.explicit
    if episode.itunes_title and episode.itunes_title != episode.title:
        fe.castnotes.itunes_title = episode.itunes_title
    fe.podcastindex.tags = item_tags(show, episode)
