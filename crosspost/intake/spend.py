"""The plan's expected spend per priced account and billing month, beside its monthly cap.

Pure: the posts' costs in, a row per (account, billing month) out. Each row adds what the
month has spent (posts with an attempt started in it: what the claim-time gate counts),
the posts already scheduled in it, and the plan's placements. With a cap it also names the
placements the gate would defer to the next billing month: the posts still to go out are
taken in time order, as the worker claims them, and one that does not fit after those before
it waits (a cheaper one after it may still fit, as at the gate: crosspost/costs.py `cap_wait`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from crosspost.costs import Pricing, billing_month


@dataclass(frozen=True)
class Priced:
    """One post's cost in an account's billing month: spent (an attempt started in the
    month), scheduled (already on the calendar, not out yet) or planned (this plan's)."""

    account: str
    at: datetime
    cost: Decimal
    status: str  # spent | scheduled | planned
    content_id: int
    title: str = ""


@dataclass(frozen=True)
class MonthSpend:
    account: str
    month: str  # the billing month, YYYY-MM in `zone`
    zone: str
    spent: Decimal
    scheduled: Decimal
    planned: Decimal
    cap: Decimal | None
    over_cap: tuple[Priced, ...]  # placements the gate would defer to the next month

    @property
    def total(self) -> Decimal:
        return self.spent + self.scheduled + self.planned


SPENT, SCHEDULED, PLANNED = "spent", "scheduled", "planned"


def month_spend(posts: Iterable[Priced], pricing: Mapping[str, Pricing]) -> tuple[MonthSpend, ...]:
    """A row per priced account and billing month that `posts` touch, in account, month order."""
    groups: dict[tuple[str, str], list[Priced]] = defaultdict(list)
    for post in posts:
        if post.account in pricing:
            label = billing_month(post.at, pricing[post.account].month_zone).label
            groups[(post.account, label)].append(post)
    rows = []
    for (account, label), group in sorted(groups.items()):
        prices = pricing[account]
        sums = {
            status: sum((p.cost for p in group if p.status == status), Decimal(0))
            for status in (SPENT, SCHEDULED, PLANNED)
        }
        rows.append(
            MonthSpend(
                account,
                label,
                prices.month_zone,
                sums[SPENT],
                sums[SCHEDULED],
                sums[PLANNED],
                prices.monthly_cap,
                _deferred(group, prices.monthly_cap, sums[SPENT]),
            )
        )
    return tuple(rows)


def _deferred(group: list[Priced], cap: Decimal | None, spent: Decimal) -> tuple[Priced, ...]:
    """The placements that would not fit under `cap`, claiming in time order after `spent`."""
    if cap is None:
        return ()
    so_far, deferred = spent, []
    for post in sorted((p for p in group if p.status != SPENT), key=lambda p: p.at):
        if so_far + post.cost <= cap:
            so_far += post.cost
        elif post.status == PLANNED:
            deferred.append(post)
    return tuple(deferred)
