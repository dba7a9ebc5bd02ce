"""A Page video published as a Reel (account setting `video_as_reel`), by Meta's Reels
Publishing API (developers.facebook.com/docs/video-api/guides/reels-publishing):

1. ``POST /{page-id}/video_reels`` ``upload_phase=start`` gives the reel's ``video_id``;
2. the file goes to ``rupload.facebook.com/video-upload/{version}/{video-id}`` in one request
   with ``Authorization: OAuth {Page token}`` and the ``offset`` and ``file_size`` headers;
3. ``upload_phase=finish`` with ``video_state=PUBLISHED`` and the description publishes it.

Only the finish makes anything public, so a failure before it is retried safely (a new session:
an unfinished one is never shown); the finish is the creating call, and a lost answer to it is
ambiguous, settled by the look-up on the Page's reels (`lookup`). Publishing takes the Page
token, with the permissions of any Page video.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from crosspost.adapters.base import Draft, MediaFile, ProgressCallback, unsettled_error
from crosspost.adapters.common import nfc, open_media
from crosspost.adapters.facebook.access import PUBLISH_VIDEO
from crosspost.adapters.facebook.errors import MAY_EXIST

Call = Callable[..., dict[str, Any]]
READ_BYTES = 1 << 20


class ReelPublishing:
    """One account's reels: `publish` starts, uploads and finishes one, giving its id."""

    def __init__(self, call: Call, *, page_id: str, upload_base: str) -> None:
        self.call = call
        self.page_id = page_id
        self.upload_base = upload_base  # rupload's root, before /{version}/{video-id}

    def publish(self, draft: Draft, video: MediaFile, progress: ProgressCallback | None) -> str:
        started = self.call(
            "POST",
            f"{self.page_id}/video_reels",
            data={"upload_phase": "start"},
            need=PUBLISH_VIDEO,
        )
        video_id = str(started.get("video_id") or "")
        if not video_id:
            raise unsettled_error(
                "facebook POST /video_reels start: the answer has no video_id", creating=False
            )
        self._upload(video_id, video, progress)
        data = {
            "upload_phase": "finish",
            "video_id": video_id,
            "video_state": "PUBLISHED",
            "description": nfc(draft.text),
        }
        if draft.title:
            data["title"] = nfc(draft.title)
        body = self.call(
            "POST", f"{self.page_id}/video_reels", data=data, creating=True, need=PUBLISH_VIDEO
        )
        if body.get("success") is not True:
            raise unsettled_error(
                "facebook POST /video_reels finish: the answer is not success",
                creating=True,
                note=MAY_EXIST,
            )
        return video_id

    def _upload(self, video_id: str, video: MediaFile, progress: ProgressCallback | None) -> None:
        def chunks(fh: Any) -> Iterator[bytes]:
            sent = 0
            while data := fh.read(READ_BYTES):
                sent += len(data)
                if progress is not None:
                    progress(sent, video.size)
                yield data

        with open_media(video, "facebook") as fh:
            # A stated length: the body streams from the file, never chunked nor held whole.
            size = str(video.size)
            headers = {"offset": "0", "file_size": size, "Content-Length": size}
            body = self.call(
                "POST",
                video_id,
                content=chunks(fh),
                headers=headers,
                base=self.upload_base,
                auth_scheme="OAuth",
                need=PUBLISH_VIDEO,
            )
        if body.get("success") is not True:
            raise unsettled_error("facebook reel upload: the answer is not success", creating=False)
