#!/usr/bin/env python3
"""Make the demo show's worksheet: the PDF that episode 001's notes link to.

  episodes/001-why-we-drift-apart/default-plans.pdf
      a one-page A5 worksheet, drawn with Pillow; linked from the notes, so castnotes
      publishes it next to the episode page.

    python scripts/make_demo_extras.py

Needs Pillow (a castnotes dependency) and the DejaVu fonts (fonts-dejavu-core).
Same Pillow version, same bytes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
WORKSHEET = ROOT / "episodes" / "001-why-we-drift-apart" / "default-plans.pdf"
WORKSHEET_LINES = [
    ("title", "The default plan worksheet"),
    ("small", "The Connection Hour · episode 1, Why We Drift Apart"),
    ("gap", ""),
    ("head", "1. One friend"),
    ("body", "Who would you like to see more of this year?"),
    ("line", ""),
    ("head", "2. One rhythm"),
    ("body", "Every other Sunday? The first Tuesday of the month? Pick something boring."),
    ("line", ""),
    ("head", "3. One place"),
    ("body", "Somewhere easy for you both: a park bench, a café, a phone call on a walk."),
    ("line", ""),
    ("head", "4. Put it in both calendars"),
    ("body", "A default plan happens unless someone cancels it. That is the whole trick."),
]


def worksheet(path: Path) -> None:
    """An A5 page at 100 dpi, saved as a one-page PDF by Pillow."""
    fonts = "/usr/share/fonts/truetype/dejavu/"
    size = {"title": 40, "small": 18, "head": 28, "body": 20}
    page = Image.new("RGB", (583, 827), (255, 253, 249))
    draw = ImageDraw.Draw(page)
    y = 60
    for kind, text in WORKSHEET_LINES:
        if kind == "gap":
            y += 20
        elif kind == "line":
            draw.line([(50, y + 30), (533, y + 30)], fill=(180, 170, 160), width=2)
            y += 60
        else:
            bold = kind in ("title", "head")
            font = ImageFont.truetype(fonts + ("DejaVuSerif-Bold.ttf" if bold else "DejaVuSans.ttf"),
                                      size[kind] // 2 + 4 if kind == "body" else size[kind] // 2 + 6)
            for line in _wrap(text, font, 483):
                draw.text((50, y), line, font=font, fill=(29, 37, 39) if kind != "small" else (88, 98, 100))
                y += font.size + 8
            y += 6
    page.save(path, "PDF", resolution=100.0, title="The default plan worksheet", author="Sam Rivera",
              creationDate=None, modDate=None)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if font.getlength(trial) <= width:
            current = trial
        else:
            lines.append(current)
            current = word
    return lines + [current] if current else lines


def main() -> None:
    worksheet(WORKSHEET)
    print(f"wrote {WORKSHEET.relative_to(ROOT)} ({WORKSHEET.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
