"""Run history (SQLite in the state folder): what each scheduled run did, which replies each
issue showed (so "new" can be told for sources without times), and issues awaiting approval.

`digest status` reads it; the scheduler writes it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable

RUNS_FILE = "runs.sqlite"
SCHEMA_VERSION = 1
STATUSES = ("running", "sent", "skipped", "failed", "awaiting approval", "interrupted")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id           INTEGER PRIMARY KEY,
    digest       TEXT NOT NULL,
    kind         TEXT NOT NULL,            -- scheduled, resume, approve, missed
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    status       TEXT NOT NULL,
    issue        INTEGER,
    sent         INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    detail       TEXT NOT NULL DEFAULT '',  -- one line: why it was skipped or failed, what was missing
    error        TEXT                       -- one line, when something went wrong
);
CREATE INDEX IF NOT EXISTS runs_by_digest ON runs (digest, id);
CREATE TABLE IF NOT EXISTS seen (
    digest     TEXT NOT NULL,
    thread_id  TEXT NOT NULL,
    reply_id   TEXT NOT NULL,
    issue      INTEGER NOT NULL,           -- the first issue built while the reply was in its source
    PRIMARY KEY (digest, thread_id, reply_id)
);
CREATE TABLE IF NOT EXISTS approvals (
    digest      TEXT NOT NULL,
    issue       INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('waiting', 'approved')),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (digest, issue)
);
"""


@dataclass(frozen=True)
class Run:
    id: int
    digest: str
    kind: str
    started_at: str
    finished_at: str | None
    status: str
    issue: int | None
    sent: int
    failed: int
    skipped: int
    detail: str
    error: str | None


@dataclass(frozen=True)
class Result:
    """How a run ended, as recorded."""

    status: str
    issue: int | None = None
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    detail: str = ""
    error: str | None = None


class RunHistory:
    def __init__(self, state_dir: Path):
        Path(state_dir).mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(Path(state_dir) / RUNS_FILE, isolation_level=None, timeout=30, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise RuntimeError(f"run history has schema version {version}; this digest knows {SCHEMA_VERSION}")
        self.db.executescript(_SCHEMA)
        self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> RunHistory:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- runs

    def start(self, digest: str, kind: str, now: datetime) -> int:
        cursor = self.db.execute(
            "INSERT INTO runs (digest, kind, started_at, status) VALUES (?, ?, ?, 'running')", (digest, kind, now.isoformat())
        )
        return int(cursor.lastrowid)

    def finish(self, run_id: int, result: Result, now: datetime) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at=?, status=?, issue=?, sent=?, failed=?, skipped=?, detail=?, error=? WHERE id=?",
            (now.isoformat(), result.status, result.issue, result.sent, result.failed, result.skipped,
             _one_line(result.detail), _one_line(result.error) if result.error else None, run_id),
        )

    def record(self, digest: str, kind: str, result: Result, now: datetime) -> None:
        """A run that did nothing but leave a trace (a missed run, a run that found the digest busy)."""
        self.finish(self.start(digest, kind, now), result, now)

    def runs(self, digest: str, limit: int = 100) -> list[Run]:
        cursor = self.db.execute("SELECT * FROM runs WHERE digest=? ORDER BY id DESC LIMIT ?", (digest, limit))
        return [Run(*row) for row in cursor]

    def last(self, digest: str) -> Run | None:
        runs = self.runs(digest, 1)
        return runs[0] if runs else None

    def last_error(self, digest: str) -> Run | None:
        row = self.db.execute(
            "SELECT * FROM runs WHERE digest=? AND error IS NOT NULL ORDER BY id DESC LIMIT 1", (digest,)
        ).fetchone()
        return Run(*row) if row else None

    # -- replies shown in earlier issues

    def record_seen(self, digest: str, issue: int, keys: Iterable[tuple[str, str]]) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO seen (digest, thread_id, reply_id, issue) VALUES (?, ?, ?, ?)",
            [(digest, thread_id, reply_id, issue) for thread_id, reply_id in keys],
        )

    def seen(self, digest: str) -> set[tuple[str, str]]:
        return set(self.db.execute("SELECT thread_id, reply_id FROM seen WHERE digest=?", (digest,)))

    # -- approval

    def set_approval(self, digest: str, issue: int, state: str, now: datetime) -> None:
        self.db.execute(
            """INSERT INTO approvals (digest, issue, state, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (digest, issue) DO UPDATE SET state=excluded.state, updated_at=excluded.updated_at""",
            (digest, issue, state, now.isoformat()),
        )

    def approval(self, digest: str, issue: int) -> str | None:
        row = self.db.execute("SELECT state FROM approvals WHERE digest=? AND issue=?", (digest, issue)).fetchone()
        return row[0] if row else None


def _one_line(text: str) -> str:
    return " ".join(text.split())
