"""WordPress REST API comments (/wp-json/wp/v2/comments?post=ID)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, detect, hackernews, import_thread, wordpress_rest
from tests.sources.fuzzing import assert_round_trip, json_values, mutate_json, only_source_errors, text_values

POST = "https://blog.example.org/2024/05/leeks/"


def comment(cid: int, author: str, html: str, parent: int = 0, *, post: int = 42, status: str = "approved", kind: str = "comment",
            when: str = "2024-05-01T08:00:00") -> dict:
    return {"id": cid, "post": post, "parent": parent, "author": 0, "author_name": author, "author_url": "",
            "date": when, "date_gmt": when, "content": {"rendered": html}, "link": f"{POST}#comment-{cid}",
            "status": status, "type": kind, "author_avatar_urls": {"24": "https://secure.gravatar.com/avatar/x?s=24"},
            "meta": [], "_links": {"up": [{"embeddable": True, "post_type": "post", "href": "https://blog.example.org/wp-json/wp/v2/posts/42"}]}}


def page() -> list[dict]:
    """The API's order: newest first."""
    return [
        comment(7, "Marta", "<p>@Ben Thanks, that worked &#8212; my leeks stopped bolting.</p>\n", 5, when="2024-05-03T10:00:00"),
        comment(6, "Other blog", "<p>[&hellip;] leeks [&hellip;]</p>", kind="pingback", when="2024-05-02T12:00:00"),
        comment(5, "Ben", "<p>Sow later, after the last <a href=\"/frost/\">frost</a>.</p>\n", when="2024-05-02T09:00:00"),
        comment(3, "Ana", "<p>Mine bolted too.</p>\n", when="2024-05-01T08:00:00"),
    ]


def read(*pages, thread: str | None = None):
    docs = tuple(SourceDocument(f"comments/{i}.json", json.dumps(p).encode()) for i, p in enumerate(pages))
    return import_thread(ImportRequest(docs, thread=thread))


def test_comments_of_a_post_are_one_thread_oldest_first_with_parents():
    thread = read(page())
    assert (thread.id, thread.url, thread.source_format, thread.partial) == ("wordpress-post-42", POST, "wp-rest", False)
    assert [(r.id, r.parent_id, r.author) for r in thread.replies] == [("3", None, "Ana"), ("5", None, "Ben"), ("7", "5", "Marta")]
    marta = thread.reply("7")
    assert marta.posted_at == datetime(2024, 5, 3, 10, tzinfo=timezone.utc) and marta.permalink == f"{POST}#comment-7"
    assert marta.body == "<p>@Ben Thanks, that worked — my leeks stopped bolting.</p>" and marta.mentions[0].name == "Ben"
    assert thread.reply("5").body == '<p>Sow later, after the last <a href="https://blog.example.org/frost/">frost</a>.</p>'
    assert thread.import_notes == ("skipped 1 pingbacks/trackbacks",)
    assert_round_trip(thread)


def test_a_full_page_may_not_be_all_and_a_folder_of_pages_is_one_response():
    comments = [comment(i, f"user{i}", f"<p>Reply {i}.</p>", when=f"2024-05-01T{i % 24:02d}:00:00") for i in range(1, 13)]
    first = read(comments[:10])
    assert first.import_notes == ("the file holds 10 comments, a full page of the API's answer: the post may have more; save the "
                                  "next pages (&page=2, …) into one folder with this one and import the folder",)
    both = read(comments[:10], comments[8:])  # the second page overlaps the first by two
    assert len(both.replies) == 12 and both.import_notes == ()


def test_unapproved_and_missing_parents_are_noted():
    held = page() + [comment(9, "Spammer", "<p>Buy.</p>", status="hold"), comment(10, "Zed", "<p>Me too.</p>", 99)]
    thread = read(held)
    assert thread.partial and "10" in [r.id for r in thread.replies] and "9" not in [r.id for r in thread.replies]
    assert thread.import_notes == ("skipped 1 pingbacks/trackbacks, 1 unapproved comments",
                                   "1 comment(s) answer comments not in the file (shown as answering the post)")


def test_comments_on_several_posts_need_a_thread():
    mixed = page() + [comment(20, "Ivy", "<p>Other post.</p>", post=43)]
    with pytest.raises(SourceError) as error:
        read(mixed)
    assert error.value.message.startswith("the file holds comments on 2 posts:\n  post 42 https://blog.example.org/2024/05/leeks/ (4 comments)")
    assert read(mixed, thread="43").replies[0].author == "Ivy"
    assert [r.id for r in read(mixed, thread=f"{POST}#comment-3").replies] == ["3", "5", "7"]
    with pytest.raises(SourceError, match="no post in the file matches --thread '44'"):
        read(mixed, thread="44")


def test_recognised_and_told_from_hacker_news():
    doc = SourceDocument("comments.json", json.dumps(page()).encode())
    assert detect(ImportRequest((doc,))) == "wp-rest" and not hackernews.sniff(doc)
    with pytest.raises(SourceError, match="it looks like: WordPress REST API comments JSON"):
        import_thread(ImportRequest((doc,)), "hackernews")
    with pytest.raises(SourceError, match=r"the file holds no comments \(an empty array\)"):
        wordpress_rest.read(ImportRequest((SourceDocument("c.json", b"[]"),)))


def test_escaped_names_are_read_once_and_a_zero_utc_time_keeps_the_local_one():
    """WordPress stores comment author names escaped ("Tom &amp; Jerry")."""
    odd = [comment(3, "Tom &amp; Jerry", "<p>Hi.</p>"), comment(4, "Ann", "<p>@Tom &amp; Jerry yes.</p>")]
    odd[1]["date_gmt"] = "0000-00-00T00:00:00"
    odd[1]["date"] = "2010-05-01T12:00:00"
    tom, ann = read(odd).replies
    assert tom.author == "Tom & Jerry" and ann.mentions[0].name == "Tom & Jerry"
    assert (ann.posted_at, ann.posted_at_text) == (None, "2010-05-01T12:00:00")


def test_posts_with_embedded_comments_are_not_taken_for_comments():
    posts = [{"id": 1, "date_gmt": "2024-05-01T08:00:00", "title": {"rendered": "Leeks"}, "content": {"rendered": "<p>Post.</p>"},
              "_embedded": {"replies": [[comment(3, "Ann", "<p>Hi.</p>")]], "wp:featuredmedia": [{"post": 1, "author_name": "x"}]}}]
    assert not wordpress_rest.sniff(SourceDocument("posts.json", json.dumps(posts).encode()))


JSON_VALUES = json_values(text_values("\ud800", "\x00", "approved", "pingback", "<p>x", "#comment-3"), st.sampled_from([0, 3, 5, 42]))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_responses_raise_only_source_errors(data):
    raw = json.dumps(mutate_json(page(), data.draw, JSON_VALUES)).encode()
    only_source_errors(wordpress_rest, [SourceDocument("comments.json", raw)], thread=data.draw(st.none() | st.sampled_from(["42", "x"])))
    only_source_errors(wordpress_rest, [SourceDocument("comments.json", data.draw(st.binary(max_size=200)))])
