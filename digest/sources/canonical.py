"""Our own canonical thread JSON: written by ``digest import``, read by every other command.

Round-trips exactly: ``dumps(read(dumps(t))) == dumps(t)``.  Errors name the JSON path.
"""

from __future__ import annotations

import functools
import json
import operator
import re
import types
import typing
from dataclasses import MISSING, fields
from datetime import datetime, timezone
from typing import Annotated, Any

import msgspec
from msgspec.structs import asdict

from digest.errors import SourceError
from digest.model import SCHEMA_VERSION, Engagement, Mention, Reply, Thread, from_fields, gc_paused

DESCRIPTION = "digest's canonical thread JSON (the output of `digest import`)"


def sniff(doc) -> bool:
    head = doc.data[:4096].removeprefix(_BOM).lstrip()
    return head.startswith(b"{") and b'"digest_thread"' in head


_BOM = b"\xef\xbb\xbf"  # editors on Windows write one; JSON decoders refuse it


def read(request) -> Thread:
    doc = request.documents[0]
    return loads(doc.data, doc.name)


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
#
# The file's shape is checked by msgspec against Structs made from the model's own
# dataclasses (same fields, same defaults), so the schema cannot drift from the model: types,
# required keys, unknown keys and time offsets are all checked in one pass of compiled code,
# and every error comes with its JSON path.  The checked values then become model objects.

def _wire_type(hint: Any) -> Any:
    """The msgspec type for a model field's type: times must carry an offset, and model
    dataclasses become their (strict) Structs."""
    if hint is datetime:
        return Annotated[datetime, msgspec.Meta(tz=True)]
    if hint in _WIRE:
        return _WIRE[hint]
    args = typing.get_args(hint)
    if not args:
        return hint
    wired = tuple(_wire_type(a) for a in args)
    if isinstance(hint, types.UnionType):
        return functools.reduce(operator.or_, wired)
    return typing.get_origin(hint)[wired]


def _wire(cls: type, name: str, *, first: tuple = (), defaults: dict[str, Any] | None = None, frozen: bool = False) -> type[msgspec.Struct]:
    hints = typing.get_type_hints(cls)
    defaults = defaults or {}
    spec: list[tuple] = list(first)
    for f in fields(cls):
        kind = _wire_type(hints[f.name])
        if f.name in defaults:
            spec.append((f.name, kind, defaults[f.name]))
        elif f.default is not MISSING:
            spec.append((f.name, kind, f.default))
        elif f.default_factory is not MISSING:
            factory = _WIRE.get(f.default_factory, f.default_factory)
            spec.append((f.name, kind, msgspec.field(default_factory=factory)))
        else:
            spec.append((f.name, kind))
    return msgspec.defstruct(name, spec, kw_only=True, forbid_unknown_fields=True, frozen=frozen, gc=False)


_WIRE: dict[type, type[msgspec.Struct]] = {}
_WIRE[Engagement] = _wire(Engagement, "Engagement", frozen=True)  # hashable: equal counts share one object
_WIRE[Mention] = _wire(Mention, "Mention")
_WIRE[Reply] = _wire(Reply, "Reply")
_WireThread = _wire(
    Thread, "Thread", first=(("digest_thread", int),),
    defaults={"title": None, "url": None, "source_format": "canonical"},
)
_DECODER = msgspec.json.Decoder(_WireThread)


class _Version(msgspec.Struct):
    digest_thread: Any = None


def loads(data: bytes | str, name: str) -> Thread:
    data = data.removeprefix(_BOM) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    with gc_paused():
        try:
            wire = _DECODER.decode(data)
        except msgspec.ValidationError as exc:
            _check_version(_version(data), name)
            message, path = _plain(str(exc))
            raise SourceError(message, where=f"{name} at {path}", fix=_FIX) from None
        except msgspec.DecodeError as exc:
            _loads_reporting(data, name)
            raise SourceError(f"not valid JSON: {exc}", where=name, fix=_FIX) from None  # e.g. NaN
        _check_version(wire.digest_thread, name)
        thread = _thread(wire, name)
        del wire  # freed before collection resumes, so it is never walked
    return thread


_FIX = "repair the value, or re-create the file with `digest import`"


_MESSAGES = [  # msgspec's wording -> ours; a key named in the message is added to the path
    (re.compile(r"Object missing required field `(.+)`"), "missing required key '{0}'"),
    (re.compile(r"Object contains unknown field `(.+)`"), "unknown key '{0}'"),
    (re.compile(r"Invalid RFC3339 encoded datetime()"), "not an RFC 3339 time (write it like 2026-07-01T08:00:00Z)"),
    (re.compile(r"Expected `datetime` with a timezone component()"), "time without a UTC offset (add Z for UTC)"),
    (re.compile(r"Expected `(.+)`, got `(.+)`"), "expected {0}, found {1}"),
]


def _plain(message: str) -> tuple[str, str]:
    """(our message, JSON path) for a msgspec validation message."""
    text, _, path = message.partition(" - at ")
    path = path.strip("`") or "$"
    for pattern, ours in _MESSAGES:
        if found := pattern.fullmatch(text):
            if ours.startswith(("missing", "unknown")):
                path = f"{path}.{found.group(1)}"
            return ours.format(*(g.replace("null", "none") for g in found.groups())), path
    return text, path


def _version(data: bytes | str) -> Any:
    """The schema version a file declares, if it declares one: a file of another version
    is reported as that, not as whatever its first difference is."""
    try:
        return msgspec.json.decode(data, type=_Version).digest_thread
    except msgspec.MsgspecError:
        return SCHEMA_VERSION


def _check_version(version: Any, name: str) -> None:
    if version != SCHEMA_VERSION:
        raise SourceError(
            f"schema version {version!r} is not supported (this digest reads {SCHEMA_VERSION})",
            where=f"{name} at $.digest_thread", fix="re-create the file with this digest's `digest import`",
        )


def _loads_reporting(data: bytes | str, name: str) -> None:
    """msgspec gives a byte offset; the json module gives the line and column people want."""
    try:
        json.loads(data)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            where=name,
            fix="repair the file, or re-create it with `digest import`",
        ) from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text (byte offset {exc.start})", where=name) from None


def _utc(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo is timezone.utc else value.astimezone(timezone.utc)


def _reply(wire: Any, engagements: dict) -> Reply:
    """A checked reply as the model's ``Reply``, built with ``from_fields``: the wire Struct
    has the model's fields in the model's order, and ``Reply(...)`` would check them again."""
    values = asdict(wire)
    engagement = engagements.get(wire.engagement)
    if engagement is None:
        engagement = engagements[wire.engagement] = from_fields(Engagement, asdict(wire.engagement))
    values["engagement"] = engagement
    if wire.mentions:
        values["mentions"] = tuple(from_fields(Mention, asdict(m)) for m in wire.mentions)
    values["posted_at"] = _utc(wire.posted_at)
    return from_fields(Reply, values)


def _check_links(replies: tuple[Reply, ...], name: str) -> None:
    """Ids are unique and not empty; a reply answers an earlier reply (thread order, so no
    reply answers itself or a loop); a mention's reply id names a reply of the thread.
    One pass over 100,000 replies: the message is built only for the reply at fault."""
    position: dict[str, int] = {}
    for i, reply in enumerate(replies):
        first = position.setdefault(reply.id, i)
        if first != i or not reply.id.strip():
            problem = f"duplicate reply id {reply.id!r} (also at $.replies[{first}])" if first != i else "empty reply id"
            raise SourceError(problem, where=f"{name} at $.replies[{i}].id", fix=_FIX)
    for i, reply in enumerate(replies):
        if reply.parent_id is not None and not 0 <= position.get(reply.parent_id, -1) < i:
            parent = position.get(reply.parent_id, -1)
            problem = (f"answers reply {reply.parent_id!r}, which is not in the thread" if parent < 0
                       else "answers itself" if parent == i else f"answers a later reply ($.replies[{parent}])")
            raise SourceError(problem, where=f"{name} at $.replies[{i}].parent_id", fix=_PARENT_FIX)
        for k, mention in enumerate(reply.mentions):
            if mention.reply_id is not None and mention.reply_id not in position:
                raise SourceError(f"mentions reply {mention.reply_id!r}, which is not in the thread",
                                  where=f"{name} at $.replies[{i}].mentions[{k}].reply_id",
                                  fix="set reply_id to null, or to a reply's id")


_PARENT_FIX = ("set parent_id to null (the reply then answers the thread) or to an earlier reply's id; "
               "replies are in thread order, each after the one it answers")


def _thread(wire: Any, name: str) -> Thread:
    engagements: dict = {}
    replies = tuple(_reply(r, engagements) for r in wire.replies)
    _check_links(replies, name)
    if wire.total_replies is not None and wire.total_replies < 0:
        raise SourceError(f"a negative count ({wire.total_replies})", where=f"{name} at $.total_replies", fix=_FIX)
    values = {k: v for k, v in asdict(wire).items() if k != "digest_thread"}
    return Thread(
        **values | {
            "replies": replies,
            "retrieved_at": _utc(wire.retrieved_at),
            "opening_post": _reply(wire.opening_post, engagements) if wire.opening_post else None,
        }
    )
