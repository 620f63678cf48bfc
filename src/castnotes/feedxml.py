"""Podcast feed XML with lxml: namespaces as podcast apps treat them, and lenient lookups.

The iTunes namespace URI is matched without regard to case, the Podcasting 2.0 one
under both its URIs, and prefixes a feed uses without declaring them (which a
recovering parser keeps as `itunes:author`) still count, so a slightly broken feed
loses as little as possible.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from castnotes.fields import is_http_url

# Every namespace URI castnotes writes or reads, defined here once.
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
PODCAST = "https://podcastindex.org/namespace/1.0"
PODCAST_LEGACY = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
PSC = "http://podlove.org/simple-chapters"
ATOM = "http://www.w3.org/2005/Atom"
FH = "http://purl.org/syndication/history/1.0"
MEDIA_RSS = "http://search.yahoo.com/mrss/"
# Apps match namespace URIs without regard to case: keys are lower-cased.
FAMILIES = {uri.lower(): family for uri, family in [
    (ITUNES, "itunes"), (PSC, "psc"), (ATOM, "atom"), (MEDIA_RSS, "media"), (CONTENT, "content"),
    (PODCAST, "podcast"), (PODCAST_LEGACY, "podcast")]}


def is_html_page(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return True
    return b"<html" in head and b"<rss" not in head and b"<feed" not in head


def feed_link_hint(data: bytes, base_url: str | None) -> str:
    text = data[:500_000].decode("utf-8", errors="replace")
    for tag in re.findall(r"<link\b[^>]*>", text, re.I):
        if re.search(r"""type\s*=\s*["']application/(rss|atom)\+xml""", tag, re.I):
            href = re.search(r"""href\s*=\s*["']([^"']+)""", tag, re.I)
            if href:
                url = urljoin(base_url, href.group(1)) if base_url else href.group(1)
                return f"the page names its feed: import {url}"
    return ("find the feed's address on the page (an RSS link, often ending in /feed, /rss or .xml) "
            "or in your host's settings, and import that")


def safe_parser(*, recover: bool = False, huge_tree: bool = True) -> etree.XMLParser:
    """The one way castnotes parses XML it did not write: a feed is untrusted input, so no
    entity is expanded (billion laughs) and nothing is fetched (no DTD, no network: XXE)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=huge_tree, recover=recover)


def parse_xml(data: bytes) -> tuple[str | None, Any]:
    """(problem or None, root element or None): strict first, then recovering."""
    try:
        return None, etree.fromstring(data, safe_parser(huge_tree=False))
    except etree.XMLSyntaxError as exc:
        problem = f"line {exc.lineno}: {exc.msg}" if exc.lineno else str(exc.msg)
    try:
        root = etree.fromstring(data, safe_parser(recover=True, huge_tree=False))
    except etree.XMLSyntaxError:
        root = None
    return problem, root


def tag_family(element: Any) -> tuple[str, str]:
    """(namespace family, local name): `itunes`, `podcast`, ... or the URI; '' for none."""
    tag = element.tag
    if not isinstance(tag, str):
        return "#", ""
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        key = uri.strip().lower().rstrip("/")
        return FAMILIES.get(key, FAMILIES.get(key + "/", uri)), local
    if ":" in tag:  # a prefix the feed never declared, kept by the recovering parser
        prefix, local = tag.split(":", 1)
        return prefix.lower(), local
    return "", tag


def child_elements(element: Any, family: str, local: str) -> list[Any]:
    if element is None:
        return []
    wanted = (family, local.lower())
    return [c for c in element if (lambda f: (f[0], f[1].lower()))(tag_family(c)) == wanted]


def child_text(element: Any, family: str, local: str) -> str | None:
    for child in child_elements(element, family, local):
        text = "".join(child.itertext()).strip()
        if text:
            return text
    return None


def attr_or_text(element: Any, family: str, local: str, attribute: str) -> str | None:
    for child in child_elements(element, family, local):
        value = (child.get(attribute) or "".join(child.itertext())).strip()
        if value:
            return value
    return None


def tag_values(element: Any, local: str, attributes: tuple[str, ...]) -> tuple[dict[str, str], ...]:
    """Each podcast:<local> child as {attribute: value, "text": its text}, empty values left out."""
    found = []
    for child in child_elements(element, "podcast", local):
        values = {name: (child.get(name) or "").strip() for name in attributes if (child.get(name) or "").strip()}
        text = " ".join("".join(child.itertext()).split())
        if text:
            values["text"] = text
        found.append(values)
    return tuple(found)


def item_elements(root: Any) -> list[Any]:
    return [el for el in root.iter() if tag_family(el) in (("", "item"), ("atom", "entry"))
            or (isinstance(el.tag, str) and el.tag == "{http://purl.org/rss/1.0/}item")]


def self_link(root: Any) -> str | None:
    for link in child_elements(channel_element(root), "atom", "link"):
        href = (link.get("href") or "").strip()
        if link.get("rel") == "self" and is_http_url(href):
            return href
    return None


def channel_element(root: Any) -> Any:
    if root is None:
        return None
    for element in root.iter():
        if tag_family(element) == ("", "channel"):
            return element
    return root


def other_tags(element: Any, known: dict[str, set[str]]) -> tuple[str, ...]:
    if element is None:
        return ()
    found = []
    for child in element:
        family, local = tag_family(child)
        if family in known and local.lower() not in known[family]:
            found.append(f"{family}:{local}")
    return tuple(dict.fromkeys(found))
