"""The /subscribe/ page's content: one-tap links into podcast apps, and a QR code of the feed.

Most listeners never saw a feed address. An app's own link scheme opens it on the
"subscribe to this feed" screen, so a tap is enough; the address itself, a copy
button and a QR code (for the phone, when reading on a computer) cover every other
app. The links are plain hrefs: nothing is loaded from the apps' hosts.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import segno
from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class AppLink:
    name: str
    href: str
    platforms: str  # where the app runs, shown beside its name


def app_links(feed_url: str) -> list[AppLink]:
    """Links that open each app on its subscribe screen for `feed_url`."""
    bare = feed_url.split("://", 1)[-1]
    encoded = quote(feed_url, safe="")
    return [
        AppLink("Apple Podcasts", f"podcast://{bare}", "iPhone, iPad, Mac"),
        AppLink("Overcast", f"overcast://x-callback-url/add?url={encoded}", "iPhone, iPad"),
        AppLink("Pocket Casts", f"pktc://subscribe/{bare}", "iPhone, Android"),
        AppLink("Castro", f"castro://subscribe/{bare}", "iPhone"),
        AppLink("AntennaPod", f"https://antennapod.org/deeplink/subscribe?url={encoded}", "Android"),
        AppLink("Podcast Addict", f"podcastaddict://{bare}", "Android"),
        AppLink("Podcast Republic", f"podcastrepublic://subscribe/{feed_url}", "Android"),
        AppLink("Downcast", f"downcast://{bare}", "iPhone, Mac"),
    ]


def qr_svg(text: str, title: str) -> Markup:
    """A QR code of `text` as inline SVG, sized by CSS; dark on light in any colour scheme
    (phone cameras read dark modules on a light ground best)."""
    svg = segno.make(text, error="m").svg_inline(scale=1, border=2, dark="#000", light="#fff",
                                                  omitsize=True, title=title, svgclass="qr__code")
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(title)}" ', 1))


@dataclass(frozen=True, slots=True)
class QRCode:
    """The QR code of `text` as the page prints it (`qr_svg`), drawn only when a page is
    rendered: a build that keeps the subscribe page draws nothing. Its fields are what
    the page's fingerprint sees, the drawing library's version among them."""

    text: str
    title: str
    drawn_by: str = f"segno {segno.__version__}"

    def __html__(self) -> str:
        return qr_svg(self.text, self.title)

    def __str__(self) -> str:
        return self.__html__()

