"""Turning mail bytes and header fields into clean text, never failing on bad input.

Charset decoding with fallbacks (undeclared 8-bit text, as in Mailman's text archives,
which are written in the list language's charset, is detected), RFC 2047 encoded words, header access with folding
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
import re

_UNKNOWN_CHARSETS = {"unknown-8bit", "x-unknown", "unknown", "none", "default", "x-user-defined", "8bit", "binary", "7bit"}
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def codec_of(charset) -> str | None:
    """A Python text codec for a declared charset, or None when unknown or not a text codec."""
    if not charset or not isinstance(charset, str):
        return None
    name = charset.strip().strip("\"'").strip().lower()
    if not name or name in _UNKNOWN_CHARSETS:
        return None
    try:
        info = codecs.lookup(name)
    except Exception:  # LookupError, or ValueError for names with NUL bytes
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode with the declared charset, never failing.

    Order: declared charset; UTF-8; the declared charset with replacement characters.
    Without a usable declaration: UTF-8 when the bytes are mostly valid UTF-8 (with
    replacement characters for the rest), else Windows-1252 / Latin-1, the usual
    undeclared 8-bit text of old archives.
    """
    codec = codec_of(charset)
    for name in (codec, "utf-8"):
        if name:
            try:
                return data.decode(name)
            except Exception:  # UnicodeError, or odd codecs raising others
                pass
    if codec and codec not in ("utf-8", "ascii"):
        try:
            return data.decode(codec, "replace")
        except Exception:
            pass
    if _mostly_utf8(data):
        return data.decode("utf-8", "replace")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _mostly_utf8(data: bytes) -> bool:
    valid = len(_UTF8_SEQUENCE.findall(data))
    invalid = len(_HIGH_BYTE.findall(data)) - sum(len(m) for m in _UTF8_SEQUENCE.findall(data))
    return bool(valid) and valid >= invalid


# The charsets Mailman 2 writes its languages in, plus the usual Windows ones
_MAIL_CHARSETS = (
    "cp1252", "iso8859_2", "iso8859_7", "iso8859_9", "iso8859_15", "koi8_r", "koi8_u", "cp1251",
    "euc_jp", "shift_jis", "gb18030", "big5", "euc_kr", "cp1250",
)
# Detection is trusted only for other scripts: between the Latin charsets short texts
# give no reliable answer, so those stay Windows-1252 as before
_NON_LATIN = {"koi8_r", "koi8_u", "cp1251", "iso8859_7", "euc_jp", "shift_jis", "gb18030", "big5", "euc_kr"}
_ISO2022_JP = re.compile(rb"\x1b\$[@B]")


def guess_charset(data: bytes) -> str | None:
    """The charset of text that declares none, when it is neither ASCII nor UTF-8 (else None)."""
    if not _HIGH_BYTE.search(data):
        return "iso2022_jp" if _ISO2022_JP.search(data) else None
    if _mostly_utf8(data):
        return None
    try:
        from charset_normalizer import from_bytes

        results = from_bytes(data, cp_isolation=list(_MAIL_CHARSETS))
        best = results.best()
        if best is not None:
            best = _most_common_reading(best, [r for r in results if (r.chaos, r.coherence) == (best.chaos, best.coherence)])
    except Exception:  # a detector failure must not stop the import
        best = None
    return best.encoding if best is not None and best.encoding in _NON_LATIN else "cp1252"


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
    """A charset's usual name for notes (``euc_jp`` -> ``EUC-JP``)."""
    return {"cp1252": "Windows-1252", "cp1251": "Windows-1251", "iso8859_7": "ISO-8859-7"}.get(
        codec, codec.upper().replace("_", "-")
    )


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

    def __init__(self, msg):
        self._raw: dict[str, list[str]] = {}
        for key, value in msg.raw_items():
            if isinstance(key, str):
                self._raw.setdefault(key.strip().lower(), []).append(value if isinstance(value, str) else str(value))
        self.charset_guess = _guess_header_charset(self._raw)

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


def _guess_header_charset(fields: dict[str, list[str]]) -> str | None:
    """One charset for the raw 8-bit header text of a message, guessed from all of it at once
    (each text once: From and X-Reply-To often repeat a name, which sways the detector)."""
    texts = dict.fromkeys(r for values in fields.values() for r in map(_raw_bytes, values) if _needs_guess(r))
    return guess_charset(b"\n".join(texts)) if texts else None


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
_BARE_ID = re.compile(r"[^\s<>,;\"'()]+@[^\s<>,;\"'()]+")
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
    unique: list[str] = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique


def _own_message_id(headers: Headers) -> str | None:
    value = headers.first("Message-ID")
    if not value:
        return None
    ids = message_ids(value)
    if ids:
        return ids[0]
    token = value.strip().strip("<>").strip()
    return _normalize_id(token) if token and " " not in token else None


_PIPERMAIL_FROM = re.compile(r"^(?P<address>[^()<>\"]*?)\s*\((?P<name>.*)\)\s*$")
_OBFUSCATED_ADDRESS = re.compile(r"^(?P<local>\S+)\s+\S{1,12}\s+(?P<domain>\S+\.\S+)$")


def author_name(from_value: str | None, fallback_sender: str | None = None) -> str:
    """The display name, else the address's local part; never a full address."""
    name, address = "", ""
    if from_value:
        pipermail = _PIPERMAIL_FROM.match(from_value)
        if pipermail and "@" not in pipermail.group("address"):
            name, address = pipermail.group("name"), pipermail.group("address")
        else:
            try:
                name, address = email.utils.parseaddr(from_value)
            except Exception:
                name, address = "", ""
            if not name and not address:
                address = from_value
    name = clean_line(decode_encoded_words(name)).strip("\"' ")
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
    return address.split("@", 1)[0].strip().strip("<>\"' ")


# ---------------------------------------------------------------------------- subjects

_REPLY_PREFIX = re.compile(
    r"^\s*(?:re|fwd?|aw|sv|vs|antw|wg|tr|rif|r|odp|ynt|res|enc|ref|réf|回复|答复|转发)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
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
            kept, rest = kept + tag.group(0), rest[tag.end():]
        else:
            break
    return (kept + rest).strip() or subject
