#!/usr/bin/env python3
"""Make the demo show's small extras: guest portraits and the worksheet episode 001 links to.

  static/people/<slug>.jpg     256x256 JPEG "photos" of the invented guests: a soft
                               two-colour gradient with a head-and-shoulders silhouette.
                               The episodes name them by the show's own URL
                               (https://connectionhour.example/people/<slug>.jpg); static/
                               is copied into the site as is, so pages load them from the site.
  episodes/001-why-we-drift-apart/default-plans.pdf
                               a one-page worksheet; linked from the notes, so castnotes
                               publishes it next to the episode page.

    python scripts/make_demo_extras.py

Needs Pillow (a castnotes dependency) and the DejaVu fonts (fonts-dejavu-core).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = 256
ROOT = Path(__file__).resolve().parents[1]
PORTRAITS = {  # slug: (top colour, bottom colour, silhouette colour)
    "ana-lopez": ((244, 196, 142), (196, 96, 84), (255, 238, 222)),
    "marcus-bell": ((152, 200, 196), (46, 104, 112), (228, 246, 240)),
    "priya-natarajan": ((236, 180, 104), (84, 128, 96), (252, 240, 214)),
    "jordan-okafor": ((176, 172, 232), (92, 70, 140), (238, 234, 255)),
}


def portrait(top: tuple[int, int, int], bottom: tuple[int, int, int],
             ink: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE))
    draw = ImageDraw.Draw(image)
    for y in range(SIZE):
        t = y / (SIZE - 1)
        draw.line([(0, y), (SIZE, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    layer = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    shape = ImageDraw.Draw(layer)
    shape.ellipse((84, 50, 172, 142), fill=ink + (235,))
    shape.ellipse((36, 160, 220, 340), fill=ink + (235,))
    shadow = layer.filter(ImageFilter.GaussianBlur(10))
    out = Image.alpha_composite(image.convert("RGBA"), shadow)
    return Image.alpha_composite(out, layer).convert("RGB")


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
    folder = ROOT / "static" / "people"
    folder.mkdir(parents=True, exist_ok=True)
    for slug, colours in PORTRAITS.items():
        path = folder / f"{slug}.jpg"
        portrait(*colours).save(path, "JPEG", quality=85, optimize=True, progressive=True)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    worksheet(WORKSHEET)
    print(f"wrote {WORKSHEET.relative_to(ROOT)} ({WORKSHEET.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
