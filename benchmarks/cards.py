"""How much CPU one share card costs: drawing and JPEG encoding, measured apart.

    PYTHONPATH=src python benchmarks/cards.py                 # 300 cards, artwork, mixed titles
    PYTHONPATH=src python benchmarks/cards.py -n 1000 --profile
    PYTHONPATH=src python benchmarks/cards.py --png /tmp/cards   # also save a few cards to look at

The cards are drawn the way a build's worker draws them (`castnotes.read.images`): one show,
one artwork shared by every episode, so the shared base (background, artwork, show name) is
drawn once and each card adds its title and label. Titles are realistic: the benchmark show's
"Episode N: Three Words" kind, longer ones that wrap onto 2-5 lines, Cyrillic ones and long
German ones (words broken over lines); `--png` adds a word too long for a line, accents and a
Chinese and Japanese title (transliterated, as the card font has Latin, Greek and Cyrillic only). CPU time is `time.process_time` (this process only), the median of
`--runs` runs (and the least, less moved by a busy machine), in milliseconds per card.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from castnotes.read import images
from castnotes.read.images import CardJob, draw_card

WORDS = ("hour practice forget routine support year study message curiosity evening share invite "
         "work begin open friendship kitchen warm gratitude distance loneliness counsellor honesty "
         "garden presence connection phone evidence brave colleague memory").split()

SAMPLES = {  # named cards, saved with --png to look at
    "short": "Episode 4: Curiosity Evening Share",
    "long": ("Why we stopped calling our parents on Sundays, and what the research on loneliness, "
             "distance, habit and the quiet kitchen table says about starting again this year "
             "with one short call at a time"),
    "nonlatin": "Эпизод 12: Одиночество, дружба и тишина на кухне поздно вечером",
    "longword": "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung explained",
    "german": ("Folge 12: Warum Freundschaftsbeziehungen im Erwachsenenalter schwieriger werden "
               "und was die Datenschutz-Grundverordnung damit zu tun hat"),
    "accents": "Écoute ça: Straße, Ñandú, Ελληνικά, Кириллица, Łódź, Žluťoučký kůň",
    "cjk": "播客第12集：我们如何倾听彼此 🎙️ ポッドキャスト",
}


def titles(count: int) -> list[str]:
    """`count` titles: mostly short ones like the benchmark show's, every fifth a long one."""
    found = []
    for i in range(1, count + 1):
        n = 2 + (i * 7) % 4
        words = [WORDS[(i * 13 + k * 5) % len(WORDS)].capitalize() for k in range(n)]
        title = f"Episode {i}: {' '.join(words)}"
        if i % 5 == 0:
            title += ", " + " ".join(WORDS[(i + k * 3) % len(WORDS)] for k in range(8 + i % 17))
        if i % 23 == 0:
            title = SAMPLES["nonlatin"].replace("12", str(i))
        if i % 29 == 0:
            title = SAMPLES["german"].replace("12", str(i))
        found.append(title)
    return found


def make_art(folder: Path) -> Path:
    """A 600x600 JPEG like a web copy of a show's artwork (a gradient with shapes)."""
    art = Image.linear_gradient("L").resize((600, 600)).convert("RGB")
    art = Image.merge("RGB", (art.getchannel(0), art.getchannel(0).rotate(90), Image.new("L", (600, 600), 90)))
    draw = ImageDraw.Draw(art)
    draw.ellipse((120, 120, 480, 480), fill=(240, 200, 60))
    draw.text((150, 270), "THE BENCHMARK HOUR", fill=(20, 20, 20), font_size=30)
    path = folder / "cover-600.jpg"
    art.save(path, quality=85)
    return path


def encode(card: "Image.Image") -> bytes:
    """The card's JPEG as a build writes it."""
    out = io.BytesIO()
    save = getattr(images, "save_card", None)
    if save is not None:
        save(card, out)
    else:  # the code before save_card existed
        card.save(out, "JPEG", quality=images.JPEG_QUALITY)
    return out.getvalue()


def run(jobs: list[CardJob]) -> tuple[float, float, float, int]:
    """CPU seconds drawing `jobs`, encoding the whole drawn cards, and making their JPEGs as a
    build does (`card_jpeg`, when there is one: drawing and encoding what the text covers),
    with the caches cleared first, as in a new worker; and the JPEGs' bytes."""
    images._card_base.cache_clear()
    images._tile.cache_clear()
    if hasattr(images, "_base_jpeg"):
        images._base_jpeg.cache_clear()
    draw = enc = build = 0.0
    size = 0
    for job in jobs:
        start = time.process_time()
        card = draw_card(job)
        middle = time.process_time()
        data = encode(card)
        end = time.process_time()
        if hasattr(images, "card_jpeg"):
            data = images.card_jpeg(job)
        build += time.process_time() - end if hasattr(images, "card_jpeg") else end - start
        size += len(data)
        enc += end - middle
        draw += middle - start
    return draw, enc, build, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--cards", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-art", action="store_true", help="cards without artwork")
    parser.add_argument("--profile", action="store_true", help="cProfile one run, top 15 by own time")
    parser.add_argument("--png", type=Path, help="save the sample cards (PNG) in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        art = None if args.no_art else make_art(Path(tmp))
        jobs = [CardJob(title, "The Benchmark Hour", f"S1 E{i} · {20 + i % 40} min", art)
                for i, title in enumerate(titles(args.cards), 1)]
        run(jobs[:5])  # fonts loaded, imports done: a worker pays that once
        results = [run(jobs) for _ in range(args.runs)]
        draw, enc, build = (statistics.median(r[i] for r in results) / len(jobs) * 1000 for i in range(3))
        least = min(r[2] for r in results) / len(jobs) * 1000
        size = results[0][3] / len(jobs) / 1024
        print(f"{len(jobs)} cards ({'no art' if art is None else 'artwork'}), CPU ms per card: "
              f"draw {draw:.2f} + encode whole card {enc:.2f} = {draw + enc:.2f}; as a build makes "
              f"it: {build:.2f} (least of {len(results)} runs: {least:.2f}); {size:.1f} KB per card; "
              f"recipe {images.CARD_RECIPE}")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(run, jobs)
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)
        if args.png:
            args.png.mkdir(parents=True, exist_ok=True)
            for name, title in SAMPLES.items():
                for with_art in (art, None):
                    card = draw_card(CardJob(title, "The Benchmark Hour", "S1 E3 · 42 min", with_art))
                    stem = f"{name}{'' if with_art else '-noart'}"
                    card.save(args.png / f"{stem}.png")
                    (args.png / f"{stem}.jpg").write_bytes(encode(card))
            print(f"samples in {args.png}")


if __name__ == "__main__":
    main()
