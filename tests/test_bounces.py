"""Bounce reports as mail servers write them, read from mbox, Maildir, a file and stdin by
`digest subscribers bounces`, against a real subscriber store."""

from __future__ import annotations

import email
import mailbox
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from digest.bounces import DELAYED, PERMANENT, SOFT, Bounce, read_report, refused_at_send
from digest.subscribers import Subscriber, SubscriberStore, apply_bounces, store_path
from tests.conftest import ROOT

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def postfix_dsn(recipient: str, status: str, diagnostic: str, *, action: str = "failed", day: int = 20, msgid: str = "3F8A61C0B2") -> bytes:
    """A delivery status notification as Postfix's bounce daemon writes it (RFC 3464)."""
    boundary = f"{msgid}.1763633700/mail.example.net"
    return f"""\
Return-Path: <>
From: MAILER-DAEMON@mail.example.net (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: digest@news.example.org
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{boundary}"
Message-Id: <202611{day}.{msgid}@mail.example.net>
Date: {day} Nov 2026 10:15:00 +0000 (UTC)

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: host mx.example.com[192.0.2.1] said: {diagnostic}

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
X-Postfix-Queue-ID: {msgid}
X-Postfix-Sender: rfc822; digest@news.example.org
Arrival-Date: {day} Nov 2026 10:14:58 +0000 (UTC)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.example.com
Diagnostic-Code: smtp; {diagnostic}

--{boundary}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <digest@news.example.org>
From: Garden digest <digest@news.example.org>
Subject: Tomatoes, issue 3

--{boundary}--
""".replace("\n", "\r\n").encode()


QMAIL = b"""\
From: MAILER-DAEMON@mx.example.org
To: digest@news.example.org
Subject: failure notice
Date: 21 Nov 2026 08:00:01 -0000
Message-ID: <qmail-1@mx.example.org>

Hi. This is the qmail-send program at mx.example.org.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<linus@example.org>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Subject: Tomatoes, issue 3
"""

EXIM = b"""\
Return-path: <>
X-Failed-Recipients: grace@example.net
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mx.example.net>
To: digest@news.example.org
Subject: Mail delivery failed: returning message to sender
Date: Sat, 21 Nov 2026 09:30:00 +0000

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  grace@example.net
    SMTP error from remote mail server after RCPT TO:<grace@example.net>:
    550 5.1.1 <grace@example.net>: Recipient address rejected: User unknown
"""

OUT_OF_OFFICE = b"""\
From: Ada <ada@example.com>
To: digest@news.example.org
Subject: Automatic reply: Tomatoes, issue 3
Auto-Submitted: auto-replied
Message-ID: <ooo-1@example.com>
Date: Sat, 21 Nov 2026 09:31:00 +0000

I am away until 30 November and will read your message when I am back.
"""

UNKNOWN_USER = "550 5.1.1 <ada@example.com>: Recipient address rejected: User unknown in virtual mailbox table"
MAILBOX_FULL = "552 5.2.2 <ada@example.com>: Mailbox full"


def parse(data: bytes) -> tuple[Bounce, ...]:
    msg = email.message_from_bytes(data)
    return read_report(msg, msg.get("Message-ID", "ref"), NOW)


def test_a_dsn_names_the_address_its_status_and_the_servers_words():
    (bounce,) = parse(postfix_dsn("Ada@Example.com", "5.1.1", UNKNOWN_USER))
    assert bounce == Bounce("ada@example.com", PERMANENT, "5.1.1 " + UNKNOWN_USER, "<20261120.3F8A61C0B2@mail.example.net>", date(2026, 11, 20))


@pytest.mark.parametrize("status, action, kind", [
    ("5.1.1", "failed", PERMANENT),  # no such user
    ("5.1.2", "failed", PERMANENT),  # no such domain
    ("5.2.1", "failed", PERMANENT),  # mailbox disabled
    ("5.2.2", "failed", SOFT),  # mailbox full: the owner may empty it
    ("5.7.1", "failed", SOFT),  # refused as spam or by policy: blames the message, not the address
    ("4.4.7", "failed", SOFT),  # gave up after days of trying
    ("4.4.1", "delayed", DELAYED),  # still trying: no failure yet
])
def test_what_a_status_says_about_the_address(status, action, kind):
    assert [b.kind for b in parse(postfix_dsn("ada@example.com", status, f"{status} words", action=action))] == [kind]


def test_older_report_formats_and_a_message_that_is_no_bounce():
    assert [(b.email, b.kind, b.day) for b in parse(QMAIL)] == [("linus@example.org", PERMANENT, date(2026, 11, 21))]
    assert [(b.email, b.kind) for b in parse(EXIM)] == [("grace@example.net", PERMANENT)]
    assert parse(OUT_OF_OFFICE) == ()


def test_a_refusal_during_a_send_is_classified_by_its_enhanced_status():
    day = NOW.date()
    assert refused_at_send("a@x.org", 550, "5.1.1 no such mailbox", "r", day).kind == PERMANENT
    assert refused_at_send("a@x.org", 554, "5.7.1 rejected as spam", "r", day).kind == SOFT
    assert refused_at_send("a@x.org", 550, "No such user here", "r", day).kind == PERMANENT
    assert refused_at_send("a@x.org", 550, "Service unavailable", "r", day).kind == SOFT
    assert refused_at_send("a@x.org", 451, "4.3.0 try again", "r", day) is None


def test_soft_bounces_on_three_days_suspend_and_a_report_read_twice_counts_once(tmp_path):
    with SubscriberStore(store_path(tmp_path)) as store:
        store.subscribe("garden", Subscriber("ada@example.com"), NOW, "cli")
        store.subscribe("news", Subscriber("ada@example.com"), NOW, "cli")
        full = [parse(postfix_dsn("ada@example.com", "5.2.2", MAILBOX_FULL, day=d, msgid=f"Q{d}"))[0] for d in (10, 10, 17)]
        full[1] = Bounce(full[1].email, SOFT, full[1].detail, "another report", full[1].day)
        outcomes = apply_bounces(store, [*full, full[2]], NOW)
        assert [(o.new, o.soft_days, o.suspended) for o in outcomes] == [(True, 1, ()), (True, 1, ()), (True, 2, ()), (False, 2, ())]
        (third,) = apply_bounces(store, parse(postfix_dsn("ada@example.com", "5.2.2", MAILBOX_FULL, day=24, msgid="Q24")), NOW)
        assert third.soft_days == 3 and third.suspended == ("garden", "news")
        assert store.get("news", "ada@example.com").changed_how == f"bounced (soft: 5.2.2 {MAILBOX_FULL}; <20261124.Q24@mail.example.net>)"


def test_soft_bounces_older_than_the_window_do_not_count(tmp_path):
    with SubscriberStore(store_path(tmp_path)) as store:
        store.subscribe("garden", Subscriber("ada@example.com"), NOW, "cli")
        old = [Bounce("ada@example.com", SOFT, "5.2.2", f"r{m}", date(2026, m, 1)) for m in (8, 9)]
        (last,) = apply_bounces(store, old + [Bounce("ada@example.com", SOFT, "5.2.2", "r11", date(2026, 11, 20))], NOW)[2:]
        assert last.soft_days == 1 and last.suspended == ()


# The essential lines of real reports (the sisimai and PHP-Bounce-Handler test corpora).
EXIM_POLICY = b"""\
X-Failed-Recipients: kijitora@exmaple.ch
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mx1.example.net>
Subject: Mail delivery failed: returning message to sender
Date: Thu, 20 Apr 2017 11:40:11 +0200

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  kijitora@exmaple.ch
    SMTP error from remote mail server after RCPT TO:<kijitora@exmaple.ch>:
    host mx1.example.eu [192.0.2.32]: 554 5.7.1 <kijitora@exmaple.ch>:
    Recipient address rejected: Access denied

------ This is a copy of the message, including all the headers. ------
"""

GMAIL_TEXT = b"""\
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
X-Failed-Recipients: aougoueioaldljgoiuiorghladkgke@example.fr
Subject: Delivery Status Notification (Failure)
Date: Sun, 03 Oct 2010 23:06:55 +0000
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Delivery to the following recipient failed permanently:

     aougoueioaldljgoiuiorghladkgke@example.fr

Technical details of permanent failure:=20
Google tried to deliver your message, but it was rejected by the recipient =
domain. The error that the other server returned was: 550 550 5.1.1 user unknown (UserSearch) (state 14).
"""

DOMINO = b"""\
From: Postmaster@example.jp
Subject: DELIVERY FAILURE: User Kijitoranyan (kijitora@example.jp) not listed in
 Domino Directory
Date: Tue, 29 Apr 2010 10:54:01 -0700
Content-Type: Text/Plain

Your message

  Subject: Test Bounce

was not delivered to:

  kijitora@example.jp

because:

  User some.name (kijitora@example.jp) not listed in Domino Directory
"""


def test_older_formats_take_the_servers_words_and_their_verdict_from_the_text():
    assert [(b.email, b.kind, b.detail) for b in parse(EXIM_POLICY)] == [("kijitora@exmaple.ch", SOFT, (
        "SMTP error from remote mail server after RCPT TO:<kijitora@exmaple.ch>: host mx1.example.eu [192.0.2.32]:"
        " 554 5.7.1 <kijitora@exmaple.ch>: Recipient address rejected: Access denied"))]
    ((address, kind, detail),) = [(b.email, b.kind, b.detail) for b in parse(GMAIL_TEXT)]
    assert (address, kind) == ("aougoueioaldljgoiuiorghladkgke@example.fr", PERMANENT) and detail.endswith("550 550 5.1.1 user unknown (UserSearch) (state 14).")
    assert [(b.email, b.kind, b.detail) for b in parse(DOMINO)] == [
        ("kijitora@example.jp", PERMANENT, "User some.name (kijitora@example.jp) not listed in Domino Directory")]
    qmail = QMAIL.replace(b"Sorry, no mailbox here by that name. (#5.1.1)", b"remote host 192.0.2.32 said: 550 Unknown user linus@example.org\n. (#5.5.0)")
    assert [(b.kind, b.detail) for b in parse(qmail)] == [(PERMANENT, "remote host 192.0.2.32 said: 550 Unknown user linus@example.org . (#5.5.0)")]


@pytest.mark.parametrize("status, diagnostic, kind", [
    ("5.0.0", "550 5.1.1 <ada@example.com>... User Unknown", PERMANENT),  # Courier
    ("5.0.0 (permanent failure)", "5.1.0 - Unknown address error 550-'5.2.2 <ada@example.com>... Mailbox Full' (delivery attempts: 0)", SOFT),  # Amazon SES
    ("4.0.0", "DNS Error: 80458680 DNS type 'mx' lookup of example.com responded with code NOERROR The domain example.com doesn't"
              " receive email according to the administrator: returned Null MX https://www.rfc-editor.org/info/rfc7505", PERMANENT),  # Gmail
    ("5.4.1", "550 5.4.1 <ada@example.com>: Recipient address rejected: Access denied [BL2NAM02FT061.eop-nam02.prod.protection.outlook.com]", PERMANENT),  # Microsoft 365
    ("5.4.1", "550 5.4.1 No answer from host", SOFT),
])
def test_a_generic_status_gives_way_to_the_servers_words(status, diagnostic, kind):
    assert [b.kind for b in parse(postfix_dsn("ada@example.com", status, diagnostic))] == [kind]


def test_a_refusal_at_send_that_names_a_dead_address_in_other_words_suspends_it():
    day = NOW.date()
    assert refused_at_send("a@x.org", 550, "5.4.1 Recipient address rejected: Access denied. AS(201806281)", "r", day).kind == PERMANENT
    assert refused_at_send("a@x.org", 550, "5.0.0 <a@x.org>: User unknown", "r", day).kind == PERMANENT


POSTFIX_WITHOUT_STATUS_PART = b"""\
Date: Fri, 15 Oct 2021 14:42:00 +0200 (CEST)
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="64BD1268DDF4.1634301720/mx.example.net"

--64BD1268DDF4.1634301720/mx.example.net
Content-Description: Notification
Content-Type: text/plain; charset=utf-8

This is the mail system at host mx.example.net.

                   The mail system

<Grace@example.net>: host mx.laposte.net said: 554
    5.7.1 <mx.example.net>: Client host rejected:
    #216 lpn LPN000_630 (in reply to RCPT TO command)

--64BD1268DDF4.1634301720/mx.example.net
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Garden digest <digest@news.example.org>

--64BD1268DDF4.1634301720/mx.example.net--
"""


def test_a_postfix_report_without_its_delivery_status_part_is_read_from_its_text():
    assert [(b.email, b.kind, b.detail) for b in parse(POSTFIX_WITHOUT_STATUS_PART)] == [("grace@example.net", SOFT, (
        "host mx.laposte.net said: 554 5.7.1 <mx.example.net>: Client host rejected: #216 lpn LPN000_630 (in reply to RCPT TO command)"))]


@pytest.mark.parametrize("report", [postfix_dsn("ada@example.com", "5.1.2", "550 Host unknown"), EXIM, QMAIL])
def test_a_report_carried_inside_another_message_is_not_a_bounce_of_it(report):
    forwarded = b"""\
From: Ada <ada@example.com>
Subject: original as attachment
Date: Thu, 8 Nov 2018 23:39:34 +0100
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="Apple-Mail=_E2B0"

--Apple-Mail=_E2B0
Content-Type: text/plain; charset=us-ascii

it shouldn't be considered as bounce

--Apple-Mail=_E2B0
Content-Disposition: attachment; filename=original.eml
Content-Type: message/rfc822; name="original.eml"

""" + report.replace(b"\r\n", b"\n") + b"\n--Apple-Mail=_E2B0--\n"
    assert parse(report) != () and parse(forwarded) == ()


def test_a_forwarded_address_is_reported_as_the_address_the_copy_was_sent_to():
    dsn = postfix_dsn("ada@new.example.net", "5.1.1", UNKNOWN_USER).replace(b"Original-Recipient: rfc822;ada@new.example.net", b"Original-Recipient: rfc822;Ada@Example.com")
    assert [b.email for b in parse(dsn)] == ["ada@example.com"]
    untyped = postfix_dsn("ada@example.com", "5.1.1", "x").replace(b"Diagnostic-Code: smtp; x", b"Diagnostic-Code: 550 5.1.1 <ada@example.com>... User Unknown")
    assert [b.detail for b in parse(untyped)] == ["5.1.1 550 5.1.1 <ada@example.com>... User Unknown"]


def test_a_persons_message_that_lists_addresses_is_no_bounce():
    """flufl.bounce's LLNL detector takes any line like ", ada@example.com," for a failure."""
    quoting = b"""\
Subject: Re: How to get a local IPv4 address from within a kernel module?
From: Juan Gomez <juang@us.ibm.com>
Date: Thu, 31 Oct 2002 10:56:53 -0800
Content-type: text/plain; charset=US-ASCII

I think wht you propose below is exactly what I would like to have.

|         |           cc:       Josh Myer <jbm@joshisanerd.com>, jbm@blessed.joshisanerd.com, linux-kernel@vger.kernel.org       |
"""
    assert parse(quoting) == ()
    assert [b.email for b in parse(quoting.replace(b"Juan Gomez <juang@us.ibm.com>", b"Mail Delivery System <MAILER-DAEMON@us.ibm.com>"))] == ["jbm@blessed.joshisanerd.com"]


def test_a_report_with_raw_8bit_headers_or_no_from_is_read_without_an_error(workspace):
    eight_bit = QMAIL.replace(b"From: MAILER-DAEMON@mx.example.org", "From: Système de messagerie <MAILER-DAEMON@mx.example.org>".encode())
    eight_bit = eight_bit.replace(b"Message-ID: <qmail-1@mx.example.org>", "Message-ID: <qmail-é@mx.example.org>".encode())
    assert [(b.email, b.kind) for b in parse(eight_bit)] == [("linus@example.org", PERMANENT)]
    without_from = QMAIL.replace(b"From: MAILER-DAEMON@mx.example.org\n", b"")
    assert [(b.email, b.kind) for b in parse(without_from)] == [("linus@example.org", PERMANENT)]
    run = digest(workspace, "-", stdin=eight_bit)
    assert run.returncode == 0 and "linus@example.org: suspended (bouncing) from example" in run.stdout.decode(), run.stderr.decode()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    with SubscriberStore(store_path(tmp_path / "state")) as store:
        for address in ("ada@example.com", "grace@example.net", "linus@example.org"):
            store.subscribe("example", Subscriber(address), NOW, "cli")
    return tmp_path


def digest(workspace: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    return subprocess.run(
        [sys.executable, "-m", "digest.cli", "--config-dir", "config", "--state-dir", "state", "subscribers", "bounces", *args],
        cwd=workspace, env=base, input=stdin, capture_output=True, timeout=120,
    )


def statuses(workspace: Path) -> dict[str, str]:
    with SubscriberStore(store_path(workspace / "state")) as store:
        return {s.subscriber.email: s.status for s in store.subscriptions("example")}


def test_the_command_reads_an_mbox_a_maildir_and_stdin(workspace):
    box = mailbox.mbox(workspace / "bounces.mbox")
    for data in (postfix_dsn("ada@example.com", "5.1.1", UNKNOWN_USER), OUT_OF_OFFICE, postfix_dsn("nobody@example.com", "5.1.1", "550 5.1.1 unknown", msgid="Z9")):
        box.add(data)
    box.close()
    run = digest(workspace, "bounces.mbox")
    assert run.returncode == 0, run.stderr
    assert run.stdout.decode().splitlines() == [
        f"ada@example.com: suspended (bouncing) from example (permanent: 5.1.1 {UNKNOWN_USER})",
        "nobody@example.com: not a subscriber (permanent: 5.1.1 550 5.1.1 unknown)",
        "3 message(s) read: 2 bounce report(s), 1 other(s) left alone; 1 address(es) suspended",
    ]
    again = digest(workspace, "bounces.mbox")
    assert again.stdout.decode().splitlines()[0] == "ada@example.com: already read (<20261120.3F8A61C0B2@mail.example.net>)"

    maildir = mailbox.Maildir(workspace / "Maildir")
    maildir.add(QMAIL)
    run = digest(workspace, "Maildir")
    assert "linus@example.org: suspended (bouncing) from example (permanent: Sorry, no mailbox here by that name. (#5.1.1))" in run.stdout.decode()
    run = digest(workspace, "-", stdin=EXIM)
    assert ("grace@example.net: suspended (bouncing) from example (permanent: SMTP error from remote mail server after RCPT TO:<grace@example.net>:"
            " 550 5.1.1 <grace@example.net>: Recipient address rejected: User unknown)") in run.stdout.decode()
    assert statuses(workspace) == dict.fromkeys(["ada@example.com", "grace@example.net", "linus@example.org"], "bouncing")


def test_a_source_that_is_no_mailbox_is_named(workspace):
    (workspace / "folder").mkdir()
    for source, message in (("missing.mbox", "no such file or folder"), ("folder", "a folder without cur/ and new/ is not a Maildir")):
        run = digest(workspace, source)
        assert run.returncode != 0 and message in run.stderr.decode() and source in run.stderr.decode()
        assert "Traceback" not in run.stderr.decode()
    run = digest(workspace, "--soft-days", "0", "x")
    assert run.returncode != 0 and "--soft-days must be 1 or more" in run.stderr.decode()
    assert statuses(workspace) == dict.fromkeys(["ada@example.com", "grace@example.net", "linus@example.org"], "active")
