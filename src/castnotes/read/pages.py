"""`pages/` -> Articles (standalone pages, posts, collections) and topic descriptions.

Each `pages/<name>.md` is a page at `/<slug>/`: with a `date` it is a post (listed on
/posts/, in the takeaways feed), with `episodes: [slug, ...]` a collection (a curated
list of episode cards). Its Markdown links to episodes the way episode notes do
(`../episodes/<folder>/episode.md`, checked), and `![Listen](episode:slug)` on a line
of its own embeds that episode's player. `pages/topics/<name>.md` describes a topic.

Problems are collected with their file and line, like the episodes'.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Callable

from castnotes.errors import CastnotesError, Problems, did_you_mean
from castnotes.fields import FieldReader, KeyLines
from castnotes.imageinfo import image_info
from castnotes.markdown import HtmlPolicy, find_embeds, render_markdown, render_notes, split_embeds
from castnotes.model import Article, Artwork, Episode, Settings
from castnotes.read.frontmatter import Document, load_document, parse_datetime
from castnotes.read.status import add_draft_link
from castnotes.slugs import slug_of, slugify

PAGES_DIR = "pages"
TOPICS_DIR = "topics"
PAGE_KEYS = ("title", "date", "summary", "image", "draft", "slug", "episodes")
TOPIC_KEYS = ("title",)
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Addresses the site itself uses: a page may not take one.
RESERVED_SLUGS = frozenset({
    "about", "archive", "assets", "categories", "episodes", "media", "page", "people", "posts", "search",
    "subscribe", "topics",
})


@dataclass(frozen=True, slots=True)
class LoadedPages:
    articles: tuple[Article, ...]  # by slug
    topics: tuple[tuple[str, str], ...]  # (category slug, description HTML), by slug


def load_pages(settings: Settings, episodes: tuple[Episode, ...], lookup: Callable[[str], str | None],
               problems: Problems, now: datetime, left_out: set[str] = frozenset(),
               strict_drafts: bool = True, unreadable: frozenset[str] = frozenset()) -> LoadedPages:
    """Every page of `pages/` and every topic description, checked against the episodes
    (all of them, drafts included).

    `lookup` maps an episode folder name to its page path, as for episode notes.
    `left_out` names the folders of drafts this build leaves out: a page linking to one
    is an error, and a draft page's own problems are only warnings.
    `unreadable` names the slugs of episodes that failed to load: their own error is
    reported already, so a page or `[site] featured` naming one is not a second error.
    """
    folder = settings.root / PAGES_DIR
    slugs = {e.slug for e in episodes} | unreadable
    sources = _first_pass(folder, settings.root, problems)
    page_slugs = {path.resolve(): slug for path, _, slug in sources}

    def page_lookup(target: Path) -> str | None:
        slug = page_slugs.get(Path(os.path.normpath(target)).resolve())
        return f"{slug}/" if slug else None

    articles: dict[str, Article] = {}
    for path, doc, slug in sources:
        own = Problems()
        article = _load_article(path, doc, slug, settings, slugs, lookup, page_lookup, own, now, left_out)
        if article is not None and article.slug in articles:
            own.add(f"slug {article.slug!r} is also the slug of "
                    f"{articles[article.slug].source_path.relative_to(settings.root).as_posix()}",
                    path, 1, hint="give one of them `slug:` in its front matter")
            article = None
        if article is not None and article.slug in slugs and article.slug == settings.site.featured:
            own.add(f"slug {article.slug!r} is also an episode's, so [site] featured is ambiguous", path, 1,
                    hint="give the page another `slug:`")
        if own.errors and not strict_drafts and doc.meta.get("draft") is True:
            problems.extend(replace(p, severity="warning", message=f"draft left out: {p.message}")
                            for p in own.items)
            continue
        problems.extend(own.items)
        if article is not None and not own.errors:
            articles[article.slug] = article
    topics = _topics(settings, episodes, folder / TOPICS_DIR, lookup, page_lookup, problems)
    _check_featured(settings, slugs, {slug for _, _, slug in sources}, problems)
    return LoadedPages(tuple(articles[s] for s in sorted(articles)), topics)


def html_policy(settings: Settings) -> HtmlPolicy:
    """The show's rules for raw HTML in notes and pages (`[site] embed_hosts`, `[site] raw_html`)."""
    return HtmlPolicy(settings.site.embed_hosts, settings.site.raw_html)


def _first_pass(folder: Path, root: Path, problems: Problems) -> list[tuple[Path, Document, str]]:
    """Each page's front matter and slug, so that pages can link to each other."""
    sources = []
    for path, doc in _documents(folder, root, problems, "the page", "pages/"):
        reader = FieldReader(path, doc.meta, problems)
        slug = reader.text("slug") or slugify(path.stem)
        if not slug or not SLUG_RE.match(slug):
            reader.error("slug", f"{slug!r} may hold only a-z, 0-9 and -", hint="rename the file or set `slug:`")
            continue
        if slug in RESERVED_SLUGS:
            reader.error("slug" if reader.has("slug") else "title",
                         f"/{slug}/ is an address the site already uses",
                         hint="rename the file or give it another `slug:`")
            continue
        sources.append((path, doc, slug))
    return sources


def _load_article(path: Path, doc: Document, slug: str, settings: Settings, episode_slugs: set[str],
                  lookup: Callable[[str], str | None], page_lookup: Callable[[Path], str | None],
                  problems: Problems, now: datetime, left_out: set[str]) -> Article | None:
    reader = FieldReader(path, doc.meta, problems)
    reader.check_keys(PAGE_KEYS)
    title = reader.text("title")
    if not title:
        reader.error("title", "missing", hint='every page needs a title: "..."')
    date = parse_datetime(reader.meta.get("date"), settings.zone)
    if date is None and reader.has("date"):
        reader.error("date", f"{reader.meta['date']!r} is not a date", hint="write it as 2026-05-04")
    page_path = f"{slug}/"
    notes = render_notes(doc.body, source_path=path, first_line=doc.body_line,
                         episodes_dir=settings.root / "episodes", page_path=page_path, lookup=lookup,
                         page_lookup=page_lookup,
                         policy=html_policy(settings))
    problems.extend(notes.problems)
    for linked, line in notes.linked_episodes:
        if linked in left_out and doc.meta.get("draft") is not True:
            add_draft_link(problems, linked, path, line)
    for embed in find_embeds(doc.body, doc.body_line):
        if not embed.alone:
            problems.add(f"the player of {embed.slug!r} must stand on a line of its own", path, embed.line,
                         hint="put ![Listen](episode:slug) in a paragraph by itself")
        elif embed.slug not in episode_slugs:
            problems.add(f"embeds a missing episode: {embed.slug!r}", path, embed.line,
                         hint=_near(embed.slug, episode_slugs))
    episodes = _collection(reader, episode_slugs)
    image = _image(reader, path.parent, settings, page_path)
    copies = list(notes.assets)
    if image is not None and image.source_path and image.site_path:
        copies.append((image.source_path, image.site_path))
    if not title:
        return None
    return Article(
        slug=slug,
        title=title,
        source_path=path,
        summary=reader.text("summary") or notes.first_paragraph,
        parts=split_embeds(notes.html),
        date=date,
        image=image,
        episodes=episodes,
        draft=bool(reader.boolean("draft")),
        scheduled=date is not None and date > now,
        copies=tuple(copies),
    )


def _collection(reader: FieldReader, episode_slugs: set[str]) -> tuple[str, ...]:
    """`episodes: [slug, ...]`: each an episode's slug, once, in the order given."""
    chosen: list[str] = []
    for value in reader.strings("episodes"):
        slug = value.strip().strip("/").removeprefix("episodes/")
        if slug not in episode_slugs:
            reader.error("episodes", f"{value!r} is not an episode's slug", hint=_near(slug, episode_slugs))
        elif slug in chosen:
            reader.error("episodes", f"{value!r} is listed twice", hint="list each episode once")
        else:
            chosen.append(slug)
    return tuple(chosen)


def _image(reader: FieldReader, folder: Path, settings: Settings, page_path: str) -> Artwork | None:
    """`image: name.jpg` beside the page (published as <slug>/cover.jpg), or an https URL."""
    name = reader.text("image")
    if name is None:
        return None
    source = reader.image("image", name, folder, folder, f"{PAGES_DIR}/")
    if not isinstance(source, Path):
        return Artwork(url=source) if source else None
    site_path = f"{page_path}cover{'.png' if source.suffix.lower() == '.png' else '.jpg'}"
    try:
        info = image_info(source)
    except CastnotesError as exc:
        reader.problems.extend(exc.problems)
        return None
    return Artwork(url=settings.show.url + site_path, site_path=site_path, source_path=source,
                   width=info.width, height=info.height)


def _topics(settings: Settings, episodes: tuple[Episode, ...], folder: Path,
            lookup: Callable[[str], str | None], page_lookup: Callable[[Path], str | None],
            problems: Problems) -> tuple[tuple[str, str], ...]:
    """Topic descriptions from `[site.topics.<name>]` and `pages/topics/<name>.md`, matched to a
    category by slug (`Mental Health`, `mental-health`): (category slug, HTML), by slug."""
    categories = {slug_of(c) for c in {c for e in episodes for c in e.categories}}  # each name once
    found: dict[str, tuple[str, Path, int | None]] = {}

    def add(name: str, html: str, path: Path, line: int | None) -> None:
        slug = slug_of(name)
        if slug in found:
            where = found[slug][1].relative_to(settings.root).as_posix()
            problems.add(f"the topic {name!r} is also described in {where}", path, line,
                         hint="describe each topic once")
            return
        if slug not in categories:
            problems.add(f"no episode has the topic {name!r}", path, line, severity="warning",
                         hint=_near(slug, categories, "name a category from the episodes' `categories:`"))
        found[slug] = (html, path, line)

    for name, text, line in settings.site.topics:
        add(name, render_markdown(text), settings.config_path, line)
    for path, body, body_line in _topic_files(folder, settings.root, problems):
        notes = render_notes(body, source_path=path, first_line=body_line,
                             episodes_dir=settings.root / "episodes",
                             page_path=f"categories/{slug_of(path.stem)}/", lookup=lookup,
                             page_lookup=page_lookup,
                             policy=html_policy(settings))
        problems.extend(notes.problems)
        if notes.assets:
            problems.add("a topic description cannot publish files", path, body_line,
                         hint="link to files on a page or an episode instead")
        add(path.stem, notes.html, path, 1)
    return tuple((slug, found[slug][0]) for slug in sorted(found))


def _topic_files(folder: Path, root: Path, problems: Problems) -> list[tuple[Path, str, int]]:
    """`pages/topics/<name>.md`: (file, body, body's first line); the body describes the topic."""
    topics = []
    for path, doc in _documents(folder, root, problems, "the topic description", "pages/topics/"):
        FieldReader(path, doc.meta, problems).check_keys(TOPIC_KEYS)
        if not doc.body.strip():
            problems.add("the topic description is empty", path, doc.body_line,
                         hint="write a few sentences about the topic below the front matter")
            continue
        topics.append((path, doc.body, doc.body_line))
    return topics


def _documents(folder: Path, root: Path, problems: Problems, what: str, place: str) -> list[tuple[Path, Document]]:
    """The `*.md` files of `folder` in name order, read (hidden and `_` ones left out). A link to a
    file outside the show is reported and skipped: nothing outside the show is published."""
    if not folder.is_dir():
        return []
    inside = []
    for path in sorted(p for p in folder.glob("*.md") if p.is_file() and not p.name.startswith((".", "_"))):
        if path.resolve().is_relative_to(root.resolve()):
            inside.append(path)
        else:
            problems.add(f"{what} is a link to a file outside the show folder", path,
                         hint=f"copy the file into {place}")
    return [(path, doc) for path in inside if (doc := load_document(path, problems, what)) is not None]


def _check_featured(settings: Settings, episode_slugs: set[str], page_slugs: set[str],
                    problems: Problems) -> None:
    """`page_slugs` holds every page's slug, also of pages with errors (reported already)."""
    featured = settings.site.featured
    if featured is None or featured in episode_slugs or featured in page_slugs:
        return
    config = settings.config_path
    line = KeyLines(config.read_text(encoding="utf-8")).find("site", "featured") if config.is_file() else None
    problems.add(f"[site] featured {featured!r} is not an episode, page or collection", config, line,
                 hint=_near(featured, episode_slugs | page_slugs))


def _near(word: str, choices: set[str],
          otherwise: str = "use the slug of an episode (its page is /episodes/<slug>/)") -> str | None:
    return did_you_mean(word, sorted(choices), otherwise, cutoff=0.5)
