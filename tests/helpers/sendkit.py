"""A digest workspace with many subscribers and a built issue, and ways to run `digest`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from tests.conftest import ROOT

SECRET = "test-secret-0123456789abcdef"
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=timezone.utc)


def address(i: int) -> str:
    return f"reader{i:04d}@example.org"


def make_workspace(root: Path, count: int, *, text_only: set[int] = frozenset()) -> Path:
    """config/ with the example digest sending to ``count`` subscribers (those in
    ``text_only`` want text only); issue 1 built."""
    shutil.copytree(ROOT / "config", root / "config")
    toml = root / "config" / "example.toml"
    toml.write_text(toml.read_text().replace("../examples/", f"{ROOT}/examples/"))
    rows = ["email,name,format"] + [f"{address(i)},Reader {i},{'text' if i in text_only else 'html'}" for i in range(count)]
    (root / "config" / "example.subscribers.csv").write_text("\n".join(rows) + "\n")
    built = digest(root, "build", "example")
    assert built.returncode == 0, built.stderr
    return root


def smtp_env(port: int, **extra: str) -> dict[str, str]:
    return {
        "DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(port), "DIGEST_SMTP_SECURITY": "plain",
        "DIGEST_SECRET": SECRET, "DIGEST_SMTP_RETRY_DELAY": "0.02", **extra,
    }


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "digest.cli", "--config-dir", "config", "--state-dir", "state", "--archive-dir", "archive", *args]


def clean_env(env: dict[str, str] | None) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    return {**base, "DIGEST_SECRET": SECRET, **(env or {})}


def digest(workspace: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command(*args), cwd=workspace, env=clean_env(env), capture_output=True, text=True, timeout=300)


def start_digest(workspace: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(command(*args), cwd=workspace, env=clean_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
