"""CH-IMG-2, CH-IMG-3, IT-IMG: is this picture artwork Apple takes? Read with Pillow.

Apple's words: "between 1400 x 1400 and 3000 x 3000 pixels, JPG or PNG, in RGB
color space". CMYK is refused outright; alpha, grey and palette images are warned
about because directories convert them badly.
"""

from __future__ import annotations

from posixpath import splitext
from urllib.parse import urlsplit

from lxml import etree

from castnotes.checks.report import Lint
from castnotes.errors import CastnotesError
from castnotes.imageinfo import image_info

MIN_SIDE, MAX_SIDE = 1400, 3000
MAX_BYTES = 512 * 1024
_SUFFIXES = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}


def check_artwork(data: bytes, url: str, name: str, lint: Lint, element: etree._Element | None, key: str,
                  rule: str = "CH-IMG-2") -> None:
    """Report every way the picture at `url` (called `name` in messages) falls short.

    `rule` is CH-IMG-2 for the show's artwork, IT-IMG (warnings) for an episode's.
    """
    try:
        info = image_info(data)
    except CastnotesError:
        lint.report(rule, f"{name} is not a picture Pillow can read", element, key)
        return
    image_format, width, height, mode = info.format, info.width, info.height, info.mode
    if image_format not in _SUFFIXES:
        lint.report(rule, f"{name} is {image_format}; artwork must be JPEG or PNG", element, key)
    else:
        suffix = splitext(urlsplit(url).path)[1].lower()
        if suffix and suffix not in _SUFFIXES[image_format]:
            lint.report(rule, f"{name} is a {image_format} file named {suffix}", element, key,
                        hint=f"rename it to {_SUFFIXES[image_format][0]}")
    if width != height:
        lint.report(rule, f"{name} is {width}x{height}; artwork must be square", element, key)
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        lint.report(rule, f"{name} is {width}x{height}; artwork must be 1400x1400 to 3000x3000 pixels",
                    element, key)
    if mode == "CMYK":
        lint.report(rule, f"{name} is in CMYK colours; artwork must be RGB", element, key)
    elif mode != "RGB":
        lint.report(rule, f"{name} is in {mode} mode (not plain RGB); directories may show it wrongly",
                    element, key, severity="warning", hint="save it as an RGB image without transparency")
    if len(data) > MAX_BYTES:
        lint.report("CH-IMG-3", f"{name} is {len(data) // 1024} KB; keep artwork under 512 KB",
                    element, key)
