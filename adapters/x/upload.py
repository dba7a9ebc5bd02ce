"""X's v2 chunked media upload: initialize → append → finalize → STATUS polls.

tweepy 4.17 has no v2 media upload (tweepy#2217), so media goes through tweepy's own `requests`
session and the same user-context auth. Segments are numbered 0 to 999, so a large file gets
larger segments (`segment_size`), refused before X holds anything when even 5 MiB is too few.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from crosspost.adapters.base import (
    MediaFile,
    MediaRole,
    PermanentError,
    ProgressCallback,
    RetryableError,
)
from crosspost.adapters.common import media_size, open_media
from crosspost.adapters.x.errors import MEDIA, http_error, transport_error

if TYPE_CHECKING:
    import requests

MB = 1024 * 1024
DEFAULT_CHUNK_BYTES = 1 * MB
MAX_CHUNK_BYTES = 5 * MB
MAX_SEGMENTS = 1000  # X numbers appended segments 0 to 999
MIN_POLL_SECONDS = 0.05


class MediaUploader:
    """Uploads one post's files on the session `session()` gives (tweepy's, made on first use)."""

    def __init__(
        self,
        session: Callable[[], requests.Session],
        base_url: str,
        *,
        chunk_bytes: int,
        processing_timeout: float,
        scrub: Callable[[str], str],
        account: str,
    ) -> None:
        self.session = session
        self.account = account
        self.base_url = base_url
        self.chunk_bytes = min(chunk_bytes, MAX_CHUNK_BYTES)
        self.processing_timeout = processing_timeout
        self.scrub = scrub

    def upload_all(
        self, files: Iterable[MediaFile], progress: ProgressCallback | None
    ) -> list[str]:
        """X's media ids for `files`, in order; `progress` hears of the bytes of all of them."""
        items = [(m, media_size(m, "x")) for m in files]
        total = sum(size for _, size in items)
        sent = 0
        ids: list[str] = []

        def advance(n: int) -> None:
            nonlocal sent
            sent += n
            if progress is not None:
                progress(sent, total)

        for media, size in items:
            ids.append(self._upload(media, size, advance))
        return ids

    def _upload(self, media: MediaFile, size: int, advance: Callable[[int], None]) -> str:
        kind = media_type(media)
        chunk_bytes = segment_size(size, self.chunk_bytes)  # refuses before X holds anything
        init = self._call(
            "POST",
            "/2/media/upload/initialize",
            json={"media_type": kind, "total_bytes": size, "media_category": category(kind)},
        )
        media_id = str(init["data"]["id"])
        with open_media(media, "x") as stream:
            index = 0
            while chunk := stream.read(chunk_bytes):
                self._call(
                    "POST",
                    f"/2/media/upload/{media_id}/append",
                    data={"segment_index": str(index)},
                    files={"media": ("blob", chunk, "application/octet-stream")},
                )
                index += 1
                advance(len(chunk))
        final = self._call("POST", f"/2/media/upload/{media_id}/finalize")
        self._await_processing(media_id, final["data"].get("processing_info"))
        return media_id

    def _await_processing(self, media_id: str, info: dict[str, Any] | None) -> None:
        deadline = time.monotonic() + self.processing_timeout
        while info is not None and info.get("state") in ("pending", "in_progress"):
            wait = max(float(info.get("check_after_secs") or 0), MIN_POLL_SECONDS)
            if time.monotonic() + wait > deadline:
                raise RetryableError(
                    f"x media upload: {media_id} still processing after "
                    f"{self.processing_timeout:g} s"
                )
            time.sleep(wait)
            status = self._call(
                "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id}
            )
            info = status["data"].get("processing_info")
        if info is not None and info.get("state") == "failed":
            raise PermanentError(f"x media upload: X could not process media {media_id}")

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One media request on tweepy's session (its auth and timeout), errors translated."""
        import requests

        try:
            response = self.session().request(method, self.base_url + path, **kwargs)
        except requests.RequestException as exc:
            raise transport_error(exc, MEDIA) from None
        if not 200 <= response.status_code < 300:
            raise http_error(response, MEDIA, self.scrub, self.account)
        try:
            body = response.json()
        except ValueError:
            raise RetryableError(f"x media upload: {path} answered with no JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise RetryableError(f"x media upload: {path} answered without data")
        return body


def attachments_for(media: Iterable[MediaFile]) -> list[MediaFile]:
    """The files the first post carries: the draft's media as rendered (the renderer chose
    them: an article's pictures, the video, a podcast's cover), less any audio."""
    return [m for m in media if m.role != MediaRole.AUDIO]


def media_type(media: MediaFile) -> str:
    guessed, _ = mimetypes.guess_type(media.path.name)
    return (media.mime_type or guessed or "application/octet-stream").lower()


def category(kind: str) -> str:
    """X's media_category for a media type: a GIF, a video or an image."""
    if kind == "image/gif":
        return "tweet_gif"
    return "tweet_video" if kind.startswith("video/") else "tweet_image"


def segment_size(total: int, preferred: int) -> int:
    """The configured chunk size, grown (in whole MiB) when the file would need more segments
    than X accepts; a file that needs segments over 5 MiB cannot be uploaded at all."""
    needed = -(-total // MAX_SEGMENTS)
    if needed <= preferred:
        return preferred
    size = -(-needed // MB) * MB
    if size > MAX_CHUNK_BYTES:
        raise PermanentError(
            f"x: a {total // MB} MiB file needs {MAX_SEGMENTS} segments of over 5 MiB; "
            "X takes at most 1000 segments of 5 MiB"
        )
    return size
