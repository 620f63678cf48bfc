"""What search engines and link previews read: sitemap.xml, robots.txt and JSON-LD.

JSON-LD follows schema.org's PodcastSeries and PodcastEpisode, the types Google
reads for podcasts. Everything here is pure: the show in, text or dicts out.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any, Iterable
from xml.sax.saxutils import escape

from castnotes.markdown import render_markdown
from castnotes.model import Episode, Show
from castnotes.timecode import format_iso_duration

SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"


def render_sitemap(show: Show, pages: Iterable[tuple[str, str | None]]) -> bytes:
    """`pages` are (folder site path, last-modified date or None), in the order to list them."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for folder, lastmod in pages:
        lines.append(f"  <url><loc>{escape(show.url + folder)}</loc>"
                     + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_robots(show: Show) -> bytes:
    """Every page may be crawled; the sitemap says where they all are."""
    return f"User-agent: *\nDisallow:\n\nSitemap: {show.url}{SITEMAP}\n".encode("utf-8")


def series_jsonld(show: Show) -> dict[str, Any]:
    settings = show.settings.show
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "PodcastSeries",
        "name": settings.title,
        "url": show.url,
        "description": plain_text(render_markdown(settings.description)),
        "inLanguage": settings.language,
        "webFeed": show.feed_url,
    }
    if show.image:
        data["image"] = show.image.url
    if settings.author:
        data["author"] = {"@type": "Person", "name": settings.author}
    if show.hosts:
        data["creator"] = [{"@type": "Person", "name": h.name, **({"url": h.href} if h.href else {})}
                           for h in show.hosts]
    if settings.copyright:
        data["copyrightNotice"] = settings.copyright
    return data


def episode_jsonld(show: Show, episode: Episode, page_url: str) -> dict[str, Any]:
    enclosure = episode.enclosure
    # a duration not measured (0) is left out rather than said to be zero
    duration = {"duration": format_iso_duration(enclosure.duration)} if enclosure.duration > 0 else {}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": episode.title,
        "url": page_url,
        "datePublished": episode.date.isoformat(),
        "description": episode.summary,
        **({"timeRequired": duration["duration"]} if duration else {}),
        **duration,
        "associatedMedia": {
            "@type": "AudioObject",
            "contentUrl": enclosure.url,
            "encodingFormat": enclosure.mime,
            "contentSize": str(enclosure.length),
            **duration,
        },
        "partOfSeries": {"@type": "PodcastSeries", "name": show.settings.show.title, "url": show.url},
    }
    if episode.number is not None:
        data["episodeNumber"] = episode.number
    if episode.season is not None:
        data["partOfSeason"] = {"@type": "PodcastSeason", "seasonNumber": episode.season}
    art = episode.image or show.image
    if art:
        data["image"] = art.url
    if episode.guests:
        data["actor"] = [{"@type": "Person", "name": g.name, **({"url": g.href} if g.href else {})}
                         for g in episode.guests]
    if episode.categories:
        data["keywords"] = ", ".join(episode.categories)
    return data


def plain_text(html: str) -> str:
    """Markup stripped and whitespace collapsed, for descriptions in metadata.

    Block tags become a space and inline tags nothing, so `<a>health</a>.` stays
    `health.` and never `health .`.
    """
    spaced = re.sub(r"</?(?:p|div|h[1-6]|li|ul|ol|br|hr|blockquote|pre|table|tr|td|th)\b[^>]*>", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", spaced))).strip()


def lastmod(episode: Episode) -> str:
    return episode.date.date().isoformat()
