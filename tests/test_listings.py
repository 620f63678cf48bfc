"""Related episodes (render.listings.related_episodes) against its definition, worked out the
slow way: the episodes named in `related`, then those within `window` places of the episode
on the list of a category or guest they share, most shared lists first, then nearest in
time, then the newer one."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from castnotes.model import Enclosure, Episode, Person
from castnotes.render.listings import related_episodes, slug_of


def episode(number: int, categories: tuple[str, ...], guests: tuple[str, ...], related: tuple[str, ...]) -> Episode:
    return Episode(folder=f"{number:03d}", source_path=Path(f"/show/episodes/{number:03d}/episode.md"),
                   slug=f"ep-{number}", guid=f"g{number}", title=f"Episode {number}",
                   date=datetime(2026, 1, 1, tzinfo=timezone.utc) - timedelta(days=number), summary="",
                   summary_is_excerpt=False, body_html="",
                   enclosure=Enclosure(url=f"https://e.example/{number}.mp3", length=1, mime="audio/mpeg",
                                       duration=1.0),
                   categories=categories, guests=tuple(Person(name=g) for g in guests), related=related)


def reference(episodes: tuple[Episode, ...], limit: int, window: int) -> dict[str, list[str]]:
    def topics(e: Episode) -> set[str]:
        return {"c:" + slug_of(c) for c in e.categories} | {"p:" + slug_of(g.name) for g in e.guests}

    lists: dict[str, list[int]] = {}
    for i, e in enumerate(episodes):
        for key in topics(e):
            lists.setdefault(key, []).append(i)
    slugs = {e.slug for e in episodes}
    result = {}
    for i, e in enumerate(episodes):
        chosen = [s for s in e.related if s in slugs and s != e.slug]
        candidates = []
        for j, other in enumerate(episodes):
            if other.slug in chosen or j == i:
                continue
            score = sum(1 for key in topics(e) if key in topics(other)
                        and abs(lists[key].index(j) - lists[key].index(i)) <= window)
            if score:
                candidates.append((-score, abs(j - i), j))
        result[e.slug] = chosen + [episodes[j].slug for *_, j in sorted(candidates)][: max(0, limit - len(chosen))]
    return result


@pytest.mark.parametrize("seed", range(12))
def test_related_episodes_follow_their_definition(seed: int) -> None:
    rnd = random.Random(seed)
    categories = ["Sleep", "Work", "Mental Health", "mental-health", "Food"][: rnd.randint(1, 5)]
    guests = ["Ada", "Grace", "Li Wei"]
    count = rnd.randint(0, 80)
    episodes = tuple(episode(n, tuple(rnd.sample(categories, rnd.randint(0, len(categories)))),
                             tuple(rnd.sample(guests, rnd.randint(0, 2))),
                             tuple(f"ep-{rnd.randint(0, count + 2)}" for _ in range(rnd.randint(0, 3)))
                             if rnd.random() < 0.2 else ())
                     for n in range(count))
    for limit, window in ((3, 12), (1, 1), (4, 3), (0, 12)):
        got = {slug: [e.slug for e in found] for slug, found in related_episodes(episodes, limit, window).items()}
        assert got == reference(episodes, limit, window)
