"""`digest archive NAME [--issue N]` (rebuild every page, the index and the feed from the
stored issues) and `digest archive redact NAME ISSUE REPLY`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from digest import pipeline
from digest.archive import add_redaction, archived_numbers, read_manifests, redact_page, site_for, write_listing
from digest.errors import DigestError, StateError
from digest.issue import IssueStore
from digest.ledger import Ledger
from digest.runs import RunHistory

UNFINISHED = ("running", "interrupted", "awaiting approval")

USAGE = "digest archive NAME [--issue N] | digest archive redact NAME ISSUE REPLY"


def register(subparsers, common) -> None:
    s = subparsers.add_parser(
        "archive",
        help="add a built issue to the archive and rebuild its pages, index and feed; or redact a reply",
        usage=USAGE,
    )
    s.add_argument("words", nargs="+", metavar="NAME", help="the digest, or: redact NAME ISSUE REPLY")
    s.add_argument("--issue", type=int, help="also add this built issue, delivered or not")
    s.set_defaults(func=lambda args, env: cmd_archive(args, env, common))


def cmd_archive(args, env, common) -> int:
    ws, now = common["workspace"](args), common["now"]()
    if args.words[0] == "redact" and len(args.words) == 4:
        _, name, issue_text, reply_id = args.words
        if not issue_text.isdigit():
            raise DigestError(f"not an issue number: {issue_text!r}", fix=USAGE)
        folder = redact(ws, name, int(issue_text), reply_id, now)
        print(f"removed reply {reply_id} from {folder} and rebuilt the index and feed")
        return 0
    if len(args.words) != 1:
        raise DigestError(f"unexpected arguments: {' '.join(args.words)}", fix=USAGE)
    name = args.words[0]
    numbers = rebuild(ws, name, now, [*published(ws, name), *([args.issue] if args.issue is not None else [])])
    print(f"archive of {name}: {len(numbers)} issue(s) written, index and feed rebuilt: {ws.archive_dir / name}")
    return 0


def published(ws: pipeline.Workspace, name: str) -> list[int]:
    """Built issues that reached subscribers, except one a scheduled run is still delivering
    or that waits for approval (the run archives it when it is done)."""
    with RunHistory(ws.state_dir) as history:
        last = history.last(name)
    numbers = IssueStore(ws.state_dir).numbers(name)
    unfinished = None
    if last is not None and last.status in UNFINISHED:
        unfinished = last.issue or (numbers[-1] if numbers else None)
    ledger = Ledger(ws.ledger_path)
    try:
        return [n for n in numbers if n != unfinished and any(row.status == "sent" for row in ledger.rows(name, n).values())]
    finally:
        ledger.close()


def rebuild(ws: pipeline.Workspace, name: str, now: datetime, add: list[int] = ()) -> list[int]:
    """Rewrite every archived issue (and those in ``add``) from the stored issues, then the
    index and the feed."""
    numbers = sorted(set(archived_numbers(ws.archive_dir, name)) | set(add))
    for number in numbers:
        pipeline.archive(ws, name, now, number, listing=False)
    write_listing(ws.archive_dir, site_for(pipeline.load_digest(ws, name)))
    return numbers


def redact(ws: pipeline.Workspace, name: str, number: int, reply_id: str, now: datetime) -> Path:
    """Remove one reply from an archived issue for good: recorded in the state folder, so
    every later rebuild leaves it out too."""
    manifest = next((m for m in read_manifests(ws.archive_dir / name) if m["issue"] == number), None)
    if manifest is None:
        raise StateError(f"issue {number} of {name!r} is not in the archive", where=str(ws.archive_dir / name), fix=f"archived issues: {archived_numbers(ws.archive_dir, name) or 'none'}")
    featured = [item["reply_id"] for item in manifest["featured"]]
    if reply_id not in featured:
        raise StateError(f"issue {number} did not feature reply {reply_id!r}", where=str(ws.archive_dir / name / f"{number:04d}" / "manifest.json"), fix=f"its replies: {', '.join(featured)}")
    try:
        redact_page(IssueStore(ws.state_dir).load(name, number).web_html, frozenset({reply_id}))
    except KeyError:
        raise StateError(f"reply {reply_id!r} is not on the page of issue {number}", where=str(IssueStore(ws.state_dir).folder(name, number))) from None
    add_redaction(ws.state_dir, name, number, reply_id)
    return pipeline.archive(ws, name, now, number)
