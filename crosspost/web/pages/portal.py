"""The units' portal: a contributor's own unit only — this month's quota and what is still
missing (the report's core), its items with their review state and links, and uploads (one
item from a form, or a submission as a zip or CSV) through the import's all-or-nothing checks.
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.responses import Response

from crosspost.errors import NotFoundError, Problems
from crosspost.intake.importing import ImportResult, this_month
from crosspost.intake.month import Month
from crosspost.intake.portal import unit_month
from crosspost.intake.report import KINDS
from crosspost.intake.units import load_intake
from crosspost.intake.uploads import ITEM_FIELDS, Incoming, upload_item, upload_submission
from crosspost.web.page import Page

FORM_FIELDS = (*ITEM_FIELDS, "hashtags")


def _unit(page: Page) -> str:
    if page.viewer is None or not page.viewer.unit:
        raise NotFoundError(page.t("error.not_found"))  # the route lets contributors only in
    return page.viewer.unit


def _render(
    page: Page,
    status: int = 200,
    *,
    problems: Problems | None = None,
    values: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    unit, zone = _unit(page), page.config.timezone
    month = Month.parse(this_month(zone))
    with page.state.factory() as session:
        data = unit_month(session, load_intake(page.config), unit, month, zone)
    return page.render(
        "portal.html",
        status,
        data=data,
        kinds=KINDS,
        missing=[(k, c["missing"]) for k, c in data.kinds.items() if c["missing"]],
        problems=problems.problems if problems else [],
        problem_head=problems.head if problems else "",
        values={**dict.fromkeys(FORM_FIELDS, ""), **(values or {})},
        notice=notice,
    )


def page(page: Page) -> Response:
    query = page.request.query_params
    stored, already = query.get("stored", ""), query.get("already", "")
    notice = None
    if stored.isdigit() and already.isdigit() and len(stored + already) < 12:
        notice = page.t("portal.stored", stored=stored, already=already)
    return _render(page, notice=notice)


def _one_file(page: Page, name: str) -> Incoming | None:
    sent: list[UploadFile] = list(page.files.get(name, []))
    if len(sent) > 1:
        raise Problems(page.t("portal.one_file"), [page.t("portal.one_file")])
    return Incoming(sent[0].filename or "", sent[0].file) if sent else None


def _done(page: Page, result: ImportResult) -> Response:
    created, already = result.count("created"), result.count("already_imported")
    return page.redirect(f"/portal?stored={created}&already={already}")


def item(page: Page) -> Response:
    """One item from the form; on any problem the form comes back filled in, with each one."""
    assert page.viewer is not None
    values = {k: page.field(k) for k in FORM_FIELDS}
    try:
        media = _one_file(page, "media")
        result = upload_item(
            page.state.factory,
            page.config,
            values,
            media,
            unit=_unit(page),
            actor=page.viewer.name,
        )
    except Problems as exc:
        return _render(page, 400, problems=exc, values=values)
    return _done(page, result)


def submission(page: Page) -> Response:
    """A whole submission: the folder as a zip, or a CSV."""
    assert page.viewer is not None
    try:
        upload = _one_file(page, "file")
        if upload is None:
            raise Problems(page.t("portal.no_file"), [page.t("portal.no_file")])
        result = upload_submission(
            page.state.factory, page.config, upload, unit=_unit(page), actor=page.viewer.name
        )
    except Problems as exc:
        return _render(page, 400, problems=exc)
    return _done(page, result)
