"""Plain-text forum export: a comment page copied out as text, like the project's seed.

Shape (see ``../shared/seeds/kasama-thread.txt``)::

     Note by Ben: ... For more, go to URL:          <- optional editor's note with the source URL
    http://example.org/long-article-road-           <- a URL may be broken across lines
    maps-and-more
    Guest - red                                     <- one reply per "[• ]Guest - NAME" header
    text hard-wrapped, often with an empty line after every line
    • Guest - Liam Wright                           <- "•": nested under the previous top-level reply
    ...
    about 3 years ago                               <- the time as written, not body

Reflow rules: empty lines are wrap artifacts and are dropped; a line holding only spaces is
a real paragraph break; a line ending in a space joins the next with a space, a line ending
without one joins it directly (``road-``/``maps``); ``- `` starts a list item and ``-----`` is a
rule.  Inline HTML (``<i>``, ``<strong>``, ``<blockquote>``, entities; unclosed tags too) is
rebuilt into the body subset by a small structural builder, then sanitized by nh3.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field

from digest.body import clean, linkify, plain_text, plain_words
from digest.errors import SourceError
from digest.model import Reply, Thread
from digest.sources.common import find_mentions, stable_id

DESCRIPTION = "plain-text export of a forum comment page ('Guest - NAME' headers)"

HEADER_RE = re.compile(r"^\s*(?P<nested>•\s*)?Guest\s+-\s+(?P<name>\S.*?)\s*$")
RELATIVE_TIME_RE = re.compile(
    r"^\s*(?:about |over |almost |less than )?(?:\d+|a|an|one) "
    r"(?:second|minute|hour|day|week|month|year)s? ago\s*$",
    re.IGNORECASE,
)
RULE_RE = re.compile(r"^-{3,}$")
LIST_ITEM_RE = re.compile(r"^[-*]\s+")
URL_START_RE = re.compile(r"https?://\S+")
# Inline tags the exports carry; anything else that looks like a tag stays literal text.
TAG_RE = re.compile(r"<(/?)(i|em|b|strong|u|blockquote|br|p|a)(\s+[^<>]*)?\s*/?>", re.IGNORECASE)
INLINE = {"i": "em", "em": "em", "u": "em", "b": "strong", "strong": "strong"}


def sniff(doc) -> bool:
    try:
        head = doc.data[:16384].decode("utf-8", errors="replace")
    except Exception:  # noqa: BLE001 - sniffers never raise
        return False
    if head.lstrip().startswith(("{", "[", "<")):
        return False
    return any(HEADER_RE.match(line) for line in head.splitlines())


@dataclass
class _Block:
    """One logical unit after reflow: a paragraph, a list item or a rule."""

    kind: str  # "para", "item", "rule", "break"
    text: str = ""


@dataclass
class _RawReply:
    author: str
    nested: bool
    line: int
    lines: list[str] = field(default_factory=list)


def read(request) -> Thread:
    doc = request.documents[0]
    text = _decode(doc)
    lines = text.splitlines()
    header_lines: list[str] = []
    raw_replies: list[_RawReply] = []
    for number, line in enumerate(lines, start=1):
        match = HEADER_RE.match(line)
        if match:
            raw_replies.append(_RawReply(match.group("name"), bool(match.group("nested")), number))
        elif raw_replies:
            raw_replies[-1].lines.append(line)
        else:
            header_lines.append(line)
    if not raw_replies:
        raise SourceError(
            "no reply headers found (expected lines like 'Guest - NAME')",
            where=f"{doc.name}:1",
            fix="check that this is a forum text export, or pass --format for another format",
        )
    note, url = _header(header_lines)
    notes: list[str] = []
    replies: list[Reply] = []
    authors = {r.author for r in raw_replies}
    last_top_level: str | None = None
    seen_ids: set[str] = set()
    for raw in raw_replies:
        body_lines, posted_at_text = _split_time(raw.lines)
        body = build_body(_reflow(body_lines))
        if not plain_words(body):
            notes.append(f"line {raw.line}: reply by {raw.author} has no text")
        reply_id = stable_id(author=raw.author, body=body)
        while reply_id in seen_ids:  # same author and opening twice: keep both, distinctly
            reply_id += "-" + hashlib.sha1(f"{raw.line}".encode()).hexdigest()[:4]
        seen_ids.add(reply_id)
        parent_id = None
        if raw.nested:
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


def _decode(doc) -> str:
    try:
        return doc.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = doc.data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"not UTF-8 text (byte offset {exc.start}, line {line})",
            where=doc.name,
            fix="re-save the export as UTF-8 (e.g. iconv -f windows-1252 -t utf-8)",
        ) from None


def _header(lines: list[str]) -> tuple[str | None, str | None]:
    """The editor's note above the first reply, and the source URL it gives."""
    text = " ".join(block.text for block in _reflow(lines) if block.text)
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


def _reflow(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    joiner = " "
    for line in lines:
        if line == "":
            continue  # wrap artifact
        if not line.strip():
            if current is not None:
                blocks.append(current)
                current = None
            blocks.append(_Block("break"))
            continue
        content = line.strip()
        if RULE_RE.match(content):
            if current is not None:
                blocks.append(current)
            blocks.append(_Block("rule"))
            current = None
            continue
        if LIST_ITEM_RE.match(content):
            if current is not None:
                blocks.append(current)
            current = _Block("item", LIST_ITEM_RE.sub("", content, count=1))
        elif current is None:
            current = _Block("para", content)
        else:
            current.text += joiner + content
        joiner = " " if line[-1].isspace() else ""
    if current is not None:
        blocks.append(current)
    return blocks


def build_body(blocks: list[_Block]) -> str:
    return clean(_BodyBuilder().build(blocks))


class _BodyBuilder:
    """Rebuilds well-nested subset HTML from reflowed blocks carrying loose inline tags.

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
            self._tag(match.group(2).lower(), bool(match.group(1)), match.group(3) or "")
            position = match.end()
        self._text(text[position:])

    def _text(self, raw: str) -> None:
        if not raw.strip() and not self.in_para:
            return
        if not self.in_para:
            raw = raw.lstrip()
            self._open_para()
        self.out.append(linkify(html.escape(html.unescape(raw), quote=False)))

    def _tag(self, name: str, closing: bool, attrs: str) -> None:
        if name in INLINE:
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
        if self.in_para and not self.in_item:
            self.out.append("</p>")
        if self.in_item:
            self.out.append("</li>")
            self.in_item = False
        self.in_para = False

    def _close_list(self) -> None:
        if self.in_list:
            self.out.append("</ul>")
            self.in_list = False
