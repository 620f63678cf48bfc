"""The `castnotes` command: parse options, call one function of `commands/`, print, exit.

Each command here is thin; the wording lives in `messages.py`. The error boundary is
`Context.run`: library errors arrive as CastnotesError with every problem's file and
line and become `path:line: error: message` lines on stderr and exit code 1; usage
mistakes exit 2 (click's default); anything else is a bug and exits 3.
Commands import their modules when run, so `build` with nothing to do starts fast.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, TypeVar

import click

from castnotes import __version__
from castnotes.cli import messages
from castnotes.cli.progress import BarProgress, DownloadBars, UploadBar
from castnotes.errors import CastnotesError, Problem

if TYPE_CHECKING:
    from castnotes.commands.build import BuildResult

T = TypeVar("T")


@dataclass
class Context:
    root: Path
    verbosity: int  # 0 quiet, 1 normal, 2 verbose

    def info(self, *lines: str, level: int = 1) -> None:
        if self.verbosity >= level:
            for line in lines:
                click.echo(line)

    def detail(self, *lines: str) -> None:
        self.info(*lines, level=2)

    @property
    def bars(self) -> bool:
        """Progress bars are drawn on stderr when it is a terminal, unless --quiet."""
        return self.verbosity >= 1 and sys.stderr.isatty()

    def echo_problem(self, text: str, severity: str = "warning") -> None:
        """A problem already formatted (`path:line: warning: ...`, e.g. replayed from the last
        build), its label coloured; warnings only when not quiet."""
        if severity == "error" or self.verbosity >= 1:
            click.echo(text.replace(f"{severity}:", messages.severity_label(severity), 1), err=True)

    def problems(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.echo_problem(problem.format(self.root), problem.severity)

    def run(self, action: Callable[[], T], outcome: str | None = "nothing was written.",
            advice: Callable[[CastnotesError], str | None] | None = None) -> T:
        """Call `action`; turn CastnotesError into messages (and `advice`, if any) and exit 1
        (no count when no outcome)."""
        try:
            return action()
        except CastnotesError as exc:
            self.report(exc, outcome)
            extra = advice(exc) if advice else None
            if extra and self.verbosity >= 1:
                click.echo(extra, err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo(f"interrupted; {outcome}", err=True)
            sys.exit(130)
        except Exception as exc:
            if self.verbosity >= 2:
                import traceback  # only for a bug: `build` with nothing to do starts without it

                traceback.print_exc()
            else:
                click.echo(f"internal error: {type(exc).__name__}: {exc} "
                           "(run with --verbose for details and please report it)", err=True)
            sys.exit(3)

    def report(self, exc: CastnotesError, outcome: str | None = "nothing was written.") -> None:
        """Print every problem of an error, then how many there were and what that means."""
        self.problems(exc.problems)
        errors = sum(1 for p in exc.problems if p.severity == "error")
        if self.verbosity >= 1 and outcome is not None:
            click.echo(f"{errors} error{'s' if errors != 1 else ''}; {outcome}", err=True)


pass_context = click.make_pass_decorator(Context)


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
    key = options_key(drafts, future, base_url, output)
    state = None if allow_change or against or strict else up_to_date(state_path(ctx.root, key), key)
    if state is not None:  # nothing changed since the last build: say so without loading the show
        for warning in state.warnings:
            ctx.echo_problem(warning)
        return ctx.info(messages.up_to_date(state.output))
    from castnotes.commands.build import BuildOptions
    from castnotes.commands.build import build as run_build

    options = BuildOptions(drafts=drafts, future=future, base_url=base_url, output=output,
                           allow_change=allow_change, against=against, strict=strict)
    progress = BarProgress() if ctx.bars else None
    result = ctx.run(lambda: run_build(ctx.root, options, progress,
                                       waiting=lambda: ctx.info(messages.waiting_for_build())),
                     advice=lambda exc: messages.draft_advice(exc, ctx.root))
    ctx.problems(result.warnings)
    ctx.info(*messages.render_summary(result, ctx.root, options))
    ctx.detail(*messages.build_details(result))


@main.group()
def ledger() -> None:
    """The GUID ledger, published.jsonl."""


@ledger.command("rebuild")
@click.argument("feed")
@pass_context
def ledger_rebuild(ctx: Context, feed: str) -> None:
    """Restore published.jsonl from the published feed (a file or an http(s) URL)."""
    from castnotes.commands.ledger import rebuild_ledger

    result = ctx.run(lambda: rebuild_ledger(ctx.root, feed))
    ctx.info(messages.ledger_rebuilt(result.items, result.added, result.path.name))


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
    from castnotes.commands.check import check_feed, check_show

    report = ctx.run(lambda: check_feed(feed_or_url, online=online, against=against) if feed_or_url
                     else check_show(ctx.root, online=online, against=against), "nothing was checked.")
    failed = report.failed(strict)
    if output_format == "json":
        click.echo(messages.check_json(report, strict))
    elif ctx.verbosity >= 1 or failed:  # --quiet: only what fails the check
        click.echo("\n".join(messages.render_check(report, verbose=ctx.verbosity >= 2, strict=strict,
                                                   quiet=ctx.verbosity == 0)))
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
    ctx.detail(*(f"  wrote {path}" for path in written))
    ctx.info(*messages.init_done(title, directory))


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
    ctx.info(*messages.new_done(created, ctx.root))


@main.command("list")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: every field of every episode, for scripts.")
@pass_context
def list_command(ctx: Context, output_format: str) -> None:
    """List every episode: number, date, status (published, scheduled, draft), duration, size."""
    import shutil

    from castnotes.commands.listing import list_episodes

    rows = ctx.run(lambda: list_episodes(ctx.root), "nothing was listed.")
    lines = [messages.episodes_json(rows)] if output_format == "json" else messages.episode_table(
        rows, shutil.get_terminal_size((100, 24)).columns)
    for line in lines:
        click.echo(line)


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@pass_context
def serve(ctx: Context, port: int) -> None:
    """Preview the site with drafts and scheduled episodes on 127.0.0.1; rebuild on change."""
    from castnotes.commands.serve import PREVIEW_DIR, make_server, run_preview
    from castnotes.config.settings import load_settings

    settings = ctx.run(lambda: load_settings(ctx.root), "nothing is served.")
    log = click.echo if ctx.verbosity >= 2 else None
    server = ctx.run(lambda: make_server(settings.root / PREVIEW_DIR, port, log), outcome=None)
    run_preview(settings, server, _PreviewReport(ctx, settings.feed.path))
    ctx.info("Stopped the preview.")


@dataclass
class _PreviewReport:
    """What `castnotes serve` says while it runs (a `commands.serve.PreviewEvents`)."""

    ctx: Context
    feed_path: str

    def built(self, result: BuildResult, seconds: float) -> None:
        self.ctx.problems(result.warnings)
        self.ctx.info(messages.preview_built(len(result.show.episodes), seconds))

    def failed(self, error: CastnotesError) -> None:
        self.ctx.report(error, "the preview still shows the last good build.")

    def serving(self, url: str) -> None:
        self.ctx.info(*messages.preview_serving(url, self.feed_path))

    def changed(self, paths: set[str]) -> None:
        self.ctx.info(messages.preview_changed(paths))


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
    progress = DownloadBars() if download and ctx.bars else None
    try:
        result = ctx.run(lambda: import_show(feed_or_url, root, ImportOptions(download, limit, merge),
                                             progress=progress))
    finally:
        if progress:
            progress.finish()
    ctx.problems(result.problems)
    ctx.detail(*messages.import_details(result))
    ctx.info(*messages.import_summary(result, ctx.root))


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
    ctx.info(*messages.tag_files(result, ctx.root, dry_run=dry_run, verbose=ctx.verbosity >= 2))
    ctx.problems(result.problems)
    ctx.info(messages.tag_verdict(result, dry_run=dry_run))
    if any(p.severity == "error" for p in result.problems):
        sys.exit(1)


@main.command()
@click.option("--dry-run", is_flag=True, help="List what would be uploaded and deleted, with sizes; write nothing.")
@click.option("--no-build", is_flag=True, help="Publish site/ as it is, without building first.")
@click.option("--delete", is_flag=True, help="Delete remote files the site no longer has (after the feeds; "
              "never the audio of a published episode).")
@click.option("--target", metavar="URL", help="Publish here instead of [publish] target.")
@pass_context
def publish(ctx: Context, dry_run: bool, no_build: bool, delete: bool, target: str | None) -> None:
    """Build, then upload the site: media first, the feeds last, only what changed."""
    from castnotes.commands.publish import PublishOptions
    from castnotes.commands.publish import publish as run_publish

    options = PublishOptions(dry_run=dry_run, build=not no_build, delete=delete, target=target)
    result = ctx.run(lambda: run_publish(ctx.root, options, UploadBar() if ctx.bars else None,
                                         BarProgress() if ctx.bars else None),
                     "publishing stopped; the feed at the target is the last complete one.")
    if result.built is not None:
        ctx.problems(result.built.warnings)
    ctx.problems(result.warnings)
    ctx.detail(*messages.publish_details(result))
    ctx.info(*messages.publish_summary(result))


def run() -> None:
    """The console script (and `python -m castnotes`): the CLI, then a quick exit."""
    try:
        main()  # click ends with SystemExit, whatever happened
        code: object = 0
    except SystemExit as finished:
        code = finished.code
    exit_now(code)


def exit_now(code: object) -> None:
    """Exit without tearing the interpreter down object by object: after a build of 1,000
    episodes that takes 0.1 s, and more on larger shows. The exit handlers still run
    (multiprocessing's, logging's) and output is flushed; only when another thread is alive
    is the usual exit taken, which waits for it."""
    if threading.active_count() > 1:
        sys.exit(code)
    if isinstance(code, str):  # SystemExit("message"): printed, exit 1, as Python does
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`castnotes list | head`), a closed stream
            pass
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)
