"""Show -> `takeaways.xml`: an Atom feed of the takeaway posts, for blog readers.

Podcast apps read feed.xml; feed readers (NetNewsWire, Feedly, Miniflux) want the
written takeaways in full, with links that work outside the site. Made with
feedgen; deterministic like the podcast feed: `updated` is the newest episode's
date, the generator is ours, entries are appended newest first.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from html import escape

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator

from castnotes.markdown import render_markdown, resolve_site_links
from castnotes.model import Article, Episode, Show
from castnotes.render.rss import GENERATOR, XML_DECLARATION, build_date
from castnotes.render.seo import plain_text

TAKEAWAYS_PATH = "takeaways.xml"
TAKEAWAYS_LIMIT = 50  # newest posts in the feed; readers keep what they have already seen


class LinkAttributes(BaseEntryExtension):
    """feedgen 1.0 writes an Atom entry's links with their href only: it drops rel, type and
    length (the loop variable shadows the link's data). Put them back, in order."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry):  # noqa: ANN001, ANN201 - feedgen's signature
        for element, attributes in zip(entry.findall("link"), self.links):
            element.attrib.update(attributes)
        return entry


def posts_of(show: Show) -> tuple[Article, ...]:
    """The pages of pages/ with a date (posts, dated collections), newest first."""
    return tuple(sorted((a for a in show.articles if a.date), key=lambda a: (a.date, a.slug), reverse=True))


def takeaway_entries(show: Show) -> tuple[Episode | Article, ...]:
    """The feed's entries: the episodes' takeaways and the posts, newest first."""
    entries = sorted([*show.episodes, *posts_of(show)], key=lambda entry: (entry.date, entry.slug), reverse=True)
    return tuple(entries[:TAKEAWAYS_LIMIT])


def takeaways_url(show: Show) -> str:
    return show.url + TAKEAWAYS_PATH


def render_takeaways_feed(show: Show, title: str) -> bytes:
    """The Atom feed; `title` is its name in the site's language ("<show>: takeaways")."""
    settings = show.settings.show
    fg = FeedGenerator()
    # feedgen wants a feed-level class beside every entry extension: its base class adds nothing
    fg.register_extension("linkattributes", BaseExtension, LinkAttributes, atom=True, rss=False)
    fg.id(show.url)
    fg.title(title)
    fg.subtitle(plain_text(render_markdown(settings.description)) or settings.title)
    fg.link(href=takeaways_url(show), rel="self", type="application/atom+xml")
    fg.link(href=show.url, rel="alternate", type="text/html")
    fg.link(href=show.feed_url, rel="related", type="application/rss+xml")
    fg.language(settings.language)
    entries = takeaway_entries(show)
    fg.updated(max(build_date(show), *(entry.date for entry in entries)) if entries else build_date(show))
    fg.generator(GENERATOR, uri="https://pypi.org/project/castnotes/")
    if settings.author:
        fg.author(name=settings.author)
    if settings.copyright:
        fg.rights(settings.copyright)
    if show.image:
        fg.icon(show.image.url)
        fg.logo(show.image.url)
    for entry in entries:
        if isinstance(entry, Episode):
            add_post(fg, show, entry)
        else:
            add_article(fg, show, entry)
    return XML_DECLARATION + fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=False)


def _add_entry(fg: FeedGenerator, entry_id: str, title: str, date: datetime, summary: str,
               links: list[dict[str, str]]) -> FeedEntry:
    """A new entry with its id, title, links (also kept for LinkAttributes), date and summary."""
    entry = fg.add_entry(order="append")
    entry.id(entry_id)
    entry.title(title)
    for link in links:
        entry.link(**link)
    entry.linkattributes.links = links
    entry.published(date)
    entry.updated(date)
    if summary:
        entry.summary(summary)
    return entry


def add_post(fg: FeedGenerator, show: Show, episode: Episode) -> None:
    page_url = show.url + episode.page_path
    enclosure = episode.enclosure
    entry = _add_entry(fg, post_id(episode, page_url), episode.title, episode.date, episode.summary, [
        {"href": page_url, "rel": "alternate", "type": "text/html"},
        {"href": enclosure.url, "rel": "enclosure", "type": enclosure.mime, "length": str(enclosure.length)}])
    body = resolve_site_links(episode.body_html, show.url)
    if episode.summary and not episode.summary_is_excerpt:
        body = f"<p>{escape(episode.summary, quote=False)}</p>\n{body}"
    entry.content(body, type="html")
    for name in episode.categories:
        entry.category(term=name)
    for guest in episode.guests:
        entry.contributor(name=guest.name, **({"uri": guest.href} if guest.href else {}))


def add_article(fg: FeedGenerator, show: Show, article: Article) -> None:
    """A post of pages/: its text in full; an embedded player becomes a link to the episode."""
    page_url = show.url + article.page_path
    assert article.date is not None
    entry = _add_entry(fg, page_url, article.title, article.date, article.summary,
                       [{"href": page_url, "rel": "alternate", "type": "text/html"}])
    body = resolve_site_links(article.body_html, show.url)
    titles = {e.slug: e.title for e in show.episodes}
    listed = [slug for slug in article.episodes if slug in titles]
    if listed:  # a collection: its episodes, in order
        body += "<ol>\n" + "".join(f'<li><a href="{show.url}episodes/{slug}/">{escape(titles[slug])}</a></li>\n'
                                  for slug in listed) + "</ol>\n"
    entry.content(body, type="html")


def post_id(episode: Episode, page_url: str) -> str:
    """The episode's GUID as a URN when it is a UUID (it never changes), else the page URL."""
    try:
        return uuid.UUID(episode.guid).urn
    except ValueError:
        return episode.guid if episode.guid.startswith(("http://", "https://", "urn:", "tag:")) else page_url
