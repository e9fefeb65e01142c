"""WordPress's own text formatting (wpautop), for the text WordPress exports raw.

WordPress stores classic posts and every comment with bare newlines and adds the HTML only
when it shows them: blank lines separate paragraphs, other newlines are line breaks, except
next to block tags.  ``autop`` follows wp-includes/formatting.php's wpautop step by step;
``code_as_text`` first escapes the code that syntax-highlighter plugins keep unescaped.
"""

from __future__ import annotations

import html
import re

# The block-level tags wpautop knows (wp-includes/formatting.php): line breaks next to them are
# layout, not <br>, and they are never wrapped in <p>.
_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area"
    r"|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header"
    r"|footer|nav|figure|figcaption|details|menu|summary)"
)
# Patterns stay linear on hostile text: a tag ends at the next "<" or ">", and whitespace runs
# are matched only from their start ((?<!\s)).
_BLOCK_TAG = rf"</?{_BLOCKS}[^<>]*>"
_PRE_END = re.compile(r"(</pre\s*>)", re.I)
_PRE_START = re.compile(r"<pre\b", re.I)
_CAPTION = re.compile(r"\[/?caption[^\]]*\]", re.I)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_TAG = re.compile(r"<[A-Za-z/][^<>]*>")
_HAS_BLOCKS = "<!-- wp:"


def autop(text: str) -> str:
    """WordPress stores classic posts and all comments with bare newlines and adds the HTML
    when it shows them (wpautop): blank lines separate paragraphs, other newlines are line
    breaks, except next to block tags (<blockquote>, <ul>, <li>, <p> ...), where they are
    layout.  Posts written in the block editor (WordPress 5.0+, marked by ``<!-- wp:``
    comments) already are HTML and WordPress shows them without wpautop.  The steps follow
    wpautop's; <pre> sections are kept as they are, [caption] shortcodes are dropped, and code
    stored raw for a highlighter plugin is escaped first (``code_as_text``)."""
    text = code_as_text(_CAPTION.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    if _HAS_BLOCKS in text:
        return _HTML_COMMENT.sub("", text)
    text = _HTML_COMMENT.sub("", text)  # <!--more--> and other invisible notes
    if not text.strip():
        return ""
    text, pre_blocks = _hide_pre(text + "\n")
    text = _line_breaks(_paragraphs(_space_blocks(text)))
    for index, block in enumerate(pre_blocks):
        text = text.replace(f"<pre wp-pre-tag-{index}></pre>", block, 1)
    return text


# Highlighter plugins (WP-Syntax, SyntaxHighlighter, CodeColorer ...) let authors paste code
# unescaped into <pre lang="java">, <pre class="brush: java">, [code] or [sourcecode lang=".."],
# and escape it themselves when the post is shown; read as HTML, "List<String>" loses "<String>".
_PRE_OPEN = re.compile(r"<pre\b(?P<attrs>[^<>]*)>", re.I)
_HIGHLIGHTER_ATTR = re.compile(r"""(?:^|\s)(?:lang|language|line)\s*=|\bclass\s*=\s*["']?[^"'<>]*\bbrush\s*:""", re.I)
_CODE_OPEN = re.compile(r"\[(?P<tag>code|sourcecode)\b(?P<attrs>[^\[\]]*)\]", re.I)
_ESCAPED_FLAG = re.compile(r"""\bescaped\s*=\s*["']?true""", re.I)


def code_as_text(text: str) -> str:
    """Code kept raw for a highlighter becomes escaped text inside a plain <pre>, so tags,
    generics and line breaks survive.  Code written escaped already (no raw "<" or ">", or
    WP-Syntax's escaped="true") is left as it is, as the plugins themselves do."""
    text = _raw_code_blocks(text, _CODE_OPEN, lambda m: re.compile(rf"\[/{m.group('tag')}\]", re.I))
    return _raw_code_blocks(text, _PRE_OPEN, lambda m: _PRE_END if _HIGHLIGHTER_ATTR.search(m.group("attrs")) else None)


def _raw_code_blocks(text: str, opening, closing) -> str:
    """Each block from an opening match to its closing pattern, as an escaped <pre>; one scan,
    so a file of unclosed blocks stays linear."""
    out, position, search_from = [], 0, 0
    while (start := opening.search(text, search_from)) is not None:
        end_pattern = closing(start)
        if end_pattern is None:  # a plain <pre>: HTML, shown as written
            search_from = start.end()
            continue
        end = end_pattern.search(text, start.end())
        if end is None:  # never closed: no later block can be either
            break
        code = text[start.end():end.start()].strip("\n")
        if not _ESCAPED_FLAG.search(start.group("attrs")) and ("<" in code or ">" in code):
            code = html.escape(code, quote=False)
        out += [text[position:start.start()], f"<pre>{code}</pre>"]
        position = search_from = end.end()
    return "".join(out) + text[position:]


def _hide_pre(text: str) -> tuple[str, list[str]]:
    """<pre> sections are set aside, an empty <pre> standing in (a block tag, so never put
    inside a <p>); each piece up to a </pre> holds at most one."""
    pieces = _PRE_END.split(text)  # text, </pre>, text, </pre>, ..., text
    kept: list[str] = []
    out = []
    for piece, end in zip(pieces[:-1:2], pieces[1::2]):
        start = _PRE_START.search(piece)
        if start is None:  # a stray </pre>
            out.append(piece + end)
            continue
        out.append(piece[: start.start()] + f"<pre wp-pre-tag-{len(kept)}></pre>")
        kept.append(piece[start.start():] + end)
    out.append(pieces[-1])
    return "".join(out), kept


def _space_blocks(text: str) -> str:
    """A blank line around every block tag, so blocks are never inside a paragraph."""
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.I)
    text = re.sub(rf"(<{_BLOCKS}[\s/>])", "\n\n\\1", text, flags=re.I)
    text = re.sub(rf"(</{_BLOCKS}>)", "\\1\n\n", text, flags=re.I)
    text = re.sub(r"(<hr\s*?/?>)", "\\1\n\n", text, flags=re.I)
    text = _TAG.sub(lambda m: m.group(0).replace("\n", " "), text)  # a tag written over several lines
    text = re.sub(r"(?<!\s)\s*(</?(?:option|param|embed|source|track)\b[^<>]*>)\s*", "\\1", text, flags=re.I)
    text = re.sub(r"(?<!\s)\s*(<figcaption\b[^<>]*>)", "\\1", text, flags=re.I)
    text = re.sub(r"</figcaption>\s*", "</figcaption>", text, flags=re.I)
    return re.sub(r"\n\n+", "\n\n", text)


def _paragraphs(text: str) -> str:
    """Each run between blank lines becomes a <p>, then block tags are taken out of them."""
    text = "".join(f"<p>{chunk.strip(chr(10))}</p>\n" for chunk in re.split(r"\n\s*\n", text) if chunk)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text, flags=re.I)
    text = re.sub(rf"<p>\s*({_BLOCK_TAG})\s*</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<p><blockquote([^<>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = re.sub(r"</blockquote></p>", "</p></blockquote>", text, flags=re.I)
    text = re.sub(rf"<p>\s*({_BLOCK_TAG})", r"\1", text, flags=re.I)
    return re.sub(rf"({_BLOCK_TAG})\s*</p>", r"\1", text, flags=re.I)


def _line_breaks(text: str) -> str:
    """The newlines left inside paragraphs are line breaks, except next to block tags."""
    text = re.sub(r"<br\s*/?>", "<br />", text, flags=re.I)
    text = re.sub(r"(?<!<br />)(?<!\s)\s*\n", "<br />\n", text)
    text = re.sub(rf"({_BLOCK_TAG})\s*<br />", r"\1", text, flags=re.I)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)\b[^<>]*>)", r"\1", text, flags=re.I)
    return text.replace("<br />\n", "<br />")  # the newline after a break is only layout
