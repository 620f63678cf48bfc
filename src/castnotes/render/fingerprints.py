"""Page fingerprints: the digest of everything a page's template can see.

Templates get the show without its episode list (`ShowView`), so a page can only
depend on the episodes its context hands it; that is what makes the fingerprint
complete. `output.incremental` reuses the last build's file for an unchanged one.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from castnotes import __version__
from castnotes.codec import digest
from castnotes.model import Episode


class Fingerprints:
    """Digests of page contexts, hashing each episode once however many pages show it.

    An episode appears on its page, its neighbours', the home pages, its categories,
    its people: hashing its full `repr` each time would cost more than rendering.
    """

    def __init__(self) -> None:
        self.episodes: dict[int, str] = {}

    def of(self, *parts: object) -> str:
        return digest(*(self._canonical(part) for part in parts))

    def _canonical(self, value: object) -> object:
        if type(value) in _PLAIN:  # most of what a page context holds: answered first
            return value
        if isinstance(value, Episode):
            known = self.episodes.get(id(value))
            if known is None:
                known = self.episodes[id(value)] = "Episode:" + digest(value)
            return known
        if isinstance(value, (list, tuple)):
            return tuple(self._canonical(v) for v in value)
        if isinstance(value, dict):
            return tuple((k, self._canonical(v)) for k, v in value.items())
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return (type(value).__name__,
                    tuple(self._canonical(getattr(value, name)) for name in _field_names(type(value))))
        return value


_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def tree_digest(folders: Iterable[Path]) -> str:
    """The bytes of every file under the template folders: a changed template changes all pages."""
    hasher = hashlib.sha1(__version__.encode())
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                hasher.update(path.relative_to(folder).as_posix().encode())
                hasher.update(path.read_bytes())
    return hasher.hexdigest()


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One file to render: where it goes, its fingerprint, and how to make its bytes."""

    site_path: str
    fingerprint: str
    render: Callable[[], bytes]
