"""Reply bodies of the plain-text forum export, rebuilt as body-subset HTML from reflowed
blocks: the export keeps the forum's inline HTML (``<i>``, ``<a href>``, a ``<blockquote>``
over several paragraphs) in its text, often unclosed or badly nested.  Pure."""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass

from digest.body import clean, from_html, linkify

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
    they sit under, read as Markdown (quotes, emphasis, links, code), then sanitized."""
    import markdown

    text = textwrap.dedent("\n".join(line.rstrip() for line in lines)).strip("\n")
    built = markdown.markdown(text, extensions=["fenced_code"])
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
