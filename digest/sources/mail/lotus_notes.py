"""Lotus Notes 5's table above a quoted original, read back into the lines it stands for.

Notes 5 wrote a reply's original below a text drawing of two boxes: the sender's name,
address, date (and "Please respond to") in a narrow cell that wraps mid-word, then the
``To:``, ``cc:`` and ``Subject:`` fields; the original follows, unquoted::

    |---------+---------------------------->
    |         |           Jean Tourrilhes  |
    |         |           <jt@bougret.hpl.h|
    |         |           p.com>           |
    |         |                            |
    |         |           10/31/02 10:30 AM|
    |---------+---------------------------->
      >--------------------------------------------------|
      |       To:       Juan Gomez/Almaden/IBM@IBMUS     |
      |       Subject:  Re: How to get a local address   |
      >--------------------------------------------------|

Only finding and reading the drawing happens here; quoting is the caller's.  Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENDER_BOX_EDGE = re.compile(r"^\|-{5,}\+-{5,}>\s*$")
_FIELD_BOX_EDGE = re.compile(r"^\s*>-{10,}\|\s*$")
_BOX_ROW = re.compile(r"^\s*\|(?P<inside>.*)\|\s*$")
_FIELD = re.compile(r"^(?P<label>[A-Za-z][\w-]{0,15}:)\s+(?P<value>\S.*)$|^(?P<empty>[A-Za-z][\w-]{0,15}:)$")


@dataclass(frozen=True)
class NotesTable:
    """Where the drawing is (``start`` up to ``end``, exclusive) and the lines it stands for."""

    start: int
    end: int
    header: tuple[str, ...]


def find_table(lines: list[str]) -> NotesTable | None:
    """The first Notes 5 table in unquoted lines, or None (also when its sender box is not closed)."""
    start = next((i for i, line in enumerate(lines) if _SENDER_BOX_EDGE.match(line)), None)
    if start is None:
        return None
    close = next((i for i in range(start + 1, len(lines)) if _SENDER_BOX_EDGE.match(lines[i])), None)
    if close is None or not all(_BOX_ROW.match(line) for line in lines[start + 1:close]):
        return None
    header = _sender_entries(lines[start + 1:close])
    end = close + 1
    if end < len(lines) and _FIELD_BOX_EDGE.match(lines[end]):
        field_close = next((i for i in range(end + 1, len(lines)) if _FIELD_BOX_EDGE.match(lines[i])), None)
        if field_close is not None and all(_BOX_ROW.match(line) for line in lines[end + 1:field_close]):
            header += _fields(lines[end + 1:field_close])
            end = field_close + 1
    return NotesTable(start, end, tuple(header))


def _sender_entries(rows: list[str]) -> list[str]:
    """The right cell's entries (name and address, date, "Please respond to ..."), each
    joined from its wrapped rows with a space, except inside an address the cell's width
    cut (``<jt@bougret.hpl.h`` / ``p.com>``, ``mike.kupfer@sun.c`` / ``om``)."""
    entries: list[str] = []
    current = ""
    filled = False  # the row before reached the cell's right edge
    for row in rows:
        cells = _BOX_ROW.match(row).group("inside").split("|")
        cell = cells[-1] if len(cells) > 1 else ""
        piece = cell.strip()
        if not piece:
            if current:
                entries.append(current)
            current, filled = "", False
            continue
        current = current + piece if _inside_address(current, filled) else f"{current} {piece}".strip()
        filled = not cell.endswith(" ")
    if current:
        entries.append(current)
    return entries


def _inside_address(text: str, filled: bool) -> bool:
    """Whether the text ends inside an address: an open ``<``, or a last word with an ``@``
    that reached the cell's edge."""
    words = text.split()
    return text.count("<") > text.count(">") or (filled and bool(words) and "@" in words[-1])


def _fields(rows: list[str]) -> list[str]:
    """The field box's ``Label: value`` lines (a row without a label continues the one above)."""
    fields: list[str] = []
    for row in rows:
        text = _BOX_ROW.match(row).group("inside").strip()
        if not text:
            continue
        field = _FIELD.match(text)
        if field and field.group("empty"):
            fields.append(field.group("empty"))
        elif field:
            fields.append(f"{field.group('label')} {' '.join(field.group('value').split())}")
        elif fields:
            fields[-1] += " " + " ".join(text.split())
    return fields
