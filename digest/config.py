"""Digest definitions (TOML in ``config/``) and environment settings, validated into frozen objects.

Every error names the file and the key and says how to fix it.  Unknown keys are errors:
a misspelt key silently ignored is a digest that quietly does the wrong thing.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.labels import Labels, english, load_labels, locale_of
from digest.errors import ConfigError
from digest.signals import SIGNALS

ORDERS = ("thread", "editor", "score")
SUBJECT_FIELDS = ("title", "number", "date", "day", "thread_title")


@dataclass(frozen=True)
class FeaturedReply:
    """An editor's pick: one of ``id``, ``number`` or ``permalink``, with an optional note."""

    id: str | None = None
    number: int | None = None
    permalink: str | None = None
    note: str | None = None
    full: bool = False  # send this reply in full even when the digest sends excerpts

    @property
    def label(self) -> str:
        if self.id is not None:
            return f"id {self.id!r}"
        if self.number is not None:
            return f"number {self.number}"
        return f"permalink {self.permalink!r}"


@dataclass(frozen=True)
class ThreadSource:
    source: str  # a path (relative to the config file, already resolved) or an http(s) URL
    format: str = "auto"
    thread: str | None = None  # which thread of a source holding several, as `digest import --thread`
    url: str | None = None  # overrides the thread's source URL (it moved, as the seed's did)
    title: str | None = None  # overrides or supplies the thread title
    author: str | None = None  # who wrote the article/opening post the replies answer
    featured: tuple[FeaturedReply, ...] = ()
    exclude: tuple[str, ...] = ()  # reply ids, numbers ("#12") or authors ("@name") never featured
    timezone: str | None = None  # the zone a copied comment page's times without one are in (`digest import --timezone`)


@dataclass(frozen=True)
class NextPick:
    """A pick for the next issue from the picks file; ``thread`` qualifies it in multi-thread
    digests: the [[thread]]'s 1-based position or the thread's id."""

    reply: FeaturedReply
    thread: int | str | None = None
    where: str = ""


@dataclass(frozen=True)
class SelectionConfig:
    """How the scorer ranks and limits replies (``[selection]``); every weight is explainable."""

    weights: tuple[tuple[str, float], ...] = tuple((name, w) for name, (w, _) in SIGNALS.items())
    per_author: int = 2  # scorer picks per author in a thread; the thread's author is exempt
    total: int | None = None  # replies in the whole issue, over all threads
    near_duplicate: float = 0.7  # share of a reply's word 4-grams already in a pick: skipped
    novelty: bool = True  # never feature again a reply featured in an earlier issue
    since_last_issue: bool = False  # only replies posted after the last issue are candidates (scheduled digests)
    followup_words: int = 40  # an author's answer to their own reply up to this long travels with it
    min_words: int = 3  # the scorer skips text-only replies shorter than this ("ok", "Thanks!", "+1")
    aliases: tuple[tuple[str, str], ...] = ()  # (other name, the person's name)
    picks_file: Path | None = None  # the next issue's picks, consumed when the issue is built
    next_picks: tuple[NextPick, ...] = ()

    def weight(self, signal: str) -> float:
        return dict(self.weights)[signal]


@dataclass(frozen=True)
class ScheduleConfig:
    """When and how `digest schedule` runs a digest (``[digest]`` keys)."""

    cron: str | None = None  # None: not scheduled
    approval: bool = False  # build, then wait for `digest approve` (or the next run) to send
    min_new: int = 1  # fewer new replies than this since the last issue: the run is skipped
    notify: str | None = None  # one-line mail here when a run fails, is skipped or misses a source
    grace_minutes: int = 60  # a run missed while the scheduler was down still runs this late


@dataclass(frozen=True)
class DigestConfig:
    name: str
    path: Path
    title: str
    sender: str
    reply_to: str | None
    subject: str
    subscribers: Path | None  # seed list synced into the subscriber store; None: the store alone
    intro_markdown: str
    replies: int
    full_text: bool
    excerpt_words: int
    order: str
    language: str
    timezone: str
    list_id: str
    unsubscribe_url: str
    threads: tuple[ThreadSource, ...]
    selection: SelectionConfig = SelectionConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    archive_url: str | None = None  # public base URL of the archive: "view in browser" links, the feed
    templates: Path | None = None  # the digest's own template folder; missing templates fall back to the built-in ones
    labels: Labels = field(default_factory=english)  # the words around the replies, in `language`


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls", "tls" or "plain"
    username: str | None
    password: str | None = None  # never logged, never archived
    ca_file: str | None = None  # a private CA to trust instead of the system's (DIGEST_SMTP_CA_FILE)

    def __repr__(self) -> str:  # keep the password out of logs and tracebacks
        return f"SmtpSettings(host={self.host!r}, port={self.port}, security={self.security!r}, username={self.username!r}, ca_file={self.ca_file!r})"


# ------------------------------------------------------------------------------ digest TOML

_DIGEST_KEYS = {
    "title": "the digest's name as readers see it",
    "from": "sender, e.g. 'Garden Digest <digest@example.org>'",
    "reply_to": "where replies to the digest go (optional)",
    "subject": "subject pattern with {title}, {number}, {date}, {day}, {thread_title}",
    "subscribers": "seed list: CSV file of subscribers (email,name[,format]), relative to this file (optional)",
    "intro": "Markdown file with the issue's introduction, relative to this file (optional)",
    "replies": "how many replies to feature in each thread",
    "full_text": "true: send every selected reply in full; false: excerpts of long replies",
    "excerpt_words": "about how many words an excerpt keeps",
    "order": "thread (the source's order, nesting shown), editor (featured order first) or score",
    "language": "language of the digest (HTML lang, dates, labels), e.g. 'en', 'de', 'pt-BR'",
    "labels": "a table of label = wording replacing the built-in words around the replies (README 'Words around the replies')",
    "timezone": "IANA time zone for dates in the digest, e.g. 'Europe/Paris'",
    "list_id": "List-Id domain part, e.g. 'garden.example.org'",
    "unsubscribe_url": "HTTPS base URL of the unsubscribe endpoint",
    "schedule": "cron expression in the digest's timezone, e.g. '0 8 * * MON' (for `digest schedule`)",
    "approval": "true: a scheduled run builds the issue and waits for `digest approve NAME`",
    "min_new": "skip a scheduled run with fewer new replies than this since the last issue",
    "notify": "address that gets a one-line mail when a run fails, is skipped or misses a source",
    "grace": "minutes a run missed while the scheduler was down may still start late",
    "archive_url": "public base URL of the archive, for 'view in browser' links and the feed",
    "templates": "folder of templates overriding the built-in ones, relative to this file (optional)",
}
_THREAD_KEYS = {
    "source": "path (relative to this file) or http(s) URL of the discussion",
    "format": "source format, or 'auto' to recognise it",
    "thread": "which thread of a source holding several (a mail archive, an export, a dump), as `digest import --thread`",
    "url": "the discussion's public URL, overriding the source's",
    "title": "the thread's title, overriding the source's",
    "author": "who wrote the article or opening post",
    "featured": "the editor's featured replies, in order",
    "exclude": "replies never to feature: ids, '#number' or '@author'",
    "timezone": "IANA zone a copied comment page's times without a zone are in, as `digest import --timezone`",
}
_FEATURED_KEYS = {
    "id": "the reply's id (see `digest candidates`)",
    "number": "the source's comment number",
    "permalink": "the reply's permalink URL",
    "note": "the editor's note shown with the reply",
    "full": "true: send this reply in full, never as an excerpt",
}
_SELECTION_KEYS = {
    "weights": "a table of signal = weight (see README 'Selecting and summarizing')",
    "per_author": "how many replies the scorer takes per author in a thread (the thread's author is exempt)",
    "total": "how many replies the whole issue shows, over all threads",
    "near_duplicate": "0-1: skip a reply when this share of its wording is already in a pick (1 = off)",
    "novelty": "true: never feature again a reply featured in an earlier issue",
    "since_last_issue": "true: only replies posted after the last issue are candidates",
    "followup_words": "an author's answer to their own reply up to this many words travels with it",
    "min_words": "the scorer skips text-only replies with fewer words of their own (0 = off)",
    "picks": "the next issue's picks file, relative to this file (default NAME.picks.toml)",
}
_PICK_KEYS = {**_FEATURED_KEYS, "thread": "which [[thread]]: its position (1, 2, ...) or the thread's id"}


def _unknown_key(where: str, key: str, known: Mapping[str, str]) -> ConfigError:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return ConfigError(
        f"unknown key {key!r}",
        where=where,
        fix=f"{hint}known keys: {', '.join(known)}",
    )


class _Table:
    """Typed access to one TOML table that reports ``file [table].key`` on every error."""

    def __init__(self, path: Path, table: str, data: Any, known: Mapping[str, str]):
        self.path, self.table = path, table
        if not isinstance(data, dict):
            raise ConfigError(f"expected a table, found {type(data).__name__}", where=self.where(None))
        for key in data:
            if key not in known:
                raise _unknown_key(self.where(key), key, known)
        self.data, self.known = data, known

    def where(self, key: str | None) -> str:
        return f"{self.path} {self.table}" + (f".{key}" if key else "")

    def get(self, key: str, kind: type, default: Any = ..., *, check=None, fix: str | None = None):
        if key not in self.data:
            if default is ...:
                raise ConfigError(f"missing required key {key!r}", where=self.where(key), fix=f"add {key} = ... ({self.known[key]})")
            return default
        value = self.data[key]
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            expected = {str: "a string", int: "a whole number", bool: "true or false", list: "a list"}[kind]
            raise ConfigError(f"expected {expected}, found {value!r}", where=self.where(key), fix=fix or self.known[key])
        if check is not None:
            problem = check(value)
            if problem:
                raise ConfigError(problem, where=self.where(key), fix=fix or self.known[key])
        return value


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


_ZONE_FIX = "use an IANA name such as 'Europe/Paris' or 'UTC'"


def _language_problem(tag: str) -> str | None:
    try:
        locale_of(tag)
    except ValueError as exc:
        return str(exc)
    return None


def _zone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r}"
    return None


def _address_problem(value: str) -> str | None:
    from email.utils import parseaddr

    _, address = parseaddr(value)
    if "@" not in address or address.startswith("@") or address.endswith("@") or " " in address:
        return f"not an email address: {value!r}"
    return None


def load_digest(path: Path) -> DigestConfig:
    """Read and validate one digest definition; every file it names must exist."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("no such digest definition", where=str(path), fix="run `digest validate` to list the digests in config/") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", where=str(path), fix="repair the TOML syntax at that line") from None
    top = {
        "digest": "the digest's settings",
        "thread": "one [[thread]] table per followed discussion",
        "selection": "how the scorer ranks and limits replies",
        "aliases": "a person's other names: \"Name\" = [\"nick\", ...]",
    }
    for key in raw:
        if key not in top:
            raise _unknown_key(f"{path} [{key}]" if isinstance(raw[key], dict) else f"{path} {key}", key, top)
    if "digest" not in raw:
        raise ConfigError("missing the [digest] table", where=str(path), fix="start the file with [digest] and its title, from, subscribers")
    d = _Table(path, "[digest]", raw["digest"], _DIGEST_KEYS)
    base = path.parent

    def existing_file(key: str, default: Any = ...) -> Path | None:
        name = d.get(key, str, default)
        if name is None:
            return None
        file = (base / name).resolve()
        if not file.is_file():
            raise ConfigError(f"file not found: {file}", where=d.where(key), fix=f"create it, or correct the path (relative to {base})")
        return file

    subscribers = existing_file("subscribers", None)
    intro_file = existing_file("intro", None)
    timezone = d.get("timezone", str, "UTC", check=_zone_problem, fix=_ZONE_FIX)
    language = d.get("language", str, "en", check=_language_problem, fix="a language tag such as 'en', 'de' or 'pt-BR'")
    subject = d.get("subject", str, "{title} #{number}")
    try:
        subject.format(**{f: "" for f in SUBJECT_FIELDS})
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(f"bad placeholder in subject pattern: {exc}", where=d.where("subject"), fix=f"use only {{{'}, {'.join(SUBJECT_FIELDS)}}}") from None
    threads_raw = raw.get("thread", [])
    if not isinstance(threads_raw, list) or not threads_raw:
        raise ConfigError("no [[thread]] tables", where=f"{path} [[thread]]", fix="add at least one [[thread]] with source = \"...\"")
    threads = tuple(_thread(path, f"[[thread]] #{i}", t) for i, t in enumerate(threads_raw, start=1))
    sender = d.get("from", str, check=_address_problem)
    reply_to = d.get("reply_to", str, None, check=_address_problem)
    return DigestConfig(
        name=path.stem,
        path=path.resolve(),
        title=d.get("title", str),
        sender=sender,
        reply_to=reply_to,
        subject=subject,
        subscribers=subscribers,
        intro_markdown=intro_file.read_text(encoding="utf-8") if intro_file else "",
        replies=d.get("replies", int, 5, check=lambda v: None if 1 <= v <= 200 else "must be between 1 and 200"),
        full_text=d.get("full_text", bool, False),
        excerpt_words=d.get("excerpt_words", int, 90, check=lambda v: None if 20 <= v <= 2000 else "must be between 20 and 2000"),
        order=d.get("order", str, "thread", check=lambda v: None if v in ORDERS else f"unknown order {v!r}", fix=f"one of: {', '.join(ORDERS)}"),
        language=language,
        timezone=timezone,
        list_id=d.get("list_id", str, f"{path.stem}.digest.invalid"),
        unsubscribe_url=d.get(
            "unsubscribe_url", str,
            check=lambda v: None if v.startswith("https://") else "must be an https:// URL (mailbox providers require HTTPS one-click unsubscribe)",
        ),
        threads=threads,
        selection=_selection(path, raw.get("selection", {}), raw.get("aliases", {}), len(threads), recurring="schedule" in raw["digest"]),
        schedule=_schedule(d),
        archive_url=d.get("archive_url", str, None, check=lambda v: None if _is_url(v) else "must be an http(s) URL"),
        templates=_template_folder(d, base),
        labels=load_labels(language, d.get("labels", dict, {}), f"{path} [digest.labels]"),
    )


def _template_folder(d: _Table, base: Path) -> Path | None:
    name = d.get("templates", str, None)
    if name is None:
        return None
    folder = (base / name).resolve()
    if not folder.is_dir():
        raise ConfigError(f"template folder not found: {folder}", where=d.where("templates"), fix=f"create it, or correct the path (relative to {base})")
    return folder


def _schedule(d: _Table) -> ScheduleConfig:
    def cron_problem(value: str) -> str | None:  # imported only when a digest has a schedule
        from digest.cron import cron_problem as problem

        return problem(value)

    return ScheduleConfig(
        cron=d.get("schedule", str, None, check=cron_problem, fix="five fields: minute hour day month weekday, e.g. '0 8 * * MON'"),
        approval=d.get("approval", bool, False),
        min_new=d.get("min_new", int, 1, check=lambda v: None if v >= 0 else "must be 0 or more"),
        notify=d.get("notify", str, None, check=_address_problem),
        grace_minutes=d.get("grace", int, 60, check=lambda v: None if v >= 1 else "must be at least 1 (minutes)"),
    )


def _thread(path: Path, table: str, raw: Any) -> ThreadSource:
    t = _Table(path, table, raw, _THREAD_KEYS)
    source = t.get("source", str)
    if not _is_url(source):
        resolved = (path.parent / source).resolve()
        source = str(resolved)
    featured_raw = t.get("featured", list, [])
    featured = []
    for i, item in enumerate(featured_raw, start=1):
        f = _Table(path, f"{table}.featured #{i}", item, _FEATURED_KEYS)
        named = [k for k in ("id", "number", "permalink") if k in item]
        if len(named) != 1:
            raise ConfigError(
                "name the reply with exactly one of id, number or permalink" + (f" (found {', '.join(named)})" if named else ""),
                where=f.where(None),
                fix="e.g. { id = \"h-1c92cc8ab83a\", note = \"...\" } — `digest candidates NAME` lists the ids",
            )
        featured.append(
            FeaturedReply(
                id=f.get("id", str, None),
                number=f.get("number", int, None),
                permalink=f.get("permalink", str, None),
                note=f.get("note", str, None),
                full=f.get("full", bool, False),
            )
        )
    exclude = t.get("exclude", list, [])
    for item in exclude:
        if not isinstance(item, str):
            raise ConfigError(f"expected strings, found {item!r}", where=t.where("exclude"), fix=_THREAD_KEYS["exclude"])
    return ThreadSource(
        source=source,
        format=t.get("format", str, "auto"),
        thread=t.get("thread", str, None),
        url=t.get("url", str, None, check=lambda v: None if _is_url(v) else "must be an http(s) URL"),
        title=t.get("title", str, None),
        author=t.get("author", str, None),
        featured=tuple(featured),
        exclude=tuple(exclude),
        timezone=t.get("timezone", str, None, check=_zone_problem, fix=_ZONE_FIX),
    )


def _number(table: _Table, key: str, default: float, low: float, high: float) -> float:
    value = table.data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(f"expected a number from {low:g} to {high:g}, found {value!r}", where=table.where(key), fix=table.known[key])
    return float(value)


def _selection(path: Path, raw: Any, aliases_raw: Any, thread_count: int, recurring: bool = False) -> SelectionConfig:
    t = _Table(path, "[selection]", raw, _SELECTION_KEYS)
    weights_table = _Table(path, "[selection.weights]", t.get("weights", dict, {}), {k: d for k, (_, d) in SIGNALS.items()})
    weights = tuple((name, _number(weights_table, name, default, 0, 100)) for name, (default, _) in SIGNALS.items())
    pairs = []
    if not isinstance(aliases_raw, dict):
        raise ConfigError("expected a table of \"Name\" = [\"other name\", ...]", where=f"{path} [aliases]")
    for name, others in aliases_raw.items():
        if not isinstance(others, list) or not all(isinstance(o, str) and o.strip() for o in others):
            raise ConfigError(f"expected a list of names, found {others!r}", where=f"{path} [aliases].{name}", fix=f'e.g. "{name}" = ["nick", "old name"]')
        pairs.extend((other, name) for other in others)
    picks_name = t.get("picks", str, f"{path.stem}.picks.toml")
    picks_file = (path.parent / picks_name).resolve()
    per_author = t.get("per_author", int, 2, check=lambda v: None if 1 <= v <= 200 else "must be between 1 and 200")
    return SelectionConfig(
        weights=weights,
        per_author=per_author,
        total=t.get("total", int, None, check=lambda v: None if 1 <= v <= 1000 else "must be between 1 and 1000"),
        near_duplicate=_number(t, "near_duplicate", 0.7, 0, 1),
        novelty=t.get("novelty", bool, True),
        since_last_issue=t.get("since_last_issue", bool, recurring),
        followup_words=t.get("followup_words", int, 40, check=lambda v: None if 0 <= v <= 500 else "must be between 0 and 500"),
        min_words=t.get("min_words", int, 3, check=lambda v: None if 0 <= v <= 100 else "must be between 0 and 100"),
        aliases=tuple(pairs),
        picks_file=picks_file,
        next_picks=load_picks(picks_file, thread_count) if picks_file.is_file() else (),
    )


def load_picks(path: Path, thread_count: int) -> tuple[NextPick, ...]:
    """The editor's picks for the next issue: ``[[pick]]`` tables like ``[[thread.featured]]``,
    qualified by ``thread`` when the digest follows several threads."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", where=str(path), fix="repair the TOML syntax at that line") from None
    for key in raw:
        if key != "pick":
            raise _unknown_key(f"{path} {key}", key, {"pick": "one [[pick]] table per reply for the next issue"})
    picks = []
    for i, item in enumerate(raw.get("pick", []), start=1):
        t = _Table(path, f"[[pick]] #{i}", item, _PICK_KEYS)
        named = [k for k in ("id", "number", "permalink") if k in item]
        if len(named) != 1:
            raise ConfigError("name the reply with exactly one of id, number or permalink", where=t.where(None), fix='e.g. { id = "post-412010" }')
        thread = item.get("thread")
        if thread is None and thread_count > 1:
            raise ConfigError("this digest follows several threads: say which one", where=t.where("thread"), fix="add thread = 1 (its [[thread]] position) or the thread's id")
        if thread is not None and (isinstance(thread, bool) or not isinstance(thread, (int, str)) or (isinstance(thread, int) and not 1 <= thread <= thread_count)):
            raise ConfigError(f"no such thread: {thread!r}", where=t.where("thread"), fix=f"a position from 1 to {thread_count}, or a thread id")
        reply = FeaturedReply(
            id=t.get("id", str, None),
            number=t.get("number", int, None),
            permalink=t.get("permalink", str, None),
            note=t.get("note", str, None),
            full=t.get("full", bool, False),
        )
        picks.append(NextPick(reply, thread, t.where(None)))
    return tuple(picks)


def digest_paths(config_dir: Path) -> list[Path]:
    return sorted(p for p in Path(config_dir).glob("*.toml") if not p.name.endswith(".picks.toml"))


def definitions_stamp(config_dir: Path) -> tuple | None:
    """Name, modification time and size of every digest definition: a long-running process
    (`digest web`, `digest schedule`) compares stamps to notice an edit without reading the
    files.  None when a file vanished while listing (read everything again)."""
    try:
        stats = [(p.name, p.stat()) for p in digest_paths(config_dir)]
    except OSError:
        return None
    return tuple((name, st.st_mtime_ns, st.st_size) for name, st in stats)


def find_digest(config_dir: Path, name: str) -> Path:
    path = Path(config_dir) / f"{name}.toml"
    if not path.is_file():
        names = ", ".join(p.stem for p in digest_paths(config_dir)) or "none"
        raise ConfigError(f"no digest named {name!r}", where=str(config_dir), fix=f"digests defined here: {names}")
    return path


# ------------------------------------------------------------------------------ environment

SMTP_VARIABLES = ("DIGEST_SMTP_HOST", "DIGEST_SMTP_PORT", "DIGEST_SMTP_SECURITY")
SECURITY_MODES = {"starttls": 587, "tls": 465, "plain": 25}


def smtp_settings(env: Mapping[str, str]) -> SmtpSettings:
    """SMTP settings from the environment (and .env); missing ones are named, never defaulted."""
    missing = [v for v in ("DIGEST_SMTP_HOST", "DIGEST_SMTP_SECURITY") if not env.get(v)]
    if missing:
        raise ConfigError(
            f"SMTP is not configured: {', '.join(missing)} not set",
            where="environment",
            fix="set them in the environment or in .env (see README 'Sending'), or use --outbox DIR to write .eml files",
        )
    security = env["DIGEST_SMTP_SECURITY"].lower()
    if security not in SECURITY_MODES:
        raise ConfigError(f"DIGEST_SMTP_SECURITY={security!r}", where="environment", fix="one of: starttls, tls, plain")
    port_text = env.get("DIGEST_SMTP_PORT") or str(SECURITY_MODES[security])
    if not port_text.isdigit():
        raise ConfigError(f"DIGEST_SMTP_PORT={port_text!r} is not a port number", where="environment", fix="e.g. 587")
    username = env.get("DIGEST_SMTP_USERNAME") or None
    password = env.get("DIGEST_SMTP_PASSWORD") or None
    if username and not password:
        raise ConfigError("DIGEST_SMTP_USERNAME is set but DIGEST_SMTP_PASSWORD is not", where="environment", fix="set both, or neither for an unauthenticated relay")
    ca_file = env.get("DIGEST_SMTP_CA_FILE") or None
    if ca_file and not Path(ca_file).is_file():
        raise ConfigError(f"DIGEST_SMTP_CA_FILE={ca_file!r}: no such file", where="environment", fix="name a PEM file with the CA certificate(s) to trust")
    return SmtpSettings(env["DIGEST_SMTP_HOST"], int(port_text), security, username, password, ca_file)


def unsubscribe_secret(env: Mapping[str, str]) -> bytes:
    secret = env.get("DIGEST_SECRET", "")
    if len(secret) < 16:
        raise ConfigError(
            "DIGEST_SECRET is not set (or shorter than 16 characters): unsubscribe links are signed with it",
            where="environment",
            fix="set DIGEST_SECRET in .env to a long random string, e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`",
        )
    return secret.encode()


def environment(dotenv_path: Path | None = None) -> dict[str, str]:
    """The process environment, completed by a .env file (real environment wins)."""
    from dotenv import dotenv_values

    values = {k: v for k, v in dotenv_values(dotenv_path or ".env").items() if v is not None} if (dotenv_path or Path(".env")).is_file() else {}
    values.update(os.environ)
    return values
