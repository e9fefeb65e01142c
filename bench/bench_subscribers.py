"""Getting a digest's recipients from the subscriber store, against the bare baseline.

Baseline: reading the same seed CSV with the csv module alone (what a CSV-only send did,
without validation).  Measured: ``subscribers.recipients`` — validating the CSV with
email-validator, syncing it into the SQLite store and reading the active subscribers — on the
first send (an empty store: every address inserted) and on a later one (nothing new), and an
import of the same list through ``digest subscribers import``'s code path.

    .venv/bin/python bench/bench_subscribers.py [--subscribers 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from digest.subscribers import SubscriberStore, read_csv, recipients, store_path

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def make_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["email", "name"])
        for i in range(count):
            writer.writerow([f"reader{i}@example{i % 97}.org", f"Reader {i}"])


def best(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seed = folder / "seed.csv"
        make_csv(seed, args.subscribers)
        config = SimpleNamespace(name="bench", subscribers=seed)

        def baseline() -> None:
            with seed.open(encoding="utf-8") as f:
                assert sum(1 for _ in csv.DictReader(f)) == args.subscribers

        counter = iter(range(10**6))

        def first_send() -> None:
            state = folder / f"state{next(counter)}"
            assert len(recipients(state, config, NOW).subscribers) == args.subscribers

        later_state = folder / "later"
        recipients(later_state, config, NOW)

        def later_send() -> None:
            assert len(recipients(later_state, config, NOW).subscribers) == args.subscribers

        def import_list() -> None:
            rows, _ = read_csv(seed)
            with SubscriberStore(store_path(folder / f"import{next(counter)}")) as store, store.batch():
                for row in rows:
                    store.subscribe("bench", row.subscriber, NOW, f"imported from seed.csv:{row.line}", keep_format=True)

        base = best(args.repeat, baseline)
        print(f"{args.subscribers} subscribers, best of {args.repeat}")
        print(f"baseline  csv.DictReader only          {base * 1000:8.1f} ms")
        for label, run in (("first send  (validate + insert all)", first_send), ("later send  (validate, nothing new)", later_send), ("import      (validate + subscribe)", import_list)):
            took = best(args.repeat, run)
            print(f"{label:38s} {took * 1000:8.1f} ms   {took / base:6.1f}x baseline   {args.subscribers / took:9.0f} subscribers/s")


if __name__ == "__main__":
    main()
