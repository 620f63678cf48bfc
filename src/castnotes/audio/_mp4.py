"""MP4 (M4A, M4B, MP4 video): stream info, iTunes tags, cover art, Nero chapters.

A file whose media data is missing or cut short is refused: its header would
announce the full duration.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from mutagen.mp4 import MP4, Atoms

from castnotes.audio.info import AudioChapter, AudioInfo, Pictures, store_picture
from castnotes.audio.types import BY_SUFFIX
from castnotes.errors import CastnotesError


def read_mp4(path: Path, audio: MP4, size: int, pictures: Pictures) -> AudioInfo:
    info = audio.info
    video = _has_video(_complete_tracks(path, audio, size))
    tags = audio.tags or {}

    def text(key: str) -> str | None:
        value = tags.get(key)
        return str(value[0]).strip() or None if value else None

    track = tags.get("trkn")
    art = None
    if tags.get("covr"):
        cover = tags["covr"][0]
        mime = "image/png" if cover.imageformat == cover.FORMAT_PNG else "image/jpeg"
        art = store_picture(bytes(cover), mime, pictures)
    return AudioInfo(
        mime=BY_SUFFIX[".mp4" if video else ".m4a"].mime,
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
        chapters=tuple(AudioChapter(start=float(chapter.start), title=(chapter.title or "").strip())
                       for chapter in audio.chapters or ()),
    )


def _complete_tracks(path: Path, audio: MP4, size: int) -> list[dict[str, Any]]:
    """Every track's `_track_facts`, once the media data (`mdat`) is known to be inside the file
    and to hold every sample the tables list.

    The frames are trusted, not the header's bitrate: some editors (Hindenburg) write
    a declared bitrate far from the real one, and a file that decodes fully is fine.
    """
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
        if payload <= 0:
            raise CastnotesError.single(
                f"the MP4 holds no media data, though its header announces {audio.info.length:.1f} s", path,
                hint="the file is truncated or its audio was stripped; export it again")
        try:
            tracks = [_track_facts(fh, trak) for trak in atoms.path(b"moov")[-1].findall(b"trak")]
        except KeyError:  # no moov: nothing to measure the media data against
            tracks = []
    samples = sum(track["bytes"] or 0 for track in tracks)
    if all(track["bytes"] is not None for track in tracks) and payload < samples:
        raise CastnotesError.single(
            f"the MP4 holds {payload} bytes of media data, less than the {samples} bytes of "
            f"frames its tables list for {audio.info.length:.1f} s", path,
            hint="the file is truncated or its audio was stripped; export it again")
    return tracks


def _has_video(tracks: list[dict[str, Any]]) -> bool:
    """True when a track is real video; the file is then video/mp4, not audio/x-m4a.

    A `vide` track is not always video: Auphonic, Forecast and Nero-style chapter
    editors store chapter images as a track of still JPEG/PNG frames, one per
    chapter, which the audio track names in its `tref/chap`. Such a track, or any
    `vide` track of stills (a JPEG/PNG codec, or at most one frame a second), leaves
    the file audio.
    """
    chapter_ids = {ref for track in tracks for ref in track["chap_refs"]}
    for track in tracks:
        if track["handler"] != b"vide":
            continue
        if track["id"] in chapter_ids or track["format"] in _STILL_FORMATS:
            continue
        if track["seconds"] > 0 and track["samples"] <= max(1.0, track["seconds"]):
            continue  # at most a frame a second: slides, not video
        return True
    return False


_STILL_FORMATS = {b"jpeg", b"png ", b"mjpa", b"mjpb", b"gif "}


def _track_facts(fh: Any, trak: Any) -> dict[str, Any]:
    """Handler, track id, first sample format, sample count and bytes (None when a size table cannot
    be read), length and chapter references of a trak."""
    facts: dict[str, Any] = {"handler": b"", "id": None, "format": b"", "samples": 0, "bytes": 0,
                             "seconds": 0.0, "chap_refs": []}

    def read(atom: Any) -> bytes:
        ok, data = atom.read(fh)
        return data if ok else b""

    for hdlr in trak.findall(b"hdlr", recursive=True):
        data = read(hdlr)
        if len(data) >= 12 and not facts["handler"]:  # the media handler (mdia/hdlr) comes first
            facts["handler"] = data[8:12]
    for tkhd in trak.findall(b"tkhd"):
        data = read(tkhd)
        if data:
            offset = 12 if data[0] == 0 else 20  # version 0: 32-bit times; 1: 64-bit
            facts["id"] = struct.unpack(">I", data[offset:offset + 4])[0] if len(data) >= offset + 4 else None
    for tref in trak.findall(b"tref"):
        data = read(tref)
        position = 0
        while position + 8 <= len(data):
            size, kind = struct.unpack(">I4s", data[position:position + 8])
            if size < 8:
                break
            if kind == b"chap":
                body = data[position + 8:position + size]
                facts["chap_refs"] += [struct.unpack(">I", body[i:i + 4])[0] for i in range(0, len(body) - 3, 4)]
            position += size
    for mdhd in trak.findall(b"mdhd", recursive=True):
        data = read(mdhd)
        if data and data[0] == 0 and len(data) >= 20:
            scale, duration = struct.unpack(">II", data[12:20])
        elif data and len(data) >= 32:
            scale, duration = struct.unpack(">IQ", data[20:32])
        else:
            continue
        facts["seconds"] = duration / scale if scale else 0.0
    for stsd in trak.findall(b"stsd", recursive=True):
        data = read(stsd)
        if len(data) >= 16:
            facts["format"] = data[12:16]
    for stsz in trak.findall(b"stsz", recursive=True):
        data = read(stsz)
        if len(data) < 12:
            facts["bytes"] = None
            continue
        fixed, count = struct.unpack(">II", data[4:12])
        facts["samples"] = count
        sizes = data[12:12 + 4 * count]
        if not fixed and len(sizes) < 4 * count:
            facts["bytes"] = None
        elif facts["bytes"] is not None:
            facts["bytes"] += fixed * count if fixed else sum(struct.unpack(f">{count}I", sizes))
    return facts
