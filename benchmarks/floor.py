"""The least work a build with castnotes' features must do on castnotes' stack: a second baseline.

Usage: python benchmarks/floor.py SHOWDIR OUTDIR
       python benchmarks/floor.py --imports-only

`minimal.py` writes the feed and nothing else, so a ratio to it says how much more a tool
does, not how well it does it. This script does what minimal.py does and, for every
episode, the least of what castnotes' site must have: its notes through markdown-it-py,
one Jinja page (autoescaped) holding them, a 1200x630 JPEG share card with its title
(Pillow), then one Pagefind run over the pages. Per-episode work goes to one forked
worker per CPU, as castnotes' does. Nothing else: no listings, archive, categories or
people pages, no feed rules, no takeaways feed, no ledger, no cache, no safety checks.
What a castnotes build costs beyond this is castnotes' own.

`--imports-only` imports the libraries a build that adds one episode needs (it reads one
audio file, renders one episode's notes and pages, draws one card, writes the feed) and
exits: the least any such build costs when it runs as a fresh process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import quote

STACK = ("mutagen", "yaml", "markdown_it", "jinja2", "PIL.Image", "PIL.ImageDraw", "PIL.ImageFont",
         "feedgen.feed", "lxml.etree")

PAGE = """<!doctype html>
<html lang="{{ language }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main data-pagefind-body><h1>{{ title }}</h1>
<audio controls preload="none" src="{{ audio }}"></audio>
{{ notes | safe }}</main></body></html>
"""


TOOLS: dict = {}  # made once in the parent, before the workers fork


def render_episode(job: tuple[Path, Path, str]) -> tuple[dict, str, str, int, float]:
    """One episode's front matter and audio (as minimal.py), page and card; what the feed needs."""
    import mutagen
    import yaml
    from PIL import Image, ImageDraw

    import minimal

    folder, out, language = job
    text = (folder / "episode.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    audio_path = minimal.find_audio(folder)
    audio = mutagen.File(audio_path)
    slug = folder.name.split("-", 1)[1]
    notes = TOOLS["markdown"].render(body)
    page = TOOLS["page"].render(
        language=language, title=meta["title"], notes=notes, audio=quote(f"/media/{slug}/{audio_path.name}"))
    page_dir = out / "site" / "episodes" / slug
    page_dir.mkdir(parents=True, exist_ok=True)
    (page_dir / "index.html").write_text(page, encoding="utf-8")
    card = Image.new("RGB", (1200, 630), (32, 40, 56))
    ImageDraw.Draw(card).text((60, 260), meta["title"], fill=(255, 255, 255),
                              font=TOOLS["font"])
    card.save(page_dir / "card.jpg", quality=85)
    return meta, audio_path.name, audio.mime[0], audio_path.stat().st_size, audio.info.length


def build(root: Path, out: Path) -> int:
    """The feed (as minimal.py writes it), a page and a card per episode, and a search index."""
    import tomllib
    from zoneinfo import ZoneInfo

    import markdown_it
    from jinja2 import Environment
    from PIL import ImageFont
    from pagefind_bin import get_executable

    import minimal

    TOOLS.update(markdown=markdown_it.MarkdownIt("commonmark"), font=ImageFont.load_default(size=56),
                 page=Environment(autoescape=True).from_string(PAGE))
    show = tomllib.loads((root / "castnotes.toml").read_text(encoding="utf-8"))["show"]
    zone = ZoneInfo(show.get("timezone", "UTC"))
    feed = minimal.show_feed(show)
    folders = sorted(p for p in (root / "episodes").iterdir() if (p / "episode.md").is_file())
    jobs = [(folder, out, show["language"]) for folder in reversed(folders)]  # newest first
    with get_context("fork").Pool(len(os.sched_getaffinity(0))) as pool:
        results = pool.map(render_episode, jobs, chunksize=16)
    for folder, (meta, name, mime, size, length) in zip(reversed(folders), results):
        minimal.add_entry(feed, folder, show, zone, meta, name, size, mime, length)
    feed.rss_file(str(out / "site" / "feed.xml"), pretty=False)
    subprocess.run([str(get_executable()), "--site", str(out / "site"), "--silent",
                    "--force-language", show["language"]], check=True, stdin=subprocess.DEVNULL)
    return len(folders)


def main() -> None:
    if sys.argv[1:] == ["--imports-only"]:
        for name in STACK:
            __import__(name)
        return
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.split("\n\n")[1])
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # minimal.py, also in the workers
    build(Path(sys.argv[1]), Path(sys.argv[2]))


if __name__ == "__main__":
    main()
