"""SIGKILL a real `digest send` mid-run, three times, then resume: every subscriber gets
their copy, and the only duplicates are copies the resumed runs reported, no more than the
in-flight bound each time."""

from __future__ import annotations

import re
import signal
import time
from collections import Counter

from digest.ledger import Ledger
from tests.helpers.faulty_smtp import Faults, faulty_smtp_server
from tests.helpers.sendkit import address, digest, make_workspace, smtp_env, start_digest

COUNT = 200
BOUND = 8  # DIGEST_MAX_IN_FLIGHT
KILL_AT = (30, 95, 150)  # copies arrived when each kill lands


def wait_for(condition, what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.002)


def in_flight(workspace) -> dict[str, str]:
    ledger = Ledger(workspace / "state" / "ledger.sqlite")
    try:
        return {e: r.status for e, r in ledger.rows("example", 1).items() if r.status == "sending"}
    finally:
        ledger.close()


def test_killed_three_times_then_resumed_delivers_every_copy(tmp_path):
    workspace = make_workspace(tmp_path, COUNT)
    faults = Faults(delay=0.01)  # a slow server, so each kill lands mid-run
    reported: list[set[str]] = []
    with faulty_smtp_server(faults) as (controller, _):
        env = smtp_env(controller.port, DIGEST_SMTP_CONNECTIONS="3", DIGEST_MAX_IN_FLIGHT=str(BOUND), PYTHONUNBUFFERED="1")
        for kill_at in KILL_AT:
            process = start_digest(workspace, "send", "example", "--resume", env=env)
            wait_for(lambda: len(faults.received) >= kill_at or process.poll() is not None, f"{kill_at} arrivals")
            assert process.poll() is None, "the send finished before it could be killed"
            process.send_signal(signal.SIGKILL)
            out, _ = process.communicate(timeout=30)
            assert process.returncode == -signal.SIGKILL
            reported.append(set(re.findall(r"possible duplicate: (\S+) was in flight", out)))
            left = in_flight(workspace)
            assert 0 < len(left) <= BOUND, f"{len(left)} copies were marked in flight at the kill"

        final = digest(workspace, "send", "example", "--resume", env=env)
        assert final.returncode == 0, final.stdout + final.stderr
        reported.append(set(re.findall(r"possible duplicate: (\S+) was in flight", final.stdout)))
        time.sleep(0.2)  # the last replies' handlers have finished

    arrived = Counter(r.rcpt_tos[0] for r in faults.received)
    assert set(arrived) == {address(i) for i in range(COUNT)}, "every subscriber got a copy"
    duplicates = {a for a, n in arrived.items() if n > 1}
    every_report = set().union(*reported)
    assert duplicates <= every_report, f"unreported duplicates: {duplicates - every_report}"
    assert max(arrived.values()) <= 2
    assert reported[0] == set(), "the first run had nothing in flight before it"
    assert all(len(r) <= BOUND for r in reported)
    assert sum(arrived.values()) - COUNT <= len(KILL_AT) * BOUND
    assert in_flight(workspace) == {}
    assert "failed 0" in final.stdout
