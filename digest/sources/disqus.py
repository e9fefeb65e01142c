"""Disqus XML exports (Admin > Moderation > Export): one page's comments as a thread.

The export (namespace ``http://disqus.com``, internal ids in ``dsq:id`` attributes of
``http://disqus.com/disqus-internals``) lists ``<thread>`` elements (one per commented page:
link, title, createdAt) and then ``<post>`` elements (message HTML, createdAt, author,
isDeleted, isSpam, ``<thread dsq:id>`` and an optional ``<parent dsq:id>``).

Choosing the thread: the one thread with posts, else ``request.thread`` matched against the
thread's ``dsq:id``, its identifier (``<id>``; the Disqus WordPress plugin's "1496
http://site/?p=1496" also by either part), its link, or else a part of its title, link or
identifier (any case).  Disqus starts a new, often empty thread when a page's address changes,
so an identifier or link names every thread of that page -- the same address up to scheme,
host case, a trailing slash, the fragment and tracking parameters (utm_*, fbclid ...; other
query parameters such as ?p=7 name other pages) -- and the one with posts is taken (the
others are noted).  A page named exactly that has no posts is imported empty (noted), never
replaced by another page whose address merely contains it.  Several threads with posts are
listed to choose from.  Listings show the identifier next to the ``dsq:id``.
Messages written as child elements instead of CDATA keep their markup (``xmlsafe.markup``).
Thread titles and author names, stored HTML-escaped as the page gave them ("I&#8217;m"), are
unescaped once.
A message without paragraph or line-break markup whose text holds newlines (a comment imported
into Disqus from a blog, which kept it as bare text) is paragraphed as WordPress shows such text
(blank lines part paragraphs, other newlines break lines), noted.
Deleted and spam posts are skipped and counted; one that has surviving answers is kept as a
"[deleted]" placeholder so the answers keep their place.  Times are UTC (Disqus writes "Z");
posts without a readable time are noted and placed last.
Comment permalinks follow Disqus's ``{page link}#comment-{post id}`` scheme; a page link
written protocol-relative (``//host/path``) is taken as https, noted, and a closed thread
(``isClosed``) is noted.  Systems that export Disqus's format under their own root element
(``<commentsExport xmlns="http://disqus.com">``) are read alike, and their posts held for
moderation (``<isApproved>false``, which Disqus's own exports never write) are skipped.

Damaged files are read as tolerantly as WordPress exports (text before the XML declaration,
control characters, a file cut short): what is there is imported, the notes say what was
repaired, and ``partial`` is set when posts may be lost.  A file of another format read with
``--format disqus`` gets an error naming its format.

Big exports (hundreds of MB, every page of a site) are streamed, as the Stack Exchange reader
does: a first pass keeps the threads and, of each post, only its thread and whether it is
visible (enough to list and choose a page), plus the whole posts of the threads ``--thread``
names by dsq:id, identifier or address; a second pass builds the chosen page's posts when the
first did not keep them all (a choice by a part of the title, a thread listed after its posts).
Building every post of the export first took over five times the CPU of a bare parse and
twelve times the file's size in memory.  A file the strict streaming parse cannot read (damage, a DOCTYPE,
another root element) is read whole with the tolerant parse above.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from types import SimpleNamespace
from typing import Callable, Iterable, Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

from lxml import etree

from digest import body as bodies
from digest.errors import SourceError
from digest.model import Reply, Thread
from digest import sources
from digest.sources import common, xmlsafe
from digest.sources.wpautop import autop

DESCRIPTION = "Disqus comment export (XML): one page's comments"

_FIX_XML = "download the export again from Disqus (Moderation > Export), or repair the XML at that line"
_FIX_CHOOSE = "choose the page with --thread ID, link or a part of its title"
PLACEHOLDER_AUTHOR = "[deleted]"


# Other comment systems write Disqus's format under their own root element: the self-hosted
# "standalone-comments" (PHP) exports ``<commentsExport xmlns="http://disqus.com">`` with
# Disqus's threads and posts, and its own fields in another namespace.
_DISQUS_NAMESPACE = "http://disqus.com"
_OTHER_ROOTS = ("commentsExport",)


def sniff(doc) -> bool:
    head = xmlsafe.head(xmlsafe.without_text_before_declaration(doc.data)[0])
    if head is None:
        return False
    return head.local == "disqus" or (head.local in _OTHER_ROOTS and f'"{_DISQUS_NAMESPACE}"' in head.root_tag)


def _disqus_root(root) -> bool:
    """``<disqus>``, or another system's root around Disqus's elements (``_OTHER_ROOTS``)."""
    local = xmlsafe.local_name(root)
    return local == "disqus" or (local in _OTHER_ROOTS and root.nsmap.get(None) == _DISQUS_NAMESPACE)


def _root_notes(local: str) -> list[str]:
    if local == "disqus":
        return []
    return [f"the root element is <{local}>, not <disqus>: another comment system's export in Disqus's format, read as one"]


def read(request) -> Thread:
    doc = xmlsafe.only_document(request, "Disqus")
    wanted = _named_directly(request.thread)
    export, index = _streamed(doc, wanted) or _parsed(request, doc, wanted)
    notes = list(export.notes)
    if index.unplaced:
        notes.append(f"{index.unplaced} post(s) name no thread this export lists (or are cut off before they do); not imported")
    try:
        chosen = _choose(index.threads, request.thread, doc.name, notes)
    except SourceError as error:
        if not export.lost_content:
            raise
        repaired = "\n".join("  " + note for note in notes)
        raise SourceError(f"{error.message}\nthe file is damaged, which may explain this:\n{repaired}", where=error.where, fix=error.fix) from None
    if export.lost_content:  # a thread's posts may be anywhere in the file
        notes.append("the file is damaged: some posts of this page may be missing")
    if chosen.deleted:
        notes.append("Disqus marks this thread as deleted")
    if chosen.closed:
        notes.append("the thread is closed (isClosed): it takes no new comments")
    if chosen.scheme_assumed:
        notes.append(f"the page's link names no scheme (<link>{chosen.written_link}</link>); taken as {chosen.link}")
    replies, partial = _replies(chosen, _posts_of(chosen, export, index), notes)
    opening = _opening_post(chosen)
    return Thread(
        id=chosen.dsq_id or chosen.identifier or chosen.link or common.stable_id(body=chosen.title),
        title=chosen.title or None,
        url=chosen.link,
        replies=tuple(replies),
        source_format="disqus",
        retrieved_at=request.retrieved_at,
        partial=partial or export.lost_content,
        author=chosen.author,
        opening_post=opening,
        import_notes=tuple(notes),
    )


# ---------------------------------------------------------------------------- reading the file

@dataclass(frozen=True)
class _Export:
    """The export's top-level elements, which ``elements()`` reads again each time (in file
    order; a streamed element is only complete until the next one is read), and what reading
    the file repaired."""

    elements: Callable[[], Iterable]
    notes: tuple[str, ...]
    lost_content: bool  # the tolerant parse may have dropped posts


class _NotStreamable(Exception):
    """The strict streaming parse cannot read the file; the tolerant whole-tree parse will."""


def _streamed(doc, wanted: Callable) -> tuple[_Export, "_Index"] | None:
    """A well-formed export, indexed in one streaming pass; None for anything else.  Text
    that is not UTF-8 (read as Windows-1252 by the tolerant parse) stops the strict parse too:
    checking every file for it beforehand would decode it whole, twice its size in memory."""
    data, prefix_note = xmlsafe.without_text_before_declaration(doc.data)
    data, declared_note = xmlsafe.misdeclared_utf8(data)
    head = xmlsafe.head(data)
    notes = [note for note in (prefix_note, declared_note) if note] + _root_notes(head.local if head else "disqus")
    export = _Export(functools.partial(_stream, data), tuple(notes), lost_content=False)
    try:
        return export, _index(export.elements(), wanted)
    except _NotStreamable:
        return None


def _parsed(request, doc, wanted: Callable) -> tuple[_Export, "_Index"]:
    """The whole tree, parsed tolerantly: damaged files are repaired where they can be."""
    parsed, notes = xmlsafe.parse_export(doc.data, doc.name, _FIX_XML)
    root = parsed.root
    if not _disqus_root(root):
        sources.refuse_other_format(request, "disqus")
        raise SourceError(f"not a Disqus export (root element <{xmlsafe.local_name(root)}>)", where=doc.name, fix="use the XML file Disqus e-mailed")
    export = _Export(root.iterchildren, tuple(notes + _root_notes(xmlsafe.local_name(root))), parsed.lost_content)
    return export, _index(export.elements(), wanted)


# Threads and posts are the root's children; a post's own <thread dsq:id/> names its page.
_TOP_LEVEL_TAGS = ("{*}thread", "{*}post")


def _stream(data: bytes) -> Iterator:
    """The threads and posts of a well-formed export, each cleared once the next is read, so the
    tree never holds more than one post.  Raises ``_NotStreamable`` for anything the tolerant
    parse must read (an XML error, a DOCTYPE, which may declare entities, another root)."""
    events = xmlsafe.safe_iterparse(data, events=("end",), tag=_TOP_LEVEL_TAGS)
    root_checked = False
    try:
        for _, element in events:
            root = element.getparent()
            if root is None or root.getparent() is not None:
                continue  # a post's reference to its thread, or the root itself
            if not root_checked:
                _check_root(root)
                root_checked = True
            yield element
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del root[0]
        _check_root(events.root)
    except etree.LxmlError:
        raise _NotStreamable from None


def _check_root(root) -> None:
    if not _disqus_root(root) or root.getroottree().docinfo.internalDTD is not None:
        raise _NotStreamable


# ---------------------------------------------------------------------------- elements

@functools.lru_cache(maxsize=256)
def _local_name_of_tag(tag) -> str:
    """``xmlsafe.local_name`` (which reads only the tag) remembered per tag: a big export
    repeats a dozen tags millions of times."""
    return xmlsafe.local_name(SimpleNamespace(tag=tag))


def _local_name(element) -> str:
    return _local_name_of_tag(element.tag)


def _children(element) -> dict:
    """Child elements by local name, the first of each name (read last to first, the first
    one is written last): one pass over the children instead of one per field looked up."""
    if element is None:
        return {}
    return {_local_name_of_tag(child.tag): child for child in reversed(element)}


def _text(element) -> str:
    """``xmlsafe.text``, without its text iterator for an element that holds only text (nearly
    every field): the iterator took most of the time of reading a big export's fields."""
    if element is None or len(element):
        return xmlsafe.text(element)
    return (element.text or "").strip()


def _markup(element) -> str:
    """``xmlsafe.markup``, as fast as ``_text`` for the usual message in CDATA."""
    return _text(element) if element is None or not len(element) else xmlsafe.markup(element)


def _flag(fields: dict, local: str) -> bool:
    return _text(fields.get(local)).lower() in ("true", "1")


def _unescaped(text: str) -> str:
    """Titles and names come from the page (the WordPress plugin sends ``the_title()``, so
    "Why I&#8217;m here") and are stored HTML-escaped; unescaped once, they read as the page
    shows them."""
    return " ".join(html.unescape(text).split()) if "&" in text else " ".join(text.split())


def _author_name(fields: dict) -> str | None:
    author = fields.get("author")
    if author is None:
        return None
    names = _children(author)
    return _unescaped(_text(names.get("name"))) or _text(names.get("username")) or None


def _thread_ref(fields: dict) -> str | None:
    """The post's thread: its dsq:id, or its identifier in older/hand-made files."""
    thread = fields.get("thread")
    return xmlsafe.attribute(thread, "id") or _text(thread) or None


def _removed(fields: dict) -> bool:
    return _flag(fields, "isDeleted") or _flag(fields, "isSpam") or _unapproved(fields)


def _unapproved(fields: dict) -> bool:
    """Held for moderation: Disqus's own exports carry no ``isApproved``; systems writing its
    format do (``false`` for a comment still pending)."""
    return _text(fields.get("isApproved")).lower() in ("false", "0")


def _page_link(written: str) -> tuple[str | None, bool]:
    """The thread's link, and whether its scheme was assumed: sites that print their links
    protocol-relative (``//blog.example.net/post/``) hand Disqus those, and a browser opens
    them over https."""
    if written.lower().startswith(("http://", "https://")):
        return written, False
    if written.startswith("//") and len(written) > 2 and written[2] != "/":
        return "https:" + written, True
    return None, False


@dataclass(frozen=True)
class _PageThread:
    dsq_id: str | None
    identifier: str | None
    link: str | None
    title: str
    message: str
    created: str
    author: str | None
    deleted: bool
    closed: bool = False
    written_link: str = ""  # as the export gives it
    scheme_assumed: bool = False  # a protocol-relative link, taken as https
    visible_posts: int = 0  # not deleted, not spam; counted once all posts are read

    @classmethod
    def of(cls, element) -> "_PageThread":
        fields = _children(element)
        written = _text(fields.get("link"))
        link, scheme_assumed = _page_link(written)
        return cls(
            dsq_id=xmlsafe.attribute(element, "id"),
            identifier=_text(fields.get("id")) or None,
            link=link,
            title=_unescaped(_text(fields.get("title"))),
            message=_markup(fields.get("message")),
            created=_text(fields.get("createdAt")),
            author=_author_name(fields),
            deleted=_flag(fields, "isDeleted"),
            closed=_flag(fields, "isClosed"),
            written_link=written,
            scheme_assumed=scheme_assumed,
        )

    def describe(self) -> str:
        """One listing line; the identifier is shown too, since the site's own id for the page
        (a WordPress post id, a slug) is what an editor knows."""
        link = f" {self.link}" if self.link else ""
        identifier = f" [identifier {self.identifier}]" if self.identifier and self.dsq_id else ""
        count = self.visible_posts
        return f"{self.dsq_id or self.identifier or '?'}{identifier} \"{self.title or '(no title)'}\"{link} ({count} post{'' if count == 1 else 's'})"

    def names(self, selector: str) -> bool:
        """The identifier as a whole or, for the Disqus WordPress plugin's "1496 http://site/?p=1496"
        (post id, then the post's guid), either of its parts."""
        if not self.identifier:
            return False
        if selector == self.identifier:
            return True
        post_id, _, guid = self.identifier.partition(" ")
        return bool(guid) and post_id.isdigit() and (selector == post_id or _same_link(selector, guid.strip()))


@dataclass(frozen=True)
class _Post:
    dsq_id: str | None
    thread_ref: str | None
    parent_ref: str | None
    message: str
    created: str
    author: str
    deleted: bool
    spam: bool
    unapproved: bool = False

    @property
    def removed(self) -> bool:
        return self.deleted or self.spam or self.unapproved

    @classmethod
    def of(cls, element, fields: dict) -> "_Post":
        """``fields``: the element's ``_children``, already read to find the post's thread."""
        parent = fields.get("parent")
        return cls(
            dsq_id=xmlsafe.attribute(element, "id") or _text(fields.get("id")) or None,
            thread_ref=_thread_ref(fields),
            parent_ref=xmlsafe.attribute(parent, "id") or _text(parent) or None,
            message=_markup(fields.get("message")),
            created=_text(fields.get("createdAt")),
            author=_author_name(fields) or "Anonymous",
            deleted=_flag(fields, "isDeleted"),
            spam=_flag(fields, "isSpam"),
            unapproved=_unapproved(fields),
        )


# ---------------------------------------------------------------------------- the two passes

@dataclass(frozen=True)
class _Index:
    """What listing and choosing a page needs: the threads with their visible posts counted.
    The first pass also keeps the whole posts of the threads ``--thread`` names directly."""

    threads: tuple[_PageThread, ...]
    thread_at: dict  # a post's thread reference -> position in ``threads``
    unplaced: int  # posts naming no listed thread (a cut file)
    posts_per_ref: Counter
    kept: tuple[_Post, ...]  # in file order

    def refs_of(self, thread: _PageThread) -> set[str]:
        """The references by which posts name ``thread``."""
        return {ref for ref, at in self.thread_at.items() if self.threads[at] is thread}

    def kept_posts(self, refs: set[str]) -> list[_Post] | None:
        """The posts naming ``refs`` when the first pass kept every one of them, else None."""
        kept = [post for post in self.kept if post.thread_ref in refs]
        return kept if len(kept) == sum(self.posts_per_ref[ref] for ref in refs) else None


def _named_directly(selector: str | None) -> Callable[[_PageThread], bool]:
    """Whether ``--thread`` names a thread by its dsq:id, identifier or address, so that it is
    likely chosen and its posts are worth keeping whole in the first pass.  A part of a title
    may match thousands of threads; those posts are read in a second pass, as are the posts of
    a thread chosen otherwise."""
    selector = (selector or "").strip()
    page = _page(selector)

    def named(thread: _PageThread) -> bool:
        return bool(selector) and (
            thread.dsq_id == selector
            or thread.names(selector)
            or bool(thread.link and _same_link(thread.link, selector))
            or (page is not None and page in (_page(thread.link), _page(thread.identifier)))
        )

    return named


def _index(elements: Iterable, wanted: Callable[[_PageThread], bool]) -> _Index:
    """First pass: every thread, and of each post its thread and whether it is visible; the
    whole post only when it names a ``wanted`` thread read before it (as Disqus lists all
    threads first)."""
    threads = []
    wanted_refs: set = set()
    kept = []
    posts: Counter = Counter()
    visible: Counter = Counter()
    for element in elements:
        kind = _local_name(element)
        if kind == "thread":
            thread = _PageThread.of(element)
            threads.append(thread)
            if wanted(thread):
                wanted_refs.update(ref for ref in (thread.identifier, thread.dsq_id) if ref)
        elif kind == "post":
            fields = _children(element)
            ref = _thread_ref(fields)
            posts[ref] += 1
            visible[ref] += not _removed(fields)
            if ref in wanted_refs:
                kept.append(_Post.of(element, fields))
    thread_at = _thread_positions(threads)
    unplaced = sum(n for ref, n in posts.items() if ref not in thread_at)
    return _Index(_with_counts(threads, thread_at, visible), thread_at, unplaced, posts, tuple(kept))


def _thread_positions(threads: list[_PageThread]) -> dict:
    """Posts name their thread by dsq:id or identifier; the dsq:id wins over a colliding
    identifier of the same thread, and a later thread over an earlier one."""
    positions = {}
    for at, thread in enumerate(threads):
        for key in (thread.identifier, thread.dsq_id):
            if key:
                positions[key] = at
    return positions


def _with_counts(threads: list[_PageThread], thread_at: dict, visible: Counter) -> tuple[_PageThread, ...]:
    """Each thread with the visible posts of all the references that name it."""
    counts: Counter = Counter()
    for ref, count in visible.items():
        if ref in thread_at:
            counts[thread_at[ref]] += count
    return tuple(replace(thread, visible_posts=counts[at]) for at, thread in enumerate(threads))


def _posts_of(chosen: _PageThread, export: _Export, index: _Index) -> list[_Post]:
    """The chosen thread's posts in file order: kept by the first pass, else read in a second."""
    refs = index.refs_of(chosen)
    kept = index.kept_posts(refs)
    if kept is not None:
        return kept
    posts = []
    for element in export.elements():
        if _local_name(element) == "post":
            fields = _children(element)
            if _thread_ref(fields) in refs:
                posts.append(_Post.of(element, fields))
    return posts


# ---------------------------------------------------------------------------- choosing

def _choose(threads: list[_PageThread], selector: str | None, name: str, notes: list[str]) -> _PageThread:
    if not threads:
        raise SourceError("the export holds no <thread> elements", where=name, fix="export the comments from Disqus again")
    if selector and selector.strip():
        return _select(threads, selector.strip(), name, notes)
    with_posts = [t for t in threads if t.visible_posts]
    if len(with_posts) == 1:
        return with_posts[0]
    if not with_posts and len(threads) == 1:
        return threads[0]
    listed = with_posts or threads
    what = "pages with comments" if with_posts else "pages, none with comments"
    raise SourceError(f"the export holds {len(listed)} {what}:\n" + common.listing(listed), where=name, fix=_FIX_CHOOSE)


def _select(threads: list[_PageThread], selector: str, name: str, notes: list[str]) -> _PageThread:
    """The ``dsq:id`` the listings show names one thread.  An identifier or a link names a page,
    and Disqus starts a new, often empty thread when a page's address changes (http/https, a
    trailing slash, a tracking query such as ?fbclid), so all threads of that page are
    candidates and the one with posts is taken (the others are noted) -- but never a thread of
    another page.  Only a part of a title or link is looked for when nothing names a page."""
    by_dsq_id = [t for t in threads if t.dsq_id == selector]
    if by_dsq_id:
        return by_dsq_id[0]
    exact = [t for t in threads if t.names(selector) or (t.link and _same_link(t.link, selector))]
    pages = {page for page in [_page(selector), *(_page(t.link) for t in exact)] if page}
    same_page = exact + [t for t in threads if not any(t is e for e in exact)
                         and (_page(t.link) in pages or _page(t.identifier) in pages)]  # identifiers are often the address
    if same_page:
        return _one_of_page(same_page, exact, selector, name, notes)
    needle = selector.casefold()
    found = [t for t in threads if any(needle in (value or "").casefold() for value in (t.title, t.link, t.identifier))]
    if not found:
        raise SourceError(f"no thread matches --thread {selector!r}; the threads are:\n" + common.listing(threads), where=name, fix=_FIX_CHOOSE)
    return _best_of(found, selector, name, notes)


def _one_of_page(same_page: list[_PageThread], exact: list[_PageThread], selector: str, name: str, notes: list[str]) -> _PageThread:
    """One page's threads: the one with posts (the exact match first); a page nobody commented
    on is imported as it is, empty: it is what the editor named, and its comments may come."""
    for candidates in (exact, same_page):
        with_posts = [t for t in candidates if t.visible_posts]
        if len(with_posts) > 1:
            raise SourceError(f"--thread {selector!r} names {len(with_posts)} threads with posts:\n" + common.listing(with_posts), where=name, fix=_FIX_CHOOSE)
        if with_posts:
            chosen = with_posts[0]
            others = [t for t in same_page if t is not chosen]
            if others:
                notes.append(
                    f"--thread {selector!r} also names {len(others)} other thread(s) of the same page "
                    f"({'; '.join(t.describe() for t in others[:3])}{' ...' if len(others) > 3 else ''}); "
                    "Disqus starts a new thread when a page's address changes; took " + chosen.describe()
                )
            return chosen
    if len(exact) > 1 or (not exact and len(same_page) > 1):
        listed = exact or same_page
        raise SourceError(f"--thread {selector!r} names {len(listed)} threads, none with posts:\n" + common.listing(listed), where=name, fix=_FIX_CHOOSE)
    chosen = (exact or same_page)[0]
    notes.append(f"the page has no posts in this export; imported without replies: {chosen.describe()}")
    return chosen


def _best_of(found: list[_PageThread], selector: str, name: str, notes: list[str]) -> _PageThread:
    """Threads whose title or link contains the selector: the one with posts, else the only one."""
    with_posts = [t for t in found if t.visible_posts]
    if len(with_posts) > 1:
        raise SourceError(f"--thread {selector!r} matches {len(with_posts)} threads with posts:\n" + common.listing(with_posts), where=name, fix=_FIX_CHOOSE)
    if with_posts:
        if len(found) > 1:
            notes.append(f"--thread {selector!r} also matches {len(found) - 1} thread(s) without posts; took {with_posts[0].describe()}")
        return with_posts[0]
    if len(found) == 1:
        notes.append(f"the page has no posts in this export; imported without replies: {found[0].describe()}")
        return found[0]
    raise SourceError(f"--thread {selector!r} matches {len(found)} threads, none with posts:\n" + common.listing(found), where=name, fix=_FIX_CHOOSE)


def _same_link(a: str, b: str) -> bool:
    return a.strip().rstrip("/") == b.strip().rstrip("/")


# Query parameters that analytics and share buttons add to an address; they never name another
# page.  Other parameters can (WordPress's ?p=1496), so they count.
_TRACKING = re.compile(r"(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref_src)", re.I)


def _page(link: str | None) -> tuple | None:
    """A link as the page it names: scheme, host case, a trailing slash, the fragment,
    tracking parameters and how the path is escaped (``%e7`` / ``%E7`` / the letter itself,
    as a browser shows it) do not change it."""
    if not link:
        return None
    link, _ = _page_link(link.strip())
    if link is None:
        return None
    try:
        parts = urlsplit(link)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.fullmatch(k))
    return parts.netloc.lower(), unquote(parts.path).rstrip("/"), tuple(query)


# ---------------------------------------------------------------------------- replies

def _opening_post(thread: _PageThread) -> Reply | None:
    """Disqus threads carry the page, not the article; a thread message, when present, is kept."""
    if not thread.message:
        return None
    body = bodies.from_html(thread.message)
    return Reply(
        id=thread.dsq_id or common.stable_id(permalink=thread.link, author=thread.author or "", body=body),
        author=thread.author or "anonymous",
        body=body,
        permalink=thread.link,
        posted_at=xmlsafe.utc_time(thread.created),
        title=thread.title or None,
    )


def _replies(thread: _PageThread, posts: list[_Post], notes: list[str]) -> tuple[list[Reply], bool]:
    """Visible posts plus placeholders for removed posts that still have answers, in thread order."""
    posts, repeated = _unique(posts)
    by_id = {p.dsq_id: p for p in posts}
    needed = _needed_placeholders(posts, by_id)
    removed = [p for p in posts if p.removed]
    if repeated:
        notes.append(f"{repeated} repeated post(s) (same id) skipped")
    if removed:
        deleted = sum(1 for p in removed if p.deleted)
        spam = sum(1 for p in removed if p.spam and not p.deleted)
        pending = len(removed) - deleted - spam
        kinds = ((deleted, "deleted"), (spam, "spam"), (pending, "unapproved (pending)"))
        kept = sum(1 for p in removed if p.dsq_id in needed)
        note = "skipped " + " and ".join(f"{n} {kind} post(s)" for n, kind in kinds if n)
        notes.append(note + (f"; {kept} kept as '{PLACEHOLDER_AUTHOR}' placeholder(s) because others answer them" if kept else ""))
    replies = []
    missing = 0
    for post in posts:
        if post.removed and post.dsq_id not in needed:
            continue
        reply = _reply(post, thread, placeholder=post.removed)
        if reply.parent_id and reply.parent_id not in by_id:
            missing += 1
            reply = replace(reply, parent_id=None)
        replies.append(reply)
    if missing:
        notes.append(f"{missing} post(s) answer posts missing from the export; shown as answering the page")
    bare = sum(1 for post in posts if not post.removed and _bare_text(post.message))
    if bare:
        notes.append(
            f"{bare} post(s) written as bare text, without <p> or <br> (as comments imported into Disqus from a blog are): "
            "blank lines read as paragraph breaks, other newlines as line breaks"
        )
    undated = sum(1 for r in replies if r.posted_at is None and r.author != PLACEHOLDER_AUTHOR)
    if undated:
        notes.append(f"{undated} post(s) have no readable date (createdAt); placed after the dated posts, any text kept as written")
    replies.sort(key=lambda r: (r.posted_at is None, r.posted_at or datetime.min))
    authors = common.AuthorNames({r.author for r in replies if r.author != PLACEHOLDER_AUTHOR})
    replies = [replace(r, mentions=common.find_mentions(bodies.prose_words(r.body), authors)) for r in replies]
    replies, loops = xmlsafe.break_parent_loops(replies)
    if loops:
        notes.append(f"{loops} post(s) answered each other in a loop; shown as answering the page")
    return common.order_by_parents(replies), missing > 0


def _unique(posts: list[_Post]) -> tuple[list[_Post], int]:
    seen: set = set()
    unique = []
    for post in posts:
        key = post.dsq_id or id(post)
        if key in seen:
            continue
        seen.add(key)
        unique.append(post)
    return unique, len(posts) - len(unique)


def _needed_placeholders(posts: list[_Post], by_id: dict) -> set[str]:
    """Removed posts on the parent chain of a visible post."""
    needed: set[str] = set()
    for post in posts:
        if post.removed:
            continue
        visited = {post.dsq_id}
        parent = by_id.get(post.parent_ref)
        while parent is not None and parent.dsq_id not in visited:  # visited: a broken file may loop
            visited.add(parent.dsq_id)
            if parent.removed:
                needed.add(parent.dsq_id)
            parent = by_id.get(parent.parent_ref)
    return needed


# Disqus writes its messages as HTML (<p>, <br>); comments imported into it from a blog keep
# the bare newlines the blog stored them with, which HTML would run together into one line.
_LAID_OUT = re.compile(r"<(?:p|br|div|pre|ul|ol|blockquote|h[1-6]|table)\b", re.I)


def _bare_text(message: str) -> bool:
    """A message laid out only by newlines, not by markup."""
    return "\n" in message.strip() and not _LAID_OUT.search(message)


def _reply(post: _Post, thread: _PageThread, *, placeholder: bool) -> Reply:
    message = autop(post.message) if _bare_text(post.message) else post.message
    body = "" if placeholder else bodies.from_html(message)
    author = PLACEHOLDER_AUTHOR if placeholder else post.author
    return Reply(
        id=common.stable_id(source_id=post.dsq_id, author=author, body=body),
        author=author,
        body=body,
        permalink=f"{thread.link}#comment-{post.dsq_id}" if thread.link and post.dsq_id else None,
        posted_at=xmlsafe.utc_time(post.created),
        posted_at_text=None if xmlsafe.utc_time(post.created) or not post.created else post.created,
        parent_id=post.parent_ref,
    )
