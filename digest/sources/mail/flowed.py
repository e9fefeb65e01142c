"""``format=flowed`` text (RFC 3676) turned back into the lines its sender wrote.

A line ending in a space is soft-broken: it joins the next line of the same quote depth
(its trailing space deleted first when ``DelSp=yes``, for scripts written without spaces
and for long URLs); every other line end is a hard break the sender typed, as is the
signature separator ``-- ``.  Leading ``>`` marks give the quote depth, and one space
after them (or at the start of an unquoted line) is stuffing and is removed; inside a quote,
further ``>`` marks after that space are deeper levels (a quoted message that was not flowed).  Text declared
flowed in which no line ends in a space was not flowed at all (Outlook Express): it is read as
ordinary wrapped text.

``body.from_plain_text`` joins the lines of a paragraph, which would undo hard breaks, so a
hard-broken line inside a block ends in ``body.HARD_BREAK`` (Unicode's line separator), which
it keeps as a line break.
"""

from __future__ import annotations

from digest import body as bodies

_SIGNATURE_SEPARATOR = "-- "


def is_flowed(part) -> bool:
    """A text/plain part that declares ``format=flowed``."""
    return part.get_content_type() == "text/plain" and _param(part, "format") == "flowed"


def deletes_space(part) -> bool:
    """``DelSp=yes``: the space ending a soft-broken line is not part of the text."""
    return _param(part, "delsp") == "yes"


def _param(part, name: str) -> str:
    try:
        value = part.get_param(name, "")
    except Exception:  # a Content-Type the email package cannot take apart
        return ""
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[-1]
    return str(value).strip().strip("\"'").lower()


def unflow(text: str, delsp: bool) -> str:
    """Flowed text as plain text whose line breaks are the sender's hard breaks only.  Text
    declared flowed without one soft break (no line ends in a space) was wrapped by a program
    that only says it flows (Outlook Express): it is read as ordinary wrapped text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any(line.endswith(" ") and line.lstrip(">").strip() != "--" for line in lines):
        return "\n".join(lines)
    return "\n".join(_keep_hard_breaks(_logical_lines(lines, delsp)))


def _logical_lines(lines: list[str], delsp: bool) -> list[tuple[int, str]]:
    """(quote depth, text) of each hard-broken line, soft breaks joined."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None  # a soft-broken line waiting for the rest
    for line in lines:
        depth, content = _depth_and_content(line)
        soft = content.endswith(" ") and content != _SIGNATURE_SEPARATOR
        if pending is not None:
            if pending[0] == depth:
                content = pending[1] + content
            else:  # a soft break before a change of quote depth is a hard one (RFC 3676 4.5)
                out.append(pending)
            pending = None
        if soft:
            pending = (depth, content[:-1] if delsp else content)
        else:
            out.append((depth, content))
    if pending is not None:
        out.append(pending)
    return out


def _depth_and_content(line: str) -> tuple[int, str]:
    """A line's quote depth and its text, stuffing taken off.  Inside a quote, ``>`` marks
    after the stuffing space are deeper quote levels, not text: a reply quoting a message that
    was not flowed keeps that message's ``> `` marks (``>> > text``, ``> > > text``)."""
    depth = len(line) - len(line.lstrip(">"))
    content = line[depth:]
    if content.startswith(" "):
        content = content[1:]  # space-stuffing
    while depth and content.startswith(">"):
        marks = len(content) - len(content.lstrip(">"))
        depth += marks
        content = content[marks:]
        if content.startswith(" "):
            content = content[1:]
    return depth, content


def _keep_hard_breaks(logical: list[tuple[int, str]]) -> list[str]:
    """Plain-text lines: ``>`` marks restored, and the hard-broken lines of a block marked
    with ``body.HARD_BREAK`` so the body builder does not join them."""
    out: list[str] = []
    index = 0
    while index < len(logical):
        depth, text = logical[index]
        if depth == 0 and text == _SIGNATURE_SEPARATOR:  # the signature keeps its lines as they are
            out.extend(_quoted(d, t) for d, t in logical[index:])
            break
        end = index
        while end < len(logical) and logical[end][0] == depth and logical[end][1].strip() and not (
            depth == 0 and logical[end][1] == _SIGNATURE_SEPARATOR
        ):
            end += 1
        block = [t for _, t in logical[index:end]]
        if block:  # a line the sender ended inside a block keeps its break (code and lists keep their lines anyway)
            out.extend(_quoted(depth, line + (bodies.HARD_BREAK if number < len(block) - 1 else ""))
                       for number, line in enumerate(block))
        else:
            out.append(_quoted(depth, text))
            end = index + 1
        index = end
    return out


def _quoted(depth: int, text: str) -> str:
    """The line with its quote marks; a ``>`` the sender space-stuffed stays text, not a quote."""
    if text.startswith(">"):
        text = " " + text
    if not depth:
        return text
    return ">" * depth + (" " + text if text else "")
