#!/usr/bin/env python3
"""Write the bad-feed fixtures: good.xml, and one copy per rule id with one thing broken.

`castnotes check` must report good.xml with no finding at all, and each RULE.xml with
that rule id (tests/test_check.py). The PUB-*.xml files are "current" feeds to compare
with good.xml as the published one (`--against`). Pictures the artwork rules need are
drawn by the test itself (see ARTWORK in tests/test_check.py), so no binary lives here.
HTTP-1.xml points at SERVER, which the test replaces with a local server lacking range
support. Run `python tests/data/bad-feeds/make_bad_feeds.py` after changing GOOD.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
GOOD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:psc="http://podlove.org/simple-chapters">
  <channel>
    <title>Good Feed</title>
    <link>https://bad.example/</link>
    <description><![CDATA[<p>A feed that breaks no rule.</p>]]></description>
    <language>en</language>
    <copyright>© 2026 Tess Ter</copyright>
    <atom:link href="https://bad.example/feed.xml" rel="self" type="application/rss+xml"/>
    <lastBuildDate>Mon, 12 Jan 2026 06:00:00 +0000</lastBuildDate>
    <itunes:author>Tess Ter</itunes:author>
    <itunes:owner><itunes:name>Tess Ter</itunes:name><itunes:email>tess@bad.example</itunes:email></itunes:owner>
    <itunes:image href="https://bad.example/artwork.jpg"/>
    <itunes:category text="Society &amp; Culture"><itunes:category text="Relationships"/></itunes:category>
    <itunes:explicit>false</itunes:explicit>
    <itunes:type>episodic</itunes:type>
    <podcast:guid>54a8b5a7-fc58-5adb-a3c1-c45d9932aa13</podcast:guid>
    <item>
      <title>Second wind</title>
      <link>https://bad.example/episodes/second/</link>
      <guid isPermaLink="false">0b6e7c52-0002-4a0e-9e0e-000000000002</guid>
      <pubDate>Mon, 12 Jan 2026 06:00:00 +0000</pubDate>
      <description><![CDATA[<p>Back again.</p>]]></description>
      <enclosure url="https://bad.example/media/second.mp3" length="48000" type="audio/mpeg"/>
      <itunes:duration>3</itunes:duration>
      <itunes:episode>2</itunes:episode>
      <itunes:episodeType>full</itunes:episodeType>
      <itunes:explicit>false</itunes:explicit>
      <podcast:transcript url="https://bad.example/episodes/second/transcript.vtt" type="text/vtt"/>
      <podcast:chapters url="https://bad.example/episodes/second/chapters.json" type="application/json+chapters"/>
      <podcast:person role="guest" href="https://bad.example/ana">Ana Lopez</podcast:person>
      <psc:chapters version="1.2"><psc:chapter start="00:00:00.000" title="Intro"/></psc:chapters>
    </item>
    <item>
      <title>First steps</title>
      <link>https://bad.example/episodes/first/</link>
      <guid isPermaLink="false">0b6e7c52-0001-4a0e-9e0e-000000000001</guid>
      <pubDate>Mon, 05 Jan 2026 06:00:00 +0000</pubDate>
      <description><![CDATA[<p>We begin.</p><ol><li>Start small.</li></ol>]]></description>
      <enclosure url="https://bad.example/media/first.mp3" length="52000" type="audio/mpeg"/>
      <itunes:duration>3</itunes:duration>
      <itunes:episode>1</itunes:episode>
      <itunes:episodeType>full</itunes:episodeType>
    </item>
  </channel>
</rss>
"""
FIRST_ITEM = GOOD[GOOD.index("    <item>\n      <title>Second"):GOOD.index("    <item>\n      <title>First")]
SECOND_ITEM = GOOD[GOOD.index("    <item>\n      <title>First"):GOOD.index("  </channel>")]
ALL_ITEMS = FIRST_ITEM + SECOND_ITEM

# rule id -> (text in GOOD, replacement); each breaks exactly that rule.
MUTATIONS: dict[str, tuple[str, str]] = {
    "XML-1": ("<title>Good Feed</title>", "<title>Good & Bad</title>"),
    "XML-2": ('xmlns:atom="http://www.w3.org/2005/Atom"', 'xmlns:atom="http://www.w3.org/2005/atom/"'),
    "XML-3": ('<itunes:category text="Relationships"/>', '<itunes:category text="relationships"/>'),
    "XML-4": ("<itunes:author>Tess Ter</itunes:author>", "<itunes:author>  Tess Ter\n  </itunes:author>"),
    "XML-5": ("media/first.mp3", "media/first%20episode%C3%A9.mp3"),
    "CH-TITLE": ("<title>Good Feed</title>", "<title> </title>"),
    "CH-DESC": ("<p>A feed that breaks no rule.</p>", "<p>" + "Too long. " * 420 + "</p>"),
    "CH-LINK": ("<link>https://bad.example/</link>", "<link>bad.example</link>"),
    "CH-LANG": ("<language>en</language>", "<language>english</language>"),
    "CH-IMG-1": ('<itunes:image href="https://bad.example/artwork.jpg"/>',
                 "<itunes:image>https://bad.example/artwork.jpg</itunes:image>"),
    "CH-IMG-2": ("https://bad.example/artwork.jpg", "https://bad.example/small-artwork.png"),
    "CH-IMG-3": ("https://bad.example/artwork.jpg", "https://bad.example/heavy-artwork.jpg"),
    "CH-CAT": ('<itunes:category text="Society &amp; Culture"><itunes:category text="Relationships"/></itunes:category>',
               '<itunes:category text="Relationships"/>'),
    "CH-EXPL": ("<itunes:explicit>false</itunes:explicit>\n    <itunes:type>",
                "<itunes:explicit>maybe</itunes:explicit>\n    <itunes:type>"),
    "CH-AUTHOR": ("    <itunes:author>Tess Ter</itunes:author>\n", ""),
    "CH-OWNER": ("<itunes:email>tess@bad.example</itunes:email>", ""),
    "CH-TYPE": ("<itunes:type>episodic</itunes:type>", "<itunes:type>sequential</itunes:type>"),
    "CH-COPY": ("    <copyright>© 2026 Tess Ter</copyright>\n", ""),
    "CH-NEWURL": ("<itunes:type>episodic</itunes:type>",
                  "<itunes:type>episodic</itunes:type>\n    "
                  "<itunes:new-feed-url>https://elsewhere.example/feed.xml</itunes:new-feed-url>"),
    "CH-BLOCK": ("<itunes:type>episodic</itunes:type>",
                 "<itunes:type>episodic</itunes:type>\n    <itunes:block>no</itunes:block>"),
    "CH-COMPLETE": ("<itunes:type>episodic</itunes:type>",
                    "<itunes:type>episodic</itunes:type>\n    <itunes:complete>Yes</itunes:complete>"),
    "CH-SELF": ('    <atom:link href="https://bad.example/feed.xml" rel="self" type="application/rss+xml"/>\n', ""),
    "CH-ITEMS": (ALL_ITEMS, ""),
    "IT-TITLE": ("<title>First steps</title>", "<title></title>"),
    "IT-ENC-1": ('      <enclosure url="https://bad.example/media/first.mp3" length="52000" type="audio/mpeg"/>\n', ""),
    "IT-ENC-2": ("https://bad.example/media/first.mp3", "https://bad.example/media/first"),
    "IT-ENC-3": ('length="52000" type="audio/mpeg"', 'length="52000" type="audio/mp3"'),
    "IT-ENC-4": ('length="52000"', 'length="0"'),
    "IT-ENC-5": ("media/first.mp3", "media/second.mp3"),
    "HTTP-1": ("https://bad.example/media/first.mp3", "SERVER/first.mp3"),
    "HTTP-2": ('href="https://bad.example/feed.xml"', 'href="http://bad.example/feed.xml"'),
    "IT-GUID-1": ("0b6e7c52-0001-4a0e-9e0e-000000000001", "0b6e7c52-0002-4a0e-9e0e-000000000002"),
    "IT-GUID-2": ('<guid isPermaLink="false">0b6e7c52-0001', "<guid>0b6e7c52-0001"),
    "IT-DATE": ("Mon, 05 Jan 2026 06:00:00 +0000", "Sun, 05 Jan 2026 06:00:00 +0000"),
    "IT-DESC": ("<p>We begin.</p>", "<p><strong>We begin.</strong></p>"),
    "IT-DUR": ("<itunes:duration>3</itunes:duration>\n      <itunes:episode>1",
               "<itunes:duration>3.25</itunes:duration>\n      <itunes:episode>1"),
    "IT-EXPL": ("<itunes:explicit>false</itunes:explicit>\n      <podcast:transcript",
                "<itunes:explicit>yes</itunes:explicit>\n      <podcast:transcript"),
    "IT-NUM": ("<itunes:episode>1</itunes:episode>", "<itunes:episode>0</itunes:episode>"),
    "IT-TYPE": ("<itunes:episodeType>full</itunes:episodeType>\n      <itunes:explicit>",
                "<itunes:episodeType>Full</itunes:episodeType>\n      <itunes:explicit>"),
    "IT-IMG": ("<itunes:episode>1</itunes:episode>",
               '<itunes:episode>1</itunes:episode>\n      <itunes:image href="https://bad.example/tiny-cover.png"/>'),
    "IT-LINK": ("      <link>https://bad.example/episodes/first/</link>\n", ""),
    "P20-NS": ('xmlns:podcast="https://podcastindex.org/namespace/1.0"',
               'xmlns:podcast="https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"'),
    "P20-HTTPS": ("https://bad.example/episodes/second/transcript.vtt", "http://bad.example/episodes/second/transcript.vtt"),
    "P20-GUID": ("54a8b5a7-fc58-5adb-a3c1-c45d9932aa13", "0b6e7c52-0001-4a0e-9e0e-000000000001"),
    "P20-LOCKED": ("<podcast:guid>", "<podcast:locked>maybe</podcast:locked>\n    <podcast:guid>"),
    "P20-TRANSCRIPT": ('transcript.vtt" type="text/vtt"', 'transcript.vtt"'),
    "P20-CHAPTERS": ('type="application/json+chapters"', 'type="application/json"'),
    "P20-PERSON": ('role="guest"', 'role="superstar"'),
    "P20-LEN": ("<podcast:guid>", '<podcast:funding url="https://bad.example/support">' + "Support us " * 15
                + "</podcast:funding>\n    <podcast:guid>"),
    "P20-ENUMS": ("<podcast:guid>", "<podcast:medium>radio</podcast:medium>\n    <podcast:guid>"),
    "CHAP-X": ('start="00:00:00.000"', 'start="0:0"'),
    "PAGE": ('rel="self" type="application/rss+xml"/>',
             'rel="self" type="application/rss+xml"/>\n    <atom:link href="https://bad.example/2025.xml" rel="prev-archive"/>'),
    # --against good.xml: what subscribers of good.xml would see change.
    "PUB-REMOVED": (SECOND_ITEM, ""),
    "PUB-GUID": ("0b6e7c52-0001-4a0e-9e0e-000000000001", "3c1f6c0e-7777-4a0e-9e0e-000000000001"),
    "PUB-URL": ("media/first.mp3", "media/first-episode.mp3"),
    "PUB-LENGTH": ('length="52000"', 'length="52100"'),
    "PUB-DATE": ("Mon, 05 Jan 2026 06:00:00 +0000", "Tue, 06 Jan 2026 06:00:00 +0000"),
    "PUB-DUP": (SECOND_ITEM, SECOND_ITEM + SECOND_ITEM.replace("0b6e7c52-0001-4a0e-9e0e-000000000001",
                                                               "3c1f6c0e-7777-4a0e-9e0e-000000000001")),
}


def main() -> None:
    (HERE / "good.xml").write_text(GOOD, encoding="utf-8")
    for rule, (old, new) in MUTATIONS.items():
        assert GOOD.count(old) >= 1, rule
        (HERE / f"{rule}.xml").write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    print(f"wrote good.xml and {len(MUTATIONS)} bad feeds into {HERE}")


if __name__ == "__main__":
    main()
