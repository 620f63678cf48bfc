"""Damaged show files and feeds give castnotes' own errors, never a crash: a few seeds of
scripts/fuzz.py (run it with more, `--runs 500`, after changing a reader)."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO


def test_damaged_files_never_crash_castnotes() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "fuzz.py"), "--runs", "4", "--seed", "0"],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "4 runs of show and import: 0 bugs" in done.stdout
