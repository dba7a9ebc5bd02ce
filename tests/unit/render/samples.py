"""Vietnamese sample content, platform limits and media makers shared by the render tests.

The limits mirror the platforms' documented figures, so these tests do not depend on the
adapters' own declarations.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from crosspost.adapters.base import ContentKind, ContentSnapshot, Limits, MediaFile, MediaRole
from crosspost.adapters.base import Platform as P
from crosspost.render.ffmpeg import run_ffmpeg

X_LIMITS = Limits(
    text_max=280,
    url_weight=23,
    max_images=4,
    max_videos=1,
    image_max_bytes=5 * 1024**2,
    video_max_bytes=512 * 1024**2,
    video_max_seconds=140,
    image_types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
    video_types=frozenset({"video/mp4", "video/quicktime"}),
    gif_max_bytes=15 * 1024**2,
)
YOUTUBE_LIMITS = Limits(
    text_max=5000,
    title_max=100,
    description_max_bytes=5000,
    tags_max_total=500,
    max_videos=1,
    video_max_seconds=15 * 60,
    image_types=frozenset({"image/jpeg", "image/png"}),
    video_types=frozenset({"video/"}),
)
FACEBOOK_LIMITS = Limits(
    text_max=63_206,
    max_images=1,
    max_videos=1,
    image_max_bytes=4 * 1024**2,
    video_max_seconds=240 * 60,
    image_types=frozenset(
        {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"}
    ),
    video_types=frozenset({"video/"}),
)
LIMITS = {P.X: X_LIMITS, P.YOUTUBE: YOUTUBE_LIMITS, P.FACEBOOK: FACEBOOK_LIMITS}

TITLE = "Tỉnh ủy Quảng Nam nâng cao chất lượng sinh hoạt chi bộ ở cơ sở"
SUMMARY = (
    "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 15 đánh giá kết quả công tác xây dựng, "
    "chỉnh đốn Đảng năm 2024 và đề ra nhiệm vụ trọng tâm năm 2025, trong đó nhấn mạnh việc "
    "nâng cao chất lượng sinh hoạt chi bộ, siết chặt kỷ luật, kỷ cương trong Đảng."
)
PARAGRAPHS = (
    "Sáng 12/3, Ban Chấp hành Đảng bộ tỉnh Quảng Nam tổ chức hội nghị lần thứ 15, khóa XXII. "
    "Hội nghị đánh giá kết quả công tác xây dựng Đảng, chỉnh đốn Đảng năm 2024; thảo luận "
    "phương hướng, nhiệm vụ năm 2025.",
    "Đồng chí Bí thư Tỉnh ủy nhấn mạnh: cần tiếp tục đổi mới phương thức lãnh đạo của Đảng, "
    "nâng cao năng lực cầm quyền và sức chiến đấu của tổ chức cơ sở đảng. Các cấp ủy phải "
    "gương mẫu, đi đầu trong học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
    "Năm 2024, toàn Đảng bộ tỉnh kết nạp 2.150 đảng viên mới; 98% tổ chức cơ sở đảng được "
    "đánh giá hoàn thành tốt nhiệm vụ trở lên. Công tác kiểm tra, giám sát được tăng cường, "
    "góp phần ngăn chặn, đẩy lùi sự suy thoái về tư tưởng chính trị trong cán bộ, đảng viên.",
)
BODY = "\n\n".join(PARAGRAPHS)
LINK = "https://www.tapchicongsan.org.vn/web/guest/xay-dung-dang/-/2018/912345/bai-viet.aspx"
HASHTAGS = ("xây dựng Đảng", "Quảng Nam", "chi bộ", "Đại hội XIV")


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def content(
    kind: ContentKind = ContentKind.ARTICLE,
    *,
    title: str = TITLE,
    summary: str = SUMMARY,
    body: str = BODY,
    link: str | None = LINK,
    hashtags: tuple[str, ...] = HASHTAGS,
    media: tuple[MediaFile, ...] = (),
    overrides: dict[str, dict[str, object]] | None = None,
    unit: str | None = "Ban Xây dựng Đảng",
) -> ContentSnapshot:
    return ContentSnapshot(
        content_id=42,
        kind=kind,
        title=title,
        summary=summary,
        body=body,
        link=link,
        hashtags=hashtags,
        media=media,
        unit=unit,
        overrides=overrides or {},
    )


def media_file(path: Path, role: MediaRole, mime_type: str | None = None) -> MediaFile:
    return MediaFile(
        path=path, role=role, size=path.stat().st_size, sha256="0" * 64, mime_type=mime_type
    )


# First bytes that make a file pass for its type (media checks sniff them); no decoder needed.
STUB_HEADERS = {
    ".mp4": b"\x00\x00\x00\x18ftypmp42",
    ".m4a": b"\x00\x00\x00\x1cftypM4A ",
    ".mp3": b"ID3",
    ".jpg": b"\xff\xd8\xff",
    ".png": b"\x89PNG\r\n\x1a\n",
}


def stub_media(path: Path, role: MediaRole) -> MediaFile:
    """A small file that only looks like its type (by its extension's header), as a MediaFile."""
    path.write_bytes(STUB_HEADERS[path.suffix] + bytes(64))
    return media_file(path, role)


def stub_podcast(folder: Path) -> tuple[MediaFile, MediaFile]:
    """A podcast's audio (MP3) and cover (JPEG) as stubs: no rendered video."""
    audio = stub_media(folder / "tap-1.mp3", MediaRole.AUDIO)
    return audio, stub_media(folder / "bia.jpg", MediaRole.COVER)


def _ffmpeg(*arguments: str) -> None:
    run_ffmpeg(["-y", *arguments])


def make_audio(path: Path, seconds: float = 2) -> Path:
    """A sine tone, encoded by the extension (.m4a: AAC)."""
    _ffmpeg("-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", str(path))
    return path


def make_cover(path: Path, size: str = "321x241", color: str = "red") -> Path:
    """A one-frame image of odd size, so the video must round it to even."""
    _ffmpeg("-f", "lavfi", "-i", f"color=c={color}:s={size}", "-frames:v", "1", str(path))
    return path


def make_video(path: Path, seconds: float = 2) -> Path:
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc=size=160x120:rate=10:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=duration={seconds}",
        "-shortest",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        str(path),
    )
    return path
