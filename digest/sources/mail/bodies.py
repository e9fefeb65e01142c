"""Message bodies: walking MIME parts and readying plain text for the body HTML subset.

Reads the inline text parts in order (text/plain preferred only inside a
multipart/alternative, so an HTML-only post keeps its text before a list's plain footer part),
decodes them (guessing the charset of text that declares none, and saying so; undoing
``format=flowed``, see :mod:`~digest.sources.mail.flowed`), and
prepares plain text so that quoted originals without ``>`` markers (Outlook's
"-----Original Message-----" or ``From:``/``Sent:`` header block, an "On <date>, X wrote:"
line followed by the unquoted original) and other quote marks (supercite's ``JH> ``,
ELM's ``:``, ``| ``) read as quotes, list footers and pipermail's "next part" and
"attachment was scrubbed" notes sit below the signature line, "On <date>, X wrote:"
attributions stay next to their quote, attributions and the header blocks of quoted
originals name people without their e-mail addresses, and in pipermail text the addresses
Mailman obfuscated ("x at y") do not break links.  A forwarded ``message/rfc822`` part is quoted
under a line naming its sender, date and subject, and an HTML-only reply has its
Outlook original put in a blockquote too.  Inline PGP-signed text loses its armour and
signature block (RFC 4880's dash-escapes undone), mutt's "Forwarded message from X" block
is quoted, and a uuencoded file in the text is left out, each with a note where something
goes.  :func:`own_text` gives what a sender wrote
without quotes or signature.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from html import escape as html_escape
from typing import NamedTuple

import lxml.etree
import lxml.html

from digest import body as bodies
from digest.sources.mail import flowed
from digest.sources.mail.decode import (
    CONTROL_CHARS,
    author_name,
    charset_label,
    clean_line,
    codec_of,
    decode_encoded_words,
    decode_text,
    encodable,
    guess_charset,
)

# ---------------------------------------------------------------------------- bodies

_ATTRIBUTION_END = re.compile(
    r"(?:wrote|writes|said|a écrit|schrieb|escribió|escreveu|ha scritto|skrev|napisał|kirjoitti|"
    r"heeft geschreven|schreef|написал|написала|napsal|írta|yazdı|υπέγραψε)\s*:\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(
    r"^(?:On|Le|Am|El|Il|Em|Op|Den|Dne|W dniu|Quoting|Citando|Zitat von|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})\b"
)
_DATED_ADDRESS_INTRO = re.compile(r"(?:\d{1,2}:\d{2}|\d{4}).*(?:<[^<>]+>|@|\sat\s)\S*\s*:\s*$")
_LIST_FOOTER_RULE = re.compile(r"^_{20,}\s*$")
_LIST_FOOTER_HINT = re.compile(r"mailing list|listinfo|mailman|unsubscribe", re.IGNORECASE)
# Mailman 2's "-------------- next part --------------" as its translations write it (mailman.po:
# en, de, fr, es, it, pt_BR, nl)
_SCRUBBED_PART = re.compile(
    r"^-{5,} ?(?:next part|nächster Teil|section suivante|siguiente parte|parte successiva|próxima parte|volgend deel)",
    re.IGNORECASE,
)
# Mailman 2's Scrubber note standing alone (a message that was only HTML), "URL:" on the next line
_SCRUBBED_NOTE = re.compile(r"^(?:An HTML attachment|A non-text attachment) was scrubbed\.\.\.\s*$")
# Mailman 2's Scrubber for a part it could not convert (often glued to the "next part" line)
_SKIPPED_CONTENT = re.compile(r"^Skipped content of type [\w.+-]+/[\w.+-]+")
# Yahoo! Groups' sponsor block ("---- Yahoo! Groups Sponsor ----~-->") and link list, and
# Google Groups' footer of 2007-2011 ("--~--~---------~--~----~---...")
_GROUPS_FOOTER = re.compile(r"^(?:-{3,} ?Yahoo! Groups Sponsor ?-+~-->|Yahoo! Groups Links\s*$|--~--~-+~[-~]*$)")
_DASH_RULE = re.compile(r"^-{20,}\s*$")
_OUTLOOK_ORIGINAL = re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE)
# Outlook's header block of the original: From:, then Sent: (or Date:) and To:/Subject:
_HEADER_FROM = re.compile(r"^\s*\*?(?:From|Von|De|Da|Van|Från|Fra|Od|От)\s*:\*?\s+\S", re.IGNORECASE)
_HEADER_SENT = re.compile(
    r"^\s*\*?(?:Sent|Gesendet|Envoyé|Enviado|Inviato|Verzonden|Skickat|Sendt|Wysłano|Отправлено)\s*:", re.IGNORECASE
)
_HEADER_DATE = re.compile(r"^\s*\*?(?:Date|Datum|Fecha|Data)\s*:", re.IGNORECASE)
_HEADER_TO = re.compile(r"^\s*\*?(?:To|An|À|A|Para|Aan|Till|Til|Do|Кому)\s*:", re.IGNORECASE)
_HEADER_SUBJECT = re.compile(
    r"^\s*\*?(?:Subject|Betreff|Objet|Asunto|Oggetto|Onderwerp|Ämne|Emne|Temat|Тема)\s*:", re.IGNORECASE
)


def prepare_plain_text(text: str, obfuscation: str | None = None) -> str:
    """Plain mail text readied for ``body.from_plain_text``.

    Forwarded-original blocks become ``>`` quotes, list footers and pipermail's
    "next part" notes go below a ``-- `` line (so excerpts skip them like a signature),
    and an "On <date>, X wrote:" line is kept as its own paragraph right before its quote.
    ``obfuscation`` is the word Mailman put for "@" in this text (pipermail), if any.
    """
    text = CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "..."))
    if obfuscation:
        text = _undo_obfuscated_links(text, obfuscation)
    lines = _marked_quotes(text.split("\n"))
    lines = _quote_mutt_forward(lines)
    lines = _quote_outlook_original(lines)
    lines = _quote_unmarked_original(lines)
    lines = _footer_as_signature(lines)
    lines = _separate_attributions(lines)
    lines = _addresses_left_out(lines, obfuscation)
    return "\n".join(lines)


# Gnus/supercite's attribution: '>>>>> "JH" == John Hacker <jh@example.com> writes:'
_SUPERCITE_ATTRIBUTION = re.compile(r'^>{2,}\s*"(?P<tag>[^"]{0,20})"\s*==\s*\S.*$')
# supercite's "JH> " (initials, or the tag an attribution line names), ELM's ":", and "| "
_SUPERCITE_PREFIX = re.compile(r"^(?P<tag>[A-Za-z][\w.-]{0,19})> ?")
_INITIALS = re.compile(r"^[A-Z]{1,4}$")
_PROMPTS = {"SQL", "DB", "CMD", "PS"}
_COLON_PREFIX = re.compile(r"^:(?!:)")
_PIPE_PREFIX = re.compile(r"^\| ?")
# supercite with a blank tag (Gnus, VM): "    > text", the mark indented, ">>" for a quote's quote
_INDENTED_MARK = re.compile(r"^[ \t]{2,12}>")


def _marked_quotes(lines: list[str]) -> list[str]:
    """Quote marks other than ``>`` turned into ``>``: `` >`` (Netscape 4 put a space
    first), supercite's ``JH> `` (Gnus), ELM's ``:`` and ``| ``, each only on a block of two
    or more consecutive lines (a single
    ``:`` line is prose), and the ``>>>>> "JH" == ... writes:`` line they follow made
    a plain attribution line rather than five levels of quote.  After a blank tag's
    attribution (``>>>>> " " == ...``) the indented ``    > `` lines are its quote."""
    tags = {m.group("tag").strip() for m in map(_SUPERCITE_ATTRIBUTION.match, lines) if m}
    out = [_plain_attribution(line) if _SUPERCITE_ATTRIBUTION.match(line) else line for line in lines]
    index = 0
    while index < len(out):
        end, quoted = _quote_block(out, index, tags)
        if quoted:
            out[index:end] = [_as_marked_quote(line, tags) for line in out[index:end]]
        index = max(end, index + 1)
    return out


def _plain_attribution(line: str) -> str:
    """``>>>>> "JH" == John writes:`` without its five marks (and a blank tag's ``" " ==``)."""
    line = line.lstrip(">").lstrip()
    return re.sub(r'^"\s*"\s*==\s*', "", line)


def _prefix_kind(line: str, tags: set[str]) -> str | None:
    """Which other quote mark opens the line: ``>`` after a space (Netscape 4), a supercite
    tag, ``:`` or ``|``."""
    if line.startswith(" >"):
        return " >"
    if "" in tags and _INDENTED_MARK.match(line):
        return "indented"
    supercite = _SUPERCITE_PREFIX.match(line)
    if supercite:
        tag = supercite.group("tag")
        if tag in tags or (_INITIALS.match(tag) and tag not in _PROMPTS):
            return "tag:" + tag
    if _COLON_PREFIX.match(line):
        return ":"
    if _PIPE_PREFIX.match(line) and not line.rstrip().endswith("|"):  # a table row ends with one too
        return "|"
    return None


def _quote_block(lines: list[str], start: int, tags: set[str]) -> tuple[int, bool]:
    """The end of the run of lines carrying the same mark as ``start``, and whether it is
    a quote (not one line alone, nor colons without a quote-shaped line)."""
    kind = _prefix_kind(lines[start], tags)
    if kind is None:
        return start, False
    end = start
    while end < len(lines) and _prefix_kind(lines[end], tags) == kind:
        end += 1
    block = lines[start:end]
    named = kind == "indented" or (kind.startswith("tag:") and kind[4:] in tags)
    if len(block) < 2 and not named:
        return end, False
    if kind == ":" and not any(line.rstrip() == ":" or line.startswith((": ", ":>")) for line in block):
        return end, False  # ":set ai" commands, not ELM's quote
    return end, True


def _as_marked_quote(line: str, tags: set[str]) -> str:
    if line.startswith(" >"):
        return line[1:]
    if "" in tags and _INDENTED_MARK.match(line):
        return line.lstrip(" \t")
    supercite = _SUPERCITE_PREFIX.match(line)
    if supercite and (supercite.group("tag") in tags or _INITIALS.match(supercite.group("tag"))):
        rest = line[supercite.end():]
    elif line.startswith(":"):
        rest = line[1:]
    else:
        rest = _PIPE_PREFIX.sub("", line, count=1)
    rest = rest.lstrip(" ") if not rest.startswith(">") else rest
    return ">" + (rest if rest.startswith(">") else (" " + rest if rest else ""))


# mutt's forward_attribution_intro and _trailer: "----- Forwarded message from X -----"
_MUTT_FORWARD_START = re.compile(r"^-{5} ?Forwarded message from .+ ?-{5}\s*$")
_MUTT_FORWARD_END = re.compile(r"^-{5} ?End forwarded message ?-{5}\s*$")


def _quote_mutt_forward(lines: list[str]) -> list[str]:
    """mutt's inline forward: the lines between its "Forwarded message from X" and "End
    forwarded message" lines are the forwarded original, quoted under the first (the end
    line goes, as the quote ends there); without an end line, up to a list footer."""
    start = next((i for i, line in enumerate(lines) if _MUTT_FORWARD_START.match(line)), None)
    if start is None:
        return lines
    end = next((i for i in range(start + 1, len(lines)) if _MUTT_FORWARD_END.match(lines[i])), None)
    if end is None:
        return _quote_from(lines, start + 1)
    original = lines[start + 1:end]
    while original and not original[0].strip():
        original = original[1:]
    quoted = ["> " + line if line.strip() else ">" for line in original]
    return lines[:start + 1] + quoted + lines[end + 1:]


def _quote_outlook_original(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if line in ("-- ", "--"):
            return lines
        if _OUTLOOK_ORIGINAL.match(line) or _outlook_header_block(lines, index):
            return _quote_from(lines, index)
    return lines


def _outlook_header_block(lines: list[str], index: int) -> bool:
    """``From:`` followed by ``Sent:`` (or ``Date:`` with ``To:`` and ``Subject:``) lines:
    the header block Outlook writes above an original without any marker."""
    if not _HEADER_FROM.match(lines[index]):
        return False
    following = lines[index + 1:index + 6]
    sent = any(_HEADER_SENT.match(line) for line in following)
    dated = any(_HEADER_DATE.match(line) for line in following) and any(_HEADER_TO.match(line) for line in following)
    return (sent or dated) and any(_HEADER_SUBJECT.match(line) for line in following)


def _quote_unmarked_original(lines: list[str]) -> list[str]:
    """An "On <date>, X wrote:" line followed by text without ``>``: that text is the
    original (some clients quote without markers), quoted up to a list footer.  Only the
    first attribution counts, and only before any ``>`` quote or signature."""
    for index, line in enumerate(lines):
        if line in ("-- ", "--") or line.startswith(">"):
            return lines
        start = _strict_attribution_start(lines, index) if _ATTRIBUTION_END.search(line.strip()) else None
        if start is None or not any(ch.isdigit() for ch in " ".join(lines[start:index + 1])):
            continue  # a client's attribution carries the date: "On Tue, 2 Apr 2019 ... wrote:"
        following = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), None)
        if following is None or lines[following].startswith(">") or _is_footer(lines, following):
            return lines
        return _quote_from(lines, following)
    return lines


def _strict_attribution_start(lines: list[str], last: int) -> int | None:
    """The first line of an attribution that opens like one ("On <date>, ..."), or None."""
    for start in range(last, max(last - 3, -1), -1):
        if not lines[start].strip() or lines[start].startswith(">"):
            return None
        if _ATTRIBUTION_START.match(lines[start].strip()):
            return start
    return None


def _quote_from(lines: list[str], start: int) -> list[str]:
    """Lines from ``start`` quoted with ``>``, up to a list footer or "next part" note."""
    end = next((i for i in range(start, len(lines)) if _is_footer(lines, i)), len(lines))
    return lines[:start] + ["> " + rest for rest in lines[start:end]] + lines[end:]


def _is_footer(lines: list[str], index: int) -> bool:
    """Where a list's footer starts: Mailman's rule and list lines, its Scrubber notes,
    Yahoo! Groups' sponsor block or "Yahoo! Groups Links" (the rule of dashes before
    either), Google Groups' ``--~--~--`` block of 2007-2011."""
    line = lines[index]
    if _SCRUBBED_NOTE.match(line):
        return any(x.lstrip().lower().startswith(("url", "name:")) for x in lines[index + 1:index + 3])
    if _GROUPS_FOOTER.match(line):
        return True
    following = lines[index + 1:index + 4]
    return bool(_SCRUBBED_PART.match(line) or _SKIPPED_CONTENT.match(line)) or bool(
        _LIST_FOOTER_RULE.match(line) and any(_LIST_FOOTER_HINT.search(x) for x in following)
    ) or bool(_DASH_RULE.match(line) and any(_GROUPS_FOOTER.match(x) for x in following))


_ADDRESS_CHARS = r"[^\s<>\"'()\[\]]"
_TRAILING_PUNCTUATION = ".,;:!?"


def _undo_obfuscated_links(text: str, word: str) -> str:
    """Mailman wrote "@" as " at " everywhere, links included: a URL is joined again
    (``index.php at Page.html``), a ``<mailto:x at y>`` repeating the address before it is
    dropped, and any other ``mailto:x at y`` is left as the address text, not a broken link."""
    at = rf"\s{re.escape(word)}\s"
    url = re.compile(rf"\b((?:https?|ftp)://{_ADDRESS_CHARS}+){at}([A-Za-z0-9]{_ADDRESS_CHARS}*)")

    def join_url(match: re.Match) -> str:
        rest = match.group(2).rstrip(_TRAILING_PUNCTUATION)
        if not any(ch in rest for ch in "./"):  # "see http://x.org at noon": prose, not a URL
            return match.group(0)
        return match.group(1) + "@" + rest + match.group(2)[len(rest):]

    text = url.sub(join_url, text)
    address = rf"{_ADDRESS_CHARS}+{at}[A-Za-z0-9][\w.-]*\.[A-Za-z]{{2,}}"
    mailto = re.compile(rf"\s*<mailto:({address})>|mailto:({address})", re.IGNORECASE)

    def unlink(match: re.Match) -> str:
        if match.group(1) is None:
            return match.group(2)
        if text.endswith(match.group(1), 0, match.start()):
            return ""  # Outlook's "x at y<mailto:x at y>": the same address twice
        return re.sub("mailto:", "", match.group(0), count=1, flags=re.IGNORECASE)

    return mailto.sub(unlink, text)


def _footer_as_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if line in ("-- ", "--"):
            return lines
        if _is_footer(lines, index):
            return lines[:index] + ["-- "] + lines[index:]
    return lines


def _separate_attributions(lines: list[str]) -> list[str]:
    out = list(lines)
    index = len(out) - 1
    while index > 0:
        if out[index].startswith(">") and not out[index - 1].startswith(">"):
            intro = index - 1
            while intro >= 0 and not out[intro].strip():
                intro -= 1
            start = _attribution_start(out, intro)
            if start is not None:
                out[intro + 1:index] = []  # no blank between the attribution and its quote
                if start > 0 and out[start - 1].strip():
                    out.insert(start, "")
                index = start
        index -= 1
    return out


def _attribution_start(lines: list[str], last: int) -> int | None:
    """First line of an attribution ending at ``last`` (up to three wrapped lines), or None."""
    if last < 0 or lines[last].startswith(">"):
        return None
    line = lines[last].strip()
    if not (_ATTRIBUTION_END.search(line) or _DATED_ADDRESS_INTRO.search(line)):
        return None
    for start in range(last, max(last - 3, -1), -1):
        if not lines[start].strip() or lines[start].startswith(">"):
            break
        if _ATTRIBUTION_START.match(lines[start].strip()):
            return start
    return last


# how deep a line is quoted: "> ", ">>", "> > "
_QUOTE_MARKS = re.compile(r"^(?:>[ \t]?)*")
# a header field line of a forwarded or Outlook original ("From: ...", "*Sent:* ...", "Objet : ...")
_HEADER_FIELD = re.compile(r"^\s*\*?[^\W\d_][\w-]{0,24}\s?:\*?(?:\s|$)")
_ADDRESS_LOCAL = r"[^\s<>\"'()\[\],;:@]+"
# a word before an address that is not a name: a time, a date, "AM", or the punctuation after one
_NOT_A_NAME = re.compile(r"^(?:\S*[\d,:;(\[]|[AaPp]\.?[Mm]\.?)$")


def _addresses_left_out(lines: list[str], obfuscation: str | None) -> list[str]:
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
            if not _HEADER_SUBJECT.match(_QUOTE_MARKS.sub("", out[index])):
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
    return bool(words) and not _NOT_A_NAME.match(words[-1]) and not _ATTRIBUTION_END.search(words[-1] + ":")


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
    a deeper quote (blank lines between) that :func:`_attribution_start` recognises."""
    spans = []
    for depth, view in _depth_views(lines).items():
        for index, line in enumerate(view):
            if line == ">" or not line.strip():
                continue
            following = next((i for i in range(index + 1, len(view)) if view[i].strip()), None)
            if following is None or _quote_depth(lines[following]) <= depth:
                continue
            start = _attribution_start(view, index)
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
            if _MUTT_FORWARD_START.match(view[index]):
                spans.append((index, index))
            end = index
            while end < len(view) and (
                _HEADER_FIELD.match(view[end]) or (end > index and view[end][:1] in (" ", "\t") and view[end].strip())
            ):
                end += 1
            block = view[index:end]
            if len(block) >= 3 and any(map(_HEADER_FROM.match, block)) and any(map(_HEADER_SUBJECT.match, block)):
                spans.append((index, end - 1))
            index = max(end, index + 1)
    return spans


def _is_attachment(part) -> bool:
    try:
        disposition = part.get("Content-Disposition")
        return bool(disposition) and str(disposition).strip().lower().startswith("attachment")
    except Exception:
        return True


def part_text(part, notes: list[str]) -> str:
    """The part's text.  What had to be assumed is added to ``notes`` as the end of a
    sentence about "the text of" the message: a charset guessed for 8-bit text that
    declares none (or one that is not known), characters the declared charset could not read."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) and encodable(raw) else b""
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    codec = codec_of(charset)
    if codec is None or (codec == "ascii" and not payload.isascii()):  # pipermail declares none
        guess = guess_charset(payload)
        if guess:
            notes.append(_guess_note(charset, codec, guess))
            charset = guess
    text, replaced = decode_text(payload, charset)
    if replaced:
        label = charset_label(codec_of(charset))
        notes.append(f"is not all valid {label}; the bytes it could not read were replaced by U+FFFD")
    return flowed.unflow(text, flowed.deletes_space(part)) if flowed.is_flowed(part) else text


def _guess_note(declared: str | None, codec: str | None, guess: str) -> str:
    if codec == "ascii":
        said = "declares US-ASCII but holds 8-bit text"
    elif declared and declared.strip().strip("\"'").strip():
        said = f"declares the charset {declared.strip()!r}, which is not known"
    else:
        said = "declares no charset"
    return f"{said}; it was read as {charset_label(guess)} (a guess)"


@dataclass(frozen=True)
class _TextPart:
    """One inline text part in reading order: plain text, or an HTML document."""

    text: str
    is_html: bool


def _collect_text(part, found: list[_TextPart], notes: list[str], depth: int = 0) -> None:
    """Inline text/plain and text/html parts in the order they are read; plain versus HTML
    is chosen only inside a multipart/alternative (a list's text footer after an HTML-only
    post is a part of its own); an attached message (a forward) quoted under a line naming
    its sender, date and subject."""
    if depth > 30:
        return
    if part.get_content_type() == "message/rfc822" and isinstance(part.get_payload(), list) and part.get_payload():
        found.append(_TextPart(_forwarded_text(part.get_payload()[0], notes, depth + 1), False))
        return
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list):
            return
        if part.get_content_subtype() == "alternative":
            found.extend(_preferred_alternative(children, notes, depth + 1))
            return
        for child in children:
            _collect_text(child, found, notes, depth + 1)
        return
    if _is_attachment(part):
        return
    if part.get_content_maintype() == "text":
        found.append(_TextPart(part_text(part, notes), part.get_content_subtype() == "html"))


def _preferred_alternative(children: list, notes: list[str], depth: int) -> list[_TextPart]:
    """The text of one version of a multipart/alternative: the first one that is all plain
    text, else the first one with any text."""
    versions: list[list[_TextPart]] = []
    for child in children:
        version: list[_TextPart] = []
        _collect_text(child, version, notes, depth)
        versions.append([piece for piece in version if piece.text.strip()])
    plain = next((v for v in versions if v and not any(piece.is_html for piece in v)), None)
    return plain if plain is not None else next((v for v in versions if v), [])


def _forwarded_text(inner, notes: list[str], depth: int) -> str:
    """A ``message/rfc822`` part is someone else's message: its text is a quote, not the
    forwarder's own words.  Its HTML is read as plain text to be quoted."""
    pieces: list[_TextPart] = []
    _collect_text(inner, pieces, notes, depth)
    texts = [
        bodies.plain_text(bodies.from_html(CONTROL_CHARS.sub("", piece.text))) if piece.is_html else piece.text
        for piece in pieces
    ]
    text = "\n\n".join(t for t in texts if t.strip())
    quoted = ["> " + line if line.strip() else ">" for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join([_forward_attribution(inner)] + quoted)


def _forward_attribution(inner) -> str:
    """``Forwarded message from Dave (Sun, 1 Mar 2020 10:00:00 +0000): crash report``."""
    def field(name: str) -> str:
        try:
            return clean_line(decode_encoded_words(str(inner.get(name) or "")))
        except Exception:  # a header the email package cannot render
            return ""

    sender = author_name(field("From")) if field("From") else ""
    when, subject = field("Date"), field("Subject")
    line = "Forwarded message" + (f" from {sender}" if sender else "") + (f" ({when})" if when else "")
    return line + (f": {subject}" if subject else ":")


class MailBody(NamedTuple):
    """A message's body HTML, whether it has readable text (not only a signature or
    pipermail's "attachment was scrubbed" note), and what reading its text assumed or
    left out, each the end of a sentence about "the text of" the message (see :func:`part_text`)."""

    html: str
    readable: bool
    text_notes: tuple[str, ...] = ()


def message_body(msg, obfuscation: str | None = None) -> MailBody:
    """The body in the HTML subset, its parts in reading order (``obfuscation``: see prepare_plain_text)."""
    found: list[_TextPart] = []
    notes: list[str] = []
    _collect_text(msg, found, notes)
    html: list[str] = []
    readable = False
    pieces = _without_html_copies([piece for piece in found if piece.text.strip()])
    for is_html, run in itertools.groupby(pieces, key=lambda piece: piece.is_html):
        texts = [piece.text for piece in run]
        if is_html:
            html.append(_html_run(texts))
            readable = True
        else:
            run_html, run_readable = _plain_run(texts, obfuscation, notes)
            html.append(run_html)
            readable = readable or run_readable
    return MailBody("".join(html), readable, tuple(dict.fromkeys(notes)))


def _html_run(texts: list[str]) -> str:
    return _html_addresses_left_out(bodies.from_html(quote_html_original(CONTROL_CHARS.sub("", "\n".join(texts)))))


def _html_addresses_left_out(body_html: str) -> str:
    """An HTML-only message's attributions (a paragraph ending like one right before a
    quote) and original header blocks without addresses, as :func:`_addresses_left_out`
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
    return _attribution_start([line.strip() for line in lines], len(lines) - 1) is not None


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
        if text and not _HEADER_SUBJECT.match(line + text):
            setattr(*slot, _without_addresses(text, pattern, line))
        line += text


def _plain_run(texts: list[str], obfuscation: str | None, notes: list[str]) -> tuple[str, bool]:
    """Plain parts read together as body HTML, and whether they hold text before a signature."""
    text = _without_uuencoded_files(_without_pgp_armour("\n\n".join(texts), notes), notes)
    text = prepare_plain_text(text, obfuscation)
    lines = text.split("\n")
    readable = any(line.strip() for line in lines[:_signature_line(lines)])
    return bodies.from_plain_text(text, short_lines_kept=True), readable


def _without_html_copies(pieces: list[_TextPart]) -> list[_TextPart]:
    """Without an HTML part that repeats a plain part's words (a mailer that sends both
    versions side by side instead of as a multipart/alternative)."""
    plain = {_letters(piece.text) for piece in pieces if not piece.is_html}
    if not plain or all(not piece.is_html for piece in pieces):
        return pieces
    return [p for p in pieces if not (p.is_html and _letters(bodies.plain_text(_html_run([p.text]))) in plain)]


def _letters(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


# RFC 4880 7: clearsigned text, at any quote depth ("> -----BEGIN PGP SIGNED MESSAGE-----")
_PGP_SIGNED = re.compile(r"^(?P<marks>(?:> ?)*)-----BEGIN PGP SIGNED MESSAGE-----\s*$")
_PGP_ARMOUR_HEADER = re.compile(r"^(?:Hash|Charset|Comment|Version|NotDashEscaped): ", re.IGNORECASE)
_PGP_SIGNATURE_START = "-----BEGIN PGP SIGNATURE-----"
_PGP_SIGNATURE_END = "-----END PGP SIGNATURE-----"
_PGP_NOTE = (
    "is PGP-signed inline: the armour lines and the signature block were left out "
    "(the signature was not checked)"
)


def _without_pgp_armour(text: str, notes: list[str]) -> str:
    """Clearsigned text as its signer wrote it: the ``BEGIN PGP SIGNED MESSAGE`` line and
    its ``Hash:`` headers gone, dash-escaped lines (``- -- `` for a signature line,
    ``- ----`` for a rule) unescaped, the signature block left out (with a note)."""
    lines = text.split("\n")
    index = 0
    signed = False
    while index < len(lines):
        match = _PGP_SIGNED.match(lines[index])
        if match:
            lines, index = _unarmoured(lines, index, match.group("marks").count(">"))
            signed = True
        else:
            index += 1
    if signed:
        notes.append(_PGP_NOTE)
    return "\n".join(lines)


def _unarmoured(lines: list[str], start: int, depth: int) -> tuple[list[str], int]:
    """The lines with the clearsigned block opening at ``start`` (quoted ``depth`` times)
    unarmoured, and the index after it."""
    marks = re.compile(r"^(?:> ?){%d}" % depth)

    def inside(line: str) -> str | None:
        """The line without the block's quote marks, or None when it is outside the block."""
        found = marks.match(line)
        return line[found.end():] if found else None

    index = start + 1
    while index < len(lines) and _PGP_ARMOUR_HEADER.match(inside(lines[index]) or ""):
        index += 1
    if index < len(lines) and not (inside(lines[index]) or "").strip():
        index += 1  # the blank line after the armour headers
    out = lines[:start]
    while index < len(lines) and inside(lines[index]) is not None:
        content = inside(lines[index])
        if content.rstrip() == _PGP_SIGNATURE_START:
            index = _after_signature(lines, index, inside)
            break
        prefix = lines[index][:len(lines[index]) - len(content)]
        out.append(prefix + content[2:] if content.startswith("- ") else lines[index])
        index += 1
    return out + lines[index:], len(out)


def _after_signature(lines: list[str], start: int, inside) -> int:
    """The index after the ``END PGP SIGNATURE`` line, or after the block's last line."""
    index = start + 1
    while index < len(lines) and inside(lines[index]) is not None:
        if inside(lines[index]).rstrip() == _PGP_SIGNATURE_END:
            return index + 1
        index += 1
    return index


# uuencode(1): "begin <mode> <name>", lines whose first character gives their length, "`", "end"
_UUENCODE_BEGIN = re.compile(r"^begin [0-7]{3,4} (?P<name>\S.*?)\s*$")
_UUENCODE_LINE = re.compile(r"^[ -`]{1,62}$")


def _without_uuencoded_files(text: str, notes: list[str]) -> str:
    """A uuencoded file pasted into the text (before MIME) left out, with a note naming it."""
    lines = text.split("\n")
    names: list[str] = []
    index = 0
    while index < len(lines):
        match = _UUENCODE_BEGIN.match(lines[index])
        end = _uuencoded_end(lines, index) if match else None
        if end is None:
            index += 1
            continue
        names.append(match.group("name"))
        lines[index:end] = []
    if names:
        notes.append(f"holds uuencoded file(s), left out: {', '.join(names)}")
    return "\n".join(lines)


def _uuencoded_end(lines: list[str], begin: int) -> int | None:
    """The index after the ``end`` line closing the uuencoded file opened at ``begin``, when
    every line between is a uuencoded line no longer than its length character says."""
    for index in range(begin + 1, len(lines)):
        line = lines[index].rstrip("\r")
        if line.rstrip() == "end":
            return index + 1 if index > begin + 1 else None
        if line and not (_UUENCODE_LINE.match(line) and len(line) - 1 <= _uuencoded_length(line[0]) + 1):
            return None
    return None


def _uuencoded_length(first: str) -> int:
    """How many characters a uuencoded line carries after its length character."""
    return -(-((ord(first) - 32) & 63) // 3) * 4


def _signature_line(lines: list[str]) -> int:
    """The index of the ``-- `` line that opens the signature, or the number of lines."""
    return next((i for i, line in enumerate(lines) if line in ("-- ", "--")), len(lines))


def quote_html_original(document: str) -> str:
    """An HTML reply with the original below an Outlook header block (``From:``, ``Sent:``,
    ``To:``, ``Subject:``) or an "Original Message" line: that block and all after it put
    in ``<blockquote>``, as :func:`prepare_plain_text` does for plain text."""
    if not _ORIGINAL_HINT.search(document):
        return document  # most HTML mail: no need to parse it twice
    try:
        root = lxml.html.document_fromstring(document)
    except (lxml.etree.ParserError, ValueError):
        return document
    try:
        start = next((e for e in root.iter("p", "div") if _opens_original(_element_lines(e))), None)
    except RecursionError:  # nesting deeper than any mail client writes
        return document
    if start is None:
        return document
    _quote_from_node(start, start)
    ancestor = start.getparent().getparent()  # past the blockquote just made
    while ancestor is not None and ancestor.tag not in ("body", "html") and ancestor.getparent() is not None:
        following = ancestor.getnext()
        if following is not None:  # what comes after the block that holds the original
            _quote_from_node(following, ancestor)
        ancestor = ancestor.getparent()
    return lxml.html.tostring(root, encoding="unicode")


_ORIGINAL_HINT = re.compile(
    r"original message|subject|betreff|objet|asunto|oggetto|onderwerp|ämne|emne|temat|тема", re.IGNORECASE
)
_LINES_LOOKED_AT = 2000  # characters: the header block is at the element's start


def _element_lines(element) -> list[str]:
    """The first lines of the element's text as its reader sees them (``<br>`` and blocks break them)."""
    parts: list[str] = []
    _text_pieces(element, parts, [_LINES_LOOKED_AT])
    return [line.strip() for line in "".join(parts).split("\n") if line.strip()][:8]


def _text_pieces(node, parts: list[str], budget: list[int]) -> None:
    """The text under ``node`` in reading order, until ``budget`` characters are read."""
    if budget[0] <= 0 or not isinstance(node.tag, str) or node.tag in ("style", "script", "head"):
        return
    if node.tag in ("br", "p", "div"):
        parts.append("\n")
    for piece in [node.text] + [child for child in node]:
        if isinstance(piece, str):
            parts.append(piece)
            budget[0] -= len(piece)
        elif piece is not None:
            _text_pieces(piece, parts, budget)
            if piece.tail:
                parts.append(piece.tail)
                budget[0] -= len(piece.tail)


def _opens_original(lines: list[str]) -> bool:
    return bool(lines) and (bool(_OUTLOOK_ORIGINAL.match(lines[0])) or _outlook_header_block(lines, 0))


def _quote_from_node(first, after) -> None:
    """``first`` and the siblings after it moved into a new ``<blockquote>`` in its place,
    with the text that follows ``after`` (an ancestor's tail is what comes after it)."""
    parent = first.getparent()
    quote = lxml.html.Element("blockquote")
    if after is not first and after.tail and after.tail.strip():
        quote.text, after.tail = after.tail, None
    parent.insert(parent.index(first), quote)
    for node in list(parent)[parent.index(quote) + 1:]:
        quote.append(node)  # a node's tail text moves with it


def own_text(body_html: str) -> str:
    """The text a sender wrote: the body without quotes, signature and code (for mentions:
    a patch's ``@@ -1,7`` or a decorator is nobody)."""
    if not body_html:
        return ""
    try:
        root = lxml.html.fragment_fromstring(body_html, create_parent="div")
        for element in list(root.iter("blockquote", "pre", "code", "p")):
            if element.tag in ("blockquote", "pre", "code") or element.get("class") == bodies.SIGNATURE_CLASS:
                element.drop_tree()
        for element in root.iter("p", "li", "br"):
            element.tail = " " + (element.tail or "")  # paragraphs do not run into each other
        return " ".join(root.text_content().split())
    except (lxml.etree.ParserError, ValueError):
        return bodies.prose_words(body_html)
