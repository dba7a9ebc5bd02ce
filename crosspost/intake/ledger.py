"""An account's posts (already scheduled and newly planned) counted against its budget, so a
plan never asks the worker for more than the platform allows; the worker would only make the
extra posts wait for the platform's reset, far from the time the plan promised.

`per_day` counts the platform's own calendar day where the budget names a zone (YouTube's
quota day ends at midnight Pacific: 14:00 or 15:00 in Vietnam); every other window, and
`per_day` without a zone, is rolling: no span of that length may hold more than the limit.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from crosspost.config import BUDGET_WINDOWS, Budget


class BudgetLedger:
    def __init__(self, budget: Budget, times: Iterable[datetime] = ()) -> None:
        self.budget = budget
        self.day_zone = ZoneInfo(budget.day_zone) if budget.day_zone else None
        self.times: list[datetime] = []
        self.per_day: Counter[date] = Counter()
        for at in times:
            self.add(at)

    def day_of(self, at: datetime) -> date | None:
        """The platform's calendar day `at` counts against, if its budget has one."""
        return at.astimezone(self.day_zone).date() if self.day_zone else None

    def fits(self, at: datetime) -> bool:
        """Whether one more post at `at` stays within every limit."""
        for window, limit in sorted(self.budget.limits.items()):
            day = self.day_of(at)
            if window == "per_day" and day is not None:
                if self.per_day[day] + 1 > limit:
                    return False
            elif not self._rolling_fits(at, timedelta(seconds=BUDGET_WINDOWS[window]), limit):
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
            zoned = window == "per_day" and self.day_zone
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
