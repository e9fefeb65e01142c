"""Hacker News threads, from the official Firebase API or the Algolia HN API.

Accepted shapes:

- Firebase items (``https://hacker-news.firebaseio.com/v0/item/{id}.json``): flat objects
  with ``id``, ``type``, ``by``, ``time``, ``text``, ``parent`` and ``kids`` (child ids in
  display order).  A thread is many items, given as a JSON array of items, an object keyed
  by item id (``{"8863": {...}, ...}``), one item per line (JSON lines, as BigQuery and other dumps
  export them), or a folder with one item (or one such array) per file;
  a file of a folder that is not an item (a README) is skipped with a note.
  Kids that are not in the import are counted in the notes and make the thread partial.
  A poll lists its options (``pollopt`` items, which name it in ``poll``) in ``parts``: they are
  shown in the opening post with their scores, not as replies.
- Algolia (``https://hn.algolia.com/api/v1/items/{id}``): one nested item whose
  ``children`` hold the comment tree, with ``author``, ``created_at_i``, ``points`` and HTML ``text``.
  A poll's options are in its ``options`` (``text`` and ``points``), shown like Firebase's ``parts``.
  A deleted or dead item is serialized as ``id`` and ``children`` alone.
Other shapes are refused with what to save instead: the HNPWA / node-hnapi ``user``/``content``/
``comments`` items (the Algolia tree of the same id), an Algolia search response (``hits``: the
``items/ID`` of each story it names), and WordPress REST comments (``/wp-json/wp/v2/comments``
or WordPress.com's v1.1 API, which also say ``"type": "comment"`` and ``parent``: the wp-rest
reader's).

HN has no quote markup: writers start a paragraph with ``>`` (often in italics), and those
paragraphs become a ``<blockquote>`` (consecutive ones a single one); ``>>`` (or ``> >``) quotes a
quote, one level deeper; ``>5`` and ``>=`` are not quotes.

Items are grouped into threads by their ``parent`` chains: a thread's root is its story, or,
when the story is not in the import, the item its top comments answer (a missing comment that an
imported item lists in ``kids`` does not split a thread).  Several threads need
``request.thread``: a root's id, or a comment's id to import the answers to it.  The story (or
job/poll) is the opening post.  Deleted (``deleted: true``, or an Algolia item without type, author
and text, which may also be a dead one) and dead (``dead: true``) items are skipped, or kept as
``[deleted]``/``[dead]`` placeholders when imported comments answer them, so those keep their parent.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from digest import body
from digest.errors import SourceError
from digest.model import Engagement, Reply, Thread
from digest.sources import common, jsonshape

DESCRIPTION = "Hacker News thread JSON (Firebase API items, or an Algolia items/ID tree)"

FIX = ("save the items from https://hacker-news.firebaseio.com/v0/item/ID.json as a JSON array "
       "(or one file each), or the tree from https://hn.algolia.com/api/v1/items/ID")
SHAPES = ("accepted: Firebase items (id, type, by, text, parent, kids) from "
          "https://hacker-news.firebaseio.com/v0/item/ID.json, or the Algolia tree (author, text, children) "
          "from https://hn.algolia.com/api/v1/items/ID")
ITEM_URL = "https://news.ycombinator.com/item?id={}"
ALGOLIA_URL = "https://hn.algolia.com/api/v1/items/{}"
ROOT_TYPES = {"story", "job", "poll"}
_TYPE = re.compile(rb'"type"\s*:\s*"(story|comment|job|poll|pollopt)"')
_ALGOLIA_TAG = re.compile(rb'"_tags"\s*:\s*\[[^\]]*"story_\d+"')
_HN_KEYS = (b'"by"', b'"kids"', b'"descendants"', b'"parent"', b'"created_at_i"', b'"story_id"', b'"points"')
_MAX_LISTED = 10
_HNPWA_KEYS = ("user", "content", "comments", "comments_count", "time_ago")
_HNPWA_MARKS = (re.compile(rb'"time_ago"\s*:'), re.compile(rb'"comments"\s*:\s*\['))
# Fields of WordPress REST comments (wp/v2, and WordPress.com's v1.1) that HN items never have.
_WORDPRESS_KEYS = ("author_name", "date_gmt", "author_avatar_urls", "_links", "short_URL", "like_count", "URL")
_WORDPRESS_MARK = re.compile(rb'"(?:author_name|date_gmt|author_avatar_urls|short_URL|like_count|site_ID)"\s*:')
_OWN_KEYS = ("by", "author", "kids", "children", "parent", "parent_id", "parts", "poll")
_PRE_BLOCK = re.compile(r"(<pre\b.*?</pre>)", re.IGNORECASE | re.DOTALL)
_PARAGRAPH_MARK = re.compile(r"</?p\s*>", re.IGNORECASE)
# ">" opening a paragraph (HN escapes it), not ">5" or ">=" (more than, at least); each further
# ">" (">>", "> >") is one more quote level.
_MARK = r"(&gt;(?![\d=])(?:\s*&gt;)*)\s*"
_ITALIC_QUOTE = re.compile(rf"<i>\s*{_MARK}((?:(?!</?i>).)*?)\s*</i>(.*)", re.IGNORECASE | re.DOTALL)
_PLAIN_QUOTE = re.compile(rf"{_MARK}(.*)", re.IGNORECASE | re.DOTALL)


def sniff(doc) -> bool:
    """JSON with an HN item ``type`` (story, comment, ...) next to HN's field names, but not
    WordPress REST comments (which say ``"type": "comment"`` next to ``parent`` too).  An
    Algolia search response (``hits`` tagged ``story_ID``) and HNPWA / node-hnapi items are
    claimed only to be refused with the address of the thread to save."""
    window = jsonshape.sniff_window(getattr(doc, "data", None))
    if window is None or b'"digest_thread"' in window or b'"post_stream"' in window:
        return False
    if b'"hits"' in window and _ALGOLIA_TAG.search(window):
        return True
    if all(mark.search(window) for mark in _HNPWA_MARKS):
        return True
    if _WORDPRESS_MARK.search(window):
        return False
    return _TYPE.search(window) is not None and any(key in window for key in _HN_KEYS)


@dataclass
class _Item:
    """One HN item in a shape common to both APIs."""

    id: str
    type: str | None
    by: str | None
    time: datetime | None
    text: str | None
    title: str | None
    url: str | None
    score: int | None
    descendants: int | None
    kids: list[str] | None  # None: the source does not list them
    parent: str | None  # for a poll option, its poll
    deleted: bool
    dead: bool
    story_id: str | None = None  # Algolia names the thread's story on every item
    parts: list[str] = field(default_factory=list)  # a poll's options, in display order
    order: int = 0  # position in the import, for a stable order of unlisted children
    ranking: int | None = None  # place among its siblings, in dumps without kids (BigQuery's ``ranking``)

    @property
    def gone(self) -> str | None:
        return "deleted" if self.deleted else "dead" if self.dead else None


@dataclass
class _Collected:
    items: dict[str, _Item] = field(default_factory=dict)
    nulls: int = 0  # null entries: the Firebase API answers null for items it does not have
    skipped: list[str] = field(default_factory=list)  # notes on files of a folder that were not read
    broken: bool = False  # a skipped file looked like JSON: an item may be missing

    def add(self, item: _Item) -> None:
        if item.id not in self.items:
            item.order = len(self.items)
            self.items[item.id] = item

    def merge(self, other: "_Collected") -> None:
        for item in other.items.values():
            self.add(item)
        self.nulls += other.nulls
        self.skipped.extend(other.skipped)
        self.broken = self.broken or other.broken


def read(request) -> Thread:
    collected = _gather(request)
    threads = _threads(collected.items)
    root_id = _choose_root(request, collected.items, threads)
    return _build_thread(request, root_id, threads.get(root_id, []), collected)


def _gather(request) -> _Collected:
    """Parse every document; in a folder, a broken or foreign file is skipped with a note."""
    parsed, skipped, broken, first_error = jsonshape.parse_each(request.documents, _collected_from)
    collected = _Collected(skipped=skipped, broken=broken)
    for found in parsed:
        collected.merge(found)
    if not collected.items:
        raise first_error or SourceError("no Hacker News items found", where=request.name, fix=FIX)
    return collected


def _collected_from(doc) -> _Collected:
    found = _Collected()
    lines = _json_lines(doc, found)
    if lines is None:
        _collect(jsonshape.load(doc.data, doc.name, FIX), found)
    for line in lines or []:
        _collect(line, found)
    return found


def _json_lines(doc, found: _Collected) -> list[jsonshape.Node] | None:
    """The items of a JSON-lines file (one item per line, as dumps are exported), or None for a
    file that is one JSON document.  A line that is not JSON is an error naming that line, but
    for the last line of a file cut short: the items before it are imported (noted, partial)."""
    lines = doc.data.splitlines()
    filled = [(number, line) for number, line in enumerate(lines, 1) if line.strip()]
    if len(filled) < 2 or not filled[0][1].removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
        return None
    try:
        first = json.loads(filled[0][1])
    except (ValueError, RecursionError):
        return None  # a document spread over lines ("{" alone on the first)
    if not isinstance(first, dict):
        return None
    *whole, (last_number, last) = filled
    items = [_line_item(doc.name, number, line) for number, line in whole]
    try:
        items.append(_line_item(doc.name, last_number, last))
    except SourceError:
        if doc.data.rstrip(b" \t").endswith((b"\n", b"\r")):
            raise
        found.skipped.append(f"{doc.name}: the file ends inside line {last_number} (cut short); "
                             f"the {len(items)} items before it are imported")
        found.broken = True
    return items


def _line_item(name: str, number: int, line: bytes) -> jsonshape.Node:
    try:
        return jsonshape.Node(json.loads(line), f"line {number}", name, FIX)
    except json.JSONDecodeError as exc:
        raise SourceError(f"not valid JSON in a JSON-lines file: {exc.msg}", where=f"{name} line {number} column {exc.colno}",
                          fix=FIX) from None
    except (ValueError, RecursionError) as exc:
        raise SourceError(f"not valid JSON in a JSON-lines file: {exc}", where=f"{name} line {number}", fix=FIX) from None


# ---------------------------------------------------------------------------- shapes

def _collect(root: jsonshape.Node, collected: _Collected) -> None:
    """Recognise one document's shape and add its items."""
    if root.is_array:
        for node in root.array():
            _collect_item(node, collected)
        return
    if root.is_null:
        collected.nulls += 1
        return
    root.expect_object("an HN item, a list of items, or an object of items keyed by id")
    if root.has("hits") and root["hits"].is_array:
        _refuse_search_response(root)
    _refuse_other_shapes(root)
    if _is_item(root):
        _collect_item(root, collected)
        return
    members = list(root.members())
    if members and all(key.strip().isdigit() and (node.is_object or node.is_null) for key, node in members):
        for _, node in members:
            _collect_item(node, collected)
        return
    root.fail("not a Hacker News item: expected id and type (Firebase) or children (Algolia)", fix=SHAPES)


def _refuse_search_response(root: jsonshape.Node) -> None:
    """A search page is matches, not a thread: name each story's tree to save instead."""
    stories = list(dict.fromkeys(filter(None, (_hit_story(hit) for hit in root["hits"].array()))))
    addresses = [ALGOLIA_URL.format(story) for story in stories] or [ALGOLIA_URL.format("ID")]
    fix = ("save the whole thread from " + addresses[0] if len(addresses) == 1
           else "save each story's thread from its address: " + _listing(addresses))
    root.fail("this is an Algolia search response (hits), which holds a page of matches, not a thread", fix=fix)


def _hit_story(hit: jsonshape.Node) -> str | None:
    """The story a search hit belongs to: a comment's ``story_id``; a story hit has none (null)
    but is the story itself (``objectID``, also its ``story_N`` tag)."""
    if not hit.is_object:
        return None
    tags = [tag.value for tag in hit["_tags"].array() if isinstance(tag.value, str)] if hit["_tags"].is_array else []
    tagged = next((tag[len("story_"):] for tag in tags if re.fullmatch(r"story_\d+", tag)), None)
    own = _plain_id(hit["objectID"].value) if "story" in tags else None
    return _plain_id(hit["story_id"].value) or tagged or own


def _plain_id(value) -> str | None:
    """An item id as a file may hold it (number or digits), or None for anything else."""
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    return text if text.isdigit() else None


def _is_item(node: jsonshape.Node) -> bool:
    item_keys = ("type", "by", "author", "kids", "children", "parent", "deleted")
    return node.has("id") and any(node.has(key) for key in item_keys)


def _collect_item(node: jsonshape.Node, collected: _Collected) -> None:
    if node.is_null:
        collected.nulls += 1
        return
    node.expect_object("an HN item")
    _refuse_other_shapes(node)
    if node.has("children") or node.has("created_at_i") or node.has("story_id"):
        _collect_algolia(node, collected)
    else:
        collected.add(_firebase_item(node))


def _refuse_other_shapes(node: jsonshape.Node) -> None:
    """Unofficial HN APIs and WordPress's REST API reuse ``id``, ``type``, ``time`` and
    ``parent`` with other meanings; reading them as Firebase items would lose the author, the
    text and every comment without a word."""
    wordpress = _wordpress_comment(node)
    if wordpress is not None:
        node.fail(f"this is WordPress REST JSON ({_wordpress_api(wordpress)}), not Hacker News items",
                  fix="import it with --format wp-rest, or leave --format out")
    if any(node.has(key) for key in _HNPWA_KEYS) and not any(node.has(key) for key in _OWN_KEYS):
        item = _plain_id(node["id"].value) or "ID"
        node.fail("this is the HNPWA / node-hnapi item shape (user, content, comments), which this reader does not read",
                  fix=f"save the thread from {ALGOLIA_URL.format(item)} (or its Firebase items from "
                      "https://hacker-news.firebaseio.com/v0/item/ID.json)")


def _wordpress_comment(node: jsonshape.Node) -> jsonshape.Node | None:
    """``node`` if it is a WordPress REST comment, else the first comment of a WordPress.com
    ``{"found": N, "comments": [...]}`` response; None for anything else."""
    listed = node["comments"]
    for candidate in (node, listed[0] if listed.is_array else None):
        if candidate is not None and candidate.has("post") and any(candidate.has(key) for key in _WORDPRESS_KEYS):
            return candidate
    return None


def _wordpress_api(comment: jsonshape.Node) -> str:
    return "WordPress.com REST v1.1 comments" if comment.has("URL") else "comments from /wp-json/wp/v2/comments"


def _firebase_item(node: jsonshape.Node) -> _Item:
    kids = node["kids"]
    kind = node["type"].string()
    return _Item(
        id=node["id"].ident(required=True),
        type=kind,
        by=node["by"].string(),
        time=node["time"].epoch_time(),
        text=node["text"].string(),
        title=node["title"].string(),
        url=node["url"].string(),
        score=node["score"].integer(),
        descendants=node["descendants"].count(),
        kids=[kid.ident(required=True) for kid in kids.array()] if not kids.is_null else None,
        parent=node["parent"].ident() or (node["poll"].ident() if kind == "pollopt" else None),
        deleted=node["deleted"].flag(),
        dead=node["dead"].flag(),
        parts=[part.ident(required=True) for part in node["parts"].array()],
        ranking=node["ranking"].count(),
    )


def _collect_algolia(top: jsonshape.Node, collected: _Collected) -> None:
    """Flatten the nested tree (iteratively: HN threads can be hundreds of levels deep)."""
    stack: list[tuple[jsonshape.Node, str | None]] = [(top, top["parent_id"].ident())]
    while stack:
        node, parent = stack.pop()
        node.expect_object("an HN item")
        children = node["children"].array()
        item_id = node["id"].ident(required=True)
        kind = node["type"].string()
        author, text = node["author"].string(), node["text"].string()
        collected.add(_Item(
            id=item_id,
            type=kind,
            by=author,
            time=node["created_at_i"].epoch_time() or node["created_at"].iso_time(),
            text=text,
            title=node["title"].string(),
            url=node["url"].string(),
            score=node["points"].integer(),
            descendants=None,
            kids=[child["id"].ident(required=True) for child in children],
            parent=node["parent_id"].ident() or parent,
            deleted=node["deleted"].flag() or _algolia_deleted(kind, author, text),
            dead=node["dead"].flag(),
            story_id=node["story_id"].ident(),
        ))
        for option in node["options"].array():
            collected.add(_algolia_option(option, item_id))
        stack.extend((child, item_id) for child in reversed(children))


def _algolia_deleted(kind: str | None, author: str | None, text: str | None) -> bool:
    """Algolia serializes a deleted or dead item as its ``id`` and ``children`` alone, so the two
    cannot be told apart: both count as deleted (as do comments stored without author and text)."""
    return kind in (None, "comment") and author is None and text is None


def _algolia_option(node: jsonshape.Node, poll_id: str) -> _Item:
    """Algolia lists a poll's options in ``options`` (text and points only, never in
    ``children``), leaving out deleted and dead ones."""
    node.expect_object("a poll option")
    return _Item(
        id=node["id"].ident(required=True),
        type="pollopt",
        by=None,
        time=node["created_at_i"].epoch_time(),
        text=node["text"].string(),
        title=None,
        url=None,
        score=node["points"].integer(),
        descendants=None,
        kids=[],
        parent=poll_id,
        deleted=False,
        dead=False,
        story_id=node["story_id"].ident(),
    )


# ---------------------------------------------------------------------------- threads

def _threads(items: dict[str, _Item]) -> dict[str, list[_Item]]:
    """The import's items grouped by thread root, in import order (see the module docstring)."""
    roots = _join_gaps(_chain_roots(items), items)
    threads: dict[str, list[_Item]] = {}
    for item in items.values():
        threads.setdefault(roots[item.id], []).append(item)
    return threads


def _chain_roots(items: dict[str, _Item]) -> dict[str, str]:
    """Each item's root: the top of its parent chain if that is a story (or has no parent), else
    the missing item the top answers; a chain that loops is rooted at its first imported item.
    Memoized, and iterative: HN threads can be hundreds of levels deep."""
    roots: dict[str, str] = {}
    for start in items.values():
        path: list[str] = []
        on_path: set[str] = set()
        item = start
        while item.id not in roots:
            if item.id in on_path:
                root = min(path[path.index(item.id):], key=lambda i: items[i].order)
                break
            path.append(item.id)
            on_path.add(item.id)
            if item.parent is None or item.type in ROOT_TYPES:
                root = item.id
                break
            if item.parent not in items:
                root = item.parent
                break
            item = items[item.parent]
        else:
            root = roots[item.id]
        roots.update((i, root) for i in path)
    return roots


def _join_gaps(roots: dict[str, str], items: dict[str, _Item]) -> dict[str, str]:
    """A missing root that an imported item lists in ``kids`` belongs to that item's thread."""
    listed_by = {kid: item.id for item in items.values() for kid in item.kids or [] if kid not in items}
    joined: dict[str, str] = {}
    for root in set(roots.values()):
        final, seen = root, {root}
        while final in listed_by and roots[listed_by[final]] not in seen:
            final = roots[listed_by[final]]
            seen.add(final)
        joined[root] = final
    return {item_id: joined[root] for item_id, root in roots.items()}


def _choose_root(request, items: dict[str, _Item], threads: dict[str, list[_Item]]) -> str:
    """The item to import from: request.thread, else the only thread's root."""
    wanted = _wanted_id(request.thread)
    candidates = [root for root, group in threads.items() if root in items or any(not i.gone for i in group)]
    candidates.sort(key=lambda root: root not in items)  # the stories first, then stories' missing roots
    if wanted:
        if wanted in items or any(item.parent == wanted for item in items.values()):
            return wanted
        raise SourceError(
            f"no item {wanted} in this source; its threads are {_described(candidates, threads, items)}",
            where=request.name,
            fix="pass --thread with one of the ids listed",
        )
    if len(candidates) > 1:
        raise SourceError(
            f"the items belong to {len(candidates)} threads: {_described(candidates, threads, items)}",
            where=request.name,
            fix="choose one with --thread ID (a story, or a comment to import the answers to it)",
        )
    return candidates[0] if candidates else next(iter(threads))


def _described(roots: list[str], threads: dict[str, list[_Item]], items: dict[str, _Item]) -> str:
    def describe(root: str) -> str:
        comments = sum(1 for i in threads[root] if i.id != root and i.type != "pollopt")
        kind = (items[root].type or "item") if root in items else "not in the import"
        return f"{root} ({kind}, {comments} comments)"

    return _listing([describe(root) for root in roots])


def _wanted_id(selector: str | None) -> str | None:
    if not selector or not selector.strip():
        return None
    match = re.search(r"id=(\d+)", selector)
    return match.group(1) if match else selector.strip()


# ---------------------------------------------------------------------------- the thread

def _build_thread(request, root_id: str, thread_items: list[_Item], collected: _Collected) -> Thread:
    items = collected.items
    story = items.get(root_id)
    members, orphans = _members(root_id, thread_items, items)
    is_story = story is not None and (story.type in ROOT_TYPES or (story.type is None and story.parent is None))
    known_story = next((i.story_id for i in [story, *members] if i and i.story_id), None)
    thread_id = root_id if is_story else known_story or root_id
    notes = [*collected.skipped]
    if collected.nulls:
        notes.append(f"skipped {collected.nulls} null entries (items the API did not return)")
    if story is None:
        notes.append(_absent_root_note(thread_id, members))
    elif not is_story:
        notes.append(f"the import starts at comment {root_id}, not at its story; that comment is the opening post")
    left_out = len(items) - len(members) - (story is not None)
    if left_out:
        notes.append(f"left out {left_out} items of the source that are not part of thread {root_id}")
    if orphans:
        notes.append(f"{len(orphans)} comments answer items not in the import (shown as answering the story)")
    missing = _missing_kids(story, members, items)
    if missing:
        listed = common.counted(len(missing), "comment listed in 'kids' is", "comments listed in 'kids' are")
        notes.append(f"{listed} not in the import: {_listing(missing)}")
    uncounted = _short_of_descendants(story, members) if is_story and not missing else None
    if uncounted:
        notes.append(uncounted)
    not_shown = _not_shown(members)
    held = Counter(m.parent for m in members if m.type != "pollopt" and m.id not in not_shown)
    replies, gone_notes = _replies(root_id, members, orphans, held, not_shown)
    notes.extend(gone_notes)
    options, missing_options = _poll_options(story, members, items)
    notes.extend(_poll_notes(story, options, missing_options))
    authors = common.AuthorNames({r.author for r in replies} | ({story.by} if story and story.by else set()))
    replies = [replace(r, mentions=common.find_mentions(body.prose_words(r.body), authors)) for r in replies]
    return Thread(
        id=thread_id,
        title=story.title if story else None,
        url=ITEM_URL.format(thread_id),
        replies=tuple(common.order_by_parents(replies)),
        source_format="hackernews",
        retrieved_at=request.retrieved_at,
        partial=bool(missing or uncounted or orphans or missing_options or collected.broken or not is_story),
        total_replies=story.descendants if story else None,
        author=story.by if story and not story.gone else None,
        opening_post=_opening_post(story, options, authors, _answers(story, held, not_shown)) if story else None,
        import_notes=tuple(notes),
    )


def _short_of_descendants(story: _Item | None, members: list[_Item]) -> str | None:
    """The story's ``descendants`` (its comment count) against the comments the file holds,
    deleted and dead ones included: a dump without ``kids`` (BigQuery's) says no other way
    that comments are missing."""
    held = sum(1 for m in members if m.type != "pollopt")
    if story is None or story.descendants is None or story.descendants <= held:
        return None
    return f"the story counts {story.descendants} comments; the file holds {held} (deleted and dead ones included)"


def _absent_root_note(thread_id: str, members: list[_Item]) -> str:
    """Names what the import holds of a thread whose root it lacks: comments, poll options or both."""
    options = sum(1 for m in members if m.type == "pollopt")
    if not options:
        return f"the story (item {thread_id}) is not in the import, only comments on it"
    held = "options" if options == len(members) else "options and comments on it"
    return f"the poll (item {thread_id}) is not in the import, only its {held}"


def _members(root_id: str, thread_items: list[_Item], items: dict[str, _Item]) -> tuple[list[_Item], set[str]]:
    """The root's descendants in display order (kids order, then unlisted children by position),
    and, when the root is its thread's root, the thread's stray comments (whose parent is missing)."""
    children: dict[str, list[_Item]] = {}
    for item in items.values():
        if item.parent is not None and item.id != root_id:
            children.setdefault(item.parent, []).append(item)
    ordered: list[_Item] = []
    seen = {root_id}

    def walk(tops: list[_Item]) -> None:
        stack = list(reversed(tops))
        while stack:
            item = stack.pop()
            if item.id not in seen:
                seen.add(item.id)
                ordered.append(item)
                stack.extend(reversed(_children_in_order(item, item.id, children, items)))

    walk(_children_in_order(items.get(root_id), root_id, children, items))
    orphans: set[str] = set()
    strays = sorted((i for i in thread_items if i.id not in seen), key=lambda i: (i.parent in items, i.order))
    for item in strays:  # tops (parent absent) first, so their subtrees keep their structure
        if item.id not in seen:
            orphans.add(item.id)
            walk([item])
    return ordered, orphans


def _children_in_order(item: _Item | None, item_id: str, children: dict[str, list[_Item]], items) -> list[_Item]:
    """An item's children as HN shows them: in ``kids`` order, then those ``kids`` does not list
    (dumps without kids) by their ``ranking`` where the dump has one, else by position."""
    listed = [items[k] for k in (item.kids or []) if k in items] if item else []
    listed_ids = {i.id for i in listed}
    rest = sorted((c for c in children.get(item_id, []) if c.id not in listed_ids),
                  key=lambda i: (i.ranking is None, i.ranking or 0, i.order))
    return listed + rest


def _missing_kids(story: _Item | None, members: list[_Item], items: dict[str, _Item]) -> list[str]:
    """Kids some imported item lists that the import does not hold (deleted ones excepted)."""
    missing = []
    for item in ([story] if story else []) + members:
        if item.deleted or item.dead:
            continue
        missing.extend(kid for kid in item.kids or [] if kid not in items)
    return missing


def _not_shown(members: list[_Item]) -> set[str]:
    """Deleted and dead comments nobody in the import answers: HN's page does not show them,
    so neither does the import (those with answers stay as placeholders)."""
    has_answers = {m.parent for m in members}
    return {m.id for m in members if m.gone and m.type != "pollopt" and m.id not in has_answers}


def _answers(item: _Item, held: Counter[str], not_shown: set[str]) -> int:
    """Direct answers a reader is shown: those ``kids`` lists, else (dumps such as BigQuery's,
    which list none) those the import holds (``held``: item id -> answers in the import), less
    the deleted and dead ones left out.  A kid the file lacks still counts: HN lists it."""
    if item.kids is None:
        return held[item.id]
    return sum(1 for kid in item.kids if kid not in not_shown)


def _replies(root_id: str, members: list[_Item], orphans: set[str], held: Counter[str],
             not_shown: set[str]) -> tuple[list[Reply], list[str]]:
    """Comments as replies; deleted/dead ones only as placeholders for imported answers."""
    replies: list[Reply] = []
    placeholders = {"deleted": 0, "dead": 0}
    skipped = {"deleted": 0, "dead": 0}
    kept_ids: set[str] = set()
    for item in members:
        if item.type == "pollopt":
            continue
        gone = item.gone
        if item.id in not_shown:
            skipped[gone] += 1
            continue
        parent = None if item.id in orphans or item.parent == root_id else item.parent
        if parent is not None and parent not in kept_ids:
            parent = None
        if gone:
            placeholders[gone] += 1
        replies.append(_reply(item, parent, gone, _answers(item, held, not_shown)))
        kept_ids.add(item.id)
    notes = []
    for gone in ("deleted", "dead"):
        if skipped[gone] or placeholders[gone]:
            notes.append(f"{common.counted(skipped[gone] + placeholders[gone], gone + ' comment')}: {skipped[gone]} skipped, "
                         f"{placeholders[gone]} kept as '[{gone}]' placeholders because they have replies")
    return replies, notes


def _reply(item: _Item, parent: str | None, gone: str | None, answers: int) -> Reply:
    return Reply(
        id=item.id,
        author=f"[{gone}]" if gone else (item.by or "[unknown]"),
        body=f"<p>[{gone}]</p>" if gone else body.from_html(_paragraphs(item.text)),
        permalink=ITEM_URL.format(item.id),
        posted_at=item.time,
        parent_id=parent,
        engagement=Engagement(replies=answers),
    )


def _poll_options(story: _Item | None, members: list[_Item], items: dict[str, _Item]) -> tuple[list[_Item], list[str]]:
    """The poll's options in the order of its ``parts``, and the parts the import lacks."""
    options = [m for m in members if m.type == "pollopt"]
    parts = story.parts if story else []
    rank = {part: index for index, part in enumerate(parts)}
    options.sort(key=lambda o: (rank.get(o.id, len(parts)), o.order))
    return options, [part for part in parts if part not in items]


def _poll_notes(story: _Item | None, options: list[_Item], missing: list[str]) -> list[str]:
    notes = []
    if options:
        notes.append(f"{len(options)} poll options are listed in the opening post, not as replies" if story
                     else f"skipped {len(options)} poll options: their poll is not in the import")
    if missing:
        notes.append(f"{len(missing)} poll options listed in 'parts' are not in the import: {_listing(missing)}")
    return notes


def _opening_post(story: _Item, options: list[_Item], authors: common.AuthorNames, answers: int) -> Reply:
    gone = story.gone
    parts = []
    if story.url and story.url.startswith(("http://", "https://")) and not gone:
        parts.append(f'<p><a href="{html.escape(story.url)}">{html.escape(story.url)}</a></p>')
    if story.text and not gone:
        parts.append(_paragraphs(story.text))
    if options:
        parts.append("<ul>" + "".join(
            f"<li>{html.escape(body.plain_words(body.from_html(o.text or '')))}"
            + (f" ({o.score} points)" if o.score is not None else "") + "</li>" for o in options) + "</ul>")
    text = body.from_html("".join(parts)) if parts else (f"<p>[{gone}]</p>" if gone else "")
    return Reply(
        id=story.id,
        author=f"[{gone}]" if gone else (story.by or "[unknown]"),
        body=text,
        permalink=ITEM_URL.format(story.id),
        posted_at=story.time,
        mentions=common.find_mentions(body.prose_words(text), authors),
        engagement=Engagement(score=story.score, replies=answers),
        title=story.title,
    )


def _paragraphs(text: str | None) -> str:
    """HN's HTML as explicit paragraphs.  HN starts each paragraph after the first with a bare
    ``<p>`` and puts ``<pre>`` blocks between them, so ``text<p><pre>`` would leave an empty
    paragraph and the newline after ``</pre>`` would start the next one; whitespace outside
    ``<pre>`` is collapsed as HN's page shows it.  Quote paragraphs (``> text``) are gathered
    into blockquotes, nested as deep as their ``>`` marks go, so excerpts and relevance read the
    writer's own words."""
    blocks: list[tuple[int, str]] = []  # (quote depth, markup)
    for index, chunk in enumerate(_PRE_BLOCK.split(text or "")):
        if index % 2:
            blocks.append((0, chunk))
            continue
        for paragraph in _PARAGRAPH_MARK.split(chunk):
            blocks.extend(_quote_and_rest(" ".join(paragraph.split())))
    return _nest_quotes(blocks)


def _nest_quotes(blocks: list[tuple[int, str]]) -> str:
    """Blocks with their quote depth as markup: a blockquote opens for each level a block goes
    deeper and closes for each level it comes back, so ``>> a``, ``> b``, ``c`` nest a in b."""
    pieces: list[str] = []
    depth = 0
    for level, markup in blocks:
        pieces.append("<blockquote>" * (level - depth) if level > depth else "</blockquote>" * (depth - level))
        pieces.append(markup)
        depth = level
    pieces.append("</blockquote>" * depth)
    return "".join(pieces)


def _quote_and_rest(paragraph: str) -> list[tuple[int, str]]:
    """A paragraph as (quote depth, markup) blocks: ``> text`` is a quote (``>> text`` a quote
    of a quote), and so is ``<i>> text</i>``, after which the paragraph's own words (if any)
    are the writer's."""
    if not paragraph:
        return []
    italic = _ITALIC_QUOTE.match(paragraph)
    if italic and italic.group(2):
        rest = italic.group(3).strip()
        return [(_depth(italic.group(1)), f"<p>{italic.group(2)}</p>")] + ([(0, f"<p>{rest}</p>")] if rest else [])
    plain = _PLAIN_QUOTE.match(paragraph)
    if plain and plain.group(2):
        return [(_depth(plain.group(1)), f"<p>{plain.group(2)}</p>")]
    return [(0, f"<p>{paragraph}</p>")]


def _depth(marks: str) -> int:
    """How many quote levels a run of ``&gt;`` marks opens."""
    return marks.count("&gt;")


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    return shown + (f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")
