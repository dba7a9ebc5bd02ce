"""`crosspost content …`: add, list, show, submit, approve, reject."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from crosspost.cli.runtime import console, handle_errors, print_json, runtime

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crosspost.content import Decision

app = typer.Typer(no_args_is_help=True, help="Add content and move it through review.")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")]
ByOpt = Annotated[str | None, typer.Option("--by", help="Who does it (default $CROSSPOST_USER)")]


@app.command("add")
@handle_errors
def add(
    kind: Annotated[str | None, typer.Option(help="article, video or podcast")] = None,
    title: Annotated[str | None, typer.Option()] = None,
    summary: Annotated[str, typer.Option()] = "",
    body: Annotated[str, typer.Option()] = "",
    link: Annotated[str | None, typer.Option(help="Canonical link to the article")] = None,
    hashtag: Annotated[list[str] | None, typer.Option("--hashtag", help="Repeatable")] = None,
    media: Annotated[
        list[str] | None, typer.Option("--media", help="ROLE=PATH (video, audio, cover, image)")
    ] = None,
    unit: Annotated[str | None, typer.Option(help="Contributing unit code")] = None,
    language: Annotated[str, typer.Option()] = "vi",
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the item from a .toml/.yaml/.json file")
    ] = None,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a content item (as a draft)."""
    from crosspost.adapters.base import ContentKind
    from crosspost.audit import current_actor
    from crosspost.cli.views import content_json
    from crosspost.content import NewContent, add_content, load_item_file
    from crosspost.errors import UserError
    from crosspost.intake.units import load_intake
    from crosspost.media import parse_media_arg
    from crosspost.media_store import MediaStore

    if file is not None:
        item = load_item_file(file)
    else:
        if kind is None or title is None:
            raise UserError("give --kind and --title, or --file ITEM.toml")
        try:
            content_kind = ContentKind(kind)
        except ValueError:
            raise UserError(f"--kind {kind!r} must be article, video or podcast") from None
        item = NewContent(
            kind=content_kind,
            title=title,
            summary=summary,
            body=body,
            link=link,
            hashtags=list(hashtag or []),
            unit=unit,
            language=language,
            media=[parse_media_arg(m) for m in media or []],
        )
    actor = current_actor(by)
    store = MediaStore.from_config(runtime.config)
    intake = load_intake(runtime.config)
    try:
        with runtime.transaction() as session:
            content = add_content(session, item, actor, store=store, units=intake)
            data = content_json(content, runtime.config.timezone, full=True)
    except BaseException:
        store.discard_created()  # nothing was stored, so no copy is kept either
        raise
    if as_json:
        print_json(data)
    else:
        from crosspost.cli.views import short

        title = short(data["title"], 120)  # a confirmation, not the text: `content show` has it
        console.print(f"added content {data['id']} ({data['kind']}): {title}", highlight=False)


@app.command("list")
@handle_errors
def list_(
    status: Annotated[str | None, typer.Option(help="draft, submitted, approved, rejected")] = None,
    kind: Annotated[str | None, typer.Option()] = None,
    unit: Annotated[str | None, typer.Option(help="Contributing unit code")] = None,
    period: Annotated[str | None, typer.Option(help="Month submitted for, YYYY-MM")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List content items."""
    from crosspost.cli.views import content_json, short, table_of, when
    from crosspost.content import list_content

    zone = runtime.config.timezone
    with runtime.factory() as session:
        found = list_content(session, status=status, kind=kind, unit=unit, period=period)
        rows = [content_json(c, zone) for c in found]
    if unit and not rows:
        _check_unit_known(unit)
    if as_json:
        print_json(rows)
        return
    cells = [
        [
            str(r["id"]),
            r["kind"],
            r["status"],
            r["unit"] or "",
            r["period"] or "",
            short(r["title"]),
            when(r["created_at"]),
        ]
        for r in rows
    ]
    headers = ["id", "kind", "status", "unit", "period", "title", "created"]
    table = table_of(headers, cells, keep={"id", "kind", "status", "title"})
    console.print(table)


def _check_unit_known(unit: str) -> None:
    """An empty listing for a unit units.toml does not know is a typo, not an empty month
    (content of a unit dropped from units.toml still lists, as the report shows it)."""
    from crosspost.errors import UserError
    from crosspost.intake.units import load_intake

    known = load_intake(runtime.config).units
    if known and unit not in known:
        raise UserError(
            f"--unit {unit!r} is not a unit of units.toml; known units: {', '.join(sorted(known))}"
        )


@app.command("show")
@handle_errors
def show(content_id: int, as_json: JsonOpt = False) -> None:
    """Show one content item with its media and posts."""
    from crosspost.cli.views import content_json
    from crosspost.content import get_content

    zone = runtime.config.timezone
    with runtime.factory() as session:
        content = get_content(session, content_id)
        data = content_json(content, zone, full=True)
        data["posts"] = [
            {"id": p.id, "platform": p.platform, "state": p.state, "remote_url": p.remote_url}
            for p in content.posts
        ]
    if as_json:
        print_json(data)
        return
    from rich.markup import escape

    from crosspost.cli.views import plain

    for key, value in data.items():
        if key not in ("media", "posts"):
            console.print(f"[bold]{key}[/]: {escape(plain(value, key))}", highlight=False)
    console.print("[bold]media[/]:" + ("" if data["media"] else " none"))
    for m in data["media"]:
        text = f"{m['role']}: {m['path']} ({m['size']} bytes, {m['mime_type'] or '?'})"
        console.print(f"  {escape(text)}", highlight=False)
    console.print("[bold]posts[/]:" + ("" if data["posts"] else " none"))
    for p in data["posts"]:
        text = f"{p['id']} {p['platform']} {p['state']} {p['remote_url'] or ''}".rstrip()
        console.print(f"  {escape(text)}", highlight=False)


def _review(
    step: Callable[[Session, int, str], object], content_ids: list[int], by: str | None
) -> list[dict[str, Any]]:
    """Apply one review step to several items in one transaction: all of them or none."""
    from crosspost.audit import current_actor
    from crosspost.cli.views import content_json
    from crosspost.content import get_content

    actor = current_actor(by)
    with runtime.transaction() as session:
        for content_id in content_ids:
            step(session, content_id, actor)
    with runtime.factory() as session:
        zone = runtime.config.timezone
        return [content_json(get_content(session, i), zone) for i in content_ids]


@app.command("submit")
@handle_errors
def submit(content_ids: list[int], by: ByOpt = None, as_json: JsonOpt = False) -> None:
    """Submit drafts for review, all of them or none."""
    from crosspost import content

    rows = _review(content.submit, content_ids, by)
    if as_json:
        print_json(rows)
        return
    console.print(f"submitted {', '.join(map(str, content_ids))}", highlight=False)


def _decide(
    decision: Decision, content_ids: list[int], by: str | None, reason: str | None, as_json: bool
) -> None:
    """Approve or reject every id or none; who may is the core's call (units.toml approvers)."""
    from crosspost.audit import current_actor
    from crosspost.cli.views import content_json
    from crosspost.content import decide
    from crosspost.intake.units import load_intake

    intake = load_intake(runtime.config)
    actor = current_actor(by)
    with runtime.transaction() as session:
        items = decide(session, content_ids, actor, decision, approvers=intake, reason=reason)
        rows = [content_json(c, runtime.config.timezone) for c in items]
    if as_json:
        print_json(rows)
        return
    verb = "approved" if decision == "approve" else "rejected"
    console.print(f"{verb} {', '.join(str(r['id']) for r in rows)} (by {actor})", highlight=False)


@app.command("approve")
@handle_errors
def approve(content_ids: list[int], by: ByOpt = None, as_json: JsonOpt = False) -> None:
    """Approve submitted items, all or none (only the approvers in units.toml may)."""
    _decide("approve", content_ids, by, None, as_json)


@app.command("reject")
@handle_errors
def reject(
    content_ids: list[int],
    reason: Annotated[str, typer.Option("--reason", help="Why (required)")],
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject submitted or approved items with a reason, all or none (approvers only)."""
    _decide("reject", content_ids, by, reason, as_json)
