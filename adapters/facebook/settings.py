"""The Facebook account's settings (`[accounts.NAME]` in crosspost.toml), their defaults, and
what `crosspost auth facebook` asks for: the adapter's declared data."""

from __future__ import annotations

from crosspost.adapters.auth import AuthCommand, AuthOption
from crosspost.adapters.base import SettingSpec
from crosspost.adapters.facebook.access import REQUIRED_PERMISSIONS

DEFAULT_BASE_URL = "https://graph.facebook.com"
# Meta's video guide posts /{page-id}/videos to this host; other calls use graph.facebook.com.
DEFAULT_VIDEO_BASE_URL = "https://graph-video.facebook.com"
# rupload's root for a reel's file (Meta's Reels Publishing API and its samples).
DEFAULT_REELS_UPLOAD_URL = "https://rupload.facebook.com/video-upload"
# Reels are 3 to 90 seconds (Reels Publishing API, "Video Specifications").
REEL_MAX_SECONDS = 90
# "30 API-published posts within a 24-hour moving period" (Reels Publishing API, "Rate Limit").
REELS_PER_24_HOURS = 30
DEFAULT_GRAPH_VERSION = "v26.0"
DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024
DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_UPLOAD_RETRIES = 3
DEFAULT_RATE_LIMIT_FALLBACK_SECONDS = 300
DEFAULT_IMAGE_MAX_BYTES = 4 * 1024 * 1024
DEFAULT_VIDEO_MAX_BYTES = 10 * 1024**3
FEED_PAGES_MAX = 10
VIDEO_TITLE_MAX = 255  # the figure integrations use; Graph documents no limit (UNVERIFIED)

ARTICLE_IMAGE_MODES = ("attach", "link_preview")


SETTINGS: dict[str, SettingSpec] = {
    "page_id": SettingSpec(str, "the numeric id of the Facebook Page", required=True, default=""),
    "app_id": SettingSpec(
        (str, int), "the Meta app id; the Resumable Upload API needs it for videos", default=""
    ),
    "graph_version": SettingSpec(
        str,
        f"Graph API version (default {DEFAULT_GRAPH_VERSION})",
        default=DEFAULT_GRAPH_VERSION,
    ),
    "graph_version_expires": SettingSpec(
        str,
        "the date (YYYY-MM-DD) Meta retires graph_version, when crosspost's version table "
        "does not know it yet; accounts check and the worker warn 90 days before",
    ),
    "base_url": SettingSpec(
        str, f"Graph API root (default {DEFAULT_BASE_URL})", default=DEFAULT_BASE_URL
    ),
    "video_base_url": SettingSpec(
        str,
        f"root for POST /{{page-id}}/videos (default {DEFAULT_VIDEO_BASE_URL} when base_url "
        "is the default, else base_url)",
    ),
    "video_as_reel": SettingSpec(
        bool,
        "publish videos as Reels (Reels Publishing API: up to 90 seconds, 30 a day per Page) "
        "instead of Page videos",
        default=False,
    ),
    "reels_upload_url": SettingSpec(
        str,
        f"root for a reel's file (default {DEFAULT_REELS_UPLOAD_URL} when base_url is the "
        "default, else base_url + /video-upload)",
    ),
    "upload_chunk_bytes": SettingSpec(
        int,
        f"bytes per resumable upload request (default {DEFAULT_CHUNK_BYTES})",
        default=DEFAULT_CHUNK_BYTES,
    ),
    "upload_retries": SettingSpec(
        int,
        "times one publish resumes a failed upload from the server's offset "
        f"(default {DEFAULT_UPLOAD_RETRIES})",
        default=DEFAULT_UPLOAD_RETRIES,
    ),
    "pace_above_percent": SettingSpec(
        (int, float),
        "rest the account when Graph's usage headers pass this percent of a budget",
        default=90,
    ),
    "pace_rest_minutes": SettingSpec(
        (int, float),
        "how long that rest lasts when Graph does not say (estimated_time_to_regain_access)",
        default=5,
    ),
    "timeout_seconds": SettingSpec(
        (int, float),
        f"HTTP timeout per request (default {DEFAULT_TIMEOUT_SECONDS:g})",
        default=DEFAULT_TIMEOUT_SECONDS,
    ),
    "article_image": SettingSpec(
        str,
        "attach: upload the draft's image and attach it to the link post (default); "
        "link_preview: post the link alone and let Facebook build its preview card",
        choices=ARTICLE_IMAGE_MODES,
        default="attach",
    ),
    "image_max_bytes": SettingSpec(
        int, "largest image to upload (default 4 MB)", default=DEFAULT_IMAGE_MAX_BYTES
    ),
    "video_max_bytes": SettingSpec(
        int, "largest video to upload (default 10 GB)", default=DEFAULT_VIDEO_MAX_BYTES
    ),
    "rate_limit_fallback_seconds": SettingSpec(
        int,
        "wait after a rate limit that gives no estimated_time_to_regain_access "
        f"(default {DEFAULT_RATE_LIMIT_FALLBACK_SECONDS})",
        default=DEFAULT_RATE_LIMIT_FALLBACK_SECONDS,
    ),
}

AUTH_COMMAND = AuthCommand(
    help="Exchange a user token for a long-lived one and store the Page's token.",
    flow="crosspost.adapters.facebook.auth:run",
    options=(
        AuthOption(
            "app_secret",
            envvar="CROSSPOST_FACEBOOK_APP_SECRET",
            prompt="App secret",
            hide_input=True,
        ),
        AuthOption(
            "user_token",
            envvar="CROSSPOST_FACEBOOK_USER_TOKEN",
            prompt=f"User access token (granting {', '.join(REQUIRED_PERMISSIONS)})",
            hide_input=True,
        ),
        AuthOption("app_id", help="Defaults to the account's app_id setting"),
    ),
)
