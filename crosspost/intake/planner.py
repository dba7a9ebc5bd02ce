"""The publishing plan as a pure function: approved items, accounts, windows, budgets, the posts
already scheduled, the month, now and the zone in; a calendar and what does not fit out.

No database and no clock, so it is tested on its own and the same input always gives the same
plan. Each account is planned on its own: its free slots (see `slots`), its budget (see
`crosspost.budgets`). Items are taken one unit at a time in turn (and, within a unit, one
kind at a time in turn), so when a month is over-full every unit still gets its share and one
unit's items sit apart; each item aims at an evenly spread slot and moves to the nearest free
slot where its unit is not the neighbour nor already on that day, settling for less only
when no slot avoids it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import chain
from zoneinfo import ZoneInfo

from crosspost.adapters.base import ContentKind
from crosspost.budgets import BudgetLedger
from crosspost.config import Budget, WindowSettings
from crosspost.intake.month import Month
from crosspost.intake.slots import month_slots, separation
from crosspost.intake.spend import MonthSpend

KIND_ORDER = tuple(k.value for k in ContentKind)


@dataclass(frozen=True)
class PlanItem:
    content_id: int
    kind: str
    unit: str | None
    title: str = ""
    # Accounts that already have it (a live or published post): not planned there again.
    done: frozenset[str] = frozenset()
    # (account, problem): what scheduling would refuse there; not planned on that account.
    refused: tuple[tuple[str, str], ...] = ()
    # Accounts whose draft of it carries a video (counted in their `Budget.video_limits`).
    videos: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PlanAccount:
    name: str
    platform: str
    kinds: frozenset[str]  # the content kinds its adapter takes


@dataclass(frozen=True)
class ExistingPost:
    """A post already on an account's calendar: it holds its slot and counts in the budget."""

    account: str
    at: datetime
    unit: str | None = None
    video: bool = False  # it carries a video (counted in `Budget.video_limits` too)


@dataclass(frozen=True)
class Placement:
    content_id: int
    account: str
    platform: str
    at: datetime
    unit: str | None
    kind: str
    title: str
    cost: Decimal | None = None  # what posting it is expected to cost (priced accounts only)


@dataclass(frozen=True)
class Unplaced:
    content_id: int
    account: str | None  # None: no enabled account takes the kind at all
    reason: str
    unit: str | None
    kind: str
    title: str


@dataclass(frozen=True)
class Refused:
    """An item the account would refuse (its draft's problem): listed, and planned around."""

    content_id: int
    account: str
    problem: str
    unit: str | None
    kind: str
    title: str


@dataclass(frozen=True)
class AccountLoad:
    account: str
    platform: str
    slots: int  # the month's slots from now on
    free: int  # of those, not taken by posts already scheduled
    planned: int


@dataclass(frozen=True)
class Plan:
    month: Month
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    accounts: tuple[AccountLoad, ...]
    refused: tuple[Refused, ...] = ()
    # The expected spend per priced account and billing month (crosspost/intake/spend.py).
    spend: tuple[MonthSpend, ...] = ()


def plan_month(
    items: Iterable[PlanItem],
    accounts: Iterable[PlanAccount],
    windows: Mapping[str, WindowSettings],
    budgets: Mapping[str, Budget],
    existing: Iterable[ExistingPost],
    month: Month,
    now: datetime,
    zone: ZoneInfo,
) -> Plan:
    """Place every item on every account that takes its kind, does not have it yet and would
    not refuse it (`PlanItem.refused`, listed in `Plan.refused`)."""
    items = sorted(items, key=lambda i: i.content_id)
    accounts = sorted(accounts, key=lambda a: a.name)
    existing_by_account: dict[str, list[ExistingPost]] = defaultdict(list)
    for post in existing:
        existing_by_account[post.account].append(post)
    placements: list[Placement] = []
    unplaced = [
        Unplaced(i.content_id, None, f"no enabled account takes {i.kind} content", *_about(i))
        for i in items
        if not any(i.kind in a.kinds for a in accounts)
    ]
    loads = []
    for account in accounts:
        wanted = [
            i
            for i in items
            if i.kind in account.kinds
            and account.name not in i.done
            and account.name not in {name for name, _ in i.refused}
        ]
        calendar = _AccountCalendar(
            account,
            windows.get(account.platform, WindowSettings()),
            budgets.get(account.name, Budget()),
            existing_by_account.get(account.name, []),
            month,
            now,
            zone,
        )
        placed, missed = calendar.place(interleave(wanted))
        placements.extend(placed)
        unplaced.extend(missed)
        loads.append(
            AccountLoad(
                account.name, account.platform, calendar.future, len(calendar.slots), len(placed)
            )
        )
    return Plan(
        month=month,
        placements=tuple(sorted(placements, key=lambda p: (p.at, p.account, p.content_id))),
        unplaced=tuple(sorted(unplaced, key=lambda u: (u.content_id, u.account or ""))),
        accounts=tuple(loads),
        refused=tuple(
            sorted(
                (
                    Refused(i.content_id, name, problem, *_about(i))
                    for i in items
                    for name, problem in i.refused
                    if name not in i.done
                    and any(a.name == name and i.kind in a.kinds for a in accounts)
                ),
                key=lambda r: (r.content_id, r.account),
            )
        ),
    )


def interleave(items: Sequence[PlanItem]) -> list[PlanItem]:
    """One item of each unit in turn (units in code order, no unit last); within a unit, one
    item of each kind in turn, so neither a unit nor a kind bunches up on the calendar."""
    by_unit: dict[str | None, list[PlanItem]] = defaultdict(list)
    for item in sorted(items, key=lambda i: i.content_id):
        by_unit[item.unit].append(item)
    units = sorted(by_unit, key=lambda u: (u is None, u or ""))
    queues = [_by_kind(by_unit[u]) for u in units]
    return list(_round_robin(queues))


def _by_kind(items: list[PlanItem]) -> list[PlanItem]:
    groups: dict[str, list[PlanItem]] = defaultdict(list)
    for item in items:
        groups[item.kind].append(item)
    kinds = sorted(groups, key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else 99, k))
    return list(_round_robin([groups[k] for k in kinds]))


def _round_robin(queues: list[list[PlanItem]]) -> Iterator[PlanItem]:
    for turn in range(max((len(q) for q in queues), default=0)):
        for queue in queues:
            if turn < len(queue):
                yield queue[turn]


def _about(item: PlanItem) -> tuple[str | None, str, str]:
    return item.unit, item.kind, item.title


class _AccountCalendar:
    """One account's month: free slots, the posts around them, and its budget."""

    def __init__(
        self,
        account: PlanAccount,
        window: WindowSettings,
        budget: Budget,
        existing: list[ExistingPost],
        month: Month,
        now: datetime,
        zone: ZoneInfo,
    ) -> None:
        self.account = account
        self.zone = zone
        self.month = month
        gap = separation(window)
        posts = sorted(existing, key=lambda p: (p.at, p.unit or ""))
        self.times = [p.at for p in posts]
        self.units = [p.unit for p in posts]
        self.unit_days: Counter[tuple[date, str | None]] = Counter(
            (self._day(p.at), p.unit) for p in posts
        )
        future = [s for s in month_slots(window, month, zone) if s >= now]
        self.future = len(future)
        self.slots = [s for s in future if not self._near_post(s, gap)]
        self.free = [True] * len(self.slots)
        self.ledger = BudgetLedger(budget, self.times)
        # The windows on posts carrying a video, over those posts only (rolling, as the gate's).
        self.video_ledger = BudgetLedger(
            Budget(budget.video_limits), [p.at for p in posts if p.video]
        )

    def place(self, items: list[PlanItem]) -> tuple[list[Placement], list[Unplaced]]:
        placed: list[Placement] = []
        missed: list[Unplaced] = []
        for index, item in enumerate(items):
            target = index * len(self.slots) // len(items)
            video = self.account.name in item.videos
            slot = self._pick(target, item.unit, video)
            if slot is None:
                missed.append(
                    Unplaced(item.content_id, self.account.name, self._why_full(), *_about(item))
                )
                continue
            at = self.slots[slot]
            self.free[slot] = False
            self._occupy(at, item.unit)
            if video:
                self.video_ledger.add(at)
            placed.append(
                Placement(
                    item.content_id,
                    self.account.name,
                    self.account.platform,
                    at,
                    *_about(item),
                )
            )
        return placed, missed

    def _pick(self, target: int, unit: str | None, video: bool = False) -> int | None:
        """The first free slot from `target` on (then the nearest before it) that the budget
        allows (a video's windows too), preferring one where the unit is neither a neighbour
        nor already that day."""
        best: tuple[int, int] | None = None  # (closeness, slot index)
        for index in chain(range(target, len(self.slots)), range(target - 1, -1, -1)):
            if not self.free[index] or not self.ledger.fits(self.slots[index]):
                continue
            if video and not self.video_ledger.fits(self.slots[index]):
                continue
            closeness = self._closeness(self.slots[index], unit)
            if closeness == 0:
                return index
            if best is None or closeness < best[0]:
                best = (closeness, index)
        return None if best is None else best[1]

    def _closeness(self, at: datetime, unit: str | None) -> int:
        """0: the unit is apart; 1: it already has a post that day; 2: it is a neighbour."""
        if unit is None:
            return 0
        position = bisect_left(self.times, at)
        neighbours = self.units[max(position - 1, 0) : position + 1]
        if unit in neighbours:
            return 2
        return 1 if self.unit_days[(self._day(at), unit)] else 0

    def _occupy(self, at: datetime, unit: str | None) -> None:
        position = bisect_right(self.times, at)
        self.times.insert(position, at)
        self.units.insert(position, unit)
        self.unit_days[(self._day(at), unit)] += 1
        self.ledger.add(at)

    def _near_post(self, at: datetime, gap: timedelta) -> bool:
        position = bisect_left(self.times, at)
        around = self.times[max(position - 1, 0) : position + 1]
        return any(abs(at - t) < gap for t in around)

    def _day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def _why_full(self) -> str:
        name, month = self.account.name, self.month
        if self.future == 0:
            return f"{name} has no posting slot in {month} after now"
        if not any(self.free):
            taken = self.future - len(self.slots)
            return (
                f"{name} has no free slot left in {month} ({self.future} slots from now on: "
                f"{taken} taken by posts already scheduled, {len(self.slots)} planned here)"
            )
        videos = self.video_ledger.describe()
        limits = "; ".join(
            part
            for part in (self.ledger.describe(), videos and f"posts with a video: {videos}")
            if part
        )
        return (
            f"{name}'s budget ({limits}) is used up on every day "
            f"that still has a free slot in {month}"
        )
