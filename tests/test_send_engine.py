"""The delivery engine's parts: messages built from the per-issue template, the ledger window
(claimed before sent, never more in flight than the bound), the schema migration, rate
limits, settings, progress, dry run and the test copy."""

from __future__ import annotations

import email
import email.policy
import sqlite3
from pathlib import Path

import pytest

from digest import config as cfg
from digest import pipeline
from digest.config import load_digest
from digest.errors import ConfigError
from digest.issue import IssueStore
from digest.ledger import SCHEMA_VERSION, Ledger
from digest.message import MessageTemplate, unsubscribe_url
from digest.progress import LogProgress
from digest.ratelimit import RateLimiter
from digest.render import personalize
from digest.send import DeliverySettings, delivery_settings
from digest.subscribers import Subscriber
from digest.transport import SmtpTransport
from tests.helpers.sendkit import NOW, SECRET, address, digest, make_workspace, smtp_env
from tests.helpers.smtp import smtp_server


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("engine"), 60, text_only={3})


def workspace_copy(built: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "ws"
    shutil.copytree(built, target, ignore=shutil.ignore_patterns("ledger.sqlite*"))
    return target


def test_template_copy_is_the_personalized_issue_in_valid_mime(built):
    config = load_digest(built / "config" / "example.toml")
    issue = IssueStore(built / "state").load("example", None)
    template = MessageTemplate(issue, config, date=NOW)
    person = Subscriber("zoë@example.org".replace("ë", "e"), "Zoë O'Brien, Jr.")
    link = unsubscribe_url(config, SECRET.encode(), person.email)
    raw = template.render(person, link)
    assert all(len(line) <= 76 for line in raw.split(b"\r\n\r\n", 1)[1].split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["To"].addresses[0].display_name == "Zoë O'Brien, Jr." and msg["To"].addresses[0].addr_spec == person.email
    assert msg["List-Unsubscribe"] == f"<{link}>" and msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = msg.get_payload()

    def lines(content: str) -> list[str]:
        return content.replace("\r\n", "\n").rstrip("\n").split("\n")

    assert lines(text.get_content()) == lines(personalize(issue.text, person.email, link))
    assert lines(html.get_content()) == lines(personalize(issue.html, person.email, link, is_html=True))
    text_only = email.message_from_bytes(MessageTemplate(issue, config, date=NOW, text_only=True).render(person, link), policy=email.policy.default)
    assert text_only.get_content_type() == "text/plain" and text_only.get_content() == text.get_content()
    assert text.get_content().endswith("\n")


class WatchingTransport(SmtpTransport):
    """Before each copy goes out, reads the committed ledger from its own connection."""

    seen: list[tuple[str, str | None, int]] = []

    def __init__(self, settings, ledger_path: Path):
        super().__init__(settings)
        self.db = sqlite3.connect(ledger_path, check_same_thread=False)

    def deliver(self, sender, recipient, message):
        status = self.db.execute("SELECT status FROM deliveries WHERE email=?", (recipient,)).fetchone()
        in_flight = self.db.execute("SELECT count(*) FROM deliveries WHERE status='sending'").fetchone()[0]
        self.seen.append((recipient, status and status[0], in_flight))
        return super().deliver(sender, recipient, message)


def test_each_copy_is_claimed_before_it_is_sent_and_the_window_holds(built, tmp_path):
    root = workspace_copy(built, tmp_path)
    ws = pipeline.Workspace(root / "config", root / "state", root / "archive")
    with smtp_server() as (controller, sink):
        env = smtp_env(controller.port, DIGEST_SMTP_CONNECTIONS="3", DIGEST_MAX_IN_FLIGHT="6")
        settings = cfg.smtp_settings(env)
        WatchingTransport.seen = []
        report = pipeline.send(ws, "example", lambda: WatchingTransport(settings, ws.ledger_path), env, NOW, log=lambda line: None)
    assert len(report.sent) == 60 and len(sink.received) == 60
    assert {status for _, status, _ in WatchingTransport.seen} == {"sending"}
    assert max(n for _, _, n in WatchingTransport.seen) <= 6
    assert len({r for r, _, _ in WatchingTransport.seen}) == 60
    text_only = next(r for r in sink.received if r.rcpt_tos == [address(3)])
    assert text_only.message.get_content_type() == "text/plain"
    assert next(r for r in sink.received if r.rcpt_tos == [address(4)]).message.get_content_type() == "multipart/alternative"


V1 = """CREATE TABLE deliveries (digest TEXT NOT NULL, issue INTEGER NOT NULL, email TEXT NOT NULL, message_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')), attempts INTEGER NOT NULL DEFAULT 0,
    smtp_code INTEGER, detail TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (digest, issue, email));
PRAGMA user_version=1;"""


def test_a_version_1_ledger_is_migrated_keeping_every_row(tmp_path):
    path = tmp_path / "ledger.sqlite"
    db = sqlite3.connect(path)
    db.executescript(V1)
    rows = [("a@x.org", "sent", 250), ("b@x.org", "failed", 451), ("c@x.org", "failed", 550), ("d@x.org", "sending", None), ("e@x.org", "failed", None)]
    db.executemany("INSERT INTO deliveries VALUES ('example', 1, ?, '<id>', ?, 1, ?, 'detail', '2026-01-01')", rows)
    db.commit()
    db.close()
    ledger = Ledger(path)
    statuses = {e: r.status for e, r in ledger.rows("example", 1).items()}
    ledger.close()
    assert statuses == {"a@x.org": "sent", "b@x.org": "deferred", "c@x.org": "failed", "d@x.org": "sending", "e@x.org": "deferred"}
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2


def test_a_newer_ledger_is_refused(tmp_path):
    path = tmp_path / "ledger.sqlite"
    sqlite3.connect(path).execute("PRAGMA user_version=9")
    with pytest.raises(Exception, match="schema version 9"):
        Ledger(path)


def test_rate_limits_hold_in_every_window():
    now = [0.0]
    limiter = RateLimiter(per_second=4, per_hour=10, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    times = []
    for _ in range(12):
        limiter.acquire()
        times.append(now[0])
    assert all(sum(1 for t in times if start <= t < start + 1) <= 4 for start in times)
    assert times[:4] == [0.0] * 4 and times[4] == 1.0
    assert times[10] == 3600.0, "the 11th message waits for the hour"
    slow = RateLimiter(per_second=0.5, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    start = now[0]
    for _ in range(3):
        slow.acquire()
    assert now[0] - start == 4.0


def test_settings_from_the_environment():
    assert delivery_settings({}) == DeliverySettings(connections=4, max_in_flight=128)
    settings = delivery_settings({"DIGEST_SMTP_CONNECTIONS": "8", "DIGEST_RATE_PER_SECOND": "2.5", "DIGEST_RATE_PER_HOUR": "500"})
    assert (settings.connections, settings.max_in_flight, settings.per_second, settings.per_hour) == (8, 256, 2.5, 500)
    with pytest.raises(ConfigError, match="DIGEST_SMTP_CONNECTIONS='0' is not a positive int"):
        delivery_settings({"DIGEST_SMTP_CONNECTIONS": "0"})
    with pytest.raises(ConfigError, match="below DIGEST_SMTP_CONNECTIONS"):
        delivery_settings({"DIGEST_SMTP_CONNECTIONS": "8", "DIGEST_MAX_IN_FLIGHT": "4"})
    with pytest.raises(ConfigError, match="DIGEST_SMTP_CA_FILE"):
        cfg.smtp_settings({"DIGEST_SMTP_HOST": "h", "DIGEST_SMTP_SECURITY": "tls", "DIGEST_SMTP_CA_FILE": "/nonexistent/ca.pem"})


def test_progress_lines_show_rate_and_time_left():
    now = [0.0]
    lines: list[str] = []
    progress = LogProgress(lines.append, every=10, clock=lambda: now[0])
    progress.start(1000)
    for _ in range(200):
        now[0] += 0.125
        progress.advance()
    progress.finish()
    assert lines == [
        "progress: 80/1000 copies, 8.0/s, 115s left",
        "progress: 160/1000 copies, 8.0/s, 105s left",
        "progress: 200/1000 copies, 8.0/s, 100s left",
    ]


def test_dry_run_builds_every_copy_and_records_nothing_then_test_copy_and_send(built, tmp_path):
    root = workspace_copy(built, tmp_path)
    with smtp_server() as (controller, sink):
        env = smtp_env(controller.port)
        dry = digest(root, "send", "example", "--dry-run", env=env)
        assert dry.returncode == 0, dry.stderr
        assert "sent 60, failed 0, skipped 0" in dry.stdout and "dry run: no SMTP transaction" in dry.stdout
        assert sink.received == []
        test = digest(root, "send", "example", "--test-to", "editor@example.org", env=env)
        assert test.returncode == 0 and "test copy sent to editor@example.org" in test.stdout
        assert [r.rcpt_tos for r in sink.received] == [["editor@example.org"]]
        assert sink.received[0].message["Subject"].startswith("[TEST] ")
        real = digest(root, "send", "example", env=env)
        assert real.returncode == 0 and "sent 60, failed 0, skipped 0" in real.stdout
        assert len(sink.received) == 61
        dry_again = digest(root, "send", "example", "--dry-run", env=env)
        assert "sent 0, failed 0, skipped 60" in dry_again.stdout


def test_dot_stuffing_piece_by_piece_equals_stuffing_the_whole_message():
    # The issue's body is dot-stuffed once and reused; the join of the stuffed pieces must be
    # exactly the stuffed join, including pieces that are not line-aligned (stuffed whole).
    import random

    from digest.transport import DotStuffer, _dot_stuff

    rng = random.Random(7)
    stuffer = DotStuffer()
    stuffer.MEMO_MIN = 4  # exercise the memo on short pieces too
    alphabet = [b".", b"..", b"\r\n", b"\r", b"\n", b"a", b"\r\n."]
    for _ in range(5000):
        pieces = [b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(0, 5))]
        prepared = stuffer.prepare(pieces)
        assert b"".join(prepared.wire) == _dot_stuff(b"".join(pieces)), pieces
        assert bytes(prepared) == b"".join(pieces)
