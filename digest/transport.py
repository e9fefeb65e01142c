"""Where messages go: one small protocol, two implementations (SMTP, an outbox folder)."""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from digest.config import SmtpSettings
from digest.errors import DeliveryError


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    code: int | None  # the SMTP reply code, when there was one
    detail: str
    permanent: bool = False  # 5xx: retrying will not help


class Transport(Protocol):
    def deliver(self, sender: str, recipient: str, message: bytes) -> DeliveryResult: ...

    def close(self) -> None: ...


class OutboxTransport:
    """Writes each message as an .eml file: for the demo and for inspecting a send."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def deliver(self, sender: str, recipient: str, message: bytes) -> DeliveryResult:
        name = re.sub(r"[^A-Za-z0-9.@_-]", "_", recipient) + ".eml"
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(message)
            handle.flush()
            os.fsync(handle.fileno())
        target = self._unique(name)
        os.replace(tmp, target)
        return DeliveryResult(True, None, f"written to {target}")

    def _unique(self, name: str) -> Path:
        target = self.folder / name
        counter = 1
        while target.exists():
            counter += 1
            target = self.folder / f"{Path(name).stem}-{counter}.eml"
        return target

    def close(self) -> None:
        pass


class SmtpTransport:
    """One reused SMTP connection (STARTTLS, implicit TLS or plain), opened on first use."""

    def __init__(self, settings: SmtpSettings, timeout: float = 30.0, tls_context: ssl.SSLContext | None = None):
        self.settings = settings
        self.timeout = timeout
        self.tls_context = tls_context or ssl.create_default_context()
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.security == "tls":
                conn = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=self.tls_context)
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
                if s.security == "starttls":
                    conn.starttls(context=self.tls_context)
            if s.username:
                conn.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP login refused: {exc.smtp_code}", where=f"{s.host}:{s.port}", fix="check DIGEST_SMTP_USERNAME / DIGEST_SMTP_PASSWORD") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot connect to the SMTP server: {exc}", where=f"{s.host}:{s.port}", fix="check DIGEST_SMTP_HOST, DIGEST_SMTP_PORT and DIGEST_SMTP_SECURITY") from None
        return conn

    def deliver(self, sender: str, recipient: str, message: bytes) -> DeliveryResult:
        for attempt in (1, 2):  # a connection the server dropped while idle is reopened once
            if self.connection is None:
                self.connection = self._connect()
            try:
                refused = self.connection.sendmail(sender, [recipient], message)
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = exc.recipients.get(recipient, (None, b""))
                return DeliveryResult(False, code, _text(text), permanent=bool(code and code >= 500))
            except smtplib.SMTPResponseException as exc:
                return DeliveryResult(False, exc.smtp_code, _text(exc.smtp_error), permanent=exc.smtp_code >= 500)
            except (smtplib.SMTPServerDisconnected, socket.timeout, OSError) as exc:
                self._drop()
                if attempt == 2:
                    return DeliveryResult(False, None, f"connection lost: {exc}")
                continue
            if refused:
                code, text = refused[recipient]
                return DeliveryResult(False, code, _text(text), permanent=code >= 500)
            return DeliveryResult(True, 250, "accepted")
        raise AssertionError("unreachable")

    def _drop(self) -> None:
        try:
            if self.connection is not None:
                self.connection.close()
        finally:
            self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
