"""`castnotes.audio.read_audio` against real files: generated samples with known contents, and the
equivalents of the real-world oddities in mutagen's test data (tests/corpus_audio.py).

Generated samples (tests/audio_samples.py) are made once per session. Each readable one must give
the exact MIME type, the known duration (within 0.1 s), the file size and the tags, cover art and
chapters that were written into it; each broken one a CastnotesError naming the file and saying
what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path

import audio_samples as S
import corpus_audio as C
import pytest
from mutagen.mp3 import MP3, BitrateMode

from castnotes.audio import AudioInfo, read_audio
from castnotes.codec import decode, encode
from castnotes.errors import CastnotesError

PODCAST_MIMES = {"audio/mpeg", "audio/x-m4a", "video/mp4", "audio/ogg", "audio/opus", "audio/flac"}
TOLERANCE = 0.1  # seconds


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return S.make_samples(tmp_path_factory.mktemp("audio-samples"))


def read(path: Path) -> tuple[AudioInfo, dict[str, bytes]]:
    info, pictures = read_audio(path)
    check_consistent(path, info, pictures)
    return info, pictures


def check_consistent(path: Path, info: AudioInfo, pictures: dict[str, bytes]) -> None:
    """What holds for every file castnotes reads: sizes, JSON for the cache, picture bytes."""
    assert info.mime in PODCAST_MIMES, info.mime
    assert math.isfinite(info.duration) and info.duration > 0, info.duration
    assert info.size == os.path.getsize(path)
    assert decode(AudioInfo, json.loads(json.dumps(encode(info)))) == info
    refs = [info.art] + [c.image for c in info.chapters]
    for ref in refs:
        if ref is not None:
            assert ref.mime in ("image/jpeg", "image/png")
            assert hashlib.sha256(pictures[ref.sha256]).hexdigest() == ref.sha256
    assert set(pictures) == {r.sha256 for r in refs if r is not None}


def rejection(path: Path) -> CastnotesError:
    with pytest.raises(CastnotesError) as caught:
        read_audio(path)
    error = caught.value
    assert error.problems, "a CastnotesError must carry at least one problem"
    problem = error.problems[0]
    assert problem.where.path == path
    assert problem.severity == "error"
    assert problem.message.strip()
    assert "Traceback" not in str(error)
    assert str(path) in str(error)  # the formatted error names the file
    return error


# --- generated samples: stream info ----------------------------------------------------------

READABLE = {
    "mp3_cbr": "audio/mpeg",
    "mp3_vbr": "audio/mpeg",
    "mp3_vbr_noheader": "audio/mpeg",
    "mp3_cbr_noheader": "audio/mpeg",
    "mp3_id3v1": "audio/mpeg",
    "mp3_id3v23": "audio/mpeg",
    "mp3_id3v24": "audio/mpeg",
    "mp3_chapters": "audio/mpeg",
    "m4a": "audio/x-m4a",
    "m4a_chapters": "audio/x-m4a",
    "mp4_video": "video/mp4",
    "ogg": "audio/ogg",
    "ogg_chapters": "audio/ogg",
    "opus": "audio/opus",
    "flac": "audio/flac",
}


@pytest.mark.parametrize("name", READABLE)
def test_mime_duration_and_size(samples: dict[str, Path], name: str) -> None:
    if name not in samples:
        pytest.skip(f"{name} was not generated (see make_samples)")
    info, _ = read(samples[name])
    assert info.mime == READABLE[name]
    assert abs(info.duration - S.SECONDS) < TOLERANCE, info.duration
    assert info.size == os.path.getsize(samples[name])


@pytest.mark.parametrize("name", ["mp3_cbr", "mp3_vbr", "mp3_id3v1", "mp3_id3v23", "mp3_id3v24"])
def test_mp3_with_lame_header_is_exact(samples: dict[str, Path], name: str) -> None:
    """The Xing/Info + LAME header states frames and encoder delay: the length is exact."""
    assert MP3(samples[name]).info.bitrate_mode != BitrateMode.UNKNOWN  # the header is there
    info, _ = read(samples[name])
    assert abs(info.duration - S.SECONDS) < 0.001
    assert info.codec == "mp3" and info.sample_rate == S.RATE and info.channels == 1


def test_vbr_mp3_without_header_is_scanned(samples: dict[str, Path]) -> None:
    path = samples["mp3_vbr_noheader"]
    mutagen_info = MP3(path).info
    assert mutagen_info.bitrate_mode == BitrateMode.UNKNOWN  # `lame -t` wrote no Xing header
    info, _ = read(path)
    assert abs(info.duration - S.SECONDS) < TOLERANCE
    # The case mutagen alone gets wrong (size / first frame's bitrate): this test can fail.
    assert abs(mutagen_info.length - S.SECONDS) > 1.0, mutagen_info.length


def test_cbr_mp3_without_header(samples: dict[str, Path]) -> None:
    path = samples["mp3_cbr_noheader"]
    assert MP3(path).info.bitrate_mode == BitrateMode.UNKNOWN
    info, _ = read(path)
    assert abs(info.duration - S.SECONDS) < TOLERANCE
    assert info.bitrate == 64000


def test_video_mp4_is_video(samples: dict[str, Path]) -> None:
    info, _ = read(samples["mp4_video"])
    assert info.mime == "video/mp4"
    assert info.codec.startswith("mp4a")  # the audio track's codec, not the video's


# --- tags, cover art, chapters -------------------------------------------------------------

TAGGED = {
    "mp3_id3v1": S.V1_TAGS,
    "mp3_id3v23": S.TAGS,
    "mp3_id3v24": S.TAGS,
    "m4a": S.TAGS,
    "ogg": S.TAGS,
    "opus": S.TAGS,
    "flac": S.TAGS,
}


@pytest.mark.parametrize("name", TAGGED)
def test_tags_round_trip(samples: dict[str, Path], name: str) -> None:
    info, _ = read(samples[name])
    got = {key: getattr(info, key) for key in TAGGED[name]}
    assert got == TAGGED[name]


def test_untagged_file_has_no_tags(samples: dict[str, Path]) -> None:
    info, pictures = read(samples["mp3_cbr"])
    assert (info.title, info.artist, info.album, info.date, info.track, info.comment) == (None,) * 6
    assert info.art is None and info.chapters == () and pictures == {}


@pytest.mark.parametrize("name, mime, data", [
    ("mp3_chapters", "image/jpeg", S.COVER_JPEG),  # the front cover, not the PNG back cover before it
    ("m4a", "image/jpeg", S.M4A_COVER_JPEG),
    ("flac", "image/png", S.FLAC_PNG),
])
def test_cover_art(samples: dict[str, Path], name: str, mime: str, data: bytes) -> None:
    info, pictures = read(samples[name])
    assert info.art is not None
    assert info.art.mime == mime
    assert info.art.sha256 == hashlib.sha256(data).hexdigest()
    assert pictures[info.art.sha256] == data
    assert info.art.suffix == (".png" if mime == "image/png" else ".jpg")


def test_id3_chapters(samples: dict[str, Path]) -> None:
    info, pictures = read(samples["mp3_chapters"])
    assert [(c.start, c.end, c.title, c.url, c.toc) for c in info.chapters] == [
        (start / 1000, end / 1000, title, url, toc) for _, start, end, title, url, _, toc in S.ID3_CHAPTERS
    ]
    for chapter, spec in zip(info.chapters, S.ID3_CHAPTERS):
        if spec[5]:
            assert chapter.image is not None and chapter.image.mime == "image/png"
            assert pictures[chapter.image.sha256] == S.CHAPTER_PNG
        else:
            assert chapter.image is None


def test_m4a_nero_chapters(samples: dict[str, Path]) -> None:
    if "m4a_chapters" not in samples:
        pytest.skip("mutagen's MP4.chapters does not read the chapters this ffmpeg writes")
    info, _ = read(samples["m4a_chapters"])
    assert [(round(c.start, 3), c.title) for c in info.chapters] == S.M4A_CHAPTERS
    assert all(c.toc for c in info.chapters)


def test_ogg_chapter_comments(samples: dict[str, Path]) -> None:
    info, _ = read(samples["ogg_chapters"])
    assert info.title == "Ogg chapters"
    expected = [(S.OGG_CHAPTERS[0], 0.0), (S.OGG_CHAPTERS[1], 1.5), (S.OGG_CHAPTERS[2], 2.25)]
    assert [(c.start, c.title, c.url) for c in info.chapters] == [
        (seconds, title, url) for (_, _, title, url), seconds in expected
    ]


# --- rejections ------------------------------------------------------------------------------

REJECTED = {
    "wav": "not a podcast format",
    "text_mp3": "cannot read audio",
    "mp3_truncated": "truncated",
    "flac_truncated": "truncated",
    "m4a_truncated": "truncated",
    "mp3_tag_only": "cannot read audio",
    "empty": "empty",
}


@pytest.mark.parametrize("name", REJECTED)
def test_rejected_with_a_clear_message(samples: dict[str, Path], name: str) -> None:
    error = rejection(samples[name])
    problem = error.problems[0]
    assert REJECTED[name] in problem.message.lower()
    assert problem.hint  # says what to do


def test_wav_hint_says_how_to_convert(samples: dict[str, Path]) -> None:
    problem = rejection(samples["wav"]).problems[0]
    assert problem.message == "WAV files are not a podcast format"
    assert "ffmpeg" in (problem.hint or "")


def test_truncated_mp3_message_gives_the_numbers(samples: dict[str, Path]) -> None:
    message = rejection(samples["mp3_truncated"]).problems[0].message
    assert "announces 3.0 s" in message
    assert "bytes of audio" in message and "the file holds" in message


def test_missing_file(tmp_path: Path) -> None:
    error = rejection(tmp_path / "nowhere.mp3")
    assert "not found" in error.problems[0].message


# --- regressions: bugs found while writing these tests -------------------------------------

def test_vbr_without_header_mostly_one_bitrate(samples: dict[str, Path]) -> None:
    path = samples["mp3_vbr_noheader_hidden"]
    assert MP3(path).info.bitrate_mode == BitrateMode.UNKNOWN
    info, _ = read(path)
    assert abs(info.duration - S.HIDDEN_SILENCE_SECONDS) < TOLERANCE, info.duration


def test_trailing_apev2_not_counted_as_audio(samples: dict[str, Path]) -> None:
    info, _ = read(samples["mp3_cbr_noheader_apev2"])
    assert abs(info.duration - S.SECONDS) < TOLERANCE, info.duration


def test_itunes_comm_frames_are_not_the_comment(samples: dict[str, Path]) -> None:
    from mutagen.id3 import ID3

    path = samples["mp3_itunes_comm"]
    assert ID3(path).getall("COMM")[0].desc != ""  # the iTunes frames come first in the file
    info, _ = read(path)
    assert info.comment == S.ITUNES_COMMENT


# --- the corpus equivalents (tests/corpus_audio.py) ------------------------------------------

@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return C.make_corpus_audio(tmp_path_factory.mktemp("corpus-audio"))


@pytest.mark.parametrize("name", C.NAMES)
def test_corpus_file_is_read_or_rejected(name: str, corpus: dict[str, Path]) -> None:
    path = corpus[name]
    try:
        info, pictures = read_audio(path)
    except CastnotesError:
        rejection(path)
    else:
        check_consistent(path, info, pictures)


@pytest.mark.parametrize("name", sorted(C.READ))
def test_corpus_pinned_reads(name: str, corpus: dict[str, Path]) -> None:
    info, _ = read(corpus[name])
    expected = dict(C.READ[name])
    assert info.mime == expected.pop("mime")
    assert abs(info.duration - expected.pop("duration")) < 0.05, info.duration
    if "art_mime" in expected:
        assert info.art is not None and info.art.mime == expected.pop("art_mime")
    assert {key: getattr(info, key) for key in expected} == expected


def test_corpus_mpeg2_is_mpeg2(corpus: dict[str, Path]) -> None:
    """The fixture is what its name says (22.05 kHz is an MPEG-2 sample rate)."""
    assert MP3(corpus["mpeg2-22khz.mp3"]).info.version == 2


@pytest.mark.parametrize("name", sorted(C.REJECTED))
def test_corpus_pinned_rejections(name: str, corpus: dict[str, Path]) -> None:
    message = rejection(corpus[name]).problems[0].message
    assert C.REJECTED[name] in message.lower(), message


def test_corpus_trailing_id3v2_not_counted_as_audio(corpus: dict[str, Path]) -> None:
    plain, tagged = (corpus[name] for name in C.TRAILING_TAGS)
    assert tagged.stat().st_size > plain.stat().st_size + 4000
    assert abs(read(tagged)[0].duration - read(plain)[0].duration) < 0.01


def test_corpus_alac_that_compresses_well_is_read(corpus: dict[str, Path]) -> None:
    """The frames (stsz) decide, not the bitrate mutagen reports (ALAC's uncompressed one)."""
    info, _ = read(corpus[C.ALAC_SINE])
    assert info.mime == "audio/x-m4a"


# --- the fixture helpers themselves ------------------------------------------------------------

@pytest.mark.parametrize("ci, outcome", [("", pytest.skip.Exception), ("true", pytest.fail.Exception)])
def test_require_tool_skips_locally_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch, ci: str,
                                                   outcome: type[BaseException]) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.setattr(S.shutil, "which", lambda name: None)
    with pytest.raises(outcome, match="no-such-tool is not installed"):
        S.require_tool("no-such-tool")


@pytest.mark.parametrize("name,seconds", [("mp3_cbr_noheader", S.SECONDS), ("mp3_vbr_noheader", S.SECONDS),
                                          ("mp3_vbr_noheader_hidden", S.HIDDEN_SILENCE_SECONDS)])
def test_header_less_mp3_sampled_as_large_files_are(samples: dict[str, Path], name: str, seconds: float,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Files over mp3frames.FULL_SCAN_BYTES are sampled, not walked: the same durations."""
    from castnotes.audio import _mp3frames as mp3frames

    monkeypatch.setattr(mp3frames, "FULL_SCAN_BYTES", 0)
    info, _ = read(samples[name])
    assert abs(info.duration - seconds) < TOLERANCE, info.duration
