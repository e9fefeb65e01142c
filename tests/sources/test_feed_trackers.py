"""The feed reader on forum engines' markup (MyBB, vBulletin 3, Discuz!, Word's symbols) and on
issue trackers' feeds (Jira's XML view, Redmine's issue feed, GitLab's issue feed)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, feed

NO_TEXT_NOTE = ("1 entry carries no text in the feed, only a title (a feed of headlines, a forum post of pictures alone, which forums "
                "leave out of their feeds, or an issue without a description)")


def read(data: str, thread: str | None = None, name: str = "feed.xml"):
    return feed.read(ImportRequest((SourceDocument(name, data.encode()),), thread=thread))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


# ---------------------------------------------------------------------------- MyBB, vBulletin 3, Discuz!, Word

def forum_rss(creator: str, content: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title><![CDATA[Forums - Bug Reports]]></title>'
            "<link>https://forum.example.org/</link><generator>MyBB</generator><item><title><![CDATA[Num Lock]]></title>"
            "<link>https://forum.example.org/showthread.php?tid=7</link><pubDate>Fri, 20 Dec 2019 11:01:00 +0000</pubDate>"
            f"<dc:creator><![CDATA[{creator}]]></dc:creator>"
            '<guid isPermaLink="false">https://forum.example.org/showthread.php?tid=7</guid>'
            f"<content:encoded><![CDATA[{content}]]></content:encoded></item></channel></rss>")


def test_mybb_names_a_poster_by_the_text_of_the_profile_link_it_gives():
    rss = read(forum_rss('<a href="https://forum.example.org/member.php?action=profile&uid=339476">natovan</a>', "It is dark."))
    atom = read('<feed xmlns="http://www.w3.org/2005/Atom"><title>All Forums</title><id>https://forum.example.org/</id>'
                '<generator uri="https://mybb.com">MyBB</generator><entry><author><name type="html" xml:space="preserve">'
                '<![CDATA[<a href="https://forum.example.org/member.php?action=profile&uid=4396">Claude Speed</a>]]></name>'
                '</author><id>https://forum.example.org/showthread.php?tid=9</id><title>goto label</title>'
                '<published>2022-07-29T23:36:32Z</published><content type="html">Is it possible?</content></entry></feed>')
    assert [r.author for r in rss.replies + atom.replies] == ["natovan", "Claude Speed"]
    assert rss.import_notes == atom.import_notes == ()


def test_mybb_code_boxes_are_preformatted_lines():
    content = ('Error:<div class="codeblock"><div class="title">Code:</div><div class="body" dir="ltr"><code>CREATE TABLE `c` (<br />\n'
               '  `ID` int(11) NOT NULL<br />\n);</code></div></div><div class="codeblock phpcodeblock"><div class="title">PHP Code:'
               '</div><div class="body"><div dir="ltr"><code><span style="color: #007700">public&nbsp;</span><span style="color: '
               '#0000BB">Go</span>()<br />{<br /></span><span> &nbsp; &nbsp;</span>return&nbsp;a&nbsp;&lt;&nbsp;b;<br />}</code>'
               '</div></div></div>')
    assert read(forum_rss("Ann", content)).replies[0].body == (
        "<p>Error:</p><p>Code:</p><pre>CREATE TABLE `c` (\n  `ID` int(11) NOT NULL\n);</pre>"
        "<p>PHP Code:</p><pre>public Go()\n{\n    return a &lt; b;\n}</pre>"
    )


def test_a_vbulletin_3_quote_table_is_a_blockquote_without_its_view_post_button():
    content = ('One of the messages from 2010:<br />\n<div style="margin:20px; margin-top:5px; ">\n'
               '<div class="smallfont" style="margin-bottom:2px">Quote:</div>\n<table border="0" cellpadding="6" cellspacing="0" '
               'width="100%">\n<tr>\n<td class="alt2" style="border: 1px solid #C2C2C2;">\n<div>Originally Posted by '
               '<strong>Riddick</strong> <a href="showthread.php?p=5#post5" rel="nofollow"><img class="inlineimg" '
               'src="images/buttons/viewpost.gif" border="0" alt="View Post" /></a></div>\n<div style="font-style:italic">'
               'The ammo is 34.</div>\n</td>\n</tr>\n</table>\n</div>In short - it is 17.')
    assert read(forum_rss("Riddick94", content)).replies[0].body == (
        "<p>One of the messages from 2010:<br>\n</p><blockquote>\n<p>Originally Posted by <strong>Riddick</strong> </p>\n"
        "<p>The ammo is 34.</p>\n</blockquote><p>In short - it is 17.</p>"
    )


def test_a_vbulletin_4_quote_loses_its_quote_icon_and_view_post_button():
    content = ('<blockquote class="blogcontent restore"><div class="bbcode_container"><div class="bbcode_quote"><div class="quote_container">'
               '<div class="bbcode_quote_container"></div><div class="bbcode_postedby"><img src="https://forum.example.org/images/misc/'
               'quote_icon.png" alt="Quote" /> Originally Posted by <strong>the_empty</strong> <a href="https://forum.example.org/'
               'showthread.php?p=712#post712" rel="nofollow"><img class="inlineimg" src="https://forum.example.org/images/buttons/'
               'viewpost-right.png" alt="View Post" /></a></div><div class="message">Curiosity is a virtue.</div></div></div></div>'
               "And so it goes.</blockquote>")
    assert read(forum_rss("the_empty", content)).replies[0].body == (
        "<blockquote><p>Originally Posted by <strong>the_empty</strong> </p><p>Curiosity is a virtue.</p></blockquote>"
        "<p>And so it goes.</p>"
    )


def test_a_rotor_topic_feed_giving_the_text_as_title_and_the_topic_as_text_is_read_the_other_way_round():
    items = "".join(
        f"<item><title>{text}</title><link>https://visavi.net/topics/4021?pid={pid}</link>"
        f"<description>Обновление движка до версии 10 </description><author>{name}</author>"
        f"<pubDate>Mon, 15 Jan 2024 1{pid % 10}:00:00 +0300</pubDate><guid>https://visavi.net/topics/4021?pid={pid}</guid></item>"
        for pid, name, text in [(95004, "Vantuz", "Обновил. &lt;br&gt;&lt;b&gt;Спасибо!&lt;/b&gt;"), (95010, "Gost", "А миграции?")])
    thread = read('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Обновление движка до версии 10</title>'
                  f"<link>https://visavi.net/topics/4021</link><description>Сообщения темы</description>{items}</channel></rss>")
    assert [(r.author, r.title, r.body) for r in thread.replies] == [
        ("Gost", None, "<p>А миграции?</p>"), ("Vantuz", None, "<p>Обновил. <br><strong>Спасибо!</strong></p>"),
    ]
    assert thread.import_notes == ("the feed gives each post's text as its title and the topic's title as its text (as Rotor's "
                                   "topic feeds do): read the other way round",)


def test_words_symbol_font_characters_are_the_symbols_they_show_noted():
    thread = read(forum_rss("$K2$", "Rate of success --&#61664;25%<br />\n&#xF0B7; one \uf0fc done \uf0aa kept"))
    assert thread.replies[0].body == "<p>Rate of success --→25%<br>\n• one ✓ done \uf0aa kept</p>"
    assert thread.import_notes == ("1 entry held characters of Word's symbol fonts (private-use code points such as U+F0E0, "
                                   "shown as a box elsewhere): shown as the symbols they stand for (→, •, ✓)",)


def test_a_discuz_post_of_pictures_alone_has_no_text_and_says_so():
    thread = read('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>香山网 - 珠海生活</title>'
                  "<link>http://www.x3cn.com/forum-67-1.html</link><generator>Discuz! Board by Comsenz Inc.</generator>"
                  "<item><title>夏天真愁人！家里的卫生间出现小虫子</title><link>http://www.x3cn.com/thread-1224076-1-1.html</link>"
                  "<description><![CDATA[ ]]></description><author>阳光未必暖人心</author>"
                  "<pubDate>Wed, 24 Jun 2020 09:18:28 +0000</pubDate></item>"
                  "<item><title>平沙开肯德基了</title><link>http://www.x3cn.com/thread-1224079-1-1.html</link>"
                  "<description><![CDATA[ 今天开业[鼓掌] ]]></description><author>Tyts</author>"
                  "<pubDate>Wed, 24 Jun 2020 09:22:35 +0000</pubDate></item></channel></rss>")
    assert [(r.author, r.title, r.body) for r in thread.replies] == [
        ("阳光未必暖人心", "夏天真愁人！家里的卫生间出现小虫子", ""), ("Tyts", "平沙开肯德基了", "<p>今天开业[鼓掌]</p>"),
    ]
    assert thread.import_notes == (NO_TEXT_NOTE,)


def test_a_gitlab_issue_without_description_has_no_text_not_its_title_twice():
    thread = read('<feed xmlns="http://www.w3.org/2005/Atom"><title>Example / widget issues</title>'
                  '<link href="https://gitlab.com/example/widget/-/issues" rel="alternate" type="text/html"/>'
                  "<id>https://gitlab.com/example/widget/-/issues</id><entry><id>https://gitlab.com/example/widget/-/issues/41</id>"
                  '<link href="https://gitlab.com/example/widget/-/issues/41"/><title>Docs typo</title>'
                  "<updated>2026-11-19T08:00:00Z</updated><author><name>Maria Ruiz</name></author><summary>Docs typo</summary>"
                  "</entry></feed>")
    assert [(r.author, r.title, r.body) for r in thread.replies] == [("Maria Ruiz", "Docs typo", "")]
    assert thread.import_notes == (NO_TEXT_NOTE,)


def test_bbcode_links_and_pictures_a_forum_leaves_in_its_feed_are_html_links():
    data = ('<?xml version="1.0" encoding="gb2312"?>\n<rss version="2.0"><channel><title>电脑技术</title>'
            "<link>http://bbs.example.cn/ShowForum.asp?ForumID=3</link><item><title>分享一个好用的软件</title>"
            "<link>http://bbs.example.cn/ShowPost.asp?ThreadID=1023</link><author>老李</author>"
            "<pubDate>Sun, 11 May 2008 09:05:40 +0800</pubDate><description><![CDATA[[img]http://bbs.example.cn/UpFile/soft.jpg[/img]"
            "<br>下载：[url=http://down.example.cn/a.zip]点这里[/url]，[URL]http://down.example.cn/b.zip[/URL]]]></description>"
            "</item></channel></rss>")
    thread = feed.read(ImportRequest((SourceDocument("bbsxp.xml", data.encode("gb2312")),)))
    assert [(r.author, r.posted_at, r.body) for r in thread.replies] == [(
        "老李", utc(2008, 5, 11, 1, 5, 40),
        '<p><a href="http://bbs.example.cn/UpFile/soft.jpg">[image]</a><br>下载：<a href="http://down.example.cn/a.zip">点这里</a>，'
        '<a href="http://down.example.cn/b.zip">http://down.example.cn/b.zip</a></p>',
    )]
    assert thread.import_notes == ()


# ---------------------------------------------------------------------------- Jira

def jira_item(key: str, comments: str, description: str = "&lt;p&gt;A waiting borrower stays blocked.&lt;/p&gt;") -> str:
    return f"""<item>
            <title>[{key}] Closing a pool does not wake borrowers</title>
                <link>https://issues.apache.org/jira/browse/{key}</link>
                <project id="12310488" key="POOL">Commons Pool</project>
                    <description>{description}</description>
                <environment></environment>
        <key id="12455190">{key}</key>
            <summary>Closing a pool does not wake borrowers</summary>
                <type id="1">Bug</type>
                                        <assignee username="psteitz">Phil Steitz</assignee>
                                    <reporter username="mthomas">Mark Thomas</reporter>
                <created>Mon, 22 Feb 2010 15:09:04 +0000</created>
                <updated>Sun, 20 Jun 2010 21:46:30 +0000</updated>
                            <votes>1</votes>
                                                <comments>{comments}</comments>
                    <attachments>
                            <attachment id="12436733" name="{key}.patch" size="3025" author="mthomas" created="Tue, 23 Feb 2010 10:01:47 +0000"/>
                    </attachments>
    </item>"""


def jira_xml(*items: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!-- \nRSS generated by JIRA (8.20.10#820010) at Fri Jun 05 13:55:18 UTC 2026\n-->\n'
            '<rss version="0.92" >\n<channel>\n    <title>ASF JIRA</title>\n    <link>https://issues.apache.org/jira</link>\n'
            "    <description>This file is an XML representation of an issue</description>\n    <language>en-uk</language>\n"
            + "\n".join(items) + "\n</channel>\n</rss>\n")


COMMENTS = """
    <comment id="12836887" author="psteitz" created="Tue, 23 Feb 2010 04:28:50 +0000"  >&lt;p&gt;Do you have a test case?&lt;/p&gt;</comment>
    <comment id="12837006" author="mthomas" created="Tue, 23 Feb 2010 10:02:11 +0000"  >&lt;div class=&quot;code panel&quot;&gt;&lt;div class=&quot;codeContent panelContent&quot;&gt;
&lt;pre class=&quot;code-java&quot;&gt;pool.close();
&lt;/pre&gt;
&lt;/div&gt;&lt;/div&gt;&lt;p&gt;Gr&#252;&#223;e&lt;/p&gt;</comment>
    <comment id="12852861" author="sebb@apache.org" created="Sun, 4 Apr 2010 23:13:12 +0000"  >&lt;p&gt;Fixed in &lt;a href=&quot;https://issues.apache.org/jira/browse/POOL-1&quot;&gt;&lt;img class=&quot;icon&quot; src=&quot;https://issues.apache.org/jira/secure/viewavatar?avatarId=1&quot; /&gt;POOL-1&lt;/a&gt;.&lt;/p&gt;</comment>
"""


def test_jiras_xml_view_of_an_issue_is_the_issue_and_its_comments():
    thread = read(jira_xml(jira_item("POOL-162", COMMENTS)), name="POOL-162.xml")
    link = "https://issues.apache.org/jira/browse/POOL-162"
    assert (thread.id, thread.url, thread.title) == (link, link, "[POOL-162] Closing a pool does not wake borrowers")
    opening = thread.opening_post
    assert (opening.author, opening.posted_at, opening.body, opening.engagement.score) == (
        "Mark Thomas", utc(2010, 2, 22, 15, 9, 4), "<p>A waiting borrower stays blocked.</p>", 1)
    assert [(r.author, r.posted_at, r.permalink, r.body, r.parent_id) for r in thread.replies] == [
        ("Phil Steitz", utc(2010, 2, 23, 4, 28, 50), f"{link}?focusedCommentId=12836887#comment-12836887",
         "<p>Do you have a test case?</p>", None),
        ("Mark Thomas", utc(2010, 2, 23, 10, 2, 11), f"{link}?focusedCommentId=12837006#comment-12837006",
         "<pre>pool.close();\n</pre><p>Grüße</p>", None),
        ("sebb", utc(2010, 4, 4, 23, 13, 12), f"{link}?focusedCommentId=12852861#comment-12852861",
         '<p>Fixed in <a href="https://issues.apache.org/jira/browse/POOL-1">POOL-1</a>.</p>', None),
    ]
    assert thread.import_notes == (
        "read as Jira's XML view of POOL-162: its description opens the thread and its 3 comment(s) follow "
        "(its history of changes is not in the file)",
        "Jira's XML names 1 commenter(s) only by user name or account id, not by the name Jira shows "
        "(it gives names for the reporter and assignee alone): sebb",
    )
    assert not thread.partial


def test_a_jira_search_holding_several_issues_is_imported_one_issue_at_a_time():
    data = jira_xml(jira_item("POOL-162", COMMENTS), jira_item("POOL-163", "", description=""))
    with pytest.raises(SourceError) as error:
        read(data, name="SearchRequest.xml")
    assert error.value.message == (
        "the Jira XML holds 2 issues:\n"
        '  "[POOL-162] Closing a pool does not wake borrowers" https://issues.apache.org/jira/browse/POOL-162\n'
        '  "[POOL-163] Closing a pool does not wake borrowers" https://issues.apache.org/jira/browse/POOL-163'
    )
    assert error.value.fix == "choose one with --thread KEY (such as --thread POOL-162)"
    thread = read(data, thread="pool-163")
    assert (thread.url, thread.replies, thread.opening_post.body) == ("https://issues.apache.org/jira/browse/POOL-163", (), "")
    assert thread.import_notes == (
        "the Jira XML holds 2 issues: imported POOL-163 and left out the others",
        "read as Jira's XML view of POOL-163: its description opens the thread and its 0 comment(s) follow "
        "(its history of changes is not in the file)",
        NO_TEXT_NOTE,
    )
    with pytest.raises(SourceError) as error:
        read(data, thread="POOL-9")
    assert error.value.message.startswith("--thread 'POOL-9' names none of the Jira XML's 2 issues:\n")


def test_a_jira_xml_cut_off_is_partial_and_says_where_it_breaks():
    data = jira_xml(jira_item("POOL-162", COMMENTS))
    thread = read(data[: data.index("Fixed in")], name="POOL-162.xml")
    assert [r.author for r in thread.replies] == ["Phil Steitz", "Mark Thomas"] and thread.partial
    assert thread.import_notes[:3] == (
        "the Jira XML is broken at line 31 (Premature end of data in tag comment; cut off?): imported what could be read, "
        "comments may be missing",
        "the comment the file breaks off in is left out",
        "read as Jira's XML view of POOL-162: its description opens the thread and its 2 comment(s) follow "
        "(its history of changes is not in the file)",
    )


# ---------------------------------------------------------------------------- Redmine

def redmine_entry(journal: int, name: str, day: int, content: str) -> str:
    return (f"<entry><title>Redmine - Defect #38512: Wrong time zone in CSV</title>"
            f'<link rel="alternate" href="https://www.redmine.org/issues/38512"/>'
            f"<id>https://www.redmine.org/issues/38512?journal_id={journal}</id><updated>2023-04-{day:02d}T11:02:40+00:00</updated>"
            f'<author><name>{name}</name></author><content type="html">{content}</content></entry>')


def test_redmines_feed_of_an_issue_links_each_change_and_says_the_description_is_missing():
    thread = read('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                  "<title>Redmine - Defect #38512: Wrong time zone in CSV</title>"
                  '<link rel="self" href="https://www.redmine.org/issues/38512.atom"/>'
                  '<link rel="alternate" href="https://www.redmine.org/"/><id>https://www.redmine.org/</id>'
                  '<author><name>Redmine</name></author><generator uri="https://www.redmine.org/">Redmine</generator>'
                  + redmine_entry(107744, "Go MAEDA", 28, "&lt;ul&gt;&lt;/ul&gt;&lt;p&gt;I could reproduce it.&lt;/p&gt;")
                  + redmine_entry(107859, "Mizuki ISHIKAWA", 30, "&lt;ul&gt;&lt;li&gt;&lt;strong&gt;Target version&lt;/strong&gt; "
                                                                 "set to &lt;i&gt;5.0.6&lt;/i&gt;&lt;/li&gt;&lt;/ul&gt;")
                  + "</feed>")
    issue = "https://www.redmine.org/issues/38512"
    assert (thread.id, thread.url, thread.author, thread.opening_post) == (issue, issue, None, None)
    assert [(r.author, r.permalink, r.title, r.body) for r in thread.replies] == [
        ("Go MAEDA", f"{issue}#change-107744", None, "<p>I could reproduce it.</p>"),
        ("Mizuki ISHIKAWA", f"{issue}#change-107859", None, "<ul><li><strong>Target version</strong> set to <em>5.0.6</em></li></ul>"),
    ]
    assert thread.import_notes == (
        "Redmine's feed of an issue gives its changes and notes, not the issue's own description: the thread has no opening post",
        f"the feed (https://www.redmine.org/) holds comments on one post only; the thread is that post, {issue}",
    )
