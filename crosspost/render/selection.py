"""Which of a content item's files a platform's draft carries, and which the kind requires.

Pure: decided from roles alone, so rendering can call it freely.

- article: its images and cover, in order, up to the platform's `max_images`;
- video: the video; YouTube also takes the cover as the thumbnail;
- podcast: X takes no audio, so the cover (the post links to the episode); YouTube and Facebook
  take the video `prepare_content` renders from audio + cover (YouTube adds the cover as the
  thumbnail). Facebook without that video posts the cover with the link instead.
"""

from __future__ import annotations

from crosspost.adapters.base import ContentKind, ContentSnapshot, Limits, MediaFile, MediaRole
from crosspost.adapters.base import Platform as P

_PICTURES = (MediaRole.IMAGE, MediaRole.COVER)


def _pictures(
    content: ContentSnapshot, limits: Limits, roles: tuple[MediaRole, ...]
) -> list[MediaFile]:
    return [m for m in content.media if m.role in roles][: max(limits.max_images, 0)]


def media_for(platform: P, content: ContentSnapshot, limits: Limits) -> tuple[MediaFile, ...]:
    """The files the draft for `platform` uploads, in upload order."""
    video = content.media_with_role(MediaRole.VIDEO)
    cover = content.media_with_role(MediaRole.COVER)
    chosen: list[MediaFile | None]
    if content.kind == ContentKind.ARTICLE:
        chosen = [*_pictures(content, limits, _PICTURES)]
    elif platform == P.X:
        if content.kind == ContentKind.VIDEO:
            chosen = [video]
        else:
            chosen = [*_pictures(content, limits, (MediaRole.COVER,))]
    elif platform == P.YOUTUBE:
        chosen = [video, cover]
    elif video is not None:
        chosen = [video]
    elif content.kind == ContentKind.PODCAST:
        chosen = [cover]
    else:
        chosen = []
    return tuple(m for m in chosen if m is not None)


def missing_media(platform: P, content: ContentSnapshot) -> list[str]:
    """The files the content's kind needs but does not have, one sentence each."""
    has = {m.role for m in content.media}
    problems: list[str] = []
    if content.kind == ContentKind.VIDEO and MediaRole.VIDEO not in has:
        problems.append(f"{platform}: the video item has no video file")
    if content.kind == ContentKind.PODCAST:
        if MediaRole.AUDIO not in has:
            problems.append(f"{platform}: the podcast has no audio file")
        if MediaRole.COVER not in has:
            problems.append(f"{platform}: the podcast has no cover image")
        if platform == P.YOUTUBE and not problems and MediaRole.VIDEO not in has:
            problems.append(
                "youtube: the podcast's video has not been rendered "
                "(prepare_content renders it from the audio and the cover)"
            )
    return problems
