"""castnotes.toml -> Settings.

Every key is declared once in a table below, with its type; anything else is an
error that names the key, its line and the nearest valid key. Problems are
collected so a host sees all of them at once.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from castnotes.config.apple import ALL_CATEGORY_PATHS, parse_category
from castnotes.config.people import load_people, read_people
from castnotes.config.podcasting import (
    MAX_TEXT,
    read_block,
    read_funding,
    read_license,
    read_locations,
    read_medium,
    read_podcast_guid,
    read_podroll,
    read_social,
    read_txt,
    read_update_frequency,
)
from castnotes.errors import CastnotesError, Problems, did_you_mean
from castnotes.fields import FieldReader, KeyLines, check_control_characters, is_http_url, parse_toml
from castnotes.files import read_text
from castnotes.model import (
    CONFIG_NAME,
    FeedSettings,
    MediaSettings,
    Owner,
    PublishSettings,
    Registry,
    Settings,
    ShowSettings,
    SiteSettings,
    SocialInteract,
)

# section -> key -> expected Python type(s). `dict` values are sub-tables.
SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "show": {
        "title": str,
        "description": str,
        "url": str,
        "language": str,
        "author": str,
        "owner": dict,
        "image": str,
        "categories": list,
        "explicit": bool,
        "type": str,
        "copyright": str,
        "timezone": str,
        "keywords": list,
        # Podcasting 2.0 (config/podcasting.py reads them; README "Podcasting 2.0" lists the tags)
        "guid": str,
        "locked": bool,
        "locked_owner": str,
        "funding": list,
        "hosts": list,
        "license": (str, dict),
        "medium": str,
        "location": (dict, list),
        "txt": list,
        "podroll": list,
        "block": (bool, list),
        "update_frequency": dict,
        "new_feed_url": str,
        "complete": bool,
        "seasons": dict,
        "subscribe": dict,
        "social": (dict, list),
    },
    "media": {"base_url": str, "prefix": str},
    "site": {"output": str, "per_page": int, "embed_hosts": list, "raw_html": bool, "featured": str,
             "reply_email": str, "topics": dict},
    "feed": {"path": str, "limit": int},
    # `castnotes publish` (publish/); credentials never go here (see _warn_secrets)
    "publish": {
        "target": str,
        "endpoint_url": str,
        "region": str,
        "profile": str,
        "websub_hubs": list,
        "podping_url": str,
        "cache_control": dict,
        "content_types": dict,
    },
}
# [publish] cache_control keys: the kinds of file publish/plan.py sorts the site into
CACHE_KINDS = ("feed", "html", "media", "assets", "other")
REQUIRED_SHOW_KEYS = ("title", "description", "url", "language")
LANGUAGE_RE = re.compile(r"^([a-z]{2,3})(-[a-z0-9]{2,8})*$", re.IGNORECASE)  # group 1: the language
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def load_settings(root: Path) -> Settings:
    """Read and validate `root/castnotes.toml`; raise CastnotesError listing every problem."""
    root = root.resolve()
    path = root / CONFIG_NAME
    if not path.is_file():
        raise CastnotesError.single(
            f"no {CONFIG_NAME} here", path,
            hint="run `castnotes init` to start a show, or pass -C SHOWDIR",
        )
    text = read_text(path)
    problems = Problems()
    people = load_people(root, problems)
    try:
        settings = parse_settings(text, root, path, people)
    except CastnotesError as exc:
        raise CastnotesError(problems.items + list(exc.problems)) from None
    problems.raise_if_errors()
    return replace(settings, warnings=tuple(problems.warnings) + settings.warnings)


def parse_settings(text: str, root: Path, path: Path, people: Registry | None = None) -> Settings:
    """Validate the TOML text of a show's settings against the people registry.

    Pure apart from checking that files it names (artwork, hosts' photos) exist.
    """
    data = parse_toml(text, path)
    problems = Problems()
    lines = KeyLines(text)
    _check_keys(data, problems, path, lines)
    check_control_characters(data, problems, path, lines)
    raw_show = data.get("show", {}) if isinstance(data.get("show"), dict) else {}
    for key in REQUIRED_SHOW_KEYS:
        if not str(raw_show.get(key, "")).strip():
            problems.add(f"[show] {key} is required", path, lines.find("show", None),
                         hint=f'add {key} = "..." under [show]')
    problems.raise_if_errors()

    # every section is a table from here on: _check_keys reported any other as an error
    feed_raw = data.get("feed", {})
    show = _parse_show(raw_show, root, path, lines, problems)
    show = _parse_podcasting(show, raw_show, root, path, lines, problems, people or {},
                             feed_raw.get("path", "feed.xml"))
    media_raw = data.get("media", {})
    media = MediaSettings(
        base_url=_url(media_raw.get("base_url"), "media", "base_url", path, lines, problems, slash=True),
        prefix=_url(media_raw.get("prefix"), "media", "prefix", path, lines, problems, slash=True),
    )
    site_raw = data.get("site", {})
    embed_hosts = site_raw.get("embed_hosts", list(SiteSettings().embed_hosts))
    if not all(isinstance(h, str) and re.fullmatch(r"[A-Za-z0-9.-]+", h) for h in embed_hosts):
        problems.add("[site] embed_hosts must list host names, such as \"www.youtube-nocookie.com\"", path,
                     lines.find("site", "embed_hosts"), hint="a host name only: no https:// and no path")
        embed_hosts = []
    site = SiteSettings(
        output=site_raw.get("output", "site"),
        per_page=site_raw.get("per_page", 10),
        embed_hosts=tuple(h.lower() for h in embed_hosts),
        raw_html=site_raw.get("raw_html", False),
        featured=_featured(site_raw.get("featured"), path, lines, problems),
        reply_email=_reply_email(site_raw.get("reply_email"), path, lines, problems),
        topics=_topics(site_raw.get("topics", {}), path, lines, problems),
    )
    if site.per_page < 1:
        problems.add("[site] per_page must be 1 or more", path, lines.find("site", "per_page"))
    feed = FeedSettings(path=feed_raw.get("path", "feed.xml"), limit=feed_raw.get("limit"))
    if not re.fullmatch(r"[A-Za-z0-9_.\-/]+\.xml", feed.path) or ".." in feed.path:
        problems.add(f"[feed] path {feed.path!r} must be a relative .xml path inside the site",
                     path, lines.find("feed", "path"))
    if feed.limit is not None and feed.limit < 1:
        problems.add("[feed] limit must be 1 or more", path, lines.find("feed", "limit"))
    publish = _parse_publish(data.get("publish", {}), path, lines, problems)
    _warn_secrets(data, path, lines, problems)
    problems.raise_if_errors()
    return Settings(root=root, show=show, media=media, site=site, feed=feed, publish=publish,
                    people=people or {}, warnings=tuple(problems.warnings))


def _parse_publish(raw: dict[str, Any], path: Path, lines: KeyLines, problems: Problems) -> PublishSettings:
    """[publish]: the target is checked when publishing (publish/targets.py), the rest here."""
    hubs = [_url(hub if isinstance(hub, str) else repr(hub), "publish", "websub_hubs", path, lines, problems)
            for hub in raw.get("websub_hubs", [])]
    cache_control = []
    for kind, value in raw.get("cache_control", {}).items():
        if kind not in CACHE_KINDS:
            problems.add(f"[publish] cache_control has an unknown kind {kind!r}", path,
                         lines.find("publish", "cache_control"), hint=_suggest_key(kind, CACHE_KINDS))
        elif not isinstance(value, str) or not value.strip() or "\n" in value:
            problems.add(f"[publish] cache_control.{kind} must be a header value such as "
                         f"\"public, max-age=300\"", path, lines.find("publish", "cache_control"))
        else:
            cache_control.append((kind, value.strip()))
    content_types = []
    for suffix, value in raw.get("content_types", {}).items():
        if not re.fullmatch(r"\.[A-Za-z0-9]+", suffix) or not isinstance(value, str) \
                or not re.fullmatch(r"[\w.+-]+/[\w.+-]+(\s*;.*)?", value):
            problems.add(f"[publish] content_types: {suffix!r} = {value!r} is not a file suffix and a "
                         "media type", path, lines.find("publish", "content_types"),
                         hint='content_types = { ".opus" = "audio/ogg" }')
        else:
            content_types.append((suffix.lower(), value))
    return PublishSettings(
        target=(raw.get("target") or "").strip() or None,
        endpoint_url=_url(raw.get("endpoint_url"), "publish", "endpoint_url", path, lines, problems),
        region=(raw.get("region") or "").strip() or None,
        profile=(raw.get("profile") or "").strip() or None,
        websub_hubs=tuple(hub for hub in hubs if hub),
        podping_url=_url(raw.get("podping_url"), "publish", "podping_url", path, lines, problems),
        cache_control=tuple(cache_control),
        content_types=tuple(content_types),
    )


# Keys and values that look like credentials. castnotes.toml is meant to be committed, so a
# secret in it is a leak waiting to happen; the hint says where it belongs instead.
SECRET_KEY_RE = re.compile(r"secret|passw|token|api_?key|access_?key|credential|private_?key", re.IGNORECASE)
SECRET_VALUE_RES = (
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),  # an AWS access key id
    re.compile(r"^(?=.*[0-9])(?=.*[a-z])(?=.*[A-Z])[A-Za-z0-9/+]{40}$"),  # an AWS secret access key
    re.compile(r"^K00[0-9A-Za-z]{20,}$"),  # a Backblaze application key
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s:]+:[^/@\s]+@", re.IGNORECASE),  # user:password@ in a URL
)


def _warn_secrets(data: dict[str, Any], path: Path, lines: KeyLines, problems: Problems) -> None:
    """Warn about anything in castnotes.toml that looks like a password, token or access key."""
    def visit(value: Any, section: str | None, key: str, name: str) -> None:
        if isinstance(value, dict):
            for sub, item in value.items():
                visit(item, section, key, f"{name}.{sub}")
            return
        if isinstance(value, list):
            for item in value:
                visit(item, section, key, name)
            return
        if not isinstance(value, str) or not value.strip():
            return
        leaf = name.rsplit(".", 1)[-1]
        if SECRET_KEY_RE.search(leaf) or any(r.search(value.strip()) for r in SECRET_VALUE_RES):
            problems.add(f"{name} looks like a secret (a password, token or access key)", path,
                         lines.find(section, key), severity="warning",
                         hint="castnotes.toml is meant to be committed: remove it and rotate it; credentials "
                              "come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
                              "AWS_PROFILE, PODPING_TOKEN) or the AWS config files")

    for section, table in data.items():  # every one a table (parse_settings stops before otherwise)
        for key, value in table.items():
            visit(value, section, key, f"{section}.{key}")


def _parse_show(raw: dict[str, Any], root: Path, path: Path, lines: "KeyLines",
                problems: Problems) -> ShowSettings:
    def where(key: str) -> int | None:
        return lines.find("show", key)

    url = _url(raw["url"], "show", "url", path, lines, problems, slash=True) or raw["url"]
    language = raw["language"].strip()
    if not LANGUAGE_RE.match(language):
        problems.add(f"[show] language {language!r} is not an ISO 639 code", path, where("language"),
                     hint='use a code such as "en" or "en-us"')
    owner = None
    if "owner" in raw:
        owner_raw = raw["owner"]
        for key in sorted(set(owner_raw) - {"name", "email"}):
            problems.add(f"[show] owner has an unknown key {key!r}", path, where("owner"),
                         hint="owner takes name and email")
        name, email = str(owner_raw.get("name", "")).strip(), str(owner_raw.get("email", "")).strip()
        if not name or not EMAIL_RE.match(email):
            problems.add("[show] owner needs a name and a valid email", path, where("owner"),
                         hint='owner = { name = "...", email = "you@example.org" }')
        owner = Owner(name, email)
    image_path = None
    if raw.get("image"):
        image_path = (root / raw["image"]).resolve()
        if not image_path.is_relative_to(root):
            problems.add(f"[show] image {raw['image']!r} is outside the show folder", path, where("image"))
        elif not image_path.is_file():
            problems.add(f"[show] image {raw['image']!r} does not exist", path, where("image"))
    categories = []
    for text in raw.get("categories", []):
        parsed = parse_category(str(text))
        if parsed is None:
            problems.add(f"[show] category {text!r} is not on Apple's list", path, where("categories"),
                         hint=did_you_mean(str(text), ALL_CATEGORY_PATHS, "see feed-rules §2 for the list",
                                           cutoff=0.5, ignore_case=True))
        else:
            categories.append(parsed)
    show_type = raw.get("type", "episodic")
    if show_type not in ("episodic", "serial"):
        problems.add(f"[show] type must be 'episodic' or 'serial', not {show_type!r}", path, where("type"))
    timezone = raw.get("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.add(f"[show] timezone {timezone!r} is not a known time zone", path, where("timezone"),
                     hint='use an IANA name such as "Europe/Berlin" or "UTC"')
    return ShowSettings(
        title=raw["title"].strip(),
        description=raw["description"].strip(),
        url=url,
        language=language,
        author=(raw.get("author") or "").strip() or None,
        owner=owner,
        image_path=image_path,
        categories=tuple(categories),
        explicit=raw.get("explicit", False),
        type=show_type,
        copyright=raw.get("copyright"),
        timezone=timezone,
        keywords=tuple(str(k) for k in raw.get("keywords", [])),
        subscribe=_parse_subscribe(raw.get("subscribe", {}), path, lines, problems),
    )


# [show] subscribe: the apps a listener can follow the show in, with the label the site shows.
# The show's own RSS feed is always offered as well, so it has no key here.
SUBSCRIBE_PLATFORMS = {
    "apple": "Apple Podcasts",
    "spotify": "Spotify",
    "youtube": "YouTube",
    "amazon": "Amazon Music",
    "pocketcasts": "Pocket Casts",
    "overcast": "Overcast",
    "castro": "Castro",
    "antennapod": "AntennaPod",
    "podcastaddict": "Podcast Addict",
    "castbox": "Castbox",
    "fountain": "Fountain",
    "podverse": "Podverse",
    "goodpods": "Goodpods",
    "podcastindex": "Podcast Index",
    "deezer": "Deezer",
    "iheart": "iHeartRadio",
    "tunein": "TuneIn",
}


def _parse_subscribe(raw: dict[str, Any], path: Path, lines: "KeyLines",
                     problems: Problems) -> tuple[tuple[str, str], ...]:
    """`subscribe = { apple = "https://...", ... }`: known apps only, each an http(s) URL."""
    links = {}
    for key, value in raw.items():
        if key not in SUBSCRIBE_PLATFORMS:
            problems.add(f"[show] subscribe has an unknown app {key!r}", path, lines.find("show", "subscribe"),
                         hint=_suggest_key(key, SUBSCRIBE_PLATFORMS))
            continue
        links[key] = _url(value if isinstance(value, str) else repr(value), "show", f"subscribe.{key}", path,
                          lines, problems)
    return tuple((key, links[key]) for key in SUBSCRIBE_PLATFORMS if links.get(key))


def _parse_podcasting(show: ShowSettings, raw: dict[str, Any], root: Path, path: Path, lines: KeyLines,
                      problems: Problems, people: Registry, feed_path: str) -> ShowSettings:
    """The Podcasting 2.0 keys of [show], read like front matter so errors name their line."""
    reader = FieldReader(path, lines.line_dict(raw, "show"), problems, "[show] ")
    locked = reader.boolean("locked")
    locked_owner = read_locked_owner(reader)
    if locked and show.owner is None and locked_owner is None:
        reader.warn("locked", "podcast:locked is written without an owner email",
                    hint='add owner = { name = "...", email = "..." } so hosts can verify you')
    new_feed_url = reader.url("new_feed_url")
    if new_feed_url and new_feed_url.rstrip("/") == (show.url + str(feed_path)).rstrip("/"):
        reader.error("new_feed_url", "points at this feed itself",
                     hint="set it only when the show moves, to the new feed's address")
    return replace(
        show,
        guid=read_podcast_guid(reader, "guid"),
        locked=locked,
        locked_owner=locked_owner,
        funding=read_funding(reader, "funding"),
        hosts=read_people(reader, "hosts", people, default_role="host", base_dir=root, root=root),
        license=read_license(reader, "license"),
        medium=read_medium(reader, "medium"),
        locations=read_locations(reader, "location"),
        txt=read_txt(reader, "txt"),
        podroll=read_podroll(reader, "podroll"),
        block=read_block(reader, "block"),
        update_frequency=read_update_frequency(reader, "update_frequency"),
        new_feed_url=new_feed_url,
        complete=bool(reader.boolean("complete")),
        seasons=season_names(reader),
        social=_social_pattern(reader),
    )


def read_locked_owner(reader: FieldReader, key: str = "locked_owner") -> str | None:
    """podcast:locked's owner email, when it is not the iTunes owner's."""
    value = reader.text(key)
    if value is not None and not EMAIL_RE.match(value):
        reader.error(key, f"{value!r} is not an email address",
                     hint="the address hosts write to before they move the show (podcast:locked owner)")
    return value


SOCIAL_PLACEHOLDERS = ("slug", "number", "guid")


def _social_pattern(reader: FieldReader) -> SocialInteract | None:
    """`[show] social = { protocol = "...", uri = "https://.../{slug}" }`: the thread of every
    episode that sets none of its own."""
    found = read_social(reader, "social", SOCIAL_PLACEHOLDERS)
    if len(found) > 1:
        reader.error("social", "give one show-wide pattern", hint="set the others per episode, in `social:`")
    return found[0] if found else None


def _featured(value: str | None, path: Path, lines: KeyLines, problems: Problems) -> str | None:
    """`[site] featured = "slug"`: only its form here; load_pages checks that the slug exists."""
    if value is None:
        return None
    slug = value.strip().strip("/").removeprefix("episodes/")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        problems.add(f"[site] featured {value!r} is not a slug", path, lines.find("site", "featured"),
                     hint='name an episode, page or collection by its slug, e.g. featured = "why-we-drift-apart"')
        return None
    return slug


def _reply_email(value: str | None, path: Path, lines: KeyLines, problems: Problems) -> str | None:
    if value is None:
        return None
    value = value.strip().removeprefix("mailto:")
    if not EMAIL_RE.match(value):
        problems.add(f"[site] reply_email {value!r} is not an email address", path,
                     lines.find("site", "reply_email"), hint='reply_email = "replies@yourshow.example"')
        return None
    return value


def _topics(raw: dict[str, Any], path: Path, lines: KeyLines,
            problems: Problems) -> tuple[tuple[str, str, int | None], ...]:
    """`[site.topics.<name>]` tables with a `description` (Markdown), shown above a topic's episodes."""
    topics = []
    for name, table in sorted(raw.items()):
        line = lines.find(f"site.topics.{name}", None) or lines.find("site", "topics")
        if not isinstance(table, dict):
            problems.add(f"[site.topics] {name} must be a table with a description", path, line,
                         hint=f'[site.topics.{name}]\ndescription = "What these episodes are about."')
            continue
        for key in sorted(set(table) - {"description"}):
            problems.add(f"[site.topics.{name}] has an unknown key {key!r}", path, line,
                         hint="a topic takes description")
        description = table.get("description")
        if not isinstance(description, str) or not description.strip():
            problems.add(f"[site.topics.{name}] needs a description", path, line,
                         hint='description = "What these episodes are about."')
            continue
        topics.append((name, description.strip(), line))
    return tuple(topics)


def season_names(reader: FieldReader, key: str = "seasons") -> dict[int, str]:
    """`seasons = { 1 = "Finding friends" }`: names for podcast:season (import checks its own with it)."""
    table = reader.table(key)
    names: dict[int, str] = {}
    for number in table.meta if table else ():
        if not str(number).isdigit() or int(number) < 1:
            table.error(number, "season numbers are whole numbers from 1", hint='seasons = { 1 = "First steps" }')
            continue
        if name := table.text(number, max_len=MAX_TEXT):
            names[int(number)] = name
    return names


def _check_keys(data: dict[str, Any], problems: Problems, path: Path, lines: "KeyLines") -> None:
    """Unknown sections or keys, and keys of the wrong type, each with the nearest valid name."""
    for section, table in data.items():
        if section not in SCHEMA:
            problems.add(f"unknown section [{section}]", path, lines.find(section, None),
                         hint=_suggest_key(section, SCHEMA))
            continue
        if not isinstance(table, dict):
            problems.add(f"{section} must be a table: [{section}]", path, lines.find(None, section))
            continue
        for key, value in table.items():
            expected = SCHEMA[section].get(key)
            if expected is None:
                problems.add(f"unknown key {key!r} in [{section}]", path, lines.find(section, key),
                             hint=_suggest_key(key, SCHEMA[section]))
            elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                kinds = (expected,) if isinstance(expected, type) else expected
                words = " or a ".join(_TYPE_WORDS.get(t.__name__, t.__name__) for t in kinds)
                problems.add(f"[{section}] {key} must be a {words}", path, lines.find(section, key))


_TYPE_WORDS = {"str": "string", "bool": "boolean (true or false)", "int": "whole number",
               "list": "list", "dict": "table"}


def _suggest_key(word: str, choices: Any) -> str | None:
    return did_you_mean(word, choices, "valid keys: " + ", ".join(sorted(choices)), cutoff=0.5)


def _url(value: Any, section: str, key: str, path: Path, lines: "KeyLines", problems: Problems,
         slash: bool = False) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    if not is_http_url(value):
        problems.add(f"[{section}] {key} must be an absolute http(s) URL, not {value!r}", path,
                     lines.find(section, key))
        return None
    if slash and ("?" in value or "#" in value):  # a base address: pages and the feed are joined to it
        clean = re.split(r"[?#]", value, maxsplit=1)[0]
        problems.add(f"[{section}] {key} {value!r} holds a query or fragment; the site's pages and feed are "
                     "addresses under it", path, lines.find(section, key), hint=f"write {clean!r}")
        return None
    if slash and not value.endswith("/"):
        value += "/"
    return value
