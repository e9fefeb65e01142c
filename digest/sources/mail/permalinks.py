"""A message's address in its list's web archive, from its ``Archived-At`` header (RFC 5064).

Archives write ``Archived-At: <https://...>``; some write the address without brackets, some
several values (a ``mid:`` URI beside the web address).  A message can also carry an
``Archived-At`` its sender's program copied from the message it answered (replies sent from a
raw copy downloaded from lore.kernel.org do): an address whose last path segment is another
Message-ID is that other message's page, not this one's, so it is not used.  Pure.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


def archive_permalink(values: list[str], message_id: str | None) -> tuple[str | None, str | None]:
    """The first web address of the Archived-At headers that is this message's page, and the
    first one that names another message (None when there is none)."""
    own, foreign = None, None
    for value in values:
        for address in _WEB_ADDRESS.findall(value or ""):
            address = address.rstrip(".,;")
            named = _named_message_id(address)
            if named is not None and message_id is not None and named.casefold() != message_id.casefold():
                foreign = foreign or address
            elif own is None:
                own = address
    return own, foreign


def _named_message_id(address: str) -> str | None:
    """The Message-ID a public-inbox or Gmane address ends in (``/lkml/<id>/``), or None:
    other archives name a message by number or hash, and a list address (``dev@host``) in
    the middle of a path names no message."""
    segments = [segment for segment in urlsplit(address).path.split("/") if segment]
    if not segments:
        return None
    last = unquote(segments[-1]).strip("<>")
    return last if "@" in last else None
