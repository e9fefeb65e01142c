"""What mail text carries that is not its writer's words: inline PGP armour and uuencoded files.

A clear-signed message wraps the text in armour lines and dash-escapes it (RFC 4880 7.1) and
ends with a base64 signature block; an old client pastes a file into the text as uuencoded
lines.  Both are left out, with a note, and the writer's words kept.  Pure.
"""

from __future__ import annotations

import re

_PGP_SIGNED = re.compile(r"^(?P<marks>(?:> ?)*)-----BEGIN PGP SIGNED MESSAGE-----\s*$")
_PGP_ARMOUR_HEADER = re.compile(r"^(?:Hash|Charset|Comment|Version|NotDashEscaped): ", re.IGNORECASE)
_PGP_SIGNATURE_START = "-----BEGIN PGP SIGNATURE-----"
_PGP_SIGNATURE_END = "-----END PGP SIGNATURE-----"
_PGP_NOTE = (
    "is PGP-signed inline: the armour lines and the signature block were left out "
    "(the signature was not checked)"
)


def without_pgp_armour(text: str, notes: list[str]) -> str:
    """Clearsigned text as its signer wrote it: the ``BEGIN PGP SIGNED MESSAGE`` line and
    its ``Hash:`` headers gone, dash-escaped lines (``- -- `` for a signature line,
    ``- ----`` for a rule) unescaped, the signature block left out (with a note)."""
    lines = text.split("\n")
    index = 0
    signed = False
    while index < len(lines):
        match = _PGP_SIGNED.match(lines[index])
        if match:
            lines, index = _unarmoured(lines, index, match.group("marks").count(">"))
            signed = True
        else:
            index += 1
    if signed:
        notes.append(_PGP_NOTE)
    return "\n".join(lines)


def _unarmoured(lines: list[str], start: int, depth: int) -> tuple[list[str], int]:
    """The lines with the clearsigned block opening at ``start`` (quoted ``depth`` times)
    unarmoured, and the index after it."""
    marks = re.compile(r"^(?:> ?){%d}" % depth)

    def inside(line: str) -> str | None:
        """The line without the block's quote marks, or None when it is outside the block."""
        found = marks.match(line)
        return line[found.end():] if found else None

    index = start + 1
    while index < len(lines) and _PGP_ARMOUR_HEADER.match(inside(lines[index]) or ""):
        index += 1
    if index < len(lines) and not (inside(lines[index]) or "").strip():
        index += 1  # the blank line after the armour headers
    out = lines[:start]
    while index < len(lines) and inside(lines[index]) is not None:
        content = inside(lines[index])
        if content.rstrip() == _PGP_SIGNATURE_START:
            index = _after_signature(lines, index, inside)
            break
        prefix = lines[index][:len(lines[index]) - len(content)]
        out.append(prefix + content[2:] if content.startswith("- ") else lines[index])
        index += 1
    return out + lines[index:], len(out)


def _after_signature(lines: list[str], start: int, inside) -> int:
    """The index after the ``END PGP SIGNATURE`` line, or after the block's last line."""
    index = start + 1
    while index < len(lines) and inside(lines[index]) is not None:
        if inside(lines[index]).rstrip() == _PGP_SIGNATURE_END:
            return index + 1
        index += 1
    return index


# uuencode(1): "begin <mode> <name>", lines whose first character gives their length, "`", "end"
_UUENCODE_BEGIN = re.compile(r"^begin [0-7]{3,4} (?P<name>\S.*?)\s*$")
_UUENCODE_LINE = re.compile(r"^[ -`]{1,62}$")


def without_uuencoded_files(text: str, notes: list[str]) -> str:
    """A uuencoded file pasted into the text (before MIME) left out, with a note naming it."""
    lines = text.split("\n")
    names: list[str] = []
    index = 0
    while index < len(lines):
        match = _UUENCODE_BEGIN.match(lines[index])
        end = _uuencoded_end(lines, index) if match else None
        if end is None:
            index += 1
            continue
        names.append(match.group("name"))
        lines[index:end] = []
    if names:
        notes.append(f"holds uuencoded file(s), left out: {', '.join(names)}")
    return "\n".join(lines)


def _uuencoded_end(lines: list[str], begin: int) -> int | None:
    """The index after the ``end`` line closing the uuencoded file opened at ``begin``, when
    every line between is a uuencoded line no longer than its length character says."""
    for index in range(begin + 1, len(lines)):
        line = lines[index].rstrip("\r")
        if line.rstrip() == "end":
            return index + 1 if index > begin + 1 else None
        if line and not (_UUENCODE_LINE.match(line) and len(line) - 1 <= _uuencoded_length(line[0]) + 1):
            return None
    return None


def _uuencoded_length(first: str) -> int:
    """How many characters a uuencoded line carries after its length character."""
    return -(-((ord(first) - 32) & 63) // 3) * 4
