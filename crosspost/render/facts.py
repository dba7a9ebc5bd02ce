"""Media facts the adapters' `Limits` has no field for, and the one it leaves to fall back on.

Each adapter declares its limits as data (`Limits`), and account settings may change them; the
text limits are read from there (an unset YouTube one falls back on the documented figure in
`crosspost.render.youtube`). What is here are the documented figures (see the shared
PLATFORMS.md) for media: the types each platform takes, X's GIF size, and YouTube's thumbnail
size for an adapter that declares no `image_max_bytes`.
"""

from __future__ import annotations

from collections.abc import Mapping

from crosspost.adapters.base import Platform

X_GIF_MAX_BYTES = 15 * 1024 * 1024
# thumbnails.set takes JPEG or PNG up to 2 MB.
YOUTUBE_THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024

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
