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
originals name people without their e-mail addresses (:mod:`~digest.sources.mail.attributions`),
and in pipermail text the addresses
Mailman obfuscated ("x at y") do not break links.  A forwarded ``message/rfc822`` part is quoted
under a line naming its sender, date and subject, and an HTML-only reply has its
Outlook original put in a blockquote too; a message forwarded inline (Thunderbird's
"-------- Forwarded Message --------") is quoted below that line.  Files sent with a message
are shown or named where they come (:mod:`~digest.sources.mail.attachments`), and text that is
quoted-printable without saying so (an archive that lost its MIME headers) is decoded.  Inline PGP-signed text loses its armour and
signature block, and a uuencoded file in the text is left out, each with a note
(:mod:`~digest.sources.mail.enclosures`); mutt's "Forwarded message from X" block and the
original below Lotus Notes 5's table (:mod:`~digest.sources.mail.lotus_notes`) are quoted.  :func:`own_text` gives what a sender wrote
without quotes or signature.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import NamedTuple

import lxml.etree
import lxml.html

from digest import body as bodies
from digest.sources.mail import attachments, attributions, enclosures, flowed, lotus_notes
from digest.sources.mail.attachments import Attachment
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
    undeclared_quoted_printable,
)

# ---------------------------------------------------------------------------- bodies

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
# Outlook's header block of the original: From: (attributions.HEADER_FROM), then Sent: (or Date:) and To:/Subject:
_HEADER_SENT = re.compile(
    r"^\s*\*?(?:Sent|Gesendet|Envoyé|Enviado|Inviato|Verzonden|Skickat|Sendt|Wysłano|Отправлено"
    r"|发送时间|寄件日期|送信日時)\s*[:：]",
    re.IGNORECASE,
)
_HEADER_DATE = re.compile(r"^\s*\*?(?:Date|Datum|Fecha|Data|日期|日時)\s*[:：]", re.IGNORECASE)
_HEADER_TO = re.compile(r"^\s*\*?(?:To|An|À|A|Para|Aan|Till|Til|Do|Кому|收件人|收件者|宛先)\s*[:：]", re.IGNORECASE)


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
    if obfuscation:
        lines = _patch_addresses_restored(lines, obfuscation)
    lines = attributions.indented_quotes_marked(_marked_quotes(lines))
    lines = _quote_mutt_forward(lines)
    lines = _quote_notes_original(lines, obfuscation)
    lines = _quote_outlook_original(lines)
    lines = _quote_unmarked_original(lines)
    lines = _footer_as_signature(lines)
    lines = _separate_attributions(lines)
    lines = attributions.addresses_left_out(lines, obfuscation)
    lines = attributions.header_block_lines_kept(lines)
    lines = _changed_path_lines_kept(lines)
    return "\n".join(lines)


# a line of ``svnlook changed`` as commit lists mail it: "U   trunk/x.php", "_U  dir/", "A + new.c"
_SVN_CHANGED_PATH = re.compile(r"^(?:[ADU] {3}|[ADU_]U {2}|A \+ )\S")


def _changed_path_lines_kept(lines: list[str]) -> list[str]:
    """A commit message's list of changed paths (two or more such lines in a row) keeps one
    path a line, ending in ``body.HARD_BREAK``: as wrapped text they ran into one paragraph."""
    out = list(lines)
    for index in range(len(out) - 1):
        if _SVN_CHANGED_PATH.match(out[index]) and _SVN_CHANGED_PATH.match(out[index + 1]) and not out[index].endswith(bodies.HARD_BREAK):
            out[index] += bodies.HARD_BREAK
    return out


# Gnus/supercite's attribution: '>>>>> "JH" == John Hacker <jh@example.com> writes:'
_SUPERCITE_ATTRIBUTION = re.compile(r'^>{2,}\s*"(?P<tag>[^"]{0,20})"\s*==\s*\S.*$')
# supercite's "JH> " (initials, or the tag an attribution line names), ELM's ":", and "| "
_SUPERCITE_PREFIX = re.compile(r"^(?P<indent>[ \t]{0,12})(?P<tag>[A-Za-z][\w.-]{0,19})> ?")
_INITIALS = re.compile(r"^[A-Z]{1,4}$")
_PROMPTS = {"SQL", "DB", "CMD", "PS"}
_COLON_PREFIX = re.compile(r"^:(?!:)")
_PIPE_PREFIX = re.compile(r"^\| ?")
# supercite indents its marks (its default citation leader is four spaces): "    JH> text" for
# the tag an attribution line names, "    > text" for a blank tag (Gnus, VM), "    >> text"
# for a quote's quote under either
_INDENTED_MARK = re.compile(r"^[ \t]{2,12}>")


def _marked_quotes(lines: list[str]) -> list[str]:
    """Quote marks other than ``>`` turned into ``>``: `` >`` (Netscape 4 put a space
    first), supercite's ``JH> `` (Gnus), ELM's ``:`` and ``| ``, each only on a block of two
    or more consecutive lines (a single
    ``:`` line is prose), and the ``>>>>> "JH" == ... writes:`` line they follow made
    a plain attribution line rather than five levels of quote.  After a blank tag's
    attribution (``>>>>> " " == ...``) the indented ``    > `` lines are its quote."""
    tags = {m.group("tag").strip() for m in map(_SUPERCITE_ATTRIBUTION.match, lines) if m}
    out = [_plain_attribution(line) if _SUPERCITE_ATTRIBUTION.match(line) or _marked_attribution(lines, index) else line
           for index, line in enumerate(lines)]
    index = 0
    while index < len(out):
        end, quoted = _quote_block(out, index, tags)
        if quoted:
            out[index:end] = [_as_marked_quote(line, tags) for line in out[index:end]]
        index = max(end, index + 1)
    return out


# exmh's (MH's) attribution behind three marks above a quote: ">>> Skip Montanaro said:"
_MARKED_ATTRIBUTION = re.compile(r"^>{3,5} ?[^\s>].{0,80}\b(?:wrote|said|writes|says)\s*:?\s*$")


def _marked_attribution(lines: list[str], index: int) -> bool:
    """An attribution written behind ``>>>`` marks, the quote it names following with one."""
    if not _MARKED_ATTRIBUTION.match(lines[index]):
        return False
    following = next((line for line in lines[index + 1:] if line.strip(" >")), "")
    return following.startswith(">") and not following.startswith(">>")


def _plain_attribution(line: str) -> str:
    """``>>>>> "JH" == John writes:`` without its five marks (and a blank tag's ``" " ==``)."""
    line = line.lstrip(">").lstrip()
    return re.sub(r'^"\s*"\s*==\s*', "", line)


def _prefix_kind(line: str, tags: set[str]) -> str | None:
    """Which other quote mark opens the line: ``>`` after a space (Netscape 4), a supercite
    tag, ``:`` or ``|``."""
    if line.startswith(" >"):
        return " >"
    if tags and _INDENTED_MARK.match(line):
        return "indented"
    supercite = _SUPERCITE_PREFIX.match(line)
    if supercite:
        tag = supercite.group("tag")
        if tag in tags or (not supercite.group("indent") and _INITIALS.match(tag) and tag not in _PROMPTS):
            return "tag:" + tag
    if _COLON_PREFIX.match(line):
        return ":"
    if _PIPE_PREFIX.match(line) and (line.rstrip() == "|" or not line.rstrip().endswith("|")):
        return "|"  # a table row ends with one too; a "| " line alone is a quote's blank line
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
    if tags and _INDENTED_MARK.match(line):
        return line.lstrip(" \t")
    supercite = _SUPERCITE_PREFIX.match(line)
    if supercite and (supercite.group("tag") in tags or (not supercite.group("indent") and _INITIALS.match(supercite.group("tag")))):
        rest = line[supercite.end():]
    elif line.startswith(":"):
        rest = line[1:]
    else:
        rest = _PIPE_PREFIX.sub("", line, count=1)
    rest = rest.lstrip(" ") if not rest.startswith(">") else rest
    return ">" + (rest if rest.startswith(">") else (" " + rest if rest else ""))


_MUTT_FORWARD_END = re.compile(r"^-{5} ?End forwarded message ?-{5}\s*$")


def _quote_mutt_forward(lines: list[str]) -> list[str]:
    """mutt's inline forward: the lines between its "Forwarded message from X" and "End
    forwarded message" lines are the forwarded original, quoted under the first (the end
    line goes, as the quote ends there); without an end line, up to a list footer."""
    start = next((i for i, line in enumerate(lines) if attributions.MUTT_FORWARD_START.match(line)), None)
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


def _quote_notes_original(lines: list[str], obfuscation: str | None) -> list[str]:
    """Lotus Notes 5's table above an original (:mod:`~digest.sources.mail.lotus_notes`) as the
    header lines it stands for, without addresses and each on its line, quoted together
    with the original below it (up to a list footer)."""
    table = lotus_notes.find_table(lines)
    if table is None or any(line in ("-- ", "--") for line in lines[:table.start]):
        return lines
    header = [
        line if attributions.HEADER_SUBJECT.match(line) else attributions.names_without_addresses(line, obfuscation)
        for line in table.header
    ]
    header = [line + bodies.HARD_BREAK for line in header[:-1]] + header[-1:]
    following = next((i for i in range(table.end, len(lines)) if lines[i].strip()), len(lines))
    original = _quote_from(lines, following)[following:]
    return lines[:table.start] + ["> " + line for line in header] + ([">"] if original else []) + original


# the line Thunderbird and Gmail write above a message forwarded inline, in their translations:
# "-------- Forwarded Message --------", "---------- Forwarded message ---------"
_FORWARDED_INLINE = re.compile(
    r"^\s*-{5,}\s*(?:Forwarded Message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado"
    r"|Messaggio inoltrato|Mensagem encaminhada|Doorgestuurd bericht|Vidarebefordrat meddelande"
    r"|Videresendt meddelelse|Przekazana wiadomość|Přeposlaná zpráva|Пересылаемое сообщение"
    r"|Перенаправленное сообщение|转发的消息|轉寄的訊息|転送メッセージ)\s*-{5,}\s*$",
    re.IGNORECASE,
)


def _quote_outlook_original(lines: list[str]) -> list[str]:
    """The original under Outlook's "-----Original Message-----" line or its header block
    (with the rule of underscores newer versions draw above it) quoted, up to a list footer;
    so is a message forwarded inline (Thunderbird opens its header block with ``Subject:``),
    below the line that says so."""
    for index, line in enumerate(lines):
        if line in ("-- ", "--"):
            return lines
        if _FORWARDED_INLINE.match(line):
            following = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), None)
            return lines if following is None else _quote_from(lines, following)
        if attributions.ORIGINAL_MESSAGE.match(line) or _outlook_header_block(lines, index):
            return _quote_from(lines, index)
        if attributions.UNDERSCORE_RULE.match(line) and index + 1 < len(lines) and _outlook_header_block(lines, index + 1):
            return _quote_from(lines, index)
    return lines


def _outlook_header_block(lines: list[str], index: int) -> bool:
    """``From:`` followed by ``Sent:`` (or ``Date:`` with ``To:`` and ``Subject:``) lines:
    the header block Outlook writes above an original without any marker."""
    if not attributions.HEADER_FROM.match(lines[index]):
        return False
    following = lines[index + 1:index + 6]
    sent = any(_HEADER_SENT.match(line) for line in following)
    dated = any(_HEADER_DATE.match(line) for line in following) and any(_HEADER_TO.match(line) for line in following)
    return (sent or dated) and any(attributions.HEADER_SUBJECT.match(line) for line in following)


def _quote_unmarked_original(lines: list[str]) -> list[str]:
    """An "On <date>, X wrote:" line followed by text without ``>``: that text is the
    original (some clients quote without markers), quoted up to a list footer.  Only the
    first attribution counts, and only before any ``>`` quote or signature."""
    for index, line in enumerate(lines):
        if line in ("-- ", "--") or line.startswith(">"):
            return lines
        start = attributions.strict_attribution_start(lines, index) if attributions.ATTRIBUTION_END.search(line.strip()) else None
        if start is None or not any(ch.isdigit() for ch in " ".join(lines[start:index + 1])):
            continue  # a client's attribution carries the date: "On Tue, 2 Apr 2019 ... wrote:"
        following = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), None)
        if following is None or lines[following].startswith(">") or _is_footer(lines, following):
            return lines
        return _quote_from(lines, following)
    return lines


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
        attributions.UNDERSCORE_RULE.match(line) and any(_LIST_FOOTER_HINT.search(x) for x in following)
    ) or bool(_DASH_RULE.match(line) and any(_GROUPS_FOOTER.match(x) for x in following)) or _webmail_tagline(lines, index) or _closing_notice(lines, index)


# a company's confidentiality notice: how its paragraph opens, and a word it holds
_NOTICE_OPENING = re.compile(
    r"^\W*(?:CONFIDENTIALITY NOTICE|CONFIDENTIAL|DISCLAIMER|IMPORTANT NOTICE|NOTICE)\b"
    r"|^(?:This|The information (?:contained )?in this)\s+(?:e-?mail|message|communication|transmission)\b"
    r"|^(?:本邮件|本郵件|此邮件|此郵件|この(?:電子)?メール)",
    re.IGNORECASE,
)
_NOTICE_WORD = re.compile(r"confidential|intended recipient|addressee|保密|機密|机密|秘密", re.IGNORECASE)
# a rule of one character drawn above such a notice: "=====", "*****", "-----", "_____"
_NOTICE_RULE = re.compile(r"^(?:={10,}|\*{10,}|-{10,}|_{10,})\s*$")
# the lines that can close a message: a notice or tagline and the list footers after it.  Looked
# for further up, a paste of "NOTICE:" log lines read to its end from each of its lines, and
# notices one after another each asked about the next in turn, deeper than Python's stack
_CLOSING_LINES = 80


def _closing_notice(lines: list[str], index: int) -> bool:
    """Where a confidentiality notice at the end of a message starts (its rule, if one is drawn
    above it): one paragraph that opens like one and says "confidential" or "intended
    recipient", with nothing after it but blank lines or a list footer.  The company's mail
    server added it, not the sender; as a signature, excerpts leave it out."""
    if len(lines) - index > _CLOSING_LINES:
        return False
    start = index + 1 if _NOTICE_RULE.match(lines[index]) else index
    if start >= len(lines) or not _NOTICE_OPENING.match(lines[start]):
        return False
    if start == index and index and _NOTICE_RULE.match(lines[index - 1]):
        return False  # the notice starts at its rule
    end = next((i for i in range(start, len(lines)) if not lines[i].strip() or lines[i].startswith(">")), len(lines))
    if not _NOTICE_WORD.search(" ".join(lines[start:end])):
        return False
    rest = next((i for i in range(end, len(lines)) if lines[i].strip()), None)
    return rest is None or _is_footer(lines, rest)


# the advertisement Hotmail and Yahoo! Mail put under a rule of underscores at the end of
# every message they sent (1998-2008): "Do you Yahoo!?", "MSN Motor. http://..."
_TAGLINE_HINT = re.compile(r"https?://|www\.|\b(?:MSN|Hotmail|Yahoo!|Messenger)", re.IGNORECASE)
_TAGLINE_LINES = 4


def _webmail_tagline(lines: list[str], index: int) -> bool:
    """A rule of underscores over a few lines naming a webmail or linking its ad, with nothing
    after them but blank lines or a list footer: the sender's program wrote them, not the sender."""
    if len(lines) - index > _CLOSING_LINES or not attributions.UNDERSCORE_RULE.match(lines[index]):
        return False
    limit = min(len(lines), index + _TAGLINE_LINES + 2)  # a longer block is no tagline: no need to find its end
    end = next((i for i in range(index + 1, limit) if not lines[i].strip()), limit)
    block = lines[index + 1:end]
    if not 0 < len(block) <= _TAGLINE_LINES or any(line.startswith(">") for line in block):
        return False
    if not any(_TAGLINE_HINT.search(line) for line in block):
        return False
    rest = next((i for i in range(end, len(lines)) if lines[i].strip()), None)
    return rest is None or _is_footer(lines, rest)


_ADDRESS_CHARS = r"[^\s<>\"'()\[\]]"
_TRAILING_PUNCTUATION = ".,;:!?"


def _undo_obfuscated_links(text: str, word: str) -> str:
    """Mailman wrote "@" as " at " everywhere, links included: a URL is joined again
    (``index.php at Page.html``), a ``<mailto:x at y>`` repeating the address before it is
    dropped, and any other ``mailto:x at y`` is left as the address text, not a broken link."""
    at = rf"\s{re.escape(word)}\s"
    text = _urls_joined(text, at)
    address = rf"{_ADDRESS_CHARS}+{at}[A-Za-z0-9][\w.-]*\.[A-Za-z]{{2,}}"
    # each starting where its run starts (of spaces, of address characters): scanned once, not once per character
    mailto = re.compile(rf"(?<!\s)\s*<mailto:({address})>|(?<!{_ADDRESS_CHARS})mailto:({address})", re.IGNORECASE)

    def unlink(match: re.Match) -> str:
        if match.group(1) is None:
            return match.group(2)
        if text.endswith(match.group(1), 0, match.start()):
            return ""  # Outlook's "x at y<mailto:x at y>": the same address twice
        return re.sub("mailto:", "", match.group(0), count=1, flags=re.IGNORECASE)

    return mailto.sub(unlink, text)


_URL_SCHEME = re.compile(r"\b(?:https?|ftp)://")

# a patch in the text (at any quote depth): where it starts, and the lines that go on with it
_PATCH_OPENING = re.compile(r"^(?:diff |Index: \S|--- \S|\+\+\+ \S|@@ -\d)")
_PATCH_GOES_ON = re.compile(r"^(?:[ +\-\\]|@@ |diff |index |(?:new|deleted) file mode |similarity index |rename |(?:old|new) mode |Binary files )")
# names of source files, which "look at x.c" in a code comment has after "at": never a host
_FILE_EXTENSIONS = {
    "c", "h", "cc", "cpp", "hh", "py", "js", "ts", "md", "sh", "pl", "rb", "go", "rs", "txt", "rst", "yml", "yaml", "json",
    "xml", "html", "htm", "css", "php", "java", "in", "am", "ac", "mk", "cfg", "conf", "ini", "log", "so", "el", "lua",
    "sql", "tex", "bib", "patch", "diff", "po", "pot", "spec", "dts", "dtsi", "lock", "toml",
}


def _patch_addresses_restored(lines: list[str], word: str) -> list[str]:
    """Mailman wrote "@" as " at " in patches too (``git at github.com:x.git``, a copyright
    line's ``<bob at example.org>``), which breaks the code quoted: inside a patch, an
    address whose host ends in a top-level domain gets its "@" back."""
    address = re.compile(rf"(?<![\w.+-])([\w.+-]+) {re.escape(word)} ([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.([A-Za-z]{{2,6}}))\b")

    def restored(match: re.Match) -> str:
        return match.group(0) if match.group(3).lower() in _FILE_EXTENSIONS else f"{match.group(1)}@{match.group(2)}"

    out = list(lines)
    inside = False
    for index, line in enumerate(out):
        text = line[len(attributions.QUOTE_MARKS.match(line).group(0)):]
        inside = bool(_PATCH_OPENING.match(text)) or (inside and bool(_PATCH_GOES_ON.match(text)))
        if inside and f" {word} " in text:
            out[index] = line[:len(line) - len(text)] + address.sub(restored, text)
    return out


def _urls_joined(text: str, at: str) -> str:
    """Each URL followed by ``at`` and the rest of it, joined with "@".  Each run of address
    characters is looked at once, from its start, for its first URL: a line of thousands of
    URLs glued together takes as long as its length, not its square."""
    run_before_at = re.compile(rf"(?<!{_ADDRESS_CHARS}){_ADDRESS_CHARS}+(?={at}([A-Za-z0-9]{_ADDRESS_CHARS}*))")
    out: list[str] = []
    position = 0
    while match := run_before_at.search(text, position):
        run, after = match.group(0), match.group(1)
        scheme = _URL_SCHEME.search(run)
        rest = after.rstrip(_TRAILING_PUNCTUATION)
        if scheme is None or scheme.end() == len(run) or not any(ch in rest for ch in "./"):  # "see http://x.org at noon": prose
            out.append(text[position:match.end()])
            position = match.end()
            continue
        out.append(text[position:match.end()] + "@" + rest)
        position = match.end(1) - (len(after) - len(rest))
    return "".join(out) + text[position:]


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
            start = attributions.attribution_start(out, intro)
            if start is not None:
                out[intro + 1:index] = []  # no blank between the attribution and its quote
                if start > 0 and out[start - 1].strip():
                    out.insert(start, "")
                index = start
        index -= 1
    return out


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
    if part.get("Content-Transfer-Encoding") is None and (decoded := undeclared_quoted_printable(payload)) is not None:
        notes.append("is quoted-printable that no header declares (an archive lost its MIME headers); it was decoded")
        payload = decoded
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
    text, replaced, read_instead = decode_text(payload, charset)
    if replaced:
        label = charset_label(codec_of(charset))
        notes.append(f"is not all valid {label}; the bytes it could not read were replaced by U+FFFD")
    elif read_instead:
        notes.append(f"declares {charset_label(codec_of(charset))} but is not; it was read as {charset_label(read_instead)}")
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
    """One part in reading order: plain text, an HTML document, or a file sent with the message."""

    text: str
    is_html: bool
    attachment: Attachment | None = None

    @property
    def kind(self) -> str:
        return "attachment" if self.attachment else "html" if self.is_html else "plain"


def _collect_text(part, found: list[_TextPart], notes: list[str], depth: int = 0, inline_picture: bool = False) -> None:
    """Inline text/plain and text/html parts in the order they are read; plain versus HTML
    is chosen only inside a multipart/alternative (a list's text footer after an HTML-only
    post is a part of its own); an attached message (a forward) quoted under a line naming
    its sender, date and subject; files sent with it where they come
    (:mod:`~digest.sources.mail.attachments`; ``inline_picture``: a part after the HTML of a
    multipart/related, which the HTML shows)."""
    if depth > 30:
        return
    if part.get_content_type() == "message/rfc822" and isinstance(part.get_payload(), list) and part.get_payload():
        found.append(_TextPart(_forwarded_text(part.get_payload()[0], notes, depth + 1), False))
        return
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list):
            return
        if encrypted := attachments.encrypted_note(part):
            notes.append(encrypted)
            return
        if part.get_content_subtype() == "alternative":
            found.extend(_preferred_alternative(children, notes, depth + 1))
            return
        related = part.get_content_subtype() == "related"
        for index, child in enumerate(children):
            _collect_text(child, found, notes, depth + 1, inline_picture=related and index > 0)
        return
    whole_text = depth == 0 and part.get_content_maintype() == "text"  # a message that is one text part is its text
    if not whole_text and attachments.sent_as_file(part, after_text=any(piece.text.strip() for piece in found)):
        if attachment := attachments.read_attachment(part, notes, inline_picture):
            found.append(_TextPart("", False, attachment))
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
        versions.append([piece for piece in version if piece.attachment or piece.text.strip()])
    plain = next((v for v in versions if v and not any(piece.is_html for piece in v)), None)
    chosen = plain if plain is not None else next((v for v in versions if v), [])
    # Apple Mail puts the files in the HTML version only: the plain one chosen still has them
    files: dict[str, _TextPart] = {piece.attachment.name: piece for piece in chosen if piece.attachment}
    elsewhere = [piece for version in versions for piece in version if piece.attachment and piece.attachment.name not in files]
    return chosen + list({piece.attachment.name: piece for piece in elsewhere}.values())


def _forwarded_text(inner, notes: list[str], depth: int) -> str:
    """A ``message/rfc822`` part is someone else's message: its text is a quote, not the
    forwarder's own words.  Its HTML is read as plain text to be quoted."""
    pieces: list[_TextPart] = []
    _collect_text(inner, pieces, notes, depth)
    texts = [
        attachments.attachment_line(piece.attachment) if piece.attachment
        else bodies.plain_text(bodies.from_html(CONTROL_CHARS.sub("", piece.text))) if piece.is_html else piece.text
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
    pieces = _without_html_copies([piece for piece in found if piece.attachment or piece.text.strip()])
    for kind, run in itertools.groupby(pieces, key=lambda piece: piece.kind):
        run = list(run)
        texts = [piece.text for piece in run]
        if kind == "attachment":
            html.extend(attachments.attachment_html(piece.attachment) for piece in run)
            readable = readable or any(piece.attachment.text for piece in run)
        elif kind == "html":
            html.append(_html_run(texts))
            readable = True
        else:
            run_html, run_readable = _plain_run(texts, obfuscation, notes)
            html.append(run_html)
            readable = readable or run_readable
    if not readable and _has_tnef(msg):
        notes.append("is only in Outlook's winmail.dat attachment (TNEF), which is not read")
    notes.extend(attachments.attachment_notes([piece.attachment for piece in pieces if piece.attachment]))
    return MailBody("".join(html), readable, tuple(dict.fromkeys(notes)))


def _has_tnef(msg) -> bool:
    """Whether Outlook sent the message's rich text as ``application/ms-tnef`` (winmail.dat)."""
    try:
        return any(part.get_content_type() == "application/ms-tnef" for part in msg.walk())
    except Exception:  # a part the email package cannot take apart
        return False


def _html_run(texts: list[str]) -> str:
    return attributions.html_addresses_left_out(bodies.from_html(quote_html_original(CONTROL_CHARS.sub("", "\n".join(texts)))))


def _plain_run(texts: list[str], obfuscation: str | None, notes: list[str]) -> tuple[str, bool]:
    """Plain parts read together as body HTML, and whether they hold text before a signature."""
    text = enclosures.without_uuencoded_files(enclosures.without_pgp_armour("\n\n".join(texts), notes), notes)
    text = prepare_plain_text(text, obfuscation)
    lines = text.split("\n")
    readable = any(line.strip() for line in lines[:_signature_line(lines)])
    return bodies.from_plain_text(text, short_lines_kept=True), readable


def _without_html_copies(pieces: list[_TextPart]) -> list[_TextPart]:
    """Without an HTML part that repeats a plain part's words (a mailer that sends both
    versions side by side instead of as a multipart/alternative)."""
    plain = {_letters(piece.text) for piece in pieces if piece.kind == "plain"}
    if not plain or all(not piece.is_html for piece in pieces):
        return pieces
    return [p for p in pieces if not (p.is_html and _letters(bodies.plain_text(_html_run([p.text]))) in plain)]


def _letters(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


# RFC 4880 7: clearsigned text, at any quote depth ("> -----BEGIN PGP SIGNED MESSAGE-----")


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
    r"original message|subject|betreff|objet|asunto|oggetto|onderwerp|ämne|emne|temat|тема|主题|主旨|主題|件名|邮件原件|原始邮件",
    re.IGNORECASE,
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
    return bool(lines) and (bool(attributions.ORIGINAL_MESSAGE.match(lines[0])) or _outlook_header_block(lines, 0))


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
