"""The wheel carries the default theme: a plain install builds a show anywhere."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import REPO, ShowMaker


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_builds_a_show(tmp_path: Path, make_show: ShowMaker) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("castnotes-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True,
                   capture_output=True)
    show = make_show(root=tmp_path / "elsewhere" / "show")
    castnotes = env_dir / "bin" / "castnotes"
    result = subprocess.run([str(castnotes), "-C", str(show), "build"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (show / "site" / "feed.xml").is_file()
    page = (show / "site" / "episodes" / "first" / "index.html").read_text()
    assert "<audio" in page and "First steps" in page
    assert (show / "site" / "assets" / "style.css").is_file()
    fresh = tmp_path / "fresh"  # init's skeleton (settings, sample audio) ships in the wheel too
    result = subprocess.run([str(castnotes), "init", str(fresh)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    result = subprocess.run([str(castnotes), "-C", str(fresh), "build"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (fresh / "site" / "media" / "welcome" / "welcome.mp3").is_file()
    module = subprocess.run([str(python), "-m", "castnotes", "--version"], capture_output=True, text=True)
    assert module.returncode == 0 and "castnotes" in module.stdout
    # the site's catalogues ship too (without them every language would fall back to English)
    shipped = subprocess.run([str(python), "-c", "from castnotes.render.i18n import shipped_languages as s; print(s())"],
                             capture_output=True, text=True)
    assert shipped.stdout.strip() == "('de', 'en', 'es', 'fr', 'pt')", shipped.stderr
