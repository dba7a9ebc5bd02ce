"""The comparison of row 1: one APScheduler date job per post, in APScheduler's own
SQLAlchemyJobStore, each job making the post's create request to the sandbox.

`run.py` starts this in a process of its own, as it starts `crosspost worker`: the same posts
(numbers 1..N, post n due at START + (n-1)/RATE), the same sandbox, the same number of threads.
It stores every job, waits for the run to end, and prints one JSON line: how long storing took,
how many jobs ran, failed or were missed.

    .venv/bin/python bench/aps_lateness.py SANDBOX_URL JOBSTORE_URL --count N --rate R \
        --start EPOCH --threads T
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from benchlib import oauth1_header, send_create  # bench/ is sys.path[0]

_local = threading.local()
SANDBOX: dict[str, str] = {}


def _client() -> httpx.Client:
    client: httpx.Client | None = getattr(_local, "client", None)
    if client is None:
        client = _local.client = httpx.Client(timeout=60)
    return client


def publish(n: int) -> None:
    """The job: post n's create call, as the adapters make it (a module-level function, so the
    job store keeps a reference to it, as APScheduler requires)."""
    response = send_create(_client(), SANDBOX["url"], n, SANDBOX["oauth"])
    response.raise_for_status()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sandbox_url")
    parser.add_argument("jobstore_url")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True, help="posts due per second")
    parser.add_argument("--start", type=float, required=True, help="when post 1 is due (epoch)")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)
    SANDBOX["url"] = args.sandbox_url
    SANDBOX["oauth"] = oauth1_header(f"{args.sandbox_url}/2/tweets")

    counts = {"executed": 0, "error": 0, "missed": 0}
    lock = threading.Lock()
    done = threading.Event()

    def listener(event: JobEvent) -> None:
        kind = {
            EVENT_JOB_EXECUTED: "executed",
            EVENT_JOB_ERROR: "error",
            EVENT_JOB_MISSED: "missed",
        }
        with lock:
            counts[kind[event.code]] += 1
            if sum(counts.values()) >= args.count:
                done.set()

    # The defaults a deployment would pick for "run every post, however late": no misfire
    # grace limit (the default of 1 s would silently skip late posts), no coalescing.
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=args.jobstore_url)},
        executors={"default": ThreadPoolExecutor(args.threads)},
        job_defaults={"misfire_grace_time": None, "coalesce": False},
        timezone=UTC,
    )
    scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    scheduler.start()
    start = datetime.fromtimestamp(args.start, UTC)
    began = time.monotonic()
    for n in range(1, args.count + 1):
        scheduler.add_job(
            publish,
            "date",
            run_date=start + timedelta(seconds=(n - 1) / args.rate),
            args=[n],
            id=f"post-{n}",
        )
    stored = time.monotonic() - began
    late_store = time.time() - args.start
    finished = done.wait(args.timeout)
    scheduler.shutdown(wait=True)
    result: dict[str, Any] = {
        "store_seconds": stored,
        "stored_after_first_due_seconds": late_store,
        "finished": finished,
        **counts,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
