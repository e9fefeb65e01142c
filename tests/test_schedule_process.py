"""A real `digest schedule` process, delivering to a real SMTP server on 127.0.0.1:
SIGTERM mid-send stops it cleanly between two messages, and the next start finishes the
issue from the send ledger, every subscriber served exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from digest.issue import IssueStore
from tests.helpers.smtp import smtp_server
from tests.test_schedule_runs import SECRET, install_job, make_overdue, make_workspace, runs, wait_for

READERS = 8


def start_scheduler(root, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update({
        "DIGEST_SECRET": SECRET, "DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(port), "DIGEST_SMTP_SECURITY": "plain",
        "DIGEST_SMTP_CONNECTIONS": "1", "DIGEST_MAX_IN_FLIGHT": "1", "DIGEST_RATE_PER_SECOND": "4",
    })
    return subprocess.Popen(
        [sys.executable, "-m", "digest.cli", "--config-dir", "config", "--state-dir", "state", "--archive-dir", "archive", "schedule"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def terminate(process: subprocess.Popen) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=15)
    return process.returncode, out + err


def test_sigterm_stops_between_messages_and_the_restart_finishes_the_issue(tmp_path):
    ws = make_workspace(tmp_path, {"schedule": "0 8 * * MON"}, subscribers=READERS)
    install_job(ws)
    make_overdue(ws, 10)  # due while no scheduler ran: the process catches it up at start
    with smtp_server() as (controller, sink):
        first = start_scheduler(tmp_path, controller.port)
        try:
            assert wait_for(lambda: len(sink.received) >= 2, timeout=15)
        finally:
            code, output = terminate(first)
        assert code == 0, output
        assert "stopping: no new run starts" in output and "stopped" in output and "Traceback" not in output
        delivered_first = len(sink.received)
        assert 2 <= delivered_first < READERS
        assert runs(ws)[-1].status == "interrupted"

        second = start_scheduler(tmp_path, controller.port)
        try:
            assert wait_for(lambda: runs(ws)[-1].status == "sent", timeout=15)
        finally:
            code, output = terminate(second)
        assert code == 0, output

    recipients = [r.rcpt_tos[0] for r in sink.received]
    assert sorted(recipients) == sorted(f"reader{i}@example.org" for i in range(READERS))  # each exactly once
    assert [(r.kind, r.status, r.sent) for r in runs(ws)] == [("scheduled", "interrupted", delivered_first), ("resume", "sent", READERS - delivered_first)]
    assert IssueStore(ws.state_dir).numbers("example") == [1]
    assert (ws.archive_dir / "example" / "0001" / "index.html").is_file()


def test_a_running_scheduler_picks_up_an_edited_schedule(tmp_path):
    from digest.schedule import stored_next_runs

    ws = make_workspace(tmp_path, {"schedule": "0 8 * * MON", "timezone": "UTC"})
    with smtp_server() as (controller, _sink):
        process = start_scheduler(tmp_path, controller.port)
        try:
            assert wait_for(lambda: "example" in stored_next_runs(ws.state_dir), timeout=15)
            assert stored_next_runs(ws.state_dir)["example"].strftime("%a %H:%M") == "Mon 08:00"
            toml = ws.config_dir / "example.toml"
            toml.write_text(toml.read_text().replace('schedule = "0 8 * * MON"', 'schedule = "45 6 * * *"'))
            assert wait_for(lambda: stored_next_runs(ws.state_dir)["example"].strftime("%H:%M") == "06:45", timeout=15)
        finally:
            code, output = terminate(process)
    assert code == 0 and "example: schedule now '45 6 * * *', next run" in output and "Traceback" not in output
    assert runs(ws) == []
