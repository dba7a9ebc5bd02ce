"""Posting slots: the times in a month an account may post, from its platform's `[windows]`.

Each day's window (its `hours` ranges, in the configured zone) is cut into `slots_per_day`
equal parts with a slot in the middle of each, rounded down to 5 minutes so the calendar reads
well. Slots closer than `min_gap_minutes` to the one before (short windows, a range ending late
and the next day's starting early) are dropped, so any two slots are at least the gap apart.
The slots do not depend on "now": re-running a plan later proposes the same times.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crosspost.config import WindowSettings
from crosspost.intake.month import Month

ROUND_MINUTES = 5
# Two posts of one account never share a minute, even where the configured gap is 0.
MIN_SEPARATION = timedelta(minutes=1)


def separation(window: WindowSettings) -> timedelta:
    """How far apart two posts of an account on this platform must be."""
    return max(timedelta(minutes=window.min_gap_minutes), MIN_SEPARATION)


def hour_ranges(window: WindowSettings) -> list[tuple[int, int]]:
    """The `hours` ranges as sorted, merged (start, end) minutes after midnight; end exclusive."""
    ranges = sorted(_minutes(text) for text in window.hours)
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def day_offsets(window: WindowSettings) -> list[int]:
    """Minutes after midnight of each day's slots."""
    ranges = hour_ranges(window)
    total = sum(end - start for start, end in ranges)
    count = window.slots_per_day
    offsets = set()
    for i in range(count):
        virtual = (2 * i + 1) * total // (2 * count)
        offsets.add(_clock(ranges, virtual - virtual % ROUND_MINUTES))
    return sorted(offsets)


def month_slots(window: WindowSettings, month: Month, zone: ZoneInfo) -> list[datetime]:
    """Every slot of the month, in UTC, in time order, each at least the gap after the last."""
    offsets = day_offsets(window)
    candidates = sorted(
        datetime.combine(day, time(minute // 60, minute % 60), zone).astimezone(UTC)
        for day in month.days()
        for minute in offsets
    )
    gap = separation(window)
    kept: list[datetime] = []
    for at in candidates:
        if not kept or at - kept[-1] >= gap:
            kept.append(at)
    return kept


def _minutes(text: str) -> tuple[int, int]:
    start, end = text.split("-")
    return _hhmm(start), _hhmm(end)


def _hhmm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(ranges: list[tuple[int, int]], virtual: int) -> int:
    """The clock minute `virtual` minutes into the day's window (ranges laid end to end)."""
    for start, end in ranges:
        if virtual < end - start:
            return start + virtual
        virtual -= end - start
    return ranges[-1][1] - 1  # unreachable for virtual < total; kept inside the last range
