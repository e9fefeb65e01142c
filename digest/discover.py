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

import json
import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, unquote, urlencode, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

from digest.errors import SourceError
from digest.model import Thread

REDDIT_HOSTS = {"reddit.com", "www.reddit.com", "old.reddit.com", "new.reddit.com", "np.reddit.com", "m.reddit.com",
                "i.reddit.com", "sh.reddit.com"}
HN_HOSTS = {"news.ycombinator.com"}
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}

# PHP prints its warnings before the page: "<br />\n<b>Deprecated</b>:  ... on line <b>12</b><br />".
# Each warning and each comment is matched atomically (``(?>…)``): a run of them that no page
# follows is refused at once, not after trying every way of splitting it.
_PHP_WARNING = rb"(?>(?:<br\s*/?>\s*)?<b>[A-Za-z ]{3,30}</b>:(?:[^<\n]|<(?!br\b))*(?:<br\s*/?>)?\s*)*"
_PAGE_START = re.compile(rb"\s*" + _PHP_WARNING + rb"(?:<\?xml[^>]*>\s*)?(?>(?:<!--.*?-->\s*))*<(?:!doctype\s+html|html|head)\b", re.I | re.S)
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
    disqus: bool = False  # the page shows its comments with Disqus, whose comments no feed of the site holds


def known_site(url: str) -> DataUrl | None:
    """The data URL of a discussion page on a site known by its address, else None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "redd.it" and (short := _REDDIT_SHORT.fullmatch(parts.path)):
        return _reddit(None, short.group(1))
    if host in REDDIT_HOSTS and (thread := _REDDIT_THREAD.match(parts.path)):
        return _reddit(*thread.groups())
    if host in HN_HOSTS and parts.path == "/item":
        item = re.match(r"\d*", parse_qs(parts.query).get("id", [""])[0]).group()  # "8863)." pasted from prose
        if item:
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
    if _generated_by_discourse(root):
        topic = _DISCOURSE_TOPIC.match(urlsplit(address).path)
        if not topic:  # a category, the latest topics, a user's page: lists of discussions
            raise _not_a_discussion(page_url, _feeds(root, base), None)
        prefix, number = topic.groups()
        parts = urlsplit(address)
        url = f"{parts.scheme}://{parts.netloc}{prefix}/t/{number}.json?print=true"
        return DataUrl(url, f"read the Discourse topic's data at {url}")
    links = [urljoin(base, (a.get("href") or "").strip()) for a in root.iter("a")]
    if mbox := _thread_mbox(links, address):
        return DataUrl(mbox, f"read the thread's messages at {mbox}")
    feeds = _feeds(root, base)
    disqus = _uses_disqus(root)
    if not _listing_page(root):
        post = _without_pages(address)
        own = [href for _, href in feeds if _feed_of(href, post)]
        if own:  # the discussion's own feed (sometimes as RSS and as Atom)
            counted = _comments_shown(root) if _counts_comments(own[0]) else None
            return DataUrl(own[0], f"read the discussion's feed at {own[0]}", counted, _wordpress_comments(root, base), disqus)
    if disqus:
        raise SourceError("this page's comments are Disqus's: the page holds none of them, and Disqus serves no feed of them",
                          where=page_url, fix=_DISQUS_FIX.format(address))
    raise _not_a_discussion(page_url, feeds, _pipermail_archive(address, root))


_DISQUS_FIX = ("export the site's comments from Disqus (Moderation → Export) and import the file with "
               "--format disqus --thread {}")


def _uses_disqus(root) -> bool:
    """Disqus draws a page's comments into ``<div id="disqus_thread">`` from its own servers."""
    return root.find('.//*[@id="disqus_thread"]') is not None or any(
        ".disqus.com/" in (script.get("src") or "") for script in root.iter("script"))


# WordPress moves a post's comments to /post/comment-page-2/ and splits a long post into
# /post/2/; the canonical address then names that page, not the post its feed is below.
_PAGE_SUFFIX = re.compile(r"(?<=/)(?:comment-page-\d+|\d{1,3})/?$")


def _without_pages(address: str) -> str:
    parts = urlsplit(address)
    return urlunsplit(parts._replace(path=_PAGE_SUFFIX.sub("", parts.path))) if "/" in parts.path.rstrip("/")[1:] else address


def _counts_comments(feed: str) -> bool:
    """Only blogs' comment feeds list a set number of the newest comments (WordPress, Blogger);
    a Stack Exchange page's "comment-N" elements are comments on its answers."""
    parts = urlsplit(feed)
    return parts.path.rstrip("/").endswith(("/feed", "/feed/rss2", "/feed/atom", "/comments/default")) or "feed=" in parts.query


# WordPress (and most blog themes) give each comment an element id: comment-12, div-comment-12
_COMMENT_ID = re.compile(r"^(?:div-|li-)?comment-(\d+)$")


def _comments_shown(root) -> int | None:
    """How many comments the page shows, counted by their element ids; None when it names none."""
    numbers = {found.group(1) for element in root.iter() if (found := _COMMENT_ID.match(element.get("id") or ""))}
    return len(numbers) or None


_WP_POST_JSON = re.compile(r"^(.*/)wp/v2/(?:posts|pages)/(\d+)/?$")
_WP_POST_ID = re.compile(r"^(?:postid|page-id)-(\d+)$")


def _wordpress_comments(root, base: str) -> str | None:
    """A WordPress post's every comment, from its REST API (its page links the post's JSON,
    ``/wp-json/wp/v2/posts/ID``, or ``?rest_route=/wp/v2/posts/ID`` without pretty links),
    100 to a page.  WordPress 4.7 to 5.4 link only the API's root; the post's id is then in
    its short link (``?p=ID``) or the body's ``postid-ID`` class."""
    return _post_json_comments(root, base) or _api_root_comments(root, base)


def _api_root_comments(root, base: str) -> str | None:
    """The comments API below the root the page links (``rel="https://api.w.org/"``)."""
    api = next((urljoin(base, (link.get("href") or "").strip()) for link in root.iter("link")
                if "https://api.w.org/" in (link.get("rel") or "").split() and link.get("href")), None)
    post = _wordpress_post_id(root, base)
    if not api or not post:
        return None
    parts = urlsplit(api)
    route = parse_qs(parts.query).get("rest_route")
    if route:  # a site without pretty links: ?rest_route=/
        query = urlencode({"rest_route": route[0].rstrip("/") + "/wp/v2/comments", "post": post, "per_page": 100})
        return urlunsplit(parts._replace(query=query, fragment=""))
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit(parts._replace(path=path + "wp/v2/comments", query=f"post={post}&per_page=100", fragment=""))


def _wordpress_post_id(root, base: str) -> str | None:
    """The post's (or page's) id: its short link, else the body's ``postid-ID``/``page-id-ID`` class."""
    for link in root.iter("link"):
        if "shortlink" in (link.get("rel") or "").lower().split():
            query = parse_qs(urlsplit(urljoin(base, (link.get("href") or "").strip())).query)
            post = (query.get("p") or query.get("page_id") or [""])[0]
            if post.isdigit():
                return post
    body = root.find(".//body")
    classes = (body.get("class") or "").split() if body is not None else []
    return next((found.group(1) for name in classes if (found := _WP_POST_ID.match(name))), None)


def _post_json_comments(root, base: str) -> str | None:
    for link in root.iter("link"):
        kind = (link.get("type") or "").lower()
        if "alternate" in (link.get("rel") or "").lower().split() and kind == "application/json":
            parts = urlsplit(urljoin(base, (link.get("href") or "").strip()))
            route = parse_qs(parts.query).get("rest_route", [""])[0]
            if found := _WP_POST_JSON.match(route):
                query = urlencode({"rest_route": f"{found.group(1)}wp/v2/comments", "post": found.group(2), "per_page": 100})
                return urlunsplit(parts._replace(query=query, fragment=""))
            if found := _WP_POST_JSON.match(parts.path):
                return urlunsplit(parts._replace(path=f"{found.group(1)}wp/v2/comments", query=f"post={found.group(2)}&per_page=100", fragment=""))
    return None


_WP_COMMENTS_API = re.compile(r"/wp/v2/comments/?$")


def next_page(url: str, data: bytes, page: int) -> str | None:
    """The address of page ``page`` of a WordPress comments API answer when ``data`` (the page
    before it, fetched from ``url``) is a full page, else None."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if not (_WP_COMMENTS_API.search(parts.path) or _WP_COMMENTS_API.search(query.get("rest_route", [""])[0])):
        return None
    try:
        per_page = int(query.get("per_page", ["10"])[0])
        items = json.loads(data)
    except ValueError:
        return None
    if not isinstance(items, list) or len(items) < per_page or per_page < 1:
        return None
    query["page"] = [str(page)]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


def checked_against_page(thread: Thread, found: DataUrl) -> Thread:
    """A blog's comments feed lists only its newest comments (WordPress: 10, unless the owner
    changed Settings → Reading); when the page showed more, the import says so and is partial.
    A page whose comments are Disqus's has none in its feed."""
    if found.disqus and not thread.replies:
        note = ("the page shows its comments with Disqus, which this feed does not hold: "
                + _DISQUS_FIX.format(thread.url or "PAGE_URL"))
        return replace(thread, partial=True, import_notes=(*thread.import_notes, note))
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
    folder = address if address.endswith("/") else address + "/"
    if re.search(r"/[Tt]/$", folder):  # the message's thread view (/MSGID/T/, /MSGID/t/): its mbox is the message's
        folder = folder[:-2]
    own_mbox = urljoin(folder, "t.mbox.gz")
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


# Blogger: /feeds/POST/comments/default on the blog's own host; /feeds/BLOG/POST/comments/default
# on www.blogger.com, where /feeds/BLOG/comments/default is the whole blog's.
_BLOGGER_COMMENTS = re.compile(r"/feeds/(?:(?P<blog>\d+)/)?\d+/comments/(?:default|full|summary)$")
_WORDPRESS_FEED = re.compile(r"feed(?:/(?:rss2?|atom|rdf))?/?$")
_QUESTION = re.compile(r"^/(?:questions|q)/(\d+)")
_PHPBB_TOPIC_FEED = re.compile(r"/feed/topic/(\d+)$")
_FEED_SUFFIX = re.compile(r"\.(?:rss|atom|xml)$")


def _feed_of(feed: str, page: str) -> bool:
    """Is this the feed of the discussion at ``page``?  As the platforms publish it: WordPress's
    ``/post/feed/`` (or ``?feed=rss2&p=ID`` for a ``?p=ID`` page), Blogger's
    ``/feeds/POST/comments/default``, Stack Exchange's ``/feeds/question/ID``, phpBB's
    ``/feed/topic/ID`` for ``viewtopic.php?t=ID``, or NodeBB's topic address plus ``.rss`` —
    never a feed of a category, a forum or a site section below the page."""
    feed_parts, page_parts = urlsplit(feed), urlsplit(page)
    if blogger := _BLOGGER_COMMENTS.search(feed_parts.path):
        return blogger.group("blog") is not None or feed_parts.netloc.lower() != "www.blogger.com"
    if _host(feed_parts.netloc) != _host(page_parts.netloc):
        return False
    path = page_parts.path.rstrip("/")
    if path and feed_parts.path.startswith(path + "/") and _WORDPRESS_FEED.fullmatch(feed_parts.path[len(path) + 1:]):
        return True
    page_query, feed_query = parse_qs(page_parts.query), parse_qs(feed_parts.query)
    for key in ("p", "page_id"):
        if page_query.get(key) and feed_query.get(key) == page_query[key] and "feed" in feed_query:
            return True
    if (question := _QUESTION.match(page_parts.path)) and feed_parts.path == f"/feeds/question/{question.group(1)}":
        return True
    if path.endswith("viewtopic.php") and (topic := page_query.get("t")):
        found = _PHPBB_TOPIC_FEED.search(feed_parts.path)
        return (found is not None and [found.group(1)] == topic) or (feed_parts.path.endswith("feed.php") and feed_query.get("t") == topic)
    stem = _FEED_SUFFIX.sub("", feed_parts.path)
    return ("/topic/" in stem and stem != feed_parts.path and any(c.isdigit() for c in stem)
            and (path == stem or path.startswith(stem + "/")))


def _host(netloc: str) -> str:
    """A site's host, whether or not its pages and feeds are written with "www."."""
    return netloc.lower().removeprefix("www.")


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
