"""Reading a built site back: every reference in its pages, resolved like a browser would.

Used by the site tests to prove there are no broken internal links and nothing is
loaded from another host.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

RESOURCE_TAGS = {"script", "link", "img", "audio", "video", "source", "iframe", "embed", "object", "track"}


@dataclass
class Reference:
    page: str  # site path of the page
    tag: str
    attr: str
    value: str
    rel: str = ""


@dataclass
class ParsedPage:
    refs: list[Reference] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    jsonld: list[dict] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)


class _Parser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.result = page, ParsedPage()
        self._in_jsonld = False
        self._jsonld_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.result.ids.add(values["id"])
        for attr in ("href", "src", "poster"):
            if values.get(attr):
                self.result.refs.append(Reference(self.page, tag, attr, values[attr], values.get("rel", "")))
        if values.get("srcset"):
            for candidate in values["srcset"].split(","):
                self.result.refs.append(Reference(self.page, tag, "srcset", candidate.split()[0]))
        if tag == "meta":
            key = values.get("property") or values.get("name")
            if key:
                self.result.meta.setdefault(key, []).append(values.get("content", ""))
        if tag == "script" and values.get("type") == "application/ld+json":
            self._in_jsonld, self._jsonld_text = True, []

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self._jsonld_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_jsonld:
            self._in_jsonld = False
            self.result.jsonld.append(json.loads("".join(self._jsonld_text)))


def parse_page(site: Path, site_path: str) -> ParsedPage:
    parser = _Parser(site_path)
    parser.feed((site / site_path).read_text(encoding="utf-8"))
    parser.close()
    return parser.result


def page_url(site_url: str, site_path: str) -> str:
    return site_url + site_path.removesuffix("index.html")


def site_file(site: Path, site_url: str, url: str) -> Path | None:
    """The file an absolute URL inside the site names, or None when it points elsewhere."""
    if not url.startswith(site_url):
        return None
    path = unquote(urlsplit(url).path[len(urlsplit(site_url).path):])
    if path == "" or path.endswith("/"):
        path += "index.html"
    return site / path


def broken_links(site: Path, site_url: str) -> list[str]:
    """Every href/src/srcset inside the site that names no file, or an id no page has."""
    pages = {p.relative_to(site).as_posix(): parse_page(site, p.relative_to(site).as_posix())
             for p in sorted(site.rglob("*.html"))}
    problems = []
    for site_path, parsed in pages.items():
        for ref in parsed.refs:
            url = urljoin(page_url(site_url, site_path), ref.value)
            target = site_file(site, site_url, url)
            if target is None:
                continue
            if not target.is_file():
                problems.append(f"{site_path}: <{ref.tag} {ref.attr}={ref.value!r}> -> missing {target}")
                continue
            fragment = urlsplit(url).fragment
            if fragment and not fragment.startswith("t=") and target.suffix == ".html":
                ids = pages[target.relative_to(site).as_posix()].ids
                if unquote(fragment) not in ids:
                    problems.append(f"{site_path}: {ref.value!r} -> no id {fragment!r} in {target.name}")
    return problems


def foreign_resources(site: Path, own_prefixes: tuple[str, ...]) -> list[str]:
    """Scripts, styles, images and media a page would load from anywhere but the show's own URLs."""
    found = []
    for path in sorted(site.rglob("*.html")):
        site_path = path.relative_to(site).as_posix()
        for ref in parse_page(site, site_path).refs:
            if ref.tag not in RESOURCE_TAGS:
                continue
            absolute = ref.value.startswith(("http://", "https://", "//"))
            if absolute and not ref.value.startswith(own_prefixes):
                found.append(f"{site_path}: <{ref.tag} {ref.attr}={ref.value!r}>")
    return found
