"""The host's blog (issue 15): pages and posts from pages/, collections, a featured item, the
host's voice, replies without a database, and topic pages with words, on small shows
built from the CLI, plus the demo show in Chromium (axe-core on the new pages, the
fediverse replies loaded from a real server on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import feedparser
import pytest
from conftest import ShowMaker, copy_demo, run_cli, tree_digest
from sitecheck import broken_links

from castnotes.feedxml import PODCAST

URL = "https://test.example/"


def build(show: Path, *args: str) -> Path:
    result = run_cli("build", *args, show=show)
    assert result.exit_code == 0, result.output
    return show / "site"


def fails(show: Path, *args: str) -> str:
    """Build, expecting bad input: exit 1, nothing written, the problems' text."""
    before = tree_digest(show / "site")
    result = run_cli("build", *args, show=show)
    assert result.exit_code == 1, result.output
    assert tree_digest(show / "site") == before
    return result.output


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def episodes(count: int, **extra: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`count` episodes, 001-e1 (slug e1) oldest; `extra` adds front matter by folder name."""
    made = {}
    for n in range(1, count + 1):
        name = f"{n:03d}-e{n}"
        meta = {"title": f"Episode {n}", "date": f"2026-01-{n:02d} 06:00",
                "guid": f"0b6e7c52-{n:04d}-4a0e-9e0e-{n:012d}", "categories": ["talk"], **extra.get(name, {})}
        made[name] = {"meta": meta, "body": f"Notes of episode {n}.\n"}
    return made


# 1. Standalone pages and posts -------------------------------------------------------------

POST = """---
title: "Five takeaways"
date: 2026-02-01 07:00
summary: "What the first two episodes taught me."
---
Start with [the first episode](../episodes/001-e1/episode.md), then read [the contact page](contact.md).

1. **Listen first.**

   ![Listen](episode:e2)

2. **Then talk.**
"""

PAGE = """---
title: "Contact"
---
Write to us.
"""


def test_pages_and_posts_are_built_listed_and_fed(make_show: ShowMaker) -> None:
    show = make_show(episodes(2))
    write(show / "pages" / "five-takeaways.md", POST)
    write(show / "pages" / "contact.md", PAGE)
    write(show / "pages" / "later.md", "---\ntitle: Not yet\ndraft: true\n---\nSoon.\n")
    site = build(show)

    post = page(site, "five-takeaways")
    assert "<h1" in post and "Five takeaways" in post
    assert 'href="../episodes/e1/"' in post and 'href="../contact/"' in post  # checked links, made relative
    embed = post[post.index('<div class="embed">'):]
    embed = embed[:embed.index("</article>")]
    assert re.search(r'<a class="play" href="../episodes/e2/#play" data-play data-src="../media/e2/', embed)
    assert 'href="../episodes/e2/"' in embed
    assert "episode:e2" not in post
    assert "Contact" in page(site, "contact") and not (site / "later").exists()  # a draft is left out

    posts = page(site, "posts")
    posts = posts[posts.index("<main"):posts.index("</main>")]
    assert 'href="../five-takeaways/"' in posts and 'href="../contact/"' not in posts  # a page is not a post
    home = page(site, "")
    assert 'href="posts/"' in home and 'href="contact/"' in home  # navigation and footer

    feed = feedparser.parse((site / "takeaways.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Five takeaways", "Episode 2", "Episode 1"]
    content = feed.entries[0].content[0].value
    assert f'href="{URL}episodes/e1/"' in content and f'href="{URL}episodes/e2/"' in content
    assert "castnotes:/" not in content and "episode:" not in content
    locations = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    for path in ("five-takeaways/", "contact/", "posts/"):
        assert URL + path in locations
    assert URL + "later/" not in locations
    assert broken_links(site, URL) == []

    assert (build(show, "--drafts") / "later" / "index.html").is_file()


def test_a_post_with_an_image_and_a_future_date(make_show: ShowMaker) -> None:
    show = make_show(episodes(1))
    write(show / "pages" / "soon.md", "---\ntitle: Soon\ndate: 2099-01-01\nimage: header.jpg\n---\nLater.\n")
    (show / "pages" / "header.jpg").write_bytes((show / "cover.jpg").read_bytes())
    site = build(show)
    assert not (site / "soon").exists() and not (site / "posts").exists()  # scheduled, like an episode
    site = build(show, "--future")
    html = page(site, "soon")
    assert (site / "soon" / "cover.jpg").read_bytes() == (show / "cover.jpg").read_bytes()
    assert '<meta property="og:image" content="https://test.example/soon/cover.jpg">' in html
    assert re.search(r'<img class="article__image" src="(?:\.\./soon/)?cover[-\w]*\.jpg"', html)
    assert "Soon" in page(site, "posts")


def test_a_changed_page_is_rebuilt(make_show: ShowMaker) -> None:
    """The next build notices pages/: an edited page, a collection that changes, a new post."""
    show = make_show(episodes(2))
    write(show / "pages" / "talking.md", COLLECTION.replace("[e3, e1, e2]", "[e1]"))
    site = build(show)
    assert "talking/" in page(site, "episodes/e1") and "talking/" not in page(site, "episodes/e2")
    write(show / "pages" / "talking.md", COLLECTION.replace("[e3, e1, e2]", "[e2]").replace("Start here.", "Begin."))
    write(show / "pages" / "new.md", "---\ntitle: Brand new\ndate: 2026-03-01\n---\nHello.\n")
    site = build(show)
    assert "Begin." in page(site, "talking")
    assert "talking/" in page(site, "episodes/e2") and "talking/" not in page(site, "episodes/e1")
    assert "Brand new" in page(site, "posts") and 'href="posts/"' in page(site, "archive").replace("../", "")
    assert feedparser.parse((site / "takeaways.xml").read_bytes()).entries[0].title == "Brand new"


@pytest.mark.parametrize("text,expected", [
    ("---\ntitle: A\n---\nSee [x](../episodes/009-none/episode.md).\n",
     "pages/a.md:4: error: link to a missing episode"),
    ("---\ntitle: A\n---\nIntro\n\n![Listen](episode:e9)\n", "pages/a.md:6: error: embeds a missing episode: 'e9'"),
    ("---\ntitle: A\n---\nHear ![Listen](episode:e1) inline.\n",
     "pages/a.md:4: error: the player of 'e1' must stand on a line of its own"),
    ("---\ntitle: A\n---\nSee [b](b.md).\n", "pages/a.md:4: error: link to a missing page: 'b.md'"),
    ("---\nsummary: no title\n---\nText.\n", "pages/a.md:2: error: title: missing"),
    ("---\ntitle: A\nslug: about\n---\nText.\n", "pages/a.md:3: error: slug: /about/ is an address"),
    ("---\ntitle: A\ndate: someday\n---\nText.\n", "pages/a.md:3: error: date: 'someday' is not a date"),
    ("---\ntitle: A\nauthor: me\n---\nText.\n", "pages/a.md:3: error: author: unknown front matter key"),
])
def test_bad_pages_name_file_and_line(make_show: ShowMaker, text: str, expected: str) -> None:
    show = make_show(episodes(1))
    write(show / "pages" / "a.md", text)
    assert expected in fails(show)


def test_a_page_linked_from_outside_the_show_is_refused(make_show: ShowMaker, tmp_path: Path) -> None:
    show = make_show(episodes(1))
    secret = write(tmp_path / "elsewhere" / "secret.md", "---\ntitle: Secret\n---\nPrivate.\n")
    (show / "pages").mkdir()
    (show / "pages" / "secret.md").symlink_to(secret)
    assert "pages/secret.md: error: the page is a link to a file outside the show folder" in fails(show)


def test_a_page_linking_to_a_draft_episode(make_show: ShowMaker) -> None:
    show = make_show(episodes(2, **{"002-e2": {"draft": True}}))
    write(show / "pages" / "a.md", "---\ntitle: A\n---\nSee [two](../episodes/002-e2/episode.md).\n")
    assert "pages/a.md:4: error: links to the draft episode 002-e2/" in fails(show)
    assert 'href="../episodes/e2/"' in page(build(show, "--drafts"), "a")


# 2. Collections ------------------------------------------------------------------------------

COLLECTION = """---
title: "The greatest conversations on talking"
summary: "Start here."
episodes: [e3, e1, e2]
---
Three in the order I'd listen to them.
"""


def test_a_collection_lists_its_episodes_in_order(make_show: ShowMaker) -> None:
    show = make_show(episodes(4, **{"002-e2": {"date": "2099-01-01 06:00"}}))  # e2 is scheduled
    write(show / "pages" / "talking.md", COLLECTION)
    site = build(show)
    html = page(site, "talking")
    assert "The greatest conversations on talking" in html
    cards = re.findall(r'class="card__title"><a href="../episodes/([^"]+)/"', html)
    assert cards == ["e3", "e1"]  # as given; e2 is not published yet, so it is left out
    assert re.findall(r'data-play data-src="../media/([^/]+)/', html) == ["e3", "e1"]  # each with its play button
    for slug in ("e1", "e3"):
        assert 'href="../../talking/"' in page(site, f"episodes/{slug}")  # "In a collection"
    assert "talking/" not in page(site, "episodes/e4")
    assert "The greatest conversations on talking" in page(site, "posts")

    with_future = build(show, "--future")
    assert re.findall(r'class="card__title"><a href="../episodes/([^"]+)/"', page(with_future, "talking")) == [
        "e3", "e1", "e2"]


def test_a_collection_names_only_existing_episodes(make_show: ShowMaker) -> None:
    show = make_show(episodes(2))
    write(show / "pages" / "c.md", "---\ntitle: C\nepisodes: [e1, e-2, e1]\n---\n")
    output = fails(show)
    assert "pages/c.md:3: error: episodes: 'e-2' is not an episode's slug" in output
    assert "did you mean 'e2'?" in output
    assert "'e1' is listed twice" in output


# 3. Featured -------------------------------------------------------------------------------

@pytest.mark.parametrize("featured,expected", [
    ("e1", 'href="episodes/e1/"'), ("talking", 'href="talking/"'), ("contact", 'href="contact/"')])
def test_the_featured_item_comes_first_on_the_home_page(make_show: ShowMaker, featured: str, expected: str) -> None:
    show = make_show(episodes(3), settings={"site": {"featured": featured}})
    write(show / "pages" / "talking.md", COLLECTION.replace("[e3, e1, e2]", "[e2, e1]"))
    write(show / "pages" / "contact.md", PAGE)
    home = page(build(show), "")
    main = home[home.index("<main"):]
    hero = main[main.index('<article class="feature'):main.index("</article>")]  # the first thing on the page
    assert main.index('<article class="feature') < main.index("<article class=\"card")
    assert expected in hero and "Latest episode" not in hero
    if featured == "talking":  # a collection shows its episodes, in order, with play buttons
        assert "Featured collection" in hero
        assert re.findall(r'href="episodes/(e\d)/#play" data-play', hero) == ["e2", "e1"]
    if featured == "e1":  # the featured episode is not listed again below; the latest one is
        listed = re.findall(r'class="card__title"><a href="episodes/(e\d)/"', main)
        assert listed == ["e3", "e2"]


def test_without_featured_the_latest_episode_comes_first(make_show: ShowMaker) -> None:
    home = page(build(make_show(episodes(2))), "")
    hero = home[home.index('<article class="feature'):home.index("</article>")]
    assert "Latest episode" in hero and 'href="episodes/e2/"' in hero


def test_featured_must_name_something(make_show: ShowMaker) -> None:
    show = make_show(episodes(2), settings={"site": {"featured": "e9"}})
    output = fails(show)
    assert re.search(r"castnotes.toml:\d+: error: \[site\] featured 'e9' is not an episode, page or collection",
                     output)
    show = make_show(episodes(2), settings={"site": {"featured": "Not a slug"}})
    assert "[site] featured 'Not a slug' is not a slug" in fails(show)



def test_one_broken_episode_is_one_error_not_a_cascade(make_show: ShowMaker) -> None:
    """An impossible date in an episode of the featured collection: the episode's own error
    only, not also "not an episode's slug" in the collection and "not a collection" in
    castnotes.toml; and the draft way out is not offered for a link to a draft."""
    show = make_show(episodes(3, **{"001-e1": {"date": "2026-02-30"}}), settings={"site": {"featured": "talking"}})
    write(show / "pages" / "talking.md", COLLECTION)
    output = fails(show)
    assert "date: '2026-02-30' is not a date" in output and "1 error;" in output, output
    show = make_show(episodes(3, **{"001-e1": {"draft": True}}))
    notes = show / "episodes" / "002-e2" / "episode.md"
    notes.write_text(notes.read_text() + "Start with [the first one](../001-e1/episode.md).\n")
    output = fails(show)
    assert re.search(r"002-e2/episode.md:\d+: error: links to the draft episode 001-e1/", output), output
    assert "To publish the other episodes now" not in output


# 4. The host's voice ----------------------------------------------------------------------

PEOPLE = """[sam]
name = "Sam Host"
role = "host"
href = "https://sam.example/"
bio = "I talk to people about talking."
links = { YouTube = "https://youtube.example/@sam", Newsletter = "https://letters.example/" }
"""


def test_the_host_opens_the_about_page_and_closes_each_episode(make_show: ShowMaker) -> None:
    show = make_show(episodes(2), settings={"show": {
        "hosts": ["sam"], "funding": [{"url": "https://support.example/", "text": "Support the show"}]}})
    write(show / "people.toml", PEOPLE)
    site = build(show)
    about = page(site, "about")
    main = about[about.index('<main id="main"'):]
    assert main.index('class="host-intro"') < main.index('class="about__header"')
    intro = main[main.index('class="host-intro"'):main.index("</section>")]
    assert "Hello! I’m <a href=\"../people/sam/\">Sam Host</a>" in intro and "I talk to people about talking." in intro
    assert 'class="person__photo' in intro
    buttons = re.findall(r'<a class="button[^"]*" href="([^"]+)"', intro)
    assert buttons == ["https://support.example/", "https://sam.example/", "https://youtube.example/@sam",
                       "https://letters.example/"]
    assert 'rel="me"' in intro  # the host's channels verify back (Mastodon and others)

    episode = page(site, "episodes/e1")
    article = episode[:episode.index("</article>")]
    box = article[article.index('class="host-box'):]
    assert "Hosted by" in box and "Sam Host" in box and "I talk to people about talking." in box
    assert "https://youtube.example/@sam" in box and "https://support.example/" in box
    assert 'class="guests panel"' not in episode  # the host is in the box, not listed again


def test_a_bad_channel_link_is_reported(make_show: ShowMaker) -> None:
    show = make_show(episodes(1), settings={"show": {"hosts": ["sam"]}})
    write(show / "people.toml", PEOPLE.replace("https://letters.example/", "letters"))
    assert "people.toml:6: error: [sam] links.Newsletter: must be an absolute http(s) URL" in fails(show)


# 5. Replies ---------------------------------------------------------------------------------

SOCIAL = {"protocol": "activitypub", "uri": "https://social.example/@show/111",
          "account_id": "@show@social.example", "account_url": "https://social.example/@show"}


def social_tags(site: Path) -> dict[str, list[dict[str, str]]]:
    root = ET.parse(site / "feed.xml").getroot()
    return {item.findtext("title"): [dict(t.attrib) for t in item.findall(f"{{{PODCAST}}}socialInteract")]
            for item in root.iter("item")}


def test_replies_per_episode_and_by_email(make_show: ShowMaker) -> None:
    show = make_show(episodes(3, **{"001-e1": {"social": SOCIAL},
                                     "002-e2": {"social": {"protocol": "disabled"}}}),
                     settings={"site": {"reply_email": "replies@test.example"}})
    site = build(show)
    assert social_tags(site) == {
        "Episode 1": [{"uri": "https://social.example/@show/111", "protocol": "activitypub",
                       "accountId": "@show@social.example", "accountUrl": "https://social.example/@show"}],
        "Episode 2": [{"protocol": "disabled"}],
        "Episode 3": [],
    }
    one = page(site, "episodes/e1")
    replies = one[one.index('class="replies panel"'):]
    replies = replies[:replies.index("</section>")]
    assert "Join the conversation" in replies
    assert '<a class="button" href="https://social.example/@show/111">Reply on the fediverse</a>' in replies
    assert 'href="mailto:replies@test.example?subject=Re%3A%20Episode%201"' in replies
    # progressive: the button that loads replies.js is hidden until a script shows it
    assert 'data-replies="https://social.example/@show/111"' in replies
    assert re.search(r'<button [^>]*hidden data-replies-load="../../assets/replies.js">'
                     r'Show the replies from social.example</button>', replies)
    assert '<script src="../../assets/replies.js"' not in one  # loaded only when the reader asks
    two = page(site, "episodes/e2")
    assert "Reply by email" in two and "Reply on" not in two and "replies.js" not in two
    assert "Reply on" not in page(site, "episodes/e3")


def test_no_replies_section_without_a_thread_or_email(make_show: ShowMaker) -> None:
    assert "Join the conversation" not in page(build(make_show(episodes(1))), "episodes/e1")


def test_a_show_wide_pattern_gives_every_episode_its_thread(make_show: ShowMaker) -> None:
    pattern = {"protocol": "activitypub", "uri": "https://forum.example/t/{slug}/{number}"}
    show = make_show(episodes(2, **{"002-e2": {"social": SOCIAL}}), settings={"show": {"social": pattern}})
    tags = social_tags(build(show))
    assert tags["Episode 1"] == [{"uri": "https://forum.example/t/e1/1", "protocol": "activitypub"}]
    assert tags["Episode 2"][0]["uri"] == SOCIAL["uri"]  # its own thread wins


@pytest.mark.parametrize("social,expected", [
    ({"protocol": "mastodon", "uri": "https://x.example/1"}, "social[0].protocol: 'mastodon' is not a podcast:socialInteract protocol"),
    ({"protocol": "activitypub"}, "social[0].uri: missing"),
    ({"protocol": "activitypub", "uri": "at://did/post"}, "social[0].uri: must be the post's https address"),
    ({"protocol": "activitypub", "uri": "https://x.example/{slug}"}, "social[0].uri: {slug} is not a placeholder here"),
])
def test_bad_social_front_matter(make_show: ShowMaker, social: dict, expected: str) -> None:
    show = make_show(episodes(1, **{"001-e1": {"social": social}}))
    output = fails(show)
    assert "episodes/001-e1/episode.md:" in output and expected in output


def test_a_bad_pattern_and_reply_email_are_reported(make_show: ShowMaker) -> None:
    show = make_show(episodes(1), settings={"show": {"social": {"protocol": "activitypub", "uri": "https://f.example/{title}"}},
                                            "site": {"reply_email": "nobody"}})
    output = fails(show)
    assert re.search(r"castnotes.toml:\d+: error: \[show\] social\[0\]\.uri: \{title\} is not a placeholder here", output)
    assert "hint: a show-wide uri may use {slug}, {number}, {guid}" in output
    assert "[site] reply_email 'nobody' is not an email address" in output


# 6. Topic pages with words, and long lists over pages -----------------------------------

def test_topic_descriptions_from_settings_and_files(make_show: ShowMaker) -> None:
    eps = episodes(3, **{"003-e3": {"categories": ["Mental Health"]}})
    show = make_show(eps, settings={"site.topics.talk": {"description": "All about **talking**."}})
    write(show / "pages" / "topics" / "mental-health.md",
          "Taking care, with [episode 3](../../episodes/003-e3/episode.md).\n")
    site = build(show)
    talk = page(site, "categories/talk")
    header = talk[talk.index("list-page__header"):]
    header = header[:header.index("</header>")]
    assert "All about <strong>talking</strong>." in header  # above the episode list
    health = page(site, "categories/mental-health")
    assert 'Taking care, with <a href="../../episodes/e3/">episode 3</a>.' in health
    assert '<meta name="description" content="Taking care, with episode 3.">' in health


def test_a_topic_described_twice_or_never_used(make_show: ShowMaker) -> None:
    show = make_show(episodes(1), settings={"site.topics.talk": {"description": "One."},
                                            "site.topics.knitting": {"description": "Two."}})
    result = run_cli("build", show=show)
    assert result.exit_code == 0 and "no episode has the topic 'knitting'" in result.output
    write(show / "pages" / "topics" / "talk.md", "Again.\n")
    assert "pages/topics/talk.md:1: error: the topic 'talk' is also described in castnotes.toml" in fails(show)


def test_long_topic_and_person_lists_paginate(make_show: ShowMaker) -> None:
    guest = {"guests": [{"name": "Gia Guest"}]}
    eps = episodes(5, **{f"00{n}-e{n}": guest for n in range(1, 6)})
    site = build(make_show(eps, settings={"site": {"per_page": 2}}))
    for base in ("categories/talk/", "people/gia-guest/"):
        # older pages are cut from the oldest end (they stay put when an episode is added):
        # the base page shows the newest two, page/3/ episodes 3-4, page/2/ episodes 1-2
        seen, path, visited = [], base, []
        while path is not None:
            html = page(site, path)
            visited.append(path)
            seen += re.findall(r'class="card__title"><a href="(?:\.\./)+episodes/([^"]+)/"', html)
            older = re.search(r'href="([^"]+)" rel="next"', html)
            path = os.path.normpath(os.path.join(path, older.group(1))) + "/" if older else None
        assert visited == [base, f"{base}page/3/", f"{base}page/2/"]
        assert list(dict.fromkeys(seen)) == ["e5", "e4", "e3", "e2", "e1"]
        assert "Episodes 1–2" in page(site, f"{base}page/2/") and "Episodes 3–4" in page(site, f"{base}page/3/")
        assert 'rel="prev"' not in page(site, base) and 'rel="next"' not in page(site, f"{base}page/2/")
        assert not (site / base / "page" / "4").exists()
    assert broken_links(site, URL) == []


def test_the_people_index_paginates(make_show: ShowMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    from castnotes.render import pages

    monkeypatch.setattr(pages, "PEOPLE_PER_PAGE", 2)
    eps = episodes(3, **{f"00{n}-e{n}": {"guests": [{"name": f"Guest {n}"}]} for n in range(1, 4)})
    site = build(make_show(eps))
    assert "Page 1 of 2" in page(site, "people") and "Page 2 of 2" in page(site, "people/page/2")


# The demo in Chromium ---------------------------------------------------------------------

class _Mastodon(BaseHTTPRequestHandler):
    """GET /api/v1/statuses/<id>/context, as a Mastodon server answers it (with CORS)."""

    replies: list[dict[str, Any]] = []

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        if not re.fullmatch(r"/api/v1/statuses/\d+/context", self.path):
            self.send_error(404)
            return
        body = json.dumps({"ancestors": [], "descendants": self.replies}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def mastodon(replies: list[dict[str, Any]]) -> Iterator[str]:
    handler = type("Handler", (_Mastodon,), {"replies": replies})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


REPLIES = [
    {"id": "2", "url": "https://social.example/@ana/2", "created_at": "2026-01-13T10:00:00Z",
     "content": "<p>This one made me call my sister.</p><script>window.injected = 1</script>",
     "account": {"acct": "ana@social.example", "display_name": "Ana", "url": "https://social.example/@ana"}},
    {"id": "3", "url": "javascript:alert(1)", "created_at": "2026-01-13T11:00:00Z",
     "content": "<p>Same &amp; <b>thanks</b></p>",
     "account": {"acct": "bo", "display_name": "", "url": "javascript:alert(1)"}},
]


def test_fediverse_replies_load_on_request(tmp_path: Path) -> None:
    from browser import chromium
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from siteserver import serve_site

    with mastodon(REPLIES) as server:
        show = copy_demo(tmp_path / "demo", ledger=False)
        episode = show / "episodes" / "001-why-we-drift-apart" / "episode.md"
        text = episode.read_text()
        episode.write_text(re.sub(r"uri: \"https://mastodon\.example/@connectionhour/(\d+)\"",
                                  rf'uri: "{server}/@connectionhour/\1"', text))
        site = build(show)
        with serve_site(site) as (base, _), chromium() as driver:
            driver.get(base + "episodes/why-we-drift-apart/")
            box = driver.find_element(By.CSS_SELECTOR, "[data-replies]")
            button = box.find_element(By.CSS_SELECTOR, "button[data-replies-load]")
            assert button.is_displayed() and "127.0.0.1" in button.text
            assert driver.execute_script(  # nothing is asked of the thread's server before the click
                "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/')).length"
                " + document.querySelectorAll('script[src*=replies]').length") == 0
            button.click()
            WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".reply"))
            replies = driver.find_elements(By.CSS_SELECTOR, ".reply")
            assert [r.find_element(By.CSS_SELECTOR, ".reply__text").text for r in replies] == [
                "This one made me call my sister.", "Same & thanks"]
            assert box.find_element(By.CSS_SELECTOR, "[role=status]").text == "2 replies"
            assert box.find_elements(By.CSS_SELECTOR, "button[data-replies-load]") == []
            assert driver.execute_script("return window.injected") is None  # text only, never HTML
            links = [a.get_attribute("href") for a in box.find_elements(By.CSS_SELECTOR, ".reply a")]
            assert links == ["https://social.example/@ana", "https://social.example/@ana/2", None]


@pytest.mark.parametrize("path", ["", "loneliness/", "social-connections-and-mental-health/", "posts/",
                                  "episodes/why-we-drift-apart/", "categories/loneliness/", "contact/"])
def test_new_pages_have_no_serious_accessibility_violations(tmp_path_factory: pytest.TempPathFactory,
                                                            path: str) -> None:
    from browser import axe_source, chromium
    from siteserver import serve_site

    site = _demo_site(tmp_path_factory)
    axe = axe_source()
    for scheme in ("light", "dark"):
        with serve_site(site) as (base, _), chromium() as driver:
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
                "features": [{"name": "prefers-color-scheme", "value": scheme}]})
            driver.get(base + path)
            driver.execute_script(axe)
            result = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)));")
            serious = [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in json.loads(result)
                       if v["impact"] in ("serious", "critical")]
            assert serious == [], f"{path or 'home'} ({scheme}): {serious}"


_DEMO: dict[str, Path] = {}


def _demo_site(factory: pytest.TempPathFactory) -> Path:
    """The demo show, built once for this module's browser tests."""
    if "site" not in _DEMO:
        _DEMO["site"] = build(copy_demo(factory.mktemp("blog-demo") / "show"))
    return _DEMO["site"]


def test_the_demo_uses_every_part() -> None:
    """The demo show (the repository) has a collection, two posts, a featured item, a host with
    channels, replies and a described topic, so a look at it shows all of them."""
    from conftest import REPO

    from castnotes.config.settings import load_settings
    from castnotes.read.show import load_show

    show = load_show(load_settings(REPO))
    kinds = [a.kind for a in show.articles]
    assert kinds.count("collection") >= 1 and kinds.count("post") >= 2
    assert any(kind == "episode" for a in show.articles for kind, _ in a.parts)
    assert show.settings.site.featured in {a.slug for a in show.articles} | {e.slug for e in show.episodes}
    assert show.hosts and show.hosts[0].bio and show.hosts[0].links and show.settings.show.funding
    assert show.settings.site.reply_email and any(e.social for e in show.episodes)
    assert show.topics
