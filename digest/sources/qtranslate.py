"""Multilingual WordPress text (qTranslate, qTranslate-X, qTranslate-XT): one language of it.

Those plugins store every language of a title or post in one field, each part opened by a
marker: ``<!--:en-->…<!--:-->`` (qTranslate), ``[:en]…[:de]…[:]`` or ``{:en}…{:}``
(qTranslate-X, -XT).  A site shows one language at a time; an import that kept them all would
run them into one paragraph.  Text outside any part belongs to every language.  Pure.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"<!--:([a-z]{2}(?:[_-][a-zA-Z]{2})?)?-->|\[:([a-z]{2}(?:[_-][a-zA-Z]{2})?)?\]|\{:([a-z]{2}(?:[_-][a-zA-Z]{2})?)?\}")


def languages(text: str) -> list[str]:
    """The languages ``text`` has parts in, in order of first appearance."""
    found = (next(filter(None, m.groups()), None) for m in _MARKER.finditer(text))
    return list(dict.fromkeys(code for code in found if code))


def in_language(text: str, language: str) -> str:
    """``text`` as the site shows it in ``language``: that language's parts and the text
    outside any part."""
    if "[:" not in text and "<!--:" not in text and "{:" not in text:
        return text
    kept, current, at = [], None, 0
    for marker in _MARKER.finditer(text):
        if current is None or current == language:
            kept.append(text[at:marker.start()])
        current = next(filter(None, marker.groups()), None)
        at = marker.end()
    if current is None or current == language:
        kept.append(text[at:])
    return "".join(kept)


def chosen(found: list[str], site_language: str | None) -> str | None:
    """The language to import: the site's own (its feed's ``<language>``, "en-US" -> "en")
    when the text has it, else the first the text has; None for text without parts."""
    if not found:
        return None
    primary = (site_language or "").strip().lower().replace("_", "-").split("-")[0]
    return next((code for code in found if code.lower().split("-")[0].split("_")[0] == primary), found[0])


def choice(text: str, site_language: str | None) -> tuple[str | None, list[str]]:
    """The language to import ``text`` in (``chosen``), and a note when it has several."""
    found = languages(text)
    language = chosen(found, site_language)
    if len(found) < 2:
        return language, []
    primary = (site_language or "").strip().lower().split("-")[0]
    which = "the site's language" if primary and language.lower().startswith(primary) else "the first, as the site names none of them"
    return language, [f"the post is written in {len(found)} languages ({', '.join(found)}; qTranslate markers): imported {language}, {which}"]
