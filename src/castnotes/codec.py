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
from typing import Any
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
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return decode(options[0], data)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], v) for v in data)
        return tuple(decode(a, v) for a, v in zip(args, data))
    if dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise TypeError(f"{kind.__name__} from {type(data).__name__}")
        hints = _hints(kind)
        return kind(**{name: decode(hints[name], value) for name, value in data.items()})
    if kind is Path:
        return Path(data)
    if kind is datetime:
        text, _, zone = data.partition("[")
        value = datetime.fromisoformat(text)
        return value.astimezone(ZoneInfo(zone[:-1])) if zone else value
    if kind is float and isinstance(data, int):
        return float(data)
    return data


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))


def digest(*parts: object) -> str:
    hasher = hashlib.sha1()
    for part in parts:
        hasher.update(repr(part).encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()
