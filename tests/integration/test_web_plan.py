"""The plan page: the month's calendar from `crosspost plan`'s core, applied by a planner with
the fingerprint shown (exactly that calendar is scheduled, audited as the planner), and a plan
changed since it was shown refused with nothing scheduled."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from crosspost import content as lifecycle
from crosspost.db.models import AuditEvent, Post
from crosspost.intake.month import Month
from crosspost.intake.plan import fingerprint, make_plan
from crosspost.intake.units import load_intake
from crosspost.timeutil import utcnow
from crosspost.users import Role
from tests.support.web import World, build_world, cheap_hasher

FINGERPRINT = re.compile(r'name="expect" value="([0-9a-f]{12})"')


@pytest.fixture
def world(tmp_path, db, journal, monkeypatch) -> World:
    monkeypatch.setattr("crosspost.users._hasher", cheap_hasher)
    return build_world(tmp_path, db, journal)


def next_month(world: World) -> Month:
    today = utcnow().astimezone(world.config.timezone)
    return Month(today.year, today.month).next()


def posts(world: World) -> int:
    with world.db.factory() as session:
        return int(session.scalar(select(func.count(Post.id))) or 0)


def shown(world: World, client, month: Month) -> str:
    page = client.get(f"/plan?month={month}")
    assert page.status_code == 200
    found = FINGERPRINT.search(page.text)
    assert found, "the plan page has no apply form"
    return found.group(1)


def test_a_planner_applies_exactly_the_plan_shown(world):
    month = next_month(world)
    client = world.client(Role.PLANNER)
    with world.db.factory() as session:
        plan = make_plan(session, world.config, month, now=utcnow())
    assert plan.placements, "the world's approved items have accounts left to go to"
    page = client.get(f"/plan?month={month}").text
    for p in plan.placements:
        assert f"#{p.content_id} " in page and p.account in page
    expect = shown(world, client, month)
    assert expect == fingerprint(plan)
    before = posts(world)
    done = client.post(
        "/plan/apply",
        data={"csrf": world.csrf(client), "month": str(month), "expect": expect},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/plan?month={month}&applied={len(plan.placements)}"
    assert posts(world) == before + len(plan.placements)
    with world.db.factory() as session:
        made = session.execute(
            select(Post.content_id, Post.scheduled_at).where(Post.created_by == "planner1")
        ).all()
        actors = set(
            session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "schedule"))
        )
    assert len(made) == len(plan.placements) and "planner1" in actors
    after = client.get(done.headers["location"]).text
    assert f"Đã hẹn giờ {len(plan.placements)} bài theo kế hoạch." in after


def test_a_plan_changed_since_it_was_shown_is_refused(world):
    month = next_month(world)
    client = world.client(Role.ADMIN)
    expect = shown(world, client, month)
    with world.db.factory.begin() as session:  # another item is approved meanwhile
        lifecycle.approve(
            session, world.submitted["ha-noi"], "editor1", approvers=load_intake(world.config)
        )
    before = posts(world)
    refused = client.post(
        "/plan/apply",
        data={"csrf": world.csrf(client), "month": str(month), "expect": expect},
        follow_redirects=False,
    )
    assert refused.status_code == 409
    text = html.unescape(refused.text)
    assert f"Kế hoạch đã thay đổi kể từ khi được hiển thị (mã {expect}); chưa hẹn giờ" in text
    assert posts(world) == before
    fresh = FINGERPRINT.search(refused.text)
    assert fresh and fresh.group(1) != expect  # the page shows the plan as it is now


def test_a_viewer_sees_the_plan_without_the_apply_form(world):
    page = world.client(Role.VIEWER).get(f"/plan?month={next_month(world)}")
    assert page.status_code == 200 and 'action="/plan/apply"' not in page.text
    assert 'class="fingerprint"' in page.text and 'id="unplaced"' in page.text


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"month": "2026-13", "expect": "0123456789ab"}, "must be YYYY-MM"),
        ({"month": "2027-01"}, "the plan's fingerprint is missing"),
    ],
)
def test_bad_apply_input_is_one_line(world, data, says):
    client = world.client(Role.PLANNER)
    before = posts(world)
    response = client.post("/plan/apply", data={"csrf": world.csrf(client), **data})
    assert response.status_code == 400 and says in html.unescape(response.text)
    assert posts(world) == before
