"""The words readers see around the replies ("Read the rest", "3 more replies at the source"),
in the digest's language.

Catalogs ship in ``templates/labels/LANG.toml``; English is the reference, and an editor's
``[digest.labels]`` replaces any label.  A label that counts is a table of the language's
plural forms (CLDR categories, through Babel), so an Arabic digest says "ردّان" for two replies
instead of applying English's one/other rule to another language.
"""

from __future__ import annotations

import functools
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from markupsafe import Markup

from digest.errors import ConfigError

LABEL_DIR = Path(__file__).resolve().parents[1] / "templates" / "labels"
REFERENCE = "en"

#: label -> the placeholders its wording may use (a counted label also gets ``n``).
PLACEHOLDERS: dict[str, frozenset[str]] = {
    key: frozenset(names.split())
    for key, names in {
        "issue": "number",
        "heading": "title number date",
        "view_in_browser": "",
        "view_in_browser_text": "",
        "in_this_issue": "",
        "stats": "replies participants",
        "stats_partial": "replies participants",
        "stats_dated": "stats dates",
        "replies": "n",
        "participants": "n",
        "reply_position": "n",
        "replying_to": "author",
        "replying_to_quote": "replying_to snippet",
        "colon": "text",
        "editor_note": "",
        "read_the_rest": "",
        "view_this_reply": "",
        "view_the_discussion": "",
        "this_reply": "",
        "the_discussion": "",
        "more_at_source": "",
        "full_discussion": "",
        "more_replies": "n",
        "no_address": "more",
        "added": "author",
        "added_on": "author when",
        "key_replies": "n",
        "untitled": "",
        "discussion_at": "place",
        "footer": "title email",
        "unsubscribe": "",
        "footer_text": "title",
        "unsubscribe_text": "",
        "archive_title": "title",
        "archive_intro": "",
        "archive_feed": "",
        "archive_empty": "",
        "redacted": "",
        "page_unsubscribe_title": "title",
        "page_will_stop": "address title",
        "page_fewer_title": "",
        "page_fewer": "",
        "page_pause_button": "months",
        "months": "n",
        "page_paused_until": "date",
        "page_unsubscribed_title": "",
        "page_already_unsubscribed": "address title",
        "page_unsubscribed": "address title",
        "page_not_subscribed_title": "",
        "page_not_subscribed": "address title",
        "page_paused_title": "",
        "page_paused": "address title date",
        "page_invalid_title": "",
        "page_invalid": "",
        "page_too_large_title": "",
        "page_too_large": "",
        "page_unknown_title": "",
        "page_unknown": "",
    }.items()
}
#: Labels whose wording depends on a number: tables of plural forms.
COUNTED = frozenset({"replies", "participants", "more_replies", "key_replies", "months"})
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")

Wording = str | tuple[tuple[str, str], ...]  # a text, or (plural form, text) pairs


@functools.lru_cache(maxsize=64)
def locale_of(language: str) -> Locale:
    """The Babel locale of a language tag ("pt-BR"); ValueError for one Babel does not know."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown language {language!r}") from exc


@functools.lru_cache(maxsize=64)
def _plural_rule(language: str):
    return locale_of(language).plural_form


def plural_forms(language: str) -> tuple[str, ...]:
    """The plural forms a counted label needs in this language ("other" always)."""
    tags = _plural_rule(language).tags | {"other"}
    return tuple(form for form in PLURAL_FORMS if form in tags)


@dataclass(frozen=True)
class Labels:
    language: str
    wordings: tuple[tuple[str, Wording], ...]
    untranslated: tuple[str, ...] = ()  # labels left in English in a digest of another language

    @functools.cached_property
    def _by_key(self) -> dict[str, Wording]:
        return dict(self.wordings)

    def text(self, key: str, **values: Any) -> str:
        return self._by_key[key].format(**values)

    def count(self, key: str, n: int, **values: Any) -> str:
        """The wording for ``n``, chosen by the plural rule of the language it is written in:
        English words left in a Russian digest say "21 replies", not Russian's "one" form."""
        forms = dict(self._by_key[key])
        form = _plural_rule(REFERENCE if key in self.untranslated else self.language)(n)
        return forms.get(form, forms["other"]).format(n=format_decimal(n, locale=locale_of(self.language)), **values)

    def html(self, key: str, **values: Any) -> Markup:
        """The label as HTML: its wording escaped, values escaped unless already markup."""
        return Markup.escape(self._by_key[key]).format(**values)


def load_labels(language: str, overrides: Mapping[str, Any], where: str) -> Labels:
    """English, then the language's bundled catalog (``pt_BR``, else ``pt``), then the
    editor's ``overrides`` (from ``where``), each wording checked against its placeholders and
    the language's plural forms."""
    wordings = _catalog(REFERENCE, REFERENCE)
    bundled = next((c for c in _catalog_names(language) if (LABEL_DIR / f"{c}.toml").is_file()), None)
    translated = set(wordings) if bundled == REFERENCE else set()
    if bundled and bundled != REFERENCE:
        own = _catalog(bundled, language)
        wordings.update(own)
        translated |= set(own)
    for key, value in overrides.items():
        wordings[key] = _wording(key, value, language, f"{where}.{key}")
        translated.add(key)
    untranslated = tuple(k for k in PLACEHOLDERS if k not in translated)
    return Labels(language, tuple(wordings.items()), untranslated)


@functools.cache
def english() -> Labels:
    return load_labels(REFERENCE, {}, REFERENCE)


def _catalog_names(language: str) -> list[str]:
    locale = locale_of(language)
    names = [str(locale), locale.language]
    return list(dict.fromkeys(names))


@functools.lru_cache(maxsize=16)
def _read_catalog(name: str) -> dict[str, Any]:
    path = LABEL_DIR / f"{name}.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", where=str(path), fix="correct the label catalog") from None


def _catalog(name: str, language: str) -> dict[str, Wording]:
    path = LABEL_DIR / f"{name}.toml"
    return {key: _wording(key, value, language, f"{path} {key}") for key, value in _read_catalog(name).items()}


def _wording(key: str, value: Any, language: str, where: str) -> Wording:
    if key not in PLACEHOLDERS:
        raise ConfigError(f"unknown label {key!r}", where=where, fix=f"known labels: {', '.join(PLACEHOLDERS)}")
    if key not in COUNTED:
        if not isinstance(value, str):
            raise ConfigError(f"expected a string, found {value!r}", where=where, fix=f'{key} = "…"')
        _check_placeholders(key, value, where)
        return value
    needed = plural_forms(language)
    example = ", ".join(f'{form} = "…"' for form in needed)
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f"expected a table of plural forms, found {value!r}", where=where, fix=f"{key} = {{ {example} }}")
    unknown = [form for form in value if form not in needed]
    missing = [form for form in needed if form not in value]
    if unknown or missing:
        problem = "; ".join(filter(None, [
            unknown and f"{language!r} has no plural form {', '.join(map(repr, unknown))}",
            missing and f"missing the form{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}",
        ]))
        raise ConfigError(problem, where=where, fix=f"give {language!r}'s forms: {key} = {{ {example} }}")
    for form, text in value.items():
        _check_placeholders(key, text, f"{where}.{form}")
    return tuple((form, value[form]) for form in needed)


def _check_placeholders(key: str, text: str, where: str) -> None:
    allowed = PLACEHOLDERS[key]
    hint = f"placeholders of {key!r}: {', '.join('{' + name + '}' for name in sorted(allowed)) or 'none'}; write {{{{ or }}}} for a brace"
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise ConfigError(f"{exc} in {text!r}", where=where, fix=hint) from None
    for name, spec, conversion in fields:
        if name not in allowed or spec or conversion:
            raise ConfigError(f"unknown placeholder {{{name}}} in {text!r}", where=where, fix=hint)
