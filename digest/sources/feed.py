"""RSS 0.9x / 1.0 (RDF) / 2.0 and Atom feeds, read with feedparser.

A blog or forum feed, or a comments feed ("Comments on: ..."), becomes one thread: the
channel/feed is the discussion (title, link), its entries are the replies, oldest first.
Replies are threaded when an entry says what it answers: RFC 4685 ``thr:in-reply-to``
(ref = another entry's id, or href = another entry's link), or, on such an entry, a
``link rel="related"`` to another entry (Blogger comment feeds); without those, WordPress's
leading "In reply to <a href=...#comment-N>Name</a>." (translated; dropped from the body
once its link has found the parent).  An entry is found only by its own id and
alternate/self/edit links, never by the links it points at.  Author names are HTML-unescaped
once (WordPress writes them escaped); WordPress 2.x comment feeds without ``dc:creator``
give the name in the title "Comment on POST by NAME".  ``slash:comments`` or ``thr:total``
become ``engagement.replies``; ``openSearch:totalResults`` (Blogger) becomes
``total_replies``, and the thread is partial when the file holds fewer entries, or when the
file is cut off (an entry the cut falls inside is left out).  There is no opening post: a
feed does not carry the article its comments answer.  ``request.thread`` is not used (a feed
is one thread).
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import re
import xml.sax
from xml.sax.saxutils import unescape as xml_unescape
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import feedparser

from digest import body as bodies
from digest.errors import SourceError
from digest.model import Engagement, Reply, Thread
from digest.sources import common, xmlsafe

DESCRIPTION = "RSS 0.9x/1.0/2.0 or Atom feed (a blog, forum or comments feed) as one thread"

_ATOM_NAMESPACES = ("http://www.w3.org/2005/atom", "http://purl.org/atom/ns#")
_RSS1_NAMESPACES = ("http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/")
_FIX_NOT_FEED = "check that the file or URL is the feed itself (RSS or Atom XML), not a web page about it"


def sniff(doc) -> bool:
    """RSS (<rss>), RDF (<rdf:RDF> with an RSS namespace) or Atom (<feed> in the Atom namespace),
    but never a WordPress export, which is RSS too and has its own reader."""
    head = xmlsafe.head(doc.data)
    if head is None:
        return False
    lower = head.text.lower()
    if head.root == "rss":
        from digest.sources import wxr  # the WXR check lives with the WXR reader

        return not wxr.looks_like_wxr(head.text)
    if head.local == "RDF":
        return any(ns in lower for ns in _RSS1_NAMESPACES) or "<channel" in lower
    if head.local == "feed":
        return any(ns in head.root_tag.lower() for ns in _ATOM_NAMESPACES)
    return False


def read(request) -> Thread:
    doc = xmlsafe.only_document(request, "feed")
    parsed = _parse(doc)
    notes: list[str] = []
    if parsed.get("bozo"):
        notes.append(f"the feed has errors ({_describe(parsed.get('bozo_exception'))}); imported what the parser could read")
    loose = _read_loosely(parsed)
    channel = parsed.get("feed", {})
    feed_author = _author(channel, loose)
    complete, cut_off = _complete_entries(doc, parsed, notes)
    entries = [_entry(e, feed_author, loose) for e in complete]
    entries = _drop_duplicates(entries, notes)
    thread_url = _alternate_link(channel)
    feed_id = (channel.get("id") or "").strip() or None
    missing = _link_parents(entries, thread_url, feed_id)
    if missing:
        notes.append(f"{missing} entr{'y answers' if missing == 1 else 'ies answer'} entries that are not in the feed")
    ordered = _chronological(entries, notes)
    replies, loops = xmlsafe.break_parent_loops(_with_mentions([e.reply for e in ordered]))
    if loops:
        notes.append(f"{loops} entr{'y' if loops == 1 else 'ies'} answered each other in a loop; shown as answering the thread")
    total = _stated_total(channel)
    if total is not None and total > len(replies):
        notes.append(f"the feed says it has {total} entries; this file holds {len(replies)} of them (one page of a paged feed)")
    title = _plain(channel.get("title_detail")) or None
    return Thread(
        id=feed_id or thread_url or _fallback_id(title, replies),
        title=title,
        url=thread_url,
        replies=tuple(common.order_by_parents(replies)),
        source_format="feed",
        retrieved_at=request.retrieved_at,
        partial=missing > 0 or cut_off or (total is not None and total > len(replies)),
        total_replies=total,
        author=feed_author,
        import_notes=tuple(notes),
    )


def _fallback_id(title: str | None, replies: list[Reply]) -> str:
    """A feed without id or link: its title, else its first entry, names it across re-imports."""
    seed = title or (replies[0].id if replies else "")
    return "h-" + hashlib.sha1(seed.encode()).hexdigest()[:12]


# ---------------------------------------------------------------------------- parsing

def _parse(doc) -> dict:
    """feedparser on the bytes (a BytesIO: never a path or URL it could open)."""
    try:
        parsed = feedparser.parse(io.BytesIO(doc.data))
    except Exception as exc:  # noqa: BLE001 - a third-party parser on untrusted bytes; report, never crash
        raise SourceError(f"the feed parser failed: {exc}", where=doc.name, fix=_FIX_NOT_FEED) from None
    _scrub(parsed.get("feed"))
    _scrub(parsed.get("entries"))
    if not parsed.get("version") and not parsed.get("entries"):
        problem = parsed.get("bozo_exception")
        where = doc.name + (f" line {_line(problem)}" if _line(problem) else "")
        detail = f" ({_describe(problem)})" if problem else ""
        raise SourceError(f"not an RSS or Atom feed{detail}", where=where, fix=_FIX_NOT_FEED)
    return parsed


# feedparser's tolerant parser lets through characters XML (and so lxml, which digest.body
# uses) refuses: C0 controls, U+FFFE/U+FFFF and lone surrogates.
_NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _scrub(node) -> None:
    """Remove characters XML cannot hold from every string of the parse, in place."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in list(items):
        if isinstance(value, str):
            if _NOT_XML_TEXT.search(value):
                node[key] = _NOT_XML_TEXT.sub("", value)
        else:
            _scrub(value)


def _read_loosely(parsed) -> bool:
    """Whether feedparser fell back to its loose parser (strict XML failed or the encoding was
    unknown); that parser leaves one extra level of XML escaping in some text, names among it."""
    return isinstance(parsed.get("bozo_exception"), xml.sax.SAXException) or not parsed.get("encoding")


def _line(problem) -> int | None:
    try:
        return int(problem.getLineNumber())
    except Exception:  # noqa: BLE001 - bozo exceptions differ by parser; a line is a bonus
        return None


def _describe(problem) -> str:
    if problem is None:
        return "unknown problem"
    line = _line(problem)
    message = problem.getMessage() if hasattr(problem, "getMessage") else str(problem)
    return f"{message} at line {line}" if line else str(message)


# ---------------------------------------------------------------------------- cut-off files

_ENTRY_END = re.compile(r"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")


def _complete_entries(doc, parsed, notes: list[str]) -> tuple[list, bool]:
    """The entries whose end tag is in the file, and whether the file is cut off.

    The loose parser makes an entry of whatever it read before the end of a cut-off file
    (an empty body, a half-escaped name); such an entry is left out with a note."""
    entries = list(parsed.get("entries", []))
    head = xmlsafe.head(doc.data)
    if not _read_loosely(parsed) or head is None:
        return entries, False
    text = _decoded(doc.data, parsed.get("encoding"))
    if re.search(rf"</(?:[A-Za-z_][\w.-]*:)?{re.escape(head.local)}\s*>", text):
        return entries, False
    closed = len(_ENTRY_END.findall(text))
    if len(entries) > closed:
        torn = len(entries) - closed
        notes.append(
            f"the file is cut off inside its last entr{'y' if torn == 1 else 'ies'}; "
            f"{torn} incomplete entr{'y' if torn == 1 else 'ies'} not imported, and entries after the cut are missing"
        )
        return entries[:closed], True
    notes.append("the file is cut off; entries after the cut are missing")
    return entries, True


def _decoded(data: bytes, encoding: str | None) -> str:
    """The document as text, for finding end tags (markup is ASCII in any encoding it may use)."""
    try:
        return data.decode(encoding or "utf-8", "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


# ---------------------------------------------------------------------------- entries

@dataclass
class _Entry:
    reply: Reply
    keys: set[str]  # id and links other entries may use to point at this one
    targets: list[tuple[str | None, str | None]]  # (ref, href) it answers: thr:in-reply-to, link rel="in-reply-to"
    related: list[str]  # rel="related" links, trusted only on entries that answer something
    sort_time: float | None  # for ordering, even when the zone is unknown
    reply_line: _ReplyLine | None = None  # WordPress's "In reply to <a>Name</a>." opening


@dataclass(frozen=True)
class _ReplyLine:
    href: str  # the comment it answers ("...#comment-12")
    body_without: str  # the body once the sentence is taken out


# A link only identifies the entry it sits on when it is the entry's own address.
_OWN_RELS = ("alternate", "self", "edit")


def _entry(entry, feed_author: str | None, loose: bool) -> _Entry:
    link = _alternate_link(entry)
    content, reply_line = _content(entry)
    author = _author(entry, loose) or _name_in_title(entry) or feed_author or "anonymous"
    posted_at, posted_text, sort_time = _time(entry)
    source_id = (entry.get("id") or "").strip() or None
    reply = Reply(
        id=common.stable_id(source_id=source_id, permalink=link, author=author, body=content),
        author=author,
        body=content,
        permalink=link,
        posted_at=posted_at,
        posted_at_text=posted_text,
        engagement=_engagement(entry),
        title=_plain(entry.get("title_detail")) or None,
    )
    links = [item for item in entry.get("links", []) or [] if item.get("href")]
    own = [item["href"] for item in links if item.get("rel", "alternate") in _OWN_RELS]
    keys = {key for key in [source_id, link] + own if key}
    targets = [(t.get("ref"), t.get("href")) for key, t in entry.items() if key.endswith("in-reply-to") and isinstance(t, dict)]
    targets += [(None, item["href"]) for item in links if item.get("rel") == "in-reply-to"]
    related = [item["href"] for item in links if item.get("rel") == "related"]
    return _Entry(reply, keys, targets, related, sort_time, reply_line)


def _alternate_link(node) -> str | None:
    """The public page: an alternate link, else an RSS guid that is a permalink URL."""
    for link in node.get("links", []) or []:
        href = (link.get("href") or "").strip()
        if link.get("rel", "alternate") == "alternate" and href.startswith(("http://", "https://")):
            return href
    href = (node.get("link") or "").strip()
    return href if href.startswith(("http://", "https://")) else None


def _author(node, loose: bool) -> str | None:
    """The name, HTML-unescaped once: WordPress writes ``O&#039;Brien`` inside CDATA.  The
    loose parser's own extra escaping is undone first, so the result is the same either way;
    a name is never unescaped twice (``&amp;amp;`` in the source stays ``&amp;``)."""
    detail = node.get("author_detail") or {}
    name = (detail.get("name") or node.get("author") or "").strip()
    if not name and detail.get("email"):
        name = detail["email"].strip()
    if loose:
        name = xml_unescape(name)
    return " ".join(html.unescape(name).split()) or None


# WordPress 2.x comment feeds have no dc:creator; the title says "Comment on POST by NAME"
# (English only: a translated title is left alone rather than guessed at).  The last " by "
# ends the post title, which may hold one ("Stand by Me").
_COMMENT_TITLE = re.compile(r"Comment on .+ by (?P<name>\S.{0,199})", re.S)


def _name_in_title(entry) -> str | None:
    """The name in a WordPress comment title, only on an entry whose address is a comment's."""
    addresses = " ".join(filter(None, [entry.get("id"), entry.get("link")]))
    match = _COMMENT_TITLE.fullmatch(_plain(entry.get("title_detail")))
    return match.group("name").strip() if match and "#comment-" in addresses else None


def _content(entry) -> tuple[str, _ReplyLine | None]:
    """Full content before the summary; HTML through from_html, plain text through from_plain_text.
    Also WordPress's "In reply to" opening of HTML content, when it has one."""
    candidates = list(entry.get("content") or [])
    if entry.get("summary_detail"):
        candidates.append(entry["summary_detail"])
    elif entry.get("summary"):
        candidates.append({"type": "text/html", "value": entry["summary"]})
    for detail in candidates:
        value = (detail.get("value") or "").strip()
        if value:
            is_html = "html" in (detail.get("type") or "html") and _MARKUP.search(value)
            if not is_html:
                return bodies.from_plain_text(value), None
            return bodies.from_html(value), _reply_line(value)
    return "", None


# WordPress core opens a threaded comment's feed text with sprintf(__('In reply to %s.'),
# '<a href="PARENT#comment-N">NAME</a>') and a blank line: a short, translated sentence
# around one link to the parent comment, alone in the first paragraph.
_REPLY_LINE = re.compile(
    r"""\A\s*(?:<p>\s*)?[^<>]{0,40}?<a\s[^>]*?\bhref=(?P<q>["'])(?P<href>[^"'<>]*\#comment-\d+)(?P=q)[^>]*>"""
    r"""[^<>]{1,200}</a>[^<>]{0,15}?(?:\s*</p>|\s*<br\s*/?>|\n\s*\n)""",
    re.I,
)


def _reply_line(value: str) -> _ReplyLine | None:
    match = _REPLY_LINE.match(value)
    if not match:
        return None
    return _ReplyLine(html.unescape(match.group("href")), bodies.from_html(value[match.end():]))


# Text labelled HTML without a single tag or entity is plain text (media:description,
# many RSS descriptions): reading it as text keeps its paragraphs and links its URLs.
_MARKUP = re.compile(r"<[A-Za-z/!]|&#?\w+;")


def _plain(detail) -> str:
    if not detail:
        return ""
    value = (detail.get("value") or "").strip()
    if "html" in (detail.get("type") or ""):
        return bodies.plain_words(bodies.from_html(value))
    return " ".join(value.split())


# A time of day with a zone after it: "+02:00", "+0200", "Z", "GMT", "EST" ... (not "PM")
_HAS_ZONE = re.compile(r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:Z|[+-]\d\d(?::?\d\d)?|(?![AaPp][Mm]\s*$)[A-Za-z]{1,5})\s*$")


def _time(entry) -> tuple[datetime | None, str | None, float | None]:
    """(UTC time, the text as written when it is not a full time with a zone, a sort key).

    feedparser reads a zone-less time as UTC; that would be a guess, so such times are kept
    as text only (they still order the entries, as they share the feed's zone)."""
    for key in ("published", "updated", "created"):
        raw = (entry.get(key) or "").strip()
        if not raw:
            continue
        parsed = entry.get(key + "_parsed")
        sort_time = float(calendar.timegm(parsed)) if parsed else None
        if parsed and _HAS_ZONE.search(raw):
            try:
                value = datetime.fromtimestamp(sort_time, tz=timezone.utc)
            except (OverflowError, OSError, ValueError):
                value = None
            if xmlsafe.plausible(value):
                return value, None, sort_time
        return None, raw, sort_time
    return None, None, None


def _engagement(entry) -> Engagement:
    """slash:comments or thr:total (replies); Media RSS view statistics (reads)."""
    replies = next((c for c in (_count(entry.get(k)) for k in ("slash_comments", "thr_total")) if c is not None), None)
    statistics = entry.get("media_statistics")
    reads = _count(statistics.get("views")) if isinstance(statistics, dict) else None
    return Engagement(replies=replies, reads=reads)


def _count(value) -> int | None:
    number = common.whole_number(value)
    return number if number is not None and number >= 0 else None


# ---------------------------------------------------------------------------- structure

def _drop_duplicates(entries: list[_Entry], notes: list[str]) -> list[_Entry]:
    seen: set[str] = set()
    kept = []
    for entry in entries:
        if entry.reply.id in seen:
            continue
        seen.add(entry.reply.id)
        kept.append(entry)
    if len(kept) < len(entries):
        notes.append(f"{len(entries) - len(kept)} repeated entries (same id) skipped")
    return kept


def _link_parents(entries: list[_Entry], thread_url: str | None, feed_id: str | None) -> int:
    """Set parent_id from in-reply-to targets; return how many answer an entry not in the feed.

    A target that is not an entry is the article itself when it is the feed's link or id or a
    page without a fragment; a fragment ("...#comment-12") is a comment this feed window lacks."""
    owner = {}
    for entry in entries:
        for key in entry.keys:
            owner.setdefault(key, entry.reply.id)
    missing = 0
    for entry in entries:
        hrefs, refs, candidates = _answers(entry)
        if not candidates:
            continue
        parent = next((owner[c] for c in candidates if c in owner and owner[c] != entry.reply.id), None)
        if parent:
            entry.reply = replace(entry.reply, parent_id=parent)
            if not entry.targets:  # found through the "In reply to" sentence, which threading now shows
                entry.reply = replace(entry.reply, body=entry.reply_line.body_without)
            continue
        answers_article = (
            thread_url in hrefs or (feed_id is not None and feed_id in refs)
            or any("#" not in href for href in hrefs) or not hrefs
        )
        if not answers_article:
            missing += 1
    return missing


def _answers(entry: _Entry) -> tuple[list[str], list[str], list[str]]:
    """(hrefs, refs, every candidate) of what the entry answers: thr:in-reply-to and its
    rel="related" links, else the link of WordPress's "In reply to" sentence."""
    if entry.targets:
        hrefs = [href for _, href in entry.targets if href]
        refs = [ref for ref, _ in entry.targets if ref]
        return hrefs, refs, [t for pair in entry.targets for t in pair if t] + entry.related
    if entry.reply_line:
        return [entry.reply_line.href], [], [entry.reply_line.href]
    return [], [], []


def _stated_total(channel) -> int | None:
    """openSearch:totalResults: how many entries the whole (paged) feed has."""
    return _count(channel.get("opensearch_totalresults"))


def _chronological(entries: list[_Entry], notes: list[str]) -> list[_Entry]:
    """Oldest first when every entry is dated; otherwise document order, turned around when
    the dated entries show the feed lists newest first (the usual RSS order)."""
    times = [e.sort_time for e in entries]
    if entries and all(t is not None for t in times):
        return sorted(entries, key=lambda e: e.sort_time)
    dated = [t for t in times if t is not None]
    if dated and len(dated) < len(entries):
        notes.append(f"{len(entries) - len(dated)} entries have no date; kept in feed order")
    newest_first = sum(a > b for a, b in zip(dated, dated[1:])) > sum(a < b for a, b in zip(dated, dated[1:]))
    return list(reversed(entries)) if newest_first else list(entries)


def _with_mentions(replies: list[Reply]) -> list[Reply]:
    authors = {r.author for r in replies}
    return [replace(r, mentions=common.find_mentions(bodies.plain_words(r.body), authors)) for r in replies]
