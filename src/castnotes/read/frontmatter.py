"""YAML front matter with line numbers.

PyYAML's C loader parses; a custom mapping constructor keeps each key's line so that
every later error ("date: ...", "guests[1].role: ...") can point at the exact line of
episode.md. Duplicate keys, which YAML silently collapses, are reported too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode

from castnotes.errors import CastnotesError, Problems
from castnotes.fields import CONTROL_HINT, LineDict, first_control_character

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_Loader):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader: Any, node: MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict(line=node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text", key_node.start_mark)
        key = str(key)
        line = key_node.start_mark.line + 1
        if key in result:
            result.duplicates.append((key, line))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
# Keep "yes"/"no"/"on"/"off" as text: only true/false are booleans (YAML 1.2 behaviour),
# so `title: No` stays a title and not False.
_LineLoader.add_constructor(
    "tag:yaml.org,2002:bool",
    lambda loader, node: {"true": True, "false": False}.get(
        loader.construct_scalar(node).lower(), loader.construct_scalar(node)),
)


def _no_sexagesimal(base: Any) -> Any:
    """YAML 1.1 reads `12:30` as the number 750; keep such values as the text written."""
    def construct(loader: Any, node: ScalarNode) -> Any:
        text = loader.construct_scalar(node)
        return text if ":" in text else base(loader, node)

    return construct


def _timestamp_or_text(loader: Any, node: ScalarNode) -> Any:
    """`2024-02-30` looks like a date but is none: keep the text, so the field reader can
    report it at its line (PyYAML would raise a bare ValueError)."""
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _no_sexagesimal(SafeConstructor.construct_yaml_int))
_LineLoader.add_constructor("tag:yaml.org,2002:float", _no_sexagesimal(SafeConstructor.construct_yaml_float))


@dataclass(frozen=True, slots=True)
class Document:
    """An episode.md split into front matter and body."""

    meta: LineDict
    body: str
    body_line: int  # the 1-based file line the body starts on


_FENCE = re.compile(r"^---[ \t]*$", re.M)


def load_document(path: Path, problems: Problems, what: str) -> Document | None:
    """The Markdown file at `path` with its front matter: the one loader of episode notes,
    pages and topic descriptions. None after reporting why it cannot be read. A control
    character in the text is reported too (it would stop every feed that carries it), but the
    document is returned, so that a draft holding one is left out rather than stopping the build."""
    try:
        doc = parse_document(path.read_text(encoding="utf-8"), path)
    except UnicodeDecodeError:
        problems.add(f"{what} is not UTF-8 text", path, hint="save it as UTF-8")
        return None
    except CastnotesError as exc:
        problems.extend(exc.problems)
        return None
    found = first_control_character(doc.body)
    if found is not None:
        offset, char = found
        problems.add(f"the text holds the control character U+{ord(char):04X}, which feeds cannot carry", path,
                     doc.body_line + doc.body.count("\n", 0, offset), hint=CONTROL_HINT)
    return doc


def parse_document(text: str, path: Path) -> Document:
    """Split `---`-fenced YAML front matter from the Markdown body and parse it."""
    text = text.removeprefix("\ufeff")
    empty = LineDict()
    first_newline = text.find("\n")
    if not text.startswith("---") or first_newline == -1 or text[:first_newline].strip() != "---":
        return Document(empty, text, 1)
    closing = _FENCE.search(text, first_newline + 1)
    if closing is None:
        raise CastnotesError.single("front matter is not closed", path, 1,
                                    hint="end the YAML block with a line holding only ---")
    yaml_text = text[first_newline + 1 : closing.start()]
    body_start = text.find("\n", closing.end())
    body = "" if body_start == -1 else text[body_start + 1 :]
    body_line = text.count("\n", 0, body_start + 1) + 1 if body_start != -1 else 1
    _refuse_control_characters(yaml_text, path)
    try:
        _refuse_aliases(yaml_text, path)
        meta = yaml.load(yaml_text, Loader=_LineLoader) if yaml_text.strip() else None
    except yaml.MarkedYAMLError as exc:
        # An unclosed bracket or quote is where it was opened (the context); anything
        # else is where the parser stumbled (the problem).
        opened = exc.context_mark is not None and str(exc.context or "").startswith(
            ("while parsing a flow", "while scanning a quoted", "while scanning a double-quoted",
             "while scanning a single-quoted"))
        mark = exc.context_mark if opened else (exc.problem_mark or exc.context_mark)
        line = mark.line + 2 if mark is not None else 1  # +1 for 1-based, +1 for the opening ---
        problem = (exc.problem or "malformed YAML").strip()
        if opened and exc.problem_mark is not None:
            problem += f" ({str(exc.context).replace('while parsing', 'in')} opened here," \
                       f" still open on line {exc.problem_mark.line + 2})"
        raise CastnotesError.single(
            f"malformed front matter: {problem}", path, line,
            hint="check indentation, and quote values that contain ': ' or start with a symbol",
        ) from None
    except yaml.YAMLError as exc:
        raise CastnotesError.single(f"malformed front matter: {exc}", path, 2) from None
    if meta is None:
        return Document(empty, body, body_line)
    if not isinstance(meta, LineDict):
        raise CastnotesError.single("front matter must be a list of `key: value` lines", path, 2)
    _shift_lines(meta, 1)
    duplicates = _duplicates(meta)
    if duplicates:  # YAML keeps the last one: the other would be lost without a word
        key, line = min(duplicates, key=lambda found: found[1])
        raise CastnotesError.single(f"{key}: given twice", path, line, hint="keep one of them")
    _refuse_escaped_control_characters(meta, path)
    return Document(meta, body, body_line)


def _refuse_control_characters(yaml_text: str, path: Path) -> None:
    """A control character (often pasted in unseen) at its line and key, before YAML says
    "unacceptable character" at a byte position."""
    found = first_control_character(yaml_text)
    if found is None:
        return
    offset, char = found
    start = yaml_text.rfind("\n", 0, offset) + 1
    key = re.match(r"\s*-?\s*([\w.-]+):", yaml_text[start:offset])
    raise _control_error(key.group(1) if key else None, char, path, yaml_text.count("\n", 0, offset) + 2)


def _control_error(key: str | None, char: str, path: Path, line: int) -> CastnotesError:
    return CastnotesError.single(f"{'' if key is None else key + ': '}holds the control character "
                                 f"U+{ord(char):04X}", path, line, hint=CONTROL_HINT)


def _refuse_aliases(yaml_text: str, path: Path) -> None:
    """Anchors and aliases (`&a`, `*a`) are refused: nobody needs them in front matter, and a
    few hundred bytes of nested aliases expand to billions of values (the "billion laughs").
    The event stream is read without constructing anything, so this check is cheap."""
    for event in yaml.parse(yaml_text, Loader=_Loader):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            line = event.start_mark.line + 2  # +1 for 1-based, +1 for the opening ---
            raise CastnotesError.single(
                f"YAML {'alias *' if isinstance(event, yaml.AliasEvent) else 'anchor &'}{anchor} is not "
                "allowed in front matter", path, line, hint="write the value out in full")


def _refuse_escaped_control_characters(meta: LineDict, path: Path) -> None:
    """A control character written as a YAML escape (`"\\v"`), which the raw-text check above
    cannot see, at the line of its key (`title: holds the control character U+000B`)."""
    keys = {line: key for key, line in meta.lines.items()}
    for key_line, value in _strings(meta):
        found = first_control_character(value)
        if found:
            raise _control_error(keys.get(key_line), found[1], path, key_line)


def _strings(value: Any, line: int = 1) -> list[tuple[int, str]]:
    """Every string in the front matter, with the line of the key it belongs to."""
    found: list[tuple[int, str]] = []
    if isinstance(value, LineDict):
        for key, item in value.items():  # keys are text: _construct_mapping makes them so
            key_line = value.line_of(key)
            found += [(key_line, key), *_strings(item, key_line)]
    elif isinstance(value, dict):
        for key, item in value.items():
            found += _strings(key, line) + _strings(item, line)
    elif isinstance(value, list):
        for item in value:
            found += _strings(item, getattr(item, "line", line))
    elif isinstance(value, str):
        found.append((line, value))
    return found


def _duplicates(value: Any) -> list[tuple[str, int]]:
    """Every key given twice in one mapping, at any depth (`audio:` with two `file:`), with its line."""
    if isinstance(value, LineDict):
        return value.duplicates + [found for item in value.values() for found in _duplicates(item)]
    if isinstance(value, list):
        return [found for item in value for found in _duplicates(item)]
    return []


def _shift_lines(value: Any, offset: int) -> None:
    """Front matter lines are counted from the `---`, so move them to file lines."""
    if isinstance(value, LineDict):
        value.line += offset
        value.lines = {k: v + offset for k, v in value.lines.items()}
        value.duplicates = [(k, v + offset) for k, v in value.duplicates]
        for item in value.values():
            _shift_lines(item, offset)
    elif isinstance(value, list):
        for item in value:
            _shift_lines(item, offset)


def parse_datetime(value: Any, zone: ZoneInfo) -> datetime | None:
    """A front matter or tag date -> aware datetime; naive values are in the show's zone.

    Accepts YAML dates and timestamps, ISO 8601 text (`2026-05-04 06:00`,
    `2026-05-04T06:00:00+02:00`), and RFC 2822 text (as feeds have it).
    """
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime.combine(value, time(0, 0))
    elif isinstance(value, str):
        text = value.strip()
        try:
            result = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            from email.utils import parsedate_to_datetime

            try:
                result = parsedate_to_datetime(text)  # never None since Python 3.10: ValueError
            except (TypeError, ValueError, IndexError):
                return None
    else:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=zone)
    return result
