#!/usr/bin/env python3
"""Regenerate src/castnotes/commands/skeleton/welcome.mp3, the sample episode `castnotes init` writes.

castnotes must run where ffmpeg and lame are absent, so the sample audio ships inside
the package (a few KB) instead of being made at init time. It is a short spoken
welcome, made once with:

  * espeak-ng (speech, 16 kHz mono WAV),
  * lame (MP3, 24 kbit/s CBR, mono, `-t`: no Xing/LAME info frame, no ID3 tags).

Run from anywhere: `python scripts/make_sample_audio.py`. Same tool versions give the
same bytes (espeak-ng 1.51, LAME 3.100).
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

TEXT = "Welcome to your new show. This sample episode was made by castnotes."
TARGET = Path(__file__).resolve().parents[1] / "src" / "castnotes" / "commands" / "skeleton" / "welcome.mp3"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "welcome.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(wav), TEXT], check=True)
        subprocess.run(["lame", "--quiet", "-m", "m", "--resample", "16", "-b", "24", "--cbr",
                        "--noreplaygain", "-t", str(wav), str(TARGET)], check=True)
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
