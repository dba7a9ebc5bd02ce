"""What Facebook refuses in a Page post, worded once: rendering lists these as the draft's
problems, and the adapter checks a stored draft against them again before anything is sent.
"""

from __future__ import annotations

import mimetypes

from crosspost.adapters.base import ContentKind, Draft, Limits, MediaFile, MediaRole
from crosspost.adapters.common import media_problems, nfc, no_video_file


def video_of(draft: Draft) -> MediaFile | None:
    """The video a video or podcast post uploads, if it has one."""
    if draft.kind not in (ContentKind.VIDEO, ContentKind.PODCAST):
        return None
    return draft.media_with_role(MediaRole.VIDEO)


def image_of(draft: Draft) -> MediaFile | None:
    """A podcast's picture is its cover; an article's, its image."""
    if draft.kind == ContentKind.PODCAST:
        return draft.media_with_role(MediaRole.COVER, MediaRole.IMAGE)
    return draft.media_with_role(MediaRole.IMAGE, MediaRole.COVER)


def message_problems(message: str, link: str | None, is_video: bool, limits: Limits) -> list[str]:
    """Why Facebook would refuse this message (and link) as a post."""
    problems = []
    length = len(nfc(message))
    if length > limits.text_max:
        problems.append(f"facebook: message is {length} characters, limit {limits.text_max}")
    if not message and not link and not is_video:
        problems.append("facebook: the post has neither a message nor a link")
    return problems


def draft_problems(draft: Draft, limits: Limits) -> list[str]:
    """Every reason Facebook would refuse `draft` under `limits`."""
    video = video_of(draft)
    problems = message_problems(draft.text, draft.link, video is not None, limits)
    if draft.kind == ContentKind.VIDEO and video is None:
        problems.append(no_video_file("facebook"))
    upload = video or image_of(draft)
    if upload is not None:
        mime = upload.mime_type or mimetypes.guess_type(upload.path.name)[0]
        problems.extend(media_problems("facebook", "Facebook", upload, mime, upload.size, limits))
    return problems
