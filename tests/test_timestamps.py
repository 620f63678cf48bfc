"""Times in an episode's notes become seek links; the rest of the text is left alone."""

from __future__ import annotations

from castnotes.markdown import render_markdown
from castnotes.render.timestamps import link_timestamps


def test_times_in_text_become_seek_links() -> None:
    html = link_timestamps(render_markdown("At 12:34 Priya explains it, and again at 1:02:03."), 4000)
    assert '<a class="seek-time" href="#t=754" data-start="754">12:34</a>' in html
    assert '<a class="seek-time" href="#t=3723" data-start="3723">1:02:03</a>' in html


def test_links_the_host_wrote_seek_too() -> None:
    html = link_timestamps(render_markdown("See [the tool library](#t=0:03) and [12:34](#t=754)."), 1000)
    assert '<a href="#t=3" data-start="3">the tool library</a>' in html
    assert '<a href="#t=754" data-start="754">12:34</a>' in html
    assert html.count("<a ") == 2  # the link text 12:34 is not linked a second time


def test_what_is_not_a_time_in_this_episode_stays_text() -> None:
    notes = render_markdown(
        "We met at 9:30 am, a 3:2 ratio, version 1:2:3, 10:15pm, a score of 2:1.5, `4:00` in code, "
        "and 45:00 in a 20-minute episode.\n\n## 5:00 in a heading\n")
    html = link_timestamps(notes, 20 * 60)
    assert "<a " not in html, html
    assert html == notes


def test_without_a_known_duration_every_time_links() -> None:
    assert 'href="#t=2700"' in link_timestamps("<p>at 45:00</p>", None)
