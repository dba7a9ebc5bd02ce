"""SIGTERM: the worker stops claiming, lets in-flight posts finish within the grace period,
and exits when it ends; what is still in flight then is left to lease expiry and reconciliation
(the platform may still be processing it), so nothing is lost or doubled."""

from __future__ import annotations

import signal
import time

import pytest
from sqlalchemy import select

from crosspost.config import load_config
from crosspost.db.models import Post
from crosspost.demo import duplicates, start_sandbox, write_config
from crosspost.scheduling import schedule
from crosspost.timeutil import utcnow
from tests.acceptance.cli import start
from tests.support.factories import make_content

pytestmark = pytest.mark.acceptance

WORKER = {
    "concurrency": 2,
    "lease_seconds": 5,
    "heartbeat_seconds": 1,
    "poll_seconds": 0.3,
    "reconcile_seconds": 1,
    "grace_seconds": 1,
}


def states(db) -> dict[int, str]:
    with db.factory() as session:
        return dict(session.execute(select(Post.id, Post.state)).all())


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_sigterm_exits_after_the_grace_period_and_the_rest_is_reconciled(db, tmp_path):
    with start_sandbox(latency_ms=4000) as sandbox:  # every call takes 4 s
        path = write_config(tmp_path, sandbox.url, database_url=db.url, worker=WORKER)
        config = load_config(path)
        with db.factory.begin() as session:
            for n in range(3):
                item = make_content(session, title=f"Bài viết số {n}: một ngày ở chi bộ thôn")
                schedule(session, config, item.id, utcnow(), actor="t", platforms=["x"])
        # Given a worker with two posts in flight (a third waits for a free slot)
        worker = start(path, "worker")
        deadline = time.monotonic() + 20
        while list(states(db).values()).count("publishing") < 2:
            assert time.monotonic() < deadline, states(db)
            time.sleep(0.1)
        # When it gets SIGTERM with a 1-second grace period
        stopped_at = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        # Then it exits after the grace period, not when the 4-second calls end
        assert time.monotonic() - stopped_at < 4
        _, log = worker.communicate()
        assert "still publishing after the 1s grace period" in log
        after = states(db)
        assert sorted(after.values()) == ["publishing", "publishing", "scheduled"]
        # And a new worker takes over once the leases expire: each post is out exactly once
        worker = start(path, "worker")
        deadline = time.monotonic() + 90
        while set(states(db).values()) != {"published"}:
            assert time.monotonic() < deadline, states(db)
            time.sleep(0.3)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        time.sleep(4.5)  # let any call the first worker had sent land at the sandbox
        state = sandbox.state()
    assert duplicates(state) == []
    assert len(state["x"]["tweets"]) == 3
