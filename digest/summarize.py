"""What a reader sees of each thread: selected replies as excerpts or full text, what each
one answers, thread statistics and the links back to the source.  Pure."""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import lxml.html

from digest.body import SIGNATURE_CLASS, clean, plain_words
from digest.model import Reply, Thread
from digest.select import Selection
from digest.signals import own_text, terms

EXCERPT_MARK = "[…]"
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9@])")


@dataclass(frozen=True)
class Context:
    """The reply an item answers, only when the source shows it (parent) or it is certain (mention)."""

    reply_id: str
    author: str
    url: str | None
    how: str  # "parent" or "mention"
    snippet: str = ""  # the answered reply's opening words, so the reader knows the point


SNIPPET_WORDS = 12


def snippet(reply: Reply) -> str:
    """The opening words of a reply's own text (quotes and @names left out)."""
    text = " ".join(w for w in own_text(reply).split() if not w.startswith("@"))
    words = text.split()
    return " ".join(words[:SNIPPET_WORDS]) + ("…" if len(words) > SNIPPET_WORDS else "")


@dataclass(frozen=True)
class Item:
    reply_id: str
    author: str
    number: int | None
    position: int | None  # 1-based place in the thread, only when the import is complete
    depth: int  # 0 = answers the thread; nesting as the source shows it
    posted_at: datetime | None
    posted_at_text: str | None
    url: str  # the reply's permalink, else the thread's page
    has_permalink: bool
    answers: Context | None
    body: str  # body subset HTML: the full reply or its excerpt
    excerpted: bool
    words: int
    picked_by: str
    note: str | None
    score: float


@dataclass(frozen=True)
class ThreadSummary:
    thread_id: str
    title: str
    url: str | None
    note: str | None
    replies_imported: int
    participants: int
    first_at: datetime | None
    last_at: datetime | None
    total_replies: int | None  # known total at the source
    not_shown: int | None  # None when unknown (partial import): "more at the source"
    partial: bool
    items: tuple[Item, ...]


def excerpt(body: str, words: int) -> tuple[str, bool]:
    """The reply's key sentences, up to about ``words`` words, in their order of appearance.

    Sentences are ranked by how much of the reply's own vocabulary they carry (the opening
    sentence gets a head start, since it usually sets the scene); gaps are marked with […].
    Quoted text and signatures are left out (someone else's words, or noise).  A reply at
    most a quarter longer than the budget is kept whole.  A paragraph kept entire keeps its
    markup (links, emphasis).  Returns the HTML and whether anything was left out.
    """
    if not body or len(plain_words(body).split()) <= words * 1.25:
        return body, False
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    blocks = [b for b in root if b.tag != "blockquote" and SIGNATURE_CLASS not in (b.get("class") or "")]
    units = _sentences(blocks, words)
    if not units:
        return body, False
    chosen = _key_sentences(units, words)
    return _assemble(blocks, units, chosen), True


@dataclass(frozen=True)
class _Sentence:
    block: int
    text: str
    words: int


def _sentences(blocks, budget: int) -> list[_Sentence]:
    units = []
    for index, block in enumerate(blocks):
        text = " ".join(block.text_content().split())
        if not text:
            continue
        pieces = _SENTENCE_END.split(text) if block.tag == "p" else [text]
        for piece in pieces:
            tokens = piece.split()
            if len(tokens) > 2 * budget:  # one enormous sentence: cut it at a word boundary
                piece = " ".join(tokens[:budget])
            units.append(_Sentence(index, piece, min(len(tokens), budget)))
    return units


def _key_sentences(units: list[_Sentence], budget: int) -> set[int]:
    """Indexes of the sentences that carry most of the reply's vocabulary, within the budget."""
    distinct = {u.text: set(terms(u.text)) for u in units}  # a repeated sentence counts once
    frequency = Counter(t for words in distinct.values() for t in words)
    def weight(i: int, unit: _Sentence) -> float:
        own = sorted(set(terms(unit.text)))  # a fixed order: the same sum, whatever the hash seed
        score = sum(math.log1p(frequency[t]) for t in own) / math.sqrt(len(own) + 1) if own else 0.0
        if unit.words < 5:
            score *= 0.3  # fragments ("Thanks.", "Agreed!") say little on their own
        return score * (1.5 if i == 0 else 1.0)

    ranked = sorted(range(len(units)), key=lambda i: (-weight(i, units[i]), i))
    chosen: set[int] = set()
    used = 0
    for i in ranked:
        if used + units[i].words <= budget or not chosen:
            chosen.add(i)
            used += units[i].words
        if used >= budget * 0.9:
            break
    for i in sorted(chosen):  # a list keeps the sentence that introduces it ("two kinds:")
        if i > 0 and units[i].block != units[i - 1].block and units[i - 1].text.endswith(":"):
            chosen.add(i - 1)
    return chosen


def _assemble(blocks, units: list[_Sentence], chosen: set[int]) -> str:
    """Chosen sentences in order: whole paragraphs keep their markup, each gap gets one […]."""
    by_block: dict[int, list[int]] = {}
    for i, unit in enumerate(units):
        by_block.setdefault(unit.block, []).append(i)
    out: list[str] = []
    mark = f"<p>{EXCERPT_MARK}</p>"

    def marked() -> bool:
        return bool(out) and out[-1].endswith(f"{EXCERPT_MARK}</p>")

    gap = False  # own words left out since the last sentence kept
    for block_index, members in by_block.items():
        kept = [i for i in members if i in chosen]
        if not kept:
            gap = True
            continue
        if len(kept) == len(members):
            if gap and not marked():
                out.append(mark)
            block = blocks[block_index]
            block.tail = None
            out.append(lxml.html.tostring(block, encoding="unicode"))
        else:
            parts: list[str] = []
            previous = None
            for i in kept:
                opening_gap = previous is None and (gap or i != members[0]) and not marked()
                if opening_gap or (previous is not None and i != previous + 1):
                    parts.append(EXCERPT_MARK)
                parts.append(html.escape(units[i].text, quote=False))
                previous = i
            if previous != members[-1]:
                parts.append(EXCERPT_MARK)
            out.append(f"<p>{' '.join(parts)}</p>")
        gap = False
    if gap and not marked():
        out.append(mark)
    return "".join(out)


def with_followup(reply: Reply) -> str:
    """The author's short follow-up (a correction), shown after the reply it belongs to."""
    when = f" ({reply.posted_at_text})" if reply.posted_at_text else ""
    return f"<p><em>{html.escape(reply.author, quote=False)} added{when}:</em></p>{clean(reply.body)}"


def _depth(reply: Reply, by_id: dict[str, Reply]) -> int:
    depth, seen = 0, set()
    while reply.parent_id in by_id and reply.parent_id not in seen and depth < 4:
        seen.add(reply.parent_id)
        reply = by_id[reply.parent_id]
        depth += 1
    return depth


def _context(reply: Reply, by_id: dict[str, Reply]) -> Context | None:
    if reply.parent_id in by_id:
        parent = by_id[reply.parent_id]
        return Context(parent.id, parent.author, parent.permalink, "parent", snippet(parent))
    for mention in reply.mentions:
        if mention.reply_id in by_id and mention.reply_id != reply.id:
            target = by_id[mention.reply_id]
            return Context(target.id, target.author, target.permalink, "mention", snippet(target))
    return None


def summarize(
    thread: Thread,
    selection: Selection,
    *,
    title: str,
    url: str | None,
    full_text: bool,
    excerpt_words: int,
    scorer_excerpt_words: int | None = None,
    person: Callable[[str], str] = str.casefold,
) -> ThreadSummary:
    by_id = {r.id: r for r in thread.replies}
    position = {r.id: i for i, r in enumerate(thread.replies, start=1)}
    items = []
    for pick in selection.picks:
        reply = by_id[pick.reply_id]
        words = scorer_excerpt_words if scorer_excerpt_words and pick.picked_by == "scorer" else excerpt_words
        safe = clean(reply.body)  # a hand-edited thread file may hold markup no importer wrote
        body, cut = (safe, False) if full_text or pick.full else excerpt(safe, words)
        body += "".join(with_followup(by_id[f]) for f in pick.followups)
        items.append(
            Item(
                reply_id=reply.id,
                author=reply.author,
                number=reply.number,
                position=None if thread.partial else position[reply.id],
                depth=_depth(reply, by_id),
                posted_at=reply.posted_at,
                posted_at_text=reply.posted_at_text,
                url=reply.permalink or url or "",
                has_permalink=reply.permalink is not None,
                answers=_context(reply, by_id),
                body=body,
                excerpted=cut,
                words=len(plain_words(reply.body).split()),
                picked_by=pick.picked_by,
                note=pick.note,
                score=pick.score,
            )
        )
    times = [r.posted_at for r in thread.replies if r.posted_at]
    authors = {person(r.author) for r in thread.replies}
    if thread.opening_post:
        authors.add(person(thread.opening_post.author))
    total = thread.total_replies if thread.total_replies is not None else (None if thread.partial else len(thread.replies))
    return ThreadSummary(
        thread_id=thread.id,
        title=title,
        url=url,
        note=thread.note,
        replies_imported=len(thread.replies),
        participants=len(authors),
        first_at=min(times) if times else None,
        last_at=max(times) if times else None,
        total_replies=total,
        not_shown=max(0, total - len(items) - sum(len(p.followups) for p in selection.picks)) if total is not None else None,
        partial=thread.partial,
        items=tuple(items),
    )
