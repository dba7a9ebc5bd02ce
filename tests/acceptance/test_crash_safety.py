"""Exactly once under crashes: the real `crosspost worker`, publishing to the sandbox through
the real adapters while the sandbox injects 5xx, 429, permanent and ambiguous faults, is killed
with SIGKILL at random moments and restarted. In the end the sandbox holds every post once,
and every post is published, or failed with the injected permanent reason."""

from __future__ import annotations

import random
import signal
import time

import pytest
from sqlalchemy import select

from crosspost.adapters.base import ContentKind, MediaRole
from crosspost.config import load_config
from crosspost.db.models import Attempt, Post
from crosspost.demo import duplicates, generate_media, start_sandbox, write_config
from crosspost.scheduling import schedule
from crosspost.timeutil import utcnow
from tests.acceptance.cli import start
from tests.support.factories import make_content

pytestmark = pytest.mark.acceptance

FAULTS = {"5xx": 0.05, "429": 0.03, "ambiguous": 0.06, "permanent": 0.02}
KILLS = 6
ENDED = ("published", "failed")


@pytest.fixture
def sandbox():
    with start_sandbox(seed=11, faults=FAULTS) as server:
        yield server


def states(db) -> dict[int, str]:
    with db.factory() as session:
        return dict(session.execute(select(Post.id, Post.state)).all())


def not_ended(db) -> list[tuple[int, str, str, str | None, str | None]]:
    """The posts still going: id, platform, state, why they wait, their last error."""
    with db.factory() as session:
        rows = session.execute(
            select(Post.id, Post.platform, Post.state, Post.wait_reason, Post.last_error)
        ).all()
    return [tuple(row) for row in rows if row.state not in ENDED]


def attempt_log(db) -> list[tuple[int, str, int, str | None, str | None, str | None]]:
    """Every attempt (post, platform, number, outcome, remote id, message): what to read when
    the sandbox holds a copy twice."""
    with db.factory() as session:
        rows = session.execute(
            select(
                Attempt.post_id,
                Post.platform,
                Attempt.number,
                Attempt.outcome,
                Attempt.remote_id,
                Attempt.message,
            )
            .join(Post, Post.id == Attempt.post_id)
            .order_by(Attempt.post_id, Attempt.number)
        ).all()
    return [tuple(row) for row in rows]


def test_sigkill_at_random_moments_loses_and_doubles_nothing(db, sandbox, tmp_path):
    # Given articles (Facebook, X) and videos (all three) due now, on a short lease
    path = write_config(
        tmp_path,
        sandbox.url,
        database_url=db.url,
        worker={
            "concurrency": 4,
            "lease_seconds": 5,
            "heartbeat_seconds": 1,
            "poll_seconds": 0.3,
            "reconcile_seconds": 1,
            "grace_seconds": 2,
        },
        retry={"base_seconds": 0.2, "max_delay_seconds": 2, "max_attempts": 50},
        # Killed claims count as started posts: lift X's default budget (25 per 15 minutes).
        budgets={"tapchi-x": {"per_15_minutes": 0}},
    )
    config = load_config(path)
    media = generate_media(tmp_path / "media")
    with db.factory.begin() as session:
        for n in range(8):
            item = make_content(session, title=f"Bài viết số {n}: sinh hoạt chi bộ ở cơ sở")
            schedule(session, config, item.id, utcnow(), actor="t", platforms=["facebook", "x"])
        for n in range(2):
            item = make_content(
                session,
                kind=ContentKind.VIDEO,
                title=f"Phóng sự số {n}: đảng viên trẻ vùng cao",
                media=[(MediaRole.VIDEO, media["video"]), (MediaRole.COVER, media["cover"])],
            )
            schedule(session, config, item.id, utcnow(), actor="t")
    post_ids = list(states(db))
    assert len(post_ids) == 22

    # When workers are killed with SIGKILL at random moments, then one runs to the end
    rng = random.Random(5)
    for _ in range(KILLS):
        worker = start(path, "worker")
        time.sleep(rng.uniform(0.5, 3.0))
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    worker = start(path, "worker")
    # A Facebook 429 rests the whole account for a minute (Graph counts regain time in minutes)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not all(s in ENDED for s in states(db).values()):
        time.sleep(0.5)
    worker.send_signal(signal.SIGTERM)
    _, stderr = worker.communicate(timeout=30)

    # Then every post ended, published once or failed with the injected permanent error
    final = states(db)
    assert all(s in ENDED for s in final.values()), (not_ended(db), stderr[-3000:])
    state = sandbox.state()
    assert duplicates(state) == [], attempt_log(db)
    remote = {
        "facebook": {p["id"] for p in state["facebook"]["posts"]}
        | {v["id"] for v in state["facebook"]["videos"]},
        "youtube": {v["id"] for v in state["youtube"]["videos"]},
        "x": {t["id"] for t in state["x"]["tweets"]},
    }
    with db.factory() as session:
        for post in session.scalars(select(Post)):
            if post.state == "published":
                assert post.remote_id in remote[post.platform], post.id
            else:
                last = session.scalars(
                    select(Attempt)
                    .where(Attempt.post_id == post.id, Attempt.outcome.is_not(None))
                    .order_by(Attempt.id.desc())
                ).first()
                assert last is not None and last.outcome == "permanent", (post.id, post.last_error)
    published = sum(1 for s in final.values() if s == "published")
    assert published >= len(final) // 2  # the faults are rare; most posts must go out
    assert sandbox.app.faults.describe()["injected"].get("ambiguous", 0) > 0
