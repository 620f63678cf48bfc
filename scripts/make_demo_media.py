#!/usr/bin/env python3
"""Regenerate the demo show's media: artwork, episode audio and timed transcripts.

The repository is itself a small show, "The Connection Hour" (castnotes.toml and
episodes/ at the repo root). Everything binary in it is made by this one script from
the text below, so it can be rebuilt, reviewed and changed like code.

Run it from anywhere:

    python scripts/make_demo_media.py            # rewrite every generated file
    python scripts/make_demo_media.py --only 003 # just the episodes whose folder starts with 003
    python scripts/make_demo_media.py --people   # just the people's photos (needs only Pillow)

It needs:
  * Python 3.11+ with Pillow and mutagen (both are castnotes dependencies);
    PyYAML (also a dependency) for the front matter chapter check at the end;
  * espeak-ng (speech), lame (MP3) and ffmpeg (M4A/AAC) on PATH, e.g.
    `apt-get install espeak-ng lame ffmpeg fonts-dejavu-core`;
  * a DejaVu TTF font (fonts-dejavu-core on Debian/Ubuntu; found with fc-match otherwise).

It writes:
  artwork.jpg                                 show artwork, 1400x1400 RGB JPEG
  people/<id>.jpg                             the host's and guests' photos named in people.toml:
                                              initials on a gradient, 400x400 RGB JPEG
  episodes/003-belonging-on-your-block/cover.jpg   episode artwork
  episodes/<folder>/connection-hour-<n>.mp3|.m4a   the episodes' audio (espeak-ng speech
                                              with a short synthesised chime, 10-45 s each)
  episodes/002-compassionate-listening/transcript.vtt   timed from the real speech
  episodes/003-belonging-on-your-block/transcript.srt

Episode 001's MP3 carries the interesting tags: cover art (APIC), ID3v2 chapters (CHAP
frames with TIT2 titles, one WXXX link) and a top-level ordered CTOC, so its chapters
come from the audio (its episode.md has no `chapters:`). Episode 003 keeps its chapters
in front matter; the script prints every chapter start and checks that the times in
episode.md still fit the audio (re-edit episode.md if you change the words).

Reproducible: run it twice and you get the same bytes, given the same tool versions (made
with espeak-ng 1.51, LAME 3.100, ffmpeg 5.1 and Pillow 13; other versions give equivalent
files). Speech and chime are assembled in Python (no dither, no random noise), lame writes
no tags of its own, ffmpeg runs with `-map_metadata -1` and bitexact flags (no encoder or
date tags), and the ID3/MP4 tags are written by mutagen with fixed values.
"""

from __future__ import annotations

import argparse
import array
import io
import math
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import wave
from dataclasses import dataclass, field
from pathlib import Path

from mutagen.id3 import (
    APIC,
    CHAP,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TPE1,
    TRCK,
    WXXX,
    CTOCFlags,
)
from mutagen.mp4 import MP4
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
SHOW_TITLE = "The Connection Hour"
HOST = "Sam Rivera"
RATE = 22050  # espeak-ng's native rate; every WAV piece is mono 16-bit at this rate

# --- voices --------------------------------------------------------------------------

@dataclass(frozen=True)
class Voice:
    name: str  # as written in transcripts
    espeak: str  # espeak-ng voice+variant
    speed: int = 160  # words per minute
    pitch: int = 50  # 0-99


VOICES = {
    "sam": Voice("Sam Rivera", "en-us+m3", 158, 46),
    "ana": Voice("Dr. Ana Lopez", "en-us+f3", 162, 58),
    "marcus": Voice("Marcus Bell", "en-us+m1", 150, 32),
    "priya": Voice("Priya Natarajan", "en-gb+f4", 165, 62),
    "jordan": Voice("Jordan Okafor", "en-us+m4", 158, 40),
}

# --- the episodes ----------------------------------------------------------------------

# A line is (speaker, text) or (speaker, text, what espeak should say instead).
Line = tuple[str, ...]


@dataclass
class Chapter:
    title: str
    lines: list[Line]
    url: str | None = None


@dataclass
class Episode:
    folder: str
    filename: str
    title: str
    number: int | None
    date: str  # for the ID3 date tag: same day as the front matter
    chapters: list[Chapter]
    encoder: list[str] = field(default_factory=lambda: ["--abr", "40", "-m", "m"])
    fmt: str = "mp3"
    id3_chapters: bool = False  # write CHAP/CTOC (and cover art) into the MP3
    transcript: str | None = None  # "vtt" or "srt"


EPISODES = [
    Episode(
        "000-trailer", "connection-hour-trailer.mp3", "Welcome to The Connection Hour", None,
        "2026-01-05",
        [Chapter("Trailer", [
            ("sam", "Hi, I'm Sam Rivera, and this is The Connection Hour."),
            ("sam", "Every week I sit down with a researcher, a therapist, or a neighbour who is "
                    "doing something quietly brave."),
            ("sam", "We talk about friendship, belonging, and the everyday work of looking after "
                    "our minds."),
            ("sam", "No lectures and no quick fixes. Just honest conversations, and one or two "
                    "ideas you can try before the week is out."),
            ("sam", "New episodes every Monday. Pull up a chair."),
        ])],
        encoder=["-b", "32", "-m", "m"],  # constant bitrate, for variety
    ),
    Episode(
        "001-why-we-drift-apart", "connection-hour-001.mp3", "Why We Drift Apart", 1, "2026-01-12",
        [
            Chapter("Welcome", [("sam", "Welcome to The Connection Hour. I'm Sam Rivera.")]),
            Chapter("Meet Dr. Ana Lopez", [
                ("sam", "My guest is Dr. Ana Lopez, a social psychologist who studies how adult "
                        "friendships begin, and how they fade.",
                 "My guest is Doctor Ana Lopez, a social psychologist who studies how adult "
                 "friendships begin, and how they fade."),
                ("ana", "Thanks, Sam. I could talk about this all day."),
            ]),
            Chapter("Why we drift apart", [
                ("ana", "Most friendships don't end with an argument. They end with a drift."),
                ("ana", "Someone moves, a baby arrives, a new job eats the evenings, and the easy, "
                        "unplanned time together quietly disappears."),
                ("ana", "Nobody decided to stop being friends. The calendar decided for them."),
            ], url="https://analopez.example/research/drift"),
            Chapter("Small rituals that keep us close", [
                ("sam", "Coming up: why a standing Tuesday walk beats the perfect reunion, and how "
                        "to send the message you've been putting off."),
            ]),
        ],
        id3_chapters=True,
    ),
    Episode(
        "002-compassionate-listening", "connection-hour-002.m4a", "Compassionate Listening", 2,
        "2026-01-19",
        [Chapter("Compassionate Listening", [
            ("sam", "This is The Connection Hour. I'm Sam Rivera."),
            ("sam", "Last time, we talked about how friendships drift. Today: what to do when a "
                    "friend finally tells you how they're really doing."),
            ("marcus", "The instinct is to fix it. But most of the time, people don't need a "
                       "solution. They need to feel that someone is with them."),
            ("marcus", "One question changes everything: do you want me to help, or do you want "
                       "me to listen?"),
            ("sam", "Marcus Bell is a family therapist, and this conversation changed how I "
                    "answer the phone."),
        ])],
        fmt="m4a",
        transcript="vtt",
    ),
    Episode(
        "003-belonging-on-your-block", "connection-hour-003.mp3", "Belonging on Your Block", 3,
        "2026-01-26",
        [
            Chapter("Intro", [("sam", "Welcome back to The Connection Hour.")]),
            Chapter("The tool library", [
                ("sam", "Priya Natarajan is a community organiser who turned a garage full of "
                        "borrowed drills into the living room of her street."),
                ("priya", "People came for a ladder. They stayed for the conversation."),
            ]),
            Chapter("Stoop hours", [
                ("priya", "Every Sunday at four, a few of us sit on our front steps with a pot of "
                          "tea. No agenda. Anyone who walks by can join."),
            ], url="https://stoophours.example/"),
            Chapter("Start small", [
                ("sam", "Stay with us for Priya's advice on starting small, and why you should ask "
                        "your neighbours for favours, not just offer them."),
            ]),
        ],
        transcript="srt",
    ),
    Episode(
        "004-asking-for-help", "connection-hour-004.mp3", "Asking for Help", 4, "2026-02-02",
        [Chapter("Asking for Help", [
            ("sam", "This is The Connection Hour, and I'm Sam Rivera."),
            ("sam", "Today is about one of the hardest sentences to say out loud: I'm not okay."),
            ("jordan", "For years I thought asking for help made me a burden. Now I train people "
                       "to do exactly that."),
            ("jordan", "Start with one person, one sentence, and one small, specific request."),
            ("sam", "If you're struggling right now, please reach out to someone today. In the "
                    "US, you can call or text 988, any time.",
             "If you're struggling right now, please reach out to someone today. In the "
             "U S, you can call or text nine eight eight, any time."),
        ])],
        encoder=["--resample", "44.1", "-V", "7", "-m", "m"],  # MPEG-1, 44.1 kHz VBR
    ),
    Episode(
        "005-friendships-that-last", "connection-hour-005.mp3", "Friendships That Last", 5,
        "2026-02-09",
        [Chapter("Friendships That Last", [
            ("sam", "Welcome to The Connection Hour. Dr. Ana Lopez is back.",
             "Welcome to The Connection Hour. Doctor Ana Lopez is back."),
            ("ana", "Last time we talked about drift. This time I want to talk about maintenance: "
                    "the unglamorous habits behind every long friendship."),
            ("ana", "Close friends don't need constant contact. They need a rhythm they can both "
                    "rely on."),
            ("ana", "A bit like watering plants: a little and often beats a flood once a year."),
            ("sam", "We'll sketch a simple friendship calendar, and talk about what to do when a "
                    "friend lets you down."),
        ])],
    ),
    Episode(
        "006-your-connection-stories", "connection-hour-006.mp3", "Your Connection Stories", 6,
        "2026-02-12",
        [Chapter("Your Connection Stories", [
            ("sam", "A quick bonus episode, and it's all yours."),
            ("sam", "After our episode on stoop hours, a listener in Ohio put two folding chairs on "
                    "her porch with a sign that said: sit a while. Six neighbours stopped by in "
                    "the first week."),
            ("sam", "Keep your stories coming. Thank you for listening, and for reaching out."),
        ])],
    ),
]

# Front matter chapters kept in episode.md, checked against the audio at the end.
FRONT_MATTER_CHAPTERS = "003-belonging-on-your-block"

GAP_LINE = 0.35  # seconds of silence between lines
GAP_CHAPTER = 0.8  # ... and before a new chapter
CHIME = 1.7  # length of the opening chime
TAIL = 0.8  # silence after the last line

# --- artwork ---------------------------------------------------------------------------

ART_SIZE = 1400


@dataclass(frozen=True)
class ArtSpec:
    lines: tuple[str, ...]  # the big title, one entry per line
    kicker: str  # small caps line at the top
    footer: str  # bottom line
    stops: tuple[tuple[int, int, int], ...]  # gradient, top-left to bottom-right
    ink: tuple[int, int, int]
    motif: str  # "rings", "drift" or "windows"


SHOW_ART = ArtSpec(
    ("The", "Connection", "Hour"),
    "FRIENDSHIP \u00b7 BELONGING \u00b7 MENTAL HEALTH",
    "with Sam Rivera",
    ((250, 205, 150), (236, 128, 96), (132, 52, 88)),
    (255, 246, 232),
    "rings",
)
EPISODE_ART = {
    "001-why-we-drift-apart": ArtSpec(
        ("Why We", "Drift", "Apart"),
        "THE CONNECTION HOUR \u00b7 EPISODE 1",
        "with Dr. Ana Lopez",
        ((255, 214, 170), (214, 120, 120), (70, 58, 110)),
        (255, 246, 232),
        "drift",
    ),
    "003-belonging-on-your-block": ArtSpec(
        ("Belonging", "on Your", "Block"),
        "THE CONNECTION HOUR \u00b7 EPISODE 3",
        "with Priya Natarajan",
        ((246, 214, 160), (208, 140, 92), (64, 104, 96)),
        (255, 246, 232),
        "windows",
    ),
}


def font_path(bold: bool, serif: bool) -> str:
    name = ("DejaVuSerif" if serif else "DejaVuSans") + ("-Bold" if bold else "") + ".ttf"
    for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
                   "/usr/share/fonts/TTF", "/Library/Fonts", "C:/Windows/Fonts"):
        if (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    if shutil.which("fc-match"):
        family = "DejaVu Serif" if serif else "DejaVu Sans"
        found = subprocess.run(["fc-match", "-f", "%{file}", f"{family}:{'bold' if bold else 'book'}"],
                               capture_output=True, text=True).stdout.strip()
        if found.endswith(name):
            return found
    sys.exit(f"font {name} not found: install fonts-dejavu-core")


def gradient(stops: tuple[tuple[int, int, int], ...], size: int) -> Image.Image:
    """A diagonal gradient through the colour stops, top-left to bottom-right."""
    ramp = Image.new("RGB", (256, 1))
    segments = len(stops) - 1
    for x in range(256):
        t = x / 255 * segments
        i = min(int(t), segments - 1)
        f = t - i
        a, b = stops[i], stops[i + 1]
        ramp.putpixel((x, 0), tuple(round(a[c] + (b[c] - a[c]) * f) for c in range(3)))
    # index = (x + y) / 2: a 45-degree ramp
    index = Image.new("L", (size, size))
    row = bytes(min(255, (x * 255) // (2 * (size - 1))) for x in range(2 * size))
    index.frombytes(b"".join(row[y:y + size] for y in range(size)))
    lut = [ramp.getpixel((v, 0)) for v in range(256)]
    image = Image.merge("RGB", [index.point([lut[v][c] for v in range(256)]) for c in range(3)])
    return image


def draw_motif(base: Image.Image, spec: ArtSpec) -> Image.Image:
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    ink = spec.ink
    if spec.motif == "rings":
        # two overlapping circles: two people, and the space they share (lit a little brighter)
        r, cy = 215, 375
        centres = ((820, cy), (1075, cy))
        lens = Image.new("L", base.size, 0)
        for cx, _ in centres:
            disc = Image.new("L", base.size, 0)
            ImageDraw.Draw(disc).ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
            lens = disc if cx == centres[0][0] else ImageChops.multiply(lens, disc)
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ink + (34,))
        layer.paste(Image.new("RGBA", base.size, ink + (110,)), (0, 0), lens)
        for cx, _ in centres:
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=ink + (170,), width=6)
    elif spec.motif == "drift":
        # the same two circles, moving apart
        r = 175
        for cx, cy, alpha in ((850, 385, 70), (1135, 300, 34)):
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ink + (alpha,))
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=ink + (160,), width=6)
        for i in range(6):  # a dotted wake behind the one leaving
            x, y = 1040 - i * 30, 468 + i * 14
            draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=ink + (150 - i * 18,))
    elif spec.motif == "windows":
        # a terrace of windows at dusk, most of them lit
        for col in range(4):
            for row in range(3):
                x, y = 770 + col * 135, 185 + row * 135
                lit = (col * 7 + row * 3) % 4 != 0
                draw.rounded_rectangle((x, y, x + 100, y + 100), radius=12,
                                       fill=ink + ((125 if lit else 28),),
                                       outline=ink + (160,), width=4)
    glow = layer.filter(ImageFilter.GaussianBlur(18))
    out = Image.alpha_composite(base.convert("RGBA"), glow)
    out = Image.alpha_composite(out, layer)
    return out


def make_artwork(spec: ArtSpec, path: Path) -> None:
    size = ART_SIZE
    image = draw_motif(gradient(spec.stops, size), spec)
    draw = ImageDraw.Draw(image)
    margin = 110
    # the title: as large as the longest line allows
    title_path = font_path(bold=True, serif=True)
    font_size = 205
    while True:
        font = ImageFont.truetype(title_path, font_size)
        widest = max(draw.textlength(line, font=font) for line in spec.lines)
        if widest <= size - 2 * margin or font_size <= 80:
            break
        font_size -= 4
    leading = int(font_size * 1.02)
    bottom = size - margin - 90
    top = bottom - leading * len(spec.lines)
    shadow = Image.new("RGBA", image.size, (0, 0, 0, 0))
    shadow_draw = ImageDraw.Draw(shadow)
    for i, line in enumerate(spec.lines):
        shadow_draw.text((margin + 4, top + i * leading + 6), line, font=font, fill=(40, 16, 40, 90))
    image = Image.alpha_composite(image, shadow.filter(ImageFilter.GaussianBlur(8)))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(spec.lines):
        draw.text((margin, top + i * leading), line, font=font, fill=spec.ink + (255,))
    # kicker and footer
    small = ImageFont.truetype(font_path(bold=True, serif=False), 34)
    draw.text((margin, margin - 10), spec.kicker, font=small, fill=spec.ink + (235,))
    rule_y = size - margin - 40
    draw.line((margin, rule_y - 26, margin + 120, rule_y - 26), fill=spec.ink + (255,), width=5)
    footer = ImageFont.truetype(font_path(bold=False, serif=False), 46)
    draw.text((margin, rule_y), spec.footer, font=footer, fill=spec.ink + (255,))
    rgb = image.convert("RGB")
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", quality=88, optimize=True, dpi=(72, 72))
    write_bytes(path, buffer.getvalue())


# The people of people.toml: id -> (name, gradient stops, ink). Stand-ins for real photos.
PEOPLE = {
    "sam-rivera": ("Sam Rivera", ((250, 190, 120), (214, 96, 88), (120, 52, 96)), (255, 248, 238)),
    "ana-lopez": ("Ana Lopez", ((180, 214, 196), (84, 150, 140), (38, 78, 96)), (250, 252, 248)),
    "marcus-bell": ("Marcus Bell", ((200, 196, 232), (118, 112, 184), (58, 48, 110)), (250, 248, 255)),
    "priya-natarajan": ("Priya Natarajan", ((246, 214, 160), (208, 140, 92), (64, 104, 96)),
                        (255, 246, 232)),
    "jordan-okafor": ("Jordan Okafor", ((170, 206, 232), (72, 132, 180), (30, 62, 104)), (246, 250, 255)),
}
PORTRAIT_SIZE = 400


def make_portrait(name: str, stops: tuple[tuple[int, int, int], ...], ink: tuple[int, int, int],
                  path: Path) -> None:
    """Initials on a gradient: a photo stand-in that looks intentional in the feed and on pages."""
    size = PORTRAIT_SIZE
    image = gradient(stops, size).convert("RGBA")
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    font = ImageFont.truetype(font_path(bold=True, serif=True), 168)
    draw = ImageDraw.Draw(image)
    box = draw.textbbox((0, 0), initials, font=font)
    x = (size - (box[2] - box[0])) / 2 - box[0]
    y = (size - (box[3] - box[1])) / 2 - box[1]
    shadow = Image.new("RGBA", image.size, (0, 0, 0, 0))
    ImageDraw.Draw(shadow).text((x + 3, y + 5), initials, font=font, fill=(30, 12, 30, 90))
    image = Image.alpha_composite(image, shadow.filter(ImageFilter.GaussianBlur(6)))
    ImageDraw.Draw(image).text((x, y), initials, font=font, fill=ink + (255,))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True, dpi=(72, 72))
    write_bytes(path, buffer.getvalue())


def make_people() -> None:
    for pid, (name, stops, ink) in PEOPLE.items():
        make_portrait(name, stops, ink, ROOT / "people" / f"{pid}.jpg")
        print(f"people/{pid}.jpg")


# --- audio -----------------------------------------------------------------------------

def speak(line: Line, workdir: Path, index: int) -> bytes:
    """One line through espeak-ng: raw mono 16-bit PCM at RATE."""
    voice = VOICES[line[0]]
    said = line[2] if len(line) > 2 else line[1]
    wav = workdir / f"line-{index:03d}.wav"
    subprocess.run(["espeak-ng", "-v", voice.espeak, "-s", str(voice.speed), "-p", str(voice.pitch),
                    "-w", str(wav), said], check=True)
    with wave.open(str(wav)) as reader:
        if (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) != (1, 2, RATE):
            sys.exit(f"espeak-ng wrote an unexpected WAV format for {said!r}")
        return trim_silence(reader.readframes(reader.getnframes()))


def trim_silence(pcm: bytes, threshold: int = 300) -> bytes:
    """Drop espeak's leading and trailing silence so the gaps are ours to set."""
    samples = array.array("h", pcm)
    loud = [i for i, s in enumerate(samples) if abs(s) > threshold]
    if not loud:
        return pcm
    start, end = max(0, loud[0] - 220), min(len(samples), loud[-1] + 1 + 660)
    return samples[start:end].tobytes()


def silence(seconds: float) -> bytes:
    return bytes(2 * round(seconds * RATE))


def chime(seconds: float = CHIME) -> bytes:
    """A soft three-note arpeggio (C major, rising), each note a decaying sine pair."""
    total = round(seconds * RATE)
    mix = [0.0] * total
    for k, freq in enumerate((523.25, 659.25, 783.99)):
        onset = round(k * 0.16 * RATE)
        for n in range(total - onset):
            t = n / RATE
            envelope = math.exp(-3.2 * t) * min(1.0, t / 0.01)
            mix[onset + n] += envelope * (math.sin(2 * math.pi * freq * t)
                                          + 0.25 * math.sin(4 * math.pi * freq * t))
    fade = round(0.25 * RATE)
    samples = array.array("h")
    for n, value in enumerate(mix):
        gain = min(1.0, (total - n) / fade)
        samples.append(int(round(max(-1.0, min(1.0, value * 0.16 * gain)) * 32767)))
    return samples.tobytes()


@dataclass
class Cue:
    start: float
    end: float
    speaker: str
    text: str


@dataclass
class Rendered:
    pcm: bytes
    duration: float
    chapter_starts: list[float]
    cues: list[Cue]


def render_episode(episode: Episode, workdir: Path) -> Rendered:
    """Assemble chime, lines and gaps; note when each chapter and line starts."""
    parts = [chime()]
    position = len(parts[0]) // 2
    chapter_starts, cues = [], []
    index = 0
    for c, chapter in enumerate(episode.chapters):
        if c == 0:
            chapter_starts.append(0.0)
        else:
            chapter_starts.append(position / RATE)  # at the start of the pause before it
            parts.append(silence(GAP_CHAPTER))
            position += len(parts[-1]) // 2
        for i, line in enumerate(chapter.lines):
            if i > 0:
                parts.append(silence(GAP_LINE))
                position += len(parts[-1]) // 2
            pcm = speak(line, workdir, index)
            index += 1
            cues.append(Cue(position / RATE, (position + len(pcm) // 2) / RATE,
                            VOICES[line[0]].name, line[1]))
            parts.append(pcm)
            position += len(pcm) // 2
    parts.append(silence(TAIL))
    position += len(parts[-1]) // 2
    return Rendered(b"".join(parts), position / RATE, chapter_starts, cues)


def write_wav(pcm: bytes, path: Path) -> None:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        writer.writeframes(pcm)


def encode(episode: Episode, wav: Path, out: Path) -> None:
    if episode.fmt == "mp3":
        # lame writes no ID3 tag unless asked; mutagen adds the tags afterwards
        subprocess.run(["lame", "--quiet", *episode.encoder, str(wav), str(out)], check=True)
    elif episode.fmt == "m4a":
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav),
                        "-map_metadata", "-1", "-map_chapters", "-1",
                        "-fflags", "+bitexact", "-flags:a", "+bitexact", "-threads", "1",
                        "-c:a", "aac", "-b:a", "48k", "-movflags", "+faststart", str(out)],
                       check=True)
    else:
        raise ValueError(episode.fmt)


def tag_mp3(episode: Episode, path: Path, rendered: Rendered, art: bytes | None) -> None:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=[episode.title]))
    tags.add(TPE1(encoding=3, text=[HOST]))
    tags.add(TALB(encoding=3, text=[SHOW_TITLE]))
    tags.add(TCON(encoding=3, text=["Podcast"]))
    tags.add(TDRC(encoding=3, text=[episode.date]))
    if episode.number is not None:
        tags.add(TRCK(encoding=3, text=[str(episode.number)]))
    if art is not None:
        tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="Cover", data=art))
    if episode.id3_chapters:
        ends = rendered.chapter_starts[1:] + [rendered.duration]
        ids = []
        for i, (chapter, start, end) in enumerate(zip(episode.chapters, rendered.chapter_starts, ends)):
            element_id = f"chp{i}"
            ids.append(element_id)
            sub_frames = [TIT2(encoding=3, text=[chapter.title])]
            if chapter.url:
                sub_frames.append(WXXX(encoding=0, desc="", url=chapter.url))
            tags.add(CHAP(element_id=element_id, start_time=round(start * 1000),
                          end_time=round(end * 1000), sub_frames=sub_frames))
        tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                      child_element_ids=ids, sub_frames=[TIT2(encoding=3, text=["Chapters"])]))
    tags.save(path, v2_version=3, padding=lambda info: 1024)


def tag_m4a(episode: Episode, path: Path) -> None:
    audio = MP4(path)
    audio["\xa9nam"] = [episode.title]
    audio["\xa9ART"] = [HOST]
    audio["\xa9alb"] = [SHOW_TITLE]
    audio["\xa9gen"] = ["Podcast"]
    audio["\xa9day"] = [episode.date]
    if episode.number is not None:
        audio["trkn"] = [(episode.number, 0)]
    audio.save(padding=lambda info: 1024)


# --- transcripts -------------------------------------------------------------------------

def clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


LINE_CHARS = 42  # at most two lines of 42 characters on screen at once


def fits(piece: str) -> bool:
    return len(screen_lines(piece)) <= 2


def split_text(text: str) -> list[str]:
    """Break a spoken line into two-line pieces at sentence, then comma, then word breaks."""
    pieces: list[str] = []

    def add(part: str) -> None:
        if pieces and fits(pieces[-1] + " " + part):
            pieces[-1] += " " + part
        else:
            pieces.append(part)

    for sentence in re.split(r"(?<=[.!?])\s+", text):
        for clause in ([sentence] if fits(sentence) else re.split(r"(?<=,)\s+", sentence)):
            if fits(clause):
                add(clause)
                continue
            for word in clause.split():  # a long clause: fill pieces word by word
                if pieces and not fits(pieces[-1] + " " + word):
                    pieces.append(word)
                elif pieces:
                    pieces[-1] += " " + word
                else:
                    pieces.append(word)
    return pieces


def screen_lines(piece: str) -> list[str]:
    """One or two lines of at most LINE_CHARS, as evenly balanced as the words allow."""
    if len(piece) <= LINE_CHARS:
        return [piece]
    for width in range(math.ceil(len(piece) / 2), LINE_CHARS + 1):
        lines = textwrap.wrap(piece, width)
        if len(lines) <= 2:
            return lines
    return textwrap.wrap(piece, LINE_CHARS)


def subtitle_cues(cues: list[Cue], name_speakers: bool) -> list[tuple[float, float, str, list[str]]]:
    """(start, end, speaker, screen lines): each spoken line split, its time shared by length.

    With name_speakers, a cue that starts a new voice begins with "NAME:" (as SRT captions do;
    WebVTT says who speaks with its <v> tag instead).
    """
    result = []
    previous = None
    for cue in cues:
        text = cue.text
        if name_speakers and cue.speaker != previous:
            text = f"{cue.speaker.upper()}: {text}"
        previous = cue.speaker
        pieces = split_text(text)
        total = sum(len(p) for p in pieces)
        start = cue.start
        for i, piece in enumerate(pieces):
            end = cue.end if i == len(pieces) - 1 else start + (cue.end - cue.start) * len(piece) / total
            result.append((start, end, cue.speaker, screen_lines(piece)))
            start = end
    return result


def webvtt(cues: list[Cue]) -> str:
    blocks = ["WEBVTT"]
    for start, end, speaker, lines in subtitle_cues(cues, name_speakers=False):
        text = "\n".join(lines)
        blocks.append(f"{clock(start, '.')} --> {clock(end, '.')}\n<v {speaker}>{text}")
    return "\n\n".join(blocks) + "\n"


def subrip(cues: list[Cue]) -> str:
    blocks = []
    for n, (start, end, _, lines) in enumerate(subtitle_cues(cues, name_speakers=True), start=1):
        text = "\n".join(lines)
        blocks.append(f"{n}\n{clock(start, ',')} --> {clock(end, ',')}\n{text}")
    return "\n\n".join(blocks) + "\n"


# --- driver --------------------------------------------------------------------------------

def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def build_episode(episode: Episode, workdir: Path) -> Rendered:
    folder = ROOT / "episodes" / episode.folder
    folder.mkdir(parents=True, exist_ok=True)
    rendered = render_episode(episode, workdir)
    wav = workdir / f"{episode.folder}.wav"
    write_wav(rendered.pcm, wav)
    encoded = workdir / episode.filename
    encode(episode, wav, encoded)
    if episode.fmt == "mp3":
        art = None
        if episode.id3_chapters:
            art_file = workdir / f"{episode.folder}-art.jpg"
            make_artwork(EPISODE_ART[episode.folder], art_file)
            art = art_file.read_bytes()
        tag_mp3(episode, encoded, rendered, art)
    else:
        tag_m4a(episode, encoded)
    write_bytes(folder / episode.filename, encoded.read_bytes())
    if episode.transcript == "vtt":
        write_bytes(folder / "transcript.vtt", webvtt(rendered.cues).encode("utf-8"))
    elif episode.transcript == "srt":
        write_bytes(folder / "transcript.srt", subrip(rendered.cues).encode("utf-8"))
    return rendered


def check_front_matter_chapters(folder: str, rendered: Rendered) -> list[str]:
    """The chapters in episode.md must still start within the audio, in order."""
    import yaml

    path = ROOT / "episodes" / folder / "episode.md"
    if not path.is_file():
        return [f"{path.relative_to(ROOT)} is missing"]
    text = path.read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---", 2)[1]) or {}
    problems = []
    previous = -1.0
    for chapter in meta.get("chapters") or []:
        minutes, seconds = str(chapter["start"]).split(":")
        start = int(minutes) * 60 + float(seconds)
        if start <= previous or start >= rendered.duration:
            problems.append(f"{folder}: chapter {chapter['title']!r} at {chapter['start']} does not "
                            f"fit the audio ({rendered.duration:.1f} s)")
        previous = start
    titles = [c["title"] for c in meta.get("chapters") or []]
    episode = next(e for e in EPISODES if e.folder == folder)
    if titles != [c.title for c in episode.chapters]:
        problems.append(f"{folder}: chapter titles in episode.md differ from the script's")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="only episodes whose folder name starts with this")
    parser.add_argument("--people", action="store_true", help="only the people's photos")
    args = parser.parse_args()
    if args.people:
        make_people()
        return 0
    for tool in ("espeak-ng", "lame", "ffmpeg"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not on PATH (apt-get install espeak-ng lame ffmpeg)")

    if not args.only:
        make_artwork(SHOW_ART, ROOT / "artwork.jpg")
        print("artwork.jpg")
        make_people()
    cover = "003-belonging-on-your-block"
    if not args.only or cover.startswith(args.only):
        make_artwork(EPISODE_ART[cover], ROOT / "episodes" / cover / "cover.jpg")
        print(f"episodes/{cover}/cover.jpg")

    problems = []
    with tempfile.TemporaryDirectory(prefix="castnotes-demo-") as tmp:
        for episode in EPISODES:
            if args.only and not episode.folder.startswith(args.only):
                continue
            rendered = build_episode(episode, Path(tmp))
            size = (ROOT / "episodes" / episode.folder / episode.filename).stat().st_size
            starts = ", ".join(f"{s:.2f}" for s in rendered.chapter_starts)
            print(f"episodes/{episode.folder}/{episode.filename}: {rendered.duration:.2f} s, "
                  f"{size // 1024} KB; chapters at {starts}")
            for cue in rendered.cues:
                print(f"    {cue.start:6.2f}-{cue.end:6.2f}  {cue.speaker}: {cue.text[:60]}")
            if episode.folder == FRONT_MATTER_CHAPTERS:
                problems += check_front_matter_chapters(episode.folder, rendered)
    for problem in problems:
        print("warning:", problem, file=sys.stderr)
    # The notes go back into the files' own tags, as a host would do before publishing.
    subprocess.run([sys.executable, "-m", "castnotes", "-C", str(ROOT), "tag"], check=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
