"""Row 1, lateness: posts due at a steady rate; how late each post's first request reaches the
sandbox, for real `crosspost worker` processes, against a minute-tick loop (computed from the
same schedule) and one APScheduler date job per post in its SQLAlchemyJobStore (run)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from articles import add_articles
from benchlib import (
    HERE,
    BenchDatabase,
    Line,
    SandboxProcess,
    Workers,
    describe_states,
    error_line,
    first_request_at,
    load_bench_config,
    log,
    ms,
    percentile,
    verdict,
    wait_until_published,
    write_config,
)

from crosspost.timeutil import utcnow

ROW = "1 lateness"
LATENCY_MS = 20.0
TARGET_P99_SECONDS = 0.100
LEAD_SECONDS = 3.0  # the first post is due this long after the posts are inserted
TICK_SECONDS = 60.0
WARM_SECONDS = 2.0  # the figures are also given without the posts due this early in the run


@dataclass
class Settings:
    posts: int = 6000
    rate: float = 100.0  # posts due per second
    concurrency: int = 8  # per worker process, and APScheduler's threads
    runs: list[tuple[str, int]] = field(default_factory=lambda: [("sqlite", 1)])
    apscheduler: bool = True


@dataclass
class Lateness:
    values: list[float]  # seconds, one per post that reached the sandbox, in due order
    expected: int
    note: str = ""
    skip: int = 0  # posts due in the first WARM_SECONDS, left out of `steady`

    @property
    def missing(self) -> int:
        return self.expected - len(self.values)

    def summary(self) -> str:
        if not self.values:
            return "no post reached the sandbox"
        text = (
            f"p50 {ms(percentile(self.values, 50))} · p99 {ms(percentile(self.values, 99))} · "
            f"max {ms(max(self.values))}"
        )
        if self.missing:
            text += f"\n[red]{self.missing} posts never reached the sandbox[/]"
        return text

    @property
    def p99(self) -> float:
        return percentile(self.values, 99)

    def steady(self) -> str:
        """The same figures without the posts due in the first seconds of the run: the worker's
        first publish on each thread loads the platforms' client libraries then."""
        rest = self.values[self.skip :]
        if not self.skip or not rest:
            return ""
        return (
            f"after the first {WARM_SECONDS:g} s: p50 {ms(percentile(rest, 50))} · "
            f"p99 {ms(percentile(rest, 99))} · max {ms(max(rest))}"
        )


def lateness_of(entries: list[dict[str, object]], due: Sequence[float]) -> list[float]:
    """First request of post n (1-based) minus due[n-1], for the posts that reached it."""
    first = first_request_at(entries)  # type: ignore[arg-type]
    return [first[n] - at for n, at in enumerate(due, start=1) if n in first]


def minute_tick(
    due: Sequence[float], loop_start: float, concurrency: int, service: float
) -> list[float]:
    """A loop started at `loop_start` that wakes every 60 s and publishes what is due, computed
    rather than run: a post due at s goes out at the first wake-up at or after s; a wake-up's
    batch is worked through `concurrency` at a time, each publish taking at least `service`
    (the sandbox's added latency), so post j of a batch starts ⌊j / concurrency⌋ services in."""
    batches: dict[int, list[float]] = {}
    for at in sorted(due):
        tick = max(0, math.ceil((at - loop_start) / TICK_SECONDS))
        batches.setdefault(tick, []).append(at)
    late: list[float] = []
    for tick, batch in batches.items():
        woke = loop_start + tick * TICK_SECONDS
        late += [woke + (j // concurrency) * service - at for j, at in enumerate(batch)]
    return late


def crosspost_run(
    sandbox: SandboxProcess, backend: str, workers: int, settings: Settings, folder: Path
) -> tuple[Lateness, list[float], float]:
    """Real `crosspost worker` processes publish the posts; returns their lateness, the due
    times (epoch) and when the posts were inserted (the minute-tick loop's start)."""
    with BenchDatabase(backend, folder) as db:
        config_path = write_config(folder, sandbox.url, db.url, concurrency=settings.concurrency)
        config = load_bench_config(config_path)
        with Workers(config_path, workers) as running:
            running.wait_started()
            inserted = time.time()
            first = utcnow() + timedelta(seconds=LEAD_SECONDS)
            due = [first + timedelta(seconds=i / settings.rate) for i in range(settings.posts)]
            add_articles(db, config, due)
            late_insert = time.time() - first.timestamp()
            deadline = time.monotonic() + LEAD_SECONDS + settings.posts / settings.rate + 120
            states = wait_until_published(db, settings.posts, deadline)
            codes = running.stop()
            if any(codes):
                log(running.tail())
        epochs = [d.timestamp() for d in due]
        result = Lateness(lateness_of(sandbox.requests(), epochs), settings.posts)
        result.skip = int(WARM_SECONDS * settings.rate)
        if states.get("published", 0) != settings.posts:
            result.note = f"only {describe_states(states)}"
        if late_insert > 0:
            result.note += f" (insert ended {late_insert:.1f} s after the first due time)"
        return result, epochs, inserted


def apscheduler_run(sandbox: SandboxProcess, settings: Settings, folder: Path) -> Lateness:
    """aps_lateness.py in its own process, its job store a SQLite file, the same posts."""
    folder.mkdir(parents=True, exist_ok=True)
    jobstore = f"sqlite:///{folder / 'jobs.sqlite'}"
    # Storing a job is one INSERT and commit: allow for it before the first post is due.
    lead = LEAD_SECONDS + settings.posts * 0.0025
    start = time.time() + lead
    command = [
        sys.executable,
        str(HERE / "aps_lateness.py"),
        sandbox.url,
        jobstore,
        "--count",
        str(settings.posts),
        "--rate",
        str(settings.rate),
        "--start",
        repr(start),
        "--threads",
        str(settings.concurrency),
    ]
    timeout = lead + settings.posts / settings.rate + 300
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False, cwd=HERE
    )
    if done.returncode != 0:
        raise RuntimeError(f"aps_lateness.py failed: {done.stderr[-600:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    due = [start + i / settings.rate for i in range(settings.posts)]
    result = Lateness(lateness_of(sandbox.requests(), due), settings.posts)
    notes = []
    if report["stored_after_first_due_seconds"] > 0:
        notes.append(
            f"storing the jobs ended {report['stored_after_first_due_seconds']:.1f} s late"
        )
    if report["error"] or report["missed"] or not report["finished"]:
        notes.append(f"{report['error']} failed, {report['missed']} missed")
    result.note = "; ".join(notes)
    log(f"lateness: APScheduler stored {settings.posts} jobs in {report['store_seconds']:.1f} s")
    return result


def run(settings: Settings) -> list[Line]:
    target = f"p99 ≤ {ms(TARGET_P99_SECONDS)}"
    results: list[tuple[str, Lateness | str]] = []
    tick: list[float] | None = None
    aps: Lateness | str | None = None
    with tempfile.TemporaryDirectory(prefix="crosspost-bench-") as tmp:
        for backend, workers in settings.runs:
            label = "SQLite" if backend == "sqlite" else "PostgreSQL"
            measured = (
                f"{settings.posts:,} posts due at {settings.rate:g}/s, {label}, "
                f"{workers} worker{'s' if workers > 1 else ''} × {settings.concurrency}, "
                f"sandbox +{LATENCY_MS:g} ms"
            )
            log(f"lateness: {label}, {workers} worker(s), {settings.posts} posts")
            try:
                with SandboxProcess(LATENCY_MS) as sandbox:
                    folder = Path(tmp) / f"{backend}-{workers}"
                    result, due, inserted = crosspost_run(
                        sandbox, backend, workers, settings, folder
                    )
                results.append((measured, result))
                log(f"lateness: {label}: {result.summary()} {result.note}")
                if tick is None:
                    tick = minute_tick(due, inserted, settings.concurrency, LATENCY_MS / 1000)
            except Exception as exc:
                results.append((measured, f"{type(exc).__name__}: {exc}"))
        if settings.apscheduler:
            log(f"lateness: APScheduler SQLAlchemyJobStore, {settings.posts} jobs")
            try:
                with SandboxProcess(LATENCY_MS) as sandbox:
                    aps = apscheduler_run(sandbox, settings, Path(tmp) / "apscheduler")
                log(f"lateness: APScheduler: {aps.summary()} {aps.note}")
            except Exception as exc:
                aps = f"{type(exc).__name__}: {exc}"
    comparison = []
    if tick is not None:
        comparison.append(
            f"minute tick (computed): p50 {ms(percentile(tick, 50))} · "
            f"p99 {ms(percentile(tick, 99))} · max {ms(max(tick))}"
        )
    if isinstance(aps, Lateness):
        text = f"APScheduler job per post, SQLAlchemyJobStore (run): {aps.summary()}"
        if aps.note:
            text += f" [red]({aps.note})[/]"
        comparison.append(text)
    elif isinstance(aps, str):
        comparison.append(f"APScheduler: [red]{aps}[/]")
    lines = []
    for measured, outcome in results:
        if isinstance(outcome, str):
            lines.append(error_line(ROW, measured, target, outcome))
            continue
        figure = outcome.summary()
        if outcome.steady():
            figure += f"\n({outcome.steady()})"
        if outcome.note:
            figure += f"\n[red]{outcome.note}[/]"
        met = outcome.p99 <= TARGET_P99_SECONDS and not outcome.missing
        lines.append(Line(ROW, measured, figure, target, "\n".join(comparison), verdict(met)))
    return lines
