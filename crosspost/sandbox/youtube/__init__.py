"""The YouTube Data API v3 sandbox: api (the routes), uploads (resumable), api_channel
(thumbnails, playlists, reads), consent and oauth (Google's installed-app flow) on grants,
limits (the quota), metadata (video checks), resources, state (the channel), settings."""

from crosspost.sandbox.youtube.api import YouTubeApi
from crosspost.sandbox.youtube.metadata import tags_length
from crosspost.sandbox.youtube.settings import DEFAULTS

API = YouTubeApi

__all__ = ["API", "DEFAULTS", "YouTubeApi", "tags_length"]
