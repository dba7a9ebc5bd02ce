"""Row 2, throughput: posts due at once, published by one `crosspost worker`, against what the
same sandbox serves a plain load generator at the same concurrency."""

from __future__ import annotations

import itertools
import math
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from articles import add_articles
from benchlib import (
    BenchDatabase,
    Line,
    SandboxProcess,
    Workers,
    describe_states,
    error_line,
    load_bench_config,
    log,
    oauth1_header,
    send_create,
    verdict,
    wait_until_published,
    write_config,
)
from sqlalchemy import func, select

from crosspost.db.models import Attempt, Post
from crosspost.timeutil import as_utc, utcnow

LATENCY_MS = 50.0
CONCURRENCY = 32
RATIO_TARGET = 0.5
ROW = "2 throughput"


@dataclass
class Settings:
    posts: int
    backends: list[str]


def load_generator(url: str, total: int, concurrency: int) -> tuple[float, int]:
    """`concurrency` threads, each with its own keep-alive httpx client, send `total` POSTs
    between them: the create call of each bench post (X: POST /2/tweets with the text as JSON;
    Facebook: POST /{page}/feed with message and link as a form). Returns (seconds, errors)."""
    numbers = itertools.count(1)
    lock = threading.Lock()
    errors = 0
    oauth = oauth1_header(f"{url}/2/tweets")
    ready = threading.Barrier(concurrency + 1)

    def run() -> None:
        nonlocal errors
        with httpx.Client(timeout=60) as client:
            ready.wait()
            while True:
                with lock:
                    n = next(numbers)
                if n > total:
                    return
                response = send_create(client, url, n, oauth)
                if not response.is_success:
                    with lock:
                        errors += 1

    threads = [threading.Thread(target=run, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, errors


def worker_run(
    sandbox: SandboxProcess, backend: str, posts: int, folder: Path
) -> tuple[float, str, float, float]:
    """One `crosspost worker` (concurrency 32) publishes `posts` articles all due now.

    Returns (posts per second, a note on anything that did not publish, worker CPU s/post,
    sandbox requests per post).
    Posts per second is counted from the first attempt's start to the last post published,
    both as the worker recorded them, so the worker's own start-up is left out."""
    with BenchDatabase(backend, folder, pool_size=10) as db:
        config_path = write_config(folder, sandbox.url, db.url, concurrency=CONCURRENCY)
        config = load_bench_config(config_path)
        now = utcnow()
        add_articles(db, config, [now - timedelta(seconds=1)] * posts)
        cpu = math.nan
        with Workers(config_path, 1) as workers:
            workers.wait_started()
            cpu_start = workers.cpu_seconds()  # imports and start-up are not per post
            deadline = time.monotonic() + max(120.0, posts / 10)
            states = wait_until_published(db, posts, deadline)
            cpu = workers.cpu_seconds() - cpu_start
            codes = workers.stop()
            tail = workers.tail() if any(codes) else ""
        with db.factory() as session:
            first = session.scalar(select(func.min(Attempt.started_at)))
            last = session.scalar(select(func.max(Post.published_at)))
        published = states.get("published", 0)
        note = "" if published == posts else f"only {describe_states(states)}"
        if tail:
            note += f" worker exit codes {codes}"
            log(tail)
        if first is None or last is None or published == 0:
            return math.nan, note or "nothing published", math.nan, math.nan
        seconds = (as_utc(last) - as_utc(first)).total_seconds()
        calls = len(sandbox.requests()) / published
        return published / seconds, note, cpu / max(published, 1), calls


def run(settings: Settings) -> list[Line]:
    target = f"≥ {RATIO_TARGET:g} × load generator"
    lines: list[Line] = []
    with (
        SandboxProcess(LATENCY_MS) as sandbox,
        tempfile.TemporaryDirectory(prefix="crosspost-bench-") as tmp,
    ):
        log(f"throughput: load generator, {settings.posts} POSTs, {CONCURRENCY} threads")
        cpu_start = sandbox.cpu_seconds()
        seconds, errors = load_generator(sandbox.url, settings.posts, CONCURRENCY)
        baseline = settings.posts / seconds
        sandbox_cpu = sandbox.cpu_seconds() - cpu_start
        log(f"throughput: load generator {baseline:.0f} requests/s ({errors} errors)")
        base_text = (
            f"plain load generator: {baseline:,.0f} requests/s\n"
            f"({CONCURRENCY} httpx threads, same POSTs"
            + (f", [red]{errors} errors[/]" if errors else "")
            + ")"
        )
        for backend in settings.backends:
            sandbox.reset()
            label = "SQLite" if backend == "sqlite" else "PostgreSQL"
            measured = (
                f"{settings.posts:,} articles due at once, 1 worker × {CONCURRENCY}, "
                f"{label}, sandbox +{LATENCY_MS:g} ms"
            )
            log(f"throughput: {label}, {settings.posts} posts, 1 worker × {CONCURRENCY}")
            cpu_before = sandbox.cpu_seconds()
            try:
                rate, note, cpu_per_post, calls = worker_run(
                    sandbox, backend, settings.posts, Path(tmp) / backend
                )
            except Exception as exc:  # one failed measurement is a line, not a crash
                lines.append(error_line(ROW, measured, target, f"{type(exc).__name__}: {exc}"))
                continue
            sandbox_per_post = (sandbox.cpu_seconds() - cpu_before) / settings.posts
            ratio = rate / baseline
            log(f"throughput: {label} {rate:.0f} posts/s, ratio {ratio:.2f}")
            figure = (
                f"{rate:,.0f} posts/s ({calls:.1f} sandbox requests per post)\n"
                f"worker CPU {cpu_per_post * 1000:.1f} ms/post, "
                f"sandbox {sandbox_per_post * 1000:.1f} ms/post"
            )
            if note:
                figure += f"\n[red]{note}[/]"
            lines.append(
                Line(
                    ROW,
                    measured,
                    figure,
                    target,
                    base_text
                    + f"\n(sandbox CPU {sandbox_cpu / settings.posts * 1000:.1f} ms/request)",
                    verdict(ratio >= RATIO_TARGET and not note, f"ratio {ratio:.2f}"),
                )
            )
    return lines
