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

The same goes for pages saved as Markdown, and for forum topics copied as text: Discourse's page
without JavaScript, phpBB's default style, GitHub's issues and gists (Hacker News, Lobsters and
Reddit pages copied as text are ``forum_text_news``'s).
"""

from __future__ import annotations

import html
import re
from collections import Counter
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
# WordPress.com's like button under a comment: "Like", "Liked by 3 people", "Loading..."; Discourse's "3 Likes";
# Substack's "Like (3)", "Liked (2)"; GitHub's reactions, "👍React with 👍3alice, bob and carol" (thumbs up are likes).
LIKES_RE = re.compile(
    r"^\s*(?:liked?(?:\s*\((?P<liked>\d{1,9})\))?|loading\.\.\.|liked by (?P<count>\d{1,9}|one) (?:person|people)"
    r"|(?P<likes>\d{1,9}) likes?|(?:👍React with 👍(?P<thumbs>\d{1,6})|\S{1,4}React with \S{1,4}?\d{1,6}).*)\s*$", re.IGNORECASE)
# WordPress's links to the other pages of a post's comments; Discourse's to the other pages of a topic.
COMMENT_PAGES_RE = re.compile(r"^\s*(?:[«←]\s*)?(?:older|newer|previous|next) (?:comments|page)(?:\s*[»→])?\s*$",
                              re.IGNORECASE)
PINGBACK_RE = re.compile(r"^\s*(?:pingback|trackback)\s*:", re.IGNORECASE)
# What follows the comments: the comment form, GitHub's sign-up line, Discourse's topic lists and footer,
# phpBB's buttons and page count under the posts, Medium's "See all responses".
COMMENT_FORM_RE = re.compile(
    r"^\s*(?:leave a (?:reply|comment)|comments are closed|post a comment|add a comment"
    r"|sign up for free\W*to join this conversation|powered by discourse|(?:related|suggested) topics\s*$"
    r"|(?:post (?:a )?reply|return to “.*”|jump to:?|display posts from previous:?.*)\s*$"
    r"|\d{1,9} posts?\s*•\s*page \d|see all responses\s*$)", re.IGNORECASE)
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
    furniture: tuple[int, ...] = ()  # the post's other lines: Discourse's full name and number, GitHub's "@NAME", phpBB's profile
    number: int | None = None  # Discourse's post number
    site: str | None = None  # "discourse", "github" or "phpbb": a forum's page, not a blog's
    subject: str | None = None  # a phpBB post's subject line
    ends_at: int | None = None  # the comment ends before this line (Substack's "Share"): what follows is the page's
    likes: int | None = None  # Medium's claps, on the line under the response
    folded: int = 0  # answers the page folded under it (Medium's "1 reply")


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
    found.update(discourse_headers(lines))
    found.update(github_headers(lines))
    found.update(phpbb_headers(lines))
    found.update(substack_headers(lines))
    found.update(medium_headers(lines))
    return found


# A Discourse topic copied as text from its page without JavaScript (what a reader view, a text
# extraction or ``lynx -dump`` shows): each post under its poster's username, maybe "(Full
# Name)", its time ("October 13, 2025,  9:31pm", in no stated zone) and its number, one a line or
# all on one; "3 Likes" under the post; "next page →" to the next 20 posts; the footer
# "Powered by Discourse, best viewed with JavaScript enabled".
_DISCOURSE_NAME = r"(?:\[\d{1,4}\])?(?P<name>\w[\w.-]{0,59})"
_DISCOURSE_FULL_NAME = r"\((?P<full>[^()]{1,80})\)"
DISCOURSE_NAME_RE = re.compile(rf"^\s*{_DISCOURSE_NAME}(?:\s+{_DISCOURSE_FULL_NAME})?\s*$")
DISCOURSE_FULL_NAME_RE = re.compile(rf"^\s*{_DISCOURSE_FULL_NAME}\s*$")
DISCOURSE_NUMBER_RE = re.compile(r"^\s*#?(?P<number>\d{1,6})\s*$")
DISCOURSE_ONE_LINE_RE = re.compile(
    rf"^\s*{_DISCOURSE_NAME}(?:\s+{_DISCOURSE_FULL_NAME})?\s+(?P<time>[^\d\s][^|]{{2,40}}?\d{{4}},?\s+\d{{1,2}}:\d\d\s*[ap]m)"
    r"\s+#?(?P<number>\d{1,6})\s*$", re.IGNORECASE)


def discourse_headers(lines: list[str]) -> dict[int, Header]:
    """The posts' headers of a copied Discourse topic by line index: the name, maybe the full
    name, a time and the post number, on lines of their own or on one."""
    found: dict[int, Header] = {}
    for index, line in enumerate(lines):
        if one_line := DISCOURSE_ONE_LINE_RE.match(line):
            found[index] = Header(one_line.group("name"), " ".join(one_line.group("time").split()),
                                  number=int(one_line.group("number")), site="discourse")
        elif name := DISCOURSE_NAME_RE.match(line):
            following = [i for i in range(index + 1, min(index + 9, len(lines))) if lines[i].strip()][:4]
            if following and DISCOURSE_FULL_NAME_RE.match(lines[following[0]]) and not name.group("full"):
                full, following = following[:1], following[1:]
            else:
                full = []
            if (len(following) >= 2 and (stamp := STAMP_RE.match(lines[following[0]]))
                    and (number := DISCOURSE_NUMBER_RE.match(lines[following[1]]))):
                found[index] = Header(name.group("name"), " ".join(stamp.group("time").split()), following[0],
                                      furniture=(*full, following[1]), number=int(number.group("number")), site="discourse")
    return found


def discourse_title(above: list[str]) -> str | None:
    """A copied Discourse topic's title: the line that the page's "TITLE - CATEGORY - SITE" line above it starts with."""
    texts = [line.strip() for line in above if line.strip()]
    return next((text for text in texts if any(other.startswith(text + " - ") for other in texts)), None)


# A phpBB topic copied as text (prosilver, 3.0 to 3.3): "Post by NAME » Sun Oct 14, 2018 7:55 pm" over
# each post ("Postby" where the icon stood, "by" in 3.0), the poster's profile ("Posts: 5",
# "Joined: ...", under the post in 3.0), the post's subject and its "Quote" button above it, "Top"
# under it; "7 posts • Page 1 of 3" above and below the posts counts them and the topic's pages.
PHPBB_HEADER_RE = re.compile(r"^\s*(?:post\s*by|by)\s+(?P<name>\S.{0,59}?)\s+»\s+(?P<time>\S.{5,60}?)\s*$", re.IGNORECASE)
PHPBB_TOP_RE = re.compile(r"^\s*(?:top|back to top)\s*$", re.IGNORECASE)
PHPBB_PROFILE_RE = re.compile(
    r"^\s*(?:posts|joined|location|contact|website|has thanked|been thanked|reputation|rank|age|gender|occupation|interests)\s*:",
    re.IGNORECASE)
PHPBB_BUTTONS_RE = re.compile(r"^\s*(?:quote|report|edit|delete|warn|information|user avatar)\s*$", re.IGNORECASE)
PHPBB_POSTS_RE = re.compile(
    r"^\s*(?:post (?:a )?reply\s+)?(?P<count>\d{1,9}) posts?\s*•\s*page (?P<page>\d{1,6}) of (?P<pages>\d{1,6})\s*$", re.IGNORECASE)


def phpbb_headers(lines: list[str]) -> dict[int, Header]:
    """The posts' headers of a copied phpBB topic by line index, with the profile, subject,
    buttons and "Top" around each post as its header's lines."""
    starts = [index for index, line in enumerate(lines)
              if (found := PHPBB_HEADER_RE.match(line)) and STAMP_RE.match(found.group("time"))]
    headers: dict[int, Header] = {}
    for index, following in zip(starts, [*starts[1:], len(lines)]):
        found = PHPBB_HEADER_RE.match(lines[index])
        name = found.group("name").strip()
        above, subject = _phpbb_above(lines, index, name)
        below = _phpbb_below(lines, index, following, name)
        headers[index] = Header(name, " ".join(found.group("time").split()), furniture=(*above, *below), site="phpbb", subject=subject)
    return headers


def _phpbb_above(lines: list[str], index: int, name: str) -> tuple[list[int], str | None]:
    """The lines above a post that are its header's: the "Quote" button, the subject, the
    profile, back to the "Top" that ends the post before."""
    furniture: list[int] = []
    subject = None
    profile = False
    for above in range(index - 1, -1, -1):
        line = lines[above].strip()
        if not line:
            continue
        if PHPBB_PROFILE_RE.match(line) or PHPBB_BUTTONS_RE.match(line) or (line == name and profile):
            profile = profile or bool(PHPBB_PROFILE_RE.match(line))
        elif PHPBB_TOP_RE.match(line):
            furniture.append(above)
            break
        elif subject is None and not profile and not PHPBB_HEADER_RE.match(line):
            subject = line
        else:
            break
        furniture.append(above)
    return furniture, subject


PHPBB_LABEL_RE = re.compile(r"^\s*[^\W\d_][\w' -]{0,30}\s*$")  # the profile's rank and contact links: "Site Admin", "ICQ", "Website"


def _phpbb_below(lines: list[str], index: int, following: int, name: str) -> list[int]:
    """The "Top" under a post and, in phpBB 3.0's copies, the profile right above it: from the
    poster's name (and avatar) down, its rank, "Posts:", "Joined:" and contact links."""
    top = next((i for i in range(index + 1, following) if PHPBB_TOP_RE.match(lines[i])), None)
    if top is None:
        return []
    block = []
    for above in range(top - 1, index, -1):
        line = lines[above].strip()
        if not line:  # the blank lines a printed page's margin left (see ``print_margins``)
            continue
        if line == name and any(PHPBB_PROFILE_RE.match(lines[i]) for i in block):
            avatar = above - 1 if above - 1 > index and PHPBB_BUTTONS_RE.match(lines[above - 1]) else above
            return [top, *block, *range(avatar, above + 1)]
        if not (PHPBB_PROFILE_RE.match(line) or PHPBB_BUTTONS_RE.match(line) or PHPBB_LABEL_RE.match(line)):
            break
        block.append(above)
    return [top]


MARKDOWN_TITLE_RE = re.compile(r"^#\s+(\S.{0,150}?)\s*#*\s*$")  # a page saved as Markdown: "# TITLE"


@dataclass(frozen=True)
class ForumTop:
    """What the lines above a copied forum topic's first post say: they are the page's (its
    title, category and tags, the forum's navigation), left out but for an address someone
    noted there (the thread's); and what phpBB's "7 posts • Page 1 of 3" says of its pages."""

    title: str | None
    count: int | None  # the posts the topic counts
    left_out: tuple[int, ...]  # line indexes
    pages_at: tuple[int, str] | None = None  # (line index, line) of "Page 1 of 3": the topic has more pages
    later_page: tuple[int, int] | None = None  # (page, pages) when the copy is not the topic's first page


def forum_top(lines: list[str], above: list[tuple[int, str]], first: Header) -> ForumTop:
    """The title (Discourse's "TITLE - CATEGORY - SITE" line, phpBB's first subject, GitHub's
    "# TITLE #N" heading), the count and pages of a copied forum topic, and its lines above the first post."""
    start = front_matter_end(lines)
    texts = [(index, line) for index, line in above
             if index >= start and line.strip() and ("://" not in line or first.site == "github")]
    if first.site == "github":
        heading = next((found.group(1) for _, line in texts if (found := MARKDOWN_TITLE_RE.match(line))), None)
        title = GITHUB_TITLE_NUMBER_RE.sub("", heading) if heading else None
    else:
        title = first.subject if first.site == "phpbb" else discourse_title([line for _, line in texts])
    posts = [(index, line.strip(), counted) for index, line in enumerate(lines) if (counted := phpbb_posts(line))]
    return ForumTop(title, next((counted[0] for _, _, counted in posts), None), tuple(index for index, _ in texts),
                    next(((index, line) for index, line, counted in posts if counted[2] > 1), None),
                    next(((counted[1], counted[2]) for _, _, counted in posts if counted[1] > 1), None))


# A Substack post's comments copied as text: under "Discussion about this post" (and "Write a
# comment..."), each comment's author, maybe their publication ("Klement’s Substack"), its day
# ("25 feb", "01 Jun", "Jan 3, 2024", in the reader's language), the comment, then "Like (3)"
# ("Liked (2)", "Like"), "Reply" and "Share", and maybe the answers and comments the page folded
# ("1 reply by NAME", "1 more comment..."); after the last one, the publication's other posts.
SUBSTACK_DISCUSSION_RE = re.compile(r"^\s*discussion about this post\s*$", re.IGNORECASE)
SUBSTACK_DAY_RE = re.compile(
    r"^\s*(?:\d{1,2}\s+[^\W\d_]{3,10}\.?(?:,?\s+\d{4})?|[^\W\d_]{3,10}\.?\s+\d{1,2}(?:,\s+\d{4})?|\d{1,2}\s?[hdw])\s*$")
SUBSTACK_FOLDED_RE = re.compile(
    r"^\s*(?:(?P<replies>\d{1,6}) repl(?:y|ies)(?: by .{1,80})?|(?P<more>\d{1,6}) more comments?(?:\.\.\.|…)?)\s*$", re.IGNORECASE)
_SUBSTACK_ACTIONS = (re.compile(r"^\s*liked?(?:\s*\(\d{1,9}\))?\s*$", re.IGNORECASE), re.compile(r"^\s*reply\s*$", re.IGNORECASE),
                     re.compile(r"^\s*share\s*$", re.IGNORECASE))


def substack_headers(lines: list[str]) -> dict[int, Header]:
    """The comment headers of a copied Substack discussion by line index: from the line after
    "Discussion about this post", one comment after the other while each opens with its author
    and day and ends in its "Like", "Reply" and "Share"."""
    start = next((index + 1 for index, line in enumerate(lines) if SUBSTACK_DISCUSSION_RE.match(line)), None)
    found: dict[int, Header] = {}
    while start is not None:
        texts = [index for index in range(start, min(start + 12, len(lines))) if lines[index].strip()]
        texts = texts[1:] if texts and lines[texts[0]].strip().lower().startswith("write a comment") else texts
        while texts and SUBSTACK_FOLDED_RE.match(lines[texts[0]]):
            texts = texts[1:]
        day = next((position for position in (1, 2) if position < len(texts) and SUBSTACK_DAY_RE.match(lines[texts[position]])), None)
        end = _substack_actions(lines, texts[day] + 1) if day is not None else None
        if end is None:
            break
        name = texts[0]
        found[name] = Header(lines[name].strip(), lines[texts[day]].strip(), texts[day], furniture=(*texts[1:day], end - 2, end - 1),
                             site="substack", ends_at=end)
        start = end
    return found


# A Medium story's responses copied as text: under "Responses (6)" (and "To respond to this
# story, get the free Medium app."), each response's author over its time ("2 days ago", "Mar 3,
# 2024", "(edited)" after it), the response, then its claps and answers ("8", "3 1 reply") on a
# line; "See all responses" ends the few the page shows.
MEDIUM_RESPONSES_RE = re.compile(r"^\s*(?:#{1,6}\s*)?responses\s*\((?P<count>\d{1,9})\)\s*$", re.IGNORECASE)
MEDIUM_TIME_RE = re.compile(r"^\s*(?P<time>(?:\d{1,3}|an?)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago"
                            r"|[A-Z][a-z]{2,8}\s+\d{1,2}(?:,\s+\d{4})?)(?:\s*\(edited\))?\s*$")
MEDIUM_CLAPS_RE = re.compile(r"^\s*(?P<claps>\d{1,3}(?:[.,]\d)?[kK]?|\d{1,6})(?:\s+(?P<replies>\d{1,6})\s+repl(?:y|ies))?\s*$")
_MEDIUM_PROMPT_RE = re.compile(r"^\s*(?:to respond to this story,?|get the free medium app\.?)\s*$", re.IGNORECASE)


def medium_headers(lines: list[str]) -> dict[int, Header]:
    """The response headers of a copied Medium story by line index: a short line (the author)
    over a time, after "Responses (N)"; each with its claps line, the last before the next."""
    start = next((index + 1 for index, line in enumerate(lines) if MEDIUM_RESPONSES_RE.match(line)), None)
    if start is None:
        return {}
    end = next((index for index in range(start, len(lines)) if COMMENT_FORM_RE.match(lines[index])), len(lines))
    texts = [index for index in range(start, end) if lines[index].strip()]
    starts = [index for index, following in zip(texts, texts[1:])
              if MEDIUM_TIME_RE.match(lines[following]) and len(lines[index].strip()) <= 60
              and lines[index].rstrip()[-1] not in SENTENCE_END and not MEDIUM_CLAPS_RE.match(lines[index])]
    found: dict[int, Header] = {}
    prompts = tuple(index for index in texts if index < (starts[0] if starts else end) and _MEDIUM_PROMPT_RE.match(lines[index]))
    for position, (index, following) in enumerate(zip(starts, [*starts[1:], end])):
        stamp = next(i for i in texts if i > index)
        last = max((i for i in texts if stamp < i < following), default=None)
        claps = MEDIUM_CLAPS_RE.match(lines[last]) if last is not None else None
        time = MEDIUM_TIME_RE.match(lines[stamp])
        found[index] = Header(lines[index].strip(), time.group("time"), stamp,
                              furniture=(*(prompts if position == 0 else ()), *((last,) if claps else ())), site="medium",
                              likes=_claps(claps.group("claps")) if claps else None,
                              folded=int(claps.group("replies") or 0) if claps else 0)
    return found


def _claps(written: str) -> int:
    """ "8", "1.2K"."""
    if written[-1] in "kK":
        return int(float(written[:-1].replace(",", ".")) * 1000)
    return int(written.replace(",", "").replace(".", ""))


_SUBSTACK_POST_FOOT_RE = re.compile(r"^\s*(?:\d[\d,.]*k?\s+(?:likes?|restacks?)|∙|·)\s*$", re.IGNORECASE)


def substack_top(above: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], int | None]:
    """The post above a Substack discussion without the lines that end it ("42 Likes", "∙", "7
    Restacks", "Discussion about this post"), and the first of those (None without them)."""
    start = next((position for position, (_, line) in enumerate(above) if SUBSTACK_DISCUSSION_RE.match(line)), None)
    if start is None:
        return above, None
    while start and (_SUBSTACK_POST_FOOT_RE.match(above[start - 1][1]) or not above[start - 1][1].strip()):
        start -= 1
    while start < len(above) and not above[start][1].strip():
        start += 1
    return above[:start], above[start][0]


_SUBSTACK_LONGEST = 2000  # lines a comment may run to: the search for its buttons stops there


def _substack_actions(lines: list[str], start: int) -> int | None:
    """The line after a comment's "Like", "Reply" and "Share", the first after ``start``; None without them."""
    texts = [index for index in range(start, min(len(lines), start + _SUBSTACK_LONGEST)) if lines[index].strip()]
    for position in range(len(texts) - 2):
        if all(action.match(lines[texts[position + offset]]) for offset, action in enumerate(_SUBSTACK_ACTIONS)):
            return texts[position + 2] + 1
    return None


def phpbb_posts(line: str) -> tuple[int, int, int] | None:
    """(posts, page, pages) of phpBB's "7 posts • Page 1 of 3", else None."""
    found = PHPBB_POSTS_RE.match(line)
    return (int(found.group("count")), int(found.group("page")), int(found.group("pages"))) if found else None


# A GitHub issue, pull request or gist copied as text: "NAME commented on Mar 3, 2020" (the year
# left out in the current one, "• edited" after it), the avatar's "@NAME" above and a badge
# ("Author", "Contributor") maybe below; the comments follow each other, none answering another.
# Saved as Markdown (the current page): "### NAME commented on Mar 3on Mar 3, 2026" (the short
# time, then the long one), the avatars' and the name's links, the time's link to the comment
# ("#issuecomment-N": its permalink) and "More actions" around it; the issue's own text under
# "[NAME](PROFILE)" and "opened [on …](…#issue-N)"; the page's events between the comments
# ("added", "closed this", "mentioned this", each ending in its time's "#event-N" link).
_GITHUB_DAY = r"[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s+\d{4})?|\d{1,2}\s+[A-Z][a-z]{2,8}\.?(?:\s+\d{4})?"
GITHUB_COMMENTED_RE = re.compile(
    rf"^\s*(?:#{{1,6}}\s+)?(?P<name>[A-Za-z0-9][A-Za-z0-9-]{{0,38}}(?:\[bot\])?)\s+commented\s+(?:on\s+)?(?P<time>{_GITHUB_DAY})"
    rf"(?:on\s+(?P<long>{_GITHUB_DAY}))?(?:\s*[•·]\s*(?:edited(?:\s+by\s+\S+)?)?)?\s*$")
GITHUB_OPENED_RE = re.compile(
    rf"^\s*opened\s+\[on\s+(?P<time>{_GITHUB_DAY})(?:on\s+(?P<long>{_GITHUB_DAY}))?\]\((?P<url>[^)\s]+#issue-\d+)\)\s*$")
GITHUB_BADGE_RE = re.compile(r"^\s*(?:author|owner|member|contributor|collaborator|maintainer|tip|first-time contributor"
                             r"|more actions|issue body actions)\s*$", re.IGNORECASE)
_GITHUB_PROFILE = r"\(https://github\.com/[^)\s]+\)"
GITHUB_AVATAR_RE = re.compile(rf"^\s*\[!\[[^\]]*\]\([^)\s]*\)\]{_GITHUB_PROFILE}\s*$")
GITHUB_NAME_LINK_RE = re.compile(rf"^\s*\[(?P<name>[A-Za-z0-9][A-Za-z0-9-]{{0,38}})\]{_GITHUB_PROFILE}(?:\s+bot)?\s*$")
GITHUB_COMMENT_LINK_RE = re.compile(r"^\s*\[on [^\]]+\]\((?P<url>[^)\s]+#issuecomment-\d+)\)")
# An event: its actor ("[![](AVATAR)NAME](PROFILE)") down to its time's link ("#event-N"), and the issues it lists.
GITHUB_ACTOR_RE = re.compile(rf"^\s*\[!\[\]\([^)\s]*\)[A-Za-z0-9][A-Za-z0-9-]{{0,38}}\]{_GITHUB_PROFILE}\s*$")
GITHUB_EVENT_TIME_RE = re.compile(r"\]\([^()\[\]\s]+#event-\d+\)\s*$")  # no bracket in the address: a line of "](" is read once
GITHUB_ACTIVITY_RE = re.compile(r"^\s*#{1,6}\s*activity\s*$", re.IGNORECASE)  # the heading over the comments after the issue's
GITHUB_TITLE_NUMBER_RE = re.compile(r"\s*\\?#\d+\s*$")  # "TITLE #4371", "TITLE\#4371" in Markdown
# A reaction under a comment: "👍React with 👍3alice, bob and carol" (thumbs up are its likes).
GITHUB_REACTION_RE = re.compile(r"^\s*(?P<emoji>\S{1,4}?)React with (?P=emoji)(?P<count>\d{1,6})")


def github_headers(lines: list[str]) -> dict[int, Header]:
    """The comment headers of a copied GitHub page by line index, with the avatars, badges,
    "@NAME" and the time's link around them as the header's own lines."""
    found: dict[int, Header] = {}
    for index, line in enumerate(lines):
        if commented := GITHUB_COMMENTED_RE.match(line):
            name, time, permalink = commented.group("name"), commented.group("long") or commented.group("time"), None
            start = index
        elif (opened := GITHUB_OPENED_RE.match(line)) and (start := _text_above(lines, index)) is not None \
                and (named := GITHUB_NAME_LINK_RE.match(lines[start])):
            name, time, permalink = named.group("name"), opened.group("long") or opened.group("time"), opened.group("url")
        else:
            continue
        above = [i for i in range(start - 1, max(start - 4, -1), -1) if lines[i].strip()][:2]
        furniture = [i for i in above[:1] if GITHUB_BADGE_RE.match(lines[i]) or GITHUB_AVATAR_RE.match(lines[i])]
        avatar = above[len(furniture)] if len(above) > len(furniture) else None
        if avatar is not None and lines[avatar].strip() == "@" + name:
            furniture.append(avatar)
        below, permalink = _github_below(lines, index, name, permalink)
        markdown = "](" in line or any("](" in lines[i] for i in below)
        found[start] = Header(name, " ".join(time.split()), permalink=permalink, markdown=markdown,
                              furniture=tuple(sorted({*furniture, *below, index} - {start})), site="github")
    return found


def _text_above(lines: list[str], index: int) -> int | None:
    return next((i for i in range(index - 1, -1, -1) if lines[i].strip()), None)


def _github_below(lines: list[str], index: int, name: str, permalink: str | None) -> tuple[list[int], str | None]:
    """The header's lines under it: avatars, the name's link, the time's link (the permalink), badges."""
    below = []
    for following in range(index + 1, min(index + 16, len(lines))):
        line = lines[following]
        if not line.strip():
            continue
        named = GITHUB_NAME_LINK_RE.match(line)
        linked = GITHUB_COMMENT_LINK_RE.match(line)
        if not (GITHUB_BADGE_RE.match(line) or GITHUB_AVATAR_RE.match(line) or (named and named.group("name") == name) or linked):
            break
        permalink = permalink or (linked.group("url") if linked else None)
        below.append(following)
    return below, permalink


def github_events(lines: list[str]) -> list[int]:
    """The lines of the events a GitHub page shows between its comments: from the actor's line
    down to the time's "#event-N" link, and the issues listed under it."""
    events: list[int] = []
    for index, line in enumerate(lines):
        if GITHUB_ACTIVITY_RE.match(line):
            events.append(index)
        if not GITHUB_ACTOR_RE.match(line):
            continue
        end = next((i for i in range(index + 1, min(index + 12, len(lines))) if GITHUB_EVENT_TIME_RE.search(lines[i])), None)
        if end is None:
            continue
        listed = end + 1
        while listed < len(lines) and (not lines[listed].strip() or lines[listed].lstrip().startswith("- [")):
            listed += 1
        events.extend(range(index, listed))
    return events


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
    """A Markdown line with its links as their text ("[Reply](URL)" is "Reply").  Neither part
    runs past a bracket, so a line of links never closed ("[a](" over and over) is read once."""
    return re.sub(r"\[([^\[\]]*)\]\([^()\[\]\s]*\)", r"\1", line) if "](" in line else line


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


def comment_count(line: str) -> tuple[str | None, int] | None:
    """(title, count) of a "10 thoughts on “TITLE”" line, (None, count) of Medium's "Responses (6)", else None."""
    if responses := MEDIUM_RESPONSES_RE.match(line):
        return None, int(responses.group("count"))
    found = COMMENT_COUNT_RE.match(line)
    return (found.group("title").strip(), count_of(found.group("count"))) if found else None


def wrapped(lines: list[str], width: int) -> bool:
    """Someone wrapped the copy: most lines that go on in the next line fill 70% of a width of
    60 to 80 (a browser's copy keeps each line as the page showed it)."""
    going_on = [line for line, following in zip(lines, lines[1:]) if line.strip() and following.strip()]
    full = sum(len(line.rstrip()) * 10 >= width * 7 for line in going_on)
    return 60 <= width <= 80 and bool(going_on) and full * 2 >= len(going_on)


# ---------------------------------------------------------------------------- lynx -dump

# A page dumped by ``lynx -dump``: each link's text after its number ("[22]JSON-Fortran"), the
# addresses listed under "References" at the end; paragraphs indented three spaces and wrapped,
# quotes indented further, a <pre> at the margin.
LYNX_LINK_RE = re.compile(r"\[\d{1,4}\](?=\S)")
_LYNX_REFERENCES = re.compile(r"^\s*(?:visible links:?|1\.\s+\S+://\S*)\s*$", re.IGNORECASE)
_LIST_MARK = re.compile(r"^(?:[*+o#-]|\d{1,3}\.)\s")


def lynx_dump(lines: list[str]) -> bool:
    """The text ends in lynx's list of the links it numbered."""
    start = next((index for index, line in enumerate(lines) if line.strip() == "References"), None)
    return start is not None and any(_LYNX_REFERENCES.match(line) for line in lines[start + 1:start + 4])


_LYNX_REFERENCE = re.compile(r"^\s*\d{1,4}\.\s+(https?://\S+/t/[^/\s?#]+/\d+)/?\s*$")  # a Discourse topic's own link


def lynx_topic_url(lines: list[str]) -> str | None:
    """The Discourse topic's address in a lynx dump's References list (its own link, not a
    later page's ``?page=2``): the dump names it nowhere else."""
    start = next((index for index, line in enumerate(lines) if line.strip() == "References"), len(lines))
    return next((m.group(1) for line in lines[start + 1:] if (m := _LYNX_REFERENCE.match(line))), None)


def lynx_body_lines(lines: list[str]) -> list[str]:
    """A comment of a lynx dump as lines for the reflow: without the link numbers, escaped, the
    lines at the margin (left of the comment's paragraphs) kept as preformatted and the lines
    indented further (not list items) quoted."""
    lines = [LYNX_LINK_RE.sub("", line) for line in lines]
    indents = Counter(_indent(line) for line in lines if line.strip())
    prose = indents.most_common(1)[0][0] if indents else 0
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        kind = _lynx_kind(line, prose)
        end = index + 1
        if kind in ("pre", "quote"):
            while end < len(lines) and (_lynx_kind(lines[end], prose) == kind
                                        or (not lines[end].strip() and _next_kind(lines, end, prose) == kind)):
                end += 1
            texts = [html.escape(text.rstrip() if kind == "pre" else text.strip(), quote=False) for text in lines[index:end]]
            opening, closing = ("<pre>", "</pre>") if kind == "pre" else ("<blockquote>", "</blockquote>")
            texts[0] = opening + texts[0]
            texts[-1] += closing  # the same line when the run has one
            out.extend(texts)
        else:
            out.append(html.escape(line, quote=False))
        index = end
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _lynx_kind(line: str, prose: int) -> str | None:
    if not line.strip():
        return None
    if _indent(line) < prose:
        return "pre"
    return "quote" if _indent(line) >= prose + 2 and not _LIST_MARK.match(line.strip()) else None


def _next_kind(lines: list[str], index: int, prose: int) -> str | None:
    following = next((line for line in lines[index:] if line.strip()), "")
    return _lynx_kind(following, prose)


# ---------------------------------------------------------------------------- a printed page's margins

# A page printed to PDF and read back as text (pdftotext) carries the browser's margins on every
# printed page: the date and time, the page's title, its address and "2 of 5".
_PAGE_OF_RE = re.compile(r"^\s*(?:page\s+)?\d{1,4}\s*(?:of|/)\s*\d{1,4}\s*$", re.IGNORECASE)
_PRINTED_AT_RE = re.compile(r"^\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},?\s+\d{1,2}:\d\d(?::\d\d)?(?:\s*[ap]\.?m\.?)?\s*$", re.IGNORECASE)
_ADDRESS_RE = re.compile(r"^\s*(?:https?|file)://\S+\s*$")
_MARGIN_REACH = 7  # lines around "2 of 5" that can be its margin's


def print_margins(lines: list[str]) -> list[int]:
    """The lines of a printed page's margins around each "2 of 5": its date, address, and the
    title repeated at every page break; none unless two page numbers show such a margin."""
    numbers = [index for index, line in enumerate(lines) if _PAGE_OF_RE.match(line)]
    nearby = {index: {lines[i].strip() for i in range(max(0, index - _MARGIN_REACH), min(len(lines), index + _MARGIN_REACH + 1))
                      if i != index and lines[i].strip()} for index in numbers}
    margins: list[int] = []
    for index in numbers:
        repeated = set().union(*(texts for other, texts in nearby.items() if other != index)) if len(nearby) > 1 else set()
        found = [i for step in (-1, 1) for i in _margin_run(lines, index, step, repeated)]
        if found:
            margins.extend([index, *found])
    return sorted(set(margins)) if len([i for i in numbers if i in margins]) >= 2 else []


def _margin_run(lines: list[str], index: int, step: int, repeated: set[str]) -> list[int]:
    """The margin's lines from a page number one way: dates, addresses and repeated titles, through blank lines."""
    found = []
    position = index + step
    while 0 <= position < len(lines) and abs(position - index) <= _MARGIN_REACH:
        line = lines[position].strip()
        if line and not (_PRINTED_AT_RE.match(line) or _ADDRESS_RE.match(line) or line in repeated):
            break
        if line:
            found.append(position)
        position += step
    return found


# ---------------------------------------------------------------------------- the top of the page

# The theme's links to the posts before and after ("POST NAVIGATION", "← OLDER POST TITLE").
# Leading blanks are taken once (\s*+): from each of them in turn, a line of blanks took its square.
NAVIGATION_RE = re.compile(
    r"^\s*+(?:posts? navigation|(?:previous|next|older|newer) (?:post|entry)|[←«].*|.*[→»])\s*$", re.IGNORECASE)
# A heading over the comments: "### Comments migrated from wordpress", "Comments", "9 comments:".
COMMENTS_HEADING_RE = re.compile(
    r"^\s*+(?:#{1,6}.*\b(?:comments?|responses?|replies)\b.*|(?:\d+\s+)?(?:comments?|responses?|replies)\s*:?)\s*$",
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


# ---------------------------------------------------------------------------- times relative to the copy

# "3 hours ago", "an hour ago", "less than a minute ago", new Reddit's "5 hr. ago" and "2d ago": told
# in seconds, minutes, hours or days they can be counted back from the moment of the copy, each to
# within its unit; weeks, months and years are too coarse for that.
_RELATIVE_AGE = re.compile(
    r"^(?:(?:about|over|almost|less than)\s+)?(?P<amount>\d{1,4}|an?|one)\s*"
    r"(?P<unit>seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\.?\s+ago$", re.IGNORECASE)
_AGE_UNITS = {"s": timedelta(seconds=1), "m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}


def relative_age(text: str) -> timedelta | None:
    """How long before the copy a relative time told in seconds to days is ("3 hours ago": 3 hours); None for others."""
    written = " ".join(text.split()).lower()
    if written in ("just now", "yesterday"):
        return timedelta(days=1) if written == "yesterday" else timedelta(0)
    found = _RELATIVE_AGE.match(written)
    if not found:
        return None
    amount = found.group("amount")
    unit = found.group("unit")
    return (1 if amount in ("a", "an", "one") else int(amount)) * _AGE_UNITS["m" if unit.startswith("min") else unit[0]]


def relative_times(texts: list[str | None], copied_at: "CopyMoment | None") -> tuple[list[datetime | None], list[str]]:
    """The times relative to the copy that the copy's own date turns into UTC times, and what
    the import says about them and about those too coarse to count back."""
    if copied_at is None:
        return [None] * len(texts), []
    ages = [relative_age(text) if text else None for text in texts]
    read = [text for text, age in zip(texts, ages) if age is not None]
    coarse = [text for text, age in zip(texts, ages) if text and age is None and text.lower().endswith("ago")]
    notes = []
    if read:
        notes.append(f"{_replies_giving(read)} a time relative to when the page was copied (such as {read[0]!r}): counted "
                     f"back from the copy's date in its header ({copied_at.written}), so each is exact only to its unit "
                     "(an hour for '3 hours ago')")
    if coarse:
        notes.append(f"{_replies_giving(coarse)} a time in weeks, months or years before the copy (such as {coarse[0]!r}): "
                     f"too coarse to count back from the copy's date in its header ({copied_at.written}), kept as written")
    return [_counted_back(copied_at.moment, age) if age is not None else None for age in ages], notes


def _counted_back(moment: datetime, age: timedelta) -> datetime | None:
    """The moment ``age`` before ``moment``; None when that falls before the calendar's first day."""
    try:
        return moment - age
    except OverflowError:
        return None


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


# The moment a page was saved, as a clipper or notebook writes it in the YAML header: preferred by
# what says so most plainly; only a time that states its zone is a moment.
_MOMENT_KEYS = ("fetched_at", "fetched", "clipped_at", "clipped", "captured_at", "captured", "saved_at", "saved",
                "retrieved_at", "retrieved", "accessed", "created_at", "created", "date")
_FRONT_MATTER_MOMENT = re.compile(
    r"^\s*(?P<key>[a-z_]+):\s*['\"]?(?P<value>\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?(?:Z|[+-]\d\d:?\d\d))['\"]?\s*$",
    re.IGNORECASE)


@dataclass(frozen=True)
class CopyMoment:
    """When a copied page was saved, from its YAML header."""

    moment: datetime  # in UTC
    written: str  # "fetched_at: 2026-09-02T04:02:31Z", for the notes


def front_matter_moment(lines: list[str]) -> CopyMoment | None:
    """The moment the page was saved, from a YAML header's ``fetched_at:``, ``clipped:``,
    ``created:``, ``date:``... that states its zone; None without one."""
    found = {}
    for line in lines[1:front_matter_end(lines)]:
        if (moment := _FRONT_MATTER_MOMENT.match(line)) and moment.group("key").lower() in _MOMENT_KEYS:
            found.setdefault(moment.group("key").lower(), moment.group("value"))
    key = next((key for key in _MOMENT_KEYS if key in found), None)
    if key is None:
        return None
    try:
        moment = datetime.fromisoformat(found[key].replace("Z", "+00:00").replace(" ", "T")).astimezone(timezone.utc)
    except (ValueError, OverflowError):  # OverflowError: a time in year 1 or 9999 that is outside the calendar in UTC
        return None
    return CopyMoment(moment, f"{key}: {found[key]}")


def front_matter_url(lines: list[str]) -> str | None:
    """The page's address a clipper wrote in the YAML header (``source:``, ``url:``), unquoted."""
    found = next((m for line in lines[1:front_matter_end(lines)]
                  if (m := re.match(r"^\s*(?:source|url|source_url|link):\s*['\"]?(https?://\S+?)['\"]?\s*$", line))), None)
    return found.group(1) if found else None


def front_matter_title(lines: list[str]) -> str | None:
    """The ``title:`` of a YAML header at the top, unquoted."""
    found = next((m for line in lines[1:front_matter_end(lines)] if (m := re.match(r"^title:\s*(.+?)\s*$", line))), None)
    return found.group(1).strip("\"'").strip() or None if found else None
