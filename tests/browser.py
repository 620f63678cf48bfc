"""Headless Chromium for tests, driven by selenium: Debian's chromium and chromium-driver.

Never downloads a browser or a driver: the paths are fixed, and a missing one skips
the test on a laptop and fails it in CI (`require_tool`). Each browser gets a fresh
profile folder, and every network feature that phones home is switched off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from conftest import REPO, in_ci, require_tool

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE_CACHE = REPO / ".cache" / "npm"  # .ci/run installs axe-core here
DESKTOP = (1280, 900)
MOBILE = (390, 844)
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--mute-audio",
         "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
         "--hide-scrollbars", "--force-device-scale-factor=1")


def _require_file(path: str) -> str:
    if Path(path).is_file():
        return path
    message = f"{path} is missing (Debian packages chromium and chromium-driver)"
    if in_ci():
        pytest.fail(f"{message}, and CI=true: .ci/run must install it")
    pytest.skip(message)


@contextmanager
def chromium(width: int = DESKTOP[0], height: int = DESKTOP[1]) -> Iterator["object"]:
    """A selenium WebDriver on headless Chromium with a fresh profile, closed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _require_file(CHROMIUM), _require_file(CHROMEDRIVER)
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must never fetch anything
    profile = tempfile.mkdtemp(prefix="castnotes-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def full_page_screenshot(driver: "object", path: Path, width: int) -> None:
    """Resize the window to the page's full height, then save a PNG."""
    height = driver.execute_script(
        "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")
    driver.set_window_size(width, min(int(height) + 100, 8000))
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))


def axe_source() -> str:
    """axe-core's browser build, installed from the npm registry into .cache/npm when missing."""
    script = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = require_tool("npm")
        AXE_CACHE.mkdir(parents=True, exist_ok=True)
        result = subprocess.run([npm, "install", "--prefix", str(AXE_CACHE), "--no-audit", "--no-fund",
                                 "--silent", "axe-core@4"], capture_output=True, text=True)
        if result.returncode != 0 or not script.is_file():
            message = f"could not install axe-core with npm: {result.stderr.strip()[-500:]}"
            if in_ci():
                pytest.fail(message)
            pytest.skip(message)
    return script.read_text(encoding="utf-8")
