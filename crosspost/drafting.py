"""The one path from content and an account to a checked draft.

Scheduling (refusing what would fail, storing what passes on the post), the preview (showing
it) and `redraft` call `draft_for`; the worker publishes the stored draft. The kind check,
the one I/O step (a podcast's video), the rendering, and the adapter's checks against its
effective limits, in that order.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from crosspost.accounts import build_adapter
from crosspost.adapters.base import Adapter, ContentKind, ContentSnapshot, Draft
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


def draft_source(adapter: Adapter, kind: ContentKind) -> dict[str, str | None]:
    """Where a draft came from, stored beside it: the template file and the sha256 of its text,
    and a hash of the account settings that shaped it (so a later change can be seen)."""
    from crosspost.render.templates import TemplateProblem, load_template

    path: str | None = None
    digest: str | None = None
    try:
        filename = load_template(adapter.platform, kind, adapter.account.settings).template.filename
    except TemplateProblem:
        filename = None
    if filename:
        path = filename
        digest = hashlib.sha256(Path(filename).read_bytes()).hexdigest()
    settings = json.dumps(dict(adapter.account.settings), sort_keys=True, default=str)
    return {
        "template": path,
        "template_sha256": digest,
        "settings_sha256": hashlib.sha256(settings.encode("utf-8")).hexdigest(),
    }
