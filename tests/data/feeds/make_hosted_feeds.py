#!/usr/bin/env python3
"""Write hosted-*.xml: invented feeds laid out the way four real hosts write theirs.

They stand in for the captured production feeds of podcast-partytime's test suite
(`real-world/1865.xml`, `changing-the-tide.xml`, `homegrown-hits.xml`, `sentimental-garbage.xml`):
those belong to their publishers, so they are not ours to redistribute. What the tests need from
them is the hosts' shape, kept here with invented text:

- hosted-art19-serial.xml: an ART19 serial show, 24 items, podtrac/chartable enclosure prefixes,
  `gid://` GUIDs, nested categories, `itunes:season`, trailers, HTML in CDATA, `-0000` dates.
- hosted-subsplash.xml: `itunes:order`, `audio/mp3`, redirecting enclosure URLs, durations in
  seconds, hex GUIDs, `&apos;` and `&#xA9;` entities.
- hosted-value4value.xml: Podcasting 2.0 (the old GitHub namespace URI): value blocks with
  recipients and time splits over remote items, people, chapters, images, a live item.
- hosted-acast.xml: an xml-stylesheet instruction before `<rss>`, the acast namespace, a blank
  owner name, HTML with `<hr>` and styles, `itunes:new-feed-url`, GMT dates.

Deterministic: run `python tests/data/feeds/make_hosted_feeds.py` after changing it;
tests/test_import_roundtrip.py checks that the committed files are what this script writes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def token(*parts: object, size: int = 32) -> str:
    """A stable pseudo-random hex string: same parts, same string."""
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:size]


def uuid(*parts: object) -> str:
    h = token(*parts)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def rfc822(n: int, zone: str = "-0000", hour: int = 8) -> str:
    """The n-th weekly date from Monday 7 January 2019."""
    import datetime as dt

    day = dt.date(2019, 1, 7) + dt.timedelta(days=7 * n)
    return f"{DAYS[day.weekday()]}, {day.day:02d} {MONTHS[day.month - 1]} {day.year} {hour:02d}:00:00 {zone}"


def art19_serial() -> str:
    show = "gaslight-almanac"
    items = []
    for n in range(24):
        trailer = n in (0, 23)
        kind = "trailer" if trailer else "full"
        season = 1 + (n - 1) // 10 if not trailer else None
        title = "Introducing The Gaslight Almanac" if n == 0 else (
            "Coming Soon: A New Season" if trailer else f"Chapter {n}: The Lamplighter's Ledger, Part {n}")
        html = (f"<p>Chapter {n}: the dark streets.</p>"
                f"<p><em>Almanac</em> <a href=\"https://example.org/s\" target=\"_blank\">support</a></p>")
        ep = uuid(show, n)
        extra = (f"      <itunes:season>{season}</itunes:season>\n" if season else "") + (
            f"      <itunes:episode>{n}</itunes:episode>\n" if season and n % 2 else "")
        items.append(f"""    <item>
      <title>{title}</title>
      <description><![CDATA[{html}]]></description>
      <itunes:title>{title}</itunes:title>
      <itunes:episodeType>{kind}</itunes:episodeType>
{extra}      <itunes:summary><![CDATA[{html}]]></itunes:summary>
      <content:encoded><![CDATA[{html}<p>Read by an invented cast.</p>]]></content:encoded>
      <guid isPermaLink="false">gid://art19-episode-locator/V0/{token(show, 'guid', n, size=43)}</guid>
      <pubDate>{rfc822(200 - n)}</pubDate>
      <itunes:explicit>no</itunes:explicit>
      <itunes:duration>00:{10 + n % 40:02d}:{n % 60:02d}</itunes:duration>
      <enclosure url="https://dts.podtrac.com/redirect.mp3/chrt.fm/track/9XX9X/pdst.fm/e/rss.art19.example/episodes/{ep}.mp3?rss_browser=BAhJIgtDaHJvbWUGOgZFVA%3D%3D--{token(ep, size=40)}" type="audio/mpeg" length="{15_000_000 + 12_345 * n}"/>
    </item>""")
    body = "\n".join(items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:art19="https://art19.com/xmlns/rss-extensions/1.0"
  xmlns:googleplay="http://www.google.com/schemas/play-podcasts/1.0/" version="2.0">
  <channel>
    <title>The Gaslight Almanac</title>
    <description><![CDATA[<p>An invented serial drama about a city's last lamplighter.</p>]]></description>
    <managingEditor>almanac@studio.example (Lantern Studio / Example Audio)</managingEditor>
    <copyright>© 2019 Example Audio, Inc.</copyright>
    <generator>ART19</generator>
    <atom:link href="https://rss.art19.example/gaslight-almanac" rel="self" type="application/rss+xml"/>
    <link>https://audio.example/shows/gaslight-almanac/</link>
    <itunes:owner>
      <itunes:name>Lantern Studio / Example Audio</itunes:name>
      <itunes:email>almanac@studio.example</itunes:email>
    </itunes:owner>
    <itunes:author>Lantern Studio / Example Audio</itunes:author>
    <itunes:summary><![CDATA[<p>An invented serial drama about a city's last lamplighter.</p>]]></itunes:summary>
    <language>en</language>
    <itunes:explicit>no</itunes:explicit>
    <itunes:category text="Fiction">
      <itunes:category text="Drama"/>
    </itunes:category>
    <itunes:category text="History"/>
    <itunes:category text="Government"/>
    <itunes:keywords>History,gaslight,lamplighters</itunes:keywords>
    <itunes:type>serial</itunes:type>
    <itunes:image href="https://content.production.cdn.art19.example/images/{token(show, 'art', size=64)}.jpeg"/>
    <image>
      <url>https://content.production.cdn.art19.example/images/{token(show, 'art', size=64)}.jpeg</url>
      <link>https://audio.example/shows/gaslight-almanac/</link>
      <title>The Gaslight Almanac</title>
    </image>
{body}
  </channel>
</rss>
"""


def subsplash() -> str:
    items = []
    for n in range(15, 0, -1):
        path = token("tide", n, size=48)
        items.append(f"""    <item>
      <title>0.{n:08d}: Guest {n}, On Tides &amp; Harbours</title>
      <itunes:subtitle></itunes:subtitle>
      <itunes:author>Rowan Example, Guest {n}</itunes:author>
      <itunes:summary>Guest {n} explains why harbours silt up.

It&apos;s a long story.</itunes:summary>
      <description>Guest {n} explains why harbours silt up. It&apos;s a long story.</description>
      <pubDate>{rfc822(100 + n, "+0000", 10)}</pubDate>

      <enclosure url="https://t.subsplash.example/r/{path}.mp3?k=GBM99S&amp;s=3&amp;sapid={token('sapid', n, size=7)}" length="{60_000_000 + 1_000_003 * n}" type="audio/mp3"/>
      <itunes:duration>{3600 + 61 * n}</itunes:duration>
      <itunes:image href="https://images.subsplash.example/base64/{token('tide', 'img', size=40)}.jpg"/>
      <itunes:order>{n}</itunes:order>
      <guid isPermaLink="false">{token('tide', 'guid', n)}</guid>
      <itunes:explicit>no</itunes:explicit>
    </item>""")
    body = "\n".join(items)
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
  xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">
  <channel>
    <atom:link rel="self" href="https://podcasts.subsplash.example/tide/podcast.rss" type="application/rss+xml"/>

    <title>Turning Tides</title>
    <itunes:author>Rowan Example</itunes:author>
    <itunes:owner>
      <itunes:email>rowan@tides.example</itunes:email>
      <itunes:name>Rowan Example</itunes:name>
    </itunes:owner>

    <itunes:summary>Harbours, tides and the people who read them. It&apos;s an invented show.

Hosted by Rowan Example.</itunes:summary>
    <description>Harbours, tides and the people who read them.</description>

    <itunes:image href="https://images.subsplash.example/base64/{token('tide', 'img', size=40)}.jpg"/>
    <itunes:category text="Technology"/>

    <language>en</language>
    <copyright>&#xA9; 2022 Rowan Example</copyright>
    <itunes:explicit>no</itunes:explicit>

{body}
  </channel>
</rss>
"""


def value_block(indent: str, n: int) -> str:
    people = [("Host One", 30), ("hosttwo@wallet.example", 33), ("Host Three", 33), ("App Fee", 4)]
    lines = [f'{indent}<podcast:value type="lightning" method="keysend" suggested="0.00000069420">']
    for name, split in people:
        lines.append(f'{indent}    <podcast:valueRecipient name="{name}" type="node" '
                     f'address="03{token(name, size=64)}" customKey="112111100" '
                     f'customValue="{token(name, n, size=20)}" split="{split}" />')
    for t in range(n):
        lines.append(f'{indent}    <podcast:valueTimeSplit startTime="{60 + 240 * t}" duration="210" remotePercentage="95">')
        lines.append(f'{indent}        <podcast:remoteItem feedGuid="{uuid("band", t)}" itemGuid="{uuid("song", t)}" />')
        lines.append(f'{indent}    </podcast:valueTimeSplit>')
    lines.append(f"{indent}</podcast:value>")
    return "\n".join(lines)


def value4value() -> str:
    base = "https://feed.garden-hits.example/assets"
    person = ('<podcast:person href="https://garden-hits.example" img="https://garden-hits.example/host.png" '
              'group="cast" role="host">Host One</podcast:person>')
    items = []
    for n in range(4, 0, -1):
        items.append(f"""        <item>
            <title>Garden Hits - Episode {n:02d}</title>
            <itunes:image href="{base}/images/episode-{n:02d}.jpg" />
            <enclosure url="{base}/episodes/episode-{n:02d}.mp3"
                length="{50_000_000 + 777 * n}" type="audio/mpeg" />
            {person}
            <podcast:chapters
                url="{base}/chapters/ch-episode-{n:02d}.json"
                type="application/json+chapters" />
            <podcast:images srcset="{base}/images/episode-{n:02d}.jpg" />
            <guid isPermaLink="false">{uuid("garden", n)}</guid>
            <description><![CDATA[<p>Episode {n}: songs grown at home.</p><p><a href="https://garden-hits.example">Site</a></p>]]></description>
            <itunes:subtitle>You host it, we toast it.</itunes:subtitle>
            <pubDate>{rfc822(240 + 2 * n, "-0500", 16)}</pubDate>
            <author>Host One</author>
            <itunes:author>Host One</itunes:author>
            <itunes:keywords>music value4value</itunes:keywords>
{value_block("            ", n)}
        </item>""")
    body = "\n".join(items)
    return f"""<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    xmlns:podcast="https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
    version="2.0">
    <channel>
        <title>Garden Hits</title>
        <description><![CDATA[<p>Independent music, grown at home. An invented show.</p>]]></description>
        <language>en</language>
        <itunes:image href="https://garden-hits.example/art.gif"/>
        <link>https://garden-hits.example</link>
        <image>
            <url>https://garden-hits.example/art.png</url>
            <link>https://garden-hits.example</link>
            <title>Garden Hits</title>
            <description>Garden Hits</description>
            <width>144</width>
            <height>144</height>
        </image>
        <itunes:category text="Music" />
        <podcast:medium>podcast</podcast:medium>
        <podcast:guid>{uuid("garden-hits")}</podcast:guid>
        <podcast:images srcset="https://garden-hits.example/art.gif 500w" />
        {person}
{value_block("        ", 0)}
        <podcast:complete>no</podcast:complete>
        <podcast:block>no</podcast:block>
        <itunes:owner>
            <itunes:email>host@garden-hits.example</itunes:email>
            <itunes:name>Host One</itunes:name>
        </itunes:owner>
        <itunes:explicit>false</itunes:explicit>
        <managingEditor>host@garden-hits.example (Host One)</managingEditor>
        <lastBuildDate>{rfc822(250, "-0500", 16)}</lastBuildDate>
        <podcast:liveItem status="pending" start="2023-10-12T16:20:00-05:00" end="2023-10-12T18:00:00-05:00">
            <title>Garden Hits Live</title>
            <guid isPermaLink="false">{uuid("garden", "live")}</guid>
            <enclosure url="https://stream.garden-hits.example/live" type="audio/mpeg" length="33" />
            <podcast:chat server="irc.garden-hits.example" protocol="irc" accountId="@host" space="#live" />
        </podcast:liveItem>
        <itunes:summary>Independent music, grown at home.</itunes:summary>
{body}
    </channel>
</rss>
"""


def acast() -> str:
    show = uuid("acast-show")
    privacy = ("<br /><hr><p style='color:grey; font-size:0.75em;'> Hosted on Acast. See <a style='color:grey;' "
               "target='_blank' rel='noopener noreferrer' href='https://acast.example/privacy'>acast.example/privacy</a>"
               " for more information.</p>")
    items = []
    for n in range(6, 0, -1):
        eid = token("acast", n, size=24)
        slug = f"the-paperback-{n}"
        html = f"<p>We reread paperback number {n}.&nbsp;No shame.</p>{privacy}"
        items.append(f"""<item>
\t\t\t\t\t\t<title>The Paperback {n} </title>

\t\t\t\t\t\t<itunes:title>The Paperback {n} </itunes:title>

\t\t\t\t\t\t<pubDate>{rfc822(220 + n, "GMT", 8)}</pubDate>

\t\t\t\t\t\t<itunes:duration>1:0{n % 10}:20</itunes:duration>

\t\t\t\t\t<enclosure url="https://sphinx.acast.example/p/acast/s/paperbacks/e/{eid}/media.mp3" length="{150_000_000 + 4_321 * n}" type="audio/mpeg"/>
\t\t\t\t\t<guid isPermaLink="false">{eid}</guid>
\t\t\t\t\t\t<itunes:explicit>yes</itunes:explicit>

\t\t\t\t\t\t<link>https://shows.acast.example/paperbacks/episodes/{slug}</link>

\t\t\t\t\t\t<acast:episodeId>{eid}</acast:episodeId>

\t\t\t\t\t\t<acast:episodeUrl>{slug}</acast:episodeUrl>

\t\t\t\t\t\t<acast:settings><![CDATA[{token('settings', n, size=64)}]]></acast:settings>

\t\t\t\t\t\t<itunes:subtitle><![CDATA[Paperback {n}, reread ]]></itunes:subtitle>

\t\t\t\t\t\t<itunes:episodeType>full</itunes:episodeType>

\t\t\t\t\t\t<itunes:season>{1 + n // 6}</itunes:season>

\t\t\t\t\t\t<itunes:episode>{n}</itunes:episode>

\t\t\t\t\t<itunes:image href="https://assets.acast.example/shows/paperbacks/show-cover.jpg"/>
\t\t\t\t\t\t<description><![CDATA[{html}]]></description>

\t\t\t\t\t\t<itunes:summary><![CDATA[{html}]]></itunes:summary>

</item>""")
    body = "\n".join(items)
    return f"""
<?xml version="1.0" encoding="utf-8"?>
<?xml-stylesheet type="text/xsl" href="/global/feed/rss.xslt" ?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:googleplay="http://www.google.com/schemas/play-podcasts/1.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/" xmlns:acast="https://schema.acast.com/1.0/">
\t\t<channel>
\t\t\t\t<ttl>60</ttl>

\t\t\t\t<generator>acast.com</generator>

\t\t\t\t<title>Paperback Hearts</title>

\t\t\t\t<link>https://social.example/paperbacks</link>

\t\t\t<atom:link href="https://feeds.acast.example/public/shows/{show}" rel="self" type="application/rss+xml"/>
\t\t\t\t<language>en</language>

\t\t\t\t<copyright>Paperback Hearts Ltd</copyright>

\t\t\t\t<itunes:keywords>books, , culture</itunes:keywords>

\t\t\t\t<itunes:author>Paperback Hearts Ltd</itunes:author>

\t\t\t\t<itunes:subtitle><![CDATA[An invented show about the books we love anyway. ]]></itunes:subtitle>

\t\t\t\t<itunes:summary><![CDATA[An invented show about the books we love anyway.&nbsp;{privacy}]]></itunes:summary>

\t\t\t\t<description><![CDATA[An invented show about the books we love anyway.&nbsp;{privacy}]]></description>

\t\t\t\t<itunes:explicit>yes</itunes:explicit>

\t\t\t\t<itunes:owner>
\t\t\t\t\t<itunes:name> </itunes:name>
\t\t\t\t\t<itunes:email>info+{show}@mail.acast.example</itunes:email>
</itunes:owner>

\t\t\t\t<acast:showId>{show}</acast:showId>

\t\t\t\t<acast:showUrl>paperbacks</acast:showUrl>

\t\t\t\t<acast:signature key="EXAMPLE" algorithm="aes-256-cbc"><![CDATA[{token('sig', size=24)}]]></acast:signature>

\t\t\t\t<itunes:type>episodic</itunes:type>

\t\t\t\t<itunes:new-feed-url>https://feeds.acast.example/public/shows/paperbacks</itunes:new-feed-url>

\t\t\t\t<image>
\t\t\t\t\t<url>https://assets.acast.example/shows/paperbacks/show-cover.jpg</url>
\t\t\t\t\t<link>https://social.example/paperbacks</link>
\t\t\t\t\t<title>Paperback Hearts</title>
\t\t\t\t</image>

\t\t\t\t<itunes:image href="https://assets.acast.example/shows/paperbacks/show-cover.jpg"/>

\t\t\t\t<itunes:category text="Arts"><itunes:category text="Books"/></itunes:category>

{body}
\t\t</channel>
</rss>
"""


FEEDS = {
    "hosted-art19-serial.xml": art19_serial,
    "hosted-subsplash.xml": subsplash,
    "hosted-value4value.xml": value4value,
    "hosted-acast.xml": acast,
}


def main() -> None:
    for name, make in FEEDS.items():
        (HERE / name).write_text(make(), encoding="utf-8")


if __name__ == "__main__":
    main()
