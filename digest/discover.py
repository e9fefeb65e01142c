"""From the page a reader sees to the data an importer reads.

Editors copy a discussion's address from the browser, but the page is HTML made for people;
the importers read the data behind it.  Known sites are recognised by their URL alone (a Reddit
thread, a Hacker News item); any other page is fetched once and looked at: a Discourse topic
names its generator, a mail archive's thread page links the thread as an mbox (HyperKitty,
public-inbox), and a blog post links its own comments feed.  Pure functions: fetching
stays in ``digest.fetch``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.etree
import lxml.html

from digest.errors import SourceError

REDDIT_HOSTS = {"reddit.com", "www.reddit.com", "old.reddit.com", "new.reddit.com", "np.reddit.com", "m.reddit.com"}
HN_HOSTS = {"news.ycombinator.com"}
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}

_PAGE_START = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_REDDIT_THREAD = re.compile(r"(?:/r/([^/]+))?/comments/([a-z0-9]+)(?:/|$)", re.I)
_REDDIT_SHORT = re.compile(r"/([a-z0-9]+)/?", re.I)
# /t/slug/42, /t/slug/42/7 (a post), /t/42, /t/42/7: a slug is never digits alone
_DISCOURSE_TOPIC = re.compile(r"^(.*?)/t/(?:[^/]*[^/0-9][^/]*/)?(\d+)(?:/\d+)?/?$")


@dataclass(frozen=True)
class DataUrl:
    url: str
    note: str  # what was fetched instead of the page, for the thread's import notes


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
    """The data behind a fetched HTML page: a Discourse topic's JSON, a mail thread's mbox, or
    the comments feed of the post the page shows.  A page without either is an error that says what to give instead,
    listing the feeds the page has: a site's feed of posts is not this discussion, so it is
    never taken silently."""
    root = _parse(data)
    feeds: list[tuple[str, str]] = []
    if root is not None:
        base_tag = root.find(".//base[@href]")
        base = urljoin(page_url, base_tag.get("href").strip()) if base_tag is not None else page_url
        address = _canonical(root, base) or page_url.split("#")[0]
        if _generated_by_discourse(root) and (topic := _DISCOURSE_TOPIC.match(urlsplit(address).path)):
            prefix, number = topic.groups()
            parts = urlsplit(address)
            url = f"{parts.scheme}://{parts.netloc}{prefix}/t/{number}.json?print=true"
            return DataUrl(url, f"read the Discourse topic's data at {url}")
        if mbox := _thread_mbox(root, base):
            return DataUrl(mbox, f"read the thread's messages at {mbox}")
        feeds = _feeds(root, base)
        own = [href for _, href in feeds if _under(href, address)]
        if own:  # the post's own feed (sometimes as RSS and as Atom)
            return DataUrl(own[0], f"read the page's comments feed at {own[0]}")
    listed = "; ".join(f"{href} ({title})" if title else href for title, href in feeds)
    raise SourceError(
        "this is a web page, not discussion data digest can read"
        + (f"; the feeds it links are the site's, not this discussion's: {listed}" if feeds else ""),
        where=page_url,
        fix="give the discussion's comments feed or JSON URL (a Discourse topic, a Reddit thread, a Hacker "
            "News item and a HyperKitty or public-inbox thread are found from their page), or save an export "
            "and import the file",
    )


def _parse(data: bytes):
    try:
        return lxml.html.document_fromstring(data)
    except (lxml.etree.ParserError, ValueError):
        return None


def _generated_by_discourse(root) -> bool:
    return any((m.get("name") or "").lower() == "generator" and "discourse" in (m.get("content") or "").lower()
               for m in root.iter("meta"))


def _thread_mbox(root, base: str) -> str | None:
    """A mail archive's download of this thread: HyperKitty's export (``….mbox.gz?thread=ID``)
    or public-inbox's ``t.mbox.gz``; whole messages, with the headers that thread them."""
    for anchor in root.iter("a"):
        href = urljoin(base, (anchor.get("href") or "").strip())
        parts = urlsplit(href)
        if parts.path.endswith("/t.mbox.gz") or (parts.path.endswith(".mbox.gz") and "thread" in parse_qs(parts.query)):
            return href
    return None


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


def _under(feed: str, page: str) -> bool:
    """A feed below the page's own address: a post's comments feed (``/2024/05/post/feed/``)."""
    feed_parts, page_parts = urlsplit(feed), urlsplit(page)
    path = page_parts.path.rstrip("/")
    return (feed_parts.netloc.lower() == page_parts.netloc.lower() and bool(path)
            and feed_parts.path.startswith(path + "/") and feed_parts.path != page_parts.path)
