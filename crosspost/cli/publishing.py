"""`crosspost schedule|cancel|retry|repost`: put posts in the queue and take them out."""

from __future__ import annotations

from typing import Annotated

import typer

from crosspost.cli.runtime import console, handle_errors, runtime


@handle_errors
def schedule(
    content_id: int,
    at: Annotated[
        str, typer.Option("--at", help="'YYYY-MM-DD HH:MM' in the configured zone, or now")
    ],
    platform: Annotated[list[str] | None, typer.Option("--platform", help="Repeatable")] = None,
    account: Annotated[list[str] | None, typer.Option("--account", help="Repeatable")] = None,
    by: Annotated[str | None, typer.Option("--by")] = None,
) -> None:
    """Schedule approved content on its accounts (all enabled ones unless narrowed)."""
    from crosspost.audit import current_actor
    from crosspost.scheduling import schedule as schedule_posts
    from crosspost.timeutil import format_zoned, parse_local_time

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
        lines = [
            f"post {p.id} → {p.platform} at {format_zoned(p.scheduled_at, zone)}" for p in posts
        ]
    for line in lines:
        console.print(line, highlight=False)


@handle_errors
def cancel(
    post_id: int,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    by: Annotated[str | None, typer.Option("--by")] = None,
) -> None:
    """Cancel a post that has not gone out yet."""
    from crosspost.audit import current_actor
    from crosspost.scheduling import cancel as cancel_post

    with runtime.transaction() as session:
        cancel_post(session, post_id, actor=current_actor(by), reason=reason)
    console.print(f"post {post_id} cancelled")


@handle_errors
def retry(post_id: int, by: Annotated[str | None, typer.Option("--by")] = None) -> None:
    """Send a failed or waiting post again now, with a fresh retry budget."""
    from crosspost.audit import current_actor
    from crosspost.scheduling import retry as retry_post

    with runtime.transaction() as session:
        retry_post(session, post_id, actor=current_actor(by))
    console.print(f"post {post_id} queued again")


@handle_errors
def repost(
    content_id: int,
    platform: Annotated[str, typer.Option("--platform")],
    reason: Annotated[str, typer.Option("--reason", help="Why it goes out again (required)")],
    at: Annotated[str | None, typer.Option("--at", help="When, in the configured zone")] = None,
    now: Annotated[bool, typer.Option("--now", help="As soon as a worker can")] = False,
    by: Annotated[str | None, typer.Option("--by")] = None,
) -> None:
    """Publish content again on a platform: a new post linked to the earlier one."""
    from crosspost.audit import current_actor
    from crosspost.errors import UserError
    from crosspost.scheduling import repost as repost_content
    from crosspost.timeutil import format_zoned, parse_local_time

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
        lines = [
            f"post {p.id} → {p.platform} at {format_zoned(p.scheduled_at, zone)} "
            f"(repost of post {p.reposted_from_id})"
            for p in posts
        ]
    for line in lines:
        console.print(line, highlight=False)
