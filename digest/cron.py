"""Cron expressions in a digest's own time zone, as APScheduler triggers.

Standard five-field cron (minute hour day month weekday; weekday 0 or 7 is Sunday, names
work too), or six fields with seconds first.  Times are wall-clock times in the digest's
IANA zone: a 08:00 Europe/Paris digest goes at 08:00 local in winter and in summer, and a
time that occurs twice when the clocks go back fires once.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DAY_NUMBERS = {name: i for i, name in enumerate(_DAY_NAMES)}


def _weekday_field(field: str) -> str:
    """Cron weekdays (0 = Sunday) as day names: APScheduler counts numbers from Monday."""
    if not re.search(r"\d", field.replace("*/", "")):
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = 0, 6
        else:
            low, _, high = span.partition("-")
            first = _day(low)
            last = _day(high) if high else (6 if step_text else first)
        if first > last or step < 1:
            raise ValueError(f"bad weekday range {part!r}")
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def _day(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    if token[:3] in _DAY_NUMBERS:
        return _DAY_NUMBERS[token[:3]]
    raise ValueError(f"bad weekday {token!r}")


class WallClockCronTrigger(CronTrigger):
    """A cron trigger that fires once per wall-clock time, even when the clocks go back."""

    def get_next_fire_time(self, previous_fire_time, now):
        fire = super().get_next_fire_time(previous_fire_time, now)
        if fire is not None and previous_fire_time is not None and _same_wall_time(fire, previous_fire_time, self.timezone):
            return super().get_next_fire_time(fire, _just_after(fire))
        return fire


def _just_after(moment: datetime) -> datetime:
    """One microsecond later in absolute time (wall-clock arithmetic would lose the fold)."""
    return moment.astimezone(dt_timezone.utc) + timedelta(microseconds=1)


def _same_wall_time(a: datetime, b: datetime, zone) -> bool:
    return a.astimezone(zone).replace(tzinfo=None, fold=0) == b.astimezone(zone).replace(tzinfo=None, fold=0)


def cron_trigger(expression: str, timezone: str) -> WallClockCronTrigger:
    """The trigger for a cron expression; ValueError says what is wrong with it."""
    fields = expression.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), found {len(expression.split())}")
    second, minute, hour, day, month, weekday = fields
    return WallClockCronTrigger(
        second=second, minute=minute, hour=hour, day=day, month=month,
        day_of_week=_weekday_field(weekday), timezone=ZoneInfo(timezone),
    )


def cron_problem(expression: str) -> str | None:
    """Why a cron expression is not valid, or None (for config validation)."""
    try:
        cron_trigger(expression, "UTC")
    except ValueError as exc:
        return f"not a valid cron expression {expression!r}: {exc}"
    return None


def next_fire_times(expression: str, timezone: str, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` times a schedule fires after ``after``, in the digest's zone."""
    trigger = cron_trigger(expression, timezone)
    times: list[datetime] = []
    previous, now = None, after
    while len(times) < count:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None:
            break
        times.append(fire)
        previous, now = fire, _just_after(fire)
    return times
