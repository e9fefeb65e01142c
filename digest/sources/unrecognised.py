"""Saying what a source that no reader claims looks like, so its error says what to do.

"Could not recognise the format" alone leaves the user guessing a ``--format``; most such
files are something else entirely (an empty download, a Git LFS pointer, a saved web page, a
chat export) and each has its own fix.  Pure: looks at the bytes only.
"""

from __future__ import annotations

import csv
import json
import re

from digest.discover import looks_like_html

_LFS = re.compile(rb"\Aversion https://git-lfs\.github\.com/spec/v1\s+oid sha256:[0-9a-f]{64}\s+size (\d+)\s*\Z")
_ZSTD = b"\x28\xb5\x2f\xfd"
# each declaration, comment or DOCTYPE taken whole (atomic): a lazy ".*?" allowed to run on into the next one tried
# every way of grouping them, so a head of 40 declarations before no root took hours
_XML_ROOT = re.compile(rb"\A(?>\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>))*\s*<([A-Za-z_][\w.:-]*)", re.S)
_UTF16 = (b"\xff\xfe", b"\xfe\xff")
_BOMS = (b"\xef\xbb\xbf", *_UTF16)
_JSONISH = re.compile(r'\{|\[\s*[\[{"\]]')  # an object, or an array of objects, arrays or strings
# Documents and databases people save a discussion as, told by their first bytes.
_SIGNATURES = (
    (b"%PDF-", "this is a PDF document (a printout of a page), which holds no discussion data",
     "import the page's address instead (`digest import https://...`), or its feed or an export"),
    (b"SQLite format 3\x00", "this is an SQLite database file",
     "export the discussion from the site or app that keeps it (a feed, a JSON API answer, a WordPress or Disqus export) "
     "and import that"),
)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n---[ \t]*\n", re.S)  # a Markdown file's YAML header
# A Hacker News page saved as text or Markdown whose comment bylines did not survive: its item's address.
_HN_ITEM = re.compile(r"news\.ycombinator\.com/item\?id=(\d+)")
# A forum's topic page copied as text in a shape the forum-text reader does not know (another
# style or software), told by the footer or buttons the copy keeps on lines of their own, as a
# page shows them (a README saying "powered by NodeBB" is no forum page): any of the sets of
# marks, all of a set; the software, and where digest reads such a topic from, if it does.
def _line(mark: str) -> re.Pattern:
    return re.compile(rf"^[ \t]*(?:[-*•][ \t]+)?{mark}", re.MULTILINE)


_FORUM_PAGES = (
    (((_line(r"powered by (?:\[\d+\])?discourse, best viewed"),),), "Discourse",
     "import the topic's address instead (`digest import https://FORUM/t/SLUG/ID`): digest reads the whole topic from its JSON"),
    (((_line(r"powered by phpbb"),),), "phpBB",
     "import the topic's address instead (`digest import https://FORUM/viewtopic.php?t=ID`): digest reads its feed, which holds "
     "the latest posts; or copy the page in the board's default style, where each post reads 'Post by NAME » DATE'"),
    (((_line(r"powered by nodebb[ \t]*(?:\||$)"),),), "NodeBB",
     "import the topic's address instead (`digest import https://FORUM/topic/ID`): digest reads its feed, which holds the "
     "latest posts"),
    (((_line(r"(?:community platform|forum software) by xenforo"),), (_line(r"click to expand\.\.\.[ \t]*$"), _line(r"reaction score"))),
     "XenForo", None),
    (((_line(r"powered by vbulletin"),),), "vBulletin", None),
    (((_line(r"powered by mybb"),),), "MyBB", None),
    (((_line(r"powered by invision (?:community|power board)"),),), "Invision Community", None),
    (((_line(r"powered by smf"),), (_line(r"smf [\d.]+ ©.*simple machines"),)), "SMF", None),
    (((_line(r"powered by flarum[ \t]*$"),),), "Flarum", None),
    (((_line(r"powered by vanilla[ \t]*$"),),), "Vanilla", None),
    (((_line(r"powered by kunena"),),), "Kunena", None),
)
_FORUM_SEARCHED = 256 * 1024  # the start and the end of a copy: its navigation, its first posts and its footer


def describe(data: bytes) -> tuple[str, str | None]:
    """(what the content looks like, a fix for it); the fix is None when only the list of
    formats can help."""
    if not _without_bom(data).strip():
        return "the file is empty", "save or download it again"
    for signature, what, fix in _SIGNATURES:
        if data.startswith(signature):
            return what, fix
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
    if (single := _single_json_value(data)) is not None:
        return single, None
    lines = [line.strip() for line in _FRONT_MATTER.sub("", stripped.replace("\r\n", "\n")).splitlines() if line.strip()]
    first = next((line for line in lines if line.strip("-=*_ ")), lines[0] if lines else "")
    if columns := _table_columns(lines[:5]):
        return f"this is a table (CSV) with the columns {', '.join(columns[:8])}, which no reader here knows", None
    if item := _HN_ITEM.search(text):
        return (f"this is text about the Hacker News item {item.group(1)} in none of the formats digest reads "
                f"(it starts: {first[:60]!r})",
                f"import the thread itself: `digest import https://news.ycombinator.com/item?id={item.group(1)}`, or save "
                f"https://hn.algolia.com/api/v1/items/{item.group(1)} and import that file")
    if forum := _forum_page(data, first):
        return forum
    return f"this is text in none of the formats below (it starts: {first[:60]!r})", None


def _forum_page(data: bytes, first: str) -> tuple[str, str | None] | None:
    """A forum's topic page copied as text that no reader recognises: which software, and a fix where digest reads its topics."""
    sample = data if len(data) <= 2 * _FORUM_SEARCHED else data[:_FORUM_SEARCHED] + b"\n" + data[-_FORUM_SEARCHED:]
    searched = sample.decode("utf-8", "replace").lower()
    for alternatives, software, fix in _FORUM_PAGES:
        if any(all(mark.search(searched) for mark in marks) for marks in alternatives):
            return (f"this looks like a {software} forum page copied as text (it starts: {first[:60]!r}), in a shape digest "
                    "does not read", fix)
    return None


def _without_bom(data: bytes) -> bytes:
    return next((data[len(bom):] for bom in _BOMS if data.startswith(bom)), data)


def _single_json_value(data: bytes) -> str | None:
    """A JSON document that is a lone string, number or null (an API's error answer, an empty result)."""
    try:
        value = json.loads(_without_bom(data))
    except (ValueError, RecursionError):
        return None
    return f"this is JSON holding a single value ({json.dumps(value)[:40]}), not a discussion"


def _table_columns(lines: list[str]) -> list[str] | None:
    """The header of a CSV or tab-separated table: its first lines split into as many cells, three or more."""
    for separator in (",", "\t", ";"):
        counts = {len(next(csv.reader([line], delimiter=separator))) for line in lines}
        if len(lines) >= 2 and len(counts) == 1 and counts.pop() >= 3:
            return [cell.strip() for cell in next(csv.reader([lines[0]], delimiter=separator))]
    return None


def _text(data: bytes) -> str | None:
    """The start of the content as text, or None for binary data."""
    head = data[:4096]
    if head.startswith(_UTF16):
        return head.decode("utf-16", "replace")
    if b"\x00" in head:
        return None
    return head.decode("utf-8", "replace")


def _json_lines(data: bytes) -> str | None:
    """JSON Lines (one object per line, as dumps and exporters write them), described by its first object's keys."""
    lines = [line for line in _without_bom(data).splitlines()[:20] if line.strip()]
    try:
        values = [json.loads(line) for line in lines]
    except (ValueError, RecursionError):
        return None
    if len(values) < 2 or not all(isinstance(value, dict) for value in values):
        return None
    keys = ", ".join(list(values[0])[:8]) or "none"
    return f"this is JSON Lines (one object per line; the first has the keys {keys}), a shape no reader here knows"


def _json_shape(data: bytes) -> str:
    try:
        value = json.loads(data)  # any UTF of JSON; a BOM-less UTF-16 file too
    except RecursionError:
        return "this is JSON nested too deeply to read (arrays or objects thousands of levels deep), not a discussion"
    except ValueError:
        return _json_lines(data) or "this starts like JSON but is not valid JSON (cut short or damaged)"
    if isinstance(value, dict):
        if not value:
            return "this is an empty JSON object ({}), not a discussion"
        keys = ", ".join(list(value)[:8])
        return f"this is JSON with the top-level keys {keys}, a shape no reader here knows"
    if isinstance(value, list):
        return f"this is a JSON array of {len(value)} item(s), a shape no reader here knows"
    return "this is JSON holding a single value"
