"""`castnotes init` and `castnotes new`: the only commands that create a host's source files.

Both check every target first and write nothing when any exists: they never
overwrite. `init` writes a show that `castnotes build` builds at once: settings with
every key explained, artwork drawn with Pillow, and a sample episode whose audio ships
inside the package (castnotes must work where ffmpeg is absent). `new` adds the next
episode folder with a fresh GUID; the audio it copies (or moves) keeps its bytes.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo

from castnotes.audio import AUDIO_SUFFIXES, read_audio
from castnotes.config.settings import load_settings
from castnotes.errors import CastnotesError
from castnotes.fields import is_http_url
from castnotes.model import CONFIG_NAME, EPISODE_TYPES
from castnotes.read.frontmatter import parse_datetime
from castnotes.read.show import EPISODE_FILE, EPISODES_DIR
from castnotes.slugs import slugify

SKELETON = Path(__file__).parent / "skeleton"
ARTWORK_NAME = "artwork.png"
SAMPLE_FOLDER = "001-welcome"
SAMPLE_AUDIO = "welcome.mp3"
ARTWORK_SIDE = 1400


@dataclass(frozen=True, slots=True)
class NewEpisode:
    folder: Path  # the new episode folder, absolute
    number: int
    slug: str
    guid: str
    date: datetime
    draft: bool
    audio: Path | None  # the audio file inside the folder


def init_show(target: Path, *, title: str = "My New Show", url: str = "https://example.com/",
              timezone_name: str = "UTC", now: datetime | None = None) -> list[Path]:
    """Write a new show into `target`; return the files written. Refuses an existing show."""
    target = target.resolve()
    url = url.strip()
    if not is_http_url(url):
        raise CastnotesError.single(f"--url must be an absolute http(s) URL, not {url!r}")
    url = url if url.endswith("/") else url + "/"
    zone = _zone(timezone_name)
    moment = (now or datetime.now(timezone.utc)).astimezone(zone)
    episode_dir = target / EPISODES_DIR / SAMPLE_FOLDER
    planned = [target / CONFIG_NAME, target / ARTWORK_NAME, target / EPISODES_DIR, episode_dir / EPISODE_FILE,
               episode_dir / SAMPLE_AUDIO]
    existing = [p for p in planned if p.exists()]
    if existing:
        raise CastnotesError.single(
            f"{target} already holds a show ({', '.join(p.name for p in existing)} exists); "
            "castnotes init never overwrites", existing[0],
            hint="choose an empty folder: castnotes init NEWFOLDER")
    settings = Template((SKELETON / "castnotes.toml").read_text(encoding="utf-8")).substitute(
        title=" ".join(title.split()).replace('"', "'"), title_toml=_toml_string(title),
        url_toml=_toml_string(url), year=moment.year, timezone_toml=_toml_string(timezone_name))
    notes = (SKELETON / "welcome.md").read_text(encoding="utf-8")
    front = render_front_matter([
        ("title", json.dumps("Welcome to the show")),
        ("date", moment.strftime("%Y-%m-%d %H:%M")),
        ("guid", str(uuid.uuid4())),
        ("summary", json.dumps("A sample episode made by castnotes init: replace it with your first "
                               "real episode.")),
    ])
    files = [  # everything prepared before the first write
        (target / CONFIG_NAME, settings.encode("utf-8")),
        (target / ARTWORK_NAME, render_artwork(title)),
        (episode_dir / EPISODE_FILE, (front + notes).encode("utf-8")),
        (episode_dir / SAMPLE_AUDIO, (SKELETON / SAMPLE_AUDIO).read_bytes()),
    ]
    episode_dir.mkdir(parents=True)
    written = [_write_new(path, data) for path, data in files]
    gitignore = target / ".gitignore"
    if not gitignore.exists():
        written.append(_write_new(gitignore, b"# castnotes output and cache: rebuilt by `castnotes build`\n"
                                             b"/site/\n.castnotes/\n"))
    return written


def render_artwork(title: str) -> bytes:
    """Placeholder show artwork: 1400x1400 RGB PNG with the title, until the host has real art."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (ARTWORK_SIDE, ARTWORK_SIDE), (32, 58, 84))
    draw = ImageDraw.Draw(image)
    draw.rectangle((90, 90, ARTWORK_SIDE - 90, ARTWORK_SIDE - 90), outline=(242, 196, 90), width=24)
    # at most 12 characters a line; a longer word is a line of its own, never cut
    lines = textwrap.wrap(" ".join(title.split()), 12, break_long_words=False, break_on_hyphens=False) or ["Podcast"]
    try:
        font = ImageFont.load_default(size=150)
    except TypeError:  # Pillow without FreeType: the small bitmap font
        font = ImageFont.load_default()
    text = "\n".join(lines[:5])
    box = draw.multiline_textbbox((0, 0), text, font=font, align="center", spacing=30)
    x = (ARTWORK_SIDE - (box[2] - box[0])) / 2 - box[0]
    y = (ARTWORK_SIDE - (box[3] - box[1])) / 2 - box[1]
    draw.multiline_text((x, y), text, font=font, fill=(250, 245, 235), align="center", spacing=30)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def new_episode(root: Path, title: str, *, audio: Path | None = None, date: str | None = None,
                number: int | None = None, episode_type: str = "full", publish: bool = False,
                move: bool = False, now: datetime | None = None) -> NewEpisode:
    """Create `episodes/NNN-slug/` with episode.md (and the audio); never overwrite anything."""
    settings = load_settings(root)
    title = title.strip()
    if not title:
        raise CastnotesError.single("the title is empty", hint='castnotes new "The episode title"')
    if episode_type not in EPISODE_TYPES:
        raise CastnotesError.single(f"--type must be one of {', '.join(EPISODE_TYPES)}")
    zone = settings.zone
    moment = _episode_date(date, zone, now)
    episodes_dir = settings.root / EPISODES_DIR
    taken = _numbers_in_use(episodes_dir)
    if number is None:
        number = max(taken, default=0) + 1
    elif number < 0:
        raise CastnotesError.single("--number must be 0 or more")
    elif number in taken:
        raise CastnotesError.single(
            f"episode number {number} is already used by {EPISODES_DIR}/{taken[number]}/",
            hint=f"leave out --number to take the next free one ({max(taken) + 1})")
    slug = slugify(title, max_length=50) or "episode"
    width = max([3] + [len(name.split("-", 1)[0]) for name in taken.values()])
    folder = episodes_dir / f"{number:0{width}d}-{slug}"
    if folder.exists():
        raise CastnotesError.single(f"{folder.relative_to(settings.root)}/ already exists", folder,
                                    hint="choose another title or --number")
    source = _check_audio(audio, move)
    guid = str(uuid.uuid4())
    fields = [("title", json.dumps(title, ensure_ascii=False)), ("date", moment.strftime("%Y-%m-%d %H:%M"))]
    if episode_type != "full":
        fields.append(("type", episode_type))
    fields.append(("guid", guid))
    if not publish:
        fields.append(("draft", "true"))
    text = render_front_matter(fields) + (SKELETON / "episode.md").read_text(encoding="utf-8")
    folder.mkdir(parents=True)
    _write_new(folder / EPISODE_FILE, text.encode("utf-8"))
    placed = folder / source.name if source is not None else None
    if placed is not None:
        (shutil.move if move else shutil.copy2)(source, placed)
    return NewEpisode(folder, number, slug, guid, moment, not publish, placed)


def render_front_matter(fields: list[tuple[str, str]]) -> str:
    """`---` fenced YAML from (key, already-quoted value) pairs, in the given order."""
    return "---\n" + "".join(f"{key}: {value}\n" for key, value in fields) + "---\n"


def _numbers_in_use(episodes_dir: Path) -> dict[int, str]:
    numbers: dict[int, str] = {}
    if episodes_dir.is_dir():
        for folder in sorted(episodes_dir.iterdir()):
            match = re.match(r"^(\d+)", folder.name)
            if folder.is_dir() and match:
                numbers.setdefault(int(match.group(1)), folder.name)
    return numbers


def _episode_date(text: str | None, zone: ZoneInfo, now: datetime | None) -> datetime:
    if text is None:
        return (now or datetime.now(timezone.utc)).astimezone(zone).replace(second=0, microsecond=0)
    parsed = parse_datetime(text, zone)
    if parsed is None:
        raise CastnotesError.single(f"--date {text!r} is not a date",
                                    hint="write it as 2026-05-04 or '2026-05-04 06:00' (optionally +02:00)")
    return parsed.astimezone(zone)


def _check_audio(audio: Path | None, move: bool) -> Path | None:
    """The audio to bring in, after making sure it is a podcast format castnotes reads."""
    if audio is None:
        if move:
            raise CastnotesError.single("--move needs --audio FILE")
        return None
    source = audio.resolve()
    if not source.is_file():
        raise CastnotesError.single(f"--audio {audio}: no such file", hint="give the path of the recording")
    if source.suffix.lower() not in AUDIO_SUFFIXES:
        raise CastnotesError.single(f"--audio {audio}: {source.suffix or 'no extension'} is not a podcast "
                                    "audio format", source,
                                    hint="podcast apps take MP3, M4A/AAC, MP4, Ogg Vorbis, Opus or FLAC")
    read_audio(source)  # raises a CastnotesError naming the file when it is not readable audio
    return source


def _write_new(path: Path, data: bytes) -> Path:
    """Create a file that must not exist yet (`x` mode: an existing file is never replaced)."""
    try:
        with path.open("xb") as fh:
            fh.write(data)
    except FileExistsError:
        raise CastnotesError.single(f"{path} already exists; castnotes never overwrites it", path) from None
    return path


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        raise CastnotesError.single(f"--timezone {name!r} is not a known time zone",
                                    hint='use an IANA name such as "Europe/Berlin" or "UTC"') from None
