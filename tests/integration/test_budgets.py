"""Budgets and rests keep the worker under the platform's limits, on SQLite and PostgreSQL:
a post that would break a budget, or whose account the platform asked to wait, is kept back
with when and why, and goes out once there is room."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from crosspost.budgets import next_day_start
from crosspost.config import Budget
from crosspost.db.models import Account, Attempt, Post
from crosspost.listing import list_posts
from crosspost.posts import claims
from crosspost.posts.waiting import goes_out_at, waiting_reason
from crosspost.timeutil import as_utc, utcnow
from crosspost.worker.dispatcher import Worker
from tests.integration.test_worker import journal_entries, with_settings
from tests.support.factories import make_content, schedule_now

LEASE = timedelta(minutes=5)


def with_budget(config, account: str, budget: Budget):
    accounts = dict(config.accounts)
    accounts[account] = replace(accounts[account], budget=budget)
    return replace(config, accounts=accounts)


def given_posts_on_x(db, config, count: int) -> list[int]:
    ids = []
    with db.factory.begin() as session:
        for n in range(count):
            item = make_content(session, title=f"Bài viết số {n + 1} về công tác xây dựng Đảng")
            ids += schedule_now(session, config, item.id, platforms=["x"])
    return ids


def budgets_of(config):
    return {name: a.budget for name, a in config.accounts.items()}


def posts(db, ids):
    with db.factory() as session:
        return {p.id: p for p in session.scalars(select(Post).where(Post.id.in_(ids)))}


def test_an_hourly_budget_claims_what_fits_and_defers_the_rest_with_when_and_why(db, memory_config):
    config = with_budget(memory_config, "xacct", Budget({"per_hour": 2}))
    ids = given_posts_on_x(db, config, 4)
    now = utcnow()
    # When the worker claims with room for all four
    taken = claims.claim_due(
        db.factory, "w1", 10, LEASE, now, budgets=budgets_of(config), zone=config.timezone
    )
    # Then the budget lets two go, and the other two wait an hour from the first start
    assert len(taken) == 2
    rows = posts(db, ids)
    waiting = [p for p in rows.values() if p.state == "scheduled"]
    assert len(waiting) == 2
    for post in waiting:
        assert as_utc(post.next_attempt_at) == now + timedelta(hours=1)
        assert post.wait_reason.startswith("budget: xacct may start 2 posts in an hour; next at")
        assert post.attempt_count == 0
    with db.factory() as session:
        assert session.scalar(select(Attempt.id).where(Attempt.post_id == waiting[0].id)) is None
    # And a second claim now takes nothing, even after the first two finished
    assert claims.claim_due(db.factory, "w2", 10, LEASE, now, budgets=budgets_of(config)) == []
    # And once the hour has passed, the two go out
    later = now + timedelta(hours=1, seconds=1)
    taken = claims.claim_due(db.factory, "w2", 10, LEASE, later, budgets=budgets_of(config))
    assert sorted(c.post_id for c in taken) == sorted(p.id for p in waiting)


def test_posts_list_says_when_a_deferred_post_goes_out_and_why(db, memory_config):
    config = with_budget(memory_config, "xacct", Budget({"per_hour": 1}))
    given_posts_on_x(db, config, 2)
    now = utcnow()
    claims.claim_due(db.factory, "w1", 10, LEASE, now, budgets=budgets_of(config))
    with db.factory() as session:
        (row,) = list_posts(session, status=["scheduled"])
    assert goes_out_at(row) == row.post.next_attempt_at
    assert goes_out_at(row) > row.post.scheduled_at
    assert "budget: xacct may start 1 posts in an hour" in waiting_reason(row, config.timezone)


def test_the_youtube_day_budget_waits_for_midnight_pacific(db, memory_config):
    config = with_budget(
        memory_config, "xacct", Budget({"per_day": 1}, day_zone="America/Los_Angeles")
    )
    ids = given_posts_on_x(db, config, 2)
    now = utcnow()
    assert len(claims.claim_due(db.factory, "w1", 10, LEASE, now, budgets=budgets_of(config)))
    (deferred,) = [p for p in posts(db, ids).values() if p.state == "scheduled"]
    assert as_utc(deferred.next_attempt_at) == next_day_start(now, "America/Los_Angeles")


def test_two_workers_claiming_together_never_exceed_the_budget(db, memory_config):
    config = with_budget(memory_config, "xacct", Budget({"per_hour": 3}))
    ids = given_posts_on_x(db, config, 12)
    import threading

    taken: list[int] = []
    lock = threading.Lock()

    def claim(worker: str) -> None:
        for _ in range(6):
            got = claims.claim_due(db.factory, worker, 1, LEASE, budgets=budgets_of(config))
            with lock:
                taken.extend(c.post_id for c in got)

    threads = [threading.Thread(target=claim, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(taken) == 3
    assert len(set(taken)) == 3
    assert sum(1 for p in posts(db, ids).values() if p.state == "scheduled") == 9


def test_a_rate_limit_rests_the_whole_account_not_only_the_post(db, memory_config, journal):
    # Given X answers the first try of each post with 429 "retry in 1 s"
    config = with_settings(memory_config, fail_times=1, fail_with="rate_limited")
    ids = given_posts_on_x(db, config, 3)
    # When one worker with one slot runs a pass
    Worker(config, db.factory, concurrency=1).run_once()
    # Then one post met the 429; the other two were kept back without calling the platform
    rows = posts(db, ids)
    tried = [p for p in rows.values() if p.state == "retry_wait"]
    kept = [p for p in rows.values() if p.state == "scheduled"]
    assert len(tried) == 1
    assert len(kept) == 2
    with db.factory() as session:
        account = session.scalar(select(Account).where(Account.name == "xacct"))
        assert account.rest_until is not None
        assert "rate limited" in account.rest_reason or "slow down" in account.rest_reason
        assert (
            session.scalar(select(Attempt.id).where(Attempt.post_id.in_([p.id for p in kept])))
            is None
        )
    for post in kept:
        assert post.wait_reason.startswith("xacct resting:")
        assert as_utc(post.next_attempt_at) == as_utc(account.rest_until)
    with db.factory() as session:
        listed = [
            waiting_reason(r, config.timezone) for r in list_posts(session, status=["scheduled"])
        ]
    assert [r.startswith("xacct resting:") for r in listed] == [True, True]
    # And the posts all go out once the rest is over
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        Worker(config, db.factory, concurrency=1).run_once()
        if all(p.state == "published" for p in posts(db, ids).values()):
            break
        time.sleep(0.3)
    assert all(p.state == "published" for p in posts(db, ids).values())
    assert sorted(e["post_id"] for e in journal_entries(journal)) == sorted(ids)


def test_usage_figures_near_the_cap_rest_the_account_after_a_success(db, memory_config):
    # Given the platform's usage figures ask for a 2-second rest after every post
    config = with_settings(memory_config, pace_seconds=2)
    ids = given_posts_on_x(db, config, 2)
    # When a worker with one slot runs a pass
    Worker(config, db.factory, concurrency=1).run_once()
    # Then the first post went out and the second waits for the rest, saying so
    rows = posts(db, ids)
    assert sorted(p.state for p in rows.values()) == ["published", "scheduled"]
    (kept,) = [p for p in rows.values() if p.state == "scheduled"]
    assert kept.wait_reason.startswith("xacct resting: usage near the cap; until")
    assert as_utc(kept.next_attempt_at) > utcnow() + timedelta(seconds=1)
