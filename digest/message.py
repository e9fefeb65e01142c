"""One email per subscriber from the built issue: only the address and the unsubscribe
link differ, so building a message is a string replacement, never a re-render."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from urllib.parse import urlencode

from digest.config import DigestConfig
from digest.issue import Issue
from digest.render import personalize
from digest.subscribers import Subscriber

NEUTRAL_EMAIL = "subscriber@invalid"  # what the archived copy says instead of an address


def envelope_sender(config: DigestConfig) -> str:
    """The bare address of the From header, used as the SMTP envelope sender."""
    return parseaddr(config.sender)[1]


def unsubscribe_token(secret: bytes, digest: str, email: str) -> str:
    """``address.signature``: an HMAC over digest and address, so a forged token is refused."""
    address = base64.urlsafe_b64encode(email.lower().encode()).decode().rstrip("=")
    signature = hmac.new(secret, f"{digest}\n{email.lower()}".encode(), hashlib.sha256).digest()[:18]
    return f"{address}.{base64.urlsafe_b64encode(signature).decode()}"


def verify_token(secret: bytes, digest: str, token: str) -> str | None:
    """The address a token was made for, or None when it is forged or altered."""
    try:
        address_part, _ = token.split(".", 1)
        email = base64.urlsafe_b64decode(address_part + "=" * (-len(address_part) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return email if hmac.compare_digest(unsubscribe_token(secret, digest, email), token) else None


def unsubscribe_url(config: DigestConfig, secret: bytes, email: str) -> str:
    separator = "&" if "?" in config.unsubscribe_url else "?"
    query = urlencode({"d": config.name, "t": unsubscribe_token(secret, config.name, email)})
    return f"{config.unsubscribe_url}{separator}{query}"


def message_id(issue: Issue, email: str, sender: str) -> str:
    """Deterministic per issue and recipient, so a resumed send reuses the same id."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "digest.invalid"
    digest = hashlib.sha256(f"{issue.digest}/{issue.number}/{email.lower()}".encode()).hexdigest()[:20]
    return f"<{issue.digest}.{issue.number}.{digest}@{domain}>"


def build_message(
    issue: Issue,
    config: DigestConfig,
    *,
    to: Subscriber | None,
    unsubscribe: str | None,
    now: datetime,
    subject_prefix: str = "",
) -> EmailMessage:
    """The multipart/alternative message (text first, then HTML).

    ``to=None`` gives the recipient-neutral copy kept in the archive: no address, no
    working unsubscribe token.
    """
    email = to.email if to else NEUTRAL_EMAIL
    unsubscribe_link = unsubscribe or config.unsubscribe_url

    msg = EmailMessage(policy=SMTP)
    msg["From"] = config.sender
    if to is not None:
        msg["To"] = Address(display_name=to.name, addr_spec=to.email) if to.name else to.email
    if config.reply_to:
        msg["Reply-To"] = config.reply_to
    msg["Subject"] = subject_prefix + issue.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(issue, email, config.sender)
    msg["List-Id"] = f"{config.title} <{config.list_id}>"
    msg["List-Unsubscribe"] = f"<{unsubscribe_link}>"
    if unsubscribe:
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable keeps every line under 998 octets, whatever the HTML looks like.
    msg.set_content(personalize(issue.text, email, unsubscribe_link), subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(personalize(issue.html, email, unsubscribe_link, is_html=True), subtype="html", charset="utf-8", cte="quoted-printable")
    return msg
