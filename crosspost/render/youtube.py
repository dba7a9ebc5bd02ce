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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from crosspost.adapters.base import ContentSnapshot, Draft, Limits, Platform
from crosspost.render import facts
from crosspost.render.fields import build_fields, labels, overrides_for
from crosspost.render.fitting import fit
from crosspost.render.templates import load_template
from crosspost.render.text import nfc, one_line, tidy

_ANGLES = str.maketrans({"<": "‹", ">": "›"})


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
    title_max = limits.title_max or facts.YOUTUBE_TITLE_MAX
    bytes_max = limits.description_max_bytes or facts.YOUTUBE_DESCRIPTION_MAX_BYTES
    tags_max = limits.tags_max_total or facts.YOUTUBE_TAGS_MAX
    override = overrides_for(content, Platform.YOUTUBE)
    fields = build_fields(content, Platform.YOUTUBE, settings)
    fields = replace(fields, hashtags=fields.hashtags[: facts.YOUTUBE_HASHTAGS_SHOWN])
    template = None
    if "title" not in override or "description" not in override:
        template = load_template(Platform.YOUTUBE, content.kind, settings)

    if override.get("title") is not None:
        title = no_angles(one_line(str(override["title"])))
    else:
        assert template is not None
        title = fit(
            lambda f: no_angles(one_line(template.render(f, block="title"))),
            fields,
            lambda t: len(t) <= title_max,
            fill=(),
        )
    if override.get("description") is not None:
        description = no_angles(tidy(str(override["description"])))
    else:
        assert template is not None
        description = fit(
            lambda f: no_angles(template.render(f, block="description")),
            fields,
            lambda t: len(t.encode("utf-8")) <= bytes_max,
        )
    if "tags" in override:
        tags = clean_tags(labels(override["tags"]))
    else:
        tags = fit_tags(clean_tags(content.hashtags), tags_max)

    problems = []
    if not title:
        problems.append("youtube: title is empty")
    elif len(title) > title_max:
        problems.append(f"youtube: title is {len(title)}/{title_max} characters")
    size = len(description.encode("utf-8"))
    if size > bytes_max:
        problems.append(f"youtube: description is {size}/{bytes_max} bytes")
    if tags_length(tags) > tags_max:
        problems.append(
            f"youtube: tags are {tags_length(tags)}/{tags_max} characters as YouTube counts them"
        )
    return Draft(
        Platform.YOUTUBE,
        content.kind,
        title=title,
        description=description,
        tags=tuple(tags),
        problems=tuple(problems),
    )
