"""The month's plan on SQLite and PostgreSQL: read from the database, applied through
`scheduling.schedule` in one transaction (all or nothing), respecting what is already there."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from crosspost.adapters.base import ContentKind
from crosspost.config import Budget, WindowSettings
from crosspost.db.models import Account, AuditEvent, Content, Post
from crosspost.intake.month import Month
from crosspost.intake.plan import PlanNotApplied, apply_plan, make_plan, plan_json
from crosspost.scheduling import schedule
from crosspost.timeutil import utcnow
from tests.support.monthly import ZONE, add_item, next_month

pytestmark = pytest.mark.db

VIDEO = ContentKind.VIDEO


def given_month(db, folder, month, *, articles=3, videos=1):
    """Given: approved articles from two units and videos from one for `month`, plus items the
    plan must leave alone (not approved, or another month's)."""
    period = str(month)
    with db.factory.begin() as session:
        ids = [
            add_item(session, folder, unit=unit, period=period).id
            for unit in ("ha-noi", "hue")
            for _ in range(articles)
        ]
        ids += [
            add_item(session, folder, unit="ha-noi", period=period, kind=VIDEO).id
            for _ in range(videos)
        ]
        add_item(session, folder, unit="hue", period=period, state="submitted")
        add_item(session, folder, unit="hue", period=str(month.next()))
    return ids


def posts(db):
    with db.factory() as session:
        return session.execute(
            select(Post, Account.name).join(Account).order_by(Post.scheduled_at)
        ).all()


def test_apply_schedules_every_placement_and_a_second_plan_has_nothing_left(
    db, memory_config, tmp_path
):
    month = next_month()
    ids = given_month(db, tmp_path, month)
    now = utcnow()
    with db.factory.begin() as session:
        plan = make_plan(session, memory_config, month, now=now)
        applied = apply_plan(session, memory_config, plan, actor="ke-hoach", now=now)
    # articles go to the page and X; the video to those and the channel
    assert Counter(p.account for p in plan.placements) == {"page": 7, "xacct": 7, "channel": 1}
    assert {p.content_id for p in plan.placements} == set(ids)
    assert plan.unplaced == ()
    created = posts(db)
    assert sorted((p.id, name, p.scheduled_at) for p, name in created) == sorted(
        (applied.post_ids[(pl.content_id, pl.account)], pl.account, pl.at) for pl in plan.placements
    )
    assert all(p.state == "scheduled" for p, _ in created)
    assert all(
        (p.scheduled_at.astimezone(ZONE).year, p.scheduled_at.astimezone(ZONE).month)
        == (month.year, month.month)
        for p, _ in created
    )
    with db.factory() as session:
        audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "schedule")).all()
    assert len(audited) == 15 and {e.actor for e in audited} == {"ke-hoach"}
    data = plan_json(plan, ZONE, applied.post_ids)
    assert data["applied"] is True and all(p["post_id"] for p in data["placements"])
    assert data["placements"][0]["at"].endswith("+07:00")
    with db.factory() as session:
        again = make_plan(session, memory_config, month, now=utcnow())
    assert again.placements == () and again.unplaced == () and again.refused == ()


def test_a_post_already_scheduled_keeps_its_account_and_slot(db, memory_config, tmp_path):
    month = next_month()
    ids = given_month(db, tmp_path, month, videos=0)
    first_slot = month.start(ZONE) + timedelta(hours=8, minutes=45)  # 4 a day from 07:00-21:00
    with db.factory.begin() as session:
        schedule(session, memory_config, ids[0], first_slot, actor="tester", accounts=["page"])
        plan = make_plan(session, memory_config, month, now=utcnow())
    on_page = [p for p in plan.placements if p.account == "page"]
    assert ids[0] not in {p.content_id for p in on_page}
    assert ids[0] in {p.content_id for p in plan.placements if p.account == "xacct"}
    assert all(abs(p.at - first_slot) >= timedelta(minutes=60) for p in on_page)


def test_an_item_with_missing_media_is_refused_and_the_rest_placed(db, memory_config, tmp_path):
    month = next_month()
    ids = given_month(db, tmp_path, month, videos=0)
    with db.factory.begin() as session:
        broken = add_item(session, tmp_path, unit="hue", period=str(month), kind=VIDEO)
        video = Path(broken.media[0].path)
    video.unlink()
    now = utcnow()
    with db.factory.begin() as session:
        plan = make_plan(session, memory_config, month, now=now)
        applied = apply_plan(session, memory_config, plan, actor="ke-hoach", now=now)
    # Then the broken item is listed once per account that would take it, and not placed
    assert [(r.content_id, r.account) for r in plan.refused] == [
        (broken.id, "channel"),
        (broken.id, "page"),
        (broken.id, "xacct"),
    ]
    assert all(f"media file {video} is missing" in r.problem for r in plan.refused)
    assert {p.content_id for p in plan.placements} == set(ids)
    # And apply scheduled exactly the shown placements
    assert sorted((name, p.scheduled_at) for p, name in posts(db)) == sorted(
        (pl.account, pl.at) for pl in plan.placements
    )
    assert set(applied.post_ids) == {(p.content_id, p.account) for p in plan.placements}
    # And once the file is back, the next plan places it everywhere
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4096)
    with db.factory() as session:
        again = make_plan(session, memory_config, month, now=utcnow())
    assert again.refused == ()
    assert {(p.content_id, p.account) for p in again.placements} == {
        (broken.id, "channel"),
        (broken.id, "page"),
        (broken.id, "xacct"),
    }


def test_a_problem_on_one_account_keeps_the_item_on_the_others(
    db, memory_config, tmp_path, monkeypatch
):
    from tests.support.memory_adapter import MemoryAdapter, MemoryX

    month = next_month()
    ids = given_month(db, tmp_path, month, articles=1, videos=0)
    with db.factory() as session:
        title = session.get(Content, ids[0]).title

    def x_refuses(self, draft, limits):
        problems = MemoryAdapter.draft_problems(self, draft, limits)
        return problems + (["x: video is 200 s, limit 140 s"] if title in draft.text else [])

    monkeypatch.setattr(MemoryX, "draft_problems", x_refuses)
    with db.factory() as session:
        plan = make_plan(session, memory_config, month, now=utcnow())
    assert [(r.content_id, r.account, r.problem) for r in plan.refused] == [
        (ids[0], "xacct", "x: video is 200 s, limit 140 s")
    ]
    placed = {(p.content_id, p.account) for p in plan.placements}
    assert (ids[0], "page") in placed and (ids[0], "xacct") not in placed
    assert (ids[1], "xacct") in placed
    assert plan_json(plan, ZONE)["refused"] == [
        {
            "content_id": ids[0],
            "title": title,
            "unit": "ha-noi",
            "kind": "article",
            "account": "xacct",
            "problem": "x: video is 200 s, limit 140 s",
        }
    ]


def test_an_item_changed_after_planning_applies_nothing(db, memory_config, tmp_path):
    month = next_month()
    given_month(db, tmp_path, month, videos=0)
    with db.factory.begin() as session:
        broken = add_item(session, tmp_path, unit="hue", period=str(month), kind=VIDEO)
        video = Path(broken.media[0].path)
    # the error leaves the transaction, which rolls back the posts made before the refusal
    with pytest.raises(PlanNotApplied) as refused, db.factory.begin() as session:
        plan = make_plan(session, memory_config, month, now=utcnow())
        video.unlink()  # between the plan and its apply
        apply_plan(session, memory_config, plan, actor="ke-hoach")
    message = str(refused.value)
    assert f"content {broken.id} cannot be scheduled" in message
    assert "nothing was scheduled" in message and "\n" not in message
    assert len(refused.value.problems) == 1  # one item, on its three accounts
    with db.factory() as session:
        assert session.scalar(select(func.count(Post.id))) == 0


def test_two_items_changed_after_planning_are_a_line_each(db, memory_config, tmp_path):
    month = next_month()
    given_month(db, tmp_path, month, videos=0)
    with db.factory.begin() as session:
        broken = [
            add_item(session, tmp_path, unit=unit, period=str(month), kind=VIDEO)
            for unit in ("hue", "hue")
        ]
        videos = [Path(item.media[0].path) for item in broken]
    with pytest.raises(PlanNotApplied) as refused, db.factory.begin() as session:
        plan = make_plan(session, memory_config, month, now=utcnow())
        for video in set(videos):
            video.unlink(missing_ok=True)
        apply_plan(session, memory_config, plan, actor="ke-hoach")
    summary, *lines = refused.value.lines()
    assert summary.startswith("the plan was not applied, nothing was scheduled: 2 items")
    assert [line.split(":")[0] for line in lines] == [
        f"content {item.id} cannot be scheduled" for item in broken
    ]
    with db.factory() as session:
        assert session.scalar(select(func.count(Post.id))) == 0


def test_the_configured_budget_keeps_youtube_to_its_pacific_day(db, memory_config, tmp_path):
    month = next_month()
    given_month(db, tmp_path, month, articles=0, videos=5)
    accounts = dict(memory_config.accounts)
    accounts["channel"] = replace(
        accounts["channel"], budget=Budget({"per_day": 1}, "America/Los_Angeles")
    )
    # eight slots a day on the month's last two days: room for all five, but only three
    # Pacific days (the 29th from 08:00 in Vietnam, the 30th, the 31st until 15:00)
    windows = {"youtube": WindowSettings(8, ("08:00-22:00",), 30)}
    config = replace(memory_config, accounts=accounts, windows=windows)
    with db.factory() as session:
        plan = make_plan(session, config, month, now=month.end(ZONE) - timedelta(days=2))
    pacific = ZoneInfo("America/Los_Angeles")
    days = [p.at.astimezone(pacific).date() for p in plan.placements if p.account == "channel"]
    assert len(days) == 3 and len(set(days)) == 3
    assert [u.account for u in plan.unplaced] == ["channel", "channel"]
    assert "budget (per_day 1 (America/Los_Angeles day))" in plan.unplaced[0].reason


def test_last_months_leftovers_are_planned_and_anything_ever_posted_is_not(
    db, memory_config, tmp_path
):
    month = next_month()
    previous = str(
        Month(month.year, month.month - 1) if month.month > 1 else Month(month.year - 1, 12)
    )
    with db.factory.begin() as session:
        # Given an article approved last month and never scheduled
        leftover = add_item(session, tmp_path, unit="hue", period=previous).id
        # And one from last month whose X post failed, and one sent for the month after
        failed = add_item(session, tmp_path, unit="hue", period=previous).id
        later = add_item(session, tmp_path, unit="hue", period=str(month.next())).id
        (post,) = schedule(
            session,
            memory_config,
            failed,
            utcnow() + timedelta(hours=1),
            actor="t",
            accounts=["xacct"],
        )
        post.state = "failed"
    with db.factory() as session:
        plan = make_plan(session, memory_config, month, now=utcnow())
    placed = Counter((p.content_id, p.account) for p in plan.placements)
    # Then the leftover goes to both accounts, the failed one only where it never went, and
    # the next month's item waits for its month
    assert placed == {(leftover, "page"): 1, (leftover, "xacct"): 1, (failed, "page"): 1}
    assert later not in {p.content_id for p in plan.placements}
