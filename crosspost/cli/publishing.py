"""`crosspost schedule|cancel|retry|repost`: put posts in the queue and take them out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crosspost.cli.runtime import console, handle_errors, print_json, runtime

if TYPE_CHECKING:
    from crosspost.db.models import Post

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the posts as `posts list --json` does.")
]


def _rows(post_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The changed posts read back after the commit, with the keys `posts list --json` uses."""
    from crosspost.cli.views import row_json
    from crosspost.listing import post_detail

    zone = runtime.config.timezone
    with runtime.factory() as session:
        return [row_json(post_detail(session, post_id).row, zone) for post_id in post_ids]


def _posts(post_ids: list[int]) -> str:
    return ("post " if len(post_ids) == 1 else "posts ") + ", ".join(map(str, post_ids))


def _all_or_none(post_ids: list[int], done: str, step: Callable[[int], object]) -> None:
    """Run `step` on every id; when any is refused, every refusal is listed and (the
    transaction rolled back by the raise) none of them changes. Each step checks before it
    writes, so one refusal leaves the session fit for the next id."""
    from crosspost.errors import Problems, UserError

    problems = []
    for post_id in post_ids:
        try:
            step(post_id)
        except UserError as exc:
            problems.append(str(exc))
    if problems:
        summary = f"nothing {done}: {len(problems)} of {len(post_ids)} post(s) refused"
        raise Problems(summary, problems, head=f"nothing {done}")


def _confirm(posts: list[Post], as_json: bool, suffix: str = "") -> None:
    from crosspost.timeutil import format_zoned

    zone = runtime.config.timezone
    ids = [p.id for p in posts]
    if as_json:
        print_json(_rows(ids))
        return
    for p in posts:
        line = f"post {p.id} → {p.platform} at {format_zoned(p.scheduled_at, zone)}"
        if suffix:
            line += f" ({suffix} {p.reposted_from_id})"
        console.print(line, highlight=False)


@handle_errors
def schedule(
    content_id: int,
    at: Annotated[
        str, typer.Option("--at", help="'YYYY-MM-DD HH:MM' in the configured zone, or now")
    ],
    platform: Annotated[list[str] | None, typer.Option("--platform", help="Repeatable")] = None,
    account: Annotated[list[str] | None, typer.Option("--account", help="Repeatable")] = None,
    by: Annotated[str | None, typer.Option("--by")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Schedule approved content on its accounts (all enabled ones unless narrowed)."""
    from crosspost.audit import current_actor
    from crosspost.scheduling import schedule as schedule_posts
    from crosspost.timeutil import parse_local_time

    zone = runtime.config.timezone
    when = parse_local_time(at, zone, horizon_days=runtime.config.horizon_days)
    with runtime.transaction() as session:
        posts = schedule_posts(
            session,
            runtime.config,
            content_id,
            when,
            actor=current_actor(by),
            platforms=platform or [],
            accounts=account or [],
        )
    _confirm(posts, as_json)


@handle_errors
def cancel(
    post_ids: Annotated[list[int], typer.Argument(help="One or more post ids: all or none")],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    by: Annotated[str | None, typer.Option("--by")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Cancel posts that have not gone out yet, all of them or none."""
    from crosspost.audit import current_actor
    from crosspost.scheduling import cancel as cancel_post

    actor = current_actor(by)
    post_ids = list(dict.fromkeys(post_ids))
    with runtime.transaction() as session:
        _all_or_none(
            post_ids, "cancelled", lambda i: cancel_post(session, i, actor=actor, reason=reason)
        )
    if as_json:
        print_json(_rows(post_ids))
        return
    console.print(f"{_posts(post_ids)} cancelled", highlight=False)


@handle_errors
def retry(
    post_ids: Annotated[list[int], typer.Argument(help="One or more post ids: all or none")],
    by: Annotated[str | None, typer.Option("--by")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Send failed or waiting posts again now, with a fresh retry budget, all or none."""
    from crosspost.audit import current_actor
    from crosspost.scheduling import retry as retry_post

    actor = current_actor(by)
    post_ids = list(dict.fromkeys(post_ids))
    with runtime.transaction() as session:
        _all_or_none(post_ids, "queued again", lambda i: retry_post(session, i, actor=actor))
    if as_json:
        print_json(_rows(post_ids))
        return
    console.print(f"{_posts(post_ids)} queued again", highlight=False)


@handle_errors
def repost(
    content_id: int,
    platform: Annotated[str, typer.Option("--platform")],
    reason: Annotated[str, typer.Option("--reason", help="Why it goes out again (required)")],
    at: Annotated[str | None, typer.Option("--at", help="When, in the configured zone")] = None,
    now: Annotated[bool, typer.Option("--now", help="As soon as a worker can")] = False,
    by: Annotated[str | None, typer.Option("--by")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Publish content again on a platform: a new post linked to the earlier one."""
    from crosspost.audit import current_actor
    from crosspost.errors import UserError
    from crosspost.scheduling import repost as repost_content
    from crosspost.timeutil import parse_local_time

    if (at is None) == (not now):
        raise UserError("give exactly one of --at TIME or --now")
    zone = runtime.config.timezone
    when = parse_local_time(
        "now" if now else str(at), zone, horizon_days=runtime.config.horizon_days
    )
    with runtime.transaction() as session:
        posts = repost_content(
            session,
            runtime.config,
            content_id,
            platform,
            when,
            actor=current_actor(by),
            reason=reason,
        )
    _confirm(posts, as_json, suffix="repost of post")
