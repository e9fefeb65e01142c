"""Recognising mail archives and cutting them into messages, working on raw bytes.

The sniffing helpers tell an RFC 5322 header block and Mailman's text archive apart
(the readers' ``sniff`` functions build on them), and :func:`split_mailbox` cuts an mbox
into :class:`RawMessage` chunks at ``From `` lines by hand rather than with
``mailbox.mbox``, so undecodable bytes or unescaped "From " in bodies do not lose the archive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SNIFF_BYTES = 8192

# ---------------------------------------------------------------------------- sniffing

_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_KEY_HEADERS = (b"from", b"subject", b"date", b"message-id")
# "From sender  Www Mmm dd hh:mm:ss yyyy" (asctime, as mbox writers and Mailman put it)
_STRICT_FROM_LINE = re.compile(
    rb"^From (?P<sender>\S+(?: \S+ \S+)?)\s+(?:[A-Z][a-z]{2},? )?[A-Z][a-z]{2}\s+\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?"
    rb"(?:\s+(?:[A-Z]{3,5}|[+-]\d{4}))?\s+\d{4}\s*$"
)
# Mailman's 'From %(email)s  %(fromdate)s': the address ("user at host" when obscured), two spaces, ctime
_PIPERMAIL_FROM_LINE = re.compile(
    rb"^From (?P<sender>\S+(?: \S{1,12} \S+)?)  [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}\r?$"
)
_PIPERMAIL_FROM_HEADER = re.compile(rb"^From: [^<>()\r\n]*\(.*\)\r?$")


def _head_lines(data: bytes) -> list[bytes]:
    head = data[:_SNIFF_BYTES]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip(b"\r\n\t ").split(b"\n")


def looks_like_pipermail(data: bytes) -> bool:
    """Mailman 2's text archive: ``From x at y  <ctime>``, then its fixed From/Date/Subject order
    with ``From: address (Name)``; either the obscured address or that exact shape is enough."""
    try:
        lines = _head_lines(data)
        first = _PIPERMAIL_FROM_LINE.match(lines[0]) if len(lines) >= 4 else None
        if not first or not lines[1].startswith(b"From: "):
            return False
        obfuscated = b" " in first.group("sender")
        mailman_order = (
            lines[2].startswith(b"Date: ")
            and lines[3].startswith(b"Subject: ")
            and bool(_PIPERMAIL_FROM_HEADER.match(lines[1]))
        )
        return obfuscated or mailman_order
    except Exception:  # a sniffer must never raise
        return False


def looks_like_message_headers(data: bytes) -> bool:
    """An RFC 5322 header block: header lines up to the first blank line, with the key fields."""
    lines = _head_lines(data)
    if not lines or not _HEADER_LINE.match(lines[0]):
        return False
    names: set[bytes] = set()
    good = bad = 0
    for line in lines[:200]:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue
        if _HEADER_LINE.match(line):
            good += 1
            names.add(line.split(b":", 1)[0].strip().lower())
        else:
            bad += 1
    key = sum(1 for name in _KEY_HEADERS if name in names)
    return good >= 3 and key >= 2 and bad * 5 <= good



# ---------------------------------------------------------------------------- splitting

@dataclass(frozen=True)
class RawMessage:
    """One message's bytes, with where it starts (for notes) and its ``From `` line."""

    doc_name: str
    doc_index: int
    offset: int
    from_line: bytes | None
    data: bytes


_FROM_DATE_HINT = re.compile(rb"\d{1,2}:\d{2}.*\d{4}|\d{4}.*\d{1,2}:\d{2}")
_MBOXRD_ESCAPE = re.compile(rb"(?m)^>(>*From )")


def split_mailbox(data: bytes, doc_name: str = "", doc_index: int = 0) -> list[RawMessage]:
    """Cut an mbox into messages at ``From `` lines; a file without one is a single message.

    A ``From `` line counts when it has the asctime shape, or when it follows a blank line,
    is followed by a header line and carries a date: bodies that start a line with
    "From " (unescaped, as Mailman's text archives do) are not cut.
    """
    lines = data.split(b"\n")
    starts = []
    position = 0
    for line in lines:
        starts.append(position)
        position += len(line) + 1
    first_content = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first_content is None:
        return []
    separators = [i for i in range(first_content, len(lines)) if _is_separator(lines, i, first_content)]
    messages: list[RawMessage] = []
    if not separators or separators[0] != first_content:
        end = starts[separators[0]] if separators else len(data)
        messages.append(RawMessage(doc_name, doc_index, starts[first_content], None, data[starts[first_content]:end]))
    for n, index in enumerate(separators):
        begin = starts[index + 1] if index + 1 < len(lines) else len(data)
        end = starts[separators[n + 1]] if n + 1 < len(separators) else len(data)
        chunk = _MBOXRD_ESCAPE.sub(rb"\1", data[begin:end])
        messages.append(RawMessage(doc_name, doc_index, starts[index], lines[index].rstrip(b"\r"), chunk))
    return messages


def _is_separator(lines: list[bytes], i: int, first_content: int) -> bool:
    line = lines[i]
    if not line.startswith(b"From "):
        return False
    if _STRICT_FROM_LINE.match(line):
        return True
    next_is_header = i + 1 < len(lines) and bool(_HEADER_LINE.match(lines[i + 1]))
    if i == first_content:
        return next_is_header
    previous_blank = not lines[i - 1].strip()
    return previous_blank and next_is_header and bool(_FROM_DATE_HINT.search(line))
