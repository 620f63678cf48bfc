"""Everything the CLI says, as lines of text (cli/main.py prints them).

Pure functions: result in, lines out. Colour comes from `click.style`; `click.echo`
drops it when the output is not a terminal, so pipes and CI logs stay plain.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from castnotes.errors import CastnotesError, Problem, SourceLocation
from castnotes.timecode import format_clock

if TYPE_CHECKING:  # the commands load the heavy modules; `build` with nothing to do needs none of them
    from castnotes.commands.build import BuildOptions, BuildResult
    from castnotes.commands.check import CheckReport
    from castnotes.commands.importer import ImportResult
    from castnotes.commands.listing import EpisodeRow
    from castnotes.commands.publish import PublishResult
    from castnotes.commands.scaffold import NewEpisode
    from castnotes.commands.tag import TagResult

FINDINGS_PER_RULE = 5  # in text output; --verbose and --format json show every one


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def severity_label(severity: str) -> str:
    """`error:` in red or `warning:` in yellow, as every problem line names its severity."""
    return click.style(f"{severity}:", fg="red" if severity == "error" else "yellow", bold=True)


def draft_advice(exc: CastnotesError, root: Path) -> str | None:
    """After a failed build: how to publish the other episodes while one is broken.

    One broken episode stops the build (a publisher should not silently drop an
    episode), so the last line names the way out: `draft: true` on the broken ones.
    An episode whose only fault is a link to a draft is not broken: making it a draft
    too would only spread the error, so its own hint (publish the draft) stands alone.
    """
    from castnotes.read.status import DRAFT_LINK  # read/ (and the model) only once a build ran

    episodes = (root / "episodes").resolve()
    found: set[str] = set()
    for problem in exc.problems:
        path = problem.where.path
        if problem.severity != "error" or path is None or problem.message.startswith(DRAFT_LINK):
            continue
        path = (root / path).absolute()  # a relative path is the show's; root / an absolute one is itself
        if path.is_relative_to(episodes) and len(path.relative_to(episodes).parts) > 1:
            found.add(path.relative_to(episodes).parts[0])
    if not found:
        return None
    which = ", ".join(f"episodes/{f}/" for f in sorted(found))
    return (f"To publish the other episodes now, add `draft: true` to the front matter of {which} "
            "and build again.")


def waiting_for_build() -> str:
    return "Another build of this show is running; waiting for it to finish..."


def ledger_rebuilt(items: int, added: int, name: str) -> str:
    kept = items - added
    return (f"Recorded {added} of {_plural(items, 'published episode')} in {name}"
            + (f" ({kept} were recorded already)." if kept else "."))


def up_to_date(output: str) -> str:
    return f"Nothing changed since the last build: {output} is up to date."


def render_summary(result: BuildResult, root: Path, options: BuildOptions) -> list[str]:
    """The one-screen summary after `castnotes build`."""
    from castnotes.read.ledger import LEDGER_NAME  # not at the top: `build` with nothing to do
    from castnotes.read.status import count_statuses  # imports neither these nor the model

    where = SourceLocation(result.output_dir).describe(root)
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


def render_finding(finding: Problem) -> str:
    text = f"{finding.where.describe()}: {severity_label(finding.severity)} [{finding.rule}] {finding.message}"
    if finding.hint:
        text += f"\n  hint: {finding.hint}"
    return text


def build_details(result: BuildResult) -> list[str]:
    """What --verbose adds after the summary."""
    return [f"Audio files read: {result.audio_read} (the rest came from the cache).",
            "Time: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.timings)]


def render_check(report: CheckReport, *, verbose: bool = False, strict: bool = False,
                 quiet: bool = False) -> list[str]:
    """Findings grouped by rule (at most a few each unless verbose), then the verdict.

    Quiet shows only what fails the check.
    """
    if quiet:
        report = replace(report, findings=tuple(f for f in report.findings if f.severity == "error" or strict))
    lines: list[str] = []
    by_rule: dict[str, list[Problem]] = defaultdict(list)
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
        verdict = click.style(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}",
                              fg="red" if report.failed(strict) else "yellow", bold=True)
        lines.append(f"{verdict} in {report.subject}."
                     + (" Warnings count as errors with --strict." if strict and warnings and not errors else ""))
    return lines


def check_json(report: CheckReport, strict: bool) -> str:
    """`castnotes check --format json`: one document for CI."""
    return _json({"subject": report.subject, "ok": not report.failed(strict), "errors": len(report.errors),
                  "warnings": len(report.warnings), "findings": [finding_json(f) for f in report.findings]})


def finding_json(finding: Problem) -> dict:
    """One broken rule in `castnotes check --format json`."""
    where = finding.where
    return {"rule": finding.rule, "severity": finding.severity, "place": where.describe(),
            "file": where.path.as_posix() if where.path else None, "line": where.line, "guid": finding.guid,
            "message": finding.message, "hint": finding.hint}


def _json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def episodes_json(rows: list[EpisodeRow]) -> str:
    """`castnotes list --format json`."""
    return _json([r.to_json() for r in rows])


# `castnotes list`: aligned columns, titles shortened to fit the terminal.
COLOURS = {"header": {"bold": True}, "draft": {"fg": "yellow"}, "scheduled": {"fg": "cyan"}}


def episode_table(rows: list[EpisodeRow], width: int = 100) -> list[str]:
    """Aligned lines, titles shortened to fit `width`; drafts and scheduled episodes coloured
    (plain when not a terminal)."""
    cells = [[_number(r), r.date.strftime("%Y-%m-%d %H:%M"), r.status, r.title, format_clock(r.duration),
              _list_size(r.size), r.format] for r in rows]
    header = ["#", "date", "status", "title", "duration", "size", "format"]
    widths = [max(len(row[i]) for row in cells + [header]) for i in range(len(header))]
    fixed = sum(w for i, w in enumerate(widths) if i != 3) + 2 * (len(widths) - 1)
    widths[3] = max(12, min(widths[3], width - fixed))
    table = [(header, "header")] + [(line, row.status) for row, line in zip(rows, cells)]
    return [click.style("  ".join(_fit(c, widths[i], i) for i, c in enumerate(line)).rstrip(),
                        **COLOURS.get(status, {})) for line, status in table]


def _fit(text: str, width: int, column: int) -> str:
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.rjust(width) if column in (0, 4, 5) else text.ljust(width)


def _number(row: EpisodeRow) -> str:
    if row.number is None:
        return row.type[:1].upper() if row.type != "full" else "-"
    return f"S{row.season}E{row.number}" if row.season else str(row.number)


def _list_size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} KB"


def init_done(title: str, directory: Path | None) -> list[str]:
    """After `castnotes init`: what was made, and the next steps."""
    where = directory.as_posix() if directory else "."
    command = "castnotes" if where == "." else f"castnotes -C {where}"
    return [click.style(f"Created the show {title!r} in {where}/", fg="green", bold=True),
            "Next:\n"
            f"  1. edit {where}/castnotes.toml (url, author, owner, categories) and replace artwork.png\n"
            f"  2. {command} new \"Your first episode\" --audio recording.mp3\n"
            f"  3. delete {where}/episodes/001-welcome (the sample) before you publish for real\n"
            f"  4. {command} serve (preview), {command} check, {command} build (then upload site/)"]


def new_done(created: NewEpisode, root: Path) -> list[str]:
    """After `castnotes new`: the folder, its state, and what to do next."""
    folder = created.folder.relative_to(root).as_posix()
    state = "a draft" if created.draft else "to be published with the next build"
    lines = [click.style(f"Created {folder}/episode.md", fg="green", bold=True)
             + f" ({state}, dated {created.date.strftime('%Y-%m-%d %H:%M %Z')}, GUID {created.guid})"]
    if created.audio is None:
        lines.append(f"Copy the episode's audio into {folder}/ before the next build.")
    lines.append(f"Write the takeaways in {folder}/episode.md, preview with `castnotes serve`"
                 + (", then set draft: false to publish." if created.draft else "."))
    return lines


def preview_built(episodes: int, seconds: float) -> str:
    return f"Built the preview: {episodes} episodes in {seconds:.2f} s"


def preview_serving(url: str, feed_path: str) -> list[str]:
    return [click.style(f"Previewing at {url}", fg="green", bold=True)
            + f" (feed: {url}{feed_path}); drafts and scheduled episodes are included and marked.",
            "Watching for changes; press Ctrl+C to stop."]


def preview_changed(paths: set[str]) -> str:
    names = sorted(Path(p).name for p in paths)
    return f"Changed: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}"


def import_details(result: ImportResult) -> list[str]:
    """What --verbose lists: each episode folder imported."""
    return [f"  {o.folder}  {o.label}" for o in result.outcomes if o.status == "imported"]


def import_summary(result: ImportResult, root: Path) -> list[str]:
    """After `castnotes import`: what came in, and how to move the subscribers without losing one."""
    counts = Counter(outcome.status for outcome in result.outcomes)
    where = SourceLocation(result.root).describe(root)
    extra = [f"{counts[k]} {label}" for k, label in (("present", "already in the show"),
                                                      ("limited", "left for a later run"),
                                                      ("skipped", "skipped (see the warnings)"))
             if counts.get(k)]
    n = len(result.created)
    lines = [f"Imported {_plural(n, 'episode')} into {where}/episodes/"
             + (f" ({', '.join(extra)})" if extra else "") + "."]
    if result.downloaded:
        lines.append(f"Downloaded {_plural(result.downloaded, 'audio file')}; "
                     "the feed keeps their old addresses.")
    if result.settings_written:
        lines.append("Wrote castnotes.toml from the old feed"
                     + (f" and the artwork to {result.artwork}" if result.artwork else "") + ".")
    if result.ledger_records:
        lines.append(f"Recorded {result.ledger_records} GUIDs in published.jsonl: later builds refuse to "
                     "change them.")
    if not n:
        return lines
    new = result.new_feed_url or "<your site's url>feed.xml"
    old = f" ({result.old_feed_url})" if result.old_feed_url else ""
    lines.append("\nTo move without losing a subscriber:\n"
                 "  1. Set url in castnotes.toml to your new site's address, run `castnotes build` and\n"
                 "     publish site/ there.\n"
                 f"  2. At the old host, point the old feed{old} to the new one,\n"
                 f"     {new}: a permanent (301) redirect, or its \"new feed URL\" setting\n"
                 "     (itunes:new-feed-url).\n"
                 "  3. Keep the old feed and the audio files online for at least four weeks, until the\n"
                 "     directories (Apple, Spotify, Podcast Index) show the new feed.")
    return lines


def tag_files(result: TagResult, root: Path, *, dry_run: bool, verbose: bool) -> list[str]:
    """Per audio file: how many tags change, and (dry run or verbose) each old and new value."""
    lines = []
    for report in result.files:
        name = SourceLocation(report.path).describe(root)
        if report.changes:
            count = _plural(len(report.changes), "tag")
            lines.append(f"{name}: {count} {'would change' if dry_run else 'written'}")
            if dry_run or verbose:
                for change in report.changes:
                    lines += [f"  {change.key}:", f"    - {change.old}" if change.old else "    - (none)",
                              f"    + {change.new}" if change.new else "    + (removed)"]
        elif verbose:
            lines.append(f"{name}: unchanged")
        lines.extend(f"  note: {note}" for note in report.notes)
    return lines


def tag_verdict(result: TagResult, *, dry_run: bool) -> str:
    """The last line of `castnotes tag`."""
    changed = sum(1 for report in result.files if report.changes)
    failed = sum(1 for p in result.problems if p.severity == "error")
    total = len(result.files)
    if failed:
        return (f"{_plural(failed, 'file')} could not be tagged (left unchanged); "
                f"{changed} of {total} others {'would change' if dry_run else 'were tagged'}.")
    if not changed:
        return f"Nothing to change: {_plural(total, 'audio file')} already carry the notes."
    if dry_run:
        return f"{changed} of {total} files would change; run without --dry-run to write them."
    if changed == total:
        return f"Tagged {'all ' if total > 1 else ''}{_plural(total, 'file')}."
    return f"Tagged {changed} of {total} files; the other {total - changed} already carried the notes."


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    return f"{count / 1_048_576:.1f} MB" if count >= 1_048_576 else f"{count / 1024:.1f} KB"


def publish_summary(result: PublishResult) -> list[str]:
    """After `castnotes publish`: the counts; with --dry-run, every file first."""
    plan = result.plan
    lines = []
    if result.built is not None:
        lines.append(f"Built {result.built.output_dir.name}/ in {result.built.seconds:.2f} s.")
    if result.dry_run:
        if result.stale:
            lines.append("note: site/ is older than the show's files; this is what publishing it as it is "
                         "would send (publish without --dry-run builds first).")
        lines += [f"  upload  {f.path}  {_size(f.size)}  {f.content_type}" for f in plan.uploads]
        lines += [f"  have    {path} (already at the target, the same bytes)" for path in result.adopted]
        lines += [f"  delete  {path}" for path in plan.deletes]
        for path in plan.kept:
            why = "published audio in the ledger" if path in result.protected else "pass --delete to delete"
            lines.append(f"  keep    {path} ({why})")
        lines.append(f"Dry run for {result.target}: {len(plan.uploads)} to upload ({_size(plan.upload_bytes)}), "
                     f"{_unchanged(result)}, {len(plan.deletes)} to delete; nothing was written.")
        return lines
    why = "published audio in the ledger" if result.protected else "--delete removes them"
    kept = f", {len(plan.kept)} kept ({why})" if plan.kept else ""
    lines.append(click.style(f"Published to {result.target}:", fg="green", bold=True)
                 + f" {len(plan.uploads)} uploaded ({_size(result.uploaded_bytes)}), {_unchanged(result)}, "
                 f"{len(result.deleted)} deleted{kept} in {result.seconds:.2f} s.")
    return lines


def _unchanged(result: PublishResult) -> str:
    """"N unchanged", and how many of them a first publish found at the target already."""
    found = f" ({len(result.adopted)} already at the target)" if result.adopted else ""
    return f"{result.plan.unchanged} unchanged{found}"


def publish_details(result: PublishResult) -> list[str]:
    """`-v`: who was told about the feed, and how many requests the target took."""
    return [f"Told {told} about the new feed." for told in result.notified] + \
        [f"Requests to the target: {result.requests}."]
