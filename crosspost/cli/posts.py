"""`crosspost posts list|show`: what is scheduled, waiting, published or failed, and why."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crosspost.cli.runtime import (
    console,
    err_console,
    handle_errors,
    print_json,
    print_json_rows,
    runtime,
)
from crosspost.errors import UserError

if TYPE_CHECKING:
    from crosspost.listing import PostFilter

app = typer.Typer(no_args_is_help=True, help="See posts, their attempts and their history.")


def collect_posts(where: PostFilter) -> Iterator[dict[str, Any]]:
    """The listing's rows as JSON-ready dicts, a keyset page at a time."""
    from crosspost.cli.views import row_json
    from crosspost.listing import iter_posts

    zone = runtime.config.timezone
    with runtime.factory() as session:
        for row in iter_posts(session, where):
            yield row_json(row, zone)


StatusOpt = Annotated[
    list[str] | None, typer.Option("--status", "--state", help="Only these states (repeatable)")
]
PlatformOpt = Annotated[list[str] | None, typer.Option("--platform", help="Repeatable")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")]


@app.command("list")
@handle_errors
def list_(
    status: StatusOpt = None,
    platform: PlatformOpt = None,
    content: Annotated[int | None, typer.Option("--content", help="Only this content")] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Scheduled at or after: 'YYYY-MM-DD[ HH:MM]' in the zone"),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Scheduled before; a date alone includes that whole day"),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N posts")] = None,
    after: Annotated[
        int | None, typer.Option("--after", min=0, help="Posts after this id (the next page)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List posts with their state, remote id and why a waiting post waits, in id order; with
    --limit, the line after the table (stderr) gives the next page's --after."""
    from crosspost.cli.listing_bounds import bound
    from crosspost.listing import PostFilter

    zone = runtime.config.timezone
    where = PostFilter(
        status=status or (),
        platform=platform or (),
        content_id=content,
        since=bound(since, zone, "--since", end=False),
        until=bound(until, zone, "--until", end=True),
        after=after,
        limit=None if limit is None else limit + 1,  # one more tells whether a page follows
    )
    if where.since and where.until and where.since >= where.until:
        raise UserError("--since must be before --until; swap them or widen the range")
    page = Page(collect_posts(where), limit)
    if as_json:
        print_json_rows(iter(page))
    else:
        print_table(list(page))
    if page.more_after is not None:  # after the listing, so it is the last line one reads
        err_console.print(
            f"more posts after #{page.more_after}: add --after {page.more_after} for the next page",
            highlight=False,
        )


class Page:
    """The first `limit` rows (all with no limit); `more_after` is the last id shown when
    one more row exists, i.e. the `--after` of the next page."""

    def __init__(self, rows: Iterator[dict[str, Any]], limit: int | None) -> None:
        self.rows, self.limit = rows, limit
        self.more_after: int | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        last = None
        for count, row in enumerate(self.rows, 1):
            if self.limit is not None and count > self.limit:
                self.more_after = last
                return
            last = row["id"]
            yield row


@app.command("today")
@handle_errors
def today(platform: PlatformOpt = None, as_json: JsonOpt = False) -> None:
    """What goes out today (in the configured zone): what is still to go by midnight, in the
    order it goes, and what went out today already."""
    from crosspost.cli.listing_bounds import goes_out_today

    today = goes_out_today(collect_posts, runtime.config.timezone, platform or ())
    if as_json:
        print_json_rows(iter(today.rows))
    else:
        print_table(today.rows)
    if today.held:
        ids = ", ".join(f"#{r['id']}" for r in today.held)
        err_console.print(
            f"not going out until their account is fixed: {ids} "
            "(`crosspost accounts list` says why)",
            highlight=False,
        )


def print_table(rows: list[dict[str, Any]]) -> None:
    """The listing as a table that fits 80 columns (ids, states and times never cut)."""
    from crosspost.cli.views import short, table_of, when

    def lease(r: dict[str, Any]) -> str:
        """Who holds the post and until when (the zone's time with its offset)."""
        if r["lease_owner"] is None:
            return ""
        expires = r["lease_expires_at"]
        until = datetime.fromisoformat(expires).replace(microsecond=0) if expires else None
        return f"{r['lease_owner']} ({r['lease_holder']}) until {until or '-'}"

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


@app.command("move")
@handle_errors
def move(
    post_id: int,
    at: Annotated[
        str, typer.Option("--at", help="'YYYY-MM-DD HH:MM' in the configured zone, or now")
    ],
    by: Annotated[str | None, typer.Option("--by")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a scheduled post to another time (the checks of `schedule`, and its budget)."""
    from crosspost.audit import current_actor
    from crosspost.cli.publishing import _rows
    from crosspost.scheduling_move import move_post
    from crosspost.timeutil import format_zoned

    zone = runtime.config.timezone
    with runtime.transaction() as session:
        post = move_post(session, runtime.config, post_id, at, actor=current_actor(by))
        when = format_zoned(post.scheduled_at, zone)
    if as_json:
        print_json(_rows([post_id])[0])
        return
    console.print(f"post {post_id} moved to {when}", highlight=False)
