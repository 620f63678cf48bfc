"""Tell the directories a feed changed: WebSub hubs, and Podping.

WebSub (W3C): POST `hub.mode=publish` and `hub.url=FEED` to each hub; the feed names
the hubs with `<atom:link rel="hub">` (render/rss.py) so apps can subscribe there.
Podping (podping.cloud): GET `PODPING_URL?url=FEED` with the token from the
PODPING_TOKEN environment variable as Authorization. Both only warn when they fail:
the files are already published, and the apps poll anyway.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

from castnotes.errors import CastnotesError, Problem
from castnotes.fetch import notify
from castnotes.model import Settings

PODPING_TOKEN_VAR = "PODPING_TOKEN"


def announce(settings: Settings) -> tuple[list[str], list[Problem]]:
    """Ping every hub (and Podping when configured); (who was told, warnings)."""
    feed = settings.feed_url
    told: list[str] = []
    warnings: list[Problem] = []
    for hub in settings.publish.websub_hubs:
        try:
            notify(hub, what="WebSub hub", data={"hub.mode": "publish", "hub.url": feed})
            told.append(hub)
        except CastnotesError as exc:
            warnings.append(_warning(exc, "the feed is published; apps will still see it when they poll"))
    if settings.publish.podping_url:
        token = os.environ.get(PODPING_TOKEN_VAR, "").strip()
        if not token:
            warnings.append(Problem(f"[publish] podping_url is set but {PODPING_TOKEN_VAR} is not",
                                    severity="warning",
                                    hint=f"export {PODPING_TOKEN_VAR}=... (from podping.cloud) to notify Podping"))
        else:
            url = settings.publish.podping_url
            url += ("&" if "?" in url else "?") + urlencode({"url": feed})
            try:
                notify(url, what="Podping server", headers={"Authorization": token})
                told.append(settings.publish.podping_url)
            except CastnotesError as exc:
                warnings.append(_warning(exc, "check PODPING_TOKEN; apps will still see the feed when they poll"))
    return told, warnings


def _warning(exc: CastnotesError, hint: str) -> Problem:
    return Problem(exc.problems[0].message, severity="warning", hint=hint)
