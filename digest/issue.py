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
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date

from digest.body import plain_words
from digest.archive import issue_url
from digest.config import DigestConfig
from digest.errors import ConfigError, EmptyIssue, StateError
from digest.labels import Labels, english, locale_of
from digest.model import Thread
from digest.render import HTML_LIMIT, DigestView, IssueView, html_size, render
from digest.select import EMPTY_HISTORY, History, Selection, people, select_digest
from digest.signals import without_attachments
from digest.summarize import EXCERPT_MARK, ThreadSummary, summarize

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
    warnings: tuple[str, ...] = ()  # what selection left out or overrode (not stored)

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


def _shown(config: DigestConfig, threads: tuple[Thread, ...], selections: tuple[Selection, ...], strict: bool):
    """The threads an issue shows: not one whose source holds no reply or nothing worth
    featuring (an empty section; the selection's warning says why), not a thread twice (a list's
    two archives of one thread); and what readers will miss, as warnings.  Nothing to show at
    all is an error: an empty issue is never built."""
    shown, warnings, seen = [], [], {}
    for index, (thread, selection) in enumerate(zip(threads, selections)):
        where = f"{config.path} [[thread]] #{index + 1}"
        if thread.id in seen:
            problem = f"imports the same thread as [[thread]] #{seen[thread.id] + 1} (id {thread.id!r})"
            if strict:
                raise ConfigError(problem, where=where, fix="remove one of the two [[thread]] entries")
            warnings.append(f"{where}: {problem}; left out")
            continue
        seen[thread.id] = index
        if not thread.replies:
            warnings.append(f"{where}: the source holds no replies; left out of this issue")
            continue
        if not selection.picks:
            warnings.extend(selection.warnings)  # "no reply is featured (2 too short to feature) ..."
            continue
        if not thread.url:
            warnings.append(f"{where}: the source gives no address for the whole discussion, so readers get no link to it (set `url`)")
        if not thread.title:
            warnings.append(f"{where}: the source gives no title, so readers see {shown_title(thread, config.labels)!r} (set `title`)")
        shown.append((thread, selection))
    if not shown and not any(t.replies for t in threads):
        raise EmptyIssue("none of the digest's threads holds a reply: there is nothing to build an issue from",
                         where=str(config.path), fix="check what each [[thread]]'s source holds: `digest import SOURCE -o -`")
    if not shown:
        raise EmptyIssue("no thread has a reply to feature, so there is nothing to build an issue from:\n  " + "\n  ".join(warnings),
                         where=str(config.path), fix="feature a reply with [[thread.featured]], or lower [selection] min_words")
    return tuple(t for t, _ in shown), tuple(s for _, s in shown), tuple(warnings)


def select_all(config: DigestConfig, threads: tuple[Thread, ...], history: History = EMPTY_HISTORY, *, strict: bool = True) -> tuple[Selection, ...]:
    """One selection per thread, in config order (see ``digest.select.select_digest``)."""
    return select_digest(config, threads, history, strict=strict)


def build_issue(
    config: DigestConfig,
    threads: tuple[Thread, ...],
    *,
    number: int,
    now: datetime,
    template_dir: Path | None = None,
    history: History = EMPTY_HISTORY,
    strict: bool = True,
) -> Issue:
    """Select, summarize and render the next issue from already-imported threads; with several
    threads, the most active comes first."""
    threads = tuple(prepare_thread(t, config, i) for i, t in enumerate(threads))
    selections = select_all(config, threads, history, strict=strict)
    threads, selections, left_out = _shown(config, threads, selections, strict)
    if len(threads) > 1:
        ranked = sorted(zip(threads, selections), key=lambda pair: -pair[1].activity)
        threads, selections = tuple(t for t, _ in ranked), tuple(s for _, s in ranked)
    template_dir = template_dir or config.templates
    scorer_words = None  # the scorer's picks keep the configured excerpt length unless the HTML is too big
    while True:
        summaries, subject, rendered = _summarize_and_render(config, threads, selections, number, now, template_dir, scorer_words)
        size = html_size(rendered.html)
        if size <= HTML_LIMIT:
            break
        scorer_words = _shorter(scorer_words or config.excerpt_words, summaries, config.full_text)
        if scorer_words is None:
            raise _too_large(config, summaries, size)
    featured = tuple(
        FeaturedRecord(thread.id, thread.url, pick.reply_id, pick.picked_by, pick.score)
        for thread, selection in zip(threads, selections)
        for pick in selection.picks
    )
    warnings = left_out + tuple(w for selection in selections for w in selection.warnings) + _untranslated(config)
    return Issue(config.name, number, subject, now, rendered.html, rendered.text, rendered.web_html, featured, warnings)


MIN_EXCERPT_WORDS = 20


PLACE_COLUMNS = 60  # an untitled thread's address, shortened beyond this to host/…/page


def _untranslated(config: DigestConfig) -> tuple[str, ...]:
    missing = config.labels.untranslated
    if not missing:
        return ()
    shown = ", ".join(missing[:4]) + (", …" if len(missing) > 4 else "")
    return (f"{config.path}: {len(missing)} of the words around the replies have no {config.language!r} wording and stay "
            f"English ({shown}); give them under [digest.labels] (README 'Words around the replies')",)


def shown_title(thread: Thread, labels: Labels | None = None) -> str:
    """The thread's title, else where it is ("Discussion at example.org/2016/gullfoss"): four
    threads all called "Untitled discussion" would tell a reader nothing."""
    if thread.title:
        return thread.title
    labels = labels or english()
    address = urlsplit(thread.url or "")
    if not address.hostname:
        return labels.text("untitled")
    host = address.hostname.removeprefix("www.")
    segments = [unquote(s) for s in address.path.split("/") if s]
    place = "/".join([host, *segments])
    if len(place) > PLACE_COLUMNS and len(segments) > 1:
        place = f"{host}/…/{segments[-1]}"
    return labels.text("discussion_at", place=place)


def _summarize_and_render(config, threads, selections, number, now, template_dir, scorer_words):
    labels = config.labels
    summaries = tuple(
        summarize(
            thread,
            selection,
            title=shown_title(thread, labels),
            url=thread.url,
            full_text=config.full_text,
            excerpt_words=config.excerpt_words,
            scorer_excerpt_words=scorer_words,
            person=people(config.selection.aliases),
            timezone=config.timezone,
            language=config.language,
            labels=labels,
        )
        for thread, selection in zip(threads, selections)
    )
    titled = [summary.title for summary, thread in zip(summaries, threads) if thread.title]
    first_title = (titled or [summary.title for summary in summaries] or [""])[0]  # the subject names a real title when there is one
    local_date = now.astimezone(ZoneInfo(config.timezone)).date()
    day = format_date(local_date, "long", locale=locale_of(config.language))  # "25. November 2026" in German
    subject = config.subject.format(title=config.title, number=number, date=local_date.isoformat(), day=day, thread_title=first_title)
    picks = sum(len(s.items) for s in summaries)
    lead = next((plain_words(without_attachments(item.body)).replace(EXCERPT_MARK, " ") for s in summaries for item in s.items), "")
    preheader = f"{labels.count('key_replies', picks)} " + " ".join(lead.split()[:18])
    rendered = render(
        DigestView(config.name, config.title, config.language, config.timezone, config.order),
        IssueView(number, now, subject, preheader, issue_url(config.archive_url, config.name, number)),
        config.intro_markdown,
        summaries,
        template_dir,
        labels,
    )
    return summaries, subject, rendered


def _shorter(words: int, summaries: tuple[ThreadSummary, ...], full_text: bool) -> int | None:
    """A shorter excerpt length for the scorer's picks, or None when they cannot shrink further
    (``full_text``: the editor chose to send everything in full)."""
    shrinkable = any(i.picked_by == "scorer" and i.words > MIN_EXCERPT_WORDS * 1.25 for s in summaries for i in s.items)
    if full_text or words <= MIN_EXCERPT_WORDS or not shrinkable:
        return None
    return max(MIN_EXCERPT_WORDS, words // 2)


def _too_large(config: DigestConfig, summaries: tuple[ThreadSummary, ...], size: int) -> ConfigError:
    """Text the editor chose to send in full is never cut silently: say what to shorten."""
    whole = sorted(  # sent whole by choice: longer than an excerpt would have left them
        ((len(item.body.encode("utf-8")), summary, item) for summary in summaries for item in summary.items
         if not item.excerpted and item.words > config.excerpt_words * 1.25),
        key=lambda entry: -entry[0],
    )
    if not whole:
        return ConfigError(
            f"the HTML part would be {size / 1000:.1f} KB, over the {HTML_LIMIT / 1000:.0f} KB limit (Gmail clips messages above "
            "about 102 KB), with every long reply already excerpted",
            where=f"{config.path} [digest]", fix="lower `replies` or `total`, or `excerpt_words`",
        )
    named = "; ".join(
        f"{item.author} #{item.number if item.number is not None else item.reply_id} in {summary.title!r} ({body_size / 1000:.1f} KB)"
        for body_size, summary, item in whole[:5]
    )
    how = "set full_text = false" if config.full_text else "remove `full = true` from some featured replies"
    return ConfigError(
        f"the HTML part would be {size / 1000:.1f} KB, over the {HTML_LIMIT / 1000:.0f} KB limit (Gmail clips messages above about 102 KB)",
        where=f"{config.path} [digest]",
        fix=f"{how}, lower `replies`, or feature fewer of these replies sent in full, largest first: {named}",
    )


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
