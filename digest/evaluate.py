"""How far the selector agrees with real editors, measured on labelled threads.

Pure: threads whose replies carry ``editor_pick`` go in, per-thread and average figures come
out for the selector and for simple baselines computed in the same run.  The label (and
``engagement.accepted``, which is the same label on Stack Exchange) is removed before any
ranking sees the thread; ``hide_votes`` removes vote counts too, since picks attract votes
after they are picked.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable, Sequence

from digest import signals
from digest.config import SelectionConfig, ThreadSource
from digest.model import Engagement, Thread
from digest.select import EMPTY_HISTORY, History, people, score_replies, select

METRICS = ("ap", "p_at_k", "r_at_10", "ndcg_at_5")
PRIMARY = "ap"
BASELINES = ("most-voted", "longest", "most-replied", "chronological", "random")
MIN_CANDIDATES = 10  # averages that count are over threads at least this long
RANDOM_DRAWS = 100

Ranking = list[str]


@dataclass(frozen=True)
class ThreadResult:
    name: str
    candidates: int
    picks: int
    scores: dict[str, dict[str, float]]  # method -> metric -> value


@dataclass(frozen=True)
class Report:
    threads: tuple[ThreadResult, ...]
    hide_votes: bool
    min_candidates: int

    def averages(self, min_candidates: int | None = None) -> dict[str, dict[str, float]]:
        """Mean of each metric per method over threads with enough candidates (and a pick)."""
        floor = self.min_candidates if min_candidates is None else min_candidates
        chosen = [t for t in self.threads if t.candidates >= floor]
        if not chosen:
            return {}
        methods = chosen[0].scores
        return {m: {k: sum(t.scores[m][k] for t in chosen) / len(chosen) for k in METRICS} for m in methods}

    def counted(self, min_candidates: int | None = None) -> int:
        floor = self.min_candidates if min_candidates is None else min_candidates
        return sum(1 for t in self.threads if t.candidates >= floor)


# ------------------------------------------------------------------------------ metrics

def average_precision(ranking: Ranking, relevant: set[str]) -> float:
    hits, total = 0, 0.0
    for i, rid in enumerate(ranking, start=1):
        if rid in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant) if relevant else 0.0


def ndcg(ranking: Ranking, relevant: set[str], k: int) -> float:
    dcg = sum(1 / math.log2(i + 1) for i, rid in enumerate(ranking[:k], start=1) if rid in relevant)
    ideal = sum(1 / math.log2(i + 1) for i in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal if ideal else 0.0


def metrics(ranking: Ranking, relevant: set[str]) -> dict[str, float]:
    k = len(relevant)
    return {
        "ap": average_precision(ranking, relevant),
        "p_at_k": sum(1 for rid in ranking[:k] if rid in relevant) / k if k else 0.0,
        "r_at_10": sum(1 for rid in ranking[:10] if rid in relevant) / k if k else 0.0,
        "ndcg_at_5": ndcg(ranking, relevant, 5),
    }


# ------------------------------------------------------------------------------ inputs

def picks_of(thread: Thread) -> set[str]:
    return {r.id for r in thread.replies if r.editor_pick}


def unlabelled(thread: Thread, hide_votes: bool) -> Thread:
    """The thread as a ranker may see it: no labels, no accepted mark, votes only if allowed."""
    def clean(engagement: Engagement) -> Engagement:
        if hide_votes:
            return Engagement(replies=engagement.replies, reads=engagement.reads)
        return replace(engagement, accepted=None)

    replies = tuple(replace(r, editor_pick=None, engagement=clean(r.engagement)) for r in thread.replies)
    return replace(thread, replies=replies)


def _started(thread: Thread) -> datetime:
    times = [r.posted_at for r in (thread.opening_post, *thread.replies) if r is not None and r.posted_at]
    return min(times) if times else datetime.min.replace(tzinfo=timezone.utc)


def histories(threads: Sequence[Thread], canon: Callable[[str], str]) -> dict[str, History]:
    """Per thread, the editor's history from threads that started strictly earlier: which
    authors the editor picked before (never the thread's own labels)."""
    ordered = sorted(threads, key=_started)
    result: dict[str, History] = {}
    counts: dict[str, int] = {}
    pending: list[Thread] = []
    for thread in ordered:
        while pending and _started(pending[0]) < _started(thread):
            for reply in pending.pop(0).replies:
                if reply.editor_pick:
                    counts[canon(reply.author)] = counts.get(canon(reply.author), 0) + 1
        result[thread.id] = History(editor_authors=dict(counts))
        pending.append(thread)
    return result


# ------------------------------------------------------------------------------ rankings

def rank_selector(thread: Thread, settings: SelectionConfig, history: History = EMPTY_HISTORY) -> Ranking:
    """The digest's own choice in score order, then everything it passed over."""
    selection = select(
        thread, ThreadSource(source="eval", author=thread.author), count=len(thread.replies),
        order="score", where="eval", settings=settings, history=history,
    )
    chosen = [p.reply_id for p in selection.picks]
    return chosen + [c.reply_id for c in selection.candidates if c.reply_id not in set(chosen)]


def _by(thread: Thread, key) -> Ranking:
    order = sorted(enumerate(thread.replies), key=lambda item: (-key(item[1]), item[0]))
    return [r.id for _, r in order]


def rank_baseline(name: str, thread: Thread, seed: int = 0) -> Ranking:
    children: dict[str, int] = {}
    for reply in thread.replies:
        if reply.parent_id:
            children[reply.parent_id] = children.get(reply.parent_id, 0) + 1
    if name == "most-voted":
        return _by(thread, lambda r: signals.vote_count(r) or 0)
    if name == "longest":
        return _by(thread, signals.word_count)
    if name == "most-replied":
        return _by(thread, lambda r: max(children.get(r.id, 0), r.engagement.replies or 0))
    if name == "chronological":
        return _by(thread, lambda r: 0)
    if name == "random":
        ids = [r.id for r in thread.replies]
        random.Random(seed).shuffle(ids)
        return ids
    raise ValueError(name)


def _random_mean(thread: Thread, relevant: set[str], draws: int) -> dict[str, float]:
    runs = [metrics(rank_baseline("random", thread, seed), relevant) for seed in range(draws)]
    return {k: sum(run[k] for run in runs) / draws for k in METRICS}


# ------------------------------------------------------------------------------ the run

def evaluate(
    named: Sequence[tuple[str, Thread]],
    settings: SelectionConfig,
    *,
    hide_votes: bool = False,
    min_candidates: int = MIN_CANDIDATES,
    draws: int = RANDOM_DRAWS,
    pool: Sequence[Thread] | None = None,
) -> Report:
    """Every labelled thread (at least one pick and two replies) ranked by the selector and
    by each baseline.  The editor's history comes from earlier threads of ``pool`` (default:
    the threads evaluated)."""
    usable = [(name, t) for name, t in named if picks_of(t) and len(t.replies) >= 2]
    history = histories(list(pool) if pool is not None else [t for _, t in usable], people(settings.aliases))
    results = []
    for name, thread in usable:
        relevant = picks_of(thread)
        seen = unlabelled(thread, hide_votes)
        scores = {"selector": metrics(rank_selector(seen, settings, history[thread.id]), relevant)}
        for baseline in BASELINES:
            if baseline == "random":
                scores[baseline] = _random_mean(seen, relevant, draws)
            else:
                scores[baseline] = metrics(rank_baseline(baseline, seen), relevant)
        results.append(ThreadResult(name, len(thread.replies), len(relevant), scores))
    return Report(tuple(results), hide_votes, min_candidates)


# ------------------------------------------------------------------------------ fitting

@dataclass(frozen=True)
class Prepared:
    """A thread's signal values, computed once so many weightings can be tried cheaply."""

    relevant: frozenset[str]
    ids: tuple[str, ...]
    values: tuple[dict[str, float], ...]
    candidates: int


def prepare(named: Sequence[tuple[str, Thread]], settings: SelectionConfig, hide_votes: bool) -> list[Prepared]:
    usable = [t for _, t in named if picks_of(t) and len(t.replies) >= 2]
    history = histories(usable, people(settings.aliases))
    prepared = []
    for thread in usable:
        seen = unlabelled(thread, hide_votes)
        candidates = {c.reply_id: c for c in score_replies(seen, seen.author, settings, history[thread.id])}
        ids = tuple(r.id for r in seen.replies)
        values = tuple({reason.signal: reason.value for reason in candidates[rid].reasons} for rid in ids)
        prepared.append(Prepared(frozenset(picks_of(thread)), ids, values, len(ids)))
    return prepared


def _mean_ap(prepared: Sequence[Prepared], weights: dict[str, float]) -> float:
    total = 0.0
    for p in prepared:
        scores = [sum(weights[s] * v for s, v in values.items()) for values in p.values]
        order = sorted(range(len(p.ids)), key=lambda i: (-scores[i], i))
        total += average_precision([p.ids[i] for i in order], set(p.relevant))
    return total / len(prepared) if prepared else 0.0


GRID = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)


def fit_weights(prepared: Sequence[Prepared], start: dict[str, float], rounds: int = 2) -> dict[str, float]:
    """Coordinate ascent over a small grid of weights, maximising mean average precision;
    the result stays a plain weighted sum an editor can read."""
    weights = dict(start)
    best = _mean_ap(prepared, weights)
    for _ in range(rounds):
        improved = False
        for signal in weights:
            for value in GRID:
                trial = {**weights, signal: value}
                if not any(trial.values()):
                    continue
                score = _mean_ap(prepared, trial)
                if score > best + 1e-9:
                    best, weights, improved = score, trial, True
        if not improved:
            break
    return weights


def folds(names: Sequence[str], k: int) -> list[int]:
    """A fold per thread, by a stable hash of its name, so a thread is never in its own training set."""
    return [int(hashlib.sha256(name.encode()).hexdigest(), 16) % k for name in names]


def cross_validate(
    named: Sequence[tuple[str, Thread]],
    settings: SelectionConfig,
    *,
    k: int = 5,
    hide_votes: bool = False,
    min_candidates: int = MIN_CANDIDATES,
    draws: int = RANDOM_DRAWS,
) -> tuple[Report, dict[str, float], list[dict[str, float]]]:
    """k-fold by thread: each thread is scored with weights fitted on the other folds only.
    Returns the out-of-fold report, the weights fitted on every thread (to use from now on)
    and each fold's weights (to see how stable they are)."""
    usable = [(n, t) for n, t in named if picks_of(t) and len(t.replies) >= 2]
    prepared = prepare(usable, settings, hide_votes)
    fold_of = folds([n for n, _ in usable], k)
    start = dict(settings.weights)
    results: list[ThreadResult] = []
    per_fold = []
    for fold in range(k):
        test = [i for i, f in enumerate(fold_of) if f == fold]
        if not test:
            continue
        train = [prepared[i] for i, f in enumerate(fold_of) if f != fold]
        weights = fit_weights(train, start) if train else start
        per_fold.append(weights)
        fitted = replace(settings, weights=tuple(weights.items()))
        part = evaluate([usable[i] for i in test], fitted, hide_votes=hide_votes, min_candidates=min_candidates, draws=draws, pool=[t for _, t in usable])
        results.extend(part.threads)
    final = fit_weights(prepared, start)
    return Report(tuple(results), hide_votes, min_candidates), final, per_fold


def weights_toml(weights: dict[str, float]) -> str:
    lines = ["[selection.weights]"] + [f"{name} = {value:g}" for name, value in weights.items()]
    return "\n".join(lines) + "\n"
