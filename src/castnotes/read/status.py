"""Published, scheduled or draft: which episodes a build puts in the feed.

A draft (`draft: true`) and an episode dated in the future (scheduled) stay out of
the feed unless asked for (`--drafts`, `--future`), are never recorded in the
ledger, and are marked as such on preview pages and in `castnotes list`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from castnotes.errors import Problems
from castnotes.model import Article, Episode, Show

STATUSES = ("published", "scheduled", "draft")
DRAFT_LINK = "links to the draft episode"


def add_draft_link(problems: Problems, folder: str, path: Path, line: int | None) -> None:
    """A published page linking to a draft this build leaves out: the link would break."""
    problems.add(f"{DRAFT_LINK} {folder}/, which this build leaves out", path, line,
                 hint="publish that episode first (remove `draft: true`), or build with --drafts")


def episode_status(episode: Episode) -> str:
    return "draft" if episode.draft else "scheduled" if episode.scheduled else "published"


def select_episodes(show: Show, *, drafts: bool = False, future: bool = False) -> Show:
    """The show with only the episodes (and pages of pages/) a build with these options publishes."""
    def kept(item: Episode | Article) -> bool:
        return (drafts or not item.draft) and (future or not item.scheduled)

    return replace(show, episodes=tuple(filter(kept, show.episodes)), articles=tuple(filter(kept, show.articles)))


def count_statuses(episodes: Iterable[Episode]) -> dict[str, int]:
    counts = Counter(episode_status(e) for e in episodes)
    return {status: counts.get(status, 0) for status in STATUSES}
