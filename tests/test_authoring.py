"""`init`, `new` and `list`: from an empty folder to a published feed with castnotes commands only."""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
import shutil
import uuid
from pathlib import Path

import mutagen
import pytest
import yaml
from conftest import ShowMaker, run_cli, tree_digest
from feeds import parse_all
from PIL import Image

from castnotes.commands.check import check_show
from castnotes.commands.scaffold import SKELETON
from castnotes.config.settings import SCHEMA, load_settings
from castnotes.slugs import slugify


def front_matter(path: Path) -> dict:
    text = path.read_text()
    return yaml.safe_load(text.split("---\n")[1])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_init_new_build_end_to_end(tmp_path: Path, media: dict[str, Path]) -> None:
    show = tmp_path / "myshow"
    result = run_cli("init", str(show), "--title", "Tea & Friends", "--url", "https://tea.example",
                     "--timezone", "Europe/Berlin")
    assert result.exit_code == 0, result.output
    assert "Created the show 'Tea & Friends'" in result.output
    recording = tmp_path / "recording.mp3"
    shutil.copyfile(media["mp3"], recording)
    result = run_cli("new", "Why we drift apart", "--audio", str(recording), "--date", "2026-02-01 07:30",
                     "--publish", show=show)
    assert result.exit_code == 0, result.output
    folder = show / "episodes" / "002-why-we-drift-apart"
    assert "Created episodes/002-why-we-drift-apart/episode.md" in result.output
    assert sha(folder / "recording.mp3") == sha(recording) and recording.exists()
    meta = front_matter(folder / "episode.md")
    assert meta["title"] == "Why we drift apart" and meta["date"] == "2026-02-01 07:30"
    assert uuid.UUID(meta["guid"]).version == 4 and "draft" not in meta

    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "in the feed  2 episodes published" in result.output
    assert "2 records added to published.jsonl" in result.output
    fp, pp, _ = parse_all(show / "site" / "feed.xml", "https://tea.example/feed.xml")
    assert fp.feed.title == pp["title"] == "Tea & Friends"
    assert [e["title"] for e in pp["episodes"]] == [e.title for e in fp.entries] == \
        ["Welcome to the show", "Why we drift apart"]  # the sample was made "now", after Feb 2026
    by_guid = {e["guid"]: e for e in pp["episodes"]}
    episode = by_guid[meta["guid"]]
    assert episode["enclosures"][0]["url"] == "https://tea.example/media/why-we-drift-apart/recording.mp3"
    assert episode["enclosures"][0]["file_size"] == recording.stat().st_size
    assert episode["enclosures"][0]["mime_type"] == "audio/mpeg"
    assert abs(episode["total_time"] - mutagen.File(recording).info.length) <= 1
    entry = next(e for e in fp.entries if e.id == meta["guid"])
    assert email.utils.parsedate_to_datetime(entry.published).isoformat() == "2026-02-01T07:30:00+01:00"
    sample = next(e for e in pp["episodes"] if e["title"] == "Welcome to the show")
    assert sample["enclosures"][0]["file_size"] == (SKELETON / "welcome.mp3").stat().st_size
    assert fp.feed.image.href == pp["cover_url"]
    assert check_show(show).errors == []


def test_init_writes_a_show_that_builds_at_once(tmp_path: Path) -> None:
    result = run_cli("init", show=tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore", "artwork.png", "castnotes.toml", "episodes"]
    with Image.open(tmp_path / "artwork.png") as art:
        assert (art.format, art.size, art.mode) == ("PNG", (1400, 1400), "RGB")
    info = mutagen.File(tmp_path / "episodes" / "001-welcome" / "welcome.mp3")
    assert 2 < info.info.length < 10
    assert run_cli("build", show=tmp_path).exit_code == 0
    report = check_show(tmp_path)
    assert report.errors == [] and {f.rule for f in report.warnings} <= {"P20-GUID"}


def test_init_lists_every_setting() -> None:
    text = (SKELETON / "castnotes.toml").read_text()
    for section, keys in SCHEMA.items():
        assert re.search(rf"^(# )?\[{section}\]", text, re.M), section
        for key in keys:
            assert re.search(rf"^(# )?{key} = ", text, re.M), f"[{section}] {key} is not in the init template"


def test_init_examples_are_valid_settings(tmp_path: Path) -> None:
    """Every commented example in the init template works when the host uncomments it."""
    assert run_cli("init", show=tmp_path).exit_code == 0
    path = tmp_path / "castnotes.toml"
    text = re.sub(r"^# (\[\w+\]|\w+ = )", r"\1", path.read_text(), flags=re.M)
    path.write_text(text)
    settings = load_settings(tmp_path)
    assert settings.media.prefix == "https://op3.dev/e/" and settings.feed.limit == 100
    assert settings.show.keywords == ("friendship", "community")


def test_init_refuses_an_existing_show(make_show: ShowMaker) -> None:
    show = make_show()
    before = tree_digest(show)
    result = run_cli("init", str(show))
    assert result.exit_code == 1
    assert "already holds a show (castnotes.toml, episodes exists)" in result.output
    assert "castnotes init never overwrites" in result.output
    assert tree_digest(show) == before


def test_init_refuses_to_replace_any_file(tmp_path: Path) -> None:
    (tmp_path / "artwork.png").write_bytes(b"mine")
    assert run_cli("init", show=tmp_path).exit_code == 1
    assert (tmp_path / "artwork.png").read_bytes() == b"mine"
    assert not (tmp_path / "castnotes.toml").exists()


def test_init_keeps_an_existing_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("notes/\n")
    assert run_cli("init", show=tmp_path).exit_code == 0
    assert (tmp_path / ".gitignore").read_text() == "notes/\n"


# --- new ------------------------------------------------------------------------------------

def test_new_takes_the_next_number_and_keeps_the_width(make_show: ShowMaker) -> None:
    show = make_show()
    (show / "episodes" / "0010-old").mkdir()
    result = run_cli("new", "Ünïcode: café & more!", "--type", "bonus", show=show)
    assert result.exit_code == 0, result.output
    folder = show / "episodes" / "0011-unicode-cafe-more"
    meta = front_matter(folder / "episode.md")
    assert meta["type"] == "bonus" and meta["draft"] is True and meta["title"] == "Ünïcode: café & more!"
    assert "Copy the episode's audio into episodes/0011-unicode-cafe-more/" in result.output
    assert "## My favourite takeaways" in (folder / "episode.md").read_text()


def test_new_never_overwrites(make_show: ShowMaker) -> None:
    show = make_show()
    before = tree_digest(show)
    taken = run_cli("new", "Other", "--number", "2", show=show)
    assert taken.exit_code == 1 and "episode number 2 is already used by episodes/002-second/" in taken.output
    assert tree_digest(show) == before
    (show / "episodes" / "003-again").mkdir()
    before = tree_digest(show)
    same = run_cli("new", "Again", "--number", "3", show=show)
    assert same.exit_code == 1
    assert tree_digest(show) == before


def test_new_moves_audio_byte_for_byte(make_show: ShowMaker, media: dict[str, Path], tmp_path: Path) -> None:
    show = make_show()
    source = tmp_path / "take 3.m4a"
    shutil.copyfile(media["m4a"], source)
    digest = sha(source)
    result = run_cli("new", "Moved", "--audio", str(source), "--move", show=show)
    assert result.exit_code == 0, result.output
    assert not source.exists()
    assert sha(show / "episodes" / "003-moved" / "take 3.m4a") == digest


def test_new_refuses_audio_that_is_not_audio(make_show: ShowMaker, tmp_path: Path) -> None:
    show = make_show()
    fake = tmp_path / "fake.mp3"
    fake.write_text("not audio")
    before = tree_digest(show)
    result = run_cli("new", "Fake", "--audio", str(fake), show=show)
    assert result.exit_code == 1 and "fake.mp3" in result.output
    wav = tmp_path / "raw.wav"
    wav.write_bytes(b"RIFF")
    result = run_cli("new", "Raw", "--audio", str(wav), show=show)
    assert result.exit_code == 1 and "not a podcast audio format" in result.output
    assert tree_digest(show) == before


def test_new_date_in_the_show_zone(make_show: ShowMaker) -> None:
    show = make_show(settings={"show": {"timezone": "America/New_York"}})
    assert run_cli("new", "Later", "--date", "2026-03-01T12:00:00+00:00", show=show).exit_code == 0
    assert front_matter(show / "episodes" / "003-later" / "episode.md")["date"] == "2026-03-01 07:00"
    bad = run_cli("new", "Never", "--date", "someday", show=show)
    assert bad.exit_code == 1 and "--date 'someday' is not a date" in bad.output


@pytest.mark.parametrize(("title", "slug"), [
    ("Why We Drift Apart (Part 2)", "why-we-drift-apart-part-2"),
    ("!!!", ""),
    ("Café Society", "cafe-society"),
    ("a" * 30 + " " + "b" * 30, "a" * 30),
])
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title, max_length=50) == slug


# --- list -----------------------------------------------------------------------------------

def test_list_shows_every_status(make_show: ShowMaker) -> None:
    show = make_show(episodes={
        "001-first": {"meta": {"title": "First", "date": "2026-01-05 06:00", "guid": "g1"}},
        "002-draft": {"meta": {"title": "A draft", "date": "2026-01-06 06:00", "guid": "g2", "draft": True},
                      "audio": "m4a"},
        "003-later": {"meta": {"title": "Later", "date": "2099-01-01 06:00", "guid": "g3", "season": 2}},
    })
    assert run_cli("build", show=show).exit_code == 0
    result = run_cli("list", show=show)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["#", "date", "status", "title", "duration", "size", "format"]
    assert re.match(r"^\s*1\s+2026-01-05 06:00\s+published\s+First\s+0:03\s+\d+ KB\s+MP3$", lines[1])
    assert re.match(r"^\s*2\s+2026-01-06 06:00\s+draft\s+A draft\s+0:03\s+\d+ KB\s+M4A$", lines[2])
    assert re.match(r"^\s*S2E3\s+2099-01-01 06:00\s+scheduled\s+Later", lines[3])
    data = json.loads(run_cli("list", "--format", "json", show=show).output)
    assert [(d["slug"], d["status"], d["in_ledger"]) for d in data] == [
        ("first", "published", True), ("draft", "draft", False), ("later", "scheduled", False)]
    assert data[0]["size"] == (show / "episodes" / "001-first" / "audio.mp3").stat().st_size
    assert abs(data[0]["duration"] - 3) < 0.2 and data[0]["mime"] == "audio/mpeg"
