"""Odd real-world audio files, made fresh with ffmpeg, lame and mutagen: the corpus equivalents.

castnotes was first tested against mutagen's own test data (github.com/quodlibet/mutagen,
`tests/data/`). That data is GPL-2.0-or-later, which this MIT project cannot take in, so
`make_corpus_audio(folder)` rebuilds the cases that mattered, each from a known source signal:
every podcast format with its quirks (MPEG-2 MP3, a bad ID3 year frame, an ID3v2 tag after the
audio, PNG cover art in an M4A, ALAC, a Vorbis comment spanning several Ogg pages, FLAC without
tags) and every format castnotes must refuse by name (WAV, AIFF, WMA, WavPack, TrueAudio, AC-3,
raw AAC, Ogg FLAC, Ogg Theora, MIDI, APEv2, DSF) or as broken (an M4B without media data, a FLAC
with an impossible STREAMINFO, a bare `ftyp` box, a JPEG, a lone ID3 tag, an MP3 cut inside its
first frame). tests/data/SOURCES.md lists which mutagen file each replaces. Mutagen files with no
encoder here (Monkey's Audio, Musepack, OptimFROG, DSDIFF) are not reproduced: castnotes refuses
them on the same code path as the DSF and WavPack samples.
"""

from __future__ import annotations

import struct
from pathlib import Path

from audio_samples import RATE, SECONDS, _run, ffmpeg, png_bytes, require_tool

# name -> what read_audio must give (duration in seconds, within 0.05 s)
READ = {
    "mpeg1-id3v23.mp3": {"mime": "audio/mpeg", "duration": SECONDS, "title": "Silence", "artist": "Tess Ter",
                         "album": "Corpus Equivalents", "date": "2004", "track": 2},
    # lame writes no Info header at 32 kb/s here: 117 frames of 576 samples, what ffmpeg decodes
    "mpeg2-22khz.mp3": {"mime": "audio/mpeg", "duration": 117 * 576 / 22050},
    "bad-tyer-frame.mp3": {"mime": "audio/mpeg", "duration": SECONDS, "title": "Bad year", "date": None},
    "png-cover.m4a": {"mime": "audio/x-m4a", "duration": SECONDS, "artist": "Tess Ter", "art_mime": "image/png"},
    "alac-noise.m4a": {"mime": "audio/x-m4a", "duration": SECONDS},
    "multipage-comment.ogg": {"mime": "audio/ogg", "duration": SECONDS, "title": "Long comment"},
    "no-tags.flac": {"mime": "audio/flac", "duration": SECONDS, "title": None},
}
NOT_PODCAST = "not a podcast format"
# name -> the words the rejection must contain
REJECTED = {
    "tone.wav": NOT_PODCAST, "tone.aif": NOT_PODCAST, "tone.wma": NOT_PODCAST, "tone.wv": NOT_PODCAST,
    "tone.tta": NOT_PODCAST, "tone.eac3": NOT_PODCAST, "tone.aac": NOT_PODCAST, "tone.oggflac": NOT_PODCAST,
    "video.oggtheora": NOT_PODCAST, "tune.mid": NOT_PODCAST, "tags.apev2": NOT_PODCAST, "tone.dsf": NOT_PODCAST,
    "no-media-data.m4b": "media data",
    "bad-streaminfo.flac": "cannot read audio",
    "ftyp-only.mp4": "cannot read audio",
    "image.jpg": "not a recognised audio file",
    "tag-only.id3": "cannot read audio",
    "cut-in-first-frame.mp3": "truncated",
}
# The same tone as ALAC: mutagen reports ALAC's *uncompressed* bitrate, so castnotes' check that
# an MP4 holds enough media data refuses a well-compressing ALAC file (tests/test_audio.py, xfail).
ALAC_SINE = "alac-sine.m4a"
# An MP3 without Xing header (its length comes from its size) and the same file with an ID3v2
# tag *after* the audio and an ID3v1 tag at the end, as Audacious writes them: the tags are no audio.
TRAILING_TAGS = ("cbr-noheader.mp3", "trailing-id3v2-id3v1.mp3")
NAMES = sorted([*READ, *REJECTED, ALAC_SINE, *TRAILING_TAGS])


def id3v23_frame(frame_id: str, text: str) -> bytes:
    payload = b"\x00" + text.encode("latin-1")  # encoding 0: Latin-1
    return frame_id.encode() + struct.pack(">I", len(payload)) + b"\x00\x00" + payload


def id3v23_tag(*frames: bytes) -> bytes:
    """A raw ID3v2.3 tag, so a frame can hold what mutagen would not write (a year that is no year)."""
    body = b"".join(frames)
    size = len(body)
    synchsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x03\x00\x00" + synchsafe + body


def make_corpus_audio(folder: Path) -> dict[str, Path]:
    """Write every file of READ, REJECTED and ALAC_SINE into `folder`; return {name: path}."""
    from mutagen.apev2 import APEv2
    from mutagen.id3 import ID3, TALB, TIT2, TPE1, TRCK, TYER
    from mutagen.mp4 import MP4, MP4Cover
    from mutagen.oggvorbis import OggVorbis

    lame = require_tool("lame")
    folder.mkdir(parents=True, exist_ok=True)
    f: dict[str, Path] = {name: folder / name for name in NAMES}
    sine = folder / "sine.wav"
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate={RATE}:duration={SECONDS}", "-ac", "1", sine)
    noise = folder / "noise.wav"
    ffmpeg("-f", "lavfi", "-i", f"anoisesrc=colour=white:seed=7:sample_rate={RATE}:duration={SECONDS}",
           "-ac", "1", noise)

    # MP3
    _run(lame, "--quiet", "-b", "64", sine, f["mpeg1-id3v23.mp3"])
    tags = ID3()
    tags.add(TIT2(encoding=0, text="Silence"))
    tags.add(TPE1(encoding=0, text="Tess Ter"))
    tags.add(TALB(encoding=0, text="Corpus Equivalents"))
    tags.add(TYER(encoding=0, text="2004"))
    tags.add(TRCK(encoding=0, text="2/10"))
    tags.save(f["mpeg1-id3v23.mp3"], v2_version=3)
    sine22 = folder / "sine-22khz.wav"
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=22050:duration={SECONDS}", "-ac", "1", sine22)
    _run(lame, "--quiet", "-b", "32", sine22, f["mpeg2-22khz.mp3"])  # 22.05 kHz is MPEG-2
    plain = folder / "plain.mp3"
    _run(lame, "--quiet", "-b", "64", sine, plain)
    f["bad-tyer-frame.mp3"].write_bytes(
        id3v23_tag(id3v23_frame("TIT2", "Bad year"), id3v23_frame("TYER", "20o4!")) + plain.read_bytes())
    _run(lame, "--quiet", "-b", "64", "-t", sine, f["cbr-noheader.mp3"])
    trailing = id3v23_tag(id3v23_frame("TIT2", "Tag after the audio"), b"\x00" * 4000)  # with padding
    v1 = b"TAG" + b"Tag at the end".ljust(30, b"\x00") + b"\x00" * 94 + b"\xff"
    f["trailing-id3v2-id3v1.mp3"].write_bytes(f["cbr-noheader.mp3"].read_bytes() + trailing + v1)
    f["cut-in-first-frame.mp3"].write_bytes(
        id3v23_tag(id3v23_frame("TIT2", "Cut")) + plain.read_bytes()[:200])

    # MP4
    ffmpeg("-i", sine, "-c:a", "aac", "-b:a", "48k", "-map_metadata", "-1", f["png-cover.m4a"])
    m4a = MP4(f["png-cover.m4a"])
    m4a["\xa9ART"] = ["Tess Ter"]
    m4a["covr"] = [MP4Cover(png_bytes(), imageformat=MP4Cover.FORMAT_PNG)]
    m4a.save()
    ffmpeg("-i", noise, "-c:a", "alac", "-map_metadata", "-1", f["alac-noise.m4a"])
    ffmpeg("-i", sine, "-c:a", "alac", "-map_metadata", "-1", f[ALAC_SINE])
    faststart = folder / "faststart.m4a"
    ffmpeg("-i", sine, "-c:a", "aac", "-b:a", "48k", "-movflags", "+faststart", faststart)
    data = faststart.read_bytes()
    mdat = data.rindex(b"mdat") - 4  # with +faststart the media data is the last box
    f["no-media-data.m4b"].write_bytes(data[:mdat] + struct.pack(">I", 8) + b"mdat")
    f["ftyp-only.mp4"].write_bytes(struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"isom", 512, b"isom", b"mp41"))

    # Ogg and FLAC
    ffmpeg("-i", sine, "-c:a", "libvorbis", "-q:a", "0", "-map_metadata", "-1", f["multipage-comment.ogg"])
    ogg = OggVorbis(f["multipage-comment.ogg"])
    ogg["TITLE"] = ["Long comment"]
    ogg["COMMENT"] = ["A comment longer than one Ogg page (65 025 bytes). " * 1500]
    ogg.save()
    ffmpeg("-i", sine, "-c:a", "flac", "-map_metadata", "-1", "-fflags", "+bitexact", f["no-tags.flac"])
    flac = bytearray(f["no-tags.flac"].read_bytes())
    flac[8 + 10:8 + 13] = b"\x00\x00\x00"  # STREAMINFO: sample rate 0, channels and depth garbled
    f["bad-streaminfo.flac"].write_bytes(bytes(flac))

    # Formats that are not podcast audio
    ffmpeg("-i", sine, "-write_id3v2", "1", "-metadata", "title=Wave", f["tone.wav"])
    ffmpeg("-i", sine, "-c:a", "pcm_s16be", f["tone.aif"])
    ffmpeg("-i", sine, "-c:a", "wmav2", "-b:a", "32k", f["tone.wma"])
    ffmpeg("-i", sine, "-c:a", "wavpack", f["tone.wv"])
    ffmpeg("-i", sine, "-c:a", "tta", f["tone.tta"])
    ffmpeg("-i", sine, "-c:a", "eac3", "-b:a", "64k", f["tone.eac3"])
    ffmpeg("-i", sine, "-c:a", "aac", "-b:a", "32k", "-f", "adts", f["tone.aac"])
    ffmpeg("-i", sine, "-c:a", "flac", "-f", "ogg", f["tone.oggflac"])
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=32x24:rate=5:duration=1", "-c:v", "libtheora", "-f", "ogg",
           f["video.oggtheora"])
    track = bytes([0x00, 0x90, 0x3C, 0x40, 0x60, 0x80, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00])  # one note
    f["tune.mid"].write_bytes(b"MThd" + struct.pack(">IHHH", 6, 0, 1, 96)
                              + b"MTrk" + struct.pack(">I", len(track)) + track)
    f["tags.apev2"].write_bytes(b"\x00" * 64)
    ape = APEv2()
    ape["Title"] = "Only a tag"
    ape.save(f["tags.apev2"])
    fmt = b"fmt " + struct.pack("<QIIIIIIQI", 52, 1, 0, 2, 1, 2822400, 1, 2822400 * 3, 4096) + b"\x00" * 4
    body = b"\x69" * 4096
    chunk = b"data" + struct.pack("<Q", 12 + len(body)) + body
    f["tone.dsf"].write_bytes(b"DSD " + struct.pack("<QQQ", 28, 28 + len(fmt) + len(chunk), 0) + fmt + chunk)

    # Not audio at all
    from PIL import Image

    Image.new("RGB", (16, 16), (90, 90, 200)).save(f["image.jpg"], quality=80)
    f["tag-only.id3"].write_bytes(b"")
    only = ID3()
    only.add(TIT2(encoding=0, text="Just a tag"))
    only.save(f["tag-only.id3"], v2_version=3)
    return f
