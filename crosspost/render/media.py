"""Media files: what they are (type, size, duration, size in pixels) and whether a platform
takes them, by its effective `Limits`. The podcast video is `crosspost.render.podcast`'s.

The type comes from the file's first bytes, then its extension (`crosspost.media.guess_mime`),
so a renamed file is still caught. Sniffing and probing (ffmpeg) run once per file state: they
are kept by path, size and modification time (`crosspost.render.filestate`), which keeps
rendering, which checks the media on every schedule and every publish, cheap to repeat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crosspost.adapters.base import ContentSnapshot, Limits, MediaFile, MediaRole, Platform
from crosspost.adapters.common import duration_problem, media_problems
from crosspost.adapters.registry import adapter_class, rules_for
from crosspost.media import guess_mime
from crosspost.render.ffmpeg import probe
from crosspost.render.filestate import FileState, by_state
from crosspost.render.selection import missing_media


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    mime_type: str | None
    size: int
    duration: float | None = None  # seconds, audio and video
    width: int | None = None
    height: int | None = None


def mime_from_bytes(head: bytes, by_extension: str | None) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:4] == b"RIFF":
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}.get(
            head[8:12]
        )
    if head[4:8] == b"ftyp":  # ISO base media: MP4, MOV, M4A
        brand = head[8:12]
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in (b"M4A ", b"M4B ") or (by_extension or "").startswith("audio/"):
            return "audio/mp4"
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # Matroska / WebM
        return "video/webm" if by_extension == "video/webm" else "video/x-matroska"
    if head.startswith((b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")):
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    return None


def sniff_mime_type(path: Path, recorded: str | None = None) -> str | None:
    """The file's type from its first bytes, else its extension, else what was recorded."""
    by_extension = guess_mime(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        head = b""
    return mime_from_bytes(head, by_extension) or by_extension or recorded


_sniffed = by_state(sniff_mime_type)
_probed = by_state(probe)


def _inspect(path: Path, state: FileState) -> MediaInfo:
    mime = _sniffed(state)
    if mime is None or mime.split("/")[0] not in ("audio", "video", "image"):
        return MediaInfo(path, mime, state.size)
    found = _probed(state)
    duration = None if mime.startswith("image/") else found.duration
    return MediaInfo(path, mime, state.size, duration, found.width, found.height)


def inspect_media(path: Path) -> MediaInfo:
    """Type, size and (for audio, video and images) duration and pixel size of `path`.

    Raises FileNotFoundError when the file is gone.
    """
    return _inspect(path, FileState.of(path))


def _check_file(platform: Platform, media: MediaFile, limits: Limits) -> list[str]:
    if not media.path.is_file():
        return [f"{platform}: {media.role} {media.path.name} is missing ({media.path})"]
    display = adapter_class(platform).display_name
    state = FileState.of(media.path)
    mime = _sniffed(state) or media.mime_type
    problems = media_problems(platform, display, media, mime, state.size, limits)
    longest = limits.video_max_seconds
    video = media.role == MediaRole.VIDEO and mime is not None and limits.takes("video", mime)
    if video and longest:
        duration = _inspect(media.path, state).duration
        if duration is not None and duration > longest:
            problems.append(duration_problem(platform, display, media, duration, longest))
    return problems


def check_media(
    content: ContentSnapshot,
    platform: Platform,
    limits: Limits,
    settings: Mapping[str, Any] | None = None,
) -> list[str]:
    """Every media reason `platform` would refuse `content`: missing files the kind needs, and
    the type, size and duration of each file the draft carries, against `limits` with the
    account's `settings` applied as the platform's adapter applies them."""
    effective = adapter_class(platform).limits_for(settings or {}, limits)
    selected = rules_for(platform).media_for(content, effective)
    return check_selected(platform, content, selected, effective)


def check_selected(
    platform: Platform,
    content: ContentSnapshot,
    selected: tuple[MediaFile, ...],
    limits: Limits,
) -> list[str]:
    """`check_media` for the files the platform's rules already chose (as `render_draft` has),
    against effective `limits`."""
    problems = missing_media(platform, content)
    if not problems:
        problems = rules_for(platform).missing_media(content)
    for media in selected:
        problems.extend(_check_file(platform, media, limits))
    return problems
