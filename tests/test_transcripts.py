"""Transcripts of every format: checked with real parsers, copied beside the page, linked from the feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ShowMaker, copy_demo, run_cli
from feeds import parse_all, podcastparser_legacy, xpath

URL = "https://test.example/feed.xml"

VTT = "WEBVTT\n\n00:00:00.500 --> 00:00:01.500\n<v Tess>Hello and welcome.\n\n" \
      "00:00:01.500 --> 00:00:02.900\nThat was it.\n"
SRT = "1\n00:00:00,500 --> 00:00:01,500\nHello and welcome.\n\n2\n00:00:01,500 --> 00:00:02,900\nThat was it.\n"
JSON = json.dumps({"version": "1.0.0", "segments": [
    {"speaker": "Tess", "startTime": 0.5, "endTime": 1.5, "body": "Hello and welcome."}]})
HTML = "<!doctype html><title>Transcript</title><p>Hello and welcome.</p>\n"
TXT = "Hello and welcome. That was it.\n"

FORMATS = [  # (file name, content, MIME type, language, rel)
    ("transcript.vtt", VTT, "text/vtt", "en", "captions"),
    ("transcript.srt", SRT, "application/x-subrip", "en", "captions"),
    ("transcript.json", JSON, "application/json", "en", "captions"),
    ("transcript.html", HTML, "text/html", "en", None),
    ("transcript.de.txt", TXT, "text/plain", "de", None),
]


def test_every_format_is_copied_and_linked(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a"}}})
    folder = show / "episodes" / "001-a"
    for name, content, *_ in FORMATS:
        (folder / name).write_text(content, encoding="utf-8")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    feed = show / "site" / "feed.xml"
    _, _, tree = parse_all(feed, URL)
    linked = {t.get("url"): dict(t.attrib) for t in xpath(tree, "//item/podcast:transcript")}
    assert len(linked) == len(FORMATS)
    page = (show / "site" / "episodes" / "a" / "index.html").read_text()
    for name, content, mime, language, rel in sorted(FORMATS):
        url = f"https://test.example/episodes/a/{name}"
        expected = {"url": url, "type": mime, "language": language}
        if rel:
            expected["rel"] = rel
        assert linked[url] == expected
        assert (show / "site" / "episodes" / "a" / name).read_text(encoding="utf-8") == content
        assert f'href="../../episodes/a/{name}" type="{mime}"' in page
    legacy = podcastparser_legacy(feed, URL)
    assert legacy["episodes"][0]["transcript_url"] in linked


def test_front_matter_names_files_and_languages(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a",
                                          "transcript": ["interview.vtt", {"file": "notes.srt", "language": "es"}]}}})
    folder = show / "episodes" / "001-a"
    (folder / "interview.vtt").write_text(VTT)
    (folder / "notes.srt").write_text(SRT)
    (folder / "transcript.txt").write_text(TXT)  # not named: front matter wins over discovery
    assert run_cli("build", show=show).exit_code == 0
    _, _, tree = parse_all(show / "site" / "feed.xml", URL)
    assert [(t.get("url").rsplit("/", 1)[1], t.get("language")) for t in xpath(tree, "//podcast:transcript")] == [
        ("interview.vtt", "en"), ("notes.srt", "es")]
    assert not (show / "site" / "episodes" / "a" / "transcript.txt").exists()


def test_demo_transcripts(tmp_path: Path) -> None:
    show = copy_demo(tmp_path / "demo")
    assert run_cli("build", show=show).exit_code == 0
    _, _, tree = parse_all(show / "site" / "feed.xml", "https://connectionhour.example/feed.xml")
    found = {t.get("type"): t.get("url") for t in xpath(tree, "//podcast:transcript")}
    assert found == {
        "text/vtt": "https://connectionhour.example/episodes/compassionate-listening/transcript.vtt",
        "application/x-subrip": "https://connectionhour.example/episodes/belonging-on-your-block/transcript.srt"}
    for url in found.values():
        relative = url.removeprefix("https://connectionhour.example/")
        source = next((show / "episodes").glob(f"*/{relative.rsplit('/', 1)[1]}"))
        assert (show / "site" / relative).read_bytes() == source.read_bytes()


BAD = [  # (file name, content, expected "path:line: error: message" start)
    ("transcript.vtt", "WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nHi.\n\n00:00:61.000 --> 00:01:02.000\nBad.\n",
     "transcript.vtt:6: error: malformed WebVTT cue: invalid timestamp '00:00:61.000'"),
    ("transcript.vtt", "WEBVTT\n\n00:00:00.500 -> 00:00:01.500\nHi.\n",
     "transcript.vtt:3: error: malformed WebVTT cue: '00:00:00.500 -> 00:00:01.500' is not a valid cue timing line"),
    ("transcript.vtt", "WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nBackwards.\n",
     "transcript.vtt:3: error: cue ends (00:00:01.000) before it starts (00:00:02.000)"),
    ("transcript.vtt", "WEBVTT\n\n00:00:02.000 --> 00:00:03.000\nB.\n\nNOTE x\n\n00:00:01.000 --> 00:00:02.000\nA.\n",
     "transcript.vtt:8: error: cue starts at 00:00:01.000, before the cue above it"),
    ("transcript.vtt", "Hello\n\n00:00:00.500 --> 00:00:01.500\nHi.\n",
     "transcript.vtt:1: error: not a WebVTT file: the first line must be WEBVTT"),
    ("transcript.srt", SRT + "\n3\n00:00:0x,000 --> 00:00:04,000\nBroken.\n",
     "transcript.srt:9: error: malformed SubRip subtitle"),
    ("transcript.json", '{"version": "1.0.0",\n "segments": [}',
     "transcript.json:2: error: malformed JSON"),
    ("transcript.json", '{"version": "1.0.0"}', "transcript.json:1: error: a JSON transcript needs"),
    ("transcript.txt", b"caf\xe9\n".decode("latin-1"), None),  # written as latin-1 below
]


@pytest.mark.parametrize("name,content,expected", BAD, ids=[b[2] or "not utf-8" for b in BAD])
def test_broken_transcripts_are_errors_at_their_line(make_show: ShowMaker, name: str, content: str,
                                                      expected: str | None) -> None:
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a"}}})
    path = show / "episodes" / "001-a" / name
    if expected is None:
        path.write_bytes(content.encode("latin-1"))
        expected = "transcript.txt:1: error: transcript is not UTF-8 text"
    else:
        path.write_text(content, encoding="utf-8")
    result = run_cli("build", show=show)
    assert result.exit_code == 1, result.output
    assert f"episodes/001-a/{expected}" in result.stderr, result.stderr
    assert not (show / "site").exists()


def test_an_unchanged_transcript_is_not_parsed_again(make_show: ShowMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    import castnotes.read.transcripts as transcripts

    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a"}}})
    vtt = show / "episodes" / "001-a" / "transcript.vtt"
    vtt.write_text(VTT)
    assert run_cli("build", show=show).exit_code == 0
    checked: list[Path] = []
    real = transcripts.parse_transcript
    monkeypatch.setattr(transcripts, "parse_transcript", lambda path, problems: checked.append(path) or
                        real(path, problems))
    assert run_cli("build", show=show).exit_code == 0
    assert checked == []  # passed before, unchanged since
    vtt.write_text(VTT.replace("00:00:01.500 --> 00:00:02.900", "00:00:01.500 -> 00:00:02.900"))
    result = run_cli("build", show=show)
    assert result.exit_code == 1 and checked == [vtt]
    assert "transcript.vtt:6: error: malformed WebVTT cue" in result.stderr
