"""The public unsubscribe endpoint: the RFC 8058 one-click POST and the link's confirmation page.

It runs behind an HTTPS reverse proxy that passes each digest's ``unsubscribe_url`` path
through unchanged.  The signed token in the URL is the only authority (no cookies, no
sessions), so a cross-site form cannot act without it.  GET never changes anything, because
mail scanners follow links; every change is a POST.  Logs name the method, path and status
only: never an address or a token.
"""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.parser import BytesParser
from email.policy import HTTP
from html import escape
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from babel.dates import format_date

from digest import config as cfg
from digest.errors import DigestError
from digest.labels import Labels, english, locale_of
from digest.message import verify_token
from digest.subscribers import SubscriberStore, store_path

MAX_BODY = 8192
PAUSE_MONTHS = (1, 3)  # the lower frequency offered: skip the next month's or three months' issues
Log = Callable[[str], None]

_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),  # the token is in the URL
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
]
_STATUS = {200: "200 OK", 400: "400 Bad Request", 403: "403 Forbidden", 404: "404 Not Found", 405: "405 Method Not Allowed", 413: "413 Content Too Large", 500: "500 Internal Server Error"}
_STYLE = "body{font:16px/1.5 system-ui,sans-serif;max-width:34em;margin:3em auto;padding:0 1em;color:#222}button{font:inherit;padding:.4em 1em;margin:.2em 0}"


@dataclass(frozen=True)
class Site:
    """What the app needs from a digest's definition: its title and the path it answers at."""

    name: str
    title: str
    path: str
    language: str
    labels: Labels = field(default_factory=english)  # the pages' words, in the digest's language

    def day(self, when: datetime) -> str:
        return format_date(when, "long", locale=locale_of(self.language))


def load_sites(config_dir: Path, log: Log) -> dict[str, Site]:
    sites = {}
    for path in cfg.digest_paths(config_dir):
        try:
            c = cfg.load_digest(path)
        except DigestError as exc:
            log(f"warning: digest {path.stem} not served: {exc.message}")
            continue
        sites[c.name] = Site(c.name, c.title, urlsplit(c.unsubscribe_url).path or "/", c.language, c.labels)
    return sites


class Sites:
    """The digests served, read again whenever a definition in config/ changes: a digest added
    while `digest web` runs gets working unsubscribe links without a restart, and one whose
    title or ``unsubscribe_url`` changed is served under its new path.  Checking costs one
    stat per definition file per request."""

    def __init__(self, config_dir: Path, log: Log):
        self.config_dir, self.log = Path(config_dir), log
        self.lock = threading.Lock()  # the server answers each request in its own thread
        self.stamp: tuple | None = None
        self.sites: dict[str, Site] = {}

    def __call__(self) -> dict[str, Site]:
        stamp = cfg.definitions_stamp(self.config_dir)
        with self.lock:
            if stamp is None or stamp != self.stamp:
                self.sites, self.stamp = load_sites(self.config_dir, self.log), stamp
            return self.sites


@dataclass(frozen=True)
class Response:
    status: int
    title: str
    body: str  # HTML, already escaped; the title is its heading
    language: str = "en"


class UnsubscribeApp:
    """A WSGI application; one store connection per request, so threads never share one.
    ``sites`` gives the digests served at the time of each request (``Sites``)."""

    def __init__(self, sites: Callable[[], dict[str, Site]], state_dir: Path, secret: bytes, *, clock: Callable[[], datetime] | None = None, log: Log = print):
        self.sites, self.store_path, self.secret = sites, store_path(state_dir), secret
        self.clock = clock or (lambda: datetime.now(timezone.utc).replace(microsecond=0))
        self.log = log

    def __call__(self, environ, start_response):
        try:
            response = self.handle(environ)
        except Exception as exc:  # never a traceback with request data in it
            self.log(f"error: {type(exc).__name__} while handling a request")
            response = Response(500, "Something went wrong", "<p>Please try again later.</p>")
        page = _page(response).encode("utf-8")
        headers = [*_HEADERS, ("Content-Length", str(len(page)))]
        if response.status == 405:
            headers.append(("Allow", "GET, POST"))
        start_response(_STATUS[response.status], headers)
        return [page]

    def handle(self, environ) -> Response:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        sites = self.sites()
        if path not in {s.path for s in sites.values()}:
            return Response(404, "Not found", "<p>There is nothing here.</p>")
        if method not in ("GET", "POST"):
            return Response(405, "Not allowed", "<p>Use the link in the email.</p>")
        try:
            return self.route(environ, method, path, sites)
        except ValueError:  # too many fields, a broken multipart body
            return Response(400, "Unknown request", "<p>This request was not understood. Use the link in the email.</p>")

    def route(self, environ, method: str, path: str, sites: dict[str, Site]) -> Response:
        query = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=10)
        name, token = query.get("d", [""])[0], query.get("t", [""])[0]
        if not name or not token:
            return Response(400, "Incomplete link", "<p>This unsubscribe link is incomplete. Copy the whole link from the email, or use the Unsubscribe link at its end.</p>")
        site = sites.get(name)
        if site is None or site.path != path:
            return Response(404, "Not found", "<p>There is no such digest here.</p>")
        email = verify_token(self.secret, name, token)
        if email is None:
            return _said(site, "page_invalid_title", 403, site.labels.html("page_invalid"))
        if method == "GET":
            return self.confirm_page(site, email, urlencode({"d": name, "t": token}))
        try:
            form = _read_form(environ)
        except ValueError:  # too many fields, a broken multipart body: the page still speaks the digest's language
            return _said(site, "page_unknown_title", 400, site.labels.html("page_unknown"))
        if form is None:
            return _said(site, "page_too_large_title", 413, site.labels.html("page_too_large"))
        return self.act(site, email, form)

    def confirm_page(self, site: Site, email: str, query: str) -> Response:
        with SubscriberStore(self.store_path) as store:
            current = store.get(site.name, email)
        words = site.labels
        if current is not None and current.status == "unsubscribed":
            return _said(site, "page_unsubscribed_title", 200, words.html("page_already_unsubscribed", address=email, title=site.title))
        action = escape(f"?{query}")
        paused = f"<p>{words.html('page_paused_until', date=site.day(current.paused_until))}</p>" if current and current.paused_until and current.paused_until > self.clock() else ""
        pauses = "".join(
            f'<form method="post" action="{action}"><input type="hidden" name="action" value="pause">'
            f'<input type="hidden" name="months" value="{m}"><button type="submit">{words.html("page_pause_button", months=words.count("months", m))}</button></form>'
            for m in PAUSE_MONTHS
        )
        return Response(
            200,
            words.text("page_unsubscribe_title", title=site.title),
            f"{paused}<p>{words.html('page_will_stop', address=email, title=site.title)}</p>"
            f'<form method="post" action="{action}"><input type="hidden" name="action" value="unsubscribe">'
            f'<button type="submit">{words.html("unsubscribe")}</button></form>'
            f"<h2>{words.html('page_fewer_title')}</h2><p>{words.html('page_fewer')}</p>{pauses}",
            site.language,
        )

    def act(self, site: Site, email: str, form: dict[str, str]) -> Response:
        now, words = self.clock(), site.labels
        if form.get("List-Unsubscribe") == "One-Click" or form.get("action") == "unsubscribe":
            how = "one-click unsubscribe (RFC 8058)" if "List-Unsubscribe" in form else "unsubscribe page"
            with SubscriberStore(self.store_path) as store:
                store.unsubscribe(site.name, email, now, how)
            self.log(f"unsubscribed from {site.name} ({how})")
            return _said(site, "page_unsubscribed_title", 200, words.html("page_unsubscribed", address=email, title=site.title))
        if form.get("action") == "pause" and form.get("months") in {str(m) for m in PAUSE_MONTHS}:
            months = int(form["months"])
            until = now + timedelta(days=30 * months)
            with SubscriberStore(self.store_path) as store:
                paused = store.pause(site.name, email, until, now, f"paused for {_months(months)} (unsubscribe page)")
            if not paused:
                return _said(site, "page_not_subscribed_title", 200, words.html("page_not_subscribed", address=email, title=site.title))
            self.log(f"paused a subscription to {site.name} for {_months(months)}")
            return _said(site, "page_paused_title", 200, words.html("page_paused", address=email, title=site.title, date=site.day(until)))
        return _said(site, "page_unknown_title", 400, words.html("page_unknown"))


def _said(site: Site, title: str, status: int, paragraph: str) -> Response:
    """A page of one paragraph in the digest's language."""
    return Response(status, site.labels.text(title), f"<p>{paragraph}</p>", site.language)


def _months(n: int) -> str:
    return "a month" if n == 1 else f"{n} months"


def _read_form(environ) -> dict[str, str] | None:
    """The POST body as a flat form: urlencoded (what browsers and most mailbox providers
    send) or multipart/form-data (which RFC 8058 also allows).  None when it is too large."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        return None
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    kind = environ.get("CONTENT_TYPE", "")
    if kind.lower().startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + kind.encode("latin-1") + b"\r\n\r\n" + body)
        fields = {}
        for part in message.iter_parts() if message.is_multipart() else ():
            name = part.get_param("name", header="content-disposition")
            if name:
                fields[str(name)] = part.get_content().strip() if part.get_content_maintype() == "text" else ""
        return fields
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), max_num_fields=10).items()}


def _page(response: Response) -> str:
    direction = locale_of(response.language).text_direction
    return (
        f'<!doctype html><html lang="{escape(response.language)}" dir="{direction}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">'
        f"<title>{escape(response.title)}</title><style>{_STYLE}</style></head><body><h1>{escape(response.title)}</h1>{response.body}</body></html>"
    )


class _QuietHandler(WSGIRequestHandler):
    """Logs method, path and status only: the query holds the token, and it decodes to the address."""

    log_to: Log = print
    timeout = 30  # seconds a silent client may hold a connection

    def log_request(self, code="-", size="-") -> None:
        self.log_to(f"{self.command} {urlsplit(self.path).path} {code}")

    def log_error(self, format, *args) -> None:
        self.log_to("error: malformed request")


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = False  # server_close() waits for requests in progress: no half-done change
    block_on_close = True


def make(app: UnsubscribeApp, host: str, port: int, log: Log = print) -> WSGIServer:
    """The HTTP server (one thread per request); call ``serve_forever()`` on it."""
    handler = type("Handler", (_QuietHandler,), {"log_to": staticmethod(log)})
    return make_server(host, port, app, server_class=_ThreadingServer, handler_class=handler)
