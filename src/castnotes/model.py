"""The show as plain data: what renderers read, knowing nothing of files or feeds.

Everything here is frozen: once `read.show.load_show` has built a Show, nothing
downstream can change it, so the feed and the pages always agree.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the model imports nothing of castnotes at run time
    from castnotes.errors import Problem

EPISODE_TYPES = ("full", "trailer", "bonus")


@dataclass(frozen=True, slots=True)
class Person:
    """A host or guest. `role`/`group` follow the Podcasting 2.0 person taxonomy (lower case)."""

    name: str
    role: str = "guest"
    group: str = "cast"
    href: str | None = None
    img: str | None = None  # absolute URL of the photo
    id: str | None = None  # short id in the people registry, also the person page slug
    bio: str | None = None
    img_site_path: str | None = None  # where the photo is published inside the site, when local
    img_source: Path | None = None  # the local photo, absolute
    links: tuple[tuple[str, str], ...] = ()  # (label, url): their other channels, e.g. ("YouTube", ...)

    def image_url(self, site_url: str) -> str | None:
        """The photo's absolute URL: published in the site, or the remote one."""
        return site_url + self.img_site_path if self.img_site_path else self.img


@dataclass(frozen=True, slots=True)
class Funding:
    """`podcast:funding`: where listeners can support the show (or an episode's sponsor)."""

    url: str
    text: str | None = None


@dataclass(frozen=True, slots=True)
class SocialInteract:
    """`podcast:socialInteract`: where the conversation about an episode happens.

    `uri` is the thread's root post (absent only for protocol "disabled").
    """

    protocol: str
    uri: str | None = None
    account_id: str | None = None
    account_url: str | None = None
    priority: int | None = None


@dataclass(frozen=True, slots=True)
class License:
    """`podcast:license`: a well-known slug such as CC-BY-4.0, or a custom name with its URL."""

    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Location:
    """`podcast:location`: what place the show or episode is about (or made in, rel=creator)."""

    name: str
    geo: str | None = None  # RFC 5870 geo URI, e.g. geo:39.96,-82.99
    osm: str | None = None  # OpenStreetMap id, e.g. R113314
    rel: str | None = None  # subject (the default) or creator
    country: str | None = None  # ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class Txt:
    """`podcast:txt`: free text for a purpose, e.g. a directory's ownership token."""

    value: str
    purpose: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteItem:
    """One recommended show in `podcast:podroll`."""

    feed_guid: str
    feed_url: str | None = None
    title: str | None = None
    medium: str | None = None


@dataclass(frozen=True, slots=True)
class BlockRule:
    """`podcast:block`: `service` None means every platform."""

    blocked: bool
    service: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateFrequency:
    """`podcast:updateFrequency`: the release schedule as text and an RFC 5545 rule."""

    text: str
    rrule: str | None = None
    complete: bool = False
    dtstart: str | None = None  # ISO 8601


@dataclass(frozen=True, slots=True)
class Chapter:
    """A chapter mark. Times in seconds; `image` is a site path or an absolute URL."""

    start: float
    title: str
    end: float | None = None
    url: str | None = None
    image: str | None = None
    toc: bool = True


@dataclass(frozen=True, slots=True)
class Enclosure:
    """The episode's media file as a feed announces it."""

    url: str  # absolute, with the analytics prefix
    length: int  # exact bytes
    mime: str
    duration: float  # seconds
    bitrate: int | None = None  # bits per second
    source_path: Path | None = None  # local file, absolute; None for remote audio
    site_path: str | None = None  # where it is copied inside the site, e.g. media/x/a.mp3
    title: str | None = None  # a short label for alternate formats ("MP3", "Opus")


@dataclass(frozen=True, slots=True)
class Artwork:
    """An image to publish: a local file copied to `site_path`, or a remote URL."""

    url: str  # absolute URL
    site_path: str | None = None  # inside the site, when castnotes copies it
    source_path: Path | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class TranscriptTurn:
    """A paragraph of a transcript as the page prints it: who speaks, from when."""

    start: float | None  # None for untimed transcripts
    text: str
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    """A transcript published beside the page (site_path/source_path set) or hosted elsewhere.

    A local file is parsed once, when the show is loaded: `turns` (or `html`, for an
    HTML transcript, sanitised) is what the episode page prints.
    """

    url: str  # absolute
    mime: str
    site_path: str | None = None
    source_path: Path | None = None
    language: str | None = None
    rel: str | None = None  # "captions" for timed formats
    turns: tuple[TranscriptTurn, ...] = ()
    html: str | None = None


@dataclass(frozen=True, slots=True)
class Sponsor:
    name: str
    url: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Soundbite:
    start: float
    duration: float
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Episode:
    """One published (or draft, or scheduled) episode, fully resolved."""

    folder: str  # folder name under episodes/
    source_path: Path  # episode.md, absolute
    slug: str
    guid: str
    title: str
    date: datetime  # timezone-aware
    summary: str  # plain text
    summary_is_excerpt: bool  # True when the summary is the notes' first paragraph
    body_html: str  # the takeaways, rendered
    enclosure: Enclosure
    number: int | None = None
    season: int | None = None
    type: str = "full"
    explicit: bool | None = None  # None: same as the show
    image: Artwork | None = None  # None: the show's
    categories: tuple[str, ...] = ()
    guests: tuple[Person, ...] = ()
    sponsors: tuple[Sponsor, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    chapters_url: str | None = None  # podcast:chapters: the published chapters.json, or a remote one
    transcripts: tuple[Transcript, ...] = ()
    soundbites: tuple[Soundbite, ...] = ()
    funding: tuple[Funding, ...] = ()  # front matter `funding:`, then the sponsors with https links
    license: License | None = None
    locations: tuple[Location, ...] = ()
    alternates: tuple[Enclosure, ...] = ()  # the same episode in other formats
    related: tuple[str, ...] = ()  # slugs
    social: tuple[SocialInteract, ...] = ()  # front matter `social:`, else [show] social with {slug} filled in
    draft: bool = False
    scheduled: bool = False  # dated in the future at build time
    guid_permalink: bool = False  # <guid isPermaLink="true">: kept when an old feed said so
    itunes_title: str | None = None  # itunes:title, when apps should show another title than <title>
    copies: tuple[tuple[Path, str], ...] = ()  # extra files to publish: (source, site path)

    @property
    def page_path(self) -> str:
        """The takeaway page's folder inside the site."""
        return f"episodes/{self.slug}/"


@dataclass(frozen=True, slots=True)
class Article:
    """A Markdown file of `pages/`: a page, a post (it has a date) or a collection (it lists episodes).

    `parts` is the body as ("html", chunk) and ("episode", slug) in order: an episode
    embedded with `![Listen](episode:slug)` on a line of its own becomes the player of
    that episode, so the template can render it like everywhere else.
    """

    slug: str
    title: str
    source_path: Path  # the .md file, absolute
    summary: str  # plain text
    parts: tuple[tuple[str, str], ...] = ()
    date: datetime | None = None  # posts have one
    image: Artwork | None = None
    episodes: tuple[str, ...] = ()  # a collection's episode slugs, in the order given
    draft: bool = False
    scheduled: bool = False  # dated in the future at build time
    copies: tuple[tuple[Path, str], ...] = ()

    @property
    def page_path(self) -> str:
        return f"{self.slug}/"

    @property
    def kind(self) -> str:
        """"collection", "post" or "page": what the site lists it as."""
        if self.episodes:
            return "collection"
        return "post" if self.date else "page"

    @property
    def body_html(self) -> str:
        """The body with each embedded player as a link to its episode (for feeds)."""
        return "".join(text if kind == "html" else
                       f'<p><a href="castnotes:/episodes/{text}/">Listen to the episode</a></p>\n'
                       for kind, text in self.parts)


@dataclass(frozen=True, slots=True)
class Show:
    settings: Settings
    episodes: tuple[Episode, ...]  # newest first
    image: Artwork | None = None
    hosts: tuple[Person, ...] = ()
    generator: str = "castnotes"
    problems: tuple = field(default=())  # warnings gathered while loading
    copies: tuple[tuple[Path, str], ...] = ()  # show-level files to publish (people's photos)
    articles: tuple[Article, ...] = ()  # pages/: pages, posts and collections, by slug
    topics: tuple[tuple[str, str], ...] = ()  # (category slug, description HTML), by slug

    @property
    def url(self) -> str:
        return self.settings.show.url

    @property
    def feed_url(self) -> str:
        return self.settings.feed_url


CONFIG_NAME = "castnotes.toml"


@dataclass(frozen=True, slots=True)
class Owner:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class ShowSettings:
    title: str
    description: str
    url: str  # always ends with "/"
    language: str
    author: str | None = None
    owner: Owner | None = None
    image_path: Path | None = None  # absolute
    categories: tuple[tuple[str, str | None], ...] = ()
    explicit: bool = False
    type: str = "episodic"
    copyright: str | None = None
    timezone: str = "UTC"
    keywords: tuple[str, ...] = ()
    # Podcasting 2.0 and the iTunes move/close tags
    guid: str | None = None  # podcast:guid as set; Settings.podcast_guid derives one otherwise
    locked: bool | None = None
    locked_owner: str | None = None  # podcast:locked owner=, when it is not the iTunes owner's email
    funding: tuple[Funding, ...] = ()
    hosts: tuple[Person, ...] = ()
    license: License | None = None
    medium: str | None = None
    locations: tuple[Location, ...] = ()
    txt: tuple[Txt, ...] = ()
    podroll: tuple[RemoteItem, ...] = ()
    block: tuple[BlockRule, ...] = ()
    update_frequency: UpdateFrequency | None = None
    new_feed_url: str | None = None
    complete: bool = False
    seasons: dict[int, str] = field(default_factory=dict)  # season number -> name (podcast:season name)
    subscribe: tuple[tuple[str, str], ...] = ()  # (platform, url) in SUBSCRIBE_PLATFORMS order
    social: SocialInteract | None = None  # a pattern for every episode: {slug}, {number}, {guid} filled in


@dataclass(frozen=True, slots=True)
class MediaSettings:
    base_url: str | None = None  # ends with "/"
    prefix: str | None = None


@dataclass(frozen=True, slots=True)
class SiteSettings:
    output: str = "site"
    per_page: int = 10
    # Hosts whose players notes may embed in an <iframe> (https only); castnotes' default is
    # the privacy-friendly YouTube and Vimeo players (markdown.DEFAULT_EMBED_HOSTS).
    embed_hosts: tuple[str, ...] = ("www.youtube-nocookie.com", "player.vimeo.com")
    raw_html: bool = False  # True: publish the notes' HTML unsanitised (only for trusted notes)
    featured: str | None = None  # the slug of an episode, page or collection shown first on the home page
    reply_email: str | None = None  # "Reply by email" on every episode page
    topics: tuple[tuple[str, str, int | None], ...] = ()  # [site.topics.<name>]: (name, Markdown, line)


@dataclass(frozen=True, slots=True)
class FeedSettings:
    path: str = "feed.xml"
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class PublishSettings:
    """[publish]: where `castnotes publish` puts the site. Never credentials: those come from the
    environment (the AWS chain, SSH keys), so castnotes.toml can be committed."""

    target: str | None = None  # s3://bucket/prefix/, rsync://host/module/path, user@host:/path, a folder
    endpoint_url: str | None = None  # S3-compatible stores (R2, B2, MinIO); None for AWS
    region: str | None = None
    profile: str | None = None  # a named profile in the standard AWS config files
    websub_hubs: tuple[str, ...] = ()  # pinged after a feed changed; advertised with atom:link rel=hub
    podping_url: str | None = None  # e.g. https://podping.cloud/; the token comes from PODPING_TOKEN
    cache_control: tuple[tuple[str, str], ...] = ()  # (kind, header) overrides: feed, html, media, ...
    content_types: tuple[tuple[str, str], ...] = ()  # (".ext", type) overrides


@dataclass(frozen=True, slots=True)
class Settings:
    root: Path  # the show folder, absolute
    show: ShowSettings
    media: MediaSettings = field(default_factory=MediaSettings)
    site: SiteSettings = field(default_factory=SiteSettings)
    feed: FeedSettings = field(default_factory=FeedSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)
    people: Registry = field(default_factory=dict)  # people.toml: id -> Person
    warnings: tuple[Problem, ...] = ()

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def podcast_guid(self) -> str:
        """The show's podcast:guid: as set, else derived from the feed URL (tags/guid.md)."""
        return self.show.guid or derive_podcast_guid(self.feed_url)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.show.timezone)

    @property
    def output_dir(self) -> Path:
        return (self.root / self.site.output).resolve()

    @property
    def feed_url(self) -> str:
        return self.show.url + self.feed.path


# podcast:guid: UUIDv5 of the feed URL without its scheme and trailing slashes (tags/guid.md)
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def derive_podcast_guid(feed_url: str) -> str:
    """The podcast:guid the spec derives from a feed URL (for a show that has not set one)."""
    address = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, address))


Registry = dict[str, Person]
