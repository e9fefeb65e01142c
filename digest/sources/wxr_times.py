"""A WordPress export's times: ``*_date_gmt`` fields are UTC, the local ``*_date`` fields in
the blog's zone, which the export does not name (read from the entries carrying both), and
some converters write the local clock into the GMT fields.  Pure."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from email.utils import parsedate_tz
from itertools import accumulate

from digest.model import Reply
from digest.sources import common, xmlsafe


def _numeric(value: str) -> int:
    return (common.whole_number(value) or 0) if value.isdigit() else 0


def site_offset(times: list[tuple[str, str]]) -> timedelta:
    """The blog's offset from UTC, read from the (local, GMT) time texts of the entries that
    carry both (the commonest difference; zero when none does)."""
    offsets: Counter = Counter()
    for local_text, gmt_text in times:
        local, gmt = xmlsafe.utc_time(local_text), xmlsafe.utc_time(gmt_text)
        if local and gmt:
            offsets[local - gmt] += 1
    return offsets.most_common(1)[0][0] if offsets else timedelta(0)


def in_time_order(replies: list[Reply], offset: timedelta, notes: list[str]) -> list[Reply]:
    """Oldest first.  A comment whose GMT date is all zeros (old imports) is placed by its local
    time less the blog's offset; one with no usable date at all goes after the comment with the
    next lower id, since WordPress numbers comments as they arrive."""
    def when(reply: Reply) -> datetime | None:
        if reply.posted_at is not None:
            return reply.posted_at
        local = xmlsafe.utc_time(reply.posted_at_text)
        return local - offset if local else None

    timed = sorted((r for r in replies if when(r)), key=lambda r: (when(r), _numeric(r.id)))
    undated = sorted((r for r in replies if not when(r)), key=lambda r: _numeric(r.id))
    by_local = sum(1 for r in replies if r.posted_at is None and when(r))
    if by_local:
        notes.append(f"{by_local} comment(s) have no GMT date (wp:comment_date_gmt); placed by their local time, kept as text")
    if undated:
        notes.append(f"{len(undated)} comment(s) have no readable date; placed by their comment id")
    after: dict[int, list[Reply]] = {}  # position in `timed` -> the undated comments that follow it
    ids = sorted((_numeric(r.id), position) for position, r in enumerate(timed))
    last_position = list(accumulate((position for _, position in ids), max))
    for reply in undated:
        lower = bisect_left(ids, (_numeric(reply.id), -1))  # how many timed comments have a lower id
        after.setdefault(last_position[lower - 1] if lower else -1, []).append(reply)
    ordered = after.get(-1, [])
    for position, reply in enumerate(timed):
        ordered += [reply] + after.get(position, [])
    return ordered


def _local_clock_in_gmt_fields(pub_date: str, post_gmt: str) -> timedelta | None:
    """Google's blogger2wordpress writes each time's local clock into both ``wp:*_date`` and
    ``wp:*_date_gmt``; only the post's ``pubDate`` keeps the zone ("Fri, 16 May 2008 12:40:23
    -0700").  WordPress itself writes pubDate from the GMT time with "+0000", so a GMT field
    showing exactly the pubDate's clock in another zone is that zone's local time."""
    parsed = parsedate_tz(pub_date or "")
    gmt = xmlsafe.utc_time(post_gmt)
    if not parsed or not parsed[9] or gmt is None:
        return None
    try:
        clock = datetime(*parsed[:6])
    except ValueError:
        return None
    return timedelta(seconds=parsed[9]) if clock == gmt.replace(tzinfo=None) else None


def in_utc(pub_date: str, post_gmt: str, opening: Reply, replies: list[Reply], notes: list[str]) -> tuple[Reply, list[Reply]]:
    """The times as read, or moved to UTC when the GMT fields hold the local clock (noted):
    ``pub_date`` and ``post_gmt`` are the post's pubDate and wp:post_date_gmt."""
    local = _local_clock_in_gmt_fields(pub_date, post_gmt)
    if not local:
        return opening, replies
    notes.append(
        f"the export's GMT times (wp:post_date_gmt, wp:comment_date_gmt) are the local clock: the post's pubDate shows the same "
        f"time at UTC{_offset_text(local)} (Google's blogger2wordpress writes them so); all times moved to UTC by that offset, "
        "so a comment from the other side of a daylight-saving change may be an hour off"
    )
    return _earlier_by(opening, local), [_earlier_by(r, local) for r in replies]


def _earlier_by(reply: Reply, offset: timedelta) -> Reply:
    return replace(reply, posted_at=reply.posted_at - offset) if reply.posted_at else reply


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def time_of(gmt_text: str, local_text: str) -> tuple[datetime | None, str | None]:
    """``*_date_gmt`` is UTC ("2011-05-03 19:46:35"); when it is empty or all zeros (drafts,
    old imports) the local ``*_date`` is kept as text, since its zone is unknown."""
    posted_at = xmlsafe.utc_time(gmt_text)
    if posted_at is not None:
        return posted_at, None
    return None, (local_text if local_text and not local_text.startswith("0000") else None)
