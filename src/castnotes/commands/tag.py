"""`castnotes tag`: write the notes back into the audio files' own tags.

Many players (car stereos, music apps, Overcast's file view) show only what is inside
the file, so the title, show, number, date, summary, page address, cover art and
chapters go into its tags. Each file is tagged on a copy beside it; the copy must
read back with castnotes' own reader (same length, same managed tags, same chapters)
before it replaces the original with one rename, so a failure never leaves a damaged
file. A file whose tags already match is not touched at all: a second run changes
nothing.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from castnotes.audio import read_audio
from castnotes.audio.tags import (
    Image,
    TagChapter,
    TagSet,
    desired_view,
    kind_of,
    read_view,
    writable_chapters,
    write_tags,
)
from castnotes.config.settings import load_settings
from castnotes.errors import CastnotesError, Problem, SourceLocation, did_you_mean
from castnotes.imageinfo import is_png
from castnotes.model import Episode, Show
from castnotes.read.show import load_show
from castnotes.store import atomic_path


@dataclass(frozen=True, slots=True)
class TagChange:
    key: str
    old: str  # "" when the file has none
    new: str  # "" when castnotes removes it (only chapters)


@dataclass(frozen=True, slots=True)
class FileReport:
    folder: str
    path: Path  # absolute
    changes: tuple[TagChange, ...]
    written: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TagResult:
    files: tuple[FileReport, ...]
    dry_run: bool
    problems: tuple[Problem, ...] = field(default=())  # errors of single files, and warnings


def tag_show(root: Path, episodes: Sequence[str] = (), *, dry_run: bool = False,
             id3v23: bool = False) -> TagResult:
    """Tag the audio of the named episodes (folder, slug or path), or of every episode."""
    settings = load_settings(root)
    show = load_show(settings)
    chosen = choose_episodes(show, episodes, settings.root)
    reports, problems = [], []
    for episode in chosen:
        source = episode.enclosure.source_path
        if source is None:
            problems.append(Problem(f"{episode.folder}: the audio is remote ({episode.enclosure.url}); "
                                    "nothing to tag", SourceLocation(episode.source_path), "warning",
                                    "import with --download to keep a local copy"))
            continue
        try:
            reports.append(tag_file(show, episode, source, dry_run=dry_run, id3v23=id3v23))
        except CastnotesError as exc:
            problems.extend(exc.problems)
    return TagResult(tuple(reports), dry_run, tuple(problems))


def choose_episodes(show: Show, names: Sequence[str], root: Path) -> list[Episode]:
    """The episodes named on the command line (folder, slug or path), or all of them."""
    if not names:
        return sorted(show.episodes, key=lambda e: e.folder)
    by_name = {}
    for episode in show.episodes:
        by_name[episode.folder] = by_name[episode.slug] = episode
    chosen, unknown = [], []
    for name in names:
        key = Path(name).name if Path(name).name not in ("episode.md", "") else Path(name).parent.name
        path = (Path.cwd() / name).resolve()
        episode = by_name.get(name.strip("/")) or by_name.get(key) or next(
            (e for e in show.episodes if path in (e.enclosure.source_path, e.source_path.parent)), None)
        if episode is None:
            unknown.append(name)
        elif episode not in chosen:
            chosen.append(episode)
    if unknown:
        raise CastnotesError([
            Problem(f"no episode {name!r} in this show", SourceLocation(root / "episodes"),
                    hint=did_you_mean(name, sorted(by_name), "name an episode folder or slug, e.g. "
                                      + min(by_name, default="001-first"), cutoff=0.5))
            for name in unknown])
    return chosen


def tag_file(show: Show, episode: Episode, path: Path, *, dry_run: bool, id3v23: bool) -> FileReport:
    kind = kind_of(path)
    tags = tag_set(show, episode)
    current = read_view(path, kind)
    id3v23 = id3v23 or current.get("ID3 version") == "2.3"  # a file kept in v2.3 (for old players) stays v2.3
    wanted = desired_view(tags, kind, id3v23)
    changes = diff_views(current, wanted)
    write = bool(changes) and not dry_run
    if write:
        _write_verified(path, kind, tags, id3v23, wanted)
    return FileReport(episode.folder, path, changes, write, tuple(_notes(show, episode, kind, tags)))


def tag_set(show: Show, episode: Episode) -> TagSet:
    """The tags the notes ask for: the same data the feed and the page publish."""
    settings = show.settings.show
    images = {site_path: source for source, site_path in episode.copies}
    chapters = []
    starts = [c.start for c in episode.chapters[1:]] + [episode.enclosure.duration]
    for chapter, next_start in zip(episode.chapters, starts):
        end = chapter.end if chapter.end is not None else next_start  # ID3 CHAP needs an end
        image_path = images.get(chapter.image) if chapter.image else None
        chapters.append(TagChapter(chapter.start, max(end, chapter.start), chapter.title, chapter.url,
                                   _image(image_path), chapter.toc))
    art = episode.image if episode.image and episode.image.source_path else show.image
    return TagSet(
        title=episode.title,
        album=settings.title,
        date=episode.date.astimezone(show.settings.zone).date().isoformat(),
        url=show.url + episode.page_path,
        artist=settings.author,
        track=episode.number,
        comment=episode.summary or None,
        cover=_image(art.source_path if art else None),
        chapters=tuple(chapters),
    )


def _image(path: Path | None) -> Image | None:
    if path is None:
        return None
    data = path.read_bytes()
    return Image("image/png" if is_png(data) else "image/jpeg", data)


def diff_views(current: dict[str, str], wanted: dict[str, str]) -> tuple[TagChange, ...]:
    """Changes to managed keys; chapters the file has beyond the wanted ones are removed."""
    keys = list(wanted) + [k for k in current if k.startswith("chapter ") and k not in wanted]
    return tuple(TagChange(k, current.get(k, ""), wanted.get(k, "")) for k in keys
                 if current.get(k, "") != wanted.get(k, ""))


def _notes(show: Show, episode: Episode, kind: str, tags: TagSet) -> list[str]:
    notes = []
    if kind == "mp4" and tags.chapters:
        notes.append("chapters cannot be written into MP4/M4A files (mutagen writes no MP4 chapters); "
                     "they stay in the feed and on the episode page")
    if kind == "vorbis" and len(writable_chapters(tags, kind)) < len(tags.chapters):
        notes.append("hidden chapters (toc: false) are left out: Vorbis comments cannot hide a chapter")
    if episode.enclosure.site_path is None:
        notes.append(f"this file is published at {episode.enclosure.url}: upload the tagged file there "
                     "too, so the file listeners get matches the length in the feed")
    if episode.image is not None and episode.image.source_path is None:
        notes.append("the episode's artwork is remote; the show artwork is embedded instead")
    return notes


def _write_verified(path: Path, kind: str, tags: TagSet, id3v23: bool, wanted: dict[str, str]) -> None:
    """Tag a copy, check it reads back as intended, then swap it in with one rename."""
    before, _ = read_audio(path)
    with atomic_path(path, suffix=".castnotes-tag") as copy:
        shutil.copy2(path, copy)
        try:
            write_tags(copy, kind, tags, id3v23)
            after, _ = read_audio(copy)
            left = diff_views(read_view(copy, kind), wanted)
        except CastnotesError as exc:
            problem = exc.problems[0]
            raise CastnotesError.single(f"the tagged copy does not read back ({problem.message}); the file "
                                        "was left as it was", path, hint=problem.hint) from None
        except Exception as exc:  # mutagen raises many types while writing
            raise CastnotesError.single(f"cannot write the tags ({exc}); the file was left as it was", path,
                                        hint="check that the file is not read-only or in use") from None
        problems = []
        same_stream = (after.codec, after.mime) == (before.codec, before.mime)
        if not same_stream or abs(after.duration - before.duration) > 0.001:
            problems.append(f"the tagged copy reads as {after.codec} {after.duration:.3f} s instead of "
                            f"{before.codec} {before.duration:.3f} s")
        if left:
            problems.append("the tagged copy does not hold the tags written: "
                            + ", ".join(change.key for change in left))
        if problems:
            raise CastnotesError.single("; ".join(problems) + "; the file was left as it was", path,
                                        hint="please report this with the file")
