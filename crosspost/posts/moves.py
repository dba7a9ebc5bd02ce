"""Guarded state changes of one post, and the attempt rows that go with them.

Every change names the state (and, for a worker, the lease owner) it expects and checks the row
count, so two actors can never both move a post: a compare-and-set on the row. The change itself
is checked against `states.TRANSITIONS` first, before any SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Update, select, update
from sqlalchemy.orm import Session

from crosspost.db.models import Attempt, Post, PostState
from crosspost.errors import StateError
from crosspost.posts.states import AttemptOutcome, LostLease, check_transition
from crosspost.timeutil import utcnow

# A post that leaves the worker's hands has no lease.
RELEASE: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None}


def rowcount(result: Any) -> int:
    return int(result.rowcount)


def transition(expected: Collection[PostState], to: PostState, now: datetime) -> Update:
    """`UPDATE post SET state = to` for rows still in one of `expected`: the one statement every
    state change starts from (callers add their own conditions and values)."""
    check_transition(expected, to)
    return (
        update(Post)
        .where(Post.state.in_([s.value for s in expected]))
        .values(state=to.value, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def move(
    session: Session,
    post_id: int,
    expected: Sequence[PostState],
    to: PostState,
    *,
    owner: str | None = None,
    **values: Any,
) -> None:
    """Move one post from one of `expected` to `to`, or raise.

    With `owner`, the post must also still be leased to that worker (raises LostLease);
    without, a post in another state raises StateError naming it.
    """
    statement = transition(expected, to, utcnow()).where(Post.id == post_id)
    if owner is not None:
        statement = statement.where(Post.lease_owner == owner)
    result = session.execute(statement.values(**values))
    if rowcount(result) != 1:
        if owner is not None:
            raise LostLease(f"post {post_id} is no longer leased to {owner}")
        current = session.scalar(select(Post.state).where(Post.id == post_id))
        wanted = " or ".join(s.value for s in expected)
        raise StateError(f"post {post_id} is {current}; it must be {wanted} to become {to}")


def start_attempt(session: Session, post_id: int, number: int, worker: str, now: datetime) -> int:
    """The intent: an attempt row written before the platform is called; returns its id."""
    attempt = Attempt(post_id=post_id, number=number, worker=worker, started_at=now)
    session.add(attempt)
    session.flush()
    return attempt.id


def log_finding(
    session: Session,
    post_id: int,
    number: int,
    worker: str,
    now: datetime,
    *,
    outcome: AttemptOutcome,
    message: str,
    remote_id: str | None = None,
    remote_url: str | None = None,
) -> None:
    """A reconciliation's answer, as an attempt that starts and ends at once (nothing sent)."""
    session.add(
        Attempt(
            post_id=post_id,
            number=number,
            worker=worker,
            started_at=now,
            ended_at=now,
            outcome=outcome.value,
            remote_id=remote_id,
            remote_url=remote_url,
            message=message,
        )
    )


def finish_attempt(
    session: Session,
    attempt_id: int,
    outcome: AttemptOutcome,
    *,
    error_class: str | None = None,
    http_status: int | None = None,
    platform_code: str | None = None,
    message: str | None = None,
    remote_id: str | None = None,
    remote_url: str | None = None,
) -> None:
    """Complete the intent row with what the platform answered (once: an ended row stays)."""
    session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.outcome.is_(None))
        .values(
            outcome=outcome.value,
            ended_at=utcnow(),
            error_class=error_class,
            http_status=http_status,
            platform_code=platform_code,
            message=message,
            remote_id=remote_id,
            remote_url=remote_url,
        )
        .execution_options(synchronize_session=False)
    )


def mark_published(
    session: Session,
    post_id: int,
    owner: str,
    *,
    remote_id: str,
    remote_url: str | None,
    extra_ids: Sequence[str],
    note: str | None = None,
    from_state: PostState = PostState.PUBLISHING,
) -> None:
    move(
        session,
        post_id,
        [from_state],
        PostState.PUBLISHED,
        owner=owner,
        remote_id=remote_id,
        remote_url=remote_url,
        remote_extra_ids=list(extra_ids),
        published_at=utcnow(),
        next_attempt_at=None,
        last_error=note,
        wait_reason=None,
        **RELEASE,
    )


def mark_retry(
    session: Session,
    post_id: int,
    owner: str,
    *,
    next_attempt_at: datetime,
    error: str,
    wait_reason: str,
    refund_attempt: bool = False,
    from_state: PostState = PostState.PUBLISHING,
) -> None:
    extra: dict[str, Any] = {}
    if refund_attempt:
        extra["attempt_count"] = Post.attempt_count - 1
    move(
        session,
        post_id,
        [from_state],
        PostState.RETRY_WAIT,
        owner=owner,
        next_attempt_at=next_attempt_at,
        last_error=error,
        wait_reason=wait_reason,
        **extra,
        **RELEASE,
    )


def mark_failed(
    session: Session,
    post_id: int,
    owner: str,
    *,
    error: str,
    from_state: PostState = PostState.PUBLISHING,
    remote_id: str | None = None,
    remote_url: str | None = None,
    extra_ids: Sequence[str] = (),
) -> None:
    """Failed for good; with `remote_id`, failed partway (the first steps out stay linked)."""
    kept: dict[str, Any] = {}
    if remote_id is not None:
        kept = {
            "remote_id": remote_id,
            "remote_url": remote_url,
            "remote_extra_ids": list(extra_ids),
        }
    move(
        session,
        post_id,
        [from_state],
        PostState.FAILED,
        owner=owner,
        next_attempt_at=None,
        last_error=error,
        wait_reason=None,
        **kept,
        **RELEASE,
    )


def mark_unknown(
    session: Session,
    post_id: int,
    owner: str,
    *,
    error: str,
    reconcile_at: datetime,
    refund_attempt: bool = False,
) -> None:
    """The request may have reached the platform: ask it before any new attempt. With
    `refund_attempt` (the attempt confirmed a step first) it is not charged."""
    extra: dict[str, Any] = {}
    if refund_attempt:
        extra["attempt_count"] = Post.attempt_count - 1
    move(
        session,
        post_id,
        [PostState.PUBLISHING],
        PostState.UNKNOWN,
        owner=owner,
        next_attempt_at=reconcile_at,
        last_error=error,
        wait_reason="outcome unknown: asking the platform before trying again",
        **extra,
        **RELEASE,
    )


def release_unknown(
    session: Session, post_id: int, owner: str, *, retry_at: datetime, note: str
) -> None:
    """Reconciliation could not decide (the look-up failed): the post stays unknown (no state
    change, so no transition), its lease is given up, and it is asked about again later."""
    result = session.execute(
        update(Post)
        .where(
            Post.id == post_id,
            Post.state == PostState.UNKNOWN.value,
            Post.lease_owner == owner,
        )
        .values(next_attempt_at=retry_at, last_error=note, updated_at=utcnow(), **RELEASE)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise LostLease(f"post {post_id} is no longer leased to {owner}")
