"""Fetching sources over HTTP from a real local server: cache, redirects, limits, errors."""

from __future__ import annotations

import bz2
import gzip
import http.server
import json
import lzma
import threading
import time
from contextlib import contextmanager

import pytest

from digest.errors import SourceError
from digest.fetch import HttpCache, check_links, fetch
from digest.sources import decompressed

THREAD = b"Guest - Ann\nHello from a served export.\n"

PIPERMAIL = b"""From ann at example.org  Mon Jan  1 08:00:00 2024
From: ann at example.org (Ann)
Date: Mon, 01 Jan 2024 08:00:00 +0000
Subject: [Garden] Seed swap
Message-ID: <1@example.org>

Who brings tomatoes?

From ben at example.org  Mon Jan  1 09:00:00 2024
From: ben at example.org (Ben)
Date: Mon, 01 Jan 2024 09:00:00 +0000
Subject: [Garden] Seed swap
In-Reply-To: <1@example.org>
Message-ID: <2@example.org>

I do.

"""


class Handler(http.server.BaseHTTPRequestHandler):
    hits: list[tuple[str, str | None]] = []
    extra: dict[str, bytes] = {}  # path -> body, set by a test
    typed: dict[str, tuple[bytes, str]] = {}  # path -> (body, Content-Type), set by a test

    def log_message(self, *args):  # keep test output clean
        pass

    def do_HEAD(self):
        if self.path == "/no-head":
            self.send_response(405)
            self.end_headers()
            return
        self.do_GET()

    def do_GET(self):
        Handler.hits.append((self.path, self.headers.get("If-None-Match")))
        if self.path == "/thread.txt":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            self._send(200, THREAD, {"ETag": '"v1"'})
        elif self.path == "/moved":
            self._send(301, b"", {"Location": "/thread.txt"})
        elif self.path.startswith("/loop"):
            self._send(302, b"", {"Location": f"/loop{len(self.path)}"})
        elif self.path == "/big":
            self._send(200, b"x" * 5000)
        elif self.path == "/slow":
            time.sleep(2)
            self._send(200, THREAD)
        elif self.path == "/gone":
            self._send(410, b"gone")
        elif self.path == "/busy":
            self._send(429, b"slow down", {"Retry-After": "120"})
        elif self.path == "/broken":
            self._send(503, b"oops")
        elif self.path == "/no-head":
            self._send(200, b"ok")
        elif self.path in Handler.extra:
            self._send(200, Handler.extra[self.path])
        elif self.path in Handler.typed:
            body, content_type = Handler.typed[self.path]
            self._send(200, body, {"Content-Type": content_type})
        else:
            self._send(404, b"nope")

    def _send(self, status, body, headers=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_conditional_get_serves_the_cache_on_304(tmp_path):
    Handler.hits = []
    cache = HttpCache(tmp_path)
    with server() as base:
        first = fetch(f"{base}/thread.txt", cache)
        second = fetch(f"{base}/thread.txt", cache)
    assert first.data == second.data == THREAD
    assert Handler.hits == [("/thread.txt", None), ("/thread.txt", '"v1"')]


def test_redirects_are_followed_but_bounded():
    with server() as base:
        assert fetch(f"{base}/moved").data == THREAD
        with pytest.raises(SourceError, match="redirect"):
            fetch(f"{base}/loop")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "not found (HTTP 404)"),
        ("/gone", "gone (HTTP 410)"),
        ("/busy", "rate limited (HTTP 429): the site wants fewer requests; retry after 120"),
        ("/broken", "the server failed (HTTP 503); try again later"),
    ],
)
def test_each_http_failure_has_a_clear_error(path, message):
    with server() as base, pytest.raises(SourceError) as info:
        fetch(f"{base}{path}")
    assert str(info.value).startswith(f"{base}{path}: {message}")


def test_size_cap_and_timeout():
    with server() as base:
        with pytest.raises(SourceError, match="too large: 5000 bytes"):
            fetch(f"{base}/big", max_bytes=1000)
        with pytest.raises(SourceError, match=r"no answer within 0.5 s"):
            fetch(f"{base}/slow", timeout=0.5)


def test_connection_refused_is_clear():
    with server() as base:
        pass  # the port is closed again
    with pytest.raises(SourceError, match="cannot connect"):
        fetch(f"{base}/thread.txt", timeout=2)


def test_import_from_a_url_through_the_cli(tmp_path):
    from digest.cli import main

    with server() as base:
        code = main(["--state-dir", str(tmp_path / "state"), "import", f"{base}/thread.txt", "-o", str(tmp_path / "t.json")])
    assert code == 0
    assert '"author": "Ann"' in (tmp_path / "t.json").read_text()


def test_a_compressed_download_is_read_as_the_archive_it_holds(tmp_path):
    """Mailman's monthly archives are linked as .txt.gz: the import reads the text inside."""
    from digest.cli import main

    Handler.extra = {"/2024-January.txt.gz": gzip.compress(PIPERMAIL)}
    with server() as base:
        code = main(["--state-dir", str(tmp_path / "state"), "import", f"{base}/2024-January.txt.gz", "-o", str(tmp_path / "t.json")])
    assert code == 0
    thread = json.loads((tmp_path / "t.json").read_text())
    assert thread["source_format"] == "pipermail" and [r["author"] for r in thread["replies"]] == ["Ben"]


def test_compressed_data_is_bounded_and_checked():
    bomb = gzip.compress(b"x" * 10_000)
    assert len(bomb) < 100
    with pytest.raises(SourceError, match="too large once decompressed: more than 1000 bytes"):
        decompressed(bomb, "bomb.gz", limit=1000)
    assert decompressed(bomb + gzip.compress(b"y"), "two.gz") == b"x" * 10_000 + b"y"  # concatenated members
    with pytest.raises(SourceError, match="broken gzip data"):
        decompressed(bomb[:-6], "cut.gz")
    assert decompressed(bz2.compress(b"<posts/>"), "Posts.xml.bz2") == decompressed(lzma.compress(b"<posts/>"), "x.xz") == b"<posts/>"


def test_an_archive_of_several_files_is_refused_saying_to_extract_it(tmp_path):
    from digest.sources import load_documents

    (tmp_path / "coffee.stackexchange.com.7z").write_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(30))
    with pytest.raises(SourceError) as info:
        load_documents(tmp_path / "coffee.stackexchange.com.7z")
    assert info.value.message == "this is a 7-Zip archive: a container of files, not one source"
    assert "extract it" in info.value.fix and "Posts.xml" in info.value.fix


def test_check_links_reports_dead_ones():
    with server() as base:
        results = {c.url.removeprefix(base): c for c in check_links([f"{base}/thread.txt", f"{base}/gone", f"{base}/no-head", f"{base}/moved"])}
    assert results["/thread.txt"].ok and results["/no-head"].ok
    assert results["/moved"].ok and "moved to" in results["/moved"].detail
    assert not results["/gone"].ok and "HTTP 410" in results["/gone"].detail


def test_validate_check_links_names_dead_permalinks(tmp_path, capsys):
    import json
    import shutil

    from digest.cli import main
    from tests.conftest import ROOT

    with server() as base:
        thread = json.loads((ROOT / "examples" / "garden-thread.json").read_text())
        thread["url"] = f"{base}/thread.txt"
        for reply in thread["replies"]:
            reply["permalink"] = f"{base}/thread.txt"
        thread["replies"][4]["permalink"] = f"{base}/gone"
        (tmp_path / "thread.json").write_text(json.dumps(thread))
        shutil.copytree(ROOT / "config", tmp_path / "config")
        toml = (tmp_path / "config" / "example.toml").read_text().replace("../examples/garden-thread.json", str(tmp_path / "thread.json"))
        (tmp_path / "config" / "example.toml").write_text(toml)
        code = main(["--config-dir", str(tmp_path / "config"), "--state-dir", str(tmp_path / "state"), "validate", "--check-links", "example"])
    out, err = capsys.readouterr()
    assert code == 1
    assert f"example: dead link: {base}/gone: gone (HTTP 410)" in err
    assert "example: 1 of 2 links answer" in out


LATIN_FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>Grüße</title><item><title>Jürgen</title></item></channel></rss>'
CYRILLIC_PAGE = '<!DOCTYPE html><html><head><title>Привет</title></head><body><a href="/тема/">тема</a></body></html>'


def test_a_charset_given_only_in_the_content_type_header_is_applied(tmp_path):
    """Servers send ISO-8859-1 or Windows-1251 feeds and pages that name no charset of their
    own; read as UTF-8 they would be mojibake or a guess."""
    Handler.typed = {
        "/latin.xml": (LATIN_FEED.encode("latin-1"), "application/rss+xml; charset=ISO-8859-1"),
        "/page.html": (CYRILLIC_PAGE.encode("cp1251"), "text/html; charset=windows-1251"),
        "/cp1252.xml": ('<rss><title>“Grüße” – 5 €</title></rss>'.encode("cp1252"), "text/xml; charset=iso-8859-1"),
    }
    cache = HttpCache(tmp_path)
    with server() as base:
        assert fetch(f"{base}/latin.xml", cache).data == LATIN_FEED.encode("utf-8")
        assert fetch(f"{base}/page.html").data == CYRILLIC_PAGE.encode("utf-8")
        assert fetch(f"{base}/cp1252.xml").data.decode("utf-8") == "<rss><title>“Grüße” – 5 €</title></rss>"  # as browsers read Latin-1
    assert cache.get(f"{base}/latin.xml")[1] == LATIN_FEED.encode("utf-8")  # a 304 later serves the same text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (LATIN_FEED.encode("utf-8"), "application/rss+xml; charset=ISO-8859-1"),  # UTF-8 under a wrong header
        (LATIN_FEED.replace('version="1.0"', 'version="1.0" encoding="iso-8859-15"').encode("iso-8859-15"), "text/xml; charset=windows-1251"),
        ('<html><head><meta charset="koi8-r"></head><body>Привет</body></html>'.encode("koi8-r"), "text/html; charset=windows-1251"),
        ("From a@b Mon Jan  1 00:00:00 2024\n\nGrüße\n".encode("latin-1"), "text/plain; charset=windows-1251"),  # mail names its own
        (LATIN_FEED.encode("latin-1"), "application/rss+xml"),
        (LATIN_FEED.encode("latin-1"), "application/rss+xml; charset=UTF-8"),  # a wrong UTF-8 header: the feed reader repairs it
        (LATIN_FEED.encode("latin-1"), "application/rss+xml; charset=x-no-such-charset"),
    ],
)
def test_a_document_that_names_its_charset_or_is_utf8_is_left_as_it_came(body, content_type):
    Handler.typed = {"/doc": (body, content_type)}
    with server() as base:
        assert fetch(f"{base}/doc").data == body
