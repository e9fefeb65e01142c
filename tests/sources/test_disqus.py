"""The Disqus reader: hand-made exports in the shape Disqus documents and mails (no real
sample is shared): <category>, <thread dsq:id> and <post dsq:id> elements in the
http://disqus.com namespace, dsq:id in http://disqus.com/disqus-internals."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, canonical, disqus, feed, stackexchange, wxr
from tests.sources.fuzzing import assert_round_trip, mutated_bytes, only_source_errors

EXPORT = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd http://disqus.com/api/schemas/1.0/disqus-internals.xsd">
<category dsq:id="4410021">
<forum>tidepoolnotes</forum>
<title>General</title>
<isDefault>true</isDefault>
</category>
<thread dsq:id="7300112233">
<id>post-18</id>
<forum>tidepoolnotes</forum>
<category dsq:id="4410021" />
<link>https://tidepool.example.net/2019/06/sea-anemones-at-low-tide/</link>
<title>Sea anemones at low tide</title>
<message />
<createdAt>2019-06-02T08:00:05Z</createdAt>
<author>
<email>editor@tidepool.example.net</email>
<name>Rosa Quint</name>
<isAnonymous>false</isAnonymous>
<username>rosaquint</username>
</author>
<ipAddress>192.0.2.7</ipAddress>
<isClosed>false</isClosed>
<isDeleted>false</isDeleted>
</thread>
<thread dsq:id="7300119999">
<id />
<forum>tidepoolnotes</forum>
<category dsq:id="4410021" />
<link>https://tidepool.example.net/about/</link>
<title>About | Tidepool Notes</title>
<message />
<createdAt>2019-01-10T12:00:00Z</createdAt>
<author>
<name>Rosa Quint</name>
<isAnonymous>false</isAnonymous>
<username>rosaquint</username>
</author>
<isClosed>false</isClosed>
<isDeleted>false</isDeleted>
</thread>
<post dsq:id="4501000001">
<id />
<message><![CDATA[<p>Lovely photos. Do they close up when the water goes out?</p>]]></message>
<createdAt>2019-06-02T09:14:00Z</createdAt>
<isDeleted>false</isDeleted>
<isSpam>false</isSpam>
<author>
<email>ben@example.com</email>
<name>Ben Okafor</name>
<isAnonymous>false</isAnonymous>
<username>benokafor</username>
</author>
<ipAddress>198.51.100.20</ipAddress>
<thread dsq:id="7300112233" />
</post>
<post dsq:id="4501000002">
<id />
<message><![CDATA[<p>Yes, they pull their tentacles in to keep from drying out.</p><p>See <a href="https://tidepool.example.net/anemones" rel="nofollow noopener" target="_blank">my older post</a>.</p>]]></message>
<createdAt>2019-06-02T10:30:00Z</createdAt>
<isDeleted>false</isDeleted>
<isSpam>false</isSpam>
<author>
<email>editor@tidepool.example.net</email>
<name>Rosa Quint</name>
<isAnonymous>false</isAnonymous>
<username>rosaquint</username>
</author>
<ipAddress>192.0.2.7</ipAddress>
<thread dsq:id="7300112233" />
<parent dsq:id="4501000001" />
</post>
<post dsq:id="4501000003">
<id />
<message><![CDATA[<p>BUY CHEAP FOLLOWERS</p>]]></message>
<createdAt>2019-06-02T11:00:00Z</createdAt>
<isDeleted>false</isDeleted>
<isSpam>true</isSpam>
<author>
<name>promo</name>
<isAnonymous>true</isAnonymous>
</author>
<ipAddress>203.0.113.99</ipAddress>
<thread dsq:id="7300112233" />
</post>
<post dsq:id="4501000004">
<id />
<message><![CDATA[<p>I wrote something rude here.</p>]]></message>
<createdAt>2019-06-02T12:00:00Z</createdAt>
<isDeleted>true</isDeleted>
<isSpam>false</isSpam>
<author>
<name>Gus</name>
<isAnonymous>true</isAnonymous>
</author>
<ipAddress>203.0.113.5</ipAddress>
<thread dsq:id="7300112233" />
</post>
<post dsq:id="4501000005">
<id />
<message><![CDATA[<p>Take it back, Gus.</p>]]></message>
<createdAt>2019-06-02T12:30:00Z</createdAt>
<isDeleted>false</isDeleted>
<isSpam>false</isSpam>
<author>
<name>Lena</name>
<isAnonymous>true</isAnonymous>
</author>
<ipAddress>203.0.113.6</ipAddress>
<thread dsq:id="7300112233" />
<parent dsq:id="4501000004" />
</post>
<post dsq:id="4501000006">
<id />
<message><![CDATA[<p>@Ben Okafor the beadlet ones also go bright red.</p>]]></message>
<createdAt>2019-06-02T09:50:00Z</createdAt>
<isDeleted>false</isDeleted>
<isSpam>false</isSpam>
<author>
<name />
<isAnonymous>false</isAnonymous>
<username>shorewatcher</username>
</author>
<ipAddress>198.51.100.21</ipAddress>
<thread dsq:id="7300112233" />
<parent dsq:id="4501000001" />
</post>
</disqus>
"""

PAGE = "https://tidepool.example.net/2019/06/sea-anemones-at-low-tide/"

ABOUT_POST = """<post dsq:id="4501000100">
<id />
<message><![CDATA[<p>How long have you kept this blog?</p>]]></message>
<createdAt>2019-02-01T10:00:00Z</createdAt>
<isDeleted>false</isDeleted>
<isSpam>false</isSpam>
<author><name>Kai</name><isAnonymous>true</isAnonymous></author>
<thread dsq:id="7300119999" />
</post>
</disqus>"""
EXPORT_TWO_PAGES = EXPORT.replace("</disqus>", ABOUT_POST)


def read(text: str | bytes, thread: str | None = None):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return disqus.read(ImportRequest((SourceDocument("disqus.xml", data),), thread=thread))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_sniff():
    doc = SourceDocument("d.xml", EXPORT.encode())
    assert disqus.sniff(doc)
    assert not any(m.sniff(doc) for m in (feed, wxr, stackexchange))
    assert disqus.sniff(SourceDocument("bare", b'<?xml version="1.0"?>\n<disqus xmlns:dsq="http://disqus.com/disqus-internals"><thread dsq:id="1"/></disqus>'))
    assert not disqus.sniff(SourceDocument("x", b"<html><body>disqus</body></html>"))


def test_sniff_claims_no_shared_sample(shared_data):
    claimed = [str(p) for p in sorted(shared_data.rglob("*")) if p.is_file() and disqus.sniff(SourceDocument(str(p), p.read_bytes()))]
    assert claimed == []


def test_the_one_thread_with_posts():
    thread = read(EXPORT)
    assert thread.id == "7300112233" and thread.title == "Sea anemones at low tide" and thread.url == PAGE
    assert thread.author == "Rosa Quint" and thread.opening_post is None  # the article is not in the export
    ids = [(r.id, r.author, r.parent_id) for r in thread.replies]
    assert ids == [
        ("4501000001", "Ben Okafor", None),
        ("4501000006", "shorewatcher", "4501000001"),  # no name: the username
        ("4501000002", "Rosa Quint", "4501000001"),
        ("4501000004", "[deleted]", None),  # deleted, kept because Lena answers it
        ("4501000005", "Lena", "4501000004"),
    ]
    ben = thread.replies[0]
    assert ben.posted_at == utc(2019, 6, 2, 9, 14)
    assert ben.permalink == PAGE + "#comment-4501000001"
    assert ben.body == "<p>Lovely photos. Do they close up when the water goes out?</p>"
    rosa = thread.reply("4501000002")
    assert rosa.body == '<p>Yes, they pull their tentacles in to keep from drying out.</p><p>See <a href="https://tidepool.example.net/anemones">my older post</a>.</p>'
    assert thread.reply("4501000006").mentions[0].name == "Ben Okafor"
    placeholder = thread.reply("4501000004")
    assert placeholder.body == "" and "rude" not in canonical.dumps(thread)
    assert thread.reply("4501000003") is None  # spam, nobody answers it
    assert thread.import_notes == ("skipped 1 deleted post(s) and 1 spam post(s); 1 kept as '[deleted]' placeholder(s) because others answer them",)
    assert not thread.partial
    assert_round_trip(thread)


def test_several_threads_need_a_selector():
    with pytest.raises(SourceError) as error:
        read(EXPORT_TWO_PAGES)
    message = error.value.message
    assert "2 pages with comments" in message
    assert f'7300112233 [identifier post-18] "Sea anemones at low tide" {PAGE} (4 posts)' in message
    assert '7300119999 "About | Tidepool Notes" https://tidepool.example.net/about/ (1 post)' in message


@pytest.mark.parametrize("selector", ["7300119999", "https://tidepool.example.net/about", "about |"])
def test_selector(selector):
    thread = read(EXPORT_TWO_PAGES, thread=selector)
    assert thread.id == "7300119999"
    (kai,) = thread.replies
    assert kai.author == "Kai" and kai.posted_at == utc(2019, 2, 1, 10)


def test_selector_by_identifier_and_unknown_selector():
    assert read(EXPORT_TWO_PAGES, thread="post-18").id == "7300112233"  # the site's own <id>
    with pytest.raises(SourceError) as error:
        read(EXPORT_TWO_PAGES, thread="octopus")
    assert "no thread matches" in error.value.message and "7300119999" in error.value.message


def test_parent_outside_the_export_is_partial():
    text = EXPORT.replace('<parent dsq:id="4501000001" />\n</post>\n<post dsq:id="4501000003">', '<parent dsq:id="999" />\n</post>\n<post dsq:id="4501000003">')
    thread = read(text)
    assert thread.reply("4501000002").parent_id is None and thread.partial
    assert any("missing from the export" in n for n in thread.import_notes)


def test_thread_message_becomes_the_opening_post_and_times_without_zone_are_utc():
    text = """<?xml version="1.0"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="2"><id>1</id><link>https://x.example/p</link><title>T</title>
<message>&lt;p&gt;Read this first&lt;/p&gt;</message><createdAt>2012-12-12T12:12:12</createdAt>
<author><name>Baz</name></author></thread>
<post dsq:id="5"><message>Yo dude</message><createdAt>2012-12-12T12:13:00</createdAt><author><name>Qux</name></author><thread>1</thread></post>
</disqus>"""
    thread = read(text)
    assert thread.opening_post.body == "<p>Read this first</p>" and thread.opening_post.author == "Baz"
    (reply,) = thread.replies  # the thread is referenced by its identifier text, as in Disqus's import format
    assert reply.body == "<p>Yo dude</p>" and reply.posted_at == utc(2012, 12, 12, 12, 13)


def test_broken_xml_is_read_in_recovery_mode_with_a_note_naming_the_line():
    thread = read(EXPORT.replace("<title>Sea anemones at low tide</title>", "<title>Sea anemones & low tide</title>"))
    assert [r.id for r in thread.replies] == [r.id for r in read(EXPORT).replies]
    assert thread.import_notes[0].startswith("the export is not well-formed XML (1 error(s), first at line 13:")
    assert thread.partial  # a damaged file may have lost posts of any page


def test_unreadable_file_names_line_and_column():
    with pytest.raises(SourceError) as error:
        read(b"PK\x03\x04 a zip, not an export")
    assert error.value.where == "disqus.xml line 1, column 1"
    assert error.value.message.startswith("not well-formed XML")


def test_truncated_export_imports_what_is_there():
    cut = EXPORT[: EXPORT.index("<name>Lena</name>") + 8]  # inside the post that answers the deleted one
    thread = read(cut)
    assert [r.id for r in thread.replies] == ["4501000001", "4501000002"]  # 4501000006 comes after the cut
    assert thread.partial
    last_line = cut.count("\n") + 1
    assert any(n.startswith(f"the export is cut short: it ends at line {last_line} inside <name>") for n in thread.import_notes)
    assert "1 post(s) name no thread this export lists (or are cut off before they do); not imported" in thread.import_notes


def test_truncated_export_without_a_page_with_posts_says_so_in_the_error():
    cut = EXPORT[: EXPORT.index("<ipAddress>198.51.100.20</ipAddress>")]
    with pytest.raises(SourceError) as error:
        read(cut)
    assert "none with comments" in error.value.message and "the export is cut short" in error.value.message
    thread = read(cut, thread="post-18")
    assert thread.replies == () and thread.partial


def test_control_character_does_not_stop_the_import():
    thread = read(EXPORT.replace("Lovely photos.", "Lovely\x0b photos."))
    assert thread.replies[0].body == "<p>Lovely photos. Do they close up when the water goes out?</p>"
    assert thread.import_notes[0] == "removed 1 control character(s) that XML does not allow from the export"
    assert not thread.partial


@pytest.mark.parametrize("prefix", [b"\n    ", b"x", b"\xef\xbb\xbf  \n"])
def test_text_before_the_xml_declaration_is_tolerated(prefix):
    doc = SourceDocument("disqus.xml", prefix + EXPORT.encode())
    assert disqus.sniff(doc)
    thread = read(doc.data)
    assert thread.replies == read(EXPORT).replies and not thread.partial
    assert thread.import_notes[0].startswith("ignored ") and "before the XML declaration" in thread.import_notes[0]


MOVED_PAGE = """<thread dsq:id="7300888888">
<id>post-18</id>
<link>https://tidepool.example.org/2019/06/sea-anemones-at-low-tide/</link>
<title>Sea anemones at low tide</title>
<createdAt>2021-03-01T08:00:00Z</createdAt>
</thread>
<post dsq:id="4501000001">"""
EXPORT_MOVED = EXPORT.replace('<post dsq:id="4501000001">', MOVED_PAGE, 1)


@pytest.mark.parametrize("selector", ["post-18", "sea-anemones-at-low-tide", "anemones"])
def test_selector_naming_an_empty_duplicate_prefers_the_thread_with_posts(selector):
    """Disqus adds a new, empty thread when a page moves to another address; here it even
    took over the old identifier, so <id> matches the empty thread."""
    thread = read(EXPORT_MOVED, thread=selector)
    assert thread.id == "7300112233" and len(thread.replies) == 5
    assert any(n.startswith(f"--thread {selector!r} also ") and "1 " in n and "took 7300112233" in n for n in thread.import_notes)
    assert read(EXPORT_MOVED, thread="7300888888").replies == ()  # its own dsq:id still takes it


def test_selector_naming_several_threads_with_posts_lists_them():
    text = EXPORT_TWO_PAGES.replace("<title>About | Tidepool Notes</title>", "<title>About the anemones</title>")
    with pytest.raises(SourceError) as error:
        read(text, thread="anemones")
    assert "matches 2 threads with posts" in error.value.message
    assert "7300112233" in error.value.message and "7300119999" in error.value.message


def test_post_with_unreadable_date_is_noted():
    thread = read(EXPORT.replace("<createdAt>2019-06-02T09:50:00Z</createdAt>", "<createdAt>yesterday</createdAt>"))
    shore = thread.reply("4501000006")
    assert shore.posted_at is None and shore.posted_at_text == "yesterday"
    assert "1 post(s) have no readable date (createdAt); placed after the dated posts, any text kept as written" in thread.import_notes


def test_wordpress_export_read_as_disqus_names_the_right_format():
    wxr_export = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>
<item><title>x</title><wp:post_id>1</wp:post_id></item></channel></rss>"""
    with pytest.raises(SourceError) as error:
        read(wxr_export)
    assert error.value.message == "this is not a Disqus comment export (XML); it looks like: WordPress export (WXR)"
    assert error.value.fix.startswith("import it with --format wxr")


def test_entity_declarations_are_refused():
    bomb = EXPORT.replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE disqus [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY x SYSTEM "file:///etc/hostname">]>',
    ).replace("<name>Ben Okafor</name>", "<name>&b;&x;</name>")
    with pytest.raises(SourceError) as error:
        read(bomb)
    assert "declares XML entities" in error.value.message  # refused, never expanded


def test_several_documents_are_refused():
    docs = tuple(SourceDocument(n, EXPORT.encode()) for n in ("a.xml", "b.xml"))
    with pytest.raises(SourceError) as error:
        disqus.read(ImportRequest(docs))
    assert "one file" in error.value.message


SEEDS = [EXPORT.encode(), EXPORT_TWO_PAGES.encode()]


def mutated():
    """Broken exports, with isDeleted/isSpam flags flipped too."""
    return mutated_bytes(SEEDS, [b"<", b"&", b'<parent dsq:id="4501000005" />'], max_delete=200, swap_flags=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=600), mutated()), st.sampled_from([None, "7300112233", "about", "a"]))
def test_only_source_errors_escape(data, selector):
    only_source_errors(disqus, [SourceDocument("fuzz.xml", data)], selector)


def small_disqus(threads: str, posts: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
{threads}
{posts}
</disqus>"""


def page(dsq_id: str, link: str, title: str, identifier: str = "") -> str:
    return f'<thread dsq:id="{dsq_id}"><id>{identifier}</id><link>{link}</link><title>{title}</title><createdAt>2015-01-01T00:00:00Z</createdAt></thread>'


def post(dsq_id: str, thread: str, message: str = "<![CDATA[<p>About leeks.</p>]]>") -> str:
    return (f'<post dsq:id="{dsq_id}"><message>{message}</message><createdAt>2015-02-02T00:00:00Z</createdAt>'
            f'<isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Ann</name></author><thread dsq:id="{thread}"/></post>')


def test_an_exact_link_to_a_page_without_posts_is_that_page_not_another():
    """The blog's home page contains every post's address; naming it exactly must not import
    a post's comments in its place: it is a page nobody commented on."""
    text = small_disqus(page("100", "https://blog.example.net/", "My blog") + page("200", "https://blog.example.net/2015/leeks/", "Leeks"), post("1", "200"))
    for selector in ("https://blog.example.net/", "http://blog.example.net", "https://blog.example.net/#comments"):
        thread = read(text, thread=selector)
        assert (thread.id, thread.replies) == ("100", ())
        assert thread.import_notes == ('the page has no posts in this export; imported without replies: 100 "My blog" https://blog.example.net/ (0 posts)',)
    assert read(text, thread="leeks").id == "200"


def test_only_variants_of_the_same_address_count_as_duplicates():
    variants = (
        page("300", "https://blog.example.net/leeks/?fbclid=IwAR3&amp;utm_source=x", "Leeks")
        + page("301", "http://blog.example.net/leeks", "Leeks")
        + page("302", "https://blog.example.net/leeks/#disqus_thread", "Leeks")
        + page("303", "https://blog.example.net/leeks/?p=7", "Leeks, the other post")
        + page("304", "https://blog.example.net/?p=8", "Seeds")
    )
    text = small_disqus(page("200", "https://blog.example.net/leeks/", "Leeks") + variants, post("1", "200") + post("2", "303"))
    thread = read(text, thread="https://blog.example.net/leeks/?fbclid=IwAR3&utm_source=x")
    assert thread.id == "200" and len(thread.replies) == 1
    assert thread.import_notes[0].startswith("--thread 'https://blog.example.net/leeks/?fbclid=IwAR3&utm_source=x' also names 3 other thread(s) of the same page")
    assert "303" not in thread.import_notes[0]  # ?p=7 names another page
    assert read(text, thread="https://blog.example.net/leeks/?p=7").id == "303"
    assert read(text, thread="https://blog.example.net/?p=8").replies == ()  # not ?p=7's posts


def test_wordpress_plugin_identifiers_can_be_chosen_by_either_part_and_are_listed():
    """The Disqus WordPress plugin's identifier is "POST_ID GUID"."""
    text = small_disqus(
        page("3007395544", "http://localhost:4000/mooc/", "MOOC notes", identifier="1496 http://www.evanlin.com/?p=1496")
        + page("3007395545", "https://www.evanlin.com/other/", "Other", identifier="1497 http://www.evanlin.com/?p=1497"),
        post("1", "3007395544") + post("2", "3007395545"),
    )
    for selector in ("1496", "http://www.evanlin.com/?p=1496", "1496 http://www.evanlin.com/?p=1496"):
        assert read(text, thread=selector).id == "3007395544"
    assert read(text, thread="1497").id == "3007395545"
    with pytest.raises(SourceError) as error:
        read(text)
    assert '3007395544 [identifier 1496 http://www.evanlin.com/?p=1496] "MOOC notes" http://localhost:4000/mooc/ (1 post)' in error.value.message


def test_a_message_written_as_child_elements_keeps_its_markup():
    message = 'See <a href="https://example.org/errata">the errata</a>.<br/>Second line.'
    thread = read(small_disqus(page("100", "https://blog.example.net/a/", "A"), post("1", "100", message)))
    assert thread.replies[0].body == '<p>See <a href="https://example.org/errata">the errata</a>.<br>Second line.</p>'


def test_a_page_is_named_however_its_path_is_escaped_and_by_an_identifier_that_is_its_address():
    """Browsers show %E7%AC%AC as 第, and Disqus kept both escape cases as separate threads."""
    def thread(dsq_id, link, identifier=""):
        return f'<thread dsq:id="{dsq_id}"><id>{identifier}</id><link>{link}</link><title>T{dsq_id}</title></thread>'

    def post(dsq_id, thread_id, name):
        return (f'<post dsq:id="{dsq_id}"><message><![CDATA[<p>{name} here</p>]]></message><createdAt>2019-02-01T10:00:00Z</createdAt>'
                f'<isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>{name}</name></author><thread dsq:id="{thread_id}"/></post>')

    data = ('<?xml version="1.0" encoding="utf-8"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
            + thread(1, "http://blog.example.cn/p/%e7%ac%ac/") + thread(2, "http://blog.example.cn/p/%E7%AC%AC")
            + thread(3, "http://radio.example.com/p/229/", "https://radio.example.com/p/229/")
            + post(11, 1, "Ann") + post(12, 3, "Bo") + "</disqus>")
    for selector in ("http://blog.example.cn/p/%E7%AC%AC/", "https://blog.example.cn/p/第"):
        assert [r.author for r in read(data, selector).replies] == ["Ann"]
    assert [r.author for r in read(data, "https://radio.example.com/p/229").replies] == ["Bo"]


def site_export(pages: int, posts_per_page: int = 3) -> str:
    """A whole site's export in Disqus's order: every thread first, then every post; the last
    post of each page is deleted."""
    threads = "".join(page(str(9000 + n), f"https://garden.example.org/{n}/", f"Bed {n}", identifier=f"bed-{n}") for n in range(pages))
    posts = "".join(
        post(f"{n}0{k}", str(9000 + n), f"<![CDATA[<p>Bed {n}, note {k}.</p>]]>").replace("<isDeleted>false", "<isDeleted>true" if k == posts_per_page - 1 else "<isDeleted>false")
        for n in range(pages) for k in range(posts_per_page)
    )
    return small_disqus(threads, posts)


@pytest.fixture
def posts_built(monkeypatch):
    """Counts the posts the reader builds whole, and fails when a well-formed file is parsed
    as one tree instead of streamed."""
    built = []
    original = disqus._Post.of.__func__
    monkeypatch.setattr(disqus._Post, "of", classmethod(lambda cls, *args: built.append(1) or original(cls, *args)))
    monkeypatch.setattr(disqus.xmlsafe, "parse_export", lambda *args: pytest.fail("a well-formed export was parsed whole"))
    return built


@pytest.mark.parametrize("selector", ["9150", "bed-150", "https://garden.example.org/150", "Bed 150"])
def test_a_big_export_is_streamed_and_only_the_chosen_pages_posts_are_built(posts_built, selector):
    thread = read(site_export(300), thread=selector)
    assert (thread.id, thread.title, thread.url) == ("9150", "Bed 150", "https://garden.example.org/150/")
    assert [(r.id, r.body) for r in thread.replies] == [("15000", "<p>Bed 150, note 0.</p>"), ("15001", "<p>Bed 150, note 1.</p>")]
    assert thread.import_notes == ("skipped 1 deleted post(s)",) and not thread.partial
    assert len(posts_built) == 3  # of 900: the page's own posts, deleted one included


def test_a_big_export_without_a_selector_lists_its_pages_without_building_posts(posts_built):
    with pytest.raises(SourceError) as error:
        read(site_export(300))
    assert error.value.message.startswith("the export holds 300 pages with comments:\n  9000 [identifier bed-0] \"Bed 0\" https://garden.example.org/0/ (2 posts)\n")
    assert error.value.message.endswith("\n  ... and 280 more")
    assert posts_built == []


def test_posts_listed_before_their_thread_are_all_imported():
    """Disqus lists threads first, but a hand-made or merged file may not: the posts read before
    their thread are found again in a second pass."""
    text = small_disqus("", post("1", "100") + page("100", "https://blog.example.net/a/", "A") + post("2", "100") + post("3", "200")
                        + page("200", "https://blog.example.net/b/", "B"))
    for selector in ("100", "https://blog.example.net/a/"):
        thread = read(text, thread=selector)
        assert [r.id for r in thread.replies] == ["1", "2"] and thread.import_notes == ()
    with pytest.raises(SourceError) as error:
        read(text)
    assert '100 "A" https://blog.example.net/a/ (2 posts)' in error.value.message and '200 "B" https://blog.example.net/b/ (1 post)' in error.value.message


def test_windows_1252_text_and_a_doctype_are_still_read_whole():
    thread = read(EXPORT.encode().replace(b"Lovely photos.", b"Lovely caf\xe9 photos."))
    assert thread.replies[0].body == "<p>Lovely café photos. Do they close up when the water goes out?</p>"
    assert thread.import_notes[0].startswith("1 piece(s) of text are not valid UTF-8, the export's encoding (first at line 44)")
    with_doctype = read(EXPORT.replace('<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE disqus>'))
    assert with_doctype.replies == read(EXPORT).replies and not with_doctype.partial


def test_titles_and_names_stored_html_escaped_are_unescaped_once():
    """The WordPress plugin sends the_title() ("I&#8217;m"), which Disqus keeps as given."""
    named = post("1", "100").replace("<name>Ann</name>", "<name><![CDATA[Se&aacute;n O&#039;Brien]]></name>")
    text = small_disqus(page("100", "https://blog.example.net/im-here/", "<![CDATA[Why I&#8217;m here &amp; there]]>"), named)
    thread = read(text)
    assert thread.title == "Why I\u2019m here & there"
    assert [r.author for r in thread.replies] == ["Se\u00e1n O'Brien"]
    assert read(text, thread="I\u2019m here").id == "100"


def test_a_protocol_relative_link_is_taken_as_https_with_a_note():
    """Sites printing their links as ``//host/path`` hand Disqus those; they are pages all the same."""
    closed = page("100", "//blog.example.net/2014/07/leeks/", "Leeks").replace("</thread>", "<isClosed>true</isClosed></thread>")
    text = small_disqus(closed + page("200", "https://blog.example.net/other/", "Other"), post("1", "100"))
    thread = read(text)
    assert thread.url == "https://blog.example.net/2014/07/leeks/"
    assert thread.replies[0].permalink == "https://blog.example.net/2014/07/leeks/#comment-1"
    assert thread.import_notes == (
        "the thread is closed (isClosed): it takes no new comments",
        "the page's link names no scheme (<link>//blog.example.net/2014/07/leeks/</link>); taken as https://blog.example.net/2014/07/leeks/",
    )
    assert read(text, thread="http://blog.example.net/2014/07/leeks").id == "100"
    assert read(small_disqus(page("100", "/2014/07/leeks/", "Leeks"), post("1", "100"))).url is None


COMMENTS_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<commentsExport version="1.0"
  xmlns="http://disqus.com"
  xmlns:dsq="http://disqus.com/disqus-internals"
  xmlns:custom="https://example.com/ns/comments-export/1.0">
  <category dsq:id="1"><forum>blog.example.org</forum><title>General</title><isDefault>true</isDefault></category>
  <thread dsq:id="1">
    <id>https://blog.example.org/posts/leeks/</id>
    <forum>blog.example.org</forum>
    <link>https://blog.example.org/posts/leeks/</link>
    <title>https://blog.example.org/posts/leeks/</title>
    <createdAt>2026-01-10T00:00:00Z</createdAt>
    <isClosed>false</isClosed>
    <isDeleted>false</isDeleted>
  </thread>
  <post dsq:id="11">
    <thread dsq:id="1"/>
    <author><name>Ana</name><isAnonymous>false</isAnonymous></author>
    <message><![CDATA[Why do my leeks bolt?]]></message>
    <custom:reactions><custom:reaction type="like" ip="192.0.2.1" createdAt="2026-01-02T10:00:00Z"/></custom:reactions>
    <custom:status>approved</custom:status>
    <createdAt>2026-01-01T09:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isApproved>true</isApproved><isFlagged>false</isFlagged><isSpam>false</isSpam>
  </post>
  <post dsq:id="12">
    <thread dsq:id="1"/>
    <parent dsq:id="11"/>
    <author><name>Ben</name><isAnonymous>false</isAnonymous></author>
    <message><![CDATA[Cold nights, Ana.]]></message>
    <custom:status>approved</custom:status>
    <createdAt>2026-01-01T10:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isApproved>true</isApproved><isFlagged>false</isFlagged><isSpam>false</isSpam>
  </post>
  <post dsq:id="13">
    <thread dsq:id="1"/>
    <author><name>Cy</name><isAnonymous>false</isAnonymous></author>
    <message><![CDATA[Awaiting moderation.]]></message>
    <custom:status>pending</custom:status>
    <createdAt>2026-01-01T11:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isApproved>false</isApproved><isFlagged>false</isFlagged><isSpam>false</isSpam>
  </post>
  <custom:postReactions><custom:reaction pageUrl="/posts/leeks/" type="like" ip="192.0.2.3" createdAt="2026-01-02T12:00:00Z"/></custom:postReactions>
</commentsExport>
"""


def test_another_systems_export_in_disqus_format_is_recognised_and_read():
    """The self-hosted "standalone-comments" exports Disqus's elements under <commentsExport>;
    its comments still held for moderation say <isApproved>false</isApproved>."""
    assert disqus.sniff(SourceDocument("comments_export_2026-01-10.xml", COMMENTS_EXPORT.encode()))
    assert not disqus.sniff(SourceDocument("x.xml", b'<?xml version="1.0"?>\n<commentsExport version="1.0"><comment/></commentsExport>'))
    for text in (COMMENTS_EXPORT, COMMENTS_EXPORT.replace("<commentsExport", "<!DOCTYPE commentsExport>\n<commentsExport")):
        thread = read(text)
        assert thread.url == "https://blog.example.org/posts/leeks/"
        assert [(r.id, r.author, r.parent_id, r.body) for r in thread.replies] == [
            ("11", "Ana", None, "<p>Why do my leeks bolt?</p>"),
            ("12", "Ben", "11", "<p>Cold nights, Ana.</p>"),
        ]
        assert thread.import_notes == (
            "the root element is <commentsExport>, not <disqus>: another comment system's export in Disqus's format, read as one",
            "skipped 1 unapproved (pending) post(s)",
        )


def test_a_message_of_bare_text_keeps_its_paragraphs_and_line_breaks():
    """Comments imported into Disqus from a blog keep the bare newlines the blog stored them
    with; read as HTML they would run together into one line."""
    text = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="2000"><id>1496 http://blog.example.org/?p=1496</id><link>http://blog.example.org/moving-house/</link><title>Moving house</title></thread>
<post dsq:id="3000"><message><![CDATA[<p>Good luck with the move!</p>]]></message><createdAt>2012-01-05T11:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Ann</name></author><thread dsq:id="2000" /></post>
<post dsq:id="3001"><message><![CDATA[Thanks Ann,
the boxes are <b>all</b> packed.

See you on Sunday.]]></message><createdAt>2012-01-05T12:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Bo</name></author><thread dsq:id="2000" /><parent dsq:id="3000" /></post>
<post dsq:id="3002"><message><![CDATA[One line, nothing to lay out]]></message><createdAt>2012-01-05T13:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Cy</name></author><thread dsq:id="2000" /></post>
</disqus>"""
    thread = read(text)
    assert thread.reply("3001").body == "<p>Thanks Ann,<br>the boxes are <strong>all</strong> packed.</p><p>See you on Sunday.</p>"
    assert thread.reply("3000").body == "<p>Good luck with the move!</p>"
    assert thread.reply("3002").body == "<p>One line, nothing to lay out</p>"
    assert thread.import_notes == (
        "1 post(s) written as bare text, without <p> or <br> (as comments imported into Disqus from a blog are): "
        "blank lines read as paragraph breaks, other newlines as line breaks",
    )


def test_utf8_declared_latin_is_read_as_utf8_and_said():
    text = EXPORT.replace('encoding="utf-8"', 'encoding="iso-8859-1"', 1).replace("Lovely photos.", "Très jolies photos.", 1)
    thread = read(text.encode("utf-8"))
    assert any("Très jolies photos." in r.body for r in thread.replies)
    assert "the file declares the encoding iso-8859-1, but its text is UTF-8 (which iso-8859-1 text almost never is); read as UTF-8" in thread.import_notes


def test_utf8_declared_utf16_is_read_as_utf8_and_said():
    text = EXPORT.replace('encoding="utf-8"', 'encoding="utf-16"', 1).replace("Lovely photos.", "Très jolies photos.", 1)
    thread = read(text.encode("utf-8"))
    assert any("Très jolies photos." in r.body for r in thread.replies)
    assert "the file declares the encoding utf-16, but is written one byte a character, as utf-16 never is; read as UTF-8" in thread.import_notes
