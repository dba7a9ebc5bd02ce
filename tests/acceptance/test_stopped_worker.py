"""A SIGKILLed worker's post is visible and taken back at once: while it waits, `posts list`
and `posts show` name the stopped worker and the end of its lease; a worker started on the same
host then asks the platform first, finds the copy the killed one made, and records it — minutes
before the lease would have run out, and never a second copy (judged by the sandbox's records).
"""

from __future__ import annotations

import signal
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from crosspost.config import load_config
from crosspost.db.models import Attempt, Post
from crosspost.demo import duplicates, start_sandbox, write_config
from crosspost.posts.leases import parse_owner, this_host
from crosspost.scheduling import schedule
from crosspost.timeutil import utcnow
from tests.acceptance.cli import run, run_json, start
from tests.support.factories import make_content
from tests.support.stall_proxy import StallProxy

pytestmark = pytest.mark.acceptance

LEASE_SECONDS = 300
WORKER = {
    "concurrency": 1,
    "lease_seconds": LEASE_SECONDS,
    "heartbeat_seconds": 1,
    "poll_seconds": 0.3,
    "reconcile_seconds": 1,
    "grace_seconds": 1,
}
TITLE = "Bài viết: chi bộ thôn Nà Hin họp định kỳ"


def wait_for(what, check, seconds: float):
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.1)
    return found


def the_post(db) -> Post:
    with db.factory() as session:
        return session.scalars(select(Post)).one()


def tweets(sandbox) -> list[dict]:
    return [t for t in sandbox.state()["x"]["tweets"] if TITLE in t["text"]]


def test_a_killed_workers_post_is_shown_and_taken_back_before_its_lease_ends(db, tmp_path):
    with start_sandbox() as sandbox, StallProxy(sandbox.url) as proxy:
        # Given a worker on a five-minute lease whose X post reached the platform, with the
        # answer held back, when the worker is killed with SIGKILL
        path = write_config(tmp_path, proxy.url, database_url=db.url, worker=WORKER)
        config = load_config(path)
        with db.factory.begin() as session:
            item = make_content(session, title=TITLE)
            schedule(session, config, item.id, utcnow(), actor="t", platforms=["x"])
        proxy.stall("x", "tweets.create")
        killed = start(path, "worker")
        wait_for("the tweet is made", lambda: proxy.stalled == ["tweets.create"], 30)
        assert the_post(db).state == "publishing" and len(tweets(sandbox)) == 1
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        killed_at = utcnow()

        # Then `posts list` and `posts show` name the stopped worker and its lease's end
        (row,) = run_json(path, "posts", "list")
        owner = parse_owner(row["lease_owner"])
        assert owner is not None and (owner.host, owner.pid) == (this_host(), killed.process.pid)
        assert row["state"] == "publishing" and row["lease_holder"] == "stopped"
        expires = datetime.fromisoformat(row["lease_expires_at"])
        assert expires.utcoffset() == timedelta(hours=7)  # Asia/Ho_Chi_Minh, as other times
        assert expires > killed_at + timedelta(seconds=LEASE_SECONDS - 60)
        until = str(expires.replace(microsecond=0))
        assert (
            row["waiting_for"]
            == f"waiting for the lease of a stopped worker ({owner}) until {until}"
        )
        shown = run_json(path, "posts", "show", str(row["id"]))
        assert {k: shown[k] for k in ("lease_owner", "lease_expires_at", "lease_holder")} == {
            k: row[k] for k in ("lease_owner", "lease_expires_at", "lease_holder")
        }
        table = run(path, "posts", "list").stdout
        assert row["lease_owner"] in table and "(stopped)" in table and "stopped worker" in table

        # When a worker starts on this host
        started = time.monotonic()
        worker = start(path, "worker")
        post = wait_for("published", lambda: (p := the_post(db)).state == "published" and p, 60)
        took = time.monotonic() - started
        worker.send_signal(signal.SIGTERM)
        _, log = worker.communicate(timeout=30)

        # Then it reconciled the post long before the lease would have ended, with one copy
        assert took < LEASE_SECONDS / 5, log[-2000:]
        assert "stopped worker(s)" in log
        (tweet,) = tweets(sandbox)
        assert post.remote_id == tweet["id"]
        assert duplicates(sandbox.state()) == []
        with db.factory() as session:
            outcomes = session.execute(
                select(Attempt.outcome, Attempt.message).order_by(Attempt.id)
            ).all()
        assert [o for o, _ in outcomes] == ["lease_expired", "reconciled"], outcomes
        assert outcomes[0][1].startswith(f"the worker's process ({owner}) was gone")
