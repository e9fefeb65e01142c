"""``digest subscribers add/remove/list/import``: the editor's side of the subscriber store."""

from __future__ import annotations

from pathlib import Path

from digest import pipeline
from digest.config import DigestConfig
from digest.errors import ConfigError
from digest.bounces import DELAYED, SOFT_DAYS, read_report
from digest.mailboxes import read_messages
from digest.subscribers import FORMATS, STATUSES, Subscriber, SubscriberStore, apply_bounces, read_csv, store_path, sync_seed, valid_address


def register(subparsers, common) -> None:
    group = subparsers.add_parser("subscribers", help="add, remove, list and import a digest's subscribers")
    sub = group.add_subparsers(dest="subscribers_command", required=True)

    s = sub.add_parser("add", help="subscribe an address to a digest")
    s.add_argument("name", help="the digest")
    s.add_argument("address")
    s.add_argument("--name", dest="display_name", metavar="TEXT", default="", help="the subscriber's name")
    s.add_argument("--format", choices=FORMATS, help="html (HTML and text, the default) or text (text only)")
    s.add_argument("--resubscribe", action="store_true", help="re-activate an address that unsubscribed or bounced (only when its owner asked)")
    s.set_defaults(func=lambda args, env: cmd_add(args, common))

    s = sub.add_parser("remove", help="unsubscribe an address from a digest (kept as unsubscribed)")
    s.add_argument("name", help="the digest")
    s.add_argument("address")
    s.add_argument("--bouncing", action="store_true", help="mark the address as bouncing instead")
    s.set_defaults(func=lambda args, env: cmd_remove(args, common))

    s = sub.add_parser("list", help="a digest's subscribers with their status and its last change")
    s.add_argument("name", nargs="?", help="the digest (default: every digest in the store)")
    s.add_argument("--status", choices=STATUSES, help="only this status")
    s.set_defaults(func=lambda args, env: cmd_list(args, common))

    s = sub.add_parser("import", help="add the addresses of a CSV file (email,name[,format]) to a digest")
    s.add_argument("name", help="the digest")
    s.add_argument("csv", help="CSV file with an 'email' column")
    s.set_defaults(func=lambda args, env: cmd_import(args, common))

    s = sub.add_parser("bounces", help="read bounce reports (mbox, Maildir, a message file or - for stdin) and suspend addresses that cannot be reached")
    s.add_argument("sources", nargs="+", metavar="SOURCE", help="an mbox file, a Maildir folder, one message file, or - (one message on stdin)")
    s.add_argument("--soft-days", type=int, default=SOFT_DAYS, metavar="N", help=f"suspend after soft bounces on N different days within 30 days (default {SOFT_DAYS})")
    s.set_defaults(func=lambda args, env: cmd_bounces(args, common))


def _open(args, common) -> tuple[DigestConfig | None, SubscriberStore]:
    """The named digest (which must exist) and the store."""
    ws = common["workspace"](args)
    config = pipeline.load_digest(ws, args.name) if args.name else None
    return config, SubscriberStore(store_path(ws.state_dir))


def _address(text: str) -> str:
    try:
        return valid_address(text)
    except ValueError as exc:
        raise ConfigError(str(exc), where="command line", fix="give a full address such as ada@example.org") from None


def cmd_add(args, common) -> int:
    row = Subscriber(_address(args.address), args.display_name, args.format or "html")
    _, store = _open(args, common)
    with store:
        outcome = store.subscribe(args.name, row, common["now"](), "added by the editor (cli)", keep_format=args.format is None, resubscribe=args.resubscribe)
    if outcome in ("unsubscribed", "bouncing"):
        print(f"{row.email} is {outcome} from {args.name}: not changed (add --resubscribe only when its owner asked)")
        return 1
    print({"added": "added", "already": "already subscribed (name and format updated)", "resubscribed": "resubscribed"}[outcome] + f": {row.email} to {args.name}")
    return 0


def cmd_remove(args, common) -> int:
    email = _address(args.address)
    _, store = _open(args, common)
    status, how = ("bouncing", "marked bouncing by the editor (cli)") if args.bouncing else ("unsubscribed", "removed by the editor (cli)")
    with store:
        known = store.get(args.name, email)
        changed = (store.mark_bouncing if args.bouncing else store.unsubscribe)(args.name, email, common["now"](), how)
    if known is None:
        print(f"{email} was not subscribed to {args.name}; recorded as {status} so no seed list adds it")
    else:
        print(f"{email}: {status} from {args.name}" if changed else f"{email} was already {status} from {args.name}")
    return 0


def cmd_list(args, common) -> int:
    config, store = _open(args, common)
    with store:
        if config:  # show what the next send would see: the seed list's new addresses too
            for problem in sync_seed(store, config, common["now"]()):
                print(f"warning: {problem}")
        rows = store.subscriptions(args.name, args.status)
    for s in rows:
        state = s.status + (f" (paused until {s.paused_until:%Y-%m-%d})" if s.paused_until else "")
        name = f" ({s.subscriber.name})" if s.subscriber.name else ""
        print(f"{s.digest}\t{s.subscriber.email}{name}\t{s.subscriber.format}\t{state}\t{s.changed_at:%Y-%m-%d %H:%M} {s.changed_how}")
    counts = {status: sum(1 for s in rows if s.status == status) for status in STATUSES}
    print(f"{len(rows)} subscription(s): " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    return 0


def cmd_import(args, common) -> int:
    rows, problems = read_csv(Path(args.csv))
    _, store = _open(args, common)
    now, how = common["now"](), f"imported from {Path(args.csv).name}"
    outcomes: dict[str, int] = {}
    with store, store.batch():
        for row in rows:
            outcome = store.subscribe(args.name, row.subscriber, now, f"{how}:{row.line}", keep_format=not row.has_format)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if outcome in ("unsubscribed", "bouncing"):
                problems.append((row.line, f"{args.csv}:{row.line}: skipped: {row.subscriber.email} is {outcome} (only its owner can resubscribe)"))
    for _, problem in sorted(problems):
        print(f"warning: {problem}")
    print(f"{args.name}: {outcomes.get('added', 0)} added, {outcomes.get('already', 0)} already subscribed, {len(problems)} row(s) skipped")
    return 0


def cmd_bounces(args, common) -> int:
    if args.soft_days < 1:
        raise ConfigError(f"--soft-days must be 1 or more, not {args.soft_days}", where="command line", fix="e.g. --soft-days 3")
    now = common["now"]()
    messages = reports = 0
    bounces = []
    for source in args.sources:
        for ref, msg in read_messages(source):
            messages += 1
            found = read_report(msg, ref, now)
            reports += bool(found)
            bounces.extend(found)
    ws = common["workspace"](args)
    with SubscriberStore(store_path(ws.state_dir)) as store:
        outcomes = apply_bounces(store, bounces, now, args.soft_days)
    for o in outcomes:
        b = o.bounce
        why = f"{b.kind}{': ' + b.detail if b.detail else ''}"
        if not o.new:
            print(f"{b.email}: already read ({b.ref})")
        elif not o.subscribed:
            print(f"{b.email}: not a subscriber ({why})")
        elif o.suspended:
            print(f"{b.email}: suspended (bouncing) from {', '.join(o.suspended)} ({why})")
        elif b.kind == DELAYED:
            print(f"{b.email}: delivery delayed, still being tried; not counted")
        elif b.kind == "soft":
            print(f"{b.email}: soft bounce on {o.soft_days} of {args.soft_days} days ({why})")
        else:
            print(f"{b.email}: recorded; no active subscription ({why})")
    suspended = sum(1 for o in outcomes if o.suspended)
    print(f"{messages} message(s) read: {reports} bounce report(s), {messages - reports} other(s) left alone; {suspended} address(es) suspended")
    return 0
