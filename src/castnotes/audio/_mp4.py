"""MP4 (M4A, M4B, MP4 video): stream info, iTunes tags, cover art, Nero chapters.

A file whose media data is missing or cut short is refused: its header would
announce the full duration.
"""

from __future__ import annotations

from pathlib import Path

from mutagen.mp4 import MP4, Atoms

from castnotes.audio.info import AudioChapter, AudioInfo, Pictures, store_picture
from castnotes.audio.types import BY_SUFFIX
from castnotes.errors import CastnotesError


def read_mp4(path: Path, audio: MP4, size: int, pictures: Pictures) -> AudioInfo:
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
        art = store_picture(bytes(cover), mime, pictures)
    chapters: list[AudioChapter] = []
    if audio.chapters:
        for chapter in audio.chapters:
            chapters.append(AudioChapter(start=float(chapter.start), title=(chapter.title or "").strip()))
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
        chapters=tuple(chapters),
    )


def check_mp4_complete(path: Path, audio: MP4, size: int) -> None:
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
