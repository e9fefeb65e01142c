"""Reading and ranking a 100,000-reply canonical thread, against the bare baseline.

Baseline: ``json.load`` of the same file plus a sort of the replies on one numeric field.
Measured: ``canonical.loads`` (validated model objects) plus the default scorer; then, apart
from the ratio, ``select`` choosing a 5-reply digest of the thread (what `digest build` does).
Each side runs in its own fresh process so peak memory (max RSS) is its own.  The sides run in
turn; the ratio is given of the best times and run by run (a baseline and the digest run right
after it), since a shared machine's speed can change by half between spells.

Bodies are 60 words drawn from a small vocabulary, from lorem ipsum with ``--text lorem`` (longer
words, two that make one term), or with ``--text nyt`` real reader comments (NYT Picks 2014 in
../shared/data, each cut to about 400 bytes, used in turn): a real vocabulary, long words, stop
words, punctuation, entities and some text outside ASCII.

    .venv/bin/python bench/bench_import_rank.py [--replies 100000] [--repeat 5] [--text words|lorem|nyt]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import html
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

NYT = Path(__file__).resolve().parents[2] / "shared" / "data" / "nyt-picks-2014" / "testInputComments.csv.gz"
LOREM = """lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et
dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo
consequat duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur
excepteur sint occaecat cupidatat non proident sunt in culpa qui officia deserunt mollit anim id est laborum""".split()
WORDS = "the soil water mulch tomato split crack skin grow fruit sun rain leaf root stem plant day week".split()


def nyt_bodies(size: int = 400) -> list[str]:
    """Real comments as bodies of the body subset (paragraphs, text escaped), each cut to its
    first words up to about ``size`` bytes, the size the target names."""
    if not NYT.exists():
        sys.exit(f"--text nyt needs {NYT} (the shared development data)")
    with gzip.open(NYT, "rt", encoding="utf-8", newline="") as f:
        comments = [row["commentBody"] for row in csv.DictReader(f)]
    bodies = []
    for comment in comments:
        paragraphs, used = [], 0
        for part in comment.split("<br/>"):
            words = []
            for word in part.split():
                used += len(word.encode()) + 1
                if used > size:
                    break
                words.append(word)
            if words:
                paragraphs.append(f"<p>{html.escape(' '.join(words), quote=False)}</p>")
            if used > size:
                break
        if paragraphs:
            bodies.append("".join(paragraphs))
    return bodies


def make_thread(path: Path, replies: int, text: str = "words", seed: int = 7) -> None:
    rng = random.Random(seed)
    real = nyt_bodies() if text == "nyt" else None
    vocabulary = LOREM if text == "lorem" else WORDS
    items = []
    for i in range(replies):
        body = real[i % len(real)] if real else "<p>" + " ".join(rng.choice(vocabulary) for _ in range(60)) + ".</p>"  # ~400 bytes
        parent = f"r{rng.randrange(i)}" if i and rng.random() < 0.6 else None
        items.append({
            "id": f"r{i}", "number": i + 1, "permalink": f"https://forum.example.org/t/1/{i + 1}",
            "author": f"user{rng.randrange(5000)}", "posted_at": f"2026-07-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
            "posted_at_text": None, "parent_id": parent, "title": None, "mentions": [],
            "engagement": {"likes": rng.randrange(50)}, "body": body,
        })
    thread = {"digest_thread": 1, "id": "bench", "title": "Bench", "url": "https://forum.example.org/t/1",
              "source_format": "canonical", "note": None, "retrieved_at": None, "partial": False,
              "total_replies": replies, "author": None, "import_notes": [], "opening_post": None, "replies": items}
    path.write_text(json.dumps(thread))


BASELINE = """
import json, resource, sys, time
t = time.perf_counter()
with open(sys.argv[1]) as f:
    data = json.load(f)
ranked = sorted(data["replies"], key=lambda r: r["engagement"].get("likes", 0), reverse=True)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

DIGEST = """
import resource, sys, time
from digest.config import ThreadSource
from digest.select import score_replies, select
from digest.sources.canonical import loads
t = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    thread = loads(f.read(), sys.argv[1])
read = time.perf_counter() - t
ranked = score_replies(thread, None)
assert len(ranked) == len(thread.replies)
done, peak = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
selection = select(thread, ThreadSource(source=sys.argv[1]), count=5, order="score", where="bench")
assert len(selection.picks) == 5
print(done - t, peak, read, time.perf_counter() - done)
"""


def run(code: str, path: Path) -> tuple[float, ...]:
    """(seconds, peak MB, and for digest the seconds spent reading and then selecting) of one fresh process."""
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True, timeout=600)
    seconds, rss_kb, *read = out.stdout.split()
    return (float(seconds), int(rss_kb) / 1024, *map(float, read))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replies", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each side (5: this machine's speed changes from one spell to the next)")
    parser.add_argument("--text", choices=("words", "lorem", "nyt"), default="words", help="bodies: drawn words, lorem ipsum, or real comments")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "thread.json"
        make_thread(path, args.replies, args.text)
        print(f"thread: {args.replies} replies ({args.text}), {path.stat().st_size / 1e6:.1f} MB")
        runs = [(run(BASELINE, path), run(DIGEST, path)) for _ in range(args.repeat)]  # in turn: a slower spell slows both
        base, ours = min(b for b, _ in runs), min(d for _, d in runs)
    print(f"baseline (json.load + sort):         {base[0]:6.2f} s   peak {base[1]:7.1f} MB")
    print(f"digest (load + validate + score):    {ours[0]:6.2f} s   peak {ours[1]:7.1f} MB"
          f"   (reading {ours[2]:.2f} s, scoring {ours[0] - ours[2]:.2f} s)")
    print(f"ratio: {ours[0] / base[0]:.2f}x (target: at most 2x; memory aim: under 1024 MB)")
    pairs = sorted(d[0] / b[0] for b, d in runs)  # each run beside its own baseline: the same spell of the machine
    print(f"ratio run by run: {' '.join(f'{r:.2f}' for r in pairs)} (median {pairs[len(pairs) // 2]:.2f}x)")
    print(f"then choosing a 5-reply digest of it (select: scores again, judges the candidates): {min(d[3] for _, d in runs):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
