"""`digest schedule` (the long-lived scheduler), `digest status` and `digest approve`."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from digest import config as cfg
from digest import pipeline
from digest.errors import ConfigError, DigestError, StateError
from digest.runs import Result, Run, RunHistory
from digest.scheduled_run import RunContext, awaits_approval, describe, pending_issue, run_digest


def register(subparsers, common) -> None:
    s = subparsers.add_parser("schedule", help="run every scheduled digest on its cron schedule until stopped")
    s.add_argument("--outbox", help="write .eml files into this folder instead of using SMTP")
    s.set_defaults(func=lambda args, env: cmd_schedule(args, env, common))

    s = subparsers.add_parser("status", help="per digest: next run, last run and its result, last error")
    s.add_argument("names", nargs="*", help="digests to show (default: all)")
    s.set_defaults(func=lambda args, env: cmd_status(args, env, common))

    s = subparsers.add_parser("approve", help="send the issue a scheduled run built and left waiting for approval")
    s.add_argument("name")
    s.add_argument("--outbox", help="write .eml files into this folder instead of using SMTP")
    s.set_defaults(func=lambda args, env: cmd_approve(args, env, common))


def _scheduled_configs(ws: pipeline.Workspace) -> list[cfg.DigestConfig]:
    """Every digest with a schedule; a broken definition stops the start (fix it first)."""
    configs = [pipeline.load_digest(ws, p.stem) for p in cfg.digest_paths(ws.config_dir)]
    return [c for c in configs if c.schedule.cron]


RELOAD_SECONDS = 2.0  # how often `digest schedule` looks for edited definitions


def reload_definitions(ws: pipeline.Workspace, service, log: logging.Logger) -> None:
    """Apply edited definitions to a running scheduler: new and changed schedules take effect,
    a removed definition or schedule loses its job.  A definition that no longer loads keeps
    its last good schedule (its runs report the error) and the error is logged."""
    configs = {}
    for path in cfg.digest_paths(ws.config_dir):
        try:
            configs[path.stem] = pipeline.load_digest(ws, path.stem)
        except DigestError as exc:
            log.error("%s: definition not reloaded (%s); its last good schedule stays", path.stem, " ".join(str(exc).split()))
            if path.stem in service.configs:
                configs[path.stem] = service.configs[path.stem]
    changed, removed = service.reload(configs.values())
    for name in removed:
        log.info("%s: no longer scheduled", name)
    for name, when in service.next_run_times().items():
        if name in changed:
            log.info("%s: schedule now %r, next run %s", name, service.configs[name].schedule.cron, _local(when, service.configs[name].timezone))


def _transport_factory(args, env, common):
    common["transport"](args, env)  # settings checked now, not at the first run
    return lambda: common["transport"](args, env)


def cmd_schedule(args, env, common) -> int:
    from digest.schedule import ScheduleService  # APScheduler and SQLAlchemy load only here

    ws = common["workspace"](args)
    configs = _scheduled_configs(ws)
    if not configs:
        raise ConfigError("no digest has a schedule", where=str(ws.config_dir), fix="add schedule = \"0 8 * * MON\" to a digest's [digest] table")
    cfg.unsubscribe_secret(env)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout, force=True)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    log = logging.getLogger("digest.schedule")

    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda signum, frame: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    service = ScheduleService(ws, env, _transport_factory(args, env, common))
    try:
        stamp = cfg.definitions_stamp(ws.config_dir)
        service.start(configs)
        for name, when in service.next_run_times().items():
            log.info("%s: next run %s", name, _local(when, service.configs[name].timezone))
        while not stop.wait(RELOAD_SECONDS):
            if (now := cfg.definitions_stamp(ws.config_dir)) != stamp:
                stamp = now
                try:
                    reload_definitions(ws, service, log)
                except Exception:  # a long-running scheduler goes on with the jobs it has
                    log.exception("reloading the definitions failed; the jobs stay as they were")
        log.info("stopping: no new run starts; a send in progress stops after its current message")
    finally:
        service.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("stopped")
    return 0


def cmd_approve(args, env, common) -> int:
    ws = common["workspace"](args)
    config = pipeline.load_digest(ws, args.name)
    number = pending_issue(ws, args.name)
    with RunHistory(ws.state_dir) as history:
        if number is None or not awaits_approval(history, config, number):
            raise StateError(f"no issue of {args.name!r} is waiting for approval", where=str(ws.state_dir), fix="`digest status` shows each digest's last run")
    print(f"approved issue {number} of {args.name}: sending")
    ctx = RunContext(ws, env, _transport_factory(args, env, common), common["now"], log=print)
    result = run_digest(ctx, args.name, "approve")
    return 0 if result.status == "sent" and not result.failed else 1


def cmd_status(args, env, common) -> int:
    from digest.schedule import stored_next_runs

    ws = common["workspace"](args)
    next_runs = stored_next_runs(ws.state_dir)
    names = args.names or [p.stem for p in cfg.digest_paths(ws.config_dir)]
    broken = 0
    with RunHistory(ws.state_dir) as history:
        for name in names:
            try:
                config = pipeline.load_digest(ws, name)
            except DigestError as exc:  # one broken definition does not hide the others
                broken += 1
                print(f"{name}: error: {' '.join(str(exc).split())}")
                continue
            print(status_line(config, next_runs.get(name), history.last(name), history.last_error(name), common["now"]()))
    return 1 if broken else 0


def status_line(config: cfg.DigestConfig, next_run: datetime | None, last: Run | None, error: Run | None, now: datetime) -> str:
    """Everything an operator needs about one digest, on one line."""
    if not config.schedule.cron:
        upcoming = "not scheduled"
    elif next_run is None:
        upcoming = f"{config.schedule.cron!r}, scheduler not started yet"
    else:
        upcoming = _local(next_run, config.timezone) + (" (overdue: is `digest schedule` running?)" if next_run < now else "")
    parts = [f"{config.name}: next {upcoming}"]
    if last is None:
        parts.append("last run: never")
    else:
        started = _local(datetime.fromisoformat(last.started_at), config.timezone)
        result = Result(last.status, last.issue, last.sent, last.failed, last.skipped, last.detail)
        parts.append(f"last run {started} ({last.kind}): {describe(result)}")
    if error is None:
        parts.append("last error: none")
    else:
        parts.append(f"last error {_local(datetime.fromisoformat(error.started_at), config.timezone)}: {error.error}")
    return " | ".join(parts)


def _local(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "none"
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z" if moment.second else "%Y-%m-%d %H:%M %Z")
