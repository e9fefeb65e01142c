"""Building an issue: the one immutable artifact that preview, test send, send and archive
all use, so what the editor previewed is exactly what subscribers get (build, then deliver).

``build_issue`` is pure; ``IssueStore`` keeps built issues in the state folder, written
atomically, read-only, and checked against their recorded hashes whenever they are loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from digest.body import plain_words
from digest.config import DigestConfig
from digest.errors import StateError
from digest.model import Thread
from digest.render import DigestView, IssueView, render
from digest.select import Selection, select
from digest.summarize import ThreadSummary, summarize

ISSUE_FORMAT = 1
PARTS = {"html": "email.html", "text": "email.txt", "web_html": "web.html"}


@dataclass(frozen=True)
class FeaturedRecord:
    thread_id: str
    thread_url: str | None
    reply_id: str
    picked_by: str  # "editor" or "scorer"
    score: float


@dataclass(frozen=True)
class Issue:
    digest: str
    number: int
    subject: str
    built_at: datetime
    html: str
    text: str
    web_html: str
    featured: tuple[FeaturedRecord, ...]

    def part_hashes(self) -> dict[str, str]:
        return {part: hashlib.sha256(getattr(self, part).encode()).hexdigest() for part in PARTS}


def prepare_thread(thread: Thread, config: DigestConfig, index: int) -> Thread:
    """Apply the config's overrides (a moved URL, a missing title, the article's author)."""
    source = config.threads[index]
    return replace(
        thread,
        url=source.url or thread.url,
        title=source.title or thread.title,
        author=source.author or thread.author,
    )


def select_all(config: DigestConfig, threads: tuple[Thread, ...]) -> tuple[Selection, ...]:
    return tuple(
        select(
            thread,
            config.threads[i],
            count=config.replies,
            order=config.order,
            where=f"{config.path} [[thread]] #{i + 1}",
        )
        for i, thread in enumerate(threads)
    )


def build_issue(
    config: DigestConfig,
    threads: tuple[Thread, ...],
    *,
    number: int,
    now: datetime,
    template_dir: Path | None = None,
) -> Issue:
    """Select, summarize and render the next issue from already-imported threads."""
    threads = tuple(prepare_thread(t, config, i) for i, t in enumerate(threads))
    selections = select_all(config, threads)
    summaries: list[ThreadSummary] = []
    for thread, selection in zip(threads, selections):
        summaries.append(
            summarize(
                thread,
                selection,
                title=thread.title or "Untitled discussion",
                url=thread.url,
                full_text=config.full_text,
                excerpt_words=config.excerpt_words,
            )
        )
    first_title = summaries[0].title if summaries else ""
    subject = config.subject.format(
        title=config.title, number=number, date=now.date().isoformat(), thread_title=first_title
    )
    picks = sum(len(s.items) for s in summaries)
    lead = next((plain_words(item.body) for s in summaries for item in s.items), "")
    preheader = f"{picks} key {'reply' if picks == 1 else 'replies'}: " + " ".join(lead.split()[:18])
    rendered = render(
        DigestView(config.name, config.title, config.language, config.timezone, config.order),
        IssueView(number, now, subject, preheader),
        config.intro_markdown,
        tuple(summaries),
        template_dir,
    )
    featured = tuple(
        FeaturedRecord(thread.id, thread.url, pick.reply_id, pick.picked_by, pick.score)
        for thread, selection in zip(threads, selections)
        for pick in selection.picks
    )
    return Issue(config.name, number, subject, now, rendered.html, rendered.text, rendered.web_html, featured)


class IssueStore:
    """Built issues under ``STATE/issues/DIGEST/NNNN/``: metadata plus the three rendered parts."""

    def __init__(self, state_dir: Path):
        self.root = Path(state_dir) / "issues"

    def folder(self, digest: str, number: int) -> Path:
        return self.root / digest / f"{number:04d}"

    def numbers(self, digest: str) -> list[int]:
        base = self.root / digest
        if not base.is_dir():
            return []
        return sorted(int(p.name) for p in base.iterdir() if p.is_dir() and p.name.isdigit())

    def next_number(self, digest: str) -> int:
        numbers = self.numbers(digest)
        return numbers[-1] + 1 if numbers else 1

    def save(self, issue: Issue) -> Path:
        """Write once: an existing issue is never overwritten (issues are immutable)."""
        target = self.folder(issue.digest, issue.number)
        if target.exists():
            raise StateError(f"issue {issue.number} of {issue.digest!r} already exists", where=str(target), fix="build the next issue instead")
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
        try:
            for part, filename in PARTS.items():
                _write_synced(staging / filename, getattr(issue, part))
            meta = {
                "issue_format": ISSUE_FORMAT,
                "digest": issue.digest,
                "number": issue.number,
                "subject": issue.subject,
                "built_at": issue.built_at.isoformat(),
                "sha256": issue.part_hashes(),
                "featured": [f.__dict__ for f in issue.featured],
            }
            _write_synced(staging / "issue.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
            for file in staging.iterdir():
                file.chmod(0o444)
            os.rename(staging, target)  # atomic: the issue appears whole or not at all
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target

    def load(self, digest: str, number: int | None = None) -> Issue:
        if number is None:
            numbers = self.numbers(digest)
            if not numbers:
                raise StateError(f"no issue of {digest!r} has been built", where=str(self.root / digest), fix=f"run `digest build {digest}` first")
            number = numbers[-1]
        folder = self.folder(digest, number)
        try:
            meta = json.loads((folder / "issue.json").read_text(encoding="utf-8"))
            parts = {part: (folder / filename).read_text(encoding="utf-8") for part, filename in PARTS.items()}
        except FileNotFoundError as exc:
            raise StateError(f"issue {number} of {digest!r} is missing {Path(exc.filename).name}", where=str(folder), fix="rebuild it with `digest build`") from None
        if meta.get("issue_format") != ISSUE_FORMAT:
            raise StateError(f"unsupported issue format {meta.get('issue_format')!r}", where=str(folder / "issue.json"))
        issue = Issue(
            digest=meta["digest"],
            number=meta["number"],
            subject=meta["subject"],
            built_at=datetime.fromisoformat(meta["built_at"]),
            featured=tuple(FeaturedRecord(**f) for f in meta["featured"]),
            **parts,
        )
        changed = [PARTS[p] for p, h in issue.part_hashes().items() if meta["sha256"].get(p) != h]
        if changed:
            raise StateError(
                f"issue {number} was modified after it was built ({', '.join(changed)})",
                where=str(folder),
                fix="built issues are immutable: build a new issue instead of editing one",
            )
        return issue


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
