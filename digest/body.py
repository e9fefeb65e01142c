"""The one small HTML subset every reply body is normalized into.

Allowed: p, br, blockquote, em, strong, a[href], ul/ol/li, pre/code, hr, and the class
``signature`` on p/pre (a sender's signature, which excerpts skip).  Both the HTML and
the plaintext parts of a digest are rendered from this subset, so importers only have
to reach it once.  Sanitizing is done by nh3 (a maintained sanitizer), never by regex.
"""

from __future__ import annotations

import html
import re
import textwrap
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
import nh3

BODY_TAGS = {"p", "br", "blockquote", "em", "strong", "a", "ul", "ol", "li", "pre", "code", "hr"}
BLOCK_TAGS = {"p", "blockquote", "ul", "ol", "pre", "hr"}
SIGNATURE_CLASS = "signature"

def _list_start(tag: str, attribute: str, value: str) -> str | None:
    """An ordered list keeps the number it starts at (a list the writer split by a paragraph
    goes on counting), written as a plain number; every other kept attribute stays as is."""
    if tag == "ol" and attribute == "start":
        return str(int(value)) if re.fullmatch(r"\s*\d{1,6}\s*", value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=BODY_TAGS,
    attributes={"a": {"href"}, "ol": {"start"}, "*": set()},  # no generic title/lang either
    attribute_filter=_list_start,
    allowed_classes={"p": {SIGNATURE_CLASS}, "pre": {SIGNATURE_CLASS}},
    url_schemes={"http", "https", "mailto"},
    link_rel=None,
    clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template", "head", "title"},
    strip_comments=True,
)

# Tags of arbitrary source HTML, mapped onto the subset before sanitizing.
_RENAME = {
    "b": "strong", "i": "em", "u": "em", "cite": "em", "dfn": "em", "var": "em",
    "tt": "code", "kbd": "code", "samp": "code",
    "h1": "p", "h2": "p", "h3": "p", "h4": "p", "h5": "p", "h6": "p",
    "div": "p", "section": "p", "article": "p", "header": "p", "footer": "p", "aside": "p",
    "figure": "p", "figcaption": "p", "address": "p", "center": "p", "dd": "p", "dt": "p",
    "tr": "p", "caption": "p", "details": "p", "summary": "p", "dl": "p", "table": "p",
    "tbody": "p", "thead": "p", "tfoot": "p", "main": "p", "nav": "p",
}
_EMOJI_CLASSES = {"wp-smiley", "emoji", "emoticon", "smiley"}
_STRUCK = {"del", "s", "strike"}  # struck-out text keeps its mark: it is not the writer's claim
_LINKABLE = re.compile(r"\s*(?:https?:|mailto:)", re.IGNORECASE)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "dt", "summary"}
# Tags that would become <p> but hold other blocks: those are unwrapped instead, so a
# <div><p>..</p></div> does not turn into nested or empty paragraphs.
_CONTAINERS = {tag for tag, new in _RENAME.items() if new == "p"} - _HEADINGS
_BLOCKISH = BLOCK_TAGS | {tag for tag, new in _RENAME.items() if new == "p"} | {"li", "table"}
# phpBB ("quotecontent") and vBulletin ("bbcode_quote") quote boxes
_QUOTE_CLASSES = {"quotecontent", "bbcode_quote", "quote", "quotemain"}  # phpBB, SMF, Invision
_CODE_CLASSES = {"code", "codemain"}  # SMF's and Invision's code blocks: lines split by <br>
# vBulletin 4 wraps every post's own text in <blockquote class="postcontent restore">
_CONTENT_CLASSES = {"postcontent", "blogcontent"}
_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "head", "title"}

# Stops at escaped brackets and quotes too: mail writes links as <https://...>.
# lxml refuses C0 controls; U+FEFF inside text (iPhone Mail opens quotes with one) is invisible noise
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\ufffe\uffff]")
_CHAR_REFERENCE = re.compile(r"&#(?:[xX](?P<hex>[0-9a-fA-F]{1,6})(?![0-9a-fA-F])|(?P<decimal>\d{1,7})(?!\d));?")
URL_RE = re.compile(r"""(?:https?://|mailto:|www\.)(?:(?!&gt;|&lt;|&quot;|&\#x27;)[^\s<>"'])+""", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:!?)]}'\"”’…"


def clean(fragment: str) -> str:
    """Sanitize HTML down to the body subset; the last step of every importer.  A link whose
    address the sanitizer refuses (``https://%3chost%3e/``) leaves its text, not an empty ``<a>``."""
    cleaned = _CLEANER.clean(fragment).strip()
    return _BARE_LINK.sub(r"\1", cleaned) if "<a>" in cleaned else cleaned


_BARE_LINK = re.compile(r"<a>((?:(?!</a>).)*)</a>", re.S)


def from_html(fragment: str, site: str | None = None) -> str:
    """Normalize arbitrary (untrusted, possibly broken) source HTML into the body subset.

    ``site`` (``https://host/``) resolves site-relative links and images (``/questions/1``):
    sources such as Reddit and Stack Exchange write their own links that way, and a link
    that stays relative leads nowhere from a mailbox."""
    fragment = _without_control_references(_CONTROL_CHARS.sub("", fragment or ""))
    if not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return from_plain_text(fragment)
    for element in list(root.iter()):
        if element is root or not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        classes = (element.get("class") or "").split()
        if "class" in element.attrib and SIGNATURE_CLASS not in classes:  # Outlook writes class="" too
            del element.attrib["class"]
        if tag == "tfoot" and element.getparent() is not None:
            element.getparent().append(element)  # HTML 4 wrote the totals first; they are read after the rows
        if tag == "div" and _QUOTE_CLASSES.intersection(classes):
            element.tag = tag = "blockquote"  # forums mark a quote with a class, not a blockquote
        elif tag == "div" and _CODE_CLASSES.intersection(classes):
            _code_block(element)
            tag = "pre"
        elif tag == "blockquote" and _CONTENT_CLASSES.intersection(classes):
            element.tag = tag = "div"  # the post itself, not a quote of someone
        if tag in _CONTAINERS and any(isinstance(c.tag, str) and c.tag.lower() in _BLOCKISH for c in element):
            _unwrap_container(element)
            continue
        if tag in ("a", "img", "iframe"):
            _resolve(element, "href" if tag == "a" else "src", site)
        if tag == "iframe" and _LINKABLE.match(element.get("src") or ""):
            _embed_to_link(element)  # a video or map the page embeds: a mailbox can follow a link to it
            continue
        if tag in ("video", "audio"):
            _media_to_link(element, tag, site)  # a mailbox plays neither: a link to the file instead
            continue
        if tag in _DROP_WITH_CONTENT:
            element.drop_tree()
            continue
        if tag == "img" and element.get("width") == "1" and element.get("height") == "1":
            element.drop_tree()  # a tracking pixel, nothing to read
            continue
        if tag == "img" and _EMOJI_CLASSES.intersection(classes) and element.get("alt"):
            _replace_with_text(element, element.get("alt"))  # a smiley is text: ";)", not a link to a gif
            continue
        if tag == "img":
            _image_to_link(element)
            continue
        if tag == "a" and not _LINKABLE.match(element.get("href") or ""):
            element.drop_tag()  # a relative or scriptable link leads nowhere from a mailbox
            continue
        if tag in _STRUCK:
            element.text = "~~" + (element.text or "")
            element.tail = "~~" + (element.tail or "")
        if tag == "sup":
            element.text = "^" + (element.text or "")
        if tag in ("td", "th"):  # a table row reads "Emacs | 1.2 s", in HTML and in plain text alike
            for block in [c for c in element if isinstance(c.tag, str) and c.tag.lower() in ("p", "div")]:
                block.tail = " " + (block.tail or "")  # a cell's paragraphs (Outlook writes them) stay in its row
                block.drop_tag()
            element.tail = " | " if element.getnext() is not None else ""
        if tag == "q":
            element.text = "“" + (element.text or "")
            element.tail = "”" + (element.tail or "")
        if tag in _HEADINGS:
            strong = lxml.html.Element("strong")
            strong.text, element.text = element.text, None
            for child in list(element):
                strong.append(child)
            element.append(strong)
        if tag in _RENAME:
            element.tag = _RENAME[tag]
    _wrap_loose_inline(root)
    _tidy_paragraphs(root)
    inner = (html.escape(root.text) if root.text else "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return clean(_linkify_text(inner))


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_UNLINKED_OPEN_CLOSE = re.compile(r"<(/?)(a|pre|code)\b", re.IGNORECASE)


def _linkify_text(markup: str) -> str:
    """Bare addresses in the text become links, as WordPress, forums and mail programs show
    them; not inside a link, ``pre`` or ``code``.  ``markup`` is serialized, so its text is
    escaped, as ``linkify`` wants it."""
    if "http" not in markup and "www." not in markup:
        return markup
    out, inside = [], 0
    for part in _TAG_OR_TEXT.split(markup):
        if part.startswith("<"):
            tag = _UNLINKED_OPEN_CLOSE.match(part)
            if tag:
                inside = max(0, inside + (-1 if tag.group(1) else 1))
            out.append(part)
        else:
            out.append(part if inside else linkify(part))
    return "".join(out)


def _resolve(element, attribute: str, site: str | None) -> None:
    """A protocol-relative address (``//host/x``) is read over https; a site-relative one
    against ``site`` when it is known."""
    value = (element.get(attribute) or "").strip()
    if value.startswith("//"):
        element.set(attribute, "https:" + value)
    elif value.startswith("/") and site:
        element.set(attribute, urljoin(site, value))


# Whitespace, and the invisible characters spacer paragraphs hold (reddit writes "&#x200B;").
_BLANK = " \t\n\r\f\v\xa0\u200b\u200c\u200d\u2060\ufeff\u3000"


def _without_control_references(fragment: str) -> str:
    """A character reference to a control character (``&#1;``) is dropped as the character is:
    lxml decodes it, then refuses it in any text set later (a ValueError, not a body)."""
    def dropped(match: re.Match) -> str:
        code = int(match["hex"], 16) if match["hex"] else int(match["decimal"])
        return "" if code < 0x110000 and _CONTROL_CHARS.match(chr(code)) else match.group(0)

    return _CHAR_REFERENCE.sub(dropped, fragment) if "&#" in fragment else fragment


def _tidy_paragraphs(root) -> None:
    """Markup such as ``text<p><pre>`` or a mail program's spacers leaves paragraphs with
    nothing to show (dropped) and paragraphs opening with a line break (trimmed)."""
    for paragraph in list(root.iter("p", "li")):
        if paragraph.text:
            paragraph.text = paragraph.text.lstrip()
        if paragraph.tag == "p" and not paragraph.text_content().strip(_BLANK):  # also Outlook's <p><o:p>&nbsp;</o:p></p>
            paragraph.drop_tree()


def _unwrap_container(element) -> None:
    """Replace a container by its children: blocks stay blocks, and each run of loose text and
    inline elements between them becomes one paragraph (a sentence with a link stays whole)."""
    parent = element.getparent()
    index = parent.index(element)
    pieces = []
    run = lxml.html.Element("p")
    run.text = element.text

    def flush() -> None:
        nonlocal run
        if run.text_content().strip() or any(isinstance(c.tag, str) and c.tag not in ("br", "p") for c in run):
            pieces.append(run)
        run = lxml.html.Element("p")

    for child in list(element):
        tail, child.tail = child.tail, None
        if isinstance(child.tag, str) and child.tag.lower() in _BLOCKISH:
            flush()
            pieces.append(child)
            run.text = tail
        else:
            run.append(child)
            child.tail = tail
    flush()
    element_tail = element.tail
    parent.remove(element)
    for offset, piece in enumerate(pieces):
        parent.insert(index + offset, piece)
    if element_tail:
        if index + len(pieces) - 1 >= 0 and pieces:
            pieces[-1].tail = (pieces[-1].tail or "") + element_tail
        elif index > 0:
            parent[index - 1].tail = (parent[index - 1].tail or "") + element_tail
        else:
            parent.text = (parent.text or "") + element_tail


def _code_block(element) -> None:
    """A forum's code ``<div>`` whose lines end in ``<br>``: a ``<pre>`` of those lines."""
    element.tag = "pre"
    for br in element.findall(".//br"):
        br.tail = "\n" + (br.tail or "")
        br.drop_tag()


def _replace_with_text(element, text: str) -> None:
    """The element gives way to ``text`` (joined to what precedes it), keeping its tail."""
    element.tail = text + (element.tail or "")
    element.drop_tree()


def _embed_to_link(frame) -> None:
    """An embedded frame (a YouTube video, a map) becomes a link to what it shows."""
    src = frame.get("src").strip()
    title = " ".join((frame.get("title") or "").split())
    link = lxml.html.Element("a", href=src)
    link.text = f"[embedded: {title or urlsplit(src).hostname or src}]"
    link.tail = frame.tail
    frame.getparent().replace(frame, link)


def _media_to_link(element, kind: str, site: str | None) -> None:
    """A ``<video>`` or ``<audio>`` becomes a "[video]" or "[audio]" link to its file (its own
    ``src`` or its first ``<source>``'s); without a usable address, its fallback text stays."""
    sources = [element.get("src")] + [child.get("src") for child in element if child.tag == "source"]
    src = next((value.strip() for value in sources if value and value.strip()), "")
    if src.startswith("/") and site:
        src = urljoin(site, src)
    if not _LINKABLE.match(src):
        for child in [c for c in element if isinstance(c.tag, str) and c.tag in ("source", "track")]:
            child.drop_tree()
        element.drop_tag()
        return
    title = " ".join((element.get("title") or "").split())
    link = lxml.html.Element("a", href=src)
    link.text = f"[{kind}: {title}]" if title else f"[{kind}]"
    link.tail = element.tail
    element.getparent().replace(element, link)


def _image_to_link(img) -> None:
    """Images become links labelled with their alt text: digests must work with images off.
    An image inside a link becomes that link's label: the link is where its author points."""
    src = img.get("src") or ""
    alt = (img.get("alt") or img.get("title") or "").strip()
    label = f"[image: {alt}]" if alt else "[image]"
    linked = any(a.tag == "a" and a.get("href") for a in img.iterancestors())
    link = lxml.html.Element("a", href=src) if src.startswith(("http://", "https://")) and not linked else lxml.html.Element("span")
    link.text = label
    link.tail = img.tail
    img.getparent().replace(img, link)


def _wrap_loose_inline(root) -> None:
    """Group top-level text and inline elements into paragraphs."""
    children = list(root)
    if not children and not (root.text or "").strip():
        return
    if all(not isinstance(c.tag, str) or c.tag not in BLOCK_TAGS for c in children) and not children:
        text = root.text
        root.text = None
        p = lxml.html.Element("p")
        p.text = text
        root.append(p)
        return
    pending_text = root.text
    root.text = None
    run: list = []
    new_children: list = []

    def flush():
        nonlocal pending_text, run
        if (pending_text and pending_text.strip()) or any(
            isinstance(c.tag, str) or (c.tail or "").strip() for c in run
        ):
            p = lxml.html.Element("p")
            p.text = pending_text
            for c in run:
                p.append(c)
            new_children.append(p)
        pending_text, run = None, []

    for child in children:
        root.remove(child)
        if isinstance(child.tag, str) and child.tag in BLOCK_TAGS:
            flush()
            tail, child.tail = child.tail, None
            new_children.append(child)
            pending_text = tail
        else:
            run.append(child)
    flush()
    for child in new_children:
        root.append(child)


def linkify(escaped: str) -> str:
    """Turn bare URLs in already-escaped text into links, leaving closing punctuation outside."""

    def link(match: re.Match) -> str:
        url = match.group(0)
        trail = ""
        while url and url[-1] in _TRAILING_PUNCT:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            trail = url[-1] + trail
            url = url[:-1]
        href = html.unescape(url)
        if href.lower().startswith("www."):
            href = "http://" + href
        return f'<a href="{html.escape(href, quote=True)}">{url}</a>{trail}'

    return URL_RE.sub(link, escaped)


_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)]) +")  # not "-\tline": that is a patch's removed line
# a name signing a message off ("- Sachin", "- Anna-Lena K."): one to three words, the first capitalised
_SIGN_OFF = re.compile(r"(?=[^\W\d_])(?!.*[:;!?,]$)[^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*){0,2}")
# Quotes nested deeper are read at this depth: each depth is a call deeper, and the sanitizer takes the square of it
DEEPEST_QUOTE = 50
_TOO_DEEP_QUOTE = re.compile(rf"^((?:> ?){{{DEEPEST_QUOTE}}})(?:> ?)+")


def from_plain_text(text: str, short_lines_kept: bool = False) -> str:
    """Normalize plain text (mail bodies, text exports) into the body subset.

    Blank lines separate paragraphs; lines starting with ``>`` become (nested)
    blockquotes; everything after a ``-- `` line is marked as the signature;
    ``- item`` lines become lists; URLs become links.  Hard-wrapped lines are joined;
    ``short_lines_kept`` (mail) keeps the breaks of a paragraph whose lines are all short.
    """
    lines = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [_TOO_DEEP_QUOTE.sub(r"\1", line) if line.startswith(">") else line for line in lines]
    patched = any(_PATCH_START.match(line.lstrip("> ")) for line in lines)
    # HARD_BREAK marks where a caller wants a line kept; a preformatted block keeps every line already
    return clean(_blocks_and_signature(lines, short_lines_kept, patched)).replace(HARD_BREAK, "")


def _blocks_and_signature(lines: list[str], short_lines_kept: bool, patched: bool = False) -> str:
    """The blocks of ``lines``, everything after a ``-- `` line marked as the signature: the
    writer's own, or (inside a quote) the quoted writer's, which is no part of a paragraph."""
    signature: list[str] = []
    for index, line in enumerate(lines):
        if line.replace(HARD_BREAK, "") in ("-- ", "--"):  # the usenet signature separator, and its trimmed form
            signature = lines[index + 1:]
            lines = lines[:index]
            break
    out = _blocks_from_lines(lines, short_lines_kept, patched)
    sig_text = "\n".join(signature).strip()
    if sig_text:
        out += f'<pre class="{SIGNATURE_CLASS}">{html.escape(sig_text, quote=False)}</pre>'
    return out


def _blocks_from_lines(lines: list[str], short_lines_kept: bool = False, patched: bool = False) -> str:
    """``patched``: the text holds a patch, so a block of diff lines further down (a quoted
    hunk resumed after an inline comment) keeps its columns."""
    out: list[str] = []
    code: list[str] = []  # the lines of the last code block, and where they end
    code_end = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(">"):
            quoted = []
            while i < len(lines) and (lines[i].startswith(">") or (not lines[i].strip() and i + 1 < len(lines) and lines[i + 1].startswith(">"))):
                stripped = lines[i][1:]
                quoted.append(stripped[1:] if stripped.startswith(" ") else stripped)
                i += 1
            out.append("<blockquote>" + _blocks_and_signature(quoted, short_lines_kept, patched) + "</blockquote>")
            continue
        if not line.strip():
            i += 1
            continue
        if _starts_patch(lines, i):
            end = _patch_end(lines, i)
            patch = "\n".join(lines[i:end])
            out.append("<pre>" + linkify(html.escape(patch, quote=False)) + "</pre>")
            i = end
            continue
        if _LIST_ITEM.match(line):
            ordered = bool(re.match(r"^\s*\d", line))
            items = []
            while i < len(lines) and not lines[i].startswith(">"):
                if not lines[i].strip():  # a blank line between items does not end the list
                    following = next((later for later in lines[i:] if later.strip()), "")
                    if not _LIST_ITEM.match(following) or bool(re.match(r"^\s*\d", following)) != ordered:
                        break
                    i += 1
                    continue
                if _LIST_ITEM.match(lines[i]) or not items:
                    items.append(_LIST_ITEM.sub("", lines[i]).strip())
                else:
                    items[-1] += " " + lines[i].strip()
                i += 1
            if len(items) == 1 and not any(line.strip() for line in lines[i:]) and _SIGN_OFF.fullmatch(items[0]) and not items[0][0].islower():
                out.append(f"<p>- {_linked(items[0])}</p>")  # "- Sachin" closing a message is no list
                continue
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{_linked(item)}</li>" for item in items) + f"</{tag}>")
            continue
        para = []
        start = i
        while (i < len(lines) and lines[i].strip() and not lines[i].startswith(">")
               and not (para and (_LIST_ITEM.match(lines[i]) or lines[i] == "---"))):  # git's "---" starts the notes
            para.append(lines[i].rstrip(" \t"))
            i += 1
        # code that blank lines split stays one block, indented relative to the whole; an
        # indented line after it (a lone "    return 0;") goes on with it
        follows_code = bool(code) and not any(line.strip() for line in lines[code_end:start])
        if _preformatted(para) or (follows_code and all(line[:1] in (" ", "\t") for line in para)):
            code = [*code, *[""] * (start - code_end), *para] if follows_code else para
            code_end = i
            text = "\n".join(line.rstrip() for line in code)
            diff_lines = patched and all(line[:1] in (" ", "+", "-") for line in code if line.strip())
            block = "<pre>" + linkify(html.escape(text if diff_lines else textwrap.dedent(text), quote=False)) + "</pre>"
            out[len(out) - follows_code:] = [block]
        else:
            every_line = short_lines_kept and all(len(line.strip()) <= SHORT_LINE for line in para)
            out.append("<p>" + _joined(para, every_line) + "</p>")
    return "".join(out)


def _joined(para: list[str], every_line: bool) -> str:
    """A paragraph's lines joined with a space (a wrap), or with a line break where the writer
    typed one: after a line ending in ``HARD_BREAK``, or after every line (``every_line``)."""
    out = []
    for number, line in enumerate(para):
        if number:
            out.append("<br>" if every_line or para[number - 1].endswith(HARD_BREAK) else " ")
        out.append(_linked(line.strip()))
    return "".join(out)


# Outlook's plain text writes a link as its text glued to the address in angle brackets
# ("Get Outlook for Android<https://aka.ms/ghei36>"); the word the brackets are glued to is
# the one certainly linked
# The word starts where a run of word characters starts, so a long word without a link is
# looked at once, not once from each of its letters.
_GLUED_LINK = re.compile(r"(?<![^\s<>()\[\]\"“”])(?P<text>[^\s<>()\[\]\"“”]+)<(?P<href>(?:https?://|mailto:)[^\s<>\"]+)>", re.IGNORECASE)


def _linked(text: str) -> str:
    """A line of plain text escaped, with its addresses as links: a bare one links itself, one
    glued to a word (Outlook) links that word, without the brackets."""
    out, done = [], 0
    for match in _GLUED_LINK.finditer(text):
        out.append(linkify(html.escape(text[done:match.start()], quote=False)))
        out.append(f'<a href="{html.escape(match["href"], quote=True)}">{html.escape(match["text"], quote=False)}</a>')
        done = match.end()
    out.append(linkify(html.escape(text[done:], quote=False)))
    return "".join(out)


# Unicode's LINE SEPARATOR ends a line the writer broke inside a paragraph (format=flowed mail
# marks its hard breaks so): the line break stays
HARD_BREAK = "\u2028"

# A paragraph of lines no longer than this was not wrapped to fit a width: a sign-off
# ("Best regards" / a name / a date), an address, a poem; its line breaks are the writer's.
SHORT_LINE = 40

# Lines of code, shell sessions and build logs: their line breaks carry meaning.
_CODE_LINE = re.compile(
    r"""[;{}]\s*$                      # statement ends, blocks
    | ^\s*[$%#]\ \S                   # shell prompts
    | ^[\w./-]+:\d+:                    # compiler messages: file.c:251:
    | ^[\w.-]+(?:\[\d+\])?:\ \*\*\*      # make[3]: ***
    | ^\ \S.*\ \|\ +(?:\d+\ [+-]*|Bin\b.*)$ # a diffstat: " mm/memory.c | 3 ++-"
    | ^\ \d+\ files?\ changed             # and its summary
    | ^---$                              # git's line between message and notes
    | ^\s*(?:\#include|def|class|import|return|function|public|private)\b.*[:;{(]
    | (?:^|\s)[\w./-]+\.\w+:\d+:\                   # a linker's "ld: sound/x.c:887: undefined ..."
    | ^In\ file\ included\ from\ | ^[\w./+-]+:\ (?:[\w./+-]+:\ )?[Ii]n\ (?:\w+\ )*function\b  # and gcc's context lines
    | (?:^|\s)-[A-Za-z][\w=./+-]*(?:\s+-[A-Za-z][\w=./+-]*){2}  # a command's options: "-I. -Wall -O2"
    | ;\s*(?:then|do|fi|done)\b | \s\\$              # shell: "if ...; then", a continued line
    | \S\ *\t+\S                                # columns aligned by tabs
    | ^(?:[\w@.-]*:[~/][^\s\#$]*|\[[^\]]+\])[\#$]\ \S  # a prompt naming its directory: "lt:/boot# lspci"
    | ^(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\ \S  # an lspci line: "00:11.1 IDE interface: ..."
    | ^\[\s*\d+\.\d{6}\](?:\[\s*\w+\])?\ \S          # a kernel log line: "[  151.773224][ T1650] BUG ..."
    | ^\#\d+\s+(?:0x[0-9a-f]+\ in\ )?\S+\ \(      # a gdb backtrace frame: "#0  0x4005d4 in main (argc=1) at a.c:5"
    | ^\(gdb\)\ \S                                # and its prompt
    """,
    re.VERBOSE,
)
# a diff's removed or added line quoted without the diff's header ("-init_dialog (...)"), not "+1"
_DIFF_LINE = re.compile(r"[-+](?![\d\s+-])\S")


# The line above a quoted original's header block in any language ("-----Original Message-----",
# "-----Ursprüngliche Nachricht-----", "-----邮件原件-----"), or Outlook's rule of underscores
_ORIGINAL_MESSAGE = re.compile(r"\s*(?:-{2,}\s*[^\W\d_][^-]{0,40}?\s*-{2,}|_{20,})\s*$")
_ASSIGNMENT = re.compile(r"\s*[\w.\[\]-]+\s*=\s*\S")
# "Name: value", the name in any script ("Von:", "De :", "发件人:"), the colon also full-width ("差出人：")
_KEY_VALUE = re.compile(r"(?P<name>[^\W\d_][\w .-]{0,30}?)\s?(?P<colon>[:：])(?P<gap>\s*)\S")
# a word of prose, once the punctuation around it is taken off
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_AROUND_WORDS = ".,;:!?'\"()[]“”‘’…*"

# A patch in a mail (git send-email, a review quoting one): from its first header or hunk to
# its last diff line, the lines are the content.
_PATCH_START = re.compile(r"diff (?:--git )?\S|Index: \S|@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@")
_PATCH_LINE = re.compile(
    r"[ +\-\\]|@@ |diff |index |(?:new|deleted) file mode |similarity index |rename (?:from|to) |(?:old|new) mode |Binary files |={20,}\s*$"
)
# a commit mail's "Modified: trunk/a.c" (svn, cvs) over a rule of "=": the file's diff follows
_FILE_HEADING = re.compile(r"(?:Modified|Added|Deleted|Copied|Replaced): \S")
_RULE = re.compile(r"={20,}\s*$")


def _starts_patch(lines: list[str], i: int) -> bool:
    if _PATCH_START.match(lines[i]):
        return True
    if _FILE_HEADING.match(lines[i]) and i + 1 < len(lines) and _RULE.match(lines[i + 1]):
        return True
    return lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _patch_end(lines: list[str], i: int) -> int:
    """The index after the patch starting at ``i``; a blank line inside it (a context line
    whose single space a mailer trimmed) belongs to it when diff lines follow."""
    j = i + 1
    while j < len(lines):
        if lines[j].strip() and _PATCH_LINE.match(lines[j]):
            j += 1
        elif not lines[j].strip() and j + 1 < len(lines) and lines[j + 1].strip() and _PATCH_LINE.match(lines[j + 1]):
            j += 1
        else:
            break
    return j


def _preformatted(lines: list[str]) -> bool:
    """A block of two or more lines that is laid out by indentation after its first line (code,
    a config or MIB snippet), made of ``Name: value`` header lines, aligned ``key:   value``
    lines or ``key = value`` settings, or half made of code-like lines or tool output, keeps
    its lines; other text is reflowed."""
    if len(lines) < 2:
        return False
    if _laid_out_by_indentation(lines):
        return True
    if _ORIGINAL_MESSAGE.match(lines[0]) and len(lines) > 2:
        lines = lines[1:]  # Outlook's "-----Original Message-----" heads its quoted header block
    pairs = [_key_value(line) for line in lines]
    if all(pairs) and (all(map(_field_name, pairs)) or any(len(p["gap"]) > 1 for p in pairs)):
        return True  # a quoted message's From:/Sent:/To: block, a robot's aligned "commit:   ..." report
    if all(_ASSIGNMENT.match(line) for line in lines):
        return True  # settings or translation strings: "yes = Yes", "timeout = 30"
    return 2 * _code_lines(lines) >= len(lines)


def _key_value(line: str) -> re.Match | None:
    """A ``Name: value`` line: a space follows an ASCII colon ("http://x" is no field), except
    after a name in a script without case (Coremail writes "发送时间:2021-03-11")."""
    pair = _KEY_VALUE.match(line)
    if pair and pair["colon"] == ":" and not pair["gap"] and pair["name"][0].lower() != pair["name"][0].upper():
        return None
    return pair


def _field_name(pair: re.Match) -> bool:
    """Whether a ``Name: value`` line's name reads as a header field's: capitalised, or a short
    name in a script without case ("发件人", "差出人")."""
    name = pair["name"].strip()
    return name[0].isupper() or (not name[0].islower() and len(name) <= 8)


def _code_lines(lines: list[str]) -> int:
    """How many lines read as code or tool output; ``-``/``+`` lines count when both kinds are
    there (a diff's lines quoted without its header)."""
    diff = [bool(_DIFF_LINE.match(line)) for line in lines]
    both = {line[0] for line, is_diff in zip(lines, diff) if is_diff} == {"-", "+"}
    return sum(bool(_CODE_LINE.search(line)) or (both and is_diff) for line, is_diff in zip(lines, diff))


def _laid_out_by_indentation(lines: list[str]) -> bool:
    """Lines after the first indented by a tab or two spaces lay out code, a config or MIB
    snippet, a command after "Run:", an address, indented paragraphs; not prose that its writer
    or a mail program wrapped with an indented line (it starts at the margin, every line reads
    as words, and each indented line goes on with a sentence: lowercase, not after a colon)."""
    indented = [n for n in range(1, len(lines)) if lines[n][:1] == "\t" or lines[n].startswith("  ")]
    if not indented:
        return False
    wrapped_prose = (lines[0][:1] not in (" ", "\t") and all(map(_reads_as_prose, lines))
                     and all(lines[n].lstrip()[:1].islower() and not lines[n - 1].rstrip().endswith((":", "："))
                             for n in indented))
    return not wrapped_prose


def _reads_as_prose(line: str) -> bool:
    """Whether two thirds of a line's words are words of prose (not numbers, paths, symbols)."""
    tokens = line.split()
    words = sum(bool(_WORD.fullmatch(token.strip(_AROUND_WORDS))) for token in tokens)
    return bool(tokens) and 3 * words >= 2 * len(tokens)


def plain_text(body: str) -> str:
    """The visible text of a body, one line per block (paragraph, item, quote), no markup."""
    if not body:
        return ""
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    parts: list[str] = []

    def walk(element) -> None:
        if element.text:
            parts.append(element.text.replace("\n", " ") if element.tag != "pre" else element.text)
        for child in element:
            walk(child)
            if child.tag in BLOCK_TAGS or child.tag in ("li", "br"):
                parts.append("\n")
            if child.tail:
                parts.append(child.tail.replace("\n", " "))

    walk(root)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


# "*+": a tag's run of characters is never given back (it could not end in ">" if it were),
# which spares the regular expression engine its bookkeeping for backtracking: 6% faster.
BLOCK_TAG = re.compile(r"</?(?:p|br|blockquote|ul|ol|li|pre|hr)\b[^>]*+>")
ANY_TAG = re.compile(r"<[^>]*+>")


_CODE = re.compile(r"<(pre|code)\b[^>]*>.*?</\1>", re.S)


def prose_words(body: str) -> str:
    """The visible text without code (``pre`` and ``code``), one line per block: where people
    mention each other — never a decorator such as ``@property`` in a snippet, and never a
    name run on into the next paragraph or line ("@board" then "Exodus ...")."""
    if "<code" in body or "<pre" in body:
        body = _CODE.sub(" ", body)
    text = html.unescape(ANY_TAG.sub("", BLOCK_TAG.sub("\n", body)))
    return "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())


def visible_text(body: str) -> str:
    """The body's text with its whitespace as it comes: block tags become spaces, other tags
    vanish, entities are decoded (``digest.bulk_text`` does the same for many bodies at once)."""
    return html.unescape(ANY_TAG.sub("", BLOCK_TAG.sub(" ", body))) if body else ""


def plain_words(body: str) -> str:
    """The visible text of a body on one line, for ids, scoring and length.

    Bodies are already the sanitized subset, so stripping its tags needs no parser: block
    tags become spaces, inline tags vanish (this runs for every reply of 100,000-reply threads)."""
    text = visible_text(body).strip()
    if "  " in text or not text.isprintable():  # printable text has no whitespace but " "
        return " ".join(text.split())
    return text  # already one line with single spaces: what " ".join(text.split()) gives
