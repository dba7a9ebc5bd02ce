"""Scheduling refuses what cannot be published, and a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

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
    # and the CLI prints a summary, then one line per problem, not all of them on one line
    summary, *lines = caught.value.lines()
    assert summary == f"content {item.id} cannot be scheduled ({len(problems)} problems):"
    assert lines == problems


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


def test_published_content_is_refused_naming_repost_which_still_works(db, memory_config):
    from crosspost.worker.dispatcher import Worker

    with db.factory.begin() as session:
        item = make_content(session)
        (first,) = schedule_now(session, memory_config, item.id, platforms=["x"])
    Worker(memory_config, db.factory).run_once()
    again = f"`crosspost repost {item.id} --platform x --now --reason TEXT`"
    with db.factory.begin() as session, pytest.raises(SchedulingProblems) as refused:
        schedule_now(session, memory_config, item.id, platforms=["x"])
    assert refused.value.problems == [
        f"xacct: already published as post {first}; to publish it again use {again}"
    ]
    with db.factory.begin() as session:
        (second,) = [
            p.id
            for p in repost(
                session, memory_config, item.id, "x", utcnow(), actor="tuan", reason="bản sửa"
            )
        ]
    Worker(memory_config, db.factory).run_once()
    # A repost of the repost: still possible, linked to the latest post.
    with db.factory.begin() as session:
        (third,) = [
            p.id
            for p in repost(
                session, memory_config, item.id, "x", utcnow(), actor="tuan", reason="lần ba"
            )
        ]
    with db.factory() as session:
        posts = {p.id: p for p in session.scalars(select(Post).where(Post.content_id == item.id))}
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "repost").order_by(AuditEvent.id)
        ).all()
    assert posts[second].state == "published" and posts[second].reposted_from_id == first
    assert posts[third].reposted_from_id == second
    assert [(e.post_id, e.detail["reason"]) for e in events] == [
        (second, "bản sửa"),
        (third, "lần ba"),
    ]


def test_the_database_refuses_a_second_first_post_whatever_the_check_saw(
    db, memory_config, monkeypatch
):
    """The database decides: both get past the application's check, one insert wins."""
    import contextlib
    import threading

    import crosspost.scheduling as scheduling

    with db.factory.begin() as session:
        item = make_content(session)
        (first,) = schedule_now(session, memory_config, item.id, platforms=["x"])
    with db.factory.begin() as session:  # published: the index over live + published decides
        session.execute(update(Post).where(Post.id == first).values(state="published"))
    both_checked = threading.Barrier(2)

    def passes(*args, **kwargs):
        # On SQLite the second waits for the first's write lock: the barrier breaks.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=2)

    monkeypatch.setattr(scheduling, "already_posted", passes)
    outcomes: list[str] = []

    def attempt():
        try:
            with db.factory.begin() as session:
                schedule_now(session, memory_config, item.id, platforms=["x"])
            outcomes.append("created")
        except SchedulingProblems as exc:
            outcomes.append(exc.problems[0])

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with db.factory() as session:
        count = session.scalar(select(func.count(Post.id)).where(Post.content_id == item.id))
    assert count == 1
    assert all("scheduled by someone else" in o for o in outcomes), outcomes


def test_two_schedules_of_new_content_at_once_make_exactly_one_post(db, memory_config):
    import threading

    with db.factory.begin() as session:
        item = make_content(session)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt():
        start.wait(timeout=10)
        try:
            with db.factory.begin() as session:
                schedule_now(session, memory_config, item.id, platforms=["x"])
            outcomes.append("created")
        except SchedulingProblems as exc:
            outcomes.append(exc.problems[0])

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with db.factory() as session:
        count = session.scalar(select(func.count(Post.id)).where(Post.content_id == item.id))
    assert count == 1
    assert sorted(outcomes)[0] == "created" and len(outcomes) == 2, outcomes
