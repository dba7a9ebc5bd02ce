"""A monthly spend cap keeps an account's posts within what it may spend, on SQLite and
PostgreSQL: a post that would take the billing month's spend over the cap waits for the next
month, and `posts list` says why."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from crosspost.costs import Pricing, billing_month, draft_cost
from crosspost.db.models import Post
from crosspost.intake.month import Month
from crosspost.intake.plan import make_plan
from crosspost.listing import list_posts
from crosspost.posts import claims
from crosspost.posts.drafts import draft_of
from crosspost.posts.waiting import waiting_reason
from crosspost.timeutil import as_utc, utcnow
from tests.integration.test_budgets import LEASE, budgets_of, given_posts_on_x, posts

PRICES = Pricing(Decimal("0.015"), Decimal("0.20"))


def with_pricing(config, account: str, pricing: Pricing):
    accounts = dict(config.accounts)
    budget = replace(accounts[account].budget, pricing=pricing)
    accounts[account] = replace(accounts[account], budget=budget)
    return replace(config, accounts=accounts)


def stored_costs(db, ids: list[int]) -> dict[int, Decimal]:
    with db.factory() as session:
        rows = session.execute(select(Post.id, Post.draft).where(Post.id.in_(ids)))
        return {pid: draft_cost(draft_of(doc), PRICES).total for pid, doc in rows}


def test_a_post_over_the_monthly_cap_waits_for_the_next_month_and_says_why(db, memory_config):
    ids = given_posts_on_x(db, memory_config, 3)
    costs = stored_costs(db, ids)
    assert all(c > 0 for c in costs.values())
    first, second, third = sorted(ids)
    cap = costs[first] + costs[second]  # room for two posts this month, not three
    config = with_pricing(memory_config, "xacct", replace(PRICES, monthly_cap=cap))
    now = utcnow()
    taken = claims.claim_due(db.factory, "w1", 10, LEASE, now, budgets=budgets_of(config))
    assert sorted(c.post_id for c in taken) == [first, second]
    waiting = posts(db, ids)[third]
    month = billing_month(now, "UTC")
    assert waiting.state == "scheduled" and waiting.attempt_count == 0
    assert as_utc(waiting.next_attempt_at) == month.end
    assert waiting.wait_reason.startswith(
        f"spend cap: xacct may spend ${cap.quantize(Decimal('0.001'))} in a month"
    )
    with db.factory() as session:
        (row,) = list_posts(session, status=["scheduled"])
    assert "spend cap: xacct" in waiting_reason(row, config.timezone)
    # Another worker this month takes nothing; in the next month the post goes out.
    assert claims.claim_due(db.factory, "w2", 10, LEASE, now, budgets=budgets_of(config)) == []
    later = month.end + timedelta(seconds=1)
    taken = claims.claim_due(db.factory, "w2", 10, LEASE, later, budgets=budgets_of(config))
    assert [c.post_id for c in taken] == [third]


def test_without_a_cap_prices_alone_keep_nothing_back(db, memory_config):
    ids = given_posts_on_x(db, memory_config, 3)
    config = with_pricing(memory_config, "xacct", PRICES)
    taken = claims.claim_due(db.factory, "w1", 10, LEASE, utcnow(), budgets=budgets_of(config))
    assert sorted(c.post_id for c in taken) == sorted(ids)


def test_plan_counts_what_the_month_spent_and_what_is_scheduled_as_the_gate_does(db, memory_config):
    # Given three X posts this month, two of them already tried (attempts started)
    ids = given_posts_on_x(db, memory_config, 3)
    costs = stored_costs(db, ids)
    first, second, third = sorted(ids)
    cap = costs[first] + costs[second]
    config = with_pricing(memory_config, "xacct", replace(PRICES, monthly_cap=cap))
    now = utcnow()
    claims.claim_due(db.factory, "w1", 10, LEASE, now, budgets=budgets_of(config))
    # When this month and the next are planned (nothing left to place)
    local = now.astimezone(config.timezone)
    this_month = Month(local.year, local.month)
    with db.factory() as session:
        plans = [make_plan(session, config, m, now=now) for m in (this_month, this_month.next())]
    # Then this month has the tried posts as spent, and the one the cap deferred is scheduled
    # in the next month
    month = billing_month(now, "UTC")
    following = billing_month(month.end, "UTC")
    # (a plan's month in Vietnam may touch two UTC billing months: each has its own row)
    assert [
        (r.spent, r.scheduled, r.planned, r.cap) for r in plans[0].spend if r.month == month.label
    ] == [(cap, Decimal(0), Decimal(0), cap)]
    assert [
        (r.spent, r.scheduled, r.planned) for r in plans[1].spend if r.month == following.label
    ] == [(Decimal(0), costs[third], Decimal(0))]
