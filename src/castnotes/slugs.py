"""One slugify: titles, names and folder names -> the ASCII words of an address.

Episode folders, person pages and category pages all get their address from this
function, so two places can never disagree about the slug of the same text.
"""

from __future__ import annotations

import hashlib
import re

from anyascii import anyascii

MAX_SLUG = 100  # characters: an address part, well inside every file system's name limit


def slugify(text: str, max_length: int | None = None) -> str:
    """`Why We Drift Apart (Part 2)` -> `why-we-drift-apart-part-2`; "" if nothing is left.

    Any script is transliterated to ASCII with `anyascii` (`Straße` -> `strasse`,
    `李小龙` -> `lixiaolong`), so names and titles in every language get an address
    of their own rather than an empty one. With `max_length`, a longer slug is cut at the last
    hyphen within it, so no word is cut in half. Callers choose their own fallback
    for text that transliterates to nothing (emoji, punctuation).
    """
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-")
    if max_length is not None and len(slug) > max_length:
        slug = slug[: max_length + 1].rsplit("-", 1)[0]
    return slug


def slug_of(text: str) -> str:
    """A page address for any name: `Mental Health & You` -> `mental-health-you`; text with no
    latin letters gets a short hash, so every category and person still has one."""
    return slugify(text, max_length=MAX_SLUG) or "x" + hashlib.sha256(text.encode()).hexdigest()[:8]
