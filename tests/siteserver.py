"""A tiny static server for browser tests: serves a built site with HTTP Range (audio seeking).

Browsers seek audio with Range requests; Python's SimpleHTTPRequestHandler ignores
them, so Chromium could not move `currentTime` on a long file. This handler answers
`bytes=a-b` with 206 and Content-Range, serves the site's 404.html for missing
files, and can mount the site under a sub-path (`/podcast/`) like a real host.
Binds 127.0.0.1 only.
"""

from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


class SiteHandler(SimpleHTTPRequestHandler):
    prefix = "/"
    requested: list[tuple[str, int]]

    def __init__(self, *args, prefix: str, log: list[tuple[str, int]], **kwargs):  # noqa: ANN002
        self.prefix = prefix
        self.requested = log
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "\0missing")
        return super().translate_path("/" + path[len(self.prefix):])

    def send_head(self):  # noqa: ANN201 - the stdlib's signature
        path = Path(self.translate_path(self.path.split("?", 1)[0].split("#", 1)[0]))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # redirect to the slash form
            path = path / "index.html"
        if not path.is_file():
            return self._not_found()
        size = path.stat().st_size
        match = _RANGE_RE.match(self.headers.get("Range", ""))
        if not match:
            self.requested.append((self.path, 200))
            return super().send_head()
        first, last = match.groups()
        start = int(first) if first else max(0, size - int(last or 0))
        end = min(int(last), size - 1) if first and last else size - 1
        if start >= size or start > end:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        handle = path.open("rb")
        handle.seek(start)
        self.requested.append((self.path, 206))
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def copyfile(self, source, outputfile) -> None:  # noqa: ANN001
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            return super().copyfile(source, outputfile)
        while remaining > 0:
            chunk = source.read(min(64 * 1024, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)

    def _not_found(self):  # noqa: ANN202
        self.requested.append((self.path, 404))
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"not found"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None


@contextmanager
def serve_site(site: Path, prefix: str = "/") -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """Serve `site` at http://127.0.0.1:PORT{prefix}; yields (base URL, request log)."""
    log: list[tuple[str, int]] = []
    handler = partial(SiteHandler, directory=os.fspath(site), prefix=prefix, log=log)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}", log
    finally:
        server.shutdown()
        server.server_close()
