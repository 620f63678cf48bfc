"""Copy the README's screenshots from the browser tests' artifacts into docs/, as small PNGs.

Run `pytest tests/test_browser.py -k "screenshots or share_card"` first; it saves the first
screen of each page at 1280x800 and 390x844, light and dark, in tests/_artifacts/screenshots/.
This picks a few, reduces them to a 128-colour palette (the theme has few colours; text stays
sharp) and writes them to docs/.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "tests" / "_artifacts" / "screenshots"
PICKS = {
    "home-desktop-light": "site-home-1280-light.png",
    "home-mobile-dark": "site-home-390-dark.png",
    "episode-playing-desktop-dark": "site-episode-playing-1280-dark.png",
    "episode-playing-mobile-light": "site-episode-playing-390-light.png",
    "search-desktop-light": "site-search-1280-light.png",
    "search-mobile-dark": "site-search-390-dark.png",
    "subscribe-mobile-light": "site-subscribe-390-light.png",
    "share-card": "share-card.png",
}


def main() -> None:
    docs = REPO / "docs"
    for source, target in PICKS.items():
        with Image.open(SHOTS / f"{source}.png") as image:
            if source == "share-card":
                image = image.resize((600, 315), Image.Resampling.LANCZOS)
            dither = Image.Dither.FLOYDSTEINBERG if source == "share-card" else Image.Dither.NONE
            small = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=dither)
            small.save(docs / target, optimize=True)
        print(f"docs/{target}: {(docs / target).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
