"""`crosspost preview`: each platform's rendering of one content item, before scheduling it."""

from __future__ import annotations

from typing import Annotated

import typer

from crosspost.cli.runtime import console, handle_errors, print_json, runtime


@handle_errors
def preview(
    content_id: int,
    platform: Annotated[list[str] | None, typer.Option("--platform", help="Repeatable")] = None,
    account: Annotated[
        list[str] | None,
        typer.Option("--account", help="Repeatable: this account's draft and prices"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")] = False,
) -> None:
    """Show what each platform will receive, counted against its limits, with any problems."""
    from crosspost.cli.preview import print_preview
    from crosspost.content import get_content, snapshot
    from crosspost.previews import preview_targets
    from crosspost.scheduling import resolve_targets

    config = runtime.config
    with runtime.factory() as session:
        snap = snapshot(get_content(session, content_id))
    doc = preview_targets(config, snap, resolve_targets(config, platform or [], account or []))
    if as_json:
        print_json(doc)
    else:
        print_preview(doc, console)
