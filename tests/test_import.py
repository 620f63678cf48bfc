"""`castnotes import`: over HTTP (with and without --download), bad feeds, idempotence, no half-writes."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from conftest import run_cli, tree_digest
from httpserver import serve
from roundtrip import compare_feeds
from test_import_roundtrip import NOW, offline

from castnotes.commands import importer
from castnotes.commands.build import BuildOptions, build
from castnotes.commands.importer import import_show
from castnotes.errors import CastnotesError
from castnotes.fetch import MAX_FEED_BYTES
from castnotes.read.ledger import load_ledger
from castnotes.read.frontmatter import parse_document

CHANNEL = """<title>Moving Day</title>
<link>https://old.example/show/</link>
<description>&lt;p&gt;A show that &lt;b&gt;moves&lt;/b&gt;.&lt;/p&gt;</description>
<language>en-gb</language>
<itunes:author>Mo Ver</itunes:author>
<itunes:owner><itunes:name>Mo Ver</itunes:name><itunes:email>mo@old.example</itunes:email></itunes:owner>
<itunes:category text="Society &amp; Culture"><itunes:category text="Documentary"/></itunes:category>
<itunes:category text="Technology"/>
<itunes:explicit>false</itunes:explicit>
<itunes:type>episodic</itunes:type>
"""


def item(n: int, url: str, *, guid: str | None = "auto", length: int | None = 1000, kind: str = "audio/mpeg",
         notes: str = "<p>Notes.</p>", extra: str = "", date: str | None = None) -> str:
    parts = [f"<title>Episode {n}</title>"]
    if guid == "auto":
        parts.append(f'<guid isPermaLink="false">ep-{n}</guid>')
    elif guid:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    parts.append(f"<pubDate>{date or f'Mon, 0{n} Jun 2025 06:30:00 +0200'}</pubDate>")
    if url:
        length_attr = f' length="{length}"' if length is not None else ""
        parts.append(f'<enclosure url="{url}"{length_attr} type="{kind}"/>')
    parts.append(f"<description><![CDATA[{notes}]]></description>")
    parts.append(f"<itunes:episode>{n}</itunes:episode><itunes:duration>0:03</itunes:duration>")
    return "<item>" + "".join(parts) + extra + "</item>"


def rss(items: list[str], channel: str = CHANNEL) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
            'xmlns:podcast="https://podcastindex.org/namespace/1.0">\n<channel>\n'
            + channel + "\n".join(items) + "\n</channel>\n</rss>\n").encode("utf-8")


def front_matter(path: Path) -> dict:
    return dict(parse_document(path.read_text(), path).meta)


def folders(show: Path) -> list[str]:
    return sorted(p.name for p in (show / "episodes").iterdir())


# --- over HTTP -------------------------------------------------------------------------------

@pytest.fixture
def site(media: dict[str, Path]):
    """A live old host: a feed with two real episodes (MP3, M4A) and the show artwork."""
    files: dict = {"/media/one.mp3": ("audio/mpeg", media["mp3"].read_bytes()),
                   "/media/two.m4a": ("audio/mp4", media["m4a"].read_bytes()),
                   "/art/cover.jpg": ("image/jpeg", media["cover"].read_bytes())}
    with serve(files) as server:
        base = server.url
        files["/feed.xml"] = ("application/rss+xml", rss([
            item(2, f"{base}/media/two.m4a", length=media["m4a"].stat().st_size, kind="audio/x-m4a"),
            item(1, f"{base}/media/one.mp3", length=media["mp3"].stat().st_size),
        ], CHANNEL + f'<itunes:image href="{base}/art/cover.jpg"/>'))
        yield server


def test_import_from_a_url_keeps_audio_remote(site, tmp_path: Path, media: dict[str, Path]) -> None:
    show = tmp_path / "show"
    result = run_cli("import", f"{site.url}/feed.xml", "--into", str(show))
    assert result.exit_code == 0, result.output
    assert "Imported 2 episodes" in result.output
    assert f"point the old feed ({site.url}/feed.xml) to the new one" in result.output
    assert "https://old.example/show/feed.xml" in result.output
    assert [path for path, _ in site.log] == ["/feed.xml", "/art/cover.jpg"], "no audio is fetched"
    assert (show / "artwork.jpg").read_bytes() == media["cover"].read_bytes()
    assert folders(show) == ["001-episode-1", "002-episode-2"]
    meta = front_matter(show / "episodes" / "001-episode-1" / "episode.md")
    assert meta["audio"] == {"url": f"{site.url}/media/one.mp3", "length": media["mp3"].stat().st_size,
                             "type": "audio/mpeg", "duration": 3}
    assert meta["date"] == datetime(2025, 6, 1, 4, 30, tzinfo=timezone.utc)
    assert meta["date"].utcoffset().total_seconds() == 7200, "the feed's own offset is kept"
    assert not any(p.suffix in (".mp3", ".m4a") for p in (show / "episodes").rglob("*"))
    again = import_show(f"{site.url}/feed.xml", tmp_path / "again")
    build(tmp_path / "again")
    assert compare_feeds(site.files["/feed.xml"][1], tmp_path / "again" / "site" / "feed.xml", again) == 2


def test_import_with_download_fetches_the_audio(site, tmp_path: Path, media: dict[str, Path]) -> None:
    show = tmp_path / "show"
    result = import_show(f"{site.url}/feed.xml", show, importer.ImportOptions(download=True))
    assert result.downloaded == 2
    one, two = show / "episodes" / "001-episode-1", show / "episodes" / "002-episode-2"
    assert (one / "audio.mp3").read_bytes() == media["mp3"].read_bytes()
    assert (two / "audio.m4a").read_bytes() == media["m4a"].read_bytes()
    assert front_matter(one / "episode.md")["audio"] == {"file": "audio.mp3",
                                                         "url": f"{site.url}/media/one.mp3"}
    assert not list((show / ".castnotes" / "downloads").iterdir()), "downloads moved into the folders"
    build(show)
    lengths = {f"{site.url}/media/one.mp3": media["mp3"].stat().st_size,
               f"{site.url}/media/two.m4a": media["m4a"].stat().st_size}
    assert compare_feeds(site.files["/feed.xml"][1], show / "site" / "feed.xml", result, lengths=lengths) == 2
    feed = (show / "site" / "feed.xml").read_text()
    assert "<itunes:duration>3</itunes:duration>" in feed, "the duration now comes from the file"
    assert not (show / "site" / "media").exists(), "published at the old URLs, not copied into the site"


def test_a_failed_import_keeps_its_downloads(site, tmp_path: Path, monkeypatch) -> None:
    show = tmp_path / "show"

    def disk_full(root: Path, entries: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(importer, "append_entries", disk_full)
    with pytest.raises(OSError):
        import_show(f"{site.url}/feed.xml", show, importer.ImportOptions(download=True))
    assert sorted(p.name for p in show.iterdir()) == [".castnotes"], "episodes and settings removed"
    assert len(list((show / ".castnotes" / "downloads").iterdir())) == 2, "the downloads were kept"
    monkeypatch.undo()
    requests = len(site.log)
    import_show(f"{site.url}/feed.xml", show, importer.ImportOptions(download=True))
    assert [path for path, _ in site.log[requests:]] == ["/feed.xml", "/art/cover.jpg"], "nothing fetched twice"


def test_downloaded_audio_can_be_tagged(site, tmp_path: Path) -> None:
    show = tmp_path / "show"
    import_show(f"{site.url}/feed.xml", show, importer.ImportOptions(download=True))
    result = run_cli("tag", "001-episode-1", show=show)
    assert result.exit_code == 0, result.output
    assert f"this file is published at {site.url}/media/one.mp3: upload the tagged file there" in result.output
    from castnotes.audio import read_audio

    info, _ = read_audio(show / "episodes" / "001-episode-1" / "audio.mp3")
    assert (info.title, info.album, info.artist) == ("Episode 1", "Moving Day", "Mo Ver")


def test_lengths_the_feed_left_out_come_from_the_server(site, tmp_path: Path, media: dict[str, Path]) -> None:
    site.files["/feed.xml"] = ("application/rss+xml", rss([item(1, f"{site.url}/media/one.mp3", length=None)]))
    result = import_show(f"{site.url}/feed.xml", tmp_path / "show")
    size = media["mp3"].stat().st_size
    assert ("HEAD /media/one.mp3", None) in site.log
    assert ("/media/one.mp3", None) not in site.log, "asked, not downloaded"
    assert front_matter(tmp_path / "show" / "episodes" / "001-episode-1" / "episode.md")["audio"]["length"] == size
    assert any(f"its server says {size} bytes" in p.message for p in result.problems)
    build(tmp_path / "show")


def test_artwork_apple_would_refuse_is_kept_beside_a_placeholder(site, tmp_path: Path) -> None:
    from io import BytesIO

    from PIL import Image

    small = BytesIO()
    Image.new("RGB", (600, 600), (10, 20, 30)).save(small, "JPEG")
    site.files["/art/cover.jpg"] = ("image/jpeg", small.getvalue())
    result = import_show(f"{site.url}/feed.xml", tmp_path / "show")
    show = tmp_path / "show"
    assert (show / "artwork-old.jpg").read_bytes() == small.getvalue()
    assert 'image = "artwork.png"' in (show / "castnotes.toml").read_text()
    assert result.artwork == "artwork.png"
    assert any("castnotes.toml names a placeholder, artwork.png: the old show artwork is 600x600; artwork "
               "must be 1400x1400 to 3000x3000 pixels (saved as artwork-old.jpg)" in p.message
               for p in result.problems)
    build(show)


def test_download_resumes_after_an_interruption(site, tmp_path: Path) -> None:
    show = tmp_path / "show"
    site.cut["/media/one.mp3"] = 1500
    result = run_cli("import", f"{site.url}/feed.xml", "--into", str(show), "--download")
    assert result.exit_code == 1
    assert "download is incomplete (1500 of" in result.output
    assert "run the import again: it resumes" in result.output
    assert not (show / "episodes").exists() and not (show / "castnotes.toml").exists()
    [part] = (show / ".castnotes" / "downloads").glob("*.part")
    assert part.stat().st_size == 1500
    result = run_cli("import", f"{site.url}/feed.xml", "--into", str(show), "--download")
    assert result.exit_code == 0, result.output
    assert ("/media/one.mp3", "bytes=1500-") in site.log
    assert (show / "episodes" / "001-episode-1" / "audio.mp3").read_bytes() == \
        site.files["/media/one.mp3"][1]


def test_download_warns_when_the_feed_length_is_wrong(site, tmp_path: Path, media: dict[str, Path]) -> None:
    site.files["/feed.xml"] = ("application/rss+xml", rss([item(1, f"{site.url}/media/one.mp3", length=777)]))
    result = import_show(f"{site.url}/feed.xml", tmp_path / "show", importer.ImportOptions(download=True))
    size = media["mp3"].stat().st_size
    assert any(f"the old feed said the audio has 777 bytes, the file has {size}; the new feed says {size}"
               in p.message for p in result.problems)


def test_download_that_is_not_audio_is_refused(site, tmp_path: Path) -> None:
    site.files["/media/one.mp3"] = ("text/html", b"<html><body>Sign in to listen</body></html>")
    show = tmp_path / "show"
    with pytest.raises(CastnotesError, match=r"001-episode-1 from .* is not usable"):
        import_show(f"{site.url}/feed.xml", show, importer.ImportOptions(download=True))
    assert not (show / "episodes").exists() and not (show / "castnotes.toml").exists()


def test_feed_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    with big.open("wb") as fh:
        fh.write(rss([])[:-20])
        fh.write(b"<!--" + b" " * (50 * 1024 * 1024) + b"-->")
    result = run_cli("import", str(big), "--into", str(tmp_path / "show"))
    assert result.exit_code == 1
    assert "the feed is 50.0 MB; castnotes refuses more than 32 MB" in result.output
    assert not (tmp_path / "show").exists()
    checked = run_cli("check", str(big))  # the one feed loader: check refuses it the same way
    assert checked.exit_code == 1 and "the feed is 50.0 MB; castnotes refuses more than 32 MB" in checked.output
    with serve({"/big.xml": big.read_bytes()}) as server:
        server.no_length.add("/big.xml")  # streamed without a declared size: stop past the limit
        with pytest.raises(CastnotesError, match="the feed is over 32 MB; castnotes refuses more than 32 MB"):
            import_show(f"{server.url}/big.xml", tmp_path / "show")
        read = sum(1 for path, _ in server.log if path == "/big.xml")
        assert read == 1
    assert MAX_FEED_BYTES < 50 * 1024 * 1024


# --- bad feeds -------------------------------------------------------------------------------

def write_feed(tmp_path: Path, data: bytes, name: str = "feed.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data, message", [
    (b"", "the feed is empty"),
    (b"Episode list:\n1. Hello\n2. Goodbye\n", "not a podcast feed: the file is not XML (line 1"),
    (b"<?xml version='1.0'?><playlist><track/></playlist>", "not a podcast feed: the document is <playlist>"),
    (rss([]), "the feed has no episodes"),
])
def test_not_a_podcast_feed(tmp_path: Path, data: bytes, message: str) -> None:
    feed = write_feed(tmp_path, data)
    result = run_cli("import", str(feed), "--into", str(tmp_path / "show"))
    assert result.exit_code == 1
    assert message in result.output
    assert "nothing was written" in result.output
    assert not (tmp_path / "show").exists()


def test_an_html_page_names_its_feed(tmp_path: Path) -> None:
    page = (b"<!DOCTYPE html><html><head><title>My show</title>"
            b'<link rel="alternate" type="application/rss+xml" href="/podcast/feed.rss"></head>'
            b"<body><h1>My show</h1></body></html>")
    with serve({"/show": ("text/html", page)}) as server:
        result = run_cli("import", f"{server.url}/show", "--into", str(tmp_path / "show"))
    assert result.exit_code == 1
    assert "this is a web page (HTML), not a podcast feed" in result.output
    assert f"the page names its feed: import {server.url}/podcast/feed.rss" in result.output


def test_unreachable_feed_and_missing_file(tmp_path: Path) -> None:
    with serve({}) as server:
        result = run_cli("import", f"{server.url}/gone.xml", "--into", str(tmp_path / "a"))
    assert result.exit_code == 1 and "the server answered 404" in result.output
    result = run_cli("import", "old.example/feed.xml", "--into", str(tmp_path / "b"))
    assert result.exit_code == 1
    for verb in (("import", "old.example/feed.xml", "--into", str(tmp_path / "b")), ("check", "old.example/feed.xml")):
        result = run_cli(*verb)
        assert result.exit_code == 1
        assert "no such feed file" in result.output
        assert "did you mean https://old.example/feed.xml" in result.output
    for url in ("http://127.0.0.1:port/feed.xml", "http://[::1/feed.xml"):  # urllib raised, not a message
        for verb in (("import", url, "--into", str(tmp_path / "c")), ("check", url)):
            result = run_cli(*verb)
            assert result.exit_code == 1 and f"the feed address is not a valid URL: {url!r}" in result.output


def test_items_without_enclosures_are_skipped_and_named(tmp_path: Path) -> None:
    feed = write_feed(tmp_path, rss([
        item(3, "https://cdn.example/3.mp3"),
        item(2, ""),  # a text-only post
        item(1, "https://cdn.example/1.pdf", kind="application/pdf"),
    ]))
    result = import_show(str(feed), tmp_path / "show", opener=offline, now=NOW)
    assert folders(tmp_path / "show") == ["003-episode-3"]
    messages = [p.format() for p in result.problems]
    assert any(m.startswith(f"{feed}:") and "item 2 ('Episode 2'): skipped: it has no enclosure" in m
               for m in messages)
    assert any("item 3 ('Episode 1'): skipped: its enclosure is not audio or video (application/pdf)" in m
               for m in messages)
    statuses = {o.label: o.status for o in result.outcomes}
    assert statuses == {"Episode 3": "imported", "Episode 2": "skipped", "Episode 1": "skipped"}


def test_duplicate_guids_keep_the_first(tmp_path: Path) -> None:
    feed = write_feed(tmp_path, rss([item(2, "https://cdn.example/2.mp3", guid="same"),
                                     item(1, "https://cdn.example/1.mp3", guid="same")]))
    result = import_show(str(feed), tmp_path / "show", opener=offline, now=NOW)
    assert folders(tmp_path / "show") == ["002-episode-2"]
    assert any("item 2 ('Episode 1'): skipped: has the same GUID as item 1 ('Episode 2')" in p.message
               for p in result.problems)


def test_items_without_guids_get_the_id_apps_gave_them(tmp_path: Path) -> None:
    link = "<link>https://old.example/show/ep-2</link>"
    feed = write_feed(tmp_path, rss([item(2, "https://cdn.example/2.mp3", guid=None, extra=link),
                                     item(1, "https://cdn.example/1.mp3", guid=None)]))
    result = import_show(str(feed), tmp_path / "show", opener=offline, now=NOW)
    guids = {o.label: o.guid for o in result.outcomes}
    assert guids == {"Episode 2": "https://cdn.example/2.mp3", "Episode 1": "https://cdn.example/1.mp3"}
    assert front_matter(tmp_path / "show" / "episodes" / "001-episode-1" / "episode.md")["guid"] == \
        "https://cdn.example/1.mp3"
    assert sum("has no <guid>" in p.message for p in result.problems) == 2


def test_scripts_in_notes_are_sanitised(tmp_path: Path) -> None:
    notes = ('<p onclick="steal()">Hello <a href="javascript:alert(1)">click</a> and '
             '<a href="/ep/2">the next one</a>.</p><script>alert("x")</script>'
             '<style>body{display:none}</style><p>&lt;script&gt;not code&lt;/script&gt;</p>'
             '<ul><li>one</li><li>two</li></ul><img src="x" onerror="steal()">')
    extra = "<link>https://old.example/show/ep/1</link>"
    feed = write_feed(tmp_path, rss([item(1, "https://cdn.example/1.mp3", notes=notes, extra=extra)]))
    import_show(str(feed), tmp_path / "show", opener=offline, now=NOW)
    text = (tmp_path / "show" / "episodes" / "001-episode-1" / "episode.md").read_text()
    body = text.split("---\n", 2)[2]
    assert "steal" not in text and "javascript" not in text and "display:none" not in text
    assert 'alert("x")' not in text
    assert "[the next one](https://old.example/ep/2)" in body
    assert "- one\n- two" in body
    build(tmp_path / "show")
    page = (tmp_path / "show" / "site" / "episodes" / "episode-1" / "index.html").read_text()
    assert "<script>not code" not in page and "&lt;script&gt;not code&lt;/script&gt;" in page
    assert "onerror" not in page and "onclick" not in page


def test_bad_values_are_left_out_with_warnings(tmp_path: Path) -> None:
    extra = ("<itunes:season>two</itunes:season><itunes:episodeType>special</itunes:episodeType>"
             '<podcast:person role="guest" href="not a url">Ana</podcast:person>'
             '<podcast:soundbite startTime="170" duration="60">Too late</podcast:soundbite>')
    feed = write_feed(tmp_path, rss([item(1, "https://cdn.example/1.mp3", extra=extra,
                                          date="sometime in June", length=None)]))
    result = import_show(str(feed), tmp_path / "show", opener=offline, now=NOW)
    messages = "\n".join(p.message for p in result.problems)
    for expected in ("itunes:season 'two' is not a positive whole number",
                     "itunes:episodeType 'special' is not full, trailer or bonus",
                     "podcast:person 'Ana': href: must be an absolute http(s) URL, not 'not a url'; "
                     "its href is left out",
                     "podcast:soundbite", "has no publish date ('sometime in June' is not a date)",
                     "the enclosure length is unknown (the old feed gave none and its server does not say)"):
        assert expected in messages
    meta = front_matter(tmp_path / "show" / "episodes" / "001-episode-1" / "episode.md")
    assert "season" not in meta and "type" not in meta and "soundbites" not in meta
    assert meta["guests"] == [{"name": "Ana", "role": "guest"}]
    assert meta["date"] == NOW
    # a length of 0 is directory policy: the build warns at the line the host has to fix,
    # `build --strict` refuses it there; fixed, it builds without the warning
    path = tmp_path / "show" / "episodes" / "001-episode-1" / "episode.md"
    warned = build(tmp_path / "show")
    assert any(p.rule == "IT-ENC-4" and p.where.path == path for p in warned.warnings)
    with pytest.raises(CastnotesError, match=r"enclosure length is 0") as caught:
        build(tmp_path / "show", BuildOptions(strict=True))
    assert any(p.where.path == path for p in caught.value.problems if p.severity == "error")
    path.write_text(path.read_text().replace("length: 0", "length: 48213"))
    assert not any(p.rule == "IT-ENC-4" for p in build(tmp_path / "show").warnings)


# --- idempotence, limits, the ledger, no half-writes -------------------------------------------

def test_second_import_adds_only_new_items_and_keeps_edits(tmp_path: Path) -> None:
    old = [item(2, "https://cdn.example/2.mp3"), item(1, "https://cdn.example/1.mp3")]
    feed = write_feed(tmp_path, rss(old))
    show = tmp_path / "show"
    import_show(str(feed), show, opener=offline, now=NOW)
    edited = show / "episodes" / "001-episode-1" / "episode.md"
    edited.write_text(edited.read_text().replace("Notes.", "My own, better notes."))
    before = tree_digest(show)
    again = import_show(str(feed), show, opener=offline, now=NOW)
    assert again.created == () and tree_digest(show) == before
    assert {o.status for o in again.outcomes} == {"present"}
    write_feed(tmp_path, rss([item(3, "https://cdn.example/3.mp3")] + old))
    third = import_show(str(feed), show, opener=offline, now=NOW)
    assert third.created == ("003-episode-3",)
    assert "My own, better notes." in edited.read_text()
    ledger = load_ledger(show)
    assert sorted(ledger.latest) == ["ep-1", "ep-2", "ep-3"] and ledger.lines == 3


def test_limit_imports_the_newest_and_a_later_run_the_rest(tmp_path: Path) -> None:
    feed = write_feed(tmp_path, rss([item(n, f"https://cdn.example/{n}.mp3", guid=None)
                                     for n in (3, 2, 1)]))
    show = tmp_path / "show"
    result = run_cli("import", str(feed), "--into", str(show), "--limit", "1")
    assert result.exit_code == 0 and "2 left for a later run" in result.output
    assert folders(show) == ["003-episode-3"]
    import_show(str(feed), show, opener=offline, now=NOW)
    assert folders(show) == ["001-episode-1", "002-episode-2", "003-episode-3"]


def test_the_ledger_is_seeded_with_every_imported_episode(tmp_path: Path) -> None:
    feed = write_feed(tmp_path, rss([item(1, "https://cdn.example/1.mp3")]))
    import_show(str(feed), tmp_path / "show", opener=offline, now=NOW)
    [entry] = load_ledger(tmp_path / "show").latest.values()
    assert (entry.guid, entry.slug, entry.kind) == ("ep-1", "episode-1", "imported")
    assert entry.url == "https://cdn.example/1.mp3"
    assert datetime.fromisoformat(entry.date) == datetime(2025, 6, 1, 4, 30, tzinfo=timezone.utc)


def test_a_failure_at_the_end_removes_everything_this_run_wrote(tmp_path: Path, monkeypatch) -> None:
    feed = write_feed(tmp_path, rss([item(2, "https://cdn.example/2.mp3"),
                                     item(1, "https://cdn.example/1.mp3")]))
    show = tmp_path / "show"
    (show / "episodes" / "000-mine").mkdir(parents=True)
    (show / "episodes" / "000-mine" / "episode.md").write_text("---\nguid: mine\n---\nHi\n")
    before = tree_digest(show)

    def disk_full(root: Path, entries: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(importer, "append_entries", disk_full)
    with pytest.raises(OSError):
        import_show(str(feed), show, opener=offline, now=NOW)
    assert tree_digest(show) == before


def test_import_into_an_existing_show_leaves_its_settings(make_show, tmp_path: Path) -> None:
    show = make_show()
    settings = (show / "castnotes.toml").read_text()
    feed = write_feed(tmp_path, rss([item(1, "https://cdn.example/1.mp3")]))
    with pytest.raises(CastnotesError, match="this folder already holds another show: title"):
        import_show(str(feed), show, opener=offline, now=NOW)
    result = import_show(str(feed), show, importer.ImportOptions(merge=True), opener=offline, now=NOW)
    assert not result.settings_written and (show / "castnotes.toml").read_text() == settings
    assert result.new_feed_url == "https://test.example/feed.xml"
    [folder] = result.created
    assert folder == "001-episode-1"
    build(show)


def test_settings_written_from_the_channel(tmp_path: Path) -> None:
    feed = write_feed(tmp_path, rss([item(1, "https://cdn.example/1.mp3")]))
    import_show(str(feed), tmp_path / "show", opener=offline, now=NOW)
    import tomllib

    show = tomllib.loads((tmp_path / "show" / "castnotes.toml").read_text())["show"]
    assert show == {
        "title": "Moving Day", "description": "A show that **moves**.", "url": "https://old.example/show/",
        "language": "en-gb", "author": "Mo Ver", "owner": {"name": "Mo Ver", "email": "mo@old.example"},
        "image": "artwork.png", "categories": ["Society & Culture/Documentary", "Technology"],
        "explicit": False, "type": "episodic",
    }
    from PIL import Image

    with Image.open(tmp_path / "show" / "artwork.png") as placeholder:  # the feed names no artwork
        assert placeholder.size == (1400, 1400)


def test_episode_front_matter_is_what_the_feed_said(tmp_path: Path) -> None:
    extra = ("<itunes:season>2</itunes:season><itunes:episodeType>bonus</itunes:episodeType>"
             "<itunes:explicit>yes</itunes:explicit><itunes:subtitle>A short one.</itunes:subtitle>"
             '<itunes:image href="https://cdn.example/art/1.jpg"/>'
             "<itunes:keywords>moving, boxes</itunes:keywords>"
             '<podcast:chapters url="https://cdn.example/1.json" type="application/json+chapters"/>'
             '<podcast:transcript url="https://cdn.example/1.vtt" type="text/vtt" language="en"/>'
             '<podcast:person href="https://mo.example" img="https://mo.example/me.jpg">'
             "Mo Ver</podcast:person>"
             '<podcast:soundbite startTime="1" duration="1.5">Best bit</podcast:soundbite>')
    feed = write_feed(tmp_path, rss([item(1, "https://cdn.example/1.mp3", extra=extra)]))
    import_show(str(feed), tmp_path / "show", opener=offline, now=NOW)
    path = tmp_path / "show" / "episodes" / "001-episode-1" / "episode.md"
    text = path.read_text()
    assert text.startswith("---\n# Imported from ")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta == {
        "title": "Episode 1", "date": datetime(2025, 6, 1, 4, 30, tzinfo=timezone.utc), "guid": "ep-1",
        "number": 1, "season": 2, "type": "bonus", "explicit": True, "summary": "A short one.",
        "image": "https://cdn.example/art/1.jpg",
        "audio": {"url": "https://cdn.example/1.mp3", "length": 1000, "type": "audio/mpeg", "duration": 3},
        "chapters": "https://cdn.example/1.json",
        "transcript": [{"url": "https://cdn.example/1.vtt", "type": "text/vtt", "language": "en"}],
        "guests": [{"name": "Mo Ver", "role": "host", "img": "https://mo.example/me.jpg",
                    "href": "https://mo.example"}],
        "soundbites": [{"start": 1, "duration": 1.5, "title": "Best bit"}],
        "categories": ["moving", "boxes"],
    }
    assert text.endswith("---\nNotes.\n")


def test_cli_import_needs_a_source() -> None:
    result = run_cli("import")
    assert result.exit_code == 2 and "Missing argument 'FEED_OR_URL'" in result.output


def test_settings_from_an_unusual_channel(tmp_path: Path) -> None:
    channel = ('<title>Quotes "and" \\backslashes</title>\n'
               '<description>Line one\n\nA """triple""" quote</description>\n'
               "<language>English</language>\n"
               '<itunes:category text="Health"/><itunes:category text="technology"/>\n'
               "<itunes:type>bogus</itunes:type>\n"
               "<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>\n"
               '<podcast:funding url="http://fund.example">Support</podcast:funding>\n'
               "<itunes:new-feed-url>https://elsewhere.example/feed.xml</itunes:new-feed-url>\n")
    feed = write_feed(tmp_path, rss([item(1, "https://cdn.example/1.mp3")], channel))
    result = import_show(str(feed), tmp_path / "show", opener=offline, now=NOW)
    import tomllib

    show = tomllib.loads((tmp_path / "show" / "castnotes.toml").read_text())["show"]
    assert show["title"] == 'Quotes "and" \\backslashes'
    assert show["description"] == 'Line one\n\nA """triple""" quote\n'
    assert (show["language"], show["categories"], show["type"]) == ("en", ["Health & Fitness", "Technology"],
                                                                     "episodic")
    assert show["url"] == "https://example.com/"
    assert show["guid"] == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert "funding" not in show, "plain http funding is refused by castnotes, so it is left out"
    messages = "\n".join(p.message for p in result.problems)
    for expected in ("the feed's language 'English' is not an ISO 639 code; using 'en'",
                     "category 'Health' is Apple's name from before 2019; castnotes.toml says 'Health & Fitness'",
                     "the feed's itunes:type 'bogus' is not episodic or serial",
                     "podcast:funding is not carried over: funding[0].url: must use https",
                     "the feed names no owner email",
                     "the old feed sends its subscribers to another address already (itunes:new-feed-url "
                     "https://elsewhere.example/feed.xml)",
                     "castnotes.toml names a placeholder, artwork.png: the old feed names no show artwork"):
        assert expected in messages


def test_download_progress_bars_on_a_terminal(capsys) -> None:
    from castnotes.cli.progress import DownloadBars as _DownloadBars

    bars = _DownloadBars()
    for done in (0, 500, 1000):
        bars("001-first", done, 1000)
    bars("002-second", 10, None)
    bars.finish()
    assert "001-first" in capsys.readouterr().err


def test_a_season_name_castnotes_refuses_is_left_out_not_fatal(tmp_path: Path) -> None:
    """The season names go through castnotes.toml's own reader: one over 128 characters is a
    warning, and the castnotes.toml written still loads."""
    long_name = "Packing " * 20
    extra = f'<itunes:season>2</itunes:season><podcast:season name="{long_name}">2</podcast:season>'
    feed = write_feed(tmp_path, rss([item(1, "https://cdn.example/1.mp3", extra=extra)]))
    result = import_show(str(feed), tmp_path / "show", opener=offline, now=NOW)
    assert [p.message for p in result.problems if p.message.startswith("podcast:season names is not carried over")]
    assert "seasons" not in (tmp_path / "show" / "castnotes.toml").read_text(encoding="utf-8")


def test_podcasting_values_move_with_the_show(tmp_path: Path) -> None:
    """Podcasting 2.0 tags castnotes publishes are carried over, and the new feed carries them again."""
    channel = CHANNEL + """
<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>
<podcast:locked owner="mo@old.example">yes</podcast:locked>
<podcast:funding url="https://fund.example/mo">Buy us a coffee</podcast:funding>
<podcast:person href="https://mo.example" img="https://mo.example/me.jpg">Mo Ver</podcast:person>
<podcast:license>CC-BY-4.0</podcast:license>
<podcast:medium>podcast</podcast:medium>
<podcast:location geo="geo:51.5,-0.12" osm="R65606">London</podcast:location>
<podcast:txt purpose="verify">S6lpp-7ZCn8-dZfGc-OoyaG</podcast:txt>
<podcast:podroll><podcast:remoteItem feedGuid="917393e3-1b1e-5cef-ace4-edaa54e1f811"/></podcast:podroll>
<podcast:block id="google">yes</podcast:block>
<itunes:block>yes</itunes:block>
<podcast:updateFrequency rrule="FREQ=WEEKLY;BYDAY=MO">Every Monday</podcast:updateFrequency>
<itunes:complete>yes</itunes:complete>
"""
    extra = ('<itunes:season>2</itunes:season><podcast:season name="Packing up">2</podcast:season>'
             '<podcast:funding url="https://fund.example/ep1">This one</podcast:funding>'
             '<podcast:license url="https://old.example/license">my-license</podcast:license>'
             '<podcast:location>Dover</podcast:location>')
    feed = write_feed(tmp_path, rss([item(1, "https://cdn.example/1.mp3", extra=extra)], channel))
    show = tmp_path / "show"
    result = import_show(str(feed), show, opener=offline, now=NOW)
    assert not [p.message for p in result.problems if "not carried over" in p.message]
    import tomllib

    settings = tomllib.loads((show / "castnotes.toml").read_text())["show"]
    assert settings["guid"] == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert settings["locked"] is True and settings["complete"] is True
    assert settings["funding"] == [{"url": "https://fund.example/mo", "text": "Buy us a coffee"}]
    assert settings["hosts"] == [{"name": "Mo Ver", "role": "host", "href": "https://mo.example",
                                  "img": "https://mo.example/me.jpg"}]
    assert (settings["license"], settings["medium"]) == ("CC-BY-4.0", "podcast")
    assert settings["location"] == [{"name": "London", "geo": "geo:51.5,-0.12", "osm": "R65606"}]
    assert settings["txt"] == [{"value": "S6lpp-7ZCn8-dZfGc-OoyaG", "purpose": "verify"}]
    assert settings["podroll"] == [{"feed_guid": "917393e3-1b1e-5cef-ace4-edaa54e1f811"}]
    assert settings["block"] == ["google", "apple"]
    assert settings["update_frequency"] == {"text": "Every Monday", "rrule": "FREQ=WEEKLY;BYDAY=MO"}
    assert settings["seasons"] == {"2": "Packing up"}
    meta = front_matter(show / "episodes" / "001-episode-1" / "episode.md")
    assert meta["funding"] == [{"url": "https://fund.example/ep1", "text": "This one"}]
    assert meta["license"] == {"name": "my-license", "url": "https://old.example/license"}
    assert meta["location"] == [{"name": "Dover"}]
    build(show)
    from feeds import xpath
    from lxml import etree

    built = etree.fromstring((show / "site" / "feed.xml").read_bytes())
    assert xpath(built, "string(/rss/channel/podcast:guid)") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert xpath(built, "string(/rss/channel/podcast:funding/@url)") == "https://fund.example/mo"
    assert xpath(built, "string(//item/podcast:funding/@url)") == "https://fund.example/ep1"
    assert xpath(built, "string(//item/podcast:season/@name)") == "Packing up"
    assert xpath(built, "string(/rss/channel/itunes:complete)").lower() == "yes"


def test_the_seeded_ledger_guards_the_first_build(tmp_path: Path) -> None:
    """An imported episode whose enclosure URL is edited is refused by the very first build."""
    feed = write_feed(tmp_path, rss([item(1, "https://cdn.example/1.mp3")]))
    show = tmp_path / "show"
    import_show(str(feed), show, opener=offline, now=NOW)
    build(show)
    path = show / "episodes" / "001-episode-1" / "episode.md"
    path.write_text(path.read_text().replace("https://cdn.example/1.mp3", "https://new.example/1.mp3"))
    with pytest.raises(CastnotesError, match="enclosure URL https://cdn.example/1.mp3 -> https://new.example/1.mp3"):
        build(show)
