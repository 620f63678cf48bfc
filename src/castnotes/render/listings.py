"""The site's lists, indexed once per build: categories, people, the archive, related episodes.

Every index is built in one pass over the episodes, so a page never scans the
whole show: a 1000-episode show costs the templates no more per page than a
ten-episode one.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

from castnotes.model import Episode, Person, Show
from castnotes.slugs import slug_of as _slug_of

# Every episode names its categories and guests again, and templates ask for the same
# addresses on every page: transliterating each name once per process is enough.
slug_of = functools.lru_cache(maxsize=8192)(_slug_of)


def category_path(name: str) -> str:
    return f"categories/{slug_of(name)}/"


def person_slug(person: Person) -> str:
    """The registry id when there is one, else a slug of the name."""
    return slug_of(person.id or person.name)


def person_path(person: Person) -> str:
    return f"people/{person_slug(person)}/"


@dataclass(frozen=True, slots=True)
class Category:
    slug: str
    name: str
    episodes: tuple[Episode, ...]  # newest first

    @property
    def page_path(self) -> str:
        return f"categories/{self.slug}/"


@dataclass(frozen=True, slots=True)
class PersonEntry:
    """A person with a page: their details and the episodes they appear in."""

    slug: str
    person: Person
    episodes: tuple[Episode, ...]  # newest first
    roles: tuple[str, ...]  # every role they had, in order of first appearance
    host: bool  # one of the show's hosts

    @property
    def page_path(self) -> str:
        return f"people/{self.slug}/"


@dataclass(frozen=True, slots=True)
class ArchiveGroup:
    """A season, or a year when the show has no seasons."""

    anchor: str  # the id of its heading: "season-2", "year-2025"
    title: str
    episodes: tuple[Episode, ...]


@dataclass(frozen=True, slots=True)
class SiteIndex:
    categories: tuple[Category, ...]  # by name
    people: tuple[PersonEntry, ...]  # hosts first, then by name
    archive: tuple[ArchiveGroup, ...]
    related: dict[str, list[Episode]]  # by episode slug


def index_show(show: Show, gettext: Callable[[str], str] = str) -> SiteIndex:
    """The lists of the site; `gettext` translates the few words they carry (archive headings)."""
    return SiteIndex(
        categories=index_categories(show.episodes),
        people=index_people(show.hosts, show.episodes),
        archive=archive_groups(show.episodes, serial=show.settings.show.type == "serial", gettext=gettext),
        related=related_episodes(show.episodes),
    )


def index_categories(episodes: Iterable[Episode]) -> tuple[Category, ...]:
    """Categories by slug; `Mental Health` and `mental-health` are one category, named as first seen."""
    names: dict[str, str] = {}
    members: dict[str, list[Episode]] = {}
    for episode in episodes:
        for name in dict.fromkeys(episode.categories):
            slug = slug_of(name)
            names.setdefault(slug, name)
            if not members.get(slug) or members[slug][-1] is not episode:
                members.setdefault(slug, []).append(episode)
    return tuple(sorted((Category(slug, names[slug], tuple(members[slug])) for slug in names),
                        key=lambda c: (c.name.lower(), c.slug)))


def index_people(hosts: Iterable[Person], episodes: Iterable[Episode]) -> tuple[PersonEntry, ...]:
    """Everyone with a page: the show's hosts, and every guest (by id, else by name)."""
    people: dict[str, Person] = {}
    roles: dict[str, list[str]] = {}
    appearances: dict[str, list[Episode]] = {}
    host_slugs = []
    for host in hosts:
        slug = person_slug(host)
        people.setdefault(slug, host)
        roles.setdefault(slug, []).append(host.role)
        host_slugs.append(slug)
    for episode in episodes:
        for guest in episode.guests:
            slug = person_slug(guest)
            known = people.setdefault(slug, guest)
            if not known.href and guest.href or not _has_photo(known) and _has_photo(guest):
                people[slug] = _merge(known, guest)
            if guest.role not in roles.setdefault(slug, []):
                roles[slug].append(guest.role)
            listed = appearances.setdefault(slug, [])
            if not listed or listed[-1] is not episode:
                listed.append(episode)
    entries = [PersonEntry(slug, people[slug], tuple(appearances.get(slug, ())), tuple(roles[slug]),
                           slug in host_slugs) for slug in people]
    hosts_first = {slug: i for i, slug in enumerate(host_slugs)}
    return tuple(sorted(entries, key=lambda p: (hosts_first.get(p.slug, len(hosts_first)),
                                                p.person.name.lower(), p.slug)))


def episode_people(hosts: Iterable[Person], episode: Episode) -> list[Person]:
    """The show's hosts, then the episode's guests; a host also listed as a guest appears once."""
    people: dict[str, Person] = {}
    for person in [*hosts, *episode.guests]:
        people.setdefault(person_slug(person), person)
    return list(people.values())


def _has_photo(person: Person) -> bool:
    return bool(person.img or person.img_site_path)


def _merge(known: Person, other: Person) -> Person:
    """The first-seen person, with a link or photo filled in from a later appearance."""
    known = replace(known, href=known.href or other.href)
    if _has_photo(known):
        return known
    return replace(known, img=other.img, img_site_path=other.img_site_path, img_source=other.img_source)


def archive_groups(episodes: tuple[Episode, ...], serial: bool = False,
                   gettext: Callable[[str], str] = str) -> tuple[ArchiveGroup, ...]:
    """By season when any episode has one (episodes without go last), else by year.

    A serial show reads in order, so its archive runs oldest first.
    """
    ordered = tuple(reversed(episodes)) if serial else episodes
    groups: dict[tuple[int, int], list[Episode]] = {}
    by_season = any(e.season for e in episodes)
    for episode in ordered:
        if by_season:
            key = (0, episode.season) if episode.season else (1, 0)
        else:
            key = (0, episode.date.year)
        groups.setdefault(key, []).append(episode)
    keys = sorted(groups, key=lambda k: (k[0], k[1] if serial else -k[1]))
    result = []
    for kind, value in keys:
        if by_season:
            anchor, title = ((f"season-{value}", gettext("Season %(number)s") % {"number": value}) if kind == 0
                             else ("specials", gettext("Specials")))
        else:
            anchor, title = f"year-{value}", str(value)
        result.append(ArchiveGroup(anchor, title, tuple(groups[(kind, value)])))
    return tuple(result)


def related_episodes(episodes: tuple[Episode, ...], limit: int = 3,
                     window: int = 12) -> dict[str, list[Episode]]:
    """For each episode: those named in `related`, then those sharing the most categories
    and guests, nearest in time first, up to `limit`.

    Candidates come from an index of categories and guests, looking only at the
    `window` episodes nearest in time on each list, so a big show with a few broad
    categories costs a pass over the episodes, not a comparison of every pair. Episodes
    are counted by their position (a Counter over slices of each list) and ranked by one
    integer per candidate, (fewer shared topics, farther in time, later) in that order:
    a thousand episodes in a few milliseconds, on every build.
    """
    order = {e.slug: i for i, e in enumerate(episodes)}
    lists: dict[str, list[int]] = {}  # topic -> positions of its episodes, newest first
    places: list[list[tuple[list[int], int]]] = []  # per episode: (its topics' lists, its place in each)
    for i, episode in enumerate(episodes):
        own = []
        for key in _topics(episode):
            members = lists.setdefault(key, [])
            own.append((members, len(members)))
            members.append(i)
        places.append(own)
    span = len(episodes) + 1  # every distance and position is smaller
    result: dict[str, list[Episode]] = {}
    for i, episode in enumerate(episodes):
        chosen = [episodes[order[s]] for s in episode.related if s in order and s != episode.slug]
        if len(chosen) < limit:
            scores: Counter[int] = Counter()
            for members, at in places[i]:
                scores.update(members[max(0, at - window) : at + window + 1])
            taken = {order[e.slug] for e in chosen}
            taken.add(i)
            most = max(scores.values(), default=0)
            # the few best of a few dozen: no need to sort them all (positions are unique: no ties)
            ranked = heapq.nsmallest(limit - len(chosen), [
                ((most - score) * span + abs(j - i)) * span + j for j, score in scores.items() if j not in taken])
            chosen += [episodes[rank % span] for rank in ranked]
        result[episode.slug] = chosen
    return result


def _topics(episode: Episode) -> set[str]:
    return {f"c:{slug_of(c)}" for c in episode.categories} | {
        f"p:{person_slug(g)}" for g in episode.guests}


def stable_pages(base: str, items: tuple | list, per_page: int) -> list[tuple[str, Any, dict[str, Any]]]:
    """A list of episodes (newest first) over pages that stay put when an episode is added.

    `base` (e.g. "categories/x/", "" for the home page) shows the newest `per_page`
    items. Older ones are cut into pages from the OLDEST end: `page/2/` holds the
    oldest `per_page`, `page/3/` the next ones, and so on; a page is made once it is
    full. Adding an episode so changes the base page only (and, when the newest full
    page fills up, that page's "newer" link): on a 1,000-episode show a new episode
    re-renders one list page instead of a hundred, and a site that publishes
    only changed files uploads one. The price: the page after the base page may repeat
    a few of its episodes, and `page/2/` now holds the oldest episodes (numbering from
    the newest, as before, moved every page by one on every new episode).

    Returns (site path, items, pagination) per page; pagination holds `number` (1 for
    the base page, N for `page/N/`), `count` (None: it would change every page), `paged`
    (the list spans several pages), `first` and `last` (positions of the page's items
    counted from the oldest, 1-based) and the site paths of the `newer` and `older` pages
    (or None), as the templates expect.
    """
    total = len(items)
    full = total // per_page

    def path(chunk: int) -> str:
        return f"{base}page/{chunk + 1}/"

    rest = max(0, total - per_page)  # items not on the base page
    pages: list[tuple[str, Any, dict[str, Any]]] = [(f"{base}index.html", items[:per_page], {
        "number": 1, "count": None, "paged": total > per_page, "first": rest + 1 if total else 0, "last": total,
        "newer": None, "older": path(math.ceil(rest / per_page)) if rest else None,
    })]
    for chunk in range(1, full + 1):
        start, end = (chunk - 1) * per_page, chunk * per_page  # counted from the oldest
        pages.append((f"{path(chunk)}index.html", items[total - end : total - start], {
            "number": chunk + 1, "count": None, "paged": True, "first": start + 1, "last": end,
            "newer": path(chunk + 1) if chunk < full else base,
            "older": path(chunk - 1) if chunk > 1 else None,
        }))
    return pages
