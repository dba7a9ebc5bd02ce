"""A podcast's audio and cover made into a cached MP4 for YouTube and Facebook."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from crosspost.adapters.base import ContentKind, MediaFile, MediaRole, Platform
from crosspost.render import podcast, render_draft
from crosspost.render.ffmpeg import MediaError, read_header
from crosspost.render.media import inspect_media
from crosspost.render.podcast import prepare_content, render_podcast_video

from .samples import LIMITS, content, make_audio, make_cover, media_file


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("podcast")
    return make_audio(folder / "tap-1.m4a"), make_cover(folder / "bia.png")


@pytest.fixture
def media(inputs: tuple[Path, Path]) -> tuple[MediaFile, MediaFile]:
    audio, cover = inputs
    return media_file(audio, MediaRole.AUDIO), media_file(cover, MediaRole.COVER)


def test_the_video_is_h264_and_aac_with_even_dimensions(
    inputs: tuple[Path, Path], tmp_path: Path
) -> None:
    audio, cover = inputs
    video = render_podcast_video(audio, cover, tmp_path)
    info = inspect_media(video)
    assert info.mime_type == "video/mp4"
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert (info.width, info.height) == (320, 240)  # 321x241 rounded down to even
    streams = read_header(video)
    assert "Video: h264" in streams and "yuv420p" in streams and "Audio: aac" in streams


def test_the_same_inputs_come_from_the_cache_without_ffmpeg(
    inputs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audio, cover = inputs
    first = render_podcast_video(audio, cover, tmp_path)

    def no_ffmpeg(*args: object, **kwargs: object) -> None:
        raise AssertionError("ffmpeg ran for a cached video")

    monkeypatch.setattr(podcast, "run_ffmpeg", no_ffmpeg)
    assert render_podcast_video(audio, cover, tmp_path) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name]  # no temporary left


def test_another_cover_makes_another_video(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    audio, cover = inputs
    other = make_cover(tmp_path / "bia-xanh.png", color="blue")
    assert podcast.cached_video_path(audio, cover, tmp_path) != podcast.cached_video_path(
        audio, other, tmp_path
    )


def test_a_failed_render_raises_and_leaves_nothing(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    broken = tmp_path / "hong.m4a"
    broken.write_bytes(b"khong phai am thanh" * 10)
    cache = tmp_path / "cache"
    with pytest.raises(MediaError, match="ffmpeg failed"):
        render_podcast_video(broken, inputs[1], cache)
    assert list(cache.iterdir()) == []


def test_prepare_content_adds_the_video_for_youtube_and_facebook(
    media: tuple[MediaFile, MediaFile], tmp_path: Path
) -> None:
    item = content(ContentKind.PODCAST, media=media)

    prepared = prepare_content(item, Platform.YOUTUBE, tmp_path)
    video = prepared.media_with_role(MediaRole.VIDEO)
    assert video is not None and prepared.media[:2] == media
    assert video.mime_type == "video/mp4"
    assert video.size == video.path.stat().st_size
    assert video.sha256 == hashlib.sha256(video.path.read_bytes()).hexdigest()
    assert prepare_content(item, Platform.FACEBOOK, tmp_path) == prepared

    draft = render_draft(Platform.YOUTUBE, prepared, {}, limits=LIMITS[Platform.YOUTUBE])
    assert draft.problems == ()
    assert draft.media == (video, media[1])


def test_prepare_content_leaves_everything_else_alone(
    media: tuple[MediaFile, MediaFile], tmp_path: Path
) -> None:
    podcast_item = content(ContentKind.PODCAST, media=media)
    assert prepare_content(podcast_item, Platform.X, tmp_path) is podcast_item
    article = content(media=media[1:])
    assert prepare_content(article, Platform.YOUTUBE, tmp_path) is article
    no_cover = content(ContentKind.PODCAST, media=media[:1])
    assert prepare_content(no_cover, Platform.YOUTUBE, tmp_path) is no_cover
    assert list(tmp_path.iterdir()) == []
