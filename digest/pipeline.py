"""The one place that wires the pure stages to I/O: files, the clock's value, the
environment, the transport, the ledger and the archive are all handled here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from digest import config as cfg
from digest.archive import archive_issue
from digest.errors import DigestError, SourceError
from digest.issue import Issue, IssueStore, build_issue
from digest.ledger import Ledger
from digest.message import build_message, envelope_sender, message_id, unsubscribe_url
from digest.model import Thread
from digest.render import personalize
from digest.sources import ImportRequest, import_thread, load_documents
from digest.subscribers import Subscriber, load_subscribers
from digest.transport import Transport

Log = Callable[[str], None]


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

    @property
    def ok(self) -> bool:
        return not self.failed


def load_digest(ws: Workspace, name: str) -> cfg.DigestConfig:
    return cfg.load_digest(cfg.find_digest(ws.config_dir, name))


def import_source(source: str, format_name: str, now: datetime, thread: str | None = None) -> Thread:
    if source.startswith(("http://", "https://")):
        raise SourceError("importing from a URL is not available in this version", where=source, fix="download the page and name the file")
    request = ImportRequest(load_documents(Path(source)), retrieved_at=now, thread=thread)
    return import_thread(request, format_name)


def import_threads(config: cfg.DigestConfig, now: datetime) -> tuple[Thread, ...]:
    threads = []
    for index, source in enumerate(config.threads, start=1):
        try:
            threads.append(import_source(source.source, source.format, now))
        except SourceError as exc:
            exc.message = f"{exc.message} (source of {config.path} [[thread]] #{index})"
            raise
    return tuple(threads)


def build(ws: Workspace, name: str, now: datetime) -> tuple[Issue, Path]:
    config = load_digest(ws, name)
    threads = import_threads(config, now)
    store = IssueStore(ws.state_dir)
    issue = build_issue(config, threads, number=store.next_number(name), now=now)
    return issue, store.save(issue)


def send(
    ws: Workspace,
    name: str,
    transport: Transport,
    env: Mapping[str, str],
    now: datetime,
    *,
    number: int | None = None,
    log: Log = print,
) -> SendReport:
    """Deliver a built issue to every active subscriber not yet served; the ledger makes
    re-runs safe (delivered copies are skipped, the rest retried)."""
    config = load_digest(ws, name)
    issue = IssueStore(ws.state_dir).load(name, number)
    secret = cfg.unsubscribe_secret(env)
    listing = load_subscribers(config.subscribers)
    report = SendReport(problems=list(listing.problems))
    for problem in listing.problems:
        log(f"warning: {problem}")
    ledger = Ledger(ws.ledger_path)
    try:
        done = ledger.rows(name, issue.number)
        for subscriber in listing.subscribers:
            row = done.get(subscriber.email.lower())
            if row and row.status == "sent":
                report.skipped.append(subscriber.email)
                continue
            if row and row.status == "sending":
                report.possible_duplicates.append(subscriber.email)
                log(f"warning: {subscriber.email} was in flight when an earlier run stopped; sending again (possible duplicate)")
            msg = build_message(issue, config, to=subscriber, unsubscribe=unsubscribe_url(config, secret, subscriber.email), now=now)
            ledger.mark_sending(name, issue.number, subscriber.email, message_id(issue, subscriber.email, config.sender), now)
            result = transport.deliver(envelope_sender(config), subscriber.email, msg.as_bytes())
            if result.ok:
                ledger.mark_result(name, issue.number, subscriber.email, "sent", result.code, result.detail, now)
                report.sent.append(subscriber.email)
                log(f"sent {subscriber.email}")
            else:
                ledger.mark_result(name, issue.number, subscriber.email, "failed", result.code, result.detail, now)
                report.failed.append((subscriber.email, result.code, result.detail))
                log(f"FAILED {subscriber.email}: {result.code or ''} {result.detail}".rstrip())
    finally:
        transport.close()
        ledger.close()
    return report


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


def archive(ws: Workspace, name: str, now: datetime, number: int | None = None) -> Path:
    config = load_digest(ws, name)
    issue = IssueStore(ws.state_dir).load(name, number)
    neutral = build_message(issue, config, to=None, unsubscribe=None, now=issue.built_at)
    text = personalize(issue.text, "you", config.unsubscribe_url)
    return archive_issue(ws.archive_dir, issue, config.title, text, neutral.as_bytes())


def preview(ws: Workspace, name: str, out_dir: Path, number: int | None = None) -> dict[str, Path]:
    """The built issue exactly as a subscriber gets it, with a sample recipient filled in."""
    config = load_digest(ws, name)
    issue = IssueStore(ws.state_dir).load(name, number)
    sample = Subscriber("subscriber@example.invalid", "Sample Subscriber")
    link = f"{config.unsubscribe_url}?d={config.name}&t=PREVIEW"
    msg = build_message(issue, config, to=sample, unsubscribe=link, now=issue.built_at)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "html": out_dir / f"{name}-{issue.number:04d}.html",
        "text": out_dir / f"{name}-{issue.number:04d}.txt",
        "eml": out_dir / f"{name}-{issue.number:04d}.eml",
    }
    paths["html"].write_text(personalize(issue.html, sample.email, link, is_html=True), encoding="utf-8")
    paths["text"].write_text(personalize(issue.text, sample.email, link), encoding="utf-8")
    paths["eml"].write_bytes(msg.as_bytes())
    return paths
