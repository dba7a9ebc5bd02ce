"""Moving a scheduled post (`scheduling_move.move_post`, behind `crosspost posts move` and the
web calendar): the time is read as `schedule` reads `--at`, the budget is kept, only a
scheduled post moves, the change is a compare-and-set on the row, and it is audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from crosspost.config import Budget
from crosspost.db.models import AuditEvent, Post
from crosspost.errors import StateError, UserError
from crosspost.scheduling import cancel, get_post
from crosspost.scheduling_move import move_post
from crosspost.timeutil import as_utc, utcnow
from tests.support.factories import make_content, schedule_now

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def with_budget(config, account: str, budget: Budget):
    accounts = dict(config.accounts)
    accounts[account] = replace(accounts[account], budget=budget)
    return replace(config, accounts=accounts)


def x_posts(db, config, count: int, *, delay: float = 3600) -> list[int]:
    ids = []
    with db.factory.begin() as session:
        for n in range(count):
            item = make_content(session, title=f"Bài viết số {n + 1} về công tác xây dựng Đảng")
            ids += schedule_now(session, config, item.id, platforms=["x"], delay=delay)
    return ids


def local(days: int, clock: str = "09:30") -> str:
    """'YYYY-MM-DD HH:MM' in Vietnam, `days` from today."""
    return f"{(utcnow().astimezone(ZONE) + timedelta(days=days)).date()} {clock}"


def state_of(db, post_id: int) -> tuple[str, object, object]:
    with db.factory() as session:
        post = get_post(session, post_id)
        due = post.next_attempt_at
        return post.state, as_utc(post.scheduled_at), due and as_utc(due)


def test_a_scheduled_post_moves_and_the_move_is_audited(db, memory_config):
    (post_id,) = x_posts(db, memory_config, 1)
    before = state_of(db, post_id)
    with db.factory.begin() as session:
        moved = move_post(session, memory_config, post_id, local(3), actor="ke-hoach")
        at = as_utc(moved.scheduled_at)
    assert at.astimezone(ZONE).strftime("%H:%M") == "09:30"
    assert state_of(db, post_id) == ("scheduled", at, at)
    with db.factory() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.post_id == post_id, AuditEvent.action == "move")
        ).one()
    assert event.actor == "ke-hoach"
    assert event.detail["at"] == at.isoformat()
    assert event.detail["old_at"] == before[1].isoformat()  # type: ignore[union-attr]
    assert event.detail["account"] == "xacct"


def test_an_iso_time_with_offset_is_taken_as_given(db, memory_config):
    (post_id,) = x_posts(db, memory_config, 1)
    day = (utcnow() + timedelta(days=4)).date()
    with db.factory.begin() as session:
        move_post(session, memory_config, post_id, f"{day}T08:00+07:00", actor="ke-hoach")
    assert state_of(db, post_id)[1].astimezone(ZONE).strftime("%H:%M") == "08:00"  # type: ignore[union-attr]


def moves(db, post_id: int) -> int:
    with db.factory() as session:
        found = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "move", AuditEvent.post_id == post_id)
        ).all()
    return len(found)


def refused(db, config, post_id: int, when: str, error: type[Exception], match: str) -> None:
    before = state_of(db, post_id)
    with db.factory.begin() as session, pytest.raises(error, match=match):
        move_post(session, config, post_id, when, actor="ke-hoach")
    assert state_of(db, post_id) == before
    assert moves(db, post_id) == 0


def test_a_cancelled_post_is_not_moved(db, memory_config):
    (post_id,) = x_posts(db, memory_config, 1)
    with db.factory.begin() as session:
        cancel(session, post_id, actor="ke-hoach")
    refused(db, memory_config, post_id, local(2), StateError, "only a scheduled post can be moved")


def test_a_published_post_is_not_moved(db, memory_config):
    (post_id,) = x_posts(db, memory_config, 1)
    with db.factory.begin() as session:
        session.execute(update(Post).where(Post.id == post_id).values(state="published"))
    refused(db, memory_config, post_id, local(2), StateError, "is published; only a scheduled")


def test_a_time_in_the_past_is_refused(db, memory_config):
    (post_id,) = x_posts(db, memory_config, 1)
    refused(db, memory_config, post_id, local(-1), UserError, "is in the past")


def test_a_time_past_the_horizon_is_refused(db, memory_config):
    (post_id,) = x_posts(db, memory_config, 1)
    config = replace(memory_config, horizon_days=30)
    refused(db, config, post_id, local(45), UserError, "more than 30 days ahead")


def test_a_wall_time_the_zone_skips_or_shows_twice_is_refused(db, memory_config):
    (post_id,) = x_posts(db, memory_config, 1)
    config = replace(memory_config, timezone=ZoneInfo("America/New_York"))
    refused(
        db, config, post_id, "2027-03-14 02:30", UserError, "does not exist in America/New_York"
    )
    refused(db, config, post_id, "2027-11-07 01:30", UserError, "happens twice")


def test_unreadable_time_and_unknown_post_are_refused(db, memory_config):
    (post_id,) = x_posts(db, memory_config, 1)
    refused(db, memory_config, post_id, "ngày mai", UserError, "cannot read the time")
    refused(db, memory_config, post_id, local(2)[:10], UserError, "a date without a time")
    with db.factory.begin() as session, pytest.raises(UserError, match="no post with id 999999"):
        move_post(session, memory_config, 999_999, local(2), actor="ke-hoach")


def test_a_day_whose_budget_is_full_is_refused_and_another_day_is_not(db, memory_config):
    config = with_budget(memory_config, "xacct", Budget({"per_day": 2}, day_zone="Asia/Bangkok"))
    first, second, third = x_posts(db, config, 3)
    with db.factory.begin() as session:
        move_post(session, config, first, local(5, "08:00"), actor="ke-hoach")
        move_post(session, config, second, local(5, "10:00"), actor="ke-hoach")
    refused(db, config, third, local(5, "15:00"), UserError, r"xacct's budget \(per_day 2")
    with db.factory.begin() as session:
        move_post(session, config, third, local(6, "15:00"), actor="ke-hoach")
    assert (
        state_of(db, third)[1].astimezone(ZONE).day
        == (  # type: ignore[union-attr]
            utcnow().astimezone(ZONE) + timedelta(days=6)
        ).day
    )


def test_a_post_claimed_meanwhile_is_not_moved(db, memory_config):
    (post_id,) = x_posts(db, memory_config, 1)
    with db.factory.begin() as session:
        session.execute(
            update(Post).where(Post.id == post_id).values(state="publishing", lease_owner="w1")
        )
    refused(db, memory_config, post_id, local(2), StateError, "is publishing")


def test_a_row_changed_after_it_was_read_is_not_moved(db, memory_config, monkeypatch):
    """The compare-and-set: the row read as scheduled at T moves only if it still is."""
    (post_id,) = x_posts(db, memory_config, 1)
    later = utcnow() + timedelta(days=9)

    def someone_else_moves_it(session, config, post, account, at):
        session.execute(
            update(Post)
            .where(Post.id == post.id)
            .values(scheduled_at=later, next_attempt_at=later)
            .execution_options(synchronize_session=False)
        )

    monkeypatch.setattr("crosspost.scheduling_move._check_budget", someone_else_moves_it)
    with db.factory.begin() as session, pytest.raises(StateError, match="changed a moment ago"):
        move_post(session, memory_config, post_id, local(2), actor="ke-hoach")
