"""Audio metadata with mutagen: one `read_audio(path)` for every podcast format.

The result, `AudioInfo`, is plain JSON-able data so the cache can store it as is.
Embedded pictures (cover art, chapter images) are returned beside it as bytes keyed
by their SHA-256; `AudioInfo` only names them, so the cache can keep each picture
once on disk. Anything that is not MP3, M4A/MP4, Ogg Vorbis, Opus or FLAC, or that
mutagen cannot read, is a CastnotesError naming the file and saying what to do.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode, HeaderNotFoundError
from mutagen.mp4 import MP4, Atoms
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from . import flacframes, mp3frames
from .errors import CastnotesError

AUDIO_SUFFIXES = (".mp3", ".m4a", ".m4b", ".mp4", ".m4v", ".mov", ".ogg", ".oga", ".opus", ".flac")
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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "AudioInfo":
        data = dict(data)
        art = data.pop("art")
        chapters = data.pop("chapters")
        return cls(
            **data,
            art=PictureRef(**art) if art else None,
            chapters=tuple(
                AudioChapter(**{**c, "image": PictureRef(**c["image"]) if c["image"] else None})
                for c in chapters
            ),
        )


Pictures = dict[str, bytes]  # sha256 -> bytes


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
        return _read_mp3(path, audio, size, pictures)
    if isinstance(audio, MP4):
        _check_mp4_complete(path, audio, size)
        return _read_mp4(path, audio, size, pictures)
    if isinstance(audio, FLAC):
        _check_flac_complete(path, audio, size)
    if isinstance(audio, (OggVorbis, OggOpus, FLAC)):
        return _read_vorbis_family(audio, size, pictures)
    kind = _FORMAT_NAMES.get(type(audio).__name__, type(audio).__name__)
    raise CastnotesError.single(f"{kind} files are not a podcast format", path, hint=CONVERT_HINT)


_FORMAT_NAMES = {"ASF": "WMA (ASF)", "APEv2File": "APEv2", "WAVE": "WAV", "SMF": "MIDI",
                 "MonkeysAudio": "Monkey's Audio", "OggFLAC": "Ogg FLAC", "OggTheora": "Ogg Theora video",
                 "AAC": "Raw AAC (ADTS)", "AC3": "AC-3"}


# --- MP3 -----------------------------------------------------------------------------

def _read_mp3(path: Path, audio: MP3, size: int, pictures: Pictures) -> AudioInfo:
    info = audio.info
    if info.layer != 3:
        raise CastnotesError.single(f"MPEG layer {info.layer} audio is not MP3", path, hint=CONVERT_HINT)
    duration = info.length
    audio_start = _mp3_audio_start(path)
    audio_end = size - _trailing_tag_size(path, size)
    with path.open("rb") as fh:
        if info.bitrate_mode == BitrateMode.UNKNOWN:
            # No Xing/VBRI header: mutagen guessed from the first frame's bitrate and the
            # file size (trailing tags included). Work it out from the frames instead.
            duration = mp3frames.duration(fh, audio_start, audio_end) or duration
        else:
            _check_not_truncated(path, info, audio_start, audio_end)
    tags = audio.tags if isinstance(audio.tags, ID3) else None
    return AudioInfo(
        mime="audio/mpeg",
        codec="mp3",
        duration=duration,
        size=size,
        bitrate=int(info.bitrate) or None,
        sample_rate=info.sample_rate,
        channels=info.channels,
        **(_id3_fields(tags, pictures) if tags is not None else {}),
    )


def _mp3_audio_start(path: Path) -> int:
    """Byte offset after any leading ID3v2 tags."""
    start = 0
    with path.open("rb") as fh:
        while True:
            fh.seek(start)
            head = fh.read(10)
            if len(head) < 10 or head[:3] != b"ID3":
                return start
            tag_size = sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(head[6:10]))
            start += 10 + tag_size + (10 if head[5] & 0x10 else 0)


def _trailing_tag_size(path: Path, size: int) -> int:
    """Bytes of tags after the audio: ID3v1, Lyrics3v2, APEv2 and ID3v2 with a footer, in any order."""
    trailing = 0
    with path.open("rb") as fh:
        while True:
            end = size - trailing
            found = 0
            if end >= 128:
                fh.seek(end - 128)
                if fh.read(3) == b"TAG":
                    found = 128
            if not found and end >= 32:
                fh.seek(end - 32)
                footer = fh.read(32)
                if footer[:8] == b"APETAGEX":
                    found = int.from_bytes(footer[12:16], "little") + (32 if footer[23] & 0x80 else 0)
            if not found and end >= 15:
                fh.seek(end - 15)
                tail = fh.read(15)
                if tail[6:] == b"LYRICS200" and tail[:6].isdigit():
                    found = int(tail[:6]) + 15
            if not found and end >= 10:
                fh.seek(end - 10)
                footer = fh.read(10)
                if footer[:3] == b"3DI":
                    found = 20 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(footer[6:10]))
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
    date = text("TDRC") or text("TYER") or text("TDRL")
    return {
        "title": text("TIT2"),
        "artist": text("TPE1"),
        "album": text("TALB"),
        "date": date,
        "track": _track_number(text("TRCK")),
        "comment": comment,
        "art": _best_apic(tags.getall("APIC"), pictures),
        "chapters": _id3_chapters(tags, pictures),
    }


def _best_apic(frames: list[Any], pictures: Pictures) -> PictureRef | None:
    """The front cover (picture type 3) if there is one, else the first picture."""
    if not frames:
        return None
    frame = next((f for f in frames if f.type == 3), frames[0])
    return _store_picture(frame.data, frame.mime, pictures)


def _id3_chapters(tags: ID3, pictures: Pictures) -> tuple[AudioChapter, ...]:
    chaps = tags.getall("CHAP")
    if not chaps:
        return ()
    in_toc: set[str] | None = None
    tocs = tags.getall("CTOC")
    if tocs:
        top = [t for t in tocs if t.flags & 2] or tocs
        in_toc = {child for t in top for child in t.child_element_ids}
    result = []
    for chap in sorted(chaps, key=lambda c: c.start_time):
        sub = chap.sub_frames
        title = str(sub["TIT2"].text[0]) if "TIT2" in sub and sub["TIT2"].text else ""
        urls = sub.getall("WXXX")
        apics = sub.getall("APIC")
        result.append(AudioChapter(
            start=chap.start_time / 1000,
            end=chap.end_time / 1000 if chap.end_time not in (None, 0xFFFFFFFF) else None,
            title=title.strip(),
            url=urls[0].url if urls else None,
            image=_best_apic(apics, pictures),
            toc=in_toc is None or chap.element_id in in_toc,
        ))
    return tuple(result)


# --- MP4 -----------------------------------------------------------------------------

def _read_mp4(path: Path, audio: MP4, size: int, pictures: Pictures) -> AudioInfo:
    info = audio.info
    video = _mp4_has_video(path)
    tags = audio.tags or {}

    def text(key: str) -> str | None:
        value = tags.get(key)
        return str(value[0]).strip() or None if value else None

    track = tags.get("trkn")
    art = None
    if tags.get("covr"):
        cover = tags["covr"][0]
        mime = "image/png" if cover.imageformat == cover.FORMAT_PNG else "image/jpeg"
        art = _store_picture(bytes(cover), mime, pictures)
    chapters: list[AudioChapter] = []
    if audio.chapters:
        for chapter in audio.chapters:
            chapters.append(AudioChapter(start=float(chapter.start), title=(chapter.title or "").strip()))
    return AudioInfo(
        mime="video/mp4" if video else "audio/x-m4a",
        codec=str(getattr(info, "codec", "") or "mp4"),
        duration=info.length,
        size=size,
        bitrate=int(info.bitrate) or None if getattr(info, "bitrate", 0) else None,
        sample_rate=getattr(info, "sample_rate", None) or None,
        channels=getattr(info, "channels", None) or None,
        title=text("\xa9nam"),
        artist=text("\xa9ART"),
        album=text("\xa9alb"),
        date=text("\xa9day"),
        track=int(track[0][0]) if track and track[0] and track[0][0] else None,
        comment=text("\xa9cmt") or text("desc"),
        art=art,
        chapters=tuple(chapters),
    )


def _check_mp4_complete(path: Path, audio: MP4, size: int) -> None:
    """The media data (`mdat`) must be inside the file and about as big as the header says."""
    with path.open("rb") as fh:
        atoms = Atoms(fh)
    payload = 0
    for atom in atoms.atoms:
        if atom.offset + atom.length > size:
            raise CastnotesError.single(
                f"the MP4 is truncated: its {atom.name.decode('latin-1')} box ends at byte "
                f"{atom.offset + atom.length} but the file has {size} bytes",
                path, hint="copy or export the file again")
        if atom.name == b"mdat":
            payload += atom.length - 8
    expected = (audio.info.bitrate or 0) * audio.info.length / 8
    if payload <= 0 or (expected > 0 and payload < expected * 0.5):
        raise CastnotesError.single(
            f"the MP4 holds {max(payload, 0)} bytes of media data, too little for the "
            f"{audio.info.length:.1f} s its header announces", path,
            hint="the file is truncated or its audio was stripped; export it again")


def _mp4_has_video(path: Path) -> bool:
    """True when a track's handler is `vide` (the file is video, not audio)."""
    with path.open("rb") as fh:
        atoms = Atoms(fh)
        try:
            moov = atoms.path(b"moov")[-1]
        except KeyError:
            return False
        for hdlr in moov.findall(b"hdlr", recursive=True):
            ok, data = hdlr.read(fh)
            if ok and data[8:12] == b"vide":
                return True
    return False


def _check_flac_complete(path: Path, audio: FLAC, size: int) -> None:
    info = audio.info
    if not info.total_samples or not info.sample_rate:
        return
    fixed_block = info.min_blocksize if info.min_blocksize == info.max_blocksize else 0
    with path.open("rb") as fh:
        end = flacframes.audio_end_sample(fh, size, fixed_block)
    if end is not None and end < info.total_samples - info.sample_rate:
        raise CastnotesError.single(
            f"the FLAC is truncated: its header announces {info.length:.1f} s but the audio "
            f"stops at {end / info.sample_rate:.1f} s", path, hint="copy or export the file again")


# --- Ogg Vorbis, Opus, FLAC ------------------------------------------------------------

_VORBIS_CHAPTER = re.compile(r"^chapter(\d{3})$", re.IGNORECASE)


def _read_vorbis_family(audio: Any, size: int, pictures: Pictures) -> AudioInfo:
    if isinstance(audio, OggOpus):
        mime, codec = "audio/opus", "opus"
    elif isinstance(audio, OggVorbis):
        mime, codec = "audio/ogg", "vorbis"
    else:
        mime, codec = "audio/flac", "flac"
    info = audio.info
    tags = audio.tags or {}
    values = {key.lower(): value for key, value in tags.items()} if tags else {}

    def text(*keys: str) -> str | None:
        for key in keys:
            if values.get(key) and str(values[key][0]).strip():
                return str(values[key][0]).strip()
        return None

    art = None
    if isinstance(audio, FLAC) and audio.pictures:
        picture = next((p for p in audio.pictures if p.type == 3), audio.pictures[0])
        art = _store_picture(picture.data, picture.mime, pictures)
    elif values.get("metadata_block_picture"):
        try:
            picture = Picture(base64.b64decode(values["metadata_block_picture"][0]))
            art = _store_picture(picture.data, picture.mime, pictures)
        except Exception:
            art = None  # a broken embedded picture is not worth failing the episode for
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
        track=_track_number(text("tracknumber")),
        comment=text("comment", "description"),
        art=art,
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


# --- helpers -------------------------------------------------------------------------

def parse_timestamp(text: str) -> float | None:
    """`1:02:03.5`, `02:03`, `75` or `75.25` -> seconds; None when it is none of those."""
    text = text.strip()
    match = re.fullmatch(r"(?:(\d+):)?(?:(\d+):)?(\d+(?:[.,]\d+)?)", text)
    if not match:
        return None
    parts = [p for p in match.groups() if p is not None]
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part.replace(",", "."))
    return seconds


def _track_number(text: str | None) -> int | None:
    match = re.match(r"\s*(\d+)", text or "")
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def _store_picture(data: bytes, mime: str, pictures: Pictures) -> PictureRef | None:
    if not data:
        return None
    mime = mime.lower()
    if mime in ("image/jpg", "jpg", "jpeg"):
        mime = "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        mime = "image/png"
    elif data[:3] == b"\xff\xd8\xff":
        mime = "image/jpeg"
    if mime not in ("image/jpeg", "image/png"):
        return None  # podcast apps show only JPEG and PNG
    sha = hashlib.sha256(data).hexdigest()
    pictures[sha] = data
    return PictureRef(sha, mime)


def stamp(path: Path) -> tuple[int, int]:
    """(size, mtime in ns): what the cache keys a file's metadata on."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns
