"""A limit on messages per second and per hour, shared by every connection, for relays that
enforce one (exceeding it gets 4xx replies or a blocked account)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Callable


class RateLimiter:
    """Sliding windows: ``acquire`` returns once one more message stays within every limit."""

    def __init__(
        self,
        per_second: float | None = None,
        per_hour: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.windows: list[tuple[int, float, deque[float]]] = []
        if per_second:
            count = max(1, math.floor(per_second))
            self.windows.append((count, count / per_second, deque()))
        if per_hour:
            self.windows.append((per_hour, 3600.0, deque()))
        self.clock = clock
        self.sleep = sleep
        self.lock = threading.Lock()

    def acquire(self) -> None:
        if not self.windows:
            return
        with self.lock:  # waiters queue here: the one holding the lock is the next to go
            while True:
                now = self.clock()
                wait = 0.0
                for count, span, stamps in self.windows:
                    while stamps and stamps[0] <= now - span:
                        stamps.popleft()
                    if len(stamps) >= count:
                        wait = max(wait, stamps[0] + span - now)
                if wait <= 0:
                    for _, _, stamps in self.windows:
                        stamps.append(now)
                    return
                self.sleep(wait)
