"""What YouTube refuses in a video's metadata, worded once: rendering lists these as the draft's
problems, and the adapter checks a stored draft against them again before the upload.

The figures are the adapter's `Limits` (title in characters, description in UTF-8 bytes, tags
as YouTube counts them); a limit left unset is not checked.
"""

from __future__ import annotations

from collections.abc import Iterable

from crosspost.adapters.base import ContentKind, Draft, Limits, MediaRole
from crosspost.adapters.common import no_video_file

NO_VIDEO = no_video_file("youtube")
NO_PODCAST_VIDEO = (
    "youtube: the podcast's video has not been rendered (render the podcast to video first)"
)


def tags_length(tags: Iterable[str]) -> int:
    """The length YouTube counts for `tags`: quoted if spaced, commas between."""
    tags = list(tags)
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0)


def metadata_problems(
    title: str, description: str, tags: Iterable[str], limits: Limits
) -> list[str]:
    """Why YouTube would refuse this title, description and these tags."""
    problems = []
    if not title.strip():
        problems.append("youtube: a video needs a title")
    elif limits.title_max is not None and len(title) > limits.title_max:
        problems.append(f"youtube: title is {len(title)} characters, limit {limits.title_max}")
    size = len(description.encode("utf-8"))
    if limits.description_max_bytes is not None and size > limits.description_max_bytes:
        problems.append(
            f"youtube: description is {size} bytes, limit {limits.description_max_bytes} bytes"
        )
    for name, text in (("title", title), ("description", description)):
        if "<" in text or ">" in text:
            problems.append(f"youtube: YouTube refuses < and > in the {name}")
    counted = tags_length(tags)
    if limits.tags_max_total is not None and counted > limits.tags_max_total:
        problems.append(
            f"youtube: tags are {counted} characters as YouTube counts them, "
            f"limit {limits.tags_max_total}"
        )
    return problems


def draft_problems(draft: Draft, limits: Limits) -> list[str]:
    """Every reason YouTube would refuse `draft` under `limits`."""
    problems = metadata_problems(draft.title or "", draft.description or "", draft.tags, limits)
    if draft.media_with_role(MediaRole.VIDEO) is None:
        problems.append(NO_PODCAST_VIDEO if draft.kind == ContentKind.PODCAST else NO_VIDEO)
    return problems
