"""What castnotes knows about an audio file: plain JSON-able data, and the small helpers the
format readers share (pictures by content hash, timestamps, track numbers).

Kept apart from the readers so the cache and the model can use these types without
pulling mutagen in.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from castnotes.audio.types import MEDIA_TYPES
from castnotes.imageinfo import is_png

AUDIO_SUFFIXES = tuple(row.suffix for row in MEDIA_TYPES if row.readable)  # what castnotes reads
# Files that look like audio but that podcast apps do not take: named so the host gets
# a clear "convert it" message instead of "not found".
OTHER_MEDIA_SUFFIXES = (".wav", ".aif", ".aiff", ".aac", ".wma", ".ape", ".wv", ".mpc", ".dsf",
                        ".dff", ".tta", ".ofr", ".ofs", ".mid", ".spx", ".ogv", ".webm", ".mka")
CONVERT_HINT = "podcast apps take MP3, M4A/AAC, MP4, Ogg Vorbis, Opus or FLAC; convert it, " \
               "e.g. `ffmpeg -i IN -codec:a libmp3lame -q:a 4 OUT.mp3`"


@dataclass(frozen=True, slots=True)
class PictureRef:
    """An embedded picture, named by content hash; its bytes travel separately."""

    sha256: str
    mime: str

    @property
    def suffix(self) -> str:
        return ".png" if self.mime == "image/png" else ".jpg"


@dataclass(frozen=True, slots=True)
class AudioChapter:
    start: float
    end: float | None = None
    title: str = ""
    url: str | None = None
    image: PictureRef | None = None
    toc: bool = True


@dataclass(frozen=True, slots=True)
class AudioInfo:
    mime: str
    codec: str
    duration: float
    size: int
    bitrate: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    date: str | None = None
    track: int | None = None
    comment: str | None = None
    art: PictureRef | None = None
    chapters: tuple[AudioChapter, ...] = field(default=())


Pictures = dict[str, bytes]  # sha256 -> bytes


def track_number(text: str | None) -> int | None:
    match = re.match(r"\s*(\d+)", text or "")
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def store_picture(data: bytes, mime: str, pictures: Pictures) -> PictureRef | None:
    if not data:
        return None
    mime = mime.lower()
    if mime in ("image/jpg", "jpg", "jpeg"):
        mime = "image/jpeg"
    if is_png(data):
        mime = "image/png"
    elif data[:3] == b"\xff\xd8\xff":
        mime = "image/jpeg"
    if mime not in ("image/jpeg", "image/png"):
        return None  # podcast apps show only JPEG and PNG
    sha = hashlib.sha256(data).hexdigest()
    pictures[sha] = data
    return PictureRef(sha, mime)


def store_cover(candidates: list[Any], pictures: Pictures) -> PictureRef | None:
    """The front cover (picture type 3, in ID3 APIC frames and FLAC pictures alike) if there is
    one, else the first picture, stored by `store_picture`."""
    picture = next((p for p in candidates if p.type == 3), candidates[0] if candidates else None)
    return store_picture(picture.data, picture.mime, pictures) if picture else None


def stamp(path: Path) -> tuple[int, int]:
    """(size, mtime in ns): what the cache keys a file's metadata on."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns
