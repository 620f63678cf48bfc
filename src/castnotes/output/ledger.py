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
import fnmatch
import json
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

from castnotes.errors import Problem, SourceLocation
from castnotes.model import Episode
from castnotes.read.ledger import LEDGER_NAME, Ledger, LedgerEntry, load_ledger, recorded_now, same_instant
from castnotes.store import fsync_dir


def unguarded_warning(root: Path, published_feed: Path) -> Problem | None:
    """A loud warning when `published.jsonl` is gone but a built feed shows episodes were published.

    Without the ledger a build cannot tell a changed GUID or enclosure URL from a new
    episode; the host restores it from version control or from the live feed.
    """
    if (root / LEDGER_NAME).exists() or not published_feed.is_file():
        return None
    try:
        count = published_feed.read_bytes().count(b"<item>")
    except OSError:
        return None
    if not count:
        return None
    return Problem(
        f"{LEDGER_NAME} is missing, but the built feed holds {count} published episode"
        f"{'s' if count != 1 else ''}: {'they are' if count != 1 else 'it is'} no longer guarded against "
        "a changed GUID, enclosure URL or date", SourceLocation(root / LEDGER_NAME), severity="warning",
        hint=f"restore it from version control, or run `castnotes ledger rebuild FEED` with your live feed's "
             f"URL (or {published_feed.name})", rule="LEDGER")


def entry_for(episode: Episode, kind: str = "published", note: str | None = None,
              now: datetime | None = None) -> LedgerEntry:
    return LedgerEntry(guid=episode.guid, slug=episode.slug, url=episode.enclosure.url,
                       date=episode.date.isoformat(), kind=kind, recorded=recorded_now(now), note=note)


def compare(ledger: Ledger, episodes: Iterable[Episode], patterns: Sequence[str], held_back: Iterable[Episode],
            now: datetime | None) -> tuple[list[Problem], list[LedgerEntry]]:
    """Problems for every published episode that vanished or changed, and the records to append.

    `episodes` are the ones going into the feed as published (no drafts, nothing
    scheduled); `held_back` are the show's drafts and scheduled episodes, named in
    the message when a published episode became one. New episodes yield `published`
    records; changes to episodes named in `patterns` (--allow-change: slug, GUID or a shell
    pattern such as `*`) yield `changed` or `removed` records. A change of slug alone
    (remote audio keeps its URL) is harmless and recorded without asking.
    """
    problems: list[Problem] = []
    records: list[LedgerEntry] = []
    current = {e.guid: e for e in episodes}
    by_slug = {e.slug: e for e in current.values()}
    waiting = {e.guid: e for e in held_back}
    for guid, entry in ledger.latest.items():
        episode = current.get(guid)
        if episode is None:
            successor = by_slug.get(entry.slug)
            if allowed(patterns, entry.slug, guid):
                note = (f"GUID replaced by {successor.guid}" if successor is not None
                        else "removed from the feed")
                records.append(replace(entry, kind="removed", recorded=recorded_now(now),
                                       note=f"{note} (--allow-change)"))
                continue
            problems.append(_missing_problem(ledger, guid, entry, successor, waiting.get(guid)))
            continue
        changes = []
        if episode.enclosure.url != entry.url:
            changes.append(f"enclosure URL {entry.url} -> {episode.enclosure.url}")
        if same_instant(episode.date.isoformat(), entry.date) is False:
            changes.append(f"date {entry.date} -> {episode.date.isoformat()}")
        if not changes:
            if episode.slug != entry.slug:
                records.append(entry_for(episode, "changed", f"slug {entry.slug} -> {episode.slug}", now))
            continue
        if episode.slug != entry.slug:
            changes.append(f"slug {entry.slug} -> {episode.slug}")
        if allowed(patterns, entry.slug, episode.slug, guid):
            records.append(entry_for(episode, "changed", "; ".join(changes) + " (--allow-change)", now))
            continue
        name = repr(entry.slug) + (f" (now {episode.slug!r})" if episode.slug != entry.slug else "")
        problems.append(Problem(
            f"published episode {name} changed: {'; '.join(changes)}. Apps that already "
            "have it would download or list it again",
            SourceLocation(episode.source_path),
            hint=f"undo the change, or run with --allow-change {episode.slug} if you mean it",
            rule="LEDGER"))
    for episode in current.values():
        if episode.guid not in ledger.latest:
            records.append(entry_for(episode, now=now))
    return problems, records


def guard(root: Path, episodes: Iterable[Episode], allow_change: Iterable[str] = (),
          now: datetime | None = None) -> tuple[list[Problem], list[LedgerEntry]]:
    """Load the ledger and compare it with a show's episodes (all of them, drafts included).

    Only published episodes count as being in the feed; drafts and scheduled ones are
    never recorded. An `--allow-change` value that names no episode is a problem too:
    a typo there must not let a real change through unnoticed.
    """
    episodes = list(episodes)
    patterns = list(allow_change)
    ledger = load_ledger(root)
    published = [e for e in episodes if not e.draft and not e.scheduled]
    held_back = [e for e in episodes if e.draft or e.scheduled]
    problems, records = compare(ledger, published, patterns, held_back, now)
    names = {n for e in (*ledger.latest.values(), *episodes) for n in (e.slug, e.guid)}
    for name in patterns:
        if not allowed((name,), *names):  # names no episode, published or not: most likely a typo
            problems.append(Problem(
                f"--allow-change {name}: no episode has this slug or GUID", SourceLocation(ledger.path),
                hint="use the episode's slug (its folder name without the number), as in the message above it",
                rule="LEDGER"))
    return problems, records


def allowed(patterns: Iterable[str], *names: str) -> bool:
    """True when one of `--allow-change`'s values names (or matches, as a shell pattern) a name."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns for name in names)


def _missing_problem(ledger: Ledger, guid: str, entry: LedgerEntry, successor: Episode | None,
                     waiting: Episode | None) -> Problem:
    if successor is not None:
        return Problem(
            f"the GUID of published episode {entry.slug!r} changed from {guid!r} to "
            f"{successor.guid!r}: every app would see it as a new episode",
            SourceLocation(successor.source_path),
            hint=f"put back `guid: {guid}`, or run with --allow-change {entry.slug} if you mean it",
            rule="LEDGER")
    if waiting is not None:
        state = "a draft" if waiting.draft else f"scheduled for {waiting.date.isoformat()}"
        return Problem(
            f"published episode {entry.slug!r} (GUID {guid}) is now {state}, so it would leave "
            "the feed", SourceLocation(waiting.source_path),
            hint=f"set it back (draft: false, its old date {entry.date}), or run with "
                 f"--allow-change {entry.slug} to take it out on purpose",
            rule="LEDGER")
    return Problem(
        f"published episode {entry.slug!r} (GUID {guid}) is no longer in the feed: "
        "its folder was removed or renamed, or its GUID changed",
        SourceLocation(ledger.path),
        hint=(f"restore it (or give the renamed folder `guid: {guid}`), or run with "
              f"--allow-change {entry.slug} to remove it on purpose"),
        rule="LEDGER")


def append_entries(root: Path, entries: Iterable[LedgerEntry]) -> int:
    """Append records as whole lines under an exclusive lock, then fsync. Returns how many.

    Under the lock the file is read again: a `published` record for a GUID that a
    concurrent build recorded meanwhile is dropped, so two builds never record the
    same episode twice.
    """
    entries = list(entries)
    if not entries:
        return 0
    path = root / LEDGER_NAME
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.lseek(fd, 0, os.SEEK_SET)
        with open(fd, "rb", closefd=False) as reader:  # the locked file itself, however its path changed
            existing = reader.read()
        known = _recorded_guids(existing)
        entries = [e for e in entries if not (e.kind == "published" and e.guid in known)]
        data = "".join(e.to_line() for e in entries).encode("utf-8")
        # A torn last line from a crash must not swallow our first record.
        if data and existing and not existing.endswith(b"\n"):
            data = b"\n" + data
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)
    return len(entries)


def _recorded_guids(data: bytes) -> set[str]:
    """GUIDs whose latest readable record is not `removed` (unreadable lines are skipped here)."""
    state: dict[str, str] = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
            state[str(record["guid"])] = str(record.get("kind", "published"))
        except (ValueError, KeyError, TypeError):
            continue
    return {guid for guid, kind in state.items() if kind != "removed"}
