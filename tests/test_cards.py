"""Share cards (read/images.py): the glyph cache draws what ImageDraw.text draws, wrapping gives
the lines measuring whole lines gives, a card's JPEG, spliced from its show's base and the
stretches its text covers, is the whole card's JPEG, the same bytes every time, and no title in
any script draws a box for a letter the font lacks."""

from __future__ import annotations

import io
import re
import struct
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
    "AVATAR: To Tyne, LTA Wave, «Yo» P. F, Tê Vå — kerning pairs",
    "E-Mail-Adressen und -5 °C im Ost-West-Vergleich: Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz",
    "Gesundheitsversorgung: Freundschaftsbeziehungen und die Datenschutz-Grundverordnung",
]
NO_TOFU = "Écoute ça: Straße, Ñandú, Ελληνικά, Кириллица"


def _font(size: int) -> ImageFont.FreeTypeFont:
    """The card font as ImageDraw would use it, loaded here, not through the code under test."""
    return ImageFont.truetype(str(images.CARD_FONT), size, layout_engine=ImageFont.Layout.BASIC)


def _clear_caches() -> None:
    for cached in (images._card_base, images._tile, images._base_jpeg, images._glyph, images._font,
                   images._font_characters):
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
    size, lines = images._title_lines(images.drawable(job.title), CARD_SIZE[0] - left - images.CARD_MARGIN)
    y = 160
    for line in lines:
        draw.text((left, y), line, font=_font(size), fill=(255, 255, 255))
        y += int(size * 1.2)
    if job.label:
        draw.text((left, CARD_SIZE[1] - 124), images.drawable(job.label), font=_font(32), fill=(200, 226, 216))
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
        def broken(word: str, room: float) -> tuple[str, str]:  # the letters that fit, and "-"
            fits = max(n for n in range(1, max(1, len(word) - 2) + 1)
                       if n == 1 or font.getlength(word[:n] + "-") <= room)
            return word[:fits] + "-", word[fits:]

        lines, line = [], ""
        for word in text.split():
            for index, part in enumerate(re.split(r"(?<=\w-)(?=\w)", word)):  # after its hyphens
                joint = " " if index == 0 and line else ""
                if line and font.getlength(line + joint + part) <= width:
                    line += joint + part
                    continue
                if line and font.getlength(part) > width:  # too long for a line: starts on this one
                    head, rest = broken(part, width - font.getlength(line + joint))
                    if len(head) > 3 and font.getlength(line + joint + head) <= width:
                        line, part = line + joint + head, rest
                if line:
                    lines.append(line)
                while font.getlength(part) > width and len(part) > 1:
                    head, part = broken(part, width)
                    lines.append(head)
                line = part
        return [*lines, line] if line else lines or [""]

    words = " ".join(TITLES).split()
    texts = TITLES + [" ".join(words[i:i + n]) for i in range(0, len(words), 3) for n in (4, 9, 17)]
    texts = [images.drawable(text) for text in texts]
    for size in (*images.TITLE_SIZES, 34, 32):
        font = _font(size)
        for text in texts:
            assert images._text_width(text, size) == font.getlength(text)  # no kerning: sums hold
            for width in (300, 510, 580, 1060):
                assert images._wrap(text, size, width) == measured(text, font, width), (text, size, width)


def test_the_card_font_has_no_kerning_for_the_glyph_cache_to_miss() -> None:
    """The glyph cache and wrapping add up advances; DejaVu's kerning lives in GPOS and `kern`,
    which the subset leaves out (and the basic layout would read `kern`): neither may come back."""
    data = images.CARD_FONT.read_bytes()
    tags = {data[at:at + 4] for at in range(12, 12 + 16 * struct.unpack_from(">H", data, 4)[0], 16)}
    assert b"glyf" in tags and b"cmap" in tags
    assert not tags & {b"kern", b"GPOS", b"GSUB"}, tags
    font = _font(64)
    for pair in ("AV", "To", "Ty", "LT", "Wa", "Yo", "P.", "F,", "«Y", "Тя", "ΑΥ"):
        assert font.getlength(pair) == sum(font.getlength(c) for c in pair) == images._text_width(pair, 64)


def test_a_title_too_long_for_five_lines_ends_with_an_ellipsis() -> None:
    size, lines = images._title_lines(TITLES[3] * 2, 510)
    assert size == images.TITLE_SIZES[-1] and len(lines) == 5 and lines[-1].endswith("…")
    assert all(images._text_width(line, size) <= 510 for line in lines)
    assert " ".join(lines)[:-1].rstrip() in TITLES[3] * 2  # cut after a whole word
    size, lines = images._title_lines(TITLES[0], 510)
    assert size == 64 and " ".join(lines) == TITLES[0] and len(lines) == 3


def _notdef(size: int) -> bytes:
    """What the font draws for a character it has no glyph for (its .notdef box): U+E000, a
    private-use character no font of this kind maps."""
    return bytes(_font(size).getmask("\ue000"))


def test_the_fonts_characters_are_those_freetype_finds_a_glyph_for() -> None:
    """`_font_characters` reads the font's cmap; FreeType must agree: every character in it
    draws something other than the .notdef box, and characters outside it draw the box."""
    characters = images._font_characters()
    assert len(characters) > 1500 and set(NO_TOFU) <= characters
    box = _notdef(40)
    assert box and any(box)  # the box has an outline: a missing letter would show
    font = _font(40)
    for char in sorted(characters):
        assert bytes(font.getmask(char)) != box, f"U+{ord(char):04X} draws the .notdef box"
    for char in "数字ポ한글مرحباשלוםกขऄ🎙😀\u2603\u2200":
        assert char not in characters and bytes(font.getmask(char)) == box, f"U+{ord(char):04X}"


def test_accented_greek_and_cyrillic_titles_draw_no_box(art: Path) -> None:
    """The issue's title: every character is the font's and is drawn as it is written."""
    assert images.drawable(NO_TOFU) == NO_TOFU
    assert images.drawable("E\u0301coute c\u0327a") == "Écoute ça"  # decomposed accents composed
    for size in images.TITLE_SIZES:
        font = _font(size)
        left, top, right, bottom = font.getbbox("\ue000")
        box = Image.new("L", (right - left, bottom - top), 0)
        ImageDraw.Draw(box).text((-left, -top), "\ue000", font=font, fill=255)  # as _glyph draws
        assert box.getbbox() is not None
        for char in set(NO_TOFU) - {" "}:
            mask = images._glyph(size, char)[1]
            assert mask is not None and mask.tobytes() != box.tobytes(), char
    job = CardJob(NO_TOFU, "Französisch für Anfänger", "Folge 3 · 42 Min.", art)
    whole = io.BytesIO()
    save_card(draw_card(job), whole)
    assert card_jpeg(job) == whole.getvalue()
    difference = ImageChops.difference(draw_card(job), _reference(job))
    assert max(high for _, high in difference.getextrema()) <= 2


def test_a_title_in_a_script_the_font_lacks_is_transliterated_and_emoji_left_out(art: Path) -> None:
    """Chinese, Japanese, Korean, Arabic, Hebrew, Thai: anyascii's Latin letters, not boxes;
    emoji and other symbols the font lacks: left out; nothing crashes."""
    characters = images._font_characters()
    cases = {
        "数字播客：未来": "Shu Zi Bo Ke: Wei Lai",
        "🎙️ Live 😀 now 👍🏽": "Live now",
        "Ça va ? 한국어 팟캐스트": "Ça va ? HanGugEo PasKaeSeuTeu",
        "مرحبا שלום สวัสดี": "mrhb slvm swasdi",
        "≤ 5 €": "<= 5 €",
        "Freund\u00adschaft": "Freundschaft",
        "🎧🎧": "",
    }
    for title, expected in cases.items():
        assert images.drawable(title) == expected, title
    for title in [*cases, "《日本》のポッドキャスト 第3回", "数字" * 80, "\x00\x1b\u200b\ufeff\U0010FFFF"]:
        drawn = images.drawable(title)
        assert set(drawn) <= characters, (title, drawn)
        job = CardJob(title, "播客 🎙", "S1 E3 · 42 min", art)
        with Image.open(io.BytesIO(card_jpeg(job))) as card:
            card.load()
            assert card.size == CARD_SIZE


def test_a_long_german_title_keeps_its_words(art: Path) -> None:
    """German words are long and the text column beside the artwork is 510 px: a compound must
    fit at a smaller size, a line may end after a word's own hyphen, and a word too long even
    at the smallest size is broken with a hyphen rather than cut with "…"."""
    width = CARD_SIZE[0] - 620 - images.CARD_MARGIN
    size, lines = images._title_lines(TITLES[-1], width)
    assert lines == ["Gesundheitsversorgung:", "Freundschaftsbeziehungen", "und die Datenschutz-",
                     "Grundverordnung"], lines
    assert size in images.TITLE_SIZES and all(images._text_width(line, size) <= width for line in lines)
    word = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz"
    size, lines = images._title_lines(f"Das {word} erklärt", width)
    assert size == images.TITLE_SIZES[-1] and not lines[-1].endswith("…")
    assert lines[0].startswith("Das Rind") and all(line.endswith("-") for line in lines[:-1]), lines
    assert "".join(line.removesuffix("-") for line in lines) == f"Das {word} erklärt"  # every letter
    assert all(images._text_width(line, size) <= width for line in lines)
    card = card_jpeg(CardJob(f"Das {word} erklärt", "Die Gesprächsstunde", "Folge 3 · 42 Min.", art))
    with Image.open(io.BytesIO(card)) as picture:
        picture.load()
