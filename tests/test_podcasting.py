"""Podcasting 2.0 tags, channel and item, read back with XPath, feedparser and podcastparser.

Each tag is built once with every optional attribute and once without them. Where
podcastparser understands a tag (persons, funding, locked, chapters, transcripts) it
reads a copy of the feed under the legacy namespace URI: see feeds.podcastparser_legacy.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from conftest import ShowMaker, run_cli
from feeds import parse_all, podcastparser_legacy, xpath

from castnotes.model import derive_podcast_guid

URL = "https://test.example/feed.xml"
PEOPLE = '''[sam]
name = "Sam Host"
role = "host"
href = "https://sam.example/"
img = "people/sam.jpg"

[ana]
name = "Dr. Ana Lopez"
href = "https://ana.example/"
img = "https://cdn.example/ana.png"

[lee]
name = "Lee Plain"
'''


def build(show: Path, *args: str) -> Path:
    result = run_cli("build", *args, show=show)
    assert result.exit_code == 0, result.output
    return show / "site" / "feed.xml"


def channel_of(feed: Path):
    _, _, tree = parse_all(feed, URL)
    return xpath(tree, "/rss/channel")[0]


def attrs(element) -> dict[str, str]:
    return dict(element.attrib)


def only(node, path: str):
    found = xpath(node, path)
    assert len(found) == 1, f"{path}: {len(found)} found"
    return found[0]


def add_people(show: Path, media: dict[str, Path]) -> None:
    (show / "people.toml").write_text(PEOPLE, encoding="utf-8")
    (show / "people").mkdir()
    shutil.copyfile(media["cover"], show / "people" / "sam.jpg")


# --- podcast:guid -------------------------------------------------------------------------

@pytest.mark.parametrize("feed_url,guid", [
    ("https://podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
    ("http://mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
    ("mp3s.nashownotes.com/pc20rss.xml/", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
])
def test_podcast_guid_examples_of_the_spec(feed_url: str, guid: str) -> None:
    assert derive_podcast_guid(feed_url) == guid


def test_guid_derived_from_the_feed_url_or_as_set(make_show: ShowMaker) -> None:
    show = make_show()
    channel = channel_of(build(show))
    assert xpath(channel, "podcast:guid/text()") == [derive_podcast_guid("test.example/feed.xml")]
    assert uuid.UUID(xpath(channel, "podcast:guid/text()")[0]).version == 5
    show = make_show(settings={"show": {"guid": "917393e3-1b1e-5cef-ace4-edaa54e1f810"}})
    assert xpath(channel_of(build(show)), "podcast:guid/text()") == ["917393e3-1b1e-5cef-ace4-edaa54e1f810"]


# --- channel, every optional attribute ----------------------------------------------------

FULL_SHOW = {
    "locked": True,
    "funding": [{"url": "https://support.test.example/", "text": "Support the show"},
                {"url": "https://ko-fi.example/test"}],
    "hosts": ["sam", {"name": "Co Host", "role": "co-host", "href": "https://co.example/"}],
    "license": {"name": "my-show-license-v1", "url": "https://test.example/license/"},
    "medium": "podcast",
    "location": [{"name": "Austin, TX", "geo": "geo:30.2672,97.7431", "osm": "R113314", "rel": "creator",
                  "country": "US"}, {"name": "Somewhere"}],
    "txt": [{"value": "S6lpp-7ZCn8", "purpose": "verify"}, {"value": "plain token"}],
    "podroll": [{"feed_guid": "917393e3-1b1e-5cef-ace4-edaa54e1f810", "feed_url": "https://pc20.example/rss",
                 "title": "Podcasting 2.0", "medium": "podcast"},
                {"feed_guid": "9b024349-ccf0-5f69-a609-6b82873eab3c"}],
    "block": ["google", "apple"],
    "update_frequency": {"text": "Every other Monday for 10 episodes", "rrule": "FREQ=WEEKLY;INTERVAL=2;COUNT=10",
                         "dtstart": "2026-01-05T06:00:00Z", "complete": True},
    "new_feed_url": "https://new.example/feed.xml",
    "complete": True,
}


def test_channel_tags_with_every_attribute(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show({
        "000-trailer": {"meta": {"title": "Season two is coming", "date": "2026-01-01", "guid": "g-t",
                                 "type": "trailer", "season": 2}},
        "001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a"}},
    }, settings={"show": FULL_SHOW})
    add_people(show, media)
    feed = build(show)
    channel = channel_of(feed)

    assert attrs(only(channel, "podcast:locked")) == {"owner": "tess@test.example"}
    assert xpath(channel, "podcast:locked/text()") == ["yes"]
    funding = xpath(channel, "podcast:funding")
    assert [(f.get("url"), f.text) for f in funding] == [
        ("https://support.test.example/", "Support the show"), ("https://ko-fi.example/test", None)]
    persons = xpath(channel, "podcast:person")
    sam_img = persons[0].get("img")
    assert sam_img.startswith("https://test.example/people/sam-") and sam_img.endswith(".jpg")
    assert (show / "site" / sam_img.removeprefix("https://test.example/")).read_bytes() == \
        media["cover"].read_bytes()
    assert [(p.text, attrs(p)) for p in persons] == [
        ("Sam Host", {"role": "host", "group": "cast", "img": sam_img, "href": "https://sam.example/"}),
        ("Co Host", {"role": "co-host", "group": "cast", "href": "https://co.example/"})]
    assert (only(channel, "podcast:license").text, attrs(only(channel, "podcast:license"))) == \
        ("my-show-license-v1", {"url": "https://test.example/license/"})
    assert xpath(channel, "podcast:medium/text()") == ["podcast"]
    places = xpath(channel, "podcast:location")
    assert [(p.text, attrs(p)) for p in places] == [
        ("Austin, TX", {"rel": "creator", "geo": "geo:30.2672,97.7431", "osm": "R113314", "country": "us"}),
        ("Somewhere", {})]
    assert [(t.text, attrs(t)) for t in xpath(channel, "podcast:txt")] == [
        ("S6lpp-7ZCn8", {"purpose": "verify"}), ("plain token", {})]
    trailer = only(channel, "podcast:trailer")
    assert trailer.text == "Season two is coming"
    assert attrs(trailer) == {
        "pubdate": "Thu, 01 Jan 2026 00:00:00 +0000",
        "url": "https://test.example/media/trailer/audio.mp3",
        "length": str((show / "episodes" / "000-trailer" / "audio.mp3").stat().st_size),
        "type": "audio/mpeg", "season": "2"}
    remote = xpath(channel, "podcast:podroll/podcast:remoteItem")
    assert [attrs(r) for r in remote] == [
        {"feedGuid": "917393e3-1b1e-5cef-ace4-edaa54e1f810", "feedUrl": "https://pc20.example/rss",
         "title": "Podcasting 2.0", "medium": "podcast"},
        {"feedGuid": "9b024349-ccf0-5f69-a609-6b82873eab3c"}]
    assert [(b.text, attrs(b)) for b in xpath(channel, "podcast:block")] == [
        ("yes", {"id": "google"}), ("yes", {"id": "apple"})]
    assert xpath(channel, "itunes:block/text()") == ["Yes"]  # apple is in the list
    frequency = only(channel, "podcast:updateFrequency")
    assert frequency.text == "Every other Monday for 10 episodes"
    assert attrs(frequency) == {"complete": "true", "dtstart": "2026-01-05T06:00:00Z",
                                "rrule": "FREQ=WEEKLY;INTERVAL=2;COUNT=10"}
    assert xpath(channel, "itunes:new-feed-url/text()") == ["https://new.example/feed.xml"]
    assert xpath(channel, "itunes:complete/text()") == ["Yes"]
    image = only(channel, "podcast:image")
    assert attrs(image) == {"href": xpath(channel, "itunes:image/@href")[0], "aspect-ratio": "1/1",
                            "width": "1400", "height": "1400", "type": "image/jpeg"}

    fp, pp, _ = parse_all(feed, URL)
    assert pp["new_url"] == "https://new.example/feed.xml"
    assert fp.feed["podcast_guid"] == xpath(channel, "podcast:guid/text()")[0]
    legacy = podcastparser_legacy(feed, URL)
    assert legacy["funding_url"] == "https://ko-fi.example/test"  # podcastparser keeps the last one
    assert legacy["import_prohibited"] is True


def test_channel_tags_without_optional_attributes(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show({
        "000-trailer": {"meta": {"title": "Coming soon", "date": "2026-01-01", "guid": "g-t", "type": "trailer"}},
        "001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a"}},
    }, settings={"show": {
        "locked": False, "hosts": ["lee"], "license": "cc-by-4.0", "location": {"name": "Berlin"},
        "block": True, "update_frequency": {"text": "Now and then"}, "medium": "music"}})
    add_people(show, media)
    settings = (show / "castnotes.toml").read_text().replace('owner = { name = "Tess Ter", '
                                                            'email = "tess@test.example" }\n', "")
    (show / "castnotes.toml").write_text(settings)
    channel = channel_of(build(show))
    assert attrs(only(channel, "podcast:locked")) == {}  # no owner email to name
    assert xpath(channel, "podcast:locked/text()") == ["no"]
    assert [(p.text, attrs(p)) for p in xpath(channel, "podcast:person")] == [
        ("Lee Plain", {"role": "host", "group": "cast"})]  # a registry guest named as host hosts
    assert (only(channel, "podcast:license").text, attrs(only(channel, "podcast:license"))) == \
        ("CC-BY-4.0", {})
    assert xpath(channel, "podcast:medium/text()") == ["music"]
    assert [(p.text, attrs(p)) for p in xpath(channel, "podcast:location")] == [("Berlin", {})]
    assert [(b.text, attrs(b)) for b in xpath(channel, "podcast:block")] == [("yes", {})]
    assert xpath(channel, "itunes:block/text()") == ["Yes"]
    assert (only(channel, "podcast:updateFrequency").text,
            attrs(only(channel, "podcast:updateFrequency"))) == ("Now and then", {})
    trailer = only(channel, "podcast:trailer")
    assert trailer.text == "Coming soon" and "season" not in attrs(trailer)
    for absent in ("podcast:funding", "podcast:txt", "podcast:podroll", "itunes:new-feed-url",
                   "itunes:complete"):
        assert xpath(channel, absent) == [], absent


def test_no_podcasting_settings_gives_only_guid_and_image(make_show: ShowMaker) -> None:
    channel = channel_of(build(make_show()))
    names = [e.tag.split("}")[1] for e in channel if e.tag.startswith("{https://podcastindex.org/")]
    assert names == ["guid", "image"]
    assert xpath(channel, "itunes:block") == xpath(channel, "itunes:complete") == []


def test_block_list_without_apple_leaves_itunes_block_out(make_show: ShowMaker) -> None:
    channel = channel_of(build(make_show(settings={"show": {"block": ["spotify"]}})))
    assert [(b.text, attrs(b)) for b in xpath(channel, "podcast:block")] == [("yes", {"id": "spotify"})]
    assert xpath(channel, "itunes:block") == []


# --- items -------------------------------------------------------------------------------

def test_item_tags_with_every_attribute(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show({"001-full": {"meta": {
        "title": "Full", "date": "2026-01-05", "guid": "g-full", "season": 3, "number": 12,
        "guests": ["ana", {"id": "lee", "role": "co-host"},
                   {"name": "Max Muster", "role": "Guest", "group": "Cast", "href": "https://max.example/",
                    "img": "max.png"}],
        "soundbites": [{"start": "0:01", "duration": 1.5, "title": "The best bit"}],
        "funding": [{"url": "https://fund.example/ep", "text": "Fund this episode"}],
        "sponsors": [{"name": "Acme", "url": "https://acme.example/", "text": "Acme makes things."}],
        "license": "CC-BY-SA-4.0",
        "location": {"name": "Dreamworld (Queensland)", "geo": "geo:-27.86159,153.3169", "osm": "W43678282",
                     "rel": "subject", "country": "au"},
        "chapters": [{"start": 0, "title": "Hello"}],
        "transcript": [{"file": "words.vtt", "language": "de"},
                       {"url": "https://cdn.example/t.srt", "type": "application/x-subrip",
                        "language": "fr", "rel": "captions"}],
    }}}, settings={"show": {"hosts": ["sam"], "seasons": {"3": "The third one"}}})
    add_people(show, media)
    from PIL import Image

    Image.new("RGB", (300, 300), (10, 20, 30)).save(show / "episodes" / "001-full" / "max.png")
    (show / "episodes" / "001-full" / "words.vtt").write_text(
        "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHallo.\n", encoding="utf-8")
    feed = build(show)
    item = xpath(channel_of(feed), "item")[0]

    assert xpath(item, "podcast:season/text()") == ["3"]
    assert attrs(only(item, "podcast:season")) == {"name": "The third one"}
    assert xpath(item, "podcast:episode/text()") == ["12"]
    persons = [(p.text, attrs(p)) for p in xpath(item, "podcast:person")]
    sam_img = persons[0][1]["img"]
    max_img = persons[3][1]["img"]
    assert persons == [
        ("Sam Host", {"role": "host", "group": "cast", "img": sam_img, "href": "https://sam.example/"}),
        ("Dr. Ana Lopez", {"role": "guest", "group": "cast", "img": "https://cdn.example/ana.png",
                           "href": "https://ana.example/"}),
        ("Lee Plain", {"role": "co-host", "group": "cast"}),
        ("Max Muster", {"role": "guest", "group": "cast", "img": max_img, "href": "https://max.example/"}),
    ]
    assert max_img.startswith("https://test.example/people/max-muster-") and max_img.endswith(".png")
    assert (show / "site" / max_img.removeprefix("https://test.example/")).is_file()
    assert attrs(only(item, "podcast:soundbite")) == {"startTime": "1", "duration": "1.5"}
    assert only(item, "podcast:soundbite").text == "The best bit"
    assert [(f.get("url"), f.text) for f in xpath(item, "podcast:funding")] == [
        ("https://fund.example/ep", "Fund this episode"), ("https://acme.example/", "Acme")]
    assert xpath(item, "podcast:license/text()") == ["CC-BY-SA-4.0"]
    assert attrs(only(item, "podcast:location")) == {
        "rel": "subject", "geo": "geo:-27.86159,153.3169", "osm": "W43678282", "country": "au"}
    assert attrs(only(item, "podcast:chapters")) == {
        "url": "https://test.example/episodes/full/chapters.json", "type": "application/json+chapters"}
    assert [attrs(t) for t in xpath(item, "podcast:transcript")] == [
        {"url": "https://test.example/episodes/full/words.vtt", "type": "text/vtt", "language": "de",
         "rel": "captions"},
        {"url": "https://cdn.example/t.srt", "type": "application/x-subrip", "language": "fr",
         "rel": "captions"}]
    assert (show / "site" / "episodes" / "full" / "words.vtt").is_file()

    legacy = podcastparser_legacy(feed, URL)["episodes"][0]
    assert [(p["name"], p["role"], p["group"]) for p in legacy["persons"]] == [
        ("Sam Host", "host", "cast"), ("Dr. Ana Lopez", "guest", "cast"), ("Lee Plain", "co-host", "cast"),
        ("Max Muster", "guest", "cast")]
    assert legacy["chapters_json_url"] == "https://test.example/episodes/full/chapters.json"
    assert legacy["transcript_url"] in {"https://test.example/episodes/full/words.vtt",
                                        "https://cdn.example/t.srt"}


def test_item_tags_without_optional_attributes(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show({"001-bare": {"meta": {
        "title": "Bare", "date": "2026-01-05", "guid": "g-bare", "number": None, "season": 2,
        "soundbites": [{"start": 1, "duration": 1}],
        "location": {"name": "Online"},
        "license": {"name": "house-rules", "url": "https://test.example/rules"},
        "transcript": [{"url": "https://cdn.example/notes.html"}],
    }}}, settings={"show": {"hosts": ["sam"]}})
    add_people(show, media)
    item = xpath(channel_of(build(show)), "item")[0]
    season = only(item, "podcast:season")
    assert (season.text, attrs(season)) == ("2", {})
    for absent in ("podcast:episode", "podcast:person", "podcast:chapters",
                   "podcast:funding", "podcast:alternateEnclosure", "psc:chapters"):
        assert xpath(item, absent) == [], absent
    bite = only(item, "podcast:soundbite")
    assert (bite.text, attrs(bite)) == (None, {"startTime": "1", "duration": "1"})
    assert (only(item, "podcast:location").text, attrs(only(item, "podcast:location"))) == ("Online", {})
    assert attrs(only(item, "podcast:license")) == {"url": "https://test.example/rules"}
    assert attrs(only(item, "podcast:transcript")) == {
        "url": "https://cdn.example/notes.html", "type": "text/html", "language": "en"}


def test_episode_without_guests_inherits_the_channel_persons(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show(settings={"show": {"hosts": ["sam"]}})
    add_people(show, media)
    feed = build(show)
    channel = channel_of(feed)
    assert xpath(channel, "podcast:person/text()") == ["Sam Host"]
    assert xpath(channel, "item/podcast:person") == []


def test_alternate_enclosures(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show({"001-two": {"meta": {"title": "Two formats", "date": "2026-01-05", "guid": "g-2",
                                            "audio": "episode.mp3"}, "audio": "mp3:episode.mp3"}})
    folder = show / "episodes" / "001-two"
    shutil.copyfile(media["m4a"], folder / "episode.m4a")
    shutil.copyfile(media["wav"], folder / "master.wav")  # not a podcast format: left alone
    feed = build(show)
    item = xpath(channel_of(feed), "item")[0]
    assert xpath(item, "enclosure/@url") == ["https://test.example/media/two/episode.mp3"]
    alternates = xpath(item, "podcast:alternateEnclosure")
    assert len(alternates) == 2
    main, other = (attrs(a) for a in alternates)
    assert main["type"] == "audio/mpeg" and main["default"] == "true"
    assert main["length"] == str((folder / "episode.mp3").stat().st_size)
    assert main["title"].startswith("MP3 ") and main["title"].endswith(" kbps") and int(main["bitrate"]) > 0
    assert other["type"] == "audio/x-m4a" and "default" not in other
    assert other["length"] == str((folder / "episode.m4a").stat().st_size)
    assert other["title"].startswith("AAC ")
    assert [xpath(a, "podcast:source/@uri") for a in alternates] == [
        ["https://test.example/media/two/episode.mp3"], ["https://test.example/media/two/episode.m4a"]]
    assert (show / "site" / "media" / "two" / "episode.m4a").read_bytes() == (folder / "episode.m4a").read_bytes()
    assert not (show / "site" / "media" / "two" / "master.wav").exists()
    fp, pp, _ = parse_all(feed, URL)
    assert len(pp["episodes"][0]["enclosures"]) == 1  # apps without alternateEnclosure see one file


def test_remote_art_any_extension_and_remote_chapters(make_show: ShowMaker) -> None:
    show = make_show({"001-imported": {"meta": {
        "title": "Imported", "date": "2026-01-05", "guid": "g-imp",
        "image": "https://cdn.example/art.jpeg?v=2",
        "chapters": "https://cdn.example/ep1/chapters.json",
    }}})
    feed = build(show)
    item = xpath(channel_of(feed), "item")[0]
    assert xpath(item, "itunes:image/@href") == ["https://cdn.example/art.jpeg?v=2"]  # feedgen would drop it
    assert xpath(item, "podcast:image/@href") == ["https://cdn.example/art.jpeg?v=2"]
    assert attrs(only(item, "podcast:chapters")) == {"url": "https://cdn.example/ep1/chapters.json",
                                                      "type": "application/json+chapters"}
    assert xpath(item, "psc:chapters") == []
    assert not (show / "site" / "episodes" / "imported" / "chapters.json").exists()
    page = (show / "site" / "episodes" / "imported" / "index.html").read_text()
    assert 'src="https://cdn.example/art.jpeg?v=2"' in page
    assert "chapters__list" not in page


def test_http_in_remote_urls_is_a_warning(make_show: ShowMaker) -> None:
    show = make_show({"001-imported": {"meta": {
        "title": "Imported", "date": "2026-01-05", "guid": "g-imp",
        "chapters": "http://old.example/chapters.json",
        "transcript": [{"url": "http://old.example/t.vtt"}],
        "sponsors": [{"name": "Old Sponsor", "url": "http://sponsor.example/"}],
    }}})
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "warning: chapters: 'http://old.example/chapters.json' uses plain http" in result.stderr
    assert "warning: transcript[0].url: 'http://old.example/t.vtt' uses plain http" in result.stderr
    assert "sponsors[0] (Old Sponsor) links to plain http" in result.stderr
    item = xpath(channel_of(show / "site" / "feed.xml"), "item")[0]
    assert xpath(item, "podcast:chapters/@url") == ["http://old.example/chapters.json"]
    assert xpath(item, "podcast:funding") == []  # the http sponsor is on the page only
    assert "http://sponsor.example/" in (show / "site" / "episodes" / "imported" / "index.html").read_text()


def test_guest_pages_show_registry_photos(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a",
                                          "guests": ["sam", "ana"]}}})
    add_people(show, media)
    build(show)
    page = (show / "site" / "episodes" / "a" / "index.html").read_text()
    assert '<img src="../../people/sam-' in page
    assert '<img src="https://cdn.example/ana.png"' in page


def test_long_trailer_title_is_cut_at_a_word(make_show: ShowMaker) -> None:
    title = "A trailer whose title goes on " + "and on " * 30 + "until the end"
    show = make_show({"000-t": {"meta": {"title": title, "date": "2026-01-01", "guid": "g-t", "type": "trailer"}}})
    channel = channel_of(build(show))
    text = only(channel, "podcast:trailer").text
    assert len(text) <= 128 and text.endswith("…") and title.startswith(text[:-1])
    assert title[len(text) - 1] == " "  # cut between words
    assert xpath(channel, "item/title/text()") == [title]  # the item keeps its full title
