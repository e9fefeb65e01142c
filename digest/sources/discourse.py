"""Discourse forum JSON: a topic, single posts, or a folder of per-post files.

Accepted shapes (Discourse's public JSON API, append ``.json`` to a forum URL):

- a topic, ``/t/{slug}/{id}.json`` or ``/t/{id}/posts.json``: ``post_stream.posts`` holds the
  first chunk of posts (20 by default) and ``post_stream.stream`` the ids of all of them, so
  ids not included are reported as missing; ``posts_count`` gives ``total_replies``;
- a single post, ``/posts/{id}.json``, and the list of recent posts ``/posts.json``;
- a folder holding any mix of those, typically one ``/posts/{id}.json`` per file as saved by
  archivers: posts are merged by id, grouped by ``topic_id`` and ordered by ``post_number``.
  When the posts belong to several topics, ``request.thread`` picks one by topic id or slug.

Post number 1 is the opening post.  ``reply_to_post_number`` names the parent by number
(null or 1: the reply answers the topic).  Likes are the ``actions_summary`` entry with id 2.
Bodies come from ``cooked`` HTML (quote asides become blockquotes that keep "X said:"), else
from the ``raw`` markdown read as plain text.  Small-action posts ("closed the topic") are
skipped; deleted posts are kept as placeholders only when other posts answer them.

Permalinks need the forum's address, which the JSON does not carry.  It is taken from a
source named by URL, from an absolute ``post_url``, or from the ``/user_avatar/<host>/`` path
Discourse writes into avatar templates (https assumed, said in the import notes).  Without
any of these, ``Thread.url`` and every ``permalink`` stay None.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from digest import body
from digest.errors import SourceError
from digest.model import Engagement, Reply, Thread
from digest.sources import common, jsonshape

DESCRIPTION = "Discourse topic or post JSON (/t/ID.json, /posts/ID.json, or a folder of post files)"

FIX = "save the topic again from https://FORUM/t/TOPIC_ID.json (or each post from /posts/POST_ID.json)"

LIKE_ACTION_ID = 2  # PostActionType "like" in actions_summary
SMALL_ACTION_POST_TYPE = 3  # "closed the topic", "pinned" ... notices, not replies
_POST_KEYS = (b'"post_number"', b'"topic_id"', b'"topic_slug"', b'"reply_to_post_number"', b'"actions_summary"',
              b'"avatar_template"', b'"cooked"')
_AVATAR_HOST = re.compile(r"^/user_avatar/([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/")
_MAX_LISTED = 10


def sniff(doc) -> bool:
    """A JSON object with Discourse's post/topic keys (checked in the first and last few KB)."""
    window = jsonshape.sniff_window(getattr(doc, "data", None))
    if window is None or b'"digest_thread"' in window:
        return False
    if any(key in window for key in (b'"post_stream"', b'"latest_posts"', b'"topic_list"')):
        return True
    return sum(key in window for key in _POST_KEYS) >= 3


@dataclass
class _Post:
    """The fields of one post this reader uses, read with their JSON paths checked."""

    id: str | None
    number: int | None
    topic_id: str | None
    topic_slug: str | None
    topic_title: str | None
    username: str
    created_at: str | None
    created: datetime | None
    cooked: str | None
    raw: str | None
    reply_to: int | None
    reply_count: int | None
    reads: int | None
    likes: int | None
    post_url: str | None
    post_type: int | None
    deleted: bool
    avatar_template: str | None

    @property
    def key(self) -> str:
        return self.id or f"{self.topic_id}#{self.number}"


@dataclass
class _Topic:
    id: str | None
    slug: str | None
    title: str | None
    posts_count: int | None
    created_by: str | None
    stream: list[str] = field(default_factory=list)
    included: list[str] = field(default_factory=list)


@dataclass
class _Gathered:
    posts: dict[str, _Post] = field(default_factory=dict)
    topics: list[_Topic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    partial: bool = False


def read(request) -> Thread:
    gathered = _gather(request)
    topic_id, posts = _choose_topic(request, gathered.posts.values())
    topic = _merge_topics([t for t in gathered.topics if t.id in (topic_id, None)])
    return _build_thread(request, topic_id, posts, topic, gathered)


# ---------------------------------------------------------------------------- documents

def _gather(request) -> _Gathered:
    """Parse every document; in a folder, a broken or foreign file is skipped with a note."""
    documents = request.documents
    gathered = _Gathered()
    errors: list[SourceError] = []
    for doc in documents:
        try:
            posts, topic = _parse_document(doc)
        except SourceError as exc:
            if len(documents) == 1:
                raise
            errors.append(exc)
            looks_json = jsonshape.sniff_window(doc.data) is not None
            gathered.partial = gathered.partial or looks_json
            gathered.notes.append(f"skipped {exc.where or doc.name}: {exc.message}")
            continue
        if topic is not None:
            gathered.topics.append(topic)
        for post in posts:
            gathered.posts.setdefault(post.key, post)
    if not gathered.posts:
        if errors:
            raise errors[0]
        raise SourceError("no Discourse posts found", where=request.name, fix=FIX)
    return gathered


def _parse_document(doc) -> tuple[list[_Post], _Topic | None]:
    root = jsonshape.load(doc.data, doc.name, FIX)
    if root.is_array:
        return [_parse_post(node, None) for node in root.array()], None
    root.expect_object("a Discourse topic or post object")
    if root.has("topic_list"):
        root["topic_list"].fail(
            "this is a list of topics, not a topic",
            fix="save one topic from https://FORUM/t/TOPIC_ID.json and import that",
        )
    if root.has("post_stream"):
        return _parse_topic(root)
    if root.has("latest_posts"):
        return [_parse_post(node, None) for node in root["latest_posts"].array()], None
    if root.has("post_number") or (root.has("topic_id") and (root.has("cooked") or root.has("raw"))):
        return [_parse_post(root, None)], None
    root.fail("not a Discourse topic or post: expected post_stream, latest_posts or a post with post_number")


def _parse_topic(root: jsonshape.Node) -> tuple[list[_Post], _Topic]:
    stream = root["post_stream"].expect_object()
    topic = _Topic(
        id=root["id"].ident(),
        slug=root["slug"].string(),
        title=root["title"].string() or _unescape(root["fancy_title"].string()),
        posts_count=root["posts_count"].integer(),
        created_by=_created_by(root),
        stream=[node.ident(required=True) for node in stream["stream"].array()],
    )
    posts = [_parse_post(node, topic) for node in stream["posts"].array()]
    topic.included = [post.key for post in posts]
    return posts, topic


def _created_by(root: jsonshape.Node) -> str | None:
    details = root["details"]
    if not details.is_object or not details["created_by"].is_object:
        return None
    return details["created_by"]["username"].string()


def _parse_post(node: jsonshape.Node, topic: _Topic | None) -> _Post:
    node.expect_object("a post object")
    return _Post(
        id=node["id"].ident(),
        number=node["post_number"].integer(),
        topic_id=node["topic_id"].ident() or (topic.id if topic else None),
        topic_slug=node["topic_slug"].string() or (topic.slug if topic else None),
        topic_title=node["topic_title"].string() or (topic.title if topic else None),
        username=node["username"].string() or node["name"].string() or "unknown",
        created_at=node["created_at"].string(),
        created=node["created_at"].iso_time(),
        cooked=node["cooked"].string(),
        raw=node["raw"].string(),
        reply_to=node["reply_to_post_number"].integer(),
        reply_count=node["reply_count"].integer(),
        reads=node["reads"].integer(),
        likes=_likes(node),
        post_url=node["post_url"].string(),
        post_type=node["post_type"].integer(),
        deleted=node.has("deleted_at") or node["user_deleted"].flag(),
        avatar_template=node["avatar_template"].string(),
    )


def _likes(node: jsonshape.Node) -> int | None:
    """The like count: actions_summary id 2 (absent entry = no likes), else a like_count field."""
    summary = node["actions_summary"]
    if summary.is_null:
        return node["like_count"].integer()
    for entry in summary.array():
        if entry.is_object and entry["id"].integer() == LIKE_ACTION_ID:
            return entry["count"].integer() or 0
    return node["like_count"].integer() or 0


def _unescape(text: str | None) -> str | None:
    return html.unescape(text) if text else text


# ---------------------------------------------------------------------------- topic choice

def _choose_topic(request, posts) -> tuple[str | None, list[_Post]]:
    """Group posts by topic; several topics need request.thread (topic id or slug)."""
    groups: dict[str | None, list[_Post]] = {}
    for post in posts:
        groups.setdefault(post.topic_id, []).append(post)
    if None in groups and len(groups) == 2:  # posts without topic_id belong to the only topic
        orphans = groups.pop(None)
        next(iter(groups.values())).extend(orphans)
    wanted = (request.thread or "").strip()
    if wanted:
        for topic_id, members in groups.items():
            if wanted == topic_id or wanted.lower() in {(p.topic_slug or "").lower() for p in members}:
                return topic_id, members
        raise SourceError(
            f"no topic {wanted!r} in this source; it holds {_topic_list(groups)}",
            where=request.name,
            fix="pass --thread with one of the topic ids or slugs listed",
        )
    if len(groups) > 1:
        raise SourceError(
            f"the source holds posts of {len(groups)} topics: {_topic_list(groups)}",
            where=request.name,
            fix="choose one with --thread TOPIC_ID (or its slug)",
        )
    return next(iter(groups.items()))


def _topic_list(groups: dict[str | None, list[_Post]]) -> str:
    described = []
    for topic_id, members in groups.items():
        slug = next((p.topic_slug for p in members if p.topic_slug), None)
        described.append(f"{topic_id or '?'}" + (f" ({slug})" if slug else "") + f" with {len(members)} posts")
    return ", ".join(described)


def _merge_topics(topics: list[_Topic]) -> _Topic | None:
    """Several topic files of one topic (pages of /t/ID/posts.json) add up to one description."""
    if not topics:
        return None
    merged = _Topic(id=topics[0].id, slug=None, title=None, posts_count=None, created_by=None)
    for topic in topics:
        merged.id = merged.id or topic.id
        merged.slug = merged.slug or topic.slug
        merged.title = merged.title or topic.title
        merged.posts_count = max(filter(None, (merged.posts_count, topic.posts_count)), default=None)
        merged.created_by = merged.created_by or topic.created_by
        merged.stream.extend(s for s in topic.stream if s not in merged.stream)
        merged.included.extend(topic.included)
    return merged


# ---------------------------------------------------------------------------- thread

def _build_thread(request, topic_id, posts: list[_Post], topic: _Topic | None, gathered: _Gathered) -> Thread:
    notes = list(gathered.notes)
    partial = gathered.partial
    present = {p.key for p in posts} | {p.id for p in posts if p.id}  # skipped ones were not missing
    posts = sorted(posts, key=lambda p: (p.number is None, p.number or 0, p.key))
    small = [p for p in posts if p.post_type == SMALL_ACTION_POST_TYPE]
    if small:
        notes.append(f"skipped {len(small)} small-action posts (topic status notices, not replies)")
    posts = [p for p in posts if p.post_type != SMALL_ACTION_POST_TYPE]
    posts, deleted_notes = _drop_deleted(posts)
    notes.extend(deleted_notes)

    slug = (topic.slug if topic else None) or next((p.topic_slug for p in posts if p.topic_slug), None)
    title = (topic.title if topic else None) or next((p.topic_title for p in posts if p.topic_title), None)
    base, base_note = _site_base(request.documents, posts)
    if base_note:
        notes.append(base_note)

    opening_source = next((p for p in posts if p.number == 1), None)
    if opening_source is None:
        notes.append("the opening post (#1) is not in the import")
        partial = True
    ids: dict[str, str] = {}
    for post in list(posts):
        reply_id = _reply_id(post, base, slug)
        if reply_id in ids.values():  # only id-less posts with the same author and text can collide
            posts.remove(post)
            notes.append(f"skipped post #{post.number}: it repeats post id {reply_id}")
            continue
        ids[post.key] = reply_id
    opening, replies, orphans = _link_posts(posts, opening_source, ids, base, slug)
    if orphans:
        partial = True
        notes.append(f"{len(orphans)} posts answer posts not in the import (shown as answering the topic): "
                     + _listing(orphans))

    missing = _missing_from_stream(topic, present)
    if missing:
        partial = True
        notes.append(
            f"{missing} of the topic's {len(topic.stream)} posts (post_stream.stream) are not in the import; "
            f"fetch them from /t/{topic.id or topic_id}/posts.json?post_ids[]=ID"
        )
    total = topic.posts_count - 1 if topic and topic.posts_count else None
    url = _topic_url(base, slug, topic_id)
    return Thread(
        id=str(topic_id or slug or "discourse"),
        title=title,
        url=url,
        replies=tuple(common.order_by_parents(replies)),
        source_format="discourse",
        retrieved_at=request.retrieved_at,
        partial=partial,
        total_replies=total,
        author=opening.author if opening else (topic.created_by if topic else None),
        opening_post=opening,
        import_notes=tuple(notes),
    )


def _link_posts(posts: list[_Post], opening_source: _Post | None, ids: dict[str, str], base, slug):
    """Replies with parents from reply_to_post_number; also the opening post, and which
    parents (by number) are missing."""
    by_number = {p.number: ids[p.key] for p in posts if p.number is not None}
    authors = {p.username for p in posts}
    replies: list[Reply] = []
    opening = None
    orphans: list[str] = []
    for post in posts:
        parent_id = None
        if post is not opening_source and post.reply_to is not None and post.reply_to != 1:
            parent_id = by_number.get(post.reply_to)
            if parent_id is None:
                orphans.append(f"#{post.number} answers #{post.reply_to}")
        reply = _make_reply(post, ids[post.key], parent_id, base, slug, authors, by_number)
        if post is opening_source:
            opening = reply
        else:
            replies.append(reply)
    return opening, replies, orphans


def _drop_deleted(posts: list[_Post]) -> tuple[list[_Post], list[str]]:
    """Deleted posts stay only as placeholders that keep their answers attached."""
    answered = {p.reply_to for p in posts if p.reply_to is not None}
    kept, dropped, placeholders = [], 0, 0
    for post in posts:
        if not post.deleted:
            kept.append(post)
        elif post.number in answered or post.number == 1:
            post.cooked, post.raw = "<p>[deleted]</p>", None
            kept.append(post)
            placeholders += 1
        else:
            dropped += 1
    notes = []
    if dropped or placeholders:
        notes.append(f"{dropped + placeholders} deleted posts: {dropped} skipped, "
                     f"{placeholders} kept as empty placeholders because other posts answer them")
    return kept, notes


def _missing_from_stream(topic: _Topic | None, present: set[str]) -> int:
    """How many of the topic's post ids (post_stream.stream) are not imported."""
    if topic is None or not topic.stream:
        return 0
    stream = set(topic.stream)
    if stream & present:
        return len(stream - present)
    # Ids that match nothing (an edited export): compare counts instead.
    return max(len(stream) - len(set(topic.included)), 0)


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    return shown + (f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")


def _reply_id(post: _Post, base: str | None, slug: str | None) -> str:
    """The post id; without one, the post's address (topic and number), else author and text."""
    if post.id:
        return post.id
    address = _permalink(post, base, slug)
    if address is None and post.number is not None and post.topic_id is not None:
        address = f"/t/{post.topic_id}/{post.number}"
    return common.stable_id(permalink=address, author=post.username, body=post.cooked or post.raw or "")


def _make_reply(post: _Post, reply_id: str, parent_id, base, slug, authors, by_number) -> Reply:
    text = _post_body(post, base)
    posted_at = post.created
    return Reply(
        id=reply_id,
        author=post.username,
        body=text,
        number=post.number,
        permalink=_permalink(post, base, slug),
        posted_at=posted_at,
        posted_at_text=post.created_at if posted_at is None and post.created_at else None,
        parent_id=parent_id,
        mentions=common.find_mentions(body.plain_words(text), authors, by_number),
        engagement=Engagement(likes=post.likes, replies=post.reply_count, reads=post.reads),
    )


def _post_body(post: _Post, base: str | None) -> str:
    if post.cooked and post.cooked.strip():
        return _cooked_to_body(post.cooked, base)
    if post.raw:
        return body.from_plain_text(post.raw)
    return ""


# ---------------------------------------------------------------------------- addresses

def _site_base(documents, posts: list[_Post]) -> tuple[str | None, str | None]:
    """The forum's address, and a note when it had to be inferred from avatar paths."""
    for doc in documents:
        base = _base_from_url(doc.name)
        if base:
            return base, None
    for post in posts:
        base = _base_from_url(post.post_url or "")
        if base:
            return base, None
    for post in posts:
        match = _AVATAR_HOST.match(post.avatar_template or "")
        if match:
            base = f"https://{match.group(1).lower()}"
            return base, f"permalinks use {base}, the forum address found in the posts' avatar paths"
    return None, None


def _base_from_url(text: str) -> str | None:
    """``https://forum.example/sub/t/…`` -> ``https://forum.example/sub``."""
    if not text.startswith(("http://", "https://")):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if not parts.hostname:
        return None
    prefix = re.split(r"/(?:t|posts|latest|c)(?:/|\.json|$)", parts.path, maxsplit=1)[0].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{prefix}"


def _permalink(post: _Post, base: str | None, slug: str | None) -> str | None:
    if post.post_url and post.post_url.startswith(("http://", "https://")):
        return post.post_url
    if not base or post.number is None:
        return None
    if post.post_url and post.post_url.startswith("/t/"):
        return base + post.post_url
    if post.topic_id is None:
        return None
    return f"{base}/t/{slug or post.topic_slug or 'topic'}/{post.topic_id}/{post.number}"


def _topic_url(base: str | None, slug: str | None, topic_id: str | None) -> str | None:
    if not base or topic_id is None:
        return None
    return f"{base}/t/{slug or 'topic'}/{topic_id}"


# ---------------------------------------------------------------------------- cooked HTML

def _cooked_to_body(cooked: str, base: str | None) -> str:
    """Discourse's cooked HTML into the body subset, after undoing its decorations."""
    try:
        root = lxml.html.fragment_fromstring(cooked, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return body.from_html(cooked)
    for aside in root.xpath(_ASIDE_XPATH % "quote"):
        _quote_to_blockquote(aside)
    for aside in root.xpath(_ASIDE_XPATH % "onebox"):
        _onebox_to_link(aside)
    _drop_decorations(root)
    _flatten_containers(root)
    if base:
        root.make_links_absolute(base, resolve_base_href=False, handle_failures="discard")
    inner = (html.escape(root.text) if root.text else "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return body.from_html(inner)


_ASIDE_XPATH = './/aside[contains(concat(" ", normalize-space(@class), " "), " %s ")]'


def _onebox_to_link(aside) -> None:
    """A link preview card becomes one link labelled with the page title (its blurb is not the poster's)."""
    links = [a for a in aside.iter("a") if (a.get("href") or "").startswith(("http://", "https://"))]
    href = aside.get("data-onebox-src") or (links[0].get("href") if links else None)
    heading = next(iter(aside.xpath(".//h3 | .//h4")), None)
    label = " ".join((heading.text_content() if heading is not None else "").split()) or href
    if not href:
        aside.drop_tree()
        return
    paragraph = lxml.html.Element("p")
    link = lxml.html.Element("a", href=href)
    link.text = label
    paragraph.append(link)
    paragraph.tail = aside.tail
    aside.getparent().replace(aside, paragraph)


def _quote_to_blockquote(aside) -> None:
    """``<aside class="quote"><div class="title">X:</div><blockquote>…`` -> a blockquote opening "X said:"."""
    quote = lxml.html.Element("blockquote")
    title = next(iter(aside.xpath('./div[contains(@class, "title")]')), None)
    who = " ".join(title.text_content().split()) if title is not None else ""
    if who:
        said = lxml.html.Element("p")
        said.text = who[:-1].rstrip() + " said:" if who.endswith(":") else who
        quote.append(said)
    inner = aside.find("blockquote")
    if inner is not None:
        if inner.text and inner.text.strip():
            lead = lxml.html.Element("p")
            lead.text = inner.text
            quote.append(lead)
        for child in list(inner):
            quote.append(child)
    quote.tail = aside.tail
    aside.getparent().replace(aside, quote)


_BLOCKS = {"p", "div", "table", "ul", "ol", "blockquote", "pre", "aside", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}


def _flatten_containers(root) -> None:
    """Wrapper divs around blocks (lightbox, md-table) are unwrapped, and the classes of
    cooked markup dropped: the body subset renames divs to paragraphs, and paragraphs cannot nest."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element is root:
            continue
        element.attrib.pop("class", None)
        if element.tag == "div" and any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in element):
            element.drop_tag()


def _lightbox_to_link(link) -> None:
    """An uploaded image (a link to the full size around a thumbnail) becomes one labelled link."""
    image = next(link.iter("img"), None)
    alt = (image.get("alt") or image.get("title") or "").strip() if image is not None else ""
    for child in list(link):
        link.remove(child)
    link.text = f"[image: {alt}]" if alt else "[image]"
    link.attrib.pop("title", None)


def _drop_decorations(root) -> None:
    """Emoji images become their :code:, avatars and heading anchors go, uploads become links."""
    for element in list(root.iter("img", "a", "div")):
        if element.getparent() is None:
            continue
        classes = set((element.get("class") or "").split())
        if element.tag == "img" and "emoji" in classes:
            element.tail = (element.get("alt") or element.get("title") or "") + (element.tail or "")
            element.drop_tree()
        elif element.tag == "img" and "avatar" in classes:
            element.drop_tree()
        elif element.tag == "a" and "anchor" in classes and not element.text_content().strip():
            element.drop_tree()
        elif element.tag == "a" and "lightbox" in classes:
            _lightbox_to_link(element)
