"""`castnotes build`: settings -> sources -> audio (cached) -> Show -> feed + pages -> one swap.

Everything is read, rendered and checked before anything is written, so an error
anywhere leaves the previous site untouched: the GUID ledger (a published episode
changed), the feed's error-level rules (`castnotes check`), and with `--against` the
published feed. Only after the new site is in place are new episodes recorded in
the ledger.
"""

from __future__ import annotations

import errno
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from castnotes import __version__
from castnotes.audio.info import stamp
from castnotes.checks.report import Lint
from castnotes.checks.rules import POLICY_RULES
from castnotes.commands.check import ShowFeedLint, compare_against, feed_documents
from castnotes.config.people import PEOPLE_FILE
from castnotes.config.settings import load_settings
from castnotes.errors import CastnotesError, Problem
from castnotes.fields import is_http_url
from castnotes.model import CONFIG_NAME, Settings, Show
from castnotes.output.feed_items import feed_items_path, kept_feed_items
from castnotes.output.incremental import render_changed
from castnotes.output.ledger import allowed, append_entries, guard, unguarded_warning
from castnotes.output.search import PageDigests, SearchIndex, reuse_search_index
from castnotes.output.staging import Staging, check_output_dir, spare_site
from castnotes.output.state import (
    BuildState,
    build_lock,
    folder_identity,
    load_state,
    options_key,
    save_state,
    stamp_inputs,
    state_path,
    walk,
)
from castnotes.read.audio_cache import AudioCache
from castnotes.read.ledger import LEDGER_NAME, LedgerEntry, keep_published, published_slugs
from castnotes.read.pages import PAGES_DIR
from castnotes.read.show import EPISODES_DIR, Progress, load_show
from castnotes.read.status import count_statuses, select_episodes
from castnotes.render.assets import minifiable, minify
from castnotes.render.chapters import render_chapters_json
from castnotes.render.fingerprints import Fingerprints, RenderJob
from castnotes.render.pages import (
    default_theme_dir,
    load_site_data,
    site_jobs,
    theme_assets,
)
from castnotes.render.rss import render_feed
from castnotes.workers import background_scope, fewer_collections, frozen_heap, give_back_memory


@dataclass(frozen=True, slots=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False
    base_url: str | None = None  # publish for another address (staging, preview)
    output: Path | None = None  # override [site] output
    now: datetime | None = None
    allow_change: tuple[str, ...] = ()  # slugs, GUIDs or patterns whose published change is intended
    against: str | None = None  # a published feed (file or URL) to compare with before writing
    strict: bool = False  # directory policy (checks.rules.POLICY_RULES) stops the build, as in `check`

    @property
    def state_key(self) -> str:
        """What distinguishes this build's output from another's (see state.py)."""
        return options_key(self.drafts, self.future, self.base_url, self.output)

    @property
    def records_ledger(self) -> bool:
        """Only builds for the show's real address touch the ledger (not staging or preview)."""
        return self.base_url is None


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
    check_warnings: tuple[Problem, ...] = field(default=())  # warning-level feed rules
    recorded: int = 0  # new ledger records
    rendered: int = 0  # pages rendered (the others were unchanged and kept)
    timings: tuple[tuple[str, float], ...] = ()  # seconds per phase


def prepare_settings(root: Path, options: BuildOptions) -> Settings:
    settings = load_settings(root)
    if options.base_url:
        url = options.base_url.strip()
        url = url if url.endswith("/") else url + "/"
        if not is_http_url(url):
            raise CastnotesError.single(f"--base-url must be an http(s) URL, not {options.base_url!r}")
        settings = replace(settings, show=replace(settings.show, url=url))
    if options.output is not None:
        settings = replace(settings, site=replace(settings.site, output=str(options.output)))
    return settings


def build(root: Path, options: BuildOptions = BuildOptions(), progress: Progress | None = None,
          waiting: Callable[[], None] | None = None) -> BuildResult:
    """Build the show at `root`. One build of a show at a time: a second one waits for the
    lock, after telling `waiting` (the CLI prints it), rather than racing on the state."""
    with build_lock(root.resolve(), waiting), _file_system_limits(), background_scope(), fewer_collections(), \
            ExitStack() as until_built:
        return _build(root, options, progress, until_built)


def _build(root: Path, options: BuildOptions, progress: Progress | None, until_built: ExitStack) -> BuildResult:
    clock = Stopwatch()
    # One "now" for the whole build: what goes live and when the next episode is due must agree.
    options = replace(options, now=options.now or datetime.now(timezone.utc))
    # Every input is stamped before it is read: an edit saved while this build runs then
    # differs from the recorded stamp, and the next build picks it up.
    early = stamp_inputs([root.resolve() / name for name in (CONFIG_NAME, PEOPLE_FILE, LEDGER_NAME)], [])[0]
    settings = prepare_settings(root, options)
    stamps = stamp_inputs(*input_paths(settings))
    stamps[0].update(early)
    output_dir = settings.output_dir
    check_output_dir(output_dir, settings.root)
    unguarded = unguarded_warning(settings.root, output_dir / settings.feed.path) \
        if options.records_ledger else None
    cache = AudioCache(settings.root)
    everything = keep_published(load_show(settings, now=options.now, strict_drafts=options.drafts,
                                          audio_cache=cache, reuse_episodes=True, progress=progress,
                                          published=published_slugs(settings.root)))
    show = select_episodes(everything, drafts=options.drafts, future=options.future)
    audio_read = cache.reads
    del cache  # load_show saved it; its entries (one per audio file) need not stay in memory
    records: list[LedgerEntry] = []
    if options.records_ledger:  # the records to append after writing; a published episode changed: stop
        problems, records = guard(settings.root, everything.episodes, options.allow_change)
        if problems:
            raise CastnotesError(problems)
    until_built.enter_context(frozen_heap())  # the show lives as long as the build: no need to scan it
    clock.lap("load")
    site_data = load_site_data(show, draw_cards=False)
    cards = site_data.start_cards()  # drawn on the other cores while the feed and pages are made
    # Staged files go nowhere until the commit: written early, each feed is dropped from memory
    # before the pages are rendered; an error anywhere still leaves the site as it was.
    with Staging(output_dir, spare_site(settings.root, output_dir)) as staging, \
            SearchIndex(staging, show.settings.show.language) as search:
        fingerprints = Fingerprints()  # each episode hashed once, for its feed item and its pages
        feed_bytes, lint, policy = _feeds_checked(show, options, staging, fingerprints, stamps[0])
        give_back_memory()  # the kept feed items, freed: 60 MB at 10,000 episodes
        clock.lap("feed")
        jobs = site_jobs(show, site_data, fingerprints)
        clock.lap("plan")
        state_file = state_path(settings.root, options.state_key)
        previous = load_state(state_file)
        if previous is not None and not (previous.is_current(str(settings.root))
                                         and previous.output == str(output_dir)):
            previous = None  # the output folder is not what that build wrote: trust nothing in it
        elif previous is not None:  # its input stamps (the bulk of it) are for `castnotes build`'s first check only
            previous = replace(previous, files={}, dirs={})
        for episode in show.episodes:
            if episode.chapters:
                staging.write(f"{episode.page_path}chapters.json", render_chapters_json(show, episode))
        rendered = render_changed(jobs, previous.pages if previous else {}, staging)
        for site_path, source in theme_assets(settings.root).items():
            if minifiable(site_path):
                staging.write(site_path, minify(site_path, source.read_bytes()))
        give_back_memory()  # what rendering freed (a 10,000-row archive page is built in pieces)
        clock.lap("pages")
        needs_index = previous is None or bool(rendered)  # else the current index may be kept
        known = PageDigests({job.site_path: job.fingerprint for job in jobs}, previous.search if previous else None)
        copies = [*_copies(show), *site_data.copies]
        indexed = [f"{episode.page_path}index.html" for episode in reversed(show.episodes)]  # oldest first
        if needs_index and not any(path.endswith(".html") for _, path in copies):
            # Pagefind indexes the changed shards meanwhile
            search.start(indexed, reuse=previous is not None, known=known)
        cards.wait()
        copy_stamps = _place_copies(staging, copies, previous, stamps[0])
        clock.lap("copies")
        if not search.started and (needs_index or reuse_search_index(staging) is None):
            # after the copies: a copied HTML page is indexed too
            search.start(indexed, reuse=previous is not None, known=known)
        if search.started:
            search.finish()
        clock.lap("search")
        files = len(staging.placed)
        staging.commit()
    recorded = append_entries(settings.root, records)
    if recorded:  # this build's own append is no change for the next one
        stamps[0].update(stamp_inputs([settings.root / LEDGER_NAME], [])[0])
    _save_state(state_file, everything, options, output_dir, jobs, copy_stamps, stamps, policy, known.stored())
    clock.lap("write")
    built = {e.guid for e in show.episodes}
    return BuildResult(
        output_dir=output_dir,
        show=show,
        feed_bytes=feed_bytes,
        pages=sum(1 for job in jobs if job.site_path.endswith(".html")),
        files=files,
        audio_read=audio_read,
        seconds=clock.total,
        warnings=show.problems + policy + ((unguarded,) if unguarded else ()),
        left_out=count_statuses(e for e in everything.episodes if e.guid not in built),
        check_warnings=tuple(f for f in lint.items if f.severity == "warning"),
        recorded=recorded,
        rendered=rendered,
        timings=tuple(clock.laps),
    )


@contextmanager
def _file_system_limits() -> Iterator[None]:
    """A name or path the file system cannot hold is the host's to shorten, not a crash."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in (errno.ENAMETOOLONG, errno.ENOSPC, errno.EDQUOT, errno.EROFS):
            raise
        hint = ("shorten the path: the output folder, an episode folder, slug or file name"
                if exc.errno == errno.ENAMETOOLONG else "free space, or write elsewhere with --output")
        raise CastnotesError.single(f"cannot write the site: {exc.strerror}",
                                    Path(exc.filename) if exc.filename else None, hint=hint) from None


class Stopwatch:
    """Wall-clock time per build phase, for `--verbose`: what dominates a build."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps.append((name, now - self.last))
        self.last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started


def _place_copies(staging: Staging, copies: list[tuple[Path, str]], previous: BuildState | None,
                  known: dict[str, list[int]]) -> dict[str, list]:
    """Publish files as they are; those unchanged since the last build keep their site file.

    A source among the build's inputs was stamped before it was read (`known`): that stamp
    is the one recorded, and no second stat is made (a change since then makes the next build
    place it again); the rest (share cards, web copies of artwork) are stamped here."""
    stamps: dict[str, list] = {}
    before = previous.copies if previous is not None else {}
    for source, site_path in copies:
        key = str(source)
        size_mtime = known.get(key)
        if size_mtime is None or size_mtime[0] < 0:
            size_mtime = stamp(source)
        stamps[site_path] = entry = [key, *size_mtime]
        staging.copy(source, site_path, unchanged=before.get(site_path) == entry, size=entry[1])
    return stamps


def _save_state(path: Path, everything: Show, options: BuildOptions, output_dir: Path, jobs: list[RenderJob],
                copies: dict[str, list], stamps: tuple[dict[str, list[int]], dict[str, int]],
                policy: tuple[Problem, ...], search: dict[str, str]) -> None:
    """Record what this build read (stamped before reading) and wrote, for the next build's shortcuts."""
    # the episodes this build held back as scheduled (not the clock now: a slow build must not
    # miss one that fell due while it ran); one the ledger keeps published is no longer due
    due = [e.date for e in everything.episodes if e.scheduled]
    root = everything.settings.root
    save_state(path, BuildState(
        version=__version__, options=options.state_key, root=str(root), output=str(output_dir),
        identity=folder_identity(output_dir),
        next_due=min(due).isoformat() if due else None, files=stamps[0], dirs=stamps[1],
        warnings=[p.format(root) for p in (*everything.problems, *policy)],
        pages={job.site_path: job.fingerprint for job in jobs}, copies=copies, search=search))


def input_paths(settings: Settings) -> tuple[list[str | Path], list[str]]:
    """Every file and folder a build reads: settings, ledger, episodes, templates, static, theme,
    and the show's and people's pictures wherever they are."""
    root = settings.root
    found, dirs = walk(root / EPISODES_DIR, root / PAGES_DIR, root / "templates", root / "static", default_theme_dir())
    files: list[str | Path] = [root / CONFIG_NAME, root / PEOPLE_FILE, root / LEDGER_NAME, *found]
    if settings.show.image_path:
        files.append(settings.show.image_path)
    files += [p.img_source for p in settings.people.values() if p.img_source]
    return files, dirs


def _feeds_checked(show: Show, options: BuildOptions, staging: Staging, fingerprints: Fingerprints | None = None,
                   stamps: dict[str, list[int]] | None = None) -> tuple[int, Lint, tuple[Problem, ...]]:
    """Every feed document written to the staging folder, the rules of `castnotes check` run
    on them, and the directory-policy errors a build only warns about; raise on any other
    error. Returns the size of the main feed too.

    Directory policy (POLICY_RULES: Apple's category, artwork and file-name rules ...) keeps
    a show out of a directory but breaks no app, so a build warns and still writes the feed
    the old host published; `--strict` (and `castnotes check`) make them errors.

    Each episode's item, with what the rules found in it, is kept for the next build
    (output/feed_items.py), so only new and changed items are rendered and checked
    (commands/check.py feed_documents), in pieces, so no step holds the XML tree of a
    large feed; each document is written as soon as it is whole, so only one is held.
    With `--against`, the published feed is compared with all of the show's episodes
    (a paged feed spreads them over several documents).
    """
    checker = ShowFeedLint(show, fingerprints, stamps)
    written: list[tuple[str, int]] = []
    with kept_feed_items(feed_items_path(show.settings.root, options.state_key)) as kept:
        for site_path, chunks in feed_documents(show, checker, kept):
            written.append((site_path, sum(len(chunk) for chunk in chunks)))
            staging.write(site_path, chunks)
            del chunks
    checker.size(written[0][1])
    lint = checker.finish()
    if options.against:
        published = render_feed(show) if len(written) > 1 else (staging.dir / written[0][0]).read_bytes()
        compare_against(published, options.against, lint)
    errors = [f for f in lint.errors if not _allowed_pub_change(f, show, options.allow_change)]
    policy = () if options.strict else tuple(f for f in errors if f.rule in POLICY_RULES)
    errors = [f for f in errors if f not in policy]
    if errors:
        raise CastnotesError(errors)
    return written[0][1], lint, tuple(replace(f, severity="warning") for f in policy)


def _allowed_pub_change(finding: Problem, show: Show, allow_change: Iterable[str]) -> bool:
    """A PUB-* finding (from --against) about an episode named in --allow-change is intended."""
    if not finding.rule.startswith("PUB-") or finding.guid is None:
        return False
    names = [finding.guid] + [e.slug for e in show.episodes if e.guid == finding.guid]
    return allowed(allow_change, *names)


def _copies(show: Show) -> Iterator[tuple[Path, str]]:
    """Every file published as is: theme assets, static/, show art, episode files."""
    root = show.settings.root
    for site_path, source in theme_assets(root).items():
        if not minifiable(site_path):  # CSS and JS are written minified (render/assets.py)
            yield source, site_path
    if show.image and show.image.source_path and show.image.site_path:
        yield show.image.source_path, show.image.site_path
    yield from show.copies
    for item in (*show.episodes, *show.articles):
        yield from item.copies
    static = root / "static"
    if static.is_dir():
        for path in sorted(static.rglob("*")):
            if path.is_file():
                yield path, path.relative_to(static).as_posix()
