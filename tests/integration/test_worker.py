"""The worker publishes due posts once, retries what may be retried, pauses on auth failures,
and reconciles unknown outcomes — on SQLite and PostgreSQL, through the in-memory adapter."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, update

from crosspost.config import AccountSettings
from crosspost.db.models import Account, Attempt, Post
from crosspost.posts import claims, leases
from crosspost.timeutil import utcnow
from crosspost.worker.dispatcher import Worker
from tests.support.factories import make_content, schedule_now


def journal_entries(journal):
    if not journal.exists():
        return []
    return [json.loads(line) for line in journal.read_text().splitlines()]


def with_settings(config, **settings):
    accounts = {
        name: replace(a, settings={**a.settings, **settings}) for name, a in config.accounts.items()
    }
    return replace(config, accounts=accounts)


def given_post_on_x(db, config, *, delay: float = 0) -> int:
    """Given: approved content scheduled on the X account, due after `delay` seconds."""
    with db.factory.begin() as session:
        item = make_content(session)
        (post_id,) = schedule_now(session, config, item.id, delay=delay, platforms=["x"])
    return post_id


def post(db, post_id):
    with db.factory() as session:
        return session.get(Post, post_id)


def test_due_posts_are_published_once_with_receipts(db, memory_config, journal):
    with db.factory.begin() as session:
        item = make_content(session)
        ids = schedule_now(session, memory_config, item.id, platforms=["facebook", "x"])
    summary = Worker(memory_config, db.factory, concurrency=2).run_once()
    assert summary.count("published") == 2
    for post_id in ids:
        row = post(db, post_id)
        assert row.state == "published"
        assert row.remote_id and row.remote_url.startswith("https://memory.example/")
        assert row.lease_owner is None
    assert sorted(e["post_id"] for e in journal_entries(journal)) == sorted(ids)


def test_posts_not_yet_due_are_left_alone(db, memory_config, journal):
    post_id = given_post_on_x(db, memory_config, delay=3600)
    Worker(memory_config, db.factory).run_once()
    assert post(db, post_id).state == "scheduled"
    assert journal_entries(journal) == []


def test_retryable_failure_waits_then_succeeds(db, memory_config):
    config = with_settings(memory_config, fail_times=1, fail_with="retryable")
    post_id = given_post_on_x(db, config)
    Worker(config, db.factory).run_once()
    if post(db, post_id).state == "retry_wait":  # the jittered wait (≤ 0.1 s) had not passed
        assert post(db, post_id).wait_reason.startswith("temporary error")
        time.sleep(0.6)
        Worker(config, db.factory).run_once()
    done = post(db, post_id)
    assert done.state == "published"
    with db.factory() as session:
        outcomes = session.scalars(
            select(Attempt.outcome).where(Attempt.post_id == post_id).order_by(Attempt.id)
        ).all()
    assert outcomes == ["retryable", "published"]


def test_permanent_failure_fails_at_once_with_the_reason(db, memory_config):
    config = with_settings(memory_config, fail_times=99, fail_with="permanent")
    post_id = given_post_on_x(db, config)
    Worker(config, db.factory).run_once()
    failed = post(db, post_id)
    assert failed.state == "failed"
    assert failed.last_error == "content refused"


def test_authentication_failure_pauses_the_account_without_burning_attempts(db, memory_config):
    config = with_settings(memory_config, fail_times=1, fail_with="auth")
    post_id = given_post_on_x(db, config)
    Worker(config, db.factory).run_once()
    paused = post(db, post_id)
    assert paused.state == "retry_wait"
    assert paused.attempt_count == 0
    with db.factory() as session:
        account = session.get(Account, paused.account_id)
        assert account.paused_reason == "account paused: token expired"
    # While paused nothing is claimed.
    Worker(config, db.factory).run_once()
    assert post(db, post_id).state == "retry_wait"
    # Once the account is resumed the post goes out.
    with db.factory.begin() as session:
        session.execute(update(Account).values(paused_at=None, paused_reason=None))
    Worker(config, db.factory).run_once()
    assert post(db, post_id).state == "published"


def test_ambiguous_outcome_is_reconciled_not_reposted(db, memory_config, journal):
    config = with_settings(memory_config, fail_times=1, fail_with="ambiguous")
    post_id = given_post_on_x(db, config)
    Worker(config, db.factory).run_once()
    # The memory twin raised before writing its journal: no copy exists, so it is retried once.
    final = post(db, post_id)
    assert final.state == "published"
    assert len([e for e in journal_entries(journal) if e["post_id"] == post_id]) == 1
    with db.factory() as session:
        outcomes = session.scalars(
            select(Attempt.outcome).where(Attempt.post_id == post_id).order_by(Attempt.id)
        ).all()
    assert outcomes == ["ambiguous", "not_found", "published"]


def test_expired_lease_is_reconciled_from_the_platform(db, memory_config, journal):
    post_id = given_post_on_x(db, memory_config)
    # A worker claims the post, publishes it, and dies before recording the receipt.
    (claim,) = claims.claim_due(db.factory, "dead-worker", 1, timedelta(seconds=0.2))
    from crosspost.accounts import build_adapter
    from crosspost.worker.executor import Executor

    adapter = build_adapter(memory_config, "xacct")
    adapter.publish(Executor(memory_config, db.factory, "dead-worker").build_request(claim))
    time.sleep(0.3)
    # A new worker expires the lease and finds the copy instead of posting again.
    leases.expire_leases(db.factory)
    assert post(db, post_id).state == "unknown"
    Worker(memory_config, db.factory).run_once()
    final = post(db, post_id)
    assert final.state == "published"
    assert len(journal_entries(journal)) == 1
    assert final.remote_id == journal_entries(journal)[0]["remote_id"]


def test_concurrent_claims_never_share_a_post(db, memory_config):
    with db.factory.begin() as session:
        for _ in range(10):
            item = make_content(session, title=f"Bài {utcnow().timestamp()}")
            schedule_now(session, memory_config, item.id, platforms=["x", "facebook"])
    taken: list[list[int]] = []
    barrier = threading.Barrier(4)

    def grab(n: int) -> None:
        barrier.wait()
        got = []
        while batch := claims.claim_due(db.factory, f"w{n}", 3, timedelta(minutes=1)):
            got += [c.post_id for c in batch]
        taken.append(got)

    threads = [threading.Thread(target=grab, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [p for got in taken for p in got]
    assert len(every) == 20
    assert len(set(every)) == 20


def test_account_settings_type_is_kept(memory_config):
    assert isinstance(next(iter(memory_config.accounts.values())), AccountSettings)
