"""How fast `digest send` delivers, next to a raw baseline measured in the same run.

Builds an issue of about 50 KB, sends it to N subscribers (default 10,000) over 4 SMTP
connections into Postfix's ``smtp-sink`` on a loopback port, with the ledger at its default
durability; then Postfix's ``smtp-source`` sends the same message with the same concurrency
into the same sink.  Prints messages per second for both and the ratio, then the figure with
DKIM signing on, and the dry-run figure (everything but SMTP).

    .venv/bin/python bench/bench_send.py [--count 10000] [--connections 4]

Needs the Debian package ``postfix`` for the two programs (the mail service is never run).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from digest import config as cfg  # noqa: E402
from digest import pipeline  # noqa: E402
from digest.message import build_message  # noqa: E402
from digest.subscribers import Subscriber  # noqa: E402
from digest.transport import SmtpTransport  # noqa: E402

SINK, SOURCE = "/usr/sbin/smtp-sink", "/usr/sbin/smtp-source"
SECRET = "bench-secret-0123456789abcdef"
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=timezone.utc)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def workspace(root: Path, count: int, target_kb: int) -> pipeline.Workspace:
    """The example digest with every reply in full and a long intro: about ``target_kb``."""
    shutil.copytree(ROOT / "config", root / "config")
    toml = root / "config" / "example.toml"
    text = toml.read_text().replace("../examples/", f"{ROOT}/examples/").replace("full_text = false", "full_text = true").replace("replies = 5", "replies = 12")
    toml.write_text(text)
    rows = ["email,name"] + [f"reader{i:05d}@example.org,Reader {i}" for i in range(count)]
    (root / "config" / "example.subscribers.csv").write_text("\n".join(rows) + "\n")
    ws = pipeline.Workspace(root / "config", root / "state", root / "archive")
    intro = root / "config" / "example.intro.md"
    base = intro.read_text()
    paragraph = (base.strip() + " ") * 3

    def size_with(extra: int) -> int:
        intro.write_text(base + "\n\n" + "\n\n".join([paragraph] * extra))
        shutil.rmtree(ws.state_dir, ignore_errors=True)
        return len(sample_message(ws, build=True))

    empty, ten = size_with(0), size_with(10)
    size_with(max(0, round((target_kb * 1024 - empty) * 10 / max(1, ten - empty))))
    return ws


def sample_message(ws: pipeline.Workspace, build: bool = False) -> bytes:
    if build:
        pipeline.build(ws, "example", NOW)
    config = pipeline.load_digest(ws, "example")
    from digest.issue import IssueStore

    issue = IssueStore(ws.state_dir).load("example", None)
    return build_message(issue, config, to=Subscriber("reader00000@example.org", "Reader 0"), unsubscribe=config.unsubscribe_url, now=NOW).as_bytes()


def start_sink(port: int) -> subprocess.Popen:
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    sink = subprocess.Popen([SINK, *user, f"127.0.0.1:{port}", "512"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return sink
        except OSError:
            time.sleep(0.05)
    sink.kill()
    raise SystemExit(f"smtp-sink did not start: {sink.stderr.read().decode()}")


def baseline(port: int, message: bytes, count: int, connections: int, folder: Path, limit: float) -> float:
    path = folder / "message.txt"
    path.write_bytes(message.replace(b"\r\n", b"\n"))  # smtp-source appends CRLF to each line
    started = time.perf_counter()
    subprocess.run(
        [SOURCE, "-d", "-s", str(connections), "-m", str(count), "-F", str(path),
         "-f", "digest@garden.example.org", "-t", "reader@example.org", f"127.0.0.1:{port}"],
        check=True, timeout=limit, stdout=subprocess.DEVNULL,
    )
    return count / (time.perf_counter() - started)


def ours(ws: pipeline.Workspace, env: dict[str, str], count: int, *, dry_run: bool = False) -> float:
    for stale in ws.state_dir.glob("ledger.sqlite*"):
        stale.unlink()
    settings = cfg.smtp_settings(env)
    started = time.perf_counter()
    report = pipeline.send(ws, "example", lambda: SmtpTransport(settings), env, NOW, log=lambda line: None, dry_run=dry_run)
    elapsed = time.perf_counter() - started
    if len(report.sent) != count or report.failed:
        raise SystemExit(f"expected {count} sent, got {len(report.sent)} sent, {len(report.failed)} failed: {report.failed[:3]}")
    return count / elapsed


def loading_time(ws: pipeline.Workspace) -> float:
    """Seconds `digest send` spends learning its recipients (seed sync and store query)."""
    from digest.subscribers import recipients

    config = pipeline.load_digest(ws, "example")
    started = time.perf_counter()
    recipients(ws.state_dir, config, NOW)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--size-kb", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="baseline and send alternate; medians are printed")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed for each smtp-source phase")
    args = parser.parse_args()
    for program in (SINK, SOURCE):
        if not os.access(program, os.X_OK):
            raise SystemExit(f"{program} not found: apt-get install postfix (only smtp-sink and smtp-source are run)")
    figures: dict[str, list[float]] = {}

    def measure(name: str, rate: float) -> None:
        figures.setdefault(name, []).append(rate)
        print(f"  {name}: {rate:.0f} msg/s", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="bench-send-") as tmp:
        folder = Path(tmp)
        ws = workspace(folder, args.count, args.size_kb)
        message = sample_message(ws)
        key = folder / "dkim.pem"
        key.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        port = free_port()
        sink = start_sink(port)
        try:
            env = {
                "DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(port), "DIGEST_SMTP_SECURITY": "plain",
                "DIGEST_SECRET": SECRET, "DIGEST_SMTP_CONNECTIONS": str(args.connections),
            }
            dkim = {**env, "DIGEST_DKIM_KEY_FILE": str(key), "DIGEST_DKIM_SELECTOR": "bench", "DIGEST_DKIM_DOMAIN": "garden.example.org"}
            narrow = {**env, "DIGEST_MAX_IN_FLIGHT": str(2 * args.connections)}
            ours(ws, env, args.count, dry_run=True)  # loads the subscribers into the store once
            for round_number in range(1, args.rounds + 1):
                print(f"round {round_number}/{args.rounds}", file=sys.stderr)
                raw = baseline(port, message, args.count, args.connections, folder, args.timeout)
                measure("baseline", raw)
                plain = ours(ws, env, args.count)
                measure("send", plain)
                figures.setdefault("ratio", []).append(plain / raw)
                measure("send, DKIM on", ours(ws, dkim, args.count))
                measure("send, window of 2 per connection", ours(ws, narrow, args.count))
                measure("dry run", ours(ws, env, args.count, dry_run=True))
                measure("dry run, DKIM on", ours(ws, dkim, args.count, dry_run=True))
            loading = loading_time(ws)
        finally:
            sink.terminate()
            sink.wait(timeout=10)
    med = {name: statistics.median(values) for name, values in figures.items()}
    print(f"message {len(message) / 1024:.1f} KB, {args.count} subscribers, {args.connections} connections, "
          f"smtp-sink on 127.0.0.1, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; medians of {args.rounds} rounds")
    print(f"{'smtp-source (baseline)':<44} {med['baseline']:7.0f} msg/s")
    print(f"{'digest send':<44} {med['send']:7.0f} msg/s  ratio {med['ratio']:.2f}x "
          f"(rounds: {', '.join(f'{r:.2f}' for r in figures['ratio'])})")
    print(f"{'digest send, DKIM on':<44} {med['send, DKIM on']:7.0f} msg/s  ratio {med['send, DKIM on'] / med['baseline']:.2f}x")
    print(f"{'digest send, DIGEST_MAX_IN_FLIGHT=' + str(2 * args.connections):<44} {med['send, window of 2 per connection']:7.0f} msg/s  "
          f"(a ledger commit every {args.connections} copies instead of every {args.connections * 16})")
    print(f"{'digest send --dry-run (no SMTP)':<44} {med['dry run']:7.0f} msg/s")
    print(f"{'digest send --dry-run, DKIM on':<44} {med['dry run, DKIM on']:7.0f} msg/s")
    print(f"{'loading the subscribers (in every send)':<44} {loading:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
