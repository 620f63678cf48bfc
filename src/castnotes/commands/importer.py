"""`castnotes import`: move a podcast from another host into episode folders.

Reads the old feed (a URL or a saved file), plans every item (`importplan`), fetches
what must be fetched (the show artwork; with --download the audio, resumably), and
only then writes: each episode folder is written under a hidden name in episodes/
and renamed into place, castnotes.toml last, then the GUID ledger. A failure
anywhere removes exactly what this run created, so nothing half-written is left.

Episodes already in the show (matched by GUID) are never touched: a second import
adds only what is new, and never overwrites an episode.md the host has edited.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from itertools import chain, count
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from castnotes.audio import AUDIO_SUFFIXES, read_audio
from castnotes.audio.types import MEDIA_TYPES
from castnotes.checks.artwork import check_artwork
from castnotes.checks.report import Lint
from castnotes.commands.scaffold import SAMPLE_AUDIO, SAMPLE_FOLDER, render_artwork
from castnotes.config.settings import load_settings, parse_settings
from castnotes.errors import CastnotesError, Problem, Problems, SourceLocation
from castnotes.fetch import (
    MAX_FILE_BYTES,
    Fetched,
    Opener,
    Progress,
    download_file,
    fetch_bytes,
    head_length,
    load_feed,
)
from castnotes.fields import is_http_url
from castnotes.imageinfo import is_png
from castnotes.importing.oldfeed import OldFeed, parse_old_feed
from castnotes.importing.plan import (
    ExistingShow,
    ImportPlan,
    ItemOutcome,
    PlannedEpisode,
    plan_import,
)
from castnotes.importing.settings import render_settings
from castnotes.model import CONFIG_NAME
from castnotes.output.ledger import append_entries
from castnotes.read.frontmatter import parse_document
from castnotes.read.ledger import LedgerEntry, load_ledger, recorded_now
from castnotes.read.show import EPISODE_FILE, EPISODES_DIR, default_slug
from castnotes.store import store_dir, write_atomic


@dataclass(frozen=True, slots=True)
class ImportOptions:
    download: bool = False
    limit: int | None = None
    merge: bool = False  # import into a show whose castnotes.toml says otherwise, keeping that file


@dataclass(frozen=True, slots=True)
class ImportResult:
    root: Path
    outcomes: tuple[ItemOutcome, ...]
    created: tuple[str, ...]  # episode folders written
    settings_written: bool
    artwork: str | None  # the show artwork file written
    ledger_records: int
    downloaded: int  # audio files fetched
    old_feed_url: str | None
    new_feed_url: str | None  # where the feed will be once the site is published
    problems: tuple[Problem, ...] = field(default=())  # warnings


@dataclass(frozen=True, slots=True)
class _NewSettings:
    text: str
    artwork: tuple[tuple[str, bytes], ...]  # files to write: (name, bytes)
    image: str  # the one castnotes.toml names


def import_show(source: str, root: Path, options: ImportOptions = ImportOptions(), *,
                opener: Opener | None = None, progress: Progress | None = None,
                now: datetime | None = None) -> ImportResult:
    """Import the feed at `source` (URL or file) into the show folder `root`."""
    now = now or datetime.now(timezone.utc)
    root = root.resolve()
    if root.exists() and not root.is_dir():
        raise CastnotesError.single("the import target is a file, not a folder", root)
    ledger = load_ledger(root)  # fails early on a damaged ledger, before anything is fetched
    problems = Problems()
    feed_source, feed, plan = _read_and_plan(source, root, options, opener, now, problems)
    old_feed_url = feed_source.url or feed.channel.self_url
    sample = _compare_channel(feed, root, source, old_feed_url, now, options, problems, ledger)
    if options.download:
        downloads = _download_audio(plan, root, opener, progress, problems)
    else:
        downloads, plan = {}, _ask_for_lengths(plan, root, opener, problems)
    settings = None
    if plan.episodes and not (root / CONFIG_NAME).exists():
        settings = _new_settings(feed, plan, root, source, old_feed_url, opener, now, problems)
    elif plan.seasons:
        names = ", ".join(f'{n} = "{name}"' for n, name in sorted(plan.seasons.items()))
        problems.add(f"season names are not added to an existing castnotes.toml: add seasons = {{ {names} }} "
                     "under [show]", root / CONFIG_NAME, severity="warning")
    records = [LedgerEntry(guid=e.guid, slug=e.slug, url=e.audio_url, date=e.date.isoformat(),
                           kind="imported", recorded=recorded_now(now), note=f"imported from {source}")
               for e in plan.episodes if e.guid not in ledger]
    with _Writer(root) as writer:
        if sample is not None and plan.episodes:
            writer.move(sample, sample.with_name("_" + sample.name))
        for episode in plan.episodes:
            audio = downloads.get(episode.position)
            writer.episode(episode, _episode_text(episode, source, now, audio and audio[1]), audio)
        if settings is not None:
            for name, data in settings.artwork:
                writer.new_file(root / name, data)
            parse_settings(settings.text, root, root / CONFIG_NAME)  # what we write must load
            writer.new_file(root / CONFIG_NAME, settings.text.encode("utf-8"))
        written = append_entries(root, records)
    return ImportResult(
        root=root,
        outcomes=plan.outcomes,
        created=tuple(e.folder for e in plan.episodes),
        settings_written=settings is not None,
        artwork=settings.image if settings else None,
        ledger_records=written,
        downloaded=len(downloads),
        old_feed_url=old_feed_url,
        new_feed_url=_new_feed_url(root),
        problems=tuple(problems.items),
    )


def _read_and_plan(source: str, root: Path, options: ImportOptions, opener: Opener | None, now: datetime,
                   problems: Problems) -> tuple[Fetched, OldFeed, ImportPlan]:
    """Fetch and read the feed, and decide every item's fate; raise when nothing can be imported."""
    feed_source = load_feed(source, opener)
    feed = parse_old_feed(feed_source.data, base_url=feed_source.url, where=feed_source.path)
    _feed_warnings(feed, feed_source, problems)
    if not feed.items:
        raise CastnotesError.single("the feed has no episodes (no <item> elements)", feed_source.path,
                                    hint="check that this is the feed of the show you mean to move")
    plan = plan_import(feed, scan_show(root), limit=options.limit, now=now, where=feed_source.path,
                       label=feed_source.url or "feed")
    problems.extend(plan.problems)
    if not plan.episodes and not any(o.status in ("present", "limited") for o in plan.outcomes):
        problems.add(f"nothing to import: none of the feed's {len(feed.items)} items has audio castnotes "
                     "can publish unchanged (see the warnings above)", feed_source.path)
        raise CastnotesError(problems.items)
    return feed_source, feed, plan


# The channel values an app or directory knows the show by: importing a feed into a show whose
# castnotes.toml says otherwise would publish its episodes under another show's identity.
COMPARED = (("title", "title"), ("guid", "podcast:guid"), ("locked", "podcast:locked"),
            ("locked_owner", "podcast:locked owner"), ("owner", "owner"), ("funding", "funding"),
            ("categories", "categories"))


def _compare_channel(feed: OldFeed, root: Path, source: str, old_feed_url: str | None, now: datetime,
                     options: ImportOptions, problems: Problems, ledger: Any) -> Path | None:
    """Refuse (unless --merge) a show folder whose castnotes.toml differs from the feed's channel.

    Returns the sample episode `castnotes init` wrote, when it is there unpublished: the import
    moves it out of the build (to `_001-welcome`), so it is never published beside the show.
    """
    config = root / CONFIG_NAME
    if not config.exists():
        return None
    current = load_settings(root)
    rendered = render_settings(feed.channel, source=source, image=None, feed_url=old_feed_url, now=now,
                               guid_url=_identity_url(source, feed))
    wanted = parse_settings(rendered.text, root, config).show
    differences = []
    for key, label in COMPARED:
        have, want = getattr(current.show, key), getattr(wanted, key)
        if key == "guid":
            have = have or current.podcast_guid
        if want is None or want == () or have == want:
            continue
        differences.append(f"{label}: castnotes.toml has {_shown(have)}, the feed {_shown(want)}")
    if differences and not options.merge:
        hint = ("import into a new, empty folder to move the show in, or add --merge to keep this "
                "castnotes.toml as it is and add the feed's episodes to it")
        raise CastnotesError([Problem(f"this folder already holds another show: {diff}", SourceLocation(config),
                                      hint=hint if i == len(differences) - 1 else None)
                              for i, diff in enumerate(differences)])
    for diff in differences:
        problems.add(f"--merge keeps castnotes.toml: {diff}", config, severity="warning")
    sample = root / EPISODES_DIR / SAMPLE_FOLDER
    if (sample / SAMPLE_AUDIO).is_file() and (sample / EPISODE_FILE).is_file():
        meta = parse_document((sample / EPISODE_FILE).read_text(encoding="utf-8"), sample / EPISODE_FILE).meta
        if str(meta.get("guid")) not in ledger:
            problems.add(f"the sample episode of `castnotes init` is moved out of the feed, to "
                         f"episodes/_{SAMPLE_FOLDER}/ (folders starting with _ are not built)",
                         sample / EPISODE_FILE, severity="warning", hint="delete that folder when you like")
            return sample
    return None


def _shown(value: Any) -> str:
    if value is None or value == ():
        return "none"
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and \
            (value[1] is None or isinstance(value[1], str)):
        return "/".join(v for v in value if v)  # a category: (parent, subcategory)
    if isinstance(value, tuple):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "email") and hasattr(value, "name"):
        return f"{value.name} <{value.email}>"
    if hasattr(value, "url"):
        return value.url
    return repr(value) if isinstance(value, str) else str(value)


def _identity_url(source: str, feed: OldFeed) -> str | None:
    """The address a feed without podcast:guid is known by: the URL imported from (as given,
    before redirects: what subscribers and the Podcast Index have), else its rel=self link."""
    return source.strip() if is_http_url(source) else feed.channel.self_url


def _new_settings(feed: OldFeed, plan: ImportPlan, root: Path, source: str, old_feed_url: str | None,
                  opener: Opener | None, now: datetime, problems: Problems) -> _NewSettings:
    image, artwork = _show_artwork(feed, root, opener, problems)
    rendered = render_settings(feed.channel, source=source, image=image, feed_url=old_feed_url, now=now,
                               guid_url=_identity_url(source, feed),
                               seasons=plan.seasons)
    for warning in rendered.warnings:
        problems.add(warning, root / CONFIG_NAME, severity="warning")
    return _NewSettings(rendered.text, artwork, image)


# --- reading -------------------------------------------------------------------------------

def _feed_warnings(feed: OldFeed, source: Fetched, problems: Problems) -> None:
    if feed.xml_problem:
        problems.add(f"the feed is not well-formed XML ({feed.xml_problem}); podcast apps such as "
                     "Apple Podcasts may refuse it. Imported what feed readers can read of it",
                     source.path, severity="warning",
                     hint="castnotes writes well-formed feeds, so the new feed will not have this fault")
    if feed.channel.new_feed_url:
        problems.add(f"the old feed sends its subscribers to another address already "
                     f"(itunes:new-feed-url {feed.channel.new_feed_url})", source.path, severity="warning",
                     hint="make sure you import the show's current feed, the one at that address")
    if feed.extras_lost:
        problems.add("the feed is too broken to read its Podcasting 2.0 tags (persons, chapters, "
                     "transcripts); they are not imported", source.path, severity="warning")


def scan_show(root: Path) -> ExistingShow:
    """GUIDs, slugs and folder names of the episodes already in the show."""
    episodes_dir = root / EPISODES_DIR
    if not episodes_dir.is_dir():
        return ExistingShow()
    guids, slugs, folders, numbers = set(), set(), set(), set()
    problems = Problems()
    for folder in sorted(p for p in episodes_dir.iterdir() if p.is_dir()):
        folders.add(folder.name)
        path = folder / EPISODE_FILE
        if folder.name.startswith((".", "_")) or not path.is_file():
            continue
        try:
            meta = parse_document(path.read_text(encoding="utf-8"), path).meta
        except CastnotesError as exc:
            problems.extend(exc.problems)
            continue
        except UnicodeDecodeError:
            problems.add("episode.md is not UTF-8 text", path)
            continue
        if meta.get("guid") is not None:
            guids.add(str(meta["guid"]).strip())
        slugs.add(str(meta.get("slug") or default_slug(folder.name)))
        number = meta.get("number")
        if isinstance(number, int) and not isinstance(number, bool):
            numbers.add(number)
    if problems.items:
        problems.add("cannot tell which episodes the show already has; fix the files above first, so "
                     "the import does not add an episode twice", episodes_dir)
        raise CastnotesError(problems.items)
    return ExistingShow(frozenset(guids), frozenset(slugs), frozenset(folders), frozenset(numbers))


def _new_feed_url(root: Path) -> str | None:
    try:
        return load_settings(root).feed_url
    except CastnotesError:
        return None


# --- fetching ------------------------------------------------------------------------------

def _download_audio(plan: ImportPlan, root: Path, opener: Opener | None, progress: Progress | None,
                    problems: Problems) -> dict[int, tuple[Path, str]]:
    """Fetch every planned episode's audio into .castnotes/downloads.

    Returns {item position: (downloaded file, its name in the episode folder)}.
    """
    folder = store_dir(root, "downloads")
    files = {}
    for episode in plan.episodes:
        suffix = posixpath.splitext(urlsplit(episode.audio_url).path)[1].lower()
        suffix = suffix if suffix in AUDIO_SUFFIXES else _suffix_for(episode.meta["audio"]["type"], "")
        target = folder / (hashlib.sha256(episode.audio_url.encode()).hexdigest()[:20] + suffix)
        if not target.exists():
            download_file(episode.audio_url, target, what=f"audio of {episode.folder}", opener=opener,
                          progress=progress, label=episode.folder)
        try:
            info, _ = read_audio(target)
        except CastnotesError as exc:
            target.unlink()
            problem = exc.problems[0]
            raise CastnotesError.single(
                f"the audio downloaded for {episode.folder} from {episode.audio_url} is not usable: "
                f"{problem.message}", hint=problem.hint) from None
        size = target.stat().st_size
        if episode.audio_length and episode.audio_length != size:
            problems.add(f"{episode.folder}: the old feed said the audio has {episode.audio_length} bytes, "
                         f"the file has {size}; the new feed says {size}, the real size", severity="warning")
        name = "audio" + (suffix if suffix in AUDIO_SUFFIXES else _suffix_for(info.mime, ".mp3"))
        files[episode.position] = (target, name)
    return files


def _suffix_for(mime: str, default: str) -> str:
    """The file suffix castnotes reads for a feed type (audio/x-m4a -> .m4a), else `default`."""
    row = next((r for r in MEDIA_TYPES if r.mime == mime and r.readable), None)
    return row.suffix if row else default


def _ask_for_lengths(plan: ImportPlan, root: Path, opener: Opener | None, problems: Problems) -> ImportPlan:
    """Fill in enclosure lengths the feed left out (or gave as 0) from the servers' HEAD answers.

    A length of 0 (apps read it as unknown) is directory policy a build warns about (and
    `check` refuses), so an episode whose server
    will not say either is named, with the way to fix it.
    """
    missing = [e for e in plan.episodes if not e.audio_length]
    if not missing:
        return plan
    with ThreadPoolExecutor(max_workers=8) as pool:
        sizes = dict(zip((e.position for e in missing),
                         pool.map(lambda e: head_length(e.audio_url, opener=opener), missing)))
    episodes = []
    for episode in plan.episodes:
        size = sizes.get(episode.position)
        if size:
            episode = replace(episode, audio_length=size,
                              meta={**episode.meta, "audio": {**episode.meta["audio"], "length": size}})
            problems.add(f"{episode.folder}: the old feed gave no enclosure length; its server says {size} "
                         "bytes", severity="warning")
        elif episode.position in sizes:
            problems.add("the enclosure length is unknown (the old feed gave none and its server does not "
                         "say); the build warns, and Apple's directory refuses a length of 0",
                         root / EPISODES_DIR / episode.folder / EPISODE_FILE, severity="warning",
                         hint="import with --download to measure the file, or write its size in bytes as "
                              "audio.length")
        episodes.append(episode)
    return replace(plan, episodes=tuple(episodes))


def _show_artwork(feed: OldFeed, root: Path, opener: Opener | None,
                  problems: Problems) -> tuple[str, tuple[tuple[str, bytes], ...]]:
    """(the image castnotes.toml names, the files to write).

    The old artwork when Apple would take it (the same check a build runs); else a
    placeholder, so the show builds at once, with the old artwork kept beside it to fix.
    """
    url = feed.channel.image_url
    data, reason = None, "the old feed names no show artwork"
    if url:
        try:
            data = fetch_bytes(url, limit=MAX_FILE_BYTES, what="show artwork", opener=opener).data
        except CastnotesError as exc:
            reason = f"could not fetch the old show artwork ({exc.problems[0].message})"
    files: tuple[tuple[str, bytes], ...] = ()
    if data is not None and url:
        lint = Lint()
        check_artwork(data, url, "the old show artwork", lint, None, "show.image")
        suffix = ".png" if is_png(data) else ".jpg"
        if not lint.errors:
            for finding in lint.items:
                problems.add(finding.message, root / CONFIG_NAME, severity="warning", hint=finding.hint)
            name = _free_name(root, "artwork" + suffix)
            return name, ((name, data),)
        kept = _free_name(root, "artwork-old" + suffix)
        files = ((kept, data),)
        reason = "; ".join(f.message for f in lint.errors) + f" (saved as {kept})"
    name = _free_name(root, "artwork.png")
    problems.add(f"castnotes.toml names a placeholder, {name}: {reason}", root / CONFIG_NAME,
                 severity="warning", hint="put your show's artwork there (JPEG or PNG, 1400 to 3000 pixels "
                                          "square) before you publish")
    return name, files + ((name, render_artwork(feed.channel.title or "My podcast")),)


def _free_name(root: Path, name: str) -> str:
    """`name`, or `name-2`, ... when the show folder already has such a file (never overwritten)."""
    stem, suffix = os.path.splitext(name)
    names = chain([name], (f"{stem}-{number}{suffix}" for number in count(2)))
    return next(free for free in names if not (root / free).exists())


# --- writing -------------------------------------------------------------------------------

def _episode_text(episode: PlannedEpisode, source: str, now: datetime, audio_file: str | None) -> str:
    """episode.md: the planned front matter (audio as {file, url} when it was downloaded) and notes."""
    meta = dict(episode.meta)
    if audio_file:
        meta["audio"] = {"file": audio_file, "url": episode.audio_url}
    header = (f"# Imported from {source} on {now.date().isoformat()}.\n"
              "# Podcast apps know this episode by its guid, date and audio url: keep them as they are.\n")
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{header}{front}---\n{episode.body}"


class _Writer:
    """Creates new files and folders only, and removes them all again if the run fails."""

    def __init__(self, root: Path):
        self.root = root
        self.created: list[Path] = []
        self.moved: list[tuple[Path, Path]] = []  # (where the download went, where it came from)

    def __enter__(self) -> "_Writer":
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if kind is not None:
            self.rollback()

    def folder(self, path: Path) -> None:
        if not path.is_dir():
            path.mkdir(parents=True)
            self.created.append(path)

    def episode(self, episode: PlannedEpisode, text: str, audio: tuple[Path, str] | None) -> None:
        """Write one episode folder under a hidden name, then rename it into place.

        `audio` is (downloaded file, its name in the folder), moved in with --download.
        """
        episodes_dir = self.root / EPISODES_DIR
        self.folder(self.root)
        self.folder(episodes_dir)
        staging = Path(tempfile.mkdtemp(prefix=".import-", dir=episodes_dir))
        self.created.append(staging)
        (staging / EPISODE_FILE).write_text(text, encoding="utf-8")
        if audio is not None:
            moved = staging / audio[1]
            os.replace(audio[0], moved)
            self.moved.append((moved, audio[0]))
        final = episodes_dir / episode.folder
        if final.exists():
            raise CastnotesError.single("an episode folder of this name appeared during the import", final,
                                        hint="run the import again")
        os.rename(staging, final)
        self.created[-1] = final
        if audio is not None:
            self.moved[-1] = (final / audio[1], audio[0])

    def new_file(self, path: Path, data: bytes) -> None:
        """Write `path`, which must not exist, atomically: a temporary sibling hard-linked into place."""
        try:  # exclusive: fails instead of replacing a file that appeared meanwhile
            write_atomic(path, data, durable=True, exclusive=True)
        except FileExistsError:
            raise CastnotesError.single("this file appeared during the import; it was left alone", path,
                                        hint="run the import again") from None
        self.created.append(path)

    def move(self, path: Path, target: Path) -> None:
        """Rename an existing file or folder out of the way; a failed run puts it back."""
        if target.exists():
            raise CastnotesError.single("this name is taken; move it away first", target)
        os.replace(path, target)
        self.moved.append((target, path))

    def rollback(self) -> None:
        for moved, origin in self.moved:  # downloads go back, so the next run need not fetch them
            if moved.exists():
                os.replace(moved, origin)
        for path in reversed(self.created):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
