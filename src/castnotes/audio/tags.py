"""The tags `castnotes tag` manages, per format: read them as text, write them with mutagen.

Three families: ID3 (MP3, v2.4 or v2.3), MP4 atoms (M4A/MP4) and Vorbis comments
(Ogg Vorbis, Opus, FLAC). `read_view` and `desired_view` describe the same keys the
same way (`title`, `cover art`, `chapter 3`, ...), so a diff of the two is exactly
what writing would change, and an empty diff means the file is left alone.
Tags castnotes does not manage (ReplayGain, encoder, other pictures) are kept.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TPE1,
    TRCK,
    WOAF,
    WXXX,
    CTOCFlags,
    ID3NoHeaderError,
)
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm

from castnotes.audio import AudioChapter, read_audio
from castnotes.audio.types import by_mime
from castnotes.errors import CastnotesError
from castnotes.imageinfo import image_info
from castnotes.timecode import format_npt

GENRE = "Podcast"
MP4_URL_KEY = "----:com.apple.iTunes:WEBSITE"
_VORBIS_CHAPTER_KEY = re.compile(r"^chapter\d{3}(name|url)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Image:
    mime: str
    data: bytes

    def describe(self) -> str:
        return f"{self.mime}, {len(self.data):,} bytes, sha256 {hashlib.sha256(self.data).hexdigest()[:12]}"


@dataclass(frozen=True, slots=True)
class TagChapter:
    start: float  # seconds
    end: float
    title: str
    url: str | None = None
    image: Image | None = None
    toc: bool = True


@dataclass(frozen=True, slots=True)
class TagSet:
    """What the notes say the file should carry."""

    title: str
    album: str
    date: str  # YYYY-MM-DD
    url: str  # the episode's page
    artist: str | None = None
    track: int | None = None
    comment: str | None = None
    cover: Image | None = None
    chapters: tuple[TagChapter, ...] = ()


def kind_of(path: Path) -> str:
    """`id3`, `mp4` or `vorbis` (from the type `read_audio` finds); anything else cannot be tagged."""
    row = by_mime(read_audio(path)[0].mime)
    if row is None or not row.tags:
        raise CastnotesError.single("castnotes can tag MP3, M4A/MP4, Ogg Vorbis, Opus and FLAC only", path)
    return row.tags


def writable_chapters(tags: TagSet, kind: str) -> tuple[TagChapter, ...]:
    """The chapters a format can hold: none in MP4, no hidden ones in Vorbis comments."""
    if kind == "mp4":
        return ()
    if kind == "vorbis":
        return tuple(c for c in tags.chapters if c.toc)
    return tags.chapters


# --- views -----------------------------------------------------------------------------------

def desired_view(tags: TagSet, kind: str, id3v23: bool = False) -> dict[str, str]:
    view = {
        "title": tags.title,
        "artist": tags.artist or "",
        "album": tags.album,
        "track": str(tags.track) if tags.track else "",
        "date": tags.date,
        "genre": GENRE,
        "comment": tags.comment or "",
        "page URL": tags.url,
        "cover art": tags.cover.describe() if tags.cover else "",
    }
    if kind == "id3":
        view["ID3 version"] = "2.3" if id3v23 else "2.4"
    for i, chapter in enumerate(writable_chapters(tags, kind), start=1):
        view[f"chapter {i}"] = _chapter_text(kind, chapter, chapter.image.describe() if chapter.image else None)
    return {k: v for k, v in view.items() if v}


def read_view(path: Path, kind: str) -> dict[str, str]:
    """The managed tags as the file has them now (keys missing when the file has none).

    Read with castnotes' own reader, `read_audio`, so `tag` and `build` see the same
    title, date, cover and chapters; only what the reader does not keep (genre, page
    URL, the track as written, the ID3 version) is read here.
    """
    info, pictures = read_audio(path)
    view = {
        "title": info.title or "", "artist": info.artist or "", "album": info.album or "",
        "date": info.date or "", "comment": info.comment or "",
        "cover art": Image(info.art.mime, pictures[info.art.sha256]).describe() if info.art else "",
        **_extras(path, kind),
    }
    if kind != "mp4":
        for i, chapter in enumerate(info.chapters, start=1):
            image = (Image(chapter.image.mime, pictures[chapter.image.sha256]).describe()
                     if chapter.image else None)
            view[f"chapter {i}"] = _chapter_text(kind, chapter, image)
    return {k: v for k, v in view.items() if v}


def _chapter_text(kind: str, chapter: TagChapter | AudioChapter, image: str | None) -> str:
    text = format_npt(chapter.start)
    if kind == "id3":
        text += f" to {format_npt(chapter.end or 0)}"
    text += f" {chapter.title!r}"
    if chapter.url:
        text += f" <{chapter.url}>"
    if kind == "id3":
        text += f" [image {image}]" if image else ""
        text += "" if chapter.toc else " (hidden)"
    return text


def _extras(path: Path, kind: str) -> dict[str, str]:
    """The managed tags `AudioInfo` does not carry: genre, track (as written), page URL, ID3 version."""
    if kind == "id3":
        try:
            tags = ID3(path)
        except ID3NoHeaderError:
            return {}
        urls, genre, track = tags.getall("WOAF"), tags.get("TCON"), tags.get("TRCK")
        return {"genre": str(genre) if genre is not None else "", "track": str(track) if track is not None else "",
                "page URL": urls[0].url if urls else "", "ID3 version": f"2.{tags.version[1]}"}
    if kind == "mp4":
        mp4 = MP4(path).tags or {}
        track, genre, url = mp4.get("trkn"), mp4.get("\xa9gen"), mp4.get(MP4_URL_KEY)
        return {"genre": str(genre[0]) if genre else "",
                "track": (f"{track[0][0]}" + (f"/{track[0][1]}" if track[0][1] else "")) if track else "",
                "page URL": bytes(url[0]).decode("utf-8", "replace") if url else ""}
    comments = mutagen.File(path).tags or {}

    def text(key: str) -> str:
        value = comments.get(key)
        return str(value[0]) if value else ""

    return {"genre": text("genre"), "track": text("tracknumber"), "page URL": text("website")}


# --- writing -----------------------------------------------------------------------------------

def write_tags(path: Path, kind: str, tags: TagSet, id3v23: bool = False) -> None:
    """Write the managed tags into `path` (a copy: the caller verifies it before replacing)."""
    if kind == "id3":
        _write_id3(path, tags, id3v23)
    elif kind == "mp4":
        _write_mp4(path, tags)
    else:
        _write_vorbis(path, tags)


def _write_id3(path: Path, tags: TagSet, id3v23: bool) -> None:
    try:
        id3 = ID3(path)
    except ID3NoHeaderError:
        id3 = ID3()
    frames = [(TIT2, tags.title), (TPE1, tags.artist), (TALB, tags.album),
              (TRCK, str(tags.track) if tags.track else None), (TDRC, tags.date), (TCON, GENRE)]
    for frame, value in frames:
        if value:
            id3.setall(frame.__name__, [frame(encoding=3, text=[value])])
    if tags.comment:
        kept = [f for f in id3.getall("COMM") if f.desc != ""]
        id3.setall("COMM", kept + [COMM(encoding=3, lang="eng", desc="", text=[tags.comment])])
    id3.setall("WOAF", [WOAF(url=tags.url)])
    if tags.cover:
        others = [f for f in id3.getall("APIC") if f.type != 3]
        id3.setall("APIC", others + [APIC(encoding=3, mime=tags.cover.mime, type=3, desc="",
                                         data=tags.cover.data)])
    id3.delall("CHAP")
    id3.delall("CTOC")
    chapters = writable_chapters(tags, "id3")
    for i, chapter in enumerate(chapters):
        sub: list[Any] = [TIT2(encoding=3, text=[chapter.title])]
        if chapter.url:
            sub.append(WXXX(encoding=3, desc="", url=chapter.url))
        if chapter.image:
            sub.append(APIC(encoding=3, mime=chapter.image.mime, type=0, desc="", data=chapter.image.data))
        id3.add(CHAP(element_id=f"chp{i}", start_time=round(chapter.start * 1000),
                     end_time=round(chapter.end * 1000), start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF,
                     sub_frames=sub))
    listed = [f"chp{i}" for i, c in enumerate(chapters) if c.toc]
    if listed:
        id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                     child_element_ids=listed, sub_frames=[TIT2(encoding=3, text=["Chapters"])]))
    if id3v23:
        id3.update_to_v23()
        id3.save(path, v2_version=3, v23_sep="/")
    else:
        id3.save(path, v2_version=4)


def _write_mp4(path: Path, tags: TagSet) -> None:
    audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    values: dict[str, Any] = {"\xa9nam": tags.title, "\xa9ART": tags.artist, "\xa9alb": tags.album,
                              "\xa9day": tags.date, "\xa9gen": GENRE, "\xa9cmt": tags.comment}
    for key, value in values.items():
        if value:
            audio.tags[key] = [value]
    if tags.track:
        audio.tags["trkn"] = [(tags.track, 0)]
    audio.tags[MP4_URL_KEY] = [MP4FreeForm(tags.url.encode("utf-8"))]
    if tags.cover:
        kind = MP4Cover.FORMAT_PNG if tags.cover.mime == "image/png" else MP4Cover.FORMAT_JPEG
        audio.tags["covr"] = [MP4Cover(tags.cover.data, imageformat=kind)]
    audio.save()


def _write_vorbis(path: Path, tags: TagSet) -> None:
    audio = mutagen.File(path)
    if audio.tags is None:
        audio.add_tags()
    values = {"TITLE": tags.title, "ARTIST": tags.artist, "ALBUM": tags.album,
              "TRACKNUMBER": str(tags.track) if tags.track else None, "DATE": tags.date, "GENRE": GENRE,
              "COMMENT": tags.comment, "WEBSITE": tags.url}
    for key, value in values.items():
        if value:
            audio.tags[key] = [value]
    for key in list(audio.tags.keys()):
        if _VORBIS_CHAPTER_KEY.match(key):
            del audio.tags[key]
    for i, chapter in enumerate(writable_chapters(tags, "vorbis"), start=1):
        audio.tags[f"CHAPTER{i:03d}"] = [format_npt(chapter.start)]
        audio.tags[f"CHAPTER{i:03d}NAME"] = [chapter.title]
        if chapter.url:
            audio.tags[f"CHAPTER{i:03d}URL"] = [chapter.url]
    if tags.cover:
        picture = _picture(tags.cover)
        if isinstance(audio, FLAC):
            audio.metadata_blocks = [b for b in audio.metadata_blocks
                                     if not (isinstance(b, Picture) and b.type == 3)]
            audio.add_picture(picture)
        else:
            kept = [v for v in audio.tags.get("metadata_block_picture", [])
                    if not _is_front_cover(v)]
            audio.tags["METADATA_BLOCK_PICTURE"] = kept + [base64.b64encode(picture.write()).decode("ascii")]
    audio.save()


def _is_front_cover(value: str) -> bool:
    try:
        return Picture(base64.b64decode(value)).type == 3
    except Exception:
        return False


def _picture(image: Image) -> Picture:
    picture = Picture()
    picture.type, picture.mime, picture.data, picture.desc = 3, image.mime, image.data, ""
    info = image_info(image.data)
    picture.width, picture.height = info.width, info.height
    picture.depth = 32 if info.mode in ("RGBA", "LA") else 24
    return picture
