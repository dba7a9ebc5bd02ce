"""`crosspost posts list|show`: what is scheduled, waiting, published or failed, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from crosspost.cli.runtime import console, handle_errors, print_json, runtime

app = typer.Typer(no_args_is_help=True, help="See posts, their attempts and their history.")


def collect_posts(
    status: list[str] | None, platform: list[str] | None, content_id: int | None
) -> list[dict[str, Any]]:
    from crosspost.cli.views import row_json
    from crosspost.listing import list_posts

    zone = runtime.config.timezone
    with runtime.factory() as session:
        rows = list_posts(
            session, status=status or (), platform=platform or (), content_id=content_id
        )
        return [row_json(row, zone) for row in rows]


@app.command("list")
@handle_errors
def list_(
    status: Annotated[list[str] | None, typer.Option("--status", help="Repeatable")] = None,
    platform: Annotated[list[str] | None, typer.Option("--platform", help="Repeatable")] = None,
    content: Annotated[int | None, typer.Option("--content", help="Only this content")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")] = False,
) -> None:
    """List posts with their state, remote id and why a waiting post waits."""
    from crosspost.cli.views import short, table_of, when

    def lease(r: dict[str, Any]) -> str:
        """Who holds the post and until when (the zone's time with its offset)."""
        if r["lease_owner"] is None:
            return ""
        expires = r["lease_expires_at"]
        until = datetime.fromisoformat(expires).replace(microsecond=0) if expires else None
        return f"{r['lease_owner']} ({r['lease_holder']}) until {until or '-'}"

    rows = collect_posts(status, platform, content)
    if as_json:
        print_json(rows)
        return
    cells = []
    for r in rows:
        detail = r["remote_url"] or r["remote_id"] or r["waiting_for"] or r["last_error"] or ""
        if r["progress"]:
            detail = f"{r['progress']['summary']}; {detail}" if detail else r["progress"]["summary"]
        cells.append(
            [
                str(r["id"]),
                str(r["content_id"]),
                r["account"],
                r["state"],
                when(r["scheduled_at"]),
                when(r["goes_out_at"]) if r["goes_out_at"] != r["scheduled_at"] else "",
                str(r["attempts"]),
                lease(r),
                short(detail, 200),
            ]
        )
    headers = [
        "id",
        "content",
        "account",
        "state",
        "scheduled",
        "goes out",
        "tries",
        "lease",
        "remote / waiting",
    ]
    console.print(table_of(headers, cells, keep={"id", "content", "state", "scheduled"}))


@app.command("show")
@handle_errors
def show(
    post_id: int,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")] = False,
) -> None:
    """One post: its attempts, remote URL, errors and audit trail."""
    from crosspost.cli.views import attempt_json, audit_json, plain, row_json, when
    from crosspost.listing import post_detail

    zone = runtime.config.timezone
    with runtime.factory() as session:
        detail = post_detail(session, post_id)
        data = row_json(detail.row, zone)
        data["draft"] = detail.row.post.draft
        data["attempt_log"] = [attempt_json(a, zone) for a in detail.attempt_log]
        data["audit_log"] = [audit_json(e, zone) for e in detail.audit_log]
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        if key not in ("attempt_log", "audit_log", "draft", "progress"):
            line(f"[bold]{key}[/]: ", plain(value, key))
    progress = data["progress"]
    if progress:
        line("[bold]progress[/]: ", progress["summary"])
        for step in progress["steps"]:
            line("  ", f"{step['kind']} {step['number']}: {step['remote_id']}")
    print_draft(data["draft"])
    console.print("[bold]attempts[/]:" + ("" if data["attempt_log"] else " none"))
    for a in data["attempt_log"]:
        parts = (a["http_status"], a["message"], a["remote_id"])
        extra = " ".join(str(p) for p in parts if p not in (None, ""))
        line("  ", f"#{a['number']} {when(a['started_at'], seconds=True)} {a['outcome']} {extra}")
    console.print("[bold]history[/]:" + ("" if data["audit_log"] else " none"))
    for e in data["audit_log"]:
        said = f" ({plain(e['detail'], zone=zone)})" if e["detail"] else ""
        line("  ", f"{when(e['at'], seconds=True)} {e['actor']} {e['action']}{said}")


def line(label: str, text: str) -> None:
    """A bold label (markup) and a value printed as it is: no markup, no highlighting."""
    from rich.markup import escape

    console.print(label + escape(text.rstrip()), highlight=False)


def print_draft(document: dict[str, Any] | None) -> None:
    """The stored draft: exactly what the worker will send (or sent)."""
    if document is None:
        console.print("[bold]draft[/]: none stored yet (drafted at its first claim)")
        return
    draft, source = document["draft"], document["source"]
    line("[bold]draft[/]: ", f"{document['sha256'][:12]} from {source.get('template') or '-'}")
    for label in ("title", "description", "link"):
        if draft.get(label):
            line(f"  {label}: ", draft[label])
    if draft.get("tags"):
        line("  tags: ", ", ".join(draft["tags"]))
    for number, part in enumerate(draft["parts"], 1):
        line(f"  part {number}:\n    ", part.replace("\n", "\n    "))
    for m in draft["media"]:
        line(f"  {m['role']}: ", f"{m['path']} ({m['size']} bytes)")


@app.command("redraft")
@handle_errors
def redraft(
    post_id: int,
    reason: Annotated[str, typer.Option("--reason", help="Why the approved draft changes")],
    by: Annotated[str | None, typer.Option("--by")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")] = False,
) -> None:
    """Render a scheduled or waiting post again from its current content and config."""
    from crosspost.audit import current_actor
    from crosspost.scheduling import redraft as redraft_post

    with runtime.transaction() as session:
        post = redraft_post(
            session, runtime.config, post_id, actor=current_actor(by), reason=reason
        )
        document = post.draft or {}
    if as_json:
        print_json({"id": post_id, "draft": document})
        return
    console.print(f"post {post_id} redrafted: {document.get('sha256', '')[:12]}", highlight=False)
