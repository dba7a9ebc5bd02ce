"""When a post that has not gone out will go, and why it waits: the rules `posts list` shows.

A post waits for its time (or its retry time, or a budget's room: both are `next_attempt_at`),
for its account's rest (the platform asked the account to wait), or for its paused account to
be fixed (no time at all). The later of time and rest wins, and the reason names it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from crosspost.db.models import DUE_POST_STATES, PostState
from crosspost.timeutil import as_utc, format_local, utcnow

if TYPE_CHECKING:
    from crosspost.listing import PostRow

# States of a post the worker will still try (or ask the platform about).
WAITING_STATES = (PostState.SCHEDULED, PostState.RETRY_WAIT, PostState.UNKNOWN)
# States whose claim an account's rest holds back: the ones a worker claims to publish.
RESTABLE_STATES = DUE_POST_STATES


def resting(account: str, reason: str | None, until: datetime, zone: ZoneInfo) -> str:
    """Why an account's posts wait for its rest, in the words the gate and `posts list` use."""
    why = reason or "the platform asked to wait"
    return f"{account} resting: {why}; until {format_local(until, zone)}"


def resting_until(row: PostRow) -> datetime | None:
    """When the post's account may publish again, if the platform asked it to wait."""
    until = row.rest_until
    if until is None or row.post.state not in RESTABLE_STATES:
        return None
    until = as_utc(until)
    return until if until > utcnow() else None


def goes_out_at(row: PostRow) -> datetime | None:
    """When the worker will next try a post that has not gone out (paused: not until fixed)."""
    post = row.post
    if post.state not in WAITING_STATES or row.paused_reason:
        return None
    times = [t for t in (post.next_attempt_at, resting_until(row)) if t is not None]
    return max(as_utc(t) for t in times) if times else None


def waiting_reason(row: PostRow, zone: ZoneInfo) -> str | None:
    """Why a post that has not gone out yet is waiting, in words."""
    post = row.post
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
