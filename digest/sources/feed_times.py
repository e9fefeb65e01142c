"""The time of a feed entry, and the notes on how it was read.

A time keeps its zone only when the zone is certain: an offset, a name feedparser applies, or
an abbreviation ``common.zone_offset`` knows (noted); other times, and times without a zone,
are kept as text (noted).  RFC 822 dates written with month and day names of another language
("Seg, 24 Set 2018 19:42:40 -0300", which PHP's strftime writes under a translated locale)
are read through a table of month names when they carry an offset (noted); feedparser reads
English names only.  ``digest.sources.feed`` uses this for every entry.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from feedparser.datetimes import _parse_date, rfc822

from digest.sources import common, xmlsafe

# A time of day with a zone after it: "+02:00", "+0200", "Z", "GMT+0100" (JavaScript's Date
# writes so), or a name ("GMT", "EST", "JST"; not "PM"), and maybe a comment naming the zone,
# "+0000 (UTC)".  feedparser applies only the names of its own table and reads any other as UTC.
_ZONE = re.compile(r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:(?P<offset>Z|(?:GMT|UTC|UT)?[+-]\d\d(?::?\d\d)?)|(?![AaPp][Mm]\s*$)"
                   r"(?P<name>[A-Za-z]{1,5}))\s*(?:\([^()]*\))?\s*$")
_ZONES_FEEDPARSER_APPLIES = frozenset(rfc822.timezone_names) | {"utc"}  # it reads any other name as UTC


@dataclass(frozen=True)
class When:
    at: datetime | None  # in UTC, when the time and its zone are certain
    text: str | None  # as written, when they are not
    sort_time: float | None  # for ordering, even when the zone is unknown
    zone_guess: str | None = None  # a zone name read through the table of abbreviations, for a note
    zone_unknown: str | None = None  # a zone name nobody here knows: the time is kept as text
    zone_missing: bool = False  # read, but written without a zone: kept as text
    translated: bool = False  # month and day names of another language, read through the table
    stray_mark: str | None = None  # a mark the feed's template left before the date (Dreamwidth's ">"), removed

    @property
    def unreadable(self) -> bool:
        """Written, but in no form anything here reads (kept as text, ordering nothing)."""
        return self.text is not None and self.sort_time is None


def entry_time(entry, chinese: bool = False) -> When:
    """The entry's time.  feedparser reads a zone-less time, and one whose zone name it does not
    know (JST, CET), as UTC; that would be a guess, so such a time is kept as text only (it
    still orders the entries), unless the shared table of zone abbreviations names its offset.
    In a Chinese feed "CST" is China Standard Time as likely as US Central: kept as text."""
    for key in ("published", "updated", "created"):
        raw = (entry.get(key) or "").strip()
        if not raw:
            continue
        parsed = entry.get(key + "_parsed")
        if not parsed and (marked := _STRAY_MARK.match(raw)):  # Dreamwidth: "<pubDate>>Wed, 24 Nov 2010 ..."
            when = _read_unmarked(raw[marked.end():], chinese)
            return replace(when, stray_mark=marked.group(0).strip()) if when.sort_time is not None else When(None, raw, None)
        if not parsed:
            return _translated(raw) or When(None, raw, None)
        sort_time = float(calendar.timegm(parsed))
        zone = _ZONE.search(raw)
        if zone and chinese and (zone.group("name") or "").upper() == "CST":
            return When(None, raw, sort_time, zone_unknown="CST")
        if zone:
            name = zone.group("name")
            unknown = name if name and name.lower() not in _ZONES_FEEDPARSER_APPLIES else None
            offset = common.zone_offset(unknown) if unknown else timedelta(0)
            value = _utc(sort_time - offset.total_seconds()) if offset is not None else None
            if xmlsafe.plausible(value):
                return When(value, None, value.timestamp(), zone_guess=unknown)
            if offset is None:
                return When(None, raw, sort_time, zone_unknown=unknown)
        return When(None, raw, sort_time, zone_missing=not zone)
    return When(None, None, None)


# Month names and abbreviations of the languages feeds are most often written in besides
# English (Portuguese, Spanish, French, German, Italian, Dutch, Russian, Turkish, Polish),
# without accents; no name means different months in two of them.
_MONTHS = {
    1: "jan janv janeiro ene enero janvier januar janner gen gennaio januari янв январь января ocak oca "
        "sty stycznia styczen",
    2: "feb fev fevr fevereiro febrero fevrier februar febbraio februari фев февраль февраля subat sub "
        "lut lutego luty",
    3: "mar marco marzo mars marz mrz mrt maart мар март марта mart marca marzec",
    4: "apr abr abril avr avril aprile апр апрель апреля nisan nis kwi kwietnia kwiecien",
    5: "may mai maio mayo mag maggio mei май мая mayıs maj maja",
    6: "jun junho junio juin juni giu giugno июн июнь июня haziran haz cze czerwca czerwiec",
    7: "jul julho julio juil juillet juli lug luglio июл июль июля temmuz tem lip lipca lipiec",
    8: "aug ago agosto aout august augustus авг август августа agustos agu sie sierpnia sierpien",
    9: "sep sept set setembro septiembre setiembre septembre september settembre сен сент сентябрь "
        "сентября eylul eyl wrz wrzesnia wrzesien",
    10: "oct out outubro octubre octobre okt oktober ott ottobre октябрь окт октября ekim eki paz "
        "pazdziernika pazdziernik",
    11: "nov novembro noviembre novembre november ноя нояб ноябрь ноября kasım kas lis listopada "
        "listopad",
    12: "dec dez dezembro dic diciembre decembre dezember dicembre december дек декабрь декабря aralık "
        "ara gru grudnia grudzien",
}
_MONTH_NUMBERS = {name: number for number, names in _MONTHS.items() for name in names.split()}
_FOREIGN_RFC822 = re.compile(
    r"(?:(?P<weekday>[^\W\d_]{2,12})\.?,?\s+)?(?P<day>\d{1,2})\.?\s+(?P<month>[^\W\d_]{3,12})\.?\s+(?P<year>\d{4})"
    r"\s+(?P<hour>\d{1,2}):(?P<minute>\d\d)(?::(?P<second>\d\d))?\s*(?P<zone>[+-]\d\d:?\d\d|GMT|UTC|UT|Z)?"
)


_STRAY_MARK = re.compile(r"^\s*[>»]+\s*")


def _read_unmarked(raw: str, chinese: bool) -> When:
    """The time written after a stray mark, read as feedparser reads the feed's dates."""
    return entry_time({"published": raw, "published_parsed": _parse_date(raw)}, chinese)


def _translated(raw: str) -> When | None:
    """An RFC 822 date whose month (and day) names are in another language, when its month is
    in the table; with an offset (or GMT) it is certain, without one it is kept as text."""
    match = _FOREIGN_RFC822.fullmatch(raw)
    month = _MONTH_NUMBERS.get(_plain_letters(match.group("month"))) if match else None
    if month is None:
        return None
    try:
        local = datetime(int(match.group("year")), month, int(match.group("day")), int(match.group("hour")),
                         int(match.group("minute")), int(match.group("second") or 0), tzinfo=timezone.utc)
    except ValueError:
        return None
    zone = match.group("zone")
    if not zone:
        return When(None, raw, local.timestamp(), zone_missing=True, translated=True)
    value = local - _offset(zone)
    return When(value, None, value.timestamp(), translated=True) if xmlsafe.plausible(value) else When(None, raw, None)


def _plain_letters(word: str) -> str:
    """The word in lower case without accents ("Março" -> "marco", "Févr" -> "fevr")."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    kept = [c for i, c in enumerate(decomposed)  # a Cyrillic letter keeps its mark (й is no и)
            if not unicodedata.combining(c) or (i and "\u0400" <= decomposed[i - 1] <= "\u04ff")]
    return unicodedata.normalize("NFC", "".join(kept))


def _offset(zone: str) -> timedelta:
    if zone.upper() in ("GMT", "UTC", "UT", "Z"):
        return timedelta(0)
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return timedelta(minutes=-minutes if zone.startswith("-") else minutes)


def _utc(timestamp: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(timestamp, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


# ---------------------------------------------------------------------------- notes

def note_zone_names(times: list[When], notes: list[str]) -> None:
    """What was made of zone names, missing zones and translated month names."""
    guessed = sorted({w.zone_guess for w in times if w.zone_guess})
    unknown = [w.zone_unknown for w in times if w.zone_unknown]
    if guessed:
        offsets = ", ".join(f"{name} as UTC{_signed(common.zone_offset(name))}" for name in guessed)
        notes.append(f"times with a zone abbreviation were read by the table of abbreviations: {offsets}")
    if unknown:
        notes.append(
            f"{len(unknown)} entr{'y has a time' if len(unknown) == 1 else 'ies have times'} in a zone that is unknown or "
            f"ambiguous ({', '.join(sorted(set(unknown)))}); kept as written, not taken as UTC"
        )
    zoneless = [w.text for w in times if w.zone_missing]
    if zoneless:
        notes.append(
            f"{len(zoneless)} entr{'y has a time' if len(zoneless) == 1 else 'ies have times'} without a zone "
            f"(such as {zoneless[0]!r}); kept as written, not taken as UTC"
        )
    marked = [w for w in times if w.stray_mark]
    if marked:
        notes.append(f"{len(marked)} entr{'y has its date' if len(marked) == 1 else 'ies have their dates'} after a "
                     f"stray {marked[0].stray_mark!r} (the feed's template writes it); read without it")
    translated = sum(1 for w in times if w.translated and w.at)
    if translated:
        notes.append(f"{translated} entr{'y has its date' if translated == 1 else 'ies have their dates'} written with "
                     "day or month names of another language; read through a table of month names")


def note_undated(times: list[When], notes: list[str]) -> None:
    """Entries that cannot be put in time order: without a date (noted beside dated ones), or
    with one in a form nothing here reads."""
    missing = sum(1 for w in times if w.text is None and w.at is None)
    unreadable = [w.text for w in times if w.unreadable]
    if missing and missing < len(times):
        notes.append(f"{missing} entr{'y has' if missing == 1 else 'ies have'} no date; kept in feed order")
    if unreadable:
        notes.append(
            f"{len(unreadable)} entr{'y has a date' if len(unreadable) == 1 else 'ies have dates'} in a form that "
            f"could not be read (such as {unreadable[0]!r}); kept as written, in feed order"
        )


def _signed(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
