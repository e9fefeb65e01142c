"""The long-lived scheduler behind `digest schedule`: one APScheduler job per scheduled digest.

Jobs live in a SQLite job store in the state folder, so the next run time survives a
restart: a run that fell due while the scheduler was down runs once when it comes back
(coalesced, within the digest's grace time), and a digest never runs twice at once
(max_instances=1, and a lock per digest).  A run a shutdown interrupted resumes on the next
start from the send ledger.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Mapping

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from digest.config import DigestConfig
from digest.cron import cron_trigger
from digest.pipeline import Workspace
from digest.runs import Result, RunHistory
from digest.scheduled_run import RunContext, describe, needs_notice, notify, pending_issue, run_digest
from digest.transport import Transport

logger = logging.getLogger("digest.schedule")

JOBSTORE_FILE = "schedule.sqlite"
JOB_PREFIX = "digest:"

#: The service running in this process.  The job store keeps a reference to the module-level
#: functions below, never to an object, so jobs stored by an earlier process still run.
_service: ScheduleService | None = None


def scheduled_job(name: str) -> None:
    """The function every stored job calls."""
    service = _service
    if service is not None and not service.stopping.is_set():
        service.run(name, "scheduled")


def resume_job(name: str) -> None:
    service = _service
    if service is not None and not service.stopping.is_set():
        service.run(name, "resume")


def job_id(name: str) -> str:
    return JOB_PREFIX + name


def job_spec(config: DigestConfig) -> str:
    """What a job was made from; a job whose spec changed is replaced (and its missed run dropped)."""
    return f"{config.name}: {config.schedule.cron} ({config.timezone})"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ScheduleService:
    def __init__(
        self,
        ws: Workspace,
        env: Mapping[str, str],
        transport: Callable[[], Transport],
        *,
        clock: Callable[[], datetime] = utc_now,
        workers: int = 4,
    ):
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore  # SQLAlchemy is slow to import

        self.stopping = threading.Event()
        self.ctx = RunContext(ws, env, transport, clock, self.stopping.is_set)
        self.configs: dict[str, DigestConfig] = {}
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{jobstore_path(ws.state_dir)}"), "transient": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(workers)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=timezone.utc,
        )
        self.scheduler.add_listener(self._missed, EVENT_JOB_MISSED)

    def start(self, configs: Iterable[DigestConfig]) -> None:
        """Bring the stored jobs in line with the configs, queue interrupted runs, then go."""
        global _service
        if _service is not None and _service is not self:
            raise RuntimeError("a scheduler is already running in this process")
        _service = self
        self.configs = {c.name: c for c in configs if c.schedule.cron}
        self.ctx.ws.state_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.scheduler.start(paused=True)
            sync_jobs(self.scheduler, self.configs.values())
            self._queue_resumes()
            self.scheduler.resume()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """No new run starts; a running send stops between two messages; then return."""
        global _service
        self.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if _service is self:
            _service = None

    def reload(self, configs: Iterable[DigestConfig]) -> tuple[list[str], list[str]]:
        """Bring the jobs in line with edited definitions while running.  Returns the digests
        whose job was added or changed, and those no longer scheduled."""
        new = {c.name: c for c in configs if c.schedule.cron}
        old, self.configs = self.configs, new
        sync_jobs(self.scheduler, new.values())
        changed = [n for n, c in new.items() if n not in old or (job_spec(c), c.schedule.grace_minutes) != (job_spec(old[n]), old[n].schedule.grace_minutes)]
        return sorted(changed), sorted(old.keys() - new.keys())

    def run(self, name: str, kind: str) -> Result:
        return run_digest(self.ctx, name, kind)

    def next_run_times(self) -> dict[str, datetime | None]:
        return {name: (job.next_run_time if (job := self.scheduler.get_job(job_id(name))) else None) for name in self.configs}

    def _queue_resumes(self) -> None:
        """A run that was interrupted (or died) half-way goes on now, unless its digest's
        scheduled run is due anyway (that run finishes the issue first)."""
        now = self.ctx.clock()
        with RunHistory(self.ctx.ws.state_dir) as history:
            for name in self.configs:
                last = history.last(name)
                if last is None or last.status not in ("interrupted", "running") or pending_issue(self.ctx.ws, name) is None:
                    continue
                job = self.scheduler.get_job(job_id(name))
                if job is not None and job.next_run_time is not None and job.next_run_time <= now:
                    continue
                self.scheduler.add_job(resume_job, "date", run_date=now, args=[name], id=f"resume:{name}", jobstore="transient", misfire_grace_time=None, replace_existing=True)

    def _missed(self, event: JobExecutionEvent) -> None:
        name = event.job_id.removeprefix(JOB_PREFIX)
        config = self.configs.get(name)
        if config is None:
            return
        due = event.scheduled_run_time.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        result = Result("skipped", detail=f"missed the run due {due}: the scheduler was down for longer than the grace time ({config.schedule.grace_minutes} min)")
        with RunHistory(self.ctx.ws.state_dir) as history:
            history.record(name, "missed", result, self.ctx.clock())
        self.ctx.log(f"{name}: {describe(result)}")
        if needs_notice(result):
            notify(self.ctx, config, f"{name}: {describe(result)}")


def jobstore_path(state_dir: Path) -> Path:
    return Path(state_dir).resolve() / JOBSTORE_FILE


def sync_jobs(scheduler: BackgroundScheduler, configs: Iterable[DigestConfig]) -> None:
    """One job per scheduled digest.  An unchanged job is kept as stored, so a run missed
    while the scheduler was down is still due; a changed one is replaced."""
    wanted = {job_id(c.name): c for c in configs}
    for job in scheduler.get_jobs(jobstore="default"):
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            scheduler.remove_job(job.id, jobstore="default")
    for jid, config in wanted.items():
        grace = config.schedule.grace_minutes * 60
        existing = scheduler.get_job(jid, jobstore="default")
        if existing is not None and existing.name == job_spec(config):
            if existing.misfire_grace_time != grace:
                scheduler.modify_job(jid, jobstore="default", misfire_grace_time=grace)
            continue
        scheduler.add_job(
            scheduled_job,
            cron_trigger(config.schedule.cron, config.timezone),
            args=[config.name],
            id=jid,
            name=job_spec(config),
            jobstore="default",
            replace_existing=True,
            misfire_grace_time=grace,
            coalesce=True,
            max_instances=1,
        )


def stored_next_runs(state_dir: Path) -> dict[str, datetime | None]:
    """Next run time per digest as the job store has it (for `digest status`, without
    starting a scheduler); empty when the scheduler has never run."""
    path = jobstore_path(state_dir)
    if not path.is_file():
        return {}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT id, next_run_time FROM apscheduler_jobs").fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        db.close()
    return {
        jid.removeprefix(JOB_PREFIX): (datetime.fromtimestamp(ts, timezone.utc) if ts is not None else None)
        for jid, ts in rows
        if jid.startswith(JOB_PREFIX)
    }
