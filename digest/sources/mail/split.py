"""Recognising mail archives and cutting them into messages, working on raw bytes.

The sniffing helpers tell an RFC 5322 header block and Mailman's text archive apart
(the readers' ``sniff`` functions build on them), and :func:`split_mailbox` cuts an mbox
into :class:`RawMessage` chunks at ``From `` lines by hand rather than with
``mailbox.mbox``, so undecodable bytes or unescaped "From " in bodies do not lose the archive.

Which ``From `` lines separate messages: none in a file that does not start with one (a
single RFC 5322 message; the mbox formats leave such files undefined); in a Mailman text
archive only Mailman's own ``From x at y  <ctime>`` line followed by ``From:``; in an MMDF
file (its first line is ``^A^A^A^A``) none: each message sits between two such lines; in an mbox
a line with a date that follows the blank line ending the previous message and starts a
header block (or, in a file whose first message has no headers, as upas wrote local mail,
any ctime-shaped one after a blank line), never inside a body a valid ``Content-Length``
covers (mboxcl), and never git's fixed ``From <sha> Mon Sep 17 00:00:00 2001`` patch
marker unless the file itself is ``git format-patch`` output (its first line is one).
Likewise a From_ line without a date (``From 6027616436443015462``, as in Google Groups'
Usenet mboxes at the Internet Archive) separates messages only when the file's first line
has that shape.  An Apple Mail ``.emlx`` file is one message after a line counting its bytes.
"""

from __future__ import annotations

import bisect
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


# Apple Mail's .emlx: the message's length in bytes on a line of its own, the message,
# then Apple's XML property list of flags and dates
_EMLX_LENGTH = re.compile(rb"^(\d{1,12})[ \t]*\r?\n")
_EMLX_PLIST = re.compile(rb"^(?:<\?xml[^\n]*\n)?(?:<!DOCTYPE plist[^\n]*\n)?<plist\b", re.MULTILINE)


def looks_like_emlx(data: bytes) -> bool:
    """A line holding only a number, then a mail header block."""
    match = _EMLX_LENGTH.match(data)
    return bool(match) and looks_like_message_headers(data[match.end():match.end() + _SNIFF_BYTES])


def _emlx_message(data: bytes, doc_name: str, doc_index: int) -> RawMessage:
    """The message of an Apple Mail ``.emlx`` file: the bytes its first line counts; when
    the count does not end at the property list (a truncated or re-encoded file), the
    message is read up to the list or the end instead, and the note says so."""
    match = _EMLX_LENGTH.match(data)
    start, counted = match.end(), int(match.group(1))
    end, note = start + counted, None
    plist = _EMLX_PLIST.match(data[start + counted:].lstrip()) if end <= len(data) else None
    if end > len(data):
        end = len(data)
        note = f"the .emlx file holds {end - start} of the {counted} bytes its first line counts: the message is cut short"
    elif data[end:].strip() and not plist:
        found = list(_EMLX_PLIST.finditer(data, start))
        end = found[-1].start() if found else len(data)
        where = "Apple's property list" if found else "the end of the file"
        note = f"the .emlx byte count ({counted}) does not end the message; it was read up to {where} (byte {end})"
    return RawMessage(doc_name, doc_index, start, None, data[start:end], note=note)


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
    pipermail: bool = False  # from a Mailman text archive (addresses in bodies are obfuscated)
    note: str | None = None  # what cutting it out had to assume


_FROM_DATE_HINT = re.compile(rb"\d{1,2}:\d{2}.*\d{4}|\d{4}.*\d{1,2}:\d{2}")
_MBOXRD_ESCAPE = re.compile(rb"(?m)^>(>*From )")
_BOM = b"\xef\xbb\xbf"
# git format-patch's first line: "a fixed magic timestamp" so file(1) knows the output
_GIT_PATCH_MARKER = re.compile(rb"^From \S+ Mon Sep 17 00:00:00 2001\r?$")
# Mailman's separator with any sender: two spaces, then ctime
# Google Groups' Usenet export: "From <number>" and nothing else
_DATELESS_FROM_LINE = re.compile(rb"^From \S+\r?$")
_PIPERMAIL_SEPARATOR = re.compile(rb"^From \S.*  [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}\r?$")
_MMDF_DELIMITER = b"\x01\x01\x01\x01"
_CONTENT_LENGTH = re.compile(rb"^Content-Length:\s*(\d{1,12})\s*$", re.IGNORECASE)


def split_mailbox(data: bytes, doc_name: str = "", doc_index: int = 0) -> list[RawMessage]:
    """Cut an mbox into messages at its ``From `` separator lines (see the module docstring);
    a file that does not start with one is a single message (an Apple Mail ``.emlx`` one
    without its byte count and property list)."""
    if looks_like_emlx(data):
        return [_emlx_message(data, doc_name, doc_index)]
    skip = len(_BOM) if data.startswith(_BOM) else 0
    lines = data[skip:].split(b"\n")
    starts = []
    position = skip
    for line in lines:
        starts.append(position)
        position += len(line) + 1
    first_content = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first_content is None:
        return []
    if is_mmdf_delimiter(lines[first_content]):
        return _split_mmdf(data, lines, starts, first_content, doc_name, doc_index)
    pipermail = looks_like_pipermail(data)
    separators = _separators(lines, starts, first_content, pipermail)
    if not separators:
        articles = _article_starts(lines, first_content) if not pipermail else []
        if articles:
            return _articles(data, starts, [first_content, *articles], doc_name, doc_index)
        return [RawMessage(doc_name, doc_index, starts[first_content], None, data[starts[first_content]:], pipermail)]
    messages: list[RawMessage] = []
    for n, index in enumerate(separators):
        begin = starts[index + 1] if index + 1 < len(lines) else len(data)
        end = starts[separators[n + 1]] if n + 1 < len(separators) else len(data)
        chunk = _MBOXRD_ESCAPE.sub(rb"\1", data[begin:end])
        messages.append(RawMessage(doc_name, doc_index, starts[index], lines[index].rstrip(b"\r"), chunk, pipermail))
    return messages


def _header_names(lines: list[bytes], start: int) -> list[bytes]:
    """The field names of the header block starting at ``start`` (lower case, in order)."""
    names = []
    for line in lines[start:start + 200]:
        if not line.strip():
            break
        if line[:1] not in (b" ", b"\t"):
            if not _HEADER_LINE.match(line):
                return []
            names.append(line.split(b":", 1)[0].strip().lower())
    return names


def _article_starts(lines: list[bytes], first: int) -> list[int]:
    """Where further messages start in a file of messages saved one after another without
    From_ lines (news articles a newsreader saved): after a blank line, a header block with
    its own From and Message-ID, opening with the same field as the first message's.  Never
    inside a MIME message, whose parts (a forwarded message/rfc822 too) have header blocks."""
    head = _header_names(lines, first)
    if not head or b"message-id" not in head or b"from" not in head:
        return []
    block = lines[first:next((i for i in range(first, len(lines)) if not lines[i].strip()), len(lines))]
    content_type = next((line.split(b":", 1)[1].strip().lower() for line in block if line.lower().startswith(b"content-type:")), b"text/")
    if b"mime-version" in head or not content_type.startswith(b"text/"):
        return []
    found = []
    for i in range(first + len(head) + 1, len(lines)):
        if not lines[i - 1].strip() and lines[i][:len(head[0]) + 1].lower() == head[0] + b":":
            names = _header_names(lines, i)
            if b"message-id" in names and b"from" in names:
                found.append(i)
    return found


def _articles(data: bytes, starts: list[int], firsts: list[int], doc_name: str, doc_index: int) -> list[RawMessage]:
    note = (f"holds {len(firsts)} messages saved one after another without From_ lines: "
            "each was cut at the header block that opens it")
    ends = [starts[i] for i in firsts[1:]] + [len(data)]
    return [RawMessage(doc_name, doc_index, starts[i], None, data[starts[i]:end], note=note) for i, end in zip(firsts, ends)]


def is_mmdf_delimiter(line: bytes) -> bool:
    """MMDF's line of four ^A characters, which opens and closes every message."""
    return line.rstrip(b"\r") == _MMDF_DELIMITER


def _split_mmdf(
    data: bytes, lines: list[bytes], starts: list[int], first: int, doc_name: str, doc_index: int
) -> list[RawMessage]:
    """The messages between MMDF's delimiter pairs (as ``mailbox.MMDF`` reads them): a
    delimiter opens a message, the next one closes it; a ``From `` line opening one is kept
    as its From_ line.  Text outside the pairs becomes a message too, so it is reported."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None  # the first line of the message being read
    outside: int | None = None  # the first line of text found outside a pair
    for index in range(first, len(lines)):
        if is_mmdf_delimiter(lines[index]):
            if outside is not None:
                spans.append((outside, index))
                outside = None
            if opened is None:
                opened = index + 1
            else:
                spans.append((opened, index))
                opened = None
        elif opened is None and outside is None and lines[index].strip():
            outside = index
    for left in (opened, outside):
        if left is not None:
            spans.append((left, len(lines)))  # an unclosed message: kept as it is
    return [_mmdf_message(data, lines, starts, span, doc_name, doc_index) for span in spans if span[0] < span[1]]


def _mmdf_message(
    data: bytes, lines: list[bytes], starts: list[int], span: tuple[int, int], doc_name: str, doc_index: int
) -> RawMessage:
    begin, end = span
    from_line = lines[begin].rstrip(b"\r") if lines[begin].startswith(b"From ") else None
    body = begin + 1 if from_line is not None else begin
    stop = starts[end] if end < len(lines) else len(data)
    return RawMessage(doc_name, doc_index, starts[begin], from_line, data[starts[body]:stop] if body < end else b"")


def _separators(lines: list[bytes], starts: list[int], first: int, pipermail: bool) -> list[int]:
    """Indexes of the separator lines; empty when the first line is not one."""
    if not lines[first].startswith(b"From "):
        return []
    headerless = not _next_is_header(lines, first)
    if headerless and (pipermail or not _STRICT_FROM_LINE.match(lines[first])):
        return []
    git_output = bool(_GIT_PATCH_MARKER.match(lines[first]))
    dateless = bool(_DATELESS_FROM_LINE.match(lines[first]))
    found = [first]
    body_end = _content_length_end(lines, starts, first)
    for i in range(first + 1, len(lines)):
        if starts[i] < body_end or not lines[i].startswith(b"From "):
            continue
        if pipermail:
            separator = _is_pipermail_separator(lines, i)
        else:
            separator = _is_mbox_separator(lines, i, git_output, dateless, headerless)
        if separator:
            found.append(i)
            body_end = _content_length_end(lines, starts, i)
    return found


def _is_pipermail_separator(lines: list[bytes], i: int) -> bool:
    return bool(_PIPERMAIL_SEPARATOR.match(lines[i])) and i + 1 < len(lines) and lines[i + 1].startswith(b"From:")


def _next_is_header(lines: list[bytes], i: int) -> bool:
    return i + 1 < len(lines) and bool(_HEADER_LINE.match(lines[i + 1]))


def _is_mbox_separator(
    lines: list[bytes], i: int, git_output: bool, dateless: bool = False, headerless: bool = False
) -> bool:
    """A From_ line after the blank line ending a message, starting a header block.

    The strict asctime shape may lack the blank line only before a full header block;
    in a file of dateless From_ lines (``dateless``) one of that shape needs the blank
    line and a full header block.  In a file whose first message has no headers
    (``headerless``: Research Unix's upas wrote local mail so) a strict From_ line after
    a blank line needs none."""
    line = lines[i]
    if _GIT_PATCH_MARKER.match(line) and not git_output:
        return False  # a patch pasted into a message, not a message of this mailbox
    previous_blank = not lines[i - 1].strip()
    if not _next_is_header(lines, i):
        return headerless and previous_blank and bool(_STRICT_FROM_LINE.match(line))
    if _STRICT_FROM_LINE.match(line):
        return previous_blank or looks_like_message_headers(b"\n".join(lines[i + 1:i + 60]))
    if dateless and _DATELESS_FROM_LINE.match(line):
        return previous_blank and looks_like_message_headers(b"\n".join(lines[i + 1:i + 60]))
    return previous_blank and bool(_FROM_DATE_HINT.search(line))


def _content_length_end(lines: list[bytes], starts: list[int], separator: int) -> int:
    """Where the body of the message at ``separator`` ends by its Content-Length (mboxcl),
    when that length lands on the next From_ line or the end; else 0 (not used)."""
    length = None
    for index in range(separator + 1, len(lines)):
        line = lines[index].rstrip(b"\r")
        if not line:
            body = starts[index] + len(lines[index]) + 1
            break
        match = _CONTENT_LENGTH.match(line)
        if match:
            length = int(match.group(1))
    else:
        return 0
    if length is None:
        return 0
    total = starts[-1] + len(lines[-1])
    end = body + length
    if end > total:
        return 0
    rest = _data_after(lines, starts, end)
    return end if rest is not None and (not rest.strip() or rest.lstrip(b"\r\n").startswith(b"From ")) else 0


def _data_after(lines: list[bytes], starts: list[int], end: int) -> bytes | None:
    """The next few lines from byte ``end``, when ``end`` is a line start."""
    index = bisect.bisect_left(starts, end)
    if index >= len(starts) or starts[index] != end:
        return b"" if end >= starts[-1] + len(lines[-1]) else None
    return b"\n".join(lines[index:index + 3])
