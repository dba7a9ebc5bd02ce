"""Media inspection and checks against each platform's (and account's) limits."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from crosspost.adapters.base import ContentKind, MediaRole, Platform
from crosspost.render.ffmpeg import parse_probe
from crosspost.render.media import check_media, inspect_media, sniff_mime_type

from .samples import LIMITS, X_LIMITS, content, make_audio, make_cover, make_video, media_file


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media")
    return {
        "audio": make_audio(folder / "tap-1.m4a"),
        "cover": make_cover(folder / "bia.png"),
        "video": make_video(folder / "phong-su.mp4"),
    }


def test_inspect_audio(files: dict[str, Path]) -> None:
    info = inspect_media(files["audio"])
    assert info.mime_type == "audio/mp4"
    assert info.size == files["audio"].stat().st_size
    assert info.duration == pytest.approx(2.0, abs=0.1)


def test_inspect_image(files: dict[str, Path]) -> None:
    info = inspect_media(files["cover"])
    assert (info.mime_type, info.width, info.height, info.duration) == ("image/png", 321, 241, None)


def test_inspect_video(files: dict[str, Path]) -> None:
    info = inspect_media(files["video"])
    assert (info.mime_type, info.width, info.height) == ("video/mp4", 160, 120)
    assert info.duration == pytest.approx(2.0, abs=0.1)


def test_the_type_comes_from_the_bytes_before_the_extension(tmp_path: Path) -> None:
    renamed = tmp_path / "anh.jpg"
    renamed.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(16))
    unknown = tmp_path / "clip.mp4"
    unknown.write_bytes(bytes(32))
    assert sniff_mime_type(renamed) == "image/png"
    assert sniff_mime_type(unknown) == "video/mp4"
    assert sniff_mime_type(tmp_path / "khong-ro", "audio/mpeg") == "audio/mpeg"


def test_ffmpeg_output_is_parsed_without_mistaking_codec_tags_for_sizes() -> None:
    output = (
        "  Duration: 01:02:03.50, start: 0.000000, bitrate: 125 kb/s\n"
        "  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive),"
        " 1280x720 [SAR 1:1 DAR 16:9], 3 kb/s, 2 fps\n"
    )
    probe = parse_probe(output)
    assert (probe.duration, probe.width, probe.height) == (3723.5, 1280, 720)
    assert parse_probe("Duration: N/A, bitrate: N/A").duration is None


def test_media_within_the_limits_has_no_problem(files: dict[str, Path]) -> None:
    item = content(ContentKind.VIDEO, media=(media_file(files["video"], MediaRole.VIDEO),))
    for platform, limits in LIMITS.items():
        assert check_media(item, platform, limits) == []


def test_an_account_setting_can_lower_the_duration_and_size_limits(files: dict[str, Path]) -> None:
    item = content(ContentKind.VIDEO, media=(media_file(files["video"], MediaRole.VIDEO),))
    size = files["video"].stat().st_size
    problems = check_media(
        item, Platform.X, X_LIMITS, {"video_max_seconds": 1.5, "video_max_bytes": size - 1}
    )
    assert problems == [
        f"x: video is {size} bytes, X takes at most {size - 1} (phong-su.mp4)",
        "x: video is 2.0 s long, X takes at most 1.5 s (phong-su.mp4)",
    ]


def test_a_type_the_platform_does_not_take_is_a_problem(files: dict[str, Path]) -> None:
    item = content(ContentKind.VIDEO, media=(media_file(files["cover"], MediaRole.VIDEO),))
    assert check_media(item, Platform.X, X_LIMITS) == [
        "x: video is image/png, which X does not take as a video (bia.png)"
    ]


def test_a_youtube_thumbnail_over_its_limit_is_a_problem(files: dict[str, Path]) -> None:
    media = (
        media_file(files["video"], MediaRole.VIDEO),
        media_file(files["cover"], MediaRole.COVER),
    )
    item = content(ContentKind.VIDEO, media=media)
    problems = check_media(
        item, Platform.YOUTUBE, LIMITS[Platform.YOUTUBE], {"thumbnail_max_bytes": 10}
    )
    assert len(problems) == 1 and problems[0].startswith("youtube: cover is ")


def test_a_missing_file_is_a_problem(tmp_path: Path, files: dict[str, Path]) -> None:
    gone = tmp_path / "da-xoa.mp4"
    gone.write_bytes(b"x")
    item = content(ContentKind.VIDEO, media=(media_file(gone, MediaRole.VIDEO),))
    gone.unlink()
    assert check_media(item, Platform.FACEBOOK, LIMITS[Platform.FACEBOOK]) == [
        f"facebook: video da-xoa.mp4 is missing ({gone})"
    ]


def test_files_the_kind_needs_are_required() -> None:
    assert check_media(content(ContentKind.VIDEO), Platform.YOUTUBE, LIMITS[Platform.YOUTUBE]) == [
        "youtube: a video post needs a video file"
    ]
    assert check_media(content(ContentKind.PODCAST), Platform.X, X_LIMITS) == [
        "x: the podcast has no audio file",
        "x: the podcast has no cover image",
    ]


def test_checks_read_a_file_once_per_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    video = make_video(tmp_path / "ban-tin.mp4")
    item = content(ContentKind.VIDEO, media=(media_file(video, MediaRole.VIDEO),))
    first = check_media(item, Platform.X, X_LIMITS)  # probes the duration
    runs: list[Any] = []
    real_run = subprocess.run

    def counting_run(*args: Any, **kwargs: Any) -> Any:
        runs.append(args)
        return real_run(*args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting_run)
    assert check_media(item, Platform.X, X_LIMITS) == first
    assert runs == []  # rendering again (every schedule, every publish) runs no ffmpeg
    stat = video.stat()
    os.utime(video, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert check_media(item, Platform.X, X_LIMITS) == first
    assert len(runs) == 1  # a changed file is read again
