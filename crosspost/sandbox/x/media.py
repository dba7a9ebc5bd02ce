"""X API v2's chunked media upload in the sandbox: initialize, append, finalize, status.

The v2 endpoints (``/2/media/upload/initialize``, ``/{id}/append``, ``/{id}/finalize``, and
``GET /2/media/upload?command=STATUS``). Uploaded bytes are counted and hashed, never kept: an
append holds one segment in memory. Images are ready when finalized; GIFs and videos go
through processing, done after ``processing_polls`` status calls.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from crosspost.sandbox.api import SandboxContext
from crosspost.sandbox.errors import Refusal
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.x.problems import PROBLEM, invalid, json_object, not_found
from crosspost.sandbox.x.state import DIGITS, Media, User, XState

MAX_SEGMENT_BYTES = 5 * 1024 * 1024
MAX_SEGMENT_INDEX = 999
MEDIA_EXPIRES_SECS = 86_400
CATEGORY_LIMITS = {"image": 5 * 1024 * 1024, "gif": 15 * 1024 * 1024}
MEDIA_TYPES = {
    "video/mp4": "video",
    "video/webm": "video",
    "video/mp2t": "video",
    "video/quicktime": "video",
    "image/jpeg": "image",
    "image/gif": "gif",
    "image/bmp": "image",
    "image/png": "image",
    "image/webp": "image",
    "image/pjpeg": "image",
    "image/tiff": "image",
}
MEDIA_CATEGORIES = {
    "tweet_image": "image",
    "tweet_gif": "gif",
    "tweet_video": "video",
    "amplify_video": "video",
    "dm_image": "image",
    "dm_gif": "gif",
    "dm_video": "video",
}
MEDIA_KEY_PREFIX = {"image": "3", "gif": "16", "video": "7"}
INIT_KEYS = {"media_type", "total_bytes", "media_category", "additional_owners", "shared"}


class XMedia:
    """The media upload endpoints; a media id is its uploader's alone."""

    def __init__(self, ctx: SandboxContext, state: XState) -> None:
        self.ctx = ctx
        self.state = state

    def initialize(self, request: Request, user: User) -> Response:
        body = json_object(request)
        unknown = sorted(set(body) - INIT_KEYS)
        if unknown:
            raise invalid(f"The field [{unknown[0]}] is not allowed here", unknown[0])
        media_type = str(body.get("media_type"))
        kind = MEDIA_TYPES.get(media_type)
        if kind is None:
            raise invalid(f"media_type {media_type!r} is not supported", "media_type", media_type)
        total = body.get("total_bytes")
        if not isinstance(total, int) or isinstance(total, bool) or not 0 < total <= 2**34:
            raise invalid("total_bytes must be a whole number above 0", "total_bytes", total)
        default_category = {"image": "tweet_image", "gif": "tweet_gif", "video": "tweet_video"}
        category = body.get("media_category", default_category[kind])
        if MEDIA_CATEGORIES.get(category) != kind:
            raise invalid(
                f"media_category {category!r} does not fit media_type {media_type}",
                "media_category",
                category,
            )
        if total > CATEGORY_LIMITS.get(kind, 2**34):
            raise invalid(f"File size exceeds {CATEGORY_LIMITS[kind]} bytes.", "total_bytes", total)
        with self.ctx.lock:
            media_id = self.ctx.snowflake()
            media = Media(
                id=media_id,
                media_key=f"{MEDIA_KEY_PREFIX[kind]}_{media_id}",
                owner_id=user.id,
                media_type=media_type,
                media_category=category,
                kind=kind,
                total_bytes=total,
                created_at=self.ctx.now(),
            )
            self.state.media[media_id] = media
        data = {
            "id": media_id,
            "media_key": media.media_key,
            "expires_after_secs": MEDIA_EXPIRES_SECS,
        }
        return Response.json({"data": data})

    def _own_media(self, media_id: str, user: User) -> Media:
        media = self.state.media.get(media_id)
        if media is None or media.owner_id != user.id:
            body = {**not_found("media", "id", media_id), "status": 404}
            raise Refusal(Response.json(body, status=404, headers={"Content-Type": PROBLEM}))
        return media

    def append(self, request: Request, user: User) -> Response:
        media_id = request.params["id"]
        with self.ctx.lock:
            self._own_media(media_id, user)  # refuse before reading a stranger's upload
        chunk, index = _segment(request)
        with self.ctx.lock:
            media = self._own_media(media_id, user)
            if media.state != "initialized":
                raise invalid(f"Media {media_id} is already finalized.", "id", media_id)
            if index != media.chunks:
                raise invalid(
                    f"segment_index {index} is out of order: expected {media.chunks}.",
                    "segment_index",
                    index,
                )
            if media.received + len(chunk) > media.total_bytes:
                raise invalid(
                    f"Segments exceed total_bytes ({media.total_bytes}).", "media", len(chunk)
                )
            media.body.add(chunk)
            media.chunks += 1
            expires_at = int(media.created_at) + MEDIA_EXPIRES_SECS
        return Response.json({"data": {"expires_at": expires_at}})

    def finalize(self, request: Request, user: User) -> Response:
        media_id = request.params["id"]
        with self.ctx.lock:
            media = self._own_media(media_id, user)
            if media.state != "initialized":
                raise invalid(f"Media {media_id} is already finalized.", "id", media_id)
            if media.received != media.total_bytes:
                raise invalid("Segments do not add up to provided total file size.", "id", media_id)
            media.state = "succeeded" if media.kind == "image" else "pending"
            return Response.json({"data": self._media_data(media)})

    def status(self, request: Request, user: User) -> Response:
        command = request.arg("command", "STATUS")
        media_id = request.arg("media_id") or ""
        if command != "STATUS":
            raise invalid(f"command {command!r} is not STATUS", "command", command)
        if not DIGITS.fullmatch(media_id):
            raise invalid("media_id is required", "media_id", media_id)
        with self.ctx.lock:
            media = self._own_media(media_id, user)
            if media.state == "initialized":
                raise invalid(f"Media {media_id} is not finalized.", "media_id", media_id)
            if media.state in ("pending", "in_progress"):
                media.polls += 1
                done = media.polls >= self.state.settings["processing_polls"]
                media.state = self.state.settings["processing_outcome"] if done else "in_progress"
            return Response.json({"data": self._media_data(media)})

    def _media_data(self, media: Media) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": media.id,
            "media_key": media.media_key,
            "size": media.total_bytes,
            "expires_after_secs": max(
                int(media.created_at + MEDIA_EXPIRES_SECS - self.ctx.now()), 0
            ),
        }
        if media.kind != "image":
            info: dict[str, Any] = {"state": media.state}
            if media.state in ("pending", "in_progress"):
                info["check_after_secs"] = self.state.settings["check_after_secs"]
            info["progress_percent"] = {"pending": 0, "in_progress": 50}.get(media.state, 100)
            data["processing_info"] = info
        return data


def _segment(request: Request) -> tuple[bytes, int]:
    """One append: the `media` bytes and the `segment_index`, multipart (or JSON base64)."""
    if request.content_type == "multipart/form-data":
        try:
            fields = request.multipart()
        except ValueError as exc:
            raise invalid(f"The multipart body is not valid: {exc}") from None
        media = fields.get("media")
        raw_index: Any = fields["segment_index"].text if "segment_index" in fields else None
        chunk = media.data if media is not None else None
    elif request.content_type == "application/json":
        body = json_object(request)
        raw_index = body.get("segment_index")
        try:
            chunk = base64.b64decode(body["media"], validate=True) if "media" in body else None
        except (binascii.Error, TypeError):
            raise invalid("media must be base64", "media") from None
    else:
        raise invalid("An append must be multipart/form-data (or application/json).")
    if chunk is None:
        raise invalid("The media field is required.", "media")
    if len(chunk) > MAX_SEGMENT_BYTES:
        raise invalid(f"A segment must be at most {MAX_SEGMENT_BYTES} bytes.", "media")
    try:
        index = int(raw_index)
    except (TypeError, ValueError):
        raise invalid("segment_index is required", "segment_index", raw_index) from None
    if not 0 <= index <= MAX_SEGMENT_INDEX:
        raise invalid("segment_index must be 0 to 999", "segment_index", index)
    return chunk, index
