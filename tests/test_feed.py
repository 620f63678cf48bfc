"""The podcast feed, read back by feedparser, podcastparser and XPath, field by field."""

from __future__ import annotations

import email.utils
import shutil
from datetime import datetime, timezone
from pathlib import Path

import mutagen
from conftest import ShowMaker, run_cli
from feeds import parse_all, xpath


def build(show: Path, *args: str) -> Path:
    result = run_cli("build", *args, show=show)
    assert result.exit_code == 0, result.output
    return show / "site" / "feed.xml"


def test_channel_fields(make_show: ShowMaker) -> None:
    show = make_show(settings={"show": {
        "categories": ["Health & Fitness/Mental Health", "Society & Culture/Relationships", "Education"],
        "copyright": "© 2026 Tess", "type": "serial", "explicit": True}})
    fp, pp, tree = parse_all(build(show), "https://test.example/feed.xml")
    channel = xpath(tree, "/rss/channel")[0]
    assert tree.get("version") == "2.0"
    assert fp.feed.title == pp["title"] == "Test Show"
    assert fp.feed.link == pp["link"] == "https://test.example/"
    assert xpath(channel, "atom:link[@rel='self']/@href") == ["https://test.example/feed.xml"]
    assert xpath(channel, "atom:link[@rel='self']/@type") == ["application/rss+xml"]
    assert fp.feed.language == "en"
    assert fp.feed.rights == "© 2026 Tess"
    assert pp["itunes_owner"] == {"name": "Tess Ter", "email": "tess@test.example"}
    assert fp.feed.author == "Tess Ter"
    assert pp["itunes_categories"] == [["Health & Fitness", "Mental Health"],
                                       ["Society & Culture", "Relationships"], ["Education"]]
    assert xpath(channel, "itunes:explicit/text()") == ["true"]
    assert pp["explicit"] is True
    assert pp["type"] == "serial"
    assert xpath(channel, "generator/text()")[0].startswith("castnotes ")
    image = xpath(channel, "itunes:image/@href")[0]
    assert image.startswith("https://test.example/artwork-") and image.endswith(".jpg")
    assert pp["cover_url"] == image
    # lastBuildDate is the newest episode's date, not the build time
    assert xpath(channel, "lastBuildDate/text()") == ["Mon, 12 Jan 2026 06:00:00 +0000"]
    raw = (show / "site" / "feed.xml").read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<rss')
    assert b"<description><![CDATA[<p>A show for tests.</p>]]></description>" in raw


def test_items_agree_with_sources(make_show: ShowMaker) -> None:
    show = make_show()
    fp, pp, tree = parse_all(build(show), "https://test.example/feed.xml")
    assert [e.title for e in fp.entries] == ["Second wind", "First steps"]  # newest first
    expected = {
        "0b6e7c52-0001-4a0e-9e0e-000000000001": ("First steps", "first", "001-first/audio.mp3", "audio/mpeg",
                                                 datetime(2026, 1, 5, 6, tzinfo=timezone.utc)),
        "0b6e7c52-0002-4a0e-9e0e-000000000002": ("Second wind", "second", "002-second/audio.m4a",
                                                 "audio/x-m4a", datetime(2026, 1, 12, 6, tzinfo=timezone.utc)),
    }
    by_guid = {e["guid"]: e for e in pp["episodes"]}
    for entry in fp.entries:
        title, slug, audio, mime, date = expected[entry.id]
        audio_path = show / "episodes" / audio
        url = f"https://test.example/media/{slug}/{audio_path.name}"
        episode = by_guid[entry.id]
        assert entry.title == episode["title"] == title
        assert entry.link == episode["link"] == f"https://test.example/episodes/{slug}/"
        assert entry.enclosures[0].href == episode["enclosures"][0]["url"] == url
        assert int(entry.enclosures[0].length) == episode["enclosures"][0]["file_size"] \
            == audio_path.stat().st_size
        assert entry.enclosures[0].type == episode["enclosures"][0]["mime_type"] == mime
        assert abs(episode["total_time"] - mutagen.File(audio_path).info.length) <= 1
        assert entry.itunes_duration.isdigit()
        assert email.utils.parsedate_to_datetime(entry.published) == date
        assert episode["published"] == int(date.timestamp())
        # the site copy is the same file (hard link or copy)
        assert (show / "site" / "media" / slug / audio_path.name).read_bytes() == audio_path.read_bytes()
    guids = xpath(tree, "//item/guid")
    assert all(g.get("isPermaLink") == "false" for g in guids)
    assert by_guid["0b6e7c52-0001-4a0e-9e0e-000000000001"]["number"] == 1


def test_descriptions(make_show: ShowMaker) -> None:
    long_body = "Intro with **bold** and [a link](https://example.org/).\n\n## Takeaways\n\n" + "".join(
        f"{i}. **Point {i}.** " + "Friendship takes practice and patience. " * 12 + "\n" for i in range(1, 40))
    show = make_show({"001-long": {
        "meta": {"title": "Long", "date": "2026-01-05", "guid": "g-long", "summary": "A short summary."},
        "body": long_body}})
    fp, pp, tree = parse_all(build(show), "https://test.example/feed.xml")
    description = xpath(tree, "//item/description/text()")[0]
    raw = (show / "site" / "feed.xml").read_text()
    assert "<description><![CDATA[<p>A short summary.</p>" in raw
    assert len(description.encode()) <= 4000
    assert "<strong>" not in description and "<h2" not in description
    assert description.rstrip().endswith(
        '<p><a href="https://test.example/episodes/long/">Read the full takeaways</a></p>')
    content = xpath(tree, "//item/content:encoded/text()")[0]
    assert "<strong>Point 39.</strong>" in content and '<h2 id="takeaways">' in content
    assert pp["episodes"][0]["description_html"].startswith("<p>Intro with <strong>bold</strong>")


def test_episode_links_are_absolute_in_the_feed_and_relative_on_pages(make_show: ShowMaker) -> None:
    show = make_show()
    raw = build(show).read_text()
    assert '<a href="https://test.example/episodes/first/">the first one</a>' in raw
    page = (show / "site" / "episodes" / "second" / "index.html").read_text()
    assert 'href="../../episodes/first/"' in page


def test_item_itunes_fields(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show({
        "010-main": {"meta": {"title": "Main", "date": "2026-02-01", "guid": "g-main", "season": 2,
                              "explicit": True}},
        "011-extra": {"meta": {"title": "Extra", "date": "2026-02-02", "guid": "g-extra", "type": "bonus",
                               "number": 7}},
        "000-trailer": {"meta": {"title": "Trailer", "date": "2026-01-01", "guid": "g-trailer",
                                 "type": "trailer"}},
    })
    shutil.copyfile(media["cover"], show / "episodes" / "010-main" / "cover.jpg")
    fp, pp, tree = parse_all(build(show), "https://test.example/feed.xml")
    items = {xpath(i, "guid/text()")[0]: i for i in xpath(tree, "//item")}
    main = items["g-main"]
    assert xpath(main, "itunes:episode/text()") == ["10"]
    assert xpath(main, "itunes:season/text()") == ["2"]
    assert xpath(main, "itunes:episodeType/text()") == ["full"]
    assert xpath(main, "itunes:explicit/text()") == ["true"]
    assert xpath(main, "itunes:image/@href") == ["https://test.example/episodes/main/cover.jpg"]
    assert xpath(items["g-extra"], "itunes:episode/text()") == ["7"]
    assert xpath(items["g-extra"], "itunes:episodeType/text()") == ["bonus"]
    assert xpath(items["g-extra"], "itunes:explicit") == []  # same as the channel: left out
    assert xpath(items["g-trailer"], "itunes:episode") == []  # a show trailer has no number
    by_guid = {e["guid"]: e for e in pp["episodes"]}
    assert by_guid["g-trailer"]["type"] == "trailer"
    assert by_guid["g-main"]["season"] == 2
    assert by_guid["g-main"]["episode_art_url"] == "https://test.example/episodes/main/cover.jpg"
    assert (show / "site" / "episodes" / "main" / "cover.jpg").is_file()


def test_media_base_url_and_prefix(make_show: ShowMaker) -> None:
    show = make_show(settings={"media": {"base_url": "https://cdn.example/podcast",
                                         "prefix": "https://op3.dev/e/"}})
    fp, pp, tree = parse_all(build(show), "https://test.example/feed.xml")
    urls = sorted(e.enclosures[0].href for e in fp.entries)
    assert urls == ["https://op3.dev/e/cdn.example/podcast/first/audio.mp3",
                    "https://op3.dev/e/cdn.example/podcast/second/audio.m4a"]
    assert not (show / "site" / "media").exists()  # hosted elsewhere: not copied


def test_prefix_on_local_media(make_show: ShowMaker) -> None:
    show = make_show(settings={"media": {"prefix": "https://dts.podtrac.com/redirect.mp3/"}})
    fp, _, _ = parse_all(build(show), "https://test.example/feed.xml")
    assert fp.entries[1].enclosures[0].href == \
        "https://dts.podtrac.com/redirect.mp3/test.example/media/first/audio.mp3"


def test_remote_audio(make_show: ShowMaker) -> None:
    show = make_show({"001-remote": {
        "meta": {"title": "Remote", "date": "2026-01-05", "guid": "g-1",
                 "audio": {"url": "https://cdn.example/ep1.mp3", "length": 12345678, "type": "audio/mpeg",
                           "duration": 1834.4}},
        "audio": None}})
    fp, pp, _ = parse_all(build(show), "https://test.example/feed.xml")
    episode = pp["episodes"][0]
    assert episode["enclosures"] == [{"url": "https://cdn.example/ep1.mp3", "file_size": 12345678,
                                      "mime_type": "audio/mpeg"}]
    assert episode["total_time"] == 1834


def test_drafts_and_future_episodes(make_show: ShowMaker) -> None:
    show = make_show({
        "001-past": {"meta": {"title": "Past", "date": "2026-01-05", "guid": "g-past"}},
        "002-draft": {"meta": {"title": "Draft", "date": "2026-01-06", "guid": "g-draft", "draft": True}},
        "003-future": {"meta": {"title": "Future", "date": "2999-01-01", "guid": "g-future"}},
    })
    fp, _, _ = parse_all(build(show), "https://test.example/feed.xml")
    assert [e.id for e in fp.entries] == ["g-past"]
    assert not (show / "site" / "episodes" / "draft").exists()
    fp, _, _ = parse_all(build(show, "--drafts", "--future"), "https://test.example/feed.xml")
    assert [e.id for e in fp.entries] == ["g-future", "g-draft", "g-past"]


def test_base_url_option(make_show: ShowMaker) -> None:
    show = make_show()
    fp, _, _ = parse_all(build(show, "--base-url", "https://staging.example/pod"),
                         "https://staging.example/pod/feed.xml")
    assert fp.feed.link == "https://staging.example/pod/"
    assert fp.entries[0].enclosures[0].href.startswith("https://staging.example/pod/media/")


def test_timezone_applies_to_dates_without_offset(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-07-01 09:30", "guid": "g-a"}}},
                     settings={"show": {"timezone": "America/New_York"}})
    raw = build(show).read_text()
    assert "<pubDate>Wed, 01 Jul 2026 09:30:00 -0400</pubDate>" in raw
