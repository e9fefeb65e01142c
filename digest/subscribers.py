"""Subscribers from the CSV file a digest names (addresses never live in TOML)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from digest.errors import ConfigError

_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


@dataclass(frozen=True)
class Subscriber:
    email: str
    name: str = ""


@dataclass(frozen=True)
class SubscriberList:
    subscribers: tuple[Subscriber, ...]
    problems: tuple[str, ...]  # rows skipped, each naming file and line


def load_subscribers(path: Path) -> SubscriberList:
    """Read ``email,name`` rows.  A bad row is reported with its line and skipped; it never
    stops the others from getting their copy.  A file without an ``email`` column is an error."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read subscribers: {exc}", where=str(path), fix="save it as a UTF-8 CSV file with an 'email' column") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "email" not in [f.strip().lower() for f in reader.fieldnames]:
        raise ConfigError("no 'email' column in the header row", where=f"{path}:1", fix="make the first line 'email,name'")
    subscribers: list[Subscriber] = []
    problems: list[str] = []
    seen: set[str] = set()
    for row in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str) or v is None}
        line = reader.line_num
        email = row.get("email", "")
        if not email and not any(row.values()):
            continue
        if not _ADDRESS.match(email):
            problems.append(f"{path}:{line}: skipped: {email!r} is not an email address")
            continue
        key = email.lower()
        if key in seen:
            problems.append(f"{path}:{line}: skipped: {email} is listed twice")
            continue
        seen.add(key)
        subscribers.append(Subscriber(email, row.get("name", "")))
    return SubscriberList(tuple(subscribers), tuple(problems))
