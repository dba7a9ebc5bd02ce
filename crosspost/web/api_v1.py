"""`/api/v1`: the pages' reads and actions as JSON, through the same core calls (a post's keys
are `crosspost posts list --json`'s). A contributor sees its own unit's items and posts only;
another unit's post is "not found", as on the pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crosspost.cli.views import attempt_json, audit_json, content_json, row_json
from crosspost.content import Decision, list_content
from crosspost.content import decide as decide_items
from crosspost.db.engine import transaction
from crosspost.intake.units import load_intake
from crosspost.listing import PostFilter, iter_posts, post_detail
from crosspost.scheduling import cancel as cancel_post
from crosspost.scheduling import get_post
from crosspost.scheduling import retry as retry_post
from crosspost.web.api import ApiError, Call
from crosspost.web.pages.today import today_data

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000


def _list(call: Call, name: str) -> list[str]:
    return [v.strip() for v in call.query.get(name, "").split(",") if v.strip()]


def _number(call: Call, name: str, default: int | None, maximum: int) -> int | None:
    text = call.query.get(name)
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= maximum:
        raise ApiError(400, f"{name}={text!r} must be a whole number from 1 to {maximum}")
    return int(text)


def posts(call: Call) -> list[dict[str, Any]]:
    """Posts by id; ?status=a,b &platform=x &after=ID &limit=N (at most 1000)."""
    limit = _number(call, "limit", DEFAULT_LIMIT, MAX_LIMIT) or DEFAULT_LIMIT
    after = _number(call, "after", None, 10**18)
    viewer, zone = call.viewer, call.state.config.timezone
    own = viewer.role == "contributor"
    where = PostFilter(
        status=_list(call, "status"),
        platform=_list(call, "platform"),
        after=after,
        limit=None if own else limit,
    )
    rows: list[dict[str, Any]] = []
    with call.state.factory() as session:
        mine = _unit_content_ids(session, viewer.unit) if own else set()
        for row in iter_posts(session, where):
            if own and row.post.content_id not in mine:
                continue
            rows.append(row_json(row, zone))
            if len(rows) >= limit:
                break
    return rows


def _unit_content_ids(session: Session, unit: str | None) -> set[int]:
    """The ids of a unit's content items: a contributor's listing keeps their posts only."""
    from sqlalchemy import select

    from crosspost.db.models import Content

    if unit is None:
        return set()
    return set(session.scalars(select(Content.id).where(Content.unit == unit)))


def _visible(call: Call, post_id: int) -> None:
    with call.state.factory() as session:
        if not call.viewer.sees_unit(get_post(session, post_id).content.unit):
            raise ApiError(404, f"no post with id {post_id}")


def post(call: Call) -> dict[str, Any]:
    """One post as `crosspost posts show --json` prints it, with its content item."""
    post_id = call.int_param("post_id")
    zone = call.state.config.timezone
    _visible(call, post_id)
    with call.state.factory() as session:
        detail = post_detail(session, post_id)
        data = row_json(detail.row, zone)
        data["draft"] = detail.row.post.draft
        data["attempt_log"] = [attempt_json(a, zone) for a in detail.attempt_log]
        data["audit_log"] = [audit_json(e, zone) for e in detail.audit_log]
        data["content"] = content_json(detail.row.post.content, zone)
    return data


def _reason(call: Call) -> str | None:
    reason = call.body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ApiError(400, '"reason" must be text')
    return reason.strip() or None if reason else None


def _one(call: Call, post_id: int) -> dict[str, Any]:
    with call.state.factory() as session:
        rows = list(iter_posts(session, PostFilter(after=post_id - 1, limit=1)))
        return row_json(rows[0], call.state.config.timezone)


def cancel(call: Call) -> dict[str, Any]:
    post_id = call.int_param("post_id")
    with transaction(call.state.factory) as session:
        cancel_post(session, post_id, actor=call.viewer.name, reason=_reason(call))
    return _one(call, post_id)


def retry(call: Call) -> dict[str, Any]:
    post_id = call.int_param("post_id")
    with transaction(call.state.factory) as session:
        retry_post(session, post_id, actor=call.viewer.name)
    return _one(call, post_id)


def queue(call: Call) -> list[dict[str, Any]]:
    """Submitted items awaiting review (a contributor's own unit's only)."""
    viewer = call.viewer
    unit = viewer.unit if viewer.role == "contributor" else None
    with call.state.factory() as session:
        return [
            content_json(c, call.state.config.timezone, full=True)
            for c in list_content(session, status="submitted", unit=unit)
            if viewer.sees_unit(c.unit)
        ]


def decide(call: Call) -> dict[str, Any]:
    """{"decision": "approve" | "reject", "ids": [..], "reason": ".."}: all or none."""
    choice = call.body.get("decision")
    if choice not in ("approve", "reject"):
        raise ApiError(400, '"decision" must be "approve" or "reject"')
    decision: Decision = "approve" if choice == "approve" else "reject"
    ids = call.body.get("ids")
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids)
    ):
        raise ApiError(400, '"ids" must be a list of content ids, e.g. [12, 13]')
    with transaction(call.state.factory) as session:
        done = decide_items(
            session,
            ids,
            call.viewer.name,
            decision,
            approvers=load_intake(call.state.config),
            reason=_reason(call),
        )
        return {"decision": decision, "ids": [c.id for c in done]}


def today(call: Call) -> dict[str, Any]:
    """The Today page's sections; `today` as `posts today --json` lists it."""
    return today_data(call.state)
