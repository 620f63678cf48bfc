"""Podcasting 2.0 values read from castnotes.toml or front matter, checked against the spec.

The same readers serve `[show]` (funding, license, location, ...) and an episode's
front matter (funding, license, location), so a mistake is reported the same way in
both places, with its file and line. Lists of allowed values (mediums, service slugs,
well-known licenses) come from the podcast namespace repository (feed-rules.md §3).

URL rule: funding links must be https (an error otherwise: apps refuse to open them);
any other URL that ends up in a podcast:* tag may be plain http with a warning.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Iterator

from castnotes.errors import did_you_mean
from castnotes.fields import FieldReader, is_http_url
from castnotes.model import (
    BlockRule,
    Funding,
    License,
    Location,
    RemoteItem,
    SocialInteract,
    Txt,
    UpdateFrequency,
)

MAX_TEXT = 128  # node-value limit of funding, location, license, trailer, ... (feed-rules P20-LEN)
MAX_TXT = 4000

_MEDIUM_BASE = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher",
                "course")
MEDIUMS = _MEDIUM_BASE + tuple(f"{m}L" for m in _MEDIUM_BASE) + ("mixed",)

# Podcastindex-org/podcast-namespace serviceslugs.txt
SERVICE_SLUGS = (
    "acast", "amazon", "anchor", "apple", "audioboom", "backtracks", "bitcoin", "blubrry", "buzzsprout",
    "captivate", "castos", "fireside", "google", "hypercatcher", "libsyn", "mastodon", "megafono",
    "megaphone", "omnystudio", "overcast", "paypal", "pinecast", "podbean", "podcastaddict",
    "podcastindex", "podcasts.com", "podchaser", "podfriend", "podiant", "podigee", "podnews",
    "podomatic", "podserve", "podverse", "redcircle", "relayfm", "resonate", "rss.com", "shoutengine",
    "simplecast", "slack", "soundcloud", "spotify", "spreaker", "transistor", "twitter", "whooshkaa",
    "zencast",
)

# The namespace's licenses.json, plus the rest of the Creative Commons 4.0 family and CC0
# (SPDX identifiers, which is what the namespace's slugs are). Anything else needs a url.
KNOWN_LICENSES = {
    "ARR": "https://en.wikipedia.org/wiki/All_rights_reserved",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC-BY-ND-4.0": "https://creativecommons.org/licenses/by-nd/4.0/",
    "CC-BY-NC-4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC-BY-NC-SA-4.0": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "CC-BY-NC-ND-4.0": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "V4V-1.0": "https://github.com/Podcastindex-org/podcast-namespace/blob/main/license/v4v-4.0.md",
    "POD-V4V-1.0": "https://github.com/Podcastindex-org/podcast-namespace/blob/main/license/v4v-4.0.md",
}

GEO_RE = re.compile(r"^geo:-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?(,-?\d+(\.\d+)?)?(;u=\d+(\.\d+)?)?$")
OSM_RE = re.compile(r"^[NWR]\d+(#\d+)?$")
COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")
RRULE_PARTS = ("FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY",
               "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST")
FREQUENCIES = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def read_podcast_guid(reader: FieldReader, key: str) -> str | None:
    value = reader.text(key)
    if value is None:
        return None
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        reader.error(key, f"{value!r} is not a UUID",
                     hint="leave it out to derive one from the feed URL, or copy the one the Podcast "
                          "Index shows for your feed")
        return None
    if parsed.version != 5:
        reader.warn(key, f"{value!r} is a version {parsed.version} UUID; podcast:guid should be "
                         "version 5 (derived from the feed URL)")
    return str(parsed)


def _tables(reader: FieldReader, key: str, keys: tuple[str, ...], example: str) -> Iterator[FieldReader]:
    """Each entry of a list of tables (a single table counts as a list of one), keys checked.

    Entries that are not tables, or lack the first key of `keys`, are reported and skipped.
    """
    required = keys[0]
    for item_reader, item in reader.entries(key):
        if not isinstance(item, dict):
            item_reader.error(required, f"each {key} entry is a table with {required}", hint=example)
            continue
        item_reader.check_keys(keys, f"{key} key")
        if not item_reader.has(required):
            item_reader.error(required, "missing", hint=example)
            continue
        yield item_reader


def read_funding(reader: FieldReader, key: str = "funding") -> tuple[Funding, ...]:
    """`funding: [{url, text}]`: https links where listeners can support the show."""
    items = _tables(reader, key, ("url", "text"), '{ url = "https://...", text = "Support the show" }')
    return tuple(Funding(url, item.text("text", max_len=MAX_TEXT)) for item in items
                 if (url := item.url("url", https=True)) is not None)


SOCIAL_PROTOCOLS = ("activitypub", "atproto", "disabled", "hive", "lightning", "matrix", "nostr", "twitter")
SOCIAL_WEB = ("activitypub", "twitter")  # their uri is the post's web address
URI_RE = re.compile(r"^[a-z][a-z0-9+.\-]*:\S+$", re.IGNORECASE)
SOCIAL_EXAMPLE = "{ protocol: activitypub, uri: https://mastodon.example/@you/1234 }"


def read_social(reader: FieldReader, key: str = "social",
                placeholders: tuple[str, ...] = ()) -> tuple[SocialInteract, ...]:
    """`social: {protocol, uri, account_id, account_url, priority}` (or a list of them):
    podcast:socialInteract, the thread where listeners talk about the episode.

    `placeholders` are the `{names}` a show-wide pattern may use in its uri.
    """
    found = []
    for item in _tables(reader, key, ("protocol", "uri", "account_id", "account_url", "priority"),
                        SOCIAL_EXAMPLE):
        protocol = item.text("protocol")
        if protocol is None:
            continue
        protocol = protocol.lower()
        if protocol not in SOCIAL_PROTOCOLS:
            item.error("protocol", f"{protocol!r} is not a podcast:socialInteract protocol",
                       hint=did_you_mean(protocol, SOCIAL_PROTOCOLS, "use one of " + ", ".join(SOCIAL_PROTOCOLS)))
            continue
        uri = item.text("uri")
        if uri is None and protocol != "disabled":
            item.error("uri", "missing: the address of the post that starts the conversation",
                       hint=SOCIAL_EXAMPLE)
            continue
        if uri is not None:
            unknown = sorted(set(re.findall(r"\{([^{}]*)\}", uri)) - set(placeholders))
            if unknown:
                allowed = ", ".join("{" + p + "}" for p in placeholders)
                item.error("uri", f"{{{unknown[0]}}} is not a placeholder here",
                           hint=f"a show-wide uri may use {allowed}" if placeholders else
                           "write the thread's own address")
                continue
            sample = re.sub(r"\{[^{}]*\}", "x", uri)
            if protocol in SOCIAL_WEB and not is_http_url(sample):
                item.error("uri", f"must be the post's https address, not {uri!r}", hint=SOCIAL_EXAMPLE)
                continue
            if not URI_RE.match(sample):
                item.error("uri", f"{uri!r} is not a URI", hint="e.g. at://did:plc:.../post/..., nostr:nevent1...")
                continue
        found.append(SocialInteract(
            protocol=protocol, uri=uri, account_id=item.text("account_id", max_len=MAX_TEXT),
            account_url=item.url("account_url"), priority=item.integer("priority")))
    return tuple(found)


def read_license(reader: FieldReader, key: str = "license") -> License | None:
    """A well-known slug (`CC-BY-4.0`), or `{name, url}` for a custom licence."""
    value = reader.meta.get(key)
    if value is None:
        return None
    if isinstance(value, dict):
        table = reader.table(key)
        assert table is not None
        table.check_keys(("name", "url"), "license key")
        name = table.text("name", max_len=MAX_TEXT)
        url = table.url("url", warn_http=True)
        if not name:
            table.error("name", "missing", hint="name the licence, e.g. my-show-license-v1")
            return None
    else:
        name = reader.text(key, max_len=MAX_TEXT)
        url = None
        if not name:
            return None
    known = {slug.lower(): slug for slug in KNOWN_LICENSES}
    if name.lower() in known:
        return License(known[name.lower()], url)
    if url is None:
        near = did_you_mean(name.upper(), KNOWN_LICENSES)
        reader.error(key, f"{name!r} is not a well-known licence slug; a custom licence needs a url",
                     hint=near or f'write {{name = "{name}", url = "https://..."}}; known slugs: '
                                  + ", ".join(KNOWN_LICENSES))
        return None
    return License(name, url)


def read_locations(reader: FieldReader, key: str = "location") -> tuple[Location, ...]:
    """One place or a list of places: `{name, geo, osm, rel, country}`."""
    found = []
    for item in _tables(reader, key, ("name", "geo", "osm", "rel", "country"), '{ name = "Austin, TX" }'):
        name = item.text("name", max_len=MAX_TEXT)
        geo = item.text("geo")
        if geo is not None and not GEO_RE.match(geo):
            item.error("geo", f"{geo!r} is not a geo URI", hint="geo:latitude,longitude, e.g. geo:30.2672,-97.7431")
            geo = None
        osm = item.text("osm")
        if osm is not None and not OSM_RE.match(osm):
            item.error("osm", f"{osm!r} is not an OpenStreetMap id",
                       hint="a type letter (N node, W way, R relation) and the number, e.g. R113314")
            osm = None
        rel = item.choice("rel", ("subject", "creator"))
        country = item.text("country")
        if country is not None and not COUNTRY_RE.match(country):
            item.error("country", f"{country!r} is not a two-letter ISO 3166-1 code")
            country = None
        if name:
            found.append(Location(name, geo, osm, rel, country.lower() if country else None))
    return tuple(found)


def read_txt(reader: FieldReader, key: str = "txt") -> tuple[Txt, ...]:
    items = _tables(reader, key, ("value", "purpose"), '{ value = "...", purpose = "verify" }')
    return tuple(Txt(value, item.text("purpose", max_len=MAX_TEXT)) for item in items
                 if (value := item.text("value", max_len=MAX_TXT)))


def read_podroll(reader: FieldReader, key: str = "podroll") -> tuple[RemoteItem, ...]:
    """Shows the host recommends: `{feed_guid, feed_url, title, medium}`."""
    found = []
    for item in _tables(reader, key, ("feed_guid", "feed_url", "title", "medium"),
                        '{ feed_guid = "the other show\'s podcast:guid", title = "..." }'):
        guid = read_podcast_guid(item, "feed_guid")
        medium = item.choice("medium", MEDIUMS)
        if guid is not None:
            found.append(RemoteItem(guid, item.url("feed_url", warn_http=True),
                                    item.text("title", max_len=MAX_TEXT), medium))
    return tuple(found)


def read_block(reader: FieldReader, key: str = "block") -> tuple[BlockRule, ...]:
    """`block = true` hides the show everywhere; a list of service slugs hides it there only."""
    value = reader.meta.get(key)
    if value is None:
        return ()
    if isinstance(value, bool):
        return (BlockRule(value),)
    rules = []
    for slug in reader.strings(key):
        if slug.lower() not in SERVICE_SLUGS:
            reader.error(key, f"{slug!r} is not a service slug of the podcast namespace",
                         hint=did_you_mean(slug.lower(), SERVICE_SLUGS, "known: " + ", ".join(SERVICE_SLUGS)))
            continue
        rules.append(BlockRule(True, slug.lower()))
    return tuple(rules)


def read_update_frequency(reader: FieldReader, key: str = "update_frequency") -> UpdateFrequency | None:
    table = reader.table(key)
    if table is None:
        return None
    table.check_keys(("text", "rrule", "complete", "dtstart"), "update_frequency key")
    text = table.text("text", max_len=MAX_TEXT)
    if not text:
        table.error("text", "missing", hint='text = "Every Monday"')
        return None
    rrule = table.text("rrule")
    dtstart = _iso_datetime(table, "dtstart")
    if rrule is not None:
        problem = rrule_problem(rrule, has_dtstart=dtstart is not None)
        if problem:
            table.error("rrule", problem, hint="an RFC 5545 rule such as FREQ=WEEKLY;BYDAY=MO")
            rrule = None
    return UpdateFrequency(text, rrule, bool(table.boolean("complete")), dtstart)


def rrule_problem(rule: str, has_dtstart: bool) -> str | None:
    """What is wrong with an RFC 5545 recurrence rule, or None."""
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        name, sep, value = part.partition("=")
        name = name.strip().upper()
        if not sep or not value.strip():
            return f"{part!r} is not NAME=VALUE"
        if name not in RRULE_PARTS:
            near = did_you_mean(name, RRULE_PARTS)
            return f"{name!r} is not an RFC 5545 rule part" + (f" ({near})" if near else "")
        parts[name] = value.strip().upper()
    if "FREQ" not in parts:
        return "needs FREQ (e.g. FREQ=WEEKLY)"
    if parts["FREQ"] not in FREQUENCIES:
        return f"FREQ={parts['FREQ']} is not one of {', '.join(FREQUENCIES)}"
    if "COUNT" in parts and "UNTIL" in parts:
        return "COUNT and UNTIL exclude each other"
    if "COUNT" in parts and not has_dtstart:
        return "a rule with COUNT needs dtstart"
    return None


def _iso_datetime(reader: FieldReader, key: str) -> str | None:
    value = reader.meta.get(key)
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value).strip()
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        reader.error(key, f"{text!r} is not an ISO 8601 date or time", hint="e.g. 2026-01-05T06:00:00Z")
        return None
    return text


def read_medium(reader: FieldReader, key: str = "medium") -> str | None:
    value = reader.text(key)
    if value is not None and value not in MEDIUMS:
        near = did_you_mean(value, MEDIUMS)
        reader.error(key, f"{value!r} is not a podcast:medium", hint=near or "one of " + ", ".join(MEDIUMS))
        return None
    return value
