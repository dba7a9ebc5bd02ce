"""The calendar page and its move form, judged by the database: a planner moves a scheduled
post through `move_post` (the signed-in user as the audit actor), a refusal is one line and
changes nothing, a viewer sees the calendar without the forms; the month and week views place
each post on its day in the configured zone, coloured by its state."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from crosspost.db.models import AuditEvent
from crosspost.scheduling import cancel, get_post
from crosspost.timeutil import as_utc, utcnow
from crosspost.users import Role
from tests.support.web import World, build_world, cheap_hasher


@pytest.fixture
def world(tmp_path, db, journal, monkeypatch) -> World:
    monkeypatch.setattr("crosspost.users._hasher", cheap_hasher)
    return build_world(tmp_path, db, journal)


def local_day(world: World, days: int = 0):
    return (utcnow().astimezone(world.config.timezone) + timedelta(days=days)).date()


def scheduled_at(world: World, post_id: int):
    with world.db.factory() as session:
        post = get_post(session, post_id)
        return post.state, as_utc(post.scheduled_at).astimezone(world.config.timezone)


def _move(world: World, client, post_id: int, at: str, next_: str = "/calendar?view=week"):
    data = {"csrf": world.csrf(client), "at": at, "next": next_}
    return client.post(f"/posts/{post_id}/move", data=data, follow_redirects=False)


def test_a_planner_moves_a_post_and_the_calendar_shows_it_on_its_new_day(world):
    client = world.client(Role.PLANNER)
    post_id = world.posts["ha-noi"]
    day = local_day(world, 3)
    done = _move(world, client, post_id, f"{day}T08:15")
    assert done.status_code == 303
    assert done.headers["location"] == f"/calendar?view=week&moved={post_id}"
    state, at = scheduled_at(world, post_id)
    assert state == "scheduled" and (at.date(), at.strftime("%H:%M")) == (day, "08:15")
    with world.db.factory() as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "move", AuditEvent.post_id == post_id)
        ).all()
    assert event.actor == "planner1"
    week = client.get(f"/calendar?view=week&week={day}&moved={post_id}")
    assert week.status_code == 200
    assert f"Đã dời lịch bài đăng #{post_id}." in week.text
    cell = week.text.split(f'data-day="{day}"', 1)[1].split("</td>", 1)[0]
    assert f'id="cal-post-{post_id}"' in cell and "08:15" in cell
    assert f'data-at="{day}T08:15"' in cell and 'draggable="true"' in cell
    assert 'class="cal-post state-scheduled"' in cell
    assert '<script src="/static/calendar.js"></script>' in week.text


def test_a_refused_move_is_one_line_and_changes_nothing(world):
    client = world.client(Role.ADMIN)
    post_id = world.posts["da-nang"]
    before = scheduled_at(world, post_id)
    past = _move(world, client, post_id, f"{local_day(world, -2)}T08:00")
    assert past.status_code == 400 and "is in the past" in html.unescape(past.text)
    wrong = _move(world, client, post_id, "ngày mai")
    assert wrong.status_code == 400 and "cannot read the time" in html.unescape(wrong.text)
    with world.db.factory.begin() as session:
        cancel(session, post_id, actor="tester")
    gone = _move(world, client, post_id, f"{local_day(world, 2)}T08:00")
    assert gone.status_code == 409
    assert "only a scheduled post can be moved" in html.unescape(gone.text)
    assert scheduled_at(world, post_id)[1] == before[1]
    assert "Traceback" not in past.text + wrong.text + gone.text


def test_a_move_without_next_goes_back_to_the_post_page(world):
    client = world.client(Role.PLANNER)
    post_id = world.posts["ha-noi"]
    data = {"csrf": world.csrf(client), "at": f"{local_day(world, 2)}T09:00"}
    done = client.post(f"/posts/{post_id}/move", data=data, follow_redirects=False)
    assert done.headers["location"] == f"/posts/{post_id}?done=moved"
    page = client.get(done.headers["location"]).text
    assert "Đã dời lịch bài đăng." in page and f'action="/posts/{post_id}/move"' in page
    evil = {**data, "at": f"{local_day(world, 4)}T09:00", "next": "//evil.example/x"}
    assert (
        client.post(f"/posts/{post_id}/move", data=evil, follow_redirects=False).headers["location"]
        == f"/?moved={post_id}"
    )


def test_a_viewer_sees_the_month_without_move_forms(world):
    client = world.client(Role.VIEWER)
    today = local_day(world)
    month = client.get(f"/calendar?month={today:%Y-%m}")
    assert month.status_code == 200
    for post_id in world.posts.values():
        assert f'id="cal-post-{post_id}"' in month.text
    assert "/move" not in month.text and 'draggable="true"' not in month.text
    only = client.get(f"/calendar?month={today:%Y-%m}&account=page").text
    assert "cal-post-" not in only  # the world's posts are on x


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("view=year", "view 'year' must be month or week"),
        ("month=2026-13", "month '2026-13' must be YYYY-MM"),
        ("view=week&week=2026-02-30", "is not a day of the calendar"),
        ("view=week&week=tuần-sau", "must be a day YYYY-MM-DD"),
        ("account=nope", "unknown account 'nope'"),
    ],
)
def test_a_wrong_query_is_one_line(world, query, says):
    response = world.client(Role.PLANNER).get("/calendar?" + query)
    assert response.status_code == 400 and says in html.unescape(response.text)
