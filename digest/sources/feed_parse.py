"""Reading a feed's bytes with feedparser, and the repairs that takes: UTF-16/32 named only by
its byte order mark, UTF-8 under a wrong single-byte declaration, windows-1252 declared as
ISO-8859-1, relative links without ``xml:base``, characters XML cannot hold, and files cut
off inside an entry (or inside a character).  ``digest.sources.feed`` makes the thread of
what this returns.
"""

from __future__ import annotations

import bisect
import codecs
import html
import io
import re
import xml.parsers.expat
import xml.sax

import feedparser

from digest.errors import SourceError
from digest.sources import common, xmlsafe

FIX_NOT_FEED = "check that the file or URL is the feed itself (RSS or Atom XML), not a web page about it"


# ---------------------------------------------------------------------------- parsing

def parse(doc) -> dict:
    """feedparser on the bytes (a BytesIO: never a path or URL it could open), and again
    against the feed's own address when its links are relative and nothing else gives them a
    base (kept as ``relative_base`` for the note; when it has none, ``relative_channel_link``
    when the channel's own link is the only relative one, else ``relative_unresolved``)."""
    parsed = _feedparser(doc.data, doc.name)
    base = _base_for_relative_links(parsed, doc.name)
    if base:
        parsed = _feedparser(doc.data, doc.name, base)
        parsed["relative_base"] = base
    elif _has_relative_links(parsed):
        channel_link = str(parsed.get("feed", {}).get("link") or "")
        if channel_link and not _ABSOLUTE.match(channel_link) and not _has_relative_links({"entries": parsed.get("entries")}):
            parsed["relative_channel_link"] = channel_link  # (remark42 names its site so: <link>remark42</link>)
        else:
            parsed["relative_unresolved"] = True
    _scrub(parsed.get("feed"))
    _scrub(parsed.get("entries"))
    if not parsed.get("version") and not parsed.get("entries"):
        problem = parsed.get("bozo_exception")
        where = doc.name + (f" line {_line(problem)}" if _line(problem) else "")
        detail = f" ({describe(problem)})" if problem else ""
        raise SourceError(f"not an RSS or Atom feed{detail}", where=where, fix=FIX_NOT_FEED)
    return parsed


def _feedparser(data: bytes, name: str, base: str | None = None) -> dict:
    # with a content-location feedparser also wants a type; application/xml reads as a file does.
    # feedparser's own sanitizer is off: it drops an embedded player (a YouTube iframe) whole, where
    # digest.body, which cleans every body anyway, keeps it as a link.
    headers = {"content-location": base, "content-type": "application/xml"} if base else None
    try:
        return feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=False)
    except Exception as exc:  # noqa: BLE001 - a third-party parser on untrusted bytes; report, never crash
        raise SourceError(f"the feed parser failed: {exc}", where=name, fix=FIX_NOT_FEED) from None


# ---------------------------------------------------------------------------- encodings

def as_declared_or_utf8(data: bytes, notes: list[str]) -> bytes:
    """The bytes as feedparser should see them: UTF-16/32 named by a byte order mark alone,
    and UTF-8 under a wrong single-byte or UTF-16/32 declaration, become UTF-8 that says so;
    blank lines before the XML declaration go; a UTF-8 file
    loses the start of a character it is cut off inside; windows-1252 declared ISO-8859-1 says
    windows-1252."""
    data = _without_space_before_declaration(_utf8_from_byte_order_mark(data), notes)
    data = _without_torn_last_character(_utf8_despite_wide_declaration(data, notes))
    return _with_cdata_ends_split(_windows_1252_for_latin1(_utf8_despite_declaration(data, notes), notes), notes)


# An element whose text is one CDATA section: the section ends at the "]]>" its element's end
# tag follows, which is not always the first "]]>" in it
_CDATA_OPENING = re.compile(rb"<(?P<tag>[A-Za-z_][\w.:-]*)(?:\s[^<>]*)?><!\[CDATA\[")
_CDATA_CLOSING = re.compile(rb"\]\]>\s*</(?P<tag>[A-Za-z_][\w.:-]*)\s*>")
_UNSPLIT_END = re.compile(rb"\]\]>(?!<!\[CDATA\[)")


def _with_cdata_ends_split(data: bytes, notes: list[str]) -> bytes:
    """A CDATA section holding "]]>" (code about XML, or an inner CDATA section a blog engine
    wrapped whole, as in ``<content:encoded><![CDATA[<pre><![CDATA[x]]></pre>]]>``) ends
    there for XML, and the rest of the post spills out as broken markup.  In a feed that is
    no well-formed XML, each such "]]>" is split across two sections, as generators that
    escape it write (noted)."""
    if b"]]>" not in data or _well_formed(data):
        return data
    pieces, position, split = [], 0, 0
    for start, end in _whole_cdata_texts(data):
        text, count = _UNSPLIT_END.subn(b"]]]]><![CDATA[>", data[start:end])
        pieces += [data[position:start], text]
        position, split = end, split + count
    if not split:
        return data
    notes.append(f"{split} \"]]>\" inside CDATA text (code, or a CDATA section within the post) ended it early, which "
                 "broke the feed's XML; read as part of the text")
    return b"".join(pieces) + data[position:]


def _whole_cdata_texts(data: bytes) -> list[tuple[int, int]]:
    """Where the text of each element that is one CDATA section starts and ends: at the first
    "]]></TAG>" of its element after it.  The closings are found in one pass and looked up:
    searching from each opening read to the end of the file for every opening left unclosed."""
    closings: dict[bytes, list[int]] = {}
    for closing in _CDATA_CLOSING.finditer(data):
        closings.setdefault(closing["tag"], []).append(closing.start())
    texts: list[tuple[int, int]] = []
    for opening in _CDATA_OPENING.finditer(data):
        ends = closings.get(opening["tag"], [])
        at = bisect.bisect_left(ends, opening.end())
        if at < len(ends) and (not texts or opening.start() >= texts[-1][1]):
            texts.append((opening.end(), ends[at]))
    return texts


def _well_formed(data: bytes) -> bool:
    """Whether expat reads the bytes whole; an encoding it cannot read tells nothing, and is taken as well-formed."""
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        return error.code == xml.parsers.expat.errors.codes[xml.parsers.expat.errors.XML_ERROR_UNKNOWN_ENCODING]
    except (LookupError, ValueError):
        return True
    return True


_SPACE_BEFORE_DECLARATION = re.compile(rb"\A(?P<bom>\xef\xbb\xbf)?(?P<space>[ \t\r\n]+)<\?xml[ \t\r\n]")


def _without_space_before_declaration(data: bytes, notes: list[str]) -> bytes:
    """A feed whose XML declaration comes after blank lines (a PHP file or plugin that prints
    them before the feed, common on WordPress sites) is no XML until they go: read without them
    (noted), rather than by the tolerant parser, which escapes some text once more."""
    match = _SPACE_BEFORE_DECLARATION.match(data)
    if not match:
        return data
    notes.append("the file has blank lines before its XML declaration, which XML does not allow (a site printing them "
                 "before the feed); read without them")
    return (match["bom"] or b"") + data[match.end("space"):]


def _without_torn_last_character(data: bytes) -> bytes:
    """A UTF-8 file cut off inside its last character, without that character's first bytes:
    with them the file is no UTF-8, and feedparser would read all of it in another encoding,
    every accented letter as two wrong ones.  (The cut itself is noted with the entries.)"""
    match = _DECLARED_ENCODING.match(data)
    if match and _codec_name(match.group(2).decode("ascii")) != "utf-8":
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.start >= len(data) - 3:
            return data[: error.start]
    return data


_DECLARED_ENCODING = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*([\"'])([A-Za-z][\w.:-]{0,39})\1")


def _utf8_despite_declaration(data: bytes, notes: list[str]) -> bytes:
    """Bytes declared in a single-byte encoding (windows-1252, ISO-8859-x, ...) that are valid
    UTF-8 with multi-byte sequences are UTF-8: text in a single-byte encoding almost never
    forms valid UTF-8 sequences, while a blog engine that writes UTF-8 under a stale
    declaration is common.  Read as declared, every accented letter would be two or three
    wrong ones, so the declaration is replaced by UTF-8 (noted)."""
    match = _DECLARED_ENCODING.match(data)
    if not match or not _single_byte(match.group(2).decode("ascii")) or data.isascii() or not common.is_utf8(data):
        return data
    declared = match.group(2).decode("ascii")
    notes.append(f"the feed declares the encoding {declared}, but its text is UTF-8 (which {declared} text almost never is); read as UTF-8")
    return data[: match.start(2)] + b"utf-8" + data[match.end(2):]


def _utf8_despite_wide_declaration(data: bytes, notes: list[str]) -> bytes:
    """A declaration naming UTF-16 or UTF-32 that reads as single bytes is wrong (feedparser
    would fail on it at once): the file is read as UTF-8 (noted), as every other feed without
    a byte order mark."""
    match = _DECLARED_ENCODING.match(data)
    if not match or not xmlsafe.wide_encoding(declared := match.group(2).decode("ascii")):
        return data
    notes.append(f"the feed declares the encoding {declared}, but is written one byte a character, as {declared} never is; read as UTF-8")
    return data[: match.start(2)] + b"utf-8" + data[match.end(2):]


_WINDOWS_1252_ONLY = re.compile(rb"[\x80-\x9f]")


def _windows_1252_for_latin1(data: bytes, notes: list[str]) -> bytes:
    """A feed declared ISO-8859-1 that holds bytes 0x80-0x9F (control characters in ISO-8859-1)
    is windows-1252, whose curly quotes, dashes, euro sign and ellipsis those bytes are, as
    browsers read it (WHATWG Encoding: the label means windows-1252).  Read as declared, an
    ellipsis ending a text would be taken for a line break and lost (noted)."""
    match = _DECLARED_ENCODING.match(data)
    if not match or _codec_name(match.group(2).decode("ascii")) != "iso8859-1" or not _WINDOWS_1252_ONLY.search(data):
        return data
    try:
        data.decode("windows-1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are no windows-1252 characters: left as declared
        return data
    declared = match.group(2).decode("ascii")
    notes.append(f"the feed declares the encoding {declared}, but uses characters only windows-1252 has "
                 "(curly quotes, dashes, the euro sign); read as windows-1252")
    return data[: match.start(2)] + b"windows-1252" + data[match.end(2):]


def _codec_name(encoding: str) -> str | None:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


# Encodings feedparser falls back to when a file holds characters its declared encoding lacks,
# which are what the declaration means in practice: Windows' forms of the same encodings.
_SAME_ENCODING_IN_PRACTICE = {("shift_jis", "cp932"), ("euc_kr", "cp949"), ("big5", "cp950"), ("gb2312", "gb18030"),
                              ("gb2312", "gbk"), ("gbk", "gb18030")}
_OVERRIDE = re.compile(r"document declared as (?P<declared>\S+), but parsed as (?P<parsed>\S+)")


def problem_worth_noting(parsed):
    """feedparser's complaint about the file (its ``bozo_exception``), or None when there is
    none or it only says a file declared Shift_JIS (Big5, EUC-KR, GB2312) was read as that
    encoding's Windows form, which the declaration means in practice and which loses nothing."""
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    override = _OVERRIDE.fullmatch(str(problem)) if isinstance(problem, feedparser.CharacterEncodingOverride) else None
    if override and (_codec_name(override["declared"]), _codec_name(override["parsed"])) in _SAME_ENCODING_IN_PRACTICE:
        return None
    return problem


def _single_byte(encoding: str) -> bool:
    """An encoding in which every byte is one character (not UTF-8, UTF-16, Shift_JIS ...)."""
    name = _codec_name(encoding)
    if name is None or name.startswith(("utf", "ucs")):
        return False
    return len(bytes(range(256)).decode(name, "replace")) == 256


_UNICODE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)
_ENCODING_IN_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*?\bencoding\s*=")


def _utf8_from_byte_order_mark(data: bytes) -> bytes:
    """A UTF-16 or UTF-32 file with a byte order mark and no declared encoding, as UTF-8:
    XML 1.0 (4.3.3, appendix F) lets the mark alone name the encoding, but feedparser then
    takes the file for UTF-8 "declared" and reports an error (or fails on the mark)."""
    for bom, codec in _UNICODE_BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                return data  # not what the mark says: left to the parser, which reports it
            return data if _ENCODING_IN_DECLARATION.match(text) else text.encode("utf-8")
    return data


# ---------------------------------------------------------------------------- relative links

_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_RELATIVE_IN_MARKUP = re.compile(r"""<[A-Za-z][^<>]*?\s(?:href|src)\s*=\s*["']?(?![A-Za-z][A-Za-z0-9+.-]*:|#|["'])""", re.I)


def _base_for_relative_links(parsed, name: str) -> str | None:
    """The feed's own address, when some of its links are relative and feedparser had no base
    for them (no xml:base reached them): the URL it was fetched from, else its rel="self"
    link, else its channel link, when absolute.  A feed's self link is its address (RFC 4287
    4.2.7.2), which is what relative references in it resolve against (RFC 3986 5.1.3)."""
    if not _has_relative_links(parsed):
        return None
    channel = parsed.get("feed", {})
    candidates = [name] + [link.get("href") for link in dicts(channel.get("links")) if link.get("rel") == "self"]
    candidates.append(channel.get("link"))
    return next((c.strip() for c in candidates if isinstance(c, str) and c.strip().startswith(("http://", "https://"))), None)


def _has_relative_links(parsed) -> bool:
    nodes = [parsed.get("feed", {})] + list(parsed.get("entries", []))
    for node in (n for n in nodes if isinstance(n, dict)):
        links = [link.get("href") or "" for link in dicts(node.get("links"))]
        if any(href and not _ABSOLUTE.match(href) for href in links):
            return True
        texts = [c.get("value") or "" for c in dicts(node.get("content"))]
        texts += [str(node.get(key) or "") for key in ("summary", "subtitle")]  # (a NodeBB topic's first post is its subtitle)
        if any(_RELATIVE_IN_MARKUP.search(text) for text in texts):
            return True
    return False


# RSS 2.0's <author> is "addr (Name)" by convention; feedparser cuts an address whose top-level
# domain is longer than four letters (.online, .studio, .photography) and takes the rest for the
# name ("jane@studio.phot", "ography (Jane Doe").
_ADDRESS_AUTHOR = re.compile(r"\s*(?P<email>[^@\s()<>]+@[^@\s()<>]+\.[^@\s()<>]+)\s*(?:\((?P<name>[^()]*)\))?\s*")


# RSS 2.0's <author> is "the email address of the author" ("addr (Name)" by convention, which
# feedparser splits); Atom's <name> sometimes holds one too.
ADDRESS = re.compile(r"<?(?P<local>[^@\s<>()]+)@[^@\s<>()]+\.[^@\s<>()]+>?")
# Local parts that name nobody: FluxBB writes dummy@example.com for members who hide their
# address, engines write noreply@ ... for anyone.
_PLACEHOLDER_LOCAL_PARTS = frozenset({"dummy", "noreply", "no-reply", "donotreply", "do-not-reply", "nobody",
                                      "anonymous", "invalid", "none", "null", "unknown", "user", "email", "mail"})


def name_for_address(address: str) -> str | None:
    """The name for an author given only as an e-mail address: its local part ("jane.doe"),
    which is how the person appears in the source and keeps different people apart, while the
    address itself never reaches a digest or a public archive; None for a placeholder address
    (the author is then unknown, as when there is none)."""
    match = ADDRESS.fullmatch(address or "")
    if not match or match.group("local").casefold() in _PLACEHOLDER_LOCAL_PARTS:
        return None
    return match.group("local")


def given_as_address(node) -> bool:
    detail = author_detail(node)
    name = " ".join(html.unescape(detail.get("name") or node.get("author") or "").split())
    return bool(ADDRESS.fullmatch(name) or (not name and detail.get("email")))


def author_detail(node) -> dict:
    """feedparser's ``author_detail`` (name, email), its cut of an "addr (Name)" author mended."""
    detail = node.get("author_detail") or {}
    written = _ADDRESS_AUTHOR.fullmatch(str(node.get("author") or ""))
    if written and detail.get("email") != written["email"]:
        return {"name": (written["name"] or "").strip(), "email": written["email"]}
    return detail


def dicts(value) -> list[dict]:
    """The dicts of a list feedparser made (a malformed feed can give it other items)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# feedparser's tolerant parser lets through characters XML (and so lxml, which digest.body
# uses) refuses: C0 controls, U+FFFE/U+FFFF and lone surrogates.
_NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _scrub(node) -> None:
    """Remove characters XML cannot hold from every string of the parse, in place."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in list(items):
        if isinstance(value, str):
            if _NOT_XML_TEXT.search(value):
                node[key] = _NOT_XML_TEXT.sub("", value)
        else:
            _scrub(value)


def read_loosely(parsed) -> bool:
    """Whether feedparser fell back to its loose parser (strict XML failed or the encoding was
    unknown); that parser leaves one extra level of XML escaping in some text, names among it."""
    return isinstance(parsed.get("bozo_exception"), xml.sax.SAXException) or not parsed.get("encoding")


def _line(problem) -> int | None:
    try:
        return int(problem.getLineNumber())
    except Exception:  # noqa: BLE001 - bozo exceptions differ by parser; a line is a bonus
        return None


def describe(problem) -> str:
    if problem is None:
        return "unknown problem"
    line = _line(problem)
    message = problem.getMessage() if hasattr(problem, "getMessage") else str(problem)
    return f"{message} at line {line}" if line else str(message)


# ---------------------------------------------------------------------------- cut-off files

_ENTRY_END = re.compile(r"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")


def complete_entries(doc, parsed, notes: list[str]) -> tuple[list, bool]:
    """The entries whose end tag is in the file, and whether the file is cut off.

    The loose parser makes an entry of whatever it read before the end of a cut-off file
    (an empty body, a half-escaped name); such an entry is left out with a note."""
    entries = list(parsed.get("entries", []))
    head = xmlsafe.head(doc.data)
    if not read_loosely(parsed) or head is None:
        return entries, False
    text = _decoded(doc.data, parsed.get("encoding"))
    if re.search(rf"</(?:[A-Za-z_][\w.-]*:)?{re.escape(head.local)}\s*>", text):
        return entries, False
    closed = len(_ENTRY_END.findall(text))
    if len(entries) > closed:
        torn = len(entries) - closed
        notes.append(
            f"the file is cut off inside its last entr{'y' if torn == 1 else 'ies'}; "
            f"{torn} incomplete entr{'y' if torn == 1 else 'ies'} not imported, and entries after the cut are missing"
        )
        return entries[:closed], True
    notes.append("the file is cut off; entries after the cut are missing")
    return entries, True


def _decoded(data: bytes, encoding: str | None) -> str:
    """The document as text, for finding end tags (markup is ASCII in any encoding it may use)."""
    try:
        return data.decode(encoding or "utf-8", "replace")
    except LookupError:
        return data.decode("utf-8", "replace")
