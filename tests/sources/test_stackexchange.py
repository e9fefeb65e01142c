"""The Stack Exchange reader: the real coffee.stackexchange Posts.xml, a hand-made dump
folder (Posts.xml + Users.xml), and fuzzing."""

from __future__ import annotations

import tracemalloc
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, disqus, feed, load_documents, stackexchange, wxr
from tests.sources.fuzzing import assert_round_trip, mutated_bytes, only_source_errors

POSTS = "stackexchange-coffee/coffee.stackexchange.Posts.xml"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def coffee(shared_data) -> SourceDocument:
    path = shared_data / POSTS
    return SourceDocument(str(path), path.read_bytes())


def read(doc: SourceDocument, thread: str | None = None):
    return stackexchange.read(ImportRequest((doc,), thread=thread))


# ---------------------------------------------------------------------------- sniffing

def test_sniff(coffee):
    assert stackexchange.sniff(coffee)  # BOM, declaration, <posts><row Id=...
    assert not any(m.sniff(coffee) for m in (feed, wxr, disqus))
    assert stackexchange.sniff(SourceDocument("Users.xml", b'<?xml version="1.0" encoding="utf-8"?>\n<users>\n  <row Id="-1" DisplayName="Community" />'))
    assert not stackexchange.sniff(SourceDocument("p", b"<posts><post id='1'/></posts>"))


def test_sniff_claims_no_other_shared_sample(shared_data):
    claimed = [
        str(p.relative_to(shared_data)) for p in sorted(shared_data.rglob("*"))
        if p.is_file() and stackexchange.sniff(SourceDocument(str(p), p.read_bytes()))
    ]
    assert claimed == [POSTS]


# ---------------------------------------------------------------------------- the real dump

def test_many_questions_need_a_selector(coffee):
    with pytest.raises(SourceError) as error:
        read(coffee)
    message = error.value.message
    assert message.startswith("the dump holds 225 questions:")
    assert '  1 "How should I store whole bean coffee?" (3 answer(s))' in message
    assert message.count("\n  ") == 21  # the first 20, then "... and 205 more"
    assert message.endswith("... and 205 more")
    assert "--thread" in error.value.fix


def test_question_1(coffee):
    thread = read(coffee, "1")
    assert thread.id == "1" and thread.title == "How should I store whole bean coffee?"
    assert thread.total_replies == 9 and thread.partial  # 3 answers and their 6 comments, kept in Comments.xml
    assert thread.url is None  # the dump does not say which site it is
    question = thread.opening_post
    assert question.author == thread.author == "user4"  # no Users.xml: the owner id
    assert question.posted_at == utc(2015, 1, 27, 20, 9, 32)  # "2015-01-27T20:09:32.720", UTC
    assert question.engagement.items() == {"score": 20, "replies": 3, "reads": 130}
    assert [(r.id, r.author, r.engagement.score, r.engagement.accepted) for r in thread.replies] == [
        ("24", "user24", 15, 1), ("1617", "user443", 2, 0), ("1618", "user446", 2, 0),
    ]
    accepted = thread.replies[0]
    assert accepted.posted_at == utc(2015, 1, 27, 21, 17, 34)
    assert accepted.body.startswith("<p><strong>In a cool, dark, dry, place and whenever possible vacuum sealed.</strong></p>")
    assert all(r.parent_id is None and r.permalink is None for r in thread.replies)
    assert any("does not name its site" in n for n in thread.import_notes)
    assert_round_trip(thread)


def test_question_url_selects_and_gives_links(coffee):
    thread = read(coffee, "https://coffee.stackexchange.com/questions/79/how-can-i-figure-out")
    assert thread.title == "How can I figure out how much caffeine is in my cup?"
    assert thread.url == "https://coffee.stackexchange.com/questions/79"
    # by CreationDate; the asker (user86) answered and accepted answer 324
    assert [r.id for r in thread.replies] == ["88", "274", "294", "318", "324", "1538"]
    assert thread.reply("324").engagement.accepted == 1 and thread.reply("324").author == "user86" == thread.author
    assert thread.reply("88").engagement.items() == {"score": 9, "accepted": 0}
    assert thread.reply("88").permalink == "https://coffee.stackexchange.com/a/88"
    assert thread.opening_post.engagement.score == 26
    assert thread.import_notes == (
        "the posts have 27 comment(s) (CommentCount), which the dump keeps in Comments.xml: import the dump folder that holds it to include them",
    )


def test_title_words_and_answer_id_select(coffee):
    assert read(coffee, "BULLETPROOF").id == "498"
    assert read(coffee, "198").id == "184"  # an answer id selects its question
    negative = read(coffee, "184").reply("198")
    assert negative.engagement.score == -2
    with pytest.raises(SourceError) as error:
        read(coffee, "espresso")
    assert "questions:" in error.value.message and "matches" in error.value.message
    with pytest.raises(SourceError) as error:
        read(coffee, "no such words here")
    assert "no question matches" in error.value.message


def test_question_without_accepted_answer_has_no_accepted_counts(coffee):
    thread = read(coffee, "2")
    assert len(thread.replies) == 2 and all(r.engagement.accepted is None for r in thread.replies)


def test_truncated_dump_keeps_the_rows_before_the_cut(coffee):
    cut = SourceDocument("Posts.xml", coffee.data[:20000])
    thread = read(cut, "1")
    assert thread.partial and thread.replies == () and thread.total_replies == 7  # 3 answers, 4 comments
    assert thread.import_notes[0] == (
        "Posts.xml is not well-formed XML from line 23, column 701 (AttValue: ' expected): the file is cut short"
        " or damaged there, so only the 20 row(s) before it were read; answers after it are missing")
    with pytest.raises(SourceError) as error:  # question 184 lies in the part cut off
        read(cut, "184")
    assert error.value.where == "Posts.xml line 23, column 701"
    assert "only the 20 row(s) before it were read" in error.value.message


# ---------------------------------------------------------------------------- a dump folder

DUMP_POSTS = """\ufeff<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="10" PostTypeId="1" AcceptedAnswerId="13" CreationDate="2020-05-01T08:00:00.000" Score="7" ViewCount="88" Body="&lt;p&gt;Why does bread go stale?&lt;/p&gt;&#xA;" OwnerUserId="3" Title="Why does bread go stale?" Tags="&lt;bread&gt;" AnswerCount="4" CommentCount="0" />
  <row Id="11" PostTypeId="2" ParentId="10" CreationDate="2020-05-01T09:30:00.500" Score="2" Body="&lt;p&gt;Moisture loss, mostly.&lt;/p&gt;" OwnerDisplayName="old_baker" CommentCount="0" />
  <row Id="13" PostTypeId="2" ParentId="10" CreationDate="2020-05-01T09:00:00.000" Score="12" Body="&lt;p&gt;Starch &lt;b&gt;retrogradation&lt;/b&gt;, as @old_baker hints.&lt;/p&gt;" OwnerUserId="5" CommentCount="1" />
  <row Id="14" PostTypeId="2" ParentId="10" CreationDate="2020-05-02T10:00:00.000" Score="0" Body="&lt;p&gt;Wiki summary.&lt;/p&gt;" OwnerUserId="-1" CommentCount="0" />
  <row Id="15" PostTypeId="4" CreationDate="2020-05-02T10:00:00.000" Score="0" Body="" OwnerUserId="-1" CommentCount="0" />
</posts>
"""
DUMP_USERS = """<?xml version="1.0" encoding="utf-8"?>
<users>
  <row Id="3" Reputation="101" DisplayName="Hanna" />
  <row Id="5" Reputation="2000" DisplayName="Dr. Crumb" />
</users>
"""


def test_dump_folder_with_users_and_site_name(tmp_path):
    folder = tmp_path / "cooking.stackexchange.com"
    folder.mkdir()
    (folder / "Posts.xml").write_text(DUMP_POSTS, encoding="utf-8")
    (folder / "Users.xml").write_text(DUMP_USERS, encoding="utf-8")
    (folder / "Badges.xml").write_text('<?xml version="1.0" encoding="utf-8"?>\n<badges>\n  <row Id="1" UserId="3" Name="Teacher" />\n</badges>\n')
    documents = load_documents(folder)
    assert stackexchange.sniff(documents[0])  # Badges.xml sorts first: still recognised as the dump
    thread = stackexchange.read(ImportRequest(documents))
    assert thread.id == "10" and thread.author == "Hanna"
    assert thread.url == "https://cooking.stackexchange.com/questions/10"
    assert [(r.id, r.author) for r in thread.replies] == [("13", "Dr. Crumb"), ("11", "old_baker"), ("14", "Community")]
    crumb = thread.reply("13")
    assert crumb.engagement.items() == {"score": 12, "accepted": 1}
    assert crumb.permalink == "https://cooking.stackexchange.com/a/13"
    assert crumb.body == "<p>Starch <strong>retrogradation</strong>, as @old_baker hints.</p>"
    assert crumb.mentions[0].name == "old_baker"
    assert thread.reply("11").posted_at == utc(2020, 5, 1, 9, 30)  # fractions of a second dropped
    # AnswerCount says 4, the dump holds 3; the one comment is in Comments.xml, not given
    assert thread.total_replies == 5 and thread.partial
    assert thread.import_notes == (
        "the question has 4 answers, the dump holds 3 of them",
        "the posts have 1 comment(s) (CommentCount), which the dump keeps in Comments.xml: import the dump folder that holds it to include them",
    )
    assert_round_trip(thread)


def test_a_dump_folder_has_only_its_posts_and_users_read(tmp_path):
    """PostHistory.xml, Comments.xml and Votes.xml are often larger than Posts.xml and Users.xml
    together, and the thread needs none of them: they are told apart by their first bytes."""
    import gzip

    (tmp_path / "Posts.xml").write_text(DUMP_POSTS, encoding="utf-8")
    (tmp_path / "Users.xml.gz").write_bytes(gzip.compress(DUMP_USERS.encode()))
    history = '<?xml version="1.0" encoding="utf-8"?>\n<posthistory>\n' + '  <row Id="1" PostId="10" Text="x" />\n' * 20000 + "</posthistory>\n"
    (tmp_path / "PostHistory.xml").write_text(history, encoding="utf-8")
    documents = load_documents(tmp_path)
    assert [d.name.rsplit("/", 1)[-1] for d in documents] == ["Posts.xml", "Users.xml.gz"]
    assert stackexchange.read(ImportRequest(documents)).author == "Hanna"


def test_users_cut_short_keeps_the_names_read(tmp_path):
    posts = DUMP_POSTS.replace('AnswerCount="4"', 'AnswerCount="3"').replace('CommentCount="1"', 'CommentCount="0"')
    (tmp_path / "Posts.xml").write_text(posts, encoding="utf-8")
    (tmp_path / "Users.xml").write_text(DUMP_USERS[: DUMP_USERS.index("Dr. Crumb")], encoding="utf-8")
    thread = stackexchange.read(ImportRequest(load_documents(tmp_path)))
    assert thread.author == "Hanna" and thread.reply("13").author == "user5"
    assert not thread.partial  # every answer is there, only a name is missing
    assert thread.import_notes[0] == (
        "Users.xml is not well-formed XML from line 4, column 46 (AttValue: ' expected): the file is cut short or damaged"
        " there, so only the 1 row(s) before it were read; authors listed after it are shown as user<Id>")


def test_anonymous_owner_and_single_question_file():
    data = DUMP_POSTS.replace(' OwnerDisplayName="old_baker"', "").encode()
    thread = stackexchange.read(ImportRequest((SourceDocument("Posts.xml", data),)))
    assert thread.id == "10"  # the only question: no selector needed
    assert thread.reply("11").author == "anonymous" and thread.author == "user3"


def test_folder_without_posts():
    docs = (SourceDocument("Users.xml", DUMP_USERS.encode()), SourceDocument("notes.txt", b"hello"))
    with pytest.raises(SourceError) as error:
        stackexchange.read(ImportRequest(docs))
    assert "no Posts.xml" in error.value.message


def test_dump_cut_short_keeps_the_thread_so_far():
    data = DUMP_POSTS.encode()
    cut = data[: data.index(b'<row Id="14"') + 60]  # inside the third answer
    thread = stackexchange.read(ImportRequest((SourceDocument("dump/Posts.xml", cut),), thread="10"))
    assert [r.id for r in thread.replies] == ["13", "11"] and thread.partial
    assert thread.import_notes[:2] == (
        "Posts.xml is not well-formed XML from line 6, column 63 (AttValue: ' expected): the file is cut short"
        " or damaged there, so only the 3 row(s) before it were read; answers after it are missing",
        "the question has 4 answers, the dump holds 2 of them",
    )
    whole = data[: data.index(b'  <row Id="14"')]  # cut between rows: all answers so far, still partial
    thread = stackexchange.read(ImportRequest((SourceDocument("Posts.xml", whole),), thread="10"))
    assert thread.partial and "line 6, column 1 (Premature end of data in tag posts line 2)" in thread.import_notes[0]


def test_dump_cut_before_the_first_row_is_an_error():
    data = DUMP_POSTS.encode()
    with pytest.raises(SourceError) as error:
        stackexchange.read(ImportRequest((SourceDocument("Posts.xml", data[: data.index(b"Title=")]),)))
    assert error.value.where == "Posts.xml line 3, column 189"
    assert error.value.message.startswith("not well-formed XML: ")


def test_entity_declarations_are_refused():
    bomb = DUMP_POSTS.replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE posts [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
    ).replace('OwnerDisplayName="old_baker"', 'OwnerDisplayName="&b;"')
    with pytest.raises(SourceError) as error:  # libxml2 expands entities in attributes: refuse the file
        stackexchange.read(ImportRequest((SourceDocument("Posts.xml", bomb.encode()),)))
    assert "declares XML entities" in error.value.message and error.value.where == "Posts.xml"


# ---------------------------------------------------------------------------- links and odd values

RELATIVE_LINKS = """<posts>
  <row Id="7" PostTypeId="1" CreationDate="2022-06-01T01:52:10.937" Title="Tags" AnswerCount="0"
    Body="&lt;p&gt;See the &lt;a href=&quot;/questions/tagged/faq&quot;&gt;FAQ&lt;/a&gt;, &lt;a href=&quot;/users/5/ann&quot;&gt;Ann&lt;/a&gt;,&#xA;&lt;a href=&quot;#top&quot;&gt;top&lt;/a&gt; and &lt;img src=&quot;//i.example.net/a.png&quot; alt=&quot;plot&quot;&gt;.&lt;/p&gt;" />
</posts>
"""


def test_site_relative_links_resolve_against_the_site(tmp_path):
    folder = tmp_path / "datascience.meta.stackexchange.com"
    folder.mkdir()
    (folder / "Posts.xml").write_text(RELATIVE_LINKS, encoding="utf-8")
    body = stackexchange.read(ImportRequest(load_documents(folder))).opening_post.body
    assert body == (
        '<p>See the <a href="https://datascience.meta.stackexchange.com/questions/tagged/faq">FAQ</a>, '
        '<a href="https://datascience.meta.stackexchange.com/users/5/ann">Ann</a>,\n'
        'top and <a href="https://i.example.net/a.png">[image: plot]</a>.</p>'
    )
    unknown = read(SourceDocument("Posts.xml", RELATIVE_LINKS.encode())).opening_post.body
    # no site: site-relative links are text; a protocol-relative image is read over https
    assert unknown == '<p>See the FAQ, Ann,\ntop and <a href="https://i.example.net/a.png">[image: plot]</a>.</p>'


def test_values_that_are_no_date_or_number_are_kept_or_reported():
    data = DUMP_POSTS.replace('CreationDate="2020-05-01T09:30:00.500" Score="2"', 'CreationDate="not a date" Score="abc"')
    data = data.replace('ViewCount="88"', 'ViewCount="many"').replace('AnswerCount="4"', 'AnswerCount="-4"', 1)
    thread = read(SourceDocument("Posts.xml", data.encode()))
    odd = thread.reply("11")
    assert odd.posted_at is None and odd.posted_at_text == "not a date"
    assert odd.engagement.score is None and thread.opening_post.engagement.reads is None
    assert thread.total_replies is None and thread.opening_post.engagement.replies is None
    assert thread.import_notes[:4] == (
        "post 10: AnswerCount='-4' is not a count; left out",
        "post 10: ViewCount='many' is not a count; left out",
        "post 11: CreationDate='not a date' is not a date; kept as written",
        "post 11: Score='abc' is not a whole number; left out",
    )
    assert_round_trip(thread)


DELETED_POSTS = """<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="20" PostTypeId="1" AcceptedAnswerId="22" CreationDate="2020-05-01T08:00:00.000" Score="3" Body="&lt;p&gt;Rye or wheat?&lt;/p&gt;" OwnerUserId="3" Title="Rye or wheat starter?" AnswerCount="2" />
  <row Id="21" PostTypeId="2" ParentId="20" CreationDate="2020-05-01T09:00:00.000" Score="1" Body="&lt;p&gt;Rye.&lt;/p&gt;" OwnerUserId="5" />
  <row Id="22" PostTypeId="2" ParentId="20" CreationDate="2020-05-01T10:00:00.000" Score="0" DeletionDate="2020-06-06T00:00:00.000" />
  <row Id="23" PostTypeId="2" ParentId="20" CreationDate="2020-05-01T11:00:00.000" Score="0" Body="" OwnerUserId="6" />
  <row Id="30" PostTypeId="1" CreationDate="2020-05-05T00:00:00.000" Score="0" DeletionDate="2020-06-07T12:00:00.000" Title="Rye starter smells" />
  <row Id="31" PostTypeId="2" ParentId="30" CreationDate="2020-05-06T00:00:00.000" Score="0" DeletionDate="2020-06-07T12:00:00.000" />
</posts>
"""


def test_deleted_answers_are_skipped_and_empty_bodies_noted():
    doc = SourceDocument("Posts.xml", DELETED_POSTS.encode())
    thread = read(doc)  # the only question not deleted: no selector needed
    assert thread.id == "20"
    assert [r.id for r in thread.replies] == ["21", "23"]
    assert thread.reply("23").body == ""
    assert thread.import_notes[:3] == (
        "1 deleted answer(s) skipped (rows with a DeletionDate)",
        "the accepted answer 22 was deleted",
        "1 answer(s) have an empty Body and are imported without text: 23",
    )
    assert read(doc, thread="Rye").id == "20"  # the deleted namesake does not make it ambiguous
    assert_round_trip(thread)


def test_a_deleted_question_is_refused_and_marked_in_listings():
    doc = SourceDocument("Posts.xml", DELETED_POSTS.encode())
    for selector in ("30", "31", "smells"):
        with pytest.raises(SourceError) as error:
            read(doc, thread=selector)
        assert error.value.message == "question 30 was deleted on 2020-06-07: the dump keeps no text of deleted posts"
        assert error.value.fix == "choose a question that is not deleted with --thread ID, its URL, or a part of its title"
    with pytest.raises(SourceError) as error:
        read(doc, thread="bread")
    assert error.value.message.endswith(
        '  20 "Rye or wheat starter?" (2 answer(s))\n  30 "Rye starter smells" (deleted on 2020-06-07)')
    only_deleted = DELETED_POSTS.split("\n")
    only_deleted = "\n".join(only_deleted[:2] + only_deleted[6:])
    with pytest.raises(SourceError, match="question 30 was deleted on 2020-06-07"):
        read(SourceDocument("Posts.xml", only_deleted.encode()))


def test_question_url_on_another_site_than_the_dump_is_refused(tmp_path):
    folder = tmp_path / "ru.stackoverflow.com"
    folder.mkdir()
    (folder / "Posts.xml").write_text(DUMP_POSTS, encoding="utf-8")
    with pytest.raises(SourceError) as error:
        stackexchange.read(ImportRequest(load_documents(folder), thread="https://stackoverflow.com/questions/10/x"))
    assert "on stackoverflow.com, but this dump is ru.stackoverflow.com's" in error.value.message
    assert "question URL on ru.stackoverflow.com" in error.value.fix
    thread = stackexchange.read(ImportRequest(load_documents(folder), thread="https://ru.stackoverflow.com/q/10"))
    assert thread.url == "https://ru.stackoverflow.com/questions/10"


# ---------------------------------------------------------------------------- fuzzing

SEEDS = [DUMP_POSTS.encode(), DUMP_POSTS.replace('Id="13"', 'Id="11"').encode()]


def mutated():
    """Broken dumps: stray quotes and attributes inside the one-line <row> elements."""
    return mutated_bytes(SEEDS, [b'"', b"<", b"&", b' PostTypeId="1"', b' Score="x"'], max_delete=120)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=600), mutated()), st.sampled_from([None, "10", "bread", "13", "https://x.stackexchange.com/q/10"]))
def test_only_source_errors_escape(data, selector):
    only_source_errors(stackexchange, [SourceDocument("fuzz/Posts.xml", data)], selector)


# ---------------------------------------------------------------------------- memory

def _big_dump(questions: int, body: str) -> bytes:
    rows = []
    for n in range(1, 3 * questions, 3):
        rows.append(f'<row Id="{n}" PostTypeId="1" CreationDate="2012-01-01T00:00:00.000" Body="{body}" '
                    f'OwnerUserId="{n}" Title="Question {n}" AnswerCount="2" />')
        rows += [f'<row Id="{n + k}" PostTypeId="2" ParentId="{n}" CreationDate="2012-01-01T00:0{k}:00.000" '
                 f'Body="{body}" OwnerUserId="{n + k}" />' for k in (1, 2)]
    return ('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n' + "\n".join(rows) + "\n</posts>\n").encode()


def test_only_the_chosen_threads_bodies_are_kept_in_memory():
    """Choosing a question reads ids and titles only; bodies are read for the chosen thread."""
    data = _big_dump(300, "&lt;p&gt;" + "Lorem ipsum dolor sit amet. " * 150 + "&lt;/p&gt;")
    tracemalloc.start()
    try:
        thread = read(SourceDocument("Posts.xml", data), "301")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r.id for r in thread.replies] == ["302", "303"] and thread.opening_post.body.startswith("<p>Lorem")
    assert peak < len(data) / 4, (peak, len(data))  # keeping every row's Body took more than the file's size


def test_control_characters_in_a_dump_are_removed_with_a_note_and_lose_no_row():
    """The 2024 apple.stackexchange.com dump holds ``&#x0E;``: XML forbids it, and every row
    after it used to be lost."""
    data = DUMP_POSTS.replace("Moisture loss, mostly.", "Moisture&#x0E; loss, mostly.").replace("Wiki summary.", "Wiki\x08 summary.")
    thread = read(SourceDocument("Posts.xml", data.encode()))
    assert [r.id for r in thread.replies] == ["13", "11", "14"]  # all rows, as without the characters
    assert thread.reply("11").body == "<p>Moisture loss, mostly.</p>" and thread.reply("14").body == "<p>Wiki summary.</p>"
    assert thread.import_notes[0] == "removed 2 control character(s) that XML does not allow from Posts.xml"
    cut = data[: data.index("<row Id=\"14\"") + 30]  # a character error, then the file is cut short
    broken = read(SourceDocument("Posts.xml", cut.encode()))
    assert [r.id for r in broken.replies] == ["13", "11"] and broken.partial
    assert broken.import_notes[0] == "removed 1 control character(s) that XML does not allow from Posts.xml"
    assert broken.import_notes[1].startswith("Posts.xml is not well-formed XML from line 6")


def test_a_dump_folder_without_posts_xml_says_so(tmp_path):
    (tmp_path / "Users.xml").write_text(DUMP_USERS, encoding="utf-8")
    (tmp_path / "Posts.csv").write_text("Id,Body\n1,Hello\n", encoding="utf-8")
    documents = load_documents(tmp_path)
    with pytest.raises(SourceError) as error:
        stackexchange.read(ImportRequest(documents))
    assert error.value.message == (
        "no Posts.xml here: Users.xml (<users>) holds another table of the dump; the questions and answers are in Posts.xml"
    )
    assert error.value.fix == "point at Posts.xml, or at a dump folder that holds it (extract it from the site's .7z)"


def test_a_csv_table_other_than_posts_says_where_the_posts_are():
    comments = SourceDocument("Comments.csv", b'Id,PostId,Score,Text,CreationDate,UserId\n1,10,0,"Nice",2020-01-01T10:00:00.000,3\n')
    users = SourceDocument("Users.csv", b"Id,DisplayName,Reputation\n3,Ann,10\n")
    with pytest.raises(SourceError) as error:
        stackexchange.read(ImportRequest((comments, users)))
    assert error.value.message == ("no posts table here: Comments.csv (the comments table), Users.csv (the users table) hold other tables "
                                   "of the dump; the questions and answers are in its posts table (Posts.csv)")
    assert error.value.fix == "point at Posts.csv (or the dump's Posts.xml), or at a folder that holds it"


def test_a_closed_question_is_noted():
    data = DUMP_POSTS.replace('AnswerCount="4"', 'AnswerCount="3" ClosedDate="2020-06-01T10:00:00.000"')
    thread = read(SourceDocument("Posts.xml", data.encode()))
    assert "the question was closed on 2020-06-01 (ClosedDate): it takes no new answers" in thread.import_notes
    assert not any("closed" in note for note in read(SourceDocument("Posts.xml", DUMP_POSTS.encode())).import_notes)


def _two_questions() -> SourceDocument:
    """DUMP_POSTS with a second question whose title holds the numbers 15, 16 and 99."""
    second = (
        '  <row Id="20" PostTypeId="1" CreationDate="2020-06-01T08:00:00.000" Score="1" Body="&lt;p&gt;Rye?&lt;/p&gt;" '
        'OwnerUserId="3" Title="Rye at 15, 16 or 99 percent?" AnswerCount="0" />\n</posts>'
    )
    return SourceDocument("Posts.xml", DUMP_POSTS.replace("</posts>", second).encode())


@pytest.mark.parametrize(
    "selector, reason",
    [
        ("15", "post 15 is a tag wiki excerpt (PostTypeId 4), not a question or an answer"),
        ("https://cooking.stackexchange.com/questions/99/rye", "no question or answer has Id 99 in this dump (it may be newer "
         "than the dump, or deleted); a number is read as an Id, never as a part of a title"),
        ("16", "no question or answer has Id 16 in this dump (it may be newer than the dump, or deleted); "
         "a number is read as an Id, never as a part of a title"),
    ],
)
def test_a_number_is_an_id_and_never_picks_a_question_by_its_title(selector, reason):
    with pytest.raises(SourceError) as error:
        read(_two_questions(), selector)
    assert error.value.message == (
        f'{reason}; the questions are:\n  10 "Why does bread go stale?" (3 answer(s))\n  20 "Rye at 15, 16 or 99 percent?" (0 answer(s))'
    )
    assert read(_two_questions(), "99 percent").id == "20"  # words with it are a part of a title


def test_an_answer_whose_question_the_dump_lacks_is_refused_naming_it():
    data = _two_questions().data.replace(b'<row Id="10" PostTypeId="1"', b'<row Id="10" PostTypeId="5"')
    with pytest.raises(SourceError) as error:
        read(SourceDocument("Posts.xml", data), "13")
    assert error.value.message == "post 13 is an answer to question 10, which is not in this dump"


# ---------------------------------------------------------------------------- comments

COMMENTED_POSTS = """<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="20" PostTypeId="1" CreationDate="2021-03-01T08:00:00.000" Score="4" Body="&lt;p&gt;Is rye bread better toasted?&lt;/p&gt;" OwnerUserId="3" Title="Toasting rye" AnswerCount="2" CommentCount="1" CommunityOwnedDate="2021-03-01T08:00:00.000" />
  <row Id="21" PostTypeId="2" ParentId="20" CreationDate="2021-03-01T09:00:00.000" Score="6" Body="&lt;p&gt;Yes, lightly.&lt;/p&gt;" OwnerUserId="5" CommentCount="2" />
  <row Id="22" PostTypeId="2" ParentId="20" CreationDate="2021-03-01T10:00:00.000" Score="1" Body="&lt;p&gt;No.&lt;/p&gt;" OwnerUserId="3" CommentCount="1" CommunityOwnedDate="2021-03-02T10:00:00.000" />
  <row Id="30" PostTypeId="1" CreationDate="2021-04-01T08:00:00.000" Score="0" Body="&lt;p&gt;Other.&lt;/p&gt;" OwnerUserId="3" Title="Another question" AnswerCount="0" CommentCount="1" />
</posts>
"""
COMMENTS = """<?xml version="1.0" encoding="utf-8"?>
<comments>
  <row Id="501" PostId="21" Score="3" Text="@Hanna see [the guide](https://cooking.stackexchange.com/q/1) and use `toast &lt; 3min`; it's *really* **crisp** then, http://example.org/rye_bread_tips" CreationDate="2021-03-01T09:30:00.000" UserId="3" ContentLicense="CC BY-SA 4.0" />
  <row Id="502" PostId="20" Score="0" Text="Which rye, light or dark?" CreationDate="2021-03-01T08:10:00.000" UserDisplayName="gone_user" ContentLicense="CC BY-SA 4.0" />
  <row Id="503" PostId="30" Score="0" Text="Not this thread." CreationDate="2021-04-01T08:10:00.000" UserId="5" ContentLicense="CC BY-SA 4.0" />
  <row Id="504" PostId="21" Score="0" Text="Thanks, Hanna." CreationDate="2021-03-01T09:20:00.000" UserId="5" ContentLicense="CC BY-SA 4.0" />
</comments>
"""


def commented_dump(tmp_path, comments: str = COMMENTS):
    folder = tmp_path / "cooking.stackexchange.com"
    folder.mkdir()
    (folder / "Posts.xml").write_text(COMMENTED_POSTS, encoding="utf-8")
    (folder / "Users.xml").write_text(DUMP_USERS, encoding="utf-8")
    (folder / "Comments.xml").write_text(comments, encoding="utf-8")
    (folder / "PostHistory.xml").write_text('<?xml version="1.0" encoding="utf-8"?>\n<posthistory>\n  <row Id="1" PostId="20" Text="old" />\n</posthistory>\n')
    return load_documents(folder)


def test_a_dump_folders_comments_answer_their_posts(tmp_path):
    """Comments.xml beside Posts.xml: each comment under its post (the question's answer the
    thread), with its score, its author (a deleted account's UserDisplayName) and its
    Markdown (code, links, emphasis) as HTML; PostHistory.xml is not read."""
    documents = commented_dump(tmp_path)
    assert sorted(d.name.rsplit("/", 1)[-1] for d in documents) == ["Comments.xml", "Posts.xml", "Users.xml"]
    thread = stackexchange.read(ImportRequest(documents, thread="20"))
    assert [(r.id, r.author, r.parent_id, r.engagement.score) for r in thread.replies] == [
        ("comment-502", "gone_user", None, 0),
        ("21", "Dr. Crumb", None, 6), ("comment-504", "Dr. Crumb", "21", 0), ("comment-501", "Hanna", "21", 3),
        ("22", "Hanna", None, 1),
    ]
    linked = thread.reply("comment-501")
    assert linked.body == (
        '<p>@Hanna see <a href="https://cooking.stackexchange.com/q/1">the guide</a> and use <code>toast &lt; 3min</code>; '
        "it's <em>really</em> <strong>crisp</strong> then, "
        '<a href="http://example.org/rye_bread_tips">http://example.org/rye_bread_tips</a></p>'
    )
    assert linked.permalink == "https://cooking.stackexchange.com/questions/20#comment501_21"
    assert linked.posted_at == utc(2021, 3, 1, 9, 30) and [m.name for m in linked.mentions] == ["Hanna"]
    assert thread.total_replies == 6 and thread.partial  # 2 answers + 4 comments counted; answer 22's comment is missing
    assert thread.import_notes == (
        "the posts have 4 comments (CommentCount), Comments.xml holds 3 of them",
        "the question and 1 answer(s) (22) are community wiki (CommunityOwnedDate): written by many, shown under the first author",
    )
    assert_round_trip(thread)


def test_comments_xml_cut_short_keeps_the_comments_before_the_break(tmp_path):
    cut = COMMENTS[:COMMENTS.index('<row Id="503"') + 20]
    thread = stackexchange.read(ImportRequest(commented_dump(tmp_path, cut), thread="20"))
    assert [r.id for r in thread.replies] == ["comment-502", "21", "comment-501", "22"] and thread.partial
    assert thread.import_notes[0].startswith("Comments.xml is not well-formed XML from line 5")
    assert thread.import_notes[0].endswith("so only the 2 row(s) before it were read; comments after it are missing")


def _as_csv(table_xml: str, *, floats: bool = False) -> str:
    """A dump table as pandas' ``read_xml(...).to_csv(index=False)`` writes it: one column per
    attribute, empty cells for absent ones, and ids as ``12.0`` in a column with empty cells."""
    import csv
    import io
    import xml.etree.ElementTree as ET

    rows = [row.attrib for row in ET.fromstring(table_xml.split("?>", 1)[1]).iter("row")]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") + (".0" if floats and c.endswith("Id") and row.get(c, "").isdigit() else "") for c in columns])
    return out.getvalue()


def test_a_dump_converted_to_csv_reads_like_the_xml(tmp_path):
    folder = tmp_path / "cooking.stackexchange.com"
    folder.mkdir()
    (folder / "Posts.csv").write_text(_as_csv(DUMP_POSTS, floats=True), encoding="utf-8")
    (folder / "Users.csv").write_text(_as_csv(DUMP_USERS), encoding="utf-8")
    documents = load_documents(folder)
    assert stackexchange.sniff(documents[0]) and stackexchange.sniff(documents[1])
    thread = stackexchange.read(ImportRequest(documents))
    xml_folder = tmp_path / "xml" / "cooking.stackexchange.com"
    xml_folder.mkdir(parents=True)
    (xml_folder / "Posts.xml").write_text(DUMP_POSTS, encoding="utf-8")
    (xml_folder / "Users.xml").write_text(DUMP_USERS, encoding="utf-8")
    from_xml = stackexchange.read(ImportRequest(load_documents(xml_folder)))
    assert thread.replies == from_xml.replies and thread.opening_post == from_xml.opening_post
    assert thread.author == "Hanna" and thread.reply("13").engagement.items() == {"score": 12, "accepted": 1}
    assert thread.import_notes == ("read Posts.csv, a CSV copy of the dump's posts table",
                                   "read Users.csv, a CSV copy of the dump's users table", *from_xml.import_notes)


def test_a_csv_table_cut_short_keeps_the_rows_before_the_cut():
    text = _as_csv(DUMP_POSTS)
    last_line = text.rindex("\n", 0, len(text) - 1) + 1
    cut = text[: last_line + 20]  # inside the last row
    thread = stackexchange.read(ImportRequest((SourceDocument("Posts.csv", cut.encode()),), thread="10"))
    assert thread.partial and thread.id == "10"
    assert thread.import_notes[1] == ("Posts.csv breaks at line 7 (4 cells where the header names 14): only the 4 "
                                      "row(s) before it were read; answers after it are missing")


def test_a_data_explorer_csv_of_posts_rows_is_a_thread():
    """Data Explorer's "Download CSV": every cell quoted, CRLF lines, times with a space."""
    header = '"Id","PostTypeId","AcceptedAnswerId","ParentId","CreationDate","Score","Body","OwnerUserId","Title","AnswerCount"'
    rows = ['"5","1","7","","2010-10-12 19:01:52","12","<p>Как?</p>","10","Как преобразовать строку?","1"',
            '"7","2","","5","2010-10-12 19:05:00","20","<p>Так, ""int.Parse"".</p>","11","",""']
    doc = SourceDocument("QueryResults.csv", "\r\n".join([header, *rows, ""]).encode())
    assert stackexchange.sniff(doc)
    thread = stackexchange.read(ImportRequest((doc,)))
    assert (thread.id, thread.title, thread.partial) == ("5", "Как преобразовать строку?", False)
    answer = thread.reply("7")
    assert (answer.body, answer.posted_at, answer.engagement.items()) == (
        '<p>Так, "int.Parse".</p>', utc(2010, 10, 12, 19, 5), {"score": 20, "accepted": 1})


CLOSED_WITH_COMMENTS_ONLY = """<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="9" PostTypeId="1" CreationDate="2014-03-13T21:21:58.587" Score="17" ViewCount="222" Body="&lt;p&gt;What are some good simple examples that getting the right result is not enough?&lt;/p&gt;&#xA;" OwnerUserId="43" Title="Right result, wrong reasoning" AnswerCount="0" CommentCount="17" ClosedDate="2014-03-15T00:03:53.977" />
  <row Id="12" PostTypeId="1" CreationDate="2014-03-13T21:40:30.170" Score="19" Body="&lt;p&gt;A calculus book that uses differentials?&lt;/p&gt;" OwnerUserId="38" Title="Differentials" AnswerCount="1" CommentCount="0" />
  <row Id="13" PostTypeId="2" ParentId="12" CreationDate="2014-03-13T22:00:00.000" Score="3" Body="&lt;p&gt;Keisler.&lt;/p&gt;" OwnerUserId="40" CommentCount="2" />
</posts>
"""


def test_posts_alone_count_the_comments_they_lack_as_replies_at_the_source():
    """Without Comments.xml the thread shows no comment, yet the posts count theirs: the thread
    is partial and its total holds them, so the digest says how many replies it does not show."""
    doc = SourceDocument("matheducators.stackexchange.com/Posts.xml", CLOSED_WITH_COMMENTS_ONLY.encode())
    closed = read(doc, "9")
    assert (closed.replies, closed.total_replies, closed.partial) == ((), 17, True)
    assert closed.import_notes[-1] == (
        "the posts have 17 comment(s) (CommentCount), which the dump keeps in Comments.xml: import the dump folder that holds it to include them"
    )
    answered = read(doc, "12")
    assert [r.id for r in answered.replies] == ["13"]
    assert (answered.total_replies, answered.partial) == (3, True)  # its answer and the answer's 2 comments


def test_a_question_looked_for_in_a_csv_cut_short_is_refused_naming_the_break():
    text = _as_csv(DUMP_POSTS)
    last_line = text.rindex("\n", 0, len(text) - 1) + 1
    cut = SourceDocument("Posts.csv", text[: last_line + 20].encode())
    with pytest.raises(SourceError) as error:
        stackexchange.read(ImportRequest((cut,), thread="999"))
    assert error.value.message.endswith(
        "(Posts.csv breaks at line 7 (4 cells where the header names 14); only the 4 row(s) before it were read)")
    assert error.value.where == "Posts.csv, line 7"
    assert error.value.fix.startswith("export the table to CSV again, or use the dump's XML file; or choose the question")


SAMPLE_QUESTIONS = (
    'Id,OwnerUserId,CreationDate,ClosedDate,Score,Title,Body\n'
    '80,26,2008-08-01T13:57:07Z,NA,26,SQLStatement.execute() - multiple queries in one statement,'
    '"<p>I want to run my script:</p>\n\n<pre><code>Create Table tRole (\n      roleID integer\n);\n</code></pre>\n"\n'
    '90,NA,2008-08-01T14:41:24Z,2012-12-26T03:45:49Z,144,Good branching tutorials for TortoiseSVN?,'
    '"<p>Any good tutorials on branching in caf\xe9s?</p>\n"\n'
).encode("cp1252")
SAMPLE_ANSWERS = (
    'Id,OwnerUserId,CreationDate,ParentId,Score,IsAcceptedAnswer,Body\n'
    '92,61,2008-08-01T14:45:37Z,90,13,False,"<p>Version Control for Engineers, chapter 5.</p>\n"\n'
    '124,26,2008-08-01T16:09:47Z,80,12,False,"<p>I wound up using this.</p>\n"\n'
    '269,91,2008-08-01T18:54:39Z,90,4,True,"<p>My click-by-click instructions.</p>\n"\n'
).encode()


def test_a_kaggle_sample_of_questions_and_answers_reads_as_the_posts_table(tmp_path):
    """Kaggle's Stack Overflow samples (StackSample, Python and R questions) share the posts
    table as Questions.csv and Answers.csv, without PostTypeId, with R's NA for absent values,
    IsAcceptedAnswer instead of AcceptedAnswerId, and Latin-1 bytes in the text."""
    (tmp_path / "Questions.csv").write_bytes(SAMPLE_QUESTIONS)
    (tmp_path / "Answers.csv").write_bytes(SAMPLE_ANSWERS)
    (tmp_path / "Tags.csv").write_text("Id,Tag\n80,flex\n90,svn\n", encoding="utf-8")
    documents = load_documents(tmp_path)
    assert stackexchange.sniff(next(d for d in documents if d.name.endswith("Answers.csv")))
    thread = stackexchange.read(ImportRequest(documents, thread="90"))
    assert (thread.title, thread.author, thread.url) == ("Good branching tutorials for TortoiseSVN?", "anonymous", "https://stackoverflow.com/questions/90")
    assert thread.opening_post.body == "<p>Any good tutorials on branching in cafés?</p>"
    assert [(r.id, r.engagement.score, r.engagement.accepted) for r in thread.replies] == [("92", 13, 0), ("269", 4, 1)]
    assert not thread.partial and thread.total_replies is None  # the sample gives no AnswerCount
    assert thread.import_notes == (
        "read Questions.csv and Answers.csv, the questions and answers of a Stack Overflow sample as Kaggle shares them, "
        "as the dump's posts table",
        "1 line(s) of Questions.csv are not valid UTF-8 (first line 9); read as Windows-1252 (Latin-1), the usual cause, "
        "so check accented letters and quotes there",
        "the files do not name their site; links point to stackoverflow.com, which Kaggle's samples of this layout are taken from",
        "the question was closed on 2012-12-26 (ClosedDate): it takes no new answers",
    )
    code = stackexchange.read(ImportRequest(documents, thread="80"))
    assert code.opening_post.body.endswith("<pre><code>Create Table tRole (\n      roleID integer\n);\n</code></pre>")
    assert [r.id for r in code.replies] == ["124"] and code.reply("124").engagement.accepted is None  # none accepted


def test_questions_csv_alone_is_the_question_without_its_answers():
    doc = SourceDocument("Questions.csv", SAMPLE_QUESTIONS)
    thread = stackexchange.read(ImportRequest((doc,), thread="80"))
    assert thread.replies == () and thread.partial
    assert ("no Answers.csv was given (import the folder that holds it beside Questions.csv): the question is imported "
            "without its answers") in thread.import_notes


def test_answers_csv_alone_is_refused_naming_questions_csv():
    with pytest.raises(SourceError) as error:
        stackexchange.read(ImportRequest((SourceDocument("sample/Answers.csv", SAMPLE_ANSWERS),)))
    assert error.value.message == (
        "Answers.csv holds the answers of a Stack Overflow sample; the questions they answer are in Questions.csv")
    assert error.value.fix == "import the folder that holds Questions.csv and Answers.csv"


@pytest.mark.parametrize("label", ["utf-16", "UTF-32"])
def test_a_dump_declaring_utf16_in_single_bytes_is_read_as_utf8_and_said(label):
    """A declaration that reads as ASCII cannot be in UTF-16 or UTF-32: the parser would stop
    at its first byte ("Blank needed here"); the file is UTF-8 as every other dump."""
    data = DUMP_POSTS.replace('encoding="utf-8"', f'encoding="{label}"', 1).replace("Moisture loss, mostly.", "Moisture — café loss.")
    assert f'encoding="{label}"' in data
    thread = read(SourceDocument("Posts.xml", data.encode()))
    assert [r.id for r in thread.replies] == ["13", "11", "14"] and thread.reply("11").body == "<p>Moisture — café loss.</p>"
    assert thread.import_notes[0] == (f"Posts.xml: the file declares the encoding {label}, but is written one byte a character, "
                                      f"as {label} never is; read as UTF-8")
    utf16 = read(SourceDocument("Posts.xml", data.lstrip("\ufeff").replace(label, "utf-16").encode("utf-16")))  # really UTF-16: as declared
    assert thread.reply("11").body == utf16.reply("11").body and not any("declares" in note for note in utf16.import_notes)
