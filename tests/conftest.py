"""Shared fixtures: real audio made once per session, and `make_show` to write a show from dicts."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from audio_samples import in_ci, require_tool  # noqa: F401 - re-exported for tests
from click.testing import CliRunner, Result

from castnotes.cli.main import main
from castnotes.importing.settings import toml_value

REPO = Path(__file__).resolve().parents[1]


DATA = REPO / "tests" / "data"
FEEDS = DATA / "feeds"  # real feeds from parser test suites and invented hosted ones (see SOURCES.md)


def data_feeds() -> list[Path]:
    """Every feed file in tests/data/feeds/, sorted (the generator script is not a feed)."""
    return sorted(p for p in FEEDS.iterdir() if p.suffix in (".xml", ".rss"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite the golden files in tests/golden/ from the current output.")


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small real audio files: 3 s of tone as MP3 (VBR, Xing header) and as M4A; a JPEG cover."""
    ffmpeg = require_tool("ffmpeg")
    folder = tmp_path_factory.mktemp("media")
    wav = folder / "tone.wav"
    subprocess.run([ffmpeg, "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=330:duration=3",
                    "-ac", "1", "-ar", "22050", str(wav)], check=True)
    files = {"wav": wav}
    files["mp3"] = folder / "tone.mp3"
    subprocess.run([ffmpeg, "-loglevel", "error", "-i", str(wav), "-c:a", "libmp3lame", "-q:a", "6",
                    "-map_metadata", "-1", "-fflags", "+bitexact", str(files["mp3"])], check=True)
    files["m4a"] = folder / "tone.m4a"
    subprocess.run([ffmpeg, "-loglevel", "error", "-i", str(wav), "-c:a", "aac", "-b:a", "48k",
                    "-map_metadata", "-1", "-fflags", "+bitexact", str(files["m4a"])], check=True)
    from PIL import Image

    files["cover"] = folder / "cover.jpg"
    Image.new("RGB", (1400, 1400), (180, 90, 60)).save(files["cover"], quality=80)
    return files


ShowMaker = Callable[..., Path]

DEFAULT_SETTINGS: dict[str, Any] = {
    "show": {
        "title": "Test Show",
        "description": "A show for tests.",
        "url": "https://test.example/",
        "language": "en",
        "author": "Tess Ter",
        "owner": {"name": "Tess Ter", "email": "tess@test.example"},
        "image": "cover.jpg",
        "categories": ["Health & Fitness/Mental Health"],
        "explicit": False,
        "timezone": "UTC",
    }
}


def toml_dumps(data: dict[str, Any]) -> str:
    """Test settings as TOML: tables of values, written by the importer's own TOML writer."""
    lines = []
    for section, table in data.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
        lines.append("")
    return "\n".join(lines)


def write_episode(folder: Path, meta: dict[str, Any] | str | None, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if meta is None:
        text = body
    elif isinstance(meta, str):
        text = f"---\n{meta}---\n{body}"
    else:
        text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + body
    (folder / "episode.md").write_text(text, encoding="utf-8")


@pytest.fixture
def make_show(tmp_path: Path, media: dict[str, Path]) -> ShowMaker:
    """Write a show: `make_show(episodes={"001-a": {"meta": {...}, "body": "...", "audio": "mp3"}})`."""

    def make(episodes: dict[str, dict[str, Any]] | None = None, settings: dict[str, Any] | None = None,
             root: Path | None = None) -> Path:
        root = root or tmp_path / "show"
        root.mkdir(parents=True, exist_ok=True)
        merged = {k: dict(v) for k, v in DEFAULT_SETTINGS.items()}
        for section, table in (settings or {}).items():
            merged.setdefault(section, {}).update(table)
        (root / "castnotes.toml").write_text(toml_dumps(merged), encoding="utf-8")
        shutil.copyfile(media["cover"], root / "cover.jpg")
        (root / "episodes").mkdir(exist_ok=True)
        if episodes is None:
            episodes = default_episodes()
        for name, spec in episodes.items():
            folder = root / "episodes" / name
            write_episode(folder, spec.get("meta"), spec.get("body", "Some notes.\n"))
            audio = spec.get("audio", "mp3")
            if audio:
                kind, _, filename = audio.partition(":")
                shutil.copyfile(media[kind], folder / (filename or f"audio.{kind}"))
        return root

    return make


def default_episodes() -> dict[str, dict[str, Any]]:
    return {
        "001-first": {
            "meta": {"title": "First steps", "date": "2026-01-05 06:00",
                     "guid": "0b6e7c52-0001-4a0e-9e0e-000000000001"},
            "body": "We begin.\n\n## Takeaways\n1. **Start** small.\n",
        },
        "002-second": {
            "meta": {"title": "Second wind", "date": "2026-01-12 06:00",
                     "guid": "0b6e7c52-0002-4a0e-9e0e-000000000002"},
            "body": "Back to [the first one](../001-first/episode.md).\n",
            "audio": "m4a",
        },
    }


def run_cli(*args: str, show: Path | None = None) -> Result:
    """Run castnotes in-process; exceptions that are not SystemExit fail the test."""
    argv = (["-C", str(show)] if show else []) + list(args)
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def tree_digest(folder: Path) -> str:
    """A hash of every file's path and bytes: equal digests mean an untouched folder."""
    digest = hashlib.sha256()
    if not folder.exists():
        return "missing"
    for path in sorted(folder.rglob("*")):
        digest.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def copy_demo(target: Path, ledger: bool = True) -> Path:
    """The repo's demo show, copied so tests never write into the checkout.

    The repo's templates/ is the default theme (it ships in the package), so it is
    not copied as show overrides. `ledger=False` leaves out published.jsonl, for a
    test that publishes the demo at another address (the ledger would refuse it).
    """
    import tomllib

    target.mkdir(parents=True)
    shutil.copy2(REPO / "castnotes.toml", target / "castnotes.toml")
    image = tomllib.loads((REPO / "castnotes.toml").read_text())["show"].get("image")
    if image:
        shutil.copy2(REPO / image, target / image)
    shutil.copytree(REPO / "episodes", target / "episodes")
    for optional in ("static", "published.jsonl" if ledger else "", "people.toml", "people", "pages"):
        if not optional:
            continue
        source = REPO / optional
        if source.is_dir():
            shutil.copytree(source, target / optional)
        elif source.is_file():
            shutil.copy2(source, target / optional)
    return target
