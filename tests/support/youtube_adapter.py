"""What the YouTube adapter's integration tests share: the channel's playlists, the adapter
made against the module's sandbox, a video and a cover file, and the one stored video."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crosspost.adapters.base import MediaFile, MediaRole
from crosspost.adapters.youtube import YouTubeAdapter
from tests.support.sandbox import closing_adapters, media_file
from tests.support.youtube_helpers import CHUNK, Sandbox, account

PLAYLISTS = {"PLvideos": "Videos", "PLpodcasts": "Podcasts"}


def NOW_ISH() -> datetime:
    """A `since` a little before now, as the reconciler gives (its clock slack taken off)."""
    return datetime.now(UTC) - timedelta(minutes=2)


@pytest.fixture
def make_adapter(sb: Sandbox) -> Iterator[Any]:
    def build(secrets: dict[str, str] | None = None, **settings: Any) -> YouTubeAdapter:
        return YouTubeAdapter(account(sb.url, secrets, **settings))

    with closing_adapters(build) as make:
        yield make


@pytest.fixture
def video(tmp_path: Path) -> MediaFile:
    return media_file(tmp_path, "pho.mp4", 2 * CHUNK + 5000, MediaRole.VIDEO, "video/mp4")


@pytest.fixture
def cover(tmp_path: Path) -> MediaFile:
    return media_file(tmp_path, "pho.jpg", 20_000, MediaRole.COVER, "image/jpeg")


def only_video(sb: Sandbox) -> dict[str, Any]:
    stored: dict[str, Any]
    (stored,) = sb.state()["videos"]
    return stored
