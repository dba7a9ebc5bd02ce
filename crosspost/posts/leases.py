"""Leases over time: renewed while a worker works, expired when it vanished, taken back at
once when its process is gone from this host, and `unknown` posts that stay so too long marked
for their one alert.

These are the store's periodic jobs (the dispatcher runs them); each is one short transaction
whatever the number of posts. A lease owner is a worker id, `host:pid:tag`
(`worker.dispatcher.new_worker_id`): on its own host, whether its process still runs is known
at once, so a SIGKILLed worker's posts need not wait out the whole lease.
"""

from __future__ import annotations

import enum
import os
import socket
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from crosspost.db.engine import transaction
from crosspost.db.models import Account, Attempt, Post, PostState
from crosspost.posts.moves import RELEASE, rowcount, transition
from crosspost.posts.states import AttemptOutcome
from crosspost.timeutil import utcnow

# States in which a post is leased to a worker (publishing it, or asking the platform).
LEASED_STATES = (PostState.PUBLISHING, PostState.UNKNOWN)


@dataclass(frozen=True)
class Owner:
    """Where a lease owner runs: the host and pid its worker id names."""

    host: str
    pid: int

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"


class Holder(enum.StrEnum):
    """Who holds a lease, as `posts list --json` says it (`lease_holder`)."""

    ALIVE = "alive"  # a process on this host with that pid runs (maybe a recycled pid)
    STOPPED = "stopped"  # on this host, and no process has that pid: the worker is gone
    ELSEWHERE = "elsewhere"  # another host (or an id we cannot read): only expiry frees it


def this_host() -> str:
    """The host part of this machine's worker ids."""
    return socket.gethostname()


def parse_owner(owner: str) -> Owner | None:
    """`host:pid:tag` → Owner; None for an id not in that form (never taken back early)."""
    host, sep, rest = owner.rpartition(":")  # the tag
    host, sep2, pid = host.rpartition(":")
    if not (sep and sep2 and host and rest) or not pid.isdigit() or int(pid) <= 0:
        return None
    return Owner(host, int(pid))


def process_alive(pid: int) -> bool:
    """Whether a process with this pid runs here: signal 0 checks without sending anything.
    Someone else's process (PermissionError) is alive, as is a zombie not yet reaped: a
    doubt always keeps the lease, since taking back a live worker's post could double it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError (EPERM): it exists, owned by another user
        return True
    return True


def holder_of(
    owner: str | None, *, host: str | None = None, alive: Callable[[int], bool] = process_alive
) -> Holder | None:
    """Whether the worker holding a lease runs, has stopped, or is out of sight (None: no lease).

    The host must name one pid namespace: containers sharing a hostname but not their pids
    would see each other's workers as stopped."""
    if owner is None:
        return None
    where = parse_owner(owner)
    if where is None or where.host != (host or this_host()):
        return Holder.ELSEWHERE
    return Holder.ALIVE if alive(where.pid) else Holder.STOPPED


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
        return _to_unknown(
            session,
            Post.lease_expires_at < now,
            now,
            error="the worker's lease expired before it recorded an outcome",
            message="the worker stopped before recording an outcome",
        )


def take_back_stopped(
    factory: sessionmaker[Session],
    now: datetime | None = None,
    *,
    host: str | None = None,
    alive: Callable[[int], bool] = process_alive,
) -> list[tuple[int, str]]:
    """Posts leased to workers of this host whose process is gone, taken back without waiting
    for the lease: a publishing one becomes `unknown` as at lease expiry (the platform is asked
    before any new attempt), an `unknown` one being reconciled just loses its lease. Every move
    is guarded by the state and the exact owner id, so a new worker reusing the pid (another
    tag) keeps its posts. Returns (post id, owner) of each post taken back."""
    now = now or utcnow()
    host = host or this_host()
    with transaction(factory) as session:
        owners = session.scalars(
            select(Post.lease_owner)
            .distinct()
            .where(Post.state.in_([s.value for s in LEASED_STATES]), Post.lease_owner.is_not(None))
        ).all()
        gone = sorted(
            o for o in owners if o and holder_of(o, host=host, alive=alive) is Holder.STOPPED
        )
        if not gone:
            return []
        taken = _owners_of(session, gone)
        for owner in gone:
            where = parse_owner(owner)
            why = f"the worker's process ({where}) was gone before it recorded an outcome"
            _to_unknown(
                session,
                Post.lease_owner == owner,
                now,
                error=why,
                message=f"{why} (taken back without waiting for its lease)",
            )
        session.execute(
            update(Post)
            .where(Post.state == PostState.UNKNOWN.value, Post.lease_owner.in_(gone))
            .values(updated_at=now, **RELEASE)
            .execution_options(synchronize_session=False)
        )
    return taken


def _owners_of(session: Session, owners: Collection[str]) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Post.id, Post.lease_owner)
        .where(Post.state.in_([s.value for s in LEASED_STATES]), Post.lease_owner.in_(owners))
        .order_by(Post.id)
    ).all()
    return [(post_id, str(owner)) for post_id, owner in rows]


def _to_unknown(
    session: Session, which: ColumnElement[bool], now: datetime, *, error: str, message: str
) -> list[int]:
    """Publishing posts (those `which` picks) whose worker is gone become `unknown`, to be
    asked about at once; their attempts in flight end as LEASE_EXPIRED with `message`."""
    moved = list(
        session.scalars(
            transition([PostState.PUBLISHING], PostState.UNKNOWN, now)
            .where(which)
            .values(
                next_attempt_at=now,
                wait_reason="worker stopped mid-publish: asking the platform",
                last_error=error,
                **RELEASE,
            )
            .returning(Post.id)
        )
    )
    if moved:
        session.execute(
            update(Attempt)
            .where(Attempt.post_id.in_(moved), Attempt.outcome.is_(None))
            .values(outcome=AttemptOutcome.LEASE_EXPIRED.value, ended_at=now, message=message)
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
