"""Times written in an episode's notes become links that seek the player.

Hosts write `12:34` or `1:02:03` in their notes, and some write `[12:34](#t=12:34)`.
Both become `<a href="#t=754" data-start="754">`: without JavaScript the address
`#t=754` is still a link to that moment (player.js reads it on load), with it a click
seeks and plays. A time past the episode's end is left as text, so "we met at 9:30"
in a 20-minute episode stays prose; so is anything inside a link, code or a heading.
"""

from __future__ import annotations

import re

from castnotes.timecode import parse_timestamp

_TAG = re.compile(r"(<[^>]*>)")
_SKIP = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "kbd", "samp"}
# h:mm:ss or m:ss, not part of a longer number, a ratio (1:2:3) or a clock time ("9:30 am")
_TIME = re.compile(r"(?<![\w:.,])((?:\d{1,2}:)?[0-5]?\d:[0-5]\d)(?![\w:]|[.,]\d|\s?[ap]\.?m\b)", re.I)
_HREF = re.compile(r'<a\s([^>]*?)href="#t=([^"&]+)"([^>]*)>')


def link_timestamps(html: str, duration: float | None) -> str:
    """Notes HTML with every plausible time in the text made a seek link (see module doc)."""
    html = _HREF.sub(_seek_anchor, html)
    if not _TIME.search(html):
        return html
    out = []
    skipping: list[str] = []
    for part in _TAG.split(html):
        if part.startswith("<"):
            name = re.match(r"</?([a-zA-Z0-9]+)", part)
            tag = name.group(1).lower() if name else ""
            if tag in _SKIP and not part.endswith("/>"):
                if part.startswith("</"):
                    if tag in skipping:
                        del skipping[len(skipping) - 1 - skipping[::-1].index(tag):]
                else:
                    skipping.append(tag)
            out.append(part)
        elif skipping:
            out.append(part)
        else:
            out.append(_TIME.sub(lambda m: _link(m, duration), part))
    return "".join(out)


def _seconds(text: str, duration: float | None) -> int | None:
    seconds = parse_timestamp(text)
    if seconds is None or (duration and seconds > duration + 1):
        return None
    return int(seconds)


def _link(match: re.Match[str], duration: float | None) -> str:
    if (seconds := _seconds(match.group(1), duration)) is None:
        return match.group(0)  # not a time of this episode: left as text
    return f'<a class="seek-time" href="#t={seconds}" data-start="{seconds}">{match.group(1)}</a>'


def _seek_anchor(match: re.Match[str]) -> str:
    """`<a href="#t=12:34">` (a link the host wrote) -> `<a href="#t=754" data-start="754">`."""
    if (seconds := _seconds(match.group(2), None)) is None or "data-start" in match.group(0):
        return match.group(0)
    return f'<a {match.group(1)}href="#t={seconds}" data-start="{seconds}"{match.group(3)}>'
