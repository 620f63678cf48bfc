"""Shows written the way hosts write them build; nothing in them hangs a build or runs in a browser.

Issue 12: repeated titles, plain names (test_people.py), CRLF and BOM notes, and the
inputs that used to hang (YAML alias bombs, a FIFO named like a transcript); a broken
episode names the `draft: true` way out; raw HTML in notes is sanitised.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO, ShowMaker, run_cli, tree_digest
from feeds import parse_all, xpath


def meta(title: str, day: int, **more: object) -> dict[str, object]:
    return {"title": title, "date": f"2026-01-{day:02d} 06:00", **more}


def run_subprocess(show: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real command in its own process, so a hang fails the test instead of blocking it."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "castnotes", "-C", str(show), *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_repeated_titles_use_the_folder_name(make_show: ShowMaker) -> None:
    show = make_show({
        "001-mailbag": {"meta": meta("Mailbag", 1, guid="g1")},
        "002-q-a": {"meta": meta("Q&A", 2, guid="g2")},
        "003-mailbag": {"meta": meta("Mailbag", 3, guid="g3")},
        "004-q-a": {"meta": meta("Q&A", 4, guid="g4")},
        "005-mailbag": {"meta": meta("Mailbag", 5, guid="g5", slug="mailbag-special")},
    })
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert ("episodes: warning: 2 episode(s) use the whole folder name as address, since another folder "
            "has the same title: 003-mailbag, 004-q-a") in result.stderr
    pages = sorted(p.name for p in (show / "site" / "episodes").iterdir())
    assert pages == ["003-mailbag", "004-q-a", "mailbag", "mailbag-special", "q-a"]


def test_a_published_slug_never_moves(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show({"005-mailbag": {"meta": meta("Mailbag", 5, guid="g5")}})
    assert run_cli("build", show=show).exit_code == 0
    assert (show / "site" / "episodes" / "mailbag").is_dir()
    # An older Mailbag is added in front of it (folder order): the published one keeps `mailbag`.
    make_show({"001-mailbag": {"meta": meta("Mailbag", 1, guid="g1")}}, root=show)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    ledger = [json.loads(line) for line in (show / "published.jsonl").read_text().splitlines()]
    assert {(e["guid"], e["slug"]) for e in ledger} == {("g5", "mailbag"), ("g1", "001-mailbag")}
    assert "001-mailbag" in result.stderr


def test_a_published_slug_without_guid_never_moves(make_show: ShowMaker) -> None:
    show = make_show({"005-mailbag": {"meta": meta("Mailbag", 5)}})
    assert run_cli("build", show=show).exit_code == 0
    make_show({"001-mailbag": {"meta": meta("Mailbag", 1)}}, root=show)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (show / "site" / "episodes").iterdir()) == ["001-mailbag", "mailbag"]


def test_crlf_and_bom_notes_build(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": meta("Plain", 1, guid="g1")}})
    md = show / "episodes" / "001-a" / "episode.md"
    md.write_bytes(b"\xef\xbb\xbf" + md.read_bytes().replace(b"\n", b"\r\n"))
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "Some notes." in (show / "site" / "episodes" / "a" / "index.html").read_text()


def test_a_broken_episode_names_the_draft_way_out(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": meta("A", 1, guid="g1")},
                      "002-b": {"meta": {"title": "B", "date": "2024-02-30", "guid": "g2"}}})
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert result.stderr.rstrip().splitlines()[-1] == (
        "To publish the other episodes now, add `draft: true` to the front matter of episodes/002-b/ "
        "and build again.")
    md = show / "episodes" / "002-b" / "episode.md"
    md.write_text(md.read_text().replace("title: B", "title: B\ndraft: true"))
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "warning: draft left out: date: '2024-02-30' is not a date" in result.stderr


def test_a_yaml_alias_bomb_is_refused_at_once(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": meta("A", 1, guid="g1")}})
    bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" + "".join(
        f"{chr(ord('b') + i)}: &{chr(ord('b') + i)} [{', '.join(['*' + chr(ord('a') + i)] * 9)}]\n"
        for i in range(8))
    assert len(bomb.encode()) < 700
    (show / "episodes" / "001-a" / "episode.md").write_text(f"---\ntitle: A\n{bomb}---\nNotes.\n")
    started = time.monotonic()
    result = run_subprocess(show, "build", timeout=60)
    assert time.monotonic() - started < 30
    assert result.returncode == 1, result.stderr
    assert "episodes/001-a/episode.md:3: error: YAML anchor &a is not allowed in front matter" in result.stderr


def test_a_fifo_named_like_a_transcript_does_not_hang(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": meta("A", 1, guid="g1")}})
    os.mkfifo(show / "episodes" / "001-a" / "transcript.vtt")
    result = run_subprocess(show, "build", timeout=60)
    assert result.returncode == 1, result.stderr
    assert "episodes/001-a/transcript.vtt: error: is not a regular file" in result.stderr
    result = run_subprocess(show, "check", timeout=60)
    assert result.returncode == 1 and "transcript.vtt" in result.stdout + result.stderr


def test_symlinked_passwd_never_reaches_the_site(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": meta("A", 1, guid="g1")}})
    (show / "episodes" / "001-a" / "transcript.txt").symlink_to("/etc/passwd")
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "episodes/001-a/transcript.txt: error: is a symlink to /etc/passwd" in result.stderr
    assert not (show / "site").exists()


def test_symlinks_inside_the_show_are_fine(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": meta("A", 1, guid="g1")}})
    (show / "shared").mkdir()
    (show / "shared" / "transcript.txt").write_text("Hello there.\n")
    (show / "episodes" / "001-a" / "transcript.txt").symlink_to(show / "shared" / "transcript.txt")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output


def test_an_audio_title_tag_with_control_characters_is_cleaned(make_show: ShowMaker) -> None:
    from mutagen.id3 import ID3, TIT2

    show = make_show({"001-a": {"meta": {"date": "2026-01-01", "guid": "g1"}}})
    audio = show / "episodes" / "001-a" / "audio.mp3"
    tags = ID3()
    tags.add(TIT2(encoding=3, text="Bell\x07 episode"))
    tags.save(audio)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert ("episodes/001-a/audio.mp3: warning: the audio's title tag holds control characters; using "
            "'Bell episode' without them") in result.stderr
    assert b"<title>Bell episode</title>" in (show / "site" / "feed.xml").read_bytes()


HOSTILE_NOTES = """Before.

<script>document.title = "pwned"</script>
<img src="x.png" onerror="document.title='pwned'">
<a href="javascript:document.title='pwned'">click</a>
<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">
<object data="x.swf"></object><embed src="x.swf">
<iframe src="https://evil.example/frame"></iframe>
<iframe src="https://www.youtube-nocookie.com/embed/abc" title="A talk"></iframe>

After, with *emphasis* and a [link](https://example.org/).
"""

REMOVED = ("<base>, <embed>, <iframe> from 'evil.example', <meta>, <object>, <script>, "
           "javascript: link on <a>, onerror= attribute on <img>")


def hostile_show(make_show: ShowMaker, settings: dict | None = None) -> Path:
    show = make_show({"001-a": {"meta": meta("A", 1, guid="g1"), "body": HOSTILE_NOTES}}, settings=settings)
    (show / "episodes" / "001-a" / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return show


def test_raw_html_is_sanitised_on_the_page_and_in_both_feeds(make_show: ShowMaker) -> None:
    show = hostile_show(make_show)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert f"episodes/001-a/episode.md:8: warning: removed from the notes' HTML, as it could run code in " \
           f"readers' browsers and apps: {REMOVED}" in result.stderr
    page = (show / "site" / "episodes" / "a" / "index.html").read_text()
    _, _, tree = parse_all(show / "site" / "feed.xml", "https://test.example/feed.xml")
    encoded = xpath(tree, "//item/content:encoded")[0].text
    takeaways = (show / "site" / "takeaways.xml").read_text()
    for html in (page, encoded, takeaways):
        lowered = html.lower()
        for bad in ("pwned", "evil.example", "<object", "<embed", "x.swf", "javascript:", "onerror"):
            assert bad not in lowered, bad
    notes = page[page.index("Before."):page.index("After")]
    assert '<iframe src="https://www.youtube-nocookie.com/embed/abc" title="A talk"></iframe>' in notes
    assert '<a href="https://example.org/">link</a>' in page


def test_check_warns_where_html_was_removed(make_show: ShowMaker) -> None:
    show = hostile_show(make_show)
    result = run_cli("check", show=show)
    assert "episodes/001-a/episode.md:8: warning: [SOURCE] removed from the notes' HTML" in result.output
    assert REMOVED in result.output


def test_embed_hosts_and_raw_html_settings(make_show: ShowMaker) -> None:
    show = hostile_show(make_show, {"site": {"embed_hosts": ["evil.example"]}})
    assert run_cli("build", show=show).exit_code == 0
    page = (show / "site" / "episodes" / "a" / "index.html").read_text()
    notes = page[page.index("<p>Before."):page.index("After")]
    assert '<iframe src="https://evil.example/frame"></iframe>' in notes
    assert "youtube-nocookie" not in notes and "<script" not in notes
    trusted = hostile_show(make_show, {"site": {"raw_html": True}})
    result = run_cli("build", show=trusted)
    assert result.exit_code == 0 and "removed from the notes" not in result.stderr
    page = (trusted / "site" / "episodes" / "a" / "index.html").read_text()
    assert '<script>document.title = "pwned"</script>' in page


def test_embed_hosts_must_be_host_names(make_show: ShowMaker) -> None:
    show = make_show(settings={"site": {"embed_hosts": ["https://player.vimeo.com/video"]}})
    before = tree_digest(show / "site")
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "castnotes.toml:14: error: [site] embed_hosts must list host names" in result.stderr
    assert tree_digest(show / "site") == before


def test_the_summary_leaves_out_an_inline_script(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": meta("A", 1, guid="g1"),
                                "body": "Hello <script>steal()</script> world.\n"}})
    assert run_cli("build", show=show).exit_code == 0
    feed = (show / "site" / "feed.xml").read_text()
    assert "steal" not in feed and "<p>Hello  world.</p>" in feed
    page = (show / "site" / "episodes" / "a" / "index.html").read_text()
    assert "steal" not in page and '<meta name="description" content="Hello world.">' in page


def test_the_command_in_its_own_process_exits_with_its_code_and_all_its_output(make_show: ShowMaker) -> None:
    """`python -m castnotes` leaves without tearing the interpreter down (cli.main.exit_now):
    the exit code, the last line of output and the files written must all be there."""
    show = make_show({"001-a": {"meta": meta("A", 1, guid="g1")}})
    built = run_subprocess(show, "-v", "build")
    assert built.returncode == 0, built.stderr
    assert "Time: load" in built.stdout.splitlines()[-1]  # the last line printed, flushed
    assert (show / "site" / "feed.xml").is_file()
    again = run_subprocess(show, "build")
    assert again.returncode == 0 and "up to date" in again.stdout
    (show / "castnotes.toml").write_text("[show\n")
    broken = run_subprocess(show, "build")
    assert broken.returncode == 1 and "castnotes.toml:1" in broken.stderr
    usage = run_subprocess(show, "build", "--no-such-option")
    assert usage.returncode == 2 and "No such option" in usage.stderr
