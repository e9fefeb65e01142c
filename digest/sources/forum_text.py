"""Plain-text forum export: a comment page copied out as text, like the project's seed.

Shape (see ``../shared/seeds/kasama-thread.txt``)::

     Note by Ben: ... For more, go to URL:          <- optional editor's note with the source URL
    http://example.org/long-article-road-           <- a URL may be broken across lines
    maps-and-more
    Guest - red                                     <- one reply per "[• ]Guest - NAME" header
    text hard-wrapped, often with an empty line after every line
    • Guest - Liam Wright                           <- a bullet: nested under the previous top-level reply
    ...
    about 3 years ago                               <- the time as written, not body

Headers: the dash may be "-", "–" or "—"; the bullet "•", "◦", "·", "‣", "▪", "*" or "-"; a
time at the end of the header line (``Guest - red about 3 years ago``, ``Guest - Ana
12.03.2011 14:05``, ``Guest - Ben, March 12, 2011 at 2:05 pm``) is the posting time.  A
comment number before the header (``#51 Guest - Ana``, ``1. Guest - Ana``, ``3) Guest -
Cleo``), after the name (``Guest - Cleo #53``) or alone on the line above it (``#52``) is
the reply's ``number``, which ``@Ana #51`` mentions resolve to.  A time is ``posted_at`` only
when it states its zone (``2011-03-12T14:09+01:00``, ``... 2:05 pm UTC``); a copied page never
does, so its times stay ``posted_at_text`` (noted), never taken as UTC, unless ``--timezone``
(``ImportRequest.timezone``) names the zone the page showed them in (noted).
A line that looks like a header but is not one (``Guest - `` without a name), a header
quoted inside a ``<blockquote>`` and a time line in the middle of a reply are kept as text,
with a note: a reply header may be missing there.

Reflow rules, as the seed writes them (the file keeps trailing spaces): empty lines are wrap
artifacts and are dropped; a line holding only spaces is a real paragraph break; a line ending
in a space joins the next with a space, a line ending without one joins it directly
(``road-``/``maps``).  The file is read so when most of its text lines end in a space, or
when it has the seed's lines of spaces; a few lines ending in a space (a stray one, a
pasted line) do not make it so, and are noted.  A file without trailing spaces (an editor
or git stripped them, or a browser copy) cannot say that, so there lines join with a space,
except a word broken after a hyphen or a URL broken mid-way (after a URL character, before
one, or before a path piece such as ``ding-a-new-movement`` when the line is about as long
as the file's longest), which join directly; blank lines separate paragraphs, unless the
file is double-spaced like the seed (nearly every wrapped line followed by one blank line),
where one blank line is a wrap artifact and two or more are a paragraph break.
In both, ``- `` starts a list item and ``-----`` is a rule.  Inline HTML (``<i>``,
``<strong>``, ``<blockquote>``, entities; unclosed tags too) is rebuilt into the body subset
by a small structural builder; other formatting tags (``<code>``, ``<pre>``, ``<s>``,
``<img>``, ``<span>``...) go through ``digest.body.from_html``; all is sanitized by nh3.
The lines of a ``<pre>`` are kept as written, less the blank lines the layout adds.
Tags that are not formatting (``<script>``) stay visible as text; the editor's note is
plain text, its tags removed.

Bytes: UTF-8 (or UTF-16 with its byte order mark, as Notepad saves "Unicode"); stray bytes
that are not UTF-8 (a quote pasted from Word) are read as Windows-1252
with a note naming the line, control characters (NUL) are removed with a note, and a file
that ends inside a character was cut short: what comes before is imported, as partial.

A folder holds the pages of one thread: every file with reply headers is read, in name
order (``page2`` before ``page10``); files without any are skipped with a note.

A blog's comment page copied from the browser is read too (``forum_text_copies`` has its
headers: WordPress's ``NAME says:`` over the comment's time, Blogger's ``NAME said...``): its
links, pingbacks (counted) and everything from ``Leave a Reply`` on are left out (noted),
``10 thoughts on “TITLE”`` gives title and count, and "Liked by 3 people" the likes.  Each line
is the comment's own line unless the copy was wrapped; the copy shows no nesting (noted).  Saved
as Markdown (``1. ![](AVATAR) **NAME** says:`` over ``[TIME](PERMALINK)``, ``### Post by NAME on
DATE``), the comments are Markdown and the time's link is the permalink.

Forum topics copied as text are read the same way (``forum_text_copies`` has their headers too):
Discourse's page without JavaScript, phpBB's default style and GitHub's issues and gists; the
lines above their first post are the page's (title, navigation), and their posts follow each
other, none shown answering another.  Relative times ("3 hours ago") count back from the moment
a copy's YAML header says it was saved, when it says one with its zone.

Hacker News, Lobsters and Reddit pages copied as text have a byline over each comment
(``alice 3 hours ago | parent | next [–]``, ``[–]alice 5 points 3 hours ago``, new Reddit's
name, "•" and "2y ago" on lines of their own); their links
tell the nesting in part (``forum_text_news.news_nesting``; a guess is noted), their times
are relative to the unknown moment of the copy (kept as text, noted with where the thread's
data is), and the site's own lines ("reply", "permalinkembedsave...", the footer) are left out.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from digest.body import plain_text, plain_words
from digest.errors import SourceError
from digest.model import Engagement, Reply, Thread
from digest.sources import forum_text_copies as copies
from digest.sources import forum_text_news as news_pages
from digest.sources.forum_text_body import BLOCK_PASSED_TAGS, RULE_RE, TAG_RE, build_body, markdown_body
from digest.sources.forum_text_body import Layout as _Layout
from digest.sources.forum_text_body import reflow as _reflow
from digest.sources.common import AuthorNames, find_mentions, stable_id
from digest.sources.xmlsafe import with_stray_bytes_as_cp1252

DESCRIPTION = "plain-text export of a forum comment page ('Guest - NAME' headers)"

BULLET = r"[•◦·‣▪*-]"
# "#51", "51." or "51)" before "Guest - NAME": the comment's number on the page.
NUMBER_BEFORE = r"(?:#(?P<hash>\d{1,6})|(?P<ordinal>\d{1,6})[.)])\s+"
HEADER_RE = re.compile(rf"^\s*(?P<nested>{BULLET}\s*)?(?:{NUMBER_BEFORE})?Guest\s+[-–—]\s+(?P<name>\S.*?)\s*$")
# Near misses of HEADER_RE ("Guest - " without a name, "guest: Bob"): reported, never guessed.
HEADER_LIKE_RE = re.compile(rf"^\s*(?:{BULLET}\s*)?(?:(?:#\d+|\d+[.)])\s+)?guest\s*[-–—:](?:\s|$)", re.IGNORECASE)
NUMBER_LINE_RE = re.compile(r"^\s*#(?P<number>\d{1,6})\s*$")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
BULLETED_RE = re.compile(rf"^\s*{BULLET}\s")
RELATIVE_TIME = (
    r"(?:(?:about |over |almost |less than )?(?:\d+|a|an|one) "
    r"(?:second|minute|hour|day|week|month|year)s? ago|yesterday|just now)"
)
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
DAY = r"\d{1,2}(?:st|nd|rd|th)?"
CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:Z|(?:UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d\d)?)?|[+-]\d\d:?\d\d))?"
WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\.?,?\s+)"
DATE = rf"(?:\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|{MONTH}\s+{DAY},?\s+\d{{4}}|{DAY}\s+{MONTH},?\s+\d{{4}})"
ABSOLUTE_TIME = rf"(?:(?:on\s+)?{WEEKDAY}?{DATE}(?:(?:,?\s+(?:at\s+)?|T){CLOCK})?)"
TIME = rf"(?:{RELATIVE_TIME}|{ABSOLUTE_TIME})"
TIME_RE = re.compile(rf"^\s*{TIME}\s*$", re.IGNORECASE)
# What may follow the name on a header line: a comment number and a time, in either order.
NAME_TAIL_RE = re.compile(
    rf"^(?P<name>.*?\S)(?:\s+#(?P<number>\d{{1,6}}))?(?:(?:\s*,\s*|\s+)(?P<time>{TIME}))?(?:\s+#(?P<number_after>\d{{1,6}}))?$",
    re.IGNORECASE,
)
QUOTE_OPEN_RE = re.compile(r"<blockquote\b[^>]*>", re.IGNORECASE)
QUOTE_CLOSE_RE = re.compile(r"</blockquote\s*>", re.IGNORECASE)
# Characters that are no text (NUL from a broken copy); tab and line ends are kept.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A document that starts like JSON is no forum export (a note may start with "[1]" or "<i>").
JSON_START_RE = re.compile(r"^(?:\{|\[\s*[\[{\"\]])")
URL_START_RE = re.compile(r"https?://\S+")
SENTENCE_END = ".!?:;\"”’)]"
# Tags that separate words when the editor's note is made plain text.
WORD_BREAKING_TAGS = {"br", "p", "blockquote", "li"} | BLOCK_PASSED_TAGS


def sniff(doc) -> bool:
    """Two reply headers, or one with text under it: a lone ``• Guest - Read-only access`` in
    a markdown list is not a forum export."""
    try:
        encoding = "utf-16" if doc.data.startswith(UTF16_BOMS) else "utf-8"  # read() then says it is UTF-16
        head = doc.data[:16384].decode(encoding, errors="replace")
    except Exception:  # noqa: BLE001 - sniffers never raise
        return False
    if _starts_like_data(head):
        return False
    lines = head.splitlines()
    if copies.looks_copied(lines) or len(news_pages.news_bylines(lines)) >= 2:
        return True
    headers = [index for index, line in enumerate(lines) if _parse_header(line)]
    return len(headers) >= 2 or any(_text_follows(lines, index) for index in headers)


def _starts_like_data(head: str) -> bool:
    """JSON or an XML/HTML document, not a note that opens with ``<i>`` or ``[1]``."""
    start = head.lstrip()
    if start.startswith("<"):
        return not TAG_RE.match(start)
    return bool(JSON_START_RE.match(start))


def _text_follows(lines: list[str], index: int) -> bool:
    following = next((line for line in lines[index + 1:] if line.strip()), None)
    return following is not None and not BULLETED_RE.match(following)


@dataclass(frozen=True)
class _Place:
    """A line of the import: its file is named only when several files are read."""

    page: int
    line: int
    file: str | None = None

    def __str__(self) -> str:
        return f"{self.file} line {self.line}" if self.file else f"line {self.line}"


@dataclass(frozen=True)
class _Note:
    """An import note and where it sorts: notes come in file order, whichever pass found them."""

    page: int
    line: int
    text: str


def _note(place: _Place, text: str) -> _Note:
    return _Note(place.page, place.line, f"{place}: {text}")


def _file_note(page: int, file: str | None, text: str) -> _Note:
    return _Note(page, 0, f"{file}: {text}" if file else text)


@dataclass(frozen=True)
class _Header:
    author: str
    nested: bool
    posted_at_text: str | None
    number: int | None = None


@dataclass
class _RawReply:
    header: _Header
    place: _Place
    lines: list[str] = field(default_factory=list)
    likes: int | None = None  # a copied page's "Liked by 3 people"
    score: int | None = None  # a news site's points
    answers: "_RawReply | None" = None  # the reply it answers, where the page tells (a news site's links)
    permalink: str | None = None  # a Markdown copy's link on the comment's time

    @property
    def author(self) -> str:
        return self.header.author


@dataclass(frozen=True)
class _CopiedPage:
    """What a blog comment page copied as text says about its comments."""

    title: str | None  # from "10 thoughts on “TITLE”"
    count: int | None  # the comments the page counts
    pingbacks: int  # left out
    other_pages: tuple[_Place, str] | None = None  # where it links other pages of comments, and the link ("Older Comments")
    starts_inside_a_comment: bool = False  # the copy's first comment lost its header
    author: str | None = None  # who posted the story (a news site's page)
    news: bool = False  # a Hacker News, Lobsters or Reddit page: bylines over the comments
    url: str | None = None  # the discussion's address, where the copy names it
    markdown: bool = False  # saved as Markdown: each comment is Markdown
    incomplete: bool = False  # comments are missing: folded, on the next page, or above the copy
    site: str | None = None  # a forum's page rather than a blog's: "discourse", "phpbb", "github" or "substack"
    dumped: bool = False  # by lynx, which wraps every paragraph


@dataclass(frozen=True)
class _Page:
    """One file's part of the thread, split at its reply headers."""

    index: int
    file: str | None
    layout: _Layout
    above_replies: tuple[str, ...]  # the editor's note, on the first page
    replies: tuple[_RawReply, ...]
    cut: bool  # the file ends inside a character
    copied_page: "_CopiedPage | None" = None  # a blog comment page copied as text
    copied_at: copies.CopyMoment | None = None  # when the page was saved, as its YAML header says


@dataclass(frozen=True)
class _Draft:
    """A reply read from its lines, before ids, parents and mentions tie the replies together."""

    raw: _RawReply
    body: str
    posted_at_text: str | None


def read(request) -> Thread:
    notes: list[_Note] = []
    zone = copies.site_zone(request.timezone)
    pages = _pages(request, notes)
    note, url = _header(list(pages[0].above_replies), pages[0].layout)
    notes.extend(_text_above_later_pages(pages))
    drafts = [draft for page in pages for draft in _drafts(page, notes)]
    replies = _replies(drafts, _posting_times(drafts, pages, notes, zone), notes)
    title, count, copy_notes, paged = _copied_page_facts(pages, replies)
    author = next((page.copied_page.author for page in pages if page.copied_page and page.copied_page.author), None)
    url = url or next((page.copied_page.url for page in pages if page.copied_page and page.copied_page.url), None)
    notes.extend(copy_notes)
    notes.sort(key=lambda n: (n.page, n.line))
    cut = any(page.cut for page in pages)
    missing = _missing_comments_note(replies)
    if request.thread:
        notes.append(_Note(len(pages), 0, f"--thread {request.thread!r} does not apply: a forum text export holds one thread, imported whole"))
    return Thread(
        id="forum-" + hashlib.sha1((url or request.name).encode()).hexdigest()[:12],
        title=title,
        url=url,
        replies=tuple(replies),
        source_format="forum-text",
        note=note,
        retrieved_at=request.retrieved_at,
        partial=cut or missing is not None or paged or (count is not None and count > len(replies)),
        total_replies=count,
        author=author,
        import_notes=tuple(n.text for n in notes) + ((missing,) if missing else ()),
    )


# ---------------------------------------------------------------------------- files and pages

def _pages(request, notes: list[_Note]) -> list[_Page]:
    """The files that hold replies, in name order; in a folder the others are skipped with a
    note, and none at all is an error."""
    documents = sorted(request.documents, key=lambda d: _name_order(d.name))
    several = len(documents) > 1
    pages: list[_Page] = []
    skipped: list[str] = []
    for index, doc in enumerate(documents):
        try:
            page, page_notes = _page(doc, index, several)
        except SourceError as error:
            if not several:
                raise
            skipped.append(f"{doc.name} ({error.message})")
            continue
        if page.replies:
            pages.append(page)
            notes.extend(page_notes)
        else:
            skipped.append(doc.name)
    if not pages:
        raise SourceError(
            "no reply headers found (expected lines like 'Guest - NAME', or 'NAME says:' over the comment's time)"
            + (f" in any of its {len(documents)} files" if several else ""),
            where=request.name if several else f"{documents[0].name}:1",
            fix="check that this is a forum text export, or pass --format for another format",
        )
    if skipped:
        notes.append(_Note(-1, 0, f"skipped {len(skipped)} file(s) without reply headers ('Guest - NAME'): {', '.join(skipped)}"))
    if len(pages) > 1:
        notes.append(_Note(-1, 1, f"read {len(pages)} files as pages of one thread, in name order: {', '.join(p.file or '' for p in pages)}"))
    return pages


def _name_order(name: str) -> list:
    """``page2`` before ``page10``."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name)]


def _page(doc, index: int, several: bool) -> tuple[_Page, list[_Note]]:
    """One file split at its reply headers, and its notes (kept only if it holds replies)."""
    file = doc.name if several else None
    notes: list[_Note] = []
    text, cut = _decode(doc, index, file, notes)
    lines = text.splitlines()
    if margins := copies.print_margins(lines):  # a page printed to PDF: its margins are no one's text
        notes.append(_note(_Place(index, margins[0] + 1, file), f"left out the {len(margins)} line(s) of the margins a browser "
                                                                "prints on every page (date, title, address and page number, "
                                                                f"such as {lines[margins[0]].strip()!r})"))
        lines = ["" if position in set(margins) else line for position, line in enumerate(lines)]
    copied = None
    if says := copies.headers(lines):
        above, raw_replies, copied = _split_copied_page(lines, says, index, file, notes)
    elif (bylines := news_pages.news_bylines(lines)) and len(bylines) > sum(1 for line in lines if _parse_header(line)):
        above, raw_replies, copied = _split_news_page(lines, bylines, index, file, notes)
    else:
        above, raw_replies = _split_replies(lines, index, file, notes)
    if cut:
        notes.append(_note(
            _Place(index, len(lines), file),
            "the file ends inside a character: it was cut short, so its last reply may be incomplete and "
            "later replies are missing; imported what comes before",
        ))
    if copied and copied.news:
        layout = _Layout(trailing_spaces=False, keep_breaks=True)  # a news site's comment: each line break is its own
    else:
        layout = _copied_layout(raw_replies, copied.dumped) if copied else _layout(lines, index, file, notes)
    return _Page(index, file, layout, tuple(above), tuple(raw_replies), cut, copied, copies.front_matter_moment(lines)), notes


def _decode(doc, page: int, file: str | None, notes: list[_Note]) -> tuple[str, bool]:
    """The file's text, and whether it ends inside a character (cut short).  Stray bytes that
    are not UTF-8 are read as Windows-1252 and control characters removed, with notes."""
    if doc.data.startswith(UTF16_BOMS):  # Notepad's "Unicode"
        return _decode_utf16(doc, page, file, notes)
    data, stray_note = with_stray_bytes_as_cp1252(doc.data)
    if stray_note:
        notes.append(_file_note(page, file, stray_note))
    try:
        text, cut = data.decode("utf-8-sig"), False
    except UnicodeDecodeError as exc:  # only a character cut at the end is left
        if exc.reason != "unexpected end of data" or exc.end != len(data):
            line = data[: exc.start].count(b"\n") + 1
            raise SourceError(
                f"not UTF-8 text (byte offset {exc.start}, line {line})",
                where=doc.name,
                fix="re-save the export as UTF-8",
            ) from None
        text, cut = data[: exc.start].decode("utf-8-sig"), True
    return _without_control_characters(text, page, file, notes), cut


def _decode_utf16(doc, page: int, file: str | None, notes: list[_Note]) -> tuple[str, bool]:
    """UTF-16 text with its byte order mark; an odd last byte is half a character (cut short)."""
    data = doc.data[: len(doc.data) // 2 * 2]
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise SourceError(f"broken UTF-16 text (byte offset {exc.start})", where=doc.name,
                          fix="re-save the export as UTF-8 (e.g. iconv -f utf-16 -t utf-8)") from None
    return _without_control_characters(text, page, file, notes), len(data) < len(doc.data)


def _without_control_characters(text: str, page: int, file: str | None, notes: list[_Note]) -> str:
    first = CONTROL_RE.search(text)
    if first is None:
        return text
    line = text.count("\n", 0, first.start()) + 1
    text, removed = CONTROL_RE.subn("", text)
    notes.append(_note(
        _Place(page, line, file),
        f"removed {removed} control character(s) such as NUL, which are no text (the first here)",
    ))
    return text


def _text_above_later_pages(pages: list[_Page]) -> list[_Note]:
    """Text above the first reply of a later page is page furniture (a repeated note, a title):
    left out, but said, unless it repeats the first page's."""
    first = [line.strip() for line in pages[0].above_replies if line.strip()]
    notes = []
    for page in pages[1:]:
        above = [line.strip() for line in page.above_replies if line.strip()]
        if above and above != first:
            shown = " ".join(" ".join(above).split())
            notes.append(_note(
                _Place(page.index, 1, page.file),
                f"text above the first reply header ({shown[:60] + ('...' if len(shown) > 60 else '')!r}) "
                "belongs to no reply and was left out",
            ))
    return notes


# ---------------------------------------------------------------------------- replies

def _split_replies(lines: list[str], page: int, file: str | None, notes: list[_Note]) -> tuple[list[str], list[_RawReply]]:
    """The lines above the first header and the replies.  Lines that look like a header but
    are not one, and headers quoted in a ``<blockquote>``, are kept as text, with a note; a
    ``#52`` line right above a header is that reply's number."""
    above: list[str] = []
    raw_replies: list[_RawReply] = []
    quotes = 0  # blockquotes open in the current reply
    pending_number: tuple[int, _Place] | None = None
    for index, line in enumerate(lines):
        place = _Place(page, index + 1, file)
        header = _parse_header(line)
        quoted = header is not None and quotes > 0 and _quote_closes_first(lines, index)
        if header and not quoted:
            if pending_number:
                header = _numbered(header, *pending_number, place, notes)
                pending_number = None
            raw_replies.append(_RawReply(header, place))
            quotes = 0
            continue
        number_line = NUMBER_LINE_RE.match(line)
        if number_line and _header_follows(lines, index + 1):
            pending_number = (int(number_line.group("number")), place)
            continue
        if quoted:
            notes.append(_note(place, f"{line.strip()!r} is inside a <blockquote>: read as quoted text, not as a reply header"))
        elif miss := _near_miss(line):
            notes.append(_note(place, f"{line.strip()!r} looks like a reply header but {miss}; it was kept as text, so a reply header may be missing"))
        quotes = max(0, quotes + len(QUOTE_OPEN_RE.findall(line)) - len(QUOTE_CLOSE_RE.findall(line)))
        (raw_replies[-1].lines if raw_replies else above).append(line)
    return above, raw_replies


@dataclass
class _CopiedComments:
    """A copied comment page read line by line: the text above the comments, the comments, and
    what was left out on the way."""

    above: list[tuple[int, str]] = field(default_factory=list)
    raw_replies: list[_RawReply] = field(default_factory=list)
    other_pages: tuple[_Place, str] | None = None  # where it links other pages of comments, and the link
    pingbacks: int = 0
    folded: bool = False  # the page folded answers or comments, which were not copied
    lynx: bool = False  # dumped by lynx


def _split_copied_page(lines: list[str], says: dict[int, copies.Header], page: int, file: str | None,
                       notes: list[_Note]) -> tuple[list[str], list[_RawReply], _CopiedPage]:
    """The text above the comments and the comments of a copied comment page, without its
    furniture: "Reply" links, pingbacks, and the form and sidebar from "Leave a Reply" on; the
    title, count and opening a forum topic's page shows."""
    read = _copied_comments(lines, says, page, file, notes)
    above, raw_replies, other_pages = read.above, read.raw_replies, read.other_pages
    title, count = next((found for _, line in reversed(above) if (found := copies.comment_count(line))), (None, None))
    site = next((header.site for header in says.values() if header.site), None)
    first = says[min(says)]
    if site == "substack":  # the post's likes and restacks, and the lines over its discussion, are the page's
        above, cut = copies.substack_top(above)
        if cut is not None:
            notes.append(_note(_Place(page, cut + 1, file), f"{lines[cut].strip()!r} and the lines down to the first comment (the "
                                                            "post's likes, 'Discussion about this post') are the page's: left out"))
    forum = copies.forum_top(lines, above, first) if site in ("discourse", "phpbb") or (site == "github" and first.markdown) else None
    if forum:  # a forum topic opens with its first post: the lines above it are the page's
        title, count = forum.title, forum.count
        if forum.left_out:
            shown = f", but for the title {title!r}" if title else ""
            notes.append(_note(_Place(page, forum.left_out[0] + 1, file),
                               f"the {len(forum.left_out)} line(s) above the first post (the topic's title, the forum's "
                               f"navigation) are the page's: left out{shown}"))
        above = [(index, line) for index, line in above if index not in forum.left_out]
        other_pages = other_pages or (forum.pages_at and (_Place(page, forum.pages_at[0] + 1, file), forum.pages_at[1]))
    markdown = any(header.markdown for header in says.values())
    title, above = _copied_page_title(lines, above, title, markdown, page, file, notes)
    top = copies.page_top([(index, line) for index, line in above if not copies.comment_count(line)])
    notes.extend(_note(_Place(page, index + 1, file), why) for index, why in top.left_out)
    author, starts_later = _forum_opening(raw_replies, forum.later_page, notes) if forum and site != "github" else (None, False)
    if site == "github" and first.permalink and "#issue-" in first.permalink:  # the issue's own text opens the page
        author = first.author
    url = first.permalink.split("#")[0] if site == "github" and first.permalink else copies.front_matter_url(lines)
    if not url and read.lynx and (url := copies.lynx_topic_url(lines)):
        notes.append(_note(_Place(page, 1, file), f"the topic's address, {url}, is taken from the dump's References list"))
    return list(top.lines), raw_replies, _CopiedPage(title or top.title, count, read.pingbacks, other_pages,
                                                     top.cut_comment or starts_later, author=author, markdown=markdown, site=site,
                                                     url=url, incomplete=read.folded, dumped=read.lynx)


def _copied_comments(lines: list[str], says: dict[int, copies.Header], page: int, file: str | None,
                     notes: list[_Note]) -> _CopiedComments:
    """The comments under their headers, without the headers' own lines (times, badges,
    profiles), the page's links and buttons, pingbacks, and what follows the comments."""
    read = _CopiedComments(lynx=copies.lynx_dump(lines))
    stamps = {index for header in says.values() for index in (header.stamp_at, *header.furniture) if index is not None}
    events = set(copies.github_events(lines)) if any(header.site == "github" for header in says.values()) else set()
    if events & set(range(min(says), len(lines))):
        notes.append(_note(_Place(page, min(events) + 1, file), f"left out the {len(events)} line(s) of the events GitHub shows "
                                                                 "between the comments (labels, mentions, closing)"))
    stamps |= events
    pingbacks: list[_Place] = []
    ended: int | None = None  # where the comment above ended (Substack's "Share"): the lines up to the next are the page's
    after_comments: list[tuple[_Place, str]] = []
    raw_replies = read.raw_replies
    for index, written in enumerate(lines):
        place = _Place(page, index + 1, file)
        line = copies.link_text(copies.LYNX_LINK_RE.sub("", written) if read.lynx else written)  # "[Reply](URL)", "[53]next"
        if ended is not None and index >= ended and index not in says:
            if line.strip():
                after_comments.append((place, line.strip()))
        elif copies.COMMENT_PAGES_RE.match(line):
            read.other_pages = read.other_pages or (place, line.strip(" \t«»←→"))
        elif index in says:
            header = says[index]
            ended = header.ends_at
            raw_replies.append(_RawReply(_Header(header.author, False, header.posted_at_text, header.number), place,
                                         likes=header.likes, permalink=header.permalink))
            if header.folded:  # told on its claps' line, the header's last
                replies = f"{header.folded} repl{'y' if header.folded == 1 else 'ies'}"
                after_comments.append((_Place(page, header.furniture[-1] + 1, file), replies))
        elif index in stamps or (raw_replies and copies.REPLY_LINK_RE.match(line)):
            continue
        elif raw_replies and (likes := copies.LIKES_RE.match(line)):
            if count := likes.group("count") or likes.group("likes") or likes.group("thumbs") or likes.group("liked"):
                raw_replies[-1].likes = copies.count_of(count)
        elif raw_replies and copies.PINGBACK_RE.match(line):
            pingbacks.append(place)
        elif raw_replies and copies.COMMENT_FORM_RE.match(line):
            notes.append(_note(place, f"{line.strip()!r} ends the comments: the comment form and the rest of the page "
                                      "below it were left out"))
            break
        elif raw_replies:
            raw_replies[-1].lines.append(written)
        else:
            read.above.append((index, written))
    read.folded = _folded_after_comments(after_comments, notes)
    for raw in raw_replies:  # a rule or blank lines between two comments separate them
        while raw.lines and (not raw.lines[-1].strip() or RULE_RE.match(raw.lines[-1].strip())):
            raw.lines.pop()
        raw.lines = copies.lynx_body_lines(raw.lines) if read.lynx else raw.lines
    if read.lynx:
        notes.append(_note(_Place(page, 1, file), "a page dumped by lynx: the numbers it gives links ('[22]') were left out "
                                                  "of the text (the addresses are in its References list)"))
    if pingbacks:
        notes.append(_note(pingbacks[0], f"left out {len(pingbacks)} pingback(s) or trackback(s): links from other pages, "
                                         "not comments (the first here)"))
    read.pingbacks = len(pingbacks)
    return read


def _copied_page_title(lines: list[str], above: list[tuple[int, str]], title: str | None, markdown: bool, page: int,
                       file: str | None, notes: list[_Note]) -> tuple[str | None, list[tuple[int, str]]]:
    """The title a saved page's YAML header or Markdown heading gives, and the text above the comments without them."""
    if header_end := copies.front_matter_end(lines):
        above = [(index, line) for index, line in above if index >= header_end]
        title = title or copies.front_matter_title(lines)
        notes.append(_note(_Place(page, 1, file), f"the {header_end}-line header (---) above the page is not part of it: "
                                                  "left out" + (f", but for its title {title!r}" if title else "")))
    headings = ((index, found) for index, line in above if (found := copies.MARKDOWN_TITLE_RE.match(line)))
    if markdown and not title and (heading := next(headings, None)):
        title = heading[1].group(1)
        above = [(index, line) for index, line in above if index != heading[0]]
        notes.append(_note(_Place(page, heading[0] + 1, file), f"the heading {title!r} above the comments is taken as the title"))
    return title, above


def _folded_after_comments(after_comments: list[tuple[_Place, str]], notes: list[_Note]) -> bool:
    """Notes on the lines between and after comments that end themselves (Substack's): the
    answers and comments the page folded, which make the thread partial, and the page's own lines."""
    folded = [(place, line) for place, line in after_comments if copies.SUBSTACK_FOLDED_RE.match(line)]
    if folded:
        notes.append(_note(folded[0][0], f"{len(folded)} place(s) where the page folded answers or comments ({folded[0][1]!r} "
                                         "here): they were not copied, and the thread is partial"))
    page_lines = [(place, line) for place, line in after_comments if not copies.SUBSTACK_FOLDED_RE.match(line)]
    if page_lines:
        notes.append(_note(page_lines[0][0], f"the {len(page_lines)} line(s) after the last comment ({page_lines[0][1]!r} on) "
                                             "are the page's: left out"))
    return bool(folded)


def _forum_opening(raw_replies: list[_RawReply], later_page: tuple[int, int] | None, notes: list[_Note]) -> tuple[str | None, bool]:
    """Who opened a copied forum topic (the author of its first post), and whether the copy
    starts after that post (Discourse's post number, phpBB's "Page 2 of 3")."""
    first = raw_replies[0]
    if first.header.number not in (None, 1):
        notes.append(_note(first.place, f"the copy starts at post #{first.header.number}: the posts before it (a topic's page "
                                        "shows 20) were not copied, and the thread is partial"))
        return None, True
    if later_page:
        notes.append(_note(first.place, f"the copy is page {later_page[0]} of {later_page[1]} of the topic: the posts of the "
                                        "pages before it, the topic's opening post among them, were not copied"))
        return None, True
    return first.author, False


def _split_news_page(lines: list[str], bylines: dict[int, news_pages.Byline], page: int, file: str | None,
                     notes: list[_Note]) -> tuple[list[str], list[_RawReply], _CopiedPage]:
    """A Hacker News, Lobsters or old Reddit page copied as text: its comments under their
    bylines, nested as far as the sites' links tell (``news_pages.news_nesting``), and notes on
    what the copy cannot say."""
    news = news_pages.news_page(lines, bylines)
    notes.extend(_note(_Place(page, index + 1, file), why) for index, why in news.left_out)
    raw_replies = [
        _RawReply(_Header(c.byline.author, False, c.byline.posted_at_text), _Place(page, c.line + 1, file),
                  news_pages.news_body_lines(c.lines), score=c.byline.points, permalink=c.byline.permalink)
        for c in news.comments
    ]
    bylines_in_order = [c.byline for c in news.comments]
    nesting = news_pages.news_nesting(bylines_in_order)
    for raw, answers in zip(raw_replies, nesting.answers):
        raw.answers = raw_replies[answers] if answers is not None else None
    site = next((b.site for b in bylines_in_order if b.site != "lobsters"), "lobsters")
    notes.extend(_note(_Place(page, index + 1, file), text) if index is not None else _Note(page, raw_replies[-1].place.line, text)
                 for index, text in news_pages.news_notes(news, nesting, site, dated=copies.front_matter_moment(lines) is not None))
    incomplete = bool(nesting.orphans or news.more_at is not None or news.hidden or news.starts_inside
                      or any(b.folded for b in bylines_in_order))
    url = f"https://news.ycombinator.com/item?id={news.item_id}" if news.item_id and site == "hn" else news.thread_url
    copied = _CopiedPage(news.title, news.count, 0, author=news.author, news=True, incomplete=incomplete, url=url)
    return list(news.above), raw_replies, copied


def _copied_layout(raw_replies: list[_RawReply], dumped: bool = False) -> _Layout:
    """A browser's copy is not wrapped: each line break is the comment's own, unless someone
    wrapped the copy (most lines that go on in the next line fill 70% of a width of 80 or less)
    or it was ``dumped`` by lynx, which wraps every paragraph."""
    lines = [html.unescape(TAG_RE.sub("", line))  # as the page showed them: a lynx dump's quotes are marked up by now
             for raw in raw_replies for line in _without_leading_blanks(raw.lines)]  # the header's lines left blanks
    width = max((len(line.rstrip()) for line in lines), default=0)
    double_spaced = _double_spaced(lines)
    wrapped = dumped or copies.wrapped(lines, width)
    return _Layout(trailing_spaces=False, double_spaced=double_spaced, width=width, keep_breaks=not (wrapped or double_spaced))


def _without_leading_blanks(lines: list[str]) -> list[str]:
    start = next((index for index, line in enumerate(lines) if line.strip()), len(lines))
    return lines[start:]


def _copied_page_facts(pages: list[_Page], replies: list[Reply]) -> tuple[str | None, int | None, list[_Note], bool]:
    """The title and comment count a copied comment page shows, what the import says about it,
    and whether comments are missing (a single page that links others)."""
    copied = [page.copied_page for page in pages if page.copied_page]
    if not copied:
        return None, None, [], False
    title = next((c.title for c in copied if c.title), None)
    count = next((c.count for c in copied if c.count is not None), None)
    flat = ("github", "phpbb", "discourse")  # topics whose posts answer none; Discourse's own note is below
    notes = [] if all(c.news or c.site in flat for c in copied) else [
        _Note(-1, 0, "a comment page copied as text does not show which comment answers which: every reply is "
                     "imported as answering the post")]
    if discourse := next((c for c in copied if c.site == "discourse"), None):
        notes.append(_Note(-1, 0, "a Discourse topic's page copied as text shows neither which post answers which nor "
                                  f"the zone of its times: `digest import {discourse.url or 'https://FORUM/t/SLUG/ID'}` "
                                  "(the topic's address) reads it exactly"))
    held = len(replies) + sum(c.pingbacks for c in copied)
    if count is not None and count > held and all(c.news for c in copied):
        notes.append(_Note(len(pages), 0, f"the story counts {count} comments but the copy holds {held}: the rest were "
                                          "not copied (folded, on a later page, or dead)"))
    elif count is not None and count > held and any(c.site == "medium" for c in copied):
        notes.append(_Note(len(pages), 0, f"the story counts {count} responses but the copy holds {held}: the page shows only "
                                          "some ('See all responses' opens the rest), so the others were not copied"))
    elif count is not None and count > held and any(c.site for c in copied):
        notes.append(_Note(len(pages), 0, f"the topic counts {count} posts but the copy holds {held}: the rest were not "
                                          "copied (the topic's other pages)"))
    elif count is not None and count > held:
        notes.append(_Note(len(pages), 0, f"the page counts {count} comments but the copy holds {held} (pingbacks "
                                          "included): the rest were not copied (a later comment page, or folded replies)"))
    paged = len(pages) == 1 and copied[0].other_pages is not None
    if paged:
        place, link = copied[0].other_pages
        notes.append(_note(place, f"the page links other pages of its comments ({link!r}): this copy holds one of them; "
                                  "copy each page and import them together as a folder"))
    return title, count, notes, paged or any(c.starts_inside_a_comment or c.incomplete for c in copied)


def _quote_closes_first(lines: list[str], start: int) -> bool:
    """An open blockquote closes on the header line ``start`` or before the next one: that
    header is quoted.  One that never closes does not swallow the replies after it."""
    for index, line in enumerate(lines[start:], start):
        if QUOTE_CLOSE_RE.search(line):
            return True
        if index > start and _parse_header(line):
            return False
    return False


def _header_follows(lines: list[str], start: int) -> bool:
    following = next((line for line in lines[start:] if line.strip()), None)
    return following is not None and _parse_header(following) is not None


def _numbered(header: _Header, number: int, number_place: _Place, place: _Place, notes: list[_Note]) -> _Header:
    """The number on the line above a header, unless the header has its own."""
    if header.number is None:
        return replace(header, number=number)
    if header.number != number:
        notes.append(_note(
            place,
            f"the reply by {header.author} is numbered #{header.number} on its header but #{number} on "
            f"{number_place}; the header's is kept",
        ))
    return header


def _drafts(page: _Page, notes: list[_Note]) -> list[_Draft]:
    drafts = []
    for raw in page.replies:
        if page.copied_page is None:
            body_lines, below = _split_time(raw.lines, TIME_RE)
        elif raw.header.posted_at_text is None:  # Blogger's: the time ends the comment
            body_lines, below = _split_time(raw.lines, copies.STAMP_RE)
        else:  # the time was under the header: a date ending the comment is its text
            body_lines, below = raw.lines, None
        notes.extend(_times_inside(raw, body_lines))
        posted_at_text = _posted_at_text(raw, below, notes)
        markdown = page.copied_page is not None and page.copied_page.markdown
        body = markdown_body(body_lines) if markdown else build_body(_reflow(body_lines, page.layout))
        if not plain_words(body):
            notes.append(_note(raw.place, f"reply by {raw.author} has no text"))
        drafts.append(_Draft(raw, body, posted_at_text))
    return drafts


def _replies(drafts: list[_Draft], times: list[datetime | None], notes: list[_Note]) -> list[Reply]:
    """Ids, nesting, and mentions that resolve by comment number."""
    ids = _reply_ids(drafts)
    id_of = {id(draft.raw): reply_id for draft, reply_id in zip(drafts, ids)}
    numbers = _comment_numbers(drafts, ids, notes)
    authors = AuthorNames({d.raw.author for d in drafts})
    replies: list[Reply] = []
    last_top_level: str | None = None
    for draft, reply_id, posted_at in zip(drafts, ids, times):
        raw = draft.raw
        parent_id = id_of.get(id(raw.answers)) if raw.answers else None
        if raw.header.nested:
            if last_top_level is None:
                notes.append(_note(raw.place, f"nested reply by {raw.author} has no reply above it to nest under"))
            parent_id = last_top_level
        else:
            last_top_level = reply_id
        replies.append(Reply(
            id=reply_id,
            author=raw.author,
            body=draft.body,
            number=raw.header.number,
            posted_at=posted_at,
            posted_at_text=draft.posted_at_text if posted_at is None else None,
            parent_id=parent_id,
            mentions=find_mentions(plain_text(draft.body), authors, numbers),
            engagement=Engagement(likes=raw.likes, score=raw.score),
            permalink=raw.permalink,
        ))
    return replies


def _reply_ids(drafts: list[_Draft]) -> list[str]:
    seen: set[str] = set()
    ids = []
    for draft in drafts:
        reply_id = stable_id(author=draft.raw.author, body=draft.body)
        while reply_id in seen:  # same author and opening twice: keep both, distinctly
            reply_id += "-" + hashlib.sha1(_id_salt(draft.raw.place).encode()).hexdigest()[:4]
        seen.add(reply_id)
        ids.append(reply_id)
    return ids


def _id_salt(place: _Place) -> str:
    return f"{place.file}:{place.line}" if place.file else f"{place.line}"


def _comment_numbers(drafts: list[_Draft], ids: list[str], notes: list[_Note]) -> dict[int, str]:
    """Comment number -> reply id, for mentions; a number two replies carry resolves to neither."""
    holders: dict[int, list[int]] = {}
    for index, draft in enumerate(drafts):
        if draft.raw.header.number is not None:
            holders.setdefault(draft.raw.header.number, []).append(index)
    numbers = {}
    for number, indexes in holders.items():
        if len(indexes) == 1:
            numbers[number] = ids[indexes[0]]
            continue
        first, *others = (drafts[i].raw for i in indexes)
        notes.append(_note(
            others[0].place,
            f"comment number #{number} is also on the reply by {first.author} ({first.place}); "
            "mentions of it are left unresolved",
        ))
    return numbers


def _missing_comments_note(replies: list[Reply]) -> str | None:
    """Mentions of comments the export does not hold: by number when the replies carry
    numbers, else by how many replies there are."""
    referenced = sorted({m.number for r in replies for m in r.mentions if m.number})
    held = {r.number for r in replies if r.number is not None}
    if held:
        missing = [number for number in referenced if number not in held]
        if not missing:
            return None
        shown = ", ".join(f"#{n}" for n in missing[:10]) + (" ..." if len(missing) > 10 else "")
        return f"replies refer to comment(s) {shown}, which the export does not hold: only part of the thread was exported"
    if not referenced or referenced[-1] <= len(replies):
        return None
    return (
        f"replies refer to comment #{referenced[-1]} but the export holds {len(replies)} replies: "
        "only part of the thread was exported"
    )


def _posting_times(drafts: list[_Draft], pages: list[_Page], notes: list[_Note], zone=None) -> list[datetime | None]:
    """Each reply's time in UTC, when its text states the zone (or ``--timezone`` names the one
    to read it in) and its day and month are certain, or it is relative ("3 hours ago") to a copy
    whose header says when it was saved."""
    times, said = copies.posting_times([d.posted_at_text for d in drafts], zone)
    notes.extend(_Note(len(pages), 0, text) for text in said)
    for page in pages:
        positions = [position for position, draft in enumerate(drafts) if draft.raw.place.page == page.index]
        counted_back, said = copies.relative_times([drafts[position].posted_at_text for position in positions], page.copied_at)
        notes.extend(_Note(page.index, 0, text) for text in said)
        for position, time in zip(positions, counted_back):
            times[position] = times[position] or time
    return times


def _posted_at_text(raw: _RawReply, below: str | None, notes: list[_Note]) -> str | None:
    """The time on the header line wins over one below the reply; two different ones are noted."""
    on_header = raw.header.posted_at_text
    if on_header and below and below != on_header:
        notes.append(_note(
            raw.place,
            f"reply by {raw.author} gives two times, {on_header!r} on its header and "
            f"{below!r} below it; the header's is kept",
        ))
    return on_header or below


def _parse_header(line: str) -> _Header | None:
    """``[• ][#51 ]Guest - NAME[ #51][ about 3 years ago]``; None when it is not one (or names no one)."""
    match = HEADER_RE.match(line)
    if not match:
        return None
    rest = match.group("name")
    if TIME_RE.match(rest):
        return None
    tail = NAME_TAIL_RE.match(rest)
    number = match.group("hash") or match.group("ordinal") or tail.group("number") or tail.group("number_after")
    return _Header(tail.group("name"), bool(match.group("nested")), tail.group("time"), int(number) if number else None)


def _near_miss(line: str) -> str | None:
    """Why a line that looks like a reply header is not one; None when it does not look like one."""
    if not HEADER_LIKE_RE.match(line):
        return None
    rest = HEADER_LIKE_RE.sub("", line, count=1).strip()
    return "has no name" if not rest or TIME_RE.match(rest) else "is not written 'Guest - NAME'"


# ---------------------------------------------------------------------------- layout and text

def _layout(lines: list[str], page: int, file: str | None, notes: list[_Note]) -> _Layout:
    """Trailing spaces carry the seed's wrap rule when most text lines have one, or the file
    has the seed's lines of spaces; a few stray ones do not (noted).  Double spacing: one
    blank line after most lines, which mostly end mid-sentence, and longer gaps somewhere
    (the paragraph breaks)."""
    text_lines = [index for index, line in enumerate(lines) if line.strip() and not _parse_header(line)]
    spaced = [index for index in text_lines if lines[index][-1].isspace()]
    spaces_only = any(line and not line.strip() for line in lines)
    if spaced and (len(spaced) * 2 >= len(text_lines) or spaces_only):
        return _Layout()
    if spaced:
        notes.append(_note(
            _Place(page, spaced[0] + 1, file),
            f"ends in a space, as only {len(spaced)} of {len(text_lines)} text lines do: too few to mean that a line "
            "ending without one joins the next directly, so wrapped lines are joined with a space",
        ))
    width = max((len(line.rstrip()) for line in lines), default=0)
    return _Layout(trailing_spaces=False, double_spaced=_double_spaced(lines), width=width)


def _double_spaced(lines: list[str]) -> bool:
    gaps: Counter[int] = Counter()
    mid_sentence = 0
    previous: str | None = None
    blanks = 0
    for line in lines:
        if not line.strip():
            blanks += 1
            continue
        if previous is not None:
            gaps[min(blanks, 2)] += 1
            mid_sentence += blanks == 1 and previous.rstrip()[-1] not in SENTENCE_END
        previous, blanks = line, 0
    return gaps[2] > 0 and gaps[1] > 2 * (gaps[0] + gaps[2]) and mid_sentence * 2 > gaps[1]


def _header(lines: list[str], layout: _Layout) -> tuple[str | None, str | None]:
    """The editor's note above the first reply, as plain text, and the source URL it gives.
    A URL standing on its own (after "For more, go to URL:", the seed's form, or after a full
    stop) becomes the thread's link only; one inside the note's sentence ("the discussion is at
    URL", "See URL") stays in it too, or the sentence would end in mid-air."""
    text = _plain_note(" ".join(block.text for block in _reflow(lines, layout) if block.text))
    url_match = URL_START_RE.search(text)
    url = url_match.group(0).rstrip(".,;:)") if url_match else None
    standing_alone = url_match and text[:url_match.start()].rstrip()[-1:] in ("", *":.!?")
    note = text.replace(url_match.group(0), "").strip() if standing_alone else text.strip()
    return (" ".join(note.split()) or None), url


def _plain_note(text: str) -> str:
    """The note without its formatting tags (``<i>Note by Ben</i>:``) and with entities decoded."""
    if "<" not in text and "&" not in text:
        return text
    return html.unescape(TAG_RE.sub(lambda m: " " if m.group(2).lower() in WORD_BREAKING_TAGS else "", text))


def _split_time(lines: list[str], time_re: re.Pattern = TIME_RE) -> tuple[list[str], str | None]:
    """A trailing 'about 3 years ago' or '12 March 2011 14:07' is when the reply was posted, not
    part of it (in a copied page, any line with a year and a clock)."""
    for index in range(len(lines) - 1, -1, -1):
        if not lines[index].strip():
            continue
        if found := time_re.match(lines[index]):
            return lines[:index], " ".join((found.groupdict().get("time") or lines[index]).split())
        break
    return lines, None


def _times_inside(raw: _RawReply, body_lines: list[str]) -> list[_Note]:
    """A posting time in the middle of a reply usually ends a reply whose header was lost."""
    return [
        _note(
            replace(raw.place, line=raw.place.line + 1 + index),
            f"{line.strip()!r} inside the reply by {raw.author} reads like a posting time; a reply header may be missing after it",
        )
        for index, line in enumerate(body_lines)
        if TIME_RE.match(line)
    ]
