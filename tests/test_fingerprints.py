"""Page fingerprints (render/fingerprints.py): any change a page can show changes its
fingerprint, equal contexts give equal ones, and an episode is hashed once per build,
for its feed item and its pages alike."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from pathlib import Path

from conftest import ShowMaker

from castnotes.commands.build import BuildOptions, prepare_settings
from castnotes.read.ledger import keep_published
from castnotes.read.show import load_show
from castnotes.read.status import select_episodes
from castnotes.render import fingerprints as fp_module, rss
from castnotes.render.fingerprints import Fingerprints, episode_digest


def load(show_dir: Path):  # noqa: ANN201
    return select_episodes(keep_published(load_show(prepare_settings(show_dir, BuildOptions()))))


def a_show(make_show: ShowMaker):  # noqa: ANN201
    return load(make_show({
        f"00{n}-ep{n}": {"meta": {"title": f"Ep {n}", "date": f"2026-01-0{n} 06:00", "guid": f"g-{n}"},
                         "body": f"Notes {n}.", "audio": "mp3"} for n in (1, 2, 3)}))


def context(episodes: tuple, card: object = None) -> dict:
    return {"episode": episodes[0], "related": list(episodes[1:]), "newer": None,
            "pages": {"number": 1, "episodes": episodes}, "card": card}


def test_every_field_of_an_episode_changes_the_fingerprint(make_show: ShowMaker) -> None:
    episodes = a_show(make_show).episodes
    first = Fingerprints().of("base", "x/index.html", context(episodes))
    assert Fingerprints().of("base", "x/index.html", context(episodes)) == first  # same input, same digest
    copies = tuple(replace(e) for e in episodes)  # equal episodes, other objects
    assert Fingerprints().of("base", "x/index.html", context(copies)) == first
    episode = episodes[1]  # a related one, hashed on the inline path
    changed = {
        "body_html": episode.body_html + "<p>more</p>",
        "title": episode.title + "!",
        "enclosure": replace(episode.enclosure, length=episode.enclosure.length + 1),
        "categories": ("other",),
        "number": 99,
    }
    for name, value in changed.items():
        others = (episodes[0], replace(episode, **{name: value}), episodes[2])
        assert Fingerprints().of("base", "x/index.html", context(others)) != first, name
    # every field counts: the digest covers each (the notes as bytes, the rest as their repr)
    names = {f.name for f in dataclasses.fields(type(episode))}
    assert names - {"body_html"} == set(fp_module._EPISODE_FIELDS.__reduce__()[1])
    # a body whose end looks like the start of the other fields is still another episode
    assert episode_digest(replace(episode, body_html="a")) != episode_digest(replace(episode, body_html="a\0"))


def test_plain_values_nested_in_a_page_count(make_show: ShowMaker) -> None:
    episodes = a_show(make_show).episodes
    first = Fingerprints().of("b", context(episodes, card={"w": 1}))
    assert Fingerprints().of("b", context(episodes, card={"w": 2})) != first
    assert Fingerprints().of("b", context(episodes, card=[1])) != Fingerprints().of("b", context(episodes, card=["1"]))
    assert Fingerprints().of("b", context(episodes[::-1])) != first  # order counts
    assert Fingerprints().of("c", context(episodes, card={"w": 1})) != first


def test_the_feed_and_the_pages_share_an_episodes_digest(make_show: ShowMaker) -> None:
    show = a_show(make_show)
    inputs = rss.item_inputs(show)
    shared = Fingerprints()
    for episode in show.episodes:
        assert rss.item_key(inputs, episode, "x", digests=shared) == rss.item_key(inputs, episode, "x")
    assert len(shared.episodes) == len(show.episodes)
    calls = []
    original = fp_module.episode_digest
    try:
        fp_module.episode_digest = lambda e: calls.append(e) or original(e)  # type: ignore[assignment]
        shared.of(context(show.episodes))
    finally:
        fp_module.episode_digest = original
    assert calls == []  # the pages took the feed's digests
    assert shared.of(context(show.episodes)) == Fingerprints().of(context(show.episodes))


def test_the_qr_code_is_drawn_when_printed_and_fingerprinted_by_what_it_draws() -> None:
    from markupsafe import escape

    from castnotes.render.subscribe import QRCode, qr_svg
    code = QRCode("https://example.org/feed.xml", "QR code of the feed address")
    assert str(escape(code)) == qr_svg(code.text, code.title) == str(code)  # as `{{ qr }}` prints it
    digest = Fingerprints().of({"qr": code})
    assert Fingerprints().of({"qr": QRCode(code.text, code.title)}) == digest
    for other in (QRCode(code.text + "2", code.title), QRCode(code.text, "QR"),
                  QRCode(code.text, code.title, drawn_by="segno 0")):
        assert Fingerprints().of({"qr": other}) != digest
