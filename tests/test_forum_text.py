"""The seed importer: the plain-text forum export the project started from."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from digest.sources import ImportRequest, SourceDocument, detect, import_thread, load_documents
from digest.sources.canonical import dumps, loads
from digest.sources.common import find_mentions
from digest.errors import SourceError
from tests.conftest import ROOT

import pytest

GOLDEN = ROOT / "tests" / "golden" / "kasama-thread.json"
RETRIEVED = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _import_text(text: str):
    request = ImportRequest((SourceDocument("inline.txt", text.encode()),), retrieved_at=RETRIEVED)
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


def test_not_utf8_names_the_offset():
    request = ImportRequest((SourceDocument("bad.txt", b"Guest - A\ncaf\xe9\n"),))
    with pytest.raises(SourceError) as info:
        import_thread(request, "forum-text")
    assert "bad.txt" in str(info.value) and "byte offset 13, line 2" in str(info.value)


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


def test_utf16_is_named_as_such():
    request = ImportRequest((SourceDocument("u16.txt", "Guest - René\nCafé\n".encode("utf-16")),))
    with pytest.raises(SourceError) as info:
        import_thread(request, "forum-text")
    assert "UTF-16" in info.value.message and "iconv -f utf-16 -t utf-8" in info.value.fix
    assert "windows-1252" not in info.value.fix
    assert detect(request) == "forum-text"  # so that --format auto says so too


def test_a_pre_block_keeps_its_lines_in_every_layout():
    """Code pasted in a <pre> keeps its lines and indentation; the export's own blank lines
    (one after every line in the seed's layout) are not the code's."""
    seed_layout = "Guest - Ann \n\nLook: \n\n<pre>def f(): \n\n    return 1 \n\n \n\nprint(f())</pre> \n\n \n\nThanks. \n\nGuest - Ben \n\nOk. \n"
    plain = "Guest - Ann\nLook:\n<pre>def f():\n    return 1\n\nprint(f())</pre>\n\nThanks.\n\nGuest - Ben\nOk.\n"
    for text in (seed_layout, plain):
        body = _import_text(text).replies[0].body
        assert body == "<p>Look:</p><pre>def f():\n    return 1\n\nprint(f())</pre><p>Thanks.</p>"
