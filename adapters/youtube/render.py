"""YouTube: title, description and tags within YouTube's limits.

- title: at most 100 characters (code points of NFC text), one line, cut at a word boundary;
- description: at most 5000 bytes of UTF-8 (a Vietnamese letter such as "ế" takes 3), the
  body cut first, then the summary;
- neither may hold "<" or ">": they become "‹" and "›" (measured after the change);
- hashtags: YouTube shows the first three hashtags of the description above the title, so the
  template gets at most three and the defaults put them on the description's last line. A
  hashtag written into the summary or body comes first and is the one shown;
- tags: at most 500 characters counted as YouTube counts them (a tag with a space counts as
  quoted, +2; each comma between tags counts), kept in order while they fit.

Overrides `title`, `description` and `tags` replace the template and are never cut: going
over a limit is reported as a problem instead (worded in `checks`).

The limits are the adapter's (`Limits.title_max`, `description_max_bytes`, `tags_max_total`):
one source for rendering, the adapter's checks and the preview.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
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
from crosspost.adapters.registry import PlatformRules
from crosspost.adapters.youtube.checks import NO_PODCAST_VIDEO, metadata_problems, tags_length
from crosspost.hygiene import HashtagRule
from crosspost.render.fields import build_fields, labels, override_text, overrides_for
from crosspost.render.fitting import fit
from crosspost.render.selection import pictures
from crosspost.render.templates import load_template
from crosspost.render.text import nfc, one_line, tidy

_ANGLES = str.maketrans({"<": "‹", ">": "›"})
# YouTube shows the first three hashtags of a description above the video's title.
HASHTAGS_SHOWN = 3


def no_angles(text: str) -> str:
    """YouTube refuses "<" and ">" in titles, descriptions and tags."""
    return text.translate(_ANGLES)


def clean_tags(values: Iterable[str]) -> list[str]:
    """Tags as YouTube takes them: one line, no "#", no commas, no angle brackets, no duplicates."""
    seen: set[str] = set()
    tags = []
    for value in values:
        tag = one_line(no_angles(nfc(value)).lstrip("#").replace(",", " "))
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def fit_tags(tags: list[str], limit: int | None) -> list[str]:
    kept: list[str] = []
    for tag in tags:
        if limit is not None and tags_length([*kept, tag]) > limit:
            break
        kept.append(tag)
    return kept


def render_youtube(content: ContentSnapshot, settings: Mapping[str, Any], limits: Limits) -> Draft:
    """The YouTube draft's title, description, tags and their problems."""
    title = override_text(content, Platform.YOUTUBE, "title")
    description = override_text(content, Platform.YOUTUBE, "description")
    if title is not None:
        title = no_angles(one_line(title))
    if description is not None:
        description = no_angles(tidy(description))
    if title is None or description is None:
        template = load_template(Platform.YOUTUBE, content.kind, settings)
        fields = build_fields(content, Platform.YOUTUBE, settings)
        fields = replace(fields, hashtags=fields.hashtags[:HASHTAGS_SHOWN])
        if title is None:
            title = fit(
                lambda f: no_angles(one_line(template.render(f, block="title"))),
                fields,
                lambda t: limits.title_max is None or len(t) <= limits.title_max,
                fill=(),
            )
        if description is None:
            description = fit(
                lambda f: no_angles(template.render(f, block="description")),
                fields,
                lambda t: (
                    limits.description_max_bytes is None
                    or len(t.encode("utf-8")) <= limits.description_max_bytes
                ),
            )
    override = overrides_for(content, Platform.YOUTUBE)
    if "tags" in override:
        tags = clean_tags(labels(override["tags"]))
    else:
        tags = fit_tags(clean_tags(content.hashtags), limits.tags_max_total)

    return Draft(
        Platform.YOUTUBE,
        content.kind,
        title=title,
        description=description,
        tags=tuple(tags),
        problems=tuple(metadata_problems(title, description, tags, limits)),
    )


class YouTubeRules(PlatformRules):
    """YouTube's part of `crosspost.render.render_draft`: the video, its thumbnail, its text."""

    hashtag_rule = HashtagRule(
        "youtube",
        max_count=60,
        source="YouTube Help, hashtags: over 60 on a video and all are ignored",
    )

    def media_for(self, content: ContentSnapshot, limits: Limits) -> tuple[MediaFile, ...]:
        """The video (a podcast's is rendered from its audio and cover) and the cover as the
        thumbnail."""
        if content.kind == ContentKind.ARTICLE:
            return pictures(content, limits)
        chosen = (
            content.media_with_role(MediaRole.VIDEO),
            content.media_with_role(MediaRole.COVER),
        )
        return tuple(m for m in chosen if m is not None)

    def missing_media(self, content: ContentSnapshot) -> list[str]:
        has_video = content.media_with_role(MediaRole.VIDEO) is not None
        if content.kind != ContentKind.PODCAST or has_video:
            return []
        return [NO_PODCAST_VIDEO]

    def render(
        self,
        content: ContentSnapshot,
        settings: Mapping[str, Any],
        limits: Limits,
        media: tuple[MediaFile, ...],
    ) -> Draft:
        return render_youtube(content, settings, limits)


RULES = YouTubeRules()
