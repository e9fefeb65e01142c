"""The headers and furniture of a blog's comment page copied from the browser as text.

Part of the ``forum-text`` reader (``digest.sources.forum_text``), which explains the shape:
WordPress themes write ``NAME says:`` over the comment's time (or ``NAME on TIME said:`` on one
line), Blogger ``NAME said...`` with the time at the end of the comment; around them are the
page's links ("Reply", "Like"), pingbacks, the comment form and the sidebar (from "Leave a
Reply", "Post a Comment" or "Comments are closed" on).  A browser's copy keeps each line as the
page showed it, unless someone wrapped it (at 60 to 80 columns).  Pure functions of the
copied lines.

It also reads the times such pages (and forum exports) write: WordPress's "January 12, 2017 at
12:51 pm", Blogger's "January 2, 2009 3:12 PM", phpBB's "Sat Mar 12, 2011 2:05 pm", ISO's
"2011-03-12 14:05", "12.03.2021 14:05" (day first) and "03/12/2021 2:05 PM", whose day and month
only another date of the same file settles (one with a number above 12 in either place), in the
zone ``--timezone`` names when the page stated none.

The same goes for pages saved as Markdown (Hacker News, Lobsters and Reddit pages copied as text
are ``forum_text_news``'s).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.errors import SourceError

# "NAME says:" (a translated theme's verb too: "sagt:", "dit :", "より:") over its time.
SAYS_RE = re.compile(
    r"^\s*(?P<name>\S.{0,79}?)(?<!\s)(?:\s+(?:says|sagt|dice|dit|disse|zegt|skriver|napisał|говорит)|\s*(?:より|说道|說道))\s*[:：]\s*$",
    re.IGNORECASE)
# A comment's time in any language: a year and a clock, maybe followed by the reply link
# ("June 9, 2009 at 2:13 pm | Reply", "mayo 19, 2016 a las 9:48 pm", "12 mars 2011 à 14 h 05 min").
STAMP_RE = re.compile(
    r"^\s*+(?P<time>(?=[^|]*(?<!\d)(?:19|20)\d\d(?!\d))(?=[^|]*(?<!\d)\d{1,2}(?:[:.]|\s?h\s?)\d\d(?!\d))[^|]{6,60}?)\s*(?:\|\s*(?:reply|edit)\s*)*$",
    re.IGNORECASE)
# Twenty Eleven's one line: "NAME on March 12, 2011 at 2:05 pm said:".
ON_SAID_RE = re.compile(r"^\s*(?P<name>\S.{0,79}?)\s+on\s+(?P<time>\S.{5,59}?)\s+said\s*:\s*$", re.IGNORECASE)
# Blogger's: "NAME said..." (or "dijo...", "a dit..."), the comment, then its time.
SAID_RE = re.compile(
    r"^\s*(?P<name>\S.{0,79}?)(?<!\s)\s+(?:said|dijo|disse|zei|sagte|a dit|ha detto|hat gesagt|napisał|написал\(?а?\)?)\s*(?:\.\.\.|…)\s*$",
    re.IGNORECASE)
# The links under a comment: WordPress's "Reply" ("Reply ↓", translated), Blogger's "Reply", "Delete", "Replies".
REPLY_LINK_RE = re.compile(
    r"^\s*(?:reply(?:\s*↓| to this comment)?|replies|delete|antworten|responder|répondre|rispondi|beantwoorden|svara|ответить)\s*$",
    re.IGNORECASE)
# WordPress.com's like button under a comment: "Like", "Liked by 3 people", "Loading..."
LIKES_RE = re.compile(r"^\s*(?:like|loading\.\.\.|liked by (?P<count>\d{1,9}|one) (?:person|people))\s*$", re.IGNORECASE)
# WordPress's links to the other pages of a post's comments.
COMMENT_PAGES_RE = re.compile(r"^\s*(?:[«←]\s*)?(?:older|newer|previous|next) comments(?:\s*[»→])?\s*$", re.IGNORECASE)
PINGBACK_RE = re.compile(r"^\s*(?:pingback|trackback)\s*:", re.IGNORECASE)
COMMENT_FORM_RE = re.compile(r"^\s*(?:leave a (?:reply|comment)|comments are closed|post a comment|add a comment)\b", re.IGNORECASE)
COMMENT_COUNT_RE = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?P<count>\d{1,9}|one)\s+(?:thoughts?|responses?|comments?|replies)\s+(?:on|to)\s+[“\"‘'«„](?P<title>.+?)[”\"’'»“]\s*$",
    re.IGNORECASE)


@dataclass(frozen=True)
class Header:
    author: str
    posted_at_text: str | None  # None for Blogger's, whose time ends the comment
    stamp_at: int | None = None  # the line of the time under a "says:" header
    permalink: str | None = None  # a Markdown copy's link on the time: "[March 3, 2024 at 5:12 pm](URL#comment-7)"
    markdown: bool = False  # the page was saved as Markdown: the comment is Markdown too


def headers(lines: list[str]) -> dict[int, Header]:
    """A copied comment page's headers by line index.  Blogger's "NAME said..." is a header
    when a time ends the comment before it (or it is the first) and a time follows before the
    next header; "says:" needs its time right under it."""
    candidates = [index for index, line in enumerate(lines) if SAID_RE.match(line)]
    said = [index for index in candidates if index == candidates[0] or _after_a_time(lines, index)]
    found = {
        index: Header(SAID_RE.match(lines[index]).group("name").strip(), None)
        for index, following in zip(said, [*said[1:], len(lines)])
        if any(STAMP_RE.match(line) for line in lines[index + 1:following])
    }
    for index, line in enumerate(lines):
        if (said_on := ON_SAID_RE.match(line)) and STAMP_RE.match(said_on.group("time")):
            found[index] = Header(said_on.group("name").strip(), said_on.group("time"))
        if not (says := SAYS_RE.match(line)):
            continue
        stamp_at = next((i for i in range(index + 1, min(index + 3, len(lines))) if lines[i].strip()), None)
        if stamp_at is not None and (stamp := STAMP_RE.match(lines[stamp_at])):
            found[index] = Header(says.group("name").strip(), " ".join(stamp.group("time").split()), stamp_at)
    found.update(markdown_headers(lines))
    return found


# A comment page saved as Markdown (a browser extension, pandoc): WordPress's header as
# "1. ![](AVATAR) **NAME** says:" (the name maybe a link) over "[TIME](PERMALINK)", or a heading
# per post: "### Post by NAME on 2009-11-05", "### NAME" over its time.
_MD_LINK = r"\[(?P<{0}>[^\]]+)\]\((?P<{0}_url>[^)\s]+)(?:\s+\"[^\"]*\")?\)"
MD_SAYS_RE = re.compile(
    r"^\s*(?:\d+[.)]\s+|[-*+]\s+)?(?:!\[[^\]]*\]\([^)]*\)\s*)*(?:\*\*|__)(?:" + _MD_LINK.format("linked")
    + r"|(?P<name>[^*_\[\]]{1,80}?))(?:\*\*|__)\s+(?:says|said|sagt|dice|dit|disse|zegt|skriver)\s*:?\s*$", re.IGNORECASE)
MD_TIME_RE = re.compile(r"^\s*(?:\*|_)?" + _MD_LINK.format("time") + r"(?:\*|_)?\s*$")
MD_POST_HEADING_RE = re.compile(
    r"^\s*#{2,6}\s+(?:(?:post|comment|reply|answer)\s+by\s+)(?P<name>\S.{0,79}?)"
    r"(?:\s+(?:on|at|[-–—·|])\s+(?P<time>(?=.*\d{4}).{6,60}?))?\s*$", re.IGNORECASE)
MD_NAME_HEADING_RE = re.compile(r"^\s*#{2,6}\s+(?:\*\*)?(?P<name>[^#*\s][^#*]{0,60}?)(?:\*\*)?\s*$")


def markdown_headers(lines: list[str]) -> dict[int, Header]:
    """The comment headers of a page saved as Markdown, by line index: two at least, so a
    README with one "### Alice" heading is no comment page."""
    found: dict[int, Header] = {}
    for index, line in enumerate(lines):
        stamp_at = next((i for i in range(index + 1, min(index + 4, len(lines))) if lines[i].strip()), None)
        stamp = _markdown_stamp(lines[stamp_at]) if stamp_at is not None else None
        if says := MD_SAYS_RE.match(line):
            name = says.group("linked") or says.group("name")
            found[index] = Header(name.strip(), stamp[0] if stamp else None, stamp_at if stamp else None,
                                  stamp[1] if stamp else None, markdown=True)
        elif post := MD_POST_HEADING_RE.match(line):
            found[index] = Header(post.group("name").strip(), post.group("time"), markdown=True)
        elif (named := MD_NAME_HEADING_RE.match(line)) and stamp and not COMMENTS_HEADING_RE.match(line):
            found[index] = Header(named.group("name").strip(), stamp[0], stamp_at, stamp[1], markdown=True)
    return found if len(found) >= 2 else {}


def _markdown_stamp(line: str) -> tuple[str, str | None] | None:
    """(time, permalink) of a time line: "[March 3, 2024 at 5:12 pm](URL)" or the time alone."""
    if (linked := MD_TIME_RE.match(line)) and STAMP_RE.match(linked.group("time")):
        return " ".join(linked.group("time").split()), linked.group("time_url")
    if stamp := STAMP_RE.match(line.strip("*_ ")):
        return " ".join(stamp.group("time").split()), None
    return None


def link_text(line: str) -> str:
    """A Markdown line with its links as their text ("[Reply](URL)" is "Reply")."""
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line) if "](" in line else line


def looks_copied(lines: list[str]) -> bool:
    """Two comment headers, or one on a page that also shows the comment count, the links to
    other comment pages or the comment form."""
    found = len(headers(lines))
    marks = (COMMENT_COUNT_RE, COMMENT_PAGES_RE, COMMENT_FORM_RE)
    return found >= 2 or (found == 1 and any(mark.match(line) for line in lines for mark in marks))


def _after_a_time(lines: list[str], index: int) -> bool:
    """The last line with text above this one is a time."""
    before = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
    return STAMP_RE.match(before) is not None


def count_of(word: str) -> int:
    """ "3" or "one"."""
    return 1 if word.lower() == "one" else int(word)


def comment_count(line: str) -> tuple[str, int] | None:
    """(title, count) of a "10 thoughts on “TITLE”" line, else None."""
    found = COMMENT_COUNT_RE.match(line)
    return (found.group("title").strip(), count_of(found.group("count"))) if found else None


def wrapped(lines: list[str], width: int) -> bool:
    """Someone wrapped the copy: most lines that go on in the next line fill 70% of a width of
    60 to 80 (a browser's copy keeps each line as the page showed it)."""
    going_on = [line for line, following in zip(lines, lines[1:]) if line.strip() and following.strip()]
    full = sum(len(line.rstrip()) * 10 >= width * 7 for line in going_on)
    return 60 <= width <= 80 and bool(going_on) and full * 2 >= len(going_on)


# ---------------------------------------------------------------------------- the top of the page

# The theme's links to the posts before and after ("POST NAVIGATION", "← OLDER POST TITLE").
NAVIGATION_RE = re.compile(
    r"^\s*(?:posts? navigation|(?:previous|next|older|newer) (?:post|entry)|[←«].*|.*[→»])\s*$", re.IGNORECASE)
# A heading over the comments: "### Comments migrated from wordpress", "Comments", "9 comments:".
COMMENTS_HEADING_RE = re.compile(
    r"^\s*(?:#{1,6}\s*.*\b(?:comments?|responses?|replies)\b.*|(?:\d+\s+)?(?:comments?|responses?|replies)\s*:?)\s*$",
    re.IGNORECASE)
SENTENCE_END = ".!?:;,"


@dataclass(frozen=True)
class PageTop:
    """The text above a copied page's first comment, without the page's furniture."""

    lines: tuple[str, ...]  # what is left: the end of the post, for the thread's note
    title: str | None  # a single short line standing alone above the comments
    left_out: tuple[tuple[int, str], ...]  # (line index, why) of what was left out
    cut_comment: bool = False  # the copy starts inside a comment whose header was not copied


def page_top(numbered: list[tuple[int, str]]) -> PageTop:
    """Navigation links and headings over the comments are left out; text ending in a comment's
    time (Blogger's, below the comment) is a comment whose header the copy lost, left out too;
    a single short line (80 characters at most) that ends no sentence is the post's title."""
    left_out = [(index, f"{line.strip()!r} is the page's navigation, not a note: left out")
                for index, line in numbered if NAVIGATION_RE.match(line)]
    left_out += [(index, f"{line.strip()!r} heads the comments: left out")
                 for index, line in numbered if COMMENTS_HEADING_RE.match(line)]
    dropped = {index for index, _ in left_out}
    kept = [(index, line) for index, line in numbered if index not in dropped]
    texts = [(index, line) for index, line in kept if line.strip() and not re.fullmatch(r"\s*-{3,}\s*", line)]
    if texts and STAMP_RE.match(texts[-1][1]):
        first, last = texts[0][0], texts[-1][0]
        left_out.append((first, f"the copy starts inside a comment whose header was not copied (lines {first + 1}–{last + 1}, "
                                "ending in its time): left out, and the thread is partial"))
        return PageTop((), None, tuple(sorted(left_out)), cut_comment=True)
    lines = tuple(line for _, line in kept)
    if len(texts) == 1 and len(title := texts[0][1].strip()) <= 80 and title[-1] not in SENTENCE_END and "://" not in title:
        left_out.append((texts[0][0], f"{title!r}, alone above the comments, is taken as the title"))
        return PageTop((), title, tuple(sorted(left_out)))
    return PageTop(lines, None, tuple(sorted(left_out)))


# ---------------------------------------------------------------------------- written times

_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(("jan january", "feb february", "mar march", "apr april", "may", "jun june",
                                    "jul july", "aug august", "sep sept september", "oct october",
                                    "nov november", "dec december"), 1)
    for name in names.split()
}
_CLOCK = r"(?P<hour>\d{1,2})[:.](?P<minute>\d\d)(?::(?P<second>\d\d))?(?:\s*(?P<half>[ap])\.?\s?m\.?)?"
_ZONE = r"(?:\s*(?:(?P<z>Z)|(?P<named>UTC|GMT)(?:\s*(?P<named_sign>[+-])\s*(?P<named_hours>\d{1,2})(?::?(?P<named_minutes>\d\d))?)?|(?P<sign>[+-])(?P<hours>\d\d):?(?P<minutes>\d\d)))?"
_AT = r"(?:,?\s*(?:at|@|-|T)?\s*)"
_WRITTEN_TIME_RES = tuple(re.compile(rf"^(?:on\s+)?(?:[a-z]{{3,9}}\.?,?\s+)?{date}(?:{_AT}{_CLOCK}{_ZONE})?$", re.IGNORECASE) for date in (
    r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)",
    r"(?P<first>\d{1,2})(?P<separator>[./])(?P<second_number>\d{1,2})(?P=separator)(?P<year>\d{4})",
    r"(?P<month_name>[a-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})",
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?P<month_name>[a-z]{3,9})\.?,?\s+(?P<year>\d{4})",
))


@dataclass(frozen=True)
class WrittenTime:
    """A posting time as a page writes it: date and clock without a zone, and the zone the text
    itself states (an offset, UTC or GMT), if any."""

    local: datetime
    offset: timedelta | None
    slashed: tuple[int, int] | None = None  # "03/04/2021": its two numbers; ``local`` reads them month first

    @property
    def day_and_month_unsure(self) -> bool:
        """Both numbers of a slashed date could be the month (and differ)."""
        return self.slashed is not None and max(self.slashed) <= 12 and self.slashed[0] != self.slashed[1]


def read_written_time(text: str) -> WrittenTime | None:
    """The date, clock and stated zone of a time as written; None when it is not one of the
    forms read here, has no clock or is no real date."""
    for pattern in _WRITTEN_TIME_RES:
        if (found := pattern.match(" ".join(text.split()))) and found.group("hour") is not None:
            return _written_time(found.groupdict())
    return None


def _written_time(parts: dict) -> WrittenTime | None:
    hour = int(parts["hour"])
    if parts["half"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if parts["half"].lower() == "p" else 0)
    slashed = None
    if parts.get("first"):
        first, second = int(parts["first"]), int(parts["second_number"])
        if parts["separator"] == ".":  # "12.03.2021" is day first
            day, month = first, second
        else:
            slashed = (first, second)
            month, day = (second, first) if first > 12 else (first, second)
    else:
        month = _MONTH_NUMBERS.get(parts["month_name"].lower()) if parts.get("month_name") else int(parts["month"])
        day = int(parts["day"])
    if month is None:
        return None
    try:
        local = datetime(int(parts["year"]), month, day, hour, int(parts["minute"]), int(parts["second"] or 0))
    except ValueError:
        return None
    return WrittenTime(local, _stated_offset(parts), slashed)


def _stated_offset(parts: dict) -> timedelta | None:
    if parts["z"]:
        return timedelta(0)
    sign, hours, minutes = ((parts["sign"], parts["hours"], parts["minutes"]) if parts["sign"]
                            else (parts["named_sign"], parts["named_hours"], parts["named_minutes"]))
    if not sign:
        return timedelta(0) if parts["named"] else None
    size = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return -size if sign == "-" else size


def day_first_in(times: list[WrittenTime]) -> bool | None:
    """Whether the file's slashed dates put the day first, as one of them with a number above 12
    shows; None when none shows it, or two show both ways."""
    ways = {time.slashed[0] > 12 for time in times if time.slashed and max(time.slashed) > 12}
    return next(iter(ways)) if len(ways) == 1 else None


def in_utc(time: WrittenTime, day_first: bool | None, zone: ZoneInfo | None = None) -> datetime | None:
    """The time in UTC: only when the text states its zone, or ``zone`` is the one to read it in
    (the offset there at that moment; the earlier one where the clocks went back), and its day
    and month are certain."""
    if (time.offset is None and zone is None) or (time.day_and_month_unsure and day_first is None):
        return None
    local = time.local
    if time.day_and_month_unsure and day_first:
        local = local.replace(month=time.slashed[1], day=time.slashed[0])
    offset = time.offset if time.offset is not None else local.replace(tzinfo=zone).utcoffset()
    return (local - offset).replace(tzinfo=timezone.utc)


def site_zone(name: str | None) -> ZoneInfo | None:
    """The zone ``--timezone`` names (an IANA name such as Europe/Berlin), in which a copied
    page's times without a zone are read; None when none is named."""
    if name is None:
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SourceError(f"unknown time zone {name!r} given to --timezone",
                          fix="give --timezone an IANA zone name, such as Europe/Berlin, America/New_York or UTC") from None


def posting_times(texts: list[str | None], zone: ZoneInfo | None = None) -> tuple[list[datetime | None], list[str]]:
    """Each time in UTC where the text states its zone (a page shows its times in the site's or
    the reader's zone, and a copy does not say which), or is read in ``zone`` (``--timezone``),
    and its day and month are certain; and what the import says about the others."""
    written = [read_written_time(text) if text else None for text in texts]
    day_first = day_first_in([w for w in written if w])
    zoneless = [text for text, w in zip(texts, written) if w and w.offset is None]
    unsure = [text for text, w in zip(texts, written) if w and w.day_and_month_unsure]
    notes = []
    if zoneless and zone is None:
        notes.append(f"{_replies_giving(zoneless)} a time without a time zone (such as {zoneless[0]!r}): kept as written, "
                     "not taken as UTC; `--timezone ZONE` (the zone the page showed, such as Europe/Berlin) reads them as UTC times")
    elif zoneless:
        notes.append(f"{_replies_giving(zoneless)} a time without a time zone (such as {zoneless[0]!r}): read in "
                     f"{zone.key} (--timezone) and converted to UTC")
        notes.extend(_clock_changes(texts, written, zone))
    if unsure and day_first is None:
        notes.append(f"{_replies_giving(unsure)} a date whose day and month could be either way round (such as "
                     f"{unsure[0]!r}), and no date in the file settles it: kept as written")
    elif unsure:
        notes.append(f"dates such as {unsure[0]!r} are read {'day' if day_first else 'month'} first, as the file's "
                     "other dates write them")
    return [in_utc(w, day_first, zone) if w else None for w in written], notes


def _clock_changes(texts: list[str | None], written: list[WrittenTime | None], zone: ZoneInfo) -> list[str]:
    """Times that the clocks' change in ``zone`` makes ambiguous (shown twice) or impossible (skipped)."""
    changed = [text for text, w in zip(texts, written) if w and w.offset is None
               and w.local.replace(tzinfo=zone, fold=0).utcoffset() != w.local.replace(tzinfo=zone, fold=1).utcoffset()]
    if not changed:
        return []
    return [f"{_replies_giving(changed)} a time that the change of clocks in {zone.key} makes ambiguous or skips "
            f"(such as {changed[0]!r}): read with the offset before the change"]


def _replies_giving(texts: list[str]) -> str:
    return "1 reply gives" if len(texts) == 1 else f"{len(texts)} replies give"


# ---------------------------------------------------------------------------- a saved page's YAML header

_FRONT_MATTER_END = re.compile(r"^-{3}\s*$")
_YAML_LINE = re.compile(r"^(?:[\w-]+:(?:\s|$)|\s+\S|-\s)")


def front_matter_end(lines: list[str]) -> int:
    """The number of lines of a YAML header (``---`` ... ``---``) at the top, else 0."""
    if not lines or not _FRONT_MATTER_END.match(lines[0]):
        return 0
    end = next((index for index in range(1, min(len(lines), 60)) if _FRONT_MATTER_END.match(lines[index])), None)
    fields = [line for line in lines[1:end or 0] if line.strip()]
    yaml = fields and all(_YAML_LINE.match(line) for line in fields)
    return end + 1 if end and yaml else 0


def front_matter_title(lines: list[str]) -> str | None:
    """The ``title:`` of a YAML header at the top, unquoted."""
    found = next((m for line in lines[1:front_matter_end(lines)] if (m := re.match(r"^title:\s*(.+?)\s*$", line))), None)
    return found.group(1).strip("\"'").strip() or None if found else None
