"""Web-sized copies of artwork for the pages, made with Pillow and cached in .castnotes/images/.

Podcast artwork is 1400-3000 px and often several hundred KB, because Apple asks
for that; a page shows it at 40-220 CSS px. The feed keeps the original; pages use
JPEG copies 600 and 240 px wide (twice the theme's largest slots, for sharp
screens) with their real width and height in the HTML, so nothing jumps while
the page loads. Copies are made once and reused while the source is unchanged.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from castnotes.errors import CastnotesError
from castnotes.imageinfo import image_info
from castnotes.model import Artwork, Episode, Show
from castnotes.store import STORE_DIR, atomic_path
from castnotes.workers import Background

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
    """Every local artwork the pages show: the show's, each episode's, each page's, without repeats."""
    found: dict[str, Artwork] = {}
    for art in [show.image, *(e.image for e in show.episodes), *(a.image for a in show.articles)]:
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


# Social cards: the 1200x630 picture a link preview shows (Open Graph, X/Twitter, Mastodon,
# Slack...). Square artwork shows there as a small thumbnail or gets cropped; a card with
# the artwork, the episode's title and the show's name reads as a poster. Podcast apps
# keep using the square artwork from the feed.

CARD_SIZE = (1200, 630)
CARD_NAME = "share-card.jpg"  # beside the episode's page: episodes/<slug>/share-card.jpg
CARD_RECIPE = "card-v2"  # part of the cache key: change it when the design changes


@dataclass(frozen=True, slots=True)
class CardJob:
    """What one card shows; its digest is the cache key, so a card is drawn once."""

    title: str
    show: str
    label: str  # "S1 E3 · 42 min"
    art: Path | None  # a local picture (the 600 px web copy when there is one)

    def key(self, stamps: dict[Path, str] | None = None) -> str:
        """The cache key; `stamps` keeps each picture's stamp for the next card (most cards of
        a show share its artwork: one stat and one resolve, not one per episode)."""
        stamp = ""
        if self.art is not None:
            stamp = stamps.get(self.art, "") if stamps is not None else ""
            if not stamp:
                stat = self.art.stat()
                stamp = f"{self.art.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
                if stamps is not None:
                    stamps[self.art] = stamp
        text = "\x1f".join((CARD_RECIPE, self.title, self.show, self.label, stamp))
        return hashlib.sha256(text.encode()).hexdigest()[:24]


def plan_social_cards(show: Show, web: WebImages, line: Callable[[Episode], str],
                      ) -> tuple[dict[str, WebImage], tuple[tuple[Path, str], ...], tuple[tuple[CardJob, Path], ...]]:
    """Each episode's card as the pages link it, the files to publish, and the cards not in the
    cache yet, to draw (`start_drawing_cards`) before those files are published. `line` writes
    the line under the title ("S1 E3 · 24 min") in the site's language (render/i18n.card_line).

    Pages need only a card's address and size, so a build renders them (and starts Pagefind on
    them) first, and draws the missing cards while the search index is made.
    """
    cache_dir = show.settings.root / STORE_DIR / "images" / "cards"
    cached_copy = {site_path: source for source, site_path in web.files}
    jobs: list[tuple[str, CardJob]] = []
    for episode in show.episodes:
        art = episode.image or show.image
        local = None
        if art is not None and art.source_path is not None and art.site_path:
            large = web.copies.get((art.site_path, "large"))
            local = cached_copy.get(large.site_path) if large and large.site_path else None
            local = local or art.source_path
        jobs.append((episode.slug, CardJob(episode.title, show.settings.show.title, line(episode), local)))
    stamps: dict[Path, str] = {}
    todo = [(job, cache_dir / (job.key(stamps) + ".jpg")) for _, job in jobs]
    missing = tuple((job, target) for job, target in todo if not os.path.isfile(target))
    cards: dict[str, WebImage] = {}
    files = []
    base = show.settings.show.url
    for episode, (_, target) in zip(show.episodes, todo):
        site_path = f"{episode.page_path}{CARD_NAME}"
        cards[episode.slug] = WebImage(site_path, base + site_path, *CARD_SIZE)
        files.append((target, site_path))
    return cards, tuple(files), missing


def start_drawing_cards(missing: Iterable[tuple[CardJob, Path]]) -> Background:
    """Start drawing the missing cards on the other cores; `.wait()` before publishing them."""
    missing = list(missing)
    if missing:
        missing[0][1].parent.mkdir(parents=True, exist_ok=True)
    return Background(_draw_to, missing)


def _draw_to(item: tuple[CardJob, Path]) -> None:
    job, target = item
    with atomic_path(target) as partial:
        draw_card(job).save(partial, "JPEG", quality=JPEG_QUALITY)  # optimize=True: 3x slower, 4% smaller


@functools.lru_cache(maxsize=8)
def _tile(path: Path, size: int, stamp: tuple[int, int]) -> "object":
    """The artwork as a size x size square with rounded corners, and its mean colour (kept per
    worker: most episodes share the show's artwork)."""
    from PIL import Image, ImageDraw, ImageOps, ImageStat

    with Image.open(path) as original:
        image = ImageOps.fit(original.convert("RGB"), (size, size), Image.Resampling.LANCZOS)
    mask = Image.new("L", (size * 4, size * 4), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, size * 4 - 1, size * 4 - 1), radius=size // 7 * 4, fill=255)
    return image, mask.resize((size, size), Image.Resampling.LANCZOS), ImageStat.Stat(image).mean


def draw_card(job: CardJob) -> "object":
    """The card: the artwork on the left, the show's name, the title and its label on the right,
    on a dark tint of the artwork's own colour. Pillow's bundled font, so every machine draws
    the same card."""
    from PIL import ImageDraw

    width, height = CARD_SIZE
    stamp = None
    if job.art is not None:
        try:
            stat = job.art.stat()
        except OSError as exc:
            raise CastnotesError.single(f"cannot read the image for the share card: {exc}", job.art) from None
        stamp = (stat.st_size, stat.st_mtime_ns)
    card, left = _card_base(job.art, stamp, job.show)
    card = card.copy()
    draw = ImageDraw.Draw(card)
    text_width = width - left - CARD_MARGIN
    for size in (64, 56, 48, 42):
        font = _font(size)
        lines = _wrap(draw, job.title, font, text_width)
        if len(lines) <= 5 and size * 1.2 * len(lines) <= 340:
            break
    lines = lines[:5]
    y = 160
    for line in lines:
        draw.text((left, y), line, font=font, fill=(255, 255, 255), stroke_width=1, stroke_fill=(255, 255, 255))
        y += int(size * 1.2)
    if job.label:
        label_font = _font(32)
        draw.text((left, height - 92 - 32), job.label, font=label_font, fill=(200, 226, 216))
    return card


CARD_MARGIN, CARD_TILE = 70, 490


@functools.lru_cache(maxsize=4)
def _card_base(art: Path | None, stamp: tuple[int, int] | None, show: str) -> tuple["object", int]:
    """What the cards of one show with one artwork share, drawn once per worker (a show's
    episodes mostly share its artwork): the tinted background, the artwork and the show's name.
    Returns it with the left edge of the text. The cards copy it and add their own text, in the
    same order a card drawn from scratch would, so the pixels are the same."""
    from PIL import Image, ImageDraw

    width, height = CARD_SIZE
    margin, side = CARD_MARGIN, CARD_TILE
    background = (22, 42, 37)
    tile = None
    if art is not None and stamp is not None:
        try:
            tile = _tile(art, side, stamp)
        except OSError as exc:
            raise CastnotesError.single(f"cannot read the image for the share card: {exc}", art) from None
        mean = tile[2]
        background = tuple(int(12 + c * 0.22) for c in mean[:3])
    card = Image.new("RGB", CARD_SIZE, background)
    draw = ImageDraw.Draw(card)
    left = margin
    if tile is not None:
        top = (height - side) // 2
        card.paste(tile[0], (margin, top), tile[1])
        left = margin + side + 60
    text_width = width - left - margin
    show_font = _font(34)
    draw.text((left, 92), _fit_line(draw, show.upper(), show_font, text_width), font=show_font,
              fill=(200, 226, 216))
    return card, left


@functools.lru_cache(maxsize=16)
def _font(size: int) -> "object":
    """Pillow's bundled font (the same on every machine) at `size` px; loading it costs more
    than drawing a card, so each size is loaded once per process."""
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _wrap(draw: "object", text: str, font: "object", width: int) -> list[str]:
    """Words into lines no wider than `width`; a word too long for a line is cut."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = _fit_line(draw, word, font, width)
    if line:
        lines.append(line)
    return lines or [""]


def _fit_line(draw: "object", text: str, font: "object", width: int) -> str:
    """`text`, cut with an ellipsis when it is wider than `width`."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"
