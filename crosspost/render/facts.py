"""The one media figure an adapter's `Limits` may leave out and rendering still needs.

Each adapter declares its limits as data (`Limits`: sizes, durations, the media types it takes),
and account settings may change them. YouTube's thumbnail size is kept here for an adapter that
declares no `image_max_bytes` (see the shared PLATFORMS.md).
"""

from __future__ import annotations

# thumbnails.set takes JPEG or PNG up to 2 MB.
YOUTUBE_THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024
