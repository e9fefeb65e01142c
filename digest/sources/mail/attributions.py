"""Attribution lines ("On <date>, Bob Jones <bob@example.net> wrote:") and forwarded header
blocks: recognising them, and naming people in them without their e-mail addresses.

Bodies keep an attribution next to the quote it introduces; digests and their web archive are
public, so the addresses in those lines (and in a forwarded original's From:/To: block) are
left out while the names stay.  The sender's own prose and signature are not touched.  Pure.
"""

from __future__ import annotations

from html import escape as html_escape
import re

import lxml.html

from digest import body as bodies

ATTRIBUTION_END = re.compile(
    r"(?:wrote|writes|said|a écrit|schrieb|escribió|escreveu|ha scritto|skrev|napisał|kirjoitti|"
    r"heeft geschreven|schreef|написал|написала|napsal|írta|yazdı|υπέγραψε)\s*:\s*$",
    re.IGNORECASE,
)
ATTRIBUTION_START = re.compile(
    r"^(?:On|Le|Am|El|Il|Em|Op|Den|Dne|W dniu|Quoting|Citando|Zitat von|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})\b"
)
_DATED_ADDRESS_INTRO = re.compile(r"(?:\d{1,2}:\d{2}|\d{4}).*(?:<[^<>]+>|@|\sat\s)\S*\s*:\s*$")
# the fields that open and name a quoted original's header block (Outlook, Gmail, translations)
HEADER_FROM = re.compile(r"^\s*\*?(?:From|Von|De|Da|Van|Från|Fra|Od|От)\s*:\*?\s+\S", re.IGNORECASE)
HEADER_SUBJECT = re.compile(
    r"^\s*\*?(?:Subject|Betreff|Objet|Asunto|Oggetto|Onderwerp|Ämne|Emne|Temat|Тема)\s*:", re.IGNORECASE
)
# mutt's forward_attribution_intro and _trailer: "----- Forwarded message from X -----"
MUTT_FORWARD_START = re.compile(r"^-{5} ?Forwarded message from .+ ?-{5}\s*$")


def strict_attribution_start(lines: list[str], last: int) -> int | None:
    """The first line of an attribution that opens like one ("On <date>, ..."), or None."""
    for start in range(last, max(last - 3, -1), -1):
        if not lines[start].strip() or lines[start].startswith(">"):
            return None
        if ATTRIBUTION_START.match(lines[start].strip()):
            return start
    return None


def attribution_start(lines: list[str], last: int) -> int | None:
    """First line of an attribution ending at ``last`` (up to three wrapped lines), or None."""
    if last < 0 or lines[last].startswith(">"):
        return None
    line = lines[last].strip()
    if not (ATTRIBUTION_END.search(line) or _DATED_ADDRESS_INTRO.search(line)):
        return None
    for start in range(last, max(last - 3, -1), -1):
        if not lines[start].strip() or lines[start].startswith(">"):
            break
        if ATTRIBUTION_START.match(lines[start].strip()):
            return start
    return last


# how deep a line is quoted: "> ", ">>", "> > "
_QUOTE_MARKS = re.compile(r"^(?:>[ \t]?)*")
# a header field line of a forwarded or Outlook original ("From: ...", "*Sent:* ...", "Objet : ...")
_HEADER_FIELD = re.compile(r"^\s*\*?[^\W\d_][\w-]{0,24}\s?:\*?(?:\s|$)")
_ADDRESS_LOCAL = r"[^\s<>\"'()\[\],;:@]+"
# a word before an address that is not a name: a time, a date, "AM", or the punctuation after one
_NOT_A_NAME = re.compile(r"^(?:\S*[\d,:;(\[]|[AaPp]\.?[Mm]\.?)$")


def addresses_left_out(lines: list[str], obfuscation: str | None) -> list[str]:
    """Attribution lines ("On <date>, Bob <bob@example.net> wrote:", at any quote depth),
    the header block of a forwarded or Outlook original and mutt's "Forwarded message from"
    line name people without their addresses: digests and the web archive are public.  An
    address standing for its owner's name becomes its local part (``bob wrote:``), as
    :func:`~digest.sources.mail.decode.author_name` names a sender without a name; the
    sender's own prose and signature keep theirs."""
    pattern = _address_pattern(obfuscation)
    out = list(lines)
    for first, last in _header_block_spans(out):
        for index in range(first, last + 1):
            if not HEADER_SUBJECT.match(_QUOTE_MARKS.sub("", out[index])):
                out[index] = _without_addresses(out[index], pattern)
    for first, last in sorted(_attribution_spans(out), reverse=True):
        out[first:last + 1] = _attribution_without_addresses(out[first:last + 1], pattern)
    return out


def _address_pattern(obfuscation: str | None) -> re.Pattern:
    """An address in angle brackets (Gmail's Spanish "Ana (<ana@...>)" too) or Outlook's
    ``[mailto:...]``, or bare (then perhaps followed by the name in parentheses), with "@"
    or the word pipermail wrote for it."""
    words = "|".join(re.escape(word) for word in sorted({"at", obfuscation or "at"}))
    address = (
        rf"{_ADDRESS_LOCAL}(?:@[A-Za-z0-9](?:[\w.-]*\w)?"
        rf"|\s+(?:{words})\s+[A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.[A-Za-z]{{2,}}\b)"
    )
    return re.compile(
        rf"(?P<bracketed>\s*(?P<paren>\()?[<\[]\s*(?:mailto:)?(?P<inner>{address})\s*[>\]](?(paren)\)))"
        rf"|(?:mailto:)?(?P<bare>{address})(?:\s+\((?P<name>[^()<>@]+)\))?",
        re.IGNORECASE,
    )


def _without_addresses(text: str, pattern: re.Pattern, before: str = "") -> str:
    """The text with each address dropped after a name, else replaced by its local part
    (``before``: the text of its line before it, in another HTML element)."""

    def replace(match: re.Match) -> str:
        if match.group("name"):
            return match.group("name").strip()
        if match.group("bracketed") and _ends_with_name(before + text[:match.start()]):
            return ""
        address = match.group("inner") or match.group("bare")
        lead = match.group(0)[:len(match.group(0)) - len(match.group(0).lstrip())]
        return lead + re.split(r"@|\s", address, maxsplit=1)[0]

    return pattern.sub(replace, text)


def _ends_with_name(before: str) -> bool:
    """Whether the text before an address ends with its owner's name (not a time or "wrote")."""
    words = before.split()
    return bool(words) and not _NOT_A_NAME.match(words[-1]) and not ATTRIBUTION_END.search(words[-1] + ":")


def _attribution_without_addresses(lines: list[str], pattern: re.Pattern) -> list[str]:
    """An attribution's lines without addresses, read together (Gmail wraps inside the
    brackets); each keeps its quote marks, or all take the first line's when lines joined."""
    marks = [_QUOTE_MARKS.match(line).group(0) for line in lines]
    text = _without_addresses("\n".join(line[len(mark):] for line, mark in zip(lines, marks)), pattern)
    cleaned = [line for line in text.split("\n") if line.strip()]
    if len(cleaned) != len(lines):
        marks = [marks[0]] * len(cleaned)
    return [mark + line for mark, line in zip(marks, cleaned)]


def _quote_depth(line: str) -> int:
    return _QUOTE_MARKS.match(line).group(0).count(">")


def _depth_views(lines: list[str]) -> dict[int, list[str]]:
    """For each quote depth, the lines' text at that depth (marks taken off), every line
    of another depth standing as a lone ``>`` (the edge of a quote to the helpers above)."""
    marks = [_QUOTE_MARKS.match(line).group(0) for line in lines]
    depths = [mark.count(">") for mark in marks]
    texts = [line[len(mark):] for line, mark in zip(lines, marks)]
    return {depth: [text if at == depth else ">" for text, at in zip(texts, depths)] for depth in set(depths)}


def _attribution_spans(lines: list[str]) -> list[tuple[int, int]]:
    """The first and last line of each attribution at any depth: the line(s) right before
    a deeper quote (blank lines between) that :func:`attribution_start` recognises."""
    spans = []
    for depth, view in _depth_views(lines).items():
        for index, line in enumerate(view):
            if line == ">" or not line.strip():
                continue
            following = next((i for i in range(index + 1, len(view)) if view[i].strip()), None)
            if following is None or _quote_depth(lines[following]) <= depth:
                continue
            start = attribution_start(view, index)
            if start is not None:
                spans.append((start, index))
    return spans


def _header_block_spans(lines: list[str]) -> list[tuple[int, int]]:
    """The first and last line of each header block at any depth: three or more field
    lines in a row (indented lines continue a field) with a ``From:`` and a ``Subject:``
    line, or mutt's "Forwarded message from X" line."""
    spans = []
    for view in _depth_views(lines).values():
        index = 0
        while index < len(view):
            if view[index] == ">":
                index += 1
                continue
            if MUTT_FORWARD_START.match(view[index]):
                spans.append((index, index))
            end = index
            while end < len(view) and (
                _HEADER_FIELD.match(view[end]) or (end > index and view[end][:1] in (" ", "\t") and view[end].strip())
            ):
                end += 1
            block = view[index:end]
            if len(block) >= 3 and any(map(HEADER_FROM.match, block)) and any(map(HEADER_SUBJECT.match, block)):
                spans.append((index, end - 1))
            index = max(end, index + 1)
    return spans


def html_addresses_left_out(body_html: str) -> str:
    """An HTML-only message's attributions (a paragraph ending like one right before a
    quote) and original header blocks without addresses, as :func:`addresses_left_out`
    does for plain text; a ``mailto:`` link in them is left as its text first."""
    if "@" not in body_html:
        return body_html
    try:
        root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return body_html
    pattern = _address_pattern(None)
    for paragraph in list(root.iter("p")):
        lines = [line for line in _paragraph_text(paragraph).split("\n") if line.strip()]
        if _is_html_attribution(paragraph, lines) or _header_block_spans(lines):
            _paragraph_without_addresses(paragraph, pattern)
    inner = (html_escape(root.text) if root.text else "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return bodies.clean(inner)


def _text_slots(element):
    """Where the element's text sits, in reading order: ``(node, "text" or "tail")``, and
    None for a ``<br>``."""
    yield element, "text"
    for child in element:
        if child.tag == "br":
            yield None
        elif isinstance(child.tag, str):
            yield from _text_slots(child)
        yield child, "tail"


def _paragraph_text(paragraph) -> str:
    return "".join("\n" if slot is None else getattr(*slot) or "" for slot in _text_slots(paragraph))


def _is_html_attribution(paragraph, lines: list[str]) -> bool:
    following = paragraph.getnext()
    if not lines or following is None or following.tag != "blockquote" or (paragraph.tail or "").strip():
        return False
    return attribution_start([line.strip() for line in lines], len(lines) - 1) is not None


def _paragraph_without_addresses(paragraph, pattern: re.Pattern) -> None:
    """Each piece of the paragraph's text without addresses, except on a Subject line."""
    for link in list(paragraph.iter("a")):
        if (link.get("href") or "").lower().startswith("mailto:"):
            link.drop_tag()
    line = ""
    for slot in list(_text_slots(paragraph)):
        if slot is None:
            line = ""
            continue
        text = getattr(*slot) or ""
        if text and not HEADER_SUBJECT.match(line + text):
            setattr(*slot, _without_addresses(text, pattern, line))
        line += text
