"""The episode cache's stamp shortcut: an unchanged episode folder is taken from the cache
without its front matter being parsed; any change to its files, the show's settings or
castnotes' version reads it again; what depends on other episodes is still worked out
over all of them."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from conftest import ShowMaker, require_tool, run_cli, write_episode

from castnotes.commands.build import BuildOptions, prepare_settings
from castnotes.read import episode_cache, show as show_module
from castnotes.read.show import load_show


def three_episodes() -> dict[str, dict]:
    return {f"00{n}-ep{n}": {"meta": {"title": f"Episode {n}", "date": f"2026-01-0{n} 06:00", "guid": f"guid-{n}"},
                             "body": f"Notes for episode {n}.\n"} for n in (1, 2, 3)}


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders whose episode.md the loader parses (front matter and all)."""
    folders: list[str] = []
    real = show_module.load_document

    def counting(path: Path, *args: object):
        folders.append(path.parent.name)
        return real(path, *args)

    monkeypatch.setattr(show_module, "load_document", counting)
    return folders


def load(show: Path):
    return load_show(prepare_settings(show, BuildOptions()), reuse_episodes=True)


def titles(show: Path) -> dict[str, str]:
    return {e.folder: e.title for e in load(show).episodes}


def test_an_unchanged_episode_is_not_parsed_again(make_show: ShowMaker, parsed: list[str]) -> None:
    show = make_show(three_episodes())
    first = load(show)
    assert sorted(parsed) == ["001-ep1", "002-ep2", "003-ep3"]
    parsed.clear()
    again = load(show)
    assert parsed == []
    assert again.episodes == first.episodes
    assert repr(again.episodes) == repr(first.episodes)


def test_a_changed_file_is_read_again(make_show: ShowMaker, parsed: list[str]) -> None:
    show = make_show(three_episodes())
    load(show)
    parsed.clear()
    path = show / "episodes" / "002-ep2" / "episode.md"
    stat = path.stat()
    path.write_text(path.read_text().replace("Episode 2", "Episode Two"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert titles(show)["002-ep2"] == "Episode Two"
    assert parsed == ["002-ep2"]


def test_a_file_added_beside_the_notes_reads_the_episode_again(make_show: ShowMaker, parsed: list[str]) -> None:
    show = make_show(three_episodes())
    load(show)
    parsed.clear()
    (show / "episodes" / "003-ep3" / "cover.jpg").write_bytes((show / "cover.jpg").read_bytes())
    episode = next(e for e in load(show).episodes if e.folder == "003-ep3")
    assert episode.image is not None and episode.image.site_path == "episodes/ep3/cover.jpg"
    assert parsed == ["003-ep3"]


def test_same_size_and_mtime_restored_is_the_known_limit(make_show: ShowMaker, parsed: list[str]) -> None:
    """Like make and rsync, the cache trusts (size, mtime, inode): an edit of the same length
    written in place with its old mtime put back is not seen. This test pins that limit."""
    show = make_show(three_episodes())
    load(show)
    parsed.clear()
    path = show / "episodes" / "001-ep1" / "episode.md"
    stat = path.stat()
    with path.open("r+b") as fh:  # in place: same inode, same size
        text = fh.read()
        fh.seek(0)
        fh.write(text.replace(b"Episode 1", b"Episode X"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert titles(show)["001-ep1"] == "Episode 1"
    assert parsed == []
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # touched: read again
    assert titles(show)["001-ep1"] == "Episode X"
    assert parsed == ["001-ep1"]


def test_a_show_setting_change_reads_every_episode_again(make_show: ShowMaker, parsed: list[str]) -> None:
    show = make_show(three_episodes())
    load(show)
    parsed.clear()
    config = show / "castnotes.toml"
    config.write_text(config.read_text().replace('title = "Test Show"', 'title = "Renamed Show"'))
    load(show)
    assert sorted(parsed) == ["001-ep1", "002-ep2", "003-ep3"]


def test_another_castnotes_version_reads_every_episode_again(make_show: ShowMaker, parsed: list[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    show = make_show(three_episodes())
    load(show)
    parsed.clear()
    monkeypatch.setattr(episode_cache, "__version__", "99.0")
    monkeypatch.setattr(show_module, "__version__", "99.0")
    load(show)
    assert sorted(parsed) == ["001-ep1", "002-ep2", "003-ep3"]


def cache_file(show: Path) -> Path:
    return show / ".castnotes" / episode_cache.CACHE_NAME


def results_start(data: bytes) -> int:
    """Where the results begin: after the magic line, the header line and the index."""
    magic_end = len(episode_cache.MAGIC)
    header_end = data.index(b"\n", magic_end) + 1
    return header_end + json.loads(data[magic_end:header_end])["index"]


def test_a_damaged_result_is_read_again(make_show: ShowMaker, parsed: list[str]) -> None:
    show = make_show(three_episodes())
    first = load(show)
    data = bytearray(cache_file(show).read_bytes())
    entries = episode_cache.loads(bytes(data[data.index(b"\n", len(episode_cache.MAGIC)) + 1:results_start(data)]))
    _, _, _, _, offset, length, _ = entries["002-ep2"]
    at = results_start(data) + offset + length // 2
    data[at] ^= 0xFF  # one flipped byte in the middle of 002's result: its CRC no longer matches
    cache_file(show).write_bytes(bytes(data))
    parsed.clear()
    again = load(show)
    assert again.episodes == first.episodes and repr(again.episodes) == repr(first.episodes)
    assert parsed == ["002-ep2"]


@pytest.mark.parametrize("damage", ["truncated", "index byte", "header", "foreign", "empty", "old jsonl"])
def test_a_damaged_or_foreign_cache_file_is_ignored(make_show: ShowMaker, parsed: list[str], damage: str) -> None:
    """Whatever the file holds, loading never fails on it and never takes a stale episode from
    it: every episode is read again, and the file is written anew."""
    show = make_show(three_episodes())
    first = load(show)
    path = cache_file(show)
    data = path.read_bytes()
    if damage == "truncated":
        damaged = data[:-10]  # the last result (003's) cut short
    elif damage == "index byte":
        at = results_start(data) - 20
        damaged = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
    elif damage == "header":
        damaged = data.replace(b'"format": 7', b'"format": 6', 1)
    elif damage == "foreign":
        damaged = os.urandom(len(data))
    elif damage == "empty":
        damaged = b""
    else:
        damaged = b'{"format": 6, "version": "0.1.0"}\nbroken\tline\t{\t['
    path.write_bytes(damaged)
    if damage == "truncated":  # the index is intact: the episode whose result is cut short is read again
        parsed.clear()
        assert load(show).episodes == first.episodes
        assert parsed == ["003-ep3"]
    else:
        parsed.clear()
        assert load(show).episodes == first.episodes
        assert sorted(parsed) == ["001-ep1", "002-ep2", "003-ep3"]
    parsed.clear()
    assert load(show).episodes == first.episodes  # and written anew
    assert parsed == []


def test_a_result_naming_another_function_is_refused_not_run(make_show: ShowMaker, parsed: list[str],
                                                             tmp_path: Path) -> None:
    """A result that would call anything but the model's constructors (here `os.system`, with a
    valid CRC, as only someone writing it on purpose would make it) is refused unrun."""
    show = make_show(three_episodes())
    first = load(show)
    path = cache_file(show)
    data = path.read_bytes()
    start = results_start(data)
    magic_end = len(episode_cache.MAGIC)
    header_end = data.index(b"\n", magic_end) + 1
    entries = episode_cache.loads(data[header_end:start])
    marker = tmp_path / "ran"
    evil = pickle.dumps(RunsCommand(f"touch {marker}"), protocol=5)
    results = data[start:]
    stamp, slug, linked, summary, offset, length, _ = entries["002-ep2"]
    entries["002-ep2"] = (stamp, slug, linked, summary, len(results), len(evil), zlib.crc32(evil))
    index = episode_cache.dumps(entries)
    header = json.loads(data[magic_end:header_end])
    header.update(index=len(index), sha256=hashlib.sha256(index).hexdigest())
    path.write_bytes(data[:magic_end] + json.dumps(header).encode() + b"\n" + index + results + evil)
    parsed.clear()
    assert load(show).episodes == first.episodes
    assert parsed == ["002-ep2"]
    assert not marker.exists()


def rewrite_index(path: Path, change) -> None:
    """The cache file with its index changed by `change(entries)`, its digest made right again."""
    data = path.read_bytes()
    magic_end = len(episode_cache.MAGIC)
    header_end = data.index(b"\n", magic_end) + 1
    start = results_start(data)
    entries = episode_cache.loads(data[header_end:start])
    change(entries)
    index = episode_cache.dumps(entries)
    header = json.loads(data[magic_end:header_end])
    header.update(index=len(index), sha256=hashlib.sha256(index).hexdigest())
    path.write_bytes(data[:magic_end] + json.dumps(header).encode() + b"\n" + index + data[start:])


def test_a_summary_of_another_shape_is_parsed_again(make_show: ShowMaker, parsed: list[str]) -> None:
    """A file of the same format written by another build of castnotes (a summary without a key
    this one reads) costs a parse, never a crash."""
    show = make_show(three_episodes())
    first = load(show)

    def drop_a_key(entries: dict) -> None:
        stamp, slug, linked, summary, *rest = entries["001-ep1"]
        entries["001-ep1"] = (stamp, slug, linked, {k: v for k, v in summary.items() if k != "slugs"}, *rest)

    rewrite_index(cache_file(show), drop_a_key)
    parsed.clear()
    assert load(show).episodes == first.episodes
    assert parsed == ["001-ep1"]


class RunsCommand:
    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def test_the_cache_gives_back_equal_values_of_every_kind() -> None:
    """Paths, dates in an IANA zone, at a fixed offset and in UTC, nested dataclasses, empty
    tuples and None come back equal and with equal repr (page fingerprints hash the repr)."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from castnotes.errors import Problem, SourceLocation
    from castnotes.model import Enclosure, Episode, Person

    def episode(date: datetime, path: str) -> Episode:
        return Episode(folder="001-x", source_path=Path(path), slug="x", guid="g", title="T", date=date,
                       summary="s", summary_is_excerpt=False, body_html="<p>b</p>",
                       enclosure=Enclosure(url="https://e.example/a.mp3", length=10, mime="audio/mpeg",
                                           duration=1.5, source_path=Path("/show/episodes/001-x/a b.mp3")),
                       guests=(Person(name="Ada"),), copies=((Path("/show/x/../y.jpg"), "y.jpg"),))

    dates = [datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")),
             datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Berlin")),
             datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-5)))]
    for date in dates:
        for path in ("/show/episodes/001-x/episode.md", "relative/episode.md", "//two/slashes", "/"):
            value = (episode(date, path), (Problem("m", SourceLocation(Path(path), 3)),), (("002-y", 4),), None)
            back = episode_cache.loads(episode_cache.dumps(value))
            assert back == value and repr(back) == repr(value)
            assert back[0].date.utcoffset() == date.utcoffset() and back[0].source_path.parts == Path(path).parts


def test_a_folder_holding_a_link_is_checked_every_time(make_show: ShowMaker, parsed: list[str]) -> None:
    """A link's target can change (or leave the show) without the folder's stamp changing."""
    show = make_show(three_episodes())
    (show / "notes.pdf").write_bytes(b"%PDF-1.4\n")
    (show / "episodes" / "002-ep2" / "notes.pdf").symlink_to(show / "notes.pdf")
    load(show)
    parsed.clear()
    load(show)
    assert parsed == ["002-ep2"]
    (show / "episodes" / "002-ep2" / "notes.pdf").unlink()
    outside = show.parent / "outside.pdf"
    outside.write_bytes(b"%PDF-1.4\n")
    (show / "episodes" / "002-ep2" / "notes.pdf").symlink_to(outside)
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "outside the show folder" in result.output


def test_slugs_drafts_and_neighbours_are_still_worked_out_over_all_episodes(
        make_show: ShowMaker, media: dict[str, Path], tmp_path: Path) -> None:
    """A new folder with the title of a cached episode, a draft taken from the cache: the site
    after each incremental build is the site a build from scratch makes."""
    episodes = three_episodes()
    episodes["002-ep2"]["meta"]["draft"] = True
    show = make_show(episodes)
    assert run_cli("build", show=show).exit_code == 0
    assert not (show / "site" / "episodes" / "ep2").exists()  # the draft is left out
    # a folder sorting before 003-ep3 whose title part is the same: who gets `ep3` is decided
    # over all folders (the published one keeps its address)
    write_episode(show / "episodes" / "0025-ep3", {"title": "Episode 3 again", "date": "2026-01-04 06:00",
                                                   "guid": "guid-4"}, "New notes.\n")
    shutil.copyfile(media["mp3"], show / "episodes" / "0025-ep3" / "audio.mp3")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert not (show / "site" / "episodes" / "ep2").exists()  # still a draft, from the cache
    assert (show / "site" / "episodes" / "0025-ep3" / "index.html").exists()
    page = (show / "site" / "episodes" / "ep3" / "index.html").read_text()
    assert "<title>Episode 3 " in page and "<title>Episode 3 again" not in page  # the published one
    assert 'href="../../episodes/0025-ep3/"' in page  # and its new neighbour

    fresh = tmp_path / "fresh"
    shutil.copytree(show, fresh, ignore=shutil.ignore_patterns("site", ".castnotes"))
    assert run_cli("build", show=fresh).exit_code == 0
    assert site_files(show / "site") == site_files(fresh / "site")


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_published_file_outside_the_folder_that_is_gone_reads_the_episode_again(
        make_show: ShowMaker, media: dict[str, Path], parsed: list[str], tmp_path: Path) -> None:
    """Files in the episode's folder are vouched for by its stamp; one elsewhere (art taken from
    the audio's tags, kept in `.castnotes/pictures/`) is looked for on every build."""
    show = make_show(three_episodes())
    audio = next((show / "episodes" / "002-ep2").glob("*.mp3"))
    with_art = tmp_path / "with-art.mp3"
    subprocess.run([require_tool("ffmpeg"), "-loglevel", "error", "-i", str(media["mp3"]), "-i", str(media["cover"]),
                    "-map", "0", "-map", "1", "-c", "copy", "-id3v2_version", "3", str(with_art)], check=True)
    shutil.copyfile(with_art, audio)
    first = load(show)
    episode = next(e for e in first.episodes if e.folder == "002-ep2")
    pictures = show / ".castnotes" / "pictures"
    assert episode.image is not None and episode.image.source_path.parent == pictures
    parsed.clear()
    assert load(show).episodes == first.episodes
    assert parsed == []
    shutil.rmtree(pictures)
    parsed.clear()
    assert load(show).episodes == first.episodes  # loaded again: the art is taken from the audio again
    assert parsed == ["002-ep2"]
    assert episode.image.source_path.is_file()
