"""Fetching sources and checking links over HTTP: timeouts, a size cap, redirects, a
conditional-GET cache (ETag / Last-Modified), and one clear error for each failure."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import socket
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from digest import __version__, discover
from digest.errors import SourceError
from digest.sources import SourceDocument, common, decompressed, refuse_archive

USER_AGENT = f"digest/{__version__} (discussion digests)"
MAX_BYTES = 50 * 1024 * 1024
UNPACKED_BYTES = 8 * MAX_BYTES  # a compressed download, once decompressed
TIMEOUT = 20.0
MAX_REDIRECTS = 5

_HTTP_REASONS = {
    401: "needs a login (HTTP 401)",
    403: "access refused (HTTP 403)",
    404: "not found (HTTP 404): the page was removed or the URL is wrong",
    410: "gone (HTTP 410): the page was removed for good",
    429: "rate limited (HTTP 429): the site wants fewer requests",
}


class HttpStatusError(SourceError):
    """The server answered with an error status (kept, for callers that expect one)."""

    def __init__(self, status: int, message: str, *, where: str):
        super().__init__(message, where=where)
        self.status = status


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_LimitedRedirects())


def _http_problem(status: int, headers: Message | None) -> str:
    if status in _HTTP_REASONS:
        reason = _HTTP_REASONS[status]
        retry = headers.get("Retry-After") if headers is not None else None
        return reason + (f"; retry after {retry}" if status == 429 and retry else "")
    if 500 <= status < 600:
        return f"the server failed (HTTP {status}); try again later"
    return f"unexpected HTTP status {status}"


@dataclass(frozen=True)
class CacheEntry:
    url: str
    etag: str | None
    last_modified: str | None


class HttpCache:
    """Last response per URL, revalidated with If-None-Match / If-Modified-Since."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode()).hexdigest()[:32]
        return self.folder / f"{key}.json", self.folder / f"{key}.body"

    def get(self, url: str) -> tuple[CacheEntry, bytes] | None:
        meta_path, body_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_text())
            return CacheEntry(meta["url"], meta.get("etag"), meta.get("last_modified")), body_path.read_bytes()
        except (OSError, ValueError, KeyError):
            return None

    def put(self, entry: CacheEntry, body: bytes) -> None:
        from digest.archive import write_atomic

        meta_path, body_path = self._paths(entry.url)
        write_atomic(body_path, body)
        write_atomic(meta_path, json.dumps(entry.__dict__).encode())


def fetch(url: str, cache: HttpCache | None = None, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> SourceDocument:
    """GET a source; a 304 answer serves the cached copy.  Raises SourceError naming the URL."""
    if not url.startswith(("http://", "https://")):
        raise SourceError("only http:// and https:// URLs can be fetched", where=url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
    cached = cache.get(url) if cache else None
    if cached:
        entry, _ = cached
        if entry.etag:
            request.add_header("If-None-Match", entry.etag)
        if entry.last_modified:
            request.add_header("If-Modified-Since", entry.last_modified)
    try:
        with _opener().open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise SourceError(f"too large: {int(declared)} bytes (limit {max_bytes})", where=url, fix="download it and import the file")
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise SourceError(f"too large: more than {max_bytes} bytes", where=url, fix="download it and import the file")
            headers = response.headers
            address = response.geturl()
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and cached:
            return _document(url, cached[1], exc.geturl())
        if exc.code in (301, 302, 303, 307, 308):
            raise SourceError(f"more than {MAX_REDIRECTS} redirects", where=url, fix="use the final URL") from None
        raise HttpStatusError(exc.code, _http_problem(exc.code, exc.headers), where=url) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, socket.timeout) or "timed out" in str(reason):
            raise SourceError(f"no answer within {timeout:g} s", where=url, fix="try again later") from None
        raise SourceError(f"cannot connect: {reason}", where=url, fix="check the URL and the network") from None
    except (socket.timeout, TimeoutError):
        raise SourceError(f"no answer within {timeout:g} s", where=url, fix="try again later") from None
    except OSError as exc:
        raise SourceError(f"connection failed: {exc}", where=url) from None
    data = in_served_charset(data, headers.get_content_type(), headers.get_content_charset())
    if cache:
        cache.put(CacheEntry(url, headers.get("ETag"), headers.get("Last-Modified")), data)
    return _document(url, data, address)


# Pages, feeds and API answers: their readers take bytes that name no charset as UTF-8.  Mail
# archives (text/plain, application/mbox) are left alone: each message names its own.
_MARKUP_TYPES = re.compile(r"^(?:text/html|application/xhtml\+xml|(?:text|application)/xml|application/[\w.+-]*\+(?:xml|json)|application/json)$")
_OWN_CHARSET = re.compile(rb"<\?xml[^>]*\bencoding\s*=|<meta[^>]*\bcharset\s*=", re.I)
# What browsers read for the labels servers send (WHATWG Encoding): Latin-1 is Windows-1252.
_BROWSER_CHARSETS = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
                     "ascii": "cp1252", "gb2312": "gbk", "shift_jis": "cp932", "euc-kr": "cp949"}


def in_served_charset(data: bytes, content_type: str, charset: str | None) -> bytes:
    """A page, feed or JSON answer whose bytes are not UTF-8, and which names no charset of its
    own (no XML encoding, no meta charset, no byte order mark), in the charset the server's
    Content-Type header names, as UTF-8: the only place such a document says how it is written.
    Anything else is returned as it came (a wrong "UTF-8" header too: the readers repair that)."""
    if (not charset or not _MARKUP_TYPES.match(content_type) or data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
            or common.is_utf8(data) or _OWN_CHARSET.search(data[:4096])):
        return data
    name = _BROWSER_CHARSETS.get(charset.lower(), charset)
    try:
        if codecs.lookup(name).name == "utf-8":
            return data
    except LookupError:
        return data
    return data.decode(name, "replace").encode("utf-8")


def _document(url: str, data: bytes, address: str | None) -> SourceDocument:
    """A ``.txt.gz`` or ``.mbox.gz`` download is read as the archive it holds."""
    document = SourceDocument(url, decompressed(data, url, limit=UNPACKED_BYTES), address)
    refuse_archive(document)
    return document


def fetch_discussion(url: str, cache: HttpCache | None = None) -> tuple[tuple[SourceDocument, ...], discover.DataUrl | None]:
    """The data of the discussion at ``url``, and what was read instead when it is not the page
    itself: a known site's page is swapped for its data URL before fetching, any other HTML
    page for the data it points to (``digest.discover``).  An API that pages its answer
    (WordPress's comments, 100 to a page) is read to its last page."""
    known = discover.known_site(url)
    if known:
        return _with_later_pages(_data_behind(url, known, cache), cache), known
    document = fetch(url, cache)
    if not discover.looks_like_html(document.data):
        return _with_later_pages(document, cache), None
    landed = document.address or url  # relative links on the page are relative to where it was found
    found = discover.known_site(landed) or discover.from_page(landed, document.data)  # e.g. a share link
    return _with_later_pages(_data_behind(landed, found, cache), cache), found


MAX_PAGES = 50  # 5,000 WordPress comments: a bound on the requests one import makes


def _with_later_pages(first: SourceDocument, cache: HttpCache | None) -> tuple[SourceDocument, ...]:
    """The document and the API pages after it, while each page is full.  WordPress answers a
    page past the last one with HTTP 400, which ends the pages like a short page does."""
    documents = [first]
    while len(documents) < MAX_PAGES and (following := discover.next_page(documents[-1].name, documents[-1].data, len(documents) + 1)):
        try:
            documents.append(fetch(following, cache))
        except HttpStatusError as error:
            if error.status != 400:
                raise
            break
    return tuple(documents)


def _data_behind(page: str, found: discover.DataUrl, cache: HttpCache | None) -> SourceDocument:
    """The data a page points to; its failures say they are about that data, not the page the
    user gave, and a web page in its place (feeds turned off, a block or login page) is no data."""
    try:
        document = fetch(found.url, cache)
    except SourceError as error:
        error.message = f"{error.message} (this is the discussion's data, which digest looked for from {page})"
        raise
    if discover.looks_like_html(document.data):
        raise SourceError(
            f"the discussion's data, which digest looked for from {page}, is a web page too: the site may have turned "
            "its feeds or API off, or answered with a block or login page",
            where=found.url, fix="try again later, or save an export of the discussion and import the file")
    return document


@dataclass(frozen=True)
class LinkCheck:
    url: str
    ok: bool
    detail: str


def check_link(url: str, timeout: float = 10.0) -> LinkCheck:
    """HEAD, falling back to GET for servers that refuse HEAD; redirects are followed."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with _opener().open(request, timeout=timeout) as response:
                if method == "GET":
                    response.read(1024)
                final = response.geturl()
                return LinkCheck(url, True, f"HTTP {response.status}" + (f", moved to {final}" if final != url else ""))
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (400, 403, 405, 501):
                continue
            return LinkCheck(url, False, _http_problem(exc.code, exc.headers))
        except urllib.error.URLError as exc:
            return LinkCheck(url, False, f"cannot connect: {exc.reason}")
        except (OSError, ValueError) as exc:
            return LinkCheck(url, False, f"connection failed: {exc}")
    return LinkCheck(url, False, "no answer")


def check_links(urls: list[str], *, timeout: float = 10.0, workers: int = 8) -> list[LinkCheck]:
    """Check many links with bounded concurrency, in the order given."""
    unique = list(dict.fromkeys(urls))
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(unique) or 1))) as pool:
        return list(pool.map(lambda u: check_link(u, timeout), unique))
