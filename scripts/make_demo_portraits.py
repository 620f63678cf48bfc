#!/usr/bin/env python3
"""Draw the demo show's guest portraits: static/people/<slug>.jpg, 256x256 JPEG.

The demo's guests are invented, so their "photos" are drawn: a soft two-colour
gradient with a simple head-and-shoulders silhouette. The episodes name them by the
show's own URL (https://connectionhour.example/people/<slug>.jpg); static/ is copied
into the site as is, so the pages load them from the site itself.

    python scripts/make_demo_portraits.py

Needs Pillow (a castnotes dependency). Same Pillow version, same bytes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

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


def main() -> None:
    folder = ROOT / "static" / "people"
    folder.mkdir(parents=True, exist_ok=True)
    for slug, colours in PORTRAITS.items():
        path = folder / f"{slug}.jpg"
        portrait(*colours).save(path, "JPEG", quality=85, optimize=True, progressive=True)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
