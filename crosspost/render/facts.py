"""Platform facts the renderer falls back on when an adapter's `Limits` leaves a field unset.

`Limits` (declared by each adapter) and account settings always win; these are the documented
figures (see the shared PLATFORMS.md) so rendering stays correct for an adapter that declares
less.
"""

from __future__ import annotations

from collections.abc import Mapping

from crosspost.adapters.base import Platform

X_MAX_WEIGHTED = 280
X_URL_WEIGHT = 23
X_GIF_MAX_BYTES = 15 * 1024 * 1024

YOUTUBE_TITLE_MAX = 100
YOUTUBE_DESCRIPTION_MAX_BYTES = 5000
YOUTUBE_TAGS_MAX = 500
# YouTube shows the first three hashtags of a description above the video's title.
YOUTUBE_HASHTAGS_SHOWN = 3
# thumbnails.set takes JPEG or PNG up to 2 MB.
YOUTUBE_THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024

FACEBOOK_MESSAGE_MAX = 63_206

# Media types each platform takes, by kind of file ("image" covers covers and thumbnails).
# A value ending in "/" accepts the whole family.
ACCEPTED_TYPES: Mapping[Platform, Mapping[str, frozenset[str]]] = {
    Platform.X: {
        "image": frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
        "video": frozenset({"video/mp4", "video/quicktime"}),
    },
    Platform.YOUTUBE: {
        "image": frozenset({"image/jpeg", "image/png"}),
        "video": frozenset({"video/"}),
    },
    Platform.FACEBOOK: {
        "image": frozenset(
            {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"}
        ),
        "video": frozenset({"video/"}),
    },
}


def accepts(platform: Platform, family: str, mime_type: str) -> bool:
    """Whether `platform` takes a file of `mime_type` as an image or a video."""
    accepted = ACCEPTED_TYPES[platform].get(family, frozenset())
    return mime_type in accepted or any(
        a.endswith("/") and mime_type.startswith(a) for a in accepted
    )
