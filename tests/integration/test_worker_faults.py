"""Faults of the worker's own machine: a full disk while preparing a post is a wait, not a
failure; any other preparation error fails the post with its reason."""

from __future__ import annotations

import errno
import time

from crosspost.worker import executor as executor_module
from crosspost.worker.dispatcher import Worker
from tests.integration.test_worker import given_post_on_x, post


def failing_once(error: OSError):
    real = executor_module.prepare_for
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
    monkeypatch.setattr(executor_module, "prepare_for", failing_once(no_space))
    post_id = given_post_on_x(db, memory_config)
    # When the worker runs
    Worker(memory_config, db.factory, concurrency=1).run_once()
    # Then the post waits to try again, saying why
    row = post(db, post_id)
    assert row.state == "retry_wait"
    assert row.wait_reason.startswith("temporary error: no room on disk to prepare the post")
    assert "No space left on device" in row.last_error
    # And once there is room, it goes out
    db_post = None
    for _ in range(50):
        Worker(memory_config, db.factory, concurrency=1).run_once()
        db_post = post(db, post_id)
        if db_post.state == "published":
            break
        time.sleep(0.1)
    assert db_post is not None and db_post.state == "published"


def test_another_preparation_error_fails_the_post_with_its_reason(db, memory_config, monkeypatch):
    denied = OSError(errno.EACCES, "Permission denied", "/srv/media/clip.mp4")
    monkeypatch.setattr(executor_module, "prepare_for", failing_once(denied))
    post_id = given_post_on_x(db, memory_config)
    Worker(memory_config, db.factory, concurrency=1).run_once()
    row = post(db, post_id)
    assert row.state == "failed"
    assert "could not prepare the post: PermissionError" in row.last_error
