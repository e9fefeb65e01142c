"""Hacker News threads, from the official Firebase API or the Algolia HN API.

Accepted shapes:

- Firebase items (``https://hacker-news.firebaseio.com/v0/item/{id}.json``): flat objects
  with ``id``, ``type``, ``by``, ``time``, ``text``, ``parent`` and ``kids`` (child ids in
  display order).  A thread is many items, given as a JSON array of items, an object keyed
  by item id (``{"8863": {...}, ...}``), or a folder with one item (or one such array) per file.
  Kids that are not in the import are counted in the notes and make the thread partial.
- Algolia (``https://hn.algolia.com/api/v1/items/{id}``): one nested item whose
  ``children`` hold the comment tree, with ``author``, ``created_at_i``, ``points`` and HTML ``text``.

The story (or job/poll) is the opening post; with several stories ``request.thread`` picks
one by id.  Deleted (``deleted: true``, or an Algolia comment without author and text) and
dead (``dead: true``) items are skipped, or kept as ``[deleted]``/``[dead]`` placeholders when
imported comments answer them, so those keep their parent.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from digest import body
from digest.errors import SourceError
from digest.model import Engagement, Reply, Thread
from digest.sources import common, jsonshape

DESCRIPTION = "Hacker News thread JSON (Firebase API items, or an Algolia items/ID tree)"

FIX = ("save the items from https://hacker-news.firebaseio.com/v0/item/ID.json as a JSON array "
       "(or one file each), or the tree from https://hn.algolia.com/api/v1/items/ID")
ITEM_URL = "https://news.ycombinator.com/item?id={}"
ROOT_TYPES = {"story", "job", "poll"}
_TYPE = re.compile(rb'"type"\s*:\s*"(story|comment|job|poll|pollopt)"')
_HN_KEYS = (b'"by"', b'"kids"', b'"descendants"', b'"parent"', b'"created_at_i"', b'"story_id"', b'"points"')
_MAX_LISTED = 10


def sniff(doc) -> bool:
    """JSON with an HN item ``type`` (story, comment, ...) next to HN's field names."""
    window = jsonshape.sniff_window(getattr(doc, "data", None))
    if window is None or b'"digest_thread"' in window or b'"post_stream"' in window:
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
    parent: str | None
    deleted: bool
    dead: bool
    order: int  # position in the import, for a stable order of unlisted children
    story_id: str | None = None  # Algolia names the thread's story on every item


@dataclass
class _Collected:
    items: dict[str, _Item] = field(default_factory=dict)
    nulls: int = 0  # null entries: the Firebase API answers null for items it does not have

    def add(self, item: _Item) -> None:
        self.items.setdefault(item.id, item)


def read(request) -> Thread:
    collected = _Collected()
    for doc in request.documents:
        _collect(jsonshape.load(doc.data, doc.name, FIX), collected)
    if not collected.items:
        raise SourceError("no Hacker News items found", where=request.name, fix=FIX)
    root_id = _choose_root(request, collected.items)
    return _build_thread(request, root_id, collected)


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
    if _is_item(root):
        _collect_item(root, collected)
        return
    members = list(root.members())
    if members and all(key.strip().isdigit() and (node.is_object or node.is_null) for key, node in members):
        for _, node in members:
            _collect_item(node, collected)
        return
    root.fail("not a Hacker News item: expected id and type (Firebase) or children (Algolia)")


def _is_item(node: jsonshape.Node) -> bool:
    item_keys = ("type", "by", "author", "kids", "children", "parent", "deleted")
    return node.has("id") and any(node.has(key) for key in item_keys)


def _collect_item(node: jsonshape.Node, collected: _Collected) -> None:
    if node.is_null:
        collected.nulls += 1
        return
    node.expect_object("an HN item")
    if node.has("children") or node.has("created_at_i") or node.has("story_id"):
        _collect_algolia(node, collected)
    else:
        collected.add(_firebase_item(node, len(collected.items)))


def _firebase_item(node: jsonshape.Node, order: int) -> _Item:
    kids = node["kids"]
    return _Item(
        id=node["id"].ident(required=True),
        type=node["type"].string(),
        by=node["by"].string(),
        time=node["time"].epoch_time(),
        text=node["text"].string(),
        title=node["title"].string(),
        url=node["url"].string(),
        score=node["score"].integer(),
        descendants=node["descendants"].integer(),
        kids=[kid.ident(required=True) for kid in kids.array()] if not kids.is_null else [],
        parent=node["parent"].ident(),
        deleted=node["deleted"].flag(),
        dead=node["dead"].flag(),
        order=order,
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
            deleted=node["deleted"].flag() or (kind == "comment" and author is None and text is None),
            dead=node["dead"].flag(),
            order=len(collected.items),
            story_id=node["story_id"].ident(),
        ))
        stack.extend((child, item_id) for child in reversed(children))


# ---------------------------------------------------------------------------- the thread

def _choose_root(request, items: dict[str, _Item]) -> str:
    """The story to import: request.thread, else the only story, else the common parent."""
    wanted = _wanted_id(request.thread)
    stories = [item.id for item in items.values() if item.type in ROOT_TYPES]
    if wanted:
        if wanted in items or not stories:
            return wanted
        raise SourceError(
            f"no item {wanted} in this source; its stories are {', '.join(stories)}",
            where=request.name,
            fix="pass --thread with one of the story ids listed",
        )
    if len(stories) == 1:
        return stories[0]
    if len(stories) > 1:
        raise SourceError(
            f"the source holds {len(stories)} stories: {', '.join(stories[:_MAX_LISTED])}",
            where=request.name,
            fix="choose one with --thread STORY_ID",
        )
    tops = [item for item in items.values() if item.parent not in items]
    parents = {item.parent for item in tops}
    if len(parents) == 1 and None not in parents:
        return parents.pop()  # the story itself is missing; its comments are here
    return min(tops or items.values(), key=lambda item: item.order).id  # no top at all: parent links loop


def _wanted_id(selector: str | None) -> str | None:
    if not selector or not selector.strip():
        return None
    match = re.search(r"id=(\d+)", selector)
    return match.group(1) if match else selector.strip()


def _build_thread(request, root_id: str, collected: _Collected) -> Thread:
    items = collected.items
    story = items.get(root_id)
    members, orphans = _members(root_id, items)
    is_story = story is not None and (story.type in ROOT_TYPES or (story.type is None and story.parent is None))
    known_story = next((i.story_id for i in [story, *members] if i and i.story_id), None)
    thread_id = root_id if is_story else known_story or root_id
    notes: list[str] = []
    if collected.nulls:
        notes.append(f"skipped {collected.nulls} null entries (items the API did not return)")
    if story is None:
        notes.append(f"the story (item {thread_id}) is not in the import, only comments on it")
    elif not is_story:
        notes.append(f"the import starts at comment {root_id}, not at its story; that comment is the opening post")
    if orphans:
        notes.append(f"{len(orphans)} comments answer items not in the import (shown as answering the story)")
    missing = _missing_kids(story, members, items)
    if missing:
        notes.append(f"{len(missing)} comments listed in 'kids' are not in the import: {_listing(missing)}")
    replies, gone_notes = _replies(root_id, members, orphans)
    notes.extend(gone_notes)
    options = [m for m in members if m.type == "pollopt"]
    if options:
        notes.append(f"{len(options)} poll options are listed in the opening post, not as replies")
    authors = {r.author for r in replies} | ({story.by} if story and story.by else set())
    replies = [replace(r, mentions=common.find_mentions(body.plain_words(r.body), authors)) for r in replies]
    return Thread(
        id=thread_id,
        title=story.title if story else None,
        url=ITEM_URL.format(thread_id),
        replies=tuple(common.order_by_parents(replies)),
        source_format="hackernews",
        retrieved_at=request.retrieved_at,
        partial=bool(missing or orphans or not is_story),
        total_replies=story.descendants if story else None,
        author=story.by if story and not (story.deleted or story.dead) else None,
        opening_post=_opening_post(story, options, authors) if story else None,
        import_notes=tuple(notes),
    )


def _members(root_id: str, items: dict[str, _Item]) -> tuple[list[_Item], set[str]]:
    """The story's descendants in display order (kids order, then unlisted children by position),
    and, when the import holds a single thread, its stray comments (whose parent is missing)."""
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
    if any(i.type in ROOT_TYPES and i.id != root_id for i in items.values()):
        return ordered, orphans  # other stories' comments belong to them
    strays = sorted((i for i in items.values() if i.id not in seen), key=lambda i: (i.parent in items, i.order))
    for item in strays:  # tops (parent absent) first, so their subtrees keep their structure
        if item.id not in seen:
            orphans.add(item.id)
            walk([item])
    return ordered, orphans


def _children_in_order(item: _Item | None, item_id: str, children: dict[str, list[_Item]], items) -> list[_Item]:
    listed = [items[k] for k in (item.kids or []) if k in items] if item else []
    listed_ids = {i.id for i in listed}
    rest = sorted((c for c in children.get(item_id, []) if c.id not in listed_ids), key=lambda i: i.order)
    return listed + rest


def _missing_kids(story: _Item | None, members: list[_Item], items: dict[str, _Item]) -> list[str]:
    """Kids some imported item lists that the import does not hold (deleted ones excepted)."""
    missing = []
    for item in ([story] if story else []) + members:
        if item.deleted or item.dead:
            continue
        missing.extend(kid for kid in item.kids or [] if kid not in items)
    return missing


def _replies(root_id: str, members: list[_Item], orphans: set[str]) -> tuple[list[Reply], list[str]]:
    """Comments as replies; deleted/dead ones only as placeholders for imported answers."""
    has_answers = {m.parent for m in members}
    replies: list[Reply] = []
    placeholders = {"deleted": 0, "dead": 0}
    skipped = {"deleted": 0, "dead": 0}
    kept_ids: set[str] = set()
    for item in members:
        if item.type == "pollopt":
            continue
        gone = "deleted" if item.deleted else "dead" if item.dead else None
        if gone and item.id not in has_answers:
            skipped[gone] += 1
            continue
        parent = None if item.id in orphans or item.parent == root_id else item.parent
        if parent is not None and parent not in kept_ids:
            parent = None
        if gone:
            placeholders[gone] += 1
        replies.append(_reply(item, parent, gone))
        kept_ids.add(item.id)
    notes = []
    for gone in ("deleted", "dead"):
        if skipped[gone] or placeholders[gone]:
            notes.append(f"{skipped[gone] + placeholders[gone]} {gone} comments: {skipped[gone]} skipped, "
                         f"{placeholders[gone]} kept as '[{gone}]' placeholders because they have replies")
    return replies, notes


def _reply(item: _Item, parent: str | None, gone: str | None) -> Reply:
    return Reply(
        id=item.id,
        author=f"[{gone}]" if gone else (item.by or "[unknown]"),
        body=f"<p>[{gone}]</p>" if gone else (body.from_html(item.text) if item.text else ""),
        permalink=ITEM_URL.format(item.id),
        posted_at=item.time,
        parent_id=parent,
        engagement=Engagement(replies=len(item.kids) if item.kids is not None else None),
    )


def _opening_post(story: _Item, options: list[_Item], authors: set[str]) -> Reply:
    gone = "deleted" if story.deleted else "dead" if story.dead else None
    parts = []
    if story.url and story.url.startswith(("http://", "https://")) and not gone:
        parts.append(f'<p><a href="{html.escape(story.url)}">{html.escape(story.url)}</a></p>')
    if story.text and not gone:
        parts.append(story.text)
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
        mentions=common.find_mentions(body.plain_words(text), authors),
        engagement=Engagement(score=story.score, replies=len(story.kids) if story.kids is not None else None),
        title=story.title,
    )


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    return shown + (f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")
