"""Chapters, both ways: from front matter, chapters.json and the audio's own tags, out to
chapters.json (checked against the Podcasting 2.0 schema), psc:chapters and the takeaway page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import jsonschema
import mutagen
import pytest
from conftest import ShowMaker, copy_demo, require_tool, run_cli
from feeds import parse_all, podcastparser_legacy, xpath
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, WXXX, CTOCFlags

from castnotes.read.frontmatter import parse_document

URL = "https://test.example/feed.xml"

# feed-rules.md §4: the JSON chapters schema (docs/examples/chapters/jsonChapters.md, version 1.2)
CHAPTERS_SCHEMA = {
    "type": "object", "required": ["version", "chapters"],
    "properties": {
        "version": {"type": "string"}, "chapters": {"type": "array", "items": {"$ref": "#/$defs/chapter"}},
        "author": {"type": "string"}, "title": {"type": "string"}, "podcastName": {"type": "string"},
        "description": {"type": "string"}, "fileName": {"type": "string"}, "waypoints": {"type": "boolean"}},
    "$defs": {
        "chapter": {"type": "object", "required": ["startTime"], "properties": {
            "startTime": {"type": "number"}, "title": {"type": "string"}, "img": {"type": "string"},
            "url": {"type": "string"}, "toc": {"type": "boolean"}, "endTime": {"type": "number"},
            "location": {"$ref": "#/$defs/location"}}},
        "location": {"type": "object", "required": ["name", "geo"], "properties": {
            "name": {"type": "string"}, "geo": {"type": "string", "pattern": "^geo:"},
            "osm": {"type": "string"}}}},
}


def build(show: Path) -> Path:
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    return show / "site" / "feed.xml"


def load_chapters_json(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, CHAPTERS_SCHEMA)
    starts = [c["startTime"] for c in data["chapters"]]
    assert starts == sorted(starts)
    return data


def page_chapters(page: Path) -> list[tuple[str, str]]:
    """(clock, title) of each entry of the takeaway page's chapter list."""
    html = page.read_text(encoding="utf-8")
    return re.findall(r'<span class="chapters__time">([^<]+)</span>\s*<span class="chapters__title">([^<]+)</span>',
                      html)


# --- the demo show -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    show = copy_demo(tmp_path_factory.mktemp("demo-chapters") / "show")
    build(show)
    return show


def demo_sources(demo: Path) -> dict[str, list[tuple[float, str, str | None]]]:
    """Chapters straight from the sources: 001's ID3 CHAP frames, 003's front matter."""
    tags = ID3(next((demo / "episodes" / "001-why-we-drift-apart").glob("*.mp3")))
    from_id3 = []
    for chap in sorted(tags.getall("CHAP"), key=lambda c: c.start_time):
        urls = chap.sub_frames.getall("WXXX")
        from_id3.append((chap.start_time / 1000, str(chap.sub_frames["TIT2"]), urls[0].url if urls else None))
    md = demo / "episodes" / "003-belonging-on-your-block" / "episode.md"
    meta = parse_document(md.read_text(), md).meta
    from_md = []
    for chapter in meta["chapters"]:
        minutes, seconds = chapter["start"].split(":")
        from_md.append((int(minutes) * 60 + float(seconds), chapter["title"], chapter.get("url")))
    return {"Why We Drift Apart": from_id3, "Belonging on Your Block": from_md}


def test_demo_psc_chapters_agree_with_the_sources(demo: Path) -> None:
    url = "https://connectionhour.example/feed.xml"
    fp, pp, _ = parse_all(demo / "site" / "feed.xml", url)
    sources = demo_sources(demo)
    assert all(len(chapters) >= 4 for chapters in sources.values())
    for title, expected in sources.items():
        episode = next(e for e in pp["episodes"] if e["title"] == title)
        # podcastparser truncates psc starts to whole seconds
        assert [(c["start"], c["title"], c.get("href")) for c in episode["chapters"]] == \
            [(int(start), name, link) for start, name, link in expected]
        entry = next(e for e in fp.entries if e.title == title)
        assert entry.psc_chapters["version"] == "1.2"
        assert [(c["start_parsed"], c["title"], c.get("href")) for c in entry.psc_chapters["chapters"]] == \
            [(timedelta(milliseconds=round(start * 1000)), name, link) for start, name, link in expected]
    others = [e for e in pp["episodes"] if e["title"] not in sources]
    assert others and all("chapters" not in e for e in others)


def test_demo_chapters_json_and_pages_agree_with_the_sources(demo: Path) -> None:
    slugs = {"Why We Drift Apart": "why-we-drift-apart", "Belonging on Your Block": "belonging-on-your-block"}
    legacy = podcastparser_legacy(demo / "site" / "feed.xml", "https://connectionhour.example/feed.xml")
    for title, expected in demo_sources(demo).items():
        folder = demo / "site" / "episodes" / slugs[title]
        data = load_chapters_json(folder / "chapters.json")
        assert data["version"] == "1.2.0" and data["title"] == title
        assert [(c["startTime"], c["title"], c.get("url")) for c in data["chapters"]] == expected
        assert [name for _, name in page_chapters(folder / "index.html")] == [name for _, name, _ in expected]
        episode = next(e for e in legacy["episodes"] if e["title"] == title)
        assert episode["chapters_json_url"] == f"https://connectionhour.example/episodes/{slugs[title]}/chapters.json"


# --- ID3 CHAP/CTOC made with mutagen ----------------------------------------------------------

def tag_id3_chapters(audio: Path, picture: bytes) -> None:
    """Three chapters; the third is 'silent' (left out of the top-level CTOC)."""
    tags = ID3()
    tags.add(CHAP(element_id="c1", start_time=0, end_time=1000,
                  sub_frames=[TIT2(encoding=3, text="Intro"),
                              WXXX(encoding=0, desc="", url="https://intro.example/")]))
    tags.add(CHAP(element_id="c2", start_time=1250, end_time=2000,
                  sub_frames=[TIT2(encoding=3, text="The middle part"),
                              APIC(encoding=3, mime="image/jpeg", type=3, desc="", data=picture)]))
    tags.add(CHAP(element_id="c3", start_time=2000, end_time=2900, sub_frames=[TIT2(encoding=3, text="Art only")]))
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                  child_element_ids=["c1", "c2"], sub_frames=[TIT2(encoding=3, text="Chapters")]))
    tags.save(audio, v2_version=3)


def test_id3_chapters_reach_json_psc_and_page(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show({"001-chaptered": {"meta": {"title": "Chaptered", "date": "2026-01-05", "guid": "g-c"}}})
    audio = show / "episodes" / "001-chaptered" / "audio.mp3"
    picture = media["cover"].read_bytes()
    tag_id3_chapters(audio, picture)
    feed = build(show)
    folder = show / "site" / "episodes" / "chaptered"

    data = load_chapters_json(folder / "chapters.json")
    image = data["chapters"][1]["img"]
    assert image.startswith("https://test.example/episodes/chaptered/") and image.endswith(".jpg")
    assert (show / "site" / image.removeprefix("https://test.example/")).read_bytes() == picture
    assert data["chapters"] == [
        {"startTime": 0, "title": "Intro", "url": "https://intro.example/", "endTime": 1},
        {"startTime": 1.25, "title": "The middle part", "img": image, "endTime": 2},
        {"startTime": 2, "title": "Art only", "toc": False, "endTime": 2.9},
    ]

    fp, pp, tree = parse_all(feed, URL)
    assert [(c["start"], c["title"], c.get("href"), c.get("image")) for c in pp["episodes"][0]["chapters"]] == [
        (0, "Intro", "https://intro.example/", None), (1, "The middle part", None, image)]
    assert [(c["start"], c["title"]) for c in fp.entries[0].psc_chapters["chapters"]] == [
        ("00:00:00.000", "Intro"), ("00:00:01.250", "The middle part")]
    assert xpath(tree, "//item/podcast:chapters/@url") == ["https://test.example/episodes/chaptered/chapters.json"]
    assert page_chapters(folder / "index.html") == [("0:00", "Intro"), ("0:01", "The middle part")]
    assert 'href="https://intro.example/"' in (folder / "index.html").read_text()


def test_front_matter_wins_over_chapters_json_and_audio(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a",
                                          "chapters": [{"start": "0:00", "title": "From front matter"},
                                                       {"start": "0:01.5", "title": "Second", "toc": False}]}}})
    folder = show / "episodes" / "001-a"
    tag_id3_chapters(folder / "audio.mp3", media["cover"].read_bytes())
    (folder / "chapters.json").write_text('{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "JSON"}]}')
    build(show)
    data = load_chapters_json(show / "site" / "episodes" / "a" / "chapters.json")
    assert data["chapters"] == [{"startTime": 0, "title": "From front matter"},
                                {"startTime": 1.5, "title": "Second", "toc": False}]


def test_chapters_json_source_with_local_image(make_show: ShowMaker, media: dict[str, Path]) -> None:
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a"}}})
    folder = show / "episodes" / "001-a"
    shutil.copyfile(media["cover"], folder / "intro.jpg")
    (folder / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": [
        {"startTime": 0, "title": "Intro", "img": "intro.jpg"},
        {"startTime": 1.5, "title": "Remote art", "img": "https://cdn.example/c.png", "url": "https://x.example/"},
    ]}, indent=2))
    fp, pp, _ = parse_all(build(show), URL)
    data = load_chapters_json(show / "site" / "episodes" / "a" / "chapters.json")
    assert data["chapters"] == [
        {"startTime": 0, "title": "Intro", "img": "https://test.example/episodes/a/intro.jpg"},
        {"startTime": 1.5, "title": "Remote art", "img": "https://cdn.example/c.png", "url": "https://x.example/"}]
    assert (show / "site" / "episodes" / "a" / "intro.jpg").read_bytes() == media["cover"].read_bytes()
    assert [c.get("image") for c in pp["episodes"][0]["chapters"]] == [
        "https://test.example/episodes/a/intro.jpg", "https://cdn.example/c.png"]


def test_mp4_nero_and_vorbis_chapters(make_show: ShowMaker, media: dict[str, Path], tmp_path: Path) -> None:
    ffmpeg = require_tool("ffmpeg")
    meta = tmp_path / "chapters.txt"
    meta.write_text(";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=One\n"
                    "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1500\nEND=3000\ntitle=Two\n")
    m4a = tmp_path / "nero.m4a"
    subprocess.run([ffmpeg, "-loglevel", "error", "-i", str(media["wav"]), "-i", str(meta), "-map", "0:a",
                    "-map_chapters", "1", "-c:a", "aac", "-b:a", "48k", "-fflags", "+bitexact", str(m4a)],
                   check=True)
    assert [c.title for c in mutagen.File(m4a).chapters] == ["One", "Two"]  # Nero chpl, as mutagen reads it
    opus = tmp_path / "vorbis.opus"
    subprocess.run([ffmpeg, "-loglevel", "error", "-i", str(media["wav"]), "-map_metadata", "-1",
                    "-c:a", "libopus", "-b:a", "32k", "-fflags", "+bitexact", str(opus)], check=True)
    tagged = mutagen.File(opus)
    tagged.tags.update({"CHAPTER001": "00:00:00.000", "CHAPTER001NAME": "Eins",
                        "CHAPTER002": "00:00:01.500", "CHAPTER002NAME": "Zwei",
                        "CHAPTER002URL": "https://zwei.example/"})
    tagged.save()
    show = make_show({"001-m4a": {"meta": {"title": "M", "date": "2026-01-05", "guid": "g-m"}, "audio": None},
                      "002-opus": {"meta": {"title": "O", "date": "2026-01-06", "guid": "g-o"}, "audio": None}})
    shutil.copyfile(m4a, show / "episodes" / "001-m4a" / "nero.m4a")
    shutil.copyfile(opus, show / "episodes" / "002-opus" / "vorbis.opus")
    fp, pp, _ = parse_all(build(show), URL)
    by_title = {e["title"]: e for e in pp["episodes"]}
    assert [(c["start"], c["title"]) for c in by_title["M"]["chapters"]] == [(0, "One"), (1, "Two")]
    assert [(c["start"], c["title"], c.get("href")) for c in by_title["O"]["chapters"]] == [
        (0, "Eins", None), (1, "Zwei", "https://zwei.example/")]
    for slug, titles in (("m4a", ["One", "Two"]), ("opus", ["Eins", "Zwei"])):
        data = load_chapters_json(show / "site" / "episodes" / slug / "chapters.json")
        assert [(c["startTime"], c["title"]) for c in data["chapters"]] == list(zip([0, 1.5], titles))


def test_out_of_order_json_chapters_point_at_their_line(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a"}}})
    (show / "episodes" / "001-a" / "chapters.json").write_text(
        '{\n  "version": "1.2.0",\n  "chapters": [\n    {"startTime": 2, "title": "Later"},\n'
        '    {"startTime": 1, "title": "Earlier"}\n  ]\n}\n')
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "episodes/001-a/chapters.json:5: error: chapter 2 ('Earlier' at 0:01) starts before or with " \
           "the one before it; chapters must be in order" in result.stderr


def test_audio_chapters_past_the_end_name_the_audio(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a"}}})
    audio = show / "episodes" / "001-a" / "audio.mp3"
    tags = ID3()
    tags.add(CHAP(element_id="c1", start_time=0, end_time=1000, sub_frames=[TIT2(encoding=3, text="Start")]))
    tags.add(CHAP(element_id="c2", start_time=9000, end_time=9500, sub_frames=[TIT2(encoding=3, text="Ghost")]))
    tags.save(audio)
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "episodes/001-a/audio.mp3: error: chapter 2 ('Ghost' at 0:09) starts after the audio ends" \
        in result.stderr
    assert "list the chapters in front matter to override them" in result.stderr
