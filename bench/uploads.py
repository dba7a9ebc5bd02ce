"""One video upload through one adapter's real `publish`, in a process of its own.

`run.py` starts this script once per (platform, file): `ru_maxrss` is a process's high-water
mark and never goes down, so only a fresh process per upload gives each upload its own figure.
The sandbox runs elsewhere (in `run.py`), so its memory is not counted here.

    .venv/bin/python bench/uploads.py PLATFORM PATH SANDBOX_URL [--chunk-bytes N] [--sha256 HEX]

Prints one JSON line: bytes, seconds and CPU seconds spent in `publish`, and the process's peak
RSS (KiB) before `publish` and at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crosspost.adapters.base import (
    AccountConfig,
    Adapter,
    ContentKind,
    Draft,
    MediaFile,
    MediaRole,
    Platform,
    PublishRequest,
    Secret,
)
from crosspost.adapters.facebook import FacebookAdapter
from crosspost.adapters.x import XAdapter
from crosspost.adapters.youtube import YouTubeAdapter

# What run.py tells the sandbox to expect: the YouTube adapter refreshes its access token with
# this OAuth client, and the Facebook account names this Page and app. (Set here rather than
# read from the sandbox's defaults: importing the sandbox would add its ~10 MiB to the RSS.)
YOUTUBE_CLIENT = ("bench-client.apps.googleusercontent.com", "bench-client-secret")
FACEBOOK_PAGE_ID = "104200300400500"
FACEBOOK_APP_ID = "900800700600500"
# Big enough for any file the bench makes: the adapters' own defaults refuse some of them
# (X: 512 MiB), and the bench measures streaming, not the platforms' size policies.
VIDEO_MAX_BYTES = 64 * 1024**3
# The setting that holds each adapter's upload chunk size.
CHUNK_SETTING = {
    "facebook": "upload_chunk_bytes",
    "youtube": "chunk_bytes",
    "x": "upload_chunk_bytes",
}
TITLE = "Bench: phóng sự tải lên"


def account(platform: str, url: str, chunk_bytes: int | None) -> AccountConfig:
    """An account on the sandbox at `url`; the chunk size is the adapter's default unless
    `chunk_bytes` is given."""
    settings: dict[str, Any] = {"base_url": url}
    credentials: dict[str, str]
    if platform == "facebook":
        settings |= {
            "page_id": FACEBOOK_PAGE_ID,
            "app_id": FACEBOOK_APP_ID,
            "video_max_bytes": VIDEO_MAX_BYTES,
        }
        credentials = {"page_access_token": "EAAbench-page-token"}
    elif platform == "youtube":
        settings["token_uri"] = f"{url}/token"
        credentials = {
            "client_id": YOUTUBE_CLIENT[0],
            "client_secret": YOUTUBE_CLIENT[1],
            "refresh_token": "1//bench-refresh-token",
        }
    elif platform == "x":
        settings |= {"video_max_bytes": VIDEO_MAX_BYTES, "username": "bench"}
        credentials = {
            "consumer_key": "bench-consumer-key",
            "consumer_secret": "bench-consumer-secret",
            "access_token": "1234-bench-access-token",
            "access_token_secret": "bench-access-token-secret",
        }
    else:
        raise SystemExit(f"unknown platform {platform!r} (facebook, youtube or x)")
    if chunk_bytes is not None:
        settings[CHUNK_SETTING[platform]] = chunk_bytes
    secrets = {key: Secret(value) for key, value in credentials.items()}
    return AccountConfig(f"bench-{platform}", Platform(platform), settings, secrets)


def build_adapter(config: AccountConfig) -> Adapter:
    classes: dict[Platform, type[Adapter]] = {
        Platform.FACEBOOK: FacebookAdapter,
        Platform.YOUTUBE: YouTubeAdapter,
        Platform.X: XAdapter,
    }
    return classes[config.platform](config)


def video_draft(platform: Platform, video: MediaFile) -> Draft:
    """A video post as the renderer would give it, built directly as the integration tests do:
    the bench measures the upload, not rendering (which would probe the random bytes)."""
    if platform == Platform.YOUTUBE:
        return Draft(
            platform,
            ContentKind.VIDEO,
            title=TITLE,
            description="Đo bộ nhớ và tốc độ tải lên.",
            tags=("bench",),
            media=(video,),
        )
    return Draft(platform, ContentKind.VIDEO, parts=(TITLE,), title=TITLE, media=(video,))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def peak_rss_kib() -> int:
    """This process's peak resident set so far (Linux reports ru_maxrss in KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def vm_hwm_kib() -> int | None:
    """The peak RSS of this process's memory map since exec (Linux's VmHWM): a cross-check of
    ru_maxrss, which a process started by vfork inherits from its parent's peak."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), None)
    return int(line.split()[1]) if line else None


def cpu_seconds() -> float:
    """CPU time this process has used (user and system): against the wall time it says whether
    the upload waited on the sandbox or worked itself."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return float(usage.ru_utime + usage.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("platform", choices=["facebook", "youtube", "x"])
    parser.add_argument("path", type=Path)
    parser.add_argument("sandbox_url")
    parser.add_argument("--chunk-bytes", type=int, help="override the adapter's default chunk")
    parser.add_argument("--sha256", help="the file's SHA-256, if known (else it is computed)")
    args = parser.parse_args(argv)

    size = args.path.stat().st_size
    video = MediaFile(
        args.path, MediaRole.VIDEO, size, args.sha256 or sha256_of(args.path), "video/mp4"
    )
    config = account(args.platform, args.sandbox_url.rstrip("/"), args.chunk_bytes)
    adapter = build_adapter(config)
    now = datetime.now(UTC)
    request = PublishRequest(1, 1, video_draft(config.platform, video), now, first_attempt_at=now)
    sent = 0

    def progress(done: int, total: int) -> None:
        nonlocal sent
        sent = done

    rss_before = peak_rss_kib()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    try:
        receipt = adapter.publish(request, progress)
    finally:
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
        adapter.close()
    result = {
        "platform": args.platform,
        "bytes": size,
        "progress_bytes": sent,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_before_kib": rss_before,
        "peak_rss_kib": peak_rss_kib(),
        "vm_hwm_kib": vm_hwm_kib(),
        "remote_id": receipt.remote_id,
        "chunk_bytes": getattr(adapter, "chunk_bytes", None),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
