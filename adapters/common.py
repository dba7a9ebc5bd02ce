"""Work every adapter does the same way, whatever its platform's HTTP library.

Text as platforms compare it (NFC), a media file's problems against the limits (worded once,
for rendering and for the adapters' own checks), media files read for an upload (an unreadable
file is a `PermanentError` naming it), and the time a platform says to come back (`retry_at`),
from a number of seconds or a Unix time as headers carry them.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

from crosspost.adapters.base import Limits, MediaFile, MediaRole, PermanentError


def nfc(text: str | None) -> str:
    """`text` in NFC ("" for None): how platforms store text, and so how copies are compared."""
    return unicodedata.normalize("NFC", text or "")


def no_video_file(platform: str) -> str:
    """The one wording for a video post without its video, wherever it is found (rendering
    finds it in the content, each platform's check in the draft)."""
    return f"{platform}: a video post needs a video file"


def media_problems(
    platform: str, display: str, media: MediaFile, mime: str | None, size: int, limits: Limits
) -> list[str]:
    """Why `platform` (called `display` in sentences) would refuse `media`, of type `mime` and
    `size` bytes, under `limits`. Rendering passes what it read of the file, an adapter what
    the draft records; either way the words are these."""
    video = media.role == MediaRole.VIDEO
    family = "video" if video else "image"
    label = f"{platform}: {media.role}"
    name = media.path.name
    if mime is None:
        return [f"{label} is of an unknown type; {display} takes {family} files ({name})"]
    if not limits.takes(family, mime):
        taken_as = "a video" if video else "an image"
        return [f"{label} is {mime}, which {display} does not take as {taken_as} ({name})"]
    if video:
        most = limits.video_max_bytes
    elif mime == "image/gif" and limits.gif_max_bytes:
        most = limits.gif_max_bytes
    else:
        most = limits.image_max_bytes
    if most and size > most:
        return [f"{label} is {size} bytes, {display} takes at most {most} ({name})"]
    return []


def duration_problem(
    platform: str, display: str, media: MediaFile, seconds: float, longest: float
) -> str:
    """`media` lasts `seconds`, longer than the `longest` the platform takes."""
    return (
        f"{platform}: {media.role} is {seconds:.1f} s long, {display} takes at most "
        f"{longest:g} s ({media.path.name})"
    )


def unreadable(media: MediaFile, exc: OSError, platform: str) -> PermanentError:
    return PermanentError(
        f"{platform}: cannot read {media.role} file {media.path.name}: {exc.strerror or exc}"
    )


@contextmanager
def open_media(media: MediaFile, platform: str) -> Iterator[BinaryIO]:
    """`media` open for reading; a missing or unreadable file is a PermanentError."""
    try:
        fh = media.path.open("rb")
    except OSError as exc:
        raise unreadable(media, exc, platform) from None
    with fh:
        yield fh


def media_size(media: MediaFile, platform: str) -> int:
    """The file's size on disk now (what an upload will send); unreadable: PermanentError."""
    try:
        return media.path.stat().st_size
    except OSError as exc:
        raise unreadable(media, exc, platform) from None


def retry_in(seconds: float | str | None) -> datetime | None:
    """Now plus `seconds` (a number, or a header's digits such as Retry-After's), or None
    when it is absent or not a finite number of seconds from now on."""
    if seconds is None:
        return None
    try:
        wait = float(seconds)
    except ValueError:
        return None
    if not 0 <= wait < math.inf:
        return None
    return datetime.now(UTC) + timedelta(seconds=wait)


def retry_at_epoch(raw: str | None) -> datetime | None:
    """A Unix time in seconds, as rate-limit reset headers give it, or None if it is not one."""
    try:
        return datetime.fromtimestamp(int(raw), UTC) if raw else None
    except (ValueError, OverflowError, OSError):
        return None
