"""The one path from content and an account to a checked draft.

Scheduling (refusing what would fail), the preview (showing it) and the worker (publishing it)
all call `draft_for`, so what was previewed and scheduled is what is published: the kind check,
the one I/O step (a podcast's video), the rendering, and the adapter's checks against its
effective limits, in that order.
"""

from __future__ import annotations

import dataclasses

from crosspost.accounts import build_adapter
from crosspost.adapters.base import Adapter, ContentSnapshot, Draft
from crosspost.config import Config


def draft_for(
    config: Config, account_name: str, content: ContentSnapshot, *, adapter: Adapter | None = None
) -> Draft:
    """`content` as the account's platform will receive it, with every problem it would meet
    in `Draft.problems` (empty: it can be published). `adapter` is the account's own when the
    caller holds one; otherwise one is built for this call and closed."""
    if adapter is not None:
        return _draft(config, adapter, content)
    built = build_adapter(config, account_name)
    try:
        return _draft(config, built, content)
    finally:
        built.close()


def _draft(config: Config, adapter: Adapter, content: ContentSnapshot) -> Draft:
    from crosspost.render.ffmpeg import MediaError
    from crosspost.render.podcast import prepare_content

    reason = adapter.not_applicable_reason(content.kind)
    if reason:
        return Draft(adapter.platform, content.kind, problems=(reason,))
    try:
        prepared = prepare_content(content, adapter.platform, config.media_cache_dir)
    except MediaError as exc:
        return Draft(adapter.platform, content.kind, problems=(f"cannot prepare media: {exc}",))
    draft = adapter.render(prepared)
    return dataclasses.replace(draft, problems=tuple(adapter.check(draft)))
