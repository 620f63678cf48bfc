"""`castnotes publish` to S3: a real S3 server (moto's) on 127.0.0.1, boto3 talking HTTP to it.

The upload order is read from the server's own request log: a feed must arrive after
every file it names. A second publish must send nothing, one new episode only what
changed, and a server that goes away mid-publish must leave the old feed in place
for the next run to finish.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from castnotes.commands.publish import PublishOptions, publish
from castnotes.errors import CastnotesError
from castnotes.publish.plan import MANIFEST_PATH
from conftest import run_cli, tree_digest, write_episode
from s3server import CREDENTIALS, S3Server

BUCKET = "pod"
PREFIX = "show/"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[S3Server]:
    """The server, an empty bucket, and credentials in the environment (and no AWS config files)."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    server = S3Server().start()
    server.reset()
    client(server).create_bucket(Bucket=BUCKET)
    server.log.clear()
    yield server
    if server._server is None:  # a test stopped it
        server.start()
    server.reset()
    server.stop()


def client(server: S3Server):  # noqa: ANN201 - a boto3 client
    return boto3.client("s3", endpoint_url=server.url, region_name="us-east-1")


def s3_show(make_show, server: S3Server, **publish: object) -> Path:  # noqa: ANN001
    settings = {"publish": {"target": f"s3://{BUCKET}/{PREFIX}", "endpoint_url": server.url,
                            "region": "us-east-1", **publish}}
    return make_show(settings=settings)


def objects(server: S3Server) -> dict[str, dict]:
    found = {}
    for page in client(server).get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX):
        for item in page.get("Contents", []):
            found[item["Key"][len(PREFIX):]] = item
    return found


def head(server: S3Server, path: str) -> dict:
    return client(server).head_object(Bucket=BUCKET, Key=PREFIX + path)


def body(server: S3Server, path: str) -> bytes:
    return client(server).get_object(Bucket=BUCKET, Key=PREFIX + path)["Body"].read()


def uploaded(server: S3Server) -> list[str]:
    """Site files PUT since the log was last cleared, in arrival order (not the manifest)."""
    return [k[len(PREFIX):] for k in server.puts(BUCKET) if k.startswith(PREFIX) and not k.endswith(MANIFEST_PATH)]


def add_episode(show: Path) -> None:
    folder = show / "episodes" / "003-third"
    write_episode(folder, {"title": "Third time lucky", "date": "2026-01-19 06:00",
                           "guid": "0b6e7c52-0003-4a0e-9e0e-000000000003"}, "A third.\n")
    (folder / "audio.mp3").write_bytes((show / "episodes" / "001-first" / "audio.mp3").read_bytes() + b"\0")


def test_publish_uploads_the_site_with_headers_media_first_feeds_last(make_show, s3: S3Server) -> None:
    show = s3_show(make_show, s3)
    result = run_cli("publish", show=show)
    assert result.exit_code == 0, result.output
    site = sorted(p.relative_to(show / "site").as_posix() for p in (show / "site").rglob("*")
                  if p.is_file() and p.name != ".castnotes-site")  # build's marker stays home
    remote = objects(s3)
    assert sorted(set(remote) - {MANIFEST_PATH}) == site
    for path in site:  # the bytes arrived intact
        assert remote[path]["Size"] == (show / "site" / path).stat().st_size
    assert body(s3, "feed.xml") == (show / "site" / "feed.xml").read_bytes()

    mp3 = next(p for p in site if p.endswith(".mp3"))
    m4a = next(p for p in site if p.endswith(".m4a"))
    assert head(s3, mp3)["ContentType"] == "audio/mpeg"
    assert head(s3, m4a)["ContentType"] == "audio/x-m4a"
    assert head(s3, "feed.xml")["ContentType"] == "application/rss+xml; charset=utf-8"
    assert head(s3, "takeaways.xml")["ContentType"] == "application/atom+xml; charset=utf-8"
    assert head(s3, "index.html")["ContentType"] == "text/html; charset=utf-8"
    assert head(s3, "cover.jpg" if "cover.jpg" in site else next(p for p in site if p.endswith(".jpg"))
                )["ContentType"] == "image/jpeg"
    assert head(s3, "feed.xml")["CacheControl"] == "public, max-age=300"
    assert head(s3, "index.html")["CacheControl"] == "public, max-age=300"
    assert head(s3, mp3)["CacheControl"] == "public, max-age=31536000"

    order = uploaded(s3)
    assert sorted(order) == site  # each file once
    audio = [order.index(p) for p in site if p.endswith((".mp3", ".m4a"))]
    pages = [order.index(p) for p in site if p.endswith(".html")]
    feeds = [order.index(p) for p in ("feed.xml", "takeaways.xml")]
    assert max(audio) < min(pages)
    assert max(i for i, p in enumerate(order) if p not in ("feed.xml", "takeaways.xml")) < min(feeds)
    assert s3.puts(BUCKET)[-1] == PREFIX + MANIFEST_PATH  # the manifest follows the feeds
    assert f"{len(site)} uploaded" in result.output and "0 unchanged" in result.output


def test_a_second_publish_sends_nothing_and_one_new_episode_sends_only_what_changed(
        make_show, s3: S3Server) -> None:
    show = s3_show(make_show, s3)
    assert run_cli("publish", show=show).exit_code == 0
    first = {k: v["ETag"] for k, v in objects(s3).items()}
    s3.log.clear()

    again = run_cli("publish", show=show)
    assert again.exit_code == 0, again.output
    assert [m for m, _, _ in s3.log if m not in ("GET", "HEAD")] == []  # nothing written at all
    assert "0 uploaded" in again.output and f"{len(first) - 1} unchanged" in again.output

    add_episode(show)
    s3.log.clear()
    third = run_cli("publish", show=show)
    assert third.exit_code == 0, third.output
    order = uploaded(s3)
    audio = [p for p in order if p.endswith((".mp3", ".m4a"))]
    assert audio == ["media/third/audio.mp3"], order  # the new audio, and no other
    first_page = min(i for i, p in enumerate(order) if p.endswith(".html"))
    assert order.index("media/third/audio.mp3") < first_page  # before any page that links it
    assert "episodes/third/index.html" in order and "episodes/first/index.html" not in order
    assert order[-2:] in (["feed.xml", "takeaways.xml"], ["takeaways.xml", "feed.xml"])
    assert len(order) < len(first) - 1
    assert f"{len(order)} uploaded" in third.output
    assert b"Third time lucky" in body(s3, "feed.xml")


class StopServer:
    """A progress bar that pulls the plug on the server as soon as the first bytes go out."""

    def __init__(self, server: S3Server) -> None:
        self.server = server
        self.stopped = threading.Event()

    def start(self, total: int) -> None:
        pass

    def advance(self, amount: int) -> None:
        if not self.stopped.is_set():
            self.stopped.set()
            self.server.stop()

    def finish(self) -> None:
        pass


def test_a_server_gone_mid_publish_leaves_the_old_feed_and_the_next_run_finishes(
        make_show, s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    import castnotes.publish.s3 as s3_module

    monkeypatch.setattr(s3_module, "ATTEMPTS", 2)  # give up quickly once the server is gone
    show = s3_show(make_show, s3)
    publish(show)
    old_feed = body(s3, "feed.xml")
    add_episode(show)
    with pytest.raises(CastnotesError) as caught:
        publish(show, PublishOptions(), progress=StopServer(s3))
    message = caught.value.problems[0].message
    assert f"s3://{BUCKET}/{PREFIX}" in message and "\n" not in message
    s3.start()  # same port, same buckets
    assert body(s3, "feed.xml") == old_feed
    assert b"Third time lucky" not in old_feed
    result = publish(show)
    assert b"Third time lucky" in body(s3, "feed.xml")
    assert "feed.xml" in [f.path for f in result.plan.uploads]
    assert publish(show).plan.uploads == ()


def test_dry_run_lists_and_writes_nothing(make_show, s3: S3Server) -> None:
    show = s3_show(make_show, s3)
    result = run_cli("publish", "--dry-run", "--no-build", show=show)
    assert result.exit_code == 1 and "no built site" in result.output
    assert run_cli("build", show=show).exit_code == 0
    s3.log.clear()
    before = tree_digest(show)
    result = run_cli("publish", "--dry-run", show=show)
    assert result.exit_code == 0, result.output
    assert tree_digest(show) == before  # not even the hash cache
    assert "upload  feed.xml" in result.output and "application/rss+xml" in result.output
    assert "nothing was written" in result.output
    assert all(method in ("GET", "HEAD") for method, _, _ in s3.log)
    assert objects(s3) == {}
    assert "older than the show's files" not in result.output
    add_episode(show)
    stale = run_cli("publish", "--dry-run", show=show)
    assert "older than the show's files" in stale.output and "third" not in stale.output
    assert objects(s3) == {}


def test_large_files_go_up_in_parts_with_a_byte_progress(make_show, s3: S3Server,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import castnotes.publish.s3 as s3_module

    monkeypatch.setattr(s3_module, "PART_SIZE", 5 * 1024 * 1024)  # S3's smallest part
    show = s3_show(make_show, s3)
    (show / "static").mkdir()
    big = os.urandom(11 * 1024 * 1024)
    (show / "static" / "bonus.bin").write_bytes(big)

    class Bar:
        def __init__(self) -> None:
            self.total = self.done = 0
            self.finished = False

        def start(self, total: int) -> None:
            self.total = total

        def advance(self, amount: int) -> None:
            self.done += amount

        def finish(self) -> None:
            self.finished = True

    bar = Bar()
    result = publish(show, progress=bar)
    assert body(s3, "bonus.bin") == big
    assert bar.finished and bar.total == result.uploaded_bytes == bar.done
    parts = [p for m, p, _ in s3.log if m == "PUT" and p.endswith("bonus.bin")]
    assert len(parts) == 3  # 5 + 5 + 1 MB: a multipart upload, not one PUT
    assert any(m == "POST" and p.endswith("bonus.bin") for m, p, _ in s3.log)


def test_a_first_publish_takes_over_what_another_tool_put_there(make_show, s3: S3Server) -> None:
    """A move from another host: the audio is in the bucket already (put there whole, in parts of
    8 MiB as aws-cli does, or in parts of 5 MiB), with other headers. Only what differs is sent;
    the rest gets castnotes' headers by a copy on the server and joins the manifest."""
    from boto3.s3.transfer import TransferConfig

    show = s3_show(make_show, s3)
    (show / "static").mkdir()
    (show / "static" / "bonus.bin").write_bytes(os.urandom(11 * 1024 * 1024))
    (show / "static" / "extra.bin").write_bytes(os.urandom(9 * 1024 * 1024))
    assert run_cli("build", show=show).exit_code == 0
    site = show / "site"
    mp3 = next(p.relative_to(site).as_posix() for p in site.rglob("*.mp3"))
    s3client = client(s3)
    s3client.put_object(Bucket=BUCKET, Key=PREFIX + mp3, Body=(site / mp3).read_bytes(),
                        ContentType="binary/octet-stream")
    for name, part in (("bonus.bin", 5), ("extra.bin", 8)):
        mib = part * 1024 * 1024
        s3client.upload_file(str(site / name), BUCKET, PREFIX + name,
                             Config=TransferConfig(multipart_threshold=mib, multipart_chunksize=mib))
        assert objects(s3)[name]["ETag"].endswith(('-3"', '-2"'))  # 11 MiB in parts of 5, 9 in parts of 8
    s3client.put_object(Bucket=BUCKET, Key=PREFIX + "index.html", Body=b"<p>the old host's page</p>")
    s3client.put_object(Bucket=BUCKET, Key=PREFIX + "old-only.html", Body=b"<p>not in the site</p>")
    s3.log.clear()

    dry = run_cli("publish", "--dry-run", show=show)
    assert dry.exit_code == 0, dry.output
    assert f"have    {mp3} (already at the target" in dry.output and "upload  index.html" in dry.output
    assert all(method in ("GET", "HEAD") for method, _, _ in s3.log)

    result = run_cli("publish", show=show)
    assert result.exit_code == 0, result.output
    sent: dict[str, int] = {}  # bytes PUT per file: a copy on the server is a PUT without a body
    for method, path, length in s3.log:
        if method == "PUT":
            sent[path.rsplit(PREFIX, 1)[-1]] = sent.get(path.rsplit(PREFIX, 1)[-1], 0) + length
    assert sent[mp3] == sent["bonus.bin"] == sent["extra.bin"] == 0
    assert sent["index.html"] > 0 and body(s3, "index.html") == (site / "index.html").read_bytes()
    assert head(s3, mp3)["ContentType"] == "audio/mpeg"  # copied onto itself with castnotes' headers
    assert head(s3, mp3)["CacheControl"] == "public, max-age=31536000"
    assert "(3 already at the target)" in result.output
    assert body(s3, "old-only.html") == b"<p>not in the site</p>"  # never castnotes', never deleted
    again = run_cli("publish", show=show)
    assert "0 uploaded" in again.output and "already at the target" not in again.output


def test_cache_control_and_content_types_can_be_overridden(make_show, s3: S3Server) -> None:
    show = s3_show(make_show, s3, cache_control={"feed": "no-cache", "media": "public, max-age=60"},
                   content_types={".m4a": "audio/mp4"})
    assert run_cli("publish", show=show).exit_code == 0
    m4a = next(p for p in objects(s3) if p.endswith(".m4a"))
    assert head(s3, "feed.xml")["CacheControl"] == "no-cache"
    assert head(s3, m4a)["CacheControl"] == "public, max-age=60"
    assert head(s3, m4a)["ContentType"] == "audio/mp4"


def test_delete_only_when_asked_after_the_feeds_and_never_published_audio(make_show, s3: S3Server) -> None:
    show = s3_show(make_show, s3)
    (show / "static").mkdir()
    (show / "static" / "old.txt").write_text("old\n")
    assert run_cli("publish", show=show).exit_code == 0
    assert (show / "published.jsonl").is_file()
    mp3 = next(p for p in objects(s3) if p.endswith(".mp3"))
    # The site loses a static file and (by hand) an episode's audio the ledger lists as published.
    (show / "site" / "old.txt").unlink()
    (show / "site" / mp3).unlink()
    (show / "site" / "index.html").write_text("<!doctype html><title>new</title>\n")
    kept = run_cli("publish", "--no-build", show=show)
    assert kept.exit_code == 0, kept.output
    assert "old.txt" in objects(s3) and "2 kept" in kept.output
    s3.log.clear()
    result = run_cli("publish", "--no-build", "--delete", show=show)
    assert result.exit_code == 0, result.output
    remote = objects(s3)
    assert "old.txt" not in remote and mp3 in remote
    assert "1 deleted" in result.output
    methods = [m for m, _, _ in s3.log if m in ("PUT", "POST")]
    assert methods[-1] == "PUT"  # the manifest, after the delete (a POST ?delete)
    assert methods[-2] == "POST"
    dry = run_cli("publish", "--no-build", "--delete", "--dry-run", show=show)
    assert f"keep    {mp3} (published audio in the ledger)" in dry.output


class Hub(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), HubHandler)
        self.requests: list[tuple[str, str, dict, dict]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class HubHandler(BaseHTTPRequestHandler):
    server: Hub

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _record(self, form: dict) -> None:
        self.server.requests.append((self.command, urlsplit(self.path).path, form, dict(self.headers)))
        status = 500 if self.path.startswith("/broken") else 204
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self._record(parse_qs(self.rfile.read(length).decode()))

    def do_GET(self) -> None:  # noqa: N802
        self._record(parse_qs(urlsplit(self.path).query))


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = Hub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_websub_hubs_and_podping_are_told_when_the_feed_changed(make_show, s3: S3Server, hub: Hub,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODPING_TOKEN", "pp-test-token")
    show = s3_show(make_show, s3, websub_hubs=[hub.url + "/hub", hub.url + "/broken"],
                   podping_url=hub.url + "/podping")
    result = run_cli("publish", show=show)
    assert result.exit_code == 0, result.output
    feed = body(s3, "feed.xml").decode()
    assert f'<atom:link href="{hub.url}/hub" rel="hub"/>' in feed
    posts = [r for r in hub.requests if r[1] == "/hub"]
    assert len(posts) == 1 and posts[0][0] == "POST"
    assert posts[0][2] == {"hub.mode": ["publish"], "hub.url": ["https://test.example/feed.xml"]}
    pings = [r for r in hub.requests if r[1] == "/podping"]
    assert pings[0][2] == {"url": ["https://test.example/feed.xml"]}
    assert pings[0][3]["Authorization"] == "pp-test-token"
    assert "warning" in result.output and "/broken" in result.output  # a failing hub only warns
    hub.requests.clear()
    assert run_cli("publish", show=show).exit_code == 0
    assert hub.requests == []  # no feed changed: nobody is told


def test_errors_are_one_line_exit_1_and_touch_nothing(make_show, s3: S3Server,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    show = s3_show(make_show, s3)
    assert run_cli("build", show=show).exit_code == 0
    s3.log.clear()
    cases = {
        f"s3://missing-bucket/{PREFIX}": "the bucket 'missing-bucket' does not exist",
        "s3://x/": "names no valid bucket",
        "ftp://example.org/pod/": "cannot publish to 'ftp://example.org/pod/'",
    }
    for target, expected in cases.items():
        result = run_cli("publish", "--no-build", "--target", target, show=show)
        assert result.exit_code == 1, result.output
        assert expected in result.output
        assert result.output.count("error:") == 1
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = run_cli("publish", "--no-build", show=show)
    assert result.exit_code == 1 and "no AWS credentials found" in result.output
    assert all(method in ("GET", "HEAD") for method, _, _ in s3.log)
    assert objects(s3) == {}


def test_wrong_credentials_are_refused_with_one_line(make_show, s3: S3Server,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """moto checks keys and signatures only when told to; its IAM then knows no such key."""
    show = s3_show(make_show, s3)
    assert run_cli("build", show=show).exit_code == 0
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG0")
    s3.check_credentials(True)
    try:
        result = run_cli("publish", "--no-build", show=show)
    finally:
        s3.check_credentials(False)
    assert result.exit_code == 1, result.output
    assert "the credentials were refused" in result.output
    assert objects(s3) == {}


def test_without_boto3_the_error_names_the_pip_command(make_show, tmp_path: Path) -> None:
    show = make_show(settings={"publish": {"target": "s3://pod/"}})
    code = "import sys; sys.modules['boto3'] = None; from castnotes.cli.main import main; main()"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    result = subprocess.run([sys.executable, "-c", code, "-C", str(show), "publish", "--no-build"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "pip install 'castnotes[s3]'" in result.stderr


def test_check_warns_about_secrets_in_castnotes_toml(make_show) -> None:
    show = make_show(settings={"publish": {"target": "s3://pod/",
                                           "endpoint_url": "https://AKIAIOSFODNN7EXAMPLE@r2.example/"}})
    result = run_cli("check", show=show)
    assert "looks like a secret" in result.output
    assert "AWS_ACCESS_KEY_ID" in result.output
    clean = run_cli("check", show=make_show(settings={"publish": {"target": "s3://pod/"}}))
    assert "looks like a secret" not in clean.output


def test_publish_settings_are_checked_with_their_line(make_show) -> None:
    show = make_show(settings={"publish": {"target": "s3://pod/", "websub_hubs": ["not a url"],
                                           "cache_control": {"feeds": "no-cache"},
                                           "content_types": {"opus": "audio/ogg"}}})
    result = run_cli("check", show=show)
    text = result.output
    assert "websub_hubs must be an absolute http(s) URL" in text
    assert "cache_control has an unknown kind 'feeds'" in text and "did you mean 'feed'?" in text
    assert "content_types: 'opus'" in text
    assert "castnotes.toml:" in text


def test_hashed_names_are_cached_for_good_and_the_rest_briefly(make_show, s3: S3Server) -> None:
    show = s3_show(make_show, s3)
    assert run_cli("publish", show=show).exit_code == 0
    remote = objects(s3)
    artwork = next(p for p in remote if p.startswith("artwork-") and p.endswith(".jpg"))
    assert head(s3, artwork)["CacheControl"] == "public, max-age=31536000, immutable"
    assert head(s3, "assets/style.css")["CacheControl"] == "public, max-age=3600"
    assert head(s3, "assets/style.css")["ContentType"] == "text/css; charset=utf-8"
    assert head(s3, MANIFEST_PATH)["CacheControl"] == "no-store"


def test_podping_without_a_token_warns_and_pings_nothing(make_show, hub: Hub, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PODPING_TOKEN", raising=False)
    show = make_show(settings={"publish": {"target": str(tmp_path / "www"), "podping_url": hub.url + "/"}})
    result = run_cli("publish", show=show)
    assert result.exit_code == 0, result.output
    assert "PODPING_TOKEN is not" in result.output
    assert hub.requests == []
