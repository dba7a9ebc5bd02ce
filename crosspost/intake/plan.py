"""`crosspost plan`: read the month's approved items and the accounts' calendars from the
database, hand them to the pure planner, and on `--apply` schedule every placement.

Before planning, each item is drafted for each account that would take it with the checks
`schedule` runs (`scheduling.drafts_for`), so what the plan shows is what `--apply` can do: an
item an account would refuse is listed with its problems and planned around. Applying goes
through `scheduling.schedule` (its checks and its audit events) inside the caller's one
transaction; if a placement is still refused (the item changed in between) nothing is applied.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from crosspost.adapters.base import Platform
from crosspost.adapters.registry import adapter_class
from crosspost.config import Config
from crosspost.costs import Pricing, billing_month, usd
from crosspost.db.models import (
    DUE_POST_STATES,
    LIVE_POST_STATES,
    Account,
    Attempt,
    Content,
    Post,
    PostState,
    ReviewState,
)
from crosspost.errors import Problems, UserError
from crosspost.intake.month import Month
from crosspost.intake.planner import ExistingPost, Plan, PlanAccount, PlanItem, plan_month
from crosspost.intake.spend import PLANNED, SCHEDULED, SPENT, MonthSpend, Priced, month_spend
from crosspost.posts.gate import carries_video, stored_cost
from crosspost.scheduling import Target, drafts_for, schedule
from crosspost.timeutil import as_utc, iso_local, utcnow

# Posts that hold a slot and count in a budget: those that may still go out, and those out.
HELD_STATES = tuple(s.value for s in (*LIVE_POST_STATES, PostState.PUBLISHED))
# Posts this far outside the month still matter (a gap or a budget day crossing its edge).
EDGE = timedelta(days=2)


class PlanNotApplied(Problems):
    """A placement was refused at apply though the plan passed it (the item changed in
    between); nothing was scheduled. One refused item is one line; several are a summary and
    a line per item, each naming its item, so none hides behind "and N more"."""

    def __init__(self, problems: list[str]) -> None:
        hint = "run `crosspost plan` again to see the calendar as it is now"
        head = "the plan was not applied, nothing was scheduled"
        if len(problems) == 1:
            problems = [f"{problems[0]}; {hint}"]
        summary = f"{head}: {len(problems)} items were refused; {hint}"
        super().__init__(summary, problems, head=head)


class PlanChanged(UserError):
    """`--apply --expect F` found a plan other than the one shown (a slot passed, an item was
    approved, fixed or scheduled in between): nothing was scheduled."""


def fingerprint(plan: Plan) -> str:
    """A short hash of the placements (item, account, time), so `--apply --expect` schedules
    exactly the calendar the planner was shown, or nothing."""
    rows = sorted(f"{p.content_id} {p.account} {p.at.isoformat()}" for p in plan.placements)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:12]


def check_expected(plan: Plan, expected: str) -> None:
    found = fingerprint(plan)
    if found != expected.strip().lower():
        raise PlanChanged(
            f"the plan changed since it was shown (plan {expected.strip()} is now {found}, "
            f"{len(plan.placements)} placements); nothing was scheduled: run `crosspost plan "
            f"--month {plan.month}` again, check it, and apply with its --expect"
        )


@dataclass(frozen=True)
class AppliedPlan:
    plan: Plan
    post_ids: dict[tuple[int, str], int]  # (content id, account) -> the post created


def planning_accounts(config: Config) -> list[PlanAccount]:
    """Enabled accounts with the kinds their adapter takes (no credentials needed)."""
    return [
        PlanAccount(
            account.name,
            account.platform.value,
            frozenset(
                k.value for k in adapter_class(account.platform, account.adapter).supported_kinds
            ),
        )
        for account in config.accounts.values()
        if account.enabled
    ]


def month_items(session: Session, month: Month) -> list[PlanItem]:
    """Approved content submitted for the month or before it (last month's leftovers too; none
    submitted for a later month), each with the accounts that already had a post of it.

    Any post counts, failed or cancelled included: those are the operator's to retry or
    repost, and the plan never brings back what someone stopped."""
    planned_period = or_(Content.period.is_(None), Content.period <= str(month))
    rows = session.execute(
        select(Content.id, Content.kind, Content.unit, Content.title)
        .where(planned_period, Content.review_state == ReviewState.APPROVED)
        .order_by(Content.id)
    ).all()
    done: dict[int, set[str]] = defaultdict(set)
    for content_id, account in session.execute(
        select(Post.content_id, Account.name)
        .join(Account, Account.id == Post.account_id)
        .join(Content, Content.id == Post.content_id)
        .where(planned_period, Content.review_state == ReviewState.APPROVED)
    ):
        done[content_id].add(account)
    return [
        PlanItem(cid, kind, unit, title, frozenset(done[cid])) for cid, kind, unit, title in rows
    ]


def checked(
    session: Session, config: Config, items: list[PlanItem], accounts: list[PlanAccount]
) -> tuple[list[PlanItem], dict[tuple[int, str], Decimal]]:
    """Each item with what the accounts it would go to refuse (`PlanItem.refused`): the
    drafting checks `schedule` runs, one account at a time, so one account's problem does not
    keep the item off the others; and on each priced account, what its draft would cost."""
    contents = {
        c.id: c
        for c in session.scalars(
            select(Content)
            .where(Content.id.in_([i.content_id for i in items]))
            .options(selectinload(Content.media))
        )
    }
    result = []
    costs: dict[tuple[int, str], Decimal] = {}
    for item in items:
        refused = []
        videos: set[str] = set()
        for account in accounts:
            if item.kind not in account.kinds or account.name in item.done:
                continue
            target = Target(account.name, Platform(account.platform))
            documents, problems = drafts_for(config, contents[item.content_id], [target])
            refused += [(account.name, p.removeprefix(f"{account.name}: ")) for p in problems]
            if account.name in documents and carries_video(documents[account.name]):
                videos.add(account.name)
            pricing = config.accounts[account.name].budget.pricing
            if pricing is not None and account.name in documents:
                costs[(item.content_id, account.name)] = stored_cost(
                    documents[account.name], pricing
                )
        result.append(replace(item, refused=tuple(refused), videos=frozenset(videos)))
    return result, costs


def calendar_posts(session: Session, month: Month, zone: ZoneInfo) -> list[ExistingPost]:
    """Every post around the month that holds a slot: due, retrying, in doubt or published."""
    low, high = month.start(zone) - EDGE, month.end(zone) + EDGE
    rows = session.execute(
        select(Post, Account.name, Content.unit)
        .join(Account, Account.id == Post.account_id)
        .join(Content, Content.id == Post.content_id)
        .where(
            Post.state.in_(HELD_STATES),
            or_(
                Post.scheduled_at.between(low, high),
                Post.next_attempt_at.between(low, high),
                Post.published_at.between(low, high),
            ),
        )
        .order_by(Post.id)
    ).all()
    return [
        ExistingPost(account, _held_at(post), unit, carries_video(post.draft))
        for post, account, unit in rows
    ]


def priced_posts(
    session: Session, pricing: Mapping[str, Pricing], month: Month, zone: ZoneInfo, now: datetime
) -> list[Priced]:
    """The priced accounts' posts in the billing months the plan's month touches: a post with
    an attempt started in a billing month is spent there (once, as the gate counts it); a post
    still to go out is scheduled at its due time (now, if overdue)."""
    found: list[Priced] = []
    due_at = func.coalesce(Post.next_attempt_at, Post.scheduled_at)
    for name, prices in pricing.items():
        low = billing_month(month.start(zone), prices.month_zone).start
        high = billing_month(month.end(zone) - timedelta(microseconds=1), prices.month_zone).end
        rows = session.execute(
            select(Post, Attempt.started_at)
            .join(Account, Account.id == Post.account_id)
            .outerjoin(Attempt, Attempt.post_id == Post.id)
            .where(
                Account.name == name,
                or_(
                    (Attempt.started_at >= low) & (Attempt.started_at < high),
                    Post.state.in_(DUE_POST_STATES) & (due_at >= low) & (due_at < high),
                ),
            )
            .order_by(Post.id, Attempt.started_at)
        ).all()
        posts = {post.id: post for post, _ in rows}
        cost = {post_id: stored_cost(post.draft, prices) for post_id, post in posts.items()}
        spent: set[tuple[int, str]] = set()
        for post, started_at in rows:
            if started_at is None or not low <= as_utc(started_at) < high:
                continue
            label = billing_month(started_at, prices.month_zone).label
            if (post.id, label) not in spent:
                spent.add((post.id, label))
                found.append(
                    Priced(name, as_utc(started_at), cost[post.id], SPENT, post.content_id)
                )
        for post in posts.values():
            due = max(as_utc(_held_at(post)), now)
            label = billing_month(due, prices.month_zone).label
            if (
                post.state in DUE_POST_STATES
                and low <= due < high
                and (post.id, label) not in spent
            ):
                found.append(Priced(name, due, cost[post.id], SCHEDULED, post.content_id))
    return found


def _held_at(post: Post) -> datetime:
    """When the post is (or was) on the platform's calendar."""
    if post.state == PostState.PUBLISHED:
        return post.published_at or post.scheduled_at
    return post.next_attempt_at or post.scheduled_at


def make_plan(session: Session, config: Config, month: Month, *, now: datetime) -> Plan:
    accounts = planning_accounts(config)
    items, costs = checked(session, config, month_items(session, month), accounts)
    plan = plan_month(
        items=items,
        accounts=accounts,
        windows=config.windows,
        budgets={a.name: config.accounts[a.name].budget for a in accounts},
        existing=calendar_posts(session, month, config.timezone),
        month=month,
        now=now,
        zone=config.timezone,
    )
    placements = tuple(
        replace(p, cost=costs.get((p.content_id, p.account))) for p in plan.placements
    )
    pricing = {
        a.name: pricing
        for a in accounts
        if (pricing := config.accounts[a.name].budget.pricing) is not None
    }
    planned = [
        Priced(p.account, p.at, p.cost, PLANNED, p.content_id, p.title)
        for p in placements
        if p.cost is not None
    ]
    spend = month_spend(
        priced_posts(session, pricing, month, config.timezone, now) + planned, pricing
    )
    return replace(plan, placements=placements, spend=spend)


def apply_plan(
    session: Session, config: Config, plan: Plan, *, actor: str, now: datetime | None = None
) -> AppliedPlan:
    """Schedule exactly the plan's placements (never its refused items); on any refusal raise,
    so the caller's transaction rolls back every post this call created."""
    now = now or utcnow()
    post_ids: dict[tuple[int, str], int] = {}
    problems: list[str] = []
    for placement in plan.placements:
        try:
            posts = schedule(
                session,
                config,
                placement.content_id,
                placement.at,
                actor=actor,
                accounts=[placement.account],
                now=now,
            )
        except UserError as exc:
            line = exc.one_line() if isinstance(exc, Problems) else str(exc)
            if line not in problems:  # an item's missing media, once for all its accounts
                problems.append(line)
            continue
        post_ids[(placement.content_id, placement.account)] = posts[0].id
    if problems:
        raise PlanNotApplied(problems)
    return AppliedPlan(plan, post_ids)


def plan_json(
    plan: Plan, zone: ZoneInfo, post_ids: dict[tuple[int, str], int] | None = None
) -> dict[str, Any]:
    """Stable keys: month, fingerprint, applied, placements (each with its expected `cost`,
    null where posts are not priced), unplaced, refused (a problem each), accounts, spend (a row
    per priced account and billing month); times with the offset, amounts as USD text."""
    return {
        "month": str(plan.month),
        "fingerprint": fingerprint(plan),
        "applied": post_ids is not None,
        "placements": [
            {
                "content_id": p.content_id,
                "title": p.title,
                "unit": p.unit,
                "kind": p.kind,
                "account": p.account,
                "platform": p.platform,
                "at": iso_local(p.at, zone),
                "post_id": (post_ids or {}).get((p.content_id, p.account)),
                "cost": None if p.cost is None else usd(p.cost),
            }
            for p in plan.placements
        ],
        "unplaced": [
            {
                "content_id": u.content_id,
                "title": u.title,
                "unit": u.unit,
                "kind": u.kind,
                "account": u.account,
                "reason": u.reason,
            }
            for u in plan.unplaced
        ],
        "refused": [
            {
                "content_id": r.content_id,
                "title": r.title,
                "unit": r.unit,
                "kind": r.kind,
                "account": r.account,
                "problem": r.problem,
            }
            for r in plan.refused
        ],
        "accounts": [
            {
                "account": a.account,
                "platform": a.platform,
                "slots": a.slots,
                "free": a.free,
                "planned": a.planned,
            }
            for a in plan.accounts
        ],
        "spend": [spend_json(row, zone) for row in plan.spend],
    }


def spend_json(row: MonthSpend, zone: ZoneInfo) -> dict[str, Any]:
    """One account's billing month: what is spent, scheduled and planned, their total, the cap
    (null: none) and the placements the gate would defer past it."""
    return {
        "account": row.account,
        "month": row.month,
        "month_zone": row.zone,
        "currency": "USD",
        "spent": usd(row.spent),
        "scheduled": usd(row.scheduled),
        "planned": usd(row.planned),
        "total": usd(row.total),
        "cap": None if row.cap is None else usd(row.cap),
        "over_cap": [
            {
                "content_id": p.content_id,
                "title": p.title,
                "at": iso_local(p.at, zone),
                "cost": usd(p.cost),
            }
            for p in row.over_cap
        ],
    }
