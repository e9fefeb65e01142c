"""Reply bodies of the plain-text forum export, reflowed into blocks as the file's layout says
(``reflow``) and rebuilt as body-subset HTML: the export keeps the forum's inline HTML
(``<i>``, ``<a href>``, a ``<blockquote>`` over several paragraphs) in its text, often
unclosed or badly nested.  Pure."""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass

from digest.body import DEEPEST_QUOTE, clean, from_html, linkify
from digest.sources.common import lists_nested_by_content, markdown_blocks_apart

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
TAG_RE = re.compile(rf"<(/?)({'|'.join(BUILT_TAGS + PASSED_TAGS)})(\s+[^<>]*)?\s*/?>", re.IGNORECASE)
INLINE = {"i": "em", "em": "em", "u": "em", "b": "strong", "strong": "strong"}


@dataclass
class Block:
    """One logical unit after reflow: a paragraph, a list item or a rule."""

    kind: str  # "para", "item", "rule", "break", "pre" (its lines as written)
    text: str = ""


def markdown_body(lines: list[str]) -> str:
    """A comment of a page saved as Markdown: the lines without the list item's indentation
    they sit under, read as Markdown (quotes, emphasis, links, code, tables, lists), then sanitized."""
    import markdown

    text = markdown_blocks_apart(lists_nested_by_content(textwrap.dedent("\n".join(line.rstrip() for line in lines)).strip("\n")))
    built = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"])  # as GitHub and forums read it
    # the line ends Markdown leaves in the HTML: none between tags, a space inside a paragraph; a <pre> keeps its own
    parts = re.split(r"(<pre\b.*?</pre>)", built, flags=re.S)
    return from_html("".join(part if part.startswith("<pre") else re.sub(r">\n+<", "><", part).replace("\n", " ")
                             for part in parts))


def build_body(blocks: list[Block]) -> str:
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

    def build(self, blocks: list[Block]) -> str:
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
        self.out.append("</blockquote>" * min(self.quotes, DEEPEST_QUOTE))
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
                self.quotes += 1
                if self.quotes <= DEEPEST_QUOTE:  # deeper ones are read at the deepest
                    self.out.append("<blockquote>")
            elif self.quotes:
                if self.quotes <= DEEPEST_QUOTE:
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


# ---------------------------------------------------------------------------- layout and reflow

RULE_RE = re.compile(r"^-{3,}$")
LIST_ITEM_RE = re.compile(r"^[-*]\s+")
# Where a file without trailing spaces still joins lines directly: "road-" / "maps", and a
# URL cut mid-way ("...?option=com_conte" / "nt&amp;view=...", "...road-maps-buil" /
# "ding-a-new-movement" on a line as long as the file's longest).
HYPHEN_BREAK_RE = re.compile(r"[^\W\d_]-$")
URL_OPENING_RE = re.compile(r"https?://|www\.", re.IGNORECASE)  # looked for in a line's last word: the line ends in a URL
URL_CONTINUES_AFTER = "/?&=%#_~-"
URL_CONTINUATION_MARKS = "/?&=%#"
URL_PATH_PIECE_RE = re.compile(r"^[\w.~%-]*\w[-_]\w[\w.~%-]*$")
PRE_START_RE = re.compile(r"<pre\b[^>]*>", re.IGNORECASE)
PRE_END_RE = re.compile(r"</pre\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Layout:
    """How the file marks wraps and paragraphs (``forum_text``'s docstring tells the rules)."""

    trailing_spaces: bool = True
    double_spaced: bool = False
    width: int = 0  # the longest line: a URL cut at the wrap fills its line
    keep_breaks: bool = False  # a browser's copy: every line break is one in the comment


def reflow(lines: list[str], layout: Layout | None = None) -> list[Block]:
    """The reply's lines as blocks: paragraphs, list items, rules, breaks and ``<pre>`` lines, joined as ``layout`` says."""
    layout = layout or Layout()
    blocks: list[Block] = []
    current: Block | None = None
    more: list[str] = []  # the rest of its text, joined once: added line by line, a long paragraph took the square of its length
    previous = ""
    blanks: list[str] = []
    preformatted: list[str] | None = None  # the lines of an open <pre>, kept as written
    for line in lines:
        if preformatted is not None:
            preformatted.append(line)
            if PRE_END_RE.search(line):
                blocks.append(Block("pre", "\n".join(_unspaced(preformatted, layout))))
                preformatted = None
            continue
        opening = PRE_START_RE.search(line)
        if opening and not PRE_END_RE.search(line, opening.end()):
            if current is not None:
                blocks.append(_with_more(current, more))
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
            blocks.append(_with_more(current, more))
            current = None
        if ends == "break":
            blocks.append(Block("break"))
        content = line.strip()
        if RULE_RE.match(content):
            if current is not None:
                blocks.append(_with_more(current, more))
            blocks.append(Block("rule"))
            current = None
        elif LIST_ITEM_RE.match(content):
            if current is not None:
                blocks.append(_with_more(current, more))
            current, more = Block("item", LIST_ITEM_RE.sub("", content, count=1)), []
        elif current is None:
            current, more = Block("para", content), []
        else:
            more += (_joiner(previous, content, layout), content)
        previous = line
    if preformatted is not None:  # never closed: it ends with the reply
        blocks.append(Block("pre", "\n".join(_unspaced(preformatted, layout))))
    ends = _paragraph_end(blanks, layout)
    if current is not None:
        blocks.append(_with_more(current, more))
    if ends == "break":
        blocks.append(Block("break"))
    return blocks


def _with_more(block: Block, more: list[str]) -> Block:
    """The block with the rest of its text added."""
    block.text += "".join(more)
    return block


def _unspaced(lines: list[str], layout: Layout) -> list[str]:
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


def _paragraph_end(blanks: list[str], layout: Layout) -> str | None:
    """What the blank lines between two lines mean: "break" (a paragraph break that also ends
    a list, as the seed's space-only line), "para" (the paragraph ends) or None (a wrap)."""
    if any(blank != "" for blank in blanks):
        return "break"  # a line of spaces: the seed's paragraph break
    if layout.trailing_spaces or not blanks:
        return None
    if layout.double_spaced:
        return "break" if len(blanks) >= 2 else None
    return "para"


def _joiner(previous: str, content: str, layout: Layout) -> str:
    if layout.trailing_spaces:
        return " " if previous[-1].isspace() else ""
    if layout.keep_breaks:
        return "<br>"
    previous = previous.rstrip()
    if HYPHEN_BREAK_RE.search(previous) and content[:1].isalpha():
        return ""
    if URL_OPENING_RE.search(previous.rsplit(None, 1)[-1]) and (
        previous[-1] in URL_CONTINUES_AFTER
        or any(mark in content.split()[0] for mark in URL_CONTINUATION_MARKS)
        or _url_cut_at_wrap(previous, content, layout)
    ):
        return ""
    return " "


def _url_cut_at_wrap(previous: str, content: str, layout: Layout) -> bool:
    """A URL too long for its line is cut where the line is full ("...road-maps-buil" /
    "ding-a-new-movement"); a short line ending in a URL is followed by a word, not by the rest."""
    return len(previous) * 4 >= layout.width * 3 and bool(URL_PATH_PIECE_RE.match(content.split()[0]))
