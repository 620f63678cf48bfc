"""castnotes.toml from an old feed's channel (pure), for `castnotes import`.

The text is what a host would write by hand, with comments where the import had to
guess, and it must pass castnotes' own settings check: the importer validates it
with `config.parse_settings` before anything is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from castnotes.config.apple import ALL_CATEGORY_PATHS, parse_category, renamed_category
from castnotes.config.podcasting import (
    read_block,
    read_funding,
    read_license,
    read_locations,
    read_medium,
    read_podcast_guid,
    read_podroll,
    read_txt,
    read_update_frequency,
)
from castnotes.config.settings import EMAIL_RE, LANGUAGE_RE, read_locked_owner, season_names
from castnotes.errors import did_you_mean
from castnotes.fields import CONTROL_CHARACTERS, FieldReader, is_http_url
from castnotes.model import derive_podcast_guid
from castnotes.importing.extras import (
    Reader,
    checked_person,
    funding_entries,
    license_value,
    location_entries,
    refusal,
)
from castnotes.importing.html import html_to_markdown, looks_like_html, text_to_markdown
from castnotes.importing.oldfeed import OldChannel

PLACEHOLDER_URL = "https://example.com/"


@dataclass(frozen=True, slots=True)
class SettingsText:
    text: str
    url: str  # the [show] url written
    warnings: tuple[str, ...] = field(default=())


def render_settings(channel: OldChannel, *, source: str, image: str | None, feed_url: str | None,
                    now: datetime, seasons: dict[int, str] | None = None,
                    guid_url: str | None = None) -> SettingsText:
    """The TOML text; `image` is the artwork's file name in the show folder, if it was fetched.

    `guid_url` is the address the old feed is known by (default `feed_url`): a feed without
    podcast:guid keeps the one the spec derives from it.
    """
    warnings: list[str] = []
    guid_url = guid_url or feed_url
    if not channel.podcast_guid and not guid_url:
        warnings.append("the feed has no podcast:guid and names no address of its own (atom:link rel=\"self\"), "
                        "so its implicit podcast:guid is unknown: import it from its URL to keep it")
    title = channel.title or "My podcast"
    if not channel.title:
        warnings.append(f"the feed has no title; castnotes.toml says {title!r}")
    description = _description(channel.description) or title
    if not channel.description.strip():
        warnings.append("the feed has no description; castnotes.toml repeats the title")
    if not channel.podcast_guid and guid_url:
        # the podcast:guid the Podcasting 2.0 spec derives from the old address (the Podcast Index
        # knows the show by it), so the show keeps its identity after the move to another address
        channel = replace(channel, podcast_guid=derive_podcast_guid(guid_url))
    url, url_note = _site_url(channel, feed_url)
    language = (channel.language or "").strip().lower()
    if not LANGUAGE_RE.match(language):
        warnings.append(f"the feed's language {channel.language!r} is not an ISO 639 code; using 'en'"
                        if channel.language else "the feed has no language; using 'en'")
        language = "en"
    lines = [
        f"# Imported by castnotes from {source} on {now.date().isoformat()}.",
        "",
        "[show]",
        f"title = {_string(title)}",
        f"description = {_string(description)}",
        url_note,
        f"url = {_string(url)}",
        f"language = {_string(language)}",
        *_optional_lines(channel, title, image, seasons or {}, warnings),
    ]
    if channel.other_tags:
        warnings.append("not carried over into castnotes.toml: " + ", ".join(channel.other_tags))
    return SettingsText("\n".join(lines) + "\n", url, tuple(warnings))


def _optional_lines(channel: OldChannel, title: str, image: str | None, seasons: dict[int, str],
                    warnings: list[str]) -> list[str]:
    lines = []
    if channel.author:
        lines.append(f"author = {_string(channel.author)}")
    if channel.owner_email and EMAIL_RE.match(channel.owner_email):
        name = channel.owner_name or channel.author or title
        lines.append(f"owner = {{ name = {_string(name)}, email = {_string(channel.owner_email)} }}")
    else:
        warnings.append("the feed names no owner email (itunes:owner); Apple and Spotify send "
                        "ownership checks there: add owner = { name, email } to castnotes.toml")
    if image:
        lines.append(f"image = {_string(image)}")
    if categories := _categories(channel, warnings):
        lines.append(f"categories = {toml_value(categories)}")
    else:
        warnings.append("the old feed names no Apple category; castnotes build (like Apple) needs one: "
                        'add categories = ["Parent/Subcategory"] from Apple\'s list')
    explicit = (channel.explicit_text or "").lower() in ("yes", "true", "explicit")
    lines.append(f"explicit = {toml_value(explicit)}")
    show_type = (channel.type_text or "episodic").lower()
    if show_type not in ("episodic", "serial"):
        warnings.append(f"the feed's itunes:type {channel.type_text!r} is not episodic or serial; "
                        "using episodic")
        show_type = "episodic"
    lines.append(f"type = {_string(show_type)}")
    if channel.copyright:
        lines.append(f"copyright = {_string(channel.copyright)}")
    if channel.keywords:
        lines.append(f"keywords = {toml_value(list(channel.keywords))}")
    return lines + _podcasting_lines(channel, seasons, warnings)


def _podcasting_lines(channel: OldChannel, seasons: dict[int, str], warnings: list[str]) -> list[str]:
    """The Podcasting 2.0 settings, each kept only when castnotes' own reader accepts it."""
    tags = channel.podcast
    candidates: list[tuple[str, str, Any, Reader]] = [
        ("guid", "podcast:guid", channel.podcast_guid, read_podcast_guid),
        ("locked", "podcast:locked", _yes_no(tags.get("locked")), FieldReader.boolean),
        ("locked_owner", "podcast:locked owner", (tags.get("locked") or [{}])[0].get("owner"),
         read_locked_owner),
        ("funding", "podcast:funding", funding_entries(tags.get("funding", ())), read_funding),
        ("license", "podcast:license", license_value(tags.get("license", ())), read_license),
        ("medium", "podcast:medium", (tags.get("medium") or [{}])[0].get("text"), read_medium),
        ("location", "podcast:location", location_entries(tags.get("location", ())), read_locations),
        ("txt", "podcast:txt", [{"value": t["text"], **({"purpose": t["purpose"]} if t.get("purpose") else {})}
                                for t in tags.get("txt", ()) if t.get("text")], read_txt),
        ("podroll", "podcast:podroll", _podroll(tags.get("podroll", ())), read_podroll),
        ("block", "podcast:block / itunes:block", _block(channel), read_block),
        ("update_frequency", "podcast:updateFrequency", _update_frequency(tags.get("updateFrequency", ())),
         read_update_frequency),
        ("complete", "itunes:complete", True if (channel.itunes_complete or "").lower() == "yes" else None,
         FieldReader.boolean),
        ("seasons", "podcast:season names", {str(n): name for n, name in sorted(seasons.items())} or None,
         season_names),
    ]
    lines = []
    if hosts := [person for person in (checked_person(_host(p), "podcast:person", warnings.append)
                                      for p in tags.get("person", ()) if p.get("text")) if person]:
        lines.append(f"hosts = {toml_value(hosts)}")
    for key, tag, value, read in candidates:
        if value is None or value == []:
            continue
        if problem := refusal(key, value, read):
            warnings.append(f"{tag} is not carried over: {problem}")
        else:
            comment = ""
            if key == "guid":
                comment = ("  # the old feed's podcast:guid: never change it" if channel.podcast.get("guid")
                           else "  # the old feed's implicit podcast:guid (from its address): never change it")
            lines.append(f"{key} = {toml_value(value)}{comment}")
    return lines


def _yes_no(values: Any) -> bool | None:
    text = (values or [{}])[0].get("text", "").lower()
    return {"yes": True, "no": False}.get(text)


def _host(values: dict[str, str]) -> dict[str, str]:
    return {"name": values["text"], "role": values.get("role", "host"),
            **{k: values[k] for k in ("group", "href", "img") if values.get(k)}}


def _podroll(values: Any) -> list[dict[str, str]]:
    names = {"feedGuid": "feed_guid", "feedUrl": "feed_url", "title": "title", "medium": "medium"}
    return [{names[k]: v for k, v in item.items() if k in names} for item in values if item.get("feedGuid")]


def _block(channel: OldChannel) -> Any:
    """`true` (blocked everywhere), a list of services, `false` (block nothing), or None."""
    rules = channel.podcast.get("block", ())
    if any(r.get("text", "").lower() == "yes" and not r.get("id") for r in rules):
        return True
    services = [r["id"].lower() for r in rules if r.get("text", "").lower() == "yes" and r.get("id")]
    if (channel.itunes_block or "").lower() == "yes" and "apple" not in services:
        services.append("apple")
    if services:
        return services
    return False if any(r.get("text", "").lower() == "no" and not r.get("id") for r in rules) else None


def _update_frequency(values: Any) -> dict[str, Any] | None:
    if not values or not values[0].get("text"):
        return None
    value = values[0]
    table: dict[str, Any] = {"text": value["text"], **{k: value[k] for k in ("rrule", "dtstart") if value.get(k)}}
    if value.get("complete"):
        table["complete"] = value["complete"].lower() == "true"
    return table


def toml_value(value: Any) -> str:
    """A TOML value: strings, booleans, numbers, lists and inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = [f"{k if re.fullmatch(r'[A-Za-z0-9_-]+', k) else _string(k)} = {toml_value(v)}"
                 for k, v in value.items()]
        return "{ " + ", ".join(pairs) + " }"
    raise TypeError(f"no TOML for {value!r}")


def _description(text: str) -> str:
    return (html_to_markdown(text) if looks_like_html(text) else text_to_markdown(text)).strip()


def _site_url(channel: OldChannel, feed_url: str | None) -> tuple[str, str]:
    note = ("# The address of your new castnotes site (where site/ will be published); "
            "change it before you publish.")
    link = (channel.link or "").strip()
    if is_http_url(link):
        base = re.split(r"[?#]", link, maxsplit=1)[0]  # ?ref=rss, #top: not part of a site's address
        if base != link:
            return base, note + f"\n# It is the old feed's <link> for now, without its {link[len(base):]!r}."
        return link, note + "\n# It is the old feed's <link> for now."
    if feed_url and (origin := re.match(r"^https?://[^/\s]+", feed_url, re.I)):
        return origin.group(0) + "/", note + "\n# The old feed has no <link>; this is its server."
    return PLACEHOLDER_URL, note + "\n# The old feed has no <link>: this is a placeholder."


def _categories(channel: OldChannel, warnings: list[str]) -> list[str]:
    found = []
    for parent, sub in channel.categories:
        text = f"{parent}/{sub}" if sub else parent
        parsed = parse_category(text)
        renamed = renamed_category(text) if parsed is None else None
        if renamed is not None:
            parsed = parse_category(renamed)
            warnings.append(f"category {text!r} is Apple's name from before 2019; castnotes.toml says "
                            f"{renamed!r}, where Apple files it now")
        if parsed is None:
            spelled = next((p for p in ALL_CATEGORY_PATHS if p.lower() == text.lower()), None)
            if spelled:  # only the case differs
                parsed = parse_category(spelled)
            elif sub and parse_category(parent):
                parsed = parse_category(parent)
                warnings.append(f"category {text!r} is not on Apple's list; kept {parent!r}")
            else:
                warnings.append(f"category {text!r} is not on Apple's list; left out"
                                + (f" ({near})" if (near := did_you_mean(text, ALL_CATEGORY_PATHS, cutoff=0.5,
                                                                         ignore_case=True)) else ""))
                continue
        path = f"{parsed[0]}/{parsed[1]}" if parsed[1] else parsed[0]
        if path not in found:
            found.append(path)
    return found


def _string(text: str) -> str:
    """A TOML string: multi-line when the text has line breaks, else a basic string."""
    text = CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if "\n" in text:
        body = text.replace("\\", "\\\\").replace('"""', '""\\"')
        return '"""\n' + body + '"""' if body.endswith("\n") else '"""\n' + body + '\n"""'
    return json.dumps(text, ensure_ascii=False)
