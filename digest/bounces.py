"""Bounces: which subscribers cannot be reached, from the reports mail servers send back
(RFC 3464 delivery status notifications, and the older formats of Exim, qmail, Postfix,
Exchange and others that flufl.bounce recognises) and from the refusals of a send.

A failure that blames the address (RFC 3463 ``5.1.x`` bad mailbox or domain, ``5.2.1``
disabled, ``5.4.4`` unroutable) suspends the address at once, in every digest: mailing a
dead address again harms the delivery of everyone else's copy.  A failure that blames the
message or the moment (``4.x.x``, a full mailbox ``5.2.2``, a spam or policy block ``5.7.x``)
is a *soft* bounce: it only counts, and an address with soft bounces on ``soft_days``
different days within ``SOFT_WINDOW`` is suspended too.  A "still trying" warning (``Action:
delayed``) is no failure and is only reported."""

from __future__ import annotations

import copy
import email.message
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import collapse_rfc2231_value, getaddresses, parseaddr, parsedate_to_datetime
from typing import Iterator

from flufl.bounce import all_failures

SOFT_DAYS = 3  # soft bounces on this many different days suspend an address
SOFT_WINDOW = timedelta(days=30)

PERMANENT, SOFT, DELAYED = "permanent", "soft", "delayed"
_ADDRESS_STATUS = re.compile(r"5\.1\.\d+|5\.2\.1|5\.4\.4")
_GENERIC_STATUS = re.compile(r"[245]\.[05]\.0")  # "other", "other protocol status": says nothing about the address
_ENHANCED = re.compile(r"\s*([245]\.\d{1,3}\.\d{1,3})\b")
_REPLIED_STATUS = re.compile(r"\b[245]\d\d[ -]['\"]?([245]\.\d{1,3}\.\d{1,3})\b")  # "550 5.1.1", SES's "550-'5.2.2"
_ANY_STATUS = re.compile(r"(?<![\w.])#?([245]\.\d{1,3}\.\d{1,3})(?![\w.])")  # also qmail's "(#5.1.1)"
_REPLY_CODE = re.compile(r"(?<![\w.])[245]\d\d(?=[ -])")
# Servers that say the address is dead without a 5.1.x: a domain that takes no mail at all
# (RFC 7505 null MX; Gmail reports it as 4.0.0), and Microsoft 365's 5.4.1 for a recipient
# its directory does not know.
_DEAD_ADDRESS = re.compile(r"null MX|5\.4\.1\b.{0,80}recipient address rejected: access denied", re.I | re.S)
_NAMES_THE_ADDRESS = re.compile(
    r"no such|unknown|does not exist|doesn't exist|not found|not listed|not recognized"
    r"|invalid (?:recipient|mailbox|address)|disabled", re.I)
_WARNING_ONLY = re.compile(r"warning (?:message )?only|still being retried", re.I)
_MAIL_SYSTEM_NAME = re.compile(r"mail delivery|mail system|mailer|postmaster|system administrator", re.I)
_NOTIFIED_ADDRESS = re.compile(r"^<([^<>\s]+@[^<>\s]+)>:", re.M)  # Postfix: "<ada@example.com>: host ... said: 550 ..."


@dataclass(frozen=True)
class Bounce:
    """One address's failure, from one report (``ref``: its Message-ID, or file and position)."""

    email: str
    kind: str  # PERMANENT, SOFT or DELAYED
    detail: str  # the status code and the server's words, for the subscriber's history
    ref: str
    day: date


def kind_of(status: str | None, words: str = "", unknown: str = PERMANENT) -> str:
    """What a failure says about the address, from its RFC 3463 status and the server's words.
    A generic status (``5.0.0``) or none gives way to a code in the words (Courier, SES and
    Gmail put the remote server's ``550 5.1.1`` there), then to the words themselves; with
    neither a code nor telling words the failure is ``unknown`` (the older report formats name
    only addresses that failed for good)."""
    status = _specific_status(status, words)
    if (status and _ADDRESS_STATUS.fullmatch(status)) or _DEAD_ADDRESS.search(words):
        return PERMANENT
    if status and not _GENERIC_STATUS.fullmatch(status):
        return SOFT
    if _NAMES_THE_ADDRESS.search(words):
        return PERMANENT
    return unknown if status is None and not _REPLY_CODE.search(words) else SOFT


def read_report(msg: email.message.Message, ref: str, received: datetime) -> tuple[Bounce, ...]:
    """The failures a bounce message reports; () for a message that is no bounce (an
    auto-reply, a subscriber's answer, a message that merely carries a report as attachment)."""
    day = _day(msg, received)
    blocks = [block for part in _own_parts(msg) if part.get_content_type() == "message/delivery-status" and part.is_multipart() for block in part.get_payload()]
    if blocks:
        return tuple(b for block in blocks if (b := _from_status_block(block, ref, day)) is not None)
    text = _notification_text(msg)
    temporary, permanent = all_failures(_for_detectors(msg)) if _from_a_mail_system(msg) else (frozenset(), frozenset())
    failed = {a.decode("ascii", "replace").lower(): PERMANENT for a in permanent}
    failed |= {a.decode("ascii", "replace").lower(): DELAYED for a in temporary - permanent}
    if not failed and _is_delivery_report(msg):  # a Postfix report that lost its delivery-status part
        warning = bool(_WARNING_ONLY.search(text))
        failed = {a.lower(): DELAYED if warning else PERMANENT for a in _NOTIFIED_ADDRESS.findall(text)}
    return tuple(_from_text(address, kind, text, ref, day) for address, kind in sorted(failed.items()))


def refused_at_send(email_address: str, code: int | None, detail: str, ref: str, day: date) -> Bounce | None:
    """A copy the receiving server refused for good during a send (5xx): a bounce like any
    other, classified by the enhanced status at the start of the server's reply and its words."""
    if code is None or code < 500:
        return None
    match = _ENHANCED.match(detail)
    kind = kind_of(match.group(1) if match else None, detail, unknown=SOFT)
    return Bounce(email_address.lower(), kind, f"{code} {detail}".strip(), ref, day)


def suspends(bounce: Bounce, soft_days: int, limit: int = SOFT_DAYS) -> bool:
    """Whether this bounce, once recorded, suspends the address (``soft_days``: how many
    different days with a soft bounce the address now has within ``SOFT_WINDOW``)."""
    return bounce.kind == PERMANENT or (bounce.kind == SOFT and soft_days >= limit)


def _from_status_block(block: email.message.Message, ref: str, day: date) -> Bounce | None:
    action = _field(block, "Action").strip().lower()
    address = _recipient(block)
    if not address or not action.startswith(("fail", "error", "delayed")):
        return None  # the per-message block, or "delivered", "relayed", "expanded"
    status = _ENHANCED.match(_field(block, "Status"))
    code = status.group(1) if status else None
    diagnostic = _diagnostic(block)
    detail = " ".join(filter(None, [code, diagnostic]))[:300]
    kind = DELAYED if action.startswith("delayed") else kind_of(code, diagnostic)
    return Bounce(address, kind, detail, ref, day)


def _recipient(block: email.message.Message) -> str | None:
    """The address the failed copy was sent to: the Original-Recipient when the report gives
    it (RFC 3464: as the sender named it), else the Final-Recipient, which after a forward
    is the forwarding target rather than the subscriber."""
    for field in ("Original-Recipient", "Final-Recipient"):
        kind, sep, value = _field(block, field).partition(";")
        if sep and kind.strip().lower() != "rfc822":
            continue
        address = parseaddr(value if sep else kind)[1].lower()
        if "@" in address:
            return address
    return None


def _diagnostic(block: email.message.Message) -> str:
    """The server's words, without the diagnostic type (``smtp;``), which some servers omit."""
    value = _field(block, "Diagnostic-Code")
    kind, sep, words = value.partition(";")
    return " ".join((words if sep and " " not in kind.strip() else value).split())


def _from_text(address: str, kind: str, text: str, ref: str, day: date) -> Bounce:
    """A failure an older report format names: the server's words come from the lines that
    follow the address in the report's text, and say how bad it is."""
    words = _words_about(address, text)
    return Bounce(address, kind if kind == DELAYED else kind_of(None, words), words[:300], ref, day)


def _words_about(address: str, text: str) -> str:
    """The paragraph of ``text`` that holds the address, or the first paragraph after it that
    says something (Gmail and Domino put the address on a line of its own)."""
    at = text.lower().find(address)
    if at < 0:
        return ""
    paragraphs = re.split(r"\n[ \t]*\n", text[at + len(address):].lstrip(">\":"))
    for paragraph in paragraphs[:4]:
        words = " ".join(paragraph.split())
        if len(words.split()) >= 3:
            return words
    return ""


def _notification_text(msg: email.message.Message) -> str:
    """The report's human-readable text: its first text part that is not inside a message it carries."""
    for part in _own_parts(msg):
        if part.get_content_maintype() == "text" and part.get_content_type() != "text/html":
            payload = part.get_payload(decode=True) or b""
            try:
                return payload.decode(part.get_content_charset() or "utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
            except LookupError:  # an unknown charset name
                return payload.decode("utf-8", "replace")
    return ""


def _is_delivery_report(msg: email.message.Message) -> bool:
    report_type = collapse_rfc2231_value(msg.get_param("report-type", ""))
    return msg.get_content_type() == "multipart/report" and report_type.lower() == "delivery-status"


def _own_parts(msg: email.message.Message) -> Iterator[email.message.Message]:
    """The parts of ``msg`` itself, not those of the messages it carries: a report inside a
    returned original or a forwarded attachment is about someone else's mail."""
    yield msg
    if msg.is_multipart() and msg.get_content_maintype() != "message":
        for part in msg.get_payload():
            yield from _own_parts(part)


def _for_detectors(msg: email.message.Message) -> email.message.Message:
    """A copy for flufl.bounce: without the messages it carries (its detectors would read a
    report attached to an ordinary message as a bounce of this one), with every header as text
    (they fail on the Header object a header with raw 8-bit bytes becomes) and with a From its
    Yale detector can parse (it fails with an IndexError on a message without one)."""
    clean = copy.deepcopy(msg)
    for part in _own_parts(clean):
        if part.is_multipart() and part.get_content_maintype() != "message":
            part.set_payload([p for p in part.get_payload() if p.get_content_type() not in ("message/rfc822", "message/global")])
        for name in {name for name, value in part.items() if not isinstance(value, str)}:
            values = [str(value) for value in part.get_all(name)]
            del part[name]
            for value in values:
                part[name] = value
    if not getaddresses([_field(clean, "From")]):
        del clean["From"]
        clean["From"] = "<>"
    return clean


def _from_a_mail_system(msg: email.message.Message) -> bool:
    """Whether a mail server wrote the message: flufl.bounce's looser detectors take any line
    like ", ada@example.com," for a failure, so a person's message (a reply quoting a Cc list,
    an auto-reply naming colleagues) must never reach them."""
    name, address = parseaddr(_field(msg, "From"))
    local_part = address.rpartition("@")[0].lower() if "@" in address else address.lower()
    return bool(msg.get("X-Failed-Recipients")) or local_part in ("", "mailer-daemon", "mail-daemon", "mailerdaemon", "postmaster") or bool(_MAIL_SYSTEM_NAME.search(name))


def _specific_status(status: str | None, words: str) -> str | None:
    """``status`` unless it is missing or generic; then the code the server's words give."""
    if status and not _GENERIC_STATUS.fullmatch(status):
        return status
    found = _REPLIED_STATUS.search(words) or _ANY_STATUS.search(words)
    return found.group(1) if found else status


def _field(msg: email.message.Message, name: str) -> str:
    """A header's text; a header with raw 8-bit bytes is parsed as a Header object, not a str."""
    value = msg.get(name)
    return "" if value is None else str(value)


def _day(msg: email.message.Message, received: datetime) -> date:
    """The day the report was written (its Date header; ``-0000`` is UTC), else the day it is read."""
    try:
        sent = parsedate_to_datetime(_field(msg, "Date"))
    except (TypeError, ValueError, IndexError):
        return received.astimezone(timezone.utc).date()
    return (sent if sent.tzinfo else sent.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).date()
