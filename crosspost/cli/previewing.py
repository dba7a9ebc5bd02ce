"""`crosspost preview`: each platform's rendering of one content item, before scheduling it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from crosspost.cli.runtime import console, handle_errors, print_json, runtime

if TYPE_CHECKING:
    from crosspost.adapters.base import Draft, Limits, Platform


@handle_errors
def preview(
    content_id: int,
    platform: Annotated[list[str] | None, typer.Option("--platform", help="Repeatable")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")] = False,
) -> None:
    """Show what each platform will receive, counted against its limits, with any problems."""
    from crosspost.accounts import build_adapter
    from crosspost.cli.preview import preview_command, print_preview
    from crosspost.content import get_content, snapshot
    from crosspost.drafting import draft_for
    from crosspost.scheduling import resolve_targets

    config = runtime.config
    with runtime.factory() as session:
        snap = snapshot(get_content(session, content_id))
    drafts: dict[Platform, Draft] = {}
    limits: dict[Platform, Limits] = {}
    for target in resolve_targets(config, platform or []):
        if target.platform in drafts:
            continue
        adapter = build_adapter(config, target.account_name)
        try:
            drafts[target.platform] = draft_for(config, target.account_name, snap, adapter=adapter)
            limits[target.platform] = adapter.effective_limits()
        finally:
            adapter.close()
    doc = preview_command(snap, drafts, limits=limits)
    if as_json:
        print_json(doc)
    else:
        print_preview(doc, console)
