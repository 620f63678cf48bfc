"""Transcript files: which ones an episode has, their MIME types and languages.

Found by name (`transcript.vtt`, `transcript.de.srt`, ...) or named in front matter
(`transcript: interview.vtt`). They are published beside the episode page and
linked from the feed with `podcast:transcript`.
"""

from __future__ import annotations

import re
from pathlib import Path

from .fields import FieldReader
from .model import Transcript

TRANSCRIPT_TYPES = {
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".json": "application/json",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
}
TIMED = {".vtt", ".srt", ".json"}
_NAME_RE = re.compile(r"^transcript(?:[._-]([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?))?$", re.IGNORECASE)


def find_transcripts(reader: FieldReader, folder: Path) -> list[tuple[Path, str | None]]:
    """(file, language) pairs: front matter `transcript:` wins over files found by name."""
    named = reader.strings("transcript")
    found: list[tuple[Path, str | None]] = []
    if named:
        for name in named:
            source = (folder / name).resolve()
            if not source.is_relative_to(folder.resolve()):
                reader.error("transcript", f"{name!r} is outside the episode folder")
            elif not source.is_file():
                reader.error("transcript", f"{name!r} not found in the episode folder")
            elif source.suffix.lower() not in TRANSCRIPT_TYPES:
                reader.error("transcript", f"{name!r} is not a transcript format",
                             hint="use .vtt, .srt, .json, .html or .txt")
            else:
                found.append((source, _language_of(source)))
        return found
    for source in sorted(folder.iterdir()):
        if source.suffix.lower() in TRANSCRIPT_TYPES and _NAME_RE.match(source.stem):
            found.append((source, _language_of(source)))
    return found


def _language_of(path: Path) -> str | None:
    match = _NAME_RE.match(path.stem)
    return match.group(1).lower() if match and match.group(1) else None


def make_transcript(source: Path, language: str | None, default_language: str, page_path: str,
                    site_url: str) -> Transcript:
    suffix = source.suffix.lower()
    site_path = f"{page_path}{source.name}"
    return Transcript(
        url=site_url + site_path,
        mime=TRANSCRIPT_TYPES[suffix],
        site_path=site_path,
        source_path=source,
        language=language or default_language,
        rel="captions" if suffix in TIMED else None,
    )
