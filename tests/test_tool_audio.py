"""Audio shaped like real recording tools write it (issue 12), made here with ffmpeg and mutagen.

- Auphonic / Nero-chapter M4A: a chapter-image track (a `vide` track of JPEG stills),
  a QuickTime text chapter track and Nero `chpl` chapters: audio/x-m4a, not video/mp4.
- Hindenburg M4A: a declared bitrate (esds) far from the real one; the frames decide.
- An MP3 whose last ID3 chapter ends a little after the audio: trimmed with a warning.
- A FLAC of headers alone is refused; a real sub-second file lasts 1 s, not 0.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ShowMaker, require_tool, run_cli
from feeds import parse_all, xpath

from castnotes.audio import read_audio
from castnotes.errors import CastnotesError


def ffmpeg(*args: str) -> None:
    subprocess.run([require_tool("ffmpeg"), "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from PIL import Image

    folder = tmp_path_factory.mktemp("tool-audio")
    files: dict[str, Path] = {}
    Image.new("RGB", (400, 400), (20, 120, 200)).save(folder / "slide.jpg", quality=80)
    (folder / "chapters.txt").write_text(
        ";FFMETADATA1\ntitle=Chaptered\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=2000\ntitle=Intro\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=2000\nEND=4000\ntitle=Main part\n")
    # Auphonic-like: AAC audio, a track of 2 JPEG stills (one per chapter), chapters as a text
    # track and as Nero chpl (ffmpeg's mp4 muxer writes both).
    files["chapter_images"] = folder / "auphonic.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=4", "-loop", "1", "-framerate", "1/2", "-t", "4",
           "-i", str(folder / "slide.jpg"), "-i", str(folder / "chapters.txt"), "-map", "0:a", "-map", "1:v",
           "-map_metadata", "2", "-map_chapters", "2", "-c:a", "aac", "-b:a", "64k", "-c:v", "mjpeg",
           "-disposition:v", "0", "-f", "mp4", str(files["chapter_images"]))
    # A real video, for contrast: 10 frames a second.
    files["video"] = folder / "video.mp4"
    ffmpeg("-f", "lavfi", "-i", "sine=duration=3", "-f", "lavfi", "-i", "testsrc=duration=3:rate=10:size=64x64",
           "-c:a", "aac", "-c:v", "mpeg4", str(files["video"]))
    # Hindenburg-like: the esds says 320 kb/s, the AAC inside is ~48 kb/s.
    files["wrong_bitrate"] = folder / "hindenburg.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:duration=6", "-c:a", "aac", "-b:a", "48k",
           str(files["wrong_bitrate"]))
    declare_bitrate(files["wrong_bitrate"], 320_000)
    # An MP3 whose last chapter (ID3 CHAP) ends 1.5 s after the audio; another 5 s after.
    for name, overshoot in (("overshoot", 1500), ("far_overshoot", 5000)):
        files[name] = folder / f"{name}.mp3"
        ffmpeg("-f", "lavfi", "-i", "sine=duration=4", "-c:a", "libmp3lame", "-b:a", "64k", str(files[name]))
        add_id3_chapters(files[name], [(0, 2000, "Intro"), (2000, 4000 + overshoot, "Main part")])
    # A FLAC of headers alone: STREAMINFO announces 237 s, no frame follows (512 bytes).
    flac = folder / "long.flac"
    ffmpeg("-f", "lavfi", "-i", "sine=duration=237", "-ar", "8000", "-ac", "1", str(flac))
    data = flac.read_bytes()
    header = bytearray(data[4:8])
    header[0] |= 0x80  # STREAMINFO is the last metadata block
    files["headers_only"] = folder / "headers-only.flac"
    files["headers_only"].write_bytes((b"fLaC" + bytes(header) + data[8:42]).ljust(512, b"\0"))
    files["short_mp3"] = folder / "short.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=duration=0.4", "-c:a", "libmp3lame", str(files["short_mp3"]))
    return files


def declare_bitrate(path: Path, bitrate: int) -> None:
    """Overwrite the max and average bitrate of the esds DecoderConfigDescriptor, as Hindenburg's
    exports get them wrong."""
    data = bytearray(path.read_bytes())
    i = data.index(b"esds") + 8  # box type, then version and flags
    assert data[i] == 0x03  # ES_Descriptor
    i += 1
    while data[i] & 0x80:
        i += 1
    i += 1 + 3  # the length's last byte, ES_ID and flags
    assert data[i] == 0x04  # DecoderConfigDescriptor
    i += 1
    while data[i] & 0x80:
        i += 1
    i += 1 + 2 + 3  # length, objectTypeIndication and streamType, bufferSizeDB
    data[i:i + 8] = bitrate.to_bytes(4, "big") * 2
    path.write_bytes(bytes(data))
    from mutagen.mp4 import MP4

    assert MP4(path).info.bitrate == bitrate


def add_id3_chapters(path: Path, chapters: list[tuple[int, int, str]]) -> None:
    """ID3 CHAP frames and a CTOC, as Hindenburg, Reaper and Audacity plug-ins write them."""
    from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags

    tags = ID3()
    ids = [f"chp{i}" for i in range(len(chapters))]
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                  sub_frames=[TIT2(text=["Chapters"])]))
    for element_id, (start, end, title) in zip(ids, chapters):
        tags.add(CHAP(element_id=element_id, start_time=start, end_time=end,
                      sub_frames=[TIT2(text=[title])]))
    tags.save(path)


def show_with(make_show: ShowMaker, audio: Path, suffix: str) -> Path:
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g1"}, "audio": None}})
    shutil.copyfile(audio, show / "episodes" / "001-a" / f"audio{suffix}")
    return show


def enclosure(show: Path) -> tuple[str, str]:
    _, _, tree = parse_all(show / "site" / "feed.xml", "https://test.example/feed.xml")
    item = xpath(tree, "//item")[0]
    enc = xpath(item, "enclosure")[0]
    return enc.get("type"), xpath(item, "itunes:duration")[0].text


def test_chapter_image_track_is_audio(tools: dict[str, Path], make_show: ShowMaker) -> None:
    info, _ = read_audio(tools["chapter_images"])
    assert info.mime == "audio/x-m4a"
    assert [c.title for c in info.chapters] == ["Intro", "Main part"]
    assert read_audio(tools["video"])[0].mime == "video/mp4"  # real video stays video
    show = show_with(make_show, tools["chapter_images"], ".m4a")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert enclosure(show) == ("audio/x-m4a", "4")
    assert '"title": "Main part"' in (show / "site" / "episodes" / "a" / "chapters.json").read_text()


def test_frames_are_trusted_over_the_declared_bitrate(tools: dict[str, Path], make_show: ShowMaker) -> None:
    info, _ = read_audio(tools["wrong_bitrate"])
    assert info.mime == "audio/x-m4a" and round(info.duration) == 6
    show = show_with(make_show, tools["wrong_bitrate"], ".m4a")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert enclosure(show) == ("audio/x-m4a", "6")


def test_an_m4a_without_its_frames_is_still_refused(tools: dict[str, Path], tmp_path: Path) -> None:
    data = tools["wrong_bitrate"].read_bytes()
    start = data.index(b"mdat") - 4
    length = int.from_bytes(data[start:start + 4], "big")
    stripped = tmp_path / "stripped.m4a"  # the mdat box shrunk to 100 bytes, the tables unchanged
    stripped.write_bytes(data[:start] + (108).to_bytes(4, "big") + b"mdat" + data[start + 8:start + 108]
                         + data[start + length:])
    with pytest.raises(CastnotesError, match=r"the MP4 holds 100 bytes of media data, less than the \d+ bytes"):
        read_audio(stripped)


def test_a_last_chapter_a_little_past_the_end_is_trimmed(tools: dict[str, Path], make_show: ShowMaker) -> None:
    show = show_with(make_show, tools["overshoot"], ".mp3")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert re.search(r"episodes/001-a/audio\.mp3: warning: chapter 2 \('Main part' at 0:02\) ends 1\.\d s after "
                     r"the audio ends \(0:04\); trimmed to the end", result.stderr), result.stderr
    chapters = json.loads((show / "site" / "episodes" / "a" / "chapters.json").read_text())["chapters"]
    assert chapters[-1]["endTime"] == round(read_audio(tools["overshoot"])[0].duration, 3) < 4.1


def test_a_last_chapter_far_past_the_end_is_an_error(tools: dict[str, Path], make_show: ShowMaker) -> None:
    show = show_with(make_show, tools["far_overshoot"], ".mp3")
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "episodes/001-a/audio.mp3: error: chapter 2 ('Main part' at 0:02) ends at 0:09, after the audio " \
           "ends" in result.stderr


def test_a_flac_without_frames_is_refused(tools: dict[str, Path], make_show: ShowMaker) -> None:
    assert tools["headers_only"].stat().st_size == 512
    show = show_with(make_show, tools["headers_only"], ".flac")
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "episodes/001-a/audio.flac: error: no FLAC audio frames found after the header (which announces " \
           "237.0 s): the file is truncated or broken" in result.stderr
    assert "237" not in (show / "site").as_posix() and not (show / "site").exists()


def test_a_sub_second_recording_lasts_one_second(tools: dict[str, Path], make_show: ShowMaker) -> None:
    show = show_with(make_show, tools["short_mp3"], ".mp3")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert enclosure(show) == ("audio/mpeg", "1")
    assert 'PT1S' in (show / "site" / "episodes" / "a" / "index.html").read_text()
