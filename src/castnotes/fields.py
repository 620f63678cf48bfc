"""Typed reading of front matter values, each mistake recorded with its line.

`FieldReader` wraps one mapping (the front matter, or one guest entry inside it)
so every getter can say `episodes/x/episode.md:7: error: season: must be a whole
number` without the caller juggling paths and lines.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Iterable

from castnotes.errors import CastnotesError, Problems, did_you_mean

_HTTP_URL = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")  # what podcast apps show (Apple: JPEG or PNG)


# C0 and C1 controls other than tab, line feed and carriage return, and DEL: XML cannot carry
# them (or should not), so a feed holding one is refused by apps; none belongs in a title,
# a GUID or notes.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_HINT = "delete it (it is invisible in most editors; it often comes from copy and paste)"


def is_http_url(text: str | None) -> bool:
    """The one test of "an absolute http(s) URL": http:// or https:// in any case (RFC 3986 makes
    the scheme case-insensitive), a host, no whitespace inside. Whitespace around it is ignored
    here: every caller strips the value it keeps, so " https://x/" is the same URL everywhere."""
    return bool(text and _HTTP_URL.fullmatch(text.strip()))


def first_control_character(text: str) -> tuple[int, str] | None:
    """(offset, character) of the first control character in `text`, or None."""
    match = CONTROL_CHARACTERS.search(text)
    return (match.start(), match.group()) if match else None


def strip_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


class FieldReader:
    def __init__(self, path: Path, meta: Any, problems: Problems, prefix: str = "",
                 fallback_line: int | None = None):
        self.path = path
        self.meta = meta if isinstance(meta, dict) else {}
        self.problems = problems
        self.prefix = prefix  # e.g. "guests[1]." for nested entries
        self.fallback_line = fallback_line  # the parent key's line, for plain list items

    def line(self, key: str | None = None) -> int | None:
        if isinstance(self.meta, LineDict):
            return self.meta.line_of(key) if key else self.meta.line
        return self.fallback_line

    def error(self, key: str, message: str, hint: str | None = None, severity: str = "error") -> None:
        self.problems.add(f"{self.prefix}{key}: {message}", self.path, self.line(key), hint=hint, severity=severity)

    def warn(self, key: str, message: str, hint: str | None = None) -> None:
        self.error(key, message, hint, "warning")

    def has(self, key: str) -> bool:
        return self.meta.get(key) is not None

    def check_keys(self, known: Iterable[str], what: str = "front matter key") -> None:
        known = list(known)
        for key in self.meta:
            if key not in known:
                self.error(key, f"unknown {what}",
                           did_you_mean(key, known, "known keys: " + ", ".join(sorted(known))))

    def text(self, key: str, *, max_len: int | None = None) -> str | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            self.error(key, "must be text")
            return None
        text = str(value).strip()
        control = first_control_character(text)
        if control is not None:
            self.error(key, f"holds the control character U+{ord(control[1]):04X}", hint=CONTROL_HINT)
            return None
        if max_len and len(text) > max_len:
            self.error(key, f"is {len(text)} characters long; the limit is {max_len}")
        return text or None

    def integer(self, key: str, *, minimum: int = 1) -> int | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            else:
                self.error(key, f"must be a whole number, not {value!r}")
                return None
        if value < minimum:
            self.error(key, f"must be {minimum} or more, not {value}")
            return None
        return value

    def number(self, key: str) -> float | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(key, f"must be a number, not {value!r}")
            return None
        return float(value)

    def boolean(self, key: str) -> bool | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.error(key, f"must be true or false, not {value!r}")
            return None
        return value

    def choice(self, key: str, choices: Iterable[str], default: str | None = None) -> str | None:
        value = self.text(key)
        if value is None:
            return default
        choices = tuple(choices)
        if value not in choices:
            self.error(key, f"must be one of {', '.join(choices)}, not {value!r}")
            return default
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            self.error(key, "must be a list of text values")
            return ()
        return tuple(str(v).strip() for v in value if str(v).strip())

    def url(self, key: str, *, https: bool = False, warn_http: bool = False) -> str | None:
        """An absolute http(s) URL; `https` makes plain http an error, `warn_http` a warning."""
        value = self.text(key)
        if value is None:
            return None
        if not is_http_url(value):
            self.error(key, f"must be an absolute http(s) URL, not {value!r}")
            return None
        if value.lower().startswith("https://"):
            return value
        if https:
            self.error(key, f"must use https, not {value!r}",
                       hint="Podcasting 2.0 requires https here; apps refuse plain http links")
            return None
        if warn_http:
            self.warn(key, f"{value!r} uses plain http; Podcasting 2.0 asks for https",
                      hint="use the https address if the site has one")
        return value

    def image(self, key: str, name: str, folder: Path, inside: Path, where: str,
              hint: str | None = None) -> str | Path | None:
        """A picture field already read as `name`: an http(s) URL (art hosted elsewhere, linked
        as is), or the resolved path of a .jpg/.png under `folder` that stays inside `inside`
        (nothing outside the show is published). None, with the error recorded, otherwise."""
        if "://" in name:
            return self.url(key, warn_http=True)
        source = (folder / name).resolve()
        if not source.is_relative_to(inside.resolve()) or not source.is_file():
            self.error(key, f"{name!r} is not a file in {where}", hint=hint)
            return None
        if source.suffix.lower() not in IMAGE_SUFFIXES:
            self.error(key, f"{name!r} must be a .jpg or .png file")
            return None
        return source

    def table(self, key: str) -> "FieldReader | None":
        """A nested mapping (`location: {name: ..., geo: ...}`) as its own reader."""
        value = self.meta.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(key, "must be a table of keys and values")
            return None
        return FieldReader(self.path, value, self.problems, f"{self.prefix}{key}.", self.line(key))

    def entries(self, key: str) -> list[tuple["FieldReader", Any]]:
        """A list value, each item wrapped in its own reader (`key[i].`)."""
        value = self.meta.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            value = [value]
        line = self.line(key)
        return [(FieldReader(self.path, item, self.problems, f"{self.prefix}{key}[{i}].", line), item)
                for i, item in enumerate(value)]


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """castnotes.toml or people.toml as data; a syntax error names its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise CastnotesError.single(f"TOML syntax error: {exc}", path, int(line.group(1)) if line else None) \
            from None


class KeyLines:
    """Finds the line of `key` in `[section]` of a TOML text, for error messages.

    tomllib keeps no positions, so this scans the text: good enough for the flat
    tables castnotes.toml and people.toml use.
    """

    def __init__(self, text: str):
        self.index: dict[tuple[str | None, str | None], int] = {}
        section: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            header = re.match(r"^\[\[?\s*([A-Za-z0-9_.\-\"']+)\s*\]\]?", stripped)
            if header:
                section = header.group(1).strip("\"'")
                self.index.setdefault((section, None), number)
            elif key := re.match(r"^([A-Za-z0-9_\-]+)\s*=", stripped):
                self.index.setdefault((section, key.group(1)), number)

    def find(self, section: str | None, key: str | None) -> int | None:
        return self.index.get((section, key)) or self.index.get((section, None))

    def line_dict(self, table: dict[str, Any], section: str) -> LineDict:
        """A TOML table as a LineDict, so a FieldReader can point at each key's line."""
        line = self.find(section, None) or 1
        return LineDict(table, line, {key: self.find(section, key) or line for key in table})


class LineDict(dict):
    """A dict that remembers the line of each key (`lines`) and of itself (`line`)."""

    def __init__(self, items: Any = (), line: int = 1, lines: dict[str, int] | None = None):
        super().__init__(items)
        self.line = line
        self.lines = lines if lines is not None else {}
        self.duplicates: list[tuple[str, int]] = []

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


def check_control_characters(data: dict[str, Any], problems: Problems, path: Path, lines: KeyLines) -> None:
    """A control character in a TOML value (an escape such as \\u000b) cannot go into the XML
    feed: name its key and line."""
    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for k, v in value.items() for s in strings(k) + strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return []

    for section, table in data.items():
        pairs = table.items() if isinstance(table, dict) else [(None, table)]
        for key, value in pairs:
            hit = next((m for m in map(CONTROL_CHARACTERS.search, strings(value)) if m), None)
            if hit:
                name = f"[{section}] {key}" if key else section
                problems.add(f"{name} holds the control character U+{ord(hit.group()):04X}, which a feed "
                             "(XML) cannot carry", path, lines.find(section if key else None, key or section),
                             hint="delete it (an invisible character, often pasted from another program)")
