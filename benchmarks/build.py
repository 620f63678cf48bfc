"""Benchmark `castnotes build` against the least work any such tool must do.

Usage:
    python benchmarks/build.py [--episodes 1000 [--episodes 10000 ...]]
                               [--workdir DIR] [--keep] [--reuse] [--long] [--runs 5] [--write]

For each size N it generates an N-episode show (not timed), then times, each in a
fresh subprocess and each 5 times (the median is reported):

    minimal   benchmarks/minimal.py: mutagen + yaml.safe_load + one feedgen feed
    floors    benchmarks/floor.py: the minimal script plus the least of castnotes' site (a page and
              a share card per episode, a Pagefind index); the import of castnotes' stack alone;
              and `python -c pass`
    cold      `castnotes build` with no .castnotes/ cache and no site/
    warm      `castnotes build` again, nothing changed
    one new   one more episode folder added, then `castnotes build`
    next new  the same for the episode after it (the first added and built untimed)
    edited    one episode's notes (the body of its episode.md) edited, then `castnotes build`

Before each run of the last two the show is put back as it was and rebuilt (not timed),
so every run starts from the same built show. Peak memory is the child's maximum
resident set size, from GNU time (`%M`) when /usr/bin/time is GNU time, else from a
tiny Python wrapper reading getrusage(RUSAGE_CHILDREN); CPU time is user + system time
of the child. Results print as a Markdown table; `--write` also saves them to
benchmarks/results-<N>.md.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

import showgen

HERE = Path(__file__).resolve().parent
MINIMAL = HERE / "minimal.py"
FLOOR = HERE / "floor.py"
GNU_TIME = Path("/usr/bin/time")
# Runs a command and writes the peak RSS of its children (KiB on Linux) to argv[1].
RUSAGE_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[2:]).returncode\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "cpu = usage.ru_utime + usage.ru_stime\n"
    "open(sys.argv[1], 'w').write(f'{peak if sys.platform != \"darwin\" else peak // 1024} {cpu}')\n"
    "sys.exit(code)\n"
)

# The targets of issue 16: ratios to the minimal script's wall time in the same run.
COLD_RATIO_TARGET = 1.5
WARM_RATIO_TARGET = 0.1
ONE_NEW_RATIO_TARGET = 0.2
EDITED_RATIO_TARGET = 0.2
MEMORY_TARGET_MB = 250.0


# --- measuring one command ------------------------------------------------------------------

@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_mb: float
    cpu: float = 0.0  # user + system seconds of the measured process


@functools.cache
def _has_gnu_time() -> bool:
    if not GNU_TIME.is_file():
        return False
    probe = subprocess.run([str(GNU_TIME), "--version"], capture_output=True, text=True)
    return "GNU" in probe.stdout + probe.stderr


def cache_bytecode(workdir: Path) -> None:
    """Let measured commands use cached bytecode, as on a host's machine; warm it up.

    PYTHONDONTWRITEBYTECODE (set in some sandboxes) would make every run recompile
    castnotes. Child processes inherit this environment; the bytecode goes to the
    work folder rather than into the source tree.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    subprocess.run([sys.executable, "-c", WARM_IMPORTS], check=True)


WARM_IMPORTS = ("import castnotes.cli.main, castnotes.commands.build, feedgen.feed, jinja2, markdown_it, "
                "mutagen, PIL.Image, yaml")


def measure(cmd: list[str]) -> Sample:
    """Run `cmd` once in a fresh process; its wall time and peak RSS. Fails loudly."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        if _has_gnu_time():
            wrapped = [str(GNU_TIME), "-f", "%M %U %S", "-o", report.name, *cmd]
        else:
            wrapped = [sys.executable, "-c", RUSAGE_WRAPPER, report.name, *cmd]
        started = time.perf_counter()
        result = subprocess.run(wrapped, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"FAILED (exit {result.returncode}): {' '.join(cmd)}\n"
                             f"--- stdout ---\n{result.stdout[-4000:]}\n"
                             f"--- stderr ---\n{result.stderr[-4000:]}")
        fields = report.read().strip().splitlines()[-1].split()
    return Sample(seconds, int(fields[0]) / 1024, sum(float(f) for f in fields[1:]))


def median(samples: list[Sample]) -> Sample:
    return Sample(statistics.median(s.seconds for s in samples),
                  statistics.median(s.peak_mb for s in samples),
                  statistics.median(s.cpu for s in samples))


def count_items(feed: Path, expected: int) -> None:
    """Fail loudly unless `feed` holds exactly `expected` <item>s."""
    if not feed.is_file():
        raise SystemExit(f"FAILED: {feed} was not written")
    found = len(re.findall(rb"<item[ >]", feed.read_bytes()))
    if found != expected:
        raise SystemExit(f"FAILED: {feed} has {found} <item>s, expected {expected}")


# --- the four measurements -------------------------------------------------------------------

def castnotes_cmd(root: Path) -> list[str]:
    return [sys.executable, "-m", "castnotes", "-C", str(root), "--quiet", "build"]


def castnotes_build(root: Path, expected: int) -> Sample:
    sample = measure(castnotes_cmd(root))
    count_items(root / "site" / "feed.xml", expected)
    return sample


def repeat(runs: int, reset: Callable[[], None], run: Callable[[], Sample]) -> Sample:
    """`reset` (untimed) then `run`, `runs` times; the median sample."""
    samples = []
    for _ in range(runs):
        reset()
        samples.append(run())
    print("  " + ", ".join(f"{s.seconds:.2f} s ({s.cpu:.2f} CPU s) / {s.peak_mb:.0f} MB" for s in samples),
          file=sys.stderr, flush=True)
    return median(samples)


def nothing() -> None:
    pass


def bench_minimal(root: Path, count: int, runs: int) -> Sample:
    output = root.parent / f"minimal-{root.name}.xml"

    def run() -> Sample:
        output.unlink(missing_ok=True)
        sample = measure([sys.executable, str(MINIMAL), str(root), str(output)])
        count_items(output, count)
        return sample

    return repeat(runs, nothing, run)


def bench_floor(root: Path, count: int, runs: int) -> Sample:
    output = root.parent / f"floor-{root.name}"

    def run() -> Sample:
        shutil.rmtree(output, ignore_errors=True)
        sample = measure([sys.executable, str(FLOOR), str(root), str(output)])
        count_items(output / "site" / "feed.xml", count)
        return sample

    try:
        return repeat(runs, nothing, run)
    finally:
        shutil.rmtree(output, ignore_errors=True)


def bench_imports(runs: int) -> Sample:
    return repeat(runs, nothing, lambda: measure([sys.executable, str(FLOOR), "--imports-only"]))


def bench_python(runs: int) -> Sample:
    return repeat(runs, nothing, lambda: measure([sys.executable, "-c", "pass"]))


def bench_cold(root: Path, count: int, runs: int) -> Sample:
    def reset() -> None:
        for name in (".castnotes", "site"):
            shutil.rmtree(root / name, ignore_errors=True)

    return repeat(runs, reset, lambda: castnotes_build(root, count))


def bench_warm(root: Path, count: int, runs: int) -> Sample:
    return repeat(runs, nothing, lambda: castnotes_build(root, count))


def bench_one_new(root: Path, count: int, runs: int, sources: showgen.Sources, before: int = 0) -> Sample:
    """Add episode N+1 (after `before` more added and built untimed) and build; between runs
    take them out again and rebuild (untimed).

    `before=1` times the episode after next: on a show of exactly 1,000 episodes the next
    one is the build where the search index's ten shards of 100 pages become one of 1,000
    (once per 1,000 episodes); the one after it is the usual week's build.
    The GUID ledger (published.jsonl), if castnotes writes one, is restored too:
    otherwise the removed episodes would count as published episodes that vanished.
    """
    ledger = root / "published.jsonl"
    saved = ledger.read_bytes() if ledger.exists() else None
    start = showgen.first_date(count)
    new_folders = [root / "episodes" / showgen.folder_name(count + 1 + i) for i in range(before + 1)]

    def restore() -> None:
        if not any(folder.exists() for folder in new_folders):
            return
        for folder in new_folders:
            shutil.rmtree(folder, ignore_errors=True)
        if saved is None:
            ledger.unlink(missing_ok=True)
        else:
            ledger.write_bytes(saved)
        castnotes_build(root, count)

    def reset() -> None:
        restore()
        for i in range(before):
            showgen.add_episode(root, count + 1 + i, start, sources)
            castnotes_build(root, count + 1 + i)
        showgen.add_episode(root, count + 1 + before, start, sources)

    try:
        return repeat(runs, reset, lambda: castnotes_build(root, count + 1 + before))
    finally:
        restore()


EDIT = "\n\nOne more thought, added after the episode went out: keep it simple.\n"


def bench_edited(root: Path, count: int, runs: int) -> Sample:
    """Edit the notes (the Markdown body, not the front matter) of one episode in the middle
    of the show and build; before each run its episode.md is put back and the show rebuilt
    (untimed). The edit changes neither GUID nor date: the ledger is not involved."""
    notes = root / "episodes" / showgen.folder_name(max(1, count // 2)) / "episode.md"
    original = notes.read_bytes()

    def restore() -> None:
        if notes.read_bytes() != original:
            notes.write_bytes(original)
            castnotes_build(root, count)

    def reset() -> None:
        restore()
        notes.write_bytes(original + EDIT.encode())

    try:
        return repeat(runs, reset, lambda: castnotes_build(root, count))
    finally:
        restore()


# --- report -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    name: str
    sample: Sample
    time_target: float | None  # max ratio to minimal, None = no time target
    memory_target: bool


def verdict(row: Row, ratio: float) -> str:
    misses = []
    if row.time_target is not None and ratio > row.time_target:
        misses.append("time")
    if row.memory_target and row.sample.peak_mb >= MEMORY_TARGET_MB:
        misses.append("memory")
    if row.time_target is None and not row.memory_target:
        return "—"
    return "PASS" if not misses else "MISS (" + ", ".join(misses) + ")"


def target_text(row: Row) -> str:
    parts = []
    if row.time_target is not None:
        parts.append(f"≤ {row.time_target:g}x")
    if row.memory_target:
        parts.append(f"< {MEMORY_TARGET_MB:g} MB")
    return ", ".join(parts) or "—"


def castnotes_version() -> str:
    result = subprocess.run([sys.executable, "-m", "castnotes", "--version"],
                            capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def report(count: int, rows: list[Row], long: bool, runs: int) -> str:
    """The results as Markdown: environment, then one table row per measurement."""
    baseline = rows[0].sample.seconds
    audio = "1-hour" if long else "short (~10 s)"
    lines = [
        f"## castnotes build benchmark: {count} episodes, {audio} audio",
        "",
        f"- date: {datetime.now():%Y-%m-%d %H:%M}",
        f"- Python {platform.python_version()} on {platform.system()} {platform.machine()},"
        f" {os.cpu_count()} CPUs",
        f"- {castnotes_version()}; median of {runs} runs, each in a fresh process",
        "- ratios are to the minimal script's wall time in the same run (CPU: to its CPU time)",
        "",
        "| run | seconds | ratio to minimal | CPU seconds | CPU ratio | peak memory MB | target | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    cpu_baseline = rows[0].sample.cpu or 1.0
    for row in rows:
        ratio = row.sample.seconds / baseline
        lines.append(f"| {row.name} | {row.sample.seconds:.2f} | {ratio:.2f}x | {row.sample.cpu:.2f} | "
                     f"{row.sample.cpu / cpu_baseline:.2f}x | {row.sample.peak_mb:.0f} | "
                     f"{target_text(row)} | {verdict(row, ratio)} |")
    return "\n".join(lines) + "\n"


# --- main -------------------------------------------------------------------------------------

def bench_size(workdir: Path, count: int, sources: showgen.Sources, long: bool, runs: int,
               reuse: bool = False) -> str:
    root = workdir / f"show-{count}{'-long' if long else ''}"
    if reuse and showgen.is_generated(root, count):
        print(f"reusing the {count}-episode show in {root}", file=sys.stderr, flush=True)
    else:
        print(f"generating a {count}-episode show in {root} ...", file=sys.stderr, flush=True)
        showgen.generate_show(root, count, sources)
    print("measuring: minimal", file=sys.stderr, flush=True)
    minimal = bench_minimal(root, count, runs)
    print("measuring: floors", file=sys.stderr, flush=True)
    floor = bench_floor(root, count, runs)
    imports = bench_imports(runs)
    python = bench_python(runs)
    print("measuring: cold", file=sys.stderr, flush=True)
    cold = bench_cold(root, count, runs)
    print("measuring: warm", file=sys.stderr, flush=True)
    warm = bench_warm(root, count, runs)
    print("measuring: one new episode", file=sys.stderr, flush=True)
    one_new = bench_one_new(root, count, runs, sources)
    print("measuring: the new episode after that", file=sys.stderr, flush=True)
    next_new = bench_one_new(root, count, runs, sources, before=1)
    print("measuring: one episode's notes edited", file=sys.stderr, flush=True)
    edited = bench_edited(root, count, runs)
    rows = [
        Row("minimal script", minimal, None, False),
        Row("floor: minimal + a page, a card, search", floor, None, False),
        Row("floor: importing the stack", imports, None, False),
        Row("floor: starting Python", python, None, False),
        Row("cold build", cold, COLD_RATIO_TARGET, True),
        Row("warm rebuild", warm, WARM_RATIO_TARGET, True),
        Row("one new episode", one_new, ONE_NEW_RATIO_TARGET, True),
        Row("the new episode after that", next_new, ONE_NEW_RATIO_TARGET, True),
        Row("one episode's notes edited", edited, EDITED_RATIO_TARGET, True),
    ]
    return report(count, rows, long, runs)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark `castnotes build` on a generated show.")
    parser.add_argument("--episodes", type=int, action="append", metavar="N",
                        help="show size; repeat for several sizes (default 1000)")
    parser.add_argument("--workdir", type=Path,
                        help="where to generate shows and audio (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    parser.add_argument("--long", action="store_true",
                        help="one-hour audio files instead of ~10 s ones")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a show already generated in --workdir (same size) instead of "
                             "generating it again; its site/ and .castnotes/ are still deleted "
                             "before the cold runs")
    parser.add_argument("--write", action="store_true",
                        help="also write benchmarks/results-<N>.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sizes = args.episodes or [1000]
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="castnotes-bench-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    cache_bytecode(workdir)
    try:
        print("encoding source audio ...", file=sys.stderr, flush=True)
        sources = showgen.make_sources(workdir / ("sources-long" if args.long else "sources"),
                                       long=args.long)
        for count in sizes:
            text = bench_size(workdir, count, sources, args.long, args.runs, args.reuse)
            print(text, flush=True)
            if args.write:
                name = f"results-{count}{'-long' if args.long else ''}.md"
                (HERE / name).write_text(text, encoding="utf-8")
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
