"""One slugify: titles, names and folder names -> the ASCII words of an address.

Episode folders, person pages and category pages all get their address from this
function, so two places can never disagree about the slug of the same text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata


def slugify(text: str, max_length: int | None = None) -> str:
    """`Why We Drift Apart (Part 2)` -> `why-we-drift-apart-part-2`; "" if nothing is left.

    Accents are folded to ASCII. With `max_length`, a longer slug is cut at the last
    hyphen within it, so no word is cut in half. Callers choose their own fallback
    for text with no latin letters or digits.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if max_length is not None and len(slug) > max_length:
        slug = slug[: max_length + 1].rsplit("-", 1)[0]
    return slug


def slug_of(text: str) -> str:
    """A page address for any name: `Mental Health & You` -> `mental-health-you`; text with no
    latin letters gets a short hash, so every category and person still has one."""
    return slugify(text) or "x" + hashlib.sha256(text.encode()).hexdigest()[:8]
