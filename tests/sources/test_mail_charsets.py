"""Declared legacy charsets in mail, read as the WHATWG Encoding Standard reads their labels."""

from __future__ import annotations

import base64

import pytest

from digest.sources import ImportRequest, SourceDocument, mbox
from digest.sources.mail import decode
from digest.sources.mail.decode import decode_text, guess_charset


def _mail(charset: str, subject_bytes: bytes, body: bytes) -> bytes:
    subject = base64.b64encode(subject_bytes).decode()
    return (
        f"From: Writer <w@example.org>\nSubject: =?{charset}?B?{subject}?=\nDate: Wed, 15 Jan 2020 10:00:00 +0000\n"
        f"Message-ID: <m@example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=\"{charset}\"\n"
        "Content-Transfer-Encoding: 8bit\n\n"
    ).encode() + body + b"\n"


def _read(data: bytes):
    return mbox.read(ImportRequest((SourceDocument("m.eml", data),)))


@pytest.mark.parametrize(
    ("label", "text", "codec"),
    [
        ("gb2312", "朱镕基讲话，請見附件", "gbk"),  # 镕 and the traditional 請 are GBK, not GB2312
        ("ks_c_5601-1987", "똠방각하 햏", "cp949"),  # UHC syllables outside KS X 1001
        ("big5", "香港的「嘅」字", "big5hkscs"),  # 嘅 is HKSCS
        ("shift_jis", "①番の髙橋さん", "cp932"),  # NEC and IBM extensions
        ("iso-8859-8-i", "שלום לכולם", "iso8859_8"),  # a label Python does not know
        ("windows-874", "สวัสดีครับ", "cp874"),
        ("euc-jp", "手順①", "euc_jis_2004"),  # NEC's row 13
    ],
)
def test_legacy_label_is_read_with_its_superset_in_body_and_subject(label, text, codec):
    encoded = text.encode(codec)
    thread = _read(_mail(label, encoded, encoded))
    assert (thread.opening_post.title, thread.opening_post.body) == (text, f"<p>{text}</p>")
    assert thread.import_notes == ()


def test_iso_2022_jp_with_nec_characters_is_read_through_the_windows_table():
    nec = b"\x1b$B-!\x1b(B"  # ① where NEC's row 13 puts it in JIS X 0208
    body = b"\x1b$B<j=g$O0J2<$NDL$j$G$9!#\x1b(B\n" + nec + b" \x1b$B@_Dj$r3+$/\x1b(B"
    thread = _read(_mail("iso-2022-jp", b"\x1b$B$7$D$b$s\x1b(B", body))
    assert thread.opening_post.title == "しつもん"
    assert thread.opening_post.body == "<p>手順は以下の通りです。<br>① 設定を開く</p>"
    assert thread.import_notes == ()


def test_unreadable_bytes_are_replaced_with_a_note_and_the_rest_kept():
    body = b"\x1b$B$3$s\x7f\x7f$K$A$O\x1b(B ok"
    assert decode_text(body, "iso-2022-jp") == ("こん\ufffdにちは ok", True, None)
    thread = _read(_mail("iso-2022-jp", b"x", body))
    assert thread.opening_post.body == "<p>こん\ufffdにちは ok</p>"
    assert thread.import_notes == (
        "the text of <m@example.org> is not all valid ISO-2022-JP; the bytes it could not read were replaced by U+FFFD",
    )


def test_unknown_declared_charset_is_guessed_and_the_note_says_it_was_declared():
    russian = "Добро пожаловать в список рассылки! Вопросы задавайте здесь."
    thread = _read(_mail("x-cyrillic-mac-foo", b"x", russian.encode("koi8_r")))
    assert thread.opening_post.body == f"<p>{russian}</p>"
    assert thread.import_notes == (
        "the text of <m@example.org> declares the charset 'x-cyrillic-mac-foo', which is not known; "
        "it was read as KOI8-R (a guess)",
    )
    assert not any("declares no charset" in note for note in thread.import_notes)


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Łukasz Żółkiewski: Zażółć gęślą jaźń, dzięki.", "iso8859_2"),
        ("Łukasz", "iso8859_2"),
        ("יוסי כהן: שלום לכולם, הנה התשובה שלי.", "iso8859_8"),
        ("Добро пожаловать в список рассылки! Вопросы задавайте здесь.", "koi8_r"),
        ("Привет всем! Не грузится ядро 2.6.28, помогите.", "cp1251"),
        ("Καλησπέρα σε όλους. Προσπάθησα να εγκαταστήσω την τελευταία έκδοση.", "iso8859_7"),
        ("Grüße aus Köln, à bientôt, señor.", "cp1252"),
    ],
)
def test_undeclared_text_is_guessed_in_its_own_script(text, codec):
    assert guess_charset(text.encode(codec)) == codec


def test_utf8_text_declared_as_iso_2022_jp_is_read_as_utf8_with_a_note():
    # spam archived by HyperKitty: Japanese UTF-8 bytes under "charset=iso-2022-jp", 7bit
    body = "Amazon お客様\n状態: 異常は更新待ちです".encode()
    thread = _read(_mail("iso-2022-jp", "Amazon".encode("iso-2022-jp"), body))
    assert thread.opening_post.body == "<p>Amazon お客様<br>状態: 異常は更新待ちです</p>"
    assert thread.import_notes == ("the text of <m@example.org> declares ISO-2022-JP but is not; it was read as UTF-8",)
    assert decode_text("é".encode(), "utf-8") == ("é", False, None)


@pytest.mark.parametrize("label", ["iso-8859-1", "windows-1252", "iso-8859-15"])
def test_utf8_declared_latin_is_read_as_utf8_and_said(label):
    text = "Café crème, naïve — don’t"
    thread = _read(_mail(label, text.encode(), text.encode()))
    assert thread.opening_post.body == f"<p>{text}</p>" and thread.title == text
    assert thread.import_notes == (f"the text of <m@example.org> declares {label.upper().replace('WINDOWS', 'Windows')} but is not; it was read as UTF-8",)


@pytest.mark.parametrize("label", ["utf-16", "UTF-16LE", "utf-32"])
def test_utf8_declared_utf16_is_read_as_utf8_and_said(label):
    """Read as declared, "Café" would be two CJK-looking characters; text really in UTF-16 or
    UTF-32 holds a zero byte in every space and line break."""
    text = "Café crème, naïve — don’t"
    thread = _read(_mail(label, text.encode(label), text.encode()))
    assert thread.opening_post.body == f"<p>{text}</p>" and thread.title == text
    assert thread.import_notes == (f"the text of <m@example.org> declares {decode.charset_label(decode.codec_of(label))} but is not; it was read as UTF-8",)
    real = _read(_mail(label, text.encode(label), base64.encodebytes(text.encode(label)))  # really in that encoding: as declared
                 .replace(b"Content-Transfer-Encoding: 8bit", b"Content-Transfer-Encoding: base64"))
    assert real.opening_post.body == f"<p>{text}</p>" and real.import_notes == ()


def test_latin_text_that_is_not_utf8_stays_latin():
    text = "Café crème, naïve"
    thread = _read(_mail("iso-8859-1", text.encode("latin-1"), text.encode("latin-1")))
    assert thread.opening_post.body == f"<p>{text}</p>" and thread.import_notes == ()
    assert decode_text("cafÃ©".encode("latin-1"), "iso-8859-1").text == "café"  # the one text read otherwise: valid UTF-8
