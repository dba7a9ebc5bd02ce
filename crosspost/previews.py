"""The preview document: each platform's draft as it will be sent, with its counted lengths.

`crosspost preview` prints it and the web's approval queue shows it: both call
`preview_targets`, so a reviewer sees on the page exactly what the CLI shows.

The document (`--json`) has a section per platform previewed, keyed by the platform's name and
made by its adapter package's preview (`crosspost.adapters.registry.preview_for`): its texts,
each counted as the platform counts it beside its `..._limit`, its `media`, its `problems` and
its `cost` (null where posts are not billed);
and `problems[]`, every draft's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from crosspost.adapters.base import ContentSnapshot, Draft, Limits, Platform
from crosspost.adapters.registry import adapter_class, preview_for
from crosspost.costs import Pricing, cost_json, draft_cost

if TYPE_CHECKING:
    from crosspost.config import Config
    from crosspost.scheduling import Target


def _media(draft: Draft) -> list[dict[str, Any]]:
    return [
        {"role": str(m.role), "path": str(m.path), "size": m.size, "mime_type": m.mime_type}
        for m in draft.media
    ]


def preview_command(
    content: ContentSnapshot,
    drafts: Mapping[Platform, Draft],
    *,
    limits: Mapping[Platform, Limits] | None = None,
    pricing: Mapping[Platform, Pricing | None] | None = None,
) -> dict[str, Any]:
    """The preview document for `drafts` (one per platform previewed), JSON-ready.

    `limits` (the adapters' Limits) sets the limits shown; for a platform left out, they are
    the ones its built-in adapter declares. `pricing` is each previewed account's prices (none:
    its posts cost nothing per post, `cost` is null).
    """
    doc: dict[str, Any] = {
        "content_id": content.content_id,
        "kind": str(content.kind),
        "title": content.title,
    }
    problems: list[str] = []
    for platform in Platform:
        draft = drafts.get(platform)
        if draft is None:
            continue
        given = (limits or {}).get(platform)
        section = preview_for(platform).section(draft, given or adapter_class(platform).limits)
        section["media"] = _media(draft)
        section["problems"] = list(draft.problems)
        priced = (pricing or {}).get(platform)
        section["cost"] = cost_json(draft_cost(draft, priced), priced) if priced else None
        doc[str(platform)] = section
        problems.extend(draft.problems)
    doc["problems"] = problems
    return doc


def preview_targets(
    config: Config, content: ContentSnapshot, targets: Sequence[Target]
) -> dict[str, Any]:
    """The preview document of `content` for the first account of each platform in `targets`,
    drafted by `draft_for` (the path scheduling takes) against each adapter's own limits."""
    from crosspost.accounts import build_adapter
    from crosspost.drafting import draft_for

    drafts: dict[Platform, Draft] = {}
    limits: dict[Platform, Limits] = {}
    pricing: dict[Platform, Pricing | None] = {}
    for target in targets:
        if target.platform in drafts:
            continue
        adapter = build_adapter(config, target.account_name)
        try:
            drafts[target.platform] = draft_for(
                config, target.account_name, content, adapter=adapter
            )
            limits[target.platform] = adapter.effective_limits()
            pricing[target.platform] = config.accounts[target.account_name].budget.pricing
        finally:
            adapter.close()
    return preview_command(content, drafts, limits=limits, pricing=pricing)
