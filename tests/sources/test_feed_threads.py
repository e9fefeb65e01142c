"""The feed reader: which post a comment is on (paged WordPress comments, Blogger comment feeds)."""

from __future__ import annotations

import pytest

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, feed


def read(data: bytes, thread: str | None = None):
    return feed.read(ImportRequest((SourceDocument("comments.xml", data),), thread=thread))


def refused(data: bytes) -> str:
    """The error a feed with comments on several posts gives without --thread (it lists them)."""
    with pytest.raises(SourceError) as error:
        read(data)
    return error.value.message


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
    assert refused(data) == (
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
    assert refused(data) == (
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


# ---------------------------------------------------------------------------- other engines' site-wide feeds

def discourse_posts_rss(*posts: tuple[str, str, str, int, str]) -> bytes:
    """Discourse's /posts.rss: (topic title, topic path, post anchor or number, guid number, dc:creator)."""
    items = "".join(
        f"<item><title>{title}</title><dc:creator><![CDATA[{creator}]]></dc:creator>"
        f"<description><![CDATA[ <p>post {guid}</p> ]]></description>"
        f"<link>https://forum.example.org/t/{path}{anchor}</link><pubDate>Wed, 21 Jan 2026 1{guid % 10}:00:00 +0000</pubDate>"
        f'<guid isPermaLink="false">forum.example.org-post-{guid}</guid></item>'
        for title, path, anchor, guid, creator in posts
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" ?><rss version="2.0" xmlns:discourse="http://www.discourse.org/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Forum - Latest posts</title>'
        f"<link>https://forum.example.org</link><description>Latest posts</description>{items}</channel></rss>"
    ).encode()


def test_discourse_posts_feed_holds_one_thread_per_topic_with_usernames():
    data = discourse_posts_rss(
        ("Leeks", "leeks/2144", "?page=2#post_31", 7, "@ActiveMind"),
        ("Leeks", "leeks/2144", "?page=2#post_30", 6, "@anonymous105 anonymous105"),
        ("Beans", "beans/2148", "#post_1", 5, "@Elliot"),
        ("Leeks", "leeks/2144", "/29", 4, "@Elliot"),
    )
    assert refused(data) == (
        "the feed holds comments on 2 posts:\n"
        '  "Leeks" https://forum.example.org/t/leeks/2144 (3 comments)\n'
        '  "Beans" https://forum.example.org/t/beans/2148 (1 comment)'
    )
    thread = read(data, thread="Leeks")
    assert (thread.id, thread.url, thread.title) == ("https://forum.example.org/t/leeks/2144",) * 2 + ("Leeks",)
    assert [(r.author, r.number, r.title) for r in thread.replies] == [
        ("Elliot", 29, None), ("anonymous105", 30, None), ("ActiveMind", 31, None)]
    assert thread.partial and thread.import_notes == (
        "the feed holds the latest comments on 2 posts: imported the 3 on this one and left out 1 on the other post(s); "
        "earlier comments on this post may be missing from such a feed",
        "the feed holds 3 of the topic's posts numbered up to #31; the other 28 are not in it "
        "(the feed lists only the latest posts, and deleted posts leave gaps)",
    )
    beans = read(data, thread="https://forum.example.org/t/beans/2148#post_1")  # a post's link names its topic
    assert beans.opening_post.author == "Elliot" and beans.opening_post.number == 1 and beans.replies == ()


def reddit_entry(post: str, slug: str, comment: str, user: str, title: str, text: str) -> str:
    return (
        f"<entry><author><name>/u/{user}</name></author>"
        f'<content type="html">&lt;div class="md"&gt;&lt;p&gt;{text}&lt;/p&gt;&lt;/div&gt;</content><id>t1_{comment}</id>'
        f'<link href="https://www.reddit.com/r/veg/comments/{post}/{slug}/{comment}/"/>'
        f"<updated>2026-07-31T04:0{len(comment) % 10}:00+00:00</updated><title>/u/{user} on {title}</title></entry>"
    )


def test_reddit_subreddit_comments_feed_holds_one_thread_per_post():
    data = (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>/r/veg/comments.rss</id>'
        '<link rel="alternate" href="https://www.reddit.com/r/veg/comments" type="text/html" /><title>Comments on r/veg</title>'
        + reddit_entry("xyz", "leek_thread", "abc123", "someuser", "Leek thread", "Sow now")
        + reddit_entry("qqq", "bean_times", "def4", "otheruser", "Bean times", "When?")
        + reddit_entry("xyz", "leek_thread", "gh7", "[deleted]", "Leek thread", "[removed]")
        + "</feed>"
    ).encode()
    assert refused(data) == (
        "the feed holds comments on 2 posts:\n"
        '  "Leek thread" https://www.reddit.com/r/veg/comments/xyz/leek_thread/ (1 comment)\n'
        '  "Bean times" https://www.reddit.com/r/veg/comments/qqq/bean_times/ (1 comment)'
    )
    thread = read(data, thread="https://www.reddit.com/r/veg/comments/xyz/leek_thread/abc123/")
    assert (thread.url, thread.title) == ("https://www.reddit.com/r/veg/comments/xyz/leek_thread/", "Leek thread")
    assert [(r.author, r.body) for r in thread.replies] == [("someuser", "<p>Sow now</p>")]
    assert thread.import_notes[0] == '1 deleted or removed comment(s) skipped (reddit shows them as "[deleted]" or "[removed]")'


def test_movable_type_comments_feed_groups_comments_by_the_page_they_answer():
    """Movable Type's comments.xml: "POST#cN" links, thr:in-reply-to the post (its Atom id and page) or a comment."""
    def entry(n: int, post: str, answers: str, day: int) -> str:
        return (f"<entry><id>tag:blog.example.com,2009:/2.41-comment:{n}</id><thr:in-reply-to ref='x' href='{answers}'/>"
                f"<link rel='alternate' type='text/html' href='http://blog.example.com/2009/{post}.html#c{n}'/>"
                f"<title>Comment from C{n}</title><author><name>C{n}</name></author><content type='html'>Text {n}</content>"
                f"<published>2009-05-0{day}T10:00:00Z</published></entry>")

    data = ("<feed xmlns='http://www.w3.org/2005/Atom' xmlns:thr='http://purl.org/syndication/thread/1.0'>"
            "<title>Comment Feed for Example Blog</title><id>tag:blog.example.com,2009-04-01:/comments</id>"
            + entry(1003, "pruning", "http://blog.example.com/2009/pruning.html#c1001", 3)
            + entry(1001, "pruning", "http://blog.example.com/2009/pruning.html", 1)
            + entry(990, "seeds", "http://blog.example.com/2009/seeds.html", 2)
            + "</feed>").encode()
    with pytest.raises(SourceError, match="the feed holds comments on 2 posts"):
        read(data)
    thread = read(data, thread="pruning")
    first, answer = thread.replies
    assert thread.url == "http://blog.example.com/2009/pruning.html" and (first.author, answer.author) == ("C1001", "C1003")
    assert answer.parent_id == first.id


def test_yandex_comments_feed_uses_ya_post_and_ya_parent_and_is_partial_with_ya_more():
    def item(n: int, post: str, parent: str = "") -> str:
        link = f"http://lleo.me/dnevnik/2010/03/{post}.html#{n}"
        parent_tag = f"<ya:parent>http://lleo.me/dnevnik/2010/03/{post}.html#{parent}</ya:parent>" if parent else ""
        return (f"<item><guid isPermaLink='true'>{link}</guid><ya:post>http://lleo.me/dnevnik/2010/03/{post}.html</ya:post>"
                f"{parent_tag}<pubDate>Mon, 15 Mar 2010 2{n % 10}:00:00 +0300</pubDate><author>A{n}</author>"
                f"<link>{link}</link><title></title><description>Text {n}</description></item>")

    data = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0' xmlns:ya='http://blogs.yandex.ru/yarss/'><channel>"
            "<title>Blog: comments</title><link>http://lleo.me</link>"
            "<ya:more>http://lleo.me/dnevnik/rss_comm.php?skip=50</ya:more>"
            + item(1003, "15", parent="1001") + item(1001, "15") + item(990, "14") + "</channel></rss>").encode()
    with pytest.raises(SourceError, match="the feed holds comments on 2 posts"):
        read(data)
    thread = read(data, thread="http://lleo.me/dnevnik/2010/03/15.html")
    first, answer = thread.replies
    assert (first.author, answer.author, answer.parent_id) == ("A1001", "A1003", first.id)
    assert thread.partial
    more = "the feed continues on another page (http://lleo.me/dnevnik/rss_comm.php?skip=50); this file holds only its latest entries"
    assert more in thread.import_notes


REMARK42_SITE = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Remark42 comments</title>
  <link>remark42</link><description>site comment for remark42</description>
  <item><title>dev</title><link>https://radio-t.com/blah11#remark42__comment-comment-id-2</link><description>xyz test</description>
  <author>dev</author><guid>comment-id-2</guid><pubDate>Mon, 02 Jan 2023 15:04:05 +0300</pubDate></item>
  <item><title>dev</title><link>https://radio-t.com/blah10#remark42__comment-comment-id-1</link><description>test 123</description>
  <author>dev</author><guid>comment-id-1</guid><pubDate>Mon, 02 Jan 2023 15:04:05 +0300</pubDate></item>
</channel></rss>"""


def test_remark42_site_feed_holds_one_thread_per_page_and_keeps_its_links():
    assert refused(REMARK42_SITE) == (
        "the feed holds comments on 2 posts:\n"
        '  "(no title)" https://radio-t.com/blah11 (1 comment)\n'
        '  "(no title)" https://radio-t.com/blah10 (1 comment)'
    )
    thread = read(REMARK42_SITE, thread="https://radio-t.com/blah10")
    assert [r.permalink for r in thread.replies] == ["https://radio-t.com/blah10#remark42__comment-comment-id-1"]
    assert thread.import_notes[0] == (
        "the feed's own link 'remark42' is no address (the feed names none to read it against) and is left out; "
        "its entries' links are kept"
    )


def test_drupal_comment_permalinks_are_comments_on_the_feeds_node():
    item = ("<item><title>T{n}</title><link>https://www.example.org/comment/{n}#comment-{n}</link>"
            "<description>&lt;p&gt;Comment {n}.&lt;/p&gt;</description><pubDate>Tue, 05 Mar 2019 1{n[1]}:00:00 +0000</pubDate>"
            '<dc:creator>U{n}</dc:creator><guid isPermaLink="false">{n} at https://www.example.org</guid></item>')
    data = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            "<title>Comments on: Pruning tomatoes</title><link>https://www.example.org/node/12</link>"
            + item.format(n="35") + item.format(n="34") + "</channel></rss>").encode()
    thread = read(data)
    assert (thread.url, thread.title) == ("https://www.example.org/node/12", "Comments on: Pruning tomatoes")
    assert [r.author for r in thread.replies] == ["U34", "U35"]
    assert thread.import_notes == (
        "2 comments link only to a page of their own (/comment/N), which does not name the post; "
        "taken as comments on the feed's page, https://www.example.org/node/12",
    )
