"""The ``digest`` command: parses arguments, reads the clock and the environment, and hands
everything to ``digest.pipeline``.  User errors are printed without a traceback."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import webbrowser
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from digest import config as cfg
from digest import pipeline
from digest.errors import DigestError
from digest.scheduled_run import digest_lock
from digest.sources import FORMATS
from digest.send import delivery_settings
from digest.transport import OutboxTransport, SmtpTransport, tls_context


#: Modules under digest.commands that add their own subcommands (see digest/commands/__init__.py).
COMMAND_GROUPS: tuple[str, ...] = ("subscribers", "web", "evaluate", "schedule", "archive", "serve")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _workspace(args) -> pipeline.Workspace:
    return pipeline.Workspace(Path(args.config_dir), Path(args.state_dir), Path(args.archive_dir))


def _transport(args, env):
    if args.outbox:
        return OutboxTransport(Path(args.outbox))
    return SmtpTransport(cfg.smtp_settings(env), timeout=delivery_settings(env).timeout)


def _connections(args, env):
    """What a send delivers through: the outbox folder, or a factory opening SMTP connections."""
    if args.outbox:
        return OutboxTransport(Path(args.outbox))
    settings, timeout = cfg.smtp_settings(env), delivery_settings(env).timeout
    context = tls_context(settings) if settings.security != "plain" else None
    return lambda: SmtpTransport(settings, timeout=timeout, tls_context=context)


def cmd_import(args, env) -> int:
    from digest.sources.canonical import dumps

    thread = pipeline.import_source(args.source, args.format, _now(), args.thread, pipeline.http_cache(_workspace(args)), args.timezone)
    text = dumps(thread)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{args.source}: {len(thread.replies)} replies ({thread.source_format}) -> {args.output}", file=sys.stderr)
    for note in thread.import_notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def cmd_validate(args, env) -> int:
    from digest.issue import build_issue, prepare_thread
    from digest.render import html_size
    from digest.subscribers import load_subscribers

    ws = _workspace(args)
    names = args.names or [p.stem for p in cfg.digest_paths(ws.config_dir)]
    if not names:
        print(f"no digests defined in {ws.config_dir}", file=sys.stderr)
        return 1
    failures = 0
    for name in names:
        try:
            config = pipeline.load_digest(ws, name)
            threads = tuple(prepare_thread(t, config, i) for i, t in enumerate(pipeline.import_threads(config, _now(), pipeline.http_cache(ws))))
            issue = build_issue(config, threads, number=1, now=_now())  # selects, and fails when too big
            size = html_size(issue.html)
            listing = load_subscribers(config.subscribers)
        except DigestError as exc:
            failures += 1
            print(f"{name}: error: {exc}", file=sys.stderr)
            continue
        for problem in (*issue.warnings, *listing.problems):
            print(f"{name}: warning: {problem}", file=sys.stderr)
        for thread in threads:
            for note in thread.import_notes:
                print(f"{name}: note: {note}", file=sys.stderr)
        print(f"{name}: ok ({len(threads)} thread(s), {sum(len(t.replies) for t in threads)} replies, {len(listing.subscribers)} subscribers, HTML {size / 1000:.1f} KB)")
        if args.check_links:
            failures += _check_links(name, threads, args.max_links)
    return 1 if failures else 0


def _check_links(name: str, threads, limit: int) -> int:
    """Report source URLs and permalinks that no longer answer (the seed's URL had died)."""
    from digest.fetch import check_links

    urls = [t.url for t in threads if t.url] + [r.permalink for t in threads for r in t.replies if r.permalink]
    urls = list(dict.fromkeys(urls))
    if len(urls) > limit:
        print(f"{name}: checking the first {limit} of {len(urls)} links (raise --max-links to check more)")
    dead = [c for c in check_links(urls[:limit]) if not c.ok]
    for check in dead:
        print(f"{name}: dead link: {check.url}: {check.detail}", file=sys.stderr)
    print(f"{name}: {min(len(urls), limit) - len(dead)} of {min(len(urls), limit)} links answer")
    return 1 if dead else 0


def cmd_candidates(args, env) -> int:
    from digest.issue import prepare_thread, select_all, shown_title
    from digest.signals import own_text

    ws = _workspace(args)
    config = pipeline.load_digest(ws, args.name)
    threads = tuple(prepare_thread(t, config, i) for i, t in enumerate(pipeline.import_threads(config, _now())))
    for thread, selection in zip(threads, select_all(config, threads, pipeline.editor_history(ws, config, threads))):
        for warning in selection.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        replies = {r.id: r for r in thread.replies}
        picked = {p.reply_id: p.picked_by for p in selection.picks}
        count = len(thread.replies)
        print(f"{shown_title(thread)}: {count} repl{'y' if count == 1 else 'ies'}")
        print(f"{'rank':>4}  {'score':>6}  {'pick':<6}  {'id':<20} author / why")
        for rank, candidate in enumerate(selection.candidates[: args.limit], start=1):
            reply = replies[candidate.reply_id]
            why = ", ".join(f"{r.signal} {r.contribution:+.2f}" for r in candidate.reasons if r.contribution)
            status = picked.get(candidate.reply_id, "")
            if candidate.excluded_by:
                status = "excl."
                why += f" (excluded by {candidate.excluded_by!r})"
            elif candidate.skipped and not status:
                why += f" (passed over: {candidate.skipped})"
            number = f" #{reply.number}" if reply.number is not None else ""
            print(f"{rank:>4}  {candidate.score:6.2f}  {status:<6}  {candidate.reply_id:<20} {reply.author}{number}: {why}")
            print(f"{'':>40} {own_text(reply)[:70]}")  # the reply's own words, not the quote it opens with
        if len(selection.candidates) > args.limit:
            more = len(selection.candidates) - args.limit
            print(f"... and {more} more (--limit {len(selection.candidates)} shows them all)")
    return 0


def cmd_build(args, env) -> int:
    issue, folder = pipeline.build(_workspace(args), args.name, _now())
    for warning in issue.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"built {args.name} issue {issue.number}: {issue.subject!r}")
    print(f"  {folder}")
    return 0


def cmd_preview(args, env) -> int:
    from digest.render import HTML_LIMIT, html_size

    ws = _workspace(args)
    shown, paths = pipeline.preview(ws, args.name, Path(args.out), args.issue, _now())
    for warning in shown.issue.warnings:  # what `build` would say about this issue
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{args.name}: {shown.what}: {shown.issue.subject!r}")
    for kind, path in paths.items():
        print(f"{kind:>4}: {path}")
    print(f"HTML size: {html_size(shown.html) / 1000:.1f} KB of {HTML_LIMIT / 1000:.0f} KB (Gmail clips messages above about 102 KB)")
    if args.open:
        webbrowser.open(paths["html"].resolve().as_uri())
    return 0


def _print_report(report: pipeline.SendReport) -> int:
    print(
        f"sent {len(report.sent)}, failed {len(report.failed)}, skipped {len(report.skipped)} (already delivered)"
        + (f", {len(report.possible_duplicates)} possible duplicate(s)" if report.possible_duplicates else "")
        + (f", {len(report.problems)} subscriber row(s) skipped" if report.problems else "")
    )
    return 0 if report.ok else 1


@contextmanager
def _alone(ws: pipeline.Workspace, name: str):
    """Hold the digest's lock for a manual send: two senders of one issue would both mail the
    copies the ledger shows as not yet delivered."""
    with digest_lock(ws.state_dir, name) as locked:
        if not locked:
            raise DigestError(
                f"another run of {name} is in progress (the scheduler, `digest approve`, or another `digest send` / `digest run`)",
                fix="wait for it to finish (`digest status` lists runs), then send again: delivered copies are skipped",
            )
        yield


def cmd_send(args, env) -> int:
    ws = _workspace(args)
    transport = _transport(args, env) if args.test_to else None
    if args.test_to:
        pipeline.send_test(ws, args.name, transport, args.test_to, _now(), args.issue)
        print(f"test copy sent to {args.test_to}")
        return 0
    if args.dry_run:
        report = pipeline.send(ws, args.name, None, env, _now(), number=args.issue, dry_run=True)
        print("dry run: no SMTP transaction, nothing recorded in the ledger")
        return _print_report(report)
    with _alone(ws, args.name):
        return _print_report(pipeline.send(ws, args.name, _connections(args, env), env, _now(), number=args.issue))


def cmd_run(args, env) -> int:
    ws = _workspace(args)
    cfg.unsubscribe_secret(env)  # fail before building when sending cannot work
    connections = _connections(args, env)  # fail before building when SMTP is not configured
    with _alone(ws, args.name):
        issue, folder = pipeline.build(ws, args.name, _now(), scheduled=args.scheduled)
        for warning in issue.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(f"built {args.name} issue {issue.number}: {issue.subject!r} ({folder})")
        status = _print_report(pipeline.send(ws, args.name, connections, env, _now(), number=issue.number))
        archived = pipeline.archive(ws, args.name, _now(), issue.number)
    print(f"archived: {archived}")
    return status


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="digest", description="Turn long online discussions into curated email digests.")
    p.add_argument("--config-dir", default=os.environ.get("DIGEST_CONFIG_DIR", "config"), help="digest definitions (default: config)")
    p.add_argument("--state-dir", default=os.environ.get("DIGEST_STATE_DIR", "state"), help="built issues and the send ledger (default: state)")
    p.add_argument("--archive-dir", default=os.environ.get("DIGEST_ARCHIVE_DIR", "archive"), help="the archive (default: archive)")
    p.add_argument("--env-file", default=".env", help="file with SMTP settings and secrets (default: .env)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("import", help="import a discussion into canonical thread JSON")
    s.add_argument("source", help="file, folder or http(s) URL")
    s.add_argument("--format", default="auto", choices=["auto", *FORMATS], help="source format (default: recognise it)")
    s.add_argument("--thread", help="which thread, for sources that hold several")
    s.add_argument("--timezone", metavar="ZONE",
                   help="IANA zone (e.g. Europe/Berlin) that a copied comment page's times without a zone are in")
    s.add_argument("-o", "--output", required=True, help="where to write the JSON ('-' for stdout)")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("validate", help="check digest definitions, their sources, picks and subscribers")
    s.add_argument("names", nargs="*", help="digests to check (default: all in the config folder)")
    s.add_argument("--check-links", action="store_true", help="also report source URLs and permalinks that no longer answer")
    s.add_argument("--max-links", type=int, default=200, help="check at most this many links per digest (default 200)")
    s.set_defaults(func=cmd_validate)

    s = sub.add_parser("candidates", help="rank a digest's replies and show why")
    s.add_argument("name")
    s.add_argument("--limit", type=int, default=30)
    s.set_defaults(func=cmd_candidates)

    s = sub.add_parser("build", help="build the next issue (numbered, immutable)")
    s.add_argument("name")
    s.set_defaults(func=cmd_build)

    s = sub.add_parser("preview", help="write the next issue's HTML, text and .eml")
    s.add_argument("name")
    s.add_argument("--issue", type=int, help="issue number (default: the next issue: the latest built if not sent yet, else built in memory)")
    s.add_argument("--out", default="preview", help="output folder (default: preview)")
    s.add_argument("--open", action="store_true", help="open the HTML in a browser")
    s.set_defaults(func=cmd_preview)

    for command, func, text in (("send", cmd_send, "deliver a built issue"), ("run", cmd_run, "build, send and archive")):
        s = sub.add_parser(command, help=text)
        s.add_argument("name")
        s.add_argument("--outbox", help="write .eml files into this folder instead of using SMTP")
        if command == "send":
            s.add_argument("--issue", type=int, help="issue number (default: the latest built)")
            s.add_argument("--resume", action="store_true", help="resume an interrupted send (every send resumes: delivered copies are skipped)")
            s.add_argument("--test-to", metavar="ADDR", help="send one test copy to ADDR (kept out of ledger and archive)")
            s.add_argument("--dry-run", action="store_true", help="build, sign and count every copy without the SMTP transaction; the ledger is not written")
        else:
            s.add_argument("--scheduled", action="store_true", help="an unattended run: a pick whose reply vanished is left out with a warning instead of failing")
        s.set_defaults(func=func)

    common = {"now": _now, "workspace": _workspace, "transport": _transport}
    for group in COMMAND_GROUPS:
        importlib.import_module(f"digest.commands.{group}").register(sub, common)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    env = cfg.environment(Path(args.env_file))
    try:
        return args.func(args, env)
    except DigestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
