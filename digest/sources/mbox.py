"""Mailing-list archives: Unix mbox files and single RFC 5322 messages.

The mbox is split by hand from bytes (not with ``mailbox.mbox``, which stops on
undecodable bytes in a ``From `` line) and each message is parsed on its own, so one
broken message is skipped and reported instead of losing the archive.  Messages are
threaded JWZ-style: Message-ID / In-Reply-To / References first; the subject is used only
to place messages that carry no references at all.  A file with several threads needs
``--thread``: the root Message-ID (with or without ``<>``), any Message-ID inside the
thread, or a case-insensitive piece of the root subject.

``digest.sources.pipermail`` reads Mailman 2 ``.txt`` archives with the same code
(:func:`read_mail_archive`); the two sniffers are coordinated here.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

import lxml.etree
import lxml.html

from digest import body as bodies
from digest.errors import SourceError
from digest.model import Reply, Thread
from digest.sources import common

DESCRIPTION = "Unix mbox mail archive or a single e-mail message (.eml), threaded by Message-ID/References"

_SNIFF_BYTES = 8192
_LISTED_THREADS = 20
_LISTED_SKIPS = 20
_LISTED_IDS = 5

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


def sniff(doc) -> bool:
    try:
        if looks_like_pipermail(doc.data):
            return False  # goes to the pipermail reader (listed before us)
        lines = _head_lines(doc.data)
        if lines[0].startswith(b"From "):
            return len(lines) > 1 and bool(_HEADER_LINE.match(lines[1]))
        return looks_like_message_headers(doc.data)
    except Exception:  # a sniffer must never raise
        return False


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


# ---------------------------------------------------------------------------- text decoding

_UNKNOWN_CHARSETS = {"unknown-8bit", "x-unknown", "unknown", "none", "default", "x-user-defined", "8bit", "binary", "7bit"}
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _codec(charset) -> str | None:
    """A Python text codec for a declared charset, or None when unknown or not a text codec."""
    if not charset or not isinstance(charset, str):
        return None
    name = charset.strip().strip("\"'").strip().lower()
    if not name or name in _UNKNOWN_CHARSETS:
        return None
    try:
        info = codecs.lookup(name)
    except Exception:  # LookupError, or ValueError for names with NUL bytes
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode with the declared charset, never failing.

    Order: declared charset; UTF-8; the declared charset with replacement characters.
    Without a usable declaration: UTF-8 when the bytes are mostly valid UTF-8 (with
    replacement characters for the rest), else Windows-1252 / Latin-1, the usual
    undeclared 8-bit text of old archives.
    """
    codec = _codec(charset)
    for name in (codec, "utf-8"):
        if name:
            try:
                return data.decode(name)
            except Exception:  # UnicodeError, or odd codecs raising others
                pass
    if codec and codec not in ("utf-8", "ascii"):
        try:
            return data.decode(codec, "replace")
        except Exception:
            pass
    valid = len(_UTF8_SEQUENCE.findall(data))
    invalid = len(_HIGH_BYTE.findall(data)) - sum(len(m) for m in _UTF8_SEQUENCE.findall(data))
    if valid and valid >= invalid:
        return data.decode("utf-8", "replace")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_QP_HEX = re.compile(rb"=([0-9A-Fa-f]{2})")


def _decode_word(match: re.Match) -> str | None:
    charset, kind, payload = match.group(1).split("*", 1)[0], match.group(2).lower(), match.group(3)
    try:
        if kind == "b":
            raw = base64.b64decode(payload + "=" * (-len(payload) % 4))
        else:
            raw = _QP_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), payload.replace("_", " ").encode("ascii", "replace"))
    except (binascii.Error, ValueError):
        return None
    return decode_bytes(raw, charset)


def decode_encoded_words(text: str) -> str:
    """RFC 2047 ``=?charset?Q|B?...?=`` words; whitespace between adjacent words is dropped."""
    out: list[str] = []
    position = 0
    previous_was_word = False
    for match in _ENCODED_WORD.finditer(text):
        between = text[position:match.start()]
        if not (previous_was_word and not between.strip()):
            out.append(between)
        decoded = _decode_word(match)
        out.append(decoded if decoded is not None else match.group(0))
        previous_was_word = decoded is not None
        position = match.end()
    out.append(text[position:])
    return "".join(out)


def clean_line(text: str) -> str:
    """One line of display text: no control characters, single spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


# ---------------------------------------------------------------------------- headers

class Headers:
    """A message's header fields by lower-case name, decoded on demand.

    Values come back with 8-bit bytes decoded and folding undone; RFC 2047 words are
    left for the caller, who knows whether the field holds text or addresses.
    """

    def __init__(self, msg):
        self._raw: dict[str, list[str]] = {}
        for key, value in msg.raw_items():
            if isinstance(key, str):
                self._raw.setdefault(key.strip().lower(), []).append(value if isinstance(value, str) else str(value))

    def names(self) -> set[str]:
        return set(self._raw)

    def all(self, name: str) -> list[str]:
        return [_unfold(_header_text(value)) for value in self._raw.get(name.lower(), [])]

    def first(self, name: str) -> str | None:
        values = self._raw.get(name.lower())
        return _unfold(_header_text(values[0])) if values else None


def _header_text(value: str) -> str:
    """The email package keeps undecodable header bytes as surrogates: decode them properly."""
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "replace")
    return decode_bytes(raw)


def _unfold(text: str) -> str:
    return re.sub(r"\r?\n", " ", re.sub(r"\r?\n(?=[ \t])", "", text)).strip()


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8", "surrogateescape")
        return True
    except UnicodeEncodeError:
        return False


_ANGLE_ID = re.compile(r"<([^<>]*)>")
_UNTERMINATED_ID = re.compile(r"<([^<>\s]+@[^<>\s]+)\s*$")
_BARE_ID = re.compile(r"[^\s<>,;\"'()]+@[^\s<>,;\"'()]+")
_OBFUSCATED_AT = re.compile(r"\s+at\s+")


def _normalize_id(text: str) -> str | None:
    text = text.strip()
    if "@" not in text:
        text = _OBFUSCATED_AT.sub("@", text)  # pipermail writes "user at host"
    text = "".join(_CONTROL.sub("", text).split())
    return text or None


def message_ids(text: str | None) -> list[str]:
    """The ``<id>`` tokens of a Message-ID / In-Reply-To / References value, in order."""
    if not text:
        return []
    found = [i for i in (_normalize_id(m) for m in _ANGLE_ID.findall(text)) if i]
    if not found:
        match = _UNTERMINATED_ID.search(text)
        if match:
            found = [i for i in [_normalize_id(match.group(1))] if i]
        elif "<" not in text and ">" not in text:
            found = [i for i in (_normalize_id(m) for m in _BARE_ID.findall(text)) if i]
    unique: list[str] = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique


def _own_message_id(headers: Headers) -> str | None:
    value = headers.first("Message-ID")
    if not value:
        return None
    ids = message_ids(value)
    if ids:
        return ids[0]
    token = value.strip().strip("<>").strip()
    return _normalize_id(token) if token and " " not in token else None


_PIPERMAIL_FROM = re.compile(r"^(?P<address>[^()<>\"]*?)\s*\((?P<name>.*)\)\s*$")
_OBFUSCATED_ADDRESS = re.compile(r"^(?P<local>\S+)\s+\S{1,12}\s+(?P<domain>\S+\.\S+)$")


def author_name(from_value: str | None, fallback_sender: str | None = None) -> str:
    """The display name, else the address's local part; never a full address."""
    name, address = "", ""
    if from_value:
        pipermail = _PIPERMAIL_FROM.match(from_value)
        if pipermail and "@" not in pipermail.group("address"):
            name, address = pipermail.group("name"), pipermail.group("address")
        else:
            try:
                name, address = email.utils.parseaddr(from_value)
            except Exception:
                name, address = "", ""
            if not name and not address:
                address = from_value
    name = clean_line(decode_encoded_words(name)).strip("\"' ")
    if name and _looks_like_address(name):
        name = _local_part(name)
    if name and any(ch.isalnum() for ch in name):
        return name
    for candidate in (address, fallback_sender or ""):
        local = _local_part(clean_line(decode_encoded_words(candidate)))
        if local:
            return local
    return "unknown"


def _looks_like_address(text: str) -> bool:
    return bool(re.fullmatch(r"\S+@\S+", text) or _OBFUSCATED_ADDRESS.match(text))


def _local_part(address: str) -> str:
    address = address.strip().strip("<>\"' ")
    obfuscated = _OBFUSCATED_ADDRESS.match(address)
    if obfuscated:
        return obfuscated.group("local")
    return address.split("@", 1)[0].strip().strip("<>\"' ")


# ---------------------------------------------------------------------------- subjects

_REPLY_PREFIX = re.compile(
    r"^\s*(?:re|fwd?|aw|sv|vs|antw|wg|tr|rif|r|odp|ynt|res|enc|ref|réf|回复|答复|转发)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)
_TAG_PREFIX = re.compile(r"^\s*\[[^\]]{0,100}\]\s*")


def normalize_subject(subject: str | None) -> str:
    """The subject without Re:/Fwd: and [list] prefixes, for last-resort threading."""
    text = subject or ""
    while True:
        stripped = _TAG_PREFIX.sub("", _REPLY_PREFIX.sub("", text))
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split()).casefold()


def is_reply_subject(subject: str | None) -> bool:
    return bool(_REPLY_PREFIX.match(_TAG_PREFIX.sub("", subject or "")))


def thread_title(subject: str | None) -> str | None:
    """The subject as a title: reply/forward prefixes dropped, [list] tags kept as written."""
    if not subject:
        return None
    kept, rest = "", subject
    while True:
        reply = _REPLY_PREFIX.match(rest)
        tag = _TAG_PREFIX.match(rest)
        if reply:
            rest = rest[reply.end():]
        elif tag:
            kept, rest = kept + tag.group(0), rest[tag.end():]
        else:
            break
    return (kept + rest).strip() or subject


# ---------------------------------------------------------------------------- bodies

_ATTRIBUTION_END = re.compile(
    r"(?:wrote|writes|said|a écrit|schrieb|escribió|escreveu|ha scritto|skrev|napisał|kirjoitti|"
    r"heeft geschreven|schreef|написал|написала|napsal|írta|yazdı|υπέγραψε)\s*:\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(
    r"^(?:On|Le|Am|El|Il|Em|Op|Den|Dne|W dniu|Quoting|Citando|Zitat von|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})\b"
)
_DATED_ADDRESS_INTRO = re.compile(r"(?:\d{1,2}:\d{2}|\d{4}).*(?:<[^<>]+>|@|\sat\s)\S*\s*:\s*$")
_LIST_FOOTER_RULE = re.compile(r"^_{20,}\s*$")
_LIST_FOOTER_HINT = re.compile(r"mailing list|listinfo|mailman|unsubscribe", re.IGNORECASE)
_SCRUBBED_PART = re.compile(r"^-{5,} ?(?:next part|Next Part|nächster Teil|section suivante|siguiente parte)", re.IGNORECASE)
_OUTLOOK_ORIGINAL = re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE)


def prepare_plain_text(text: str) -> str:
    """Plain mail text readied for ``body.from_plain_text``.

    Forwarded-original blocks become ``>`` quotes, list footers and pipermail's
    "next part" notes go below a ``-- `` line (so excerpts skip them like a signature),
    and an "On <date>, X wrote:" line is kept as its own paragraph right before its quote.
    """
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "..."))
    lines = text.split("\n")
    lines = _quote_outlook_original(lines)
    lines = _footer_as_signature(lines)
    lines = _separate_attributions(lines)
    return "\n".join(lines)


def _quote_outlook_original(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if line in ("-- ", "--"):
            return lines
        if _OUTLOOK_ORIGINAL.match(line):
            return lines[:index] + ["> " + rest for rest in lines[index:]]
    return lines


def _footer_as_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if line in ("-- ", "--"):
            return lines
        footer = _SCRUBBED_PART.match(line) or (
            _LIST_FOOTER_RULE.match(line) and any(_LIST_FOOTER_HINT.search(x) for x in lines[index + 1:index + 4])
        )
        if footer:
            return lines[:index] + ["-- "] + lines[index:]
    return lines


def _separate_attributions(lines: list[str]) -> list[str]:
    out = list(lines)
    index = len(out) - 1
    while index > 0:
        if out[index].startswith(">") and not out[index - 1].startswith(">"):
            intro = index - 1
            while intro >= 0 and not out[intro].strip():
                intro -= 1
            start = _attribution_start(out, intro)
            if start is not None:
                out[intro + 1:index] = []  # no blank between the attribution and its quote
                if start > 0 and out[start - 1].strip():
                    out.insert(start, "")
                index = start
        index -= 1
    return out


def _attribution_start(lines: list[str], last: int) -> int | None:
    """First line of an attribution ending at ``last`` (up to three wrapped lines), or None."""
    if last < 0 or lines[last].startswith(">"):
        return None
    line = lines[last].strip()
    if not (_ATTRIBUTION_END.search(line) or _DATED_ADDRESS_INTRO.search(line)):
        return None
    for start in range(last, max(last - 3, -1), -1):
        if not lines[start].strip() or lines[start].startswith(">"):
            break
        if _ATTRIBUTION_START.match(lines[start].strip()):
            return start
    return last


def _is_attachment(part) -> bool:
    try:
        disposition = part.get("Content-Disposition")
        return bool(disposition) and str(disposition).strip().lower().startswith("attachment")
    except Exception:
        return True


def _part_text(part) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) and _encodable(raw) else b""
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode_bytes(payload, charset)


def _collect_text(part, plain: list[str], html: list[str], depth: int = 0) -> None:
    """Inline text/plain and text/html parts in order; one choice per multipart/alternative."""
    if depth > 30:
        return
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list):
            return
        if part.get_content_subtype() == "alternative":
            best_plain: list[str] = []
            best_html: list[str] = []
            for child in children:
                child_plain: list[str] = []
                child_html: list[str] = []
                _collect_text(child, child_plain, child_html, depth + 1)
                best_plain = best_plain or child_plain
                best_html = best_html or child_html
            if best_plain:
                plain.extend(best_plain)
            else:
                html.extend(best_html)
            return
        for child in children:
            _collect_text(child, plain, html, depth + 1)
        return
    if _is_attachment(part):
        return
    maintype, subtype = part.get_content_maintype(), part.get_content_subtype()
    if maintype != "text":
        return
    (html if subtype == "html" else plain).append(_part_text(part))


def message_body(msg) -> tuple[str, bool]:
    """The body in the HTML subset (text/plain preferred), and whether it has readable text
    (not only a signature or pipermail's "attachment was scrubbed" note)."""
    plain: list[str] = []
    html: list[str] = []
    _collect_text(msg, plain, html)
    plain = [p for p in plain if p.strip()]
    if plain:
        text = prepare_plain_text("\n\n".join(plain))
        lines = text.split("\n")
        before_signature = lines[:next((i for i, line in enumerate(lines) if line in ("-- ", "--")), len(lines))]
        return bodies.from_plain_text(text), any(line.strip() for line in before_signature)
    html = [h for h in html if h.strip()]
    if html:
        return bodies.from_html(_CONTROL.sub("", "\n".join(html))), True
    return "", False


def own_text(body_html: str) -> str:
    """The text a sender wrote: the body without quotes and signature (for mentions)."""
    if not body_html:
        return ""
    try:
        root = lxml.html.fragment_fromstring(body_html, create_parent="div")
        for element in list(root.iter("blockquote", "pre", "p")):
            if element.tag == "blockquote" or element.get("class") == bodies.SIGNATURE_CLASS:
                element.drop_tree()
        return " ".join(root.text_content().split())
    except (lxml.etree.ParserError, ValueError):
        return bodies.plain_words(body_html)


# ---------------------------------------------------------------------------- messages

class _NotAMessage(Exception):
    """A chunk that holds no mail headers."""


@dataclass
class Mail:
    """One parsed message with what threading and the thread model need."""

    raw: RawMessage
    message_id: str | None
    references: list[str]
    parent_ref: str | None
    author: str
    subject: str | None
    posted_at: datetime | None
    posted_at_text: str | None
    permalink: str | None
    id: str = ""
    _body: tuple[str, bool] | None = field(default=None, repr=False)

    def body(self) -> tuple[str, bool]:
        """Decoded lazily: only the chosen thread's bodies are needed (and hash ids)."""
        if self._body is None:
            try:
                self._body = message_body(email.message_from_bytes(self.raw.data, policy=email.policy.compat32))
            except Exception:  # a body the email package cannot walk: keep the message, say so
                self._body = ("", False)
        return self._body

    def sort_key(self) -> tuple:
        when = self.posted_at or datetime.min.replace(tzinfo=timezone.utc)
        return (self.posted_at is None, when, self.raw.doc_index, self.raw.offset)


_FROM_LINE_PARTS = re.compile(
    r"^From\s+(?P<sender>.*?)\s+(?P<date>(?:[A-Z][a-z]{2},?\s+)?[A-Z][a-z]{2}\s+\d{1,2}\s+\d{1,2}:\d{2}.*)$"
)


_HEADER_END = re.compile(rb"\r?\n\r?\n")


def parse_message(raw: RawMessage) -> Mail:
    """Headers of one message (its body is parsed when needed); raises _NotAMessage for non-mail."""
    end = _HEADER_END.search(raw.data)
    header_block = raw.data[:end.end()] if end else raw.data
    headers = Headers(email.message_from_bytes(header_block, policy=email.policy.compat32))
    names = headers.names()
    if not names or (raw.from_line is None and not names & {"from", "subject", "date", "message-id"}):
        raise _NotAMessage("no mail headers")
    from_line = clean_line(decode_bytes(raw.from_line)) if raw.from_line else ""
    line_parts = _FROM_LINE_PARTS.match(from_line)
    sender = line_parts.group("sender") if line_parts else (from_line.split()[1] if len(from_line.split()) > 1 else None)
    message_id = _own_message_id(headers)
    in_reply_to = [i for i in message_ids(headers.first("In-Reply-To")) if i != message_id]
    references = [i for i in message_ids(" ".join(headers.all("References"))) if i != message_id]
    parent_ref = in_reply_to[0] if in_reply_to else (references[-1] if references else None)
    if parent_ref and parent_ref not in references:
        references.append(parent_ref)
    date_text = headers.first("Date")
    posted_at = _mail_date(date_text)
    posted_at_text = None
    if posted_at is None:
        posted_at_text = clean_line(date_text or "") or (line_parts.group("date") if line_parts else None) or None
    archived = message_ids(headers.first("Archived-At"))
    return Mail(
        raw=raw,
        message_id=message_id,
        references=references,
        parent_ref=parent_ref,
        author=author_name(headers.first("From"), sender),
        subject=clean_line(decode_encoded_words(headers.first("Subject") or "")) or None,
        posted_at=posted_at,
        posted_at_text=posted_at_text,
        permalink=archived[0] if archived and archived[0].startswith(("http://", "https://")) else None,
    )


def _mail_date(text: str | None) -> datetime | None:
    try:
        return common.parse_mail_date(text)
    except Exception:  # parse_mail_date covers the usual errors; fuzzed dates find others
        return None


# ---------------------------------------------------------------------------- reading

@dataclass
class _Archive:
    """Every message of the request, with the notes about what was skipped."""

    mails: list[Mail]
    notes: list[str]
    duplicates: dict[str, int]


def load_mails(request) -> _Archive:
    """Split and parse every document; broken messages are skipped with a note."""
    mails: list[Mail] = []
    skipped: list[str] = []
    for index, doc in enumerate(request.documents):
        for raw in split_mailbox(doc.data, doc.name, index):
            try:
                mails.append(parse_message(raw))
            except _NotAMessage:
                if raw.data.strip():
                    skipped.append(f"{doc.name} at byte {raw.offset}: text without mail headers was skipped")
            except Exception as exc:  # the email package on hostile input: skip this message only
                reason = type(exc).__name__
                skipped.append(f"{doc.name} at byte {raw.offset}: a message that could not be parsed was skipped ({reason})")
    notes = skipped[:_LISTED_SKIPS]
    if len(skipped) > _LISTED_SKIPS:
        notes.append(f"... and {len(skipped) - _LISTED_SKIPS} more skipped parts")
    return _Archive(mails, notes, {})


def assign_ids(archive: _Archive) -> None:
    """Message-ID without <>, else a hash of author and text.

    A second copy of a message (same Message-ID, or no Message-ID but the same author,
    subject and text as one before it) is dropped, as archives often hold mail twice;
    a different message reusing a Message-ID gets a hash id instead.
    """
    first_with_id: dict[str, Mail] = {}
    by_author_subject: dict[tuple, list[Mail]] = {}
    seen: set[str] = set()
    kept: list[Mail] = []
    for mail in archive.mails:
        candidate = mail.message_id
        if candidate is not None and candidate not in seen:
            first_with_id[candidate] = mail
        else:
            if candidate:
                earlier = [first_with_id[candidate]] if candidate in first_with_id else []
            else:
                earlier = by_author_subject.get((mail.author, mail.subject), [])
            twin = next((m for m in earlier if m.author == mail.author and m.body()[0] == mail.body()[0]), None)
            hashed = common.stable_id(author=mail.author, body=mail.body()[0])
            if twin is not None or hashed in seen:
                duplicate = twin.id if twin is not None else hashed
                archive.duplicates[duplicate] = archive.duplicates.get(duplicate, 0) + 1
                continue
            candidate = hashed
        mail.id = candidate
        seen.add(candidate)
        kept.append(mail)
        by_author_subject.setdefault((mail.author, mail.subject), []).append(mail)
    archive.mails = kept


# ---------------------------------------------------------------------------- threading

class _Node:
    """A JWZ container: a message, or a placeholder for a message only referenced."""

    __slots__ = ("id", "mail", "parent", "children", "key")

    def __init__(self, node_id: str):
        self.id = node_id
        self.mail: Mail | None = None
        self.parent: _Node | None = None
        self.children: list[_Node] = []
        self.key: tuple = ()  # the earliest sort key in this subtree, set by _set_keys

    def mails(self) -> list[Mail]:
        found, stack = [], [self]
        while stack:
            node = stack.pop()
            if node.mail is not None:
                found.append(node.mail)
            stack.extend(node.children)
        return found

    def missing(self) -> list[str]:
        found, stack = [], [self]
        while stack:
            node = stack.pop()
            if node.mail is None:
                found.append(node.id)
            stack.extend(node.children)
        return found

    def first_key(self) -> tuple:
        return self.key


def _set_keys(roots: list[_Node]) -> None:
    """Each subtree's earliest message key, bottom-up (sorting siblings needs it often)."""
    for root in roots:
        order, stack = [], [root]
        while stack:
            node = stack.pop()
            order.append(node)
            stack.extend(node.children)
        for node in reversed(order):
            keys = [child.key for child in node.children if child.key]
            if node.mail is not None:
                keys.append(node.mail.sort_key())
            node.key = min(keys) if keys else ()


@dataclass
class MailThread:
    """A thread found in the archive: its root node and what threading had to assume."""

    root: _Node
    missing_root: list[str] = field(default_factory=list)  # placeholders promoted away
    by_subject: list[str] = field(default_factory=list)  # ids attached by subject only

    @property
    def id(self) -> str:
        return self.root.id

    @property
    def subject(self) -> str | None:
        if self.root.mail is not None:
            return self.root.mail.subject
        earliest = min(self.root.mails(), key=Mail.sort_key)
        return earliest.subject

    def count(self) -> int:
        return len(self.root.mails())


def _creates_loop(child: _Node, parent: _Node) -> bool:
    node: _Node | None = parent
    steps = 0
    while node is not None and steps < 100_000:
        if node is child:
            return True
        node = node.parent
        steps += 1
    return node is not None


def thread_mails(mails: list[Mail]) -> list[MailThread]:
    """JWZ threading: references first, then subject only for messages without any."""
    nodes: dict[str, _Node] = {}

    def node(node_id: str) -> _Node:
        if node_id not in nodes:
            nodes[node_id] = _Node(node_id)
        return nodes[node_id]

    for mail in mails:
        node(mail.id).mail = mail
    for mail in mails:  # a message's own In-Reply-To / last reference is authoritative
        if mail.parent_ref and mail.parent_ref != mail.id:
            parent, child = node(mail.parent_ref), nodes[mail.id]
            if not _creates_loop(child, parent):
                child.parent = parent
    for mail in mails:  # the rest of References only places messages we do not have
        chain = [r for r in mail.references if r != mail.id]
        for older, newer in zip(chain, chain[1:]):
            parent, child = node(older), node(newer)
            if child.mail is None and child.parent is None and not _creates_loop(child, parent):
                child.parent = parent
    for item in nodes.values():
        if item.parent is not None:
            item.parent.children.append(item)
    roots = [item for item in nodes.values() if item.parent is None]
    _set_keys(roots)
    for item in nodes.values():
        item.children.sort(key=_Node.first_key)
    roots = [root for root in roots if root.key]
    threads = [_promote_single_child(root) for root in roots]
    return _group_by_subject(threads)


def _promote_single_child(root: _Node) -> MailThread:
    """A placeholder root with one reply under it: that reply opens the thread (JWZ step 4)."""
    missing = []
    while root.mail is None and len(root.children) == 1:
        missing.append(root.id)
        root = root.children[0]
        root.parent = None
    return MailThread(root, missing_root=missing)


def _group_by_subject(threads: list[MailThread]) -> list[MailThread]:
    """Attach reference-less messages to the thread with the same subject (JWZ step 5)."""
    groups: dict[str, list[MailThread]] = {}
    for item in sorted(threads, key=lambda t: t.root.first_key()):
        key = normalize_subject(item.subject)
        groups.setdefault(key or f"\0{item.id}", []).append(item)
    result = []
    for group in groups.values():
        loose = [t for t in group if t.root.mail is not None and not t.root.mail.references and not t.missing_root]
        if len(group) == 1 or not loose:
            result.extend(group)
            continue
        primary = _primary(group, loose)
        for other in group:
            if other is primary:
                continue
            other.root.parent = primary.root
            primary.root.children.append(other.root)
            primary.missing_root.extend(other.missing_root)
            primary.by_subject.append(other.id)
            primary.root.key = min(primary.root.key, other.root.key)
        primary.root.children.sort(key=_Node.first_key)
        result.append(primary)
    return sorted(result, key=lambda t: t.root.first_key())


def _primary(group: list[MailThread], loose: list[MailThread]) -> MailThread:
    """The thread start: the first message that is not a reply, else a known-missing start."""
    for item in loose:
        if not is_reply_subject(item.root.mail.subject):
            return item
    for item in group:
        if item not in loose:
            return item
    return loose[0]


# ---------------------------------------------------------------------------- selecting

def _listing(threads: list[MailThread]) -> str:
    lines = []
    for item in threads[:_LISTED_THREADS]:
        count = item.count()
        lines.append(f"  <{item.id}>  {item.subject or '(no subject)'!r}  ({count} message{'s' if count != 1 else ''})")
    if len(threads) > _LISTED_THREADS:
        lines.append(f"  ... and {len(threads) - _LISTED_THREADS} more")
    return "\n".join(lines)


_SELECT_FIX = (
    "choose one with --thread MESSAGE-ID (the root's Message-ID, with or without <>) "
    "or --thread 'WORDS' (a piece of the root subject, any case)"
)


def select_thread(threads: list[MailThread], selector: str | None, where: str) -> MailThread:
    """The one thread, or the one ``selector`` names; a SourceError listing them otherwise."""
    if not selector or not selector.strip():
        if len(threads) == 1:
            return threads[0]
        raise SourceError(f"this source holds {len(threads)} threads:\n{_listing(threads)}", where=where, fix=_SELECT_FIX)
    wanted = selector.strip()
    bare = wanted.strip("<>").strip()
    matches = [t for t in threads if t.id == bare]
    if not matches:
        matches = [t for t in threads if any(m.id == bare for m in t.root.mails())]
    if not matches:
        needle = wanted.casefold()
        matches = [t for t in threads if needle in (t.subject or "").casefold()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise SourceError(
            f"no thread matches --thread {wanted!r}; the threads are:\n{_listing(threads)}", where=where, fix=_SELECT_FIX
        )
    raise SourceError(
        f"--thread {wanted!r} matches {len(matches)} threads:\n{_listing(matches)}",
        where=where,
        fix="use more of the subject, or the root Message-ID shown above",
    )


# ---------------------------------------------------------------------------- the thread

def _parent_id(node: _Node, root: _Node) -> str | None:
    """The nearest ancestor we have; None when that is the thread's root (answers the thread)."""
    parent = node.parent
    while parent is not None and parent is not root and parent.mail is None:
        parent = parent.parent
    if parent is None or parent is root:
        return None
    return parent.mail.id


def _reply(mail: Mail, parent_id: str | None, authors: set[str]) -> Reply:
    body, _ = mail.body()
    return Reply(
        id=mail.id,
        author=mail.author,
        body=body,
        permalink=mail.permalink,
        posted_at=mail.posted_at,
        posted_at_text=mail.posted_at_text,
        parent_id=parent_id,
        mentions=common.find_mentions(own_text(body), authors, {}),
        title=mail.subject,
    )


def _ids_text(ids: list[str]) -> str:
    shown = ", ".join(f"<{i}>" for i in ids[:_LISTED_IDS])
    return shown + (f" and {len(ids) - _LISTED_IDS} more" if len(ids) > _LISTED_IDS else "")


def _descendants(root: _Node) -> list[_Node]:
    found, stack = [], list(root.children)
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


def _missing_ids(chosen: MailThread, nodes: list[_Node]) -> list[str]:
    """Messages the thread references but the source lacks (placeholders in the tree)."""
    root_missing = [chosen.root.id] if chosen.root.mail is None else []
    return chosen.missing_root + root_missing + [n.id for n in nodes if n.mail is None]


def _thread_notes(chosen: MailThread, archive: _Archive, mails: list[Mail], missing: list[str], total_threads: int) -> list[str]:
    notes = list(archive.notes)
    if missing:
        notes.append(f"{len(missing)} referenced message(s) are not in the source: {_ids_text(missing)}")
    if chosen.root.mail is None:
        notes.append("the message that started the thread is not in the source; its replies are imported without it")
    if chosen.by_subject:
        joined = _ids_text(chosen.by_subject)
        notes.append(f"joined to this thread by subject, as References/In-Reply-To did not connect them: {joined}")
    ids = {m.id for m in mails}
    duplicates = [i for i in archive.duplicates if i in ids]
    if duplicates:
        notes.append(f"repeated copies of {_ids_text(duplicates)} were skipped")
    empty = [m.id for m in mails if not m.body()[1]]
    if empty:
        notes.append(f"no readable text in {_ids_text(empty)}")
    if total_threads > 1:
        notes.append(f"the source holds {total_threads - 1} other thread(s), not imported")
    return notes


def build_thread(chosen: MailThread, archive: _Archive, total_threads: int, request, source_format: str) -> Thread:
    root = chosen.root
    nodes = _descendants(root)
    members = sorted((n for n in nodes if n.mail is not None), key=lambda n: n.mail.sort_key())
    mails = ([root.mail] if root.mail else []) + [n.mail for n in members]
    authors = {m.author for m in mails}
    replies = [_reply(n.mail, _parent_id(n, root), authors) for n in members]
    missing = _missing_ids(chosen, nodes)
    return Thread(
        id=root.id,
        title=thread_title(chosen.subject),
        url=root.mail.permalink if root.mail else None,
        replies=tuple(common.order_by_parents(replies)),
        source_format=source_format,
        retrieved_at=request.retrieved_at,
        partial=bool(missing),
        author=root.mail.author if root.mail else None,
        opening_post=_reply(root.mail, None, authors) if root.mail else None,
        import_notes=tuple(_thread_notes(chosen, archive, mails, missing, total_threads)),
    )


def read_mail_archive(request, source_format: str) -> Thread:
    """The whole pipeline, shared by the mbox and pipermail readers."""
    if not request.documents:
        raise SourceError("nothing to read", fix="give an mbox file, a pipermail .txt archive or a saved e-mail message")
    archive = load_mails(request)
    if not archive.mails:
        raise SourceError(
            "no e-mail messages found: no mbox 'From ' line and no mail headers at the start"
            + (f" ({len(archive.notes)} part(s) skipped)" if len(request.documents) > 1 else ""),
            where=request.name,
            fix="give an mbox file (messages starting with 'From ' lines) or one saved e-mail message with its headers",
        )
    assign_ids(archive)
    threads = thread_mails(archive.mails)
    chosen = select_thread(threads, request.thread, request.name)
    return build_thread(chosen, archive, len(threads), request, source_format)


def read(request) -> Thread:
    return read_mail_archive(request, "mbox")
