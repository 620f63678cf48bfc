"""castnotes.toml: validation with lines and suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from castnotes.config.settings import parse_settings
from castnotes.errors import CastnotesError
from castnotes.fields import is_http_url

GOOD = '''[show]
title = "T"
description = "D"
url = "https://t.example"
language = "en-us"
categories = ["Society & Culture/Relationships"]
timezone = "Europe/Berlin"
'''


def problems(text: str, tmp_path: Path) -> list[str]:
    with pytest.raises(CastnotesError) as caught:
        parse_settings(text, tmp_path, tmp_path / "castnotes.toml")
    return [p.format(tmp_path) for p in caught.value.problems]


def test_good_settings(tmp_path: Path) -> None:
    settings = parse_settings(GOOD, tmp_path, tmp_path / "castnotes.toml")
    assert settings.show.url == "https://t.example/"
    assert settings.feed_url == "https://t.example/feed.xml"
    assert settings.show.categories == (("Society & Culture", "Relationships"),)
    assert settings.site.output == "site" and settings.site.per_page == 10


def test_missing_required_and_wrong_types(tmp_path: Path) -> None:
    text = '[show]\ntitle = "T"\nexplicit = "no"\n[site]\nper_page = "ten"\n'
    found = problems(text, tmp_path)
    assert "castnotes.toml:3: error: [show] explicit must be a boolean (true or false)" in found
    assert "castnotes.toml:5: error: [site] per_page must be a whole number" in found
    assert any("[show] url is required" in p for p in found)


def test_unknown_section_and_key_suggest(tmp_path: Path) -> None:
    found = problems(GOOD + "[medai]\nbase_url = 'https://x.example/'\n", tmp_path)
    assert found == ["castnotes.toml:8: error: unknown section [medai]\n  hint: did you mean 'media'?"]
    found = problems(GOOD.replace("timezone", "time_zone"), tmp_path)
    assert found == ["castnotes.toml:7: error: unknown key 'time_zone' in [show]\n  hint: did you mean 'timezone'?"]


def test_bad_values(tmp_path: Path) -> None:
    text = GOOD.replace('"en-us"', '"english"').replace("Europe/Berlin", "Mars/Olympus") \
        .replace("https://t.example", "t.example")
    found = "\n".join(problems(text, tmp_path))
    assert "castnotes.toml:5: error: [show] language 'english' is not an ISO 639 code" in found
    assert "castnotes.toml:7: error: [show] timezone 'Mars/Olympus' is not a known time zone" in found
    assert "castnotes.toml:4: error: [show] url must be an absolute http(s) URL" in found


def test_category_suggestion(tmp_path: Path) -> None:
    found = problems(GOOD.replace("Society & Culture/Relationships", "society & culture/relationship"),
                     tmp_path)
    assert "hint: did you mean 'Society & Culture/Relationships'?" in found[0]


PODCASTING_BAD = GOOD + '''guid = "not-a-uuid"
medium = "podcats"
license = "CC-BY-4"
location = { name = "Austin", geo = "30.2,97.7", osm = "113314" }
block = ["gogle"]
update_frequency = { text = "Weekly", rrule = "FREQ=WEEKLY;COUNT=3" }
funding = [{ text = "no url" }]
hosts = [42]
seasons = { one = "First" }
'''


def test_podcasting_settings_are_checked(tmp_path: Path) -> None:
    found = "\n".join(problems(PODCASTING_BAD, tmp_path))
    for expected in (
        "castnotes.toml:8: error: [show] guid: 'not-a-uuid' is not a UUID",
        "castnotes.toml:9: error: [show] medium: 'podcats' is not a podcast:medium\n  hint: did you mean 'podcast'?",
        "castnotes.toml:10: error: [show] license: 'CC-BY-4' is not a well-known licence slug; a custom licence "
        "needs a url\n  hint: did you mean 'CC-BY-4.0'?",
        "castnotes.toml:11: error: [show] location[0].geo: '30.2,97.7' is not a geo URI",
        "castnotes.toml:11: error: [show] location[0].osm: '113314' is not an OpenStreetMap id",
        "castnotes.toml:12: error: [show] block: 'gogle' is not a service slug of the podcast namespace\n"
        "  hint: did you mean 'google'?",
        "castnotes.toml:13: error: [show] update_frequency.rrule: a rule with COUNT needs dtstart",
        "castnotes.toml:14: error: [show] funding[0].url: missing",
        "castnotes.toml:15: error: [show] hosts[0].id: must be a name, a person id from people.toml, or a table",
        "castnotes.toml:16: error: [show] seasons.one: season numbers are whole numbers from 1",
    ):
        assert expected in found, f"{expected}\n--- not in ---\n{found}"


def test_podcasting_settings_values(tmp_path: Path) -> None:
    from castnotes.model import Person, derive_podcast_guid

    text = GOOD + '''license = { name = "house-rules", url = "https://t.example/rules" }
hosts = ["sam", { name = "Guest Host", role = "guest host" }]
update_frequency = { text = "Weekly", rrule = "FREQ=WEEKLY;COUNT=3", dtstart = 2026-01-05T06:00:00Z }
'''
    people = {"sam": Person(name="Sam Rivera", id="sam")}
    settings = parse_settings(text, tmp_path, tmp_path / "castnotes.toml", people)
    assert settings.show.license.name == "house-rules"
    assert [(h.name, h.role, h.group, h.id) for h in settings.show.hosts] == [
        ("Sam Rivera", "host", "cast", "sam"), ("Guest Host", "guest host", "cast", "guest-host")]
    assert settings.show.update_frequency.dtstart == "2026-01-05T06:00:00+00:00"
    assert settings.podcast_guid == derive_podcast_guid("https://t.example/feed.xml")


def test_people_toml_is_checked_with_lines(tmp_path: Path) -> None:
    from castnotes.config.settings import load_settings

    (tmp_path / "castnotes.toml").write_text(GOOD + 'hosts = ["sam"]\n')
    (tmp_path / "people.toml").write_text(
        '[sam]\nname = "Sam"\nrole = "host"\n\n[Ana_Lopez]\nname = "Ana"\n\n[lee]\nnmae = "Lee"\n'
        'group = "writing"\nrole = "host"\nimg = "missing.jpg"\n')
    with pytest.raises(CastnotesError) as caught:
        load_settings(tmp_path)
    found = "\n".join(p.format(tmp_path) for p in caught.value.problems)
    assert "people.toml:5: error: [Ana_Lopez] id: 'Ana_Lopez' may hold only a-z, 0-9 and -" in found
    assert "people.toml:9: error: [lee] nmae: unknown person key\n  hint: did you mean 'name'?" in found
    assert "people.toml:8: error: [lee] name: missing" in found
    assert "castnotes.toml" not in found  # sam is fine, so the host resolves


@pytest.mark.parametrize("text, expected", [
    ("https://t.example/", True), ("HTTPS://T.example/feed.xml", True), ("Http://t.example", True),
    ("  https://t.example/  ", True),  # around it: stripped by every caller
    ("https://t.example/a b.mp3", False), ("https://", False), ("https:///path", False),
    ("ftp://t.example/", False), ("file:///etc/passwd", False), ("t.example", False), ("", False), (None, False),
])
def test_one_rule_for_http_urls(text: str | None, expected: bool, tmp_path: Path) -> None:
    """One rule for settings, front matter, init, import, check and fetch: RFC 3986 makes the scheme
    case-insensitive; whitespace inside is no URL."""
    assert is_http_url(text) is expected
    toml = GOOD.replace('"https://t.example"', repr(text))
    if expected:  # castnotes.toml's url follows the same rule
        url = parse_settings(toml, tmp_path, tmp_path / "castnotes.toml").show.url
        assert url.rstrip("/") == text.strip().rstrip("/")
    elif text:
        assert any("must be an absolute http(s) URL" in p for p in problems(toml, tmp_path))
