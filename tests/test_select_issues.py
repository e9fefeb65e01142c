"""Selection across issues: the picks file is consumed by a build and archived with the issue,
the next issue does not repeat what was featured, and the commands report what they did."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from digest import cli, pipeline
from digest.model import Reply
from digest.sources.canonical import dumps, loads
from tests.conftest import ROOT, copy_example_config

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
GARDEN = loads((ROOT / "examples" / "garden-thread.json").read_bytes(), "garden")


@pytest.fixture
def ws(tmp_path: Path) -> pipeline.Workspace:
    return pipeline.Workspace(copy_example_config(tmp_path / "config"), tmp_path / "state", tmp_path / "archive")


def _run(ws: pipeline.Workspace, *args: str) -> int:
    return cli.main(["--config-dir", str(ws.config_dir), "--state-dir", str(ws.state_dir), "--archive-dir", str(ws.archive_dir), "--env-file", "/nonexistent", *args])


def _featured(ws: pipeline.Workspace, number: int) -> list[dict]:
    return json.loads((ws.archive_dir / "example" / f"{number:04d}" / "manifest.json").read_text())["featured"]


def test_picks_file_is_consumed_and_the_next_issue_brings_new_replies(ws):
    picks = ws.config_dir / "example.picks.toml"
    picks.write_text('[[pick]]\nid = "post-412014"\nnote = "Harvest timing."\n')
    issue, folder = pipeline.build(ws, "example", NOW)
    assert not picks.exists() and (folder / "picks.toml").read_text().startswith("[[pick]]")
    assert "Harvest timing." in issue.text
    pipeline.archive(ws, "example", NOW, issue.number)
    assert (ws.archive_dir / "example" / "0001" / "picks.toml").is_file()
    first = {f["reply_id"] for f in _featured(ws, 1)}

    second, _ = pipeline.build(ws, "example", NOW)
    pipeline.archive(ws, "example", NOW, second.number)
    again = {f["reply_id"]: f["picked_by"] for f in _featured(ws, 2)}
    repeated = {rid for rid, by in again.items() if rid in first}
    assert all(again[rid] == "editor" for rid in repeated)  # only the config's standing picks return
    assert any("featured again as the editor asked" in w for w in second.warnings)
    assert "post-412014" not in again  # the consumed pick is not picked again by the scorer


def test_validate_and_build_fail_on_a_vanished_pick_but_a_scheduled_run_goes_on(ws, capsys):
    (ws.config_dir / "example.picks.toml").write_text('[[pick]]\nid = "post-999999"\n')
    assert _run(ws, "validate", "example") == 1
    err = capsys.readouterr().err
    assert "example.picks.toml [[pick]] #1" in err and "post-999999" in err
    assert _run(ws, "build", "example") == 1
    assert "post-999999" in capsys.readouterr().err
    issue, _ = pipeline.build(ws, "example", NOW, scheduled=True)
    assert any("post-999999" in w and "left out" in w for w in issue.warnings)


def test_candidates_shows_contributions_and_why_replies_were_passed_over(ws, capsys):
    path = ws.config_dir / "example.toml"
    path.write_text(path.read_text() + "\n[selection]\nper_author = 1\n")
    assert _run(ws, "candidates", "example", "--limit", "14") == 0
    out = capsys.readouterr().out
    assert "substance +" in out and "relevance +" in out
    assert "excluded by '@Gareth Hughes'" in out
    line = next(line for line in out.splitlines() if "post-412008" in line)
    assert "(passed over: 1 reply by this author already)" in line  # Deshawn Price's #5 is featured


def _use_thread(ws: pipeline.Workspace, thread) -> None:
    """The example digest follows ``thread`` instead of the garden thread."""
    path = ws.config_dir / "thread.json"
    path.write_text(dumps(thread))
    toml = ws.config_dir / "example.toml"
    toml.write_text(re.sub(r'source = "[^"]*garden-thread.json"', f'source = "{path}"', toml.read_text()))


def test_a_reply_holding_a_long_log_is_excerpted_and_the_issue_builds(ws):
    log = "\n".join(f"line {i}: error something happened here in module foo.bar.baz" for i in range(3000))
    replies = tuple(replace(r, body=f"<p>The log follows.</p><pre><code>{log}</code></pre>") if r.id == "post-412010" else r for r in GARDEN.replies)
    _use_thread(ws, replace(GARDEN, replies=replies))
    assert _run(ws, "validate", "example") == 0
    issue, _ = pipeline.build(ws, "example", NOW)
    assert "line 6: error" in issue.text and "line 7: error" not in issue.text  # 9 words a line, 70 words: 7 lines
    assert len(issue.html.encode()) < 40_000


def test_candidates_names_a_deleted_replys_placeholder(ws, capsys):
    gone = Reply(id="gone", author="[deleted]", body="<p>[removed]</p>", number=15, posted_at=GARDEN.replies[-1].posted_at)
    _use_thread(ws, replace(GARDEN, replies=(*GARDEN.replies, gone)))
    assert _run(ws, "candidates", "example", "--limit", "20") == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if " gone " in line)
    assert line.endswith("(passed over: placeholder of a deleted or removed reply)")


def test_candidates_shows_each_replys_own_words_and_names_an_untitled_thread_by_its_address(ws, capsys):
    quoting = Reply(id="quoting", author="Ann", number=15, posted_at=GARDEN.replies[-1].posted_at,
                    body="<p>Bob wrote:</p><blockquote><p>Water them daily.</p></blockquote><p>Only in a heatwave.</p>")
    _use_thread(ws, replace(GARDEN, title=None, url="https://forum.example.org/t/tomatoes/7", replies=(*GARDEN.replies, quoting)))
    assert _run(ws, "candidates", "example", "--limit", "20") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Discussion at forum.example.org/t/tomatoes/7: {len(GARDEN.replies) + 1} replies"
    line = next(i for i, line in enumerate(out) if " quoting " in line)
    assert out[line + 1].strip() == "Only in a heatwave."
