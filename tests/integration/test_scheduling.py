"""Scheduling refuses what cannot be published, and a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crosspost.adapters.base import ContentKind, MediaRole
from crosspost.db.models import AuditEvent, Post
from crosspost.errors import StateError, UserError
from crosspost.scheduling import SchedulingProblems, cancel, repost, retry, schedule
from crosspost.timeutil import utcnow
from tests.support.factories import make_content, schedule_now


def counts(db):
    with db.factory() as session:
        return (
            session.scalar(select(func.count(Post.id))),
            session.scalar(select(func.count(AuditEvent.id))),
        )


def test_schedules_one_post_per_enabled_account(db, memory_config):
    with db.factory.begin() as session:
        item = make_content(session, kind=ContentKind.ARTICLE)
        at = utcnow() + timedelta(hours=2)
        posts = schedule(
            session, memory_config, item.id, at, actor="tuan", platforms=["facebook", "x"]
        )
    assert sorted(p.platform for p in posts) == ["facebook", "x"]
    assert all(p.state == "scheduled" and p.scheduled_at == at for p in posts)


@pytest.mark.parametrize(
    ("state", "kwargs", "error", "message"),
    [
        ("draft", {}, StateError, "not approved"),
        ("submitted", {}, StateError, "not approved"),
        ("rejected", {}, StateError, "not approved"),
        ("approved", {"platforms": ["tiktok"]}, UserError, "unknown platform 'tiktok'"),
        ("approved", {"accounts": ["nope"]}, UserError, "unknown account 'nope'"),
        ("approved", {"delay": -3600}, UserError, "is in the past"),
    ],
)
def test_refusals_leave_the_database_unchanged(db, memory_config, state, kwargs, error, message):
    with db.factory.begin() as session:
        item = make_content(session, state=state)
    before = counts(db)
    with db.factory.begin() as session, pytest.raises(error, match=message):
        schedule_now(session, memory_config, item.id, **kwargs)
    assert counts(db) == before


def test_missing_media_file_is_refused(db, memory_config, tmp_path):
    video = tmp_path / "phong-su.mp4"
    video.write_bytes(b"\x00" * 2048)
    with db.factory.begin() as session:
        item = make_content(session, kind=ContentKind.VIDEO, media=[(MediaRole.VIDEO, video)])
    video.unlink()
    before = counts(db)
    with db.factory.begin() as session, pytest.raises(UserError, match="is missing"):
        schedule_now(session, memory_config, item.id, delay=60)
    assert counts(db) == before


def test_platform_that_does_not_take_the_kind_is_refused(db, memory_config):
    with db.factory.begin() as session:
        item = make_content(session, kind=ContentKind.ARTICLE)
    with (
        db.factory.begin() as session,
        pytest.raises(SchedulingProblems, match="does not take article"),
    ):
        schedule_now(session, memory_config, item.id, delay=60, platforms=["youtube"])


def test_second_live_post_for_the_same_account_is_refused(db, memory_config):
    with db.factory.begin() as session:
        item = make_content(session)
        schedule_now(session, memory_config, item.id, delay=60, platforms=["x"])
    with db.factory.begin() as session, pytest.raises(SchedulingProblems, match="already has post"):
        schedule_now(session, memory_config, item.id, delay=120, platforms=["x"])


def test_cancel_retry_and_repost(db, memory_config):
    with db.factory.begin() as session:
        item = make_content(session)
        (post_id,) = schedule_now(session, memory_config, item.id, delay=60, platforms=["x"])
    with db.factory.begin() as session:
        assert cancel(session, post_id, actor="tuan").state == "cancelled"
    with (
        db.factory.begin() as session,
        pytest.raises(StateError, match="only failed or retry_wait"),
    ):
        retry(session, post_id, actor="tuan")
    with db.factory.begin() as session:
        (new_id,) = [
            p.id
            for p in repost(
                session, memory_config, item.id, "x", utcnow(), actor="tuan", reason="đăng lại"
            )
        ]
    with db.factory() as session:
        new = session.get(Post, new_id)
        assert new.reposted_from_id == post_id
        assert new.reason == "đăng lại"
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.post_id.in_([post_id, new_id]))
        ).all()
    assert sorted(actions) == ["cancel", "repost", "schedule"]


def test_rendering_problems_are_all_listed_and_nothing_is_written(db, memory_config):
    # Given approved content whose editor-set YouTube title and X text are too long
    with db.factory.begin() as session:
        item = make_content(session, kind=ContentKind.ARTICLE)
        item.overrides = {"x": {"text": "Đảng bộ " * 700}, "facebook": {"text": "ừ " * 40000}}
    before = counts(db)
    # When it is scheduled on X and Facebook
    with db.factory.begin() as session, pytest.raises(SchedulingProblems) as caught:
        schedule_now(session, memory_config, item.id, delay=60, platforms=["x", "facebook"])
    # Then each platform's problem is listed, and nothing was written
    problems = caught.value.problems
    assert any(p.startswith("xacct: x:") for p in problems), problems
    assert any(p.startswith("page: facebook:") for p in problems), problems
    assert counts(db) == before


def test_with_no_platform_named_an_article_goes_to_every_account_that_takes_articles(
    db, memory_config
):
    # Given an article, and accounts on Facebook, YouTube (videos only) and X
    with db.factory.begin() as session:
        item = make_content(session, kind=ContentKind.ARTICLE)
    # When it is scheduled without naming a platform or an account
    with db.factory.begin() as session:
        post_ids = schedule_now(session, memory_config, item.id, delay=60)
    # Then it goes to Facebook and X, and YouTube is left out rather than refusing it
    with db.factory() as session:
        platforms = sorted(session.get(Post, i).platform for i in post_ids)
    assert platforms == ["facebook", "x"]
