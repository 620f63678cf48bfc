"""`castnotes build`: settings -> sources -> audio (cached) -> Show -> feed + pages -> one swap.

Everything is read and rendered before anything is written, so an error anywhere
leaves the previous site untouched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Iterator

from .cache import AudioCache
from .chapters import render_chapters_json
from .config import Settings, load_settings
from .errors import CastnotesError, Problem
from .feed import render_feeds
from .model import Show
from .output import check_output_dir, write_site
from .site import load_site_data, render_site, theme_assets
from .sources import load_show


@dataclass(frozen=True, slots=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False
    base_url: str | None = None  # publish for another address (staging, preview)
    output: Path | None = None  # override [site] output
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class BuildResult:
    output_dir: Path
    show: Show
    feed_bytes: int
    pages: int
    files: int
    audio_read: int  # audio files opened (the rest came from the cache)
    seconds: float
    warnings: tuple[Problem, ...] = field(default=())


def prepare_settings(root: Path, options: BuildOptions) -> Settings:
    settings = load_settings(root)
    if options.base_url:
        url = options.base_url if options.base_url.endswith("/") else options.base_url + "/"
        if not url.startswith(("http://", "https://")):
            raise CastnotesError.single(f"--base-url must be an http(s) URL, not {options.base_url!r}")
        settings = replace(settings, show=replace(settings.show, url=url))
    if options.output is not None:
        settings = replace(settings, site=replace(settings.site, output=str(options.output)))
    return settings


def build(root: Path, options: BuildOptions = BuildOptions()) -> BuildResult:
    started = time.perf_counter()
    settings = prepare_settings(root, options)
    output_dir = settings.output_dir
    check_output_dir(output_dir, settings.root)
    cache = AudioCache(settings.root)
    show = load_show(settings, cache, drafts=options.drafts, future=options.future, now=options.now)
    cache.save()

    feeds = render_feeds(show)
    feed = feeds[0][1]
    site_data = load_site_data(show)
    pages = render_site(show, site_data)
    rendered: list[tuple[str, bytes]] = list(feeds)
    rendered += [(f"{e.page_path}chapters.json", render_chapters_json(show, e)) for e in show.episodes
                 if e.chapters]
    rendered += pages
    stats = write_site(output_dir, rendered, [*_copies(show), *site_data.copies])
    return BuildResult(
        output_dir=output_dir,
        show=show,
        feed_bytes=len(feed),
        pages=sum(1 for path, _ in pages if path.endswith(".html")),
        files=stats.files,
        audio_read=cache.reads,
        seconds=time.perf_counter() - started,
        warnings=show.problems,
    )


def _copies(show: Show) -> Iterator[tuple[Path, str]]:
    """Every file published as is: theme assets, static/, show art, episode files."""
    root = show.settings.root
    for site_path, source in theme_assets(root).items():
        yield source, site_path
    if show.image and show.image.source_path and show.image.site_path:
        yield show.image.source_path, show.image.site_path
    yield from show.copies
    for episode in show.episodes:
        yield from episode.copies
    static = root / "static"
    if static.is_dir():
        for path in sorted(static.rglob("*")):
            if path.is_file():
                yield path, path.relative_to(static).as_posix()
