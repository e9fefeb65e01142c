"""The send ledger (SQLite): per issue and subscriber, what was attempted and how it ended.

A copy is marked ``sending`` (committed, fsynced) before it is handed to the transport and
``sent``, ``deferred`` (a temporary failure: the next run retries it) or ``failed`` (refused
for good, 5xx: not retried) after.  A re-run skips ``sent`` and ``failed``; a row still
``sending`` was in flight when the sender died: it is retried and reported as a possible
duplicate.  Claims and outcomes are committed in batches (one transaction each time the
sender refills its window), so the rows left ``sending`` by a crash never exceed the
sender's in-flight bound.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from digest.errors import StateError

SCHEMA_VERSION = 2
STATUSES = ("sending", "sent", "deferred", "failed")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    digest      TEXT    NOT NULL,
    issue       INTEGER NOT NULL,
    email       TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('sending', 'sent', 'deferred', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,  -- SMTP transactions tried, over all runs
    smtp_code   INTEGER,
    detail      TEXT,
    updated_at  TEXT    NOT NULL,
    possible_duplicate INTEGER NOT NULL DEFAULT 0,  -- sent again after an unclear end
    PRIMARY KEY (digest, issue, email)
);
"""
_FROM_V1 = """
ALTER TABLE deliveries RENAME TO deliveries_v1;
{schema}
INSERT INTO deliveries (digest, issue, email, message_id, status, attempts, smtp_code, detail, updated_at)
    SELECT digest, issue, email, message_id,
           CASE WHEN status = 'failed' AND coalesce(smtp_code, 0) < 500 THEN 'deferred' ELSE status END,
           attempts, smtp_code, detail, updated_at
    FROM deliveries_v1;
DROP TABLE deliveries_v1;
"""


@dataclass(frozen=True)
class LedgerRow:
    email: str
    message_id: str
    status: str
    attempts: int
    smtp_code: int | None
    detail: str | None
    possible_duplicate: bool = False


@dataclass(frozen=True)
class Claim:
    """A copy about to be handed to the server."""

    email: str
    message_id: str


@dataclass(frozen=True)
class Outcome:
    email: str
    status: str  # sent, deferred or failed
    smtp_code: int | None
    detail: str
    attempts: int  # SMTP transactions tried in this run
    possible_duplicate: bool = False


class Ledger:
    def __init__(self, path: Path | str, *, durable: bool = True):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA synchronous={'FULL' if durable else 'OFF'}")
        self._migrate()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(
                f"the ledger has schema version {version}; this digest knows up to {SCHEMA_VERSION}",
                where=str(self.path), fix="upgrade digest, or send with the version that wrote it",
            )
        exists = self.db.execute("SELECT 1 FROM sqlite_master WHERE name='deliveries'").fetchone()
        script = _FROM_V1.format(schema=_SCHEMA) if exists and version <= 1 else _SCHEMA
        self.db.executescript(f"BEGIN IMMEDIATE; {script} PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")

    def rows(self, digest: str, issue: int) -> dict[str, LedgerRow]:
        cursor = self.db.execute(
            "SELECT email, message_id, status, attempts, smtp_code, detail, possible_duplicate FROM deliveries WHERE digest=? AND issue=?",
            (digest, issue),
        )
        return {row[0].lower(): LedgerRow(*row[:6], bool(row[6])) for row in cursor}

    def commit(self, digest: str, issue: int, outcomes: list[Outcome], claims: list[Claim], now: datetime) -> None:
        """Record finished copies and claim the next ones in one transaction (one fsync)."""
        stamp = now.isoformat()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany(
                """UPDATE deliveries SET status=?, smtp_code=?, detail=?, attempts=attempts+?,
                       possible_duplicate=max(possible_duplicate, ?), updated_at=?
                   WHERE digest=? AND issue=? AND email=?""",
                [(o.status, o.smtp_code, o.detail, o.attempts, int(o.possible_duplicate), stamp, digest, issue, o.email.lower()) for o in outcomes],
            )
            self.db.executemany(
                """INSERT INTO deliveries (digest, issue, email, message_id, status, updated_at)
                   VALUES (?, ?, ?, ?, 'sending', ?)
                   ON CONFLICT (digest, issue, email) DO UPDATE SET status='sending', updated_at=excluded.updated_at""",
                [(digest, issue, c.email.lower(), c.message_id, stamp) for c in claims],
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def in_flight(self, digest: str, issue: int) -> int:
        return self.db.execute("SELECT count(*) FROM deliveries WHERE digest=? AND issue=? AND status='sending'", (digest, issue)).fetchone()[0]

    def snapshot(self) -> Ledger:
        """An in-memory copy for a dry run: the same skips, nothing written back."""
        copy = Ledger.__new__(Ledger)
        copy.path = ":memory:"
        copy.db = sqlite3.connect(":memory:", isolation_level=None)
        self.db.backup(copy.db)
        return copy

    def close(self) -> None:
        self.db.close()
