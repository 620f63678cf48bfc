"""The audio cache: a rebuild does not reopen unchanged audio; a changed file is read again."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import ShowMaker, write_episode

from castnotes.commands.build import BuildOptions, build
from castnotes.read import audio_cache


def test_rebuild_reads_no_unchanged_audio(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show()
    assert build(show).audio_read == 2
    assert build(show).audio_read == 0
    audio = show / "episodes" / "001-first" / "audio.mp3"
    shutil.copyfile(media["m4a"], show / "episodes" / "001-first" / "audio.m4a")
    audio.unlink()
    # The enclosure URL changes with the file name: the ledger wants that said out loud.
    result = build(show, BuildOptions(allow_change=("first",)))
    assert result.audio_read == 1
    first = next(e for e in result.show.episodes if e.slug == "first")
    assert first.enclosure.mime == "audio/x-m4a"


def test_changed_stamp_rereads(make_show: ShowMaker) -> None:
    show = make_show()
    build(show)
    audio = show / "episodes" / "002-second" / "audio.m4a"
    stat = audio.stat()
    os.utime(audio, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert build(show).audio_read == 1


def test_damaged_cache_is_ignored(make_show: ShowMaker) -> None:
    show = make_show()
    build(show)
    (show / ".castnotes" / "audio.json").write_text("{not json")
    (show / ".castnotes" / "episodes.bin").write_bytes(b"castnotes episode cache\n{not json\n\x80\x05broken")
    assert build(show).audio_read == 2


def add_episode(show: Path, media: dict[str, Path], folder: str, day: int) -> None:
    write_episode(show / "episodes" / folder, {"title": f"Added {folder}", "date": f"2026-02-{day:02d} 06:00",
                                               "guid": f"guid-{folder}"}, "Notes.\n")
    shutil.copyfile(media["mp3"], show / "episodes" / folder / "audio.mp3")


def test_a_new_episode_appends_to_the_journal_and_is_not_read_again(make_show: ShowMaker,
                                                                     media: dict[str, Path]) -> None:
    show = make_show()
    build(show)
    base = show / ".castnotes" / "audio.json"
    journal = show / ".castnotes" / audio_cache.JOURNAL_NAME
    before = base.read_bytes()
    assert not journal.exists()
    add_episode(show, media, "003-third", 1)
    assert build(show).audio_read == 1
    assert base.read_bytes() == before  # audio.json is not written again for one new file
    assert len(journal.read_text().splitlines()) == 1
    assert build(show).audio_read == 0  # its entry comes from the journal


def test_a_torn_journal_line_reads_that_file_again(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show()
    build(show)
    add_episode(show, media, "003-third", 1)
    build(show)
    journal = show / ".castnotes" / audio_cache.JOURNAL_NAME
    journal.write_text(journal.read_text()[:-20])  # a build stopped while appending
    notes = show / "episodes" / "003-third" / "episode.md"
    notes.write_text(notes.read_text() + "More notes.\n")  # loaded again: its audio is looked up
    assert build(show).audio_read == 1
    add_episode(show, media, "004-fourth", 2)  # appended after the torn line: still read back
    assert build(show).audio_read == 1
    assert build(show).audio_read == 0


def test_the_journal_is_merged_into_audio_json(make_show: ShowMaker, media: dict[str, Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audio_cache, "JOURNAL_MIN", 2)
    show = make_show()
    build(show)
    journal = show / ".castnotes" / audio_cache.JOURNAL_NAME
    for number in range(3, 6):
        add_episode(show, media, f"00{number}-added", number)
        assert build(show).audio_read == 1
    assert not journal.exists()  # the third new file went over the limit: all merged into audio.json
    assert len(json.loads((show / ".castnotes" / "audio.json").read_text())["files"]) == 5
    assert build(show).audio_read == 0
