"""The pieces the planner stands on: the month, the posting slots a window gives, and the budget
ledger (YouTube's day ends at midnight Pacific, 14:00 or 15:00 in Vietnam)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crosspost.budgets import BudgetLedger
from crosspost.config import Budget, WindowSettings
from crosspost.errors import UserError
from crosspost.intake.month import Month
from crosspost.intake.slots import day_offsets, month_slots

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PACIFIC = "America/Los_Angeles"


def clock(minutes: list[int]) -> list[str]:
    return [f"{m // 60:02d}:{m % 60:02d}" for m in minutes]


def vn(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HCM).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"), [("2026-11", Month(2026, 11)), (" 2027-01 ", Month(2027, 1))]
)
def test_a_month_is_read_strictly(text, expected):
    assert Month.parse(text) == expected
    assert str(expected) == text.strip()


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "11/2026", "2026-1", "2026", "", "tháng 11"]
)
def test_a_bad_month_says_the_format(text):
    with pytest.raises(UserError, match=r"must be YYYY-MM, such as 2026-11"):
        Month.parse(text)


def test_month_bounds_are_midnight_in_the_zone():
    december = Month(2026, 12)
    assert december.start(HCM) == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert december.end(HCM) == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert december.next() == Month(2027, 1)
    assert len(Month(2028, 2).days()) == 29


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        # the shipped config/crosspost.toml windows
        (WindowSettings(4, ("07:00-21:00",), 90), ["08:45", "12:15", "15:45", "19:15"]),
        (WindowSettings(2, ("09:00-20:00",), 180), ["11:45", "17:15"]),
        (
            WindowSettings(6, ("06:30-22:00",), 60),
            ["07:45", "10:20", "12:55", "15:30", "18:05", "20:40"],
        ),
        # two ranges are one window laid end to end; overlapping ranges are merged
        (WindowSettings(3, ("17:00-21:00", "07:00-09:00"), 60), ["08:00", "18:00", "20:00"]),
        (WindowSettings(2, ("07:00-10:00", "08:00-11:00"), 60), ["08:00", "10:00"]),
    ],
)
def test_slots_sit_in_the_middle_of_equal_parts_of_the_window(window, expected):
    assert clock(day_offsets(window)) == expected


def test_slots_too_close_across_midnight_are_dropped():
    # 05:50 and 17:35 are 705 minutes apart: under the 720-minute gap, so every other is dropped
    window = WindowSettings(2, ("00:00-23:30",), 720)
    slots = month_slots(window, Month(2026, 12), HCM)
    assert all(b - a >= timedelta(minutes=720) for a, b in itertools.pairwise(slots))
    assert len(slots) < 2 * 31
    assert slots[0] == vn("2026-12-01 05:50")


def test_month_slots_cover_every_day_in_utc():
    slots = month_slots(WindowSettings(2, ("09:00-20:00",), 180), Month(2026, 12), HCM)
    assert len(slots) == 62
    assert slots[0] == datetime(2026, 12, 1, 4, 45, tzinfo=UTC)
    assert slots[-1] == vn("2026-12-31 17:15")


def test_youtube_day_is_the_pacific_day():
    ledger = BudgetLedger(Budget({"per_day": 1}, PACIFIC))
    ledger.add(vn("2026-12-02 11:45"))  # 1 December in California
    assert ledger.fits(vn("2026-12-02 17:15"))  # 2 December there: a new quota day
    ledger.add(vn("2026-12-02 17:15"))
    assert not ledger.fits(vn("2026-12-03 11:45"))  # still 2 December there
    assert ledger.fits(vn("2026-12-03 15:00"))  # midnight Pacific: 3 December
    assert "per_day 1 (America/Los_Angeles day)" in ledger.describe()


def test_summer_time_moves_the_youtube_day_to_14h_in_vietnam():
    ledger = BudgetLedger(Budget({"per_day": 1}, PACIFIC), [vn("2026-07-10 13:59")])
    assert ledger.fits(vn("2026-07-10 14:00"))
    assert not ledger.fits(vn("2026-07-10 13:30"))


@pytest.mark.parametrize(
    ("limits", "posts", "candidate", "fits"),
    [
        ({"per_day": 2}, ["2026-12-01 08:00", "2026-12-01 20:00"], "2026-12-02 07:59", False),
        ({"per_day": 2}, ["2026-12-01 08:00", "2026-12-01 20:00"], "2026-12-02 08:00", True),
        ({"per_hour": 1}, ["2026-12-01 08:00"], "2026-12-01 07:01", False),
        ({"per_hour": 1}, ["2026-12-01 08:00"], "2026-12-01 09:00", True),
        ({"per_15_minutes": 2}, ["2026-12-01 08:00", "2026-12-01 08:20"], "2026-12-01 08:10", True),
        (
            {"per_15_minutes": 2},
            ["2026-12-01 08:00", "2026-12-01 08:05"],
            "2026-12-01 08:14",
            False,
        ),
        ({}, ["2026-12-01 08:00"] * 50, "2026-12-01 08:00", True),
    ],
)
def test_budgets_without_a_zone_are_rolling(limits, posts, candidate, fits):
    ledger = BudgetLedger(Budget(limits), [vn(p) for p in posts])
    assert ledger.fits(vn(candidate)) is fits
