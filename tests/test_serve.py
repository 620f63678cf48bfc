"""`castnotes serve`: HEAD and byte ranges, nothing served from outside the preview, rebuild on change."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from conftest import REPO, ShowMaker

from castnotes.commands.build import build
from castnotes.commands.check import check_feed
from castnotes.commands.serve import (
    PREVIEW_DIR,
    RangeNotSatisfiable,
    make_server,
    parse_range,
    preview_options,
    serve_in_thread,
    watch_changes,
)

EPISODES = {
    "001-first": {"meta": {"title": "First steps", "date": "2026-01-05 06:00", "guid": "g1"}},
    "002-draft": {"meta": {"title": "Work in progress", "date": "2026-01-06 06:00", "guid": "g2",
                           "draft": True}},
    "003-later": {"meta": {"title": "Coming soon", "date": "2099-01-01 06:00", "guid": "g3"}},
}


class Preview:
    def __init__(self, root: Path, port: int):
        self.root, self.port = root, port
        self.folder = root / PREVIEW_DIR

    def request(self, method: str, path: str, headers: dict[str, str] | None = None
                ) -> tuple[int, dict[str, str], bytes]:
        """A raw request: the path goes on the wire exactly as given (no client normalising)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.putrequest(method, path, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


@pytest.fixture
def preview(make_show: ShowMaker) -> Iterator[Preview]:
    show = make_show(episodes=EPISODES)
    server = make_server(show / PREVIEW_DIR, 0)
    build(show, preview_options(server.server_port, show))
    serve_in_thread(server)
    yield Preview(show, server.server_port)
    server.shutdown()
    server.server_close()


def test_preview_shows_drafts_and_scheduled_but_never_touches_site(preview: Preview) -> None:
    status, headers, body = preview.request("GET", "/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    page = body.decode()
    assert "Work in progress" in page and "Coming soon" in page
    assert 'badge--draft">Draft' in page and 'badge--scheduled">Scheduled' in page
    assert not (preview.root / "site").exists()
    assert not (preview.root / "published.jsonl").exists()
    status, _, feed = preview.request("GET", "/feed.xml")
    assert status == 200 and f"http://127.0.0.1:{preview.port}/media/draft/audio.mp3".encode() in feed


def test_preview_feed_passes_its_own_check_online(preview: Preview) -> None:
    base = f"http://127.0.0.1:{preview.port}/"
    report = check_feed(base + "feed.xml", online=True)
    assert [f for f in report.findings if f.rule in ("HTTP-1", "IT-ENC-4", "CH-IMG-2")] == []
    # The same feed with a wrong length and small artwork: the servers' answers show both.
    from PIL import Image

    Image.new("RGB", (300, 300)).save(preview.folder / "small.jpg")
    feed = (preview.folder / "feed.xml").read_text()
    size = (preview.folder / "media" / "first" / "audio.mp3").stat().st_size
    feed = feed.replace(f'length="{size}"', f'length="{size + 1}"')
    feed = re.sub(r'(<itunes:image href=")[^"]+(")', rf"\g<1>{base}small.jpg\g<2>", feed, count=1)
    (preview.folder / "changed.xml").write_text(feed)
    report = check_feed(base + "changed.xml", online=True)
    found = {(f.rule, f.message) for f in report.findings if f.rule in ("HTTP-1", "IT-ENC-4", "CH-IMG-2")}
    assert ("IT-ENC-4", f"the enclosure length says {size + 1} bytes; the server sends {size}") in found
    assert ("CH-IMG-2", "small.jpg is 300x300; artwork must be 1400x1400 to 3000x3000 pixels") in found
    assert not any(rule == "HTTP-1" for rule, _ in found)


def test_head_and_ranges(preview: Preview) -> None:
    audio = (preview.folder / "media" / "first" / "audio.mp3").read_bytes()
    size = len(audio)
    path = "/media/first/audio.mp3"
    status, headers, body = preview.request("HEAD", path)
    assert (status, body) == (200, b"")
    assert headers["content-length"] == str(size) and headers["content-type"] == "audio/mpeg"
    assert headers["accept-ranges"] == "bytes"
    status, headers, body = preview.request("GET", path, {"Range": "bytes=0-1"})
    assert (status, headers["content-range"], body) == (206, f"bytes 0-1/{size}", audio[:2])
    status, headers, body = preview.request("GET", path, {"Range": "bytes=-10"})
    assert (status, headers["content-range"], body) == (206, f"bytes {size - 10}-{size - 1}/{size}", audio[-10:])
    status, headers, body = preview.request("GET", path, {"Range": f"bytes=100-{size + 50}"})
    assert (status, body) == (206, audio[100:]) and headers["content-length"] == str(size - 100)
    status, headers, _ = preview.request("HEAD", path, {"Range": "bytes=10-19"})
    assert (status, headers["content-length"]) == (206, "10")
    for bad in (f"bytes={size}-", "bytes=20-10", "bytes=abc", "bytes=-0"):
        status, headers, _ = preview.request("GET", path, {"Range": bad})
        assert (status, headers["content-range"]) == (416, f"bytes */{size}"), bad
    status, _, body = preview.request("GET", path, {"Range": "bytes=0-1,5-6"})
    assert (status, body) == (200, audio)  # several ranges: the whole file, as HTTP allows


@pytest.mark.parametrize("path", [
    "/../castnotes.toml", "/%2e%2e/castnotes.toml", "/%2E%2E%2Fcastnotes.toml", "/media/..%2f..%2fcastnotes.toml",
    "/..%5ccastnotes.toml", "/media/%2e/first/audio.mp3", "/./index.html", "/%00index.html",
])
def test_traversal_is_forbidden(preview: Preview, path: str) -> None:
    status, headers, body = preview.request("GET", path)
    assert status == 403, path
    assert body == b"403 Forbidden\n" and headers["content-type"] == "text/plain; charset=utf-8"
    status, _, body = preview.request("HEAD", path)
    assert (status, body) == (403, b"")


def test_symlinks_out_of_the_preview_are_forbidden(preview: Preview, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    (preview.folder / "leak.txt").symlink_to(secret)
    (preview.folder / "leakdir").symlink_to(tmp_path, target_is_directory=True)
    for path in ("/leak.txt", "/leakdir/secret.txt"):
        status, _, body = preview.request("GET", path)
        assert status == 403 and b"private" not in body


@pytest.mark.parametrize("path", ["/" + "a" * 300, "/media/" + "x/" * 1500, "/" + "%41" * 300 + "/index.html"])
def test_over_long_paths_get_414(preview: Preview, path: str) -> None:
    status, _, body = preview.request("GET", path)
    assert (status, body) == (414, b"414 Request-URI Too Long\n")
    assert preview.request("GET", "/")[0] == 200  # and the server is still there


def test_missing_pages_get_the_404_page_and_folders_a_redirect(preview: Preview) -> None:
    status, _, body = preview.request("GET", "/nope/")
    assert status == 404 and body == (preview.folder / "404.html").read_bytes()
    status, headers, _ = preview.request("GET", "/episodes/first")
    assert status == 301 and headers["location"] == "/episodes/first/"
    status, _, body = preview.request("GET", "/episodes/first/?utm=x")
    assert status == 200 and b"First steps" in body


def test_requests_for_other_host_names_are_refused(preview: Preview) -> None:
    assert preview.request("GET", "/", {"Host": f"localhost:{preview.port}"})[0] == 200
    status, _, body = preview.request("GET", "/", {"Host": "attacker.example"})
    assert status == 403 and b"Work in progress" not in body


def test_server_listens_on_loopback_only(tmp_path: Path) -> None:
    server = make_server(tmp_path, 0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


@pytest.mark.parametrize(("header", "size", "expected"), [
    (None, 10, None), ("bytes=0-1", 10, (0, 1)), ("bytes=5-", 10, (5, 9)), ("bytes=-3", 10, (7, 9)),
    ("bytes=-30", 10, (0, 9)), ("items=0-1", 10, None), ("bytes=0-1,3-4", 10, None), ("bytes=9-9", 10, (9, 9)),
])
def test_parse_range(header: str | None, size: int, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=3-2", "bytes=-", "bytes=x-1", "bytes=0-1"])
def test_parse_range_unsatisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 0 if header == "bytes=0-1" else 10)


def test_rebuilds_when_a_source_changes(preview: Preview) -> None:
    stop = threading.Event()
    rebuilt = threading.Event()
    changed_paths: list[set[str]] = []
    options = preview_options(preview.port, preview.root)

    def loop() -> None:
        for changed in watch_changes(preview.root, [preview.root / "site", preview.root / ".castnotes"], stop):
            changed_paths.append(changed)
            build(preview.root, options)
            rebuilt.set()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    time.sleep(0.5)  # let the watcher start
    episode = preview.root / "episodes" / "001-first" / "episode.md"
    episode.write_text(episode.read_text().replace("First steps", "First steps, revised"))
    assert rebuilt.wait(15), "no rebuild after the change"
    stop.set()
    thread.join(5)
    assert any(str(episode) in paths for paths in changed_paths)
    assert all(".castnotes" not in p for paths in changed_paths for p in paths)
    _, _, body = preview.request("GET", "/episodes/first/")
    assert b"First steps, revised" in body


def test_serve_command_end_to_end(make_show: ShowMaker) -> None:
    show = make_show(episodes=EPISODES)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen([sys.executable, "-m", "castnotes", "-C", str(show), "serve", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        port = None
        lines = []
        deadline = time.monotonic() + 30
        while port is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            match = re.search(r"Previewing at http://127\.0\.0\.1:(\d+)/", line)
            port = int(match.group(1)) if match else None
        assert port, "".join(lines)
        preview = Preview(show, port)
        assert preview.request("GET", "/")[0] == 200
        time.sleep(0.5)
        episode = show / "episodes" / "001-first" / "episode.md"
        episode.write_text(episode.read_text().replace("First steps", "First steps, again"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and b"First steps, again" not in preview.request("GET", "/")[2]:
            time.sleep(0.2)
        assert b"First steps, again" in preview.request("GET", "/")[2]
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert "Stopped the preview." in output
    assert not (show / "site").exists()
