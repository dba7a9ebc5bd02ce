"""When the next post becomes claimable: the dispatcher's wake-up time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crosspost.db.models import Account, Post, PostState
from crosspost.timeutil import as_utc


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
