"""The episode table of `castnotes list`: aligned columns, titles shortened to fit the terminal."""

from __future__ import annotations

import click

from castnotes.commands.listing import EpisodeRow
from castnotes.timecode import format_clock

COLOURS = {"header": {"bold": True}, "draft": {"fg": "yellow"}, "scheduled": {"fg": "cyan"}}


def episode_table(rows: list[EpisodeRow], width: int = 100) -> list[str]:
    """The table's lines, drafts and scheduled episodes coloured (plain when not a terminal)."""
    return [click.style(line, **COLOURS.get(status, {})) for line, status in render_table(rows, width)]


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
