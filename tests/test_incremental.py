"""Incremental builds: after any change, the same bytes as a full build; unchanged files untouched."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pytest
from conftest import ShowMaker, run_cli, write_episode

from castnotes import workers


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def build(show: Path, *args: str) -> str:
    result = run_cli("build", *args, show=show)
    assert result.exit_code == 0, result.output
    return result.output


def full_build(show: Path, tmp_path: Path) -> dict[str, bytes]:
    """The same show built from scratch elsewhere: no caches, no previous site."""
    fresh = tmp_path / "fresh"
    if fresh.exists():
        shutil.rmtree(fresh)
    shutil.copytree(show, fresh, ignore=shutil.ignore_patterns("site", ".castnotes"))
    build(fresh)
    return site_files(fresh / "site")


def five_episodes() -> dict[str, dict]:
    episodes = {}
    for n in range(1, 6):
        episodes[f"{n:03d}-ep{n}"] = {
            "meta": {"title": f"Episode {n}", "date": f"2026-01-{n:02d} 06:00", "guid": f"guid-{n}",
                     "categories": ["friendship"] if n % 2 else ["loneliness"]},
            "body": f"Notes for episode {n}.\n\n## Takeaways\n1. **Point.** Text {n}.\n"
                    + ("See [the first](../001-ep1/episode.md).\n" if n > 1 else ""),
            "audio": "mp3" if n % 2 else "m4a",
        }
    return episodes


def add_episode(show: Path, media: dict[str, Path]) -> tuple[str, ...]:
    write_episode(show / "episodes" / "006-ep6", {"title": "Episode 6", "date": "2026-01-06 06:00",
                                                  "guid": "guid-6", "categories": ["loneliness"]}, "New.\n")
    shutil.copyfile(media["mp3"], show / "episodes" / "006-ep6" / "audio.mp3")
    return ()


def edit_notes(show: Path, media: dict[str, Path]) -> tuple[str, ...]:
    path = show / "episodes" / "003-ep3" / "episode.md"
    path.write_text(path.read_text().replace("Text 3.", "Text three, rewritten."))
    return ()


def replace_audio(show: Path, media: dict[str, Path]) -> tuple[str, ...]:
    folder = show / "episodes" / "003-ep3"
    (folder / "audio.mp3").unlink()
    shutil.copyfile(media["m4a"], folder / "audio.m4a")
    return ("--allow-change", "ep3")  # its enclosure URL changes: the ledger wants to hear it


def delete_episode(show: Path, media: dict[str, Path]) -> tuple[str, ...]:
    shutil.rmtree(show / "episodes" / "004-ep4")
    return ("--allow-change", "ep4")


def change_template(show: Path, media: dict[str, Path]) -> tuple[str, ...]:
    partials = show / "templates" / "partials"
    partials.mkdir(parents=True)
    (partials / "footer.html").write_text(
        '{% extends "default/partials/footer.html" %}{% block footer_links %}<p>Hi</p>{% endblock %}\n')
    return ()


def change_settings(show: Path, media: dict[str, Path]) -> tuple[str, ...]:
    path = show / "castnotes.toml"
    path.write_text(path.read_text().replace('title = "Test Show"', 'title = "Renamed Show"'))
    return ()


CHANGES: list[Callable[[Path, dict[str, Path]], tuple[str, ...]]] = [
    add_episode, edit_notes, replace_audio, delete_episode, change_template, change_settings]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_incremental_equals_full_build(make_show: ShowMaker, media: dict[str, Path], tmp_path: Path,
                                       change: Callable[[Path, dict[str, Path]], tuple[str, ...]]) -> None:
    show = make_show(five_episodes())
    build(show)
    (show / "static").mkdir(exist_ok=True)
    (show / "static" / "hello.txt").write_text("a second build, so the third one stages into the first's tree")
    build(show)
    assert [p.name for p in (show / ".castnotes" / "spare").iterdir()]  # the replaced site, kept
    args = change(show, media)
    build(show, *args)
    # the copy's ledger already records any change allowed above
    assert site_files(show / "site") == full_build(show, tmp_path)


def test_one_edit_leaves_other_files_untouched(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show(five_episodes())
    build(show)
    before = inodes(show / "site")
    edit_notes(show, media)
    output = build(show)
    after = inodes(show / "site")
    changed = {path for path in after if before.get(path) != after[path]}
    # the edited page, and the files that carry its notes: feed, takeaways feed, search index
    index = {path for path in changed if path.startswith("pagefind/")}
    assert changed - index == {"episodes/ep3/index.html", "feed.xml", "takeaways.xml"}, changed
    # of the search index, only what holds the page's words (Pagefind's scripts stay as they were)
    assert {p.rsplit(".", 1)[-1] for p in index} <= {"pf_fragment", "pf_index", "pf_meta", "json"}, index
    assert sum(1 for p in index if p.endswith(".pf_fragment")) == 1, index
    # re-rendered: the episode, its neighbours and the lists it is on (same bytes, so kept)
    rendered = int(re.search(r"\((\d+) rendered, the rest unchanged\)", output).group(1))
    assert 1 <= rendered < 12


def test_a_new_episode_renders_only_what_shows_it(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show(five_episodes(), settings={"site": {"per_page": 2}})
    build(show)
    before = inodes(show / "site")
    add_episode(show, media)
    build(show)
    after = inodes(show / "site")
    changed = {path for path in after if before.get(path) != after[path]}
    assert "episodes/ep6/index.html" in changed and "episodes/ep5/index.html" in changed  # new; its neighbour
    assert "episodes/ep1/index.html" not in changed and "episodes/ep3/index.html" not in changed
    assert "categories/friendship/index.html" not in changed  # ep6 is only about loneliness
    assert "categories/loneliness/index.html" in changed
    assert not any(path.startswith("media/ep1/") for path in changed)


def test_nothing_changed_answers_without_loading_the_show(make_show: ShowMaker) -> None:
    show = make_show()
    build(show)
    code = ("import sys; from castnotes.cli.main import main\n"
            f"main(['-C', {str(show)!r}, 'build'], standalone_mode=False)\n"
            "print(sorted(m for m in ('castnotes.render.pages', 'castnotes.render.rss', 'castnotes.read.show', 'jinja2',"
            " 'feedgen', 'mutagen', 'markdown_it') if m in sys.modules))")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Nothing changed since the last build" in result.stdout
    assert result.stdout.strip().endswith("[]"), result.stdout
    assert time.perf_counter() - started < 5


def test_touching_a_file_or_removing_the_site_rebuilds(make_show: ShowMaker) -> None:
    show = make_show()
    build(show)
    assert "Nothing changed" in build(show)
    os.utime(show / "episodes" / "001-first" / "episode.md")
    assert "Nothing changed" not in build(show)
    shutil.rmtree(show / "site")
    assert "Nothing changed" not in build(show)
    assert (show / "site" / "feed.xml").is_file()
    assert "Nothing changed" not in build(show, "--drafts")  # other options: another build


def test_a_scheduled_episode_goes_live_without_any_change(make_show: ShowMaker) -> None:
    soon = datetime.now(timezone.utc) + timedelta(seconds=2)
    episodes = {"001-now": {"meta": {"title": "Now", "date": "2026-01-05", "guid": "g-now"}},
                "002-soon": {"meta": {"title": "Soon", "date": soon.isoformat(timespec="seconds"),
                                      "guid": "g-soon"}}}
    show = make_show(episodes)
    build(show)
    assert b"g-soon" not in (show / "site" / "feed.xml").read_bytes()
    time.sleep(max(0.0, (soon - datetime.now(timezone.utc)).total_seconds()) + 1.1)
    assert "Nothing changed" not in build(show)
    assert b"g-soon" in (show / "site" / "feed.xml").read_bytes()


def test_worker_processes_give_the_same_bytes(make_show: ShowMaker, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if workers.workers() < 2 and "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("needs fork")
    show = make_show(five_episodes())
    one = full_build(show, tmp_path)
    monkeypatch.setattr(workers, "PARALLEL_MIN", 1)
    monkeypatch.setattr(workers, "workers", lambda: 2)
    build(show)
    assert site_files(show / "site") == one


def test_an_error_in_a_worker_is_reported(make_show: ShowMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "PARALLEL_MIN", 1)
    monkeypatch.setattr(workers, "workers", lambda: 2)
    episodes = five_episodes()
    episodes["003-ep3"]["meta"]["date"] = "someday"
    result = run_cli("build", show=make_show(episodes))
    assert result.exit_code == 1
    assert "episodes/003-ep3/episode.md:3: error: date: 'someday' is not a date" in result.stderr


def test_background_work_runs_on_other_cores_and_stops_with_its_scope(monkeypatch: pytest.MonkeyPatch) -> None:
    """workers.Background: results in order, a worker's error re-raised, and work still running
    when its scope ends (the build failed meanwhile) stopped."""
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("needs fork")
    monkeypatch.setattr(workers, "PARALLEL_MIN", 1)
    monkeypatch.setattr(workers, "workers", lambda: 2)
    parent = os.getpid()
    done = workers.Background(lambda n: (n * n, os.getpid()), list(range(40))).wait()
    assert [square for square, _ in done] == [n * n for n in range(40)]
    assert parent not in {pid for _, pid in done}

    def fail(n: int) -> int:
        if n == 7:
            raise ValueError("seven")
        return n

    with pytest.raises(ValueError, match="seven"):
        workers.Background(fail, list(range(10))).wait()
    started = time.monotonic()
    with pytest.raises(RuntimeError), workers.background_scope():
        slow = workers.Background(lambda n: time.sleep(30), list(range(4)))
        processes = list(slow.pool._pool)
        raise RuntimeError("the build stopped")
    assert slow.pool is None and not any(p.is_alive() for p in processes)
    assert time.monotonic() - started < 10


def test_a_feed_built_in_pieces_is_the_same_feed(make_show: ShowMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    from castnotes.render import rss as feed

    show = make_show(five_episodes())
    build(show)
    whole = (show / "site" / "feed.xml").read_bytes()
    monkeypatch.setattr(feed, "PART_ITEMS", 2)  # five episodes: pieces of 2, 2 and 1
    shutil.rmtree(show / "site")
    shutil.rmtree(show / ".castnotes")
    build(show)
    assert (show / "site" / "feed.xml").read_bytes() == whole
    assert whole.count(b"<item>") == 5


def test_cached_episodes_are_the_loaded_ones(tmp_path: Path) -> None:
    """The episode cache gives back exactly what loading gives: equal objects, equal repr."""
    from conftest import copy_demo

    from castnotes.codec import decode, encode
    from castnotes.commands.build import BuildOptions, prepare_settings
    from castnotes.model import Episode
    from castnotes.read.show import load_show

    demo = copy_demo(tmp_path / "demo")
    settings = prepare_settings(demo, BuildOptions())
    show = load_show(settings)
    assert len(show.episodes) >= 7
    for episode in show.episodes:
        again = decode(Episode, json.loads(json.dumps(encode(episode))))
        assert again == episode
        assert repr(again) == repr(episode)


def test_a_new_episode_leaves_older_list_pages_alone(make_show: ShowMaker, media: dict[str, Path],
                                                     tmp_path: Path) -> None:
    """Lists are cut into pages from the oldest end: a new episode changes the first page of
    each list it is on, not every page after it (issue 16), and the result is a full build's."""
    show = make_show(five_episodes(), settings={"site": {"per_page": 2}})
    build(show)
    before = inodes(show / "site")
    assert {"page/2/index.html", "page/3/index.html"} <= set(before)  # episodes 1-2 and 3-4
    add_episode(show, media)
    output = build(show)
    after = inodes(show / "site")
    changed = {path for path in after if before.get(path) != after[path]}
    assert "index.html" in changed and "page/4/index.html" in changed  # the home page; 5-6 filled a page
    assert "page/2/index.html" not in changed, " ".join(sorted(changed))
    assert "page/3/index.html" in changed  # only its link to newer episodes: page/4/, no longer home
    assert (show / "site" / "page/3/index.html").read_text().count('href="../../page/4/" rel="prev"') == 1
    assert "categories/loneliness/index.html" in changed  # ep6 heads it; its older page stays
    assert "categories/loneliness/page/2/index.html" not in changed
    rendered = int(re.search(r"\((\d+) rendered, the rest unchanged\)", output).group(1))
    assert rendered <= 16, output  # of 27 pages and files
    assert site_files(show / "site") == full_build(show, tmp_path)


def test_the_search_index_is_pagefinds_own_over_the_whole_site(make_show: ShowMaker, tmp_path: Path) -> None:
    """The build hands Pagefind only the pages it indexes (output.search.indexed_pages: a scratch
    site of links per shard); on a show of one shard the bundle must be the one Pagefind makes
    when it reads every page itself. A page of the show's that carries the mark is indexed too."""
    from castnotes.output.search import SHARD_LIST, UNUSED, indexed_pages, pagefind_binary

    show = make_show(five_episodes())
    build(show)
    site = show / "site"
    oldest_first = [f"episodes/ep{n}/index.html" for n in range(1, 6)]
    assert list(indexed_pages(site, oldest_first)) == oldest_first
    whole = tmp_path / "whole"
    subprocess.run([str(pagefind_binary()), "--site", str(site), "--output-path", str(whole), "--silent",
                    "--force-language", "en"], check=True, capture_output=True)
    own = {p.relative_to(whole).as_posix(): p.read_bytes() for p in whole.rglob("*")
           if p.is_file() and not any(p.match(name) for name in UNUSED)}
    assert {k.removeprefix("pagefind/"): v for k, v in site_files(site).items()
            if k.startswith("pagefind/") and k != f"pagefind/{SHARD_LIST}"} == own
    (site / "about" / "index.html").write_text('<html><body><main data-pagefind-body>About</main></body></html>')
    assert list(indexed_pages(site, oldest_first)) == [*oldest_first, "about/index.html"]
    assert list(indexed_pages(site, oldest_first[::-1]))[0] == "episodes/ep5/index.html"  # in the order given


def test_a_template_edited_in_place_is_compiled_again(make_show: ShowMaker, tmp_path: Path) -> None:
    """Compiled templates are kept in .castnotes/ (Jinja's bytecode cache); an edit of the same
    file, even within the same second and at the same size, must show on every page."""
    show = make_show(five_episodes())
    partial = show / "templates" / "partials" / "footer.html"
    partial.parent.mkdir(parents=True)
    partial.write_text('{% extends "default/partials/footer.html" %}{% block footer_links %}<p>AAAA</p>{% endblock %}\n')
    build(show)
    assert list((show / ".castnotes").glob("jinja-*/*.cache"))
    partial.write_text(partial.read_text().replace("AAAA", "BBBB"))
    build(show)
    assert "BBBB" in (show / "site" / "index.html").read_text()
    assert site_files(show / "site") == full_build(show, tmp_path)


def test_a_build_tunes_the_collector_and_gives_it_back(make_show: ShowMaker) -> None:
    """The collector scans the show once, not on every full collection, and collects young
    objects less often during a build; after it (a preview server builds again and again)
    everything is as it was, so the old show can be freed."""
    import gc

    from castnotes.commands.build import build as build_show
    from castnotes.workers import BUILD_GC_THRESHOLD

    show = make_show(five_episodes())
    seen: list[tuple[int, int]] = []
    real = gc.freeze

    def freeze() -> None:
        seen.append((gc.get_threshold()[0], gc.get_freeze_count()))
        real()

    before = gc.get_threshold()
    gc.freeze, frozen_before = freeze, gc.get_freeze_count()  # type: ignore[assignment]
    try:
        build_show(show)
    finally:
        gc.freeze = real  # type: ignore[assignment]
    assert seen and seen[0][0] == BUILD_GC_THRESHOLD  # frozen after loading, with the build's threshold
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen_before == 0
