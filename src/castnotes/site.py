"""Show -> the takeaway site's pages, with Jinja2.

Templates come from the show's own `templates/` first, then the default theme; an
override can extend the default it replaces (`{% extends "default/episode.html" %}`).
Every link inside the site is relative (`root` is the way up from the current page),
so the same files work at a domain root, in a sub-path, and from disk.
"""

from __future__ import annotations

import math
from urllib.parse import urlsplit
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import jinja2
from markupsafe import Markup

from .chapters import format_clock
from .errors import CastnotesError
from .markdown import render_markdown, resolve_site_links
from .model import Episode, Show

THEME_ASSETS = "assets"


def default_theme_dir() -> Path:
    """The default templates: inside the installed package, or the repo's top-level templates/."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def make_environment(show_root: Path) -> jinja2.Environment:
    theme = jinja2.FileSystemLoader(str(default_theme_dir()))
    loaders: list[jinja2.BaseLoader] = []
    overrides = show_root / "templates"
    if overrides.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(overrides)))
    loaders += [jinja2.PrefixLoader({"default": theme}), theme]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        clock=lambda seconds: format_clock(seconds or 0),
        iso_duration=iso_duration,
        human_date=human_date,
        filesize=filesize,
        markdown=lambda text: Markup(render_markdown(text or "")),
        label=lambda episode: episode_label(episode),
    )
    return env


@dataclass(frozen=True, slots=True)
class Page:
    """One output file: where it goes and which template renders it with what."""

    site_path: str  # e.g. "episodes/x/index.html"
    template: str
    context: dict[str, Any]


def root_for(site_path: str) -> str:
    """The relative way from a page to the site root: "" or "../../"."""
    depth = site_path.count("/")
    return "../" * depth


def plan_pages(show: Show) -> Iterator[Page]:
    """Every page of the site, in a stable order."""
    episodes = show.episodes
    per_page = show.settings.site.per_page
    pages = max(1, math.ceil(len(episodes) / per_page))
    for number in range(1, pages + 1):
        path = "index.html" if number == 1 else f"page/{number}/index.html"
        yield Page(path, "index.html", {
            "episodes": episodes[(number - 1) * per_page : number * per_page],
            "pagination": {
                "number": number,
                "count": pages,
                "newer": None if number == 1 else ("" if number == 2 else f"page/{number - 1}/"),
                "older": f"page/{number + 1}/" if number < pages else None,
            },
        })
    related = related_episodes(episodes)
    for i, episode in enumerate(episodes):
        yield Page(f"{episode.page_path}index.html", "episode.html", {
            "episode": episode,
            "newer": episodes[i - 1] if i > 0 else None,
            "older": episodes[i + 1] if i + 1 < len(episodes) else None,
            "related": related[episode.slug],
        })
    yield Page("404.html", "404.html", {})


def related_episodes(episodes: tuple[Episode, ...], limit: int = 3,
                     window: int = 12) -> dict[str, list[Episode]]:
    """For each episode: those named in `related`, then those sharing the most categories
    and guests, nearest in time first, up to `limit`.

    Candidates come from an index of categories and guests, looking only at the
    `window` episodes nearest in time on each list, so a big show with a few broad
    categories costs a pass over the episodes, not a comparison of every pair.
    """
    by_slug = {e.slug: e for e in episodes}
    order = {e.slug: i for i, e in enumerate(episodes)}
    index: dict[str, list[str]] = {}
    for episode in episodes:
        for key in _topics(episode):
            index.setdefault(key, []).append(episode.slug)
    position = {key: {slug: i for i, slug in enumerate(slugs)} for key, slugs in index.items()}
    result: dict[str, list[Episode]] = {}
    for episode in episodes:
        chosen = [by_slug[s] for s in episode.related if s in by_slug and s != episode.slug]
        if len(chosen) < limit:
            scores: dict[str, int] = {}
            for key in _topics(episode):
                i = position[key][episode.slug]
                for slug in index[key][max(0, i - window) : i + window + 1]:
                    scores[slug] = scores.get(slug, 0) + 1
            taken = {e.slug for e in chosen} | {episode.slug}
            here = order[episode.slug]
            ranked = sorted((s for s in scores if s not in taken),
                            key=lambda s: (-scores[s], abs(order[s] - here), order[s]))
            chosen += [by_slug[s] for s in ranked[: limit - len(chosen)]]
        result[episode.slug] = chosen
    return result


def _topics(episode: Episode) -> set[str]:
    return {f"c:{c.lower()}" for c in episode.categories} | {
        f"p:{(g.id or g.name).lower()}" for g in episode.guests}


def render_page(env: jinja2.Environment, show: Show, page: Page) -> bytes:
    root = root_for(page.site_path)
    if page.site_path == "404.html":
        # Served at whatever address was missing: only absolute paths work there.
        root = urlsplit(show.url).path or "/"
    folder = page.site_path.rsplit("/", 1)[0] + "/" if "/" in page.site_path else ""
    context = {
        "show": show,
        "settings": show.settings.show,
        "root": root,
        "page_path": folder,
        "page_url": show.url + folder,
        "feed_url": show.feed_url,
        "url": lambda site_path="": root + site_path,
        "notes": lambda html: Markup(resolve_site_links(html, root)),
        **page.context,
    }
    try:
        return env.get_template(page.template).render(context).encode("utf-8")
    except jinja2.TemplateError as exc:
        raise template_error(exc, page) from None


def template_error(exc: jinja2.TemplateError, page: Page) -> CastnotesError:
    """A template mistake as a problem at the template's file and line."""
    path, line = None, None
    if isinstance(exc, jinja2.TemplateSyntaxError):
        path, line = exc.filename, exc.lineno
    else:
        tb = exc.__traceback__
        while tb is not None:  # Jinja maps its frames back to template file and line
            if tb.tb_frame.f_code.co_filename.endswith((".html", ".xml", ".txt")):
                path, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
            tb = tb.tb_next
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template not found: {exc.name}"
    else:
        message = f"template error: {exc.message or type(exc).__name__}"
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


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration for JSON-LD and <time datetime>: PT1H2M3S."""
    whole = int(round(seconds or 0))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def human_date(value: datetime) -> str:
    """`4 May 2026`: unambiguous in every English locale."""
    return f"{value.day} {value.strftime('%B %Y')}"


def filesize(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"


def episode_label(episode: Episode) -> str:
    """`S2 E14`, `E14`, `Bonus`, `Trailer`: the short badge shown beside titles."""
    parts = []
    if episode.type != "full":
        parts.append(episode.type.capitalize())
    if episode.season:
        parts.append(f"S{episode.season}")
    if episode.number:
        parts.append(f"E{episode.number}")
    return " ".join(parts)
