"""Reading sources from disk or a pipe, and what a file no reader knows gets told."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from digest.errors import SourceError
from digest.sources import ImportRequest, SourceDocument, import_thread, load_documents
from tests.sources.fuzzing import mutated_bytes

FORUM_TEXT = "Guest - Ann\nFirst reply.\n\nGuest - Bob\nSecond reply.\n"
MESSAGE = "From: Ann <ann@example.org>\nSubject: Leeks\nMessage-ID: <{}@example.org>\nDate: Mon, 2 Mar 2020 10:00:00 +0000\n\nHello {}.\n"


def refused(data: bytes, format_name: str = "auto") -> SourceError:
    with pytest.raises(SourceError) as error:
        import_thread(ImportRequest((SourceDocument("thread.dat", data),)), format_name)
    return error.value


LFS_POINTER = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 98765432\n"


@pytest.mark.parametrize(("data", "message", "fix"), [
    (b"", "the file is empty", "save or download it again"),
    (b" \n", "the file is empty", "save or download it again"),
    (LFS_POINTER, "this is a Git LFS pointer to a 98,765,432-byte file, not the file itself",
     "run `git lfs pull` in the repository it comes from, then import the file"),
    (b"\x28\xb5\x2f\xfd\x00\x01", "this is zstd-compressed data", "decompress it first (`zstd -d FILE`)"),
    (b"<!DOCTYPE html><html><body>Comments</body></html>", "this is a web page (HTML)",
     "import the page's address instead (`digest import https://...`): digest finds the discussion's data behind it"),
    (b"\xef\xbb\xbf\r\n", "the file is empty", "save or download it again"),  # Notepad's empty file
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "this is a PDF document (a printout of a page), which holds no discussion data",
     "import the page's address instead (`digest import https://...`), or its feed or an export"),
    (b"SQLite format 3\x00\x10\x00", "this is an SQLite database file",
     "export the discussion from the site or app that keeps it (a feed, a JSON API answer, a WordPress or Disqus export) and import that"),
])
def test_what_no_reader_knows_is_named_with_its_own_fix(data, message, fix):
    error = refused(data)
    assert (error.message, error.where, error.fix) == (f"could not recognise the format: {message}", "thread.dat", fix)


@pytest.mark.parametrize(("data", "message"), [
    (b'{"messages": [], "channel": "general"}', "this is JSON with the top-level keys messages, channel, a shape no reader here knows"),
    (b'[{"ts": 1}, {"ts": 2}]', "this is a JSON array of 2 item(s), a shape no reader here knows"),
    (b'{"messages": [', "this starts like JSON but is not valid JSON (cut short or damaged)"),
    (b'<?xml version="1.0"?>\n<opml version="2.0"/>', "this is XML with the root element <opml>, which no reader here knows"),
    (b"\x00\x01\x02binary", "this is binary data, not text"),
    (b"[12:01] <ann> leeks?\n", "this is text in none of the formats below (it starts: '[12:01] <ann> leeks?')"),
    (b'id,parent_id,author,content\r\n1,,Ann,"Leeks, again"\r\n2,1,Bob,Yes\r\n',
     "this is a table (CSV) with the columns id, parent_id, author, content, which no reader here knows"),
    (b'{"id": 1, "author": "Ann"}\n{"id": 2, "author": "Bob"}\n',
     "this is JSON Lines (one object per line; the first has the keys id, author), a shape no reader here knows"),
    (b"null", "this is JSON holding a single value (null), not a discussion"),
    (b"\xff\xfe{\x00}\x00", "this is an empty JSON object ({}), not a discussion"),
    (b'---\ntitle: "Newbie... help"\nforum: New to Ubuntu\n---\n\n### Post by ann on 2009-11-05\nHi\n\n---\n',
     "this is text in none of the formats below (it starts: '### Post by ann on 2009-11-05')"),
    (b"Hello, world.\nThis is a note, plainly.\n", "this is text in none of the formats below (it starts: 'Hello, world.')"),
    (b"[" * 100_000 + b"]" * 100_000,  # a traceback (RecursionError) before
     "this is JSON nested too deeply to read (arrays or objects thousands of levels deep), not a discussion"),
])
def test_other_content_is_described_and_the_formats_are_listed(data, message):
    error = refused(data)
    assert error.message == f"could not recognise the format: {message}"
    assert error.fix.startswith("save the discussion in a format digest reads (canonical, discourse,")
    assert error.fix.endswith("if it is one of them, --format NAME says what is wrong with it")


def test_many_xml_declarations_before_no_root_are_described_at_once():
    """27 declarations and no root element took a minute (each one more doubled the time):
    the pattern skipping them tried every way of grouping them."""
    error = refused(b'<?xml version="1.0"?>' * 27 + b"\n")
    assert error.message == ("could not recognise the format: this is text in none of the formats below "
                             """(it starts: '<?xml version="1.0"?><?xml version="1.0"?><?xml version="1.0')""")


def test_a_named_format_refuses_content_another_reader_recognises():
    """A Hacker News item array read as Discourse used to import replies by "unknown" with
    empty bodies."""
    items = b'[{"id": 1, "type": "story", "by": "ann", "time": 1600000000, "title": "Leeks", "kids": [2]},' \
            b' {"id": 2, "type": "comment", "by": "bob", "parent": 1, "time": 1600000100, "text": "Yes."}]'
    error = refused(items, "discourse")
    assert error.message == ("this is not a Discourse topic or post JSON (/t/ID.json, /posts/ID.json, or a folder of post files); "
                             "it looks like: Hacker News thread JSON (Firebase API items, or an Algolia items/ID tree)")
    assert error.fix == "import it with --format hackernews, or leave --format out"
    assert import_thread(ImportRequest((SourceDocument("items.json", items),)), "hackernews").replies[0].author == "bob"


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _tar(path: Path, files: dict[str, bytes], mode: str) -> Path:
    with tarfile.open(path, mode) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


ARCHIVED = {"export/thread.txt": FORUM_TEXT.encode(), "export/.DS_Store": b"\0\0\0\1Bud1", "__MACOSX/export/._thread.txt": b"\0\5\26\7"}


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz"])
def test_a_zip_or_tar_archive_is_read_as_the_folder_it_holds(tmp_path, kind):
    """WordPress.com's export and Google Takeout come as archives; dot files and macOS's
    __MACOSX/ copies are no part of what was archived."""
    path = tmp_path / f"backup.{kind}"
    _zip(path, ARCHIVED) if kind == "zip" else _tar(path, ARCHIVED, "w:gz" if kind == "tar.gz" else "w")
    documents = load_documents(path)
    assert [(d.name, d.data) for d in documents] == [(f"{path}/export/thread.txt", FORUM_TEXT.encode())]
    assert [r.author for r in import_thread(ImportRequest(documents)).replies] == ["Ann", "Bob"]


def test_a_takeout_archive_reads_its_mailbox_among_the_other_files(tmp_path):
    mails = "".join(f"From ann@example.org Mon Mar  2 10:00:0{n} 2020\n" + MESSAGE.format(n, n) + "\n" for n in (1, 2))
    path = _zip(tmp_path / "takeout-20261126.zip", {"Takeout/Mail/All mail Including Spam and Trash.mbox": mails.encode(),
                                                    "Takeout/archive_browser.html": b"<!DOCTYPE html><html><body>Your data</body></html>"})
    thread = import_thread(ImportRequest(load_documents(path)))
    assert thread.source_format == "mbox" and len(thread.replies) + (thread.opening_post is not None) == 2


def test_what_an_archive_cannot_give_is_a_clear_error(tmp_path):
    def error(path: Path) -> SourceError:
        with pytest.raises(SourceError) as info:
            load_documents(path)
        return info.value

    whole = _zip(tmp_path / "whole.zip", {"thread.txt": FORUM_TEXT.encode() * 50})
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole.read_bytes()[: len(whole.read_bytes()) // 2])
    assert error(cut).message.startswith("broken zip archive:") and error(cut).where == str(cut)
    assert error(_zip(tmp_path / "empty.zip", {})).message == "the archive holds no files"
    assert error(_zip(tmp_path / "dots.zip", {".hidden": b"x"})).message == "the archive holds no files"
    nested = _zip(tmp_path / "nested.zip", {"inner.tar": _tar(tmp_path / "inner.tar", {"thread.txt": FORUM_TEXT.encode()}, "w").read_bytes()})
    assert error(nested).message == "this is a tar archive: a container of files, not one source"
    data = bytearray(_zip(tmp_path / "locked.zip", {"thread.txt": b"ciphertext"}).read_bytes())
    for header, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # marked encrypted, as a password-protected zip's files are
        data[data.index(header) + flags] |= 0x1
    (tmp_path / "locked.zip").write_bytes(data)
    assert error(tmp_path / "locked.zip").message.startswith("an encrypted file")
    assert error(tmp_path / "locked.zip").where == f"{tmp_path / 'locked.zip'}/thread.txt"


def _archive_seeds() -> list[bytes]:
    files = {"a/thread.txt": FORUM_TEXT.encode() * 3, "b.mbox": ("From ann Mon Mar  2 10:00:00 2020\n" + MESSAGE.format(1, 1)).encode()}
    zipped, tarred = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    with tarfile.open(fileobj=tarred, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return [zipped.getvalue(), tarred.getvalue(), gzip.compress(tarred.getvalue())]


@settings(max_examples=300, deadline=None)
@given(mutated_bytes(_archive_seeds(), [b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"ustar", b"\xff" * 8], max_delete=64))
def test_a_damaged_archive_gives_a_source_error_or_its_files(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.zip"
        path.write_bytes(data)
        try:
            documents = load_documents(path)
        except SourceError:
            return
    assert documents and all(isinstance(d.data, bytes) for d in documents)


def test_a_maildir_is_read_from_its_cur_and_new_folders(tmp_path):
    for sub, number in (("cur", 1), ("new", 2)):
        (tmp_path / "Maildir" / sub).mkdir(parents=True)
        (tmp_path / "Maildir" / sub / f"16000000{number}.M1P1.host").write_text(MESSAGE.format(number, number))
    (tmp_path / "Maildir" / "tmp").mkdir()
    documents = load_documents(tmp_path / "Maildir")
    assert [Path(d.name).parent.name for d in documents] == ["cur", "new"]
    (tmp_path / "empty" / "a").mkdir(parents=True)
    with pytest.raises(SourceError, match=r"the folder holds no files \(only the folders a\)"):
        load_documents(tmp_path / "empty")


def test_a_thread_can_come_from_standard_input_or_a_pipe(tmp_path):
    command = [sys.executable, "-m", "digest.cli", "import", "-", "-o", str(tmp_path / "out.json")]
    result = subprocess.run(command, input=gzip.compress(FORUM_TEXT.encode()), capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.decode().startswith("-: 2 replies (forum-text)")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = subprocess.Popen([sys.executable, "-c", f"open({str(fifo)!r}, 'w').write({FORUM_TEXT!r})"])
    documents = load_documents(fifo)
    writer.wait(timeout=60)
    assert documents[0].data == FORUM_TEXT.encode()


def test_a_file_named_with_a_byte_order_mark_is_still_described():
    error = refused(b"\xef\xbb\xbf" + b'{"kind": "Listing2"}')
    assert error.message == "could not recognise the format: this is JSON with the top-level keys kind, a shape no reader here knows"


def test_a_web_address_without_its_scheme_is_told_how_to_write_it(tmp_path):
    with pytest.raises(SourceError) as error:
        load_documents(Path("news.ycombinator.com/item?id=8863"))
    assert error.value.fix == "to read a web page, write its address with https://: https://news.ycombinator.com/item?id=8863"
    for path in (tmp_path / "thread.json", Path("thread.json")):
        with pytest.raises(SourceError) as missing:
            load_documents(path)
        assert missing.value.fix == "check the path"
