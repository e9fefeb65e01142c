"""JSON Feed (https://jsonfeed.org, versions 1.0 and 1.1), which blogs (micro.blog, Publii,
Hugo and Jekyll themes, WordPress's JSON Feed plugin) serve beside or instead of RSS.

Its items are a blog's posts as an RSS or Atom feed's entries are, so the feed is rewritten
as the Atom feed it stands for and read by the feed reader: every rule for feeds (authors,
times and their zones, relative links, media, site-wide comment feeds) applies unchanged.
An item's ``content_html`` is its body, else its ``content_text``; ``authors`` (1.1) or
``author`` (1.0) name its writers, else the feed's; ``attachments`` become enclosures;
``next_url`` means the file is one page of a longer feed.  An item that is no object, or has
neither id nor address, is left out (noted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from digest.sources import jsonshape

_VERSION = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/1(?:\.\d+)?/?"')
_FIX = "check that the file is the JSON Feed itself (https://jsonfeed.org/version/1.1), saved whole"


@dataclass(frozen=True)
class AtomFeed:
    """The Atom feed a JSON Feed stands for, and the link of its next page when it has one."""

    atom: bytes
    next_page: str | None


def looks_like_json_feed(data: bytes) -> bool:
    """A JSON object naming a jsonfeed.org version (at its start or, keys being in any order, its end)."""
    window = jsonshape.sniff_window(data)
    return window is not None and window.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and bool(_VERSION.search(window))


def as_atom(data: bytes, name: str, notes: list[str]) -> AtomFeed:
    """The JSON Feed as an Atom document; a file that is no JSON Feed is a SourceError naming where."""
    feed = jsonshape.load(data, name, _FIX).expect_object("a JSON Feed object")
    version = feed["version"].string() or ""
    if not version.rstrip("/").startswith(("https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1")):
        feed["version"].fail(f"not a JSON Feed version 1 address: {version!r}")
    items = feed["items"].array(required=True)
    entries = [_entry(item) for item in items]
    skipped = entries.count(None)
    if skipped:
        notes.append(f"{skipped} JSON Feed item(s) left out: neither an object with an id nor an address")
    next_page = feed["next_url"].string()
    if next_page:
        notes.append(f"the JSON Feed continues on another page ({next_page}); this file holds only its latest items")
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
        _element("title", feed["title"].string()),
        _element("subtitle", feed["description"].string()),
        _element("id", feed["feed_url"].string() or feed["home_page_url"].string()),
        _link("alternate", feed["home_page_url"].string()),
        _link("self", feed["feed_url"].string()),
        *_authors(feed),
        *filter(None, entries),
        "</feed>",
    ]
    return AtomFeed("\n".join(filter(None, parts)).encode("utf-8"), next_page)


def _entry(item: jsonshape.Node) -> str | None:
    if not item.is_object:
        return None
    ident = item["id"].ident() or item["url"].string()
    if not ident:
        return None
    parts = [
        "<entry>",
        _element("id", ident),
        _element("title", item["title"].string()),
        _link("alternate", item["url"].string()),
        _link("related", item["external_url"].string()),
        _element("published", item["date_published"].string()),
        _element("updated", item["date_modified"].string() or item["date_published"].string()),
        *_authors(item),
        _element("summary", item["summary"].string()),
        _content(item),
        *[_attachment(a) for a in item["attachments"].array() if a.is_object],
        "</entry>",
    ]
    return "\n".join(filter(None, parts))


def _content(item: jsonshape.Node) -> str | None:
    html = item["content_html"].string()
    if html:
        return f'<content type="html">{_xml_text(html)}</content>'
    text = item["content_text"].string()
    return f'<content type="text">{_xml_text(text)}</content>' if text else None


def _authors(node: jsonshape.Node) -> list[str]:
    """1.1's ``authors`` list, else 1.0's single ``author``."""
    people = [a for a in node["authors"].array() if a.is_object] if node["authors"].is_array else []
    people = people or ([node["author"]] if node["author"].is_object else [])
    return [f"<author>{_element('name', p['name'].string())}{_element('uri', p['url'].string()) or ''}</author>"
            for p in people if p["name"].string()]


def _attachment(attachment: jsonshape.Node) -> str | None:
    url = attachment["url"].string()
    if not url:
        return None
    extra = "".join(f" {key}={quoteattr(_clean(value))}" for key, value in (
        ("type", attachment["mime_type"].string()),
        ("title", attachment["title"].string()),
        ("length", str(attachment["size_in_bytes"].integer() or "") or None),
    ) if value)
    return f'<link rel="enclosure" href={quoteattr(_clean(url))}{extra}/>'


def _element(tag: str, value: str | None) -> str | None:
    return f"<{tag}>{_xml_text(value)}</{tag}>" if value and value.strip() else None


def _link(rel: str, href: str | None) -> str | None:
    return f'<link rel="{rel}" href={quoteattr(_clean(href))}/>' if href and href.strip() else None


def _xml_text(value: str) -> str:
    return escape(_clean(value))


def _clean(value: str) -> str:
    """Characters XML 1.0 forbids (JSON may carry them) are dropped."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", jsonshape.clean_text(value))
