"""`--online`: what Apple's crawler does with a feed's media and artwork (HTTP-1, HTTP-2).

Apple refuses media "hosted on a server which doesn't support byte-range requests"
and artwork on a server without HEAD. For each enclosure and picture: HEAD must
answer 200 with Content-Length and Content-Type, and `Range: bytes=0-1` must answer
206 with Content-Range (a 200 means the server ignored the range). Requests run a
few at a time; no episode is ever downloaded (the range answer is two bytes, and a
server that ignores the range is hung up on).
"""

from __future__ import annotations

import urllib.error
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from typing import Any

from lxml import etree

from castnotes import fetch
from castnotes.checks.channel import I
from castnotes.checks.report import Lint
from castnotes.errors import CastnotesError
from castnotes.fields import is_http_url
from castnotes.fetch import request

WORKERS = 8


@dataclass(frozen=True, slots=True)
class Probe:
    """What a server said about one URL."""

    url: str
    head_status: int | None
    length: int | None
    content_type: str | None
    range_status: int | None
    content_range: str | None
    error: str | None = None


def fetch_bytes(url: str) -> bytes | None:
    """GET a small file (artwork, chapters); None when it cannot be fetched or is too big."""
    try:
        return fetch.fetch_bytes(url, limit=fetch.MAX_FILE_BYTES, what="file").data
    except (CastnotesError, OSError, ValueError):
        return None


def _ask(url: str, **options: Any) -> tuple[int, Message]:
    """A request's status and headers (none for an HTTP error); of a 206 answer at most 16 bytes
    are read, and any other answer is hung up on unread."""
    try:
        with request(url, **options) as response:
            if response.status == 206:
                response.read(16)
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, Message()


def probe(url: str) -> Probe:
    try:
        head_status, head = _ask(url, method="HEAD")
        range_status, ranged = _ask(url, headers={"Range": "bytes=0-1"})
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Probe(url, None, None, None, None, None, error=str(getattr(exc, "reason", exc)))
    raw_length = head.get("Content-Length")
    return Probe(url, head_status, int(raw_length) if raw_length and raw_length.isdigit() else None,
                 head.get("Content-Type"), range_status, ranged.get("Content-Range"))


def check_online(channel: etree._Element, lint: Lint) -> None:
    """HTTP-1 for every enclosure and picture; IT-ENC-4 when the server's size disagrees."""
    targets: list[tuple[str, etree._Element, str, str | None]] = []  # url, element, key, claimed length
    image = channel.find(f"{I}image")
    if image is not None and image.get("href"):
        targets.append((image.get("href").strip(), channel, "show.image", None))
    for item in channel.iter("item"):
        enclosure = item.find("enclosure")
        if enclosure is not None and enclosure.get("url"):
            targets.append((enclosure.get("url").strip(), item, "audio", enclosure.get("length")))
        art = item.find(f"{I}image")
        if art is not None and art.get("href"):
            targets.append((art.get("href").strip(), item, "image", None))
    urls = sorted({t[0] for t in targets if is_http_url(t[0])})
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        probes = dict(zip(urls, pool.map(probe, urls)))
    for url, element, key, claimed in targets:
        if (result := probes.get(url)) is not None:
            _report(result, element, key, claimed, lint)


def _report(result: Probe, element: etree._Element, key: str, claimed: str | None, lint: Lint) -> None:
    url = result.url
    if result.error is not None:
        lint.report("HTTP-1", f"{url} could not be fetched: {result.error}", element, key)
        return
    if result.head_status != 200:
        lint.report("HTTP-1", f"HEAD {url} answered {result.head_status}, not 200", element, key)
    else:
        if result.length is None:
            lint.report("HTTP-1", f"HEAD {url} sent no Content-Length", element, key)
        if not result.content_type:
            lint.report("HTTP-1", f"HEAD {url} sent no Content-Type", element, key)
    if result.range_status != 206:
        lint.report("HTTP-1", f"GET {url} with Range: bytes=0-1 answered {result.range_status}, not 206: "
                    "the server does not support byte ranges, so Apple refuses the episode", element, key)
    elif not (result.content_range or "").startswith("bytes 0-1/"):
        lint.report("HTTP-1", f"GET {url} with Range: bytes=0-1 sent Content-Range "
                    f"{result.content_range!r}, not bytes 0-1/SIZE", element, key)
    if claimed and claimed.strip().isdigit() and result.length is not None \
            and result.head_status == 200 and int(claimed) != result.length:
        lint.report("IT-ENC-4", f"the enclosure length says {claimed.strip()} bytes; the server sends "
                    f"{result.length}", element, key)


def check_feed_response(url: str, final_url: str, headers: Message, self_url: str | None, lint: Lint) -> None:
    """HTTP-2 and CH-SELF for a feed fetched from `url`."""
    if not final_url.lower().startswith("https://"):
        lint.report("HTTP-2", f"the feed is served over plain http ({final_url})")
    if not headers.get("ETag") and not headers.get("Last-Modified"):
        lint.report("HTTP-2", "the feed's server sends neither ETag nor Last-Modified, so apps download "
                    "it whole on every refresh")
    if self_url and self_url not in (url, final_url):
        lint.report("CH-SELF", f'<atom:link rel="self"> says {self_url}, but the feed was fetched from '
                    f"{final_url}")
