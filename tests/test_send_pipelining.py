"""Pipelining across copies (RFC 2920): a copy's end of data goes out with the next copy's
MAIL, RCPT and DATA.  Failures anywhere in such a batch, from a real SMTP server on
127.0.0.1 that advertises PIPELINING: each copy ends with the right status in the ledger,
none is lost, none arrives twice unless reported."""

from __future__ import annotations

import sqlite3
from collections import Counter

from digest import config as cfg
from digest import pipeline
from digest.send import delivery_settings
from digest.transport import SmtpTransport
from tests.helpers.faulty_smtp import Faults, faulty_smtp_server
from tests.helpers.sendkit import NOW, address, smtp_env
from tests.test_send_faults import COUNT, arrivals, built, everyone, ledger_rows, ws  # noqa: F401 (fixtures)


class Watching(SmtpTransport):
    """Counts the copies whose envelope went out with the previous copy's end of data, and
    checks each was claimed (``sending``, committed) before it was announced."""

    announced: list[str] = []
    unclaimed: list[str] = []
    ledger_path = None

    def deliver(self, sender, recipient, message):
        inner = self.announcer
        if inner is not None and not getattr(inner, "watched", False):
            db = sqlite3.connect(self.ledger_path, check_same_thread=False)

            def watched():
                got = inner()
                if got is not None:
                    row = db.execute("SELECT status FROM deliveries WHERE email=?", (got[1],)).fetchone()
                    if not row or row[0] != "sending":
                        Watching.unclaimed.append(got[1])
                return got

            watched.watched = True
            self.announcer = watched
        if self.announced_for(sender, recipient):
            Watching.announced.append(recipient)
        return super().deliver(sender, recipient, message)


def send(ws, faults: Faults, **extra: str):
    faults.pipelining = True
    Watching.announced, Watching.unclaimed, Watching.ledger_path = [], [], ws.ledger_path
    lines: list[str] = []
    with faulty_smtp_server(faults) as (controller, _):
        env = smtp_env(controller.port, **{"DIGEST_SMTP_CONNECTIONS": "1", **extra})
        settings = cfg.smtp_settings(env)
        timeout = delivery_settings(env).timeout
        report = pipeline.send(ws, "example", lambda: Watching(settings, timeout=timeout), env, NOW, log=lines.append)
    assert not Watching.unclaimed, "a copy was announced before it was claimed"
    return report, lines


def once() -> Counter:
    return Counter({a: 1 for a in everyone()})


def test_each_copy_after_the_first_is_announced_with_the_previous_end_of_data(ws):
    faults = Faults()
    report, _ = send(ws, faults)
    assert set(report.sent) == everyone() and not report.failed and not report.possible_duplicates
    assert Watching.announced == [address(i) for i in range(1, COUNT)]
    assert arrivals(faults) == once()
    rows = ledger_rows(ws)
    assert {r.status for r in rows.values()} == {"sent"} and {r.attempts for r in rows.values()} == {1}


def test_several_connections_and_a_small_window_still_pipeline(ws):
    faults = Faults()
    report, _ = send(ws, faults, DIGEST_SMTP_CONNECTIONS="3", DIGEST_MAX_IN_FLIGHT="4")
    assert set(report.sent) == everyone() and not report.failed and not report.possible_duplicates
    assert Watching.announced
    assert arrivals(faults) == once()


def test_a_rate_limit_turns_pipelining_across_copies_off(ws):
    faults = Faults()
    report, _ = send(ws, faults, DIGEST_RATE_PER_SECOND="1000")
    assert set(report.sent) == everyone() and Watching.announced == []
    assert arrivals(faults) == once()


def test_451_and_550_on_the_pipelined_rcpt_belong_to_that_copy(ws):
    faults = Faults(rcpt_451=Counter({address(3): 2}), refuse_550={address(6)})
    report, _ = send(ws, faults)
    assert [(e, c) for e, c, _ in report.failed] == [(address(6), 550)] and not report.possible_duplicates
    assert faults.log.count(f"550 {address(6)}") == 1
    rows = ledger_rows(ws)
    assert rows[address(6)].status == "failed" and rows[address(6)].attempts == 1
    assert rows[address(3)].status == "sent" and rows[address(3)].attempts == 3
    # the copies whose end of data carried those envelopes were delivered once, at once
    assert rows[address(2)].attempts == 1 and rows[address(5)].attempts == 1
    assert {rows[a].status for a in everyone() - {address(6)}} == {"sent"}
    assert arrivals(faults) == Counter({a: 1 for a in everyone() - {address(6)}})


def test_451_and_554_on_the_pipelined_data_command_belong_to_that_copy(ws):
    faults = Faults(data_command={address(4): "451 4.3.0 busy", address(9): "554 5.5.1 no thanks"})
    report, _ = send(ws, faults)
    assert [(e, c) for e, c, _ in report.failed] == [(address(9), 554)] and not report.possible_duplicates
    rows = ledger_rows(ws)
    assert rows[address(4)].status == "sent" and rows[address(4)].attempts == 2
    assert rows[address(9)].status == "failed" and rows[address(9)].attempts == 1
    assert rows[address(3)].attempts == 1 and rows[address(8)].attempts == 1
    assert arrivals(faults) == Counter({a: 1 for a in everyone() - {address(9)}})


def test_a_4xx_end_of_data_ends_the_announced_transaction_and_both_copies_arrive_once(ws):
    faults = Faults(data_451=Counter({address(4): 1, address(7): 2}))
    report, _ = send(ws, faults)
    assert set(report.sent) == everyone() and not report.failed and not report.possible_duplicates
    rows = ledger_rows(ws)
    assert rows[address(4)].attempts == 2 and rows[address(7)].attempts == 3
    # the next copies were announced, never given their data, and started afresh
    assert rows[address(5)].attempts == 1 and rows[address(8)].attempts == 1
    assert {r.status for r in rows.values()} == {"sent"}
    assert arrivals(faults) == once()


def test_a_5xx_end_of_data_is_recorded_and_the_announced_copy_arrives_once(ws):
    faults = Faults(data_554={address(5)})
    report, _ = send(ws, faults)
    assert [(e, c) for e, c, _ in report.failed] == [(address(5), 554)] and not report.possible_duplicates
    assert faults.log.count(f"554 data {address(5)}") == 1
    rows = ledger_rows(ws)
    assert rows[address(5)].status == "failed" and rows[address(5)].attempts == 1
    assert rows[address(6)].status == "sent" and rows[address(6)].attempts == 1
    assert arrivals(faults) == Counter({a: 1 for a in everyone() - {address(5)}})


def test_a_drop_after_an_end_of_data_that_carried_the_next_envelope(ws):
    faults = Faults(drop_after_data=Counter({address(8): 1}))
    report, lines = send(ws, faults)
    assert set(report.sent) == everyone() and not report.failed
    # only the copy whose data was sent is unclear; the announced one was never given data
    assert report.possible_duplicates == [address(8)]
    rows = ledger_rows(ws)
    assert rows[address(8)].possible_duplicate and rows[address(8)].attempts == 2
    assert not rows[address(9)].possible_duplicate and rows[address(9)].attempts == 1
    assert {r.status for r in rows.values()} == {"sent"}
    assert arrivals(faults) == once()  # this server dropped the copy it had not confirmed


def test_a_drop_mid_data_with_pipelining_loses_nothing(ws):
    faults = Faults(drop_mid_data=Counter({address(2): 1, address(10): 1}))
    report, _ = send(ws, faults)
    assert set(report.sent) == everyone() and not report.failed
    assert set(report.possible_duplicates) <= {address(2), address(10)}
    assert {r.status for r in ledger_rows(ws).values()} == {"sent"}
    assert arrivals(faults) == once()
