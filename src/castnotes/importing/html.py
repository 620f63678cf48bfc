"""Show notes from another host's feed (HTML) -> Markdown a host can edit.

The HTML is untrusted: it is sanitised with nh3 first (scripts, styles, event
handlers, `javascript:` links are gone), then markdownify converts it, keeping
links, lists, headings and emphasis. markdownify escapes anything that would read
as Markdown or raw HTML (`<script>` written as text stays text), because castnotes
renders notes with raw HTML allowed. Relative links become absolute against the
episode's old page, since they would otherwise point into the new site.
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urljoin, urlsplit

import markdownify
import nh3

_KEPT_SCHEMES = {"http", "https", "mailto", "tel"}
_MARKDOWN_OPTIONS = {
    "heading_style": "ATX",
    "bullets": "-",
    "escape_misc": True,  # `<`, `#`, `1.` and friends written as text stay text
    "newline_style": "backslash",
    "strong_em_symbol": "*",
}


def html_to_markdown(html: str, base_url: str | None = None) -> str:
    """Sanitised, converted notes; empty when nothing readable is left."""
    clean = sanitise_html(html, base_url)
    text = markdownify.markdownify(clean, **_MARKDOWN_OPTIONS)
    text = re.sub(r"!\[[^\]]*\]\(\)", "", text)  # images whose address could not be kept
    text = "\n".join(line.rstrip() for line in text.splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text + "\n" if text else ""


def text_to_markdown(text: str) -> str:
    """Plain-text notes: blank lines separate paragraphs, single newlines are kept as breaks."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    html = "".join("<p>" + html_lib.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return html_to_markdown(html)


def sanitise_html(html: str, base_url: str | None = None) -> str:
    """nh3's safe subset, with every link and image made absolute (or dropped when it cannot be)."""

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute not in ("href", "src"):
            return value
        value = value.strip()
        if value.startswith("#") and tag == "a":
            return value
        if scheme := urlsplit(value).scheme.lower():
            return value if scheme in _KEPT_SCHEMES else None
        return urljoin(base_url, value) if base_url else None

    return nh3.clean(html, attribute_filter=absolute, link_rel=None, strip_comments=True)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, whitespace collapsed (for summaries)."""
    text = nh3.clean(html, tags=set(), strip_comments=True)
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()


def looks_like_html(text: str) -> bool:
    """Feeds rarely say whether a description is HTML: any tag or entity means it is."""
    return bool(re.search(r"</?[a-z][a-z0-9]*\b[^>]*>|&[a-z]+;|&#\d+;", text, re.I))
