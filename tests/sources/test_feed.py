"""The feed reader: real RSS/RDF/Atom samples, hand-written comment feeds, and fuzzing."""

from __future__ import annotations

from datetime import datetime, timezone
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import SourceError
from digest.model import Engagement
from digest.sources import ImportRequest, SourceDocument, feed
from tests.sources.fuzzing import assert_round_trip, mutated_bytes, only_source_errors

FEEDS = "feeds"


def doc_of(path: Path) -> SourceDocument:
    return SourceDocument(str(path), path.read_bytes())


def read_path(path: Path, **kw):
    return feed.read(ImportRequest((doc_of(path),), **kw))


def read_bytes(data: bytes, name: str = "inline.xml"):
    return feed.read(ImportRequest((SourceDocument(name, data),)))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# ---------------------------------------------------------------------------- sniffing

SAMPLE_FEEDS = [
    "atom-customfields.atom", "content-encoded.rss", "encoding-gb2312.xml", "guardian.rss", "heise.atom",
    "incomplete-fields.atom", "latin2.rss", "reddit-atom.rss", "rss-1.rss",
]


@pytest.mark.parametrize("name", SAMPLE_FEEDS)
def test_sniff_recognises_every_real_feed(shared_data, name):
    assert feed.sniff(doc_of(shared_data / FEEDS / name))


def test_sniff_recognises_perceval_rss(shared_data):
    assert feed.sniff(doc_of(shared_data / "perceval-fixtures" / "rss" / "rss_entries.xml"))


def test_sniff_claims_no_other_shared_sample(shared_data):
    feed_files = {shared_data / FEEDS / n for n in SAMPLE_FEEDS} | {shared_data / "perceval-fixtures" / "rss" / "rss_entries.xml"}
    claimed = [
        str(p) for p in sorted(shared_data.rglob("*")) if p.is_file() and p not in feed_files and feed.sniff(doc_of(p))
    ]
    assert claimed == []  # includes unrecognized.rss (an HTML page) and the Stack Exchange Posts.xml


def test_sniff_leaves_wordpress_exports_to_wxr():
    wxr_head = b'<?xml version="1.0"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
    assert not feed.sniff(SourceDocument("export.xml", wxr_head))


def test_sniff_handles_bom_and_utf16():
    atom = '<?xml version="1.0" encoding="utf-16"?>\n<!-- c -->\n<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title></feed>'
    assert feed.sniff(SourceDocument("a", b"\xff\xfe" + atom.encode("utf-16-le")))
    assert feed.sniff(SourceDocument("b", b"\xef\xbb\xbf" + atom.replace("utf-16", "utf-8").encode()))
    assert not feed.sniff(SourceDocument("c", b'<feed xmlns="http://example.com/not-atom"/>'))
    assert not feed.sniff(SourceDocument("d", b"\x00\x01\x02 not xml"))


# ---------------------------------------------------------------------------- real samples

def test_guardian_rss(shared_data):
    thread = read_path(shared_data / FEEDS / "guardian.rss")
    assert thread.title == "The Guardian"
    assert thread.url == "https://www.theguardian.com/us"
    assert len(thread.replies) == 55 and not thread.partial and thread.import_notes == ()
    first, last = thread.replies[0], thread.replies[-1]
    assert first.title == "Trump-Russia investigation: the key questions answered"  # oldest item, sorted first
    assert first.author == "Tom McCarthy and Sam Morris"  # dc:creator
    assert first.posted_at == utc(2017, 12, 8, 12, 0, 2)
    assert first.id == first.permalink == (
        "https://www.theguardian.com/us-news/ng-interactive/2017/dec/08/"
        "donald-trump-russia-investigation-key-questions-latest-news-collusion-timeline"
    )
    assert first.body.startswith("<p>Everything you need to know about the inquiry into Russian hacking")
    assert last.title == "Tottenham Hotspur v Manchester United: Premier League – live!"
    assert last.author == "Scott Murray" and last.posted_at == utc(2018, 1, 31, 20, 13, 54)
    times = [r.posted_at for r in thread.replies]
    assert times == sorted(times)
    assert all(r.parent_id is None for r in thread.replies)
    assert_round_trip(thread)


def test_heise_atom_times_in_utc(shared_data):
    thread = read_path(shared_data / FEEDS / "heise.atom")
    assert thread.title == "heise developer neueste Meldungen" and thread.url == "http://www.heise.de/developer/"
    assert thread.id == "http://www.heise.de/developer/" and thread.author == "heise online"
    assert len(thread.replies) == 15
    wildfly = thread.reply("http://heise.de/-3088438")
    assert wildfly.title == "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei"
    assert wildfly.posted_at == utc(2016, 2, 1, 16, 22)  # published 17:22+01:00 (not updated 17:54)
    assert wildfly is thread.replies[-1]
    assert_round_trip(thread)


def test_latin2_feed(shared_data):
    thread = read_path(shared_data / FEEDS / "latin2.rss")
    assert thread.title == "EXAMPLE.pl"
    (reply,) = thread.replies
    assert reply.title == "ZAŻÓŁĆ GĘSLĄ JAŹŃ"
    assert reply.author == "Adam Gżegżółka"
    assert reply.body == "<p>Szedł sasza suchą szosą</p>"
    assert reply.posted_at == utc(2019, 10, 18, 15, 27, 37)  # +0200
    assert reply.permalink == "http://www.example.pl/news/1"
    assert_round_trip(thread)


def test_gb2312_feed_keeps_zoneless_dates_as_text(shared_data):
    thread = read_path(shared_data / FEEDS / "encoding-gb2312.xml")
    assert thread.title == "新闻国内" and thread.url == "http://news.qq.com/china_index.shtml"
    assert len(thread.replies) == 20
    newest = thread.replies[-1]
    assert newest.title == "习近平为何如此强调崇尚英雄？"
    assert newest.posted_at is None and newest.posted_at_text == "2018-09-18 14:38:10"  # no zone: not guessed
    assert newest.author == "www.qq.com"
    assert thread.replies[0].posted_at_text == "2018-09-17 11:19:42"  # still ordered by the written time
    assert_round_trip(thread)


def test_rss1_rdf_feed(shared_data):
    thread = read_path(shared_data / FEEDS / "rss-1.rss")
    assert thread.title == "Science twis" and len(thread.replies) == 69
    first = thread.replies[0]
    assert first.title == "Neuroplasticity in learning to read"
    assert first.author == "Yeagle, P."
    assert first.posted_at == utc(2017, 5, 25, 17, 24, 10)  # dc:date 10:24:10-07:00


def test_content_encoded_preferred_over_description(shared_data):
    thread = read_path(shared_data / FEEDS / "content-encoded.rss")
    assert len(thread.replies) == 7
    wild = thread.reply("https://medium.com/p/80e0fcbaf18d")  # guid isPermaLink="false"
    assert wild.title == "Wild Flavors All Year Round" and wild.author == "Jeremy Puma"
    assert wild.permalink.startswith("https://medium.com/invironment/wild-flavors-all-year-round-80e0fcbaf18d")
    assert "How to Infuse Oils and Vinegars with Foraged Ingredients" in wild.body
    assert "<img" not in wild.body and "[image]" in wild.body


def test_youtube_atom_views_become_reads(shared_data):
    thread = read_path(shared_data / FEEDS / "atom-customfields.atom")
    assert thread.title == "L2inc" and len(thread.replies) == 15
    video = thread.reply("yt:video:lR-w1h5ONOY")
    assert video.engagement.reads == 61435
    assert video.permalink == "https://www.youtube.com/watch?v=lR-w1h5ONOY"
    assert '<a href="http://amzn.to/2x4ScEM">' in video.body  # plain-text description: URLs linked


def test_perceval_couchbase_rss(shared_data):
    thread = read_path(shared_data / "perceval-fixtures" / "rss" / "rss_entries.xml")
    assert thread.title == "CouchBase Blogs" and len(thread.replies) == 30
    newest = thread.replies[-1]
    assert newest.title == "Connect 2016 Developer Workshop"
    assert newest.author == "Matthew Groves" and newest.posted_at == utc(2016, 12, 6, 17, 17)
    assert 'href="https://github.com/couchbaselabs/workshop/tree/master/connect2016/developer"' in newest.body
    assert newest.id.startswith("p-")  # no guid: derived from the link


def test_incomplete_atom_imports_what_is_there(shared_data):
    thread = read_path(shared_data / FEEDS / "incomplete-fields.atom")
    (reply,) = thread.replies
    assert reply.author == "anonymous" and reply.body == "" and reply.title is None and reply.posted_at is None
    assert_round_trip(thread)


def test_a_web_page_is_not_a_feed(shared_data):
    with pytest.raises(SourceError) as error:
        read_path(shared_data / FEEDS / "unrecognized.rss")
    assert "not an RSS or Atom feed" in error.value.message
    assert error.value.where.endswith("unrecognized.rss line 3") and error.value.fix


# ---------------------------------------------------------------------------- hand-made feeds

ATOM_COMMENTS = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">
  <title type="html">Comments on: Pruning &lt;em&gt;old&lt;/em&gt; apple trees</title>
  <link rel="alternate" type="text/html" href="https://orchard.example.org/2021/pruning/"/>
  <id>https://orchard.example.org/2021/pruning/feed/atom/</id>
  <entry>
    <title>By: Ines</title>
    <link rel="alternate" href="https://orchard.example.org/2021/pruning/#comment-31"/>
    <id>https://orchard.example.org/?p=88#comment-31</id>
    <published>2021-02-03T09:00:00+01:00</published>
    <author><name>Ines</name></author>
    <thr:in-reply-to ref="https://orchard.example.org/?p=88#comment-30" href="https://orchard.example.org/2021/pruning/#comment-30"/>
    <content type="html">&lt;p&gt;@Tom yes, cut above an outward bud.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>By: Tom</title>
    <link rel="alternate" href="https://orchard.example.org/2021/pruning/#comment-30"/>
    <id>https://orchard.example.org/?p=88#comment-30</id>
    <published>2021-02-02T18:30:00Z</published>
    <author><name>Tom</name></author>
    <thr:in-reply-to ref="https://orchard.example.org/?p=88" href="https://orchard.example.org/2021/pruning/"/>
    <summary>short version</summary>
    <content type="html">&lt;p&gt;Should I cut &lt;b&gt;above&lt;/b&gt; the bud?&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>By: Ada</title>
    <link rel="alternate" href="https://orchard.example.org/2021/pruning/#comment-40"/>
    <id>https://orchard.example.org/?p=88#comment-40</id>
    <published>2021-02-04T07:15:00Z</published>
    <author><name>Ada</name></author>
    <thr:in-reply-to ref="https://orchard.example.org/?p=88#comment-12" href="https://orchard.example.org/2021/pruning/#comment-12"/>
    <content type="text">Agree with the earlier point.</content>
  </entry>
</feed>
"""


def test_atom_comment_feed_threads_by_in_reply_to():
    thread = read_bytes(ATOM_COMMENTS)
    assert thread.title == "Comments on: Pruning old apple trees"  # type="html" title as plain text
    assert thread.url == "https://orchard.example.org/2021/pruning/"
    tom, ines, ada = thread.replies  # oldest first; Ines answers Tom
    assert (tom.author, ines.author, ada.author) == ("Tom", "Ines", "Ada")
    assert tom.parent_id is None  # answers the post itself
    assert ines.parent_id == tom.id == "https://orchard.example.org/?p=88#comment-30"
    assert ines.posted_at == utc(2021, 2, 3, 8, 0)
    assert tom.body == "<p>Should I cut <strong>above</strong> the bud?</p>"  # full content, not the summary
    assert ines.mentions[0].name == "Tom"
    assert ada.body == "<p>Agree with the earlier point.</p>"  # type="text" read as plain text
    # Ada answers comment 12, which this feed window does not hold
    assert ada.parent_id is None and thread.partial
    assert any("not in the feed" in note for note in thread.import_notes)
    assert_round_trip(thread)


WORDPRESS_COMMENTS_RSS = """<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
  <title>Comments on: Caf\xe9 review</title>
  <link>https://eats.example.com/cafe-review/</link>
  <item>
    <title>By: Zo\xe9</title>
    <link>https://eats.example.com/cafe-review/#comment-5</link>
    <dc:creator><![CDATA[Zo\xe9]]></dc:creator>
    <pubDate>Tue, 09 Mar 2021 20:01:00 +0000</pubDate>
    <guid isPermaLink="false">https://eats.example.com/?p=3#comment-5</guid>
    <description><![CDATA[Great croissants]]></description>
    <content:encoded><![CDATA[<p>Great croissants.</p>
<p>Coffee was cold.</p>]]></content:encoded>
    <slash:comments>2</slash:comments>
  </item>
  <item>
    <title>By: Sam</title>
    <link>https://eats.example.com/cafe-review/#comment-4</link>
    <dc:creator>Sam</dc:creator>
    <pubDate>Tue, 09 Mar 2021 08:00:00 -0500</pubDate>
    <guid isPermaLink="false">https://eats.example.com/?p=3#comment-4</guid>
    <description>First!</description>
  </item>
</channel>
</rss>
""".encode("latin-1")


def test_wordpress_rss2_comment_feed_in_latin1():
    thread = read_bytes(WORDPRESS_COMMENTS_RSS)
    assert thread.title == "Comments on: Café review"
    sam, zoe = thread.replies  # the feed lists newest first
    assert sam.posted_at == utc(2021, 3, 9, 13, 0) and zoe.posted_at == utc(2021, 3, 9, 20, 1)
    assert zoe.author == "Zoé" and zoe.id == "https://eats.example.com/?p=3#comment-5"
    assert zoe.permalink == "https://eats.example.com/cafe-review/#comment-5"
    assert zoe.body == "<p>Great croissants.</p><p>Coffee was cold.</p>"
    assert zoe.engagement.replies == 2 and sam.engagement.items() == {}
    assert thread.import_notes == () and not thread.partial


def test_malformed_feed_imports_with_a_note():
    broken = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Broken &nbsp; feed</title>
    <link>https://x.example/</link>
    <item><title>one</title><guid>a1</guid><description>ok</description><pubDate>Mon, 01 Feb 2021 10:00:00 GMT</pubDate></item>
    <item><title>two</title><guid>a2</guid><description>unclosed <b>bold</description><pubDate>Mon, 01 Feb 2021 11:00:00 GMT</pubDate></item>
    </channel></rss>"""
    thread = read_bytes(broken)
    assert [r.title for r in thread.replies] == ["one", "two"]
    assert thread.import_notes and thread.import_notes[0].startswith("the feed has errors (undefined entity")


def test_a_link_with_a_bracket_in_its_address_survives_the_round_trip():
    """The sanitizer writes ">" in an href as "&gt;", which the canonical form took for HTML
    outside the body subset: reading the saved thread back added a note."""
    data = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Shears</title><link>https://forum.example.org/t/42</link>
    <item><title>Re: shears</title><link>https://forum.example.org/t/42#2</link><guid>c2</guid>
    <description>&lt;p&gt;These: &lt;a href="https://shop.example.com/shears&gt;x"&gt;shears&lt;/a&gt;&lt;/p&gt;</description></item>
    </channel></rss>"""
    thread = read_bytes(data)
    assert thread.replies[0].body == '<p>These: <a href="https://shop.example.com/shears&gt;x">shears</a></p>'
    assert_round_trip(thread)


def test_undated_entries_keep_document_order_and_duplicates_are_dropped():
    data = b"""<rss version="2.0"><channel><title>T</title>
    <item><guid isPermaLink="false">x1</guid><title>first</title><description>1</description></item>
    <item><guid isPermaLink="false">x2</guid><title>second</title><description>2</description></item>
    <item><guid isPermaLink="false">x1</guid><title>first again</title><description>1</description></item>
    </channel></rss>"""
    thread = read_bytes(data)
    assert [r.title for r in thread.replies] == ["first", "second"]
    assert thread.import_notes == ("1 repeated entries (same id) skipped",)


def test_reply_loop_does_not_lose_entries():
    data = b"""<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">
    <title>loop</title>
    <entry><id>a</id><title>A</title><updated>2020-01-01T00:00:00Z</updated><thr:in-reply-to ref="b"/></entry>
    <entry><id>b</id><title>B</title><updated>2020-01-02T00:00:00Z</updated><thr:in-reply-to ref="a"/></entry>
    </feed>"""
    thread = read_bytes(data)
    assert sorted(r.id for r in thread.replies) == ["a", "b"]
    assert any("loop" in note for note in thread.import_notes)


def test_several_documents_are_refused():
    docs = (SourceDocument("a.xml", ATOM_COMMENTS), SourceDocument("b.xml", ATOM_COMMENTS))
    with pytest.raises(SourceError):
        feed.read(ImportRequest(docs))


# ---------------------------------------------------------------------------- fuzzing

SEEDS = [ATOM_COMMENTS, WORDPRESS_COMMENTS_RSS, b'<rss version="2.0"><channel><title>t</title><item><title>i</title></item></channel></rss>']


def mutated(seeds=SEEDS):
    """Broken feeds: CDATA ends, comment starts, NUL bytes and references."""
    return mutated_bytes(seeds, [b"<", b"&", b"]]>", b"<!--", b"\x00", b"&#0;"], max_delete=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=600), mutated()))
def test_only_source_errors_escape(data):
    only_source_errors(feed, [SourceDocument("fuzz.xml", data)])


# ---------------------------------------------------------------------------- WordPress, Blogger, cut-off files

def wordpress_item(number: int, creator: str, content: str, day: int) -> str:
    return f"""<item><title>By: someone</title>
    <link>https://veg.example.net/leeks/#comment-{number}</link>
    <dc:creator><![CDATA[{creator}]]></dc:creator>
    <pubDate>Mon, {day:02d} Mar 2021 10:00:00 +0000</pubDate>
    <guid isPermaLink="false">https://veg.example.net/?p=7#comment-{number}</guid>
    <content:encoded><![CDATA[{content}]]></content:encoded></item>"""


def wordpress_feed(*items: str, end: str = "</channel></rss>") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Comments on: Leeks</title>'
        "<link>https://veg.example.net/leeks/</link>" + "".join(items) + end
    ).encode()


ESCAPED_NAMES = [
    wordpress_item(1, "Se&#225;n O&#039;Brien &amp; Co", "<p>one</p>", 1),
    wordpress_item(2, "Links &#8211; Episode 9 &#124; LNL", "<p>two</p>", 2),
    wordpress_item(3, "Tom &amp;amp; Jerry", "<p>three</p>", 3),  # the name really holds "&amp;"
]


def test_author_names_are_html_unescaped_once():
    thread = read_bytes(wordpress_feed(*ESCAPED_NAMES))
    assert [r.author for r in thread.replies] == ["Seán O'Brien & Co", "Links – Episode 9 | LNL", "Tom &amp; Jerry"]


def test_author_names_read_by_the_loose_parser_are_not_left_escaped():
    # a stray "&" breaks strict XML; feedparser's fallback parser escapes names once more
    broken = wordpress_item(4, "Ann", "<p>four</p>", 4).replace("<title>By: someone", "<title>By: A & B")
    thread = read_bytes(wordpress_feed(*ESCAPED_NAMES, broken))
    assert thread.import_notes[0].startswith("the feed has errors")
    assert [r.author for r in thread.replies] == ["Seán O'Brien & Co", "Links – Episode 9 | LNL", "Tom &amp; Jerry", "Ann"]


def test_wordpress_in_reply_to_sentence_gives_the_parent():
    thread = read_bytes(wordpress_feed(
        wordpress_item(12, "Bo", '<p>In reply to <a href="https://veg.example.net/leeks/#comment-10">Ann</a>.</p>\n<p>Water more.</p>', 3),
        wordpress_item(11, "Cy", '<p>Als Antwort auf <a href="https://veg.example.net/leeks/#comment-10">Ann</a>.</p>\n<p>Gut.</p>', 2),
        wordpress_item(13, "Di", '<p>In reply to <a href="https://veg.example.net/leeks/#comment-4">Eve</a>.</p>\n<p>Old one.</p>', 4),
        wordpress_item(10, "Ann", '<p>As <a href="https://veg.example.net/leeks/#comment-9">Eve said</a> earlier, leeks like water.</p>', 1),
    ))
    ann, cy, bo, di = thread.replies
    assert (bo.parent_id, cy.parent_id) == (ann.id, ann.id)  # English and translated sentence
    assert bo.body == "<p>Water more.</p>" and cy.body == "<p>Gut.</p>"  # the sentence is dropped once threaded
    assert ann.parent_id is None  # a link inside a longer opening is not a reply line
    # comment 4 is not in the feed: no parent, the sentence stays as the only trace of it
    assert di.parent_id is None and di.body.startswith("<p>In reply to") and thread.partial
    assert "1 entry answers entries that are not in the feed" in thread.import_notes


def test_wordpress_pingbacks_in_a_comments_feed_are_skipped():
    """A comments feed gives no comment type; WordPress writes a pingback as "[…] excerpt […]"."""
    thread = read_bytes(wordpress_feed(
        wordpress_item(14, "Beginners guide v3 &#8212; whizzy.org", "<p>[&#8230;] I first published my HowTo [&#8230;]</p>", 4),
        wordpress_item(13, "Monetizing my feeds", "<p>[...] a few hundred hits a month [...]</p>", 3),
        wordpress_item(12, "Bo", "<p>[&#8230;] is how the post ends; I disagree.</p>", 2),
    ))
    assert [r.author for r in thread.replies] == ["Bo"]
    assert 'pingback(s) skipped: excerpts of other pages that link here ("[…] text […]"), not comments' in thread.import_notes[-1]
    assert thread.import_notes[-1].startswith("2 pingback(s)")


BLOGGER_NEWEST_FIRST = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/'
  xmlns:thr='http://purl.org/syndication/thread/1.0'>
<id>tag:blogger.com,1999:blog-5.post-8.comments</id><title>Comments on Veg: Leeks</title>
<link rel='alternate' href='https://veg.blogspot.com/leeks.html'/>
<openSearch:totalResults>%(total)s</openSearch:totalResults>
<entry><id>tag:blogger.com,1999:blog-5.post-3</id><published>2020-05-03T10:00:00Z</published><content type='html'>Me too</content>
  <link rel='self' href='https://www.blogger.com/feeds/5/8/comments/default/3'/>
  <link rel='alternate' href='https://veg.blogspot.com/leeks.html?showComment=3#c3'/>
  <link rel='related' href='https://www.blogger.com/feeds/5/8/comments/default/1'/>
  <author><name>Bob</name></author><thr:in-reply-to ref='tag:blogger.com,1999:blog-5.post-8' href='https://veg.blogspot.com/leeks.html'/></entry>
<entry><id>tag:blogger.com,1999:blog-5.post-2</id><published>2020-05-02T10:00:00Z</published><content type='html'>Thanks</content>
  <link rel='self' href='https://www.blogger.com/feeds/5/8/comments/default/2'/>
  <link rel='alternate' href='https://veg.blogspot.com/leeks.html?showComment=2#c2'/>
  <link rel='related' href='https://www.blogger.com/feeds/5/8/comments/default/1'/>
  <author><name>Gardener</name></author><thr:in-reply-to ref='tag:blogger.com,1999:blog-5.post-8' href='https://veg.blogspot.com/leeks.html'/></entry>
<entry><id>tag:blogger.com,1999:blog-5.post-1</id><published>2020-05-01T10:00:00Z</published><content type='html'>Mine bolted</content>
  <link rel='self' href='https://www.blogger.com/feeds/5/8/comments/default/1'/>
  <link rel='alternate' href='https://veg.blogspot.com/leeks.html?showComment=1#c1'/>
  <author><name>Ann</name></author><thr:in-reply-to ref='tag:blogger.com,1999:blog-5.post-8' href='https://veg.blogspot.com/leeks.html'/></entry>
</feed>"""


def test_blogger_related_link_is_the_parent_never_the_entrys_address():
    thread = read_bytes(BLOGGER_NEWEST_FIRST % {b"total": b"3"})
    ann, gardener, bob = thread.replies
    assert (ann.author, gardener.author, bob.author) == ("Ann", "Gardener", "Bob")
    assert ann.parent_id is None
    assert gardener.parent_id == bob.parent_id == "tag:blogger.com,1999:blog-5.post-1"  # neither answers a sibling
    assert thread.total_replies == 3 and not thread.partial and thread.import_notes == ()


def test_opensearch_total_beyond_the_file_makes_it_partial():
    thread = read_bytes(BLOGGER_NEWEST_FIRST % {b"total": b"57"})
    assert len(thread.replies) == 3 and thread.total_replies == 57 and thread.partial
    assert thread.import_notes == ("the feed says it has 57 entries; this file holds 3 of them (one page of a paged feed)",)


def test_cut_off_feed_is_partial_and_leaves_out_the_torn_entry():
    complete = wordpress_feed(
        wordpress_item(2, "Ann", "<p>two</p>", 2),
        wordpress_item(1, "Bob", "<p>one</p>", 1),
    )
    torn = complete[: complete.index(b"<pubDate>Mon, 01")]  # inside Bob's entry
    thread = read_bytes(torn)
    assert [r.author for r in thread.replies] == ["Ann"] and thread.partial
    assert "1 incomplete entry not imported" in thread.import_notes[1]
    between = complete[: complete.rindex(b"</item>") + len(b"</item>")]  # after a whole entry
    thread = read_bytes(between)
    assert [r.author for r in thread.replies] == ["Bob", "Ann"] and thread.partial
    assert thread.import_notes[1] == "the file is cut off; entries after the cut are missing"
    assert not read_bytes(complete).partial


def test_a_file_cut_off_inside_a_character_is_still_read_as_utf8():
    complete = wordpress_feed(wordpress_item(1, "Łukasz", "<p>Dzięki — świetny</p>", 1), wordpress_item(2, "Zoë", "<p>Olá, ótimo</p>", 2))
    torn = complete[: complete.rindex("ó".encode()) + 1]  # the first of the two bytes of "ó"
    thread = read_bytes(torn)
    assert [(r.author, r.body) for r in thread.replies] == [("Łukasz", "<p>Dzięki — świetny</p>")] and thread.partial


def test_wordpress_2_comment_title_names_the_author():
    def item(title: str) -> str:
        return f"<item><title>{title}</title><guid>https://old.example.org/?p=1#comment-{len(title)}</guid><description>hi</description></item>"

    data = (
        '<rss version="2.0"><channel><title>Comments for Old</title>'
        + item("Comment on Stand by Me by Scott")
        + item("Comment on Leeks by O&#039;Brien &amp; Co")  # as WordPress writes it: escaped once
        + item("Review of Leeks by Ann")
        + item("Comment on Leeks by Ann").replace("#comment-", "#post-")  # not a comment's address
        + "</channel></rss>"
    ).encode()
    assert [r.author for r in read_bytes(data).replies] == ["Scott", "O'Brien & Co", "anonymous", "anonymous"]


# ---------------------------------------------------------------------------- site-wide comments, topics, ranks

def sitewide_comments(*comments: tuple[str, str, int]) -> bytes:
    """A WordPress "Comments for SITE" feed: (post slug, commenter, comment number)."""
    items = "".join(
        f"<item><title>Comment on Leeks {slug.upper()} by {name}</title><link>https://veg.example.net/{slug}/#comment-{n}</link>"
        f"<pubDate>Mon, 0{n} Feb 2021 10:00:00 +0000</pubDate><guid>https://veg.example.net/?p=1#comment-{n}</guid>"
        f"<description>Comment {n}</description></item>"
        for slug, name, n in comments
    )
    return f'<rss version="2.0"><channel><title>Comments for Veg</title><link>https://veg.example.net</link>{items}</channel></rss>'.encode()


def test_sitewide_comments_feed_lists_its_posts_and_imports_the_one_chosen():
    data = sitewide_comments(("a", "Ann", 3), ("b", "Bob", 2), ("a", "Cy", 1))
    with pytest.raises(SourceError) as error:
        read_bytes(data)
    assert error.value.message == (
        "the feed holds comments on 2 posts:\n"
        '  "Leeks A" https://veg.example.net/a/ (2 comments)\n'
        '  "Leeks B" https://veg.example.net/b/ (1 comment)'
    )
    assert "--thread" in error.value.fix
    request = ImportRequest((SourceDocument("c.rss", data),), thread="https://veg.example.net/a")
    thread = feed.read(request)
    assert (thread.title, thread.url, thread.id) == ("Leeks A", "https://veg.example.net/a/", "https://veg.example.net/a/")
    assert [r.author for r in thread.replies] == ["Cy", "Ann"]
    assert "left out 1 on the other post(s)" in thread.import_notes[0]
    by_title = feed.read(ImportRequest((SourceDocument("c.rss", data),), thread="leeks b"))
    assert [r.author for r in by_title.replies] == ["Bob"]
    with pytest.raises(SourceError, match="matches 2 posts"):
        feed.read(ImportRequest((SourceDocument("c.rss", data),), thread="leeks"))


def test_thread_that_does_not_name_a_one_thread_feed_is_refused():
    request = ImportRequest((SourceDocument("w.rss", WORDPRESS_COMMENTS_RSS),), thread="https://elsewhere.example/")
    with pytest.raises(SourceError, match="does not match this feed's only thread"):
        feed.read(request)
    named = feed.read(ImportRequest((SourceDocument("w.rss", WORDPRESS_COMMENTS_RSS),), thread="café"))
    assert len(named.replies) == 2  # a part of the title names it


STACK_EXCHANGE_QUESTION = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:re="http://purl.org/atompub/rank/1.0">
<title type="text">Why do leeks bolt? - Gardening</title>
<link rel="alternate" href="https://garden.example.com/q/7" /><id>https://garden.example.com/feeds/question/7</id>
<entry><id>https://garden.example.com/q/7</id><re:rank scheme="https://garden.example.com">4</re:rank>
<title type="text">Why do leeks bolt?</title><author><name>Ann</name></author>
<link rel="alternate" href="https://garden.example.com/questions/7/why" /><published>2020-01-01T10:00:00Z</published>
<summary type="html">&lt;p&gt;Mine flower.&lt;/p&gt;</summary></entry>
<entry><id>https://garden.example.com/a/9</id><re:rank scheme="https://garden.example.com">-2</re:rank>
<title type="text">Answer by Bob for Why do leeks bolt?</title><author><name>Bob</name></author>
<link rel="alternate" href="https://garden.example.com/questions/7/why/9#9" /><published>2020-01-02T10:00:00Z</published>
<summary type="html">&lt;p&gt;Heat.&lt;/p&gt;</summary></entry>
<entry><id>https://garden.example.com/a/10</id><re:rank scheme="https://ranking.example.org/popularity">1</re:rank>
<title type="text">Answer by Cy for Why do leeks bolt?</title><author><name>Cy</name></author>
<link rel="alternate" href="https://garden.example.com/questions/7/why/10#10" /><published>2020-01-03T10:00:00Z</published>
<summary type="html">&lt;p&gt;Drought.&lt;/p&gt;</summary></entry>
</feed>"""


def test_stack_exchange_rank_is_the_score_and_the_question_opens_the_thread():
    thread = read_bytes(STACK_EXCHANGE_QUESTION)
    question = thread.opening_post
    assert question is not None and question.author == "Ann" and question.engagement.score == 4
    assert thread.author == "Ann"
    bob, cy = thread.replies
    assert bob.engagement.score == -2
    assert cy.engagement.score is None  # a rank in another site's ranking domain is not this site's score
    assert thread.import_notes == () and not thread.partial


def discourse_topic(*numbers: int) -> bytes:
    items = "".join(
        f"<item><title>Leek seeds</title><dc:creator>user{n}</dc:creator><description><![CDATA[<p>post {n}</p>]]></description>"
        f"<link>https://forum.example.org/t/leek-seeds/42/{n}</link><pubDate>Sun, 0{n} Mar 2026 10:00:00 +0000</pubDate></item>"
        for n in numbers
    )
    return (
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Leek seeds</title>'
        f"<link>https://forum.example.org/t/leek-seeds/42</link>{items}</channel></rss>"
    ).encode()


def test_discourse_topic_feed_numbers_posts_and_is_partial_when_earlier_ones_are_missing():
    latest = read_bytes(discourse_topic(5, 4))
    assert [(r.number, r.title) for r in latest.replies] == [(4, None), (5, None)]  # the repeated topic title is dropped
    assert latest.partial and latest.opening_post is None
    assert latest.import_notes == (
        "the topic feed holds 2 of its posts numbered up to #5; the other 3 are not in it "
        "(a topic feed lists only the latest posts, and deleted posts leave gaps)",
    )
    whole = read_bytes(discourse_topic(3, 2, 1))
    assert not whole.partial and whole.import_notes == ()
    assert whole.opening_post.number == 1 and [r.number for r in whole.replies] == [2, 3]


# ---------------------------------------------------------------------------- zones, encodings, links, escaping, authors

def one_item_rss(item: str, declaration: str = '<?xml version="1.0" encoding="UTF-8"?>', channel_extra: str = "") -> str:
    return (
        f'{declaration}<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Comments on: Post</title>'
        f"<link>https://blog.example.jp/post/</link>{channel_extra}{item}</channel></rss>"
    )


def dated_item(number: int, date: str) -> str:
    return f"<item><title>By: u{number}</title><link>https://blog.example.jp/post/#comment-{number}</link><pubDate>{date}</pubDate><description>hi</description></item>"


def test_zone_names_feedparser_does_not_apply_are_never_taken_as_utc():
    thread = read_bytes(one_item_rss(
        dated_item(1, "Mon, 12 Feb 2024 15:44:00 XYZ") + dated_item(2, "Mon, 12 Feb 2024 08:00:00 EST")
        + dated_item(3, "Mon, 12 Feb 2024 09:00:00 UTC") + dated_item(4, "Mon, 12 Feb 2024 09:30:00 +0900")
    ).encode())
    by_id = {r.permalink[-1]: r for r in thread.replies}
    assert by_id["1"].posted_at is None and by_id["1"].posted_at_text == "Mon, 12 Feb 2024 15:44:00 XYZ"
    assert by_id["2"].posted_at == utc(2024, 2, 12, 13, 0)  # a name feedparser applies
    assert by_id["3"].posted_at == utc(2024, 2, 12, 9, 0)
    assert by_id["4"].posted_at == utc(2024, 2, 12, 0, 30)
    assert "1 entry has a time in a zone that is unknown or ambiguous (XYZ); kept as written, not taken as UTC" in thread.import_notes


def test_jst_uses_the_shared_zone_table_or_stays_text():
    (reply,) = read_bytes(one_item_rss(dated_item(1, "Mon, 12 Feb 2024 15:44:00 JST")).encode()).replies
    zone_offset = getattr(feed.common, "zone_offset", None)
    if zone_offset and zone_offset("JST") is not None:
        assert reply.posted_at == utc(2024, 2, 12, 6, 44) and reply.posted_at_text is None
        assert read_bytes(one_item_rss(dated_item(1, "Mon, 12 Feb 2024 15:44:00 JST")).encode()).import_notes == (
            "times with a zone abbreviation were read by the table of abbreviations: JST as UTC+09:00",
        )
    else:
        assert reply.posted_at is None and reply.posted_at_text == "Mon, 12 Feb 2024 15:44:00 JST"


def test_dates_with_month_and_day_names_of_another_language_are_read_when_they_carry_an_offset():
    thread = read_bytes(one_item_rss(
        dated_item(1, "Seg, 24 Set 2018 19:42:40 -0300") + dated_item(2, "Mi, 04 Jun 2008 14:03:00 +0200")
        + dated_item(3, "jeu., 05 févr. 2009 10:00:00 GMT") + dated_item(4, "Вт, 03 мая 2022 08:00:00 +0300")
        + dated_item(5, "Seg, 24 Set 2018 19:42:40") + dated_item(6, "someday soon")
    ).encode())
    by_id = {r.permalink[-1]: r for r in thread.replies}
    assert by_id["1"].posted_at == utc(2018, 9, 24, 22, 42, 40) and by_id["1"].posted_at_text is None
    assert by_id["2"].posted_at == utc(2008, 6, 4, 12, 3)
    assert by_id["3"].posted_at == utc(2009, 2, 5, 10, 0)
    assert by_id["4"].posted_at == utc(2022, 5, 3, 5, 0)
    assert by_id["5"].posted_at is None and by_id["5"].posted_at_text == "Seg, 24 Set 2018 19:42:40"  # no zone: never a guess
    assert by_id["6"].posted_at is None and by_id["6"].posted_at_text == "someday soon"
    assert thread.import_notes == (
        "1 entry has a time without a zone (such as 'Seg, 24 Set 2018 19:42:40'); kept as written, not taken as UTC",
        "4 entries have their dates written with day or month names of another language; read through a table of month names",
        "1 entry has a date in a form that could not be read (such as 'someday soon'); kept as written, in feed order",
    )


def test_javascript_dates_and_zone_comments_keep_their_offset():
    thread = read_bytes(one_item_rss(
        dated_item(1, "Mon Jan 01 2024 10:00:00 GMT+0100 (Central European Standard Time)")
        + dated_item(2, "Mon, 01 Jan 2024 10:00:00 +0000 (UTC)") + dated_item(3, "Cmt, 07 Ağu 2024 10:00:00 +0300")
    ).encode())
    by_id = {r.permalink[-1]: r for r in thread.replies}
    assert [by_id[n].posted_at for n in "123"] == [utc(2024, 1, 1, 9, 0), utc(2024, 1, 1, 10, 0), utc(2024, 8, 7, 7, 0)]
    assert thread.import_notes == (
        "1 entry has its date written with day or month names of another language; read through a table of month names",)


def test_a_feed_whose_every_date_is_unreadable_says_so():
    thread = read_bytes(one_item_rss(dated_item(1, "heute") + dated_item(2, "gestern")).encode())
    assert [r.posted_at_text for r in thread.replies] == ["heute", "gestern"]
    assert thread.import_notes == ("2 entries have dates in a form that could not be read (such as 'heute'); kept as written, in feed order",)


def test_utf8_bytes_under_a_single_byte_declaration_are_read_as_utf8():
    item = "<item><title>By: Zoë</title><link>https://blog.example.jp/post/#comment-1</link><description>Café – naïve</description></item>"
    for declared in ("windows-1252", "windows-1251", "ISO-8859-15"):
        thread = read_bytes(one_item_rss(item, f'<?xml version="1.0" encoding="{declared}"?>').encode("utf-8"))
        assert thread.replies[0].body == "<p>Café – naïve</p>" and thread.replies[0].title == "By: Zoë"
        assert thread.import_notes == (
            f"the feed declares the encoding {declared}, but its text is UTF-8 (which {declared} text almost never is); read as UTF-8",
        )
    real = read_bytes(one_item_rss(item, '<?xml version="1.0" encoding="windows-1252"?>').encode("cp1252"))
    assert real.replies[0].body == "<p>Café – naïve</p>" and real.import_notes == ()  # really windows-1252: as declared


def test_utf8_bytes_under_a_utf16_declaration_are_read_as_utf8():
    """feedparser stops at a UTF-16 declaration written in single bytes ("invalid token")."""
    item = "<item><title>By: Zoë</title><link>https://blog.example.jp/post/#comment-1</link><description>Café – naïve</description></item>"
    for declared in ("UTF-16", "utf-16be", "UTF-32"):
        thread = read_bytes(one_item_rss(item, f'<?xml version="1.0" encoding="{declared}"?>').encode("utf-8"))
        assert thread.replies[0].body == "<p>Café – naïve</p>" and thread.replies[0].title == "By: Zoë"
        assert thread.import_notes == (f"the feed declares the encoding {declared}, but is written one byte a character, as {declared} never is; read as UTF-8",)
    real = read_bytes(one_item_rss(item, '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16"))
    assert real.replies[0].body == "<p>Café – naïve</p>" and real.import_notes == ()  # really UTF-16: as declared


def test_latin1_declared_windows_1252_keeps_its_quotes_and_a_closing_ellipsis():
    item = "<item><title>Von: Jürgen</title><link>https://blog.example.jp/post/#comment-1</link><description>„Schön“ – 5 € …</description></item>"
    thread = read_bytes(one_item_rss(item, '<?xml version="1.0" encoding="ISO-8859-1"?>').encode("cp1252"))
    assert thread.replies[0].body == "<p>„Schön“ – 5 € …</p>"  # 0x85 read as ISO-8859-1 is a line break, and was lost
    assert thread.import_notes == ("the feed declares the encoding ISO-8859-1, but uses characters only windows-1252 has "
                                   "(curly quotes, dashes, the euro sign); read as windows-1252",)


def test_shift_jis_read_as_its_windows_form_is_no_error():
    item = "<item><title>Re: 猫</title><link>https://blog.example.jp/post/#comment-1</link><description>かわいい①</description></item>"
    thread = read_bytes(one_item_rss(item, '<?xml version="1.0" encoding="Shift_JIS"?>').encode("cp932"))
    assert thread.replies[0].body == "<p>かわいい①</p>" and thread.import_notes == ()  # ① is in CP932, not in JIS X 0208


def test_blank_lines_before_the_xml_declaration_are_left_out_not_read_loosely():
    item = "<item><title>By: O&amp;#039;Brien</title><link>https://blog.example.jp/post/#comment-1</link><description>hi</description></item>"
    for before in (b"\n\n", b"\xef\xbb\xbf\r\n"):
        thread = read_bytes(before + one_item_rss(item).encode())
        assert [(r.title, r.body) for r in thread.replies] == [("By: O'Brien", "<p>hi</p>")]
        assert thread.import_notes == ("the file has blank lines before its XML declaration, which XML does not allow "
                                       "(a site printing them before the feed); read without them",)


def test_utf16_with_a_byte_order_mark_and_no_declaration_has_no_false_note():
    text = one_item_rss(dated_item(1, "Mon, 12 Feb 2024 15:44:00 +0000"), declaration="")
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        thread = read_bytes(bom + text.encode(codec))
        assert len(thread.replies) == 1 and thread.import_notes == ()


RELATIVE_ATOM = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Notes</title><id>tag:notes.example.org,2024:feed</id>
<link rel="self" href="https://notes.example.org/blog/atom.xml"/><link rel="alternate" href="/blog/"/>
<entry><title>One</title><id>tag:notes.example.org,2024:1</id><link rel="alternate" href="one"/>
<updated>2024-01-01T00:00:00Z</updated><content type="html">&lt;p&gt;See &lt;a href="/blog/two"&gt;two&lt;/a&gt;&lt;/p&gt;</content></entry>
</feed>"""


def test_relative_links_without_xml_base_resolve_against_the_feeds_own_address():
    thread = read_bytes(RELATIVE_ATOM)
    assert thread.url == "https://notes.example.org/blog/"
    (entry,) = thread.replies
    assert entry.permalink == "https://notes.example.org/blog/one"
    assert entry.body == '<p>See <a href="https://notes.example.org/blog/two">two</a></p>'
    assert thread.import_notes == ("the feed's relative links were resolved against its own address, https://notes.example.org/blog/atom.xml",)
    with_base = read_bytes(RELATIVE_ATOM.replace(b"<feed ", b'<feed xml:base="https://other.example.org/x/" '))
    assert with_base.replies[0].permalink == "https://other.example.org/x/one" and with_base.import_notes == ()


def test_html_escaped_twice_is_unescaped_once_but_text_about_markup_is_kept():
    def item(number: int, description: str) -> str:
        return f"<item><title>By: u{number}</title><link>https://blog.example.jp/post/#comment-{number}</link><description>{description}</description></item>"

    thread = read_bytes(one_item_rss(
        item(1, "&amp;lt;p&amp;gt;Caf&amp;amp;eacute; &amp;amp;amp; lab &amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt;&amp;lt;/p&amp;gt;")
        + item(2, "Use &amp;lt;code&amp;gt; for inline code, e.g. &amp;lt;b&amp;gt; makes bold")
        + item(3, "&lt;p&gt;Write &amp;lt;p&amp;gt; to open a paragraph&lt;/p&gt;")
    ).encode())
    bodies_by_number = {r.permalink[-1]: r.body for r in thread.replies}
    assert bodies_by_number["1"] == "<p>Café &amp; lab <strong>bold</strong></p>"
    assert bodies_by_number["2"] == "<p>Use &lt;code&gt; for inline code, e.g. &lt;b&gt; makes bold</p>"
    assert bodies_by_number["3"] == "<p>Write &lt;p&gt; to open a paragraph</p>"  # real markup: escaped once, as meant
    assert thread.import_notes == ("the text of 1 entry was HTML escaped twice (it showed its own tags); unescaped once",)


def test_atom_content_by_reference_becomes_a_link():
    data = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Kinds</title><id>tag:k</id><link href="https://example.org/t"/>
    <entry><id>tag:k:1</id><title>z</title><updated>2024-05-01T12:00:00Z</updated>
      <content type="text/html" src="https://example.org/t/3.html"/></entry>
    <entry><id>tag:k:2</id><title>y</title><updated>2024-05-01T13:00:00Z</updated><summary>In short: yes.</summary>
      <content type="application/pdf" src="https://example.org/t/4.pdf"/></entry></feed>"""
    thread = read_bytes(data)
    first, second = thread.replies
    assert first.body == '<p><a href="https://example.org/t/3.html">https://example.org/t/3.html</a></p>'
    assert second.body == '<p>In short: yes.</p><p><a href="https://example.org/t/4.pdf">https://example.org/t/4.pdf</a></p>'
    assert thread.import_notes == ("the content of 2 entries is not in the feed, only its address (Atom content src); the body links to it",)


def test_an_email_address_is_never_the_authors_name():
    def item(number: int, author: str) -> str:
        return f"<item><title>Re: Topic</title><link>http://forum.example.org/viewtopic.php?pid={number}#p{number}</link><author>{author}</author><description>post {number}</description></item>"

    thread = read_bytes(one_item_rss(
        item(1, "dummy@example.com (Alex Smith)") + item(2, "jane.doe@gmail.com") + item(3, "dummy@example.com")
        + item(4, "noreply@example.org")
    ).encode())
    authors = {r.permalink[-1]: r.author for r in thread.replies}
    assert authors == {"1": "Alex Smith", "2": "jane.doe", "3": "anonymous", "4": "anonymous"}
    assert not any("@" in r.author for r in thread.replies)
    contact = read_bytes(one_item_rss(item(5, "Bo"), channel_extra="<dc:creator>help@forum.example.org</dc:creator>").encode())
    assert contact.author is None and contact.replies[0].author == "Bo"
    assert contact.import_notes == ("the feed's own author is given only as an e-mail address (a contact, not a name); not used as the author",)
    assert thread.import_notes == (
        "3 entries name the author only by e-mail address; shown by the part before the @ "
        "(never the address; a placeholder such as dummy@ or noreply@ counts as no name)",
    )


MASTODON_USER = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Ann Gardener</title>
<description>Public posts from @ann@garden.example</description><link>https://garden.example/@ann</link><generator>Mastodon v4.2.7</generator>
<item><guid isPermaLink="true">https://garden.example/@ann/2</guid><link>https://garden.example/@ann/2</link>
<pubDate>Sat, 17 Feb 2024 23:51:02 +0000</pubDate><description>&lt;p&gt;My leeks&lt;/p&gt;</description>
<media:content url="https://files.garden.example/leeks.jpeg" type="image/jpeg" fileSize="4588" medium="image"/>
<media:content url="https://files.garden.example/talk.mp3" type="audio/mpeg" fileSize="4588"/></item>
</channel></rss>"""


def test_mastodon_user_feed_is_the_accounts_and_shows_its_attachments():
    thread = read_bytes(MASTODON_USER)
    (post,) = thread.replies
    assert thread.author == post.author == "Ann Gardener"  # the feed lists only the account's own posts
    assert post.body == (
        '<p>My leeks</p><p><a href="https://files.garden.example/leeks.jpeg">[image]</a></p>'
        '<p><a href="https://files.garden.example/talk.mp3">[audio]</a></p>'
    )
    gotosocial = read_bytes(MASTODON_USER.replace(b"<generator>Mastodon v4.2.7</generator>", b""))
    assert gotosocial.replies[0].author == "Ann Gardener"  # GoToSocial writes Mastodon's description, no generator
    plain = read_bytes(re.sub(rb"<generator>.*?</generator>|<description>Public posts.*?</description>", b"", MASTODON_USER))
    assert plain.replies[0].author == "anonymous"  # another engine's channel is not an author


def test_an_author_address_with_a_long_top_level_domain_is_not_cut_into_a_name():
    def author(written: str) -> str:
        item = f"<item><title>x</title><link>https://blog.example.jp/post/#comment-1</link><author>{written}</author></item>"
        return read_bytes(one_item_rss(item).encode()).replies[0].author

    assert author("jane@studio.photography (Jane Doe)") == "Jane Doe"  # feedparser gave "ography (Jane Doe"
    assert author("bob@mail.online") == "bob"  # feedparser gave "ne"


def test_podcast_enclosures_are_linked_and_wordpress_com_author_avatars_are_not():
    item = ('<item><title>Episode 139</title><link>https://podcast.example/139/</link><description>Riak with Sean</description>'
            '<enclosure url="https://media.example/139.mp3" length="69286507" type="audio/mpeg"/>'
            '<enclosure url="https://media.example/139-cover.jpg" length="0" type="image/jpeg"/>'
            '<media:content url="https://0.gravatar.com/avatar/ce748a70?s=96&amp;d=identicon&amp;r=G" medium="image">'
            '<media:title type="html">donpark</media:title></media:content></item>')
    rss = one_item_rss(item).replace('<rss version="2.0"', '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"')
    (episode,) = read_bytes(rss.encode()).replies
    assert episode.body == '<p>Riak with Sean</p><p><a href="https://media.example/139.mp3">[audio]</a></p>'


def test_an_embedded_video_is_kept_as_a_link():
    item = ('<item><title>Watch</title><link>https://blog.example.jp/post/#comment-9</link><description><![CDATA[<p>Watch:</p>'
            '<iframe src="https://www.youtube.com/embed/abc123" width="560" height="315"></iframe>]]></description></item>')
    (post,) = read_bytes(one_item_rss(item).encode()).replies
    assert post.body == '<p>Watch:</p><p><a href="https://www.youtube.com/embed/abc123">[embedded: www.youtube.com]</a></p>'


STATUSNET_TIMELINE = b"""<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">
<title>bijan timeline</title><id>http://social.example/api/statuses/user_timeline/7.atom</id>
<link href="http://social.example/bijan" rel="alternate"/><author><name>bijan</name></author>
<entry><id>http://social.example/notice/12</id><title>@ali yes</title><content type="html">@ali yes</content>
<link rel="alternate" href="http://social.example/notice/12"/><published>2013-08-11T15:43:47+02:00</published>
<thr:in-reply-to ref="http://social.example/notice/10" href="http://social.example/notice/10"/></entry>
<entry><id>http://social.example/notice/11</id><title>hello</title><content type="html">hello</content>
<link rel="alternate" href="http://social.example/notice/11"/><published>2013-08-11T15:40:00+02:00</published></entry>
</feed>"""


def test_statusnet_reply_to_a_notice_outside_the_feed_is_reported_missing():
    thread = read_bytes(STATUSNET_TIMELINE)
    assert thread.partial and "1 entry answers entries that are not in the feed" in thread.import_notes


def test_sniff_takes_the_atom_namespace_written_with_https():
    atom = b'<?xml version="1.0"?><feed xmlns="https://www.w3.org/2005/Atom"><title>T</title><entry><id>e</id><title>x</title></entry></feed>'
    assert feed.sniff(SourceDocument("a.atom", atom))
    assert [r.id for r in read_bytes(atom).replies] == ["e"]


def test_a_pictures_alt_text_is_no_post_text():
    """feedparser files media:description (a picture's alt text) as plain-text content."""
    picture = b'<media:content url="https://files.garden.example/leeks.jpeg" type="image/jpeg" fileSize="4588" medium="image"'
    data = MASTODON_USER.replace(picture + b"/>", picture + b'><media:description type="plain">Leeks in a row</media:description></media:content>')
    assert b"Leeks in a row" in data
    post = read_bytes(data).replies[0]
    assert post.body.startswith("<p>My leeks</p>") and "Leeks in a row" not in post.body


def test_comments_blogger_removed_are_left_out():
    entry = ("<entry><id>tag:blogger.com,1999:blog-1.post-{n}</id><published>2010-11-30T01:00:00.000-08:00</published>"
             "<content type='html'>{text}</content><author><name>{who}</name></author>"
             "<link rel='alternate' href='http://veg.blogspot.com/2010/11/leeks.html?showComment={n}#c{n}'/>{mark}</entry>")
    removed = entry.format(n=31, text="This comment has been removed by the author.", who="Bo",
                           mark='<gd:extendedProperty name="blogger.contentRemoved" value="true"/><gd:extendedProperty name="blogger.displayTime" value="x"/>')
    kept = entry.format(n=30, text="Nice post!", who="Ann", mark="")
    data = ("<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom' xmlns:gd='http://schemas.google.com/g/2005' "
            "xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/'><title>Comments on Veg: Leeks</title>"
            "<link rel='alternate' href='http://veg.blogspot.com/2010/11/leeks.html'/><openSearch:totalResults>2</openSearch:totalResults>"
            f"{removed}{kept}</feed>").encode()
    thread = read_bytes(data)
    assert [r.author for r in thread.replies] == ["Ann"] and not thread.partial
    assert "skipped 1 comment(s) removed by their author or the blog (Blogger)" in thread.import_notes


def test_comments_sharing_the_posts_link_and_no_guid_are_each_a_reply():
    """Some engines (Magike) link every comment to the post and write no guid."""
    item = "<item><title>by {0}:</title><link>http://blog.example.cn/a/12/</link><author>{0}</author><description>{1}</description></item>"
    data = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Comments</title>'
            "<link>http://blog.example.cn/a/12/</link>" + item.format("Zhang", "first") + item.format("Li", "second")
            + item.format("Zhang", "third") + item.format("Zhang", "third") + "</channel></rss>").encode()
    thread = read_bytes(data)
    assert [(r.author, r.body) for r in thread.replies] == [("Zhang", "<p>first</p>"), ("Li", "<p>second</p>"), ("Zhang", "<p>third</p>")]
    assert thread.opening_post is None and len({r.id for r in thread.replies}) == 3
    assert "1 repeated entries (same id) skipped" in thread.import_notes


def test_relative_links_without_any_address_to_resolve_them_are_noted():
    data = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Comments</title><link>/2009/05/post/</link>'
            b'<item><title>By: Ann</title><link>/2009/05/post/#comment-1</link><guid isPermaLink="false">c1</guid>'
            b'<description>See &lt;a href="/2009/04/other/"&gt;this&lt;/a&gt;.</description></item></channel></rss>')
    thread = read_bytes(data, name="mirror.rss")
    assert thread.replies[0].body == "<p>See this.</p>" and thread.url is None
    assert any(note.startswith("the feed's links are relative and it names no address of its own") for note in thread.import_notes)


def test_phpbb_statistics_footer_is_left_out():
    """phpBB ends every post of its feeds with "Statistics: Posted by NAME — DATE" and a rule."""
    content = ('Opening question.<p>Statistics: Posted by <a href="http://forum.example/memberlist.php?mode=viewprofile&amp;u=20">Ian</a>'
               ' — Fri Oct 25, 2013 4:47 am</p><hr />')
    data = ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Forum</title>'
            '<id>http://forum.example/feed.php?f=19&amp;t=1542</id><entry><id>http://forum.example/viewtopic.php?t=1542&amp;p=1#p1</id>'
            '<author><name>Ian</name></author><published>2013-10-25T04:47:13-07:00</published><title>Win 8</title>'
            f'<content type="html"><![CDATA[{content}]]></content></entry></feed>').encode()
    thread = read_bytes(data)
    assert thread.opening_post.body == "<p>Opening question.</p>"
    assert (thread.title, thread.url, thread.author) == ("Win 8", "http://forum.example/viewtopic.php?t=1542", "Ian")


def test_a_phpbb_topic_feed_is_the_topic_and_partial_without_its_first_post():
    def entry(n, title, who):
        return (f'<entry><id>http://forum.example/viewtopic.php?t=7&amp;p={n}#p{n}</id><link href="http://forum.example/viewtopic.php?t=7&amp;p={n}#p{n}"/>'
                f'<author><name>{who}</name></author><published>2013-10-2{n}T04:47:13-07:00</published><title>{title}</title>'
                f'<content type="html">post {n}</content></entry>')

    head = ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Example Forum</title>'
            '<author><name>Example Forum</name></author><link href="http://forum.example/index.php"/>'
            '<id>http://forum.example/feed.php?f=19&amp;t=7</id>')
    whole = read_bytes((head + entry(3, "Re: Leeks", "Bo") + entry(1, "Leeks", "Ann") + "</feed>").encode())
    assert (whole.title, whole.url, whole.author, whole.partial) == ("Leeks", "http://forum.example/viewtopic.php?t=7", "Ann", False)
    assert [r.author for r in whole.replies] == ["Bo"]
    latest = read_bytes((head + entry(5, "Re: Leeks", "Cy") + entry(3, "Re: Leeks", "Bo") + "</feed>").encode())
    assert (latest.title, latest.author, latest.partial, latest.opening_post) == ("Leeks", None, True, None)
    assert any("the topic's first post is not among them" in note for note in latest.import_notes)


def test_cst_in_a_chinese_feed_is_kept_as_text():
    """China Standard Time is written CST too: in a Chinese feed it is not taken for US Central."""
    data = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>评论</title><link>https://blog.example.cn/a/</link>'
            '<language>zh-cn</language><item><title>评论</title><link>https://blog.example.cn/a/#comment-1</link><guid>c1</guid>'
            '<pubDate>Mon, 12 Feb 2024 15:44:00 CST</pubDate><description>好</description></item></channel></rss>').encode()
    reply = read_bytes(data).replies[0]
    assert reply.posted_at is None and reply.posted_at_text == "Mon, 12 Feb 2024 15:44:00 CST"


def test_account_activities_that_are_no_posts_are_left_out():
    """GNU social and early Mastodon account feeds (OStatus) list follows and favourites too."""
    def entry(n, verb, title):
        return (f'<entry><id>tag:m.example,2016:{n}</id><published>2016-11-0{n}T10:00:00Z</published><title>{title}</title>'
                f'<activity:verb>http://activitystrea.ms/schema/1.0/{verb}</activity:verb><content type="html">{title}</content></entry>')

    data = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:activity="http://activitystrea.ms/spec/1.0/">'
            '<title>ann</title>' + entry(1, "follow", "ann started following kat") + entry(2, "favorite", "ann favourited a status")
            + entry(3, "post", "Cats!") + "</feed>").encode()
    thread = read_bytes(data)
    assert [r.body for r in thread.replies] == ["<p>Cats!</p>"]
    assert "left out account activities that are no posts: 1 favorite, 1 follow" in thread.import_notes


DISCOURSE_TOPIC_COOKED = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Pruning shears</title>
<link>https://forum.example.org/t/pruning-shears/42</link>
<item><title>Pruning shears</title><dc:creator><![CDATA[ana]]></dc:creator><description><![CDATA[
<aside class="quote no-group" data-username="ben" data-post="1" data-topic="42"><div class="title"><div class="quote-controls"></div>
<img alt="" width="24" height="24" src="https://forum.example.org/letter_avatar_proxy/v4/letter/b/8797f3/48.png" class="avatar"> ben:</div>
<blockquote><p>Which shears?</p></blockquote></aside>
<p>These:</p>
<aside class="onebox allowlistedgeneric" data-onebox-src="https://shop.example.com/shears"><header class="source">
<img src="https://forum.example.org/uploads/site-icon.png" class="site-icon" alt="" width="48" height="48">
<a href="https://shop.example.com/shears" target="_blank">Example Shop</a></header><article class="onebox-body">
<div class="aspect-image"><img src="https://forum.example.org/uploads/thumb.jpeg" class="thumbnail" alt="" width="690" height="360"></div>
<h3><a href="https://shop.example.com/shears" target="_blank">Bypass shears, 20 cm</a></h3><p>Sharp shears.</p></article></aside>
<p>Hope that helps <img src="https://forum.example.org/images/emoji/twitter/slight_smile.png?v=12" title=":slight_smile:" class="emoji" alt=":slight_smile:"></p>
<p><a href="https://forum.example.org/t/pruning-shears/42/2">Read full topic</a></p>
]]></description><link>https://forum.example.org/t/pruning-shears/42/2</link><pubDate>Wed, 21 Jan 2026 22:40:40 +0000</pubDate>
<guid isPermaLink="false">forum.example.org-post-42-2</guid></item>
<item><title>Pruning shears</title><dc:creator><![CDATA[ben]]></dc:creator><description><![CDATA[<p>Which shears?</p>
<p><a href="https://forum.example.org/t/pruning-shears/42/1">Read full topic</a></p>]]></description>
<link>https://forum.example.org/t/pruning-shears/42/1</link><pubDate>Wed, 21 Jan 2026 20:00:00 +0000</pubDate>
<guid isPermaLink="false">forum.example.org-post-42-1</guid></item></channel></rss>"""


def test_discourse_topic_feed_bodies_are_cleaned_like_discourse_imports():
    """Quotes say who is quoted inside the quote, a link preview is one link labelled with its
    title, emoji are their code, and the "Read full topic" footer goes."""
    thread = read_bytes(DISCOURSE_TOPIC_COOKED.encode())
    assert thread.opening_post.body == "<p>Which shears?</p>"
    assert thread.replies[0].body == (
        "<blockquote><p>ben said:</p><p>Which shears?</p></blockquote><p>These:</p>"
        '<p><a href="https://shop.example.com/shears">Bypass shears, 20 cm</a></p><p>Hope that helps :slight_smile:</p>'
    )


def test_a_file_of_another_format_read_as_a_feed_names_that_format():
    reddit_json = b'[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "abc", "title": "T"}}]}}, ' \
                  b'{"kind": "Listing", "data": {"children": []}}]'
    with pytest.raises(SourceError) as error:
        read_bytes(reddit_json, name="thread.json")
    assert error.value.message.startswith("this is not a RSS 0.9x/1.0/2.0 or Atom feed") and "looks like: Reddit" in error.value.message
    assert error.value.fix == "import it with --format reddit, or leave --format out"


def test_an_empty_feed_and_times_without_a_zone_are_noted():
    empty = read_bytes(b'<rss version="2.0"><channel><title>Comments by ann</title><link>https://example.org/c.html</link></channel></rss>')
    assert empty.replies == () and empty.import_notes == ("the feed holds no entries: nothing to import but its title and link",)
    data = ('<rss version="2.0"><channel><title>News</title><link>https://example.org/</link>'
            '<item><title>A</title><description>A</description><link>https://example.org/a</link><pubDate>2018-09-18 14:38:10</pubDate></item>'
            '<item><title>B</title><description>B</description><link>https://example.org/b</link><pubDate>2018-09-18 15:00:00</pubDate></item></channel></rss>')
    thread = read_bytes(data.encode())
    assert [r.posted_at_text for r in thread.replies] == ["2018-09-18 14:38:10", "2018-09-18 15:00:00"]
    assert thread.import_notes == ("2 entries have times without a zone (such as '2018-09-18 14:38:10'); kept as written, not taken as UTC",)


def test_a_dreamwidth_date_after_a_stray_mark_is_read_and_noted():
    data = ('<rss version="2.0"><channel><title>News</title><link>https://example.org/</link>'
            '<item><title>A</title><description>A</description><link>https://example.org/a</link><pubDate>>Wed, 24 Nov 2010 06:52:33 GMT</pubDate></item>'
            '<item><title>B</title><description>B</description><link>https://example.org/b</link><pubDate>Thu, 03 Feb 2011 17:00:43 GMT</pubDate></item>'
            '<item><title>C</title><description>C</description><link>https://example.org/c</link><pubDate>>no date at all</pubDate></item>'
            '</channel></rss>')
    thread = read_bytes(data.encode())
    assert {r.title: (r.posted_at, r.posted_at_text) for r in thread.replies} == {
        "A": (utc(2010, 11, 24, 6, 52, 33), None), "B": (utc(2011, 2, 3, 17, 0, 43), None), "C": (None, ">no date at all"),
    }
    assert thread.import_notes == (
        "1 entry has its date after a stray '>' (the feed's template writes it); read without it",
        "1 entry has a date in a form that could not be read (such as '>no date at all'); kept as written, in feed order",
    )


def test_a_feedburner_feed_gives_each_posts_own_address_its_reply_count_and_no_sharing_buttons():
    """FeedBurner links entries through its redirect (the own address is feedburner:origLink),
    counts replies on a rel="replies" link (thr:count, RFC 4685) and appends a "feedflare" box."""
    data = ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0" '
            'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><title>Paul Dix Explains Nothing</title>'
            '<link rel="alternate" type="text/html" href="http://www.pauldix.net/" /><id>tag:typepad.com,2003:weblog-108605</id>'
            '<entry><title>SAX Machine</title><link rel="alternate" type="text/html" href="http://feeds.feedburner.com/~r/PDEN/~3/514044516/sax.html" />'
            '<link rel="replies" type="text/html" href="http://www.pauldix.net/2009/01/sax.html" thr:count="4" thr:updated="2009-01-21T23:16:44-05:00" />'
            '<id>tag:typepad.com,2003:post-61473064</id><published>2009-01-16T09:47:32-05:00</published><author><name>Paul Dix</name></author>'
            '<content type="html">&lt;p&gt;Fast.&lt;/p&gt;&lt;div class="feedflare"&gt;&lt;a href="http://feeds.feedburner.com/~f/PDEN?a=2VN4Om.P"&gt;'
            '&lt;img src="http://feeds.feedburner.com/~f/PDEN?i=2VN4Om.P" border="0"&gt;&lt;/img&gt;&lt;/a&gt;&lt;/div&gt;'
            '&lt;img src="http://feeds.feedburner.com/~r/PDEN/~4/514044516" height="1" width="1"/&gt;</content>'
            '<feedburner:origLink>http://www.pauldix.net/2009/01/sax.html</feedburner:origLink></entry></feed>').encode()
    (post,) = read_bytes(data).replies
    assert (post.permalink, post.engagement.replies, post.body) == ("http://www.pauldix.net/2009/01/sax.html", 4, "<p>Fast.</p>")


def test_a_mastodon_tag_feed_names_each_post_by_the_account_its_address_gives():
    """Mastodon's /tags/NAME.rss names no author anywhere but in each post's address."""
    def item(link, text):
        return f"<item><link>{link}</link><pubDate>Tue, 14 Nov 2023 09:21:44 +0000</pubDate><description>{text}</description></item>"

    data = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>#rustlang</title>'
            "<link>https://fosstodon.org/tags/rustlang</link><generator>Mastodon v4.2.1</generator>"
            + item("https://fosstodon.org/@alice/111408071957712345", "Shipped") + item("https://hachyderm.io/@bob/111407990000000001", "Nice")
            + item("https://misskey.io/notes/9m2xk3j1ab", "Rust 1.74") + "</channel></rss>").encode()
    thread = read_bytes(data)
    assert sorted(r.author for r in thread.replies) == ["alice", "anonymous", "bob@hachyderm.io"]
    assert thread.import_notes == ("2 entries name no author (a Mastodon tag feed names none); named by the account their "
                                   "addresses give (/@NAME/ID)",)


# ---------------------------------------------------------------------------- JSON Feed

JSON_FEED_11 = """{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Notes",
  "home_page_url": "https://notes.example/",
  "feed_url": "https://notes.example/feed.json",
  "next_url": "https://notes.example/feed.json?page=2",
  "authors": [{"name": "Ana Lima", "url": "https://notes.example/about"}],
  "items": [
    {"id": 2, "url": "https://notes.example/2", "title": "Second", "content_text": "Plain <text> & more",
     "date_published": "2024-03-02T10:00:00+01:00",
     "attachments": [{"url": "https://notes.example/ep2.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 1200}]},
    {"id": "1", "url": "https://notes.example/1", "title": "First",
     "content_html": "<p>Ol\\u00e1 <img src=\\"pics/a.png\\" alt=\\"a cat\\"></p>",
     "authors": [{"name": "Rui"}], "date_published": "2024-03-01T09:00:00Z"},
    "not an item"
  ]
}"""


def test_json_feed_is_recognised_and_read_as_a_feed():
    data = JSON_FEED_11.encode()
    assert feed.sniff(SourceDocument("feed.json", data))
    thread = read_bytes(data, "feed.json")
    assert (thread.title, thread.url, thread.author, thread.partial) == ("Notes", "https://notes.example/", "Ana Lima", True)
    first, second = thread.replies
    assert (first.id, first.title, first.author, first.posted_at) == ("https://notes.example/1", "First", "Rui", utc(2024, 3, 1, 9))
    assert first.body == '<p>Olá <a href="https://notes.example/pics/a.png">[image: a cat]</a></p>'
    assert (second.id, second.author, second.posted_at, second.permalink) == ("https://notes.example/2", "Ana Lima", utc(2024, 3, 2, 9), "https://notes.example/2")
    assert second.body == '<p>Plain &lt;text&gt; &amp; more</p><p><a href="https://notes.example/ep2.mp3">[audio]</a></p>'
    assert "1 JSON Feed item(s) left out: neither an object with an id nor an address" in thread.import_notes
    assert ("the JSON Feed continues on another page (https://notes.example/feed.json?page=2); "
            "this file holds only its latest items") in thread.import_notes


def test_json_feed_version_1_single_author_key_order_and_bom():
    data = ('\ufeff{"items": [{"id": "a", "content_html": "<p>x</p>", "date_published": "2020-10-10T21:08:48-06:00"}], '
            '"author": {"name": "Nathan"}, "title": "T", "version": "https://jsonfeed.org/version/1"}').encode()
    assert feed.sniff(SourceDocument("feed.json", data))
    thread = read_bytes(data, "feed.json")
    assert [(r.id, r.author, r.posted_at) for r in thread.replies] == [("a", "Nathan", utc(2020, 10, 11, 3, 8, 48))]
    assert thread.partial is False


@pytest.mark.parametrize("data, where, message", [
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "feed.json line 1 column 59", "not valid JSON"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "title": "T"}', "feed.json at $.items", "missing list"),
    (b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": "a", "title": 5}]}', "feed.json at $.items[0].title",
     "expected text"),
])
def test_broken_json_feed_is_one_clear_error(data, where, message):
    with pytest.raises(SourceError) as caught:
        read_bytes(data, "feed.json")
    assert caught.value.where == where and message in caught.value.message


def test_a_media_tag_left_in_a_forum_excerpt_becomes_its_link():
    data = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>香山网 - 珠海生活</title><link>http://www.x3cn.com/forum-67-1.html</link>
<generator>Discuz! Board by Comsenz Inc.</generator>
<item><title>前山中学</title><link>http://www.x3cn.com/thread-1224091-1-1.html</link>
<description><![CDATA[ 百年树下读书郎。 [video=https://pic.example/p.jpg]https://pic.example/v/538.mp4[/video] ]]></description>
<author>沙发上的土豆</author><pubDate>Wed, 24 Jun 2020 10:17:09 +0000</pubDate></item>
</channel></rss>""".encode()
    (reply,) = read_bytes(data).replies
    assert reply.author == "沙发上的土豆"
    assert reply.body == ('<p>百年树下读书郎。 [video] <a href="https://pic.example/v/538.mp4">https://pic.example/v/538.mp4</a></p>')


NESTED_CDATA = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Blog</title>
<link>https://b.example/</link><item><title>XML tips</title><link>https://b.example/1</link>
<pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>
<content:encoded><![CDATA[<p>End it with:</p><pre><code>x = "]]>"</code></pre><p>Ünïcödé — done</p>]]></content:encoded>
</item></channel></rss>"""


def test_a_cdata_end_in_a_post_does_not_end_the_post():
    thread = read_bytes(NESTED_CDATA.encode())
    (reply,) = thread.replies
    assert reply.body == '<p>End it with:</p><pre><code>x = "]]&gt;"</code></pre><p>Ünïcödé — done</p>'
    assert thread.import_notes == ('1 "]]>" inside CDATA text (code, or a CDATA section within the post) ended it early, '
                                   "which broke the feed's XML; read as part of the text",)


def test_a_cdata_section_within_a_post_is_read_as_a_browser_reads_it():
    inner = NESTED_CDATA.replace('<code>x = "]]>"</code>', "<![CDATA[a < b]]>")
    (reply,) = read_bytes(inner.encode()).replies
    assert reply.body == "<p>End it with:</p><pre></pre><p>Ünïcödé — done</p>"  # HTML reads it as a comment


def test_cdata_ends_a_generator_split_are_read_without_a_note():
    split = NESTED_CDATA.replace('x = "]]>"', 'x = "]]]]><![CDATA[>"')
    thread = read_bytes(split.encode())
    assert thread.replies[0].body == '<p>End it with:</p><pre><code>x = "]]&gt;"</code></pre><p>Ünïcödé — done</p>'
    assert thread.import_notes == ()


def test_medium_links_lose_their_feed_tag_and_posts_their_publication_footer():
    data = """<?xml version="1.0" encoding="UTF-8"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0"><channel>
<title><![CDATA[Stories by Daniel Capra on Medium]]></title>
<link>https://medium.com/@danielcapra?source=rss-8717e15cbfc4------2</link><generator>Medium</generator>
<item><title><![CDATA[Swift’s AsyncStream Explained]]></title>
<link>https://blog.stackademic.com/swifts-asyncstream-explained-127d84078424?source=rss-8717e15cbfc4------2</link>
<guid isPermaLink="false">https://medium.com/p/127d84078424</guid><dc:creator><![CDATA[Daniel Capra]]></dc:creator>
<pubDate>Fri, 24 Nov 2023 18:27:40 GMT</pubDate>
<content:encoded><![CDATA[<p>Swift 5.5 introduced async/await.</p><hr><p><a href="https://blog.stackademic.com/swifts-asyncstream-explained-127d84078424">Swift’s AsyncStream Explained</a> was originally published in <a href="https://blog.stackademic.com">Stackademic</a> on Medium, where people are continuing the conversation by highlighting and responding to this story.</p>]]></content:encoded>
</item></channel></rss>""".encode()
    thread = read_bytes(data)
    (reply,) = thread.replies
    assert thread.url == "https://medium.com/@danielcapra"
    assert reply.permalink == "https://blog.stackademic.com/swifts-asyncstream-explained-127d84078424"
    assert (reply.author, reply.body) == ("Daniel Capra", "<p>Swift 5.5 introduced async/await.</p>")


@pytest.mark.parametrize("link, shared", [
    ("https://blog.x/p-127d?source=rss----5517fd7b58a6---4", "https://blog.x/p-127d"),
    ("https://x.example/y?a=1&source=rss-ab12------2", "https://x.example/y?a=1"),
    ("https://x.example/y?source=rss-ab12------2#c", "https://x.example/y#c"),
    ("https://x.example/y?source=rssfeed", "https://x.example/y?source=rssfeed"),
])
def test_only_medium_feed_tags_are_taken_off_links(link, shared):
    from digest.sources import feed_engines

    assert feed_engines.without_medium_source_tag(link) == shared


LEMMY_COMMUNITY = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Lemmy - linux</title>
<link>https://lemmy.ml/c/linux</link>
<item><title>Kernel 6.9 released</title><link>https://kernelnewbies.org/Linux_6.9</link>
<description><![CDATA[submitted by <a href="https://lemmy.ml/u/alice">alice</a> to <a href="https://lemmy.ml/c/linux">linux</a><br>57 points | <a href="https://lemmy.ml/post/1234">12 comments</a><br><a href="https://kernelnewbies.org/Linux_6.9">https://kernelnewbies.org/Linux_6.9</a><p>Lots of <strong>Rust</strong>.</p>]]></description>
<guid isPermaLink="true">https://lemmy.ml/post/1234</guid><comments>https://lemmy.ml/post/1234</comments>
<pubDate>Mon, 13 May 2024 08:15:02 +0000</pubDate><dc:creator>https://lemmy.ml/u/alice</dc:creator></item>
<item><title>Which distro?</title><link>https://lemmy.ml/post/1235</link>
<description><![CDATA[submitted by <a href="https://lemmy.world/u/bob">bob</a> to <a href="https://lemmy.ml/c/linux">linux</a><br>-3 points | <a href="https://lemmy.ml/post/1235">0 comments</a><p>2 GB of RAM.</p>]]></description>
<guid isPermaLink="true">https://lemmy.ml/post/1235</guid><pubDate>Mon, 13 May 2024 09:00:00 +0000</pubDate>
<dc:creator>https://lemmy.world/u/bob</dc:creator></item></channel></rss>"""


def test_a_lemmy_post_feed_gives_posters_scores_and_the_posts_own_pages():
    first, second = read_bytes(LEMMY_COMMUNITY.encode()).replies
    assert (first.author, first.permalink, first.engagement) == ("alice", "https://lemmy.ml/post/1234", Engagement(replies=12, score=57))
    assert first.body == ('<p><a href="https://kernelnewbies.org/Linux_6.9">https://kernelnewbies.org/Linux_6.9</a></p>'
                          "<p>Lots of <strong>Rust</strong>.</p>")
    assert (second.author, second.engagement, second.body) == ("bob@lemmy.world", Engagement(replies=0, score=-3), "<p>2 GB of RAM.</p>")


def test_a_lemmy_inbox_feed_names_the_replier():
    data = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Lemmy - Inbox</title>
<link>https://lemmy.ml/inbox</link><item><title>Reply from carol</title><link>https://lemmy.ml/comment/99</link>
<author>/u/carol &lt;a href="https://lemmy.ml/u/carol"&gt;(link)&lt;/a&gt;</author>
<description>&lt;p&gt;Agreed!&lt;/p&gt;</description><guid isPermaLink="true">https://lemmy.ml/comment/99</guid>
<pubDate>Tue, 14 May 2024 10:00:00 +0000</pubDate></item></channel></rss>"""
    (reply,) = read_bytes(data).replies
    assert (reply.author, reply.body) == ("carol", "<p>Agreed!</p>")


def test_a_xenforo_quote_loses_its_unfold_button():
    data = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Latest threads</title><link>https://forum.example/</link>
<item><title>Help</title><pubDate>Wed, 25 Nov 2026 19:02:11 +0000</pubDate>
<link>https://forum.example/threads/help.4412/</link><guid isPermaLink="false">4412</guid>
<author>invalid@example.com (Zoë K)</author><dc:creator>Zoë K</dc:creator>
<content:encoded><![CDATA[<div class="bbWrapper"><blockquote class="bbCodeBlock bbCodeBlock--expandable bbCodeBlock--quote"><div class="bbCodeBlock-content"><div class="bbCodeBlock-expandContent js-expandContent ">Use the picker.</div>
<div class="bbCodeBlock-expandLink js-expandLink"><a role="button" tabindex="0">Click to expand...</a></div></div></blockquote>It fails</div>]]></content:encoded>
</item></channel></rss>""".encode()
    (reply,) = read_bytes(data).replies
    assert reply.author == "Zoë K"
    assert "Click to expand" not in reply.body and "Use the picker." in reply.body and reply.body.endswith("It fails</p>")


def test_a_gitlab_issue_is_read_whole_not_from_its_cut_description():
    data = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><title>widget issues</title>
<link href="https://gitlab.com/example/widget/-/issues" rel="alternate" type="text/html"/>
<id>https://gitlab.com/example/widget/-/issues</id><updated>2026-11-20T10:12:45Z</updated>
<entry><id>https://gitlab.com/example/widget/-/issues/42</id><link href="https://gitlab.com/example/widget/-/issues/42"/>
<title>Crash</title><updated>2026-11-20T10:12:45Z</updated><author><name>Jürgen Groß</name><email></email></author>
<summary>Crash</summary><description>It crashes when the file starts with a byte order …</description>
<content>It crashes when the file starts with a byte order mark. /cc @maria</content></entry></feed>""".encode()
    (reply,) = read_bytes(data).replies
    assert (reply.author, reply.body) == ("Jürgen Groß", "<p>It crashes when the file starts with a byte order mark. /cc @maria</p>")
