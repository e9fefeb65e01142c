"""The feed reader: which post a comment is on (paged WordPress comments, Blogger comment feeds)."""

from __future__ import annotations

import pytest

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, feed


def read(data: bytes, thread: str | None = None):
    return feed.read(ImportRequest((SourceDocument("comments.xml", data),), thread=thread))


# ---------------------------------------------------------------------------- WordPress, comments broken into pages

def paged_item(number: int, page: int, name: str, content: str, day: int) -> str:
    return f"""<item><title>By: {name}</title>
    <link>https://veg.example.net/leeks/comment-page-{page}/#comment-{number}</link>
    <dc:creator>{name}</dc:creator><pubDate>Mon, {day:02d} Mar 2021 10:00:00 +0000</pubDate>
    <guid isPermaLink="false">https://veg.example.net/?p=7#comment-{number}</guid>
    <content:encoded><![CDATA[{content}]]></content:encoded></item>"""


def post_comments_feed(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Comments on: Leeks</title>'
        "<link>https://veg.example.net/leeks/</link>" + "".join(items) + "</channel></rss>"
    ).encode()


def test_paged_comments_of_one_post_are_one_thread():
    data = post_comments_feed(
        # the answer links its parent where it was when it was written, on page 1; the parent is on page 2 now
        paged_item(41, 2, "Bo", '<p>In reply to <a href="https://veg.example.net/leeks/comment-page-1/#comment-40">Ann</a>.</p>\n<p>Yes.</p>', 3),
        paged_item(40, 2, "Ann", "<p>Water them.</p>", 2),
        paged_item(39, 1, "Cy", "<p>Early.</p>", 1),
    )
    thread = read(data)
    assert (thread.id, thread.url) == ("https://veg.example.net/leeks/", "https://veg.example.net/leeks/")
    cy, ann, bo = thread.replies
    assert bo.parent_id == ann.id and bo.body == "<p>Yes.</p>"
    assert thread.import_notes == () and not thread.partial
    for selector in ("https://veg.example.net/leeks/", "https://veg.example.net/leeks/comment-page-2/#comment-40"):
        assert read(data, thread=selector).id == thread.id


def sitewide_atom(*comments: tuple[str, str, int]) -> bytes:
    """A WordPress "Comments for SITE" Atom feed: (post slug and comment page, commenter, number)."""
    entries = "".join(
        f"<entry><title>Comment on {slug.split('/')[0].title()} by {name}</title>"
        f'<link rel="alternate" href="https://veg.example.net/{slug}#comment-{n}"/><author><name>{name}</name></author>'
        f"<id>https://veg.example.net/?p=1#comment-{n}</id><published>2021-02-0{n}T10:00:00Z</published>"
        f'<content type="html">Comment {n}</content></entry>'
        for slug, name, n in comments
    )
    return (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Comments for Veg</title>'
        f'<link rel="alternate" href="https://veg.example.net"/><id>https://veg.example.net/comments/feed/atom/</id>{entries}</feed>'
    ).encode()


def test_sitewide_feed_groups_the_pages_of_a_post_into_one_post():
    data = sitewide_atom(("leeks/comment-page-2/", "Ann", 3), ("beans/", "Bob", 2), ("leeks/comment-page-1/", "Cy", 1))
    with pytest.raises(SourceError) as error:
        read(data)
    assert error.value.message == (
        "the feed holds comments on 2 posts:\n"
        '  "Leeks" https://veg.example.net/leeks/ (2 comments)\n'
        '  "Beans" https://veg.example.net/beans/ (1 comment)'
    )
    for selector in ("https://veg.example.net/leeks/", "https://veg.example.net/leeks/comment-page-2/#comment-3"):
        thread = read(data, thread=selector)
        assert (thread.id, thread.url, thread.title) == ("https://veg.example.net/leeks/", "https://veg.example.net/leeks/", "Leeks")
        assert [r.author for r in thread.replies] == ["Cy", "Ann"]


def test_cpage_parameter_is_no_part_of_the_post():
    data = sitewide_atom(("?p=5&cpage=2", "Ann", 3), ("?p=5&cpage=1", "Cy", 1), ("?p=6", "Bob", 2))
    thread = read(data, thread="https://veg.example.net/?p=5")
    assert thread.url == "https://veg.example.net/?p=5" and [r.author for r in thread.replies] == ["Cy", "Ann"]


def test_a_feed_whose_link_is_one_of_the_posts_is_not_split():
    data = post_comments_feed(
        paged_item(40, 1, "Ann", "<p>Water them.</p>", 1),
        paged_item(41, 1, "Bo", "<p>Moved here.</p>", 2).replace("veg.example.net/leeks/comment-page-1", "veg.example.net/old-leeks"),
    )
    thread = read(data)
    assert thread.url == "https://veg.example.net/leeks/" and [r.author for r in thread.replies] == ["Ann", "Bo"]
    assert thread.import_notes == ("1 entry links to another post than the feed's; kept, as the feed is this post's comments feed",)


# ---------------------------------------------------------------------------- Blogger

def blogger_entry(comment: str, post: str, name: str, day: int, related: str | None = None) -> str:
    related_link = f"<link rel='related' href='https://www.blogger.com/feeds/5/{post}/comments/default/{related}'/>" if related else ""
    return (
        f"<entry><id>tag:blogger.com,1999:blog-5.post-{comment}</id><published>2020-05-0{day}T10:00:00Z</published>"
        f"<title type='text'>c{comment}</title><content type='html'>Comment {comment}</content>"
        f"<link rel='self' href='https://www.blogger.com/feeds/5/{post}/comments/default/{comment}'/>"
        f"<link rel='alternate' href='https://veg.blogspot.com/2020/05/{post}.html?showComment=15{day}#c{comment}'/>{related_link}"
        f"<author><name>{name}</name></author><thr:in-reply-to ref='tag:blogger.com,1999:blog-5.post-{post}' "
        f"href='https://veg.blogspot.com/2020/05/{post}.html'/></entry>"
    )


def blogger_sitewide(*entries: str) -> bytes:
    return (
        "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:thr='http://purl.org/syndication/thread/1.0'"
        " xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/'>"
        f"<id>tag:blogger.com,1999:blog-5.comments</id><title>Veg</title><openSearch:totalResults>{len(entries)}</openSearch:totalResults>"
        "<link rel='alternate' href='https://veg.blogspot.com/'/>" + "".join(entries) + "</feed>"
    ).encode()


def test_blogger_comments_feed_of_a_blog_holds_one_thread_per_post():
    data = blogger_sitewide(
        blogger_entry("3", "leeks", "Bob", 3, related="1"),
        blogger_entry("2", "beans", "Cy", 2),
        blogger_entry("1", "leeks", "Ann", 1),
    )
    with pytest.raises(SourceError) as error:
        read(data)
    assert error.value.message == (
        "the feed holds comments on 2 posts:\n"
        '  "(no title)" https://veg.blogspot.com/2020/05/leeks.html (2 comments)\n'
        '  "(no title)" https://veg.blogspot.com/2020/05/beans.html (1 comment)'
    )
    thread = read(data, thread="https://veg.blogspot.com/2020/05/leeks.html")
    ann, bob = thread.replies
    assert (ann.author, bob.author) == ("Ann", "Bob") and bob.parent_id == ann.id
    assert thread.url == thread.id == "https://veg.blogspot.com/2020/05/leeks.html"
    assert thread.import_notes[0].startswith("the feed holds the latest comments on 2 posts: imported the 2 on this one")
    assert len(thread.import_notes) == 1 and not thread.partial  # the feed's total counts every post's comments
    assert thread.total_replies is None


def test_a_blogger_export_is_one_thread_per_post_without_drafts_or_settings():
    """A Takeout export holds the template, the settings (the admins' addresses) and drafts:
    none may reach a digest; each published post is a thread with its comments."""
    kind = "<category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#{}'/>"
    blog = "http://veg.blogspot.com/2010/11/"

    def entry(n, what, title, text, link="", extra=""):
        href = f"<link rel='alternate' type='text/html' href='{link}'/>" if link else ""
        return (f"<entry><id>tag:blogger.com,1999:blog-1.post-{n}</id><published>2010-11-2{n % 10}T07:00:00.000-08:00</published>"
                f"{kind.format(what)}<title type='text'>{title}</title><content type='html'>{text}</content>{href}"
                f"<author><name>{'Owner' if what != 'comment' else 'Reader'}</name></author>{extra}</entry>")

    data = ("<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom' xmlns:thr='http://purl.org/syndication/thread/1.0'>"
            "<title>Veg</title><link rel='alternate' href='http://veg.blogspot.com/'/>"
            + entry(1, "settings", "Admin emails", "owner.private@example.com")
            + entry(2, "post", "Leeks", "Leek text", blog + "leeks.html")
            + entry(3, "post", "Draft", "Secret draft", extra="<app:control xmlns:app='http://purl.org/atom/app#'><app:draft>yes</app:draft></app:control>")
            + entry(4, "post", "Beans", "Bean text", blog + "beans.html")
            + entry(5, "comment", "Nice", "Nice leeks!", blog + "leeks.html?showComment=1#c5")
            + "</feed>").encode()
    with pytest.raises(SourceError, match="comments on 2 posts"):
        read(data)
    thread = read(data, thread="Leeks")
    assert (thread.title, thread.url, thread.opening_post.body) == ("Leeks", blog + "leeks.html", "<p>Leek text</p>")
    assert [(r.author, r.body) for r in thread.replies] == [("Reader", "<p>Nice leeks!</p>")]
    assert "a Blogger export: left out 1 template and settings entries and 1 draft(s), never published" in thread.import_notes
    assert not any("private" in r.body or "Secret" in r.body for r in thread.replies)
