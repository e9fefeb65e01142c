"""What a reader sees of each thread: selected replies as excerpts or full text, what each
one answers, thread statistics and the links back to the source.  Pure."""

from __future__ import annotations

import copy
import html
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

import lxml.html
from babel import Locale
from babel.dates import format_date

from digest.body import BLOCK_TAGS, SIGNATURE_CLASS, clean, plain_words
from digest.labels import Labels, english, locale_of
from digest.model import Reply, Thread
from digest.select import Selection, nameless, placeholder
from digest.signals import ATTACHMENT_CUT, ATTACHMENT_LABEL, CJK, introduces_quote, own_text, terms

EXCERPT_MARK = "[…]"
SLACK = 1.25  # a reply, sentence or block at most this much over the budget is kept whole
_SEPARATED = BLOCK_TAGS | {"li", "br"}  # tags that end a word, as ``plain_words`` reads them
#: Han and kana are written without spaces: each two characters count as a word (about what
#: an English word carries), with the punctuation after them, so a Chinese or Japanese reply
#: has a length and sentences too.
_CJK_TRAILING = "，。！？、；：」』）》〉”’"
_WORD_SPAN = re.compile(rf"[{CJK}]{{1,2}}[{_CJK_TRAILING}]*|[^\s{CJK}]+")
LONG_WORD = 80  # characters: a longer "word" (a pasted hash, blob or minified line) is shown cut
_LONG_WORD = re.compile(r"[^\s%s]{%d,}" % (CJK, LONG_WORD + 1))
#: A sentence ends with one of these (Latin, CJK, Arabic, Urdu, Devanagari), then closing
#: quotes or brackets, and the next begins with anything but a lower-case letter.
_TERMINALS = ".!?…。！？؟۔।"
_CLOSERS = "\"”’)]」』）"
_OPENERS = "\"“‘([「『（"
#: Abbreviations whose full stop never ends a sentence, whatever follows ("e.g. C or C++").
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "cf.", "vs.", "viz.", "approx.", "incl.", "mr.", "mrs.", "ms.", "dr.", "prof."})


def tokens(text: str) -> list[str]:
    """The words of a text as excerpts count them: runs without spaces, and Han or kana two
    characters at a time."""
    return _WORD_SPAN.findall(text)


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
    """The opening words of a reply's own text (quotes and @names left out); none for a
    deleted reply's placeholder, whose "[deleted]" says nothing the author's name does not."""
    if placeholder(reply):
        return ""
    text = " ".join(w for w in own_text(reply).split() if not w.startswith("@"))
    spans = list(_WORD_SPAN.finditer(text))
    if len(spans) <= SNIPPET_WORDS:
        return text
    return text[: spans[SNIPPET_WORDS - 1].end()] + "…"


@dataclass(frozen=True)
class Item:
    reply_id: str
    author: str
    number: int | None
    position: int | None  # 1-based place in the thread, only when the import is complete
    depth: int  # nesting under the items shown: 0 = its parent is not among them
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
    most a quarter longer than the budget is kept whole.  What is kept keeps its markup
    (links, emphasis); a sentence far over the budget is cut at a word, a long list keeps
    its first items and a long code block its first lines, so no single block can carry
    the whole reply into the digest.  A "word" longer than ``LONG_WORD`` characters keeps
    only its start (the budget counts words, and one pasted blob can be 50 kB).  Returns the
    HTML and whether anything was left out.
    """
    if not body:
        return body, False
    text = plain_words(body)
    fits = len(tokens(text)) <= words * SLACK
    if fits and not _LONG_WORD.search(text):
        return body, False
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    shortened = _shorten_long_words(root)
    if fits:
        return (_inner_html(root), True) if shortened else (body, False)
    named = _take_attachments(root)
    blocks = [b for b in root if b.tag != "blockquote" and SIGNATURE_CLASS not in (b.get("class") or "") and not introduces_quote(b)]
    units = _sentences(blocks, words)
    if not units:
        return (named, True) if named else (body, False)
    chosen = _key_sentences(units, words)
    return _assemble(blocks, units, chosen) + named, True


def _take_attachments(root) -> str:
    """Remove the files sent with a mail (their "Attachment: NAME" line, preformatted text and
    the line counting what was cut) from the parsed reply, and return each file's line as the
    excerpt shows it: after the reply's own words, ", not shown", since a log's first lines
    are not what the sender said and would crowd out their words."""
    named = []
    blocks = list(root)
    for index, block in enumerate(blocks):
        label = " ".join(block.text_content().split())
        if block.tag != "p" or not ATTACHMENT_LABEL.fullmatch(label):
            continue
        following = blocks[index + 1: index + 3]
        members = [block]
        if not label.endswith(", not shown"):
            if not following or following[0].tag != "pre":
                continue  # a line that only looks like the label, with no file under it
            members.append(following[0])
            if len(following) > 1 and ATTACHMENT_CUT.fullmatch(" ".join(following[1].text_content().split())):
                members.append(following[1])
            label += ", not shown"
        for member in members:
            root.remove(member)  # a parse of its own: the reply itself is untouched
        named.append(f"<p>{html.escape(label, quote=False)}</p>")
    return "".join(named)


def _shorten_long_words(root) -> bool:
    """Cut every word over ``LONG_WORD`` characters to its start and a "…".  A link's text is
    left whole: it is usually the address itself, which mail clients wrap.  Returns whether
    any word was cut."""
    cuts = 0

    def cut(text: str | None) -> str | None:
        nonlocal cuts
        if not text:
            return text
        text, count = _LONG_WORD.subn(lambda m: m[0][:LONG_WORD] + "…", text)
        cuts += count
        return text

    for element in root.iter():
        if element.tag != "a" and not any(a.tag == "a" for a in element.iterancestors()):
            element.text = cut(element.text)
        if element is not root:
            element.tail = cut(element.tail)
    return cuts > 0


@dataclass(frozen=True)
class _Layout:
    """A block's visible text (its block tags read as line breaks, so a list item's last word
    never runs into the next item's first) and where each run of text sits in it."""

    text: str
    slots: tuple[tuple[lxml.html.HtmlElement, str, int], ...]  # (element, "text" or "tail", offset)
    extents: tuple[tuple[lxml.html.HtmlElement, int, int], ...]  # (element, start, end), document order


def _layout(block) -> _Layout:
    pieces: list[str] = []
    slots: list[tuple] = []
    extents: list[list] = []
    size = 0

    def add(element, attribute: str | None, text: str) -> None:
        nonlocal size
        if attribute:
            slots.append((element, attribute, size))
        pieces.append(text)
        size += len(text)

    def visit(element) -> None:
        extent = [element, size, size]
        extents.append(extent)
        separated = element.tag in _SEPARATED
        if separated:
            add(element, None, "\n")
        if element.text:
            add(element, "text", element.text)
        for child in element:
            if isinstance(child.tag, str):
                visit(child)
            if child.tail:
                add(child, "tail", child.tail)
        if separated:
            add(element, None, "\n")
        extent[2] = size

    visit(block)
    return _Layout("".join(pieces), tuple(slots), tuple(tuple(e) for e in extents))


def _slice(block, start: int, stop: int):
    """A copy of ``block`` holding only its words ``start``..``stop`` (as ``_layout`` counts
    them) with the markup around them, so a kept link keeps its address."""
    piece = copy.deepcopy(block)
    piece.tail = None
    layout = _layout(piece)
    spans = [m.span() for m in _WORD_SPAN.finditer(layout.text)]
    begin, end = spans[start][0], spans[stop - 1][1]
    for element, attribute, offset in layout.slots:
        text = getattr(element, attribute)
        setattr(element, attribute, text[max(0, begin - offset): max(0, end - offset)] or None)
    for element, first, last in reversed(layout.extents):
        if element is not piece and (last <= begin or first >= end):
            element.drop_tree()
    return piece


def _inner_html(element) -> str:
    return html.escape(element.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in element
    )


@dataclass(frozen=True)
class _Sentence:
    """A ranked unit: a paragraph's sentence, or the opening of a list or code block."""

    block: int
    text: str  # the words shown
    words: int  # how many
    start: int  # the first word's index in its block
    cut: bool = False  # words of the sentence (or block) after these are left out


def _sentences(blocks, budget: int) -> list[_Sentence]:
    units = []
    for index, block in enumerate(blocks):
        layout = _layout(block)
        words = list(_WORD_SPAN.finditer(layout.text))
        if not words:
            continue
        if block.tag == "p":
            spans = _sentence_spans([w.group() for w in words])
        else:  # a list, a code block: one unit, its first items or lines
            spans = [(0, len(words), _parts(block, layout))]
        for start, stop, parts in spans:
            shown = _leading(parts, budget)
            text = layout.text[words[start].start(): words[start + shown - 1].end()]
            units.append(_Sentence(index, " ".join(text.split()), shown, start, start + shown < stop))
    return units


def _sentence_spans(words: list[str]) -> list[tuple[int, int, list[int]]]:
    """Each sentence's word range, and its one part (a sentence is cut only at a word)."""
    spans, start = [], 0
    for index, word in enumerate(words, start=1):
        if index == len(words) or _ends_sentence(word, words[index]):
            spans.append((start, index, [index - start]))
            start = index
    return spans


def _ends_sentence(word: str, following: str) -> bool:
    """``word`` closes a sentence: it ends with a full stop (of any script, before closing
    quotes) that is not an abbreviation's ("e.g. C"), and the next word does not go on in
    lower case ("etc. this" is one sentence)."""
    following = following.lstrip(_OPENERS)
    word = word.rstrip(_CLOSERS)
    return (
        word.endswith(tuple(_TERMINALS))
        and word.lstrip(_OPENERS).casefold() not in _ABBREVIATIONS
        and bool(following)
        and (following[0] == "@" or following[0].isalnum())
        and not following[0].islower()
    )


def _parts(block, layout: _Layout) -> list[int]:
    """Word counts of the parts a block may be cut between: a list's items, a code block's
    lines (any other block is one part)."""
    if block.tag in ("ul", "ol"):
        ends = [last for element, _, last in layout.extents if element.tag == "li" and element.getparent() is block]
    elif block.tag == "pre":
        ends = [m.start() for m in re.finditer("\n", layout.text)]
    else:
        ends = []
    counts, previous = [], 0
    for end in [*ends, len(layout.text)]:
        counts.append(len(tokens(layout.text[previous:end])))
        previous = end
    return [count for count in counts if count]


def _leading(parts: list[int], budget: int) -> int:
    """How many words to show of a unit made of ``parts``: all of them when they fit the
    budget, else the leading parts that fit; a first part far over it is cut to the budget."""
    total = sum(parts)
    if total <= budget * SLACK:
        return total
    shown = 0
    for part in parts:
        if shown + part > budget:
            break
        shown += part
    if shown:
        return shown
    return parts[0] if parts[0] <= budget * SLACK else budget


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
        if i > 0 and units[i].block != units[i - 1].block and _introduces(units[i - 1]):
            chosen.add(i - 1)
    for i in sorted(chosen):  # and a sentence introducing a list never ends the excerpt on a colon
        following = i + 1
        if following < len(units) and following not in chosen and units[following].block != units[i].block and _introduces(units[i]):
            if used + units[following].words <= budget * SLACK:
                chosen.add(following)
                used += units[following].words
            elif len(chosen) > 1:
                chosen.discard(i)
                used -= units[i].words
    return chosen


def _introduces(unit: _Sentence) -> bool:
    """The sentence ends a paragraph on a colon: it announces the list or block after it."""
    return unit.text.endswith((":", "："))


def _assemble(blocks, units: list[_Sentence], chosen: set[int]) -> str:
    """Chosen sentences in order, with their markup; each gap gets one […]."""
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
        block = blocks[block_index]
        whole = len(kept) == len(members) and not any(units[i].cut for i in kept)
        if whole or block.tag != "p":  # a list or code block is one unit: its opening, then a mark
            if gap and not marked():
                out.append(mark)
            unit = units[kept[0]]
            block = block if whole else _slice(block, unit.start, unit.start + unit.words)
            block.tail = None
            out.append(lxml.html.tostring(block, encoding="unicode"))
            if not whole:
                out.append(mark)
        else:
            opening = (gap or kept[0] != members[0]) and not marked()
            closing = kept[-1] != members[-1] or units[kept[-1]].cut
            out.append(_paragraph(block, units, kept, opening, closing))
        gap = False
    if gap and not marked():
        out.append(mark)
    return "".join(out)


def _paragraph(block, units: list[_Sentence], kept: list[int], opening: bool, closing: bool) -> str:
    """A paragraph's kept sentences: each run of adjacent ones with its markup, […] between."""
    parts = [EXCERPT_MARK] if opening else []
    run = [kept[0]]
    for i in [*kept[1:], None]:
        if i is not None and i == run[-1] + 1 and not units[run[-1]].cut:
            run.append(i)
            continue
        first, last = units[run[0]], units[run[-1]]
        parts.append(_inner_html(_slice(block, first.start, last.start + last.words)))
        if i is not None:
            parts.append(EXCERPT_MARK)
            run = [i]
    if closing:
        parts.append(EXCERPT_MARK)
    return f"<p>{' '.join(parts)}</p>"


def with_followup(reply: Reply, shown_with: Reply, zone: ZoneInfo, locale: Locale, labels: Labels) -> str:
    """The author's short follow-up (a correction, an update), shown after the reply it
    belongs to; dated when it came on another day, since an update weeks later reads differently."""
    when = _added_on(reply, shown_with, zone, locale)
    said = labels.html("added_on", author=reply.author, when=when) if when else labels.html("added", author=reply.author)
    return f"<p><em>{said}</em></p>{clean(reply.body)}"


def _added_on(reply: Reply, shown_with: Reply, zone: ZoneInfo, locale: Locale) -> str | None:
    if reply.posted_at is None:
        return reply.posted_at_text
    day = reply.posted_at.astimezone(zone).date()
    if shown_with.posted_at is not None and shown_with.posted_at.astimezone(zone).date() == day:
        return None
    return format_date(day, "medium", locale=locale)


MAX_DEPTH = 4


def _depth(reply: Reply, by_id: dict[str, Reply], shown: dict[str, int]) -> int:
    """One deeper than the nearest ancestor shown above it, else 0: indenting a reply whose
    parent the digest leaves out would seem to answer the item above it instead."""
    seen = {reply.id}
    while reply.parent_id in by_id and reply.parent_id not in seen:
        if reply.parent_id in shown:
            return min(shown[reply.parent_id] + 1, MAX_DEPTH)
        seen.add(reply.parent_id)
        reply = by_id[reply.parent_id]
    return 0


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
    timezone: str = "UTC",
    language: str = "en",
    labels: Labels | None = None,
) -> ThreadSummary:
    """``timezone`` and ``language`` (the digest's) date a follow-up added on another day;
    ``labels`` (the digest's, English by default) say who added it."""
    labels = labels or english()
    by_id = {r.id: r for r in thread.replies}
    zone, locale = ZoneInfo(timezone), locale_of(language)
    position = {r.id: i for i, r in enumerate(thread.replies, start=1)}
    items = []
    depths: dict[str, int] = {}  # the items so far: nesting shows under them only
    for pick in selection.picks:
        reply = by_id[pick.reply_id]
        words = scorer_excerpt_words if scorer_excerpt_words and pick.picked_by == "scorer" else excerpt_words
        safe = clean(reply.body)  # a hand-edited thread file may hold markup no importer wrote
        body, cut = (safe, False) if full_text or pick.full else excerpt(safe, words)
        body += "".join(with_followup(by_id[f], reply, zone, locale, labels) for f in pick.followups)
        items.append(
            Item(
                reply_id=reply.id,
                author=reply.author,
                number=reply.number,
                position=None if thread.partial else position[reply.id],
                depth=depths.setdefault(reply.id, _depth(reply, by_id, depths)),
                posted_at=reply.posted_at,
                posted_at_text=reply.posted_at_text,
                url=reply.permalink or url or "",
                has_permalink=reply.permalink is not None,
                answers=_context(reply, by_id),
                body=body,
                excerpted=cut,
                words=len(tokens(plain_words(reply.body))),
                picked_by=pick.picked_by,
                note=pick.note,
                score=pick.score,
            )
        )
    times = [r.posted_at for r in thread.replies if r.posted_at]
    everyone = thread.replies + ((thread.opening_post,) if thread.opening_post else ())
    authors = {person(r.author) for r in everyone if not nameless(r.author)}  # "[deleted]" is no one
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
