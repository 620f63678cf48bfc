"""Site features on small test shows: template overrides, sub-paths, transcripts on the page,
listen-on settings, the archive, people and hosts, artwork copies, and their bad input."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ShowMaker, default_episodes, run_cli, tree_digest
from PIL import Image
from sitecheck import broken_links, foreign_resources, parse_page

from castnotes.commands.build import BuildOptions, prepare_settings
from castnotes.model import Person
from castnotes.read.show import load_show
from castnotes.read.status import select_episodes
from castnotes.render.pages import load_site_data, site_jobs

VTT = """WEBVTT

00:00:00.500 --> 00:00:01.200
<v Tess Ter>Welcome to the
show.

00:00:01.200 --> 00:00:02.000
<v Tess Ter>Today we start.

00:00:02.100 --> 00:00:02.900
<v Guest Person>Thanks for having me & all.
"""

SRT = """1
00:00:00,200 --> 00:00:01,000
TESS TER: Hello there.

2
00:00:01,000 --> 00:00:01,800
Still Tess speaking.

3
00:00:05,000 --> 00:00:06,000
After a pause.
"""


def build(show: Path, *args: str) -> Path:
    result = run_cli("build", *args, show=show)
    assert result.exit_code == 0, result.output
    return show / "site"


def test_an_override_replaces_one_partial_and_extends_the_default(make_show: ShowMaker) -> None:
    show = make_show()
    partials = show / "templates" / "partials"
    partials.mkdir(parents=True)
    (partials / "footer.html").write_text(
        '{% extends "default/partials/footer.html" %}\n'
        '{% block footer_links %}{{ super() }}<li><a href="https://mastodon.example/@tess">Mastodon</a></li>{% endblock %}\n')
    (show / "templates" / "episode.html").write_text(
        '{% extends "default/episode.html" %}\n'
        '{% block player %}<p class="custom-intro">Listen below.</p>{{ super() }}{% endblock %}\n')
    site = build(show)
    for page in ("index.html", "episodes/first/index.html", "archive/index.html", "404.html"):
        html = (site / page).read_text()
        # the override's addition and the default footer it extends are both there
        assert '<li><a href="https://mastodon.example/@tess">Mastodon</a></li>' in html
        assert "Podcast feed</a>" in html and "Made with castnotes" in html
        # the partials that were not overridden come from the default theme
        assert '<header class="site-header">' in html
    episode = (site / "episodes" / "first" / "index.html").read_text()
    assert episode.index('<p class="custom-intro">') < episode.index("<audio") < episode.index('class="notes')
    assert "custom-intro" not in (site / "index.html").read_text()


def test_an_override_of_base_changes_every_page(make_show: ShowMaker) -> None:
    show = make_show()
    (show / "templates").mkdir()
    (show / "templates" / "base.html").write_text(
        '{% extends "default/base.html" %}{% block head %}<meta name="theme-color" content="#224466">'
        '{{ super() }}{% endblock %}')
    site = build(show)
    for page in sorted(site.rglob("*.html")):
        assert '<meta name="theme-color" content="#224466">' in page.read_text(), page
    # the episode page keeps its own head block (JSON-LD) as well
    assert "application/ld+json" in (site / "episodes" / "first" / "index.html").read_text()


def test_a_broken_override_names_its_file_and_line(make_show: ShowMaker) -> None:
    show = make_show()
    build(show)
    before = tree_digest(show / "site")
    (show / "templates" / "partials").mkdir(parents=True)
    (show / "templates" / "partials" / "footer.html").write_text("<footer>\n{% if %}\n</footer>\n")
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert re.search(r"templates/partials/footer\.html:2: error: template error", result.stderr), result.stderr
    assert tree_digest(show / "site") == before


def test_static_files_are_copied_as_is(make_show: ShowMaker) -> None:
    show = make_show()
    (show / "static" / "img").mkdir(parents=True)
    (show / "static" / "favicon.ico").write_bytes(b"\x00\x00\x01\x00icon")
    (show / "static" / "img" / "badge.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    site = build(show)
    assert (site / "favicon.ico").read_bytes() == b"\x00\x00\x01\x00icon"
    assert (site / "img" / "badge.svg").read_text() == "<svg xmlns='http://www.w3.org/2000/svg'/>"


@pytest.mark.parametrize("url", ["https://test.example/", "https://example.org/podcast/"])
def test_links_work_at_a_domain_root_and_in_a_sub_path(make_show: ShowMaker, url: str) -> None:
    show = make_show(settings={"show": {"url": url}})
    site = build(show)
    assert broken_links(site, url) == []
    assert foreign_resources(site, (url,)) == []
    not_found = (site / "404.html").read_text()
    path = url.split("example", 1)[1].split("/", 1)[1]
    assert f'<link rel="stylesheet" href="/{path}assets/style.css">' in not_found
    assert f'<a class="brand" href="/{path}">' in not_found
    episode = (site / "episodes" / "first" / "index.html").read_text()
    assert '<link rel="stylesheet" href="../../assets/style.css">' in episode
    assert f'<link rel="canonical" href="{url}episodes/first/">' in episode
    assert (site / "robots.txt").read_text().endswith(f"Sitemap: {url}sitemap.xml\n")


def test_transcripts_are_printed_as_turns_that_seek(make_show: ShowMaker) -> None:
    episodes = default_episodes()
    show = make_show(episodes=episodes)
    (show / "episodes" / "001-first" / "transcript.vtt").write_text(VTT)
    (show / "episodes" / "002-second" / "transcript.srt").write_text(SRT)
    site = build(show)
    first = (site / "episodes" / "first" / "index.html").read_text()
    turns = re.findall(r'<p class="turn">(.*?)</p>', first)
    assert turns == [
        '<a class="turn__time" href="#t=0" data-start="0.5">0:00</a> <strong class="turn__speaker">Tess Ter</strong> '
        'Welcome to the show. Today we start.',
        '<a class="turn__time" href="#t=2" data-start="2.1">0:02</a> <strong class="turn__speaker">Guest Person</strong> '
        'Thanks for having me &amp; all.',
    ]
    assert '<a href="../../episodes/first/transcript.vtt" type="text/vtt">Download the transcript file</a>' in first
    second = (site / "episodes" / "second" / "index.html").read_text()
    assert re.findall(r'<p class="turn">(.*?)</p>', second) == [
        '<a class="turn__time" href="#t=0" data-start="0.2">0:00</a> <strong class="turn__speaker">Tess Ter</strong> '
        'Hello there. Still Tess speaking.',
        '<a class="turn__time" href="#t=5" data-start="5.0">0:05</a> After a pause.',
    ]


def test_json_and_text_transcripts(make_show: ShowMaker) -> None:
    show = make_show()
    (show / "episodes" / "001-first" / "transcript.json").write_text(
        '{"version": "1.0.0", "segments": [{"speaker": "Tess", "startTime": 0.4, "endTime": 1.0, "body": "Hi."},'
        ' {"speaker": "Ana", "startTime": 1.0, "endTime": 2.0, "body": "Hello."}]}')
    (show / "episodes" / "002-second" / "transcript.txt").write_text("ANA: First paragraph\nwraps.\n\nSecond one.\n")
    site = build(show)
    first = (site / "episodes" / "first" / "index.html").read_text()
    assert re.findall(r'<strong class="turn__speaker">(\w+)</strong> (\w+\.)', first) == [("Tess", "Hi."), ("Ana", "Hello.")]
    second = (site / "episodes" / "second" / "index.html").read_text()
    assert re.findall(r'<p class="turn">(.*?)</p>', second) == [
        '<strong class="turn__speaker">Ana</strong> First paragraph wraps.', "Second one."]


def test_an_html_transcript_is_sanitised(make_show: ShowMaker) -> None:
    show = make_show()
    (show / "episodes" / "001-first" / "transcript.html").write_text(
        '<p><b>Tess:</b> Hi <a href="https://x.example/" onclick="evil()">there</a>.</p>'
        '<script>alert(1)</script><p style="color:red">Bye.</p>')
    html = (build(show) / "episodes" / "first" / "index.html").read_text()
    box = html[html.index('<div class="transcript__html">'):html.index('<p class="transcript__file">')]
    assert box == '<div class="transcript__html"><p><b>Tess:</b> Hi there.</p><p>Bye.</p></div>\n'
    assert "alert" not in html and "onclick" not in html


def test_a_malformed_transcript_stops_the_build(make_show: ShowMaker) -> None:
    show = make_show()
    build(show)
    before = tree_digest(show / "site")
    (show / "episodes" / "001-first" / "transcript.vtt").write_text("not a caption file\n")
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "episodes/001-first/transcript.vtt:1: error: not a WebVTT file" in result.stderr
    assert tree_digest(show / "site") == before


def test_listen_on_links_and_their_bad_input(make_show: ShowMaker) -> None:
    show = make_show(settings={"show": {"subscribe": {
        "overcast": "https://overcast.fm/itunes1", "apple": "https://podcasts.apple.com/podcast/id1"}}})
    site = build(show)
    html = (site / "about" / "index.html").read_text()
    assert re.findall(r'class="listen__link[^"]*" href="([^"]+)"', html) == [
        "https://podcasts.apple.com/podcast/id1", "https://overcast.fm/itunes1", "https://test.example/feed.xml"]
    before = tree_digest(site)
    show = make_show(settings={"show": {"subscribe": {"spotfy": "https://open.spotify.com/show/x",
                                                      "apple": "podcasts.apple.com/id1"}}})
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert re.search(r"castnotes\.toml:\d+: error: \[show\] subscribe has an unknown app 'spotfy'\n"
                     r"  hint: did you mean 'spotify'\?", result.stderr), result.stderr
    assert "error: [show] subscribe.apple must be an absolute http(s) URL, not 'podcasts.apple.com/id1'" in result.stderr
    assert tree_digest(site) == before


def test_archive_by_year_without_seasons_and_serial_order(make_show: ShowMaker) -> None:
    episodes = default_episodes()
    episodes["003-third"] = {"meta": {"title": "Third", "date": "2025-12-01 06:00",
                                      "guid": "0b6e7c52-0003-4a0e-9e0e-000000000003"}}
    show = make_show(episodes=episodes)
    archive = (build(show) / "archive" / "index.html").read_text()
    assert re.findall(r'<h2 id="(year-\d+)"', archive) == ["year-2026", "year-2025"]
    assert re.findall(r'class="row__title" href="../episodes/(\w+)/"', archive) == ["second", "first", "third"]
    shutil.rmtree(show / "site")
    show = make_show(episodes=episodes, settings={"show": {"type": "serial"}})
    archive = (build(show) / "archive" / "index.html").read_text()
    assert re.findall(r'<h2 id="(year-\d+)"', archive) == ["year-2025", "year-2026"]
    assert re.findall(r'class="row__title" href="../episodes/(\w+)/"', archive) == ["third", "first", "second"]


def test_people_pages_by_id_or_name_and_hosts(make_show: ShowMaker) -> None:
    episodes = default_episodes()
    episodes["001-first"]["meta"]["guests"] = [{"name": "Dr. Ana López", "id": "ana", "img": "ana.jpg"}]
    episodes["002-second"]["meta"]["guests"] = [{"name": "Ana Lopez", "id": "ana", "href": "https://ana.example/"},
                                                {"name": "Bo Chen", "role": "co-host"}]
    episodes["002-second"]["meta"]["categories"] = ["Mental Health", "mental-health"]
    show_dir = make_show(episodes=episodes)
    Image.new("RGB", (64, 64), (10, 120, 90)).save(show_dir / "episodes" / "001-first" / "ana.jpg")
    settings = prepare_settings(show_dir, BuildOptions())
    show = select_episodes(load_show(settings))
    show = replace(show, hosts=(Person(name="Tess Ter", role="host", id="tess", href="https://tess.example/"),))
    files = {job.site_path: job.render() for job in site_jobs(show, load_site_data(show))}
    assert {p for p in files if p.startswith("people/")} == {
        "people/index.html", "people/tess/index.html", "people/ana/index.html", "people/bo-chen/index.html"}
    ana = files["people/ana/index.html"].decode()
    # named as in her newest episode; her photo comes from an older one
    assert '<h1 class="list-page__title">Ana Lopez</h1>' in ana
    assert ana.count('class="card__title"') == 2
    assert 'href="https://ana.example/"' in ana
    assert re.search(r'<img src="../../people/ana-[0-9a-f]{10}\.jpg"', ana)
    people = files["people/index.html"].decode()
    assert re.findall(r'class="person__name" href="../people/([\w-]+)/"', people) == ["tess", "ana", "bo-chen"]
    episode = files["episodes/second/index.html"].decode()
    # the guests in the episode's panel; the host in the host box at its end
    assert re.findall(r'class="person__name" href="../../people/([\w-]+)/"', episode) == ["ana", "bo-chen"]
    assert 'Hosted by <a href="../../people/tess/">Tess Ter</a>' in episode
    about = files["about/index.html"].decode()
    assert 'href="../people/tess/">Tess Ter</a>' in about
    assert files["categories/mental-health/index.html"].decode().count('class="card__title"') == 1
    assert "categories/mental-health-2/index.html" not in files


def test_artwork_copies_only_when_large_and_flattened(make_show: ShowMaker) -> None:
    episodes = default_episodes()
    show = make_show(episodes=episodes)
    Image.new("RGBA", (900, 600), (200, 30, 30, 0)).save(show / "episodes" / "001-first" / "cover.png")
    Image.new("RGB", (200, 200), (30, 30, 200)).save(show / "episodes" / "002-second" / "cover.jpg")
    site = build(show)
    with Image.open(site / "episodes" / "first" / "cover-600.jpg") as image:
        assert image.size == (600, 400) and image.mode == "RGB"
        assert image.getpixel((10, 10)) == (255, 255, 255)  # transparent became white, not black
    with Image.open(site / "episodes" / "first" / "cover-240.jpg") as image:
        assert image.size == (240, 160)
    page = (site / "episodes" / "first" / "index.html").read_text()
    assert '<img class="episode__art" src="../../episodes/first/cover-600.jpg" alt="" data-pagefind-meta="image[src]" width="600" height="400">' in page
    assert not (site / "episodes" / "second" / "cover-600.jpg").exists()
    page = (site / "episodes" / "second" / "index.html").read_text()
    assert '<img class="episode__art" src="../../episodes/second/cover.jpg" alt="" data-pagefind-meta="image[src]" width="200" height="200">' in page
    # cached: a second build reuses the copies and gives the same bytes
    first = (site / "episodes" / "first" / "cover-600.jpg").read_bytes()
    cached = sorted((show / ".castnotes" / "images").glob("*.jpg"))
    assert len(cached) == 4  # show art 600 + 240, episode 001 600 + 240 (share cards are in cards/)
    site = build(show)
    assert (site / "episodes" / "first" / "cover-600.jpg").read_bytes() == first
    assert sorted((show / ".castnotes" / "images").glob("*.jpg")) == cached


def test_every_page_has_social_tags_and_icons(make_show: ShowMaker) -> None:
    site = build(make_show())
    for path in sorted(site.rglob("index.html")):  # not 404.html: it is never shared
        parsed = parse_page(site, path.relative_to(site).as_posix())
        if path.parent.parent.name == "episodes":  # an episode: its 1200x630 share card
            assert parsed.meta["og:image"] == [f"https://test.example/episodes/{path.parent.name}/share-card.jpg"]
            assert parsed.meta["og:image:width"] == ["1200"]
            assert parsed.meta["twitter:card"] == ["summary_large_image"]
        else:
            assert parsed.meta["og:image"][0].startswith("https://test.example/artwork-"), path
            assert parsed.meta["og:image:width"] == ["1400"]
            assert parsed.meta["twitter:card"] == ["summary"]
        assert parsed.meta["og:title"][0]
    episode = parse_page(site, "episodes/first/index.html")
    assert episode.meta["og:type"] == ["article"]
    assert episode.meta["og:audio"] == ["https://test.example/media/first/audio.mp3"]


def test_share_cards_drawn_on_a_shared_base_are_the_same_as_drawn_alone(tmp_path: Path) -> None:
    """A worker draws what a show's cards share (background, artwork, show name) once: the cards
    must not depend on which cards it drew before, and each keeps its own show and artwork."""
    from castnotes.read.images import CardJob, _card_base, draw_card

    red, blue = tmp_path / "red.jpg", tmp_path / "blue.jpg"
    Image.new("RGB", (600, 600), (200, 30, 30)).save(red)
    Image.new("RGB", (600, 600), (30, 30, 200)).save(blue)
    jobs = [CardJob("One", "Show A", "E1", red), CardJob("Two, a longer title that wraps onto a second line",
                                                        "Show A", "E2 · 3 min", red),
            CardJob("One", "Show B", "E1", red), CardJob("One", "Show A", "E1", blue), CardJob("One", "Show A", "", None)]

    def alone(job: CardJob) -> bytes:
        _card_base.cache_clear()
        return draw_card(job).tobytes()

    drawn_alone = [alone(job) for job in jobs]
    assert [draw_card(job).tobytes() for job in jobs + jobs] == drawn_alone + drawn_alone
    assert len(set(drawn_alone)) == len(jobs)


def test_pagefind_reads_only_episode_pages_unless_another_page_asks_to_be_indexed(make_show: ShowMaker,
                                                                                 tmp_path: Path) -> None:
    """Pagefind is given only the episode pages when no other HTML file carries data-pagefind-body
    (the same index, a quarter faster); a page of the show's that asks to be indexed still is."""
    from castnotes.output.search import indexed_pages

    site = tmp_path / "site"
    (site / "episodes" / "a").mkdir(parents=True)
    (site / "episodes" / "a" / "index.html").write_text("<main data-pagefind-body>a</main>")
    (site / "index.html").write_text("<main>home</main>")
    assert list(indexed_pages(site, ["episodes/a/index.html"])) == ["episodes/a/index.html"]
    (site / "episodes" / "a" / "transcript.html").write_text("<p data-pagefind-body>t</p>")
    assert list(indexed_pages(site, ["episodes/a/index.html"])) == ["episodes/a/index.html",
                                                                     "episodes/a/transcript.html"]
    (site / "episodes" / "a" / "transcript.html").unlink()
    (site / "episodes" / "a" / "index.html").write_text("<main>a</main>")
    # nothing marked: Pagefind indexes every page's body
    assert list(indexed_pages(site, ["episodes/a/index.html"])) == ["episodes/a/index.html", "index.html"]

    show = make_show()
    (show / "static").mkdir()
    (show / "static" / "faq.html").write_text(
        '<!doctype html><html lang="en"><head><title>FAQ</title></head>'
        "<body><main data-pagefind-body><h1>FAQ</h1><p>Zanzibarian questions</p></main></body></html>")
    entry = (build(show) / "pagefind" / "pagefind-entry.json").read_text()
    count = int(re.search(r'"page_count":\s*(\d+)', entry).group(1))
    assert count == len(default_episodes()) + 1
