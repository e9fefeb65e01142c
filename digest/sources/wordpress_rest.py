"""WordPress REST API comments: ``/wp-json/wp/v2/comments?post=ID`` (a JSON array of comments).

Every WordPress site serves its approved comments this way, all of them (up to 100 a page with
``per_page=100``, pages by ``page=N``), where its comments feed lists only the newest few.
Each comment has ``id``, ``post``, ``parent`` (0 for a comment on the post), ``author_name``,
``date_gmt`` (UTC, written without an offset), ``content.rendered`` (HTML), ``link``
(``POST#comment-ID``), ``status`` and ``type``.  A folder of saved pages is read as one
response.  The post's own text and title are not part of the response; the thread's address
is the post's, from the comments' links.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace

from digest import body as bodies
from digest.errors import SourceError
from digest.model import Reply, Thread
from digest.sources import comment_links, common, jsonshape, xmlsafe

DESCRIPTION = "WordPress REST API comments JSON (/wp-json/wp/v2/comments?post=ID&per_page=100)"

_FIX = "save the comments again from https://SITE/wp-json/wp/v2/comments?post=ID&per_page=100"
_MARKS = (re.compile(rb'"author_name"\s*:'), re.compile(rb'"rendered"\s*:'), re.compile(rb'"post"\s*:\s*\d'))
_POST_TITLE = re.compile(rb'"title"\s*:\s*\{\s*"rendered"')  # posts and pages (``?_embed`` embeds their comments)
_PAGE_SIZES = (10, 100)  # WordPress's default page and the largest it serves


def sniff(doc) -> bool:
    """A JSON array whose comments carry WordPress's ``author_name``, ``post`` and rendered content."""
    window = jsonshape.sniff_window(getattr(doc, "data", None))
    return (window is not None and window.lstrip().startswith(b"[") and all(mark.search(window) for mark in _MARKS)
            and not _POST_TITLE.search(window))


@dataclass(frozen=True)
class _Comment:
    reply: Reply
    post: str
    status: str
    kind: str


@dataclass
class _Post:
    post_id: str
    address: str | None
    comments: list[_Comment]

    def describe(self) -> str:
        count = len(self.comments)
        return f"post {self.post_id}{f' {self.address}' if self.address else ''} ({count} comment{'' if count == 1 else 's'})"


def read(request) -> Thread:
    pages, notes, partial, _ = jsonshape.parse_each(request.documents, _parse_page)
    comments = _unique([comment for page in pages for comment in page])
    post = _choose(_by_post(comments), request.thread, request.name)
    shown, skipped = [], {}
    for comment in post.comments:
        reason = _skip_reason(comment)
        if reason:
            skipped[reason] = skipped.get(reason, 0) + 1
        else:
            shown.append(comment.reply)
    if skipped:
        notes.append("skipped " + ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items())))
    ids = {reply.id for reply in shown}
    orphans = sum(1 for r in shown if r.parent_id and r.parent_id not in ids)
    answering = [replace(r, parent_id=None) if r.parent_id and (r.parent_id == r.id or r.parent_id not in ids) else r for r in shown]
    shown, loops = xmlsafe.break_parent_loops(answering)
    if loops:
        notes.append(f"{loops} comment(s) answered each other in a loop; shown as answering the post")
    if orphans:
        notes.append(f"{orphans} comment(s) answer comments not in the file (shown as answering the post)")
    if len(request.documents) == 1 and len(pages[0]) in _PAGE_SIZES:
        notes.append(f"the file holds {len(pages[0])} comments, a full page of the API's answer: the post may have more; save "
                     "the next pages (&page=2, …) into one folder with this one and import the folder")
    elif pages and len(pages[-1]) in _PAGE_SIZES:
        notes.append(f"the last of the {len(pages)} pages read holds {len(pages[-1])} comments, a full page: the post may have more")
    shown.sort(key=lambda r: (r.posted_at is None, r.posted_at, common.whole_number(r.id) or 0))
    authors = common.AuthorNames({r.author for r in shown})
    replies = [replace(r, mentions=common.find_mentions(bodies.prose_words(r.body), authors)) for r in shown]
    return Thread(
        id=f"wordpress-post-{post.post_id}",
        title=None,
        url=post.address,
        replies=tuple(common.order_by_parents(replies)),
        source_format="wp-rest",
        retrieved_at=request.retrieved_at,
        partial=partial or orphans > 0,
        import_notes=tuple(notes),
    )


def _parse_page(doc) -> list[_Comment]:
    root = jsonshape.load(doc.data, doc.name, _FIX)
    items = root.array(required=True)
    return [_comment(item) for item in items]


def _comment(node: jsonshape.Node) -> _Comment:
    node.expect_object("a comment object")
    comment_id = node["id"].ident(required=True)
    link = node["link"].string()
    post_address = comment_links.post_address(link)
    rendered = node["content"]["rendered"].string() if node["content"].is_object else node["content"].string()
    body = bodies.from_html(jsonshape.clean_text(rendered or ""), _site(post_address or link))
    parent = node["parent"].ident()
    posted_at = jsonshape.whole_seconds(common.utc(common.parse_iso(node["date_gmt"].string())))
    reply = Reply(
        id=comment_id,
        author=" ".join(html.unescape(node["author_name"].string() or "").split()) or "Anonymous",  # stored escaped
        body=body,
        permalink=link,
        posted_at=posted_at,
        posted_at_text=None if posted_at else node["date"].string() or node["date_gmt"].string(),
        parent_id=parent if parent not in (None, "0") else None,
    )
    return _Comment(reply, node["post"].ident(required=True), (node["status"].string() or "approved").lower(),
                    (node["type"].string() or "comment").lower())


def _site(address: str | None) -> str | None:
    parts = comment_links.split(address or "")
    return f"{parts.scheme}://{parts.netloc}" if parts and parts.scheme in ("http", "https") else None


def _unique(comments: list[_Comment]) -> list[_Comment]:
    """Pages saved twice, or overlapping as new comments pushed old ones to the next page."""
    return list({(c.post, c.reply.id): c for c in comments}.values())


def _by_post(comments: list[_Comment]) -> list[_Post]:
    posts: dict[str, _Post] = {}
    for comment in comments:
        post = posts.setdefault(comment.post, _Post(comment.post, None, []))
        post.address = post.address or comment_links.post_address(comment.reply.permalink)
        post.comments.append(comment)
    return list(posts.values())


def _skip_reason(comment: _Comment) -> str | None:
    if comment.kind in ("pingback", "trackback"):
        return "pingbacks/trackbacks"
    if comment.status != "approved":
        return {"hold": "unapproved comments", "unapproved": "unapproved comments", "trash": "trashed comments"}.get(
            comment.status, f"{comment.status} comments")
    return None


def _choose(posts: list[_Post], selector: str | None, name: str) -> _Post:
    if not posts:
        raise SourceError("the file holds no comments (an empty array)", where=name,
                          fix="check the post id in the address (comments?post=ID), or import the post's page address")
    selector = (selector or "").strip()
    if not selector and len(posts) == 1:
        return posts[0]
    if not selector:
        raise SourceError(f"the file holds comments on {len(posts)} posts:\n" + common.listing(posts), where=name,
                          fix="choose the post with --thread POST_ID or its address")
    wanted = (comment_links.post_address(selector) or selector).rstrip("/")
    found = [p for p in posts if p.post_id == selector or (p.address and p.address.rstrip("/") == wanted)]
    if not found:
        raise SourceError(f"no post in the file matches --thread {selector!r}; the posts are:\n" + common.listing(posts),
                          where=name, fix="choose the post with --thread POST_ID or its address")
    return found[0]
