"""One email per subscriber from the built issue: only the address and the unsubscribe
link differ, so the MIME structure is encoded once per issue (``MessageTemplate``) and each
recipient's copy is a join of precomputed bytes plus the few lines that name them.

The stdlib email package needs about 5 ms to build and serialize one 16 KB message; the
template needs a few microseconds, so building messages never limits a send.
"""

from __future__ import annotations

import base64
import binascii
import email
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from urllib.parse import quote_plus, urlencode

from digest.config import DigestConfig
from digest.issue import Issue
from digest.render import RECIPIENT_EMAIL, UNSUBSCRIBE_URL, personalize
from digest.subscribers import Subscriber

NEUTRAL_EMAIL = "subscriber@invalid"  # what the archived copy says instead of an address
FORMATS = ("html", "text")  # html: multipart/alternative (text, then HTML); text: text/plain only


def envelope_sender(config: DigestConfig) -> str:
    """The bare address of the From header, used as the SMTP envelope sender."""
    return parseaddr(config.sender)[1]


def unsubscribe_token(secret: bytes, digest: str, email: str) -> str:
    """``address.signature``: an HMAC over digest and address, so a forged token is refused."""
    address = base64.urlsafe_b64encode(email.lower().encode()).decode().rstrip("=")
    signature = hmac.digest(secret, f"{digest}\n{email.lower()}".encode(), "sha256")[:18]
    return f"{address}.{base64.urlsafe_b64encode(signature).decode()}"


MAX_TOKEN_LENGTH = 512  # a 254-octet address and its signature fit well within this


def verify_token(secret: bytes, digest: str, token: str) -> str | None:
    """The address a token was made for, or None when it is forged, altered or malformed.

    Any input is safe: it comes straight from a URL or a form (non-ASCII, huge, no dot)."""
    if not isinstance(token, str) or not token.isascii() or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        address_part, _ = token.split(".", 1)
        email = base64.urlsafe_b64decode(address_part + "=" * (-len(address_part) % 4)).decode()
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        return None
    expected = unsubscribe_token(secret, digest, email).encode()
    return email if hmac.compare_digest(expected, token.encode()) else None


def unsubscribe_url(config: DigestConfig, secret: bytes, email: str) -> str:
    return _unsubscribe_prefix(config.unsubscribe_url, config.name) + quote_plus(unsubscribe_token(secret, config.name, email))


@lru_cache(maxsize=16)
def _unsubscribe_prefix(url: str, digest: str) -> str:
    """The link up to the token (the same for every recipient), as urlencode writes it."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode({'d': digest})}&t="


def message_id(issue: Issue, email: str, sender: str) -> str:
    """Deterministic per issue and recipient, so a resumed send reuses the same id."""
    return _message_id(issue, email, _id_domain(sender))


def _id_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "digest.invalid"


def _message_id(issue: Issue, email: str, domain: str) -> str:
    digest = hashlib.sha256(f"{issue.digest}/{issue.number}/{email.lower()}".encode()).hexdigest()[:20]
    return f"<{issue.digest}.{issue.number}.{digest}@{domain}>"


def subscriber_format(subscriber: Subscriber) -> str:
    """``html`` (both parts) unless the subscriber asked for text only."""
    value = getattr(subscriber, "format", "html") or "html"
    return value if value in FORMATS else "html"


# ------------------------------------------------------------------------------ encoding


def _header(name: str, value: str) -> bytes:
    """One folded header line (RFC 2047 where needed), the way the email package writes it."""
    return SMTP.fold_binary(name, SMTP.header_store_parse(name, value)[1])


def _subject(value: str) -> bytes:
    """An ASCII subject folded at spaces after its first word (the email package would fold
    before it, and some readers then show a leading space); others as the package does."""
    if not value.isascii() or "\r" in value or "\n" in value:
        return _header("Subject", value)
    lines = ["Subject:"]
    for word in value.split(" "):
        if len(lines[-1]) + 1 + len(word) > 78 and lines[-1] != "Subject:":
            lines.append("")
        lines[-1] += " " + word
    return ("\r\n".join(lines) + "\r\n").encode()


def _qp(text: str) -> bytes:
    """Quoted-printable with CRLF line ends: every line stays under 77 octets."""
    return binascii.b2a_qp(text.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")


@dataclass(frozen=True)
class _Part:
    """A body part split at line boundaries: constant chunks encoded once, and the lines
    that hold a placeholder, encoded per recipient.  Quoted-printable is line-local, so
    the join equals encoding the whole personalized part."""

    chunks: tuple[bytes | str, ...]  # bytes: encoded already; str: a line to personalize
    is_html: bool

    @classmethod
    def of(cls, rendered: str, is_html: bool) -> _Part:
        lines = rendered.replace("\r\n", "\n").splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        chunks: list[bytes | str] = []
        constant: list[str] = []
        for line in lines:
            if RECIPIENT_EMAIL in line or UNSUBSCRIBE_URL in line:
                if constant:
                    chunks.append(_qp("".join(constant)))
                    constant = []
                chunks.append(line)
            else:
                constant.append(line)
        if constant:
            chunks.append(_qp("".join(constant)))
        return cls(tuple(chunks), is_html)

    def encode(self, email: str, unsubscribe: str) -> list[bytes]:
        """The encoded part; its constant chunks are the same objects for every recipient."""
        return [c if isinstance(c, bytes) else _qp(personalize(c, email, unsubscribe, is_html=self.is_html)) for c in self.chunks]


def _part_header(subtype: str) -> bytes:
    return f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n'.encode()


class MessageTemplate:
    """Everything about an issue's message that is the same for every recipient, encoded
    once; ``render`` fills in one recipient (``to=None``: the recipient-neutral archive copy)."""

    def __init__(self, issue: Issue, config: DigestConfig, *, date: datetime, subject_prefix: str = "", text_only: bool = False):
        self.issue = issue
        self.config = config
        self._domain = _id_domain(config.sender)
        head = [_header("From", config.sender)]
        self._after_to = b"".join(
            [
                _header("Reply-To", config.reply_to) if config.reply_to else b"",
                _subject(subject_prefix + issue.subject),
                _header("Date", format_datetime(date)),
                _header("Content-Language", config.language),  # RFC 3282: screen readers and translation offers
            ]
        )
        self._list_id = _header("List-Id", f"{config.title} <{config.list_id}>")
        self._from = b"".join(head)
        text = _Part.of(issue.text, is_html=False)
        if text_only:
            self._mime = b"MIME-Version: 1.0\r\n" + _part_header("plain")
            self._parts: tuple[tuple[bytes, _Part], ...] = ((b"", text),)
            self._closing = b""
        else:
            boundary = "===============" + hashlib.sha256(issue.html.encode()).hexdigest()[:24] + "=="
            self._mime = f'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="{boundary}"\r\n'.encode()
            self._parts = (
                (f"--{boundary}\r\n".encode() + _part_header("plain") + b"\r\n", text),
                (f"\r\n--{boundary}\r\n".encode() + _part_header("html") + b"\r\n", _Part.of(issue.html, is_html=True)),
            )
            # The CRLF before a delimiter belongs to it: each part keeps its own last line end.
            self._closing = f"\r\n--{boundary}--\r\n".encode()

    def message_id(self, email: str) -> str:
        return _message_id(self.issue, email, self._domain)

    def render(self, to: Subscriber | None, unsubscribe: str | None) -> bytes:
        head, body = self.render_split(to, unsubscribe)
        return head + b"\r\n" + b"".join(body)

    def render_split(self, to: Subscriber | None, unsubscribe: str | None) -> tuple[bytes, list[bytes]]:
        """The header block (without the blank line) and the body as pieces, so a signer
        can reuse its work on the pieces every copy shares."""
        address = to.email if to else NEUTRAL_EMAIL
        link = unsubscribe or self.config.unsubscribe_url
        pieces = [self._from]
        if to is not None:
            pieces.append(b"To: " + _to_value(to) + b"\r\n")
        pieces += [
            self._after_to,
            f"Message-ID: {_message_id(self.issue, address, self._domain)}\r\n".encode(),
            self._list_id,
            _unsubscribe_headers(link, one_click=unsubscribe is not None),
            self._mime,
        ]
        body: list[bytes] = []
        for part_head, part in self._parts:
            body.append(part_head)
            body += part.encode(address, link)
        body.append(self._closing)
        return b"".join(pieces), body


def _to_value(to: Subscriber) -> bytes:
    if not to.name:
        return to.email.encode("ascii", "strict") if to.email.isascii() else _header("To", to.email)[4:-2]
    value = formataddr((to.name, to.email), charset="utf-8")
    return value.encode("ascii") if value.isascii() else _header("To", value)[4:-2]


def _unsubscribe_headers(link: str, one_click: bool) -> bytes:
    lines = f"List-Unsubscribe: <{link}>\r\n"
    if one_click:
        lines += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    return lines.encode("ascii", "strict")


def build_message(
    issue: Issue,
    config: DigestConfig,
    *,
    to: Subscriber | None,
    unsubscribe: str | None,
    now: datetime,
    subject_prefix: str = "",
) -> EmailMessage:
    """One message as an EmailMessage (preview, test copy, archive): the same bytes a send
    delivers, parsed.  ``to=None`` gives the recipient-neutral copy kept in the archive."""
    text_only = to is not None and subscriber_format(to) == "text"
    raw = MessageTemplate(issue, config, date=now, subject_prefix=subject_prefix, text_only=text_only).render(to, unsubscribe)
    return email.message_from_bytes(raw, policy=SMTP)
