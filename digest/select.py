"""Choosing the key replies: the editor's picks first, then an explainable scorer.

Pure: takes the threads, their config and what earlier issues featured, returns one
``Selection`` per thread with every candidate's score broken down into signal contributions
(``digest candidates`` shows them) and the reason any candidate was passed over.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from digest import signals
from digest.config import DigestConfig, FeaturedReply, NextPick, SelectionConfig, ThreadSource
from digest.errors import ConfigError
from digest.model import Reply, Thread, gc_paused
from digest.signals import SIGNALS

DEFAULT_SETTINGS = SelectionConfig()


@dataclass(frozen=True)
class Reason:
    signal: str
    value: float  # 0..1
    weight: float

    @property
    def contribution(self) -> float:
        return self.value * self.weight


@dataclass(frozen=True)
class Candidate:
    reply_id: str
    score: float
    values: tuple[float, ...]  # each signal's value, in SIGNALS order
    weights: tuple[float, ...]  # the weights used, in SIGNALS order (shared by all candidates)
    excluded_by: str | None = None  # the exclude rule that removed it
    skipped: str | None = None  # why the scorer passed over it (novelty, cap, duplicate, ...)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The score, signal by signal; built on demand (large threads rank 100,000 replies)."""
        return tuple(Reason(name, round(value, 4), weight) for name, value, weight in zip(SIGNALS, self.values, self.weights))


@dataclass(frozen=True)
class Pick:
    reply_id: str
    picked_by: str  # "editor" or "scorer"
    score: float
    note: str | None = None
    full: bool = False  # the editor asked for this reply in full: never excerpted
    followups: tuple[str, ...] = ()  # the author's short follow-ups, shown with this reply


@dataclass(frozen=True)
class Selection:
    thread_id: str
    picks: tuple[Pick, ...]  # in the digest's order
    candidates: Sequence[Candidate]  # every reply, best first
    warnings: tuple[str, ...] = ()
    activity: float = 0.0  # new replies and participants: how threads are ranked in a digest


@dataclass(frozen=True)
class History:
    """What earlier issues featured, from the archive's manifests; empty for a first issue."""

    featured: dict[tuple[str, str], int] = field(default_factory=dict)  # (thread, reply) -> issue
    editor_authors: dict[str, int] = field(default_factory=dict)  # canonical author -> editor picks
    last_issue_at: datetime | None = None


EMPTY_HISTORY = History()


# ------------------------------------------------------------------------------ people

def people(aliases: Iterable[tuple[str, str]]) -> Callable[[str], str]:
    """A function giving each name its person: "red" -> "red sun rising" (case-folded).
    Each name is worked out once (scoring asks about every reply's author several times)."""
    return _People({other.strip().casefold(): name.strip().casefold() for other, name in aliases}).__getitem__


class _People(dict):
    """name -> person, filled on first use from the alias table."""

    def __init__(self, table: dict[str, str]):
        super().__init__()
        self.table = table

    def __missing__(self, name: str | None) -> str:
        key = (name or "").strip().casefold()
        person = self[name] = self.table.get(key, key)
        return person


# What importers keep of a deleted or removed reply that others answer, so that the answers
# keep their place: reddit's "[deleted]"/"[removed]"/"[ Removed by Reddit ]", Hacker News's
# "[dead]", Discourse's "[hidden]" (Disqus keeps no text at all, under the name "[deleted]").
_PLACEHOLDER_TEXT = re.compile(r"\[\s*(?:deleted|removed|dead|hidden)(?:\s+by\s[^\[\]]*)?\s*\]", re.IGNORECASE)
_PLACEHOLDER_NAME = re.compile(r"\[\s*(?:deleted|removed|dead|unknown)\s*\]", re.IGNORECASE)


def nameless(author: str | None) -> bool:
    """An importer's stand-in for a name ("[deleted]"): it names no one, so two replies under
    it are not one person's."""
    return _PLACEHOLDER_NAME.fullmatch((author or "").strip()) is not None


def placeholder(reply: Reply) -> bool:
    """A deleted or removed reply kept only as a place for its answers: no one's words."""
    body = reply.body or ""
    if len(body) > 200 or ("[" not in body and body.strip()):
        return False  # told without reading the text: nearly every reply (threads of 100,000)
    text = signals.plain_words(body)
    return _PLACEHOLDER_TEXT.fullmatch(text) is not None or (not text and nameless(reply.author))


def _followups(replies: tuple[Reply, ...], shape: _Shape, max_words: int) -> dict[str, str]:
    """Short answers by an author to their own reply (a correction, an "erg.", an update):
    follow-up id -> the reply it answers, in thread order.  Placeholders and nameless authors
    make none."""
    found: dict[str, str] = {}
    for i in np.flatnonzero(shape.parent_person == shape.person).tolist():  # same person, in thread order
        reply, parent = replies[i], replies[shape.parent[i]]
        if (
            not nameless(reply.author)
            and signals.word_count(reply) <= max_words
            and not placeholder(reply)
            and not placeholder(parent)
        ):
            found[reply.id] = parent.id
    return found


def travels_with(reply_id: str, follow: dict[str, str], taken: set[str]) -> str | None:
    """The pick a follow-up is shown with: the nearest picked reply up its author's chain of
    follow-ups, or None when none of them is picked (the follow-up then stands on its own)."""
    seen = {reply_id}
    answered = follow.get(reply_id)
    while answered is not None and answered not in taken and answered not in seen:
        seen.add(answered)
        answered = follow.get(answered)
    return answered if answered in taken else None


def history_from_manifests(manifests: Iterable[dict], threads: Iterable[Thread], canon: Callable[[str], str]) -> History:
    """Earlier issues' featured replies; the editor's own picks count towards their authors."""
    authors = {(t.id, r.id): r.author for t in threads for r in t.replies}
    featured: dict[tuple[str, str], int] = {}
    editor: Counter[str] = Counter()
    last = None
    for manifest in manifests:
        built = datetime.fromisoformat(manifest["built_at"])
        last = built if last is None or built > last else last
        for item in manifest.get("featured", []):
            key = (item["thread"], item["reply_id"])
            featured.setdefault(key, manifest["issue"])
            if item.get("picked_by") == "editor" and key in authors:
                editor[canon(authors[key])] += 1
    return History(featured, dict(editor), last)


# ------------------------------------------------------------------------------ scoring

@dataclass(frozen=True)
class _Shape:
    """Who answers whom, as arrays over the thread's replies (threads of 100,000 replies)."""

    position: dict[str, int]  # reply id -> index
    people: list[str]  # person number -> canonical name
    person: np.ndarray  # index -> person number
    parent: np.ndarray  # index -> the parent's index, -1 when it answers the thread
    parent_person: np.ndarray  # index -> the parent's person number, -1 without a parent

    @classmethod
    def of(cls, thread: Thread, canon: Callable[[str], str]) -> _Shape:
        authors = list(map(canon, [r.author for r in thread.replies]))
        numbers = {name: k for k, name in enumerate(dict.fromkeys(authors))}
        person = np.fromiter(map(numbers.__getitem__, authors), np.int64, len(authors))
        parent = np.maximum(thread.links.parent, -1)  # a parent not in the thread (a partial import): none
        parent_person = np.where(parent >= 0, person[parent], -1)
        return cls(thread.links.position, list(numbers), person, parent, parent_person)


def _window(times: list[datetime | None], settings: SelectionConfig, history: History) -> tuple[datetime | None, datetime | None]:
    times = [t for t in times if t]
    if not times:
        return None, None
    start = history.last_issue_at if settings.since_last_issue and history.last_issue_at else min(times)
    return start, max(times)


def _saturating(counts: np.ndarray) -> np.ndarray:
    return 1 - 1 / (1 + counts)


def _signal_columns(thread: Thread, shape: _Shape, follow: dict[str, str], author: str, canon, settings: SelectionConfig,
                    history: History) -> np.ndarray:
    """Every signal's value (rows, in SIGNALS order) for every reply (columns, in thread order).
    Built a signal at a time over the whole thread (threads of 100,000 replies), each value as
    ``signals`` defines it."""
    replies = thread.replies
    n = len(replies)
    answers = (shape.parent >= 0) & (shape.parent_person != shape.person)  # direct replies from others
    answers[[shape.position[k] for k in follow]] = False
    referenced = np.zeros(n, np.int64)
    for i in thread.links.mentioning:
        for mention in replies[i].mentions:
            target = shape.position.get(mention.reply_id or "")
            if target is not None and target != shape.parent[i] and shape.person[target] != shape.person[i]:
                referenced[target] += 1
    history_of = np.array([history.editor_authors.get(person, 0) for person in shape.people], dtype=float)
    author_of = np.array([bool(author) and person == author for person in shape.people], dtype=float)
    votes = signals.vote_column(replies)
    recency = _recency(thread, settings, history) if settings.weight("recency") else np.full(n, np.nan)  # see Ranking
    opening = " ".join(filter(None, [thread.title or "", signals.own_text(thread.opening_post) if thread.opening_post else ""]))
    quoting, word_counts, relevance = signals.text_measures(replies, opening)
    for reply_id, count in signals.quotes_received(thread, canon, quoting).items():
        referenced[shape.position[reply_id]] += count
    return np.array([
        _saturating(np.bincount(shape.parent[answers], minlength=n)),
        _saturating(referenced),
        votes,
        signals.substances(word_counts),
        author_of[shape.person],
        recency,
        relevance,
        (history_of / (history_of + 2))[shape.person],
    ])


def _recency(thread: Thread, settings: SelectionConfig, history: History) -> np.ndarray:
    times = [r.posted_at for r in thread.replies]
    return signals.recency(times, *_window(times, settings, history))


class Ranking(Sequence[Candidate]):
    """Every reply's ``Candidate``, best first.  Scores and order are worked out for all;
    each ``Candidate`` is built when it is asked for (most callers read the first few of a
    100,000-reply thread), and so is recency when it weighs nothing (by default): it changes
    no score, and only explanations show it."""

    def __init__(self, replies: tuple[Reply, ...], order: np.ndarray, scores: np.ndarray, columns: np.ndarray,
                 weights: tuple[float, ...], follow: dict[str, str], recency: Callable[[], np.ndarray] | None = None):
        self._replies, self._order, self._scores, self._columns, self._weights = replies, order, scores, columns, weights
        self.followups = follow  # follow-up id -> the reply it answers (see _followups), as the scoring found them
        self._recency = recency

    def __len__(self) -> int:
        return len(self._order)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        return self._candidate(int(self._order[index]))

    def of_reply(self, position: int) -> Candidate:
        """The candidate of the reply at ``position`` in thread order."""
        return self._candidate(position)

    def _candidate(self, i: int) -> Candidate:
        if self._recency is not None:
            self._columns[_RECENCY] = self._recency()
            self._recency = None
        return Candidate(self._replies[i].id, float(self._scores[i]), tuple(self._columns[:, i].tolist()), self._weights)


_RECENCY = list(SIGNALS).index("recency")


def score_replies(
    thread: Thread,
    thread_author: str | None,
    settings: SelectionConfig = DEFAULT_SETTINGS,
    history: History = EMPTY_HISTORY,
) -> Ranking:
    """Score every reply, ranked best first (ties keep thread order)."""
    with gc_paused():
        return _score_replies(thread, thread_author, settings, history)


def _score_replies(thread: Thread, thread_author: str | None, settings: SelectionConfig, history: History) -> Ranking:
    canon = people(settings.aliases)
    name = thread_author or thread.author or ""
    author = "" if nameless(name) else canon(name)
    shape = _Shape.of(thread, canon)
    follow = _followups(thread.replies, shape, settings.followup_words)
    columns = _signal_columns(thread, shape, follow, author, canon, settings, history)
    weights = tuple(dict(settings.weights)[name] for name in SIGNALS)
    totals = np.zeros(len(thread.replies))
    for column, weight in zip(columns, weights):  # summed signal by signal, as sum(v * w) would
        if weight:
            totals += column * weight
    scores = _rounded(totals)
    order = np.argsort(-scores, kind="stable")  # ties keep thread order
    later = None if weights[_RECENCY] else (lambda: _recency(thread, settings, history))
    return Ranking(thread.replies, order, scores, columns, weights, follow, later)


def _rounded(values: np.ndarray, places: int = 4) -> np.ndarray:
    """``round(value, places)`` of every value.  numpy's rounding (of ``value * 10**places``)
    can differ only next to a halfway point, so those few are rounded by Python."""
    scaled = values * 10.0**places
    rounded = np.round(scaled) / 10.0**places
    for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6).tolist():
        rounded[i] = round(float(values[i]), places)
    return rounded


# ------------------------------------------------------------------------------ the editor

def find_reply(thread: Thread, pick: FeaturedReply) -> Reply | None:
    for reply in thread.replies:
        if (
            (pick.id is not None and reply.id == pick.id)
            or (pick.number is not None and reply.number == pick.number)
            or (pick.permalink is not None and reply.permalink == pick.permalink)
        ):
            return reply
    return None


def resolve_featured(thread: Thread, pick: FeaturedReply, where: str) -> Reply:
    """The reply an editor's pick names; a pick that names nothing is an error naming it."""
    reply = find_reply(thread, pick)
    if reply is not None:
        return reply
    numbers = [r.number for r in thread.replies if r.number is not None]
    known = f"numbers {min(numbers)}-{max(numbers)}" if numbers else "no comment numbers"
    raise ConfigError(
        f"featured reply {pick.label} is not in the thread ({len(thread.replies)} replies, {known})",
        where=where,
        fix="correct it, or remove it; `digest candidates NAME` lists every reply with its id",
    )


def _excluded(reply: Reply, rules: tuple[str, ...], canon=people(())) -> str | None:
    for rule in rules:
        if rule.startswith("@") and canon(reply.author) == canon(rule[1:]):
            return rule
        if rule.startswith("#") and rule[1:].isdigit() and reply.number == int(rule[1:]):
            return rule
        if rule == reply.id:
            return rule
    return None


def _editor_picks(thread, source, extra, where, strict, history, ranking: Ranking) -> tuple[list[Pick], list[str]]:
    picks: list[Pick] = []
    warnings: list[str] = []
    wanted = [(f, f"{where}.featured #{i}", False) for i, f in enumerate(source.featured, start=1)]
    wanted += [(p.reply, p.where, True) for p in extra]
    for featured, place, from_picks_file in wanted:
        reply = find_reply(thread, featured)
        if reply is None:
            if strict or not from_picks_file:
                resolve_featured(thread, featured, place)  # raises, naming the pick
            warnings.append(f"{place}: reply {featured.label} is no longer in the thread; left out")
            continue
        if any(p.reply_id == reply.id for p in picks):
            continue
        issue = history.featured.get((thread.id, reply.id))
        if issue is not None:
            warnings.append(f"{place}: reply {reply.id} was featured in issue {issue}; featured again as the editor asked")
        score = ranking.of_reply(thread.links.position[reply.id]).score
        picks.append(Pick(reply.id, "editor", score, featured.note, featured.full))
    return picks, warnings


def select(
    thread: Thread,
    source: ThreadSource,
    *,
    count: int,
    order: str,
    where: str,
    settings: SelectionConfig = DEFAULT_SETTINGS,
    history: History = EMPTY_HISTORY,
    next_picks: tuple[NextPick, ...] = (),
    strict: bool = True,
) -> Selection:
    """Featured replies (the editor is in charge), topped up by the scorer to ``count``.

    ``strict`` = False (a scheduled run) leaves out a pick from the picks file whose reply
    has vanished from the source, with a warning, instead of failing."""
    canon = people(settings.aliases)
    candidates = score_replies(thread, source.author, settings, history)
    replies = _Replies(thread)
    picks, warnings = _editor_picks(thread, source, next_picks, where, strict, history, candidates)
    follow = candidates.followups
    thread_author = canon(source.author or thread.author or "")
    taken = {p.reply_id for p in picks}
    per_author = Counter(canon(replies[p].author) for p in taken)
    own = _own_texts()
    chosen_text = [(PICK_DUPLICATE, signals.own_shingles(replies[p], own(replies[p]))) for p in taken]
    chosen_text += _featured_before(thread, replies, settings, history)

    def judged(candidate: Candidate) -> Candidate:
        """The candidate with the exclude rule or the reason that passes it over, if any."""
        reply = replies[candidate.reply_id]
        rule = _excluded(reply, source.exclude, canon)
        reason = None if rule or candidate.reply_id in taken else _passed_over(
            thread, reply, travels_with(reply.id, follow, taken), settings, history, per_author, thread_author,
            chosen_text if len(picks) < count else None, canon, own,
        )
        return replace(candidate, excluded_by=rule, skipped=reason) if rule or reason else candidate

    seen = []
    for candidate in candidates:
        if len(picks) >= count:  # complete: no later candidate's reason can change
            break
        seen.append(judged(candidate))
        if seen[-1].excluded_by or seen[-1].skipped or candidate.reply_id in taken:
            continue
        reply = replies[candidate.reply_id]
        per_author[canon(reply.author)] += 1
        chosen_text.append((PICK_DUPLICATE, signals.own_shingles(reply, own(reply))))
        picks.append(Pick(candidate.reply_id, "scorer", candidate.score))
        taken.add(candidate.reply_id)
    ranked = _Judged(seen, candidates, judged)
    travelling: dict[str, list[str]] = {}
    for reply_id in follow:  # in thread order; only a follow-up travels
        pick = None if reply_id in taken else travels_with(reply_id, follow, taken)
        if pick is not None:
            travelling.setdefault(pick, []).append(reply_id)
    shown = [replace(p, followups=tuple(travelling.get(p.reply_id, ()))) for p in picks]
    if not shown and ranked:
        warnings.append(_nothing_featured(where, ranked))
    last = history.last_issue_at if settings.since_last_issue else None
    fresh = [r for r in thread.replies if not (r.posted_at and r.posted_at <= last)] if last else thread.replies
    people_writing = {canon(author) for author in {r.author for r in fresh} if not nameless(author)}
    activity = len(fresh) + 0.5 * len(people_writing)
    return Selection(thread.id, tuple(_ordered(shown, order, thread)), ranked, tuple(warnings), activity)


class _Replies(Mapping[str, Reply]):
    """Reply id -> reply, through the thread's positions (no dict of 100,000 replies built)."""

    def __init__(self, thread: Thread):
        self._replies, self._position = thread.replies, thread.links.position

    def __getitem__(self, reply_id: str) -> Reply:
        return self._replies[self._position[reply_id]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)


class _Judged(Sequence[Candidate]):
    """Every candidate, best first, with the rule or reason that passed it over: those the
    picking went through, then the rest, judged when read.  Once the picks are complete no
    reason can change, and a digest reads a few candidates of threads of up to 100,000."""

    def __init__(self, seen: list[Candidate], ranking: Ranking, judged: Callable[[Candidate], Candidate]):
        self._seen, self._ranking, self._judged = seen, ranking, judged

    def __len__(self) -> int:
        return len(self._ranking)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        k = range(len(self))[index]  # a negative index counts from the end; past the end is an IndexError
        return self._seen[k] if k < len(self._seen) else self._judged(self._ranking[k])

    def __eq__(self, other: object) -> bool:  # as the tuple of candidates it stands for
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))


def _nothing_featured(where: str, ranked: list[Candidate]) -> str:
    """The warning for a thread whose every reply was passed over (all of them "Thanks!"): the
    issue leaves it out (its section would show only the counts and the link), and the editor
    hears why."""
    reasons = Counter((c.skipped or f"excluded by {c.excluded_by}").split(" (")[0] for c in ranked if c.skipped or c.excluded_by)
    why = ", ".join(f"{count} {reason}" for reason, count in reasons.most_common())
    shorter = " or lower [selection] min_words" if any(c.skipped and c.skipped.startswith(TOO_SHORT) for c in ranked) else ""
    return (f"{where}: no reply is featured ({why or 'none passed over'}), so the thread is left out of this issue; "
            f"feature one with [[thread.featured]]{shorter}")


def _before_window(reply: Reply, settings: SelectionConfig, history: History) -> bool:
    last = history.last_issue_at
    return bool(settings.since_last_issue and last and reply.posted_at and reply.posted_at <= last)


PICK_DUPLICATE = "near-duplicate of a pick"
TOO_SHORT = "too short to feature"


def _featured_before(thread: Thread, replies: dict[str, Reply], settings: SelectionConfig, history: History) -> list[tuple[str, set]]:
    """What earlier issues featured from this thread, to compare with: a recurring digest does
    not feature next week a near-copy of this week's pick ("+1, use mulch")."""
    if not settings.novelty or settings.near_duplicate >= 1:
        return []
    return [
        (f"near-duplicate of a reply featured in issue {issue}", signals.own_shingles(replies[reply_id]))
        for (thread_id, reply_id), issue in history.featured.items()
        if thread_id == thread.id and reply_id in replies
    ]


def _own_texts() -> Callable[[Reply], str]:
    """``signals.own_text``, worked out once per reply: ``select`` needs it for the length
    rule, for the near-duplicate test and again for each pick."""
    texts: dict[str, str] = {}

    def own(reply: Reply) -> str:
        if reply.id not in texts:
            texts[reply.id] = signals.own_text(reply)
        return texts[reply.id]

    return own


def _passed_over(thread, reply, shown_with, settings, history, per_author, thread_author, chosen_text, canon, own) -> str | None:
    """Why the scorer will not take this reply, or None."""
    if placeholder(reply):
        return "placeholder of a deleted or removed reply"
    if shown_with is not None:
        return f"follow-up to {shown_with}, shown with it"
    issue = history.featured.get((thread.id, reply.id))
    if settings.novelty and issue is not None:
        return f"featured in issue {issue}"
    if _before_window(reply, settings, history):
        return "posted before the last issue"
    own_words = len(signals.words(own(reply))) if settings.min_words else 0
    if own_words < settings.min_words and "<img" not in reply.body:
        return f"{TOO_SHORT} ({own_words} {'word' if own_words == 1 else 'words'}; min_words = {settings.min_words})"
    author = canon(reply.author)
    if author != thread_author and not nameless(reply.author) and per_author[author] >= settings.per_author:
        return f"{settings.per_author} {'reply' if settings.per_author == 1 else 'replies'} by this author already"
    if chosen_text is None or settings.near_duplicate >= 1:  # the picks are complete: no need to compare
        return None
    shingles = signals.own_shingles(reply, own(reply))
    return next((why for why, other in chosen_text if signals.overlap(shingles, other) >= settings.near_duplicate), None)


def _ordered(picks: list[Pick], order: str, thread: Thread) -> list[Pick]:
    position = thread.links.position
    if order == "thread":
        return sorted(picks, key=lambda p: position[p.reply_id])
    if order == "score":
        return sorted(picks, key=lambda p: (-p.score, position[p.reply_id]))
    return picks


# ------------------------------------------------------------------------------ a digest

def _picks_for(index: int, thread: Thread, picks: tuple[NextPick, ...]) -> tuple[NextPick, ...]:
    return tuple(p for p in picks if p.thread in (None, index + 1, thread.id))


def select_digest(
    config: DigestConfig,
    threads: tuple[Thread, ...],
    history: History = EMPTY_HISTORY,
    *,
    strict: bool = True,
) -> tuple[Selection, ...]:
    """Every thread's selection (in config order), then the issue-wide limit ``total``: the
    editor's picks always stay; the scorer's best picks over all threads fill the rest."""
    settings = config.selection
    unmatched = [p for p in settings.next_picks if isinstance(p.thread, str) and p.thread not in {t.id for t in threads}]
    if unmatched and strict:
        raise ConfigError(f"no followed thread has the id {unmatched[0].thread!r}", where=unmatched[0].where, fix="use the thread's position (1, 2, ...) or an id `digest candidates` shows")
    selections = [
        select(
            thread,
            config.threads[i],
            count=config.replies,
            order=config.order,
            where=f"{config.path} [[thread]] #{i + 1}",
            settings=settings,
            history=history,
            next_picks=_picks_for(i, thread, settings.next_picks),
            strict=strict,
        )
        for i, thread in enumerate(threads)
    ]
    if unmatched:
        selections[0] = replace(selections[0], warnings=selections[0].warnings + tuple(f"{p.where}: no thread {p.thread!r}; left out" for p in unmatched))
    if settings.total is None:
        return tuple(selections)
    editor = sum(1 for s in selections for p in s.picks if p.picked_by == "editor")
    scorer = sorted(((-p.score, i, p.reply_id) for i, s in enumerate(selections) for p in s.picks if p.picked_by == "scorer"))
    keep = {(i, rid) for _, i, rid in scorer[: max(0, settings.total - editor)]}
    return tuple(
        replace(s, picks=tuple(p for p in s.picks if p.picked_by == "editor" or (i, p.reply_id) in keep))
        for i, s in enumerate(selections)
    )
