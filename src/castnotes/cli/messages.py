"""What the CLI says after a build or a check, as lines of text (cli.py prints them).

Pure functions: result in, lines out. Colour comes from `click.style`; `click.echo`
drops it when the output is not a terminal, so pipes and CI logs stay plain.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import click

from castnotes.commands.build import BuildOptions, BuildResult
from castnotes.errors import CastnotesError
from castnotes.commands.check import CheckReport, Finding
from castnotes.output.ledger import LEDGER_NAME
from castnotes.read.status import count_statuses

FINDINGS_PER_RULE = 5  # in text output; --verbose and --format json show every one


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def draft_advice(exc: CastnotesError, root: Path) -> str | None:
    """After a failed build: how to publish the other episodes while one is broken.

    One broken episode stops the build (a publisher should not silently drop an
    episode), so the last line names the way out: `draft: true` on the broken ones.
    """
    episodes = (root / "episodes").resolve()
    found: set[str] = set()
    for problem in exc.problems:
        path = problem.where.path
        if problem.severity != "error" or path is None:
            continue
        path = (root / path).absolute() if not path.is_absolute() else path
        if path.is_relative_to(episodes) and len(path.relative_to(episodes).parts) > 1:
            found.add(path.relative_to(episodes).parts[0])
    folders = sorted(found)
    if not folders:
        return None
    which = ", ".join(f"episodes/{f}/" for f in folders)
    return (f"To publish the other episodes now, add `draft: true` to the front matter of {which} "
            "and build again.")


def render_summary(result: BuildResult, root: Path, options: BuildOptions) -> list[str]:
    """The one-screen summary after `castnotes build`."""
    where = _relative(result.output_dir, root)
    counts = count_statuses(result.show.episodes)
    in_feed = [_plural(counts["published"], "episode") + " published"]
    if counts["scheduled"]:
        in_feed.append(f"{counts['scheduled']} scheduled")
    if counts["draft"]:
        in_feed.append(_plural(counts["draft"], "draft"))
    lines = [click.style(f"Built {where}/", fg="green", bold=True) + f" in {result.seconds:.2f} s",
             f"  in the feed  {', '.join(in_feed)}"]
    left = []
    if result.left_out.get("draft"):
        left.append(_plural(result.left_out["draft"], "draft") + " (--drafts includes them)")
    if result.left_out.get("scheduled"):
        left.append(f"{result.left_out['scheduled']} scheduled (--future includes them)")
    if left:
        lines.append(f"  left out     {', '.join(left)}")
    feed_path = f"{where}/{result.show.settings.feed.path}"
    lines.append(f"  feed         {feed_path}, {result.feed_bytes / 1024:.1f} KB")
    unchanged = f" ({result.rendered} rendered, the rest unchanged)" if result.rendered < result.pages else ""
    lines.append(f"  site         {result.pages} pages, {result.files} files{unchanged}")
    if not options.records_ledger:
        lines.append(f"  ledger       not used: a build for another address ({options.base_url})")
    elif result.recorded:
        lines.append(f"  ledger       {_plural(result.recorded, 'record')} added to {LEDGER_NAME}")
    else:
        lines.append("  ledger       nothing new to record")
    warnings = len(result.warnings) + len(result.check_warnings)
    if warnings:
        detail = []
        if result.warnings:
            detail.append(f"{len(result.warnings)} above")
        if result.check_warnings:
            rules = sorted({f.rule for f in result.check_warnings})
            detail.append(f"{len(result.check_warnings)} from the feed check ({', '.join(rules)}): "
                          "`castnotes check` lists them")
        lines.append(click.style(f"  warnings     {warnings}", fg="yellow") + f": {'; '.join(detail)}")
    else:
        lines.append("  warnings     none")
    return lines


def render_finding(finding: Finding) -> str:
    label = f"{finding.severity}:"
    colour = "red" if finding.severity == "error" else "yellow"
    text = f"{finding.place.describe()}: {click.style(label, fg=colour, bold=True)} [{finding.rule}] " \
           f"{finding.message}"
    if finding.hint:
        text += f"\n  hint: {finding.hint}"
    return text


def render_check(report: CheckReport, *, verbose: bool = False, strict: bool = False) -> list[str]:
    """Findings grouped by rule (at most a few each unless verbose), then the verdict."""
    lines: list[str] = []
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_rule[finding.rule].append(finding)
    ordered = sorted(by_rule.items(), key=lambda kv: (kv[1][0].severity != "error", kv[0]))
    for rule, findings in ordered:
        shown = findings if verbose else findings[:FINDINGS_PER_RULE]
        lines.extend(render_finding(f) for f in shown)
        if len(findings) > len(shown):
            lines.append(f"  ... and {len(findings) - len(shown)} more [{rule}] "
                         "(--verbose or --format json lists all)")
    errors, warnings = len(report.errors), len(report.warnings)
    if not errors and not warnings:
        lines.append(click.style("No problems found", fg="green", bold=True) + f" in {report.subject}.")
    else:
        failed = errors or (strict and warnings)
        verdict = click.style(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}",
                              fg="red" if failed else "yellow", bold=True)
        lines.append(f"{verdict} in {report.subject}."
                     + (" Warnings count as errors with --strict." if strict and warnings and not errors else ""))
    return lines


def check_json(report: CheckReport, strict: bool) -> dict:
    failed = bool(report.errors or (strict and report.warnings))
    return {"subject": report.subject, "ok": not failed, "errors": len(report.errors),
            "warnings": len(report.warnings), "findings": [f.to_json() for f in report.findings]}
