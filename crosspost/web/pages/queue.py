"""The approval queue: every submitted item with each platform's draft as it will go out
(the preview core: X parts with weighted counts, YouTube's title and description bytes, the
Facebook message), its problems, and approve / reject for one or many through
`content.decide`, the signed-in user as the actor and units.toml's approvers as the rule."""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from crosspost.cli.views import content_json
from crosspost.content import Decision, list_content, snapshot
from crosspost.content import decide as decide_items
from crosspost.db.engine import transaction
from crosspost.errors import Problems, StateError, UserError
from crosspost.intake.units import load_intake
from crosspost.previews import preview_targets
from crosspost.scheduling import resolve_targets, takers
from crosspost.web.page import Page
from crosspost.web.texts import t

REVIEWING_ROLES = ("admin", "editor")
_IDS = re.compile(r"^\d{1,18}(,\d{1,18})*$")


def _items(page: Page) -> list[dict[str, Any]]:
    """Submitted items the viewer may see, each with its preview (or why it has none)."""
    viewer = page.viewer
    unit = viewer.unit if viewer is not None and viewer.role == "contributor" else None
    found = []
    with page.state.factory() as session:
        for content in list_content(session, status="submitted", unit=unit):
            if viewer is None or not viewer.sees_unit(content.unit):
                continue
            data = content_json(content, page.config.timezone, full=True)
            data["players"] = [
                {"id": m.id, "role": m.role, "kind": _player(m.mime_type)} for m in content.media
            ]
            found.append((data, snapshot(content)))
    shown = []
    for data, snap in found:
        try:
            targets = takers(page.config, resolve_targets(page.config), snap.kind)
            preview, reason = preview_targets(page.config, snap, targets), None
        except UserError as exc:
            preview, reason = None, str(exc)
        shown.append({"item": data, "preview": preview, "no_preview": reason})
    return shown


def _player(mime: str | None) -> str | None:
    """Which element previews a file: img, video or audio (None: a link only)."""
    family = (mime or "").partition("/")[0]
    return {"image": "img", "video": "video", "audio": "audio"}.get(family)


def _render(
    page: Page, status: int = 200, *, message: str | None = None, problems: list[str] | None = None
) -> Response:
    viewer = page.viewer
    return page.render(
        "queue.html",
        status,
        items=_items(page),
        can_decide=viewer is not None and viewer.role in REVIEWING_ROLES,
        notice=message,
        problems=problems or [],
        platforms=("x", "youtube", "facebook"),
    )


def page(page: Page) -> Response:
    query = page.request.query_params
    message = None
    for key in ("approved", "rejected"):
        ids = query.get(key, "")
        if _IDS.fullmatch(ids):
            message = t(f"queue.{key}", ids=ids.replace(",", ", "))
    return _render(page, message=message)


def decide(page: Page) -> Response:
    """Approve or reject the ticked items, all or none (the core checks each one first)."""
    assert page.viewer is not None  # the route table lets only signed-in reviewers here
    choice = page.field("decision")
    if choice not in ("approve", "reject"):
        return _render(page, 400, problems=[page.t("error.refused", message=choice or "?")])
    decision: Decision = "approve" if choice == "approve" else "reject"
    ids = [int(v) for v in page.form.get("ids", []) if v.isdigit() and len(v) <= 18]
    reason = page.field("reason").strip() or None
    try:
        with transaction(page.state.factory) as session:
            done = decide_items(
                session,
                ids,
                page.viewer.name,
                decision,
                approvers=load_intake(page.config),
                reason=reason,
            )
            done_ids = [c.id for c in done]
    except Problems as exc:
        return _render(page, 409, problems=exc.lines())
    except StateError as exc:
        return _render(page, 409, problems=[str(exc)])
    except UserError as exc:
        return _render(page, 400, problems=[str(exc)])
    key = "approved" if decision == "approve" else "rejected"
    return page.redirect(f"/queue?{key}=" + ",".join(map(str, done_ids)))
