"""Page fingerprints: the digest of everything a page's template can see.

Templates get the show without its episode list (`ShowView`), so a page can only
depend on the episodes its context hands it; that is what makes the fingerprint
complete. `output.incremental` reuses the last build's file for an unchanged one.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Collection, Iterable

from castnotes import __version__
from castnotes.codec import digest
from castnotes.model import Episode


class Fingerprints:
    """Digests of page contexts, hashing each episode once however many pages show it.

    An episode appears on its page, its neighbours', the home pages, its categories,
    its people: hashing its full `repr` each time would cost more than rendering. One
    instance serves a whole build: the feed's item keys (commands/check.py) take the
    same episode digests (`episode`), so each episode is hashed once per build.
    Episodes are known by `id` and kept referenced here, so an id is never reused
    while the instance lives.
    """

    def __init__(self) -> None:
        # id -> (the episode, its digest, its canonical form); a live object's id is its own,
        # so finding an id here is finding that episode
        self.episodes: dict[int, tuple[Episode, str, str]] = {}

    def episode(self, episode: Episode) -> str:
        """The digest of everything in the episode (`episode_digest`), once per episode."""
        known = self.episodes.get(id(episode))
        if known is None:
            hexed = episode_digest(episode)
            known = self.episodes[id(episode)] = (episode, hexed, "Episode:" + hexed)
        return known[1]

    def of(self, *parts: object) -> str:
        return digest(*(self._canonical(part) for part in parts))

    def _canonical(self, value: object) -> object:
        """`value` as plain values (tuples, strings, numbers) whose repr tells it apart: each
        episode by its digest, each dataclass by its type's name and its fields."""
        kind = type(value)
        if kind in _PLAIN:  # most of what a page context holds: answered first
            return value
        if kind is Episode:
            return "Episode:" + self.episode(value)  # type: ignore[arg-type]
        if kind is tuple or kind is list:  # lists of episodes (related, a page's episodes) inline
            return tuple(self._each(value))  # type: ignore[arg-type]
        if kind is dict:
            return tuple(zip(value, self._each(value.values())))  # type: ignore[attr-defined]
        names = _field_names(kind)
        if names is not None:
            return (kind.__name__, tuple(self._each([getattr(value, name) for name in names])))
        if isinstance(value, (list, tuple)):
            return tuple(self._each(value))
        if isinstance(value, dict):
            return tuple(zip(value, self._each(value.values())))
        return value

    def _each(self, values: Collection[object]) -> list[object]:
        """`_canonical` of each value, the common ones (plain values, episodes already
        hashed) without a call each."""
        episodes = self.episodes
        try:  # a list of known episodes, the most common list by far: one pass
            return [episodes[id(v)][2] for v in values]
        except KeyError:
            pass
        items: list[object] = []
        for v in values:
            if type(v) in _PLAIN:
                items.append(v)
            elif (known := episodes.get(id(v))) is not None:
                items.append(known[2])
            else:
                items.append(self._canonical(v))
        return items


_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    """A dataclass's field names; None for any other type."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls))


_EPISODE_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(Episode) if f.name != "body_html"))


def episode_digest(episode: Episode) -> str:
    """The digest of every field of an episode: the notes' HTML as its bytes (the bulk of an
    episode, and its `repr` would cost more than hashing it), the other fields as their repr."""
    html = episode.body_html.encode("utf-8", "surrogatepass")
    hasher = hashlib.sha1(b"%d\0" % len(html))  # where the HTML ends
    hasher.update(html)
    hasher.update(repr(_EPISODE_FIELDS(episode)).encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


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
