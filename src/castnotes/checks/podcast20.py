"""Podcasting 2.0 rules (P20-*) and chapter agreement (CHAP-X), under either namespace URI."""

from __future__ import annotations

import json
import re

from lxml import etree

from castnotes.checks.report import Lint
from castnotes.checks.resources import Resources
from castnotes.checks.values import uuid_version
from castnotes.config.people import ROLE_GROUP, TAXONOMY
from castnotes.config.podcasting import MEDIUMS
from castnotes.config.settings import EMAIL_RE
from castnotes.feedxml import PODCAST, PODCAST_LEGACY, PSC
from castnotes.timecode import parse_timestamp

# Tag -> node-value length limit (feed-rules P20-LEN).
LIMITS = {"funding": 128, "soundbite": 128, "person": 128, "location": 128, "trailer": 128,
          "license": 128, "updateFrequency": 128, "txt": 4000}
URL_ATTRIBUTES = ("url", "href", "img", "feedUrl", "uri", "server")
PSC_START = re.compile(r"^((\d{2}):)?(\d{2}):(\d{2})(\.(\d{3}))?$")  # feedparser's own pattern


def check_podcasting(channel: etree._Element, lint: Lint, resources: Resources) -> None:
    """The channel's own tags (the items' are `check_item_podcasting`'s)."""
    for uri in (PODCAST, PODCAST_LEGACY):
        _check_namespace(channel, uri, lint, resources)


def check_item_podcasting(item: etree._Element, lint: Lint, resources: Resources) -> None:
    """One item's tags, under either namespace URI, and its psc:chapters; all reported at the item."""
    for ns in (PODCAST, PODCAST_LEGACY):
        for element in item.iter(f"{{{ns}}}*"):
            _common(element, item, lint)
        _item_tags(item, ns, lint, resources)
    _psc(item, lint)


def _check_namespace(channel: etree._Element, ns: str, lint: Lint, resources: Resources) -> None:
    guids = channel.findall(f"{{{ns}}}guid")
    if ns == PODCAST and not guids and not channel.findall(f"{{{PODCAST_LEGACY}}}guid"):
        lint.report("P20-GUID", "the channel has no <podcast:guid>", channel, None)
    if len(guids) > 1:
        lint.report("P20-GUID", f"the channel has {len(guids)} <podcast:guid> tags; give it one", channel, None)
    for guid in guids[:1]:
        if uuid_version(guid.text or "") != 5:
            lint.report("P20-GUID", f"<podcast:guid> {(guid.text or '').strip()!r} is not a UUIDv5",
                        channel, None)
    for locked in channel.findall(f"{{{ns}}}locked"):
        if (locked.text or "").strip() not in ("yes", "no"):
            lint.report("P20-LOCKED", f"<podcast:locked> {(locked.text or '').strip()!r} must be yes or no",
                        channel, None)
        owner = locked.get("owner")
        if owner is not None and not EMAIL_RE.match(owner.strip()):
            lint.report("P20-LOCKED", f"<podcast:locked owner> {owner!r} is not an email address",
                        channel, None)
    for medium in channel.findall(f"{{{ns}}}medium"):
        if (medium.text or "").strip() not in MEDIUMS:
            lint.report("P20-ENUMS", f"<podcast:medium> {(medium.text or '').strip()!r} is not a known medium",
                        channel, None)
    for block in channel.findall(f"{{{ns}}}block"):
        if (block.text or "").strip() not in ("yes", "no"):
            lint.report("P20-ENUMS", "<podcast:block> must be yes or no", channel, None)
    for live in channel.findall(f"{{{ns}}}liveItem"):
        if live.get("status") not in ("pending", "live", "ended"):
            lint.report("P20-ENUMS", f"<podcast:liveItem status> {live.get('status')!r} must be "
                        "pending, live or ended", channel, None)
    for element in channel.iter(f"{{{ns}}}*"):
        if next(element.iterancestors("item"), None) is None:  # an item's tags: check_item_podcasting
            _common(element, channel, lint)


def _common(element: etree._Element, place: etree._Element, lint: Lint) -> None:
    tag = etree.QName(element).localname
    for attribute in URL_ATTRIBUTES:
        value = element.get(attribute)
        if value and value.strip().lower().startswith("http://"):
            lint.report("P20-HTTPS", f"<podcast:{tag} {attribute}> uses http:// ({value.strip()})",
                        place, None)
    limit = LIMITS.get(tag)
    text = (element.text or "").strip()
    if limit and len(text) > limit:
        lint.report("P20-LEN", f"<podcast:{tag}> is {len(text)} characters long; the limit is {limit}",
                    place, None)
    if tag == "integrity" and element.get("type") not in ("sri", "pgp-signature"):
        lint.report("P20-ENUMS", "<podcast:integrity type> must be sri or pgp-signature", place, None)
    for attribute, size in (("display", 32), ("title", 32), ("rel", 32), ("name", 128), ("purpose", 128)):
        value = element.get(attribute)
        if value and tag in ("episode", "alternateEnclosure", "season", "txt") and len(value) > size:
            lint.report("P20-LEN", f"<podcast:{tag} {attribute}> is longer than {size} characters", place, None)
    if tag == "person":
        _person(element, place, lint)


def _person(element: etree._Element, place: etree._Element, lint: Lint) -> None:
    name = (element.text or "").strip()
    if not name:
        lint.report("P20-PERSON", "<podcast:person> has no name", place, "guests")
    role, group = (element.get("role") or "").strip().lower(), (element.get("group") or "").strip().lower()
    if role and role not in ROLE_GROUP:
        lint.report("P20-PERSON", f"{name or 'a person'}: role {role!r} is not in the taxonomy; apps read it "
                    "as host", place, "guests")
    if group and group not in TAXONOMY:
        lint.report("P20-PERSON", f"{name or 'a person'}: group {group!r} is not in the taxonomy",
                    place, "guests")


def _item_tags(item: etree._Element, ns: str, lint: Lint, resources: Resources) -> None:
    for transcript in item.findall(f"{{{ns}}}transcript"):
        if not transcript.get("url") or not transcript.get("type"):
            lint.report("P20-TRANSCRIPT", "<podcast:transcript> needs url and type", item, "transcript")
    chapters = item.findall(f"{{{ns}}}chapters")
    if len(chapters) > 1:
        lint.report("P20-CHAPTERS", f"{len(chapters)} <podcast:chapters> tags; apps read one", item, "chapters")
    for element in chapters[:1]:
        url, kind = element.get("url"), element.get("type")
        if not url or not kind:
            lint.report("P20-CHAPTERS", "<podcast:chapters> needs url and type", item, "chapters")
            continue
        if kind.strip() != "application/json+chapters":
            lint.report("P20-CHAPTERS", f"<podcast:chapters type> {kind!r} should be application/json+chapters",
                        item, "chapters")
        if (data := resources.read(url.strip())) is not None:
            _chapters_file(data, item, lint, resources)


def _chapters_file(data: bytes, item: etree._Element, lint: Lint, resources: Resources) -> None:
    """The JSON chapters file itself: version, chapters, startTime ascending within the audio."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        lint.report("P20-CHAPTERS", f"the chapters file is not JSON ({exc})", item, "chapters")
        return
    chapters = document.get("chapters") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not isinstance(document.get("version"), str) \
            or not isinstance(chapters, list):
        lint.report("P20-CHAPTERS", "the chapters file needs a \"version\" string and a \"chapters\" list",
                    item, "chapters")
        return
    starts = [c.get("startTime") for c in chapters if isinstance(c, dict)]
    if len(starts) != len(chapters) or not all(isinstance(s, (int, float)) and not isinstance(s, bool)
                                               for s in starts):
        lint.report("P20-CHAPTERS", "every chapter needs a numeric startTime", item, "chapters")
        return
    if starts != sorted(starts):
        lint.report("P20-CHAPTERS", "chapters are not in ascending startTime order", item, "chapters")
    enclosure = item.find("enclosure")
    duration = resources.duration(enclosure.get("url", "")) if enclosure is not None else None
    if duration and starts and max(starts) >= duration:
        lint.report("P20-CHAPTERS", f"a chapter starts at {max(starts):.0f} s, after the audio ends "
                    f"({duration:.0f} s)", item, "chapters")
    psc = [(p.get("start"), p.get("title")) for p in item.iter(f"{{{PSC}}}chapter")]
    if psc and len(psc) != len([c for c in chapters if c.get("toc", True) is not False]):
        lint.report("CHAP-X", f"psc:chapters lists {len(psc)} chapters, the JSON file "
                    f"{len(chapters)}", item, "chapters")


def _psc(item: etree._Element, lint: Lint) -> None:
    blocks = item.findall(f"{{{PSC}}}chapters")
    if len(blocks) > 1:
        lint.report("CHAP-X", f"{len(blocks)} <psc:chapters> blocks; apps read the first", item, "chapters")
    previous = -1.0
    for chapter in item.iter(f"{{{PSC}}}chapter"):
        start, title = (chapter.get("start") or "").strip(), (chapter.get("title") or "").strip()
        if not title:
            lint.report("CHAP-X", f"<psc:chapter start={start!r}> has no title", item, "chapters")
        if not PSC_START.match(start):
            lint.report("CHAP-X", f"<psc:chapter start> {start!r} is not HH:MM:SS.mmm; feedparser drops it",
                        item, "chapters")
            continue
        seconds = parse_timestamp(start) or 0.0
        if seconds < previous:
            lint.report("CHAP-X", f"<psc:chapter start={start!r}> comes before the chapter above it",
                        item, "chapters")
        previous = seconds
