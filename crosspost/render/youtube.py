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
over a limit is reported as a problem instead.

The limits are the adapter's (`Limits.title_max`, `description_max_bytes`, `tags_max_total`);
one it leaves unset is YouTube's documented figure (`YouTubeLimits`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from crosspost.adapters.base import ContentSnapshot, Draft, Limits, Platform
from crosspost.render.fields import build_fields, labels, override_text, overrides_for
from crosspost.render.fitting import fit
from crosspost.render.templates import load_template
from crosspost.render.text import nfc, one_line, tidy

_ANGLES = str.maketrans({"<": "‹", ">": "›"})
# YouTube shows the first three hashtags of a description above the video's title.
HASHTAGS_SHOWN = 3


@dataclass(frozen=True)
class YouTubeLimits:
    """YouTube's text limits: the adapter's, with the documented figure for any it leaves unset."""

    title_max: int = 100
    description_max_bytes: int = 5000
    tags_max_total: int = 500

    @classmethod
    def for_limits(cls, limits: Limits | None) -> YouTubeLimits:
        if limits is None:
            return cls()
        return cls(
            title_max=limits.title_max or cls.title_max,
            description_max_bytes=limits.description_max_bytes or cls.description_max_bytes,
            tags_max_total=limits.tags_max_total or cls.tags_max_total,
        )


def no_angles(text: str) -> str:
    """YouTube refuses "<" and ">" in titles, descriptions and tags."""
    return text.translate(_ANGLES)


def tags_length(tags: Iterable[str]) -> int:
    """The length YouTube counts for `tags`: quoted if spaced, commas between."""
    tags = list(tags)
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0)


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


def fit_tags(tags: list[str], limit: int) -> list[str]:
    kept: list[str] = []
    for tag in tags:
        if tags_length([*kept, tag]) > limit:
            break
        kept.append(tag)
    return kept


def render_youtube(content: ContentSnapshot, settings: Mapping[str, Any], limits: Limits) -> Draft:
    """The YouTube draft's title, description, tags and their problems."""
    limit = YouTubeLimits.for_limits(limits)
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
                lambda t: len(t) <= limit.title_max,
                fill=(),
            )
        if description is None:
            description = fit(
                lambda f: no_angles(template.render(f, block="description")),
                fields,
                lambda t: len(t.encode("utf-8")) <= limit.description_max_bytes,
            )
    override = overrides_for(content, Platform.YOUTUBE)
    if "tags" in override:
        tags = clean_tags(labels(override["tags"]))
    else:
        tags = fit_tags(clean_tags(content.hashtags), limit.tags_max_total)

    problems = []
    if not title:
        problems.append("youtube: title is empty")
    elif len(title) > limit.title_max:
        problems.append(f"youtube: title is {len(title)}/{limit.title_max} characters")
    size = len(description.encode("utf-8"))
    if size > limit.description_max_bytes:
        problems.append(f"youtube: description is {size}/{limit.description_max_bytes} bytes")
    if (tags_size := tags_length(tags)) > limit.tags_max_total:
        problems.append(
            f"youtube: tags are {tags_size}/{limit.tags_max_total} characters "
            "as YouTube counts them"
        )
    return Draft(
        Platform.YOUTUBE,
        content.kind,
        title=title,
        description=description,
        tags=tuple(tags),
        problems=tuple(problems),
    )
