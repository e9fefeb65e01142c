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

import email.message
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import parseaddr, parsedate_to_datetime

from flufl.bounce import all_failures

SOFT_DAYS = 3  # soft bounces on this many different days suspend an address
SOFT_WINDOW = timedelta(days=30)

PERMANENT, SOFT, DELAYED = "permanent", "soft", "delayed"
_ADDRESS_STATUS = re.compile(r"5\.1\.\d+|5\.2\.1|5\.4\.4")
_ENHANCED = re.compile(r"\s*([245]\.\d{1,3}\.\d{1,3})\b")


@dataclass(frozen=True)
class Bounce:
    """One address's failure, from one report (``ref``: its Message-ID, or file and position)."""

    email: str
    kind: str  # PERMANENT, SOFT or DELAYED
    detail: str  # the status code and the server's words, for the subscriber's history
    ref: str
    day: date


def kind_of(status: str | None, failed: bool = True) -> str:
    """What an RFC 3463 status says about the address; without one, a failure is taken as
    permanent (the older report formats name only the addresses that failed for good)."""
    if not failed:
        return DELAYED
    if status is None or _ADDRESS_STATUS.fullmatch(status):
        return PERMANENT
    return SOFT


def read_report(msg: email.message.Message, ref: str, received: datetime) -> tuple[Bounce, ...]:
    """The failures a bounce message reports; () for a message that is no bounce (an
    auto-reply, a subscriber's answer)."""
    day = _day(msg, received)
    blocks = [block for part in msg.walk() if part.get_content_type() == "message/delivery-status" and part.is_multipart() for block in part.get_payload()]
    if blocks:
        return tuple(b for block in blocks if (b := _from_status_block(block, ref, day)) is not None)
    temporary, permanent = all_failures(msg)
    return tuple(
        Bounce(address.decode("ascii").lower(), kind, "", ref, day)
        for kind, addresses in ((PERMANENT, permanent), (DELAYED, temporary - permanent))
        for address in sorted(addresses)
    )


def refused_at_send(email_address: str, code: int | None, detail: str, ref: str, day: date) -> Bounce | None:
    """A copy the receiving server refused for good during a send (5xx): a bounce like any
    other, classified by the enhanced status at the start of the server's reply."""
    if code is None or code < 500:
        return None
    match = _ENHANCED.match(detail)
    status = match.group(1) if match else None
    kind = kind_of(status) if status else (PERMANENT if code in (550, 551, 553) and _names_the_address(detail) else SOFT)
    return Bounce(email_address.lower(), kind, f"{code} {detail}".strip(), ref, day)


def suspends(bounce: Bounce, soft_days: int, limit: int = SOFT_DAYS) -> bool:
    """Whether this bounce, once recorded, suspends the address (``soft_days``: how many
    different days with a soft bounce the address now has within ``SOFT_WINDOW``)."""
    return bounce.kind == PERMANENT or (bounce.kind == SOFT and soft_days >= limit)


def _from_status_block(block: email.message.Message, ref: str, day: date) -> Bounce | None:
    recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
    action = (block.get("Action") or "").strip().lower()
    if not recipient or not action.startswith(("fail", "error", "delayed")):
        return None  # the per-message block, or "delivered", "relayed", "expanded"
    address = parseaddr(recipient.partition(";")[2] or recipient)[1].lower()
    if "@" not in address:
        return None
    status = _ENHANCED.match(block.get("Status") or "")
    code = status.group(1) if status else None
    diagnostic = " ".join((block.get("Diagnostic-Code") or "").partition(";")[2].split())
    detail = " ".join(filter(None, [code, diagnostic]))[:300]
    return Bounce(address, kind_of(code, failed=not action.startswith("delayed")), detail, ref, day)


def _names_the_address(detail: str) -> bool:
    return bool(re.search(r"no such|unknown|does not exist|doesn't exist|not found|invalid (?:recipient|mailbox|address)|disabled", detail, re.I))


def _day(msg: email.message.Message, received: datetime) -> date:
    """The day the report was written (its Date header; ``-0000`` is UTC), else the day it is read."""
    try:
        sent = parsedate_to_datetime(msg.get("Date", ""))
    except (TypeError, ValueError, IndexError):
        return received.astimezone(timezone.utc).date()
    return (sent if sent.tzinfo else sent.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).date()
