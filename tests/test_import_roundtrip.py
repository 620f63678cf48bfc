"""`import` then `build` keeps every GUID, enclosure URL, length, type, title and date.

Run over every feed in tests/data/feeds/ (parser test fixtures and invented feeds laid out as
real hosts write them; see tests/data/SOURCES.md)
and over the demo show's own feed. Each corpus feed is either imported and compared
item by item, or refused with one of the clear messages listed below.
"""

from __future__ import annotations

import importlib.util
import re
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import pytest
from conftest import FEEDS, copy_demo, data_feeds, run_cli
from httpserver import FileServer, serve
from roundtrip import compare_feeds

from castnotes.commands.build import build
from castnotes.commands.importer import import_show
from castnotes.errors import CastnotesError

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
FEED_NAMES = [p.name for p in data_feeds()]

# Feeds castnotes refuses, and the message that says why.
NO_ITEMS = "the feed has no episodes"
NOTHING = "nothing to import"
REFUSED = {
    "podcastparser-atom_relative_cover.rss": NO_ITEMS,
    "podcastparser-channel_description.rss": NO_ITEMS,
    "podcastparser-channel_summary_and_description.rss": NO_ITEMS,
    "podcastparser-explicit_feed.rss": NO_ITEMS,
    "podcastparser-image_url_on_newline.rss": NO_ITEMS,
    "podcastparser-itunes_categories.rss": NO_ITEMS,
    "podcastparser-itunes_keywords.rss": NO_ITEMS,
    "podcastparser-itunes_owner.rss": NO_ITEMS,
    "podcastparser-language.rss": NO_ITEMS,
    "podcastparser-paged_feed.rss": NO_ITEMS,
    "podcastparser-podcast_locked_feed.rss": NO_ITEMS,
    "podcastparser-atom_content_encoded.rss": NOTHING,  # an Atom entry without an enclosure
    "podcastparser-duration.rss": NOTHING,  # no enclosure
    "podcastparser-itunes_duration.rss": NOTHING,
    "podcastparser-itunes_subtitle.rss": NOTHING,
    "podcastparser-media_episode_thumbnail_atom.rss": NOTHING,
    "podcastparser-media_episode_thumbnail_group.rss": NOTHING,
    "podcastparser-no_enclosure.rss": NOTHING,  # relative enclosure URLs in a saved file
    "podcastparser-relative.rss": NOTHING,
}


SERVER_SIZE = 4321  # what "the internet" answers to HEAD for an enclosure the feed gave no length


def offline(request: object) -> object:
    """Behaves like a machine without network: tests never reach the internet."""
    raise urllib.error.URLError("no network in tests")


def routed_to(server: FileServer) -> Callable[[urllib.request.Request], Any]:
    """An opener that sends every request, whatever its host, to the local test server."""

    def opener(request: urllib.request.Request) -> Any:
        parts = urlsplit(request.full_url)
        local = server.url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return urllib.request.urlopen(urllib.request.Request(local, method=request.get_method(),
                                                             headers=dict(request.header_items())), timeout=10)

    return opener


@pytest.fixture(scope="module")
def internet():
    """A stand-in for the hosts a corpus feed names: sizes for HEAD, nothing else."""
    with serve({}) as server:
        server.any_size = SERVER_SIZE
        yield server


def test_corpus_is_present() -> None:
    assert len(FEED_NAMES) >= 40
    assert set(REFUSED) <= set(FEED_NAMES)


def test_hosted_feeds_are_what_their_script_writes() -> None:
    """tests/data/feeds/hosted-*.xml are generated: the committed copies may not drift from the script."""
    spec = importlib.util.spec_from_file_location("make_hosted_feeds", FEEDS / "make_hosted_feeds.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, make in module.FEEDS.items():
        assert (FEEDS / name).read_text(encoding="utf-8") == make(), (
            f"{name} differs from what make_hosted_feeds.py writes: run `python {FEEDS / 'make_hosted_feeds.py'}`")


@pytest.mark.parametrize("name", FEED_NAMES)
def test_corpus_feed_round_trip(name: str, tmp_path: Path, internet: FileServer) -> None:
    source = FEEDS / name
    show = tmp_path / "show"
    if name in REFUSED:
        with pytest.raises(CastnotesError) as caught:
            import_show(str(source), show, opener=routed_to(internet), now=NOW)
        errors = [p for p in caught.value.problems if p.severity == "error"]
        assert len(errors) == 1 and REFUSED[name] in errors[0].message
        assert errors[0].where.path == source.resolve()
        assert not show.exists(), "a refused import must write nothing"
        return
    result = import_show(str(source), show, opener=routed_to(internet), now=NOW)
    assert result.created and result.settings_written
    if "categories" not in (show / "castnotes.toml").read_text():  # directory policy: named, not fatal
        assert any("the old feed names no Apple category" in p.message for p in result.problems)
    build(show)  # no edit (issue 11): directory policy is a warning in build
    compared = compare_feeds(source.read_bytes(), show / "site" / "feed.xml", result, server_size=SERVER_SIZE)
    assert compared == len(result.created)


def test_corpus_real_feed_keeps_everything(tmp_path: Path) -> None:
    """A feed laid out as ART19 writes one (24 episodes, podtrac prefixes) moves whole."""
    source = FEEDS / "hosted-art19-serial.xml"
    result = import_show(str(source), tmp_path / "show", opener=offline, now=NOW)
    assert len(result.created) == 24
    assert not [o for o in result.outcomes if o.status != "imported"]
    text = (tmp_path / "show" / "castnotes.toml").read_text()
    assert 'title = "The Gaslight Almanac"' in text and 'type = "serial"' in text
    assert 'categories = ["Fiction/Drama", "History", "Government"]' in text
    assert 'owner = { name = "Lantern Studio / Example Audio", email = "almanac@studio.example" }' in text


def test_demo_feed_round_trip(tmp_path: Path) -> None:
    """Build the demo, import its feed into an empty folder, build that: the items agree."""
    demo = copy_demo(tmp_path / "demo")
    assert run_cli("build", show=demo).exit_code == 0
    feed = demo / "site" / "feed.xml"
    show = tmp_path / "moved"
    result = import_show(str(feed), show, opener=offline, now=NOW)
    assert [o.status for o in result.outcomes] == ["imported"] * len(result.outcomes)
    build(show)
    assert compare_feeds(feed.read_bytes(), show / "site" / "feed.xml", result) == len(result.outcomes)
    # the notes came along as Markdown, links and lists intact
    notes = "\n".join(p.read_text() for p in (show / "episodes").glob("*/episode.md"))
    assert re.search(r"^1\. \*\*", notes, re.M), "numbered takeaways with bold lead-ins"
    assert "](https://" in notes
    settings = (show / "castnotes.toml").read_text()
    assert 'title = "The Connection Hour"' in settings
    assert 'url = "https://connectionhour.example/"' in settings
    assert 'categories = ["Health & Fitness/Mental Health", "Society & Culture/Relationships"]' in settings
