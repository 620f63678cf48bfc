"""The staging folder and its swap: unchanged files kept (same inode), clashes refused, paths
kept inside the site, the swap atomic, a build killed at any moment leaving a whole site, and
the disk work per file at its least (one link per kept file, one mkdir per folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ShowMaker, run_cli

from castnotes.errors import CastnotesError
from castnotes.output import staging as staging_module
from castnotes.output.staging import MARKER, Staging, check_site_path

SRC = Path(__file__).resolve().parents[1] / "src"


def site_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stage(output: Path, files: dict[str, bytes]) -> None:
    with Staging(output) as staging:
        for path, data in files.items():
            staging.write(path, data)
        staging.commit()


def siblings(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir() if p.name != output.name)


def test_unchanged_files_keep_their_inode_and_changed_ones_get_a_new_file(tmp_path: Path) -> None:
    output = tmp_path / "site"
    stage(output, {"index.html": b"home", "a/b/page.html": b"page", "a/c.txt": b"c", "gone.txt": b"x"})
    before = {p: (output / p).stat().st_ino for p in ("index.html", "a/b/page.html", "a/c.txt")}
    with Staging(output) as staging:
        staging.write("index.html", b"home")  # same bytes: the current file is kept
        staging.write("a/c.txt", b"changed")
        assert staging.reuse("a/b/page.html")
        assert not staging.reuse("never-built.html")  # nothing to keep: the caller renders it
        assert not staging.reuse("a")  # a folder is not a file to keep
        staging.write("never-built.html", b"new")
        staging.commit()
    assert site_of(output) == {MARKER: b"", "index.html": b"home", "a/b/page.html": b"page",
                               "a/c.txt": b"changed", "never-built.html": b"new"}
    assert (output / "index.html").stat().st_ino == before["index.html"]
    assert (output / "a/b/page.html").stat().st_ino == before["a/b/page.html"]
    assert (output / "a/c.txt").stat().st_ino != before["a/c.txt"]
    assert siblings(output) == []  # the previous site is gone, nothing left beside the output


def test_a_file_written_in_chunks_is_compared_and_written_whole(tmp_path: Path) -> None:
    output = tmp_path / "site"
    big = [b"x" * 70_000, b"", b"y" * 5, b"z" * 200_000]
    stage(output, {"feed.xml": big})  # type: ignore[dict-item]
    inode = (output / "feed.xml").stat().st_ino
    assert (output / "feed.xml").read_bytes() == b"".join(big)
    stage(output, {"feed.xml": big})  # type: ignore[dict-item]
    assert (output / "feed.xml").stat().st_ino == inode
    changed = [b"x" * 70_000, b"", b"y" * 4 + b"Y", b"z" * 200_000]  # same size, other bytes
    stage(output, {"feed.xml": changed})  # type: ignore[dict-item]
    assert (output / "feed.xml").read_bytes() == b"".join(changed)
    assert (output / "feed.xml").stat().st_ino != inode


def test_copies_link_media_and_copy_small_files(tmp_path: Path) -> None:
    show = tmp_path / "show"
    show.mkdir()
    audio, css = show / "ep.mp3", show / "style.css"
    audio.write_bytes(b"ID3" + b"\0" * 100)
    css.write_bytes(b"body{}")
    output = tmp_path / "site"
    with Staging(output) as staging:
        staging.copy(audio, "media/ep/ep.mp3")
        staging.copy(audio, "media/ep/ep.mp3")  # the same file again: nothing to do
        staging.copy(css, "assets/style.css", size=6)
        assert (staging.linked, staging.copied) == (1, 1)
        staging.commit()
    assert (output / "media/ep/ep.mp3").stat().st_ino == audio.stat().st_ino  # a hard link
    assert (output / "assets/style.css").stat().st_ino != css.stat().st_ino  # a copy: the host may edit it
    kept = (output / "assets/style.css").stat().st_ino
    with Staging(output) as staging:
        staging.copy(css, "assets/style.css", unchanged=True)
        staging.copy(audio, "media/ep/ep.mp3", unchanged=True)
        assert staging.reused == 2
        staging.commit()
    assert (output / "assets/style.css").stat().st_ino == kept


def test_clashes_are_reported(tmp_path: Path) -> None:
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text("1")
    two.write_text("2")
    with Staging(tmp_path / "site") as staging:
        staging.copy(one, "notes.txt")
        with pytest.raises(CastnotesError, match="two files want to be published as notes.txt"):
            staging.copy(two, "notes.txt")
        staging.write("index.html", b"x")
        with pytest.raises(CastnotesError, match="index.html would overwrite a page castnotes generates"):
            staging.copy(one, "index.html")
        with pytest.raises(CastnotesError, match="notes.txt would overwrite a page castnotes generates"):
            staging.write("notes.txt", b"y")
    assert not (tmp_path / "site").exists()  # never committed: nothing written
    assert set(os.listdir(tmp_path)) == {"one.txt", "two.txt"}


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../x", "a\\b", "", "a/.."])
def test_site_paths_outside_the_site_are_refused(bad: str) -> None:
    with pytest.raises(CastnotesError, match="refusing to write outside the site"):
        check_site_path(bad)


def test_site_paths_are_normalised() -> None:
    assert check_site_path("episodes/x/index.html") == "episodes/x/index.html"
    assert check_site_path("a//b/./c.txt") == "a/b/c.txt"
    assert check_site_path("./a/") == "a"


def test_an_unfinished_staging_leaves_the_site_as_it_was(tmp_path: Path) -> None:
    output = tmp_path / "site"
    stage(output, {"index.html": b"old"})
    with pytest.raises(RuntimeError), Staging(output) as staging:
        staging.write("index.html", b"new")
        raise RuntimeError("a failing build")
    assert site_of(output) == {MARKER: b"", "index.html": b"old"}
    assert siblings(output) == []


def test_each_folder_is_made_once_and_each_kept_file_is_one_link(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk work of an incremental build, counted: no stat before a link, no failed mkdir."""
    output = tmp_path / "site"
    files = {f"episodes/ep{n}/{name}": f"{n}{name}".encode()
             for n in range(50) for name in ("index.html", "share-card.jpg")}
    stage(output, files)
    calls: dict[str, int] = {"mkdir": 0, "link": 0, "stat": 0, "failed": 0}

    def counting(name: str, real):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls[name] += 1
            try:
                return real(*args, **kwargs)
            except OSError:
                calls["failed"] += 1
                raise
        return wrapper

    with Staging(output) as staging:
        for name in ("mkdir", "link", "stat"):
            monkeypatch.setattr(os, name, counting(name, getattr(os, name)))
        for path in files:
            assert staging.reuse(path)
        monkeypatch.undo()
        staging.commit()
    assert calls == {"mkdir": 1 + 50, "link": 100, "stat": 0, "failed": 0}  # episodes/ and its 50 folders
    assert site_of(output) == {MARKER: b"", **files}


def test_the_old_site_is_deleted_in_the_background_when_large(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("rm") is None:
        pytest.skip("no rm")
    monkeypatch.setattr(staging_module, "BACKGROUND_DELETE_MIN", 3)
    output = tmp_path / "site"
    stage(output, {f"p{n}.html": b"old" for n in range(5)})
    stage(output, {f"p{n}.html": b"new" for n in range(5)})
    assert site_of(output) == {MARKER: b"", **{f"p{n}.html": b"new" for n in range(5)}}
    deadline = time.monotonic() + 20
    while siblings(output) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert siblings(output) == []


# --- the spare: the replaced site, recycled by the next build ----------------------------------

def test_the_replaced_site_is_recycled_and_ends_up_exactly_as_staged(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    output, spare = tmp_path / "site", tmp_path / "store" / "spare"
    spare.parent.mkdir()
    audio = tmp_path / "ep.mp3"
    audio.write_bytes(b"ID3 the host's audio")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"not the site's")

    def build(files: dict[str, bytes], media: bool = True) -> Staging:
        with Staging(output, spare) as staging:
            for path, data in files.items():
                staging.write(path, data)
            if media:
                staging.copy(audio, "media/ep.mp3")
            staging.commit()
        return staging

    v1 = {"index.html": b"home", "a/b/page.html": b"page", "a/c.txt": b"c", "gone/x.txt": b"x", "f": b"file"}
    build(v1)
    assert not build(v1).recycled  # the first build had no spare; this one made it
    assert spare.is_dir() and site_of(spare) == {MARKER: b"", **v1, "media/ep.mp3": audio.read_bytes()}
    # The spare is castnotes' to change, but anyone may have: a symlink out of the site where a
    # folder will be staged, another in a file's place, a folder where a file goes.
    shutil.rmtree(spare / "a/b")
    (spare / "a/b").symlink_to(outside)
    (spare / "index.html").unlink()
    (spare / "index.html").symlink_to(outside / "secret.txt")
    (spare / "a/c.txt").unlink()
    (spare / "a/c.txt").mkdir()
    kept = (output / "a/b/page.html").stat().st_ino
    made: list[str] = []
    real_mkdir = os.mkdir

    def mkdir(path: str, *args: object) -> None:
        real_mkdir(path, *args)  # type: ignore[arg-type]
        made.append(path)

    monkeypatch.setattr(os, "mkdir", mkdir)
    v2 = {"index.html": b"home, new", "a/b/page.html": b"page", "a/c.txt": b"c2", "f/now-a-folder.txt": b"f"}
    staging = build(v2)
    monkeypatch.undo()
    assert staging.recycled
    assert site_of(output) == {MARKER: b"", **v2, "media/ep.mp3": audio.read_bytes()}
    assert (output / "a/b/page.html").stat().st_ino == kept  # linked from the live site, as ever
    assert not (output / "a/b").is_symlink() and not (output / "index.html").is_symlink()
    assert site_of(outside) == {"secret.txt": b"not the site's"}
    assert audio.read_bytes() == b"ID3 the host's audio"
    assert (output / "media/ep.mp3").stat().st_ino == audio.stat().st_ino
    assert sorted(Path(p).name for p in made) == ["b", "f"]  # folders made: only where the spare had none
    # Writing over the recycled tree's hard links never reaches the files they share an inode with.
    v3 = {"index.html": b"v3", "a/b/page.html": b"v3", "a/c.txt": b"v3", "f/now-a-folder.txt": b"v3",
          "media/ep.mp3": b"a generated file where the audio was"}
    build(v3, media=False)
    assert site_of(output) == {MARKER: b"", **v3}
    assert audio.read_bytes() == b"ID3 the host's audio"
    build(v2)
    assert site_of(output) == {MARKER: b"", **v2, "media/ep.mp3": audio.read_bytes()}
    assert [name for name in siblings(output) if name.startswith(".")] == []  # no staging left


def test_a_spare_that_is_a_symlink_is_never_used(tmp_path: Path) -> None:
    """A spare leading out of the show (a symlink where the folder should be) is not staged
    into, so nothing outside is overwritten or deleted; the build makes a folder of its own."""
    from castnotes.output.staging import spare_site

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    root, output = tmp_path / "show", tmp_path / "show" / "site"
    root.mkdir()
    spare = spare_site(root, output)
    assert spare is not None
    spare.symlink_to(outside)
    for version in (b"v1", b"v2"):
        with Staging(output, spare) as staging:
            assert not staging.recycled
            staging.write("index.html", version)
            staging.commit()
    assert site_of(outside) == {"keep.txt": b"mine"} and site_of(output) == {MARKER: b"", "index.html": b"v2"}
    spare.unlink()
    shutil.rmtree(spare.parent)
    spare.parent.symlink_to(outside)  # the whole spare folder is a symlink
    assert spare_site(root, output) is None


def test_a_failed_build_gives_its_tree_back_as_the_spare(tmp_path: Path) -> None:
    output, spare = tmp_path / "site", tmp_path / "spare"
    for version in ("v1", "v2"):
        with Staging(output, spare) as staging:
            staging.write("index.html", version.encode())
            staging.commit()
    with pytest.raises(RuntimeError), Staging(output, spare) as staging:
        assert staging.recycled
        staging.write("index.html", b"v3")
        staging.write("half/done.html", b"v3")
        raise RuntimeError("a failing build")
    assert site_of(output) == {MARKER: b"", "index.html": b"v2"}
    assert spare.is_dir() and siblings(output) == ["spare"]
    with Staging(output, spare) as staging:
        assert staging.recycled
        staging.write("index.html", b"v4")
        staging.commit()
    assert site_of(output) == {MARKER: b"", "index.html": b"v4"}


def test_only_the_latest_spares_are_kept(tmp_path: Path) -> None:
    """A spare holds hard links to the audio: one per output folder would keep a one-off
    `--output`'s forever, so only the latest two stay (the site and the preview)."""
    store = tmp_path / "spare"
    store.mkdir()
    for name in ("site", "preview", "one-off", "site"):
        for version in ("v1", "v2"):
            stage(tmp_path / name, {"index.html": version.encode()})
            with Staging(tmp_path / name, store / name) as staging:
                staging.write("index.html", b"v3")
                staging.commit()
    deadline = time.monotonic() + 20
    while len(os.listdir(store)) > 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(os.listdir(store)) == ["one-off", "site"]


# --- a build killed at any moment --------------------------------------------------------------

KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from castnotes.output import staging as s

    output, where, version = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    def die():
        os.kill(os.getpid(), signal.SIGKILL)
    if where.startswith("fallback"):
        s._exchange = lambda a, b: False  # a file system without RENAME_EXCHANGE
    if where in ("fallback-first-rename", "fallback-second-rename", "fallback-after-swap"):
        real, count = os.replace, [0]
        stop = {"fallback-first-rename": 1, "fallback-second-rename": 2, "fallback-after-swap": 3}[where]
        def replace(a, b):
            count[0] += 1
            if count[0] == stop:
                die()
            real(a, b)
        s.os.replace = replace
    if where.endswith("before-delete"):
        s._delete_later = lambda folder, files: die()
    with s.Staging(output) as staging:
        for n in range(30):
            staging.write(f"episodes/ep{n}/index.html", f"{version} {n}".encode())
        if where == "staging":
            die()
        staging.commit()
""")

KILL_POINTS = ["staging", "before-delete", "fallback-first-rename", "fallback-second-rename",
               "fallback-after-swap", "fallback-before-delete"]


def pages(version: str) -> dict[str, bytes]:
    return {f"episodes/ep{n}/index.html": f"{version} {n}".encode() for n in range(30)}


def expected(version: str) -> dict[str, bytes]:
    return {MARKER: b"", **pages(version)}


@pytest.mark.parametrize("where", KILL_POINTS)
def test_a_build_killed_at_any_moment_leaves_a_whole_site(tmp_path: Path, where: str) -> None:
    output = tmp_path / "site"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    first = subprocess.run([sys.executable, "-c", KILLER, str(output), "none", "v1"], env=env, check=False)
    assert first.returncode == 0 and site_of(output) == expected("v1")
    killed = subprocess.run([sys.executable, "-c", KILLER, str(output), where, "v2"], env=env, check=False)
    assert killed.returncode == -9
    if output.exists():  # the old site or the new one, whole; never a mix, never half
        assert site_of(output) in (expected("v1"), expected("v2"))
    else:
        assert where == "fallback-second-rename"  # between the two renames: restored next time
    assert siblings(output)  # what the killed build left behind
    with Staging(output) as staging:  # the next build cleans up first: a whole site is in place
        assert site_of(output) in (expected("v1"), expected("v2"))
        for path, data in pages("v3").items():
            staging.write(path, data)
        staging.commit()
    assert site_of(output) == expected("v3")
    assert siblings(output) == []


def test_a_leftover_site_is_never_put_back_in_place_of_a_newer_one(tmp_path: Path) -> None:
    """After the swap the previous site sits in `.site.tmp-PID` until deleted: a later build
    deletes it, and never publishes it, even when the output folder was removed meanwhile."""
    output = tmp_path / "site"
    stage(output, pages("v1"))
    leftover = tmp_path / ".site.tmp-999999999"  # a killed build's, its process long gone
    shutil.copytree(output, leftover)
    (leftover / "episodes/ep3/index.html").unlink()  # its deletion had begun
    shutil.rmtree(output)
    with pytest.raises(RuntimeError), Staging(output):
        raise RuntimeError("this build fails too")
    assert not output.exists() and siblings(output) == []  # no site rather than half of one
    stage(output, pages("v2"))
    assert site_of(output) == expected("v2") and siblings(output) == []


# --- end to end ----------------------------------------------------------------------------------

def test_an_edited_static_file_is_published_and_the_rest_kept(make_show: ShowMaker) -> None:
    show = make_show()
    static = show / "static"
    static.mkdir(exist_ok=True)
    (static / "notes.txt").write_text("first")
    (static / "big.bin").write_bytes(b"\1" * (staging_module.LINK_MIN_BYTES + 1))
    assert run_cli("build", show=show).exit_code == 0
    site = show / "site"
    inodes = {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    assert (site / "big.bin").stat().st_ino == (static / "big.bin").stat().st_ino  # linked, not copied
    (static / "notes.txt").write_text("second, longer")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert (site / "notes.txt").read_text() == "second, longer"
    after = {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    changed = {path for path in after if inodes.get(path) != after[path]}
    assert "notes.txt" in changed
    assert not any(path.startswith(("media/", "episodes/")) for path in changed), changed
    assert "big.bin" not in changed
