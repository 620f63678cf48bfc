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
from typing import Callable, TypeVar

import click

from . import __version__
from .errors import CastnotesError, Problem

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

    def problem(self, problem: Problem) -> None:
        if problem.severity == "warning" and self.verbosity == 0:
            return
        text = problem.format(self.root)
        colour = "red" if problem.severity == "error" else "yellow"
        label = f"{problem.severity}:"
        click.echo(text.replace(label, click.style(label, fg=colour, bold=True), 1), err=True)

    def run(self, action: Callable[[], T]) -> T:
        """Call `action`; turn CastnotesError into messages and exit 1."""
        try:
            return action()
        except CastnotesError as exc:
            for problem in exc.problems:
                self.problem(problem)
            errors = sum(1 for p in exc.problems if p.severity == "error")
            if self.verbosity >= 1:
                click.echo(f"{errors} error{'s' if errors != 1 else ''}; nothing was written.", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted; nothing was written.", err=True)
            sys.exit(130)
        except Exception:
            if self.verbosity >= 2:
                traceback.print_exc()
            else:
                exc_type, exc, _ = sys.exc_info()
                click.echo(f"internal error: {exc_type.__name__}: {exc} "
                           "(run with --verbose for details and please report it)", err=True)
            sys.exit(3)


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
@click.option("--base-url", metavar="URL", help="Publish for this address instead of [show] url.")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Write the site here instead of [site] output.")
@pass_context
def build(ctx: Context, drafts: bool, future: bool, base_url: str | None, output: Path | None) -> None:
    """Build the podcast feed and the site into site/, atomically."""
    from .build import BuildOptions, build as run_build

    options = BuildOptions(drafts=drafts, future=future, base_url=base_url,
                           output=output.resolve() if output else None)
    result = ctx.run(lambda: run_build(ctx.root, options))
    for problem in result.warnings:
        ctx.problem(problem)
    show = result.show
    scheduled = sum(1 for e in show.episodes if e.scheduled)
    drafts_in = sum(1 for e in show.episodes if e.draft)
    extra = []
    if drafts_in:
        extra.append(f"{drafts_in} draft{'s' if drafts_in != 1 else ''}")
    if scheduled:
        extra.append(f"{scheduled} scheduled")
    try:
        where = result.output_dir.relative_to(ctx.root)
    except ValueError:
        where = result.output_dir
    ctx.info(
        f"Built {len(show.episodes)} episode{'s' if len(show.episodes) != 1 else ''}"
        + (f" ({', '.join(extra)})" if extra else "")
        + f" into {where}/: feed {result.feed_bytes / 1024:.1f} KB, {result.pages} pages,"
        + f" {result.files} files in {result.seconds:.2f} s."
    )
    ctx.detail(f"Audio files read: {result.audio_read} (the rest came from the cache).")
