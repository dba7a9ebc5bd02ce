"""Which of a content item's files a draft carries, and which its kind requires.

Pure: decided from roles alone, so rendering can call it freely. Each platform's rules (its
package's `render.RULES.media_for`) choose the files; the pieces every platform shares are here.
"""

from __future__ import annotations

from crosspost.adapters.base import ContentKind, ContentSnapshot, Limits, MediaFile, MediaRole
from crosspost.adapters.base import Platform as P
from crosspost.adapters.common import no_video_file

PICTURES = (MediaRole.IMAGE, MediaRole.COVER)


def pictures(
    content: ContentSnapshot, limits: Limits, roles: tuple[MediaRole, ...] | None = None
) -> tuple[MediaFile, ...]:
    """The content's pictures (images and covers unless `roles` says), up to `max_images`."""
    chosen = roles or PICTURES
    return tuple(m for m in content.media if m.role in chosen)[: max(limits.max_images, 0)]


def missing_media(platform: P, content: ContentSnapshot) -> list[str]:
    """The files the content's kind needs but does not have, one sentence each."""
    has = {m.role for m in content.media}
    problems: list[str] = []
    if content.kind == ContentKind.VIDEO and MediaRole.VIDEO not in has:
        problems.append(no_video_file(platform))
    if content.kind == ContentKind.PODCAST:
        if MediaRole.AUDIO not in has:
            problems.append(f"{platform}: the podcast has no audio file")
        if MediaRole.COVER not in has:
            problems.append(f"{platform}: the podcast has no cover image")
    return problems
