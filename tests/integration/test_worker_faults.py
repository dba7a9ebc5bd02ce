"""Faults of the worker's own machine: a full disk while preparing a post (drafting one from
before stored drafts, which may write the podcast video) is a wait, not a failure; any other
preparation error (checking the stored draft's media) fails the post with its reason."""

from __future__ import annotations

import errno
import time
from datetime import timedelta

from sqlalchemy import select, update

from crosspost.accounts import build_adapter
from crosspost.adapters.base import ContentKind, Draft, MediaRole, Platform
from crosspost.db.models import Attempt, Post
from crosspost.posts import claims, leases
from crosspost.worker import executor as executor_module
from crosspost.worker.dispatcher import Worker
from crosspost.worker.executor import Executor
from tests.integration.test_worker import given_post_on_x, journal_entries, post
from tests.support.factories import make_content, schedule_now


def failing_once(error: OSError, name: str = "draft_for"):
    real = getattr(executor_module, name)
    calls = {"n": 0}

    def prepare(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise error
        return real(*args, **kwargs)

    return prepare


def test_a_full_disk_while_preparing_media_waits_and_tries_again(db, memory_config, monkeypatch):
    # Given the disk is full the first time the post's media is prepared
    no_space = OSError(errno.ENOSPC, "No space left on device", "/var/crosspost/media-cache")
    monkeypatch.setattr(executor_module, "draft_for", failing_once(no_space))
    post_id = given_post_on_x(db, memory_config)
    with db.factory.begin() as session:  # scheduled before stored drafts: drafted at its claim
        session.execute(update(Post).where(Post.id == post_id).values(draft=None))
    # When the worker runs until the post is out
    row = run_until_ended(db, memory_config, post_id)
    # Then the full disk cost one retryable attempt, and the post went out on the next
    assert row.state == "published"
    assert attempt_log(db, post_id) == [
        (
            "retryable",
            "no room on disk to prepare the post: [Errno 28] No space left on device: "
            "'/var/crosspost/media-cache'",
        ),
        ("published", None),
    ]


def run_until_ended(db, config, post_id: int):
    row = post(db, post_id)
    for _ in range(100):
        Worker(config, db.factory, concurrency=1).run_once()
        row = post(db, post_id)
        if row.state in ("published", "failed"):
            break
        time.sleep(0.05)
    return row


def attempt_log(db, post_id: int) -> list[tuple[str | None, str | None]]:
    with db.factory() as session:
        return [
            (a.outcome, a.message)
            for a in session.scalars(
                select(Attempt).where(Attempt.post_id == post_id).order_by(Attempt.id)
            )
        ]


def test_another_preparation_error_fails_the_post_with_its_reason(db, memory_config, monkeypatch):
    denied = OSError(errno.EACCES, "Permission denied", "/srv/media/clip.mp4")
    monkeypatch.setattr(executor_module, "changed_media", failing_once(denied, "changed_media"))
    post_id = given_post_on_x(db, memory_config)
    Worker(memory_config, db.factory, concurrency=1).run_once()
    row = post(db, post_id)
    assert row.state == "failed"
    assert "could not prepare the post: PermissionError" in row.last_error


def test_a_media_file_deleted_after_scheduling_fails_the_post_naming_the_file(
    db, memory_config, tmp_path
):
    # Given a video scheduled on Facebook, whose file is then deleted
    video = tmp_path / "phong-su.mp4"
    video.write_bytes(b"\x00" * 4096)
    with db.factory.begin() as session:
        item = make_content(session, kind=ContentKind.VIDEO, media=[(MediaRole.VIDEO, video)])
        (post_id,) = schedule_now(session, memory_config, item.id, platforms=["facebook"])
    video.unlink()
    # When the worker runs
    Worker(memory_config, db.factory, concurrency=1).run_once()
    # Then the post fails at once, nothing was sent, and the reason names the file
    row = post(db, post_id)
    assert row.state == "failed"
    assert str(video) in row.last_error and "is missing" in row.last_error
    assert not journal_entries(tmp_path / "journal.jsonl")


def test_a_database_outage_while_reading_the_post_is_a_retry_not_a_failure(
    db, memory_config, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    real = executor_module.read_stored
    calls = {"n": 0}

    def flaky(session, post_id):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("SELECT …", {}, Exception("server closed the connection"))
        return real(session, post_id)

    monkeypatch.setattr(executor_module, "read_stored", flaky)
    post_id = given_post_on_x(db, memory_config)
    row = run_until_ended(db, memory_config, post_id)
    assert row.state == "published"
    assert attempt_log(db, post_id) == [
        ("retryable", "database unavailable: server closed the connection"),
        ("published", None),
    ]


def test_a_draft_that_cannot_be_made_again_leaves_the_post_unknown(
    db, memory_config, journal, monkeypatch
):
    # Given a post sent before drafts were stored, whose worker died before recording it
    post_id = given_post_on_x(db, memory_config)
    (claim,) = claims.claim_due(db.factory, "dead-worker", 1, timedelta(seconds=0.2))
    executor = Executor(memory_config, db.factory, "dead-worker")
    build_adapter(memory_config, "xacct").publish(executor.build_request(claim))
    with db.factory.begin() as session:
        session.execute(update(Post).where(Post.id == post_id).values(draft=None))
    time.sleep(0.3)
    leases.expire_leases(db.factory)

    # When its draft cannot be made again to look for the copy (its media fail to prepare)
    def unmade(config, account_name, content, **kwargs):
        return Draft(Platform.X, content.kind, problems=("cannot prepare media: ffmpeg failed",))

    monkeypatch.setattr(executor_module, "draft_for", unmade)
    Worker(memory_config, db.factory, concurrency=1).run_once()
    # Then the post stays unknown (an empty draft would match any post), and nothing went again
    row = post(db, post_id)
    assert row.state == "unknown"
    assert "cannot rebuild the draft: cannot prepare media: ffmpeg failed" in row.last_error
    assert len(journal_entries(journal)) == 1
