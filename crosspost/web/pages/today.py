"""Today: what goes out today and tomorrow, what failed, what waits and why, paused accounts.

The same reads as `crosspost posts today` and `posts list` (cli/listing_bounds, listing.py)."""

from __future__ import annotations

from datetime import timedelta

from starlette.responses import Response

from crosspost.accounts import paused_accounts
from crosspost.cli.listing_bounds import goes_out_today, goes_out_tomorrow
from crosspost.listing import PostFilter
from crosspost.timeutil import iso_local, utcnow
from crosspost.web.page import Page
from crosspost.web.pages.rows import collector

FAILED_DAYS = 7


def page(page: Page) -> Response:
    zone = page.config.timezone
    collect = collector(page.state)
    now = utcnow()
    failed = collect(PostFilter(status=("failed",), since=now - timedelta(days=FAILED_DAYS)))
    # Waiting: retried or unsure posts, and due posts a budget or a rest keeps back.
    waiting = list(collect(PostFilter(status=("retry_wait", "unknown"))))
    waiting += [
        r for r in collect(PostFilter(status=("scheduled",), until=now)) if r["waiting_for"]
    ]
    going = goes_out_today(collect, zone, ())
    with page.state.factory() as session:
        paused = [
            {
                "name": a.name,
                "platform": a.platform,
                "reason": a.paused_reason,
                "since": iso_local(a.paused_at, zone),
            }
            for a in paused_accounts(session)
        ]
    return page.render(
        "today.html",
        # Due today but held for a paused account: listed too, its detail says why it waits.
        today=[*going.rows, *going.held],
        tomorrow=goes_out_tomorrow(collect, zone, ()),
        failed=sorted(failed, key=lambda r: r["id"], reverse=True),
        waiting=sorted(waiting, key=lambda r: r["id"]),
        paused=paused,
        now=iso_local(now, zone),
    )
