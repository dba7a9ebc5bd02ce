"""YouTube's resources as the API renders them (videos, playlists, playlist items) and the
``part`` parameter that picks their sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crosspost.sandbox.http import Request
from crosspost.sandbox.times import utc_text
from crosspost.sandbox.youtube.errors import ApiError

if TYPE_CHECKING:
    from crosspost.sandbox.youtube.uploads import UploadSession


def rfc3339(ts: float) -> str:
    return utc_text(ts, "%Y-%m-%dT%H:%M:%SZ")


def requested_parts(request: Request) -> set[str]:
    raw = request.arg("part")
    if not raw:
        raise ApiError(400, "required", "Required parameter: part")
    return {p.strip() for p in raw.split(",") if p.strip()}


@dataclass
class Video:
    id: str
    title: str
    description: str
    tags: list[str]
    category_id: str
    privacy: str
    publish_at: str | None
    made_for_kids: bool
    created_at: float
    content_type: str
    bytes_received: int
    sha256: str
    session: UploadSession  # live counters: a resent final chunk still arrives afterwards
    thumbnail_bytes: int = 0
    thumbnail_sha256: str | None = None
    playlist_ids: list[str] = field(default_factory=list)

    def resource(self, parts: set[str], channel_id: str, channel_title: str) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "youtube#video", "etag": self.sha256[:16], "id": self.id}
        if "snippet" in parts:
            out["snippet"] = {
                "publishedAt": rfc3339(self.created_at),
                "channelId": channel_id,
                "channelTitle": channel_title,
                "title": self.title,
                "description": self.description,
                "tags": list(self.tags),
                "categoryId": self.category_id,
            }
        if "status" in parts:
            status: dict[str, Any] = {
                "uploadStatus": "uploaded",
                "privacyStatus": self.privacy,
                "selfDeclaredMadeForKids": self.made_for_kids,
            }
            if self.publish_at:
                status["publishAt"] = self.publish_at
            out["status"] = status
        return out


@dataclass
class PlaylistItem:
    id: str
    video_id: str
    added_at: float


@dataclass
class Playlist:
    id: str
    title: str
    items: list[PlaylistItem] = field(default_factory=list)
    newest_first: bool = False  # the uploads playlist lists the latest upload first


def item_resource(
    playlist: Playlist, item: PlaylistItem, video: Video, channel_id: str, parts: set[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "youtube#playlistItem", "id": item.id}
    if "snippet" in parts:
        out["snippet"] = {
            "publishedAt": rfc3339(item.added_at),
            "channelId": channel_id,
            "title": video.title,
            "description": video.description,
            "playlistId": playlist.id,
            "position": playlist.items.index(item),
            "resourceId": {"kind": "youtube#video", "videoId": video.id},
        }
    if "contentDetails" in parts:
        out["contentDetails"] = {
            "videoId": video.id,
            "videoPublishedAt": rfc3339(video.created_at),
        }
    if "status" in parts:
        out["status"] = {"privacyStatus": video.privacy}
    return out
