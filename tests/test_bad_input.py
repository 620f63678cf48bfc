"""Bad input: each mistake gets a message naming file and line, exit 1, and site/ stays as it was."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Callable

import pytest
from conftest import ShowMaker, run_cli, tree_digest, write_episode


def episode_md(show: Path, folder: str) -> Path:
    return show / "episodes" / folder / "episode.md"


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def malformed_yaml(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "title: Second wind", "title: [Second wind")


def unknown_key(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "title: Second wind", "title: Second wind\nsumary: typo")


def bad_date(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "date: 2026-01-12 06:00", "date: next tuesday")


def missing_audio(show: Path) -> None:
    (show / "episodes" / "002-second" / "audio.m4a").unlink()


def not_audio(show: Path) -> None:
    (show / "episodes" / "002-second" / "audio.m4a").unlink()
    (show / "episodes" / "002-second" / "audio.mp3").write_text("this is not audio\n" * 200)


def truncated_mp3(show: Path) -> None:
    # Replaced, not edited in place: site/media holds hard links to the show's audio.
    audio = show / "episodes" / "001-first" / "audio.mp3"
    data = audio.read_bytes()
    partial = audio.with_name("partial.tmp")
    partial.write_bytes(data[: len(data) * 4 // 10])
    partial.replace(audio)


def audio_outside(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "title: Second wind",
               "title: Second wind\naudio: ../../etc/passwd")


def duplicate_guid(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "0b6e7c52-0002-4a0e-9e0e-000000000002",
               "0b6e7c52-0001-4a0e-9e0e-000000000001")


def duplicate_slug(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "title: Second wind", "title: Second wind\nslug: first")


def missing_link(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "../001-first/episode.md", "../009-nowhere/episode.md")


def toml_syntax(show: Path) -> None:
    replace_in(show / "castnotes.toml", 'language = "en"', 'language = "en')


def bad_category(show: Path) -> None:
    replace_in(show / "castnotes.toml", "Health & Fitness/Mental Health", "Health/Mental Wellness")


def empty_episodes(show: Path) -> None:
    shutil.rmtree(show / "episodes")
    (show / "episodes").mkdir()


def unknown_setting(show: Path) -> None:
    replace_in(show / "castnotes.toml", 'language = "en"', 'language = "en"\nauthr = "x"')


def chapter_after_end(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "title: Second wind",
               "title: Second wind\nchapters:\n- {start: 0, title: A}\n- {start: '9:00', title: B}")


def malformed_json_chapters(show: Path) -> None:
    (show / "episodes" / "002-second" / "chapters.json").write_text('{"version": "1.2.0",\n "chapters": [}')


def unknown_person_role(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "title: Second wind",
               "title: Second wind\nguests:\n- name: Dr. Ana Lopez\n  role: guset")


def chapters_out_of_order(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "title: Second wind",
               "title: Second wind\nchapters:\n- {start: '0:02', title: A}\n- {start: '0:01', title: B}")


def http_funding_in_front_matter(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "title: Second wind",
               "title: Second wind\nfunding:\n- {url: 'http://fund.example/', text: Support us}")


def http_funding_in_settings(show: Path) -> None:
    replace_in(show / "castnotes.toml", 'language = "en"',
               'language = "en"\nfunding = [{ url = "http://fund.example/", text = "Support us" }]')


def malformed_vtt(show: Path) -> None:
    (show / "episodes" / "002-second" / "transcript.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello.\n\n00:00:01.000 --> 00:00:2.0\nBroken.\n")


def unknown_host_id(show: Path) -> None:
    (show / "people.toml").write_text('[sam]\nname = "Sam Rivera"\nrole = "hots"\n')
    replace_in(show / "castnotes.toml", 'language = "en"', 'language = "en"\nhosts = ["sam"]')


def day_that_does_not_exist(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "date: 2026-01-12 06:00", "date: 2024-02-30")


def month_that_does_not_exist(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "date: 2026-01-12 06:00", "date: 2024-13-01")


def control_character_in_title(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "title: Second wind", "title: \"Second\\awind\"")


def control_character_in_guid(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "0b6e7c52-0002", "0b6e7c52\x1b-0002")


def control_character_in_notes(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "Back to", "Back\x0c to")


def key_twice_inside_a_mapping(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "title: Second wind", "title: Second wind\nchapters:\n"
               "  - start: 0\n    title: One\n    title: Two")


def control_character_in_a_page(show: Path) -> None:
    """A page's text goes into takeaways.xml: a control character there stopped the build with an
    internal error (found by scripts/fuzz.py)."""
    (show / "pages").mkdir(exist_ok=True)
    (show / "pages" / "guide.md").write_text("---\ntitle: Guide\n---\nStart here\x07.\n", encoding="utf-8")


def settings_not_utf8(show: Path) -> None:
    path = show / "castnotes.toml"
    path.write_bytes(path.read_bytes().replace(b'title = "Test Show"', 'title = "Test Shöw"'.encode("latin-1")))


def people_not_utf8(show: Path) -> None:
    (show / "people.toml").write_bytes('[ana]\nname = "Ana López"\n'.encode("latin-1"))


def dangling_symlink(show: Path) -> None:
    (show / "episodes" / "002-second" / "notes.txt").symlink_to("nowhere.txt")


def looping_symlink(show: Path) -> None:
    folder = show / "episodes" / "002-second"
    (folder / "a.txt").symlink_to("b.txt")
    (folder / "b.txt").symlink_to("a.txt")


def template_error(show: Path) -> None:
    (show / "templates").mkdir()
    (show / "templates" / "about.html").write_text('{% extends "base.html" %}\n{% block content %}\n'
                                                   "{{ 1 // 0 }}\n{% endblock %}\n")


def ledger_line_with_wrong_types(show: Path) -> None:
    ledger = show / "published.jsonl"
    lines = ledger.read_text().splitlines(keepends=True)
    lines[0] = re.sub(r'"slug": "[^"]*"', '"slug": 5', lines[0])
    ledger.write_text("".join(lines))


def slug_too_long(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "title: Second wind", "title: Second wind\nslug: " + "a" * 300)


def yaml_alias(show: Path) -> None:
    replace_in(episode_md(show, "002-second"), "title: Second wind",
               "title: Second wind\ncategories: &c [a, b]\nsummary: *c")


def symlink_transcript_to_passwd(show: Path) -> None:
    (show / "episodes" / "002-second" / "transcript.txt").symlink_to("/etc/passwd")


def symlink_static_to_passwd(show: Path) -> None:
    (show / "static").mkdir()
    (show / "static" / "passwd.txt").symlink_to("/etc/passwd")


def symlink_episode_md_outside(show: Path, tmp: list[Path] = []) -> None:
    outside = show.parent / "elsewhere.md"
    md = episode_md(show, "002-second")
    outside.write_text(md.read_text())
    md.unlink()
    md.symlink_to(outside)


def symlink_audio_outside(show: Path) -> None:
    audio = show / "episodes" / "002-second" / "audio.m4a"
    outside = show.parent / "outside.m4a"
    audio.replace(outside)
    audio.symlink_to(outside)


def symlink_cover_outside(show: Path) -> None:
    outside = show.parent / "outside.jpg"
    shutil.copyfile(show / "cover.jpg", outside)
    (show / "episodes" / "002-second" / "cover.jpg").symlink_to(outside)


def episode_folder_linked_from_outside(show: Path) -> None:
    folder = show / "episodes" / "002-second"
    outside = show.parent / "outside-episode"
    folder.rename(outside)
    folder.symlink_to(outside)


def static_folder_linked_to_etc(show: Path) -> None:
    (show / "static").symlink_to("/etc")


CASES: list[tuple[str, Callable[[Path], None], str]] = [
    # (name, mutation, regex the first error line must match)
    ("malformed YAML", malformed_yaml,
     r"episodes/002-second/episode\.md:2: error: malformed front matter"),
    ("unknown front matter key", unknown_key,
     r"episodes/002-second/episode\.md:3: error: sumary: unknown front matter key\n  hint: did you mean 'summary'\?"),
    ("bad date", bad_date,
     r"episodes/002-second/episode\.md:3: error: date: 'next tuesday' is not a date"),
    ("missing audio", missing_audio,
     r"episodes/002-second/episode\.md:\d?:? ?error: audio: no audio file in 002-second/"),
    ("audio that is not audio", not_audio,
     r"episodes/002-second/audio\.mp3: error: cannot read audio"),
    ("truncated MP3", truncated_mp3,
     r"episodes/001-first/audio\.mp3: error: the MP3 is truncated"),
    ("audio outside the show", audio_outside,
     r"episodes/002-second/episode\.md:3: error: audio: '\.\./\.\./etc/passwd' is outside the episode folder"),
    ("two episodes with one guid", duplicate_guid,
     r"episodes/002-second/episode\.md:4: error: guid: '0b6e7c52-0001-4a0e-9e0e-000000000001' is also the guid of episodes/001-first/episode\.md"),
    ("two episodes with one slug", duplicate_slug,
     r"episodes/002-second/episode\.md:3: error: slug: 'first' is the address of the published episode "
     r"episodes/001-first/episode\.md"),
    ("link to a missing episode", missing_link,
     r"episodes/002-second/episode\.md:6: error: link to a missing episode: '\.\./009-nowhere/episode\.md'"),
    ("TOML syntax error", toml_syntax,
     r"castnotes\.toml:5: error: TOML syntax error"),
    ("category not on Apple's list", bad_category,
     r"castnotes\.toml:\d+: error: \[show\] category 'Health/Mental Wellness' is not on Apple's list\n  hint: did you mean 'Health & Fitness/Mental Health'\?"),
    ("empty episodes folder", empty_episodes,
     r"episodes: error: no episodes: episodes/ holds no episode folders"),
    ("unknown setting", unknown_setting,
     r"castnotes\.toml:6: error: unknown key 'authr' in \[show\]\n  hint: did you mean 'author'\?"),
    ("chapter after the end", chapter_after_end,
     r"episodes/002-second/episode\.md:5: error: chapters: chapter 2 \('B' at 9:00\) starts after the audio ends"),
    ("malformed chapters.json", malformed_json_chapters,
     r"episodes/002-second/chapters\.json:2: error: malformed JSON"),
    ("unknown person role", unknown_person_role,
     r"episodes/002-second/episode\.md:5: error: guests\[0\]\.role: 'guset' is not a Podcasting 2\.0 person role"
     r"\n  hint: did you mean 'guest'\?"),
    ("chapters out of order", chapters_out_of_order,
     r"episodes/002-second/episode\.md:5: error: chapters: chapter 2 \('B' at 0:01\) starts before or with "
     r"the one before it; chapters must be in order"),
    ("http funding URL in front matter", http_funding_in_front_matter,
     r"episodes/002-second/episode\.md:4: error: funding\[0\]\.url: must use https, not 'http://fund\.example/'"),
    ("http funding URL in castnotes.toml", http_funding_in_settings,
     r"castnotes\.toml:6: error: \[show\] funding\[0\]\.url: must use https, not 'http://fund\.example/'"),
    ("malformed VTT", malformed_vtt,
     r"episodes/002-second/transcript\.vtt:6: error: malformed WebVTT cue: '00:00:01\.000 --> 00:00:2\.0' is not "
     r"a valid cue timing line"),
    ("unknown role in people.toml", unknown_host_id,
     r"people\.toml:3: error: \[sam\] role: 'hots' is not a Podcasting 2\.0 person role\n  hint: did you mean 'host'\?"),
    ("a day that does not exist", day_that_does_not_exist,
     r"episodes/002-second/episode\.md:3: error: date: '2024-02-30' is not a date"),
    ("a month that does not exist", month_that_does_not_exist,
     r"episodes/002-second/episode\.md:3: error: date: '2024-13-01' is not a date"),
    ("control character in a title", control_character_in_title,
     r"episodes/002-second/episode\.md:2: error: title: holds the control character U\+0007"),
    ("control character in a GUID", control_character_in_guid,
     r"episodes/002-second/episode\.md:4: error: guid: holds the control character U\+001B"),
    ("control character in the notes", control_character_in_notes,
     r"episodes/002-second/episode\.md:6: error: the text holds the control character U\+000C, which feeds "
     r"cannot carry\n.*\n1 error;"),
    ("a key twice inside a mapping", key_twice_inside_a_mapping,
     r"episodes/002-second/episode\.md:6: error: title: given twice"),
    ("control character in a page", control_character_in_a_page,
     r"pages/guide\.md:4: error: the text holds the control character U\+0007"),
    ("castnotes.toml not UTF-8", settings_not_utf8,
     r"castnotes\.toml:2: error: castnotes\.toml is not UTF-8 text \(byte 0xf6\)"),
    ("people.toml not UTF-8", people_not_utf8,
     r"people\.toml:2: error: people\.toml is not UTF-8 text"),
    ("dangling symlink in an episode folder", dangling_symlink,
     r"episodes/002-second/notes\.txt: error: is a broken symlink"),
    ("looping symlink in an episode folder", looping_symlink,
     r"episodes/002-second/a\.txt: error: is a symlink that loops"),
    ("error inside a template", template_error,
     r"templates/about\.html:3: error: template error: ZeroDivisionError: integer division or modulo by zero"),
    ("ledger line with wrong types", ledger_line_with_wrong_types,
     r"published\.jsonl:1: error: this line is not a ledger record"),
    ("slug too long for a file name", slug_too_long,
     r"episodes/002-second/episode\.md:3: error: slug: is 300 characters long; the limit is 200"),
    ("YAML anchors and aliases", yaml_alias,
     r"episodes/002-second/episode\.md:3: error: YAML anchor &c is not allowed in front matter"),
    ("transcript linked to /etc/passwd", symlink_transcript_to_passwd,
     r"episodes/002-second/transcript\.txt: error: is a symlink to /etc/passwd, outside the show folder"),
    ("static file linked to /etc/passwd", symlink_static_to_passwd,
     r"static/passwd\.txt: error: is a symlink to /etc/passwd, outside the show folder"),
    ("episode.md linked from outside", symlink_episode_md_outside,
     r"episodes/002-second/episode\.md: error: is a symlink to .*elsewhere\.md, outside the show folder"),
    ("audio linked from outside", symlink_audio_outside,
     r"episodes/002-second/audio\.m4a: error: is a symlink to .*outside\.m4a, outside the show folder"),
    ("episode folder linked from outside", episode_folder_linked_from_outside,
     r"episodes/002-second: error: is a symlink to .*outside-episode, outside the show folder"),
    ("static/ linked to /etc", static_folder_linked_to_etc,
     r"static: error: is a symlink to /etc, outside the show folder"),
    ("cover linked from outside", symlink_cover_outside,
     r"episodes/002-second/cover\.jpg: error: is a symlink to .*outside\.jpg, outside the show folder"),
]


@pytest.mark.parametrize("mutate,pattern", [(m, p) for _, m, p in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_reported_and_site_untouched(make_show: ShowMaker, mutate: Callable[[Path], None],
                                                   pattern: str) -> None:
    show = make_show()
    first = run_cli("build", show=show)
    assert first.exit_code == 0, first.output
    before = tree_digest(show / "site")

    mutate(show)
    result = run_cli("build", show=show)

    assert result.exit_code == 1, result.output
    assert re.search(pattern, result.stderr), result.stderr
    assert "Traceback" not in result.output
    assert "nothing was written" in result.stderr
    assert tree_digest(show / "site") == before


def test_all_problems_reported_in_one_run(make_show: ShowMaker) -> None:
    show = make_show()
    bad_date(show)
    replace_in(episode_md(show, "001-first"), "title: First steps", "title: First steps\ncolour: blue")
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "001-first/episode.md:3: error: colour: unknown front matter key" in result.stderr
    assert "002-second/episode.md:3: error: date:" in result.stderr
    assert not (show / "site").exists()


def test_output_folder_holding_the_show_is_refused(make_show: ShowMaker) -> None:
    show = make_show(settings={"site": {"output": "."}})
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "contains the show itself" in result.stderr


def test_output_inside_episodes_is_refused(make_show: ShowMaker) -> None:
    show = make_show(settings={"site": {"output": "episodes/site"}})
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "inside the show's episodes" in result.stderr


def test_foreign_output_folder_is_not_replaced(make_show: ShowMaker, tmp_path: Path) -> None:
    show = make_show()
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("precious")
    result = run_cli("build", "--output", str(foreign), show=show)
    assert result.exit_code == 1
    assert "was not made by castnotes" in result.stderr
    assert (foreign / "thesis.txt").read_text() == "precious"


def test_remote_audio_needs_all_fields(make_show: ShowMaker) -> None:
    show = make_show({"001-remote": {
        "meta": {"title": "Remote", "date": "2026-01-05", "guid": "g-1",
                 "audio": {"url": "https://cdn.example/a.mp3", "length": 1234}},
        "audio": None,
    }})
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "audio.type: missing" in result.stderr
    assert "audio.duration" not in result.stderr, "a duration may be left out until it is measured"


def test_several_audio_files_need_a_choice(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show()
    shutil.copyfile(media["mp3"], show / "episodes" / "002-second" / "extra.mp3")
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "several audio files (audio.m4a, extra.mp3)" in result.stderr
    assert "hint: add `audio: audio.m4a`" in result.stderr


def test_episode_without_front_matter_takes_title_and_date_from_tags(make_show: ShowMaker) -> None:
    from mutagen.id3 import ID3, TDRC, TIT2

    show = make_show({"001-tagged": {"meta": None, "body": "Just notes.\n"}})
    audio = show / "episodes" / "001-tagged" / "audio.mp3"
    tags = ID3()
    tags.add(TIT2(encoding=3, text="From the tag"))
    tags.add(TDRC(encoding=3, text="2026-02-03"))
    tags.save(audio)
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "guid: missing; using the derived" in result.stderr  # a warning, not an error
    feed = (show / "site" / "feed.xml").read_text()
    assert "<title>From the tag</title>" in feed
    assert "Tue, 03 Feb 2026 00:00:00 +0000" in feed


def test_yaml_error_line_points_into_the_file(make_show: ShowMaker) -> None:
    show = make_show()
    write_episode(show / "episodes" / "002-second",
                  'title: "ok"\ndate: 2026-01-12\nguests:\n  - name: A\n   role: guest\n', "x\n")
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert re.search(r"episodes/002-second/episode\.md:6: error: malformed front matter", result.stderr), \
        result.stderr


def test_a_broken_draft_does_not_block_publishing(make_show: ShowMaker) -> None:
    show = make_show()
    write_episode(show / "episodes" / "003-soon", {"title": "Soon", "date": "2026-01-19",
                                                   "guid": "g-soon", "draft": True}, "Not recorded yet.\n")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "episodes/003-soon/episode.md:2: warning: draft left out: audio: no audio file in 003-soon/" \
        in result.stderr
    result = run_cli("build", "--drafts", show=show)
    assert result.exit_code == 1
    assert "error: audio: no audio file in 003-soon/" in result.stderr


def test_a_control_character_in_a_draft_leaves_only_the_draft_out(make_show: ShowMaker) -> None:
    show = make_show()
    write_episode(show / "episodes" / "003-soon", {"title": "Soon", "date": "2026-01-19", "guid": "g-soon",
                                                   "draft": True}, "Not \x07recorded yet.\n")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "episodes/003-soon/episode.md:7: warning: draft left out: the text holds the control character " \
        "U+0007" in result.stderr


def test_a_link_to_a_left_out_draft_is_an_error(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show()
    write_episode(show / "episodes" / "003-soon", {"title": "Soon", "date": "2026-01-19",
                                                   "guid": "g-soon", "draft": True}, "Draft.\n")
    shutil.copyfile(media["mp3"], show / "episodes" / "003-soon" / "audio.mp3")
    replace_in(episode_md(show, "002-second"), "../001-first/episode.md", "../003-soon/episode.md")
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "episodes/002-second/episode.md:6: error: links to the draft episode 003-soon/" in result.stderr
    assert run_cli("build", "--drafts", show=show).exit_code == 0


def test_a_path_too_long_for_the_file_system_is_an_error(make_show: ShowMaker, tmp_path: Path) -> None:
    show = make_show()
    result = run_cli("build", "--output", str(tmp_path / ("a" * 300)), show=show)
    assert result.exit_code == 1, result.output
    assert re.search(r"a{300}: error: cannot write the site: File name too long\n  hint: shorten the path",
                     result.stderr), result.stderr


def test_a_bug_is_exit_3_in_one_line_and_a_traceback_with_verbose(make_show: ShowMaker,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import castnotes.commands.build as build_module

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    show = make_show()
    monkeypatch.setattr(build_module, "build", broken)
    quiet = run_cli("build", show=show)
    assert quiet.exit_code == 3
    assert "internal error: RuntimeError: a bug (run with --verbose" in quiet.stderr
    assert "Traceback" not in quiet.stderr
    verbose = run_cli("-v", "build", show=show)
    assert verbose.exit_code == 3
    assert "Traceback (most recent call last)" in verbose.stderr and "RuntimeError: a bug" in verbose.stderr
