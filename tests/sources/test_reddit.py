"""Reddit reader: the real 476-comment thread, hand-made edge cases, fuzzing."""

from __future__ import annotations

import copy
import functools
import gzip
import html
import json
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, canonical, reddit
from tests.sources.fuzzing import assert_round_trip, json_values, mutate_json, only_source_errors, text_values

SAMPLE = "reddit-thread/reddit_r-funny_3hahrw_comments.json"


def _read_obj(obj, name="comments.json", thread=None):
    return reddit.read(ImportRequest((SourceDocument(name, json.dumps(obj).encode()),), thread=thread))


# ---------------------------------------------------------------------------- real sample

@pytest.fixture
def sample(shared_data):
    path = shared_data / SAMPLE
    return reddit.read(ImportRequest((SourceDocument(str(path), path.read_bytes()),)))


def test_real_thread_counts_and_more_stubs(sample):
    assert (sample.id, sample.title, sample.author) == ("3hahrw", "Ba Dum Tsss", "your_local_librarian")
    assert sample.url == "https://www.reddit.com/r/funny/comments/3hahrw/ba_dum_tsss/"
    assert sample.total_replies == 543  # num_comments
    # 476 comments, less one deleted comment without replies.
    assert len(sample.replies) == 475
    assert sum(r.parent_id is None for r in sample.replies) == 137  # top-level comments
    assert sample.partial
    assert sample.import_notes == (
        "12 unexpanded 'load more comments' stubs hide 61 comments",
        "6 'continue this thread' stubs hide deeper replies (count not given)",
        "the post reports 543 comments; the file holds 476 and 'load more comments' stubs hide 61"
        " (reddit's count includes deleted and removed ones)",
        "6 deleted or removed comments: 1 skipped, 5 kept as '[deleted]' placeholders because they have replies",
    )
    assert sample.reply("cu61rpx") is None  # "[deleted]" with no replies


def test_real_thread_replies(sample):
    opening = sample.opening_post
    assert opening.engagement.items() == {"score": 11702}  # ups is the score again: downs is 0
    assert opening.posted_at == datetime(2015, 8, 17, 7, 44, 40, tzinfo=timezone.utc)
    assert opening.body == '<p><a href="http://i.imgur.com/eoF76hj.gifv">http://i.imgur.com/eoF76hj.gifv</a></p>'

    first = sample.replies[0]
    assert (first.id, first.author, first.parent_id) == ("cu5pebp", "johnnwho", None)
    assert first.body == "<p>Man I am glad there isn't someone on a drum set every time I fall over.</p>"
    assert first.engagement.items() == {"score": 1136}
    assert first.permalink == "https://www.reddit.com/r/funny/comments/3hahrw/ba_dum_tsss/cu5pebp/"
    assert first.posted_at == datetime(2015, 8, 17, 8, 45, 51, tzinfo=timezone.utc)
    second = sample.replies[1]
    assert (second.id, second.parent_id, second.engagement.score) == ("cu5sye5", "cu5pebp", 698)
    assert sample.reply("cu5tgzu").body.startswith("<blockquote>\n<p>I have a glandular problem!")
    # A removed comment with replies stays as a placeholder so its answers keep their parent.
    placeholder = sample.reply("cu5w5hz")
    assert (placeholder.author, placeholder.body) == ("[deleted]", "<p>[deleted]</p>")
    assert any(r.parent_id == "cu5w5hz" for r in sample.replies)
    # An account deleted later: the comment text stays, the author is "[deleted]".
    kept = sample.reply("cu5v4e7")
    assert kept.author == "[deleted]" and "That lady recording" in kept.body
    assert min(r.engagement.score for r in sample.replies if r.engagement.score is not None) == -54
    assert {m.name for r in sample.replies for m in r.mentions} >= {"swim1929", "your_local_librarian"}
    assert_round_trip(sample)


def test_sniff_claims_only_the_reddit_file(shared_data, sample):
    for path in sorted(p for p in shared_data.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        assert reddit.sniff(SourceDocument(str(path), data)) is (path.name == SAMPLE.split("/")[1]), path
    assert not reddit.sniff(SourceDocument("thread.json", canonical.dumps(sample).encode()))
    hn = b'[{"by": "alice", "id": 1, "kids": [2], "score": 3, "time": 1, "title": "x", "type": "story"}]'
    for data in (hn, b"[]", b"[1, 2]", b'{"kind": "Listing"}', b"\xff\xfe[", b""):
        assert not reddit.sniff(SourceDocument("x", data))


# ---------------------------------------------------------------------------- hand-made

def _listing(children):
    return {"kind": "Listing", "data": {"after": None, "before": None, "modhash": "", "children": children}}


def _comment(cid, author, text, parent, *, score=1, replies=(), permalink=True, **extra):
    data = {
        "id": cid, "name": f"t1_{cid}", "author": author, "body": text, "parent_id": parent,
        "body_html": f'<div class="md"><p>{html.escape(text, quote=False)}</p>\n</div>',
        "link_id": "t3_abc123", "score": score, "ups": score, "downs": 0, "score_hidden": False,
        "created_utc": 1700000000.0 + len(cid) * 60, "replies": _listing(list(replies)) if replies else "",
    }
    if permalink:
        data["permalink"] = f"/r/gardening/comments/abc123/roses_shears/{cid}/"
    data.update(extra)
    return {"kind": "t1", "data": data}


def _more(parent, count, children, mid="m1"):
    return {"kind": "more", "data": {"count": count, "children": children, "id": mid, "name": f"t1_{mid}", "parent_id": parent}}


def _thread():
    link = {
        "id": "abc123", "name": "t3_abc123", "title": "Roses & shears", "author": "ann", "subreddit": "gardening",
        "selftext": "Which *shears* do you use?", "is_self": True,
        "selftext_html": '<!-- SC_OFF --><div class="md"><p>Which <em>shears</em> do you use?</p>\n</div><!-- SC_ON -->',
        "permalink": "/r/gardening/comments/abc123/roses_shears/", "url": "https://www.reddit.com/r/gardening/comments/abc123/roses_shears/",
        "score": 10, "ups": 10, "downs": 0, "num_comments": 9, "created_utc": 1700000000.0,
    }
    forest = [
        _comment("c1", "ben", "Bypass ones, u/cat & I agree.", "t3_abc123", score=5, replies=[
            _comment("c2", "cat", "Yes, @ben is right.", "t1_c1", permalink=False),
            _comment("c3", "[deleted]", "[deleted]", "t1_c1", replies=[
                _comment("c4", "dan", "What did they say?", "t1_c3", replies=[
                    {"kind": "more", "data": {"count": 0, "children": [], "id": "_", "name": "t1__", "parent_id": "t1_c4"}},
                ]),
            ]),
            _more("t1_c1", 3, ["x1", "x2"]),
        ]),
        _comment("c5", "eve", "[removed]", "t3_abc123"),
        _comment("c6", "fay", "New here, score hidden.", "t3_abc123", score=1, score_hidden=True),
        _more("t3_abc123", 2, ["y1", "y2"], mid="m2"),
    ]
    return [_listing([{"kind": "t3", "data": link}]), _listing(forest)]


def test_hand_made_thread():
    thread = _read_obj(_thread())
    assert [(r.id, r.parent_id) for r in thread.replies] == [
        ("c1", None), ("c2", "c1"), ("c3", "c1"), ("c4", "c3"), ("c6", None)]
    assert (thread.title, thread.total_replies, thread.partial) == ("Roses & shears", 9, True)
    assert thread.import_notes == (
        "2 unexpanded 'load more comments' stubs hide 5 comments",
        "1 'continue this thread' stub hides deeper replies (count not given)",
        "2 deleted or removed comments: 1 skipped, 1 kept as '[deleted]' placeholders because they have replies",
    )
    c1, c2, c6 = thread.reply("c1"), thread.reply("c2"), thread.reply("c6")
    assert c1.body == "<p>Bypass ones, u/cat &amp; I agree.</p>"
    assert [(m.text, m.name) for m in c1.mentions] == [("u/cat", "cat")]
    assert [m.name for m in c2.mentions] == ["ben"]
    assert c2.permalink == "https://www.reddit.com/r/gardening/comments/abc123/roses_shears/c2/"  # derived
    assert c6.engagement.items() == {}  # a hidden score is not a score
    assert thread.opening_post.body == "<p>Which <em>shears</em> do you use?</p>"
    assert thread.opening_post.title == "Roses & shears"
    assert_round_trip(thread)


def test_automoderators_notice_is_left_out_unless_someone_answered_it():
    """Subreddits pin AutoModerator's rules reminder to every thread, often voted up: it is no
    part of the discussion, and a digest must not feature it."""
    link, forest = _thread()
    rules = "Please remember the rules of r/gardening. *I am a bot, and this action was performed automatically.*"
    forest["data"]["children"][:0] = [
        _comment("a1", "AutoModerator", rules, "t3_abc123", score=40, stickied=True, distinguished="moderator"),
        _comment("a2", "AutoModerator", "Flair your post.", "t3_abc123", replies=[_comment("a3", "gus", "Done, thanks.", "t1_a2")]),
    ]
    thread = _read_obj([link, forest])
    assert [(r.id, r.author) for r in thread.replies][:2] == [("a2", "AutoModerator"), ("a3", "gus")]
    assert "a1" not in {r.id for r in thread.replies}
    assert ("left out 1 AutoModerator comment(s) nobody answered: the subreddit's automatic notices (rules, reminders), "
            "not the discussion") in thread.import_notes


def _escape_all(value):
    """What reddit serves without raw_json=1: &, < and > escaped in every string."""
    if isinstance(value, str):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if isinstance(value, list):
        return [_escape_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _escape_all(v) for k, v in value.items()}
    return value


def test_escaped_json_reads_like_raw_json():
    escaped = _escape_all(_thread())
    assert escaped[1]["data"]["children"][0]["data"]["body_html"].startswith("&lt;div")
    assert _read_obj(escaped) == _read_obj(_thread())


def test_markdown_body_when_no_html_and_link_posts():
    thread = _thread()
    del thread[1]["data"]["children"][0]["data"]["body_html"]
    link = thread[0]["data"]["children"][0]["data"]
    link.update(selftext="", selftext_html=None, is_self=False, url="https://example.org/shears?a=1&b=2")
    result = _read_obj(thread)
    assert result.reply("c1").body == "<p>Bypass ones, u/cat &amp; I agree.</p>"
    assert result.opening_post.body == '<p><a href="https://example.org/shears?a=1&amp;b=2">https://example.org/shears?a=1&amp;b=2</a></p>'


def _link(thread):
    return thread[0]["data"]["children"][0]["data"]


def test_fewer_comments_than_num_comments_is_partial():
    thread = _thread()
    _link(thread)["num_comments"] = 30  # 6 comments in the file (one removed), stubs hide 5
    result = _read_obj(thread)
    assert result.partial and result.total_replies == 30
    assert "the post reports 30 comments; the file holds 6 and 'load more comments' stubs hide 5" \
        " (reddit's count includes deleted and removed ones)" in result.import_notes
    bare = _thread()
    _link(bare)["num_comments"] = 4
    bare[1]["data"]["children"] = [_comment("c1", "ben", "Only one.", "t3_abc123")]
    result = _read_obj(bare)
    assert result.partial
    assert result.import_notes == ("the post reports 4 comments; the file holds 1 (reddit's count includes deleted and removed ones)",)
    _link(bare)["num_comments"] = 1
    assert not _read_obj(bare).partial and _read_obj(bare).import_notes == ()


def test_a_negative_comment_count_is_an_error_naming_its_path():
    thread = _thread()
    _link(thread)["num_comments"] = -1
    with pytest.raises(SourceError) as info:
        _read_obj(thread)
    assert info.value.message == "expected a count (0 or more), found -1"
    assert info.value.where == "comments.json at $[0].data.children[0].data.num_comments"


def test_permalink_view_of_one_comment_is_partial():
    thread = _thread()
    _link(thread)["num_comments"] = 2
    thread[1]["data"]["children"] = [_comment("c9", "gus", "Deep in the thread.", "t1_c8", replies=[
        _comment("c10", "hal", "Agreed.", "t1_c9")])]
    result = _read_obj(thread)
    assert [(r.id, r.parent_id) for r in result.replies] == [("c9", None), ("c10", "c9")]
    assert result.partial
    assert result.import_notes == (
        "the file is a permalink or context view of part of the thread: its top comments (c9) answer comments"
        " not in the file (shown as answering the post)",
    )


def _link_post(title, url, **extra):
    link = {"id": "abc12", "name": "t3_abc12", "subreddit": "pics", "author": "sam", "title": title, "selftext": "",
            "selftext_html": None, "is_self": False, "url": url, "permalink": "/r/pics/comments/abc12/x/",
            "num_comments": 0, "score": 5, "created_utc": 1700000000.0, **extra}
    return [_listing([{"kind": "t3", "data": link}]), _listing([])]


def test_escaped_link_post_without_comments():
    """Without raw_json=1 and without any HTML field, the title and URL still show the escaping."""
    result = _read_obj(_link_post("Tom &amp; Jerry &lt;3", "https://example.com/a?x=1&amp;y=2"))
    assert result.title == "Tom & Jerry <3"
    assert result.opening_post.body == '<p><a href="https://example.com/a?x=1&amp;y=2">https://example.com/a?x=1&amp;y=2</a></p>'
    preview = {"images": [{"source": {"url": "https://preview.redd.it/p.jpg?width=640&amp;s=ab"}}]}
    assert _read_obj(_link_post("Fish &amp;amp; chips", "https://example.com/", preview=preview)).title == "Fish &amp; chips"
    # raw_json=1: a bare & in the URL shows the title's entity text is what the poster typed
    assert _read_obj(_link_post("Fish &amp; chips", "https://example.com/a?x=1&y=2")).title == "Fish &amp; chips"


def test_a_link_or_image_post_with_text_keeps_both():
    """Since 2022 a link or image post may carry text too: the text, then the link."""
    result = _read_obj(_link_post("Dropped it", "https://i.redd.it/abcd.jpg", selftext="The screen survived.",
                                  selftext_html='<div class="md"><p>The screen survived.</p></div>'))
    assert result.opening_post.body == '<p>The screen survived.</p><p><a href="https://i.redd.it/abcd.jpg">https://i.redd.it/abcd.jpg</a></p>'


def test_a_crosspost_quotes_its_original_and_links_it():
    """A crosspost has no text of its own; its ``url`` is the original's site-relative path."""
    original = {"title": "Why I left Emacs", "author": "bob", "is_self": True, "selftext": "Startup time.",
                "selftext_html": '<div class="md"><p>Startup <strong>time</strong>.</p></div>',
                "permalink": "/r/linux/comments/16wz111/why_i_left_emacs/"}
    result = _read_obj(_link_post("Thoughts?", "/r/linux/comments/16wz111/why_i_left_emacs/",
                                  crosspost_parent="t3_16wz111", crosspost_parent_list=[original]))
    link = "https://www.reddit.com/r/linux/comments/16wz111/why_i_left_emacs/"
    assert result.opening_post.body == (f'<p><a href="{link}">{link}</a></p>'
                                        f'<blockquote><p><a href="{link}">Why I left Emacs</a></p><p>Startup <strong>time</strong>.</p></blockquote>')
    assert "the opening post is a crosspost from r/linux; the original is quoted" in result.import_notes
    video = dict(original, is_self=False, selftext="", selftext_html=None, url="https://v.redd.it/cwx8")
    result = _read_obj(_link_post("🔥", "https://v.redd.it/cwx8", crosspost_parent_list=[video]))
    assert result.opening_post.body == ('<p><a href="https://v.redd.it/cwx8">https://v.redd.it/cwx8</a></p>'
                                        f'<blockquote><p><a href="{link}">Why I left Emacs</a></p></blockquote>')


def test_a_gallery_lists_its_images_with_captions_and_links():
    gallery = {"items": [{"media_id": "m1", "caption": "Before"}, {"media_id": "m2", "caption": "After", "outbound_url": "https://example.org/plans"}]}
    media = {"m1": {"s": {"u": "https://preview.redd.it/m1.jpg?width=100&s=1"}}, "m2": {"s": {"u": "https://preview.redd.it/m2.png"}}}
    result = _read_obj(_link_post("Bench", "https://www.reddit.com/gallery/abc12", is_gallery=True, gallery_data=gallery,
                                  media_metadata=media, selftext_html='<div class="md"><p>Bench &amp; plans</p></div>'))
    assert result.opening_post.body == (
        '<p>Bench &amp; plans</p><ul><li><a href="https://preview.redd.it/m1.jpg?width=100&amp;s=1">Before</a></li>'
        '<li><a href="https://preview.redd.it/m2.png">After</a> – <a href="https://example.org/plans">https://example.org/plans</a></li></ul>')


SPOILER = '<a href="https://www.reddit.com/r/emacs/comments/abc12/c5/">[spoiler: read it at the source]</a>'
SPOILER_NOTE = ('spoilers not shown: {} (text reddit hides until it is clicked); each reads '
                '"[spoiler: read it at the source]" and links to its comment or post')


def _with_comment_c5(body_html, body_md):
    thread = _thread()
    data = thread[1]["data"]["children"][1]["data"]
    data["permalink"] = "/r/emacs/comments/abc12/c5/"
    data["body"] = body_md
    if body_html is None:
        data.pop("body_html", None)
    else:
        data["body_html"] = body_html
    return _read_obj(thread)


def test_an_inline_spoiler_stays_hidden_behind_a_link_to_its_comment():
    result = _with_comment_c5('<div class="md"><p>The twist: <span class="md-spoiler-text">Bruce Willis was dead</span>, wow</p></div>',
                              "The twist: >!Bruce Willis was dead!<, wow")
    assert result.reply("c5").body == f"<p>The twist: {SPOILER}, wow</p>"
    assert SPOILER_NOTE.format(1) in result.import_notes
    assert "Bruce Willis" not in json.dumps([r.body for r in result.replies])


def test_a_block_spoiler_stays_hidden_and_is_not_a_quote():
    result = _with_comment_c5('<div class="md"><p>Who?</p><blockquote class="md-spoiler-text"><p>the butler did it</p></blockquote></div>',
                              "Who?\n\n>!the butler did it")
    assert result.reply("c5").body == f"<p>Who?</p><p>{SPOILER}</p>"


def test_spoilers_in_a_markdown_body_saved_without_html_stay_hidden():
    result = _with_comment_c5(None, 'Who?\n\n>!the butler\ndid it\n\nAnd >!a!< or >!b!<, [the end](/s "he wakes up")')
    assert result.reply("c5").body == f"<p>Who?</p><p>{SPOILER}</p><p>And {SPOILER} or {SPOILER}, the end {SPOILER}</p>"
    assert SPOILER_NOTE.format(4) in result.import_notes


def test_a_spoiler_in_the_post_links_to_the_post():
    result = _read_obj(_link_post("Film", "https://www.reddit.com/r/emacs/comments/abc12/film/", is_self=True,
                                  selftext_html='<div class="md"><p>Ending: <span class="md-spoiler-text">he wakes up</span></p></div>'))
    assert result.opening_post.body == f'<p>Ending: <a href="{result.url}">[spoiler: read it at the source]</a></p>'
    assert SPOILER_NOTE.format(1) in result.import_notes


def test_links_to_reddit_itself_resolve_and_old_spoilers_hide_their_text():
    body = _with_comment_c5(
        '<div class="md"><p>see <a href="/r/emacs/wiki/faq">the FAQ</a>, <a href="/s" title="Evil mode wins">who wins?</a> '
        'and <a href="#s">Evil mode</a></p></div>', "see the FAQ").reply("c5").body
    assert body == (f'<p>see <a href="https://www.reddit.com/r/emacs/wiki/faq">the FAQ</a>, who wins? {SPOILER} and {SPOILER}</p>')


def test_removed_by_reddit_bodies_are_removed_comments():
    thread = _thread()
    thread[1]["data"]["children"] = [
        _comment("c1", "[deleted]", "[ Removed by Reddit ]", "t3_abc123"),
        _comment("c2", "[deleted]", "[ Removed by Reddit on account of violating the content policy. ]", "t3_abc123",
                 replies=[_comment("c3", "ivy", "Still here.", "t1_c2")]),
    ]
    _link(thread)["num_comments"] = 3
    result = _read_obj(thread)
    assert [(r.id, r.author, r.body) for r in result.replies] == [
        ("c2", "[deleted]", "<p>[ Removed by Reddit on account of violating the content policy. ]</p>"),
        ("c3", "ivy", "<p>Still here.</p>")]
    assert result.import_notes == (
        "2 deleted or removed comments: 1 skipped, 1 kept as '[deleted]' placeholders because they have replies",)


def test_a_removed_post_keeps_its_placeholder_and_says_who_removed_it():
    """Reddit keeps a removed post's title and comments but replaces its text ("[removed]"),
    and says in ``removed_by_category`` who took it away."""
    thread = _thread()
    _link(thread).update(author="[deleted]", selftext="[removed]", removed_by_category="moderator",
                         selftext_html='<!-- SC_OFF --><div class="md"><p>[removed]</p>\n</div><!-- SC_ON -->')
    result = _read_obj(thread)
    assert (result.title, result.opening_post.body) == ("Roses & shears", "<p>[removed]</p>")
    assert ("the post's text was removed by the subreddit's moderators: reddit shows '[removed]' in its place; "
            "its title and comments are imported") in result.import_notes
    _link(thread).update(selftext="[deleted]", selftext_html=None, removed_by_category="deleted")
    result = _read_obj(thread)
    assert result.opening_post.body == "<p>[deleted]</p>"
    assert ("the post's text was deleted by its author: reddit shows '[deleted]' in its place; "
            "its title and comments are imported") in result.import_notes
    removed_link = _read_obj(_link_post("Look", "https://example.com/a", removed_by_category="moderator"))
    assert removed_link.import_notes == ("the post was removed by the subreddit's moderators "
                                         "(removed_by_category: moderator); it is imported as reddit still shows it",)


def test_reddits_refusal_saved_as_the_file_says_why():
    """A private, quarantined or banned subreddit's thread comes back as reddit's refusal."""
    refusal = {"reason": "quarantined", "quarantine_message_html": "<div class=\"md\"><p>Shocking.</p></div>",
               "message": "Forbidden", "quarantine_message": "Shocking.", "error": 403}
    data = json.dumps(refusal).encode()
    assert reddit.sniff(SourceDocument("comments.json", data))
    with pytest.raises(SourceError) as info:
        _read_obj(refusal)
    assert info.value.message == ("this is reddit's refusal (HTTP 403 Forbidden), not a thread: the subreddit is "
                                  "quarantined: reddit shows it only to logged-in accounts that opted in")
    assert info.value.fix == "opt in to the subreddit on reddit, then save the thread while logged in"
    assert not reddit.sniff(SourceDocument("x.json", b'{"message": "Not Found", "error": 404}'))


def test_old_things_without_score_get_ups_minus_downs():
    thread = _thread()
    old = _comment("c1", "ben", "From 2012.", "t3_abc123", ups=9, downs=4)
    del old["data"]["score"]
    thread[1]["data"]["children"] = [old]
    del _link(thread)["score"]
    _link(thread).update(ups=10484, downs=9475)
    result = _read_obj(thread)
    assert result.reply("c1").engagement.items() == {"score": 5, "upvotes": 9, "downvotes": 4}
    assert result.opening_post.engagement.items() == {"score": 1009, "upvotes": 10484, "downvotes": 9475}


def test_ups_that_only_repeat_the_score_are_not_upvotes():
    """Since 2014 reddit reports ``downs`` as 0 and ``ups`` as the score, negative too: that is
    no count of votes apart from the score, so neither up- nor down-votes are kept."""
    thread = _thread()
    buried = _comment("c1", "ben", "Buried.", "t3_abc123", score=-12)
    assert (buried["data"]["ups"], buried["data"]["downs"]) == (-12, 0)
    thread[1]["data"]["children"] = [buried]
    result = _read_obj(thread)
    assert result.reply("c1").engagement.items() == {"score": -12}
    assert result.opening_post.engagement.items() == {"score": 10}
    _link(thread).update(ups=-5, downs=3)  # votes reported apart from the score cannot be negative
    with pytest.raises(SourceError) as info:
        _read_obj(thread)
    assert info.value.message == "expected a count (0 or more), found -5"
    assert info.value.where == "comments.json at $[0].data.children[0].data.ups"


def _poll_data(*counts, total=None):
    """poll_data as reddit serves it (options with id, text, vote_count; end time in milliseconds)."""
    options = [{"id": str(7000 + i), "text": text} for i, text in enumerate(["Bypass", "Anvil & blade", "Neither"])]
    for option, count in zip(options, counts):
        if count != "absent":
            option["vote_count"] = count
    return {"options": options, "total_vote_count": total, "voting_end_timestamp": 1700604800000,
            "user_selection": None, "is_prediction": False}


def test_poll_options_are_listed_in_the_opening_post():
    thread = _thread()
    _link(thread)["poll_data"] = _poll_data(31, 1, 0, total=32)
    result = _read_obj(thread)
    assert result.opening_post.body == ("<p>Which <em>shears</em> do you use?</p><ul><li>Bypass (31 votes)</li>"
                                        "<li>Anvil &amp; blade (1 vote)</li><li>Neither (0 votes)</li></ul>")
    assert result.import_notes == _read_obj(_thread()).import_notes
    assert _read_obj(_escape_all(thread)).opening_post.body == result.opening_post.body
    # While voting is open reddit gives no counts (absent or null): the options alone, and a note.
    for counts in ((None, None, None), ("absent", "absent", "absent")):
        _link(thread)["poll_data"] = _poll_data(*counts, total=32)
        open_poll = _read_obj(thread)
        assert open_poll.opening_post.body.endswith("<ul><li>Bypass</li><li>Anvil &amp; blade</li><li>Neither</li></ul>")
        assert open_poll.import_notes[-1] == (
            "the poll's options are listed without vote counts: the file has none "
            "(reddit shows them once voting ends, 2023-11-21 22:13 UTC); 32 votes in total")


def test_a_subreddit_listing_is_refused_with_how_to_get_a_thread():
    posts = [{"kind": "t3", "data": {"id": f"p{i}", "name": f"t3_p{i}", "title": f"Post {i}", "subreddit": "gardening"}}
             for i in range(7)]
    page = {"kind": "Listing", "data": {"after": "t3_p6", "before": None, "dist": 7, "children": posts}}
    data = json.dumps(page).encode()
    assert reddit.sniff(SourceDocument("gardening.json", data))
    with pytest.raises(SourceError) as info:
        reddit.read(ImportRequest((SourceDocument("gardening.json", data),)))
    assert info.value.where == "gardening.json at $"
    assert info.value.message == "this is a subreddit listing of 7 posts (as /r/NAME.json serves), not a comment thread"
    assert info.value.fix == (
        "save one post's thread as https://www.reddit.com/comments/ID.json (this page's posts: "
        + ", ".join(f"https://www.reddit.com/comments/p{i}.json" for i in range(5)) + " and 2 more)")
    with pytest.raises(SourceError, match="a single reddit Listing, not a comment thread"):
        _read_obj(_listing([]))


def _saved_comment(cid="e1", link="t3_abc123"):
    """A comment as PRAW, JRAW and pushshift scripts save it: the bare fields, no kind."""
    return {"id": cid, "name": f"t1_{cid}", "author": "ann", "body": "Bypass ones.", "link_id": link,
            "parent_id": link, "subreddit": "gardening", "subreddit_id": "t5_2qh8b", "created_utc": 1700000000}


@pytest.mark.parametrize(("saved", "what"), [
    ([_saved_comment(), _saved_comment("e2")], "a list of 2 reddit comments"),
    ([{"kind": "t1", "data": _saved_comment()}], "a list of one reddit comment"),
    (_saved_comment(), "one reddit comment"),
    ({"kind": "t1", "data": _saved_comment()}, "one reddit comment"),
    ({"data": [_saved_comment(), _saved_comment("e2")], "metadata": {}}, "a pushshift search response of 2 reddit comments"),
])
def test_comments_saved_without_their_thread_are_refused_with_its_address(saved, what):
    data = json.dumps(saved, indent=1).encode()
    assert reddit.sniff(SourceDocument("saved.json", data))
    with pytest.raises(SourceError) as info:
        reddit.read(ImportRequest((SourceDocument("saved.json", data),)))
    assert info.value.where == "saved.json at $"
    assert info.value.message == (
        f"this is {what}, not a comment thread (an array of the post's Listing and its comments' Listing)")
    assert info.value.fix == "save the whole thread as https://www.reddit.com/comments/abc123.json"


def test_saved_things_of_several_threads_or_none_name_what_they_can():
    mixed = [_saved_comment("e1", "t3_p1"), _saved_comment("e2", "t3_p2"), {"kind": "t3", "data": {"id": "p3", "title": "x"}}]
    with pytest.raises(SourceError) as info:
        _read_obj(mixed)
    assert info.value.message.startswith("this is a list of 2 reddit comments and one reddit post, not a comment thread")
    assert info.value.fix == (
        "save one thread as https://www.reddit.com/comments/ID.json (these come from "
        + ", ".join(f"https://www.reddit.com/comments/p{i}.json" for i in (1, 2, 3)) + ")")
    with pytest.raises(SourceError) as info:
        _read_obj([{"kind": "t1", "data": {"body": "no link id"}}])
    assert info.value.fix.startswith("save the thread they belong to as https://www.reddit.com/comments/ID.json")
    lines = b"\n".join(json.dumps(_saved_comment(f"e{i}")).encode() for i in range(3)) + b"\n"
    assert reddit.sniff(SourceDocument("RC.jsonl", lines))
    with pytest.raises(SourceError) as info:
        reddit.read(ImportRequest((SourceDocument("RC.jsonl", lines),)))
    assert (info.value.where, info.value.message, info.value.fix) == (
        "RC.jsonl", "this is a JSON-lines file of 3 reddit comments (one per line, as pushshift dumps are), not a comment "
        "thread (an array of the post's Listing and its comments' Listing)", "save the whole thread as https://www.reddit.com/comments/abc123.json")
    # Other JSON keeps the plain shape error, and is not claimed.
    for other in ({"data": [{"id": 1}]}, [{"name": "x"}]):
        assert not reddit.sniff(SourceDocument("x.json", json.dumps(other).encode()))
    with pytest.raises(SourceError, match="expected a list, found an object"):
        _read_obj({"data": [{"id": 1}]})


def test_several_files_need_the_submission_id():
    other = copy.deepcopy(_thread())
    other[0]["data"]["children"][0]["data"].update(id="zzz999", name="t3_zzz999")
    docs = (SourceDocument("a.json", json.dumps(_thread()).encode()), SourceDocument("b.json", json.dumps(other).encode()))
    with pytest.raises(SourceError) as info:
        reddit.read(ImportRequest(docs))
    assert "abc123 (a.json), zzz999 (b.json)" in info.value.message
    assert reddit.read(ImportRequest(docs, thread="t3_zzz999")).id == "zzz999"


def test_errors_name_line_column_and_json_path():
    with pytest.raises(SourceError) as info:
        reddit.read(ImportRequest((SourceDocument("c.json", b'[{"kind": "Listing",\n "data": }]'),)))
    assert info.value.where == "c.json line 2 column 10"
    broken = _thread()
    broken[1]["data"]["children"][0]["data"]["replies"] = 7
    with pytest.raises(SourceError) as info:
        _read_obj(broken, name="c.json")
    assert info.value.where == "c.json at $[1].data.children[0].data.replies"
    with pytest.raises(SourceError, match="no submission"):
        _read_obj([_listing([]), _listing([])])


# ---------------------------------------------------------------------------- properties

TEXT = text_values("\ud800", "\x00", "[deleted]", "c1", "t1_c1", "t3_", "&lt;p&gt;", "more", "t1")
JSON_VALUES = json_values(TEXT)


def _only_source_errors(data: bytes, thread=None) -> None:
    """The comments page is always one file, c.json."""
    only_source_errors(reddit, [SourceDocument("c.json", data)], thread)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_source_errors(data):
    _only_source_errors(data)
    _only_source_errors(b'[{"kind": "Listing", "data": ' + data)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_hand_made_thread_raises_only_source_errors(data):
    raw = json.dumps(mutate_json(_thread(), data.draw, JSON_VALUES)).encode()
    if data.draw(st.booleans()):
        cut = data.draw(st.integers(0, len(raw)))
        raw = raw[:cut] + data.draw(st.binary(max_size=4))
    _only_source_errors(raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_real_thread_raises_only_source_errors(shared_data, data):
    _only_source_errors(json.dumps(mutate_json(_small_real_thread(str(shared_data / SAMPLE)), data.draw, JSON_VALUES)).encode())


@functools.lru_cache(maxsize=1)
def _small_real_thread(path: str):
    """The real thread cut to a few subtrees (with a nested "more" stub) and the final "more" stub."""
    real = json.loads(open(path, "rb").read())
    forest = real[1]["data"]["children"]
    real[1]["data"]["children"] = forest[2:4] + forest[-1:]
    return real


def _more_children_answer():
    """What ``/api/morechildren`` answers for a 'load more comments' stub: the hidden comments, flat."""
    return {"json": {"errors": [], "data": {"things": [
        _comment("x1", "gil", "Hidden one.", "t1_c1"), _comment("x2", "hal", "Hidden two.", "t1_x1")]}}}


def test_a_morechildren_answer_alone_is_refused_naming_its_thread():
    with pytest.raises(SourceError) as error:
        _read_obj(_more_children_answer())
    assert error.value.message == (
        "this is reddit's /api/morechildren answer (the comments behind a 'load more comments' stub): 2 reddit "
        "comments, not a comment thread (an array of the post's Listing and its comments' Listing)")
    assert error.value.fix == "save the whole thread as https://www.reddit.com/comments/abc123.json"


def test_files_of_a_folder_that_are_not_threads_are_named_not_dropped_silently():
    docs = (SourceDocument("saved/1-thread.json", json.dumps(_thread()).encode()),
            SourceDocument("saved/2-more.json", json.dumps(_more_children_answer()).encode()))
    thread = reddit.read(ImportRequest(docs))
    assert [r.id for r in thread.replies] == ["c1", "c2", "c3", "c4", "c6"] and thread.partial
    assert thread.import_notes[0] == (
        "skipped 1 file(s) of the folder that are not reddit threads (the post's Listing and its comments' Listing), "
        "so none of their comments are imported: saved/2-more.json")


def _arctic_tree():
    """Arctic Shift's /api/comments/tree?link_id=t3_abc123: the comments nested as reddit nests
    them, markdown only (no body_html), text escaped as reddit's API served it to the archive."""
    def archived(thing):
        data = thing["data"]
        if thing["kind"] == "t1":
            del data["body_html"]
            data.update(subreddit="gardening", body=html.escape(data["body"], quote=False))
            if data["replies"]:
                data["replies"] = _listing([archived(child) for child in data["replies"]["data"]["children"]])
        return thing

    forest = _thread()[1]["data"]["children"]
    forest[0]["data"]["body"] = "> Which *shears*?\n\n**Bypass** ones, see [the guide](https://example.org/g) & <this>."
    return {"data": [archived(thing) for thing in forest]}


def test_an_arctic_shift_comment_tree_is_the_threads_comments_without_its_post():
    data = json.dumps(_arctic_tree(), indent=1).encode()
    assert reddit.sniff(SourceDocument("tree.json", data))
    thread = reddit.read(ImportRequest((SourceDocument("tree.json", data),)))
    assert (thread.id, thread.title, thread.opening_post, thread.author) == ("abc123", None, None, None)
    assert thread.url == "https://www.reddit.com/r/gardening/comments/abc123/" and thread.partial
    assert [(r.id, r.parent_id, r.author) for r in thread.replies] == [
        ("c1", None, "ben"), ("c2", "c1", "cat"), ("c3", "c1", "[deleted]"), ("c4", "c3", "dan"), ("c6", None, "fay")]
    assert thread.reply("c1").body.replace("\n", "") == (
        "<blockquote><p>Which <em>shears</em>?</p></blockquote><p><strong>Bypass</strong> ones, see "
        '<a href="https://example.org/g">the guide</a> &amp; &lt;this&gt;.</p>')
    assert thread.reply("c1").engagement.score == 5
    assert thread.reply("c2").permalink == "https://www.reddit.com/r/gardening/comments/abc123/c2/"
    assert thread.import_notes[:3] == (
        "the file is an Arctic Shift comment tree (/api/comments/tree) of post abc123: it holds the comments, not the "
        "post, so the thread has no title, author or opening text (https://www.reddit.com/comments/abc123.json has them)",
        "2 unexpanded 'load more comments' stubs hide 5 comments",
        "1 'continue this thread' stub hides deeper replies (count not given)",
    )
    assert_round_trip(thread)
    # Bare comments (pushshift's and Arctic Shift's search answers) are still refused.
    with pytest.raises(SourceError, match="a pushshift search response of 2 reddit comments"):
        _read_obj({"data": [_saved_comment(), _saved_comment("e2")]})


def test_a_markdown_body_nests_lists_as_reddit_does():
    text = "* shears\n  * bypass\n  * anvil\n* saw"
    assert reddit._markdown_body(text, "https://www.reddit.com/c/").replace("\n", "") == (
        "<ul><li>shears<ul><li>bypass</li><li>anvil</li></ul></li><li>saw</li></ul>")


def test_a_markdown_body_keeps_code_lists_and_table_rows_as_reddit_shows_them():
    """Archives keep comments as markdown only: a comment that is all code stays code, a
    bulleted and a numbered list stay two lists, a table is one line of cells per row."""
    text = "    x = 1\n    y = 2"
    assert reddit._markdown_body(text, "https://www.reddit.com/c/") == "<pre><code>x = 1\ny = 2\n</code></pre>"
    text = "* shears\n* saw\n\n1. cut\n2. seal\n\n|tool|price|\n|-|-|\n|shears|12|"
    assert reddit._markdown_body(text, "https://www.reddit.com/c/").replace("\n", "") == (
        "<ul><li>shears</li><li>saw</li></ul><ol><li>cut</li><li>seal</li></ol><p>tool | price</p><p>shears | 12</p>")
