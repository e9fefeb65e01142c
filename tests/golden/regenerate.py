"""Regenerate the golden files (``make golden``); review their diff like code before committing.

Golden files pin the seed import and the rendered example and seed digests.  Everything
is produced with a fixed clock so the files only change when the code's output does.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from digest.config import load_digest
from digest.issue import Issue, build_issue
from digest.pipeline import import_threads
from digest.sources import ImportRequest, import_thread, load_documents
from digest.sources.canonical import dumps

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
SEED = ROOT.parent / "shared" / "seeds" / "kasama-thread.txt"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
RETRIEVED = datetime(2026, 11, 1, 0, 0, tzinfo=timezone.utc)


def seed_thread_json() -> str:
    request = ImportRequest(load_documents(SEED), retrieved_at=RETRIEVED)
    return dumps(import_thread(request, "forum-text"))


EXAMPLE = ROOT / "config" / "example.toml"
SEED_DIGEST = ROOT / "examples" / "kasama" / "kasama.toml"


def golden_issue(config_path: Path, **overrides) -> Issue:
    """Issue 1 of a digest built with the fixed clock (``overrides`` replace config values)."""
    config = replace(load_digest(config_path), **overrides)
    return build_issue(config, import_threads(config, RETRIEVED), number=1, now=NOW)


def digest_parts(config_path: Path) -> tuple[str, str]:
    issue = golden_issue(config_path)
    return issue.html, issue.text


def outputs() -> dict[str, str]:
    """Every golden file's expected content, by file name."""
    html, text = digest_parts(EXAMPLE)
    files = {"example-digest.html": html, "example-digest.txt": text}
    if SEED.is_file():
        files["kasama-thread.json"] = seed_thread_json()
        html, text = digest_parts(SEED_DIGEST)
        files["kasama-digest.html"] = html
        files["kasama-digest.txt"] = text
    return files


def main() -> int:
    if not SEED.is_file():
        print(f"note: {SEED} not found; seed golden files left as they are", file=sys.stderr)
    for name, content in outputs().items():
        path = GOLDEN / name
        old = path.read_text(encoding="utf-8") if path.exists() else None
        path.write_text(content, encoding="utf-8")
        print(f"{'unchanged' if old == content else 'WROTE'}  {path.relative_to(ROOT)}")
    print("review with: git diff tests/golden/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
