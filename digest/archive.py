"""The archive: per issue a web page, the text, a recipient-neutral .eml and a versioned
manifest of featured replies; plus an index page.  Every file is written atomically."""

from __future__ import annotations

import html
import json
import os
import tempfile
from pathlib import Path

from digest.issue import Issue

MANIFEST_VERSION = 1


def write_atomic(path: Path, data: bytes) -> None:
    """Temporary file, fsync, rename: readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def manifest(issue: Issue) -> dict:
    return {
        "manifest_version": MANIFEST_VERSION,
        "digest": issue.digest,
        "issue": issue.number,
        "subject": issue.subject,
        "built_at": issue.built_at.isoformat(),
        "featured": [
            {
                "thread": f.thread_id,
                "thread_url": f.thread_url,
                "reply_id": f.reply_id,
                "picked_by": f.picked_by,
                "score": f.score,
            }
            for f in issue.featured
        ],
    }


def archive_issue(archive_dir: Path, issue: Issue, title: str, neutral_text: str, neutral_eml: bytes) -> Path:
    """Store one issue; the caller passes the text and .eml already stripped of any recipient."""
    folder = Path(archive_dir) / issue.digest / f"{issue.number:04d}"
    write_atomic(folder / "index.html", issue.web_html.encode())
    write_atomic(folder / "digest.txt", neutral_text.encode())
    write_atomic(folder / "message.eml", neutral_eml)
    write_atomic(folder / "manifest.json", (json.dumps(manifest(issue), indent=2, ensure_ascii=False) + "\n").encode())
    write_index(Path(archive_dir) / issue.digest, title)
    return folder


def read_manifests(digest_dir: Path) -> list[dict]:
    manifests = []
    for path in sorted(Path(digest_dir).glob("[0-9][0-9][0-9][0-9]/manifest.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("manifest_version") == MANIFEST_VERSION:
            manifests.append(data)
    return manifests


def write_index(digest_dir: Path, title: str) -> None:
    """The list of issues, newest first."""
    manifests = sorted(read_manifests(digest_dir), key=lambda m: m["issue"], reverse=True)
    rows = "\n".join(
        f'<li><a href="{m["issue"]:04d}/index.html">{html.escape(m["subject"])}</a> '
        f'<time datetime="{html.escape(m["built_at"])}">{html.escape(m["built_at"][:10])}</time></li>'
        for m in manifests
    )
    title = html.escape(title)
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}: all issues</title>\n</head>\n<body>\n<main>\n<h1>{title}: all issues</h1>\n"
        f"<ul>\n{rows}\n</ul>\n</main>\n</body>\n</html>\n"
    )
    write_atomic(Path(digest_dir) / "index.html", page.encode())
