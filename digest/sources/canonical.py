"""Our own canonical thread JSON: written by ``digest import``, read by every other command.

Round-trips exactly: ``dumps(read(dumps(t))) == dumps(t)``.  Errors name the JSON path.
"""

from __future__ import annotations

import json

import orjson
from dataclasses import fields
from datetime import datetime, timezone
from typing import Any

from digest.errors import SourceError
from digest.model import SCHEMA_VERSION, Engagement, Mention, Reply, Thread, from_fields, gc_paused

DESCRIPTION = "digest's canonical thread JSON (the output of `digest import`)"


def sniff(doc) -> bool:
    head = doc.data[:4096].lstrip()
    return head.startswith(b"{") and b'"digest_thread"' in head


def read(request) -> Thread:
    doc = request.documents[0]
    return loads(doc.data, doc.name)


def loads(data: bytes | str, name: str) -> Thread:
    with gc_paused():
        try:
            raw = orjson.loads(data)
        except orjson.JSONDecodeError:
            raw = _loads_reporting(data, name)
        thread = thread_from_dict(raw, name)
        del raw  # freed before collection resumes, so it is never walked
    return thread


def _loads_reporting(data: bytes | str, name: str) -> Any:
    """orjson is fast but its messages are terse: re-parse with json for line and column."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            where=name,
            fix="repair the file, or re-create it with `digest import`",
        ) from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text (byte offset {exc.start})", where=name) from None


def dumps(thread: Thread) -> str:
    return json.dumps(thread_to_dict(thread), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------- writing

def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    # isoformat pads the year to four digits (strftime("%Y") does not for years < 1000).
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": reply.id,
        "number": reply.number,
        "permalink": reply.permalink,
        "author": reply.author,
        "posted_at": _time(reply.posted_at),
        "posted_at_text": reply.posted_at_text,
        "parent_id": reply.parent_id,
        "title": reply.title,
        "mentions": [
            {"text": m.text, "name": m.name, "number": m.number, "reply_id": m.reply_id} for m in reply.mentions
        ],
        "engagement": reply.engagement.items(),
        "body": reply.body,
    }
    if reply.editor_pick is not None:
        out["editor_pick"] = reply.editor_pick
    return out


def thread_to_dict(thread: Thread) -> dict[str, Any]:
    return {
        "digest_thread": SCHEMA_VERSION,
        "id": thread.id,
        "title": thread.title,
        "url": thread.url,
        "source_format": thread.source_format,
        "note": thread.note,
        "retrieved_at": _time(thread.retrieved_at),
        "partial": thread.partial,
        "total_replies": thread.total_replies,
        "author": thread.author,
        "import_notes": list(thread.import_notes),
        "opening_post": reply_to_dict(thread.opening_post) if thread.opening_post else None,
        "replies": [reply_to_dict(r) for r in thread.replies],
    }


# ---------------------------------------------------------------------------- reading

class _Reader:
    """Typed access into parsed JSON that reports the JSON path of anything wrong."""

    def __init__(self, name: str):
        self.name = name

    def fail(self, path: str, message: str):
        raise SourceError(message, where=f"{self.name} at {path}", fix="repair the value, or re-create the file with `digest import`")

    def get(self, obj: dict, key: str, path: str, kind, *, required: bool = False, default=None):
        if key not in obj or obj[key] is None:
            if required:
                self.fail(f"{path}.{key}", f"missing required key {key!r}")
            return default
        value = obj[key]
        if kind is int and isinstance(value, bool):
            self.fail(f"{path}.{key}", "expected a whole number, found true/false")
        if not isinstance(value, kind):
            self.fail(f"{path}.{key}", f"expected {_kind_name(kind)}, found {type(value).__name__}")
        return value

    def time(self, obj: dict, key: str, path: str) -> datetime | None:
        text = self.get(obj, key, path, str)
        if text is None:
            return None
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{path}.{key}", f"not an ISO 8601 time: {text!r}")
        if value.tzinfo is None:
            self.fail(f"{path}.{key}", f"time without a UTC offset: {text!r}")
        return value.astimezone(timezone.utc)

    def keys(self, obj: Any, path: str, allowed: set[str]) -> dict:
        if not isinstance(obj, dict):
            self.fail(path, f"expected an object, found {type(obj).__name__}")
        unknown = sorted(set(obj) - allowed)
        if unknown:
            self.fail(f"{path}.{unknown[0]}", f"unknown key {unknown[0]!r} (known: {', '.join(sorted(allowed))})")
        return obj


def _kind_name(kind) -> str:
    return {str: "a string", int: "a whole number", bool: "true/false", list: "a list", dict: "an object"}.get(kind, str(kind))


_REPLY_KEYS = {
    "id", "number", "permalink", "author", "posted_at", "posted_at_text", "parent_id", "title",
    "mentions", "engagement", "body", "editor_pick",
}
_THREAD_KEYS = {
    "digest_thread", "id", "title", "url", "source_format", "note", "retrieved_at", "partial",
    "total_replies", "author", "import_notes", "opening_post", "replies",
}
_ENGAGEMENT_KEYS = {f.name for f in fields(Engagement)}


def _reply(r: _Reader, obj: Any, path: str) -> Reply:
    obj = r.keys(obj, path, _REPLY_KEYS)
    mentions = []
    for i, m in enumerate(r.get(obj, "mentions", path, list, default=[])):
        mpath = f"{path}.mentions[{i}]"
        m = r.keys(m, mpath, {"text", "name", "number", "reply_id"})
        mentions.append(
            Mention(
                text=r.get(m, "text", mpath, str, required=True),
                name=r.get(m, "name", mpath, str),
                number=r.get(m, "number", mpath, int),
                reply_id=r.get(m, "reply_id", mpath, str),
            )
        )
    eng = r.keys(r.get(obj, "engagement", path, dict, default={}), f"{path}.engagement", _ENGAGEMENT_KEYS)
    engagement = Engagement(**{k: r.get(eng, k, f"{path}.engagement", int) for k in eng})
    return Reply(
        id=r.get(obj, "id", path, str, required=True),
        author=r.get(obj, "author", path, str, required=True),
        body=r.get(obj, "body", path, str, required=True),
        number=r.get(obj, "number", path, int),
        permalink=r.get(obj, "permalink", path, str),
        posted_at=r.time(obj, "posted_at", path),
        posted_at_text=r.get(obj, "posted_at_text", path, str),
        parent_id=r.get(obj, "parent_id", path, str),
        title=r.get(obj, "title", path, str),
        mentions=tuple(mentions),
        engagement=engagement,
        editor_pick=r.get(obj, "editor_pick", path, bool),
    )


_EMPTY_ENGAGEMENT = Engagement()
_NO_COUNTS = {f.name: None for f in fields(Engagement)}


def _reply_fast(obj: Any, engagements: dict[tuple, Engagement]) -> Reply | None:
    """The common, well-formed reply without per-key bookkeeping (100,000-reply threads
    must load in about the time of a bare ``json.load``).  Anything unusual returns None
    and goes through ``_reply``, which builds it or names exactly what is wrong.  Checked
    values are put together with ``from_fields``; equal engagement counts share one
    (immutable) ``Engagement`` through ``engagements``."""
    if type(obj) is not dict or not obj.keys() <= _REPLY_KEYS or obj.get("mentions"):
        return None
    get = obj.get
    reply_id, author, body, number = get("id"), get("author"), get("body"), get("number")
    if type(reply_id) is not str or type(author) is not str or type(body) is not str:
        return None
    if number is not None and type(number) is not int:
        return None
    permalink, posted_text, parent_id, title = get("permalink"), get("posted_at_text"), get("parent_id"), get("title")
    for value in (permalink, posted_text, parent_id, title):
        if value is not None and type(value) is not str:
            return None
    posted = get("posted_at")
    posted_at = None
    if posted is not None:
        if type(posted) is not str or not posted.endswith("Z"):
            return None
        try:
            posted_at = datetime.fromisoformat(posted)
        except ValueError:
            return None
    counts = get("engagement")
    if counts:
        if type(counts) is not dict or not counts.keys() <= _ENGAGEMENT_KEYS:
            return None
        if any(type(v) is not int for v in counts.values()):
            return None
        key = tuple(counts.items())
        engagement = engagements.get(key)
        if engagement is None:
            engagement = engagements[key] = from_fields(Engagement, {**_NO_COUNTS, **counts})
    else:
        engagement = _EMPTY_ENGAGEMENT
    pick = get("editor_pick")
    if pick is not None and type(pick) is not bool:
        return None
    return from_fields(Reply, {
        "id": reply_id, "author": author, "body": body, "number": number, "permalink": permalink,
        "posted_at": posted_at, "posted_at_text": posted_text, "parent_id": parent_id,
        "mentions": (), "engagement": engagement, "title": title, "editor_pick": pick,
    })


def thread_from_dict(raw: Any, name: str) -> Thread:
    r = _Reader(name)
    obj = r.keys(raw, "$", _THREAD_KEYS)
    version = r.get(obj, "digest_thread", "$", int, required=True)
    if version != SCHEMA_VERSION:
        r.fail("$.digest_thread", f"schema version {version} is not supported (this digest reads {SCHEMA_VERSION})")
    engagements: dict[tuple, Engagement] = {}
    replies = tuple(
        _reply_fast(item, engagements) or _reply(r, item, f"$.replies[{i}]")
        for i, item in enumerate(r.get(obj, "replies", "$", list, required=True))
    )
    seen: dict[str, int] = {}
    for i, reply in enumerate(replies):
        if reply.id in seen:
            r.fail(f"$.replies[{i}].id", f"duplicate reply id {reply.id!r} (also at $.replies[{seen[reply.id]}])")
        seen[reply.id] = i
    opening = obj.get("opening_post")
    return Thread(
        id=r.get(obj, "id", "$", str, required=True),
        title=r.get(obj, "title", "$", str),
        url=r.get(obj, "url", "$", str),
        replies=replies,
        source_format=r.get(obj, "source_format", "$", str, default="canonical"),
        note=r.get(obj, "note", "$", str),
        retrieved_at=r.time(obj, "retrieved_at", "$"),
        partial=r.get(obj, "partial", "$", bool, default=False),
        total_replies=r.get(obj, "total_replies", "$", int),
        author=r.get(obj, "author", "$", str),
        opening_post=_reply(r, opening, "$.opening_post") if opening is not None else None,
        import_notes=tuple(r.get(obj, "import_notes", "$", list, default=[])),
    )
