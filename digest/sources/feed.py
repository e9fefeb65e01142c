"""RSS 0.9x / 1.0 (RDF) / 2.0 and Atom feeds, read with feedparser.

A blog or forum feed, or a comments feed ("Comments on: ..."), becomes one thread: the
channel/feed is the discussion (title, link), its entries are the replies, oldest first.
``request.thread``, when given, must name that thread (its id, link, or a part of its link
or title); a feed it does not name is refused rather than imported in its place.
A site-wide comments feed (WordPress's "Comments for SITE": the latest comments on several
posts, each linked as ``POST#comment-N`` and titled "Comment on POST by NAME") holds one
thread per post: the posts are listed to choose from with ``request.thread`` (the post's
link or a part of its title), and only the chosen post's comments are imported (a note
counts the others).
Replies are threaded when an entry says what it answers: RFC 4685 ``thr:in-reply-to``
(ref = another entry's id, or href = another entry's link), or, on such an entry, a
``link rel="related"`` to another entry (Blogger comment feeds); without those, WordPress's
leading "In reply to <a href=...#comment-N>Name</a>." (translated; dropped from the body
once its link has found the parent).  An entry is found only by its own id and
alternate/self/edit links, never by the links it points at.  Author names are HTML-unescaped
once (WordPress writes them escaped); WordPress 2.x comment feeds without ``dc:creator``
give the name in the title "Comment on POST by NAME".  ``slash:comments`` or ``thr:total``
become ``engagement.replies``; an Atom ``re:rank`` whose scheme is the entry's own site
(Stack Exchange's votes) becomes ``engagement.score``.  ``openSearch:totalResults``
(Blogger) becomes ``total_replies``, and the thread is partial when the file holds fewer
entries, or when the file is cut off (an entry the cut falls inside is left out).
A Discourse topic feed (``/t/slug/ID.rss``, posts linked ``/t/slug/ID/N``) numbers its
posts by N and is partial when the numbers do not run from 1 without gaps (such a feed
lists only the latest posts); reply titles that only repeat the thread's are dropped.
The opening post is the entry that is the discussion itself, when there is one: the entry
whose address is the feed's link (a Stack Exchange question feed's question) or a topic's
post #1.  Other feeds do not carry the article their comments answer.
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
from urllib.parse import urlsplit

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
    scores = _site_scores(doc, notes)
    entries = [_entry(e, feed_author, loose, scores) for e in complete]
    entries = _drop_duplicates(entries, notes)
    page = _Page(
        id=(channel.get("id") or "").strip() or None,
        title=_plain(channel.get("title_detail")) or None,
        url=_alternate_link(channel),
    )
    page, entries = _one_post(page, entries, request.thread, doc.name, notes)
    gaps = _number_topic_posts(entries, page.url, notes)
    opening, entries = _opening_entry(entries, page.url)
    missing = _link_parents(entries, {page.url, page.id} | (opening.keys if opening else set()))
    if missing:
        notes.append(f"{missing} entr{'y answers' if missing == 1 else 'ies answer'} entries that are not in the feed")
    ordered = [e.reply for e in _chronological(entries, notes)]
    everyone = _with_mentions(ordered + ([opening.reply] if opening else []))
    replies, loops = xmlsafe.break_parent_loops(everyone[: len(ordered)])
    if loops:
        notes.append(f"{loops} entr{'y' if loops == 1 else 'ies'} answered each other in a loop; shown as answering the thread")
    replies = _without_repeated_titles(replies, page.title)
    total = _stated_total(channel)
    if total is not None and total > len(replies):
        notes.append(f"the feed says it has {total} entries; this file holds {len(replies)} of them (one page of a paged feed)")
    opening_post = everyone[-1] if opening else None
    return Thread(
        id=page.id or page.url or _fallback_id(page.title, replies),
        title=page.title,
        url=page.url,
        replies=tuple(common.order_by_parents(replies)),
        source_format="feed",
        retrieved_at=request.retrieved_at,
        partial=missing > 0 or cut_off or gaps or (total is not None and total > len(replies)),
        total_replies=total,
        author=feed_author or (opening_post.author if opening_post else None),
        opening_post=opening_post,
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
    post: _CommentedOn | None = None  # the post a comment in a site-wide comments feed is on


@dataclass(frozen=True)
class _ReplyLine:
    href: str  # the comment it answers ("...#comment-12")
    body_without: str  # the body once the sentence is taken out


# A link only identifies the entry it sits on when it is the entry's own address.
_OWN_RELS = ("alternate", "self", "edit")


def _entry(entry, feed_author: str | None, loose: bool, scores: dict[str, int]) -> _Entry:
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
        engagement=_engagement(entry, scores.get(source_id or "")),
        title=_plain(entry.get("title_detail")) or None,
    )
    links = [item for item in entry.get("links", []) or [] if item.get("href")]
    own = [item["href"] for item in links if item.get("rel", "alternate") in _OWN_RELS]
    keys = {key for key in [source_id, link] + own if key}
    targets = [(t.get("ref"), t.get("href")) for key, t in entry.items() if key.endswith("in-reply-to") and isinstance(t, dict)]
    targets += [(None, item["href"]) for item in links if item.get("rel") == "in-reply-to"]
    related = [item["href"] for item in links if item.get("rel") == "related"]
    return _Entry(reply, keys, targets, related, sort_time, reply_line, _commented_on(entry, link or source_id))


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


# WordPress's site-wide comments feed (and its 2.x post comment feeds, which have no
# dc:creator) title each comment "Comment on POST by NAME" (English only: a translated title
# is left alone rather than guessed at).  The last " by " ends the post title, which may
# hold one ("Stand by Me").
_COMMENT_TITLE = re.compile(r"Comment on (?P<post>.+) by (?P<name>\S.{0,199})", re.S)


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


def _engagement(entry, score: int | None) -> Engagement:
    """slash:comments or thr:total (replies); Media RSS view statistics (reads); the site's
    own re:rank (score)."""
    replies = next((c for c in (_count(entry.get(k)) for k in ("slash_comments", "thr_total")) if c is not None), None)
    statistics = entry.get("media_statistics")
    reads = _count(statistics.get("views")) if isinstance(statistics, dict) else None
    return Engagement(replies=replies, reads=reads, score=score)


_RANK_NAMESPACE = "http://purl.org/atompub/rank/1.0"
_ATOM = "{http://www.w3.org/2005/Atom}"


def _site_scores(doc, notes: list[str]) -> dict[str, int]:
    """Atom Ranking Extensions (``re:rank``, draft-snell-atompub-feed-index) by entry id.  A
    rank means what its ``scheme`` (ranking domain) says; one whose scheme is the site the
    entry is on is that site's own score (Stack Exchange: the votes).  feedparser keeps only
    the attributes of such an element, so the ranks are read from the XML itself."""
    if _RANK_NAMESPACE.encode() not in doc.data:
        return {}
    try:
        root = xmlsafe.parse(doc.data, doc.name, fix=_FIX_NOT_FEED, tolerant=True).root
    except SourceError:
        notes.append("the entries' re:rank scores could not be read (the XML is too damaged)")
        return {}
    scores = {}
    for rank in root.iter(f"{{{_RANK_NAMESPACE}}}rank"):
        entry = rank.getparent()
        entry_id = xmlsafe.text(entry.find(_ATOM + "id"))
        addresses = [entry_id] + [link.get("href") or "" for link in entry.iter(_ATOM + "link")]
        value = common.whole_number(rank.text)
        if entry_id and value is not None and _same_site(rank.get("scheme") or "", addresses):
            scores[entry_id] = value
    return scores


def _same_site(scheme: str, addresses: list[str]) -> bool:
    host = urlsplit(scheme).hostname if scheme.startswith(("http://", "https://")) else None
    return host is not None and any(urlsplit(a).hostname == host for a in addresses if a.startswith(("http://", "https://")))


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


def _link_parents(entries: list[_Entry], article: set[str | None]) -> int:
    """Set parent_id from in-reply-to targets; return how many answer an entry not in the feed.

    A target that is not an entry is the article itself when it is one of ``article``'s
    addresses (the feed's link or id, the opening entry's) or a page without a fragment; a
    fragment ("...#comment-12") is a comment this feed window lacks."""
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
        answers_article = any(c in article for c in candidates if c) or any("#" not in href for href in hrefs) or not hrefs
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


@dataclass(frozen=True)
class _Page:
    """What the imported thread is: the feed itself, or one post of a site-wide comments feed."""

    id: str | None
    title: str | None
    url: str | None


@dataclass(frozen=True)
class _CommentedOn:
    link: str | None  # the post's address: the comment's without its "#comment-N"
    title: str | None  # the POST of a "Comment on POST by NAME" title


_COMMENT_ANCHOR = re.compile(r"#comment-\d+$")


def _commented_on(entry, address: str | None) -> _CommentedOn | None:
    """The post a comment is on: its address without the "#comment-N" anchor WordPress (and
    most blog engines) give comments; for an entry with no address at all, the post its
    "Comment on POST by NAME" title names.  None for anything else (a post, a forum message)."""
    match = _COMMENT_TITLE.fullmatch(_plain(entry.get("title_detail")))
    title = match.group("post").strip() if match else None
    anchor = _COMMENT_ANCHOR.search(address or "")
    if anchor:
        return _CommentedOn(address[: anchor.start()], title)
    return _CommentedOn(None, title) if title and not address else None


@dataclass
class _CommentedPost:
    link: str | None
    title: str | None
    entries: list[_Entry]

    def describe(self) -> str:
        if self.link is None and self.title is None:
            label = "(entries that do not say which post they are on)"
        else:
            label = f'"{self.title or "(no title)"}"' + (f" {self.link}" if self.link else "")
        count = len(self.entries)
        return f"{label} ({count} comment{'' if count == 1 else 's'})"


_FIX_CHOOSE = "choose the post with --thread LINK or a part of its title"


def _one_post(page: _Page, entries: list[_Entry], selector: str | None, name: str, notes: list[str]) -> tuple[_Page, list[_Entry]]:
    """A site-wide comments feed ("Comments for SITE") holds the latest comments on several
    posts; each post is a thread, chosen with --thread.  Any other feed is one thread, which a
    --thread, when given, must name."""
    posts = _commented_posts(entries)
    selector = (selector or "").strip()
    if sum(1 for p in posts if p.link or p.title) < 2:
        if selector and not _names(page, selector):
            shown = f'"{page.title or "(no title)"}"' + (f" {page.url}" if page.url else "")
            raise SourceError(f"--thread {selector!r} does not match this feed's only thread, {shown}", where=name,
                              fix="leave out --thread (the feed is one thread), or import the feed you meant")
        return page, entries
    if not selector:
        raise SourceError(f"the feed holds comments on {len(posts)} posts:\n" + common.listing(posts), where=name, fix=_FIX_CHOOSE)
    chosen = _select_post(posts, selector, name)
    others = len(entries) - len(chosen.entries)
    notes.append(
        f"the feed holds the latest comments on {len(posts)} posts: imported the {len(chosen.entries)} on this one and "
        f"left out {others} on the other post(s); earlier comments on this post may be missing from such a feed"
    )
    return _Page(id=chosen.link, title=chosen.title, url=chosen.link), chosen.entries


def _commented_posts(entries: list[_Entry]) -> list[_CommentedPost]:
    """Entries grouped by the post they are on, in feed order."""
    posts: dict[str | None, _CommentedPost] = {}
    for entry in entries:
        on = entry.post
        key = (on.link or "title:" + (on.title or "").casefold()) if on else None
        post = posts.setdefault(key, _CommentedPost(on.link if on else None, None, []))
        post.title = post.title or (on.title if on else None)
        post.entries.append(entry)
    return list(posts.values())


def _names(page: _Page, selector: str) -> bool:
    """Does --thread name this feed's thread: its id, link, a part of its link or title?"""
    needle = selector.casefold()
    return (
        selector == page.id
        or any(value and needle in value.casefold() for value in (page.url, page.title))
        or bool(page.url and page.url.rstrip("/") == selector.rstrip("/"))
    )


def _select_post(posts: list[_CommentedPost], selector: str, name: str) -> _CommentedPost:
    wanted = _COMMENT_ANCHOR.sub("", selector).rstrip("/")
    exact = [p for p in posts if p.link and p.link.rstrip("/") == wanted]
    if exact:
        return exact[0]
    needle = selector.casefold()
    found = [p for p in posts if any(value and needle in value.casefold() for value in (p.title, p.link))]
    if len(found) == 1:
        return found[0]
    if not found:
        raise SourceError(f"no post in the feed matches --thread {selector!r}; the posts are:\n" + common.listing(posts), where=name, fix=_FIX_CHOOSE)
    raise SourceError(f"--thread {selector!r} matches {len(found)} posts:\n" + common.listing(found), where=name, fix=_FIX_CHOOSE)


# A Discourse topic's feed (/t/slug/ID.rss) links the topic as /t/slug/ID and each post as
# /t/slug/ID/N, N being the post's number in the topic.
_TOPIC_URL = re.compile(r"(?P<topic>https?://[^?#]+?/t/[^/?#]+/\d+)/?")


def _number_topic_posts(entries: list[_Entry], page_url: str | None, notes: list[str]) -> bool:
    """Number the posts of a Discourse topic feed; return whether posts are missing from it.
    Such a feed lists only the latest posts, so numbers that do not run from 1 without gaps
    mean the thread is partial."""
    topic = _TOPIC_URL.fullmatch(page_url or "")
    if not topic:
        return False
    prefix = topic.group("topic") + "/"
    numbers = set()
    for entry in entries:
        link = entry.reply.permalink or ""
        tail = link[len(prefix):].rstrip("/") if link.startswith(prefix) else ""
        number = common.whole_number(tail) if tail.isdigit() else None
        if number:
            entry.reply = replace(entry.reply, number=number)
            numbers.add(number)
    absent = max(numbers, default=0) - len(numbers)
    if absent > 0:
        notes.append(
            f"the topic feed holds {len(numbers)} of its posts numbered up to #{max(numbers)}; the other {absent} are not in it "
            "(a topic feed lists only the latest posts, and deleted posts leave gaps)"
        )
    return absent > 0


def _opening_entry(entries: list[_Entry], page_url: str | None) -> tuple[_Entry | None, list[_Entry]]:
    """The entry that is the discussion itself: its address is the feed's link (a Stack
    Exchange question feed lists the question, id ``/q/N``, with its answers), or it is a
    topic's post #1.  It is the opening post only when it answers nothing and is the one such
    entry; otherwise every entry stays a reply."""
    found = [
        e for e in entries
        if not e.targets and not e.reply_line and ((page_url and page_url in e.keys) or e.reply.number == 1)
    ]
    if len(found) != 1:
        return None, entries
    return found[0], [e for e in entries if e is not found[0]]


def _without_repeated_titles(replies: list[Reply], thread_title: str | None) -> list[Reply]:
    """A reply title that only repeats the thread's (Discourse topic feeds title every post so)
    says nothing."""
    return [replace(r, title=None) if thread_title and r.title == thread_title else r for r in replies]


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
    return [replace(r, mentions=common.find_mentions(bodies.prose_words(r.body), authors)) for r in replies]
