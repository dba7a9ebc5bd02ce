"""Move a scheduled post to another time: the one core function `crosspost posts move` and the
web calendar (its form and its drag) both call.

The new time is read as `schedule`'s `--at` is (`parse_local_time`: the configured zone, a DST
gap or overlap refused, the horizon kept), must not be in the past, and must fit the account's
budget windows beside its other posts (`budgets.BudgetLedger`, as the month planner counts), so
a move never asks the worker for more than the platform allows. The change is one guarded
statement (still scheduled, still at the time read: a compare-and-set on the row), audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, undefer

from crosspost import audit
from crosspost.budgets import BudgetLedger
from crosspost.config import Budget, Config
from crosspost.db.models import LIVE_POST_STATES, Account, Post, PostState
from crosspost.errors import StateError, UserError
from crosspost.posts.gate import carries_video
from crosspost.posts.moves import rowcount
from crosspost.scheduling import PAST_TOLERANCE, get_post
from crosspost.timeutil import as_utc, format_zoned, parse_local_time, utcnow

# Posts that hold a place in the account's budget: those that may still go out, and those out.
HELD_STATES = tuple(s.value for s in (*LIVE_POST_STATES, PostState.PUBLISHED))
# Posts this far from the new time can share no budget window with it (the widest is a day).
NEAR = timedelta(days=2)


def move_post(
    session: Session,
    config: Config,
    post_id: int,
    when: str,
    *,
    actor: str,
    now: datetime | None = None,
) -> Post:
    """Give scheduled post `post_id` the time `when` ('YYYY-MM-DD HH:MM' in the configured
    zone, or an ISO time with offset); refuse, changing nothing, on any problem."""
    now = now or utcnow()
    zone = config.timezone
    at = parse_local_time(when, zone, now=now, horizon_days=config.horizon_days)
    post = get_post(session, post_id)
    if post.state != PostState.SCHEDULED:
        raise StateError(
            f"post {post_id} is {post.state}; only a scheduled post can be moved "
            "(see `crosspost posts show " + str(post_id) + "`)"
        )
    if at < now - PAST_TOLERANCE:
        raise UserError(
            f"{format_zoned(at, zone)} is in the past; give a later time for post {post_id}"
        )
    at = max(at, now)
    account = session.get(Account, post.account_id)
    assert account is not None  # a post's account row is never deleted
    old = as_utc(post.scheduled_at)
    old_due = post.next_attempt_at
    if old == at:
        raise UserError(f"post {post_id} is already at {format_zoned(at, zone)}; pick another time")
    _check_budget(session, config, post, account.name, at)
    result = session.execute(
        update(Post)
        .where(
            Post.id == post_id,
            Post.state == PostState.SCHEDULED.value,
            Post.scheduled_at == post.scheduled_at,
            (Post.next_attempt_at == old_due)
            if old_due is not None
            else Post.next_attempt_at.is_(None),
            Post.lease_owner.is_(None),
        )
        .values(scheduled_at=at, next_attempt_at=at, wait_reason=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise StateError(
            f"post {post_id} changed a moment ago (claimed, moved or cancelled); nothing moved: "
            f"see `crosspost posts show {post_id}`"
        )
    audit.record(
        session,
        actor,
        "move",
        content_id=post.content_id,
        post_id=post_id,
        account=account.name,
        old_at=old.isoformat(),
        at=at.isoformat(),
    )
    session.refresh(post)
    return post


def _check_budget(session: Session, config: Config, post: Post, account: str, at: datetime) -> None:
    """Refuse a time where one more post breaks a window of the account's budget (its posts
    with a video counted in the video windows too), counting its other posts near `at`."""
    budget = config.accounts[account].budget if account in config.accounts else Budget()
    if not budget.limits and not budget.video_limits:
        return
    videos = bool(budget.video_limits) and carries_video(post.draft)
    others = _near_posts(session, post, at, videos)
    ledger = BudgetLedger(Budget(budget.limits, budget.day_zone), [t for t, _ in others])
    shown = format_zoned(at, config.timezone)
    if budget.limits and not ledger.fits(at):
        raise UserError(
            f"post {post.id} cannot move to {shown}: {account}'s budget ({ledger.describe()}) "
            "is full there; pick another time or day"
        )
    if videos:
        video_ledger = BudgetLedger(Budget(budget.video_limits), [t for t, v in others if v])
        if not video_ledger.fits(at):
            raise UserError(
                f"post {post.id} cannot move to {shown}: {account}'s budget for posts with a "
                f"video ({video_ledger.describe()}) is full there; pick another time or day"
            )


def _near_posts(
    session: Session, post: Post, at: datetime, videos: bool
) -> list[tuple[datetime, bool]]:
    """The account's other held posts within `NEAR` of `at`: (when it is held, whether it
    carries a video; its draft is read only when `videos` asks)."""
    low, high = at - NEAR, at + NEAR
    query = select(Post)
    if videos:
        query = query.options(undefer(Post.draft))
    rows = session.scalars(
        query.where(
            Post.account_id == post.account_id,
            Post.id != post.id,
            Post.state.in_(HELD_STATES),
            or_(
                Post.next_attempt_at.between(low, high),
                Post.scheduled_at.between(low, high),
                Post.published_at.between(low, high),
            ),
        )
    ).all()
    found = []
    for other in rows:
        held = other.published_at if other.state == PostState.PUBLISHED else None
        when = as_utc(held or other.next_attempt_at or other.scheduled_at)
        found.append((when, videos and carries_video(other.draft)))
    return found
