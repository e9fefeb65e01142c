"""Discourse reader: real per-post folder and topic JSON, hand-made edge cases, fuzzing."""

from __future__ import annotations

import gzip
import os
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, canonical, discourse, load_documents
from tests.sources.fuzzing import assert_round_trip, json_values, mutate_json, only_source_errors, text_values

TOPIC_303 = "discourse-topic/topic-303-how-to-linearize-your-cluster"
PERCEVAL = "perceval-fixtures/discourse"


def _read(path: Path, thread: str | None = None):
    return discourse.read(ImportRequest(load_documents(path), thread=thread))


def _docs(*objects, names=None) -> tuple[SourceDocument, ...]:
    names = names or [f"posts/{i}.json" for i in range(len(objects))]
    return tuple(SourceDocument(name, json.dumps(obj).encode()) for name, obj in zip(names, objects))


# ---------------------------------------------------------------------------- real samples

def test_per_post_folder_of_a_whole_topic(shared_data):
    thread = _read(shared_data / TOPIC_303)
    assert thread.id == "303"
    assert thread.title == "How to linearize your cluster"
    assert thread.source_format == "discourse"
    assert thread.author == "sipa"
    assert len(thread.replies) == 79 and not thread.partial
    assert thread.total_replies is None  # per-post files state no topic post count
    assert thread.url == "https://delvingbitcoin.org/t/how-to-linearize-your-cluster/303"
    assert any("avatar paths" in note for note in thread.import_notes)

    opening = thread.opening_post
    assert (opening.id, opening.number, opening.author) == ("788", 1, "sipa")
    assert opening.posted_at == datetime(2023, 12, 18, 20, 55, 14, tzinfo=timezone.utc)
    assert opening.engagement.reads == 16
    assert "Most transaction clusters are small" in opening.body

    by_number = {r.number: r for r in thread.replies}
    assert sorted(by_number) == list(range(2, 81))
    # 62 posts name a reply_to_post_number (never post 1): every one becomes a parent link.
    assert sum(r.parent_id is not None for r in thread.replies) == 62
    post9 = by_number[9]
    assert (post9.id, post9.author, post9.parent_id) == ("4106", "stefanwouldgo", "1667")  # answers #3
    assert post9.engagement.items() == {"likes": 5, "reads": 14, "replies": 1}
    assert post9.permalink == "https://delvingbitcoin.org/t/how-to-linearize-your-cluster/303/9"
    assert by_number[80].parent_id == by_number[79].id == "5028"
    assert by_number[80].engagement.likes == 3
    assert by_number[2].parent_id is None and by_number[10].parent_id is None
    # 49 likes over 32 liked posts, as in actions_summary id 2.
    likes = [r.engagement.likes for r in (opening, *thread.replies)]
    assert sum(likes) == 49 and sum(1 for n in likes if n) == 32
    # Quote asides become blockquotes that keep who was quoted.
    assert "<blockquote><p>sipa said:</p>" in by_number[4].body
    assert "<aside" not in by_number[4].body and "class=" not in "".join(r.body for r in thread.replies)
    # @mentions, linked by cooked HTML.
    assert [m.name for m in by_number[3].mentions] == ["hebasto"]
    # Depth-first thread order: #5 follows #4 which it answers.
    order = [r.number for r in thread.replies]
    assert order.index(5) == order.index(4) + 1
    assert_round_trip(thread)


def test_topic_json_with_posts_missing_from_the_stream(shared_data):
    thread = _read(shared_data / PERCEVAL / "discourse_topic_1148.json")
    assert (thread.id, thread.title, thread.author) == ("1148", "[Support] uBlock Origin", "gorhill")
    assert len(thread.replies) == 19  # 20 posts included, #1 is the opening post
    assert thread.total_replies == 21  # posts_count 22 - 1
    assert thread.partial
    assert any(note.startswith("2 of the topic's 22 posts") for note in thread.import_notes)
    assert thread.opening_post.engagement.likes == 6
    assert thread.opening_post.engagement.reads == 109
    # The onebox card under the opening post becomes one link labelled with the page title.
    assert '<a href="https://addons.mozilla.org/en-US/firefox/addon/ublock-origin/">uBlock Origin</a>' in thread.opening_post.body
    post4 = thread.reply("19162")
    assert post4.number == 4 and post4.parent_id == "19152"
    assert post4.body.startswith('<blockquote><p>noisycitytoonoisy said:</p><p>Is "reply" the only option')
    assert post4.permalink == "https://discourse.mozilla-community.org/t/support-ublock-origin/1148/4"
    assert_round_trip(thread)


def test_topic_posts_json_and_single_post(shared_data):
    thread = _read(shared_data / PERCEVAL / "discourse_posts.json")
    assert (thread.id, thread.title) == ("1448", "IBM PowerVM support?")
    assert [(r.number, r.id, r.parent_id) for r in thread.replies] == [(2, "4387", None), (4, "4396", "4387"), (3, "4393", None)]
    assert [m.name for m in thread.reply("4393").mentions] == ["blomquisg", "kincl"]

    single = _read(shared_data / PERCEVAL / "discourse_post.json")
    assert single.replies == () and single.id == "840"
    assert (single.opening_post.id, single.opening_post.author, single.opening_post.engagement.reads) == ("2500", "chr_c", 19)
    assert single.url is None and single.opening_post.permalink is None  # no forum address anywhere
    assert_round_trip(single)


def test_topic_list_is_refused_with_a_fix(shared_data):
    with pytest.raises(SourceError) as info:
        _read(shared_data / PERCEVAL / "discourse_topics.json")
    assert "list of topics" in info.value.message and "$.topic_list" in info.value.where
    assert "/t/TOPIC_ID.json" in info.value.fix


def test_sniff_claims_only_discourse_files(shared_data):
    for path in sorted(p for p in shared_data.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        expected = path.suffix == ".json" and ("discourse" in str(path.relative_to(shared_data)))
        assert discourse.sniff(SourceDocument(str(path), data)) is expected, path
    dumped = canonical.dumps(_read(shared_data / PERCEVAL / "discourse_posts.json")).encode()
    assert not discourse.sniff(SourceDocument("thread.json", dumped))


def test_sniff_rejects_other_json_apis():
    reddit = b'[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "abc"}}]}}]'
    hn = b'{"by": "alice", "id": 1, "kids": [2], "score": 3, "time": 1, "title": "x", "type": "story"}'
    algolia = b'{"id": 1, "created_at_i": 1, "type": "story", "author": "a", "children": []}'
    for data in (reddit, hn, algolia, b"", b"\x00\xff", b"not json", b'{"cooked": 1}'):
        assert not discourse.sniff(SourceDocument("x", data))


# ---------------------------------------------------------------------------- hand-made

def _post(pid, number, user, cooked="", *, reply_to=None, likes=0, topic_id=42, slug="pruning-shears", **extra):
    post = {
        "id": pid, "post_number": number, "username": user, "name": user.title(),
        "avatar_template": f"/user_avatar/forum.example.org/{user}/{{size}}/7_2.png",
        "created_at": f"2024-03-{number:02d}T09:30:00.250Z", "cooked": cooked, "post_type": 1,
        "reply_to_post_number": reply_to, "reply_count": 0, "reads": 10 + number,
        "actions_summary": [{"id": 2, "count": likes}] if likes else [],
        "topic_id": topic_id, "topic_slug": slug, "deleted_at": None, "user_deleted": False,
    }
    post.update(extra)
    return post


QUOTE = (
    '<aside class="quote no-group" data-username="ann" data-post="1" data-topic="42">'
    '<div class="title"><div class="quote-controls"></div>'
    '<img alt="" width="24" height="24" src="/user_avatar/forum.example.org/ann/48/7_2.png" class="avatar"> ann:</div>'
    "<blockquote><p>Which shears do you use?</p></blockquote></aside>"
    '<p>Bypass shears, always <img src="/images/emoji/twitter/+1.png?v=12" title=":+1:" class="emoji" alt=":+1:"></p>'
)


def _topic(**changes):
    topic = {
        "id": 42, "title": "Pruning shears", "fancy_title": "Pruning shears", "slug": "pruning-shears",
        "posts_count": 10, "details": {"created_by": {"username": "ann"}},
        "post_stream": {
            "posts": [
                _post(501, 1, "ann", "<p>Which shears do you use for roses?</p>", likes=3),
                _post(502, 2, "ben", QUOTE),
                _post(503, 3, "cat", "", reply_to=2, raw="@ben which brand? Same as post #2 says?\n\n> bypass shears"),
                _post(504, 4, "system", "", post_type=3, action_code="closed.enabled"),
                _post(505, 5, "dan", "<p>Late to this.</p>", reply_to=7),
                _post(506, 6, "eve", "<p>(post deleted by author)</p>", deleted_at="2024-03-07T00:00:00Z"),
                _post(508, 8, "fay", "<p>What did eve say?</p>", reply_to=6),
            ],
            "stream": [501, 502, 503, 504, 505, 506, 507, 508, 509, 510],
        },
    }
    topic.update(changes)
    return topic


def test_hand_made_topic_covers_partial_parts():
    thread = discourse.read(ImportRequest(_docs(_topic(), names=["t/42.json"])))
    assert [r.id for r in thread.replies] == ["502", "503", "505", "506", "508"]  # small action skipped
    parents = {r.id: r.parent_id for r in thread.replies}
    assert parents == {"502": None, "503": "502", "505": None, "506": None, "508": "506"}
    assert thread.partial and thread.total_replies == 8 and thread.author == "ann"  # posts_count 10: the opening post and the small-action notice are no replies
    notes = " | ".join(thread.import_notes)
    assert "skipped 1 small-action posts" in notes
    assert "1 post answers a post not in the import (shown as answering the topic): #5 answers #7" in notes
    assert "3 of the topic's 10 posts (post_stream.stream) are not in the import" in notes
    assert "1 deleted posts: 0 skipped, 1 kept as empty placeholders" in notes

    ben, cat, eve = thread.reply("502"), thread.reply("503"), thread.reply("506")
    assert ben.body == "<blockquote><p>ann said:</p><p>Which shears do you use?</p></blockquote><p>Bypass shears, always :+1:</p>"
    assert cat.body == "<p>@ben which brand? Same as post #2 says?</p><blockquote><p>bypass shears</p></blockquote>"
    assert [(m.name, m.number, m.reply_id) for m in cat.mentions] == [("ben", None, None), (None, 2, "502")]
    assert eve.body == "<p>[deleted]</p>"
    assert ben.permalink == "https://forum.example.org/t/pruning-shears/42/2"
    assert ben.posted_at == datetime(2024, 3, 2, 9, 30, tzinfo=timezone.utc)  # whole seconds, like the canonical form
    assert thread.opening_post.engagement.items() == {"likes": 3, "reads": 11, "replies": 0}
    assert_round_trip(thread)


def test_url_source_name_gives_the_forum_address():
    doc = SourceDocument("https://talk.example.net/forum/t/pruning-shears/42.json", json.dumps(_topic()).encode())
    thread = discourse.read(ImportRequest((doc,)))
    assert thread.url == "https://talk.example.net/forum/t/pruning-shears/42"
    assert not any("avatar" in note for note in thread.import_notes)


def test_folder_of_posts_from_two_topics_needs_a_selector():
    docs = _docs(
        _post(11, 1, "ann", "<p>First topic</p>"),
        _post(12, 2, "ben", "<p>Reply one</p>", reply_to=1),
        _post(21, 1, "cat", "<p>Second topic</p>", topic_id=77, slug="compost-bins"),
    )
    with pytest.raises(SourceError) as info:
        discourse.read(ImportRequest(docs))
    assert "2 topics" in info.value.message and "42 (pruning-shears)" in info.value.message
    assert "77 (compost-bins)" in info.value.message and "--thread" in info.value.fix
    chosen = discourse.read(ImportRequest(docs, thread="compost-bins"))
    assert chosen.id == "77" and chosen.opening_post.author == "cat" and chosen.replies == ()
    by_id = discourse.read(ImportRequest(docs, thread="42"))
    assert [r.id for r in by_id.replies] == ["12"] and by_id.replies[0].parent_id is None  # answers post 1
    with pytest.raises(SourceError, match="no topic 'nope'"):
        discourse.read(ImportRequest(docs, thread="nope"))


def test_folder_orders_by_post_number_and_skips_a_broken_file():
    docs = _docs(_post(13, 3, "cat", "<p>three</p>", reply_to=2), _post(11, 1, "ann", "<p>one</p>"),
                 _post(12, 2, "ben", "<p>two</p>"))
    docs += (SourceDocument("posts/broken.json", b'{"id": 14, "post_number": 4, "cooked": "<p>fo'),
             SourceDocument("posts/README.md", b"# notes about this folder\n"))
    thread = discourse.read(ImportRequest(docs))
    assert [(r.number, r.parent_id) for r in thread.replies] == [(2, None), (3, "12")]
    assert thread.partial  # the broken post file held a post
    assert any(n.startswith("skipped posts/broken.json line 1 column") for n in thread.import_notes)
    assert any(n.startswith("skipped posts/README.md") for n in thread.import_notes)


def test_errors_name_line_column_and_json_path():
    with pytest.raises(SourceError) as info:
        discourse.read(ImportRequest((SourceDocument("t.json", b'{"post_stream": {"posts": [}}'),)))
    assert info.value.where == "t.json line 1 column 28" and "not valid JSON" in info.value.message
    bad = _topic()
    bad["post_stream"]["posts"][1]["post_number"] = "second"
    with pytest.raises(SourceError) as info:
        discourse.read(ImportRequest(_docs(bad, names=["t.json"])))
    assert info.value.where == "t.json at $.post_stream.posts[1].post_number"
    assert 'found text "second"' in info.value.message
    with pytest.raises(SourceError, match="not a Discourse topic or post"):
        discourse.read(ImportRequest(_docs({"hello": "world"})))


def _page(*posts, **topic_fields):
    """A topic document whose post_stream has posts but no stream, like /t/ID/posts.json."""
    return {"post_stream": {"posts": list(posts)}, "id": 42, **topic_fields}


def test_page_without_stream_is_checked_against_the_post_counts():
    page = _page(*(_post(500 + n, n, user, f"<p>{user}</p>", posts_count=30) for n, user in
                   ((1, "ann"), (2, "ben"), (3, "cat"))))
    thread = discourse.read(ImportRequest(_docs(page, names=["posts.json"])))
    assert len(thread.replies) == 2 and thread.partial and thread.total_replies == 29
    note = next(n for n in thread.import_notes if "not in the import" in n)
    assert note.startswith("27 of the topic's 30 posts (posts_count) are not in the import")
    assert "/t/42/posts.json?post_number=3&asc=true" in note and "/t/42.json" in note

    # Each post's posts_count is the count when it was fetched: a lower one is not a gap.
    stale = _page(_post(501, 1, "ann", "<p>a</p>", posts_count=1), _post(502, 2, "ben", "<p>b</p>", posts_count=1))
    thread = discourse.read(ImportRequest(_docs(stale, names=["posts.json"])))
    assert not thread.partial and thread.total_replies is None
    assert not any("not in the import" in n for n in thread.import_notes)

    # The topic's own count wins; highest_post_number is only an upper bound, so no total.
    opening = _post(501, 1, "ann", "<p>a</p>", posts_count=30)
    counted = discourse.read(ImportRequest(_docs(_page(opening, posts_count=4))))
    assert counted.total_replies == 3 and any(n.startswith("3 of the topic's 4 posts") for n in counted.import_notes)
    numbered = discourse.read(ImportRequest(_docs(_page(_post(501, 1, "ann", "<p>a</p>"), highest_post_number=12))))
    assert numbered.partial and numbered.total_replies is None
    assert any(n.startswith("11 of the topic's up to 12 posts (highest_post_number)") for n in numbered.import_notes)


VIDEO = (
    '<div class="youtube-onebox lazy-video-container" data-video-id="x1Y2z3" '
    'data-video-title="Pruning roses   in March" data-provider-name="youtube">\n'
    '  <a href="https://www.youtube.com/watch?v=x1Y2z3" target="_blank" rel="noopener">\n'
    '    <img class="youtube-thumbnail" src="https://forum.example.org/uploads/default/original/1X/thumb.jpeg" '
    'title="Pruning roses in March" width="480" height="360">\n  </a>\n</div>\n<p>Worth a look.</p>'
)


def test_video_onebox_becomes_one_link_labelled_with_its_title():
    no_link = ('<div class="vimeo-onebox lazy-video-container" data-video-title="Compost bins">'
               '<img class="vimeo-thumbnail" src="https://forum.example.org/t.jpg"></div>')
    topic = _topic(post_stream={"posts": [_post(501, 1, "ann", "<p>Videos?</p>"), _post(502, 2, "ben", VIDEO),
                                          _post(503, 3, "cat", no_link)], "stream": [501, 502, 503]})
    thread = discourse.read(ImportRequest(_docs(topic, names=["t/42.json"])))
    link = '<a href="https://www.youtube.com/watch?v=x1Y2z3">Pruning roses in March</a>'
    assert thread.reply("502").body == f"<p>{link}</p><p>Worth a look.</p>"
    assert thread.reply("503").body == "<p>[video: Compost bins]</p>"


def test_hidden_posts_are_left_out_like_deleted_ones():
    topic = _topic(post_stream={"posts": [
        _post(501, 1, "ann", "<p>Which shears?</p>"),
        _post(502, 2, "spammer", "<p>This post was flagged by the community and is temporarily hidden.</p>",
              hidden=True, cooked_hidden=True),
        _post(503, 3, "troll", "<p>BUY CHEAP SHEARS</p>", hidden=True),
        _post(504, 4, "ben", "<p>Reported.</p>", reply_to=3),
    ], "stream": [501, 502, 503, 504]})
    thread = discourse.read(ImportRequest(_docs(topic, names=["t/42.json"])))
    assert [r.id for r in thread.replies] == ["503", "504"] and not thread.partial
    assert thread.reply("503").body == "<p>[hidden]</p>" and thread.reply("504").parent_id == "503"
    notes = " | ".join(thread.import_notes)
    assert "2 hidden posts (flagged by the community): 1 skipped, 1 kept as empty placeholders" in notes
    assert not any("CHEAP" in r.body or "flagged" in r.body for r in thread.replies)


def test_only_regular_posts_are_replies_and_whispers_never_come_in():
    topic = _topic(post_stream={"posts": [
        _post(501, 1, "ann", "<p>Which shears?</p>"),
        _post(502, 2, "mod", "<p>Staff only: ben is a sock puppet.</p>", post_type=4),
        _post(503, 3, "system", "<p>This topic was automatically closed.</p>", post_type=2),
        _post(504, 4, "ben", "<p>Bypass.</p>", post_type=None),
        _post(505, 5, "mod2", "<p>Agreed, banning.</p>", post_type=4, reply_to=2),
        _post(506, 6, "cat", "<p>Why closed?</p>", reply_to=3),
        _post(507, 7, "bot", "<p>?</p>", post_type=9),
    ], "stream": [501, 502, 503, 504, 505, 506, 507]})
    thread = discourse.read(ImportRequest(_docs(topic, names=["t/42.json"])))
    assert [r.id for r in thread.replies] == ["504", "506"]
    assert not thread.partial  # posts left out on purpose are not missing
    notes = " | ".join(thread.import_notes)
    assert "skipped 1 moderator notices" in notes and "left out 2 whispers" in notes
    assert "skipped 1 posts of post_type 9" in notes
    assert "1 post answers a post left out above (shown as answering the topic): #6 answers #3" in notes
    assert not any("sock puppet" in r.body for r in (thread.opening_post, *thread.replies))


def test_solved_accepted_answer_is_marked():
    posts = [_post(501, 1, "ann", "<p>Which shears?</p>"), _post(502, 2, "ben", "<p>Any.</p>"),
             _post(503, 3, "cat", "<p>Bypass ones.</p>")]
    by_topic = discourse.read(ImportRequest(_docs(_topic(
        post_stream={"posts": posts, "stream": [501, 502, 503]},
        accepted_answer={"post_number": 3, "username": "cat", "excerpt": "Bypass ones."}))))
    assert [r.engagement.accepted for r in by_topic.replies] == [0, 1]
    assert by_topic.opening_post.engagement.accepted is None

    flagged = [dict(p, accepted_answer=p["id"] == 502, topic_accepted_answer=True) for p in posts]
    by_post = discourse.read(ImportRequest(_docs(*flagged)))
    assert [r.engagement.accepted for r in by_post.replies] == [1, 0]

    unsolved = discourse.read(ImportRequest(_docs(*posts)))
    assert [r.engagement.accepted for r in unsolved.replies] == [None, None]
    elsewhere = discourse.read(ImportRequest(_docs(*(dict(p, topic_accepted_answer=True) for p in posts))))
    assert elsewhere.import_notes == (
        "the source gives no topic title (posts pages and posts saved alone have none): the title 'Pruning shears' is read "
        "from the topic's address (pruning-shears); /t/42.json gives the real one",
        "permalinks use https://forum.example.org, the forum address found in the posts' avatar paths",
        "the topic has an accepted answer (topic_accepted_answer) that is not in the import",
    )
    later = discourse.read(ImportRequest(_docs(_topic(post_stream={"posts": posts, "stream": [501, 502, 503]},
                                                      accepted_answer={"post_number": 9}))))
    assert "the accepted answer (post #9) is not in the import" in later.import_notes
    assert [r.engagement.accepted for r in later.replies] == [0, 0]


# ---------------------------------------------------------------------------- properties

TEXT = text_values("\ud800", "\x00", "<p>x", "1", "-5", "2024-01-01T00:00:00+05:00")
JSON_VALUES = json_values(TEXT)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=60))
def test_random_bytes_raise_only_source_errors(data, other):
    only_source_errors(discourse, [SourceDocument("a.json", data)])
    only_source_errors(discourse, [SourceDocument("a.json", data), SourceDocument("b.json", other)])


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_hand_made_inputs_raise_only_source_errors(data):
    shape = data.draw(st.sampled_from(["topic", "post", "folder"]))
    if shape == "topic":
        docs = _docs(mutate_json(_topic(), data.draw, JSON_VALUES))
    elif shape == "post":
        docs = _docs(mutate_json(_post(9, 1, "ann", QUOTE), data.draw, JSON_VALUES))
    else:
        docs = _docs(*(mutate_json(p, data.draw, JSON_VALUES) for p in _topic()["post_stream"]["posts"][:3]))
    raw = docs[0].data
    cut = data.draw(st.integers(0, len(raw)))
    if data.draw(st.booleans()):
        docs = (SourceDocument(docs[0].name, raw[:cut] + data.draw(st.binary(max_size=4)) + raw[cut + 1:]),) + docs[1:]
    only_source_errors(discourse, docs, thread=data.draw(st.none() | st.sampled_from(["42", "pruning-shears", "x"])))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_real_topic_raises_only_source_errors(shared_data, data):
    topic = json.loads((shared_data / PERCEVAL / "discourse_topic_1148.json").read_bytes())
    topic["post_stream"]["posts"] = topic["post_stream"]["posts"][:4]  # small, so 150 runs stay fast
    only_source_errors(discourse, _docs(mutate_json(topic, data.draw, JSON_VALUES)))


def test_folder_with_a_broken_file_under_a_non_utf8_name_still_writes_its_notes(tmp_path):
    """The skip note quotes the file's name and the bad value; both must survive into the JSON."""
    broken = tmp_path / os.fsdecode(b"bad\xff.json")
    broken.write_text('{"id": 1, "post_number": 1, "topic_id": 5, "username": "a", "post_type": "\\ud800"}')
    (tmp_path / "2.json").write_text('{"id": 2, "post_number": 2, "topic_id": 5, "username": "b", "cooked": "<p>yo</p>"}')
    thread = discourse.read(ImportRequest(load_documents(tmp_path)))
    assert thread.import_notes[0] == f'skipped {tmp_path}/bad\ufffd.json at $.post_type: expected a whole number, found text "\\ud800"'
    assert_round_trip(thread)


# ---------------------------------------------------------------------------- cooked markup

POLL = (
    '<p>Which shears?</p>\n<div class="poll" data-poll-status="{status}" data-poll-name="{name}">\n'
    '<div class="poll-container">\n{title}<ul>\n<li data-poll-option-id="a1b2">Bypass</li>\n'
    '<li data-poll-option-id="c3d4">Anvil '
    '<img src="/images/emoji/twitter/axe.png" title=":axe:" class="emoji" alt=":axe:"></li>\n'
    '</ul>\n</div>\n<div class="poll-info">\n<div class="poll-info_counts">\n<div class="poll-info_counts-count">\n'
    '<span class="info-number">0</span>\n<span class="info-label">voters</span>\n</div>\n</div>\n</div>\n</div>'
)


def _poll(name="poll", status="open", title=""):
    return POLL.format(name=name, status=status, title=title)


def _results(name="poll", votes=(12, 5), **fields):
    options = [{"id": option_id, "html": label} | ({"votes": count} if count is not None else {})
               for option_id, label, count in zip(("a1b2", "c3d4"), ("Bypass", "Anvil :axe:"), votes)]
    return {"name": name, "type": "regular", "status": "open", "options": options, "voters": 17, **fields}


def _bodies(*posts):
    topic = _topic(post_stream={"posts": list(posts), "stream": [p["id"] for p in posts]})
    thread = discourse.read(ImportRequest(_docs(topic, names=["t/42.json"])))
    return thread, {r.number: r.body for r in (thread.opening_post, *thread.replies)}


def test_polls_show_the_vote_counts_of_the_polls_data_not_the_cooked_zero():
    thread, bodies = _bodies(
        _post(501, 1, "ann", _poll(title='<div class="poll-title">Best <em>shears</em>?</div>'), polls=[_results()]),
        _post(502, 2, "ben", _poll(name="second", status="closed"),
              polls={"second": _results(name=None, votes=(1, 0), status="closed")}),  # the pre-2018 shape
        _post(503, 3, "cat", _poll()),  # saved without the polls data
        _post(504, 4, "dan", _poll(), polls=[_results(votes=(None, None))]),  # results hidden from the saver
    )
    options = "<li>Bypass: {}</li><li>Anvil :axe:: {}</li>"
    assert bodies[1] == ("<p>Which shears?</p><p>[poll: 17 voters] Best <em>shears</em>?</p>"
                         "<ul>" + options.format("12 votes", "5 votes") + "</ul>")
    assert bodies[2].endswith("<p>[poll, closed: 17 voters]</p><ul>" + options.format("1 vote", "0 votes") + "</ul>")
    assert bodies[3].endswith("<p>[poll]</p><ul><li>Bypass</li><li>Anvil :axe:</li></ul>")
    assert bodies[4].endswith("<p>[poll: 17 voters]</p><ul><li>Bypass</li><li>Anvil :axe:</li></ul>")
    assert not any("0\nvoters" in body or "0 voters" in body for body in bodies.values())
    assert "2 posts hold polls shown without vote counts" in " | ".join(thread.import_notes)
    assert_round_trip(thread)


def _quote(title, **attributes):
    extra = "".join(f' data-{key}="{value}"' for key, value in attributes.items())
    return (f'<aside class="quote" data-post="1" data-topic="27"{extra}><div class="title">\n'
            f'<div class="quote-controls"></div>\n{title}</div>\n<blockquote><p>helloworld</p></blockquote></aside>')


def test_quote_titles_say_who_said_it_once_and_where():
    avatar = '<img width="20" height="20" src="//www.gravatar.com/avatar/f0b.png?s=40" class="avatar">'
    avatar_path = "https://forum.example.org/user_avatar/forum.example.org/bekircem/48/4_2.png"
    other_topic = (
        f'<img alt="" width="24" height="24" src="{avatar_path}" class="avatar">\n'
        '<a href="https://forum.example.org/t/header-submenus/94584">Header submenus</a> '
        '<a class="badge-category__wrapper " href="/c/theme-component/61"><span data-category-id="61" '
        'class="badge-category --style-square "><span class="badge-category__name">theme-component</span></span></a>\n')
    letter = other_topic.replace(avatar_path, "https://avatars.example-cdn.com/v4/letter/m/59ef9b/48.png")
    _, bodies = _bodies(
        _post(501, 1, "ann", "<p>Quotes</p>"),
        _post(502, 2, "ben", _quote(f"{avatar}hayeah said:")),  # cooked before 2015
        _post(503, 3, "cat", _quote(f"{avatar} said:")),  # a user named "said", cooked today
        _post(504, 4, "dan", _quote(other_topic)),
        _post(505, 5, "eve", _quote(other_topic, username="Bekir")),
        _post(506, 6, "fay", _quote(letter)),
    )
    quoted = "<p>helloworld</p></blockquote>"
    topic_link = '<a href="https://forum.example.org/t/header-submenus/94584">Header submenus</a>:</p>'
    assert bodies[2] == "<blockquote><p>hayeah said:</p>" + quoted
    assert bodies[3] == "<blockquote><p>said said:</p>" + quoted
    assert bodies[4] == "<blockquote><p>bekircem said in " + topic_link + quoted
    assert bodies[5] == "<blockquote><p>Bekir said in " + topic_link + quoted
    assert bodies[6] == "<blockquote><p>Quoted from " + topic_link + quoted
    assert not any("theme-component" in body for body in bodies.values())


def test_staff_colored_posts_are_replies_and_only_automatic_notices_are_skipped():
    thread, bodies = _bodies(
        _post(501, 1, "ann", "<p>Which shears?</p>"),
        _post(502, 2, "mod", "<p>Please keep this on topic.</p>", post_type=2),  # "Add staff color"
        _post(503, 3, "ben", "<p>Sorry, will do.</p>", reply_to=2),
        _post(504, 4, "mod", "<p>This topic is now pinned. It will appear at the top of its category until it is "
                             "either unpinned by a moderator, or the Clear Pin button is pressed.</p>", post_type=2),
        _post(505, 5, "mod", "", post_type=2, action_code="visible.disabled"),
        _post(506, 6, "mod", "<p>This topic is now closed, <strong>stop</strong> arguing.</p>", post_type=2),
    )
    assert sorted(bodies) == [1, 2, 3, 6]
    assert bodies[2] == "<p>Please keep this on topic.</p>"
    assert thread.reply("503").parent_id == "502"
    notes = " | ".join(thread.import_notes)
    assert "skipped 2 moderator notices (automatic topic status posts, not replies)" in notes
    assert "answer posts" not in notes


def test_checklist_boxes_keep_whether_they_are_ticked():
    cooked = ('<ul>\n<li><span class="chcklst-box checked fa fa-square-check-o fa-fw"></span> done</li>\n'
              '<li><span class="chcklst-box fa fa-square-o fa-fw" data-chk-off="9"></span> todo</li>\n'
              '<li><span class="chcklst-box checked permanent fa fa-square-check"></span> for good</li>\n</ul>')
    _, bodies = _bodies(_post(501, 1, "ann", cooked))
    assert bodies[1].replace("\n", "") == "<ul><li>[x] done</li><li>[ ] todo</li><li>[x] for good</li></ul>"


def test_in_page_links_become_text_and_forum_links_absolute():
    cooked = ('<h2><a name="p-501-tools-1" class="anchor" href="#p-501-tools-1"></a>Tools</h2>\n'
              '<p>See <a href="#p-501-tools-1">Tools</a> and <a href="/t/compost-bins/77/3">bins</a>'
              '<sup class="footnote-ref"><a href="#footnote-501-1" id="footnote-ref-501-1">[1]</a></sup>.</p>\n'
              '<hr class="footnotes-sep">\n<ol class="footnotes-list">\n<li id="footnote-501-1" class="footnote-item">'
              '<p>Bypass only. <a href="#footnote-ref-501-1" class="footnote-backref">↩︎</a></p>\n</li>\n</ol>')
    _, bodies = _bodies(_post(501, 1, "ann", cooked))
    assert bodies[1].replace("\n", "") == (
        '<p><strong>Tools</strong></p><p>See Tools and '
        '<a href="https://forum.example.org/t/compost-bins/77/3">bins</a>^[1].</p><hr><ol><li><p>Bypass only. </p></li></ol>')


def test_missing_posts_are_named_with_requests_that_return_them():
    last_page = _page(*(_post(500 + n, n, f"u{n}", f"<p>{n}</p>", posts_count=30) for n in (30, 29, 28, 27)))
    thread = discourse.read(ImportRequest(_docs(last_page, names=["posts.json"])))
    note = next(n for n in thread.import_notes if "not in the import:" in n)
    assert note.startswith("26 of the topic's 30 posts (posts_count) are not in the import: "
                           "the file holds #27-#30, not #1-#26; save /t/42.json?print=true (up to 1,000 posts")
    assert "/t/42/posts.json?post_number=27 (the 20 posts before #27, newest first" in note
    assert "asc=true" not in note  # nothing follows #30: the posts after it would be none

    middle = _page(*(_post(500 + n, n, f"u{n}", f"<p>{n}</p>", posts_count=446) for n in (433, 435, 436, 438, 439)))
    note = next(n for n in discourse.read(ImportRequest(_docs(middle))).import_notes if "not in the import:" in n)
    assert "the file holds #433, #435-#436, #438-#439, not #1-#432, #434, #437 or the posts after #439;" in note
    assert "?post_number=433 (the 20 posts before" in note and "?post_number=433&asc=true (the 20 posts after" in note

    bounded = _page(_post(501, 1, "ann", "<p>a</p>"), _post(503, 3, "cat", "<p>c</p>"), highest_post_number=5)
    note = next(n for n in discourse.read(ImportRequest(_docs(bounded))).import_notes if "not in the import:" in n)
    assert ": the file holds #1, #3, not #2, #4-#5;" in note and "?post_number=1&asc=true" in note

    streamed = discourse.read(ImportRequest(_docs(_topic(), names=["t/42.json"])))
    assert any(n.endswith("are not in the import; ids 507, 509, 510; fetch them from "
                          "/t/42/posts.json?post_ids[]=507&post_ids[]=509&post_ids[]=510, or save "
                          "/t/42.json?print=true (up to 1,000 posts in one file)") for n in streamed.import_notes)


def test_an_opening_post_saved_alone_is_partial_when_it_counts_replies():
    answered = discourse.read(ImportRequest(_docs(_post(501, 1, "ann", "<p>Shears?</p>", reply_count=2))))
    assert answered.partial and answered.replies == ()
    assert ("the source is one post (#1) and its reply_count counts 2 replies it does not hold: the topic's other "
            "posts are not in the import; save /t/42.json?print=true (up to 1,000 posts in one file)") in answered.import_notes
    alone = discourse.read(ImportRequest(_docs(_post(501, 1, "ann", "<p>Shears?</p>"))))
    assert not alone.partial
    assert any(n.startswith("the source is one post (#1), which does not say whether") for n in alone.import_notes)
    both = discourse.read(ImportRequest(_docs(_post(501, 1, "ann", "<p>Shears?</p>", reply_count=1),
                                              _post(502, 2, "ben", "<p>Bypass.</p>", reply_to=1))))
    assert not both.partial and not any("source is one post" in n for n in both.import_notes)


def test_thread_id_from_post_urls_else_the_opening_post():
    bare = [{"id": 100 + n, "username": user, "post_number": n, "cooked": f"<p>{user}</p>"}
            for n, user in ((1, "ann"), (2, "ben"))]
    urls = [dict(post, post_url=f"/t/pruning-shears/42/{post['post_number']}") for post in bare]
    by_url = discourse.read(ImportRequest(_docs(*urls)))
    assert by_url.id == "42" and not any("thread id" in n for n in by_url.import_notes)
    by_opening = discourse.read(ImportRequest(_docs({"title": "Shears", "post_stream": {"posts": bare}})))
    assert by_opening.id == "post-101"
    assert "the source names no topic id or slug: the thread id post-101 is its opening post's id" in by_opening.import_notes
    nameless = discourse.read(ImportRequest(_docs({"post_stream": {"posts": [dict(bare[1], id=None)]}})))
    assert nameless.id == "discourse" and any('the thread id is "discourse"' in n for n in nameless.import_notes)


def test_a_topic_address_as_thread_gives_the_links_a_source_without_one_lacks():
    """Posters without uploaded avatars have letter avatars, which name no forum host."""
    posts = [_post(501, 1, "ann", "<p>Which shears?</p>", avatar_template="/letter_avatar_proxy/v4/letter/a/e9/{size}.png"),
             _post(502, 2, "ben", "<p>Bypass.</p>", avatar_template="/letter_avatar_proxy/v4/letter/b/e9/{size}.png")]
    docs = _docs(*posts, names=["a.json", "b.json"])
    bare = discourse.read(ImportRequest(docs))
    assert bare.url is None and "the source names no forum address" in bare.import_notes[-1]
    thread = discourse.read(ImportRequest(docs, thread="https://forum.example.org/t/pruning-shears/42/2"))
    assert thread.url == "https://forum.example.org/t/pruning-shears/42"
    assert thread.replies[0].permalink == "https://forum.example.org/t/pruning-shears/42/2"


def test_a_post_saved_alone_counts_its_topic_by_topic_posts_count():
    """/posts/ID.json and webhooks carry the topic's post count as topic_posts_count."""
    twelfth = _post(3512599, 12, "user12", "<p>Reply twelve</p>", topic_id=253423, slug="topic", topic_posts_count=12)
    thread = discourse.read(ImportRequest(_docs(twelfth)))
    assert thread.partial and thread.total_replies == 11 and [r.number for r in thread.replies] == [12]
    assert ("11 of the topic's 12 posts (topic_posts_count) are not in the import: the file holds #12, not #1-#11; "
            "save /t/253423.json?print=true (up to 1,000 posts in one file), whose post_stream.stream lists every "
            "post id, or fetch /t/253423/posts.json?post_number=12 (the 20 posts before #12, newest first; go on "
            "from the first post number each page holds)") in thread.import_notes

    whole = discourse.read(ImportRequest(_docs(_post(501, 1, "ann", "<p>Shears?</p>", topic_posts_count=1))))
    assert not whole.partial and whole.total_replies == 0
    assert not any("source is one post" in n or "not in the import" in n for n in whole.import_notes)


FEDORA_POST = _post(78730, 3, "hankuoffroad", reply_to=2, topic_id=46225, slug="quickdocs-manage-images",
                    topic_title="QuickDocs - Manage images", topic_posts_count=3,
                    avatar_template="/user_avatar/discussion.fedoraproject.org/hankuoffroad/{size}/2935_2.png")


def test_webhook_bodies_are_read_or_refused_with_what_to_save():
    wrapped = {"post": dict(FEDORA_POST, cooked="<p>Thanks, updated.</p>")}
    assert discourse.sniff(SourceDocument("hook.json", json.dumps(wrapped, indent=4).encode()))
    thread = discourse.read(ImportRequest(_docs(wrapped)))
    assert (thread.id, thread.title, thread.total_replies) == ("46225", "QuickDocs - Manage images", 2)
    assert [(r.id, r.body) for r in thread.replies] == [("78730", "<p>Thanks, updated.</p>")]
    assert thread.replies[0].permalink == "https://discussion.fedoraproject.org/t/quickdocs-manage-images/46225/3"

    textless = {k: v for k, v in FEDORA_POST.items() if k != "cooked"}  # as fedora-messaging relays it
    thread = discourse.read(ImportRequest(_docs({"post": textless})))
    assert thread.partial and thread.replies[0].body == ""
    assert ("post #3 has no text (neither cooked nor raw in the source) and is imported with an empty body; "
            "save it again from /posts/78730.json") in thread.import_notes
    two = discourse.read(ImportRequest(_docs(textless, dict(textless, id=78731, post_number=4, cooked="  "))))
    assert ("2 posts have no text (neither cooked nor raw in the source) and are imported with empty bodies: "
            "#3, #4; save each again from /posts/POST_ID.json") in two.import_notes

    topic_hook = {"topic": {"id": 46225, "title": "QuickDocs - Manage images", "fancy_title": "QuickDocs - Manage images",
                            "posts_count": 3, "slug": "quickdocs-manage-images", "highest_post_number": 3,
                            "created_by": {"username": "pboy", "avatar_template":
                                           "/user_avatar/discussion.fedoraproject.org/pboy/{size}/5607_2.png"}}}
    data = json.dumps(topic_hook).encode()
    assert discourse.sniff(SourceDocument("hook.json", data))
    with pytest.raises(SourceError) as info:
        discourse.read(ImportRequest((SourceDocument("hook.json", data),)))
    assert info.value.where == "hook.json at $.topic"
    assert info.value.message == ("this is a Discourse topic webhook body: it describes topic 46225 "
                                  "('QuickDocs - Manage images') but holds none of its posts")
    assert info.value.fix == ("save the topic from https://discussion.fedoraproject.org/t/46225.json?print=true "
                              "(up to 1,000 posts) and import that")


def test_emoji_become_their_code_in_old_and_new_cooked_html():
    """Before about 2015 the alt was the bare name and only the title held the :code:."""
    old = ('<p>sneak into the park after <img src="//klavado.com/plugins/emoji/images/emoji_one/wink.png" '
           'title=":wink:" class="emoji" alt="wink" width="64" height="64"></p>')
    toned = '<p>Yes <img src="/images/emoji/twitter/+1/2.png?v=12" title=":+1:t2:" class="emoji" alt=":+1:t2:"></p>'
    titleless = '<p>Ok <img src="/images/emoji/twitter/ok.png" class="emoji" alt=":ok:"></p>'
    _, bodies = _bodies(_post(501, 1, "ann", old), _post(502, 2, "ben", toned), _post(503, 3, "cat", titleless))
    assert bodies == {1: "<p>sneak into the park after :wink:</p>", 2: "<p>Yes :+1:t2:</p>", 3: "<p>Ok :ok:</p>"}


def test_a_private_message_is_imported_with_a_note_that_it_is_private():
    """A private message (``archetype: private_message``) is readable only by the users and
    groups it names: the import says so, since a digest would make it public."""
    stream = {"posts": [_post(701, 1, "ann", "<p>Can we talk about the plot fees?</p>"),
                        _post(702, 2, "ben", "<p>Sure.</p>")], "stream": [701, 702]}
    details = {"created_by": {"username": "ann"}, "allowed_users": [{"id": 1, "username": "ann"}, {"id": 2, "username": "ben"}],
               "allowed_groups": [{"id": 41, "name": "moderators"}]}
    private = _topic(archetype="private_message", category_id=None, posts_count=2, post_stream=stream, details=details)
    thread = discourse.read(ImportRequest(_docs(private)))
    assert [r.body for r in thread.replies] == ["<p>Sure.</p>"]
    assert thread.import_notes[0] == ("this topic is a private message between ann, ben, group moderators "
                                      "(archetype private_message): only they can read it on the forum; "
                                      "a digest sent or archived from it makes it public")
    public = discourse.read(ImportRequest(_docs(_topic(archetype="regular", posts_count=2, post_stream=stream))))
    assert not any("private message" in note for note in public.import_notes)


def test_the_forum_address_from_avatars_keeps_a_subfolder_install():
    """A forum installed in a subfolder writes it before ``/user_avatar/HOST/``; an avatar served
    from a CDN still names the forum's host, but not its folder."""
    stream = {"posts": [_post(701, 1, "ann", "<p>Hi</p>", avatar_template="/forum/user_avatar/example.org/ann/{size}/7_2.png"),
                        _post(702, 2, "ben", "<p>Hello</p>")], "stream": [701, 702]}
    thread = discourse.read(ImportRequest(_docs(_topic(posts_count=2, post_stream=stream))))
    assert thread.url == "https://example.org/forum/t/pruning-shears/42"
    assert thread.replies[0].permalink == "https://example.org/forum/t/pruning-shears/42/2"
    assert "permalinks use https://example.org/forum, the forum address found in the posts' avatar paths" in thread.import_notes
    cdn = "https://sea1.discourse-cdn.com/flex016/user_avatar/forum.example.org/ann/{size}/7_2.png"
    stream["posts"][0]["avatar_template"] = cdn
    stream["posts"][1]["avatar_template"] = cdn.replace("ann", "ben")
    assert discourse.read(ImportRequest(_docs(_topic(posts_count=2, post_stream=stream)))).url == (
        "https://forum.example.org/t/pruning-shears/42")


def test_a_topics_raw_export_is_refused_with_the_topic_json_to_import():
    """``/raw/TOPIC_ID`` is each post's markdown under "USERNAME | UPDATED_AT | #N": no parents,
    likes or posting times, which the topic's JSON on the same forum has."""
    raw = ("uwe_keim | 2013-02-05 21:29:00 UTC | #1\n\nAny plans to support localization?\n\n-------------------------\n\n"
           "tms | 2013-02-06 10:15:27 UTC | #2\n\nThe strings [are externalized](https://example.org/en.yml).\n\n"
           "-------------------------\n\n").encode()
    fetched = SourceDocument("https://forum.example.org/raw/280", raw)
    assert discourse.sniff(fetched)
    with pytest.raises(SourceError) as info:
        discourse.read(ImportRequest((fetched,)))
    assert info.value.message == ("this is Discourse's /raw/ export of a topic: each post's markdown, without what it "
                                  "answers, its likes or when it was written")
    assert info.value.fix == "import the topic's JSON instead: https://forum.example.org/t/280.json?print=true"
    with pytest.raises(SourceError, match=r"https://FORUM/t/TOPIC_ID\.json\?print=true"):
        discourse.read(ImportRequest((SourceDocument("topic.md", raw),)))
    assert not discourse.sniff(SourceDocument("notes.txt", b"ann | shopping list | #1\n\nmilk\n"))


def test_the_forums_error_answer_saved_as_the_file_says_what_it_answered():
    private = {"errors": ["You are not permitted to view the requested resource."], "error_type": "invalid_access"}
    doc = SourceDocument("t/42.json", json.dumps(private).encode())
    assert discourse.sniff(doc)
    with pytest.raises(SourceError) as info:
        discourse.read(ImportRequest((doc,)))
    assert (info.value.where, info.value.message) == (
        "t/42.json at $", "this is the Discourse forum's error answer, not a topic: You are not permitted to view the "
                          "requested resource. (invalid_access)")
    assert info.value.fix == ("the topic is not public (a private category or message): save it while logged in, or "
                              "with an API key (Api-Key and Api-Username headers)")
    limited = {"error_type": "rate_limit", "extras": {"wait_seconds": 12}, "errors": ["Slow down."]}
    with pytest.raises(SourceError, match=r"wait a minute, then save the topic again"):
        discourse.read(ImportRequest(_docs(limited)))


SPOILER_NOTE = ('spoilers not shown: {} (text the forum hides until it is clicked); each reads '
                '"[spoiler: read it at the source]" and links to its post')


def test_spoilers_stay_hidden_behind_a_link_to_their_post():
    inline = '<p>I like watching <span class="spoiler">the butler did it</span> twice</p>'
    block = '<div class="spoiler">\n<p>he wakes up</p>\n</div>\n<p>after</p>'
    thread, bodies = _bodies(_post(501, 1, "ann", "<p>Seen it?</p>"), _post(502, 2, "ben", inline),
                             _post(503, 3, "cat", block), _post(504, 4, "dan", "", raw="Ending: [spoiler]he wakes up[/spoiler]!"),
                             _post(505, 5, "eve", "<details>\n<summary>Spoiler!</summary>\n<p>he wakes up</p>\n</details>\n"
                                                  "<details><summary>Logs</summary><p>line 1</p></details>"))
    link = '<a href="https://forum.example.org/t/pruning-shears/42/{}">[spoiler: read it at the source]</a>'
    assert bodies[2] == f"<p>I like watching {link.format(2)} twice</p>"
    assert bodies[3] == f"<p>{link.format(3)}</p><p>after</p>"
    assert bodies[4] == f"<p>Ending: {link.format(4)}!</p>"
    assert bodies[5] == f"<p>{link.format(5)}</p><p><strong>Logs</strong></p><p>line 1</p>"  # only a spoiler's details hide
    assert SPOILER_NOTE.format(4) in thread.import_notes
    assert "wakes up" not in json.dumps(bodies) and "butler" not in json.dumps(bodies)


def test_a_calendar_event_shows_its_name_times_place_and_link():
    cooked = ('<p>Join us!</p>\n<div class="discourse-post-event" data-start="2024-05-01 18:00" data-end="2024-05-01 20:00" '
              'data-status="public" data-name="Spring meetup" data-timezone="Europe/Paris" data-location="Café Bleu" '
              'data-url="https://meet.example.org/spring"></div>\n'
              '<div class="discourse-post-event" data-start="2024-06-01"></div>')
    _, bodies = _bodies(_post(501, 1, "ann", cooked))
    assert bodies[1] == ('<p>Join us!</p><p>[event: Spring meetup, 2024-05-01 18:00 – 2024-05-01 20:00 (Europe/Paris), Café Bleu] '
                         '<a href="https://meet.example.org/spring">https://meet.example.org/spring</a></p><p>[event: 2024-06-01]</p>')


def test_a_posts_page_without_a_title_takes_it_from_the_slug_with_a_note():
    page = {"post_stream": {"posts": [_post(504, 4, "dan", "<p>4</p>", posts_count=446, slug="comments-on-the-book-s-ending"),
                                      _post(501, 1, "ann", "<p>1</p>", posts_count=446, slug="comments-on-the-book-s-ending")]},
            "id": 42}
    thread = discourse.read(ImportRequest(_docs(page, names=["t/42/posts.json"])))
    assert thread.title == "Comments on the book s ending"
    assert thread.import_notes[0] == (
        "the source gives no topic title (posts pages and posts saved alone have none): the title 'Comments on the book s "
        "ending' is read from the topic's address (comments-on-the-book-s-ending); /t/42.json gives the real one")
    cjk = {"post_stream": {"posts": [_post(501, 1, "ann", "<p>1</p>", slug="topic")]}, "id": 43}
    assert discourse.read(ImportRequest(_docs(cjk, names=["t/43/posts.json"]))).title is None


def test_a_percent_encoded_slug_gives_its_title_in_its_own_letters():
    """Forums set to "encoded" slugs keep a Cyrillic or Japanese title in the topic's address."""
    slug = "%D0%BA%D0%B0%D0%BA-%D0%BE%D0%B1%D1%80%D0%B5%D0%B7%D0%B0%D1%82%D1%8C"  # как-обрезать
    page = {"post_stream": {"posts": [_post(501, 1, "ann", "<p>1</p>", slug=slug)]}, "id": 42}
    thread = discourse.read(ImportRequest(_docs(page, names=["t/42/posts.json"])))
    assert thread.title == "Как обрезать"
    assert thread.import_notes[0] == (
        "the source gives no topic title (posts pages and posts saved alone have none): the title 'Как обрезать' "
        "is read from the topic's address (как-обрезать); /t/42.json gives the real one")


def test_local_dates_read_as_one_utc_time_not_the_raw_iso_text():
    """[date=…] is drawn by the forum's script in each reader's zone; as saved its text is ISO
    (or, before 2019, the author's list of zones): it reads as the moment in UTC, or the day."""
    cooked = ('<p>Call at <span data-date="2024-03-05" data-time="14:00:00" class="discourse-local-date" '
              'data-timezone="Europe/Paris" data-email-preview="2024-03-05T13:00:00Z UTC">2024-03-05T13:00:00Z</span>, '
              'closed <span data-date="2024-03-06" class="discourse-local-date" data-timezone="America/New_York">'
              '2024-03-06T05:00:00Z</span>→<span data-date="2024-03-07" class="discourse-local-date">2024-03-07T05:00:00Z</span>; '
              '<span class="discourse-local-date" data-date="2018-05-08" data-time="22:00" data-format="LLL" '
              'data-timezones="Europe/Paris|America/Los_Angeles">May 8, 2018 3:00 PM (America: Los Angeles)</span>; '
              '<span class="discourse-local-date" data-date="2024-13-40" data-time="25:00" data-timezone="Mars/Base">'
              'as cooked</span>; <span class="discourse-local-date" data-date="2020-01-02" data-time="08:30" '
              'data-timezone="undefined">2020-01-02T08:30:00Z</span></p>')
    _, bodies = _bodies(_post(501, 1, "ann", cooked))
    assert bodies[1] == ("<p>Call at 2024-03-05 13:00 UTC, closed 2024-03-06→2024-03-07; 2018-05-08 22:00 UTC; "
                         "as cooked; 2020-01-02 08:30 UTC</p>")


def test_a_quoted_chat_message_is_a_quote_naming_who_said_it_and_where():
    cooked = ('<div class="chat-transcript chat-transcript-chained" data-message-id="123" data-username="alice" '
              'data-datetime="2024-03-03T09:00:00Z" data-channel-name="General" data-channel-id="2">\n'
              '<div class="chat-transcript-meta">\nOriginally sent in <a href="/chat/c/-/2">General</a></div>\n'
              '<div class="chat-transcript-user">\n<div class="chat-transcript-user-avatar"><img loading="lazy" alt="" '
              'width="20" height="20" src="/user_avatar/forum.example.org/alice/40/1_2.png" class="avatar"></div>\n'
              '<div class="chat-transcript-username">\nalice</div>\n<div class="chat-transcript-datetime">\n'
              '<a href="/chat/c/-/2/123" title="2024-03-03T09:00:00Z"></a>\n</div>\n</div>\n'
              '<div class="chat-transcript-messages">\n<p>Deploy is at noon</p></div>\n'
              '<div class="chat-transcript-reactions">\n<div class="chat-transcript-reaction">\n'
              '<img width="20" height="20" src="/images/emoji/twitter/+1.png" title="+1" class="emoji" alt="+1"> 2</div>\n'
              '</div>\n</div>\n'
              '<div class="chat-transcript chat-transcript-chained" data-message-id="124" data-username="bob">\n'
              '<div class="chat-transcript-user">\n<div class="chat-transcript-username">\nbob</div>\n</div>\n'
              '<div class="chat-transcript-messages">\n<p>Noon works.</p></div>\n</div>\n<p>As said in chat.</p>')
    _, bodies = _bodies(_post(501, 1, "ann", cooked))
    assert bodies[1].replace("\n", "") == (
        '<blockquote><p>alice said in <a href="https://forum.example.org/chat/c/-/2">General</a>:</p>'
        '<p>Deploy is at noon</p></blockquote><blockquote><p>bob said:</p><p>Noon works.</p></blockquote>'
        '<p>As said in chat.</p>')
    unlinked = ('<div class="chat-transcript" data-username="cat" data-channel-name="Ops">'
                '<div class="chat-transcript-messages"><p>Rolled back.</p></div></div>')
    _, bodies = _bodies(_post(501, 1, "ann", unlinked))
    assert bodies[1] == "<blockquote><p>cat said in Ops:</p><p>Rolled back.</p></blockquote>"


def test_an_uploaded_video_placeholder_becomes_a_link_to_its_file():
    """Since 2024 an uploaded video is cooked as an empty placeholder the forum's script fills
    with a player: without it the video vanished from the post."""
    cooked = ('<p>As shown:</p>\n<p></p><div class="video-placeholder-container" '
              'data-video-src="/uploads/default/original/3X/7/a/7a96.mp4" data-thumbnail-src="/uploads/default/original/3X/2/1/21fb.png" '
              'data-video-base62-sha1="hurOk5n2.mp4">\n  </div><p></p>\n'
              '<p></p><div class="video-placeholder-container" data-video-src="/404" data-orig-src="upload://rOLC5.mp4">\n  </div><p></p>\n'
              '<p>Thanks</p>')
    _, bodies = _bodies(_post(501, 1, "ann", cooked))
    assert bodies[1] == ('<p>As shown:</p><p><a href="https://forum.example.org/uploads/default/original/3X/7/a/7a96.mp4">'
                         '[video]</a></p><p>[video]</p><p>Thanks</p>')


def test_a_date_tag_in_a_post_saved_with_only_its_markdown_reads_as_the_cooked_one():
    raw = 'Meet [date=2024-03-05 time=14:00:00 format="L LT" timezone="Europe/Paris"] or [date=2024-03-06]; [date=2024-99-01 time=1].'
    _, bodies = _bodies(_post(501, 1, "ann", "", raw=raw))
    assert bodies[1] == "<p>Meet 2024-03-05 13:00 UTC or 2024-03-06; [date=2024-99-01 time=1].</p>"
