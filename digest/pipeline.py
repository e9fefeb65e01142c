"""The one place that wires the pure stages to I/O: files, the clock's value, the
environment, the transport, the ledger and the archive are all handled here."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
import os
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from digest import config as cfg
from digest.archive import archive_issue, load_redactions, read_manifests, site_for, write_atomic
from digest.discover import checked_against_page
from digest.errors import DigestError, SourceError
from digest.fetch import HttpCache, fetch_discussion
from digest.issue import Issue, IssueStore, build_issue
from digest.ledger import Ledger
from digest.dkim import dkim_signer
from digest.message import build_message, envelope_sender
from digest.progress import Progress, progress_for
from digest.send import Sender, connector, delivery_settings
from digest.model import Thread
from digest.render import personalize
from digest.select import History, history_from_manifests, people
from digest.sources import ImportRequest, import_thread, load_documents
from digest.sources.forum_text_copies import site_zone
from digest.bounces import refused_at_send
from digest.subscribers import Subscriber, SubscriberStore, apply_bounces, recipients, store_path
from digest.transport import Transport

Log = Callable[[str], None]
PICKS_FILE = "picks.toml"  # the editor's picks for an issue, kept with it once consumed


@dataclass(frozen=True)
class Workspace:
    """Where a digest's definitions, state and archive live."""

    config_dir: Path
    state_dir: Path
    archive_dir: Path

    @property
    def ledger_path(self) -> Path:
        return self.state_dir / "ledger.sqlite"


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already delivered by an earlier run
    failed: list[tuple[str, int | None, str]] = field(default_factory=list)
    possible_duplicates: list[str] = field(default_factory=list)  # in flight when a run died
    problems: list[str] = field(default_factory=list)  # subscriber rows skipped
    interrupted: bool = False  # asked to stop: the rest waits for the next run (the ledger knows)

    @property
    def ok(self) -> bool:
        return not self.failed


def load_digest(ws: Workspace, name: str) -> cfg.DigestConfig:
    return cfg.load_digest(cfg.find_digest(ws.config_dir, name))


def import_source(source: str, format_name: str, now: datetime, thread: str | None = None, cache: HttpCache | None = None,
                  timezone: str | None = None) -> Thread:
    """Read a file, a folder or an http(s) URL (fetched through the conditional-GET cache; a
    discussion page's URL reads the data behind it, with a note saying which).  ``timezone``
    (an IANA name) is the zone a copied comment page's times without one were shown in."""
    site_zone(timezone)  # an unknown name fails before anything is read
    found = None
    scheme, colon, rest = source.partition(":")
    if scheme.lower() in ("http", "https") and rest.startswith("//"):
        source = scheme.lower() + colon + rest  # "HTTPS://…", as some address bars copy it
        documents, found = fetch_discussion(source, cache)
    else:
        documents = load_documents(Path(source), format_name)
    imported = import_thread(ImportRequest(documents, retrieved_at=now, thread=thread, timezone=timezone), format_name)
    if timezone and imported.source_format != "forum-text":
        unused = f"the time zone {timezone} was not used: the {imported.source_format} source states the zone of its times"
        imported = replace(imported, import_notes=(*imported.import_notes, unused))
    if found is None:
        return imported
    imported = checked_against_page(imported, found)
    return replace(imported, import_notes=(found.note, *imported.import_notes))


def http_cache(ws: Workspace) -> HttpCache:
    return HttpCache(ws.state_dir / "http-cache")


def import_threads(config: cfg.DigestConfig, now: datetime, cache: HttpCache | None = None) -> tuple[Thread, ...]:
    threads = []
    for index, source in enumerate(config.threads, start=1):
        try:
            threads.append(import_source(source.source, source.format, now, source.thread, cache, source.timezone))
        except SourceError as exc:
            exc.message = f"{exc.message} (source of {config.path} [[thread]] #{index})"
            if exc.fix:  # the command-line option's counterpart in a digest's config
                exc.fix = exc.fix.replace("--thread", "the [[thread]] key `thread`")
            raise
    return tuple(threads)


def editor_history(ws: Workspace, config: cfg.DigestConfig, threads: tuple[Thread, ...]) -> History:
    """What earlier archived issues featured (novelty, the editor's history, the last issue's time)."""
    manifests = read_manifests(ws.archive_dir / config.name)
    return history_from_manifests(manifests, threads, people(config.selection.aliases))


def build(
    ws: Workspace, name: str, now: datetime, *, scheduled: bool = False,
    imported: tuple[cfg.DigestConfig, tuple[Thread, ...]] | None = None,
) -> tuple[Issue, Path]:
    """Build the next issue.  The picks file is consumed: it moves into the issue's folder (and
    is archived with it).  A scheduled run leaves out picks whose reply has vanished, with a
    warning; a manual build fails naming them.  ``imported``: the config and threads already
    imported (a scheduled run goes on without the sources that failed)."""
    config = imported[0] if imported else load_digest(ws, name)
    threads = imported[1] if imported else import_threads(config, now, http_cache(ws))
    store = IssueStore(ws.state_dir)
    history = editor_history(ws, config, threads)
    issue = build_issue(config, threads, number=store.next_number(name), now=now, history=history, strict=not scheduled)
    folder = store.save(issue)
    picks = config.selection.picks_file
    if picks is not None and picks.is_file():
        os.replace(picks, folder / PICKS_FILE)
    return issue, folder


def send(
    ws: Workspace,
    name: str,
    transport: Transport | Callable[[], Transport],
    env: Mapping[str, str],
    now: datetime,
    *,
    number: int | None = None,
    log: Log = print,
    stop: Callable[[], bool] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> SendReport:
    """Deliver a built issue to every active subscriber not yet served (digest.send does the
    work); the ledger makes re-runs safe (delivered copies are skipped, the rest retried).
    ``transport`` is a factory opening one connection each, or one Transport used alone.
    ``stop`` is asked between batches, the safe point for a shutdown.  ``dry_run`` does
    everything but the SMTP transaction and writes nothing to the ledger."""
    config = load_digest(ws, name)
    issue = IssueStore(ws.state_dir).load(name, number)
    secret = cfg.unsubscribe_secret(env)
    connect, settings = connector(transport, delivery_settings(env), dry_run=dry_run)
    signer = dkim_signer(env, now)
    listing = recipients(ws.state_dir, config, now)
    report = SendReport(problems=list(listing.problems))
    for problem in listing.problems:
        log(f"warning: {problem}")
    ledger = Ledger(ws.ledger_path)
    if dry_run:
        real, ledger = ledger, ledger.snapshot()
        real.close()
    try:
        sender = Sender(issue, config, secret, ledger, connect, settings, now=now, log=log, progress=progress or progress_for(log), stop=stop, signer=signer)
        sender.run(listing.subscribers, report)
    finally:
        ledger.close()
    if not dry_run:
        _suspend_refused(ws, config.name, issue.number, report, now, log)
    return report


def _suspend_refused(ws: Workspace, name: str, number: int, report: SendReport, now: datetime, log: Log) -> None:
    """Copies the receiving servers refused for good are bounces like the reported ones: an
    address that does not exist is suspended before the next issue."""
    refused = [b for email, code, detail in report.failed if (b := refused_at_send(email, code, detail, f"{name} issue {number}", now.date()))]
    if refused:
        with SubscriberStore(store_path(ws.state_dir)) as store:
            for outcome in apply_bounces(store, refused, now):
                if outcome.suspended:
                    log(f"suspended {outcome.bounce.email} (bouncing) from {', '.join(outcome.suspended)}: {outcome.bounce.detail}")


def send_test(ws: Workspace, name: str, transport: Transport, to: str, now: datetime, number: int | None = None) -> None:
    """One copy of the built issue to the editor: marked as a test, outside ledger and archive."""
    config = load_digest(ws, name)
    issue = IssueStore(ws.state_dir).load(name, number)
    msg = build_message(issue, config, to=Subscriber(to), unsubscribe=None, now=now, subject_prefix="[TEST] ")
    try:
        result = transport.deliver(envelope_sender(config), to, msg.as_bytes())
    finally:
        transport.close()
    if not result.ok:
        raise DigestError(f"test send to {to} failed: {result.code or ''} {result.detail}")


def archive(ws: Workspace, name: str, now: datetime, number: int | None = None, *, listing: bool = True) -> Path:
    """Archive a built issue (its redactions applied); ``listing`` also rewrites index and feed."""
    config = load_digest(ws, name)
    issue = IssueStore(ws.state_dir).load(name, number)
    neutral = build_message(issue, config, to=None, unsubscribe=None, now=issue.built_at)
    text = personalize(issue.text, "you", config.unsubscribe_url)
    redacted = load_redactions(ws.state_dir, name).get(issue.number, frozenset())
    folder = archive_issue(ws.archive_dir, issue, site_for(config), text, neutral.as_bytes(), redacted=redacted, listing=listing)
    picks = IssueStore(ws.state_dir).folder(name, issue.number) / PICKS_FILE
    if picks.is_file():
        write_atomic(folder / PICKS_FILE, picks.read_bytes())
    return folder


def compose_next(ws: Workspace, config: cfg.DigestConfig, now: datetime) -> Issue:
    """The next issue built in memory exactly as `build` would, but not stored (picks file kept)."""
    threads = import_threads(config, now, http_cache(ws))
    number = IssueStore(ws.state_dir).next_number(config.name)
    return build_issue(config, threads, number=number, now=now, history=editor_history(ws, config, threads))


def _delivery_started(ws: Workspace, name: str, number: int) -> bool:
    if not ws.ledger_path.exists():
        return False
    ledger = Ledger(ws.ledger_path)
    try:
        return bool(ledger.rows(name, number))
    finally:
        ledger.close()


def issue_to_preview(ws: Workspace, config: cfg.DigestConfig, now: datetime, number: int | None = None) -> tuple[Issue, str]:
    """Which issue a preview shows, and what it is: the one asked for; else the latest built
    issue no one has been sent yet (what `send` delivers next); else the next issue, built in
    memory from the sources as they are now and not stored (building stays an explicit step)."""
    store = IssueStore(ws.state_dir)
    if number is not None:
        return store.load(config.name, number), f"built issue {number}"
    numbers = store.numbers(config.name)
    if numbers and not _delivery_started(ws, config.name, numbers[-1]):
        return store.load(config.name, numbers[-1]), f"built issue {numbers[-1]}, not sent yet"
    issue = compose_next(ws, config, now)
    return issue, f"next issue ({issue.number}), built in memory, not stored"


SAMPLE_RECIPIENT = Subscriber("subscriber@example.invalid", "Sample Subscriber")


@dataclass(frozen=True)
class Preview:
    issue: Issue
    what: str  # which issue this is (see issue_to_preview)
    html: str  # the HTML part, the text part and the raw message, with a sample recipient
    text: str
    eml: bytes


def preview_parts(config: cfg.DigestConfig, issue: Issue, what: str) -> Preview:
    """The issue exactly as a subscriber gets it, with a sample recipient filled in."""
    link = f"{config.unsubscribe_url}?d={config.name}&t=PREVIEW"
    msg = build_message(issue, config, to=SAMPLE_RECIPIENT, unsubscribe=link, now=issue.built_at)
    html = personalize(issue.html, SAMPLE_RECIPIENT.email, link, is_html=True)
    return Preview(issue, what, html, personalize(issue.text, SAMPLE_RECIPIENT.email, link), msg.as_bytes())


def preview(ws: Workspace, name: str, out_dir: Path, number: int | None, now: datetime) -> tuple[Preview, dict[str, Path]]:
    """Write the next issue's (or issue ``number``'s) HTML, text and .eml for a look before sending."""
    config = load_digest(ws, name)
    issue, what = issue_to_preview(ws, config, now, number)
    shown = preview_parts(config, issue, what)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{name}-{issue.number:04d}"
    paths = {kind: out_dir / f"{stem}.{suffix}" for kind, suffix in (("html", "html"), ("text", "txt"), ("eml", "eml"))}
    paths["html"].write_text(shown.html, encoding="utf-8")
    paths["text"].write_text(shown.text, encoding="utf-8")
    paths["eml"].write_bytes(shown.eml)
    return shown, paths
