"""Whole-thread text measures in bulk (``digest.bulk_text``) against their one-at-a-time forms:
word counts, term counts, visible text, and the scoring columns built on them."""

from __future__ import annotations

import html
from collections import Counter
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import bulk_text, signals
from digest.body import plain_words, visible_text
from digest.model import Engagement, Reply
from digest.select import _rounded
from digest.sources.canonical import loads
from tests.conftest import ROOT

GARDEN = loads((ROOT / "examples" / "garden-thread.json").read_bytes(), "garden")
SEED = loads((ROOT / "tests" / "golden" / "kasama-thread.json").read_bytes(), "kasama")

WORDY = [
    "Mulch keeps the soil evenly moist so tomatoes do not crack after heavy rain.",
    "'Splitting' tomatoes -- well-known: don't water late; it's the rain's fault. --x 'y -'z",
    "Café crème: naïve gardeners’ tomatoes split; “quoted” İstanbul ﬁne Straße",
    "Сад и огород: помидоры трескаются после дождя; 番茄在雨后裂开。 طماطم",
    "",
    "the and of",  # stop words only: an empty vector
    "Tomatoes tomatoes TOMATOES splitting split splits 123 4-5 a-b",
]


def _counted(texts, per_group=None, monkeypatch=None):
    """measure_texts' terms as one Counter per text (its word counts checked on the way)."""
    if per_group:
        monkeypatch.setattr(bulk_text, "_GROUP", per_group)
    ids, counting = signals._counting()
    counts, (doc, tid, count) = bulk_text.measure_texts(texts, counting)
    assert counts.tolist() == [len(t.split()) for t in texts]
    names = list(ids)
    bags = [Counter() for _ in texts]
    for d, t, c in zip(doc.tolist(), tid.tolist(), count.tolist()):
        assert names[t] not in bags[d]  # each (text, term) once
        bags[d][names[t]] = c
    return bags


LONG_AND_MARKED = [
    "x'-y '-'a -b- c'' -- --- 'tis '''' - ' 12345678 123456789 abcdefgh abcdefghi abcdefghij",
    "internationalization internationalisation INTERNATIONALIZATION splitting-hairs well-known-fact",
    "a ab abc abcd abcde abcdef abcdefg abcdefgh abcdefghi z9'-z9'-z9'- ''''''''''''''''x",
]


@pytest.mark.parametrize("per_group", [None, 1, 2, 3])
def test_bulk_term_counts_are_the_terms_of_each_text(per_group, monkeypatch):
    texts = WORDY + LONG_AND_MARKED + [" ".join(WORDY), "", "   ", "--"] + [signals.plain_words(r.body) for r in SEED.replies]
    assert _counted(texts, per_group, monkeypatch) == [Counter(signals.terms(t)) for t in texts]


def test_texts_with_more_terms_than_room_was_made_for():
    """Room is made for 32 (text, term) pairs a text and doubled when more come."""
    texts = [" ".join(f"word{n}x" for n in range(k, k + 150)) for k in range(0, 600, 150)] + ["tomato"]
    assert _counted(texts) == [Counter(signals.terms(t)) for t in texts]
    bodies = [f"<p>{t}</p>" for t in texts]
    assert _measured_bodies(bodies)[1:] == _per_body(bodies)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("aAbBeEsSgnlyd019'- \n\t.é’数据“—\xa0\u2009\u0964\u0301ßİ\x01😀_\ud800\u212a‿٣ςΣカ\u05b7\u0905\x85\x00"), max_size=40), max_size=8))
def test_bulk_term_counts_of_any_texts(texts):
    assert _counted(texts) == [Counter(signals.terms(t)) for t in texts]


def _dict_form(texts: list[str], opening: str) -> list[float]:
    """Relevance as the readable dict form works it out."""
    vectors = signals.tfidf({str(i): t for i, t in enumerate(texts)}, opening)
    return [signals.cosine(vectors.by_id[str(i)], vectors.opening) for i in range(len(texts))]


def _replies(texts: list[str]) -> tuple[Reply, ...]:
    return tuple(Reply(id=f"r{i}", author="x", body=f"<p>{html.escape(t, quote=False)}</p>") for i, t in enumerate(texts))


@pytest.mark.parametrize("opening", ["", "Why do tomatoes split after rain?", "the and", "Straße café"])
def test_bulk_relevance_is_the_dict_form(opening):
    texts = WORDY + LONG_AND_MARKED + [signals.plain_words(r.body) for r in GARDEN.replies + SEED.replies]
    relevance = signals.text_measures(_replies(texts), opening)[2]
    assert relevance.tolist() == pytest.approx(_dict_form(texts, opening), rel=1e-12, abs=1e-15)


def test_bulk_relevance_of_nothing():
    assert signals.text_measures((), "tomatoes")[2].tolist() == []
    assert signals.text_measures(_replies(["the"]), "")[2].tolist() == [0.0]


# ------------------------------------------------------------------------------ bodies

BODIES = [
    "<p>Mulch <em>keeps</em> the soil moist.</p><p>Second paragraph</p>",
    "<p>un<em>believ</em>able &amp; AT&amp;T &lt;b&gt; don&#39;t &nbsp;x &quot;q&quot;</p>",
    "<p>Caf\u00e9 cr\u00e8me \u2019quoted\u2019</p>",
    "<blockquote><p>Someone wrote this earlier on.</p></blockquote><p>And I answer it here.</p>",
    "<p>Attachment: dmesg.txt (text/plain, 2 KB)</p><pre>[ 1.0] usb 1-1: new device</pre><p>Same here.</p>",
    "",
    "<p>a &lt; b but no tag opens here</p>",
    "<p>text with a \x00 separator inside</p>",
    "<ul><li>one</li><li>two</li></ul><pre>code\n  indented</pre><br><hr>",
    "<p>&amp</p>",
]


def _per_body(bodies):
    return [len(visible_text(b).split()) for b in bodies], [Counter(signals.terms(visible_text(b))) for b in bodies]


def _measured_bodies(bodies, special=()):
    ids, counting = signals._counting()
    found, counts, (doc, tid, count) = bulk_text.measure_bodies(bodies, special, lambda i: ("x y", "special text"), counting)
    names = list(ids)
    bags = [Counter() for _ in bodies]
    for d, t, c in zip(doc.tolist(), tid.tolist(), count.tolist()):
        assert names[t] not in bags[d]
        bags[d][names[t]] = c
    return found, counts.tolist(), bags


@pytest.mark.parametrize("per_group", [None, 1, 3])
def test_bodies_measured_in_bulk_are_each_body_measured_alone(per_group, monkeypatch):
    if per_group:
        monkeypatch.setattr(bulk_text, "_GROUP", per_group)
    bodies = BODIES + [r.body for r in GARDEN.replies] + [r.body for r in SEED.replies]
    found, counts, bags = _measured_bodies(bodies)
    assert (found, counts, bags) == ([], *_per_body(bodies))


def test_an_unclosed_tag_does_not_run_into_the_next_body():
    bodies = ["<p>left open <em", "<p>next body words</p>", "<p>third</p>"]
    assert _measured_bodies(bodies)[1:] == _per_body(bodies)


def test_bodies_holding_a_special_mark_are_read_by_the_caller(monkeypatch):
    monkeypatch.setattr(bulk_text, "_GROUP", 2)
    found, counts, bags = _measured_bodies(BODIES, ("<blockquote", "<p>Attachment: "))
    assert found == [3, 4]
    assert [counts[i] for i in found] == [2, 2]  # "x y"
    assert all(bags[i] == Counter(signals.terms("special text")) for i in found)
    others = [i for i in range(len(BODIES)) if i not in found]
    expected_counts, expected_bags = _per_body(BODIES)
    assert [counts[i] for i in others] == [expected_counts[i] for i in others]
    assert [bags[i] for i in others] == [expected_bags[i] for i in others]


BODY_PIECES = st.sampled_from(["<p>", "</p>", "<em>", "</em>", "<br>", "<blockquote>", "</blockquote>", "&amp;", "&#39;",
                               "&lt;", "<", ">", "\x00", " ", "\n", "word", "Tomato's", "split-s", "caf\u00e9", "\u2019", "ab",
                               "internationalization", "'-", "the", "\u201c", "\u2014", "\xa0", "\u0301", "\x01", "\U0001F600",
                               "abcdefghijklmnop", "abcdefghijklmnopq", "Straße"])


def test_a_thread_with_more_letters_than_classes():
    """Past the classes there are, texts holding further letters are read word by word."""
    letters = [chr(c) for c in range(0x100, 0x180) if chr(c).isalpha() and len(chr(c).casefold()) == 1]
    texts = [f"word{letter}s and {letter}{letter}{letter} split" for letter in letters] + ["plain words only"]
    assert _counted(texts) == [Counter(signals.terms(t)) for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(BODY_PIECES, max_size=12).map("".join), max_size=8), st.integers(1, 4))
def test_any_bodies_measured_in_bulk(bodies, per_group):
    bulk_text._GROUP, saved = per_group, bulk_text._GROUP
    try:
        assert _measured_bodies(bodies)[1:] == _per_body(bodies)
    finally:
        bulk_text._GROUP = saved


# ------------------------------------------------------------------------------ the thread's columns

def test_text_measures_are_the_one_at_a_time_signals():
    replies = GARDEN.replies + SEED.replies + tuple(Reply(id=f"b{i}", author="x", body=body) for i, body in enumerate(BODIES))
    quoting, counts, relevance = signals.text_measures(replies, "Tomatoes cracking after rain")
    assert quoting == [i for i, r in enumerate(replies) if "<blockquote" in r.body]
    assert counts.tolist() == [len(plain_words(signals.without_attachments(r.body)).split()) for r in replies]
    expected = _dict_form([signals.own_text(r) for r in replies], "Tomatoes cracking after rain")
    assert relevance.tolist() == pytest.approx(expected, rel=1e-12, abs=1e-15)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.floats(0, 200, allow_nan=False) | st.integers(0, 2_000_000).map(lambda n: n / 20_000), max_size=30))
def test_scores_are_rounded_as_round_rounds(values):
    assert _rounded(np.array(values, dtype=float)).tolist() == [round(v, 4) for v in values]


def test_recency_is_the_exact_share_of_the_window():
    start = datetime(2026, 7, 1, tzinfo=timezone.utc)
    end = start + timedelta(days=3, microseconds=7)
    times = [start, end, None, start - timedelta(days=1), start + timedelta(hours=31, microseconds=3), end + timedelta(1)]
    exact = [min(1.0, max(0.0, (t - start) / (end - start))) if t else 0.0 for t in times]
    assert signals.recency(times, start, end).tolist() == exact
    assert signals.recency(times, None, end).tolist() == [0.0] * len(times)


def test_votes_do_not_depend_on_shared_engagements():
    shared = Engagement(likes=4)
    replies = [Reply(id=str(i), author="a", body="<p>x</p>", engagement=e)
               for i, e in enumerate([shared, shared, Engagement(likes=4), Engagement(upvotes=3, downvotes=1), Engagement(), Engagement(likes=9)])]
    values = signals.vote_column(tuple(replies)).tolist()
    total, top = 4 + 4 + 4 + 3 + 9, signals.wilson_lower(9, 24)  # upvotes alone count as a score
    assert values[0] == values[1] == values[2] == (total / (total + 5)) * signals.wilson_lower(4, total) / top
    assert values[3] == signals.wilson_lower(3, 4) and values[4] == 0.0 and values[5] == total / (total + 5)


def test_a_hash_shared_by_two_words_falls_back_to_reading_word_by_word(monkeypatch):
    def shared_hash(*args):
        raise bulk_text._Collision

    monkeypatch.setattr(bulk_text._Table, "numbers", shared_hash)
    texts = LONG_AND_MARKED + WORDY
    assert _counted(texts) == [Counter(signals.terms(t)) for t in texts]
    bodies = BODIES + ["<p>internationalisation internationalization</p>"]
    assert _measured_bodies(bodies)[1:] == _per_body(bodies)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, (1 << 64) - 2), max_size=40), max_size=6), st.integers(1, 6))
def test_the_word_index_finds_what_it_was_given(batches, bits):
    """Batches of keys looked up, the absent ones added, as the counting does: a small table
    grows and its keys collide, yet every key finds its own number and no other's."""
    index, given_numbers = bulk_text._Index(bits), {}
    for batch in batches:
        keys = np.array(batch, np.uint64)
        numbers, absent = index.find(keys)
        assert sorted(absent.tolist()) == [i for i, key in enumerate(batch) if key not in given_numbers]
        held = [i for i in range(len(batch)) if i not in set(absent.tolist())]
        assert numbers[held].tolist() == [given_numbers[batch[i]] for i in held]
        new = sorted(set(keys[absent].tolist()))
        index.add(np.array(new, np.uint64), np.arange(len(given_numbers), len(given_numbers) + len(new)))
        given_numbers.update(zip(new, range(len(given_numbers), len(given_numbers) + len(new))))
    everything = np.array(list(given_numbers), np.uint64)
    numbers, absent = index.find(everything)
    assert absent.size == 0 and numbers.tolist() == list(given_numbers.values())
