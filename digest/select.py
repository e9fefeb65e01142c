"""Choosing the key replies: the editor's featured picks first, then an explainable scorer.

Pure: takes the thread and its config, returns a ``Selection`` with every candidate's score
broken down into signal contributions, so ``digest candidates`` can show an editor why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from digest.body import plain_words
from digest.config import FeaturedReply, ThreadSource
from digest.errors import ConfigError
from digest.model import Reply, Thread

#: signal -> (default weight, what it measures).  Each signal is scaled to 0..1.
SIGNALS: dict[str, tuple[float, str]] = {
    "replies": (1.0, "direct replies received (structural children), saturating: 1 - 1/(1+n)"),
    "mentions": (0.5, "certain references received (@Name #N resolved to this reply)"),
    "votes": (1.0, "likes / score / recommendations, log-scaled against the thread's most-voted reply"),
    "substance": (1.5, "length in a useful band: short one-liners score low, 60-400 words score 1, walls of text decay"),
    "author": (0.5, "written by the thread's author (the article's writer answering readers)"),
}
PER_AUTHOR_CAP = 2  # scorer picks per author; the thread author is exempt


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
    reasons: tuple[Reason, ...]
    excluded_by: str | None = None  # the exclude rule that removed it


@dataclass(frozen=True)
class Pick:
    reply_id: str
    picked_by: str  # "editor" or "scorer"
    score: float
    note: str | None = None
    full: bool = False  # the editor asked for this reply in full: never excerpted


@dataclass(frozen=True)
class Selection:
    thread_id: str
    picks: tuple[Pick, ...]  # in the digest's order
    candidates: tuple[Candidate, ...]  # every reply, best first


def _substance(words: int) -> float:
    if words < 15:
        return 0.2 * words / 15
    if words < 60:
        return 0.2 + 0.8 * (words - 15) / 45
    if words <= 400:
        return 1.0
    return max(0.6, 1.0 - 0.4 * (words - 400) / 800)


def _votes(reply: Reply) -> int | None:
    e = reply.engagement
    for value in (e.score, e.likes, e.recommendations):
        if value is not None:
            return max(0, value)
    return None


def score_replies(thread: Thread, thread_author: str | None) -> list[Candidate]:
    """Score every reply; the list is ranked best first (ties keep thread order)."""
    children: dict[str, int] = {}
    mentioned: dict[str, int] = {}
    for reply in thread.replies:
        if reply.parent_id:
            children[reply.parent_id] = children.get(reply.parent_id, 0) + 1
        for mention in reply.mentions:
            if mention.reply_id and mention.reply_id != reply.parent_id:
                mentioned[mention.reply_id] = mentioned.get(mention.reply_id, 0) + 1
    most_votes = max((_votes(r) or 0 for r in thread.replies), default=0)
    author = (thread_author or thread.author or "").casefold()
    scored = []
    for position, reply in enumerate(thread.replies):
        votes = _votes(reply)
        values = {
            "replies": 1 - 1 / (1 + children.get(reply.id, 0)),
            "mentions": 1 - 1 / (1 + mentioned.get(reply.id, 0)),
            "votes": math.log1p(votes) / math.log1p(most_votes) if votes is not None and most_votes > 0 else 0.0,
            "substance": _substance(len(plain_words(reply.body).split())),
            "author": 1.0 if author and reply.author.casefold() == author else 0.0,
        }
        reasons = tuple(Reason(name, round(values[name], 4), SIGNALS[name][0]) for name in SIGNALS)
        total = round(sum(r.contribution for r in reasons), 4)
        scored.append((-total, position, Candidate(reply.id, total, reasons)))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [candidate for _, _, candidate in scored]


def resolve_featured(thread: Thread, pick: FeaturedReply, where: str) -> Reply:
    """The reply an editor's pick names; a pick that names nothing is an error naming it."""
    for reply in thread.replies:
        if (
            (pick.id is not None and reply.id == pick.id)
            or (pick.number is not None and reply.number == pick.number)
            or (pick.permalink is not None and reply.permalink == pick.permalink)
        ):
            return reply
    numbers = [r.number for r in thread.replies if r.number is not None]
    known = f"numbers {min(numbers)}-{max(numbers)}" if numbers else "no comment numbers"
    raise ConfigError(
        f"featured reply {pick.label} is not in the thread ({len(thread.replies)} replies, {known})",
        where=where,
        fix="correct it, or remove it; `digest candidates NAME` lists every reply with its id",
    )


def _excluded(reply: Reply, rules: tuple[str, ...]) -> str | None:
    for rule in rules:
        if rule.startswith("@") and reply.author.casefold() == rule[1:].strip().casefold():
            return rule
        if rule.startswith("#") and rule[1:].isdigit() and reply.number == int(rule[1:]):
            return rule
        if rule == reply.id:
            return rule
    return None


def select(thread: Thread, source: ThreadSource, *, count: int, order: str, where: str) -> Selection:
    """Featured replies (the editor is in charge), topped up by the scorer to ``count``."""
    candidates = score_replies(thread, source.author)
    by_id = {c.reply_id: c for c in candidates}
    picks: list[Pick] = []
    taken: set[str] = set()
    for index, featured in enumerate(source.featured, start=1):
        reply = resolve_featured(thread, featured, f"{where}.featured #{index}")
        if reply.id not in taken:
            picks.append(Pick(reply.id, "editor", by_id[reply.id].score, featured.note, featured.full))
            taken.add(reply.id)
    replies = {r.id: r for r in thread.replies}
    thread_author = (source.author or thread.author or "").casefold()
    per_author: dict[str, int] = {}
    ranked = []
    for candidate in candidates:
        rule = _excluded(replies[candidate.reply_id], source.exclude)
        ranked.append(Candidate(candidate.reply_id, candidate.score, candidate.reasons, rule) if rule else candidate)
        if rule or candidate.reply_id in taken or len(picks) >= count:
            continue
        author = replies[candidate.reply_id].author.casefold()
        if author != thread_author and per_author.get(author, 0) >= PER_AUTHOR_CAP:
            continue
        per_author[author] = per_author.get(author, 0) + 1
        picks.append(Pick(candidate.reply_id, "scorer", candidate.score))
        taken.add(candidate.reply_id)
    position = {r.id: i for i, r in enumerate(thread.replies)}
    if order == "thread":
        picks.sort(key=lambda p: position[p.reply_id])
    elif order == "score":
        picks.sort(key=lambda p: (-p.score, position[p.reply_id]))
    return Selection(thread.id, tuple(picks), tuple(ranked))
