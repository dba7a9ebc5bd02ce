"""Faults outside the platforms, with the real `crosspost worker` publishing to the sandbox:
the database unreachable at start, gone for a while mid-run, or refusing writes as a full disk
does. The worker says so in one line, and in the end every post is published exactly once."""

from __future__ import annotations

import resource
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from crosspost.config import load_config
from crosspost.db.models import Post
from crosspost.demo import duplicates, start_sandbox, write_config
from crosspost.scheduling import schedule
from crosspost.timeutil import utcnow
from tests.acceptance.cli import Running, run, start
from tests.support.factories import make_content
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.acceptance

FAST = {
    "concurrency": 4,
    "lease_seconds": 6,
    "heartbeat_seconds": 1,
    "poll_seconds": 0.3,
    "reconcile_seconds": 1,
    "grace_seconds": 2,
}
RETRY = {"base_seconds": 0.2, "max_delay_seconds": 2, "max_attempts": 50}
ARTICLES = 10  # to Facebook and X: 20 posts


@pytest.fixture
def sandbox():
    with start_sandbox(seed=3, latency_ms=250) as server:  # calls in flight when the fault hits
        yield server


def given_articles(db, config_path: Path) -> None:
    """Articles due over the next few seconds, so publishing spans the fault."""
    config = load_config(config_path)
    now = utcnow()
    with db.factory.begin() as session:
        for n in range(ARTICLES):
            item = make_content(session, title=f"Bài viết số {n}: đối thoại với nhân dân")
            at = now + timedelta(seconds=0.4 * n)
            schedule(session, config, item.id, at, actor="t", platforms=["facebook", "x"])


def states(db) -> dict[int, str]:
    with db.factory() as session:
        return dict(session.execute(select(Post.id, Post.state)).all())


def wait_until_all_published(db, timeout: float) -> dict[int, str]:
    deadline = time.monotonic() + timeout
    final = states(db)
    while time.monotonic() < deadline and set(final.values()) != {"published"}:
        time.sleep(0.5)
        final = states(db)
    return final


def when_posts_are_going_out(db, worker: Running, timeout: float = 30) -> None:
    """Wait until the worker has published its first post: a fault before the worker has
    reached its database at all is the start-up case (it refuses to start, in one line)."""
    deadline = time.monotonic() + timeout
    while "published" not in states(db).values():
        assert worker.process.poll() is None, "the worker stopped before publishing anything"
        assert time.monotonic() < deadline, "the worker published nothing in time"
        time.sleep(0.1)


def then_the_worker_carries_on(db, sandbox, worker: Running) -> str:
    """The worker outlived the fault, every post is out exactly once, and no traceback was
    logged; returns the worker's log."""
    final = wait_until_all_published(db, timeout=90)
    assert worker.process.poll() is None, "the worker must outlive the fault"
    worker.send_signal(signal.SIGTERM)
    _, log = worker.communicate(timeout=30)
    then_each_post_is_out_exactly_once(db, sandbox, final, log)
    assert "Traceback" not in log, log[max(0, log.find("Traceback") - 800) :][:4000]
    return log


def then_each_post_is_out_exactly_once(db, sandbox, final: dict[int, str], log: str) -> None:
    assert len(final) == 2 * ARTICLES
    assert set(final.values()) == {"published"}, (final, log[-3000:])
    state = sandbox.state()
    assert duplicates(state) == []
    assert len(state["facebook"]["posts"]) == ARTICLES
    assert len(state["x"]["tweets"]) == ARTICLES


def test_a_worker_without_its_database_refuses_to_start_in_one_line(tmp_path, sandbox):
    path = write_config(
        tmp_path, sandbox.url, database_url="postgresql://crosspost@127.0.0.1:1/crosspost"
    )
    result = run(path, "worker", check=False)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: cannot reach the database")
    assert "check database_url or CROSSPOST_DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_the_database_gone_for_seconds_mid_run_loses_and_doubles_nothing(db, sandbox, tmp_path):
    with TcpProxy(("127.0.0.1", 5432)) as proxy:
        # Given a worker that reaches PostgreSQL through a link the test can cut
        url = db.url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")
        assert url != db.url
        path = write_config(tmp_path, sandbox.url, database_url=url, worker=FAST, retry=RETRY)
        given_articles(db, path)
        worker = start(path, "worker")
        # When the database goes away for 4 seconds while posts are going out
        when_posts_are_going_out(db, worker)
        proxy.cut()
        time.sleep(4)
        assert worker.returncode is None
        proxy.restore()
        # Then the worker carries on by itself, and every post is out exactly once
        log = then_the_worker_carries_on(db, sandbox, worker)
    assert "database unavailable" in log


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_disk_refusing_writes_mid_run_loses_and_doubles_nothing(db, sandbox, tmp_path):
    # Given a worker on SQLite
    path = write_config(tmp_path, sandbox.url, database_url=db.url, worker=FAST, retry=RETRY)
    given_articles(db, path)
    worker = start(path, "worker")
    pid = worker.process.pid
    # When, while posts are going out, no file of the worker's may grow for 4 seconds (what a
    # full disk does to it; the OS says "file too large" instead of "no space left")
    when_posts_are_going_out(db, worker)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
    time.sleep(4)
    assert worker.process.poll() is None
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    # Then the worker carries on once the disk takes writes again: every post out exactly once
    then_the_worker_carries_on(db, sandbox, worker)
