"""Row 3, streaming uploads (issue 3): peak memory and speed of each adapter's video upload
against the sandbox, with a plain curl POST of the same file to the same sandbox just before.

For each adapter and file size, a fresh worker process (`uploads.py`) publishes one video through
the adapter's real `publish` to the sandbox running in this process, and reports its peak RSS and
speed. README.md says what every figure means.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from benchlib import Line, error_line, log
from uploads import FACEBOOK_APP_ID, FACEBOOK_PAGE_ID, YOUTUBE_CLIENT  # bench/ is sys.path[0]

from crosspost.adapters.facebook import settings as facebook_settings
from crosspost.adapters.x import upload as x_upload
from crosspost.adapters.youtube import YouTubeAdapter
from crosspost.sandbox import SandboxServer
from crosspost.sandbox.x import MAX_SEGMENT_INDEX

ROW = "3 uploads"
MIB = 1024 * 1024
HERE = Path(__file__).resolve().parent
WORKER = HERE / "uploads.py"
PLATFORMS = ("facebook", "youtube", "x")
FULL_SIZES_MIB = (100, 1024)
QUICK_SIZES_MIB = (20, 200)
DEFAULT_REPEAT = 3
DEFAULT_CHUNKS = {
    "facebook": facebook_settings.DEFAULT_CHUNK_BYTES,
    "youtube": int(YouTubeAdapter.settings_spec["chunk_bytes"].default),
    "x": x_upload.DEFAULT_CHUNK_BYTES,
}
# X numbers append segments 0 to 999: a file of more segments than that needs bigger ones.
X_MAX_SEGMENTS = MAX_SEGMENT_INDEX + 1
TIMEOUT_SECONDS = 900
# The targets of issue 3 (and of row 3 of the benchmark table).
RSS_GROWTH_TARGET_MIB = 20.0
RSS_PEAK_TARGET_MIB = 200.0
SPEED_RATIO_TARGET = 0.5
GRAPH = "v26.0"
FACEBOOK_TOKEN = "EAAbench-curl-token"
RSS_MARK = "bench-peak-rss-kib="
# The worker starts through a shell that forks it. A process started by vfork or posix_spawn
# (what subprocess uses) inherits its parent's peak RSS in ru_maxrss across exec: the worker's
# figure would start at the sandbox's. A forked shell's child starts from the shell's few MiB.
FORKING_SHELL = ["/bin/sh", "-c", '"$@"; exit $?', "sh"]


@dataclass
class Run:
    """One upload through an adapter, and the curl upload of the same file just before it."""

    seconds: float | None = None
    rss_before_kib: int | None = None
    peak_rss_kib: int | None = None
    cpu_seconds: float | None = None
    curl_seconds: float | None = None
    curl_rss_kib: int | None = None
    error: str | None = None


@dataclass
class Row:
    """Every run of one adapter with one file size: medians for time, maxima for memory."""

    platform: str
    size: int
    chunk: int
    runs: list[Run] = field(default_factory=list)

    @property
    def error(self) -> str | None:
        return next((r.error for r in self.runs if r.error), None)

    def _speeds(self, attr: str) -> list[float]:
        values = [getattr(r, attr) for r in self.runs]
        return [self.size / MIB / s for s in values if s]

    @property
    def speed(self) -> float | None:
        speeds = self._speeds("seconds")
        return statistics.median(speeds) if speeds else None

    @property
    def curl_speed(self) -> float | None:
        speeds = self._speeds("curl_seconds")
        return statistics.median(speeds) if speeds else None

    @property
    def speed_range(self) -> tuple[float, float] | None:
        speeds = self._speeds("seconds")
        return (min(speeds), max(speeds)) if speeds else None

    @property
    def ratio(self) -> float | None:
        if self.speed is None or self.curl_speed is None:
            return None
        return self.speed / self.curl_speed

    @property
    def peak_rss_kib(self) -> int | None:
        return max((r.peak_rss_kib for r in self.runs if r.peak_rss_kib), default=None)

    @property
    def rss_before_kib(self) -> int | None:
        return max((r.rss_before_kib for r in self.runs if r.rss_before_kib), default=None)

    @property
    def cpu_seconds(self) -> float | None:
        values = [r.cpu_seconds for r in self.runs if r.cpu_seconds is not None]
        return statistics.median(values) if values else None


# -- files -------------------------------------------------------------------------------------


@contextmanager
def media_file(folder: Path, size_mib: int) -> Iterator[tuple[Path, str]]:
    """A file of `size_mib` MiB (one random 1 MiB block, repeated: quick to write, and the
    sandbox only counts and hashes), with its SHA-256; deleted afterwards."""
    path = folder / f"bench-{size_mib}MiB.mp4"
    block = os.urandom(MIB)
    digest = hashlib.sha256()
    with path.open("wb") as fh:
        for _ in range(size_mib):
            fh.write(block)
            digest.update(block)
        fh.flush()
        os.fsync(fh.fileno())  # written back now, not during a measurement
    try:
        yield path, digest.hexdigest()
    finally:
        path.unlink(missing_ok=True)


def chunk_for(platform_name: str, largest: int) -> int:
    """The adapter's default chunk size; for X, raised to whole MiB when the largest file of
    the run would need more than X's 1000 segments (the same chunk for every size of the run,
    so the RSS difference between sizes is the file size's alone)."""
    chunk = DEFAULT_CHUNKS[platform_name]
    if platform_name == "x" and math.ceil(largest / chunk) > X_MAX_SEGMENTS:
        chunk = math.ceil(largest / X_MAX_SEGMENTS / MIB) * MIB
        chunk = min(chunk, x_upload.MAX_CHUNK_BYTES)
    return chunk


# -- the measurements --------------------------------------------------------------------------


def run_curl(
    sandbox: SandboxServer, control: httpx.Client, path: Path, sha256: str, run: Run
) -> None:
    """curl POSTs the file as a raw body to a Facebook resumable-upload session of the sandbox,
    which reads it in pieces and hashes it, as it does every upload.

    `--upload-file` with `-X POST` rather than `--data-binary @file`: the same request, but
    curl 7.88 reads a --data-binary file whole into memory first and refuses one of 1 GiB
    ("out of memory"); --upload-file streams it from disk, as the adapters do. Time is curl's
    own `time_total`; peak RSS is curl's, from GNU time when it is installed."""
    size = path.stat().st_size
    start = control.post(
        f"/{GRAPH}/{FACEBOOK_APP_ID}/uploads",
        params={"file_name": path.name, "file_length": str(size), "file_type": "video/mp4"},
        headers={"Authorization": f"OAuth {FACEBOOK_TOKEN}"},
    )
    start.raise_for_status()
    session = start.json()["id"]
    command = [
        "curl",
        "--silent",
        "--show-error",
        "--max-time",
        str(TIMEOUT_SECONDS),
        "--output",
        os.devnull,
        "--write-out",
        "%{http_code} %{time_total} %{size_upload}",
        "-H",
        f"Authorization: OAuth {FACEBOOK_TOKEN}",
        "-H",
        "file_offset: 0",
        "-H",
        "Content-Type: application/octet-stream",
        "-X",
        "POST",
        "--upload-file",
        str(path),
        f"{sandbox.url}/{GRAPH}/{session}",
    ]
    timer = shutil.which("time", path="/usr/bin:/bin")  # GNU time, for curl's peak RSS
    if timer:
        command = [timer, "--quiet", "--format", f"{RSS_MARK}%M", *command]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS + 30, check=False
    )
    lines = done.stderr.splitlines()
    marks = [x for x in lines if x.startswith(RSS_MARK)]
    if marks:
        run.curl_rss_kib = int(marks[-1].removeprefix(RSS_MARK))
    err = " ".join(x for x in lines if not x.startswith(RSS_MARK)).strip()
    code, seconds, uploaded = [*done.stdout.split(), "", "", ""][:3]
    upload = next(u for u in sandbox.state()["facebook"]["uploads"] if u["id"] == session)
    if done.returncode or code != "200" or int(float(uploaded or 0)) != size:
        run.error = f"curl failed: exit {done.returncode}, HTTP {code or '-'}: {err[:160]}"
    elif upload["bytes_received"] != size or upload["sha256"] != sha256:
        run.error = f"curl: the sandbox holds {upload['bytes_received']} bytes, not the file's"
    else:
        run.curl_seconds = float(seconds)


def run_adapter(
    sandbox: SandboxServer, platform_name: str, path: Path, sha256: str, chunk: int, run: Run
) -> None:
    """One publish in a fresh worker process; the sandbox then must hold exactly the file."""
    size = path.stat().st_size
    command = [*FORKING_SHELL, sys.executable, str(WORKER), platform_name, str(path), sandbox.url]
    command += ["--sha256", sha256]
    if chunk != DEFAULT_CHUNKS[platform_name]:
        command += ["--chunk-bytes", str(chunk)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        run.error = f"no answer in {TIMEOUT_SECONDS} s"
        return
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        run.error = f"worker failed: {last[:200]}"
        return
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    held = received(sandbox.state(), platform_name)
    if held != (size, sha256):
        run.error = f"the sandbox holds {held[0]} bytes (sha256 {held[1][:12]}…), not the file"
        return
    run.seconds = float(result["seconds"])
    run.rss_before_kib = int(result["rss_before_kib"])
    run.peak_rss_kib = int(result["peak_rss_kib"])
    run.cpu_seconds = float(result["cpu_seconds"])
    hwm = result.get("vm_hwm_kib")
    if hwm is not None and abs(run.peak_rss_kib - int(hwm)) > 1024:
        run.error = f"ru_maxrss {mib(run.peak_rss_kib)} MiB but VmHWM {mib(int(hwm))} MiB"


def received(state: dict[str, Any], platform_name: str) -> tuple[int, str]:
    """(bytes, sha256) of the last video the sandbox received on `platform_name`."""
    items = {
        "facebook": state["facebook"]["videos"],
        "youtube": state["youtube"]["videos"],
        "x": state["x"]["media"],
    }[platform_name]
    if not items:
        return 0, ""
    return int(items[-1]["bytes_received"]), str(items[-1]["sha256"])


# -- the report --------------------------------------------------------------------------------


def mib(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.1f}"


def size_label(size: int) -> str:
    return f"{size / 1024**3:g} GiB" if size >= 1024**3 else f"{size / MIB:g} MiB"


def number(value: float | None, places: int = 1) -> str:
    return "-" if value is None else f"{value:.{places}f}"


def adapter_line(name: str, rows: list[Row], repeat: int) -> Line:
    """One line of the table for one adapter: every file size, its targets, and curl's speed.

    Memory compares the smallest and largest file. Speed is judged on the largest file: on a
    small one, fixed costs of a publish in a fresh process (imports, client setup, token,
    finishing calls) weigh as much as the bytes; its ratio is shown beside it."""
    sizes = " and ".join(size_label(r.size) for r in rows)
    measured = (
        f"{name}: a video through the adapter's publish, {sizes}, chunk "
        f"{size_label(rows[0].chunk)}, {repeat} run{'s' if repeat > 1 else ''} each"
    )
    target = (
        f"peak RSS: largest − smallest ≤ {RSS_GROWTH_TARGET_MIB:g} MiB, "
        f"max ≤ {RSS_PEAK_TARGET_MIB:g} MiB; speed ≥ {SPEED_RATIO_TARGET:g} × curl"
    )
    failed = next((r.error for r in rows if r.error), None)
    if failed or len(rows) < 2:
        return error_line(ROW, measured, target, failed or "needs two file sizes")
    small, large = min(rows, key=lambda r: r.size), max(rows, key=lambda r: r.size)
    assert small.peak_rss_kib is not None and large.peak_rss_kib is not None
    growth = (large.peak_rss_kib - small.peak_rss_kib) / 1024
    highest = max(r.peak_rss_kib or 0 for r in rows) / 1024
    ratio = large.ratio or 0.0
    figure = []
    for row in rows:
        low, high = row.speed_range or (0.0, 0.0)
        spread = f" ({low:.0f}–{high:.0f})" if len(row.runs) > 1 else ""
        figure.append(
            f"{size_label(row.size)}: {number(row.speed)}{spread} MiB/s, peak RSS "
            f"{mib(row.peak_rss_kib)} MiB, CPU {number(row.cpu_seconds)} s"
        )
    figure.append(f"RSS at start {mib(small.rss_before_kib)} MiB")
    curl = ", ".join(f"{size_label(r.size)} {number(r.curl_speed)} MiB/s" for r in rows)
    ratios = ", ".join(f"{size_label(r.size)} {number(r.ratio, 2)}" for r in rows)
    met = growth <= RSS_GROWTH_TARGET_MIB and highest <= RSS_PEAK_TARGET_MIB
    met = met and ratio >= SPEED_RATIO_TARGET
    detail = f"Δ {growth:+.1f} MiB, max {highest:.0f} MiB, {ratio:.2f} × curl"
    return Line(
        ROW,
        measured,
        "\n".join(figure),
        target,
        f"curl POST of the same file: {curl}\nadapter/curl: {ratios}",
        f"[green]met[/] {detail}" if met else f"[red]NOT MET[/] {detail}",
    )


@dataclass
class Settings:
    sizes_mib: list[int]
    platforms: list[str]
    repeat: int = DEFAULT_REPEAT


def run(settings: Settings) -> list[Line]:
    if shutil.which("curl") is None:
        return [error_line(ROW, "video uploads", "", "curl is not installed: the comparison")]
    largest = max(settings.sizes_mib) * MIB
    chunks = {name: chunk_for(name, largest) for name in settings.platforms}
    rows: list[Row] = []
    with (
        SandboxServer(seed=3) as sandbox,
        httpx.Client(base_url=sandbox.url, timeout=30) as control,
        tempfile.TemporaryDirectory(prefix="crosspost-bench-") as folder,
    ):
        log(f"uploads: sandbox {sandbox.url} (in this process; files in {folder})")
        knobs = {
            "youtube": {"client_id": YOUTUBE_CLIENT[0], "client_secret": YOUTUBE_CLIENT[1]},
            "facebook": {"page_id": FACEBOOK_PAGE_ID, "app_id": FACEBOOK_APP_ID},
        }
        control.post("/_sandbox/config", json=knobs).raise_for_status()
        for size_mib in settings.sizes_mib:
            with media_file(Path(folder), size_mib) as (path, sha256):
                mine = [Row(n, size_mib * MIB, chunks[n]) for n in settings.platforms]
                rows += mine
                # Repeats go round the adapters, so a slow spell of the machine hits all alike.
                for _ in range(settings.repeat):
                    for row in mine:
                        run_ = Run()
                        row.runs.append(run_)
                        control.post("/_sandbox/reset").raise_for_status()
                        run_curl(sandbox, control, path, sha256, run_)
                        run_adapter(sandbox, row.platform, path, sha256, row.chunk, run_)
                        log(f"uploads: {progress_line(row, run_)}")
    return [
        adapter_line(name, [r for r in rows if r.platform == name], settings.repeat)
        for name in settings.platforms
    ]


def progress_line(row: Row, run: Run) -> str:
    what = f"{row.platform} {size_label(row.size)}"
    if run.error:
        return f"{what}: {run.error}"
    speed = row.size / MIB / run.seconds if run.seconds else None
    curl = row.size / MIB / run.curl_seconds if run.curl_seconds else None
    return (
        f"{what}: {number(speed)} MiB/s, peak RSS {mib(run.peak_rss_kib)} MiB; "
        f"curl {number(curl)} MiB/s"
    )
