"""Audio metadata with mutagen: one `read_audio(path)` for every podcast format.

The result, `AudioInfo`, is plain JSON-able data so the cache can store it as is.
Embedded pictures (cover art, chapter images) are returned beside it as bytes keyed
by their SHA-256; `AudioInfo` only names them, so the cache can keep each picture
once on disk. Anything that is not MP3, M4A/MP4, Ogg Vorbis, Opus or FLAC, or that
mutagen cannot read, is a CastnotesError naming the file and saying what to do.

The private modules hold one reader per format (_mp3, _mp4, _vorbis for Ogg, Opus and
FLAC) and the frame scanners (_mp3frames, _flac). The scanners exist because mutagen
alone is wrong where a feed must be right: for a VBR MP3 without a Xing/VBRI header it
guesses the duration from the first frame's bitrate and the file size (minutes off
for an hour-long episode), and it reads no truncation: a file cut short in an upload
still reports its header's full length. `itunes:duration` and the enclosure must match
what listeners get, so those cases are measured from the frames themselves.
Media types (suffix, MIME, names) come from the one table in `types.py`; `tags.py`
writes tags for `castnotes tag` and reads them back through `read_audio`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC
from mutagen.mp3 import MP3, HeaderNotFoundError
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from castnotes.audio._mp3 import read_mp3
from castnotes.audio._mp4 import read_mp4
from castnotes.audio._vorbis import check_flac_complete, read_vorbis_family
from castnotes.audio.info import (
    AUDIO_SUFFIXES,
    CONVERT_HINT,
    OTHER_MEDIA_SUFFIXES,
    AudioChapter,
    AudioInfo,
    PictureRef,
    Pictures,
    stamp,
)
from castnotes.errors import CastnotesError

# The facade: callers import these from `castnotes.audio`, never from the private modules.
__all__ = ["AUDIO_SUFFIXES", "OTHER_MEDIA_SUFFIXES", "AudioChapter", "AudioInfo", "PictureRef",
           "Pictures", "read_audio", "stamp"]


def read_audio(path: Path) -> tuple[AudioInfo, Pictures]:
    """Read one audio file's stream info, tags, cover art and chapters (headers only)."""
    if not path.is_file():
        raise CastnotesError.single("audio file not found", path)
    size = path.stat().st_size
    if size == 0:
        raise CastnotesError.single("audio file is empty (0 bytes)", path, hint=CONVERT_HINT)
    try:
        audio = mutagen.File(path)
    except HeaderNotFoundError:
        raise CastnotesError.single(
            "cannot read audio: no MPEG audio frames found", path,
            hint="the file is not an MP3, or holds only tags; re-export it from your editor",
        ) from None
    except Exception as exc:  # mutagen raises many types for corrupt input
        raise CastnotesError.single(
            f"cannot read audio: {_describe(exc)}", path,
            hint="the file may be truncated or corrupt; re-export it from your editor",
        ) from None
    if audio is None:
        raise CastnotesError.single("not a recognised audio file", path, hint=CONVERT_HINT)
    pictures: Pictures = {}
    try:
        info = _read(path, audio, size, pictures)
    except CastnotesError:
        raise
    except Exception as exc:
        raise CastnotesError.single(f"cannot read audio: {_describe(exc)}", path) from None
    if not info.duration or info.duration <= 0:
        raise CastnotesError.single("the audio has no playable length", path,
                                    hint="the file may be truncated or empty")
    return info, pictures


def _describe(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[0].lower() + text[1:] if text else text


def _read(path: Path, audio: Any, size: int, pictures: Pictures) -> AudioInfo:
    if isinstance(audio, MP3):
        return read_mp3(path, audio, size, pictures)
    if isinstance(audio, MP4):
        return read_mp4(path, audio, size, pictures)  # refuses a file cut short, as the FLAC check does
    if isinstance(audio, FLAC):
        check_flac_complete(path, audio, size)
    if isinstance(audio, (OggVorbis, OggOpus, FLAC)):
        return read_vorbis_family(audio, size, pictures)
    kind = _FORMAT_NAMES.get(type(audio).__name__, type(audio).__name__)
    raise CastnotesError.single(f"{kind} files are not a podcast format", path, hint=CONVERT_HINT)


_FORMAT_NAMES = {"ASF": "WMA (ASF)", "APEv2File": "APEv2", "WAVE": "WAV", "SMF": "MIDI",
                 "MonkeysAudio": "Monkey's Audio", "OggFLAC": "Ogg FLAC", "OggTheora": "Ogg Theora video",
                 "AAC": "Raw AAC (ADTS)", "AC3": "AC-3"}
