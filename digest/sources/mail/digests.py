"""List digests taken apart into the messages they carry.

A MIME digest holds each message as a ``message/rfc822`` part: in a ``multipart/digest``
(RFC 2046 5.1.5; Mailman wraps one in a ``multipart/mixed`` with its table of contents
and footer), or, with a Subject naming a digest, directly in a ``multipart/mixed``
holding two or more of them (a single attached message is a forward and stays in its
post).  A plain-text digest (RFC 1153, as Mailman writes it) runs the messages one
after another after a line of 70 hyphens: each is its header lines (``Date:``,
``From:``, ``Subject:``, ...; a whitespace-only line between them is a folded one), a
blank line and its text, and a line of 30 hyphens followed by a blank line separates
them; a piece that does not open with such a header block (a footer, the "End of ...
Digest" trailer, or a body's own line of hyphens) is not a message.

Only the digest itself is split: a reply or forward (a Subject starting "Re:" or "Fwd:",
an In-Reply-To or References header) that quotes or attaches a digest, or carries
messages under a Subject that mentions one, is its sender's post; so is a plain-text
message whose text before the line of 70 hyphens quotes an original (a digest opens
with its masthead and table of contents).  Each message found becomes a message of the archive with its own author, date
and Message-ID / In-Reply-To / References, and a note says the digest was expanded and
what of it was left out.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import replace

from digest.sources.mail.bodies import part_text, prepare_plain_text
from digest.sources.mail.decode import clean_line, decode_encoded_words, is_reply_subject
from digest.sources.mail.split import RawMessage

_MIME_HINT = re.compile(rb"multipart/digest|message/rfc822", re.IGNORECASE)
_TEXT_HINT = re.compile(rb"^-{70}\r?$", re.MULTILINE)
_DIGEST_SUBJECT = re.compile(r"digest", re.IGNORECASE)
_TOP_RULE = "-" * 70
_MESSAGE_RULE = "-" * 30
_HEADER = re.compile(r"^[!-9;-~]+:")
_MESSAGE_FIELDS = ("from:", "date:")
_BODY_FIELDS = re.compile(r"^content-(?:type|transfer-encoding)\s*:", re.IGNORECASE)
# what a digest holds: its kind, the messages' bytes, how many of its own parts were left out, a charset note
_Found = tuple[str, list[bytes], int, str]


def expand_digest(raw: RawMessage) -> tuple[list[RawMessage], str | None]:
    """The messages a digest carries and a note saying so; ``[raw]`` and None for any other message."""
    if not (_MIME_HINT.search(raw.data) or _TEXT_HINT.search(raw.data)):
        return [raw], None  # most messages: no need to parse the whole of them
    try:
        msg = email.message_from_bytes(raw.data, policy=email.policy.compat32)
        found = _mime_digest(msg) or _text_digest(msg)
    except Exception:  # a digest the email package cannot walk stays one message
        found = None
    if not found:
        return [raw], None
    kind, messages, left_out, guess = found
    parts = [replace(raw, from_line=None, data=data) for data in messages]
    subject = clean_line(decode_encoded_words(str(msg.get("Subject") or ""))) or "without a subject"
    note = (
        f"{raw.doc_name} at byte {raw.offset}: the {kind} {subject!r} was split into its {len(parts)} message(s)"
        + (f"; its {left_out} own part(s) (table of contents, footers) were left out" if left_out else "")
        + guess
    )
    return parts, note


# ---------------------------------------------------------------------------- MIME digests

def _mime_digest(msg) -> _Found | None:
    if not msg.is_multipart():
        return None
    children = msg.get_payload()
    if msg.get_content_type() == "multipart/digest":
        containers = [msg]
    elif msg.get_content_type() == "multipart/mixed":
        containers = [c for c in children if c.get_content_type() == "multipart/digest"]
        attached = [c for c in children if c.get_content_type() == "message/rfc822"]
        if not containers and len(attached) >= 2 and _DIGEST_SUBJECT.search(_subject(msg)) and not _answers(msg):
            containers = [msg]
    else:
        return None
    messages: list[bytes] = []
    for container in containers:
        for part in container.get_payload():
            if part.get_content_type() == "message/rfc822" and isinstance(part.get_payload(), list):
                messages.append(part.get_payload()[0].as_bytes(policy=email.policy.compat32))
    if not messages:
        return None
    return "digest", messages, _parts_outside_messages(msg), ""


def _parts_outside_messages(part) -> int:
    """The digest's own parts: everything but the messages it carries."""
    if part.get_content_type() == "message/rfc822":
        return 0
    if not part.is_multipart():
        return 1
    return sum(_parts_outside_messages(child) for child in part.get_payload())


def _subject(msg) -> str:
    return decode_encoded_words(str(msg.get("Subject") or ""))


def _answers(msg) -> bool:
    """A reply or forward: what it quotes or attaches belongs to its sender's post."""
    return is_reply_subject(_subject(msg)) or bool(msg.get("In-Reply-To") or msg.get("References"))


# ---------------------------------------------------------------------------- plain-text digests

def _text_digest(msg) -> _Found | None:
    if msg.is_multipart() or msg.get_content_type() != "text/plain" or _answers(msg):
        return None
    guesses: list[str] = []
    lines = part_text(msg, guesses).replace("\r\n", "\n").split("\n")
    if _TOP_RULE not in lines or _quotes_an_original(lines[:lines.index(_TOP_RULE)]):
        return None
    pieces = _pieces(lines[lines.index(_TOP_RULE) + 1:])
    if not pieces or not _opens_with_headers(pieces[0]):
        return None
    messages: list[list[str]] = []
    left_out = 1  # the masthead and table of contents before the line of 70 hyphens
    for piece in pieces:
        if _opens_with_headers(piece):
            messages.append(piece)
        elif _is_trailer(piece) or _headers(piece):
            left_out += 1  # "End of ... Digest", or Mailman's "Subject: Digest Footer" piece
        else:  # a body's own line of 30 hyphens: the piece belongs to the message before it
            messages[-1] = messages[-1] + ["", _MESSAGE_RULE, ""] + piece
    guess = "".join(f"; its text {note}" for note in dict.fromkeys(guesses))
    return "plain-text digest", [_message_bytes(piece) for piece in messages], left_out, guess


def _quotes_an_original(masthead: list[str]) -> bool:
    """Text before the digest's messages that quotes something (``>`` lines, an Outlook
    "Original Message" block): a sender's reply to a digest, not the digest's masthead."""
    return any(line.startswith(">") for line in prepare_plain_text("\n".join(masthead)).split("\n"))


def _pieces(lines: list[str]) -> list[list[str]]:
    """The text between separators (a line of 30 hyphens followed by a blank line)."""
    pieces: list[list[str]] = [[]]
    index = 0
    while index < len(lines):
        if lines[index] == _MESSAGE_RULE and (index + 1 == len(lines) or not lines[index + 1].strip()):
            while pieces[-1] and not pieces[-1][-1].strip():
                pieces[-1].pop()
            pieces.append([])
            index += 2
            continue
        pieces[-1].append(lines[index])
        index += 1
    return [piece for piece in pieces if any(line.strip() for line in piece)]


def _headers(piece: list[str]) -> list[str]:
    """The header block opening a piece (continuation lines included), or [] when there is none."""
    start = next(i for i, line in enumerate(piece) if line.strip())
    block: list[str] = []
    for index in range(start, len(piece)):
        line = piece[index]
        if not line.strip() and not (line and block and _continues_headers(piece, index)):
            break
        if not (_HEADER.match(line) or (block and line[:1] in (" ", "\t"))):
            return []
        block.append(line)
    return block


def _continues_headers(piece: list[str], index: int) -> bool:
    """A whitespace-only line inside a header block (an encoder's folded "=09"): a
    continuation line, as RFC 5322's obsolete folding allows, when header lines follow it."""
    following = piece[index + 1] if index + 1 < len(piece) else ""
    return bool(_HEADER.match(following)) or (following[:1] in (" ", "\t") and bool(following.strip()))


def _opens_with_headers(piece: list[str]) -> bool:
    return any(line.lower().startswith(_MESSAGE_FIELDS) for line in _headers(piece))


def _is_trailer(piece: list[str]) -> bool:
    """RFC 1153's last piece: "End of <name> Digest" over a line of asterisks (in any language)."""
    filled = [line.strip() for line in piece if line.strip()]
    return len(filled) == 2 and set(filled[-1]) == {"*"}


def _message_bytes(piece: list[str]) -> bytes:
    """A message of its own: the piece's headers, with its text (already decoded) as UTF-8."""
    headers = _headers(piece)
    start = piece.index(headers[0]) + len(headers)
    kept: list[str] = []
    for line in headers:
        if line[:1] in (" ", "\t"):
            if kept:
                kept[-1] += "\n" + line
        else:
            kept.append(line)
    kept = [field for field in kept if not _BODY_FIELDS.match(field)]
    text = "\n".join(kept + ["Content-Type: text/plain; charset=utf-8", ""] + piece[start + 1:]) + "\n"
    return text.encode("utf-8", "surrogateescape")
