"""The delivery engine: several reused SMTP connections, a shared rate limit, retries with
backoff for temporary failures, and a ledger window that bounds what a crash can duplicate.

The calling thread owns the ledger.  It claims copies in batches (marked ``sending`` and
committed before any is handed to a connection) and records outcomes in the same
transactions.  Rows ``sending`` never exceed ``max_in_flight``: that is the most a SIGKILL
can leave unclear, and a resumed run reports each of them as a possible duplicate.
"""

from __future__ import annotations

import queue
import random
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Mapping, Protocol

from digest.config import DigestConfig
from digest.errors import ConfigError
from digest.issue import Issue
from digest.ledger import Claim, Ledger, Outcome
from digest.message import MessageTemplate, envelope_sender, subscriber_format, unsubscribe_url
from digest.progress import Progress
from digest.ratelimit import RateLimiter
from digest.subscribers import Subscriber
from digest.transport import ConnectFailed, DeliveryResult, DotStuffer, Prepared, Transport

Log = Callable[[str], None]
#: A connection whose reply has arrived gets the interpreter back within this many seconds
#: (Python's default, 5 ms, leaves connections idle while another thread builds messages).
SWITCH_INTERVAL = 0.0005


#: Claims are committed in batches of half the window: a larger window means fewer fsyncs
#: (a commit per 64 copies by default) but more possible duplicates after a crash.
IN_FLIGHT_PER_CONNECTION = 32


@dataclass(frozen=True)
class DeliverySettings:
    connections: int = 4
    max_in_flight: int = 4 * IN_FLIGHT_PER_CONNECTION  # copies ``sending`` at once: the most a crash can duplicate
    per_second: float | None = None
    per_hour: int | None = None
    attempts: int = 5  # per copy and run; temporary failures only
    retry_delay: float = 2.0  # first backoff in seconds; doubles each time, with jitter
    retry_max_delay: float = 120.0
    timeout: float = 60.0


_SETTINGS = {
    "DIGEST_SMTP_CONNECTIONS": ("connections", int, "number of SMTP connections used at once, e.g. 4"),
    "DIGEST_MAX_IN_FLIGHT": ("max_in_flight", int, "copies handed out but not yet recorded, e.g. 32"),
    "DIGEST_RATE_PER_SECOND": ("per_second", float, "messages per second, e.g. 10 or 0.5"),
    "DIGEST_RATE_PER_HOUR": ("per_hour", int, "messages per hour, e.g. 3600"),
    "DIGEST_SMTP_ATTEMPTS": ("attempts", int, "tries per copy for temporary failures, e.g. 5"),
    "DIGEST_SMTP_RETRY_DELAY": ("retry_delay", float, "first retry delay in seconds, e.g. 2"),
    "DIGEST_SMTP_TIMEOUT": ("timeout", float, "seconds to wait for the server, e.g. 60"),
}


def delivery_settings(env: Mapping[str, str]) -> DeliverySettings:
    """Engine settings from the environment (and .env); absent ones keep their defaults."""
    values: dict[str, object] = {}
    for variable, (field, kind, example) in _SETTINGS.items():
        text = (env.get(variable) or "").strip()
        if not text:
            continue
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value <= 0:
            raise ConfigError(f"{variable}={text!r} is not a positive {kind.__name__}", where="environment", fix=example)
        values[field] = value
    settings = DeliverySettings(**values)
    if "max_in_flight" not in values:
        settings = DeliverySettings(**{**values, "max_in_flight": settings.connections * IN_FLIGHT_PER_CONNECTION})
    if settings.max_in_flight < settings.connections:
        raise ConfigError(
            f"DIGEST_MAX_IN_FLIGHT={settings.max_in_flight} is below DIGEST_SMTP_CONNECTIONS={settings.connections}",
            where="environment", fix="allow at least one copy in flight per connection",
        )
    return settings


class Signer(Protocol):
    def signature(self, head: bytes, body: list[bytes]) -> bytes: ...


class Report(Protocol):
    sent: list[str]
    skipped: list[str]
    failed: list[tuple[str, int | None, str]]
    possible_duplicates: list[str]
    interrupted: bool


class _Results:
    """Outcomes from the connections to the calling thread, which is woken once a batch's
    worth has arrived rather than once per copy (each wake-up costs the connections the
    interpreter)."""

    def __init__(self) -> None:
        self._ready = threading.Condition(threading.Lock())
        self._items: list[tuple[_Copy, Outcome]] = []
        self._wanted = 0

    def put(self, item: tuple[_Copy, Outcome]) -> None:
        with self._ready:
            self._items.append(item)
            if len(self._items) >= self._wanted:
                self._ready.notify()

    def take(self, at_least: int) -> list[tuple[_Copy, Outcome]]:
        """Every outcome that has arrived, once there are at least ``at_least``."""
        with self._ready:
            self._wanted = at_least
            while len(self._items) < at_least:
                self._ready.wait()
            items, self._items, self._wanted = self._items, [], 0
            return items


@dataclass(frozen=True)
class _Copy:
    subscriber: Subscriber
    message_id: str
    unclear_before: bool  # still ``sending`` from a run that died


class Sender:
    """Delivers one issue; ``run`` returns once every claimed copy has an outcome recorded."""

    def __init__(
        self,
        issue: Issue,
        config: DigestConfig,
        secret: bytes,
        ledger: Ledger,
        connect: Callable[[], Transport],
        settings: DeliverySettings,
        *,
        now: datetime,
        log: Log,
        progress: Progress,
        stop: Callable[[], bool] | None = None,
        signer: Signer | None = None,
        limiter: RateLimiter | None = None,
    ):
        self.issue, self.config, self.secret = issue, config, secret
        self.ledger, self.connect, self.settings = ledger, connect, settings
        self.now, self.log, self.progress, self.stop = now, log, progress, stop or (lambda: False)
        self.signer = signer
        self.limiter = limiter or RateLimiter(settings.per_second, settings.per_hour)
        self.sender = envelope_sender(config)
        self.templates = {
            "html": MessageTemplate(issue, config, date=now),
            "text": MessageTemplate(issue, config, date=now, text_only=True),
        }
        self.stuffer = DotStuffer()  # the issue's body is dot-stuffed once, not per copy
        self.jobs: queue.SimpleQueue[_Copy | None] = queue.SimpleQueue()
        self.results = _Results()
        self.abort = threading.Event()
        self.fatal: Exception | None = None  # what stopped the send; raised once it has wound down

    # ------------------------------------------------------------------ the calling thread

    def run(self, subscribers: Iterable[Subscriber], report: Report) -> None:
        rows = self.ledger.rows(self.issue.digest, self.issue.number)
        pending: list[_Copy] = []
        for sub in subscribers:
            row = rows.get(sub.email.lower())
            if row and row.status == "sent":
                report.skipped.append(sub.email)
                continue
            if row and row.status == "failed":
                report.skipped.append(sub.email)
                self.log(f"not retried: {sub.email} was refused for good ({row.smtp_code} {row.detail})")
                continue
            unclear = bool(row and row.status == "sending")
            if unclear:
                report.possible_duplicates.append(sub.email)
                self.log(f"possible duplicate: {sub.email} was in flight when an earlier run stopped; sending again")
            pending.append(_Copy(sub, self.templates["html"].message_id(sub.email), unclear))
        pending.reverse()  # pop() from the end keeps the subscribers' order
        self.progress.start(len(pending))
        switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        workers = [threading.Thread(target=self._work, name=f"smtp-{i}", daemon=True) for i in range(min(self.settings.connections, max(1, len(pending))))]
        for worker in workers:
            worker.start()
        try:
            self._dispatch(pending, report)
        finally:
            for _ in workers:
                self.jobs.put(None)
            for worker in workers:
                worker.join()
            sys.setswitchinterval(switch)
            self.progress.finish()
        if self.fatal is not None:
            raise self.fatal

    def _dispatch(self, pending: list[_Copy], report: Report) -> None:
        window = self.settings.max_in_flight
        refill = max(1, window // 2)  # claim in batches: one commit (one fsync) per batch
        outstanding = 0  # claimed, outcome not yet committed: the rows left ``sending``
        while pending or outstanding:
            if pending and not report.interrupted and not self.abort.is_set() and self.stop():
                report.interrupted = True
                self.log("stopping: the remaining copies wait for the next run")
            claiming = bool(pending) and not report.interrupted and not self.abort.is_set()
            batch = min(refill, len(pending))
            # Wait for enough outcomes to claim a whole batch (or, at the end, for a batch of
            # outcomes): one transaction per batch, not one per copy.
            wanted = batch - (window - outstanding) if claiming else min(refill, outstanding)
            finished = self.results.take(max(0, wanted))
            room = window - outstanding + len(finished)
            claims = [pending.pop() for _ in range(min(room, len(pending)))] if claiming and room >= batch else []
            self.ledger.commit(
                self.issue.digest, self.issue.number,
                [outcome for _, outcome in finished],
                [Claim(c.subscriber.email, c.message_id) for c in claims],
                self.now,
            )
            outstanding += len(claims) - len(finished)
            for copy in claims:
                self.jobs.put(copy)
            for copy, outcome in finished:
                self._record(copy, outcome, report)
            if finished:
                self.progress.advance(len(finished))
            if (report.interrupted or self.abort.is_set()) and not outstanding:
                break

    def _record(self, copy: _Copy, outcome: Outcome, report: Report) -> None:
        email = copy.subscriber.email
        if outcome.possible_duplicate and not copy.unclear_before:
            report.possible_duplicates.append(email)
            self.log(f"possible duplicate: {email}: the connection was lost after the whole message was sent; tried again")
        if outcome.status == "sent":
            report.sent.append(email)
            return
        report.failed.append((email, outcome.smtp_code, outcome.detail))
        reply = f"{outcome.smtp_code} {outcome.detail}" if outcome.smtp_code else outcome.detail
        later = "refused for good" if outcome.status == "failed" else "the next run retries it"
        self.log(f"FAILED {email}: {reply} ({later})")

    # ------------------------------------------------------------------ the connections

    def _work(self) -> None:
        transport: Transport | None = None
        ahead: list[_Copy | None] = []  # the next copy, taken from the queue to be announced early
        try:
            while (copy := (ahead.pop() if ahead else self.jobs.get())) is not None:
                try:
                    if self.abort.is_set():
                        outcome = self._outcome(copy, "deferred", None, f"not attempted: {self.fatal}", 0)
                    else:
                        if transport is None:
                            transport = self.connect()
                            if hasattr(transport, "announcer"):
                                transport.announcer = lambda: self._announce(ahead)
                        outcome = self._deliver(transport, copy, ahead)
                except Exception as exc:  # a fault here must not leave the send waiting forever
                    self._fail(exc)
                    outcome = self._outcome(copy, "deferred", None, f"not attempted: {exc}", 0)
                self.results.put((copy, outcome))
        finally:
            if transport is not None:
                transport.close()

    def _announce(self, ahead: list[_Copy | None]) -> tuple[str, str] | None:
        """The next copy's envelope, to go out with this copy's end of data (PIPELINING):
        taken from the queue (every copy there is already claimed, so the window holds), and
        only without a rate limit (its token would be taken before its turn)."""
        if ahead or self.abort.is_set() or self.limiter.windows:
            return None
        try:
            copy = self.jobs.get_nowait()
        except queue.Empty:
            return None
        ahead.append(copy)
        return None if copy is None else (self.sender, copy.subscriber.email)

    def _message(self, sub: Subscriber) -> Prepared:
        head, body = self.templates[subscriber_format(sub)].render_split(sub, unsubscribe_url(self.config, self.secret, sub.email))
        signature = self.signer.signature(head, body) if self.signer else b""
        return self.stuffer.prepare([signature, head, b"\r\n", *body])

    def _deliver(self, transport: Transport, copy: _Copy, ahead: list[_Copy | None] | None = None) -> Outcome:
        """Up to ``attempts`` tries; 4xx, lost connections and timeouts wait and retry, 5xx
        ends it.  A connection that cannot be opened for good stops the whole send.  A next
        copy taken to be announced goes back to the queue before a wait (a failed try has
        ended its announced transaction), so another connection sends it meanwhile."""
        message = self._message(copy.subscriber)
        recipient = copy.subscriber.email
        tries, unclear = 0, False
        last: DeliveryResult | ConnectFailed | None = None
        for attempt in range(self.settings.attempts):
            if attempt:
                if ahead:
                    self.jobs.put(ahead.pop())
                self.abort.wait(self._backoff(attempt))
                if self.abort.is_set():
                    break
            self.limiter.acquire()
            try:
                result = transport.deliver(self.sender, recipient, message)
            except ConnectFailed as exc:
                last = exc
                if not exc.temporary:
                    self._fail(exc)
                    break
                continue
            tries += 1
            unclear = unclear or result.ambiguous
            if result.ok:
                return self._outcome(copy, "sent", result.code, result.detail, tries, unclear)
            last = result
            if result.permanent:
                return self._outcome(copy, "failed", result.code, result.detail, tries, unclear)
        if isinstance(last, ConnectFailed):
            self._fail(last)
            return self._outcome(copy, "deferred", None, last.message, tries, unclear)
        code, detail = (last.code, last.detail) if last else (None, "not attempted")
        return self._outcome(copy, "deferred", code, f"{detail} (after {tries} tries)", tries, unclear)

    def _outcome(self, copy: _Copy, status: str, code: int | None, detail: str, tries: int, unclear: bool = False) -> Outcome:
        return Outcome(copy.subscriber.email, status, code, detail, tries, unclear or copy.unclear_before)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.settings.retry_max_delay, self.settings.retry_delay * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)

    def _fail(self, exc: Exception) -> None:
        if self.fatal is None:
            self.fatal = exc
            self.log(f"error: {exc}")
        self.abort.set()


def connector(transport, settings: DeliverySettings, *, dry_run: bool = False) -> tuple[Callable[[], Transport], DeliverySettings]:
    """How the engine opens connections: a factory gets one per connection; a single
    Transport object (an outbox folder) is used alone; a dry run gets no connection at all."""
    from dataclasses import replace

    from digest.transport import NullTransport

    if dry_run:
        return NullTransport, replace(settings, per_second=None, per_hour=None)
    if hasattr(transport, "deliver"):
        return (lambda: transport), replace(settings, connections=1)
    return transport, settings
