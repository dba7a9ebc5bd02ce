"""Budget windows: how many posts an account may start per window, as pure arithmetic.

Two callers count against the same rules, so they must agree: the worker's claim-time gate
(`posts/gate.py`: may this due post start now, else when?) and the month planner (does one more
planned post fit?). `per_day` is the platform's own calendar day where the budget names a zone
(YouTube's quota day ends at midnight Pacific: 15:00 in Vietnam in winter, 14:00 in summer);
every other window, and `per_day` without a zone, is rolling. No database, no clock, no I/O.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crosspost.config import BUDGET_WINDOWS, Budget
from crosspost.timeutil import as_utc

WINDOW_WORDS = {
    "per_minute": "a minute",
    "per_15_minutes": "15 minutes",
    "per_hour": "an hour",
    "per_day": "a day",
}


@dataclass(frozen=True)
class PlatformDay:
    """The platform's calendar day holding a moment: its date there, and its bounds in UTC."""

    day: date
    start: datetime
    end: datetime


def platform_day(at: datetime, zone: str) -> PlatformDay:
    """The day of `zone` that `at` falls in. Both bounds are built from the wall-clock midnight,
    so a day with a DST change is 23 or 25 hours long and still ends at midnight."""
    tz = ZoneInfo(zone)
    day = at.astimezone(tz).date()
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return PlatformDay(day, as_utc(start), as_utc(end))


def window_span(key: str) -> timedelta:
    return timedelta(seconds=BUDGET_WINDOWS[key])


def window_start(key: str, now: datetime, day_zone: str | None) -> datetime:
    """Where the window ending now begins: the platform's midnight for a zoned day."""
    if key == "per_day" and day_zone:
        return platform_day(now, day_zone).start
    return now - window_span(key)


def next_day_start(now: datetime, day_zone: str) -> datetime:
    """The platform's next midnight: when a used-up zoned day has room again."""
    return platform_day(now, day_zone).end


@dataclass(frozen=True)
class Wait:
    """The account cannot start a post before `until`, for `reason`."""

    until: datetime
    reason: str


def budget_wait(
    budget: Budget,
    started: Sequence[datetime],
    now: datetime,
    account: str,
    what: str = "posts",
) -> Wait | None:
    """None if one more post fits every window of `budget`, given the sorted start times of the
    account's recent attempts; otherwise when the first window has room again, and why."""
    worst: Wait | None = None
    for key, limit in budget.limits.items():
        start = window_start(key, now, budget.day_zone)
        inside = [t for t in started if t >= start]
        if len(inside) < limit:
            continue
        if key == "per_day" and budget.day_zone:
            until = next_day_start(now, budget.day_zone)
            day = f"a day (the platform's day ends at midnight {budget.day_zone})"
        else:
            # Room again once the oldest start that keeps the window full slides out of it.
            until = inside[len(inside) - limit] + window_span(key)
            day = WINDOW_WORDS[key]
        if worst is None or until > worst.until:
            worst = Wait(until, f"budget: {account} may start {limit} {what} in {day}")
    return worst


class BudgetLedger:
    """An account's planned and existing posts counted against its budget, so a plan never asks
    the worker for more than the platform allows (the worker would only make the extra posts
    wait for the platform's reset, far from the time the plan promised). Unlike the claim-time
    gate, posts lie on both sides of a candidate: every rolling window holding it must fit."""

    def __init__(self, budget: Budget, times: Iterable[datetime] = ()) -> None:
        self.budget = budget
        self.times: list[datetime] = []
        self.per_day: Counter[date] = Counter()
        for at in times:
            self.add(at)

    def day_of(self, at: datetime) -> date | None:
        """The platform's calendar day `at` counts against, if its budget has one."""
        zone = self.budget.day_zone
        return platform_day(at, zone).day if zone else None

    def fits(self, at: datetime) -> bool:
        """Whether one more post at `at` stays within every limit."""
        for window, limit in sorted(self.budget.limits.items()):
            day = self.day_of(at)
            if window == "per_day" and day is not None:
                if self.per_day[day] + 1 > limit:
                    return False
            elif not self._rolling_fits(at, window_span(window), limit):
                return False
        return True

    def add(self, at: datetime) -> None:
        insort(self.times, at)
        day = self.day_of(at)
        if day is not None:
            self.per_day[day] += 1

    def describe(self) -> str:
        """The limits in words, for a 'does not fit' reason."""
        parts = []
        for window, limit in sorted(self.budget.limits.items()):
            zoned = window == "per_day" and self.budget.day_zone
            parts.append(f"{window} {limit}" + (f" ({self.budget.day_zone} day)" if zoned else ""))
        return ", ".join(parts)

    def _rolling_fits(self, at: datetime, span: timedelta, limit: int) -> bool:
        # Every span-long window holding `at` starts at `at` or at a post in (at - span, at].
        first = bisect_right(self.times, at - span)
        last = bisect_right(self.times, at)
        for start in [*self.times[first:last], at]:
            inside = bisect_left(self.times, start + span) - bisect_left(self.times, start)
            if inside + 1 > limit:
                return False
        return True
