"""The unsubscribe web app over real HTTP on 127.0.0.1, then a real send that honours it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from digest.config import load_digest
from digest.message import unsubscribe_token, unsubscribe_url
from digest.subscribers import SubscriberStore, recipients, store_path
from digest.web import Sites, UnsubscribeApp, make
from tests.conftest import copy_example_config
from tests.helpers.smtp import free_port, smtp_server

SECRET = "test-secret-0123456789abcdef"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
ONE_CLICK = b"List-Unsubscribe=One-Click"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    toml = copy_example_config(tmp_path / "config") / "example.toml"
    toml.write_text(toml.read_text().replace('title = "Garden Forum Digest"', 'title = "Garden <Forum> & Digest"'))
    return tmp_path


@contextmanager
def serving(workspace: Path, clock=lambda: NOW):
    logs: list[str] = []
    app = UnsubscribeApp(Sites(workspace / "config", logs.append), workspace / "state", SECRET.encode(), clock=clock, log=logs.append)
    server = make(app, "127.0.0.1", 0, logs.append)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", logs
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def http(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def local(base: str, link: str) -> str:
    """The link from the mail, sent to the app instead of the public HTTPS proxy."""
    parts = urlsplit(link)
    return f"{base}{parts.path}?{parts.query}"


def link_for(workspace: Path, email: str) -> str:
    return unsubscribe_url(load_digest(workspace / "config" / "example.toml"), SECRET.encode(), email)


def status_of(workspace: Path, email: str):
    with SubscriberStore(store_path(workspace / "state")) as store:
        return store.get("example", email)


def test_one_click_post_unsubscribes_without_confirmation_and_is_idempotent(workspace):
    with serving(workspace) as (base, logs):
        url = local(base, link_for(workspace, "ada@example.com"))
        for _ in range(2):
            status, headers, body = http(url, ONE_CLICK, FORM)
            assert status == 200 and "Unsubscribed" in body
        assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        # multipart/form-data is allowed by RFC 8058 too
        boundary = "b0undary"
        multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--{boundary}--\r\n").encode()
        status, _, _ = http(local(base, link_for(workspace, "linus@example.org")), multipart, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert status == 200
    ada = status_of(workspace, "ada@example.com")
    assert (ada.status, ada.changed_how, ada.changed_at) == ("unsubscribed", "one-click unsubscribe (RFC 8058)", NOW)
    assert status_of(workspace, "linus@example.org").status == "unsubscribed"
    with SubscriberStore(store_path(workspace / "state")) as store:
        assert store.db.execute("SELECT count(*) FROM changes WHERE email='ada@example.com'").fetchone()[0] == 1
    assert logs.count("POST /unsubscribe 200") == 3


def test_get_shows_a_confirmation_page_and_its_button_unsubscribes(workspace):
    with serving(workspace) as (base, logs):
        url = local(base, link_for(workspace, "grace@example.net"))
        status, headers, page = http(url)
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert status_of(workspace, "grace@example.net") is None  # a GET changes nothing
        assert "<h1>Unsubscribe from Garden &lt;Forum&gt; &amp; Digest?</h1>" in page and "<Forum>" not in page
        forms = re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', page)
        assert [re.findall(r'name="(\w+)" value="(\w+)"', inner) for _, inner in forms] == [
            [("action", "unsubscribe")],
            [("action", "pause"), ("months", "1")],
            [("action", "pause"), ("months", "3")],
        ]
        action = forms[0][0].replace("&amp;", "&")
        assert action == "?" + urlsplit(url).query
        status, _, done = http(url, b"action=unsubscribe", FORM)
        assert status == 200 and "grace@example.net gets no more issues of Garden &lt;Forum&gt; &amp; Digest" in done
        again, _, page = http(url)
        assert again == 200 and "is unsubscribed" in page and "<form" not in page
    grace = status_of(workspace, "grace@example.net")
    assert (grace.status, grace.changed_how) == ("unsubscribed", "unsubscribe page")


def test_a_digest_defined_while_serving_gets_working_links(workspace):
    """`digest web` reads config/ again when a definition changes: no restart for a new digest."""
    config = workspace / "config"
    with serving(workspace) as (base, logs):
        token = unsubscribe_token(SECRET.encode(), "seeds", "ada@example.com")
        url = f"{base}/unsubscribe?d=seeds&t={token}"
        status, _, page = http(url)
        assert status == 404 and "There is no such digest here" in page
        text = (config / "example.toml").read_text().replace('title = "Garden <Forum> & Digest"', 'title = "Seed Swap"')
        (config / "seeds.toml").write_text(text)
        status, _, page = http(url)
        assert status == 200 and "<h1>Unsubscribe from Seed Swap?</h1>" in page
        (config / "seeds.toml").write_text(text.replace('title = "Seed Swap"', 'title = "Seed Swap Weekly"'))
        status, _, page = http(url)
        assert status == 200 and "<h1>Unsubscribe from Seed Swap Weekly?</h1>" in page


def test_the_page_offers_a_pause_that_the_next_sends_honour(workspace):
    config = load_digest(workspace / "config" / "example.toml")
    recipients(workspace / "state", config, NOW)  # the seed list is in the store
    with serving(workspace) as (base, _):
        status, _, page = http(local(base, link_for(workspace, "linus@example.org")), b"action=pause&months=3", FORM)
        assert status == 200 and "until January 31, 2027" in page
        status, _, _ = http(local(base, link_for(workspace, "linus@example.org")), b"action=pause&months=2", FORM)
        assert status == 400  # only the offered choices
        assert "<p>Paused until January 31, 2027.</p>" in http(local(base, link_for(workspace, "linus@example.org")))[2]
    linus = status_of(workspace, "linus@example.org")
    assert (linus.status, linus.paused_until, linus.changed_how) == ("active", NOW + timedelta(days=90), "paused for 3 months (unsubscribe page)")
    assert "linus@example.org" not in [s.email for s in recipients(workspace / "state", config, NOW + timedelta(days=89)).subscribers]
    assert "linus@example.org" in [s.email for s in recipients(workspace / "state", config, NOW + timedelta(days=90)).subscribers]


def test_forged_or_broken_links_are_refused_and_change_nothing(workspace):
    good = link_for(workspace, "ada@example.com")
    token = good.split("t=")[1]
    address, signature = token.split(".")
    grace_token = unsubscribe_token(SECRET.encode(), "example", "grace@example.net")
    with serving(workspace) as (base, logs):
        forged = [
            f"{base}/unsubscribe?d=example&t={grace_token.split('.')[0]}.{signature}",
            f"{base}/unsubscribe?d=example&t={address}.{signature[:-1]}{'B' if signature[-1] == 'A' else 'A'}",
            f"{base}/unsubscribe?d=example&t={unsubscribe_token(b'some-other-secret-0123', 'example', 'ada@example.com')}",
            f"{base}/unsubscribe?d=example&t=%C3%A9.%C3%A9",
        ]
        for url in forged:
            for data in (None, ONE_CLICK):
                status, _, body = http(url, data, FORM if data else {})
                assert status == 403 and "not valid" in body, url
        assert http(f"{base}/unsubscribe?d=nosuch&t={token}", ONE_CLICK, FORM)[0] == 404
        assert http(f"{base}/elsewhere?d=example&t={token}", ONE_CLICK, FORM)[0] == 404
        assert http(f"{base}/unsubscribe?d=example", ONE_CLICK, FORM)[0] == 400
        assert http(local(base, good), b"List-Unsubscribe=Something-Else", FORM)[0] == 400
        assert http(local(base, good), b"x" * 9000, FORM)[0] == 413
        status, headers, _ = http(local(base, good), b"", method="PUT")
        assert status == 405 and headers["Allow"] == "GET, POST"
    assert not store_path(workspace / "state").exists() or status_of(workspace, "ada@example.com") is None
    assert status_of(workspace, "grace@example.net") is None
    joined = "\n".join(logs)
    assert "@" not in joined and signature not in joined and address not in joined and "d=" not in joined


def test_a_real_send_skips_whoever_unsubscribed(workspace):
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}

    def digest(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "digest.cli", "--config-dir", "config", "--state-dir", "state", "--archive-dir", "archive", *args],
            cwd=workspace, env={**base_env, **env}, capture_output=True, text=True, timeout=120,
        )

    with smtp_server() as (controller, sink):
        env = {"DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(controller.port), "DIGEST_SMTP_SECURITY": "plain", "DIGEST_SECRET": SECRET}
        first = digest("run", "example", env=env)
        assert first.returncode == 0, first.stderr
        issue_1 = {r.rcpt_tos[0]: r.message for r in sink.received}
        assert sorted(issue_1) == ["ada@example.com", "grace@example.net", "linus@example.org"]
        for message in issue_1.values():
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert re.fullmatch(r"<https://[^>]+>", message["List-Unsubscribe"])  # HTTPS only: no mailto
            link = message["List-Unsubscribe"].strip("<>")
            assert link in message.get_body(("plain",)).get_content()  # visible in both parts
            assert f'href="{link.replace("&", "&amp;")}"' in message.get_body(("html",)).get_content()

        with serving(workspace, clock=lambda: datetime.now(timezone.utc)) as (base, logs):
            # Ada's mailbox provider uses the header; Grace follows the visible link in the text part.
            header_link = issue_1["ada@example.com"]["List-Unsubscribe"].strip("<>")
            assert http(local(base, header_link), ONE_CLICK, FORM)[0] == 200
            text = issue_1["grace@example.net"].get_body(("plain",)).get_content()
            visible = re.search(r"https://garden\.example\.org/unsubscribe\?\S+", text).group(0)
            assert http(local(base, visible))[0] == 200
            assert http(local(base, visible), b"action=unsubscribe", FORM)[0] == 200

        sink.received.clear()
        assert digest("subscribers", "add", "example", "plain@example.com", "--format", "text", env=env).returncode == 0
        assert digest("build", "example", env=env).returncode == 0
        second = digest("send", "example", env=env)
        assert second.returncode == 0, second.stderr
        issue_2 = {r.rcpt_tos[0]: r.message for r in sink.received}
        assert sorted(issue_2) == ["linus@example.org", "plain@example.com"]
        assert issue_2["plain@example.com"].get_content_type() == "text/plain"  # the format it asked for
        assert issue_2["plain@example.com"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "ada@example.com" in (workspace / "config" / "example.subscribers.csv").read_text()  # still in the seed list
    joined = "\n".join(logs)
    assert "@" not in joined and "t=" not in joined


def test_digest_web_command_serves_on_localhost(workspace):
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}, "DIGEST_SECRET": SECRET}
    process = subprocess.Popen(
        [sys.executable, "-m", "digest.cli", "--config-dir", "config", "--state-dir", "state", "web", "--port", str(port)],
        cwd=workspace, env=env, stderr=subprocess.PIPE, text=True,
    )
    lines: list[str] = []
    try:
        banner = process.stderr.readline()  # printed once the socket is listening
        assert banner.startswith(f"serving unsubscribe pages for 1 digest(s) at http://127.0.0.1:{port}") and "/unsubscribe" in banner
        status, _, _ = http(local(f"http://127.0.0.1:{port}", link_for(workspace, "ada@example.com")), ONE_CLICK, FORM)
        assert status == 200
        for line in iter(process.stderr.readline, ""):  # the request line is logged once the response is done
            lines.append(line)
            if line.startswith("POST "):
                break
    finally:
        process.terminate()
        process.wait(timeout=30)
        lines.append(process.stderr.read())
        process.stderr.close()
    log = "".join(lines)
    assert "POST /unsubscribe 200" in log and "@" not in log and "t=" not in log
    assert status_of(workspace, "ada@example.com").status == "unsubscribed"


def test_digest_web_needs_the_secret(workspace):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    result = subprocess.run([sys.executable, "-m", "digest.cli", "web"], cwd=workspace, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "DIGEST_SECRET is not set" in result.stderr


def test_the_confirmation_button_works_in_a_real_browser(workspace):
    from tests.helpers.browser import chromium

    recipients(workspace / "state", load_digest(workspace / "config" / "example.toml"), NOW)
    with chromium() as browser, serving(workspace) as (base, _):
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        response = page.goto(local(base, link_for(workspace, "ada@example.com")))
        assert response.status == 200 and page.title() == "Unsubscribe from Garden <Forum> & Digest?"
        page.get_by_role("button", name="Pause for a month").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Paused"
        page.go_back()
        page.get_by_role("button", name="Unsubscribe").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Unsubscribed"
        assert not errors  # e.g. no form submission blocked by the page's Content-Security-Policy
    history = SubscriberStore(store_path(workspace / "state"))
    try:
        rows = history.db.execute("SELECT status, how FROM changes WHERE email='ada@example.com' ORDER BY rowid").fetchall()
    finally:
        history.close()
    assert rows == [("active", "seed list example.subscribers.csv"), ("active", "paused for a month (unsubscribe page)"), ("unsubscribed", "unsubscribe page")]


def test_the_pages_speak_the_digest_language(workspace):
    toml = workspace / "config" / "example.toml"
    toml.write_text(toml.read_text().replace('language = "en"', 'language = "de"'))
    recipients(workspace / "state", load_digest(toml), NOW)  # the seed list is in the store
    with serving(workspace) as (base, _):
        url = local(base, link_for(workspace, "linus@example.org"))
        status, _, page = http(url)
        assert status == 200 and '<html lang="de" dir="ltr">' in page
        assert "<h1>Garden &lt;Forum&gt; &amp; Digest abbestellen?</h1>" in page
        assert "<p>linus@example.org erhält keine Ausgaben von Garden &lt;Forum&gt; &amp; Digest mehr.</p>" in page
        assert ">Für einen Monat pausieren</button>" in page and ">Für 3 Monate pausieren</button>" in page
        status, _, page = http(url, b"action=pause&months=3", FORM)
        assert status == 200 and "<h1>Pausiert</h1>" in page and "bis 31. Januar 2027 keine Ausgaben" in page
        assert "<p>Pausiert bis 31. Januar 2027.</p>" in http(url)[2]
        status, _, page = http(url, b"action=dance", FORM)
        assert status == 400 and "<h1>Unbekannte Anfrage</h1>" in page
        too_many_fields = "&".join(f"f{i}=1" for i in range(12)).encode()
        status, _, page = http(url, too_many_fields, FORM)
        assert status == 400 and '<html lang="de" dir="ltr">' in page and "<h1>Unbekannte Anfrage</h1>" in page
        assert status_of(workspace, "linus@example.org").status == "active"
