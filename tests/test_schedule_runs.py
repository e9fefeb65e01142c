"""Scheduled runs with a real APScheduler, a real SQLite job store and run history, and mail
written to an outbox folder: catch-up after downtime, no overlap, resuming an interrupted
send, skips, approval, failing sources and the notices they send."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from digest.commands.schedule import reload_definitions, status_line
from digest.config import load_digest
from digest.issue import IssueStore
from digest.ledger import Ledger
from digest.model import Reply, Thread
from digest.pipeline import Workspace
from digest.runs import RunHistory
from digest.schedule import ScheduleService, jobstore_path, stored_next_runs
from digest.scheduled_run import RunContext, count_new, digest_lock, run_digest
from digest.transport import OutboxTransport
from tests.conftest import ROOT, copy_example_config

SECRET = "test-secret-0123456789abcdef"
ENV = {"DIGEST_SECRET": SECRET}
SLOW = {**ENV, "DIGEST_SMTP_CONNECTIONS": "1", "DIGEST_MAX_IN_FLIGHT": "1", "DIGEST_RATE_PER_SECOND": "4"}  # one copy at a time, 4 a second
NOTIFY = "editor@garden.example.org"
PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc


# ------------------------------------------------------------------------------ helpers

def _toml(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value) if isinstance(value, int) else json.dumps(value)


def make_config_dir(root: Path, keys: dict, *, subscribers: int | None = None, extra_threads: tuple[tuple[str, str], ...] = ()) -> Path:
    """A copy of the example config with ``keys`` set in [digest] (replacing any there)."""
    folder = copy_example_config(root / "config")
    path = folder / "example.toml"
    text = path.read_text()
    for key, value in keys.items():
        if value is None:
            continue
        line = f"{key} = {_toml(value)}"
        text, found = re.subn(rf"^{key} = .*$", line, text, count=1, flags=re.M)
        if not found:
            text = text.replace("[digest]\n", f"[digest]\n{line}\n", 1)
    for title, source in extra_threads:
        text += f'\n[[thread]]\nsource = "{source}"\ntitle = "{title}"\n'
    path.write_text(text)
    if subscribers is not None:
        rows = ["email,name"] + [f"reader{i}@example.org,Reader {i}" for i in range(subscribers)]
        (folder / "example.subscribers.csv").write_text("\n".join(rows) + "\n")
    return folder


def make_workspace(root: Path, keys: dict, **options) -> Workspace:
    make_config_dir(root, keys, **options)
    return Workspace(root / "config", root / "state", root / "archive")


def config_of(ws: Workspace):
    return load_digest(ws.config_dir / "example.toml")


def outbox(ws: Workspace) -> Path:
    return ws.state_dir.parent / "outbox"


def service(ws: Workspace, env=ENV) -> ScheduleService:
    return ScheduleService(ws, env, lambda: OutboxTransport(outbox(ws)))


def context(ws: Workspace, env=ENV) -> RunContext:
    return RunContext(ws, env, lambda: OutboxTransport(outbox(ws)), lambda: datetime.now(UTC), log=lambda line: None)


def messages(ws: Workspace) -> list[email.message.EmailMessage]:
    folder = outbox(ws)
    files = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files]


def deliveries(ws: Workspace) -> list[str]:
    """Recipients of digest copies (not notices), one entry per copy written."""
    return [str(m["To"]) for m in messages(ws) if str(m["To"]) != NOTIFY]


def notices(ws: Workspace) -> list[str]:
    return [m.get_content().replace("\r\n", "\n") for m in messages(ws) if str(m["To"]) == NOTIFY]


def runs(ws: Workspace):
    with RunHistory(ws.state_dir) as history:
        return list(reversed(history.runs("example")))


def cli(ws: Workspace, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")} | ENV
    return subprocess.run(
        [sys.executable, "-m", "digest.cli", "--config-dir", str(ws.config_dir), "--state-dir", str(ws.state_dir), "--archive-dir", str(ws.archive_dir), *args],
        env=env, capture_output=True, text=True, timeout=60,
    )


def wait_for(predicate, timeout: float = 8.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def make_overdue(ws: Workspace, seconds_ago: float) -> None:
    """As if the scheduler had been down when the job fell due: move the stored job's next
    run time into the past, through the job store itself (no scheduler runs meanwhile)."""
    store = SQLAlchemyJobStore(url=f"sqlite:///{jobstore_path(ws.state_dir)}")
    store.start(BackgroundScheduler(timezone=UTC), "default")
    try:
        job = store.lookup_job("digest:example")
        job.next_run_time = datetime.now(UTC) - timedelta(seconds=seconds_ago)
        store.update_job(job)
    finally:
        store.shutdown()


def install_job(ws: Workspace) -> datetime:
    """Start and stop a scheduler once: the job is in the store; returns its next run time."""
    first = service(ws)
    first.start([config_of(ws)])
    try:
        return first.next_run_times()["example"]
    finally:
        first.stop()


# ------------------------------------------------------------------------------ the scheduler

def test_missed_run_is_caught_up_exactly_once_after_a_restart(tmp_path):
    ws = make_workspace(tmp_path, {"schedule": "0 8 * * MON", "timezone": "Europe/Paris"})
    upcoming = install_job(ws)
    assert upcoming > datetime.now(UTC)
    assert upcoming.astimezone(PARIS).strftime("%a %H:%M") == "Mon 08:00"
    assert stored_next_runs(ws.state_dir) == {"example": upcoming}  # persisted in SQLite
    assert runs(ws) == [] and deliveries(ws) == []

    make_overdue(ws, 30)  # the scheduler was down at the due time, back within the grace time
    second = service(ws)
    second.start([config_of(ws)])
    try:
        assert wait_for(lambda: [r.status for r in runs(ws)] == ["sent"])
        time.sleep(1.0)
        assert len(runs(ws)) == 1
        assert second.next_run_times()["example"] == upcoming  # back on the weekly schedule
    finally:
        second.stop()

    third = service(ws)  # and a further restart does not run it again
    third.start([config_of(ws)])
    try:
        time.sleep(1.0)
    finally:
        third.stop()
    assert [(r.kind, r.status, r.issue, r.sent) for r in runs(ws)] == [("scheduled", "sent", 1, 3)]
    assert sorted(deliveries(ws)) == sorted(["Ada Lovelace <ada@example.com>", "Grace Hopper <grace@example.net>", "Linus Pauling <linus@example.org>"])
    assert IssueStore(ws.state_dir).numbers("example") == [1]
    assert (ws.archive_dir / "example" / "0001" / "index.html").is_file()


def test_edited_definitions_reach_the_running_scheduler(tmp_path, caplog):
    """A changed schedule, a broken edit, a removed schedule and a new digest, while running."""
    ws = make_workspace(tmp_path, {"schedule": "0 8 * * MON", "timezone": "Europe/Paris"})
    path = ws.config_dir / "example.toml"
    original = path.read_text()
    log = logging.getLogger("digest.schedule")
    caplog.set_level(logging.INFO, logger=log.name)
    running = service(ws)
    running.start([config_of(ws)])
    try:
        path.write_text(original.replace('schedule = "0 8 * * MON"', 'schedule = "30 9 * * *"'))
        reload_definitions(ws, running, log)
        upcoming = running.next_run_times()["example"]
        assert upcoming.astimezone(PARIS).strftime("%H:%M") == "09:30" and upcoming < datetime.now(UTC) + timedelta(days=1)
        assert stored_next_runs(ws.state_dir) == {"example": upcoming}  # what `digest status` reads
        assert "example: schedule now '30 9 * * *', next run" in caplog.text

        path.write_text(original.replace('schedule = "0 8 * * MON"', 'schedule = "30 9 * *"'))
        reload_definitions(ws, running, log)
        assert running.next_run_times() == {"example": upcoming}  # the last good schedule stays
        assert "example: definition not reloaded" in caplog.text and "schedule" in caplog.text

        (ws.config_dir / "second.toml").write_text(original.replace('schedule = "0 8 * * MON"', 'schedule = "0 7 * * *"'))
        path.write_text(re.sub(r"^schedule = .*\n", "", original, flags=re.M))
        reload_definitions(ws, running, log)
        assert list(running.next_run_times()) == ["second"]
        assert running.scheduler.get_job("digest:example") is None and "example: no longer scheduled" in caplog.text
        assert running.next_run_times()["second"].astimezone(PARIS).strftime("%H:%M") == "07:00"
    finally:
        running.stop()
    assert runs(ws) == []  # nothing ran meanwhile


def test_run_missed_beyond_the_grace_time_is_recorded_and_reported_not_run(tmp_path):
    ws = make_workspace(tmp_path, {"schedule": "0 8 * * MON", "grace": 1, "notify": NOTIFY})
    install_job(ws)
    make_overdue(ws, 300)  # five minutes late, grace one minute
    svc = service(ws)
    svc.start([config_of(ws)])
    try:
        assert wait_for(lambda: len(runs(ws)) == 1)
    finally:
        svc.stop()
    (run,) = runs(ws)
    assert (run.kind, run.status) == ("missed", "skipped")
    assert "longer than the grace time (1 min)" in run.detail
    assert deliveries(ws) == [] and IssueStore(ws.state_dir).numbers("example") == []
    (notice,) = notices(ws)
    assert "missed the run due" in notice and notice.count("\n") == 1  # one line


def test_a_digest_never_runs_twice_at_once(tmp_path):
    ws = make_workspace(tmp_path, {"schedule": "* * * * * *"}, subscribers=6)  # every second
    svc = service(ws, SLOW)
    svc.start([config_of(ws)])
    try:
        assert wait_for(lambda: any(r.status == "sent" for r in runs(ws)))
        time.sleep(1.5)
    finally:
        svc.stop()
    history = runs(ws)
    first = history[0]
    assert (first.status, first.issue, first.sent) == ("sent", 1, 6)
    took = datetime.fromisoformat(first.finished_at) - datetime.fromisoformat(first.started_at)
    assert took > timedelta(seconds=1)  # the trigger fell due again while this run was sending
    for earlier, later in zip(history, history[1:]):
        assert later.started_at >= earlier.finished_at, "two runs overlapped"
    assert history[1:] and all(r.status == "skipped" and "only 0 new replies" in r.detail for r in history[1:])
    assert sorted(deliveries(ws)) == sorted(f"Reader {i} <reader{i}@example.org>" for i in range(6))


def test_stop_mid_send_halts_between_messages_and_the_next_start_resumes_from_the_ledger(tmp_path):
    ws = make_workspace(tmp_path, {"schedule": "0 8 * * MON"}, subscribers=8)
    install_job(ws)
    make_overdue(ws, 10)
    svc = service(ws, SLOW)
    svc.start([config_of(ws)])
    try:
        assert wait_for(lambda: len(deliveries(ws)) >= 2)
    finally:
        svc.stop()  # returns once the send reached a safe point
    interrupted = runs(ws)[-1]
    assert interrupted.status == "interrupted" and interrupted.issue == 1
    sent_before = len(deliveries(ws))
    assert 2 <= sent_before < 8 and interrupted.sent == sent_before
    ledger = Ledger(ws.ledger_path)
    try:
        assert sorted({row.status for row in ledger.rows("example", 1).values()}) == ["sent"]  # nothing left in flight
    finally:
        ledger.close()
    assert not (ws.archive_dir / "example" / "0001").exists()

    again = service(ws, SLOW)
    again.start([config_of(ws)])
    try:
        assert wait_for(lambda: runs(ws)[-1].status == "sent", timeout=10)
    finally:
        again.stop()
    resumed = runs(ws)[-1]
    assert (resumed.kind, resumed.issue, resumed.sent, resumed.skipped) == ("resume", 1, 8 - sent_before, sent_before)
    assert sorted(deliveries(ws)) == sorted(f"Reader {i} <reader{i}@example.org>" for i in range(8))  # each exactly once
    assert IssueStore(ws.state_dir).numbers("example") == [1]  # sent, not rebuilt
    assert (ws.archive_dir / "example" / "0001" / "manifest.json").is_file()


# ------------------------------------------------------------------------------ one run

def test_a_failing_source_is_named_and_the_digest_goes_out_with_the_others(tmp_path):
    ws = make_workspace(tmp_path, {"notify": NOTIFY}, extra_threads=(("Moved thread", "gone/thread.json"),))
    result = run_digest(context(ws), "example")
    assert (result.status, result.issue, result.sent) == ("sent", 1, 3)
    assert "source 'Moved thread' failed" in result.error and "thread.json" in result.error
    assert len(deliveries(ws)) == 3
    (notice,) = notices(ws)
    assert notice.startswith("example: sent issue 1") and "source 'Moved thread' failed" in notice and notice.count("\n") == 1
    line = status_line(config_of(ws), None, runs(ws)[-1], RunHistory(ws.state_dir).last_error("example"), datetime.now(UTC))
    assert "last error" in line and "source 'Moved thread' failed" in line and "\n" not in line


def test_when_every_source_fails_the_run_fails_and_says_why(tmp_path):
    ws = make_workspace(tmp_path, {"notify": NOTIFY})
    toml = ws.config_dir / "example.toml"
    toml.write_text(toml.read_text().replace(f"{ROOT}/examples/garden-thread.json", "missing.json"))
    result = run_digest(context(ws), "example")
    assert result.status == "failed" and "no source could be imported" in result.error and "'missing.json'" in result.error
    assert IssueStore(ws.state_dir).numbers("example") == [] and deliveries(ws) == []
    assert notices(ws)[0].startswith("example: failed; no source could be imported")


def test_too_little_new_since_the_last_issue_skips_the_run_and_says_why(tmp_path):
    ws = make_workspace(tmp_path, {"notify": NOTIFY})
    assert run_digest(context(ws), "example").status == "sent"
    skipped = run_digest(context(ws), "example")
    assert skipped.status == "skipped" and skipped.detail == "only 0 new replies since the last issue (min_new = 1)"
    assert IssueStore(ws.state_dir).numbers("example") == [1] and len(deliveries(ws)) == 3
    assert notices(ws) == ["example: skipped; only 0 new replies since the last issue (min_new = 1)\n"]


def test_new_replies_with_nothing_worth_featuring_skip_the_run_and_say_why(tmp_path):
    ws = make_workspace(tmp_path, {"notify": NOTIFY})
    thread = json.loads((ROOT / "examples" / "garden-thread.json").read_text())
    for reply in thread["replies"]:
        reply["body"] = "<p>Thanks!</p>"
    (tmp_path / "thanks.json").write_text(json.dumps(thread))
    toml = ws.config_dir / "example.toml"
    definition = toml.read_text().replace(f"{ROOT}/examples/garden-thread.json", str(tmp_path / "thanks.json"))
    toml.write_text(definition.split("\n[[thread.featured]]")[0])
    result = run_digest(context(ws), "example")
    assert result.status == "skipped" and result.detail.startswith("14 new replies: no thread has a reply to feature")
    assert "no reply is featured (13 too short to feature, 1 excluded by @Gareth Hughes)" in result.detail
    assert IssueStore(ws.state_dir).numbers("example") == [] and deliveries(ws) == []


def test_new_means_unseen_for_replies_without_times_and_younger_for_the_rest():
    def thread(*replies):
        return Thread("t", "T", None, tuple(replies), "canonical")

    old, young = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    last_issue = datetime(2026, 2, 1, tzinfo=UTC)
    untimed = thread(Reply("a", "A", "<p>x</p>"), Reply("b", "B", "<p>y</p>"), Reply("c", "C", "<p>z</p>"))
    assert count_new((untimed,), {("t", "a")}, last_issue) == 2  # b and c were never featured or seen
    assert count_new((untimed,), {("t", "a"), ("t", "b"), ("t", "c")}, last_issue) == 0
    timed = thread(Reply("a", "A", "<p>x</p>", posted_at=old), Reply("b", "B", "<p>y</p>", posted_at=young))
    assert count_new((timed,), set(), last_issue) == 1  # an old reply is not new, even unseen
    assert count_new((timed,), set(), None) == 2  # before the first issue everything is new


def test_approval_waits_for_the_editor_then_sends_the_built_issue(tmp_path):
    ws = make_workspace(tmp_path, {"approval": True, "notify": NOTIFY})
    waiting = run_digest(context(ws), "example")
    assert (waiting.status, waiting.issue) == ("awaiting approval", 1) and "digest approve example" in waiting.detail
    assert deliveries(ws) == [] and not (ws.archive_dir / "example" / "0001").exists()
    assert notices(ws) == ["example: awaiting approval issue 1; built with 14 new replies; send it with `digest approve example`\n"]
    approved = run_digest(context(ws), "example", "approve")
    assert (approved.status, approved.issue, approved.sent, approved.detail) == ("sent", 1, 3, "approved by the editor")
    assert IssueStore(ws.state_dir).numbers("example") == [1] and len(deliveries(ws)) == 3
    assert (ws.archive_dir / "example" / "0001" / "index.html").is_file()
    nothing = run_digest(context(ws), "example", "approve")
    assert nothing.status == "failed" and "no issue of 'example' is waiting for approval" in nothing.error


def test_without_approval_the_next_run_sends_the_waiting_issue_instead_of_building_another(tmp_path):
    ws = make_workspace(tmp_path, {"approval": True})
    assert run_digest(context(ws), "example").status == "awaiting approval"
    deadline = run_digest(context(ws), "example")
    assert (deadline.status, deadline.issue, deadline.sent) == ("sent", 1, 3)
    assert "deadline" in deadline.detail
    assert IssueStore(ws.state_dir).numbers("example") == [1]


def test_a_run_finds_the_digest_busy_and_leaves_it_alone(tmp_path):
    ws = make_workspace(tmp_path, {})
    with digest_lock(ws.state_dir, "example") as held:
        assert held
        result = run_digest(context(ws), "example")
    assert result.status == "skipped" and "still in progress" in result.detail
    assert IssueStore(ws.state_dir).numbers("example") == [] and deliveries(ws) == []


def test_status_command_shows_next_run_last_result_and_last_error_on_one_line(tmp_path):
    ws = make_workspace(tmp_path, {"schedule": "0 8 * * MON", "timezone": "Europe/Paris"}, extra_threads=(("Moved thread", "gone.json"),))
    upcoming = install_job(ws)
    assert run_digest(context(ws), "example").status == "sent"
    result = cli(ws, "status")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"example: next {upcoming.astimezone(PARIS).strftime('%Y-%m-%d 08:00 %Z')} | last run ")
    assert "(scheduled): sent issue 1 (sent 3, failed 0, already delivered 0); 14 new replies" in line
    assert "| last error " in line and "source 'Moved thread' failed" in line


def test_approve_from_the_command_line_sends_the_waiting_issue_and_refuses_when_none_waits(tmp_path):
    ws = make_workspace(tmp_path, {"approval": True})
    refused = cli(ws, "approve", "example", "--outbox", str(outbox(ws)))
    assert refused.returncode == 1 and "no issue of 'example' is waiting for approval" in refused.stderr
    assert runs(ws) == []  # nothing happened, nothing recorded
    assert run_digest(context(ws), "example").status == "awaiting approval"
    approved = cli(ws, "approve", "example", "--outbox", str(outbox(ws)))
    assert approved.returncode == 0, approved.stderr
    assert "approved issue 1 of example: sending" in approved.stdout and "example: sent issue 1 (sent 3, failed 0" in approved.stdout
    assert len(deliveries(ws)) == 3 and runs(ws)[-1].kind == "approve"


def test_status_reports_a_broken_definition_and_still_shows_the_others(tmp_path):
    ws = make_workspace(tmp_path, {})
    (ws.config_dir / "broken.toml").write_text("[digest]\ntitel = 'x'\n")
    result = cli(ws, "status")
    assert result.returncode == 1
    broken, example = result.stdout.splitlines()
    assert broken.startswith("broken: error:") and "unknown key 'titel'" in broken
    assert example == "example: next not scheduled | last run: never | last error: none"
