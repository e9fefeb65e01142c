"""WordPress REST API comments (/wp-json/wp/v2/comments?post=ID)."""

from __future__ import annotations

import hashlib
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


def test_comments_saved_with_embed_are_recognised_and_name_their_post():
    """``?_embed`` adds each comment's post (``_embedded.up``): its title names the thread, and its
    address stands in for comment links a site without pretty permalinks leaves out."""
    embedded = page()
    for item in embedded:
        item["_embedded"] = {"up": [{"id": 42, "type": "post", "link": POST, "slug": "leeks",
                                     "title": {"rendered": "Why leeks bolt &#8211; and &lt;em&gt;what&lt;/em&gt; to do"},
                                     "excerpt": {"rendered": "<p>Leeks.</p>", "protected": False}}]}
    doc = SourceDocument("comments.json", json.dumps(embedded).encode())
    assert detect(ImportRequest((doc,))) == "wp-rest"
    thread = import_thread(ImportRequest((doc,)))
    assert (thread.title, thread.url, len(thread.replies)) == ("Why leeks bolt – and <em>what</em> to do", POST, 3)
    for item in embedded:
        item["link"] = ""
    assert read(embedded).url == POST
    embedded[0]["_embedded"]["up"] = [{"code": "rest_forbidden", "message": "Sorry", "data": {"status": 401}}]
    assert read(embedded[:1]).title is None


def test_a_list_of_posts_is_refused_with_each_posts_comments_address():
    posts = [{"id": 42, "date_gmt": "2024-05-01T08:00:00", "link": POST, "title": {"rendered": "Leeks"},
              "content": {"rendered": "<p>Post.</p>"}, "comment_status": "open", "ping_status": "open",
              "_links": {"replies": [{"embeddable": True, "href": "https://blog.example.org/wp-json/wp/v2/comments?post=42"}]},
              "_embedded": {"replies": [[comment(3, "Ann", "<p>Hi.</p>")]]}},
             {"id": 43, "date_gmt": "2024-05-02T08:00:00", "link": "https://blog.example.org/2024/05/kale/",
              "title": {"rendered": "Kale"}, "content": {"rendered": "<p>Post.</p>"}, "comment_status": "open", "ping_status": "open"}]
    doc = SourceDocument("posts.json", json.dumps(posts).encode())
    assert detect(ImportRequest((doc,))) == "wp-rest"
    with pytest.raises(SourceError) as refused:
        import_thread(ImportRequest((doc,)))
    assert refused.value.where == "posts.json at $"
    assert refused.value.message == "this is a list of 2 WordPress post items, not a post's comments"
    assert refused.value.fix == ("save each post's comments from its comments address: "
                                 "https://blog.example.org/wp-json/wp/v2/comments?post=42&per_page=100, "
                                 "https://blog.example.org/wp-json/wp/v2/comments?post=43&per_page=100")
    page = dict(posts[1], id=7, type="page", guid={"rendered": "https://blog.example.org/?page_id=7"})
    del page["comment_status"]  # /wp/v2/posts/ID saved alone: guid before the title tells it too
    one = SourceDocument("post.json", json.dumps(page).encode())
    assert detect(ImportRequest((one,))) == "wp-rest"
    with pytest.raises(SourceError) as refused:
        import_thread(ImportRequest((one,)))
    assert refused.value.message == "this is a WordPress page, not its comments"
    assert refused.value.fix == "save the post's comments from https://blog.example.org/wp-json/wp/v2/comments?post=7&per_page=100"
    revisions = [{"id": 9, "parent": 42, "date_gmt": "2024-05-01T08:00:00", "guid": {"rendered": "https://blog.example.org/?p=9"},
                  "title": {"rendered": "Leeks"}, "content": {"rendered": "<p>Draft.</p>"}}]
    with pytest.raises(SourceError) as refused:
        read(revisions)
    assert (refused.value.message, refused.value.fix) == (
        "this is a list of 1 WordPress revision items, not a post's comments",
        "save each post's comments from its comments address: https://blog.example.org/wp-json/wp/v2/comments?post=42&per_page=100")


def test_the_apis_error_answer_saved_as_the_file_says_what_the_site_answered():
    """A site that turned its REST API off (or keeps it to logged-in users) answers with an error
    object, which a script may save in place of the comments."""
    closed = {"code": "rest_no_route", "message": "No route was found matching the URL and request method.",
              "data": {"status": 404}}
    doc = SourceDocument("comments.json", json.dumps(closed).encode())
    assert detect(ImportRequest((doc,))) == "wp-rest"
    with pytest.raises(SourceError) as info:
        import_thread(ImportRequest((doc,)))
    assert info.value.message == ("this is the WordPress REST API's error answer, not comments: No route was found "
                                  "matching the URL and request method. (rest_no_route, HTTP 404)")
    assert info.value.fix == ("check the address (…/wp-json/wp/v2/comments?post=ID); if it is right, the site has turned "
                              "its REST API off: import the post's comments feed (the post's address followed by /feed/) "
                              "or a WordPress export (WXR) of the site")
    login = {"code": "rest_login_required", "message": "REST API restricted to authenticated users.", "data": {"status": 401}}
    with pytest.raises(SourceError, match=r"does not serve its comments through the REST API to visitors") as info:
        read(login)
    assert info.value.message.endswith("REST API restricted to authenticated users. (rest_login_required, HTTP 401)")


def wpcom_replies(found: int = 2) -> dict:
    """WordPress.com's ``/rest/v1.1/sites/SITE/posts/5/replies`` (its example site's shape)."""
    return {"found": found, "site_ID": 30434183, "comments": [
        {"ID": 8, "post": {"ID": 5, "title": "Leeks &#8211; why they bolt", "type": "post",
                           "link": "https://public-api.wordpress.com/rest/v1.1/sites/30434183/posts/5"},
         "author": {"ID": 0, "email": False, "name": "Tom &amp; Jerry", "URL": "", "avatar_URL": "https://0.gravatar.com/a"},
         "date": "2024-05-01T10:00:00+02:00", "URL": "https://ex.wordpress.com/2024/05/01/leeks/#comment-8",
         "short_URL": "https://wp.me/p1-5%23comment-8", "content": "<p>Mine bolted too.</p>\n", "status": "approved",
         "parent": False, "type": "comment", "like_count": 3, "i_like": False, "meta": {"links": {}}},
        {"ID": 9, "post": {"ID": 5, "title": "Leeks &#8211; why they bolt", "type": "post"},
         "author": {"ID": 7, "name": "Ben"}, "date": "2024-05-02T08:00:00+00:00",
         "URL": "https://ex.wordpress.com/2024/05/01/leeks/#comment-9", "short_URL": "https://wp.me/p1-5%23comment-9",
         "content": "<p>@Tom &amp; Jerry sow later.</p>\n", "status": "approved",
         "parent": {"ID": 8, "type": "comment", "link": "https://public-api.wordpress.com/rest/v1.1/sites/30434183/comments/8"},
         "type": "comment", "like_count": 0, "i_like": False},
    ]}


def test_wordpress_com_v1_1_replies_are_read_and_found_tells_what_is_missing():
    doc = SourceDocument("replies.json", json.dumps(wpcom_replies()).encode())
    assert detect(ImportRequest((doc,))) == "wp-rest"
    thread = import_thread(ImportRequest((doc,)))
    assert (thread.id, thread.title, thread.url, thread.partial) == (
        "wordpress-post-5", "Leeks – why they bolt", "https://ex.wordpress.com/2024/05/01/leeks/", False)
    tom, ben = thread.replies
    assert (tom.id, tom.author, tom.posted_at, tom.engagement.likes) == ("8", "Tom & Jerry", datetime(2024, 5, 1, 8, tzinfo=timezone.utc), 3)
    assert (ben.parent_id, ben.permalink, ben.mentions[0].name) == ("8", "https://ex.wordpress.com/2024/05/01/leeks/#comment-9", "Tom & Jerry")
    listed = read(wpcom_replies()["comments"])  # the comments alone, as scripts keep them
    assert [r.id for r in listed.replies] == ["8", "9"]
    more = import_thread(ImportRequest((SourceDocument("replies.json", json.dumps(wpcom_replies(found=45)).encode()),)))
    assert more.partial and more.import_notes == (
        "WordPress.com counts 45 comments; the file holds 2: save the next pages (&page=2, …) into one folder with "
        "this one and import the folder",)


JSON_VALUES = json_values(text_values("\ud800", "\x00", "approved", "pingback", "<p>x", "#comment-3"), st.sampled_from([0, 3, 5, 42]))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_responses_raise_only_source_errors(data):
    embedded = page()
    for item in embedded:  # saved with ?_embed: each comment names its post
        item["_embedded"] = {"up": [{"id": 42, "type": "post", "link": POST, "title": {"rendered": "Leeks &#8211; why"}}]}
    shape = data.draw(st.sampled_from([page(), embedded, wpcom_replies()]))
    raw = json.dumps(mutate_json(shape, data.draw, JSON_VALUES)).encode()
    only_source_errors(wordpress_rest, [SourceDocument("comments.json", raw)], thread=data.draw(st.none() | st.sampled_from(["42", "x"])))
    only_source_errors(wordpress_rest, [SourceDocument("comments.json", data.draw(st.binary(max_size=200)))])


def v1_comment(cid: int, author, html: str, parent: int = 0, *, status: str = "approved", kind: str = "comment") -> dict:
    """A comment as the WP API plugin (``/wp-json/posts/ID/comments``, before wp/v2) served it."""
    links = {"up": "http://old.example.org/blog/wp-json/posts/16", "self": f"http://old.example.org/blog/wp-json/posts/16/comments/{cid}"}
    return {"ID": cid, "post": 16, "content": html, "status": status, "type": kind, "parent": parent, "author": author,
            "date": "2014-07-23T11:10:51+02:00", "date_tz": "Europe/Paris", "date_gmt": "2014-07-23T09:10:51+00:00",
            "meta": {"links": links}}


def test_the_wp_api_plugins_comments_are_read_with_short_link_permalinks():
    guest = {"ID": 0, "name": "Ana &amp; Bo", "URL": "", "avatar": "http://0.gravatar.com/avatar/x?s=96"}
    comments = [v1_comment(59, guest, "<p>Guest answer, été</p>\n"), v1_comment(60, 1, "<p>Thanks!</p>\n", 59),
                v1_comment(61, guest, "<p>buy pills</p>", status="spam")]
    document = SourceDocument("comments.json", json.dumps(comments).encode())
    assert detect(ImportRequest((document,))) == "wp-rest"
    thread = read(comments)
    assert (thread.id, thread.url) == ("wordpress-post-16", "http://old.example.org/blog/?p=16")
    assert [(r.id, r.parent_id, r.author, r.body) for r in thread.replies] == [
        ("59", None, "Ana & Bo", "<p>Guest answer, été</p>"), ("60", "59", "user 1", "<p>Thanks!</p>")]
    assert thread.reply("60").permalink == "http://old.example.org/blog/?p=16#comment-60"
    assert thread.reply("59").posted_at == datetime(2014, 7, 23, 9, 10, 51, tzinfo=timezone.utc)
    assert thread.import_notes == (
        "skipped 1 spam comments",
        "1 comment(s) by registered users carry only the user's id, not a name (the WP API plugin's answer): "
        "shown as 'user ID'; the site's /wp-json/users/ID names them")


def _trimmed(item: dict, *fields: str) -> dict:
    """A comment as ``_fields=`` (a list of the fields wanted) serves it."""
    return {field: item[field] for field in fields}


def test_comments_saved_with_fields_say_what_was_left_out():
    """``?post=42&_fields=id,parent,author_name,content,date,link``: no post id, no UTC time."""
    trimmed = [_trimmed(c, "id", "parent", "author_name", "content", "date", "link") for c in page() if c["type"] == "comment"]
    doc = SourceDocument("comments.json", json.dumps(trimmed).encode())
    assert detect(ImportRequest((doc,))) == "wp-rest"
    thread = read(trimmed)
    assert (thread.url, thread.partial) == (POST, False)
    assert thread.id == "wordpress-comments-" + hashlib.sha1(POST.encode()).hexdigest()[:12]
    assert [(r.id, r.parent_id, r.posted_at, r.posted_at_text) for r in thread.replies] == [
        ("3", None, None, "2024-05-01T08:00:00"), ("5", None, None, "2024-05-02T09:00:00"), ("7", "5", None, "2024-05-03T10:00:00")]
    assert thread.import_notes == (
        "the comments were saved with only some of their fields (_fields=), without post, date_gmt: post: all taken as "
        "the comments of one post; date_gmt: times kept as the site's local time, as text; save them again without "
        "_fields= to have everything",)
    bare = read([_trimmed(c, "id", "author_name", "content") for c in page()])
    assert bare.id == "wordpress-comments" and len(bare.replies) == 4  # without type, the pingback cannot be told
    assert "without post, parent, date_gmt, link: post: all taken as the comments of one post; parent: every comment " \
           "shown as answering the post; date_gmt: no times; link: no links to the comments" in bare.import_notes[0]


def test_comments_giving_null_for_their_post_say_so_not_that_fields_were_left_out():
    nulled = [{**c, "post": None} for c in page() if c["type"] == "comment"]
    thread = read(nulled)
    assert len(thread.replies) == 3 and thread.url == POST
    assert thread.import_notes == ("the comments give null for post: post: all taken as the comments of one post",)


def test_a_comment_without_its_post_id_joins_the_post_its_address_names():
    """Mixed ids used to list one post twice, once as "(id not saved)"."""
    mixed = [c if c["id"] != 5 else {key: value for key, value in c.items() if key != "post"} for c in page()]
    thread = read(mixed)
    assert thread.id == "wordpress-post-42" and [r.id for r in thread.replies] == ["3", "5", "7"]
    assert thread.import_notes == ("skipped 1 pingbacks/trackbacks",
                                   "1 comment(s) without their post's id are taken as comments of post 42, whose address their links share")


def test_a_reply_to_a_skipped_comment_answers_the_post_without_making_the_thread_partial():
    """``context=edit`` serves spam and held comments too; WordPress shows their answers at the top."""
    comments = [comment(3, "Ana", "<p>Hi</p>"), comment(4, "Spam", "<p>buy</p>", status="spam"),
                comment(5, "Ben", "<p>No</p>", 4, when="2024-05-01T09:00:00")]
    thread = read(comments)
    assert [(r.id, r.parent_id) for r in thread.replies] == [("3", None), ("5", None)] and not thread.partial
    assert thread.import_notes == ("skipped 1 spam comments",
                                   "1 comment(s) answer a skipped comment; shown as answering the post, as WordPress shows them")


def test_comments_without_their_local_date_but_with_date_gmt_need_no_note():
    comments = [{key: value for key, value in c.items() if key != "date"} for c in page()]
    assert read(comments).import_notes == ("skipped 1 pingbacks/trackbacks",)
