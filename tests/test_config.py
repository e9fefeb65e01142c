"""Config errors: each names the file and the key and says how to fix it."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from digest.config import load_digest, smtp_settings, unsubscribe_secret
from digest.errors import ConfigError, SourceError
from digest.issue import build_issue
from digest.pipeline import import_threads




def _edit(config_dir: Path, old: str, new: str) -> Path:
    path = config_dir / "example.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_digest(path)
    return str(info.value)


def test_example_is_valid(config_dir):
    config = load_digest(config_dir / "example.toml")
    assert config.name == "example" and config.replies == 5 and config.order == "thread"
    assert config.threads[0].featured[0].number == 5 and config.threads[0].featured[0].note.startswith("The best explanation")


def test_unknown_key_suggests_the_right_one(config_dir):
    path = _edit(config_dir, 'title = "Garden', 'titel = "Garden')
    from digest.config import _DIGEST_KEYS

    assert _error(path) == (
        f"{path} [digest].titel: unknown key 'titel'\n"
        f"  fix: did you mean 'title'? known keys: {', '.join(_DIGEST_KEYS)}"
    )


def test_wrong_type_names_key_and_value(config_dir):
    path = _edit(config_dir, "replies = 5", 'replies = "five"')
    assert _error(path) == f"{path} [digest].replies: expected a whole number, found 'five'\n  fix: how many replies to feature in each thread"


def test_bad_order(config_dir):
    path = _edit(config_dir, 'order = "thread"', 'order = "random"')
    assert _error(path) == f"{path} [digest].order: unknown order 'random'\n  fix: one of: thread, editor, score"


def test_missing_subscribers_file(config_dir):
    (config_dir / "example.subscribers.csv").unlink()
    path = config_dir / "example.toml"
    assert _error(path) == (
        f"{path} [digest].subscribers: file not found: {config_dir / 'example.subscribers.csv'}\n"
        f"  fix: create it, or correct the path (relative to {config_dir})"
    )


def test_featured_needs_exactly_one_reference(config_dir):
    path = _edit(config_dir, "number = 5\n", 'number = 5\nid = "post-412005"\n')
    assert _error(path) == (
        f"{path} [[thread]] #1.featured #1: name the reply with exactly one of id, number or permalink (found id, number)\n"
        '  fix: e.g. { id = "h-1c92cc8ab83a", note = "..." } — `digest candidates NAME` lists the ids'
    )


def test_featured_reply_not_in_thread_is_named(config_dir):
    path = _edit(config_dir, "number = 5\n", "number = 99\n")
    config = load_digest(path)
    with pytest.raises(ConfigError) as info:
        build_issue(config, import_threads(config, datetime.now(timezone.utc)), number=1, now=datetime.now(timezone.utc))
    assert str(info.value) == (
        f"{config.path} [[thread]] #1.featured #1: featured reply number 99 is not in the thread (14 replies, numbers 1-14)\n"
        "  fix: correct it, or remove it; `digest candidates NAME` lists every reply with its id"
    )


def test_plain_http_unsubscribe_is_refused(config_dir):
    path = _edit(config_dir, 'unsubscribe_url = "https://', 'unsubscribe_url = "http://')
    assert "must be an https:// URL" in _error(path)


def test_bad_toml_points_at_the_line(config_dir):
    path = _edit(config_dir, 'replies = 5', 'replies = = 5')
    assert _error(path).startswith(f"{path}: not valid TOML: ") and "(at line 9, column 11)" in _error(path)


def test_bad_time_zone(config_dir):
    path = _edit(config_dir, 'timezone = "Europe/London"', 'timezone = "Mars/Olympus"')
    assert _error(path) == f"{path} [digest].timezone: unknown time zone 'Mars/Olympus'\n  fix: use an IANA name such as 'Europe/Paris' or 'UTC'"


def test_a_threads_timezone_reads_a_copied_pages_times_and_a_bad_one_is_named(config_dir):
    (config_dir / "copy.txt").write_text("Ana says:\nMarch 3, 2024 at 5:12 pm\nFirst.\nReply\n\nBen says:\nJuly 14, 2024 at 9:00 am\nSecond.\n")
    path = _edit(config_dir, 'garden-thread.json"', 'garden-thread.json"\ntimezone = "America/New_York"')
    path.write_text(re.sub(r'source = ".*garden-thread.json"', 'source = "copy.txt"', path.read_text()))
    (thread,) = import_threads(load_digest(path), datetime(2026, 11, 25, tzinfo=timezone.utc))
    assert [r.posted_at for r in thread.replies] == [datetime(2024, 3, 3, 22, 12, tzinfo=timezone.utc), datetime(2024, 7, 14, 13, 0, tzinfo=timezone.utc)]
    path = _edit(config_dir, 'timezone = "America/New_York"', 'timezone = "New York"')
    assert _error(path) == f"{path} [[thread]] #1.timezone: unknown time zone 'New York'\n  fix: use an IANA name such as 'Europe/Paris' or 'UTC'"


def test_smtp_settings_name_what_is_missing():
    with pytest.raises(ConfigError) as info:
        smtp_settings({})
    assert str(info.value).startswith("environment: SMTP is not configured: DIGEST_SMTP_HOST, DIGEST_SMTP_SECURITY not set")
    settings = smtp_settings({"DIGEST_SMTP_HOST": "mail.example.org", "DIGEST_SMTP_SECURITY": "starttls", "DIGEST_SMTP_USERNAME": "u", "DIGEST_SMTP_PASSWORD": "hunter2hunter2"})
    assert settings.port == 587 and "hunter2" not in repr(settings)


def test_secret_is_required_and_long():
    with pytest.raises(ConfigError, match="DIGEST_SECRET is not set"):
        unsubscribe_secret({"DIGEST_SECRET": "short"})


def test_a_thread_key_chooses_among_the_threads_of_a_source(config_dir):
    (config_dir / "list.mbox").write_text(
        "From ann@example.org  Mon May  6 09:00:00 2024\nFrom: Ann <ann@example.org>\nSubject: pump sizes\n"
        "Date: Mon, 6 May 2024 09:00:00 +0000\nMessage-ID: <a@example.org>\n\nWhich pump?\n\n"
        "From bob@example.org  Mon May  6 10:00:00 2024\nFrom: Bob <bob@example.org>\nSubject: pond liners\n"
        "Date: Mon, 6 May 2024 10:00:00 +0000\nMessage-ID: <b@example.org>\n\nWhich liner?\n"
    )
    path = config_dir / "example.toml"
    path.write_text(re.sub(r'(?m)^source = ".*"$', 'source = "list.mbox"', path.read_text(), count=1))
    with pytest.raises(SourceError) as info:
        import_threads(load_digest(path), datetime.now(timezone.utc))
    assert "[[thread]] #1" in info.value.message and "the [[thread]] key `thread`" in info.value.fix
    _edit(config_dir, 'source = "list.mbox"', 'source = "list.mbox"\nthread = "liners"')
    (thread,) = import_threads(load_digest(path), datetime.now(timezone.utc))
    assert thread.id == "b@example.org" and thread.title == "pond liners"
