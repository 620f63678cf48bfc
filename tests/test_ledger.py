"""The GUID ledger: a published episode's GUID, enclosure URL and date never change by accident."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from pathlib import Path

import pytest
from conftest import ShowMaker, run_cli, tree_digest

from castnotes.errors import CastnotesError
from castnotes.output.ledger import append_entries
from castnotes.read.ledger import LEDGER_NAME, LedgerEntry, load_ledger

FIRST = "0b6e7c52-0001-4a0e-9e0e-000000000001"
SECOND = "0b6e7c52-0002-4a0e-9e0e-000000000002"


def records(show: Path) -> list[dict]:
    return [json.loads(line) for line in (show / LEDGER_NAME).read_text().splitlines()]


EPISODES = {
    "001-first": {"meta": {"title": "First steps", "date": "2026-01-05 06:00", "guid": FIRST}},
    "002-second": {"meta": {"title": "Second wind", "date": "2026-01-12 06:00", "guid": SECOND},
                   "audio": "m4a"},
}


@pytest.fixture
def published(make_show: ShowMaker) -> Path:
    show = make_show(episodes=EPISODES)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert [(r["kind"], r["slug"], r["guid"]) for r in records(show)] == [
        ("published", "second", SECOND), ("published", "first", FIRST)]
    assert records(show)[1]["url"] == "https://test.example/media/first/audio.mp3"
    assert records(show)[1]["date"] == "2026-01-05T06:00:00+00:00"
    return show


def refused(show: Path, *args: str) -> str:
    """Build, expect the ledger to refuse, and check that nothing was written."""
    site, ledger = tree_digest(show / "site"), (show / LEDGER_NAME).read_bytes()
    result = run_cli("build", *args, show=show)
    assert result.exit_code == 1, result.output
    assert "[LEDGER]" in result.output and "nothing was written" in result.output
    assert tree_digest(show / "site") == site
    assert (show / LEDGER_NAME).read_bytes() == ledger
    return result.output


def test_renamed_folder_is_refused_then_allowed(published: Path) -> None:
    (published / "episodes" / "001-first").rename(published / "episodes" / "001-beginning")
    output = refused(published)
    assert "episodes/001-beginning/episode.md: error: [LEDGER] published episode 'first' (now 'beginning')" \
        in output
    assert "enclosure URL https://test.example/media/first/audio.mp3 -> " \
           "https://test.example/media/beginning/audio.mp3" in output
    assert "--allow-change beginning" in output
    result = run_cli("build", "--allow-change", "beginning", show=published)
    assert result.exit_code == 0, result.output
    last = records(published)[-1]
    assert (last["kind"], last["guid"], last["slug"]) == ("changed", FIRST, "beginning")
    assert last["url"] == "https://test.example/media/beginning/audio.mp3"
    assert "slug first -> beginning" in last["note"] and "--allow-change" in last["note"]
    assert run_cli("build", show=published).exit_code == 0  # the new URL is now the published one


def test_changed_guid_is_refused_then_allowed(published: Path) -> None:
    episode = published / "episodes" / "002-second" / "episode.md"
    episode.write_text(episode.read_text().replace(SECOND, "9f9f9f9f-0002-4a0e-9e0e-000000000002"))
    output = refused(published)
    assert f"the GUID of published episode 'second' changed from '{SECOND}'" in output
    assert f"put back `guid: {SECOND}`, or run with --allow-change second" in output
    assert "episodes/002-second/episode.md" in output
    assert run_cli("build", "--allow-change", "second", show=published).exit_code == 0
    kinds = [(r["kind"], r["guid"]) for r in records(published)[2:]]
    assert kinds == [("removed", SECOND), ("published", "9f9f9f9f-0002-4a0e-9e0e-000000000002")]
    assert "GUID replaced by 9f9f9f9f" in records(published)[2]["note"]


def test_deleted_episode_is_refused_then_allowed(published: Path) -> None:
    shutil.rmtree(published / "episodes" / "001-first")
    output = refused(published)
    assert f"published episode 'first' (GUID {FIRST}) is no longer in the feed" in output
    assert f"{LEDGER_NAME}: error: [LEDGER]" in output
    assert "--allow-change first to remove it on purpose" in output
    assert run_cli("build", "--allow-change", FIRST, show=published).exit_code == 0  # by GUID works too
    assert records(published)[-1]["kind"] == "removed"
    assert FIRST not in load_ledger(published)
    assert run_cli("build", show=published).exit_code == 0


def test_changed_media_base_url_is_refused_for_every_episode(published: Path) -> None:
    settings = published / "castnotes.toml"
    settings.write_text(settings.read_text() + '\n[media]\nbase_url = "https://media.test.example/"\n')
    output = refused(published)
    for slug in ("first", "second"):
        assert f"published episode '{slug}' changed: enclosure URL https://test.example/media/{slug}/" in output
        assert f"--allow-change {slug}" in output
    assert run_cli("build", "--allow-change", "*", show=published).exit_code == 0
    changed = records(published)[2:]
    assert {(r["kind"], r["slug"]) for r in changed} == {("changed", "first"), ("changed", "second")}
    assert all(r["url"].startswith("https://media.test.example/") for r in changed)


def test_moved_date_is_refused(published: Path) -> None:
    episode = published / "episodes" / "001-first" / "episode.md"
    episode.write_text(episode.read_text().replace("2026-01-05 06:00", "2026-01-06 06:00"))
    output = refused(published)
    assert "date 2026-01-05T06:00:00+00:00 -> 2026-01-06T06:00:00+00:00" in output


def test_same_date_in_another_zone_is_no_change(published: Path) -> None:
    episode = published / "episodes" / "001-first" / "episode.md"
    episode.write_text(episode.read_text().replace("2026-01-05 06:00", "2026-01-05 08:00:00+02:00"))
    assert run_cli("build", show=published).exit_code == 0
    assert len(records(published)) == 2


def test_published_episode_turned_draft_is_refused(published: Path) -> None:
    episode = published / "episodes" / "001-first" / "episode.md"
    episode.write_text(episode.read_text().replace("title:", "draft: true\ntitle:"))
    output = refused(published)
    assert "published episode 'first' (GUID 0b6e7c52-0001-4a0e-9e0e-000000000001) is now a draft" in output


def test_drafts_future_and_staging_builds_are_never_recorded(make_show: ShowMaker) -> None:
    show = make_show(episodes={
        "001-first": {"meta": {"title": "First", "date": "2026-01-05 06:00", "guid": FIRST}},
        "002-draft": {"meta": {"title": "Draft", "date": "2026-01-06 06:00", "guid": "d", "draft": True}},
        "003-later": {"meta": {"title": "Later", "date": "2099-01-01 06:00", "guid": "f"}},
    })
    result = run_cli("build", "--drafts", "--future", show=show)
    assert result.exit_code == 0, result.output
    assert [r["guid"] for r in records(show)] == [FIRST]
    (show / LEDGER_NAME).unlink()
    assert run_cli("build", "--base-url", "https://staging.test.example/", show=show).exit_code == 0
    assert not (show / LEDGER_NAME).exists()


def test_staging_build_neither_checks_nor_records(published: Path) -> None:
    shutil.rmtree(published / "episodes" / "001-first")
    before = (published / LEDGER_NAME).read_bytes()
    result = run_cli("build", "--base-url", "https://staging.test.example/", "-o",
                     str(published / "staging"), show=published)
    assert result.exit_code == 0, result.output
    assert "ledger       not used" in result.output
    assert (published / LEDGER_NAME).read_bytes() == before


def test_imported_records_count_as_published(make_show: ShowMaker) -> None:
    show = make_show(episodes=EPISODES)
    append_entries(show, [LedgerEntry(guid=FIRST, slug="first", url="https://old-host.example/ep1.mp3",
                                      date="2026-01-05T06:00:00+00:00", kind="imported", recorded="x")])
    output = refused(show)
    assert "enclosure URL https://old-host.example/ep1.mp3 -> https://test.example/media/first/audio.mp3" in output
    assert run_cli("build", "--allow-change", "first", show=show).exit_code == 0
    assert [r["kind"] for r in records(show)] == ["imported", "changed", "published"]


def test_unknown_allow_change_name_is_an_error(published: Path) -> None:
    output = refused(published, "--allow-change", "frist")
    assert "--allow-change frist: no episode has this slug or GUID" in output


def test_torn_last_line_is_reported(published: Path) -> None:
    with (published / LEDGER_NAME).open("ab") as fh:
        fh.write(b'{"guid": "abc", "slug": "x", "ur')
    result = run_cli("build", show=published)
    assert result.exit_code == 1
    assert f"{LEDGER_NAME}:3: error: the last line is incomplete" in result.output
    assert "delete that line" in result.output


def test_append_after_a_torn_line_starts_a_new_line(tmp_path: Path) -> None:
    (tmp_path / LEDGER_NAME).write_bytes(b'{"guid": "a", "slug": "a", "url": "u", "date": "d"}\n{"gu')
    append_entries(tmp_path, [LedgerEntry("b", "b", "u", "d", recorded="r")])
    lines = (tmp_path / LEDGER_NAME).read_text().splitlines()
    assert lines[1] == '{"gu' and json.loads(lines[2])["guid"] == "b"
    with pytest.raises(CastnotesError) as caught:
        load_ledger(tmp_path)
    assert "not a ledger record" in caught.value.problems[0].message


def _append_many(args: tuple[str, int]) -> None:
    root, worker = args
    for n in range(50):
        append_entries(Path(root), [LedgerEntry(f"g{worker}-{n}", f"s{n}", "https://x/" + "u" * 300, "d",
                                                recorded="r")])


def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_append_many, [(str(tmp_path), w) for w in range(4)])
    ledger = load_ledger(tmp_path)  # every line parses
    assert ledger.lines == 200 and len(ledger.latest) == 200


def test_a_record_made_meanwhile_is_not_repeated(tmp_path: Path) -> None:
    entry = LedgerEntry("g", "s", "u", "d", recorded="r")
    assert append_entries(tmp_path, [entry]) == 1
    assert append_entries(tmp_path, [entry]) == 0  # a concurrent build recorded it first
    assert len((tmp_path / LEDGER_NAME).read_text().splitlines()) == 1


def test_build_against_the_published_feed(published: Path, tmp_path: Path) -> None:
    """A show without its ledger (say, a fresh clone) is still guarded by --against."""
    shutil.copyfile(published / "site" / "feed.xml", tmp_path / "published.xml")
    (published / LEDGER_NAME).unlink()
    episode = published / "episodes" / "001-first" / "episode.md"
    episode.write_text(episode.read_text().replace("2026-01-05 06:00", "2026-01-04 06:00"))
    site = tree_digest(published / "site")
    result = run_cli("build", "--against", str(tmp_path / "published.xml"), show=published)
    assert result.exit_code == 1
    assert "episodes/001-first/episode.md:3: error: [PUB-DATE] published episode \"First steps\"" in result.output
    assert "moved its date by -24.0 hours" in result.output
    assert tree_digest(published / "site") == site and not (published / LEDGER_NAME).exists()
    result = run_cli("build", "--against", str(tmp_path / "published.xml"), "--allow-change", "first",
                     show=published)
    assert result.exit_code == 0, result.output


def test_a_deleted_ledger_is_a_loud_warning_and_rebuilt_from_the_feed(published: Path, tmp_path: Path) -> None:
    original = records(published)
    live_feed = tmp_path / "live-feed.xml"
    shutil.copyfile(published / "site" / "feed.xml", live_feed)
    (published / LEDGER_NAME).unlink()
    result = run_cli("check", show=published)
    assert "published.jsonl: warning: [LEDGER] published.jsonl is missing, but the built feed holds 2 " \
           "published episodes: they are no longer guarded" in result.output
    result = run_cli("ledger", "rebuild", str(live_feed), show=published)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Recorded 2 of 2 published episodes in published.jsonl."
    rebuilt = records(published)
    assert [(r["kind"], r["guid"], r["slug"], r["url"], r["date"]) for r in rebuilt] == [
        ("imported", r["guid"], r["slug"], r["url"], r["date"]) for r in original]
    # Guarded again: a changed GUID is refused, and a second rebuild adds nothing.
    md = published / "episodes" / "001-first" / "episode.md"
    md.write_text(md.read_text().replace(FIRST, "0b6e7c52-0001-4a0e-9e0e-00000000000f"))
    assert "the GUID of published episode 'first' changed" in refused(published)
    md.write_text(md.read_text().replace("0b6e7c52-0001-4a0e-9e0e-00000000000f", FIRST))
    again = run_cli("ledger", "rebuild", str(live_feed), show=published)
    assert "Recorded 0 of 2 published episodes in published.jsonl (2 were recorded already)." in again.output


def test_a_build_without_ledger_warns_before_recording_again(published: Path) -> None:
    (published / LEDGER_NAME).unlink()
    result = run_cli("build", show=published)
    assert result.exit_code == 0, result.output
    assert "warning: [LEDGER] published.jsonl is missing, but the built feed holds 2 published episodes" \
           in result.stderr
    assert "castnotes ledger rebuild FEED" in result.stderr
    assert len(records(published)) == 2


def test_ledger_rebuild_from_a_url(published: Path, tmp_path: Path) -> None:
    from siteserver import serve_site

    site = tmp_path / "live"
    shutil.copytree(published / "site", site)
    (published / LEDGER_NAME).unlink()
    with serve_site(site) as (base, _):
        result = run_cli("ledger", "rebuild", base + "feed.xml", show=published)
    assert result.exit_code == 0, result.output
    assert {r["slug"] for r in records(published)} == {"first", "second"}


def test_ledger_rebuild_refuses_what_is_not_a_feed(published: Path, tmp_path: Path) -> None:
    (tmp_path / "page.xml").write_text("<html/>")
    result = run_cli("ledger", "rebuild", str(tmp_path / "page.xml"), show=published)
    assert result.exit_code == 1
    assert "is not an RSS feed (no <channel>)" in result.stderr
