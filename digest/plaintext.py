"""Body subset HTML -> plaintext that reads well in mutt: wrapped at 72 columns, quotes
marked with ``>``, links as numbered references, URLs never broken across lines.

Columns are display columns: a terminal shows an East Asian wide character (CJK ideographs,
kana, Hangul, full-width forms) two columns wide, and CJK text has no spaces to break at, so
a line may break between two such characters."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import lxml.html

WIDTH = 72


@dataclass
class LinkRefs:
    """Numbered link references, shared across a whole digest: one URL keeps one number.
    ``used`` collects what the current item refers to, for the list printed under it."""

    urls: list[str] = field(default_factory=list)
    used: list[int] = field(default_factory=list)

    def number(self, url: str) -> int:
        if url not in self.urls:
            self.urls.append(url)
        number = self.urls.index(url) + 1
        if number not in self.used:
            self.used.append(number)
        return number

    def take_used(self) -> list[tuple[int, str]]:
        """The references used since the last call, in order of first use."""
        used, self.used = self.used, []
        return [(n, self.urls[n - 1]) for n in used]

    def take_listing(self) -> list[str]:
        """The ``[n] URL`` lines printed under the text that used them since the last call."""
        return [f"[{n}] {url}" for n, url in self.take_used()]


_ZERO_WIDTH = {"Mn", "Me", "Cf"}


def char_width(char: str) -> int:
    """Columns a terminal gives one character: 2 for East Asian wide, 0 for combining marks."""
    if unicodedata.category(char) in _ZERO_WIDTH:
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal (``len`` undercounts CJK text by half)."""
    return len(text) if text.isascii() else sum(char_width(char) for char in text)


#: No line starts with closing punctuation ("，", "。", "」") or a mark that belongs to the
#: character before it, and none ends with opening punctuation ("「", "（").
_NO_LINE_START = {"Pe", "Pf", "Po", "Lm", "Mn", "Me", "Cf"}
_NO_LINE_END = {"Ps", "Pi"}


def _ideograph(char: str) -> bool:
    """A wide letter of a script written without spaces (Han, kana, Hangul)."""
    return unicodedata.category(char) == "Lo" and unicodedata.east_asian_width(char) in ("W", "F")


def _breakable(before: str, after: str) -> bool:
    if not (_ideograph(before) or _ideograph(after)) or before.isdigit() or after.isdigit():
        return False  # a number stays with its counter: "3日", "12月"
    return unicodedata.category(after) not in _NO_LINE_START and unicodedata.category(before) not in _NO_LINE_END


def _pieces(word: str) -> list[str]:
    """A space-free word split where CJK text may break: "node间是" -> "node", "间", "是"."""
    if word.isascii():
        return [word]
    pieces, start = [], 0
    for index in range(1, len(word)):
        if _breakable(word[index - 1], word[index]):
            pieces.append(word[start:index])
            start = index
    pieces.append(word[start:])
    return pieces


def wrap(text: str, width: int = WIDTH, indent: str = "", subsequent: str | None = None) -> str:
    """Word-wrap by display width without ever splitting a word: a URL longer than the line
    stays whole; CJK text breaks between characters."""
    words = text.split()
    if not words:
        return ""
    width = max(width, 20)
    subsequent = indent if subsequent is None else subsequent
    lines: list[str] = []
    line, used, empty = indent, display_width(indent), True
    for word in words:
        for index, piece in enumerate(_pieces(word)):
            gap = 0 if empty or index else 1
            size = display_width(piece)
            if not empty and used + gap + size > width:
                lines.append(line)
                line, used, gap = subsequent, display_width(subsequent), 0
            line += " " * gap + piece
            used += gap + size
            empty = False
    lines.append(line)
    return "\n".join(lines)


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns with "…", at a break when one leaves some text,
    else mid-word: a one-line summary never ends up empty."""
    text = " ".join(text.split())
    if display_width(text) <= width:
        return text
    room = width - 1
    first_line = wrap(text, room).split("\n", 1)[0]
    if display_width(first_line) > room:
        first_line = _columns(first_line, room)
    return first_line.rstrip() + "…"


def _columns(text: str, width: int) -> str:
    """The longest start of ``text`` that fits in ``width`` columns."""
    used = 0
    for index, char in enumerate(text):
        used += char_width(char)
        if used > width:
            return text[:index]
    return text


def body_to_text(body: str, refs: LinkRefs, width: int = WIDTH) -> str:
    """Render a body; links become ``label [n]`` with their URLs collected in ``refs``."""
    if not body.strip():
        return ""
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    return _joined(_blocks(root, refs, width))


def _inline(element, refs: LinkRefs) -> str:
    """Inline content as one logical line (wrapping happens per block); only ``<br>`` breaks it."""
    parts = [_spaced(element.text)]
    for child in element:
        parts.append(_inline_element(child, refs))
        parts.append(_spaced(child.tail))
    return "".join(parts)


def _spaced(text: str | None) -> str:
    """Source newlines are only spaces in HTML (Markdown keeps a paragraph's line breaks)."""
    return (text or "").replace("\n", " ")


def _inline_element(element, refs: LinkRefs) -> str:
    tag = element.tag
    if tag == "br":
        return "\n"
    inner = _inline(element, refs)
    if tag == "a":
        href = element.get("href")
        label = " ".join(inner.split())
        if not href:
            return inner
        if label.rstrip("/") == href.rstrip("/") or label in ("", href.split("//", 1)[-1]):
            return f" {href} "
        return f"{inner} [{refs.number(href)}]"
    if tag == "em" and inner.strip():
        return f"_{inner}_"
    if tag == "strong" and inner.strip():
        return f"*{inner}*"
    if tag in ("ul", "ol", "p", "blockquote", "pre", "hr"):  # misplaced block inside inline
        return " " + inner + " "
    return inner


def _wrap_lines(text: str, width: int, first: str = "", rest: str = "") -> str:
    lines = []
    for number, line in enumerate(text.split("\n")):
        if line.strip():
            lines.append(wrap(line, width, first if number == 0 else rest, rest))
    return "\n".join(lines)


_LISTS = ("ul", "ol")
#: Code is set off by this indent instead of being wrapped.
PRE_INDENT = "    "


def _blocks(container, refs: LinkRefs, width: int) -> list[tuple[str, str]]:
    """The container's blocks as (tag, text); inline content between two blocks (as in a list
    item: "Steps:<ul>...</ul>") is one paragraph."""
    out: list[tuple[str, str]] = []
    run = [_spaced(container.text)]

    def flush() -> None:
        text = _wrap_lines("".join(run), width)
        run.clear()
        if text.strip():
            out.append(("p", text))

    for element in container:
        render_block = _BLOCK_RENDERERS.get(element.tag)
        if render_block:
            flush()
            text = render_block(element, refs, width)
            if text.strip():
                out.append((element.tag, text))
        else:
            run.append(_inline_element(element, refs))
        run.append(_spaced(element.tail))
    flush()
    return out


def _joined(blocks: list[tuple[str, str]], lists_close: bool = False) -> str:
    """Blocks with a blank line between them; with ``lists_close`` (inside a list item) a
    nested list sits right under the line that introduces it."""
    text = ""
    for tag, block in blocks:
        if text:
            text += "\n" if lists_close and tag in _LISTS else "\n\n"
        text += block
    return text


def _paragraph(element, refs: LinkRefs, width: int) -> str:
    return _wrap_lines(_inline(element, refs), width)


def _quote(element, refs: LinkRefs, width: int) -> str:
    inner = _joined(_blocks(element, refs, width - 2))
    return "\n".join(("> " + line) if line else ">" for line in inner.split("\n"))


def _list(element, refs: LinkRefs, width: int) -> str:
    """Items under their bullet or number (``<ol start>`` kept); an item's paragraphs, nested
    lists and code are indented to its text, so nesting still shows without HTML."""
    start = element.get("start", "")
    items = []
    for number, item in enumerate(element.findall("li"), start=int(start) if start.isdigit() else 1):
        bullet = f"{number}. " if element.tag == "ol" else "- "
        hang = " " * len(bullet)
        inner = _joined(_blocks(item, refs, width - len(bullet)), lists_close=True)
        items.append(bullet + indent_block(inner, hang)[len(hang):] if inner else bullet.rstrip())
    loose = any("\n\n" in item for item in items)  # items of several paragraphs: space them too
    return ("\n\n" if loose else "\n").join(items)


def _preformatted(element, refs: LinkRefs, width: int) -> str:
    """Code keeps its lines and spacing: indented, never wrapped (tabs expanded so the
    indent cannot shift their stops)."""
    return indent_block(_code_text(element).expandtabs().strip("\n"), PRE_INDENT)


def _code_text(element) -> str:
    """A code block's text, where a ``<br>`` is a line break as a browser shows it (blogs
    and feeds write a table of timings as ``<pre>a<br>b</pre>``)."""
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "br" else _code_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _rule(element, refs: LinkRefs, width: int) -> str:
    return "-" * 20


_BLOCK_RENDERERS = {
    "p": _paragraph,
    "blockquote": _quote,
    "ul": _list,
    "ol": _list,
    "pre": _preformatted,
    "hr": _rule,
}


def indent_block(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.split("\n"))
