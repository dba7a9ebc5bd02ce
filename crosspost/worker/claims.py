"""The only SQL that moves a post's state. Every change names the state (and, for the worker,
the lease owner) it expects and checks the row count, so two actors can never both move a post.

Claims are short committed transactions. On PostgreSQL the due rows are locked with
`FOR UPDATE SKIP LOCKED`, so several workers take different posts without waiting for each
other; on SQLite every transaction is `BEGIN IMMEDIATE`, which serialises writers, and the
same guarded `UPDATE` makes a claim a compare-and-set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from crosspost.config import Budget
from crosspost.db.engine import transaction
from crosspost.db.models import DUE_POST_STATES, Account, Attempt, Post, PostState
from crosspost.errors import StateError
from crosspost.timeutil import as_utc, utcnow
from crosspost.worker.budgets import BudgetGate

UTC_ZONE = ZoneInfo("UTC")


class LostLease(Exception):
    """The post is no longer ours (lease expired and someone else took it): record nothing."""


@dataclass(frozen=True)
class Claim:
    post_id: int
    attempt_id: int | None  # the intent row; None for a reconciliation lease
    attempt_number: int
    charged_attempts: int
    account_id: int
    account_name: str
    content_id: int
    scheduled_at: datetime
    created_at: datetime
    first_attempt_at: datetime


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def move(
    session: Session,
    post_id: int,
    expected: Sequence[PostState],
    new_state: PostState,
    *,
    owner: str | None = None,
    **values: Any,
) -> None:
    """Move one post from one of `expected` to `new_state`, or raise.

    With `owner`, the post must also still be leased to that worker (raises LostLease).
    """
    conditions: list[ColumnElement[bool]] = [
        Post.id == post_id,
        Post.state.in_([s.value for s in expected]),
    ]
    if owner is not None:
        conditions.append(Post.lease_owner == owner)
    result = session.execute(
        update(Post)
        .where(*conditions)
        .values(state=new_state.value, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        if owner is not None:
            raise LostLease(f"post {post_id} is no longer leased to {owner}")
        current = session.scalar(select(Post.state).where(Post.id == post_id))
        wanted = " or ".join(s.value for s in expected)
        raise StateError(f"post {post_id} is {current}; it must be {wanted} to become {new_state}")


def claim_due(
    factory: sessionmaker[Session],
    worker_id: str,
    limit: int,
    lease: timedelta,
    now: datetime | None = None,
    *,
    budgets: Mapping[str, Budget] | None = None,
    zone: ZoneInfo = UTC_ZONE,
) -> list[Claim]:
    """Claim up to `limit` due posts for `worker_id`, recording each attempt's intent.

    A post whose account is resting or over its budget is not claimed: its next claim time
    moves to when the account has room, with the reason (see worker/budgets.py)."""
    now = now or utcnow()
    due = Post.state.in_([s.value for s in DUE_POST_STATES])
    return _claim(
        factory,
        worker_id,
        limit,
        now,
        gate=lambda session: BudgetGate(session, budgets or {}, now, zone),
        eligible=and_(due, Post.next_attempt_at <= now),
        guard=due,
        values={
            "state": PostState.PUBLISHING.value,
            "lease_expires_at": now + lease,
            "attempt_count": Post.attempt_count + 1,
            "wait_reason": None,
            "updated_at": now,
        },
        record_intent=True,
    )


def claim_unknown(
    factory: sessionmaker[Session],
    worker_id: str,
    limit: int,
    lease: timedelta,
    now: datetime | None = None,
) -> list[Claim]:
    """Lease `unknown` posts for reconciliation (state stays `unknown` meanwhile)."""
    now = now or utcnow()
    free = and_(
        Post.state == PostState.UNKNOWN.value,
        or_(Post.lease_owner.is_(None), Post.lease_expires_at < now),
    )
    return _claim(
        factory,
        worker_id,
        limit,
        now,
        eligible=and_(free, Post.next_attempt_at <= now),
        guard=free,
        values={"lease_expires_at": now + lease},
        record_intent=False,
    )


def _claim(
    factory: sessionmaker[Session],
    worker_id: str,
    limit: int,
    now: datetime,
    *,
    eligible: ColumnElement[bool],
    guard: ColumnElement[bool],
    values: dict[str, Any],
    record_intent: bool,
    gate: Callable[[Session], BudgetGate] | None = None,
) -> list[Claim]:
    """Lock eligible rows (skipping rows another worker holds), then lease each with a guarded
    compare-and-set; with `record_intent`, write the attempt row in the same transaction.
    With a `gate`, a post it keeps back is deferred instead (same transaction, same guard)."""
    if limit <= 0:
        return []
    claims: list[Claim] = []
    with transaction(factory) as session:
        budget_gate = gate(session) if gate is not None else None
        first = True
        while len(claims) < limit:
            rows = session.execute(
                select(
                    Post.id, Post.account_id, Account.name, Account.rest_until, Account.rest_reason
                )
                .join(Account, Account.id == Post.account_id)
                .where(eligible, Account.paused_at.is_(None))
                .order_by(Post.next_attempt_at, Post.id)
                .limit(limit - len(claims))
                .with_for_update(of=Post, skip_locked=True)
            ).all()
            if not rows:
                break
            held = None
            if budget_gate is not None:
                # Only the first batch waits for account locks: a later one skips accounts
                # another worker holds, so two workers never wait for each other in a cycle.
                held = budget_gate.lock([(r.account_id, r.name) for r in rows], wait=first)
            deferred = False
            for post_id, account_id, name, rest_until, rest_reason in rows:
                if budget_gate is not None:
                    if held is not None and account_id not in held:
                        continue  # another worker is spending this account's budget
                    wait = budget_gate.admit(account_id, name, rest_until, rest_reason)
                    if wait is not None:
                        _defer(session, post_id, guard, wait.until, wait.reason, now)
                        deferred = True
                        continue
                result = session.execute(
                    update(Post)
                    .where(Post.id == post_id, guard)
                    .values(lease_owner=worker_id, **values)
                    .execution_options(synchronize_session=False)
                )
                if _rowcount(result) == 1:
                    claims.append(_load_claim(session, post_id, worker_id, now, record_intent))
            # Deferred posts left room: look again (they no longer match). Otherwise done.
            if not deferred:
                break
            first = False
    return claims


def _defer(
    session: Session,
    post_id: int,
    guard: ColumnElement[bool],
    until: datetime,
    reason: str,
    now: datetime,
) -> None:
    """Keep a due post back until `until` (its state is unchanged; only when and why move)."""
    session.execute(
        update(Post)
        .where(Post.id == post_id, guard)
        .values(next_attempt_at=until, wait_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def _load_claim(
    session: Session, post_id: int, worker_id: str, now: datetime, record_intent: bool
) -> Claim:
    """What the worker needs about a leased post; the attempt row (the intent) if publishing."""
    post, account_name = session.execute(
        select(Post, Account.name)
        .join(Account, Account.id == Post.account_id)
        .where(Post.id == post_id)
        .execution_options(populate_existing=True)
    ).one()
    count, first = session.execute(
        select(func.count(Attempt.id), func.min(Attempt.started_at)).where(
            Attempt.post_id == post_id
        )
    ).one()
    attempt_id = None
    number = int(count)
    if record_intent:
        number += 1
        attempt = Attempt(post_id=post_id, number=number, worker=worker_id, started_at=now)
        session.add(attempt)
        session.flush()
        attempt_id = attempt.id
    return Claim(
        post_id=post_id,
        attempt_id=attempt_id,
        attempt_number=number,
        charged_attempts=post.attempt_count,
        account_id=post.account_id,
        account_name=account_name,
        content_id=post.content_id,
        scheduled_at=post.scheduled_at,
        created_at=post.created_at,
        first_attempt_at=as_utc(first) if first else (now if record_intent else post.scheduled_at),
    )


def finish_attempt(
    session: Session,
    attempt_id: int,
    outcome: str,
    *,
    error_class: str | None = None,
    http_status: int | None = None,
    platform_code: str | None = None,
    message: str | None = None,
    remote_id: str | None = None,
    remote_url: str | None = None,
) -> None:
    session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.outcome.is_(None))
        .values(
            outcome=outcome,
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


_RELEASE: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None}


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
        **_RELEASE,
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
        **_RELEASE,
    )


def mark_failed(
    session: Session,
    post_id: int,
    owner: str,
    *,
    error: str,
    from_state: PostState = PostState.PUBLISHING,
) -> None:
    move(
        session,
        post_id,
        [from_state],
        PostState.FAILED,
        owner=owner,
        next_attempt_at=None,
        last_error=error,
        wait_reason=None,
        **_RELEASE,
    )


def mark_unknown(
    session: Session, post_id: int, owner: str, *, error: str, reconcile_at: datetime
) -> None:
    """The request may have reached the platform: ask it before any new attempt."""
    move(
        session,
        post_id,
        [PostState.PUBLISHING],
        PostState.UNKNOWN,
        owner=owner,
        next_attempt_at=reconcile_at,
        last_error=error,
        wait_reason="outcome unknown: asking the platform before trying again",
        **_RELEASE,
    )


def heartbeat(
    factory: sessionmaker[Session], worker_id: str, post_ids: Sequence[int], lease: timedelta
) -> int:
    """Extend the leases this worker still holds; returns how many it still holds."""
    if not post_ids:
        return 0
    with transaction(factory) as session:
        result = session.execute(
            update(Post)
            .where(
                Post.id.in_(list(post_ids)),
                Post.lease_owner == worker_id,
                Post.state.in_([PostState.PUBLISHING.value, PostState.UNKNOWN.value]),
            )
            .values(lease_expires_at=utcnow() + lease)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result)


def expire_leases(factory: sessionmaker[Session], now: datetime | None = None) -> list[int]:
    """Posts whose worker vanished mid-publish become `unknown`; the platform is asked next."""
    now = now or utcnow()
    with transaction(factory) as session:
        moved = list(
            session.scalars(
                update(Post)
                .where(Post.state == PostState.PUBLISHING.value, Post.lease_expires_at < now)
                .values(
                    state=PostState.UNKNOWN.value,
                    next_attempt_at=now,
                    wait_reason="worker stopped mid-publish: asking the platform",
                    last_error="the worker's lease expired before it recorded an outcome",
                    updated_at=now,
                    **_RELEASE,
                )
                .returning(Post.id)
                .execution_options(synchronize_session=False)
            )
        )
        if moved:
            session.execute(
                update(Attempt)
                .where(Attempt.post_id.in_(moved), Attempt.outcome.is_(None))
                .values(
                    outcome="lease_expired",
                    ended_at=now,
                    message="the worker stopped before recording an outcome",
                )
                .execution_options(synchronize_session=False)
            )
    return moved


def release_unknown(
    session: Session, post_id: int, owner: str, *, retry_at: datetime, note: str
) -> None:
    """Reconciliation could not decide (the look-up failed): keep it unknown, look again later."""
    result = session.execute(
        update(Post)
        .where(
            Post.id == post_id,
            Post.state == PostState.UNKNOWN.value,
            Post.lease_owner == owner,
        )
        .values(next_attempt_at=retry_at, last_error=note, updated_at=utcnow(), **_RELEASE)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        raise LostLease(f"post {post_id} is no longer leased to {owner}")


@dataclass(frozen=True)
class NextDue:
    """When the next post may be claimed to publish, and to reconcile (None: nothing waits)."""

    publish_at: datetime | None
    reconcile_at: datetime | None

    @property
    def earliest(self) -> datetime | None:
        times = [t for t in (self.publish_at, self.reconcile_at) if t is not None]
        return min(times) if times else None


def next_claimable(factory: sessionmaker[Session]) -> NextDue:
    """The dispatcher's wake-up times. One index probe per state (the first row of
    `ix_post_due` in that state), so the cost does not grow with the post table. An `unknown`
    post another worker is reconciling counts from when that lease ends, not from its claim
    time, so a worker never spins on posts it cannot take."""
    unpaused = select(Account.id).where(Account.paused_at.is_(None))

    def first(state: PostState, column: Any, *conditions: Any) -> Any:
        return (
            select(column)
            .where(
                Post.state == state.value,
                column.is_not(None),
                Post.account_id.in_(unpaused),
                *conditions,
            )
            .order_by(column)
            .limit(1)
            .scalar_subquery()
        )

    with factory() as session:
        scheduled, retrying, unleased, leased = session.execute(
            select(
                first(PostState.SCHEDULED, Post.next_attempt_at),
                first(PostState.RETRY_WAIT, Post.next_attempt_at),
                first(PostState.UNKNOWN, Post.next_attempt_at, Post.lease_owner.is_(None)),
                first(PostState.UNKNOWN, Post.lease_expires_at, Post.lease_owner.is_not(None)),
            )
        ).one()
    publish = [as_utc(t) for t in (scheduled, retrying) if t is not None]
    reconcile = [as_utc(t) for t in (unleased, leased) if t is not None]
    return NextDue(min(publish, default=None), min(reconcile, default=None))


def next_due_at(factory: sessionmaker[Session]) -> datetime | None:
    """When the next post becomes claimable (due or to reconcile)."""
    return next_claimable(factory).earliest


def mark_stale_unknown(
    factory: sessionmaker[Session], older_than: timedelta, now: datetime | None = None
) -> list[tuple[int, str]]:
    """Posts `unknown` for longer than `older_than` (since their last attempt) and not yet
    reported: mark them reported and return (post id, account name) for the alert."""
    now = now or utcnow()
    last_attempt = (
        select(func.max(Attempt.started_at))
        .where(Attempt.post_id == Post.id)
        .correlate(Post)
        .scalar_subquery()
    )
    with transaction(factory) as session:
        rows = session.execute(
            update(Post)
            .where(
                Post.state == PostState.UNKNOWN.value,
                Post.alerted_at.is_(None),
                last_attempt < now - older_than,
            )
            .values(alerted_at=now)
            .returning(Post.id, Post.account_id)
            .execution_options(synchronize_session=False)
        ).all()
        names = dict(session.execute(select(Account.id, Account.name)).all()) if rows else {}
    return [(post_id, names[account_id]) for post_id, account_id in rows]
