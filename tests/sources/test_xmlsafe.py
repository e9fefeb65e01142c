"""Shared XML helpers: repairing Windows-1252 bytes in UTF-8 files, reading inner markup."""

from __future__ import annotations

from lxml import etree

from digest.sources import xmlsafe


def test_only_bytes_that_are_not_utf8_are_read_as_windows_1252():
    data = "<a>caf\x00 \x01quoted\x02 naïve</a>".encode().replace(b"\x00", b"\xe9").replace(b"\x01", b"\x93").replace(b"\x02", b"\x94")
    repaired, note = xmlsafe.with_stray_bytes_as_cp1252(b"<?xml version='1.0'?>\n" + data)
    assert repaired.decode("utf-8") == "<?xml version='1.0'?>\n<a>café “quoted” naïve</a>"
    assert note.startswith("3 piece(s) of text are not valid UTF-8, the export's encoding (first at line 2)")


def test_files_in_another_encoding_or_valid_utf8_are_left_alone():
    latin1 = b'<?xml version="1.0" encoding="ISO-8859-1"?><a>caf\xe9</a>'
    assert xmlsafe.with_stray_bytes_as_cp1252(latin1) == (latin1, None)
    utf8 = "<a>café</a>".encode()
    assert xmlsafe.with_stray_bytes_as_cp1252(utf8) == (utf8, None)
    utf16 = "<a>café</a>".encode("utf-16")
    assert xmlsafe.with_stray_bytes_as_cp1252(utf16) == (utf16, None)


def test_a_character_cut_at_the_end_of_a_file_is_not_read_as_windows_1252():
    cut = "<a>café €".encode()[:-1]
    assert xmlsafe.with_stray_bytes_as_cp1252(cut) == (cut, None)
    repaired, _ = xmlsafe.with_stray_bytes_as_cp1252(b"<a>caf\xe9 " + "€".encode()[:2])
    assert repaired == "<a>café ".encode() + "€".encode()[:2]


def test_markup_keeps_child_elements_without_their_namespace():
    root = etree.fromstring(
        b'<d xmlns="http://disqus.com" xmlns:x="urn:x"><message>Hi <a href="u" x:rel="y">l &amp; k</a><br/>then &lt;b&gt;</message>'
        b"<plain><![CDATA[<p>as written</p>]]></plain></d>"
    )
    message, plain = root
    assert xmlsafe.markup(message) == 'Hi <a href="u" rel="y">l &amp; k</a><br/>then <b>'
    assert xmlsafe.markup(plain) == xmlsafe.text(plain) == "<p>as written</p>"
    assert xmlsafe.text(message) == "Hi l & kthen <b>"  # text() itself is unchanged for other callers
    assert xmlsafe.markup(None) == ""
