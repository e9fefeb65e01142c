"""Where messages go: one small protocol, two implementations (SMTP, an outbox folder)."""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, Union

from digest.config import SmtpSettings
from digest.errors import DeliveryError


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    code: int | None  # the SMTP reply code, when there was one
    detail: str
    permanent: bool = False  # 5xx: retrying will not help
    ambiguous: bool = False  # lost after the whole message was sent: it may have been accepted


class ConnectFailed(DeliveryError):
    """No session with the server: refused, timed out, 421 greeting (temporary) or a login or
    certificate the server or we refused (not temporary: every other copy would fail too)."""

    def __init__(self, message: str, *, temporary: bool, where: str, fix: str):
        super().__init__(message, where=where, fix=fix)
        self.temporary = temporary


class Prepared:
    """A message as line-aligned pieces together with its DATA payload (``wire``: the pieces
    dot-stuffed, CRLF-terminated, then the end marker), made by ``DotStuffer``.  ``bytes()``
    gives the message itself, for transports that store it."""

    __slots__ = ("pieces", "wire")

    def __init__(self, pieces: list[bytes], wire: list[bytes]):
        self.pieces, self.wire = pieces, wire

    def __bytes__(self) -> bytes:
        return b"".join(self.pieces)


Message = Union[bytes, Prepared]


class DotStuffer:
    """Dot-stuffs messages piece by piece, remembering the stuffed form of the large pieces
    every copy of an issue shares (the template hands out the same objects), so the 50 KB
    of an issue's body are scanned once per issue, not once per copy.

    Stuffing piece by piece equals stuffing the joined message when every piece but the
    last ends with CRLF: each line then starts inside one piece, at its start or after a
    CRLF within it, so ``CRLF .`` never spans two pieces.  ``prepare`` checks that and
    stuffs the joined message when it does not hold."""

    MEMO_MIN, MEMO_MAX = 1024, 256  # pieces at least this long; at most this many kept

    def __init__(self) -> None:
        self._memo: dict[bytes, bytes] = {}

    def prepare(self, pieces: list[bytes]) -> Prepared:
        pieces = [piece for piece in pieces if piece]
        wire: list[bytes] = []
        memo, last = self._memo, len(pieces) - 1
        for i, piece in enumerate(pieces):
            if i < last and not piece.endswith(b"\r\n"):  # not line-aligned: stuff the whole
                return Prepared(pieces, [_dot_stuff(b"".join(pieces))])
            if len(piece) < self.MEMO_MIN:
                wire.append(_stuff_lines(piece) if b"\r\n." in piece or piece[:1] == b"." else piece)
                continue
            known = memo.get(piece)
            if known is None:
                known = _stuff_lines(piece)
                if len(memo) < self.MEMO_MAX:
                    memo[piece] = known
            wire.append(known)
        if not (pieces and pieces[-1].endswith(b"\r\n")):
            wire.append(b"\r\n")
        wire.append(b".\r\n")
        return Prepared(pieces, wire)


class Transport(Protocol):
    def deliver(self, sender: str, recipient: str, message: Message) -> DeliveryResult: ...

    def close(self) -> None: ...


class NullTransport:
    """A dry run: everything but the SMTP transaction."""

    def deliver(self, sender: str, recipient: str, message: Message) -> DeliveryResult:
        return DeliveryResult(True, None, "dry run: not sent")

    def close(self) -> None:
        pass


class OutboxTransport:
    """Writes each message as an .eml file: for the demo and for inspecting a send."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def deliver(self, sender: str, recipient: str, message: Message) -> DeliveryResult:
        name = re.sub(r"[^A-Za-z0-9.@_-]", "_", recipient) + ".eml"
        message = bytes(message)
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
    """One reused SMTP connection (STARTTLS, implicit TLS or plain), opened on first use.

    ``deliver`` makes exactly one attempt; retrying is the caller's decision.  With
    PIPELINING, MAIL, RCPT and DATA go out in one write, and ``announcer`` (set by the
    caller) may name the next copy's envelope, which then goes out in the same write as this
    copy's end of data (RFC 2920): one round trip per copy.  The next copy's envelope
    replies are kept for its own ``deliver``; when this copy fails, the announced
    transaction is reset (RSET) or, once the server waits for its data, the connection
    dropped, so it can never complete; the next ``deliver`` then starts it afresh."""

    def __init__(self, settings: SmtpSettings, timeout: float = 60.0, tls_context: ssl.SSLContext | None = None):
        self.settings = settings
        self.timeout = timeout
        self.tls_context = tls_context  # made on first use: loading the CA store takes a while
        self.connection: smtplib.SMTP | None = None
        self.pipelining = False
        self.whole_message_sent = False  # a connection lost after this may have delivered it
        #: called just before a copy's data goes out: the next copy's (sender, recipient) to
        #: announce in the same write, or None
        self.announcer: Callable[[], tuple[str, str] | None] | None = None
        #: the announced envelope and its replies: (sender, recipient, replies)
        self.announced: tuple[str, str, list[tuple[int, bytes, bool]]] | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.host}:{s.port}"
        conn = None
        if s.security != "plain" and self.tls_context is None:
            self.tls_context = tls_context(s)
        try:
            if s.security == "tls":
                conn = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=self.tls_context)
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
                if s.security == "starttls":
                    conn.starttls(context=self.tls_context)
            conn.ehlo_or_helo_if_needed()
            if s.username:
                conn.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            _close(conn)
            raise ConnectFailed(f"SMTP login refused: {exc.smtp_code}", temporary=False, where=where, fix="check DIGEST_SMTP_USERNAME / DIGEST_SMTP_PASSWORD") from None
        except ssl.SSLCertVerificationError as exc:
            _close(conn)
            raise ConnectFailed(f"the server's certificate is not trusted: {exc.verify_message}", temporary=False, where=where, fix="check DIGEST_SMTP_HOST; for a private CA set DIGEST_SMTP_CA_FILE") from None
        except (smtplib.SMTPNotSupportedError, smtplib.SMTPHeloError) as exc:
            _close(conn)
            raise ConnectFailed(f"the server refused the session: {exc}", temporary=False, where=where, fix="check DIGEST_SMTP_SECURITY (starttls, tls or plain) and DIGEST_SMTP_PORT") from None
        except smtplib.SMTPResponseException as exc:
            _close(conn)
            raise ConnectFailed(f"the server refused the session: {exc.smtp_code} {_text(exc.smtp_error)}", temporary=exc.smtp_code < 500, where=where, fix="try again later, or check the server's limits") from None
        except (OSError, smtplib.SMTPException) as exc:
            _close(conn)
            raise ConnectFailed(f"cannot connect to the SMTP server: {exc}", temporary=True, where=where, fix="check DIGEST_SMTP_HOST, DIGEST_SMTP_PORT and DIGEST_SMTP_SECURITY") from None
        self.pipelining = conn.has_extn("pipelining")
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # replies and small writes go out at once
        _kernel_timeouts(conn.sock, self.timeout)
        return conn

    def deliver(self, sender: str, recipient: str, message: Message) -> DeliveryResult:
        announced, self.announced = self.announced, None
        if announced is not None and announced[:2] != (sender, recipient):
            self._abandon(announced)  # not the copy announced: that transaction must not go on
            announced = None
        if self.connection is None:
            self.connection = self._connect()
        self.whole_message_sent = False
        try:
            refusal = self._with_data(self.connection, sender, recipient, message, announced[2] if announced else None)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.announced = None  # never finished: its copy is started afresh
            self._drop()
            return DeliveryResult(False, None, f"connection lost: {exc or type(exc).__name__}", ambiguous=self.whole_message_sent)
        if refusal is None:
            return DeliveryResult(True, 250, "accepted")
        code, text = refusal
        pending, self.announced = self.announced, None
        if code == 421 or self.connection is None:  # the server is closing the connection
            self._drop()
        elif pending is not None:
            self._abandon(pending)  # resets this transaction too
        else:
            self._reset()
        return DeliveryResult(False, code, _text(text), permanent=code >= 500)

    def announced_for(self, sender: str, recipient: str) -> bool:
        return self.announced is not None and self.announced[:2] == (sender, recipient)

    def _abandon(self, announced: tuple[str, str, list[tuple[int, bytes, bool]]]) -> None:
        """Ends an announced transaction whose data will not follow: RSET, or, once the
        server waits for the data (354), drop the connection (RSET would be data)."""
        if self.connection is None:
            return
        if any(code == 354 for code, _, _ in announced[2]):
            self._drop()
        else:
            self._reset()

    def _with_data(self, conn: smtplib.SMTP, sender: str, recipient: str, message: Message,
                   replies: list[tuple[int, bytes, bool]] | None = None) -> tuple[int, bytes] | None:
        if replies is None:
            replies = self._envelope(conn, sender, recipient)
        refusal = next(((code, text) for code, text, ok in replies if not ok), None)
        if replies[-1][0] == 354:
            if refusal is not None:  # DATA accepted though a recipient was refused: end it empty
                conn.send(b".\r\n")
                conn.getreply()
            else:
                wire = [_dot_stuff(message)] if isinstance(message, bytes) else message.wire
                after = self.announcer() if self.pipelining and self.announcer is not None else None
                conn.send(b"".join(wire if after is None else [*wire, _commands(*after)]))
                self.whole_message_sent = True
                code, text = conn.getreply()
                refusal = None if code == 250 else (code, text)
                if after is not None and code != 421:
                    try:
                        self.announced = (*after, self._replies(conn))
                    except (smtplib.SMTPServerDisconnected, OSError):
                        self._drop()  # this copy's outcome is known; the announced one starts afresh
        return refusal

    def _envelope(self, conn: smtplib.SMTP, sender: str, recipient: str) -> list[tuple[int, bytes, bool]]:
        commands = list(zip(_envelope_commands(sender, recipient), _WANTED))
        replies: list[tuple[int, bytes, bool]] = []
        if self.pipelining:
            conn.send(_commands(sender, recipient))
            return self._replies(conn)
        for command, wanted in commands:
            code, text = conn.docmd(command)
            replies.append((code, text, code in wanted))
            if code not in wanted:
                break
        return replies

    @staticmethod
    def _replies(conn: smtplib.SMTP) -> list[tuple[int, bytes, bool]]:
        """The replies to a pipelined MAIL, RCPT and DATA."""
        replies = []
        for wanted in _WANTED:
            code, text = conn.getreply()
            replies.append((code, text, code in wanted))
        return replies

    def _reset(self) -> None:
        try:
            self.connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        self.announced = None  # an announced transaction dies with its connection
        _close(self.connection)
        self.connection = None

    def close(self) -> None:
        announced, self.announced = self.announced, None
        if announced is not None:
            self._abandon(announced)
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()


_WANTED = ((250,), (250, 251), (354,))


def _envelope_commands(sender: str, recipient: str) -> list[str]:
    return [f"MAIL FROM:<{sender}>", f"RCPT TO:<{recipient}>", "DATA"]


def _commands(sender: str, recipient: str) -> bytes:
    return "".join(f"{c}\r\n" for c in _envelope_commands(sender, recipient)).encode("ascii")


def tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    """The system's CAs, or only DIGEST_SMTP_CA_FILE's when it is set; one per send, shared
    by its connections."""
    return ssl.create_default_context(cafile=settings.ca_file)


def _kernel_timeouts(sock: socket.socket, timeout: float) -> None:
    """A plain connection's timeout kept by the kernel (SO_RCVTIMEO/SO_SNDTIMEO) and the
    socket made blocking: each wait for the server is then one system call, where Python's
    own timeout adds a poll() and a failed try to each (and hands the interpreter to another
    thread around every one of them).  A call that times out fails with EAGAIN, which ends
    the session like Python's timeout does (the connection is lost, the copy retried).  TLS
    sockets, or a platform that refuses the options, keep Python's timeout."""
    if isinstance(sock, ssl.SSLSocket) or not timeout or timeout <= 0:
        return
    seconds = int(timeout)
    value = struct.pack("ll", seconds, max(1 if not seconds else 0, int((timeout - seconds) * 1_000_000)))
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)
    except (OSError, struct.error):
        return
    sock.settimeout(None)


def _close(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        try:
            conn.close()
        except OSError:
            pass


def _stuff_lines(piece: bytes) -> bytes:
    """Leading dots doubled in a piece that starts at a line start."""
    if b"\r\n." in piece:
        piece = piece.replace(b"\r\n.", b"\r\n..")
    return b"." + piece if piece.startswith(b".") else piece


def _dot_stuff(message: bytes) -> bytes:
    """The DATA payload: leading dots doubled, CRLF-terminated, then the end marker."""
    data = message.replace(b"\r\n.", b"\r\n..")
    if data.startswith(b"."):
        data = b"." + data
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
