"""Generate a synthetic castnotes show of N episodes for benchmarking.

The show is realistic in shape: a castnotes.toml with a 1400x1400 JPEG cover, and
N episode folders, each with an episode.md (YAML front matter + ~300 words of
Markdown takeaways) and one audio file. The audio comes from a handful of short
(or, with `long=True`, one-hour) source files encoded once in every podcast format;
each episode gets a copy retagged with mutagen, so that no two files are alike.

Everything derived from an episode index (text, GUID, format) is seeded by that
index, so episode 17 looks the same whatever N is.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

SHOW_URL = "https://bench.castnotes.example/"
GUID_NAMESPACE = uuid.UUID("0e5b1c1e-2f49-4d0c-9a53-6b7f0c2d9e11")
LONG_SECONDS = 3600

# One entry per podcast format: (name, file suffix). The round-robin below leans
# toward MP3, as real shows do (6 in 10 episodes; 1 in 10 is a CBR MP3 without the
# Xing/Info header, which some encoders and hosting pipelines produce).
FORMATS: dict[str, str] = {
    "mp3-vbr": ".mp3",
    "mp3-cbr": ".mp3",
    "mp3-bare": ".mp3",
    "m4a": ".m4a",
    "ogg": ".ogg",
    "opus": ".opus",
    "flac": ".flac",
}
ROTATION = ("mp3-vbr", "mp3-cbr", "mp3-vbr", "m4a", "mp3-cbr",
            "ogg", "mp3-vbr", "opus", "mp3-bare", "flac")

SPEECH = (
    "Welcome back to the benchmark hour. Today we talk about friendship, loneliness "
    "and the small habits that keep people connected, even when life gets busy."
)

WORDS = """
friend friendship connection loneliness belonging habit listen listening empathy trust
support routine morning evening walk call message neighbour community group circle
family partner colleague stranger kindness patience gratitude honesty boundary rest
sleep stress anxiety calm breath attention presence curiosity question answer story
memory childhood school work weekend holiday kitchen table coffee tea letter phone
distance city village park garden bench library club choir team volunteer mentor
therapy counsellor research study survey evidence hour week month year season change
small simple honest gentle brave quiet loud slow steady warm open careful generous
notice share ask invite offer remember forget forgive repair return begin practice
""".split()
CATEGORIES = ("friendship", "loneliness", "mental health", "habits", "community",
              "research", "family", "work")
GUEST_NAMES = ("Ana Lopez", "Kwame Mensah", "Mei Tanaka", "Oskar Berg", "Priya Nair",
               "Lena Fischer", "Tomás Ruiz", "Aisha Bello")


@dataclass(frozen=True)
class Sources:
    """The encoded source audio files, one per format name."""

    files: dict[str, Path]

    def for_index(self, index: int) -> tuple[str, Path]:
        name = ROTATION[(index - 1) % len(ROTATION)]
        return name, self.files[name]


# --- audio sources -----------------------------------------------------------------

def _run(cmd: list[str]) -> None:
    """Run a generator command quietly; show its output if it fails."""
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"command failed: {' '.join(cmd)}\n{result.stderr[-2000:]}")


def make_sources(folder: Path, long: bool = False) -> Sources:
    """Encode the source audio once per format into `folder` (reused when present)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / "base.wav"
    if not base.exists():
        _make_base_wav(base, folder, long)
    files = {}
    for name, suffix in FORMATS.items():
        target = folder / f"{name}{suffix}"
        recipe = folder / f"{name}.cmd"  # re-encode when the recipe changed
        partial = target.with_name(f"partial-{target.name}")
        command = _encode_command(name, base, partial)
        if not (target.exists() and recipe.exists() and recipe.read_text() == " ".join(command)):
            _run(command)
            partial.rename(target)
            recipe.write_text(" ".join(command))
        files[name] = target
    return Sources(files)


def _make_base_wav(base: Path, folder: Path, long: bool) -> None:
    """~10 s of espeak-ng speech (mono 22.05 kHz); looped to one hour when `long`."""
    speech = folder / "speech.wav"
    _run(["espeak-ng", "-s", "150", "-w", str(speech), SPEECH])
    if not long:
        speech.rename(base)
        return
    _run(["ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-stream_loop", "-1",
          "-i", str(speech), "-t", str(LONG_SECONDS), "-ac", "1", "-ar", "22050", str(base)])
    speech.unlink()


def _encode_command(name: str, wav: Path, out: Path) -> list[str]:
    ffmpeg = ["ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-i", str(wav), "-vn"]
    if name == "mp3-vbr":  # LAME VBR writes a Xing header
        return ["lame", "--quiet", "-V", "7", str(wav), str(out)]
    if name == "mp3-cbr":  # LAME CBR writes an Info (Xing-style) header (when frames fit it:
        # at 22.05 kHz that takes 56 kbit/s or more)
        return ["lame", "--quiet", "--cbr", "-b", "64", str(wav), str(out)]
    if name == "mp3-bare":  # CBR without the Info header (-t), as some encoders write it
        return ["lame", "--quiet", "--cbr", "-b", "48", "-t", str(wav), str(out)]
    if name == "m4a":
        return ffmpeg + ["-c:a", "aac", "-b:a", "48k", "-f", "ipod", str(out)]
    if name == "ogg":
        return ffmpeg + ["-c:a", "libvorbis", "-q:a", "1", "-f", "ogg", str(out)]
    if name == "opus":
        return ffmpeg + ["-c:a", "libopus", "-b:a", "24k", "-f", "opus", str(out)]
    if name == "flac":  # kept small: mono 16 kHz
        return ffmpeg + ["-ac", "1", "-ar", "16000", "-c:a", "flac", "-f", "flac", str(out)]
    raise ValueError(f"unknown format {name!r}")


def retag(path: Path, title: str, track: int) -> None:
    """Give a copied audio file its own title and track number (so every file differs)."""
    import mutagen

    audio = mutagen.File(path, easy=True)
    if audio is None:
        raise RuntimeError(f"mutagen cannot open {path}")
    if audio.tags is None:
        audio.add_tags()
    audio["title"] = title
    audio["tracknumber"] = str(track)
    audio["artist"] = "Sam Rivera"
    audio["album"] = "The Benchmark Hour"
    audio.save()


# --- show settings and artwork ----------------------------------------------------------

def write_settings(root: Path) -> None:
    """castnotes.toml plus a 1400x1400 JPEG cover."""
    _make_cover(root / "cover.jpg")
    (root / "castnotes.toml").write_text(
        "[show]\n"
        'title = "The Benchmark Hour"\n'
        'description = "A synthetic show for measuring how fast **castnotes** builds."\n'
        f'url = "{SHOW_URL}"\n'
        'language = "en"\n'
        'author = "Sam Rivera"\n'
        'owner = { name = "Sam Rivera", email = "sam@bench.castnotes.example" }\n'
        'image = "cover.jpg"\n'
        'categories = ["Health & Fitness/Mental Health"]\n'
        'timezone = "America/New_York"\n',
        encoding="utf-8",
    )


def _make_cover(path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1400, 1400), (32, 64, 96))
    draw = ImageDraw.Draw(image)
    for step in range(0, 1400, 50):
        draw.ellipse((step // 2, step // 2, 1400 - step // 2, 1400 - step // 2),
                     outline=(200, 120 + step % 100, 80), width=6)
    image.save(path, "JPEG", quality=85)


# --- episodes ---------------------------------------------------------------------------

def folder_name(index: int) -> str:
    return f"{index:05d}-episode-{index}"


def first_date(count: int) -> date:
    """Episodes are one day apart and all in the past, with room for a few more."""
    return date.today() - timedelta(days=count + 10)


def add_episode(root: Path, index: int, start: date, sources: Sources) -> Path:
    """Write episode `index`: its folder, episode.md and a retagged audio copy."""
    folder = root / "episodes" / folder_name(index)
    folder.mkdir(parents=True)
    rng = random.Random(index)
    title = _title(rng, index)
    published = datetime.combine(start + timedelta(days=index - 1), time(6, 0))
    (folder / "episode.md").write_text(
        _front_matter(rng, index, title, published) + _body(rng, index), encoding="utf-8")
    _, source = sources.for_index(index)
    audio = folder / f"episode-{index}{source.suffix}"
    shutil.copyfile(source, audio)
    retag(audio, title, index)
    return folder


def generate_show(root: Path, count: int, sources: Sources) -> None:
    """A fresh show of `count` episodes in `root` (anything there is replaced)."""
    if root.exists():
        shutil.rmtree(root)
    (root / "episodes").mkdir(parents=True)
    write_settings(root)
    start = first_date(count)
    for index in range(1, count + 1):
        add_episode(root, index, start, sources)


def is_generated(root: Path, count: int) -> bool:
    """True when `root` holds a show generated with exactly `count` episodes (for --reuse)."""
    episodes = root / "episodes"
    return ((root / "castnotes.toml").is_file() and (episodes / folder_name(count) / "episode.md").is_file()
            and not (episodes / folder_name(count + 1)).exists()
            and sum(1 for _ in episodes.iterdir()) == count)


def episode_guid(index: int) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, str(index)))


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _sentence(rng: random.Random, count: int) -> str:
    text = _words(rng, count)
    return text[0].upper() + text[1:] + "."


def _title(rng: random.Random, index: int) -> str:
    return f"Episode {index}: {_words(rng, rng.randint(2, 5)).title()}"


def _front_matter(rng: random.Random, index: int, title: str, published: datetime) -> str:
    lines = [
        "---",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"date: {published:%Y-%m-%d %H:%M}",
        f"guid: {episode_guid(index)}",
        f"summary: {json.dumps(_sentence(rng, 18) + ' ' + _sentence(rng, 12))}",
        f"categories: {json.dumps(rng.sample(CATEGORIES, rng.randint(1, 3)))}",
    ]
    if index % 3 == 0:
        name = "Dr. " + rng.choice(GUEST_NAMES)
        slug = name.lower().replace(". ", "-").replace(" ", "-")
        lines.append(f'guests: [{{name: {json.dumps(name, ensure_ascii=False)}, '
                     f'href: "https://people.example/{slug}"}}]')
    lines.append("---")
    return "\n".join(lines) + "\n"


def _body(rng: random.Random, index: int) -> str:
    """About 300 words: intro, a takeaways list with bold leads, a paragraph of links."""
    parts = [" ".join(_sentence(rng, rng.randint(8, 14)) for _ in range(3)), "",
             "## My favourite takeaways", ""]
    for number in range(1, rng.randint(5, 7) + 1):
        lead = _words(rng, rng.randint(2, 4)).capitalize()
        parts.append(f"{number}. **{lead}**: {_sentence(rng, rng.randint(18, 28))}")
    parts.append("")
    links = [f"[{_words(rng, 2)}](https://example.org/{rng.choice(WORDS)}/{index})",
             f"[the *{rng.choice(WORDS)}* study](https://research.example/{index}.pdf)"]
    if index > 1:
        earlier = rng.randint(1, index - 1)
        links.append(f"[an earlier episode](../{folder_name(earlier)}/episode.md)")
    parts.append(f"{_sentence(rng, 12)} Read more in {', '.join(links)}. "
                 f"{_sentence(rng, 16)}")
    parts.append("")
    parts.append(f"> {_sentence(rng, 14)}")
    parts.append("")
    parts.append(f"{_sentence(rng, 20)} Thanks for listening, and *{_words(rng, 3)}*.")
    return "\n".join(parts) + "\n"
