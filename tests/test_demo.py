"""The demo show at the repo root: its feed, read by two real parsers, agrees with its sources."""

from __future__ import annotations

import email.utils
from pathlib import Path

import mutagen
import pytest
from conftest import copy_demo, run_cli
from feeds import parse_all

from castnotes.read.frontmatter import parse_datetime, parse_document


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    show = copy_demo(tmp_path_factory.mktemp("demo") / "show")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    return show


def published_folders(show: Path) -> list[Path]:
    folders = []
    for folder in sorted((show / "episodes").iterdir()):
        doc = parse_document((folder / "episode.md").read_text(), folder / "episode.md")
        if not doc.meta.get("draft"):
            folders.append(folder)
    return folders


def test_demo_feed_matches_every_episode_folder(demo: Path) -> None:
    import tomllib
    from zoneinfo import ZoneInfo

    settings = tomllib.loads((demo / "castnotes.toml").read_text())["show"]
    zone = ZoneInfo(settings.get("timezone", "UTC"))
    url = settings["url"]
    fp, pp, _ = parse_all(demo / "site" / "feed.xml", url + "feed.xml")
    folders = published_folders(demo)
    assert len(fp.entries) == len(pp["episodes"]) == len(folders) >= 5
    by_guid_fp = {e.id: e for e in fp.entries}
    by_guid_pp = {e["guid"]: e for e in pp["episodes"]}
    for folder in folders:
        doc = parse_document((folder / "episode.md").read_text(), folder / "episode.md")
        meta = doc.meta
        guid = meta["guid"]
        entry, episode = by_guid_fp[guid], by_guid_pp[guid]
        audio = next(p for p in folder.iterdir() if p.suffix in (".mp3", ".m4a", ".ogg", ".opus", ".flac"))
        info = mutagen.File(audio)
        slug = meta.get("slug") or folder.name.split("-", 1)[1]
        assert entry.title == episode["title"] == (meta.get("title") or str(info.tags["TIT2"]))
        assert entry.link == episode["link"] == f"{url}episodes/{slug}/"
        enclosure_url = f"{url}media/{slug}/{audio.name}"
        assert entry.enclosures[0].href == episode["enclosures"][0]["url"] == enclosure_url
        assert int(entry.enclosures[0].length) == episode["enclosures"][0]["file_size"] == audio.stat().st_size
        mime = {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a"}[audio.suffix]
        assert entry.enclosures[0].type == episode["enclosures"][0]["mime_type"] == mime
        assert abs(episode["total_time"] - info.info.length) <= 1
        assert abs(int(entry.itunes_duration) - info.info.length) <= 1
        date = parse_datetime(meta["date"], zone)
        assert email.utils.parsedate_to_datetime(entry.published) == date
        assert episode["published"] == int(date.timestamp())
        assert (demo / "site" / "media" / slug / audio.name).stat().st_size == audio.stat().st_size


def test_demo_pages_exist(demo: Path) -> None:
    site = demo / "site"
    assert (site / "index.html").is_file()
    slugs = set()
    for folder in published_folders(demo):
        doc = parse_document((folder / "episode.md").read_text(), folder / "episode.md")
        slug = doc.meta.get("slug") or folder.name.split("-", 1)[1]
        slugs.add(slug)
        page = (site / "episodes" / slug / "index.html").read_text()
        assert "<audio" in page and 'preload="none"' in page
    assert {p.parent.name for p in (site / "episodes").glob("*/index.html")} == slugs


def test_demo_uses_the_podcasting_features(demo: Path) -> None:
    """Hosts and guests by id, sponsor and show funding, licence, trailer (chapters and
    transcripts of the demo are checked in test_chapters.py and test_transcripts.py)."""
    from feeds import podcastparser_legacy, xpath

    url = "https://connectionhour.example/feed.xml"
    _, _, tree = parse_all(demo / "site" / "feed.xml", url)
    channel = xpath(tree, "/rss/channel")[0]
    assert [(p.text, p.get("role")) for p in xpath(channel, "podcast:person")] == [("Sam Rivera", "host")]
    assert xpath(channel, "podcast:funding/@url") == ["https://support.connectionhour.example/"]
    assert xpath(channel, "podcast:license/text()") == ["CC-BY-NC-ND-4.0"]
    assert xpath(channel, "podcast:trailer/text()") == ["Welcome to The Connection Hour"]
    legacy = podcastparser_legacy(demo / "site" / "feed.xml", url)
    guests = {e["title"]: [(p["name"], p["role"]) for p in e.get("persons", [])] for e in legacy["episodes"]}
    assert guests["Why We Drift Apart"] == [("Sam Rivera", "host"), ("Dr. Ana Lopez", "guest")]
    assert guests["Friendships That Last"] == [("Sam Rivera", "host"), ("Dr. Ana Lopez", "guest")]
    assert guests["Your Connection Stories"] == []  # no guests: the channel's host applies
    assert legacy["funding_url"] == "https://support.connectionhour.example/"  # it reads channel funding only
    sponsored = [xpath(item, "title/text()")[0] for item in xpath(channel, "item")
                 if xpath(item, "podcast:funding/@url") == ["https://pagewell.example/connection"]]
    assert sorted(sponsored) == ["Compassionate Listening", "Friendships That Last", "Why We Drift Apart"]
    photos = {p.get("img") for p in xpath(tree, "//podcast:person")}
    for photo in photos:
        assert (demo / "site" / photo.removeprefix("https://connectionhour.example/")).is_file()
