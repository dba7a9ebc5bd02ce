"""The channel's calls besides the upload: thumbnails.set, playlistItems.insert and .list,
videos.list and channels.list, each charged to the unit quota at its documented cost."""

from __future__ import annotations

import base64
import json
from typing import Any, TypeVar

from crosspost.sandbox.api import SandboxContext
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.uploads import received
from crosspost.sandbox.youtube.errors import ApiError
from crosspost.sandbox.youtube.limits import COST_READ, COST_WRITE
from crosspost.sandbox.youtube.listing import visible_items
from crosspost.sandbox.youtube.resources import requested_parts
from crosspost.sandbox.youtube.state import Channel

THUMBNAIL_TYPES = ("image/jpeg", "image/png", "application/octet-stream")
T = TypeVar("T")


class ChannelCalls:
    """Handlers for the channel's resources once a video exists; each charges the quota."""

    def __init__(self, ctx: SandboxContext, channel: Channel) -> None:
        self.ctx = ctx
        self.channel = channel

    def thumbnail(self, request: Request) -> Response:
        if request.arg("uploadType") not in ("media", None):
            raise ApiError(400, "badRequest", "The sandbox takes thumbnails as uploadType=media.")
        video = self.channel.owned_video(request.arg("videoId"))
        if request.content_type not in THUMBNAIL_TYPES:
            raise ApiError(
                400, "invalidImage", "The thumbnail must be JPEG or PNG.", "youtube.thumbnail"
            )
        with self.ctx.lock:
            self.channel.quota.charge(self.ctx.now(), units=COST_WRITE)
        image = received(request.stream())
        if image.size == 0:
            raise ApiError(
                400, "mediaBodyRequired", "The request has no image.", "youtube.thumbnail"
            )
        # thumbnails.set mediaUpload.maxSize, 52428800 in youtube.v3.json rev. 20261104 (the
        # 2026-09-14 revision history's 50 MB); `max_thumbnail_bytes` moves it (settings.py).
        if image.size > int(self.channel.settings["max_thumbnail_bytes"]):
            raise ApiError(
                400, "invalidImage", "The thumbnail is larger than allowed.", "youtube.thumbnail"
            )
        with self.ctx.lock:
            video.thumbnail_bytes, video.thumbnail_sha256 = image.size, image.sha256
        url = f"https://i.ytimg.com/vi/{video.id}/default.jpg"
        return Response.json(
            {
                "kind": "youtube#thumbnailSetResponse",
                "items": [{"default": {"url": url, "width": 120, "height": 90}}],
            }
        )

    def add_item(self, request: Request) -> Response:
        parts = requested_parts(request)
        body = request.json() if request.content_length else None
        snippet = body.get("snippet") if isinstance(body, dict) else None
        if not isinstance(snippet, dict):
            raise ApiError(400, "required", "snippet is required.", "youtube.playlistItem")
        resource = snippet.get("resourceId") or {}
        with self.ctx.lock:
            self.channel.quota.charge(self.ctx.now(), units=COST_WRITE)
            playlist = self.channel.playlists.get(str(snippet.get("playlistId")))
            if playlist is None:
                raise ApiError(
                    404, "playlistNotFound", "The playlist cannot be found.", "youtube.playlistItem"
                )
            if playlist.newest_first:
                raise ApiError(
                    403,
                    "playlistOperationUnsupported",
                    "The uploads playlist cannot be changed.",
                    "youtube.playlistItem",
                )
            video = self.channel.owned_video(resource.get("videoId"))
            item = self.channel.insert_item(playlist, video, self.ctx.now())
            return Response.json(self.channel.item_resource(playlist, item, parts))

    def list_items(self, request: Request) -> Response:
        parts = requested_parts(request)
        with self.ctx.lock:
            self.channel.quota.charge(self.ctx.now(), units=COST_READ)
            playlist = self.channel.playlists.get(request.arg("playlistId") or "")
            if playlist is None:
                raise ApiError(
                    404, "playlistNotFound", "The playlist cannot be found.", "youtube.playlistItem"
                )
            # The uploads playlist: shown late and not strictly newest first (listing.py).
            items = visible_items(playlist, self.channel.settings, self.ctx.now(), self.ctx.seed)
            # videoId: "Return the playlist items associated with the given video ID"
            # (youtube.v3.json, playlistItems.list), beside playlistId.
            video_id = request.arg("videoId")
            if video_id:
                items = [i for i in items if i.video_id == video_id]
            page, next_token = page_of(items, request)
            body: dict[str, Any] = {
                "kind": "youtube#playlistItemListResponse",
                "items": [self.channel.item_resource(playlist, i, parts) for i in page],
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(page)},
            }
        if next_token:
            body["nextPageToken"] = next_token
        return Response.json(body)

    def list_videos(self, request: Request) -> Response:
        """videos.list by id. Its snippet has `publishedAt` ("the date and time when the video
        was uploaded") and `tags` (youtube.v3.json, VideoSnippet); YouTube gives tags only
        through videos.list and only to a request authorised for the channel (claudiob/yt pull
        request #82): every token here is the channel owner's, so they are always given."""
        parts = requested_parts(request)
        ids = [i for i in (request.arg("id") or "").split(",") if i]
        if not ids:
            raise ApiError(400, "missingRequiredParameter", "No filter selected: give id.")
        with self.ctx.lock:
            self.channel.quota.charge(self.ctx.now(), units=COST_READ)
            items = [
                self.channel.resource(self.channel.videos[i], parts)
                for i in ids
                if i in self.channel.videos
            ]
        return Response.json(
            {
                "kind": "youtube#videoListResponse",
                "items": items,
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
            }
        )

    def channels(self, request: Request) -> Response:
        parts = requested_parts(request)
        if request.arg("mine") != "true" and request.arg("id") != self.channel.id:
            raise ApiError(400, "missingRequiredParameter", "No filter selected: give mine=true.")
        with self.ctx.lock:
            self.channel.quota.charge(self.ctx.now(), units=COST_READ)
            channel: dict[str, Any] = {"kind": "youtube#channel", "id": self.channel.id}
            if "snippet" in parts:
                channel["snippet"] = {"title": self.channel.title, "description": ""}
            if "contentDetails" in parts:
                uploads = self.channel.uploads_playlist.id
                channel["contentDetails"] = {"relatedPlaylists": {"likes": "", "uploads": uploads}}
        return Response.json(
            {
                "kind": "youtube#channelListResponse",
                "items": [channel],
                "pageInfo": {"totalResults": 1, "resultsPerPage": 1},
            }
        )


def page_of(items: list[T], request: Request) -> tuple[list[T], str | None]:
    """maxResults (0-50, default 5) and an opaque pageToken holding the offset."""
    try:
        size = int(request.arg("maxResults") or 5)
        token = request.arg("pageToken")
        start = int(json.loads(base64.urlsafe_b64decode(token))["o"]) if token else 0
    except (ValueError, KeyError, TypeError):
        raise ApiError(
            400, "invalidPageToken", "The page token or maxResults is invalid."
        ) from None
    if not 0 <= size <= 50:
        raise ApiError(400, "invalidParameter", "maxResults must be between 0 and 50.")
    end = start + size
    more = end < len(items)
    token_out = base64.urlsafe_b64encode(json.dumps({"o": end}).encode()).decode() if more else None
    return items[start:end], token_out
