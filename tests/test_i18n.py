"""The site in the show's language: the demo built in every shipped language, with no English
word of the theme left; dates by Babel; lang and dir; a language castnotes does not ship; the
catalogues complete; a show's own template and .po using the same `_()`.

"English words of the theme" are not a hand-written list: they come from the catalogue's
msgids (every string the theme and render/ can print), so a new string is checked as soon as
it is extracted. A text is the show's own (the host writes the demo's notes in English) when
it appears in the show's source files; only the theme's words are expected to change.
"""

from __future__ import annotations

import html
import re
import subprocess
import tomllib
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from conftest import REPO, copy_demo, run_cli

from castnotes.render.i18n import (
    LOCALE_DIR,
    card_line,
    shipped_catalogue,
    shipped_languages,
    site_locale,
)
from castnotes.render.pages import make_environment

POT = LOCALE_DIR / "castnotes.pot"
SHIPPED = ("de", "en", "es", "fr", "pt")
# [show] language as a host writes it -> the catalogue it must pick
BUILDS = {"en": "en", "de-DE": "de", "es": "es", "fr": "fr", "pt-BR": "pt", "ja": "en"}

# Attributes whose values are addresses, names or machine values, never words for a reader
NOT_WORDS = {"href", "src", "srcset", "class", "id", "style", "type", "rel", "datetime", "width", "height",
             "lang", "dir", "name", "for", "role", "loading", "decoding", "action", "method", "hreflang",
             "property", "charset", "http-equiv", "viewBox", "d", "fill", "stroke", "cx", "cy", "r",
             "stroke-width", "stroke-linecap", "stroke-linejoin", "focusable", "min", "max", "step", "value",
             "preload", "aria-labelledby", "aria-hidden", "aria-current", "aria-keyshortcuts", "tabindex",
             "autocomplete", "data-src", "data-key", "data-copy", "data-share", "data-replies", "data-root",
             "data-start", "data-duration", "data-art", "data-replies-load", "data-act", "data-pagefind-meta"}


def load_po(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


class _Words(HTMLParser):
    """Every text a reader can see or hear: text nodes (template contents included) and
    worded attributes (aria-label, title, alt, placeholder, meta content, data-* words)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for key, value in attrs:
            if value and key not in NOT_WORDS:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data)


def page_words(page: Path) -> list[str]:
    parser = _Words()
    parser.feed(page.read_text(encoding="utf-8"))
    pieces = []
    for text in parser.texts:
        # a title is "<words> · <show>": each side is checked on its own
        pieces += [" ".join(part.split()) for part in text.split("·")]
    return [p for p in pieces if p]


def normal(text: str) -> str:
    """Quotes and spaces as both the sources and the pages may write them."""
    text = html.unescape(text).replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())


def show_text(show: Path) -> str:
    """Everything the host wrote: notes, pages, settings, people, transcripts and chapter titles."""
    parts = []
    for path in sorted(show.rglob("*")):
        if path.is_file() and path.suffix in (".md", ".toml", ".vtt", ".srt", ".json", ".txt", ".html") \
                and "site" not in path.relative_to(show).parts[:1] and ".castnotes" not in path.parts:
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return normal("\n".join(parts))


PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")
NUMBERS = {"number", "count", "num", "minutes", "size", "now", "total", "time", "first", "last"}


def placeholders(text: str) -> list[str]:
    return sorted({a or b for a, b in PLACEHOLDER.findall(text)})


def english_patterns(translated: Catalog) -> dict[str, re.Pattern[str]]:
    """msgid -> a pattern matching a page text that prints it in English.

    The whole msgid with a value in each placeholder (a number where it is one, a short phrase
    otherwise), or the part of it on one side of a placeholder that holds markup (a link splits
    "Hosted by %(name)s" into the text "Hosted by" and the link). Strings the language writes
    the same (`Blog`, `%(size)s MB`) cannot be told apart and are left out.
    """
    patterns = {}
    for message in translated:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid in strings:
                continue
            parts = PLACEHOLDER.split(msgid)  # literal, name, name, literal, ...
            pieces = parts[::3]
            values = [(r"(?:[\d.,:\s]+|\{\w+\})" if (a or b) in NUMBERS else r"(?:(?![.!?]\s).){1,80}?")
                      for a, b in zip(parts[1::3], parts[2::3])]
            alternatives = []
            for i in range(len(pieces)):
                for j in range(i, len(pieces)):
                    literal = pieces[i:j + 1]
                    literal[0], literal[-1] = literal[0].lstrip(), literal[-1].rstrip()
                    regex = re.escape(literal[0]) + "".join(values[k] + re.escape(literal[k - i + 1])
                                                            for k in range(i, j))
                    letters = len(re.findall(r"[A-Za-z]", "".join(literal)))
                    if (i, j) == (0, len(pieces) - 1) or letters >= 3:
                        alternatives.append(regex)
            patterns[msgid] = re.compile(r"\s*(?:" + "|".join(alternatives) + r")[\s.,:!]*")
    return patterns


def english_left(site: Path, patterns: dict[str, re.Pattern[str]], own: str) -> dict[str, set[str]]:
    """Page -> the theme's English strings found on it (texts the host wrote excepted)."""
    found: dict[str, set[str]] = {}
    for page in sorted(site.rglob("*.html")):
        if "pagefind" in page.parts:
            continue
        for text in page_words(page):
            for msgid, pattern in patterns.items():
                if pattern.fullmatch(text) and normal(text).removesuffix("...").removesuffix("…") not in own:
                    found.setdefault(page.relative_to(site).as_posix(), set()).add(msgid)
    return found


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo show built once in each language: language -> its show folder."""
    shows = {}
    for language in BUILDS:
        show = copy_demo(tmp_path_factory.mktemp("lang") / language)
        settings = show / "castnotes.toml"
        text = settings.read_text(encoding="utf-8")
        assert 'language = "en"' in text
        settings.write_text(text.replace('language = "en"', f'language = "{language}"', 1), encoding="utf-8")
        result = run_cli("build", show=show)
        assert result.exit_code == 0, result.output
        shows[language] = show
    return shows


def test_the_check_finds_the_theme_strings_in_english(builds: dict[str, Path]) -> None:
    """The detector itself: on the English site it finds the theme's words (else it proves nothing)."""
    patterns = english_patterns(load_po(shipped_catalogue("de")))
    found = english_left(builds["en"] / "site", patterns, show_text(builds["en"]))
    strings = set().union(*found.values())
    for expected in ("Skip to content", "All episodes", "Listen on", "Chapters", "Transcript",
                     "Episodes %(first)s–%(last)s", "Search episodes", "Back 15 seconds", "Hosts and guests",
                     "Join the conversation", "Season %(number)s", "Copied!", "{now} of {total}"):
        assert expected in strings, expected
    assert len(strings) > 120
    # the demo's own words (its notes are in English) are never counted as the theme's
    assert not any("%(" not in s and normal(s) in show_text(builds["en"]) for s in ("Episodes",))


@pytest.mark.parametrize("language", [lang for lang in BUILDS if BUILDS[lang] != "en"])
def test_no_english_theme_string_is_left(builds: dict[str, Path], language: str) -> None:
    catalogue = BUILDS[language]
    patterns = english_patterns(load_po(shipped_catalogue(catalogue)))
    found = english_left(builds[language] / "site", patterns, show_text(builds[language]))
    assert not found, f"{language}: English left on {len(found)} pages, e.g. {sorted(found.items())[:5]}"


@pytest.mark.parametrize("language", list(BUILDS))
def test_lang_dir_and_dates(builds: dict[str, Path], language: str) -> None:
    site = builds[language] / "site"
    locale = site_locale(language).locale
    assert str(locale).split("_")[0] == BUILDS[language]
    pages = sorted(site.rglob("*.html"))
    dates = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        # lang is the show's language as written (its content is in it), dir from that locale
        assert f'<html lang="{language}" dir="ltr">' in text, page
        for day, shown in re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)[^"]*">([^<]+)</time>', text):
            expected = format_date(date.fromisoformat(day), "d MMMM y" if BUILDS[language] == "en" else "long",
                                   locale=locale)
            assert shown == expected, (page, shown, expected)
            dates += 1
    assert dates > 50
    home = (site / "index.html").read_text(encoding="utf-8")
    sample = {"en": "9 February 2026", "de-DE": "9. Februar 2026", "es": "9 de febrero de 2026",
              "fr": "9 février 2026", "pt-BR": "9 de fevereiro de 2026", "ja": "9 February 2026"}[language]
    assert sample in home


@pytest.mark.parametrize(("language", "expected"), [("en", "Play · 25 min"), ("de", "Abspielen · 25 Min."),
                                                    ("fr", "Écouter · 25 min")])
def test_the_play_button_says_minutes_in_the_language(tmp_path: Path, language: str, expected: str) -> None:
    """The demo's episodes are under a minute; a 25-minute one shows "min" in the site's words."""
    site = site_locale(language)
    env = make_environment(tmp_path, site)
    enclosure = SimpleNamespace(duration=1500.0, site_path=None, url="https://x.example/a.mp3")
    item = SimpleNamespace(enclosure=enclosure, page_path="episodes/a/", guid="a", title="A")
    show = SimpleNamespace(settings=SimpleNamespace(media=SimpleNamespace(prefix=None)))
    html_text = env.get_template("partials/play_button.html").render(item=item, root="", show=show)
    words = " ".join(re.sub(r"<[^>]+>", " ", html_text.replace('<span class="visually-hidden">: A</span>', "")).split())
    assert words == expected


def test_an_unshipped_language_falls_back_to_english(builds: dict[str, Path]) -> None:
    """Japanese: no catalogue, so the theme speaks English, and the page still says its content is Japanese."""
    site = builds["ja"] / "site"
    page = (site / "archive" / "index.html").read_text(encoding="utf-8")
    assert page.startswith('<!doctype html>\n<html lang="ja" dir="ltr">')
    assert ">All episodes</h1>" in page
    assert site_locale("ja").catalogue == "en"


def test_numbers_and_sizes_follow_the_locale(builds: dict[str, Path]) -> None:
    episode = "episodes/why-we-drift-apart/index.html"
    sizes = {lang: re.search(r'<span class="muted"> · ([^<]+)</span></a>', (show / "site" / episode).read_text())[1]
             for lang, show in builds.items()}
    number = re.fullmatch(r"([\d.,]+) KB", sizes["en"])
    assert number and "." in number[1]
    assert sizes["de-DE"] == sizes["en"].replace(".", ",")
    assert sizes["fr"] == sizes["en"].replace(".", ",").replace("KB", "Ko")


def test_the_takeaways_feed_is_named_in_the_language(builds: dict[str, Path]) -> None:
    names = {"en": "takeaways", "de-DE": "Erkenntnisse", "fr": "points clés", "ja": "takeaways"}
    for language, word in names.items():
        feed = (builds[language] / "site" / "takeaways.xml").read_text(encoding="utf-8")
        assert re.search(rf"<title>The Connection Hour ?: {word}</title>", feed), language


def test_pagefind_indexes_in_the_language(builds: dict[str, Path]) -> None:
    """Pagefind splits its index by <html lang>; the build forces the show's language on it."""
    for language, show in builds.items():
        entry = (show / "site" / "pagefind" / "pagefind-entry.json").read_text()
        assert f'"{language.split("-")[0]}"' in entry, entry[:200]


def test_locale_negotiation_and_direction() -> None:
    assert site_locale("de-AT").catalogue == "de" and str(site_locale("de-AT").locale) == "de_AT"
    assert site_locale("pt-PT").catalogue == "pt"
    assert site_locale("en-GB").catalogue == "en"
    assert site_locale("zz").catalogue == "en"  # not a language at all: English, no crash
    assert site_locale("DE").translations.gettext("Archive") == "Archiv"  # any case
    arabic = site_locale("ar")
    assert arabic.catalogue == "en" and arabic.direction == "rtl"  # the content is Arabic
    assert site_locale("he-IL").direction == "rtl"
    assert site_locale("fr").direction == "ltr"


def test_every_catalogue_is_complete() -> None:
    """Every msgid of the .pot translated in every shipped .po, with the same placeholders."""
    assert shipped_languages() == SHIPPED
    template = load_po(POT)
    ids = {m.id for m in template if m.id}
    assert len(ids) > 200
    for language in SHIPPED:
        catalogue = load_po(shipped_catalogue(language))
        assert {m.id for m in catalogue if m.id} == ids, f"{language}: run pybabel update (README: Language)"
        for message in catalogue:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings) and len(strings) == (catalogue.num_plurals if message.pluralizable else 1), \
                (language, message.id)
            assert not message.fuzzy, (language, message.id)
            wanted = placeholders(message.id if isinstance(message.id, str) else message.id[1])
            for string in strings:
                assert placeholders(string) == wanted, (language, message.id, string)
        assert not list(catalogue.check()), language


def test_the_template_is_up_to_date_with_the_sources(tmp_path: Path) -> None:
    """`pybabel extract` as the README says finds exactly the .pot's msgids."""
    out = tmp_path / "fresh.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(REPO / "babel.cfg"), "-k", "N_",
                                "--no-location", "-o", str(out), str(REPO)])
    assert {m.id for m in load_po(out) if m.id} == {m.id for m in load_po(POT) if m.id}


def test_a_show_template_and_po_use_the_same_gettext(tmp_path: Path) -> None:
    """An override template calls `_()`; the show's templates/locale/de.po adds and replaces strings."""
    show = copy_demo(tmp_path / "demo")
    settings = show / "castnotes.toml"
    settings.write_text(settings.read_text().replace('language = "en"', 'language = "de"', 1))
    (show / "templates" / "partials").mkdir(parents=True)
    (show / "templates" / "partials" / "footer.html").write_text(
        '{% extends "default/partials/footer.html" %}\n'
        '{% block footer_copy %}<p class="thanks">{{ _("Thanks for listening!") }} · {{ _("All episodes") }}'
        ' · {{ ngettext("%(num)s episode", "%(num)s episodes", 3) }}</p>{% endblock %}\n')
    (show / "templates" / "locale").mkdir()
    (show / "templates" / "locale" / "de.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Thanks for listening!"\nmsgstr "Danke fürs Zuhören!"\n\n'
        'msgid "Subscribe"\nmsgstr "Folgen"\n', encoding="utf-8")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    page = (show / "site" / "about" / "index.html").read_text(encoding="utf-8")
    assert '<p class="thanks">Danke fürs Zuhören! · Alle Folgen · 3 Folgen</p>' in page
    assert ">Abonnieren</a>" not in page and "Folgen</a></li>" in page  # the show's word replaces the shipped one
    assert "Erstellt mit castnotes" in page  # the rest of the shipped catalogue still applies
    # an edited .po re-renders the pages on the next (incremental) build
    po = show / "templates" / "locale" / "de.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Folgen"', 'msgstr "Jetzt folgen"'), encoding="utf-8")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "Jetzt folgen</a></li>" in (show / "site" / "about" / "index.html").read_text(encoding="utf-8")
    # a language castnotes does not ship, brought by the show
    (show / "templates" / "locale" / "de.po").rename(show / "templates" / "locale" / "nl.po")
    settings.write_text(settings.read_text().replace('language = "de"', 'language = "nl"', 1))
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    page = (show / "site" / "about" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nl" dir="ltr">' in page and "Danke fürs Zuhören!" in page and "All episodes" in page


def test_the_demo_is_english_in_the_repo() -> None:
    """The builds above switch the demo's language; they rely on it being English to start with."""
    assert tomllib.loads((REPO / "castnotes.toml").read_text())["show"]["language"] == "en"


# German has the longest words of the shipped languages ("Co-Moderation", "Abonnieren"): its
# pages, wide and narrow, must not push anything out of its box.
GERMAN_PAGES = {"home": "", "episode": "episodes/belonging-on-your-block/", "subscribe": "subscribe/",
                "archive": "archive/", "about": "about/", "search": "search/?q=friends", "person": "people/ana-lopez/"}
OVERFLOWING = """
return [...document.querySelectorAll(
  '.site-nav a, .button, .play, .listen__link, .apps__link, .share__button, .pl button, .pagination a, .tag, .kicker,'
  + ' .prev-next__dir, .site-search input, .search-form button, .speed, .player__download, .transcripts a')]
  .filter(e => e.offsetParent !== null && (e.scrollWidth > e.clientWidth + 1
    || e.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
  .map(e => e.className + ': ' + e.textContent.trim().slice(0, 40));
"""


def test_the_german_site_in_chromium(builds: dict[str, Path]) -> None:
    """The German demo at 1280 and 390 wide: nothing scrolls sideways, no button or link spills
    out of its box, the player's words come from the page, axe-core finds nothing; the
    screenshots are saved beside the English ones (tests/_artifacts/screenshots/de-*.png)."""
    from browser import axe_source, chromium
    from siteserver import serve_site
    from test_browser import ARTIFACTS, axe_violations, set_viewport, wait_for

    axe = axe_source()
    with serve_site(builds["de-DE"] / "site") as (base, log):
        for width, height in ((1280, 800), (390, 844)):
            with chromium(width, height) as driver:
                set_viewport(driver, width, height, "light")
                for name, page in GERMAN_PAGES.items():
                    driver.get(base + page)
                    if name == "search":
                        wait_for(driver, "document.querySelectorAll('[data-search-results] li').length > 1")
                        status = driver.execute_script(
                            "return document.querySelector('[data-search-status]').textContent")
                        assert re.fullmatch(r"\d+ Folgen gefunden für „friends“\.", status), status
                    if name == "episode":
                        wait_for(driver, "document.querySelector('.speed') !== null")
                        speed = driver.execute_script("return document.querySelector('.speed').textContent")
                        assert speed.startswith("Tempo"), speed
                        valuetext = driver.execute_script(
                            "return document.querySelector('[data-seek]').getAttribute('aria-valuetext')")
                        assert " von " in valuetext, valuetext
                    overflow = driver.execute_script(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                    assert overflow <= 0, f"{name} scrolls sideways at {width} px"
                    assert driver.execute_script(OVERFLOWING) == [], f"{name} at {width} px"
                    assert axe_violations(driver, axe) == [], f"{name} at {width} px"
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    driver.save_screenshot(str(ARTIFACTS / f"de-{name}-{width}.png"))
    assert not [path for path, status in log if status == 404]


@pytest.mark.parametrize("language", ["es", "fr", "pt-BR"])
def test_the_other_languages_fit_on_a_phone(builds: dict[str, Path], language: str) -> None:
    """Spanish, French and Portuguese at 390 wide: nothing scrolls sideways or spills out of its box."""
    from browser import chromium
    from siteserver import serve_site
    from test_browser import ARTIFACTS, set_viewport

    with serve_site(builds[language] / "site") as (base, _), chromium(390, 844) as driver:
        set_viewport(driver, 390, 844, "light")
        for name, page in GERMAN_PAGES.items():
            driver.get(base + page)
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} scrolls sideways"
            assert driver.execute_script(OVERFLOWING) == [], name
            if name in ("home", "episode"):
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(ARTIFACTS / f"{language}-{name}-390.png"))


def test_a_broken_translation_is_named_at_its_line(tmp_path: Path) -> None:
    """A show's .po with a placeholder the msgid does not have stops the build at that line,
    instead of failing on every page that prints the string."""
    show = copy_demo(tmp_path / "demo")
    (show / "templates" / "locale").mkdir(parents=True)
    (show / "templates" / "locale" / "en.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, python-format\nmsgid "Hosted by %(name)s"\nmsgstr "Your host: %(nom)s"\n', encoding="utf-8")
    result = run_cli("build", show=show)
    assert result.exit_code == 1, result.output
    assert "en.po:6" in result.output and "Hosted by %(name)s" in result.output, result.output
    assert not (show / "site").exists()
    # fixed, the build goes through and uses it
    (show / "templates" / "locale" / "en.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, python-format\nmsgid "Hosted by %(name)s"\nmsgstr "Your host: %(name)s"\n', encoding="utf-8")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert 'Your host: <a href="../../people/sam-rivera/">Sam Rivera</a>' in \
        (show / "site" / "episodes" / "why-we-drift-apart" / "index.html").read_text(encoding="utf-8")



@pytest.mark.parametrize("msgid,msgstr", [("Archive", "Archiv %(x)s"), ("Hosted by %(name)s", "Your host: %(nom)s")])
def test_a_placeholder_is_checked_without_the_python_format_flag(tmp_path: Path, msgid: str, msgstr: str) -> None:
    """A hand-written .po rarely says `#, python-format`: an unknown placeholder is still named at
    its line, not a KeyError in whichever template prints the string."""
    show = copy_demo(tmp_path / "demo")
    (show / "templates" / "locale").mkdir(parents=True)
    (show / "templates" / "locale" / "en.po").write_text(f'msgid "{msgid}"\nmsgstr "{msgstr}"\n', encoding="utf-8")
    result = run_cli("build", show=show)
    assert result.exit_code == 1, result.output
    assert "en.po:1: error: translation of" in result.output and "unknown named placeholder" in result.output
    assert "template error" not in result.output

def test_a_regional_po_of_the_show_falls_back_to_the_shipped_language(tmp_path: Path) -> None:
    """templates/locale/de-AT.po for an Austrian show: its words first, the shipped German for the rest."""
    (tmp_path / "templates" / "locale").mkdir(parents=True)
    (tmp_path / "templates" / "locale" / "de-AT.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Latest episode"\nmsgstr "Neueste Folge, frisch"\n',
        encoding="utf-8")
    site = site_locale("de-AT", tmp_path)
    assert site.catalogue == "de_AT" and str(site.locale) == "de_AT"
    assert site.translations.gettext("Latest episode") == "Neueste Folge, frisch"
    assert site.translations.gettext("Archive") == "Archiv"
    assert site_locale("de-DE", tmp_path).translations.gettext("Latest episode") == "Neueste Folge"


def test_the_share_card_line_is_in_the_language() -> None:
    """The line under the title on an episode's 1200x630 share card."""
    episode = SimpleNamespace(type="full", season=1, number=3, enclosure=SimpleNamespace(duration=1430.0))
    assert card_line(episode, site_locale("en")) == "S1 E3 · 24 min"
    assert card_line(episode, site_locale("de")) == "S1 F3 · 24 Min."
    assert card_line(episode, site_locale("es")) == "T1 E3 · 24 min"
    trailer = SimpleNamespace(type="trailer", season=None, number=None, enclosure=SimpleNamespace(duration=30.0))
    assert card_line(trailer, site_locale("fr")) == "Bande-annonce"


def test_every_translated_page_is_valid_html5(builds: dict[str, Path]) -> None:
    """The Nu validator on the German and French sites (quotes such as „…“ and « … » in attributes)."""
    from conftest import require_tool
    from test_site import validator

    require_tool("java")
    for language in ("de-DE", "fr"):
        result = subprocess.run([validator(), "--root", str(builds[language] / "site")], capture_output=True, text=True)
        assert result.returncode == 0, language + ": " + result.stdout + result.stderr


@pytest.mark.parametrize("line", ['msgstr "Folgen', 'msgstr "Folgen\\"', '"Folgen'])
def test_an_unclosed_quote_in_a_show_po_is_named_at_its_line(tmp_path: Path, line: str) -> None:
    """Babel reads `msgstr "Folgen` as "Folge": the typo would cut a letter off every page
    silently. The build stops at the line instead, and the site is left as it was."""
    show = copy_demo(tmp_path / "demo")
    (show / "templates" / "locale").mkdir(parents=True)
    po = show / "templates" / "locale" / "en.po"
    po.write_text(f'msgid "Episodes"\n{line}\n\nmsgid "Search"\nmsgstr "Suche"\n', encoding="utf-8")
    result = run_cli("build", show=show)
    assert result.exit_code == 1, result.output
    assert "en.po:2: error: a string here is not closed by a quote" in result.output, result.output
    assert not (show / "site").exists()
    po.write_text('msgid "Episodes"\nmsgstr "Folgen \\"neu\\""\n', encoding="utf-8")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert 'Folgen "neu"' in html.unescape((show / "site" / "index.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize("language,names", [("en", ("English", "Spanish")), ("de", ("Deutsch", "Spanisch"))])
def test_transcript_languages_are_named_in_the_site_language(tmp_path: Path, language: str,
                                                             names: tuple[str, str]) -> None:
    """Two transcripts are told apart by their language's name, as the reader's site words it,
    not by a code ("es") a reader may not know."""
    show = copy_demo(tmp_path / "demo")
    folder = show / "episodes" / "002-compassionate-listening"
    (folder / "transcript.es.vtt").write_bytes((folder / "transcript.vtt").read_bytes())
    settings = show / "castnotes.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('language = "en"', f'language = "{language}"', 1),
                        encoding="utf-8")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    page = (show / "site" / "episodes" / "compassionate-listening" / "index.html").read_text(encoding="utf-8")
    labels = re.findall(r'class="transcripts".*?</ul>', page, re.S)[0]
    assert f"WebVTT · {names[0]}<" in labels and f"WebVTT · {names[1]}<" in labels, labels
    assert 'hreflang="es"' in labels


def test_compiled_catalogues_are_kept_and_a_damaged_copy_is_compiled_again(tmp_path: Path) -> None:
    """A build reuses the .mo Babel compiled (75 ms of an incremental build); the copy is
    checked before use, so a damaged one is made again rather than read as wrong words."""
    first = site_locale("de", tmp_path)
    kept = sorted((tmp_path / ".castnotes" / "locale").glob("*.mo"))
    assert len(kept) == 1 and first.translations.gettext("Search") == "Suche"
    original = kept[0].read_bytes()
    damaged = bytearray(original)
    damaged[-40] ^= 0x20  # a letter of some translation
    kept[0].write_bytes(bytes(damaged))
    assert site_locale("de", tmp_path).translations.gettext("Search") == "Suche"
    assert kept[0].read_bytes() == original
    # a show's own .po is compiled on its own key: an edit is seen at once
    (tmp_path / "templates" / "locale").mkdir(parents=True)
    po = tmp_path / "templates" / "locale" / "de.po"
    po.write_text('msgid "Search"\nmsgstr "Finden"\n', encoding="utf-8")
    assert site_locale("de", tmp_path).translations.gettext("Search") == "Finden"
    po.write_text('msgid "Search"\nmsgstr "Stöbern"\n', encoding="utf-8")
    assert site_locale("de", tmp_path).translations.gettext("Search") == "Stöbern"
