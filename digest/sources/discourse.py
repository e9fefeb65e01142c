"""Discourse forum JSON: a topic, single posts, or a folder of per-post files.

Accepted shapes (Discourse's public JSON API, append ``.json`` to a forum URL):

- a topic, ``/t/{slug}/{id}.json`` or ``/t/{id}/posts.json``: ``post_stream.posts`` holds the
  first chunk of posts (20 by default) and ``post_stream.stream`` the ids of all of them, so
  ids not included are reported as missing; ``posts_count`` gives ``total_replies``.  A page
  without ``stream`` (``/t/{id}/posts.json``, very long topics) is compared with the topic's
  ``posts_count``, else the ``posts_count`` each post carries (the topic's count when that post
  was fetched, so it can only be low), else ``highest_post_number``.  The note names the
  missing ids (with a ``post_ids[]`` request), or the post numbers the page lacks (with
  ``post_number`` requests paging back or, with ``asc=true``, forward from the posts it holds),
  and ``/t/{id}.json?print=true``, which returns up to 1,000 posts at once;
- a single post, ``/posts/{id}.json``, a post webhook's body ``{"post": {...}}``, and the list
  of recent posts ``/posts.json``.  A post's ``topic_posts_count`` (webhook bodies carry it)
  counts the topic's posts like a page's ``posts_count``.  A post saved alone without it states
  nothing about the rest of its topic: one whose ``reply_count`` counts replies makes the
  import partial, an opening post without replies gets a note.  A topic webhook's body
  ``{"topic": {...}}`` holds no posts and is refused with the request that returns them;
- a folder holding any mix of those, typically one ``/posts/{id}.json`` per file as saved by
  archivers: posts are merged by id, grouped by ``topic_id`` and ordered by ``post_number``.
  When the posts belong to several topics, ``request.thread`` picks one by topic id, slug or
  address (which also gives the forum address to a source that names none).
  Posts without ``topic_id`` take it (and the slug) from their ``post_url``; a source naming
  no topic at all is given its opening post's id, ``post-{id}``, as thread id (noted).

Post number 1 is the opening post.  ``reply_to_post_number`` names the parent by number
(null or 1: the reply answers the topic).  Likes are the ``actions_summary`` entry with id 2.
Bodies come from ``cooked`` HTML (``discourse_cooked``: quote asides become blockquotes that keep "X said:", link
previews and videos one link labelled with their title, polls their options with the vote
counts of the post's ``polls`` data), else from the ``raw`` markdown read as plain text.
Regular posts (``post_type`` 1, or none given) are replies, and so are moderator-action posts
(2): today that is what "Add staff color" makes of a staff member's ordinary post.  Only the
automatic notices among them are skipped: those with an ``action_code``, and the one-paragraph
"This topic is now closed." / "This topic was automatically closed …" texts forums wrote as
type 2 before 2015.  Small actions (3, "closed the topic") are skipped, and whispers (4, seen
only by staff) are never imported.  Deleted posts and posts hidden by flags are kept as
placeholders only when other posts answer them.  The Solved plugin's accepted answer (the
topic's ``accepted_answer.post_number`` or a post's ``accepted_answer: true``) gets
``engagement.accepted`` = 1 and the other replies 0.

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
from typing import NoReturn
from urllib.parse import unquote, urlsplit

from digest import body
from digest.errors import SourceError
from digest.model import Engagement, Reply, Thread
from digest.sources import common, jsonshape
from digest.sources.discourse_cooked import DEFAULT_POLL_NAME, Poll, PollOption, cooked_to_body, raw_to_body

DESCRIPTION = "Discourse topic or post JSON (/t/ID.json, /posts/ID.json, or a folder of post files)"

FIX = "save the topic again from https://FORUM/t/TOPIC_ID.json (or each post from /posts/POST_ID.json)"

LIKE_ACTION_ID = 2  # PostActionType "like" in actions_summary
REGULAR_POST_TYPE = 1
MODERATOR_ACTION_POST_TYPE = 2  # a staff-colored post, or (with an action_code, or before 2015) a notice
# Post types that are not replies, and what the import note calls them when they are left out.
_LEFT_OUT_POST_TYPES = {
    2: "skipped {} moderator notices (automatic topic status posts, not replies)",
    3: "skipped {} small-action posts (topic status notices, not replies)",
    4: "left out {} whispers (posts only staff can see; never imported)",
}
# Posts whose text readers may not see, and their placeholder and note wording.
_WITHDRAWN = {"deleted": "deleted posts", "hidden": "hidden posts (flagged by the community)"}
_POST_KEYS = (b'"post_number"', b'"topic_id"', b'"topic_slug"', b'"reply_to_post_number"', b'"actions_summary"',
              b'"avatar_template"', b'"cooked"')
_TOPIC_WEBHOOK = re.compile(rb'(?:\xef\xbb\xbf)?\s*\{\s*"topic"\s*:\s*\{')
# An uploaded avatar's path names the forum's host: ``/user_avatar/HOST/NAME/{size}/…``, after the
# subfolder of a forum installed in one (``/forum/user_avatar/…``), or in a full address.
_AVATAR_HOST = re.compile(r"^(?:https?://(?P<served_by>[^/?#]+))?(?P<folder>(?:/[^/?#]+)*?)"
                          r"/user_avatar/(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/")
# The English topic status notices forums posted as moderator actions before 2015: one plain
# paragraph, e.g. "This topic is now pinned. …", "This topic was automatically closed after 7 days. …".
_OLD_STATUS_NOTICE = re.compile(r"\s*(?:<p>)?This topic (?:is now|was automatically) [^<>\n]{1,300}(?:</p>)?\s*")
_MAX_LISTED = 10
# Discourse's ``/raw/TOPIC_ID``: each post's markdown under "USERNAME | UPDATED_AT | #NUMBER",
# posts apart by a line of 25 dashes.
_RAW_EXPORT = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*[^\s|]+ \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \| #\d+\r?\n")
_RAW_ADDRESS = re.compile(r"^(https?://.+?)/raw/(\d+)")
_ERROR_ANSWER = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{(?=.*"errors"\s*:\s*\[)(?=.*"error_type"\s*:)', re.DOTALL)
# What to do about each of Discourse's error answers, by its error_type.
_ERROR_FIXES = {
    "not_found": "check the topic id in the address (/t/ID.json); a deleted topic cannot be saved",
    "invalid_access": "the topic is not public (a private category or message): save it while logged in, or with an "
                      "API key (Api-Key and Api-Username headers)",
    "rate_limit": "the forum limits how fast it answers: wait a minute, then save the topic again",
}


def sniff(doc) -> bool:
    """A JSON object with Discourse's post/topic keys (checked in the first and last few KB);
    also a topic webhook's body and a topic's ``/raw/`` export, so that reading them can say
    what to save instead."""
    data = getattr(doc, "data", None)
    if isinstance(data, (bytes, bytearray)) and _RAW_EXPORT.match(bytes(data[:400])):
        return True
    window = jsonshape.sniff_window(data)
    if window is None or b'"digest_thread"' in window:
        return False
    if _ERROR_ANSWER.match(window) or any(key in window for key in (b'"post_stream"', b'"latest_posts"', b'"topic_list"')):
        return True
    if _TOPIC_WEBHOOK.match(window) and b'"fancy_title"' in window:
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
    action_code: str | None  # what an automatic notice announces ("closed.enabled")
    deleted: bool
    hidden: bool
    accepted: bool
    topic_solved: bool  # the Solved plugin says the topic has an accepted answer
    posts_count: int | None  # the topic's post count when this post was fetched
    posts_count_field: str  # the field that gave it: posts_count, or topic_posts_count (/posts/ID.json, webhooks)
    avatar_template: str | None
    polls: dict[str, Poll]  # the poll plugin's results by poll name

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
    highest_post_number: int | None = None
    accepted_number: int | None = None
    stream: list[str] = field(default_factory=list)
    included: list[str] = field(default_factory=list)
    private_to: tuple[str, ...] | None = None  # a private message's users and groups (None: a public topic)


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
    parsed, notes, partial, first_error = jsonshape.parse_each(request.documents, _parse_document)
    gathered = _Gathered(notes=notes, partial=partial)
    for posts, topic in parsed:
        if topic is not None:
            gathered.topics.append(topic)
        for post in posts:
            gathered.posts.setdefault(post.key, post)
    if not gathered.posts:
        raise first_error or SourceError("no Discourse posts found", where=request.name, fix=FIX)
    return gathered


def _parse_document(doc) -> tuple[list[_Post], _Topic | None]:
    if _RAW_EXPORT.match(bytes(doc.data[:400])):
        _refuse_raw_export(doc.name)
    root = jsonshape.load(doc.data, doc.name, FIX)
    if root.is_array:
        return [_parse_post(node, None) for node in root.array()], None
    root.expect_object("a Discourse topic or post object")
    if root.has("error_type") and root["errors"].is_array:
        _refuse_error_answer(root)
    if root.has("topic_list"):
        root["topic_list"].fail(
            "this is a list of topics, not a topic",
            fix="save one topic from https://FORUM/t/TOPIC_ID.json and import that",
        )
    if root.has("post_stream"):
        return _parse_topic(root)
    if root.has("latest_posts"):
        return [_parse_post(node, None) for node in root["latest_posts"].array()], None
    if _is_post(root):
        return [_parse_post(root, None)], None
    if root["post"].is_object:  # a "post_created"/"post_edited" webhook body
        return [_parse_post(root["post"], None)], None
    if root["topic"].is_object:  # a topic webhook body
        return _parse_topic_webhook(root["topic"])
    root.fail("not a Discourse topic or post: expected post_stream, latest_posts, a post with post_number, "
              "or a webhook body with a post")


def _refuse_raw_export(name: str) -> NoReturn:
    """``/raw/TOPIC_ID`` gives each post's markdown and the time it was last edited, but not what
    it answers, its likes or when it was written: the topic's JSON, on the same forum, has them."""
    address = _RAW_ADDRESS.match(name)
    json_address = (f"{address.group(1)}/t/{address.group(2)}.json?print=true" if address
                    else "https://FORUM/t/TOPIC_ID.json?print=true (the /raw/ address with /t/ for /raw/ and .json?print=true added)")
    raise SourceError("this is Discourse's /raw/ export of a topic: each post's markdown, without what it answers, "
                      "its likes or when it was written", where=name, fix=f"import the topic's JSON instead: {json_address}")


def _refuse_error_answer(root: jsonshape.Node) -> NoReturn:
    """The forum's error answer (``{"errors": [...], "error_type": ...}``) saved in place of a topic."""
    kind = root["error_type"].string() or "error"
    said = " ".join(error.string() or "" for error in root["errors"].array()).strip()
    root.fail(f"this is the Discourse forum's error answer, not a topic: {said or kind} ({kind})",
              fix=_ERROR_FIXES.get(kind, "save the topic again from https://FORUM/t/TOPIC_ID.json?print=true"))


def _is_post(node: jsonshape.Node) -> bool:
    return node.has("post_number") or (node.has("topic_id") and (node.has("cooked") or node.has("raw")))


def _parse_topic_webhook(topic: jsonshape.Node) -> tuple[list[_Post], _Topic]:
    """A topic webhook (``{"topic": {...}}``) describes the topic without its posts (Discourse
    leaves ``post_stream`` out of it), so it is refused with the request that returns them."""
    if topic.has("post_stream"):
        return _parse_topic(topic)
    tid = topic["id"].ident() or "TOPIC_ID"
    title = topic["title"].string()
    host = _webhook_forum_host(topic) or "FORUM"
    topic.fail(f"this is a Discourse topic webhook body: it describes topic {tid}"
               + (f" ({title!r})" if title else "") + " but holds none of its posts",
               fix=f"save the topic from https://{host}/t/{tid}.json?print=true (up to 1,000 posts) and import that")


def _webhook_forum_host(topic: jsonshape.Node) -> str | None:
    """The forum's host, from the avatar path of the topic's creator or last poster."""
    for person in (topic["created_by"], topic["last_poster"]):
        match = _AVATAR_HOST.match(person["avatar_template"].string() or "") if person.is_object else None
        if match:
            return _avatar_forum(match).removeprefix("https://")
    return None


def _avatar_forum(match: re.Match) -> str:
    """The forum's address from an avatar path: its host, and the subfolder the forum is
    installed in (unless the avatar is served from elsewhere, a CDN, whose path says nothing)."""
    host = match.group("host").lower()
    served_by = (match.group("served_by") or host).lower()
    return f"https://{host}" + (match.group("folder") if served_by == host else "")


def _parse_topic(root: jsonshape.Node) -> tuple[list[_Post], _Topic]:
    stream = root["post_stream"].expect_object()
    topic = _Topic(
        id=root["id"].ident(),
        slug=root["slug"].string(),
        title=root["title"].string() or _unescape(root["fancy_title"].string()),
        posts_count=root["posts_count"].count(),
        created_by=_created_by(root),
        highest_post_number=root["highest_post_number"].count(),
        accepted_number=_accepted_number(root),
        stream=[node.ident(required=True) for node in stream["stream"].array()],
        private_to=_private_to(root),
    )
    posts = [_parse_post(node, topic) for node in stream["posts"].array()]
    topic.included = [post.key for post in posts]
    return posts, topic


def _private_to(root: jsonshape.Node) -> tuple[str, ...] | None:
    """Who may read a private message (``archetype: private_message``): the users and groups
    its ``details`` allow; None for a topic anyone on the forum can read."""
    if root["archetype"].string() != "private_message":
        return None
    details = root["details"]
    if not details.is_object:
        return ()
    users = [user["username"].string() for user in details["allowed_users"].array() if user.is_object]
    groups = [group["name"].string() for group in details["allowed_groups"].array() if group.is_object]
    return tuple(name for name in [*users, *(f"group {g}" for g in groups if g)] if name)


def _created_by(root: jsonshape.Node) -> str | None:
    details = root["details"]
    if not details.is_object or not details["created_by"].is_object:
        return None
    return details["created_by"]["username"].string()


def _accepted_number(root: jsonshape.Node) -> int | None:
    """The Solved plugin's ``accepted_answer`` object names the answer by post number."""
    answer = root["accepted_answer"]
    return answer["post_number"].integer() if answer.is_object else None


def _parse_post(node: jsonshape.Node, topic: _Topic | None) -> _Post:
    node.expect_object("a post object")
    url_slug, url_topic = _topic_in_post_url(node["post_url"].string())
    posts_count_field = "posts_count" if node.has("posts_count") else "topic_posts_count"
    return _Post(
        id=node["id"].ident(),
        number=node["post_number"].integer(),
        topic_id=node["topic_id"].ident() or (topic.id if topic else None) or url_topic,
        topic_slug=node["topic_slug"].string() or (topic.slug if topic else None) or url_slug,
        topic_title=node["topic_title"].string() or (topic.title if topic else None),
        username=node["username"].string() or node["name"].string() or "unknown",
        created_at=node["created_at"].string(),
        created=node["created_at"].iso_time(),
        cooked=node["cooked"].string(),
        raw=node["raw"].string(),
        reply_to=node["reply_to_post_number"].integer(),
        reply_count=node["reply_count"].count(),
        reads=node["reads"].integer(),
        likes=_likes(node),
        post_url=node["post_url"].string(),
        post_type=node["post_type"].integer(),
        action_code=node["action_code"].string(),
        deleted=node.has("deleted_at") or node["user_deleted"].flag(),
        hidden=node["hidden"].flag() or node["cooked_hidden"].flag(),
        accepted=node["accepted_answer"].flag(),
        topic_solved=node["topic_accepted_answer"].flag(),
        posts_count=node[posts_count_field].count(),
        posts_count_field=posts_count_field,
        avatar_template=node["avatar_template"].string(),
        polls=_polls(node["polls"]),
    )


_POST_URL = re.compile(r"/t/(?:([^/?#]+)/)?(\d+)/\d+/?(?:[?#].*)?$")


def _topic_in_post_url(post_url: str | None) -> tuple[str | None, str | None]:
    """The slug and topic id a ``post_url`` (``/t/SLUG/TOPIC_ID/NUMBER``) names, for posts saved
    without ``topic_id``."""
    match = _POST_URL.search(post_url or "")
    return (match.group(1), match.group(2)) if match else (None, None)


def _likes(node: jsonshape.Node) -> int | None:
    """The like count: actions_summary id 2 (absent entry = no likes), else a like_count field."""
    summary = node["actions_summary"]
    if summary.is_null:
        return node["like_count"].integer()
    for entry in summary.array():
        if entry.is_object and entry["id"].integer() == LIKE_ACTION_ID:
            return entry["count"].integer() or 0
    return node["like_count"].integer() or 0


def _polls(node: jsonshape.Node) -> dict[str, Poll]:
    """The poll plugin's results: a list of polls (an object keyed by poll name before 2018).
    An option without ``votes`` is one whose results the forum hid from whoever saved the file."""
    entries = list(node.members()) if node.is_object else [(None, entry) for entry in node.array()]
    polls: dict[str, Poll] = {}
    for key, entry in entries:
        entry.expect_object("a poll object")
        name = entry["name"].string() or key or DEFAULT_POLL_NAME
        options = tuple(PollOption(id=option.expect_object("a poll option")["id"].ident(),
                                   votes=option["votes"].integer())
                        for option in entry["options"].array())
        polls.setdefault(name, Poll(name=name, type=entry["type"].string(), status=entry["status"].string(),
                                    voters=entry["voters"].integer(), options=options))
    return polls


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
    in_url = _TOPIC_IN_URL.search(wanted) if wanted.startswith(("http://", "https://")) else None
    if in_url:  # the topic's address, as a browser shows it
        wanted = in_url.group(1)
    if wanted:
        for topic_id, members in groups.items():
            if wanted == topic_id or wanted.lower() in {(p.topic_slug or "").lower() for p in members}:
                return topic_id, members
        raise SourceError(
            f"no topic {wanted!r} in this source; it holds {_topic_list(groups)}",
            where=request.name,
            fix="pass --thread with one of the topic ids or slugs listed, or the topic's address",
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
        merged.highest_post_number = max(filter(None, (merged.highest_post_number, topic.highest_post_number)),
                                         default=None)
        merged.accepted_number = merged.accepted_number or topic.accepted_number
        merged.private_to = merged.private_to if merged.private_to is not None else topic.private_to
        merged.stream.extend(s for s in topic.stream if s not in merged.stream)
        merged.included.extend(topic.included)
    return merged


# ---------------------------------------------------------------------------- thread

def _build_thread(request, topic_id, posts: list[_Post], topic: _Topic | None, gathered: _Gathered) -> Thread:
    notes = list(gathered.notes)
    if topic is not None and topic.private_to is not None:
        notes.append(_private_note(topic.private_to))
    partial = gathered.partial
    fetched = posts  # every post of the topic the source holds, replies or not
    posts = sorted(posts, key=lambda p: (p.number is None, p.number or 0, p.key))
    posts, type_notes = _keep_regular(posts)
    notes.extend(type_notes)
    not_replies = len(fetched) - len(posts)  # notices and whispers: in posts_count, never replies
    posts, withdrawn_notes = _drop_withdrawn(posts)
    notes.extend(withdrawn_notes)
    textless_note = _textless_note(posts)
    if textless_note:
        notes.append(textless_note)
        partial = True
    poll_note = _poll_note(posts)
    if poll_note:
        notes.append(poll_note)
    left_out = {p.number for p in fetched if p.number is not None} - {p.number for p in posts}

    slug = (topic.slug if topic else None) or next((p.topic_slug for p in posts if p.topic_slug), None)
    title = (topic.title if topic else None) or next((p.topic_title for p in posts if p.topic_title), None)
    if title is None and slug:
        title, title_note = _title_from_slug(slug, topic_id)
        if title_note:
            notes.append(title_note)
    base, base_note = _site_base(request.documents, posts, request.thread)
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
    accepted, accepted_note = _accepted_answer(topic, fetched, posts)
    if accepted_note:
        notes.append(accepted_note)
    opening, replies, orphans = _link_posts(posts, opening_source, ids, base, slug, accepted)
    orphan_notes, parents_missing = _orphan_notes(orphans, left_out)
    notes.extend(orphan_notes)
    hidden_note = common.spoiler_note([r.body for r in ([opening] if opening else []) + replies], "the forum", "post")
    if hidden_note:
        notes.append(hidden_note)
    partial = partial or parents_missing

    missing_note, total, missing = _missing_posts(topic, topic_id, fetched)
    total = max(0, total - not_replies) if total is not None else None
    partial = partial or missing
    if missing_note:
        notes.append(missing_note)
    url = _topic_url(base, slug, topic_id)
    thread_id, id_note = _thread_id(topic_id, slug, opening_source)
    if id_note:
        notes.append(id_note)
    return Thread(
        id=thread_id,
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


def _private_note(readers: tuple[str, ...]) -> str:
    """A private message is readable only by its participants: a digest would publish it."""
    who = f" between {', '.join(readers)}" if readers else ""
    return (f"this topic is a private message{who} (archetype private_message): only they can read it on the "
            "forum; a digest sent or archived from it makes it public")


_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _title_from_slug(slug: str, topic_id) -> tuple[str | None, str | None]:
    """A ``/t/ID/posts.json`` page or a post saved alone names no title, only the topic's slug
    ("pruning-shears"), which reads as one, less its capitals and punctuation; "topic" is the
    slug of a title without Latin letters, and says nothing, unless the forum keeps such titles
    percent-encoded in their slugs (its "encoded" slug setting, usual for Chinese, Japanese or
    Russian forums), which read as the title's words again."""
    decoded = unquote(slug)
    slug = slug if _CONTROL_CHARACTER.search(decoded) else decoded  # "%0A", "%00": no title's letters
    words = slug.replace("-", " ").strip()
    if not re.search(r"[^\W\d_]", words) or words == "topic":
        return None, None
    title = words[0].upper() + words[1:]
    return title, (f"the source gives no topic title (posts pages and posts saved alone have none): the title {title!r} "
                   f"is read from the topic's address ({slug}); /t/{topic_id or 'ID'}.json gives the real one")


def _thread_id(topic_id, slug: str | None, opening: _Post | None) -> tuple[str, str | None]:
    """The topic id, else its slug; a source naming neither (no ``id``, ``topic_id``, ``post_url``
    or ``topic_slug``) is named after its opening post, whose id is unique on the forum too."""
    if topic_id or slug:
        return str(topic_id or slug), None
    if opening is not None and opening.id:
        return (f"post-{opening.id}", f"the source names no topic id or slug: the thread id post-{opening.id} "
                "is its opening post's id")
    return "discourse", "the source names no topic id or slug, nor the opening post's id: the thread id is \"discourse\""


def _link_posts(posts: list[_Post], opening_source: _Post | None, ids: dict[str, str], base, slug,
                accepted: int | None):
    """Replies with parents from reply_to_post_number; also the opening post, and the
    (number, parent number) of posts whose parent is not among them."""
    by_number = {p.number: ids[p.key] for p in posts if p.number is not None}
    authors = common.AuthorNames({p.username for p in posts})
    replies: list[Reply] = []
    opening = None
    orphans: list[tuple[int | None, int]] = []
    for post in posts:
        parent_id = None
        if post is not opening_source and post.reply_to is not None and post.reply_to != 1:
            parent_id = by_number.get(post.reply_to)
            if parent_id is None:
                orphans.append((post.number, post.reply_to))
        is_opening = post is opening_source
        mark = None if accepted is None or is_opening else int(post.number == accepted)
        reply = _make_reply(post, ids[post.key], parent_id, base, slug, authors, by_number, mark)
        if is_opening:
            opening = reply
        else:
            replies.append(reply)
    return opening, replies, orphans


def _orphan_notes(orphans: list[tuple[int | None, int]], left_out: set[int]) -> tuple[list[str], bool]:
    """Notes on posts whose parent is not imported; only parents the source lacks make the
    import partial, not those left out on purpose (whispers, notices, deleted posts)."""
    notes = []
    for reason, on_purpose in (("left out above", True), ("not in the import", False)):
        listed = [f"#{number} answers #{parent}" for number, parent in orphans
                  if (parent in left_out) == on_purpose]
        if listed:
            who = "1 post answers a post" if len(listed) == 1 else f"{len(listed)} posts answer posts"
            notes.append(f"{who} {reason} (shown as answering the topic): " + _listing(listed))
    return notes, any(parent not in left_out for _, parent in orphans)


def _keep_regular(posts: list[_Post]) -> tuple[list[_Post], list[str]]:
    """Regular and staff-colored posts are replies; notices are skipped and whispers
    (staff-only) never imported, each kind counted in a note."""
    kept: list[_Post] = []
    left_out: dict[int, int] = {}
    for post in posts:
        if _is_reply(post):
            kept.append(post)
        else:
            left_out[post.post_type] = left_out.get(post.post_type, 0) + 1
    notes = [
        _LEFT_OUT_POST_TYPES.get(kind, "skipped {} posts of post_type %d (not regular posts)" % kind).format(count)
        for kind, count in sorted(left_out.items())
    ]
    return kept, notes


def _is_reply(post: _Post) -> bool:
    """Regular posts, and moderator-action posts that are not automatic notices."""
    if post.post_type in (None, REGULAR_POST_TYPE):
        return True
    return post.post_type == MODERATOR_ACTION_POST_TYPE and not _is_status_notice(post)


def _is_status_notice(post: _Post) -> bool:
    """An automatic notice: it names its action_code, or (before 2015, when notices had none)
    it is one plain paragraph of a topic status text; any other text is a person's post."""
    if post.action_code:
        return True
    text = post.cooked if post.cooked and post.cooked.strip() else post.raw
    return bool(text) and _OLD_STATUS_NOTICE.fullmatch(text) is not None


def _poll_note(posts: list[_Post]) -> str | None:
    """A note on polls shown without vote counts (the cooked poll never holds them)."""
    uncounted = sum(1 for post in posts if post.cooked and "data-poll-name" in post.cooked
                    and not (post.polls and all(poll.counted for poll in post.polls.values())))
    if not uncounted:
        return None
    return (f"{uncounted} posts hold polls shown without vote counts: the file has no `polls` results for them, "
            "the forum hid the results from whoever saved it, or the votes are rankings")


def _has_text(post: _Post) -> bool:
    return bool(post.cooked and post.cooked.strip()) or bool(post.raw and post.raw.strip())


def _textless_note(posts: list[_Post]) -> str | None:
    """A note on posts imported with empty bodies: the source left out both ``cooked`` and
    ``raw`` (message buses relaying webhooks drop them), so their text is missing, not empty."""
    textless = [p for p in posts if not _has_text(p)]
    if not textless:
        return None
    if len(textless) == 1:
        post = textless[0]
        named = f"post #{post.number}" if post.number is not None else "a post"
        again = f"/posts/{post.id}.json" if post.id else "/posts/POST_ID.json"
        return (f"{named} has no text (neither cooked nor raw in the source) and is imported with an empty body; "
                f"save it again from {again}")
    numbers = [f"#{p.number}" if p.number is not None else f"id {p.key}" for p in textless]
    return (f"{len(textless)} posts have no text (neither cooked nor raw in the source) and are imported with "
            f"empty bodies: {_listing(numbers)}; save each again from /posts/POST_ID.json")


def _withdrawn(post: _Post) -> str | None:
    """Why readers may not see a post's text: it was deleted, or hidden after flags."""
    if post.deleted:
        return "deleted"
    return "hidden" if post.hidden else None


def _drop_withdrawn(posts: list[_Post]) -> tuple[list[_Post], list[str]]:
    """Deleted and hidden posts stay only as placeholders that keep their answers attached."""
    answered = {p.reply_to for p in posts if p.reply_to is not None}
    kept: list[_Post] = []
    dropped = dict.fromkeys(_WITHDRAWN, 0)
    placeholders = dict.fromkeys(_WITHDRAWN, 0)
    for post in posts:
        kind = _withdrawn(post)
        if kind is None:
            kept.append(post)
        elif post.number in answered or post.number == 1:
            post.cooked, post.raw = f"<p>[{kind}]</p>", None
            kept.append(post)
            placeholders[kind] += 1
        else:
            dropped[kind] += 1
    notes = [
        f"{dropped[kind] + placeholders[kind]} {label}: {dropped[kind]} skipped, "
        f"{placeholders[kind]} kept as empty placeholders because other posts answer them"
        for kind, label in _WITHDRAWN.items() if dropped[kind] or placeholders[kind]
    ]
    return kept, notes


def _accepted_answer(topic: _Topic | None, fetched: list[_Post], kept: list[_Post]) -> tuple[int | None, str | None]:
    """The accepted answer's post number (Solved plugin), and a note when it is not imported."""
    number = (topic.accepted_number if topic else None) or next((p.number for p in fetched if p.accepted), None)
    if number is None:
        if any(p.topic_solved for p in fetched):
            return None, "the topic has an accepted answer (topic_accepted_answer) that is not in the import"
        return None, None
    if not any(p.number == number for p in kept):
        return number, f"the accepted answer (post #{number}) is not in the import"
    return number, None


def _missing_posts(topic: _Topic | None, topic_id, fetched: list[_Post]) -> tuple[str | None, int | None, bool]:
    """A note on the topic's posts the source lacks, ``total_replies``, and whether posts are missing.

    The stream's ids say exactly which posts are missing.  Without a stream, the counts
    the source states are compared with the posts it holds; a post's own ``posts_count`` (or
    ``topic_posts_count``) is a snapshot from when it was fetched, so it only counts when it
    reaches them.  A post saved alone without one states no count at all (``_lone_post``)."""
    tid = (topic.id if topic else None) or topic_id or "TOPIC_ID"
    total = topic.posts_count - 1 if topic and topic.posts_count else None
    if topic is not None and topic.stream:
        present = {p.key for p in fetched} | {p.id for p in fetched if p.id}  # skipped ones were not missing
        count, ids = _missing_from_stream(topic, present)
        if not count:
            return None, total, False
        return (f"{count} of the topic's {len(topic.stream)} posts (post_stream.stream) are not in the import; "
                + _fetch_by_ids(tid, ids)), total, True
    claimed, field_name = _claimed_post_count(topic, fetched)
    held = len({p.key for p in fetched})
    if claimed is None and topic is None:
        note, missing = _lone_post(tid, fetched)
        return note, total, missing
    if claimed is not None and claimed >= held and field_name != "highest_post_number":
        total = total or claimed - 1
    if claimed is None or claimed <= held:
        return None, total, False
    numbers = sorted({p.number for p in fetched if p.number is not None})
    highest = topic.highest_post_number if topic else None
    gaps = _number_gaps(numbers, claimed - held, highest)
    bound = "up to " if field_name == "highest_post_number" else ""
    return (f"{claimed - held} of the topic's {bound}{claimed} posts ({field_name}) are not in the import"
            + _gaps_text(numbers, gaps) + "; " + _fetch_by_numbers(tid, numbers, gaps)), total, True


def _claimed_post_count(topic: _Topic | None, fetched: list[_Post]) -> tuple[int | None, str]:
    """How many posts the source says the topic has, and the field that says so.
    ``highest_post_number`` is an upper bound: deleted and staff-only posts take numbers too."""
    if topic is not None and topic.posts_count:
        return topic.posts_count, "posts_count"
    snapshot = max((p for p in fetched if p.posts_count), key=lambda p: p.posts_count, default=None)
    if snapshot:
        return snapshot.posts_count, snapshot.posts_count_field
    if topic is not None and topic.highest_post_number:
        return topic.highest_post_number, "highest_post_number"
    return None, "posts_count"


def _missing_from_stream(topic: _Topic, present: set[str]) -> tuple[int, list[str]]:
    """How many of the topic's post ids (post_stream.stream) are not imported, and which."""
    stream = set(topic.stream)
    if stream & present:
        return len(stream - present), [i for i in topic.stream if i not in present]
    # Ids that match nothing (an edited export): compare counts instead; which ones is unknown.
    return max(len(stream) - len(set(topic.included)), 0), []


_IDS_PER_REQUEST = 20  # what Discourse itself asks for at a time
_PRINT_HINT = "save /t/{tid}.json?print=true (up to 1,000 posts in one file)"


def _fetch_by_ids(tid: str, ids: list[str]) -> str:
    """A request that returns the missing posts by id (the first ones, when there are many)."""
    if not ids:
        return f"fetch them from /t/{tid}/posts.json?post_ids[]=ID (ids in /t/{tid}.json's post_stream.stream)"
    first = ids[:_IDS_PER_REQUEST]
    request = f"/t/{tid}/posts.json?" + "&".join(f"post_ids[]={i}" for i in first)
    rest = f" (the first {len(first)}; the other {len(ids) - len(first)} likewise)" if len(ids) > len(first) else ""
    return f"ids {_listing(ids)}; fetch them from {request}{rest}, or {_PRINT_HINT.format(tid=tid)}"


def _number_gaps(numbers: list[int], missing: int, highest: int | None) -> list[tuple[int, int | None]]:
    """The runs of post numbers the file lacks: before its first post, between its posts, and
    after its last (up to ``highest_post_number``; open-ended when only the missing count says
    posts follow).  Deleted and staff-only posts take numbers too, so a run may hold fewer posts."""
    if not numbers:
        return []
    gaps = [(1, numbers[0] - 1)] if numbers[0] > 1 else []
    gaps += [(a + 1, b - 1) for a, b in zip(numbers, numbers[1:]) if b > a + 1]
    if highest and highest > numbers[-1]:
        gaps.append((numbers[-1] + 1, highest))
    elif missing > sum(last - first + 1 for first, last in gaps):
        gaps.append((numbers[-1] + 1, None))
    return gaps


def _gaps_text(numbers: list[int], gaps: list[tuple[int, int | None]]) -> str:
    """``: the file holds #27-#30, not #1-#26``"""
    if not numbers:
        return ""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    lacking = _listing([_run(first, last) for first, last in gaps if last])
    if gaps and gaps[-1][1] is None:
        lacking += (" or " if lacking else "") + f"the posts after #{gaps[-1][0] - 1}"
    return f": the file holds {_listing([_run(a, b) for a, b in runs])}" + (f", not {lacking}" if lacking else "")


def _run(first: int, last: int) -> str:
    return f"#{first}" if first == last else f"#{first}-#{last}"


def _fetch_by_numbers(tid: str, numbers: list[int], gaps: list[tuple[int, int | None]]) -> str:
    """Requests that return the missing posts: the whole topic in one file, or page by page
    from the posts the file holds (``post_number`` alone gives the 20 before it, newest first;
    with ``asc=true`` the 20 after it)."""
    whole = _PRINT_HINT.format(tid=tid) + ", whose post_stream.stream lists every post id"
    pages = []
    if gaps and gaps[0][0] == 1:
        pages.append(f"/t/{tid}/posts.json?post_number={numbers[0]} (the 20 posts before #{numbers[0]}, newest first; "
                     "go on from the first post number each page holds)")
    later = next((first - 1 for first, _ in gaps if first > 1), None)
    if later is not None:
        pages.append(f"/t/{tid}/posts.json?post_number={later}&asc=true (the 20 posts after #{later}; "
                     "go on from the last post number each page holds)")
    if not pages:
        return whole
    return whole + ", or fetch " + " and ".join(pages)


def _lone_post(tid: str, fetched: list[_Post]) -> tuple[str | None, bool]:
    """A single post saved alone (``/posts/ID.json``) says nothing of the topic's other posts,
    except through its ``reply_count``: replies counted there are missing for certain."""
    if len(fetched) != 1:
        return None, False
    post = fetched[0]
    whole = _PRINT_HINT.format(tid=tid)
    if post.reply_count:
        replies = "1 reply" if post.reply_count == 1 else f"{post.reply_count} replies"
        return (f"the source is one post (#{post.number or '?'}) and its reply_count counts {replies} it does not hold: "
                f"the topic's other posts are not in the import; {whole}"), True
    if post.number != 1:  # the opening post is missing: noted already
        return None, False
    return f"the source is one post (#1), which does not say whether the topic has other posts; {whole}", False


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


def _make_reply(post: _Post, reply_id: str, parent_id, base, slug, authors, by_number, accepted: int | None) -> Reply:
    permalink = _permalink(post, base, slug)
    text = _post_body(post, base, permalink)
    posted_at = post.created
    return Reply(
        id=reply_id,
        author=post.username,
        body=text,
        number=post.number,
        permalink=permalink,
        posted_at=posted_at,
        posted_at_text=post.created_at if posted_at is None and post.created_at else None,
        parent_id=parent_id,
        mentions=common.find_mentions(body.prose_words(text), authors, by_number),
        engagement=Engagement(likes=post.likes, replies=post.reply_count, reads=post.reads, accepted=accepted),
    )


def _post_body(post: _Post, base: str | None, permalink: str | None) -> str:
    if post.cooked and post.cooked.strip():
        return cooked_to_body(post.cooked, base, post.polls, permalink)
    if post.raw:
        return raw_to_body(post.raw, permalink)
    return ""


# ---------------------------------------------------------------------------- addresses

_TOPIC_IN_URL = re.compile(r"/t/(?:[^/]*[^/0-9][^/]*/)?(\d+)(?:/\d+)?/?(?:[?#].*)?$")


def _site_base(documents, posts: list[_Post], selector: str | None = None) -> tuple[str | None, str | None]:
    """The forum's address (from the source's URL, a topic address given as ``--thread``, the
    posts' ``post_url``, else their avatar paths, noted), or a note that the thread will have
    no links."""
    for text in [doc.name for doc in documents] + [selector or ""]:
        base = _base_from_url(text.strip())
        if base:
            return base, None
    for post in posts:
        base = _base_from_url(post.post_url or "")
        if base:
            return base, None
    for post in posts:
        match = _AVATAR_HOST.match(post.avatar_template or "")
        if match:
            base = _avatar_forum(match)
            return base, f"permalinks use {base}, the forum address found in the posts' avatar paths"
    return None, ("the source names no forum address (no URL, post_url or avatar host): the thread and its posts "
                  "have no links; give the topic's address as --thread to have them")


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
