"""Today: what goes out today and tomorrow, what failed, what waits and why, paused accounts.

The same reads as `crosspost posts today` and `posts list` (cli/listing_bounds, listing.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.responses import Response

from crosspost.accounts import paused_accounts
from crosspost.cli.listing_bounds import goes_out_today, goes_out_tomorrow
from crosspost.listing import PostFilter
from crosspost.timeutil import iso_local, utcnow
from crosspost.web.page import Page, WebState
from crosspost.web.pages.rows import collector

FAILED_DAYS = 7


def page(page: Page) -> Response:
    return page.render("today.html", **today_data(page.state))


def today_data(state: WebState) -> dict[str, Any]:
    """Today's sections, each a list of posts with `posts list --json`'s keys (the API's too)."""
    zone = state.config.timezone
    collect = collector(state)
    now = utcnow()
    failed = collect(PostFilter(status=("failed",), since=now - timedelta(days=FAILED_DAYS)))
    # Waiting: retried or unsure posts, and due posts a budget or a rest keeps back.
    waiting = list(collect(PostFilter(status=("retry_wait", "unknown"))))
    waiting += [
        r for r in collect(PostFilter(status=("scheduled",), until=now)) if r["waiting_for"]
    ]
    with state.factory() as session:
        paused = [
            {
                "name": a.name,
                "platform": a.platform,
                "reason": a.paused_reason,
                "since": iso_local(a.paused_at, zone),
            }
            for a in paused_accounts(session)
        ]
    going = goes_out_today(collect, zone, ())
    return {
        "now": iso_local(now, zone),
        "today": going.rows,
        "held": going.held,  # due today, waiting for a paused account to be fixed
        "tomorrow": goes_out_tomorrow(collect, zone, ()),
        "failed": sorted(failed, key=lambda r: r["id"], reverse=True),
        "waiting": sorted(waiting, key=lambda r: r["id"]),
        "paused": paused,
    }
