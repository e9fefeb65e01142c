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
time at the end of the header line (``Guest - red about 3 years ago``) is the posting time.
A line that looks like a header but is not one (``Guest - `` without a name) and a time line
in the middle of a reply are kept as text, with a note: a reply header may be missing there.

Reflow rules, as the seed writes them (the file keeps trailing spaces): empty lines are wrap
artifacts and are dropped; a line holding only spaces is a real paragraph break; a line ending
in a space joins the next with a space, a line ending without one joins it directly
(``road-``/``maps``).  A file where no line ends in a space (an editor or git stripped them,
or a browser copy) cannot say that, so there lines join with a space, except a word broken
after a hyphen or a URL broken mid-way, which join directly; blank lines separate paragraphs,
unless the file is double-spaced like the seed (nearly every wrapped line followed by one
blank line), where one blank line is a wrap artifact and two or more are a paragraph break.
In both, ``- `` starts a list item and ``-----`` is a rule.  Inline HTML (``<i>``,
``<strong>``, ``<blockquote>``, entities; unclosed tags too) is rebuilt into the body subset
by a small structural builder; other formatting tags (``<code>``, ``<pre>``, ``<s>``,
``<img>``, ``<span>``...) go through ``digest.body.from_html``; all is sanitized by nh3.
The lines of a ``<pre>`` are kept as written, less the blank lines the layout adds.
Tags that are not formatting (``<script>``) stay visible as text.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from dataclasses import dataclass, field

from digest.body import clean, from_html, linkify, plain_text, plain_words
from digest.errors import SourceError
from digest.model import Reply, Thread
from digest.sources.common import AuthorNames, find_mentions, stable_id

DESCRIPTION = "plain-text export of a forum comment page ('Guest - NAME' headers)"

BULLET = r"[•◦·‣▪*-]"
HEADER_RE = re.compile(rf"^\s*(?P<nested>{BULLET}\s*)?Guest\s+[-–—]\s+(?P<name>\S.*?)\s*$")
# Near misses of HEADER_RE ("Guest - " without a name, "guest: Bob"): reported, never guessed.
HEADER_LIKE_RE = re.compile(rf"^\s*(?:{BULLET}\s*)?guest\s*[-–—:](?:\s|$)", re.IGNORECASE)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
BULLETED_RE = re.compile(rf"^\s*{BULLET}\s")
RELATIVE_TIME = (
    r"(?:(?:about |over |almost |less than )?(?:\d+|a|an|one) "
    r"(?:second|minute|hour|day|week|month|year)s? ago|yesterday|just now)"
)
RELATIVE_TIME_RE = re.compile(rf"^\s*{RELATIVE_TIME}\s*$", re.IGNORECASE)
TIME_AFTER_NAME_RE = re.compile(rf"^(?P<name>.*?\S)\s+(?P<time>{RELATIVE_TIME})$", re.IGNORECASE)
RULE_RE = re.compile(r"^-{3,}$")
LIST_ITEM_RE = re.compile(r"^[-*]\s+")
URL_START_RE = re.compile(r"https?://\S+")
# Where a file without trailing spaces still joins lines directly: "road-" / "maps", and a
# URL cut mid-way ("...?option=com_conte" / "nt&amp;view=...").
HYPHEN_BREAK_RE = re.compile(r"[^\W\d_]-$")
URL_AT_END_RE = re.compile(r"(?:https?://|www\.)\S*$", re.IGNORECASE)
URL_CONTINUES_AFTER = "/?&=%#_~-"
URL_CONTINUATION_MARKS = "/?&=%#"
SENTENCE_END = ".!?:;\"”’)]"
# Inline tags the builder rebuilds itself, and other formatting tags it passes on to
# digest.body.from_html.  Anything else that looks like a tag (<script>, <foo>) stays text.
BUILT_TAGS = ("i", "em", "b", "strong", "u", "blockquote", "br", "p", "a")
PASSED_TAGS = (
    "code", "pre", "tt", "kbd", "samp", "var", "cite", "dfn", "q", "s", "strike", "del", "ins", "sup", "sub",
    "small", "big", "mark", "abbr", "span", "font", "img", "hr", "ul", "ol", "li", "div", "center",
    "h1", "h2", "h3", "h4", "h5", "h6",
)
# Passed tags that cannot sit inside a paragraph: the paragraph closes before them.
BLOCK_PASSED_TAGS = {"pre", "ul", "ol", "div", "center", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
PRE_START_RE = re.compile(r"<pre\b[^>]*>", re.IGNORECASE)
PRE_END_RE = re.compile(r"</pre\s*>", re.IGNORECASE)
TAG_RE = re.compile(rf"<(/?)({'|'.join(BUILT_TAGS + PASSED_TAGS)})(\s+[^<>]*)?\s*/?>", re.IGNORECASE)
INLINE = {"i": "em", "em": "em", "u": "em", "b": "strong", "strong": "strong"}


def sniff(doc) -> bool:
    """Two reply headers, or one with text under it: a lone ``• Guest - Read-only access`` in
    a markdown list is not a forum export."""
    try:
        encoding = "utf-16" if doc.data.startswith(UTF16_BOMS) else "utf-8"  # read() then says it is UTF-16
        head = doc.data[:16384].decode(encoding, errors="replace")
    except Exception:  # noqa: BLE001 - sniffers never raise
        return False
    if head.lstrip().startswith(("{", "[", "<")):
        return False
    lines = head.splitlines()
    headers = [index for index, line in enumerate(lines) if _parse_header(line)]
    return len(headers) >= 2 or any(_text_follows(lines, index) for index in headers)


def _text_follows(lines: list[str], index: int) -> bool:
    following = next((line for line in lines[index + 1:] if line.strip()), None)
    return following is not None and not BULLETED_RE.match(following)


@dataclass
class _Block:
    """One logical unit after reflow: a paragraph, a list item or a rule."""

    kind: str  # "para", "item", "rule", "break", "pre" (its lines as written)
    text: str = ""


@dataclass(frozen=True)
class _Header:
    author: str
    nested: bool
    posted_at_text: str | None


@dataclass
class _RawReply:
    header: _Header
    line: int
    lines: list[str] = field(default_factory=list)

    @property
    def author(self) -> str:
        return self.header.author


@dataclass(frozen=True)
class _Layout:
    """How the file marks wraps and paragraphs (see the module docstring)."""

    trailing_spaces: bool = True
    double_spaced: bool = False


def read(request) -> Thread:
    doc = request.documents[0]
    text = _decode(doc)
    lines = text.splitlines()
    layout = _layout(lines)
    header_lines, raw_replies, notes = _split_replies(lines)
    if not raw_replies:
        raise SourceError(
            "no reply headers found (expected lines like 'Guest - NAME')",
            where=f"{doc.name}:1",
            fix="check that this is a forum text export, or pass --format for another format",
        )
    note, url = _header(header_lines, layout)
    replies: list[Reply] = []
    authors = AuthorNames({r.author for r in raw_replies})
    last_top_level: str | None = None
    seen_ids: set[str] = set()
    for raw in raw_replies:
        body_lines, posted_at_text = _split_time(raw.lines)
        notes.extend(_times_inside(raw, body_lines))
        posted_at_text = _posted_at_text(raw, posted_at_text, notes)
        body = build_body(_reflow(body_lines, layout))
        if not plain_words(body):
            notes.append(f"line {raw.line}: reply by {raw.author} has no text")
        reply_id = stable_id(author=raw.author, body=body)
        while reply_id in seen_ids:  # same author and opening twice: keep both, distinctly
            reply_id += "-" + hashlib.sha1(f"{raw.line}".encode()).hexdigest()[:4]
        seen_ids.add(reply_id)
        parent_id = None
        if raw.header.nested:
            if last_top_level is None:
                notes.append(f"line {raw.line}: nested reply by {raw.author} has no reply above it to nest under")
            parent_id = last_top_level
        else:
            last_top_level = reply_id
        replies.append(
            Reply(
                id=reply_id,
                author=raw.author,
                body=body,
                posted_at_text=posted_at_text,
                parent_id=parent_id,
                mentions=find_mentions(plain_text(body), authors),
            )
        )
    notes.sort(key=_line_of)
    referenced = [m.number for r in replies for m in r.mentions if m.number]
    partial = bool(referenced) and max(referenced) > len(replies)
    if partial:
        notes.append(
            f"replies refer to comment #{max(referenced)} but the export holds {len(replies)} replies: "
            "only part of the thread was exported"
        )
    return Thread(
        id="forum-" + hashlib.sha1((url or doc.name).encode()).hexdigest()[:12],
        title=None,
        url=url,
        replies=tuple(replies),
        source_format="forum-text",
        note=note,
        retrieved_at=request.retrieved_at,
        partial=partial,
        total_replies=None,
        import_notes=tuple(notes),
    )


def _split_replies(lines: list[str]) -> tuple[list[str], list[_RawReply], list[str]]:
    """The lines above the first header, the replies, and notes on lines that look like a
    header but are not one (kept as text where they stand)."""
    header_lines: list[str] = []
    raw_replies: list[_RawReply] = []
    notes: list[str] = []
    for number, line in enumerate(lines, start=1):
        header = _parse_header(line)
        if header:
            raw_replies.append(_RawReply(header, number))
            continue
        miss = _near_miss(line)
        if miss:
            notes.append(
                f"line {number}: {line.strip()!r} looks like a reply header but {miss}; "
                "it was kept as text, so a reply header may be missing"
            )
        (raw_replies[-1].lines if raw_replies else header_lines).append(line)
    return header_lines, raw_replies, notes


def _posted_at_text(raw: _RawReply, below: str | None, notes: list[str]) -> str | None:
    """The time on the header line wins over one below the reply; two different ones are noted."""
    on_header = raw.header.posted_at_text
    if on_header and below and below != on_header:
        notes.append(
            f"line {raw.line}: reply by {raw.author} gives two times, {on_header!r} on its header and "
            f"{below!r} below it; the header's is kept"
        )
    return on_header or below


def _line_of(note: str) -> int:
    """Notes in file order, whichever pass found them."""
    match = re.match(r"line (\d+):", note)
    return int(match.group(1)) if match else 0


def _parse_header(line: str) -> _Header | None:
    """``[• ]Guest - NAME[ about 3 years ago]``; None when it is not one (or names no one)."""
    match = HEADER_RE.match(line)
    if not match:
        return None
    name, posted_at_text = match.group("name"), None
    if RELATIVE_TIME_RE.match(name):
        return None
    timed = TIME_AFTER_NAME_RE.match(name)
    if timed:
        name, posted_at_text = timed.group("name"), timed.group("time")
    return _Header(name, bool(match.group("nested")), posted_at_text)


def _near_miss(line: str) -> str | None:
    """Why a line that looks like a reply header is not one; None when it does not look like one."""
    if not HEADER_LIKE_RE.match(line):
        return None
    rest = HEADER_LIKE_RE.sub("", line, count=1).strip()
    return "has no name" if not rest or RELATIVE_TIME_RE.match(rest) else "is not written 'Guest - NAME'"


def _decode(doc) -> str:
    if doc.data.startswith(UTF16_BOMS):
        raise SourceError(
            "UTF-16 text (it starts with a UTF-16 byte order mark); the export must be UTF-8",
            where=doc.name,
            fix="re-save the export as UTF-8 (e.g. iconv -f utf-16 -t utf-8)",
        )
    try:
        return doc.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = doc.data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"not UTF-8 text (byte offset {exc.start}, line {line})",
            where=doc.name,
            fix="re-save the export as UTF-8 (e.g. iconv -f windows-1252 -t utf-8)",
        ) from None


def _layout(lines: list[str]) -> _Layout:
    """Trailing spaces carry the seed's wrap rule; a file without any has lost it.  Double
    spacing: one blank line after most lines, which mostly end mid-sentence, and longer gaps
    somewhere (the paragraph breaks)."""
    if any(line.strip() and line[-1].isspace() for line in lines):
        return _Layout()
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
    double_spaced = gaps[2] > 0 and gaps[1] > 2 * (gaps[0] + gaps[2]) and mid_sentence * 2 > gaps[1]
    return _Layout(trailing_spaces=False, double_spaced=double_spaced)


def _header(lines: list[str], layout: _Layout) -> tuple[str | None, str | None]:
    """The editor's note above the first reply, and the source URL it gives."""
    text = " ".join(block.text for block in _reflow(lines, layout) if block.text)
    url_match = URL_START_RE.search(text)
    url = url_match.group(0).rstrip(".,;:)") if url_match else None
    note = text.replace(url_match.group(0), "").strip() if url_match else text.strip()
    return (" ".join(note.split()) or None), url


def _split_time(lines: list[str]) -> tuple[list[str], str | None]:
    """A trailing 'about 3 years ago' is when the reply was posted, not part of it."""
    for index in range(len(lines) - 1, -1, -1):
        if not lines[index].strip():
            continue
        if RELATIVE_TIME_RE.match(lines[index]):
            return lines[:index], lines[index].strip()
        break
    return lines, None


def _times_inside(raw: _RawReply, body_lines: list[str]) -> list[str]:
    """A posting time in the middle of a reply usually ends a reply whose header was lost."""
    return [
        f"line {raw.line + 1 + index}: {line.strip()!r} inside the reply by {raw.author} reads like a posting time; "
        "a reply header may be missing after it"
        for index, line in enumerate(body_lines)
        if RELATIVE_TIME_RE.match(line)
    ]


def _reflow(lines: list[str], layout: _Layout = _Layout()) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    previous = ""
    blanks: list[str] = []
    preformatted: list[str] | None = None  # the lines of an open <pre>, kept as written
    for line in lines:
        if preformatted is not None:
            preformatted.append(line)
            if PRE_END_RE.search(line):
                blocks.append(_Block("pre", "\n".join(_unspaced(preformatted, layout))))
                preformatted = None
            continue
        opening = PRE_START_RE.search(line)
        if opening and not PRE_END_RE.search(line, opening.end()):
            if current is not None:
                blocks.append(current)
                current = None
            blanks = []
            preformatted = [line]
            continue
        if not line.strip():
            blanks.append(line)
            continue
        ends = _paragraph_end(blanks, layout)
        blanks = []
        if ends and current is not None:
            blocks.append(current)
            current = None
        if ends == "break":
            blocks.append(_Block("break"))
        content = line.strip()
        if RULE_RE.match(content):
            if current is not None:
                blocks.append(current)
            blocks.append(_Block("rule"))
            current = None
        elif LIST_ITEM_RE.match(content):
            if current is not None:
                blocks.append(current)
            current = _Block("item", LIST_ITEM_RE.sub("", content, count=1))
        elif current is None:
            current = _Block("para", content)
        else:
            current.text += _joiner(previous, content, layout) + content
        previous = line
    if preformatted is not None:  # never closed: it ends with the reply
        blocks.append(_Block("pre", "\n".join(_unspaced(preformatted, layout))))
    ends = _paragraph_end(blanks, layout)
    if current is not None:
        blocks.append(current)
    if ends == "break":
        blocks.append(_Block("break"))
    return blocks


def _unspaced(lines: list[str], layout: _Layout) -> list[str]:
    """A ``<pre>``'s lines without the blank lines the export adds after every line: in the
    seed's layout a blank line of the code is the line of spaces, in a double-spaced one it
    shows as three empty lines."""
    if layout.trailing_spaces:
        return [line.rstrip() for line in lines if line != ""]
    if not layout.double_spaced:
        return [line.rstrip() for line in lines]
    out: list[str] = []
    empty = 0
    for line in lines:
        if not line.strip():
            empty += 1
            continue
        out.extend([""] * ((empty - 1) // 2 if out else 0))
        out.append(line.rstrip())
        empty = 0
    return out


def _paragraph_end(blanks: list[str], layout: _Layout) -> str | None:
    """What the blank lines between two lines mean: "break" (a paragraph break that also ends
    a list, as the seed's space-only line), "para" (the paragraph ends) or None (a wrap)."""
    if any(blank != "" for blank in blanks):
        return "break"  # a line of spaces: the seed's paragraph break
    if layout.trailing_spaces or not blanks:
        return None
    if layout.double_spaced:
        return "break" if len(blanks) >= 2 else None
    return "para"


def _joiner(previous: str, content: str, layout: _Layout) -> str:
    if layout.trailing_spaces:
        return " " if previous[-1].isspace() else ""
    previous = previous.rstrip()
    if HYPHEN_BREAK_RE.search(previous) and content[:1].isalpha():
        return ""
    if URL_AT_END_RE.search(previous) and (
        previous[-1] in URL_CONTINUES_AFTER or any(mark in content.split()[0] for mark in URL_CONTINUATION_MARKS)
    ):
        return ""
    return " "


def build_body(blocks: list[_Block]) -> str:
    builder = _BodyBuilder()
    built = builder.build(blocks)
    return from_html(built) if builder.passed_tags else clean(built)


class _BodyBuilder:
    """Rebuilds well-nested subset HTML from reflowed blocks carrying loose inline tags.
    Other formatting tags are copied as written, for ``from_html`` to map and nest.

    Unclosed inline tags close at the end of their paragraph (so one stray ``<i>`` cannot
    italicise the rest of a reply); a blockquote may span paragraphs and closes at the end
    of the reply at the latest; stray closing tags are dropped.
    """

    def __init__(self):
        self.out: list[str] = []
        self.quotes = 0
        self.inline: list[str] = []
        self.in_para = False
        self.in_list = False
        self.in_item = False
        self.passed_tags = False  # tags left for digest.body.from_html to map
        self.raw_block: str | None = None  # an open passed block tag (<pre>) standing in for <p>

    def build(self, blocks: list[_Block]) -> str:
        for block in blocks:
            if block.kind == "break":
                self._close_para()
                self._close_list()
            elif block.kind == "rule":
                self._close_para()
                self._close_list()
                self.out.append("<hr>")
            elif block.kind == "item":
                self._close_para()
                if not self.in_list:
                    self.out.append("<ul>")
                    self.in_list = True
                self.out.append("<li>")
                self.in_item = True
                self._inline_text(block.text)
                self._close_para()
            else:
                self._close_para()
                self._close_list()
                self._inline_text(block.text)
                self._close_para()
        self._close_para()
        self._close_list()
        self.out.append("</blockquote>" * self.quotes)
        return "".join(self.out)

    def _inline_text(self, text: str) -> None:
        position = 0
        for match in TAG_RE.finditer(text):
            self._text(text[position: match.start()])
            self._tag(match.group(2).lower(), bool(match.group(1)), match.group(3) or "", match.group(0))
            position = match.end()
        self._text(text[position:])

    def _text(self, raw: str) -> None:
        if not raw.strip() and not self.in_para:
            return
        if not self.in_para:
            raw = raw.lstrip()
            self._open_para()
        self.out.append(linkify(html.escape(html.unescape(raw), quote=False)))

    def _tag(self, name: str, closing: bool, attrs: str, markup: str) -> None:
        if name in PASSED_TAGS:
            self._passed_tag(name, closing, markup)
        elif name in INLINE:
            tag = INLINE[name]
            if not closing:
                if not self.in_para:
                    self._open_para()
                self.inline.append(tag)
                self.out.append(f"<{tag}>")
            elif tag in self.inline:
                while self.inline:
                    top = self.inline.pop()
                    self.out.append(f"</{top}>")
                    if top == tag:
                        break
        elif name == "blockquote":
            self._close_para()
            self._close_list()
            if not closing:
                self.out.append("<blockquote>")
                self.quotes += 1
            elif self.quotes:
                self.out.append("</blockquote>")
                self.quotes -= 1
        elif name == "br" and self.in_para:
            self.out.append("<br>")
        elif name == "p":
            self._close_para()
        elif name == "a":
            href = re.search(r"""href\s*=\s*["']?([^"'\s>]+)""", attrs)
            if closing and "a" in self.inline:
                self._tag_close_to("a")
            elif not closing and href:
                if not self.in_para:
                    self._open_para()
                self.inline.append("a")
                self.out.append(f'<a href="{html.escape(html.unescape(href.group(1)), quote=True)}">')

    def _passed_tag(self, name: str, closing: bool, markup: str) -> None:
        """Copied as written; a block tag replaces the paragraph, and closes with it at the latest."""
        self.passed_tags = True
        if closing and name == self.raw_block:
            self._close_para()
        elif name in BLOCK_PASSED_TAGS and not closing and not self.raw_block:
            self._close_para()
            self.out.append(markup)
            if name != "hr":
                self.raw_block = name
                self.in_para = True
        else:
            if not closing and not self.in_para:
                self._open_para()
            self.out.append(markup)

    def _tag_close_to(self, tag: str) -> None:
        while self.inline:
            top = self.inline.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def _open_para(self) -> None:
        if not self.in_item:
            self.out.append("<p>")
        self.in_para = True

    def _close_para(self) -> None:
        if self.out and self.in_para:
            self.out[-1] = self.out[-1].rstrip()
        while self.inline:
            self.out.append(f"</{self.inline.pop()}>")
        if self.raw_block:
            self.out.append(f"</{self.raw_block}>")
            self.raw_block = None
        elif self.in_para and not self.in_item:
            self.out.append("</p>")
        if self.in_item:
            self.out.append("</li>")
            self.in_item = False
        self.in_para = False

    def _close_list(self) -> None:
        if self.in_list:
            self.out.append("</ul>")
            self.in_list = False
