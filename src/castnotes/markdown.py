"""Show notes: Markdown to HTML, episode links, summaries, Apple's description subset.

Links inside the notes are written with a `castnotes:/` marker in front of their
site path (`castnotes:/episodes/other/`). The page renderer turns the marker into a
relative path, the feed renderer into an absolute URL, so the same HTML serves a site
at a domain root, in a sub-path, and in podcast apps.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from castnotes.errors import Problem, SourceLocation

SITE_MARKER = "castnotes:/"
_MARKER_RE = re.compile(r'(href|src)="castnotes:/')
APPLE_TAGS = {"p", "ol", "ul", "li", "a"}
DESCRIPTION_LIMIT = 4000  # bytes, Apple's limit for <description>

# Raw HTML in notes is allowed, through an allowlist (nh3): it ends up on the show's own
# site, in podcast apps (content:encoded) and in feed readers, so nothing in it may run
# code. Embedded players come only from the hosts listed in `[site] embed_hosts`.
DEFAULT_EMBED_HOSTS = ("www.youtube-nocookie.com", "player.vimeo.com")
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS | {"section", "iframe", "audio", "video", "source", "track"})
ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "hreflang", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "iframe": {"src", "width", "height", "allow", "allowfullscreen", "loading", "referrerpolicy",
               "frameborder"},
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload", "poster", "width", "height"},
    "source": {"src", "type"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "ol": {"start", "reversed", "type"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
}
URL_SCHEMES = frozenset(nh3.ALLOWED_URL_SCHEMES | {"castnotes"})
_EMPTY_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>.*?</iframe>", re.S | re.I)


@dataclass(frozen=True, slots=True)
class HtmlPolicy:
    """What raw HTML notes may keep: `[site] embed_hosts`, and `[site] raw_html` to trust it all."""

    embed_hosts: tuple[str, ...] = DEFAULT_EMBED_HOSTS
    raw_html: bool = False


def sanitise(html: str, policy: HtmlPolicy = HtmlPolicy()) -> str:
    """`html` with everything that could run code removed (unless the host trusts raw HTML)."""
    if policy.raw_html:
        return html
    hosts = {h.lower() for h in policy.embed_hosts}

    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "iframe" and attr == "src":
            parts = urlsplit(value)
            return value if parts.scheme == "https" and (parts.hostname or "").lower() in hosts else None
        if attr == "style" and tag in ("td", "th"):  # markdown tables align cells with this only
            return value if re.fullmatch(r"text-align:\s*(left|right|center)", value) else None
        return value

    clean = nh3.clean(html, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES, url_schemes=set(URL_SCHEMES),
                      attribute_filter=keep, link_rel=None, strip_comments=False)
    return _EMPTY_IFRAME.sub("", clean)


class _Inventory(HTMLParser):
    """Every element and attribute of an HTML text, and the hosts of its iframes, counted."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "iframe":  # an iframe is counted by its host (below)
            self.items[f"<{tag}>"] += 1
        for name, value in attrs:
            if tag == "iframe" and name == "src":
                self.items[f"<iframe> from {urlsplit(value or '').hostname or value!r}"] += 1
            elif name in ("href", "src") and value and ":" in value.split("/", 1)[0]:
                self.items[f"{value.split(':', 1)[0].strip().lower()}: link on <{tag}>"] += 1
            else:
                self.items[f"{name}= attribute on <{tag}>"] += 1


def removed_parts(before: str, after: str) -> list[str]:
    """What sanitising took out of `before`, in words (`<script>`, `onclick= attribute on <a>`)."""
    counts = []
    for html in (before, after):
        inventory = _Inventory()
        inventory.feed(html)
        inventory.close()
        counts.append(inventory.items)
    removed = counts[0] - counts[1]
    gone_tags = {item for item in removed if item.startswith("<")}
    # An element removed whole is named once, without its attributes.
    return sorted(item for item in removed if not any(item.endswith(f" on {tag}") for tag in gone_tags))


def _source_line(text: str, item: str, first_line: int) -> int:
    """The line of the notes where a removed part was written (its tag, attribute or scheme)."""
    # "<script>" -> "<script"; "onclick= attribute on <a>" -> "onclick="; "javascript: link" -> "javascript:"
    needle = item.split(">", 1)[0] if item.startswith("<") else item.split(" ", 1)[0]
    position = text.lower().find(needle)
    return first_line + (text.count("\n", 0, position) if position > 0 else 0)


# Ids the default theme gives its own page sections: a notes heading must not reuse one.
THEME_IDS = frozenset({"main", "content", "episode-title", "episodes-title", "chapters-title",
                       "guests-title", "sponsors-title", "related-title", "topics-title", "show-title",
                       "nf-title", "transcript", "player"})


def _heading_slug(title: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", title.strip().lower(), flags=re.UNICODE).replace(" ", "-")
    return f"{slug}-notes" if slug in THEME_IDS else slug


_md = (
    MarkdownIt("commonmark", {"html": True, "xhtmlOut": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
    .use(footnote_plugin)
    .use(anchors_plugin, min_level=2, max_level=4, slug_func=_heading_slug)
)


@dataclass
class RenderedNotes:
    html: str  # with castnotes:/ markers
    first_paragraph: str  # plain text
    problems: list[Problem] = field(default_factory=list)
    assets: list[tuple[Path, str]] = field(default_factory=list)  # (source, site path) to copy
    linked_episodes: list[tuple[str, int]] = field(default_factory=list)  # (folder name, line)


# Given an episode folder name, its page's site path ("episodes/slug/"), or None.
EpisodeLookup = Callable[[str], "str | None"]


def render_notes(
    text: str,
    *,
    source_path: Path,
    first_line: int,
    episodes_dir: Path,
    page_path: str,
    lookup: EpisodeLookup,
    policy: HtmlPolicy = HtmlPolicy(),
    page_lookup: Callable[[Path], "str | None"] | None = None,
) -> RenderedNotes:
    """Render an episode's Markdown body.

    `first_line` is the file line the body starts on, so link errors point at the
    real line of episode.md. Links to `../<folder>/episode.md` become links to that
    episode's page; links to local files in the episode folder publish those files.
    With `page_lookup` (for pages/), a link to another `.md` file is a link to the page
    made from it: page_lookup gives its site path, or None when there is no such page.
    """
    tokens = _md.parse(text)
    result = RenderedNotes(html="", first_paragraph=first_paragraph(tokens))
    folder = source_path.parent
    for i, block in enumerate(tokens):
        if block.type != "inline" or not block.children:
            continue
        if _embed_alone(block) and 0 < i < len(tokens) - 1:  # its own <p>, even in a tight list
            tokens[i - 1].hidden = tokens[i + 1].hidden = False
        line = first_line + (block.map[0] if block.map else 0)
        for child in block.children:
            attr = "href" if child.type == "link_open" else "src" if child.type == "image" else None
            if attr is None:
                continue
            target = str(child.attrs.get(attr, ""))
            new = _rewrite_target(target, folder, episodes_dir, page_path, lookup, result,
                                  source_path, _line_of(block, target, line), page_lookup)
            if new is not None:
                child.attrs[attr] = new
    html = _md.renderer.render(tokens, _md.options, {})
    # Markdown alone is safe (markdown-it refuses javascript: and data: links); only raw HTML in
    # the notes goes through the allowlist, so notes without it keep their exact bytes.
    raw = _has_raw_html(tokens)
    result.html = sanitise(html, policy) if raw else html
    if raw and not policy.raw_html and (removed := removed_parts(html, result.html)):
        line = min(_source_line(text, item, first_line) for item in removed)
        result.problems.append(Problem(
            f"removed from the notes' HTML, as it could run code in readers' browsers and apps: "
            f"{', '.join(removed)}", SourceLocation(source_path, line), severity="warning",
            hint="embed players only from [site] embed_hosts; [site] raw_html = true turns this off"))
    return result


def _has_raw_html(tokens: list[Token]) -> bool:
    return any(t.type == "html_block" or any(c.type == "html_inline" for c in t.children or ())
               for t in tokens)


def _line_of(block: Token, target: str, line: int) -> int:
    position = block.content.find(target)
    return line + (block.content.count("\n", 0, position) if position > 0 else 0)


def _rewrite_target(target: str, folder: Path, episodes_dir: Path, page_path: str,
                    lookup: EpisodeLookup, result: RenderedNotes, source_path: Path,
                    line: int, page_lookup: Callable[[Path], "str | None"] | None = None) -> str | None:
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path or target.startswith(("#", "/")):
        return None
    fragment = f"#{parts.fragment}" if parts.fragment else ""

    def refuse(message: str, hint: str | None = None) -> None:
        result.problems.append(Problem(message, SourceLocation(source_path, line), hint=hint))

    # Links between episodes only name a folder: no need to ask the file system.
    target_path = Path(os.path.normpath(folder / unquote(parts.path)))
    if target_path.name == "episode.md":
        if Path(os.path.normpath(target_path.parent.parent)) != Path(os.path.normpath(episodes_dir)):
            refuse(f"link {target!r} does not point at an episode folder", "link to ../<episode folder>/episode.md")
            return None
        site = lookup(target_path.parent.name)
        if site is None:
            refuse(f"link to a missing episode: {target!r}", "check the folder name under episodes/")
            return None
        result.linked_episodes.append((target_path.parent.name, line))
        return SITE_MARKER + site + fragment
    if page_lookup is not None and target_path.suffix == ".md":
        site = page_lookup(target_path)
        if site is None:
            refuse(f"link to a missing page: {target!r}", "link to another page as its file, e.g. "
                   "[Contact](contact.md), or to an episode as ../episodes/<folder>/episode.md")
            return None
        return SITE_MARKER + site + fragment
    resolved = target_path.resolve()  # a file to publish: follow symlinks before checking where it is
    if not resolved.is_relative_to(folder.resolve()):
        refuse(f"link {target!r} points outside the episode folder", "put the file inside the episode folder")
        return None
    if not resolved.is_file():
        refuse(f"linked file not found: {target!r}")
        return None
    site_path = posixpath.join(page_path, resolved.relative_to(folder.resolve()).as_posix())
    result.assets.append((resolved, site_path))
    return SITE_MARKER + site_path + fragment


EMBED_SCHEME = "episode:"
_EMBED_HTML_RE = re.compile(r'<p><img src="episode:([^"]*)" alt="[^"]*"\s*/?></p>\n?')


@dataclass(frozen=True, slots=True)
class Embed:
    """`![Listen](episode:slug)` in a page: an episode's player, by slug."""

    slug: str
    line: int  # in the file
    alone: bool  # the only thing in a top-level paragraph, as a player must be


def _is_embed(token: Token) -> bool:
    return token.type == "image" and str(token.attrs.get("src", "")).startswith(EMBED_SCHEME)


def _embed_alone(block: Token) -> bool:
    """An inline block holding one episode embed and nothing else but spaces."""
    children = [c for c in block.children or [] if not (c.type == "text" and not c.content.strip())
                and c.type != "softbreak"]
    return len(children) == 1 and _is_embed(children[0])


def find_embeds(text: str, first_line: int) -> list[Embed]:
    """Every episode embed in a page's Markdown, with its file line."""
    found = []
    for block in _md.parse(text):
        if block.type != "inline" or not block.children:
            continue
        line = first_line + (block.map[0] if block.map else 0)
        for image in (c for c in block.children if _is_embed(c)):
            slug = str(image.attrs["src"])[len(EMBED_SCHEME):]
            found.append(Embed(slug, _line_of(block, slug, line), _embed_alone(block)))
    return found


def split_embeds(html: str) -> tuple[tuple[str, str], ...]:
    """Rendered HTML -> ("html", chunk) and ("episode", slug) parts, in order (no empty chunks)."""
    pieces = _EMBED_HTML_RE.split(html)  # html, slug, html, slug, ..., html
    return tuple((("html", "episode")[i % 2], piece) for i, piece in enumerate(pieces) if piece or i % 2)


def first_paragraph(tokens: list[Token]) -> str:
    """The plain text of the first paragraph (any depth), for the default summary."""
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and i + 1 < len(tokens):
            return inline_text(tokens[i + 1])
    return ""


def inline_text(token: Token) -> str:
    parts = []
    hidden = False  # inside raw <script> or <style>: code, not words of the summary
    for child in token.children or []:
        if child.type == "html_inline":
            tag = child.content.lower()
            if tag.startswith(("<script", "<style")):
                hidden = True
            elif tag.startswith(("</script", "</style")):
                hidden = False
        elif hidden:
            continue
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def render_markdown(text: str, policy: HtmlPolicy = HtmlPolicy()) -> str:
    """Plain Markdown to HTML, sanitised, for text without episode links (the show description)."""
    tokens = _md.parse(text)
    html = _md.renderer.render(tokens, _md.options, {})
    return sanitise(html, policy) if _has_raw_html(tokens) else html


def resolve_site_links(html: str, base: str) -> str:
    """Replace `castnotes:/` markers with `base` (a relative prefix or the site URL)."""
    if SITE_MARKER not in html:
        return html
    return _MARKER_RE.sub(lambda m: f'{m.group(1)}="{base}', html)


def apple_description(summary: str | None, body_html: str, site_url: str, page_url: str) -> str:
    """The item <description>: only tags Apple renders, at most 4000 bytes.

    Headings become paragraphs, emphasis becomes plain text; when the notes do not
    fit, whole blocks are dropped from the end and a link to the page is added.
    """
    html = resolve_site_links(body_html, site_url)
    html = re.sub(r"<h[1-6][^>]*>", "<p>", html)
    html = re.sub(r"</h[1-6]>", "</p>", html)
    html = re.sub(r'<(section|hr)[^>]*class="footnote[^"]*"[^>]*>.*?(</section>|$)', "", html,
                  flags=re.S)
    clean = nh3.clean(html, tags=APPLE_TAGS, attributes={"a": {"href"}}, link_rel=None,
                      strip_comments=True)
    blocks = [b.strip() for b in _split_blocks(clean) if b.strip()]
    if summary:
        blocks.insert(0, f"<p>{html_escape(summary, quote=False)}</p>")
    more = f'<p><a href="{page_url}">Read the full takeaways</a></p>'
    out: list[str] = []
    size = 0
    for block in blocks:
        cost = len(block.encode("utf-8")) + 1
        if size + cost > DESCRIPTION_LIMIT - len(more.encode("utf-8")) - 1:
            out.append(more)
            break
        out.append(block)
        size += cost
    return "\n".join(out)


_BLOCK_TAG_RE = re.compile(r"<(/?)(p|ol|ul)\b[^>]*>")


def _split_blocks(html: str) -> list[str]:
    """Top-level <p>/<ol>/<ul> blocks of sanitised HTML; loose text becomes a paragraph.

    Lists nest only lists inside them, so matching the outermost closing tag of the
    same name needs a depth count rather than a lazy regex.
    """
    blocks: list[str] = []
    pos = start = depth = 0  # where loose text resumes; where the open block starts; its nesting
    name = ""  # the open block's tag
    for match in _BLOCK_TAG_RE.finditer(html):
        closing, tag = match.group(1) == "/", match.group(2)
        if depth == 0 and not closing:
            loose = html[pos:match.start()].strip()
            if loose:
                blocks.append(f"<p>{loose}</p>")
            start, name, depth = match.start(), tag, 1
        elif tag == name:
            depth += -1 if closing else 1
            if depth == 0:
                blocks.append(html[start:match.end()])
                pos = match.end()
    rest = html[pos:].strip() if depth == 0 else html[start:].strip()
    if rest:
        blocks.append(rest if depth else f"<p>{rest}</p>")
    return blocks
