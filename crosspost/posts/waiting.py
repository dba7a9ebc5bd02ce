"""When a post that has not gone out will go, and why it waits: the rules `posts list` shows.

A post waits for its time (or its retry time, or a budget's room: both are `next_attempt_at`),
for its account's rest (the platform asked the account to wait), or for its paused account to
be fixed (no time at all). The later of time and rest wins, and the reason names it. A post a
worker holds waits for that worker: one whose process is gone from this host, or one on another
host, is named with its lease's end, since only that (or a worker starting here) frees the post.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from crosspost.db.models import DUE_POST_STATES, PostState
from crosspost.posts.leases import LEASED_STATES, Holder, holder_of, parse_owner
from crosspost.timeutil import as_utc, format_local, utcnow

if TYPE_CHECKING:
    from crosspost.listing import AnyPostRow

# States of a post the worker will still try (or ask the platform about).
WAITING_STATES = (PostState.SCHEDULED, PostState.RETRY_WAIT, PostState.UNKNOWN)
# States whose claim an account's rest holds back: the ones a worker claims to publish.
RESTABLE_STATES = DUE_POST_STATES


def resting(account: str, reason: str | None, until: datetime, zone: ZoneInfo) -> str:
    """Why an account's posts wait for its rest, in the words the gate and `posts list` use."""
    why = reason or "the platform asked to wait"
    return f"{account} resting: {why}; until {format_local(until, zone)}"


def resting_until(row: AnyPostRow) -> datetime | None:
    """When the post's account may publish again, if the platform asked it to wait."""
    until = row.rest_until
    if until is None or row.post.state not in RESTABLE_STATES:
        return None
    until = as_utc(until)
    return until if until > utcnow() else None


def goes_out_at(row: AnyPostRow) -> datetime | None:
    """When the worker will next try a post that has not gone out (paused: not until fixed)."""
    post = row.post
    if post.state not in WAITING_STATES or row.paused_reason:
        return None
    times = [t for t in (post.next_attempt_at, resting_until(row)) if t is not None]
    return max(as_utc(t) for t in times) if times else None


def format_zoned(value: datetime, zone: ZoneInfo) -> str:
    """A time in the zone with its offset, to the second: "2026-12-02 11:08:05+07:00"."""
    return as_utc(value).astimezone(zone).replace(microsecond=0).isoformat(sep=" ")


def lease_holder(row: AnyPostRow) -> Holder | None:
    """Who holds the post's lease (alive, stopped, elsewhere), None when no worker does."""
    post = row.post
    if post.state not in LEASED_STATES:
        return None
    return holder_of(post.lease_owner)


def lease_note(row: AnyPostRow, zone: ZoneInfo) -> str | None:
    """What a post held by a stopped worker or one on another host waits for, in words."""
    holder, owner, until = lease_holder(row), row.post.lease_owner, row.post.lease_expires_at
    if owner is None or until is None or holder not in (Holder.STOPPED, Holder.ELSEWHERE):
        return None
    where = parse_owner(owner) or owner
    ended = as_utc(until) <= utcnow()
    when = format_zoned(until, zone)
    if holder is Holder.STOPPED:
        if ended:
            return (
                f"the lease of a stopped worker ({where}) ended at {when}: "
                "the next worker to run takes the post back"
            )
        return f"waiting for the lease of a stopped worker ({where}) until {when}"
    if ended:
        return f"the lease held by a worker on another host ({where}) ended at {when}"
    return f"the lease is held by a worker on another host ({where}) until {when}"


def waiting_reason(row: AnyPostRow, zone: ZoneInfo) -> str | None:
    """Why a post that has not gone out yet is waiting, in words."""
    post = row.post
    held = lease_note(row, zone)
    if held is not None:
        return held
    if post.state not in WAITING_STATES:
        return None
    if row.paused_reason:
        return row.paused_reason
    rest = resting_until(row)
    next_at = post.next_attempt_at
    if rest is not None and (next_at is None or rest > as_utc(next_at)):
        return resting(row.account_name, row.rest_reason, rest, zone)
    if post.wait_reason:
        return post.wait_reason
    return "its scheduled time" if post.state == PostState.SCHEDULED else None
