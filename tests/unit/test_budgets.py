"""Budget windows: when one more post fits, and when the account has room again; the
platform's zoned day, one helper for the worker's gate and the planner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crosspost.budgets import (
    BudgetLedger,
    budget_wait,
    next_day_start,
    platform_day,
    window_start,
)
from crosspost.config import Budget

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
PACIFIC = "America/Los_Angeles"


def minutes_ago(*minutes: float) -> list[datetime]:
    return sorted(NOW - timedelta(minutes=m) for m in minutes)


@pytest.mark.parametrize(
    ("limits", "started", "room_at"),
    [
        # Given room in every window, Then nothing waits.
        ({"per_hour": 3}, minutes_ago(10, 20), None),
        # Given an hour already holding 3, Then room comes when the oldest of them leaves it.
        ({"per_hour": 3}, minutes_ago(10, 20, 50), NOW + timedelta(minutes=10)),
        # Starts older than the window do not count.
        ({"per_hour": 2}, minutes_ago(70, 90, 5), None),
        # With 4 in the window and a limit of 2, the window must lose its 3 oldest: room when
        # the third oldest (15 minutes ago) leaves it.
        ({"per_hour": 2}, minutes_ago(5, 15, 25, 35), NOW + timedelta(minutes=45)),
        # The longest wait of several windows wins.
        (
            {"per_minute": 1, "per_hour": 2},
            minutes_ago(0.5, 40),
            NOW + timedelta(minutes=20),
        ),
    ],
)
def test_rolling_windows(limits, started, room_at):
    wait = budget_wait(Budget(limits), started, NOW, "tapchi-x")
    if room_at is None:
        assert wait is None
    else:
        assert wait is not None
        assert wait.until == room_at
        assert wait.reason.startswith("budget: tapchi-x may start")


def test_a_zoned_day_is_the_platforms_calendar_day_not_a_rolling_24_hours():
    # 10:00 UTC is 02:00 in Los Angeles: Given 2 uploads since Pacific midnight (one at 08:30 UTC)
    budget = Budget({"per_day": 2}, day_zone=PACIFIC)
    started = sorted([NOW - timedelta(hours=1), NOW - timedelta(minutes=90)])
    wait = budget_wait(budget, started, NOW, "tapchi-youtube")
    # Then the next one waits for the next Pacific midnight (08:00 UTC the next day, PST).
    assert wait is not None
    assert wait.until == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert "midnight America/Los_Angeles" in wait.reason
    # And an upload from before Pacific midnight (07:00 UTC) no longer counts.
    assert budget_wait(budget, [NOW - timedelta(hours=3)], NOW, "tapchi-youtube") is None


def test_the_pacific_day_follows_daylight_saving_time():
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert next_day_start(summer, PACIFIC) == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)
    assert window_start("per_day", summer, PACIFIC) == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    # The night the clocks go back (2026-11-01), midnight is still midnight.
    before_change = datetime(2026, 10, 31, 20, 0, tzinfo=UTC)
    local = next_day_start(before_change, PACIFIC).astimezone(ZoneInfo(PACIFIC))
    assert (local.day, local.hour, local.minute) == (1, 0, 0)


def test_an_unzoned_day_is_a_rolling_24_hours():
    assert window_start("per_day", NOW, None) == NOW - timedelta(days=1)


MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@given(at=MOMENTS)
def test_the_platform_day_holds_its_moment_and_runs_midnight_to_midnight(at):
    day = platform_day(at, PACIFIC)
    assert day.start <= at < day.end
    for bound in (day.start, day.end):
        local = bound.astimezone(ZoneInfo(PACIFIC))
        assert (local.hour, local.minute) == (0, 0)
    assert timedelta(hours=23) <= day.end - day.start <= timedelta(hours=25)


@given(earlier=MOMENTS, gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)))
def test_the_worker_and_the_planner_count_the_same_zoned_day(earlier, gap):
    # Given one post on a one-a-day Pacific budget, a later one is refused by the worker's gate
    # exactly when the planner's ledger refuses it.
    budget = Budget({"per_day": 1}, day_zone=PACIFIC)
    later = earlier + gap
    gate_refuses = budget_wait(budget, [earlier], later, "tapchi-youtube") is not None
    assert gate_refuses is not BudgetLedger(budget, [earlier]).fits(later)
