"""The mbox reader on real archives (Perceval, Patchwork, HyperKitty test data) and our own text."""

from __future__ import annotations

import mailbox
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, canonical, common, load_documents, mbox
from digest.sources.mail import attributions
from tests.sources.fuzzing import assert_round_trip, only_source_errors


def _read(path: Path, thread: str | None = None):
    return mbox.read(ImportRequest(load_documents(path), thread=thread))


def _text(text: str | bytes, thread: str | None = None, name: str = "test.mbox"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return mbox.read(ImportRequest((SourceDocument(name, data),), thread=thread))


def _all(thread):
    return ([thread.opening_post] if thread.opening_post else []) + list(thread.replies)


# ---------------------------------------------------------------------------- sniffing

def test_sniff_claims_mbox_and_single_messages_but_not_pipermail_or_other_formats(shared_data):
    def doc(rel):
        return load_documents(shared_data / rel)[0]

    for rel in (
        "perceval-fixtures/mbox/mbox_complex.mbox",
        "perceval-fixtures/groupsio/messages.mbox",
        "mbox-edgecases-patchwork/series/base-deep-threaded.mbox",
        "mbox-edgecases-patchwork/mail/0016-no-subject.mbox",  # no From_ line: a bare RFC 5322 message
        "email-edgecases-hyperkitty-pypi/attachment-1.txt",
    ):
        assert mbox.sniff(doc(rel)), rel
    for rel in (
        "perceval-fixtures/pipermail/pipermail_2015_november.mbox",
        "perceval-fixtures/hyperkitty/hyperkitty_2016_april.mbox",  # pipermail text despite its name
        "perceval-fixtures/discourse/discourse_topic_1148.json",
        "perceval-fixtures/rss/rss_entries.xml",
        "feeds/guardian.rss",
        "reddit-thread/reddit_r-funny_3hahrw_comments.json",
        "stackexchange-coffee/coffee.stackexchange.Posts.xml",
        "nyt-picks-2014/testInputComments.csv.gz",
    ):
        assert not mbox.sniff(doc(rel)), rel
    assert not mbox.sniff(SourceDocument("x.txt", b"From the desk of the editor,\nwe have news.\n"))
    assert not mbox.sniff(SourceDocument("x.txt", b""))


# ---------------------------------------------------------------------------- real archives

def test_single_message_decodes_iso_8859_1_author(shared_data):
    thread = _read(shared_data / "perceval-fixtures/mbox/mbox_single.mbox")
    assert thread.id == "4CF64D10.9020206@domain.com"
    assert thread.author == "Göran Lastname"
    assert thread.title == "[List-name] Protocol Buffers anyone?"
    assert thread.replies == ()
    op = thread.opening_post
    assert op.posted_at == datetime(2010, 12, 1, 13, 26, 40, tzinfo=timezone.utc)
    assert "A message in English, with a signature" in op.body
    assert_round_trip(thread, "x.json")


def test_bytes_python_mailbox_cannot_decode_do_not_stop_the_import(shared_data):
    path = shared_data / "perceval-fixtures/mbox/mbox_iso8859_encoding.mbox"
    with pytest.raises(UnicodeDecodeError):  # why we split the mbox ourselves
        list(mailbox.mbox(str(path)))
    thread = _read(path)
    assert thread.author == "Lucía Charlie"  # =?UTF-8?Q?Luc=eda?= is really Latin-1
    assert thread.title == "[ovs-dev] Remittance Advice"
    assert "payment has now been processed" in thread.opening_post.body


def test_reply_whose_ancestors_are_missing_is_partial_and_keeps_its_attribution(shared_data):
    thread = _read(shared_data / "perceval-fixtures/mbox/mbox_unixfrom_encoding.mbox")
    assert thread.id == "20150115132225.GA22378@example.org"
    assert thread.author == "Christian Aistleitner"
    assert thread.partial is True
    assert thread.import_notes[0].startswith("7 referenced message(s) are not in the source")
    body = thread.opening_post.body
    assert "<p>On Wed, Jan 14, 2015 at 12:07:57PM -0600, Aaron Halfaker wrote:</p><blockquote>" in body


def test_several_threads_need_a_selector_and_the_error_lists_them(shared_data):
    path = shared_data / "perceval-fixtures/mbox/mbox_complex.mbox"
    with pytest.raises(SourceError) as error:
        _read(path)
    message = str(error.value)
    assert "holds 2 threads" in message
    assert "<BAY12-DAV6Dhd2stb2e0000c0ce@hotmail.com>  'Re: Revisiting the Gnome Bindings'  (1 message)" in message
    assert "<87iqzlofqu.fsf@avet.kvota.net>  'Re: Low memory hacks'  (1 message)" in message
    assert "--thread" in error.value.fix

    by_subject = _read(path, thread="low MEMORY")
    by_id = _read(path, thread="<87iqzlofqu.fsf@avet.kvota.net>")
    assert by_subject == by_id
    assert by_id.author == "Danilo Šegan"
    assert by_id.title == "Low memory hacks"  # "Re:" dropped from the title, kept on the post
    assert by_id.opening_post.title == "Re: Low memory hacks"
    assert "the source holds 1 other thread(s), not imported" in by_id.import_notes
    assert _read(path, thread="BAY12-DAV6Dhd2stb2e0000c0ce@hotmail.com").author == "Eugenia Loli-Queru"


def test_selector_matching_several_threads_or_none_is_an_error(shared_data):
    path = shared_data / "perceval-fixtures/groupsio/messages.mbox"
    with pytest.raises(SourceError) as error:
        _read(path)
    assert "holds 21 threads" in str(error.value) and "... and 1 more" in str(error.value)
    with pytest.raises(SourceError) as error:
        _read(path, thread="and more")
    assert "matches 7 threads" in str(error.value)  # 7 subjects end in "and more"
    assert "'Slack Member Sync and More'" in str(error.value)
    with pytest.raises(SourceError) as error:
        _read(path, thread="no such subject")
    assert "no thread matches" in str(error.value)


def test_html_only_messages_and_subject_grouping(shared_data):
    path = shared_data / "perceval-fixtures/groupsio/messages.mbox"
    intro = _read(path, thread="Introducing Groups.io")
    assert intro.author == "updates-owner"  # no display name: the local part, never the address
    assert "<a href=\"https://groups.io/\">Groups.io</a>" in intro.opening_post.body
    assert "<li>Integration with other services" in intro.opening_post.body
    # 29 announcements share one subject and carry no references: joined by subject, JWZ-style
    changelog = _read(path, thread="#changelog")
    assert changelog.author == "Mark Fletcher"
    assert len(changelog.replies) == 28
    assert all(r.parent_id is None for r in changelog.replies)
    assert "<li>CHANGE: Clarification in the help on hashtag behavior.</li>" in changelog.opening_post.body


def test_duplicate_copies_are_dropped_and_unreadable_dates_kept_as_text(shared_data):
    path = shared_data / "perceval-fixtures/mbox/mbox_no_fields.mbox"
    buffers = _read(path, thread="protocol buffers")
    assert buffers.replies == ()  # five copies of one mail (one without Message-ID)
    assert "repeated copies of <4CF64D10.9020206@domain.com> were skipped" in buffers.import_notes
    folding = _read(shared_data / "email-edgecases-hyperkitty-pypi/bad_folding.txt")
    assert folding.opening_post.posted_at is None
    assert folding.opening_post.posted_at_text == "Tue, 30 Nov 1999 23:56:33 -3000 (CST)"
    assert folding.title == "[<redacted>] Sicherheit 2005: Stichworte und Vorschlag PC-Mitglieder; Ergänzung!"
    unixfrom = _read(shared_data / "email-edgecases-hyperkitty-pypi/unixfrom-date.txt")
    assert unixfrom.opening_post.posted_at is None  # the From_ line has no time zone: not guessed
    assert unixfrom.opening_post.posted_at_text == "Mon Nov 9 21:54:11 1999"


def test_patch_series_threads_by_references(shared_data):
    thread = _read(shared_data / "mbox-edgecases-patchwork/series/revision-threaded-to-cover.mbox")
    assert thread.title == "[PATCH 0/2] A sample series"
    assert thread.author == "Stephen Finucane"
    parents = {r.id.split("-git-")[0]: r.parent_id for r in thread.replies}
    assert parents == {
        "1473632524-8585-2": None,
        "1473632524-8585-3": None,
        "1473633055-10316-1": None,  # v2 cover answers the v1 cover, which opens the thread
        "1473633055-10316-2": "1473633055-10316-1-git-send-email-stephenfinucane@gmail.com",
        "1473633055-10316-3": "1473633055-10316-1-git-send-email-stephenfinucane@gmail.com",
    }
    assert [r.id.split("-git-")[0] for r in thread.replies] == [
        "1473632524-8585-2", "1473632524-8585-3", "1473633055-10316-1", "1473633055-10316-2", "1473633055-10316-3",
    ]
    assert thread.partial is False and thread.import_notes == ()
    assert_round_trip(thread, "x.json")

    deep = _read(shared_data / "mbox-edgecases-patchwork/series/base-deep-threaded.mbox")
    # 2/2 lists 1/2 in References, but its In-Reply-To (and last reference) is the cover letter
    assert [r.parent_id for r in deep.replies] == [None, None]


def test_same_series_sent_three_times_is_joined_by_subject(shared_data):
    thread = _read(shared_data / "mbox-edgecases-patchwork/series/bugs-spamming.mbox")
    assert thread.id == "20180917165927.22598-1-vkabatov@redhat.com"  # the earliest of the three copies
    assert thread.author == "vkabatov"
    assert [r.id for r in thread.replies] == [
        "20180917170156.23280-1-vkabatov@redhat.com",
        "20180917170335.23838-1-vkabatov@redhat.com",
    ]


def test_decoded_utf8_author_from_encoded_and_raw_headers(shared_data):
    for name in ("0013-with-utf8-body.mbox", "0014-with-unencoded-utf8-headers.mbox", "0015-with-invalid-utf8-headers.mbox"):
        thread = _read(shared_data / "mbox-edgecases-patchwork/mail" / name)
        assert thread.author == "Rafał Miłecki", name
    no_subject = _read(shared_data / "mbox-edgecases-patchwork/mail/0016-no-subject.mbox")
    assert no_subject.id == "ABC@DEF" and no_subject.title is None and no_subject.author == "Yann E. MORIN"


def _edge_case_files(shared: Path) -> list[Path]:
    return sorted((shared / "email-edgecases-hyperkitty-pypi").glob("*.txt")) + sorted(
        (shared / "mbox-edgecases-patchwork").glob("*/*.mbox")
    )


def test_every_edge_case_file_imports_or_gives_one_clean_error(shared_data):
    imported = 0
    for path in _edge_case_files(shared_data):
        try:
            thread = _read(path)
        except SourceError as error:
            assert error.where and error.fix, path
            continue
        imported += 1
        assert thread.opening_post is not None, path
        for reply in _all(thread):
            assert reply.author and "@" not in reply.author, (path, reply.author)
            assert reply.posted_at is None or reply.posted_at.tzinfo is not None
        assert_round_trip(thread, "x.json")
    assert imported >= 45


def test_message_without_text_part_imports_with_a_note(shared_data):
    thread = _read(shared_data / "email-edgecases-hyperkitty-pypi/unconvertable_msg-2.txt")
    # the message is only a file, of a type that breaks RFC 2045: named, never shown
    assert thread.opening_post.body == "<p>Attachment: unnamed file (application/octet-stream, 3 bytes), not shown</p>"
    assert "no readable text in <msg1>" in thread.import_notes


# ---------------------------------------------------------------------------- our own text

THREADED = """\
From alice@example.org  Mon Jan  1 10:00:00 2024
From: Alice Example <alice@example.org>
Date: Mon, 1 Jan 2024 10:00:00 +0000
Subject: [garden] Tomatoes in January
Message-ID: <root@example.org>

Who grows tomatoes indoors?

From bob@example.org  Mon Jan  1 11:00:00 2024
From: "Bob B." <bob@example.org>
Date: Mon, 1 Jan 2024 11:00:00 +0000
Subject: Re: [garden] Tomatoes in January
Message-ID: <b1@example.org>
In-Reply-To: <root@example.org>
References: <root@example.org>

I do, under a lamp. Ask @Carol too.

From carol@example.org  Mon Jan  1 12:00:00 2024
From: carol@example.org
Date: Mon, 1 Jan 2024 12:00:00 +0000
Subject: Re: [garden] Tomatoes in January
Message-ID: <c1@example.org>
References: <root@example.org> <missing@example.org> <b1@example.org>

Bob wrote:
> I do, under a lamp.
Which lamp?

>From the shed we get light too.

From dave@example.org  Mon Jan  1 09:00:00 2024
From: Dave <dave@example.org>
Date: Mon, 1 Jan 2024 13:00:00 +0000
Subject: RE: Re: [garden]  Tomatoes in   January
Message-ID: <d1@example.org>

My client drops references.

From eve@example.org  Mon Jan  1 14:00:00 2024
From: Eve <eve@example.org>
Date: Mon, 1 Jan 2024 14:00:00 +0000
Subject: Re: Tomatoes in January
Message-ID: <e1@example.org>
References: <elsewhere@example.org>

A reply to a message we do not have, same subject.
"""


def test_references_first_subject_only_for_messages_without_any():
    thread = _text(THREADED)
    assert thread.id == "root@example.org" and thread.author == "Alice Example"
    replies = {r.id: r for r in thread.replies}
    assert set(replies) == {"b1@example.org", "c1@example.org", "d1@example.org", "e1@example.org"}
    assert replies["b1@example.org"].parent_id is None  # answers the opening post
    assert replies["c1@example.org"].parent_id == "b1@example.org"  # In-Reply-To absent: last reference
    assert replies["d1@example.org"].parent_id is None  # no references: placed by subject
    # Eve answers a message we do not have; with a reference-less root of the same subject
    # (the usual sign of a rewritten Message-ID) her message joins the thread by subject
    assert replies["e1@example.org"].parent_id is None
    assert replies["c1@example.org"].author == "carol"
    assert thread.partial is True  # <missing@example.org> sits in the chain
    assert any("<missing@example.org>" in note and "<elsewhere@example.org>" in note for note in thread.import_notes)
    assert any(
        "joined to this thread by subject" in note and "<d1@example.org>" in note and "<e1@example.org>" in note
        for note in thread.import_notes
    )
    assert [r.id for r in thread.replies] == ["b1@example.org", "c1@example.org", "d1@example.org", "e1@example.org"]
    assert [m.name for m in replies["b1@example.org"].mentions] == ["Carol"]
    assert_round_trip(thread, "x.json")


def test_thread_whose_first_message_is_missing_has_no_opening_post():
    text = (
        "From a@x  Mon Feb  5 10:00:00 2024\nFrom: A <a@x>\nSubject: Re: Last month's plan\n"
        "Date: Mon, 5 Feb 2024 10:00:00 +0000\nMessage-ID: <a1@x>\nIn-Reply-To: <january@x>\n\nStill on.\n\n"
        "From b@x  Mon Feb  5 11:00:00 2024\nFrom: B <b@x>\nSubject: Re: Last month's plan\n"
        "Date: Mon, 5 Feb 2024 11:00:00 +0000\nMessage-ID: <b1@x>\nReferences: <january@x>\n\nAgreed.\n"
    )
    thread = _text(text)
    assert thread.id == "january@x" and thread.opening_post is None and thread.author is None
    assert thread.title == "Last month's plan"
    assert [(r.id, r.parent_id) for r in thread.replies] == [("a1@x", None), ("b1@x", None)]
    assert thread.partial is True
    assert "the message that started the thread is not in the source; its replies are imported without it" in thread.import_notes
    assert_round_trip(thread, "x.json")


def test_a_message_that_cannot_be_parsed_is_skipped_with_its_offset(monkeypatch):
    real = mbox.email.message_from_bytes

    def fragile(data, *args, **kwargs):
        if b"<c1@example.org>" in data:
            raise ValueError("parser gave up")
        return real(data, *args, **kwargs)

    monkeypatch.setattr(mbox.email, "message_from_bytes", fragile)
    thread = _text(THREADED)
    offset = THREADED.encode().index(b"From carol@example.org")
    assert f"test.mbox at byte {offset}: a message that could not be parsed was skipped (ValueError)" in thread.import_notes
    assert "c1@example.org" not in {r.id for r in thread.replies}


def test_attribution_line_stays_with_its_quote_and_mbox_escapes_are_undone():
    carol = _text(THREADED).reply("c1@example.org")
    assert carol.body.startswith("<p>Bob wrote:</p><blockquote><p>I do, under a lamp.</p></blockquote>")
    assert "<p>From the shed we get light too.</p>" in carol.body


def test_undecodable_bytes_and_wrong_charsets_never_stop_the_import():
    data = (
        b"From \xff\xfe@example.org  Tue Feb  6 08:00:00 2024\n"
        b"From: =?x-unknown-charset?Q?J=F6rg?= <j\xf6rg@example.org>\n"
        b"Subject: Caf\xe9 =?utf-8?B?w6lsw6k=?=\n"
        b"Date: Tue, 6 Feb 2024 08:00:00 +0100\n"
        b"Message-ID: <bytes@example.org>\n"
        b"Content-Type: text/plain; charset=\"utf-8\"\n"
        b"Content-Transfer-Encoding: 8bit\n"
        b"\n"
        b"Na\xefve \xff bytes in a body that says utf-8.\n"
        b"\n"
        b"From x@example.org  Tue Feb  6 09:00:00 2024\n"
        b"From: X <x@example.org>\n"
        b"Subject: Re: Caf\xe9\n"
        b"Message-ID: <two@example.org>\n"
        b"In-Reply-To: <bytes@example.org>\n"
        b"Content-Type: text/plain; charset=bogus-charset\n"
        b"\n"
        b"\xe4\xf6\xfc in no known charset.\n"
    )
    thread = _text(data)
    assert thread.author == "Jörg"  # unknown charset: not UTF-8, so Latin-1
    assert thread.title == "Café élé"
    assert "Naïve" in thread.opening_post.body and "bytes in a body" in thread.opening_post.body
    assert thread.opening_post.posted_at == datetime(2024, 2, 6, 7, 0, tzinfo=timezone.utc)
    reply = thread.replies[0]
    assert "äöü in no known charset." in reply.body and reply.parent_id is None
    assert_round_trip(thread, "x.json")


def test_single_rfc5322_message_without_from_line():
    text = (
        "Message-ID: <only@example.org>\r\n"
        "From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.org>\r\n"
        "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n"
        "Date: Wed, 7 Feb 2024 12:00:00 -0500\r\n"
        "Content-Type: multipart/alternative; boundary=XX\r\n\r\n"
        "--XX\r\nContent-Type: text/html\r\n\r\n<p>html <b>only</b> if no plain</p>\r\n"
        "--XX\r\nContent-Type: text/plain\r\n\r\nPlain wins.\r\n-- \r\nAndré\r\n--XX--\r\n"
    )
    doc = SourceDocument("single.eml", text.encode())
    assert mbox.sniff(doc)
    thread = _text(text, name="single.eml")
    assert thread.id == "only@example.org" and thread.author == "André" and thread.title == "Grüße"
    assert thread.opening_post.body == '<p>Plain wins.</p><pre class="signature">André</pre>'
    assert thread.opening_post.posted_at == datetime(2024, 2, 7, 17, 0, tzinfo=timezone.utc)


def test_not_mail_is_a_source_error_naming_the_file():
    with pytest.raises(SourceError) as error:
        _text('{"digest_thread": 1}', name="thread.json")
    assert error.value.where == "thread.json" and error.value.fix


# git format-patch output pasted into a message body: its From_ line is not a separator
_PASTED_PATCH = (
    "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"
    "From: Contributor <helper@example.org>\n"
    "Date: Fri, 3 May 2024 18:00:00 +0000\n"
    "Subject: [PATCH] tidy the widget\n"
    "\n"
    "Tidy up.\n"
)


def test_single_message_keeps_a_pasted_git_patch_whole():
    # a file without a From_ line is one message, whatever From_ lines its body holds
    text = (
        "From: Maintainer <keeper@example.org>\n"
        "Subject: FAILED: patch \"[PATCH] tidy the widget\" does not apply\n"
        "Date: Mon, 6 May 2024 09:00:00 +0200\n"
        "Message-ID: <failed-1@example.org>\n"
        "\n"
        "The commit below does not apply to the old branch.\n"
        "\n"
        + _PASTED_PATCH
    )
    thread = _text(text, name="failed.eml")
    assert thread.id == "failed-1@example.org" and thread.replies == ()
    assert "Tidy up." in thread.opening_post.body and thread.import_notes == ()


def test_git_patch_marker_inside_an_mbox_body_is_not_a_separator_unless_the_file_is_format_patch_output():
    pasted = (
        "From keeper@example.org  Mon May  6 09:00:00 2024\n"
        "From: Maintainer <keeper@example.org>\n"
        "Subject: please review\n"
        "Date: Mon, 6 May 2024 09:00:00 +0200\n"
        "Message-ID: <review@example.org>\n"
        "\n"
        "Here is what I mean:\n"
        "\n"
        + _PASTED_PATCH
    )
    thread = _text(pasted)
    assert thread.id == "review@example.org" and thread.replies == ()
    assert "Tidy up." in thread.opening_post.body
    series = (
        "From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\n"
        "From: Contributor <helper@example.org>\nDate: Fri, 3 May 2024 18:00:00 +0000\n"
        "Subject: [PATCH 1/2] tidy the widget\n\nFirst.\n\n"
        "From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001\n"
        "From: Contributor <helper@example.org>\nDate: Fri, 3 May 2024 18:01:00 +0000\n"
        "Subject: [PATCH 2/2] polish the widget\n\nSecond.\n"
    )
    with pytest.raises(SourceError) as error:  # git format-patch --stdout: two messages, two threads
        _text(series)
    assert "holds 2 threads" in str(error.value)


def test_content_length_keeps_a_from_line_inside_its_body():
    body = (
        "Quoting a raw mailbox:\n"
        "\n"
        "From someone@example.net  Tue Jan  2 10:00:00 2024\n"
        "From: Someone <someone@example.net>\n"
        "Subject: inner\n"
        "Date: Tue, 2 Jan 2024 10:00:00 +0000\n"
        "Message-ID: <inner@example.net>\n"
        "\n"
        "inner text\n"
    )
    text = (
        "From a@example.org  Mon Jan  8 10:00:00 2024\n"
        "From: A <a@example.org>\nSubject: raw copy\nDate: Mon, 8 Jan 2024 10:00:00 +0000\n"
        f"Message-ID: <outer@example.org>\nContent-Length: {len(body.encode())}\n\n"
        + body
        + "\nFrom b@example.org  Mon Jan  8 11:00:00 2024\n"
        "From: B <b@example.org>\nSubject: Re: raw copy\nDate: Mon, 8 Jan 2024 11:00:00 +0000\n"
        "Message-ID: <reply@example.org>\nIn-Reply-To: <outer@example.org>\n\nThanks.\n"
    )
    thread = _text(text)
    assert thread.id == "outer@example.org"
    assert "inner text" in thread.opening_post.body
    assert [r.id for r in thread.replies] == ["reply@example.org"]


def test_unmarked_quotes_become_blockquotes():
    text = (
        "From b@example.org  Tue Apr  2 10:00:00 2024\n"
        "From: Bea <b@example.org>\nSubject: Re: pump sizes\nDate: Tue, 2 Apr 2024 10:00:00 +0000\n"
        "Message-ID: <b1@example.org>\n\n"
        "Take the 40 litre one.\n\n"
        "From: Garden list <list@example.org> On Behalf Of Cal\n"
        "Sent: 1 April 2024 09:00\n"
        "To: list@example.org\n"
        "Subject: pump sizes\n\n"
        "Which pump for a small pond?\n\n"
        "From c@example.org  Tue Apr  2 12:00:00 2024\n"
        "From: Cal <c@example.org>\nSubject: Re: pump sizes\nDate: Tue, 2 Apr 2024 12:00:00 +0000\n"
        "Message-ID: <c2@example.org>\nIn-Reply-To: <b1@example.org>\n\n"
        "Thanks, ordered.\n\n"
        "On 2 Apr 2024, at 10:00, Bea <b@example.org> wrote:\n\n"
        "Take the 40 litre one.\n"
    )
    thread = _text(text)
    assert thread.opening_post.body.startswith("<p>Take the 40 litre one.</p><blockquote><pre>From: Garden list")  # the header block keeps its lines
    assert "Which pump for a small pond?</p></blockquote>" in thread.opening_post.body
    (cal,) = thread.replies
    assert cal.body == (
        "<p>Thanks, ordered.</p><p>On 2 Apr 2024, at 10:00, Bea wrote:</p>"
        "<blockquote><p>Take the 40 litre one.</p></blockquote>"
    )


def test_reply_loop_is_broken_at_the_earliest_message_with_a_note():
    text = (
        "From a@example.org  Sat Jun 17 10:00:00 2023\n"
        "From: Ann <a@example.org>\nSubject: second\nDate: Sat, 17 Jun 2023 10:00:00 +0000\n"
        "Message-ID: <later@example.org>\nIn-Reply-To: <earlier@example.org>\n\nLater text.\n\n"
        "From a@example.org  Fri Jun 16 10:00:00 2023\n"
        "From: Ann <a@example.org>\nSubject: first\nDate: Fri, 16 Jun 2023 10:00:00 +0000\n"
        "Message-ID: <earlier@example.org>\nIn-Reply-To: <later@example.org>\n\nEarlier text.\n"
    )
    thread = _text(text)
    assert thread.id == "earlier@example.org"
    assert [(r.id, r.parent_id) for r in thread.replies] == [("later@example.org", None)]
    assert thread.import_notes == (
        "the In-Reply-To of <earlier@example.org> closed a loop of replies and was ignored: "
        "the earliest message of the loop comes first",
    )


_DIGEST_MESSAGES = [
    ("Ann <ann@example.org>", "Mon, 10 Mar 2014 09:00:00 +0000", "<q1@example.org>", "", "Kettle", "Which kettle descales best?\n\n-- \nAnn\n"),
    ("Ben <ben@example.org>", "Mon, 10 Mar 2014 10:00:00 +0000", "<q2@example.org>", "<q1@example.org>", "Re: Kettle", "Vinegar works.\n"),
    ("Cy <cy@example.org>", "Mon, 10 Mar 2014 11:00:00 +0000", "<q3@example.org>", "<q2@example.org>", "Re: Kettle", "Citric acid too.\n"),
]


def _inner(author, date, message_id, in_reply_to, subject, text):
    answer = f"In-Reply-To: {in_reply_to}\n" if in_reply_to else ""
    return f"From: {author}\nDate: {date}\nSubject: {subject}\nMessage-ID: {message_id}\n{answer}\n{text}"


def test_mime_digest_becomes_its_messages_threaded_by_their_own_headers():
    parts = "".join(f"--D\nContent-Type: message/rfc822\n\n{_inner(*m)}\n" for m in _DIGEST_MESSAGES)
    digest = (
        "From: home-request@example.org\nSubject: Home Digest, Vol 3, Issue 9\n"
        "Date: Mon, 10 Mar 2014 12:00:00 +0000\nMessage-ID: <digest-9@example.org>\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=M\n\n"
        "--M\nContent-Type: text/plain\n\nToday's Topics:\n\n   1. Kettle (Ann)\n\n"
        f"--M\nContent-Type: multipart/digest; boundary=D\n\n{parts}--D--\n\n"
        "--M\nContent-Type: text/plain\n\n_______________\nHome mailing list\n\n--M--\n"
    )
    thread = _text(digest, name="digest.eml")
    assert (thread.id, thread.author, thread.title) == ("q1@example.org", "Ann", "Kettle")
    assert thread.opening_post.body == '<p>Which kettle descales best?</p><pre class="signature">Ann</pre>'
    assert [(r.id, r.author, r.parent_id, r.body) for r in thread.replies] == [
        ("q2@example.org", "Ben", None, "<p>Vinegar works.</p>"),
        ("q3@example.org", "Cy", "q2@example.org", "<p>Citric acid too.</p>"),
    ]
    assert thread.replies[1].posted_at == datetime(2014, 3, 10, 11, 0, tzinfo=timezone.utc)
    assert thread.import_notes == (
        "digest.eml at byte 0: the digest 'Home Digest, Vol 3, Issue 9' was split into its 3 message(s); "
        "its 2 own part(s) (table of contents, footers) were left out",
    )
    assert_round_trip(thread, "x.json")
    bare = (  # a multipart/digest on its own, its parts message/rfc822 by default (RFC 2046 5.1.5)
        "From: home-request@example.org\nSubject: Home Digest, Vol 3, Issue 10\nMessage-ID: <digest-10@example.org>\n"
        "Content-Type: multipart/digest; boundary=D\n\n"
        + "".join(f"--D\n\n{_inner(*m)}\n" for m in _DIGEST_MESSAGES[:2]) + "--D--\n"
    )
    thread = _text(bare, name="bare.eml")
    assert (thread.id, [(r.id, r.author) for r in thread.replies]) == ("q1@example.org", [("q2@example.org", "Ben")])
    assert thread.import_notes == ("bare.eml at byte 0: the digest 'Home Digest, Vol 3, Issue 10' was split into its 2 message(s)",)
    forward = (  # one attached message is a forward: it stays inside the post that carries it
        "From: Dee <dee@example.org>\nSubject: Fwd: Kettle\nDate: Tue, 11 Mar 2014 08:00:00 +0000\n"
        "Message-ID: <fwd@example.org>\nContent-Type: multipart/mixed; boundary=F\n\n"
        "--F\nContent-Type: text/plain\n\nSee below.\n"
        f"--F\nContent-Type: message/rfc822\n\n{_inner(*_DIGEST_MESSAGES[1])}\n--F--\n"
    )
    forwarded = _text(forward, name="fwd.eml")
    assert forwarded.id == "fwd@example.org" and forwarded.replies == () and forwarded.import_notes == ()
    assert "Vinegar works." in forwarded.opening_post.body


def test_plain_text_digest_rfc1153_is_split_at_its_separators():
    body_rule = "Steps:\n\n------------------------------\n\nrinse twice, then boil.\n"
    messages = "\n------------------------------\n\n".join(
        "Message: {}\n{}".format(n, _inner(*m)) for n, m in enumerate(_DIGEST_MESSAGES[:2], 1)
    ).replace("Vinegar works.\n", "Vinegar works.\n\n" + body_rule)
    digest = (
        "From: home-request@example.org\nSubject: Home Digest, Vol 3, Issue 9\n"
        "Date: Mon, 10 Mar 2014 12:00:00 +0000\nMessage-ID: <digest-9@example.org>\n"
        "Content-Type: text/plain; charset=\"us-ascii\"\n\n"
        "Send Home mailing list submissions to\n\thome@example.org\n\nToday's Topics:\n\n"
        "   1. Kettle (Ann)\n   2. Re: Kettle (Ben)\n\n\n"
        + "-" * 70 + "\n\n" + messages
        + "\n------------------------------\n\nSubject: Digest Footer\n\n_______________\nHome mailing list\n\n"
        "------------------------------\n\nEnd of Home Digest, Vol 3, Issue 9\n**********************************\n"
    )
    thread = _text(digest, name="digest.eml")
    assert (thread.id, thread.author) == ("q1@example.org", "Ann")
    (ben,) = thread.replies
    assert (ben.id, ben.author, ben.parent_id) == ("q2@example.org", "Ben", None)
    assert ben.posted_at == datetime(2014, 3, 10, 10, 0, tzinfo=timezone.utc)
    assert "rinse twice, then boil." in ben.body  # a line of hyphens in a body is no separator
    assert "Digest Footer" not in ben.body and "End of Home Digest" not in ben.body
    assert thread.import_notes == (
        "digest.eml at byte 0: the plain-text digest 'Home Digest, Vol 3, Issue 9' was split into its 2 message(s); "
        "its 3 own part(s) (table of contents, footers) were left out",
    )


def _flowed(text: str, delsp: bool = False, encoding: str = "8bit") -> bytes:
    params = "; delsp=yes" if delsp else ""
    head = (
        "From: Fay <fay@example.org>\nSubject: scan results\nDate: Sat, 1 Nov 2008 16:44:24 +0100\n"
        f"Message-ID: <flowed@example.org>\nContent-Type: text/plain; charset=utf-8; format=flowed{params}\n"
        f"Content-Transfer-Encoding: {encoding}\n\n"
    )
    return head.encode() + text.encode("utf-8")


def test_format_flowed_joins_soft_breaks_and_keeps_hard_ones():
    text = (
        "> Which channels did the \n"
        "> scan find?\n"
        ">> They were \n"
        ">> listed.\n"
        "\n"
        "These, with the \n"
        "above input:\n"
        "\n"
        "ASTRA HD:11914:h:0:27500\n"
        "ARTE HD:11361:h:0:22000\n"
        " From the second dish: none.\n"
        " >40 dB is enough\n"  # space-stuffed: text, not a quote
        "\n"
        "    if (fec == AUTO) {\n"
        "        tune();\n"
        "\n"
        "-- \n"
        "Fay\n"
        "Tuner lab\n"
    )
    body = _text(_flowed(text), name="flowed.eml").opening_post.body
    assert body == (
        "<blockquote><p>Which channels did the scan find?</p><blockquote><p>They were listed.</p></blockquote></blockquote>"
        "<p>These, with the above input:</p>"
        "<p>ASTRA HD:11914:h:0:27500<br>ARTE HD:11361:h:0:22000<br>From the second dish: none.<br>&gt;40 dB is enough</p>"
        "<pre>if (fec == AUTO) {\n    tune();</pre>"
        '<pre class="signature">Fay\nTuner lab</pre>'
    )


def test_format_flowed_hard_breaks_between_long_lines_are_line_breaks():
    """A flowed paragraph is one logical line; the sender's Enter inside a block is a line break,
    not a new paragraph, however long the lines are."""
    text = ("The tuner finds every channel on the first dish, but none at all on the second \n"
            "one, which is the one I care about.\n"
            "The cable is new and the connectors were checked twice by the installer.\n")
    body = _text(_flowed(text), name="flowed.eml").opening_post.body
    assert body == ("<p>The tuner finds every channel on the first dish, but none at all on the second one, which is the one "
                    "I care about.<br>The cable is new and the connectors were checked twice by the installer.</p>")


def test_format_flowed_quote_marks_after_the_stuffing_space_are_deeper_levels():
    """A flowed reply quoting a message that was not flowed keeps that message's "> " marks."""
    text = (
        "On Tue, 02 May 2023, Phil <phil@example.org> wrote: \n"
        "> On 1 May 2023, Jess <jess@example.org> wrote:\n"
        ">> On 1 May 2023, Bjorn <bjorn@example.org> wrote:\n"
        ">> >\n"
        ">> > Heiko <heiko@example.org> writes:\n"
        ">> >> The hwprobe call was merged.\n"
        ">> > It has a CPU mask.\n"
        ">> Where they can.\n"
        "\n"
        "Stop the flame \n"
        "wars.\n"
    )
    body = _text(_flowed(text), name="flowed.eml").opening_post.body
    assert body == (
        "<p>On Tue, 02 May 2023, Phil wrote:</p><blockquote><p>On 1 May 2023, Jess wrote:</p>"
        "<blockquote><p>On 1 May 2023, Bjorn wrote:</p><blockquote><p>Heiko writes:</p>"
        "<blockquote><p>The hwprobe call was merged.</p></blockquote><p>It has a CPU mask.</p></blockquote>"
        "<p>Where they can.</p></blockquote></blockquote><p>Stop the flame wars.</p>"
    )


def test_format_flowed_delsp_joins_without_the_space():
    import base64

    text = "日本語の文章が長い場合は行の途中で \n折り返します。URLも https://example.jp/very/long/pa \nth/file.html です。\n"
    flowed = _flowed(base64.encodebytes(text.encode()).decode("ascii"), delsp=True, encoding="base64")
    body = _text(flowed, name="delsp.eml").opening_post.body
    assert body == (
        "<p>日本語の文章が長い場合は行の途中で折り返します。URLも "
        '<a href="https://example.jp/very/long/path/file.html">https://example.jp/very/long/path/file.html</a> です。</p>'
    )


def test_raw_8bit_sender_name_is_read_in_a_guessed_charset_with_a_note():
    data = (
        b"From yuan@example.com  Fri Aug 23 13:11:33 2002\n"
        b'From: "\xd4\xac\xb4\xcf" <yuan@example.com>\n'
        b"Date: Sat, 24 Aug 2002 01:24:49 +0800\nMessage-ID: <gbk@example.com>\n"
        b'X-Reply-To: "\xd4\xac\xb4\xcf" <yuan@example.com>\n'  # a repeated name counts once
        b"Subject: refresh a control\n\nHow?\n"
    )
    thread = _text(data)
    assert thread.author == "袁聪"
    assert thread.import_notes == (
        "the sender name or subject of <gbk@example.com> is 8-bit text without a charset (no RFC 2047 encoding); "
        "it was read as GB18030 (a guess)",
    )


def test_in_reply_to_with_several_ids_answers_the_last_one_in_the_archive():
    def mail(n, *headers):
        extra = "".join(f"{h}\n" for h in headers)
        return (
            f"From d@example.com  Mon Jan {n:2d} 10:00:00 2002\nFrom: D <d@example.com>\n"
            f"Date: Mon, {n} Jan 2002 10:00:00 +0000\nMessage-ID: <r{n}@x>\n{extra}Subject: release\n\nrelease {n}\n\n"
        )

    text = (
        mail(1)
        + mail(2, "In-Reply-To: <r1@x>")
        + mail(3, "In-Reply-To: <r1@x> <r2@x>")  # Mozilla 0.9: the chain, oldest first
        + mail(4, "In-Reply-To: <r2@x> <gone@x>")  # the last id we hold
        + mail(5, "In-Reply-To: <r3@x> <r2@x>", "References: <r1@x> <r3@x>")  # the last reference among them
    )
    thread = _text(text)
    parents = {r.id: r.parent_id for r in thread.replies}
    assert parents == {"r2@x": None, "r3@x": "r2@x", "r4@x": "r2@x", "r5@x": "r3@x"}


# ---------------------------------------------------------------------------- properties

def _check(data: bytes, thread: str | None = None) -> None:
    """Only SourceError escapes, and a thread read from fuzzed mail serializes (no round trip asked)."""
    only_source_errors(mbox, [SourceDocument("fuzz.mbox", data)], thread, check=canonical.dumps)


_SEEDS = [THREADED.encode(), b"From a@b  Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody\n"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_only_raise_source_error(data):
    _check(data)
    _check(b"From x  Mon Jan  1 00:00:00 2024\n" + data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(_SEEDS),
    edits=st.lists(st.tuples(st.integers(0, 4000), st.binary(max_size=12), st.integers(0, 20)), max_size=8),
    selector=st.one_of(st.none(), st.text(max_size=12), st.just("root@example.org")),
)
def test_mutated_mail_only_raises_source_error(seed, edits, selector):
    data = bytearray(seed)
    for position, insert, delete in edits:
        position %= len(data) + 1
        data[position:position + delete] = insert
    _check(bytes(data), selector)


def test_mutated_real_samples_only_raise_source_error(shared_data):
    import random

    rng = random.Random(7)
    for path in _edge_case_files(shared_data)[::3]:
        original = path.read_bytes()
        for _ in range(5):
            data = bytearray(original)
            for _ in range(10):
                position = rng.randrange(len(data) + 1)
                data[position:position + rng.randrange(30)] = bytes(rng.randrange(256) for _ in range(rng.randrange(8)))
            _check(bytes(data))


# ---------------------------------------------------------------------------- archive shapes and dates

def test_dateless_from_lines_separate_messages_when_the_file_starts_with_one():
    def post(number: str, author: str, answers: str, text: str) -> str:
        refs = f"References: <{answers}>\n" if answers else ""
        return (
            f"From {number}\nX-Google-Thread: 106b27,5a84\nFrom: {author}@example.edu ({author})\n"
            f"Subject: routes\nDate: 1996/03/0{len(author)}\nMessage-ID: <{author}@example.edu>#1/1\n{refs}\n{text}\n\n"
        )

    archive = post("6027616436443015462", "ann", "", "Destination only.") + post(
        "-8946248053963491671", "bob", "ann@example.edu", "From what I saw, yes.\nFrom 12 hosts too."
    ) + post("8422924699967609371", "carol", "bob@example.edu", "Late.")
    thread = _text(archive)
    assert [(r.author, r.parent_id) for r in _all(thread)] == [
        ("ann", None), ("bob", None), ("carol", "bob@example.edu")
    ]
    assert "From 12 hosts too." in thread.replies[0].body  # a body line of that shape starts no message
    # in a file of dated From_ lines a dateless one stays body text
    dated = "From ann@example.edu  Mon Mar  4 10:00:00 1996\n" + post("1", "ann", "", "x").split("\n", 1)[1]
    assert len(_all(_text(dated + post("6027616436443015462", "bob", "ann@example.edu", "y")))) == 1


def test_mmdf_messages_between_ctrl_a_lines_are_read():
    delimiter = "\x01\x01\x01\x01\n"
    archive = (
        delimiter + "From: Ann <ann@x>\nSubject: Plan\nDate: Wed, 15 Jan 1997 10:00:00 -0500\nMessage-ID: <m1@x>\n\nShip it?\n"
        + delimiter + delimiter + "From: Bob <bob@x>\nSubject: Re: Plan\nDate: Wed, 15 Jan 1997 11:00:00 -0500\n"
        "Message-ID: <m2@x>\nIn-Reply-To: <m1@x>\n\nYes.\n" + delimiter
    )
    assert mbox.sniff(SourceDocument("box.mmdf", archive.encode()))
    thread = _text(archive, name="box.mmdf")
    assert [(r.id, r.author, r.body) for r in _all(thread)] == [
        ("m1@x", "Ann", "<p>Ship it?</p>"), ("m2@x", "Bob", "<p>Yes.</p>")
    ]
    assert thread.import_notes == ()


def test_uw_imap_folder_data_message_is_skipped_with_a_note():
    archive = (
        "From MAILER-DAEMON Wed Nov 23 11:38:42 2005\nDate: 23 Nov 2005 11:38:42 +0100\n"
        "From: Mail System Internal Data <MAILER-DAEMON@example.org>\n"
        "Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\nMessage-ID: <1132742322@example.org>\n"
        "X-IMAP: 1132742306 0000000001\nStatus: RO\n\nThis text is part of the internal format of your mail folder.\n\n"
        "From ann@example.com Wed Nov 23 12:00:00 2005\nFrom: Ann <ann@example.com>\nSubject: Release plan\n"
        "Date: Wed, 23 Nov 2005 12:00:00 +0100\nMessage-ID: <a1@example.com>\n\nShip on Monday?\n"
    )
    thread = _text(archive, name="INBOX")
    assert (thread.id, thread.replies) == ("a1@example.com", ())
    assert thread.import_notes == (
        "INBOX at byte 0: the mail folder's internal data message (\"DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL "
        "DATA\", written by UW-IMAP and Pine) was skipped",
    )


def test_placeholder_from_line_date_is_no_date():
    archive = (
        "From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Ann <ann@x>\nSubject: x\nDate: Mon, 15 Jun 2026 10:00:00 +0000\n"
        "Message-ID: <a@x>\n\nBody.\n\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Bob <bob@x>\nSubject: Re: x\n"
        "Message-ID: <b@x>\nIn-Reply-To: <a@x>\n\nNo date header here.\n"
    )
    (reply,) = _text(archive).replies
    assert (reply.posted_at, reply.posted_at_text) == (None, None)
    real = archive.replace("From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Bob", "From bob@x Tue Jun 16 09:00:00 2026\nFrom: Bob")
    assert _text(real).replies[0].posted_at_text == "Tue Jun 16 09:00:00 2026"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Wed, 15 Jan 2003 10:00:00 JST", datetime(2003, 1, 15, 1, 0, tzinfo=timezone.utc)),
        ("Wed, 15 Jan 2003 10:00:00 MET DST", datetime(2003, 1, 15, 8, 0, tzinfo=timezone.utc)),
        ("Wed, 15 Jan 2003 10:00:00 GMT+1", datetime(2003, 1, 15, 9, 0, tzinfo=timezone.utc)),
        ("Wed, 15 Jan 2003 10:00:00 AEST", datetime(2003, 1, 15, 0, 0, tzinfo=timezone.utc)),
        ("Wed, 15 Jan 2003 10:00:00 +0900 (JST)", datetime(2003, 1, 15, 1, 0, tzinfo=timezone.utc)),
        ("Wed, 15 Jan 2003 10:00:00 EST", datetime(2003, 1, 15, 15, 0, tzinfo=timezone.utc)),
    ],
)
def test_zone_names_python_does_not_know_are_read_from_the_table(written, expected):
    thread = _text(f"From: Ann <ann@x>\nSubject: x\nDate: {written}\nMessage-ID: <a@x>\n\nHi.\n", name="a.eml")
    assert (thread.opening_post.posted_at, thread.opening_post.posted_at_text) == (expected, None)


def test_ambiguous_or_unknown_zone_names_keep_the_date_as_text():
    for written in ("Wed, 15 Jan 2003 10:00:00 IST", "Wed, 15 Jan 2003 10:00:00 XYZT"):
        post = _text(f"From: Ann <ann@x>\nSubject: x\nDate: {written}\nMessage-ID: <a@x>\n\nHi.\n").opening_post
        assert (post.posted_at, post.posted_at_text) == (None, written)
    assert common.zone_offset("CEST") == timedelta(hours=2) and common.zone_offset("msk") == timedelta(hours=3)
    assert common.zone_offset("UTC-05:30") == timedelta(hours=-5, minutes=-30)
    assert common.zone_offset("IST") is None and common.zone_offset("GMT+99") is None


# ---------------------------------------------------------------------------- digests, forwards, quotes

def test_reply_quoting_a_plain_text_digest_is_the_senders_post():
    reply = (
        "From: Reader <reader@example.com>\nSubject: RE: demo Digest, Vol 1, Issue 2\nDate: Sun, 21 Feb 2021 04:42:02 +0000\n"
        "Message-ID: <reply-1@example.com>\n\nI disagree with Bob: the release must wait.\n\n"
        "-----Original Message-----\nFrom: demo-request@example.com\nSent: Saturday, February 20, 2021 9:18 AM\n"
        "Subject: demo Digest, Vol 1, Issue 2\n\nToday's Topics:\n\n   1. release plan (Bob)\n\n" + "-" * 70 + "\n\n"
        "Message: 1\nDate: Sat, 20 Feb 2021 01:13:40 +0000\nFrom: Bob <bob@example.com>\nSubject: release plan\n"
        "Message-ID: <bob-1@example.com>\n\nLet's ship on Monday.\n\n------------------------------\n\n"
        "End of demo Digest, Vol 1, Issue 2\n**********************************\n"
    )
    for text in (reply, reply.replace("Subject: RE: demo", "Subject: demo").replace("\n\nI disagree", "\nIn-Reply-To: <d@x>\n\nI disagree")):
        thread = _text(text, name="reply.eml")
        assert (thread.id, thread.author, thread.replies) == ("reply-1@example.com", "Reader", ())
        assert thread.opening_post.body.startswith("<p>I disagree with Bob: the release must wait.</p><blockquote>")
        assert "Let's ship on Monday." in thread.opening_post.body and not any("digest" in n for n in thread.import_notes)


def test_forward_of_two_messages_under_a_subject_naming_a_digest_stays_one_post_with_quotes():
    def attached(n: int) -> str:
        return (
            f"--b1\nContent-Type: message/rfc822\n\nFrom: Bot <bot@example.com>\nSubject: crash {n}\n"
            f"Date: Sun, 01 Mar 2020 1{n}:00:00 +0000\nMessage-ID: <bot-{n}@example.com>\n\nSegfault {n}.\n\n"
        )

    forward = (
        "From: Carol <carol@example.com>\nSubject: Fwd: two bug reports from the nightly digest\n"
        "Date: Mon, 02 Mar 2020 10:00:00 +0000\nMessage-ID: <carol-1@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\nBoth crash on ARM.\n\n"
        + attached(1) + attached(2) + "--b1--\n"
    )
    thread = _text(forward, name="fwd.eml")
    assert (thread.id, thread.author, thread.replies, thread.import_notes) == ("carol-1@example.com", "Carol", (), ())
    assert thread.opening_post.body == (
        "<p>Both crash on ARM.</p>"
        "<p>Forwarded message from Bot (Sun, 01 Mar 2020 11:00:00 +0000): crash 1</p><blockquote><p>Segfault 1.</p></blockquote>"
        "<p>Forwarded message from Bot (Sun, 01 Mar 2020 12:00:00 +0000): crash 2</p><blockquote><p>Segfault 2.</p></blockquote>"
    )
    assert mbox.own_text(thread.opening_post.body).startswith("Both crash on ARM.")
    assert "Segfault" not in mbox.own_text(thread.opening_post.body)


def test_whitespace_only_folded_line_does_not_end_a_digest_messages_headers():
    digest = (
        "From: home-request@example.org\nSubject: Home Digest, Vol 3, Issue 9\nMessage-ID: <digest-9@example.org>\n"
        "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: quoted-printable\n\n"
        "Today's Topics:\n\n   1. Kettle (Ann)\n\n" + "-" * 70 + "\n\nMessage: 1\nDate: Mon, 10 Mar 2014 09:00:00 +0000\n"
        "From: Ann <ann@example.org>\nSubject: Kettle\n=09\nMessage-ID: <q1@example.org>\n\nWhich kettle?\n\n"
        "------------------------------\n\nMessage: 2\nDate: Mon, 10 Mar 2014 10:00:00 +0000\nFrom: Ben <ben@example.org>\n"
        "Subject: Re: Kettle\nMessage-ID: <q2@example.org>\nIn-Reply-To: <q1@example.org>\n\nVinegar.\n\n"
        "------------------------------\n\nEnd of Home Digest, Vol 3, Issue 9\n*****************************\n"
    )
    thread = _text(digest, name="digest.eml")
    assert (thread.id, thread.opening_post.body, [(r.id, r.parent_id) for r in thread.replies]) == (
        "q1@example.org", "<p>Which kettle?</p>", [("q2@example.org", None)]
    )


def test_supercite_elm_and_pipe_quote_marks_become_quotes():
    def body(text: str) -> str:
        return _text(f"From: Ann <ann@x>\nSubject: Re: x\nMessage-ID: <a@x>\n\n{text}", name="a.eml").opening_post.body

    supercite = (
        '>>>>> "JH" == John Hacker <jh@example.com> writes:\n\nJH> I think the patch is wrong because it\n'
        "JH> breaks the build on IRIX.\n\nIt does not; I tested it.\n\n| Bob wrote:\n| the other patch fails.\n\nNo.\n"
    )
    assert body(supercite) == (
        '<p>"JH" == John Hacker writes:</p>'
        "<blockquote><p>I think the patch is wrong because it<br>breaks the build on IRIX.</p></blockquote>"
        "<p>It does not; I tested it.</p><blockquote><p>Bob wrote:<br>the other patch fails.</p></blockquote><p>No.</p>"
    )
    elm = "Alan said:\n:>\n:> It won't happen by itself.\n:\n:Are you saying that?\n:\nIn a way yes.\n"
    assert body(elm) == (
        "<p>Alan said:</p><blockquote><blockquote><p>It won't happen by itself.</p></blockquote>"
        "<p>Are you saying that?</p></blockquote><p>In a way yes.</p>"
    )
    # one such line alone, vim commands and table rows are the sender's own text
    assert "<blockquote>" not in body("Try this:\n:set ai\n:set nu\nthen\nLT> one line\n| a | b |\n| 1 | 2 |\n")


def test_html_only_outlook_reply_quotes_the_original_from_its_header_block():
    html = (
        '<html><body><div class="WordSection1"><p class="MsoNormal">Hi Bob,</p><p>It fails.</p>'
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>From:</b> Bob &lt;bob@x&gt;<br>'
        "<b>Sent:</b> Monday, March 2, 2020 9:00 AM<br><b>To:</b> list@x<br><b>Subject:</b> build</p></div>"
        "<p>Does 1.2 build for you?</p></div></body></html>"
    )
    mail = (
        "From: Ann <ann@x>\nSubject: RE: build\nMessage-ID: <a@x>\nMIME-Version: 1.0\n"
        f"Content-Type: text/html; charset=utf-8\n\n{html}\n"
    )
    body = _text(mail, name="a.eml").opening_post.body
    assert body.startswith("<p>Hi Bob,</p><p>It fails.</p><blockquote><p><strong>From:</strong> Bob")
    assert body.endswith("<p>Does 1.2 build for you?</p></blockquote>")
    assert mbox.own_text(body) == "Hi Bob, It fails."


@pytest.mark.parametrize(
    ("from_value", "author"),
    [
        ('"Jane Doe via Dev" <dev@lists.example.org>', "Jane Doe"),  # Mailman's DMARC rewrite
        ("\"'Richard Roe' via Dev Group\" <dev@googlegroups.com>", "Richard Roe"),  # Google Groups'
        ("Glyph Lefkowitz glyph@example.com", "Glyph Lefkowitz"),  # early Mailman: name, then bare address
        ("(no name) <(no email)>", "unknown"),
        ("Ann Smith <ann@example.org>", "Ann Smith"),
    ],
)
def test_the_senders_name_survives_list_rewrites_and_old_forms(from_value, author):
    from digest.sources.mail.decode import author_name

    assert author_name(from_value) == author


def test_quote_marks_after_a_space_are_quotes():
    """Netscape 4 wrote " > " (a space first) before each quoted line."""
    text = "Zel wrote:\n\n > *sigh*  Alright.\n >\n > From what I remember,\n > your age must say 13.\n\nFair enough.\n"
    body = _text(f"From: Ann <ann@x>\nSubject: Re: x\nMessage-ID: <a@x>\n\n{text}", name="a.eml").opening_post.body
    assert body == ("<p>Zel wrote:</p><blockquote><p>*sigh*  Alright.</p><p>From what I remember,<br>your age must say 13.</p>"
                    "</blockquote><p>Fair enough.</p>")


def test_a_message_the_list_wrapped_is_its_senders_post():
    """Mailman's DMARC "wrap message": the list's message holds the sender's whole message."""
    wrapped = (
        "Message-ID: <outer-1@lists.example.org>\nSubject: Re: plan\nFrom: Richard Roe via Dev <dev@lists.example.org>\n"
        "In-Reply-To: <root@example.com>\nContent-Type: message/rfc822\n\n"
        "Message-ID: <inner-1@example.com>\nDate: Fri, 17 Mar 2023 10:40:58 +0000\nFrom: Richard Roe <rr@example.com>\n"
        "Subject: Re: plan\nContent-Type: text/plain; charset=UTF-8\n\nYes, ship it on Monday.\n"
    )
    post = _text(wrapped, name="wrapped.eml").opening_post
    assert (post.author, post.id, post.body) == ("Richard Roe", "outer-1@lists.example.org", "<p>Yes, ship it on Monday.</p>")


def test_flowed_text_without_a_soft_break_is_read_as_wrapped_text():
    """Outlook Express declares format=flowed and wraps without the trailing spaces."""
    text = ("When I tried to change 8139too, it did not work -- not because of the code\n"
            "change -- rather, I had some\nproblems in compiling this module.\n")
    body = _text(_flowed(text), name="oe.eml").opening_post.body
    assert body == ("<p>When I tried to change 8139too, it did not work -- not because of the code change -- "
                    "rather, I had some problems in compiling this module.</p>")


def test_a_paragraph_of_short_lines_keeps_its_line_breaks():
    """A sign-off, an address: lines nobody wrapped to a width keep their breaks."""
    text = ("Thanks for the quick review, I will send a second version of the patch with the\n"
            "changes you asked for.\n\nBest Regards\nWang Yugui (wangyugui@example.com)\n2020/10/23\n")
    body = _text(f"From: Wang <w@x>\nSubject: Re: x\nMessage-ID: <a@x>\n\n{text}", name="a.eml").opening_post.body
    assert body == ("<p>Thanks for the quick review, I will send a second version of the patch with the changes you "
                    "asked for.</p><p>Best Regards<br>Wang Yugui (wangyugui@example.com)<br>2020/10/23</p>")


# ---------------------------------------------------------------------------- parts in order, inline armour, footers

_HTML_POST_WITH_TEXT_FOOTER = (
    "From: Jane Roe <jane@example.org>\nSubject: [Users] Printer offline\nMessage-ID: <html1@example.org>\n"
    'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n'
    "--B\nContent-Type: text/html; charset=utf-8\n\n<p>Hi all,</p><p>my printer shows <b>offline</b>.</p>\n"
    "--B\nContent-Type: text/plain; charset=us-ascii\nContent-Disposition: inline\n\n"
    "_______________________________________________\nUsers mailing list\n"
    "http://lists.example.org/mailman/listinfo/users\n--B--\n"
)


def test_html_only_post_keeps_its_text_before_the_lists_plain_footer_part():
    """Mailman decorates an HTML-only post with a text/plain footer part after it."""
    thread = _text(_HTML_POST_WITH_TEXT_FOOTER, name="html.eml")
    assert thread.opening_post.body == (
        "<p>Hi all,</p><p>my printer shows <strong>offline</strong>.</p><pre class=\"signature\">"
        "_______________________________________________\nUsers mailing list\n"
        "http://lists.example.org/mailman/listinfo/users</pre>"
    )
    assert thread.import_notes == ()


def test_html_post_keeps_its_text_before_a_forwarded_message_part():
    text = (
        "From: Art <art@example.org>\nSubject: Fwd: book\nMessage-ID: <fw@example.org>\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n'
        "--B\nContent-Type: text/html\n\n<p>Why not do both?</p>\n"
        "--B\nContent-Type: message/rfc822\n\nFrom: Cosmo <c@example.org>\nSubject: book\n\nHelp me export it.\n--B--\n"
    )
    assert _text(text, name="fw.eml").opening_post.body == (
        "<p>Why not do both?</p><p>Forwarded message from Cosmo: book</p><blockquote><p>Help me export it.</p></blockquote>"
    )


def test_html_part_repeating_the_plain_part_outside_an_alternative_is_read_once():
    text = (
        "From: Ann <ann@example.org>\nSubject: x\nMessage-ID: <twice@example.org>\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nThe build is green again.\n"
        "--B\nContent-Type: text/html\n\n<p>The build is <b>green</b> again.</p>\n--B--\n"
    )
    assert _text(text, name="twice.eml").opening_post.body == "<p>The build is green again.</p>"


_CLEARSIGNED = (
    "From: Alice <alice@example.org>\nSubject: [ANNOUNCE] foo 1.2\nMessage-ID: <pgp1@example.org>\n\n"
    "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
    "Foo 1.2 fixes a crash.\n\n- - a list item\n- -- \nAlice\n"
    "-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCAAdFiEEtuYvPRKsOElcDakFEMKTtsN8TjYFAliOJGUACgkQ\n=sV/2\n"
    "-----END PGP SIGNATURE-----\n"
)


def test_inline_pgp_signature_armour_is_left_out_and_dash_escapes_undone():
    """RFC 4880 7.1: the signer's "- item" and "-- " lines are dash-escaped as "- - item", "- -- "."""
    thread = _text(_CLEARSIGNED, name="signed.eml")
    assert thread.opening_post.body == '<p>Foo 1.2 fixes a crash.</p><ul><li>a list item</li></ul><pre class="signature">Alice</pre>'
    assert thread.import_notes == (
        "the text of <pgp1@example.org> is PGP-signed inline: the armour lines and the signature block were left out "
        "(the signature was not checked)",
    )


def test_quoted_clearsigned_text_is_unarmoured_at_its_quote_depth():
    text = (
        "From: Bob <bob@example.org>\nSubject: Re: foo\nMessage-ID: <pgp2@example.org>\n\n"
        "> -----BEGIN PGP SIGNED MESSAGE-----\n> Hash: SHA1\n>\n> - - one\n> - - two\n"
        "> -----BEGIN PGP SIGNATURE-----\n> iQIz\n> -----END PGP SIGNATURE-----\n\nThanks.\n"
    )
    thread = _text(text, name="re.eml")
    assert thread.opening_post.body == "<blockquote><ul><li>one</li><li>two</li></ul></blockquote><p>Thanks.</p>"
    assert len(thread.import_notes) == 1 and "PGP-signed inline" in thread.import_notes[0]


def test_mutt_inline_forward_is_quoted_under_its_intro_line():
    text = (
        "From: Leo <leo@example.org>\nSubject: FW: advisory\nMessage-ID: <fw1@example.org>\n\n"
        "Can anyone provide some insight?\n\n----- Forwarded message from Moritz <jmm@example.org> -----\n\n"
        "Date: Sun, 29 Jan 2017 18:24:15 +0100\nFrom: Moritz <jmm@example.org>\nSubject: [DSA 1-1] foo\n\n"
        "Please upgrade your foo packages.\n\n----- End forwarded message -----\n\n-- \nLeo\n"
    )
    body = _text(text, name="fw.eml").opening_post.body
    assert body == (
        "<p>Can anyone provide some insight?</p><p>----- Forwarded message from Moritz -----</p>"
        "<blockquote><pre>Date: Sun, 29 Jan 2017 18:24:15 +0100\nFrom: Moritz\n"
        "Subject: [DSA 1-1] foo</pre><p>Please upgrade your foo packages.</p></blockquote>"
        '<pre class="signature">Leo</pre>'
    )
    assert mbox.own_text(body) == "Can anyone provide some insight? ----- Forwarded message from Moritz -----"


@pytest.mark.parametrize(
    "footer",
    [
        "------------------------ Yahoo! Groups Sponsor --------------------~-->\nFair play? Click!\n"
        "http://us.click.yahoo.com/T8sf5C/tzNLAA\n--------------------------------------------------------------------~->\n"
        "\nYahoo! Groups Links\n\n<*> To visit your group on the web, go to:\n    http://groups.yahoo.com/group/x/\n",
        "------------------------------------\n\nYahoo! Groups Links\n\n<*> To visit your group on the web, go to:\n"
        "    http://groups.yahoo.com/group/x/\n",
        "--~--~---------~--~----~------------~-------~--~----~\nYou received this message because you are subscribed "
        'to the Google Groups "Django users" group.\n-~----------~----~----~----~------~----~------~--~---\n',
    ],
    ids=["yahoo-sponsor", "yahoo-links", "google-groups-2008"],
)
def test_yahoo_and_old_google_groups_footers_are_list_footers(footer):
    text = f"From: Jane <jane@example.org>\nSubject: Re: x\nMessage-ID: <g@example.org>\n\nUse the ordering option.\n\nJane\n\n{footer}"
    body = _text(text, name="g.eml").opening_post.body
    first_line = footer.split("\n")[0].replace(">", "&gt;")
    assert body.startswith('<p>Use the ordering option.</p><p>Jane</p><pre class="signature">' + first_line)
    assert mbox.own_text(body) == "Use the ordering option. Jane"


def test_supercite_blank_tag_and_indented_quote_marks_are_quotes():
    """VM/Gnus with an empty tag: '>>>>> " " == Name writes:' then "    > text" lines."""
    text = (
        'From: Trond <trond@example.org>\nSubject: Re: NFS\nMessage-ID: <sc1@example.org>\n\n'
        '>>>>> " " == volodya  <volodya@example.com> writes:\n\n'
        "    >> You forgot to enable NFSv3.\n\n     > I did.. I'll make clean and recompile the kernel again, just in\n"
        "     > case.\n\n"
        "The mount format changed.\n"
    )
    assert _text(text, name="sc.eml").opening_post.body == (
        "<p>volodya writes:</p><blockquote><blockquote><p>You forgot to enable NFSv3.</p>"
        "</blockquote><p>I did.. I'll make clean and recompile the kernel again, just in case.</p></blockquote>"
        "<p>The mount format changed.</p>"
    )


def test_indented_greater_than_without_a_supercite_attribution_stays_text():
    text = "From: Ann <ann@x>\nSubject: x\nMessage-ID: <a@x>\n\nRun this:\n\n    $ ls \\\n    > out.txt\n    > more\n"
    assert "<blockquote>" not in _text(text, name="a.eml").opening_post.body


def test_uuencoded_file_in_the_text_is_left_out_with_a_note():
    text = (
        "From: Old Timer <old@example.org>\nSubject: Re: script\nMessage-ID: <uu1@example.org>\n\n"
        "Here is the script.\n\nbegin 644 fix.sh\n"
        "M(R$O8FEN+W-H\"F5C:&\\@:&5L;&\\@=V]R;&0@9G)O;2!T:&4@871T86-H960@\n"
        "K<V-R:7!T+\"!W:&EC:\"!I<R!L;VYG(&5N;W5G:\"!F;W(@='=O(&QI;F5S\"@  \n`\nend\n\nCheers, Old\n"
    )
    thread = _text(text, name="uu.eml")
    assert thread.opening_post.body == "<p>Here is the script.</p><p>Cheers, Old</p>"
    assert thread.import_notes == ("the text of <uu1@example.org> holds uuencoded file(s), left out: fix.sh",)


def test_begin_line_without_uuencoded_lines_stays_text():
    text = "From: Ann <ann@x>\nSubject: x\nMessage-ID: <a@x>\n\nbegin 644 is the mode\nwe chose for the file.\nend\n"
    thread = _text(text, name="a.eml")
    assert "begin 644 is the mode" in thread.opening_post.body and thread.import_notes == ()


# ---------------------------------------------------------------------------- headerless messages, .emlx

_UPAS = (
    "From dmg Tue Jul 11 08:08:46 EDT 1989\n"
    "f2c's formatted I/O seems to work.\n\n"
    "From gre Fri Aug  4 21:09:07 EDT 1989\n\n"
    "Subject: is not a header here\n\n"
    "From arpa!tam Wed Aug  9 20:26:04 CDT 1989\nFrom: tam@hilbert.cray.com (Tom MacDonald)\n"
    "Message-Id: <t1@cray.com>\nSubject: f2c help\n\nWe tried f2c.\n"
)


def test_mbox_whose_first_message_has_no_headers_is_read_with_a_note():
    """Research Unix's upas wrote local mail as text right after the From_ line."""
    assert mbox.sniff(SourceDocument("upas.mbox", _UPAS.encode()))
    with pytest.raises(SourceError) as error:
        _text(_UPAS, name="upas.mbox")
    assert "this source holds 3 threads" in error.value.message
    first = re.search(r"<(h-[0-9a-f]+)>", error.value.message).group(1)
    thread = _text(_UPAS, thread=first, name="upas.mbox")
    post = thread.opening_post
    assert (post.author, post.posted_at, post.posted_at_text) == ("dmg", None, "Tue Jul 11 08:08:46 EDT 1989")
    assert post.body == "<p>f2c's formatted I/O seems to work.</p>"
    assert thread.import_notes == (
        f"no mail headers in <{first}>: sender and date are taken from the mbox 'From ' line, "
        "and there is no subject or Message-ID to thread by",
        "the source holds 2 other thread(s), not imported",
    )
    assert _text(_UPAS, thread="f2c help", name="upas.mbox").author == "Tom MacDonald"


_EMLX_MESSAGE = (
    "From: Philipp <p@example.org>\nSubject: Lorem ipsum\nMessage-Id: <emlx1@example.org>\n"
    "Date: Fri, 26 Jan 2018 17:44:31 +0100\n\nLorem ipsum dolor sit amet.\n"
)
_EMLX_PLIST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n\t<key>flags</key>\n'
    "\t<integer>8623750272</integer>\n</dict>\n</plist>\n"
)


def test_apple_mail_emlx_is_recognised_and_read_without_its_count_and_plist():
    data = f"{len(_EMLX_MESSAGE.encode())}       \n{_EMLX_MESSAGE}{_EMLX_PLIST}".encode()
    assert mbox.sniff(SourceDocument("1.emlx", data))
    thread = _text(data, name="1.emlx")
    assert (thread.id, thread.title, thread.author) == ("emlx1@example.org", "Lorem ipsum", "Philipp")
    assert thread.opening_post.body == "<p>Lorem ipsum dolor sit amet.</p>"
    assert thread.import_notes == ()


def test_emlx_whose_count_misses_the_plist_is_read_up_to_it_with_a_note():
    """A file converted to CRLF, or cut short, no longer matches its byte count."""
    data = f"12\n{_EMLX_MESSAGE}{_EMLX_PLIST}".encode()
    assert mbox.sniff(SourceDocument("1.emlx", data))
    thread = _text(data, name="1.emlx")
    assert thread.opening_post.body == "<p>Lorem ipsum dolor sit amet.</p>"
    end = len(f"12\n{_EMLX_MESSAGE}".encode())
    assert thread.import_notes == (
        f"1.emlx: the .emlx byte count (12) does not end the message; it was read up to Apple's property list (byte {end})",
    )
    cut = f"999\n{_EMLX_MESSAGE}".encode()
    thread = _text(cut, name="2.emlx")
    assert thread.opening_post.body == "<p>Lorem ipsum dolor sit amet.</p>"
    assert thread.import_notes == (
        f"2.emlx: the .emlx file holds {len(_EMLX_MESSAGE)} of the 999 bytes its first line counts: the message is cut short",
    )


def test_a_number_line_before_text_that_is_not_mail_is_no_emlx():
    assert not mbox.sniff(SourceDocument("n.txt", b"42\nThe answer, as everyone knows.\n"))


@pytest.mark.parametrize(
    ("attribution", "without_address"),
    [
        ("On Sat, 2 Mar 2019, Bob Jones <bob@example.net> wrote:", "On Sat, 2 Mar 2019, Bob Jones wrote:"),
        ("2015-11-21 13:05 GMT+01:00 Andy Grunwald <andy@example.com>:", "2015-11-21 13:05 GMT+01:00 Andy Grunwald:"),
        ("Alice Smith <alice@example.com> wrote:", "Alice Smith wrote:"),
        ("Le lun. 3 mai 2021 à 10:00, Ana <ana@example.org> a écrit :", "Le lun. 3 mai 2021 à 10:00, Ana a écrit :"),
        ("Am Mo., 3. Mai 2021 um 10:00 Uhr schrieb Ana <ana@example.org>:", "Am Mo., 3. Mai 2021 um 10:00 Uhr schrieb Ana:"),
        ("El lun, 3 may 2021 a las 10:00, Ana (<ana@example.org>) escribió:", "El lun, 3 may 2021 a las 10:00, Ana escribió:"),
        ('On 3/2/19 10:00 AM, "Bob Jones" <mailto:bob@example.net> wrote:', 'On 3/2/19 10:00 AM, "Bob Jones" wrote:'),
        # only an address: its local part, as a sender without a name is called
        ("bob@example.net wrote:", "bob wrote:"),
        ("On Mon, Jan 5, 2026 at 11:00 AM <alice@example.com> wrote:", "On Mon, Jan 5, 2026 at 11:00 AM alice wrote:"),
        ("Am 03.05.2021 um 10:00 schrieb <ana@example.org>:", "Am 03.05.2021 um 10:00 schrieb ana:"),
        ("bob@example.net (Bob Jones) writes:", "Bob Jones writes:"),
        ("El lun, 3 may 2021 a las 10:00, (<ana@example.org>) escribió:", "El lun, 3 may 2021 a las 10:00, ana escribió:"),
        # Gmail wraps inside the brackets
        ("On Mon, Jan 5, 2026 at 11:00 AM Alice Smith <\nalice@example.com> wrote:", "On Mon, Jan 5, 2026 at 11:00 AM Alice Smith wrote:"),
        # webmail (IMP) names only the sender
        ("Quoting Jeff King <peff@example.net>:", "Quoting Jeff King:"),
        ("Zitat von Coly Li <colyli@example.de>:", "Zitat von Coly Li:"),
        # mutt's "Quoting %n (%a):" and "* %n (%a) wrote:"
        ("Quoting Serge E. Hallyn (serue@example.com):", "Quoting Serge E. Hallyn:"),
        ("* Andrew Morton (akpm@example.org) wrote:", "Andrew Morton wrote:"),
        # a newsreader's Message-ID is no address: it stays
        ("In article <3EAD9192.7040003@example-online.de> you wrote:", "In article &lt;3EAD9192.7040003@example-online.de&gt; you wrote:"),
        ("In article <blgol5$vd0$1@news.example.nl>,\nMiquel van Smoorenburg <miquels@example.nl> wrote:",
         "In article &lt;blgol5$vd0$1@news.example.nl&gt;, Miquel van Smoorenburg wrote:"),
        ("In message <200101011200.AAA01@example.org>, bob@example.org writes:",
         "In message &lt;200101011200.AAA01@example.org&gt;, bob writes:"),
        # Lotus Notes
        ("netdev-bounce@example.org wrote on 04/27/2005 03:57:05 PM:", "netdev-bounce wrote on 04/27/2005 03:57:05 PM:"),
        # mutt users' "* " mark is no list item
        ("* Peter Zijlstra <peterz@example.org> wrote:", "Peter Zijlstra wrote:"),
        ("* Bob <bob@example.net> [2004-01-05 11:00]:", "Bob [2004-01-05 11:00]:"),
        # Gmail in Japanese, Thunderbird in Chinese
        ("2009/08/26 11:24 に KAKUTANI Shintaro<shintaro@example.jp> さんは書きました:", "2009/08/26 11:24 に KAKUTANI Shintaro さんは書きました:"),
        ("在 2023/5/16 9:57, wangwudi <wangwudi@example.com> 写道:", "在 2023/5/16 9:57, wangwudi 写道:"),
        # Thunderbird in Russian, Polish, Czech and Greek, Gmail in Korean
        ("02.03.2020 10:00, Bob <bob@example.ru> пишет:", "02.03.2020 10:00, Bob пишет:"),
        ("W dniu 02.03.2020 o 10:00, Bob <bob@example.pl> pisze:", "W dniu 02.03.2020 o 10:00, Bob pisze:"),
        ("Dne 2.3.2020 v 10:00 Bob <bob@example.cz> napsal(a):", "Dne 2.3.2020 v 10:00 Bob napsal(a):"),
        ("Στις 2/3/2020 10:00, ο/η Bob <bob@example.gr> έγραψε:", "Στις 2/3/2020 10:00, ο/η Bob έγραψε:"),
        ("2020년 3월 2일 (월) 오전 10:00, Bob <bob@example.kr>님이 작성:", "2020년 3월 2일 (월) 오전 10:00, Bob님이 작성:"),
    ],
)
def test_attribution_lines_name_the_quoted_sender_without_the_address(attribution, without_address):
    text = (
        "From: Carol <carol@example.org>\nSubject: Re: compost\nMessage-ID: <c@example.org>\n\n"
        f"Agreed; write to me at carol@example.org.\n\n{attribution}\n> Add more greens.\n"
        "-- \nCarol White  carol@example.org\n"
    )
    body = _text(text, name="c.eml").opening_post.body
    assert body == (
        "<p>Agreed; write to me at carol@example.org.</p>"  # the sender's own words keep their address
        f"<p>{without_address}</p><blockquote><p>Add more greens.</p></blockquote>"
        '<pre class="signature">Carol White  carol@example.org</pre>'  # and so does the signature
    )


def test_a_long_word_or_many_addresses_in_attributions_take_linear_time():
    """A 20,000-character pasted blob in an attribution took 21 s, a header line of 5,000
    addresses 33 s and one of 50,000 tabs minutes: the address pattern was tried from every
    letter of the blob and every tab, and the text before each address was copied again for each."""
    blob = "QUJD" * 5000
    lines = ["Thanks.", "", f"On Mon, 5 Jan 2026, Alice Smith <alice@example.com> {blob} wrote:", "> Turn it weekly.",
             "", "From: Bob <bob@example.net>", "To: " + ", ".join(f"Ann <ann{i}@example.org>" for i in range(5000)),
             "Cc: " + "\t" * 50_000 + "Cy", "Subject: compost"]
    without = attributions.addresses_left_out(lines, None)
    assert without == ["Thanks.", "", f"On Mon, 5 Jan 2026, Alice Smith {blob} wrote:", "> Turn it weekly.",
                       "", "From: Bob", "To: " + ", ".join(["Ann"] * 5000), "Cc: " + "\t" * 50_000 + "Cy", "Subject: compost"]


def test_a_long_line_of_tags_before_a_quote_is_no_attribution_and_is_read_at_once():
    """A 30,000-character line of tags with a year in it, right above a quote, took 5 s (and
    four times as long at twice the length): the pattern for "<date> Name <address>:" lines
    tried every tag as the address and every tail after it."""
    lines = ["Posted 2023: " + "<b>" * 10_000 + "x", "> quoted", "", "2015-11-21 13:05 GMT+01:00 Andy <andy@example.com>:",
             "> hi", "", "* Bob <bob@example.net> [2004-01-05 11:00]:", "> there"]
    without = attributions.addresses_left_out(lines, None)
    assert without == lines[:3] + ["2015-11-21 13:05 GMT+01:00 Andy:", "> hi", "", "Bob [2004-01-05 11:00]:", "> there"]


def test_an_html_paragraph_with_an_empty_class_survives_the_round_trip():
    """Outlook's ``<p class="">`` was kept, and the canonical form took it for HTML outside
    the body subset: reading the saved thread back added a note.  The empty class goes."""
    text = ("From: Li Wei <liwei@example.cn>\nSubject: Re: fix\nMessage-ID: <l@x>\nMIME-Version: 1.0\n"
            "Content-Type: text/html; charset=utf-8\n\n<html><body><p class=\"\">OK, thanks.</p></body></html>\n")
    thread = _text(text, name="l.eml")
    assert thread.opening_post.body == "<p>OK, thanks.</p>"
    assert_round_trip(thread)


def test_a_from_header_with_a_long_run_of_spaces_is_named_at_once():
    """A From header of 30,000 spaces before its "(name)" took 27 s: the name patterns crossed
    the run of spaces once for each of them."""
    from digest.sources.mail.decode import author_name

    names = [author_name("Ann" + " " * 30_000 + "(Ann Lee)"), author_name("Bob  Smith" + " " * 30_000 + "bob@example.com")]
    assert names == ["Ann Lee", "Bob Smith"]


def test_quoted_attributions_and_original_header_blocks_lose_their_addresses():
    text = (
        "From: Carol <carol@example.org>\nSubject: RE: compost\nMessage-ID: <c@example.org>\n\n"
        "Thanks, ordered.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Bob Jones <bob@example.net>\nDate: Tue, 6 Jan 2026 at 10:00\nSubject: Re: compost for bob@example.net\n"
        "To: list@lists.example.org, Dave <dave@example.com>\n\n"
        "Mail me at bob@example.net for seeds.\n\n"
        "On Mon, 5 Jan 2026, Alice Smith <alice@example.com> wrote:\n"
        "> Alan <alan@example.com> wrote:\n>> Turn it weekly.\n> It never gets hot.\n"
    )
    body = _text(text, name="c.eml").opening_post.body
    assert body == (
        "<p>Thanks, ordered.</p><p>---------- Forwarded message ---------</p>"
        "<blockquote><pre>From: Bob Jones\nDate: Tue, 6 Jan 2026 at 10:00\nSubject: Re: compost for bob@example.net\n"
        "To: list, Dave</pre><p>Mail me at bob@example.net for seeds.</p>"
        "<p>On Mon, 5 Jan 2026, Alice Smith wrote:</p>"
        "<blockquote><p>Alan wrote:</p><blockquote><p>Turn it weekly.</p></blockquote><p>It never gets hot.</p>"
        "</blockquote></blockquote>"
    )
    outlook = (
        "From: Carol <carol@example.org>\nSubject: RE: compost\nMessage-ID: <c@example.org>\n\n"
        "Thanks.\n\n-----Original Message-----\nFrom: Bob Jones [mailto:bob@example.net]\n"
        "Sent: Monday, March 4, 2019 10:00 AM\nTo: list@lists.example.org\nCc: <dave@example.com>;\n"
        "    Eve <eve@example.com>\nSubject: compost\n\nAdd greens.\n"
    )
    assert _text(outlook, name="o.eml").opening_post.body == (
        "<p>Thanks.</p><blockquote><pre>-----Original Message-----\nFrom: Bob Jones\n"
        "Sent: Monday, March 4, 2019 10:00 AM\nTo: list\nCc: dave;\n    Eve\nSubject: compost</pre>"
        "<p>Add greens.</p></blockquote>"
    )


def test_html_only_replies_lose_the_addresses_of_attributions_and_header_blocks():
    gmail = (
        '<div dir="ltr">Sounds good; I am alice@example.com too.</div><br><div class="gmail_quote">'
        '<div dir="ltr" class="gmail_attr">Le lun. 5 janv. 2026 à 11:00, Alice Smith &lt;<a href="mailto:alice@example.com">'
        'alice@example.com</a>&gt; a écrit&nbsp;:<br></div><blockquote class="gmail_quote"><div dir="ltr">How hot?</div>'
        "</blockquote></div>"
    )
    outlook = (
        '<p>It fails.</p><div style="border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>From:</b> Bob '
        '&lt;<a href="mailto:bob@example.net">bob@example.net</a>&gt;<br><b>Sent:</b> Monday, March 2, 2020 9:00 AM<br>'
        "<b>To:</b> list@example.org<br><b>Cc:</b> <b>Eve</b> &lt;eve@example.org&gt;<br>"
        "<b>Subject:</b> build for bob@example.net</p></div><p>Does 1.2 build?</p>"
    )

    def body(html: str) -> str:
        mail = (
            "From: Ann <ann@x>\nSubject: Re: x\nMessage-ID: <a@x>\nMIME-Version: 1.0\n"
            f"Content-Type: text/html; charset=utf-8\n\n<html><body>{html}</body></html>\n"
        )
        return _text(mail, name="a.eml").opening_post.body

    assert body(gmail) == (
        "<p>Sounds good; I am alice@example.com too.</p><p>Le lun. 5 janv. 2026 à 11:00, Alice Smith a écrit&nbsp;:<br></p>"
        "<blockquote><p>How hot?</p></blockquote>"
    )
    assert body(outlook) == (
        "<p>It fails.</p><blockquote><p><strong>From:</strong> Bob<br><strong>Sent:</strong> Monday, March 2, 2020 9:00 AM"
        "<br><strong>To:</strong> list<br><strong>Cc:</strong> <strong>Eve</strong><br>"
        "<strong>Subject:</strong> build for bob@example.net</p><p>Does 1.2 build?</p></blockquote>"
    )


def test_pipe_quote_keeps_its_blank_lines_and_newsreader_attributions_their_message_ids():
    text = (
        "In article <blgol5$vd0$1@news.example.nl>,\nMiquel van Smoorenburg <miquels@example.nl> wrote:\n"
        "| In article <3F7B9CF9.4040706@example.com>,\n| Ulrich Drepper  <drepper@example.com> wrote:\n"
        "| >Linus Torvalds wrote:\n| >\n| >> I think /proc/self should point into the thread.\n| >\n"
        "| >As much as I want to not see this, I agree.\n| \n| How about /proc/self/task/self?\n\nLet me bend your suggestion.\n"
    )
    body = _text(f"From: Bill <bill@x>\nSubject: Re: x\nMessage-ID: <b@x>\n\n{text}", name="b.eml").opening_post.body
    assert body == (
        "<p>In article &lt;blgol5$vd0$1@news.example.nl&gt;, Miquel van Smoorenburg wrote:</p>"
        "<blockquote><p>In article &lt;3F7B9CF9.4040706@example.com&gt;, Ulrich Drepper wrote:</p>"
        "<blockquote><p>Linus Torvalds wrote:</p><blockquote><p>I think /proc/self should point into the thread.</p></blockquote>"
        "<p>As much as I want to not see this, I agree.</p></blockquote><p>How about /proc/self/task/self?</p></blockquote>"
        "<p>Let me bend your suggestion.</p>"
    )


def test_chinese_and_japanese_outlook_originals_are_quoted_line_by_line_without_addresses():
    def body(text: str) -> str:
        mail = f"From: Ann <ann@x>\nSubject: Re: x\nMessage-ID: <a@x>\nContent-Type: text/plain; charset=utf-8\n\n{text}"
        return _text(mail, name="a.eml").opening_post.body

    outlook_zh = (  # top-posted, its Cc wrapped without indenting
        "Thanks for your detailed response!\n\n-----邮件原件-----\n发件人: david@example.com <david@example.com> \n"
        "发送时间: 2021年12月14日 12:49\n收件人: renlei@example.cn\n抄送: djwong@example.org; linux-xfs@vger.kernel.org;\n"
        "linux-kernel@vger.kernel.org\n主题: Re: [PATCH] xfs: not allow rename if src is quota enabled and project\nIDs are different\n\n"
        "On Tue, Dec 14, 2021 at 11:15:17AM +0800, renlei@example.cn wrote:\n> xfs does not allow it.\n\nThat is by design.\n"
    )
    assert body(outlook_zh) == (
        "<p>Thanks for your detailed response!</p><blockquote><p>-----邮件原件-----<br>发件人: david<br>"
        "发送时间: 2021年12月14日 12:49<br>收件人: renlei<br>抄送: djwong; linux-xfs;<br>linux-kernel<br>"
        "主题: Re: [PATCH] xfs: not allow rename if src is quota enabled and project IDs are different</p>"
        "<p>On Tue, Dec 14, 2021 at 11:15:17AM +0800, renlei wrote:</p><blockquote><p>xfs does not allow it.</p></blockquote>"
        "<p>That is by design.</p></blockquote>"
    )
    coremail = (  # no space after the colon
        "On Thu, Mar 11, 2021 at 08:03:23PM +0800, lyl@example.cn wrote:\n>\n> > -----原始邮件-----\n"
        '> > 发件人: "Leon Romanovsky" <leon@example.org>\n> > 发送时间:2021-03-11 19:05:03 (星期四)\n'
        "> > 收件人: lyl@example.cn\n> > 主题: Re: [PATCH] fix a use after free\n> >\n> > It is wrong.\n>\n> Why?\n\nBecause.\n"
    )
    assert body(coremail) == (
        "<p>On Thu, Mar 11, 2021 at 08:03:23PM +0800, lyl wrote:</p><blockquote><blockquote><pre>-----原始邮件-----\n"
        '发件人: "Leon Romanovsky"\n发送时间:2021-03-11 19:05:03 (星期四)\n收件人: lyl\n'
        "主题: Re: [PATCH] fix a use after free</pre><p>It is wrong.</p></blockquote><p>Why?</p></blockquote><p>Because.</p>"
    )
    outlook_ja = "了解しました。\n\n差出人: Hanako <hanako@example.com>\n送信日時: 2020年3月2日 18:00\n宛先: Taro <taro@example.jp>\n件名: 修正\n\nパッチを試してください。\n"
    assert body(outlook_ja) == (
        "<p>了解しました。</p><blockquote><pre>差出人: Hanako\n送信日時: 2020年3月2日 18:00\n宛先: Taro\n件名: 修正</pre>"
        "<p>パッチを試してください。</p></blockquote>"
    )


def test_outlook_original_trimmed_to_its_from_line_loses_the_address():
    text = (
        "> -----Original Message-----\n> From: Robert Collins [mailto:robert@example.com.au]\n"
        "> > -----Original Message-----\n> > From: Gary Van Sickle [mailto:gary@example.com]\n> > \n"
        "> > Return npos on failure.\n>  \n> What is npos?\n\nIt is -1.\n"
    )
    body = _text(f"From: Gary <gary@x>\nSubject: RE: x\nMessage-ID: <g@x>\n\n{text}", name="g.eml").opening_post.body
    assert body == (
        "<blockquote><p>-----Original Message-----<br>From: Robert Collins</p><blockquote><p>-----Original Message-----<br>"
        "From: Gary Van Sickle</p><p>Return npos on failure.</p></blockquote><p>What is npos?</p></blockquote><p>It is -1.</p>"
    )


def test_format_flowed_patch_in_a_quote_keeps_no_line_separator():
    text = (
        "Quoting Jeff King <peff@example.net>:\n\n> This test contains hand-rolled \n> messages.\n>\n"
        "> diff --git a/t/t0020-crlf.sh b/t/t0020-crlf.sh\n> --- a/t/t0020-crlf.sh\n> +++ b/t/t0020-crlf.sh\n"
        "> @@ -104,3 +104,2 @@ test_expect_success 'update'\n>   \tdo\n> -\t\tfalse\n>   \tdone &&\n\nThese tests are evil, I remember \nthem.\n"
    )
    body = _text(_flowed(text), name="flowed.eml").opening_post.body
    assert body == (
        "<p>Quoting Jeff King:</p><blockquote><p>This test contains hand-rolled messages.</p><pre>diff --git a/t/t0020-crlf.sh "
        "b/t/t0020-crlf.sh\n--- a/t/t0020-crlf.sh\n+++ b/t/t0020-crlf.sh\n@@ -104,3 +104,2 @@ test_expect_success 'update'\n"
        "  \tdo\n-\t\tfalse\n  \tdone &amp;&amp;</pre></blockquote><p>These tests are evil, I remember them.</p>"
    )


def test_html_only_chinese_outlook_reply_quotes_its_original_without_addresses():
    html = (
        '<p class="MsoNormal">好的，谢谢。</p><div style="border:none;border-top:solid #E1E1E1 1.0pt">'
        '<p class="MsoNormal"><b>发件人<span lang="EN-US">:</span></b> Zhang San &lt;zhangsan@example.com&gt;<br>'
        "<b>发送时间:</b> 2020年3月2日 18:00<br><b>收件人:</b> Li Wei &lt;liwei@example.cn&gt;<br><b>主题:</b> [PATCH] fix</p></div>"
        '<p class="MsoNormal">Please test this patch.</p>'
    )
    mail = (
        "From: Li Wei <liwei@example.cn>\nSubject: Re: fix\nMessage-ID: <l@x>\nMIME-Version: 1.0\n"
        f"Content-Type: text/html; charset=utf-8\n\n<html><body>{html}</body></html>\n"
    )
    assert _text(mail, name="l.eml").opening_post.body == (
        "<p>好的，谢谢。</p><blockquote><p><strong>发件人:</strong> Zhang San<br><strong>发送时间:</strong> 2020年3月2日 18:00"
        "<br><strong>收件人:</strong> Li Wei<br><strong>主题:</strong> [PATCH] fix</p><p>Please test this patch.</p></blockquote>"
    )


def test_message_whose_text_is_only_in_winmail_dat_says_so():
    mail = (
        "From: Ann <ann@example.org>\nSubject: Budget\nDate: Thu, 18 Apr 2024 16:29:19 +0000\nMessage-ID: <t@example.org>\n"
        'MIME-Version: 1.0\nContent-Type: application/ms-tnef; name="winmail.dat"\nContent-Transfer-Encoding: base64\n\n'
        "eJ8+IjoIAQaQCAAEAAAAAAABAAEAAQeQBgAIAAAA5AQAAAAAAADoAAEIgAcAEwAAAElQTS5PdXRs\n"
    )
    thread = _text(mail, name="t.eml")
    assert thread.opening_post.body == ""
    assert thread.import_notes == (
        "no readable text in <t@example.org>",
        "the text of <t@example.org> is only in Outlook's winmail.dat attachment (TNEF), which is not read",
    )


def test_outlooks_translated_original_message_line_opens_the_quote():
    text = (
        "Danke.\n\n-----Ursprüngliche Nachricht-----\nVon: Eva Müller <eva@example.de>\n"
        "Gesendet: Montag, 2. März 2020 18:00\nAn: Hans <hans@example.de>\nBetreff: Test\n\nBitte testen.\n"
    )
    mail = f"From: Hans <hans@x>\nSubject: AW: Test\nMessage-ID: <h@x>\nContent-Type: text/plain; charset=utf-8\n\n{text}"
    assert _text(mail, name="h.eml").opening_post.body == (
        "<p>Danke.</p><blockquote><pre>-----Ursprüngliche Nachricht-----\nVon: Eva Müller\n"
        "Gesendet: Montag, 2. März 2020 18:00\nAn: Hans\nBetreff: Test</pre><p>Bitte testen.</p></blockquote>"
    )


def test_outlooks_rule_of_underscores_above_the_original_goes_into_the_quote():
    text = (
        "Thanks, works now.\n\n________________________________\nFrom: Lee <lee@example.org>\n"
        "Sent: Monday, March 2, 2020 6:00:00 PM\nTo: Kim <kim@example.org>; dev@lists.example.org <dev@lists.example.org>\n"
        "Subject: Test\n\nPlease test.\n"
    )
    mail = f"From: Kim <kim@x>\nSubject: RE: Test\nMessage-ID: <k@x>\n\n{text}"
    assert _text(mail, name="k.eml").opening_post.body == (
        "<p>Thanks, works now.</p><blockquote><pre>________________________________\nFrom: Lee\n"
        "Sent: Monday, March 2, 2020 6:00:00 PM\nTo: Kim; dev\nSubject: Test</pre><p>Please test.</p></blockquote>"
    )


def test_quoted_outlook_header_block_wrapped_without_indenting_loses_every_address():
    text = (
        "> -----Original Message-----\n> From: linux-crypto-owner@vger.kernel.org <linux-crypto-owner@vger.kernel.org> On Behalf\n"
        "> Of Herbert Xu\n> Sent: Monday, September 9, 2019 1:35 PM\n> To: Pascal Van Leeuwen <pvanleeuwen@example.com>\n"
        "> Cc: Pascal van Leeuwen <pascalvanl@example.com>; linux-crypto@vger.kernel.org;\n"
        "> antoine.tenart@example.com; davem@example.net\n> Subject: Re: [PATCH 0/3] crypto: add CBCMAC\n>\n"
        "> That's fine.\n>\nOk, I just submitted it.\n"
    )
    body = _text(f"From: Pascal <p@x>\nSubject: RE: x\nMessage-ID: <p@x>\n\n{text}", name="p.eml").opening_post.body
    assert body == (
        "<blockquote><p>-----Original Message-----<br>From: linux-crypto-owner On Behalf<br>Of Herbert Xu<br>"
        "Sent: Monday, September 9, 2019 1:35 PM<br>To: Pascal Van Leeuwen<br>Cc: Pascal van Leeuwen; linux-crypto;<br>"
        "antoine.tenart; davem<br>Subject: Re: [PATCH 0/3] crypto: add CBCMAC</p><p>That's fine.</p></blockquote>"
        "<p>Ok, I just submitted it.</p>"
    )


def test_lotus_notes_table_above_an_original_becomes_its_quoted_header_lines():
    table = (
        "|---------+---------------------------->\n"
        "|         |           Jean Tourrilhes  |\n"
        "|         |           <jt@bougret.hpl.h|\n"
        "|         |           p.com>           |\n"
        "|         |                            |\n"
        "|         |           10/31/02 10:30 AM|\n"
        "|         |           Please respond to|\n"
        "|         |           jt               |\n"
        "|---------+---------------------------->\n"
        "  >----------------------------------------------------------------------------------------|\n"
        "  |                                                                                        |\n"
        "  |       To:       Juan Gomez/Almaden/IBM@IBMUS                                           |\n"
        "  |       cc:       Josh Myer <jbm@example.com>, linux-kernel@vger.kernel.org              |\n"
        "  |       Subject:  Re: How to get a local IPv4 address from within a kernel module?       |\n"
        "  >----------------------------------------------------------------------------------------|\n"
    )
    text = (
        "I think what you propose below is what I would like.\n\nJuan\n\n\n\n" + table +
        "\n\n\nOn Thu, Oct 31, 2002 at 10:09:54AM -0800, Juan Gomez wrote:\n> That is the purpose.\n\n"
        "I personally think it is a very bad idea.\n"
    )
    body = _text(f"From: Juan Gomez <juang@x>\nSubject: Re: x\nMessage-ID: <j@x>\n\n{text}", name="j.eml").opening_post.body
    assert body == (
        "<p>I think what you propose below is what I would like.</p><p>Juan</p>"
        "<blockquote><p>Jean Tourrilhes<br>10/31/02 10:30 AM Please respond to jt<br>To: Juan Gomez/Almaden/IBM<br>"
        "cc: Josh Myer, linux-kernel<br>Subject: Re: How to get a local IPv4 address from within a kernel module?</p>"
        "<p>On Thu, Oct 31, 2002 at 10:09:54AM -0800, Juan Gomez wrote:</p><blockquote><p>That is the purpose.</p></blockquote>"
        "<p>I personally think it is a very bad idea.</p></blockquote>"
    )


def test_apple_mail_export_bundle_is_read_from_its_mbox_without_notes_about_its_index(tmp_path):
    bundle = tmp_path / "Lists.mbox"
    bundle.mkdir()
    (bundle / "mbox").write_text("From a@x Mon Jan  5 10:00:00 2004\nFrom: Ana <a@x>\nSubject: Hi\nMessage-ID: <1@x>\n\nHello there.\n")
    (bundle / "Info.plist").write_text('<?xml version="1.0"?><plist version="1.0"><dict></dict></plist>\n')
    (bundle / "table_of_contents").write_bytes(b"\x00\x00\x00\x01toc")
    assert [d.name for d in load_documents(bundle)] == [str(bundle / "mbox")]
    thread = _read(bundle)
    assert [r.author for r in _all(thread)] == ["Ana"] and thread.import_notes == ()


def test_news_articles_saved_one_after_another_without_from_lines_are_separate_messages():
    article = "Path: news.example.net!not-for-mail\nFrom: {0}\nNewsgroups: rec.gardens\nSubject: {1}\nDate: {2}\nMessage-ID: <{3}>\n{4}\n{5}\n"
    text = (article.format("Ann Lee <ann@example.org>", "Leeks bolting", "Sat, 12 Mar 2011 14:05:00 +0000", "1@example.org", "",
                           "Why do my leeks bolt?\n")
            + article.format("Bob Stone <bob@example.net>", "Re: Leeks bolting", "Sat, 12 Mar 2011 15:00:00 +0000", "2@example.net",
                             "References: <1@example.org>\n", "Ann Lee wrote:\n> Why do my leeks bolt?\n\nCold nights in spring.\n"))
    thread = _text(text, name="saved.txt")
    assert [(r.author, r.id) for r in _all(thread)] == [("Ann Lee", "1@example.org"), ("Bob Stone", "2@example.net")]
    assert thread.replies[0].body.endswith("<p>Cold nights in spring.</p>")
    assert thread.import_notes == ("saved.txt: holds 2 messages saved one after another without From_ lines: "
                                   "each was cut at the header block that opens it",)
    mime = "MIME-Version: 1.0\n" + text.replace("Newsgroups", "X-Newsgroups", 1)  # a MIME message's parts are never cut apart
    assert len(_all(_text(mime, name="one.eml"))) == 1


# ---------------------------------------------------------------------------- dates outside RFC 5322, archive links

@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2019-03-04T10:22:33+01:00", datetime(2019, 3, 4, 9, 22, 33, tzinfo=timezone.utc)),
        ("2019-03-04 10:22:33 -0500", datetime(2019, 3, 4, 15, 22, 33, tzinfo=timezone.utc)),
        ("2019-03-04T10:22:33.123Z", datetime(2019, 3, 4, 10, 22, 33, tzinfo=timezone.utc)),
        ("2019/03/04 10:22:33 +0900", datetime(2019, 3, 4, 1, 22, 33, tzinfo=timezone.utc)),
        ("Mon, 4 Mar 2019 10:22:33 +01:00", datetime(2019, 3, 4, 9, 22, 33, tzinfo=timezone.utc)),
    ],
)
def test_iso_8601_dates_and_colon_offsets_are_read_as_utc_with_a_note(written, expected):
    thread = _text(f"From: Ann <ann@x>\nSubject: x\nDate: {written}\nMessage-ID: <a@x>\n\nHi.\n", name="a.eml")
    assert (thread.opening_post.posted_at, thread.opening_post.posted_at_text) == (expected, None)
    assert thread.import_notes == (
        f'the Date header of <a@x> ("{written}") is not written as RFC 5322 says (ISO 8601 or an offset with a colon); '
        "it was read as UTC from its offset",
    )


def test_zoneless_iso_dates_stay_text_but_order_messages_and_military_zones_read_as_utc():
    archive = (
        "From a@x Mon Mar  4 10:00:00 2019\nFrom: Ann <ann@x>\nSubject: x\nDate: Mon, 4 Mar 2019 08:00:00 +0000\n"
        "Message-ID: <a@x>\n\nRoot.\n\n"
        "From b@x Mon Mar  4 10:00:00 2019\nFrom: Bob <bob@x>\nSubject: Re: x\nIn-Reply-To: <a@x>\n"
        "Date: 2019-03-04T12:00:00\nMessage-ID: <b@x>\n\nLater.\n\n"
        "From c@x Mon Mar  4 10:00:00 2019\nFrom: Cy <cy@x>\nSubject: Re: x\nIn-Reply-To: <a@x>\n"
        "Date: 2019-03-04T11:00:00\nMessage-ID: <c@x>\n\nEarlier.\n\n"
        "From d@x Mon Mar  4 10:00:00 2019\nFrom: Di <di@x>\nSubject: Re: x\nIn-Reply-To: <a@x>\n"
        "Date: Mon, 4 Mar 2019 09:00:00 B\nMessage-ID: <d@x>\n\nMilitary.\n"
    )
    thread = _text(archive)
    assert [(r.author, r.posted_at, r.posted_at_text) for r in thread.replies] == [
        ("Di", datetime(2019, 3, 4, 9, 0, tzinfo=timezone.utc), None),
        ("Cy", None, "2019-03-04T11:00:00"),
        ("Bob", None, "2019-03-04T12:00:00"),
    ]
    assert thread.import_notes == (
        'the Date header of <d@x> ("Mon, 4 Mar 2019 09:00:00 B") has an obsolete one-letter military zone, '
        "which RFC 5322 reads as -0000: it was read as UTC",
    )


def test_archived_at_is_the_link_unless_it_names_another_message():
    message = (
        "From: Hillf <h@example.com>\nSubject: Re: slab\nDate: Wed, 19 Jun 2019 21:37:15 +0800\n"
        "Message-Id: <20190619133715.12112-1-h@example.com>\n{}\n\nTry without that commit.\n"
    )
    copied = "Archived-At: <https://lore.kernel.org/lkml/65CAEF0C-F2A3@example.org/>"
    thread = _text(message.format(copied), name="h.eml")
    assert (thread.url, thread.opening_post.permalink) == (None, None)
    assert thread.import_notes == (
        "the Archived-At header of <20190619133715.12112-1-h@example.com> names another message "
        "(https://lore.kernel.org/lkml/65CAEF0C-F2A3@example.org/), not the one that carries it: it is not used as its link",
    )
    own = "Archived-At: <https://lore.kernel.org/lkml/20190619133715.12112-1-h%40example.com/>"
    assert _text(message.format(own), name="h.eml").url == "https://lore.kernel.org/lkml/20190619133715.12112-1-h%40example.com/"
    for header, expected in (
        ("Archived-At: https://lists.example.org/msg/1", "https://lists.example.org/msg/1"),
        ("Archived-At: <mid:20190619133715.12112-1-h@example.com>, <https://a.example.org/3>", "https://a.example.org/3"),
        (f"{copied}\nArchived-At: <https://www.mail-archive.com/dev@example.org/msg04.html>",
         "https://www.mail-archive.com/dev@example.org/msg04.html"),
    ):
        thread = _text(message.format(header), name="h.eml")
        assert thread.opening_post.permalink == expected, header


def test_quote_thunderbird_indented_inside_a_quote_is_a_deeper_quote_and_its_attribution_loses_the_address():
    text = (
        "From: Marcus <m@example.org>\nSubject: Re: FPGA\nMessage-ID: <m2@example.org>\n"
        "Content-Type: text/plain; charset=UTF-8; format=flowed\n\n"
        "On 13/08/2024 15:16, Brajesh wrote:\n>\n> On Wed, Aug 14, 2024 at 12:14 AM Marcus D. Leech \n"
        "> <patchvonbraun@example.com> wrote:\n>\n>     On 13/08/2024 14:32, Brajesh wrote:\n"
        ">>     Thanks Marcus for the answer.\n>     You CAN jtag images into the FPGA.\n>\n"
        "> Thanks Marcus, for clarifying.\n\nGood.\n"
    )
    assert _text(text, name="m.eml").opening_post.body == (
        "<p>On 13/08/2024 15:16, Brajesh wrote:</p><blockquote><p>On Wed, Aug 14, 2024 at 12:14 AM Marcus D. Leech wrote:</p>"
        "<blockquote><p>On 13/08/2024 14:32, Brajesh wrote:</p><blockquote><p>Thanks Marcus for the answer.</p></blockquote>"
        "<p>You CAN jtag images into the FPGA.</p></blockquote><p>Thanks Marcus, for clarifying.</p></blockquote><p>Good.</p>"
    )
    gnus = "From: Ann <a@example.org>\nSubject: Re: x\nMessage-ID: <g@example.org>\n\nBob writes:\n\n    > one\n    > two\n\nYes.\n"
    assert "<blockquote><blockquote>" not in _text(gnus, name="g.eml").opening_post.body


def test_webmail_advert_under_a_rule_at_the_end_is_marked_like_a_signature():
    rule = "_" * 65
    text = (
        "From: Roberto <r@example.org>\nSubject: arpegio\nMessage-ID: <r@example.org>\n\n"
        "Hay que aumentar la pila.\n\n" + rule + "\n?Est?s pensando en cambiar de coche? Todos los modelos en \n"
        "MSN Motor. http://motor.msn.es/researchcentre/\n\n\n"
    )
    body = _text(text, name="r.eml").opening_post.body
    assert body == (
        "<p>Hay que aumentar la pila.</p><pre class=\"signature\">" + rule + "\n?Est?s pensando en cambiar de coche? "
        "Todos los modelos en \nMSN Motor. http://motor.msn.es/researchcentre/</pre>"
    )
    followed = text.replace("\n\n\n", "\n\nY otra cosa: el bajo ya esta.\n")  # text after it: not an advert
    assert "class=\"signature\"" not in _text(followed, name="r.eml").opening_post.body



def test_a_body_of_many_rules_is_text_read_in_one_pass():
    # each rule once looked for its block's end through every line after it: minutes at this length
    rule = "_" * 30
    text = "From: Ann <a@example.org>\nSubject: x\nMessage-ID: <a@example.org>\n\nHi.\n" + "\n".join([rule] * 30_000) + "\n"
    assert _text(text, name="a.eml").opening_post.body == "<p>Hi.<br>" + "<br>".join([rule] * 30_000) + "</p>"

def test_bare_days_of_googles_usenet_export_stay_text_and_order_the_replies():
    post = "From {0}\nFrom: {1}@example.org ({1})\nSubject: {2}\nDate: {3}\nMessage-ID: <{4}@example.org>#1/1\n{5}\n{1} writes.\n\n"
    archive = (post.format("6027616436443015462", "Acee", "Routes", "1996/02/29", "a", "")
               + post.format("-3831648075992104022", "Jeff", "Re: Routes", "1996/03/02", "c", "References: <a@example.org>\n")
               + post.format("6051272061054231474", "Kari", "Re: Routes", "1996/03/01", "b", "References: <a@example.org>\n"))
    thread = _text(archive, name="info.gated.mbox")
    assert [(r.author, r.posted_at, r.posted_at_text) for r in _all(thread)] == [
        ("Acee", None, "1996/02/29"), ("Kari", None, "1996/03/01"), ("Jeff", None, "1996/03/02"),
    ]


def test_outlook_data_converted_by_readpst_names_senders_without_exchange_addresses():
    archive = (
        'From "Bob Smith" Mon Mar  4 10:22:33 2019\nFrom: "Bob Smith" </O=CONTOSO/OU=EXCHANGE ADMINISTRATIVE GROUP '
        '(FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN=BSMITH>\nSubject: Budget plan\nTo: Alice Jones; Carl\n'
        "Date: Mon, 04 Mar 2019 10:22:33 +0000\nMessage-Id: <a1@contoso.com>\n\nHere is the plan.\n\n"
        'From "(readpst_null)" Mon Mar  4 11:22:33 2019\nFrom: "" <>\nSubject: RE: Budget plan\n'
        "Date: Mon, 04 Mar 2019 11:22:33 +0000\nIn-Reply-To: <a1@contoso.com>\nMessage-Id: <a2@contoso.com>\n\nLooks fine.\n\n"
        'From "Carl" Mon Mar  4 12:22:33 2019\nFrom: </O=CONTOSO/OU=EXCHANGE ADMINISTRATIVE GROUP '
        "(FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN=CDOE>\nSubject: RE: Budget plan\n"
        "Date: Mon, 04 Mar 2019 12:22:33 +0000\nIn-Reply-To: <a1@contoso.com>\nMessage-Id: <a3@contoso.com>\n\nAgreed.\n"
    )
    assert [r.author for r in _all(_text(archive, name="Inbox.mbox"))] == ["Bob Smith", "unknown", "CDOE"]


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("回覆：主題討論", "主題討論"),  # Traditional Chinese Outlook, Foxmail's full-width colon
        ("ΑΠ: Συνάντηση", "Συνάντηση"),  # Greek Outlook
        ("תגובה: פגישה", "פגישה"),  # Hebrew Outlook
        ("رد: اجتماع", "اجتماع"),  # Arabic Outlook
        ("Réf. : réunion", "réunion"),
        ("[dev] Re: [dev] release plan", "[dev] release plan"),  # the list's tag once
    ],
)
def test_reply_prefixes_of_other_languages_leave_the_title_and_join_by_subject(subject, title):
    archive = (
        f"From a@x Mon Mar  4 10:00:00 2019\nFrom: Ann <ann@x>\nSubject: {title}\nDate: Mon, 4 Mar 2019 10:00:00 +0000\n"
        f"Message-ID: <a@x>\n\nRoot.\n\nFrom b@x Mon Mar  4 11:00:00 2019\nFrom: Bob <bob@x>\nSubject: {subject}\n"
        "Date: Mon, 4 Mar 2019 11:00:00 +0000\nMessage-ID: <b@x>\n\nReply.\n"
    )
    thread = _text(archive)
    assert (thread.title, [r.author for r in thread.replies]) == (title, ["Bob"])
    assert _text("From b@x" + archive.split("From b@x", 1)[1]).title == title


def test_supercite_indented_tags_exmh_attributions_and_name_address_intros_are_quotes():
    barry = (
        "From: barry@example.org (Barry A. Warsaw)\nSubject: Re: lambda\nMessage-ID: <b@example.org>\n\n"
        '>>>>> "ESR" == Eric S Raymond <esr@example.org> writes:\n\n'
        '    >> For Py3K, I might suggest "anon" instead of lambda.\n\n'
        "    ESR> Speaking as one of the LISP-heads, I don't care\n    ESR> what it's called.\n\n"
        "Then I'll suggest floob_boober. :)\n"
    )
    assert _text(barry, name="b.eml").opening_post.body == (
        '<p>"ESR" == Eric S Raymond writes:</p><blockquote><blockquote><p>For Py3K, I might suggest "anon" instead of '
        "lambda.</p></blockquote><p>Speaking as one of the LISP-heads, I don't care what it's called.</p></blockquote>"
        "<p>Then I'll suggest floob_boober. :)</p>"
    )
    anthony = (
        "From: Anthony <anthony@example.org>\nSubject: Re: lambda\nMessage-ID: <a@example.org>\n\n"
        ">>> Skip Montanaro wrote\n> \n> One reason I'm not enamored of lambdas\n\nI keep spelling it 'lamdba'.\n"
    )
    assert _text(anthony, name="a.eml").opening_post.body == (
        "<p>Skip Montanaro wrote</p><blockquote><p>One reason I'm not enamored of lambdas</p></blockquote>"
        "<p>I keep spelling it 'lamdba'.</p>"
    )
    eric = (
        "From: esr@example.org (Eric S. Raymond)\nSubject: Re: lambda\nMessage-ID: <e@example.org>\n\n"
        "Barry A. Warsaw <barry@example.org>:\n> For Py3K, I might suggest \"anon\".\n\nI don't care what it's called.\n"
    )
    assert _text(eric, name="e.eml").opening_post.body.startswith("<p>Barry A. Warsaw:</p><blockquote>")
    prompt = "From: Ann <ann@example.org>\nSubject: sql\nMessage-ID: <s@example.org>\n\n    SQL> select 1;\n    SQL> select 2;\n"
    assert "<blockquote>" not in _text(prompt, name="s.eml").opening_post.body  # an indented prompt is no quote


def test_indented_quotes_in_a_long_message_of_many_quote_depths_are_marked_at_each_depth():
    # every pass once rebuilt every line for each quote depth: a long thread's worth of depths took seconds
    def written(depth: int) -> list[str]:
        mark = ">" * depth + (" " if depth else "")
        return [mark + "On Mon, 1 Jan 2024, Bob wrote:", mark + "    On Sun, Ann wrote:", mark + "        innermost quote", mark + "Reply."]

    def marked(depth: int) -> list[str]:
        return [
            ">" * depth + (" " if depth else "") + "On Mon, 1 Jan 2024, Bob wrote:",
            ">" * (depth + 1) + " On Sun, Ann wrote:",
            ">" * (depth + 2) + " innermost quote",
            ">" * depth + (" " if depth else "") + "Reply.",
        ]

    depths = [depth for _ in range(10) for depth in range(150)]
    lines = [line for depth in depths for line in written(depth)]
    assert attributions.indented_quotes_marked(lines) == [line for depth in depths for line in marked(depth)]


def test_a_confidentiality_notice_at_the_end_is_marked_like_a_signature():
    notice = (
        "This email message and all attachments transmitted with it are intended solely for the use of the\n"
        "intended recipient(s) and may contain legally privileged and confidential information."
    )
    rule = "=" * 40
    head = "From: John <j@example.com>\nSubject: FRU path\nMessage-ID: <j@example.com>\n\n"
    footer = "_" * 47 + "\nopenbmc mailing list\nhttps://lists.example.org/listinfo/openbmc\n"
    text = head + "Any setting I should set?\n\nRegards,\nJohn Chung\n\n" + rule + "\n" + notice + "\n\n" + footer
    assert _text(text, name="j.eml").opening_post.body == (
        "<p>Any setting I should set?</p><p>Regards,<br>John Chung</p><pre class=\"signature\">" + rule + "\n"
        + notice + "\n\n" + footer.rstrip("\n") + "</pre>"
    )
    unruled = head + "Thanks.\n\nCONFIDENTIALITY NOTICE: this message is for its addressee only.\n"
    assert _text(unruled, name="j.eml").opening_post.body == (
        "<p>Thanks.</p><pre class=\"signature\">CONFIDENTIALITY NOTICE: this message is for its addressee only.</pre>"
    )
    followed = head + "This message is confidential, please keep it so.\n\nThe plan is below.\n"  # the sender's own words
    assert "signature" not in _text(followed, name="j.eml").opening_post.body
    plain = head + "Thanks.\n\nThis message was sent from my phone.\n"  # no word of a notice
    assert "signature" not in _text(plain, name="j.eml").opening_post.body


@pytest.mark.parametrize(
    ("attribution", "without_address"),
    [
        ("On Apr 22, 2020, at 1:01 PM, Christoph Hellwig <hch@lst.de> wrote:", "On Apr 22, 2020, at 1:01 PM, Christoph Hellwig wrote:"),
        ("2024年3月5日 04:47，Paul E. McKenney <paulmck@kernel.org> 写道：", "2024年3月5日 04:47，Paul E. McKenney 写道："),
    ],
)
def test_apple_mail_attribution_quoted_with_the_text_it_introduces_loses_the_address(attribution, without_address):
    # Apple Mail writes its attribution as the first line of the quote, not above it
    head = "From: linke <l@example.org>\nSubject: Re: rcutorture\nMessage-ID: <l@example.org>\nContent-Type: text/plain; charset=utf-8\n\n"
    text = head + f"Thank you both.\n\n> {attribution}\n>\n> linke li, does this approach work for you?\n>\n> \t\tThanx, Paul\n"
    assert _text(text, name="l.eml").opening_post.body == (
        f"<p>Thank you both.</p><blockquote><p>{without_address}</p>"
        "<p>linke li, does this approach work for you?</p><p>Thanx, Paul</p></blockquote>"
    )
    name, address = attribution.split(" <")
    address, end = address.split(">")
    linked = f'{name} &lt;<a href="mailto:{address}">{address}</a>&gt;{end}'  # as Apple Mail links it
    html = (
        head.replace("text/plain", "text/html") + '<body>Thanks, applied.<br><div><br><blockquote type="cite">'
        f"<div>{linked}</div><br><div><div>Looks good to me.</div></div></blockquote></div></body>"
    )
    assert _text(html, name="l.eml").opening_post.body == (
        f"<p>Thanks, applied.<br></p><blockquote><p>{without_address}</p><br><p>Looks good to me.</p></blockquote>"
    )
    # a quote whose first line merely mentions someone's address keeps it: it is the quoted sender's text
    kept = head + "Agreed.\n\n> Mail bob@example.org if it breaks.\n> It did.\n"
    assert "bob@example.org" in _text(kept, name="l.eml").opening_post.body


def test_gmail_chat_record_without_a_date_header_takes_the_zoned_time_of_its_from_line():
    chat = (
        "From 1520374143434640317@xxx Wed Nov 29 22:49:50 +0000 2017\nX-GM-THRID: 1520374143434640317\n"
        "X-Gmail-Labels: Chat,Family\nFrom: Jessica Wright <other@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: text/plain\n\nAre you coming?\n\n"
    )
    thread = _text(chat, name="All mail Including Spam and Trash.mbox")
    assert thread.opening_post.posted_at == datetime(2017, 11, 29, 22, 49, 50, tzinfo=timezone.utc)
    assert thread.opening_post.posted_at_text is None
    assert (
        f"no Date header in <{thread.opening_post.id}> (as in Gmail's chat records): "
        "the time is the one its mbox 'From ' line gives, with its zone"
    ) in thread.import_notes
    # the chat's next record (no Message-ID, no subject either) joins it by the conversation id
    answer = chat.replace("22:49:50", "22:51:02").replace("Jessica Wright <other", "Jason <me").replace("Are you coming?", "Yes, at six.")
    conversation = _text(chat + answer, name="All mail Including Spam and Trash.mbox")
    assert [(reply.author, reply.posted_at.minute) for reply in conversation.replies] == [("Jason", 51)]
    # a From_ line without a zone (Mailman, mutt) is local time nobody knows: kept as text
    unzoned = _text(chat.replace(" +0000 2017", " 2017"), name="a.mbox").opening_post
    assert (unzoned.posted_at, unzoned.posted_at_text) == (None, "Wed Nov 29 22:49:50 2017")


def test_thunderbird_inline_forward_opening_with_subject_is_quoted_below_its_marker():
    head = "From: A <a@example.org>\nSubject: Fwd: build broken\nMessage-ID: <fw@example.org>\nContent-Type: text/plain; charset=utf-8\n\n"
    forward = (
        "FYI, see below.\n\n\n-------- Forwarded Message --------\nSubject: \tbuild broken on arm64\n"
        "Date: \tMon, 4 Mar 2024 10:00:00 +0100\nFrom: \tBob Builder <bob@example.net>\nTo: \tdev@lists.example.org\n\n\n\n"
        "The arm64 build fails since yesterday.\n\nBob\n"
    )
    assert _text(head + forward, name="f.eml").opening_post.body == (
        "<p>FYI, see below.</p><p>-------- Forwarded Message --------</p><blockquote><pre>Subject: \tbuild broken on arm64\n"
        "Date: \tMon, 4 Mar 2024 10:00:00 +0100\nFrom: \tBob Builder\nTo: \tdev</pre>"
        "<p>The arm64 build fails since yesterday.</p><p>Bob</p></blockquote>"
    )
    german = forward.replace("Forwarded Message", "Weitergeleitete Nachricht").replace("Subject:", "Betreff:")
    assert "<blockquote><pre>Betreff:" in _text(head + german, name="f.eml").opening_post.body


def test_gmail_conversation_id_groups_reference_less_replies_instead_of_the_subject():
    # Google Groups' Takeout (topics.mbox): a reply whose subject was edited stays in its
    # conversation, and two topics titled alike stay apart
    def message(number: int, thrid: str, subject: str, extra: str = "") -> str:
        return (
            f"From 2866812551168{number}@xxx Thu Apr 16 09:5{number}:04 +0000 2015\r\nX-GM-THRID: {thrid}\r\n"
            f"X-Google-Groups: medios\r\nDate: Thu, 16 Apr 2015 09:5{number}:04 +0000\r\nFrom: P{number} <p{number}@example.es>\r\n"
            f"Message-Id: <m{number}@googlegroups.com>\r\n{extra}Subject: {subject}\r\n\r\nText {number}.\r\n\r\n"
        )

    mbox_text = (
        message(1, "2861", "Hola")
        + message(2, "2861", "Re: Hola", "In-Reply-To: <m1@googlegroups.com>\r\n")
        + message(3, "2861", "Cambio de sala (era: Hola)")
        + message(4, "2999", "Hola")
    )
    thread = _text(mbox_text, thread="m1@googlegroups.com", name="temas.mbox")
    assert [reply.id for reply in thread.replies] == ["m2@googlegroups.com", "m3@googlegroups.com"]
    assert (
        "joined to this thread by Gmail's conversation id (X-GM-THRID), as References/In-Reply-To did not connect them: "
        "<m3@googlegroups.com>"
    ) in thread.import_notes
    assert "the source holds 1 other thread(s), not imported" in thread.import_notes
    assert _text(mbox_text, thread="m4@googlegroups.com", name="temas.mbox").replies == ()
