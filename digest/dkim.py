"""DKIM signing (RFC 6376): relaxed/relaxed canonicalization, RSA-SHA256 through the
``cryptography`` package (OpenSSL), so signing keeps up with the wire where pure-Python RSA
manages about 130 signatures a second.

The key is read from a file named in the environment; nothing about it is logged.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import Mapping

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from digest.errors import ConfigError

SIGNED_HEADERS = (
    "from", "to", "subject", "date", "message-id", "reply-to", "list-id",
    "list-unsubscribe", "list-unsubscribe-post", "mime-version", "content-type",
)
_WSP_RUN = re.compile(rb"[ \t]+")
_WSP_RUNS = re.compile(rb"[ \t]{2,}|\t")
_TRAILING_WSP = re.compile(rb"[ \t]+\r\n")
_FIELD_START = re.compile(rb"\r\n(?![ \t])")


def canonical_body(body: bytes) -> bytes:
    """Relaxed body canonicalization: runs of WSP become one space, WSP at line ends and
    empty lines at the end go."""
    body = _canonical_lines(body).rstrip(b"\r\n")
    return body + b"\r\n" if body else b""


def _canonical_lines(text: bytes) -> bytes:
    if b" \r\n" in text or b"\t\r\n" in text:
        text = _TRAILING_WSP.sub(b"\r\n", text)
    if b"\t" in text or b"  " in text:
        text = _WSP_RUNS.sub(b" ", text)
    return text


def canonical_header(name: bytes, value: bytes) -> bytes:
    """Relaxed header canonicalization: lower-case name, value unfolded, WSP squeezed."""
    value = _WSP_RUN.sub(b" ", value.replace(b"\r\n", b"")).strip(b" ")
    return name.strip().lower() + b":" + value + b"\r\n"


def _fields(head: bytes) -> list[tuple[bytes, bytes]]:
    fields = []
    for field in _FIELD_START.split(head):
        name, _, value = field.partition(b":")
        fields.append((name, value))
    return fields


class DkimSigner:
    """Signs copies of one issue.  Canonicalizing a 50 KB body costs more than the RSA
    signature, so the canonical form of each large body piece every copy shares (the
    message template hands out the same pieces) is kept: only the lines that name the
    recipient are canonicalized per copy."""

    MEMO_MIN, MEMO_MAX = 1024, 256  # pieces at least this long; at most this many kept

    def __init__(self, key: rsa.RSAPrivateKey, selector: str, domain: str, *, timestamp: int | None = None):
        self.key, self.selector, self.domain, self.timestamp = key, selector, domain, timestamp
        self._memo: dict[bytes, bytes] = {}

    def sign(self, message: bytes) -> bytes:
        """The message with a DKIM-Signature header in front."""
        head, _, body = message.partition(b"\r\n\r\n")
        return self.signature(head + b"\r\n", [body]) + message

    def signature(self, head: bytes, body: list[bytes]) -> bytes:
        """The DKIM-Signature header line for a header block (CRLF-terminated, without
        the blank line) and a body given as line-aligned pieces."""
        fields = {name.strip().lower(): value for name, value in _fields(head.removesuffix(b"\r\n"))}
        signed = [name for name in SIGNED_HEADERS if name.encode() in fields]
        canonical = b"".join(self._canonical(piece) for piece in body).rstrip(b"\r\n")
        body_hash = base64.b64encode(hashlib.sha256(canonical + b"\r\n" if canonical else b"").digest()).decode()
        stamp = f" t={self.timestamp};" if self.timestamp is not None else ""
        tags = f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={self.domain}; s={self.selector};{stamp} h={':'.join(signed)}; bh={body_hash}; b="
        data = b"".join(canonical_header(name.encode(), fields[name.encode()]) for name in signed)
        data += canonical_header(b"DKIM-Signature", b" " + tags.encode())[:-2]
        signature = base64.b64encode(self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()
        folded = tags.replace(" h=", "\r\n\th=").replace(" bh=", "\r\n\tbh=").replace(" b=", "\r\n\tb=")
        folded += "\r\n\t".join(signature[i : i + 72] for i in range(0, len(signature), 72))
        return b"DKIM-Signature: " + folded.encode() + b"\r\n"

    def _canonical(self, piece: bytes) -> bytes:
        """A piece's canonical lines (trailing empty lines are handled for the whole body)."""
        if len(piece) < self.MEMO_MIN:
            return _canonical_lines(piece)
        known = self._memo.get(piece)
        if known is None:
            known = _canonical_lines(piece)
            if len(self._memo) < self.MEMO_MAX:
                self._memo[piece] = known
        return known


def load_key(path: Path) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as exc:
        raise ConfigError(f"cannot read the DKIM key: {exc.strerror}", where=f"DIGEST_DKIM_KEY_FILE={path}", fix="name a readable PEM file with the private key") from None
    except (ValueError, TypeError):
        raise ConfigError("not an unencrypted PEM private key", where=f"DIGEST_DKIM_KEY_FILE={path}", fix="e.g. `openssl genrsa -out dkim.pem 2048`") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError("the DKIM key is not an RSA key", where=f"DIGEST_DKIM_KEY_FILE={path}", fix="use an RSA key (2048 bits or more)")
    return key


def dkim_signer(env: Mapping[str, str], now: datetime | None = None) -> DkimSigner | None:
    """A signer when DIGEST_DKIM_KEY_FILE is set (then selector and domain are required)."""
    path = env.get("DIGEST_DKIM_KEY_FILE")
    if not path:
        return None
    missing = [v for v in ("DIGEST_DKIM_SELECTOR", "DIGEST_DKIM_DOMAIN") if not env.get(v)]
    if missing:
        raise ConfigError(f"DIGEST_DKIM_KEY_FILE is set but {', '.join(missing)} not", where="environment", fix="set the selector and the signing domain the DNS record is published under")
    timestamp = int(now.timestamp()) if now else None
    return DkimSigner(load_key(Path(path)), env["DIGEST_DKIM_SELECTOR"], env["DIGEST_DKIM_DOMAIN"], timestamp=timestamp)
