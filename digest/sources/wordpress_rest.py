"""WordPress REST API comments: ``/wp-json/wp/v2/comments?post=ID`` (a JSON array of comments).

Every WordPress site serves its approved comments this way, all of them (up to 100 a page with
``per_page=100``, pages by ``page=N``), where its comments feed lists only the newest few.
Each comment has ``id``, ``post``, ``parent`` (0 for a comment on the post), ``author_name``,
``date_gmt`` (UTC, written without an offset), ``content.rendered`` (HTML), ``link``
(``POST#comment-ID``), ``status`` and ``type``.  A folder of saved pages is read as one
response.  The post's own text is not part of the response; the thread's address is the post's,
from the comments' links.  Saved with ``_embed``, each comment also carries its post
(``_embedded.up``), whose title and address name the thread.  A post saved instead of its
comments (``/wp/v2/posts/ID``, a page, a revision, or a list of them, which ``_embed`` gives a
few comments each) is refused with the address of the post's comments.  WordPress.com's own
API (``public-api.wordpress.com/rest/v1.1/sites/SITE/posts/ID/replies``: ``found`` and
``comments`` with ``ID``, ``author.name``, ``date`` with its offset, ``URL``, ``parent`` as an
object or false, ``like_count``) is read too, and its ``found`` says when comments are missing.
So is the first REST API, the "WP API" plugin's ``/wp-json/posts/ID/comments`` (2013–2016, before
WordPress 4.7 built in ``wp/v2``): ``ID``, ``content`` as HTML, ``author`` as an object with its
``name`` (a user's id alone for registered users), ``date_gmt``, ``parent`` as a number, and no
comment address: its permalink is built from the post id its ``meta.links.up`` names, as the
site's short link ``SITE/?p=POST#comment-ID``.  Comments saved with ``_fields=`` lack the
fields left out; what each missing field costs is noted, never defaulted silently.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, replace
from typing import NoReturn

from digest import body as bodies
from digest.errors import SourceError
from digest.model import Engagement, Reply, Thread
from digest.sources import comment_links, common, jsonshape, xmlsafe

DESCRIPTION = "WordPress REST API comments JSON (/wp-json/wp/v2/comments?post=ID&per_page=100)"

_FIX = "save the comments again from https://SITE/wp-json/wp/v2/comments?post=ID&per_page=100"
_MARKS = (re.compile(rb'"author_name"\s*:'), re.compile(rb'"rendered"\s*:'), re.compile(rb'"post"\s*:\s*\d'))
# A comment's rendered text; with ``_fields=`` leaving out ``post`` it and the author's name are what is left.
_CONTENT_RENDERED = re.compile(rb'"content"\s*:\s*\{\s*"rendered"')
_POST_TITLE = re.compile(rb'"title"\s*:\s*\{\s*"rendered"')  # posts and pages (``?_embed`` embeds their comments)
# A post's own fields around its title: ``guid`` comes before it, ``comment_status`` after its text.
_POST_FIELDS = re.compile(rb'"guid"\s*:\s*\{\s*"rendered"|"comment_status"\s*:')
_PAGE_SIZES = (10, 100)  # WordPress's default page and the largest it serves
_V1 = re.compile(rb'"date_tz"\s*:')  # the WP API plugin's comments (``/wp-json/posts/ID/comments``), before wp/v2
# Its link to a comment's post: ``SITE/wp-json/posts/16``, or ``SITE/?json_route=/posts/16`` without pretty permalinks.
_V1_POST_LINK = re.compile(r"^(?P<site>https?://.*?)/?(?:/wp-json|\?json_route=)(?:/|%2F)posts(?:/|%2F)(?P<post>\d+)", re.I)
_WPCOM = re.compile(rb'"short_URL"\s*:')  # WordPress.com's v1.1 comments (``{"found": N, "comments": [...]}``)
_ERROR = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"code"\s*:\s*"rest_')  # the API's answer when it serves nothing
# Error codes that mean the site keeps its REST API (or its comments) from visitors.
_CLOSED_CODES = {"rest_disabled", "rest_cannot_access", "rest_forbidden", "rest_login_required",
                 "rest_not_logged_in", "rest_cannot_read", "rest_forbidden_context"}


def sniff(doc) -> bool:
    """A JSON array whose comments carry WordPress's ``author_name``, ``post`` and rendered content
    (with ``_embed``, each comment's post follows its ``author_name``: a post's title comes
    first in a list of posts, which is claimed only to be refused with its comments' address)."""
    window = jsonshape.sniff_window(getattr(doc, "data", None))
    if window is None:
        return False
    if _ERROR.match(window) or (_POST_TITLE.search(window) and _POST_FIELDS.search(window)):
        return True  # the API's error answer; a post, or a list of them
    if _WPCOM.search(window) and (b'"comments"' in window or window.lstrip().startswith(b"[")):
        return True  # WordPress.com's v1.1 answer, or the list of its comments
    if _V1.search(window) and _MARKS[2].search(window) and window.lstrip().startswith(b"["):
        return True  # the WP API plugin's comments
    if not window.lstrip().startswith(b"["):
        return False
    if not (_MARKS[0].search(window) and _MARKS[1].search(window)
            and (_MARKS[2].search(window) or _CONTENT_RENDERED.search(window))):
        return False
    title = _POST_TITLE.search(window)
    return title is None or _MARKS[0].search(window).start() < title.start()


@dataclass(frozen=True)
class _Comment:
    reply: Reply
    post: str
    status: str
    kind: str
    post_title: str | None = None  # from the post ``_embed`` adds (``_embedded.up``)
    post_link: str | None = None
    unnamed_user: bool = False  # the WP API plugin names a registered user only by id
    absent: frozenset[str] = frozenset()  # wp/v2 fields a ``_fields=`` request left out
    nulls: frozenset[str] = frozenset()  # wp/v2 fields given as null (no request leaves them so: the site's plugins)


@dataclass(frozen=True)
class _Page:
    comments: list[_Comment]
    found: int | None = None  # WordPress.com: how many comments its query has in all pages


@dataclass
class _Post:
    post_id: str
    address: str | None
    comments: list[_Comment]
    title: str | None = None

    def describe(self) -> str:
        count = len(self.comments)
        return f"post {self.post_id or '(id not saved)'}{f' {self.address}' if self.address else ''} ({count} comment{'' if count == 1 else 's'})"


def read(request) -> Thread:
    pages, notes, partial, _ = jsonshape.parse_each(request.documents, _parse_page)
    comments = _unique([comment for page in pages for comment in page.comments])
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
    unnamed = sum(1 for comment in post.comments if comment.unnamed_user and not _skip_reason(comment))
    if unnamed:
        notes.append(f"{unnamed} comment(s) by registered users carry only the user's id, not a name (the WP API "
                     "plugin's answer): shown as 'user ID'; the site's /wp-json/users/ID names them")
    trimmed = _trimmed_fields_note(post.comments)
    if trimmed:
        notes.append(trimmed)
    joined = sum(1 for comment in post.comments if not comment.post) if post.post_id else 0
    if joined:
        notes.append(f"{joined} comment(s) without their post's id are taken as comments of post {post.post_id}, "
                     "whose address their links share")
    ids = {reply.id for reply in shown}
    held = {comment.reply.id for comment in post.comments}
    answering_skipped = sum(1 for r in shown if r.parent_id and r.parent_id not in ids and r.parent_id in held)
    orphans = sum(1 for r in shown if r.parent_id and r.parent_id not in held)
    answering = [replace(r, parent_id=None) if r.parent_id and (r.parent_id == r.id or r.parent_id not in ids) else r for r in shown]
    shown, loops = xmlsafe.break_parent_loops(answering)
    if loops:
        notes.append(f"{loops} comment(s) answered each other in a loop; shown as answering the post")
    if answering_skipped:
        notes.append(f"{answering_skipped} comment(s) answer a skipped comment; shown as answering the post, "
                     "as WordPress shows them")
    if orphans:
        notes.append(f"{orphans} comment(s) answer comments not in the file (shown as answering the post)")
    page_note, short = _pages_note(pages, len(comments), single_file=len(request.documents) == 1)
    if page_note:
        notes.append(page_note)
    partial = partial or short
    shown.sort(key=lambda r: (r.posted_at is None, r.posted_at, common.whole_number(r.id) or 0))
    authors = common.AuthorNames({r.author for r in shown})
    replies = [replace(r, mentions=common.find_mentions(bodies.prose_words(r.body), authors)) for r in shown]
    return Thread(
        id=_thread_id(post),
        title=post.title,
        url=post.address,
        replies=tuple(common.order_by_parents(replies)),
        source_format="wp-rest",
        retrieved_at=request.retrieved_at,
        partial=partial or orphans > 0,
        import_notes=tuple(notes),
    )


def _pages_note(pages: list[_Page], held: int, single_file: bool) -> tuple[str | None, bool]:
    """Whether the pages read may not be all of them, and whether they certainly are not:
    WordPress.com counts its comments (``found``); wp/v2 only fills its pages (10 or 100)."""
    found = max((page.found for page in pages if page.found is not None), default=None)
    if found is not None:
        if found <= held:
            return None, False
        return (f"WordPress.com counts {found} comments; the file holds {held}: save the next pages (&page=2, …) "
                "into one folder with this one and import the folder"), True
    if single_file and len(pages[0].comments) in _PAGE_SIZES:
        return (f"the file holds {len(pages[0].comments)} comments, a full page of the API's answer: the post may have "
                "more; save the next pages (&page=2, …) into one folder with this one and import the folder"), False
    if pages and len(pages[-1].comments) in _PAGE_SIZES:
        return (f"the last of the {len(pages)} pages read holds {len(pages[-1].comments)} comments, a full page: "
                "the post may have more"), False
    return None, False


def _parse_page(doc) -> _Page:
    root = jsonshape.load(doc.data, doc.name, _FIX)
    if root.is_object and root["comments"].is_array and (root.has("found") or root.has("site_ID")):
        return _Page([_wpcom_comment(item) for item in root["comments"].array()], root["found"].count())
    if root.is_object and (root["code"].string() or "").startswith("rest_"):
        _refuse_error(root)
    if _is_post(root):
        root.fail(f"this is a WordPress {_post_kind(root)}, not its comments",
                  fix=f"save the post's comments from {_comments_address(root)}")
    items = root.array(required=True)
    _refuse_posts(root, items)
    return _Page([_comment_of_api(item) for item in items])


def _comment_of_api(item: jsonshape.Node) -> _Comment:
    """A comment as whichever API served it: WordPress.com's, the WP API plugin's, or wp/v2."""
    if item.has("short_URL"):
        return _wpcom_comment(item)
    if item.has("date_tz") and item.has("ID"):
        return _v1_comment(item)
    return _comment(item)


def _refuse_error(root: jsonshape.Node) -> NoReturn:
    """The file holds the API's error answer (``{"code": "rest_…", "message": …}``), saved in
    place of the comments: say what the site answered, and what to import instead."""
    code = root["code"].string() or ""
    status = root["data"]["status"].integer() if root["data"].is_object else None
    answered = f"{root['message'].string() or code} ({code}" + (f", HTTP {status})" if status else ")")
    elsewhere = ("import the post's comments feed (the post's address followed by /feed/) or a WordPress export "
                 "(WXR) of the site")
    if code == "rest_no_route":
        fix = f"check the address (…/wp-json/wp/v2/comments?post=ID); if it is right, the site has turned its REST API off: {elsewhere}"
    elif code in _CLOSED_CODES:
        fix = f"the site does not serve its comments through the REST API to visitors: {elsewhere}"
    elif "invalid" in code or status == 404:
        fix = f"check the post id in the address (comments?post=ID), then {_FIX}"
    else:
        fix = _FIX
    root.fail(f"this is the WordPress REST API's error answer, not comments: {answered}", fix=fix)


def _is_post(node: jsonshape.Node) -> bool:
    return node.is_object and node["title"].is_object and not node.has("author_name")


def _refuse_posts(root: jsonshape.Node, items: list[jsonshape.Node]) -> None:
    """A list of posts (``/wp/v2/posts``) holds their text, and with ``_embed`` only the first
    few comments of each: name the address that returns all of a post's comments."""
    posts = [item for item in items if _is_post(item)]
    if not posts or len(posts) < len(items):
        return
    addresses = list(dict.fromkeys(_comments_address(post) for post in posts))
    shown = ", ".join(addresses[:3]) + (f" and {len(addresses) - 3} more" if len(addresses) > 3 else "")
    kinds = sorted({_post_kind(post) for post in posts})
    root.fail(f"this is a list of {len(posts)} WordPress {' and '.join(kinds)} items, not a post's comments",
              fix=f"save each post's comments from its comments address: {shown}")


def _post_kind(post: jsonshape.Node) -> str:
    """What the item is: its ``type`` (post, page, a custom type), or a revision, which names
    its post as ``parent`` and has no type of its own."""
    if _is_revision(post):
        return "revision"
    return post["type"].string() or "post"


def _is_revision(post: jsonshape.Node) -> bool:
    return not post.has("type") and not post.has("link") and post["parent"].ident() not in (None, "0")


def _comments_address(post: jsonshape.Node) -> str:
    """The post's comments, all of them on one page: its ``replies`` link, else its site's API."""
    replies = post["_links"]["replies"]
    href = replies[0]["href"].string() if replies.is_array and replies.array() else None
    if href and "/comments" in href:
        return href + ("&" if "?" in href else "?") + "per_page=100"
    site = _site(post["link"].string() or post["guid"]["rendered"].string()) or "https://SITE"
    post_id = post["parent"].ident() if _is_revision(post) else post["id"].ident()
    return f"{site}/wp-json/wp/v2/comments?post={post_id or 'ID'}&per_page=100"


def _comment(node: jsonshape.Node) -> _Comment:
    node.expect_object("a comment object")
    rendered = node["content"]["rendered"].string() if node["content"].is_object else node["content"].string()
    posted_at = jsonshape.whole_seconds(common.utc(common.parse_iso(node["date_gmt"].string())))
    reply = _reply(node["id"].ident(required=True), node["author_name"].string(), rendered, node["link"].string(),
                   node["parent"].ident(), posted_at, node["date"].string() or node["date_gmt"].string())
    post = _embedded_post(node)
    keys = node.value if node.is_object else {}
    absent = frozenset(field for field in (*_V2_FIELDS, "date") if field not in keys)
    nulls = frozenset(field for field in (*_V2_FIELDS, "date") if field in keys and keys[field] is None)
    return _Comment(reply, node["post"].ident(required="post" not in (absent | nulls)) or "",
                    (node["status"].string() or "approved").lower(), (node["type"].string() or "comment").lower(),
                    post_title=_plain_title(post["title"]["rendered"].string()) if post else None,
                    post_link=post["link"].string() if post else None, absent=absent, nulls=nulls)


# What a comment without each field shows, when ``_fields=`` left it out of every comment.
_V2_FIELDS = {
    "post": "all taken as the comments of one post",
    "parent": "every comment shown as answering the post",
    "author_name": "authors shown as Anonymous",
    "date_gmt": "times kept as the site's local time, as text",
    "link": "no links to the comments",
    "content": "no text",
}


def _trimmed_fields_note(comments: list[_Comment]) -> str | None:
    """Saved with ``_fields=id,content,…``, the comments lack what the request left out (and
    a site's plugins may give fields as null): say what is missing and what the import shows
    instead, not a silent default."""
    notes = []
    for attribute, said in (("absent", "were saved with only some of their fields (_fields=), without"), ("nulls", "give null for")):
        everywhere = frozenset.intersection(*(getattr(comment, attribute) for comment in comments)) if comments else frozenset()
        missing = [field for field in _V2_FIELDS if field in everywhere]
        if missing:
            effects = "; ".join(f"{field}: {_V2_FIELDS[field] if field != 'date_gmt' or 'date' not in everywhere else 'no times'}"
                                for field in missing)
            notes.append(f"the comments {said} {', '.join(missing)}: {effects}"
                         + ("; save them again without _fields= to have everything" if attribute == "absent" else ""))
    return "; ".join(notes) or None


def _thread_id(post: _Post) -> str:
    """``wordpress-post-ID``; comments saved without their post's id are named by its address."""
    if post.post_id:
        return f"wordpress-post-{post.post_id}"
    return "wordpress-comments" + (f"-{hashlib.sha1(post.address.encode()).hexdigest()[:12]}" if post.address else "")


def _wpcom_comment(node: jsonshape.Node) -> _Comment:
    """A comment of WordPress.com's v1.1 API: ``ID``, ``author.name``, ``date`` with its UTC
    offset, ``URL``, ``parent`` (false, or the comment answered), ``like_count``."""
    node.expect_object("a comment object")
    parent = node["parent"]["ID"].ident() if node["parent"].is_object else None
    author = node["author"]["name"].string() if node["author"].is_object else None
    posted_at = jsonshape.whole_seconds(common.utc(common.parse_iso(node["date"].string())))
    reply = _reply(node["ID"].ident(required=True), author, node["content"].string(), node["URL"].string(), parent,
                   posted_at, node["date"].string())
    reply = replace(reply, engagement=Engagement(likes=node["like_count"].count()))
    post = node["post"]
    return _Comment(reply, (post["ID"] if post.is_object else post).ident(required=True),
                    (node["status"].string() or "approved").lower(), (node["type"].string() or "comment").lower(),
                    post_title=_plain_title(post["title"].string()) if post.is_object else None)


def _v1_comment(node: jsonshape.Node) -> _Comment:
    """A comment of the WP API plugin: ``ID``, ``post``, ``content`` (HTML), ``author`` (an object
    with ``name``, or a registered user's id), ``date_gmt``, ``parent`` (0 for the post)."""
    node.expect_object("a comment object")
    comment_id = node["ID"].ident(required=True)
    post_id = node["post"].ident(required=True)
    author = node["author"]["name"].string() if node["author"].is_object else None
    user_id = None if node["author"].is_object else node["author"].ident()
    if author is None and user_id not in (None, "0"):
        author = f"user {user_id}"
    posted_at = jsonshape.whole_seconds(common.utc(common.parse_iso(node["date_gmt"].string() or node["date"].string())))
    parent = node["parent"]["ID"].ident() if node["parent"].is_object else node["parent"].ident()
    links = node["meta"]["links"] if node["meta"].is_object else None
    up = _V1_POST_LINK.match(links["up"].string() or "") if links is not None and links.is_object else None
    link = f"{up.group('site')}/?p={up.group('post')}#comment-{comment_id}" if up and up.group("post") == post_id else None
    reply = _reply(comment_id, author, node["content"].string(), link, parent, posted_at, node["date"].string())
    return _Comment(reply, post_id, (node["status"].string() or "approved").lower(), (node["type"].string() or "comment").lower(),
                    unnamed_user=author is not None and user_id not in (None, "0"))


def _reply(comment_id: str, author: str | None, rendered: str | None, link: str | None, parent: str | None,
           posted_at, posted_text: str | None) -> Reply:
    """A comment as a reply: names are stored escaped ("Tom &amp; Jerry"), site-relative links
    resolve against the post's site, parent 0 is the post itself."""
    post_address = comment_links.post_address(link)
    return Reply(
        id=comment_id,
        author=" ".join(html.unescape(author or "").split()) or "Anonymous",
        body=bodies.from_html(jsonshape.clean_text(rendered or ""), _site(post_address or link)),
        permalink=link,
        posted_at=posted_at,
        posted_at_text=None if posted_at else posted_text,
        parent_id=parent if parent not in (None, "0") else None,
    )


def _embedded_post(node: jsonshape.Node) -> jsonshape.Node | None:
    """The post ``_embed`` adds to a comment (``_embedded.up``), unless WordPress answered with
    an error there (a password-protected or private post)."""
    up = node["_embedded"]["up"] if node["_embedded"].is_object else None
    post = up[0] if up is not None and up.is_array and up.array() else None
    return post if post is not None and post.is_object and not post.has("code") else None


def _plain_title(rendered: str | None) -> str | None:
    """A rendered title (``Leeks &#8211; why they bolt``) as plain text."""
    return bodies.plain_words(bodies.from_html(jsonshape.clean_text(rendered or ""))) or None


def _site(address: str | None) -> str | None:
    parts = comment_links.split(address or "")
    return f"{parts.scheme}://{parts.netloc}" if parts and parts.scheme in ("http", "https") else None


def _unique(comments: list[_Comment]) -> list[_Comment]:
    """Pages saved twice, or overlapping as new comments pushed old ones to the next page."""
    return list({(c.post, c.reply.id): c for c in comments}.values())


def _by_post(comments: list[_Comment]) -> list[_Post]:
    """Comments grouped by their post's id; one without (a trimmed or null field) joins the post
    whose comments with an id have its address, else is grouped by its address."""
    ids = {address: comment.post for comment in reversed(comments)
           if comment.post and (address := comment_links.post_address(comment.reply.permalink))}
    posts: dict[str, _Post] = {}
    for comment in comments:
        address = comment_links.post_address(comment.reply.permalink)
        key = comment.post or ids.get(address or "") or address or ""
        post = posts.setdefault(key, _Post(comment.post or ids.get(address or "", ""), None, []))
        post.address = post.address or address or comment.post_link
        post.title = post.title or comment.post_title
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
