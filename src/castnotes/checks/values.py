"""Small value tests shared by the lint modules: dates, durations, URLs, languages, UUIDs."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

from castnotes.config.settings import LANGUAGE_RE

# ISO 639-1 (two-letter) language codes, as Apple and RSS 2.0 expect in <language>.
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id
ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu
lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu
rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr
ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ZONES = {"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
          "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}
RFC2822_RE = re.compile(
    r"^(?:(?P<dow>[A-Za-z]{3}),\s*)?(?P<day>\d{1,2})\s+(?P<mon>[A-Za-z]{3})\s+(?P<year>\d{2,4})\s+"
    r"(?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s+(?P<zone>[+-]\d{4}|[A-Za-z]{1,3})$")
DURATION_RE = re.compile(r"^\d+(:[0-5]\d(:[0-5]\d)?)?$")
SAFE_PATH_RE = re.compile(r"^[A-Za-z0-9\-_./~%]*$")


def date_problem(text: str) -> str | None:
    """Why `text` is not an RFC 2822 date a podcast app reads, or None when it is one."""
    match = RFC2822_RE.match(text.strip())
    if not match:
        return f"{text.strip()!r} is not an RFC 2822 date"
    dow, month, zone = match["dow"], match["mon"], match["zone"]
    if month not in _MONTHS or (dow is not None and dow not in _DAYS):
        return f"{text.strip()!r} needs English day and month names (Mon, Jan, ...)"
    if len(match["year"]) != 4:
        return f"{text.strip()!r} needs a four-digit year"
    if zone[0] not in "+-" and zone.upper() not in _ZONES:
        return f"{text.strip()!r} has an unknown time zone {zone!r}; use a numeric offset such as +0000"
    try:
        offset = _ZONES.get(zone.upper(), 0) * 60 if zone[0] not in "+-" else \
            (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 60 + int(zone[3:5]))
        moment = datetime(int(match["year"]), _MONTHS.index(month) + 1, int(match["day"]),
                          int(match["h"]), int(match["m"]), int(match["s"] or 0),
                          tzinfo=timezone(timedelta(minutes=offset)))
    except ValueError:
        return f"{text.strip()!r} is not a real date or time"
    if dow is not None and _DAYS[moment.weekday()] != dow:
        return f"{text.strip()!r}: that date is a {_DAYS[moment.weekday()]}, not a {dow}"
    return None


def language_problem(code: str) -> tuple[str, str] | None:
    """(severity, message) when `code` is not a two-letter ISO 639-1 code (with an optional region)."""
    match = LANGUAGE_RE.match(code.strip())
    if not match:
        return "error", f"{code!r} is not a language code"
    primary = match.group(1).lower()
    if len(primary) == 3:
        return "warning", f"{code!r} is a three-letter code; Apple and most directories expect ISO 639-1"
    if primary not in ISO_639_1:
        return "error", f"{primary!r} is not an ISO 639-1 language code"
    return None


def uuid_version(text: str) -> int | None:
    try:
        return uuid.UUID(text.strip()).version
    except ValueError:
        return None
