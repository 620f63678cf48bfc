"""Show notes: Markdown features, episode links with lines, summaries, Apple's description."""

from __future__ import annotations

from pathlib import Path

from castnotes.markdown import apple_description, render_notes, resolve_site_links


def render(text: str, tmp_path: Path, first_line: int = 5):
    episodes = tmp_path / "episodes"
    folder = episodes / "002-b"
    folder.mkdir(parents=True, exist_ok=True)
    (episodes / "001-a").mkdir(exist_ok=True)
    known = {"001-a": "episodes/a/", "002-b": "episodes/b/"}
    return render_notes(text, source_path=folder / "episode.md", first_line=first_line,
                        episodes_dir=episodes, page_path="episodes/b/", lookup=known.get)


def test_commonmark_tables_footnotes_anchors(tmp_path: Path) -> None:
    notes = render("## My favourite takeaways\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nA note[^1].\n\n"
                   "[^1]: The footnote.\n", tmp_path)
    assert '<h2 id="my-favourite-takeaways">My favourite takeaways</h2>' in notes.html
    assert "<table>" in notes.html and "<td>1</td>" in notes.html
    assert 'class="footnote-ref"' in notes.html and "The footnote." in notes.html
    assert "<hr />" not in notes.html  # HTML5, not XHTML


def test_episode_links_resolve_with_fragment(tmp_path: Path) -> None:
    notes = render("See [a](../001-a/episode.md#why) and [web](https://example.org/).\n", tmp_path)
    assert 'href="castnotes:/episodes/a/#why"' in notes.html
    assert 'href="https://example.org/"' in notes.html
    assert resolve_site_links(notes.html, "../../") .count('href="../../episodes/a/#why"') == 1
    assert notes.linked_episodes == [("001-a", 5)]
    assert not notes.problems


def test_missing_episode_link_reports_its_line(tmp_path: Path) -> None:
    notes = render("First.\n\nSecond paragraph\nwith a [bad link](../404-x/episode.md).\n", tmp_path, 7)
    [problem] = notes.problems
    assert problem.where.line == 10  # body starts on line 7; the link is on the body's 4th line
    assert "missing episode" in problem.message


def test_local_files_are_published(tmp_path: Path) -> None:
    folder = tmp_path / "episodes" / "002-b"
    folder.mkdir(parents=True)
    (folder / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    notes = render("![A chart](chart.png) and [missing](nope.pdf) and [out](../../secret.txt)\n", tmp_path)
    assert 'src="castnotes:/episodes/b/chart.png"' in notes.html
    assert notes.assets == [((folder / "chart.png").resolve(), "episodes/b/chart.png")]
    messages = sorted(p.message for p in notes.problems)
    assert messages == ["link '../../secret.txt' points outside the episode folder",
                        "linked file not found: 'nope.pdf'"]


def test_first_paragraph_is_plain_text(tmp_path: Path) -> None:
    notes = render("## Heading\n\nA *warm* welcome to `everyone`.\nSecond line.\n\nMore.\n", tmp_path)
    assert notes.first_paragraph == "A warm welcome to everyone. Second line."


def test_apple_description_keeps_only_allowed_tags_and_fits() -> None:
    body = "<h2>Takeaways</h2>\n<ol>\n<li><strong>One</strong> <em>two</em> " \
           '<a href="castnotes:/episodes/a/">link</a></li>\n</ol>\n<table><tr><td>x</td></tr></table>\n'
    html = apple_description("Summary & more", body, "https://s.example/", "https://s.example/episodes/b/")
    assert html.startswith("<p>Summary &amp; more</p>\n<p>Takeaways</p>\n<ol>")
    assert '<a href="https://s.example/episodes/a/">link</a>' in html
    for tag in ("<strong", "<em", "<table", "<h2", "<td"):
        assert tag not in html
    long_body = "".join(f"<p>Paragraph {i} " + "é" * 300 + "</p>\n" for i in range(40))
    html = apple_description(None, long_body, "https://s.example/", "https://s.example/episodes/b/")
    assert len(html.encode("utf-8")) <= 4000
    assert html.endswith('<p><a href="https://s.example/episodes/b/">Read the full takeaways</a></p>')
    assert "Paragraph 0 " in html
