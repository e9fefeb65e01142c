"""Message bodies: walking MIME parts and readying plain text for the body HTML subset.

Picks the inline text parts (text/plain preferred, one choice per multipart/alternative),
decodes them (guessing the charset of text that declares none, and saying so; undoing
``format=flowed``, see :mod:`~digest.sources.mail.flowed`), and
prepares plain text so that quoted originals without ``>`` markers (Outlook's
"-----Original Message-----" or ``From:``/``Sent:`` header block, an "On <date>, X wrote:"
line followed by the unquoted original) read as quotes, list footers and pipermail's
"next part" notes sit below the signature line, "On <date>, X wrote:" attributions stay
next to their quote, and in pipermail text the addresses Mailman obfuscated ("x at y")
do not break links; :func:`own_text` gives what a sender wrote without quotes or signature.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import lxml.etree
import lxml.html

from digest import body as bodies
from digest.sources.mail import flowed
from digest.sources.mail.decode import CONTROL_CHARS, codec_of, encodable, decode_bytes, guess_charset

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
    lines = text.split("\n")
    lines = _quote_outlook_original(lines)
    lines = _quote_unmarked_original(lines)
    lines = _footer_as_signature(lines)
    lines = _separate_attributions(lines)
    return "\n".join(lines)


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
    line = lines[index]
    return bool(_SCRUBBED_PART.match(line)) or bool(
        _LIST_FOOTER_RULE.match(line) and any(_LIST_FOOTER_HINT.search(x) for x in lines[index + 1:index + 4])
    )


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


def _is_attachment(part) -> bool:
    try:
        disposition = part.get("Content-Disposition")
        return bool(disposition) and str(disposition).strip().lower().startswith("attachment")
    except Exception:
        return True


def part_text(part, guesses: list[str]) -> str:
    """The part's text; a charset guessed for undeclared 8-bit text is added to ``guesses``."""
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
            guesses.append(guess)
            charset = guess
    text = decode_bytes(payload, charset)
    return flowed.unflow(text, flowed.deletes_space(part)) if flowed.is_flowed(part) else text


def _collect_text(part, plain: list[str], html: list[str], guesses: list[str], depth: int = 0) -> None:
    """Inline text/plain and text/html parts in order; one choice per multipart/alternative."""
    if depth > 30:
        return
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list):
            return
        if part.get_content_subtype() == "alternative":
            best_plain: list[str] = []
            best_html: list[str] = []
            for child in children:
                child_plain: list[str] = []
                child_html: list[str] = []
                _collect_text(child, child_plain, child_html, guesses, depth + 1)
                best_plain = best_plain or child_plain
                best_html = best_html or child_html
            if best_plain:
                plain.extend(best_plain)
            else:
                html.extend(best_html)
            return
        for child in children:
            _collect_text(child, plain, html, guesses, depth + 1)
        return
    if _is_attachment(part):
        return
    maintype, subtype = part.get_content_maintype(), part.get_content_subtype()
    if maintype != "text":
        return
    (html if subtype == "html" else plain).append(part_text(part, guesses))


class MailBody(NamedTuple):
    """A message's body HTML, whether it has readable text (not only a signature or
    pipermail's "attachment was scrubbed" note), and the charset guessed for it, if any."""

    html: str
    readable: bool
    charset_guess: str | None = None


def message_body(msg, obfuscation: str | None = None) -> MailBody:
    """The body in the HTML subset, text/plain preferred (``obfuscation``: see prepare_plain_text)."""
    plain: list[str] = []
    html: list[str] = []
    guesses: list[str] = []
    _collect_text(msg, plain, html, guesses)
    guess = guesses[0] if guesses else None
    plain = [p for p in plain if p.strip()]
    if plain:
        text = prepare_plain_text("\n\n".join(plain), obfuscation)
        lines = text.split("\n")
        before_signature = lines[:next((i for i, line in enumerate(lines) if line in ("-- ", "--")), len(lines))]
        return MailBody(bodies.from_plain_text(text), any(line.strip() for line in before_signature), guess)
    html = [h for h in html if h.strip()]
    if html:
        return MailBody(bodies.from_html(CONTROL_CHARS.sub("", "\n".join(html))), True, guess)
    return MailBody("", False, guess)


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
        return " ".join(root.text_content().split())
    except (lxml.etree.ParserError, ValueError):
        return bodies.prose_words(body_html)
