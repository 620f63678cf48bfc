#!/usr/bin/env python3
"""Make the share cards' font: DejaVu Sans Condensed Bold cut down to the scripts titles use.

  src/castnotes/read/fonts/DejaVuSansCondensed-Bold-subset.ttf
      DejaVu Sans Condensed Bold 2.37 (Debian's fonts-dejavu-extra, 668 KB, 5,898 characters;
      condensed because DejaVu Sans Bold is wide: a German compound such as
      "Freundschaftsbeziehungen" did not fit the card's 510 px text column at 36 px) with
      only Latin (Basic, Latin-1, Extended-A, -B and Additional: every European language and
      Vietnamese), Greek (with polytonic), Cyrillic (with its supplement), combining accents,
      punctuation, currency signs, letterlike symbols (№, ™) and a few arrows: 1,817
      characters in 110 KB.

    apt-get install fonts-dejavu-extra && pip install fonttools
    python scripts/make_card_font.py

It runs, with the font's file as Debian installs it:

    pyftsubset /usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf \\
        --unicodes=U+0020-007E,U+00A0-024F,U+0259,U+02B0-02FF,U+0300-036F,U+0370-03FF,U+0400-052F,U+1E00-1EFF,U+1F00-1FFF,U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-2199,U+2212 \\
        --layout-features= --drop-tables+=GSUB,GPOS,GDEF,FFTM --notdef-outline \\
        --output-file=src/castnotes/read/fonts/DejaVuSansCondensed-Bold-subset.ttf

Why these options: the cards lay text out with Pillow's basic layout (no HarfBuzz), which
uses none of the OpenType layout tables, so GSUB/GPOS/GDEF go (and with GPOS, by pyftsubset's
default, the old `kern` table: no kerning, which keeps a card's glyphs where the glyph cache in
castnotes/read/images.py puts them). The TrueType hinting stays (crisper 32 px labels; about
25 KB). The .notdef box keeps its outline so that a missing letter would show as a box, which
tests/test_cards.py looks for. fontTools is only needed here, not to run castnotes.

The licence (Bitstream Vera's, DejaVu's changes in the public domain) allows changing and
redistributing the font under a name without "Bitstream" or "Vera": its text is in
src/castnotes/read/fonts/LICENSE-DejaVu.txt, which must ship beside the font.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf")
TARGET = ROOT / "src" / "castnotes" / "read" / "fonts" / "DejaVuSansCondensed-Bold-subset.ttf"
UNICODES = ("U+0020-007E,U+00A0-024F,U+0259,U+02B0-02FF,U+0300-036F,U+0370-03FF,U+0400-052F,"
            "U+1E00-1EFF,U+1F00-1FFF,U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-2199,U+2212")
MUST_HAVE = "Écoute ça: Straße, Ñandú, Ελληνικά, Кириллица, Łódź, Žluťoučký kůň, Ğüşİıö, Việt, ἀρχή, №1 – “€5” …"


def main() -> None:
    if not SOURCE.is_file():
        sys.exit(f"{SOURCE} is missing: apt-get install fonts-dejavu-extra")
    subset.main([str(SOURCE), f"--unicodes={UNICODES}", "--layout-features=",
                 "--drop-tables+=GSUB,GPOS,GDEF,FFTM", "--notdef-outline", f"--output-file={TARGET}"])
    font = TTFont(TARGET)
    cmap = font.getBestCmap()
    missing = sorted({char for char in MUST_HAVE if ord(char) not in cmap})
    assert not missing, f"the subset lacks {missing}"
    assert "kern" not in font and "GPOS" not in font, "the glyph cache assumes no kerning"
    print(f"{TARGET.relative_to(ROOT)}: {TARGET.stat().st_size:,} bytes, {len(cmap):,} characters")


if __name__ == "__main__":
    main()
