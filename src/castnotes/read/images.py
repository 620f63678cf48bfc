"""Web-sized copies of artwork for the pages, made with Pillow and cached in .castnotes/images/.

Podcast artwork is 1400-3000 px and often several hundred KB, because Apple asks
for that; a page shows it at 40-220 CSS px. The feed keeps the original; pages use
JPEG copies 600 and 240 px wide (twice the theme's largest slots, for sharp
screens) with their real width and height in the HTML, so nothing jumps while
the page loads. Copies are made once and reused while the source is unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from castnotes.errors import CastnotesError
from castnotes.imageinfo import image_info
from castnotes.model import Artwork, Show
from castnotes.store import STORE_DIR, atomic_path

SIZES = {"large": 600, "small": 240}
JPEG_QUALITY = 82
RECIPE = "v1-lanczos-q82"  # part of the cache key: change it when the encoding changes


@dataclass(frozen=True, slots=True)
class WebImage:
    """One published image: a site path (relative to the site root) or an absolute URL."""

    site_path: str | None
    url: str
    width: int | None
    height: int | None


@dataclass(frozen=True, slots=True)
class WebImages:
    """Web copies by (original site path, size name), and the files to publish."""

    copies: dict[tuple[str, str], WebImage]
    files: tuple[tuple[Path, str], ...]  # (cached copy, site path)

    def pick(self, art: Artwork, size: str) -> WebImage:
        """The copy of `art` at `size`, or the original when it is small already or remote."""
        if art.site_path and (art.site_path, size) in self.copies:
            return self.copies[(art.site_path, size)]
        return WebImage(art.site_path, art.url, art.width, art.height)


def show_artworks(show: Show) -> list[Artwork]:
    """Every local artwork the pages show: the show's, then each episode's, without repeats."""
    found: dict[str, Artwork] = {}
    for art in [show.image, *(e.image for e in show.episodes)]:
        if art is not None and art.site_path and art.source_path:
            found.setdefault(art.site_path, art)
    return list(found.values())


def load_web_images(artworks: Iterable[Artwork], show_root: Path) -> WebImages:
    """Make or reuse the web copies of each artwork wider than a size."""
    cache_dir = show_root / STORE_DIR / "images"
    copies: dict[tuple[str, str], WebImage] = {}
    files: list[tuple[Path, str]] = []
    for art in artworks:
        assert art.site_path and art.source_path
        width, height = art.width, art.height
        if not width or not height:
            info = image_info(art.source_path)
            width, height = info.width, info.height
        for name, target_width in SIZES.items():
            if width <= target_width:
                continue
            target_height = max(1, round(height * target_width / width))
            cached = _cached_copy(art.source_path, target_width, target_height, cache_dir)
            site_path = web_copy_path(art.site_path, target_width)
            base_url = art.url[: -len(art.site_path)]  # the site's URL: art.url is base + site path
            copies[(art.site_path, name)] = WebImage(site_path, base_url + site_path,
                                                     target_width, target_height)
            files.append((cached, site_path))
    return WebImages(copies, tuple(files))


def web_copy_path(site_path: str, width: int) -> str:
    """`episodes/x/cover.png` -> `episodes/x/cover-600.jpg`."""
    path = PurePosixPath(site_path)
    return str(path.with_name(f"{path.stem}-{width}.jpg"))


def _cached_copy(source: Path, width: int, height: int, cache_dir: Path) -> Path:
    stat = source.stat()
    key = f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{width}x{height}|{RECIPE}"
    target = cache_dir / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".jpg")
    if not target.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as partial:
            write_web_copy(source, partial, width, height)
    return target


def write_web_copy(source: Path, target: Path, width: int, height: int) -> None:
    """A `width` x `height` JPEG of `source`; transparency is flattened onto white."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(source) as original:
            image = original  # no EXIF rotation: the feed and apps show the original as stored
            icc = original.info.get("icc_profile")
            if image.mode in ("RGBA", "LA", "P", "PA"):
                image = image.convert("RGBA")
                flat = Image.new("RGB", image.size, (255, 255, 255))
                flat.paste(image, mask=image.getchannel("A"))
                image = flat
            elif image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            image.save(target, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True,
                       icc_profile=icc)
    except (OSError, UnidentifiedImageError) as exc:
        raise CastnotesError.single(f"cannot make a web copy of the image: {exc}", source,
                                    hint="save it as a JPEG or PNG") from None
