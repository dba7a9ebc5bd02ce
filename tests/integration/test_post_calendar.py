"""Where the calendar places a post (post_calendar.posts_between): a published post where it
went out, a waiting one at its due time, any other at its scheduled time; one account's only
when asked; the stretch's bounds are midnights in the configured zone."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from crosspost.db.models import Post
from crosspost.post_calendar import day_bounds, posts_between
from crosspost.timeutil import as_utc, utcnow
from tests.support.factories import make_content, schedule_now

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def test_each_post_is_placed_where_it_holds_its_slot(db, memory_config):
    now = utcnow().replace(microsecond=0)
    with db.factory.begin() as session:
        ids = [
            schedule_now(session, memory_config, make_content(session).id, platforms=["x"])[0]
            for _ in range(4)
        ]
        published, waiting, cancelled, scheduled = ids
        values = {
            published: {"state": "published", "published_at": now + timedelta(days=3)},
            waiting: {"state": "retry_wait", "next_attempt_at": now + timedelta(days=4)},
            cancelled: {"state": "cancelled", "next_attempt_at": None},
            scheduled: {"next_attempt_at": now + timedelta(days=1)},
        }
        for post_id, changes in values.items():
            session.execute(update(Post).where(Post.id == post_id).values(**changes))
    with db.factory() as session:
        found = posts_between(session, now - timedelta(days=1), now + timedelta(days=10))
        other = posts_between(session, now - timedelta(days=1), now + timedelta(days=10), "page")
        later = posts_between(session, now + timedelta(days=2), now + timedelta(days=10))
    placed = {p.id: (p.state, as_utc(p.at)) for p in found}
    assert placed[published] == ("published", now + timedelta(days=3))
    assert placed[waiting] == ("retry_wait", now + timedelta(days=4))
    assert placed[scheduled] == ("scheduled", now + timedelta(days=1))
    assert placed[cancelled][0] == "cancelled" and placed[cancelled][1] <= now + timedelta(
        minutes=1
    )
    assert [p.id for p in found] == sorted(placed, key=lambda i: (placed[i][1], i))
    assert {p.account for p in found} == {"xacct"} and other == []
    assert {p.id for p in later} == {published, waiting}
    assert [p.movable for p in found if p.id == scheduled] == [True]
    assert not any(p.movable for p in found if p.id != scheduled)


def test_the_bounds_are_the_zones_midnights():
    start, end = day_bounds(date(2026, 12, 7), date(2026, 12, 13), ZONE)
    assert start.isoformat() == "2026-12-06T17:00:00+00:00"
    assert end.isoformat() == "2026-12-13T17:00:00+00:00"
