"""Large feeds: `[feed] limit` splits the feed into RFC 5005 paged documents."""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import podcastparser
from conftest import ShowMaker, run_cli
from feeds import parse_all, xpath

URL = "https://test.example/"


def seven_episodes() -> dict[str, dict]:
    return {f"{n:03d}-ep{n}": {"meta": {"title": f"Episode {n}", "date": f"2026-01-{n:02d} 06:00",
                                        "guid": f"guid-{n}"}}
            for n in range(1, 8)}


def build(show: Path) -> Path:
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    return show / "site"


def test_feed_limit_pages_every_episode_exactly_once(make_show: ShowMaker) -> None:
    site = build(make_show(seven_episodes(), settings={"feed": {"limit": 3}}))
    assert sorted(p.name for p in site.glob("feed*.xml")) == ["feed-2.xml", "feed-3.xml", "feed.xml"]

    # podcastparser follows rel="next" the way gPodder does
    seen: list[str] = []
    url = URL + "feed.xml"
    pages = 0
    while url:
        assert url.startswith(URL), url
        path = site / url[len(URL):]
        parsed = podcastparser.parse(url, io.BytesIO(path.read_bytes()))
        seen += [e["guid"] for e in parsed["episodes"]]
        url = parsed.get("paged_feed_next")
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(f"guid-{n}" for n in range(1, 8))
    assert len(seen) == len(set(seen))
    assert seen == [f"guid-{n}" for n in range(7, 0, -1)]  # newest first, across pages


def test_paged_links(make_show: ShowMaker) -> None:
    site = build(make_show(seven_episodes(), settings={"feed": {"limit": 3}}))
    expected = {
        "feed.xml": {"self": "feed.xml", "first": "feed.xml", "last": "feed-3.xml", "next": "feed-2.xml"},
        "feed-2.xml": {"self": "feed-2.xml", "first": "feed.xml", "last": "feed-3.xml",
                       "previous": "feed.xml", "next": "feed-3.xml"},
        "feed-3.xml": {"self": "feed-3.xml", "first": "feed.xml", "last": "feed-3.xml",
                       "previous": "feed-2.xml"},
    }
    for name, links in expected.items():
        fp, pp, tree = parse_all(site / name, URL + name)
        found = {link.get("rel"): link.get("href") for link in xpath(tree, "/rss/channel/atom:link")}
        assert found == {rel: URL + target for rel, target in links.items()}
        assert all(link.get("type") == "application/rss+xml" for link in xpath(tree, "/rss/channel/atom:link"))
        assert pp["title"] == "Test Show"
        # every page is a complete podcast feed: channel art, owner, categories
        assert pp["itunes_owner"]["email"] == "tess@test.example"
        assert fp.feed.title == "Test Show"
    assert podcastparser.parse(URL + "feed.xml", io.BytesIO((site / "feed.xml").read_bytes())) \
        .get("paged_feed_first") == URL + "feed.xml"
    assert len(feedparser.parse((site / "feed.xml").read_bytes()).entries) == 3


def test_no_limit_no_paging(make_show: ShowMaker) -> None:
    site = build(make_show(seven_episodes()))
    assert [p.name for p in site.glob("feed*.xml")] == ["feed.xml"]
    _, _, tree = parse_all(site / "feed.xml", URL + "feed.xml")
    assert [link.get("rel") for link in xpath(tree, "/rss/channel/atom:link")] == ["self"]
    assert len(xpath(tree, "//item")) == 7
