"""Message bodies: walking MIME parts and readying plain text for the body HTML subset.

Picks the inline text parts (text/plain preferred, one choice per multipart/alternative),
decodes them, and prepares plain text so that forwarded Outlook originals read as quotes,
list footers and pipermail's "next part" notes sit below the signature line, and
"On <date>, X wrote:" attributions stay next to their quote; :func:`own_text` gives
what a sender wrote without quotes or signature.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from digest import body as bodies
from digest.sources.mail.decode import _CONTROL, _encodable, decode_bytes

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
_SCRUBBED_PART = re.compile(r"^-{5,} ?(?:next part|Next Part|nächster Teil|section suivante|siguiente parte)", re.IGNORECASE)
_OUTLOOK_ORIGINAL = re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE)


def prepare_plain_text(text: str) -> str:
    """Plain mail text readied for ``body.from_plain_text``.

    Forwarded-original blocks become ``>`` quotes, list footers and pipermail's
    "next part" notes go below a ``-- `` line (so excerpts skip them like a signature),
    and an "On <date>, X wrote:" line is kept as its own paragraph right before its quote.
    """
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "..."))
    lines = text.split("\n")
    lines = _quote_outlook_original(lines)
    lines = _footer_as_signature(lines)
    lines = _separate_attributions(lines)
    return "\n".join(lines)


def _quote_outlook_original(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if line in ("-- ", "--"):
            return lines
        if _OUTLOOK_ORIGINAL.match(line):
            return lines[:index] + ["> " + rest for rest in lines[index:]]
    return lines


def _footer_as_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if line in ("-- ", "--"):
            return lines
        footer = _SCRUBBED_PART.match(line) or (
            _LIST_FOOTER_RULE.match(line) and any(_LIST_FOOTER_HINT.search(x) for x in lines[index + 1:index + 4])
        )
        if footer:
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


def _part_text(part) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) and _encodable(raw) else b""
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode_bytes(payload, charset)


def _collect_text(part, plain: list[str], html: list[str], depth: int = 0) -> None:
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
                _collect_text(child, child_plain, child_html, depth + 1)
                best_plain = best_plain or child_plain
                best_html = best_html or child_html
            if best_plain:
                plain.extend(best_plain)
            else:
                html.extend(best_html)
            return
        for child in children:
            _collect_text(child, plain, html, depth + 1)
        return
    if _is_attachment(part):
        return
    maintype, subtype = part.get_content_maintype(), part.get_content_subtype()
    if maintype != "text":
        return
    (html if subtype == "html" else plain).append(_part_text(part))


def message_body(msg) -> tuple[str, bool]:
    """The body in the HTML subset (text/plain preferred), and whether it has readable text
    (not only a signature or pipermail's "attachment was scrubbed" note)."""
    plain: list[str] = []
    html: list[str] = []
    _collect_text(msg, plain, html)
    plain = [p for p in plain if p.strip()]
    if plain:
        text = prepare_plain_text("\n\n".join(plain))
        lines = text.split("\n")
        before_signature = lines[:next((i for i, line in enumerate(lines) if line in ("-- ", "--")), len(lines))]
        return bodies.from_plain_text(text), any(line.strip() for line in before_signature)
    html = [h for h in html if h.strip()]
    if html:
        return bodies.from_html(_CONTROL.sub("", "\n".join(html))), True
    return "", False


def own_text(body_html: str) -> str:
    """The text a sender wrote: the body without quotes and signature (for mentions)."""
    if not body_html:
        return ""
    try:
        root = lxml.html.fragment_fromstring(body_html, create_parent="div")
        for element in list(root.iter("blockquote", "pre", "p")):
            if element.tag == "blockquote" or element.get("class") == bodies.SIGNATURE_CLASS:
                element.drop_tree()
        return " ".join(root.text_content().split())
    except (lxml.etree.ParserError, ValueError):
        return bodies.plain_words(body_html)
