"""Each adapter declares the media types it takes as data; rendering and the adapter read the
same declaration."""

from __future__ import annotations

import pytest

from crosspost.adapters.base import Limits
from crosspost.adapters.facebook import FacebookAdapter
from crosspost.adapters.x import XAdapter
from crosspost.adapters.youtube import YouTubeAdapter


@pytest.mark.parametrize(
    ("limits", "family", "mime", "taken"),
    [
        (XAdapter.limits, "video", "video/mp4", True),
        (XAdapter.limits, "video", "video/webm", False),
        (XAdapter.limits, "image", "image/webp", True),
        (XAdapter.limits, "image", "image/bmp", False),
        (YouTubeAdapter.limits, "video", "video/webm", True),  # "video/": the whole family
        (YouTubeAdapter.limits, "image", "image/gif", False),  # thumbnails: JPEG or PNG
        (FacebookAdapter.limits, "image", "image/tiff", True),
        (FacebookAdapter.limits, "video", "image/png", False),
        (Limits(text_max=10), "video", "video/anything", True),  # nothing declared: any
    ],
)
def test_declared_media_types(limits, family, mime, taken):
    assert limits.takes(family, mime) is taken


def test_only_x_caps_gifs_on_their_own():
    assert XAdapter.limits.gif_max_bytes == 15 * 1024 * 1024
    assert FacebookAdapter.limits.gif_max_bytes is None
    assert YouTubeAdapter.limits.gif_max_bytes is None
