"""The ffmpeg binary imageio-ffmpeg ships: read a file's header, or run an encode.

imageio-ffmpeg ships no ffprobe, so a file is probed with `ffmpeg -i FILE`, which prints the
container's `Duration:` and each stream's size before complaining that no output was given.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

PROBE_TIMEOUT_SECONDS = 60
_DURATION = re.compile(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
# "Video: h264 (High) (avc1 / 0x31637661), yuv420p, 640x480 [SAR 1:1 DAR 4:3]"; the \b around
# the size keeps codec tags such as 0x31637661 from matching.
_VIDEO_SIZE = re.compile(r"Video: .*?\b([1-9]\d{0,4})x([1-9]\d{0,4})\b")


# A file a unit sent is read as itself: ffmpeg may open nothing but local files for it (no
# http, tcp or crypto), and a playlist or concat list (which names other files) is refused by
# `playlist_format` before anything is taken from it.
LOCAL_ONLY = ("-protocol_whitelist", "file")
PLAYLIST_FORMATS = frozenset({"hls", "applehttp", "concat", "ffconcat", "dash", "sdp", "tee"})
_INPUT_FORMAT = re.compile(r"^Input #0, ([\w,]+), from ", re.M)


def playlist_format(header: str) -> str | None:
    """The demuxer `ffmpeg -i` chose, when it is one that reads other files or addresses."""
    found = _INPUT_FORMAT.search(header)
    names = set(found.group(1).split(",")) if found else set()
    return next(iter(sorted(names & PLAYLIST_FORMATS)), None)


class MediaError(RuntimeError):
    """ffmpeg could not read or write a media file."""


@dataclass(frozen=True)
class Probe:
    duration: float | None
    width: int | None
    height: int | None


def ffmpeg_exe() -> str:
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def parse_probe(output: str) -> Probe:
    """Duration (seconds) and the first video stream's size from `ffmpeg -i` output."""
    duration = None
    if match := _DURATION.search(output):
        hours, minutes, seconds = match.groups()
        duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    width = height = None
    if match := _VIDEO_SIZE.search(output):
        width, height = int(match.group(1)), int(match.group(2))
    return Probe(duration, width, height)


def read_header(path: Path) -> str:
    """What `ffmpeg -i` prints of `path` (container, duration, streams); "" when it cannot run."""
    try:
        done = subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-nostdin", *LOCAL_ONLY, "-i", str(path)],
            capture_output=True,
            timeout=PROBE_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stderr.decode("utf-8", errors="replace")


def _decode_arguments(path: Path) -> list[str]:
    return ["-hide_banner", "-nostdin", "-v", "error", *LOCAL_ONLY, "-i", str(path), *FIRST_PICTURE]


FIRST_PICTURE = ("-frames:v", "1", "-f", "null", "-")


def decodes(path: Path) -> bool:
    """Whether ffmpeg decodes the first picture of `path` without an error: a header alone
    (what `read_header` reads) says nothing of a truncated or damaged body."""
    try:
        done = subprocess.run(
            [ffmpeg_exe(), *_decode_arguments(path)],
            capture_output=True,
            timeout=PROBE_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and not done.stderr.strip()


def probe(path: Path) -> Probe:
    """Read `path`'s header; all None when ffmpeg cannot read it. Runs ffmpeg every time:
    `crosspost.render.media.inspect_media` keeps the result per file state."""
    return parse_probe(read_header(path))


def run_ffmpeg(arguments: Sequence[str], *, timeout: float | None = None) -> None:
    """Run ffmpeg with `arguments`; MediaError with the end of its log when it fails."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *arguments]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MediaError(f"ffmpeg did not finish: {exc}") from None
    if done.returncode != 0:
        log = done.stderr.decode("utf-8", errors="replace").strip()[-2000:]
        raise MediaError(f"ffmpeg failed (exit {done.returncode}): {log}")
