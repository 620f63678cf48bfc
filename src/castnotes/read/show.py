"""Episode folders -> Episode models (front matter, body, audio, art, chapters, people).

Two passes: the first reads every episode.md and settles each slug, so the second
can resolve links between episodes. Every problem is collected with its file and
line; nothing is raised until all episodes have been looked at. The audio and its
alternate formats are found by enclosures.py, chapters by chapters.py, transcripts
by transcripts.py, people by people.py.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import posixpath
import re
import uuid
from contextlib import closing, nullcontext
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol

from castnotes import __version__
from castnotes.audio.info import AudioInfo
from castnotes.codec import digest
from castnotes.config.people import PEOPLE_FILE, person_id, read_people
from castnotes.config.podcasting import read_funding, read_license, read_locations, read_social
from castnotes.errors import CastnotesError, Problems
from castnotes.fields import (
    CONTROL_CHARACTERS,
    IMAGE_SUFFIXES,
    FieldReader,
    first_control_character,
    strip_control_characters,
)
from castnotes.files import check_folder_files
from castnotes.imageinfo import image_info
from castnotes.markdown import render_notes
from castnotes.model import (
    EPISODE_TYPES,
    Artwork,
    Episode,
    Funding,
    Person,
    Settings,
    Show,
    SocialInteract,
    Soundbite,
    Sponsor,
)
from castnotes.read import chapters as chapter_sources
from castnotes.read.audio_cache import AudioCache
from castnotes.read.enclosures import load_enclosure
from castnotes.read.episode_cache import EpisodeCache, Loaded, path_of, scan_folder
from castnotes.read.frontmatter import Document, load_document, parse_datetime
from castnotes.read.ledger import published_slugs, same_instant
from castnotes.read.pages import SLUG_RE, html_policy, load_pages
from castnotes.read.status import add_draft_link
from castnotes.read.transcripts import load_transcripts
from castnotes.slugs import slugify
from castnotes.workers import parallel_imap

EPISODES_DIR = "episodes"
EPISODE_FILE = "episode.md"
MAX_EXPLICIT_SLUG = 200  # a folder name (at most 255 bytes) never gives a longer one
FRONT_MATTER_KEYS = (
    "title", "date", "number", "season", "type", "guid", "summary", "guests", "categories",
    "explicit", "image", "audio", "chapters", "transcript", "sponsors", "related", "soundbites",
    "draft", "slug", "funding", "license", "location", "social", "guid_permalink", "itunes_title",
)
GUID_NAMESPACE = uuid.UUID("5b0e35e5-1b0c-5e3f-9d77-8a1e2c4b6a10")  # castnotes' own, for derived GUIDs


class Progress(Protocol):
    """What the CLI shows while episodes are loaded (a progress bar on a terminal)."""

    def start(self, total: int) -> None: ...
    def advance(self, name: str) -> None: ...
    def finish(self) -> None: ...


@dataclass
class _Source:
    """An episode folder after the first pass, with the problems found in it.

    `doc` and `reader` are None for a folder whose stamp matched the episode cache:
    its first-pass values come from the cache (`summary`), and it is parsed only if
    it must be loaded again after all (`parse`).
    """

    folder: Path
    path: Path
    problems: Problems
    doc: Document | None = None
    reader: FieldReader | None = None
    slug: str = ""
    unsafe: bool = False  # holds a file that must not be opened: the second pass skips it
    links: list[tuple[str, int]] = field(default_factory=list)  # episodes its notes link to
    episode: Episode | None = None  # after the second pass
    stamp: str | None = None  # the folder's stamp (episode_cache); None: not cached
    summary: dict[str, Any] | None = None  # the first-pass values the cache keeps (see _summary)
    control: tuple[str, str] | None = None  # (field, character): a control character in the Episode

    @property
    def is_draft(self) -> bool:
        if self.doc is None:
            return bool(self.summary and self.summary["draft"])
        return self.doc.meta.get("draft") is True

    def text(self, key: str) -> str | None:
        """`slug:` or `guid:` as the first pass reads it (a mistake in it is reported once parsed)."""
        if self.reader is None:
            return self.summary[key] if self.summary else None
        return self.reader.text(key)

    def written_date(self, zone: Any) -> datetime | None:
        if self.doc is None:
            written = self.summary["date"] if self.summary else None
            return datetime.fromisoformat(written) if written else None
        return parse_datetime(self.doc.meta.get("date"), zone)

    def title_slugs(self) -> tuple[str, str]:
        """(folder_slug, default_slug) of the folder's name: kept in the cache's summary, since
        transliterating a thousand names was a good part of an unchanged show's first pass."""
        if self.summary is not None:
            return self.summary["slugs"]
        return folder_slug(self.folder.name), default_slug(self.folder.name)

    def error(self, key: str, message: str, hint: str | None = None) -> None:
        """A problem with a front matter value, at its line (episode.md is parsed for it if need be)."""
        if self.parse():
            self.reader.error(key, message, hint=hint)
        else:
            self.problems.add(f"{key}: {message}", self.path, hint=hint)

    def parse(self) -> bool:
        """Read episode.md now (its first pass came from the cache); False when it cannot be read."""
        if self.reader is not None:
            return True
        doc = load_document(self.path, self.problems, "episode.md")
        if doc is None:
            return False
        self.doc, self.reader = doc, FieldReader(self.path, doc.meta, self.problems)
        return True


def load_show(settings: Settings, *, now: datetime | None = None, strict_drafts: bool = True,
              audio_cache: AudioCache | None = None, reuse_episodes: bool = False,
              progress: Progress | None = None, published: Mapping[str, tuple[str, str]] | None = None) -> Show:
    """Every episode folder -> the whole Show; raise CastnotesError with all problems.

    This is the one way every command opens a show. It returns every episode, drafts
    and scheduled ones included (marked, never dropped): which of them a command acts
    on is decided in one place, `read.status.select_episodes`. The audio cache (and,
    with `reuse_episodes`, the episode cache) is saved when loading succeeds; pass
    `audio_cache` to read its counters afterwards.

    With `strict_drafts` False (a build that leaves drafts out), a problem in a draft
    is a warning and the draft is skipped: work in progress, such as an episode made
    by `castnotes new` whose audio is not recorded yet, never blocks publishing. A
    published episode linking to such a draft is an error, since that link would break.

    Episodes whose folder, settings and slug map are unchanged come from the episode
    cache; the others are loaded on every core (workers.parallel_imap).
    `published` (GUID -> (slug, date); by default read from the ledger) keeps a published
    episode's address when another episode with the same title turns up.
    """
    now = now or datetime.now(timezone.utc)
    cache = audio_cache or AudioCache(settings.root)
    problems = Problems()
    for published_folder in ("static", "templates"):  # copied into the site as they are
        if (settings.root / published_folder).is_dir():
            check_folder_files(settings.root / published_folder, settings.root, problems)
    if published is None:
        published = published_slugs(settings.root)
    shared = digest(__version__, settings)  # what every episode's result depends on besides its folder
    with closing(EpisodeCache(settings.root)) if reuse_episodes else nullcontext() as episode_cache:
        sources = _first_pass(settings, problems, published, episode_cache, shared)
        left_out = set() if strict_drafts else {s.folder.name for s in sources if s.is_draft}
        slugs = {s.folder.name: s.slug for s in sources}

        def lookup(folder_name: str) -> str | None:
            """An episode folder's page path, for links between episodes."""
            return f"episodes/{slugs[folder_name]}/" if folder_name in slugs else None

        loaded_all = _load_all(sources, settings, cache, episode_cache, progress, slugs, lookup)
        for source, loaded in zip(sources, loaded_all):
            source.problems.extend(loaded.problems)
            source.links = list(loaded.links)
            source.episode = loaded.episode
            source.control = loaded.control

        episodes = []
        for source in sources:
            if not source.is_draft:
                for folder, line in source.links:
                    if folder in left_out:
                        add_draft_link(source.problems, folder, source.path, line)
            if source.folder.name in left_out and source.problems.errors:
                problems.extend(replace(p, severity="warning", message=f"draft left out: {p.message}")
                                for p in source.problems.items)
                continue
            problems.extend(source.problems.items)
            if source.episode is not None:
                episode = source.episode
                if not source.problems.errors:  # one in the notes is reported already, at its line
                    _refuse_control_characters(episode, source.control, problems)
                episodes.append(replace(episode, scheduled=True) if episode.date > now else episode)
        pages = load_pages(settings, tuple(s.episode for s in sources if s.episode is not None), lookup,
                           problems, now, left_out, strict_drafts,
                           unreadable=frozenset(s.slug for s in sources
                                                if s.episode is None and s.folder.name not in left_out))
        problems.raise_if_errors()
        episodes = _unique_people(settings, episodes, problems)
        cache.save()
        if episode_cache is not None:
            episode_cache.save()

    episodes.sort(key=lambda e: (e.date, e.number or 0, e.folder), reverse=True)
    hosts = settings.show.hosts
    return Show(settings=settings, episodes=tuple(episodes), image=_show_artwork(settings), hosts=hosts,
                problems=settings.warnings + tuple(problems.warnings),
                copies=_people_photos(hosts + tuple(g for e in episodes for g in e.guests)),
                articles=pages.articles,
                topics=pages.topics)


def _load_all(sources: list[_Source], settings: Settings, cache: AudioCache, episode_cache: EpisodeCache | None,
              progress: Progress | None, slugs: dict[str, str], lookup: Callable[[str], str | None]) -> list[Loaded]:
    """The second pass for every source: from the episode cache, or loaded (in parallel)."""
    results: list[Loaded | None] = [
        episode_cache.get(s.folder.name, s.stamp, s.slug, slugs)
        if episode_cache and s.stamp and not s.unsafe else None
        for s in sources]
    missing = [i for i, loaded in enumerate(results) if loaded is None]

    def load(index: int) -> tuple[Loaded, dict]:
        source = sources[index]
        before = len(source.problems.items)
        if source.unsafe:
            return Loaded(None, (), ()), cache.take_changes()
        try:
            episode = _load_episode(source, settings, cache, lookup) if source.parse() else None
        except CastnotesError as exc:
            source.problems.extend(exc.problems)
            episode = None
        added = tuple(source.problems.items[before:])
        del source.problems.items[before:]  # the caller adds them, from a worker or from here
        control = _control_character(episode) if episode is not None else None
        return Loaded(episode, added, tuple(source.links), control), cache.take_changes()

    if missing:
        cache.entries  # read once here, before the workers fork (they share it), not in every worker
    if progress is not None and missing:
        progress.start(len(missing))
    try:
        for index, (loaded, changes) in zip(missing, parallel_imap(load, missing)):
            cache.merge_changes(changes)
            results[index] = loaded
            source = sources[index]
            if episode_cache is not None and source.stamp and not source.unsafe:
                episode_cache.put(source.folder.name, source.stamp, source.slug, source.summary, loaded,
                                  {f: slugs.get(f) for f in _referenced_folders(source, loaded)})
            if progress is not None:
                progress.advance(source.folder.name)
    finally:
        if progress is not None and missing:
            progress.finish()
    return [loaded for loaded in results if loaded is not None]


def _refuse_control_characters(episode: Episode, found: tuple[str, str] | None, problems: Problems) -> None:
    """A control character that reached the episode another way than its front matter (an audio
    tag, chapters.json, a people.toml entry) would stop the feed's XML: name the episode and field.
    `found` is `_control_character(episode)`, looked for once when the episode was loaded (and
    kept with it in the episode cache)."""
    if found is not None:
        field_name, character = found
        problems.add(f"{field_name} holds the control character U+{ord(character):04X} (from the audio's tags "
                     "or a file beside episode.md), which a feed (XML) cannot carry", episode.source_path,
                     hint="remove it where the value comes from, or set the value in the front matter")


def _control_character(value: Any, name: str = "") -> tuple[str, str] | None:
    if isinstance(value, str):
        hit = CONTROL_CHARACTERS.search(value)
        return (name, hit.group()) if hit else None
    if isinstance(value, (tuple, list)):
        items = ((f"{name}[{index}]", item) for index, item in enumerate(value))
    elif is_dataclass(value) and not isinstance(value, type):
        items = ((f"{name}.{f.name}" if name else f.name, getattr(value, f.name)) for f in fields(value))
    else:
        return None
    return next((found for label, item in items if (found := _control_character(item, label))), None)


def _referenced_folders(source: _Source, loaded: Loaded) -> set[str]:
    """Episode folders whose slug this episode's result depends on: its links and `related`."""
    folders = {folder for folder, _ in loaded.links}
    if source.summary is not None:
        related = source.summary["related"]
    else:
        related = source.reader.strings("related") if source.reader is not None else ()
    for value in related:
        folders.add(Path(value).parent.name if value.endswith(EPISODE_FILE) else Path(value).name)
    return folders


def _unique_people(settings: Settings, episodes: list[Episode], problems: Problems) -> list[Episode]:
    """Give each differently named one-off person an address of their own.

    A one-off guest's id is the slug of their name; two names can still share a slug
    (`Li Wei` and `李伟` both transliterate to `li-wei`... or a name that is also a
    people.toml id). The later one (in folder order) gets `-2`, `-3`, with a warning, so
    no person page silently swallows another.
    """
    derived = functools.cache(person_id)  # a guest of many episodes is transliterated once

    def chosen(person: Person) -> bool:  # an id the host wrote (people.toml, `id:`), not one derived
        return bool(person.id) and person.id != derived(person.name)

    ordered = sorted(episodes, key=lambda e: e.folder)
    owner: dict[str, str] = {pid: p.name.casefold() for pid, p in settings.people.items()}
    for person in (*settings.show.hosts, *(g for e in ordered for g in e.guests)):
        if chosen(person) or person in settings.show.hosts:
            owner.setdefault(person.id or "", person.name.casefold())
    renamed: dict[str, str] = {}  # casefolded name -> the id it was given
    changed: dict[str, Episode] = {}  # folder -> the episode with guests renamed
    for episode in ordered:
        guests = []
        for guest in episode.guests:
            name = guest.name.casefold()
            pid = guest.id or ""
            if chosen(guest) or (pid in settings.people and settings.people[pid].name == guest.name):
                pass  # an address of their own
            elif name in renamed:
                guest = replace(guest, id=renamed[name])
            elif owner.setdefault(pid, name) != name:
                new_id = next(f"{pid}-{n}" for n in itertools.count(2) if owner.get(f"{pid}-{n}", name) == name)
                owner[new_id] = name
                renamed[name] = new_id
                problems.add(f"guests: {guest.name} would share the address people/{pid}/ with "
                             f"someone else; their page is people/{new_id}/", episode.source_path,
                             severity="warning", hint=f"add them to {PEOPLE_FILE} with an id of their own to choose it")
                guest = replace(guest, id=new_id)
            guests.append(guest)
        if tuple(guests) != episode.guests:
            changed[episode.folder] = replace(episode, guests=tuple(guests))
    return [changed.get(e.folder, e) for e in episodes]


def _people_photos(people: tuple[Person, ...]) -> tuple[tuple[Path, str], ...]:
    """Local photos of hosts and guests, each published once under people/."""
    photos = {p.img_site_path: p.img_source for p in people if p.img_site_path and p.img_source}
    return tuple((source, site_path) for site_path, source in sorted(photos.items()))


def _first_pass(settings: Settings, problems: Problems, published: Mapping[str, tuple[str, str]],
                episode_cache: EpisodeCache | None = None, shared: str = "") -> list[_Source]:
    episodes_dir = settings.root / EPISODES_DIR
    if not episodes_dir.is_dir():
        raise CastnotesError.single(f"no {EPISODES_DIR}/ folder", episodes_dir,
                                    hint="create one, or run `castnotes new TITLE`")
    with os.scandir(episodes_dir) as entries:
        folders = sorted((e.name, e.is_symlink()) for e in entries
                         if not e.name.startswith((".", "_")) and e.is_dir())
    sources = []
    base = str(episodes_dir)
    for name, linked in folders:
        folder_text = f"{base}/{name}"
        folder, path = path_of(folder_text), path_of(f"{folder_text}/{EPISODE_FILE}")
        stamp, plain = None, False
        if not linked:  # a linked folder is checked (and read) every time
            try:
                files, plain = scan_folder(folder_text)
                stamp = digest(shared, files)
            except OSError:  # an unreadable folder: check_folder_files below says what
                pass
            plain = plain and any(f[0] == EPISODE_FILE for f in files)
        summary = episode_cache.first(name, stamp) if episode_cache and plain and stamp else None
        if summary is not None and summary.keys() == SUMMARY_KEYS:  # unchanged: no YAML parsed, no file opened
            own = Problems()
            own.extend(summary["problems"])
            sources.append(_Source(folder, path, own, stamp=stamp, summary=summary))
            continue
        if not plain and not path.is_file() and not path.is_symlink():
            problems.add(f"folder has no {EPISODE_FILE}", folder, severity="warning",
                         hint="add one, or rename the folder to start with _ to keep it out")
            continue
        unsafe = Problems()  # symlinks leaving the show, FIFOs: never opened (they could hang the build)
        if not plain:  # a plain folder (regular files and folders only) has nothing unsafe
            check_folder_files(folder, settings.root, unsafe)
        if any(p.where.path in (path, folder) for p in unsafe.errors):  # nothing of it can be read
            problems.extend(unsafe.items)
            continue
        own = Problems()
        own.extend(unsafe.items)
        doc = load_document(path, own, "episode.md")
        if doc is None:
            problems.extend(own.items)
            continue
        reader = FieldReader(path, doc.meta, own)
        reader.check_keys(FRONT_MATTER_KEYS)
        sources.append(_Source(folder, path, own, doc, reader, unsafe=bool(unsafe.errors),
                               stamp=stamp, summary=_summary(doc, path, own, settings) if plain else None))
    if not sources and not problems.errors:
        raise CastnotesError.single(
            f"no episodes: {EPISODES_DIR}/ holds no episode folders", episodes_dir,
            hint="add episodes/001-first/episode.md with its audio, or run `castnotes new TITLE`")
    _settle_slugs(sources, published, problems, episodes_dir, settings)
    _check_unique(sources, "slug", lambda s: s.slug, settings.root,
                  "give one of them `slug:` in its front matter")
    _check_unique(sources, "guid", lambda s: s.text("guid"), settings.root,
                  "every episode needs its own GUID; never change one that is published")
    return sources


SUMMARY_KEYS = frozenset(("slug", "guid", "date", "draft", "related", "problems", "slugs"))  # what _summary keeps


def _summary(doc: Document, path: Path, own: Problems, settings: Settings) -> dict[str, Any] | None:
    """What the first pass needs of an episode.md, kept in the episode cache under the folder's
    stamp. None (parse it every time) when reading these values finds a mistake: errors are
    reported from the parsed file, never from the cache."""
    if own.errors:
        return None
    scratch = Problems()
    reader = FieldReader(path, doc.meta, scratch)
    date = parse_datetime(doc.meta.get("date"), settings.zone)
    summary = {
        "slug": reader.text("slug"),
        "guid": reader.text("guid"),
        "date": date.isoformat() if date is not None else None,
        "draft": doc.meta.get("draft") is True,
        "related": list(reader.strings("related")),
        "problems": tuple(own.items),
        "slugs": (folder_slug(path.parent.name), default_slug(path.parent.name)),
    }
    return None if scratch.items else summary


def _settle_slugs(sources: list[_Source], published: Mapping[str, tuple[str, str]], problems: Problems,
                  episodes_dir: Path, settings: Settings) -> None:
    """Give every episode its address; repeated titles (`Mailbag`, `Q&A`) are ordinary.

    Claimed in this order: explicit `slug:`; the slug a published episode has in the
    ledger (so it never moves); then the slug of each folder's title part in folder
    order. When that is taken, the later folder uses its whole name
    (`009-mailbag`). Two explicit `slug:`s that clash stay an error (_check_unique).
    """
    derived = [s for s in sources if s.text("slug") is None]
    claims: dict[str, list[_Source]] = {}  # published GUID -> the folders that may be it
    for source in derived:
        candidates = source.title_slugs()
        guid = source.text("guid")
        # Without `guid:` the GUID derives from the slug: look for either candidate's, the
        # folder's own first (`002-mailbag` published as such is surely this folder).
        guids = [guid] if guid else [derived_guid(settings.show.url, slug) for slug in candidates]
        found = next((g for g in guids if g in published and published[g][0] in candidates), None)
        if found is not None:
            claims.setdefault(found, []).append(source)
    pinned: dict[str, _Source] = {}
    for guid, claimants in claims.items():
        slug, date = published[guid]
        if len(claimants) > 1:  # GUIDs derived from one title: the one with the published date
            claimants = [c for c in claimants
                         if (written := c.written_date(settings.zone)) and same_instant(written.isoformat(), date)]
        if len(claimants) == 1:
            pinned[slug] = claimants[0]
    taken: set[str] = set(pinned)
    for slug, source in pinned.items():
        source.slug = slug
    for source in sources:
        explicit = source.text("slug")
        if explicit is None:
            continue
        source.slug = explicit
        if not SLUG_RE.match(explicit):
            source.error("slug", f"{explicit!r} may hold only a-z, 0-9 and -")
        elif len(explicit) > MAX_EXPLICIT_SLUG:
            source.error("slug", f"is {len(explicit)} characters long; the limit is {MAX_EXPLICIT_SLUG}",
                         hint="addresses that long break file systems and are hard to share")
        elif explicit in pinned:
            owner = pinned[explicit].path.relative_to(episodes_dir.parent).as_posix()
            source.error("slug", f"{explicit!r} is the address of the published episode {owner}",
                         hint="a published address never moves: choose another slug")
            source.slug = source.title_slugs()[0]
        taken.add(source.slug)
    pinned_ids = {id(source) for source in pinned.values()}
    moved = []
    for source in (s for s in derived if id(s) not in pinned_ids):
        whole, slug = source.title_slugs()
        if slug in taken:
            slug = whole
            moved.append(source.folder.name)
        source.slug = slug
        taken.add(slug)
    if moved:
        shown = ", ".join(moved[:5]) + (f" and {len(moved) - 5} more" if len(moved) > 5 else "")
        problems.add(f"{len(moved)} episode(s) use the whole folder name as address, since another "
                     f"folder has the same title: {shown}", episodes_dir, severity="warning",
                     hint="give an episode `slug:` in its front matter to choose its address")


def _check_unique(sources: list[_Source], key: str, value_of: Any, root: Path, hint: str) -> None:
    seen: dict[str, _Source] = {}
    for source in sources:
        value = value_of(source)
        if value in seen:
            other = seen[value].path.relative_to(root).as_posix()
            source.error(key, f"{value!r} is also the {key} of {other}", hint=hint)
        elif value is not None:  # no slug or guid is never a clash
            seen[value] = source


def derived_guid(show_url: str, slug: str) -> str:
    """The GUID of an episode without `guid:`: stable as long as its address is."""
    return str(uuid.uuid5(GUID_NAMESPACE, show_url + slug))


def folder_slug(folder_name: str) -> str:
    """`009-Mailbag` -> `009-mailbag`: the whole folder name, for a title that is taken."""
    return slugify(folder_name) or "episode"


def default_slug(folder_name: str) -> str:
    """`042-stay-connected` -> `stay-connected`; a folder of digits keeps its name."""
    slug = re.sub(r"^\d+[-_. ]*", "", folder_name) or folder_name
    return slugify(slug) or "episode"


def _load_episode(source: _Source, settings: Settings, cache: AudioCache, lookup: Any) -> Episode | None:
    reader, folder, path, problems = source.reader, source.folder, source.path, source.problems
    page_path = f"episodes/{source.slug}/"
    copies: list[tuple[Path, str]] = []
    enclosure, info, alternates = load_enclosure(reader, folder, source.slug, settings, cache, copies)
    if enclosure is None:
        return None
    tags = info or AudioInfo(mime="", codec="", duration=0, size=0)

    tag_title = tags.title
    if tag_title and first_control_character(tag_title) is not None and not reader.has("title"):
        tag_title = strip_control_characters(tag_title)
        problems.add(f"the audio's title tag holds control characters; using {tag_title!r} without them",
                     enclosure.source_path or path, severity="warning",
                     hint="add title: to the front matter, or fix the tag with `castnotes tag`")
    title = reader.text("title") or tag_title
    if not title:
        reader.error("title", "missing, and the audio has no title tag", hint='add title: "..."')
    date = _episode_date(reader, tags, settings.zone)
    episode_type = reader.choice("type", EPISODE_TYPES, "full")
    number = reader.integer("number")
    if number is None and "number" not in reader.meta and episode_type != "trailer":
        digits = re.match(r"^(\d+)", folder.name)
        number = int(digits.group(1)) if digits and int(digits.group(1)) > 0 else tags.track
    guid = reader.text("guid")
    if guid is None:
        guid = derived_guid(settings.show.url, source.slug)
        reader.warn("guid", f"missing; using the derived {guid}",
                    hint=f"add `guid: {guid}` so it never changes, even if the slug does")

    notes = render_notes(source.doc.body, source_path=path, first_line=source.doc.body_line,
                         episodes_dir=settings.root / EPISODES_DIR, page_path=page_path, lookup=lookup,
                         policy=html_policy(settings))
    problems.extend(notes.problems)
    copies.extend(notes.assets)
    source.links = notes.linked_episodes
    summary = reader.text("summary")
    summary_is_excerpt = summary is None and bool(notes.first_paragraph)
    summary = summary or notes.first_paragraph or strip_control_characters(tags.comment or "")
    image = _episode_artwork(reader, folder, page_path, settings, tags, cache, copies)
    companions = _companions(reader, folder, page_path, settings, tags, enclosure.source_path,
                             enclosure.duration, cache, copies)
    related = _related(reader, folder, settings, lookup)
    sponsors = _sponsors(reader)
    podcasting = _podcasting(reader, folder, settings, sponsors)

    if not title or date is None:
        return None
    return Episode(
        folder=folder.name,
        source_path=path,
        slug=source.slug,
        guid=guid,
        title=title,
        date=date,
        summary=summary,
        summary_is_excerpt=summary_is_excerpt,
        body_html=notes.html,
        enclosure=enclosure,
        number=number,
        season=reader.integer("season"),
        type=episode_type or "full",
        explicit=reader.boolean("explicit"),
        image=image,
        categories=reader.strings("categories"),
        sponsors=sponsors,
        alternates=alternates,
        **companions,
        **podcasting,
        soundbites=_soundbites(reader, enclosure.duration),
        related=related,
        social=_social(reader, settings, source.slug, number, guid),
        draft=bool(reader.boolean("draft")),
        guid_permalink=bool(reader.boolean("guid_permalink")),
        itunes_title=reader.text("itunes_title"),
        copies=tuple(copies),
    )


def _companions(reader: FieldReader, folder: Path, page_path: str, settings: Settings, tags: AudioInfo,
                audio_path: Path | None, duration: float, cache: AudioCache,
                copies: list[tuple[Path, str]]) -> dict[str, Any]:
    """Chapters and transcripts: files published beside the page and linked from the feed."""
    chapters = chapter_sources.load_chapters(reader, folder, page_path, tags.chapters, audio_path,
                                             cache.picture_path, reader.problems)
    copies.extend(chapters.copies)
    if chapters.chapters and duration:
        prefix = "chapters: " if chapters.path == reader.path else ""
        chapters = replace(chapters, chapters=chapter_sources.check_chapters(chapters, duration,
                                                                             reader.problems, prefix))
    local_url = settings.show.url + page_path + "chapters.json" if chapters.chapters else None
    return {
        "chapters": chapters.chapters,
        "chapters_url": chapters.remote_url or local_url,
        "transcripts": tuple(load_transcripts(reader, folder, page_path, settings.show.url,
                                              settings.show.language, copies)),
    }


def _podcasting(reader: FieldReader, folder: Path, settings: Settings,
                sponsors: tuple[Sponsor, ...]) -> dict[str, Any]:
    """Guests, funding, licence and places: the episode's Podcasting 2.0 metadata."""
    return {
        "guests": read_people(reader, "guests", settings.people, default_role="guest", base_dir=folder,
                              root=settings.root),
        "funding": read_funding(reader, "funding") + _sponsor_funding(reader, sponsors),
        "license": read_license(reader, "license"),
        "locations": read_locations(reader, "location"),
    }


def _social(reader: FieldReader, settings: Settings, slug: str, number: int | None,
            guid: str) -> tuple[SocialInteract, ...]:
    """The episode's own `social:` threads, else the show-wide pattern filled in for it.

    A pattern using {number} does not apply to an episode without a number.
    """
    own = read_social(reader, "social")
    if own or reader.has("social"):
        return own
    pattern = settings.show.social
    if pattern is None or pattern.uri is None:
        return (pattern,) if pattern else ()
    if "{number}" in pattern.uri and number is None:
        return ()
    uri = pattern.uri.replace("{slug}", slug).replace("{guid}", guid).replace("{number}", str(number))
    return (replace(pattern, uri=uri),)


def _episode_date(reader: FieldReader, tags: AudioInfo, zone: Any) -> datetime | None:
    if reader.has("date"):
        date = parse_datetime(reader.meta["date"], zone)
        if date is None:
            reader.error("date", f"{reader.meta['date']!r} is not a date",
                         hint="write it as 2026-05-04 or 2026-05-04 06:00 (optionally +02:00)")
        return date
    if tags.date and re.match(r"^\d{4}-\d{2}-\d{2}", tags.date):
        return parse_datetime(tags.date[:19].replace("T", " "), zone)
    reader.error("date", "missing, and the audio has no full date tag", hint="add date: 2026-05-04 06:00")
    return None


# --- art, chapters, people ------------------------------------------------------------

def _episode_artwork(reader: FieldReader, folder: Path, page_path: str, settings: Settings,
                     tags: AudioInfo, cache: AudioCache, copies: list[tuple[Path, str]]) -> Artwork | None:
    name = reader.text("image")
    source: Path | None = None
    if name:
        found = reader.image("image", name, folder, folder, "the episode folder")
        if not isinstance(found, Path):  # art hosted elsewhere (as `castnotes import` writes it): linked
            return Artwork(url=found) if found else None
        source = found
    else:
        source = next((folder / f"cover{s}" for s in IMAGE_SUFFIXES if (folder / f"cover{s}").is_file()),
                      None)
    if source is None and tags.art is not None:
        source = cache.picture_path(tags.art)
    if source is None:
        return None
    artwork = _local_artwork(settings, source, f"{page_path}cover")
    copies.append((source, artwork.site_path))
    return artwork


def _show_artwork(settings: Settings) -> Artwork | None:
    """The show's artwork, published under a content-hashed name: apps cache art by URL."""
    source = settings.show.image_path
    if source is None:
        return None
    return _local_artwork(settings, source, f"artwork-{hashlib.sha256(source.read_bytes()).hexdigest()[:10]}")


def _local_artwork(settings: Settings, source: Path, name: str) -> Artwork:
    """Art published as `name`.png or `name`.jpg; no size when Pillow cannot read it (the build reports that)."""
    site_path = name + (".png" if source.suffix.lower() == ".png" else ".jpg")
    try:
        info = image_info(source)
        width, height = info.width, info.height
    except CastnotesError:
        width = height = None
    return Artwork(url=settings.show.url + site_path, site_path=site_path, source_path=source,
                   width=width, height=height)


def _sponsors(reader: FieldReader) -> tuple[Sponsor, ...]:
    sponsors = []
    for item_reader, item in reader.entries("sponsors"):
        item_reader.check_keys(("name", "url", "text"), "sponsor key")
        name = item_reader.text("name")
        if not name:
            item_reader.error("name", "each sponsor needs a name")
            continue
        sponsors.append(Sponsor(name, item_reader.url("url"), item_reader.text("text")))
    return tuple(sponsors)


def _sponsor_funding(reader: FieldReader, sponsors: tuple[Sponsor, ...]) -> tuple[Funding, ...]:
    """Sponsors with an https link are also podcast:funding; plain http ones stay on the page only."""
    funding = []
    for i, sponsor in enumerate(sponsors):
        if sponsor.url is None:
            continue
        if not sponsor.url.lower().startswith("https://"):
            reader.warn("sponsors", f"sponsors[{i}] ({sponsor.name}) links to plain http; it is shown on the "
                                    "page but left out of podcast:funding, which takes only https",
                        hint="use the sponsor's https address")
            continue
        funding.append(Funding(sponsor.url, sponsor.name))
    return tuple(funding)


def _soundbites(reader: FieldReader, duration: float) -> tuple[Soundbite, ...]:
    bites = []
    for item_reader, item in reader.entries("soundbites"):
        item_reader.check_keys(("start", "duration", "title"), "soundbite key")
        start = chapter_sources.parse_time_value(item.get("start") if isinstance(item, dict) else None)
        length = item_reader.number("duration")
        if start is None or length is None or length <= 0:
            item_reader.error("start", "each soundbite needs start (a time) and duration (seconds)")
            continue
        if duration and start + length > duration + 0.5:
            item_reader.error("start", "the soundbite runs past the end of the audio")
            continue
        bites.append(Soundbite(start, length, item_reader.text("title", max_len=128)))
    return tuple(bites)


def _related(reader: FieldReader, folder: Path, settings: Settings, lookup: Any) -> tuple[str, ...]:
    """`related: [../017-x/episode.md]` (or the folder) -> the slugs of those episodes."""
    episodes_dir = (settings.root / EPISODES_DIR).resolve()
    slugs = []
    for value in reader.strings("related"):
        target = (folder / value).resolve()
        if target.name == EPISODE_FILE:
            target = target.parent
        site = lookup(target.name) if target.parent == episodes_dir else None
        if site is None:
            reader.error("related", f"{value!r} is not an episode", hint="use ../<folder>/episode.md")
            continue
        slugs.append(posixpath.basename(site.rstrip("/")))
    return tuple(slugs)


