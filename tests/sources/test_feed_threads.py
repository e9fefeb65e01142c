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


def test_spoilers_in_a_reddit_feed_stay_hidden_behind_a_link_to_their_comment():
    spoiler = "The butler did it."
    data = (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>/r/veg/comments.rss</id>'
        '<link rel="alternate" href="https://www.reddit.com/r/veg/comments" type="text/html" /><title>Comments on r/veg</title>'
        + reddit_entry("xyz", "leek_thread", "abc123", "someuser", "Leek thread",
                       f"Ending: &lt;span class=&quot;md-spoiler-text&quot;&gt;{spoiler}&lt;/span&gt;")
        + "</feed>"
    ).encode()
    thread = read(data)
    link = "https://www.reddit.com/r/veg/comments/xyz/leek_thread/abc123/"
    assert [r.body for r in thread.replies] == [f'<p>Ending: <a href="{link}">[spoiler: read it at the source]</a></p>']
    assert spoiler not in str(thread)
    assert thread.import_notes[-1] == ('spoilers not shown: 1 (text the site hides until it is clicked); each reads '
                                       '"[spoiler: read it at the source]" and links to its reply')


def test_comments_on_one_post_linked_only_relatively_give_no_thread_address():
    """A copy of a comments feed naming no address of its own: its "/?p=6#comment-1" links lead
    nowhere, and the post they share is no thread address either."""
    items = "".join(f"<item><title>By C{n}</title><link>/?p=6#comment-{n}</link><guid>/?p=6#comment-{n}</guid>"
                    f"<dc:creator>C{n}</dc:creator><description>Text {n}</description></item>" for n in (1, 2))
    data = ('<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>Comments on: Leeks</title>{items}</channel></rss>").encode()
    thread = read(data)
    assert thread.url is None and [r.permalink for r in thread.replies] == [None, None]
    assert not any("taken as the thread's address" in note for note in thread.import_notes)


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


# ---------------------------------------------------------------------------- engines' own conventions

def test_password_protected_comments_are_left_out_of_the_post_they_are_on():
    """WordPress gives them as its password form, not their text; the post can still be chosen."""
    form = ('<form action="https://veg.example.net/wp-login.php?action=postpass" class="post-password-form" method="post">'
            "<p>This content is password protected. To view it please enter your password below:</p>"
            '<p><label for="pwbox-9">Password: <input name="post_password" id="pwbox-9" type="password" size="20" /></label></p></form>')
    item = ("<item><title>Comment on {post} by {name}</title><link>https://veg.example.net/{slug}/#comment-{n}</link>"
            "<dc:creator>{name}</dc:creator><pubDate>Mon, 0{n} Mar 2021 10:00:00 +0000</pubDate>"
            "<description>Protected Comments: Please enter your password to view comments.</description>"
            "<content:encoded><![CDATA[{text}]]></content:encoded></item>")
    data = post_comments_feed(
        item.format(post="Family photos", slug="family-photos", name="Ann", n=3, text=form),
        item.format(post="Family photos", slug="family-photos", name="Bob", n=2, text=form),
        item.format(post="Leeks", slug="leeks", name="Cy", n=1, text="<p>Nice leeks.</p>"),
    ).replace(b"Comments on: Leeks", b"Comments for Veg").replace(b"https://veg.example.net/leeks/</link>", b"https://veg.example.net</link>")
    family = read(data, thread="Family photos")
    assert family.replies == ()
    assert family.import_notes[-1] == ("2 comment(s) on a password-protected post left out: "
                                       "the feed gives the password form in place of their text")
    leeks = read(data, thread="Leeks")
    assert [(r.author, r.body) for r in leeks.replies] == [("Cy", "<p>Nice leeks.</p>")]


def dreamwidth_rss(journal_type: str, *items: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8' ?>\n<rss version='2.0' xmlns:lj='http://www.livejournal.org/rss/lj/1.0/' "
        "xmlns:atom10='http://www.w3.org/2005/Atom'>\n<channel>\n  <title>Garden notes</title>\n"
        "  <link>https://garden.dreamwidth.org/</link>\n  <description>Garden notes - Dreamwidth Studios</description>\n"
        "  <generator>LiveJournal / Dreamwidth Studios</generator>\n  <lj:journal>garden</lj:journal>\n"
        f"  <lj:journaltype>{journal_type}</lj:journaltype>\n" + "".join(items) + "</channel>\n</rss>\n"
    ).encode()


def dreamwidth_item(number: int, text: str, extra: str = "") -> str:
    footer = (f"&lt;br /&gt;&lt;br /&gt;&lt;img src=&quot;https://www.dreamwidth.org/tools/commentcount?user=garden&amp;amp;"
              f"ditemid={number}&quot; width=&quot;30&quot; height=&quot;12&quot; alt=&quot;comment count unavailable&quot; "
              "style=&quot;vertical-align: middle;&quot;/&gt; comments")
    return (f"<item>\n  <guid isPermaLink='true'>https://garden.dreamwidth.org/{number}.html</guid>\n"
            f"  <pubDate>Thu, 0{number} Feb 2011 17:00:43 GMT</pubDate>\n  <title>Entry {number}</title>\n"
            f"  <link>https://garden.dreamwidth.org/{number}.html</link>\n  <description>{text}{footer}</description>\n"
            f"  <comments>https://garden.dreamwidth.org/{number}.html</comments>\n{extra}"
            f"  <lj:security>public</lj:security>\n  <lj:reply-count>{number + 2}</lj:reply-count>\n</item>\n")


def test_dreamwidth_entries_are_the_journals_or_their_posters_and_lose_the_comment_count_picture():
    personal = read(dreamwidth_rss("personal", dreamwidth_item(1, "It snowed.")))
    (entry,) = personal.replies
    assert (personal.author, entry.author, entry.body, entry.engagement.replies) == ("garden", "garden", "<p>It snowed.</p>", 3)
    community = read(dreamwidth_rss("community", dreamwidth_item(1, "Leeks?", "  <lj:poster>ann</lj:poster>\n"),
                                    dreamwidth_item(2, "Rules.")))
    assert [(r.author, r.body) for r in community.replies] == [("ann", "<p>Leeks?</p>"), ("garden", "<p>Rules.</p>")]
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dw="https://www.dreamwidth.org"><title>Garden</title>'
            b'<id>urn:dw:garden</id><author><name>Garden Club</name></author><link rel="alternate" href="https://garden.dreamwidth.org/"/>'
            b'<entry><id>urn:dw:garden:1</id><title>Leeks?</title><link rel="alternate" href="https://garden.dreamwidth.org/1.html"/>'
            b"<published>2011-02-01T17:00:43Z</published><author><name>Ann Smith</name></author><dw:poster user=\"ann\"/>"
            b'<dw:reply-count>4</dw:reply-count><content type="html">Leeks?</content></entry></feed>')
    (posted,) = read(atom).replies
    assert (posted.author, posted.engagement.replies) == ("ann", 4)  # the username the site shows, not the display name


def nodebb_topic_feed(*replies: tuple[int, str, str, int]) -> bytes:
    items = "".join(
        f"<item><title><![CDATA[Reply to Sowing leeks on Mon, 0{day} Jan 2024 11:00:00 GMT]]></title>"
        f'<description><![CDATA[<p dir="auto">{text}</p>]]></description><link>https://forum.example.org/post/{pid}</link>'
        f'<guid isPermaLink="true">https://forum.example.org/post/{pid}</guid><dc:creator><![CDATA[{user}]]></dc:creator>'
        f"<pubDate>Mon, 0{day} Jan 2024 11:00:00 GMT</pubDate></item>"
        for pid, user, text, day in replies
    )
    return ('<?xml version="1.0" encoding="UTF-8"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom" version="2.0"><channel><title><![CDATA[Sowing leeks]]></title>'
            '<description><![CDATA[<p dir="auto">When do I sow leeks?</p>]]></description>'
            "<link>https://forum.example.org/topic/12/sowing-leeks</link><generator>RSS for Node</generator>"
            '<atom:link href="https://forum.example.org/topic/12.rss" rel="self" type="application/rss+xml"/>'
            "<author><![CDATA[ann]]></author><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate><ttl>60</ttl>"
            + items + "</channel></rss>").encode()


def test_nodebb_topic_feed_opens_with_the_first_post_its_channel_carries():
    thread = read(nodebb_topic_feed((31, "bob", "In March.", 3), (30, "cy", "Early spring.", 2)))
    opening = thread.opening_post
    assert (opening.author, opening.body, opening.permalink) == (
        "ann", "<p>When do I sow leeks?</p>", "https://forum.example.org/topic/12/sowing-leeks")
    assert opening.posted_at.isoformat() == "2024-01-01T10:00:00+00:00"
    assert [(r.author, r.title, r.permalink) for r in thread.replies] == [
        ("cy", None, "https://forum.example.org/post/30"), ("bob", None, "https://forum.example.org/post/31")]
    assert not thread.partial
    uploaded = read(nodebb_topic_feed((31, "bob", "In March.", 3)).replace(
        b"When do I sow leeks?", b'See <img src="/assets/uploads/files/1.png" alt="shot" />'))
    assert uploaded.opening_post.body == '<p>See <a href="https://forum.example.org/assets/uploads/files/1.png">[image: shot]</a></p>'
    former = read(nodebb_topic_feed((31, "[[global:former_user]]", "Gone.", 3)))
    assert former.replies[0].author == "Former User"  # NodeBB's own page names a deleted account so
    full = read(nodebb_topic_feed(*[(100 + n, f"u{n}", f"Reply {n}.", 2) for n in range(24)]))
    assert len(full.replies) == 24 and full.partial
    assert full.import_notes[-1] == ("a NodeBB topic feed lists the first post and only the latest 24 replies: "
                                     "earlier replies may be missing")


def test_a_sitewide_feed_with_comments_on_one_post_only_is_that_posts_thread():
    item = ("<item><title>Comment on Global Language Coverage by {name}</title><link>https://www.abc-lang.example/privit-svit/#comment-{n}</link>"
            "<dc:creator><![CDATA[{name}]]></dc:creator><pubDate>Sat, 1{n} Aug 2021 20:21:57 +0000</pubDate>"
            '<guid isPermaLink="false">https://abc-lang.example/?p=1#comment-{n}</guid><content:encoded><![CDATA[<p>Привіт {n}</p>]]></content:encoded></item>')
    data = post_comments_feed(item.format(name="Коментатор WordPress", n=1), item.format(name="Олег", n=2))
    data = data.replace(b"Comments on: Leeks", b"Comments for ABC Language Solutions").replace(
        b"https://veg.example.net/leeks/", b"https://www.abc-lang.example")
    thread = read(data)
    assert (thread.url, thread.title) == ("https://www.abc-lang.example/privit-svit/", "Global Language Coverage")
    assert [r.author for r in thread.replies] == ["Коментатор WordPress", "Олег"]
    assert thread.import_notes == ("the feed (https://www.abc-lang.example) holds comments on one post only; "
                                   "the thread is that post, https://www.abc-lang.example/privit-svit/",)


def test_a_tumblr_blogs_posts_are_the_blogs_and_a_journal_with_a_contact_address_is_the_journals():
    tumblr = ('<rss xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel><description/><title>Today on Tumblr</title>'
              "<generator>Tumblr (3.0; @todayontumblr)</generator><link>https://todayontumblr.tumblr.com/</link><item>"
              "<title>Hi</title><description>&lt;p &gt;Hi&lt;/p &gt;</description>"
              "<link>https://todayontumblr.tumblr.com/post/7361</link><pubDate>Thu, 07 Dec 2023 20:25:29 -0500</pubDate></item></channel></rss>")
    thread = read(tumblr.encode())
    assert (thread.author, thread.replies[0].author, thread.replies[0].body) == ("todayontumblr", "todayontumblr", "<p>Hi</p>")
    contact = dreamwidth_rss("personal", dreamwidth_item(1, "It snowed.")).replace(
        b"<lj:journal>", b"<managingEditor>garden@example.org</managingEditor><lj:journal>")
    assert read(contact).replies[0].author == "garden"


def test_hnrss_comments_lose_their_titles_and_say_they_are_not_threaded():
    item = ('<item><title><![CDATA[New comment by {name} in "Show HN: A tiny reader"]]></title><description><![CDATA[\n<p>{text}</p>\n]]>'
            "</description><pubDate>Mon, 04 Dec 2023 1{n}:00:00 +0000</pubDate><link>https://news.ycombinator.com/item?id=3850001{n}</link>"
            '<dc:creator>{name}</dc:creator><guid isPermaLink="false">https://news.ycombinator.com/item?id=3850001{n}</guid></item>')
    data = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            "<title>Hacker News: New comments on &#34;Show HN: A tiny reader&#34;</title><link>https://news.ycombinator.com/item?id=38500000</link>"
            "<description>Hacker News RSS</description><generator>hnrss v2.1.1</generator>"
            + item.format(name="dang", text="Does it read <i>Atom</i>?", n=1) + item.format(name="pg", text="Yes.", n=0) + "</channel></rss>")
    thread = read(data.encode())
    assert [(r.author, r.title, r.body) for r in thread.replies] == [
        ("pg", None, "<p>Yes.</p>"), ("dang", None, "<p>Does it read <em>Atom</em>?</p>")]
    assert thread.import_notes == ("hnrss does not say which comment answers which, so the comments are not threaded; the story's tree is "
                                   "https://hn.algolia.com/api/v1/items/38500000 (import it with --format hackernews)",)


def test_a_wordpress_comments_feed_of_ten_says_the_post_may_have_more_and_where_they_all_are():
    ten = [paged_item(n, 1, f"U{n}", f"<p>Comment {n}.</p>", n) for n in range(1, 11)]
    generator = b"<link>https://veg.example.net/leeks/</link><generator>https://wordpress.org/?v=6.4.2</generator>"
    full = read(post_comments_feed(*ten).replace(b"<link>https://veg.example.net/leeks/</link>", generator))
    assert len(full.replies) == 10 and not full.partial
    assert full.import_notes == (
        "the feed lists 10 comments, as many as a WordPress comments feed lists by default (the newest): the post may have more; "
        "they are all at https://veg.example.net/wp-json/wp/v2/comments?post=7&per_page=100 (import that address)",)
    nine = read(post_comments_feed(*ten[:9]).replace(b"<link>https://veg.example.net/leeks/</link>", generator))
    assert nine.import_notes == ()


def test_an_older_livejournal_feed_is_the_journal_its_address_names_not_its_contact_address():
    data = ("<?xml version='1.0' encoding='utf-8' ?>\n<rss version='2.0'>\n<channel>\n  <title>KYQ</title>\n"
            "  <link>http://www.livejournal.com/users/kyq/</link>\n  <description>KYQ - LiveJournal.com</description>\n"
            "  <managingEditor>ore_wa@example.com</managingEditor>\n  <generator>LiveJournal / LiveJournal.com</generator>\n"
            "<item>\n  <guid isPermaLink='true'>http://www.livejournal.com/users/kyq/64434.html</guid>\n"
            "  <pubDate>Sun, 24 Oct 2004 13:17:48 GMT</pubDate>\n  <title>Feh..</title>\n"
            "  <author>ore_wa@example.com</author>  <link>http://www.livejournal.com/users/kyq/64434.html</link>\n"
            "  <description>Boring. &lt;br /&gt;&lt;br /&gt;Yet.</description>\n</item>\n</channel>\n</rss>\n")
    thread = read(data.encode())
    assert (thread.author, thread.replies[0].author, thread.replies[0].body) == ("kyq", "kyq", "<p>Boring. <br><br>Yet.</p>")
    assert thread.import_notes == ("the feed's own author is given only as an e-mail address (a contact, not a name); not used as the author",)
    subdomain = read(data.replace("http://www.livejournal.com/users/kyq/</link>", "https://kyq.livejournal.com/</link>").encode())
    assert subdomain.replies[0].author == "kyq"


def test_a_post_feed_whose_comments_link_the_post_by_another_scheme_is_still_that_posts_feed():
    data = post_comments_feed(paged_item(1, 1, "Ann", "<p>Hi</p>", 1), paged_item(2, 1, "Bob", "<p>Yo</p>", 2))
    thread = read(data.replace(b"<link>https://veg.example.net/leeks/</link>", b"<link>https://www.veg.example.net/leeks</link>")
                  .replace(b"<link>https://veg.example.net/leeks/comment-page", b"<link>http://veg.example.net/leeks/comment-page"))
    assert (thread.url, thread.title, len(thread.replies)) == ("https://www.veg.example.net/leeks", "Comments on: Leeks", 2)
    assert thread.import_notes == ()


def test_a_dreamwidth_latest_comments_feed_holds_one_thread_per_entry():
    item = ("<item>\n  <guid isPermaLink='true'>https://garden.dreamwidth.org/{post}.html?thread={n}#cmt{n}</guid>\n"
            "  <pubDate>Thu, 0{n} Feb 2011 17:00:43 GMT</pubDate>\n  <title>Re: leeks</title>\n"
            "  <link>https://garden.dreamwidth.org/{post}.html?thread={n}#cmt{n}</link>\n  <description>Comment {n}</description>\n</item>\n")
    data = dreamwidth_rss("personal", item.format(post=1234, n=5), item.format(post=1234, n=6), item.format(post=999, n=7))
    data = data.replace(b"Garden notes - Dreamwidth Studios", b"Latest comments in Garden notes")
    thread = read(data, thread="https://garden.dreamwidth.org/1234.html")
    assert thread.url == "https://garden.dreamwidth.org/1234.html"
    assert [(r.author, r.body) for r in thread.replies] == [("anonymous", "<p>Comment 5</p>"), ("anonymous", "<p>Comment 6</p>")]
    assert thread.author is None  # the feed names no commenter, and they are not the journal


# ---------------------------------------------------------------------------- forums' feeds of posts

def phpbb_forum_entry(topic: int, post: int, subject: str, who: str, day: int) -> str:
    return (f'<entry><author><name><![CDATA[{who}]]></name></author><published>2016-10-{day:02d}T05:09:05+00:00</published>'
            f'<id>https://forum.example.org/viewtopic.php?t={topic}&amp;p={post}#p{post}</id>'
            f'<link href="https://forum.example.org/viewtopic.php?t={topic}&amp;p={post}#p{post}"/>'
            f'<title type="html"><![CDATA[Support • {subject}]]></title>'
            '<category term="Support" scheme="https://forum.example.org/viewforum.php?f=19" label="Support"/>'
            f'<content type="html"><![CDATA[post {post}]]></content></entry>')


PHPBB_FORUM_FEED = (
    '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Example Forum</title>'
    '<link href="https://forum.example.org/index.php" /><author><name><![CDATA[Example Forum]]></name></author>'
    '<id>https://forum.example.org/feed.php?f=19</id>'
    + phpbb_forum_entry(1542, 7953, "Re: Start menu blank", "Ian", 25)
    + phpbb_forum_entry(1560, 7946, "Skin option missing", "Gaurav", 24)
    + phpbb_forum_entry(1542, 7900, "Start menu blank", "Gaurav", 23)
    + "</feed>"
).encode()


def test_a_forum_feed_of_posts_in_several_topics_is_one_thread_per_topic():
    """phpBB's feed of a forum's (or the board's) posts, titled "FORUM • SUBJECT", mixes topics."""
    message = refused(PHPBB_FORUM_FEED)
    assert message.startswith("the feed holds posts in 2 topics:\n")
    assert '"Start menu blank" https://forum.example.org/viewtopic.php?t=1542' in message
    thread = read(PHPBB_FORUM_FEED, thread="Start menu")
    assert (thread.id, thread.title, thread.author) == ("https://forum.example.org/viewtopic.php?t=1542", "Start menu blank", "Gaurav")
    assert thread.opening_post.body == "<p>post 7900</p>" and thread.opening_post.title == "Start menu blank"
    (reply,) = thread.replies
    assert (reply.author, reply.title, reply.body) == ("Ian", None, "<p>post 7953</p>")
    assert "the feed holds the latest posts in 2 topics: imported the 2 in this one and left out 1 in the other topic(s)" in thread.import_notes
    assert not thread.partial


def smf_item(topic: int, message: int, subject: str, body: str) -> str:
    link = f"https://forum.example.org/index.php?topic={topic}.msg{message}#msg{message}"
    return (f"<item><title><![CDATA[{subject}]]></title><link>{link}</link><description><![CDATA[{body}]]></description>"
            f"<comments>https://forum.example.org/index.php?action=post;topic={topic}.0</comments>"
            f"<pubDate>Mon, 03 May 2010 {message % 24:02d}:01:07 GMT</pubDate><guid>{link}</guid></item>")


def test_smf_recent_posts_feed_is_one_thread_per_topic_and_partial_without_the_first_post():
    data = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Garden Forum</title>'
            "<link>https://forum.example.org/index.php</link>"
            + smf_item(412, 3391, "Re: Leeks bolting", "Try a later sowing.") + smf_item(415, 3390, "Compost too wet", "Soggy.")
            + smf_item(412, 3388, "Re: Leeks bolting", "Mine too.") + "</channel></rss>").encode()
    assert refused(data).startswith("the feed holds posts in 2 topics:\n")
    thread = read(data, thread="https://forum.example.org/index.php?topic=412.0")
    assert (thread.url, thread.title, thread.partial) == ("https://forum.example.org/index.php?topic=412.0", "Leeks bolting", True)
    assert [r.body for r in thread.replies] == ["<p>Mine too.</p>", "<p>Try a later sowing.</p>"]
    assert all(r.title is None for r in thread.replies)
    assert "the feed lists only its latest posts, and the topic's first post is not among them: earlier posts are missing" in thread.import_notes


def test_smf_atom_feed_with_queryless_addresses_of_one_topic_is_that_topic():
    def entry(message, subject, who):
        return (f'<entry><title>{subject}</title><link rel="alternate" type="text/html" '
                f'href="https://forum.example.org/index.php/topic,412.msg{message}.html#msg{message}" />'
                f'<summary type="html">post {message}</summary><author><name>{who}</name></author>'
                f'<issued>2010-05-0{message % 7 + 1}T10:01:07Z</issued><id>https://forum.example.org/index.php?topic=412.msg{message}#msg{message}</id></entry>')

    data = ('<?xml version="1.0" encoding="UTF-8"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Garden Forum</title>'
            '<link rel="alternate" type="text/html" href="https://forum.example.org/index.php" /><generator>SMF</generator>'
            + entry(3391, "Re: Leeks bolting", "Renée") + entry(3380, "Leeks bolting", "Tom") + "</feed>").encode()
    thread = read(data)
    assert (thread.url, thread.title, thread.author) == ("https://forum.example.org/index.php/topic,412.0.html", "Leeks bolting", "Tom")
    assert [(r.author, r.title) for r in thread.replies] == [("Renée", None)]
    assert not thread.partial


# ---------------------------------------------------------------------------- Isso, Dotclear, b2evolution

def isso_entry(number: int, name: str, text: str, parent: int | None = None) -> str:
    answers = (f'<thr:in-reply-to ref="tag:comments.example.org,2018:/isso/7/{parent}" '
               f'href="https://blog.example.org/rust-async/#isso-{parent}" />') if parent else ""
    author = f"<name>{name}</name>" if name else "<name />"
    content = f'<content type="html">{text}</content>' if text else '<content type="html" />'
    return (f"<entry><id>tag:comments.example.org,2018:/isso/7/{number}</id><title>Comment #{number}</title>"
            f"<updated>2023-03-0{number % 9 + 1}T09:14:51.120334Z</updated><author>{author}</author>"
            f'<link href="https://blog.example.org/rust-async/#isso-{number}" />{content}{answers}</entry>')


def test_an_isso_feed_is_its_pages_thread_and_keeps_a_deleted_comment_others_answer():
    """Isso's /feed?uri=PAGE names no page and titles comments "Comment #N"; a deleted comment
    that others answer stays, with no author and no text."""
    data = ("<?xml version='1.0' encoding='utf-8'?>\n"
            '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">'
            "<id>tag:comments.example.org,2018:/isso/thread/rust-async/</id><title>Comments for comments.example.org/rust-async/</title>"
            + isso_entry(43, "", "") + isso_entry(41, "", "&lt;p&gt;Same here.&lt;/p&gt;", parent=39) + isso_entry(39, "", "", parent=38)
            + isso_entry(38, "mara", "&lt;p&gt;Why not join?&lt;/p&gt;") + "</feed>").encode()
    thread = read(data)
    assert thread.url == "https://blog.example.org/rust-async/"
    mara, deleted, same = thread.replies
    assert (deleted.author, deleted.body, deleted.parent_id) == ("[deleted]", "", mara.id)
    assert (same.author, same.parent_id, same.body) == ("anonymous", deleted.id, "<p>Same here.</p>")
    assert all(r.title is None for r in thread.replies)
    assert thread.import_notes == (
        "the feed names no page of its own; its comments are on https://blog.example.org/rust-async/, taken as the thread's address",
        "2 deleted comment(s) (no author, no text): 1 left out, 1 kept as '[deleted]' placeholder(s) because others answer them",
    )


def dotclear_entry(number: int, title: str, who: str, text: str) -> str:
    return (f'<entry><title>{title}</title><link href="https://blog.example.fr/post/2016/12/04/Kit#c{number}" rel="alternate"/>'
            f"<id>urn:md5:{number}</id><published>2016-12-0{number % 7 + 1}T18:02:10+01:00</published>"
            f'<author><name>{who}</name></author><content type="html">{text}</content></entry>')


def test_a_dotclear_post_comments_feed_is_the_post_without_its_pings():
    """Dotclear links a comment as POST#cN, titles it "POST - NAME" and lists pings "[ping] POST - BLOG"."""
    data = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Blog - Kit - Commentaires</title>'
            '<link href="https://blog.example.fr/" rel="alternate" type="text/html"/><id>urn:md5:18477</id>'
            '<generator uri="http://www.dotclear.org/">Dotclear</generator>'
            + dotclear_entry(3301, "[ping] Kit - F# Weekly", "F# Weekly", "&lt;p&gt;&lt;a href='https://w.example/'&gt;F# Weekly&lt;/a&gt;&lt;/p&gt; Kit")
            + dotclear_entry(3299, "Kit - Marc", "Marc", "&lt;p&gt;Merci&amp;nbsp;!&lt;/p&gt;") + "</feed>").encode()
    thread = read(data)
    assert (thread.url, thread.title) == ("https://blog.example.fr/post/2016/12/04/Kit", "Kit")
    (marc,) = thread.replies
    assert (marc.author, marc.title, marc.body) == ("Marc", None, "<p>Merci&nbsp;!</p>")
    assert 'pingback(s) skipped' in thread.import_notes[0]


def test_a_b2evolution_last_comments_feed_holds_one_thread_per_post():
    def item(number, post, title, who):
        return (f"<item><title>In response to: {title}</title><pubDate>Mon, 01 May 2006 {number - 115}:20:11 +0200</pubDate>"
                f'<dc:creator>{who}</dc:creator><guid isPermaLink="false">c{number}@http://blog.example.org/</guid>'
                f"<description>comment {number}</description><link>http://blog.example.org/index.php/2006/04/30/{post}#c{number}</link></item>")

    data = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            "<title>Jardin : Last comments</title><link>http://blog.example.org/index.php?disp=comments</link>"
            + item(131, "poireaux", "Poireaux", "Renée") + item(130, "compost", "Compost", "Marc") + item(129, "poireaux", "Poireaux", "Marc")
            + "</channel></rss>").encode()
    assert '"Poireaux" http://blog.example.org/index.php/2006/04/30/poireaux (2 comments)' in refused(data)
    thread = read(data, thread="Poireaux")
    assert (thread.url, thread.title) == ("http://blog.example.org/index.php/2006/04/30/poireaux", "Poireaux")
    assert [(r.author, r.title) for r in thread.replies] == [("Marc", None), ("Renée", None)]


def test_a_google_groups_feed_of_messages_holds_one_thread_per_topic():
    """A group's feed of its latest messages (atom_v1_0_msgs.xml) links each as TOPIC/MESSAGE."""
    def entry(topic, message, title, day):
        link = f"http://groups.google.com/group/vscaladoc/browse_thread/thread/{topic}/{message}?show_docid={message}"
        return (f"<entry><author><name>David Bernard</name><email>david.bernard...@gmail.com</email></author>"
                f"<updated>2010-11-{day}T23:07:59Z</updated><id>{link}</id><link href=\"{link}\"></link>"
                f'<title type="text">{title}</title><summary type="html">message {message}</summary></entry>')

    data = ('<feed xmlns="http://www.w3.org/2005/Atom"><id>http://groups.google.com/group/vscaladoc</id>'
            '<title type="text">vscaladoc Google Group</title><link rel="self" href="/group/vscaladoc/feed/atom_v1_0_msgs.xml"></link>'
            '<generator version="1.99" uri="http://groups.google.com">Google Groups</generator>'
            + entry("b4ab97c6", "08e2bb5a", "Re: [vscaladoc] demo", 18) + entry("b4ab97c6", "62819a2e", "demo", 17)
            + entry("7d7cfa9f", "a0e3bcb9", "Re: [vscaladoc] test0", 15) + entry("7d7cfa9f", "3a8f30ff", "test0", 14) + "</feed>").encode()
    message = refused(data)
    assert '"demo" http://groups.google.com/group/vscaladoc/browse_thread/thread/b4ab97c6 (2 comments)' in message
    thread = read(data, thread="test0")
    assert (thread.url, thread.title) == ("http://groups.google.com/group/vscaladoc/browse_thread/thread/7d7cfa9f", "test0")
    assert [r.body for r in thread.replies] == ["<p>message 3a8f30ff</p>", "<p>message a0e3bcb9</p>"]


def test_lobsters_comments_feed_holds_one_thread_per_story_named_by_its_title():
    """Lobsters' /comments.rss titles each comment with its story's title and links it as /c/ID."""
    def item(short, story, who, hour):
        return (f"<item><title>{story}</title><link>https://lobste.rs/c/{short}</link><guid>https://lobste.rs/c/{short}</guid>"
                f"<author>{who}@lobste.rs ({who})</author><pubDate>Tue, 14 Nov 2023 {hour:02d}:02:11 -0600</pubDate>"
                f"<description>&lt;p&gt;by {who}&lt;/p&gt;</description></item>")

    data = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Lobsters: Newest Comments</title>'
            "<link>https://lobste.rs/</link>" + item("qzk1ab", "Why SQLite uses bytecode", "mara", 10)
            + item("p9xw2c", "Rust 1.74 released", "jo", 9) + item("ab12cd", "Why SQLite uses bytecode", "jo", 8) + "</channel></rss>").encode()
    assert '"Rust 1.74 released" (1 comment)' in refused(data)
    thread = read(data, thread="SQLite")
    assert (thread.title, thread.url) == ("Why SQLite uses bytecode", None)
    assert [(r.author, r.title) for r in thread.replies] == [("jo", None), ("mara", None)]
    assert thread.import_notes[0].startswith("the feed gives no address of the post, only its title, nor which comment answers which")


def test_a_disqus_forum_feed_names_each_post_by_its_comments_re_titles():
    """Disqus's latest.rss of a site titles every comment "Re: POST" and links it as POST#comment-N."""
    def item(post, title, number, who):
        link = f"https://veg.example.net/2023/{post}/#comment-{number}"
        return (f"<item><title>Re: {title}</title><link>{link}</link><description>&lt;p&gt;{who} says&lt;/p&gt;</description>"
                f"<dc:creator>{who}</dc:creator><pubDate>Tue, 14 Nov 2023 {number % 24:02d}:02:11 -0000</pubDate><guid>{link}</guid></item>")

    data = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            "<title>Veg Blog - Latest Comments</title><link>http://vegblog.disqus.com/</link>"
            + item("leeks", "Why my leeks bolted", 10, "Ann") + item("compost", "Compost, wet", 9, "Bo") + item("leeks", "Why my leeks bolted", 8, "Bo")
            + "</channel></rss>").encode()
    assert '"Compost, wet" https://veg.example.net/2023/compost/ (1 comment)' in refused(data)
    thread = read(data, thread="leeks")
    assert (thread.title, thread.url) == ("Why my leeks bolted", "https://veg.example.net/2023/leeks/")
    assert [(r.author, r.title) for r in thread.replies] == [("Bo", None), ("Ann", None)]


def test_an_isso_feed_of_a_hundred_comments_says_the_page_may_have_more():
    data = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>tag:c.example,2018:/isso/thread/p/</id>'
            "<title>Comments for c.example/p/</title>" + "".join(isso_entry(n, f"n{n}", f"text {n}") for n in range(100)) + "</feed>").encode()
    thread = read(data)
    assert len(thread.replies) == 100
    assert thread.import_notes[-1] == ("the feed lists 100 comments, as many as an Isso feed lists by default (the newest): the page may "
                                       "have more (the feed's address with &limit=1000 lists more)")


def test_a_wikidot_forum_feed_names_authors_and_holds_one_thread_per_topic():
    """Wikidot's /feed/forum/posts.xml names a poster only in wikidot:authorName, links a post as
    /forum/t-T/SLUG#post-P, often gives it no title and closes it with its category and thread."""
    def item(topic, post, title, who, day):
        footer = (f'\n<br/>Forum category: <a href="http://scp.example/forum/c-8">Group / Tales</a><br/>'
                  f'Forum thread: <a href="http://scp.example/forum/t-{topic}/slug">Thread &amp; {topic}</a>')
        return (f"<item><guid>http://scp.example/forum/t-{topic}#post-{post}</guid><title>{title}</title>"
                f"<link>http://scp.example/forum/t-{topic}/slug#post-{post}</link><description/><pubDate>{day} Nov 2023 10:02:11 +0000</pubDate>"
                f"<wikidot:authorName>{who}</wikidot:authorName><wikidot:authorUserId>1</wikidot:authorUserId>"
                f"<content:encoded><![CDATA[<p>post {post}</p>{footer}]]></content:encoded></item>")

    data = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wikidot="http://www.wikidot.com/rss-namespace" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>SCP - new forum posts</title>'
            "<link>http://scp.example/forum/start</link>"
            + item(16071327, 3, "", "Crayne", 14) + item(16071000, 2, "Critique wanted", "Ann", 14) + item(16071327, 1, "", "Dr Gears", 13)
            + "</channel></rss>").encode()
    assert '"Thread & 16071327" http://scp.example/forum/t-16071327 (2 comments)' in refused(data)
    thread = read(data, thread="t-16071327")
    assert (thread.url, thread.title, thread.opening_post) == ("http://scp.example/forum/t-16071327", "Thread & 16071327", None)
    assert [(r.author, r.body) for r in thread.replies] == [("Dr Gears", "<p>post 1</p>"), ("Crayne", "<p>post 3</p>")]
    assert not thread.partial


def test_a_trac_ticket_feed_opens_with_the_ticket_and_threads_its_replies():
    """Trac's /ticket/N?format=rss gives the ticket's description in its channel and links changes as #comment:N."""
    def item(number, who, title, text):
        link = f"https://trac.example/ticket/1421#comment:{number}"
        return (f"<item><dc:creator>{who}</dc:creator><pubDate>Mon, 1{number} Feb 2010 10:11:12 GMT</pubDate><title>{title}</title>"
                f'<link>{link}</link><guid isPermaLink="false">{link}</guid><description>{text}</description><category>Ticket</category></item>')

    replying = ('&lt;ul&gt;&lt;li&gt;&lt;strong&gt;status&lt;/strong&gt; changed from &lt;em&gt;new&lt;/em&gt; to &lt;em&gt;assigned&lt;/em&gt;.&lt;/li&gt;&lt;/ul&gt;'
                '&lt;p&gt;Replying to &lt;a class="ticket" href="https://trac.example/ticket/1421#comment:1"&gt;bob&lt;/a&gt;:&lt;/p&gt;'
                '&lt;blockquote class="citation"&gt;&lt;p&gt;Confirmed.&lt;/p&gt;&lt;/blockquote&gt;&lt;p&gt;Mine.&lt;/p&gt;')
    data = ('<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            "<title>Parrot: Ticket #1421: NCI segfault</title><link>https://trac.example/ticket/1421</link>"
            "<description>&lt;p&gt;It crashes.&lt;/p&gt;</description><generator>Trac 0.12</generator>"
            + item(1, "bob", "comment:1", "&lt;p&gt;Confirmed.&lt;/p&gt;") + item(2, "kay", "status changed", replying) + "</channel></rss>").encode()
    thread = read(data)
    assert (thread.opening_post.body, thread.opening_post.posted_at) == ("<p>It crashes.</p>", None)
    bob, kay = thread.replies
    assert (bob.number, bob.title, kay.number, kay.parent_id) == (1, None, 2, bob.id)
    assert kay.body == ("<ul><li><strong>status</strong> changed from <em>new</em> to <em>assigned</em>.</li></ul>"
                        "<blockquote><p>Confirmed.</p></blockquote><p>Mine.</p>")
    assert thread.import_notes == ("the feed gives the ticket's description but not who reported it or when: "
                                   "the opening post has no author or date",)
