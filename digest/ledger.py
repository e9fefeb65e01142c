"""The send ledger (SQLite): per issue and subscriber, what was attempted and how it ended.

A copy is marked ``sending`` (committed) before it is handed to the transport and ``sent``
or ``failed`` after.  A re-run skips ``sent``; a row still ``sending`` was in flight when the
sender died: it is retried and reported as a possible duplicate.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    digest      TEXT    NOT NULL,
    issue       INTEGER NOT NULL,
    email       TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    smtp_code   INTEGER,
    detail      TEXT,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (digest, issue, email)
);
"""


@dataclass(frozen=True)
class LedgerRow:
    email: str
    message_id: str
    status: str
    attempts: int
    smtp_code: int | None
    detail: str | None


class Ledger:
    def __init__(self, path: Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise RuntimeError(f"ledger {path} has schema version {version}; this digest knows {SCHEMA_VERSION}")
        self.db.executescript(_SCHEMA)
        self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def rows(self, digest: str, issue: int) -> dict[str, LedgerRow]:
        cursor = self.db.execute(
            "SELECT email, message_id, status, attempts, smtp_code, detail FROM deliveries WHERE digest=? AND issue=?",
            (digest, issue),
        )
        return {row[0].lower(): LedgerRow(*row) for row in cursor}

    def mark_sending(self, digest: str, issue: int, email: str, message_id: str, now: datetime) -> None:
        self.db.execute(
            """INSERT INTO deliveries (digest, issue, email, message_id, status, attempts, updated_at)
               VALUES (?, ?, ?, ?, 'sending', 1, ?)
               ON CONFLICT (digest, issue, email) DO UPDATE SET
                 status='sending', attempts=attempts+1, updated_at=excluded.updated_at""",
            (digest, issue, email.lower(), message_id, now.isoformat()),
        )

    def mark_result(self, digest: str, issue: int, email: str, status: str, code: int | None, detail: str, now: datetime) -> None:
        self.db.execute(
            "UPDATE deliveries SET status=?, smtp_code=?, detail=?, updated_at=? WHERE digest=? AND issue=? AND email=?",
            (status, code, detail, now.isoformat(), digest, issue, email.lower()),
        )

    def close(self) -> None:
        self.db.close()
