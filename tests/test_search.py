"""The search index in shards (output/search.py): stable shards over the pages oldest first, a
shard whose pages did not change keeps its files without running Pagefind, an incremental build
gives the bytes of a full one, and in a browser a query finds pages of every shard."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import ShowMaker, write_episode
from test_incremental import build, five_episodes, full_build, inodes, site_files

from castnotes.output import search
from castnotes.output.search import SearchIndex, shard_bounds


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Small shards (blocks of 4, then of 2) and the shard numbers Pagefind ran for."""
    monkeypatch.setattr(search, "SHARD_SIZES", (4, 2))
    numbers: list[int] = []
    original = SearchIndex._index

    def counted(self: SearchIndex, binary: Path, shard: search.Shard) -> tuple[int, bytes]:
        numbers.append(shard.number)
        return original(self, binary, shard)

    monkeypatch.setattr(SearchIndex, "_index", counted)
    return numbers


def shard_list(site: Path) -> list[tuple[str, int]]:
    listed = json.loads((site / "pagefind" / "shards.json").read_text())["shards"]
    return [(item["path"], item["pages"]) for item in listed]


def page_count(bundle: Path) -> int:
    return int(re.search(r'"page_count":\s*(\d+)', (bundle / "pagefind-entry.json").read_text()).group(1))


def test_shards_are_cut_from_the_oldest_end_and_stay_put() -> None:
    assert shard_bounds(0) == [(0, 0)]
    assert shard_bounds(5, (4, 2)) == [(0, 4), (4, 5)]
    assert shard_bounds(4, (4, 2)) == [(0, 2), (2, 4)]  # a block closes once a newer page follows it
    assert shard_bounds(2345) == [(0, 1000), (1000, 2000), (2000, 2100), (2100, 2200), (2200, 2300), (2300, 2345)]
    before = shard_bounds(1)
    for count in range(2, 3100):
        now = shard_bounds(count)
        assert now[0][0] == 0 and now[-1][1] == count
        assert all(a[1] == b[0] for a, b in zip(now, now[1:]))  # consecutive, nothing left out
        assert len(now) <= count // 1000 + 10
        closed = (count - 1) // 1000 * 1000
        assert all(end - start <= (1000 if end <= closed else 100) for start, end in now)
        gone = set(before) - set(now)  # shards that a page added at the newest end changed
        assert len(gone) <= (10 if count % 1000 == 1 else 1), count  # ten blocks of 100 become one of 1,000
        before = now


def test_a_new_episode_reindexes_only_the_last_shard(make_show: ShowMaker, media: dict[str, Path],
                                                     tmp_path: Path, runs: list[int]) -> None:
    show = make_show(five_episodes())
    build(show)
    site = show / "site"
    assert shard_list(site) == [("", 4), ("shard-2/", 1)]
    assert sorted(runs) == [1, 2]
    assert page_count(site / "pagefind") == 4 and page_count(site / "pagefind" / "shard-2") == 1
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert not list((site / "pagefind" / "shard-2").glob("*.js"))  # a merged bundle uses the first one's scripts
    assert not list((site / "pagefind" / "shard-2").glob("wasm.*"))
    first = {path: ino for path, ino in inodes(site).items()
             if path.startswith("pagefind/") and not path.startswith(("pagefind/shard-", "pagefind/shards.json"))}

    runs.clear()
    # ep2 and ep4 (shard 1) now show it among their related episodes, after the indexed article:
    # the same index, so their shard is kept
    write_episode(show / "episodes" / "006-ep6", {"title": "Episode 6", "date": "2026-01-06 06:00",
                                                  "guid": "guid-6", "categories": ["loneliness"]}, "New.\n")
    (show / "episodes" / "006-ep6" / "audio.mp3").write_bytes(media["mp3"].read_bytes())
    build(show)
    assert runs == [2]  # the oldest four kept their bundle: no Pagefind for them
    assert shard_list(site) == [("", 4), ("shard-2/", 2)]
    assert {path: ino for path, ino in inodes(site).items() if path in first} == first
    runs.clear()
    assert site_files(site) == full_build(show, tmp_path)
    assert sorted(runs) == [1, 2]  # the full build indexed both

    runs.clear()
    before = inodes(site)
    notes = show / "episodes" / "001-ep1" / "episode.md"
    notes.write_text(notes.read_text().replace("Text 1.", "Text one, rewritten."))
    build(show)
    assert runs == [1]  # an edit of the oldest episode: its shard only
    after = inodes(site)
    assert {p for p in after if p.startswith("pagefind/shard-2/") and before.get(p) != after[p]} == set()
    assert site_files(site) == full_build(show, tmp_path)

    runs.clear()
    (show / "static").mkdir()
    (show / "static" / "extra.html").write_text("<!doctype html><title>x</title><p>Not indexed.</p>")
    build(show)
    assert runs == []  # a page that is not indexed changed: every shard kept
    assert site_files(site) == full_build(show, tmp_path)


def test_a_new_shard_begins_and_goes(make_show: ShowMaker, media: dict[str, Path], tmp_path: Path,
                                    runs: list[int]) -> None:
    episodes = five_episodes()
    episodes["006-ep6"] = {"meta": {"title": "Episode 6", "date": "2026-01-06 06:00", "guid": "guid-6",
                                    "categories": ["news"]}, "body": "Sixth.\n", "audio": "mp3"}
    show = make_show(episodes)
    build(show)
    assert shard_list(show / "site") == [("", 4), ("shard-2/", 2)]
    runs.clear()
    write_episode(show / "episodes" / "007-ep7", {"title": "Episode 7", "date": "2026-01-07 06:00",
                                                  "guid": "guid-7", "categories": ["news"]}, "Seventh.\n")
    (show / "episodes" / "007-ep7" / "audio.mp3").write_bytes(media["mp3"].read_bytes())
    build(show)
    assert runs == [3]  # ep6's new link to ep7 is outside what Pagefind reads: shards 1 and 2 kept
    assert shard_list(show / "site") == [("", 4), ("shard-2/", 2), ("shard-3/", 1)]
    assert site_files(show / "site") == full_build(show, tmp_path)
    # and back: the shard goes, with its files
    runs.clear()
    shutil.rmtree(show / "episodes" / "007-ep7")
    build(show, "--allow-change", "ep7")
    assert runs == [] and not (show / "site" / "pagefind" / "shard-3").exists()
    assert site_files(show / "site") == full_build(show, tmp_path)


def test_search_finds_the_oldest_and_the_newest_episode_across_shards(
        make_show: ShowMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three shards (blocks of 2, then of 1); the site served under /podcast/, as on a host."""
    from browser import chromium
    from siteserver import serve_site
    from test_browser import wait_for

    monkeypatch.setattr(search, "SHARD_SIZES", (2, 1))
    episodes = five_episodes()
    episodes["001-ep1"]["body"] += "\nThe word zanzibarite is only here.\n"
    episodes["005-ep5"]["body"] += "\nThe word quixotry is only here.\n"
    show = make_show(episodes)
    build(show)
    site = show / "site"
    assert [path for path, _ in shard_list(site)] == ["", "shard-2/", "shard-3/"]
    with serve_site(site, prefix="/podcast/") as (base, log), chromium() as driver:
        from selenium.webdriver.common.by import By

        for word, slug in (("zanzibarite", "ep1"), ("quixotry", "ep5"), ("episode", None)):
            driver.get(base + "search/?q=" + word)
            wait_for(driver, "document.querySelectorAll('[data-search-results] li').length > 0")
            links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, ".result__title")]
            if slug:
                assert links == [base + f"episodes/{slug}/"], links
            else:  # a word on every page: results from every shard, in one list
                assert sorted(links) == sorted(base + f"episodes/ep{n}/" for n in range(1, 6)), links
        requested = [path for path, _ in log]
        assert "/podcast/pagefind/shards.json" in requested
        assert any(path.startswith("/podcast/pagefind/shard-3/") for path in requested)
        assert not any("/shard-" in path and path.endswith(".js") for path in requested)


def test_the_digest_reads_only_what_pagefind_reads() -> None:
    """What follows the indexed element counts only when Pagefind could read something there."""
    from castnotes.output.search import pagefind_part

    body = b'<html><body><article data-pagefind-body><h1>T</h1><img data-pagefind-meta="image[src]" src="a.jpg">'
    body += b'<article>nested</article></article>'
    assert pagefind_part(body + b"<nav>next: X</nav><img src=b.jpg></body></html>") == body
    for tail in (b"<h1>Another title</h1>", b'<p data-pagefind-filter="x">y</p>', b"<div data-pagefind-body>z</div>"):
        assert pagefind_part(body + tail) == body + tail
    unnamed = body.replace(b' data-pagefind-meta="image[src]"', b"")
    assert pagefind_part(unnamed + b"<img src=b.jpg>") == unnamed + b"<img src=b.jpg>"  # a default image
    words = b"<main><p>Use data-pagefind-body on your main element.</p></main><footer>f</footer>"
    assert pagefind_part(words) == words  # the words in the text, not the attribute
    assert pagefind_part(b"<p>no mark</p>") == b"<p>no mark</p>"


@pytest.fixture
def read_pages(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The pages whose digest a build worked out by reading them (output.search.pagefind_part)."""
    seen: list[bytes] = []
    original = search.pagefind_part

    def counted(page: bytes) -> bytes:
        seen.append(page)
        return original(page)

    monkeypatch.setattr(search, "pagefind_part", counted)
    return seen


def state_file(show: Path) -> Path:
    (found,) = (show / ".castnotes").glob("state-*.json")
    return found


def test_a_build_reads_only_the_pages_it_rendered(make_show: ShowMaker, media: dict[str, Path], tmp_path: Path,
                                                 runs: list[int], read_pages: list[bytes]) -> None:
    """The digest of what Pagefind reads of a kept page comes from the build state, by the
    page's fingerprint; pages rendered anew are read."""
    show = make_show(five_episodes())
    build(show)
    site = show / "site"
    assert len(read_pages) == 5  # a first build reads every indexed page
    stored = json.loads(state_file(show).read_text())["search"]
    assert len(stored) == len(json.loads(state_file(show).read_text())["pages"]) - 3 + 1  # every page; the check
    before = inodes(site)
    read_pages.clear()
    write_episode(show / "episodes" / "006-ep6", {"title": "Episode 6", "date": "2026-01-06 06:00",
                                                  "guid": "guid-6", "categories": ["loneliness"]}, "New.\n")
    (show / "episodes" / "006-ep6" / "audio.mp3").write_bytes(media["mp3"].read_bytes())
    build(show)
    after = inodes(site)
    changed = {path for path in after if path.endswith(".html") and before.get(path) != after[path]}
    assert 0 < len(read_pages) < 6
    for page in read_pages:  # each read page is one this build wrote anew
        assert any(page == (site / path).read_bytes() for path in changed)
    assert site_files(site) == full_build(show, tmp_path)


@pytest.mark.parametrize("damage", ["emptied", "no check", "not hex", "not a mapping", "another layout"])
def test_a_damaged_search_state_reads_every_page_again(make_show: ShowMaker, media: dict[str, Path],
                                                       tmp_path: Path, runs: list[int], read_pages: list[bytes],
                                                       monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    """Taken on trust, an entry saying "not indexed" would leave a page out of the search: a state
    whose entries do not match their check is not used at all."""
    show = make_show(five_episodes())
    build(show)
    path = state_file(show)
    state = json.loads(path.read_text())
    entries = state["search"]
    if damage == "emptied":
        state["search"] = {key: "" if key != "check" else value for key, value in entries.items()}
    elif damage == "no check":
        state["search"] = {key: "" for key in entries if key != "check"}
    elif damage == "not hex":
        state["search"] = {key: "zz" if key != "check" else value for key, value in entries.items()}
    elif damage == "not a mapping":
        state["search"] = ["x"]
    else:
        monkeypatch.setattr(search, "LAYOUT", search.LAYOUT + 1)
    path.write_text(json.dumps(state))
    notes = show / "episodes" / "001-ep1" / "episode.md"
    notes.write_text(notes.read_text().replace("Text 1.", "Text one, rewritten."))
    read_pages.clear()
    build(show)
    assert len(read_pages) == 5  # every indexed page read again
    assert site_files(show / "site") == full_build(show, tmp_path)


def test_a_build_that_renders_no_page_keeps_the_whole_index(make_show: ShowMaker, tmp_path: Path, runs: list[int],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """output.search.reuse_search_index: every file of the current index linked, nothing indexed."""
    from castnotes.commands import build as build_module
    kept: list[int | None] = []
    monkeypatch.setattr(build_module, "reuse_search_index",
                        lambda staging: kept.append(search.reuse_search_index(staging)) or kept[-1])
    show = make_show(five_episodes())
    build(show)
    site = show / "site"
    before = {path: ino for path, ino in inodes(site).items() if path.startswith("pagefind/")}
    assert len(before) > 10 and "pagefind/shard-2/pagefind-entry.json" in before
    runs.clear()
    audio = next((show / "episodes" / "001-ep1").glob("*.mp3"))
    os.utime(audio, ns=(audio.stat().st_atime_ns, audio.stat().st_mtime_ns + 10**9))  # a change, no page's
    build(show)
    assert runs == [] and kept == [len(before)]
    assert {path: ino for path, ino in inodes(site).items() if path.startswith("pagefind/")} == before
    assert site_files(site) == full_build(show, tmp_path)


def test_pagefinds_version_read_from_its_wheel_is_the_installed_one() -> None:
    """Every shard's digest holds Pagefind's version; it is read from the wheel's folder name
    (cheap), and must be what the package metadata says."""
    from importlib.metadata import version

    from castnotes.output.search import _pagefind_version

    _pagefind_version.cache_clear()
    assert _pagefind_version() == version("pagefind_bin")
