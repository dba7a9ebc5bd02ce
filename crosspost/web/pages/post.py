"""One post: its stored draft, attempts, parts, errors, remote links and history; cancel, retry
and repost through the same core functions as `crosspost cancel`, `retry` and `repost`."""

from __future__ import annotations

from starlette.responses import Response

from crosspost.cli.views import attempt_json, audit_json, content_json, row_json
from crosspost.db.engine import transaction
from crosspost.errors import NotFoundError
from crosspost.listing import post_detail
from crosspost.scheduling import cancel as cancel_post
from crosspost.scheduling import retry as retry_post
from crosspost.web.page import Page
from crosspost.web.texts import t

ACTING_ROLES = ("admin", "planner")
DONE = {
    "cancelled": "post.cancelled",
    "retried": "post.retried",
    "moved": "post.moved",
    "reposted": "post.reposted",
}
REPOSTABLE = ("published", "failed", "cancelled")


def page(page: Page) -> Response:
    post_id = page.int_param("post_id")
    zone = page.config.timezone
    with page.state.factory() as session:
        detail = post_detail(session, post_id)
        content = detail.row.post.content
        if page.viewer is None or not page.viewer.sees_unit(content.unit):
            raise NotFoundError(page.t("error.not_found"))  # another unit's post does not exist
        data = row_json(detail.row, zone)
        draft = detail.row.post.draft
        attempts = [attempt_json(a, zone) for a in detail.attempt_log]
        history = [audit_json(e, zone) for e in detail.audit_log]
        item = content_json(content, zone)
    done = DONE.get(page.request.query_params.get("done", ""))
    return page.render(
        "post.html",
        post=data,
        draft=draft,
        attempts=attempts,
        history=history,
        item=item,
        can_act=page.viewer.role in ACTING_ROLES,
        can_repost=data["state"] in REPOSTABLE,
        notice=t(done) if done else None,
    )


def cancel(page: Page) -> Response:
    assert page.viewer is not None  # the route table lets only signed-in planners here
    post_id = page.int_param("post_id")
    reason = page.field("reason").strip() or None
    with transaction(page.state.factory) as session:
        cancel_post(session, post_id, actor=page.viewer.name, reason=reason)
    return page.redirect(f"/posts/{post_id}?done=cancelled")


def retry(page: Page) -> Response:
    assert page.viewer is not None
    post_id = page.int_param("post_id")
    with transaction(page.state.factory) as session:
        retry_post(session, post_id, actor=page.viewer.name)
    return page.redirect(f"/posts/{post_id}?done=retried")


def repost(page: Page) -> Response:
    """The post's content again on the same platform, at the form's local time (or now), with
    the reason the repost needs; the new post's page comes next."""
    from crosspost.errors import UserError
    from crosspost.scheduling import get_post
    from crosspost.scheduling import repost as repost_content
    from crosspost.timeutil import parse_local_time

    assert page.viewer is not None
    post_id = page.int_param("post_id")
    when = page.field("at").strip().replace("T", " ") or "now"
    reason = page.field("reason")
    if not reason.strip():
        raise UserError(page.t("post.repost_needs_reason"))
    config = page.config
    at = parse_local_time(when, config.timezone, horizon_days=config.horizon_days)
    with transaction(page.state.factory) as session:
        earlier = get_post(session, post_id)
        made = repost_content(
            session,
            config,
            earlier.content_id,
            earlier.platform,
            at,
            actor=page.viewer.name,
            reason=reason,
        )
        first = made[0].id
    return page.redirect(f"/posts/{first}?done=reposted")
