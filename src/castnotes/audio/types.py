"""The one table of podcast media types: suffix, MIME type and the names castnotes shows.

Reading audio, the feed, `list`, `check`, `import` and the preview server all ask
"what is a .m4a?"; they answer from this table so they never disagree. A row's
`name` is the file format (`castnotes list`: "M4A"); its `stream` is what a listener
picks between in a podcast:alternateEnclosure title ("AAC 128 kbps").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MediaType:
    suffix: str
    mime: str  # what castnotes writes in a feed for the suffix
    accepted: frozenset[str]  # the types feeds use for it that apps take (check, import)
    name: str  # the file format, in `castnotes list`
    stream: str  # the stream, in an alternate enclosure's title
    web: str  # the Content-Type the preview server sends, one browsers play
    apple: bool  # Apple Podcasts lists it (others are played by other apps only)
    readable: bool = True  # castnotes reads it as an episode's audio
    tags: str = ""  # the tag family `castnotes tag` writes: id3, mp4 or vorbis


def _row(suffix: str, mime: str, accepted: tuple[str, ...], name: str, stream: str, web: str,
         apple: bool, readable: bool = True, tags: str = "") -> MediaType:
    return MediaType(suffix, mime, frozenset((mime, *accepted)), name, stream, web, apple, readable, tags)


MEDIA_TYPES: tuple[MediaType, ...] = (
    _row(".mp3", "audio/mpeg", (), "MP3", "MP3", "audio/mpeg", apple=True, tags="id3"),
    _row(".m4a", "audio/x-m4a", ("audio/mp4", "audio/m4a"), "M4A", "AAC", "audio/mp4", apple=True, tags="mp4"),
    _row(".m4b", "audio/x-m4b", ("audio/mp4", "audio/x-m4a"), "M4B", "AAC", "audio/mp4", apple=False, tags="mp4"),
    _row(".mp4", "video/mp4", ("audio/mp4", "audio/x-m4a"), "MP4", "MP4 video", "video/mp4", apple=True, tags="mp4"),
    _row(".m4v", "video/x-m4v", ("video/mp4",), "M4V", "M4V video", "video/mp4", apple=True, tags="mp4"),
    _row(".mov", "video/quicktime", (), "MOV", "QuickTime video", "video/quicktime", apple=True,
         tags="mp4"),
    _row(".ogg", "audio/ogg", ("audio/vorbis",), "Ogg", "Ogg Vorbis", "audio/ogg", apple=False, tags="vorbis"),
    _row(".oga", "audio/ogg", (), "Ogg", "Ogg Vorbis", "audio/ogg", apple=False, tags="vorbis"),
    _row(".opus", "audio/opus", ("audio/ogg",), "Opus", "Opus", "audio/ogg", apple=False, tags="vorbis"),
    _row(".flac", "audio/flac", ("audio/x-flac",), "FLAC", "FLAC", "audio/flac", apple=False, tags="vorbis"),
    _row(".aac", "audio/aac", ("audio/x-aac",), "AAC", "AAC", "audio/aac", apple=False, readable=False),
)
BY_SUFFIX = {row.suffix: row for row in MEDIA_TYPES}
MIME_BY_SUFFIX = {row.suffix: row.mime for row in MEDIA_TYPES}
# Apple also takes PDF documents as enclosures; they are no audio, so not a row above.
PDF = "application/pdf"
APPLE_SUFFIXES = tuple(row.suffix for row in MEDIA_TYPES if row.apple) + (".pdf",)
APPLE_TYPES = tuple(row.mime for row in MEDIA_TYPES if row.apple) + (PDF,)
OTHER_SUFFIXES = tuple(row.suffix for row in MEDIA_TYPES if not row.apple)


def by_mime(mime: str) -> MediaType | None:
    """The row whose feed type is `mime`, else the first that accepts it (audio/mp4 -> .m4a)."""
    mime = mime.strip().lower()
    return next((row for row in MEDIA_TYPES if row.mime == mime), None) \
        or next((row for row in MEDIA_TYPES if mime in row.accepted), None)


def format_name(mime: str) -> str:
    """`MP3`, `M4A`...: the file format for `castnotes list`; an unknown type's subtype in capitals."""
    row = by_mime(mime)
    return row.name if row else mime.split("/")[-1].upper()


def stream_label(mime: str) -> str:
    """`MP3`, `AAC`, `Ogg Vorbis`...: what an alternate enclosure's title calls the stream."""
    row = by_mime(mime)
    return row.stream if row else mime.split("/")[-1].upper()
