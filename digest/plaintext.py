"""Body subset HTML -> plaintext that reads well in mutt: wrapped at 72 columns, quotes
marked with ``>``, links as numbered references, URLs never broken across lines."""

from __future__ import annotations

import textwrap
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


def wrap(text: str, width: int = WIDTH, indent: str = "", subsequent: str | None = None) -> str:
    """Word-wrap without ever splitting a word: a URL longer than the line stays whole."""
    return textwrap.fill(
        " ".join(text.split()),
        width=max(width, 20),
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def body_to_text(body: str, refs: LinkRefs, width: int = WIDTH) -> str:
    """Render a body; links become ``label [n]`` with their URLs collected in ``refs``."""
    if not body.strip():
        return ""
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    return "\n\n".join(b for b in _blocks(root, refs, width) if b.strip())


def _inline(element, refs: LinkRefs) -> str:
    """Inline content as one logical line (wrapping happens per block)."""
    parts = [element.text or ""]
    for child in element:
        parts.append(_inline_element(child, refs))
        parts.append(child.tail or "")
    return "".join(parts)


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


def _blocks(container, refs: LinkRefs, width: int) -> list[str]:
    out: list[str] = []
    loose = (container.text or "").strip()
    if loose:
        out.append(_wrap_lines(loose, width))
    for element in container:
        tag = element.tag
        if tag == "p":
            out.append(_wrap_lines(_inline(element, refs), width))
        elif tag == "blockquote":
            inner = "\n\n".join(_blocks(element, refs, width - 2))
            out.append("\n".join(("> " + line) if line else ">" for line in inner.split("\n")))
        elif tag in ("ul", "ol"):
            items = []
            start = element.get("start", "")
            for index, item in enumerate(element.findall("li"), start=int(start) if start.isdigit() else 1):
                bullet = f"{index}. " if tag == "ol" else "- "
                items.append(_wrap_lines(_inline(item, refs), width, bullet, " " * len(bullet)))
            out.append("\n".join(items))
        elif tag == "pre":
            out.append(element.text_content().rstrip("\n"))
        elif tag == "hr":
            out.append("-" * 20)
        else:
            text = _inline_element(element, refs)
            if text.strip():
                out.append(_wrap_lines(text, width))
        tail = (element.tail or "").strip()
        if tail:
            out.append(_wrap_lines(tail, width))
    return out


def indent_block(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.split("\n"))
