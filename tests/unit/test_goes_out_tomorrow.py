"""`goes_out_tomorrow` (the web's Today page): posts still to go whose time falls on the next
day of the configured zone, by when they go out (a waiting post by its later time)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from crosspost.cli.listing_bounds import STILL_TO_GO, goes_out_tomorrow
from crosspost.listing import PostFilter

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)  # 2026-12-03 01:00 in Hanoi


def row(post_id: int, scheduled: str, goes_out: str | None = None) -> dict[str, Any]:
    return {"id": post_id, "scheduled_at": scheduled, "goes_out_at": goes_out or scheduled}


ROWS = [
    row(1, "2026-12-03T23:59:00+07:00"),  # today in Hanoi
    row(2, "2026-12-04T09:00:00+07:00"),  # tomorrow
    row(3, "2026-12-04T00:00:00+07:00"),  # tomorrow's first minute
    row(4, "2026-12-03T20:00:00+07:00", "2026-12-04T08:00:00+07:00"),  # waits into tomorrow
    row(5, "2026-12-05T00:00:00+07:00"),  # the day after
]


def test_tomorrow_is_the_zones_next_day_in_the_order_posts_go(monkeypatch):
    monkeypatch.setattr("crosspost.timeutil.utcnow", lambda: NOW)
    asked: list[PostFilter] = []

    def collect(where: PostFilter) -> Iterator[dict[str, Any]]:
        asked.append(where)
        return iter(ROWS)

    found = goes_out_tomorrow(collect, ZONE, ("x",))
    assert [r["id"] for r in found] == [3, 4, 2]
    (where,) = asked
    assert where.status == STILL_TO_GO and where.platform == ("x",)
    assert where.until == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)  # Dec 5 00:00 in Hanoi
