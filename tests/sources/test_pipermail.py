"""The pipermail reader on Mailman 2 text archives (Perceval and HyperKitty test data) and our own text."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, canonical, detect, load_documents, mbox, pipermail
from digest.sources.mail.bodies import prepare_plain_text


def _read_paths(*paths, thread: str | None = None):
    documents = tuple(doc for path in paths for doc in load_documents(path))
    return pipermail.read(ImportRequest(documents, thread=thread))


def _text(text: str | bytes, thread: str | None = None):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return pipermail.read(ImportRequest((SourceDocument("2024-January.txt", data),), thread=thread))


def test_sniff_takes_pipermail_and_leaves_plain_mbox_to_the_mbox_reader(shared_data):
    def doc(rel):
        return load_documents(shared_data / rel)[0]

    for rel in (
        "perceval-fixtures/pipermail/pipermail_2015_november.mbox",
        "perceval-fixtures/pipermail/pipermail_2016_march.mbox",
        "perceval-fixtures/hyperkitty/hyperkitty_2016_april.mbox",
        "email-edgecases-hyperkitty-pypi/non-ascii-headers.txt",
    ):
        assert pipermail.sniff(doc(rel)) and not mbox.sniff(doc(rel)), rel
        assert detect(ImportRequest((doc(rel),))) == "pipermail"
    for rel in (
        "perceval-fixtures/mbox/mbox_complex.mbox",
        "perceval-fixtures/groupsio/messages.mbox",
        "mbox-edgecases-patchwork/series/bugs-spamming.mbox",
        "mbox-edgecases-patchwork/mail/0016-no-subject.mbox",
        "email-edgecases-hyperkitty-pypi/attachment-2.txt",
        "perceval-fixtures/discourse/discourse_topic_1148.json",
        "feeds/heise.atom",
        "stackexchange-coffee/coffee.stackexchange.Posts.xml",
    ):
        assert not pipermail.sniff(doc(rel)), rel
    assert not pipermail.sniff(SourceDocument("x", b"\x00\xff" * 10))
    # archives written with ARCHIVER_OBSCURES_EMAILADDRS off are known by Mailman's fixed header shape
    head = b"From ann@example.org  Mon Jan  1 10:00:00 2024\nFrom: ann@example.org (Ann)\nDate: x\nSubject: y\n"
    assert pipermail.sniff(SourceDocument("2024-January.txt", head))
    plain = b"From ann@example.org  Mon Jan  1 10:00:00 2024\nFrom: Ann <ann@example.org>\nDate: x\nSubject: y\n"
    assert not pipermail.sniff(SourceDocument("inbox", plain)) and mbox.sniff(SourceDocument("inbox", plain))


def test_november_thread_rejoins_a_root_whose_message_id_was_rewritten(shared_data):
    thread = _read_paths(shared_data / "perceval-fixtures/pipermail/pipermail_2015_november.mbox")
    assert thread.source_format == "pipermail"
    assert thread.id == "CACRHdMaObu7Dc0FWTWEesvRCzUNDG=7oA7KFqAgtOs_UKjb3Og@mail.gmail.com"
    assert thread.title == "[Metrics-grimoire] Docker and MetricsGrimoire"
    assert thread.author == "Andy Grunwald"  # "andy at example.com (Andy Grunwald)"
    assert thread.opening_post.posted_at == datetime(2015, 11, 14, 20, 29, 28, tzinfo=timezone.utc)
    assert [(r.author, r.parent_id) for r in thread.replies] == [
        ("Jesus M. Gonzalez-Barahona", None),
        ("Andy Grunwald", "1447627429.3593.319.camel@example.com"),
        ("Andy Grunwald", "CACRHdMZaZtkM9h_=p_HH1Yz9pTJwh6nwU0PmeqQX=kemD8LCjw@example.com"),
    ]
    # the replies cite the root as ...@example.com, the archive has it as ...@mail.gmail.com
    assert thread.partial is True
    assert thread.import_notes[0] == (
        "1 referenced message(s) are not in the source: <CACRHdMaObu7Dc0FWTWEesvRCzUNDG=7oA7KFqAgtOs_UKjb3Og@example.com>"
    )
    jesus = thread.replies[0]
    assert jesus.body.startswith("<p>This is cool, Andy.</p><p>Which rights do you need?</p>")
    assert "<p>On Sat, 2015-11-14 at 21:29 +0100, Andy Grunwald wrote:</p><blockquote><p>Hey,</p>" in jesus.body
    # pipermail's "next part ... scrubbed" note is marked like a signature, so excerpts skip it
    assert thread.opening_post.body.endswith("attachment.htm&gt;</pre>")
    assert '<pre class="signature">-------------- next part --------------' in thread.opening_post.body
    assert canonical.loads(canonical.dumps(thread), "x.json") == thread


def test_march_decodes_rfc2047_author_and_unfolds_the_subject(shared_data):
    thread = _read_paths(shared_data / "perceval-fixtures/pipermail/pipermail_2016_march.mbox")
    assert thread.author == "Germán Poo-Caamaño"
    assert thread.title == "[Metrics-grimoire] MLStats may change the semantic of --force any time soon"
    assert thread.id == "1457025635.7479.7.camel@calcifer.org"
    assert thread.replies == () and thread.partial is False and thread.import_notes == ()


def test_april_parent_links(shared_data):
    thread = _read_paths(shared_data / "perceval-fixtures/pipermail/pipermail_2016_april.mbox")
    assert thread.title == "[Metrics-grimoire] [GrimoireLab] Presenting GrimoireLab"
    assert thread.author == "Jesus M. Gonzalez-Barahona"
    assert [(r.id, r.parent_id) for r in thread.replies] == [
        ("CACRHdMZgAgzyhewu_aAJ2f2DWHVZdNH6J7zd2S=YWQuf-2yZDw@example.com", None),
        ("1461621607.19185.342.camel@example.com", "CACRHdMZgAgzyhewu_aAJ2f2DWHVZdNH6J7zd2S=YWQuf-2yZDw@example.com"),
    ]
    assert thread.replies[1].posted_at == datetime(2016, 4, 25, 22, 0, 7, tzinfo=timezone.utc)


def test_several_monthly_files_are_one_archive_and_need_a_selector(shared_data):
    folder = shared_data / "perceval-fixtures/pipermail"
    months = [folder / name for name in ("pipermail_2015_november.mbox", "pipermail_2016_april.mbox", "pipermail_2016_march.mbox")]
    with pytest.raises(SourceError) as error:
        _read_paths(*months)
    assert "holds 3 threads" in str(error.value)
    assert "'[Metrics-grimoire] MLStats may change the semantic of --force any time soon'  (1 message)" in str(error.value)
    assert len(_read_paths(*months, thread="docker").replies) == 3
    assert _read_paths(*months, thread="<1460624816.5581.114.camel@example.com>").author == "Jesus M. Gonzalez-Barahona"


def test_real_archive_excerpt_with_four_threads(shared_data):
    path = shared_data / "email-edgecases-hyperkitty-pypi/non-ascii-headers.txt"
    with pytest.raises(SourceError) as error:
        _read_paths(path)
    assert "holds 4 threads" in str(error.value)
    assert "Compte-rendu de la réunion du 1 novembre 2009" in str(error.value)  # =?iso-8859-1?q?...r=E9union...?=
    thread = _read_paths(path, thread="rpm macros")
    assert thread.author == "Vít Ondruch"  # =?ISO-8859-2?Q?V=EDt_Ondruch?=
    assert [r.author for r in thread.replies] == ["Vít Ondruch", "Marcela Mašláňová"]
    assert thread.partial is True  # the second message answers Paul Howarth's, not archived here
    assert thread.replies[0].body.startswith("<p>Dne 10.7.2012 13:48, Paul Howarth napsal(a):</p><blockquote>")


ARCHIVE = (
    "From juan en example.com  Mon Jan  1 10:00:00 2024\n"
    "From: juan en example.com (=?iso-8859-1?q?Juan_P=E9rez?=)\n"
    "Date: Mon, 01 Jan 2024 10:00:00 +0100\n"
    "Subject: [Lista] Horario de la reunión\n"
    "Message-ID: <abc at example.com>\n"
    "\n"
    "Hola a todos, la reunión es el martes.\n"
    "\n"
    "From time to time: we meet\n"
    "Date: not a header, a line of the body\n"
    "\n"
    "From ana at example.com  Mon Jan  1 11:00:00 2024\n"
    "From: ana at example.com (ana at example.com)\n"
    "Date: Mon, 01 Jan 2024 11:00:00 +0100\n"
    "Subject: [Lista] Horario de la reunión\n"
    "In-Reply-To: <abc@example.com>\n"
    "References: <abc@example.com>\n"
    "Message-ID: <def@example.com>\n"
    "\n"
    "Juan Pérez wrote:\n"
    "> la reunión es el martes.\n"
    "¿A qué hora?\n"
    "_______________________________________________\n"
    "Lista mailing list\n"
    "Lista at example.com\n"
    "https://example.com/mailman/listinfo/lista\n"
)


def test_hand_made_archive_with_translated_obfuscation_and_latin1_bytes(tmp_path):
    path = tmp_path / "2024-January.txt.gz"
    path.write_bytes(gzip.compress(ARCHIVE.encode("latin-1")))  # Mailman wrote the list's charset
    documents = load_documents(path)
    assert pipermail.sniff(documents[0])
    thread = pipermail.read(ImportRequest(documents))
    assert thread.id == "abc@example.com"  # "<abc at example.com>" de-obfuscated for threading
    assert thread.author == "Juan Pérez"
    assert thread.title == "[Lista] Horario de la reunión"
    body = thread.opening_post.body  # a "From " line in a body is not one of Mailman's separators
    assert "From time to time: we meet" in body and "Date: not a header, a line of the body" in body
    (ana,) = thread.replies
    assert ana.author == "ana" and ana.parent_id is None
    assert ana.body.startswith("<p>Juan Pérez wrote:</p><blockquote><p>la reunión es el martes.</p></blockquote><p>¿A qué hora?</p>")
    assert '<pre class="signature">_______________________________________________\nLista mailing list' in ana.body
    assert thread.partial is False
    assert thread.import_notes == (
        "the text of <abc@example.com>, <def@example.com> declares no charset; it was read as Windows-1252 (a guess)",
        "the sender name or subject of <abc@example.com>, <def@example.com> is 8-bit text without a charset "
        "(no RFC 2047 encoding); it was read as Windows-1252 (a guess)",
    )


def test_html_only_post_left_as_a_scrubbed_note_is_reported():
    text = (
        "From bo at example.com  Tue Jan  2 10:00:00 2024\nFrom: bo at example.com (Bo)\n"
        "Date: Tue, 02 Jan 2024 10:00:00 +0000\nSubject: [Lista] Fotos\nMessage-ID: <fotos@example.com>\n\n"
        "-------------- next part --------------\nAn HTML attachment was scrubbed...\n"
        "URL: <http://example.com/pipermail/lista/attachments/20240102/a.htm>\n"
    )
    thread = _text(text)
    assert thread.author == "Bo"
    assert thread.opening_post.body.startswith('<pre class="signature">-------------- next part')
    assert "no readable text in <fotos@example.com>" in thread.import_notes


@pytest.mark.parametrize(
    "separator",
    [
        "-------------- parte successiva --------------",  # it
        "-------------- Próxima Parte ----------",  # pt_BR
        "------------- volgend deel ------------",  # nl
    ],
)
def test_translated_next_part_note_sits_below_the_text_like_a_signature(separator):
    text = (
        "From bo at example.com  Tue Jan  2 10:00:00 2024\nFrom: bo at example.com (Bo)\n"
        "Date: Tue, 02 Jan 2024 10:00:00 +0000\nSubject: [Lista] Foto\nMessage-ID: <foto@example.com>\n\n"
        f"Ecco la foto.\n{separator}\nUn allegato non testuale è stato rimosso....\n"
    )
    body = _text(text).opening_post.body
    assert body.startswith(f'<p>Ecco la foto.</p><pre class="signature">{separator}')


def test_git_patch_pasted_into_a_post_stays_in_it():
    text = (
        "From dev at example.org  Tue Mar  5 10:00:00 2024\n"
        "From: dev at example.org (Dee Dev)\n"
        "Date: Tue, 5 Mar 2024 10:00:00 +0000\n"
        "Subject: [Lista] [PATCH] fix the offset\n"
        "Message-ID: <patch-mail@example.org>\n"
        "\n"
        "A fix below.\n"
        "8< ----\n"
        "From dee Mon Sep 17 00:00:00 2001\n"
        "From: Dee Dev <dev at example.org>\n"
        "Date: Tue, 5 Mar 2024 09:58:00 +0000\n"
        "Subject: [PATCH] fix the offset for the second unit\n"
        "\n"
        "The offset was wrong.\n"
    )
    thread = _text(text)
    assert thread.id == "patch-mail@example.org" and thread.replies == ()
    assert "The offset was wrong." in thread.opening_post.body


def test_subject_join_keeps_the_earliest_post_as_the_opening_post():
    # Mailman trims "Re:", and the answer carries no references: joined by subject, it must
    # not open the thread above the question that came first
    text = (
        "From asker at example.org  Wed Apr 24 17:00:00 2024\n"
        "From: asker at example.org (Ada Asker)\n"
        "Date: Wed, 24 Apr 2024 17:00:00 +0000\n"
        "Subject: [Lista] Install fails\n"
        "References: <older-post@example.org>\n"
        "Message-ID: <question@example.org>\n\n"
        "The install fails, any idea?\n\n"
        "From helper at example.org  Thu Apr 25 08:00:00 2024\n"
        "From: helper at example.org (Hal Helper)\n"
        "Date: Thu, 25 Apr 2024 08:00:00 +0000\n"
        "Subject: [Lista] Install fails\n"
        "Message-ID: <answer@example.org>\n\n"
        "Not sure, will look.\n\n"
        "From asker at example.org  Thu Apr 25 09:00:00 2024\n"
        "From: asker at example.org (Ada Asker)\n"
        "Date: Thu, 25 Apr 2024 09:00:00 +0000\n"
        "Subject: [Lista] Install fails\n"
        "In-Reply-To: <answer@example.org>\n"
        "Message-ID: <thanks@example.org>\n\n"
        "Thanks.\n"
    )
    thread = _text(text)
    assert thread.id == "question@example.org" and thread.author == "Ada Asker"
    assert [(r.id, r.parent_id) for r in thread.replies] == [
        ("answer@example.org", None),
        ("thanks@example.org", "answer@example.org"),
    ]
    joined = "joined to this thread by subject, as References/In-Reply-To did not connect them: <answer@example.org>"
    assert joined in thread.import_notes


def _one_post(body: bytes, date: str = "Tue, 3 Mar 2009 07:20:00 +0900", sender: bytes = b"ken at example.jp (Ken)") -> bytes:
    return (
        b"From ken at example.jp  Tue Mar  3 10:20:00 2009\nFrom: " + sender + b"\nDate: " + date.encode()
        + b"\nSubject: [test] hello\nMessage-ID: <post@example.jp>\n\n" + body + b"\n"
    )


def test_list_charset_bodies_are_detected_and_the_guess_is_noted():
    japanese = "メーリングリストへようこそ。質問はこちらへどうぞ。"
    thread = _text(_one_post(japanese.encode("euc_jp")))
    assert thread.opening_post.body == f"<p>{japanese}</p>"
    assert "the text of <post@example.jp> declares no charset; it was read as EUC-JP (a guess)" in thread.import_notes
    russian = "Добро пожаловать в список рассылки! Вопросы задавайте здесь."
    thread = _text(_one_post(russian.encode("koi8_r")))
    assert thread.opening_post.body == f"<p>{russian}</p>"
    assert "the text of <post@example.jp> declares no charset; it was read as KOI8-R (a guess)" in thread.import_notes


def test_obfuscated_addresses_do_not_break_links():
    body = (
        b"Mail ann.lee at example.com<mailto:ann.lee at example.com> or <mailto:bo at example.com>, see\n"
        b"http://wiki.example.org/view/index.php at HowTo.html and http://example.org at noon"
    )
    html = _text(_one_post(body)).opening_post.body
    assert "mailto" not in html
    assert "ann.lee at example.com or &lt;bo at example.com&gt;" in html
    url = "http://wiki.example.org/view/index.php@HowTo.html"
    assert f'<a href="{url}">{url}</a>' in html
    assert '<a href="http://example.org">http://example.org</a> at noon' in html


def test_a_line_of_thousands_of_glued_links_is_joined_in_linear_time():
    """A damaged archive's line of 5,000 glued "mailto:" or URLs took 8 s: each was scanned to
    the end of the line, so a long line took the square of its length."""
    text = ("mailto:" * 5000 + "\n" + "http://a.example/" * 5000 + " at example.org/x\n"
            "See http://wiki.example.org/index.php at HowTo.html or mail <mailto:ann at example.org>.")
    prepared = prepare_plain_text(text, "at")
    assert prepared == ("mailto:" * 5000 + "\n" + "http://a.example/" * 5000 + "@example.org/x\n"
                        "See http://wiki.example.org/index.php@HowTo.html or mail <ann at example.org>.")


def test_date_without_a_zone_is_kept_as_text_and_still_orders_the_posts():
    text = _one_post(b"First.", date="Sun Oct  8 17:27:48 2006") + (
        b"\nFrom bo at example.jp  Mon Oct  9 09:00:00 2006\nFrom: bo at example.jp (Bo)\n"
        b"Date: Sat Oct  7 08:59:00 2006\nSubject: [test] hello\nMessage-ID: <earlier@example.jp>\n\nEarlier.\n"
    )
    thread = _text(text)
    assert thread.id == "earlier@example.jp"  # zone-less dates still order the posts
    assert thread.opening_post.posted_at is None and thread.opening_post.posted_at_text == "Sat Oct 7 08:59:00 2006"
    (post,) = thread.replies
    assert post.posted_at is None and post.posted_at_text == "Sun Oct 8 17:27:48 2006"


def test_mailman_placeholder_sender_is_unknown_with_a_note():
    thread = _text(_one_post(b"No From header came with this.", sender=b"bogus at does.not.exist.com ()"))
    assert thread.author == "unknown" and thread.opening_post.author == "unknown"
    note = "no sender recorded for <post@example.jp> (Mailman's bogus@does.not.exist.com); shown as 'unknown'"
    assert note in thread.import_notes


# ---------------------------------------------------------------------------- properties

def _check(data: bytes, thread: str | None = None) -> None:
    doc = SourceDocument("fuzz.txt", data)
    assert pipermail.sniff(doc) in (True, False)
    try:
        result = pipermail.read(ImportRequest((doc,), thread=thread))
    except SourceError:
        return
    canonical.dumps(result)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_only_raise_source_error(data):
    _check(data)
    _check(b"From x at y.org  Mon Jan  1 00:00:00 2024\nFrom: x at y.org (X)\n" + data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(st.tuples(st.integers(0, 2000), st.binary(max_size=12), st.integers(0, 20)), max_size=8),
    selector=st.one_of(st.none(), st.text(max_size=10), st.just("abc@example.com")),
)
def test_mutated_archive_only_raises_source_error(edits, selector):
    data = bytearray(ARCHIVE.encode("utf-8"))
    for position, insert, delete in edits:
        position %= len(data) + 1
        data[position:position + delete] = insert
    _check(bytes(data), selector)


@pytest.mark.parametrize(
    ("name", "subject", "text", "codec", "label"),
    [
        ("Łukasz Żółć", "Pytanie o jądro", "Dzięki, działa. Zażółć gęślą jaźń.", "iso8859_2", "ISO-8859-2"),
        ("יוסי כהן", "בעיה בהתקנה", "שלום לכולם. ניסיתי להתקין את הגרסה האחרונה של התוכנה במחשב שלי.", "iso8859_8", "ISO-8859-8"),
    ],
)
def test_latin_2_and_hebrew_lists_are_read_in_their_charset_names_too(name, subject, text, codec, label):
    post = (
        f"From jan at example.pl  Mon Jan  5 16:14:05 2009\nFrom: jan at example.pl ({name})\n"
        f"Date: Mon, 05 Jan 2009 19:14:05 +0300\nSubject: [list] {subject}\nMessage-ID: <1@example.pl>\n\n{text}\n"
    ).encode(codec)
    thread = _text(post)
    assert (thread.author, thread.title, thread.opening_post.body) == (name, f"[list] {subject}", f"<p>{text}</p>")
    assert f"the text of <1@example.pl> declares no charset; it was read as {label} (a guess)" in thread.import_notes
    assert (
        "the sender name or subject of <1@example.pl> is 8-bit text without a charset (no RFC 2047 encoding); "
        f"it was read as {label} (a guess)"
    ) in thread.import_notes


@pytest.mark.parametrize(
    "body",
    [
        # the Scrubber's note for a message that was only HTML, without a "next part" line
        "An HTML attachment was scrubbed...\nURL: <https://example.com/pipermail/l10n/attachments/20040503/a.html>\n",
        # for a part it could not convert, glued to the "next part" line
        "Skipped content of type multipart/alternative-------------- next part --------------\n"
        "A non-text attachment was scrubbed...\nName: not available\nUrl : http://example.com/a.jpeg\n",
    ],
)
def test_mailmans_scrubber_notes_alone_are_no_readable_text(body):
    text = (
        "From theo at example.com  Mon May  3 19:13:03 2004\nFrom: theo at example.com (Theo)\n"
        "Date: Mon, 03 May 2004 12:13:03 -0500\nSubject: [l10n] Yes/No\nMessage-ID: <t@example.com>\n\n" + body
    )
    thread = _text(text)
    assert thread.opening_post.body.startswith('<pre class="signature">' + body.split("-")[0].split("\n")[0])
    assert "no readable text in <t@example.com>" in thread.import_notes


def test_inline_pgp_signed_post_in_an_archive_is_unarmoured_with_a_note():
    body = (
        b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA1\n\nThe release is tagged.\n- -- \nKen\n"
        b"-----BEGIN PGP SIGNATURE-----\nVersion: GnuPG v1\n\niEYEARECAAYFAkm\n=x1Qz\n-----END PGP SIGNATURE-----\n"
    )
    thread = _text(_one_post(body))
    assert thread.opening_post.body == '<p>The release is tagged.</p><pre class="signature">Ken</pre>'
    assert thread.import_notes == (
        "the text of <post@example.jp> is PGP-signed inline: the armour lines and the signature block were left out "
        "(the signature was not checked)",
    )


def test_attributions_and_header_blocks_lose_the_addresses_mailman_obfuscated(shared_data):
    body = (
        b"Agreed; mail me at ken at example.jp.\n\n"
        b"On Sat, 2 Mar 2019, Bob Jones <bob at example.net> wrote:\n"
        b"> ann at example.org wrote:\n>> Turn it weekly.\n> It never gets hot.\n\n"
        b"-----Original Message-----\nFrom: Bob Jones [mailto:bob at example.net]\n"
        b"Sent: Monday, March 4, 2019 10:00 AM\nTo: test at lists.example.jp\nSubject: hello\n\nAdd greens.\n"
    )
    assert _text(_one_post(body)).opening_post.body == (
        "<p>Agreed; mail me at ken at example.jp.</p>"  # the sender's own words keep their address
        "<p>On Sat, 2 Mar 2019, Bob Jones wrote:</p>"
        "<blockquote><p>ann wrote:</p><blockquote><p>Turn it weekly.</p></blockquote><p>It never gets hot.</p>"
        "<pre>-----Original Message-----\nFrom: Bob Jones\n"
        "Sent: Monday, March 4, 2019 10:00 AM\nTo: test\nSubject: hello</pre><p>Add greens.</p></blockquote>"
    )
    spanish = (  # Mailman wrote the list language's word for "at"
        "From juan en example.com  Mon Jan  1 10:00:00 2024\nFrom: juan en example.com (Juan)\n"
        "Date: Mon, 01 Jan 2024 10:00:00 +0100\nSubject: [Lista] Hora\nMessage-ID: <abc en example.com>\n\n"
        "A las diez.\n\n"
        "El lun, 1 ene 2024 a las 9:00, Ana Ruiz (<ana en example.com>) escribió:\n> ¿A qué hora?\n"
    )
    assert _text(spanish).opening_post.body == (
        "<p>A las diez.</p><p>El lun, 1 ene 2024 a las 9:00, Ana Ruiz escribió:</p><blockquote><p>¿A qué hora?</p></blockquote>"
    )
    thread = _read_paths(shared_data / "perceval-fixtures/pipermail/pipermail_2015_november.mbox")
    andy = thread.replies[2].body  # "2015-11-21 13:05 GMT+01:00 Andy Grunwald <andy at example.com>:"
    assert "<p>2015-11-21 13:05 GMT+01:00 Andy Grunwald:</p><blockquote>" in andy and "andy at" not in andy


def test_messages_under_mailmans_no_subject_placeholder_are_not_one_thread():
    commit = (
        "From bogus@does.not.exist.com  Wed Mar 14 15:41:21 2012\nFrom: bogus@does.not.exist.com ()\n"
        "Date: Wed, 14 Mar 2012 14:41:21 -0000\nSubject: No subject\nMessage-ID: <mailman.{0}.1331736084@lists.example.org>\n\n"
        "Modified: trunk/src/file{0}.c\n\n\n\n"
    )
    archive = "".join(commit.format(number) for number in range(3))
    with pytest.raises(SourceError, match="this source holds 3 threads"):
        _text(archive)
    thread = _text(archive, thread="mailman.1.1331736084@lists.example.org")
    assert (thread.id, thread.author, thread.replies) == ("mailman.1.1331736084@lists.example.org", "unknown", ())
    assert not any("joined to this thread by subject" in note for note in thread.import_notes)


def test_thunderbird_attribution_with_its_mailto_link_loses_the_obfuscated_address():
    text = (
        "From encukou at example.com  Fri Mar  1 05:41:03 2019\nFrom: encukou at example.com (Petr Viktorin)\n"
        "Date: Fri, 1 Mar 2019 11:41:03 +0100\nSubject: [Python-Dev] packages\nMessage-ID: <p@example.com>\n\n"
        "On 2/28/19 6:56 PM, Gregory P. Smith wrote:\n> \n"
        "> On Wed, Feb 27, 2019 at 5:12 PM Toshio Kuratomi <a.badger at example.com \n"
        "> <mailto:a.badger at example.com>> wrote:\n> \n>     This idea has some definite problems.\n> \n"
        "> Agreed.\n\nCurrently, in Fedora it is so.\n"
    )
    body = _text(text).opening_post.body
    assert body.startswith(
        "<p>On 2/28/19 6:56 PM, Gregory P. Smith wrote:</p><blockquote><p>On Wed, Feb 27, 2019 at 5:12 PM Toshio Kuratomi wrote:</p>"
    )
    assert "a.badger" not in body


def test_a_commit_lists_changed_paths_keep_one_path_a_line():
    archive = (
        "From laurent at xulfr.org  Fri Mar  7 15:21:21 2008\n"
        "From: laurent at xulfr.org (laurent at xulfr.org)\n"
        "Date: Fri, 07 Mar 2008 15:21:21 +0100\n"
        "Subject: [Jelix-public] checkin SVN-793 (laurentj)\n"
        "Message-ID: <47D14F61.mailBWX11NG9L@xulfr.org>\n\n"
        "fixed a unit test fail\n\n"
        "U   branches/1.0.x/build/manifests/testapp.mn\n"
        "A + branches/1.0.x/testapp/tests/jforms.htmlbuilder.html.php\n"
        "_U  trunk/lib/\n"
        "D   trunk/lib/jelix/core/jController.class.php\n\n"
        "U   is the letter for updated.\n"
    )
    assert _text(archive).opening_post.body == (
        "<p>fixed a unit test fail</p><p>U   branches/1.0.x/build/manifests/testapp.mn<br>"
        "A + branches/1.0.x/testapp/tests/jforms.htmlbuilder.html.php<br>_U  trunk/lib/<br>"
        "D   trunk/lib/jelix/core/jController.class.php</p><p>U   is the letter for updated.</p>"
    )


def test_quoted_printable_an_archive_kept_without_its_headers_is_decoded_with_a_note():
    # BerliOS's archive lost the MIME headers of some messages: their text is raw quoted-printable
    archive = (
        "From bogus at does.not.exist.com  Wed Mar 14 15:22:58 2012\nFrom: bogus at does.not.exist.com ()\n"
        "Date: Wed, 14 Mar 2012 14:22:58 -0000\nSubject: No subject\nMessage-ID: <mailman.6.1331734998@lists.example.de>\n\n"
        "single camera at a time or against all three at once. As far as I can =\n"
        "tell, it also makes no difference whatsoever if I connect one or all =\n"
        "cameras through a hub.\n=20\nRegards\nMorten S=F8rensen\n=20\n\n"
    )
    thread = _text(archive)
    assert thread.opening_post.body == (
        "<p>single camera at a time or against all three at once. As far as I can tell, it also makes no difference "
        "whatsoever if I connect one or all cameras through a hub.</p><p>Regards<br>Morten Sørensen</p>"
    )
    assert (
        "the text of <mailman.6.1331734998@lists.example.de> is quoted-printable that no header declares "
        "(an archive lost its MIME headers); it was decoded"
    ) in thread.import_notes
    # text that merely holds "=" signs (settings, a line ending in "=") is no quoted-printable
    settings_text = archive.split("\n\n", 1)[0] + "\n\nSet timeout=30 and retries=3D in the config, then run\nmake CFLAGS=\nand see.\n\n"
    assert "timeout=30" in _text(settings_text).opening_post.body


def test_addresses_mailman_obfuscated_inside_a_patch_get_their_at_sign_back():
    archive = (
        "From bob at example.org  Mon Mar  4 10:00:00 2024\nFrom: bob at example.org (Bob Builder)\n"
        "Date: Mon, 04 Mar 2024 10:00:00 +0000\nSubject: [PATCH] add maintainer\nMessage-ID: <p1 at example.org>\n\n"
        "Please look at the patch below, or mail me at bob at example.org.\n\n"
        "diff --git a/MAINTAINERS b/MAINTAINERS\n--- a/MAINTAINERS\n+++ b/MAINTAINERS\n@@ -1,3 +1,4 @@\n FOO DRIVER\n"
        "+M:\tBob Builder <bob at example.org>\n+T:\tgit git at github.com:bob/foo.git\n # look at foo.c for the details\n"
        "-S:\tOrphan\n\nThanks.\n\n"
    )
    assert _text(archive).opening_post.body == (
        # the sender's prose keeps the address as the archive shows it; the code is restored
        "<p>Please look at the patch below, or mail me at bob at example.org.</p><pre>diff --git a/MAINTAINERS b/MAINTAINERS\n"
        "--- a/MAINTAINERS\n+++ b/MAINTAINERS\n@@ -1,3 +1,4 @@\n FOO DRIVER\n+M:\tBob Builder &lt;bob@example.org&gt;\n"
        "+T:\tgit git@github.com:bob/foo.git\n # look at foo.c for the details\n-S:\tOrphan</pre><p>Thanks.</p>"
    )
