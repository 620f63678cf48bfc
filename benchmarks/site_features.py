"""What the site's search index (Pagefind) and share cards add to `castnotes build`.

Builds a generated show (benchmarks/showgen.py) or an existing one, and reports CPU seconds
(user + system of this process and its children, which shared machines inflate less than
wall time) and wall seconds of: a cold site build with the share cards drawn, the same with
the cards cached, Pagefind alone on the built site, and the share cards alone.

    python benchmarks/site_features.py --episodes 1000
    python benchmarks/site_features.py --show path/to/show
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(label: str, work: Callable[[], None]) -> None:
    started_cpu, started = cpu(), time.perf_counter()
    work()
    print(f"{label}: {cpu() - started_cpu:.2f} CPU s, {time.perf_counter() - started:.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--show", type=Path, help="an existing show folder instead of a generated one")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="castnotes-site-bench-"))
    try:
        show = work / "show"
        if args.show is None:
            import showgen

            showgen.generate_show(show, args.episodes, showgen.make_sources(work / "sources"))
        else:  # a copy: the runs delete the site and the caches (files hard-linked, never written)
            # (the demo show is this repository's top folder: its code and tests are no show files)
            skip = shutil.ignore_patterns("site", ".castnotes", ".site.*", ".git", ".cache", "src", "tests",
                                          "benchmarks", "scripts", "docs", "*.egg-info", "__pycache__")
            shutil.copytree(args.show, show, ignore=skip, copy_function=_link_or_copy)
        run(show.resolve(), args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def run(show: Path, runs: int) -> None:
    from castnotes.output.search import pagefind_binary

    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    cards_dir = show / ".castnotes" / "images" / "cards"

    def build() -> None:
        subprocess.run([sys.executable, "-m", "castnotes", "-C", str(show), "build"], env=env,
                       capture_output=True, check=True)

    def forget_site() -> None:
        shutil.rmtree(show / "site", ignore_errors=True)
        for state in (show / ".castnotes").glob("state*"):
            state.unlink()

    def pagefind() -> None:
        out = show / ".castnotes" / "pagefind-bench"
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([str(pagefind_binary()), "--site", str(show / "site"), "--output-path", str(out),
                        "--silent", "--force-language", "en"], check=True)
        shutil.rmtree(out)

    def cards() -> None:
        code = ("from pathlib import Path; from castnotes.commands.build import prepare_settings, BuildOptions;"
                "from castnotes.read.audio_cache import AudioCache; from castnotes.read.show import load_show;"
                "from castnotes.render.pages import load_site_data;"
                f"s = load_show(prepare_settings(Path({str(show)!r}), BuildOptions()),"
                f" audio_cache=AudioCache(Path({str(show)!r})), reuse_episodes=True);"
                "load_site_data(s)")  # draws the cards still missing, as a build does
        subprocess.run([sys.executable, "-c", code], env=env, check=True)

    forget_site()
    build()  # fills the audio and episode caches
    for _ in range(runs):
        forget_site()
        shutil.rmtree(cards_dir, ignore_errors=True)
        measure("cold site build, share cards drawn", build)
        forget_site()
        measure("cold site build, share cards cached", build)
        measure("Pagefind alone", pagefind)
        shutil.rmtree(cards_dir, ignore_errors=True)
        measure("share cards alone (and loading the show from its caches)", cards)


if __name__ == "__main__":
    main()
