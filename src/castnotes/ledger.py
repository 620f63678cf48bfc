"""The GUID ledger, `published.jsonl`: what subscribers' apps already have.

Once an episode is in a published feed, its GUID, enclosure URL and date must never
change by accident, or every app re-downloads or duplicates it. The ledger is an
append-only log (one JSON object per line, committed with the show). A build
compares the episodes it is about to publish with the ledger's latest record of each
GUID and refuses a change unless the host names the episode with `--allow-change`,
which appends a `changed` record, so the history says who changed what and when.

Appends are single `write` calls of whole lines under an exclusive lock, followed by
fsync, so concurrent builds never interleave. A line cut short by a crash is
detected and reported with its line number instead of being guessed at.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from .errors import CastnotesError, Problem, SourceLocation
from .model import Episode

LEDGER_NAME = "published.jsonl"
KINDS = ("published", "changed", "removed", "imported")


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    guid: str
    slug: str
    url: str  # enclosure URL as published
    date: str  # pubDate, ISO 8601 with offset
    kind: str = "published"
    recorded: str = ""  # when the line was written (UTC, ISO 8601)
    note: str | None = None

    def to_line(self) -> str:
        data = {k: v for k, v in asdict(self).items() if v is not None}
        return json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"


@dataclass(frozen=True, slots=True)
class Ledger:
    path: Path
    latest: dict[str, LedgerEntry]  # guid -> the newest record (removed GUIDs dropped)
    lines: int

    def __contains__(self, guid: str) -> bool:
        return guid in self.latest


def load_ledger(root: Path) -> Ledger:
    """Read `published.jsonl`; a malformed or torn line is an error with its line number."""
    path = root / LEDGER_NAME
    latest: dict[str, LedgerEntry] = {}
    if not path.exists():
        return Ledger(path, latest, 0)
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    lines = text.split("\n")
    torn = not text.endswith("\n") and text != ""
    problems = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            entry = LedgerEntry(**{k: data[k] for k in data if k in LedgerEntry.__dataclass_fields__})
            if entry.kind not in KINDS or not entry.guid:
                raise ValueError(entry.kind)
        except (ValueError, TypeError, KeyError):
            last = number == len(lines) and torn
            problems.append(Problem(
                "the last line is incomplete (a build was interrupted while recording it)" if last
                else "this line is not a ledger record",
                SourceLocation(path, number),
                hint="delete that line; the next build records the episode again" if last
                else "restore the file from version control (it is append-only)"))
            continue
        if entry.kind == "removed":
            latest.pop(entry.guid, None)
        else:
            latest[entry.guid] = entry
    if problems:
        raise CastnotesError(problems)
    return Ledger(path, latest, len([l for l in lines if l.strip()]))


def entry_for(episode: Episode, kind: str = "published", note: str | None = None,
              now: datetime | None = None) -> LedgerEntry:
    recorded = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
    return LedgerEntry(guid=episode.guid, slug=episode.slug, url=episode.enclosure.url,
                       date=episode.date.isoformat(), kind=kind, recorded=recorded, note=note)


def compare(ledger: Ledger, episodes: Iterable[Episode], allow_change: set[str],
            now: datetime | None = None) -> tuple[list[Problem], list[LedgerEntry]]:
    """Problems for every published episode that vanished or changed, and the records to append.

    New episodes yield `published` records; changes to episodes named in
    `allow_change` (by slug or GUID) yield `changed` records.
    """
    problems: list[Problem] = []
    records: list[LedgerEntry] = []
    current = {e.guid: e for e in episodes}
    by_slug = {e.slug: e for e in current.values()}
    for guid, entry in ledger.latest.items():
        episode = current.get(guid)
        allowed = entry.slug in allow_change or guid in allow_change
        if episode is None:
            successor = by_slug.get(entry.slug)
            if allowed:
                records.append(LedgerEntry(guid=guid, slug=entry.slug, url=entry.url, date=entry.date,
                                           kind="removed", recorded=_now(now),
                                           note="allowed with --allow-change"))
                continue
            if successor is not None:
                message = (f"the GUID of published episode {entry.slug!r} changed from {guid!r} to "
                           f"{successor.guid!r}: every app would see it as a new episode")
                where = SourceLocation(successor.source_path)
                hint = f"put back `guid: {guid}`, or run with --allow-change {entry.slug} if you mean it"
            else:
                message = (f"published episode {entry.slug!r} (GUID {guid}) is no longer in the feed: "
                           "its folder was removed or renamed, or it became a draft")
                where = SourceLocation(ledger.path)
                hint = (f"restore it (or give the renamed folder `guid: {guid}`), or run with "
                        f"--allow-change {entry.slug} to remove it on purpose")
            problems.append(Problem(message, where, hint=hint))
            continue
        changes = []
        if episode.enclosure.url != entry.url:
            changes.append(f"enclosure URL {entry.url} -> {episode.enclosure.url}")
        if _same_instant(episode.date.isoformat(), entry.date) is False:
            changes.append(f"date {entry.date} -> {episode.date.isoformat()}")
        if episode.slug != entry.slug:
            changes.append(f"slug {entry.slug} -> {episode.slug}")
        if not changes:
            continue
        if allowed or episode.slug in allow_change:
            records.append(entry_for(episode, "changed", "; ".join(changes), now))
            continue
        problems.append(Problem(
            f"published episode {entry.slug!r} changed: {'; '.join(changes)}. Apps that already "
            "have it would download or list it again",
            SourceLocation(episode.source_path),
            hint=f"undo the change, or run with --allow-change {episode.slug} if you mean it"))
    for episode in current.values():
        if episode.guid not in ledger.latest:
            records.append(entry_for(episode, now=now))
    return problems, records


def _same_instant(a: str, b: str) -> bool:
    try:
        return datetime.fromisoformat(a) == datetime.fromisoformat(b)
    except ValueError:
        return a == b


def _now(now: datetime | None) -> str:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")


def append_entries(root: Path, entries: Iterable[LedgerEntry]) -> int:
    """Append records as whole lines under an exclusive lock, then fsync. Returns how many."""
    entries = list(entries)
    data = "".join(e.to_line() for e in entries).encode("utf-8")
    if not data:
        return 0
    path = root / LEDGER_NAME
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        # A torn last line from a crash must not swallow our first record.
        size = os.fstat(fd).st_size
        if size:
            with open(path, "rb") as fh:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    data = b"\n" + data
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return len(entries)
