"""The steps after the video exists: its custom thumbnail and its playlist item.

Each is confirmed the moment YouTube answers, so a later attempt never repeats it. A failure
that may pass (5xx, no answer, rate, quota, token) is raised with `step` set: the post resumes
after the video and never uploads it again. Only a refusal for good is a warning on the receipt,
because both steps are truly optional for the public: YouTube draws a thumbnail of its own when
no custom one is set (and refuses custom ones on channels not allowed them), and a playlist
groups videos on the channel without changing the video. Those refusals (an unreadable or
refused image, an unknown playlist) say so on the receipt instead of failing a video that is up.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any

from crosspost.adapters.base import (
    AmbiguousOutcomeError,
    MediaFile,
    PermanentError,
    PublishError,
    RetryableError,
    StepKind,
)
from crosspost.adapters.youtube.reconcile import playlist_item

Execute = Callable[..., dict[str, Any]]  # the adapter's `_execute(request, write=False)`
THUMBNAIL = (StepKind.THUMBNAIL, 1)
PLAYLIST = (StepKind.PLAYLIST, 1)


def set_thumbnail(execute: Execute, client: Any, video_id: str, cover: MediaFile) -> str | None:
    """thumbnails.set; None when set, a warning when refused for good, else it raises.

    thumbnails.set replaces the video's thumbnail, so sending it again makes nothing twice: a
    lost answer is retryable, not ambiguous.
    """
    from googleapiclient.http import MediaFileUpload

    mime = cover.mime_type or mimetypes.guess_type(cover.path.name)[0] or "image/jpeg"
    try:
        media = MediaFileUpload(str(cover.path), mimetype=mime, resumable=False)
    except OSError as exc:
        return f"thumbnail not set: cannot read {cover.path.name} ({exc.strerror or exc})"
    try:
        execute(client.thumbnails().set(videoId=video_id, media_body=media))
    except PermanentError as exc:
        return f"thumbnail not set: {exc.message}"
    except AmbiguousOutcomeError as exc:
        raise RetryableError(
            f"thumbnail: {exc.message} (setting it again is harmless)",
            http_status=exc.http_status,
            platform_code=exc.platform_code,
            step=THUMBNAIL,
        ) from exc
    except PublishError as exc:
        exc.step = THUMBNAIL
        raise
    finally:
        media.stream().close()
    return None


def add_to_playlist(
    execute: Execute, client: Any, video_id: str, playlist_id: str, *, resumed: bool
) -> tuple[str | None, str | None]:
    """The video's item in `playlist_id` (item id, warning). On a resumed publish the playlist
    is asked first, so an insert whose answer was lost is never made twice."""
    try:
        if resumed:
            found = playlist_item(execute, client, playlist_id, video_id)
            if found is not None:
                return found, None
        body = {
            "snippet": {
                "playlistId": playlist_id,
                "resourceId": {"kind": "youtube#video", "videoId": video_id},
            }
        }
        item = execute(client.playlistItems().insert(part="snippet", body=body), write=True)
    except PermanentError as exc:
        return None, f"not added to playlist {playlist_id}: {exc.message}"
    except PublishError as exc:
        exc.step = PLAYLIST
        raise
    return str(item["id"]), None
