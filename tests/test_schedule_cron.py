"""Cron schedules in the digest's own time zone: wall-clock times across DST changes,
cron's weekday numbers, and config errors that say where and how to fix."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from digest.config import load_digest
from digest.cron import next_fire_times
from digest.errors import ConfigError
from tests.test_schedule_runs import make_config_dir

PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc


def test_eight_oclock_paris_stays_eight_oclock_across_both_dst_changes():
    spring = next_fire_times("0 8 * * *", "Europe/Paris", datetime(2026, 3, 27, 12, tzinfo=UTC), 4)
    assert [t.astimezone(PARIS).strftime("%m-%d %H:%M") for t in spring] == ["03-28 08:00", "03-29 08:00", "03-30 08:00", "03-31 08:00"]
    assert [t.astimezone(UTC).hour for t in spring] == [7, 6, 6, 6]  # CET (+1) until 29 March, then CEST (+2)

    autumn = next_fire_times("0 8 * * *", "Europe/Paris", datetime(2026, 10, 23, 12, tzinfo=UTC), 3)
    assert [t.astimezone(PARIS).hour for t in autumn] == [8, 8, 8]
    assert [t.astimezone(UTC).hour for t in autumn] == [6, 7, 7]  # back to CET on 25 October


def test_weekly_monday_schedule_from_the_readme_example():
    times = next_fire_times("0 8 * * MON", "Europe/Paris", datetime(2026, 3, 20, tzinfo=UTC), 3)
    assert [t.astimezone(PARIS).strftime("%a %d %H:%M") for t in times] == ["Mon 23 08:00", "Mon 30 08:00", "Mon 06 08:00"]
    assert times[1].astimezone(UTC) - times[0].astimezone(UTC) == timedelta(days=7, hours=-1)  # the week of the change is an hour short


def test_a_time_that_happens_twice_when_clocks_go_back_fires_once():
    times = next_fire_times("30 2 * * *", "Europe/Paris", datetime(2026, 10, 24, 12, tzinfo=UTC), 3)
    days = [t.astimezone(PARIS).date().isoformat() for t in times]
    assert days == ["2026-10-25", "2026-10-26", "2026-10-27"]


def test_a_time_that_does_not_exist_when_clocks_go_forward_fires_once_that_day():
    times = next_fire_times("30 2 * * *", "Europe/Paris", datetime(2026, 3, 28, 12, tzinfo=UTC), 3)
    on_change_day = [t for t in times if t.astimezone(PARIS).date().isoformat() == "2026-03-29"]
    assert len(on_change_day) == 1
    assert on_change_day[0].astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST, an hour late, not lost


@pytest.mark.parametrize(
    ("weekday", "expected"),
    [("0", {"Sun"}), ("7", {"Sun"}), ("1", {"Mon"}), ("1-5", {"Mon", "Tue", "Wed", "Thu", "Fri"}), ("*/2", {"Sun", "Tue", "Thu", "Sat"}), ("sat,sun", {"Sat", "Sun"})],
)
def test_weekday_numbers_mean_what_they_mean_in_cron(weekday, expected):
    times = next_fire_times(f"0 8 * * {weekday}", "UTC", datetime(2026, 11, 1, tzinfo=UTC), 14)
    assert {t.strftime("%a") for t in times} == expected


def test_six_fields_put_seconds_first():
    times = next_fire_times("*/20 * * * * *", "UTC", datetime(2026, 11, 1, tzinfo=UTC), 3)
    assert [t.second for t in times] == [0, 20, 40]


@pytest.mark.parametrize(
    ("value", "problem"),
    [('"0 8 * *"', "expected 5 fields"), ('"0 25 * * *"', "not a valid cron expression"), ('"0 8 * * 9"', "bad weekday")],
)
def test_a_bad_schedule_names_the_key_and_says_how_to_fix_it(tmp_path, value, problem):
    config_dir = make_config_dir(tmp_path, {"schedule": None})
    path = config_dir / "example.toml"
    path.write_text(path.read_text().replace("[digest]\n", f"[digest]\nschedule = {value}\n", 1))
    with pytest.raises(ConfigError) as error:
        load_digest(path)
    assert "[digest].schedule" in str(error.value) and problem in str(error.value)
    assert "fix: five fields" in str(error.value)


def test_schedule_keys_are_read_with_their_defaults(tmp_path):
    plain = load_digest(make_config_dir(tmp_path / "a", {}) / "example.toml")
    assert (plain.schedule.cron, plain.schedule.approval, plain.schedule.min_new, plain.schedule.notify, plain.schedule.grace_minutes) == (None, False, 1, None, 60)
    assert plain.archive_url is None
    keys = {"schedule": "0 8 * * MON", "approval": True, "min_new": 3, "notify": "editor@garden.example.org", "grace": 15, "archive_url": "https://garden.example.org/digest"}
    full = load_digest(make_config_dir(tmp_path / "b", keys) / "example.toml")
    assert (full.schedule.cron, full.schedule.approval, full.schedule.min_new, full.schedule.notify, full.schedule.grace_minutes) == ("0 8 * * MON", True, 3, "editor@garden.example.org", 15)
    assert full.archive_url == "https://garden.example.org/digest"
