"""Reading the GUID ledger, `published.jsonl` (output/ledger.py guards and appends to it).

Reading sits here, below the build, because loading a show needs it: a published
episode keeps the address the ledger recorded (`published_slugs`), and an episode the
old feed listed with a future date stays published (`keep_published`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from castnotes.errors import CastnotesError, Problem, Problems, SourceLocation
from castnotes.model import Show

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


def recorded_now(now: datetime | None = None) -> str:
    """A record's `recorded` stamp: now (or `now`) in UTC, to the second."""
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Ledger:
    path: Path
    latest: dict[str, LedgerEntry]  # guid -> the newest record (removed GUIDs dropped)
    lines: int

    def __contains__(self, guid: str) -> bool:
        return guid in self.latest


def load_ledger(root: Path) -> Ledger:
    """Read `published.jsonl`; a malformed or torn line is an error with its line number.

    A build reads the ledger three times (addresses, published dates, the guard); the
    file's bytes are read each time, but parsed again only when they differ from the
    last ones parsed (in this process).
    """
    path = root / LEDGER_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Ledger(path, {}, 0)
    last = _last_parsed.get(path)
    if last is not None and last[0] == raw:
        latest, lines = last[1]
    else:
        latest, lines = _parse_ledger(path, raw)
        _last_parsed.clear()  # one ledger kept: a long-lived process with many shows holds no more
        _last_parsed[path] = (raw, (latest, lines))
    return Ledger(path, dict(latest), lines)  # a dict of its own: a caller may change it


_last_parsed: dict[Path, tuple[bytes, tuple[dict[str, LedgerEntry], int]]] = {}


_scan = json.JSONDecoder().scan_once  # json's own C scanner, without json.loads' two regex passes per line


def _json_value(line: str) -> Any:
    """`json.loads(line)` for one ledger line (the same values and the same errors), quicker:
    a thousand-line ledger is read on every build."""
    text = line.strip(" \t\n\r")  # JSON's whitespace, no other
    try:
        value, end = _scan(text, 0)
    except StopIteration as stop:
        raise ValueError(f"no JSON value at {stop.value}") from None
    if end != len(text):
        raise ValueError("more than one JSON value")
    return value


def _parse_ledger(path: Path, raw: bytes) -> tuple[dict[str, LedgerEntry], int]:
    latest: dict[str, LedgerEntry] = {}
    text = raw.decode("utf-8", errors="replace")
    lines = text.split("\n")
    torn = not text.endswith("\n") and text != ""
    problems = Problems()
    known = LedgerEntry.__dataclass_fields__.keys()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = _json_value(line)
            if type(data) is not dict:
                raise TypeError("not an object")
            entry = LedgerEntry(**data) if data.keys() <= known else \
                LedgerEntry(**{k: data[k] for k in data if k in known})  # keys of a later version: left out
            if entry.kind not in KINDS or not entry.guid:
                raise ValueError(entry.kind)
            texts = (entry.guid, entry.slug, entry.url, entry.date, entry.recorded)
            if not all(isinstance(text, str) for text in texts) or not isinstance(entry.note, (str, type(None))):
                raise TypeError("a field is not text")
        except (ValueError, TypeError, KeyError):
            last = number == len(lines) and torn
            problems.add("the last line is incomplete (a build was interrupted while recording it)" if last
                         else "this line is not a ledger record", path, number,
                         hint="delete that line; the next build records the episode again" if last
                         else "restore the file from version control (it is append-only)")
            continue
        if entry.kind == "removed":
            latest.pop(entry.guid, None)
        else:
            latest[entry.guid] = entry
    problems.raise_if_errors()
    return latest, len([l for l in lines if l.strip()])


def published_slugs(root: Path) -> dict[str, tuple[str, str]]:
    """GUID -> (slug, date) it was published under, so a published episode keeps its address
    when another episode with the same title appears (read.show settles slugs). A ledger
    that cannot be read gives none here; the build reports it."""
    try:
        return {guid: (entry.slug, entry.date) for guid, entry in load_ledger(root).latest.items()}
    except CastnotesError:
        return {}


def same_instant(a: str, b: str) -> bool:
    try:
        return datetime.fromisoformat(a) == datetime.fromisoformat(b)
    except ValueError:
        return a == b


def keep_published(everything: Show) -> Show:
    """Episodes the ledger knows as published with their future date (an old feed that listed
    an episode dated ahead, kept by `castnotes import`) stay published, with a warning: apps
    already show them, and holding them back as scheduled would take them out of the feed."""
    ledger = load_ledger(everything.settings.root)
    episodes, warnings = [], []
    for episode in everything.episodes:
        entry = ledger.latest.get(episode.guid)
        if episode.scheduled and not episode.draft and entry is not None \
                and same_instant(entry.date, episode.date.isoformat()):
            episode = replace(episode, scheduled=False)
            warnings.append(Problem(
                f"dated {episode.date.isoformat()}, in the future, but already published (the old feed "
                "listed it): it stays in the feed", SourceLocation(episode.source_path), severity="warning",
                hint="correct `date:` only with --allow-change, since apps already know this date"))
        episodes.append(episode)
    if not warnings:
        return everything
    return replace(everything, episodes=tuple(episodes), problems=everything.problems + tuple(warnings))
