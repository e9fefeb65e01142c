"""Who gets which digest: the subscriber store (SQLite in the state folder) and the CSV lists
that feed it.

The store is the truth at send time.  A digest's ``subscribers`` CSV is a seed list: before
each send, an address in it that the store does not know for that digest is added as active;
one the store already knows is left as it is.  So an address that unsubscribed never comes
back through the CSV, and removing a line from the CSV unsubscribes nobody.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from email_validator import EmailNotValidError, validate_email

from digest.bounces import SOFT_DAYS, SOFT_WINDOW, Bounce, suspends
from digest.errors import ConfigError, StateError

FORMATS = ("html", "text")  # html: HTML and text parts; text: the text part only
STATUSES = ("active", "unsubscribed", "bouncing")
SCHEMA_VERSION = 2  # 2: the bounces table
STORE_FILE = "subscribers.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    email     TEXT PRIMARY KEY,     -- lower-cased: the key tokens and the ledger use
    address   TEXT NOT NULL,        -- as validated, for the To: header
    name      TEXT NOT NULL DEFAULT '',
    format    TEXT NOT NULL DEFAULT 'html' CHECK (format IN ('html', 'text')),
    added_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriptions (
    digest        TEXT NOT NULL,
    email         TEXT NOT NULL REFERENCES people (email),
    status        TEXT NOT NULL CHECK (status IN ('active', 'unsubscribed', 'bouncing')),
    paused_until  TEXT,             -- active, but skipped until then (the subscriber asked)
    changed_at    TEXT NOT NULL,
    changed_how   TEXT NOT NULL,
    PRIMARY KEY (digest, email)
);
CREATE TABLE IF NOT EXISTS changes (  -- every change, kept: proof of when and how someone opted out
    digest        TEXT NOT NULL,
    email         TEXT NOT NULL,
    status        TEXT NOT NULL,
    paused_until  TEXT,
    at            TEXT NOT NULL,
    how           TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bounces (  -- every failure a mail server reported, once per report
    email   TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('permanent', 'soft', 'delayed')),
    day     TEXT NOT NULL,              -- the report's day (UTC): soft bounces count per day
    detail  TEXT NOT NULL,
    ref     TEXT NOT NULL,              -- the report's Message-ID, or its file and position
    at      TEXT NOT NULL,              -- when it was read
    UNIQUE (email, ref)
);
"""


@dataclass(frozen=True)
class Subscriber:
    email: str
    name: str = ""
    format: str = "html"  # "html" (HTML and text) or "text" (text only)


@dataclass(frozen=True)
class SubscriberList:
    subscribers: tuple[Subscriber, ...]
    problems: tuple[str, ...]  # rows skipped, each naming file and line


@dataclass(frozen=True)
class CsvRow:
    line: int
    subscriber: Subscriber
    has_format: bool  # the row says which format; otherwise an existing choice is kept


@dataclass(frozen=True)
class Subscription:
    """One subscriber's membership of one digest, as `digest subscribers list` shows it."""

    digest: str
    subscriber: Subscriber
    status: str
    paused_until: datetime | None
    changed_at: datetime
    changed_how: str


def valid_address(text: str) -> str:
    """The address normalized by email-validator (syntax only, no DNS); ValueError says why not."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"{text!r} is not an email address: {exc}") from None


def valid_format(text: str) -> str:
    if text not in FORMATS:
        raise ValueError(f"format {text!r} is not one of: {', '.join(FORMATS)}")
    return text


def read_csv(path: Path, known: frozenset[str] = frozenset()) -> tuple[list[CsvRow], list[tuple[int, str]]]:
    """``email,name[,format]`` rows.  A bad row is reported with its line and skipped; it never
    stops the others: problems are (line, text naming file and line).  A file without an
    ``email`` column is an error.  Addresses in ``known`` (lower case) were validated when they
    entered the store and are not validated again (validation is most of a large list's cost)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read subscribers: {exc}", where=str(path), fix="save it as a UTF-8 CSV file with an 'email' column") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "email" not in [f.strip().lower() for f in reader.fieldnames]:
        raise ConfigError("no 'email' column in the header row", where=f"{path}:1", fix="make the first line 'email,name' (optionally ',format')")
    rows: list[CsvRow] = []
    problems: list[tuple[int, str]] = []
    seen: set[str] = set()
    for raw in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if isinstance(v, str) or v is None}
        line = reader.line_num
        if not any(row.values()):
            continue
        try:
            raw_email = row.get("email", "")
            email = raw_email if raw_email.lower() in known else valid_address(raw_email)
            fmt = valid_format(row.get("format") or "html")
        except ValueError as exc:
            problems.append((line, f"{path}:{line}: skipped: {exc}"))
            continue
        if email.lower() in seen:
            problems.append((line, f"{path}:{line}: skipped: {email} is listed twice"))
            continue
        seen.add(email.lower())
        rows.append(CsvRow(line, Subscriber(email, row.get("name", ""), fmt), bool(row.get("format"))))
    return rows, problems


def load_subscribers(path: Path | None, known: frozenset[str] = frozenset()) -> SubscriberList:
    """A CSV list as subscribers (a digest without a seed list has none)."""
    if path is None:
        return SubscriberList((), ())
    rows, problems = read_csv(path, known)
    return SubscriberList(tuple(r.subscriber for r in rows), tuple(text for _, text in problems))


def store_path(state_dir: Path) -> Path:
    return Path(state_dir) / STORE_FILE


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class SubscriberStore:
    """The SQLite store: one row per person, one per (digest, person), and a change history."""

    def __init__(self, path: Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(path)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, 1, SCHEMA_VERSION):
            self.db.close()
            raise StateError(
                f"subscriber store has schema version {version}; this version of digest knows {SCHEMA_VERSION}",
                where=str(path),
                fix="run the digest version that wrote it, or restore the store from a backup",
            )
        if version != SCHEMA_VERSION:  # new, or version 1 (no bounces table): tables are only added
            self.db.executescript(_SCHEMA)  # IF NOT EXISTS: safe when two processes start at once
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SubscriberStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction around many changes (an import): one disk sync instead of one each."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -------------------------------------------------------------------------- reading

    def get(self, digest: str, email: str) -> Subscription | None:
        found = self._select("WHERE s.digest=? AND s.email=?", (digest, email.lower()))
        return found[0] if found else None

    def subscriptions(self, digest: str | None = None, status: str | None = None, email: str | None = None) -> list[Subscription]:
        clauses, params = [], []
        for column, value in (("s.digest", digest), ("s.status", status), ("s.email", email and email.lower())):
            if value is not None:
                clauses.append(f"{column}=?")
                params.append(value)
        return self._select(("WHERE " + " AND ".join(clauses)) if clauses else "", tuple(params))

    def active(self, digest: str, now: datetime) -> tuple[Subscriber, ...]:
        """Who gets an issue sent at ``now``: active and not paused."""
        return tuple(
            s.subscriber for s in self.subscriptions(digest, "active") if s.paused_until is None or s.paused_until <= now
        )

    def _select(self, where: str, params: tuple) -> list[Subscription]:
        cursor = self.db.execute(
            "SELECT s.digest, p.address, p.name, p.format, s.status, s.paused_until, s.changed_at, s.changed_how"
            f" FROM subscriptions s JOIN people p ON p.email = s.email {where} ORDER BY s.digest, s.rowid",
            params,
        )
        return [
            Subscription(digest, Subscriber(address, name, fmt), status, _time(paused), _time(changed), how)
            for digest, address, name, fmt, status, paused, changed, how in cursor
        ]

    # -------------------------------------------------------------------------- changing

    def subscribe(self, digest: str, row: Subscriber, now: datetime, how: str, *, keep_format: bool = False, resubscribe: bool = False) -> str:
        """Add ``row`` to ``digest`` (its name and format updated when already there).
        Someone who unsubscribed or bounces stays so unless ``resubscribe``: returns
        "added", "already", "resubscribed" or the status that was kept."""
        with self.batch():
            self._upsert_person(row, now, keep_format=keep_format)
            current = self.get(digest, row.email)
            if current is None:
                self._change(digest, row.email, "active", now, how, insert=True)
                return "added"
            if current.status == "active":
                return "already"
            if not resubscribe:
                return current.status
            self._change(digest, row.email, "active", now, how)
            return "resubscribed"

    def seed(self, digest: str, rows: tuple[Subscriber, ...], now: datetime, how: str) -> int:
        """Add the addresses the store does not know for ``digest`` yet; leave the rest alone."""
        with self.batch():  # read and insert under one lock: an opt-out cannot slip in between
            known = {s.subscriber.email.lower() for s in self.subscriptions(digest)}
            new = [r for r in rows if r.email.lower() not in known]
            for row in new:
                self._upsert_person(row, now, keep_format=True, keep_name=True)
                self._change(digest, row.email, "active", now, how, insert=True)
        return len(new)

    def unsubscribe(self, digest: str, email: str, now: datetime, how: str) -> bool:
        """Record an opt-out (even for an address the store has never seen, so no seed list
        brings it back).  Idempotent: False when it was already unsubscribed."""
        return self._set_status(digest, email, "unsubscribed", now, how)

    def mark_bouncing(self, digest: str, email: str, now: datetime, how: str) -> bool:
        return self._set_status(digest, email, "bouncing", now, how)

    def record_bounce(self, bounce: Bounce, now: datetime) -> bool:
        """Keep a reported failure; False when this report was read before (no double count)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO bounces (email, kind, day, detail, ref, at) VALUES (?, ?, ?, ?, ?, ?)",
            (bounce.email, bounce.kind, bounce.day.isoformat(), bounce.detail, bounce.ref, _iso(now)),
        )
        return cursor.rowcount == 1

    def soft_bounce_days(self, email: str, since: date) -> int:
        """Different days with a soft bounce of ``email`` from ``since`` on."""
        return self.db.execute(
            "SELECT COUNT(DISTINCT day) FROM bounces WHERE email=? AND kind='soft' AND day>=?", (email.lower(), since.isoformat())
        ).fetchone()[0]

    def pause(self, digest: str, email: str, until: datetime, now: datetime, how: str) -> bool:
        """Keep the subscription but skip it until ``until``; False when it is not active."""
        with self.batch():
            current = self.get(digest, email)
            if current is None or current.status != "active":
                return False
            self._change(digest, email, "active", now, how, paused_until=until)
            return True

    def _set_status(self, digest: str, email: str, status: str, now: datetime, how: str) -> bool:
        with self.batch():
            current = self.get(digest, email)
            if current is not None and current.status == status:
                return False
            if current is None:
                self._upsert_person(Subscriber(email), now, keep_format=True, keep_name=True)
            self._change(digest, email, status, now, how, insert=current is None)
            return True

    def _upsert_person(self, row: Subscriber, now: datetime, *, keep_format: bool, keep_name: bool = False) -> None:
        self.db.execute(
            """INSERT INTO people (email, address, name, format, added_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (email) DO UPDATE SET
                 name = CASE WHEN ? OR excluded.name = '' THEN name ELSE excluded.name END,
                 format = CASE WHEN ? THEN format ELSE excluded.format END""",
            (row.email.lower(), row.email, row.name, valid_format(row.format), _iso(now), keep_name, keep_format),
        )

    def _change(self, digest: str, email: str, status: str, now: datetime, how: str, *, insert: bool = False, paused_until: datetime | None = None) -> None:
        values = (status, _iso(paused_until) if paused_until else None, _iso(now), how)
        if insert:
            self.db.execute(
                "INSERT INTO subscriptions (status, paused_until, changed_at, changed_how, digest, email) VALUES (?, ?, ?, ?, ?, ?)",
                (*values, digest, email.lower()),
            )
        else:
            self.db.execute(
                "UPDATE subscriptions SET status=?, paused_until=?, changed_at=?, changed_how=? WHERE digest=? AND email=?",
                (*values, digest, email.lower()),
            )
        self.db.execute(
            "INSERT INTO changes (status, paused_until, at, how, digest, email) VALUES (?, ?, ?, ?, ?, ?)",
            (*values, digest, email.lower()),
        )


def sync_seed(store: SubscriberStore, config, now: datetime) -> tuple[str, ...]:
    """Add the digest's seed CSV's new addresses to the store; returns the rows it skipped."""
    known = frozenset(s.subscriber.email.lower() for s in store.subscriptions(config.name))
    seed = load_subscribers(config.subscribers, known)
    if seed.subscribers:
        store.seed(config.name, seed.subscribers, now, f"seed list {Path(config.subscribers).name}")
    return seed.problems


@dataclass(frozen=True)
class BounceOutcome:
    bounce: Bounce
    new: bool  # False: this report was read before
    subscribed: bool  # the store knows the address in some digest
    soft_days: int  # different days with a soft bounce in the window, this one included
    suspended: tuple[str, ...]  # the digests whose subscription it turned to bouncing


def apply_bounces(store: SubscriberStore, bounces: Iterable[Bounce], now: datetime, soft_limit: int = SOFT_DAYS) -> list[BounceOutcome]:
    """Record each reported failure once and suspend the addresses it condemns, in every
    digest they are active in (an unsubscribed address stays unsubscribed)."""
    outcomes = []
    with store.batch():
        for bounce in bounces:
            new = store.record_bounce(bounce, now)
            days = store.soft_bounce_days(bounce.email, bounce.day - SOFT_WINDOW)
            held = store.subscriptions(email=bounce.email)
            suspended: list[str] = []
            if new and suspends(bounce, days, soft_limit):
                how = f"bounced ({bounce.kind}: {bounce.detail or 'reported undeliverable'}; {bounce.ref})"
                suspended = [s.digest for s in held if s.status == "active" and store.mark_bouncing(s.digest, bounce.email, now, how)]
            outcomes.append(BounceOutcome(bounce, new, bool(held), days, tuple(suspended)))
    return outcomes


def recipients(state_dir: Path, config, now: datetime) -> SubscriberList:
    """Everyone who gets ``config``'s next issue: the store's active, unpaused subscribers of
    that digest, after syncing the seed list (whose skipped rows are the problems).  This is
    the one place a send learns its recipients."""
    with SubscriberStore(store_path(state_dir)) as store:
        problems = sync_seed(store, config, now)
        return SubscriberList(store.active(config.name, now), problems)
