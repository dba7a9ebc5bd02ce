"""The posts on a stretch of calendar: each post where it is (or was) on the platform's
calendar, read in one query (posts, their account and their item joined), for the web's
month and week views.

A post is placed where it holds its slot, as the planner counts it: a published post at the
time it went out, a post still to go at its due time (a retry or a budget wait moves it),
any other at the time it was scheduled for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crosspost.db.models import LIVE_POST_STATES, Account, Content, Post, PostState
from crosspost.timeutil import as_utc

LIVE = frozenset(s.value for s in LIVE_POST_STATES)


@dataclass(frozen=True)
class CalendarPost:
    id: int
    content_id: int
    title: str
    unit: str | None
    account: str
    platform: str
    state: str
    at: datetime  # UTC-aware: where the post sits on the calendar

    @property
    def movable(self) -> bool:
        return self.state == PostState.SCHEDULED


def day_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[midnight of `first`, midnight after `last`) in `zone`, as UTC."""
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    return as_utc(start), as_utc(end)


def posts_between(
    session: Session, start: datetime, end: datetime, account: str | None = None
) -> list[CalendarPost]:
    """The posts placed in [start, end), by time then id; one account's only with `account`."""
    query = (
        select(
            Post.id,
            Post.content_id,
            Content.title,
            Content.unit,
            Account.name,
            Post.platform,
            Post.state,
            Post.scheduled_at,
            Post.next_attempt_at,
            Post.published_at,
        )
        .join(Account, Account.id == Post.account_id)
        .join(Content, Content.id == Post.content_id)
        .where(
            or_(
                Post.scheduled_at.between(start, end),
                Post.next_attempt_at.between(start, end),
                Post.published_at.between(start, end),
            )
        )
    )
    if account is not None:
        query = query.where(Account.name == account)
    found = []
    for row in session.execute(query):
        post_id, content_id, title, unit, name, platform, state, scheduled, due, published = row
        if state == PostState.PUBLISHED:
            held = published or scheduled
        elif state in LIVE:
            held = due or scheduled
        else:
            held = scheduled
        at = as_utc(held)
        if start <= at < end:
            found.append(CalendarPost(post_id, content_id, title, unit, name, platform, state, at))
    return sorted(found, key=lambda p: (p.at, p.id))
