"""The benchmark scripts still run (on tiny shows): they are scripts, not timed tests, and a
script nobody runs rots (site_features.py called a function that had been renamed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from audio_samples import require_tool
from conftest import REPO

BENCHMARKS = REPO / "benchmarks"


def run_script(name: str, *args: str, cwd: Path) -> str:
    for tool in ("ffmpeg", "lame", "espeak-ng"):  # benchmarks/showgen.py makes real audio with them
        require_tool(tool)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, str(BENCHMARKS / name), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def test_the_build_benchmark_measures_every_case(tmp_path: Path) -> None:
    out = run_script("build.py", "--episodes", "4", "--runs", "1", "--workdir", str(tmp_path / "work"), cwd=tmp_path)
    for case in ("minimal script", "floor: minimal + a page, a card, search", "floor: importing the stack",
                 "floor: starting Python",
                 "cold build", "warm rebuild", "one new episode", "the new episode after that",
                 "one episode's notes edited"):
        assert f"| {case} |" in out, out


@pytest.mark.parametrize("args", [("--episodes", "4"), ("--show", str(REPO))], ids=["generated", "demo"])
def test_the_site_features_benchmark_runs_on_a_copy(tmp_path: Path, args: tuple[str, ...]) -> None:
    before = sorted(p.name for p in REPO.iterdir())
    out = run_script("site_features.py", *args, "--runs", "1", cwd=tmp_path)
    for label in ("cards drawn", "cards cached", "Pagefind alone", "share cards alone"):
        assert label in out, out
    assert sorted(p.name for p in REPO.iterdir()) == before  # --show works on a copy


def test_the_cards_benchmark_runs(tmp_path: Path) -> None:
    out = run_script("cards.py", "-n", "3", "--runs", "1", "--png", str(tmp_path / "png"), cwd=tmp_path)
    assert "CPU ms per card" in out and any((tmp_path / "png").glob("*.png"))
