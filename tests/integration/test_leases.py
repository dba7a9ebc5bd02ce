"""A worker of this host whose process is gone gives its posts back at once (SIGKILL need not
cost a whole lease): publishing ones become `unknown` and are reconciled, never queued again
blind; a live worker's posts, and another host's, keep their leases. `posts list` says which."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from crosspost.accounts import build_adapter
from crosspost.cli.views import row_json
from crosspost.db.models import Attempt, Post
from crosspost.listing import list_posts
from crosspost.posts import claims, leases
from crosspost.timeutil import as_utc, utcnow
from crosspost.worker.dispatcher import Worker
from crosspost.worker.executor import Executor
from tests.integration.test_worker import given_post_on_x, journal_entries, post

LEASE = timedelta(minutes=5)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def gone_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def leased_to(db, config, owner: str, *, publish: bool = False) -> int:
    """A due post claimed by `owner` (its attempt in flight); with `publish`, the copy is made
    on the platform before the worker 'dies', as a SIGKILL after the call would leave it."""
    post_id = given_post_on_x(db, config)
    (claim,) = claims.claim_due(db.factory, owner, 1, LEASE)
    assert claim.post_id == post_id
    if publish:
        adapter = build_adapter(config, "xacct")
        adapter.publish(Executor(config, db.factory, owner).build_request(claim))
    return post_id


def attempts(db, post_id: int) -> list[tuple[str | None, str | None]]:
    with db.factory() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(Attempt.outcome, Attempt.message)
                .where(Attempt.post_id == post_id)
                .order_by(Attempt.id)
            )
        ]


def listed(db) -> dict[int, dict]:
    with db.factory() as session:
        return {row.post.id: row_json(row, HCM) for row in list_posts(session)}


def test_a_stopped_workers_posts_are_taken_back_and_others_are_not(db, memory_config):
    here, dead = leases.this_host(), gone_pid()
    stopped = f"{here}:{dead}:abc123"
    alive = f"{here}:{os.getpid()}:def456"  # another worker process, still running
    elsewhere = f"other-{here}:{dead}:abc123"
    gone_post = leased_to(db, memory_config, stopped)
    alive_post = leased_to(db, memory_config, alive)
    far_post = leased_to(db, memory_config, elsewhere)
    # and an `unknown` post the stopped worker was asking the platform about
    asked = given_post_on_x(db, memory_config)
    with db.factory.begin() as session:  # test set-up, not a move
        session.execute(update(Post).where(Post.id == asked).values(state="unknown"))
    (reconciling,) = claims.claim_unknown(db.factory, stopped, 1, LEASE)
    assert reconciling.post_id == asked

    # `posts list` says who holds each lease and until when
    shown = listed(db)
    for post_id, owner, holder in (
        (gone_post, stopped, "stopped"),
        (alive_post, alive, "alive"),
        (far_post, elsewhere, "elsewhere"),
    ):
        row = shown[post_id]
        assert (row["state"], row["lease_owner"], row["lease_holder"]) == (
            "publishing",
            owner,
            holder,
        )
        assert row["lease_expires_at"].endswith("+07:00")
    expiry = post(db, gone_post).lease_expires_at
    until = as_utc(expiry).astimezone(HCM).replace(microsecond=0).isoformat(sep=" ")
    assert shown[gone_post]["waiting_for"] == (
        f"waiting for the lease of a stopped worker ({here}:{dead}) until {until}"
    )
    assert shown[far_post]["waiting_for"].startswith(
        f"the lease is held by a worker on another host (other-{here}:{dead}) until "
    )
    assert shown[alive_post]["waiting_for"] is None

    # When a worker of this host takes back its stopped workers' posts
    taken = leases.take_back_stopped(db.factory)

    # Then only the stopped worker's posts moved, guarded by its exact id
    assert sorted(taken) == sorted([(gone_post, stopped), (asked, stopped)])
    row = post(db, gone_post)
    assert (row.state, row.lease_owner, row.lease_expires_at) == ("unknown", None, None)
    assert row.next_attempt_at is not None and as_utc(row.next_attempt_at) <= utcnow()
    assert row.last_error == (
        f"the worker's process ({here}:{dead}) was gone before it recorded an outcome"
    )
    ((outcome, message),) = attempts(db, gone_post)
    assert outcome == "lease_expired"
    assert message.startswith(f"the worker's process ({here}:{dead}) was gone")
    again = post(db, asked)
    assert (again.state, again.lease_owner) == ("unknown", None)
    for post_id, owner in ((alive_post, alive), (far_post, elsewhere)):
        kept = post(db, post_id)
        assert (kept.state, kept.lease_owner) == ("publishing", owner)
        assert attempts(db, post_id) == [(None, None)]
    assert listed(db)[gone_post]["lease_holder"] is None
    assert leases.take_back_stopped(db.factory) == []  # nothing left to take back


def test_a_starting_worker_reconciles_a_stopped_workers_post_without_waiting(
    db, memory_config, journal
):
    # Given a post whose worker published it and was killed before recording the receipt
    stopped = f"{leases.this_host()}:{gone_pid()}:abc123"
    post_id = leased_to(db, memory_config, stopped, publish=True)
    assert len(journal_entries(journal)) == 1

    # When a worker starts, long before the five-minute lease ends
    Worker(memory_config, db.factory).run_once()

    # Then the platform was asked, the copy found, and nothing posted twice
    final = post(db, post_id)
    assert final.state == "published"
    assert len(journal_entries(journal)) == 1
    assert final.remote_id == journal_entries(journal)[0]["remote_id"]
    assert [outcome for outcome, _ in attempts(db, post_id)] == ["lease_expired", "reconciled"]


def test_a_live_workers_post_is_left_to_it(db, memory_config, journal):
    owner = f"{leases.this_host()}:{os.getpid()}:abc123"
    post_id = leased_to(db, memory_config, owner)
    Worker(memory_config, db.factory).run_once()
    row = post(db, post_id)
    assert (row.state, row.lease_owner) == ("publishing", owner)
    assert journal_entries(journal) == []
