"""The public archive: issue pages, an index newest first and an Atom feed, all valid; the
"view in browser" link; rebuilding from the stored issues; redacting a reply; and never a
subscriber's address or a working unsubscribe token anywhere in it."""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import feedparser
import html5lib
import pytest

from digest.archive import featured_before, read_manifests
from digest.commands.archive import redact
from digest.message import verify_token
from digest.scheduled_run import run_digest
from tests.helpers.browser import vnu_errors
from tests.test_schedule_runs import SECRET, context, make_workspace, messages

BASE = "https://garden.example.org/digest"
ADDRESSES = ("ada@example.com", "grace@example.net", "linus@example.org")
REDACTED_REPLY = "post-412014"
REDACTED_TEXT = "Pick at the breaker stage"


@pytest.fixture
def two_issues(tmp_path):
    """The example digest, published at BASE, after two sent and archived issues."""
    ws = make_workspace(tmp_path, {"min_new": 0, "archive_url": BASE})
    for number in (1, 2):
        result = run_digest(context(ws), "example")
        assert (result.status, result.issue) == ("sent", number), result
    return ws


def cli(ws, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")} | {"DIGEST_SECRET": SECRET}
    return subprocess.run(
        [sys.executable, "-m", "digest.cli", "--config-dir", str(ws.config_dir), "--state-dir", str(ws.state_dir), "--archive-dir", str(ws.archive_dir), *args],
        env=env, capture_output=True, text=True, timeout=120,
    )


def strict_html(path: Path) -> None:
    """Parse as HTML5 with every parse error an exception (vnu checks more, where installed)."""
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(path.read_bytes())


def test_index_lists_issues_newest_first_and_every_page_is_valid_html(two_issues):
    folder = two_issues.archive_dir / "example"
    pages = [folder / "index.html", folder / "0001" / "index.html", folder / "0002" / "index.html"]
    for page in pages:
        strict_html(page)
    index = pages[0].read_text()
    assert re.findall(r'<a href="(\d{4})/index.html">', index) == ["0002", "0001"]
    subjects = [m["subject"] for m in sorted(read_manifests(folder), key=lambda m: -m["issue"])]
    assert all(subject in index for subject in subjects)
    assert '<link rel="alternate" type="application/atom+xml"' in index and 'href="feed.xml"' in index


def test_archive_pages_pass_the_nu_html_checker_also_after_a_redaction(two_issues):
    folder = two_issues.archive_dir / "example"
    redact(two_issues, "example", 1, REDACTED_REPLY, datetime.now(timezone.utc))
    assert vnu_errors([folder / "index.html", folder / "0001" / "index.html", folder / "0002" / "index.html"]) == []


def test_the_feed_parses_with_one_entry_per_issue_newest_first(two_issues):
    folder = two_issues.archive_dir / "example"
    feed = feedparser.parse((folder / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and feed.feed.title == "Garden Forum Digest"
    assert feed.feed.id == f"{BASE}/example/"
    subjects = {m["issue"]: m["subject"] for m in read_manifests(folder)}
    assert [e.title for e in feed.entries] == [subjects[2], subjects[1]]
    assert [e.link for e in feed.entries] == [f"{BASE}/example/0002/", f"{BASE}/example/0001/"]
    assert len({e.id for e in feed.entries}) == 2
    assert REDACTED_TEXT in feed.entries[1].content[0].value  # the issue's replies are in the entry


def test_each_email_links_to_its_archive_page_only_when_a_base_url_is_set(two_issues, tmp_path):
    copies = [m for m in messages(two_issues) if "#1" in str(m["Subject"])]
    assert len(copies) == 3
    for message in copies:
        text, html = (part.get_content() for part in message.get_payload())
        assert f"View in your browser: {BASE}/example/0001/" in text
        assert f'href="{BASE}/example/0001/"' in html and "View in browser" in html

    plain = make_workspace(tmp_path / "unpublished", {})
    assert run_digest(context(plain), "example").status == "sent"
    for message in messages(plain):
        assert "View in" not in message.as_string()


def test_archive_command_rebuilds_pages_index_and_feed_from_the_stored_issues(two_issues):
    folder = two_issues.archive_dir / "example"
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    for path in sorted(folder.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    result = cli(two_issues, "archive", "example")
    assert result.returncode == 0, result.stderr
    assert "2 issue(s) written" in result.stdout
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before


def test_redact_removes_a_reply_from_page_and_feed_and_rebuilds_keep_it_out(two_issues):
    folder = two_issues.archive_dir / "example"
    assert REDACTED_TEXT in (folder / "0001" / "index.html").read_text()
    result = cli(two_issues, "archive", "redact", "example", "1", REDACTED_REPLY)
    assert result.returncode == 0, result.stderr
    assert_redacted(folder)
    rebuilt = cli(two_issues, "archive", "example")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert_redacted(folder)

    wrong = cli(two_issues, "archive", "redact", "example", "1", "post-999999")
    assert wrong.returncode == 1 and "issue 1 did not feature reply 'post-999999'" in wrong.stderr and "Traceback" not in wrong.stderr


def assert_redacted(folder: Path) -> None:
    page = (folder / "0001" / "index.html").read_text()
    assert REDACTED_TEXT not in page and f'id="reply-{REDACTED_REPLY}"' not in page
    assert "This reply has been removed from the archive." in page
    strict_html(folder / "0001" / "index.html")
    feed = feedparser.parse((folder / "feed.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == 2
    assert all(REDACTED_TEXT not in e.content[0].value for e in feed.entries)
    assert not (folder / "0001" / "digest.txt").exists() and not (folder / "0001" / "message.eml").exists()
    manifest = next(m for m in read_manifests(folder) if m["issue"] == 1)
    assert [f.get("redacted") for f in manifest["featured"] if f["reply_id"] == REDACTED_REPLY] == [True]
    assert (folder / "0002" / "message.eml").exists()  # other issues untouched


def test_featured_before_names_every_reply_earlier_issues_featured(two_issues):
    folder = two_issues.archive_dir
    first = {(m_thread, reply) for m_thread, reply in featured_before(folder, "example", before=2)}
    everything = featured_before(folder, "example")
    manifests = {m["issue"]: m for m in read_manifests(folder / "example")}
    assert first == {(f["thread"], f["reply_id"]) for f in manifests[1]["featured"]}
    assert everything == first | {(f["thread"], f["reply_id"]) for f in manifests[2]["featured"]}
    assert featured_before(folder, "example", before=1) == set() and featured_before(folder, "nothing") == set()


def test_the_archive_never_holds_an_address_or_a_working_token(two_issues):
    assert cli(two_issues, "archive", "redact", "example", "2", "post-412003").returncode == 0
    files = [p for p in two_issues.archive_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        raw = path.read_bytes()
        texts = [raw.decode("utf-8")]
        if path.suffix == ".eml":  # quoted-printable hides text from a byte search: decode the parts
            texts += [part.get_content() for part in email.message_from_bytes(raw, policy=email.policy.default).walk() if not part.is_multipart()]
        for text in texts:
            for address in ADDRESSES:
                assert address not in text, f"{path} holds {address}"
            assert SECRET not in text
            for url in re.findall(r"https://garden\.example\.org/unsubscribe[^\s\"'<>]*", text):
                for token in parse_qs(urlparse(url.replace("&amp;", "&")).query).get("t", []):
                    assert verify_token(SECRET.encode(), "example", token) is None, f"{path} holds a working token"
