"""`castnotes build`: settings -> sources -> audio (cached) -> Show -> feed + pages -> one swap.

Everything is read, rendered and checked before anything is written, so an error
anywhere leaves the previous site untouched: the GUID ledger (a published episode
changed), the feed's error-level rules (`castnotes check`), and with `--against` the
published feed. Only after the new site is in place are new episodes recorded in
the ledger.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator, Protocol

from .audio import AUDIO_SUFFIXES
from .cache import AudioCache
from .chapters import render_chapters_json
from .checks import Finding, compare_against, lint_show_feed
from .checks.report import Lint
from .config import Settings, load_settings
from .errors import CastnotesError, Problem
from .feed import render_feed, render_feeds
from .ledger import LedgerEntry, allowed, append_entries, guard
from .model import Show
from .output import check_output_dir, write_site
from .site import load_site_data, render_site, theme_assets
from .sources import EPISODES_DIR, load_show
from .status import count_statuses, select_episodes


@dataclass(frozen=True, slots=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False
    base_url: str | None = None  # publish for another address (staging, preview)
    output: Path | None = None  # override [site] output
    now: datetime | None = None
    allow_change: tuple[str, ...] = ()  # slugs, GUIDs or patterns whose published change is intended
    against: str | None = None  # a published feed (file or URL) to compare with before writing

    @property
    def records_ledger(self) -> bool:
        """Only builds for the show's real address touch the ledger (not staging or preview)."""
        return self.base_url is None


class Progress(Protocol):
    """What the CLI shows while audio files are scanned (a progress bar on a terminal)."""

    def start(self, total: int) -> None: ...
    def advance(self, path: Path) -> None: ...
    def finish(self) -> None: ...


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
    left_out: dict[str, int] = field(default_factory=dict)  # drafts / scheduled not built
    check_warnings: tuple[Finding, ...] = field(default=())  # warning-level feed rules
    recorded: int = 0  # new ledger records


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


def build(root: Path, options: BuildOptions = BuildOptions(), progress: Progress | None = None) -> BuildResult:
    started = time.perf_counter()
    settings = prepare_settings(root, options)
    output_dir = settings.output_dir
    check_output_dir(output_dir, settings.root)
    cache = _ReportingCache(settings.root, progress) if progress else AudioCache(settings.root)
    if progress:
        progress.start(count_audio_files(settings.root))
    try:
        everything = load_show(settings, cache, drafts=True, future=True, now=options.now,
                               strict_drafts=options.drafts)
    finally:
        if progress:
            progress.finish()
    cache.save()
    show = select_episodes(everything, drafts=options.drafts, future=options.future)
    records = _guard_ledger(everything, options)
    feeds = render_feeds(show)
    feed = feeds[0][1]
    lint = _check_feeds(show, feeds, options)
    site_data = load_site_data(show)
    pages = render_site(show, site_data)
    rendered: list[tuple[str, bytes]] = list(feeds)
    rendered += [(f"{e.page_path}chapters.json", render_chapters_json(show, e)) for e in show.episodes
                 if e.chapters]
    rendered += pages
    stats = write_site(output_dir, rendered, [*_copies(show), *site_data.copies])
    recorded = append_entries(settings.root, records) if records else 0
    built = {e.guid for e in show.episodes}
    left_out = count_statuses(e for e in everything.episodes if e.guid not in built)
    return BuildResult(
        output_dir=output_dir,
        show=show,
        feed_bytes=len(feed),
        pages=sum(1 for path, _ in pages if path.endswith(".html")),
        files=stats.files,
        audio_read=cache.reads,
        seconds=time.perf_counter() - started,
        warnings=show.problems,
        left_out=left_out,
        check_warnings=tuple(f for f in lint.findings if f.severity == "warning"),
        recorded=recorded,
    )


def _guard_ledger(everything: Show, options: BuildOptions) -> list[LedgerEntry]:
    """The ledger records to append after writing; raise when a published episode changed."""
    if not options.records_ledger:
        return []
    problems, records = guard(everything.settings.root, everything.episodes, options.allow_change)
    if problems:
        raise CastnotesError(problems)
    return records


def _check_feeds(show: Show, feeds: list[tuple[str, bytes]], options: BuildOptions) -> Lint:
    """The error-level rules of `castnotes check` on every feed document about to be written.

    With `--against`, the published feed is compared with all of the show's episodes
    (a paged feed spreads them over several documents).
    """
    lint = lint_show_feed(show, *(data for _, data in feeds))
    if options.against:
        compare_against(render_feed(show) if len(feeds) > 1 else feeds[0][1], options.against, lint)
    errors = [f for f in lint.errors if not _allowed_pub_change(f, show, options.allow_change)]
    if errors:
        raise CastnotesError([f.to_problem() for f in errors])
    return lint


def _allowed_pub_change(finding: Finding, show: Show, allow_change: Iterable[str]) -> bool:
    """A PUB-* finding (from --against) about an episode named in --allow-change is intended."""
    if not finding.rule.startswith("PUB-") or finding.guid is None:
        return False
    names = [finding.guid] + [e.slug for e in show.episodes if e.guid == finding.guid]
    return allowed(allow_change, *names)


def count_audio_files(root: Path) -> int:
    """How many audio files the episode folders hold: the length of the progress bar."""
    folder = root / EPISODES_DIR
    if not folder.is_dir():
        return 0
    return sum(1 for path in folder.glob("*/*")
               if path.suffix.lower() in AUDIO_SUFFIXES and not path.parent.name.startswith((".", "_")))


class _ReportingCache(AudioCache):
    """The audio cache, telling the progress bar about each file it is asked for."""

    def __init__(self, root: Path, progress: Progress):
        super().__init__(root)
        self.progress = progress

    def info(self, path: Path):  # noqa: ANN201 - AudioCache.info's type
        try:
            return super().info(path)
        finally:
            self.progress.advance(path)


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
