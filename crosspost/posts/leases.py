"""Leases over time: renewed while a worker works, expired when it vanished, and `unknown`
posts that stay so too long marked for their one alert.

These are the store's periodic jobs (the dispatcher runs them); each is one short transaction
whatever the number of posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from crosspost.db.engine import transaction
from crosspost.db.models import Account, Attempt, Post, PostState
from crosspost.posts.moves import RELEASE, rowcount, transition
from crosspost.posts.states import AttemptOutcome
from crosspost.timeutil import utcnow


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
        return rowcount(result)


def expire_leases(factory: sessionmaker[Session], now: datetime | None = None) -> list[int]:
    """Posts whose worker vanished mid-publish become `unknown`; the platform is asked next."""
    now = now or utcnow()
    with transaction(factory) as session:
        moved = list(
            session.scalars(
                transition([PostState.PUBLISHING], PostState.UNKNOWN, now)
                .where(Post.lease_expires_at < now)
                .values(
                    next_attempt_at=now,
                    wait_reason="worker stopped mid-publish: asking the platform",
                    last_error="the worker's lease expired before it recorded an outcome",
                    **RELEASE,
                )
                .returning(Post.id)
            )
        )
        if moved:
            session.execute(
                update(Attempt)
                .where(Attempt.post_id.in_(moved), Attempt.outcome.is_(None))
                .values(
                    outcome=AttemptOutcome.LEASE_EXPIRED.value,
                    ended_at=now,
                    message="the worker stopped before recording an outcome",
                )
                .execution_options(synchronize_session=False)
            )
    return moved


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
