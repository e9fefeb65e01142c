"""A discussion page's URL leads to the data behind it: known sites by address, other pages
by what they say (pure), and the whole way through the CLI against a real local server."""

from __future__ import annotations

import gzip
import http.server
import json
import threading
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from digest.discover import checked_against_page, from_page, known_site, looks_like_html, next_page
from digest.errors import SourceError
from digest.model import Reply, Thread


@pytest.mark.parametrize(
    ("page", "data"),
    [
        ("https://www.reddit.com/r/gardening/comments/abc123/why_do_tomatoes_split/",
         "https://www.reddit.com/r/gardening/comments/abc123.json?raw_json=1&limit=500"),
        ("https://old.reddit.com/r/gardening/comments/abc123/why_do_tomatoes_split/kx9/?context=3",
         "https://www.reddit.com/r/gardening/comments/abc123.json?raw_json=1&limit=500"),
        ("https://redd.it/abc123", "https://www.reddit.com/comments/abc123.json?raw_json=1&limit=500"),
        ("https://i.reddit.com/user/bob/comments/abc123/hi/", "https://www.reddit.com/comments/abc123.json?raw_json=1&limit=500"),
        ("https://www.reddit.com/gallery/abc123", "https://www.reddit.com/comments/abc123.json?raw_json=1&limit=500"),
        ("https://news.ycombinator.com/item?id=8863", "https://hn.algolia.com/api/v1/items/8863"),
    ],
)
def test_known_sites_are_read_from_their_data_url(page, data):
    found = known_site(page)
    assert found is not None and found.url == data
    assert data in found.note


@pytest.mark.parametrize(
    "page",
    ["https://www.reddit.com/r/gardening/", "https://www.reddit.com/r/python/s/AbCdEf123", "https://news.ycombinator.com/news", "https://news.ycombinator.com/item?id=x",
     "https://forum.example.org/t/pruning-shears/42", "https://blog.example.net/2024/05/tomatoes/"],
)
def test_other_addresses_are_not_guessed(page):
    assert known_site(page) is None


def test_only_web_pages_are_looked_at_as_pages():
    assert looks_like_html(b"<!DOCTYPE html><html>") and looks_like_html(b"\n <html lang=en>")
    assert looks_like_html(b'<?xml version="1.0"?>\n<!-- x --><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN">')
    html_mail = b"From ann@example.org Mon Jan  1 00:00:00 2024\nContent-Type: text/html\n\n<html><body>hi"
    assert not looks_like_html(html_mail) and not looks_like_html(b'<?xml version="1.0"?><rss>')


DISCOURSE_PAGE = b"""<!DOCTYPE html><html><head>
<meta name="generator" content="Discourse 3.3.0 - https://github.com/discourse/discourse version abc">
<link rel="canonical" href="https://forum.example.org/community/t/pruning-shears/42">
<link rel="alternate" type="application/rss+xml" title="RSS feed of 'Pruning shears'" href="/community/t/pruning-shears/42.rss">
</head><body>Pruning shears</body></html>"""

WORDPRESS_POST = b"""<!doctype html><html><head>
<link rel="alternate" type="application/rss+xml" title="Garden Notes &raquo; Feed" href="https://blog.example.net/feed/">
<link rel="alternate" type="application/rss+xml" title="Garden Notes &raquo; Comments Feed" href="https://blog.example.net/comments/feed/">
<link rel="alternate" type="application/rss+xml" title="Garden Notes &raquo; Why tomatoes split Comments Feed" href="https://blog.example.net/2024/05/tomatoes/feed/">
</head><body><article>Why tomatoes split</article></body></html>"""


def test_a_discourse_page_leads_to_its_topic_json_with_every_post():
    found = from_page("https://forum.example.org/community/t/pruning-shears/42/7", DISCOURSE_PAGE)
    assert found.url == "https://forum.example.org/community/t/42.json?print=true"  # print: up to 1000 posts, not 20


@pytest.mark.parametrize("path", ["/t/42", "/t/42/7", "/t/pruning-shears/42/", "/t/2024-shears/42/7"])
def test_every_form_of_a_discourse_topic_address_names_the_topic(path):
    page = DISCOURSE_PAGE.replace(b'<link rel="canonical" href="https://forum.example.org/community/t/pruning-shears/42">', b"")
    assert from_page(f"https://forum.example.org{path}", page).url == "https://forum.example.org/t/42.json?print=true"


def test_a_blog_post_page_leads_to_its_own_comments_feed():
    found = from_page("https://blog.example.net/2024/05/tomatoes/#comment-12", WORDPRESS_POST)
    assert found.url == "https://blog.example.net/2024/05/tomatoes/feed/"
    assert found.shown_replies is None  # the page shows no comments


def test_comments_the_page_shows_beyond_its_feed_make_the_import_partial():
    """WordPress feeds list the newest 10 comments; the page shows every one."""
    comments = "".join(f'<li id="li-comment-{n}"><article id="div-comment-{n}">Reply {n}</article></li>' for n in range(1, 13))
    page = WORDPRESS_POST.replace(b"</article>", f"</article><ol>{comments}</ol>".encode())
    found = from_page("https://blog.example.net/2024/05/tomatoes/", page)
    assert found.shown_replies == 12
    reply = Reply(id="1", author="Ann", body="<p>Hi.</p>")
    thread = Thread(id="t", title="Tomatoes", url=None, replies=(reply,) * 10, source_format="feed", import_notes=("kept",))
    checked = checked_against_page(thread, found)
    assert checked.partial and checked.total_replies == 12
    assert checked.import_notes == ("kept", "the page shows 12 comments, its feed only the newest 10: a blog's feeds list a set "
                                    "number of comments (WordPress: 10 unless its owner changed Settings → Reading); a "
                                    "WordPress export (WXR) from the blog's owner holds them all")
    assert checked_against_page(replace(thread, replies=(reply,) * 12), found).import_notes == ("kept",)
    api = page.replace(b"</head>", b'<link rel="alternate" type="application/json" href="https://blog.example.net/wp-json/wp/v2/posts/7"></head>')
    found = from_page("https://blog.example.net/2024/05/tomatoes/", api)
    assert found.every_reply == "https://blog.example.net/wp-json/wp/v2/comments?post=7&per_page=100"
    assert checked_against_page(thread, found).import_notes[-1].endswith(
        "; import https://blog.example.net/wp-json/wp/v2/comments?post=7&per_page=100 instead (the blog's API, 100 comments to a page)")
    plain = page.replace(b"</head>", b'<link rel="alternate" type="application/json" href="https://blog.example.net/index.php?rest_route=/wp/v2/posts/7"></head>')
    assert from_page("https://blog.example.net/2024/05/tomatoes/", plain).every_reply == (
        "https://blog.example.net/index.php?rest_route=%2Fwp%2Fv2%2Fcomments&post=7&per_page=100")  # a site without pretty links


HYPERKITTY_THREAD = b"""<!DOCTYPE html><html><head><title>[Python-Dev] PEP 999 - Python-Dev</title>
<link rel="alternate" type="application/rss+xml" href="/archives/list/python-dev@python.org/feed/">
</head><body><a href="/archives/list/python-dev@python.org/export/python-dev@python.org-ABC123.mbox.gz?message=X1">one message</a>
<a class="btn" href="/archives/list/python-dev@python.org/export/python-dev@python.org-ABC123.mbox.gz?thread=ABC123"
 title="This thread in gzipped mbox format">Download</a></body></html>"""

PUBLIC_INBOX_MESSAGE = b"""<html><head><title>[PATCH] mm: fix a leak</title>
<link rel=alternate title="Atom feed" href="../new.atom" type="application/atom+xml"/></head><body><pre>
Thread overview: 3+ messages (<a href="t/#u">expand</a> / <a href="t.mbox.gz">mbox.gz</a> / <a href="t.atom">Atom feed</a>)
</pre></body></html>"""


def test_a_mail_archive_thread_page_leads_to_the_thread_as_an_mbox():
    hyperkitty = from_page("https://mail.python.org/archives/list/python-dev@python.org/thread/ABC123/", HYPERKITTY_THREAD)
    assert hyperkitty.url == ("https://mail.python.org/archives/list/python-dev@python.org/export/"
                              "python-dev@python.org-ABC123.mbox.gz?thread=ABC123")
    inbox = from_page("https://lore.kernel.org/linux-mm/20260101.1234-1-ann@example.org/", PUBLIC_INBOX_MESSAGE)
    assert inbox.url == "https://lore.kernel.org/linux-mm/20260101.1234-1-ann@example.org/t.mbox.gz"


def _page(head: str, body: str = "", body_class: str = "") -> bytes:
    return f'<!DOCTYPE html><html><head>{head}</head><body class="{body_class}">{body}</body></html>'.encode()


def _feed_link(href: str, title: str = "") -> str:
    return f'<link rel="alternate" type="application/rss+xml" title="{title}" href="{href}">'


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("https://x.blogspot.com/2013/06/post.html", "https://www.blogger.com/feeds/4129989946/7085734501/comments/default"),  # Blogger
        ("https://x.blogspot.com/2013/06/post.html", "https://x.blogspot.com/feeds/7085734501/comments/default"),
        ("http://s.example/?p=31", "http://s.example/?feed=rss2&amp;p=31"),  # WordPress without pretty permalinks
        ("https://example.com/2024/05/post/comment-page-2/", "https://www.example.com/2024/05/post/feed/"),  # a later page
        ("https://example.com/2024/05/post/2/", "https://example.com/2024/05/post/feed/atom/"),  # a long post's page 2
        ("https://forums.example.org/viewtopic.php?t=25574", "https://forums.example.org/app.php/feed/topic/25574?sid=5673"),  # phpBB
        ("https://forums.example.org/viewtopic.php?f=3&t=25574", "https://forums.example.org/feed.php?f=3&amp;t=25574"),
        ("https://stackoverflow.com/questions/9688200/slug", "https://stackoverflow.com/feeds/question/9688200"),
        ("https://community.example/topic/123/my-topic", "https://community.example/topic/123.rss"),  # NodeBB
    ],
)
def test_each_platforms_discussion_feed_is_found(page, feed):
    html = _page(_feed_link("/feed/", "Site feed") + _feed_link(feed, "This discussion"), body_class="single")
    assert from_page(page, html).url == feed.replace("&amp;", "&")


def test_a_blog_home_or_category_page_is_not_a_discussion():
    """Their own feeds are feeds of posts: refused, listing them, not imported as a thread."""
    home = _page(_feed_link("https://s.example/blog/feed/", "B » Feed") + _feed_link("https://s.example/blog/comments/feed/"), body_class="home blog")
    category = _page(_feed_link("https://s.example/category/news/feed/", "News Category Feed"), body_class="archive category")
    for page, html in (("https://s.example/blog/", home), ("https://s.example/category/news/", category)):
        with pytest.raises(SourceError, match="the feeds it links are not one discussion's"):
            from_page(page, html)


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("https://x.blogspot.com/2013/06/post.html", "https://www.blogger.com/feeds/4129989946/comments/default"),  # the blog's
        ("https://forum.example/category/5/general", "https://forum.example/category/5.rss"),  # NodeBB category
        ("https://forum.example/forums/general-discussion.5/", "https://forum.example/forums/general-discussion.5/index.rss"),  # XenForo
        ("https://site.example/posts/", "https://site.example/posts/index.xml"),  # a static site's section
        ("https://forums.example.org/viewtopic.php?t=25574", "https://forums.example.org/app.php/feed/forum/3"),  # phpBB forum
    ],
)
def test_feeds_of_a_blog_a_category_or_a_section_are_not_the_discussions(page, feed):
    with pytest.raises(SourceError, match="the feeds it links are not one discussion's"):
        from_page(page, _page(_feed_link(feed, "Feed"), body_class="single"))


def test_a_discourse_page_that_is_no_topic_is_refused():
    category = DISCOURSE_PAGE.replace(b'<link rel="canonical" href="https://forum.example.org/community/t/pruning-shears/42">',
                                      b'<link rel="canonical" href="https://forum.example.org/c/support/5">')
    with pytest.raises(SourceError, match="this is a web page, not discussion data"):
        from_page("https://forum.example.org/c/support/5", category)


def test_a_page_whose_comments_are_disqus_says_how_to_get_them():
    embed = b'<div id="disqus_thread"></div><script src="https://leeks.disqus.com/embed.js"></script>'
    with pytest.raises(SourceError) as info:
        from_page("https://s.example/2020/leeks.html", _page("", embed.decode()))
    assert info.value.message.startswith("this page's comments are Disqus's")
    assert info.value.fix.endswith("--format disqus --thread https://s.example/2020/leeks.html")
    found = from_page("https://blog.example.net/2024/05/tomatoes/", WORDPRESS_POST.replace(b"</body>", embed + b"</body>"))
    assert found.disqus
    empty = Thread(id="t", title="Tomatoes", url="https://blog.example.net/2024/05/tomatoes/", replies=(), source_format="feed")
    checked = checked_against_page(empty, found)
    assert checked.partial and checked.import_notes[-1].startswith("the page shows its comments with Disqus, which this feed does not hold")


def test_stack_exchange_comments_are_not_counted_as_blog_comments():
    question = _page(_feed_link("https://stackoverflow.com/feeds/question/9688200", "Q"),
                     '<ul><li id="comment-1"></li><li id="comment-2"></li></ul>', body_class="question-page")
    assert from_page("https://stackoverflow.com/questions/9688200/slug", question).shown_replies is None


@pytest.mark.parametrize("start", [b"<br />\n<b>Deprecated</b>:  Function create_function() is deprecated in <b>/x.php</b> on line <b>2</b><br />\n",
                                   b""])
def test_a_page_is_a_page_after_php_warnings_or_without_its_html_element(start):
    assert looks_like_html(start + b"<!DOCTYPE html><html><head></head></html>")
    assert looks_like_html(start + b"<head><title>Leeks</title></head><body></body>")


@pytest.mark.parametrize("view", ["T/", "t/"])
def test_a_public_inbox_thread_view_leads_to_its_messages_thread(view):
    page = _page("", '<a href="../t.mbox.gz">mbox.gz</a> <a href="../../new.atom">Atom</a>')
    found = from_page(f"https://lore.kernel.org/all/20240208.2754421-2@gmail.com/{view}#u", page)
    assert found.url == "https://lore.kernel.org/all/20240208.2754421-2@gmail.com/t.mbox.gz"


def test_a_mail_archive_index_or_message_page_leads_only_to_its_own_thread():
    index = _page("", '<a href="20240102.9@example.org/t.mbox.gz">newest thread</a>')
    with pytest.raises(SourceError):
        from_page("https://lore.kernel.org/lkml/", index)  # a list's index: not the newest thread
    message = _page("", '<a href="/archives/list/l%40lists.example/thread/TID123/#MSG456">Back to the thread</a>')
    found = from_page("https://lists.example/archives/list/l@lists.example/message/MSG456/", message)
    assert found.url == "https://lists.example/archives/list/l%40lists.example/export/l@lists.example-TID123.mbox.gz?thread=TID123"


def test_a_pipermail_message_page_says_which_archive_and_thread_to_import():
    page = b'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"><HTML><HEAD><TITLE> [Garden] Re: Seed swap </TITLE></HEAD></HTML>'
    with pytest.raises(SourceError) as info:
        from_page("https://lists.example/pipermail/garden/2016-February/009858.html", page)
    assert info.value.fix == ("this is a Mailman archive message: import the period's archive, "
                              'https://lists.example/pipermail/garden/2016-February.txt.gz (or .txt), with --thread "Seed swap"')


def test_a_page_with_only_site_feeds_is_refused_listing_them():
    """The site's feed of posts is not this discussion: it is named, never taken."""
    page = WORDPRESS_POST.replace(b"2024/05/tomatoes/feed/", b"other/feed/")
    with pytest.raises(SourceError) as info:
        from_page("https://blog.example.net/2024/05/tomatoes/", page)
    message = str(info.value)
    assert message.startswith("https://blog.example.net/2024/05/tomatoes/: this is a web page, not discussion data")
    assert "https://blog.example.net/feed/ (Garden Notes » Feed)" in message
    assert "its feed or JSON URL" in message


def test_a_page_without_any_feed_says_what_to_give_instead():
    with pytest.raises(SourceError, match=r"this is a web page, not discussion data digest can read\n  fix: give"):
        from_page("https://example.org/", b"<html><body>hello</body></html>")


# ---------------------------------------------------------------------------- through the CLI

TOPIC = {
    "id": 42, "title": "Pruning shears", "slug": "pruning-shears", "posts_count": 2,
    "details": {"created_by": {"username": "ann"}},
    "post_stream": {
        "posts": [
            {"id": 501, "post_number": 1, "username": "ann", "created_at": "2024-03-01T09:30:00Z", "post_type": 1,
             "cooked": "<p>Which shears do you use?</p>", "topic_id": 42, "topic_slug": "pruning-shears"},
            {"id": 502, "post_number": 2, "username": "ben", "created_at": "2024-03-02T09:30:00Z", "post_type": 1,
             "cooked": "<p>Bypass shears.</p>", "reply_to_post_number": 1, "topic_id": 42, "topic_slug": "pruning-shears"},
        ],
        "stream": [501, 502],
    },
}

COMMENTS_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Comments on: Why tomatoes split</title><link>https://blog.example.net/2024/05/tomatoes/</link>
<item><title>By: Ann</title><link>https://blog.example.net/2024/05/tomatoes/#comment-1</link>
<dc:creator>Ann</dc:creator><pubDate>Wed, 01 May 2024 08:00:00 +0000</pubDate>
<guid isPermaLink="false">https://blog.example.net/?p=7#comment-1</guid><description>Water them evenly.</description></item>
</channel></rss>"""


THREAD_MBOX = gzip.compress(b"""From ann@example.org Mon Jan  1 08:00:00 2024
From: Ann <ann@example.org>
Subject: PEP 999
Message-ID: <1@example.org>
Date: Mon, 01 Jan 2024 08:00:00 +0000

Shall we?

From ben@example.org Mon Jan  1 09:00:00 2024
From: Ben <ben@example.org>
Subject: Re: PEP 999
Message-ID: <2@example.org>
In-Reply-To: <1@example.org>
Date: Mon, 01 Jan 2024 09:00:00 +0000

Yes.
""")


def _wp_comments(*ids: int) -> bytes:
    return json.dumps([{"id": i, "post": 8, "parent": 0, "author_name": f"user{i}", "date_gmt": f"2024-05-0{i}T08:00:00",
                        "content": {"rendered": f"<p>Comment {i}.</p>"}, "link": f"https://blog.example.net/leeks/#comment-{i}",
                        "status": "approved", "type": "comment"} for i in ids]).encode()


class Site(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        Site.hits.append(self.path)
        port = self.server.server_address[1]
        pages = {
            "/community/t/pruning-shears/42": DISCOURSE_PAGE.replace(b"https://forum.example.org", f"http://127.0.0.1:{port}".encode()),
            "/community/t/42.json?print=true": json.dumps(TOPIC).encode(),
            "/2024/05/tomatoes/": WORDPRESS_POST.replace(b"https://blog.example.net", f"http://127.0.0.1:{port}".encode()),
            "/2024/05/tomatoes/feed/": COMMENTS_FEED,
            "/wp-json/wp/v2/comments?post=8&per_page=2": _wp_comments(1, 2),
            "/wp-json/wp/v2/comments?post=8&per_page=2&page=2": _wp_comments(3, 4),
            "/gone/": _page(_feed_link("/gone/feed/", "Comments"), body_class="single"),  # its feed answers 404
            "/blocked/": _page(_feed_link("/blocked/feed/", "Comments"), body_class="single"),
            "/blocked/feed/": _page("<title>Just a moment...</title>"),  # a bot check instead of the feed
            "/wp-json/wp/v2/comments?post=7&per_page=100": json.dumps([{
                "id": 1, "post": 7, "parent": 0, "author_name": "Ann", "date_gmt": "2024-05-01T08:00:00",
                "content": {"rendered": "<p>Water them evenly.</p>"}, "link": "https://blog.example.net/2024/05/tomatoes/#comment-1",
                "status": "approved", "type": "comment"}]).encode(),
            "/archives/list/python-dev@python.org/thread/ABC123/": HYPERKITTY_THREAD,
            "/archives/list/python-dev@python.org/export/python-dev@python.org-ABC123.mbox.gz?thread=ABC123": THREAD_MBOX,
            "/lkml/1@example.org/": PUBLIC_INBOX_MESSAGE,
            "/lkml/1@example.org/t.mbox.gz": THREAD_MBOX,
        }
        if self.path == "/wp-json/wp/v2/comments?post=8&per_page=2&page=3":  # WordPress, past the last page
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/r/1@example.org":  # public-inbox adds the slash with a redirect
            self.send_response(301)
            self.send_header("Location", "/lkml/1@example.org/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = pages.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


@contextmanager
def site():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    ("page", "data", "author"),
    [
        ("/community/t/pruning-shears/42", "/community/t/42.json?print=true", "ben"),
        ("/2024/05/tomatoes/", "/2024/05/tomatoes/feed/", "Ann"),
        ("/archives/list/python-dev@python.org/thread/ABC123/",
         "/archives/list/python-dev@python.org/export/python-dev@python.org-ABC123.mbox.gz?thread=ABC123", "Ben"),  # gzipped
        ("/r/1@example.org", "/lkml/1@example.org/t.mbox.gz", "Ben"),  # relative to where the redirect landed
    ],
)
def test_importing_a_page_url_reads_the_data_behind_it(tmp_path, capsys, page, data, author):
    from digest.cli import main

    Site.hits = []
    with site() as base:
        code = main(["--state-dir", str(tmp_path / "state"), "import", base + page, "-o", str(tmp_path / "t.json")])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert Site.hits[0] == page and Site.hits[-1] == data and len(Site.hits) == 2 + (page.startswith("/r/"))
    thread = json.loads((tmp_path / "t.json").read_text())
    assert [r["author"] for r in thread["replies"]] == [author]
    assert thread["import_notes"][0].endswith(base + data)
    assert base + data in out.out + out.err  # the editor is told what was read


def test_a_blogs_comment_api_address_is_read_as_is(tmp_path, capsys):
    from digest.cli import main

    with site() as base:
        code = main(["--state-dir", str(tmp_path / "state"), "import", base + "/wp-json/wp/v2/comments?post=7&per_page=100",
                     "-o", str(tmp_path / "t.json")])
    assert code == 0, capsys.readouterr().err
    thread = json.loads((tmp_path / "t.json").read_text())
    assert (thread["source_format"], [r["author"] for r in thread["replies"]]) == ("wp-rest", ["Ann"])


def test_data_the_page_points_to_that_fails_says_so(tmp_path):
    from digest.pipeline import import_source

    with site() as base:
        with pytest.raises(SourceError) as gone:
            import_source(base + "/gone/", "auto", datetime(2026, 1, 1, tzinfo=timezone.utc))
        with pytest.raises(SourceError) as blocked:
            import_source(base + "/blocked/", "auto", datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert gone.value.where == base + "/gone/feed/"
    assert gone.value.message.endswith(f"(this is the discussion's data, which digest looked for from {base}/gone/)")
    assert blocked.value.message.startswith(f"the discussion's data, which digest looked for from {base}/blocked/, is a web page too")


def test_a_hacker_news_address_pasted_with_trailing_punctuation_is_still_known():
    for url in ("https://news.ycombinator.com/item?id=8863).", "https://news.ycombinator.com/item?id=8863."):
        assert known_site(url).url == "https://hn.algolia.com/api/v1/items/8863"


def test_an_address_with_an_upper_case_scheme_is_fetched(tmp_path):
    from digest.pipeline import import_source

    with site() as base:
        thread = import_source("HTTP://" + base.removeprefix("http://") + "/2024/05/tomatoes/", "auto", datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert [r.author for r in thread.replies] == ["Ann"]


def test_a_paged_comments_api_is_read_to_its_last_page():
    from digest.pipeline import import_source

    Site.hits = []
    with site() as base:
        thread = import_source(base + "/wp-json/wp/v2/comments?post=8&per_page=2", "auto", datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert [r.author for r in thread.replies] == ["user1", "user2", "user3", "user4"]
    assert Site.hits[-1] == "/wp-json/wp/v2/comments?post=8&per_page=2&page=3"  # full pages go on; the 400 ends them
    assert thread.import_notes == ()


def test_the_next_page_is_asked_for_only_after_a_full_page():
    full, short = _wp_comments(1, 2), _wp_comments(3)
    api = "https://blog.example.net/wp-json/wp/v2/comments?post=8&per_page=2"
    assert next_page(api, full, 2) == api + "&page=2"
    assert next_page(api + "&page=2", full, 3) == api + "&page=3"
    assert next_page(api, short, 2) is None
    assert next_page("https://blog.example.net/?rest_route=/wp/v2/comments&post=8", _wp_comments(*range(1, 11)), 2) == (
        "https://blog.example.net/?rest_route=%2Fwp%2Fv2%2Fcomments&post=8&page=2")
    assert next_page("https://blog.example.net/feed/", full, 2) is None


def test_a_wordpress_page_linking_only_its_api_root_names_the_posts_comments_in_the_api():
    """WordPress 4.7 to 5.4 link the REST API's root, not the post's JSON: the post's id is in
    the short link (?p=ID) or the body's postid-ID class."""
    comments = "".join(f'<li id="comment-{n}">Reply {n}</li>' for n in range(1, 13))
    page = WORDPRESS_POST.replace(b"</article>", f"</article><ol>{comments}</ol>".encode())
    rooted = page.replace(b"</head>", b"<link rel='https://api.w.org/' href='https://blog.example.net/wp-json/' />"
                                      b"<link rel='shortlink' href='https://blog.example.net/?p=17725' /></head>")
    found = from_page("https://blog.example.net/2024/05/tomatoes/", rooted)
    assert found.every_reply == "https://blog.example.net/wp-json/wp/v2/comments?post=17725&per_page=100"
    by_class = page.replace(b"</head>", b"<link rel='https://api.w.org/' href='https://blog.example.net/?rest_route=/' /></head>")
    by_class = by_class.replace(b"<body", b'<body class="post-template-default single single-post postid-88"', 1)
    assert from_page("https://blog.example.net/2024/05/tomatoes/", by_class).every_reply == (
        "https://blog.example.net/?rest_route=%2Fwp%2Fv2%2Fcomments&post=88&per_page=100")
    no_id = page.replace(b"</head>", b"<link rel='https://api.w.org/' href='https://blog.example.net/wp-json/' /></head>")
    assert from_page("https://blog.example.net/2024/05/tomatoes/", no_id).every_reply is None


def test_runs_of_comments_or_php_warnings_without_a_page_are_refused_at_once():
    """Each comment or warning more doubled the time it took to say no: 22 on one line took 12 s."""
    warning = b"<br /><b>Warning</b>: x in <b>/a.php</b> on line <b>1</b>"
    assert not looks_like_html(b"<!-- a -->" * 40 + b"x") and not looks_like_html(warning * 40 + b"x")
    assert looks_like_html(warning * 3 + b"<br />\n<!-- built 12:00 --><!DOCTYPE html><html></html>")
