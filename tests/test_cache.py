"""The audio cache: a rebuild does not reopen unchanged audio; a changed file is read again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import ShowMaker

from castnotes.commands.build import BuildOptions, build


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
