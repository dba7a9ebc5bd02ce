"""Alerts reach the notification URLs in config (here apprise's JSON webhook to a local
endpoint): a post failed for good, an account paused, a post stuck `unknown`."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import update

from crosspost.alerts import Alerts
from crosspost.db.models import Attempt, Post
from crosspost.posts import claims, leases, moves
from crosspost.timeutil import utcnow
from crosspost.worker.dispatcher import Worker
from tests.integration.test_worker import given_post_on_x, with_settings


class Inbox:
    """A local webhook endpoint that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[dict[str, str]] = []
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                inbox.received.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/alerts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def titles(self) -> list[str]:
        return [m["title"] for m in self.received]


@pytest.fixture
def inbox():
    box = Inbox()
    yield box
    box.server.shutdown()


def test_a_post_that_fails_for_good_is_reported(db, memory_config, inbox):
    config = replace(
        with_settings(memory_config, fail_times=9, fail_with="permanent"), notify_urls=(inbox.url,)
    )
    post_id = given_post_on_x(db, config)
    Worker(config, db.factory).run_once()
    assert inbox.titles() == [f"crosspost: post {post_id} failed"]
    assert "content refused" in inbox.received[0]["message"]


def test_an_account_paused_is_reported_once(db, memory_config, inbox):
    config = replace(
        with_settings(memory_config, fail_times=9, fail_with="auth"), notify_urls=(inbox.url,)
    )
    given_post_on_x(db, config)
    Worker(config, db.factory).run_once()
    Worker(config, db.factory).run_once()  # still paused: no second alert
    assert inbox.titles() == ["crosspost: account xacct paused"]
    assert "crosspost accounts check xacct" in inbox.received[0]["message"]


def test_a_post_stuck_unknown_is_reported_once(db, memory_config, inbox):
    post_id = given_post_on_x(db, memory_config)
    (claim,) = claims.claim_due(db.factory, "w", 1, timedelta(minutes=5))
    with db.factory.begin() as session:
        moves.mark_unknown(session, post_id, "w", error="dropped", reconcile_at=utcnow())
        session.execute(update(Attempt).values(started_at=utcnow() - timedelta(minutes=45)))
    alerts = Alerts((inbox.url,))
    for _ in range(2):  # reported once, not at every pass
        for stale_id, account in leases.mark_stale_unknown(db.factory, timedelta(minutes=30)):
            alerts.post_unknown(stale_id, account, 30)
    assert inbox.titles() == [f"crosspost: post {post_id} outcome unknown"]
    with db.factory() as session:
        assert session.get_one(Post, post_id).alerted_at is not None
    assert claim.post_id == post_id


def test_an_unusable_notifier_never_fails_the_publish(db, memory_config):
    config = replace(memory_config, notify_urls=("json://127.0.0.1:9/nothing-listens",))
    config = with_settings(config, fail_times=9, fail_with="permanent")
    post_id = given_post_on_x(db, config)
    Worker(config, db.factory).run_once()
    with db.factory() as session:
        assert session.get_one(Post, post_id).state == "failed"


def test_a_notify_url_apprise_cannot_use_is_named_by_place_never_by_its_token(caplog):
    from crosspost.alerts import url_problems

    caplog.set_level("DEBUG")
    urls = ["json://127.0.0.1:9/ok", "nosuch://tok-SECRET1", "tgram://tok-SECRET2", "tok-SECRET3"]
    problems = url_problems(urls)
    assert [p.split(" is not ")[0] for p in problems] == [
        "[notify] urls[2] (scheme 'nosuch')",
        "[notify] urls[3] (scheme 'tgram')",
        "[notify] urls[4] (no scheme://)",
    ]
    Alerts(urls).send("crosspost: test", "body")  # what apprise cannot add is not logged either
    assert "SECRET" not in " ".join(problems) + caplog.text
    assert url_problems(["json://127.0.0.1:9/ok"]) == []


def test_the_worker_does_not_start_with_a_wrong_notify_url(tmp_path, sqlite_db):
    from tests.acceptance.cli import run

    (tmp_path / "data").mkdir()
    config = tmp_path / "crosspost.toml"
    config.write_text(
        '[crosspost]\ndata_dir = "data"\n[notify]\nurls = ["slak://tok-SECRET/x"]\n',
        encoding="utf-8",
    )
    run(config, "db", "upgrade")
    done = run(config, "worker", "--once", check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: the worker did not start: [notify] urls[1] (scheme 'slak') is not a "
        "notification URL apprise understands; fix it (github.com/caronc/apprise/wiki lists "
        "the services) or remove it"
    ]
    assert "SECRET" not in done.stdout + done.stderr
