"""MP3: stream info, ID3 tags (v1, v2.3, v2.4), cover art and ID3 CHAP/CTOC chapters.

Beyond mutagen: exact durations for files without a Xing/VBRI header (_mp3frames.py),
trailing tags kept out of the audio, and files cut short detected from the header's
own byte count.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from mutagen.id3 import ID3, BitPaddedInt  # BitPaddedInt: an ID3v2 size, 7 bits a byte
from mutagen.mp3 import MP3, BitrateMode

from castnotes.audio import _mp3frames as mp3frames
from castnotes.audio.info import (
    CONVERT_HINT,
    AudioChapter,
    AudioInfo,
    Pictures,
    store_cover,
    track_number,
)
from castnotes.audio.types import BY_SUFFIX
from castnotes.errors import CastnotesError


def read_mp3(path: Path, audio: MP3, size: int, pictures: Pictures) -> AudioInfo:
    info = audio.info
    if info.layer != 3:
        raise CastnotesError.single(f"MPEG layer {info.layer} audio is not MP3", path, hint=CONVERT_HINT)
    duration = info.length
    with path.open("rb") as fh:
        audio_start = _mp3_audio_start(fh)
        audio_end = size - _trailing_tag_size(fh, size)
        if info.bitrate_mode == BitrateMode.UNKNOWN:
            # No Xing/VBRI header: mutagen guessed from the first frame's bitrate and the
            # file size (trailing tags included). Work it out from the frames instead.
            duration = mp3frames.duration(fh, audio_start, audio_end) or duration
        else:
            _check_not_truncated(path, info, audio_start, audio_end)
    tags = audio.tags if isinstance(audio.tags, ID3) else None
    return AudioInfo(
        mime=BY_SUFFIX[".mp3"].mime,
        codec="mp3",
        duration=duration,
        size=size,
        bitrate=int(info.bitrate) or None,
        sample_rate=info.sample_rate,
        channels=info.channels,
        **(_id3_fields(tags, pictures) if tags is not None else {}),
    )


def _mp3_audio_start(fh: BinaryIO) -> int:
    """Byte offset after any leading ID3v2 tags."""
    start = 0
    while True:
        fh.seek(start)
        head = fh.read(10)
        if len(head) < 10 or head[:3] != b"ID3":
            return start
        start += 10 + BitPaddedInt(head[6:10]) + (10 if head[5] & 0x10 else 0)


def _trailing_tag_size(fh: BinaryIO, size: int) -> int:
    """Bytes of tags after the audio: ID3v1, Lyrics3v2, APEv2 and ID3v2 with a footer, in any order."""
    trailing = 0
    while True:
        end = size - trailing
        fh.seek(max(0, end - 128))
        tail = fh.read(min(end, 128))  # each tag below is told by its last bytes
        found = 0
        if end >= 128 and tail[:3] == b"TAG":
            found = 128
        if not found and end >= 32 and tail[-32:-24] == b"APETAGEX":
            found = int.from_bytes(tail[-20:-16], "little") + (32 if tail[-9] & 0x80 else 0)
        if not found and end >= 15 and tail[-9:] == b"LYRICS200" and tail[-15:-9].isdigit():
            found = int(tail[-15:-9]) + 15
        if not found and end >= 10 and tail[-10:-7] == b"3DI":
            found = 20 + BitPaddedInt(tail[-4:])
        if not found or trailing + found > size:
            return trailing
        trailing += found


def _check_not_truncated(path: Path, info: Any, audio_start: int, audio_end: int) -> None:
    """A Xing/VBRI header states the stream's size: a file much shorter than that was cut off."""
    expected = info.bitrate * info.length / 8
    actual = audio_end - audio_start
    if expected > 0 and actual < expected * 0.9 - 512:
        raise CastnotesError.single(
            f"the MP3 is truncated: its header announces {info.length:.1f} s "
            f"(about {int(expected)} bytes of audio) but the file holds {actual} bytes",
            path, hint="copy or export the file again",
        )


def _id3_fields(tags: ID3, pictures: Pictures) -> dict[str, Any]:
    def text(frame_id: str) -> str | None:
        frame = tags.get(frame_id)
        return str(frame.text[0]).strip() or None if frame is not None and frame.text else None

    # iTunes stores machine data in COMM frames (iTunNORM, iTunSMPB, ...): prefer the
    # frame without a description, and never take an iTunes one.
    comments = [f for f in tags.getall("COMM")
                if f.text and str(f.text[0]).strip() and not f.desc.lower().startswith("itun")]
    comments.sort(key=lambda f: f.desc != "")
    comment = str(comments[0].text[0]).strip() if comments else None
    return {
        "title": text("TIT2"),
        "artist": text("TPE1"),
        "album": text("TALB"),
        "date": text("TDRC") or text("TYER") or text("TDRL"),
        "track": track_number(text("TRCK")),
        "comment": comment,
        "art": store_cover(tags.getall("APIC"), pictures),
        "chapters": _id3_chapters(tags, pictures),
    }


def _id3_chapters(tags: ID3, pictures: Pictures) -> tuple[AudioChapter, ...]:
    in_toc: set[str] | None = None
    tocs = tags.getall("CTOC")
    if tocs:
        top = [t for t in tocs if t.flags & 2] or tocs
        in_toc = {child for t in top for child in t.child_element_ids}
    result = []
    for chap in sorted(tags.getall("CHAP"), key=lambda c: c.start_time):
        sub = chap.sub_frames
        title = str(sub["TIT2"].text[0]) if "TIT2" in sub and sub["TIT2"].text else ""
        urls = sub.getall("WXXX")
        result.append(AudioChapter(
            start=chap.start_time / 1000,
            end=chap.end_time / 1000 if chap.end_time not in (None, 0xFFFFFFFF) else None,
            title=title.strip(),
            url=urls[0].url if urls else None,
            image=store_cover(sub.getall("APIC"), pictures),
            toc=in_toc is None or chap.element_id in in_toc,
        ))
    return tuple(result)
