"""Importing one page from a big Disqus export, against a bare parse of the same file.

Baseline: reading the file and ``lxml.etree.fromstring`` of it, nothing else.
Measured: reading the file and ``disqus.read`` of it with ``--thread``, once with the page's
dsq:id (its posts are kept in the streaming pass) and once with a part of its title (its
posts are read in a second pass).  Each run is a fresh process, so peak memory (max RSS) is
its own; wall time and CPU time (user + system) are both shown, as CPU time varies less on a
busy machine.

    .venv/bin/python bench/bench_disqus.py [--mb 50] [--repeat 3]
    .venv/bin/python bench/bench_disqus.py --file export.xml --thread ID [--thread "part of a title"]

The generated export is in Disqus's order (every thread, then every post), with eight posts
per page, one in eight deleted, messages of a few hundred bytes.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path

WORDS = "the leek bed soil water mulch tomato split crack skin grow fruit sun rain leaf root stem plant day".split()
POSTS_PER_PAGE = 8
BYTES_PER_PAGE = 5720  # a thread and its posts as written below
HEADER = ('<?xml version="1.0" encoding="utf-8"?>\n'
          '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n')


def make_export(path: Path, megabytes: float, seed: int = 7) -> int:
    """Writes an export of about ``megabytes``; returns its number of pages."""
    rng = random.Random(seed)
    pages = max(1, int(megabytes * 1e6 / BYTES_PER_PAGE))
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for n in range(pages):
            out.write(f'<thread dsq:id="{7000000 + n}">\n<id>page-{n}</id>\n<link>https://garden.example.org/{n}/</link>\n'
                      f"<title>Bed number {n}</title>\n<message />\n<createdAt>2020-01-01T00:00:00Z</createdAt>\n"
                      "<author>\n<name>Editor</name>\n<isAnonymous>false</isAnonymous>\n</author>\n"
                      "<isClosed>false</isClosed>\n<isDeleted>false</isDeleted>\n</thread>\n")
        for n in range(pages):
            for k in range(POSTS_PER_PAGE):
                words = " ".join(rng.choice(WORDS) for _ in range(70))
                parent = f'<parent dsq:id="{n * 100 + k - 1}" />\n' if k and rng.random() < 0.5 else ""
                out.write(f'<post dsq:id="{n * 100 + k}">\n<id />\n<message><![CDATA[<p>{words}.</p>]]></message>\n'
                          f"<createdAt>2020-02-{1 + k:02d}T10:00:00Z</createdAt>\n<isDeleted>{str(k == POSTS_PER_PAGE - 1).lower()}</isDeleted>\n"
                          f"<isSpam>false</isSpam>\n<author>\n<name>User {rng.randrange(5000)}</name>\n<isAnonymous>true</isAnonymous>\n"
                          f'</author>\n<ipAddress>192.0.2.1</ipAddress>\n<thread dsq:id="{7000000 + n}" />\n{parent}</post>\n')
        out.write("</disqus>\n")
    return pages


MEASURE = """
import resource, sys, time
{imports}
t, c = time.perf_counter(), time.process_time()
{body}
usage = resource.getrusage(resource.RUSAGE_SELF)
print(time.perf_counter() - t, time.process_time() - c, usage.ru_maxrss)
"""

BASELINE = MEASURE.format(imports="from lxml import etree", body="""
with open(sys.argv[1], "rb") as f:
    root = etree.fromstring(f.read(), etree.XMLParser(resolve_entities=False, no_network=True))
""")

DIGEST = MEASURE.format(imports="from digest.sources import ImportRequest, SourceDocument, disqus", body="""
with open(sys.argv[1], "rb") as f:
    thread = disqus.read(ImportRequest((SourceDocument(sys.argv[1], f.read()),), thread=sys.argv[2]))
assert thread.replies
""")


def run(code: str, *args: str) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak MB) of one fresh process."""
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, timeout=1800)
    wall, cpu, rss_kb = out.stdout.split()
    return float(wall), float(cpu), int(rss_kb) / 1024


def best(code: str, repeat: int, *args: str) -> tuple[float, float, float]:
    runs = [run(code, *args) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


def report(label: str, figures: tuple[float, float, float], base: tuple[float, float, float] | None = None) -> None:
    wall, cpu, peak = figures
    ratio = f"   {wall / base[0]:4.1f}x wall, {cpu / base[1]:4.1f}x CPU, {peak / base[2]:4.2f}x memory" if base else ""
    print(f"{label:<44} {wall:7.2f} s wall {cpu:7.2f} s CPU   peak {peak:7.1f} MB{ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=50, help="size of the generated export")
    parser.add_argument("--file", type=Path, help="an existing export instead of a generated one")
    parser.add_argument("--thread", action="append", help="selector(s) for --file")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "export.xml"
        if args.file:
            selectors = args.thread or parser.error("--file needs --thread")
        else:
            pages = make_export(path, args.mb)
            middle = pages // 2
            selectors = [str(7000000 + middle), f"Bed number {middle}"]
        print(f"export: {path.name}, {path.stat().st_size / 1e6:.1f} MB; best of {args.repeat} (peak: the highest)")
        base = best(BASELINE, args.repeat, str(path))
        report("baseline (read + lxml.etree.fromstring)", base)
        for selector in selectors:
            report(f"digest --thread {selector!r}"[:44], best(DIGEST, args.repeat, str(path), selector), base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
