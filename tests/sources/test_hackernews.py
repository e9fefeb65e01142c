"""Hacker News reader: hand-made Firebase and Algolia threads (no real sample), fuzzing.

The fixtures follow the published shapes: Firebase ``/v0/item/ID.json`` items (id, type, by,
time, text, parent, kids, score, descendants, deleted, dead) and Algolia ``/api/v1/items/ID``
trees (id, created_at, created_at_i, type, author, title, url, text, points, parent_id,
story_id, children, options).  The texts are our own.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, canonical, detect, hackernews
from tests.sources.fuzzing import assert_round_trip, json_values, mutate_json, only_source_errors, text_values

T0 = 1700000000  # 2023-11-14T22:13:20Z


def _items():
    return [
        {"by": "ann", "descendants": 6, "id": 9100, "kids": [9102, 9101, 9105, 9107], "score": 57, "time": T0,
         "title": "Ask HN: How do you keep notes?", "type": "story",
         "text": "I&#x27;ve tried <i>paper</i> and apps.<p>What works for you?"},
        {"by": "ben", "id": 9101, "kids": [9103], "parent": 9100, "time": T0 + 60, "type": "comment",
         "text": "Plain text files in git.<p>Searchable with <a href=\"https:&#x2F;&#x2F;example.org&#x2F;grep\" "
                 "rel=\"nofollow\">grep</a>."},
        {"deleted": True, "id": 9102, "kids": [9104], "parent": 9100, "time": T0 + 120, "type": "comment"},
        {"by": "ann", "id": 9103, "parent": 9101, "time": T0 + 180, "type": "comment", "text": "@ben do you sync them?"},
        {"by": "cat", "id": 9104, "parent": 9102, "time": T0 + 240, "type": "comment", "text": "Answering a deleted comment."},
        {"by": "dan", "dead": True, "id": 9105, "parent": 9100, "time": T0 + 300, "type": "comment", "text": "[flagged]"},
    ]


def _algolia():
    def node(item_id, kind, author, text, parent, offset, children=(), **extra):
        created = datetime.fromtimestamp(T0 + offset, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return {"id": item_id, "created_at": created, "created_at_i": T0 + offset, "type": kind, "author": author,
                "title": None, "url": None, "text": text, "points": None, "parent_id": parent, "story_id": 9100,
                "children": list(children), "options": [], **extra}

    return node(9100, "story", "ann", "<p>I&#x27;ve tried <i>paper</i> and apps.</p><p>What works for you?</p>", None, 0, [
        node(9101, "comment", "ben", "<p>Plain text files in git.</p>", 9100, 60, [
            node(9103, "comment", "ann", "<p>@ben do you sync them?</p>", 9101, 180)]),
        node(9102, "comment", None, None, 9100, 120, [
            node(9104, "comment", "cat", "<p>Answering a deleted comment.</p>", 9102, 240)]),
    ], title="Ask HN: How do you keep notes?", points=57)


def _read(*objects, thread=None, names=None):
    names = names or [f"item/{i}.json" for i in range(len(objects))]
    docs = tuple(SourceDocument(n, json.dumps(o).encode()) for n, o in zip(names, objects))
    return hackernews.read(ImportRequest(docs, thread=thread))


# ---------------------------------------------------------------------------- Firebase

def test_firebase_array_thread():
    thread = _read(_items())
    assert (thread.id, thread.title, thread.author) == ("9100", "Ask HN: How do you keep notes?", "ann")
    assert thread.url == "https://news.ycombinator.com/item?id=9100"
    assert thread.total_replies == 6  # descendants
    # Display order follows kids: the deleted 9102 stays as a placeholder for its answer 9104.
    assert [(r.id, r.parent_id, r.author) for r in thread.replies] == [
        ("9102", None, "[deleted]"), ("9104", "9102", "cat"), ("9101", None, "ben"), ("9103", "9101", "ann")]
    assert thread.reply("9102").body == "<p>[deleted]</p>"
    assert thread.reply("9105") is None  # dead, no answers
    assert thread.partial
    assert thread.import_notes == (
        "1 comment listed in 'kids' is not in the import: 9107",
        "1 deleted comment: 0 skipped, 1 kept as '[deleted]' placeholders because they have replies",
        "1 dead comment: 1 skipped, 0 kept as '[dead]' placeholders because they have replies",
    )
    opening = thread.opening_post
    # kids lists 4; the dead 9105 nobody answered is not shown, so not counted (9107, only missing, is)
    assert opening.engagement.items() == {"score": 57, "replies": 3}
    assert opening.body == "<p>I've tried <em>paper</em> and apps.</p><p>What works for you?</p>"
    assert opening.posted_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    ben = thread.reply("9101")
    assert ben.body == '<p>Plain text files in git.</p><p>Searchable with <a href="https://example.org/grep">grep</a>.</p>'
    assert ben.engagement.items() == {"replies": 1} and ben.engagement.score is None
    assert ben.permalink == "https://news.ycombinator.com/item?id=9101"
    assert [m.name for m in thread.reply("9103").mentions] == ["ben"]
    assert_round_trip(thread)


def test_keyed_object_and_folder_of_items_read_the_same():
    expected = _read(_items())
    keyed = {str(item["id"]): item for item in _items()}
    assert _read(keyed) == expected
    reordered = list(reversed(_items()))
    assert _read(*reordered, names=[f"item/{i['id']}.json" for i in reordered]) == expected


def test_story_alone_is_partial_and_link_story_body():
    story = {"by": "eve", "descendants": 2, "id": 9200, "kids": [9201, 9202], "score": 12, "time": T0,
             "title": "A link", "type": "story", "url": "https://example.org/post?a=1&b=2"}
    thread = _read(story)
    assert thread.replies == () and thread.partial and thread.total_replies == 2
    assert thread.opening_post.body == '<p><a href="https://example.org/post?a=1&amp;b=2">https://example.org/post?a=1&amp;b=2</a></p>'
    assert thread.import_notes == ("2 comments listed in 'kids' are not in the import: 9201, 9202",)


def test_several_stories_need_a_selector():
    other = {"by": "eve", "id": 9200, "kids": [], "score": 1, "time": T0, "title": "Other", "type": "story"}
    with pytest.raises(SourceError) as info:
        _read(_items() + [other])
    assert info.value.message == "the items belong to 2 threads: 9100 (story, 5 comments), 9200 (story, 0 comments)"
    assert "--thread" in info.value.fix
    assert _read(_items() + [other], thread="https://news.ycombinator.com/item?id=9200").title == "Other"
    assert len(_read(_items() + [other], thread="9100").replies) == 4
    sub = _read(_items() + [other], thread="9101")
    assert sub.opening_post.author == "ben" and [r.id for r in sub.replies] == ["9103"] and sub.partial
    with pytest.raises(SourceError, match="no item 1"):
        _read(_items() + [other], thread="1")


def test_poll_options_and_null_entries():
    poll = {"by": "fay", "id": 9300, "kids": [], "parts": [9301, 9302], "score": 30, "time": T0,
            "title": "Poll: tabs or spaces?", "type": "poll", "descendants": 0}
    options = [{"by": "fay", "id": 9301, "poll": 9300, "parent": 9300, "score": 20, "text": "Tabs", "time": T0, "type": "pollopt"},
               {"by": "fay", "id": 9302, "poll": 9300, "parent": 9300, "score": 10, "text": "Spaces", "time": T0, "type": "pollopt"}]
    thread = _read([poll, *options, None])
    assert thread.replies == () and not thread.partial
    assert thread.opening_post.body == "<ul><li>Tabs (20 points)</li><li>Spaces (10 points)</li></ul>"
    assert "skipped 1 null entries (items the API did not return)" in thread.import_notes


def test_comments_of_different_stories_are_separate_threads():
    comments = [{"by": "ann", "id": 101, "parent": 100, "time": T0, "type": "comment", "text": "on story 100"},
                {"by": "ben", "id": 102, "parent": 101, "time": T0 + 60, "type": "comment", "text": "answer on 100"},
                {"by": "cat", "id": 201, "parent": 200, "time": T0 + 120, "type": "comment", "text": "on story 200"}]
    keyed = {str(c["id"]): c for c in comments}
    for source in ((comments,), (keyed,), tuple(comments)):
        with pytest.raises(SourceError) as info:
            _read(*source)
        assert info.value.message == ("the items belong to 2 threads: 100 (not in the import, 2 comments), "
                                      "200 (not in the import, 1 comments)")
        assert "--thread" in info.value.fix
        first = _read(*source, thread="100")
        assert (first.id, first.opening_post) == ("100", None)
        assert [(r.id, r.parent_id) for r in first.replies] == [("101", None), ("102", "101")]
        assert first.import_notes == ("the story (item 100) is not in the import, only comments on it",
                                      "left out 1 items of the source that are not part of thread 100")
        second = _read(*source, thread="id=200")
        assert [r.id for r in second.replies] == ["201"] and second.partial
    answers = _read(comments, thread="101")
    assert answers.opening_post.author == "ann" and [r.id for r in answers.replies] == ["102"]
    with pytest.raises(SourceError, match="no item 300 in this source; its threads are 100 "):
        _read(comments, thread="300")


def test_a_missing_comment_listed_in_kids_does_not_split_the_thread():
    items = [{"by": "ann", "id": 100, "kids": [101], "time": T0, "title": "Story", "type": "story"},
             {"by": "ben", "id": 102, "parent": 101, "time": T0 + 60, "type": "comment", "text": "under a missing one"},
             {"by": "cat", "id": 103, "parent": 102, "time": T0 + 120, "type": "comment", "text": "deeper"}]
    thread = _read(items)
    assert thread.id == "100" and [(r.id, r.parent_id) for r in thread.replies] == [("102", None), ("103", "102")]
    assert thread.partial and thread.import_notes == (
        "1 comments answer items not in the import (shown as answering the story)",
        "1 comment listed in 'kids' is not in the import: 101",
    )


def test_comments_whose_parents_loop():
    loop = [{"by": "ann", "id": 1, "parent": 2, "time": T0, "type": "comment", "text": "one"},
            {"by": "ben", "id": 2, "parent": 1, "time": T0, "type": "comment", "text": "two"}]
    thread = _read(loop)
    assert thread.id == "1" and thread.opening_post.body == "<p>one</p>" and thread.partial
    assert [(r.id, r.parent_id) for r in thread.replies] == [("2", None)]
    assert thread.import_notes == ("the import starts at comment 1, not at its story; that comment is the opening post",)
    assert_round_trip(thread)


def test_poll_options_name_their_poll_and_follow_parts():
    # The API links an option to its poll with "poll" alone; "parts" gives the display order.
    poll = {"by": "fay", "id": 9400, "kids": [9410], "parts": [9401, 9402, 9403], "score": 30, "time": T0,
            "title": "Poll: office or home?", "type": "poll", "descendants": 1, "text": "Which?"}
    home = {"by": "fay", "id": 9402, "poll": 9400, "score": 228, "text": "Home", "time": T0, "type": "pollopt"}
    office = {"by": "fay", "id": 9401, "poll": 9400, "score": 100, "text": "Office", "time": T0, "type": "pollopt"}
    comment = {"by": "gus", "id": 9410, "parent": 9400, "text": "Home, clearly.", "time": T0 + 60, "type": "comment"}
    thread = _read([poll, home, comment, office])
    assert thread.opening_post.body == "<p>Which?</p><ul><li>Office (100 points)</li><li>Home (228 points)</li></ul>"
    assert [(r.id, r.parent_id) for r in thread.replies] == [("9410", None)]
    assert thread.partial and thread.import_notes == (
        "2 poll options are listed in the opening post, not as replies",
        "1 poll options listed in 'parts' are not in the import: 9403",
    )
    poll["parts"] = [9401, 9402]
    complete = _read(poll, home, comment, office, names=["a.json", "b.json", "c.json", "d.json"])
    assert not complete.partial
    assert complete.import_notes == ("2 poll options are listed in the opening post, not as replies",)


def test_hn_paragraph_marks_around_pre_blocks():
    job = {"by": "jo", "id": 9500, "score": 6, "time": T0, "title": "Job", "type": "job", "url": "",
           "text": "Duties<p><pre><code>    * one\n    * two\n</code></pre>\nSkills<p>end"}
    assert _read(job).opening_post.body == (
        "<p>Duties</p><pre><code>    * one\n    * two\n</code></pre><p>Skills</p><p>end</p>")
    comment = {"by": "kim", "id": 9501, "parent": 9500, "time": T0, "type": "comment",
               "text": "  Spread\nover lines<p><i>x</i></p>"}
    assert _read([job, comment]).reply("9501").body == "<p>Spread over lines</p><p><em>x</em></p>"


def test_quote_paragraphs_become_blockquotes():
    """HN has no quote markup: a paragraph opening with ``>`` (often in italics) quotes the
    comment answered; consecutive ones are one quote.  ``>5`` and ``>=`` compare, not quote."""
    story = {"by": "otterley", "id": 8829208, "kids": [8829722, 8829800], "time": T0, "title": "SSH", "type": "story"}
    firebase = [
        story,
        {"by": "bodyfour", "id": 8829722, "parent": 8829208, "time": T0, "type": "comment",
         "text": "&gt; scp and sftp<p>&gt;were added after the fact<p>scp was there from the beginning."},
        {"by": "beach", "id": 8829800, "parent": 8829208, "time": T0, "type": "comment",
         "text": "<i>&gt; SSH is abysmal</i><p><i>&gt; for large transfers</i> Use HPN-SSH.<p>&gt;5 hops, &gt;= 2 links"},
    ]
    thread = _read(firebase)
    assert thread.reply("8829722").body == (
        "<blockquote><p>scp and sftp</p><p>were added after the fact</p></blockquote><p>scp was there from the beginning.</p>")
    assert thread.reply("8829800").body == (
        "<blockquote><p>SSH is abysmal</p><p>for large transfers</p></blockquote>"
        "<p>Use HPN-SSH.</p><p>&gt;5 hops, &gt;= 2 links</p>")
    algolia = _algolia()
    algolia["children"][0]["text"] = "<p>&gt; Plain text files</p><p>Which editor?</p>"
    assert _read(algolia).reply("9101").body == "<blockquote><p>Plain text files</p></blockquote><p>Which editor?</p>"


def test_json_lines_of_items_read_like_an_array():
    """Dumps (BigQuery's newline-delimited JSON, scripts) write one item per line."""
    lines = b"\n".join(json.dumps(item).encode() for item in _items()) + b"\n"
    doc = SourceDocument("hn.jsonl", lines)
    assert detect(ImportRequest((doc,))) == "hackernews"
    thread = hackernews.read(ImportRequest((doc,)))
    assert [r.id for r in thread.replies] == [r.id for r in _read(_items()).replies] == ["9102", "9104", "9101", "9103"]

    cut = hackernews.read(ImportRequest((SourceDocument("hn.jsonl", lines[:-25]),)))  # ends inside the last item
    assert cut.partial and cut.import_notes[0] == "hn.jsonl: the file ends inside line 6 (cut short); the 5 items before it are imported"
    broken = lines.replace(b'{"by": "ann", "id": 9103', b'{"by": "ann", "id": 9103,,', 1)
    with pytest.raises(SourceError) as info:
        hackernews.read(ImportRequest((SourceDocument("hn.jsonl", broken),)))
    assert (info.value.where, info.value.message) == (
        "hn.jsonl line 4 column 26", "not valid JSON in a JSON-lines file: Expecting property name enclosed in double quotes")


def test_nested_quote_marks_nest_blockquotes():
    """``>>`` quotes what the answered comment quoted: one level deeper than ``>``, in italics
    too, and ``> >`` counts as two marks."""
    story = {"by": "ann", "id": 9600, "kids": [9601], "time": T0, "title": "Quotes", "type": "story"}
    comment = {"by": "ben", "id": 9601, "parent": 9600, "time": T0, "type": "comment",
               "text": "&gt;&gt; Use a tape drive.<p>&gt; Tapes are slow.<p><i>&gt; &gt; cheap per TB</i> and "
                       "still are.<p>Restores matter more."}
    assert _read([story, comment]).reply("9601").body == (
        "<blockquote><blockquote><p>Use a tape drive.</p></blockquote><p>Tapes are slow.</p>"
        "<blockquote><p>cheap per TB</p></blockquote></blockquote><p>and still are.</p><p>Restores matter more.</p>")


def test_folder_skips_a_file_that_is_not_an_item():
    docs = [SourceDocument(f"items/{i['id']}.json", json.dumps(i).encode()) for i in _items()]
    expected = hackernews.read(ImportRequest(tuple(docs)))
    readme = SourceDocument("items/README.txt", b"Items saved from the HN API.\n")
    thread = hackernews.read(ImportRequest((readme, *docs)))
    assert thread.replies == expected.replies and thread.partial == expected.partial
    assert thread.import_notes == (
        "skipped items/README.txt line 1 column 1: not valid JSON: Expecting value", *expected.import_notes)
    broken = SourceDocument("items/9106.json", b'{"id": 9106, "by": ')
    assert hackernews.read(ImportRequest((*docs[:1], broken))).partial  # an item may be missing
    with pytest.raises(SourceError, match="not valid JSON"):
        hackernews.read(ImportRequest((readme,)))


def test_a_stray_file_sorted_first_does_not_decide_a_folders_format():
    docs = [SourceDocument(f"items/{i['id']}.json", json.dumps(i).encode()) for i in _items()]
    index = SourceDocument("items/0-index.html", b"<html><body><p>Saved items</p></body></html>\n")
    assert detect(ImportRequest((index, *docs))) == "hackernews"


# ---------------------------------------------------------------------------- Algolia

def test_algolia_tree():
    thread = _read(_algolia())
    assert (thread.id, thread.title, thread.author) == ("9100", "Ask HN: How do you keep notes?", "ann")
    assert [(r.id, r.parent_id) for r in thread.replies] == [("9101", None), ("9103", "9101"), ("9102", None), ("9104", "9102")]
    assert thread.reply("9102").author == "[deleted]"
    assert thread.reply("9103").posted_at == datetime(2023, 11, 14, 22, 16, 20, tzinfo=timezone.utc)
    assert not thread.partial and thread.total_replies is None  # Algolia states no comment count
    assert thread.opening_post.engagement.items() == {"score": 57, "replies": 2}
    assert thread.reply("9101").engagement.items() == {"replies": 1}
    assert_round_trip(thread)


def test_algolia_comment_subtree():
    subtree = _algolia()["children"][0]
    thread = _read(subtree)
    assert thread.id == "9100" and thread.opening_post is None and thread.partial
    assert [(r.id, r.parent_id) for r in thread.replies] == [("9101", None), ("9103", "9101")]
    assert thread.import_notes == ("the story (item 9100) is not in the import, only comments on it",)


def test_algolia_deleted_and_dead_items_are_only_id_and_children():
    # Algolia's item serializer keeps just id and children for a deleted or dead item.
    tree = _algolia()
    answer = tree["children"][1]["children"][0]
    tree["children"][1:] = [{"id": 9105, "children": []}, {"id": 9102, "children": [answer]}]
    thread = _read(tree)
    assert [(r.id, r.parent_id, r.author, r.body) for r in thread.replies][2:] == [
        ("9102", None, "[deleted]", "<p>[deleted]</p>"), ("9104", "9102", "cat", "<p>Answering a deleted comment.</p>")]
    assert thread.reply("9105") is None
    assert thread.import_notes == (
        "2 deleted comments: 1 skipped, 1 kept as '[deleted]' placeholders because they have replies",)


def test_algolia_poll_options_are_listed_in_the_opening_post():
    # Algolia puts a poll's options in "options" (no author, children or created_at), never in "children".
    poll = _algolia()
    poll.update(type="poll", title="Poll: paper or apps?", text=None, children=poll["children"][:1], options=[
        {"id": 9111, "created_at_i": T0, "type": "pollopt", "text": "Paper", "points": 12, "parent_id": 9100, "story_id": 9100},
        {"id": 9112, "created_at_i": T0, "type": "pollopt", "text": "Apps &amp; sync", "points": 7, "parent_id": 9100, "story_id": 9100},
    ])
    thread = _read(poll)
    assert thread.opening_post.body == "<ul><li>Paper (12 points)</li><li>Apps &amp; sync (7 points)</li></ul>"
    assert [(r.id, r.parent_id) for r in thread.replies] == [("9101", None), ("9103", "9101")]
    assert thread.import_notes == ("2 poll options are listed in the opening post, not as replies",)
    assert not thread.partial
    assert_round_trip(thread)


def test_options_without_their_poll_are_not_called_comments():
    option = {"by": "fay", "id": 9301, "poll": 9300, "score": 20, "text": "Tabs", "time": T0, "type": "pollopt"}
    comment = {"by": "gus", "id": 9310, "parent": 9300, "text": "Tabs.", "time": T0, "type": "comment"}
    alone = _read([option])
    assert alone.id == "9300" and alone.replies == () and alone.partial
    assert alone.import_notes == ("the poll (item 9300) is not in the import, only its options",
                                  "skipped 1 poll options: their poll is not in the import")
    mixed = _read([option, comment])
    assert [r.id for r in mixed.replies] == ["9310"]
    assert mixed.import_notes[0] == "the poll (item 9300) is not in the import, only its options and comments on it"


# ---------------------------------------------------------------------------- errors, sniffing

def test_errors_name_line_column_and_json_path():
    with pytest.raises(SourceError) as info:
        hackernews.read(ImportRequest((SourceDocument("hn.json", b'[{"id": 1,\n  "type": "story",,}]'),)))
    assert info.value.where == "hn.json line 2 column 19"  # the second comma
    bad = _items()
    bad[1]["kids"] = "9103"
    with pytest.raises(SourceError) as info:
        _read(bad, names=["hn.json"])
    assert info.value.where == "hn.json at $[1].kids" and "expected a list" in info.value.message
    with pytest.raises(SourceError, match="an Algolia search response"):
        _read({"hits": []})


def test_other_item_shapes_are_refused():
    hnpwa = {"id": 9600, "title": "A link", "points": 5, "user": "lee", "time": T0, "time_ago": "1 hour ago",
             "type": "link", "url": "https://example.org/", "comments_count": 1,
             "comments": [{"id": 9601, "level": 0, "user": "max", "time": T0, "content": "<p>Hi", "comments": []}]}
    for source, where in ((hnpwa, "hn.json at $"), ([hnpwa], "hn.json at $[0]")):
        with pytest.raises(SourceError) as info:
            _read(source, names=["hn.json"])
        assert info.value.where == where and "HNPWA" in info.value.message
        assert info.value.fix == ("save the thread from https://hn.algolia.com/api/v1/items/9600 "
                                  "(or its Firebase items from https://hacker-news.firebaseio.com/v0/item/ID.json)")


def test_hnpwa_items_are_recognised_to_say_which_thread_to_save():
    """node-hnapi / HNPWA items say ``"type": "link"``, which names no HN item type: without
    claiming them, the user would learn only that the file is not recognised."""
    hnpwa = {"id": 10846540, "title": "Magic+", "points": 256, "user": "calvin_c", "time": 1452032636,
             "time_ago": "4 hours ago", "type": "link", "url": "https://getmagicnow.com/plus", "domain": "getmagicnow.com",
             "comments": [{"id": 10847160, "level": 0, "user": "paul", "time": 1452037975, "time_ago": "2 hours ago",
                           "content": "<p>&gt;but my expectation<p>Call me skeptical.", "comments": []}]}
    doc = SourceDocument("magic.json", json.dumps(hnpwa).encode())
    assert detect(ImportRequest((doc,))) == "hackernews"
    with pytest.raises(SourceError) as info:
        hackernews.read(ImportRequest((doc,)))
    assert info.value.where == "magic.json at $"
    assert info.value.fix.startswith("save the thread from https://hn.algolia.com/api/v1/items/10846540 ")


def _wp_rest_comments():
    """``/wp-json/wp/v2/comments?post=42``: also ``"type": "comment"`` next to ``parent`` and ``author``."""
    def comment(cid, parent, name, text):
        return {"id": cid, "post": 42, "parent": parent, "author": 0, "author_name": name, "author_url": "",
                "date": "2024-05-03T10:00:00", "date_gmt": "2024-05-03T10:00:00", "content": {"rendered": f"<p>{text}</p>\n"},
                "link": f"https://blog.example.org/2024/05/leeks/#comment-{cid}", "status": "approved", "type": "comment",
                "author_avatar_urls": {"24": "https://secure.gravatar.com/avatar/x?s=24"}, "meta": [],
                "_links": {"up": [{"embeddable": True, "post_type": "post", "href": "https://blog.example.org/wp-json/wp/v2/posts/42"}]}}

    return [comment(7, 5, "Marta", "Thanks, that worked."), comment(5, 0, "Ben", "Sow later.")]


def _wpcom_comments():
    """WordPress.com's ``/rest/v1.1/sites/SITE/posts/5/replies``: ``ID``, ``URL``, an ``author`` object."""
    return {"found": 2, "site_ID": 1, "comments": [
        {"ID": 11, "post": {"ID": 5, "title": "Leeks", "type": "post"}, "author": {"ID": 0, "name": "Ana"},
         "date": "2024-05-01T08:00:00+00:00", "URL": "https://ex.wordpress.com/2024/05/01/leeks/#comment-11",
         "short_URL": "https://wp.me/p1-5%23comment-11", "content": "<p>Mine bolted too.</p>\n", "status": "approved",
         "parent": False, "type": "comment", "like_count": 2, "i_like": False, "meta": {}},
        {"ID": 12, "post": {"ID": 5}, "author": {"ID": 0, "name": "Ben"}, "date": "2024-05-02T08:00:00+00:00",
         "URL": "https://ex.wordpress.com/2024/05/01/leeks/#comment-12", "content": "<p>Sow later.</p>\n",
         "status": "approved", "parent": {"ID": 11, "type": "comment"}, "type": "comment", "like_count": 0},
    ]}


def test_wordpress_rest_comments_are_not_hacker_news():
    """Read as HN items they had no author and no text, and the import still succeeded."""
    wp_v2 = SourceDocument("comments.json", json.dumps(_wp_rest_comments(), indent=1).encode())
    wpcom = SourceDocument("replies.json", json.dumps(_wpcom_comments(), indent=1).encode())
    assert not hackernews.sniff(wp_v2) and not hackernews.sniff(wpcom)
    with pytest.raises(SourceError) as info:
        hackernews.read(ImportRequest((wp_v2,)))
    assert info.value.where == "comments.json at $[0]"
    assert info.value.message == "this is WordPress REST JSON (comments from /wp-json/wp/v2/comments), not Hacker News items"
    assert info.value.fix == "import it with --format wp-rest, or leave --format out"
    with pytest.raises(SourceError) as info:
        hackernews.read(ImportRequest((wpcom,)))
    assert info.value.where == "replies.json at $"
    assert info.value.message == "this is WordPress REST JSON (WordPress.com REST v1.1 comments), not Hacker News items"
    assert info.value.fix == "import it with --format wp-rest, or leave --format out"
    assert detect(ImportRequest((wpcom,))) == "wp-rest"


def test_sniff(shared_data):
    for obj in (_items(), {str(i["id"]): i for i in _items()}, _items()[0], _items()[3], _algolia()):
        assert hackernews.sniff(SourceDocument("hn.json", json.dumps(obj, indent=2).encode()))
    for path in sorted(p for p in shared_data.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        assert not hackernews.sniff(SourceDocument(str(path), data)), path
    assert not hackernews.sniff(SourceDocument("t.json", canonical.dumps(_read(_items())).encode()))
    reddit = b'[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "abc", "type": "story"}}]}}]'
    for data in (reddit, b"", b"[]", b'{"type": "story"}', b"\xff"):
        assert not hackernews.sniff(SourceDocument("x", data))
    for wordpress in (_wp_rest_comments(), _wpcom_comments()):
        assert not hackernews.sniff(SourceDocument("wp.json", json.dumps(wordpress).encode()))


# ---------------------------------------------------------------------------- properties

TEXT = text_values("\ud800", "\x00", "story", "comment", "pollopt", "9101", "<p>x")
JSON_VALUES = json_values(TEXT, st.sampled_from([9100, 9101, 9102, 9103]))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_source_errors(data):
    only_source_errors(hackernews, [SourceDocument("hn.json", data)])
    only_source_errors(hackernews, [SourceDocument("hn.json", b'[{"id": 1, "type": "story", "kids": [' + data)])


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_threads_raise_only_source_errors(data):
    shape = data.draw(st.sampled_from(["array", "keyed", "algolia", "folder", "lines"]))
    if shape == "folder":
        docs = [SourceDocument(f"item/{i}.json", json.dumps(mutate_json(item, data.draw, JSON_VALUES)).encode()) for i, item in enumerate(_items())]
    elif shape == "lines":  # JSON lines, as the BigQuery and API exporters write them
        lines = [json.dumps(mutate_json(item, data.draw, JSON_VALUES)) if data.draw(st.booleans()) else json.dumps(item) for item in _items()]
        docs = [SourceDocument("hn.jsonl", "\n".join(lines).encode())]
    else:
        base = {"array": _items(), "keyed": {str(i["id"]): i for i in _items()}, "algolia": _algolia()}[shape]
        raw = json.dumps(mutate_json(base, data.draw, JSON_VALUES)).encode()
        if data.draw(st.booleans()):
            raw = raw[: data.draw(st.integers(0, len(raw)))] + data.draw(st.binary(max_size=4))
        docs = [SourceDocument("hn.json", raw)]
    only_source_errors(hackernews, docs, thread=data.draw(st.none() | st.sampled_from(["9100", "9101", "x", "id=9102"])))


def test_an_algolia_search_response_is_refused_naming_the_thread_to_save():
    """``search?tags=comment,story_8863`` returns a page of matches (at most 1,000), not the tree."""
    hits = {"hits": [{"objectID": "9007", "author": "vlad", "comment_text": "awesome", "parent_id": 8863, "story_id": 8863,
                      "created_at_i": 1175737691, "_tags": ["comment", "author_vlad", "story_8863"]}], "nbHits": 71}
    doc = SourceDocument("search.json", json.dumps(hits).encode())
    assert hackernews.sniff(doc)
    with pytest.raises(SourceError) as info:
        hackernews.read(ImportRequest((doc,)))
    assert "Algolia search response" in info.value.message
    assert info.value.fix == "save the whole thread from https://hn.algolia.com/api/v1/items/8863"


def test_a_search_response_of_story_hits_names_each_story():
    """Story hits have ``story_id: null``: they are the story, whose id is ``objectID``."""
    def story(item_id):
        return {"title": "SSH for everything", "author": "dkua", "points": 270, "story_id": None, "parent_id": None,
                "created_at_i": 1420232746, "_tags": ["story", "author_dkua", f"story_{item_id}"], "objectID": str(item_id)}

    hits = {"hits": [story(8828543), story(11516582), {**story(13566801), "_tags": ["story"]}], "nbHits": 3}
    with pytest.raises(SourceError) as info:
        _read(hits)
    assert info.value.fix == ("save each story's thread from its address: https://hn.algolia.com/api/v1/items/8828543, "
                              "https://hn.algolia.com/api/v1/items/11516582, https://hn.algolia.com/api/v1/items/13566801")


def test_items_saved_without_kids_count_their_answers_and_the_story_its_missing_comments():
    """Dumps such as BigQuery's hold every item with ``parent`` but no ``kids`` (numbers as
    strings): the answers the file holds are the reply counts, and ``descendants`` tells that
    most comments are not in the file."""
    items = [
        {"id": "8863", "type": "story", "by": "dhouston", "time": "1175714200", "title": "Dropbox", "score": "111", "descendants": "71"},
        {"id": "9224", "type": "comment", "by": "brandonm", "time": "1175816820", "parent": "8863", "text": "Not viable."},
        {"id": "9225", "type": "comment", "by": "dhouston", "time": "1175817000", "parent": "9224", "text": "Thanks."},
    ]
    thread = _read(items)
    assert thread.opening_post.engagement.replies == 1 and thread.reply("9224").engagement.replies == 1
    assert thread.reply("9225").engagement.replies == 0
    assert thread.partial and thread.total_replies == 71
    assert "the story counts 71 comments; the file holds 2 (deleted and dead ones included)" in thread.import_notes


def test_a_dump_without_kids_orders_answers_by_their_ranking():
    """BigQuery's ``ranking`` is an answer's place among its siblings, which a dump's row order is not."""
    items = [
        {"id": "8863", "type": "story", "by": "dhouston", "time": "1175714200", "title": "Dropbox", "descendants": "3"},
        {"id": "9300", "type": "comment", "by": "c", "time": "1175816900", "parent": "8863", "text": "Third.", "ranking": "2"},
        {"id": "9224", "type": "comment", "by": "a", "time": "1175816820", "parent": "8863", "text": "First.", "ranking": "0"},
        {"id": "9250", "type": "comment", "by": "b", "time": "1175816850", "parent": "8863", "text": "Second.", "ranking": "1"},
    ]
    assert [r.id for r in _read(items).replies] == ["9224", "9250", "9300"]
    unranked = [{k: v for k, v in item.items() if k != "ranking"} for item in items]
    assert [r.id for r in _read(unranked).replies] == ["9300", "9224", "9250"]


def test_utf16_json_as_windows_powershell_saves_it_is_recognised():
    item = {"id": 1, "type": "story", "by": "ann", "time": 1175714200, "title": "Hi", "kids": []}
    doc = SourceDocument("ps.json", b"\xff\xfe" + json.dumps(item).encode("utf-16-le"))
    assert detect(ImportRequest((doc,))) == "hackernews"
    assert hackernews.read(ImportRequest((doc,))).title == "Hi"


def test_reply_counts_leave_out_the_deleted_and_dead_answers_the_import_does_not_show():
    """engagement.replies counts the answers a reader is shown, as the replies list does: a
    deleted or dead answer nobody answered is neither imported nor counted, one kept as a
    placeholder is both; a dump without kids counts the same way."""
    items = [
        {"by": "ann", "descendants": 5, "id": 500, "kids": [501, 502, 503], "score": 9, "time": T0, "title": "Q", "type": "story"},
        {"by": "ben", "id": 501, "kids": [504, 505], "parent": 500, "time": T0 + 1, "type": "comment", "text": "a"},
        {"deleted": True, "id": 502, "parent": 500, "time": T0 + 2, "type": "comment"},
        {"by": "cat", "dead": True, "id": 503, "kids": [506], "parent": 500, "time": T0 + 3, "type": "comment", "text": "[flagged]"},
        {"by": "dan", "dead": True, "id": 504, "parent": 501, "time": T0 + 4, "type": "comment", "text": "[flagged]"},
        {"by": "eve", "id": 505, "parent": 501, "time": T0 + 5, "type": "comment", "text": "b"},
        {"by": "fay", "id": 506, "parent": 503, "time": T0 + 6, "type": "comment", "text": "c"},
    ]
    thread = _read(items)
    assert [r.id for r in thread.replies] == ["501", "505", "503", "506"]
    assert thread.opening_post.engagement.replies == 2  # 501 and the placeholder 503, not the deleted 502
    assert thread.reply("501").engagement.replies == 1  # 505, not the dead 504
    assert thread.reply("503").engagement.replies == 1
    without_kids = _read([{k: v for k, v in item.items() if k != "kids"} for item in items])
    assert without_kids.opening_post.engagement.replies == 2
    assert {r.id: r.engagement.replies for r in without_kids.replies} == {"501": 1, "505": 0, "503": 1, "506": 0}
