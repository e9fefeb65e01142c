"""From the page a reader sees to the data an importer reads.

Editors copy a discussion's address from the browser, but the page is HTML made for people;
the importers read the data behind it.  Known sites are recognised by their URL alone (a Reddit
thread, a Hacker News item); any other page is fetched once and looked at: a Discourse topic
names its generator, a mail archive's thread or message page links the thread as an mbox
(HyperKitty, public-inbox), and a discussion page links its own feed in the way its platform
publishes it (WordPress, Blogger, Stack Exchange, NodeBB).  A listing page (a blog's home, a
category, a list's index) is no discussion.  Pure functions: fetching stays in ``digest.fetch``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import lxml.etree
import lxml.html

from digest.errors import SourceError
from digest.model import Thread

REDDIT_HOSTS = {"reddit.com", "www.reddit.com", "old.reddit.com", "new.reddit.com", "np.reddit.com", "m.reddit.com",
                "i.reddit.com", "sh.reddit.com"}
HN_HOSTS = {"news.ycombinator.com"}
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}

_PAGE_START = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
# /r/SUB/comments/ID/slug/[COMMENT/], /user/NAME/comments/ID/... (a profile post), /comments/ID, /gallery/ID
_REDDIT_THREAD = re.compile(r"(?:/r/([^/]+)|/u(?:ser)?/[^/]+)?/(?:comments|gallery)/([a-z0-9]+)(?:/|$)", re.I)
_REDDIT_SHORT = re.compile(r"/([a-z0-9]+)/?", re.I)
# /t/slug/42, /t/slug/42/7 (a post), /t/42, /t/42/7: a slug is never digits alone
_DISCOURSE_TOPIC = re.compile(r"^(.*?)/t/(?:[^/]*[^/0-9][^/]*/)?(\d+)(?:/\d+)?/?$")


@dataclass(frozen=True)
class DataUrl:
    url: str
    note: str  # what was fetched instead of the page, for the thread's import notes
    shown_replies: int | None = None  # the comments the page itself shows, when it numbers them
    every_reply: str | None = None  # where all of them are, when the data holds only some (a WordPress feed)


def known_site(url: str) -> DataUrl | None:
    """The data URL of a discussion page on a site known by its address, else None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "redd.it" and (short := _REDDIT_SHORT.fullmatch(parts.path)):
        return _reddit(None, short.group(1))
    if host in REDDIT_HOSTS and (thread := _REDDIT_THREAD.match(parts.path)):
        return _reddit(*thread.groups())
    if host in HN_HOSTS and parts.path == "/item":
        item = parse_qs(parts.query).get("id", [""])[0]
        if item.isdigit():
            data = f"https://hn.algolia.com/api/v1/items/{item}"
            return DataUrl(data, f"read the Hacker News thread's tree at {data}")
    return None


def _reddit(subreddit: str | None, post: str) -> DataUrl:
    """The whole thread (a page showing one comment of it too), unescaped, as many comments as
    one answer carries; the rest come as "more" stubs, which the importer reports."""
    where = f"/r/{subreddit}" if subreddit else ""
    data = f"https://www.reddit.com{where}/comments/{post}.json?raw_json=1&limit=500"
    return DataUrl(data, f"read the Reddit thread's data at {data}")


def looks_like_html(data: bytes) -> bool:
    """A web page: it opens with the HTML doctype or element (after an XHTML page's XML
    declaration and comments) — not a mail archive whose first message is HTML."""
    return _PAGE_START.match(data[:4096].removeprefix(b"\xef\xbb\xbf")) is not None


def from_page(page_url: str, data: bytes) -> DataUrl:
    """The data behind a fetched HTML page (``page_url``: where it was found, after redirects):
    a Discourse topic's JSON, a mail thread's mbox, or the feed of the discussion the page
    shows.  Anything else is an error that says what to give instead, listing the feeds the
    page links: a site's feed of posts is not a discussion, so it is never taken in its place."""
    root = _parse(data)
    if root is None:
        raise _not_a_discussion(page_url, [], None)
    base_tag = root.find(".//base[@href]")
    base = urljoin(page_url, base_tag.get("href").strip()) if base_tag is not None else page_url
    address = _canonical(root, base) or page_url.split("#")[0]
    if _generated_by_discourse(root) and (topic := _DISCOURSE_TOPIC.match(urlsplit(address).path)):
        prefix, number = topic.groups()
        parts = urlsplit(address)
        url = f"{parts.scheme}://{parts.netloc}{prefix}/t/{number}.json?print=true"
        return DataUrl(url, f"read the Discourse topic's data at {url}")
    links = [urljoin(base, (a.get("href") or "").strip()) for a in root.iter("a")]
    if mbox := _thread_mbox(links, address):
        return DataUrl(mbox, f"read the thread's messages at {mbox}")
    feeds = _feeds(root, base)
    if not _listing_page(root):
        own = [href for _, href in feeds if _feed_of(href, address)]
        if own:  # the discussion's own feed (sometimes as RSS and as Atom)
            return DataUrl(own[0], f"read the discussion's feed at {own[0]}", _comments_shown(root), _wordpress_comments(root, base))
    raise _not_a_discussion(page_url, feeds, _pipermail_archive(address, root))


# WordPress (and most blog themes) give each comment an element id: comment-12, div-comment-12
_COMMENT_ID = re.compile(r"^(?:div-|li-)?comment-(\d+)$")


def _comments_shown(root) -> int | None:
    """How many comments the page shows, counted by their element ids; None when it names none."""
    numbers = {found.group(1) for element in root.iter() if (found := _COMMENT_ID.match(element.get("id") or ""))}
    return len(numbers) or None


_WP_POST_JSON = re.compile(r"^(https?://.+?/)wp/v2/(?:posts|pages)/(\d+)/?$")


def _wordpress_comments(root, base: str) -> str | None:
    """A WordPress post's every comment, from its REST API (its page links the post's JSON),
    100 to a page."""
    for link in root.iter("link"):
        kind = (link.get("type") or "").lower()
        if "alternate" in (link.get("rel") or "").lower().split() and kind == "application/json":
            if found := _WP_POST_JSON.match(urljoin(base, (link.get("href") or "").strip())):
                return f"{found.group(1)}wp/v2/comments?post={found.group(2)}&per_page=100"
    return None


def checked_against_page(thread: Thread, found: DataUrl) -> Thread:
    """A blog's comments feed lists only its newest comments (WordPress: 10, unless the owner
    changed Settings → Reading); when the page showed more, the import says so and is partial."""
    shown = found.shown_replies
    if not shown or shown <= len(thread.replies):
        return thread
    where = (f"import {found.every_reply} instead (the blog's API, 100 comments to a page)" if found.every_reply
             else "a WordPress export (WXR) from the blog's owner holds them all")
    note = (f"the page shows {shown} comments, its feed only the newest {len(thread.replies)}: a blog's feeds list a set number "
            f"of comments (WordPress: 10 unless its owner changed Settings → Reading); {where}")
    total = max(thread.total_replies or 0, shown)
    return replace(thread, partial=True, total_replies=total, import_notes=(*thread.import_notes, note))


def _not_a_discussion(page_url: str, feeds: list[tuple[str, str]], archive_fix: str | None) -> SourceError:
    listed = "; ".join(f"{href} ({title})" if title else href for title, href in feeds)
    return SourceError(
        "this is a web page, not discussion data digest can read"
        + (f"; the feeds it links are not one discussion's: {listed}" if feeds else ""),
        where=page_url,
        fix=archive_fix or (
            "give the discussion's page (a Discourse topic, a Reddit thread, a Hacker News item, a HyperKitty "
            "or public-inbox thread, a blog post with a comments feed), its feed or JSON URL, or save an export "
            "and import the file"),
    )


def _parse(data: bytes):
    try:
        return lxml.html.document_fromstring(data)
    except (lxml.etree.ParserError, ValueError):
        return None


def _generated_by_discourse(root) -> bool:
    return any((m.get("name") or "").lower() == "generator" and "discourse" in (m.get("content") or "").lower()
               for m in root.iter("meta"))


_HYPERKITTY_THREAD = re.compile(r"^(.*/list/([^/]+(?:@|%40)[^/]+))/thread/([A-Za-z0-9]+)/?$")


def _thread_mbox(links: list[str], address: str) -> str | None:
    """A mail archive's download of this thread, whole messages with the headers that thread
    them: public-inbox's ``t.mbox.gz`` right below the message's address; HyperKitty's export
    of the thread the page shows (``….mbox.gz?thread=ID``), or on a message page, of the
    thread it links to."""
    own_mbox = urljoin(address if address.endswith("/") else address + "/", "t.mbox.gz")
    for href in links:
        parts = urlsplit(href)
        thread = parse_qs(parts.query).get("thread", [""])[0]
        if href == own_mbox or (parts.path.endswith(".mbox.gz") and thread and f"/thread/{thread}" in address):
            return href
    if "/message/" in urlsplit(address).path:
        for href in links:
            if found := _HYPERKITTY_THREAD.match(href.split("?")[0].split("#")[0]):
                prefix, mailing_list, thread = found.groups()
                return f"{prefix}/export/{unquote(mailing_list)}-{thread}.mbox.gz?thread={thread}"
    return None


_LISTING_CLASSES = {"home", "blog", "archive", "category", "tag", "author", "search", "date"}


def _listing_page(root) -> bool:
    """A blog's home, category or archive page (WordPress and most themes say so in the body's
    classes): the feeds it links for itself are feeds of posts, not one discussion."""
    body = root.find(".//body")
    classes = set((body.get("class") or "").lower().split()) if body is not None else set()
    return bool(classes & _LISTING_CLASSES) and not classes & {"single", "single-post", "page"}


def _canonical(root, base: str) -> str | None:
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return urljoin(base, link.get("href").strip()).split("#")[0]
    return None


def _feeds(root, base: str) -> list[tuple[str, str]]:
    """(title, absolute URL) of each feed the page announces."""
    found = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES and link.get("href"):
            found.append((" ".join((link.get("title") or "").split()), urljoin(base, link.get("href").strip())))
    return found


_BLOGGER_COMMENTS = re.compile(r"/feeds/\d+/comments/(?:default|full|summary)$")
_QUESTION = re.compile(r"^/(?:questions|q)/(\d+)")
_FEED_SUFFIX = re.compile(r"\.(?:rss|atom|xml)$")


def _feed_of(feed: str, page: str) -> bool:
    """Is this the feed of the discussion at ``page``?  As the platforms publish it: below the
    page's address (WordPress ``/post/feed/``), WordPress's ``?feed=rss2&p=ID`` for a
    ``?p=ID`` page, Blogger's ``/feeds/POST/comments/default``, Stack Exchange's
    ``/feeds/question/ID``, or the page's address (up to its id) plus ``.rss`` (NodeBB)."""
    feed_parts, page_parts = urlsplit(feed), urlsplit(page)
    if _BLOGGER_COMMENTS.search(feed_parts.path):
        return True
    if feed_parts.netloc.lower() != page_parts.netloc.lower():
        return False
    path = page_parts.path.rstrip("/")
    if path and feed_parts.path.startswith(path + "/"):
        return True
    page_query, feed_query = parse_qs(page_parts.query), parse_qs(feed_parts.query)
    for key in ("p", "page_id"):
        if page_query.get(key) and feed_query.get(key) == page_query[key] and "feed" in feed_query:
            return True
    if (question := _QUESTION.match(page_parts.path)) and feed_parts.path == f"/feeds/question/{question.group(1)}":
        return True
    stem = _FEED_SUFFIX.sub("", feed_parts.path)
    return stem != feed_parts.path and any(c.isdigit() for c in stem) and (path == stem or path.startswith(stem + "/"))


_PIPERMAIL_MESSAGE = re.compile(r"^(.*/pipermail/[^/]+/)([^/]+)/\d+\.html$")


def _pipermail_archive(address: str, root) -> str | None:
    """A Mailman 2 message page: the way to its thread is the period's archive, with the
    thread chosen by its subject."""
    found = _PIPERMAIL_MESSAGE.match(urlsplit(address).path)
    if not found:
        return None
    parts = urlsplit(address)
    archive = f"{parts.scheme}://{parts.netloc}{found.group(1)}{found.group(2)}.txt.gz"
    subject = " ".join((root.findtext(".//title") or "").split())
    subject = re.sub(r"^(?:\[[^\]]*\]\s*)*(?:re:\s*)*", "", subject, flags=re.I)
    return f'this is a Mailman archive message: import the period\'s archive, {archive} (or .txt), with --thread "{subject}"'
