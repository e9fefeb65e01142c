"""Progress of a send: a bar with rate and ETA on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Callable, Protocol

Log = Callable[[str], None]


class Progress(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...

    def finish(self) -> None: ...


class LogProgress:
    """A line every ``every`` seconds (and at the end): done, total, rate, time left."""

    def __init__(self, log: Log, every: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.log, self.every, self.clock = log, every, clock
        self.total = self.done = 0

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self.started = self.last = self.clock()

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self.log(self.line(now))

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else float("inf")
        eta = f"{left:.0f}s left" if left != float("inf") else "time left unknown"
        return f"progress: {self.done}/{self.total} copies, {rate:.1f}/s, {eta}"

    def finish(self) -> None:
        if self.total:
            self.log(self.line(self.clock()))


class BarProgress:
    """rich's progress bar on the terminal (stderr), with rate and ETA."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TaskProgressColumn, TextColumn, TimeRemainingColumn

        self.bar = Bar(
            TextColumn("sending"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
            console=Console(file=sys.stderr), transient=False,
        )
        self.started = time.monotonic()
        self.done = 0

    def start(self, total: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("send", total=total, rate="")

    def advance(self, count: int = 1) -> None:
        self.done += count
        rate = self.done / max(time.monotonic() - self.started, 1e-9)
        self.bar.update(self.task, advance=count, rate=f"{rate:.0f}/s")

    def finish(self) -> None:
        self.bar.stop()


def progress_for(log: Log, stream=None) -> Progress:
    stream = stream or sys.stderr
    return BarProgress() if stream.isatty() else LogProgress(log)
