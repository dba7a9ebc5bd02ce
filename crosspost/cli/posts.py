"""`crosspost posts list|show`: what is scheduled, waiting, published or failed, and why."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from crosspost.cli.runtime import console, handle_errors, print_json, runtime

app = typer.Typer(no_args_is_help=True, help="See posts, their attempts and their history.")


def collect_posts(
    status: list[str] | None, platform: list[str] | None, content_id: int | None
) -> list[dict[str, Any]]:
    from sqlalchemy import func, select

    from crosspost.cli.views import group_pairs, post_json
    from crosspost.db.models import Account, Attempt, AuditEvent, Post, PostState
    from crosspost.errors import UserError

    states = {s.value for s in PostState}
    for s in status or []:
        if s not in states:
            raise UserError(f"--status {s!r} is not one of {', '.join(sorted(states))}")
    zone = runtime.config.timezone
    query = select(Post, Account.name, Account.paused_reason).join(
        Account, Account.id == Post.account_id
    )
    if status:
        query = query.where(Post.state.in_(status))
    if platform:
        query = query.where(Post.platform.in_(platform))
    if content_id is not None:
        query = query.where(Post.content_id == content_id)
    with runtime.factory() as session:
        rows = session.execute(query.order_by(Post.id)).all()
        ids = [post.id for post, _, _ in rows]
        attempts = (
            dict(
                session.execute(
                    select(Attempt.post_id, func.count(Attempt.id))
                    .where(Attempt.post_id.in_(ids))
                    .group_by(Attempt.post_id)
                ).all()
            )
            if ids
            else {}
        )
        audit = (
            group_pairs(
                session.execute(
                    select(AuditEvent.post_id, AuditEvent.action)
                    .where(AuditEvent.post_id.in_(ids))
                    .order_by(AuditEvent.id)
                ).all()
            )
            if ids
            else {}
        )
        return [
            post_json(
                post,
                zone,
                account_name=name,
                attempts=int(attempts.get(post.id, 0)),
                audit=audit.get(post.id, []),
                paused_reason=paused,
            )
            for post, name, paused in rows
        ]


@app.command("list")
@handle_errors
def list_(
    status: Annotated[list[str] | None, typer.Option("--status", help="Repeatable")] = None,
    platform: Annotated[list[str] | None, typer.Option("--platform", help="Repeatable")] = None,
    content: Annotated[int | None, typer.Option("--content", help="Only this content")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")] = False,
) -> None:
    """List posts with their state, remote id and why a waiting post waits."""
    from rich.table import Table

    from crosspost.cli.views import short

    rows = collect_posts(status, platform, content)
    if as_json:
        print_json(rows)
        return
    table = Table("id", "content", "account", "state", "scheduled", "tries", "remote / waiting")
    for r in rows:
        detail = r["remote_url"] or r["remote_id"] or r["waiting_for"] or r["last_error"] or ""
        table.add_row(
            str(r["id"]),
            str(r["content_id"]),
            r["account"],
            r["state"],
            (r["scheduled_at"] or "")[:16].replace("T", " "),
            str(r["attempts"]),
            short(detail, 60),
        )
    console.print(table)


@app.command("show")
@handle_errors
def show(
    post_id: int,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")] = False,
) -> None:
    """One post: its attempts, remote URL, errors and audit trail."""
    from sqlalchemy import select

    from crosspost.cli.views import attempt_json, audit_json, post_json
    from crosspost.db.models import Attempt, AuditEvent
    from crosspost.scheduling import get_post

    zone = runtime.config.timezone
    with runtime.factory() as session:
        post = get_post(session, post_id)
        attempts = session.scalars(
            select(Attempt).where(Attempt.post_id == post_id).order_by(Attempt.id)
        ).all()
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(AuditEvent.id)
        ).all()
        data = post_json(
            post,
            zone,
            account_name=post.account.name,
            attempts=len(attempts),
            audit=[e.action for e in events],
            paused_reason=post.account.paused_reason,
        )
        data["attempt_log"] = [attempt_json(a, zone) for a in attempts]
        data["audit_log"] = [audit_json(e, zone) for e in events]
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        if key not in ("attempt_log", "audit_log"):
            console.print(f"[bold]{key}[/]: {value}", highlight=False)
    console.print("[bold]attempts[/]:")
    for a in data["attempt_log"]:
        console.print(
            f"  #{a['number']} {a['started_at']} {a['outcome']} "
            f"{a['http_status'] or ''} {a['message'] or ''} {a['remote_id'] or ''}",
            highlight=False,
        )
    console.print("[bold]history[/]:")
    for e in data["audit_log"]:
        console.print(f"  {e['at']} {e['actor']} {e['action']} {e['detail']}", highlight=False)
