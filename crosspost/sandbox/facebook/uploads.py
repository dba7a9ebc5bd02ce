"""Graph's Resumable Upload API, and publishing the uploaded video on the Page.

``POST /{app-id}/uploads`` starts a session, ``POST /upload:…`` chunks carry a ``file_offset``
header, and ``POST /{page-id}/videos`` with ``fbuploader_video_file_chunk`` (the parameter
Meta's "Publish with the Video API" guide names) publishes the handle the last chunk returned.
Upload bodies are streamed: counted and hashed, never held.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from crosspost.sandbox import uploads
from crosspost.sandbox.api import SandboxContext
from crosspost.sandbox.facebook.access import PUBLISH_VIDEO, UPLOAD
from crosspost.sandbox.facebook.errors import GraphError, missing_object
from crosspost.sandbox.facebook.oauth import GraphTokens
from crosspost.sandbox.facebook.params import graph_params, graph_time, truthy
from crosspost.sandbox.facebook.state import Page
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.tokens import seeded_b64url

# The file types the Resumable Upload API documents (Meta, "Upload a file").
UPLOAD_FILE_TYPES = ("application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4")


@dataclass(kw_only=True)
class UploadSession(uploads.UploadSession):
    """A Resumable Upload API session; `received` is its ``file_offset``."""

    file_name: str
    file_length: int
    file_type: str
    busy: bool = False
    handle: str | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file_name": self.file_name,
            "file_length": self.file_length,
            "file_type": self.file_type,
            "file_offset": self.received,
            "bytes_received": self.received,
            "chunks": self.chunks,
            "complete": self.handle is not None,
            "handle": self.handle,
            "sha256": self.body.sha256,
        }


class ResumableUploads:
    """The upload sessions and the handles of finished ones, which videos are published by."""

    def __init__(self, ctx: SandboxContext, page: Page, tokens: GraphTokens) -> None:
        self.ctx = ctx
        self.page = page
        self.tokens = tokens
        self.reset()

    def reset(self) -> None:
        self.sessions: dict[str, UploadSession] = {}
        self.handles: dict[str, str] = {}  # handle -> upload session id

    def start(self, request: Request) -> Response:
        params, _ = graph_params(request)
        self.tokens.check(request, params, UPLOAD, request.params["app"])
        if request.params["app"] != str(self.page.config["app_id"]):
            raise missing_object(request.params["app"], "post")
        for name in ("file_name", "file_length", "file_type"):
            if not params.get(name):
                raise GraphError(f"(#100) The parameter {name} is required", 100)
        try:
            length = int(params["file_length"])
        except ValueError:
            length = -1
        if length <= 0:
            raise GraphError("(#100) file_length must be a positive integer", 100)
        if params["file_type"] not in UPLOAD_FILE_TYPES:
            raise GraphError(f"(#100) file_type must be one of {', '.join(UPLOAD_FILE_TYPES)}", 100)
        sid = "upload:" + seeded_b64url(f"session-{self.ctx.next_id()}", 24)
        with self.ctx.lock:
            self.sessions[sid] = UploadSession(
                id=sid,
                file_name=params["file_name"],
                file_length=length,
                file_type=params["file_type"],
            )
        return Response.json({"id": sid})

    def _session(self, request: Request) -> UploadSession:
        sid = "upload:" + request.params["sid"]
        session = self.sessions.get(sid)
        if session is None:
            raise missing_object(sid, request.method)
        return session

    def status(self, request: Request) -> Response:
        self.tokens.check(request, need=UPLOAD, node="upload:" + request.params["sid"])
        with self.ctx.lock:
            session = self._session(request)
            return Response.json({"id": session.id, "file_offset": session.received})

    def chunk(self, request: Request) -> Response:
        self.tokens.check(request, need=UPLOAD, node="upload:" + request.params["sid"])
        raw_offset = request.header("file_offset")
        with self.ctx.lock:
            session = self._session(request)
            if raw_offset is None or not raw_offset.strip().isdigit():
                raise GraphError("(#100) The header file_offset is required", 100)
            offset = int(raw_offset)
            if session.handle is not None:
                # Asking again at the end with no bytes gives the handle back, so a client
                # whose last answer was lost need not upload again.
                if offset == session.file_length and request.content_length == 0:
                    return Response.json({"h": session.handle})
                raise GraphError("(#100) This upload session is already complete", 100)
            if session.busy:
                raise GraphError(
                    "An upload to this session is in progress. Please retry your request later.",
                    2,
                    status=500,
                    transient=True,
                )
            if offset != session.received:
                raise GraphError(
                    f"(#100) file_offset {offset} does not match the session's file_offset "
                    f"{session.received}; query the session to resume",
                    100,
                )
            if offset + request.content_length > session.file_length:
                raise GraphError(
                    f"(#100) file_offset + body ({offset + request.content_length} bytes) is "
                    f"more than file_length ({session.file_length})",
                    100,
                )
            session.busy = True
        try:
            # Outside the lock: a large chunk must not stall every other request.
            session.body.absorb(request.stream(1 << 16))
        finally:
            with self.ctx.lock:
                session.busy = False
                session.chunks += 1
        with self.ctx.lock:
            if session.received < session.file_length:
                return Response.json({"id": session.id, "file_offset": session.received})
            handle = "4:" + base64.b64encode(f"sandbox:{session.id}".encode()).decode("ascii")
            session.handle = handle
            self.handles[handle] = session.id
        return Response.json({"h": handle})

    def create_video(self, request: Request) -> Response:
        params, _ = self.tokens.page_edge(request, "post", PUBLISH_VIDEO)
        handle = params.get("fbuploader_video_file_chunk")
        file_url = params.get("file_url")
        if not handle and not file_url:
            raise GraphError(
                "(#100) A video file is required: pass fbuploader_video_file_chunk (an upload "
                "handle) or file_url",
                100,
            )
        with self.ctx.lock:
            session: UploadSession | None = None
            if handle:
                sid = self.handles.get(handle)
                session = self.sessions.get(sid) if sid else None
                if session is None:
                    raise GraphError(
                        "(#100) fbuploader_video_file_chunk is not a handle of a completed upload",
                        100,
                    )
            title = params.get("title") or None
            description = params.get("description") or None
            published = truthy(params.get("published"), True)
            post = self.page.new_post("video", description, None, published=published)
            now = self.ctx.now()
            video: dict[str, Any] = {
                "id": str(self.ctx.next_id() + 800_000_000_000_000),
                "post_id": post["id"],
                "title": title,
                "description": description,
                "published": published,
                "file_url": file_url,
                "upload_session": session.id if session else None,
                "bytes_received": session.received if session else 0,
                "sha256": session.body.sha256 if session else None,
                "created_time": graph_time(now),
                "updated_time": graph_time(now),
                "created_ts": now,
            }
            video["permalink_url"] = f"/{self.page.id}/videos/{video['id']}/"
            post["attached_media"] = [video["id"]]
            self.page.videos.append(video)
        return Response.json({"id": video["id"]})
