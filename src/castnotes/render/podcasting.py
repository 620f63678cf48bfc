"""A feedgen extension for the Podcasting 2.0 namespace, and the tags castnotes writes with it.

feedgen's attribute name `podcast` is taken by its own iTunes extension, so this one
is registered as `podcastindex` (`fg.register_extension`). The extension itself only
serialises: `channel_tags(show)` and `item_tags(show, episode)` turn the model into a
list of `Tag`s (pure, so each tag can be tested), and the extension appends them to
the channel or item in order. Podlove Simple Chapters (`psc:chapters`) ride along,
since apps that do not read JSON chapters (gPodder, older AntennaPod) read those.

The namespace URI is the canonical one. podcastparser 0.6.11 only knows the legacy
GitHub URI (feed-rules.md P20-NS); the spec says apps must treat both alike, so the
feed follows the spec and the tests note the difference where they parse.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass

from feedgen.ext.base import BaseEntryExtension
from lxml import etree

from castnotes.feedxml import PODCAST, PSC
from castnotes.model import (
    Artwork,
    Enclosure,
    Episode,
    Funding,
    License,
    Location,
    Person,
    Show,
    SocialInteract,
)
from castnotes.render.chapters import JSON_CHAPTERS_TYPE, chapter_image_url
from castnotes.timecode import format_npt

PSC_VERSION = "1.2"
MAX_TEXT = 128


@dataclass(frozen=True, slots=True)
class Tag:
    """One element to write: `name` in namespace `ns`, its text, attributes and children."""

    name: str
    text: str | None = None
    attrs: tuple[tuple[str, str], ...] = ()
    children: tuple["Tag", ...] = ()
    ns: str = PODCAST


def tag(name: str, text: str | None = None, attrs: dict[str, object] | None = None,
        children: tuple[Tag, ...] = (), ns: str = PODCAST) -> Tag:
    """A Tag; attributes whose value is None are left out, numbers become text."""
    pairs = tuple((key, _attr(value)) for key, value in (attrs or {}).items() if value is not None)
    return Tag(name, text, pairs, children, ns)


def _attr(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def append_tag(parent: etree._Element, item: Tag) -> None:
    element = etree.SubElement(parent, f"{{{item.ns}}}{item.name}", dict(item.attrs))  # attributes in order
    if item.text is not None:
        element.text = item.text
    for child in item.children:
        append_tag(element, child)


class PodcastIndexEntryExtension(BaseEntryExtension):
    """Item tags, in the order `item_tags` gives them."""

    def __init__(self) -> None:
        self.tags: list[Tag] = []

    def extend_rss(self, entry):  # noqa: ANN001 - feedgen's signature
        for item in self.tags:
            append_tag(entry, item)
        return entry


class PodcastIndexExtension(PodcastIndexEntryExtension):
    """Channel tags. `tags` is filled by rss.py; `uses_psc` declares the psc prefix at the root."""

    uses_psc = False

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST, **({"psc": PSC} if self.uses_psc else {})}

    def extend_rss(self, rss_feed):  # noqa: ANN001 - feedgen's signature
        super().extend_rss(rss_feed[0])  # the channel
        return rss_feed


# --- channel ----------------------------------------------------------------------------

def channel_tags(show: Show) -> list[Tag]:
    settings = show.settings.show
    tags = [tag("guid", show.settings.podcast_guid)]
    if settings.locked is not None:
        owner = settings.locked_owner or (settings.owner.email if settings.owner else None)
        tags.append(tag("locked", "yes" if settings.locked else "no", {"owner": owner}))
    tags += [funding_tag(f) for f in settings.funding]
    tags += [person_tag(p, show.url) for p in show.hosts]
    if settings.license:
        tags.append(license_tag(settings.license))
    if settings.medium:
        tags.append(tag("medium", settings.medium))
    tags += [location_tag(place) for place in settings.locations]
    tags += [tag("txt", t.value, {"purpose": t.purpose}) for t in settings.txt]
    tags += [trailer_tag(e) for e in show.episodes if e.type == "trailer"]
    if settings.podroll:
        tags.append(tag("podroll", children=tuple(
            tag("remoteItem", attrs={"feedGuid": r.feed_guid, "feedUrl": r.feed_url, "title": r.title,
                                     "medium": r.medium})
            for r in settings.podroll)))
    tags += [tag("block", "yes" if rule.blocked else "no", {"id": rule.service}) for rule in settings.block]
    if frequency := settings.update_frequency:
        tags.append(tag("updateFrequency", frequency.text, {
            "complete": True if frequency.complete else None, "dtstart": frequency.dtstart,
            "rrule": frequency.rrule}))
    if show.image:
        tags.append(image_tag(show.image))
    return tags


def trailer_tag(episode: Episode) -> Tag:
    """A trailer episode, announced in the channel so apps can offer it before subscribing."""
    return tag("trailer", _short(episode.title), {
        "pubdate": email.utils.format_datetime(episode.date),
        "url": episode.enclosure.url,
        "length": episode.enclosure.length,
        "type": episode.enclosure.mime,
        "season": episode.season,
    })


def _short(text: str) -> str:
    """Node values past 128 characters get cut by aggregators: cut at a word, with an ellipsis."""
    if len(text) <= MAX_TEXT:
        return text
    return text[: MAX_TEXT - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-") + "…"


# --- shared -----------------------------------------------------------------------------

def person_tag(person: Person, site_url: str) -> Tag:
    return tag("person", person.name, {"role": person.role, "group": person.group,
                                       "img": person.image_url(site_url), "href": person.href})


def funding_tag(funding: Funding) -> Tag:
    return tag("funding", funding.text or "", {"url": funding.url})


def license_tag(license: License) -> Tag:
    return tag("license", license.name, {"url": license.url})


def location_tag(place: Location) -> Tag:
    return tag("location", place.name, {"rel": place.rel, "geo": place.geo, "osm": place.osm,
                                        "country": place.country})


def social_tag(social: SocialInteract) -> Tag:
    """podcast:socialInteract: where the episode's conversation happens (protocol "disabled": nowhere)."""
    return tag("socialInteract", attrs={"uri": social.uri, "protocol": social.protocol,
                                        "accountId": social.account_id, "accountUrl": social.account_url,
                                        "priority": social.priority})


def image_tag(art: Artwork) -> Tag:
    """podcast:image for artwork castnotes publishes (with its size) or links to."""
    mime = ("image/png" if art.site_path.endswith(".png") else "image/jpeg") if art.site_path else None
    ratio = "1/1" if art.width and art.width == art.height else None
    return tag("image", attrs={"href": art.url, "aspect-ratio": ratio, "width": art.width,
                               "height": art.height, "type": mime})


# --- item -------------------------------------------------------------------------------

def item_tags(show: Show, episode: Episode) -> list[Tag]:
    tags = []
    if episode.season is not None:
        tags.append(tag("season", str(episode.season), {"name": show.settings.show.seasons.get(episode.season)}))
    if episode.number is not None:
        tags.append(tag("episode", str(episode.number)))
    tags += [person_tag(p, show.url) for p in item_people(show.hosts, episode.guests)]
    if episode.chapters_url:
        tags.append(tag("chapters", attrs={"url": episode.chapters_url, "type": JSON_CHAPTERS_TYPE}))
    tags += [tag("transcript", attrs={"url": t.url, "type": t.mime, "language": t.language, "rel": t.rel})
             for t in episode.transcripts]
    tags += [tag("soundbite", bite.title, {"startTime": float(bite.start), "duration": float(bite.duration)})
             for bite in episode.soundbites]
    tags += [funding_tag(f) for f in episode.funding]
    if episode.license:
        tags.append(license_tag(episode.license))
    tags += [location_tag(place) for place in episode.locations]
    tags += [social_tag(social) for social in episode.social]
    if episode.alternates:
        tags.append(alternate_tag(episode.enclosure, default=True))
        tags += [alternate_tag(a) for a in episode.alternates]
    if episode.image:
        tags.append(image_tag(episode.image))
    if psc := psc_chapters_tag(show, episode):
        tags.append(psc)
    return tags


def item_people(hosts: tuple[Person, ...], guests: tuple[Person, ...]) -> tuple[Person, ...]:
    """An item's persons replace the channel's, so an episode with guests repeats the hosts."""
    if not guests:
        return ()
    guest_ids = {g.id for g in guests}
    return tuple(h for h in hosts if h.id not in guest_ids) + guests


def alternate_tag(enclosure: Enclosure, default: bool = False) -> Tag:
    return tag("alternateEnclosure", attrs={
        "type": enclosure.mime, "length": enclosure.length, "bitrate": enclosure.bitrate,
        "title": enclosure.title, "default": True if default else None,
    }, children=(tag("source", attrs={"uri": enclosure.url}),))


def psc_chapters_tag(show: Show, episode: Episode) -> Tag | None:
    """Podlove Simple Chapters: the listed (toc) chapters, starts as HH:MM:SS.mmm."""
    listed = [c for c in episode.chapters if c.toc]
    if not listed:
        return None
    return tag("chapters", attrs={"version": PSC_VERSION}, ns=PSC, children=tuple(
        tag("chapter", attrs={"start": format_npt(c.start), "title": c.title, "href": c.url,
                              "image": chapter_image_url(c.image, show.url)}, ns=PSC)
        for c in listed))
