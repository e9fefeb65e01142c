"""The measurements behind selection, each scaled to 0..1 so a weighted sum stays explainable.

Pure functions over the thread model: text features (length band, TF-IDF closeness to the
opening post, near-duplicates), who answers whom (replies, quotes, mentions) and votes in a
confidence-aware form (Wilson lower bound).
"""

from __future__ import annotations

import bisect
import functools
import html
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Sequence

import lxml.html
import numpy as np

from digest.body import plain_words
from digest.bulk_text import Counting, Pairs, measure_bodies, measure_texts
from digest.model import Engagement, Reply, Thread
from digest.sources.common import SPOILER_LABEL

#: signal -> (default weight, what it measures).  Each signal is scaled to 0..1 and the score
#: is the weighted sum, so ``digest candidates`` can show each signal's contribution.
SIGNALS: dict[str, tuple[float, str]] = {
    "replies": (0.5, "direct replies received from others, saturating: 1 - 1/(1+n)"),
    "mentions": (0.25, "quotes and @mentions received from others, saturating: 1 - 1/(1+n)"),
    "votes": (8.0, "likes / score / recommendations as a Wilson lower bound, relative to the thread's best"),
    "substance": (1.5, "length in a useful band: n/(n+60) words, so one-liners score low and 250 words 0.8; beyond 600 words it decays"),
    "author": (0.5, "written by the thread's starter or the article's author answering"),
    "recency": (0.0, "where the reply falls in the digest's window: 0 at its start, 1 at its end"),
    "relevance": (1.0, "TF-IDF cosine closeness to the opening post or article (and title)"),
    "history": (0.15, "the editor featured this author in earlier issues, smoothed: n/(n+2)"),
}

_WORD = re.compile(r"[a-z0-9][a-z0-9'’-]*")
#: A word of any script: letters and digits (a combining mark of Hebrew, Arabic or an Indic
#: script stays inside its word), joined by apostrophes and hyphens as in ``_WORD``.
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0dff"
_ANY_WORD = re.compile(rf"[^\W_](?:[^\W_]|[{_MARKS}'’-])*")
#: Han and kana: written without spaces, so a run of them is read as overlapping pairs of
#: characters (the usual unit for comparing Chinese and Japanese text without a dictionary).
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"  # kana, Han (a character class)
_CJK_RUN = re.compile(f"[{CJK}]+")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most
    my myself no nor not now of off on once only or other our ours ourselves out over own same she should
    so some such than that the their theirs them themselves then there these they this those through to
    too under until up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves also get got like one really think even much many well still way people
    dont don't im i'm it's thats that's""".split()
)


def words(text: str) -> list[str]:
    """Lower-case words of any script (CJK text as character pairs), so Arabic, Cyrillic or
    Chinese replies have words to compare too: relevance, near-duplicates, key sentences."""
    folded = text.casefold()
    if folded.isascii():
        return _WORD.findall(folded)
    found = []
    for word in _ANY_WORD.findall(folded):
        if _CJK_RUN.search(word):
            found.extend(_cjk_pieces(word))
        else:
            found.append(word)
    return found


def _cjk_pieces(word: str) -> list[str]:
    """A word holding Han or kana: its other letters as words, each Han or kana run as
    overlapping character pairs ("数据库" -> "数据", "据库"; one character stays one)."""
    pieces, start = [], 0
    for run in _CJK_RUN.finditer(word):
        pieces.extend(_ANY_WORD.findall(word[start:run.start()]))
        chars = run.group()
        pieces.extend([chars] if len(chars) == 1 else [chars[i:i + 2] for i in range(len(chars) - 1)])
        start = run.end()
    pieces.extend(_ANY_WORD.findall(word[start:]))
    return pieces


_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def stem(word: str) -> str:
    """A crude suffix strip, enough for "splitting" and "split" to meet."""
    if word.endswith(_SUFFIXES):  # one call for the words (most) ending in none
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


@functools.lru_cache(maxsize=1 << 17)
def _term(word: str) -> str:
    return stem(word) if (len(word) > 2 or _CJK_RUN.match(word)) and word not in STOPWORDS else ""


def terms(text: str) -> list[str]:
    """Content words for similarity: lower case, stemmed, stop words and short words dropped."""
    return [term for term in map(_term, words(text)) if term]


# ------------------------------------------------------------------------------ length

SUBSTANCE_HALF = 60  # words at which substance reaches one half
SUBSTANCE_WALL = 600  # beyond this, a wall of text: the value decays


def substance(count: int) -> float:
    """Length in a useful band, saturating: n/(n+60) (a one-liner ~0.1, 60 words 0.5, 250
    words 0.8), decaying beyond 600 words so walls of text do not win.  The curve follows
    how often newsroom editors picked comments of each length (NYT Picks 2014)."""
    return float(substances(np.array([count]))[0])


def substances(counts: np.ndarray) -> np.ndarray:
    """``substance`` of every word count."""
    values = counts / (counts + SUBSTANCE_HALF)
    wall = counts > SUBSTANCE_WALL
    values[wall] *= np.maximum(0.6, 1.0 - 0.4 * (counts[wall] - SUBSTANCE_WALL) / 1400)
    return values


# ------------------------------------------------------------------------------ votes

def wilson_lower(successes: float, trials: float, z: float = 1.96) -> float:
    """Lower bound of the Wilson score interval: a rate that few observations cannot inflate."""
    if trials <= 0:
        return 0.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    margin = z * math.sqrt((p * (1 - p) + z * z / (4 * trials)) / trials)
    return max(0.0, (centre - margin) / (1 + z * z / trials))


VOTE_KEYS = ("score", "likes", "recommendations", "upvotes")


def vote_count(reply: Reply) -> int | None:
    return _votes(reply.engagement)


def _votes(e: Engagement) -> int | None:
    for value in (e.score, e.likes, e.recommendations, e.upvotes):
        if value is not None:
            return max(0, value)
    return None


def vote_column(replies: tuple[Reply, ...]) -> np.ndarray:
    """Per reply (in thread order), 0..1.  With up and down votes: the Wilson lower bound of
    the approval rate.  With a single count: the Wilson lower bound of the reply's share of
    the thread's votes, relative to the best reply's, damped when the whole thread has only a
    handful of votes.  Worked out once per ``Engagement`` object (the canonical loader
    shares one among replies with equal counts)."""
    every = list(map(attrgetter("engagement"), replies))
    _, first, index = np.unique(np.fromiter(map(id, every), np.int64, len(every)), return_index=True, return_inverse=True)
    engagements = [every[i] for i in first.tolist()]
    counts = [_votes(e) for e in engagements]
    uses = np.bincount(index, minlength=len(engagements)).tolist()
    total = sum(c * used for c, used in zip(counts, uses) if c)
    best = max((c for c in counts if c is not None), default=0)
    top = wilson_lower(best, total) if total else 0.0
    confidence = total / (total + 5)
    values = []
    for e, count in zip(engagements, counts):
        if e.upvotes is not None and e.downvotes is not None and e.upvotes + e.downvotes > 0:
            values.append(wilson_lower(e.upvotes, e.upvotes + e.downvotes))
        elif count and top > 0:
            values.append(confidence * wilson_lower(count, total) / top)
        else:
            values.append(0.0)
    return np.array(values, dtype=float)[index] if values else np.zeros(0)


# ------------------------------------------------------------------------------ TF-IDF

@dataclass(frozen=True)
class Vectors:
    """TF-IDF vectors (sparse, unit length) of the replies, and what the thread is about: the
    opening post (and title) blended with the centroid of the replies."""

    by_id: dict[str, dict[str, float]]
    opening: dict[str, float]


def _unit(weights: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in weights.values()))
    return {k: v / norm for k, v in weights.items()} if norm else {}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def tfidf(texts: dict[str, str], opening: str) -> Vectors:
    """Sublinear TF-IDF with document frequencies from the thread itself (opening post included).

    The readable form of the relevance ``text_measures`` computes in bulk (what its tests compare with)."""
    bags = {key: Counter(terms(text)) for key, text in texts.items()}
    opening_bag = Counter(terms(opening))
    df: Counter[str] = Counter()
    for bag in bags.values():
        df.update(bag.keys())
    df.update(opening_bag.keys())
    n = len(bags) + 1
    idf = {term: math.log((1 + n) / (1 + count)) for term, count in df.items()}

    def vector(bag: Counter[str]) -> dict[str, float]:
        return _unit({t: (1 + _log(c)) * idf[t] for t, c in bag.items()})

    by_id = {key: vector(bag) for key, bag in bags.items()}
    centroid: Counter[str] = Counter()
    for vec in by_id.values():
        centroid.update(vec)
    topic = Counter(_unit(dict(centroid)))
    topic.update(vector(opening_bag))
    return Vectors(by_id, _unit(dict(topic)))


def text_measures(replies: Sequence[Reply], opening: str) -> tuple[list[int], np.ndarray, np.ndarray]:
    """(the replies holding a quote, every reply's word count, every reply's relevance): the
    text of a whole thread read in bulk.  A reply's words are those of its text without the
    files sent with it; its terms, those of its own words (``own_text``).  Relevance is
    ``cosine(tfidf(...).by_id[key], tfidf(...).opening)``, equal to that dict form up to the
    rounding of sums taken in another order."""
    ids, counting = _counting()

    def read_special(i: int) -> tuple[str, str]:
        return plain_words(without_attachments(replies[i].body)), own_text(replies[i])

    special, counts, pairs = measure_bodies([r.body for r in replies], ("<blockquote", ATTACHMENT_START), read_special, counting)
    cosines = _cosines(pairs, measure_texts([opening], counting)[1], len(replies), len(ids))
    quoting = [i for i in special if "<blockquote" in replies[i].body]
    return quoting, counts, cosines


def _counting() -> tuple[dict[str, int], Counting]:
    """Term -> id in order of first use, and the counting that fills it (-1 for a word
    ``terms`` drops)."""
    ids: dict[str, int] = {}

    def term_id(word: str) -> int:
        term = _term(word)
        return ids.setdefault(term, len(ids)) if term else -1

    return ids, Counting(words, term_id, shortest=3)  # as _term: shorter words make terms only in Han or kana, never classed


def _cosines(replies: Pairs, opening: Pairs, n: int, vocabulary: int) -> np.ndarray:
    """TF-IDF cosines of the n replies with the topic: the opening post and title blended
    with the replies' centroid.  In place where it can be: 100,000 replies make millions of
    (reply, term) pairs."""
    idf = np.log((2 + n) / (1 + np.bincount(replies[1], minlength=vocabulary) + np.bincount(opening[1], minlength=vocabulary)))
    doc, tid, weight = _unit_weights(*replies, idf)
    centroid = np.bincount(tid, weight, minlength=vocabulary)
    cnorm = np.sqrt(centroid @ centroid)
    topic = centroid / cnorm if cnorm else np.zeros(vocabulary)
    _, opening_tid, opening_weight = _unit_weights(*opening, idf)
    topic[opening_tid] += opening_weight
    tnorm = np.sqrt(topic @ topic)
    if not tnorm:
        return np.zeros(n)
    topic /= tnorm
    return np.bincount(doc, weight * topic[tid], minlength=n)


def _unit_weights(doc: np.ndarray, tid: np.ndarray, count: np.ndarray, idf: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each text's sublinear TF-IDF weights, scaled to unit length per text."""
    weight = (1 + np.log(np.arange(1, int(count.max(initial=1)) + 1)))[count - 1]  # by count: few distinct counts
    weight *= idf[tid]
    norm = np.sqrt(np.bincount(doc, weight * weight))
    weight *= np.divide(1.0, norm, out=np.zeros_like(norm), where=norm > 0)[doc]
    return doc, tid, weight


@functools.lru_cache(maxsize=1024)
def _log(count: int) -> float:
    return math.log(count)


def shingles(text: str, size: int = 4) -> set[tuple[str, ...]]:
    """Word ``size``-grams; a text shorter than that is one shingle, so "+1" repeats "+1"."""
    tokens = words(text)
    if 0 < len(tokens) < size:
        return {tuple(tokens)}
    return {tuple(tokens[i: i + size]) for i in range(max(0, len(tokens) - size + 1))}


def own_shingles(reply: Reply, own: str | None = None) -> set[tuple[str, ...]]:
    """The word 4-grams of the reply's own text (``own``, when the caller has it already),
    without the words an importer puts in place of a hidden spoiler: the same in every such
    reply, they would make two different replies ("The twist: [spoiler…]", "Ending:
    [spoiler…]") look like copies of each other."""
    return shingles((own_text(reply) if own is None else own).replace(SPOILER_LABEL, " "))


def overlap(a: set, b: set) -> float:
    """The share of ``a``'s word 4-grams found in ``b``: 1.0 when ``a`` only repeats ``b``
    (a quote of it, a "+1" copy), low when ``a`` merely echoes a phrase of it."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a)


# ------------------------------------------------------------------------------ structure

QUOTE_INTRO_WORDS = 30


#: Quote headers that end without a colon: SMF's "Quote from: Tom on May 03, 2010, 09:12:44 AM",
#: vBulletin's "Originally Posted by Tom", a mail's "Skip Montanaro wrote".
_COLONLESS_INTRO = re.compile(r"^(?:quote from:|originally posted by\b)|\b(?:wrote|writes)$", re.IGNORECASE)


def introduces_quote(block) -> bool:
    """A short paragraph ending in a colon right before a quote: the "On Monday, Ann wrote:",
    "在 2023/5/16, 王 写道:" or "sipa said:" line (or a forum's quote header), which means
    nothing once the quote is left out."""
    following = block.getnext()
    if block.tag != "p" or following is None or following.tag != "blockquote":
        return False
    text = block.text_content().strip()
    return (text.endswith((":", "：")) or _COLONLESS_INTRO.search(text) is not None) and len(text.split()) <= QUOTE_INTRO_WORDS


#: A file sent with a message, as the mail importer shows it: its "Attachment: NAME (type,
#: size)" line, then its text as preformatted lines and the line counting what was cut, or
#: the line alone ending ", not shown".
ATTACHMENT_LABEL = re.compile(r"Attachment: .+\)(?:, not shown)?")
ATTACHMENT_CUT = re.compile(r"\[\d+ more lines? of .+ not shown\]")
_ATTACHMENT_HTML = re.compile(
    r"<p>Attachment: [^<]*?\)(?:, not shown</p>|</p><pre>[^<]*</pre>(?:<p>\[\d+ more lines? of [^<]* not shown\]</p>)?)"
)


ATTACHMENT_START = "<p>Attachment: "


def without_attachments(body: str) -> str:
    """The body without the files sent with it: a pasted log of 100 lines is not the sender's
    words, so it neither lengthens a reply nor speaks for what it is about."""
    return _ATTACHMENT_HTML.sub("", body) if ATTACHMENT_START in body else body


def own_text(reply: Reply) -> str:
    """The reply's own words: quoted text, the line introducing a quote, and attached files
    left out."""
    if not reply.body:
        return ""
    body = without_attachments(reply.body)
    if "<blockquote" not in body:
        return plain_words(body)
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    for intro in [block for block in root if introduces_quote(block)]:
        intro.drop_tree()
    for quote in root.findall(".//blockquote"):
        quote.drop_tree()
    inner = html.escape(root.text or "", quote=False) + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    return plain_words(inner)


def quoted_texts(reply: Reply) -> list[str]:
    if not reply.body or "<blockquote" not in reply.body:
        return []
    root = lxml.html.fragment_fromstring(reply.body, create_parent="div")
    return [" ".join(q.text_content().split()) for q in root.iter("blockquote")]


QUOTE_LOOKBACK = 200  # earlier replies searched for a quote's source, besides its parent


def quotes_received(thread: Thread, canon, quoting: list[int] | None = None) -> Counter[str]:
    """Quoted passages (blockquotes) traced to the earlier reply they come from — the parent,
    else the nearest of the previous ``QUOTE_LOOKBACK`` replies — and @Name mentions credited
    to that author's latest earlier reply.  A reply quoting or naming its own author does not
    count.  Shingles are computed only for replies a quote is compared with, so threads of
    100,000 replies stay linear.  ``quoting``: the numbers of the replies holding a
    blockquote, when the caller has them."""
    received: Counter[str] = Counter()
    replies = thread.replies
    if quoting is None:
        quoting = [i for i, r in enumerate(replies) if "<blockquote" in r.body]
    position = thread.links.position
    cache: dict[int, set] = {}

    def shingles_of(index: int) -> set:
        if index not in cache:
            cache[index] = shingles(own_text(replies[index]))
        return cache[index]

    for index in quoting:
        reply = replies[index]
        me = canon(reply.author)
        for quote in quoted_texts(reply):
            quote_shingles = shingles(quote)
            parent = position.get(reply.parent_id or "", index)
            nearby = range(index - 1, max(-1, index - 1 - QUOTE_LOOKBACK), -1)
            for source in ([parent] if parent < index else []) + [j for j in nearby if j != parent]:
                if canon(replies[source].author) != me and overlap(quote_shingles, shingles_of(source)) >= 0.6:
                    received[replies[source].id] += 1
                    break
    naming = [i for i in thread.links.mentioning if any(m.name and not m.reply_id for m in replies[i].mentions)]
    if naming:  # resolved mentions are counted separately
        by_person: dict[str, list[int]] = {}
        for i, reply in enumerate(replies):
            by_person.setdefault(canon(reply.author), []).append(i)
        for index in naming:
            me = canon(replies[index].author)
            for mention in replies[index].mentions:
                if mention.reply_id or not mention.name or canon(mention.name) == me:
                    continue
                earlier = by_person.get(canon(mention.name), [])
                latest = bisect.bisect_left(earlier, index) - 1  # that person's latest reply before this one
                if latest >= 0:
                    received[replies[earlier[latest]].id] += 1
    return received


def recency(times: Sequence[datetime | None], start: datetime | None, end: datetime | None) -> np.ndarray:
    """Where each reply falls in the digest's window: 0 at its start, 1 at its end (0 when
    its time or the window is unknown).  Times are taken as whole microseconds, so a value is
    the exact quotient of two whole numbers (for times within 285 years of 1970)."""
    if start is None or end is None or end <= start:
        return np.zeros(len(times))
    stamps = np.array([t.timestamp() if t is not None else np.nan for t in times], dtype=float)
    first, last = (round(t.timestamp() * 1e6) for t in (start, end))
    values = np.clip((np.rint(stamps * 1e6) - first) / (last - first), 0.0, 1.0)
    values[np.isnan(values)] = 0.0  # time unknown
    return values


def word_count(reply: Reply) -> int:
    return len(plain_words(reply.body).split())
