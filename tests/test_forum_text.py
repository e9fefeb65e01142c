"""The seed importer: the plain-text forum export the project started from."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from digest.sources import ImportRequest, SourceDocument, detect, forum_text, import_thread, load_documents
from digest.sources.canonical import dumps, loads
from digest.sources.common import find_mentions
from digest.errors import SourceError
from tests.conftest import ROOT

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

GOLDEN = ROOT / "tests" / "golden" / "kasama-thread.json"
RETRIEVED = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _import_text(text: str, thread: str | None = None):
    return _import_text_bytes(text.encode(), thread)


def _import_text_bytes(data: bytes, thread: str | None = None):
    request = ImportRequest((SourceDocument("inline.txt", data),), retrieved_at=RETRIEVED, thread=thread)
    return import_thread(request, "forum-text")


def test_seed_matches_hand_checked_golden(seed_file):
    thread = import_thread(ImportRequest(load_documents(seed_file), retrieved_at=RETRIEVED), "auto")
    assert dumps(thread) == GOLDEN.read_text(encoding="utf-8"), "run `make golden` and review the diff"


def test_seed_facts(seed_file):
    """The facts the golden file was checked against, stated so a regeneration can't hide them."""
    thread = import_thread(ImportRequest(load_documents(seed_file)), "auto")
    assert thread.source_format == "forum-text"
    assert [r.author for r in thread.replies] == [
        "red", "Liam Wright", "Liam Wright", "Dan Damage", "Red Sun Rising",
        "Stephanie McMillan", "Dan Damage", "Red Sun Rising", "dodge", "Dan Damage",
    ]
    ids = [r.id for r in thread.replies]
    parents = [ids.index(r.parent_id) if r.parent_id else None for r in thread.replies]
    # "•" nests under the previous top-level reply.
    assert parents == [None, None, 1, None, 3, None, None, 6, 6, None]
    assert thread.url == "http://kasamaproject.org/communist-organization/3253-85dead-ends-road-maps-building-a-new-socialist-movement"
    assert thread.note.startswith("Note by Ben: (1) URL Jordan gave no longer works")
    assert thread.partial and thread.total_replies is None
    assert thread.replies[3].posted_at_text == "about 3 years ago"
    assert "about 3 years ago" not in thread.replies[3].body
    dan = thread.replies[3].body
    # A URL hard-wrapped mid-word is re-joined, entities decoded once.
    assert 'href="http://www.newsocialist.org/index.php?option=com_content&amp;view=article&amp;id=95&amp;Itemid=90"' in dan
    assert "mini-mass organizations" in dan and "micro-empire[s]" in dan
    red_sun = thread.replies[4]
    assert red_sun.body.count("<blockquote>") == 5
    assert [m.text for m in red_sun.mentions] == ["@Red Fly #52", "@Dan Damage #27", "@Dan Damage", "#53"]
    assert all(m.reply_id is None for r in thread.replies for m in r.mentions), "no comment numbers in the export: nothing resolves"
    # An unclosed <i> ends with its paragraph instead of italicising the rest of the reply.
    liam = thread.replies[1].body
    assert "<em> should we use to understand our concrete conditions" in liam
    assert liam.count("<em>") == liam.count("</em>")
    assert "<hr>" in liam
    last = thread.replies[9].body
    assert last.count("<li>") == 9 and "<ul>" in last


def test_reflow_rules():
    thread = _import_text(
        "Guest - Ann\n"
        "first line ends with a space \n\nand continues; a word broken at road-\n\nmaps joins.\n \n"
        "New paragraph with <b>bold</b> &amp; <i>open italics\n"
        "-----\n"
        "- item one \n- item two\n"
        "about 2 days ago\n"
    )
    (reply,) = thread.replies
    assert reply.posted_at_text == "about 2 days ago"
    assert reply.body == (
        "<p>first line ends with a space and continues; a word broken at road-maps joins.</p>"
        "<p>New paragraph with <strong>bold</strong> &amp; <em>open italics</em></p>"
        "<hr><ul><li>item one</li><li>item two</li></ul>"
    )


def test_untrusted_html_is_sanitized():
    thread = _import_text('Guest - Mallory\n<script>alert(1)</script> <a href="javascript:alert(1)">x</a> <img src=x onerror=alert(1)>\n')
    body = thread.replies[0].body
    assert "<script" not in body and "<img" not in body and "href=\"javascript" not in body
    # <script> is no formatting tag: it stays visible text; the image becomes a label.
    assert body == "<p>&lt;script&gt;alert(1)&lt;/script&gt; x [image]</p>"


def test_ids_are_stable_and_not_positional():
    a = _import_text("Guest - Ann\nHello there.\nGuest - Bob\nHi Ann.\n")
    b = _import_text("Guest - Zed\nFirst!\nGuest - Ann\nHello there.\nGuest - Bob\nHi Ann.\n")
    assert [r.id for r in a.replies] == [r.id for r in b.replies[1:]]


def test_nested_reply_without_parent_is_reported():
    thread = _import_text("• Guest - Ann\norphan\n")
    assert thread.replies[0].parent_id is None
    assert any("no reply above it" in note for note in thread.import_notes)


def test_stray_windows_1252_bytes_in_utf8_are_read_as_such_with_a_note_naming_the_line():
    """A quote pasted from Word (0x92) in a UTF-8 export: re-encoding the whole file from
    Windows-1252 would garble its other accented letters, so only the stray bytes are read so."""
    thread = _import_text_bytes(b"Guest - Ann\nIt\x92s caf\xc3\xa9 time.\n")
    assert thread.replies[0].body == "<p>It\u2019s caf\u00e9 time.</p>"
    assert thread.import_notes == (
        "1 piece(s) of text are not valid UTF-8, the export's encoding (first at line 2); "
        "read as Windows-1252 (Latin-1), the usual cause, so check accented letters and quotes there",
    )


def test_no_headers_is_a_clear_error():
    with pytest.raises(SourceError, match="no reply headers"):
        _import_text("just some text\n")


def test_detected_by_content():
    assert detect(ImportRequest((SourceDocument("x.dat", b"Intro\nGuest - Ann\nhi\n"),))) == "forum-text"


def test_golden_round_trips_through_canonical_json():
    text = GOLDEN.read_text(encoding="utf-8")
    assert dumps(loads(text, "golden")) == text
    assert len(json.loads(text)["replies"]) == 10


def test_mentions_name_and_number_with_or_without_a_slash_between():
    found = find_mentions("@Scott/#58 and @Red Sun #52 agree", numbers={58: "c58", 52: "c52"})
    assert [(m.name, m.number, m.reply_id, m.text) for m in found] == [
        ("Scott", 58, "c58", "@Scott/#58"), ("Red Sun", 52, "c52", "@Red Sun #52"),
    ]


# ---------------------------------------------------------------------------- files without trailing spaces

def test_seed_with_trailing_spaces_stripped_imports_the_same(seed_file):
    """Editors and git strip trailing spaces: the seed's wrap rule is then unreadable, its
    double spacing still tells wraps (one blank line) from paragraphs (more)."""
    stripped = "\n".join(line.rstrip(" \t") for line in seed_file.read_text(encoding="utf-8").splitlines())
    request = ImportRequest((SourceDocument(str(seed_file), stripped.encode()),), retrieved_at=RETRIEVED)
    assert dumps(import_thread(request, "forum-text")) == GOLDEN.read_text(encoding="utf-8")


def test_without_trailing_spaces_lines_join_with_a_space():
    thread = _import_text(
        "Guest - Ann\n"
        "First paragraph, one line as a browser copies it.\n\n"
        "Second paragraph was\nwrapped; a word broken at road-\nmaps joins, and so does\n"
        "http://example.org/index.php?option=com_conte\nnt&amp;view=1 but not http://example.org/a\nthis word.\n\n"
        "- item one\n\n- item two\n"
        "about 3 years ago\n"
    )
    (reply,) = thread.replies
    assert reply.posted_at_text == "about 3 years ago"
    assert reply.body == (
        "<p>First paragraph, one line as a browser copies it.</p>"
        "<p>Second paragraph was wrapped; a word broken at road-maps joins, and so does "
        '<a href="http://example.org/index.php?option=com_content&amp;view=1">http://example.org/index.php?option=com_content&amp;view=1</a>'
        ' but not <a href="http://example.org/a">http://example.org/a</a> this word.</p>'
        "<ul><li>item one</li><li>item two</li></ul>"
    )


def test_double_spaced_file_without_trailing_spaces():
    wrapped = ["a line wrapped", "", "by the page", "", "and then", "", "double spaced", "", "by the copy", ""]
    lines = ["Guest - Ann", *wrapped, "", "", "New paragraph", "", "of it", "", "- item", "", "- item", ""]
    (reply,) = _import_text("\n".join(lines)).replies
    assert reply.body == (
        "<p>a line wrapped by the page and then double spaced by the copy</p><p>New paragraph of it</p>"
        "<ul><li>item</li><li>item</li></ul>"
    )


# ---------------------------------------------------------------------------- header variants

def test_header_dashes_bullets_and_time():
    thread = _import_text(
        "Guest - Ann about 2 years ago\nFirst.\n"
        "Guest – Bob\nen dash\n"
        "◦ Guest — Cy\nhollow bullet, em dash\n"
        "· Guest - Di\n* Guest - Ed\n- Guest - Flo\nhyphen bullet\n"
        "Guest - Gil\u00a0\nyesterday\n"
    )
    assert [(r.author, r.parent_id is not None, r.posted_at_text) for r in thread.replies] == [
        ("Ann", False, "about 2 years ago"), ("Bob", False, None), ("Cy", True, None),
        ("Di", True, None), ("Ed", True, None), ("Flo", True, None), ("Gil", False, "yesterday"),
    ]
    assert thread.replies[2].parent_id == thread.replies[1].id
    assert thread.replies[0].body == "<p>First.</p>"
    assert thread.import_notes == tuple(f"line {n}: reply by {a} has no text" for n, a in [(7, "Di"), (8, "Ed"), (11, "Gil")])
    twice = _import_text("Guest - Ann 2 years ago\nhi\nabout 3 years ago\n")
    assert twice.replies[0].posted_at_text == "2 years ago"
    assert twice.import_notes == (
        "line 1: reply by Ann gives two times, '2 years ago' on its header and 'about 3 years ago' below it; the header's is kept",
    )


def test_lost_headers_are_reported_by_line():
    thread = _import_text(
        "Guest - Ann\nFirst.\nabout 3 years ago\n"
        "Guest -\nwho wrote this?\nabout 2 years ago\n"
        "guest: Bob\nlast\n"
    )
    (reply,) = thread.replies  # nothing is guessed: the lines stay text, and are pointed at
    assert reply.body == "<p>First. about 3 years ago Guest - who wrote this? about 2 years ago guest: Bob last</p>"
    assert reply.posted_at_text is None
    assert thread.import_notes == (
        "line 3: 'about 3 years ago' inside the reply by Ann reads like a posting time; a reply header may be missing after it",
        "line 4: 'Guest -' looks like a reply header but has no name; it was kept as text, so a reply header may be missing",
        "line 6: 'about 2 years ago' inside the reply by Ann reads like a posting time; a reply header may be missing after it",
        "line 7: 'guest: Bob' looks like a reply header but is not written 'Guest - NAME'; it was kept as text, so a reply header may be missing",
    )


def test_other_inline_html_becomes_the_body_subset():
    thread = _import_text(
        "Guest - Ann \n"
        'Use <code>git log</code> and <pre>x = 1</pre> or <span style="color:red">red</span>, <s>not this</s> \n'
        '<img src="http://example.org/x.png" alt="chart"> and <i>open italics \n'
    )
    assert thread.replies[0].body == (
        "<p>Use <code>git log</code> and</p><pre>x = 1</pre>"
        '<p>or red, ~~not this~~ <a href="http://example.org/x.png">[image: chart]</a> and <em>open italics</em></p>'
    )


def test_sniffing_wants_two_headers_or_text_under_one():
    def sniffed(text: str) -> bool:
        return detect(ImportRequest((SourceDocument("x.md", text.encode()),))) == "forum-text"

    assert sniffed("Guest - Ann\nhi\n") and sniffed("Guest - Ann\n\nGuest – Bob\n")
    roles = "# Roles\n\nDefault roles:\n  • Admin - Administrative access\n  • Guest - Read-only access\n"
    with pytest.raises(SourceError, match="could not recognise"):
        sniffed(roles)
    with pytest.raises(SourceError, match="could not recognise"):
        sniffed(roles + "  • Auditor - Logs only\n")


def test_utf16_with_its_byte_order_mark_is_read():
    """Notepad saves "Unicode" as UTF-16 with a byte order mark: unambiguous, so read, not refused."""
    for encoding in ("utf-16-le", "utf-16-be"):
        data = "\ufeffGuest - René\nCafé\n".encode(encoding)
        request = ImportRequest((SourceDocument("u16.txt", data),))
        assert detect(request) == "forum-text"
        thread = import_thread(request, "forum-text")
        assert [(r.author, r.body) for r in thread.replies] == [("René", "<p>Café</p>")] and not thread.partial
    cut = import_thread(ImportRequest((SourceDocument("u16.txt", "\ufeffGuest - René\nCafé\n".encode("utf-16-le")[:-1]),)), "forum-text")
    assert cut.partial and cut.replies[0].body == "<p>Café</p>"


def test_a_pre_block_keeps_its_lines_in_every_layout():
    """Code pasted in a <pre> keeps its lines and indentation; the export's own blank lines
    (one after every line in the seed's layout) are not the code's."""
    seed_layout = "Guest - Ann \n\nLook: \n\n<pre>def f(): \n\n    return 1 \n\n \n\nprint(f())</pre> \n\n \n\nThanks. \n\nGuest - Ben \n\nOk. \n"
    plain = "Guest - Ann\nLook:\n<pre>def f():\n    return 1\n\nprint(f())</pre>\n\nThanks.\n\nGuest - Ben\nOk.\n"
    for text in (seed_layout, plain):
        body = _import_text(text).replies[0].body
        assert body == "<p>Look:</p><pre>def f():\n    return 1\n\nprint(f())</pre><p>Thanks.</p>"


# ---------------------------------------------------------------------------- stray trailing spaces

def test_one_trailing_space_does_not_switch_the_file_to_the_seed_wrap_rule():
    thread = _import_text(
        "Note by Ben: key replies only. \nhttp://example.org/thread\n\n"
        "Guest - Ana\nMy leeks bolted in May and I\nhave no idea why that\nhappened.\n\n"
        "Guest - Ben\nSow later, after the last\nfrost.\n"
    )
    assert [r.body for r in thread.replies] == [
        "<p>My leeks bolted in May and I have no idea why that happened.</p>",
        "<p>Sow later, after the last frost.</p>",
    ]
    assert (thread.note, thread.url) == ("Note by Ben: key replies only.", "http://example.org/thread")
    assert thread.import_notes == (
        "line 1: ends in a space, as only 1 of 7 text lines do: too few to mean that a line ending "
        "without one joins the next directly, so wrapped lines are joined with a space",
    )


def test_stripped_seed_with_one_trailing_space_still_imports_as_the_golden(seed_file):
    lines = [line.rstrip(" \t") for line in seed_file.read_text(encoding="utf-8").splitlines()]
    lines[0] += " "
    request = ImportRequest((SourceDocument(str(seed_file), "\n".join(lines).encode()),), retrieved_at=RETRIEVED)
    thread = import_thread(request, "forum-text")
    golden = loads(GOLDEN.read_text(encoding="utf-8"), "golden")
    assert thread.replies == golden.replies and thread.note == golden.note and thread.url == golden.url
    assert thread.import_notes[0].startswith("line 1: ends in a space, as only 1 of 621 text lines do")


# ---------------------------------------------------------------------------- comment numbers

NUMBERED_THREADS = {
    "before the header": "#51 Guest - Ana\nMy leeks bolted.\nabout 3 years ago\n#52 Guest - Ben\n@Ana #51 sow later.\n"
                         "about 3 years ago\n• Guest - Cleo #53\n@Ben #52 thanks! See also post #51.\nabout 3 years ago\n",
    "on the line above": "#51\nGuest - Ana\nMy leeks bolted.\nabout 3 years ago\n#52\nGuest - Ben\n@Ana #51 sow later.\n"
                         "about 3 years ago\n\n#53\n• Guest - Cleo\n@Ben #52 thanks! See also post #51.\nabout 3 years ago\n",
    "as a numbered list": "51. Guest - Ana\nMy leeks bolted.\nabout 3 years ago\n52) Guest - Ben about 3 years ago\n@Ana #51 sow later.\n"
                          "• 53. Guest - Cleo\n@Ben #52 thanks! See also post #51.\nabout 3 years ago\n",
}


@pytest.mark.parametrize("where", NUMBERED_THREADS)
def test_comment_numbers_are_reply_numbers_and_mentions_resolve_to_them(where):
    text = NUMBERED_THREADS[where]
    assert detect(ImportRequest((SourceDocument("x.txt", text.encode()),))) == "forum-text"
    thread = _import_text(text)
    ana, ben, cleo = thread.replies
    assert [(r.author, r.number, r.posted_at_text) for r in thread.replies] == [
        ("Ana", 51, "about 3 years ago"), ("Ben", 52, "about 3 years ago"), ("Cleo", 53, "about 3 years ago"),
    ]
    assert [r.body for r in thread.replies] == [
        "<p>My leeks bolted.</p>", "<p>@Ana #51 sow later.</p>", "<p>@Ben #52 thanks! See also post #51.</p>",
    ]
    assert cleo.parent_id == ben.id and thread.note is None
    assert [(m.text, m.reply_id) for m in ben.mentions + cleo.mentions] == [
        ("@Ana #51", ana.id), ("@Ben #52", ben.id), ("#51", ana.id),
    ]
    assert not thread.partial and thread.import_notes == ()


def test_numbered_comments_the_export_lacks_make_it_partial():
    thread = _import_text("#51 Guest - Ana\n@Bo #50 why?\n#52 Guest - Ben\n@Ana #51 sow later.\n")
    assert thread.partial
    assert thread.import_notes == (
        "replies refer to comment(s) #50, which the export does not hold: only part of the thread was exported",
    )


def test_conflicting_and_repeated_comment_numbers_are_noted():
    thread = _import_text("#7\n#51 Guest - Ana\nhi\n#51 Guest - Ben\n@Ana #51 hello\n")
    assert [r.number for r in thread.replies] == [51, 51]
    assert thread.replies[1].mentions[0].reply_id is None
    assert thread.import_notes == (
        "line 2: the reply by Ana is numbered #51 on its header but #7 on line 1; the header's is kept",
        "line 4: comment number #51 is also on the reply by Ana (line 2); mentions of it are left unresolved",
    )


# ---------------------------------------------------------------------------- bytes

def test_a_file_cut_inside_a_character_imports_what_comes_before_as_partial():
    thread = _import_text_bytes("Guest - Ann\nhello\nGuest - Bob\ncafé".encode()[:-1])
    assert [(r.author, r.body) for r in thread.replies] == [("Ann", "<p>hello</p>"), ("Bob", "<p>caf</p>")]
    assert thread.partial
    assert thread.import_notes == (
        "line 4: the file ends inside a character: it was cut short, so its last reply may be incomplete "
        "and later replies are missing; imported what comes before",
    )


def test_control_characters_are_removed_with_a_note():
    thread = _import_text("Guest - Ann\nhi\nGuest - do\x00dge\x00\nhello\x07 there\n")
    assert [r.author for r in thread.replies] == ["Ann", "dodge"]
    assert thread.replies[1].body == "<p>hello there</p>"
    assert thread.import_notes == ("line 3: removed 3 control character(s) such as NUL, which are no text (the first here)",)


# ---------------------------------------------------------------------------- folders

def _import_folder(files: dict[str, str]):
    documents = tuple(SourceDocument(f"thread/{name}", text.encode()) for name, text in files.items())
    return import_thread(ImportRequest(documents, retrieved_at=RETRIEVED), "auto")


def test_a_folder_is_the_pages_of_one_thread_in_name_order():
    thread = _import_folder({
        "README.md": "# notes\nsee thread\n",
        "page10.txt": "Note by Ben\nGuest - Dan\nlast\n",
        "page2.txt": "Note by Ben\n• Guest - Cleo\nnested under Ben\n",
        "page1.txt": "Note by Ben\nGuest - Ana\nfirst\n\nGuest - Ben\nsecond\n",
    })
    assert [r.author for r in thread.replies] == ["Ana", "Ben", "Cleo", "Dan"]
    assert thread.replies[2].parent_id == thread.replies[1].id
    assert thread.note == "Note by Ben"
    assert thread.import_notes == (
        "skipped 1 file(s) without reply headers ('Guest - NAME'): thread/README.md",
        "read 3 files as pages of one thread, in name order: thread/page1.txt, thread/page2.txt, thread/page10.txt",
    )


def test_folder_notes_name_the_file_and_furniture_of_later_pages_is_noted():
    thread = _import_folder({
        "a.txt": "Guest - Ana\nfirst\n",
        "b.txt": "Page 2 of 2\nGuest - Ben\nhi\nGuest -\n",
    })
    assert [r.author for r in thread.replies] == ["Ana", "Ben"]
    assert thread.import_notes == (
        "read 2 files as pages of one thread, in name order: thread/a.txt, thread/b.txt",
        "thread/b.txt line 1: text above the first reply header ('Page 2 of 2') belongs to no reply and was left out",
        "thread/b.txt line 4: 'Guest -' looks like a reply header but has no name; it was kept as text, so a reply header may be missing",
    )


def test_a_folder_without_reply_headers_is_refused_naming_it():
    documents = (SourceDocument("thread/a.md", b"# a\n"), SourceDocument("thread/b.md", b"# b\n"))
    with pytest.raises(SourceError) as info:
        import_thread(ImportRequest(documents), "forum-text")
    assert info.value.where == "thread"
    assert info.value.message == ("no reply headers found (expected lines like 'Guest - NAME', or 'NAME says:' over the comment's time) "
                                  "in any of its 2 files")


# ---------------------------------------------------------------------------- smaller things

def test_a_note_starting_with_a_tag_is_recognised_and_made_plain_text():
    text = "<i>Note by Ben</i>: key replies &amp; more.<br>See http://example.org/t\nGuest - Ann\nhi\nGuest - Bob\nho\n"
    assert detect(ImportRequest((SourceDocument("x.txt", text.encode()),))) == "forum-text"
    thread = _import_text(text)
    assert (thread.note, thread.url) == ("Note by Ben: key replies & more. See http://example.org/t", "http://example.org/t")
    for data in ('[{"by": "a"}]\nGuest - Ann\nhi\n', '<?xml version="1.0"?>\n<x/>\nGuest - Ann\nhi\n', "<rss>\nGuest - Ann\nhi\n"):
        assert not forum_text.sniff(SourceDocument("x", data.encode()))
    assert forum_text.sniff(SourceDocument("x", b"[1] footnote\nGuest - Ann\nhi\n"))


def test_a_header_quoted_inside_a_blockquote_is_text():
    thread = _import_text(
        "Guest - Ana\nMy leeks bolted.\n\nGuest - Ben\n<blockquote>\nGuest - Ana wrote:\nMy leeks bolted.\n</blockquote>\n"
        "Sow later.\n\nGuest - Cleo\n<blockquote>never closed\n\nGuest - Dan\nhi\n"
    )
    assert [r.author for r in thread.replies] == ["Ana", "Ben", "Cleo", "Dan"]
    assert thread.replies[1].body == "<blockquote><p>Guest - Ana wrote: My leeks bolted.</p></blockquote><p>Sow later.</p>"
    assert thread.import_notes == (
        "line 6: 'Guest - Ana wrote:' is inside a <blockquote>: read as quoted text, not as a reply header",
    )


def test_absolute_dates_are_posting_times_not_names():
    thread = _import_text(
        "Guest - Ana 12.03.2011 14:05\nMy leeks bolted.\n\n"
        "Guest - Ben, March 12, 2011 at 2:05 pm\nSow later.\n\n"
        "Guest - Cleo #3\nI agree.\n12 March 2011 14:07\n"
        "Guest - Dan 2011-03-12T14:09\nMe too.\n"
    )
    assert [(r.author, r.number, r.posted_at_text) for r in thread.replies] == [
        ("Ana", None, "12.03.2011 14:05"), ("Ben", None, "March 12, 2011 at 2:05 pm"),
        ("Cleo", 3, "12 March 2011 14:07"), ("Dan", None, "2011-03-12T14:09"),
    ]
    assert [r.body for r in thread.replies] == ["<p>My leeks bolted.</p>", "<p>Sow later.</p>", "<p>I agree.</p>", "<p>Me too.</p>"]
    assert [r.posted_at for r in thread.replies] == [None] * 4
    assert thread.import_notes == (
        "4 replies give a time without a time zone (such as '12.03.2011 14:05'): kept as written, not taken as UTC; `--timezone ZONE` (the zone the page showed, such as Europe/Berlin) reads them as UTC times",)


def test_a_url_cut_mid_word_at_the_wrap_is_joined_without_trailing_spaces():
    thread = _import_text(
        "Note by Ben: for more, go to URL:\n"
        "http://kasamaproject.org/communist-organization/3253-85dead-ends-road-maps-buil\n"
        "ding-a-new-socialist-movement\n\n"
        "Guest - Ana\nSee http://kasamaproject.org/component/content/article/45-featured/3\n253-dead-ends for the article.\n\n"
        "Guest - Ben\nThanks, see http://example.org/a\nwell-known things.\n"
    )
    assert thread.url == "http://kasamaproject.org/communist-organization/3253-85dead-ends-road-maps-building-a-new-socialist-movement"
    assert thread.note == "Note by Ben: for more, go to URL:"
    link = "http://kasamaproject.org/component/content/article/45-featured/3253-dead-ends"
    assert thread.replies[0].body == f'<p>See <a href="{link}">{link}</a> for the article.</p>'
    # a short line ending in a URL is followed by words, not by the rest of the URL
    assert thread.replies[1].body == '<p>Thanks, see <a href="http://example.org/a">http://example.org/a</a> well-known things.</p>'


def test_thread_option_does_not_apply_and_says_so():
    thread = _import_text("Guest - Ann\nhi\n", thread="42")
    assert [r.author for r in thread.replies] == ["Ann"]
    assert thread.import_notes == ("--thread '42' does not apply: a forum text export holds one thread, imported whole",)


# ---------------------------------------------------------------------------- a blog comment page copied as text

COPIED_PAGE = """\
So thats the basics of audio processing.
Posted on April 17, 2017 by James Thomson
3 THOUGHTS ON “AUDIO SIGNALS IN PYTHON”
MATT SANDY SAYS:
APRIL 20, 2017 AT 4:24 AM
This is really cool. I have been meaning to do something similar, looking for patterns and whatnot, but in R.

REPLY
Alyssa says:
November 13, 2017 at 6:55 pm | Reply
Can you elaborate a bit on the last 3 lines:

np.where(freqs==10034.47265625)
MHZ10=Pxx[233,:]

What exactly is this doing?

Reply
Pingback: Audio analysis links | Some Blog

danesc87 dice:
mayo 19, 2016 a las 9:48 pm
Excelente post.

---

Leave a Reply
Your email address will not be published. Required fields are marked *
Comment
Name *
"""


def test_a_wordpress_comment_page_copied_as_text_is_recognised_and_read():
    """Copying a blog's comments from the browser gives "NAME says:" over the comment's time,
    with the page's Reply links, pingbacks, form and sidebar around them."""
    request = ImportRequest((SourceDocument("comments.txt", COPIED_PAGE.encode()),))
    assert detect(request) == "forum-text"
    thread = import_thread(request, "forum-text")
    assert [(r.author, r.posted_at_text, r.parent_id) for r in thread.replies] == [
        ("MATT SANDY", "APRIL 20, 2017 AT 4:24 AM", None),
        ("Alyssa", "November 13, 2017 at 6:55 pm", None),
        ("danesc87", "mayo 19, 2016 a las 9:48 pm", None),
    ]
    assert thread.replies[0].body == "<p>This is really cool. I have been meaning to do something similar, looking for patterns and whatnot, but in R.</p>"
    assert thread.replies[1].body == ("<p>Can you elaborate a bit on the last 3 lines:</p>"
                                      "<p>np.where(freqs==10034.47265625)<br>MHZ10=Pxx[233,:]</p><p>What exactly is this doing?</p>")
    assert thread.replies[2].body == "<p>Excelente post.</p>"
    assert (thread.title, thread.total_replies, thread.partial) == ("AUDIO SIGNALS IN PYTHON", 3, False)
    assert thread.note == "So thats the basics of audio processing. Posted on April 17, 2017 by James Thomson"
    assert thread.import_notes == (
        "a comment page copied as text does not show which comment answers which: every reply is imported as answering the post",
        "line 19: left out 1 pingback(s) or trackback(s): links from other pages, not comments (the first here)",
        "line 27: 'Leave a Reply' ends the comments: the comment form and the rest of the page below it were left out",
        "2 replies give a time without a time zone (such as 'APRIL 20, 2017 AT 4:24 AM'): kept as written, not taken as UTC; `--timezone ZONE` (the zone the page showed, such as Europe/Berlin) reads them as UTC times",
    )


def test_a_copied_page_counting_more_comments_than_it_holds_is_partial():
    text = "12 thoughts on “Leeks”\nAna says:\nMarch 12, 2011 at 2:05 pm\nHello.\nBob says:\nMarch 12, 2011 at 3:00 pm\nHi Ana.\n"
    thread = _import_text(text)
    assert (thread.title, thread.total_replies, thread.partial) == ("Leeks", 12, True)
    assert thread.import_notes[-1] == ("the page counts 12 comments but the copy holds 2 (pingbacks included): the rest were not "
                                       "copied (a later comment page, or folded replies)")


def test_a_copied_page_wrapped_to_72_columns_is_reflowed():
    wrapped = ("Ana says:\nMarch 12, 2011 at 2:05 pm\n"
               "The leeks bolted in the first warm week of April, long before I had\n"
               "expected them to; the seed came from a swap, so the variety is unknown.\n"
               "Bob says:\nMarch 12, 2011 at 3:00 pm\nSow them later next year.\n")
    thread = _import_text(wrapped)
    assert thread.replies[0].body == ("<p>The leeks bolted in the first warm week of April, long before I had expected them to; "
                                      "the seed came from a swap, so the variety is unknown.</p>")


def test_says_in_prose_without_a_time_below_is_no_header():
    text = "Guest - Ann\nThe README says:\nuse the seed.\nGuest - Bob\nIt also says:\nMarch 2011 was warm.\n"
    thread = _import_text(text)
    assert [r.author for r in thread.replies] == ["Ann", "Bob"]
    assert "The README says:" in thread.replies[0].body


BLOGGER_COPY = """\
JS said...

    @Magnus: looks like you have the same problem as Dean. Please try his suggestion.
    January 2, 2009 3:17 PM 
Stefan said...

    Hi JS,
    what do I need to add to the config.xml to make mediatomb play DVD ISO files?
    Then he said...
    nothing more.

    Greets Stefan
    January 2, 2009 7:44 PM 
Anonymous dijo...

    Gracias.
    5 de enero de 2009 7:34
Post a Comment

Newer Post Older Post Home
"""


def test_a_blogger_comment_page_copied_as_text_is_read_with_its_times_below():
    thread = _import_text(BLOGGER_COPY)
    assert [(r.author, r.posted_at_text) for r in thread.replies] == [
        ("JS", "January 2, 2009 3:17 PM"), ("Stefan", "January 2, 2009 7:44 PM"), ("Anonymous", "5 de enero de 2009 7:34")]
    assert thread.replies[1].body == ("<p>Hi JS,<br>what do I need to add to the config.xml to make mediatomb play DVD ISO files?"
                                      "<br>Then he said...<br>nothing more.</p><p>Greets Stefan</p>")  # no time above: no header
    assert thread.import_notes[-2:] == (
        "line 18: 'Post a Comment' ends the comments: the comment form and the rest of the page below it were left out",
        "2 replies give a time without a time zone (such as 'January 2, 2009 3:17 PM'): kept as written, not taken as UTC; `--timezone ZONE` (the zone the page showed, such as Europe/Berlin) reads them as UTC times")


def test_twenty_elevens_one_line_header_gives_name_and_time():
    text = ("Ana on March 12, 2011 at 2:05 pm said:\nThe leeks bolted.\nReply ↓\n"
            "Bob on March 12, 2011 at 3:00 pm said:\nSow them later.\nReply ↓\nComments are closed.\n")
    thread = _import_text(text)
    assert [(r.author, r.posted_at_text, r.body) for r in thread.replies] == [
        ("Ana", "March 12, 2011 at 2:05 pm", "<p>The leeks bolted.</p>"), ("Bob", "March 12, 2011 at 3:00 pm", "<p>Sow them later.</p>")]


def test_wordpress_com_like_buttons_are_furniture_and_their_counts_likes():
    text = ("Ana says:\nMarch 12, 2011 at 2:05 pm\nThe leeks bolted.\n\nLiked by 3 people\nReply\n"
            "Bob says:\nMarch 12, 2011 at 3:00 pm\nSow them later.\n\nLike\nLoading...\nReply\n")
    thread = _import_text(text)
    assert [(r.body, r.engagement.likes) for r in thread.replies] == [
        ("<p>The leeks bolted.</p>", 3), ("<p>Sow them later.</p>", None)]


def test_a_copied_page_of_paged_comments_is_partial_and_a_folder_of_its_pages_is_not(tmp_path):
    first = "« Older Comments\nAna says:\nMarch 12, 2011 at 2:05 pm\nThe leeks bolted.\nReply\n« Older Comments\nLeave a Reply\n"
    thread = _import_text(first)
    assert thread.partial and [r.body for r in thread.replies] == ["<p>The leeks bolted.</p>"]
    assert thread.import_notes[1] == ("line 1: the page links other pages of its comments ('Older Comments'): this copy holds "
                                      "one of them; copy each page and import them together as a folder")
    (tmp_path / "page1.txt").write_text(first.replace("« Older", "Newer Comments »\n« Older"))
    (tmp_path / "page2.txt").write_text("Newer Comments »\nBob says:\nMarch 13, 2011 at 9:00 am\nSow later.\nLeave a Reply\n")
    both = import_thread(ImportRequest(load_documents(tmp_path)), "auto")
    assert [r.author for r in both.replies] == ["Ana", "Bob"] and not both.partial


def test_translated_themes_headers_and_times_are_read():
    text = ("Intro.\nJean dit :\n12 mars 2011 à 14 h 05 min\nBonjour.\n"
            "Иван говорит:\n12.03.2011 в 14:05\nПривет.\n"
            "田中より:\n2011年3月12日 2:05 PM\nこんにちは。\n"
            "张三 说道：\n2011年3月12日 下午2:05\n你好。\n")
    thread = _import_text(text)
    assert [(r.author, r.posted_at_text) for r in thread.replies] == [
        ("Jean", "12 mars 2011 à 14 h 05 min"), ("Иван", "12.03.2011 в 14:05"), ("田中", "2011年3月12日 2:05 PM"),
        ("张三", "2011年3月12日 下午2:05")]


def test_a_date_ending_a_says_comment_stays_its_text():
    thread = _import_text("Ana says:\nMarch 12, 2011 at 2:05 pm\nThe swap is on\n12.03.2011 10:00\nBob says:\nMarch 12, 2011 at 3:00 pm\nOK.\n")
    assert thread.replies[0].body == "<p>The swap is on<br>12.03.2011 10:00</p>"
    assert thread.replies[0].posted_at_text == "March 12, 2011 at 2:05 pm"


def test_a_paragraph_of_100000_lines_is_reflowed_in_linear_time():
    """Each line was added to the paragraph by copying all of it: 100,000 lines took 49 s."""
    (block,) = forum_text._reflow(["Sow leeks in March. "] * 100_000)  # the seed's wrap: a trailing space
    assert block.text == " ".join(["Sow leeks in March."] * 100_000)


def test_a_line_of_thousands_of_glued_links_is_joined_at_once():
    """Whether a line ends in a URL was asked from every "http" of it: a line of 20,000
    glued links took 41 s.  Only its last word can hold that URL."""
    glued = "see " + "http://a.example/" * 20_000 + " for it"
    (block,) = forum_text._reflow([glued, "and more", "at http://x.example/a-", "b-c", "http://x.example/long-path-", "cut-here"],
                                  forum_text._Layout(trailing_spaces=False, width=72))
    assert block.text == glued + " and more at http://x.example/a-b-c http://x.example/long-path-cut-here"

# ---------------------------------------------------------------------------- properties

@st.composite
def _mutated_copy(draw):
    """A copied comment page with lines removed, doubled or swapped, headers' words swapped,
    bytes flipped and odd tokens inserted."""
    lines = draw(st.sampled_from([COPIED_PAGE, BLOGGER_COPY])).split("\n")
    tokens = ["says:", "said...", "3 thoughts on “X”", "Reply", "Guest - Ann", "\x00", "\ud800", "<b>", "</blockquote>",
              "March 12, 2011 at 2:05 pm", "@Ann #2", "Post a Comment", "Leave a Reply", " " * 3, "x" * 300]
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(lines)))
        op = draw(st.sampled_from(["drop", "double", "swap", "token", "cut"]))
        if op == "drop" and at < len(lines):
            del lines[at]
        elif op == "double" and at < len(lines):
            lines.insert(at, lines[at])
        elif op == "swap" and lines:
            other = draw(st.integers(0, len(lines) - 1))
            lines[at - 1], lines[other] = lines[other], lines[at - 1]
        elif op == "token":
            lines.insert(at, draw(st.sampled_from(tokens) | st.text(max_size=20)))
        else:
            lines = lines[:at]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@settings(max_examples=100, deadline=None)
@given(_mutated_copy(), st.binary(max_size=8))
def test_mutated_copied_pages_import_or_raise_a_source_error(data, noise):
    for mutated in (data, data + noise):
        try:
            thread = _import_text_bytes(mutated)
        except SourceError:
            continue
        assert loads(dumps(thread), "round-trip") == thread


def test_a_url_inside_the_notes_sentence_stays_in_the_note():
    thread = _import_text(
        "Note by Sara: the discussion is at https://forum.example.org/t/arabic-typesetting/77\n\n"
        "#1 Guest - Sara 12.03.2021 14:05\nHello.\n"
    )
    assert thread.url == "https://forum.example.org/t/arabic-typesetting/77"
    assert thread.note == "Note by Sara: the discussion is at https://forum.example.org/t/arabic-typesetting/77"


def test_times_that_state_their_zone_are_read_in_every_common_form():
    thread = _import_text(
        "Guest - Ana 2011-03-12T14:09+01:00\nOne.\n\n"
        "Guest - Ben, January 12, 2017 at 12:51 pm UTC\nTwo.\n\n"
        "Guest - Cleo 12.03.2021 14:05 GMT+2\nThree.\n\n"
        "Guest - Dan\nFour.\nSat Mar 12, 2011 2:05 pm Z\n"
    )
    assert [(r.posted_at, r.posted_at_text) for r in thread.replies] == [
        (datetime(2011, 3, 12, 13, 9, tzinfo=timezone.utc), None),
        (datetime(2017, 1, 12, 12, 51, tzinfo=timezone.utc), None),
        (datetime(2021, 3, 12, 12, 5, tzinfo=timezone.utc), None),
        (datetime(2011, 3, 12, 14, 5, tzinfo=timezone.utc), None),
    ]
    assert thread.import_notes == ()


def test_a_slashed_day_and_month_are_settled_by_another_date_or_kept_as_text():
    settled = _import_text("Guest - Ana 03/04/2021 2:05 PM UTC\nOne.\n\nGuest - Ben 13/04/2021 9:00 AM UTC\nTwo.\n")
    assert [r.posted_at for r in settled.replies] == [datetime(2021, 4, 3, 14, 5, tzinfo=timezone.utc),
                                                      datetime(2021, 4, 13, 9, 0, tzinfo=timezone.utc)]
    assert settled.import_notes == ("dates such as '03/04/2021 2:05 PM UTC' are read day first, as the file's other dates write them",)
    unsettled = _import_text("Guest - Ana 03/04/2021 2:05 PM UTC\nOne.\n\nGuest - Ben 04/05/2021 9:00 AM UTC\nTwo.\n")
    assert [(r.posted_at, r.posted_at_text) for r in unsettled.replies] == [
        (None, "03/04/2021 2:05 PM UTC"), (None, "04/05/2021 9:00 AM UTC")]
    assert unsettled.import_notes == (
        "2 replies give a date whose day and month could be either way round (such as '03/04/2021 2:05 PM UTC'), "
        "and no date in the file settles it: kept as written",)


def test_the_text_above_a_copied_pages_comments_gives_its_title_and_loses_its_furniture():
    titled = _import_text("Simple DFT in C\n\nbatchloaf says:\nJanuary 12, 2017 at 12:51 pm\nThat's cool.\n\n"
                          "Ponzifex says:\nJanuary 12, 2017 at 2:35 pm\nHello Ted.\n")
    assert (titled.title, titled.note) == ("Simple DFT in C", None)
    assert "line 1: 'Simple DFT in C', alone above the comments, is taken as the title" in titled.import_notes
    navigation = _import_text("The end of the post.\nPOST NAVIGATION\n← CLUSTERING ZEPPELIN\nMATT SAYS:\nAPRIL 20, 2017 AT 4:24 AM\n"
                              "Cool.\nREPLY\nFLAVIO SAYS:\nAPRIL 24, 2017 AT 12:21 AM\nAn error.\n")
    assert (navigation.title, navigation.note) == (None, "The end of the post.")
    assert navigation.import_notes[1:3] == (
        "line 2: 'POST NAVIGATION' is the page's navigation, not a note: left out",
        "line 3: '← CLUSTERING ZEPPELIN' is the page's navigation, not a note: left out",
    )
    migrated = _import_text("---\n\n### Comments migrated from wordpress\n\nSean says:\nNovember 22, 2017 at 6:16 pm\n\nHi\n\n---\n\n"
                            "Diaan says:\nJune 8, 2018 at 3:11 am\n\nThanks\n")
    assert (migrated.title, migrated.note, [r.author for r in migrated.replies]) == (None, None, ["Sean", "Diaan"])
    assert migrated.import_notes[1] == "line 3: '### Comments migrated from wordpress' heads the comments: left out"


def test_a_blogger_copy_starting_inside_a_comment_leaves_it_out_as_partial():
    thread = _import_text('echo "    hard for me :D\n    January 2, 2009 3:12 PM \nJS said...\n\n    Try it.\n'
                          "    January 2, 2009 3:17 PM \nStefan said...\n\n    Hi.\n    January 2, 2009 7:44 PM \n")
    assert ([r.author for r in thread.replies], thread.note, thread.partial) == (["JS", "Stefan"], None, True)
    assert thread.import_notes[1] == ("line 1: the copy starts inside a comment whose header was not copied (lines 1–2, "
                                      "ending in its time): left out, and the thread is partial")


ZONELESS_COPY = ("Ana says:\nMarch 3, 2024 at 5:12 pm\nFirst.\nReply\n"
                 "Ben says:\nJuly 14, 2024 at 9:00 am\nSecond.\nReply\n"
                 "Cleo says:\nOctober 27, 2024 at 2:30 am\nThird.\n")


def test_timezone_reads_a_copied_pages_times_as_utc_with_a_note():
    request = ImportRequest((SourceDocument("copy.txt", ZONELESS_COPY.encode()),), retrieved_at=RETRIEVED, timezone="Europe/Berlin")
    thread = import_thread(request, "auto")
    assert [r.posted_at for r in thread.replies] == [
        datetime(2024, 3, 3, 16, 12, tzinfo=timezone.utc),  # CET, +01:00
        datetime(2024, 7, 14, 7, 0, tzinfo=timezone.utc),  # CEST, +02:00
        datetime(2024, 10, 27, 0, 30, tzinfo=timezone.utc),  # shown twice that night: the first, +02:00
    ]
    assert [r.posted_at_text for r in thread.replies] == [None, None, None]
    assert thread.import_notes[-2:] == (
        "3 replies give a time without a time zone (such as 'March 3, 2024 at 5:12 pm'): read in Europe/Berlin (--timezone) "
        "and converted to UTC",
        "1 reply gives a time that the change of clocks in Europe/Berlin makes ambiguous or skips "
        "(such as 'October 27, 2024 at 2:30 am'): read with the offset before the change",
    )


def test_a_time_stating_its_zone_is_not_moved_by_timezone():
    request = ImportRequest((SourceDocument("x.txt", b"Guest - Ana 2011-03-12T14:09+01:00\nHi.\n\nGuest - Ben\nHo.\n"),),
                            timezone="America/New_York")
    assert import_thread(request, "forum-text").replies[0].posted_at == datetime(2011, 3, 12, 13, 9, tzinfo=timezone.utc)


def test_an_unknown_timezone_is_an_error_naming_the_option():
    request = ImportRequest((SourceDocument("x.txt", ZONELESS_COPY.encode()),), timezone="Europe/Atlantis")
    with pytest.raises(SourceError) as caught:
        import_thread(request, "forum-text")
    assert caught.value.message == "unknown time zone 'Europe/Atlantis' given to --timezone"
    assert "Europe/Berlin" in caught.value.fix


def test_import_timezone_option_through_the_command_line(tmp_path, capsys):
    from digest.cli import main

    source, out = tmp_path / "copy.txt", tmp_path / "out.json"
    source.write_text(ZONELESS_COPY, encoding="utf-8")
    assert main(["--env-file", "/nonexistent", "import", str(source), "--timezone", "America/New_York", "-o", str(out)]) == 0
    replies = json.loads(out.read_text(encoding="utf-8"))["replies"]
    assert [r["posted_at"] for r in replies] == ["2024-03-03T22:12:00Z", "2024-07-14T13:00:00Z", "2024-10-27T06:30:00Z"]
    assert "read in America/New_York (--timezone) and converted to UTC" in capsys.readouterr().err

    assert main(["--env-file", "/nonexistent", "import", str(source), "-o", str(out)]) == 0
    assert [r["posted_at_text"] for r in json.loads(out.read_text(encoding="utf-8"))["replies"]][0] == "March 3, 2024 at 5:12 pm"
    assert "`--timezone ZONE` (the zone the page showed, such as Europe/Berlin) reads them as UTC times" in capsys.readouterr().err

    assert main(["--env-file", "/nonexistent", "import", str(source), "--timezone", "Berlin", "-o", str(out)]) == 1
    error = capsys.readouterr().err
    assert "unknown time zone 'Berlin' given to --timezone" in error and "such as Europe/Berlin" in error

    canonical = ROOT / "examples" / "garden-thread.json"
    assert main(["--env-file", "/nonexistent", "import", str(canonical), "--timezone", "UTC", "-o", str(out)]) == 0
    assert "note: the time zone UTC was not used: the canonical source states the zone of its times" in capsys.readouterr().err


HN_COPY = (
    "Leeks in winter (example.org)\n"
    "85 points by ana 7 months ago | hide | past | favorite | 9 comments\n\n"
    "bob 7 months ago | next [–]\n\nFirst.\nreply\n\t\n"
    "cleo 7 months ago | parent | next [–]\n\n> First.\nAgreed <b>really</b>.\nreply\n\t\n"
    "dan 6 months ago | root | parent | next [–]\n\nDeeper.\nreply\n\t\n"
    "eve 6 months ago | root | parent | next [–]\n\nDeeper still.\nreply\n\t\n"
    "fay 6 months ago | root | parent | prev | next [–]\n\nSomewhere.\nreply\n\t\n"
    "gus 5 months ago | parent | prev | next [–]\n\nSecond answer:\n  x = 1 < 2\n  y = 3\nreply\n\t\n"
    "hal 5 months ago | prev | next [3 more]\n\t\n"
    "ivy 4 months ago [dead] | prev | next [–]\n\n[flagged]\nreply\n"
    "\nMore\n\nGuidelines | FAQ | Lists | API | Security | Legal | Apply to YC | Contact\n\nSearch:\n"
)


def test_a_hacker_news_page_copied_as_text_is_nested_by_its_links():
    thread = import_thread(ImportRequest((SourceDocument("copy.txt", HN_COPY.encode()),), retrieved_at=RETRIEVED), "auto")
    authors = [r.author for r in thread.replies]
    assert authors == ["bob", "cleo", "dan", "eve", "fay", "gus", "hal", "ivy"]
    by_id = {r.id: r.author for r in thread.replies}
    # no "parent": top level; "parent" alone: the top-level comment above; "root" without "prev":
    # the comment right above; "root" with "prev" in a branch four deep: not told, so the post (noted)
    assert [by_id.get(r.parent_id) for r in thread.replies] == [None, "bob", "cleo", "dan", None, "bob", None, None]
    assert (thread.title, thread.author, thread.total_replies, thread.partial) == ("Leeks in winter", "ana", 9, True)
    assert [r.posted_at_text for r in thread.replies][:2] == ["7 months ago", "7 months ago"]
    assert thread.replies[1].body == "<blockquote><p>First.</p></blockquote><p>Agreed &lt;b&gt;really&lt;/b&gt;.</p>"
    assert thread.replies[5].body == "<p>Second answer:</p><pre>  x = 1 &lt; 2\n  y = 3</pre>"
    assert all("reply" not in r.body for r in thread.replies)
    assert thread.import_notes == (
        "line 25: 1 reply answers a comment deeper in the branch above, which the copy does not tell (its indentation is "
        "lost; such as fay's here): imported as answering the post, not guessed",
        "line 37: the comment by hal was folded ([3 more]): its text and the answers under it were not copied",
        "line 37: reply by hal has no text",
        "line 39: the comment by ivy is marked [dead] on the page",
        "Hacker News shows times relative to when the page was copied (such as '7 months ago'), which the copy does not "
        "say: kept as written; `digest import https://news.ycombinator.com/item?id=ID` reads the thread with its exact "
        "times and nesting",
        "line 44: 'More' links the next page of comments: this copy holds one page; copy each page and import them "
        "together as a folder",
        "the story counts 9 comments but the copy holds 8: the rest were not copied (folded, on a later page, or dead)",
    )


def test_a_hacker_news_copy_under_a_saved_header_names_its_item():
    text = ("---\nname: Leeks | Hacker News\nmetadata:\n  url: https://news.ycombinator.com/item?id=45810482\n---\n"
            "Leeks | Hacker News \nHacker News new | past | comments | ask | show | jobs | submit\nlogin\n"
            "bob 6 months ago | next [–]\nFirst.  \nnine_k 6 months ago | parent | next [–]\nSecond.\n \n")
    thread = import_thread(ImportRequest((SourceDocument("copy.txt", text.encode()),)), "auto")
    assert [(r.author, r.body) for r in thread.replies] == [("bob", "<p>First.</p>"), ("nine_k", "<p>Second.</p>")]
    assert (thread.title, thread.url, thread.note) == ("Leeks", "https://news.ycombinator.com/item?id=45810482", None)
    assert thread.replies[1].parent_id == thread.replies[0].id
    assert thread.import_notes == (
        "line 1: the 5-line header (---) above the page is not part of it: left out",
        "line 7: 'Hacker News new | past | comments | ask | show | jobs | submit' is the site's, not the discussion's: left out",
        "line 8: 'login' is the site's, not the discussion's: left out",
        "Hacker News shows times relative to when the page was copied (such as '6 months ago'), which the copy does not "
        "say: kept as written; `digest import https://news.ycombinator.com/item?id=45810482` reads the thread with its "
        "exact times and nesting",
    )


def test_a_lobsters_page_copied_as_text_keeps_scores_and_says_it_shows_no_nesting():
    text = "Leeks | Lobsters\n12\nana 3 hours ago | link | flag | reply\n\nFirst.\n\n4\nbob edited 2 hours ago | link | flag | reply\n\nSecond.\n"
    thread = import_thread(ImportRequest((SourceDocument("copy.txt", text.encode()),)), "auto")
    assert [(r.author, r.engagement.score, r.body, r.parent_id) for r in thread.replies] == [
        ("ana", 12, "<p>First.</p>", None), ("bob", 4, "<p>Second.</p>", None)]
    assert (thread.title, thread.note) == ("Leeks", None)
    assert thread.import_notes == (
        "line 3: a Lobsters page copied as text does not show which comment answers which: every reply is imported as "
        "answering the post",
        "Lobsters shows times relative to when the page was copied (such as '3 hours ago'), which the copy does not say: "
        "kept as written",
    )


def test_a_reply_copied_without_the_comment_it_answers_is_partial():
    text = "bob 2 days ago | parent | next [–]\nI agree.\nreply\ncleo 2 days ago | root | parent | next [–]\nMe too.\nreply\n"
    thread = import_thread(ImportRequest((SourceDocument("copy.txt", text.encode()),)), "forum-text")
    assert [r.parent_id for r in thread.replies] == [None, thread.replies[0].id]
    assert thread.partial
    assert thread.import_notes[0] == ("line 1: the reply by bob answers a comment above the copy, which was not copied: "
                                      "imported as answering the post, and the thread is partial")


def test_text_naming_a_hacker_news_item_that_no_reader_knows_says_how_to_get_the_thread():
    request = ImportRequest((SourceDocument("notes.txt", b"Saved from https://news.ycombinator.com/item?id=38719324\n\nMy notes.\n"),))
    with pytest.raises(SourceError) as caught:
        detect(request)
    assert caught.value.fix == ("import the thread itself: `digest import https://news.ycombinator.com/item?id=38719324`, "
                                "or save https://hn.algolia.com/api/v1/items/38719324 and import that file")


MARKDOWN_COPY = (
    "## 2 thoughts on “Leeks”\n\n"
    "1. ![](https://example.org/a.png) **Ana** says:\n\n"
    "   [March 3, 2024 at 5:12 pm](https://example.org/leeks/#comment-7)\n\n"
    "   > The leeks bolted.\n\n   Sow them **later**, see [the guide](https://example.org/guide).\n"
    "2. ![](https://example.org/b.png) **[Ben](https://ben.example.org/)** says:\n\n"
    "   [March 4, 2024 at 9:00 am](https://example.org/leeks/#comment-8)\n\n   Thanks!\n\n"
    "   [Reply](https://example.org/leeks/?replytocom=8)\n\n"
    "Comments are closed.\n"
)


def test_a_comment_page_saved_as_markdown_is_read_with_permalinks_and_markdown_bodies():
    thread = import_thread(ImportRequest((SourceDocument("page.md", MARKDOWN_COPY.encode()),)), "auto")
    assert [(r.author, r.posted_at_text, r.permalink) for r in thread.replies] == [
        ("Ana", "March 3, 2024 at 5:12 pm", "https://example.org/leeks/#comment-7"),
        ("Ben", "March 4, 2024 at 9:00 am", "https://example.org/leeks/#comment-8"),
    ]
    assert thread.replies[0].body == ('<blockquote><p>The leeks bolted.</p></blockquote><p>Sow them <strong>later</strong>, '
                                      'see <a href="https://example.org/guide">the guide</a>.</p>')
    assert thread.replies[1].body == "<p>Thanks!</p>"  # its "[Reply](...)" link is the page's
    assert (thread.title, thread.total_replies, thread.partial, thread.note) == ("Leeks", 2, False, None)
    assert "line 18: 'Comments are closed.' ends the comments: the comment form and the rest of the page below it were left out" \
        in thread.import_notes


def test_markdown_post_headings_and_name_headings_over_a_time_are_comment_headers():
    posts = ("---\ntitle: \"Leeks\"\nforum: Garden\n---\n\n### Post by ana on 2009-11-05\nHello all.\n\n---\n\n"
             "### Post by bob on 2009-11-06\n> **ana said:**\n> Hello all.\n\nHi.\n")
    thread = import_thread(ImportRequest((SourceDocument("thread.md", posts.encode()),)), "auto")
    assert [(r.author, r.posted_at_text, r.body) for r in thread.replies] == [
        ("ana", "2009-11-05", "<p>Hello all.</p>"),
        ("bob", "2009-11-06", "<blockquote><p><strong>ana said:</strong> Hello all.</p></blockquote><p>Hi.</p>"),
    ]
    assert (thread.title, thread.note) == ("Leeks", None)
    assert "line 1: the 4-line header (---) above the page is not part of it: left out, but for its title 'Leeks'" in thread.import_notes
    named = ("# Leeks\n\nThe post.\n\n### Ana\n*March 3, 2024 at 5:12 pm*\n\nHi.\n\n"
             "### Ben\n*March 4, 2024 at 9:00 am*\n\nHo `code`.\n")
    thread = import_thread(ImportRequest((SourceDocument("page.md", named.encode()),)), "auto")
    assert [(r.author, r.posted_at_text, r.body) for r in thread.replies] == [
        ("Ana", "March 3, 2024 at 5:12 pm", "<p>Hi.</p>"), ("Ben", "March 4, 2024 at 9:00 am", "<p>Ho <code>code</code>.</p>")]
    assert (thread.title, thread.note) == ("Leeks", "The post.")
    assert "line 1: the heading 'Leeks' above the comments is taken as the title" in thread.import_notes


def test_a_markdown_document_with_one_name_heading_is_no_comment_page():
    readme = b"# Tool\n\n### Ana\n*March 3, 2024 at 5:12 pm*\n\nThanks for the tool.\n\n## Install\n\npip install tool\n"
    with pytest.raises(SourceError, match="could not recognise the format"):
        detect(ImportRequest((SourceDocument("README.md", readme),)))


OLD_REDDIT_COPY = (
    "18\nLeeks in winter? (self.gardening)\n\nsubmitted 2 months ago by ana\n\nMy leeks bolted.\n\n"
    "all 6 comments\nsorted by: best\n\n"
    "[–]bob 5 points 2 months ago \n\nSow later.\n\npermalinkembedsavereportgive awardreply\n\n"
    "[–]cleo [S] 2 points 2 months ago \n\n> Sow later.\n\nWhen?\n\npermalinkembedsaveparentreportgive awardreply\n\n"
    "[–]dan 1 point 2 months ago \n\nIn May.\n\npermalinkembedsaveparentreportgive awardreply\n\n"
    "load more comments (2 replies)\n\n"
    "[+]eve 3 points 2 months ago (4 children)\n\n"
    "[–]fay\n\n 1 point 2 months ago\n\nNice.\n\npermalinkembedsavereportreply\n"
)


def test_an_old_reddit_page_copied_as_text_is_read_with_points_and_the_nesting_its_links_tell():
    thread = import_thread(ImportRequest((SourceDocument("copy.txt", OLD_REDDIT_COPY.encode()),)), "auto")
    by_id = {r.id: r.author for r in thread.replies}
    assert [(r.author, r.engagement.score, by_id.get(r.parent_id)) for r in thread.replies] == [
        ("bob", 5, None), ("cleo", 2, "bob"), ("dan", 1, None), ("eve", 3, None), ("fay", 1, None)]
    assert thread.replies[1].body == "<blockquote><p>Sow later.</p></blockquote><p>When?</p>"
    assert all("permalink" not in r.body for r in thread.replies)
    assert (thread.title, thread.author, thread.note, thread.total_replies, thread.partial) == (
        "Leeks in winter?", "ana", "My leeks bolted.", 6, True)
    assert thread.import_notes == (
        "line 9: 'sorted by: best' is the site's, not the discussion's: left out",
        "line 25: 1 reply answers a comment deeper in the branch above, which the copy does not tell (its indentation is "
        "lost; such as dan's here): imported as answering the post, not guessed",
        "line 31: 2 answers the page did not show here ('More replies', 'load more comments', 'continue this thread'): not copied",
        "line 33: the comment by eve was folded (4 children): its text and the answers under it were not copied",
        "line 33: reply by eve has no text",
        "Reddit shows times relative to when the page was copied (such as '2 months ago'), which the copy does not say: "
        "kept as written; `digest import` of the thread's address (https://www.reddit.com/r/SUB/comments/ID/) reads it "
        "with its exact times and nesting",
        "the story counts 6 comments but the copy holds 5: the rest were not copied (folded, on a later page, or dead)",
    )


def test_an_old_reddit_copy_starting_inside_a_comment_is_partial():
    text = ("the end of a comment\n\npermalinkembedsavereportreply\n\n[–]ana\n\n[S] 1 point 1 month ago\n\nFirst.\n\n"
            "[–]bob\n\n 1 point 1 month ago\n\nSecond.\n")
    thread = import_thread(ImportRequest((SourceDocument("copy.txt", text.encode()),)), "forum-text")
    assert [(r.author, r.body, r.engagement.score) for r in thread.replies] == [("ana", "<p>First.</p>", 1), ("bob", "<p>Second.</p>", 1)]
    assert (thread.note, thread.partial) == (None, True)
    assert thread.import_notes[:2] == (
        "line 1: the copy starts inside a comment whose byline was not copied (ending in its links): left out, and the "
        "thread is partial",
        "line 5: 2 replies (such as ana's here) lost the links under the comment that tell whether it answers the post or "
        "a comment: imported as answering the post",
    )


def test_a_hacker_news_byline_whose_links_went_to_the_next_line_is_one_byline():
    text = ("Ozzie_osman 3 months ago  \n             | next [–] \n\nLangChain is awesome.\n\n"
            "jerryjliu 3 months ago  \n             | parent | next [–] \n\nAlso see GPT Index.\n")
    thread = import_thread(ImportRequest((SourceDocument("loaded.txt", text.encode()),)), "auto")
    assert [(r.author, r.posted_at_text, r.body) for r in thread.replies] == [
        ("Ozzie_osman", "3 months ago", "<p>LangChain is awesome.</p>"), ("jerryjliu", "3 months ago", "<p>Also see GPT Index.</p>")]
    assert thread.replies[1].parent_id == thread.replies[0].id


def test_a_forum_export_quoting_a_hacker_news_byline_stays_a_forum_export():
    thread = _import_text("Guest - Ana\nI saw this on HN:\nbob 3 hours ago | parent | next [–]\nquoted text\n\nGuest - Ben\nThanks.\n")
    assert [r.author for r in thread.replies] == ["Ana", "Ben"]
    assert "bob 3 hours ago | parent | next [–] quoted text" in thread.replies[0].body



# Lines a byline or title rule once read in quadratic or cubic time (minutes at this length).
LONG_RUN = 100_000


@pytest.mark.parametrize("line", [
    "9" * LONG_RUN,  # a time at the end of a line whose links went to the next
    "[-] alice x" + " " * LONG_RUN + "x",  # old Reddit's name line
    "[–]alice 5 points 1 day ago" + " " * LONG_RUN + "x",  # old Reddit's points and time
    "bob 7 months ago | next" + " " * (3 * LONG_RUN) + "x",  # HN's fold toggle after the links (quadratic only)
])
def test_a_news_page_comment_with_a_long_run_of_digits_or_spaces_is_its_text(line):
    text = HN_COPY.replace("First.\nreply", f"First.\n{line}\nreply")
    thread = import_thread(ImportRequest((SourceDocument("copy.txt", text.encode()),)), "forum-text")
    assert [r.author for r in thread.replies] == ["bob", "cleo", "dan", "eve", "fay", "gus", "hal", "ivy"]
    assert thread.replies[0].body == f"<p>First.<br>{line}</p>"


def test_a_news_page_comment_with_a_long_indented_line_is_code():
    text = HN_COPY.replace("First.\nreply", "First.\n" + " " * LONG_RUN + "x\nreply")
    thread = import_thread(ImportRequest((SourceDocument("copy.txt", text.encode()),)), "forum-text")
    assert [r.author for r in thread.replies] == ["bob", "cleo", "dan", "eve", "fay", "gus", "hal", "ivy"]
    assert thread.replies[0].body == "<p>First.<br></p><pre>" + " " * LONG_RUN + "x</pre>"


def test_a_news_page_title_with_a_long_run_of_spaces_is_the_title():
    text = HN_COPY.replace("Leeks in winter", "Leeks" + " " * LONG_RUN + "in winter")
    thread = import_thread(ImportRequest((SourceDocument("copy.txt", text.encode()),)), "forum-text")
    assert (thread.title, thread.author, thread.total_replies) == ("Leeks" + " " * LONG_RUN + "in winter", "ana", 9)


def test_a_blog_copy_with_long_runs_of_blanks_is_read_in_one_pass():
    text = "\t" * LONG_RUN + "Newer Post\n" + ZONELESS_COPY.replace("First.\n", "First.\nBob" + " " * LONG_RUN + "x\n")
    thread = import_thread(ImportRequest((SourceDocument("copy.txt", text.encode()),)), "forum-text")
    assert [r.author for r in thread.replies] == ["Ana", "Ben", "Cleo"]
    assert thread.replies[0].body == "<p>First.<br>Bob" + " " * LONG_RUN + "x</p>"
    assert thread.import_notes[1] == "line 1: 'Newer Post' is the page's navigation, not a note: left out"


def test_a_blog_copy_counting_in_thousands_of_digits_keeps_the_counts_as_text():
    huge = "9" * 5000  # Python refuses to read a number of over 4,300 digits
    text = f"{huge} thoughts on “Leeks”\n" + ZONELESS_COPY.replace("First.\n", f"First.\nLiked by {huge} people\n")
    thread = import_thread(ImportRequest((SourceDocument("copy.txt", text.encode()),)), "forum-text")
    assert [r.author for r in thread.replies] == ["Ana", "Ben", "Cleo"]
    assert (thread.title, thread.total_replies, thread.note) == (None, None, f"{huge} thoughts on “Leeks”")
    assert (thread.replies[0].body, thread.replies[0].engagement.likes) == (f"<p>First.<br>Liked by {huge} people</p>", None)

NEW_REDDIT_COPY = (
    "Leeks in winter? : r/gardening\nSkip to main content\nOpen menu\nr/gardening\n•\n2y ago\nana\nArchived post\n"
    "Leeks in winter?\nMy leeks bolted.\nUpvote 41 Downvote 25 Go to comments Share\nSort by: Best\nOpen comment sort options\n"
    "Best\nTop\nSearch Comments Expand comment search\nCancel\nComments Section\n"
    "bob\n•\n2y ago\nSow later.\nUpvote 14 Downvote Reply Award Share\nReport\nAward\nShare\n"
    "cleo\n•\n1y ago \nTop 1% Poster\nWhen?\nIn May?\nUpvote 5 Downvote Reply Award Share\nReport\nAward\nShare\nMore replies\n"
    "[dan](https://www.reddit.com/user/dan/)\n\nOP\n\n• [3mo ago](https://www.reddit.com/r/gardening/comments/1a/comment/x9/)\n\n"
    "Thanks all.\n\nUpvote 1 Downvote Reply Award Share\n\nNew to Reddit?\nCreate your account and connect with a world of communities.\n"
)


def test_a_new_reddit_page_copied_as_text_gives_scores_permalinks_and_says_it_shows_no_nesting():
    thread = import_thread(ImportRequest((SourceDocument("copy.txt", NEW_REDDIT_COPY.encode()),)), "auto")
    assert [(r.author, r.posted_at_text, r.engagement.score, r.body, r.parent_id) for r in thread.replies] == [
        ("bob", "2y ago", 14, "<p>Sow later.</p>", None),
        ("cleo", "1y ago", 5, "<p>When?<br>In May?</p>", None),
        ("dan", "3mo ago", 1, "<p>Thanks all.</p>", None),
    ]
    assert thread.replies[2].permalink == "https://www.reddit.com/r/gardening/comments/1a/comment/x9/"
    assert (thread.title, thread.author, thread.note, thread.partial) == ("Leeks in winter?", "ana", "My leeks bolted.", True)
    assert thread.import_notes == (
        "line 19: a Reddit page copied as text does not show which comment answers which: every reply is imported as "
        "answering the post",
        "line 37: answers the page did not show here ('More replies', 'load more comments', 'continue this thread'): not copied",
        "Reddit shows times relative to when the page was copied (such as '2y ago'), which the copy does not say: kept as "
        "written; `digest import` of the thread's address (https://www.reddit.com/r/SUB/comments/ID/) reads it with its "
        "exact times and nesting",
    )


def test_a_markdown_comment_nests_lists_as_github_does():
    """GitHub nests a list under its item's text (two spaces under "- ", three under "1. ");
    Python-Markdown only under four, so these came out flat."""
    from digest.sources.forum_text_body import markdown_body

    lines = ["- soil", "  - clay", "  - sand", "- water", "", "1. cut", "   1. at an angle", "2. seal", "",
             "- a point", "", "  its second paragraph", "- another point"]
    assert markdown_body(lines) == (
        "<ul><li>soil<ul><li>clay</li><li>sand</li></ul></li><li>water</li></ul>"
        "<ol><li>cut<ol><li>at an angle</li></ol></li><li>seal</li></ol>"
        "<ul><li><p>a point</p><p>its second paragraph</p></li><li><p>another point</p></li></ul>")
    assert markdown_body(["* a", "    * four spaces nest too", "* b"]) == "<ul><li>a<ul><li>four spaces nest too</li></ul></li><li>b</li></ul>"
    assert markdown_body(["```", "- not", "  - a list", "```"]) == "<pre><code>- not\n  - a list\n</code></pre>"


def test_a_markdown_comment_keeps_its_table_rows_and_lists_apart():
    from digest.sources.forum_text_body import markdown_body

    lines = ["|tool|price|", "|-|-|", "|shears|12|", "", "* shears", "* saw", "", "1. cut", "2. seal"]
    assert markdown_body(lines) == ("<p>tool | price</p><p>shears | 12</p><ul><li>shears</li><li>saw</li></ul>"
                                    "<ol><li>cut</li><li>seal</li></ol>")
