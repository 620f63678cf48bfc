"""Channel rules: CH-*, and XML-3/XML-4 for the show's own values.

Only the channel's own elements: what depends on its items (CH-ITEMS, a serial show's
numbers) is checked with the items (items.py).
"""

from __future__ import annotations

from lxml import etree

from castnotes.checks.artwork import check_artwork
from castnotes.checks.report import Lint
from castnotes.checks.resources import Resources
from castnotes.checks.values import date_problem, language_problem
from castnotes.config.apple import ALL_CATEGORY_PATHS, APPLE_CATEGORIES
from castnotes.config.settings import EMAIL_RE
from castnotes.errors import did_you_mean
from castnotes.feedxml import ATOM, FH, ITUNES
from castnotes.fields import is_http_url

I = f"{{{ITUNES}}}"
MAX_DESCRIPTION = 4000
MAX_VALUE = 255


def text_of(element: etree._Element | None, path: str) -> str | None:
    """The text of `path` under `element` (None when the tag is absent), untrimmed."""
    found = element.find(path) if element is not None else None
    if found is None:
        return None
    if not len(found):  # no child elements (nearly always): the text itself
        return found.text or ""
    return "".join(found.itertext())


FEED_SIZE_LIMIT = 1_000_000  # bytes (README: `castnotes check` warns above 1 MB)


def check_feed_size(size: int, lint: Lint) -> None:
    """XML-SIZE: a feed document over 1 MB."""
    if size > FEED_SIZE_LIMIT:
        lint.report("XML-SIZE", f"the feed is {size / 1_000_000:.1f} MB ({size} bytes); apps time out on "
                                "feeds over 1 MB", None, "feed.limit")


def check_channel(channel: etree._Element, lint: Lint, resources: Resources) -> None:
    _title_and_text(channel, lint)
    check_description(channel, "CH-DESC", "show.description", lint)
    link = (text_of(channel, "link") or "").strip()
    if not is_http_url(link):
        lint.report("CH-LINK", "the channel has no <link> to the show's site" if not link
                    else f"the channel <link> {link!r} is not an absolute http(s) URL",
                    channel, "show.url")
    _language(channel, lint)
    _artwork(channel, lint, resources)
    _categories(channel, lint)
    _explicit(channel, lint)
    _owner(channel, lint)
    _type(channel, lint)
    _flags(channel, lint)
    _self_link(channel, lint)
    for tag in ("pubDate", "lastBuildDate"):
        value = text_of(channel, tag)
        if value is not None and (problem := date_problem(value)):
            lint.report("IT-DATE", f"channel <{tag}>: {problem}", channel, None)


def _title_and_text(channel: etree._Element, lint: Lint) -> None:
    title = text_of(channel, "title")
    if not (title or "").strip():
        lint.report("CH-TITLE", "the channel has no <title>", channel, "show.title")
    for path, key in (("title", "show.title"), (f"{I}author", "show.author"), (f"{I}subtitle", None),
                      (f"{I}keywords", "show.keywords"), (f"{I}title", None),
                      (f"{I}owner/{I}name", "show.owner")):
        check_value(channel, path, key, lint)
    if text_of(channel, f"{I}author") is None:
        lint.report("CH-AUTHOR", "the channel has no <itunes:author>", channel, "show.author")
    if not (text_of(channel, "copyright") or "").strip():
        lint.report("CH-COPY", "the channel has no <copyright>", channel, "show.copyright")


def check_value(parent: etree._Element, path: str, key: str | None, lint: Lint) -> None:
    """XML-4: no spaces around a value, and at most 255 characters."""
    value = text_of(parent, path)
    if value is None:
        return
    name = path.replace(I, "itunes:").split("/")[-1]
    if value != value.strip() and value.strip():
        lint.report("XML-4", f"<{name}> has spaces or line breaks around its value", parent, key)
    if len(value.strip()) > MAX_VALUE:
        lint.report("XML-4", f"<{name}> is {len(value.strip())} characters long; keep it to 255",
                    parent, key)


def check_description(parent: etree._Element, rule: str, key: str, lint: Lint) -> str | None:
    """Present, at most 4000 bytes, HTML only inside CDATA; the text when there is more to check.

    Shared by the channel (CH-DESC) and the items (IT-DESC), whose missing description is
    only a warning.
    """
    element = parent.find("description")
    text = text_of(parent, "description")
    what = "the channel" if parent.tag == "channel" else "the episode"
    if element is None or not (text or "").strip():
        lint.report(rule, f"{what} has no <description>", parent, key)
        return None
    size = len(text.strip().encode("utf-8"))
    if size > MAX_DESCRIPTION:
        lint.report(rule, f"{what}'s <description> is {size} bytes; Apple's limit is 4000", parent, key,
                    severity="error")
    if len(element):
        lint.report(rule, f"{what}'s <description> holds raw HTML tags; wrap HTML in CDATA", parent, key,
                    severity="warning", hint="write <description><![CDATA[<p>...</p>]]></description>")
        return None
    return text


def _language(channel: etree._Element, lint: Lint) -> None:
    language = (text_of(channel, "language") or "").strip()
    if not language:
        lint.report("CH-LANG", "the channel has no <language>", channel, "show.language")
    elif problem := language_problem(language):
        lint.report("CH-LANG", problem[1], channel, "show.language", severity=problem[0])  # type: ignore[arg-type]


def _artwork(channel: etree._Element, lint: Lint, resources: Resources) -> None:
    image = channel.find(f"{I}image")
    if image is None:
        lint.report("CH-IMG-1", "the channel has no <itunes:image>", channel, "show.image")
        return
    href = (image.get("href") or "").strip()
    if not href:
        lint.report("CH-IMG-1", "<itunes:image> has no href attribute (Apple ignores text or url=)",
                    channel, "show.image", hint='write <itunes:image href="https://.../artwork.jpg"/>')
        return
    if not is_http_url(href):
        lint.report("CH-IMG-1", f"<itunes:image href> {href!r} is not an absolute http(s) URL",
                    channel, "show.image")
        return
    if (data := resources.read(href)) is not None:
        check_artwork(data, href, resources.label(href), lint, channel, "show.image")


def _categories(channel: etree._Element, lint: Lint) -> None:
    categories = channel.findall(f"{I}category")
    if not categories:
        lint.report("CH-CAT", "the channel has no <itunes:category>", channel, "show.categories")
        return
    lowered = {name.lower(): name for name in APPLE_CATEGORIES}
    subs = {sub: parent for parent, names in APPLE_CATEGORIES.items() for sub in names}
    for category in categories:
        text = (category.get("text") or "").strip()
        if text not in APPLE_CATEGORIES:
            if text.lower() in lowered:
                lint.report("XML-3", f"category {text!r} is spelled {lowered[text.lower()]!r} by Apple",
                            channel, "show.categories")
            elif text in subs:
                lint.report("CH-CAT", f"{text!r} is a subcategory of {subs[text]!r}; nest it inside "
                            f'<itunes:category text="{subs[text]}">', channel, "show.categories")
            else:
                lint.report("CH-CAT", f"category {text!r} is not on Apple's list" if text
                            else "<itunes:category> has no text attribute", channel, "show.categories",
                            hint=did_you_mean(text, ALL_CATEGORY_PATHS, cutoff=0.5, ignore_case=True))
            continue
        for sub in category.findall(f"{I}category"):
            name = (sub.get("text") or "").strip()
            if name not in APPLE_CATEGORIES[text]:
                match = next((s for s in APPLE_CATEGORIES[text] if s.lower() == name.lower()), None)
                if match:
                    lint.report("XML-3", f"subcategory {name!r} is spelled {match!r} by Apple",
                                channel, "show.categories")
                else:
                    lint.report("CH-CAT", f"{name!r} is not a subcategory of {text!r}", channel,
                                "show.categories", hint="subcategories of " + text + ": "
                                + (", ".join(APPLE_CATEGORIES[text]) or "none"))


def check_explicit(value: str | None) -> tuple[str, str] | None:
    """(severity, message) for an itunes:explicit value that is not `true`/`false`."""
    text = (value or "").strip()
    if text in ("true", "false"):
        return None
    if text.lower() in ("true", "false"):
        return "warning", f"itunes:explicit {text!r} must be lower case"
    if text.lower() in ("yes", "no", "clean", "explicit"):
        return "warning", f"itunes:explicit {text!r} is the old spelling; Apple now documents true or false"
    return "error", f"itunes:explicit {text!r} is neither true nor false"


def _explicit(channel: etree._Element, lint: Lint) -> None:
    value = text_of(channel, f"{I}explicit")
    if value is None:
        lint.report("CH-EXPL", "the channel has no <itunes:explicit>", channel, "show.explicit")
    elif problem := check_explicit(value):
        lint.report("CH-EXPL", problem[1], channel, "show.explicit", severity=problem[0])  # type: ignore[arg-type]


def _owner(channel: etree._Element, lint: Lint) -> None:
    owner = channel.find(f"{I}owner")
    if owner is None:
        lint.report("CH-OWNER", "the channel has no <itunes:owner>", channel, "show.owner")
        return
    name = (text_of(owner, f"{I}name") or "").strip()
    email = (text_of(owner, f"{I}email") or "").strip()
    if not name:
        lint.report("CH-OWNER", "<itunes:owner> has no <itunes:name>", channel, "show.owner")
    if not email:
        lint.report("CH-OWNER", "<itunes:owner> has no <itunes:email>", channel, "show.owner")
    elif not EMAIL_RE.match(email):
        lint.report("CH-OWNER", f"<itunes:email> {email!r} is not an email address", channel, "show.owner")


def _type(channel: etree._Element, lint: Lint) -> None:
    value = text_of(channel, f"{I}type")
    if value is not None and value.strip() not in ("episodic", "serial"):
        lint.report("CH-TYPE", f"<itunes:type> {value.strip()!r} must be episodic or serial",
                    channel, "show.type")


def _flags(channel: etree._Element, lint: Lint) -> None:
    for tag, rule in (("block", "CH-BLOCK"), ("complete", "CH-COMPLETE")):
        value = text_of(channel, f"{I}{tag}")
        if value is None:
            continue
        if value.strip().lower() == "yes":
            effect = "hides the show from Apple Podcasts" if tag == "block" else \
                "tells Apple no more episodes will come"
            lint.report(rule, f"<itunes:{tag}>Yes</itunes:{tag}> {effect}; make sure you mean it",
                        channel, None)
        else:
            lint.report(rule, f"<itunes:{tag}> {value.strip()!r} has no effect (only Yes does)",
                        channel, None)
    new_url = text_of(channel, f"{I}new-feed-url")
    if new_url is not None:
        own = self_href(channel)
        if not is_http_url(new_url.strip()):
            lint.report("CH-NEWURL", f"<itunes:new-feed-url> {new_url.strip()!r} is not an absolute URL",
                        channel, None)
        elif new_url.strip() != own:
            lint.report("CH-NEWURL", f"<itunes:new-feed-url> moves every subscriber to {new_url.strip()}",
                        channel, None, hint="keep it only while the move lasts, with an HTTP 301 as well")


def self_href(channel: etree._Element) -> str | None:
    for link in channel.findall(f"{{{ATOM}}}link"):
        if link.get("rel") == "self":
            return (link.get("href") or "").strip() or None
    return None


def _self_link(channel: etree._Element, lint: Lint) -> None:
    href = self_href(channel)
    if href is None:
        lint.report("CH-SELF", 'the channel has no <atom:link rel="self">', channel, None)
    elif not is_http_url(href):
        lint.report("CH-SELF", f'<atom:link rel="self"> {href!r} is not an absolute URL', channel, None)
    elif href.lower().startswith("http://"):
        lint.report("HTTP-2", f"the feed's own address {href} is plain http", channel, "show.url")
    links = {link.get("rel") for link in channel.findall(f"{{{ATOM}}}link")}
    archive = links & {"prev-archive", "next-archive", "current"}
    if archive and not links & {"next", "first"}:
        lint.report("PAGE", f"archive links ({', '.join(sorted(archive))}) are read by neither gPodder "
                    "nor AntennaPod", channel, None)
    if channel.find(f"{{{FH}}}complete") is not None and links & {"next", "previous", "prev-archive"}:
        lint.report("PAGE", "a feed marked <fh:complete/> may not link other pages", channel, None)
    if channel.find(f"{{{FH}}}archive") is not None and "current" not in links:
        lint.report("PAGE", 'an archive page (<fh:archive/>) needs a rel="current" link', channel, None)
