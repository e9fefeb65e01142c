"""A message's Date header as a time: RFC 5322 dates, and the shapes converters write instead.

An RFC 5322 date with a zone (a numeric offset or a name :func:`digest.sources.common.zone_offset`
knows) is read as UTC.  Some converters and scripts write ISO 8601 (``2019-03-04T10:22:33+01:00``)
or an offset with a colon (``+01:00``): read when they carry an offset, with a note saying the
header was not RFC 5322.  RFC 822's one-letter military zones were defined with the wrong sign,
so RFC 5322 reads them as ``-0000`` (the time in UTC, the sender's zone unknown): read so, with a
note.  A date without any zone is local time nobody knows: it is kept as text and its clock time
is used only to order messages (a bare day, as Google's Usenet export writes, too).  Pure.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from digest.sources import common

# A time of day followed (after the year, in ctime's order) by a zone: "+0100", "GMT", "JST";
# RFC 5322 reads "-0000" as UTC, but a Date without any zone is local time, and a zone name
# common.zone_offset does not know gives no time at all (the Date is kept as text)
_ZONE_AFTER_TIME = re.compile(r"\d:\d\d(?::\d\d)?(?:\s+\d{4})?\s*(?:[+-]\d{4}|(?![AaPp][Mm]\b)[A-Za-z]{1,5}\b)")
# ISO 8601 / RFC 3339 as converters write it: "2019-03-04T10:22:33+01:00", "2019-03-04 10:22:33 +0100",
# "2019-03-04T10:22:33.123Z", also with "/" between the date's numbers (year first: unambiguous)
_ISO_DATE = re.compile(
    r"^\s*(?:[A-Z][a-z]{2},?\s+)?(?P<year>\d{4})(?P<sep>[-/])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    r"(?:[Tt]|\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<zone>[Zz]|[+-]\d{2}:?\d{2}|[+-]\d{2}\b|UTC|GMT|UT)?\s*(?:\([^()]*\))?\s*$"
)
# an RFC 5322 date whose offset has a colon: "Mon, 4 Mar 2019 10:22:33 +01:00"
_COLON_OFFSET = re.compile(r"(?<=\d:\d\d)(?P<time>(?::\d\d)?\s+)(?P<sign>[+-])(?P<hours>\d{2}):(?P<minutes>\d{2})(?=\s*(?:\([^()]*\))?\s*$)")
# RFC 822's military zone letters (J is not one): RFC 5322 section 4.3 reads them as "-0000"
_MILITARY_ZONE = re.compile(r"(?<=\d:\d\d)(?P<time>(?::\d\d)?(?:\s+\d{4})?\s+)(?P<letter>[A-IK-Ya-ik-y])\s*$")

NOT_RFC_5322 = "is not written as RFC 5322 says (ISO 8601 or an offset with a colon); it was read as UTC from its offset"
MILITARY_ZONE = "has an obsolete one-letter military zone, which RFC 5322 reads as -0000: it was read as UTC"


@dataclass(frozen=True)
class MailDate:
    """What a Date header gives: a UTC time, or the text to show; a clock time to order by."""

    posted_at: datetime | None
    text: str | None
    sort_time: datetime | None
    note: str | None = None  # how a date outside RFC 5322 was read


def read_mail_date(text: str | None) -> MailDate:
    """The Date header read as a UTC time when its zone is known, else kept as text."""
    if not text or not text.strip():
        return MailDate(None, None, None)
    iso = _iso_date(text)
    if iso is not None:
        when, zoned_iso = iso
        return MailDate(when, None, when, NOT_RFC_5322) if zoned_iso else MailDate(None, text, when)
    zoned = _rfc_date(text)
    if zoned is not None and _ZONE_AFTER_TIME.search(text):
        return MailDate(zoned, None, zoned)
    colon = _COLON_OFFSET.search(text)
    if colon:
        repaired = _rfc_date(text[:colon.start()] + colon["time"] + colon["sign"] + colon["hours"] + colon["minutes"])
        if repaired is not None:
            return MailDate(repaired, None, repaired, NOT_RFC_5322)
    military = _MILITARY_ZONE.search(text)
    if military:
        as_utc = _rfc_date(text[:military.start()] + military["time"] + "-0000")
        if as_utc is not None:
            return MailDate(as_utc, None, as_utc, MILITARY_ZONE)
    return MailDate(None, text, zoned or _ordering_time(text) or _day_only(text))


def _iso_date(text: str) -> tuple[datetime, bool] | None:
    """An ISO 8601 date and time, with whether it carried its offset (else its clock time)."""
    found = _ISO_DATE.match(text)
    if not found:
        return None
    try:
        clock = datetime(int(found["year"]), int(found["month"]), int(found["day"]), int(found["hour"]),
                         int(found["minute"]), int(found["second"] or 0))
    except ValueError:
        return None
    zone = found["zone"]
    if zone is None:
        return clock.replace(tzinfo=timezone.utc), False
    try:
        when = common.utc(clock.replace(tzinfo=timezone(_offset(zone))))
    except ValueError:  # an offset of a day or more
        return None
    return (when, True) if when is not None else None


# a day without a time: Google's Usenet export wrote "Date: 1996/02/29" for old posts
_DAY_ONLY = re.compile(r"^\s*(?P<year>\d{4})(?P<sep>[-/])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})\s*$")


def _day_only(text: str) -> datetime | None:
    """A bare day as midnight UTC: only to order messages (the Date is shown as written)."""
    found = _DAY_ONLY.match(text)
    try:
        return datetime(int(found["year"]), int(found["month"]), int(found["day"]), tzinfo=timezone.utc) if found else None
    except ValueError:
        return None


def _offset(zone: str) -> timedelta:
    if zone.upper() in ("Z", "UTC", "GMT", "UT"):
        return timedelta(0)
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return timedelta(minutes=-minutes if zone[0] == "-" else minutes)


def _ordering_time(text: str) -> datetime | None:
    """A Date's clock time read as UTC whatever its zone: only to order messages whose
    Date has no zone or an unknown one (shown as text, never as this time)."""
    try:
        fields = email.utils.parsedate(text)
        return datetime(*fields[:6], tzinfo=timezone.utc) if fields else None
    except Exception:  # fuzzed dates: out-of-range fields
        return None


def _rfc_date(text: str) -> datetime | None:
    try:
        return common.parse_mail_date(text)
    except Exception:  # parse_mail_date covers the usual errors; fuzzed dates find others
        return None
