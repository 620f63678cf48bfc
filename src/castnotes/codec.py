"""Model dataclasses to JSON and back, for the caches kept between builds.

The cache of loaded episodes must give back exactly the objects a fresh load would
build (equal, and with equal `repr`, since page fingerprints hash them), so this
codec follows the type hints: nested dataclasses, optionals, tuples, `Path`, and
timezone-aware datetimes that keep their IANA zone. JSON rather than pickle, like
the audio cache: readable, and safe to load.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import types
import typing
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo


def encode(value: Any) -> Any:
    """A JSON-able form of a model value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime):
        zone = getattr(value.tzinfo, "key", None)
        return value.isoformat() + (f"[{zone}]" if zone else "")
    return value


def decode(kind: Any, data: Any) -> Any:
    """The value of type `kind` (a dataclass or a type hint) that `encode` turned into `data`."""
    return decoder(kind)(data)


def _same(value: Any) -> Any:
    return value


@lru_cache(maxsize=None)
def decoder(kind: Any) -> Callable[[Any], Any]:
    """The function that decodes `kind`, planned once per type from its hints.

    Loading a large show decodes thousands of cached episodes; following the hints
    for every value again costs more than the JSON parsing. The plan keeps only the
    conversions the data needs (a field of plain text, numbers or booleans is taken
    as JSON gave it), so decoding an episode is one call per dataclass in it.
    """
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        inner = decoder(options[0])
        if inner is _same:
            return _same
        return lambda data: None if data is None else inner(data)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            item = decoder(args[0])
            if item is _same:
                return tuple
            return lambda data: tuple(map(item, data))
        items = tuple(decoder(a) for a in args)
        return lambda data: tuple(f(v) for f, v in zip(items, data))
    if dataclasses.is_dataclass(kind):
        return _dataclass_decoder(kind)
    if kind is Path:
        return Path
    if kind is datetime:
        return _datetime
    if kind is float:
        return lambda data: float(data) if isinstance(data, int) else data
    return _same


def _dataclass_decoder(kind: type) -> Callable[[Any], Any]:
    hints = typing.get_type_hints(kind, vars(sys.modules[kind.__module__]))
    names = [f.name for f in dataclasses.fields(kind)]
    # Planned lazily: a dataclass may refer to itself (or to one that refers back).
    plan: list[tuple[str, Callable[[Any], Any]]] | None = None

    def decode_dataclass(data: Any) -> Any:
        nonlocal plan
        if not isinstance(data, dict):
            raise TypeError(f"{kind.__name__} from {type(data).__name__}")
        if plan is None:
            plan = [(name, f) for name in names if (f := decoder(hints[name])) is not _same]
        values = dict(data)  # a key that is no field is a TypeError below, as it should be
        for name, convert in plan:
            if name in values:
                values[name] = convert(values[name])
        return kind(**values)

    return decode_dataclass


def _datetime(data: str) -> datetime:
    text, _, zone = data.partition("[")
    value = datetime.fromisoformat(text)
    return value.astimezone(ZoneInfo(zone[:-1])) if zone else value


def digest(*parts: object) -> str:
    hasher = hashlib.sha1()
    for part in parts:
        hasher.update(repr(part).encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()
