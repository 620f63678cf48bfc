"""A real HTTP server on 127.0.0.1 for import tests: files from a dict, Range requests, faults.

`serve({"/feed.xml": bytes, ...})` yields the server's base URL. Paths can be made to
fail on purpose: `server.cut["/a.mp3"] = n` sends the full Content-Length but closes
the connection after n bytes (once), `server.no_length` streams without a
Content-Length, and `server.any_size` makes HEAD answer that size for paths it does not
hold (a stand-in for the rest of the internet). Every request is logged in `server.log`
as (path, Range header); HEAD requests as ("HEAD " + path, None).
"""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator


class FileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, files: dict[str, bytes | tuple[str, bytes]]):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files = files
        self.cut: dict[str, int] = {}
        self.no_length: set[str] = set()
        self.any_size: int | None = None
        self.log: list[tuple[str, str | None]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FileServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?")[0]
        self.server.log.append(("HEAD " + path, None))
        entry = self.server.files.get(path)
        size = len(entry[1] if isinstance(entry, tuple) else entry) if entry is not None else self.server.any_size
        if size is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?")[0]
        self.server.log.append((path, self.headers.get("Range")))
        entry = self.server.files.get(path)
        if entry is None:
            self.send_error(404)
            return
        content_type, data = entry if isinstance(entry, tuple) else ("application/octet-stream", entry)
        start = 0
        requested = self.headers.get("Range")
        if requested and requested.startswith("bytes="):
            start = int(requested[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Type", content_type)
        if path in self.server.no_length:
            self.send_header("Connection", "close")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = self.server.cut.pop(path, None)
        try:
            if cut is not None:
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.close_connection = True
                return
            for offset in range(0, len(body), 1 << 20):
                self.wfile.write(body[offset:offset + (1 << 20)])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (a refused oversized feed)


@contextlib.contextmanager
def serve(files: dict[str, bytes | tuple[str, bytes]]) -> Iterator[FileServer]:
    server = FileServer(files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
