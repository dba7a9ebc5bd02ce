"""Rendering: content + config -> one draft per platform. Pure, apart from reading templates."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from crosspost.adapters.base import ContentKind, ContentSnapshot, Draft, Limits, MediaRole, Platform


def render_draft(
    platform: Platform, content: ContentSnapshot, settings: Mapping[str, Any], *, limits: Limits
) -> Draft:
    """A first renderer (replaced by the full one in crosspost.render): NFC text, title + link."""
    title = unicodedata.normalize("NFC", content.title)
    summary = unicodedata.normalize("NFC", content.summary)
    override = content.overrides.get(str(platform), {})
    text = str(override.get("text") or "\n\n".join(p for p in (title, summary) if p))
    problems: list[str] = []
    media = tuple(m for m in content.media if m.role != MediaRole.AUDIO)
    if platform == Platform.X and content.link:
        text = f"{text}\n{content.link}"
    if len(text) > limits.text_max:
        problems.append(f"{platform}: text is {len(text)} characters, limit {limits.text_max}")
    if platform == Platform.YOUTUBE:
        return Draft(
            platform,
            content.kind,
            parts=(),
            title=title[:100],
            description=summary,
            tags=content.hashtags,
            media=media,
            problems=tuple(problems),
        )
    link = content.link if platform == Platform.FACEBOOK else None
    if content.kind == ContentKind.ARTICLE:
        media = tuple(m for m in media if m.role in (MediaRole.IMAGE, MediaRole.COVER))
    return Draft(
        platform, content.kind, parts=(text,), link=link, media=media, problems=tuple(problems)
    )
