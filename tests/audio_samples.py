"""Tiny real audio files, made with ffmpeg, lame, sox, espeak-ng and mutagen, with known contents.

`make_samples(folder)` writes every sample once and returns `{name: path}`; the module-level
constants say what each file holds (exact length, tags, cover, chapters), so tests compare
castnotes' reading against what was written rather than against what some other tool reads.

Every source signal is exactly `SECONDS` long (132 300 samples at 44.1 kHz). Encoders add a
little: MP3 files without a Xing/LAME header carry lame's encoder delay and padding (under 0.05 s);
with a header, mutagen subtracts it and reports 3.0 exactly.

A few samples (`mp3_vbr_noheader_hidden`, `mp3_cbr_noheader_apev2`, `mp3_itunes_comm`) reproduce
castnotes bugs found while writing the tests; they stay as regression tests.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

SECONDS = 3.0
RATE = 44100

# Tags written into the tagged samples (title holds non-ASCII to exercise each tag encoding).
TAGS = {
    "title": "Épisode 7: Ünïcode — ok",
    "artist": "Tess Ter",
    "album": "Castnotes Test Show",
    "date": "2024-05-01",
    "track": 7,
    "comment": "Show notes in a comment.",
}
# ID3v1 is Latin-1 with 30-byte fields and a 4-digit year.
V1_TAGS = {
    "title": "Plain Title",
    "artist": "Tess Ter",
    "album": "Castnotes Test Show",
    "date": "2024",
    "track": 7,
    "comment": "A v1 comment",
}

# ID3 chapters: (element id, start ms, end ms, title, url, has image, in the top-level TOC)
ID3_CHAPTERS = [
    ("chp0", 0, 1000, "Intro", "https://example.com/intro", False, True),
    ("chp1", 1000, 2000, "Main part", None, True, True),
    ("chp2", 2000, 3000, "Hidden extra", "https://example.com/extra", False, False),
]
# Nero chapters written by ffmpeg into an M4A: (start s, title)
M4A_CHAPTERS = [(0.0, "Intro"), (1.5, "Main part")]
# Ogg chapter comments: (number, timestamp, title, url)
OGG_CHAPTERS = [
    ("001", "00:00:00.000", "Intro", None),
    ("002", "00:00:01.500", "Main part", "https://example.com/main"),
    ("003", "00:00:02.250", "Outro", None),
]

HIDDEN_SILENCE_SECONDS = 6.0
# Longer than the iTunNORM frame: mutagen writes frames smallest first, so this lands last.
ITUNES_COMMENT = ("Show notes in a comment, long enough that mutagen writes it after the iTunNORM and "
                  "iTunSMPB frames, the order iTunes leaves them in.")
ITUNNORM = " 0000044E 00000061 00009B67 000044C3 00022478 00022182 00007FCC 00007E5C 0002245E 0002214E"

SPEECH = "Welcome to castnotes. This is episode seven."


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_tool(name: str) -> str:
    """The tool's path; `pytest.skip` when it is missing, but `pytest.fail` when CI=true (no silent skips)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed"
        if in_ci():
            pytest.fail(f"{message}, and CI=true: CI must install it (no silent skips in CI)")
        pytest.skip(message)
    return path


def _run(*args: str | Path) -> None:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({result.returncode}):\n{result.stderr}")


# --- images ----------------------------------------------------------------------------

def jpeg_bytes(color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), color).save(out, "JPEG", quality=85)
    return out.getvalue()


def png_bytes(color: tuple[int, int, int] = (30, 160, 60)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, "PNG")
    return out.getvalue()


COVER_JPEG = jpeg_bytes()
CHAPTER_PNG = png_bytes()
FLAC_PNG = png_bytes((10, 20, 200))
M4A_COVER_JPEG = jpeg_bytes((20, 200, 200))


# --- sources (exactly SECONDS long) ------------------------------------------------------

def sine_wav(folder: Path) -> Path:
    out = folder / "sine.wav"
    _run(require_tool("ffmpeg"), "-v", "error", "-y", "-f", "lavfi",
         "-i", f"sine=frequency=440:sample_rate={RATE}:duration={SECONDS}", "-ac", "1", out)
    return out


def speech_wav(folder: Path) -> Path:
    """espeak-ng speech, resampled to 44.1 kHz and padded with silence to exactly SECONDS."""
    raw = folder / "speech-raw.wav"
    out = folder / "speech.wav"
    _run(require_tool("espeak-ng"), "-w", raw, SPEECH)
    _run(require_tool("sox"), "-R", "-V1", raw, "-r", str(RATE), "-c", "1", "-b", "16", out,
         "gain", "-3", "pad", "0", str(SECONDS), "trim", "0", str(SECONDS))
    return out


def bursty_wav(folder: Path) -> Path:
    """Half-second blocks of digital silence and loud white noise, starting with silence.

    Under VBR, silence gets 32 kbit/s frames and noise far more, so a header-less VBR MP3 of
    this has a first frame that says nothing about the rest: mutagen's size / first-bitrate
    estimate is far off (about 4.8 s for 3 s of audio).
    """
    sox = require_tool("sox")
    silence, noise, out = folder / "silence.wav", folder / "noise.wav", folder / "bursty.wav"
    _run(sox, "-R", "-V1", "-n", "-r", str(RATE), "-c", "1", "-b", "16", silence, "trim", "0", "0.5")
    _run(sox, "-R", "-V1", "-n", "-r", str(RATE), "-c", "1", "-b", "16", noise, "synth", "0.5", "whitenoise",
         "vol", "0.8")
    _run(sox, "-R", "-V1", silence, noise, silence, noise, silence, noise, out)
    return out


def hidden_silence_wav(folder: Path) -> Path:
    """2 s loud noise, 2 s silence, 2 s loud noise (HIDDEN_SILENCE_SECONDS in all).

    Encoded VBR with the bitrate capped (`lame -V 5 -b 128 -B 128 -t`), every noise frame is
    128 kbit/s and every silent frame 32 kbit/s; the silence fills only the middle ~11% of the
    bytes, so frames sampled at fixed byte fractions all read 128 kbit/s.
    """
    sox = require_tool("sox")
    silence, noise, out = folder / "silence2.wav", folder / "noise2.wav", folder / "hidden-silence.wav"
    _run(sox, "-R", "-V1", "-n", "-r", str(RATE), "-c", "1", "-b", "16", silence, "trim", "0", "2")
    _run(sox, "-R", "-V1", "-n", "-r", str(RATE), "-c", "1", "-b", "16", noise, "synth", "2", "whitenoise",
         "vol", "0.9")
    _run(sox, "-R", "-V1", noise, silence, noise, out)
    return out


# --- MP3 -----------------------------------------------------------------------------------

def lame(src: Path, out: Path, *options: str) -> Path:
    _run(require_tool("lame"), "--quiet", "--noreplaygain", *options, src, out)
    return out


def id3_tags(version: int, path: Path) -> None:
    """Write TAGS as ID3v2.`version` with mutagen (v2.3 stores the date as TYER + TDAT)."""
    from mutagen.id3 import COMM, ID3, TALB, TDRC, TIT2, TPE1, TRCK

    tags = ID3()
    tags.add(TIT2(encoding=3, text=[TAGS["title"]]))
    tags.add(TPE1(encoding=3, text=[TAGS["artist"]]))
    tags.add(TALB(encoding=3, text=[TAGS["album"]]))
    tags.add(TDRC(encoding=3, text=[TAGS["date"]]))
    tags.add(TRCK(encoding=3, text=[f"{TAGS['track']}/12"]))
    tags.add(COMM(encoding=3, lang="eng", desc="", text=[TAGS["comment"]]))
    if version == 3:
        tags.update_to_v23()
        tags.save(path, v2_version=3, v23_sep="/")
    else:
        tags.save(path, v2_version=4)


def id3_itunes_comments(path: Path) -> None:
    """Comments as iTunes writes them: iTunNORM/iTunSMPB COMM frames before the real comment."""
    from mutagen.id3 import COMM, ID3, TIT2

    tags = ID3()
    tags.add(TIT2(encoding=3, text=["iTunes comments"]))
    tags.add(COMM(encoding=0, lang="eng", desc="iTunNORM", text=[ITUNNORM]))
    tags.add(COMM(encoding=0, lang="eng", desc="iTunSMPB", text=[" 00000000 00000210 000003C8"]))
    tags.add(COMM(encoding=3, lang="eng", desc="", text=[ITUNES_COMMENT]))
    tags.save(path, v2_version=4)


def apev2_tail(path: Path, payload: int = 64_000) -> None:
    """Append an APEv2 tag with a big binary item (cover art, as foobar2000 and mp3tag write it)."""
    from mutagen.apev2 import BINARY, APEv2, APEValue

    tag = APEv2()
    tag["Title"] = "APE tagged"
    tag["Cover Art (Front)"] = APEValue(b"cover.jpg\x00" + COVER_JPEG * (payload // len(COVER_JPEG)), BINARY)
    tag.save(path)


def id3_cover_and_chapters(path: Path) -> None:
    from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, WXXX, CTOCFlags

    tags = ID3()
    tags.add(TIT2(encoding=3, text=["Chapters and cover"]))
    # A back cover first, then the front cover: castnotes must pick the front one (type 3).
    tags.add(APIC(encoding=3, mime="image/png", type=4, desc="back", data=CHAPTER_PNG))
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=COVER_JPEG))
    for element_id, start, end, title, url, has_image, _ in ID3_CHAPTERS:
        sub = [TIT2(encoding=3, text=[title])]
        if url:
            sub.append(WXXX(encoding=3, desc="chapter url", url=url))
        if has_image:
            sub.append(APIC(encoding=3, mime="image/png", type=0, desc="", data=CHAPTER_PNG))
        tags.add(CHAP(element_id=element_id, start_time=start, end_time=end,
                      start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF, sub_frames=sub))
    top = [c[0] for c in ID3_CHAPTERS if c[6]]
    rest = [c[0] for c in ID3_CHAPTERS if not c[6]]
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                  child_element_ids=top, sub_frames=[TIT2(encoding=3, text=["Contents"])]))
    # A second, non-top-level table of contents: its children are not in the main TOC.
    tags.add(CTOC(element_id="extras", flags=CTOCFlags.ORDERED, child_element_ids=rest, sub_frames=[]))
    tags.save(path, v2_version=4)


# --- MP4 / Ogg / FLAC ------------------------------------------------------------------------

def ffmpeg(*args: str | Path) -> None:
    _run(require_tool("ffmpeg"), "-v", "error", "-y", *args)


def has_encoder(name: str) -> bool:
    result = subprocess.run([require_tool("ffmpeg"), "-hide_banner", "-encoders"],
                            capture_output=True, text=True)
    return any(line.split()[1:2] == [name] for line in result.stdout.splitlines() if line.strip())


def mp4_tags(path: Path) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    audio = MP4(path)
    audio["\xa9nam"] = [TAGS["title"]]
    audio["\xa9ART"] = [TAGS["artist"]]
    audio["\xa9alb"] = [TAGS["album"]]
    audio["\xa9day"] = [TAGS["date"]]
    audio["trkn"] = [(TAGS["track"], 12)]
    audio["\xa9cmt"] = [TAGS["comment"]]
    audio["covr"] = [MP4Cover(M4A_COVER_JPEG, imageformat=MP4Cover.FORMAT_JPEG)]
    audio.save()


def vorbis_tags(audio: Any) -> None:
    """TAGS as Vorbis comments (Ogg Vorbis, Opus and FLAC share them)."""
    audio["TITLE"] = [TAGS["title"]]
    audio["ARTIST"] = [TAGS["artist"]]
    audio["ALBUM"] = [TAGS["album"]]
    audio["DATE"] = [TAGS["date"]]
    audio["TRACKNUMBER"] = [f"{TAGS['track']}/12"]
    audio["COMMENT"] = [TAGS["comment"]]


def truncate(src: Path, out: Path, fraction: float | None = None, size: int | None = None) -> Path:
    data = src.read_bytes()
    keep = size if size is not None else int(len(data) * (fraction or 0))
    out.write_bytes(data[:keep])
    return out


def id3v2_size(path: Path) -> int:
    head = path.read_bytes()[:10]
    assert head[:3] == b"ID3", path
    return 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(head[6:10]))


# --- everything ------------------------------------------------------------------------------

def make_samples(folder: Path) -> dict[str, Path]:
    """Write every sample into `folder`; return {name: path}. Skips (fails in CI) without the tools.

    `m4a_chapters` is present only when mutagen reads the Nero chapters ffmpeg wrote.
    """
    from mutagen.flac import FLAC, Picture
    from mutagen.mp4 import MP4
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    for tool in ("ffmpeg", "lame", "sox", "espeak-ng"):
        require_tool(tool)
    folder.mkdir(parents=True, exist_ok=True)
    sine, speech, bursty = sine_wav(folder), speech_wav(folder), bursty_wav(folder)
    s: dict[str, Path] = {}

    # MP3
    s["mp3_cbr"] = lame(sine, folder / "cbr.mp3", "-b", "64")  # Info header
    s["mp3_vbr"] = lame(speech, folder / "vbr-xing.mp3", "-V", "5")  # Xing + LAME header
    s["mp3_vbr_noheader"] = lame(bursty, folder / "vbr-noheader.mp3", "-V", "5", "-t")
    s["mp3_cbr_noheader"] = lame(sine, folder / "cbr-noheader.mp3", "-b", "64", "-t")
    s["mp3_id3v1"] = lame(sine, folder / "id3v1.mp3", "-b", "64", "--id3v1-only",
                          "--tt", V1_TAGS["title"], "--ta", V1_TAGS["artist"], "--tl", V1_TAGS["album"],
                          "--ty", V1_TAGS["date"], "--tn", str(V1_TAGS["track"]), "--tc", V1_TAGS["comment"])
    for version in (3, 4):
        path = lame(sine, folder / f"id3v2{version}.mp3", "-b", "64")
        id3_tags(version, path)
        s[f"mp3_id3v2{version}"] = path
    # Regressions: each reproduced a castnotes bug once.
    s["mp3_vbr_noheader_hidden"] = lame(hidden_silence_wav(folder), folder / "vbr-noheader-hidden.mp3",
                                        "-V", "5", "-b", "128", "-B", "128", "-t")
    s["mp3_cbr_noheader_apev2"] = lame(sine, folder / "cbr-noheader-apev2.mp3", "-b", "64", "-t")
    apev2_tail(s["mp3_cbr_noheader_apev2"])
    s["mp3_itunes_comm"] = lame(sine, folder / "itunes-comm.mp3", "-b", "64")
    id3_itunes_comments(s["mp3_itunes_comm"])
    s["mp3_chapters"] = lame(speech, folder / "chapters.mp3", "-b", "64")
    id3_cover_and_chapters(s["mp3_chapters"])

    # MP4
    s["m4a"] = folder / "tagged.m4a"
    ffmpeg("-i", sine, "-c:a", "aac", "-b:a", "64k", "-map_metadata", "-1", s["m4a"])
    mp4_tags(s["m4a"])
    video_codec = "libx264" if has_encoder("libx264") else "mpeg4"
    s["mp4_video"] = folder / "video.mp4"
    ffmpeg("-f", "lavfi", "-i", f"testsrc=size=64x48:rate=10:duration={SECONDS}",
           "-f", "lavfi", "-i", f"sine=frequency=300:sample_rate={RATE}:duration={SECONDS}",
           "-c:v", video_codec, "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", str(SECONDS), s["mp4_video"])
    meta = folder / "chapters.ffmeta"
    lines = [";FFMETADATA1"]
    for i, (start, title) in enumerate(M4A_CHAPTERS):
        end = M4A_CHAPTERS[i + 1][0] if i + 1 < len(M4A_CHAPTERS) else SECONDS
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={int(start * 1000)}", f"END={int(end * 1000)}",
                  f"title={title}"]
    meta.write_text("\n".join(lines) + "\n", encoding="utf-8")
    m4a_chapters = folder / "chapters.m4a"
    ffmpeg("-i", sine, "-i", meta, "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
           "-c:a", "aac", "-b:a", "64k", m4a_chapters)
    if MP4(m4a_chapters).chapters:  # ffmpeg wrote a Nero `chpl` box that mutagen reads
        s["m4a_chapters"] = m4a_chapters

    # Ogg, Opus, FLAC
    s["ogg"] = folder / "tagged.ogg"
    ffmpeg("-i", sine, "-c:a", "libvorbis", "-q:a", "2", "-map_metadata", "-1", s["ogg"])
    audio = OggVorbis(s["ogg"])
    vorbis_tags(audio)
    audio.save()
    s["ogg_chapters"] = folder / "chapters.ogg"
    ffmpeg("-i", speech, "-c:a", "libvorbis", "-q:a", "2", "-map_metadata", "-1", s["ogg_chapters"])
    audio = OggVorbis(s["ogg_chapters"])
    audio["TITLE"] = ["Ogg chapters"]
    for number, stamp, title, url in OGG_CHAPTERS:
        audio[f"CHAPTER{number}"] = [stamp]
        audio[f"CHAPTER{number}NAME"] = [title]
        if url:
            audio[f"CHAPTER{number}URL"] = [url]
    audio.save()
    s["opus"] = folder / "tagged.opus"
    ffmpeg("-i", speech, "-c:a", "libopus", "-b:a", "24k", "-map_metadata", "-1", s["opus"])
    audio = OggOpus(s["opus"])
    vorbis_tags(audio)
    audio.save()
    s["flac"] = folder / "tagged.flac"
    ffmpeg("-i", speech, "-c:a", "flac", "-map_metadata", "-1", s["flac"])
    audio = FLAC(s["flac"])
    vorbis_tags(audio)
    picture = Picture()
    picture.type, picture.mime, picture.data = 3, "image/png", FLAC_PNG
    picture.width = picture.height = 8
    picture.depth = 24
    audio.add_picture(picture)
    audio.save()

    # Things to reject
    s["wav"] = sine
    s["text_mp3"] = folder / "notes.mp3"
    s["text_mp3"].write_text("These are show notes, not audio.\n" * 20, encoding="utf-8")
    s["mp3_truncated"] = truncate(s["mp3_vbr"], folder / "truncated.mp3", 0.4)
    s["flac_truncated"] = truncate(s["flac"], folder / "truncated.flac", 0.4)
    s["mp3_tag_only"] = truncate(s["mp3_id3v24"], folder / "tag-only.mp3", size=id3v2_size(s["mp3_id3v24"]))
    m4a_faststart = folder / "faststart.m4a"
    ffmpeg("-i", sine, "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", m4a_faststart)
    s["m4a_truncated"] = truncate(m4a_faststart, folder / "truncated.m4a", 0.4)
    s["empty"] = folder / "empty.mp3"
    s["empty"].write_bytes(b"")
    return s
