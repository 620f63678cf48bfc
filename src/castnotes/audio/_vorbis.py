"""Ogg Vorbis, Opus and FLAC: stream info, Vorbis comments, cover art and CHAPTERnnn chapters.

A FLAC file cut short is refused (_flac.py): its STREAMINFO would announce the
full duration.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from mutagen.flac import FLAC, Picture
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from castnotes.audio import _flac as flacframes
from castnotes.audio.info import (
    AudioChapter,
    AudioInfo,
    Pictures,
    store_cover,
    track_number,
)
from castnotes.audio.types import BY_SUFFIX
from castnotes.errors import CastnotesError
from castnotes.timecode import parse_timestamp


def check_flac_complete(path: Path, audio: FLAC, size: int) -> None:
    info = audio.info
    if not info.total_samples or not info.sample_rate:
        return
    fixed_block = info.min_blocksize if info.min_blocksize == info.max_blocksize else 0
    with path.open("rb") as fh:
        end = flacframes.audio_end_sample(fh, size, fixed_block)
        if end is None and not flacframes.first_frame_follows_metadata(fh, size, fixed_block):
            raise CastnotesError.single(
                f"no FLAC audio frames found after the header (which announces {info.length:.1f} s): "
                "the file is truncated or broken", path, hint="export or copy the file again")
    if end is not None and end < info.total_samples - info.sample_rate:
        raise CastnotesError.single(
            f"the FLAC is truncated: its header announces {info.length:.1f} s but the audio "
            f"stops at {end / info.sample_rate:.1f} s", path, hint="copy or export the file again")


_VORBIS_CHAPTER = re.compile(r"^chapter(\d{3})$", re.IGNORECASE)


def read_vorbis_family(audio: Any, size: int, pictures: Pictures) -> AudioInfo:
    if isinstance(audio, OggOpus):
        mime, codec = BY_SUFFIX[".opus"].mime, "opus"
    elif isinstance(audio, OggVorbis):
        mime, codec = BY_SUFFIX[".ogg"].mime, "vorbis"
    else:
        mime, codec = BY_SUFFIX[".flac"].mime, "flac"
    info = audio.info
    values = {key.lower(): value for key, value in (audio.tags or {}).items()}

    def text(*keys: str) -> str | None:
        for key in keys:
            if values.get(key) and str(values[key][0]).strip():
                return str(values[key][0]).strip()
        return None

    found = list(audio.pictures) if isinstance(audio, FLAC) else []
    if not found:
        for value in values.get("metadata_block_picture", []):
            try:
                found.append(Picture(base64.b64decode(value)))
            except Exception:
                continue  # a broken embedded picture is not worth failing the episode for
    bitrate = getattr(info, "bitrate", 0) or (int(size * 8 / info.length) if info.length else 0)
    return AudioInfo(
        mime=mime,
        codec=codec,
        duration=info.length,
        size=size,
        bitrate=int(bitrate) or None,
        sample_rate=getattr(info, "sample_rate", None) or (48000 if codec == "opus" else None),
        channels=getattr(info, "channels", None),
        title=text("title"),
        artist=text("artist"),
        album=text("album"),
        date=text("date", "year"),
        track=track_number(text("tracknumber")),
        comment=text("comment", "description"),
        art=store_cover(found, pictures),
        chapters=_vorbis_chapters(values),
    )


def _vorbis_chapters(values: dict[str, list[str]]) -> tuple[AudioChapter, ...]:
    """CHAPTERnnn=HH:MM:SS.mmm, CHAPTERnnnNAME=title, CHAPTERnnnURL=url (the Ogg chapter extension)."""
    chapters = []
    for key, value in values.items():
        match = _VORBIS_CHAPTER.match(key)
        if not match or not value:
            continue
        start = parse_timestamp(str(value[0]))
        if start is None:
            continue
        number = match.group(1)
        name = values.get(f"chapter{number}name", [""])[0]
        url = values.get(f"chapter{number}url", [None])[0]
        chapters.append(AudioChapter(start=start, title=str(name).strip(), url=url))
    return tuple(sorted(chapters, key=lambda c: c.start))
