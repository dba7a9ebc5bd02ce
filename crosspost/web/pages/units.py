"""Units: each unit's month per kind (received, approved, published, quota, missing) and the
links to what went out, from the same core as `crosspost report` (intake/report.py); the CSV
download is `report --csv`'s text, its cells made formula-safe by the report's own writer."""

from __future__ import annotations

from starlette.responses import Response

from crosspost.intake.month import Month
from crosspost.intake.report import KINDS, MonthReport, build_report, report_csv
from crosspost.intake.units import load_intake
from crosspost.timeutil import utcnow
from crosspost.web.page import Page


def _report(page: Page) -> MonthReport:
    text = page.request.query_params.get("month")
    if text:
        month = Month.parse(text)
    else:
        today = utcnow().astimezone(page.config.timezone).date()
        month = Month(today.year, today.month)
    intake = load_intake(page.config)
    with page.state.factory() as session:
        return build_report(session, intake, month)


def page(page: Page) -> Response:
    report = _report(page)
    month = report.month
    earlier = Month(month.year - (month.month == 1), (month.month - 2) % 12 + 1)
    return page.render(
        "units.html",
        report=report,
        kinds=KINDS,
        totals={kind: report.kind_total(kind) for kind in KINDS},
        earlier=str(earlier),
        later=str(month.next()),
    )


def csv(page: Page) -> Response:
    report = _report(page)
    return Response(
        report_csv(report).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="units-{report.month}.csv"'},
    )
