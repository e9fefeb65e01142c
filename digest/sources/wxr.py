"""WordPress eXtended RSS (WXR) exports: one post and its comments as a thread.

A WXR file (Tools > Export in WordPress, also written by WordPress.com and many migration
tools) is RSS 2.0 with one ``<item>`` per post and ``<wp:comment>`` children.  The post is
the opening post; approved comments (``wp:comment_approved`` = 1) are the replies, threaded by
``wp:comment_parent``.  Pingbacks, trackbacks, pending, spam and trashed comments are skipped
and counted in the import notes.  Comments are ordered by ``wp:comment_date_gmt``; one whose
GMT date is all zeros by its local ``wp:comment_date`` (kept as text, its zone unknown).  Google's
blogger2wordpress writes the local clock into the GMT fields; a post whose ``pubDate`` shows
that clock with another zone has all its times moved to UTC by that offset (noted).
Names and titles are stored HTML-escaped and are unescaped once.  Bodies get the paragraphs
and line breaks WordPress adds when it shows them (``wpautop.autop``).  "@name"
links to another comment of the page (``<a href="#comment-10">@kid</a>``, written by themes
and reply plugins) are made absolute against the post's link, and the mention they carry
resolves to that comment; a comment without ``wp:comment_parent`` that opens with such a
link is shown as answering that comment (noted).  Code that highlighter plugins keep
unescaped (``<pre lang="java">``, ``<pre class="brush: ...">``, ``[code]``, ``[sourcecode]``)
is escaped into a plain ``<pre>`` first, so "List<String>" and its line breaks survive.
Shortcodes in posts are shown as WordPress shows them (``wpautop.shortcodes``): [caption] keeps
its caption text, media shortcodes ([embed], [youtube=URL], [video]) become links, and those
built from the site's data ([gallery], forms) are left out and counted in the notes; in
comments, where WordPress expands none, only media shortcodes become links.  Blocks saved
self-closing (``<!-- wp:latest-posts /-->``) are built from the site's data too and are counted
the same way; a reusable block (``<!-- wp:block {"ref":90} /-->``) shows the wp_block entry it
names, from the export.  HTML written as
real child elements instead of CDATA (some exporters do) is kept as markup (``xmlsafe.markup``).
An item link relative to the site (Squarespace writes ``/blog/post.html``) is resolved against
the channel's ``<link>``, else ``wp:base_blog_url`` / ``wp:base_site_url`` (noted).  A post
whose link is on a local test site (``localhost``, ``*.local``, ``*.test``: the export was made
from a copy of the blog on a laptop) is noted, as readers cannot open its links.  Converters
that scrape a blog sometimes write the post's own id as each comment's ``wp:comment_parent``;
with no comment of that id, those comments answer the post (noted, not partial).  A
WooCommerce product review (comment type ``review``) opens with its rating in the words the
shop shows ("Rated 4 out of 5", from its ``rating`` comment meta).  Likes the ActivityPub and
Webmention plugins store as comments of type ``like`` or ``favorite`` are the post's likes,
not comments (noted).  A linkback Semantic Linkbacks read as a reply (``semantic_linkbacks_type``
``reply``), and Webmention 5's type ``reply``, is a comment (noted), one read as a like a like.

Only what a visitor could read is imported: a published post (``wp:status`` ``publish``; an
attachment's ``inherit``; a closed bbPress topic) without ``wp:post_password``.  Choosing a
trashed, draft, private or password-protected post is refused, saying why.  Attachments,
revisions, menu items and other entries that are not posts are left out of listings (counted).
A bbPress ``topic`` is read with its ``reply`` items (``wp:post_parent`` the topic; a reply to a
reply names it in the ``_bbp_reply_to`` meta); unpublished replies are skipped and counted.

Choosing the post: the one published post with comments, else ``request.thread`` matched
against the post id (``wp:post_id``), slug (``wp:post_name``), link, or a part of the title
(any case; published posts first, so a revision never shadows its post).

A folder is read as the parts of one export: WP-CLI's ``wp export`` splits a big site into
numbered files (15 MB each by default), each a complete WXR document; every part's posts are
listed and searched, and a post's comments come from its own item, so from its part.  Files in
the folder that are not WXR are skipped (noted); parts of different sites, or the same post in
two files (two separate exports), are refused.

Real exports are often not well-formed: a cut header leaves ``wp:`` / ``excerpt:`` undeclared,
and the namespace URL differs by version (``wordpress.org/export/1.0/`` ... ``1.2/``).  Elements
are matched by prefix-or-namespace and local name.  Text printed before the XML declaration
is dropped, control characters XML forbids (pasted text) are removed, bytes that are not UTF-8
in a UTF-8 file are read as Windows-1252 (noted with their first line), text stored
double-encoded ("Ã©") is read as what it says (ftfy, noted), and a file still broken
(or cut short) is read in recovery mode; the import notes say what was repaired, and
``partial`` is set when the damage is inside the chosen post.  The Disqus reader reads its
exports the same way (``xmlsafe.parse_export``).  A well-formed file is streamed instead, as
the Disqus reader does: posts are kept without their text and comments, and the chosen one is
read whole (an 82 MB export: 496 MB peak before, 162 MB after).  A file of another format read
with ``--format wxr`` gets an error naming its format.
"""

from __future__ import annotations

import copy
import functools
import html
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from urllib.parse import unquote, urljoin, urlsplit

import ftfy
from ftfy.badness import is_bad
from lxml import etree

from digest import body as bodies
from digest.errors import SourceError
from digest.model import Reply, Thread
from digest import sources
from digest.sources import common, qtranslate, wxr_times, xmlsafe
from digest.sources.wpautop import attachment_shown, autop, built_blocks, left_out_notes, shortcodes

DESCRIPTION = "WordPress export (WXR): one published post and its approved comments (or a bbPress topic and its replies)"

_OLD_WORDPRESS = re.compile(r"wordpress\.(?:org|com)/\?v=(?:1|2)\.", re.I)  # the channel's <generator>
_UNDECLARED_EXCERPT_NOTE = "the export does not declare the namespace prefix(es) excerpt (a cut or edited header); matched by name"
_OLD_EXCERPT_NOTE = ("the export does not declare the namespace prefix excerpt, as WordPress before 3.0 wrote it; "
                     "excerpt:encoded matched by name")
_FIX_XML = "export the site again from WordPress (Tools > Export), or repair the XML at that line"
_FIX_CHOOSE = "choose the post with --thread ID, slug, link or a part of its title"
_MARKERS = re.compile(r"wordpress\.org/export/|<wp:(?:wxr_version|base_site_url|base_blog_url|author|post_id|comment)\b", re.I)
_PING_TYPES = {"pingback", "trackback", "pings", "webmention", "mention"}
_LINKBACK_REPLY = "linkback reply"  # a webmention or pingback whose sender's page answers the post
_COMMENT_TYPES = {"", "comment", "review", "reply", _LINKBACK_REPLY}


def looks_like_wxr(head_text: str) -> bool:
    """The WXR namespace or its channel/item elements; plain WordPress RSS feeds have neither."""
    return bool(_MARKERS.search(head_text))


def sniff(doc) -> bool:
    head = xmlsafe.head(xmlsafe.without_text_before_declaration(doc.data)[0])
    return head is not None and head.local in ("rss", "channel") and looks_like_wxr(head.text)


def read(request) -> Thread:
    parts = _parts(request)
    authors = {login: shown for part in parts for login, shown in part.authors.items()}
    posts = [post for part in parts for post in part.posts]
    _attach_bbpress_replies(posts)
    if not any(p.post_id or p.comment_total for p in posts):  # no WordPress data at all
        sources.refuse_other_format(request, "wxr")
    name = parts[0].name if len(parts) == 1 else request.name
    if not posts:
        cut = next((note for part in parts for note in part.notes if note.startswith("the export is cut short")), None)
        if cut:
            raise SourceError(cut.split(";")[0] + ", before its first post (<item>)", where=name, fix="export it again, or download it whole")
        raise SourceError("the export holds no posts (<item> elements)", where=name, fix="export posts from WordPress, not only settings")
    post, others = _choose(posts, request.thread, name)
    part = next(p for p in parts if p.name == post.source)
    _refuse_repeated(post, posts, name)
    post = part.whole(post)
    notes = _part_notes(part, parts, request)
    notes.extend(_choose_language(post, part.language))
    if others:
        notes.append(
            f"--thread {request.thread.strip()!r} also names {len(others)} other entr{'y' if len(others) == 1 else 'ies'} "
            f"({'; '.join(f'{o.describe()} [{o.post_type}, {o.status}]' for o in others[:3])}); "
            f"imported {post.describe()} [{post.post_type}, {post.status}], the readable one with most comments"
        )
    partial = _damaged(post, part.posts, part.problems)
    if partial:
        notes.append("the file is damaged inside this post: some of its comments may be missing")
    if post.relative_link:
        notes.append(_relative_link_note(post, part.base))
    if _on_a_local_site(post.link):
        notes.append(
            f"the post's link {post.link} is on a local test site ({urlsplit(post.link).hostname}; the export was made there), "
            "so readers cannot open it or the comments' links; give the post's public address as the [[thread]] `url`"
        )
    dropped: Counter = Counter()
    post.reusable_blocks = _reusable_blocks(posts)
    opening = _with_likes(_opening_post(post, authors, dropped), post, notes)
    replies, missing_parents = _replies(post, authors, notes, dropped)
    opening, replies = wxr_times.in_utc(xmlsafe.text(post.fields.get("pubDate")), xmlsafe.text(post.fields.get("wp:post_date_gmt")), opening, replies, notes)
    opening, *replies = _encoded_once(notes, opening, *replies)
    notes.extend(left_out_notes(dropped))
    return Thread(
        id=post.post_id or common.stable_id(permalink=post.link, author=opening.author, body=opening.body),
        title=opening.title or None,
        url=post.link,
        replies=tuple(replies),
        source_format="wxr",
        retrieved_at=request.retrieved_at,
        partial=partial or missing_parents,
        author=opening.author,
        opening_post=opening,
        import_notes=tuple(notes),
    )


def _reusable_blocks(posts: list["_Post"]) -> dict[str, str]:
    """Reusable blocks (post type wp_block) by id: ``<!-- wp:block {"ref":ID} /-->`` shows one."""
    return {p.post_id: p.block_content for p in posts if p.post_type == "wp_block" and p.post_id}


def _choose_language(post: "_Post", site_language: str) -> list[str]:
    """A post written in several languages (qTranslate) is imported in one: the site's own."""
    post.language, notes = qtranslate.choice(post.title + xmlsafe.markup(post.fields.get("content:encoded")), site_language)
    return notes


def _encoded_once(notes: list[str], *replies: Reply) -> list[Reply]:
    """Text a blog stored double-encoded (UTF-8 read as Windows-1252 and saved again: "Ã©" for
    "é", common after a database migration) read as what it says, by ftfy (noted)."""
    fixed = [_read_once(reply) for reply in replies]
    count = sum(1 for before, after in zip(replies, fixed) if before is not after)
    if count:
        notes.append(f"{count} text(s) were stored double-encoded (\"Ã©\" for \"é\"); read as what they say")
    return fixed


def _read_once(reply: Reply) -> Reply:
    changes = {key: ftfy.fix_encoding(value) for key, value in (("body", reply.body), ("author", reply.author), ("title", reply.title))
               if value and is_bad(value)}
    changes = {key: value for key, value in changes.items() if value != getattr(reply, key)}
    return replace(reply, **changes) if changes else reply


# ---------------------------------------------------------------------------- files

@dataclass
class _Part:
    """One file of the export.  ``wp export`` (WP-CLI) splits a big site into numbered files
    (``site.wordpress.2020-01-01.000.xml``, ``.001.xml``, 15 MB each by default); each is a
    complete WXR document, and a post's comments are always in the post's own item.

    A well-formed file is streamed (``_streamed``): its posts are kept as summaries (no text,
    no comment elements), and the chosen one is read whole again (``whole``); building every
    item's tree took about five times the file's size in memory.  Anything the strict
    streaming parse cannot read is parsed whole and tolerantly, its posts kept whole."""

    name: str
    notes: list[str]
    base: str | None  # the site's address, for relative links
    posts: list["_Post"]
    authors: dict[str, str]  # login -> the name the blog shows
    language: str  # the channel's <language>
    problems: tuple = ()  # what the tolerant parse repaired
    data: bytes | None = None  # a streamed file's bytes, to read the chosen post whole again

    @classmethod
    def of(cls, doc, selector: str | None) -> "_Part":
        return _streamed(doc, selector) or cls._parsed(doc)

    @classmethod
    def _parsed(cls, doc) -> "_Part":
        parsed, notes = xmlsafe.parse_export(doc.data, doc.name, _FIX_XML)
        notes = _without_old_excerpt_slip(notes, parsed.root)
        base = _site_address(parsed.root)
        posts = [_Post.of(item, base, doc.name) for item in parsed.root.iter("{*}item") if _kind(item) == "item"]
        language = xmlsafe.text(_channel_fields(parsed.root).get("language"))
        return cls(doc.name, notes, base, posts, _display_names(parsed.root), language, parsed.problems)

    def whole(self, post: "_Post") -> "_Post":
        """The chosen post with its text and comments (and a topic's bbPress replies), read
        again from a streamed file unless the first pass kept it; a file parsed whole has
        only whole posts."""
        topic = post.post_type == "topic" and bool(post.post_id) and any(r.element is None for r in post.replies)
        if self.data is None or (post.element is not None and not topic):
            return post
        whole, replies = (post if post.element is not None else None), []
        for item in _items(self.data):  # each item is cleared after this loop's turn: the posts keep copies
            if whole is None and item.sourceline == post.line:
                whole = _Post.of(copy.deepcopy(item), self.base, self.name)
            elif topic and _kind_of_item(item) == ("reply", post.post_id):
                replies.append(_Post.of(copy.deepcopy(item), self.base, self.name))
            if whole is not None and not topic:
                break
        if whole is None:  # the same bytes were read a moment ago
            raise SourceError(f"post {post.describe()} could not be read again", where=self.name, fix=_FIX_XML)
        whole.replies = replies if topic else whole.replies
        whole.reusable_blocks = post.reusable_blocks
        return whole


def _items(data: bytes):
    """A well-formed export's items, streamed: each is cleared once the next one is read, so
    the tree never holds more than one.  lxml errors (an XML error, a DOCTYPE, which may declare
    entities) raise ``etree.LxmlError``."""
    events = xmlsafe.safe_iterparse(data, events=("end",), tag="{*}item")
    done = None
    for _, item in events:
        if done is not None:
            done.getparent().remove(done)
        if item.getroottree().docinfo.internalDTD is not None:
            raise etree.XMLSyntaxError("a DOCTYPE: read tolerantly, where entities are refused", None, 0, 0)
        if _kind(item) != "item":
            continue
        yield item
        item.clear(keep_tail=True)
        done = item


def _kind_of_item(item) -> tuple[str, str]:
    """(post type, parent post id), read from an item's fields without building the post."""
    fields = _fields(item)
    return xmlsafe.text(fields.get("wp:post_type")).lower(), xmlsafe.text(fields.get("wp:post_parent"))


def _streamed(doc, selector: str | None) -> _Part | None:
    """A well-formed export read in one streaming pass, its posts as summaries but those
    ``selector`` names exactly (id, slug, link), kept whole; None for a file the tolerant whole
    parse must read (damage, stray bytes, undeclared prefixes, a DOCTYPE) or one whose site
    address comes after its first item."""
    data, prefix_note = xmlsafe.without_text_before_declaration(doc.data)
    data, declared_note = xmlsafe.misdeclared_utf8(data)
    posts: list[_Post] = []
    base: str | None = None
    root = None
    try:
        for item in _items(data):
            if root is None:
                root = item.getroottree().getroot()
                base = _site_address(root)
            post = _Post.of(item, base, doc.name)
            named = bool(selector and selector.strip()) and _names_exactly(post, selector.strip())
            posts.append(_Post.of(copy.deepcopy(item), base, doc.name) if named else post.summary())
    except (etree.LxmlError, ValueError):
        return None
    if root is None:
        return None
    if _site_address(root) != base:
        return None
    language = xmlsafe.text(_channel_fields(root).get("language"))
    notes = [note for note in (prefix_note, declared_note) if note]
    return _Part(doc.name, notes, base, posts, _display_names(root), language, (), data)


def _parts(request) -> list[_Part]:
    """A file, or a folder of the parts of one export (other files in it are skipped, noted)."""
    documents = request.documents
    if not documents:
        raise SourceError("nothing to import", fix="point at a file")
    if len(documents) == 1:
        return [_Part.of(documents[0], request.thread)]
    exports = [doc for doc in documents if sniff(doc)]
    if not exports:
        sources.refuse_other_format(request, "wxr")
        raise SourceError("no file in the folder is a WordPress export", where=request.name, fix="point at the export file")
    parts = [_Part.of(doc, request.thread) for doc in exports]
    sites = sorted({part.base for part in parts if part.base})
    if len(sites) > 1:
        raise SourceError(
            f"the folder holds exports of {len(sites)} sites ({', '.join(sites[:3])}); a folder is read as the parts of one export",
            where=request.name,
            fix="point at one export file, or a folder holding only the parts of one export",
        )
    return parts


def _part_notes(part: _Part, parts: list[_Part], request) -> list[str]:
    """The repairs of the file that holds the post; from a folder, also which file that is and
    which files were not read."""
    if len(request.documents) == 1:
        return list(part.notes)
    read_names = {p.name for p in parts}
    others = [doc.name for doc in request.documents if doc.name not in read_names]
    notes = [f"read {len(parts)} files as the parts of one export; the post is in {part.name}"] if len(parts) > 1 else []
    if others:
        notes.append(f"skipped {len(others)} file(s) that are not WordPress exports: " + ", ".join(others[:5]) + (" ..." if len(others) > 5 else ""))
    return notes + [f"{part.name}: {note}" for note in part.notes]


def _refuse_repeated(post: "_Post", posts: list["_Post"], name: str) -> None:
    """Parts of one export never repeat a post; the same post id in two files means two exports
    (say of different dates), and which one is meant is the user's choice."""
    if not post.post_id:
        return
    files = sorted({p.source for p in posts if p.post_id == post.post_id and p.post_type == post.post_type})
    if len(files) > 1:
        raise SourceError(
            f"post {post.post_id} is in {len(files)} files ({', '.join(files[:3])}), so they are not the parts of one export",
            where=name,
            fix="import the export file you mean on its own",
        )


def _channel_fields(root) -> dict:
    channel = next((element for element in root.iter("{*}channel") if _kind(element) == "channel"), None)
    return _fields(channel) if channel is not None else {}


def _without_old_excerpt_slip(notes: list[str], root) -> list[str]:
    """WordPress before 3.0 wrote ``excerpt:encoded`` without declaring ``excerpt``: in its
    exports that is how the file was made, not a cut header, and the note says so."""
    generator = xmlsafe.text(_channel_fields(root).get("generator"))
    if not _OLD_WORDPRESS.search(generator):
        return notes
    return [_OLD_EXCERPT_NOTE if note == _UNDECLARED_EXCERPT_NOTE else note for note in notes]


def _site_address(root) -> str | None:
    """The blog's address from the channel (<link>, wp:base_blog_url, wp:base_site_url), for
    exporters such as Squarespace's that write item links relative to the site."""
    fields = _channel_fields(root)
    for key in ("link", "wp:base_blog_url", "wp:base_site_url"):
        value = xmlsafe.text(fields.get(key))
        if value.startswith(("http://", "https://")):
            return value
    return None


def _damaged(post: "_Post", posts: list["_Post"], problems) -> bool:
    """Did recovery repair real damage (not a namespace slip) between this item and the next?"""
    start = post.line or 0
    later = [p.line for p in posts if (p.line or 0) > start]
    end = min(later) if later else float("inf")
    return any(start <= problem.line < end for problem in problems if problem.kind == "damage")


# ---------------------------------------------------------------------------- names

def _prefix(namespace: str) -> str:
    ns = namespace.lower()
    if "wordpress.org/export/" in ns:
        return "excerpt" if "excerpt" in ns else "wp"
    if "purl.org/rss/1.0/modules/content" in ns:
        return "content"
    if "purl.org/dc/" in ns:
        return "dc"
    return "ns"


def _kind(element) -> str:
    """'wp:comment_id', 'content:encoded', 'excerpt:encoded', 'title': the same for every WXR
    version and for prefixes left undeclared (recovery keeps them in the tag)."""
    tag = element.tag
    return _kind_of_tag(tag) if isinstance(tag, str) else ""


@functools.lru_cache(maxsize=512)
def _kind_of_tag(tag: str) -> str:
    """Remembered per tag: a big export repeats a few dozen tags millions of times."""
    if tag.startswith("{"):
        namespace, local = tag[1:].split("}", 1)
        return f"{_prefix(namespace)}:{local}"
    return tag


def _fields(element) -> dict:
    """First child of each kind (comments are collected apart)."""
    found: dict = {}
    for child in element:
        found.setdefault(_kind(child), child)
    return found


def _unescaped(name: str) -> str:
    """WordPress stores names HTML-escaped ("O&#039;Brien", "Se&aacute;n", "&amp;") and prints
    them as HTML; unescaped once, they read as the blog shows them."""
    return " ".join(html.unescape(name).split())


def _display_names(root) -> dict[str, str]:
    """<wp:author> blocks map the login in dc:creator to the name the blog shows."""
    names = {}
    for element in root.iter("{*}author", "wp:author"):  # the iteration by name runs in lxml, not per element here
        if _kind(element) == "wp:author" and len(element):
            fields = _fields(element)
            login = xmlsafe.text(fields.get("wp:author_login"))
            shown = _unescaped(xmlsafe.text(fields.get("wp:author_display_name")))
            if login and shown:
                names[login] = shown
    return names


# ---------------------------------------------------------------------------- posts

# Entries WordPress and common plugins keep as posts that are not something to read as a
# thread: media, revisions, menus, editor data, contact-form messages, bbPress containers.
_NOT_CONTENT = {
    "attachment", "revision", "nav_menu_item", "custom_css", "customize_changeset", "oembed_cache",
    "user_request", "wp_block", "wp_template", "wp_template_part", "wp_global_styles", "wp_navigation",
    "wp_font_family", "wp_font_face", "feedback", "forum", "reply",
    # shop and plugin records: WooCommerce's variations, orders, coupons and webhooks, Action
    # Scheduler's jobs (whose logs are comments), Contact Form 7's forms, ACF's field setups
    "product_variation", "shop_order", "shop_order_refund", "shop_coupon", "shop_webhook", "scheduled-action",
    "wpcf7_contact_form", "acf-field", "acf-field-group",
}
# What a visitor can read: published posts; attachments take their post's status ("inherit");
# a closed bbPress topic is still shown, only locked.
_READABLE = {"attachment": {"publish", "inherit"}, "topic": {"publish", "closed"}}
_UNPUBLISHED = {
    "trash": "it is in the trash",
    "draft": "it is a draft",
    "auto-draft": "it is an unsaved draft",
    "pending": "it is pending review",
    "private": "it is private",
    "future": "it is scheduled, not yet published",
}


@dataclass
class _Post:
    element: object
    fields: dict
    post_id: str
    slug: str
    title: str
    link: str | None
    comments: list
    post_type: str
    status: str
    has_password: bool
    parent: str
    source: str  # the file it is in
    relative_link: str | None = None  # the link as written, when it was relative
    site: str | None = None  # the site's address: links in the text relative to the site resolve against it
    replies: list = field(default_factory=list)  # bbPress replies, when this is a topic
    language: str | None = None  # the one language imported of a multilingual (qTranslate) post
    reusable_blocks: dict = field(default_factory=dict)  # wp_block id -> content, for the post imported
    line: int | None = None  # where the item starts in its file
    shown_comments: int = 0  # approved comments (not pingbacks)
    comment_total: int = 0
    block_content: str = ""  # the content of a reusable block (post type wp_block)

    @classmethod
    def of(cls, item, base: str | None, source: str) -> "_Post":
        fields = _fields(item)
        written = xmlsafe.text(fields.get("link"))
        link = _absolute(written, base)
        comments = [c for c in item if _kind(c) == "wp:comment"]
        post_type = xmlsafe.text(fields.get("wp:post_type")).lower() or "post"  # old exports: posts only
        return cls(
            element=item,
            fields=fields,
            source=source,
            relative_link=written if written and link != written else None,
            site=base,
            post_id=xmlsafe.text(fields.get("wp:post_id")),
            slug=xmlsafe.text(fields.get("wp:post_name")),
            title=_unescaped(xmlsafe.text(fields.get("title"))),
            link=link,
            comments=comments,
            post_type=post_type,
            status=xmlsafe.text(fields.get("wp:status")).lower() or "publish",
            has_password=bool(xmlsafe.text(fields.get("wp:post_password"))),
            parent=xmlsafe.text(fields.get("wp:post_parent")),
            line=item.sourceline,
            shown_comments=sum(1 for c in comments if _is_shown(c, _shown_fields(c))),
            comment_total=len(comments),
            block_content=xmlsafe.markup(fields.get("content:encoded")) if post_type == "wp_block" else "",
        )

    @property
    def visible_comments(self) -> int:
        return self.shown_comments + sum(1 for r in self.replies if r.status == "publish")

    def summary(self) -> "_Post":
        """The post without its elements (text, comments): what listing and choosing it needs."""
        return replace(self, element=None, fields={}, comments=[])

    def describe(self) -> str:
        """One listing line; the link and, for a post without an id, its line in the file tell
        posts with the same title apart."""
        label = self.post_id or f"(no id, line {self.line})"
        slug = f", slug {self.slug}" if self.slug else ""
        link = f" {self.link}" if self.link else ""
        count = self.visible_comments
        noun = ("reply", "replies") if self.post_type == "topic" else ("comment", "comments")
        return f"{label} \"{self.title or '(no title)'}\"{slug}{link} ({count} {noun[count != 1]})"


def _absolute(link: str, base: str | None) -> str | None:
    """An item's link; a relative one ("/blog/post.html") is resolved against the site's
    address, and without one it is no link."""
    if link.startswith(("http://", "https://")):
        return link
    if not link or not base or link.startswith(("#", "?")) or ":" in link.split("/", 1)[0]:
        return None
    return urljoin(base.rstrip("/") + "/", link)


# Host names that only the machine or the local network resolve (WordPress installed on a
# laptop with MAMP, XAMPP or Local, whose sites end in .local or .test).
_LOCAL_HOST = re.compile(r"(?:localhost|127(?:\.\d{1,3}){3}|::1|.+\.(?:localhost|local|test|invalid))", re.I)


def _on_a_local_site(link: str | None) -> bool:
    if not link:
        return False
    try:
        host = urlsplit(link).hostname
    except ValueError:
        return False
    return bool(host and _LOCAL_HOST.fullmatch(host))


def _relative_link_note(post: _Post, base: str | None) -> str:
    return f"the post's link {post.relative_link!r} is not a full address; " + (
        f"resolved against the site's address {base}" if post.link else "the export names no site address to resolve it, so the thread has no link"
    )


def _attach_bbpress_replies(posts: list[_Post]) -> None:
    """bbPress keeps a forum reply as its own item (post type ``reply``) whose ``wp:post_parent``
    is the topic; they are the topic's replies."""
    topics = {p.post_id: p for p in posts if p.post_type == "topic" and p.post_id}
    for post in posts:
        if post.post_type == "reply" and post.parent in topics:
            topics[post.parent].replies.append(post)


def _unreadable(post: _Post) -> str | None:
    """Why a visitor of the site could not read this entry, if they could not: it must not
    reach a digest either."""
    if post.post_type == "reply":
        return f"it is a bbPress reply (to topic {post.parent if post.parent not in ('', '0') else 'unknown'}), not a topic"
    if post.post_type in _NOT_CONTENT - {"attachment"}:
        return f"it is a '{post.post_type}' entry, not a post"
    reasons = []
    if post.status not in _READABLE.get(post.post_type, {"publish"}):
        reasons.append(_UNPUBLISHED.get(post.status, f"its status (wp:status) is '{post.status}', not published"))
    if post.has_password:
        reasons.append("it is password-protected (wp:post_password)")
    return " and ".join(reasons) or None


def _left_out(post: _Post) -> str | None:
    """Why a post is not offered in listings: not content, or not readable (its kind)."""
    if post.post_type in _NOT_CONTENT:
        return f"'{post.post_type}'"
    if post.status not in _READABLE.get(post.post_type, {"publish"}):
        return post.status
    return "password-protected" if post.has_password else None


def _listing(shown: list[_Post], posts: list[_Post], *, offer_attachments: bool = False) -> str:
    """The posts one may choose, then a count of the entries left out and why; with
    ``offer_attachments`` (no post has comments), the attachment pages readers commented on."""
    listed = (":\n" + common.listing(shown) if shown else "") + _left_out_line(posts)
    return listed + (_commented_attachments(posts) if offer_attachments else "")


def _commented_attachments(posts: list[_Post]) -> str:
    commented = [p for p in posts if p.post_type == "attachment" and p.visible_comments and not _unreadable(p)]
    if not commented:
        return ""
    return "\n  attachment pages (a picture or file on its own page) with comments, imported by their id:\n" + common.listing(commented)


def _left_out_line(posts: list[_Post]) -> str:
    counts = Counter(reason for reason in map(_left_out, posts) if reason)
    if not counts:
        return ""
    return f"\n  (not listed: {sum(counts.values())} entries that are not published posts: " + ", ".join(
        f"{count} {reason}" for reason, count in sorted(counts.items())
    ) + ")"


def _choose(posts: list[_Post], selector: str | None, name: str) -> tuple[_Post, list[_Post]]:
    """The post to import, and the other entries ``selector`` names just as exactly."""
    listed = [p for p in posts if not _left_out(p)]
    if selector and selector.strip():
        post, others = _select(posts, listed, selector.strip(), name)
        reason = _unreadable(post)
        if reason:
            topic = post.post_type == "reply" and post.parent not in ("", "0") and post.parent
            raise SourceError(
                f"post {post.post_id or post.title!r} cannot be imported: {reason}; only published posts without a "
                "password are imported" + _listing(listed, posts),
                where=name,
                fix=f"choose its topic with --thread {topic}" if topic else _FIX_CHOOSE,
            )
        return post, others
    with_comments = [p for p in listed if p.visible_comments]
    if len(with_comments) == 1:
        return with_comments[0], []
    if not with_comments and len(listed) == 1 and not any(p.visible_comments for p in posts):
        return listed[0], []  # the only post a visitor can read, and no comments anywhere (drafts beside it)
    shown = with_comments or listed
    what = " with comments" if with_comments else (", none with comments" if len(shown) > 1 else ", without comments")
    raise SourceError(
        (f"the export holds {common.counted(len(shown), 'published post')}{what}" if shown
         else "the export holds no published post without a password")
        + _listing(shown, posts, offer_attachments=not with_comments),
        where=name,
        fix=_FIX_CHOOSE,
    )


# What names one entry exactly, in order of precedence: its id, slug or link.
_EXACT = (
    lambda p, selector: p.post_id == selector,
    lambda p, selector: bool(p.slug) and unquote(p.slug) == unquote(selector),  # WordPress keeps non-ASCII slugs %-escaped
    lambda p, selector: any(link and unquote(link).rstrip("/") == unquote(selector).rstrip("/") for link in (p.link, p.relative_link)),
)


def _names_exactly(post: "_Post", selector: str) -> bool:
    return any(exact(post, selector) for exact in _EXACT)


def _select(posts: list[_Post], listed: list[_Post], selector: str, name: str) -> tuple[_Post, list[_Post]]:
    """An id, slug or link names any entry (a refused one is refused with its reason); a part
    of a title is looked for among the published posts first (not their revisions).  Of
    several entries named exactly, the readable one with most comments, and the others."""
    for exact in _EXACT:
        found = [p for p in posts if exact(p, selector)]
        if found:
            best = max(found, key=lambda p: (not _unreadable(p), p.visible_comments))
            return best, [p for p in found if p is not best]
    needle = selector.casefold()
    found = [p for p in listed if needle in p.title.casefold()] or [p for p in posts if needle in p.title.casefold()]
    if len(found) == 1:
        return found[0], []
    if not found:
        raise SourceError(
            f"no post matches --thread {selector!r}; the published posts are" + _listing(listed, posts),
            where=name,
            fix=_FIX_CHOOSE,
        )
    raise SourceError(f"--thread {selector!r} matches {len(found)} posts:\n" + common.listing(found), where=name, fix=_FIX_CHOOSE)


def _as_reply(post: _Post, authors: dict[str, str], dropped: Counter) -> Reply:
    """A post, or a bbPress reply, as written: its author, HTML (shortcodes expanded, counting
    those left out) and date."""
    fields = post.fields
    login = xmlsafe.text(fields.get("dc:creator"))
    author = authors.get(login, login) or "anonymous"
    written = _in_language(xmlsafe.markup(fields.get("content:encoded")) or xmlsafe.markup(fields.get("description")), post)
    if post.post_type == "attachment":
        written = attachment_shown(xmlsafe.text(fields.get("wp:attachment_url")), post.title) + written
    written, blocks_left_out = built_blocks(written, post.reusable_blocks)
    content, left_out = shortcodes(written)
    dropped.update(left_out)
    dropped.update(blocks_left_out)
    body = bodies.from_html(autop(content), post.site)
    posted_at, posted_text = wxr_times.time_of(xmlsafe.text(fields.get("wp:post_date_gmt")), xmlsafe.text(fields.get("wp:post_date")))
    if posted_at is None and not posted_text:  # old exports: only the RSS pubDate
        published = common.parse_mail_date(xmlsafe.text(fields.get("pubDate")))
        posted_at = published if xmlsafe.plausible(published) else None
    return Reply(
        id=post.post_id or common.stable_id(permalink=post.link, author=author, body=body),
        author=author,
        body=body,
        permalink=post.link,
        posted_at=posted_at,
        posted_at_text=posted_text,
    )


def _in_language(text: str, post: _Post) -> str:
    return qtranslate.in_language(text, post.language) if post.language else text


def _opening_post(post: _Post, authors: dict[str, str], dropped: Counter) -> Reply:
    opening = _as_reply(post, authors, dropped)
    return replace(opening, title=_in_language(post.title, post).strip() or None, mentions=common.find_mentions(bodies.prose_words(opening.body)))


# Reactions plugins store as comments of their own type: the ActivityPub plugin a fediverse
# like ("like"), the Webmention plugin a like or favourite another site sent.  The post shows
# them as a row of faces, not as comments.
_LIKE_TYPES = {"like", "favorite"}


def _with_likes(opening: Reply, post: _Post, notes: list[str]) -> Reply:
    """The post's likes: its approved comments of a like type (they are skipped as comments)."""
    likes = sum(
        1 for comment in post.comments
        if xmlsafe.text((fields := _shown_fields(comment)).get("wp:comment_approved")) == "1" and _comment_kind(comment, fields) in _LIKE_TYPES
    )
    if not likes:
        return opening
    notes.append(f"{likes} like(s) sent from other sites (comments of type like or favorite, as the ActivityPub and Webmention plugins store them) are the post's likes")
    return replace(opening, engagement=replace(opening.engagement, likes=likes))


def _bbpress_replies(topic: _Post, authors: dict[str, str], skipped: Counter, dropped: Counter) -> list[Reply]:
    """The topic's published forum replies; a reply to a reply names it in ``_bbp_reply_to``."""
    replies = []
    for post in topic.replies:
        if post.status != "publish" or post.has_password:
            skipped[f"{'password-protected' if post.has_password else post.status} bbPress replies"] += 1
            continue
        answered = _meta(post.element, "_bbp_reply_to")
        replies.append(replace(_as_reply(post, authors, dropped), parent_id=answered if answered not in ("", "0") else None))
    return replies


def _meta(item, key: str, kind: str = "wp:postmeta") -> str:
    """A ``wp:postmeta`` value of an item, or a ``wp:commentmeta`` value of a comment ('' when absent)."""
    for element in item:
        if _kind(element) == kind:
            fields = _fields(element)
            if xmlsafe.text(fields.get("wp:meta_key")) == key:
                return xmlsafe.text(fields.get("wp:meta_value"))
    return ""


# ---------------------------------------------------------------------------- comments

def _shown_fields(comment) -> dict:
    """Only the two fields that tell whether a comment is shown: counting a big export's
    comments with all their fields took most of the time of reading it."""
    return {
        _kind(child): child for child in comment
        if isinstance(child.tag, str) and child.tag.endswith(("comment_approved", "comment_type"))
    }


def _is_shown(comment, fields: dict) -> bool:
    return xmlsafe.text(fields.get("wp:comment_approved")) == "1" and _comment_kind(comment, fields) in _COMMENT_TYPES


# The Semantic Linkbacks plugin, and the Webmention plugin before 5.0, keep a linkback's comment
# type (webmention, pingback) and store what the sender's page is in a comment meta: a reply is
# shown among the comments with its text, likes as faces, mentions as "X mentioned this" lines.
_LINKBACK_META_KEYS = ("semantic_linkbacks_type", "webmention_type")
_LINKBACK_MEANINGS = {"reply": _LINKBACK_REPLY, "like": "like", "favorite": "favorite"}


def _comment_kind(comment, fields: dict) -> str:
    """The comment's type, a linkback's read through what its sender's page is."""
    kind = xmlsafe.text(fields.get("wp:comment_type")).lower()
    if kind not in _PING_TYPES or comment is None:
        return kind
    for key in _LINKBACK_META_KEYS:
        meaning = _meta(comment, key, "wp:commentmeta").lower()
        if meaning:
            return _LINKBACK_MEANINGS.get(meaning, kind)
    return kind


def _replies(post: _Post, authors: dict[str, str], notes: list[str], dropped: Counter) -> tuple[list[Reply], bool]:
    """Approved comments (and a topic's bbPress replies) in thread order, and whether some
    answer comments absent from the export."""
    skipped: Counter = Counter()
    kinds: Counter = Counter()  # the types of the comments shown
    exported: dict[str, str] = {}  # every exported comment id -> what it is, for parents not shown
    replies: list[Reply] = []
    seen: set[str] = set()
    comments = [(element, _fields(element)) for element in post.comments]
    comment_ids = {xmlsafe.text(fields.get("wp:comment_id")) for _, fields in comments}
    reply_links: dict[str, dict[str, str]] = {}  # reply id -> its "@name" links to other comments
    threaded_by_link = 0
    for element, fields in comments:
        comment_id = xmlsafe.text(fields.get("wp:comment_id"))
        kind = _comment_kind(element, fields)
        exported.setdefault(comment_id, _parent_noun(kind))
        reason = _skip_reason(kind, fields)
        if reason:
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        reply, by_link = _comment(element, fields, post, comment_ids)
        if reply.id in seen:
            skipped["repeated (same comment id)"] = skipped.get("repeated (same comment id)", 0) + 1
            continue
        kinds[kind] += 1
        seen.add(reply.id)
        replies.append(reply)
        reply_links[reply.id] = _reply_links(xmlsafe.markup(fields.get("wp:comment_content")))
        threaded_by_link += by_link
    for reply in _bbpress_replies(post, authors, skipped, dropped):
        if reply.id in seen:
            skipped["repeated (same comment id)"] += 1
            continue
        seen.add(reply.id)
        replies.append(reply)
        reply_links[reply.id] = {}
    exported.update((p.post_id, "bbPress reply") for p in post.replies if p.post_id)
    if skipped:
        notes.append("skipped " + ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items())))
    notes.extend(_linkback_notes(kinds))
    if threaded_by_link:
        notes.append(
            f"{threaded_by_link} comment(s) without a parent (wp:comment_parent 0) open with an \"@name\" link to "
            "another comment; shown as answering it"
        )
    replies, to_post = _answering_the_post(replies, post.post_id, exported)
    if to_post:
        notes.append(
            f"{to_post} comment(s) name the post itself (wp:post_id {post.post_id}) as their parent (wp:comment_parent), "
            "as some converters write; shown as answering the post"
        )
    replies, hidden_parents, absent_parent = _resolve_parents(replies, exported)
    for noun, count in sorted(hidden_parents.items()):
        shown = "is not approved" if noun == _UNAPPROVED else "is not imported"
        notes.append(f"{count} approved comment(s) answer a {noun} that {shown}; shown as answering the post")
    if absent_parent:
        notes.append(f"{absent_parent} comment(s) answer a comment missing from the export; shown as answering the post")
    replies = wxr_times.in_time_order(replies, wxr_times.site_offset(_local_and_gmt_times(post)), notes)
    authors = common.AuthorNames({r.author for r in replies})
    shown = {r.id for r in replies}
    replies = [
        replace(r, mentions=_linked(common.find_mentions(bodies.prose_words(r.body), authors), reply_links[r.id], shown))
        for r in replies
    ]
    replies, loops = xmlsafe.break_parent_loops(replies)
    if loops:
        notes.append(f"{loops} comment(s) answered each other in a loop; shown as answering the post")
    return common.order_by_parents(replies), absent_parent > 0


_UNAPPROVED = "comment"


def _linkback_notes(kinds: Counter) -> list[str]:
    notes = []
    if kinds[_LINKBACK_REPLY]:
        notes.append(
            f"{kinds[_LINKBACK_REPLY]} linkback(s) (webmention or pingback) whose sender's page answers the post "
            "(Semantic Linkbacks' type reply) shown as comments, with the text read from that page"
        )
    if kinds["reply"]:
        notes.append(f"{kinds['reply']} comment(s) of type reply (how the Webmention plugin 5.0 stores a reply sent from another site) shown as comments")
    return notes


def _parent_noun(kind: str) -> str:
    """What a comment is, as a note names it when others answer it but it is not shown."""
    if kind in _PING_TYPES:
        return "pingback or trackback" if kind == "pings" else kind
    return _UNAPPROVED if kind in _COMMENT_TYPES else f"'{kind}' entry"


def _skip_reason(kind: str, fields: dict) -> str | None:
    if kind in _PING_TYPES:
        return "webmentions" if kind in ("webmention", "mention") else "pingbacks/trackbacks"
    if kind not in _COMMENT_TYPES:
        return f"'{kind}' entries"
    approved = xmlsafe.text(fields.get("wp:comment_approved")).lower()
    if approved == "1":
        return None
    if "wp:comment_approved" not in fields:
        return "incomplete comments (no approval status)"
    return {"0": "pending (unapproved) comments", "spam": "spam comments"}.get(approved, "trashed comments")


def _comment(element, fields: dict, post: _Post, comment_ids: set[str]) -> tuple[Reply, bool]:
    """The comment as a reply, and whether its parent came from an opening "@name" link."""
    comment_id = xmlsafe.text(fields.get("wp:comment_id"))
    author = _unescaped(xmlsafe.text(fields.get("wp:comment_author"))) or "Anonymous"
    content = _stars(element, fields) + _in_language(xmlsafe.markup(fields.get("wp:comment_content")), post)
    shown, _ = shortcodes(content, drop_blocks=False)  # WordPress expands none in comments; media URLs become links
    body = bodies.from_html(autop(_with_absolute_comment_links(shown, post.link)), post.site)
    posted_at, posted_text = wxr_times.time_of(xmlsafe.text(fields.get("wp:comment_date_gmt")), xmlsafe.text(fields.get("wp:comment_date")))
    parent = xmlsafe.text(fields.get("wp:comment_parent"))
    by_link = None
    if not parent or parent == "0":
        opening = _OPENING_REPLY_LINK.match(content)
        target = opening.group("id") if opening else None
        by_link = target if target and target != comment_id and target in comment_ids else None
    reply = Reply(
        id=common.stable_id(source_id=comment_id, author=author, body=body),
        author=author,
        body=body,
        permalink=f"{post.link}#comment-{comment_id}" if post.link and comment_id else None,
        posted_at=posted_at,
        posted_at_text=posted_text,
        parent_id=by_link or (parent if parent and parent != "0" else None),
    )
    return reply, by_link is not None


def _stars(element, fields: dict) -> str:
    """WooCommerce shows a product review's rating (its ``rating`` comment meta, 1 to 5 stars)
    above its text, and says it in words: "Rated 4 out of 5"."""
    if xmlsafe.text(fields.get("wp:comment_type")).lower() != "review":
        return ""
    rating = _meta(element, "rating", "wp:commentmeta")
    return f"<p>Rated {rating} out of 5</p>\n\n" if rating in ("1", "2", "3", "4", "5") else ""


# Themes and "@reply" plugins link a reply to the comment it answers on the same page:
# <a href="#comment-10">@kid</a>.  The body keeps only absolute links, so the anchor is
# resolved against the post's link; the link also tells which comment "@kid" means.
_COMMENT_HREF = re.compile(r"""\bhref=(?P<q>["'])\#comment-(?P<id>\d+)(?P=q)""", re.I)
_REPLY_LINK = re.compile(r"""<a\s[^<>]*?\bhref=(?P<q>["'])\#comment-(?P<id>\d+)(?P=q)[^<>]*>(?P<label>[^<>]{1,200})</a\s*>""", re.I)
_OPENING_REPLY_LINK = re.compile(r"""\A\s*(?:<p>\s*)?<a\s[^<>]*?\bhref=(?P<q>["'])\#comment-(?P<id>\d+)(?P=q)[^<>]*>\s*@""", re.I)


def _with_absolute_comment_links(content: str, post_link: str | None) -> str:
    if not post_link:
        return content
    return _COMMENT_HREF.sub(lambda m: f'href="{html.escape(post_link)}#comment-{m.group("id")}"', content)


def _reply_links(content: str) -> dict[str, str]:
    """Name (casefolded) -> comment id, for each "@name" link to a comment of the same page."""
    links: dict[str, str] = {}
    for match in _REPLY_LINK.finditer(content):
        label = " ".join(html.unescape(match.group("label")).split())
        if label.startswith("@") and label[1:].strip():
            links.setdefault(label[1:].strip().casefold(), match.group("id"))
    return links


def _linked(mentions, links: dict[str, str], shown: set[str]):
    """An "@name" mention written as a link to a comment names that comment, when it is shown."""
    def resolved(mention):
        target = links.get((mention.name or "").casefold())
        return replace(mention, reply_id=target) if mention.reply_id is None and target in shown else mention

    return tuple(resolved(m) for m in mentions)


def _answering_the_post(replies: list[Reply], post_id: str, exported: dict[str, str]) -> tuple[list[Reply], int]:
    """Converters that scrape a blog write the post's own id as each comment's parent; with no
    comment of that id exported, they answer the post, and nothing is missing."""
    if not post_id or post_id in exported:
        return replies, 0
    answering = [reply.parent_id == post_id for reply in replies]
    return [replace(r, parent_id=None) if to_post else r for r, to_post in zip(replies, answering)], sum(answering)


def _resolve_parents(replies: list[Reply], exported: dict[str, str]) -> tuple[list[Reply], Counter, int]:
    """A parent that was skipped (not approved, a pingback) or never exported cannot be shown:
    such comments answer the post, and are counted by what their parent was."""
    kept = {r.id for r in replies}
    hidden: Counter = Counter()
    absent = 0
    resolved = []
    for reply in replies:
        if reply.parent_id and reply.parent_id not in kept:
            if reply.parent_id in exported:
                hidden[exported[reply.parent_id]] += 1
            else:
                absent += 1
            reply = replace(reply, parent_id=None)
        resolved.append(reply)
    return resolved, hidden, absent


def _local_and_gmt_times(post: _Post) -> list[tuple[str, str]]:
    """(local, GMT) time texts of the post and each of its comments."""
    pairs = [(post.fields, "wp:post_date", "wp:post_date_gmt")]
    pairs += [(_fields(c), "wp:comment_date", "wp:comment_date_gmt") for c in post.comments]
    return [(xmlsafe.text(fields.get(local)), xmlsafe.text(fields.get(gmt))) for fields, local, gmt in pairs]
