"""The post store on SQLite and PostgreSQL: every declared transition works, an undeclared one
is refused before any SQL, a guarded move refuses a post not in the state (or lease) it
expects, and one call records each kind of result, through a database outage within the lease.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import OperationalError

from crosspost.adapters import base
from crosspost.adapters.base import AmbiguousOutcomeError, PublishError, Receipt
from crosspost.db.models import Account, Attempt, Post, PostState
from crosspost.errors import StateError
from crosspost.posts import claims, moves, results
from crosspost.posts.claims import Claim
from crosspost.posts.results import (
    Decision,
    Failed,
    Found,
    NotFound,
    Published,
    Recorded,
    Undecided,
    record_result,
)
from crosspost.posts.states import (
    TRANSITIONS,
    AttemptOutcome,
    LostLease,
    RetryAction,
    UndeclaredTransition,
)
from crosspost.timeutil import utcnow
from tests.integration.test_worker import given_post_on_x, post

LEASE = timedelta(minutes=5)
DECLARED = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]
UNDECLARED = [(a, b) for a in PostState for b in PostState if b not in TRANSITIONS[a]]


def given_post_in(db, config, state: PostState, owner: str | None = "w") -> int:
    """A post put straight into `state` (test set-up, not a move), leased to `owner`."""
    post_id = given_post_on_x(db, config)
    with db.factory.begin() as session:
        session.execute(
            update(Post)
            .where(Post.id == post_id)
            .values(state=state.value, lease_owner=owner, lease_expires_at=utcnow() + LEASE)
        )
    return post_id


def test_the_table_names_every_state():
    assert set(TRANSITIONS) == set(PostState)
    assert all(targets <= set(PostState) for targets in TRANSITIONS.values())


@pytest.mark.parametrize(("source", "target"), DECLARED, ids=lambda s: str(s))
def test_every_declared_transition_works(db, memory_config, source, target):
    post_id = given_post_in(db, memory_config, source)
    with db.factory.begin() as session:
        moves.move(session, post_id, [source], target, owner="w")
    assert post(db, post_id).state == target
    # And the same move again is refused: the post is no longer in the state it expects.
    with db.factory.begin() as session, pytest.raises(StateError, match=f"is {target}"):
        moves.move(session, post_id, [source], target)


@pytest.mark.parametrize(("source", "target"), UNDECLARED, ids=lambda s: str(s))
def test_an_undeclared_transition_is_refused_before_any_sql(db, memory_config, source, target):
    post_id = given_post_in(db, memory_config, source)
    statements: list[str] = []
    engine = db.factory.kw["bind"]

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with db.factory() as session, pytest.raises(UndeclaredTransition):
            moves.move(session, post_id, [source], target, owner="w")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert statements == []
    assert post(db, post_id).state == source


def test_a_guarded_move_refuses_an_unexpected_state_or_another_owner(db, memory_config):
    post_id = given_post_on_x(db, memory_config)
    with db.factory.begin() as session, pytest.raises(StateError, match="is scheduled"):
        moves.move(session, post_id, [PostState.PUBLISHING], PostState.PUBLISHED)
    # (Scheduled → failed is undeclared now, so the lease guard is shown on a publishing post.)
    leased = given_post_in(db, memory_config, PostState.PUBLISHING, owner="w")
    with db.factory.begin() as session, pytest.raises(LostLease):
        moves.mark_failed(session, leased, "not-the-owner", error="x")
    assert post(db, leased).state == "publishing"


def test_every_error_outcome_of_the_adapters_is_an_attempt_outcome():
    errors = [
        cls
        for cls in vars(base).values()
        if isinstance(cls, type) and issubclass(cls, PublishError)
    ]
    assert len(errors) > 5
    assert {cls.outcome for cls in errors} <= {o.value for o in AttemptOutcome}


# -- the one record call ----------------------------------------------------------------------
def claimed(db, config) -> Claim:
    given_post_on_x(db, config)
    (claim,) = claims.claim_due(db.factory, "w", 1, LEASE)
    return claim


def leased_unknown(db, config) -> Claim:
    post_id = given_post_in(db, config, PostState.UNKNOWN, owner=None)
    (claim,) = claims.claim_unknown(db.factory, "w", 1, LEASE)
    assert claim.post_id == post_id
    return claim


def outcomes(db, post_id: int) -> list[str | None]:
    with db.factory() as session:
        query = select(Attempt.outcome).where(Attempt.post_id == post_id).order_by(Attempt.id)
        return list(session.scalars(query))


def test_a_receipt_is_recorded_with_the_post_published(db, memory_config):
    claim = claimed(db, memory_config)
    receipt = Receipt("remote-1", "https://memory.example/1", ("m-1",))
    done = record_result(db.factory, claim, Published(receipt), lease_seconds=5)
    assert done.status is Recorded.WRITTEN
    row = post(db, claim.post_id)
    assert (row.state, row.remote_id, row.remote_extra_ids) == ("published", "remote-1", ["m-1"])
    assert row.lease_owner is None
    assert outcomes(db, claim.post_id) == ["published"]


def test_an_error_is_recorded_with_the_decision_and_the_account_rest(db, memory_config):
    claim = claimed(db, memory_config)
    later = utcnow() + timedelta(minutes=10)
    decision = Decision(RetryAction.RETRY, later, "rate limited: slow down", True, later)
    error = base.RateLimitedError("slow down", http_status=429)
    done = record_result(db.factory, claim, Failed(error, decision), lease_seconds=5)
    assert done.status is Recorded.WRITTEN
    row = post(db, claim.post_id)
    assert (row.state, row.attempt_count, row.wait_reason) == (
        "retry_wait",
        0,
        "rate limited: slow down",
    )
    with db.factory() as session:
        assert session.get_one(Account, claim.account_id).rest_until == later
    assert outcomes(db, claim.post_id) == ["rate_limited"]


def test_a_pause_decision_says_whether_this_call_paused_the_account(db, memory_config):
    claim = claimed(db, memory_config)
    decision = Decision(RetryAction.PAUSE, utcnow(), "account paused: token expired", True)
    error = base.AuthenticationError("token expired", http_status=401)
    done = record_result(db.factory, claim, Failed(error, decision), lease_seconds=5)
    assert (done.status, done.paused_account) == (Recorded.WRITTEN, True)
    assert post(db, claim.post_id).state == "retry_wait"


@pytest.mark.parametrize(
    ("finding", "state", "outcome"),
    [
        (Found(Receipt("copy-1", "https://memory.example/copy-1")), "published", "reconciled"),
        (NotFound(), "retry_wait", "not_found"),
        (NotFound(gave_up="gave up after 6 attempts"), "failed", "not_found"),
    ],
)
def test_the_reconcilers_findings_go_through_the_store(db, memory_config, finding, state, outcome):
    claim = leased_unknown(db, memory_config)
    assert record_result(db.factory, claim, finding, lease_seconds=5).status is Recorded.WRITTEN
    row = post(db, claim.post_id)
    assert (row.state, row.lease_owner) == (state, None)
    assert outcomes(db, claim.post_id) == [outcome]


def test_an_undecided_look_up_keeps_the_post_unknown_and_may_pause(db, memory_config):
    claim = leased_unknown(db, memory_config)
    again = utcnow() + timedelta(minutes=1)
    undecided = Undecided(again, "could not ask the platform yet: x", "account paused: x")
    assert record_result(db.factory, claim, undecided, lease_seconds=5).status is Recorded.WRITTEN
    row = post(db, claim.post_id)
    assert (row.state, row.lease_owner, row.next_attempt_at) == ("unknown", None, again)
    with db.factory() as session:
        assert session.get_one(Account, claim.account_id).paused_reason == "account paused: x"
    assert outcomes(db, claim.post_id) == []


def test_a_result_for_a_lost_lease_writes_nothing(db, memory_config):
    claim = claimed(db, memory_config)
    with db.factory.begin() as session:
        session.execute(update(Post).values(lease_owner="someone-else"))
    decision = Decision(RetryAction.RECONCILE, utcnow(), "outcome unknown")
    failed = Failed(AmbiguousOutcomeError("timed out"), decision)
    assert record_result(db.factory, claim, failed, lease_seconds=5).status is Recorded.LOST_LEASE
    assert post(db, claim.post_id).state == "publishing"
    assert outcomes(db, claim.post_id) == [None]


def flaky_transaction(fail_times: int):
    """`transaction` failing like a database gone away, `fail_times` times."""
    real = results.transaction
    calls = {"n": 0}

    @contextlib.contextmanager
    def transaction(factory):
        calls["n"] += 1
        if calls["n"] <= fail_times:
            raise OperationalError("BEGIN", {}, Exception("server closed the connection"))
        with real(factory) as session:
            yield session

    return transaction


def test_a_result_outlasts_a_short_outage(db, memory_config, monkeypatch):
    claim = claimed(db, memory_config)
    monkeypatch.setattr(results, "transaction", flaky_transaction(1))
    done = record_result(db.factory, claim, Published(Receipt("r-1")), lease_seconds=5)
    assert done.status is Recorded.WRITTEN
    assert post(db, claim.post_id).state == "published"


def test_an_outage_longer_than_the_lease_leaves_the_result_unrecorded(
    db, memory_config, monkeypatch
):
    claim = claimed(db, memory_config)
    monkeypatch.setattr(results, "transaction", flaky_transaction(99))
    done = record_result(db.factory, claim, Published(Receipt("r-1")), lease_seconds=0)
    assert done.status is Recorded.UNRECORDED
    assert post(db, claim.post_id).state == "publishing"
