"""The public archive: per issue a web page, the text, a recipient-neutral .eml and a
versioned manifest of featured replies; per digest an index page (newest first) and an Atom
feed.  Every file is written atomically.  Nothing here ever sees a subscriber.

Redactions (a reply removed at its author's request) are kept in the state folder, so every
rebuild of the archive from the stored issues leaves the reply out again.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import lxml.html
from babel.dates import format_date
from lxml import etree

from digest.labels import Labels, english, locale_of

if TYPE_CHECKING:
    from digest.config import DigestConfig
    from digest.issue import Issue

MANIFEST_VERSION = 1
FEED_ENTRIES = 50  # the feed carries the latest issues; the index page lists them all
REDACTIONS_FILE = "redactions.json"
ATOM = "http://www.w3.org/2005/Atom"


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


@dataclass(frozen=True)
class Site:
    """What the archive pages say about their digest, and where they are published."""

    digest: str
    title: str
    language: str = "en"
    base_url: str | None = None  # the public URL of the archive folder, when it is published
    labels: Labels = field(default_factory=english)  # the index page's words, in ``language``
    timezone: str = "UTC"  # the digest's: an issue built at 23:30 UTC is dated the next day in Tokyo

    def day(self, stamp: str) -> str:
        """An issue's build time as the issue's own page dates it: local, in the digest's language."""
        local = datetime.fromisoformat(stamp).astimezone(ZoneInfo(self.timezone))
        return format_date(local, "long", locale=locale_of(self.language))

    def issue_url(self, number: int) -> str | None:
        return issue_url(self.base_url, self.digest, number)

    @property
    def url(self) -> str | None:
        return f"{self.base_url.rstrip('/')}/{self.digest}/" if self.base_url else None


def site_for(config: DigestConfig) -> Site:
    return Site(config.name, config.title, config.language, config.archive_url, config.labels, config.timezone)


def issue_url(base_url: str | None, digest: str, number: int) -> str | None:
    """The public address of an issue's archive page ("view in browser"), when published."""
    return f"{base_url.rstrip('/')}/{digest}/{number:04d}/" if base_url else None


def issue_folder(archive_dir: Path, digest: str, number: int) -> Path:
    return Path(archive_dir) / digest / f"{number:04d}"


# ------------------------------------------------------------------------------ one issue

def manifest(issue: Issue, redacted: frozenset[str] = frozenset()) -> dict:
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
                **({"redacted": True} if f.reply_id in redacted else {}),
            }
            for f in issue.featured
        ],
    }


def archive_issue(
    archive_dir: Path,
    issue: Issue,
    site: Site,
    neutral_text: str,
    neutral_eml: bytes,
    *,
    redacted: frozenset[str] = frozenset(),
    listing: bool = True,
) -> Path:
    """Store one issue; the caller passes the text and .eml already stripped of any recipient.

    A redacted issue keeps only its web page (with the replies removed) and its manifest:
    the text and the .eml cannot be cut reliably, so they are left out of the archive."""
    folder = issue_folder(archive_dir, issue.digest, issue.number)
    write_atomic(folder / "index.html", redact_page(issue.web_html, redacted, site.labels).encode())
    for name, data in (("digest.txt", neutral_text.encode()), ("message.eml", neutral_eml)):
        if redacted:
            (folder / name).unlink(missing_ok=True)
        else:
            write_atomic(folder / name, data)
    write_atomic(folder / "manifest.json", (json.dumps(manifest(issue, redacted), indent=2, ensure_ascii=False) + "\n").encode())
    if listing:
        write_listing(archive_dir, site)
    return folder


def redact_page(page: str, reply_ids: frozenset[str], labels: Labels | None = None) -> str:
    """The issue page without the given replies (each replaced by a one-line note in the
    digest's language)."""
    if not reply_ids:
        return page
    doc = lxml.html.document_fromstring(page)
    for reply_id in sorted(reply_ids):
        found = doc.xpath("//*[@id=$id]", id=f"reply-{reply_id}")
        if not found:
            raise KeyError(reply_id)
        note = lxml.html.fragment_fromstring(f'<p class="redacted">{(labels or english()).html("redacted")}</p>')
        note.tail = found[0].tail
        found[0].getparent().replace(found[0], note)
    return lxml.html.tostring(doc, doctype="<!DOCTYPE html>", encoding="unicode", method="html") + "\n"


# ------------------------------------------------------------------------------ reading it back

def read_manifests(digest_dir: Path) -> list[dict]:
    manifests = []
    for path in sorted(Path(digest_dir).glob("[0-9][0-9][0-9][0-9]/manifest.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("manifest_version") == MANIFEST_VERSION:
            manifests.append(data)
    return manifests


def archived_numbers(archive_dir: Path, digest: str) -> list[int]:
    return [m["issue"] for m in read_manifests(Path(archive_dir) / digest)]


def featured_before(archive_dir: Path, digest: str, before: int | None = None) -> set[tuple[str, str]]:
    """(thread id, reply id) of every reply an archived issue featured (before issue
    ``before``, when given), redacted ones included: they must not come back either."""
    return {
        (item["thread"], item["reply_id"])
        for m in read_manifests(Path(archive_dir) / digest)
        if before is None or m["issue"] < before
        for item in m.get("featured", [])
    }


def last_issue_time(archive_dir: Path, digest: str) -> datetime | None:
    times = [datetime.fromisoformat(m["built_at"]) for m in read_manifests(Path(archive_dir) / digest)]
    return max(times) if times else None


# ------------------------------------------------------------------------------ index and feed

def write_listing(archive_dir: Path, site: Site) -> None:
    """The index page and the Atom feed, from the archived issues, newest first."""
    digest_dir = Path(archive_dir) / site.digest
    manifests = sorted(read_manifests(digest_dir), key=lambda m: m["issue"], reverse=True)
    write_atomic(digest_dir / "index.html", index_page(site, manifests).encode())
    write_atomic(digest_dir / "feed.xml", atom_feed(site, manifests, digest_dir))


def index_page(site: Site, manifests: list[dict]) -> str:
    title, words = html.escape(site.title), site.labels
    rows = "\n".join(
        f'<li><a href="{m["issue"]:04d}/index.html">{html.escape(m["subject"])}</a>'
        f' <span class="meta">{words.html("issue", number=m["issue"])} · <time datetime="{_seconds(m["built_at"])}">{html.escape(site.day(m["built_at"]))}</time>'
        f' · {html.escape(words.count("replies", len(m.get("featured", []))))}</span></li>'
        for m in manifests
    )
    listing = f'<ol reversed class="issues">\n{rows}\n</ol>' if manifests else f"<p>{words.html('archive_empty')}</p>"
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(site.language)}" dir="{locale_of(site.language).text_direction}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{words.html('archive_title', title=site.title)}</title>\n"
        f'<link rel="alternate" type="application/atom+xml" title="{title}" href="feed.xml">\n'
        "<style>\nbody{font-family:Georgia,serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}\n"
        ".issues li{margin:.6rem 0}.meta{display:block;color:#666;font-size:.9em}\n</style>\n"
        f"</head>\n<body>\n<main>\n<h1>{title}</h1>\n<p>{words.html('archive_intro')} "
        f'<a href="feed.xml">{words.html("archive_feed")}</a>.</p>\n{listing}\n</main>\n</body>\n</html>\n'
    )


def _seconds(stamp: str) -> str:
    """An ISO time to the second (HTML allows at most three digits of a fraction)."""
    return datetime.fromisoformat(stamp).replace(microsecond=0).isoformat()


def atom_feed(site: Site, manifests: list[dict], digest_dir: Path) -> bytes:
    """An Atom feed of the latest issues, each entry carrying its (redacted) archive page."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", site.language)
    _sub(feed, "title", site.title)
    _sub(feed, "id", site.url or _urn(site.digest))
    _sub(feed, "updated", manifests[0]["built_at"] if manifests else "1970-01-01T00:00:00+00:00")
    author = etree.SubElement(feed, f"{{{ATOM}}}author")
    _sub(author, "name", site.title)
    if site.url:
        etree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{site.url}feed.xml")
        etree.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=site.url)
    for m in manifests[:FEED_ENTRIES]:
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        link = site.issue_url(m["issue"])
        _sub(entry, "title", m["subject"])
        _sub(entry, "id", link or _urn(site.digest, m["issue"]))
        _sub(entry, "published", m["built_at"])
        _sub(entry, "updated", m["built_at"])
        etree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=link or f"{m['issue']:04d}/index.html")
        content = _sub(entry, "content", _page_content(digest_dir / f"{m['issue']:04d}" / "index.html"))
        content.set("type", "html")
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _sub(parent, tag: str, text: str):
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = text
    return element


def _urn(digest: str, number: int | None = None) -> str:
    """A stable id for feeds without a public URL."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"digest:{digest}" + (f"/{number}" if number else "")).urn


def _page_content(page: Path) -> str:
    """The issue page's main content, without its header (the entry has the title)."""
    main = lxml.html.document_fromstring(page.read_text(encoding="utf-8")).find(".//main")
    if main is None:
        return ""
    for header in main.findall("header"):
        main.remove(header)
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in main)


# ------------------------------------------------------------------------------ redactions

def load_redactions(state_dir: Path, digest: str) -> dict[int, frozenset[str]]:
    """Reply ids removed from each archived issue, by issue number."""
    path = Path(state_dir) / REDACTIONS_FILE
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8")).get(digest, {})
    return {int(number): frozenset(ids) for number, ids in data.items()}


def add_redaction(state_dir: Path, digest: str, number: int, reply_id: str) -> None:
    path = Path(state_dir) / REDACTIONS_FILE
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    ids = set(data.setdefault(digest, {}).get(str(number), []))
    ids.add(reply_id)
    data[digest][str(number)] = sorted(ids)
    write_atomic(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())
