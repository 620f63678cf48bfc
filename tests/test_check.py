"""`castnotes check`: every rule caught on a feed made to break it, and no false alarms.

tests/data/bad-feeds/ holds good.xml (no finding at all) and one RULE.xml per rule id,
each good.xml with one thing broken (made by make_bad_feeds.py there). The pictures
the artwork rules look at are drawn here, into a copy of that folder.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import threading
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import feedparser
import podcastparser
import pytest
from conftest import REPO, ShowMaker, copy_demo, data_feeds, run_cli
from lxml import etree
from PIL import Image

from castnotes.checks.rules import RULES
from castnotes.commands.check import check_feed, check_show

BAD_FEEDS = REPO / "tests" / "data" / "bad-feeds"
NOT_FEED_RULES = {"LEDGER", "SOURCE"}  # about the show's own files; tested in test_ledger.py
# Feeds too big to keep in tests/data: made by test_a_feed_over_one_megabyte_is_a_warning.
MADE_BY_A_TEST = {"XML-SIZE"}
# A broken namespace also hides the tags under it; a duplicated episode also duplicates its file.
CONSEQUENCES = {"XML-2": {"CH-SELF"}, "PUB-DUP": {"IT-ENC-5"}}


def _noise_jpeg(side: int) -> bytes:
    rng = random.Random(5)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def _picture(size: tuple[int, int], fmt: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 120, 40) if mode == "RGB" else 0).save(out, fmt)
    return out.getvalue()


ARTWORK = {  # file beside the feeds -> how it is drawn
    "artwork.jpg": lambda: _picture((1400, 1400), "JPEG"),
    "small-artwork.png": lambda: _picture((600, 400), "PNG"),
    "heavy-artwork.jpg": lambda: _noise_jpeg(1400),
    "tiny-cover.png": lambda: _picture((500, 500), "PNG"),
}


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad-feeds")
    for path in BAD_FEEDS.glob("*.xml"):
        shutil.copyfile(path, folder / path.name)
    for name, draw in ARTWORK.items():
        (folder / name).write_bytes(draw())
    return folder


@dataclass(frozen=True)
class Served:
    url: str
    folder: Path


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The standard library's file server: HEAD works, byte ranges do not (it answers 200)."""
    folder = tmp_path_factory.mktemp("plain")
    (folder / "first.mp3").write_bytes(b"\xff\xfb" + bytes(52000 - 2))

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Served(f"http://127.0.0.1:{server.server_port}", folder)
    server.shutdown()
    server.server_close()


def rule_files() -> list[str]:
    return sorted(p.stem for p in BAD_FEEDS.glob("*.xml") if p.stem != "good")


def test_good_feed_has_no_finding(feeds: Path) -> None:
    report = check_feed(str(feeds / "good.xml"))
    assert report.findings == ()
    fp = feedparser.parse((feeds / "good.xml").read_bytes())
    assert not fp.bozo and len(fp.entries) == 2
    assert len(podcastparser.parse("https://bad.example/feed.xml", io.BytesIO((feeds / "good.xml").read_bytes()))
               ["episodes"]) == 2


def test_every_rule_has_a_bad_feed() -> None:
    assert set(rule_files()) == set(RULES) - NOT_FEED_RULES - MADE_BY_A_TEST


def test_every_rule_is_documented() -> None:
    readme = (REPO / "README.md").read_text()
    for rule in RULES.values():
        assert f"| `{rule.id}` | {rule.severity} |" in readme, f"README's rule table lacks {rule.id}"


@pytest.mark.parametrize("rule", rule_files())
def test_bad_feed_is_caught_with_its_rule_id(rule: str, feeds: Path, plain_server: Served) -> None:
    path = feeds / f"{rule}.xml"
    online = rule == "HTTP-1"
    if online:
        path.write_text(path.read_text().replace("SERVER", plain_server.url))
    against = str(feeds / "good.xml") if rule.startswith("PUB-") else None
    report = check_feed(str(path), online=online, against=against)
    caught = [f for f in report.findings if f.rule == rule]
    assert caught, f"{rule} not reported: {[(f.rule, f.message) for f in report.findings]}"
    assert {f.severity for f in caught} == {RULES[rule].severity}
    assert all(f.where.describe() and f.hint for f in caught)
    others = {f.rule for f in report.findings} - {rule} - CONSEQUENCES.get(rule, set())
    if online:  # the good feed's other URLs are not on the local server
        others -= {"HTTP-1"}
    assert not others, f"{rule}.xml also broke {others}"


def test_item_findings_name_the_item(feeds: Path) -> None:
    report = check_feed(str(feeds / "IT-DATE.xml"))
    (finding,) = report.findings
    assert finding.where.describe() == 'item "First steps" (guid 0b6e7c52-0001-4a0e-9e0e-000000000001)'
    assert "that date is a Mon, not a Sun" in finding.message


def test_artwork_findings_say_what_is_wrong(feeds: Path) -> None:
    messages = [f.message for f in check_feed(str(feeds / "CH-IMG-2.xml")).findings]
    assert any("600x400; artwork must be square" in m for m in messages)
    assert any("1400x1400 to 3000x3000" in m for m in messages)


def test_cmyk_artwork_is_an_error_and_alpha_a_warning(feeds: Path, tmp_path: Path) -> None:
    for mode, fmt, severity in (("CMYK", "JPEG", "error"), ("RGBA", "PNG", "warning")):
        folder = tmp_path / mode
        folder.mkdir()
        name = "art.jpg" if fmt == "JPEG" else "art.png"
        (folder / name).write_bytes(_picture((1400, 1400), fmt, mode))
        feed = (feeds / "good.xml").read_text().replace("artwork.jpg", name)
        (folder / "feed.xml").write_text(feed)
        (finding,) = check_feed(str(folder / "feed.xml")).findings
        assert finding.rule == "CH-IMG-2" and finding.severity == severity and mode in finding.message


# --- the show, the demo, real feeds ---------------------------------------------------------

def test_demo_show_and_its_built_feed_have_no_errors(tmp_path: Path) -> None:
    show = copy_demo(tmp_path / "demo")
    report = check_show(show)
    assert report.errors == [], [f.message for f in report.errors]
    assert run_cli("build", show=show).exit_code == 0
    built = check_feed(str(show / "site" / "feed.xml"))
    assert built.errors == [], [f.message for f in built.errors]


def test_corpus_feeds_that_real_parsers_read_are_not_xml_errors() -> None:
    """A feed feedparser, podcastparser and lxml all read is well-formed: never an XML-1 error."""
    readable = 0
    for path in data_feeds():
        data = path.read_bytes()
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
            podcastparser.parse("https://x.example/feed", io.BytesIO(data))
        except Exception:  # noqa: BLE001 - not readable by all three: not this test's business
            continue
        if feedparser.parse(data).bozo:
            continue
        readable += 1
        report = check_feed(str(path))
        xml_errors = [f for f in report.errors if f.rule == "XML-1"]
        if root.tag == "rss":
            assert xml_errors == [], f"{path.name}: {[f.message for f in xml_errors]}"
        else:  # an Atom feed: readable, but not what Apple or Spotify take
            assert [f.message for f in xml_errors] == [
                "this is an Atom feed, not RSS 2.0: Apple Podcasts and Spotify read only <rss> feeds"]
    assert readable >= 20


def test_corpus_feeds_are_checked_without_tracebacks() -> None:
    for path in data_feeds():
        report = check_feed(str(path))
        assert all(f.rule in RULES for f in report.findings)


def test_show_findings_point_at_episode_md_lines(make_show: ShowMaker) -> None:
    show = make_show(episodes={
        "001-first": {"meta": {"title": "Episode 1: First steps", "date": "2026-01-05 06:00",
                               "guid": "0b6e7c52-0001-4a0e-9e0e-000000000001"}},
    }, settings={"show": {"copyright": "© 2026 Tess"}})
    report = check_show(show)
    (title,) = [f for f in report.findings if f.rule == "IT-TITLE"]
    assert title.where.describe() == "episodes/001-first/episode.md:2"
    assert title.severity == "warning" and "starts with the episode number" in title.message
    assert {f.rule for f in report.errors} == set()


def test_build_refuses_a_feed_that_breaks_an_error_rule(make_show: ShowMaker) -> None:
    """Directory policy (artwork too small for Apple) only warns in `build`; --strict refuses."""
    show = make_show()
    Image.new("RGB", (800, 800), (1, 2, 3)).save(show / "cover.jpg")
    assert run_cli("check", show=show).exit_code == 1
    result = run_cli("build", "--strict", show=show)
    assert result.exit_code == 1
    line = next(n for n, text in enumerate((show / "castnotes.toml").read_text().splitlines(), 1)
                if text.startswith("image ="))
    assert f"castnotes.toml:{line}: error: [CH-IMG-2] cover.jpg is 800x800" in result.output
    assert not (show / "site").exists()
    assert not (show / "published.jsonl").exists()
    warned = run_cli("build", show=show)
    assert warned.exit_code == 0 and f"castnotes.toml:{line}: warning: [CH-IMG-2] cover.jpg is 800x800" \
        in warned.output


# --- the command ----------------------------------------------------------------------------

def test_check_exit_codes_and_json(feeds: Path) -> None:
    clean = run_cli("check", str(feeds / "good.xml"))
    assert clean.exit_code == 0 and "No problems found" in clean.output
    warned = run_cli("check", str(feeds / "CH-COPY.xml"))
    assert warned.exit_code == 0 and "[CH-COPY]" in warned.output
    assert run_cli("check", "--strict", str(feeds / "CH-COPY.xml")).exit_code == 1
    failed = run_cli("check", "--format", "json", str(feeds / "IT-GUID-1.xml"))
    assert failed.exit_code == 1
    data = json.loads(failed.output)
    assert data["ok"] is False and data["errors"] == 1
    (finding,) = data["findings"]
    assert finding["rule"] == "IT-GUID-1" and finding["severity"] == "error"
    assert finding["guid"] == "0b6e7c52-0002-4a0e-9e0e-000000000002"
    assert finding["hint"]


def test_check_against_on_the_command_line(feeds: Path) -> None:
    result = run_cli("check", str(feeds / "PUB-GUID.xml"), "--against", str(feeds / "good.xml"))
    assert result.exit_code == 1
    assert "[PUB-GUID]" in result.output and "0b6e7c52-0001-4a0e-9e0e-000000000001" in result.output


def test_check_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path / "nope.xml"))
    assert result.exit_code == 1 and "no such feed file" in result.output


def test_check_feed_over_http(feeds: Path, plain_server: Served) -> None:
    shutil.copyfile(feeds / "good.xml", plain_server.folder / "feed.xml")
    report = check_feed(f"{plain_server.url}/feed.xml")
    assert {(f.rule, f.severity) for f in report.findings} == {("HTTP-2", "warning"), ("CH-SELF", "warning")}
    (self_link,) = [f for f in report.findings if f.rule == "CH-SELF"]
    assert "https://bad.example/feed.xml" in self_link.message and plain_server.url in self_link.message


def test_check_reports_unreadable_sources_and_ledger_problems(make_show: ShowMaker) -> None:
    show = make_show()
    assert run_cli("build", show=show).exit_code == 0
    episode = show / "episodes" / "002-second" / "episode.md"
    episode.write_text(episode.read_text().replace("0b6e7c52-0002", "99999999-0002"))
    result = run_cli("check", show=show)
    assert result.exit_code == 1
    assert "episodes/002-second/episode.md: error: [LEDGER] the GUID of published episode 'second' changed" \
        in result.output
    episode.write_text("---\ntitle: [unclosed\n---\n")
    result = run_cli("check", "--format", "json", show=show)
    assert result.exit_code == 1
    (finding,) = json.loads(result.output)["findings"]
    assert finding["rule"] == "SOURCE" and finding["place"] == "episodes/002-second/episode.md:2"
    assert "malformed front matter" in finding["message"]


def test_a_paged_feed_is_checked_page_by_page(make_show: ShowMaker) -> None:
    show = make_show(settings={"feed": {"limit": 1}, "show": {"copyright": "© 2026 Tess"}})
    assert run_cli("build", show=show).exit_code == 0
    assert (show / "site" / "feed-2.xml").is_file()
    assert check_show(show).errors == []
    for page in ("feed.xml", "feed-2.xml"):
        report = check_feed(str(show / "site" / page))
        assert report.errors == [], [f.message for f in report.errors]
    page = show / "site" / "feed-2.xml"
    page.write_text(page.read_text().replace('rel="next"', 'rel="prev-archive"').replace(
        'rel="first"', 'rel="current"'))
    assert "PAGE" in {f.rule for f in check_feed(str(page)).findings}


def test_a_feed_over_one_megabyte_is_a_warning(make_show: ShowMaker, tmp_path: Path) -> None:
    """The README promises it: apps time out on feeds of several MB."""
    paragraph = "A long transcript-like paragraph of show notes that goes on. " * 40 + "\n\n"
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g1"},
                                "body": paragraph * 450}})
    result = run_cli("check", show=show)
    assert re.search(r"castnotes\.toml: warning: \[XML-SIZE\] the feed is 1\.\d MB \(\d+ bytes\); apps time out "
                     r"on feeds over 1 MB", result.output), result.output
    assert run_cli("build", show=show).exit_code == 0
    result = run_cli("check", str(show / "site" / "feed.xml"))
    assert "[XML-SIZE] the feed is 1." in result.output
    small = make_show(root=tmp_path / "small")
    assert "XML-SIZE" not in run_cli("check", show=small).output
