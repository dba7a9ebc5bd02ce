"""The calendar: a month or a week of posts per account, each coloured by its state and linked
to its page; a planner moves a scheduled post with its form (or by dragging it onto another
day, static/calendar.js), through `scheduling_move.move_post` like `crosspost posts move`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from crosspost.db.engine import transaction
from crosspost.errors import UserError
from crosspost.intake.month import Month
from crosspost.post_calendar import CalendarPost, day_bounds, posts_between
from crosspost.scheduling_move import move_post
from crosspost.timeutil import utcnow
from crosspost.web.page import Page
from crosspost.web.pages.login import safe_next

MOVING_ROLES = ("admin", "planner")
VIEWS = ("month", "week")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Shown:
    """What the query asks for, checked: the view, its first and last day, the account."""

    view: str
    month: Month
    first: date
    last: date
    account: str | None


def _choice(page: Page) -> Shown:
    """The view from the query string; a wrong value is one line naming the fix."""
    query = page.request.query_params
    zone = page.config.timezone
    today = utcnow().astimezone(zone).date()
    view = query.get("view", "month") or "month"
    if view not in VIEWS:
        raise UserError(f"view {view!r} must be month or week")
    account = query.get("account") or None
    if account is not None and account not in page.config.accounts:
        known = ", ".join(sorted(page.config.accounts))
        raise UserError(f"unknown account {account!r}; use one of {known}")
    text = query.get("month")
    month = Month.parse(text) if text else Month(today.year, today.month)
    if view == "month":
        days = month.days()
        first = days[0] - timedelta(days=days[0].weekday())
        last = days[-1] + timedelta(days=6 - days[-1].weekday())
        return Shown(view, month, first, last, account)
    week = query.get("week")
    if week:
        if not _DAY.fullmatch(week):
            raise UserError(f"week {week!r} must be a day YYYY-MM-DD, such as 2026-12-07")
        try:
            day = date.fromisoformat(week)
        except ValueError:
            raise UserError(f"week {week!r} is not a day of the calendar") from None
    else:
        day = today if text is None else month.days()[0]
    first = day - timedelta(days=day.weekday())
    return Shown(view, Month(first.year, first.month), first, first + timedelta(days=6), account)


def _link(shown: Shown, **change: str) -> str:
    values = {"view": shown.view, "month": str(shown.month)}
    if shown.view == "week":
        values["week"] = shown.first.isoformat()
    if shown.account:
        values["account"] = shown.account
    values.update(change)
    return "/calendar?" + urlencode({k: v for k, v in values.items() if v})


def _post_json(post: CalendarPost, page: Page) -> dict[str, Any]:
    local = post.at.astimezone(page.config.timezone)
    return {
        "id": post.id,
        "content_id": post.content_id,
        "title": post.title,
        "unit": post.unit,
        "account": post.account,
        "platform": post.platform,
        "state": post.state,
        "clock": local.strftime("%H:%M"),
        "local": local.strftime("%Y-%m-%dT%H:%M"),
        "movable": post.movable,
    }


def page(page: Page) -> Response:
    shown = _choice(page)
    zone = page.config.timezone
    start, end = day_bounds(shown.first, shown.last, zone)
    with page.state.factory() as session:
        posts = posts_between(session, start, end, shown.account)
    by_day: dict[date, list[dict[str, Any]]] = {}
    for post in posts:
        by_day.setdefault(post.at.astimezone(zone).date(), []).append(_post_json(post, page))
    today = utcnow().astimezone(zone).date()
    weeks = []
    day = shown.first
    while day <= shown.last:
        weeks.append(
            [
                {
                    "date": d.isoformat(),
                    "number": d.day,
                    "outside": shown.view == "month" and d.month != shown.month.month,
                    "today": d == today,
                    "posts": by_day.get(d, []),
                }
                for d in (day + timedelta(days=n) for n in range(7))
            ]
        )
        day += timedelta(days=7)
    if shown.view == "month":
        earlier = Month(
            shown.month.year - (shown.month.month == 1), (shown.month.month - 2) % 12 + 1
        )
        back = _link(shown, month=str(earlier))
        ahead = _link(shown, month=str(shown.month.next()))
    else:
        back = _link(shown, week=(shown.first - timedelta(days=7)).isoformat())
        ahead = _link(shown, week=(shown.first + timedelta(days=7)).isoformat())
    here = _link(shown)
    moved = page.request.query_params.get("moved", "")
    return page.render(
        "calendar.html",
        shown=shown,
        weeks=weeks,
        count=len(posts),
        accounts=sorted(page.config.accounts),
        back=back,
        ahead=ahead,
        here=here,
        month_link=_link(shown, view="month", week=""),
        week_link=_link(shown, view="week", week=shown.first.isoformat()),
        can_move=page.viewer is not None and page.viewer.role in MOVING_ROLES,
        notice=page.t("calendar.moved", id=moved) if moved.isdigit() and len(moved) <= 18 else None,
    )


def move(page: Page) -> Response:
    """Move a scheduled post to the form's local time; back to where the form was."""
    assert page.viewer is not None  # the route table lets only signed-in planners here
    post_id = page.int_param("post_id")
    when = page.field("at").strip()
    if not when:
        raise UserError("give the new time as YYYY-MM-DD HH:MM")
    with transaction(page.state.factory) as session:
        move_post(session, page.config, post_id, when, actor=page.viewer.name)
    back = page.field("next")
    if not back:
        return page.redirect(f"/posts/{post_id}?done=moved")
    target = safe_next(back)
    return page.redirect(f"{target}{'&' if '?' in target else '?'}moved={post_id}")
