"""Build an issue and deliver it through a real SMTP server on 127.0.0.1, via the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from digest.message import verify_token
from tests.conftest import copy_example_config
from tests.helpers.smtp import smtp_server

SECRET = "test-secret-0123456789abcdef"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    copy_example_config(tmp_path / "config")
    return tmp_path


def digest(workspace: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    return subprocess.run(
        [sys.executable, "-m", "digest.cli", "--config-dir", "config", "--state-dir", "state", "--archive-dir", "archive", *args],
        cwd=workspace, env={**base, **(env or {})}, capture_output=True, text=True, timeout=120,
    )


def test_run_delivers_both_parts_with_headers_and_links(workspace):
    with smtp_server() as (controller, sink):
        env = {"DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(controller.port), "DIGEST_SMTP_SECURITY": "plain", "DIGEST_SECRET": SECRET}
        result = digest(workspace, "run", "example", env=env)
        assert result.returncode == 0, result.stderr
        assert "sent 3, failed 0, skipped 0" in result.stdout
        assert sorted(r.rcpt_tos[0] for r in sink.received) == ["ada@example.com", "grace@example.net", "linus@example.org"]

        # A second send of the same issue delivers nothing twice.
        again = digest(workspace, "send", "example", env=env)
        assert again.returncode == 0 and "sent 0, failed 0, skipped 3" in again.stdout
        assert len(sink.received) == 3

    for received in sink.received:
        assert received.mail_from == "digest@garden.example.org"
        raw = received.data
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998
        msg = received.message
        to = received.rcpt_tos[0]
        assert msg.get_content_type() == "multipart/alternative"
        text_part, html_part = msg.get_payload()
        assert text_part.get_content_type() == "text/plain" and html_part.get_content_type() == "text/html"
        assert msg["From"] == "Garden Forum Digest <digest@garden.example.org>"
        assert to in msg["To"] and msg["Reply-To"] == "editor@garden.example.org"
        assert msg["Subject"] == "Garden Forum Digest #1: How do you keep tomatoes from splitting?"
        assert msg["Date"] and re.fullmatch(r"<example\.1\.[0-9a-f]{20}@garden\.example\.org>", msg["Message-ID"])
        assert msg["List-Id"] == "Garden Forum Digest <garden.example.org>"
        assert msg["Content-Language"] == "en"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = re.fullmatch(r"<(https://garden\.example\.org/unsubscribe\?d=example&t=(\S+))>", msg["List-Unsubscribe"])
        assert link and verify_token(SECRET.encode(), "example", link.group(2)) == to
        text, html = text_part.get_content(), html_part.get_content()
        for body in (text, html):
            assert "https://forum.example.org/t/tomatoes-splitting/4120/5" in body  # the exact reply
            assert "9 more replies at the source" in body  # and the full discussion
            assert to in body and "%%" not in body
        assert link.group(1).replace("&", "&amp;") in html and link.group(1) in text
        assert re.search(r'<h1 style="[^"]*font-size:26px', html), "CSS is inlined"
        assert "@media only screen and (max-width: 620px)" in html and "!important" in html
        assert all(len(line) <= 72 or "://" in line for line in text.splitlines())


def test_manual_send_waits_for_a_run_in_progress(workspace):
    """A manual send while the scheduler (or another send) holds the digest refuses, sending
    nothing; once the lock is free it goes out."""
    from digest.scheduled_run import digest_lock

    assert digest(workspace, "build", "example").returncode == 0
    with smtp_server() as (controller, sink):
        env = {"DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(controller.port), "DIGEST_SMTP_SECURITY": "plain", "DIGEST_SECRET": SECRET}
        with digest_lock(workspace / "state", "example") as locked:
            assert locked
            for command in ("send", "run"):
                refused = digest(workspace, command, "example", env=env)
                assert refused.returncode == 1 and "another run of example is in progress" in refused.stderr, refused.stderr
        assert sink.received == []
        assert [p.name for p in (workspace / "state" / "issues" / "example").iterdir()] == ["0001"]  # `run` built nothing
        sent = digest(workspace, "send", "example", env=env)
        assert sent.returncode == 0 and "sent 3" in sent.stdout, sent.stderr
        assert len(sink.received) == 3


def test_send_without_smtp_settings_fails_naming_them(workspace):
    built = digest(workspace, "build", "example")
    assert built.returncode == 0, built.stderr
    result = digest(workspace, "send", "example", env={"DIGEST_SECRET": SECRET})
    assert result.returncode == 1
    assert "SMTP is not configured: DIGEST_SMTP_HOST, DIGEST_SMTP_SECURITY not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_outbox_only_when_asked_and_archive_is_recipient_neutral(workspace):
    result = digest(workspace, "run", "example", "--outbox", "outbox", env={"DIGEST_SECRET": SECRET})
    assert result.returncode == 0, result.stderr
    assert len(list((workspace / "outbox").glob("*.eml"))) == 3
    archived = workspace / "archive" / "example" / "0001"
    assert sorted(p.name for p in archived.iterdir()) == ["digest.txt", "index.html", "manifest.json", "message.eml"]
    for path in archived.iterdir():
        content = path.read_text(encoding="utf-8")
        for address in ("ada@example.com", "grace@example.net", "linus@example.org"):
            assert address not in content
        assert "&t=" not in content and "t=" not in re.sub(r"https://garden\.example\.org/unsubscribe\b", "", content).split("List-Unsubscribe")[-1][:40]
        assert SECRET not in content
    manifest = (archived / "manifest.json").read_text()
    assert '"manifest_version": 1' in manifest and '"picked_by": "editor"' in manifest and '"reply_id": "post-412005"' in manifest
    assert (workspace / "archive" / "example" / "index.html").read_text().count("<li>") == 1
