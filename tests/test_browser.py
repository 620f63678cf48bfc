"""The demo site in a real browser: headless Chromium plays, skips and seeks the audio,
searches, copies the feed address, axe-core finds no accessibility problem on any kind of
page, and screenshots are saved for a person to look at.

Screenshots go to tests/_artifacts/screenshots/ (git-ignored): home, an episode page
playing, search results and the others, at 1280x800 and 390x844, in light and dark.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from browser import DESKTOP, MOBILE, axe_source, chromium
from conftest import REPO, ShowMaker, copy_demo, run_cli
from PIL import Image
from siteserver import serve_site

ARTIFACTS = REPO / "tests" / "_artifacts" / "screenshots"
CHAPTERED = "episodes/belonging-on-your-block/"  # chapters in front matter, an SRT transcript
TIMESTAMPS = "\nListen again: the stoop hours start at 0:14, or go straight to [start small](#t=0:22).\n"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, with times written in one episode's notes (the demo's own notes have none)."""
    show = copy_demo(tmp_path_factory.mktemp("browser") / "show", ledger=False)
    notes = show / "episodes" / "003-belonging-on-your-block" / "episode.md"
    notes.write_text(notes.read_text(encoding="utf-8") + TIMESTAMPS, encoding="utf-8")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    return show / "site"


def test_clicking_a_chapter_seeks_the_audio(demo_site: Path) -> None:
    with serve_site(demo_site) as (base, log), chromium() as driver:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        driver.get(base + CHAPTERED)
        assert driver.execute_script("return document.querySelector('audio').currentTime") == 0
        chapters = driver.find_elements(By.CSS_SELECTOR, "[data-chapters] [data-start]")
        assert len(chapters) == 4
        target = float(chapters[2].get_attribute("data-start"))
        assert target == 14.0
        chapters[2].click()
        WebDriverWait(driver, 15).until(lambda d: d.execute_script(
            "return document.querySelector('audio').currentTime") >= target - 0.5)
        now = driver.execute_script("return document.querySelector('audio').currentTime")
        assert target - 0.5 <= now < target + 10
        assert driver.current_url.endswith("#t=14")
        WebDriverWait(driver, 10).until(lambda d: chapters[2].get_attribute("aria-current") == "true")
        # the audio came in by Range requests (the server answered 206)
        assert any(path.endswith(".mp3") and status == 206 for path, status in log)


def test_transcript_times_seek_the_audio(demo_site: Path) -> None:
    with serve_site(demo_site) as (base, _), chromium() as driver:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        driver.get(base + CHAPTERED)
        driver.find_element(By.CSS_SELECTOR, ".transcript summary").click()
        times = driver.find_elements(By.CSS_SELECTOR, ".transcript [data-start]")
        assert len(times) >= 2
        target = float(times[1].get_attribute("data-start"))
        times[1].click()
        WebDriverWait(driver, 15).until(lambda d: abs(d.execute_script(
            "return document.querySelector('audio').currentTime") - target) < 2)


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo as a show published under a sub-path: https://example.org/podcast/."""
    show = copy_demo(tmp_path_factory.mktemp("subpath") / "show", ledger=False)
    for path in [show / "castnotes.toml", *show.glob("episodes/*/episode.md")]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("https://connectionhour.example/", "https://example.org/podcast/"),
                        encoding="utf-8")
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    return show / "site"


@pytest.mark.parametrize("prefix", ["/", "/podcast/"])
def test_every_page_loads_without_a_missing_file(demo_site: Path, subpath_site: Path, prefix: str) -> None:
    """At a domain root and in a sub-path, every page finds its CSS, script and images,
    and the 404 page (served at any missing address) still finds its own."""
    site = demo_site if prefix == "/" else subpath_site
    pages = ["", "page/2/", CHAPTERED, "archive/", "categories/", "categories/friendship/",
             "people/", "people/priya-natarajan/", "about/", "no/such/page/"]
    with serve_site(site, prefix) as (base, log), chromium() as driver:
        for page in pages:
            driver.get(base + page)
            errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
            assert not errors or page == "no/such/page/", (page, errors)
            assert driver.execute_script("return document.styleSheets[0].cssRules.length") > 50
            broken = driver.execute_script(
                "return [...document.images].filter(i => i.complete && !i.naturalWidth).map(i => i.src)")
            assert broken == [], (page, broken)
    missing = [path for path, status in log if status == 404 and path != f"{prefix}no/such/page/"]
    assert missing == []
    assert (f"{prefix}no/such/page/", 404) in log


PAGE_TYPES = ["", "page/2/", CHAPTERED, "episodes/trailer/", "archive/", "categories/", "categories/friendship/",
              "people/", "people/priya-natarajan/", "about/", "subscribe/", "search/?q=friendship", "no/such/page/"]


def axe_violations(driver: "object", axe: str) -> list:
    driver.execute_script(axe)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)));")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in json.loads(result)]


@pytest.mark.parametrize("page", PAGE_TYPES)
def test_no_accessibility_violations(demo_site: Path, page: str) -> None:
    """Every kind of page, light and dark, wide and narrow: axe-core finds nothing at all."""
    axe = axe_source()
    with serve_site(demo_site) as (base, _):
        for scheme, size in (("light", DESKTOP), ("dark", MOBILE)):
            with chromium(*size) as driver:
                driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
                    "features": [{"name": "prefers-color-scheme", "value": scheme}]})
                driver.get(base + page)
                if page.startswith("search/"):
                    wait_for(driver, "document.querySelectorAll('[data-search-results] li').length > 0")
                assert axe_violations(driver, axe) == [], f"{page or 'home'} ({scheme})"


def test_no_accessibility_violations_while_playing(demo_site: Path) -> None:
    """The player's own controls, playing and docked, and the dock of a list page."""
    axe = axe_source()
    with serve_site(demo_site) as (base, _), chromium(*MOBILE) as driver:
        from selenium.webdriver.common.by import By

        for scheme in ("light", "dark"):
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
                "features": [{"name": "prefers-color-scheme", "value": scheme}]})
            driver.get(base + CHAPTERED)
            driver.find_element(By.CSS_SELECTOR, "[data-act=toggle]").click()
            wait_for(driver, f"!{AUDIO}.paused")
            driver.execute_script("document.querySelector('.notes').scrollIntoView()")
            wait_for(driver, "document.querySelector('[data-player]').classList.contains('is-docked')")
            assert axe_violations(driver, axe) == [], f"episode playing ({scheme})"
            driver.get(base)
            driver.execute_script("document.querySelector('.card .play').click()")
            wait_for(driver, f"{AUDIO} && !{AUDIO}.paused")
            assert axe_violations(driver, axe) == [], f"home playing ({scheme})"


SCREENS = {"desktop": (1280, 800), "mobile": (390, 844)}


def set_viewport(driver: "object", width: int, height: int, scheme: str) -> None:
    """Exactly width x height CSS pixels (a headless window's size is not its viewport's)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": scheme}]})


@pytest.mark.parametrize("name,page", [("home", ""), ("episode-playing", CHAPTERED), ("search", "search/?q=friends"),
                                       ("subscribe", "subscribe/"), ("person", "people/ana-lopez/"),
                                       ("archive", "archive/"), ("about", "about/")])
def test_screenshots(demo_site: Path, name: str, page: str) -> None:
    """The first screen of each page, wide and narrow, light and dark, for a person to look at
    (scripts/docs_screenshots.py picks some for the README). The home page's latest episode
    and its play button are on that first screen at both sizes."""
    from selenium.webdriver.common.by import By

    with serve_site(demo_site) as (base, log):
        for label, (width, height) in SCREENS.items():
            for scheme in ("light", "dark"):
                with chromium(width, height) as driver:
                    set_viewport(driver, width, height, scheme)
                    driver.get(base + page)
                    if name == "home":
                        bottom = driver.execute_script(
                            "return document.querySelector('.feature .play').getBoundingClientRect().bottom")
                        assert bottom <= height, f"the play button is below the fold at {width}x{height}"
                    if name == "episode-playing":
                        driver.find_element(By.CSS_SELECTOR, "[data-act=toggle]").click()
                        wait_for(driver, f"!{AUDIO}.paused && {AUDIO}.currentTime > 1")
                        driver.execute_script("document.querySelector('.notes').scrollIntoView()")
                        wait_for(driver, "document.querySelector('[data-player]').classList.contains('is-docked')")
                        driver.execute_script(f"{AUDIO}.pause()")
                    if name == "search":
                        wait_for(driver, "document.querySelectorAll('[data-search-results] li').length > 1")
                    overflow = driver.execute_script(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                    assert overflow <= 0, f"{name} scrolls sideways at {width} px"
                    shot = ARTIFACTS / f"{name}-{label}-{scheme}.png"
                    shot.parent.mkdir(parents=True, exist_ok=True)
                    driver.save_screenshot(str(shot))
                    with Image.open(shot) as image:
                        assert image.size == (width, height)
                    assert shot.stat().st_size > 10_000
    assert not [path for path, status in log if status == 404]


def test_share_card_image(demo_site: Path) -> None:
    """The 1200x630 link-preview card: saved beside the screenshots to look at."""
    card = demo_site / "episodes" / "belonging-on-your-block" / "share-card.jpg"
    with Image.open(card) as image:
        assert image.size == (1200, 630)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        image.save(ARTIFACTS / "share-card.png")
        # the artwork sits on the left, the text on the right: both halves have detail
        left, right = image.crop((70, 70, 560, 560)), image.crop((630, 100, 1130, 500))
        assert len(left.getcolors(1 << 24)) > 1000 and len(right.getcolors(1 << 24)) > 20


# The player, search, share and subscribe, as a listener uses them.

AUDIO = "document.querySelector('[data-player] audio')"


def audio_state(driver: "object") -> dict:
    return driver.execute_script(
        f"const a = {AUDIO}; return {{t: a.currentTime, paused: a.paused, ready: a.readyState, src: a.currentSrc || a.src}}")


def wait_for(driver: "object", condition: str, timeout: float = 15) -> None:
    """Poll `condition` until it holds; an element it reads that is not there yet (a script
    error while polling) counts as "not yet", not as a failure."""
    from selenium.common.exceptions import JavascriptException
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, ignored_exceptions=[JavascriptException]).until(
        lambda d: d.execute_script("return " + condition))


def test_the_player_shows_the_real_duration_then_plays_and_skips(demo_site: Path) -> None:
    with serve_site(demo_site) as (base, log), chromium() as driver:
        from selenium.webdriver.common.by import By

        driver.get(base + CHAPTERED)
        # before play: our controls, the episode's duration from the page, no audio fetched yet
        assert driver.execute_script(f"return {AUDIO}.controls") is False
        assert driver.find_element(By.CSS_SELECTOR, "[data-ui] [data-total]").text == "0:31"
        assert driver.find_element(By.CSS_SELECTOR, "[data-ui] [data-now]").text == "0:00"
        assert audio_state(driver)["ready"] == 0
        assert not [path for path, _ in log if path.endswith(".mp3")]
        marks = driver.find_elements(By.CSS_SELECTOR, "[data-marks] span")
        duration = float(driver.find_element(By.CSS_SELECTOR, "[data-player]").get_attribute("data-duration"))
        lefts = [float(m.get_attribute("style").split(":")[1].strip(" %;")) for m in marks]
        assert lefts == pytest.approx([100 * 3 / duration, 100 * 14 / duration, 100 * 22 / duration], abs=2)

        play = driver.find_element(By.CSS_SELECTOR, "[data-act=toggle]")
        play.click()
        wait_for(driver, f"!{AUDIO}.paused && {AUDIO}.currentTime > 0.3")
        assert play.get_attribute("aria-label") == "Pause"
        assert driver.execute_script("return navigator.mediaSession.metadata.title") == "Belonging on Your Block"
        assert driver.execute_script("return navigator.mediaSession.metadata.artist") == "The Connection Hour"
        play.click()
        wait_for(driver, f"{AUDIO}.paused")
        before = audio_state(driver)["t"]
        driver.find_element(By.CSS_SELECTOR, "[data-act=fwd]").click()
        wait_for(driver, f"Math.abs({AUDIO}.currentTime - {min(before + 30, 31.0)}) < 1.5")
        driver.find_element(By.CSS_SELECTOR, "[data-act=back]").click()
        wait_for(driver, f"Math.abs({AUDIO}.currentTime - {min(before + 30, 31.0) - 15}) < 1.5")
        assert driver.find_element(By.CSS_SELECTOR, "[data-ui] [data-now]").text.startswith("0:1")
        # keys: k plays and pauses, j goes back 15 s
        driver.find_element(By.TAG_NAME, "body").send_keys("k")
        wait_for(driver, f"!{AUDIO}.paused")
        driver.find_element(By.TAG_NAME, "body").send_keys("j")
        wait_for(driver, f"{AUDIO}.currentTime < 6")


def test_a_time_in_the_notes_seeks_the_player(demo_site: Path) -> None:
    with serve_site(demo_site) as (base, _), chromium() as driver:
        from selenium.webdriver.common.by import By

        driver.get(base + CHAPTERED)
        times = driver.find_elements(By.CSS_SELECTOR, ".notes a[data-start]")
        assert [(t.text, t.get_attribute("data-start")) for t in times] == [("0:14", "14"), ("start small", "22")]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", times[1])
        times[1].click()
        wait_for(driver, f"!{AUDIO}.paused && Math.abs({AUDIO}.currentTime - 22) < 2")
        assert driver.current_url.endswith("#t=22")
        # the current chapter follows the audio
        wait_for(driver, "document.querySelector('[data-chapters] [aria-current]').textContent.includes('Start small')")


@pytest.mark.parametrize("fragment,seconds", [("#t=14", 14), ("#t=0:20", 20)])
def test_an_address_with_a_time_starts_there(demo_site: Path, fragment: str, seconds: int) -> None:
    with serve_site(demo_site) as (base, _), chromium() as driver:
        from selenium.webdriver.common.by import By

        driver.get(base + CHAPTERED + fragment)
        wait_for(driver, f"document.querySelector('[data-ui] [data-now]').textContent === '0:{seconds}'")
        driver.find_element(By.CSS_SELECTOR, "[data-act=toggle]").click()
        wait_for(driver, f"!{AUDIO}.paused && {AUDIO}.currentTime >= {seconds - 0.5}")
        assert audio_state(driver)["t"] < seconds + 5


def test_the_position_is_remembered_and_the_player_docks(demo_site: Path) -> None:
    with serve_site(demo_site) as (base, _), chromium(*MOBILE) as driver:
        from selenium.webdriver.common.by import By

        driver.get(base + CHAPTERED + "#t=18")
        driver.find_element(By.CSS_SELECTOR, "[data-act=toggle]").click()
        wait_for(driver, f"!{AUDIO}.paused && {AUDIO}.currentTime > 18")
        # reading on: the player follows, docked at the bottom of the screen
        driver.execute_script("document.querySelector('.notes').scrollIntoView()")
        wait_for(driver, "document.querySelector('[data-player]').classList.contains('is-docked')")
        box = driver.execute_script(
            "const r = document.querySelector('[data-ui]').getBoundingClientRect(); return [r.bottom, innerHeight, r.width]")
        assert abs(box[0] - box[1]) < 2 and box[2] >= MOBILE[0] - 20
        driver.execute_script(f"{AUDIO}.pause()")
        wait_for(driver, "localStorage.getItem('castnotes-pos:68cf306b-1e4b-45b9-8dfd-2ece1bac26d3') !== null")
        driver.get(base + CHAPTERED)
        wait_for(driver, "document.querySelector('[data-ui] [data-now]').textContent.startsWith('0:1')")
        driver.find_element(By.CSS_SELECTOR, "[data-act=toggle]").click()
        wait_for(driver, f"!{AUDIO}.paused && {AUDIO}.currentTime >= 17")


def test_play_buttons_in_lists_play_in_the_docked_player(demo_site: Path) -> None:
    with serve_site(demo_site) as (base, _), chromium() as driver:
        from selenium.webdriver.common.by import By

        driver.get(base)
        assert driver.find_elements(By.CSS_SELECTOR, "[data-player]") == []  # nothing until asked
        cards = driver.find_elements(By.CSS_SELECTOR, ".card .play")
        assert len(cards) >= 3
        target = cards[1].get_attribute("data-src")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", cards[1])
        cards[1].click()
        wait_for(driver, f"{AUDIO} && !{AUDIO}.paused && {AUDIO}.currentTime > 0.2")
        assert driver.current_url == base  # played here, no page change
        assert audio_state(driver)["src"].endswith(target)
        dock = driver.find_element(By.CSS_SELECTOR, ".player--dock [data-name]")
        assert dock.is_displayed() and dock.text == cards[1].find_element(By.CSS_SELECTOR, ".visually-hidden").text[2:]
        # the latest episode's big button plays it in the same player
        driver.execute_script("window.scrollTo(0, 0)")
        feature = driver.find_element(By.CSS_SELECTOR, ".feature .play")
        latest = feature.get_attribute("data-src")
        feature.click()
        wait_for(driver, f"{AUDIO}.src.endsWith({latest!r}) && !{AUDIO}.paused")
        assert len(driver.find_elements(By.CSS_SELECTOR, "[data-player]")) == 1


def test_search_finds_an_episode_by_a_guests_name(demo_site: Path) -> None:
    with serve_site(demo_site) as (base, log), chromium() as driver:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        driver.get(base + "archive/")
        assert not [path for path, _ in log if "pagefind" in path]  # nothing of search loads on other pages
        box = driver.find_element(By.CSS_SELECTOR, ".site-search input")
        box.send_keys("Natarajan", Keys.ENTER)
        wait_for(driver, "document.querySelectorAll('[data-search-results] li').length > 0")
        assert driver.current_url.endswith("search/?q=Natarajan")
        links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, ".result__title")]
        assert links[0] == base + CHAPTERED
        assert "Natarajan" in driver.find_element(By.CSS_SELECTOR, ".result mark").text
        # a word only in a transcript, and typing instead of submitting
        field = driver.find_element(By.ID, "search-q")
        field.clear()
        field.send_keys("pegboard")
        wait_for(driver, "document.querySelector('[data-search-status]').textContent.includes('pegboard')")
        assert any(CHAPTERED in a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, ".result__title"))
        field.clear()
        field.send_keys("zzzxqj")
        wait_for(driver, "document.querySelector('[data-search-status]').textContent.startsWith('Nothing found')")
        assert any("pagefind" in path and path.endswith(".pf_fragment") for path, _ in log)


def test_the_subscribe_page_copies_the_feed_address(demo_site: Path) -> None:
    with serve_site(demo_site) as (base, _), chromium() as driver:
        from selenium.webdriver.common.by import By

        driver.execute_cdp_cmd("Browser.grantPermissions", {
            "origin": base.rstrip("/"), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
        driver.get(base)
        driver.find_element(By.CSS_SELECTOR, ".site-nav__subscribe").click()
        assert driver.current_url == base + "subscribe/"
        button = driver.find_element(By.CSS_SELECTOR, "[data-copy]")
        assert button.is_displayed() and button.text == "Copy address"
        button.click()
        wait_for(driver, "document.querySelector('[data-copy-status]').textContent.startsWith('Copied')")
        copied = driver.execute_async_script(
            "const done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, e => done('error ' + e))")
        assert copied == "https://connectionhour.example/feed.xml"
        assert driver.find_element(By.CSS_SELECTOR, "svg.qr__code").size["width"] >= 150


def test_share_copies_a_link_at_the_current_time(demo_site: Path) -> None:
    with serve_site(demo_site) as (base, _), chromium() as driver:
        from selenium.webdriver.common.by import By

        driver.execute_cdp_cmd("Browser.grantPermissions", {
            "origin": base.rstrip("/"), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
        driver.get(base + CHAPTERED + "#t=14")
        at_time = driver.find_element(By.CSS_SELECTOR, "[data-copy-time]")
        wait_for(driver, "document.querySelector('[data-copy-time]').textContent === 'Copy link at 0:14'")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", at_time)
        at_time.click()
        copied = driver.execute_async_script(
            "const done = arguments[arguments.length - 1]; setTimeout(() => navigator.clipboard.readText().then(done), 300)")
        assert copied == "https://connectionhour.example/" + CHAPTERED + "#t=14"


NOTES_THAT_TRY_TO_RUN = """Before.

<script>window.ran = (window.ran || []).concat("script")</script>
<img src="missing.png" onerror="window.ran = (window.ran || []).concat('onerror')">
<svg><script>window.ran = (window.ran || []).concat("svg")</script></svg>
<details open ontoggle="window.ran = (window.ran || []).concat('ontoggle')"><summary>x</summary>y</details>
<a id="js" href="javascript:window.ran = (window.ran || []).concat('href')">click me</a>
<iframe srcdoc="<script>parent.ran = (parent.ran || []).concat('srcdoc')</script>"></iframe>

After.
"""


@pytest.mark.parametrize("raw_html", [False, True])
def test_no_script_from_the_notes_runs(make_show: ShowMaker, raw_html: bool) -> None:
    """Sanitised notes run nothing in Chromium; with `[site] raw_html = true` the same notes do
    (which shows the check can fail)."""
    show = make_show({"001-a": {"meta": {"title": "A", "date": "2026-01-05", "guid": "g1"},
                                "body": NOTES_THAT_TRY_TO_RUN}},
                     settings={"site": {"raw_html": raw_html}})
    result = run_cli("build", show=show)
    assert result.exit_code == 0, result.output
    with serve_site(show / "site") as (base, _), chromium() as driver:
        from selenium.webdriver.common.by import By

        driver.get(base + "episodes/a/")
        driver.find_element(By.ID, "js").click()
        time.sleep(1.0)  # let queued events (onerror, ontoggle) run
        ran = driver.execute_script("return window.ran || []")
    if raw_html:
        assert {"script", "onerror", "svg", "ontoggle", "href"} <= set(ran)
    else:
        assert ran == []
