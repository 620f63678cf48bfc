"""Issue 11: import, then build, with no edit, for every feed apps can read.

The feeds are tests/data/import/ (see its README.md and tests/data/SOURCES.md). One test per
numbered point of the issue (test_01_... to test_19_...), one for build versus check, and one
that imports and builds every feed.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from conftest import run_cli, tree_digest
from httpserver import serve
from test_import_roundtrip import NOW, offline, routed_to

from castnotes.commands.build import BuildOptions, build
from castnotes.commands.importer import ImportOptions, ImportResult, import_show
from castnotes.commands.scaffold import init_show
from castnotes.errors import CastnotesError
from castnotes.read.frontmatter import parse_document

DATA = Path(__file__).parent / "data" / "import"
PODCAST_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")  # the Podcasting 2.0 spec's
FEEDS = sorted(p.name for p in DATA.glob("*.xml"))


def imported(name: str, show: Path, *, text: str | None = None, merge: bool = False,
             opener: Any = offline) -> ImportResult:
    """Import tests/data/import/NAME (or `text`, saved beside the show under that name)."""
    source = DATA / name
    if text is not None:
        source = show.parent / name
        source.write_text(text, encoding="utf-8")
    return import_show(str(source), show, ImportOptions(merge=merge), opener=opener, now=NOW)


def built(show: Path, **options: Any) -> tuple[Any, str]:
    """Build as `castnotes build` does (at NOW); the result and the feed's text."""
    result = build(show, BuildOptions(now=NOW, **options))
    return result, (show / "site" / "feed.xml").read_text(encoding="utf-8")


def episodes(show: Path) -> dict[str, dict]:
    """Front matter of every episode, by folder name."""
    return {p.parent.name: dict(parse_document(p.read_text(encoding="utf-8"), p).meta)
            for p in sorted((show / "episodes").glob("*/episode.md"))}


def messages(result: Any) -> str:
    problems = getattr(result, "problems", None) or getattr(result, "warnings", ())
    return "\n".join(p.message for p in problems)


def items(feed: str) -> list[str]:
    return re.findall(r"<item>.*?</item>", feed, re.S)


def check_json(target: str | Path, *, show: Path | None = None) -> tuple[int, list[dict]]:
    result = run_cli("check", *([str(target)] if target else []), "--format", "json", show=show)
    return result.exit_code, json.loads(result.output)["findings"]


# --- build versus check -------------------------------------------------------------------------

def test_directory_policy_warns_in_build_and_fails_check_and_strict(tmp_path: Path) -> None:
    show = tmp_path / "show"
    imported("noext.xml", show)
    code, findings = check_json("", show=show)
    assert code == 1 and {"IT-ENC-2"} <= {f["rule"] for f in findings if f["severity"] == "error"}
    strict = run_cli("build", "--strict", show=show)
    assert strict.exit_code == 1 and "error: [IT-ENC-2]" in strict.output
    assert not (show / "site").exists()
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "episodes/001-one/episode.md:" in result.output and "warning: [IT-ENC-2]" in result.output
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "| `IT-ENC-2` | error | warning (error with `--strict`) |" in readme
    assert "| `IT-GUID-1` | error | stops it |" in readme


# --- identity and GUIDs ---------------------------------------------------------------------------

def test_01_an_item_without_guid_gets_its_enclosure_url(tmp_path: Path) -> None:
    show = tmp_path / "show"
    result = imported("noguid.xml", show)
    assert [o.status for o in result.outcomes] == ["imported"] * 4, "items sharing a <link> are all kept"
    assert {o.guid for o in result.outcomes} == {f"https://cdn.noguid.example.org/ep{n}.mp3" for n in (1, 2, 3, 4)}
    assert messages(result).count("its GUID is now its enclosure URL") == 4
    _, feed = built(show)
    assert len(items(feed)) == 4
    assert '<guid isPermaLink="false">https://cdn.noguid.example.org/ep4.mp3</guid>' in feed
    # `check` says the same thing about a feed without GUIDs
    code, findings = check_json(DATA / "noguid.xml")
    assert any(f["rule"] == "IT-GUID-1" and "enclosure URL" in f["message"] for f in findings)


def test_02_the_implicit_podcast_guid_carries_over(tmp_path: Path) -> None:
    show = tmp_path / "show"
    imported("implicit.xml", show)
    expected = str(uuid.uuid5(PODCAST_NAMESPACE, "feeds.oldhost.example/p20.xml"))
    assert f'guid = "{expected}"' in (show / "castnotes.toml").read_text()
    _, feed = built(show)
    assert f"<podcast:guid>{expected}</podcast:guid>" in feed
    # a saved feed naming no address of its own: the implicit podcast:guid is unknown, and said so
    result = imported("noguid.xml", tmp_path / "saved")
    assert "its implicit podcast:guid is unknown: import it from its URL to keep it" in messages(result)


def test_03_importing_into_an_existing_show_lists_differences_and_needs_merge(tmp_path: Path) -> None:
    show = tmp_path / "show"
    init_show(show, now=NOW)
    before = tree_digest(show)
    with pytest.raises(CastnotesError) as refused:
        imported("p20.xml", show)
    listed = "\n".join(p.message for p in refused.value.problems)
    for label in ("title:", "podcast:guid:", "podcast:locked:", "owner:", "funding:", "categories:"):
        assert label in listed
    assert "'P20 Show'" in listed and "917393e3-1b1e-5cef-ace4-edaa54e1f810" in listed
    assert any("--merge" in (p.hint or "") for p in refused.value.problems)
    assert tree_digest(show) == before, "a refused import writes nothing"

    merged = imported("p20.xml", show, merge=True)
    assert "--merge keeps castnotes.toml: title" in messages(merged)
    assert sorted(p.name for p in (show / "episodes").iterdir()) == ["001-one", "_001-welcome"]
    _, feed = built(show)
    assert "Welcome to the show" not in feed and len(items(feed)) == 1


def test_04_podcast_locked_keeps_its_own_owner(tmp_path: Path) -> None:
    show = tmp_path / "show"
    imported("p20.xml", show)
    settings = (show / "castnotes.toml").read_text()
    assert 'locked_owner = "transfer@p20.example.org"' in settings
    assert 'email = "owner@p20.example.org"' in settings
    _, feed = built(show)
    assert '<podcast:locked owner="transfer@p20.example.org">yes</podcast:locked>' in feed


def test_05_is_permalink_is_kept(tmp_path: Path) -> None:
    text = (DATA / "p20.xml").read_text()
    item = re.search(r"<item>.*?</item>", text, re.S).group()
    flagged = [item.replace('<guid isPermaLink="false">p20-1</guid>',
                            f'<guid isPermaLink="true">https://p20.example.org/e/{n}</guid>' if n == 2 else
                            f"<guid>https://p20.example.org/e/{n}</guid>" if n == 3 else
                            f'<guid isPermaLink="false">p20-{n}</guid>').replace("1.mp3", f"{n}.mp3")
               for n in (1, 2, 3)]
    show = tmp_path / "show"
    imported("permalink.xml", show, text=text.replace(item, "\n".join(flagged)))
    _, feed = built(show)
    assert '<guid isPermaLink="false">p20-1</guid>' in feed
    assert '<guid isPermaLink="true">https://p20.example.org/e/2</guid>' in feed
    assert '<guid isPermaLink="true">https://p20.example.org/e/3</guid>' in feed, "RSS's default is true"


# --- dates ----------------------------------------------------------------------------------------

def test_06_dates_are_read_as_apps_read_them(tmp_path: Path) -> None:
    show = tmp_path / "show"
    result = imported("dates.xml", show)
    dates = {meta["guid"]: meta["date"] for meta in episodes(show).values()}
    utc = timezone.utc
    assert dates["d-1"] == datetime(1999, 12, 31, 23, 0, tzinfo=utc)
    assert dates["d-2"] == datetime(2023, 1, 2, 10, 0, tzinfo=utc)
    assert dates["d-4"].isoformat() == "2023-01-04T10:00:00+02:00"
    assert dates["d-7"].isoformat() == "2023-01-09T10:00:00+01:00", "a German weekday"
    assert dates["d-8"] == datetime(2023, 1, 10, 10, 0, tzinfo=utc), "no seconds, no zone: UTC"
    assert "'Tue, 10 Jan 2023 10:00' names no time zone; read as UTC" in messages(result)
    assert "has no publish date; dated 2024-01-05T12:00:00+00:00, the feed's own date" in messages(result)
    assert "German date" not in "\n".join(line for line in messages(result).splitlines() if "no publish date" in line)
    # RFC 2822: a two-digit year 70 is 1970, not 2070 (as feedparser reads it)
    imported("future.xml", tmp_path / "future")
    [first] = [m for m in episodes(tmp_path / "future").values() if m["guid"] == "f-1"]
    assert first["date"] == datetime(1970, 1, 1, 0, 0, tzinfo=utc)
    built(show)


def test_07_future_dates_of_published_episodes_are_kept(tmp_path: Path) -> None:
    show = tmp_path / "show"
    result = imported("future.xml", show)
    assert "is dated 2100-01-01T10:00:00+00:00, in the future" in messages(result)
    outcome, feed = built(show)
    assert len(items(feed)) == 2 and "Fri, 01 Jan 2100 10:00:00 +0000" in feed
    assert "already published (the old feed listed it): it stays in the feed" in messages(outcome)
    cli = run_cli("build", show=show)
    assert cli.exit_code == 0, cli.output
    future = run_cli("build", "--future", show=show)
    assert future.exit_code == 0, future.output
    code, findings = check_json("", show=show)
    assert not [f for f in findings if f["rule"] == "LEDGER"], "check agrees with build"
    listed = run_cli("list", show=show)
    assert re.search(r"2100-01-01 10:00\s+published", listed.output)


# --- enclosures, text, numbers --------------------------------------------------------------------

def test_08_no_duration_means_no_itunes_duration(tmp_path: Path) -> None:
    show = tmp_path / "show"
    imported("dates.xml", show)
    assert all("duration" not in meta["audio"] for meta in episodes(show).values())
    _, feed = built(show)
    assert "itunes:duration" not in feed and ">0<" not in feed
    imported("html.xml", tmp_path / "html")
    _, other = built(tmp_path / "html")
    assert "<itunes:duration>2700</itunes:duration>" in other


def test_09_extension_less_url_and_audio_mp3(tmp_path: Path) -> None:
    show = tmp_path / "show"
    result = imported("noext.xml", show)
    [meta] = episodes(show).values()
    assert meta["audio"]["url"] == "https://media.noext.example.org/download?id=1"
    assert meta["audio"]["type"] == "audio/mpeg"
    assert "does not end in a media file extension" in messages(result)
    assert "the enclosure type 'audio/mp3' is not one Apple lists" in messages(result)
    outcome, feed = built(show)
    assert '<enclosure url="https://media.noext.example.org/download?id=1" length="100" type="audio/mpeg"/>' in feed
    assert any(p.rule == "IT-ENC-2" and p.severity == "warning" for p in outcome.warnings)


def test_10_a_space_in_an_enclosure_url_is_encoded(tmp_path: Path) -> None:
    show = tmp_path / "show"
    result = imported("urls.xml", show)
    [meta] = [m for m in episodes(show).values() if m["guid"] == "u-1"]
    assert meta["audio"]["url"] == "https://cdn.urls.example.org/Folge%201.mp3"
    assert "holds spaces; the new feed writes them as %20" in messages(result)
    assert "has 2 enclosures" not in messages(result)
    _, feed = built(show)
    assert '<guid isPermaLink="false">u-1</guid>' in feed and "Folge%201.mp3" in feed


def test_11_two_items_with_one_enclosure_url(tmp_path: Path) -> None:
    show = tmp_path / "show"
    result = imported("sameurl.xml", show)
    assert [o.status for o in result.outcomes] == ["imported", "imported"]
    assert "has the same audio as item 1 ('Rerun')" in messages(result)
    outcome, feed = built(show)
    assert len(items(feed)) == 2
    assert any(p.rule == "IT-ENC-5" and p.severity == "warning" for p in outcome.warnings)


def test_12_control_characters(tmp_path: Path) -> None:
    show = tmp_path / "show"
    result = imported("ctrl.xml", show)
    assert "its title held control characters (U+000B)" in messages(result)
    [(folder, meta)] = episodes(show).items()
    assert meta["title"] == "Verticaltab"
    built(show)
    path = show / "episodes" / folder / "episode.md"
    text = path.read_text()
    path.write_text(text.replace("title: Verticaltab", 'title: "Vertical\\vtab"'))
    line = 1 + text.split("\n").index("title: Verticaltab")
    cli = run_cli("build", show=show)
    assert cli.exit_code == 1 and "internal error" not in cli.output
    assert f"episodes/{folder}/episode.md:{line}: error: title: holds the control character U+000B" in cli.output
    path.write_text(text + "notes with a \x08 backspace\n")
    raw = run_cli("build", show=show)
    assert raw.exit_code == 1 and "U+0008" in raw.output and "internal error" not in raw.output
    # from a file beside episode.md rather than the front matter: the episode and field are named
    path.write_text(text)
    (path.parent / "chapters.json").write_text('{"version": "1.2.0", "chapters": '
                                               '[{"startTime": 0, "title": "A\\u000bB"}]}')
    beside = run_cli("build", show=show)
    assert beside.exit_code == 1 and "internal error" not in beside.output
    assert f"episodes/{folder}/episode.md: error: chapters[0].title holds the control character U+000B" \
        in beside.output


def test_13_itunes_title_is_kept(tmp_path: Path) -> None:
    show = tmp_path / "show"
    imported("p20.xml", show)
    [meta] = episodes(show).values()
    assert (meta["title"], meta["itunes_title"]) == ("One", "One (short)")
    _, feed = built(show)
    assert "<title>One</title>" in feed and "<itunes:title>One (short)</itunes:title>" in feed


def test_14_the_short_description_becomes_the_summary(tmp_path: Path) -> None:
    show = tmp_path / "show"
    imported("html.xml", show)
    [meta] = episodes(show).values()
    assert meta["summary"] == "Short plain description."
    _, feed = built(show)
    assert "Short plain description." in feed


def test_15_podcast_chapters_url_wins_over_psc(tmp_path: Path) -> None:
    show = tmp_path / "show"
    result = imported("psc.xml", show)
    by_guid = {m["guid"]: m for m in episodes(show).values()}
    assert by_guid["p-2"]["chapters"] == "https://psc.example.org/2/chapters.json"
    assert isinstance(by_guid["p-1"]["chapters"], list), "psc alone stays inline"
    assert "has both psc:chapters and podcast:chapters; kept the podcast:chapters file" in messages(result)
    _, feed = built(show)
    assert 'url="https://psc.example.org/2/chapters.json"' in feed


def test_16_slugs_keep_title_digits_and_numbers_never_repeat(tmp_path: Path) -> None:
    show = tmp_path / "show"
    imported("slugs.xml", show)
    assert sorted(episodes(show)) == ["001-episode-3", "002-episode-3-2", "003-episode-2"]
    built(show)
    serial = tmp_path / "serial"
    result = imported("numbers.xml", serial)
    numbers = {m["guid"]: m.get("number") for m in episodes(serial).values()}
    assert numbers["n-1"] == 3 and numbers["n-1"] not in (numbers["n-2"], numbers["n-3"])
    assert "is number 3, the first number after its place (2) that no other episode has" in messages(result)
    built(serial)


def test_17_the_site_url_has_no_query_or_fragment(tmp_path: Path) -> None:
    show = tmp_path / "show"
    imported("qlink.xml", show)
    settings = (show / "castnotes.toml").read_text()
    assert 'url = "https://qlink.example.org/show"' in settings
    built(show)
    (show / "castnotes.toml").write_text(settings.replace('url = "https://qlink.example.org/show"',
                                                          'url = "https://qlink.example.org/?ref=rss"'))
    cli = run_cli("build", show=show)
    assert cli.exit_code == 1
    assert re.search(r"castnotes.toml:\d+: error: \[show\] url 'https://qlink.example.org/\?ref=rss' holds a "
                     r"query or fragment", cli.output)


def test_18_atom_logo_old_categories_and_person_roles(tmp_path: Path, media: dict[str, Path]) -> None:
    from PIL import Image

    art = tmp_path / "logo.jpg"
    Image.new("RGB", (1400, 1400), (200, 40, 40)).save(art, quality=80)
    with serve({"/logo.jpg": ("image/jpeg", art.read_bytes())}) as server:
        show = tmp_path / "show"
        result = imported("atom-good.xml", show, opener=routed_to(server))
    assert result.artwork == "artwork.jpg" and (show / "artwork.jpg").read_bytes() == art.read_bytes()
    built(show)

    text = (DATA / "p20.xml").read_text().replace(
        '<itunes:category text="Technology"/>',
        '<itunes:category text="Games &amp; Hobbies"><itunes:category text="Video Games"/></itunes:category>'
        '<itunes:category text="Technology"><itunes:category text="Podcasting"/></itunes:category>'
        '<podcast:person role="chief" href="https://p20.example.org/ada">Ada Host</podcast:person>'
    ).replace("<itunes:duration>60</itunes:duration>",
              '<itunes:duration>60</itunes:duration><podcast:person role="visitor">Gus Guest</podcast:person>')
    old = tmp_path / "old"
    result = imported("old.xml", old, text=text)
    settings = (old / "castnotes.toml").read_text()
    assert 'categories = ["Leisure/Video Games", "Technology"]' in settings
    assert "category 'Games & Hobbies/Video Games' is Apple's name from before 2019" in messages(result)
    assert re.search(r'hosts = \[\{ name = "Ada Host", href = "https://p20.example.org/ada" \}\]', settings)
    [meta] = episodes(old).values()
    assert meta["guests"] == [{"name": "Gus Guest"}]
    _, feed = built(old)
    assert re.search(r'<podcast:person[^>]*role="host"[^>]*>Ada Host<', feed)
    assert re.search(r'<podcast:person[^>]*role="guest"[^>]*>Gus Guest<', feed)


def test_19_reimport_reports_only_what_it_touches_and_check_runs_every_rule(tmp_path: Path) -> None:
    show = tmp_path / "show"
    first = imported("noguid.xml", show)
    assert "has no <guid>" in messages(first)
    again = imported("noguid.xml", show)
    assert {o.status for o in again.outcomes} == {"present"}
    assert "item " not in messages(again)
    code, findings = check_json(DATA / "ctrl.xml")
    rules = {f["rule"] for f in findings}
    assert code == 1 and "XML-1" in rules and {"CH-IMG-1", "CH-OWNER", "IT-DUR"} <= rules


def test_a_guid_used_twice_keeps_the_first_and_case_matters(tmp_path: Path) -> None:
    show = tmp_path / "show"
    result = imported("dupguid.xml", show)
    kept = {m["guid"]: m["title"] for m in episodes(show).values()}
    assert kept == {"ep-1": "Third (reuses ep1 guid)", "ep-2": "Second", "EP-2": "Second again, case"}
    assert "has the same GUID as item 1 ('Third (reuses ep1 guid)')" in messages(result)
    built(show)


# --- every feed ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FEEDS)
def test_every_feed_imports_then_builds_with_no_edit(name: str, tmp_path: Path) -> None:
    show = tmp_path / "show"
    if name == "junk.xml":
        with pytest.raises(CastnotesError) as refused:
            imported(name, show)
        assert len(refused.value.problems) == 1 and "not a podcast feed" in refused.value.problems[0].message
        assert not show.exists()
        return
    result = imported(name, show)
    assert result.created
    cli = run_cli("build", show=show)
    assert cli.exit_code == 0, cli.output
    root = etree.parse(str(show / "site" / "feed.xml")).getroot()
    assert sorted(g.text for g in root.iter("guid")) == \
        sorted(o.guid for o in result.outcomes if o.status == "imported")


def test_a_feed_imported_by_url_gets_its_lengths(tmp_path: Path) -> None:
    data = (DATA / "urlfeed.xml").read_bytes()
    with serve({"/urlfeed.xml": ("application/rss+xml", data), "/audio/ep1.mp3": ("audio/mpeg", b"1" * 1234),
                "/audio/ep2.mp3": ("audio/mpeg", b"2" * 2345)}) as server:
        show = tmp_path / "show"
        result = import_show("http://127.0.0.1:8765/urlfeed.xml", show, opener=routed_to(server), now=NOW)
    lengths = {m["guid"]: m["audio"]["length"] for m in episodes(show).values()}
    assert lengths == {"r-1": 1234, "r-2": 2345}
    assert result.created == ("001-relative-enclosure-no-length", "002-absolute-length-0")
    # the implicit podcast:guid comes from the URL imported from, as given (scheme left out)
    implicit = uuid.uuid5(PODCAST_NAMESPACE, "127.0.0.1:8765/urlfeed.xml")
    assert f'guid = "{implicit}"' in (show / "castnotes.toml").read_text()
    _, feed = built(show)
    assert re.search(r'url="http://127\.0\.0\.1:\d+/audio/ep1\.mp3" length="1234"', feed)
    assert 'url="http://127.0.0.1:8765/audio/ep2.mp3" length="2345"' in feed
