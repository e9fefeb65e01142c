"""Inputs that once broke a reader, each kept as small as shows it: copied pages' links, GitHub
events, navigation and headings over long runs of blanks; Markdown comments of many headings and
rules; quotes nested thousands deep; times at the calendar's edges; a References header of one
long word, or of thousands of ids.  The long inputs once took minutes (their square, or worse) or ran out of Python's stack."""

from __future__ import annotations

import json

from digest.sources import ImportRequest, SourceDocument, discourse, forum_text, mbox, reddit
from digest.sources.mail.decode import message_ids

BLOG_COPY = "Ana says:\nMarch 3, 2024 at 5:12 pm\n{text}\nReply\nBen says:\nMarch 4, 2024 at 9:00 am\nThanks.\n"
GITHUB_COPY = """[Skip to content](https://github.com/o/r/issues/7#start-of-content)

# Crash on start\\#7

[![@ana](https://avatars.githubusercontent.com/u/1?v=4&size=48)](https://github.com/ana)

[ana](https://github.com/ana)

opened [on Jun 21, 2025on Jun 21, 2025](https://github.com/o/r/issues/7#issue-3165486658)

It crashes **at once**.

## Activity

[![](https://avatars.githubusercontent.com/u/1?s=64&v=4)ana](https://github.com/ana)

added

{line}

[on Jun 21, 2025on Jun 21, 2025](https://github.com/o/r/issues/7#event-18259112872)

### bo commented on Mar 3on Mar 3, 2026

[![@bo](https://avatars.githubusercontent.com/u/2?v=4&size=48)](https://github.com/bo)

[bo](https://github.com/bo)

[on Mar 3on Mar 3, 2026](https://github.com/o/r/issues/7#issuecomment-3993471537)

Fixed.
"""
MARKDOWN_COPY = ("## 2 thoughts on “Leeks”\n\n"
                 "1. **Ana** says:\n\n   [March 3, 2024 at 5:12 pm](https://example.org/leeks/#comment-7)\n\n{text}\n"
                 "2. **Ben** says:\n\n   [March 4, 2024 at 9:00 am](https://example.org/leeks/#comment-8)\n\n   Thanks!\n")
MAIL_HEAD = "From: Ann <ann@example.com>\nSubject: Leeks\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <ann@example.com>\n\n"


def _copy(text: str, name: str = "copy.txt"):
    return forum_text.read(ImportRequest((SourceDocument(name, text.encode()),)))


def test_a_copied_comment_line_of_links_never_closed_is_read_in_one_pass():
    # each "[a](" looked for its ")" up to the end of the line
    thread = _copy(BLOG_COPY.format(text="[a](" * 200_000))
    assert [(r.author, r.body) for r in thread.replies] == [("Ana", "<p>" + "[a](" * 200_000 + "</p>"), ("Ben", "<p>Thanks.</p>")]


def test_a_copied_github_issue_with_a_line_of_bracket_pairs_among_its_events_is_read_in_one_pass():
    # each "](" after an event's actor looked for an "#event-N" link up to the end of the line
    thread = _copy(GITHUB_COPY.replace("{line}", "](" * 200_000))
    assert [(r.author, r.body) for r in thread.replies] == [("ana", "<p>It crashes <strong>at once</strong>.</p>"),
                                                            ("bo", "<p>Fixed.</p>")]


def test_a_copied_page_with_long_runs_of_blanks_above_its_comments_is_read_in_one_pass():
    # the theme's navigation and the heading over the comments were looked for from each blank
    thread = _copy(" " * 50_000 + "Leeks\n#" + " " * 50_000 + "x\n" + BLOG_COPY.format(text="First."))
    assert [(r.author, r.body) for r in thread.replies] == [("Ana", "<p>First.</p>"), ("Ben", "<p>Thanks.</p>")]


def test_a_markdown_comment_of_thousands_of_rules_and_underlines_is_read_in_one_pass():
    # Python-Markdown read the rest of a paragraph again after each heading, rule or underline
    thread = _copy(MARKDOWN_COPY.format(text="   Hi.\n" + "   a\n   ---\n" * 15_000 + "   ===\n" * 15_000), "page.md")
    assert thread.replies[0].body == "<p>Hi. a</p><hr>" + "<p><strong>a</strong></p>" * 14_999 + "<p><strong>===</strong></p>" * 7_500
    assert thread.replies[1].body == "<p>Thanks!</p>"


def test_an_archived_reddit_comment_of_thousands_of_headings_and_rules_is_read_in_one_pass():
    comment = {"kind": "t1", "data": {"id": "c1", "name": "t1_c1", "parent_id": "t3_abc123", "link_id": "t3_abc123",
                                      "author": "ben", "score": 5, "created_utc": 1700000000, "subreddit": "gardening",
                                      "body": "# Leeks\n" * 15_000 + "a\n---\n" * 15_000, "replies": ""}}
    thread = reddit.read(ImportRequest((SourceDocument("tree.json", json.dumps({"data": [comment]}).encode()),)))
    assert thread.reply("c1").body == "<p><strong>Leeks</strong></p>" * 15_000 + "<p><strong>a</strong></p>" * 15_000


def test_a_copied_comment_quoting_thousands_deep_is_read_fifty_deep():
    # the sanitizer took the square of the depth
    thread = _copy(BLOG_COPY.format(text="<blockquote>" * 50_000 + "Sow later." + "</blockquote>" * 50_000))
    assert thread.replies[0].body == "<blockquote>" * 50 + "<p>Sow later.</p>" + "</blockquote>" * 50


def test_a_message_quoting_thousands_deep_keeps_its_text_fifty_deep():
    # a call per depth: past Python's stack the message was imported as having no readable text
    thread = mbox.read(ImportRequest((SourceDocument("m.eml", (MAIL_HEAD + "Hello.\n\n" + "> " * 5_000 + "Old.\n").encode()),)))
    assert thread.opening_post.body == "<p>Hello.</p>" + "<blockquote>" * 50 + "<p>Old.</p>" + "</blockquote>" * 50
    assert thread.import_notes == ()


def test_relative_times_of_a_copy_clipped_at_the_calendars_edge_stay_as_written():
    for clipped, ago in (("0001-01-01T00:30:00+01:00", "3 hours ago"), ("9999-12-31T23:59:00-01:00", "3 hours ago"),
                         ("0001-01-02T00:00:00Z", "9999 days ago")):
        thread = _copy(f"---\ntitle: Leeks\nclipped: {clipped}\n---\nalice {ago} | next [–]\n\nFirst.\n\nreply\n\n"
                       "bob 2 days ago | parent | next [–]\n\nSecond.\n\nreply\n")
        assert [(r.author, r.posted_at) for r in thread.replies] == [("alice", None), ("bob", None)]


def test_a_discourse_local_date_at_the_calendars_edge_stays_as_cooked():
    cooked = ('<p>Met <span class="discourse-local-date" data-date="0001-01-01" data-time="00:00" data-timezone="Asia/Tokyo">'
              'long ago</span> and <span class="discourse-local-date" data-date="9999-12-31" data-time="23:59" '
              'data-timezone="America/New_York">later</span></p>')
    post = {"id": 7, "post_number": 1, "username": "ann", "created_at": "2024-03-01T09:30:00Z", "cooked": cooked,
            "topic_id": 42, "topic_slug": "leeks"}
    thread = discourse.read(ImportRequest((SourceDocument("posts.json", json.dumps({"post_stream": {"posts": [post]}}).encode()),)))
    assert thread.opening_post.body == "<p>Met long ago and later</p>"


def test_a_references_header_of_one_long_word_is_read_in_one_pass():
    # an id without brackets was looked for from each letter of the word
    head = MAIL_HEAD.replace("\n\n", "\nReferences: " + "a" * 200_000 + " bob@example.com\n\n")
    thread = mbox.read(ImportRequest((SourceDocument("m.eml", (head + "Hello.\n").encode()),)))
    assert thread.opening_post.body == "<p>Hello.</p>"
    assert thread.import_notes == ("1 referenced message(s) are not in the source: <bob@example.com>",)


def test_a_references_header_of_thousands_of_ids_is_read_in_one_pass():
    # ids were de-duplicated against a list, and each placeholder of the chain walked up the chain
    references = " ".join(f"<r{i}@example.org>" for i in range(3000))
    reply = ("From: Bob <bob@example.org>\nSubject: Re: Leeks\nDate: Mon, 1 Jan 2024 01:00:00 +0000\n"
             f"Message-ID: <bob@example.org>\nReferences: <ann@example.com> {references} <r7@example.org>\n"
             "In-Reply-To: <ann@example.com>\n\nSecond.\n")
    mbox_text = "From ann Mon Jan  1 00:00:00 2024\n" + MAIL_HEAD + "First.\n\nFrom bob Mon Jan  1 01:00:00 2024\n" + reply
    thread = mbox.read(ImportRequest((SourceDocument("a.mbox", mbox_text.encode()),)))
    assert [r.body for r in thread.replies] == ["<p>Second.</p>"] and thread.replies[0].parent_id is None
    assert thread.import_notes[0].startswith("3000 referenced message(s) are not in the source: <r0@example.org>, <r1@example.org>")


def test_message_ids_are_each_kept_once_in_order():
    assert message_ids("<b@x> <a@x> <b@x> <c@x> <a@x>") == ["b@x", "a@x", "c@x"]
