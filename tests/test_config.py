"""castnotes.toml: validation with lines and suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from castnotes.config import parse_settings
from castnotes.errors import CastnotesError

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
