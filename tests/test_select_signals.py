"""Selection signals, diversity, novelty, people, follow-ups, picks files and multi-thread digests."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from digest import signals
from digest.config import FeaturedReply, SelectionConfig, ThreadSource, load_digest
from digest.errors import ConfigError
from digest.model import Engagement, Mention, Reply, Thread
from digest.select import History, history_from_manifests, people, select, select_digest
from digest.sources.canonical import loads
from digest.summarize import EXCERPT_MARK, excerpt, summarize
from tests.conftest import ROOT

GARDEN = loads((ROOT / "examples" / "garden-thread.json").read_bytes(), "garden")
SEED = loads((ROOT / "tests" / "golden" / "kasama-thread.json").read_bytes(), "kasama")
T0 = datetime(2026, 7, 1, tzinfo=timezone.utc)
TEXT = "Mulch keeps the soil evenly moist so tomatoes do not crack after heavy rain. "


def _reply(rid: str, author: str, text: str, minutes: int = 0, **kw) -> Reply:
    return Reply(id=rid, author=author, body=f"<p>{text}</p>", posted_at=T0 + timedelta(minutes=minutes), **kw)


def _thread(*replies: Reply, **kw) -> Thread:
    return Thread(id=kw.pop("id", "t"), title=kw.pop("title", "Tomatoes cracking"), url="https://f.example/t", replies=replies, source_format="canonical", **kw)


def _pick_ids(thread: Thread, count: int = 5, settings: SelectionConfig = SelectionConfig(), **kw) -> list[str]:
    selection = select(thread, ThreadSource(source="x", **kw), count=count, order="score", where="w", settings=settings)
    return [p.reply_id for p in selection.picks]


# ------------------------------------------------------------------------------ signals

def test_wilson_lower_bound_needs_evidence():
    assert signals.wilson_lower(1, 1) < signals.wilson_lower(80, 100) < 0.8
    assert signals.wilson_lower(10, 10) > signals.wilson_lower(1, 1)
    assert signals.wilson_lower(0, 0) == 0.0


def test_votes_are_confidence_aware():
    few = _thread(_reply("a", "A", "x", engagement=Engagement(likes=1)), _reply("b", "B", "y", engagement=Engagement(likes=0)))
    many = _thread(_reply("a", "A", "x", engagement=Engagement(likes=100)), _reply("b", "B", "y", engagement=Engagement(likes=0)))
    assert signals.vote_column(few.replies)[0] < 0.3 < signals.vote_column(many.replies)[0]
    updown = _thread(_reply("a", "A", "x", engagement=Engagement(upvotes=9, downvotes=1)), _reply("b", "B", "y", engagement=Engagement(upvotes=1, downvotes=9)))
    a, b = signals.vote_column(updown.replies)
    assert a > 0.5 > b


def test_substance_is_a_band_not_longest_wins():
    assert signals.substance(5) < signals.substance(60) < signals.substance(250) < 0.9
    assert signals.substance(3000) < signals.substance(400)


def test_relevance_prefers_replies_about_the_opening_post():
    opening = Reply(id="op", author="Marta", body="<p>Why do my tomatoes crack after rain, and how do I stop the splitting?</p>")
    on = _reply("on", "Ann", "Tomatoes split when heavy rain follows a dry spell; steady watering stops the cracking.")
    off = _reply("off", "Bob", "Has anyone seen the football results from the weekend? Great match.")
    thread = _thread(on, off, opening_post=opening)
    reasons = {c.reply_id: {r.signal: r.value for r in c.reasons} for c in select(thread, ThreadSource(source="x"), count=2, order="score", where="w").candidates}
    assert reasons["on"]["relevance"] > reasons["off"]["relevance"]


def test_quotes_and_mentions_received_are_credited_to_the_source():
    a = _reply("a", "Ann", TEXT * 3, 0)
    b = Reply(id="b", author="Bob", body=f"<blockquote><p>{TEXT}</p></blockquote><p>Exactly right.</p>", posted_at=T0 + timedelta(minutes=1))
    c = Reply(id="c", author="Cy", body="<p>@Ann good point</p>", mentions=(Mention("@Ann", "Ann"),), posted_at=T0 + timedelta(minutes=2))
    self_quote = Reply(id="d", author="Ann", body=f"<blockquote><p>{TEXT}</p></blockquote><p>As I said.</p>", posted_at=T0 + timedelta(minutes=3))
    received = signals.quotes_received(_thread(a, b, c, self_quote), people(()))
    assert received == {"a": 2}


def test_every_score_is_the_sum_of_configured_weights():
    settings = replace(SelectionConfig(), weights=tuple((name, 2.0 if name == "substance" else 0.0) for name, _ in SelectionConfig().weights))
    candidates = select(GARDEN, ThreadSource(source="x"), count=5, order="score", where="w", settings=settings).candidates
    for candidate in candidates:
        assert abs(candidate.score - sum(r.contribution for r in candidate.reasons)) < 1e-3
        assert all(r.contribution == 0 for r in candidate.reasons if r.signal != "substance")


# ------------------------------------------------------------------------------ diversity and people

def test_near_duplicates_are_passed_over():
    original = _reply("a", "Ann", TEXT * 4, 0)
    copy = _reply("b", "Bob", TEXT * 4 + " Agreed.", 1)
    other = _reply("c", "Cy", "Water at the same time each day and the fruit will not split; choose resistant varieties too. " * 3, 2)
    selection = select(_thread(original, copy, other), ThreadSource(source="x"), count=2, order="score", where="w")
    assert {p.reply_id for p in selection.picks} == {"a", "c"} or {p.reply_id for p in selection.picks} == {"b", "c"}
    skipped = [c.skipped for c in selection.candidates if c.skipped]
    assert skipped == ["near-duplicate of a pick"]


def test_candidates_after_the_last_pick_are_judged_when_read_as_they_would_be_at_once():
    """Once the picks are complete no reason can change: the rest of a 100,000-reply thread's
    candidates are judged when read, each as the picking would have judged it."""
    replies = [_reply("a", "Ann", TEXT * 3, 0), _reply("b", "Ann", TEXT * 2 + "Also prune.", 1), _reply("c", "Bob", "ok", 2),
               _reply("d", "Cy", "Water at the same time each day, and choose resistant varieties. " * 2, 3),
               _reply("e", "Di", "Calcium matters less than watering evenly through the season.", 4)]
    settings = replace(SelectionConfig(), per_author=1)
    source = ThreadSource(source="x", exclude=("@Di",), featured=(FeaturedReply(id="d"),))
    one = select(_thread(*replies), source, count=2, order="score", where="w", settings=settings)
    every = select(_thread(*replies), source, count=len(replies), order="score", where="w", settings=settings)
    assert len(one.picks) == 2 and len(one.candidates) == len(replies)
    judged = {c.reply_id: (c.excluded_by, c.skipped) for c in one.candidates}
    assert judged["c"] == (None, "too short to feature (1 word; min_words = 3)")
    assert judged["e"] == ("@Di", None)
    assert judged == {c.reply_id: (c.excluded_by, c.skipped) for c in every.candidates}  # nothing a later pick could change
    assert [c.reply_id for c in one.candidates[-2:]] == [c.reply_id for c in list(one.candidates)[-2:]]
    assert one.candidates[-1] == list(one.candidates)[len(replies) - 1]
    with pytest.raises(IndexError):
        one.candidates[len(replies)]
    assert one == select(_thread(*replies), source, count=2, order="score", where="w", settings=settings)  # selections compare by value
    assert one.candidates == tuple(one.candidates) and hash(one) == hash(replace(one, candidates=tuple(one.candidates)))
    editor = next(p for p in one.picks if p.picked_by == "editor")
    assert editor.reply_id == "d" and editor.score == next(c.score for c in one.candidates if c.reply_id == "d")


def test_a_near_copy_of_a_reply_an_earlier_issue_featured_is_passed_over():
    original = _reply("a", "Ann", TEXT * 4, 0)
    copy = _reply("b", "Bob", TEXT * 4 + " Agreed.", 1)
    other = _reply("c", "Cy", "Water at the same time each day and the fruit will not split; choose resistant varieties too. " * 3, 2)
    history = History(featured={("t", "a"): 3})
    selection = select(_thread(original, copy, other), ThreadSource(source="x"), count=2, order="score", where="w", history=history)
    assert [p.reply_id for p in selection.picks] == ["c"]
    skipped = {c.reply_id: c.skipped for c in selection.candidates}
    assert skipped == {"a": "featured in issue 3", "b": "near-duplicate of a reply featured in issue 3", "c": None}
    settings = replace(SelectionConfig(), novelty=False)
    again = select(_thread(original, copy, other), ThreadSource(source="x"), count=2, order="score", where="w", history=history, settings=settings)
    assert len(again.picks) == 2  # without novelty, earlier issues do not count


def test_a_short_reply_repeating_a_pick_is_a_near_duplicate_too():
    replies = [_reply("a", "Ann", "Agreed.", 0), _reply("b", "Bob", "agreed", 1), _reply("c", "Cy", "lol", 2), _reply("d", "Di", "Agreed, mostly.", 3)]
    selection = select(_thread(*replies), ThreadSource(source="x"), count=4, order="thread", where="w", settings=SelectionConfig(min_words=0))
    assert [p.reply_id for p in selection.picks] == ["a", "c", "d"]
    assert next(c for c in selection.candidates if c.reply_id == "b").skipped == "near-duplicate of a pick"
    assert signals.shingles("Agreed, mostly.") == {("agreed", "mostly")} and signals.shingles("") == set()


def test_the_scorer_leaves_out_replies_too_short_to_feature():
    """A thread of "ok" and "Thanks!" gives a short digest, not one of one-word replies; a photo
    with no words, and the editor's own picks, stay."""
    replies = [
        _reply("a", "Ann", "Thanks!", 0), _reply("b", "Bob", "+1", 1), _reply("c", "Cy", "Same here.", 2),
        _reply("d", "Di", "Calcium deficiency, probably.", 3), _reply("e", "Ed", '<img src="https://x.org/split.jpg" alt="">', 4),
        _reply("f", "Flo", "<blockquote><p>Calcium deficiency, probably.</p></blockquote><p>this</p>", 5),
    ]
    thread = _thread(*replies)
    source = ThreadSource(source="x", featured=(FeaturedReply(id="b"),))
    selection = select(thread, source, count=6, order="thread", where="w")
    assert [p.reply_id for p in selection.picks] == ["b", "d", "e"]
    skipped = {c.reply_id: c.skipped for c in selection.candidates if c.skipped}
    assert skipped == {
        "a": "too short to feature (1 word; min_words = 3)",
        "c": "too short to feature (2 words; min_words = 3)",
        "f": "too short to feature (1 word; min_words = 3)",  # the quote is not its own words
    }
    everything = select(thread, ThreadSource(source="x"), count=6, order="thread", where="w", settings=SelectionConfig(min_words=0))
    assert len(everything.picks) == 6


def test_a_thread_whose_every_reply_is_passed_over_warns_the_editor():
    """A feed of "Discuss." and "Great tale." features nothing: the editor hears why, and how
    to change it, instead of finding a section with only the thread's counts."""
    thread = _thread(_reply("a", "Ann", "Discuss.", 0), _reply("b", "Bob", "Great tale.", 1))
    selection = select(thread, ThreadSource(source="x"), count=5, order="thread", where="d.toml [[thread]] #1")
    assert selection.picks == ()
    assert selection.warnings == (
        "d.toml [[thread]] #1: no reply is featured (2 too short to feature), so the thread is left out of this "
        "issue; feature one with [[thread.featured]] or lower [selection] min_words",
    )
    featured = select(thread, ThreadSource(source="x", featured=(FeaturedReply(id="b"),)), count=5, order="thread", where="w")
    assert [p.reply_id for p in featured.picks] == ["b"] and featured.warnings == ()


def test_hidden_spoilers_do_not_make_two_replies_near_duplicates():
    """Every hidden spoiler reads the same stand-in; two replies sharing only it are no copies."""
    hidden = '<a href="https://r.example/c/{0}">[spoiler: read it at the source]</a>'
    replies = [
        Reply(id="s1", author="Ann", body=f"<p>Who dies at the end? {hidden.format('s1')}</p>", posted_at=T0),
        Reply(id="s2", author="Bob", body=f"<p>Ending:</p><p>{hidden.format('s2')}</p>", posted_at=T0),
    ]
    selection = select(_thread(*replies), ThreadSource(source="x"), count=5, order="thread", where="w")
    assert [p.reply_id for p in selection.picks] == ["s1", "s2"]
    assert signals.own_shingles(replies[1]) == {("ending",)}


def test_aliases_make_one_person_for_the_cap_and_the_author_signal():
    replies = [_reply(f"r{i}", name, f"Point number {i} about watering {i} and mulch depth {i}. " * 6, i) for i, name in enumerate(["red", "Red Sun Rising", "RED SUN RISING", "Ann"])]
    settings = replace(SelectionConfig(), aliases=(("red", "Red Sun Rising"),))
    picks = _pick_ids(_thread(*replies), count=4, settings=settings)
    assert picks.count("r3") == 1 and len(picks) == 3  # two by the one person, then Ann
    exempt = _pick_ids(_thread(*replies), count=4, settings=settings, author="red")
    assert len(exempt) == 4  # the thread's author (under any of their names) is exempt from the cap


def test_seed_correction_travels_with_its_reply():
    selection = select(SEED, ThreadSource(source="x"), count=10, order="thread", where="w")
    liam = next(p for p in selection.picks if p.reply_id == "h-1c92cc8ab83a")
    assert liam.followups == ("h-36fd7048dfc3",)
    assert "h-36fd7048dfc3" not in {p.reply_id for p in selection.picks}
    summary = summarize(SEED, selection, title="T", url=SEED.url, full_text=True, excerpt_words=90)
    item = next(i for i in summary.items if i.reply_id == "h-1c92cc8ab83a")
    assert "Liam Wright added" in item.body and "Sorry for the typo" in item.body


def test_deleted_placeholders_are_passed_over_and_never_follow_ups():
    """Importers keep a deleted reply that others answer as "[deleted]" (reddit's "[removed]",
    Disqus's empty body): no one's words, and two of them are not one person's."""
    replies = (
        _reply("a", "Ann", TEXT * 3, 0),
        _reply("gone", "[deleted]", "[deleted]", 1),
        _reply("b", "Bob", "Straw mulch kept my tomatoes from cracking after the storms.", 2, parent_id="gone"),
        _reply("c", "Cy", "Same here with grass clippings as mulch.", 3, parent_id="gone"),
        _reply("removed", "[deleted]", "[removed]", 4, parent_id="gone"),
        replace(_reply("empty", "[deleted]", "", 5, parent_id="c"), body=""),
        _reply("kept", "[deleted]", "My account is gone but these words about mulch stay.", 6, parent_id="removed"),
    )
    selection = select(_thread(*replies), ThreadSource(source="x"), count=7, order="thread", where="w")
    assert [p.reply_id for p in selection.picks] == ["a", "b", "c", "kept"]
    assert all(p.followups == () for p in selection.picks)
    skipped = {c.reply_id: c.skipped for c in selection.candidates if c.skipped}
    assert skipped == dict.fromkeys(["gone", "removed", "empty"], "placeholder of a deleted or removed reply")
    summary = summarize(_thread(*replies), selection, title="T", url=None, full_text=True, excerpt_words=90)
    assert next(i for i in summary.items if i.reply_id == "b").answers.snippet == ""  # not “[deleted]”


def test_a_follow_up_whose_reply_is_not_picked_is_a_candidate_like_any_other():
    short = "I opened a pull request to fix the watering timer."
    update = "Update: the fix was merged and released in version 2.0, so everyone can upgrade now."
    replies = (
        _reply("r1", "Ann", short, 0),
        _reply("r2", "Bob", TEXT * 4, 60, engagement=Engagement(likes=3)),
        _reply("r3", "Cy", TEXT * 3, 120, engagement=Engagement(likes=2)),
        _reply("r4", "Ann", update, 60 * 24 * 19, parent_id="r1", engagement=Engagement(likes=50)),
        _reply("r5", "Ann", "Erg, version 2.0.1.", 60 * 24 * 19 + 5, parent_id="r4"),
    )
    thread = _thread(*replies)
    alone = select(thread, ThreadSource(source="x"), count=2, order="thread", where="w")
    assert [(p.reply_id, p.followups) for p in alone.picks] == [("r2", ()), ("r4", ("r5",))]  # r5 travels with r4
    assert {c.reply_id: c.skipped for c in alone.candidates}["r4"] is None
    featured = ThreadSource(source="x", featured=(FeaturedReply(id="r1"),))
    together = select(thread, featured, count=2, order="editor", where="w")
    assert [(p.reply_id, p.followups) for p in together.picks] == [("r1", ("r4", "r5")), ("r2", ())]
    assert {c.reply_id: c.skipped for c in together.candidates}["r4"] == "follow-up to r1, shown with it"
    body = summarize(thread, together, title="T", url=None, full_text=True, excerpt_words=90).items[0].body
    assert "<p><em>Ann added (Jul 20, 2026):</em></p><p>Update: the fix" in body
    assert "<p><em>Ann added (Jul 20, 2026):</em></p><p>Erg, version 2.0.1.</p>" in body


def test_a_follow_up_is_dated_only_when_it_came_on_another_day_in_the_digests_zone():
    late = T0 + timedelta(hours=23, minutes=30)  # 23:30 UTC; 00:30 the next day in London (BST)
    replies = (
        Reply(id="r1", author="Ann", body=f"<p>{TEXT}</p>", posted_at=late),
        Reply(id="r2", author="Ann", body="<p>Erg, evenly.</p>", posted_at=late + timedelta(hours=1), parent_id="r1"),
    )
    thread = _thread(*replies)
    selection = select(thread, ThreadSource(source="x"), count=1, order="thread", where="w")
    in_utc = summarize(thread, selection, title="T", url=None, full_text=True, excerpt_words=90).items[0].body
    in_london = summarize(thread, selection, title="T", url=None, full_text=True, excerpt_words=90, timezone="Europe/London").items[0].body
    assert "<p><em>Ann added (Jul 2, 2026):</em></p>" in in_utc
    assert "<p><em>Ann added:</em></p><p>Erg, evenly.</p>" in in_london


def test_seed_aliases_count_red_once_among_participants():
    config = load_digest(ROOT / "examples" / "kasama" / "kasama.toml")
    assert ("red", "Red Sun Rising") in config.selection.aliases
    summary = summarize(SEED, select(SEED, ThreadSource(source="x"), count=3, order="thread", where="w"), title="T", url=None, full_text=True, excerpt_words=90, person=people(config.selection.aliases))
    plain = summarize(SEED, select(SEED, ThreadSource(source="x"), count=3, order="thread", where="w"), title="T", url=None, full_text=True, excerpt_words=90)
    assert summary.participants == plain.participants - 1


def test_a_deleted_name_is_no_participant():
    thread = _thread(_reply("a", "Ann", TEXT), _reply("b", "[deleted]", TEXT, 1), _reply("c", "[deleted]", TEXT + "More.", 2), _reply("d", "Bob", TEXT, 3))
    selection = select(thread, ThreadSource(source="x"), count=2, order="thread", where="w")
    assert summarize(thread, selection, title="T", url=None, full_text=True, excerpt_words=90).participants == 2
    assert selection.activity == 4 + 0.5 * 2


# ------------------------------------------------------------------------------ novelty and the window

def test_featured_before_is_not_featured_again_unless_the_editor_insists():
    history = History(featured={(GARDEN.id, "post-412001"): 1})
    selection = select(GARDEN, ThreadSource(source="x"), count=5, order="score", where="w", history=history)
    assert "post-412001" not in {p.reply_id for p in selection.picks}
    assert next(c for c in selection.candidates if c.reply_id == "post-412001").skipped == "featured in issue 1"
    insisted = select(GARDEN, ThreadSource(source="x", featured=(FeaturedReply(id="post-412001"),)), count=5, order="editor", where="w", history=history)
    assert insisted.picks[0].reply_id == "post-412001" and "featured in issue 1" in insisted.warnings[0]


def test_since_last_issue_only_new_replies_are_candidates():
    replies = [_reply(f"r{i}", f"P{i}", f"Some thoughts on watering number {i}. " * 8, i * 60) for i in range(6)]
    history = History(last_issue_at=T0 + timedelta(minutes=150))
    settings = replace(SelectionConfig(), since_last_issue=True)
    picks = select(_thread(*replies), ThreadSource(source="x"), count=6, order="thread", where="w", settings=settings, history=history).picks
    assert [p.reply_id for p in picks] == ["r3", "r4", "r5"]


def test_history_from_manifests_counts_only_the_editors_picks():
    manifests = [
        {"issue": 1, "built_at": "2026-07-01T09:00:00+00:00", "featured": [
            {"thread": GARDEN.id, "reply_id": "post-412005", "picked_by": "editor"},
            {"thread": GARDEN.id, "reply_id": "post-412001", "picked_by": "scorer"},
        ]},
    ]
    history = history_from_manifests(manifests, [GARDEN], people(()))
    assert history.featured == {(GARDEN.id, "post-412005"): 1, (GARDEN.id, "post-412001"): 1}
    assert history.editor_authors == {"deshawn price": 1}
    assert history.last_issue_at == datetime(2026, 7, 1, 9, tzinfo=timezone.utc)
    with_history = {c.reply_id: c for c in select(GARDEN, ThreadSource(source="x"), count=5, order="score", where="w", history=history).candidates}
    value = next(r.value for r in with_history["post-412008"].reasons if r.signal == "history")
    assert value == pytest.approx(1 / 3, abs=1e-3)


# ------------------------------------------------------------------------------ config, picks file, several threads



def _append(config_dir: Path, text: str) -> Path:
    path = config_dir / "example.toml"
    path.write_text(path.read_text() + "\n" + text)
    return path


def test_selection_table_is_validated_strictly(config_dir):
    path = _append(config_dir, "[selection]\nper_author = 1\nmin_words = 0\n[selection.weights]\nvotes = 2\nsubstance = 0.5\n")
    settings = load_digest(path).selection
    assert settings.per_author == 1 and settings.weight("votes") == 2 and settings.weight("substance") == 0.5
    assert settings.min_words == 0
    for bad, message in (
        ("[selection.weights]\nvotez = 1\n", "did you mean 'votes'"),
        ("[selection.weights]\nvotes = \"high\"\n", "expected a number"),
        ("[selection]\nnear_duplicate = 3\n", "from 0 to 1"),
        ("[selection]\nper_autor = 1\n", "did you mean 'per_author'"),
        ("[selection]\nmin_words = -1\n", "must be between 0 and 100"),
        ("[aliases]\n\"Red\" = \"red\"\n", "expected a list of names"),
    ):
        path.write_text((config_dir / "example.toml").read_text().split("\n[selection")[0].split("\n[aliases")[0] + "\n" + bad)
        with pytest.raises(ConfigError) as info:
            load_digest(path)
        assert message in str(info.value) and str(path) in str(info.value)


def test_picks_file_is_read_and_a_vanished_pick_fails_a_manual_build(config_dir):
    (config_dir / "example.picks.toml").write_text('[[pick]]\nid = "post-412014"\nnote = "Timing."\n\n[[pick]]\nnumber = 99\n')
    config = load_digest(config_dir / "example.toml")
    assert [p.reply.id for p in config.selection.next_picks] == ["post-412014", None]
    with pytest.raises(ConfigError) as info:
        select_digest(config, (GARDEN,))
    assert "example.picks.toml [[pick]] #2" in str(info.value) and "number 99" in str(info.value)
    lenient = select_digest(config, (GARDEN,), strict=False)[0]
    assert any("no longer in the thread" in w for w in lenient.warnings)
    note = next(p.note for p in lenient.picks if p.reply_id == "post-412014")
    assert note == "Timing."


def test_several_threads_need_qualified_picks_and_respect_the_total(config_dir):
    path = _append(config_dir, f'[[thread]]\nsource = "{ROOT}/examples/garden-thread.json"\n\n[selection]\ntotal = 6\n')
    (config_dir / "example.picks.toml").write_text('[[pick]]\nid = "post-412014"\n')
    with pytest.raises(ConfigError) as info:
        load_digest(path)
    assert "say which one" in str(info.value)
    (config_dir / "example.picks.toml").write_text('[[pick]]\nthread = 2\nid = "post-412003"\n')
    config = load_digest(path)
    other = replace(GARDEN, id="second", replies=GARDEN.replies[:6])
    selections = select_digest(config, (GARDEN, other))
    assert sum(len(s.picks) for s in selections) == 6
    editor = [(s.thread_id, p.reply_id) for s in selections for p in s.picks if p.picked_by == "editor"]
    assert {(GARDEN.id, "post-412005"), (GARDEN.id, "post-412010"), ("second", "post-412003")} <= set(editor)
    assert selections[0].activity > selections[1].activity  # the busier thread leads the issue


# ------------------------------------------------------------------------------ excerpts

def test_excerpt_keeps_key_sentences_in_order_and_marks_gaps():
    filler = "The weather was fine on that day in our town. "
    key = "Tomato cracking comes from uneven watering, so steady watering and mulch prevent tomato cracking. "
    body = "<p>" + filler * 3 + key + filler * 3 + key.replace("so", "and") + filler * 4 + "</p>"
    text, cut = excerpt(body, 40)
    assert cut
    assert text.count("Tomato cracking") == 2 and text.count("weather") <= 1 and text.endswith(f"{EXCERPT_MARK}</p>")
    assert text.index("so steady") < text.index("and steady")  # order of appearance
    assert f"{EXCERPT_MARK} Tomato cracking comes" in text
    assert f"{EXCERPT_MARK} {EXCERPT_MARK}" not in text


def test_excerpt_keeps_whole_paragraphs_with_their_links():
    body = ("<p>Intro words here that say little of note at all today.</p>"
            "<p>Tomato cracking: see <a href=\"https://x.example/guide\">the tomato cracking guide</a> on tomato cracking.</p>"
            + "<p>" + "Some unrelated chatter about other things entirely. " * 12 + "</p>")
    text, cut = excerpt(body, 30)
    assert cut and 'href="https://x.example/guide"' in text


def test_a_scheduled_digest_only_considers_what_is_new(config_dir):
    path = config_dir / "example.toml"
    assert load_digest(path).selection.since_last_issue is False
    path.write_text(path.read_text().replace("[digest]\n", '[digest]\nschedule = "0 8 * * MON"\n', 1))
    assert load_digest(path).selection.since_last_issue is True
    path.write_text(path.read_text() + "\n[selection]\nsince_last_issue = false\n")
    assert load_digest(path).selection.since_last_issue is False


def test_words_of_every_script_count():
    assert signals.words("Привет, мир! это-тест") == ["привет", "мир", "это-тест"]
    assert signals.words("أريد أن أسأل") == ["أريد", "أن", "أسأل"]
    assert signals.words("集合表 node间") == ["集合", "合表", "node", "间"]
    assert signals.terms("在 2023 数据库") == ["在", "2023", "数据", "据库"]
    persian = "@alireza ساکت نیست. از صبح یه مشکلی داره سرورشون که درست دنتها رو نشون نمیده"
    assert signals.overlap(signals.shingles(persian), signals.shingles(persian + " :(")) == 1.0  # a repost is a near-duplicate


def test_people_remembers_each_name():
    canon = people([("Red", "Red Sun Rising")])
    assert canon(" red ") == canon("RED") == "red sun rising"
    assert canon(None) == canon("") == ""
    assert canon("Ann") == "ann" and canon("Ann") == "ann"
