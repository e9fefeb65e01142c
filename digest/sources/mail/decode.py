"""Turning mail bytes and header fields into clean text, never failing on bad input.

Charset decoding with fallbacks (undeclared 8-bit text, as in Mailman's text archives,
which are written in the list language's charset, is detected; a declared legacy charset
is read with the superset decoder the WHATWG Encoding Standard gives its label, as
browsers do -- GBK text labelled gb2312, UHC labelled ks_c_5601-1987, NEC's circled
digits in ISO-2022-JP -- and what even that cannot read becomes U+FFFD, which callers
note), RFC 2047 encoded words, header access with folding
undone (raw 8-bit header text that is not UTF-8 is read in one charset guessed for the
whole header, which the caller notes), Message-ID / In-Reply-To / References parsing (including pipermail's
"user at host"), author display names that never expose a full address, and subject
normalisation for threading and titles.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email.utils
import quopri
import re
import unicodedata
from typing import NamedTuple

_UNKNOWN_CHARSETS = {"unknown-8bit", "x-unknown", "unknown", "none", "default", "x-user-defined", "8bit", "binary", "7bit"}
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# WHATWG Encoding Standard labels Python does not know, and the codec each stands for
_WHATWG_LABELS = {
    "iso-8859-8-i": "iso8859_8", "csiso88598i": "iso8859_8", "logical": "iso8859_8",
    "iso-8859-8-e": "iso8859_8", "csiso88598e": "iso8859_8", "visual": "iso8859_8",
    "iso-8859-6-i": "iso8859_6", "iso-8859-6-e": "iso8859_6", "csiso88596i": "iso8859_6", "csiso88596e": "iso8859_6",
    "windows-874": "cp874", "dos-874": "cp874", "x-gbk": "gbk", "csgb2312": "gb2312", "gb_2312": "gb2312",
    "gb_2312-80": "gb2312", "x-sjis": "shift_jis", "windows-31j": "cp932", "csshiftjis": "shift_jis",
    "x-euc-jp": "euc_jp", "cseucpkdfmtjapanese": "euc_jp", "ks_c_5601-1989": "cp949", "windows-949": "cp949",
    "csksc56011987": "cp949", "iso-ir-149": "cp949", "korean": "cp949", "cn-big5": "big5", "x-x-big5": "big5",
    "csbig5": "big5", "x-mac-roman": "mac_roman", "macintosh": "mac_roman", "x-mac-cyrillic": "mac_cyrillic",
    "x-mac-ukrainian": "mac_cyrillic", "unicode-1-1-utf-8": "utf-8", "unicode11utf8": "utf-8",
    "unicode20utf8": "utf-8", "x-unicode20utf8": "utf-8", "x-cp1250": "cp1250", "x-cp1251": "cp1251",
    "x-cp1252": "cp1252", "x-cp1253": "cp1253", "x-cp1254": "cp1254", "x-cp1255": "cp1255",
    "x-cp1256": "cp1256", "x-cp1257": "cp1257", "x-cp1258": "cp1258",
}
_ISO2022_JP_AS_CP932 = "iso2022_jp+cp932"  # see _iso2022_jp_as_shift_jis
# The decoder WHATWG gives a label, by the Python codec of that label: a superset that
# reads what senders' systems actually wrote under it (Python's codec names as
# codecs.lookup returns them).  EUC-JP's JIS X 0213 reading (NEC's row 13) comes second,
# as its plane 2 is not JIS X 0212.  ISO-2022-JP's is its JIS X 0208 read through cp932's table
_SUPERSETS = {
    "gb2312": ("gb18030",), "gbk": ("gb18030",), "big5": ("big5hkscs", "cp950"), "euc_kr": ("cp949",),
    "shift_jis": ("cp932",), "euc_jp": ("euc_jp", "euc_jis_2004"), "iso2022_jp": (_ISO2022_JP_AS_CP932,),
    "iso8859-1": ("cp1252",), "iso8859-9": ("cp1254",), "tis-620": ("cp874",),
    "iso8859-11": ("cp874",),
}


def codec_of(charset) -> str | None:
    """A Python text codec for a declared charset, or None when unknown or not a text codec."""
    if not charset or not isinstance(charset, str):
        return None
    name = charset.strip().strip("\"'").strip().lower()
    if not name or name in _UNKNOWN_CHARSETS:
        return None
    name = _WHATWG_LABELS.get(name, name)
    try:
        info = codecs.lookup(name)
    except Exception:  # LookupError, or ValueError for names with NUL bytes
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode with the declared charset, never failing (see :func:`decode_text`)."""
    return decode_text(data, charset).text


class Decoded(NamedTuple):
    """Decoded text, whether bytes the declared charset could not read became U+FFFD, and
    the charset read instead of a declared one the bytes do not fit (UTF-8 labelled Latin-1
    or ISO-2022-JP), so the reader can say so."""

    text: str
    replaced: bool = False
    read_instead: str | None = None


def decode_text(data: bytes, charset: str | None = None) -> Decoded:
    """Decode with the declared charset, never failing.

    Text declared in a Latin charset that is all valid UTF-8 (beyond ASCII) is UTF-8, and so
    is text declared UTF-16 or UTF-32 without a single zero byte.  Then
    the label's WHATWG superset, then the declared charset itself; UTF-8 (not for
    7-bit text, which a stateful charset such as ISO-2022-JP failed on); the superset with
    replacement characters (``replaced``).  Without a usable declaration: UTF-8 when the
    bytes are mostly valid UTF-8 (with replacement characters for the rest), else
    Windows-1252 / Latin-1, the usual undeclared 8-bit text of old archives.
    """
    codec = codec_of(charset)
    if (codec in _LATIN and not data.isascii()) or (codec and codec.startswith(("utf-16", "utf-32")) and b"\0" not in data):
        try:  # a Latin charset reads any bytes, UTF-8 too, as "cafÃ©"; UTF-16 and UTF-32 text holds zero bytes (each
            return Decoded(data.decode("utf-8"), read_instead="utf-8")  # space and line break has one): all valid UTF-8 is UTF-8
        except UnicodeDecodeError:
            pass
    readings = list(dict.fromkeys([*_SUPERSETS.get(codec, ()), codec])) if codec else []
    for name in readings + ([] if codec and data.isascii() else ["utf-8"]):
        try:
            return Decoded(_decode(data, name), read_instead=name if codec and name not in readings else None)
        except Exception:  # UnicodeError, or odd codecs raising others
            pass
    if codec and codec not in ("utf-8", "ascii"):
        for name in readings:
            try:
                return Decoded(_decode(data, name, "replace"), True)
            except Exception:
                pass
    if _mostly_utf8(data):
        return Decoded(data.decode("utf-8", "replace"))
    try:
        return Decoded(data.decode("cp1252"))
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"))


#: Single-byte Latin charsets, often declared for UTF-8 text by mail programs set to them.
_LATIN = {"iso8859-1", "cp1252", "iso8859-15"}


def _decode(data: bytes, codec: str, errors: str = "strict") -> str:
    if codec == _ISO2022_JP_AS_CP932:
        return _iso2022_jp_as_shift_jis(data).decode("cp932", errors)
    return data.decode(codec, errors)


_ISO2022_JP_ESCAPE = re.compile(rb"\x1b(\$[@B]|\([BJI])")


def _iso2022_jp_as_shift_jis(data: bytes) -> bytes:
    """ISO-2022-JP (RFC 1468) re-encoded as Shift_JIS, so that cp932 -- the table WHATWG's
    ISO-2022-JP decoder uses, with NEC's row 13 (①, Ⅰ, ㍉) and the IBM extensions -- reads
    it.  Raises ValueError on what it cannot carry (another escape, a broken pair)."""
    pieces = _ISO2022_JP_ESCAPE.split(data)
    out = bytearray()
    for mode, text in zip([b"(B"] + pieces[1::2], pieces[0::2]):
        if b"\x1b" in text:
            raise ValueError("an escape sequence ISO-2022-JP does not have")
        if mode in (b"(B", b"(J"):
            out += text
        elif mode == b"(I":  # JIS X 0201 katakana
            out += bytes(byte + 0x80 for byte in text)
        else:
            out += _jis_pairs_as_shift_jis(text)
    return bytes(out)


def _jis_pairs_as_shift_jis(text: bytes) -> bytes:
    """JIS X 0208 row/cell byte pairs as Shift_JIS (the standard arithmetic mapping)."""
    if len(text) % 2 or any(not 0x21 <= byte <= 0x7E for byte in text):
        raise ValueError("not JIS X 0208 pairs")
    out = bytearray()
    for row, cell in zip(text[0::2], text[1::2]):
        lead = ((row + 1) >> 1) + (0x70 if row <= 0x5E else 0xB0)
        trail = cell + (0x1F + (cell >= 0x60) if row % 2 else 0x7E)
        out += bytes((lead, trail))
    return bytes(out)


def _mostly_utf8(data: bytes) -> bool:
    valid = len(_UTF8_SEQUENCE.findall(data))
    invalid = len(_HIGH_BYTE.findall(data)) - sum(len(m) for m in _UTF8_SEQUENCE.findall(data))
    return bool(valid) and valid >= invalid


# The charsets Mailman 2 writes its languages in, plus the usual Windows ones; of two that
# read a text alike, the earlier one is named (ISO-8859-8 is Mailman's Hebrew, not cp1255)
_MAIL_CHARSETS = (
    "cp1252", "iso8859_2", "iso8859_7", "iso8859_8", "iso8859_9", "iso8859_15", "koi8_r", "koi8_u", "cp1251",
    "cp1255", "euc_jp", "shift_jis", "gb18030", "big5", "euc_kr", "cp1250",
)
# The detector is trusted for other scripts; between the Latin charsets short texts give
# it no reliable answer, so a Latin reading other than Windows-1252 must read better
# (fewer oddities, see _oddities) than Windows-1252 does
_NON_LATIN = {
    "koi8_r", "koi8_u", "cp1251", "iso8859_7", "iso8859_8", "cp1255", "euc_jp", "shift_jis", "gb18030", "big5", "euc_kr",
}
_ISO2022_JP = re.compile(rb"\x1b\$[@B]")


def guess_charset(data: bytes) -> str | None:
    """The charset of text that declares none, when it is neither ASCII nor UTF-8 (else None).

    charset_normalizer ranks the list charsets; among readings it ranks equal, and between
    its Latin answers and Windows-1252, the one with the fewest oddities wins (ties keep
    the earlier, Windows-1252 first among the Latin ones)."""
    if not _HIGH_BYTE.search(data):
        return "iso2022_jp" if _ISO2022_JP.search(data) else None
    if _mostly_utf8(data):
        return None
    try:
        from charset_normalizer import from_bytes

        results = list(from_bytes(data, cp_isolation=list(_MAIL_CHARSETS)))
        best = _best_of_tied(data, results) if results else None
    except Exception:  # a detector failure must not stop the import
        best, results = None, []
    if best is not None and best.encoding in _NON_LATIN and _oddities(data, best.encoding) <= _oddities(data, "cp1252"):
        return _first_alike(data, best.encoding)
    latin = [c for c in _MAIL_CHARSETS if c not in _NON_LATIN and _reads(data, c)] or ["cp1252"]
    return _first_alike(data, min(latin, key=lambda codec: (_oddities(data, codec), latin.index(codec))))


def _reads(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
        return True
    except UnicodeDecodeError:
        return False


def _best_of_tied(data: bytes, results: list):
    """Of the readings the detector ranks equal, those with the fewest oddities; then the
    one made of everyday characters (see _most_common_reading)."""
    tied = [r for r in results if (r.chaos, r.coherence) == (results[0].chaos, results[0].coherence)]
    odd = {r.encoding: _oddities(data, r.encoding) for r in tied}
    tied = [r for r in tied if odd[r.encoding] == min(odd.values())]
    return _most_common_reading(tied[0], tied)


def _first_alike(data: bytes, codec: str) -> str:
    """The first of the list's charsets that reads ``data`` exactly as ``codec`` does."""
    sample = data[:_ODDITY_SAMPLE]
    text = sample.decode(codec, "replace")
    return next((c for c in _MAIL_CHARSETS if sample.decode(c, "replace") == text), codec)


def _oddities(data: bytes, codec: str) -> int:
    """How unlike written words a reading is: unreadable or C1 control characters, symbols
    at or inside words ("Za¿ó³æ", "£ukasz": Polish read as Windows-1252; punctuation such
    as "»" only inside one), letters of two scripts in one word ("ㄆkasz": Latin-2 read as
    Big5), a capital after a small letter beyond ASCII ("пЯХБЕР"), a mark on no letter, and
    letters where the Cyrillic spelling never puts them (Hebrew read as Windows-1251: a
    word opening with "й" or ending with "ъ")."""
    text = data[:_ODDITY_SAMPLE].decode(codec, "replace")
    count = 0
    for before, char, after in zip(" " + text, text, text[1:] + " "):
        if char.isascii():
            if char.isalpha() and before.isalpha() and not before.isascii() and _script(before) != "LATIN":
                count += 1
            continue
        kind = unicodedata.category(char)[0]
        if char == "\ufffd" or "\x80" <= char <= "\x9f":
            count += 2
        elif kind == "M":
            count += not before.isalpha()  # a vowel sign or accent on nothing
        elif kind == "P":  # East Asian punctuation does not touch Latin words ("｣ukasz": Latin-2 read as Shift_JIS)
            latin_next = any(c.isascii() and c.isalpha() for c in (before, after)) and _script(char) == "EAST ASIAN"
            count += (before.isalpha() and after.isalpha()) or latin_next
        elif kind in "SNC":
            count += before.isalpha() or after.isalpha()
        elif kind == "L":
            count += before.isalpha() and (_script(before) != _script(char) or (before.islower() and char.isupper()))
            count += (char in "йЙ" and not before.isalpha()) or (char in "ъЪ" and not after.isalpha())
    return count


_ODDITY_SAMPLE = 65536


_EAST_ASIAN = (
    "CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC", "HALFWIDTH", "FULLWIDTH",
)


def _script(char: str) -> str:
    """The script a letter belongs to, by the first word of its Unicode name (kanji, kana
    and hangul are written together, so they count as one)."""
    first = unicodedata.name(char, "?").split(" ", 1)[0]
    return "EAST ASIAN" if first in _EAST_ASIAN else first


# Where each East Asian charset keeps its everyday characters (lead bytes): GB2312's
# level-1 hanzi, Big5's frequent hanzi, KS X 1001's hangul, JIS X 0208's kana and level-1 kanji
_EVERYDAY_LEADS = {"gb18030": (0xB0, 0xD7), "big5": (0xA4, 0xC6), "euc_kr": (0xB0, 0xC8), "euc_jp": (0xA4, 0xCF)}


def _most_common_reading(best, tied: list):
    """Between readings the detector cannot tell apart (a two-character name reads as GBK,
    Big5, EUC-KR and EUC-JP alike), the one made of the charset's everyday characters."""
    candidates = [r for r in tied if r.encoding in _EVERYDAY_LEADS]
    if best.encoding not in _EVERYDAY_LEADS or len(candidates) < 2:
        return best
    return max(candidates, key=lambda result: _everyday_share(str(result), result.encoding))


def _everyday_share(text: str, codec: str) -> float:
    low, high = _EVERYDAY_LEADS[codec]
    wide = [ch.encode(codec, "ignore")[:1] for ch in text if ord(ch) > 0x7F]
    return sum(1 for lead in wide if lead and low <= lead[0] <= high) / (len(wide) or 1)


def charset_label(codec: str) -> str:
    """A charset's usual name for notes (``euc_jp`` -> ``EUC-JP``, ``iso8859_2`` -> ``ISO-8859-2``)."""
    windows = re.fullmatch(r"cp(125\d|874)", codec)
    if windows:
        return f"Windows-{windows.group(1)}"
    return re.sub(r"^ISO[-_]?(8859|2022)[-_]", r"ISO-\1-", codec.upper()).replace("_", "-")


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_QP_HEX = re.compile(rb"=([0-9A-Fa-f]{2})")


def _decode_word(match: re.Match) -> str | None:
    charset, kind, payload = match.group(1).split("*", 1)[0], match.group(2).lower(), match.group(3)
    try:
        if kind == "b":
            raw = base64.b64decode(payload + "=" * (-len(payload) % 4))
        else:
            raw = _QP_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), payload.replace("_", " ").encode("ascii", "replace"))
    except (binascii.Error, ValueError):
        return None
    return decode_bytes(raw, charset)


def decode_encoded_words(text: str) -> str:
    """RFC 2047 ``=?charset?Q|B?...?=`` words; whitespace between adjacent words is dropped."""
    out: list[str] = []
    position = 0
    previous_was_word = False
    for match in _ENCODED_WORD.finditer(text):
        between = text[position:match.start()]
        if not (previous_was_word and not between.strip()):
            out.append(between)
        decoded = _decode_word(match)
        out.append(decoded if decoded is not None else match.group(0))
        previous_was_word = decoded is not None
        position = match.end()
    out.append(text[position:])
    return "".join(out)


def clean_line(text: str) -> str:
    """One line of display text: no control characters, single spaces."""
    return " ".join(CONTROL_CHARS.sub(" ", text).split())


# ---------------------------------------------------------------------------- headers

class Headers:
    """A message's header fields by lower-case name, decoded on demand.

    Values come back with 8-bit bytes decoded and folding undone; RFC 2047 words are
    left for the caller, who knows whether the field holds text or addresses.
    """

    def __init__(self, msg, same_charset_text: bytes = b""):
        """``same_charset_text``: undeclared text known to share the headers' charset (a
        pipermail message's body), read along with them so short names are guessed right."""
        self._raw: dict[str, list[str]] = {}
        for key, value in msg.raw_items():
            if isinstance(key, str):
                self._raw.setdefault(key.strip().lower(), []).append(value if isinstance(value, str) else str(value))
        self.charset_guess = _guess_header_charset(self._raw, same_charset_text)

    def names(self) -> set[str]:
        return set(self._raw)

    def all(self, name: str) -> list[str]:
        return [_unfold(_header_text(value, self.charset_guess)) for value in self._raw.get(name.lower(), [])]

    def first(self, name: str) -> str | None:
        values = self._raw.get(name.lower())
        return _unfold(_header_text(values[0], self.charset_guess)) if values else None

    def guessed(self, name: str) -> bool:
        """Whether the field's text was read with the guessed charset (it holds raw 8-bit bytes)."""
        return self.charset_guess is not None and any(_needs_guess(_raw_bytes(v)) for v in self._raw.get(name.lower(), []))


def _raw_bytes(value: str) -> bytes:
    """The email package keeps undecodable header bytes as surrogates: the bytes again."""
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace")


def _needs_guess(raw: bytes) -> bool:
    """8-bit bytes that are not UTF-8 (RFC 2047 words are the standard; some mailers never used them)."""
    if raw.isascii():
        return False
    try:
        raw.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return not _mostly_utf8(raw)


def _guess_header_charset(fields: dict[str, list[str]], same_charset_text: bytes = b"") -> str | None:
    """One charset for the raw 8-bit header text of a message, guessed from all of it at once
    (each text once: From and X-Reply-To often repeat a name, which sways the detector)."""
    texts = dict.fromkeys(r for values in fields.values() for r in map(_raw_bytes, values) if _needs_guess(r))
    if not texts:
        return None
    if _needs_guess(same_charset_text):
        texts[same_charset_text] = None
    return guess_charset(b"\n".join(texts))


def _header_text(value: str, guess: str | None = None) -> str:
    raw = _raw_bytes(value)
    return decode_bytes(raw, guess if guess and _needs_guess(raw) else None)


def _unfold(text: str) -> str:
    return re.sub(r"\r?\n", " ", re.sub(r"\r?\n(?=[ \t])", "", text)).strip()


def encodable(value: str) -> bool:
    try:
        value.encode("utf-8", "surrogateescape")
        return True
    except UnicodeEncodeError:
        return False


_ANGLE_ID = re.compile(r"<([^<>]*)>")
_UNTERMINATED_ID = re.compile(r"<([^<>\s]+@[^<>\s]+)\s*$")
# from a word's start only: tried from each of its letters, a long word without "@" took its square
_BARE_ID = re.compile(r"(?<![^\s<>,;\"'()])[^\s<>,;\"'()]+@[^\s<>,;\"'()]+")
_OBFUSCATED_AT = re.compile(r"\s+at\s+")


def _normalize_id(text: str) -> str | None:
    text = text.strip()
    if "@" not in text:
        text = _OBFUSCATED_AT.sub("@", text)  # pipermail writes "user at host"
    text = "".join(CONTROL_CHARS.sub("", text).split())
    return text or None


def message_ids(text: str | None) -> list[str]:
    """The ``<id>`` tokens of a Message-ID / In-Reply-To / References value, in order."""
    if not text:
        return []
    found = [i for i in (_normalize_id(m) for m in _ANGLE_ID.findall(text)) if i]
    if not found:
        match = _UNTERMINATED_ID.search(text)
        if match:
            found = [i for i in [_normalize_id(match.group(1))] if i]
        elif "<" not in text and ">" not in text:
            found = [i for i in (_normalize_id(m) for m in _BARE_ID.findall(text)) if i]
    return list(dict.fromkeys(found))  # each once, in order


def _own_message_id(headers: Headers) -> str | None:
    value = headers.first("Message-ID")
    if not value:
        return None
    ids = message_ids(value)
    if ids:
        return ids[0]
    token = value.strip().strip("<>").strip()
    return _normalize_id(token) if token and " " not in token else None


# (?<!\s): the part before the spaces ends where they start, so a long run of them is crossed once, not once per space
_PIPERMAIL_FROM = re.compile(r"^(?P<address>[^()<>\"]*?)(?<!\s)\s*\((?P<name>.*)\)\s*$")
_OBFUSCATED_ADDRESS = re.compile(r"^(?P<local>\S+)\s+\S{1,12}\s+(?P<domain>\S+\.\S+)$")


_NAME_THEN_BARE_ADDRESS = re.compile(r"^(?P<name>[^<>()\"@]+?)(?<!\s)\s+(?P<address>[^\s<>()\"@]+@[^\s<>()\"]+)$")
# Mailman's and Google Groups' DMARC rewrite: "Jane Doe via Dev" <dev@lists...>, "'Jane' via Group"
_VIA_LIST = re.compile(r"^(?:'(?P<quoted>[^']+)'|(?P<name>.+?))\s+via\s+\S.*$")
_NO_NAME = re.compile(r"\((?:no (?:name|email)|none|readpst_null)\)", re.I)  # placeholders some archivers write
# a comment inside an X.500 address's brackets (Exchange's legacy address holds one
# "</O=ORG/OU=EXCHANGE ADMINISTRATIVE GROUP (FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN=BOB>"), which is no name
_COMMENT_IN_BRACKETS = re.compile(r"<\s*/O=[^<>]*\([^<>]*>", re.IGNORECASE)
# Exchange's X.500 address (a PST converted to mbox): its last CN names the mailbox
_X500_ADDRESS = re.compile(r"^/O=.*/CN=(?P<mailbox>[^/]+)$", re.IGNORECASE)


def author_name(from_value: str | None, fallback_sender: str | None = None) -> str:
    """The display name, else the address's local part; never a full address.  A list's DMARC
    rewrite ("Jane Doe via Dev") gives the person's name back; placeholders such as
    "(no name)" are no name."""
    name, address = "", ""
    if from_value and _NO_NAME.search(from_value):
        from_value = _NO_NAME.sub("", from_value).replace("<>", "").strip()
    if from_value:
        from_value = _COMMENT_IN_BRACKETS.sub(lambda found: re.sub(r"\([^()]*\)", "", found.group(0)), from_value)
    if fallback_sender:
        fallback_sender = _NO_NAME.sub("", fallback_sender)
    if from_value:
        pipermail = _PIPERMAIL_FROM.match(from_value)
        bare = _NAME_THEN_BARE_ADDRESS.match(from_value.strip())
        if pipermail and "@" not in pipermail.group("address"):
            name, address = pipermail.group("name"), pipermail.group("address")
        elif bare:  # early Mailman and other tools: "Glyph Lefkowitz glyph@example.com"
            name, address = bare.group("name"), bare.group("address")
        else:
            try:
                name, address = email.utils.parseaddr(from_value)
            except Exception:
                name, address = "", ""
            if not name and not address:
                address = from_value
    name = clean_line(decode_encoded_words(name)).strip("\"' ")
    if via := _VIA_LIST.match(name):
        name = (via.group("quoted") or via.group("name")).strip("\"' ")
    if name and _looks_like_address(name):
        name = _local_part(name)
    if name and any(ch.isalnum() for ch in name):
        return name
    for candidate in (address, fallback_sender or ""):
        local = _local_part(clean_line(decode_encoded_words(candidate)))
        if local:
            return local
    return "unknown"


def _looks_like_address(text: str) -> bool:
    return bool(re.fullmatch(r"\S+@\S+", text) or _OBFUSCATED_ADDRESS.match(text))


def _local_part(address: str) -> str:
    address = address.strip().strip("<>\"' ")
    obfuscated = _OBFUSCATED_ADDRESS.match(address)
    if obfuscated:
        return obfuscated.group("local")
    x500 = _X500_ADDRESS.match(address)
    if x500:
        return x500.group("mailbox").strip()
    return address.split("@", 1)[0].strip().strip("<>\"' ")


# ---------------------------------------------------------------------------- subjects

_REPLY_PREFIX = re.compile(
    r"^\s*(?:re|fwd?|aw|sv|vs|antw|doorst|wg|tr|rif|r|odp|ynt|ilt|res|enc|ref|réf\.?|ΑΠ|ΣΧΕΤ|ΠΡΘ|תגובה|השב|رد"
    r"|回复|答复|转发|回覆|答覆|轉寄|轉發|返信|転送)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)
_TAG_PREFIX = re.compile(r"^\s*\[[^\]]{0,100}\]\s*")


def normalize_subject(subject: str | None) -> str:
    """The subject without Re:/Fwd: and [list] prefixes, for last-resort threading."""
    text = subject or ""
    while True:
        stripped = _TAG_PREFIX.sub("", _REPLY_PREFIX.sub("", text))
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split()).casefold()


def is_reply_subject(subject: str | None) -> bool:
    return bool(_REPLY_PREFIX.match(_TAG_PREFIX.sub("", subject or "")))


def thread_title(subject: str | None) -> str | None:
    """The subject as a title: reply/forward prefixes dropped, [list] tags kept as written."""
    if not subject:
        return None
    kept, rest = "", subject
    while True:
        reply = _REPLY_PREFIX.match(rest)
        tag = _TAG_PREFIX.match(rest)
        if reply:
            rest = rest[reply.end():]
        elif tag:
            if tag.group(0).strip() not in kept:  # "[list] Re: [list] x": the list's tag once
                kept += tag.group(0)
            rest = rest[tag.end():]
        else:
            break
    return (kept + rest).strip() or subject


# quoted-printable's marks (RFC 2045 6.7): a soft line break ("=" ending a line that goes on),
# and escapes an 8-bit or "=" character needs ("=3D", "=E9", a trailing space's "=20")
_SOFT_BREAK = re.compile(rb"(?m)[^=\s]=$| =$")
_QP_ESCAPE = re.compile(rb"=3D|=20$|=[89A-F][0-9A-F]", re.MULTILINE)


def undeclared_quoted_printable(payload: bytes) -> bytes | None:
    """The text decoded when it is quoted-printable that no header declares (an archive that
    lost a message's MIME headers shows "... one or all =" and "=20" lines), else None:
    two soft line breaks and an escape tell it from text that merely holds "=" signs."""
    lines = payload.replace(b"\r\n", b"\n")
    if len(_SOFT_BREAK.findall(lines)) < 2 or not _QP_ESCAPE.search(lines):
        return None
    return quopri.decodestring(payload)
