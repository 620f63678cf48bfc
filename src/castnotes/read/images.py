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
import io
import os
import re
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from castnotes.errors import CastnotesError
from castnotes.imageinfo import image_info
from castnotes.model import Artwork, Episode, Show
from castnotes.store import STORE_DIR, atomic_path, write_atomic
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
        original = PurePosixPath(art.site_path)
        for name, target_width in SIZES.items():
            if width <= target_width:
                continue
            target_height = max(1, round(height * target_width / width))
            cached = _cached_copy(art.source_path, target_width, target_height, cache_dir)
            # `episodes/x/cover.png` -> `episodes/x/cover-600.jpg`
            site_path = str(original.with_name(f"{original.stem}-{target_width}.jpg"))
            base_url = art.url[: -len(art.site_path)]  # the site's URL: art.url is base + site path
            copies[(art.site_path, name)] = WebImage(site_path, base_url + site_path,
                                                     target_width, target_height)
            files.append((cached, site_path))
    return WebImages(copies, tuple(files))


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
CARD_RECIPE = "card-v4"  # part of the cache key: change it when the design or the encoding changes


@dataclass(frozen=True, slots=True)
class CardJob:
    """What one card shows; its digest is the cache key, so a card is drawn once."""

    title: str
    show: str
    label: str  # "S1 E3 · 42 min"
    art: Path | None  # a local picture (the 600 px web copy when there is one)

    def key(self, stamps: dict[Path, str]) -> str:
        """The cache key; `stamps` keeps each picture's stamp for the next card (most cards of
        a show share its artwork: one stat and one resolve, not one per episode)."""
        stamp = stamps.get(self.art, "") if self.art is not None else ""
        if self.art is not None and not stamp:
            stat = self.art.stat()
            stamp = stamps[self.art] = f"{self.art.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
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
    stamps: dict[Path, str] = {}
    cards: dict[str, WebImage] = {}
    files, missing = [], []
    for episode in show.episodes:
        art = episode.image or show.image
        local = None
        if art is not None and art.source_path is not None and art.site_path:
            large = web.copies.get((art.site_path, "large"))
            local = cached_copy.get(large.site_path) if large and large.site_path else None
            local = local or art.source_path
        job = CardJob(episode.title, show.settings.show.title, line(episode), local)
        target = cache_dir / (job.key(stamps) + ".jpg")
        if not os.path.isfile(target):
            missing.append((job, target))
        site_path = f"{episode.page_path}{CARD_NAME}"
        cards[episode.slug] = WebImage(site_path, show.settings.show.url + site_path, *CARD_SIZE)
        files.append((target, site_path))
    return cards, tuple(files), tuple(missing)


def start_drawing_cards(missing: Iterable[tuple[CardJob, Path]]) -> Background:
    """Start drawing the missing cards on the other cores; `.wait()` before publishing them."""
    missing = list(missing)
    if missing:
        missing[0][1].parent.mkdir(parents=True, exist_ok=True)
    return Background(_draw_to, missing)


def _draw_to(item: tuple[CardJob, Path]) -> None:
    job, target = item
    write_atomic(target, card_jpeg(job))


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
    on a dark tint of the artwork's own colour. The font ships with castnotes (`CARD_FONT`), so
    every machine draws the same card, in any language castnotes speaks."""
    base, glyphs, _, _ = _plan_card(job)
    card = base.copy()
    _paste(card, glyphs, 0, 0)
    return card


Glyphs = list[tuple[int, int, "object", tuple[int, int, int]]]  # (x, y, mask, colour) to paste


def _plan_card(job: CardJob) -> tuple["object", Glyphs, list[tuple[int, int, int, int]],
                                      tuple[Path | None, tuple[int, int] | None, str]]:
    """What the card is made of: its show's base, the glyphs of its title and label to paste
    on it, the boxes the title and the label cover (`_EMPTY` for none), and the base's key
    (for `_base_jpeg`)."""
    width, height = CARD_SIZE
    stamp = None
    if job.art is not None:
        try:
            stat = job.art.stat()
        except OSError as exc:
            raise CastnotesError.single(f"cannot read the image for the share card: {exc}", job.art) from None
        stamp = (stat.st_size, stat.st_mtime_ns)
    base, left = _card_base(job.art, stamp, job.show)
    size, lines = _title_lines(drawable(job.title), width - left - CARD_MARGIN)
    glyphs: Glyphs = []
    title = label = _EMPTY
    for number, line in enumerate(lines):
        title = _union(title, _place_text(glyphs, (left, 160 + number * int(size * 1.2)), line, size, (255, 255, 255)))
    if text := drawable(job.label):
        label = _place_text(glyphs, (left, height - 92 - 32), text, 32, (200, 226, 216))
    return base, glyphs, [title, label], (job.art, stamp, job.show)


TITLE_SIZES = (64, 56, 48, 42, 36)  # 36: a word of 24 letters fits beside the artwork


def _title_lines(title: str, width: int) -> tuple[int, list[str]]:
    """The title's font size and lines: the largest size at which it takes at most 5 lines
    (340 px) without breaking a word, or else the smallest, with the words too long for a line
    broken, its fifth line ending in "…" when there is more."""
    for size in TITLE_SIZES:
        lines = _wrap(title, size, width)
        whole_words = all(_text_width(part, size) <= width
                          for word in title.split(" ") for part in _PARTS.split(word))
        if len(lines) <= 5 and size * 1.2 * len(lines) <= 340 and whole_words:
            break
    if len(lines) > 5:  # the rest does not fit: say so
        lines = lines[:4] + [_cut_words(lines[4], size, width)]
    return size, lines


def _paste(card: "object", glyphs: Glyphs, left: int, top: int) -> None:
    """The glyphs on `card`, whose top left corner is (`left`, `top`) on the whole card (the
    glyphs outside it are left out; the part of one that is inside is pasted)."""
    width, height = card.size
    for x, y, mask, colour in glyphs:
        x, y = x - left, y - top
        if x < width and y < height and x + mask.width > 0 and y + mask.height > 0:
            card.paste(colour, (x, y), mask)


_EMPTY = CARD_SIZE + (0, 0)  # a box that covers nothing; its union with a box is that box


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


# A card's JPEG is its show's base (artwork, background, show name: the same on every card of
# the show) with the card's own text on it. Encoded with a restart marker every RESTART_MCUS
# MCUs (16x16 px with 4:2:0), every stretch of 80x16 px between markers is coded on its own
# (Huffman bits restart byte-aligned, DC prediction starts again), so its bytes depend only on
# its pixels. A worker encodes the base once; each card encodes only the stretches its text
# covers and takes the others from the base: the same bytes as encoding the whole card
# (a test checks it), in a third of the time.

JPEG_CARD = {"quality": JPEG_QUALITY, "subsampling": "4:2:0", "optimize": False, "progressive": False}
MCU, RESTART_MCUS = 16, 5
_RST = re.compile(rb"\xff[\xd0-\xd7]")


def save_card(card: "object", fp: "object") -> None:
    """The whole card as a JPEG, with the settings `card_jpeg` splices with."""
    card.save(fp, "JPEG", restart_marker_blocks=RESTART_MCUS, **JPEG_CARD)


def card_jpeg(job: CardJob) -> bytes:
    """The card's JPEG: `save_card(draw_card(job))`'s bytes, encoding only the stretches of the
    card that its text covers."""
    base, glyphs, boxes, base_key = _plan_card(job)
    header, base_stretches = _base_jpeg(*base_key)
    boxes = [_stretch_box(box) for box in boxes if box[2] > box[0] and box[3] > box[1]]
    if len(boxes) == 2 and boxes[0][3] > boxes[1][1]:  # a long title comes down to the label
        boxes = [_union(*boxes)]
    span, per_row = MCU * RESTART_MCUS, CARD_SIZE[0] // (MCU * RESTART_MCUS)
    merged = list(base_stretches)
    for left, top, right, bottom in boxes:  # encoded apart: a short title leaves rows between
        region = base.crop((left, top, right, bottom))
        _paste(region, glyphs, left, top)
        out = io.BytesIO()
        save_card(region, out)
        cut = (right - left) // span
        for i, stretch in enumerate(_split_jpeg(out.getvalue())[1]):
            row, column = divmod(i, cut)
            merged[(top // MCU + row) * per_row + left // span + column] = stretch
    return _join(header, merged)


def _stretch_box(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The smallest box of whole stretches between restart markers around `box`."""
    span = MCU * RESTART_MCUS
    width, height = CARD_SIZE
    return (max(0, box[0]) // span * span, max(0, box[1]) // MCU * MCU,
            min(width, -(-box[2] // span) * span), min(height, -(-box[3] // MCU) * MCU))


@functools.lru_cache(maxsize=4)
def _base_jpeg(art: Path | None, stamp: tuple[int, int] | None, show: str) -> tuple[bytes, list[bytes]]:
    """The base's JPEG, split: its headers (up to the scan) and its stretches between markers."""
    out = io.BytesIO()
    save_card(_card_base(art, stamp, show)[0], out)
    return _split_jpeg(out.getvalue())


def _split_jpeg(data: bytes) -> tuple[bytes, list[bytes]]:
    """A baseline JPEG with restart markers as its headers and its scan's stretches."""
    at = 2  # after SOI
    while data[at + 1] != 0xDA:  # each header segment: marker, length, body; up to SOS
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    scan = at + 2 + int.from_bytes(data[at + 2:at + 4], "big")
    assert data.endswith(b"\xff\xd9"), "one scan, then EOI"
    return data[:scan], _RST.split(data[scan:-2])


def _join(header: bytes, stretches: list[bytes]) -> bytes:
    """The JPEG: headers, the stretches with RST0..RST7 between them in turn, EOI."""
    parts = _MARKERS[: 2 * len(stretches) - 1]
    parts[::2] = stretches
    return b"".join((header, *parts, b"\xff\xd9"))


_MARKERS = [bytes((0xFF, 0xD0 + i // 2 % 8)) for i in range(2 * (CARD_SIZE[0] // MCU) * -(-CARD_SIZE[1] // MCU))]


CARD_MARGIN, CARD_TILE = 70, 490


@functools.lru_cache(maxsize=4)
def _card_base(art: Path | None, stamp: tuple[int, int] | None, show: str) -> tuple["object", int]:
    """What the cards of one show with one artwork share, drawn once per worker (a show's
    episodes mostly share its artwork): the tinted background, the artwork and the show's name.
    Returns it with the left edge of the text. The cards copy it and add their own text, in the
    same order a card drawn from scratch would, so the pixels are the same."""
    from PIL import Image, ImageDraw

    if art is not None and stamp is not None:
        try:
            tile, mask, mean = _tile(art, CARD_TILE, stamp)
        except OSError as exc:
            raise CastnotesError.single(f"cannot read the image for the share card: {exc}", art) from None
        card = Image.new("RGB", CARD_SIZE, tuple(int(12 + c * 0.22) for c in mean[:3]))
        card.paste(tile, (CARD_MARGIN, (CARD_SIZE[1] - CARD_TILE) // 2), mask)
        left = CARD_MARGIN + CARD_TILE + 60
    else:
        card, left = Image.new("RGB", CARD_SIZE, (22, 42, 37)), CARD_MARGIN
    text = _fit_line(drawable(show.upper()), 34, CARD_SIZE[0] - left - CARD_MARGIN)
    ImageDraw.Draw(card).text((left, 92), text, font=_font(34), fill=(200, 226, 216))
    return card, left


CARD_FONT = Path(__file__).parent / "fonts" / "DejaVuSansCondensed-Bold-subset.ttf"
"""DejaVu Sans Condensed Bold with Latin, Greek and Cyrillic only (110 KB; scripts/make_card_font.py
makes it, fonts/LICENSE-DejaVu.txt is its licence). Pillow's bundled font has no accented or
non-Latin letter: a French, German or Russian title drew boxes. Condensed, since the text
column is 510 px wide beside the artwork and German words are long."""


@functools.lru_cache(maxsize=16)
def _font(size: int) -> "object":
    """The card font at `size` px, loaded once per size per process (loading costs more than
    drawing a card). Pillow's basic layout, never HarfBuzz (raqm) even where Pillow has it:
    the same layout on every machine, and with the font's kerning removed (the subset has no
    GPOS or kern table) each glyph's advance is whole pixels and a line's width is the sum of
    its glyphs' advances, which the glyph cache and wrapping rely on (tests/test_cards.py)."""
    from PIL import ImageFont

    return ImageFont.truetype(str(CARD_FONT), size, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=1)
def _font_characters() -> frozenset[str]:
    """The characters the card font has a glyph for: its cmap's Unicode subtable (format 4, as
    the subset has), read here so that castnotes needs no fontTools to run."""
    data = CARD_FONT.read_bytes()
    tables = {data[at:at + 4]: struct.unpack_from(">I", data, at + 8)[0]
              for at in range(12, 12 + 16 * struct.unpack_from(">H", data, 4)[0], 16)}
    cmap = tables[b"cmap"]
    records = (struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
               for i in range(struct.unpack_from(">H", data, cmap + 2)[0]))
    sub = cmap + next(offset for platform, encoding, offset in records if (platform, encoding) in ((3, 1), (0, 3)))
    form, _, _, double = struct.unpack_from(">4H", data, sub)
    assert form == 4, f"{CARD_FONT.name}: cmap format {form}, expected 4"
    count = double // 2
    ends = struct.unpack_from(f">{count}H", data, sub + 14)
    starts = struct.unpack_from(f">{count}H", data, sub + 16 + double)
    deltas = struct.unpack_from(f">{count}H", data, sub + 16 + 2 * double)
    ranges_at = sub + 16 + 3 * double
    ranges = struct.unpack_from(f">{count}H", data, ranges_at)
    found = []
    for i, (start, end, delta, offset) in enumerate(zip(starts, ends, deltas, ranges)):
        for code in range(start, min(end, 0xFFFE) + 1):
            glyph = code
            if offset:  # the glyph ids are in an array after the segments
                glyph = struct.unpack_from(">H", data, ranges_at + 2 * i + offset + 2 * (code - start))[0]
            if glyph and (glyph + delta) & 0xFFFF:
                found.append(chr(code))
    return frozenset(found)


def drawable(text: str) -> str:
    """`text` as the card draws it, so that no character shows as a box: composed (NFC: an "e"
    and a combining accent become "é", which the font has); each character the font lacks
    (Chinese, Japanese, Korean, Arabic, Hebrew, Thai...) written in Latin letters by anyascii,
    as slugs are, a Chinese character as a syllable of its own (`数字播客：未来` -> `Shu Zi Bo Ke:
    Wei Lai`, which reads and wraps better than `ShuZiBoKe:WeiLai`); symbols the font lacks
    (emoji, dingbats) left out, since anyascii would spell them as `:microphone:`, and so are
    soft hyphens (the font would draw them); each run of whitespace one space, except no-break
    spaces (French `ça va ?`), never broken at."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    font = _font_characters()
    if not font.issuperset(text):
        text = "".join(_transliterated(text, font))
    return _SPACES.sub(" ", text).strip(" ")


_SPACES = re.compile(r"[^\S\u00a0\u2007\u202f]+")  # whitespace, no-break spaces left out


def _transliterated(text: str, font: frozenset[str]) -> list[str]:
    """`drawable`'s pieces for a text with characters the font lacks."""
    from anyascii import anyascii

    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char in font or char.isspace():
            out.append(char)
            continue
        latin = "".join(c for c in anyascii(char) if c in font)
        if not latin or category == "So" or category[0] == "C":
            continue
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        if wide and category in ("Ps", "Pi"):  # 「 《 （: a space before
            out += [" ", latin]
        elif wide and category[0] == "P":  # ：，。」: a space after, none before
            if out and out[-1] == " ":
                out.pop()
            out += [latin, " "]
        elif wide and unicodedata.name(char, "").startswith("CJK"):  # a syllable of its own
            if out and out[-1][-1] not in " ([{<":
                out.append(" ")
            out += [latin, " "]
        else:
            out.append(latin)
    return out


def _place_text(glyphs: Glyphs, xy: tuple[int, int], text: str, size: int,
                colour: tuple[int, int, int]) -> tuple[int, int, int, int]:
    """The glyphs that draw `text` (`drawable` text) at `xy` (its top left, as `ImageDraw.text`
    places it), added to `glyphs`, and the box they cover (left, top, right, bottom). Pasted
    from the glyph cache they make the same pixels as `ImageDraw.text` (no kerning and whole
    pixel advances, see `_font`: each glyph sits where the line's layout puts it), without
    FreeType loading, hinting and rasterising every glyph again for every card."""
    x, y = xy
    box = _EMPTY
    for char in text:
        advance, mask, (dx, dy) = _glyph(size, char)
        if mask is not None:
            glyphs.append((x + dx, y + dy, mask, colour))
            box = _union(box, (x + dx, y + dy, x + dx + mask.width, y + dy + mask.height))
        x += advance
    return box


@functools.lru_cache(maxsize=2048)
def _glyph(size: int, char: str) -> tuple[int, "object | None", tuple[int, int]]:
    """One glyph of the card font at `size`: its advance, its coverage mask (None when it draws
    nothing, as a space) and where the mask goes from the pen. Kept per worker: a show's titles
    use a few dozen characters, and rendering a glyph costs more than pasting it."""
    from PIL import Image, ImageDraw

    font = _font(size)
    advance = int(font.getlength(char))  # whole pixels (see _font; tests/test_cards.py)
    left, top, right, bottom = font.getbbox(char)
    if right <= left or bottom <= top:
        return advance, None, (0, 0)
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), char, font=font, fill=255)
    return advance, mask, (left, top)


def _text_width(text: str, size: int) -> int:
    """The width `ImageDraw.textlength` gives `text`: the sum of its glyphs' advances (the card
    font has no kerning; a test keeps that true)."""
    advances = _ADVANCES.setdefault(size, {})
    try:
        return sum(map(advances.__getitem__, text))
    except KeyError:
        for char in text:
            advances[char] = _glyph(size, char)[0]
        return sum(map(advances.__getitem__, text))


_ADVANCES: dict[int, dict[str, int]] = {}  # size -> char -> advance: what wrapping measures, per worker


def _wrap(text: str, size: int, width: int) -> list[str]:
    """Words (between the spaces of `drawable` text) into lines no wider than `width`. A line
    may also end after a word's own hyphen (`Datenschutz-` `Grundverordnung`, as browsers
    break); a part still too long for a line (a German compound, a transliterated Chinese
    title) is broken over lines by `_break_word`, from the end of the line before when 3
    letters fit there. Each part is measured once: a line's width is its parts' widths and the
    spaces between them."""
    lines: list[str] = []
    line = ""
    line_width = 0
    space = _text_width(" ", size)
    for word in filter(None, text.split(" ")):
        for index, part in enumerate(_PARTS.split(word) if "-" in word else (word,)):
            gap, joint = (space, " ") if index == 0 and line else (0, "")
            part_width = _text_width(part, size)
            if line and line_width + gap + part_width <= width:
                line, line_width = line + joint + part, line_width + gap + part_width
                continue
            if line and part_width > width:  # too long for any line: it starts on this one
                head, rest = _break_word(part, size, width - line_width - gap)
                if len(head) > 3 and line_width + gap + _text_width(head, size) <= width:
                    line, part, part_width = line + joint + head, rest, _text_width(rest, size)
            if line:
                lines.append(line)
            while part_width > width and len(part) > 1:
                head, part = _break_word(part, size, width)
                lines.append(head)
                part_width = _text_width(part, size)
            line, line_width = part, part_width
    if line:
        lines.append(line)
    return lines or [""]


_PARTS = re.compile(r"(?<=\w-)(?=\w)")  # after a hyphen between letters: a line may end there


def _break_word(word: str, size: int, width: int) -> tuple[str, str]:
    """A word wider than `width` as its first line, with a hyphen, and the rest: as many
    letters as fit (no dictionary: `Freundschaftsbezie-` `hungen`), at least one, leaving at
    least two for the rest when the word has four or more."""
    advances = _ADVANCES[size]  # filled: `_wrap` measured the word
    room = width - _text_width("-", size)
    cut, used = 1, advances[word[0]]
    while cut < len(word) - 2 and used + advances[word[cut]] <= room:
        used += advances[word[cut]]
        cut += 1
    return word[:cut] + "-", word[cut:]


def _cut_words(line: str, size: int, width: int) -> str:
    """`line` with an ellipsis after it, words taken off its end until that fits in `width`."""
    words = line.split(" ")
    while len(words) > 1 and _text_width(" ".join(words) + "…", size) > width:
        words.pop()
    return _fit_line(" ".join(words) + "…", size, width)


def _fit_line(text: str, size: int, width: int) -> str:
    """`text`, cut with an ellipsis when it is wider than `width`."""
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"
