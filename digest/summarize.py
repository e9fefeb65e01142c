"""What a reader sees of each thread: selected replies as excerpts or full text, what each
one answers, thread statistics and the links back to the source.  Pure."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

import lxml.html

from digest.body import SIGNATURE_CLASS, plain_words
from digest.model import Reply, Thread
from digest.select import Selection

EXCERPT_MARK = "[…]"
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9@])")


@dataclass(frozen=True)
class Context:
    """The reply an item answers, only when the source shows it (parent) or it is certain (mention)."""

    reply_id: str
    author: str
    url: str | None
    how: str  # "parent" or "mention"


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
    """Keep the opening of a reply up to about ``words`` words, cut at a sentence boundary.

    Quoted text and signatures are left out (someone else's words, or noise); the cut is
    marked with […].  A reply at most a quarter longer than the budget is kept whole.
    Returns the HTML and whether anything was left out.
    """
    if not body or len(plain_words(body).split()) <= words * 1.25:
        return body, False
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    kept: list[str] = []
    used = 0
    left_out = False
    for block in root:
        if block.tag == "blockquote" or SIGNATURE_CLASS in (block.get("class") or ""):
            left_out = True
            continue
        text = " ".join(block.text_content().split())
        count = len(text.split())
        if used + count <= words:
            block.tail = None
            kept.append(lxml.html.tostring(block, encoding="unicode"))
            used += count
            continue
        taken: list[str] = []
        for sentence in _SENTENCE_END.split(text):
            n = len(sentence.split())
            if used + n > words and (taken or kept):
                break
            if n > 2 * words:  # one enormous sentence: cut it at a word boundary
                sentence = " ".join(sentence.split()[:words])
            taken.append(sentence)
            used += n
        kept.append(f"<p>{html.escape(' '.join(taken), quote=False)} {EXCERPT_MARK}</p>" if taken else f"<p>{EXCERPT_MARK}</p>")
        left_out = True
        break
    if not left_out or not kept:
        return body, False
    if not kept[-1].endswith(f"{EXCERPT_MARK}</p>"):
        kept.append(f"<p>{EXCERPT_MARK}</p>")
    return "".join(kept), True


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
        return Context(parent.id, parent.author, parent.permalink, "parent")
    for mention in reply.mentions:
        if mention.reply_id in by_id and mention.reply_id != reply.id:
            target = by_id[mention.reply_id]
            return Context(target.id, target.author, target.permalink, "mention")
    return None


def summarize(
    thread: Thread,
    selection: Selection,
    *,
    title: str,
    url: str | None,
    full_text: bool,
    excerpt_words: int,
) -> ThreadSummary:
    by_id = {r.id: r for r in thread.replies}
    position = {r.id: i for i, r in enumerate(thread.replies, start=1)}
    items = []
    for pick in selection.picks:
        reply = by_id[pick.reply_id]
        body, cut = (reply.body, False) if full_text or pick.full else excerpt(reply.body, excerpt_words)
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
    authors = {r.author.casefold() for r in thread.replies}
    if thread.opening_post:
        authors.add(thread.opening_post.author.casefold())
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
        not_shown=max(0, total - len(items)) if total is not None else None,
        partial=thread.partial,
        items=tuple(items),
    )
