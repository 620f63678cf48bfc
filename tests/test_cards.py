"""Share cards (read/images.py): the glyph cache draws what ImageDraw.text draws, wrapping gives
the lines measuring whole lines gives, and a card's JPEG, spliced from its show's base and
the stretches its text covers, is the whole card's JPEG, the same bytes every time."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from castnotes.read import images
from castnotes.read.images import CARD_SIZE, CardJob, card_jpeg, draw_card, save_card

TITLES = [
    "Episode 4: Curiosity Evening Share",
    "One",
    "",
    "Why we stopped calling our parents on Sundays, and what the research on loneliness, distance, "
    "habit and the quiet kitchen table says about starting again this year with one short call at a time",
    "Donaudampfschifffahrtsgesellschaftskapitaenswitwenrentenversicherung explained",
    "Café, Straße & Œuvre: ¿qué pasa? — «ça va» 100 % 'quoted' \"twice\"",
    "Эпизод 12: Одиночество, дружба и тишина на кухне поздно вечером",
    "数字 and tabs\tand  double  spaces",
]


def _clear_caches() -> None:
    for cached in (images._card_base, images._tile, images._base_jpeg, images._glyph, images._font):
        cached.cache_clear()
    images._ADVANCES.clear()


@pytest.fixture()
def art(tmp_path: Path) -> Path:
    path = tmp_path / "cover-600.jpg"
    picture = Image.linear_gradient("L").resize((600, 600)).convert("RGB")
    ImageDraw.Draw(picture).ellipse((100, 100, 500, 500), fill=(240, 200, 60))
    picture.save(path, quality=90)
    return path


def _jobs(art: Path) -> list[CardJob]:
    return [CardJob(title, "The Test Show", label, picture)
            for title in TITLES for label, picture in (("S1 E3 · 42 min", art), ("", None))]


def test_a_cards_jpeg_is_the_whole_cards_jpeg_and_the_same_every_time(art: Path) -> None:
    """card_jpeg encodes only what the text covers and splices the show's base around it: the
    bytes must be those of encoding the whole drawn card, in any order, in a fresh worker."""
    jobs = _jobs(art)
    made = [card_jpeg(job) for job in jobs]
    for job, data in zip(jobs, made):
        whole = io.BytesIO()
        save_card(draw_card(job), whole)
        assert data == whole.getvalue(), job.title
        with Image.open(io.BytesIO(data)) as card:
            assert card.format == "JPEG" and card.size == CARD_SIZE and card.mode == "RGB"
            card.load()  # decodes: the restart markers are where the scan expects them
    _clear_caches()
    assert [card_jpeg(job) for job in reversed(jobs)] == made[::-1]
    assert len(set(made)) == len(jobs)


def _reference(job: CardJob) -> Image.Image:
    """The card as ImageDraw.text draws it (the code before the glyph cache)."""
    stamp = None
    if job.art is not None:
        stat = job.art.stat()
        stamp = (stat.st_size, stat.st_mtime_ns)
    base, left = images._card_base(job.art, stamp, job.show)
    card = base.copy()
    draw = ImageDraw.Draw(card)
    size, lines = images._title_lines(job.title, CARD_SIZE[0] - left - images.CARD_MARGIN)
    y = 160
    for line in lines:
        draw.text((left, y), line, font=ImageFont.load_default(size), fill=(255, 255, 255),
                  stroke_width=1, stroke_fill=(255, 255, 255))
        y += int(size * 1.2)
    if job.label:
        draw.text((left, CARD_SIZE[1] - 124), job.label, font=ImageFont.load_default(32), fill=(200, 226, 216))
    return card


def test_the_title_and_label_are_drawn_as_imagedraw_draws_them_where_they_belong(art: Path) -> None:
    for job in _jobs(art):
        card = draw_card(job)
        difference = ImageChops.difference(card, _reference(job))
        assert max(high for _, high in difference.getextrema()) <= 2, job.title  # rounding only
    # the text is there, in white, right of the artwork, from y=160; the rest is the base
    card = draw_card(CardJob("Hello world", "Show", "", art))
    base = images._card_base(art, (art.stat().st_size, art.stat().st_mtime_ns), "Show")[0]
    changed = ImageChops.difference(card, base).getbbox()
    assert changed is not None
    left, top, right, bottom = changed
    assert 620 <= left < 640 and 150 <= top <= 175 and right < 1130 and bottom < 160 + 64 * 1.2
    white = card.crop(changed).convert("L").point(lambda v: 255 if v > 240 else 0)
    assert white.getbbox() is not None and white.histogram()[255] > 1000  # strokes of bold letters


def test_wrapping_word_by_word_gives_the_lines_measuring_whole_lines_gives() -> None:
    """_wrap adds up word widths; the lines must be those ImageDraw.textlength would give."""

    def measured(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
        lines, line = [], ""
        for word in text.split():
            candidate = f"{line} {word}".strip()
            if font.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            if font.getlength(word) > width:
                while line and font.getlength(line + "…") > width:
                    line = line[:-1]
                line = line.rstrip() + "…"
        return [*lines, line] if line else lines or [""]

    words = " ".join(TITLES).split()
    texts = TITLES + [" ".join(words[i:i + n]) for i in range(0, len(words), 3) for n in (4, 9, 17)]
    for size in (64, 56, 48, 42, 34, 32):
        font = ImageFont.load_default(size)
        for text in texts:
            assert images._text_width(text, size) == font.getlength(text)  # no kerning: sums hold
            for width in (300, 510, 580, 1060):
                assert images._wrap(text, size, width) == measured(text, font, width), (text, size, width)


def test_a_title_too_long_for_five_lines_ends_with_an_ellipsis() -> None:
    size, lines = images._title_lines(TITLES[3] * 2, 510)
    assert size == 42 and len(lines) == 5 and lines[-1].endswith("…")
    assert all(images._text_width(line, size) <= 510 for line in lines)
    assert " ".join(lines)[:-1].rstrip() in TITLES[3] * 2  # cut after a whole word
    size, lines = images._title_lines(TITLES[0], 510)
    assert size == 64 and " ".join(lines) == TITLES[0] and len(lines) == 3
