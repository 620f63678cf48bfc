"""People: the `people.toml` registry, hosts and guests, checked against the person taxonomy.

A guest who comes back is written once in `people.toml` and named by a short id
everywhere else (`guests: [ana-lopez]`); a one-off guest is written by name
(`guests: [Alan Turing]`) or inline as `{name, role, href, img}`. Ids become person page slugs, so they are checked like
episode slugs. Roles and groups follow the Podcasting 2.0 taxonomy (taxonomy.json),
case-insensitively; a role without a group gets the group it belongs to.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from castnotes.config.podcasting import MAX_TEXT
from castnotes.errors import CastnotesError, Problems, did_you_mean
from castnotes.fields import FieldReader, KeyLines, check_control_characters, parse_toml
from castnotes.files import read_text
from castnotes.model import Person, Registry
from castnotes.slugs import MAX_SLUG, slugify

PEOPLE_FILE = "people.toml"
PERSON_KEYS = ("name", "role", "group", "href", "img", "bio", "links")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Podcastindex-org/podcast-namespace taxonomy.json: group -> roles (lower case).
TAXONOMY: dict[str, tuple[str, ...]] = {
    "creative direction": ("director", "assistant director", "executive producer", "senior producer",
                           "producer", "associate producer", "development producer", "creative director"),
    "cast": ("host", "co-host", "guest host", "guest", "voice actor", "narrator", "announcer", "reporter"),
    "writing": ("author", "editorial director", "co-writer", "writer", "songwriter", "guest writer",
                "story editor", "managing editor", "script editor", "script coordinator", "researcher",
                "editor", "fact checker", "translator", "transcriber", "logger"),
    "audio production": ("studio coordinator", "technical director", "technical manager", "audio engineer",
                         "remote recording engineer", "post production engineer"),
    "audio post-production": ("audio editor", "sound designer", "foley artist", "composer", "theme music",
                              "music production", "music contributor"),
    "administration": ("production coordinator", "booking coordinator", "production assistant",
                       "content manager", "marketing manager", "sales representative", "sales manager"),
    "visuals": ("graphic designer", "cover art designer"),
    "community": ("social media manager",),
    "misc.": ("consultant", "intern"),
    "video production": ("camera operator", "lighting designer", "camera grip", "assistant camera"),
    "video post-production": ("editor", "assistant editor"),
}
ROLE_GROUP: dict[str, str] = {}
for _group, _roles in TAXONOMY.items():
    for _role in _roles:
        ROLE_GROUP.setdefault(_role, _group)  # "editor" is in two groups: the first one wins


def person_id(name: str) -> str:
    """`Dr. Ana López` -> `dr-ana-lopez`: the id of a person written inline."""
    return slugify(name, max_length=MAX_SLUG) or "person"


def load_people(root: Path, problems: Problems) -> Registry:
    """Read `people.toml` (if there is one) into id -> Person; problems go to `problems`."""
    path = root / PEOPLE_FILE
    if not path.is_file():
        return {}
    try:
        text = read_text(path)
        data = parse_toml(text, path)
    except CastnotesError as exc:
        problems.extend(exc.problems)
        return {}
    lines = KeyLines(text)
    check_control_characters(data, problems, path, lines)
    registry: Registry = {}
    for pid, table in data.items():
        if not isinstance(table, dict):
            problems.add(f"{pid!r} must be a table: [{pid}] with name = \"...\" below it", path,
                         lines.find(None, pid))
            continue
        reader = FieldReader(path, lines.line_dict(table, pid), problems, f"[{pid}] ")
        if not ID_RE.match(pid):
            reader.error("id", f"{pid!r} may hold only a-z, 0-9 and - (it names the person's page)",
                         hint=f"use [{person_id(pid)}]")
            continue
        reader.check_keys(PERSON_KEYS, "person key")
        person = read_person(reader, pid, default_role="guest", base_dir=root, root=root)
        if person is not None:
            registry[pid] = person
    return registry


def read_person(reader: FieldReader, pid: str | None, *, default_role: str, base_dir: Path, root: Path,
                base: Person | None = None) -> Person | None:
    """One person table; keys missing from it come from `base` (a registry entry) if given."""
    name = reader.text("name", max_len=MAX_TEXT) or (base.name if base else None)
    if not name:
        reader.error("name", "missing", hint='every person needs a name, e.g. name = "Dr. Ana Lopez"')
        return None
    checked = check_role(reader, reader.text("role") or (base.role if base else default_role),
                         reader.text("group") or (base.group if base and not reader.has("role") else None))
    if checked is None:
        return None
    role, group = checked
    person = Person(name=name, role=role, group=group, id=pid or person_id(name),
                    href=reader.url("href", warn_http=True) or (base.href if base else None),
                    bio=reader.text("bio") or (base.bio if base else None),
                    links=_links(reader) or (base.links if base else ()))
    if reader.has("img"):
        return _with_image(reader, person, base_dir, root)
    if base is not None:
        return replace(person, img=base.img, img_site_path=base.img_site_path, img_source=base.img_source)
    return person


def _links(reader: FieldReader) -> tuple[tuple[str, str], ...]:
    """`links = { YouTube = "https://...", Newsletter = "https://..." }`: a person's other
    channels, shown as buttons (label, address) in the order written."""
    table = reader.table("links")
    urls = {label: table.url(label, warn_http=True) for label in table.meta} if table else {}
    return tuple((str(label).strip(), url) for label, url in urls.items() if url)


def check_role(reader: FieldReader, role_text: str, group_text: str | None) -> tuple[str, str] | None:
    """(role, group) in lower case, or None after reporting an unknown role or a mismatch."""
    role = role_text.strip().lower()
    if role not in ROLE_GROUP:
        reader.error("role", f"{role_text!r} is not a Podcasting 2.0 person role",
                     hint=did_you_mean(role, ROLE_GROUP) or "roles include host, co-host, guest, producer, "
                                                      "editor, composer (see the README)")
        return None
    if group_text is None:
        return role, ROLE_GROUP[role]
    group = group_text.strip().lower()
    if group not in TAXONOMY:
        reader.error("group", f"{group_text!r} is not a Podcasting 2.0 person group",
                     hint=did_you_mean(group, TAXONOMY) or "groups: " + ", ".join(TAXONOMY))
        return None
    if role not in TAXONOMY[group]:
        reader.error("role", f"{role_text!r} is not a role of the group {group_text!r}",
                     hint=f"{role_text!r} belongs to {ROLE_GROUP[role]!r}; leave group out to use it")
        return None
    return role, group


def _with_image(reader: FieldReader, person: Person, base_dir: Path, root: Path) -> Person:
    """`img` as a URL (used as is) or a photo in the folder (published under people/)."""
    value = reader.text("img")
    if value is None:
        return person
    source = reader.image("img", value, base_dir, root, _folder_name(base_dir, root),
                          hint="give a photo inside the show folder, or an https URL")
    if not isinstance(source, Path):
        return replace(person, img=source)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:10]
    suffix = ".png" if source.suffix.lower() == ".png" else ".jpg"
    return replace(person, img_site_path=f"people/{person.id}-{digest}{suffix}", img_source=source)


def _folder_name(base_dir: Path, root: Path) -> str:
    try:
        relative = base_dir.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return base_dir.name
    return "the show folder" if relative == "." else f"{relative}/"


def read_people(reader: FieldReader, key: str, registry: Registry, *, default_role: str, base_dir: Path,
                root: Path) -> tuple[Person, ...]:
    """`hosts`/`guests`: ids from people.toml, or inline tables, in the order written."""
    people: list[Person] = []
    for item_reader, item in reader.entries(key):
        person = _read_entry(item_reader, item, registry, default_role, base_dir, root)
        if person is None:
            continue
        if any(p.id == person.id and p.name.casefold() == person.name.casefold() for p in people):
            item_reader.error("name" if isinstance(item, dict) else "id",
                              f"{person.name} ({person.id}) is listed twice")
            continue
        people.append(person)
    return tuple(people)


def _read_entry(reader: FieldReader, item: Any, registry: Registry, default_role: str, base_dir: Path,
                root: Path) -> Person | None:
    if isinstance(item, str):
        return _named(reader, item.strip(), registry, default_role)
    if not isinstance(item, dict):
        reader.error("id", "must be a name, a person id from people.toml, or a table with name",
                     hint="- Ana Lopez   or   - ana-lopez   or   - {name: Dr. Ana Lopez, role: guest}")
        return None
    reader.check_keys(PERSON_KEYS + ("id",), "person key")
    pid = reader.text("id")
    if pid is not None and pid in registry:
        return read_person(reader, pid, default_role=default_role, base_dir=base_dir, root=root,
                           base=_as_role(registry[pid], default_role))
    if pid is not None and not reader.has("name"):
        _unknown_id(reader, pid, registry)
        return None
    if pid is not None and not ID_RE.match(pid):
        reader.error("id", f"{pid!r} may hold only a-z, 0-9 and -")
        return None
    person = read_person(reader, pid, default_role=default_role, base_dir=base_dir, root=root)
    if person is not None and pid is None:
        twin = next((p for p in registry.values() if p.name.lower() == person.name.lower()), None)
        if twin is not None:
            reader.warn("name", f"{person.name} is in people.toml as {twin.id!r}; written inline here, "
                                f"they get a separate person page",
                        hint=f"write `- {twin.id}` instead")
    return person


def _named(reader: FieldReader, text: str, registry: Registry, default_role: str) -> Person | None:
    """A plain string: a people.toml id or name is that person; any other text is a one-off
    person by that name (`guests: [Alan Turing, 李小龙]`), the way most hosts write it."""
    known = registry.get(text) or next((p for p in registry.values() if p.name.casefold() == text.casefold()), None)
    if known is not None:
        return _as_role(known, default_role)
    if not text:
        reader.error("id", "is empty", hint="write the person's name")
        return None
    if len(text) > MAX_TEXT:
        reader.error("id", f"is {len(text)} characters long; the limit is {MAX_TEXT}")
        return None
    if ID_RE.match(text) and "-" in text and (close := did_you_mean(text, registry)):
        # `ana-lopz` is a mistyped id far more likely than a guest called that.
        reader.warn("id", f"{text!r} is not a person id in {PEOPLE_FILE}; published as a one-off "
                          f"person by that name", hint=close)
    return Person(name=text, role=default_role, group=ROLE_GROUP[default_role], id=person_id(text))


def _unknown_id(reader: FieldReader, pid: str, registry: Registry) -> None:
    """`{id: ...}` naming no one in people.toml: the hint is the person meant, or how to add them."""
    by_name = next((p for p in registry.values() if p.name.lower() == pid.lower()), None)
    if by_name is not None:
        hint = f"did you mean {by_name.id!r} ({by_name.name})?"
    else:
        hint = did_you_mean(pid, registry) or (
            f"add [{person_id(pid)}] with name = \"...\" to {PEOPLE_FILE}, or write "
            f"{{name: {pid}}} for a one-off guest")
    reader.error("id", f"{pid!r} is not a person id in {PEOPLE_FILE}", hint=hint)


def _as_role(person: Person, default_role: str) -> Person:
    """A registry person named under `hosts` is a host unless people.toml gives another role."""
    if default_role == "host" and person.role == "guest":
        return replace(person, role="host", group="cast")
    return person
