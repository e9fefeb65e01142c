"""Reddit comment thread JSON, as served by ``https://www.reddit.com/comments/{id}.json``.

The response is a two-element array of Listings (reddit's JSON API): ``[0]`` holds the
submission (kind ``t3``: title, selftext/selftext_html, url, permalink, score, num_comments,
created_utc), ``[1]`` the comment forest (kind ``t1``, each with ``replies`` either ``""`` or a
nested Listing).  Unexpanded ``more`` stubs ("load more comments", "continue this thread")
are counted in the import notes and make the thread partial, and so does a file holding fewer
comments than the post's ``num_comments`` (beyond what the stubs hide), or a permalink/context
view (``/comments/ID/_/COMMENT``) whose top comments answer comments not in the file.

Without ``raw_json=1`` reddit HTML-escapes ``&``, ``<`` and ``>`` in every text field, so
``body_html`` reads ``&lt;div class="md"&gt;…`` and a title ``Tom &amp; Jerry``: such
documents (told by the HTML fields, else by preview URLs, the link URL and the title) are
unescaped first.  Deleted or removed comments (body ``[deleted]``, ``[removed]``,
``[ Removed by Reddit ]``) are skipped, or kept as placeholders with author ``[deleted]`` when
they have replies, so the tree holds.  Old things with ``ups``/``downs`` but no ``score`` get
score = ups - downs (reddit's definition of the score); up- and down-votes are kept only where
``downs`` is reported (not 0), since later ``ups`` is the score again.  A poll's ``poll_data`` options are
listed in the opening post with their ``vote_count`` (alone, with a note, while voting is open and
reddit gives no counts).  A single Listing object (a subreddit page, ``/r/NAME.json``) is refused
with the thread addresses of its posts, and so are comments or posts saved on their own (one
comment object or ``{"kind": "t1"}`` thing, a list of them as PRAW and JRAW scripts save, a
pushshift ``{"data": [...]}`` search response, a JSON-lines file of them): the error names the
thread address of their ``link_id``.  Arctic Shift's comment tree (``/api/comments/tree?link_id=…``,
``{"data": [...]}`` of comments nested as reddit nests them) is one post's comments without the
post: it is imported as a partial thread without title or opening post, with a note.
Several files: ``request.thread`` picks one by submission id (``3hahrw`` or ``t3_3hahrw``).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NoReturn

import markdown

from digest import body
from digest.errors import SourceError
from digest.model import Engagement, Mention, Reply, Thread
from digest.sources import common, jsonshape

DESCRIPTION = "Reddit comment thread JSON (https://www.reddit.com/comments/ID.json)"

FIX = "save the thread again from https://www.reddit.com/comments/ID.json (the whole response, both Listings)"
SITE = "https://www.reddit.com"
DELETED_BODIES = {"[deleted]", "[removed]", "[ Removed by Reddit ]"}
AUTOMODERATOR = "AutoModerator"  # the bot account whose notices subreddits pin to their threads
_REMOVED_BY_REDDIT = re.compile(r"\[\s*removed by reddit\b[^\]]*\]", re.I)  # also "... on account of ..."
_ESCAPED = re.compile(r"&(?:amp|lt|gt);")
_RAW = re.compile(r"[<>]|&(?!(?:amp|lt|gt);)")
_USER_MENTION = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})\b")
_MD_WRAPPER = re.compile(
    r'^\s*(?:<!--\s*SC_OFF\s*-->)?\s*<div class="md">(.*)</div>\s*(?:<!--\s*SC_ON\s*-->)?\s*$', re.S
)
_KIND = re.compile(rb'"kind"\s*:\s*"(Listing|t3|t1|more)"')
_LISTING_OBJECT = re.compile(rb'(?:\xef\xbb\xbf)?\s*\{\s*"kind"\s*:\s*"Listing"')
# Keys only reddit things carry: a comment's link_id names its post (t3_), subreddit_id its subreddit (t5_).
_THING_KEYS = re.compile(rb'"(?:link_id"\s*:\s*"t3_|subreddit_id"\s*:\s*"t5_)')
_THING_NAMES = {"t1": "comment", "t3": "post"}
# Who took a post's text away (its ``removed_by_category``), as the note on it says.
_REMOVED_BY = {"moderator": "removed by the subreddit's moderators", "deleted": "deleted by its author",
               "author": "deleted by its author", "reddit": "removed by reddit", "anti_evil_ops": "removed by reddit",
               "content_takedown": "removed by reddit", "copyright_takedown": "removed after a copyright notice",
               "automod_filtered": "held back by AutoModerator"}
_MAX_LISTED = 5
# Reddit's answer for a subreddit it will not show: {"reason": "private", "message": "Forbidden", "error": 403}.
_REFUSAL = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{(?=[^{]*"error"\s*:\s*\d{3})(?=[^{]*"reason"\s*:\s*"(private|quarantined|banned|gated|gold_only)")')
_REFUSAL_REASONS = {
    "private": ("the subreddit is private: only its approved members can read it",
                "save the thread from a reddit account that is a member of the subreddit"),
    "quarantined": ("the subreddit is quarantined: reddit shows it only to logged-in accounts that opted in",
                    "opt in to the subreddit on reddit, then save the thread while logged in"),
    "gated": ("the subreddit is marked sensitive: reddit shows it only to logged-in accounts that opted in",
              "opt in to the subreddit on reddit, then save the thread while logged in"),
    "banned": ("the subreddit is banned: reddit no longer serves its threads", "the thread can no longer be saved from reddit"),
    "gold_only": ("the subreddit is for reddit premium members only", "save the thread from a premium account"),
}


def sniff(doc) -> bool:
    """A JSON array of reddit Listings: ``[{"kind": "Listing", ...`` with a t3 or t1 inside; also a
    single Listing of posts (a subreddit page) and comments or posts saved on their own (with
    link_id or subreddit_id), so that reading them can say what to save instead."""
    window = jsonshape.sniff_window(getattr(doc, "data", None))
    if window is None or b'"digest_thread"' in window:
        return False
    return _looks_like_thread(window) or _THING_KEYS.search(window) is not None or _REFUSAL.match(window) is not None


def _looks_like_thread(window: bytes) -> bool:
    kinds = {match.group(1) for match in _KIND.finditer(window)}
    if window.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        return b"Listing" in kinds and bool(kinds & {b"t3", b"t1"})
    return _LISTING_OBJECT.match(window) is not None and b"t3" in kinds


@dataclass
class _Walk:
    """What walking the comment forest found besides the comments themselves."""

    comments: int = 0  # comments imported ('[deleted]' placeholders included)
    more_stubs: int = 0
    more_hidden: int = 0
    continue_stubs: int = 0
    placeholders: int = 0
    skipped_deleted: int = 0
    automoderator: int = 0  # AutoModerator's notices nobody answered, left out
    other_kinds: dict[str, int] = field(default_factory=dict)
    orphans: list[str] = field(default_factory=list)
    view_roots: list[str] = field(default_factory=list)  # top comments that answer a comment
    duplicates: int = 0


def read(request) -> Thread:
    root, folder_notes = _choose_document(request)
    tree = _comment_tree(root)
    if tree is not None:
        return _tree_thread(request, *tree, folder_notes)
    listings = root.array(required=True)
    if not listings:
        root.fail("empty array: expected the submission Listing and the comments Listing")
    link = _submission(listings[0])
    escaped = _is_escaped(link, listings[1] if len(listings) > 1 else None)
    walk = _Walk()
    permalink = _link_permalink(link)
    replies = _comments(_listing_children(listings[1]), permalink, escaped, walk) if len(listings) > 1 else []
    notes, partial = _notes(walk, has_comments=len(listings) > 1, reported=link["num_comments"].count())
    notes = folder_notes + notes
    poll_html, poll_notes = _poll(link["poll_data"], escaped)
    notes.extend(poll_notes)
    opening, body_notes = _opening_post(link, permalink, escaped, poll_html)
    notes.extend(body_notes)
    notes.extend(filter(None, [common.spoiler_note([opening.body, *(r.body for r in replies)], "reddit", "comment or post")]))
    authors = common.AuthorNames({r.author for r in replies} | {opening.author})
    replies = [_with_mentions(r, authors) for r in replies]
    return Thread(
        id=opening.id,
        title=opening.title,
        url=permalink,
        replies=tuple(common.order_by_parents(replies)),
        source_format="reddit",
        retrieved_at=request.retrieved_at,
        partial=partial,
        total_replies=link["num_comments"].count(),
        author=opening.author,
        opening_post=_with_mentions(opening, authors),
        import_notes=tuple(notes),
    )


# ---------------------------------------------------------------------------- documents

def _choose_document(request) -> tuple[jsonshape.Node, list[str]]:
    """One thread per file; among several files request.thread names the submission id, and
    the files of a folder that are not threads are named in a note, never dropped unsaid."""
    if len(request.documents) == 1:
        return _load(request.documents[0]), []
    wanted = (request.thread or "").strip().lower().removeprefix("t3_")
    threads: list[tuple[str, str, jsonshape.Node]] = []
    for doc in request.documents:
        window = jsonshape.sniff_window(doc.data)
        if window is not None and _looks_like_thread(window):
            root = _load(doc)
            link_id = _submission(root[0])["id"].ident() or "?"
            threads.append((link_id, doc.name, root))
    chosen = [t for t in threads if t[0].lower() == wanted] if wanted else threads
    if len(chosen) == 1:
        others = [doc.name for doc in request.documents if doc.name not in {name for _, name, _ in threads}]
        return chosen[0][2], [_skipped_files_note(others)] if others else []
    listed = ", ".join(f"{link_id} ({name})" for link_id, name, _ in threads) or "none"
    raise SourceError(
        f"the folder holds {len(threads)} reddit threads: {listed}" + (f"; none is {wanted!r}" if wanted else ""),
        where=request.name,
        fix="import one file, or pass --thread with one of the submission ids listed",
    )


def _skipped_files_note(names: list[str]) -> str:
    shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
    return (f"skipped {len(names)} file(s) of the folder that are not reddit threads (the post's Listing and its "
            f"comments' Listing), so none of their comments are imported: {shown}")


def _load(doc) -> jsonshape.Node:
    try:
        root = jsonshape.load(doc.data, doc.name, FIX)
    except SourceError:
        _refuse_json_lines(doc)
        raise
    refusal = _REFUSAL.match(doc.data[:2048])
    if refusal:
        said, fix = _REFUSAL_REASONS[refusal.group(1).decode()]
        root.fail(f"this is reddit's refusal (HTTP {root['error'].integer()} {root['message'].string() or ''}), "
                  f"not a thread: {said}", fix=fix)
    if root.is_object and root["kind"].value == "Listing":
        _refuse_listing(root)
    saved = _saved_things(root) if _comment_tree(root) is None else None
    if saved is not None:
        _refuse_saved_things(root.where, *saved)
    return root


def _refuse_json_lines(doc, sample: int = 100) -> None:
    """Pushshift dumps and many scripts write one comment or post per line (JSON lines), which
    is no JSON document: when the first lines are reddit things, say what the file is."""
    lines = [line for line in doc.data.splitlines() if line.strip()]
    if len(lines) < 2:
        return
    try:
        items = [jsonshape.Node(json.loads(line), f"line {n}", doc.name, FIX) for n, line in enumerate(lines[:sample], 1)]
    except (ValueError, RecursionError):
        return
    things = _things(items)
    if len(things) == len(items):
        counted = _counted(things) if len(lines) <= sample else f"{len(lines)} reddit comments or posts"
        _refuse_saved_things(doc.name, f"a JSON-lines file of {counted} (one per line, as pushshift dumps are)", things)


def _refuse_listing(listing: jsonshape.Node) -> NoReturn:
    """A single Listing is a page of posts (``/r/NAME.json``, a search) or of comments, not a thread:
    say so, and name the posts' thread addresses, instead of "expected a list"."""
    posts = _listed_posts(listing)
    if not posts:
        listing.fail("this is a single reddit Listing, not a comment thread (which is an array of two Listings)")
    listing.fail(
        f"this is a subreddit listing of {len(posts)} posts (as /r/NAME.json serves), not a comment thread",
        fix=f"save one post's thread as https://www.reddit.com/comments/ID.json (this page's posts: {_addresses(posts)})",
    )


def _addresses(post_ids: list[str]) -> str:
    """The first few posts' thread addresses, and how many more there are."""
    shown = ", ".join(f"{SITE}/comments/{post}.json" for post in post_ids[:_MAX_LISTED])
    more = f" and {len(post_ids) - _MAX_LISTED} more" if len(post_ids) > _MAX_LISTED else ""
    return shown + more


def _saved_things(root: jsonshape.Node) -> tuple[str, list[tuple[str, jsonshape.Node]]] | None:
    """Comments or posts saved without their thread, as scripts do (PRAW's and JRAW's objects,
    pushshift's ``{"data": [...]}`` search responses): what the file is, and its things."""
    if root.is_object and root["json"]["data"]["things"].is_array:
        things = _things(root["json"]["data"]["things"].array())
        what = "reddit's /api/morechildren answer (the comments behind a 'load more comments' stub)"
        return (f"{what}: {_counted(things)}" if things else what), things
    if root.is_object and root["data"].is_array:
        things = _things(root["data"].array())
        return (f"a pushshift search response of {_counted(things)}", things) if things else None
    if root.is_object:
        thing = _thing(root)
        return (f"one reddit {_THING_NAMES[thing[0]]}", [thing]) if thing else None
    items = root.array() if root.is_array else []
    if items and _thing(items[0]) is not None:
        things = _things(items)
        return f"a list of {_counted(things)}", things
    return None


def _things(items: list[jsonshape.Node]) -> list[tuple[str, jsonshape.Node]]:
    return [thing for thing in map(_thing, items) if thing is not None]


def _thing(node: jsonshape.Node) -> tuple[str, jsonshape.Node] | None:
    """(``t1`` or ``t3``, its fields) for a ``{"kind", "data"}`` thing or the bare fields PRAW,
    JRAW and pushshift save; a comment has a ``link_id`` of ``t3_…`` or a ``t1_`` name, a post a
    ``t3_`` name or a subreddit and a comment count."""
    if not node.is_object:
        return None
    kind = node["kind"].value
    if isinstance(kind, str) and kind in _THING_NAMES and node["data"].is_object:
        return kind, node["data"]
    if node.has("kind"):
        return None
    if _id_after(node["link_id"].value, "t3_") or _id_after(node["name"].value, "t1_"):
        return "t1", node
    if _id_after(node["name"].value, "t3_") or (node.has("subreddit") and node.has("num_comments")):
        return "t3", node
    return None


def _counted(things: list[tuple[str, jsonshape.Node]]) -> str:
    """``2 reddit comments``, ``one reddit comment and 3 reddit posts``."""
    parts = []
    for kind, name in _THING_NAMES.items():
        count = sum(k == kind for k, _ in things)
        if count:
            parts.append(f"{'one' if count == 1 else count} reddit {name}{'' if count == 1 else 's'}")
    return " and ".join(parts)


def _refuse_saved_things(where: str, what: str, things: list[tuple[str, jsonshape.Node]]) -> NoReturn:
    """Say what the file is and which thread address to save instead (a comment's post is its link_id)."""
    posts = list(dict.fromkeys(filter(None, (_post_of(kind, data) for kind, data in things))))
    if len(posts) == 1:
        fix = f"save the whole thread as {SITE}/comments/{posts[0]}.json"
    elif posts:
        fix = f"save one thread as https://www.reddit.com/comments/ID.json (these come from {_addresses(posts)})"
    else:
        fix = ("save the thread they belong to as https://www.reddit.com/comments/ID.json "
               "(ID is the post's, after /comments/ in its address)")
    raise SourceError(
        f"this is {what}, not a comment thread (an array of the post's Listing and its comments' Listing)", where=where, fix=fix
    )


def _post_of(kind: str, data: jsonshape.Node) -> str | None:
    """The id of the post a thing belongs to: a comment's link_id, a post's own id (or name)."""
    if kind == "t1":
        return _id_after(data["link_id"].value, "t3_")
    post_id = data["id"].value
    return post_id.strip() if isinstance(post_id, str) and post_id.strip() else _id_after(data["name"].value, "t3_")


def _id_after(fullname, prefix: str) -> str | None:
    """``t3_98je8o`` -> ``98je8o`` (None unless the text has that prefix)."""
    if not isinstance(fullname, str) or not fullname.startswith(prefix):
        return None
    return fullname.removeprefix(prefix).strip() or None


def _listed_posts(listing: jsonshape.Node) -> list[str]:
    """Ids of the posts (t3 things) in a Listing; anything of another shape is passed over."""
    children = listing["data"]["children"]
    posts = []
    for child in children.array() if children.is_array else []:
        post_id = child["data"]["id"].value if child["kind"].value == "t3" else None
        if isinstance(post_id, str) and post_id.strip():
            posts.append(post_id.strip())
    return posts


def _submission(listing: jsonshape.Node) -> jsonshape.Node:
    """``data`` of the t3 thing in the first Listing."""
    listing.expect_object("the submission Listing")
    children = listing["data"].expect_object()["children"].array(required=True)
    for child in children:
        child.expect_object("a reddit thing")
        if child["kind"].string() == "t3":
            return child["data"].expect_object()
    listing.fail("no submission (kind t3) in the first Listing", fix=FIX)


def _is_escaped(link: jsonshape.Node, comments: jsonshape.Node | None) -> bool:
    """True when the document was fetched without raw_json=1.  Every text field is escaped
    then, so the first field that shows ``&``, ``<`` or ``>`` decides: the HTML fields always
    do, a link post without comments has only its preview URLs, URL and title to tell."""
    for sample in _escape_samples(link, comments):
        escaped = _escaping_of(sample)
        if escaped is not None:
            return escaped
    return False


def _escape_samples(link: jsonshape.Node, comments: jsonshape.Node | None):
    """Text fields most likely to hold ``&``, ``<`` or ``>``, strongest evidence first."""
    yield link["selftext_html"].value
    if comments is not None:
        yield _first_body_html(comments.value)
    for image in link["preview"]["images"].array() if link["preview"]["images"].is_array else ():
        yield image["source"]["url"].value
    yield link["url"].value
    yield link["title"].value
    yield link["selftext"].value


def _escaping_of(text) -> bool | None:
    """True: escaped (only ``&amp;``, ``&lt;``, ``&gt;``); False: raw (a bare ``&``, ``<`` or ``>``); None: cannot tell."""
    if not isinstance(text, str):
        return None
    if _RAW.search(text):
        return False
    return True if _ESCAPED.search(text) else None


def _first_body_html(listing, limit: int = 50) -> str | None:
    """The first non-empty ``body_html`` in the forest (looks at most ``limit`` things)."""
    stack = [listing]
    while stack and limit > 0:
        limit -= 1
        value = stack.pop()
        if not isinstance(value, dict):
            continue
        data = value.get("data")
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("body_html"), str) and data["body_html"].strip():
            return data["body_html"]
        if isinstance(data.get("children"), list):
            stack.extend(reversed(data["children"]))
        if isinstance(data.get("replies"), dict):
            stack.append(data["replies"])
    return None


def _text(node: jsonshape.Node, escaped: bool) -> str | None:
    value = node.string()
    return html.unescape(value) if value is not None and escaped else value


# ---------------------------------------------------------------------------- Arctic Shift tree

def _comment_tree(root: jsonshape.Node) -> tuple[str, list[jsonshape.Node]] | None:
    """(post id, top things) for an Arctic Shift comment tree: ``{"data": [...]}`` of ``t1`` and
    ``more`` things (pushshift's and Arctic Shift's search answers hold bare comments instead),
    every comment of one post."""
    if not (root.is_object and root["data"].is_array):
        return None
    tops = root["data"].array()
    kinds = {top["kind"].value for top in tops}
    if not tops or not kinds <= {"t1", "more"} or "t1" not in kinds or not all(t["data"].is_object for t in tops):
        return None
    posts = {_id_after(top["data"]["link_id"].value, "t3_") for top in tops if top["kind"].value == "t1"}
    return (posts.pop(), tops) if len(posts) == 1 and None not in posts else None


def _tree_thread(request, post_id: str, tops: list[jsonshape.Node], folder_notes: list[str]) -> Thread:
    """An Arctic Shift comment tree as a thread: the comments as a ``/comments/ID.json`` file
    nests them, the post they answer missing (no title, author or opening text)."""
    subreddit = next((t["data"]["subreddit"].string() for t in tops if t["data"]["subreddit"].string()), None)
    permalink = f"{SITE}/r/{subreddit}/comments/{post_id}/" if subreddit else f"{SITE}/comments/{post_id}/"
    walk = _Walk()
    replies = _comments(tops, permalink, _tree_escaped(tops), walk)
    notes, _ = _notes(walk, has_comments=True, reported=None)
    missing_post = (f"the file is an Arctic Shift comment tree (/api/comments/tree) of post {post_id}: it holds the "
                    f"comments, not the post, so the thread has no title, author or opening text "
                    f"({SITE}/comments/{post_id}.json has them)")
    notes = [*folder_notes, missing_post, *notes]
    notes.extend(filter(None, [common.spoiler_note([r.body for r in replies], "reddit", "comment")]))
    authors = common.AuthorNames({r.author for r in replies})
    return Thread(
        id=post_id,
        title=None,
        url=permalink,
        replies=tuple(common.order_by_parents([_with_mentions(r, authors) for r in replies])),
        source_format="reddit",
        retrieved_at=request.retrieved_at,
        partial=True,
        import_notes=tuple(notes),
    )


def _tree_escaped(tops: list[jsonshape.Node], sample: int = 50) -> bool:
    """Archives keep the text as reddit's API served it, usually escaped (``&gt;`` opening a
    quote): the first ``body_html`` decides (Arctic Shift adds one on request), else the first
    comment text that shows ``&``, ``<`` or ``>``."""
    forest = {"data": {"children": [top.value for top in tops]}}
    for text in [_first_body_html(forest), *_bodies(forest, sample)]:
        escaped = _escaping_of(text)
        if escaped is not None:
            return escaped
    return False


def _bodies(listing: dict, limit: int):
    """The ``body`` of the first ``limit`` things of a comment forest, in thread order."""
    stack = [listing]
    while stack and limit > 0:
        data = stack.pop().get("data")
        if not isinstance(data, dict):
            continue
        if "body" in data:
            limit -= 1
            yield data["body"]
        children = data.get("children")
        stack.extend(child for child in reversed(children if isinstance(children, list) else []) if isinstance(child, dict))
        if isinstance(data.get("replies"), dict):
            stack.append(data["replies"])


# ---------------------------------------------------------------------------- submission

def _link_permalink(link: jsonshape.Node) -> str:
    path = link["permalink"].string()
    if path:
        return path if path.startswith("http") else SITE + "/" + path.lstrip("/")
    link_id = link["id"].ident(required=True)
    subreddit = link["subreddit"].string()
    return f"{SITE}/r/{subreddit}/comments/{link_id}/" if subreddit else f"{SITE}/comments/{link_id}/"


def _opening_post(link: jsonshape.Node, permalink: str, escaped: bool, poll_html: str | None) -> tuple[Reply, list[str]]:
    """The submission as the opening post, and notes on what its body was made from."""
    link_id = link["id"].ident() or (link["name"].ident() or "").removeprefix("t3_") or None
    if link_id is None:
        link.fail("the submission has no id")
    text, notes = _post_body(link, permalink, escaped)
    if poll_html:
        text += body.from_html(poll_html)
    opening = Reply(
        id=link_id,
        author=_text(link["author"], escaped) or "[deleted]",
        body=text,
        permalink=permalink,
        posted_at=_time(link),
        parent_id=None,
        engagement=_engagement(link),
        title=_text(link["title"], escaped),
    )
    return opening, notes


def _post_body(link: jsonshape.Node, permalink: str, escaped: bool) -> tuple[str, list[str]]:
    """What the post says, then what it links to: a text post's text; a link, image or gallery
    post's address (and its text, which reddit allows since 2022, and a gallery's captions); a
    crosspost's original (title, text, gallery), quoted, since the crosspost itself has none."""
    own = _own_text(link, escaped, permalink)
    parts = [own] if own else []
    notes = _removed_notes(link, escaped)
    if link["is_gallery"].flag():
        parts.append(_gallery(link, escaped))
    else:
        address = _absolute(_text(link["url"], escaped))
        if address and not link["is_self"].flag() and address.rstrip("/") != permalink.rstrip("/"):
            parts.append(_link_paragraph(address, address))
    originals = link["crosspost_parent_list"].array()
    if not own and originals:
        original = originals[0].expect_object("the crossposted post")
        parts.append(_quoted_original(original, escaped))
        home = re.match(r"/?(r/[^/]+)/", _text(original["permalink"], escaped) or "")
        where = _text(original["subreddit_name_prefixed"], escaped) or (home.group(1) if home else "another subreddit")
        notes.append(f"the opening post is a crosspost from {where}; the original is quoted")
    return "".join(parts), notes


def _quoted_original(original: jsonshape.Node, escaped: bool) -> str:
    """A crossposted post as a quote: its title (a link to its own discussion), its text, and
    its gallery's images."""
    title = _text(original["title"], escaped)
    discussion = _absolute(_text(original["permalink"], escaped))
    heading = _link_anchor(discussion, title or discussion) if discussion else html.escape(title or "")
    inner = (f"<p>{heading}</p>" if heading else "") + _own_text(original, escaped, discussion or SITE)
    if original["is_gallery"].flag():
        inner += _gallery(original, escaped)
    return body.from_html(f"<blockquote>{inner}</blockquote>") if inner else ""


def _own_text(post: jsonshape.Node, escaped: bool, source: str) -> str:
    html_text = _text(post["selftext_html"], escaped)
    if html_text:
        return _md_html(html_text, source)
    self_text = _text(post["selftext"], escaped)
    if self_text and _is_removed(self_text):  # the placeholder, as reddit's HTML of it reads
        return f"<p>{html.escape(self_text.strip(), quote=False)}</p>"
    return _markdown_body(self_text, source) if self_text else ""


def _removed_notes(link: jsonshape.Node, escaped: bool) -> list[str]:
    """A post whose text reddit replaced ("[removed]", "[deleted]") keeps its title and
    comments; the note says who took the text away when reddit tells (``removed_by_category``)."""
    self_text = (_text(link["selftext"], escaped) or "").strip()
    category = link["removed_by_category"].string()
    if not _is_removed(self_text):
        return [f"the post was {_REMOVED_BY[category]} (removed_by_category: {category}); it is imported as "
                "reddit still shows it"] if category in _REMOVED_BY else []
    who = _REMOVED_BY.get(category or "", "removed or deleted")
    return [f"the post's text was {who}: reddit shows {self_text!r} in its place; its title and comments are imported"]


def _gallery(link: jsonshape.Node, escaped: bool) -> str:
    """A gallery's images in order, each with its caption and the link the poster added."""
    media = link["media_metadata"]
    items = []
    for item in link["gallery_data"]["items"].array():
        item = item.expect_object("a gallery item")
        media_id = item["media_id"].string() or ""
        image = _absolute(_text(media[media_id]["s"]["u"], escaped) or _text(media[media_id]["s"]["gif"], escaped))
        caption = _text(item["caption"], escaped) or ""
        outbound = _absolute(_text(item["outbound_url"], escaped))
        entry = _link_anchor(image, caption or "image") if image else html.escape(caption or "image")
        if outbound:
            entry += " – " + _link_anchor(outbound, outbound)
        items.append(entry)
    if not items:
        address = _absolute(_text(link["url"], escaped))
        return _link_paragraph(address, address) if address else ""
    return body.from_html(_html_list(items))


def _absolute(address: str | None) -> str | None:
    """Reddit writes its own addresses site-relative (a crosspost's ``url``)."""
    if not address:
        return None
    address = address.strip()
    if address.startswith("/"):
        return SITE + address
    return address if address.startswith(("http://", "https://")) else None


def _link_anchor(address: str, label: str) -> str:
    return f'<a href="{html.escape(address)}">{html.escape(label)}</a>'


def _link_paragraph(address: str, label: str) -> str:
    return body.from_html(f"<p>{_link_anchor(address, label)}</p>")


def _poll(poll: jsonshape.Node, escaped: bool) -> tuple[str | None, list[str]]:
    """A poll post's ``poll_data`` options as a list for the opening post, with their
    ``vote_count``; reddit leaves the counts out (or null) while voting is open, and then the
    options are listed alone and a note says why."""
    if poll.is_null:
        return None, []
    options = poll.expect_object("the poll's data")["options"].array()
    if not options:
        return None, []
    texts = [_text(o.expect_object("a poll option")["text"], escaped) or "" for o in options]
    counts = [o["vote_count"].integer() for o in options]
    if any(c is None for c in counts):
        items = [html.escape(t.strip()) for t in texts]
        return _html_list(items), [_uncounted_note(poll)]
    items = [f"{html.escape(t.strip())} ({c} vote{'' if c == 1 else 's'})" for t, c in zip(texts, counts)]
    return _html_list(items), []


def _html_list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _uncounted_note(poll: jsonshape.Node) -> str:
    total = poll["total_vote_count"].integer()
    end_ms = poll["voting_end_timestamp"].number()  # reddit gives milliseconds
    end = common.parse_epoch(end_ms / 1000) if end_ms is not None else None
    ends = f", {end:%Y-%m-%d %H:%M} UTC" if end else ""
    so_far = f"; {total} votes in total" if total is not None else ""
    return (f"the poll's options are listed without vote counts: the file has none "
            f"(reddit shows them once voting ends{ends}){so_far}")


def _time(data: jsonshape.Node) -> datetime | None:
    return data["created_utc"].epoch_time()


def _engagement(data: jsonshape.Node) -> Engagement:
    """score (unless hidden), and up- and down-votes only where reddit reports them apart from
    the score: since 2014 ``downs`` is 0 and ``ups`` is the score itself (negative too), so
    there they would be a second score, not votes."""
    hidden = data["score_hidden"].flag() or data["hide_score"].flag()
    downs = data["downs"].count()
    ups = data["ups"].count() if downs else data["ups"].integer()
    return Engagement(
        score=None if hidden else _score(data["score"].integer(), ups, downs),
        upvotes=None if hidden or not downs else ups,
        downvotes=None if hidden else downs or None,
    )


def _score(score: int | None, ups: int | None, downs: int | None) -> int | None:
    """Old comments (2012 and before) have ``ups`` and ``downs`` but no ``score``, which reddit
    defines as ups minus downs."""
    if score is not None or ups is None:
        return score
    net = ups - (downs or 0)
    return net if -(2**63) <= net < 2**63 else None


# ---------------------------------------------------------------------------- comments

def _comments(tops: list[jsonshape.Node], permalink: str, escaped: bool, walk: _Walk) -> list[Reply]:
    """Depth-first walk of the comment forest (a stack, so deep threads cannot overflow)."""
    replies: list[Reply] = []
    imported: set[str] = set()
    stack = [(child, None) for child in reversed(tops)]
    while stack:
        thing, parent = stack.pop()
        kind = thing["kind"].string()
        data = thing["data"]
        if kind == "more":
            _count_more(data.expect_object("a 'more' stub's data"), walk)
            continue
        if kind != "t1":
            walk.other_kinds[kind or "?"] = walk.other_kinds.get(kind or "?", 0) + 1
            continue
        reply = _comment(data.expect_object("a comment's data"), parent, permalink, escaped, walk)
        if reply is None:
            continue
        if reply.id in imported:
            walk.duplicates += 1
            continue
        walk.comments += 1
        if reply.parent_id is not None and reply.parent_id not in imported:
            (walk.view_roots if parent is None else walk.orphans).append(reply.id)
            reply = replace(reply, parent_id=None)
        replies.append(reply)
        imported.add(reply.id)
        replies_node = data["replies"]
        if replies_node.is_object:
            stack.extend((child, reply.id) for child in reversed(_listing_children(replies_node)))
        elif not (replies_node.is_null or replies_node.value == ""):
            replies_node.fail(f"expected a Listing or \"\", found {type(replies_node.value).__name__}")
    return replies


def _listing_children(listing: jsonshape.Node) -> list[jsonshape.Node]:
    listing.expect_object("a Listing")
    children = listing["data"].expect_object("the Listing's data")["children"].array()
    for child in children:
        child.expect_object("a reddit thing (kind and data)")
    return children


def _count_more(data: jsonshape.Node, walk: _Walk) -> None:
    """"load more comments" stubs count what they hide; "continue this thread" (count 0) does not."""
    count = data["count"].integer() or 0
    children = data["children"].array()
    if count == 0 and not children:
        walk.continue_stubs += 1
    else:
        walk.more_stubs += 1
        walk.more_hidden += max(count, len(children))


def _comment(
    data: jsonshape.Node, structural_parent: str | None, permalink: str, escaped: bool, walk: _Walk
) -> Reply | None:
    comment_id = data["id"].ident() or (data["name"].ident() or "").removeprefix("t1_") or None
    if comment_id is None:
        data.fail("a comment without id")
    parent = _parent(data, structural_parent)
    raw_body = _text(data["body"], escaped)
    link = data["permalink"].string()
    reply_link = (SITE + link if link.startswith("/") else link) if link else f"{permalink.rstrip('/')}/{comment_id}/"
    author = _text(data["author"], escaped) or "[deleted]"
    if _is_removed(raw_body or ""):
        if not _has_children(data):
            walk.skipped_deleted += 1
            return None
        walk.placeholders += 1
        return Reply(id=comment_id, author="[deleted]", body=f"<p>{html.escape(raw_body.strip(), quote=False)}</p>",
                     permalink=reply_link, posted_at=_time(data), parent_id=parent)
    if author == AUTOMODERATOR and not _has_children(data):
        walk.automoderator += 1  # the subreddit's rules reminder, pinned to every thread
        return None
    html_text = _text(data["body_html"], escaped)
    text = _md_html(html_text, reply_link) if html_text else _markdown_body(raw_body or "", reply_link)
    return Reply(
        id=comment_id,
        author=author,
        body=text,
        permalink=reply_link,
        posted_at=_time(data),
        parent_id=parent,
        engagement=_engagement(data),
    )


def _is_removed(text: str) -> bool:
    """The bodies reddit puts in place of deleted, removed and admin-removed ("[ Removed by Reddit ]") text."""
    text = text.strip()
    return text in DELETED_BODIES or _REMOVED_BY_REDDIT.fullmatch(text) is not None


def _parent(data: jsonshape.Node, structural_parent: str | None) -> str | None:
    """``t1_abc`` -> ``abc``; ``t3_…`` (the submission) -> None; absent -> the nesting parent."""
    parent = data["parent_id"].ident()
    if parent is None:
        return structural_parent
    if parent.startswith("t3_"):
        return None
    return parent.removeprefix("t1_")


def _md_html(fragment: str, source: str) -> str:
    """Reddit wraps rendered markdown in ``<div class="md">``; unwrap it so its paragraphs stay
    paragraphs.  Links to reddit itself are site-relative.  Spoilers (``>!text!<``, inline or a
    whole paragraph, and the old ``[teaser](/s "hidden text")``) stay hidden: each becomes a
    marker linking to ``source``, where reddit reveals it on a click."""
    match = _MD_WRAPPER.match(fragment)
    return body.from_html(hide_spoilers(match.group(1) if match else fragment, source), SITE + "/")


def hide_spoilers(fragment: str, source: str) -> str:
    """Reddit's rendered spoilers (also in its feeds), each a marker linking to ``source``."""
    marker = common.spoiler_marker(source)
    fragment = _SPOILER_LINK.sub(lambda found: _old_spoiler(found, marker), fragment)
    fragment = _INLINE_SPOILER.sub(lambda _: marker, fragment)
    return _BLOCK_SPOILER.sub(lambda _: f"<p>{marker}</p>", fragment)


def _markdown_body(text: str, source: str) -> str:
    """A markdown body saved without its HTML (archives such as Arctic Shift keep only the
    markdown): read as the Markdown reddit writes (emphasis, links, quotes, lists, code), its
    ``>!spoilers!<`` hidden as ``_md_html`` hides them.  A ``<`` is text on reddit, never a tag."""
    hidden = _MD_OLD_SPOILER.sub(lambda found: f"{found.group(1)} {common.SPOILER_LABEL}" if found.group(2) else common.SPOILER_LABEL, text)
    hidden = _MD_BLOCK_SPOILER.sub(common.SPOILER_LABEL, _MD_SPOILER.sub(common.SPOILER_LABEL, hidden))
    markdown_text = common.markdown_blocks_apart(common.lists_nested_by_content(hidden.replace("<", "&lt;")))
    built = markdown.markdown(markdown_text, extensions=["fenced_code", "tables", "sane_lists"])
    return body.from_html(built).replace(common.SPOILER_LABEL, common.spoiler_marker(source))


_INLINE_SPOILER = re.compile(r'<span class="md-spoiler-text"[^>]*>.*?</span>', re.S)
_BLOCK_SPOILER = re.compile(r'<blockquote class="md-spoiler-text"[^>]*>.*?</blockquote>', re.S)
_SPOILER_LINK = re.compile(r"""<a href="(?:/s|#s|/spoiler)"(?: title="([^"]*)")?>(.*?)</a>""", re.S)
_MD_SPOILER = re.compile(r">!(?!\s*!<)((?:(?!\n[ \t]*\n).)+?)!<", re.S)  # inline, within one paragraph
_MD_OLD_SPOILER = re.compile(r"""\[([^\]\n]*)\]\((?:/s|#s|/spoiler)(?:\s+"([^"\n]*)")?\)""")
_MD_BLOCK_SPOILER = re.compile(r"^>!(?:(?!\n[ \t]*\n).)*", re.S | re.M)  # a paragraph opened by ">!" and never closed


def _old_spoiler(found: re.Match, marker: str) -> str:
    """``[teaser](/s "hidden")`` shows its teaser and hides its title; without a title the
    link's own text is what the stylesheet hides."""
    hidden, teaser = found.group(1), found.group(2)
    return f"{teaser} {marker}" if hidden else marker


def _has_children(data: jsonshape.Node) -> bool:
    replies = data["replies"]
    return replies.is_object and bool(replies["data"]["children"].value)


def _with_mentions(reply: Reply, authors: common.AuthorNames) -> Reply:
    """``@name`` (common rules) plus reddit's own ``u/name`` and ``/u/name``."""
    text = body.prose_words(reply.body)
    mentions = list(common.find_mentions(text, authors))
    mentions += [Mention(text=m.group(0), name=m.group(1)) for m in _USER_MENTION.finditer(text)]
    return replace(reply, mentions=tuple(mentions))


# ---------------------------------------------------------------------------- notes

def _notes(walk: _Walk, *, has_comments: bool, reported: int | None) -> tuple[list[str], bool]:
    """What the file lacks (each such note makes the thread partial), then what was skipped."""
    missing = [*_view_notes(walk), *_stub_notes(walk), *_count_notes(walk, reported)]
    notes = list(missing)
    if not has_comments:
        notes.insert(0, "the file holds only the submission, no comments Listing")
    if walk.skipped_deleted or walk.placeholders:
        notes.append(
            f"{common.counted(walk.skipped_deleted + walk.placeholders, 'deleted or removed comment')}: {walk.skipped_deleted} skipped, "
            f"{walk.placeholders} kept as '[deleted]' placeholders because they have replies"
        )
    if walk.automoderator:
        notes.append(f"left out {walk.automoderator} AutoModerator comment(s) nobody answered: the subreddit's automatic "
                     "notices (rules, reminders), not the discussion")
    for kind, count in sorted(walk.other_kinds.items()):
        notes.append(f"skipped {count} things of unexpected kind {kind!r} in the comments Listing")
    if walk.duplicates:
        notes.append(f"skipped {walk.duplicates} comments that repeat an earlier comment's id")
    if walk.orphans:
        notes.append(f"{len(walk.orphans)} comments answer comments not in the file (shown as answering the post)")
    return notes, bool(missing or walk.orphans)


def _view_notes(walk: _Walk) -> list[str]:
    """A permalink or ``?context=`` page starts at one comment, not at the post."""
    if not walk.view_roots:
        return []
    return [
        f"the file is a permalink or context view of part of the thread: its top comments ({', '.join(walk.view_roots)}) "
        "answer comments not in the file (shown as answering the post)"
    ]


def _stub_notes(walk: _Walk) -> list[str]:
    notes = []
    if walk.more_stubs:
        stubs = common.counted(walk.more_stubs, "unexpanded 'load more comments' stub")
        notes.append(f"{stubs} hide{'s' if walk.more_stubs == 1 else ''} {common.counted(walk.more_hidden, 'comment')}")
    if walk.continue_stubs:
        stubs = common.counted(walk.continue_stubs, "'continue this thread' stub")
        notes.append(f"{stubs} hide{'s' if walk.continue_stubs == 1 else ''} deeper replies (count not given)")
    return notes


def _count_notes(walk: _Walk, reported: int | None) -> list[str]:
    """``num_comments`` beyond what the file holds and its stubs hide: comments were cut off
    (or the file is one comment's view); reddit also counts removed ones it never serves."""
    held = walk.comments + walk.skipped_deleted
    if reported is None or reported <= held + walk.more_hidden:
        return []
    stubs = f" and 'load more comments' stubs hide {walk.more_hidden}" if walk.more_hidden else ""
    return [f"the post reports {reported} comments; the file holds {held}{stubs} (reddit's count includes deleted and removed ones)"]
