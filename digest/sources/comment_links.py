"""Which post a comment's address is on: the address without the comment's anchor and page.

Comment feeds link each comment as its post's address plus an anchor (WordPress
``#comment-N``, Blogger ``?showComment=TIME#cN``, remark42 ``#remark42__comment-ID``), a
Discourse post as its topic's address plus its number, a reddit comment below its post's, a
LiveJournal or Dreamwidth comment as its post's with ``?thread=N``, an Isso comment as its
page's with ``#isso-N``, a phpBB, SMF or Wikidot forum post and a Google Groups message as its
topic's with the post's number (Lobsters' comments name no story: see ``LOBSTERS_COMMENT``).
Site-wide feeds are split into threads by these.  Pure functions of addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from digest.sources import common

# A comment's address is its post's plus an anchor: WordPress "#comment-N" (on a post whose
# comments are broken into pages, also a "comment-page-N/" path segment or a "cpage=N"
# parameter), Blogger "?showComment=TIME#cN", Dotclear, Serendipity and b2evolution "#cN",
# remark42 "#remark42__comment-ID", Isso "#isso-N".  The page a comment sits on changes as
# comments are added, so it is no part of the post's address.
# Drupal links a comment as "/comment/N#comment-N": that page is the comment's own, not a post.
_COMMENT_FRAGMENT = re.compile(r"comment[-_]\d+|c\d+|remark42__comment-\S+|isso-\d+|change-\d+")  # … Redmine
_COMMENT_PAGE = re.compile(r"(?<=/)comment-page-\d+/?$")
_PAGE_PARAMETERS = ("cpage", "showcomment", "focusedcommentid")  # WordPress, Blogger, Jira
DRUPAL_COMMENT_PAGE = re.compile(r"https?://[^?#]+/comment/(?P<number>\d+)#comment-(?P=number)")
# Discourse links a post as /t/SLUG/TOPIC/N (topic feeds) or /t/SLUG/TOPIC?page=P#post_N (the
# site's /posts.rss), the topic being /t/SLUG/TOPIC; reddit a comment as
# /r/SUB/comments/POST/SLUG/COMMENT/, the post being /r/SUB/comments/POST/SLUG/.
_DISCOURSE_POST = re.compile(
    r"(?P<topic>https?://[^?#]+?/t/[^/?#]+/\d+)(?:/(?P<number>\d+)/?|/?(?:\?page=\d+)?#post_(?P<anchor>\d+))")
# LiveJournal and Dreamwidth link a comment as POST.html?thread=N#tN (#cmtN).
_JOURNAL_COMMENT = re.compile(r"(?P<post>https?://[^?#]+/\d+\.html)\?(?:[^#]*&)?thread=(?P<number>\d+)(?:&[^#]*)?(?:#(?:t|cmt)(?P=number))?")
# Forums link a post as its topic plus the post: phpBB "viewtopic.php?f=F&t=T&p=P#pP" (topic
# "viewtopic.php?t=T"), SMF "index.php?topic=T.msgM#msgM" (topic "index.php?topic=T.0"; with
# queryless URLs "index.php/topic,T.msgM.html#msgM", topic "index.php/topic,T.0.html"), Wikidot
# "/forum/t-T/SLUG#post-P" (topic "/forum/t-T"), each post titled after its topic, the first without "Re:".
_PHPBB_POST = re.compile(r"(?P<script>https?://[^?#]+/viewtopic\.php)\?(?:[^#]*&)?t=(?P<topic>\d+)(?:&[^#]*)?#p\d+")
_WIKIDOT_POST = re.compile(r"(?P<topic>https?://[^/?#]+/forum/t-\d+)(?:/[^?#]*)?#post-\d+")
_SMF_POST = re.compile(r"(?P<script>https?://[^?#]+/index\.php)(?P<sep>\?topic=|/topic,)(?P<topic>\d+)\.msg\d+(?P<html>\.html)?#msg\d+")
# Google Groups links a message as its topic plus the message: "/group/G/browse_thread/thread/T/M"
# (to 2011), "/d/msg/G/T/M" (to 2020), "/g/G/c/T/m/M"; the topic is the address up to T.
_GROUPS_MESSAGE = re.compile(
    r"(?P<host>https?://groups\.google\.com)/(?:group/(?P<old>[^/?#]+)/browse_thread/thread/(?P<old_topic>[^/?#]+)/[^/?#]+"
    r"|d/msg/(?P<group>[^/?#]+)/(?P<topic>[^/?#]+)/[^/?#]+|g/(?P<g>[^/?#]+)/c/(?P<c>[^/?#]+)/m/[^/?#]+)(?:[?#].*)?")
# Lobsters links a comment of its site-wide comments feed by its own short address, "/c/ID",
# which names no story: the entry's title does.
LOBSTERS_COMMENT = re.compile(r"https?://(?:lobste\.rs|tilde\.news)/c/[0-9a-z]+/?")
_REDDIT_COMMENT = re.compile(r"(?P<post>https?://[^?#]+?/r/[^/?#]+/comments/[0-9a-z]+/[^/?#]*/)[0-9a-z]+/?(?:\?[^#]*)?", re.I)


@dataclass(frozen=True)
class DiscoursePost:
    topic: str  # the topic's address, /t/SLUG/TOPIC
    number: int | None  # the post's number in the topic


def discourse_post(address: str | None) -> DiscoursePost | None:
    """The topic and number of a Discourse post's address, or None for any other address."""
    match = _DISCOURSE_POST.fullmatch(address or "")
    if not match:
        return None
    return DiscoursePost(match.group("topic"), common.whole_number(match.group("number") or match.group("anchor")))


def titles_mark_replies(address: str | None) -> bool:
    """Whether a forum post's address is phpBB's or SMF's, whose replies are titled "Re: TOPIC"
    and whose first post is titled with the topic (a group's messages or Wikidot's posts are not)."""
    return bool(_PHPBB_POST.fullmatch(address or "") or _SMF_POST.fullmatch(address or ""))


def forum_topic(address: str | None) -> str | None:
    """The topic a phpBB, SMF, Wikidot or Google Groups post's address is in, or None for any other address."""
    groups = _GROUPS_MESSAGE.fullmatch(address or "")
    if groups:
        group = groups.group("host")
        if groups.group("old"):
            return f"{group}/group/{groups.group('old')}/browse_thread/thread/{groups.group('old_topic')}"
        if groups.group("group"):
            return f"{group}/d/topic/{groups.group('group')}/{groups.group('topic')}"
        return f"{group}/g/{groups.group('g')}/c/{groups.group('c')}"
    phpbb = _PHPBB_POST.fullmatch(address or "")
    if phpbb:
        return f"{phpbb.group('script')}?t={phpbb.group('topic')}"
    wikidot = _WIKIDOT_POST.fullmatch(address or "")
    if wikidot:
        return wikidot.group("topic")
    smf = _SMF_POST.fullmatch(address or "")
    if smf:
        return f"{smf.group('script')}{smf.group('sep')}{smf.group('topic')}.0{smf.group('html') or ''}"
    return None


def post_address(address: str | None) -> str | None:
    """The post a comment's address is on, or None when it is not a comment's address."""
    discourse = discourse_post(address)
    if discourse:
        return discourse.topic
    topic = forum_topic(address)
    if topic:
        return topic
    reddit = _REDDIT_COMMENT.fullmatch(address or "") or _JOURNAL_COMMENT.fullmatch(address or "")
    if reddit:
        return reddit.group("post")
    parts = split(address or "")
    if parts is None or DRUPAL_COMMENT_PAGE.fullmatch(address or ""):
        return None
    if not _COMMENT_FRAGMENT.fullmatch(parts.fragment):
        return None
    return urlunsplit(parts._replace(fragment="", **_without_comment_page(parts)))


def split(address: str):
    """urlsplit, or None for an address it refuses (a broken "[" host)."""
    try:
        return urlsplit(address)
    except ValueError:
        return None


def _without_comment_page(parts, query=None) -> dict:
    """The path and query of an address without the comment page it names."""
    query = parse_qsl(parts.query, keep_blank_values=True) if query is None else query
    kept = [(k, v) for k, v in query if k.lower() not in _PAGE_PARAMETERS]
    return {"path": _COMMENT_PAGE.sub("", parts.path), "query": urlencode(kept) if len(kept) < len(query) else parts.query}


def same_comment(address: str) -> str:
    """An address with any comment page left out, so a link to a comment made while it was on
    page 1 still finds it after it moved to page 2."""
    parts = split(address) if "comment" in address.lower() else None
    if parts is None:
        return address
    return urlunsplit(parts._replace(**_without_comment_page(parts)))


def place(address: str) -> tuple[str, str]:
    """Where a page sits on its site (host and folder): a page without a fragment that sits
    where the feed's own entries do ("/notice/2104590" beside "/notice/2104592", StatusNet) is
    one of those entries, not the article a comment answers ("/2021/leeks/")."""
    parts = split(address)
    return (parts.netloc.lower(), parts.path.rstrip("/").rsplit("/", 1)[0]) if parts else (address, "")


def same_page(first: str, second: str) -> bool:
    """Whether two addresses are one page, written with another scheme, "www." or a closing
    slash (a blog whose feed says https://www.… while its comments link http://…)."""
    a, b = split(first), split(second)
    if a is None or b is None:
        return first.rstrip("/") == second.rstrip("/")

    def key(parts):
        host = parts.netloc.lower()
        return host[4:] if host.startswith("www.") else host, parts.path.rstrip("/"), parts.query

    return key(a) == key(b)
