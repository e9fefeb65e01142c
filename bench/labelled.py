"""Labelled threads for ``digest eval`` from the shared development data.

- Stack Exchange ``Posts.xml``: a question is the opening post, its answers the replies, the
  asker's accepted answer the editor's pick, Score -> ``engagement.score``.
- NYT Picks 2014 (CSV): comments grouped by article; the newsroom's pick is the label,
  ``recommendationCount`` -> ``engagement.recommendations``.  The sample has no reply
  structure and holds only part of each article's comments (about half of them picks); the
  article's headline words come from its URL.

Usage: ``python -m bench.labelled OUT_DIR`` writes one canonical JSON file per thread into
``OUT_DIR/coffee/`` and ``OUT_DIR/nyt/``, for ``digest eval OUT_DIR/nyt/*.json``.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from digest.body import from_html
from digest.model import Engagement, Reply, Thread
from digest.sources.canonical import dumps

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
COFFEE = DATA / "stackexchange-coffee" / "coffee.stackexchange.Posts.xml"
NYT = DATA / "nyt-picks-2014" / "testInputComments.csv.gz"


def _time(text: str | None, fmt: str = "%Y-%m-%dT%H:%M:%S.%f") -> datetime | None:
    if not text:
        return None
    for pattern in (fmt, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def stackexchange_threads(path: Path = COFFEE, site: str = "https://coffee.stackexchange.com") -> list[tuple[str, Thread]]:
    """Every question with an accepted answer, as a labelled thread."""
    rows = ET.parse(path).getroot()
    questions = {r.get("Id"): r for r in rows if r.get("PostTypeId") == "1"}
    answers: dict[str, list] = defaultdict(list)
    for row in rows:
        if row.get("PostTypeId") == "2":
            answers[row.get("ParentId")].append(row)
    threads = []
    for qid, question in questions.items():
        accepted = question.get("AcceptedAnswerId")
        if not accepted:
            continue
        replies = tuple(
            Reply(
                id=f"se-{a.get('Id')}",
                author=f"user{a.get('OwnerUserId') or 'anonymous'}",
                body=from_html(a.get("Body") or ""),
                permalink=f"{site}/a/{a.get('Id')}",
                posted_at=_time(a.get("CreationDate")),
                engagement=Engagement(score=int(a.get("Score") or 0)),
                editor_pick=a.get("Id") == accepted,
            )
            for a in sorted(answers[qid], key=lambda a: a.get("CreationDate") or "")
        )
        opening = Reply(
            id=f"se-{qid}",
            author=f"user{question.get('OwnerUserId') or 'anonymous'}",
            body=from_html(question.get("Body") or ""),
            posted_at=_time(question.get("CreationDate")),
        )
        threads.append((f"coffee-{qid}", Thread(
            id=f"coffee-{qid}", title=question.get("Title"), url=f"{site}/q/{qid}", replies=replies,
            source_format="stackexchange", author=opening.author, opening_post=opening, total_replies=len(replies),
        )))
    return threads


def nyt_threads(path: Path = NYT) -> list[tuple[str, Thread]]:
    """One pseudo-thread per article: its sampled comments in posting order."""
    with gzip.open(path, "rb") as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8", errors="replace", newline="")
        rows = list(csv.DictReader(text))
    by_article: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_article[row["articleURL"]].append(row)
    threads = []
    for url, comments in by_article.items():
        slug = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
        name = "nyt-" + slug[:60]
        replies = tuple(
            Reply(
                id=f"nyt-{c['commentID']}",
                author=c["display_name"] or "anonymous",
                body=from_html(c["commentBody"] or ""),
                posted_at=_time(c["approveDate"]),
                engagement=Engagement(recommendations=int(c["recommendationCount"] or 0)),
                editor_pick=c["editorsSelection"] == "1",
            )
            for c in sorted(comments, key=lambda c: (c["approveDate"], c["commentID"]))
        )
        threads.append((name, Thread(
            id=name, title=slug.replace("-", " "), url=url, replies=replies, source_format="nyt-csv", partial=True,
        )))
    return threads


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "build/eval")
    for folder, threads in (("coffee", stackexchange_threads()), ("nyt", nyt_threads())):
        (out / folder).mkdir(parents=True, exist_ok=True)
        for name, thread in threads:
            (out / folder / f"{name}.json").write_text(dumps(thread), encoding="utf-8")
        print(f"{len(threads)} labelled threads -> {out / folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
