"""Helpers every reader shares: stable reply ids, times, mentions, thread assembly."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from digest.body import plain_words
from digest.model import Mention, Reply


def stable_id(*, source_id: str | int | None = None, permalink: str | None = None, author: str = "", body: str = "") -> str:
    """A reply id that survives re-imports: the source's own id, else its permalink, else
    a hash of author and opening text.  Never the position in an export."""
    if source_id is not None and str(source_id).strip():
        return str(source_id).strip()
    if permalink:
        return "p-" + hashlib.sha1(permalink.encode()).hexdigest()[:12]
    opening = plain_words(body)[:200]
    return "h-" + hashlib.sha1(f"{author}\n{opening}".encode()).hexdigest()[:12]


INT64 = range(-(2**63), 2**63)  # the canonical JSON's whole numbers


def whole_number(value) -> int | None:
    """A count or id from text ("12", " 7 "), or None when it is not one or does not fit
    the canonical JSON's 64-bit integers."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number in INT64 else None


def count(value) -> int | None:
    """A number of things from text, or None when it is not one (negative ones are not)."""
    number = whole_number(value)
    return number if number is not None and number >= 0 else None


def utc(value: datetime | None) -> datetime | None:
    """Normalize to an aware UTC datetime in whole seconds (the canonical JSON's precision);
    a naive time is taken to be UTC already.  None when it cannot be expressed in UTC."""
    if value is None:
        return None
    try:
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    return value.replace(microsecond=0)


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
    except (ValueError, OverflowError):
        return None


def parse_epoch(value: int | float | str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), tz=timezone.utc) if value is not None else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_mail_date(text: str | None) -> datetime | None:
    """RFC 2822 dates as found in the wild; None when unreadable (never a guess).

    A zone name Python's email package does not know ("JST", "MET DST", "GMT+1") is read
    with :func:`zone_offset`; a name neither knows gives None, not a time taken as UTC.
    A date without any zone is read as UTC (callers that care check for the zone)."""
    if not text:
        return None
    text = str(text).strip()
    named = _NAMED_ZONE.search(text)
    try:
        if named is None or named.group("name").upper() in _EMAIL_ZONES:
            return utc(parsedate_to_datetime(text))
        offset = zone_offset(named.group("name"))
        if offset is None:
            return None
        local = parsedate_to_datetime(text[:named.start("name")] + text[named.end("name"):])
        return utc(local.replace(tzinfo=timezone(offset)))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


# Zone abbreviations in common use that name one offset only (IST: India, Israel or Ireland;
# CST: also China; AST: also Arabia -- RFC 822's North American meanings are kept for those
# it defines, as Python's email package reads them)
_ZONE_MINUTES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60,
    "CET": 60, "CEST": 120, "MET": 60, "MEST": 120, "MET DST": 120, "MEZ": 60, "MESZ": 120,
    "EET": 120, "EEST": 180, "MSK": 180, "MSD": 240, "SAST": 120, "EAT": 180, "WAT": 60,
    "PKT": 300, "ICT": 420, "WIB": 420, "HKT": 480, "SGT": 480, "AWST": 480, "PHT": 480,
    "JST": 540, "KST": 540, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
    "AST": -240, "ADT": -180, "NST": -210, "NDT": -150, "AKST": -540, "AKDT": -480, "HST": -600,
    "BRT": -180, "BRST": -120, "ART": -180,
}
_EMAIL_ZONES = {"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "AST", "ADT"}
# "GMT+1", "UTC-05:00", "GMT+0530": an offset written after the name (meaning east of UTC, as people write it)
_NAMED_OFFSET = re.compile(r"^(?:GMT|UTC|UT)\s*(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?$", re.IGNORECASE)
# the zone after the time of day (ctime puts the year after it), unless a numeric offset is there
_NAMED_ZONE = re.compile(
    r"\d:\d\d(?::\d\d)?\s+(?:\d{4}\s+)?(?P<name>(?:GMT|UTC|UT)\s*[+-]\d{1,2}(?::?\d{2})?\b"
    r"|(?![AaPp][Mm]\b)[A-Za-z]{1,5}(?:\s+DST)?\b)"
)


def zone_offset(name: str) -> timedelta | None:
    """The UTC offset a time zone abbreviation stands for ("JST", "MET DST", "GMT+1"), or
    None for a name that is unknown or means several offsets (never a guess)."""
    key = " ".join(str(name).split()).upper()
    if key in _ZONE_MINUTES:
        return timedelta(minutes=_ZONE_MINUTES[key])
    match = _NAMED_OFFSET.match(key)
    if not match or int(match.group("hours")) > 14 or int(match.group("minutes") or 0) > 59:
        return None
    minutes = int(match.group("hours")) * 60 + int(match.group("minutes") or 0)
    return timedelta(minutes=-minutes if match.group("sign") == "-" else minutes)


_MENTION_RE = re.compile(
    r"(?<![\w.=/:+-])@\s?(?P<name>[^\s#@,.:;!?()<>\"/]+(?: [A-Z][^\s#@,.:;!?()<>\"/]+)*)"
    r"|\b(?i:post|comment|reply|message)\s+(?P<bare>#(?P<bare_num>\d{1,6}))\b"
)
_NUMBER_AFTER = re.compile(r"[ \t]*/?#(\d{1,6})\b")  # "@Name #52", also "@Name/#52"
_FILE_NAME_GOES_ON = re.compile(r"\.\w")  # "@data.json", "@types/node": a file or package, no one's name


class AuthorNames:
    """A thread's author names, looked up at a position of a text: the longest name written
    there (case ignored), in as many steps as there are distinct name lengths — not one per
    author, since threads of thousands of authors mention each other thousands of times.
    Build it once per thread and pass it to every ``find_mentions`` call."""

    def __init__(self, names):
        names = set(names)
        self.by_key = {name.casefold(): name for name in names}
        self.lengths = sorted({len(name) for name in names}, reverse=True)

    def at(self, text: str, start: int) -> str | None:
        """The author's name as written at ``text[start:]``, ending at a word boundary."""
        for length in self.lengths:
            end = start + length
            if end <= len(text) and text[start:end].casefold() in self.by_key and (end == len(text) or not text[end].isalnum()):
                return text[start:end]
        return None


def find_mentions(text: str, authors=frozenset(), numbers: dict[int, str] | None = None) -> tuple[Mention, ...]:
    """``@Name``, ``@Name #52`` and "post #53" references in plain text.

    The name is the run of capitalised words when a ``#number`` follows it, else a thread
    author's name when one matches (``authors``: an ``AuthorNames``, or any names), else the
    run (words of two letters or more: "@bob U can" names bob).  An ``@`` inside a word,
    an address or an option (``config=@file``) and a file name (``@data.json``) name no one.  ``reply_id`` is set only from a comment number that exists in ``numbers``; a name
    alone never resolves (names are not unique).
    """
    numbers = numbers or {}
    names = authors if isinstance(authors, AuthorNames) else AuthorNames(authors)
    found: list[Mention] = []
    for match in _MENTION_RE.finditer(text):
        if match.group("bare"):
            number = int(match.group("bare_num"))
            found.append(Mention(text=match.group("bare"), number=number, reply_id=numbers.get(number)))
            continue
        start = match.start("name")
        name = match.group("name")
        if not _NUMBER_AFTER.match(text, start + len(name)):
            author = names.at(text, start)
            if author is None and _FILE_NAME_GOES_ON.match(text, start + len(name)):
                continue
            name = author or name
        end = start + len(name)
        number_match = _NUMBER_AFTER.match(text, end)
        number = int(number_match.group(1)) if number_match else None
        full = text[match.start(): number_match.end() if number_match else end]
        found.append(Mention(text=full, name=name, number=number, reply_id=numbers.get(number) if number else None))
    return tuple(found)


def order_by_parents(replies: list[Reply]) -> list[Reply]:
    """Depth-first thread order (each reply followed by its answers), stable by position.
    Replies whose parent is missing keep their place at the top level."""
    ids = {r.id for r in replies}
    children: dict[str | None, list[Reply]] = {}
    for reply in replies:
        parent = reply.parent_id if reply.parent_id in ids else None
        children.setdefault(parent, []).append(reply)
    ordered: list[Reply] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        reply = stack.pop()
        ordered.append(reply)
        stack.extend(reversed(children.get(reply.id, [])))
    if len(ordered) < len(replies):  # parents that form a loop: keep those replies, in place order
        placed = {id(r) for r in ordered}
        ordered.extend(r for r in replies if id(r) not in placed)
    return ordered


def listing(choices, limit: int = 20) -> str:
    """The threads a source holds (anything with ``describe()``), one per indented line, for
    the error that asks the user to choose one with --thread."""
    lines = ["  " + choice.describe() for choice in choices[:limit]]
    if len(choices) > limit:
        lines.append(f"  ... and {len(choices) - limit} more")
    return "\n".join(lines)


# What a spoiler shows in a digest (reddit and Discourse blur it until it is clicked): its text
# stays at the source, behind a link to the reply, as Discourse's own e-mails do it.
SPOILER_LABEL = "[spoiler: read it at the source]"


def spoiler_marker(source: str) -> str:
    return f'<a href="{html.escape(source)}">{SPOILER_LABEL}</a>'


def spoiler_note(bodies: list[str], site: str, reply: str) -> str | None:
    """The import note saying how many spoilers the bodies hide (``site``: "reddit", "the
    forum"; ``reply``: what each marker links to)."""
    hidden = sum(text.count(SPOILER_LABEL) for text in bodies)
    if not hidden:
        return None
    return (f"spoilers not shown: {hidden} (text {site} hides until it is clicked); each reads "
            f"\"{SPOILER_LABEL}\" and links to its {reply}")


# Lines that end a Markdown block: a heading or rule, and an underline below a paragraph's line
_MARKDOWN_HEADING_OR_RULE = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t].*)?|(?:[-*_][ \t]*){3,})$")
_MARKDOWN_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_MARKDOWN_NO_PARAGRAPH = re.compile(r"^\s*(?:$|>|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$))")  # blank, quote, list item
_MARKDOWN_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})")


def markdown_blocks_apart(text: str) -> str:
    """Markdown text with a blank line after each line that ends a block (a heading, a rule, a
    paragraph's underline) outside code fences: the same HTML, but Python-Markdown parses the rest
    of a paragraph again after each such line, so a run of them took the square of its length."""
    out, fenced, in_paragraph = [], False, False
    for line in text.split("\n"):
        out.append(line)
        if _MARKDOWN_FENCE.match(line):
            fenced, in_paragraph = not fenced, False
        elif fenced:
            continue
        elif _MARKDOWN_HEADING_OR_RULE.match(line) or (in_paragraph and _MARKDOWN_UNDERLINE.match(line)):
            out.append("")
            in_paragraph = False
        else:
            in_paragraph = not _MARKDOWN_NO_PARAGRAPH.match(line)
    return "\n".join(out)


_MARKDOWN_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +|$)")


def lists_nested_by_content(text: str) -> str:
    """Markdown whose nested lists sit under their item's text, as GitHub and reddit nest them
    (two spaces under "- ", three under "1. "), re-indented four spaces a level, as
    Python-Markdown nests them: read as written, every nested item came out at the top level.
    Lines inside an item (a second paragraph, code) move with it, keeping what they have beyond
    its text, and an item after them gets the blank line Python-Markdown needs to see it start;
    text at the margin after a blank line ends the lists."""
    out, items, fenced, previous = [], [], False, "blank"  # items: (marker column, text column) of the open items
    for line in text.split("\n"):
        if _MARKDOWN_FENCE.match(line.lstrip(" ")):
            fenced = not fenced
        if fenced or not line.strip() or "\t" in line[:len(line) - len(line.lstrip())]:
            out.append(line)
            previous = "blank" if not line.strip() else "other"
            continue
        indent = len(line) - len(line.lstrip(" "))
        item = _MARKDOWN_ITEM.match(line)
        while items and indent < items[-1][1] and (item or indent > 0 or previous == "blank"):
            items.pop()  # the line is not inside the last item: a sibling, an outer item, or no list
        if item:
            if previous == "inside":
                out.append("")
            out.append(" " * (4 * len(items)) + line[indent:])
            items.append((indent, indent + len(item.group(2)) + max(len(item.group(3)), 1)))
            previous = "item"
        elif items and indent >= items[-1][1]:
            out.append(" " * (4 * len(items) + indent - items[-1][1]) + line[indent:])
            previous = "inside"
        else:
            out.append(line)
            previous = "other"
    return "\n".join(out)


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def counted(number: int, one: str, many: str | None = None) -> str:
    """``1 comment``, ``3 comments``: a count with its noun in the right number."""
    return f"{number} {one if number == 1 else many or one + 's'}"
