"""Rendering: content + account settings -> one draft per platform, exactly what will be sent.

Pure and deterministic: the same content, settings and limits give the same draft. The only
I/O is reading templates and media metadata (type, size, duration); the one step that writes,
the podcast video, is `crosspost.render.media.prepare_content`, which callers run first.

All text is taken as NFC. Each platform has its module (`x`, `youtube`, `facebook`); templates
(`templates`) word the post, fitting (`fitting`, `thread`) makes it fit, and `media` checks
the files (what it reads of a file is kept per file state, `filestate`, since every schedule
and every publish renders again). Every reason a platform would refuse the draft is in
`Draft.problems`.

Account settings read here: `thread` ("never" | "auto" | "always"), `thread_numbering`
(bool), `template_dir` (a directory of `<platform>/<kind>.j2` checked first), `utm` (query
parameters added to the link), and the media limits `image_max_bytes`, `video_max_bytes`,
`video_max_seconds`, `gif_max_bytes`, `thumbnail_max_bytes`. Content overrides
(`content.overrides[platform]`): `text`, `title`, `description`, `hashtags`, `tags`, `thread`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from crosspost.adapters.base import ContentSnapshot, Draft, Limits, Platform
from crosspost.render.facebook import render_facebook
from crosspost.render.media import check_selected
from crosspost.render.selection import media_for
from crosspost.render.templates import TemplateProblem
from crosspost.render.x import render_x
from crosspost.render.youtube import render_youtube

__all__ = ["render_draft"]


def render_draft(
    platform: Platform, content: ContentSnapshot, settings: Mapping[str, Any], *, limits: Limits
) -> Draft:
    """`content` rendered for `platform` under one account's `settings` and the adapter's
    `limits`; a template that fails becomes a problem of an empty draft, never an exception.
    """
    media = media_for(platform, content, limits)
    try:
        if platform == Platform.X:
            draft = render_x(content, settings, limits)
        elif platform == Platform.YOUTUBE:
            draft = render_youtube(content, settings, limits)
        else:
            draft = render_facebook(content, settings, limits, media)
    except TemplateProblem as exc:
        draft = Draft(platform, content.kind, problems=(str(exc),))
    problems = (*draft.problems, *check_selected(platform, content, media, limits, settings))
    return dataclasses.replace(draft, media=media, problems=problems)
