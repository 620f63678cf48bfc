"""The site's words in the show's language: gettext catalogues read with Babel.

The default theme prints nothing but through `_()` / `ngettext()` (Jinja's i18n extension)
or through the few Python helpers below, and every one of those strings is a msgid of the
`castnotes` catalogues in src/castnotes/locale/<language>/LC_MESSAGES/castnotes.po.
`[show] language` picks the catalogue ("de-AT" -> de, "pt-BR" -> pt) by Babel's locale
negotiation, English when none fits; dates and numbers follow the same locale, so a page
never mixes an English "May" into German words.

The .po files are read at build time (Babel compiles them in memory): there is no compiled
.mo file to forget to refresh. A show can bring its own `templates/locale/<language>.po`:
its translations replace the shipped ones string by string, and a language castnotes does not
ship becomes available that way.
"""

from __future__ import annotations

import gettext
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Callable

import babel
from babel import Locale, UnknownLocaleError
from babel.core import negotiate_locale
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_decimal

from castnotes import __version__
from castnotes.errors import CastnotesError
from castnotes.model import Episode
from castnotes.store import STORE_DIR, write_atomic

DOMAIN = "castnotes"
FALLBACK = "en"
LOCALE_DIR = Path(__file__).parents[1] / "locale"
OVERRIDES = "locale"  # in the show's templates/ folder: <language>.po
PLACEHOLDER = re.compile(r"%\((\w+)\)")


def N_(message: str) -> str:
    """Marks a string for extraction (`pybabel extract -k N_`) where it is translated later."""
    return message


def shipped_languages() -> tuple[str, ...]:
    """The languages castnotes ships a catalogue for: "de", "en", ..."""
    return tuple(sorted(p.parents[1].name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))


def shipped_catalogue(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True, slots=True)
class SiteLocale:
    """What a build needs to speak the show's language."""

    language: str  # [show] language as written: the pages' `lang`
    catalogue: str  # the catalogue chosen for it: "de", or "en" when none fits
    locale: Locale  # dates and numbers: the show's own locale when the catalogue is its language
    direction: str  # "ltr" or "rtl": from the show's language, since the content is in it
    translations: gettext.NullTranslations

    def date(self, value: date) -> str:
        """`4 May 2026`, `4. Mai 2026`, `4 de mayo de 2026`: the long date of the locale.

        English keeps day-month-year, the one long form no English reader misreads.
        """
        return format_date(value, "d MMMM y" if self.locale.language == "en" else "long", locale=self.locale)

    def number(self, value: float, decimals: int = 0) -> str:
        """`1,234` / `1.234` / `12.5` / `12,5`, grouped and pointed as the locale writes them."""
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, pattern, locale=self.locale)


def parse_locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def site_locale(language: str, show_root: Path | None = None) -> SiteLocale:
    """The catalogue, locale and direction for `[show] language` (and the show's own .po files)."""
    own = show_overrides(show_root)
    available = sorted(set(shipped_languages()) | set(own))
    chosen = negotiate_locale([language.replace("-", "_")], available, sep="_")
    # negotiation ignores case ("DE" finds "de") but answers in the case asked: use the file's name
    catalogue = {name.lower(): name for name in available}.get((chosen or "").lower(), FALLBACK)
    parsed = parse_locale(language)
    if parsed is not None and parsed.language == catalogue.split("_")[0]:
        locale = parsed  # de-AT: Austrian dates with the German words
    else:
        locale = parse_locale(catalogue) or Locale.parse(FALLBACK)
    direction = (parsed or locale).text_direction
    cache = show_root / STORE_DIR / "locale" if show_root is not None else None
    return SiteLocale(language, catalogue, locale, direction, translations_for(catalogue, own.get(catalogue), cache))


def show_overrides(show_root: Path | None) -> dict[str, Path]:
    """The show's templates/locale/<language>.po files, by language."""
    if show_root is None:
        return {}
    folder = show_root / "templates" / OVERRIDES
    return {p.stem.replace("-", "_"): p for p in sorted(folder.glob("*.po"))} if folder.is_dir() else {}


def translations_for(catalogue: str, override: Path | None, cache: Path | None) -> gettext.NullTranslations:
    """The shipped catalogue (a show's `de_AT.po` falls back to the shipped German), under the show's own."""
    shipped = next((path for path in (shipped_catalogue(catalogue), shipped_catalogue(catalogue.split("_")[0]))
                    if path.is_file()), None)
    base = compiled(shipped, cache) if shipped else None
    if override is None:
        return base or gettext.NullTranslations()
    own = compiled(override, cache)
    if base is not None:
        own.add_fallback(base)  # the show's strings first, the shipped ones for the rest
    return own


def compiled(path: Path, cache: Path | None) -> gettext.GNUTranslations:
    """A .po file as gettext translations, compiled in memory; read again when it changes
    (`castnotes serve` rebuilds in one process while the host edits their .po). A new object
    each time: a fallback chained to one must not reach the next build.

    Compiling a catalogue costs Babel about 75 ms, a tenth of an incremental build of a
    1,000-episode show: with a `cache` folder (the show's `.castnotes/locale/`) the .mo bytes
    are kept there under a digest of the .po's bytes and Babel's and castnotes' versions."""
    if cache is not None:
        source = path.read_bytes()
        key = hashlib.sha256(f"{__version__}\x1f{babel.__version__}\x1f".encode() + source).hexdigest()[:24]
        kept = cache / f"{key}.mo"  # the .mo bytes after their own SHA-256: a damaged copy is never read
        try:
            data = kept.read_bytes()
        except OSError:
            data = b""
        if data[32:] and hashlib.sha256(data[32:]).digest() == data[:32]:
            return gettext.GNUTranslations(BytesIO(data[32:]))
    stat = path.stat()
    mo = _compiled(path, stat.st_mtime_ns, stat.st_size)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        write_atomic(kept, hashlib.sha256(mo).digest() + mo)
    return gettext.GNUTranslations(BytesIO(mo))


@lru_cache(maxsize=16)
def _compiled(path: Path, mtime_ns: int, size: int) -> bytes:
    """The .mo bytes of a .po file."""
    shipped = path.parent.name == "LC_MESSAGES"
    _check_quotes(path)
    try:
        with path.open("rb") as source:
            catalog: Catalog = read_po(source, locale=path.parents[1].name if shipped else None,
                                       domain=DOMAIN, abort_invalid=True)
    except PoFileError as exc:
        raise CastnotesError.single(f"not a readable gettext catalogue: {exc}", path, getattr(exc, "lineno", None),
                                    hint="check the quotes of each msgid/msgstr line") from None
    hint = "keep the placeholders of the msgid, such as %(name)s, as they are"
    for message in catalog:
        # a placeholder the msgid does not have would fail on every page using the string; a
        # hand-written .po may leave out `#, python-format`, so Babel's check alone would miss it
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        unknown = {n for text in strings if text for n in PLACEHOLDER.findall(text)} - {
            n for text in ids if text for n in PLACEHOLDER.findall(text)}
        if ids[0] and unknown:
            raise CastnotesError.single(f"translation of {ids[0]!r}: unknown named placeholder {min(unknown)!r}",
                                        path, message.lineno, hint=hint)
    for message, errors in catalog.check():
        raise CastnotesError.single(f"translation of {message.id!r}: {errors[0]}", path, message.lineno, hint=hint)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


QUOTED = re.compile(r'^(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"(?:[^"\\]|\\.)*"$')
KEYWORD = re.compile(r"^(?:msgctxt|msgid|msgid_plural|msgstr)\b|^\"")


def _check_quotes(path: Path) -> None:
    """Every string line of a .po closed by its own quote. Babel reads an unterminated
    `msgstr "Folgen` as "Folge" (the last letter taken for the quote), so a typo would
    silently cut a word off a page; a hand-written .po gets its line named instead."""
    text = path.read_bytes().decode("latin-1")  # any charset: quotes and backslashes are ASCII
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if KEYWORD.match(line) and not QUOTED.match(line):
            raise CastnotesError.single("a string here is not closed by a quote", path, number,
                                        hint='write each msgid/msgstr line as msgstr "text", with \\" for a quote '
                                        "inside the text")


# What the Python side prints: marked here so `pybabel extract` finds them.
TYPES = {"bonus": N_("Bonus"), "trailer": N_("Trailer")}
SIZE_UNITS = (N_("%(size)s bytes"), N_("%(size)s KB"), N_("%(size)s MB"), N_("%(size)s GB"))


def episode_label(episode: Episode, _: Callable[[str], str] = N_) -> str:
    """`S2 E14`, `E14`, `Bonus`, `Trailer`: the short badge shown beside titles."""
    parts = []
    if episode.type != "full":
        parts.append(_(TYPES.get(episode.type, episode.type.capitalize())))
    if episode.season:
        parts.append(_("S%(number)s") % {"number": episode.season})
    if episode.number:
        parts.append(_("E%(number)s") % {"number": episode.number})
    return " ".join(parts)


def card_line(episode: Episode, site: SiteLocale) -> str:
    """The line under the title on an episode's share card: `S1 E3 · 24 min`, `S1 F3 · 24 Min.`."""
    _ = site.translations.gettext
    minutes = round((episode.enclosure.duration or 0) / 60)
    parts = [episode_label(episode, _), _("%(minutes)s min") % {"minutes": minutes} if minutes else ""]
    return " · ".join(p for p in parts if p)


def filesize(size: float, site: SiteLocale) -> str:
    """`812 bytes`, `24.3 MB` (`24,3 Mo` in French)."""
    _ = site.translations.gettext
    for index, unit in enumerate(SIZE_UNITS):
        if size < 1024 or index == len(SIZE_UNITS) - 1:
            break
        size /= 1024
    return _(unit) % {"size": site.number(size, 0 if index == 0 else 1)}


# The Podcasting 2.0 person roles (config/people.py TAXONOMY), as the pages name them.
ROLES = {
    "director": N_("Director"), "assistant director": N_("Assistant director"),
    "executive producer": N_("Executive producer"), "senior producer": N_("Senior producer"),
    "producer": N_("Producer"), "associate producer": N_("Associate producer"),
    "development producer": N_("Development producer"), "creative director": N_("Creative director"),
    "host": N_("Host"), "co-host": N_("Co-host"), "guest host": N_("Guest host"), "guest": N_("Guest"),
    "voice actor": N_("Voice actor"), "narrator": N_("Narrator"), "announcer": N_("Announcer"),
    "reporter": N_("Reporter"), "author": N_("Author"), "editorial director": N_("Editorial director"),
    "co-writer": N_("Co-writer"), "writer": N_("Writer"), "songwriter": N_("Songwriter"),
    "guest writer": N_("Guest writer"), "story editor": N_("Story editor"),
    "managing editor": N_("Managing editor"), "script editor": N_("Script editor"),
    "script coordinator": N_("Script coordinator"), "researcher": N_("Researcher"), "editor": N_("Editor"),
    "fact checker": N_("Fact checker"), "translator": N_("Translator"), "transcriber": N_("Transcriber"),
    "logger": N_("Logger"), "studio coordinator": N_("Studio coordinator"),
    "technical director": N_("Technical director"), "technical manager": N_("Technical manager"),
    "audio engineer": N_("Audio engineer"), "remote recording engineer": N_("Remote recording engineer"),
    "post production engineer": N_("Post-production engineer"), "audio editor": N_("Audio editor"),
    "sound designer": N_("Sound designer"), "foley artist": N_("Foley artist"), "composer": N_("Composer"),
    "theme music": N_("Theme music"), "music production": N_("Music production"),
    "music contributor": N_("Music contributor"), "production coordinator": N_("Production coordinator"),
    "booking coordinator": N_("Booking coordinator"), "production assistant": N_("Production assistant"),
    "content manager": N_("Content manager"), "marketing manager": N_("Marketing manager"),
    "sales representative": N_("Sales representative"), "sales manager": N_("Sales manager"),
    "graphic designer": N_("Graphic designer"), "cover art designer": N_("Cover art designer"),
    "social media manager": N_("Social media manager"), "consultant": N_("Consultant"), "intern": N_("Intern"),
    "camera operator": N_("Camera operator"), "lighting designer": N_("Lighting designer"),
    "camera grip": N_("Camera grip"), "assistant camera": N_("Assistant camera"),
    "assistant editor": N_("Assistant editor"),
}


def language_name(site: SiteLocale, language: str | None = None) -> str:
    """A language by name, in the site's words: `English`, `Deutsch`, `Japonais`; the show's
    own unless `language` (a transcript's "es", "pt-BR") is given. A code Babel does not know
    stays as written."""
    language = language or site.language
    parsed = parse_locale(language)
    name = parsed.get_display_name(site.locale) if parsed else None
    return name[:1].upper() + name[1:] if name else language


def role_name(role: str, site: SiteLocale) -> str:
    """A person's role as the page names it: `co-host` -> `Co-host` / `Co-Moderation` ..."""
    known = ROLES.get(role.lower())
    return site.translations.gettext(known) if known else role.replace("-", " ").capitalize()
