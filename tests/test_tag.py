"""`castnotes tag`: the notes go into the audio's own tags; the audio itself never changes."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import copy_demo, require_tool, run_cli, tree_digest
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from castnotes.audio import read_audio
from castnotes.commands import tag as tagger

# (episode folder, audio file, ffmpeg encoder options)
FORMATS = {
    "001-mp3": ("audio.mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]),
    "002-mp3-v23": ("audio.mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]),
    "003-m4a": ("audio.m4a", ["-c:a", "aac", "-b:a", "48k"]),
    "004-vorbis": ("audio.ogg", ["-c:a", "libvorbis", "-q:a", "2"]),
    "005-opus": ("audio.opus", ["-c:a", "libopus", "-b:a", "24k"]),
    "006-flac": ("audio.flac", ["-c:a", "flac"]),
}
CHAPTERS = [
    {"start": "0:00", "title": "Intro", "url": "https://test.example/intro"},
    {"start": "0:01", "title": "Main part", "img": "chapter.png"},
    {"start": "0:02", "title": "Hidden extra", "toc": False},
]


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 160, 60)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three seconds of tone in every taggable format, made with ffmpeg."""
    ffmpeg = require_tool("ffmpeg")
    folder = tmp_path_factory.mktemp("tag-sources")
    files = {}
    for name, (filename, options) in FORMATS.items():
        out = folder / f"{name}-{filename}"
        subprocess.run([ffmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
                        "-ac", "1", "-ar", "48000", "-map_metadata", "-1", *options, str(out)], check=True)
        files[name] = out
    return files


@pytest.fixture
def show(make_show, sources: dict[str, Path]) -> Path:
    episodes = {}
    for i, name in enumerate(FORMATS, start=1):
        episodes[name] = {
            "meta": {"title": f"Episode {i}: Ünïcode — ok", "date": f"2026-01-0{i} 06:00",
                     "guid": f"guid-{i}", "summary": f"Summary of episode {i}.", "chapters": CHAPTERS},
            "body": "Notes.\n",
            "audio": None,
        }
    root = make_show(episodes=episodes)
    for name, (filename, _) in FORMATS.items():
        shutil.copyfile(sources[name], root / "episodes" / name / filename)
        (root / "episodes" / name / "chapter.png").write_bytes(png_bytes())
    return root


def audio_path(show: Path, name: str) -> Path:
    return show / "episodes" / name / FORMATS[name][0]


def packets_md5(path: Path) -> str:
    """The audio stream's packets, as ffmpeg demuxes them (tags and container headers excluded)."""
    command = [require_tool("ffmpeg"), "-v", "error", "-i", str(path), "-map", "0:a", "-c", "copy",
               "-f", "md5", "-"]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def mp3_frames(path: Path) -> bytes:
    """The bytes after the ID3v2 tag(s) and before any ID3v1 tag: the MPEG frames themselves."""
    data = path.read_bytes()
    start = 0
    while data[start:start + 3] == b"ID3":
        start += 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(data[start + 6:start + 10]))
    end = len(data) - 128 if data[-128:-125] == b"TAG" else len(data)
    return data[start:end]


def test_tag_writes_the_notes_into_every_format(show: Path, media: dict[str, Path]) -> None:
    before = {name: packets_md5(audio_path(show, name)) for name in FORMATS}
    mp3_before = {name: mp3_frames(audio_path(show, name)) for name in ("001-mp3", "002-mp3-v23")}
    result = run_cli("tag", "001-mp3", "003-m4a", "004-vorbis", "005-opus", "006-flac", show=show)
    assert result.exit_code == 0, result.output
    result = run_cli("tag", "--id3v2.3", "002-mp3-v23", show=show)
    assert result.exit_code == 0, result.output
    cover = media["cover"].read_bytes()

    for name in FORMATS:
        path = audio_path(show, name)
        assert packets_md5(path) == before[name], f"{name}: the audio stream changed"
        i = list(FORMATS).index(name) + 1
        info, pictures = read_audio(path)
        assert info.title == f"Episode {i}: Ünïcode — ok"
        assert (info.artist, info.album, info.track) == ("Tess Ter", "Test Show", i)
        assert (info.date, info.comment) == (f"2026-01-0{i}", f"Summary of episode {i}.")
        assert pictures[info.art.sha256] == cover
    for name, frames in mp3_before.items():
        assert mp3_frames(audio_path(show, name)) == frames, f"{name}: MPEG frames changed"

    v24 = ID3(audio_path(show, "001-mp3"), translate=False)
    assert v24.version == (2, 4, 0)
    assert str(v24["TCON"]) == "Podcast" and v24.getall("WOAF")[0].url == "https://test.example/episodes/mp3/"
    v23 = ID3(audio_path(show, "002-mp3-v23"), translate=False)
    assert v23.version == (2, 3, 0) and str(v23["TYER"]) == "2026" and "TDRC" not in v23
    m4a = MP4(audio_path(show, "003-m4a")).tags
    assert m4a["\xa9gen"] == ["Podcast"] and m4a["trkn"] == [(3, 0)]
    assert bytes(m4a["----:com.apple.iTunes:WEBSITE"][0]) == b"https://test.example/episodes/m4a/"
    assert bytes(m4a["covr"][0]) == cover
    for name, kind in (("004-vorbis", OggVorbis), ("005-opus", OggOpus), ("006-flac", FLAC)):
        audio = kind(audio_path(show, name))
        assert audio["GENRE"] == ["Podcast"]
        assert audio["WEBSITE"] == [f"https://test.example/episodes/{name[4:]}/"]
        if kind is FLAC:
            assert [p.data for p in audio.pictures if p.type == 3] == [cover]
        else:
            [block] = audio["METADATA_BLOCK_PICTURE"]
            assert Picture(base64.b64decode(block)).data == cover


def test_chapters_read_back_the_same(show: Path) -> None:
    result = run_cli("tag", show=show)
    assert result.exit_code == 0, result.output
    chapter_png = png_bytes()
    info, pictures = read_audio(audio_path(show, "001-mp3"))
    duration = info.duration
    assert [(c.start, c.end, c.title, c.url, c.toc) for c in info.chapters] == [
        (0.0, 1.0, "Intro", "https://test.example/intro", True),
        (1.0, 2.0, "Main part", None, True),
        (2.0, round(duration, 3), "Hidden extra", None, False),
    ]
    assert pictures[info.chapters[1].image.sha256] == chapter_png
    for name in ("004-vorbis", "005-opus", "006-flac"):
        info, _ = read_audio(audio_path(show, name))
        assert [(c.start, c.title, c.url) for c in info.chapters] == [
            (0.0, "Intro", "https://test.example/intro"), (1.0, "Main part", None)]
    assert "hidden chapters (toc: false) are left out" in result.output
    assert "chapters cannot be written into MP4/M4A files" in result.output
    assert read_audio(audio_path(show, "003-m4a"))[0].chapters == ()


def test_second_run_changes_nothing(show: Path) -> None:
    assert run_cli("tag", show=show).exit_code == 0
    before = tree_digest(show / "episodes")
    result = run_cli("tag", show=show)
    assert result.exit_code == 0
    assert "Nothing to change: 6 audio files already carry the notes." in result.output
    assert tree_digest(show / "episodes") == before


def test_dry_run_prints_the_diff_and_writes_nothing(show: Path) -> None:
    before = tree_digest(show / "episodes")
    result = run_cli("tag", "--dry-run", "001-mp3", show=show)
    assert result.exit_code == 0
    assert "episodes/001-mp3/audio.mp3: 12 tags would change" in result.output
    assert "  title:\n    - (none)\n    + Episode 1: Ünïcode — ok" in result.output
    assert "  chapter 3:\n    - (none)\n    + 00:00:02.000 to" in result.output
    assert "run without --dry-run to write them" in result.output
    assert tree_digest(show / "episodes") == before
    # after a change to the notes, the diff names exactly that change
    run_cli("tag", "001-mp3", show=show)
    notes = show / "episodes" / "001-mp3" / "episode.md"
    notes.write_text(notes.read_text().replace("Summary of episode 1.", "A better summary."))
    result = run_cli("tag", "--dry-run", "001-mp3", show=show)
    assert "  comment:\n    - Summary of episode 1.\n    + A better summary.\n" in result.output
    assert "episodes/001-mp3/audio.mp3: 1 tag would change" in result.output


def test_a_failed_write_leaves_the_file_as_it_was(show: Path, monkeypatch) -> None:
    path = audio_path(show, "006-flac")
    original = hashlib.sha256(path.read_bytes()).hexdigest()

    def broken_writer(copy: Path, kind: str, tags: object, id3v23: bool = False) -> None:
        data = copy.read_bytes()
        copy.write_bytes(data[: len(data) // 3])  # a crash half-way through a write

    monkeypatch.setattr(tagger, "write_tags", broken_writer)
    result = run_cli("tag", "006-flac", show=show)
    assert result.exit_code == 1
    assert "episodes/006-flac/audio.flac" in result.output and "error:" in result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == original
    assert sorted(p.name for p in path.parent.iterdir()) == ["audio.flac", "chapter.png", "episode.md"]


def test_unknown_episode_is_named(show: Path) -> None:
    result = run_cli("tag", "001-mp4", show=show)
    assert result.exit_code == 1
    assert "no episode '001-mp4' in this show" in result.output and "did you mean '001-mp3'?" in result.output


def test_remote_audio_is_not_tagged(make_show) -> None:
    show = make_show(episodes={"001-remote": {
        "meta": {"title": "Remote", "date": "2026-01-01", "guid": "r",
                 "audio": {"url": "https://cdn.example/r.mp3", "length": 10, "type": "audio/mpeg",
                           "duration": 3}},
        "audio": None}})
    result = run_cli("tag", show=show)
    assert result.exit_code == 0
    assert "the audio is remote (https://cdn.example/r.mp3); nothing to tag" in result.output


def test_the_demo_show_can_be_tagged(tmp_path: Path) -> None:
    demo = copy_demo(tmp_path / "demo")
    # The repo's demo audio already carries its notes (scripts/make_demo_media.py runs tag).
    assert "Nothing to change: 7 audio files already carry the notes." in run_cli("tag", show=demo).output
    notes = demo / "episodes" / "001-why-we-drift-apart" / "episode.md"
    notes.write_text(notes.read_text().replace('summary: "Social psychologist', 'summary: "Psychologist'))
    result = run_cli("tag", show=demo)
    assert result.exit_code == 0, result.output
    assert "connection-hour-001.mp3: 1 tag written" in result.output, result.output
    assert run_cli("build", show=demo).exit_code == 0
    assert "Nothing to change" in run_cli("tag", show=demo).output
    info, _ = read_audio(demo / "episodes" / "001-why-we-drift-apart" / "connection-hour-001.mp3")
    assert info.album == "The Connection Hour" and info.artist == "Sam Rivera"
