"""On PostgreSQL a post scheduled by another process wakes the worker at once (LISTEN/NOTIFY),
not at its next poll; a dropped listening connection comes back by itself."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, select, text

from crosspost.config import WorkerSettings
from crosspost.db.models import Post
from crosspost.worker.dispatcher import Worker
from crosspost.worker.wakeups import APPLICATION_NAME
from tests.conftest import PG_URL
from tests.support.factories import make_content, schedule_now

POLL_SECONDS = 60.0  # far longer than any wait below: only a notification can wake the worker
pytestmark = pytest.mark.parametrize("db", ["postgresql"], indirect=True)


@pytest.fixture
def running_worker(db, memory_config) -> Iterator[Worker]:
    config = replace(
        memory_config, worker=WorkerSettings(poll_seconds=POLL_SECONDS, reconcile_seconds=60)
    )
    worker = Worker(config, db.factory, concurrency=2)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    wait_for(lambda: worker._listener is not None and worker._listener.listening.is_set())
    time.sleep(0.5)  # the start-up re-plan and first poll have run; only wake-ups remain
    yield worker
    stop.set()
    thread.join(timeout=30)


def wait_for(condition, timeout: float = 10.0) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "condition not met in time"
        time.sleep(0.02)
    return time.monotonic() - start


def schedule_elsewhere(db, memory_config, delay: float) -> int:
    """Another process's transaction (the CLI's `schedule`): a new session, committed."""
    with db.factory.begin() as session:
        item = make_content(session)
        (post_id,) = schedule_now(session, memory_config, item.id, delay=delay, platforms=["x"])
    return post_id


def state(db, post_id: int) -> str:
    with db.factory() as session:
        return session.scalar(select(Post.state).where(Post.id == post_id)) or ""


def test_a_post_scheduled_elsewhere_goes_out_without_waiting_for_a_poll(
    db, memory_config, running_worker
):
    # Given a worker polling only every minute
    # When another process schedules a post due in half a second
    post_id = schedule_elsewhere(db, memory_config, delay=0.5)
    # Then it is published within a few seconds, not at the next poll
    waited = wait_for(lambda: state(db, post_id) == "published", timeout=10)
    assert waited < 5


def test_the_listener_reconnects_after_its_connection_is_killed(db, memory_config, running_worker):
    listener = running_worker._listener
    assert listener is not None
    # Given the listening connection is terminated by the server
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name AND pid <> pg_backend_pid()"
            ),
            {"name": APPLICATION_NAME},
        ).scalar()
    admin.dispose()
    assert killed >= 1
    wait_for(lambda: not listener.listening.is_set(), timeout=5)
    # When it has come back (after its backoff)
    wait_for(listener.listening.is_set, timeout=10)
    time.sleep(0.3)
    # Then a post scheduled elsewhere still wakes the worker
    post_id = schedule_elsewhere(db, memory_config, delay=0.2)
    assert wait_for(lambda: state(db, post_id) == "published", timeout=10) < 5
