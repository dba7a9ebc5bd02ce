"""A podcast as a video: the cover as a still image over the audio, for platforms that want one.

Rendering is slow, so the result is cached under a name made from both inputs' sha256 and the
encoding recipe: the same audio and cover give the same file, found again without running
ffmpeg. ffmpeg writes a temporary name that is then renamed, so a reader never sees half a
file, and two workers rendering the same episode at once both end with a whole one.

`prepare_content` runs on every schedule and every publish, so each file is hashed once per
state (path, size, modification time; see `crosspost.render.filestate`), not on every call.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import tempfile
from pathlib import Path

from crosspost.adapters.base import ContentKind, ContentSnapshot, MediaFile, MediaRole, Platform
from crosspost.adapters.registry import adapter_class
from crosspost.media import sha256_file
from crosspost.render.ffmpeg import probe, run_ffmpeg
from crosspost.render.filestate import FileState, by_state

# Part of the cache key: change it whenever the arguments below change.
RECIPE = "podcast-v2 t sar1 libx264 stillimage fps2 max1920x1080 yuv420p aac192k"
FPS = 2  # a still image needs few frames; YouTube and Facebook take low frame rates
# Fit within 1920x1080 keeping the cover's shape, then round down to even sizes (yuv420p
# and H.264 need them).
_SCALE = (
    "scale='min(1920,iw)':'min(1080,ih)':force_original_aspect_ratio=decrease,"
    "scale=trunc(iw/2)*2:trunc(ih/2)*2,setsar=1,format=yuv420p"
)
_sha256 = by_state(sha256_file)


def cached_video_path(audio: Path, cover: Path, cache_dir: Path) -> Path:
    """Where the video for these inputs is (or will be) cached."""
    digests = (_sha256(FileState.of(audio)), _sha256(FileState.of(cover)))
    key = hashlib.sha256("\n".join((RECIPE, *digests)).encode()).hexdigest()
    return cache_dir / f"podcast-{key[:40]}.mp4"


def render_podcast_video(audio: Path, cover: Path, cache_dir: Path) -> Path:
    """An MP4 (H.264 + AAC) of `cover` held still for the length of `audio`; cached."""
    target = cached_video_path(audio, cover, cache_dir)
    if target.is_file():
        return target
    # -shortest alone lets the encoder flush frames it buffered after the audio ended (seconds
    # at this frame rate, more on a busy machine), so the audio's own length bounds the output.
    length = probe(audio).duration
    bound = ["-t", f"{length:.3f}"] if length else []
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".podcast-", suffix=".part")
    os.close(fd)
    try:
        run_ffmpeg(
            [
                "-y",
                *("-loop", "1", "-framerate", str(FPS), "-i", str(cover)),
                *("-i", str(audio)),
                *("-map", "0:v:0", "-map", "1:a:0", "-vf", _SCALE),
                *("-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage"),
                *("-r", str(FPS), "-pix_fmt", "yuv420p"),
                *("-c:a", "aac", "-b:a", "192k"),
                *("-shortest", *bound, "-movflags", "+faststart", "-f", "mp4", temporary),
            ]
        )
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return target


def prepare_content(
    content: ContentSnapshot, platform: Platform, cache_dir: Path
) -> ContentSnapshot:
    """`content` ready to render for `platform`: the one rendering step that does I/O.

    A podcast going to a platform that takes it as a video (`Adapter.podcast_as_video`) gets
    the video of its cover and audio added as a
    `MediaFile(role=VIDEO)` (rendered once, then taken from `cache_dir`). Anything else, and a
    podcast missing its audio or cover (which `render_draft` reports), comes back unchanged.
    Raises `MediaError` when ffmpeg cannot make the video.
    """
    if content.kind != ContentKind.PODCAST or not adapter_class(platform).podcast_as_video:
        return content
    audio = content.media_with_role(MediaRole.AUDIO)
    cover = content.media_with_role(MediaRole.COVER)
    if content.media_with_role(MediaRole.VIDEO) is not None or audio is None or cover is None:
        return content
    if not (audio.path.is_file() and cover.path.is_file()):
        return content
    video = render_podcast_video(audio.path, cover.path, cache_dir)
    state = FileState.of(video)
    rendered = MediaFile(
        path=video,
        role=MediaRole.VIDEO,
        size=state.size,
        sha256=_sha256(state),
        mime_type="video/mp4",
    )
    return dataclasses.replace(content, media=(*content.media, rendered))
