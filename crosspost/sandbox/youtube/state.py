"""The sandbox's one YouTube channel: its videos, its playlists (uploads first), its quota."""

from __future__ import annotations

from typing import Any

from crosspost.sandbox.api import SandboxContext
from crosspost.sandbox.tokens import seeded_b64url
from crosspost.sandbox.youtube.errors import ApiError
from crosspost.sandbox.youtube.limits import Quota
from crosspost.sandbox.youtube.resources import Playlist, PlaylistItem, Video, item_resource
from crosspost.sandbox.youtube.settings import DEFAULTS


class Channel:
    """Shared by the upload, OAuth and resource parts; read and changed under the lock."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.settings: dict[str, Any] = dict(DEFAULTS)
        self.extra_playlists: dict[str, str] = {}
        self.id = "UC" + self.token_text("channel", 0, 22)
        self.reset()

    def reset(self) -> None:
        self.videos: dict[str, Video] = {}
        self.uploads = 0  # against channel_upload_limit
        self.quota = Quota(self.settings["uploads_per_day"], self.settings["units_per_day"])
        uploads_id = "UU" + self.id[2:]
        self.playlists: dict[str, Playlist] = {
            uploads_id: Playlist(uploads_id, "Uploads", newest_first=True)
        }
        for pid, title in self.extra_playlists.items():
            self.playlists[pid] = Playlist(pid, title)

    @property
    def title(self) -> str:
        title: str = self.settings["channel_title"]
        return title

    @property
    def uploads_playlist(self) -> Playlist:
        return self.playlists["UU" + self.id[2:]]

    def owned_video(self, video_id: object) -> Video:
        with self.ctx.lock:
            video = self.videos.get(str(video_id or ""))
        if video is None:
            raise ApiError(404, "videoNotFound", "The video cannot be found.", "youtube.video")
        return video

    def insert_item(self, playlist: Playlist, video: Video, now: float) -> PlaylistItem:
        item_id = "UEx" + self.token_text("item", self.ctx.next_id(), 29)
        item = PlaylistItem(item_id, video.id, now)
        playlist.items.append(item)
        if playlist.id not in video.playlist_ids:
            video.playlist_ids.append(playlist.id)
        return item

    def resource(self, video: Video, parts: set[str]) -> dict[str, Any]:
        return video.resource(parts, self.id, self.title)

    def item_resource(
        self, playlist: Playlist, item: PlaylistItem, parts: set[str]
    ) -> dict[str, Any]:
        video = self.videos[item.video_id]
        return item_resource(playlist, item, video, self.id, parts)

    def video_id(self) -> str:
        return self.token_text("video", self.ctx.next_id(), 11)

    def token_text(self, kind: str, n: int, length: int) -> str:
        """A deterministic id of YouTube's alphabet (base64url), from the seed and a counter."""
        return seeded_b64url(f"{self.ctx.seed}:{kind}:{n}", length)
