"""Our own canonical thread JSON: written by ``digest import``, read by every other command.

Round-trips exactly: ``dumps(read(dumps(t))) == dumps(t)``.  Errors name the JSON path.
A file saved as UTF-16 (Windows PowerShell's ``>``) is read like UTF-8.  Bodies are HTML that
the digest and its web archive show as it is, so a body holding markup outside the body subset
(a hand edit, or a file from elsewhere: ``<script>``, ``onerror=``) is sanitized as every
importer's output is, with a note.
"""

from __future__ import annotations

import dataclasses
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
import numpy as np
from msgspec.structs import asdict, astuple

from digest.body import BODY_TAGS, clean
from digest.errors import SourceError
from digest.model import SCHEMA_VERSION, Engagement, Mention, Reply, Thread, from_fields, gc_paused

DESCRIPTION = "digest's canonical thread JSON (the output of `digest import`)"


def sniff(doc) -> bool:
    head = _utf8(doc.data[:4096]).removeprefix(_BOM).lstrip()
    return head.startswith(b"{") and b'"digest_thread"' in head


_BOM = b"\xef\xbb\xbf"  # editors on Windows write one; JSON decoders refuse it


def _utf8(data: bytes) -> bytes:
    """UTF-16 or UTF-32 JSON (with or without a byte order mark) as UTF-8; other bytes as they are."""
    encoding = json.detect_encoding(data[:4])
    if not encoding.startswith(("utf-16", "utf-32")):
        return data
    return data.decode(encoding, "replace").removeprefix("\ufeff").encode("utf-8")


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
    data = _utf8(data).removeprefix(_BOM) if isinstance(data, bytes) else data.removeprefix("\ufeff")
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
        except UnicodeDecodeError:  # a string holding bytes that are not UTF-8 (a hand edit saved as Latin-1)
            raise _not_utf8(data, name) from None
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
    except (msgspec.MsgspecError, RecursionError):  # too deep to skip: the first error is reported
        return SCHEMA_VERSION


def _check_version(version: Any, name: str) -> None:
    if isinstance(version, str) and version.strip() == str(SCHEMA_VERSION):  # a hand edit quoted the number
        raise SourceError(f"the schema version is the number {SCHEMA_VERSION}, not the string {version!r}",
                          where=f"{name} at $.digest_thread", fix=f'write "digest_thread": {SCHEMA_VERSION}')
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
    except UnicodeDecodeError:
        raise _not_utf8(data, name) from None
    except RecursionError:
        raise SourceError("JSON nested too deeply to read", where=name, fix="repair the file, or re-create it with `digest import`") from None


def _not_utf8(data: bytes | str, name: str) -> SourceError:
    """Where the first byte that is not UTF-8 is, by line, column and byte offset."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")
    try:
        raw.decode("utf-8")
        start = 0
    except UnicodeDecodeError as exc:
        start = exc.start
    line = raw.count(b"\n", 0, start) + 1
    column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
    return SourceError(f"not UTF-8 text: byte {raw[start:start + 1]!r} at line {line}, column {column} (byte offset {start})",
                       where=name, fix="re-save the file as UTF-8 (an editor's 'Save as… UTF-8'), or re-create it with `digest import`")


def _utc(value: datetime | None, where: str) -> datetime | None:
    if value is None or value.tzinfo is timezone.utc:
        return value
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00:00+14:00 is in year 0 in UTC
        raise SourceError("a time outside the years 1 to 9999 once moved to UTC", where=where, fix=_FIX) from None


def _replies(wires: list, engagements: dict, name: str, *, opening: bool = False) -> tuple[Reply, ...]:
    """Checked replies as the model's ``Reply``s (``$.replies``, or ``[$.opening_post]``), built
    as ``from_fields`` builds them (inlined: this runs for every reply of 100,000-reply threads),
    equal engagements shared.  The wire Struct has the model's fields in the model's order, and
    ``Reply(...)`` would check them again."""
    new, values_of, names, utc, shared = object.__new__, astuple, _REPLY_FIELDS, timezone.utc, engagements.get
    replies = []
    for index, wire in enumerate(wires):
        reply = new(Reply)
        values = vars(reply)
        values.update(zip(names, values_of(wire)))
        values["engagement"] = shared(wire.engagement) or _shared(wire.engagement, engagements)
        if wire.mentions or (wire.posted_at is not None and wire.posted_at.tzinfo is not utc):  # few replies
            _model_values(values, wire, name, None if opening else index)
        replies.append(reply)
    return tuple(replies)


_REPLY_FIELDS = tuple(f.name for f in fields(Reply))


def _shared(engagement: Any, engagements: dict) -> Engagement:
    """The model's ``Engagement`` for these counts, from now on shared by replies with equal counts."""
    engagements[engagement] = model = from_fields(Engagement, zip(_ENGAGEMENT_FIELDS, astuple(engagement)))
    return model


def _model_values(values: dict[str, Any], wire: Any, name: str, index: int | None) -> None:
    """A reply's mentions as ``Mention``s and its time in UTC (``$.replies[index]``, or the opening post's)."""
    if wire.mentions:
        values["mentions"] = tuple(from_fields(Mention, zip(_MENTION_FIELDS, astuple(m))) for m in wire.mentions)
    if wire.posted_at is not None and wire.posted_at.tzinfo is not timezone.utc:
        where = "$.opening_post" if index is None else f"$.replies[{index}]"
        values["posted_at"] = _utc(wire.posted_at, f"{name} at {where}.posted_at")


_ENGAGEMENT_FIELDS = tuple(f.name for f in fields(Engagement))
_MENTION_FIELDS = tuple(f.name for f in fields(Mention))


def _check_links(thread: Thread, name: str) -> None:
    """Ids are unique and not empty; a reply answers an earlier reply (thread order, so no
    reply answers itself or a loop); a mention's reply id names a reply of the thread.
    Checked in bulk (threads of 100,000 replies); the message is built only for the reply at fault."""
    replies, position, parents = thread.replies, thread.links.position, thread.links.parent
    if len(position) < len(replies) or not all(map(str.strip, position)):
        seen: dict[str, int] = {}
        for i, reply in enumerate(replies):
            first = seen.setdefault(reply.id, i)
            if first != i or not reply.id.strip():
                problem = f"duplicate reply id {reply.id!r} (also at $.replies[{first}])" if first != i else "empty reply id"
                raise SourceError(problem, where=f"{name} at $.replies[{i}].id", fix=_FIX)
    wrong = np.flatnonzero((parents == -2) | (parents >= np.arange(len(replies))))  # not in the thread, or not earlier
    if wrong.size:
        i = int(wrong[0])
        parent = position.get(replies[i].parent_id, -1)
        problem = (f"answers reply {replies[i].parent_id!r}, which is not in the thread" if parent < 0
                   else "answers itself" if parent == i else f"answers a later reply ($.replies[{parent}])")
        raise SourceError(problem, where=f"{name} at $.replies[{i}].parent_id", fix=_PARENT_FIX)
    for i in thread.links.mentioning:
        for k, mention in enumerate(replies[i].mentions):
            if mention.reply_id is not None and mention.reply_id not in position:
                raise SourceError(f"mentions reply {mention.reply_id!r}, which is not in the thread",
                                  where=f"{name} at $.replies[{i}].mentions[{k}].reply_id",
                                  fix="set reply_id to null, or to a reply's id")


_PARENT_FIX = ("set parent_id to null (the reply then answers the thread) or to an earlier reply's id; "
               "replies are in thread order, each after the one it answers")


def _thread(wire: Any, name: str) -> Thread:
    engagements: dict = {}
    values = {k: v for k, v in asdict(wire).items() if k != "digest_thread"}
    values["retrieved_at"] = _utc(wire.retrieved_at, f"{name} at $.retrieved_at")
    values["replies"] = _replies(wire.replies, engagements, name)
    values["opening_post"] = _replies([wire.opening_post], engagements, name, opening=True)[0] if wire.opening_post else None
    thread = Thread(**values)
    _check_links(thread, name)
    if wire.total_replies is not None and wire.total_replies < 0:
        raise SourceError(f"a negative count ({wire.total_replies})", where=f"{name} at $.total_replies", fix=_FIX)
    plain = _OTHER_THAN_PLAIN_TAGS.search  # told apart first, without a call each (100,000 replies)
    posts = ((thread.opening_post,) if thread.opening_post else ()) + thread.replies
    sanitized = [reply.id for reply in posts if plain(reply.body) and _outside_subset(reply.body)]
    if not sanitized:
        return thread
    ids = set(sanitized)
    return dataclasses.replace(
        thread, replies=tuple(_sanitized(reply, ids) for reply in thread.replies),
        opening_post=_sanitized(thread.opening_post, ids) if thread.opening_post else None,
        import_notes=(*thread.import_notes, _sanitized_note(sanitized)),
    )


# A body digest wrote holds only these tags, with at most an http(s)/mailto or relative link,
# a list's start or the signature class: anything else left after removing them ("<script",
# "<img onerror=", "<a href=\"javascript:", a comment) needs the sanitizer.  Checking is cheap;
# sanitizing every body of a 100,000-reply thread is not.
# An href may hold the escapes the sanitizer writes in attributes (a URL with "<" or ">" in it), and
# whitespace after an http(s) or mailto scheme; never before its colon, where a browser drops it ("java\tscript:").
_HREF_ESCAPE = r"&(?:amp|lt|gt|quot|nbsp);"
_SUBSET_TAG = re.compile(
    r"</?(?:" + "|".join(sorted(BODY_TAGS)) + r")"
    rf'(?: href="(?:(?:https?|mailto):(?:[^"<>&]|{_HREF_ESCAPE})*|(?![\w+.-]*:)(?:[^"<>&\s]|{_HREF_ESCAPE})*)"'
    r'| start="\d+"| class="(?:signature)?")?\s*/?>'  # the sanitizer keeps an empty class (Outlook's <p class="">)
)


# Most bodies hold only tags without attributes: one search tells them apart.
_OTHER_THAN_PLAIN_TAGS = re.compile(r"<(?!/?(?:p|em|strong|br|li|ul|ol|blockquote|pre|code|hr)>|/a>)")


def _outside_subset(body: str) -> bool:
    return _OTHER_THAN_PLAIN_TAGS.search(body) is not None and "<" in _SUBSET_TAG.sub("", body)


def _sanitized(reply: Reply, ids: set[str]) -> Reply:
    return dataclasses.replace(reply, body=clean(reply.body)) if reply.id in ids else reply


def _sanitized_note(ids: list[str]) -> str:
    shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
    return (f"{len(ids)} repl{'y' if len(ids) == 1 else 'ies'} ({shown}) held HTML outside the body subset "
            "(such as a script, an event handler or an unknown tag), which was removed as every import removes it")
