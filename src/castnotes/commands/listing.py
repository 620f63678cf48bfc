"""`castnotes list`: every episode with its number, date, status, title, duration, size and format.

Drafts and scheduled episodes are listed too (that is what the status column is
for); `in_ledger` says whether the episode has been recorded as published in
`published.jsonl`, i.e. whether its GUID and enclosure URL are now frozen.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from castnotes.config.settings import load_settings
from castnotes.model import Episode
from castnotes.output.ledger import keep_published, load_ledger
from castnotes.read.audio_cache import AudioCache
from castnotes.read.show import load_show
from castnotes.read.status import episode_status
from castnotes.timecode import format_clock

FORMATS = {"audio/mpeg": "MP3", "audio/x-m4a": "M4A", "audio/mp4": "M4A", "video/mp4": "MP4",
           "video/x-m4v": "M4V", "video/quicktime": "MOV", "audio/ogg": "Ogg", "audio/opus": "Opus",
           "audio/flac": "FLAC"}
COLUMNS = ("number", "date", "status", "title", "duration", "size", "format")


@dataclass(frozen=True, slots=True)
class EpisodeRow:
    folder: str
    slug: str
    guid: str
    number: int | None
    season: int | None
    type: str
    date: datetime
    status: str
    title: str
    duration: float
    size: int
    mime: str
    format: str
    in_ledger: bool

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        return data


def list_episodes(root: Path, now: datetime | None = None) -> list[EpisodeRow]:
    """Every episode of the show, oldest first (the newest ends up next to the prompt)."""
    settings = load_settings(root)
    cache = AudioCache(settings.root)
    show = keep_published(load_show(settings, cache, drafts=True, future=True, now=now, strict_drafts=False))
    cache.save()
    ledger = load_ledger(settings.root)
    return [_row(e, e.guid in ledger) for e in sorted(show.episodes, key=lambda e: (e.date, e.folder))]


def _row(episode: Episode, in_ledger: bool) -> EpisodeRow:
    enclosure = episode.enclosure
    return EpisodeRow(
        folder=episode.folder, slug=episode.slug, guid=episode.guid, number=episode.number,
        season=episode.season, type=episode.type, date=episode.date, status=episode_status(episode),
        title=episode.title, duration=enclosure.duration, size=enclosure.length, mime=enclosure.mime,
        format=FORMATS.get(enclosure.mime, enclosure.mime.split("/")[-1].upper()), in_ledger=in_ledger)


def render_table(rows: list[EpisodeRow], width: int = 100) -> list[tuple[str, str]]:
    """Aligned text lines, each with its status (for colouring); titles shortened to fit `width`."""
    cells = [[_number(r), r.date.strftime("%Y-%m-%d %H:%M"), r.status, r.title, format_clock(r.duration),
              _size(r.size), r.format] for r in rows]
    header = ["#", "date", "status", "title", "duration", "size", "format"]
    widths = [max(len(row[i]) for row in cells + [header]) for i in range(len(header))]
    fixed = sum(w for i, w in enumerate(widths) if i != 3) + 2 * (len(widths) - 1)
    widths[3] = max(12, min(widths[3], width - fixed))
    lines = [("  ".join(_fit(h, widths[i], i) for i, h in enumerate(header)).rstrip(), "header")]
    for row, line in zip(rows, cells):
        lines.append(("  ".join(_fit(c, widths[i], i) for i, c in enumerate(line)).rstrip(), row.status))
    return lines


def _fit(text: str, width: int, column: int) -> str:
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.rjust(width) if column in (0, 4, 5) else text.ljust(width)


def _number(row: EpisodeRow) -> str:
    if row.number is None:
        return row.type[:1].upper() if row.type != "full" else "-"
    return f"S{row.season}E{row.number}" if row.season else str(row.number)


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} KB"
