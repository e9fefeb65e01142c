"""Safe XML parsing and cheap root sniffing, shared by the XML source readers (wxr, disqus,
stackexchange; feed uses it for sniffing only), plus the few thread-assembly helpers those
readers share.

Why a helper: exports come from strangers, so entity expansion ("billion laughs"), external
entities, DTD loading and network access are always off (files declaring entities are
refused), and every parser error must reach the user as a ``SourceError`` naming the file,
line and column.  Tolerance (removing forbidden control characters, then lxml's recovery
mode) is opt-in, for formats whose real files are known to be broken (WordPress exports);
exports also get Windows-1252 bytes in a UTF-8 file read as such (``parse_export``).
``markup`` reads an element's HTML whether it is CDATA, escaped text or child elements.
"""

from __future__ import annotations

import codecs
import io
import re
from copy import deepcopy
from dataclasses import dataclass, replace
from typing import Iterator

from lxml import etree

from digest.errors import SourceError
from digest.sources import common

# resolve_entities=False: no expansion of internal or external entities (billion laughs, XXE).
_SAFE_OPTIONS = dict(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False)

SNIFF_BYTES = 8192


def _parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(recover=recover, remove_comments=True, remove_pis=True, **_SAFE_OPTIONS)


@dataclass(frozen=True)
class Problem:
    """One thing the tolerant parse repaired."""

    line: int
    column: int
    message: str
    kind: str  # "namespace" (undeclared prefix: nothing lost), "characters" (forbidden control
    #            characters removed: nothing visible lost) or "damage" (content may be lost)


@dataclass(frozen=True)
class Parsed:
    root: etree._Element
    problems: tuple[Problem, ...] = ()  # empty for a well-formed file

    @property
    def lost_content(self) -> bool:
        """True when recovery may have dropped text or elements."""
        return any(p.kind == "damage" for p in self.problems)


def _clean_message(message: str) -> str:
    return re.sub(r",\s*line \d+,\s*column \d+.*$", "", (message or "").strip(), flags=re.S) or "unreadable XML"


def syntax_error(exc: etree.XMLSyntaxError, name: str, fix: str) -> SourceError:
    """An lxml error as a SourceError that says where it is."""
    line, column = getattr(exc, "position", None) or (getattr(exc, "lineno", None), None)
    where = name
    if line:
        where += f" line {line}" + (f", column {column}" if column else "")
    return SourceError(f"not well-formed XML: {_clean_message(getattr(exc, 'msg', None) or str(exc))}", where=where, fix=fix)


def parse(data: bytes, name: str, *, fix: str, tolerant: bool = False) -> Parsed:
    """Parse a whole document safely.

    ``tolerant``: when the strict parse fails, drop the control characters XML forbids (the
    commonest flaw of real exports) and, if that is not enough, parse in recovery mode; what
    was repaired comes back in ``problems`` for the import notes.  A document that even
    recovery cannot read raises the strict parser's error.
    """
    try:
        return Parsed(_refuse_entities(_fromstring(data, recover=False), name))
    except etree.XMLSyntaxError as exc:
        if not tolerant:
            raise syntax_error(exc, name, fix) from None
        strict_error = exc
    data, removed = drop_forbidden_characters(data)
    problems: list[Problem] = []
    if removed:
        problems.append(Problem(0, 0, f"removed {removed} control character(s) that XML does not allow", "characters"))
        try:
            return Parsed(_refuse_entities(_fromstring(data, recover=False), name), tuple(problems))
        except etree.XMLSyntaxError as exc:
            strict_error = exc
    parser = _parser(recover=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError):
        root = None
    if root is None:
        raise syntax_error(strict_error, name, fix) from None
    _refuse_entities(root, name)
    problems += [
        Problem(entry.line, entry.column, _clean_message(entry.message),
                "namespace" if entry.type_name == "NS_ERR_UNDEFINED_NAMESPACE" else "damage")
        for entry in parser.error_log
        if entry.level_name in ("ERROR", "FATAL")
    ]
    if not any(p.kind != "characters" for p in problems):  # recovery repaired silently: keep the strict error
        line, column = strict_error.position or (0, 0)
        problems.append(Problem(line or 0, column or 0, _clean_message(strict_error.msg), "damage"))
    return Parsed(root, tuple(problems))


# C0 controls other than tab, newline and carriage return are forbidden in XML 1.0, raw or as
# character references.  In ASCII-compatible encodings (UTF-8, Latin-x, GB*, Shift_JIS, Big5)
# these bytes are never part of a multi-byte character, so removing them is safe there.
_FORBIDDEN_BYTES = re.compile(rb"[\x01-\x08\x0b\x0c\x0e-\x1f]")
_FORBIDDEN_REFS = re.compile(rb"&#(?:x0*(?:[0-8bcef]|1[0-9a-f])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));", re.I)


def drop_forbidden_characters(data: bytes) -> tuple[bytes, int]:
    if b"\x00" in data[:4096]:  # UTF-16/32: NUL bytes are part of characters, leave it alone
        return data, 0
    data, raw = _FORBIDDEN_BYTES.subn(b"", data)
    data, refs = _FORBIDDEN_REFS.subn(b"", data)
    return data, raw + refs


def _refuse_entities(root, name: str):
    """Entities are never expanded in text, but libxml2 must expand them in attribute values
    (bounded by its amplification limit).  No export declares entities, so a file that does
    is refused rather than half-trusted."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise SourceError(
            "the file declares XML entities (<!ENTITY> in a DOCTYPE); exports never do, so it is refused for safety",
            where=name,
            fix="remove the DOCTYPE declaration at the top of the file",
        )
    return root


def _fromstring(data: bytes, *, recover: bool) -> etree._Element:
    try:
        root = etree.fromstring(data, _parser(recover))
    except ValueError as exc:  # e.g. a str with an encoding declaration; never bytes, but be safe
        raise etree.XMLSyntaxError(str(exc), None, 0, 0) from None
    if root is None:
        raise etree.XMLSyntaxError("Document is empty", None, 1, 1)
    return root


def safe_iterparse(data: bytes, **options):
    """lxml's streaming parse with the safe settings every reader uses (no entities expanded,
    no network, no DTD), comments and processing instructions left out."""
    return etree.iterparse(io.BytesIO(data), remove_comments=True, remove_pis=True, **_SAFE_OPTIONS, **options)


def iter_elements(data: bytes, name: str, local: str, *, fix: str) -> Iterator[etree._Element]:
    """Stream the elements called ``local`` from a big flat dump (Stack Exchange rows) without
    keeping the whole tree; each element is cleared after the caller has seen it."""
    try:
        events = safe_iterparse(data, events=("start", "end"))
        for event, element in events:
            if event == "start":
                if element.getparent() is None:  # the root: the DOCTYPE has been read
                    _refuse_entities(element, name)
                continue
            if local_name(element) != local:
                continue
            yield element
            element.clear(keep_tail=True)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc, name, fix) from None


# ---------------------------------------------------------------------------- reading elements

def local_name(element) -> str:
    """The element name without namespace or prefix.  Recovery keeps an undeclared prefix in the
    name ("wp:comment"), so that is stripped too."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    if tag.startswith("{"):
        tag = tag.split("}", 1)[1]
    return tag.rsplit(":", 1)[-1]


def text(element) -> str:
    """All text inside an element (CDATA included), stripped; "" for a missing element."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def markup(element) -> str:
    """The HTML an element holds, stripped.  Exporters put HTML in CDATA or escape it, and then
    the text is the HTML; some write it as real child elements (``<a href>``, ``<br/>``), which
    ``text`` would flatten, losing links and gluing words across line breaks.  Those children
    are written back as markup, without their namespace (the export's default namespace
    would otherwise cling to every tag)."""
    if element is None:
        return ""
    if not len(element):
        return text(element)
    inner = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            inner.append(etree.tostring(_without_namespaces(child), encoding="unicode", with_tail=False))
        inner.append(child.tail or "")  # like element.text: the HTML as written
    return "".join(inner).strip()


def _without_namespaces(element):
    copy = deepcopy(element)
    for node in copy.iter():
        if isinstance(node.tag, str):
            node.tag = local_name(node)
            for key in [k for k in node.attrib if k.startswith("{")]:
                node.attrib[key.split("}", 1)[1]] = node.attrib.pop(key)
    etree.cleanup_namespaces(copy)
    return copy


def attribute(element, local: str) -> str | None:
    """An attribute by local name, whatever namespace it is in (``dsq:id`` / ``id``)."""
    if element is None:
        return None
    for key, value in element.attrib.items():
        if key == local or key.endswith("}" + local) or key.endswith(":" + local):
            return value
    return None


# ---------------------------------------------------------------------------- sniffing

@dataclass(frozen=True)
class Head:
    """The start of a document as sniffers see it."""

    root: str  # the root element's name as written, with any prefix ("rdf:RDF", "feed")
    root_tag: str  # the root start tag's attribute text (namespace declarations)
    text: str  # the decoded head from the root element on

    @property
    def local(self) -> str:
        return self.root.rsplit(":", 1)[-1]


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S | re.I)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)")


def _decode_head(data: bytes, limit: int) -> str:
    """Enough decoding to read markup: BOMs and UTF-16/32 properly; any ASCII-compatible
    encoding (UTF-8, GB2312, ISO-8859-x...) as Latin-1, which keeps every ASCII tag intact."""
    chunk = data[: limit]
    for bom, codec in _BOMS:
        if chunk.startswith(bom):
            return chunk[len(bom):].decode(codec, "replace")
    if chunk.startswith(b"<\x00\x00\x00"):
        return chunk.decode("utf-32-le", "replace")
    if chunk.startswith(b"\x00\x00\x00<"):
        return chunk.decode("utf-32-be", "replace")
    if chunk.startswith(b"<\x00"):
        return chunk.decode("utf-16-le", "replace")
    if chunk.startswith(b"\x00<"):
        return chunk.decode("utf-16-be", "replace")
    return chunk.decode("latin-1")


def head(data: bytes, limit: int = SNIFF_BYTES) -> Head | None:
    """The root element of an XML document, skipping BOM, declaration, comments, processing
    instructions and DOCTYPE.  None when the first ``limit`` bytes show no root element.
    Never raises: sniffers call it on arbitrary files."""
    try:
        decoded = _decode_head(data, limit)
        pos = 0
        while True:
            match = _PROLOG.match(decoded, pos)
            if not match or match.end() == pos:
                break
            pos = match.end()
        root = _ROOT.match(decoded, pos)
        if not root:
            return None
        return Head(root=root.group(1), root_tag=root.group(2), text=decoded[root.start(1) - 1:])
    except Exception:  # noqa: BLE001 - a sniffer must never raise, whatever the bytes
        return None


# ---------------------------------------------------------------------------- shared by the readers

# ---------------------------------------------------------------------------- damaged exports

_DECLARATION = re.compile(rb"<\?xml[\s?]")
_BOM = b"\xef\xbb\xbf"


def parse_export(data: bytes, name: str, fix: str) -> tuple[Parsed, list[str]]:
    """Real exports are often damaged (cut short, pasted control characters, text printed
    before them, Windows-1252 text in a UTF-8 file); read what is there and say in notes what
    was repaired."""
    data, prefix_note = without_text_before_declaration(data)
    data, declared_note = misdeclared_utf8(data)
    data, encoding_note = with_stray_bytes_as_cp1252(data)
    parsed = parse(data, name, fix=fix, tolerant=True)
    notes = [note for note in (prefix_note, declared_note, encoding_note) if note]
    return parsed, notes + _repair_notes(parsed.problems, data)


_DECLARED_ENCODING = re.compile(rb"""\A<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_STRAY = re.compile(r"[\udc80-\udcff]+")


_LATIN_LABELS = {b"iso-8859-1", b"iso8859-1", b"latin1", b"latin-1", b"l1", b"windows-1252", b"cp1252", b"iso-8859-15", b"latin-9"}


def misdeclared_utf8(data: bytes) -> tuple[bytes, str | None]:
    """A file whose declaration names the wrong encoding for its UTF-8 text; the declaration
    is changed to say UTF-8, with a note.  Two cases: a Latin encoding (a plugin writing the
    site's old charset into the declaration; Latin-1 reads any bytes, so the parser would make
    "cafÃ©" of it), when the text beyond ASCII is all valid UTF-8; and UTF-16 or UTF-32 in a
    declaration written one byte a character, which those encodings never are (the parser
    would fail at once on "Blank needed here")."""
    bom = len(_BOM) if data.startswith(_BOM) else 0
    declared = _DECLARED_ENCODING.match(data[bom:bom + 1000])
    if not declared:
        return data, None
    label = declared.group(1).decode("ascii")
    if wide_encoding(label):
        note = f"the file declares the encoding {label}, but is written one byte a character, as {label} never is; read as UTF-8"
    elif declared.group(1).lower().replace(b"_", b"-") in _LATIN_LABELS and not data.isascii() and common.is_utf8(data):
        note = f"the file declares the encoding {label}, but its text is UTF-8 (which {label} text almost never is); read as UTF-8"
    else:
        return data, None
    return data[:bom + declared.start(1)] + b"UTF-8" + data[bom + declared.end(1):], note


def wide_encoding(label: str) -> bool:
    """UTF-16 or UTF-32 in any byte order: what no declaration readable as ASCII can be in."""
    try:
        return codecs.lookup(label).name.startswith(("utf-16", "utf-32"))
    except LookupError:
        return False


def with_stray_bytes_as_cp1252(data: bytes) -> tuple[bytes, str | None]:
    """A file that says it is UTF-8 (or says nothing, which means UTF-8) often holds text pasted
    from Word or copied from an old Latin-1 database: "caf\\xe9", curly quotes as \\x93 \\x94.
    The XML parser turns each such byte into U+FFFD and reports damage.  Only the byte runs
    that are not UTF-8 are read as Windows-1252 (which includes Latin-1's letters); valid
    UTF-8 stays as it is.  A guess, so the note names the first line."""
    if any(data.startswith(bom) for bom, codec in _BOMS if codec != "utf-8") or b"\x00" in data[:4]:
        return data, None  # UTF-16/32
    declared = _DECLARED_ENCODING.match(data.removeprefix(_BOM))
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return data, None  # the parser reads the declared encoding itself
    try:
        data.decode("utf-8")
        return data, None
    except UnicodeDecodeError:
        pass
    data, cut = _without_cut_character(data)
    text = data.decode("utf-8", "surrogateescape")  # each stray byte becomes U+DC80..U+DCFF
    first = _STRAY.search(text)
    if first is None:
        return data + cut, None
    line = text.count("\n", 0, first.start()) + 1
    text, runs = _STRAY.subn(lambda m: "".join(_cp1252_char(ord(c) - 0xDC00) for c in m.group(0)), text)
    return text.encode("utf-8") + cut, (
        f"{runs} piece(s) of text are not valid UTF-8, the export's encoding (first at line {line}); "
        "read as Windows-1252 (Latin-1), the usual cause, so check accented letters and quotes there"
    )


def _without_cut_character(data: bytes) -> tuple[bytes, bytes]:
    """A file cut short can end inside a UTF-8 character; those bytes are the cut, not
    Windows-1252 text, and stay as they are."""
    for size in (1, 2, 3):
        try:
            data[-size:].decode("utf-8")
        except UnicodeDecodeError as error:
            if error.reason == "unexpected end of data" and error.start == 0:
                return data[:-size], data[-size:]
    return data, b""


def _cp1252_char(byte: int) -> str:
    """Windows-1252 leaves five bytes undefined; those keep their Latin-1 meaning."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


def without_text_before_declaration(data: bytes) -> tuple[bytes, str | None]:
    """Blank lines or a PHP warning printed before ``<?xml`` make the whole file invalid XML
    although nothing is lost.  That text is dropped and its line breaks moved after the
    declaration, so line numbers in later messages still match the file."""
    match = _DECLARATION.search(data, 0, 65536)
    if match is None or match.start() == 0:
        return data, None
    prefix = data[: match.start()]
    declaration_end = data.find(b"?>", match.start())
    if prefix == _BOM or declaration_end < 0 or b"<![CDATA[" in prefix or b"<!--" in prefix:
        return data, None  # nothing wrong, or the <?xml is quoted inside the document
    declaration_end += 2
    data = data[match.start():declaration_end] + b"\n" * prefix.count(b"\n") + data[declaration_end:]
    text = " ".join(prefix.removeprefix(_BOM).decode("utf-8", "replace").split())
    what = f"the text {text[:60] + ('...' if len(text) > 60 else '')!r}" if text else "blank space"
    return data, f"ignored {what} before the XML declaration (<?xml ...?>) at the top of the file; nothing of the export is lost"


def _repair_notes(problems, data: bytes) -> list[str]:
    notes = []
    prefixes = sorted({m.group(1) for p in problems if p.kind == "namespace" for m in [re.search(r"prefix (\S+)", p.message)] if m})
    if prefixes:
        notes.append(f"the export does not declare the namespace prefix(es) {', '.join(prefixes)} (a cut or edited header); matched by name")
    notes += [f"{p.message} from the export" for p in problems if p.kind == "characters"]
    last_line = data.rstrip().count(b"\n") + 1
    cut_short = _root_never_closes(data)
    damage = [p for p in problems if p.kind == "damage" and not (cut_short and p.line >= last_line)]
    cut = [p for p in problems if p.kind == "damage" and cut_short and p.line >= last_line]
    if damage:
        first = damage[0]
        notes.append(
            f"the export is not well-formed XML ({len(damage)} error(s), first at line {first.line}: {first.message}); "
            "read in recovery mode, so text near those lines may be lost"
        )
    if cut:
        notes.append(f"the export is cut short: it ends at line {last_line}{_open_at_end(cut)}; imported what comes before, the rest is missing")
    return notes


def _root_never_closes(data: bytes) -> bool:
    """A file cut short lacks the end tag of its root element (</rss>, </disqus>)."""
    top = head(data)
    return top is not None and data.rfind(b"</" + top.root.encode("latin-1") + b">") < 0


def _open_at_end(problems) -> str:
    """The innermost element left open at the end, from libxml's "Premature end of data in tag
    NAME line N" messages."""
    for problem in problems:
        match = re.search(r"Premature end of data in tag (\S+) line (\d+)", problem.message)
        if match:
            return f" inside <{match.group(1)}> (opened at line {match.group(2)})"
    return " in the middle of the XML"


def only_document(request, format_name: str):
    """These formats are one file each; a folder of several is a usage error, not a guess."""
    documents = request.documents
    if not documents:
        raise SourceError("nothing to import", fix="point at a file")
    if len(documents) > 1:
        names = ", ".join(d.name for d in documents[:5]) + (" ..." if len(documents) > 5 else "")
        raise SourceError(
            f"a {format_name} source is one file, but {len(documents)} were given ({names})",
            where=request.name,
            fix="point at the single export file, not at its folder",
        )
    return documents[0]


def break_parent_loops(replies: list) -> tuple[list, int]:
    """Damaged exports can make replies answer each other in a loop; ``common.order_by_parents``
    would then drop them all.  The link that closes each loop is cut (that reply answers the
    thread).  Returns the replies and how many links were cut."""
    parent = {r.id: r.parent_id for r in replies}
    done: set = set()
    cut: set = set()
    for reply in replies:
        path: list = []
        on_path: set = set()
        current = reply.id
        while current in parent and current not in done:
            if current in on_path:
                cut.add(path[-1])
                parent[path[-1]] = None
                break
            path.append(current)
            on_path.add(current)
            current = parent[current]
        done.update(path)
    return [replace(r, parent_id=None) if r.id in cut else r for r in replies], len(cut)


def utc_time(text: str | None):
    """An ISO 8601 time as aware UTC, cut to whole seconds as the canonical JSON keeps it (so a
    thread survives a round trip unchanged); a time without an offset is taken as UTC, which
    is what Stack Exchange, Disqus and WordPress ``*_gmt`` fields are."""
    value = common.parse_iso(text)
    return value.replace(microsecond=0) if plausible(value) else None


def plausible(value) -> bool:
    """A year before 1900 is a broken date field, not an old post (and the canonical JSON
    could not write it back as ISO 8601)."""
    return value is not None and value.year >= 1900
