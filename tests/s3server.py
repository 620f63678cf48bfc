"""A real S3 server on 127.0.0.1: moto's S3 (the app `moto_server` runs) behind a request log.

moto keeps its buckets in this process's memory, so a server stopped and started again
on the same port still holds what was uploaded: that is how a test pulls the network
out from under a publish and then lets the next run finish. `log` records every request
as it arrives: (method, key path, bytes in the body), so tests see the upload order and
the benchmark counts requests and bytes on the server's side.
"""

from __future__ import annotations

import threading
import urllib.request
from typing import Any, Callable
from urllib.parse import unquote

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import WSGIRequestHandler, make_server

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}


class S3Server:
    def __init__(self) -> None:
        self.app = DomainDispatcherApplication(create_backend_app)
        self.log: list[tuple[str, str, int]] = []
        self.port = 0
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _logged(self, environ: dict, start_response: Callable) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        with self._lock:
            self.log.append((environ["REQUEST_METHOD"], unquote(environ.get("PATH_INFO", "")), length))
        return self.app(environ, start_response)

    def start(self) -> "S3Server":
        self._server = make_server("127.0.0.1", self.port, self._logged, threaded=True,
                                   request_handler=_Quiet)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def reset(self) -> None:
        """Forget every bucket (moto keeps them per process, not per server)."""
        request = urllib.request.Request(self.url + "/moto-api/reset", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()
        self.log.clear()

    def check_credentials(self, on: bool) -> None:
        """Make moto verify access keys and signatures (against its IAM), or stop doing so."""
        request = urllib.request.Request(self.url + "/moto-api/reset-auth", method="POST",
                                         data=b"0" if on else b"inf", headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()

    def stop(self) -> None:
        """Stop answering and close the socket: clients get "connection refused" at once."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None

    def puts(self, bucket: str) -> list[str]:
        """The keys written to `bucket` in arrival order (PUT object; multipart parts too)."""
        prefix = f"/{bucket}/"
        return [path[len(prefix):] for method, path, _ in self.log if method == "PUT" and path.startswith(prefix)]


class _Quiet(WSGIRequestHandler):
    def log(self, *args: Any) -> None:  # werkzeug logs every request to stderr otherwise
        pass
