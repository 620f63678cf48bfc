"""XML-1, XML-2, P20-NS: is this a well-formed UTF-8 RSS 2.0 document with the right namespaces?

Everything else reads the tree this returns. A document that is not XML at all (not
UTF-8, not RSS) stops the lint there; one that is only not well-formed (a stray control
character, an unescaped &) is an XML-1 error and is then read the way lenient parsers
and most apps read it (lxml's recovering parser), so every other rule still runs.
"""

from __future__ import annotations

import re

from lxml import etree

from castnotes.checks.report import Lint
from castnotes.feedxml import ATOM, CONTENT, FH, ITUNES, PODCAST, PODCAST_LEGACY, PSC, safe_parser

KNOWN_NAMESPACES = {"itunes": ITUNES, "content": CONTENT, "podcast": PODCAST, "psc": PSC,
                    "atom": ATOM, "fh": FH}
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def parse_feed_document(data: bytes, lint: Lint, *, namespaces: str = "all") -> etree._Element | None:
    """The <rss> root element, or None after reporting why the bytes are not a usable feed.

    `namespaces="root"` checks only the declarations on <rss>, for a document known to
    declare none anywhere else (a build's own piece of feed, see commands/check.py).
    """
    body = data.removeprefix(b"\xef\xbb\xbf")
    declared = _DECLARATION.match(body[:200])
    if declared and declared.group(1).decode().lower() not in ("utf-8", "utf8"):
        lint.report("XML-1", f"the feed declares encoding={declared.group(1).decode()!r}; "
                    "Apple and Spotify require UTF-8")
    if not body.lstrip().startswith(b"<?xml"):
        lint.report("XML-1", "the feed has no <?xml version=\"1.0\" encoding=\"UTF-8\"?> declaration",
                    severity="warning", hint="start the file with <?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        lint.report("XML-1", f"the bytes are not UTF-8 (line {line}, byte {exc.start})")
        return None
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else exc.lineno
        lint.report("XML-1", f"not well-formed XML (line {line}): {exc.msg}")
        try:
            root = etree.fromstring(data, safe_parser(recover=True))
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            return None
    if root.tag != "rss":
        kind = "an Atom feed" if root.tag == f"{{{ATOM}}}feed" else f"a <{etree.QName(root).localname}> document"
        lint.report("XML-1", f"this is {kind}, not RSS 2.0: Apple Podcasts and Spotify read only <rss> feeds")
        return None
    version = root.get("version")
    if version != "2.0":
        lint.report("XML-1", f"<rss> has version={version!r}; podcast directories expect \"2.0\""
                    if version else "<rss> has no version=\"2.0\"", severity="warning",
                    hint='write <rss version="2.0" ...>')
    channels = root.findall("channel")
    if len(channels) != 1:
        lint.report("XML-1", f"<rss> holds {len(channels)} <channel> elements; it must hold exactly one")
        return None
    check_namespaces(root, lint, whole=namespaces == "all")
    return root


def check_namespaces(root: etree._Element, lint: Lint, whole: bool = True) -> None:
    """Every namespace declared in the document (on <rss> only unless `whole`), against the
    exact URIs and usual prefixes."""
    declared: set[tuple[str | None, str]] = set(root.nsmap.items())
    for element in root.iter() if whole else ():
        if isinstance(element.tag, str):
            declared.update(element.nsmap.items())
    for prefix, uri in sorted(declared, key=lambda pair: (pair[0] or "", pair[1])):
        _check_declaration(prefix, uri, lint)


def _check_declaration(prefix: str | None, uri: str, lint: Lint) -> None:
    label = f"xmlns:{prefix}" if prefix else "xmlns"
    if uri == PODCAST_LEGACY:
        lint.report("P20-NS", f"{label} uses the old GitHub URI of the Podcasting 2.0 namespace",
                    hint=f'use {label}="{PODCAST}"; apps treat both alike')
        known = PODCAST
    else:
        known = next((k for k in KNOWN_NAMESPACES.values() if _loose(k) == _loose(uri)), None)
    if known is not None and uri != known and uri != PODCAST_LEGACY:
        lint.report("XML-2", f'{label}="{uri}" is not the exact namespace URI "{known}"; '
                    "apps match it character by character and ignore every tag under it",
                    hint=f'write {label}="{known}"')
        return
    expected = KNOWN_NAMESPACES.get(prefix or "")
    if expected is not None and known is None:
        lint.report("XML-2", f'the prefix {prefix!r} is bound to "{uri}", not to "{expected}": '
                    f"apps ignore every {prefix}: tag", hint=f'write {label}="{expected}"')
        return
    if known is not None and prefix is not None:
        conventional = next(p for p, u in KNOWN_NAMESPACES.items() if u == known)
        if prefix != conventional:
            lint.report("XML-2", f'the namespace "{known}" has the prefix {prefix!r}; some apps '
                        f"(podcast-partytime, the Podcast Index parser) look for {conventional}: literally",
                        severity="warning", hint=f"write xmlns:{conventional}=... and {conventional}:tags")


def _loose(uri: str) -> str:
    """A URI compared loosely: case, scheme and trailing slashes ignored."""
    return re.sub(r"^https?://", "", uri.strip().lower()).rstrip("/")
