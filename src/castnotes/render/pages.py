"""Show -> the takeaway site's pages, with Jinja2.

Templates come from the show's own `templates/` first, then the default theme; an
override can extend the default it replaces (`{% extends "default/episode.html" %}`).
Every link inside the site is relative (`root` is the way up from the current page),
so the same files work at a domain root, in a sub-path, and from disk.
"""

from __future__ import annotations

import math
import traceback
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from gettext import NullTranslations
from typing import Any, Callable, Iterator
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

from castnotes import __version__
from castnotes.codec import digest
from castnotes.config.settings import SUBSCRIBE_PLATFORMS
from castnotes.errors import CastnotesError
from castnotes.markdown import render_markdown, resolve_site_links
from castnotes.model import Article, Artwork, Enclosure, Episode, Person, Show, Transcript
from castnotes.read.images import (
    SIZES,
    CardJob,
    WebImage,
    WebImages,
    start_drawing_cards,
    load_web_images,
    plan_social_cards,
    show_artworks,
)
from castnotes.render.assets import compact_html
from castnotes.render.fingerprints import Fingerprints, RenderJob, tree_digest
from castnotes.render.i18n import (
    LOCALE_DIR,
    SiteLocale,
    card_line,
    episode_label,
    filesize,
    language_name,
    role_name,
    site_locale,
)
from castnotes.render.listings import (
    SiteIndex,
    category_path,
    episode_people,
    index_show,
    person_path,
    person_slug,
    stable_pages,
)
from castnotes.render.seo import (
    ROBOTS,
    SITEMAP,
    episode_jsonld,
    lastmod,
    render_robots,
    render_sitemap,
    series_jsonld,
)
from castnotes.render.subscribe import QRCode, app_links
from castnotes.render.takeaways import (
    TAKEAWAYS_PATH,
    posts_of,
    render_takeaways_feed,
    takeaway_entries,
    takeaways_url,
)
from castnotes.render.timestamps import link_timestamps
from castnotes.store import store_dir
from castnotes.timecode import format_clock, format_iso_duration
from castnotes.workers import Background

THEME_ASSETS = "assets"
NOT_FOUND = "404.html"


def default_theme_dir() -> Path:
    """The default templates: inside the installed package, or the repo's top-level templates/."""
    packaged = Path(__file__).parents[1] / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


def _bytecode_cache(show_root: Path) -> jinja2.BytecodeCache | None:
    """Compiled templates kept in .castnotes/ between builds (and shared by the workers).

    Compiling the theme's templates costs more than rendering the dozen pages a new
    episode changes. Jinja checks each template's source checksum before using its
    bytecode and writes atomically; the folder is per Jinja and castnotes version, as
    the bytecode depends on both (and on the environment's options, set here only).
    """
    try:
        folder = store_dir(show_root, f"jinja-{jinja2.__version__}-{__version__}")
    except OSError:
        return None  # a read-only show folder still builds, compiling as before
    return jinja2.FileSystemBytecodeCache(str(folder))


def make_environment(show_root: Path, site: SiteLocale) -> jinja2.Environment:
    """The show's templates/ first, then the default theme (also reachable as "default/...").

    `_()` and `ngettext()` speak the show's language (render/i18n.py) in the theme and in
    the show's own templates alike.
    """
    theme = jinja2.FileSystemLoader(str(default_theme_dir()))
    overrides = show_root / "templates"
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(overrides))] if overrides.is_dir() else []
    loaders += [jinja2.PrefixLoader({"default": theme}), theme]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one build renders with one set of templates: no stat per include
        extensions=["jinja2.ext.i18n"],
        cache_size=-1,  # a plain dict: every include looks its template up; an LRU costs more
        bytecode_cache=_bytecode_cache(show_root),
    )
    # newstyle: `_("Page %(number)s of %(count)s", number=n, count=c)`, escaped like any value
    env.install_gettext_translations(site.translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(_direct_gettext(site.translations))
    # JSON-LD without spaces after separators: a page's bytes count against its budget
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
    gettext = site.translations.gettext
    env.filters.update(
        clock=lambda seconds: format_clock(seconds or 0),
        iso_duration=format_iso_duration,
        human_date=site.date,
        number=site.number,
        filesize=lambda size: filesize(size, site),
        markdown=lambda text: Markup(render_markdown(text or "")),
        label=lambda episode: episode_label(episode, gettext),
        role=lambda role: role_name(role, site),
        language=lambda code: language_name(site, code),
        picture=picture,
        media_src=media_src,
        photo=photo,
        category_path=category_path,
        person_path=person_path,
        person_slug=person_slug,
        initials=initials,
    )
    env.globals.update(text_direction=site.direction, language_name=language_name(site))
    return env


def _direct_gettext(translations: NullTranslations) -> dict[str, Callable[..., str]]:
    """Jinja's newstyle `_()` and `ngettext()`, each one call instead of three.

    The i18n extension's `_` is an alias that looks up `gettext`, which calls the catalogue,
    each through Jinja's context machinery: a fifth of an episode page's render time, with
    about 45 strings a page. These do the same (the catalogue's text, marked safe when
    autoescaping, always `%`-formatted with the keyword arguments) in one call.
    """
    catalogue_gettext, catalogue_ngettext = translations.gettext, translations.ngettext

    @jinja2.pass_eval_context
    def gettext(eval_ctx: jinja2.nodes.EvalContext, string: str, /, **variables: object) -> str:
        text = catalogue_gettext(string)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    @jinja2.pass_eval_context
    def ngettext(eval_ctx: jinja2.nodes.EvalContext, singular: str, plural: str, count: int, /,
                 **variables: object) -> str:
        variables.setdefault("num", count)
        text = catalogue_ngettext(singular, plural, count)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


@dataclass(frozen=True, slots=True)
class Page:
    """One output file: where it goes and which template renders it with what."""

    site_path: str  # e.g. "episodes/x/index.html"
    template: str
    context: dict[str, Any]
    lastmod: str | None = None  # for the sitemap
    listed: bool = True  # in the sitemap


@dataclass(frozen=True, slots=True)
class SiteData:
    """What the pages need beyond the Show, read from disk once per build."""

    images: WebImages
    site: SiteLocale  # the show's language: the pages' words, dates and the cards' line
    cards: dict[str, WebImage] = field(default_factory=dict)  # 1200x630 share cards, by episode slug
    card_files: tuple[tuple[Path, str], ...] = ()
    undrawn: tuple[tuple[CardJob, Path], ...] = ()  # cards not in the cache yet: `start_cards` first

    @property
    def copies(self) -> tuple[tuple[Path, str], ...]:
        return self.images.files + self.card_files

    def start_cards(self) -> Background:
        """Start drawing the share cards still missing on the other cores; `.wait()` before
        publishing `copies` (pages need only the cards' addresses, so a build renders them
        meanwhile)."""
        return start_drawing_cards(self.undrawn)


def load_site_data(show: Show, draw_cards: bool = True) -> SiteData:
    """Web-sized artwork and the episodes' share cards, made or reused from the cache; with
    `draw_cards` False the missing cards are left for `SiteData.start_cards`."""
    images = load_web_images(show_artworks(show), show.settings.root)
    site = site_locale(show.settings.show.language, show.settings.root)
    cards, card_files, undrawn = plan_social_cards(show, images, lambda episode: card_line(episode, site))
    data = SiteData(images, site, cards, card_files, undrawn)
    if draw_cards:
        data.start_cards().wait()
        data = replace(data, undrawn=())
    return data


# Transcripts a page can print, in order of preference: timed formats first, because
# their times seek the player.
PRINTABLE_TRANSCRIPTS = ("text/vtt", "application/x-subrip", "application/json", "text/html", "text/plain")


def choose_transcript(episode: Episode, language: str) -> Transcript | None:
    """The transcript to print on the page: the show's language first, timed formats first.

    Only a file in the show folder is printed; one hosted elsewhere is linked, not fetched.
    """
    candidates = [t for t in episode.transcripts if t.mime in PRINTABLE_TRANSCRIPTS and t.source_path]

    def rank(t: Transcript) -> tuple[int, int]:
        same_language = (t.language or language).split("-")[0] == language.split("-")[0]
        return (0 if same_language else 1, PRINTABLE_TRANSCRIPTS.index(t.mime))

    return min(candidates, key=rank, default=None)


@dataclass(frozen=True, slots=True)
class ShowView:
    """The show as templates see it: everything but the episode list.

    A page gets its episodes from its own context (`episode`, `episodes`,
    `category.episodes`, ...), so what a page shows is exactly what its fingerprint
    covers (incremental.py); a template asking for `show.episodes` fails loudly.
    """

    settings: Any
    image: Artwork | None
    hosts: tuple[Person, ...]
    generator: str

    @property
    def url(self) -> str:
        return self.settings.show.url

    @property
    def feed_url(self) -> str:
        return self.settings.feed_url


def site_jobs(show: Show, data: SiteData, fingerprints: Fingerprints | None = None) -> list[RenderJob]:
    """Every page, the sitemap, robots.txt and the takeaways feed, each with its fingerprint.

    `fingerprints` is the build's, when its feed has hashed the episodes already."""
    site = data.site
    env = make_environment(show.settings.root, site)
    index = index_show(show, site.translations.gettext)
    view = ShowView(show.settings, show.image, show.hosts, show.generator)
    links = site_links(show)
    # every page is rendered with the theme, the shipped catalogues and the show's templates/ (its .po files too)
    templates = tree_digest([default_theme_dir(), LOCALE_DIR, show.settings.root / "templates"])
    base = digest(templates, view, data.images, bool(index.categories), bool(index.people), links)
    pages = list(plan_pages(show, index, data))
    fingerprints = fingerprints if fingerprints is not None else Fingerprints()
    jobs = [RenderJob(page.site_path, fingerprints.of(base, page.site_path, page.template, page.context),
                      partial(render_page, env, view, page, data, index, links))
            for page in pages]
    listed = [(page.site_path.removesuffix("index.html"), page.lastmod) for page in pages if page.listed]
    newest = takeaway_entries(show)
    title = site.translations.gettext("%(show)s: takeaways") % {"show": view.settings.show.title}
    jobs += [
        RenderJob(SITEMAP, digest(view, listed), partial(render_sitemap, show, listed)),
        RenderJob(ROBOTS, digest(view), partial(render_robots, show)),
        RenderJob(TAKEAWAYS_PATH, digest(view, newest), partial(render_takeaways_feed, show, title)),
    ]
    return jobs


def plan_pages(show: Show, index: SiteIndex, data: SiteData) -> Iterator[Page]:
    """Every page of the site, in a stable order."""
    yield from _home_pages(show)
    episodes = show.episodes
    collections = collections_of(show)
    for i, episode in enumerate(episodes):
        yield Page(f"{episode.page_path}index.html", "episode.html", {
            "episode": episode,
            "collections": collections.get(episode.slug, ()),
            "newer": episodes[i - 1] if i > 0 else None,
            "older": episodes[i + 1] if i + 1 < len(episodes) else None,
            "related": index.related[episode.slug],
            "transcript": choose_transcript(episode, show.settings.show.language),
            "card": data.cards.get(episode.slug),
        }, lastmod=lastmod(episode))
    totals = {"count": len(episodes), "first": episodes[-1] if episodes else None}
    yield Page("archive/index.html", "archive.html", {"groups": index.archive, "totals": totals})
    if index.categories:
        yield Page("categories/index.html", "categories.html", {"categories": index.categories})
    per_page = show.settings.site.per_page
    topics = dict(show.topics)
    for category in index.categories:
        for number, (path, chunk, pagination) in enumerate(stable_pages(category.page_path, category.episodes,
                                                                        per_page)):
            # an older page sees only its own episodes, so a new one elsewhere leaves it as it is
            yield Page(path, "category.html", {
                "category": category if number == 0 else replace(category, episodes=chunk),
                "episodes": chunk, "pagination": pagination,
                "description": Markup(topics[category.slug]) if category.slug in topics and number == 0 else None,
            }, lastmod=lastmod(chunk[0]))
    for path, chunk, pagination in paginate("people/", index.people, PEOPLE_PER_PAGE) if index.people else ():
        yield Page(path, "people.html", {"people": chunk, "pagination": pagination})
    for entry in index.people:
        for number, (path, chunk, pagination) in enumerate(stable_pages(entry.page_path, entry.episodes, per_page)):
            yield Page(path, "person.html", {"entry": entry if number == 0 else replace(entry, episodes=chunk),
                                             "episodes": chunk, "pagination": pagination},
                       lastmod=lastmod(chunk[0]) if chunk else None)
    yield Page("about/index.html", "about.html", {"people": [p for p in index.people if p.host],
                                                  "totals": totals})
    yield from _article_pages(show)
    yield Page("subscribe/index.html", "subscribe.html", {
        "apps": app_links(show.settings.feed_url),
        "qr": QRCode(show.settings.feed_url, data.site.translations.gettext("QR code of the feed address")),
    })
    yield Page("search/index.html", "search.html", {}, listed=False)
    yield Page(NOT_FOUND, "404.html", {"newest": episodes[0] if episodes else None}, listed=False)


PEOPLE_PER_PAGE = 48  # person cards on one page of /people/


def paginate(base: str, items: tuple | list, per_page: int) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """A long list over pages: `base` (e.g. "categories/x/"), then `base` + "page/2/", ...

    Yields (site path of the page, its items, pagination) where pagination holds the
    page number, the count, and the paths of the newer and older pages (or None), as
    `partials/pagination.html` expects them.
    """
    count = max(1, math.ceil(len(items) / per_page))
    for number in range(1, count + 1):
        folder = base if number == 1 else f"{base}page/{number}/"
        yield f"{folder}index.html", items[(number - 1) * per_page : number * per_page], {
            "number": number,
            "count": count,
            "paged": count > 1,
            "newer": None if number == 1 else (base if number == 2 else f"{base}page/{number - 1}/"),
            "older": f"{base}page/{number + 1}/" if number < count else None,
        }


def collections_of(show: Show) -> dict[str, tuple[Article, ...]]:
    """Episode slug -> the collections listing it, by title."""
    found: dict[str, list[Article]] = {}
    for article in sorted(show.articles, key=lambda a: (a.title.lower(), a.slug)):
        for slug in article.episodes:
            found.setdefault(slug, []).append(article)
    return {slug: tuple(articles) for slug, articles in found.items()}


def _article_pages(show: Show) -> Iterator[Page]:
    """pages/: each page, post and collection, and /posts/ listing posts and collections."""
    by_slug = {e.slug: e for e in show.episodes}
    for article in show.articles:
        embedded = {slug: by_slug[slug] for kind, slug in article.parts if kind == "episode" and slug in by_slug}
        yield Page(f"{article.page_path}index.html", "article.html", {
            "article": article,
            "embedded": embedded,
            # a scheduled or draft episode left out of this build is left out of the list
            "collection": tuple(by_slug[slug] for slug in article.episodes if slug in by_slug),
        }, lastmod=article.date.date().isoformat() if article.date else None)
    posts = posts_of(show)
    collections = tuple(a for a in show.articles if a.kind == "collection" and not a.date)
    if posts or collections:
        yield Page("posts/index.html", "posts.html", {"posts": posts, "collections": collections},
                   lastmod=posts[0].date.date().isoformat() if posts else None)


def featured_item(show: Show) -> dict[str, Any] | None:
    """First on the home page, as it shows it ({"kind", "item", "episodes"}): what `[site] featured`
    names, else the latest episode (None without episodes)."""
    slug = show.settings.site.featured
    by_slug = {e.slug: e for e in show.episodes}
    if slug in by_slug:
        return {"kind": "episode", "item": by_slug[slug], "episodes": ()}
    for article in show.articles:
        if article.slug == slug:
            return {"kind": article.kind, "item": article,
                    "episodes": tuple(by_slug[s] for s in article.episodes if s in by_slug)}
    # no featured item, or a draft or scheduled one this build leaves out
    return {"kind": "latest", "item": show.episodes[0], "episodes": ()} if show.episodes else None


def site_links(show: Show) -> dict[str, Any]:
    """What every page shows of pages/ (navigation, footer): a change here re-renders them all."""
    return {
        "has_posts": any(a.date or a.kind == "collection" for a in show.articles),
        "pages": tuple((a.title, a.page_path) for a in sorted(show.articles, key=lambda a: (a.title.lower(), a.slug))
                       if a.kind == "page"),
    }


def _home_pages(show: Show) -> Iterator[Page]:
    """The home page (the newest episodes) and the older episodes on stable pages (listings.stable_pages)."""
    episodes = show.episodes
    for number, (path, chunk, pagination) in enumerate(stable_pages("", episodes, show.settings.site.per_page)):
        yield Page(path, "index.html", {
            "episodes": chunk,
            "featured": featured_item(show) if number == 0 else None,
            "pagination": pagination,
        }, lastmod=lastmod(episodes[0]) if number == 0 and episodes else None)


def render_page(env: jinja2.Environment, show: ShowView, page: Page, data: SiteData,
                index: SiteIndex, links: dict[str, Any]) -> bytes:
    root = "../" * page.site_path.count("/")  # the relative way up to the site root: "" or "../../"
    if page.site_path == NOT_FOUND:
        # Served at whatever address was missing: only absolute paths work there.
        root = urlsplit(show.url).path or "/"
    folder = page.site_path.rsplit("/", 1)[0] + "/" if "/" in page.site_path else ""
    context = {
        "show": show,
        "settings": show.settings.show,
        "root": root,
        "page_path": folder,
        "section": section_of(page.site_path),
        "has_categories": bool(index.categories),
        "has_people": bool(index.people),
        "has_posts": links["has_posts"],
        "site_pages": links["pages"],
        "funding": show.settings.show.funding,
        "reply_email": show.settings.site.reply_email,
        "page_url": show.url + folder,
        "feed_url": show.feed_url,
        "takeaways_url": takeaways_url(show),
        "subscribe": [(key, SUBSCRIBE_PLATFORMS[key], url) for key, url in show.settings.show.subscribe],
        "images": data.images,
        "series_jsonld": lambda: series_jsonld(show),
        "episode_people": lambda episode: episode_people(show.hosts, episode),
        "episode_jsonld": lambda episode: episode_jsonld(show, episode, show.url + episode.page_path),
        "url": lambda site_path="": root + site_path,
        "notes": lambda html: Markup(resolve_site_links(html, root)),
        "episode_notes": lambda episode: Markup(link_timestamps(
            resolve_site_links(episode.body_html, root), episode.enclosure.duration)),
        **page.context,
    }
    try:
        return compact_html(env.get_template(page.template).render(context)).encode("utf-8")
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
        # A template is the host's code: whatever it raises is a mistake at its line, not ours.
        raise template_error(exc, page) from None


def section_of(site_path: str) -> str:
    """The part of the site a page belongs to, for the navigation's aria-current."""
    first = site_path.split("/", 1)[0]
    # An episode page is not the "Episodes" list: nothing in the navigation is current there.
    return {"index.html": "home", "page": "home", "episodes": "none", NOT_FOUND: "none"}.get(first, first)


def template_error(exc: Exception, page: Page) -> CastnotesError:
    """A template mistake as a problem at the template's file and line."""
    path, line = None, None
    if isinstance(exc, jinja2.TemplateSyntaxError):
        path, line = exc.filename, exc.lineno
    else:
        for frame, number in traceback.walk_tb(exc.__traceback__):  # Jinja maps its frames to template lines
            if frame.f_code.co_filename.endswith((".html", ".xml", ".txt")):
                path, line = frame.f_code.co_filename, number
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template not found: {exc.name}"
    else:
        detail = exc.message if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
        message = f"template error: {detail or type(exc).__name__}"
    return CastnotesError.single(f"{message} (rendering {page.site_path})",
                                 Path(path) if path else None, line)


def theme_assets(show_root: Path) -> dict[str, Path]:
    """Files of the theme's assets/ folder, the show's templates/assets/ overriding by name."""
    found: dict[str, Path] = {}
    for base in (default_theme_dir() / THEME_ASSETS, show_root / "templates" / THEME_ASSETS):
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    found[f"{THEME_ASSETS}/{path.relative_to(base).as_posix()}"] = path
    return found


@dataclass(frozen=True, slots=True)
class Picture:
    src: str
    width: int
    height: int


@jinja2.pass_context
def picture(context: Any, art: Artwork, size: str = "large") -> Picture:
    """`art | picture("small")`: the web-sized copy's address from this page, width and height."""
    image = context["images"].pick(art, size)
    src = context["root"] + image.site_path if image.site_path else image.url
    return Picture(src, image.width or SIZES[size], image.height or SIZES[size])


@jinja2.pass_context
def media_src(context: Any, enclosure: Enclosure) -> str:
    """The player's address for the audio: relative when the site holds the file, so a preview
    or a copy at another address plays it; the full URL when it is hosted elsewhere or counted
    by an analytics prefix (plays on the site are downloads too)."""
    if enclosure.site_path and not context["show"].settings.media.prefix:
        return context["root"] + quote(enclosure.site_path)
    return enclosure.url


@jinja2.pass_context
def photo(context: Any, person: Person) -> str | None:
    """A host's or guest's photo from this page: published in the site, or their own URL.

    An address on the show's own site is made relative, so it works in a preview and a sub-path:
    `https://show.example/people/ana.jpg` (the show's URL) and `people/ana.jpg` (a path inside
    the site, such as a file from static/) both become `root + people/ana.jpg`.
    """
    root, site_url, href = context["root"], context["show"].url, person.img
    if person.img_site_path:
        return root + person.img_site_path
    if href and href.startswith(site_url):
        return root + href[len(site_url):]
    if href and not urlsplit(href).scheme and not href.startswith(("/", "#")):
        return root + href
    return href or None


def initials(name: str) -> str:
    """`Dr. Ana Lopez` -> `AL`: shown where a person has no photo."""
    words = [w for w in name.replace(".", " ").split() if w[:1].isalpha()]
    titles = {"dr", "prof", "mr", "mrs", "ms", "mx", "sir", "dame"}
    named = [w for w in words if w.lower() not in titles] or words
    if not named:
        return "?"
    letters = named[0][0] + (named[-1][0] if len(named) > 1 else "")
    return letters.upper()
