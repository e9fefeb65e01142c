"""Inputs that once broke a reader, each kept as small as shows it: mail's closing notices and
taglines, feeds' engine rules and CDATA repair, Discourse titles read from percent-encoded slugs,
control characters in HTML references and CSV cells.  The long inputs once took minutes (their
square, or worse) or ran out of Python's stack."""

from __future__ import annotations

import json

from digest.sources import ImportRequest, SourceDocument, discourse, feed, mbox, stackexchange, wordpress_rest

MAIL_HEAD = ("From: Ann <ann@example.com>\nSubject: Migration\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n"
             "Message-ID: <ann@example.com>\nContent-Type: text/plain; charset=utf-8\n\n")


def _mail_body(text: str) -> str:
    thread = mbox.read(ImportRequest((SourceDocument("m.eml", (MAIL_HEAD + text).encode()),)))
    assert thread.import_notes == ()
    return thread.opening_post.body


def _feed(data: str):
    return feed.read(ImportRequest((SourceDocument("feed.xml", data.encode()),)))


def _rss_item(description: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Blog</title><link>https://b.example/</link>'
            f"<item><title>Post</title><link>https://b.example/1</link><guid>https://b.example/1</guid>"
            f"<description>{description}</description></item></channel></rss>")


def test_hundreds_of_notice_paragraphs_in_a_row_keep_the_message_text():
    # each notice asked whether the next closed the message, one call deeper each: past Python's
    # stack the message was imported as having no readable text
    notices = "NOTICE: this is confidential.\n\n" * 600
    assert _mail_body("Hello all.\n\n" + notices + "Bye.") == (
        "<p>Hello all.</p>" + "<p>NOTICE: this is confidential.</p>" * 600 + "<p>Bye.</p>")


def test_a_pasted_log_of_notice_lines_is_read_in_one_pass():
    log = "\n".join(['NOTICE:  relation "leeks" already exists, skipping'] * 5_000)
    assert _mail_body("Ran it twice:\n\n" + log + "\n\nAny idea?") == f"<p>Ran it twice:</p><pre>{log}</pre><p>Any idea?</p>"


def test_webmail_taglines_one_after_another_keep_the_message_text():
    taglines = "____________________\nDo you Yahoo!?\n\n" * 600
    assert _mail_body("Hello all.\n\n" + taglines + "Bye.") == (
        "<p>Hello all.</p>" + "<p>____________________<br>Do you Yahoo!?</p>" * 600 + "<p>Bye.</p>")


def test_a_feed_post_with_a_long_run_of_spaces_is_read_in_one_pass():
    thread = _feed(_rss_item("&lt;p&gt;Leeks" + " " * 200_000 + "bolt …&lt;/p&gt;"))
    assert thread.replies[0].body == "<p>Leeks" + " " * 200_000 + "bolt …</p>"


def test_a_lemmy_post_counting_in_thousands_of_digits_keeps_its_post_without_the_counts():
    huge = "9" * 5000  # Python refuses to read a number of over 4,300 digits
    opening = (f'submitted by &lt;a href="https://l.example/u/ann"&gt;ann&lt;/a&gt; to &lt;a href="https://l.example/c/x"&gt;x&lt;/a&gt;'
               f'&lt;br&gt;{huge} points | &lt;a href="https://l.example/post/1"&gt;{huge} comments&lt;/a&gt;&lt;p&gt;Hi&lt;/p&gt;')
    (reply,) = _feed(_rss_item(opening)).replies
    assert (reply.permalink, reply.body, reply.engagement.score, reply.engagement.replies) == (
        "https://l.example/post/1", "<p>Hi</p>", None, None)


def test_a_lemmy_post_line_linking_no_web_address_is_not_the_posts_page():
    opening = ('submitted by &lt;a href="https://l.example/u/ann"&gt;ann&lt;/a&gt; to &lt;a href="https://l.example/c/x"&gt;x&lt;/a&gt;'
               '&lt;br&gt;5 points | &lt;a href="javascript:alert(1)"&gt;2 comments&lt;/a&gt;&lt;p&gt;Hi&lt;/p&gt;')
    (reply,) = _feed(_rss_item(opening)).replies
    assert (reply.permalink, reply.engagement.score) == ("https://b.example/1", None)


def test_an_entry_of_thousands_of_cut_copies_keeps_its_whole_text():
    copies = "".join(f"<content type='text'>Part {i} of the report …</content>" for i in range(5_000))
    thread = _feed('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Issues</title>'
                   '<id>https://g.example/issues</id><entry><id>https://g.example/issues/1</id><title>Crash</title>'
                   f"<updated>2026-11-20T10:12:45Z</updated>{copies}</entry></feed>")
    assert thread.replies[0].body == "<p>Part 0 of the report …</p>"


def test_a_broken_feed_of_thousands_of_unclosed_cdata_sections_is_repaired_in_one_pass():
    unclosed = "<category><![CDATA[" * 50_000
    thread = _feed(_rss_item("<![CDATA[<pre>x = ']]>'</pre>]]>").replace("</item>", unclosed + "</item>"))
    assert thread.replies[0].body == "<pre>x = ']]&gt;'</pre>"
    assert thread.import_notes[0] == ('1 "]]>" inside CDATA text (code, or a CDATA section within the post) ended it early, '
                                      "which broke the feed's XML; read as part of the text")


def test_a_slug_decoding_to_control_characters_is_no_title():
    post = {"id": 7, "post_number": 1, "username": "ann", "created_at": "2024-03-01T09:30:00Z", "cooked": "<p>Hi</p>",
            "topic_id": 42, "topic_slug": "leeks%0D%0ABcc%3A%20x%40example.com"}
    thread = discourse.read(ImportRequest((SourceDocument("posts.json", json.dumps({"post_stream": {"posts": [post]}}).encode()),)))
    assert thread.title == "Leeks%0D%0ABcc%3A%20x%40example.com"


def test_a_reference_to_a_control_character_in_a_comment_is_dropped_not_a_crash():
    comment = {"id": 7, "post": 42, "parent": 0, "author_name": "Marta", "date_gmt": "2024-05-03T10:00:00",
               "content": {"rendered": "<p>Thanks &#1e309; it worked.</p>\n"}, "link": "https://b.example/leeks/#comment-7"}
    thread = wordpress_rest.read(ImportRequest((SourceDocument("comments.json", json.dumps([comment]).encode()),)))
    assert thread.replies[0].body == "<p>Thanks e309; it worked.</p>"


def test_control_characters_in_a_csv_copy_of_a_dump_are_dropped_as_its_xml_cannot_hold_them():
    posts = ("Id,PostTypeId,ParentId,CreationDate,Score,Body,OwnerUserId,Title\n"
             "1,1,,2010-01-01T00:00:00.000,5,<p>Why?</p>,10,Why\x00 does\x07 it bolt\n"
             "2,2,1,2010-01-01T01:00:00.000,1,<p>Heat.</p>,11,\n")
    users = "Id,DisplayName,Reputation\n10,Ann\x00\x1b Lee,1\n11,Ben,1\n"
    thread = stackexchange.read(ImportRequest((SourceDocument("d/Posts.csv", posts.encode()),
                                               SourceDocument("d/Users.csv", users.encode()))))
    assert (thread.title, thread.author, [r.author for r in thread.replies]) == ("Why does it bolt", "Ann Lee", ["Ben"])
