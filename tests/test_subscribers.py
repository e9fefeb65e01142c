"""The subscriber store (a real SQLite file), its CSV lists and `digest subscribers`."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from digest.config import load_digest
from digest.errors import StateError
from digest.subscribers import Subscriber, SubscriberStore, load_subscribers, read_csv, recipients, store_path
from tests.conftest import ROOT

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
EXAMPLE = ["ada@example.com", "grace@example.net", "linus@example.org"]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    toml = tmp_path / "config" / "example.toml"
    toml.write_text(toml.read_text().replace("../examples/", f"{ROOT}/examples/"))
    return tmp_path


def emails(listing) -> list[str]:
    return [s.email for s in listing.subscribers]


def digest(workspace: Path, *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    return subprocess.run(
        [sys.executable, "-m", "digest.cli", "--config-dir", "config", "--state-dir", "state", *args],
        cwd=workspace, env=base, capture_output=True, text=True, timeout=120,
    )


def test_store_is_schema_versioned_and_refuses_a_newer_one(tmp_path):
    path = store_path(tmp_path / "state")
    SubscriberStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    assert {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")} == {"people", "subscriptions", "changes", "bounces"}
    db.execute("PRAGMA user_version=7")
    db.commit()
    db.close()
    with pytest.raises(StateError) as error:
        SubscriberStore(path)
    assert "schema version 7" in str(error.value) and str(path) in str(error.value)


def test_a_version_1_store_gains_the_bounces_table_and_keeps_its_rows(tmp_path):
    path = store_path(tmp_path / "state")
    with SubscriberStore(path) as store:
        store.subscribe("example", Subscriber("ada@example.com"), NOW, "cli")
    db = sqlite3.connect(path)
    db.execute("DROP TABLE bounces")
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    with SubscriberStore(path) as store:
        assert store.get("example", "ada@example.com").status == "active"
        assert store.soft_bounce_days("ada@example.com", NOW.date()) == 0
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    db.close()


def test_csv_bad_rows_are_reported_with_their_line_and_skipped(tmp_path):
    csv = tmp_path / "list.csv"
    csv.write_text(
        "email,name,format\n"
        "Ada@Example.COM,Ada,text\n"      # 2: kept, domain normalized
        "not-an-address,Nobody\n"         # 3
        "ada@example.com,Ada again\n"     # 4: the same address
        "\n"                              # 5: blank, ignored
        "x@example.invalid,Reserved\n"    # 6: a reserved domain
        "grace@example.net,Grace,pdf\n"   # 7: unknown format
        "linus@example.org,Linus\n",      # 8
        encoding="utf-8",
    )
    rows, problems = read_csv(csv)
    assert [(r.line, r.subscriber) for r in rows] == [
        (2, Subscriber("Ada@example.com", "Ada", "text")),
        (8, Subscriber("linus@example.org", "Linus", "html")),
    ]
    assert [r.has_format for r in rows] == [True, False]
    assert [line for line, _ in problems] == [3, 4, 6, 7]
    assert problems[0][1].startswith(f"{csv}:3: skipped: 'not-an-address' is not an email address")
    assert problems[1][1] == f"{csv}:4: skipped: ada@example.com is listed twice"
    assert "special-use or reserved" in problems[2][1]
    assert problems[3][1] == f"{csv}:7: skipped: format 'pdf' is not one of: html, text"
    assert load_subscribers(csv).problems == tuple(text for _, text in problems)
    assert load_subscribers(None).subscribers == ()


def test_seed_list_fills_the_store_but_never_brings_back_an_opt_out(workspace):
    config = load_digest(workspace / "config" / "example.toml")
    state = workspace / "state"
    assert emails(recipients(state, config, NOW)) == EXAMPLE

    with SubscriberStore(store_path(state)) as store:
        assert store.unsubscribe("example", "Grace@Example.NET", NOW, "one-click unsubscribe (RFC 8058)")
        assert not store.unsubscribe("example", "grace@example.net", NOW, "again")  # idempotent
    with open(config.subscribers, "a", encoding="utf-8") as csv:
        csv.write("new@example.com,New Reader\nbroken@,Broken\n")

    later = recipients(state, config, NOW + timedelta(days=7))
    assert emails(later) == ["ada@example.com", "linus@example.org", "new@example.com"]
    assert later.problems and ":6: skipped: 'broken@'" in later.problems[0]
    with SubscriberStore(store_path(state)) as store:
        grace = store.get("example", "grace@example.net")
        assert (grace.status, grace.changed_how, grace.changed_at) == ("unsubscribed", "one-click unsubscribe (RFC 8058)", NOW)
        assert store.get("example", "new@example.com").changed_how == "seed list example.subscribers.csv"
        history = store.db.execute("SELECT status, how FROM changes WHERE email='grace@example.net' ORDER BY rowid").fetchall()
    assert history == [("active", "seed list example.subscribers.csv"), ("unsubscribed", "one-click unsubscribe (RFC 8058)")]


def test_an_opt_out_recorded_before_the_address_was_known_still_holds(workspace):
    config = load_digest(workspace / "config" / "example.toml")
    with SubscriberStore(store_path(workspace / "state")) as store:
        assert store.unsubscribe("example", "ada@example.com", NOW, "unsubscribe page")
    assert emails(recipients(workspace / "state", config, NOW)) == EXAMPLE[1:]


def test_pause_skips_issues_until_it_ends(workspace):
    config = load_digest(workspace / "config" / "example.toml")
    state = workspace / "state"
    recipients(state, config, NOW)
    with SubscriberStore(store_path(state)) as store:
        assert store.pause("example", "ada@example.com", NOW + timedelta(days=30), NOW, "paused for a month (unsubscribe page)")
        assert not store.pause("example", "nobody@example.com", NOW + timedelta(days=30), NOW, "not subscribed")
    assert emails(recipients(state, config, NOW + timedelta(days=29))) == EXAMPLE[1:]
    assert emails(recipients(state, config, NOW + timedelta(days=30))) == EXAMPLE


def test_bouncing_and_format_are_kept_per_subscriber(workspace):
    config = load_digest(workspace / "config" / "example.toml")
    state = workspace / "state"
    with SubscriberStore(store_path(state)) as store:
        assert store.subscribe("example", Subscriber("ada@example.com", "Ada", "text"), NOW, "added by the editor (cli)") == "added"
        assert store.mark_bouncing("example", "linus@example.org", NOW, "550 mailbox unknown")
    listing = recipients(state, config, NOW)
    assert listing.subscribers == (Subscriber("ada@example.com", "Ada", "text"), Subscriber("grace@example.net", "Grace Hopper", "html"))
    with SubscriberStore(store_path(state)) as store:
        assert store.subscribe("example", Subscriber("linus@example.org"), NOW, "import") == "bouncing"
        assert store.subscribe("example", Subscriber("linus@example.org"), NOW, "cli", resubscribe=True) == "resubscribed"
        assert store.subscribe("example", Subscriber("ada@example.com", "", "html"), NOW, "import", keep_format=True) == "already"
    assert [s.format for s in recipients(state, config, NOW).subscribers] == ["text", "html", "html"]


def test_the_seed_list_is_optional(workspace):
    toml = workspace / "config" / "example.toml"
    toml.write_text(toml.read_text().replace('subscribers = "example.subscribers.csv"\n', ""))
    config = load_digest(toml)
    assert config.subscribers is None
    assert recipients(workspace / "state", config, NOW).subscribers == ()
    with SubscriberStore(store_path(workspace / "state")) as store:
        store.subscribe("example", Subscriber("only@example.com"), NOW, "cli")
    assert emails(recipients(workspace / "state", config, NOW)) == ["only@example.com"]


def test_cli_add_remove_list_import(workspace):
    added = digest(workspace, "subscribers", "add", "example", "Bob@Example.ORG", "--name", "Bob", "--format", "text")
    assert added.returncode == 0 and added.stdout == "added: Bob@example.org to example\n"
    bad = digest(workspace, "subscribers", "add", "example", "bob at example")
    assert bad.returncode == 1 and "is not an email address" in bad.stderr and "Traceback" not in bad.stderr
    unknown = digest(workspace, "subscribers", "add", "nosuch", "bob@example.org")
    assert unknown.returncode == 1 and "no digest named 'nosuch'" in unknown.stderr

    removed = digest(workspace, "subscribers", "remove", "example", "ada@example.com")
    assert removed.returncode == 0 and "was not subscribed to example; recorded as unsubscribed" in removed.stdout
    again = digest(workspace, "subscribers", "add", "example", "ada@example.com")
    assert again.returncode == 1 and "ada@example.com is unsubscribed from example: not changed" in again.stdout

    (workspace / "more.csv").write_text("email,name\nada@example.com,Ada\ncarol@example.com,Carol\nnope,No\nbob@example.org,\n")
    imported = digest(workspace, "subscribers", "import", "example", "more.csv")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines() == [
        "warning: more.csv:2: skipped: ada@example.com is unsubscribed (only its owner can resubscribe)",
        "warning: more.csv:4: skipped: 'nope' is not an email address: An email address must have an @-sign.",
        "example: 1 added, 1 already subscribed, 2 row(s) skipped",
    ]

    listed = digest(workspace, "subscribers", "list", "example")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[-1] == "5 subscription(s): 4 active, 1 unsubscribed, 0 bouncing"
    rows = {line.split("\t")[1].split(" ")[0]: line.split("\t") for line in lines[:-1]}
    assert sorted(rows) == ["Bob@example.org", "ada@example.com", "carol@example.com", "grace@example.net", "linus@example.org"]
    assert rows["Bob@example.org"][2:4] == ["text", "active"] and rows["Bob@example.org"][4].endswith("added by the editor (cli)")
    assert rows["ada@example.com"][3] == "unsubscribed" and rows["ada@example.com"][4].endswith("removed by the editor (cli)")
    assert rows["carol@example.com"][4].endswith("imported from more.csv:3")
    only = digest(workspace, "subscribers", "list", "--status", "unsubscribed")
    assert only.stdout.splitlines()[-1] == "1 subscription(s): 0 active, 1 unsubscribed, 0 bouncing"
