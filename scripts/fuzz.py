"""Mutation fuzzing: damaged show files and feeds must never crash castnotes.

Usage: python scripts/fuzz.py [--runs 100] [--seed 0] [--mode show|import|both] [--show DIR]

`show` mode copies a show (the demo in this repository by default: its castnotes.toml,
people.toml, ledger, episodes and pages), damages one or two of its text files (front
matter, notes, settings, transcripts, chapters, the ledger) with a seeded mix of deleted
spans, inserted tokens that parsers trip on, swapped, repeated and cut lines, then runs
`castnotes build` and `castnotes check` on it. `import` mode damages a feed from
tests/data/ the same way and runs `castnotes import` into a new folder, then `build` and
`check` on what it made. Exit 1 (ordinary bad input) and 2 (usage) are right answers;
exit 3 ("internal error"), any other code, a traceback or a command still running after
90 s is a bug: it is printed with its seed, so `--seed N --runs 1` repeats it. This script
exits 1 when it found one.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHOW_PARTS = ("castnotes.toml", "people.toml", "published.jsonl", "artwork.jpg", "episodes", "pages", "people")
TEXT_SUFFIXES = {".md", ".toml", ".vtt", ".srt", ".json", ".jsonl"}
FEEDS = [p for folder in ("feeds", "import") for p in sorted((REPO / "tests" / "data" / folder).glob("*"))
         if p.suffix in (".xml", ".rss")]
TIMEOUT = 90

# What parsers trip on: quoting and nesting, YAML tags and anchors, odd numbers and dates,
# control and bidi characters, a BOM, CR line ends, HTML, paths out of the folder, huge values.
TOKENS = [":", '"', "'", "[", "]", "{", "}", "---\n", "\x00", "\ufeff", "\r", "\r\n", "\t", "- ", "&",
          "<script>alert(1)</script>", "x" * 5000, "2026-13-45", "-1", "1e309", "nan", "null", "~",
          "!!python/object/apply:os.system ['true']", "*a", "&a [1]", "0:00:00", "99:99:99", "-00:01",
          "\u202e", "\u0007", "[[x]]", "=", '= """', "#", "\\", "%", "../../../etc/passwd", "https://",
          "http://[::1", "\u20ac", "\U0001F600", "<", ">", "`", "```", "|a|b|\n|-|-|", "[^1]", "[x](../",
          "![](", "<!--", "&#0;", "&#x110000;", "\n\n", " ", "true", "false", "0", "00", "1.5", "[]", "{}",
          "title:", "date:", "guid:", "season: 0", "episode: -3", "guests: [", "chapters:",
          "- start: 99999\n  title: x\n"]
FEED_TOKENS = TOKENS + [
    "<item>", "</item>", "<![CDATA[", "]]>", "&amp;", "&#x0;", "&#1;", "&lt;", "<itunes:duration>",
    "</itunes:duration>", '<enclosure url="" length="-5" type="audio/mpeg"/>', "<guid>", "</guid>",
    "<pubDate>Mon, 99 Foo 2024</pubDate>", '<podcast:chapters url="file:///etc/passwd" type="application/json"/>',
    "<itunes:episode>-1</itunes:episode>", "<title></title>", "<link>javascript:alert(1)</link>",
    '<?xml version="1.0"?>', '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', "&a;"]


def mutate(rng: random.Random, text: str, tokens: list[str]) -> str:
    """One to three damages: a span deleted, a token inserted, two lines swapped, a line
    repeated, or the text cut short."""
    for _ in range(rng.randint(1, 3)):
        operation, at = rng.randrange(6), rng.randrange(len(text) + 1)
        lines = text.split("\n")
        if operation == 0:
            text = text[:at] + text[at + rng.randint(1, 40):]
        elif operation in (1, 2):
            text = text[:at] + rng.choice(tokens) + text[at:]
        elif operation == 3:
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
        elif operation == 4:
            line = rng.randrange(len(lines))
            text = "\n".join(lines[:line + 1] + lines[line:])
        else:
            text = text[:at]
    return text


def run(args: list[str], cwd: Path) -> str | None:
    """Run castnotes; what went wrong, or None when it answered as it should."""
    try:
        done = subprocess.run([sys.executable, "-m", "castnotes", *args], cwd=cwd, capture_output=True,
                              text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"still running after {TIMEOUT} s"
    if done.returncode in (0, 1, 2) and "Traceback" not in done.stderr and "internal error" not in done.stderr + done.stdout:
        return None
    return f"exit {done.returncode}\n{done.stderr[-1500:]}"


def fuzz_show(rng: random.Random, show: Path, work: Path) -> tuple[str, str | None]:
    copy = work / "show"
    copy.mkdir()
    for part in SHOW_PARTS:
        source = show / part
        if source.is_dir():
            shutil.copytree(source, copy / part, symlinks=True)
        elif source.is_file():
            shutil.copy2(source, copy / part)
    texts = sorted(p for p in copy.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)
    damaged = []
    for path in rng.sample(texts, min(len(texts), rng.randint(1, 2))):
        path.write_text(mutate(rng, path.read_text(encoding="utf-8"), TOKENS), encoding="utf-8")
        damaged.append(str(path.relative_to(copy)))
    what = ", ".join(damaged)
    for command in (["build"], ["check"]):
        problem = run(["-C", str(copy), *command], work)
        if problem:
            return f"{what}: castnotes {command[0]}", problem
    return what, None


def fuzz_import(rng: random.Random, work: Path) -> tuple[str, str | None]:
    feed = rng.choice(FEEDS)
    damaged = work / f"feed{feed.suffix}"
    damaged.write_text(mutate(rng, feed.read_text(encoding="utf-8", errors="replace"), FEED_TOKENS), encoding="utf-8")
    show = work / "show"
    for verb, command in (("import", ["import", str(damaged), "--into", str(show)]),
                          ("build", ["-C", str(show), "build"]), ("check", ["-C", str(show), "check"])):
        if verb != "import" and not (show / "castnotes.toml").is_file():
            break  # the import refused the feed: nothing to build
        problem = run(command, work)
        if problem:
            return f"{feed.name}: castnotes {verb}", problem
    return feed.name, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0, help="the first run's seed; run N uses seed + N")
    parser.add_argument("--mode", choices=("show", "import", "both"), default="both")
    parser.add_argument("--show", type=Path, default=REPO, help="the show to damage (default: the demo)")
    args = parser.parse_args(argv)
    modes = ("show", "import") if args.mode == "both" else (args.mode,)
    bugs = 0
    for seed in range(args.seed, args.seed + args.runs):
        for mode in modes:
            rng = random.Random(f"{mode}-{seed}")
            with tempfile.TemporaryDirectory(prefix="castnotes-fuzz-") as scratch:
                what, problem = (fuzz_show(rng, args.show, Path(scratch)) if mode == "show"
                                 else fuzz_import(rng, Path(scratch)))
            if problem:
                bugs += 1
                print(f"BUG seed {seed} ({mode}) {what}: {problem}", flush=True)
    print(f"{args.runs} runs of {' and '.join(modes)}: {bugs} bugs")
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
