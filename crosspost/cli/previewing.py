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
    from crosspost.adapters.base import Draft
    from crosspost.cli.preview import preview_command, print_preview
    from crosspost.content import get_content, snapshot
    from crosspost.scheduling import prepare_for, resolve_targets

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
            reason = adapter.not_applicable_reason(snap.kind)
            if reason:
                drafts[target.platform] = Draft(target.platform, snap.kind, problems=(reason,))
            else:
                drafts[target.platform] = adapter.render(prepare_for(config, snap, target.platform))
            limits[target.platform] = adapter.limits
        finally:
            adapter.close()
    doc = preview_command(snap, drafts, limits=limits)
    if as_json:
        print_json(doc)
    else:
        print_preview(doc, console)
