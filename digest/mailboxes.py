"""Messages from where an operator keeps returned mail: an mbox file, a Maildir folder, one
message file, or one message piped on stdin (``-``, from a mail server's alias)."""

from __future__ import annotations

import email
import email.message
import hashlib
import mailbox
import sys
from pathlib import Path
from typing import Iterator

from digest.errors import ConfigError

_FIX = "give an mbox file, a Maildir folder (with cur/ and new/), one message file, or - for one message on stdin"


def read_messages(source: str) -> Iterator[tuple[str, email.message.Message]]:
    """(ref, message) for each message; ``ref`` is its Message-ID, or a hash of its bytes when
    it has none, so reading the same message twice is recognised."""
    if source == "-":
        yield _parsed(sys.stdin.buffer.read())
        return
    path = Path(source)
    if path.is_dir():
        if not ((path / "cur").is_dir() or (path / "new").is_dir()):
            raise ConfigError("a folder without cur/ and new/ is not a Maildir", where=source, fix=_FIX)
        box = mailbox.Maildir(path, factory=None, create=False)
    elif path.is_file():
        with path.open("rb") as f:
            if f.read(5) != b"From ":
                f.seek(0)
                yield _parsed(f.read())
                return
        box = mailbox.mbox(path, factory=None, create=False)
    else:
        raise ConfigError("no such file or folder", where=source, fix=_FIX)
    try:
        for key in box.iterkeys():
            yield _parsed(box.get_bytes(key))
    finally:
        box.close()


def _parsed(data: bytes) -> tuple[str, email.message.Message]:
    msg = email.message_from_bytes(data)
    ref = " ".join(str(msg.get("Message-ID") or "").split()) or "sha256:" + hashlib.sha256(data).hexdigest()[:32]  # str(): raw 8-bit text makes a Header object
    return ref, msg
