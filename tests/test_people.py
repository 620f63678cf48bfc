"""People: the registry, ids from front matter, roles and groups from the taxonomy."""

from __future__ import annotations

from pathlib import Path

from conftest import ShowMaker, run_cli
from feeds import parse_all, xpath

REGISTRY = '[ana-lopez]\nname = "Dr. Ana Lopez"\nhref = "https://ana.example/"\n\n' \
           '[sam]\nname = "Sam Rivera"\nrole = "host"\n'


def show_with_guests(make_show: ShowMaker, guests: object) -> Path:
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a", "guests": guests}}},
                     settings={"show": {"hosts": ["sam"]}})
    (show / "people.toml").write_text(REGISTRY, encoding="utf-8")
    return show


def item_persons(show: Path) -> list[tuple[str, str, str]]:
    _, _, tree = parse_all(show / "site" / "feed.xml", "https://test.example/feed.xml")
    return [(p.text, p.get("role"), p.get("group")) for p in xpath(tree, "//item/podcast:person")]


def test_roles_take_their_group_and_are_case_insensitive(make_show: ShowMaker) -> None:
    show = show_with_guests(make_show, [{"name": "Pat Sound", "role": "Sound Designer"},
                                        {"name": "Rea Search", "role": "researcher", "group": "Writing"},
                                        {"name": "Ed Itor", "role": "editor", "group": "video post-production"}])
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert item_persons(show) == [
        ("Sam Rivera", "host", "cast"), ("Pat Sound", "sound designer", "audio post-production"),
        ("Rea Search", "researcher", "writing"), ("Ed Itor", "editor", "video post-production")]


def test_role_outside_its_group_is_an_error(make_show: ShowMaker) -> None:
    show = show_with_guests(make_show, [{"name": "Pat", "role": "composer", "group": "cast"}])
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "guests[0].role: 'composer' is not a role of the group 'cast'" in result.stderr
    assert "hint: 'composer' belongs to 'audio post-production'; leave group out to use it" in result.stderr


def test_unknown_group_is_an_error(make_show: ShowMaker) -> None:
    show = show_with_guests(make_show, [{"name": "Pat", "role": "guest", "group": "crew"}])
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "guests[0].group: 'crew' is not a Podcasting 2.0 person group" in result.stderr


def test_a_registry_name_is_that_person(make_show: ShowMaker) -> None:
    show = show_with_guests(make_show, ["dr. ana lopez"])
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert item_persons(show) == [("Sam Rivera", "host", "cast"), ("Dr. Ana Lopez", "guest", "cast")]


def test_plain_names_are_one_off_guests_with_pages_of_their_own(make_show: ShowMaker) -> None:
    show = show_with_guests(make_show, ["Alan Turing", "李小龙", "王五", "Zoë SStraße"])
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert item_persons(show)[1:] == [("Alan Turing", "guest", "cast"), ("李小龙", "guest", "cast"),
                                      ("王五", "guest", "cast"), ("Zoë SStraße", "guest", "cast")]
    people = show / "site" / "people"
    for slug, name in [("alan-turing", "Alan Turing"), ("lixiaolong", "李小龙"), ("wangwu", "王五"),
                       ("zoe-sstrasse", "Zoë SStraße")]:
        assert name in (people / slug / "index.html").read_text(encoding="utf-8")


def test_plain_host_names_in_settings(make_show: ShowMaker) -> None:
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a"}}},
                     settings={"show": {"hosts": ["Grace Hopper"]}})
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    _, _, tree = parse_all(show / "site" / "feed.xml", "https://test.example/feed.xml")
    assert [(p.text, p.get("role")) for p in xpath(tree, "/rss/channel/podcast:person")] == [
        ("Grace Hopper", "host")]
    assert "Grace Hopper" in (show / "site" / "people" / "grace-hopper" / "index.html").read_text()


def test_names_that_share_an_address_get_a_suffix_and_a_warning(make_show: ShowMaker) -> None:
    show = show_with_guests(make_show, ["Li Wei", "Li-Wei"])
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "warning: guests: Li-Wei would share the address people/li-wei/ with someone else; " \
           "their page is people/li-wei-2/" in result.stderr
    people = show / "site" / "people"
    assert "Li Wei" in (people / "li-wei" / "index.html").read_text()
    assert "Li-Wei" in (people / "li-wei-2" / "index.html").read_text()


def test_a_mistyped_id_is_a_guest_with_a_warning(make_show: ShowMaker) -> None:
    show = show_with_guests(make_show, ["ana-lopz"])
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "guests[0].id: 'ana-lopz' is not a person id in people.toml; published as a one-off person " \
           "by that name\n  hint: did you mean 'ana-lopez'?" in result.stderr


def test_inline_twin_of_a_registry_person_warns(make_show: ShowMaker) -> None:
    show = show_with_guests(make_show, [{"name": "Dr. Ana Lopez"}])
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    assert "warning: guests[0].name: Dr. Ana Lopez is in people.toml as 'ana-lopez'" in result.stderr
    assert "hint: write `- ana-lopez` instead" in result.stderr


def test_a_person_listed_twice_is_an_error(make_show: ShowMaker) -> None:
    show = show_with_guests(make_show, ["ana-lopez", {"id": "ana-lopez", "role": "co-host"}])
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "guests[1].name: Dr. Ana Lopez (ana-lopez) is listed twice" in result.stderr


def test_host_who_guests_is_not_repeated(make_show: ShowMaker) -> None:
    show = show_with_guests(make_show, ["sam", "ana-lopez"])
    assert run_cli("build", show=show).exit_code == 0
    assert item_persons(show) == [("Sam Rivera", "host", "cast"), ("Dr. Ana Lopez", "guest", "cast")]
    page = (show / "site" / "episodes" / "a" / "index.html").read_text()
    # the host is shown once, in the host box at the end, not again among the guests
    assert '<a class="person__name" href="../../people/sam/">' not in page
    assert 'Hosted by <a href="../../people/sam/">Sam Rivera</a>' in page
    assert '<a class="person__name" href="../../people/ana-lopez/">Dr. Ana Lopez</a>' in page
    assert 'href="https://ana.example/" rel="noopener">Website<span class="visually-hidden"> of Dr. Ana Lopez' in page


def test_picture_fields_name_what_is_wrong(make_show: ShowMaker) -> None:
    """Episode `image`, page `image` and a guest's `img` share one check: a .jpg/.png inside
    the show, or an http(s) URL."""
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g-a", "image": "notes.txt",
                                         "guests": [{"name": "Pat", "img": "../../castnotes.toml"}]}},
                      "002-b": {"meta": {"title": "B", "date": "2026-01-06", "guid": "g-b",
                                         "image": "../../cover.jpg"}}})
    (show / "episodes" / "001-a" / "notes.txt").write_text("not a picture")
    result = run_cli("build", show=show)
    assert result.exit_code == 1
    assert "image: 'notes.txt' must be a .jpg or .png file" in result.stderr
    assert "image: '../../cover.jpg' is not a file in the episode folder" in result.stderr
    assert "img: '../../castnotes.toml' must be a .jpg or .png file" in result.stderr
    show = make_show(root=show.parent / "with-page")
    (show / "pages").mkdir()
    (show / "pages" / "story.md").write_text("---\ntitle: Our story\nimage: missing.png\n---\nHi.\n")
    result = run_cli("build", show=show)
    assert result.exit_code == 1 and "image: 'missing.png' is not a file in pages/" in result.stderr
