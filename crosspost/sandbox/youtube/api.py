"""YouTube Data API v3 for the sandbox: OAuth, resumable uploads, thumbnails, playlists.

Only the calls crosspost's adapter makes, checked the way YouTube checks them and answered in
Google's error shape, so the adapter's error mapping is exercised through the real client
library.

OAuth is Google's installed-app flow: the consent page (consent.py) redirects to a loopback
``redirect_uri`` with a single-use code; ``POST /token`` (oauth.py) exchanges it (PKCE checked)
for an access token and, with ``access_type=offline``, a refresh token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crosspost.sandbox.api import PlatformAPI, Route, SandboxContext
from crosspost.sandbox.errors import Refusal
from crosspost.sandbox.faults import Fault
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.settings import shown_settings
from crosspost.sandbox.youtube.api_channel import ChannelCalls
from crosspost.sandbox.youtube.consent import ConsentPage
from crosspost.sandbox.youtube.errors import ApiError, auth_error
from crosspost.sandbox.youtube.grants import Grants
from crosspost.sandbox.youtube.oauth import TokenEndpoint
from crosspost.sandbox.youtube.resources import Playlist, Video
from crosspost.sandbox.youtube.search import Search
from crosspost.sandbox.youtube.settings import DEFAULTS, check_options
from crosspost.sandbox.youtube.state import Channel
from crosspost.sandbox.youtube.uploads import VIDEO_PATH, ResumableUploads

_PERMANENT_REASON = {
    "videos.insert": ("invalidVideoMetadata", "youtube.video"),
    "videos.upload": ("invalidVideoMetadata", "youtube.video"),
    "thumbnails.set": ("invalidImage", "youtube.thumbnail"),
    "playlistItems.insert": ("invalidValue", "youtube.playlistItem"),
}


class YouTubeApi(PlatformAPI):
    """The sandbox's YouTube: one channel, its uploads playlist and any configured playlists."""

    name = "youtube"

    def __init__(self, ctx: SandboxContext) -> None:
        super().__init__(ctx)
        self.channel = Channel(ctx)
        self.grants = Grants()
        self.consent = ConsentPage(ctx, self.channel, self.grants)
        self.tokens = TokenEndpoint(ctx, self.channel, self.grants)
        self.uploads = ResumableUploads(ctx, self.channel)
        self.calls = ChannelCalls(ctx, self.channel)
        self.search = Search(ctx, self.channel)

    def routes(self) -> list[Route]:
        api, calls = self._api, self.calls
        return [
            self.consent.route(),
            self.tokens.route(),
            Route.make("POST", VIDEO_PATH, api(self.uploads.start), "videos.insert"),
            Route.make("PUT", VIDEO_PATH, api(self.uploads.chunk), "videos.upload"),
            Route.make(
                "POST", "/upload/youtube/v3/thumbnails/set", api(calls.thumbnail), "thumbnails.set"
            ),
            Route.make(
                "POST", "/youtube/v3/playlistItems", api(calls.add_item), "playlistItems.insert"
            ),
            Route.make(
                "GET", "/youtube/v3/playlistItems", api(calls.list_items), "playlistItems.list"
            ),
            Route.make("GET", "/youtube/v3/videos", api(calls.list_videos), "videos.list"),
            Route.make("GET", "/youtube/v3/channels", api(calls.channels), "channels.list"),
            Route.make("GET", "/youtube/v3/search", api(self.search.list), "search.list"),
        ]

    def _api(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """Wrap an API handler: check the bearer token, answer a refusal in Google's shape."""

        def run(request: Request) -> Response:
            try:
                self.tokens.authorize(request)
                return handler(request)
            except Refusal as refusal:
                return refusal.response

        return run

    def fault_response(self, fault: Fault, request: Request, route: Route) -> Response:
        if route.action == "videos.upload":
            self.uploads.count_discarded(request)
        if route.action == "token":
            return self.tokens.fault_response(fault)
        if fault.kind == "5xx":
            return ApiError(503, "backendError", "Backend Error").response
        if fault.kind == "429":
            return ApiError(
                429,
                "rateLimitExceeded",
                "The request cannot be completed because you have exceeded your rate limit.",
                "usageLimits",
                Retry_After=str(fault.retry_after),
            ).response
        if fault.kind == "expired":
            token = request.bearer_token()
            with self.ctx.lock:
                self.grants.access_tokens.revoke(token or "")
            return auth_error().response
        reason, domain = _PERMANENT_REASON.get(route.action, ("badRequest", "global"))
        return ApiError(400, reason, "The request metadata is invalid.", domain).response

    def snapshot(self) -> dict[str, Any]:
        with self.ctx.lock:
            channel = self.channel
            return {
                "channel": {"id": channel.id, "title": channel.title},
                "videos": [_video_state(v) for v in channel.videos.values()],
                "playlists": {
                    p.id: {"title": p.title, "video_ids": [i.video_id for i in p.items]}
                    for p in channel.playlists.values()
                },
                "quota": channel.quota.describe(),
                "uploads_in_progress": self.uploads.in_progress,
                "access_tokens_issued": self.grants.tokens_issued,
                "oauth": self.grants.describe(),
            }

    def reset(self) -> None:
        with self.ctx.lock:
            self.channel.reset()
            self.uploads.sessions.clear()
            self.grants.reset()

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        """Knobs: quota sizes, token lifetime, client check, consent, playlists, revocations."""
        check_options(options)
        channel = self.channel
        with self.ctx.lock:
            for key in DEFAULTS:
                if key in options:
                    channel.settings[key] = options[key]
            channel.quota.uploads_per_day = int(channel.settings["uploads_per_day"])
            channel.quota.units_per_day = int(channel.settings["units_per_day"])
            for pid, title in dict(options.get("playlists", {})).items():
                channel.extra_playlists[str(pid)] = str(title)
                channel.playlists.setdefault(str(pid), Playlist(str(pid), str(title)))
            for token in options.get("revoke_refresh_tokens", []):
                self.grants.revoke_refresh_token(str(token))
            shown = shown_settings(channel.settings, "client_secret")
            return {**shown, "playlists": dict(channel.extra_playlists)}


def _video_state(v: Video) -> dict[str, Any]:
    return {
        "id": v.id,
        "title": v.title,
        "description": v.description,
        "tags": list(v.tags),
        "category_id": v.category_id,
        "privacy": v.privacy,
        "publish_at": v.publish_at,
        "made_for_kids": v.made_for_kids,
        "content_type": v.content_type,
        "bytes_received": v.bytes_received,
        "sha256": v.sha256,
        "upload": {
            "bytes_transferred": v.session.transferred,
            "chunks": v.session.chunks,
            "status_queries": v.session.queries,
        },
        "thumbnail_bytes": v.thumbnail_bytes,
        "thumbnail_sha256": v.thumbnail_sha256,
        "playlist_ids": list(v.playlist_ids),
    }
