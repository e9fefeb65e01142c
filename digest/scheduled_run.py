"""One unattended run of a digest, as `digest schedule` (and `digest approve`) perform it.

A run first finishes what an earlier one left: a built issue that is not archived yet is sent
(the ledger skips delivered copies) and archived, never rebuilt.  Otherwise it imports every
source (one that fails is reported by name and left out), skips the run when too little is
new, builds, sends and archives.  Every outcome goes into the run history, and the editor's
``notify`` address hears about failures, skips and missing sources.
"""

from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Callable, Iterator, Mapping

from digest import pipeline
from digest.archive import archived_numbers, featured_before, last_issue_time
from digest.config import DigestConfig, ThreadSource
from digest.errors import DigestError, EmptyIssue
from digest.issue import IssueStore
from digest.message import envelope_sender
from digest.model import Thread
from digest.runs import Result, RunHistory
from digest.transport import Transport

logger = logging.getLogger("digest.schedule")

KINDS = ("scheduled", "resume", "approve")


@dataclass(frozen=True)
class RunContext:
    """What a run needs from the outside world."""

    ws: pipeline.Workspace
    env: Mapping[str, str]
    transport: Callable[[], Transport]  # opens one connection (a send may open several)
    clock: Callable[[], datetime]
    stop: Callable[[], bool] = lambda: False  # asked between messages
    log: Callable[[str], None] = logger.info


def run_digest(ctx: RunContext, name: str, kind: str = "scheduled") -> Result:
    """Run one digest once and record the outcome; never raises for a failed run."""
    assert kind in KINDS
    config: DigestConfig | None = None
    with RunHistory(ctx.ws.state_dir) as history, digest_lock(ctx.ws.state_dir, name) as locked:
        if not locked:
            result = Result("skipped", detail=f"another run of {name} is still in progress")
            history.record(name, kind, result, ctx.clock())
        else:
            run_id = history.start(name, kind, ctx.clock())
            try:
                config = pipeline.load_digest(ctx.ws, name)
                result = _run(ctx, config, history, kind)
            except DigestError as exc:
                result = Result("failed", error=str(exc))
            except Exception as exc:  # a run must be recorded whatever went wrong
                logger.exception("run of %s failed", name)
                result = Result("failed", error=f"{type(exc).__name__}: {exc}")
            history.finish(run_id, result, ctx.clock())
    ctx.log(f"{name}: {describe(result)}")
    if config is not None and needs_notice(result):
        notify(ctx, config, f"{name}: {describe(result)}")
    return result


def describe(result: Result) -> str:
    """One line for logs, notices and `digest status`."""
    text = result.status + (f" issue {result.issue}" if result.issue is not None else "")
    if result.status in ("sent", "interrupted"):
        text += f" (sent {result.sent}, failed {result.failed}, already delivered {result.skipped})"
    for part in (result.detail, result.error):
        if part:
            text += f"; {' '.join(part.split())}"
    return text


def needs_notice(result: Result) -> bool:
    """Failures, skips and missing sources; and an issue waiting for the editor's approval."""
    return result.status in ("failed", "skipped", "awaiting approval") or bool(result.error)


# ------------------------------------------------------------------------------ the run itself

def _run(ctx: RunContext, config: DigestConfig, history: RunHistory, kind: str) -> Result:
    name, now = config.name, ctx.clock()
    pending = pending_issue(ctx.ws, name)
    if pending is not None:
        waiting = awaits_approval(history, config, pending)
        if waiting and kind == "resume":
            return Result("awaiting approval", pending, detail=f"waiting for `digest approve {name}`")
        if waiting and kind == "approve":
            history.set_approval(name, pending, "approved", now)
            detail = "approved by the editor"
        elif waiting:
            detail = "sent without approval: the next run's deadline was reached"
        else:
            detail = "finished an issue an earlier run had built"
        return deliver(ctx, config, pending, detail)
    if kind == "approve":
        raise DigestError(f"no issue of {name!r} is waiting for approval", where=str(ctx.ws.state_dir), fix="`digest status` shows each digest's last run")
    if kind == "resume":
        return Result("skipped", detail="nothing left to resume")

    working, threads, problems = import_available(ctx.ws, config, now)
    missing = "; ".join(problems) or None
    if not threads:
        return Result("failed", error=f"no source could be imported: {missing}")
    known = featured_before(ctx.ws.archive_dir, name) | history.seen(name)
    new = count_new(threads, known, last_issue_time(ctx.ws.archive_dir, name))
    if new < config.schedule.min_new:
        reply_word = "reply" if new == 1 else "replies"
        return Result("skipped", detail=f"only {new} new {reply_word} since the last issue (min_new = {config.schedule.min_new})", error=missing)
    try:
        issue, _ = pipeline.build(ctx.ws, name, now, scheduled=True, imported=(working, threads))
    except EmptyIssue as exc:  # new replies, but none worth featuring ("Thanks!", "+1")
        return Result("skipped", detail=f"{new} new {'reply' if new == 1 else 'replies'}: " + " ".join(exc.message.split()), error=missing)
    history.record_seen(name, issue.number, ((t.id, r.id) for t in threads for r in t.replies))
    if config.schedule.approval:
        history.set_approval(name, issue.number, "waiting", now)
        return Result("awaiting approval", issue.number, detail=f"built with {new} new replies; send it with `digest approve {name}`", error=missing)
    return deliver(ctx, config, issue.number, f"{new} new replies", missing)


def deliver(ctx: RunContext, config: DigestConfig, number: int, detail: str, error: str | None = None) -> Result:
    """Send a built issue (resuming from the ledger), then archive it unless interrupted."""
    report = pipeline.send(ctx.ws, config.name, ctx.transport, ctx.env, ctx.clock(), number=number, log=ctx.log, stop=ctx.stop)
    counts = {"sent": len(report.sent), "failed": len(report.failed), "skipped": len(report.skipped)}
    if report.interrupted:
        return Result("interrupted", number, **counts, detail="stopped between messages; the rest goes on the next start", error=error)
    pipeline.archive(ctx.ws, config.name, ctx.clock(), number)
    if report.failed:
        email, code, text = report.failed[0]
        failure = f"{len(report.failed)} cop{'y' if len(report.failed) == 1 else 'ies'} failed, first {email}: {code or ''} {text}"
        error = f"{error}; {failure}" if error else failure
    return Result("sent", number, **counts, detail=detail, error=error)


def awaits_approval(history: RunHistory, config: DigestConfig, number: int) -> bool:
    """Built under ``approval = true`` and not approved yet (also when a run died between
    building the issue and recording that it waits)."""
    state = history.approval(config.name, number)
    return state == "waiting" or (state is None and config.schedule.approval)


def pending_issue(ws: pipeline.Workspace, name: str) -> int | None:
    """The latest built issue when it has not been archived yet (its run did not finish)."""
    numbers = IssueStore(ws.state_dir).numbers(name)
    if not numbers or numbers[-1] in archived_numbers(ws.archive_dir, name):
        return None
    return numbers[-1]


def import_available(ws: pipeline.Workspace, config: DigestConfig, now: datetime) -> tuple[DigestConfig, tuple[Thread, ...], list[str]]:
    """Import each source on its own: the config and threads of those that worked, and one
    line per source that failed, naming it and saying why."""
    cache = pipeline.http_cache(ws)
    working: list[ThreadSource] = []
    threads: list[Thread] = []
    problems: list[str] = []
    for source in config.threads:
        try:
            threads.append(pipeline.import_source(source.source, source.format, now, source.thread, cache))
            working.append(source)
        except (DigestError, OSError, ValueError) as exc:
            problems.append(f"source {source_name(source)} failed: {' '.join(str(exc).split())}")
    return replace(config, threads=tuple(working)), tuple(threads), problems


def source_name(source: ThreadSource) -> str:
    if source.title:
        return repr(source.title)
    return source.source if source.source.startswith(("http://", "https://")) else repr(Path(source.source).name)


def count_new(threads: tuple[Thread, ...], known: set[tuple[str, str]], since: datetime | None) -> int:
    """Replies no earlier issue featured or saw; a reply with a time must also be younger
    than the last issue (a source added later does not make old replies new)."""
    return sum(
        1
        for thread in threads
        for reply in thread.replies
        if (thread.id, reply.id) not in known and (since is None or reply.posted_at is None or reply.posted_at > since)
    )


# ------------------------------------------------------------------------------ edges

@contextmanager
def digest_lock(state_dir: Path, name: str) -> Iterator[bool]:
    """True while this process holds the digest's lock: one run of a digest at a time, also
    across processes (a manual `digest approve` and the scheduler)."""
    folder = Path(state_dir) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def notify(ctx: RunContext, config: DigestConfig, line: str) -> None:
    """A one-line mail to the digest's ``notify`` address; a failure here is only logged."""
    if not config.schedule.notify:
        return
    msg = EmailMessage(policy=SMTP)
    msg["From"] = config.sender
    msg["To"] = config.schedule.notify
    msg["Subject"] = f"[{config.title}] {line}"[:200]
    msg["Date"] = format_datetime(ctx.clock())
    msg["Message-ID"] = make_msgid(domain=envelope_sender(config).rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(line + "\n")
    transport = ctx.transport()
    try:
        result = transport.deliver(envelope_sender(config), config.schedule.notify, msg.as_bytes())
        if not result.ok:
            logger.warning("notice to %s failed: %s %s", config.schedule.notify, result.code or "", result.detail)
    except DigestError as exc:
        logger.warning("notice to %s failed: %s", config.schedule.notify, exc)
    finally:
        transport.close()
