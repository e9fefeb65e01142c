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
    r"(?:(?:wrote|writes|said|a écrit|schrieb|escribió|escreveu|ha scritto|skrev|napisał|kirjoitti|"
    r"heeft geschreven|schreef|написал|написала|пишет|пише|pisze|napsal|napsal\(a\)|írta|yazdı|υπέγραψε|έγραψε|"
    r"a scris|đã viết|写道|寫道|書きました|님이 작성)\s*[:：]"
    # Lotus Notes: "Bob <bob@example.net> wrote on 04/27/2005 03:57:05 PM:"
    r"|\bwrote on \S.*\d.*:)\s*$",
    re.IGNORECASE,
)
ATTRIBUTION_START = re.compile(
    r"^(?:(?:On|Le|Am|El|Il|Em|Op|Den|Dne|W dniu|Quoting|Citando|Zitat von|In article|In message"
    r"|\d{4}-\d{2}-\d{2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4})\b|在\s|\d{4}年)"
)
# a name and address ending in a colon, right above a quote: "Barry A. Warsaw <barry@example.org>:"
_NAME_ADDRESS_INTRO = re.compile(r"^[^\s<>:][^<>:]{0,60}<[^<>\s]+@[^<>\s]+>\s*:$")
_TIME_OR_YEAR = re.compile(r"\d{1,2}:\d{2}|\d{4}")
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_ANGLE_ADDRESS = re.compile(r"<[^<>]+>")
_AT_WORD = re.compile(r"\sat\s")
# a webmail's attribution naming only the sender (IMP: "Quoting Bob <bob@example.net>:")
_QUOTING_INTRO = re.compile(r"^(?:Quoting|Zitat von|Citando)\s+\S.*:\s*$")
# the mark some mutt users open their attribution with ("* Bob <bob@example.net> wrote:"), not a list item
_STAR_MARK = re.compile(r"^[ \t]*\* (?=\S)")
# the Message-ID a newsreader's attribution names ("In article <id@host>, Bob wrote:"): not an address
_ARTICLE_ID_BEFORE = re.compile(r"\bIn(?: article| message)?\s*$", re.IGNORECASE)
# the fields that open and name a quoted original's header block (Outlook, Gmail, translations)
# (Outlook and Coremail in Chinese and Japanese write "发件人: ", "差出人: ", sometimes with no space or "：")
HEADER_FROM = re.compile(
    r"^\s*\*?(?:(?:From|Von|De|Da|Van|Från|Fra|Od|От)\s*:\*?\s+|(?:发件人|寄件者|寄件人|差出人|送信者)\s*[:：]\s*)\S",
    re.IGNORECASE,
)
HEADER_SUBJECT = re.compile(
    r"^\s*\*?(?:Subject|Betreff|Objet|Asunto|Oggetto|Onderwerp|Ämne|Emne|Temat|Тема|主题|主旨|主題|件名)\s*[:：]",
    re.IGNORECASE,
)
# a rule of underscores: above a list's footer (Mailman), or above an original's header block
# (Outlook 2010 and later, Outlook on the web)
UNDERSCORE_RULE = re.compile(r"^_{20,}\s*$")
# the line Outlook (in its translations, and Chinese webmail) writes above an original:
# "-----Original Message-----", "-----Ursprüngliche Nachricht-----", "-----邮件原件-----"
ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale"
    r"|Mensagem original|Oorspronkelijk bericht|Oprindelig meddelelse|Opprinnelig melding|Ursprungligt meddelande"
    r"|Alkuperäinen viesti|Wiadomość oryginalna|Původní zpráva|Исходное сообщение|Orijinal ileti"
    r"|邮件原件|原始邮件|郵件原件|原始郵件|元のメッセージ|원본 메시지)\s*-{2,}\s*$",
    re.IGNORECASE,
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
    if _QUOTING_INTRO.match(line):
        return last
    if not (ATTRIBUTION_END.search(line) or _dated_address_intro(line) or _NAME_ADDRESS_INTRO.match(line)):
        return None
    for start in range(last, max(last - 3, -1), -1):
        if not lines[start].strip() or lines[start].startswith(">"):
            break
        if ATTRIBUTION_START.match(lines[start].strip()):
            return start
    return last


def _dated_address_intro(line: str) -> bool:
    """A line ending in ":" with a time or year, then an address in its last word ("2015-11-21
    13:05 GMT+01:00 Andy <andy@example.com>:"), or an address, then a time in its closing
    brackets (mutt's "* Bob <bob@example.net> [2004-01-05 11:00]:").  Worked out from the
    line's end: as one pattern, a long line of tags took the cube of its length."""
    before = line.rstrip()
    if not before.endswith(":"):
        return False
    colon = len(before) - 1
    before = before[:-1].rstrip()
    words = before.rsplit(None, 1)
    last_word = len(before) - len(words[-1]) if words else 0  # where the last word starts
    time = _TIME_OR_YEAR.search(line)
    if time and (line.find("@", max(time.end(), last_word - 1), colon) >= 0
                 or _AT_WORD.search(line, max(time.end(), last_word - 4), colon)
                 or any(mark.end() >= last_word for mark in _ANGLE_ADDRESS.finditer(line, time.end(), colon))):
        return True
    if not before.endswith("]"):
        return False
    close = len(before) - 1
    opening_after = before.rfind("]", 0, close) + 1
    clocks = list(_CLOCK.finditer(line, opening_after, close))
    if not clocks:
        return False
    last_clock = clocks[-1].start()
    mark_ends = [found.end() for found in (_ANGLE_ADDRESS.search(line, 0, last_clock), _AT_WORD.search(line, 0, last_clock)) if found]
    if (at_sign := line.find("@", 0, last_clock)) >= 0:
        mark_ends.append(at_sign + 1)
    return bool(mark_ends) and line.find("[", max(min(mark_ends), opening_after), last_clock) >= 0


# how deep a line is quoted: "> ", ">>", "> > "
_QUOTE_MARKS = re.compile(r"^(?:>[ \t]?)*")
QUOTE_MARKS = _QUOTE_MARKS  # for readers of quoted lines elsewhere (a patch inside a quote)
# a header field line of a forwarded or Outlook original ("From: ...", "*Sent:* ...", "Objet : ...")
_HEADER_FIELD = re.compile(r"^\s*\*?(?:[^\W\d_][\w-]{0,24}\s?:\*?(?:\s|$)|[\u3040-\u30ff\u4e00-\u9fff]{2,8}\s?[:：])")
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


def names_without_addresses(line: str, obfuscation: str | None = None) -> str:
    """A header line naming people without their addresses, as in a header block."""
    return _without_addresses(line, _address_pattern(obfuscation))


def header_block_lines_kept(lines: list[str]) -> list[str]:
    """The lines of a quoted original's header block (with the "-----Original Message-----"
    line or rule above it) end in ``body.HARD_BREAK``, so each field keeps its line even where the
    body builder would not see a header block (field names in Chinese or Japanese)."""
    out = list(lines)
    for first, last in _header_block_spans(out):
        above = _QUOTE_MARKS.sub("", out[first - 1]) if first else ""
        if ORIGINAL_MESSAGE.match(above) or UNDERSCORE_RULE.match(above):
            first -= 1
        for index in range(first, last):
            if not out[index].endswith(bodies.HARD_BREAK):
                out[index] += bodies.HARD_BREAK
    return out


def _address_pattern(obfuscation: str | None) -> re.Pattern:
    """An address in angle brackets (Gmail's Spanish "Ana (<ana@...>)" too, and the link after it
    that Thunderbird writes for an HTML reply's: "<ana@... <mailto:ana@...>>"), Outlook's
    ``[mailto:...]`` or parentheses (mutt's "Quoting Bob (bob@...)"), or bare (then perhaps
    followed by the name in parentheses), with "@" or the word pipermail wrote for it."""
    words = "|".join(re.escape(word) for word in sorted({"at", obfuscation or "at"}))
    address = (  # starting where a run of its characters starts: a long word is scanned once, not once per letter
        rf"(?<!{_ADDRESS_LOCAL[:-1]}){_ADDRESS_LOCAL}(?:@[A-Za-z0-9](?:[\w.-]*\w)?"
        rf"|\s+(?:{words})\s+[A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.[A-Za-z]{{2,}}\b)"
    )
    return re.compile(
        rf"(?P<bracketed>(?<!\s)\s*(?:(?P<paren>\()?[<\[]\s*(?:mailto:)?(?P<inner>{address})(?:\s*<(?:mailto:)?{address}>)?\s*[>\]](?(paren)\))"
        rf"|\(\s*(?:mailto:)?(?P<parenthesized>{address})\s*\)))"
        rf"|(?:mailto:)?(?P<bare>{address})(?:\s+\((?P<name>[^()<>@]+)\))?",
        re.IGNORECASE,
    )


def _without_addresses(text: str, pattern: re.Pattern, before: str = "") -> str:
    """The text with each address dropped after a name, else replaced by its local part
    (``before``: the text of its line before it, in another HTML element)."""

    def replace(match: re.Match) -> str:
        preceding = (before[-_WORDS_BEFORE:] + text[max(0, match.start() - _WORDS_BEFORE):match.start()])[-_WORDS_BEFORE:]
        if match.group("bracketed") and _ARTICLE_ID_BEFORE.search(preceding):
            return match.group(0)  # "In article <id@host>": a Message-ID, which the archive shows anyway
        if match.group("name"):
            return match.group("name").strip()
        if match.group("bracketed") and _ends_with_name(preceding):
            return ""
        address = match.group("inner") or match.group("parenthesized") or match.group("bare")
        lead = match.group(0)[:len(match.group(0)) - len(match.group(0).lstrip())]
        return lead + re.split(r"@|\s", address, maxsplit=1)[0]

    return pattern.sub(replace, text)


_WORDS_BEFORE = 200  # of the text before an address, enough for its owner's name or "In article": a line of many addresses stays linear


def _ends_with_name(before: str) -> bool:
    """Whether the text before an address ends with its owner's name (not a time or "wrote")."""
    words = before.split()
    return bool(words) and not _NOT_A_NAME.match(words[-1]) and not ATTRIBUTION_END.search(words[-1] + ":")


def _attribution_without_addresses(lines: list[str], pattern: re.Pattern) -> list[str]:
    """An attribution's lines without addresses, read together (Gmail wraps inside the
    brackets), and without a leading ``* `` mark that would make a list item of it; each
    keeps its quote marks, or all take the first line's when lines joined."""
    marks = [_QUOTE_MARKS.match(line).group(0) for line in lines]
    text = _without_addresses("\n".join(line[len(mark):] for line, mark in zip(lines, marks)), pattern)
    text = _STAR_MARK.sub("", text, count=1)
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
    a deeper quote (blank lines between) that :func:`attribution_start` recognises.  A quote
    can also be deeper by indentation alone: Thunderbird writes an HTML reply's quote inside
    a quote (Gmail's) as lines indented by four spaces under the attribution."""
    spans = []
    for depth, view in _depth_views(lines).items():
        for index, line in enumerate(view):
            if line == ">" or not line.strip():
                continue
            following = next((i for i in range(index + 1, len(view)) if view[i].strip()), None)
            if following is None:
                continue
            deeper = _quote_depth(lines[following]) > depth
            if not deeper and not (view[following] != ">" and _indent(view[following]) >= _indent(line) + _QUOTE_INDENT):
                if not (depth and ATTRIBUTION_END.search(line)):
                    continue
                start = attribution_start(view, index)  # Apple Mail quotes its attribution with the text below it
                if start is not None and _opens_quote(lines, start, depth):
                    spans.append((start, index))
                continue
            start = attribution_start(view, index)
            if start is not None:
                spans.append((start, index))
    return spans


def _opens_quote(lines: list[str], start: int, depth: int) -> bool:
    """Whether the line at ``start`` is the first of its quote: Apple Mail writes "> On <date>,
    Bob <bob@example.net> wrote:" as the quote's first line, the text it introduces below it
    at the same depth."""
    return start == 0 or _quote_depth(lines[start - 1]) < depth


# how much deeper than its attribution an indented quote starts (Thunderbird writes four spaces)
_QUOTE_INDENT = 4
_NESTING_LIMIT = 8  # quotes inside quotes made of indentation, at most


def indented_quotes_marked(lines: list[str]) -> list[str]:
    """Quotes Thunderbird wrote as indentation marked with ``>``.  Replying in plain text to an
    HTML message that quotes another (Gmail's), it renders the inner quote as lines indented by
    four spaces under their attribution; those lines (with any ``>`` marks of their own) are a
    quote one level deeper, their indentation taken off.  A block whose text is itself ``>``
    marks (Gnus's "    > " without a tag) is left to the quote marks."""
    out = list(lines)
    for _ in range(_NESTING_LIMIT):  # each round marks one level: a quote inside one waits for the next
        marked = _indented_quotes_one_level(out)
        if marked == out:
            return out
        out = marked
    return out


def _indented_quotes_one_level(lines: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        out.append(line)
        index += 1
        mark = _QUOTE_MARKS.match(line).group(0)
        depth, text = mark.count(">"), line[len(mark):]
        if not text.rstrip().endswith((":", "：")) or _indent(text) or attribution_start(_depth_window(lines, index - 1, depth), _ATTRIBUTION_LINES - 1) is None:
            continue  # every attribution ends in a colon: most lines are passed over at once
        end = _indented_block_end(lines, index, depth)
        if end is not None:
            out.extend(_one_level_deeper(quoted) for quoted in lines[index:end])
            index = end
    return out


# lines enough for :func:`attribution_start`, which reads an attribution's last line and the two before it
_ATTRIBUTION_LINES = 4


def _depth_window(lines: list[str], last: int, depth: int) -> list[str]:
    """The lines up to ``last`` as :func:`_depth_views` shows them at ``depth``, only as many as
    an attribution can span (padded with blank lines): building the view of every depth on
    every pass took a long message's length times its number of quote depths."""
    window = []
    for line in lines[max(0, last - _ATTRIBUTION_LINES + 1):last + 1]:
        mark = _QUOTE_MARKS.match(line).group(0)
        window.append(line[len(mark):] if mark.count(">") == depth else ">")
    return [""] * (_ATTRIBUTION_LINES - len(window)) + window


def _indented_block_end(lines: list[str], start: int, depth: int) -> int | None:
    """The end of the indented block starting after an attribution (blank lines before it
    kept with it), or None when the next text is not indented or is ``>`` marks itself."""
    end, first = None, True
    for index in range(start, len(lines)):
        mark = _QUOTE_MARKS.match(lines[index]).group(0)
        text = lines[index][len(mark):]
        if not text.strip():
            continue
        if mark.count(">") < depth or _indent(text) < _QUOTE_INDENT or (first and text.lstrip().startswith(">")):
            break
        first, end = False, index + 1
    return end


def _one_level_deeper(line: str) -> str:
    mark = _QUOTE_MARKS.match(line).group(0)
    depth, text = mark.count(">"), line[len(mark):]
    text = text[1:] if text.startswith("\t") else text[_QUOTE_INDENT:] if text.startswith(" " * _QUOTE_INDENT) else text.strip()
    return ">" * (depth + 1) + (" " + text if text.strip() else "")


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def _header_block_spans(lines: list[str]) -> list[tuple[int, int]]:
    """The first and last line of each header block at any depth: three or more field
    lines in a row with a ``From:`` and a ``Subject:`` line, or any field lines with a
    ``From:`` right under Outlook's "-----Original Message-----" (trimmed to ``From:`` alone),
    or mutt's "Forwarded message from X" line."""
    spans = []
    for view in _depth_views(lines).values():
        index = 0
        while index < len(view):
            if view[index] == ">":
                index += 1
                continue
            if MUTT_FORWARD_START.match(view[index]):
                spans.append((index, index))
            end = _header_block_end(view, index)
            block = view[index:end]
            has_from = any(map(HEADER_FROM.match, block))
            if len(block) >= 3 and has_from and any(map(HEADER_SUBJECT.match, block)):
                spans.append((index, end - 1))
            elif block and has_from and index and ORIGINAL_MESSAGE.match(view[index - 1]):
                spans.append((index, end - 1))
            index = max(end, index + 1)
    return spans


def _header_block_end(view: list[str], start: int) -> int:
    """Where the run of field lines from ``start`` ends.  Indented lines continue a field,
    and so do unindented ones before the ``Subject:`` line of a block opened by ``From:``
    (Outlook wraps a long ``From: X On Behalf Of Y`` or ``Cc:`` line without indenting it)."""
    end = start
    while end < len(view):
        line = view[end]
        if _HEADER_FIELD.match(line) or (end > start and line[:1] in (" ", "\t") and line.strip()):
            end += 1
        elif end > start and HEADER_FROM.match(view[start]) and _subject_follows(view, end):
            end += 1
        else:
            break
    return end


def _subject_follows(view: list[str], index: int) -> bool:
    """Whether a ``Subject:`` line comes within the next eight lines, none of them blank."""
    for line in view[index:index + 8]:
        if not line.strip() or line == ">":
            return False
        if HEADER_SUBJECT.match(line):
            return True
    return False


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
    """A paragraph ending like an attribution right before a quote, or opening one (Apple
    Mail's ``<blockquote type="cite"><div>On …, Bob <bob@…> wrote:</div>``)."""
    if not lines:
        return False
    following = paragraph.getnext()
    before_quote = following is not None and following.tag == "blockquote" and not (paragraph.tail or "").strip()
    parent = paragraph.getparent()
    opens_quote = (parent is not None and parent.tag == "blockquote" and parent.index(paragraph) == 0
                   and not (parent.text or "").strip() and bool(ATTRIBUTION_END.search(lines[-1].strip())))
    return (before_quote or opens_quote) and attribution_start([line.strip() for line in lines], len(lines) - 1) is not None


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
