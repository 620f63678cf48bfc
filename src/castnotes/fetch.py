"""The one HTTP client: `import` (the old feed, its artwork, with --download the audio)
and `check --online` (the feed, its artwork and chapters, HEAD and Range probes).

Everything is streamed with urllib: a 2 GB episode never sits in memory, and a
"feed" that turns out to be 50 MB is refused after reading just past the limit.
Audio goes to a `.part` file first and resumes with an HTTP Range request, so an
interrupted import picks up where it stopped; only a complete file loses `.part`.
Only http and https URLs are fetched: a feed must not make castnotes read local
files (`file:///...`) into the show.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any, Callable

from castnotes import __version__
from castnotes.errors import CastnotesError
from castnotes.fields import is_http_url

USER_AGENT = f"castnotes/{__version__} (+https://pypi.org/project/castnotes/)"
TIMEOUT = 30  # seconds without data before giving up
CHUNK = 256 * 1024
MAX_FEED_BYTES = 32 * 1024 * 1024  # the largest real feeds are a few MB
MAX_FILE_BYTES = 20 * 1024 * 1024  # artwork and chapter files; never whole episodes

# Opens a request and returns a response (urllib's `urlopen` by default; tests pass
# one that behaves like a machine without network).
Opener = Callable[[urllib.request.Request], Any]
# Called as bytes arrive: (label, bytes so far, total bytes or None).
Progress = Callable[[str, int, "int | None"], None]


@dataclass(frozen=True, slots=True)
class Fetched:
    """A file fetched over HTTP (`url`, `headers`) or, for a feed, read from disk (`path`)."""

    data: bytes
    url: str | None  # the address fetched, after redirects
    headers: Message | None = None  # the response's, for ETag and Last-Modified
    path: Path | None = None  # the file read, for messages with line numbers


def load_feed(source: str, opener: Opener | None = None) -> Fetched:
    """A feed from an http(s) URL or a file (`check`, `import`, `--against`), refused past
    MAX_FEED_BYTES either way: streamed, so a "feed" that never ends is not held in memory."""
    hint = "a podcast feed is rarely over 5 MB; check that this is the feed, or ask the old host for a paged feed"
    if is_http_url(source):
        return fetch_bytes(source.strip(), limit=MAX_FEED_BYTES, what="feed", opener=opener, too_large_hint=hint)
    path = Path(source).expanduser()
    if not path.is_file():
        looks_like_url = "." in source.split("/")[0] and not path.exists()
        raise CastnotesError.single(
            "no such feed file" if not path.is_dir() else "this is a folder, not a feed file", path,
            hint=f"did you mean https://{source} ?" if looks_like_url
            else "give the feed's http(s) address or the path of a saved feed file")
    if (size := path.stat().st_size) > MAX_FEED_BYTES:
        raise CastnotesError.single(f"the feed is {size / 1_048_576:.1f} MB; castnotes refuses more than "
                                    f"{MAX_FEED_BYTES / 1_048_576:.0f} MB", path, hint=hint)
    return Fetched(path.read_bytes(), None, path=path.resolve())


def request(url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
            opener: Opener | None = None, data: bytes | None = None) -> Any:
    """Open an http(s) `url` with castnotes' User-Agent and timeout; the response is a context manager.

    urllib's errors pass through (HTTPError carries the status): callers that probe a
    server want the raw answer; `fetch_bytes` and `download_file` turn them into messages.
    """
    if not is_http_url(url):
        raise ValueError(f"not an http(s) URL: {url!r}")
    opened = urllib.request.Request(url.strip(), data=data, method=method,
                                    headers={"User-Agent": USER_AGENT, **(headers or {})})
    return opener(opened) if opener else urllib.request.urlopen(opened, timeout=TIMEOUT)  # noqa: S310 - checked


def fetch_bytes(url: str, *, limit: int, what: str, opener: Opener | None = None,
                too_large_hint: str | None = None) -> Fetched:
    """GET `url` into memory, refusing more than `limit` bytes."""
    response = _open(url, what, opener)
    with response:
        declared = _content_length(response)
        if declared is not None and declared > limit:
            raise _too_large(url, what, declared, limit, too_large_hint)
        chunks: list[bytes] = []
        size = 0
        while chunk := _read(response, url, what):
            size += len(chunk)
            if size > limit:
                raise _too_large(url, what, size, limit, too_large_hint, at_least=True)
            chunks.append(chunk)
        if declared is not None and size < declared:
            raise CastnotesError.single(
                f"the {what} download stopped after {size} of {declared} bytes: {url}",
                hint="the connection dropped; run the command again")
        return Fetched(b"".join(chunks), response.geturl() or url, response.headers)


def head_length(url: str, *, opener: Opener | None = None) -> int | None:
    """The size a server announces for `url` (HEAD, Content-Length), or None when it will not say."""
    try:
        with request(url, method="HEAD", opener=opener) as response:
            return _content_length(response) if getattr(response, "status", 200) == 200 else None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException):
        return None


def download_file(url: str, target: Path, *, what: str, opener: Opener | None = None,
                  progress: Progress | None = None, label: str = "") -> int:
    """Stream `url` to `target` through `target.part`, resuming a previous partial download.

    Returns the size. The `.part` file stays behind when the transfer fails, so the
    next run continues from where this one stopped.
    """
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        response = _open(url, what, opener, headers)
    except HttpStatusError as exc:
        if have and exc.status == 416:  # the part already holds the whole file
            os.replace(part, target)
            return target.stat().st_size
        raise
    with response:
        partial = getattr(response, "status", 200) == 206
        start, whole = _content_range(response)
        offset = start if partial else 0
        if partial and offset != have:  # the server resumed elsewhere: start over
            response.close()
            part.unlink(missing_ok=True)
            return download_file(url, target, what=what, opener=opener, progress=progress, label=label)
        length = _content_length(response)
        total = whole if whole is not None else None if length is None else offset + length
        mode = "ab" if offset else "wb"
        done = offset
        with part.open(mode) as out:
            if progress:
                progress(label, done, total)
            while chunk := _read(response, url, what):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(label, done, total)
            out.flush()
            os.fsync(out.fileno())
    if total is not None and done != total:
        raise CastnotesError.single(
            f"the {what} download is incomplete ({done} of {total} bytes): {url}",
            hint="run the import again: it resumes from the partial file")
    os.replace(part, target)
    return done


class HttpStatusError(CastnotesError):
    """The server answered with an HTTP error status (kept for the resume logic)."""

    def __init__(self, status: int, message: str, hint: str):
        super().__init__(CastnotesError.single(message, hint=hint).problems)
        self.status = status


def _open(url: str, what: str, opener: Opener | None, headers: dict[str, str] | None = None) -> Any:
    if not is_http_url(url):
        raise CastnotesError.single(f"the {what} address is not an http(s) URL: {url!r}",
                                    hint="castnotes only downloads from http:// and https:// addresses")
    try:
        return request(url, headers=headers, opener=opener)
    except (ValueError, http.client.InvalidURL) as exc:  # "http://host:port" with a port that is no number
        raise CastnotesError.single(f"the {what} address is not a valid URL: {url!r} ({exc})") from None
    except urllib.error.HTTPError as exc:
        raise HttpStatusError(exc.code, f"the server answered {exc.code} {exc.reason} for the {what}: {url}",
                              _HTTP_HINTS.get(exc.code, "check the address in a browser")) from None
    except urllib.error.URLError as exc:
        raise CastnotesError.single(
            f"cannot reach the server for the {what}: {_reason(exc.reason)} ({url})",
            hint="check the address and your network connection") from None
    except (TimeoutError, socket.timeout):
        raise CastnotesError.single(f"the server did not answer within {TIMEOUT} s for the {what}: {url}",
                                    hint="try again later") from None


_HTTP_HINTS = {
    401: "the feed is private; use the public feed address, or save the feed and import the file",
    403: "the server refuses castnotes; save the file with a browser and import it from disk",
    404: "check the address; the file may have moved",
    410: "the file was removed from the server",
    429: "the server asks to slow down; try again in a few minutes",
}


def _reason(reason: Any) -> str:
    text = str(getattr(reason, "strerror", None) or reason)
    return text[0].lower() + text[1:] if text else text


def _read(response: Any, url: str, what: str) -> bytes:
    try:
        return response.read(CHUNK)
    except (TimeoutError, socket.timeout):
        raise CastnotesError.single(f"the {what} download stalled for {TIMEOUT} s: {url}",
                                    hint="run the command again") from None
    except (OSError, http.client.HTTPException) as exc:
        raise CastnotesError.single(f"the {what} download failed: {exc or type(exc).__name__} ({url})",
                                    hint="run the command again") from None


def _content_length(response: Any) -> int | None:
    value = response.headers.get("Content-Length") if response.headers else None
    return int(value) if value and value.strip().isdigit() else None


def _content_range(response: Any) -> tuple[int, int | None]:
    """(first byte, whole size) from `Content-Range: bytes 100-199/1000`; -1 and None where it says none."""
    content_range = response.headers.get("Content-Range", "") if response.headers else ""
    match = re.match(r"^\s*bytes\s+(\d+)-\d+/(\d+|\*)", content_range)
    if not match:
        return -1, None
    return int(match.group(1)), None if match.group(2) == "*" else int(match.group(2))


def _too_large(url: str, what: str, size: int, limit: int, hint: str | None,
               at_least: bool = False) -> CastnotesError:
    amount = f"over {limit / 1_048_576:.0f} MB" if at_least else f"{size / 1_048_576:.1f} MB"
    return CastnotesError.single(
        f"the {what} is {amount}; castnotes refuses more than {limit / 1_048_576:.0f} MB: {url}",
        hint=hint)


def notify(url: str, *, what: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None,
           opener: Opener | None = None) -> int:
    """Tell a server something (a WebSub hub, Podping): POST `data` form-encoded, or GET without it.

    Returns the HTTP status; raises CastnotesError (one line naming `what` and `url`) when the
    server cannot be reached or answers with an error status. The answer's body is not read
    past a few KB: a notification's reply carries nothing castnotes needs.
    """
    body = urllib.parse.urlencode(data).encode("ascii") if data is not None else None
    extra = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    if not is_http_url(url):
        raise CastnotesError.single(f"the {what} address is not an http(s) URL: {url!r}")
    try:
        with request(url, method="POST" if body is not None else "GET", headers={**extra, **(headers or {})},
                     opener=opener, data=body) as response:
            response.read(4096)
            return getattr(response, "status", 200)
    except urllib.error.HTTPError as exc:
        raise HttpStatusError(exc.code, f"the {what} answered {exc.code} {exc.reason}: {url}",
                              _HTTP_HINTS.get(exc.code, "check the address")) from None
    except urllib.error.URLError as exc:
        raise CastnotesError.single(f"cannot reach the {what}: {_reason(exc.reason)} ({url})") from None
    except (TimeoutError, socket.timeout, OSError, http.client.HTTPException) as exc:
        raise CastnotesError.single(f"the {what} did not answer: {exc or type(exc).__name__} ({url})") from None
