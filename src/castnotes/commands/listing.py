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

from castnotes.audio.types import format_name
from castnotes.config.settings import load_settings
from castnotes.model import Episode
from castnotes.read.ledger import keep_published, load_ledger
from castnotes.read.show import load_show
from castnotes.read.status import episode_status


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
    show = keep_published(load_show(settings, now=now, strict_drafts=False))
    ledger = load_ledger(settings.root)
    return [_row(e, e.guid in ledger) for e in sorted(show.episodes, key=lambda e: (e.date, e.folder))]


def _row(episode: Episode, in_ledger: bool) -> EpisodeRow:
    enclosure = episode.enclosure
    return EpisodeRow(
        folder=episode.folder, slug=episode.slug, guid=episode.guid, number=episode.number,
        season=episode.season, type=episode.type, date=episode.date, status=episode_status(episode),
        title=episode.title, duration=enclosure.duration, size=enclosure.length, mime=enclosure.mime,
        format=format_name(enclosure.mime), in_ledger=in_ledger)
