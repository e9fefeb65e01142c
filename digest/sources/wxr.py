"""WordPress eXtended RSS (WXR) exports: one post and its comments as a thread.

A WXR file (Tools > Export in WordPress, also written by WordPress.com and many migration
tools) is RSS 2.0 with one ``<item>`` per post and ``<wp:comment>`` children.  The post is
the opening post; approved comments (``wp:comment_approved`` = 1) are the replies, threaded by
``wp:comment_parent``.  Pingbacks, trackbacks, pending, spam and trashed comments are skipped
and counted in the import notes.

Choosing the post: the one post with comments, else ``request.thread`` matched against the
post id (``wp:post_id``), slug (``wp:post_name``), link, or a part of the title (any case).

Real exports are often not well-formed: a cut header leaves ``wp:`` / ``excerpt:`` undeclared,
and the namespace URL differs by version (``wordpress.org/export/1.0/`` ... ``1.2/``).  Elements
are matched by prefix-or-namespace and local name.  Control characters XML forbids (pasted
text) are removed, and a file still broken is read in recovery mode; the import notes say
what was repaired, and ``partial`` is set when the damage is inside the chosen post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from digest import body as bodies
from digest.errors import SourceError
from digest.model import Reply, Thread
from digest.sources import common, xmlsafe

DESCRIPTION = "WordPress export (WXR): one post and its approved comments"

_FIX_XML = "export the site again from WordPress (Tools > Export), or repair the XML at that line"
_FIX_CHOOSE = "choose the post with --thread ID, slug, link or a part of its title"
_MARKERS = re.compile(r"wordpress\.org/export/|<wp:(?:wxr_version|base_site_url|base_blog_url|author|post_id|comment)\b", re.I)
_PING_TYPES = {"pingback", "trackback", "pings", "webmention"}
_COMMENT_TYPES = {"", "comment", "review"}


def looks_like_wxr(head_text: str) -> bool:
    """The WXR namespace or its channel/item elements; plain WordPress RSS feeds have neither."""
    return bool(_MARKERS.search(head_text))


def sniff(doc) -> bool:
    head = xmlsafe.head(doc.data)
    return head is not None and head.local in ("rss", "channel") and looks_like_wxr(head.text)


def read(request) -> Thread:
    doc = xmlsafe.only_document(request, "WXR")
    parsed = xmlsafe.parse(doc.data, doc.name, fix=_FIX_XML, tolerant=True)
    notes = _repair_notes(parsed.problems)
    authors = _display_names(parsed.root)
    posts = [_Post.of(item) for item in parsed.root.iter() if _kind(item) == "item"]
    if not posts:
        raise SourceError("the export holds no posts (<item> elements)", where=doc.name, fix="export posts from WordPress, not only settings")
    post = _choose(posts, request.thread, doc.name)
    partial = _damaged(post, posts, parsed.problems)
    if partial:
        notes.append("the file is damaged inside this post: some of its comments may be missing")
    opening = _opening_post(post, authors)
    replies, missing_parents = _replies(post, notes)
    return Thread(
        id=post.post_id or common.stable_id(permalink=post.link, author=opening.author, body=opening.body),
        title=post.title or None,
        url=post.link,
        replies=tuple(replies),
        source_format="wxr",
        retrieved_at=request.retrieved_at,
        partial=partial or missing_parents,
        author=opening.author,
        opening_post=opening,
        import_notes=tuple(notes),
    )


def _damaged(post: "_Post", posts: list["_Post"], problems) -> bool:
    """Did recovery repair real damage (not a namespace slip) between this item and the next?"""
    start = post.element.sourceline or 0
    later = [p.element.sourceline for p in posts if (p.element.sourceline or 0) > start]
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
    if not isinstance(tag, str):
        return ""
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


def _repair_notes(problems) -> list[str]:
    notes = []
    prefixes = sorted({m.group(1) for p in problems if p.kind == "namespace" for m in [re.search(r"prefix (\S+)", p.message)] if m})
    if prefixes:
        notes.append(f"the export does not declare the namespace prefix(es) {', '.join(prefixes)} (a cut or edited header); matched by name")
    notes += [f"{p.message} from the export" for p in problems if p.kind == "characters"]
    damage = [p for p in problems if p.kind == "damage"]
    if damage:
        first = damage[0]
        notes.append(
            f"the export is not well-formed XML ({len(damage)} error(s), first at line {first.line}: {first.message}); "
            "read in recovery mode, so text near those lines may be lost"
        )
    return notes


def _display_names(root) -> dict[str, str]:
    """<wp:author> blocks map the login in dc:creator to the name the blog shows."""
    names = {}
    for element in root.iter():
        if _kind(element) == "wp:author" and len(element):
            fields = _fields(element)
            login = xmlsafe.text(fields.get("wp:author_login"))
            shown = xmlsafe.text(fields.get("wp:author_display_name"))
            if login and shown:
                names[login] = shown
    return names


# ---------------------------------------------------------------------------- posts

@dataclass
class _Post:
    element: object
    fields: dict
    post_id: str
    slug: str
    title: str
    link: str | None
    comments: list

    @classmethod
    def of(cls, item) -> "_Post":
        fields = _fields(item)
        link = xmlsafe.text(fields.get("link")) or None
        return cls(
            element=item,
            fields=fields,
            post_id=xmlsafe.text(fields.get("wp:post_id")),
            slug=xmlsafe.text(fields.get("wp:post_name")),
            title=" ".join(xmlsafe.text(fields.get("title")).split()),
            link=link if link and link.startswith(("http://", "https://")) else None,
            comments=[c for c in item if _kind(c) == "wp:comment"],
        )

    @property
    def visible_comments(self) -> int:
        return sum(1 for c in self.comments if _is_shown(_fields(c)))

    def describe(self) -> str:
        slug = f", slug {self.slug}" if self.slug else ""
        return f"{self.post_id or '?'} \"{self.title or '(no title)'}\"{slug} ({self.visible_comments} comments)"


def _choose(posts: list[_Post], selector: str | None, name: str) -> _Post:
    if selector and selector.strip():
        return _select(posts, selector.strip(), name)
    with_comments = [p for p in posts if p.visible_comments]
    if len(with_comments) == 1:
        return with_comments[0]
    if not with_comments and len(posts) == 1:
        return posts[0]
    listed = with_comments or posts
    what = "posts with comments" if with_comments else "posts, none with comments"
    raise SourceError(
        f"the export holds {len(listed)} {what}:\n" + _listing(listed),
        where=name,
        fix=_FIX_CHOOSE,
    )


def _select(posts: list[_Post], selector: str, name: str) -> _Post:
    for exact in (
        lambda p: p.post_id == selector,
        lambda p: p.slug and p.slug == selector,
        lambda p: p.link and p.link.rstrip("/") == selector.rstrip("/"),
    ):
        found = [p for p in posts if exact(p)]
        if found:
            return max(found, key=lambda p: p.visible_comments)
    needle = selector.casefold()
    found = [p for p in posts if needle in p.title.casefold()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise SourceError(f"no post matches --thread {selector!r}; the posts are:\n" + _listing(posts), where=name, fix=_FIX_CHOOSE)
    raise SourceError(f"--thread {selector!r} matches {len(found)} posts:\n" + _listing(found), where=name, fix=_FIX_CHOOSE)


def _listing(posts: list[_Post], limit: int = 20) -> str:
    lines = ["  " + p.describe() for p in posts[:limit]]
    if len(posts) > limit:
        lines.append(f"  ... and {len(posts) - limit} more")
    return "\n".join(lines)


def _opening_post(post: _Post, authors: dict[str, str]) -> Reply:
    fields = post.fields
    login = xmlsafe.text(fields.get("dc:creator"))
    author = authors.get(login, login) or "anonymous"
    html = autop(xmlsafe.text(fields.get("content:encoded")) or xmlsafe.text(fields.get("description")))
    body = bodies.from_html(html)
    posted_at, posted_text = _time(fields.get("wp:post_date_gmt"), fields.get("wp:post_date"))
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
        title=post.title or None,
        mentions=common.find_mentions(bodies.plain_words(body)),
    )


# ---------------------------------------------------------------------------- comments

def _is_shown(fields: dict) -> bool:
    approved = xmlsafe.text(fields.get("wp:comment_approved"))
    kind = xmlsafe.text(fields.get("wp:comment_type")).lower()
    return approved == "1" and kind in _COMMENT_TYPES


def _replies(post: _Post, notes: list[str]) -> tuple[list[Reply], bool]:
    """Approved comments in thread order, and whether some answer comments absent from the export."""
    skipped: dict[str, int] = {}
    exported_ids = set()
    replies: list[Reply] = []
    seen: set[str] = set()
    for element in post.comments:
        fields = _fields(element)
        comment_id = xmlsafe.text(fields.get("wp:comment_id"))
        exported_ids.add(comment_id)
        reason = _skip_reason(fields)
        if reason:
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        reply = _comment(fields, post)
        if reply.id in seen:
            skipped["repeated (same comment id)"] = skipped.get("repeated (same comment id)", 0) + 1
            continue
        seen.add(reply.id)
        replies.append(reply)
    if skipped:
        notes.append("skipped " + ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items())))
    replies, hidden_parent, absent_parent = _resolve_parents(replies, exported_ids)
    if hidden_parent:
        notes.append(f"{hidden_parent} approved comment(s) answer a comment that is not approved; shown as answering the post")
    if absent_parent:
        notes.append(f"{absent_parent} comment(s) answer a comment missing from the export; shown as answering the post")
    replies.sort(key=lambda r: (r.posted_at is None, r.posted_at or datetime.min, _numeric(r.id)))
    authors = {r.author for r in replies}
    replies = [replace(r, mentions=common.find_mentions(bodies.plain_words(r.body), authors)) for r in replies]
    replies, loops = xmlsafe.break_parent_loops(replies)
    if loops:
        notes.append(f"{loops} comment(s) answered each other in a loop; shown as answering the post")
    return common.order_by_parents(replies), absent_parent > 0


def _skip_reason(fields: dict) -> str | None:
    kind = xmlsafe.text(fields.get("wp:comment_type")).lower()
    if kind in _PING_TYPES:
        return "pingbacks/trackbacks"
    if kind not in _COMMENT_TYPES:
        return f"'{kind}' entries"
    approved = xmlsafe.text(fields.get("wp:comment_approved")).lower()
    if approved == "1":
        return None
    if "wp:comment_approved" not in fields:
        return "incomplete comments (no approval status)"
    return {"0": "pending (unapproved) comments", "spam": "spam comments"}.get(approved, "trashed comments")


def _comment(fields: dict, post: _Post) -> Reply:
    comment_id = xmlsafe.text(fields.get("wp:comment_id"))
    author = " ".join(xmlsafe.text(fields.get("wp:comment_author")).split()) or "Anonymous"
    body = bodies.from_html(autop(xmlsafe.text(fields.get("wp:comment_content"))))
    posted_at, posted_text = _time(fields.get("wp:comment_date_gmt"), fields.get("wp:comment_date"))
    parent = xmlsafe.text(fields.get("wp:comment_parent"))
    return Reply(
        id=common.stable_id(source_id=comment_id, author=author, body=body),
        author=author,
        body=body,
        permalink=f"{post.link}#comment-{comment_id}" if post.link and comment_id else None,
        posted_at=posted_at,
        posted_at_text=posted_text,
        parent_id=parent if parent and parent != "0" else None,
    )


def _resolve_parents(replies: list[Reply], exported_ids: set[str]) -> tuple[list[Reply], int, int]:
    """A parent that was skipped (not approved) or never exported cannot be shown: such
    comments answer the post, and are counted."""
    kept = {r.id for r in replies}
    hidden = absent = 0
    resolved = []
    for reply in replies:
        if reply.parent_id and reply.parent_id not in kept:
            if reply.parent_id in exported_ids:
                hidden += 1
            else:
                absent += 1
            reply = replace(reply, parent_id=None)
        resolved.append(reply)
    return resolved, hidden, absent


def _numeric(value: str) -> int:
    return (common.whole_number(value) or 0) if value.isdigit() else 0


def _time(gmt_element, local_element) -> tuple[datetime | None, str | None]:
    """``*_date_gmt`` is UTC ("2011-05-03 19:46:35"); when it is empty or all zeros (drafts,
    old imports) the local ``*_date`` is kept as text, since its zone is unknown."""
    posted_at = xmlsafe.utc_time(xmlsafe.text(gmt_element))
    if posted_at is not None:
        return posted_at, None
    local = xmlsafe.text(local_element)
    return None, (local if local and not local.startswith("0000") else None)


# ---------------------------------------------------------------------------- text

_BLOCK_START = re.compile(
    r"\s*<(?:p|div|ul|ol|li|blockquote|pre|h[1-6]|table|thead|tbody|tr|td|th|figure|figcaption|hr|dl|dt|dd"
    r"|section|article|aside|header|footer|nav|address|form|fieldset|details|iframe|script|style|!--)\b",
    re.I,
)
_PRE = re.compile(r"(<pre\b.*?</pre\s*>)", re.I | re.S)
_CAPTION = re.compile(r"\[/?caption[^\]]*\]", re.I)


def autop(text: str) -> str:
    """WordPress stores posts and comments with bare newlines and adds the HTML when it shows
    them (wpautop): blank lines separate paragraphs, single newlines are line breaks.
    Blocks that already are HTML blocks and <pre> sections are left as they are."""
    text = _CAPTION.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    out: list[str] = []
    for index, part in enumerate(_PRE.split(text)):
        if index % 2:
            out.append(part)
            continue
        for chunk in re.split(r"\n[ \t]*\n", part):
            chunk = chunk.strip()
            if not chunk:
                continue
            if _BLOCK_START.match(chunk):
                out.append(chunk)
            else:
                out.append("<p>" + chunk.replace("\n", "<br>") + "</p>")
    return "\n".join(out)
