"""An episode folder's audio -> the feed's enclosure, and the same episode in other formats.

The episode's audio is the one audio file in the folder, or the one `audio:` names;
then the other podcast-format files there (MP3, M4A, Opus, Ogg, FLAC) are the same
episode in other formats and become `podcast:alternateEnclosure`. Files of formats no
podcast app plays (a WAV master, say) are left alone in that case. `audio:` may also
be remote audio given as url, length, type and duration, or `{file, url}`: a local file
published at an address elsewhere (a show moved in with `castnotes import --download`).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from castnotes.audio.info import AUDIO_SUFFIXES, OTHER_MEDIA_SUFFIXES, AudioInfo
from castnotes.audio.types import stream_label
from castnotes.errors import CastnotesError
from castnotes.fields import FieldReader
from castnotes.model import Enclosure, Settings
from castnotes.read.audio_cache import AudioCache

REMOTE_AUDIO_KEYS = ("url", "length", "type", "duration")
DURATION_TOLERANCE = 2.0  # seconds an alternate format may differ from the episode's audio


def load_enclosure(reader: FieldReader, folder: Path, slug: str, settings: Settings, cache: AudioCache,
                   copies: list[tuple[Path, str]]
                   ) -> tuple[Enclosure | None, AudioInfo | None, tuple[Enclosure, ...]]:
    """(enclosure, its audio info, alternate formats); None and problems recorded on failure."""
    value = reader.meta.get("audio")
    if isinstance(value, dict) and "file" in value:
        return (*_published_elsewhere(reader, folder, cache), ())
    if isinstance(value, dict):
        return _remote_enclosure(reader), None, ()
    if value is not None and not isinstance(value, str):
        reader.error("audio", "must be a file name in the episode folder, or url/length/type/duration")
        return None, None, ()
    if isinstance(value, str) and re.match(r"^[a-z]+://", value):
        reader.error("audio", "a URL needs its length and type (and its duration) beside it",
                     hint="audio: {url: https://..., length: 12345678, type: audio/mpeg, duration: 1834}")
        return None, None, ()
    audio_path, info = _local_audio(reader, folder, value, cache)
    if audio_path is None or info is None:
        return None, None, ()
    enclosure = _local_enclosure(audio_path, info, slug, settings, copies)
    alternates = _alternates(reader, folder, audio_path, enclosure, slug, settings, cache, copies) \
        if value else ()
    return enclosure, info, alternates


def _local_audio(reader: FieldReader, folder: Path, name: str | None,
                 cache: AudioCache) -> tuple[Path | None, AudioInfo | None]:
    audio_path = _find_audio(reader, folder, name)
    return audio_path, None if audio_path is None else _audio_info(reader, audio_path, cache)


def _audio_info(reader: FieldReader, path: Path, cache: AudioCache) -> AudioInfo | None:
    try:
        return cache.info(path)
    except CastnotesError as exc:
        reader.problems.extend(exc.problems)
        return None


def _published_elsewhere(reader: FieldReader, folder: Path,
                         cache: AudioCache) -> tuple[Enclosure | None, AudioInfo | None]:
    """`audio: {file, url}`: the facts come from the local file, the feed keeps the old URL.

    `castnotes import --download` writes this, so a moved show's enclosure URLs stay
    byte-identical while castnotes reads the real size, type, duration and tags.
    """
    item = reader.table("audio")
    item.check_keys(("file", "url"), "audio key")
    url, name = item.url("url"), item.text("file")
    for key in ("file", "url"):
        if not item.has(key):
            item.error(key, "missing", hint="audio: {file: audio.mp3, url: https://...}")
    if url is None or name is None:
        return None, None
    audio_path, info = _local_audio(reader, folder, name, cache)
    if audio_path is None or info is None:
        return None, None
    return Enclosure(url=url, length=info.size, mime=info.mime, duration=info.duration, bitrate=info.bitrate,
                     source_path=audio_path), info


def _local_enclosure(audio_path: Path, info: AudioInfo, slug: str, settings: Settings,
                     copies: list[tuple[Path, str]]) -> Enclosure:
    site_path = f"media/{slug}/{audio_path.name}"
    if settings.media.base_url:
        url = settings.media.base_url + quote(f"{slug}/{audio_path.name}")
    else:
        url = settings.show.url + quote(site_path)
        copies.append((audio_path, site_path))
    label = stream_label(info.mime)
    return Enclosure(
        url=with_prefix(url, settings.media.prefix),
        length=info.size,
        mime=info.mime,
        duration=info.duration,
        bitrate=info.bitrate,
        source_path=audio_path,
        site_path=None if settings.media.base_url else site_path,
        title=f"{label} {round(info.bitrate / 1000)} kbps" if info.bitrate else label,
    )


def _alternates(reader: FieldReader, folder: Path, main: Path, enclosure: Enclosure, slug: str,
                settings: Settings, cache: AudioCache, copies: list[tuple[Path, str]]) -> tuple[Enclosure, ...]:
    """Other podcast-format files beside the named audio: the episode in other formats."""
    alternates = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES):
        if path.resolve() == main.resolve():
            continue
        info = _audio_info(reader, path, cache)
        if info is None:
            continue
        if abs(info.duration - enclosure.duration) > DURATION_TOLERANCE:
            reader.warn("audio", f"{path.name} lasts {info.duration:.0f} s but {main.name} "
                                 f"{enclosure.duration:.0f} s; is it the same episode?",
                        hint="alternate formats must hold the same recording; move other files out")
        alternates.append(_local_enclosure(path, info, slug, settings, copies))
    return tuple(alternates)


def with_prefix(url: str, prefix: str | None) -> str:
    """Analytics prefixes (OP3, Podtrac, ...) take the URL without its scheme after them."""
    return prefix + re.sub(r"^https?://", "", url) if prefix else url


def _find_audio(reader: FieldReader, folder: Path, name: str | None) -> Path | None:
    if name:
        path = (folder / name).resolve()
        if not path.is_relative_to(folder.resolve()):
            reader.error("audio", f"{name!r} is outside the episode folder",
                         hint="put the audio file inside the episode folder")
            return None
        if not path.is_file():
            reader.error("audio", f"{name!r} not found in {folder.name}/")
            return None
        return path
    candidates = sorted(p for p in folder.iterdir()
                        if p.suffix.lower() in AUDIO_SUFFIXES + OTHER_MEDIA_SUFFIXES and p.is_file())
    if not candidates:
        reader.error("audio", f"no audio file in {folder.name}/",
                     hint="copy the episode's MP3 or M4A into the folder")
        return None
    if len(candidates) > 1:
        names = ", ".join(p.name for p in candidates)
        reader.error("audio", f"several audio files ({names}); say which one is the episode",
                     hint=f"add `audio: {candidates[0].name}`; the others become alternate formats")
        return None
    return candidates[0]


def _remote_enclosure(reader: FieldReader) -> Enclosure | None:
    item = reader.table("audio")
    item.check_keys(REMOTE_AUDIO_KEYS, "audio key")
    url = item.url("url")
    length = item.integer("length", minimum=0)
    mime = item.text("type")
    # No duration: not measured yet (an imported episode whose old feed gave none). The feed
    # then leaves itunes:duration out, as the old one did, rather than claim 0 seconds.
    duration = item.number("duration") if item.has("duration") else 0.0
    for key, value in (("url", url), ("length", length), ("type", mime)):
        if value is None and not item.has(key):
            item.error(key, "missing", hint="remote audio needs url, length and type (and its duration)")
    if url is None or length is None or mime is None or duration is None:
        return None
    return Enclosure(url=url, length=length, mime=mime, duration=duration)
