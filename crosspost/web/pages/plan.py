"""The month plan: the proposed calendar from the same core as `crosspost plan`
(intake/plan.py), what does not fit and why, the items an account would refuse, each priced
account's spend; a planner applies it with the fingerprint shown (`--apply --expect`), so what
is scheduled is exactly the calendar on the page, and a plan changed since is refused."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from starlette.responses import Response

from crosspost.db.engine import transaction
from crosspost.errors import Problems, UserError
from crosspost.intake.month import Month
from crosspost.intake.plan import PlanChanged, apply_plan, check_expected, make_plan, plan_json
from crosspost.timeutil import utcnow
from crosspost.web.page import Page

APPLYING_ROLES = ("admin", "planner")
_FINGERPRINT = re.compile(r"^[0-9a-f]{12}$")


def _month(page: Page, text: str | None) -> Month:
    if text:
        return Month.parse(text)
    today = utcnow().astimezone(page.config.timezone).date()
    return Month(today.year, today.month)


def _plan(page: Page, month: Month) -> dict[str, Any]:
    with page.state.factory() as session:
        plan = make_plan(session, page.config, month, now=utcnow())
        return plan_json(plan, page.config.timezone)


def _render(
    page: Page,
    month: Month,
    status: int = 200,
    *,
    problems: list[str] | None = None,
    notice: str | None = None,
) -> Response:
    data = _plan(page, month)
    days: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in data["placements"]:
        days[p["at"][:10]].append({**p, "clock": p["at"][11:16]})
    earlier = Month(month.year - (month.month == 1), (month.month - 2) % 12 + 1)
    return page.render(
        "plan.html",
        status,
        plan=data,
        days=sorted(days.items()),
        earlier=str(earlier),
        later=str(month.next()),
        can_apply=page.viewer is not None and page.viewer.role in APPLYING_ROLES,
        problems=problems or [],
        notice=notice,
    )


def page(page: Page) -> Response:
    month = _month(page, page.request.query_params.get("month"))
    applied = page.request.query_params.get("applied", "")
    notice = (
        page.t("plan.applied", count=applied) if applied.isdigit() and len(applied) < 7 else None
    )
    return _render(page, month, notice=notice)


def apply(page: Page) -> Response:
    """Schedule the plan shown, or nothing: its fingerprint must still be the plan's."""
    assert page.viewer is not None  # the route table lets only signed-in planners here
    month = _month(page, page.field("month") or None)
    expect = page.field("expect").strip().lower()
    if not _FINGERPRINT.fullmatch(expect):
        raise UserError("the plan's fingerprint is missing; open the plan again and apply it")
    try:
        with transaction(page.state.factory) as session:
            now = utcnow()
            plan = make_plan(session, page.config, month, now=now)
            check_expected(plan, expect)
            done = apply_plan(session, page.config, plan, actor=page.viewer.name, now=now)
            count = len(done.post_ids)
    except PlanChanged:
        return _render(page, month, 409, problems=[page.t("plan.changed", expect=expect)])
    except Problems as exc:
        return _render(page, month, 409, problems=exc.lines())
    return page.redirect(f"/plan?month={month}&applied={count}")
