"""WordPress's own text formatting (wpautop), for the text WordPress exports raw.

WordPress stores classic posts and every comment with bare newlines and adds the HTML only
when it shows them: blank lines separate paragraphs, other newlines are line breaks, except
next to block tags.  ``autop`` follows wp-includes/formatting.php's wpautop step by step;
``code_as_text`` first escapes the code that syntax-highlighter plugins keep unescaped, and
``shortcodes`` expands the shortcodes WordPress expands when it shows a post, and
``attachment_shown`` is the file WordPress shows above an attachment page's text.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left

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


# ---------------------------------------------------------------------------- shortcodes

# WordPress expands shortcodes (wp-includes/shortcodes.php) when it shows a post; the export
# keeps them as written.  Media shortcodes (core's [embed] and [video]/[audio], Jetpack's and
# WordPress.com's [youtube=URL], [vimeo ID] ...) become a link to their media; shortcodes that
# build something from the site's database ([gallery ids=..], forms, polls) have no text and
# are dropped (counted); [caption] keeps its image and its caption text.
_MEDIA = {
    "embed", "video", "audio", "youtube", "vimeo", "dailymotion", "soundcloud", "ted", "instagram",
    "tweet", "twitter", "googlemaps", "googlevideo", "flickr", "slideshare", "spotify", "twitch", "facebook", "vine",
}
_URL_ATTRIBUTES = ("src", "url", "href", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mp3", "ogg", "wav", "m4a", "wma", "id")
_ID_PAGES = {"youtube": "https://www.youtube.com/watch?v={}", "vimeo": "https://vimeo.com/{}", "dailymotion": "https://www.dailymotion.com/video/{}"}
_NO_TEXT = {  # [audio] and [video] without a source play the post's attached media
    "gallery", "playlist", "audio", "video", "slideshow", "wpvideo", "videopress", "contact-form", "contact-form-7", "contact-field",
    "gravityform", "wpforms", "ninja_form", "polldaddy", "crowdsignal", "archives", "sitemap", "recent-posts",
    "display-posts", "related-posts", "jetpack_subscription_form", "blog_subscription_form", "simple-payment",
}
# An opening tag; the text of an enclosing one runs to the next "[/name]" (found through the
# positions of all closing tags, so text full of unclosed "[name]" stays linear).
_OPENING = re.compile(r"\[(?P<escape>\[?)(?P<name>[A-Za-z][\w-]*)(?![\w-])(?P<attrs>[^\[\]]*?)(?P<self_closing>/?)\](?P<escape_end>\]?)")
_CLOSING = re.compile(r"\[/([A-Za-z][\w-]*)\]")
_ENCLOSING = _MEDIA | {"caption", "wp_caption"}
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))""")
_CODE_SPANS = re.compile(r"<pre\b.*?</pre\s*>|<code\b.*?</code\s*>", re.I | re.S)
_CAPTIONED_IMAGE = re.compile(r"((?:<a\s[^<>]+>\s*)?<img\s[^<>]+>(?:\s*</a\s*>)?)(.*)", re.I | re.S)


def shortcodes(text: str, *, drop_blocks: bool = True) -> tuple[str, dict[str, int]]:
    """The text with shortcodes as WordPress shows them (see above), and how many of each kind
    were dropped.  Code (<pre>, <code>, the highlighters' [code]) is left as written, and so is
    ``[[name]]``, WordPress's way of writing a shortcode literally.  ``drop_blocks=False`` (for
    comments, where WordPress expands no shortcodes) only makes media shortcodes links."""
    text = code_as_text(text)
    dropped: dict[str, int] = {}
    out, position = [], 0
    for code in _CODE_SPANS.finditer(text):
        out += [_expand(text[position:code.start()], drop_blocks, dropped), code.group(0)]
        position = code.end()
    out.append(_expand(text[position:], drop_blocks, dropped))
    return "".join(out), dropped


def _expand(text: str, drop_blocks: bool, dropped: dict[str, int]) -> str:
    closers: dict[str, list[tuple[int, int]]] = {}
    for close in _CLOSING.finditer(text):
        closers.setdefault(close.group(1).lower(), []).append(close.span())
    out, position = [], 0
    for match in _OPENING.finditer(text):
        if match.start() < position:  # inside the text of a shortcode already read
            continue
        name = match.group("name").lower()
        close = None if match.group("self_closing") else _next_closer(closers.get(name, []), match.end())
        if name in _ENCLOSING and close:
            content, end = text[match.end():close[0]], close[1]
        else:
            content, end = "", match.end()
        shown = _expanded(match, name, content, close is not None, text, drop_blocks, dropped)
        out += [text[position:match.start()], text[match.start():end] if shown is None else shown]
        position = end
    return "".join(out) + text[position:]


def _next_closer(closers: list[tuple[int, int]], after: int) -> tuple[int, int] | None:
    index = bisect_left(closers, (after, after))
    return closers[index] if index < len(closers) else None


def _expanded(match, name: str, content: str, closed_later: bool, text: str, drop_blocks: bool, dropped: dict[str, int]) -> str | None:
    """One shortcode as WordPress shows it; None to keep it as written."""
    escape, escape_end = match.group("escape"), match.group("escape_end")
    if escape and escape_end:
        return match.group(0)[1:-1]  # [[gallery]]: written to be shown as it is
    attrs = _attributes(match.group("attrs"))
    if name in ("caption", "wp_caption"):
        return escape + _caption(attrs, _expand(content, drop_blocks, dropped)) + escape_end
    url = _media_url(name, match.group("attrs"), attrs, content) if name in _MEDIA else None
    if url:
        return f'{escape}<a href="{html.escape(url)}">{html.escape(url, quote=False)}</a>{escape_end}'
    unknown_block = name not in _MEDIA and attrs and not closed_later and _alone(text, match)
    if drop_blocks and (name in _NO_TEXT or unknown_block):
        dropped[name] = dropped.get(name, 0) + 1
        return escape + escape_end
    return None


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): next(v for v in m.groups()[1:] if v is not None) for m in _ATTRIBUTE.finditer(text)}


def _alone(text: str, match) -> bool:
    """An unknown shortcode with attributes on a line of its own ("[slider id=3]") builds a
    block from the site's data; inside a sentence, "[sic]"-like text stays.  Only the spaces
    next to it are looked at, so many shortcodes on one long line stay linear."""
    before = match.start()
    while before > 0 and text[before - 1] in " \t":
        before -= 1
    after = match.end()
    while after < len(text) and text[after] in " \t":
        after += 1
    return (before == 0 or text[before - 1] == "\n") and (after == len(text) or text[after] in "\r\n")


def _caption(attrs: dict[str, str], content: str) -> str:
    """WordPress's img_caption_shortcode: the caption is the ``caption`` attribute (before 3.4)
    or the text after the image inside the shortcode."""
    caption = attrs.get("caption", "").strip()
    image = content
    if not caption:
        split = _CAPTIONED_IMAGE.match(content.strip())
        if split:
            image, caption = split.group(1), split.group(2).strip()
    return f"<figure>{image}<figcaption>{caption}</figcaption></figure>" if caption else image


def _media_url(name: str, raw_attrs: str, attrs: dict[str, str], content: str) -> str | None:
    """[youtube=URL], [youtube URL], [embed]URL[/embed], [video src=URL], [vimeo 12345]."""
    bare = raw_attrs.strip().removeprefix("=").split()
    candidates = [content.strip(), bare[0] if bare and not re.match(r"[\w-]+\s*=", bare[0]) else ""]
    candidates += [attrs.get(key, "") for key in _URL_ATTRIBUTES]
    for value in candidates:
        value = html.unescape(value.strip().strip("'\""))
        if re.match(r"https?://\S+\Z", value):
            return value
        if name in _ID_PAGES and re.fullmatch(r"[\w-]{5,20}", value or "-"):
            return _ID_PAGES[name].format(value)
    return None


# ---------------------------------------------------------------------------- blocks

# A block the editor saves self-closing ("<!-- wp:latest-posts {"postsToShow":3} /-->") has no
# HTML in the post: WordPress builds it from the site's data when the page is shown (latest
# posts, archives, a search form, a plugin's widget).  A reusable block ("synced pattern",
# ``<!-- wp:block {"ref":123} /-->``) shows the post of type wp_block with that id, which the
# export holds.  Attributes are JSON in which "}" may appear inside strings, so they end at the
# first " /-->".
_SELF_CLOSING_BLOCK = re.compile(r"<!--\s+wp:(?P<name>[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)(?P<attrs>(?:(?!-->).){0,2000}?)\s*/-->", re.S)
_REUSABLE_REF = re.compile(r'"ref"\s*:\s*"?(\d+)')


def built_blocks(text: str, reusable: dict[str, str], depth: int = 0) -> tuple[str, dict[str, int]]:
    """The text with each reusable block replaced by its content (from ``reusable``: wp_block
    post id -> content) and the blocks WordPress builds when showing the page left out; the
    count of those left out by name ("wp:latest-posts"; "wp:block" for a reusable block the
    export lacks)."""
    dropped: dict[str, int] = {}

    def shown(match) -> str:
        name = match.group("name")
        ref = _REUSABLE_REF.search(match.group("attrs")) if name == "block" else None
        if ref and ref.group(1) in reusable and depth < 3:  # a reusable block may hold others, never itself forever
            content, inner = built_blocks(reusable[ref.group(1)], reusable, depth + 1)
            for inner_name, count in inner.items():
                dropped[inner_name] = dropped.get(inner_name, 0) + count
            return content
        dropped[f"wp:{name}"] = dropped.get(f"wp:{name}", 0) + 1
        return ""

    if _HAS_BLOCKS not in text:
        return text, dropped
    return _SELF_CLOSING_BLOCK.sub(shown, text), dropped


def left_out_notes(dropped: dict[str, int]) -> list[str]:
    """Notes on what WordPress builds from the site's data when the page is shown, and an
    export holds no text for: shortcodes ("gallery"), then blocks ("wp:latest-posts")."""
    codes = sorted((code, count) for code, count in dropped.items() if not code.startswith("wp:"))
    blocks = sorted((code, count) for code, count in dropped.items() if code.startswith("wp:"))
    notes = []
    if codes:
        notes.append(
            "left out " + ", ".join(f"{count} [{code}]" for code, count in codes)
            + " shortcode(s): WordPress builds them from the site's data (galleries, forms, media) when the page is shown, the export holds no text for them"
        )
    if blocks:
        notes.append(
            "left out " + ", ".join(f"{count} {name}" for name, count in blocks)
            + " block(s): WordPress builds them from the site's data (latest posts, archives, forms) when the page is shown, "
            "the export holds no text for them" + (" (wp:block: a reusable block the export does not hold)" if "wp:block" in dropped else "")
        )
    return notes


_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|svg|ico|heic)(?:[?#].*)?$", re.I)


def attachment_shown(url: str, title: str) -> str:
    """An attachment's page shows the file above its description (WordPress's
    prepend_attachment): a picture linked to its file, any other file as a link named by its title."""
    if not url.startswith(("http://", "https://")):
        return ""
    address, label = html.escape(url), html.escape(title or url.rsplit("/", 1)[-1])
    shown = f'<img src="{address}" alt="{label}">' if _IMAGE_FILE.search(url) else label
    return f'<p><a href="{address}">{shown}</a></p>\n\n'
