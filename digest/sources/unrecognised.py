"""Saying what a source that no reader claims looks like, so its error says what to do.

"Could not recognise the format" alone leaves the user guessing a ``--format``; most such
files are something else entirely (an empty download, a Git LFS pointer, a saved web page, a
chat export) and each has its own fix.  Pure: looks at the bytes only.
"""

from __future__ import annotations

import json
import re

from digest.discover import looks_like_html

_LFS = re.compile(rb"\Aversion https://git-lfs\.github\.com/spec/v1\s+oid sha256:[0-9a-f]{64}\s+size (\d+)\s*\Z")
_ZSTD = b"\x28\xb5\x2f\xfd"
_XML_ROOT = re.compile(rb"\A(?:\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>))*\s*<([A-Za-z_][\w.:-]*)", re.S)
_UTF16 = (b"\xff\xfe", b"\xfe\xff")
_JSONISH = re.compile(r'\{|\[\s*[\[{"\]]')  # an object, or an array of objects, arrays or strings


def describe(data: bytes) -> tuple[str, str | None]:
    """(what the content looks like, a fix for it); the fix is None when only the list of
    formats can help."""
    if not data.strip():
        return "the file is empty", "save or download it again"
    if found := _LFS.match(data[:300]):
        return (f"this is a Git LFS pointer to a {int(found.group(1)):,}-byte file, not the file itself",
                "run `git lfs pull` in the repository it comes from, then import the file")
    if data.startswith(_ZSTD):
        return "this is zstd-compressed data", "decompress it first (`zstd -d FILE`)"
    if looks_like_html(data):
        return ("this is a web page (HTML)",
                "import the page's address instead (`digest import https://...`): digest finds the discussion's data behind it")
    text = _text(data)
    if text is None:
        return "this is binary data, not text", None
    stripped = text.lstrip("\ufeff").lstrip()
    if _JSONISH.match(stripped):
        return _json_shape(data), None
    root = _XML_ROOT.match(stripped.encode("utf-8", "replace"))
    if root:
        return f"this is XML with the root element <{root.group(1).decode()}>, which no reader here knows", None
    first = next((line.strip() for line in stripped.splitlines() if line.strip()), "")
    return f"this is text in none of the formats below (it starts: {first[:60]!r})", None


def _text(data: bytes) -> str | None:
    """The start of the content as text, or None for binary data."""
    head = data[:4096]
    if head.startswith(_UTF16):
        return head.decode("utf-16", "replace")
    if b"\x00" in head:
        return None
    return head.decode("utf-8", "replace")


def _json_shape(data: bytes) -> str:
    try:
        value = json.loads(data)  # any UTF of JSON; a BOM-less UTF-16 file too
    except ValueError:
        return "this starts like JSON but is not valid JSON (cut short or damaged)"
    if isinstance(value, dict):
        keys = ", ".join(list(value)[:8]) or "none"
        return f"this is JSON with the top-level keys {keys}, a shape no reader here knows"
    if isinstance(value, list):
        return f"this is a JSON array of {len(value)} item(s), a shape no reader here knows"
    return "this is JSON holding a single value"
