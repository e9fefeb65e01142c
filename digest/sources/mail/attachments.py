"""Files sent with a message: what a reader of the digest is told about each.

A list thread often turns on a file: "patch attached", "here is the full log".  A text file
(a patch, a log, a config, source code) is shown under an "Attachment: NAME" line as
preformatted text, cut to its first lines when long (a digest is read, not applied); any
other file (a picture, a PDF, an archive) is named with its type and size, as its content
cannot be shown in mail text.  Nothing is left out silently: a cut or an unshown file is
also said in the import notes.  Parts that are no file of the sender's are not listed: a
PGP/MIME or S/MIME signature (noted as unchecked), the pictures an HTML message shows
inline (its text names them), Outlook's ``winmail.dat``.  Pure.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from digest import body as bodies
from digest.sources.common import counted
from digest.sources.mail.decode import (
    charset_label,
    clean_line,
    codec_of,
    decode_encoded_words,
    decode_text,
    guess_charset,
)

# a text attachment shows at most this much: enough to see what a patch or log is about
SHOWN_LINES = 100
SHOWN_CHARACTERS = 8000
_READ_BYTES = 4 * SHOWN_CHARACTERS + 4  # enough bytes for the characters shown, in any charset

# text/* kinds that are no file to read as text: markup, calendar invitations, contact cards
_TEXT_NOT_SHOWN = {"html", "calendar", "vcard", "x-vcard", "directory", "x-vcalendar", "rtf", "enriched", "richtext", "xml"}
# application/* kinds that hold text (patches, scripts, data a reader can read)
_TEXT_APPLICATION = {
    "x-patch", "x-diff", "patch", "diff", "x-shellscript", "x-sh", "x-perl", "x-python", "x-python-code",
    "x-ruby", "x-javascript", "javascript", "json", "x-yaml", "yaml", "toml", "x-tex", "x-log", "x-csh",
}
# the names of text files mailers send as application/octet-stream
_TEXT_EXTENSIONS = {
    "patch", "diff", "txt", "log", "c", "h", "cc", "cpp", "cxx", "hpp", "py", "sh", "pl", "rb", "js", "ts",
    "go", "rs", "java", "conf", "config", "cfg", "ini", "json", "yaml", "yml", "toml", "md", "rst", "csv",
    "dts", "dtsi", "s", "mk", "cmake", "am", "ac", "spec", "sql", "php", "tex", "el", "lisp", "lua", "out",
}
# a signature over the message, not a file: PGP/MIME (RFC 3156) and S/MIME (RFC 8551)
_SIGNATURES = {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}
_SIGNATURE_NOTE = "is signed (PGP/MIME or S/MIME): the signature was left out, not checked"
# parts that are no file of the sender's: PGP/MIME's version part, Outlook's rich text (noted elsewhere)
_NOT_FILES = {"application/pgp-encrypted", "application/ms-tnef", "application/vnd.ms-tnef"}
_ENCRYPTED_NOTE = "is encrypted (PGP/MIME) and cannot be read"
_WRAPPED_NOTE = "is wrapped by S/MIME (encrypted, or signed as one opaque block) and cannot be read"
_CONTENT_TYPE = re.compile(r"^[a-z0-9][\w!#$&^.+-]*/[a-z0-9][\w!#$&^.+-]*$")
# the name Exchange gives a text part it could not place: "ATT00001.txt", "ATT00002.htm"
_EXCHANGE_TEXT_NAME = re.compile(r"^ATT\d{5}\.(?:txt|htm|html)$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: its name, type, decoded size, and its text when shown
    (``text`` is None for a file that is not text; ``lines_left_out`` counts what the cut
    left out)."""

    name: str
    content_type: str
    size: int
    text: str | None
    lines_left_out: int = 0
    long_line_cut: bool = False  # a line longer than a digest can show (minified data) was cut


def sent_as_file(part, after_text: bool) -> bool:
    """Whether a part is a file sent with the message rather than its text: one marked
    ``Content-Disposition: attachment``, a part that is neither text nor a container (a
    picture or a PDF placed inline), or, ``after_text``, an inline part naming a file
    (Evolution sends a patch so: it is no part of the text, nor of its signature).  Text
    Exchange turned into an attachment (``ATT00001.txt``: a list's footer, or the whole
    text of a reply whose first part it left empty) is the message's text."""
    try:
        if part.get_content_maintype() == "text" and _EXCHANGE_TEXT_NAME.match(_file_name(part)):
            return False
        disposition = str(part.get("Content-Disposition") or "").strip().lower()
        placed_as_file = disposition.startswith("attachment") or part.get_content_maintype() not in ("text", "multipart", "message")
        return placed_as_file or (after_text and bool(_file_name(part)))
    except Exception:  # a header the email package cannot render
        return True


def read_attachment(part, notes: list[str], inline_picture: bool = False) -> Attachment | None:
    """The file a part carries, or None for a part that is no file of the sender's (a
    signature, PGP/MIME's version part, Outlook's ``winmail.dat``, a picture an HTML message
    shows inline, ``inline_picture``); signatures and encryption are noted."""
    content_type = part.get_content_type()
    if content_type in _SIGNATURES:
        notes.append(_SIGNATURE_NOTE)
        return None
    if content_type in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        notes.append(_WRAPPED_NOTE)
        return None
    if content_type in _NOT_FILES or _shown_by_html(part, inline_picture):
        return None
    try:
        payload = part.get_payload(decode=True) or b""
    except Exception:  # a payload the email package cannot decode
        payload = b""
    if not _CONTENT_TYPE.match(content_type):  # a type that breaks RFC 2045 names no kind of file
        content_type = "application/octet-stream"
    name = _file_name(part) or "unnamed file"
    text = _as_text(part, payload[:_READ_BYTES], name, notes)  # the start is all that is shown: a long log reads fast
    if text is None:
        return Attachment(name, content_type, len(payload), None)
    lines = text.rstrip("\n").split("\n")[:SHOWN_LINES]
    shown = [line if len(line) <= SHOWN_CHARACTERS else line[:SHOWN_CHARACTERS] + " […]" for line in lines]
    while sum(len(line) + 1 for line in shown) > SHOWN_CHARACTERS and len(shown) > 1:
        shown = shown[:-1]
    whole = payload.replace(b"\r\n", b"\n").replace(b"\r", b"\n").rstrip(b"\n").count(b"\n") + 1
    long_line_cut = any(len(line) > SHOWN_CHARACTERS for line in lines[:len(shown)])
    return Attachment(name, content_type, len(payload), "\n".join(shown), whole - len(shown), long_line_cut)


def _shown_by_html(part, inline_picture: bool) -> bool:
    """Whether the part is a picture an HTML message shows (by its ``Content-ID``): one after
    the HTML of a multipart/related, or one placed inline, as Outlook places its logos."""
    try:
        placed = str(part.get("Content-Disposition") or "").strip().lower()
        return (part.get_content_maintype() == "image" and bool(part.get("Content-ID"))
                and (inline_picture or not placed.startswith("attachment")))
    except Exception:  # a header the email package cannot render
        return False


def encrypted_note(part) -> str | None:
    """The note for a PGP/MIME encrypted message (``multipart/encrypted``), else None."""
    return _ENCRYPTED_NOTE if part.get_content_type() == "multipart/encrypted" else None


def _file_name(part) -> str:
    """The file's name as its sender's mailer gave it (RFC 2231 or an encoded word), on one line."""
    try:
        values = (part.get_param("filename", header="content-disposition"), part.get_param("name"))
    except Exception:  # a parameter the email package cannot decode
        return ""
    name = next((_rfc2231_text(value) for value in values if value), "")
    return clean_line(decode_encoded_words(name)).strip().strip("\"'")


def _rfc2231_text(value) -> str:
    """A parameter's text.  An RFC 2231 value comes as (charset, language, bytes read as
    Latin-1); when plain continuations precede an encoded one (``name*0="Book "``,
    ``name*1*=utf-8''%e2%98%95.gif``), the email package puts their text before the charset."""
    if not isinstance(value, tuple):
        return str(value)
    words = (value[0] or "").rsplit(None, 1)
    codec = codec_of(words[-1]) if words else None
    try:
        text = value[2].encode("latin-1").decode(codec or "utf-8")
    except (UnicodeError, LookupError):
        text = value[2]
    return (words[0] + " " if len(words) == 2 else "") + text


def _as_text(part, payload: bytes, name: str, notes: list[str]) -> str | None:
    """The attachment's text when it is a text file and reads as text, else None."""
    maintype, subtype = part.get_content_maintype(), part.get_content_subtype()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if maintype == "text":
        texty = subtype not in _TEXT_NOT_SHOWN
    elif maintype == "application":
        texty = subtype in _TEXT_APPLICATION or (subtype == "octet-stream" and extension in _TEXT_EXTENSIONS)
    else:
        texty = False
    if not texty or b"\x00" in payload:
        return None
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    if codec_of(charset) is None or (codec_of(charset) == "ascii" and not payload.isascii()):
        guess = guess_charset(payload)
        if guess and not payload.isascii():
            notes.append(f"has a text attachment without a charset, read as {charset_label(guess)} (a guess): {name}")
        charset = guess
    text, _, _ = decode_text(payload, charset)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return None if _CONTROL.search(text) else text


def attachment_html(attachment: Attachment) -> str:
    """The attachment in the body HTML subset: an "Attachment: NAME" line, then its text as
    preformatted lines (with a line saying what the cut left out), or its type and size."""
    label = f"Attachment: {attachment.name} ({_kind(attachment)})"
    if attachment.text is None:
        return bodies.clean(f"<p>{html.escape(label)}, not shown</p>")
    out = f"<p>{html.escape(label)}</p><pre>{html.escape(attachment.text, quote=False)}</pre>"
    if attachment.lines_left_out:
        out += f"<p>[{counted(attachment.lines_left_out, 'more line')} of {html.escape(attachment.name)} not shown]</p>"
    return bodies.clean(out)


def attachment_line(attachment: Attachment) -> str:
    """One line naming the attachment, for a forwarded message's quote."""
    return f"[Attachment: {attachment.name} ({_kind(attachment)})]"


def attachment_notes(attachments: list[Attachment]) -> list[str]:
    """What the import notes say of attachments: files not shown, and text cut short."""
    notes = []
    unshown = [f"{a.name} ({_kind(a)})" for a in attachments if a.text is None]
    if unshown:
        notes.append(f"has file(s) attached that are not text, named but not shown: {', '.join(unshown)}")
    cut = [f"{a.name} ({a.lines_left_out} line(s) left out)" for a in attachments if a.lines_left_out]
    cut += [f"{a.name} (a line longer than {SHOWN_CHARACTERS} characters cut)" for a in attachments if a.long_line_cut]
    if cut:
        notes.append(f"has text attachment(s) shown only in part: {', '.join(cut)}")
    return notes


def _kind(attachment: Attachment) -> str:
    return f"{attachment.content_type}, {_size(attachment.size)}"


def _size(size: int) -> str:
    """``512 bytes``, ``3.4 KB``, ``1.2 MB``."""
    if size < 1024:
        return f"{size} byte" + ("" if size == 1 else "s")
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
