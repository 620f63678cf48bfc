"""The rules `castnotes check` knows, by id (feed-rules.md §1).

One table, so the id, the default severity and the fix hint of a rule are written
once; the lint modules only say where a rule is broken and how. Severity "error"
means a directory or an app rejects or mishandles the feed, "warning" a
recommendation.
"""

from __future__ import annotations

from dataclasses import dataclass

from castnotes.errors import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    hint: str


_E, _W = "error", "warning"

_TABLE: tuple[tuple[str, Severity, str, str], ...] = (
    ("XML-1", _E, "well-formed XML 1.0 in UTF-8, an <rss version=\"2.0\"> root with one <channel>",
     "save the feed as UTF-8 and fix the XML syntax at the line shown"),
    ("XML-2", _E, "namespace URIs spelled exactly, with the usual prefixes",
     "copy the namespace URI from the spec: xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\""),
    ("XML-3", _W, "case matters in tags and values", "write the value exactly as the list spells it"),
    ("XML-4", _W, "values at most 255 characters, without leading or trailing spaces",
     "shorten the value and remove the spaces around it"),
    ("XML-5", _W, "URLs and file names in plain ASCII letters, digits and - _ . /",
     "rename the file without spaces, accents or other symbols"),
    ("XML-SIZE", _W, "the feed is at most 1 MB: apps and directories time out on larger ones",
     "keep the newest episodes in the feed with [feed] limit = N (older ones stay on the site), or shorten "
     "the notes"),
    ("CH-TITLE", _E, "the show has a title", "give the channel a <title> (castnotes: [show] title)"),
    ("CH-DESC", _E, "the show has a description of at most 4000 bytes",
     "give the channel a <description> under 4000 bytes (castnotes: [show] description)"),
    ("CH-LINK", _E, "the channel <link> is an absolute http(s) URL", "give the channel a <link> to the show's site (castnotes: [show] url)"),
    ("CH-LANG", _E, "<language> is an ISO 639-1 two-letter code", 'use a code such as "en" or "en-us"'),
    ("CH-IMG-1", _E, "<itunes:image href=\"...\"/> in the channel",
     "add <itunes:image href=\"https://.../artwork.jpg\"/> (castnotes: [show] image)"),
    ("CH-IMG-2", _E, "artwork: JPEG or PNG, square, 1400 to 3000 px, RGB",
     "export the artwork as a square RGB JPEG or PNG between 1400x1400 and 3000x3000 pixels"),
    ("CH-IMG-3", _W, "artwork at most 512 KB",
     "save it as a JPEG at quality 85 or so; give a new version a new file name"),
    ("CH-CAT", _E, "at least one Apple category, spelled as on Apple's list",
     'use a category from Apple\'s list (castnotes: [show] categories = ["Society & Culture/Relationships"])'),
    ("CH-EXPL", _E, "<itunes:explicit> true or false in the channel", "add <itunes:explicit>false</itunes:explicit> (castnotes: [show] explicit)"),
    ("CH-AUTHOR", _W, "<itunes:author> names the host or network", "add <itunes:author> (castnotes: [show] author)"),
    ("CH-OWNER", _W, "<itunes:owner> with a name and a working email (Spotify sends its claim code there)",
     'add <itunes:owner> with <itunes:name> and <itunes:email> (castnotes: [show] owner)'),
    ("CH-TYPE", _E, "<itunes:type> episodic or serial; serial shows number every episode",
     "use episodic, or number every full episode (castnotes: `number:` or the folder's digits)"),
    ("CH-COPY", _W, "a <copyright> line", 'add a <copyright> line (castnotes: [show] copyright)'),
    ("CH-NEWURL", _W, "<itunes:new-feed-url> only when moving, as an absolute URL",
     "remove it unless the feed really moved"),
    ("CH-BLOCK", _W, "<itunes:block> only on purpose, and only Yes has an effect", "remove it, or set it to Yes"),
    ("CH-COMPLETE", _W, "<itunes:complete> only on purpose, and only Yes has an effect",
     "remove it, or set it to Yes"),
    ("CH-SELF", _W, "<atom:link rel=\"self\"> with the feed's own URL",
     "add <atom:link rel=\"self\" type=\"application/rss+xml\" href=\"FEED_URL\"/>"),
    ("CH-ITEMS", _E, "at least one episode with an enclosure", "publish at least one episode"),
    ("IT-TITLE", _E, "every episode has a title (without its number or the show's name)",
     "give the episode a title; put numbers in itunes:episode/season"),
    ("IT-ENC-1", _E, "exactly one <enclosure> with url, length and type",
     "give the episode one enclosure with all three attributes"),
    ("IT-ENC-2", _E, "the enclosure URL is absolute http(s) and ends in a media extension Apple takes",
     "link the media file directly: https://.../episode.mp3 (m4a, mp3, mov, mp4, m4v, pdf)"),
    ("IT-ENC-3", _E, "the enclosure type is one Apple takes and matches the file",
     "audio/mpeg for .mp3, audio/x-m4a for .m4a, video/mp4 for .mp4"),
    ("IT-ENC-4", _E, "the enclosure length is the file's exact size in bytes",
     "give the file's size in bytes (never 0 or -1)"),
    ("IT-ENC-5", _E, "every enclosure URL is used by one episode only", "give each episode its own media file"),
    ("HTTP-1", _E, "media and artwork servers answer HEAD and byte-range requests",
     "host the files on a server (or CDN) that supports HEAD and Range requests"),
    ("HTTP-2", _W, "the feed is public, on https, and supports caching (ETag or Last-Modified)",
     "serve the feed over https from a static host that sends ETag or Last-Modified"),
    ("IT-GUID-1", _E, "every episode has a GUID, unique in the feed",
     "give every episode its own GUID, a UUID, and never change it (castnotes: `guid:`)"),
    ("IT-GUID-2", _W, "a GUID that is not a URL says isPermaLink=\"false\"",
     "write <guid isPermaLink=\"false\">; use UUIDs"),
    ("IT-DATE", _E, "dates in RFC 2822 form with the right weekday, e.g. Tue, 02 Jan 2024 03:04:05 +0000",
     "write dates as Tue, 02 Jan 2024 03:04:05 +0000 (castnotes: `date: 2024-01-02 03:04`)"),
    ("IT-DESC", _W, "the episode description is at most 4000 bytes of simple HTML (p, ol, ul, li, a)",
     "shorten the summary; put the full notes in content:encoded"),
    ("IT-DUR", _W, "<itunes:duration> in whole seconds, matching the audio",
     "give the duration in whole seconds"),
    ("IT-EXPL", _W, "episode <itunes:explicit> true or false", "write true or false (castnotes: `explicit:`)"),
    ("IT-NUM", _W, "<itunes:episode> and <itunes:season> positive whole numbers",
     "number episodes and seasons 1, 2, 3 ..."),
    ("IT-TYPE", _E, "<itunes:episodeType> full, trailer or bonus (lower case)", "use full, trailer or bonus"),
    ("IT-IMG", _W, "episode artwork follows the show artwork rules",
     "use a square RGB JPEG or PNG of 1400 to 3000 pixels"),
    ("IT-LINK", _W, "the episode <link> points to its page", "give the episode an absolute http(s) link"),
    ("P20-NS", _W, "the Podcasting 2.0 namespace under its canonical URI",
     "use xmlns:podcast=\"https://podcastindex.org/namespace/1.0\""),
    ("P20-HTTPS", _W, "URLs in podcast:* tags use https", "serve those files over https"),
    ("P20-GUID", _W, "one podcast:guid, a UUIDv5 of the feed URL",
     "add <podcast:guid> with the UUIDv5 of the feed URL, and keep it forever"),
    ("P20-LOCKED", _W, "podcast:locked yes or no, with an owner email",
     "write <podcast:locked>yes</podcast:locked>"),
    ("P20-TRANSCRIPT", _W, "podcast:transcript has url and type", "give each transcript its url and type"),
    ("P20-CHAPTERS", _W, "one podcast:chapters per episode, with url and type application/json+chapters",
     "link one chapters.json with type=\"application/json+chapters\""),
    ("P20-PERSON", _W, "podcast:person has a name of at most 128 characters, and a known role and group",
     "use a role from the Podcasting 2.0 taxonomy (host, guest, ...)"),
    ("P20-LEN", _W, "podcast:* values within their length limits", "shorten the value"),
    ("P20-ENUMS", _W, "podcast:* values from their lists (medium, locked, block, liveItem status, ...)",
     "use a value from the Podcasting 2.0 spec"),
    ("CHAP-X", _W, "chapter marks agree across formats; psc start as HH:MM:SS.mmm",
     "write psc:chapter start=\"00:12:30.000\""),
    ("PAGE", _W, "a paged feed links its pages with RFC 5005 next/first/last",
     "link the next page with <atom:link rel=\"next\" href=\"...\"/>"),
    ("SOURCE", _E, "the show's own files read without problems", "fix the file at the line shown"),
    ("LEDGER", _E, "published episodes keep their GUID, enclosure URL and date (published.jsonl)",
     "undo the change, or build with --allow-change SLUG if you mean it"),
    ("PUB-REMOVED", _E, "every episode of the published feed is still there",
     "restore the episode, or keep its GUID if you renamed it"),
    ("PUB-GUID", _E, "a published episode keeps its GUID", "put the old GUID back in its episode.md"),
    ("PUB-URL", _E, "a published episode keeps its enclosure URL",
     "keep the old file name and address, or redirect the old URL"),
    ("PUB-LENGTH", _W, "a published episode keeps its enclosure length",
     "apps may download it again; re-upload the original file unless you meant to replace it"),
    ("PUB-DATE", _E, "a published episode keeps its pubDate", "put the old date back"),
    ("PUB-DUP", _E, "no episode appears twice", "remove the duplicate, or give each its own GUID and file"),
)

# Directory policy: what Apple, Spotify or another directory refuses or lists less well, although
# every podcast app still reads and plays the feed. `castnotes check` reports these as errors;
# `castnotes build` as warnings (an imported show builds as its old host published it), and
# `build --strict` as errors again. Every other error rule stops a build: the feed would break a
# client or lose data (README, "Build versus check").
POLICY_RULES = frozenset({
    "CH-DESC", "CH-LANG", "CH-IMG-1", "CH-IMG-2", "CH-CAT", "CH-EXPL", "CH-TYPE",
    "IT-ENC-2", "IT-ENC-3", "IT-ENC-4", "IT-ENC-5", "HTTP-1",
})

RULES: dict[str, Rule] = {row[0]: Rule(*row) for row in _TABLE}
