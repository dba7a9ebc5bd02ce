"""Facebook: a Page post's message (at most `Limits.text_max`: 63,206 characters) and its link
preview.

A feed post (an article, or a podcast without its video) carries the canonical link, with the
account's UTM parameters, as `Draft.link`: Facebook builds the preview card from it, so the
default article template does not repeat it. A video post cannot carry a link card, so its
template writes the link into the message, and `Draft.title` is the video's title.

An override text (`overrides["facebook"]["text"]`) replaces the template and is never cut.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crosspost.adapters.base import (
    ContentKind,
    ContentSnapshot,
    Draft,
    Limits,
    MediaFile,
    MediaRole,
    Platform,
)
from crosspost.adapters.facebook.checks import message_problems
from crosspost.adapters.registry import PlatformRules
from crosspost.render.fields import build_fields, override_text
from crosspost.render.fitting import fit
from crosspost.render.selection import pictures
from crosspost.render.templates import load_template
from crosspost.render.text import one_line


def render_facebook(
    content: ContentSnapshot,
    settings: Mapping[str, Any],
    limits: Limits,
    media: tuple[MediaFile, ...],
) -> Draft:
    """The Facebook draft for `content`, whose uploads will be `media`."""
    limit = limits.text_max
    fields = build_fields(content, Platform.FACEBOOK, settings)
    override = override_text(content, Platform.FACEBOOK, "text")
    if override is not None:
        message = override.strip()
    else:
        template = load_template(Platform.FACEBOOK, content.kind, settings)
        message = fit(template.render, fields, lambda t: len(t) <= limit)
    is_video = any(m.role == MediaRole.VIDEO for m in media)
    link = None if is_video else (fields.link or None)
    problems = message_problems(message, link, is_video, limits)
    return Draft(
        Platform.FACEBOOK,
        content.kind,
        parts=(message,) if message else (),
        title=one_line(fields.title) if is_video else None,
        link=link,
        problems=tuple(problems),
    )


class FacebookRules(PlatformRules):
    """Facebook's part of `crosspost.render.render_draft`: which files go, and the message."""

    def media_for(self, content: ContentSnapshot, limits: Limits) -> tuple[MediaFile, ...]:
        """An article's picture; the video (a podcast's rendered one), or else a podcast's
        cover, posted with the link."""
        if content.kind == ContentKind.ARTICLE:
            return pictures(content, limits)
        video = content.media_with_role(MediaRole.VIDEO)
        if video is not None:
            return (video,)
        cover = content.media_with_role(MediaRole.COVER)
        return (cover,) if content.kind == ContentKind.PODCAST and cover else ()

    def render(
        self,
        content: ContentSnapshot,
        settings: Mapping[str, Any],
        limits: Limits,
        media: tuple[MediaFile, ...],
    ) -> Draft:
        return render_facebook(content, settings, limits, media)


RULES = FacebookRules()
