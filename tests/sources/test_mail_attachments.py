"""Files sent with a message: text shown under an "Attachment:" line, other files named."""

from __future__ import annotations

import base64
import html

from digest.sources import ImportRequest, SourceDocument, mbox
from digest.sources.mail import attachments

_HEAD = (
    "From: Jan Kara <jack@example.cz>\nDate: Wed, 20 May 2020 16:27:52 +0200\nSubject: Re: [PATCH] quota\n"
    "Message-ID: <fix@example.cz>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n"
    "--B\nContent-Type: text/plain; charset=us-ascii\nContent-Disposition: inline\n\n"
    "Patch attached :)\n\n\t\t\t\tHonza\n-- \nJan Kara\n\n"
)
_PATCH = (
    "diff --git a/quotaio_xfs.c b/quotaio_xfs.c\n--- a/quotaio_xfs.c\n+++ b/quotaio_xfs.c\n"
    "@@ -165,7 +165,9 @@ static int xfs_commit_dquot(struct dquot *dquot, int flags)\n"
    " \t} else {\n-\t\txdqblk.d_fieldmask |= FS_DQ_LIMIT_MASK;\n+\t\tif (flags & COMMIT_LIMITS)\n"
)


def _read(text: str):
    return mbox.read(ImportRequest((SourceDocument("m.eml", text.encode("utf-8")),)))


def test_text_attachment_is_shown_as_preformatted_text_under_its_name():
    # mutt's "Patch attached": the patch was the point of the message, and was dropped without a word
    thread = _read(
        _HEAD + "--B\nContent-Type: text/x-patch; charset=us-ascii\n"
        "Content-Disposition: attachment; filename=\"0001-Fix-limits.patch\"\n\n" + _PATCH + "\n--B--\n"
    )
    body = thread.opening_post.body
    assert body.endswith(
        '<pre class="signature">Jan Kara</pre>'
        f"<p>Attachment: 0001-Fix-limits.patch (text/x-patch, {len(_PATCH)} bytes)</p>"
        "<pre>diff --git a/quotaio_xfs.c b/quotaio_xfs.c\n--- a/quotaio_xfs.c\n+++ b/quotaio_xfs.c\n"
        "@@ -165,7 +165,9 @@ static int xfs_commit_dquot(struct dquot *dquot, int flags)\n"
        " \t} else {\n-\t\txdqblk.d_fieldmask |= FS_DQ_LIMIT_MASK;\n+\t\tif (flags &amp; COMMIT_LIMITS)</pre>"
    )
    assert not any("attach" in note for note in thread.import_notes)


def test_base64_patch_named_in_rfc2231_after_gmail_alternative_is_shown():
    encoded = base64.encodebytes(_PATCH.encode()).decode()
    thread = _read(
        _HEAD.replace("--B\nContent-Type: text/plain", "--B\nContent-Type: multipart/alternative; boundary=\"A\"\n\n--A\nContent-Type: text/plain")
        .replace("Jan Kara\n\n", "Jan Kara\n\n--A\nContent-Type: text/html\n\n<div>Patch attached :)</div>\n--A--\n")
        + "--B\nContent-Type: application/octet-stream\n"
        "Content-Disposition: attachment; filename*=utf-8''%D0%BF%D0%B0%D1%82%D1%87.diff\n"
        "Content-Transfer-Encoding: base64\n\n" + encoded + "--B--\n"
    )
    assert f"<p>Attachment: патч.diff (application/octet-stream, {len(_PATCH)} bytes)</p><pre>diff --git a/quotaio_xfs.c" in thread.opening_post.body


def test_long_text_attachment_is_cut_and_the_cut_is_said():
    log = "".join(f"[ {n:4d}.000000] usb 1-1: new device number {n}\n" for n in range(1, 251))
    thread = _read(_HEAD + "--B\nContent-Type: text/plain\nContent-Disposition: attachment; filename=dmesg.txt\n\n" + log + "--B--\n")
    body = thread.opening_post.body
    assert "<p>Attachment: dmesg.txt (text/plain, 11.1 KB)</p><pre>[    1.000000] usb 1-1: new device number 1\n" in body
    assert f"[  {attachments.SHOWN_LINES}.000000] usb 1-1: new device number {attachments.SHOWN_LINES}</pre>" in body
    assert body.endswith(f"<p>[{250 - attachments.SHOWN_LINES} more lines of dmesg.txt not shown]</p>")
    assert (
        f"the text of <fix@example.cz> has text attachment(s) shown only in part: dmesg.txt ({250 - attachments.SHOWN_LINES} line(s) left out)"
        in thread.import_notes
    )


def test_file_that_is_not_text_is_named_with_its_type_and_size_and_noted():
    picture = base64.encodebytes(b"\x89PNG\r\n\x1a\n" + bytes(2040)).decode()
    thread = _read(
        _HEAD + "--B\nContent-Type: image/png; name=\"screenshot.png\"\nContent-Disposition: attachment; filename=\"screenshot.png\"\n"
        "Content-Transfer-Encoding: base64\n\n" + picture + "--B--\n"
    )
    assert thread.opening_post.body.endswith("<p>Attachment: screenshot.png (image/png, 2.0 KB), not shown</p>")
    assert (
        "the text of <fix@example.cz> has file(s) attached that are not text, named but not shown: screenshot.png (image/png, 2.0 KB)"
        in thread.import_notes
    )


def test_signature_and_pictures_the_html_shows_are_no_attachments():
    # PGP/MIME (mutt) and an HTML message's logo in its multipart/related: no file of the sender's
    signed = (
        "From: Mark <m@example.org>\nSubject: Re: x\nMessage-ID: <s@example.org>\nDate: Tue, 24 Oct 2023 13:44:41 +0100\n"
        "MIME-Version: 1.0\nContent-Type: multipart/signed; micalg=pgp-sha512; protocol=\"application/pgp-signature\"; boundary=\"S\"\n\n"
        "--S\nContent-Type: multipart/related; boundary=\"R\"\n\n--R\nContent-Type: text/html\n\n<p>Hi <img src=\"cid:logo@x\" alt=\"logo\"></p>\n"
        "--R\nContent-Type: image/png; name=\"image001.png\"\nContent-ID: <logo@x>\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--R--\n"
        "--S\nContent-Type: application/pgp-signature; name=\"signature.asc\"\n\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n--S--\n"
    )
    thread = _read(signed)
    assert thread.opening_post.body == "<p>Hi [image: logo]</p>"
    assert thread.import_notes == (
        "the text of <s@example.org> is signed (PGP/MIME or S/MIME): the signature was left out, not checked",
    )


def test_contact_card_and_html_file_are_named_not_shown():
    thread = _read(
        _HEAD + "--B\nContent-Type: text/x-vcard; charset=utf-8; name=\"bob.vcf\"\nContent-Disposition: attachment; filename=\"bob.vcf\"\n\n"
        "BEGIN:VCARD\nTEL:+1 555 0100\nEND:VCARD\n--B--\n"
    )
    assert thread.opening_post.body.endswith("<p>Attachment: bob.vcf (text/x-vcard, 37 bytes), not shown</p>")
    assert "555" not in thread.opening_post.body


def test_forwarded_message_names_its_attachments_inside_the_quote():
    thread = _read(
        "From: A <a@example.org>\nSubject: Fwd: logs\nMessage-ID: <f@example.org>\nDate: Tue, 24 Oct 2023 13:44:41 +0100\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"O\"\n\n--O\nContent-Type: text/plain\n\nSee below.\n"
        "--O\nContent-Type: message/rfc822\n\nFrom: Dave <d@example.org>\nSubject: crash\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=\"I\"\n\n--I\nContent-Type: text/plain\n\nIt crashed.\n"
        "--I\nContent-Type: application/pdf; name=\"report.pdf\"\nContent-Disposition: attachment; filename=\"report.pdf\"\n"
        "Content-Transfer-Encoding: base64\n\nJVBERi0=\n--I--\n--O--\n"
    )
    assert thread.opening_post.body == (
        "<p>See below.</p><p>Forwarded message from Dave: crash</p>"
        "<blockquote><p>It crashed.</p><p>[Attachment: report.pdf (application/pdf, 5 bytes)]</p></blockquote>"
    )


def test_encrypted_message_says_it_cannot_be_read():
    thread = _read(
        "From: A <a@example.org>\nSubject: secret\nMessage-ID: <e@example.org>\nDate: Tue, 24 Oct 2023 13:44:41 +0100\n"
        "MIME-Version: 1.0\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"E\"\n\n"
        "--E\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--E\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\n\n"
        "-----BEGIN PGP MESSAGE-----\nhQEMA\n-----END PGP MESSAGE-----\n--E--\n"
    )
    assert thread.opening_post.body == ""
    assert "the text of <e@example.org> is encrypted (PGP/MIME) and cannot be read" in thread.import_notes


def test_rfc2231_continuations_mixing_plain_and_encoded_pieces_give_the_whole_name():
    import email

    part = email.message_from_string(
        "Content-Type: image/gif; name*0=\"Book \"; name*1=\"about \";\n name*2*=utf-8''%e2%98%95 tables.gif\n\nGIF89a"
    )
    assert attachments.read_attachment(part, []).name == "Book about ☕ tables.gif"


def test_file_placed_inline_after_the_text_is_an_attachment_not_part_of_the_signature():
    # Evolution sends a patch as an inline part naming its file: it ran into the signature
    thread = _read(
        _HEAD + "--B\nContent-Disposition: inline; filename=\"0001-foo.patch\"\n"
        "Content-Type: text/x-patch; name=\"0001-foo.patch\"; charset=\"UTF-8\"\n\n" + _PATCH + "\n--B--\n"
    )
    assert thread.opening_post.body.startswith(
        '<p>Patch attached :)</p><p>Honza</p><pre class="signature">Jan Kara</pre>'
        f"<p>Attachment: 0001-foo.patch (text/x-patch, {len(_PATCH)} bytes)</p><pre>diff --git a/quotaio_xfs.c"
    )
    # a list's footer placed inline names no file: it stays text, below the signature
    footer = _read(_HEAD + "--B\nContent-Type: text/plain\nContent-Disposition: inline\n\n_______________\ndev mailing list\n--B--\n")
    assert "Attachment" not in footer.opening_post.body


def test_s_mime_wrapped_message_says_it_cannot_be_read():
    thread = _read(
        "From: A <a@example.org>\nSubject: secret\nMessage-ID: <w@example.org>\nDate: Tue, 24 Oct 2023 13:44:41 +0100\n"
        "MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"\n"
        "Content-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggGH\n"
    )
    assert thread.opening_post.body == ""
    assert (
        "the text of <w@example.org> is wrapped by S/MIME (encrypted, or signed as one opaque block) and cannot be read"
        in thread.import_notes
    )


def test_one_line_too_long_to_show_is_cut_and_said():
    data = '{"a":' + '"x",' * 3000 + '"b":1}'
    thread = _read(_HEAD + "--B\nContent-Type: application/json\nContent-Disposition: attachment; filename=d.json\n\n" + data + "\n--B--\n")
    assert f"<pre>{data[:attachments.SHOWN_CHARACTERS]} […]</pre>" in html.unescape(thread.opening_post.body)
    assert (
        f"the text of <fix@example.cz> has text attachment(s) shown only in part: d.json (a line longer than {attachments.SHOWN_CHARACTERS} characters cut)"
        in thread.import_notes
    )


def test_text_exchange_turned_into_att00001_txt_is_the_message_text():
    # Exchange left the first part empty and put the whole reply in "ATT00001.txt": the message had no text
    reply = (
        "On Tue, Mar 31, 2015 at 02:08:14PM -0700, Andrew Morton wrote:\r\n> On Tue, 31 Mar 2015 Naoya Horiguchi "
        "<n-horiguchi@example.jp> wrote:\r\n> > Existing helpers can be cleaned up.\r\n\r\nThanks, moving it is OK.\r\n"
    )
    thread = _read(
        "From: Naoya Horiguchi <n-horiguchi@example.jp>\nSubject: Re: [PATCH v3 3/3] mm: hugetlb\nMessage-ID: <n@example.jp>\n"
        "Date: Wed, 1 Apr 2015 03:27:38 +0000\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"X\"\n\n"
        "--X\nContent-Type: text/plain; charset=\"iso-2022-jp\"\nContent-Transfer-Encoding: quoted-printable\n\n\n"
        "--X\nContent-Type: text/plain; name=\"ATT00001.txt\"\nContent-Disposition: attachment; filename=\"ATT00001.txt\"; size=531\n"
        "Content-ID: <BF38@example.jp>\nContent-Transfer-Encoding: base64\n\n" + base64.encodebytes(reply.encode()).decode() + "--X--\n"
    )
    assert thread.opening_post.body == (
        "<p>On Tue, Mar 31, 2015 at 02:08:14PM -0700, Andrew Morton wrote:</p><blockquote>"
        "<p>On Tue, 31 Mar 2015 Naoya Horiguchi wrote:</p><blockquote><p>Existing helpers can be cleaned up.</p></blockquote>"
        "</blockquote><p>Thanks, moving it is OK.</p>"
    )
    assert not any("readable" in note or "attached" in note for note in thread.import_notes)


def test_file_apple_mail_puts_in_the_html_version_only_is_named_with_the_plain_text():
    thread = _read(
        "From: A <a@example.org>\nSubject: minutes\nMessage-ID: <am@example.org>\nDate: Tue, 24 Oct 2023 13:44:41 +0100\n"
        "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"Apple-Mail=_A\"\n\n"
        "--Apple-Mail=_A\nContent-Type: text/plain; charset=us-ascii\n\nThe minutes are attached.\n\n"
        "--Apple-Mail=_A\nContent-Type: multipart/mixed; boundary=\"Apple-Mail=_M\"\n\n"
        "--Apple-Mail=_M\nContent-Type: text/html; charset=us-ascii\n\n<html><body>The minutes are attached.</body></html>\n"
        "--Apple-Mail=_M\nContent-Disposition: inline; filename=minutes.pdf\nContent-Type: application/pdf; name=\"minutes.pdf\"\n"
        "Content-Transfer-Encoding: base64\n\nJVBERi0=\n--Apple-Mail=_M\nContent-Type: text/html; charset=us-ascii\n\n<html><body></body></html>\n"
        "--Apple-Mail=_M--\n--Apple-Mail=_A--\n"
    )
    assert thread.opening_post.body == (
        "<p>The minutes are attached.</p><p>Attachment: minutes.pdf (application/pdf, 5 bytes), not shown</p>"
    )


def test_message_that_is_one_text_part_marked_as_attachment_is_its_text():
    thread = _read(
        "From: A <a@example.org>\nSubject: Re: x\nMessage-ID: <one@example.org>\nDate: Tue, 24 Oct 2023 13:44:41 +0100\n"
        "MIME-Version: 1.0\nContent-Type: text/plain\nContent-Disposition: attachment\n\nOn Mon, Bob wrote:\n> Hi.\n\nHello.\n"
    )
    assert thread.opening_post.body == "<p>On Mon, Bob wrote:</p><blockquote><p>Hi.</p></blockquote><p>Hello.</p>"
