"""Several `crosspost worker` processes share one database: every post goes out exactly once.
Four workers on PostgreSQL with 1,000 posts; two on one SQLite file (BEGIN IMMEDIATE claims make
that safe, so a second SQLite worker is allowed rather than refused)."""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from crosspost.config import load_config
from crosspost.db.models import Attempt, Post
from crosspost.demo import duplicates, start_sandbox, write_config
from crosspost.scheduling import schedule
from crosspost.timeutil import utcnow
from tests.acceptance.cli import start
from tests.conftest import Database
from tests.support.factories import make_content

pytestmark = pytest.mark.acceptance


@pytest.mark.parametrize(
    ("backend", "workers", "items"), [("postgresql", 4, 500), ("sqlite", 2, 100)]
)
def test_every_post_goes_out_once(backend, workers, items, tmp_path):
    db = Database(backend, tmp_path)
    try:
        with start_sandbox() as sandbox:
            path = write_config(
                tmp_path,
                sandbox.url,
                database_url=db.url,
                worker={"concurrency": 8, "poll_seconds": 0.2, "reconcile_seconds": 1},
                # The sandbox has no rate limit: lift X's default budget (25 per 15 minutes).
                budgets={"tapchi-x": {"per_15_minutes": 0}},
            )
            config = load_config(path)
            # Given `items` articles, each due now on Facebook and X (2 posts per item)
            with db.factory.begin() as session:
                for n in range(items):
                    item = make_content(session, title=f"Tin số {n}: hội nghị cán bộ chủ chốt")
                    schedule(
                        session, config, item.id, utcnow(), actor="t", platforms=["facebook", "x"]
                    )
            total = 2 * items
            # When several workers run at once
            procs = [start(path, "worker") for _ in range(workers)]
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and published(db) < total:
                time.sleep(0.5)
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            errors = [proc.communicate(timeout=60)[1] for proc in procs]
            # Then every post is published once, and the work was shared
            assert published(db) == total, errors[0][-2000:]
            state = sandbox.state()
            assert len(state["x"]["tweets"]) == items
            assert len(state["facebook"]["posts"]) == items
            assert duplicates(state) == []
            with db.factory() as session:
                remote_ids = session.scalars(select(Post.remote_id)).all()
                by_worker = Counter(
                    session.scalars(
                        select(Attempt.worker).where(Attempt.outcome == "published")
                    ).all()
                )
            assert len(set(remote_ids)) == total
            assert sum(by_worker.values()) == total
            assert len(by_worker) > 1, by_worker  # more than one worker took part
            assert all(proc.returncode == 0 for proc in procs), errors
    finally:
        db.drop()


def published(db: Database) -> int:
    with db.factory() as session:
        return int(
            session.scalar(select(func.count(Post.id)).where(Post.state == "published")) or 0
        )
