"""The `castnotes` command: parse options, call one library function, print, exit.

This is the only module that prints. Library errors arrive as CastnotesError with
every problem's file and line; they become `path:line: error: message` lines on
stderr and exit code 1. Usage mistakes exit 2 (click's default).
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TypeVar

import click

from castnotes import __version__
from castnotes.errors import CastnotesError, Problem

if TYPE_CHECKING:
    from castnotes.commands.importer import ImportResult

T = TypeVar("T")


@dataclass
class Context:
    root: Path
    verbosity: int  # 0 quiet, 1 normal, 2 verbose

    def info(self, message: str) -> None:
        if self.verbosity >= 1:
            click.echo(message)

    def detail(self, message: str) -> None:
        if self.verbosity >= 2:
            click.echo(message)

    def warn_text(self, text: str) -> None:
        """A warning already formatted (`path:line: warning: ...`), e.g. replayed from the last build."""
        if self.verbosity >= 1:
            click.echo(text.replace("warning:", click.style("warning:", fg="yellow", bold=True), 1), err=True)

    def problem(self, problem: Problem) -> None:
        if problem.severity == "warning" and self.verbosity == 0:
            return
        text = problem.format(self.root)
        colour = "red" if problem.severity == "error" else "yellow"
        label = f"{problem.severity}:"
        click.echo(text.replace(label, click.style(label, fg=colour, bold=True), 1), err=True)

    def run(self, action: Callable[[], T], outcome: str = "nothing was written.") -> T:
        """Call `action`; turn CastnotesError into messages and exit 1."""
        try:
            return action()
        except CastnotesError as exc:
            self.report(exc, outcome)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo(f"interrupted; {outcome}", err=True)
            sys.exit(130)
        except Exception:
            if self.verbosity >= 2:
                traceback.print_exc()
            else:
                exc_type, exc, _ = sys.exc_info()
                click.echo(f"internal error: {exc_type.__name__}: {exc} "
                           "(run with --verbose for details and please report it)", err=True)
            sys.exit(3)

    def report(self, exc: CastnotesError, outcome: str = "nothing was written.") -> None:
        """Print every problem of an error, then how many there were and what that means."""
        for problem in exc.problems:
            self.problem(problem)
        errors = sum(1 for p in exc.problems if p.severity == "error")
        if self.verbosity >= 1:
            click.echo(f"{errors} error{'s' if errors != 1 else ''}; {outcome}", err=True)


pass_context = click.make_pass_decorator(Context)


class BarProgress:
    """A progress bar while episodes are loaded, on a terminal only (sources' `Progress`)."""

    def __init__(self) -> None:
        self.bar = None

    @staticmethod
    def wanted() -> bool:
        return sys.stderr.isatty()

    def start(self, total: int) -> None:
        self.bar = click.progressbar(length=total, label="Loading episodes", file=sys.stderr,
                                     show_pos=True, item_show_func=lambda name: name)
        self.bar.__enter__()

    def advance(self, name: str) -> None:
        if self.bar is not None:
            self.bar.update(1, name)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "show_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="The show folder (default: the current folder).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print more detail, and tracebacks of internal errors.")
@click.version_option(__version__, prog_name="castnotes")
@click.pass_context
def main(ctx: click.Context, show_dir: Path, quiet: bool, verbose: bool) -> None:
    """castnotes: publish a podcast feed and a takeaway blog from episode folders."""
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    ctx.obj = Context(root=show_dir.resolve(), verbosity=0 if quiet else 2 if verbose else 1)


@main.command()
@click.option("--drafts", is_flag=True, help="Include episodes marked draft: true.")
@click.option("--future", is_flag=True, help="Include episodes dated in the future.")
@click.option("--base-url", metavar="URL", help="Publish for this address instead of [show] url "
              "(a staging copy or preview; the ledger is neither checked nor written).")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Write the site here instead of [site] output.")
@click.option("--allow-change", "allow_change", metavar="SLUG", multiple=True,
              help="Allow this published episode (slug, GUID or pattern such as '*') to change or go; "
                   "the change is recorded in published.jsonl. Repeatable.")
@click.option("--against", metavar="FEED_OR_URL",
              help="Compare with the published feed first and refuse removed or changed episodes.")
@click.option("--strict", is_flag=True,
              help="Stop on directory policy too (Apple's category, artwork, file name, type and length "
                   "rules), as `castnotes check` does; without it they are warnings.")
@pass_context
def build(ctx: Context, drafts: bool, future: bool, base_url: str | None, output: Path | None,
          allow_change: tuple[str, ...], against: str | None, strict: bool) -> None:
    """Build the podcast feed and the site into site/, atomically."""
    from castnotes.output.state import options_key, state_path, up_to_date

    output = output.resolve() if output else None
    if not allow_change and not against and not strict:
        # Nothing changed since the last build? Then say so without loading the show.
        key = options_key(drafts, future, base_url, output)
        state = up_to_date(state_path(ctx.root, key), key)
        if state is not None:
            for warning in state.warnings:
                ctx.warn_text(warning)
            ctx.info(f"Nothing changed since the last build: {state.output} is up to date.")
            return
    from castnotes.cli.messages import render_summary
    from castnotes.commands.build import BuildOptions
    from castnotes.commands.build import build as run_build

    options = BuildOptions(drafts=drafts, future=future, base_url=base_url,
                           output=output, allow_change=allow_change, against=against, strict=strict)
    progress = BarProgress() if ctx.verbosity >= 1 and BarProgress.wanted() else None
    result = ctx.run(lambda: run_build(ctx.root, options, progress))
    for problem in result.warnings:
        ctx.problem(problem)
    if ctx.verbosity >= 1:
        for line in render_summary(result, ctx.root, options):
            click.echo(line)
    ctx.detail(f"Audio files read: {result.audio_read} (the rest came from the cache).")
    ctx.detail("Time: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.timings))


@main.command()
@click.argument("feed_or_url", required=False)
@click.option("--against", metavar="FEED_OR_URL",
              help="Compare with the published feed: removed episodes, changed GUIDs, URLs, lengths, dates.")
@click.option("--online", is_flag=True,
              help="Also ask the servers: HEAD and byte-range requests on every enclosure and picture.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: one JSON document on stdout, for CI.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@pass_context
def check(ctx: Context, feed_or_url: str | None, against: str | None, online: bool, output_format: str,
          strict: bool) -> None:
    """Lint the show and the feed it would build, or any feed file or URL."""
    import json
    from dataclasses import replace

    from castnotes.cli.messages import check_json, render_check
    from castnotes.commands.check import check_feed, check_show

    if feed_or_url:
        report = ctx.run(lambda: check_feed(feed_or_url, online=online, against=against),
                         "nothing was checked.")
    else:
        report = ctx.run(lambda: check_show(ctx.root, online=online, against=against),
                         "nothing was checked.")
    failed = bool(report.errors or (strict and report.warnings))
    if output_format == "json":
        click.echo(json.dumps(check_json(report, strict), indent=2, ensure_ascii=False))
    elif ctx.verbosity >= 1 or failed:  # --quiet: only what fails the check
        shown = report if ctx.verbosity >= 1 else replace(report, findings=tuple(
            f for f in report.findings if f.severity == "error" or strict))
        for line in render_check(shown, verbose=ctx.verbosity >= 2, strict=strict):
            click.echo(line)
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="My New Show", show_default=True, help="The show's title.")
@click.option("--url", default="https://example.com/", show_default=True,
              help="Where the site will be published (change it before publishing).")
@click.option("--timezone", "timezone_name", default="UTC", show_default=True,
              help="IANA time zone for episode dates, e.g. Europe/Berlin.")
@pass_context
def init(ctx: Context, directory: Path | None, title: str, url: str, timezone_name: str) -> None:
    """Start a new show: settings, artwork and a sample episode that builds at once."""
    from castnotes.commands.scaffold import init_show

    target = (ctx.root / directory) if directory else ctx.root
    written = ctx.run(lambda: init_show(target, title=title, url=url, timezone_name=timezone_name))
    for path in written:
        ctx.detail(f"  wrote {path}")
    where = directory.as_posix() if directory else "."
    command = "castnotes" if where == "." else f"castnotes -C {where}"
    ctx.info(click.style(f"Created the show {title!r} in {where}/", fg="green", bold=True))
    ctx.info("Next:\n"
             f"  1. edit {where}/castnotes.toml (url, author, owner, categories) and replace artwork.png\n"
             f"  2. {command} new \"Your first episode\" --audio recording.mp3\n"
             f"  3. delete {where}/episodes/001-welcome (the sample) before you publish for real\n"
             f"  4. {command} serve (preview), {command} check, {command} build (then upload site/)")


@main.command()
@click.argument("title")
@click.option("--audio", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The episode's audio file, copied into the new folder.")
@click.option("--move", is_flag=True, help="Move the audio file instead of copying it.")
@click.option("--date", metavar="DATE", help="Publish time, e.g. 2026-05-04 or '2026-05-04 06:00' "
              "(default: now, in the show's time zone).")
@click.option("--number", type=int, help="Episode number (default: the next free one).")
@click.option("--type", "episode_type", type=click.Choice(["full", "trailer", "bonus"]), default="full",
              show_default=True, help="Episode type.")
@click.option("--publish", is_flag=True, help="Publish with the next build (default: a draft).")
@pass_context
def new(ctx: Context, title: str, audio: Path | None, move: bool, date: str | None, number: int | None,
        episode_type: str, publish: bool) -> None:
    """Add an episode folder: next number, a fresh GUID, the date, the audio copied in."""
    from castnotes.commands.scaffold import new_episode

    created = ctx.run(lambda: new_episode(ctx.root, title, audio=audio, date=date, number=number,
                                          episode_type=episode_type, publish=publish, move=move))
    folder = created.folder.relative_to(ctx.root).as_posix()
    state = "a draft" if created.draft else "to be published with the next build"
    ctx.info(click.style(f"Created {folder}/episode.md", fg="green", bold=True)
             + f" ({state}, dated {created.date.strftime('%Y-%m-%d %H:%M %Z')}, GUID {created.guid})")
    if created.audio is None:
        ctx.info(f"Copy the episode's audio into {folder}/ before the next build.")
    ctx.info(f"Write the takeaways in {folder}/episode.md, preview with `castnotes serve`"
             + (", then set draft: false to publish." if created.draft else "."))


@main.command("list")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: every field of every episode, for scripts.")
@pass_context
def list_command(ctx: Context, output_format: str) -> None:
    """List every episode: number, date, status (published, scheduled, draft), duration, size."""
    import json
    import shutil as _shutil

    from castnotes.commands.listing import list_episodes, render_table

    rows = ctx.run(lambda: list_episodes(ctx.root), "nothing was listed.")
    if output_format == "json":
        click.echo(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))
        return
    colours = {"header": {"bold": True}, "draft": {"fg": "yellow"}, "scheduled": {"fg": "cyan"}}
    for line, status in render_table(rows, _shutil.get_terminal_size((100, 24)).columns):
        click.echo(click.style(line, **colours.get(status, {})))


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@pass_context
def serve(ctx: Context, port: int) -> None:
    """Preview the site with drafts and scheduled episodes on 127.0.0.1; rebuild on change."""
    import time

    from castnotes.commands.build import build as run_build
    from castnotes.commands.serve import (
        PREVIEW_DIR,
        make_server,
        preview_options,
        serve_in_thread,
        watch_changes,
    )
    from castnotes.config.settings import load_settings

    settings = ctx.run(lambda: load_settings(ctx.root), "nothing is served.")
    try:
        server = make_server(settings.root / PREVIEW_DIR, port,
                             log=click.echo if ctx.verbosity >= 2 else None)
    except OSError as exc:
        click.echo(f"error: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}", err=True)
        click.echo("  hint: another program uses the port; try --port 8001 (or --port 0)", err=True)
        sys.exit(1)
    options = preview_options(server.server_port, settings.root)
    url = options.base_url

    def rebuild() -> bool:
        started = time.perf_counter()
        try:
            result = run_build(ctx.root, options)
        except CastnotesError as exc:
            ctx.report(exc, "the preview still shows the last good build.")
            return False
        for problem in result.warnings:
            ctx.problem(problem)
        ctx.info(f"Built the preview: {len(result.show.episodes)} episodes in "
                 f"{time.perf_counter() - started:.2f} s")
        return True

    rebuild()
    serve_in_thread(server)
    ctx.info(click.style(f"Previewing at {url}", fg="green", bold=True)
             + f" (feed: {url}{settings.feed.path}); drafts and scheduled episodes are included and marked.")
    ctx.info("Watching for changes; press Ctrl+C to stop.")
    try:
        for changed in watch_changes(settings.root, [settings.output_dir, settings.root / ".castnotes"]):
            names = sorted(Path(p).name for p in changed)
            ctx.info(f"Changed: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}")
            rebuild()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    ctx.info("Stopped the preview.")


@main.command("import")
@click.argument("feed_or_url")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path),
              help="The show folder to import into (default: the current folder, or -C).")
@click.option("--download", is_flag=True,
              help="Also fetch every episode's audio into its folder (resumable); "
                   "the feed keeps the old URLs.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="Import at most N new episodes (the newest); run again for the rest.")
@click.option("--merge", is_flag=True,
              help="Import into a show whose castnotes.toml differs from the feed's channel (title, "
                   "podcast:guid, owner ...), keeping that file as it is.")
@pass_context
def import_(ctx: Context, feed_or_url: str, into: Path | None, download: bool, limit: int | None,
            merge: bool) -> None:
    """Move a podcast in from its feed: one episode folder per item, GUIDs and URLs kept."""
    from castnotes.commands.importer import ImportOptions, import_show

    root = into.resolve() if into else ctx.root
    progress = _DownloadBars() if download and sys.stderr.isatty() and ctx.verbosity else None
    try:
        result = ctx.run(lambda: import_show(feed_or_url, root, ImportOptions(download, limit, merge),
                                             progress=progress))
    finally:
        if progress:
            progress.close()
    for problem in result.problems:
        ctx.problem(problem)
    _print_import(ctx, result)


def _print_import(ctx: Context, result: ImportResult) -> None:
    counts: dict[str, int] = {}
    for outcome in result.outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        if outcome.status == "imported":
            ctx.detail(f"  {outcome.folder}  {outcome.label}")
    try:
        where = result.root.relative_to(ctx.root).as_posix() or "."
    except ValueError:
        where = str(result.root)
    extra = [f"{counts[k]} {label}" for k, label in (("present", "already in the show"),
                                                      ("limited", "left for a later run"),
                                                      ("skipped", "skipped (see the warnings)"))
             if counts.get(k)]
    n = len(result.created)
    ctx.info(f"Imported {n} episode{'s' if n != 1 else ''} into {where}/episodes/"
             + (f" ({', '.join(extra)})" if extra else "") + ".")
    if result.downloaded:
        ctx.info(f"Downloaded {result.downloaded} audio file{'s' if result.downloaded != 1 else ''}; "
                 "the feed keeps their old addresses.")
    if result.settings_written:
        ctx.info("Wrote castnotes.toml from the old feed"
                 + (f" and the artwork to {result.artwork}" if result.artwork else "") + ".")
    if result.ledger_records:
        ctx.info(f"Recorded {result.ledger_records} GUIDs in published.jsonl: later builds refuse to "
                 "change them.")
    if not n:
        return
    new = result.new_feed_url or "<your site's url>feed.xml"
    old = f" ({result.old_feed_url})" if result.old_feed_url else ""
    ctx.info("\nTo move without losing a subscriber:\n"
             "  1. Set url in castnotes.toml to your new site's address, run `castnotes build` and\n"
             "     publish site/ there.\n"
             f"  2. At the old host, point the old feed{old} to the new one,\n"
             f"     {new}: a permanent (301) redirect, or its \"new feed URL\" setting\n"
             "     (itunes:new-feed-url).\n"
             "  3. Keep the old feed and the audio files online for at least four weeks, until the\n"
             "     directories (Apple, Spotify, Podcast Index) show the new feed.")


class _DownloadBars:
    """One progress bar per downloaded file, on the terminal only."""

    def __init__(self) -> None:
        self.label: str | None = None
        self.bar = None
        self.done = 0

    def __call__(self, label: str, done: int, total: int | None) -> None:
        if label != self.label:
            self.close()
            self.label, self.done = label, 0
            self.bar = click.progressbar(length=total or 0, label=f"  {label}", file=sys.stderr,
                                         show_pos=False, show_percent=bool(total))
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@main.command()
@click.argument("episodes", nargs=-1, metavar="[EPISODE...]")
@click.option("--dry-run", is_flag=True, help="Show the tag changes without writing anything.")
@click.option("--id3v2.3", "id3v23", is_flag=True,
              help="Write MP3 tags as ID3v2.3 (for old players) instead of ID3v2.4.")
@pass_context
def tag(ctx: Context, episodes: tuple[str, ...], dry_run: bool, id3v23: bool) -> None:
    """Write the notes into the audio files' tags: title, show, art, summary, chapters."""
    from castnotes.commands.tag import tag_show

    result = ctx.run(lambda: tag_show(ctx.root, episodes, dry_run=dry_run, id3v23=id3v23))
    changed = 0
    for report in result.files:
        try:
            name = report.path.relative_to(ctx.root).as_posix()
        except ValueError:
            name = str(report.path)
        if report.changes:
            changed += 1
            count = f"{len(report.changes)} tag{'s' if len(report.changes) != 1 else ''}"
            ctx.info(f"{name}: {count} {'would change' if dry_run else 'written'}")
            if dry_run or ctx.verbosity >= 2:
                for change in report.changes:
                    ctx.info(f"  {change.key}:")
                    ctx.info(f"    - {change.old}" if change.old else "    - (none)")
                    ctx.info(f"    + {change.new}" if change.new else "    + (removed)")
        else:
            ctx.detail(f"{name}: unchanged")
        for note in report.notes:
            ctx.info(f"  note: {note}")
    for problem in result.problems:
        ctx.problem(problem)
    failed = sum(1 for p in result.problems if p.severity == "error")
    total = len(result.files)
    if failed:
        ctx.info(f"{failed} file{'s' if failed != 1 else ''} could not be tagged (left unchanged); "
                 f"{changed} of {total} others {'would change' if dry_run else 'were tagged'}.")
        sys.exit(1)
    if not changed:
        ctx.info(f"Nothing to change: {total} audio file{'s' if total != 1 else ''} already carry the notes.")
    elif dry_run:
        ctx.info(f"{changed} of {total} files would change; run without --dry-run to write them.")
    elif changed == total:
        ctx.info(f"Tagged {'all ' if total > 1 else ''}{total} file{'s' if total != 1 else ''}.")
    else:
        ctx.info(f"Tagged {changed} of {total} files; the other {total - changed} already carried the notes.")
