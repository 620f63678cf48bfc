"""The demo site in a real browser: headless Chromium seeks the audio, axe-core finds no
serious accessibility problem, and screenshots are saved for a person to look at.

Screenshots go to tests/_artifacts/screenshots/ (git-ignored): home and episode pages
at desktop and mobile widths, in light and dark.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from browser import DESKTOP, MOBILE, axe_source, chromium, full_page_screenshot
from conftest import REPO, ShowMaker, copy_demo, run_cli
from siteserver import serve_site

ARTIFACTS = REPO / "tests" / "_artifacts" / "screenshots"
CHAPTERED = "episodes/belonging-on-your-block/"  # chapters in front matter, an SRT transcript


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    show = copy_demo(tmp_path_factory.mktemp("browser") / "show")
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


@pytest.mark.parametrize("page", ["", CHAPTERED, "people/priya-natarajan/", "categories/friendship/",
                                  "archive/", "about/"])
def test_no_serious_accessibility_violations(demo_site: Path, page: str) -> None:
    axe = axe_source()
    for scheme in ("light", "dark"):
        with serve_site(demo_site) as (base, _), chromium() as driver:
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
                "features": [{"name": "prefers-color-scheme", "value": scheme}]})
            driver.get(base + page)
            driver.execute_script(axe)
            result = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)));")
            violations = json.loads(result)
            serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
                       for v in violations if v["impact"] in ("serious", "critical")]
            assert serious == [], f"{page or 'home'} ({scheme}): {serious}"


@pytest.mark.parametrize("name,page", [("home", ""), ("episode", CHAPTERED), ("person", "people/ana-lopez/"),
                                       ("archive", "archive/"), ("about", "about/")])
def test_screenshots(demo_site: Path, name: str, page: str) -> None:
    with serve_site(demo_site) as (base, log):
        for label, (width, height) in (("desktop", DESKTOP), ("mobile", MOBILE)):
            for scheme in ("light", "dark"):
                with chromium(width, height) as driver:
                    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
                        "features": [{"name": "prefers-color-scheme", "value": scheme}]})
                    driver.get(base + page)
                    if name == "episode":
                        driver.execute_script("document.querySelector('.transcript details').open = true")
                    overflow = driver.execute_script(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                    assert overflow <= 0, f"{name} scrolls sideways at {width} px"
                    shot = ARTIFACTS / f"{name}-{label}-{scheme}.png"
                    full_page_screenshot(driver, shot, width)
                    assert shot.stat().st_size > 10_000
    assert not [path for path, status in log if status == 404]


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
