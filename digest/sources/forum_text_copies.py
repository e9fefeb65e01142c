"""The headers and furniture of a blog's comment page copied from the browser as text.

Part of the ``forum-text`` reader (``digest.sources.forum_text``), which explains the shape:
WordPress themes write ``NAME says:`` over the comment's time (or ``NAME on TIME said:`` on one
line), Blogger ``NAME said...`` with the time at the end of the comment; around them are the
page's links ("Reply", "Like"), pingbacks, the comment form and the sidebar (from "Leave a
Reply", "Post a Comment" or "Comments are closed" on).  A browser's copy keeps each line as the
page showed it, unless someone wrapped it (at 60 to 80 columns).  Pure functions of the
copied lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "NAME says:" (a translated theme's verb too: "sagt:", "dit :", "より:") over its time.
SAYS_RE = re.compile(
    r"^\s*(?P<name>\S.{0,79}?)(?:\s+(?:says|sagt|dice|dit|disse|zegt|skriver|napisał|говорит)|\s*(?:より|说道|說道))\s*[:：]\s*$",
    re.IGNORECASE)
# A comment's time in any language: a year and a clock, maybe followed by the reply link
# ("June 9, 2009 at 2:13 pm | Reply", "mayo 19, 2016 a las 9:48 pm", "12 mars 2011 à 14 h 05 min").
STAMP_RE = re.compile(
    r"^\s*(?P<time>(?=[^|]*(?<!\d)(?:19|20)\d\d(?!\d))(?=[^|]*(?<!\d)\d{1,2}(?:[:.]|\s?h\s?)\d\d(?!\d))[^|]{6,60}?)\s*(?:\|\s*(?:reply|edit)\s*)*$",
    re.IGNORECASE)
# Twenty Eleven's one line: "NAME on March 12, 2011 at 2:05 pm said:".
ON_SAID_RE = re.compile(r"^\s*(?P<name>\S.{0,79}?)\s+on\s+(?P<time>\S.{5,59}?)\s+said\s*:\s*$", re.IGNORECASE)
# Blogger's: "NAME said..." (or "dijo...", "a dit..."), the comment, then its time.
SAID_RE = re.compile(
    r"^\s*(?P<name>\S.{0,79}?)\s+(?:said|dijo|disse|zei|sagte|a dit|ha detto|hat gesagt|napisał|написал\(?а?\)?)\s*(?:\.\.\.|…)\s*$",
    re.IGNORECASE)
# The links under a comment: WordPress's "Reply" ("Reply ↓", translated), Blogger's "Reply", "Delete", "Replies".
REPLY_LINK_RE = re.compile(
    r"^\s*(?:reply(?:\s*↓| to this comment)?|replies|delete|antworten|responder|répondre|rispondi|beantwoorden|svara|ответить)\s*$",
    re.IGNORECASE)
# WordPress.com's like button under a comment: "Like", "Liked by 3 people", "Loading..."
LIKES_RE = re.compile(r"^\s*(?:like|loading\.\.\.|liked by (?P<count>\d+|one) (?:person|people))\s*$", re.IGNORECASE)
# WordPress's links to the other pages of a post's comments.
COMMENT_PAGES_RE = re.compile(r"^\s*(?:[«←]\s*)?(?:older|newer|previous|next) comments(?:\s*[»→])?\s*$", re.IGNORECASE)
PINGBACK_RE = re.compile(r"^\s*(?:pingback|trackback)\s*:", re.IGNORECASE)
COMMENT_FORM_RE = re.compile(r"^\s*(?:leave a (?:reply|comment)|comments are closed|post a comment|add a comment)\b", re.IGNORECASE)
COMMENT_COUNT_RE = re.compile(
    r"^\s*(?P<count>\d+|one)\s+(?:thoughts?|responses?|comments?|replies)\s+(?:on|to)\s+[“\"‘'«„](?P<title>.+?)[”\"’'»“]\s*$",
    re.IGNORECASE)


@dataclass(frozen=True)
class Header:
    author: str
    posted_at_text: str | None  # None for Blogger's, whose time ends the comment
    stamp_at: int | None = None  # the line of the time under a "says:" header


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
    return found


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
