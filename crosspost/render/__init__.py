"""Rendering: content + account settings -> one draft per platform, exactly what will be sent.

Pure and deterministic: the same content, settings and limits give the same draft. The only
I/O is reading templates and media metadata (type, size, duration); the one step that writes,
the podcast video, is `crosspost.render.podcast.prepare_content`, which callers run first.

This package is what every platform shares: NFC text (`text`), templates (`templates`), fitting
(`fitting`), the template's fields (`fields`, `links`) and media checks (`media`, kept per file
state by `filestate`). What a platform does differently is its rules, `render.RULES` in its
adapter package (which files go, how the text is made to fit). Every reason a platform would
refuse the draft is in `Draft.problems`.

Account settings read here: `template_dir` (a directory of `<platform>/<kind>.j2` checked
first) and `utm` (query parameters added to the link); the media limits come already applied
to `limits` (`Adapter.effective_limits`). Platforms' rules read their own settings and content
overrides (`content.overrides[platform]`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from crosspost.adapters.base import ContentSnapshot, Draft, Limits, Platform
from crosspost.adapters.registry import rules_for
from crosspost.render.media import check_selected
from crosspost.render.templates import TemplateProblem

__all__ = ["render_draft"]


def render_draft(
    platform: Platform, content: ContentSnapshot, settings: Mapping[str, Any], *, limits: Limits
) -> Draft:
    """`content` rendered for `platform` under one account's `settings` and its effective
    `limits`; a template that fails becomes a problem of an empty draft, never an exception.
    """
    rules = rules_for(platform)
    media = rules.media_for(content, limits)
    try:
        draft = rules.render(content, settings, limits, media)
    except TemplateProblem as exc:
        draft = Draft(platform, content.kind, problems=(str(exc),))
    problems = (*draft.problems, *check_selected(platform, content, media, limits))
    return dataclasses.replace(draft, media=media, problems=problems)
