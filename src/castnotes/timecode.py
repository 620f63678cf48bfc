"""Every seconds <-> text conversion: `1:02:03.5` in, `1:02:03`, `01:02:03.500`, `PT1H2M3S` out.

Hosts write times in episode.md, chapters and transcripts; feeds, pages and the CLI
print them in four forms. Keeping parse and format together keeps them agreeing
(a time printed in one place reads back the same in another).
"""

from __future__ import annotations

import re
from typing import Any


def parse_time_value(value: Any) -> float | None:
    """A chapter time from YAML/JSON: seconds as a number, or `H:MM:SS(.mmm)` text."""
    if isinstance(value, str):
        return parse_timestamp(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def format_clock(seconds: float) -> str:
    """`1:02:03` or `12:30`: how hosts write times (rounded to the nearest second)."""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_npt(seconds: float) -> str:
    """`HH:MM:SS.mmm`, the Podlove Simple Chapters form every parser accepts."""
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def format_iso_duration(seconds: float) -> str:
    """ISO 8601 duration for JSON-LD and <time datetime>: `PT1H2M3S` (whole seconds, at least 1)."""
    whole = whole_seconds(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def compact_seconds(value: float) -> int | float:
    """Seconds as a host writes them in JSON or YAML: 3.0 -> 3, 2.5 -> 2.5, to the millisecond."""
    rounded = round(value, 3)
    return int(rounded) if rounded == int(rounded) else rounded


def parse_timestamp(text: str) -> float | None:
    """`1:02:03.5`, `02:03`, `75` or `75.25` -> seconds; None when it is none of those."""
    match = re.fullmatch(r"(?:(\d+):)?(?:(\d+):)?(\d+(?:[.,]\d+)?)", text.strip())
    if not match:
        return None
    seconds = 0.0
    for part in filter(None, match.groups()):  # the groups that matched
        seconds = seconds * 60 + float(part.replace(",", "."))
    return seconds


def whole_seconds(seconds: float | None) -> int:
    """Seconds as a whole number for itunes:duration and ISO durations: rounded, but a real
    recording shorter than a second is 1, never 0 (which apps read as "unknown")."""
    if not seconds or seconds <= 0:
        return 0
    return max(1, int(round(seconds)))
