"""Source formats: a registry maps each format name to the module that reads it.

Every reader module defines ``DESCRIPTION``, ``sniff(doc) -> bool`` (does this content look
like my format?) and ``read(request) -> Thread``, and raises only ``SourceError``; one that
reads only some files of a folder also defines ``wanted(head) -> bool`` (``head``: a
document of the file's first bytes), so the others are never read whole.
Modules are imported lazily so a format's dependencies cost nothing until used.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import importlib
import importlib.util
import io
import lzma
import re
import sys
import tarfile
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any, BinaryIO, Callable

from digest.errors import SourceError
from digest.model import Thread

# Order matters for ``--format auto``: the most specific sniffers come first.
FORMATS: dict[str, str] = {
    "canonical": "digest.sources.canonical",
    "discourse": "digest.sources.discourse",
    "reddit": "digest.sources.reddit",
    "hackernews": "digest.sources.hackernews",
    "wp-rest": "digest.sources.wordpress_rest",
    "wxr": "digest.sources.wxr",
    "disqus": "digest.sources.disqus",
    "stackexchange": "digest.sources.stackexchange",
    "feed": "digest.sources.feed",
    "pipermail": "digest.sources.pipermail",
    "mbox": "digest.sources.mbox",
    "forum-text": "digest.sources.forum_text",
}


@dataclass(frozen=True)
class SourceDocument:
    """One file's bytes, named by the path or URL it came from (used in every error)."""

    name: str
    data: bytes
    address: str | None = None  # where a fetched document was found, after redirects


@dataclass(frozen=True)
class ImportRequest:
    documents: tuple[SourceDocument, ...]  # one for a file or URL; several for a folder
    retrieved_at: datetime | None = None
    thread: str | None = None  # which thread to take from a source that holds many
    timezone: str | None = None  # IANA zone (--timezone) that a copied page's times without a zone are read in

    @property
    def name(self) -> str:
        """The file, the folder, or the URL (the first page's, when an API's answer came in pages)."""
        first = self.documents[0].name
        return first if len(self.documents) == 1 or first.startswith(("http://", "https://")) else str(Path(first).parent)


def reader(format_name: str) -> ModuleType:
    try:
        module_path = FORMATS[format_name]
    except KeyError:
        raise SourceError(
            f"unknown format {format_name!r}",
            fix=f"use --format auto or one of: {', '.join(FORMATS)}",
        ) from None
    return importlib.import_module(module_path)


def available_formats() -> list[str]:
    """Formats whose reader module is present in this installation."""
    present = []
    for name, module_path in FORMATS.items():
        if importlib.util.find_spec(module_path) is not None:
            present.append(name)
    return present


def detect(request: ImportRequest) -> str:
    """Recognise the format from content, not from the file name.  In a folder, the format
    most of its files have wins, so a stray README or index file does not decide."""
    votes = Counter(filter(None, map(_sniffed_format, request.documents)))
    if votes:
        return votes.most_common(1)[0][0]  # ties: the earlier document's format
    from digest.sources.unrecognised import describe

    what, fix = describe(request.documents[0].data) if len(request.documents) == 1 else ("no file of the folder is in a format digest reads", None)
    raise SourceError(
        f"could not recognise the format: {what}",
        where=request.name,
        fix=fix or (f"save the discussion in a format digest reads ({', '.join(available_formats())}; the README's "
                    "Sources table says how); if it is one of them, --format NAME says what is wrong with it"),
    )


def _sniffed_format(document: SourceDocument) -> str | None:
    return next((name for name in available_formats() if reader(name).sniff(document)), None)


def load_documents(path: Path, format_name: str = "auto") -> tuple[SourceDocument, ...]:
    """Read a file (compressed or not), the files of a folder, sorted by name, or those of a
    zip or tar archive as a folder's.  Of a folder or an archive, a format whose reader says
    which files it reads (``wanted``: a Stack Exchange dump's Posts.xml and Users.xml, not its
    PostHistory.xml) has only those read whole; the format is told from the files' first bytes."""
    if str(path) == "-":
        return _unpacked(SourceDocument("<stdin>", decompressed(sys.stdin.buffer.read(), "<stdin>")), format_name)
    if path.is_dir():
        files = _folder_files(path)
        files = _wanted_files(files, format_name)
    elif path.exists():  # a file, or a pipe (`digest import <(curl ...)`)
        files = [path]
    else:
        address = _WEB_ADDRESS.match(str(path))
        raise SourceError("no such file or folder", where=str(path),
                          fix=f"to read a web page, write its address with https://: https://{path}" if address else "check the path")
    documents = tuple(SourceDocument(_shown(p), decompressed(_read(p), str(p))) for p in files)
    return _unpacked(documents[0], format_name) if len(documents) == 1 else documents


HEAD_BYTES = 1 << 16  # enough for every format's sniffer
Opener = Callable[[], BinaryIO]  # opens a file (on disk or in an archive) for reading
_WEB_ADDRESS = re.compile(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/", re.I)  # news.ycombinator.com/item?id=1
_MAILDIR = ("cur", "new")  # a Maildir keeps its messages there (tmp holds deliveries in progress)
_APPLE_MAIL_INDEX = ("Info.plist", "table_of_contents")  # beside the `mbox` of an Apple Mail export


def _without_apple_mail_index(files: list, name: Callable[[Any], str]) -> list:
    """Beside an Apple Mail export's `mbox`, its index files are no mail."""
    if not any(name(f) == "mbox" for f in files):
        return files
    return [f for f in files if name(f) not in _APPLE_MAIL_INDEX]


def _folder_files(path: Path) -> list[Path]:
    """The files of a folder, by name; a Maildir's are in its cur/ and new/ subfolders, an
    Apple Mail export's in its `mbox` file."""
    def visible(folder: Path) -> list[Path]:
        return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))

    files = visible(path)
    files = _without_apple_mail_index(files, lambda p: p.name)
    if not files and any((path / sub).is_dir() for sub in _MAILDIR):
        files = [p for sub in _MAILDIR if (path / sub).is_dir() for p in visible(path / sub)]
    if not files:
        folders = sorted(p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
        inside = f" (only the folders {', '.join(folders[:5])})" if folders else ""
        raise SourceError(f"the folder holds no files{inside}", where=str(path), fix="point at a file, or at the folder that holds the files")
    return files


def _wanted_files(files: list[Path], format_name: str) -> list[Path]:
    return [files[i] for i in _wanted(files, lambda p: SourceDocument(_shown(p), _head(p)), format_name)]


def _wanted(files: list, head: Callable[[Any], SourceDocument], format_name: str) -> list[int]:
    """The numbers of the files to read whole (all, unless the format's reader says which it reads)."""
    every = list(range(len(files)))
    try:
        if format_name != "auto" and not hasattr(reader(format_name), "wanted"):
            return every  # no need to look at the files twice
    except SourceError:
        return every
    heads = [head(f) for f in files]
    try:
        name = detect(ImportRequest(tuple(heads))) if format_name == "auto" else format_name
        wanted = getattr(reader(name), "wanted", None)
    except SourceError:
        return every  # read whole, for the import to say what is wrong
    return [i for i in every if wanted is None or wanted(heads[i])] or every


def _head(path: Path) -> bytes:
    return _head_of(lambda: path.open("rb"))


def _head_of(opener: Opener) -> bytes:
    """The first bytes of a file, of its content when it is compressed."""
    try:
        with opener() as file:
            start = file.read(HEAD_BYTES)
        kind = _compression(start)
        if kind is None:
            return start
        with opener() as file, kind[1](file) as stream:
            return stream.read(HEAD_BYTES)
    except (RuntimeError, lzma.LZMAError, *_MEMBER_ERRORS):
        return b""  # told apart when the file is read whole


def _shown(path: Path) -> str:
    """The path as text that can be written anywhere: a name whose bytes are not UTF-8 (which
    Python keeps as lone surrogates) shows U+FFFD for them, since notes quote document names."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", where=str(path)) from None


# Compressed files hold one source file: read as what they hold.
_COMPRESSED = {b"\x1f\x8b": ("gzip", gzip.open), b"\xfd7zXZ\x00": ("xz", lzma.open),
               b"BZh": ("bzip2", bz2.open)}  # then a level digit and a block's magic number
_BZIP2 = re.compile(rb"BZh[1-9](?:1AY&SY|\x17rE8P\x90)")
# Archives hold many files: a zip or tar archive is read as a folder; these are refused, and so
# is an archive inside an archive.
_ARCHIVES = {b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive", b"PK\x03\x04": "a zip archive", b"Rar!\x1a\x07": "a RAR archive"}


def decompressed(data: bytes, where: str, limit: int | None = None) -> bytes:
    """The content of gzip, bzip2 or xz compressed data (a pipermail ``.txt.gz``, an
    ``.mbox.gz`` download, a dump's ``.xml.bz2``); other data unchanged.  ``limit`` bounds what
    it may grow to (data from the network)."""
    kind = _compression(data)
    if kind is None:
        return data
    name, opener = kind
    try:
        with opener(io.BytesIO(data)) as stream:
            content = stream.read(-1 if limit is None else limit + 1)
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as exc:
        raise SourceError(f"broken {name} data: {exc}", where=where, fix="re-download the file") from None
    if limit is not None and len(content) > limit:
        raise SourceError(f"too large once decompressed: more than {limit} bytes", where=where, fix="download it and import the file")
    return content


def _compression(start: bytes):
    """(name, opener) of the compression ``start`` (a file's first bytes) shows, or None."""
    kind = next((found for magic, found in _COMPRESSED.items() if start.startswith(magic)), None)
    return None if kind is None or (kind[0] == "bzip2" and not _BZIP2.match(start)) else kind


def _unpacked(document: SourceDocument, format_name: str) -> tuple[SourceDocument, ...]:
    """A zip or tar archive (WordPress.com's export, a Google Takeout download) as the files it
    holds, named ARCHIVE/PATH and sorted; any other file as it is."""
    if document.data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        members = _zip_members(document)
    elif document.data[257:262] == b"ustar":
        members = _tar_members(document)
    else:
        refuse_archive(document)
        return (document,)
    members = sorted((member for member in members if not _hidden(member[0])), key=lambda member: member[0])
    members = _without_apple_mail_index(members, lambda member: PurePosixPath(member[0]).name)
    if not members:
        raise SourceError("the archive holds no files", where=document.name, fix="check that it is the download you meant")
    named = [(f"{document.name}/{name}", opener) for name, opener in members]
    chosen = [named[i] for i in _wanted(named, lambda member: SourceDocument(member[0], _head_of(member[1])), format_name)]
    documents = tuple(SourceDocument(name, decompressed(_member_bytes(opener, name), name)) for name, opener in chosen)
    if len(documents) == 1:
        refuse_archive(documents[0])  # an archive inside the archive
    return documents


def _hidden(name: str) -> bool:
    """A dot file or macOS's __MACOSX/ resource forks: not part of what was archived."""
    parts = PurePosixPath(name).parts
    return any(part.startswith(".") for part in parts) or parts[:1] == ("__MACOSX",)


def _zip_members(document: SourceDocument) -> list[tuple[str, Opener]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(document.data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _broken("zip archive", document.name, exc) from None
    return [(info.filename, functools.partial(archive.open, info)) for info in archive.infolist() if not info.is_dir()]


def _tar_members(document: SourceDocument) -> list[tuple[str, Opener]]:
    try:
        archive = tarfile.open(fileobj=io.BytesIO(document.data), mode="r:")
        files = [member for member in archive.getmembers() if member.isfile()]
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise _broken("tar archive", document.name, exc) from None
    return [(member.name, functools.partial(archive.extractfile, member)) for member in files]


_MEMBER_ERRORS = (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, ValueError, NotImplementedError, zlib.error)


def _member_bytes(opener: Opener, where: str) -> bytes:
    try:
        with opener() as stream:
            return stream.read()
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required for extraction"
        raise SourceError(f"an encrypted file ({exc})", where=where,
                          fix="extract it with its password (e.g. `unzip`), then import the file") from None
    except _MEMBER_ERRORS as exc:
        raise _broken("file in the archive", where, exc) from None


def _broken(what: str, where: str, exc: Exception) -> SourceError:
    return SourceError(f"broken {what}: {exc}", where=where,
                       fix="download it again, or extract it (e.g. `unzip` or `tar xf`) and import the file you want")


def refuse_archive(document: SourceDocument) -> None:
    """An archive (a Stack Exchange dump's .7z, a site backup's .tar.gz) is no source by itself."""
    what = next((found for magic, found in _ARCHIVES.items() if document.data.startswith(magic)), None)
    if what is None and document.data[257:262] == b"ustar":  # POSIX and GNU tar headers
        what = "a tar archive"
    if what:
        raise SourceError(f"this is {what}: a container of files, not one source", where=document.name,
                          fix="extract it (e.g. `7z x`, `unzip` or `tar xf`), then import the file you want (a dump's Posts.xml) or its folder")


def import_thread(request: ImportRequest, format_name: str = "auto") -> Thread:
    """A named format reads what it does not recognise only when no other reader does: a
    Hacker News array read as Discourse is refused naming its format, not imported as junk."""
    if format_name == "auto":
        return reader(detect(request)).read(request)
    named = reader(format_name)
    if not any(named.sniff(document) for document in request.documents):
        refuse_other_format(request, format_name)
    return named.read(request)


def refuse_other_format(request, this: str) -> None:
    """A file of another format read with the wrong --format (a Disqus export as WXR) gets an
    error naming the right format, not a puzzling "holds no posts"."""
    try:
        found = detect(request)
    except SourceError:
        return
    if found != this:
        what, own = (reader(name).DESCRIPTION.split(":")[0] for name in (found, this))
        raise SourceError(f"this is not a {own}; it looks like: {what}", where=request.name, fix=f"import it with --format {found}, or leave --format out")
