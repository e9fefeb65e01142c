"""Temporary and permanent failures from a real SMTP server on 127.0.0.1: each copy ends
with the right status in the ledger, none is lost, none arrives twice unless reported."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from digest import config as cfg
from digest import pipeline
from digest.ledger import Ledger
from digest.send import delivery_settings
from digest.subscribers import SubscriberStore, store_path
from digest.transport import SmtpTransport
from tests.helpers.faulty_smtp import Faults, faulty_smtp_server
from tests.helpers.sendkit import NOW, address, make_workspace, smtp_env

COUNT = 12


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("faults"), COUNT)


@pytest.fixture
def ws(built: Path, tmp_path: Path) -> pipeline.Workspace:
    """A fresh ledger for each test, the built issue shared."""
    state = tmp_path / "state"
    import shutil

    shutil.copytree(built / "state", state, ignore=shutil.ignore_patterns("ledger.sqlite*"))
    return pipeline.Workspace(built / "config", state, tmp_path / "archive")


def send(ws, faults: Faults, **extra: str):
    lines: list[str] = []
    with faulty_smtp_server(faults) as (controller, _):
        env = smtp_env(controller.port, **extra)
        settings = cfg.smtp_settings(env)
        timeout = delivery_settings(env).timeout
        report = pipeline.send(ws, "example", lambda: SmtpTransport(settings, timeout=timeout), env, NOW, log=lines.append)
    return report, lines


def arrivals(faults: Faults) -> Counter:
    return Counter(r.rcpt_tos[0] for r in faults.received)


def ledger_rows(ws):
    ledger = Ledger(ws.ledger_path)
    try:
        return ledger.rows("example", 1)
    finally:
        ledger.close()


def everyone() -> set[str]:
    return {address(i) for i in range(COUNT)}


def test_421_greetings_are_retried_until_a_connection_opens(ws):
    faults = Faults(greet_421=3)
    report, lines = send(ws, faults, DIGEST_SMTP_CONNECTIONS="2")
    assert faults.log.count("421 greeting") == 3
    assert set(report.sent) == everyone() and not report.failed and not report.possible_duplicates
    assert arrivals(faults) == Counter({a: 1 for a in everyone()})
    assert {r.status for r in ledger_rows(ws).values()} == {"sent"}


def test_451_on_rcpt_and_on_data_are_retried_with_backoff(ws):
    faults = Faults(rcpt_451=Counter({address(1): 2}), data_451=Counter({address(2): 1, address(3): 3}))
    report, _ = send(ws, faults)
    assert not report.failed and set(report.sent) == everyone()
    assert arrivals(faults) == Counter({a: 1 for a in everyone()})
    rows = ledger_rows(ws)
    assert rows[address(1)].attempts == 3 and rows[address(2)].attempts == 2 and rows[address(3)].attempts == 4
    assert rows[address(0)].attempts == 1 and rows[address(3)].smtp_code == 250


def test_550_is_recorded_not_retried_and_not_retried_by_the_next_run(ws):
    refused = {address(4), address(7)}
    faults = Faults(refuse_550=set(refused))
    report, lines = send(ws, faults)
    assert {email for email, _, _ in report.failed} == refused
    assert all(code == 550 for _, code, _ in report.failed) and not report.ok
    assert faults.log.count(f"550 {address(4)}") == 1, "a permanent failure is not retried"
    rows = ledger_rows(ws)
    assert {rows[a].status for a in refused} == {"failed"} and rows[address(4)].detail == "5.1.1 no such mailbox"
    assert arrivals(faults) == Counter({a: 1 for a in everyone() - refused})

    assert f"suspended {address(4)} (bouncing) from example: 550 5.1.1 no such mailbox" in lines
    with SubscriberStore(store_path(ws.state_dir)) as store:
        bouncing = {s.subscriber.email: s.changed_how for s in store.subscriptions("example", "bouncing")}
    assert bouncing == {a: "bounced (permanent: 550 5.1.1 no such mailbox; example issue 1)" for a in refused}

    again, lines = send(ws, Faults())  # the refused addresses are no longer recipients
    assert again.sent == [] and again.failed == [] and len(again.skipped) == COUNT - len(refused)


def test_a_refusal_blaming_the_message_is_not_retried_and_suspends_nobody(ws):
    faults = Faults(refuse_550={address(4)}, refusal="5.7.1 message rejected as spam")
    report, lines = send(ws, faults)
    assert report.failed == [(address(4), 550, "5.7.1 message rejected as spam")]
    assert not any(line.startswith("suspended") for line in lines)
    with SubscriberStore(store_path(ws.state_dir)) as store:
        assert store.get("example", address(4)).status == "active"

    again, lines = send(ws, Faults())
    assert again.sent == [] and again.failed == [] and len(again.skipped) == COUNT
    assert any(f"not retried: {address(4)} was refused for good" in line for line in lines)


def test_exhausted_temporary_failures_are_deferred_and_the_next_run_delivers_them(ws):
    faults = Faults(data_451=Counter({address(5): 10}))
    report, lines = send(ws, faults, DIGEST_SMTP_ATTEMPTS="3")
    assert [(e, c) for e, c, _ in report.failed] == [(address(5), 451)]
    assert any(f"FAILED {address(5)}: 451" in line and "the next run retries it" in line for line in lines)
    row = ledger_rows(ws)[address(5)]
    assert row.status == "deferred" and row.attempts == 3 and row.smtp_code == 451

    faults_again = Faults()
    again, _ = send(ws, faults_again)
    assert again.sent == [address(5)] and len(again.skipped) == COUNT - 1
    assert arrivals(faults) + arrivals(faults_again) == Counter({a: 1 for a in everyone()})
    assert ledger_rows(ws)[address(5)].status == "sent" and ledger_rows(ws)[address(5)].attempts == 4


def test_a_connection_dropped_mid_data_loses_nothing_and_duplicates_nothing(ws):
    faults = Faults(drop_mid_data=Counter({address(0): 1, address(6): 2}))
    report, _ = send(ws, faults, DIGEST_SMTP_CONNECTIONS="2")
    assert faults.log.count(f"drop mid data {address(6)}") == 2
    assert set(report.sent) == everyone() and not report.failed
    # The whole message fitted in the socket buffers before the server hung up, so the
    # sender cannot tell this from a drop after the end: it says so, and only for these.
    assert set(report.possible_duplicates) <= {address(0), address(6)}
    assert arrivals(faults) == Counter({a: 1 for a in everyone()})


def test_a_connection_dropped_after_the_whole_message_is_reported_as_possible_duplicate(ws):
    faults = Faults(drop_after_data=Counter({address(8): 1}))
    report, lines = send(ws, faults)
    assert set(report.sent) == everyone()
    assert report.possible_duplicates == [address(8)]
    assert any(line.startswith(f"possible duplicate: {address(8)}") for line in lines)
    assert ledger_rows(ws)[address(8)].possible_duplicate
    # this server dropped the copy it had not confirmed, so it arrived once
    assert arrivals(faults)[address(8)] == 1


def test_a_timeout_after_the_whole_message_is_retried_and_reported(ws):
    # The server takes 2 s to answer one copy; the sender gives up after 0.5 s and retries on
    # a new connection. This server then keeps both, and the report says which one it was.
    faults = Faults(slow_data=Counter({address(9): 1}))
    report, lines = send(ws, faults, DIGEST_SMTP_TIMEOUT="0.5")
    assert set(report.sent) == everyone() and not report.failed
    assert report.possible_duplicates == [address(9)]
    assert ledger_rows(ws)[address(9)].attempts == 2
    time.sleep(2)  # the stalled handler finishes
    arrived = arrivals(faults)
    assert {a for a, n in arrived.items() if n > 1} <= {address(9)}
    assert set(arrived) == everyone()
