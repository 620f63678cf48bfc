"""An imported episode's chapters, transcripts, people and soundbites, as front matter.

Each is checked the way a build will check it (chapters in order and inside the
audio, soundbites inside the episode, http(s) addresses), so an import never writes
an episode.md that castnotes then refuses; what does not pass is left out with a
warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from castnotes.config.people import read_people
from castnotes.config.podcasting import read_funding, read_license, read_locations
from castnotes.errors import Problems
from castnotes.fields import FieldReader, is_http_url
from castnotes.importing.oldfeed import OldItem, TagValues
from castnotes.model import Chapter
from castnotes.read.chapters import ChapterSource, check_chapters
from castnotes.timecode import compact_seconds, parse_time_value

Warn = Callable[[str], None]
Reader = Callable[[FieldReader, str], Any]  # one of castnotes' own front matter / settings readers


def refusal(key: str, value: Any, read: Reader) -> str | None:
    """Why castnotes' own reader refuses `key: value`, or None when it takes it."""
    problems = Problems()
    read(FieldReader(Path(key), {key: value}, problems), key)
    return problems.errors[0].message if problems.errors else None


def read_persons(reader: FieldReader, key: str) -> Any:
    """Inline people (no people.toml registry yet in a freshly imported show)."""
    return read_people(reader, key, {}, default_role="guest", base_dir=Path.cwd(), root=Path.cwd())


def funding_entries(values: TagValues) -> list[dict[str, str]]:
    return [{"url": v["url"], **({"text": v["text"]} if v.get("text") else {})} for v in values if v.get("url")]


def license_value(values: TagValues) -> Any:
    if not values or not values[0].get("text"):
        return None
    value = values[0]
    return {"name": value["text"], "url": value["url"]} if value.get("url") else value["text"]


def location_entries(values: TagValues) -> list[dict[str, str]]:
    return [{"name": v["text"], **{k: v[k] for k in ("geo", "osm", "rel", "country") if v.get(k)}}
            for v in values if v.get("text")]


def episode_extras(item: OldItem, duration: float, warn: Warn) -> dict[str, Any]:
    """Front matter for `chapters`, `transcript`, `guests` and `soundbites` (only those present)."""
    meta: dict[str, Any] = {}
    remote = item.chapters_url if is_http_url(item.chapters_url) else None
    if item.chapters_url and not remote:
        warn(f"podcast:chapters {item.chapters_url!r} is not an http(s) URL; left out")
    if remote:
        # The chapters the Podcasting 2.0 apps already read, possibly richer (images, links)
        # than the psc copy: castnotes publishes one set, so it keeps that one.
        meta["chapters"] = remote
        if item.psc_chapters:
            warn(f"has both psc:chapters and podcast:chapters; kept the podcast:chapters file, {remote} "
                 f"(the new feed links it); its {len(item.psc_chapters)} psc chapter(s) are left out")
    else:
        meta["chapters"] = _psc_chapters(item, duration, warn)  # Podlove chapters inline: castnotes publishes them
    for transcript in item.transcripts:
        if not is_http_url(transcript.get("url")):
            warn(f"podcast:transcript without an http(s) url left out: {transcript}")
    meta["transcript"] = [dict(t) for t in item.transcripts if is_http_url(t.get("url"))]
    meta["guests"] = [guest for guest in (_guest(person, warn) for person in item.persons) if guest]
    meta["soundbites"] = _soundbites(item, duration, warn)
    for key, tag, value, read in (("funding", "podcast:funding", funding_entries(item.funding), read_funding),
                                  ("license", "podcast:license", license_value(item.license), read_license),
                                  ("location", "podcast:location", location_entries(item.locations),
                                   read_locations)):
        if value and (problem := refusal(key, value, read)):
            warn(f"{tag} left out: {problem}")
        else:
            meta[key] = value
    return {key: value for key, value in meta.items() if value}


def _guest(person: Any, warn: Warn) -> dict[str, Any] | None:
    # Podcasting 2.0: a person without a role is the host, in the cast group.
    guest = {"name": person.name, "role": person.role or "host",
             **{key: getattr(person, key) for key in ("group", "href", "img") if getattr(person, key)}}
    return checked_person(guest, "podcast:person", warn)


def checked_person(person: dict[str, Any], tag: str, warn: Warn) -> dict[str, Any] | None:
    """The person as castnotes reads it, without the values it would refuse (None: no usable name)."""
    problem = None
    for _ in range(len(person)):
        problem = refusal("people", [person], read_persons)
        if problem is None:
            return person
        problem = problem.removeprefix("people[0].")
        key = problem.split(":")[0]
        if key == "name" or key not in person:
            break
        warn(f"{tag} {person['name']!r}: {problem}; its {key} is left out")
        person = {k: v for k, v in person.items() if k != key}
    warn(f"{tag} {person.get('name')!r} left out: {problem}")
    return None


def _psc_chapters(item: OldItem, duration: float, warn: Warn) -> list[dict[str, Any]]:
    chapters, entries = [], []
    for raw in item.psc_chapters:
        start = parse_time_value(raw.get("start", ""))
        if start is None or not raw.get("title"):
            warn(f"psc:chapter {raw} has no valid start and title; chapters left out")
            return []
        chapters.append(Chapter(start, raw["title"]))
        entry: dict[str, Any] = {"start": raw["start"], "title": raw["title"]}
        if is_http_url(raw.get("href")):
            entry["url"] = raw["href"]
        if is_http_url(raw.get("image")):
            entry["img"] = raw["image"]
        entries.append(entry)
    faults = Problems()
    if chapters and duration:
        check_chapters(ChapterSource(tuple(chapters)), duration, faults)
    if faults.errors:
        warn(f"its chapters are left out: {faults.errors[0].message}")
        return []
    return entries


def _soundbites(item: OldItem, duration: float, warn: Warn) -> list[dict[str, Any]]:
    bites = []
    for raw in item.soundbites:
        try:
            start, length = float(raw.get("startTime", "")), float(raw.get("duration", ""))
        except ValueError:
            start = length = -1.0
        if start < 0 or length <= 0 or (duration and start + length > duration + 0.5):
            warn(f"podcast:soundbite {raw} does not fit the episode; left out")
            continue
        bite: dict[str, Any] = {"start": compact_seconds(start), "duration": compact_seconds(length)}
        if raw.get("title"):
            bite["title"] = raw["title"][:128]
        bites.append(bite)
    return bites
