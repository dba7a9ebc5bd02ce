"""Facebook's Resumable Upload API for a Page video: start a session, send chunks, and after a
failed chunk ask the server's offset and go on from there.

The session is kept when the upload gives up, so the next publish of the same file resumes it
rather than sending the whole file again.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any, BinaryIO

from crosspost.adapters.base import (
    MediaFile,
    PermanentError,
    ProgressCallback,
    RateLimitedError,
    RetryableError,
)
from crosspost.adapters.common import open_media
from crosspost.adapters.facebook.access import UPLOAD

log = logging.getLogger(__name__)

Call = Callable[..., dict[str, Any]]
"""The adapter's one Graph call (`FacebookAdapter._call`): its auth, errors and usage notes."""


class VideoUploads:
    """One account's video uploads, with the sessions of those that gave up."""

    def __init__(
        self,
        call: Call,
        id_of: Callable[[dict[str, Any], str], str],
        *,
        app_id: str,
        chunk_bytes: int,
        retries: int,
    ) -> None:
        self.call = call
        self.id_of = id_of
        self.app_id = app_id
        self.chunk_bytes = chunk_bytes
        self.upload_retries = retries
        # Sessions of videos whose upload failed, so a retry resumes instead of restarting.
        self._sessions: dict[tuple[str, str, int], str] = {}

    def upload(self, video: MediaFile, progress: ProgressCallback | None) -> str:
        """Upload in chunks; after a failed chunk ask the server's offset and go on from there.

        The session is kept when the upload gives up, so the next publish of the same file
        resumes it rather than sending the whole file again.
        """
        with open_media(video, "facebook") as fh:
            total = os.fstat(fh.fileno()).st_size
            return self._upload_open(video, fh, total, progress)

    def _upload_open(
        self, video: MediaFile, fh: BinaryIO, total: int, progress: ProgressCallback | None
    ) -> str:
        key = (str(video.path), video.sha256, total)
        session = self._sessions.get(key)
        offset = 0
        if session is not None:
            try:
                offset = self._upload_offset(session)
            except PermanentError:  # expired or unknown session: start over
                session = None
        if session is None:
            session = self._start_upload(video, total)
            self._sessions[key] = session
        if progress is not None:
            progress(offset, total)
        failures = 0
        handle: str | None = None
        while offset < total:
            fh.seek(offset)
            chunk = fh.read(self.chunk_bytes)
            try:
                body = self._send_chunk(session, offset, chunk)
            except RateLimitedError:
                raise
            except RetryableError:
                failures += 1
                if failures > self.upload_retries:
                    raise
                offset = self._upload_offset(session)
                log.info("facebook: resuming upload at byte %d of %d", offset, total)
                continue
            offset = int(body.get("file_offset", offset + len(chunk)))
            handle = body.get("h") or handle
            if progress is not None:
                progress(min(offset, total), total)
        if not handle:
            # Every byte is there but the answer carrying the handle was lost: an empty request
            # at the end offset asks for it again (the sandbox answers so; Graph UNVERIFIED).
            handle = self._send_chunk(session, total, b"").get("h")
        if not handle:
            raise RetryableError("facebook: the upload finished without a file handle")
        self._sessions.pop(key, None)
        return str(handle)

    def _send_chunk(self, session: str, offset: int, chunk: bytes) -> dict[str, Any]:
        """One chunk, handed to httpx as a one-shot iterator with its length.

        httpx keeps each request in a reference cycle until the garbage collector runs; given
        bytes, every chunk sent would stay alive with it, and memory would grow with the file
        (bench/ measured it). An exhausted iterator holds nothing.
        """
        headers = {
            "file_offset": str(offset),
            "Content-Type": "application/octet-stream",
            "Content-Length": str(len(chunk)),
        }
        return self.call(
            "POST",
            session,
            content=iter((chunk,)),
            headers=headers,
            auth_scheme="OAuth",
            need=UPLOAD,
        )

    def _start_upload(self, video: MediaFile, total: int) -> str:
        params = {
            "file_name": video.path.name,
            "file_length": str(total),
            "file_type": video.mime_type or "video/mp4",
        }
        body = self.call(
            "POST", f"{self.app_id}/uploads", params=params, auth_scheme="OAuth", need=UPLOAD
        )
        return self.id_of(body, "POST /uploads")

    def _upload_offset(self, session: str) -> int:
        body = self.call("GET", session, auth_scheme="OAuth", need=UPLOAD)
        try:
            return int(body["file_offset"])
        except (KeyError, TypeError, ValueError):
            raise RetryableError("facebook: the upload session gave no file_offset") from None
