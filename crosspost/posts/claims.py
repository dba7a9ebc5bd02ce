"""Claims: a worker takes due posts (to publish) or `unknown` posts (to reconcile) with a lease.

Claims are short committed transactions. On PostgreSQL the due rows are locked with
`FOR UPDATE SKIP LOCKED`, so several workers take different posts without waiting for each
other; on SQLite every transaction is `BEGIN IMMEDIATE`, which serialises writers, and the
same guarded `UPDATE` makes a claim a compare-and-set. A publishing claim writes its attempt
row (the intent) in the same transaction, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Update, and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from crosspost.config import Budget
from crosspost.db.engine import transaction
from crosspost.db.models import DUE_POST_STATES, Account, Attempt, Post, PostState
from crosspost.posts.gate import BudgetGate
from crosspost.posts.moves import rowcount, start_attempt, transition
from crosspost.timeutil import as_utc, utcnow

UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class Claim:
    """A post leased to `owner`, with what the worker needs to publish or reconcile it."""

    post_id: int
    owner: str  # the worker holding the lease
    attempt_id: int | None  # the intent row; None for a reconciliation lease
    attempt_number: int
    charged_attempts: int
    account_id: int
    account_name: str
    content_id: int
    scheduled_at: datetime
    created_at: datetime
    first_attempt_at: datetime
    marker: str | None = None  # the post's token (posts.queue.new_marker); None before 0005


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
    moves to when the account has room, with the reason (see posts/gate.py)."""
    now = now or utcnow()
    due = Post.state.in_([s.value for s in DUE_POST_STATES])
    take = transition(DUE_POST_STATES, PostState.PUBLISHING, now).values(
        lease_owner=worker_id,
        lease_expires_at=now + lease,
        attempt_count=Post.attempt_count + 1,
        wait_reason=None,
    )
    return _claim(
        factory,
        worker_id,
        limit,
        now,
        gate=lambda session: BudgetGate(session, budgets or {}, now, zone),
        eligible=and_(due, Post.next_attempt_at <= now),
        take=take,
        record_intent=True,
    )


def claim_unknown(
    factory: sessionmaker[Session],
    worker_id: str,
    limit: int,
    lease: timedelta,
    now: datetime | None = None,
) -> list[Claim]:
    """Lease `unknown` posts for reconciliation (the state stays `unknown` meanwhile, so this
    is a lease, not a transition)."""
    now = now or utcnow()
    free = and_(
        Post.state == PostState.UNKNOWN.value,
        or_(Post.lease_owner.is_(None), Post.lease_expires_at < now),
    )
    take = (
        update(Post)
        .where(free)
        .values(lease_owner=worker_id, lease_expires_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return _claim(
        factory,
        worker_id,
        limit,
        now,
        eligible=and_(free, Post.next_attempt_at <= now),
        take=take,
        record_intent=False,
    )


def _claim(
    factory: sessionmaker[Session],
    worker_id: str,
    limit: int,
    now: datetime,
    *,
    eligible: ColumnElement[bool],
    take: Update,
    record_intent: bool,
    gate: Callable[[Session], BudgetGate] | None = None,
) -> list[Claim]:
    """Lock eligible rows (skipping rows another worker holds), then lease each with `take`, a
    guarded compare-and-set; with `record_intent`, write the attempt row in the same
    transaction. With a `gate`, a post it keeps back is deferred instead (same transaction)."""
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
                    wait = budget_gate.admit(
                        account_id, name, rest_until, rest_reason, post_id=post_id
                    )
                    if wait is not None:
                        _defer(session, post_id, wait.until, wait.reason, now)
                        deferred = True
                        continue
                if rowcount(session.execute(take.where(Post.id == post_id))) == 1:
                    claims.append(_load_claim(session, post_id, worker_id, now, record_intent))
            # Deferred posts left room: look again (they no longer match). Otherwise done.
            if not deferred:
                break
            first = False
    return claims


def _defer(session: Session, post_id: int, until: datetime, reason: str, now: datetime) -> None:
    """Keep a due post back until `until`: its state is unchanged (no transition), only when
    and why it goes out move."""
    session.execute(
        update(Post)
        .where(Post.id == post_id, Post.state.in_([s.value for s in DUE_POST_STATES]))
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
        attempt_id = start_attempt(session, post_id, number, worker_id, now)
    return Claim(
        post_id=post_id,
        owner=worker_id,
        attempt_id=attempt_id,
        attempt_number=number,
        charged_attempts=post.attempt_count,
        account_id=post.account_id,
        account_name=account_name,
        content_id=post.content_id,
        scheduled_at=post.scheduled_at,
        created_at=post.created_at,
        first_attempt_at=as_utc(first) if first else (now if record_intent else post.scheduled_at),
        marker=post.marker,
    )
