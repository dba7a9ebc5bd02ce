"""Graph's Reels Publishing API for a Page: start a session, upload the file, publish it.

Meta, "Reels Publishing API" (developers.facebook.com/docs/video-api/guides/reels-publishing),
and Meta's own sample (github.com/fbsamples/reels_publishing_apis, fb_reels_publishing_api_sample
and upload_reel.sh):

- ``POST /{page-id}/video_reels`` with ``upload_phase=start`` and a Page access token (the user
  granted pages_show_list, pages_read_engagement, pages_manage_posts) answers ``video_id`` and
  ``upload_url``.
- ``POST https://rupload.facebook.com/video-upload/{version}/{video-id}`` with the headers
  ``Authorization: OAuth {page token}``, ``offset`` and ``file_size`` and the file as the body
  answers ``{"success": true}``. A missing or bad ``offset`` is refused with rupload's own body
  (``debug_info`` of type ParameterValidationError, as quoted in trypost/trypost#32). The
  sandbox serves this host under its own base URL (``/video-upload/...``).
- ``POST /{page-id}/video_reels`` with ``upload_phase=finish``, ``video_id``, ``video_state``
  (PUBLISHED, DRAFT, or SCHEDULED with ``scheduled_publish_time``) and ``description`` answers
  ``{"success": true}``.
- "Reels API is limited to 30 API-published posts within a 24-hour moving period", enforced on
  the publishing call: the 31st PUBLISHED finish in 24 sandbox hours is refused (knob
  `reels_per_24h`). Meta documents no code or message for it: the sandbox answers Graph's
  throttling code 4 (UNVERIFIED).

Upload bodies are counted and hashed, never held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crosspost.sandbox import uploads
from crosspost.sandbox.api import SandboxContext
from crosspost.sandbox.facebook.access import PUBLISH_VIDEO
from crosspost.sandbox.facebook.errors import GraphError, missing_object
from crosspost.sandbox.facebook.oauth import GraphTokens
from crosspost.sandbox.facebook.params import graph_time
from crosspost.sandbox.facebook.state import Page
from crosspost.sandbox.http import Request, Response

DAY_SECONDS = 24 * 60 * 60
VIDEO_STATES = ("PUBLISHED", "DRAFT", "SCHEDULED")
REELS_CAP_MESSAGE = (
    "(#4) The Page has published the most reels allowed through the API in 24 hours; "
    "try again later"
)


@dataclass(kw_only=True)
class ReelUpload(uploads.UploadSession):
    """A reel's upload session: its video id is the session id."""

    file_size: int | None = None
    finished: bool = False

    def describe(self) -> dict[str, Any]:
        return {
            "video_id": self.id,
            "file_size": self.file_size,
            "bytes_received": self.received,
            "sha256": self.body.sha256,
            "finished": self.finished,
        }


def rupload_error(message: str, status: int = 400) -> Response:
    """rupload.facebook.com's refusal body (not Graph's `error` shape)."""
    body = {
        "debug_info": {"retriable": False, "type": "ParameterValidationError", "message": message}
    }
    return Response.json(body, status)


class PageReels:
    """The reel sessions and the Page's reels."""

    def __init__(self, ctx: SandboxContext, page: Page, tokens: GraphTokens) -> None:
        self.ctx = ctx
        self.page = page
        self.tokens = tokens
        self.reset()

    def reset(self) -> None:
        self.sessions: dict[str, ReelUpload] = {}

    def phase(self, request: Request) -> Response:
        params, _ = self.tokens.page_edge(request, "post", PUBLISH_VIDEO)
        phase = params.get("upload_phase")
        if phase == "start":
            return self._start(request)
        if phase == "finish":
            return self._finish(params)
        raise GraphError("(#100) upload_phase must be one of start, finish", 100)

    def _start(self, request: Request) -> Response:
        video_id = str(self.ctx.next_id() + 700_000_000_000_000)
        version = request.path.split("/")[1]
        with self.ctx.lock:
            self.sessions[video_id] = ReelUpload(id=video_id)
        upload_url = f"{self.ctx.base_url}/video-upload/{version}/{video_id}"
        return Response.json({"video_id": video_id, "upload_url": upload_url})

    def upload(self, request: Request) -> Response:
        """The file's bytes at `offset`, of `file_size` in all, with a Page token."""
        try:
            self.tokens.check(request, need=PUBLISH_VIDEO, node=request.params["vid"])
        except GraphError as err:
            return rupload_error(err.message, 401)
        offset, size = request.header("offset"), request.header("file_size")
        with self.ctx.lock:
            session = self.sessions.get(request.params["vid"])
            if session is None or session.finished:
                return rupload_error(f"No upload session for video {request.params['vid']}", 404)
            if offset is None or not re.fullmatch(r"\d+", offset.strip()):
                return rupload_error(
                    "HeaderValuePredicate: Header Offset not convertable to unsigned long"
                )
            if size is None or not re.fullmatch(r"\d+", size.strip()):
                return rupload_error(
                    "HeaderValuePredicate: Header file_size not convertable to unsigned long"
                )
            if int(offset) != session.received:
                return rupload_error(
                    f"Offset {int(offset)} does not match the {session.received} bytes received"
                )
            session.file_size = int(size)
            if session.received + request.content_length > session.file_size:
                return rupload_error("The body runs past file_size")
        session.body.absorb(request.stream(1 << 16))
        return Response.json({"success": True})

    def _finish(self, params: dict[str, str]) -> Response:
        video_id = params.get("video_id") or ""
        state = params.get("video_state") or ""
        if state not in VIDEO_STATES:
            raise GraphError(f"(#100) video_state must be one of {', '.join(VIDEO_STATES)}", 100)
        if state == "SCHEDULED" and not params.get("scheduled_publish_time"):
            raise GraphError("(#100) A SCHEDULED reel needs scheduled_publish_time", 100)
        now = self.ctx.now()
        with self.ctx.lock:
            session = self.sessions.get(video_id)
            if session is None or session.finished:
                raise missing_object(video_id, "post")
            if session.file_size is None or session.received < session.file_size:
                raise GraphError("(#100) The reel's upload is not complete", 100)
            if state == "PUBLISHED" and self._published_within_a_day(now) >= self._cap():
                raise GraphError(REELS_CAP_MESSAGE, 4, transient=True)
            session.finished = True
            self.page.reels.append(
                {
                    "id": video_id,
                    "description": params.get("description") or None,
                    "title": params.get("title") or None,
                    "video_state": state,
                    "published": state == "PUBLISHED",
                    "bytes_received": session.received,
                    "sha256": session.body.sha256,
                    "created_time": graph_time(now),
                    "updated_time": graph_time(now),
                    "created_ts": now,
                    "permalink_url": f"/reel/{video_id}/",
                }
            )
        return Response.json({"success": True})

    def _published_within_a_day(self, now: float) -> int:
        return sum(
            1 for r in self.page.reels if r["published"] and r["created_ts"] > now - DAY_SECONDS
        )

    def _cap(self) -> int:
        return int(self.page.config["reels_per_24h"])
