"""``digest eval``: metrics, baselines, label hygiene, k-fold fitting and the development data."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from digest import cli
from digest import evaluate as ev
from digest.config import SelectionConfig
from digest.model import Engagement, Reply, Thread
from digest.sources.canonical import dumps

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_metrics_on_a_known_ranking():
    ranking = ["a", "b", "c", "d", "e"]
    scores = ev.metrics(ranking, {"a", "c"})
    assert scores["ap"] == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert scores["p_at_k"] == pytest.approx(0.5)
    assert scores["r_at_10"] == 1.0
    ideal = 1 + 1 / 1.5849625
    assert scores["ndcg_at_5"] == pytest.approx((1 + 0.5) / ideal)
    assert ev.metrics(["c", "a", "b"], {"a", "c"})["ap"] == 1.0


def _labelled(name: str, n: int, picks: set[int], *, votes=None, words=None, accepted=None) -> Thread:
    replies = []
    for i in range(n):
        length = (words or {}).get(i, 20)
        replies.append(Reply(
            id=f"{name}-{i}", author=f"person{i}", body="<p>" + " ".join(["watering"] * length) + "</p>",
            posted_at=T0 + timedelta(minutes=i),
            engagement=Engagement(score=(votes or {}).get(i, 0), accepted=1 if accepted == i else None),
            editor_pick=i in picks,
        ))
    return Thread(id=name, title="Watering", url=None, replies=tuple(replies), source_format="canonical")


def test_labels_never_reach_the_rankers():
    thread = _labelled("t", 12, {3}, accepted=3)
    seen = ev.unlabelled(thread, hide_votes=False)
    assert all(r.editor_pick is None and r.engagement.accepted is None for r in seen.replies)
    hidden = ev.unlabelled(replace(thread, replies=tuple(replace(r, engagement=Engagement(score=5, replies=2)) for r in thread.replies)), hide_votes=True)
    assert all(r.engagement.score is None and r.engagement.replies == 2 for r in hidden.replies)


def test_baselines_and_hide_votes():
    thread = _labelled("t", 12, {7}, votes={7: 50, 2: 3}, words={4: 300, 7: 100})
    report = ev.evaluate([("t", thread)], SelectionConfig(), draws=100)
    scores = report.threads[0].scores
    assert scores["most-voted"]["ap"] == 1.0 and scores["longest"]["ap"] == pytest.approx(1 / 2)
    assert scores["chronological"]["ap"] == pytest.approx(1 / 8)
    assert 0.15 < scores["random"]["ap"] < 0.5  # the mean of 100 seeded draws
    hidden = ev.evaluate([("t", thread)], SelectionConfig(), hide_votes=True).threads[0].scores
    assert hidden["most-voted"] == hidden["chronological"]
    assert ev.evaluate([("t", thread)], SelectionConfig()).threads[0].scores == scores  # seeded: repeatable


def test_history_comes_only_from_earlier_threads():
    early = replace(_labelled("a", 3, {1}), id="a")
    late = replace(_labelled("b", 3, {0}), id="b", replies=tuple(replace(r, posted_at=r.posted_at + timedelta(days=1)) for r in _labelled("b", 3, {0}).replies))
    histories = ev.histories([late, early], lambda n: n.casefold())
    assert histories["a"].editor_authors == {} and histories["b"].editor_authors == {"person1": 1}


def test_averages_count_only_long_enough_threads():
    report = ev.evaluate([("short", _labelled("s", 4, {1})), ("long", _labelled("l", 12, {1}))], SelectionConfig())
    assert report.counted() == 1 and report.counted(0) == 2


def _write(folder: Path, threads: list[Thread]) -> list[str]:
    files = []
    for thread in threads:
        path = folder / f"{thread.id}.json"
        path.write_text(dumps(thread))
        files.append(str(path))
    return files


def test_eval_command_json_and_fit_report_out_of_fold(tmp_path, capsys):
    threads = [_labelled(f"t{i}", 12, {i % 12}, words={i % 12: 150, (i + 5) % 12: 80}) for i in range(10)]
    files = _write(tmp_path, threads)
    assert cli.main(["--env-file", "/nonexistent", "eval", "--json", *files]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["threads_counted"] == 10 and set(data["average"]) == {"selector", *ev.BASELINES}
    assert data["average"]["selector"]["ap"] > data["average"]["random"]["ap"]
    assert cli.main(["--env-file", "/nonexistent", "eval", "--fit", "--folds", "5", "--hide-votes", *files]) == 0
    out = capsys.readouterr().out
    assert "[selection.weights]" in out and "fitted on the other 4 folds only" in out
    report, final, per_fold = ev.cross_validate([(t.id, t) for t in threads], SelectionConfig(), k=5)
    assert sorted(t.name for t in report.threads) == sorted(t.id for t in threads)  # each scored once, out of fold
    assert set(final) == {name for name, _ in SelectionConfig().weights} and len(per_fold) <= 5


def test_fit_can_write_the_weights_into_a_digest(config_dir):
    from digest.commands.evaluate import write_weights
    from digest.config import load_digest

    path = config_dir / "example.toml"
    path.write_text(path.read_text() + "\n[selection.weights]\nvotes = 1\n")
    write_weights(path, {**dict(SelectionConfig().weights), "votes": 2.5})
    assert load_digest(path).selection.weight("votes") == 2.5
    assert path.read_text().count("[selection.weights]") == 1


def test_development_data_selector_beats_the_baselines(shared_data):
    """The figures README reports: newsroom threads with at least 10 comments."""
    from bench.labelled import nyt_threads

    named = nyt_threads(shared_data / "nyt-picks-2014" / "testInputComments.csv.gz")
    for hide_votes in (True, False):
        averages = ev.evaluate(named, SelectionConfig(), hide_votes=hide_votes, draws=20).averages()
        best = max(averages[b]["ap"] for b in ev.BASELINES)
        assert averages["selector"]["ap"] >= best, (hide_votes, averages)
        if hide_votes:
            assert averages["selector"]["ap"] > best
