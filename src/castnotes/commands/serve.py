"""`castnotes serve`: a local preview that rebuilds when a source file changes.

The preview is an ordinary build with drafts and scheduled episodes (marked on their
pages) for the address `http://127.0.0.1:PORT/`, written to `.castnotes/preview/`, so
it never touches `site/`, never puts a draft into the real feed and never writes the
GUID ledger (a build with a base URL leaves it alone).

The server is the standard library's, with a handler of our own: it binds
127.0.0.1 only, serves nothing outside the preview folder (no `..`, no
percent-encoded dots, no symlinks leading out, no request naming another host, which a
web page could try through DNS rebinding), and answers HEAD and byte ranges
(206 with Content-Range, 416 for a range it cannot satisfy) so the audio player can
seek and podcast apps on the same machine can subscribe to the preview feed.
"""

from __future__ import annotations

import errno
import mimetypes
import re
import threading
import time
from email.utils import formatdate
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator, Protocol
from urllib.parse import unquote, urlsplit

from castnotes.audio.types import MEDIA_TYPES
from castnotes.commands.build import BuildOptions, BuildResult, build
from castnotes.errors import CastnotesError
from castnotes.files import SITE_TYPES
from castnotes.model import Settings
from castnotes.store import STORE_DIR

PREVIEW_DIR = f"{STORE_DIR}/preview"
HOST = "127.0.0.1"
# Media as browsers play it (audio/mp4 for .m4a), from the one media table.
CONTENT_TYPES = SITE_TYPES | {row.suffix: row.web for row in MEDIA_TYPES}
CHUNK = 64 * 1024
_STAGING = re.compile(r"^\..+\.(tmp|old)-\d+$")  # output.py's sibling folders during a swap


class RangeNotSatisfiable(Exception):
    pass


def preview_options(port: int, root: Path) -> BuildOptions:
    """The build behind the preview: everything, for the local address, into .castnotes/preview/."""
    return BuildOptions(drafts=True, future=True, base_url=f"http://{HOST}:{port}/",
                        output=(root / PREVIEW_DIR).resolve())


MAX_PATH_BYTES = 2048  # a longer request path is answered 414 before the file system sees it


class PreviewEvents(Protocol):
    """What the preview tells whoever runs it (the CLI prints it)."""

    def built(self, result: BuildResult, seconds: float) -> None: ...

    def failed(self, error: CastnotesError) -> None: ...

    def serving(self, url: str) -> None: ...

    def changed(self, paths: set[str]) -> None: ...


def run_preview(settings: Settings, server: ThreadingHTTPServer, events: PreviewEvents) -> None:
    """Build, serve, and rebuild on every change until Ctrl+C; a failed build keeps the last good one."""
    options = preview_options(server.server_port, settings.root)

    def rebuild() -> None:
        started = time.perf_counter()
        try:
            result = build(settings.root, options)
        except CastnotesError as exc:
            events.failed(exc)
            return
        events.built(result, time.perf_counter() - started)

    rebuild()
    serve_in_thread(server)
    events.serving(options.base_url or "")
    try:
        for changed in watch_changes(settings.root, [settings.output_dir, settings.root / STORE_DIR]):
            events.changed(changed)
            rebuild()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


def make_server(folder: Path, port: int = 8000, log: Callable[[str], None] | None = None) -> ThreadingHTTPServer:
    """A server bound to 127.0.0.1:port (0 picks a free port) serving only `folder`; a port in use
    is the host's problem, not a bug."""
    handler = partial(PreviewHandler, folder=folder.resolve(), log=log)
    try:
        server = ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise CastnotesError.single(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}",
                                    hint="another program uses the port; try --port 8001 (or --port 0)") from None
    server.daemon_threads = True
    return server


def resolve_request(folder: Path, raw_path: str) -> tuple[HTTPStatus, Path | str | None]:
    """Map a request path to a file inside `folder`: (200, file), (301, new path) or an error.

    Refused with 403: `..` or `.` segments (also percent-encoded), backslashes, NUL
    bytes, and anything whose real path (after symlinks) is outside the folder.
    """
    path = urlsplit(raw_path).path or "/"
    decoded = unquote(path)
    if "\\" in decoded or "\x00" in decoded or any(s in ("..", ".") for s in decoded.split("/")):
        return HTTPStatus.FORBIDDEN, None
    segments = [s for s in decoded.split("/") if s]
    if len(decoded.encode()) > MAX_PATH_BYTES or any(len(s.encode()) > 255 for s in segments):
        return HTTPStatus.REQUEST_URI_TOO_LONG, None  # no file of the site has such a name
    root = folder.resolve()
    try:
        target = (root / "/".join(segments)).resolve()
        if not target.is_relative_to(root):
            return HTTPStatus.FORBIDDEN, None
        if target.is_dir():
            if not path.endswith("/"):
                return HTTPStatus.MOVED_PERMANENTLY, path + "/"
            target = target / "index.html"
        if not target.is_file():
            return HTTPStatus.NOT_FOUND, None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return HTTPStatus.REQUEST_URI_TOO_LONG, None
        return HTTPStatus.NOT_FOUND, None
    return HTTPStatus.OK, target


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """`Range: bytes=A-B` -> (first, last) inclusive; None to send the whole file.

    Several ranges or another unit are answered with the whole file (which HTTP
    allows); a malformed or unsatisfiable byte range raises RangeNotSatisfiable (416).
    """
    if not header:
        return None
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = re.fullmatch(r"\s*(\d*)\s*-\s*(\d*)\s*", spec)
    if not match or match.groups() == ("", ""):
        raise RangeNotSatisfiable(header)
    first, last = match.groups()
    if first == "":  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return max(0, size - length), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or (last != "" and int(last) < start):
        raise RangeNotSatisfiable(header)
    return start, end


def content_type(path: Path) -> str:
    kind = CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] \
        or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") and "charset" not in kind else kind


class PreviewHandler(BaseHTTPRequestHandler):
    """GET and HEAD for files of one folder, with byte ranges."""

    server_version = "castnotes-preview"
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, folder: Path, log: Callable[[str], None] | None = None,  # noqa: ANN002
                 **kwargs):  # noqa: ANN003 - http.server's handler arguments
        self.folder = folder
        self.log = log
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(send_body=False)

    def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002 - http.server's signature
        if self.log is not None:
            self.log(format % args)

    def _respond(self, send_body: bool) -> None:
        if not self._host_is_local():
            self._simple(HTTPStatus.FORBIDDEN, b"castnotes serves the preview on 127.0.0.1 only\n", send_body)
            return
        status, found = resolve_request(self.folder, self.path)
        if status == HTTPStatus.MOVED_PERMANENTLY:
            self._simple(status, b"", send_body, location=str(found))
            return
        if status != HTTPStatus.OK or not isinstance(found, Path):
            page = self.folder / "404.html"
            if status == HTTPStatus.NOT_FOUND and page.is_file():
                body, kind = page.read_bytes(), "text/html; charset=utf-8"
            else:
                body, kind = f"{status.value} {status.phrase}\n".encode(), "text/plain; charset=utf-8"
            self._simple(status, body, send_body, kind=kind)
            return
        self._send_file(found, send_body)

    def _host_is_local(self) -> bool:
        """Refuse requests for another host name (DNS rebinding: a web page must not read drafts)."""
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        return host == "" or name in ("127.0.0.1", "localhost")

    def _send_file(self, path: Path, send_body: bool) -> None:
        stat = path.stat()
        size = stat.st_size
        try:
            wanted = parse_range(self.headers.get("Range"), size)
        except RangeNotSatisfiable:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        first, last = wanted if wanted else (0, size - 1)
        self.send_response(HTTPStatus.PARTIAL_CONTENT if wanted else HTTPStatus.OK)
        if wanted:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Type", content_type(path))
        self.send_header("Content-Length", str(max(0, last - first + 1)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", formatdate(stat.st_mtime, usegmt=True))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if not send_body or size == 0:
            return
        try:
            with path.open("rb") as fh:
                fh.seek(first)
                remaining = last - first + 1
                while remaining > 0:
                    chunk = fh.read(min(CHUNK, remaining))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    remaining -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the player seeked elsewhere and dropped this request

    def _simple(self, status: HTTPStatus, body: bytes, send_body: bool, *,
                kind: str = "text/plain; charset=utf-8", location: str | None = None) -> None:
        """A short answer; HEAD gets its headers (the body's length included) without the body."""
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)


def source_filter(root: Path, ignored: list[Path]) -> Callable[[object, str], bool]:
    """Which changed paths mean a rebuild: not castnotes' own cache, preview or output folders."""
    from watchfiles import DefaultFilter

    default = DefaultFilter()
    root = root.resolve()
    ignored = [p.resolve() for p in ignored]

    def accept(change: object, path: str) -> bool:
        if not default(change, path):  # type: ignore[arg-type]
            return False
        resolved = Path(path).resolve()
        if any(resolved == p or resolved.is_relative_to(p) for p in ignored):
            return False
        try:
            parts = resolved.relative_to(root).parts
        except ValueError:
            return True
        return not any(_STAGING.match(part) for part in parts)

    return accept


def watch_changes(root: Path, ignored: list[Path], stop_event: threading.Event | None = None,
                  ) -> Iterator[set[str]]:
    """Yield the set of changed source paths each time the host saves something."""
    from watchfiles import Change, watch

    for changes in watch(root, watch_filter=source_filter(root, ignored), stop_event=stop_event,
                         debounce=400, step=50, raise_interrupt=False):
        kinds: dict[str, set[Change]] = {}
        for change, path in changes:
            kinds.setdefault(path, set()).add(change)
        # An editor's temporary file, added and deleted within one batch, changed nothing.
        lasting = {p for p, k in kinds.items() if not {Change.added, Change.deleted} <= k}
        if lasting:
            yield lasting


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="castnotes-preview", daemon=True)
    thread.start()
    return thread
