"""Kept feed items (.castnotes/feed-items-*.bin): a build renders and checks only new and
changed items, and its feed and findings are those of a build without them."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ShowMaker, copy_demo, run_cli, write_episode

from castnotes.commands.build import BuildOptions, build as build_show, prepare_settings
from castnotes.output import feed_items
from castnotes.read.ledger import keep_published
from castnotes.read.show import load_show
from castnotes.read.status import select_episodes
from castnotes.render import rss

GOLDEN_FEED = Path(__file__).parent / "golden" / "demo-feed.xml"


def episodes(count: int = 5) -> dict[str, dict]:
    """Titles that break a rule (IT-TITLE: they start with the number), so items have findings."""
    made = {}
    for n in range(1, count + 1):
        made[f"{n:03d}-ep{n}"] = {
            "meta": {"title": f"Episode {n}", "date": f"2026-01-{n:02d} 06:00", "guid": f"guid-{n}"},
            "body": f"Notes for episode {n}.\n\n## Takeaways\n1. **Point.** Text {n}.\n"
                    + ("Notes may say xmlns=\"x\" and </item> in text.\n" if n == 2 else ""),
            "audio": "mp3" if n % 2 else "m4a",
        }
    return made


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The GUIDs of the items rendered by feedgen, build after build."""
    seen: list[str] = []
    add_item = rss.add_item

    def counting(fg, show, episode):  # noqa: ANN001, ANN202
        seen.append(episode.guid)
        return add_item(fg, show, episode)

    monkeypatch.setattr(rss, "add_item", counting)
    return seen


def build(show: Path, *args: str) -> str:
    result = run_cli("build", *args, show=show)
    assert result.exit_code == 0, result.output
    return result.output


def feeds(site: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(site.glob("feed*.xml"))}


def fresh_feeds(show: Path, tmp_path: Path, *args: str) -> dict[str, bytes]:
    """The feeds of the same show built with nothing kept."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(show, fresh, ignore=shutil.ignore_patterns("site", ".castnotes"))
    build(fresh, *args)
    return feeds(fresh / "site")


def kept_file(show: Path) -> Path:
    (path,) = (show / ".castnotes").glob("feed-items-*.bin")
    return path


def load(show_dir: Path):  # noqa: ANN201
    settings = prepare_settings(show_dir, BuildOptions())
    return select_episodes(keep_published(load_show(settings)))


# --- the bytes -------------------------------------------------------------------------------

@pytest.mark.parametrize("piece", [1, 2, 200])
def test_items_cut_from_pieces_make_feedgens_document(tmp_path: Path, make_show: ShowMaker, piece: int) -> None:
    """The demo (chapters, people, transcripts, trailer) and a generated show, items rendered
    alone, in twos or all together: the channel around them is feedgen's whole document."""
    shows = [load(copy_demo(tmp_path / "demo")),
             load(make_show(episodes(7), settings={"feed": {"limit": 3}}))]
    for show in shows:
        for document in rss.plan_feeds(show):
            whole = rss.render_feed(show, document.episodes, self_url=document.self_url,
                                    paging=list(document.paging))
            head, tail = rss.render_channel(show, document)
            items: list[bytes] = []
            for start in range(0, len(document.episodes), piece):
                chunk = document.episodes[start:start + piece]
                (part,) = rss.render_parts(show, document, chunk)
                cut = rss.cut_items(part, head, tail, len(chunk))
                assert cut is not None and len(cut) == len(chunk)
                assert rss.cut_items(part, head, tail, len(chunk) + 1) is None
                items += cut
            assert b"".join([head, *items, tail]) == whole


def test_the_demo_feed_from_kept_items_is_the_golden_one(tmp_path: Path, rendered: list[str]) -> None:
    show = copy_demo(tmp_path / "demo")
    build(show)
    assert (show / "site" / "feed.xml").read_bytes() == GOLDEN_FEED.read_bytes()
    notes = next((show / "episodes").glob("003-*")) / "episode.md"
    notes.write_text(notes.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    rendered.clear()
    build(show)
    assert len(rendered) == 1
    assert (show / "site" / "feed.xml").read_bytes() == fresh_feeds(show, tmp_path)["feed.xml"]
    assert (show / "site" / "feed.xml").read_bytes() != GOLDEN_FEED.read_bytes()


def add_episode_6(show: Path, mp3: Path) -> None:
    folder = show / "episodes" / "006-ep6"
    write_episode(folder, {"title": "Episode 6", "date": "2026-01-06 06:00", "guid": "guid-6"}, "New.\n")
    shutil.copyfile(mp3, folder / "audio.mp3")


# --- what is rendered again ------------------------------------------------------------------

def test_an_edited_or_new_episode_is_the_only_item_rendered(make_show: ShowMaker, media: dict[str, Path],
                                                             tmp_path: Path, rendered: list[str]) -> None:
    show = make_show(episodes())
    build(show)
    assert sorted(rendered) == [f"guid-{n}" for n in range(1, 6)]
    notes = show / "episodes" / "003-ep3" / "episode.md"
    notes.write_text(notes.read_text().replace("Text 3.", "Text three, rewritten."))
    rendered.clear()
    build(show)
    assert rendered == ["guid-3"]
    assert feeds(show / "site") == fresh_feeds(show, tmp_path)
    add_episode_6(show, media["mp3"])
    rendered.clear()
    build(show)
    assert rendered == ["guid-6"]
    assert feeds(show / "site") == fresh_feeds(show, tmp_path)


def test_a_paged_feed_keeps_its_items_too(make_show: ShowMaker, media: dict[str, Path], tmp_path: Path,
                                          rendered: list[str]) -> None:
    show = make_show(episodes(), settings={"feed": {"limit": 2}})
    build(show)
    add_episode_6(show, media["mp3"])
    rendered.clear()
    build(show)
    assert rendered == ["guid-6"]
    built = feeds(show / "site")
    assert sorted(built) == ["feed-2.xml", "feed-3.xml", "feed.xml"]
    assert built == fresh_feeds(show, tmp_path)


@pytest.mark.parametrize("change", ["author", "title"])
def test_a_show_setting_items_show_renders_every_item(make_show: ShowMaker, tmp_path: Path,
                                                      rendered: list[str], change: str) -> None:
    show = make_show(episodes())
    build(show)
    config = show / "castnotes.toml"
    old = {"author": 'author = "Tess Ter"', "title": 'title = "Test Show"'}[change]
    config.write_text(config.read_text().replace(old, old[:-1] + ' Two"'))
    rendered.clear()
    build(show)
    assert len(rendered) == 5
    assert feeds(show / "site") == fresh_feeds(show, tmp_path)


def test_another_address_renders_every_item_and_keeps_its_own(make_show: ShowMaker, tmp_path: Path,
                                                              rendered: list[str]) -> None:
    show = make_show(episodes())
    build(show)
    rendered.clear()
    build(show, "--base-url", "https://staging.test.example/", "--output", str(tmp_path / "staged"))
    assert len(rendered) == 5
    assert b"https://staging.test.example/episodes/" in (tmp_path / "staged" / "feed.xml").read_bytes()
    assert len(list((show / ".castnotes").glob("feed-items-*.bin"))) == 2  # the real site's kept too


def test_item_inputs_see_the_address_and_the_version(make_show: ShowMaker,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    show = load(make_show(episodes()))
    inputs = rss.item_inputs(show)
    moved = replace(show.settings, show=replace(show.settings.show, url="https://other.example/"))
    assert rss.item_inputs(replace(show, settings=moved)) != inputs
    episode = show.episodes[0]
    assert rss.item_key(inputs, episode) != rss.item_key(inputs, replace(episode, title="Other"))
    assert rss.item_key(inputs, episode) != rss.item_key(inputs, replace(episode, body_html="<p>x</p>"))
    monkeypatch.setattr(rss, "GENERATOR", "castnotes 99.0")
    assert rss.item_inputs(show) != inputs


def test_another_castnotes_version_renders_every_item(make_show: ShowMaker, rendered: list[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    show = make_show(episodes())
    build(show)
    monkeypatch.setattr(feed_items, "__version__", "99.0")  # the kept file says another version
    notes = show / "episodes" / "001-ep1" / "episode.md"
    notes.write_text(notes.read_text() + "\nMore.\n")
    rendered.clear()
    build(show)
    assert len(rendered) == 5


# --- a damaged file --------------------------------------------------------------------------

@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_file_of_kept_items_is_ignored(make_show: ShowMaker, tmp_path: Path, rendered: list[str],
                                                  damage: str) -> None:
    show = make_show(episodes())
    build(show)
    path = kept_file(show)
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        middle = len(data) // 3  # inside an item's bytes: only the checksum tells
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x20]) + data[middle + 1:])
    elif damage == "garbage":
        path.write_bytes(b"\x00\xff not a cache\n{}\n")
    else:
        path.write_bytes(b"")
    damaged = path.read_bytes()
    notes = show / "episodes" / "002-ep2" / "episode.md"
    notes.write_text(notes.read_text() + "\nMore.\n")
    rendered.clear()
    build(show)
    assert len(rendered) == 5
    assert feeds(show / "site") == fresh_feeds(show, tmp_path)
    assert kept_file(show).read_bytes() != damaged
    rendered.clear()
    notes.write_text(notes.read_text() + "\nAgain.\n")
    build(show)
    assert rendered == ["guid-2"]  # the file was written anew


def test_a_piece_that_does_not_cut_into_items_is_built_whole(make_show: ShowMaker, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             rendered: list[str]) -> None:
    """The fallback: the document rendered and checked in pieces, as before, and nothing kept."""
    import castnotes.commands.check as check

    show = make_show(episodes())
    monkeypatch.setattr(check, "cut_items", lambda *args: None)
    build(show)
    assert feeds(show / "site") == fresh_feeds(show, tmp_path)
    assert kept_file(show).stat().st_size < 200  # an index and a trailer, no item
    monkeypatch.undo()


# --- the findings ----------------------------------------------------------------------------

def warnings_of(show: Path) -> list[str]:
    result = build_show(show)
    return sorted(p.format(show) for p in result.check_warnings)


def test_kept_findings_are_a_fresh_checks(make_show: ShowMaker, tmp_path: Path) -> None:
    show = make_show(episodes())
    cold = warnings_of(show)
    assert sum("[IT-TITLE]" in line for line in cold) == 5
    notes = show / "episodes" / "004-ep4" / "episode.md"
    notes.write_text(notes.read_text() + "\nMore.\n")
    assert warnings_of(show) == cold
    # A comment line at the top of the front matter: the episode is the same, its lines are not.
    notes.write_text(notes.read_text().replace("---\n", "---\n# a comment\n", 1))
    warm = warnings_of(show)
    assert warm != cold
    fresh = tmp_path / "fresh"
    shutil.copytree(show, fresh, ignore=shutil.ignore_patterns("site", ".castnotes"))
    assert [line.replace(str(fresh), str(show)) for line in warnings_of(fresh)] == warm
    assert any("004-ep4/episode.md:3" in line and "[IT-TITLE]" in line for line in warm)


def test_an_items_key_takes_the_builds_stamps_of_its_files(make_show: ShowMaker) -> None:
    """commands/check.py key_of: the [size, mtime] the build stamped before reading a file, else a stat."""
    import os

    from castnotes.commands.check import ShowFeedLint
    show = load(make_show(episodes(2)))
    episode = show.episodes[0]
    context = rss.item_inputs(show)
    notes = os.fspath(episode.source_path)
    audio = os.fspath(episode.enclosure.source_path)
    st_notes, st_audio = os.stat(notes), os.stat(audio)
    stamped = {notes: [st_notes.st_size, st_notes.st_mtime_ns], audio: [st_audio.st_size, st_audio.st_mtime_ns]}
    assert ShowFeedLint(show, stamps=stamped).key_of(context, episode) == ShowFeedLint(show).key_of(context, episode)
    edited = {**stamped, notes: [st_notes.st_size, st_notes.st_mtime_ns + 1]}
    assert ShowFeedLint(show, stamps=edited).key_of(context, episode) != ShowFeedLint(show).key_of(context, episode)
    gone = {**stamped, audio: [-1, -1]}  # absent when stamped
    assert ShowFeedLint(show, stamps=gone).key_of(context, episode) != ShowFeedLint(show).key_of(context, episode)
