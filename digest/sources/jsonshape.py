"""JSON parsing for the JSON-based readers, with errors a user can act on.

Decode errors become ``SourceError`` naming line and column; a value of the wrong shape
becomes ``SourceError`` naming its JSON path (``$.post_stream.posts[3].post_number``).
``Node`` wraps every parsed value with its path so readers never lose track of where they are.
Private to ``digest.sources``: the Discourse, Reddit and Hacker News readers share it.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from typing import Any, Callable, Iterator, NoReturn, TypeVar

from digest.errors import SourceError
from digest.sources import common

SNIFF_BYTES = 4096

# C0 controls (but tab, newline, carriage return) and lone surrogates: JSON can carry them,
# the HTML/XML tools downstream cannot.
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def sniff_window(data: bytes, size: int = SNIFF_BYTES) -> bytes | None:
    """The first and last few KB of what may be a JSON document, or None when it cannot be one.

    Key order is the server's, so a distinctive key can sit after a long HTML field;
    the tail catches it without reading the whole file.
    """
    if not isinstance(data, (bytes, bytearray)):
        return None
    encoding = json.detect_encoding(bytes(data[:4]))
    if encoding.startswith("utf-16") or encoding.startswith("utf-32"):  # as Windows PowerShell writes files
        data = bytes(data).decode(encoding, "replace").encode("utf-8")
    head = bytes(data[:size])
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    if not head.lstrip().startswith((b"{", b"[")):
        return None
    if len(data) <= 2 * size:
        return bytes(data)
    return head + b"\n" + bytes(data[-size:])


def clean_text(text: str) -> str:
    """Drop characters no HTML tool accepts (NUL, other controls, lone surrogates)."""
    return _UNSAFE_CHARS.sub("", text)


T = TypeVar("T")


def parse_each(documents, parse: Callable[[Any], T]) -> tuple[list[T], list[str], bool, "SourceError | None"]:
    """Each document parsed by ``parse``.  With one document its error is raised; in a folder a
    document that fails is skipped with a note, and one that looked like JSON may have held
    part of the thread.  Returns (results, skip notes, whether a JSON one was skipped, the first error)."""
    results: list[T] = []
    notes: list[str] = []
    partial = False
    first_error = None
    for doc in documents:
        try:
            results.append(parse(doc))
        except SourceError as exc:
            if len(documents) == 1:
                raise
            first_error = first_error or exc
            partial = partial or sniff_window(doc.data) is not None
            notes.append(f"skipped {exc.where or doc.name}: {exc.message}")
    return results, notes, partial, first_error


def load(data: bytes, name: str, fix: str) -> "Node":
    """Parse one document; every failure is a SourceError with line/column or byte offset."""
    if not data.strip():
        raise SourceError("the file is empty", where=name, fix=fix)
    try:
        text = data.decode(json.detect_encoding(data))
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"not UTF-8 text (byte offset {exc.start})", where=f"{name} byte {exc.start}", fix=fix
        ) from None
    except LookupError:
        raise SourceError("unknown text encoding", where=name, fix=fix) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"not valid JSON: {exc.msg}",
            where=f"{name} line {exc.lineno} column {exc.colno}",
            fix=fix,
        ) from None
    except RecursionError:
        raise SourceError("JSON nested too deeply to read", where=name, fix=fix) from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise SourceError(f"not valid JSON: {exc}", where=name, fix=fix) from None
    return Node(value, "$", name, fix)


class Node:
    """A parsed JSON value plus the path that reached it; typed accessors fail with that path."""

    __slots__ = ("value", "path", "name", "fix")

    def __init__(self, value: Any, path: str, name: str, fix: str):
        self.value = value
        self.path = path
        self.name = name
        self.fix = fix

    def __repr__(self) -> str:
        return f"Node({self.path}={self.value!r:.60})"

    @property
    def where(self) -> str:
        return f"{self.name} at {self.path}"

    def fail(self, message: str, fix: str | None = None) -> NoReturn:
        raise SourceError(message, where=self.where, fix=fix or self.fix)

    # ------------------------------------------------------------------ navigation
    def __getitem__(self, key: str | int) -> "Node":
        """The member ``key`` (a missing key gives a null node, so optional fields read as None)."""
        if isinstance(key, int):
            items = self.value if isinstance(self.value, list) else []
            value = items[key] if -len(items) <= key < len(items) else None
            return Node(value, f"{self.path}[{key}]", self.name, self.fix)
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return Node(value, _child_path(self.path, key), self.name, self.fix)

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    @property
    def is_null(self) -> bool:
        return self.value is None

    @property
    def is_object(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_array(self) -> bool:
        return isinstance(self.value, list)

    # ------------------------------------------------------------------ shapes
    def expect_object(self, what: str = "an object") -> "Node":
        if not isinstance(self.value, dict):
            self.fail(f"expected {what}, found {_kind(self.value)}")
        return self

    def array(self, *, required: bool = False) -> list["Node"]:
        """The elements of a list (null or missing: empty, unless required)."""
        if self.value is None:
            if required:
                self.fail("missing list")
            return []
        if not isinstance(self.value, list):
            self.fail(f"expected a list, found {_kind(self.value)}")
        return [Node(v, f"{self.path}[{i}]", self.name, self.fix) for i, v in enumerate(self.value)]

    def members(self) -> Iterator[tuple[str, "Node"]]:
        self.expect_object()
        for key, value in self.value.items():
            yield key, Node(value, _child_path(self.path, key), self.name, self.fix)

    # ------------------------------------------------------------------ scalars
    def string(self, *, required: bool = False) -> str | None:
        """A text value, cleaned of characters the HTML tools reject; numbers are not text."""
        if self.value is None:
            if required:
                self.fail("missing text value")
            return None
        if not isinstance(self.value, str):
            self.fail(f"expected text, found {_kind(self.value)}")
        return clean_text(self.value)

    def integer(self, *, required: bool = False) -> int | None:
        """A whole number; also ``12.0`` and ``"12"``, which real exports contain."""
        value = self.value
        if value is None:
            if required:
                self.fail("missing number")
            return None
        if isinstance(value, bool):
            self.fail("expected a whole number, found true/false")
        whole = None
        if isinstance(value, int):
            whole = value
        elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
            whole = int(value)
        elif isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
            whole = int(value)
        if whole is None:
            self.fail(f"expected a whole number, found {_found(value)}")
        if not -(2**63) <= whole < 2**63:  # the canonical JSON holds 64-bit integers
            self.fail(f"number out of range: {whole}")
        return whole

    def count(self) -> int | None:
        """A whole number of things (comments, posts): never negative."""
        value = self.integer()
        if value is not None and value < 0:
            self.fail(f"expected a count (0 or more), found {value}")
        return value

    def number(self) -> float | None:
        """Any finite number (epoch seconds with fractions)."""
        value = self.value
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                pass
            else:
                if math.isfinite(number):
                    return number
        self.fail(f"expected a number, found {_found(value)}")

    def flag(self) -> bool:
        """A true/false marker; missing or null is false, 0/1 are accepted."""
        value = self.value
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        self.fail(f"expected true/false, found {_found(value)}")

    def epoch_time(self) -> datetime | None:
        """Unix seconds as an aware UTC time (see ``whole_seconds``)."""
        return whole_seconds(common.parse_epoch(self.number()))

    def iso_time(self) -> datetime | None:
        """An ISO 8601 time as an aware UTC time, None when unreadable (see ``whole_seconds``)."""
        try:
            return whole_seconds(common.parse_iso(self.string()))
        except OverflowError:  # a year-1 time with an offset
            return None

    def ident(self, *, required: bool = False) -> str | None:
        """An id: text or a whole number, returned as text."""
        value = self.value
        if isinstance(value, str):
            value = clean_text(value).strip()
            if value:
                return value
            value = None
        if value is None:
            if required:
                self.fail("missing id")
            return None
        return str(self.integer())


def whole_seconds(value: datetime | None) -> datetime | None:
    """Times as the canonical form keeps them: whole seconds, four-digit years from 1970
    (an out-of-range time is a broken field, not a date to keep)."""
    if value is None or not 1970 <= value.year <= 9999:
        return None
    return value.replace(microsecond=0)


def _child_path(path: str, key: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}"
    return f"{path}[{_printable(json.dumps(key, ensure_ascii=False))}]"


def _printable(text: str) -> str:
    """Quoted source text for a message that is written to files: a lone surrogate shows as \\ud800."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )


def _found(value: Any) -> str:
    return f"{_kind(value)} {_short(value)}".strip()


def _short(value: Any) -> str:
    """A scalar, quoted for an error message (containers are described by ``_kind`` alone)."""
    if isinstance(value, (dict, list)):
        return ""
    text = repr(value) if isinstance(value, float) else _printable(json.dumps(value, ensure_ascii=False))
    return text if len(text) <= 40 else text[:37] + "..."
