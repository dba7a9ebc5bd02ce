"""An X account on OAuth 2.0 through the real CLI: `crosspost auth x NAME --oauth2` stores the
pair (0600, never printed); two `crosspost worker` processes on one database keep publishing
while the sandbox's clock runs through several two-hour token lives, both refreshing under the
secrets file's lock; and a refused refresh pauses the account until it is authorised again.
Judged by what the sandbox received and which refresh token it still takes."""

from __future__ import annotations

import json
import signal
import stat
import time
import tomllib
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import tomli_w
from sqlalchemy import func, select

from crosspost.config import load_config
from crosspost.credentials import read_secrets_file
from crosspost.db.models import Account, Post
from crosspost.demo import duplicates, start_sandbox, write_config
from crosspost.sandbox import SandboxServer
from crosspost.scheduling import schedule
from crosspost.timeutil import utcnow
from tests.acceptance.cli import run, start, start_piped
from tests.conftest import Database
from tests.support.factories import make_content
from tests.support.x_oauth2 import CLIENT_ID, OAUTH2_KEYS, REDIRECT_URI, TOKEN_LIFETIME

pytestmark = pytest.mark.acceptance
ACCOUNT = "tapchi-x"
STEP_SECONDS = 1800  # each clock step: half an hour of X's time…
STEPS = 16  # …eight sandbox-hours in all: a two-hour token ends four times
STEP_TIMEOUT = 20.0  # seconds a step's pair may take to go out (the first waits for start-up)
POSTS = 2 * STEPS  # a pair due at each step, so both workers work at once
LATENCY_MS = 400  # > 2 polls of the other worker (poll_seconds 0.2)


@pytest.fixture
def sandbox():
    # Each answer takes a little while, as X's do: a worker (one post at a time) is still busy
    # with one of a pair when the other worker polls, so both take part and both meet each
    # ended token; with instant answers one worker could take every pair and the race between
    # two refreshers would never be run.
    with start_sandbox(latency_ms=LATENCY_MS) as server:
        server.app.platforms["x"].configure(
            {"oauth2_client_id": CLIENT_ID, "oauth2_redirect_uris": [REDIRECT_URI]}
        )
        yield server


def oauth2_config(tmp_path: Path, sandbox: SandboxServer, database_url: str) -> Path:
    """The demo's config with its X account reading an OAuth 2.0 pair from the secrets file."""
    path = write_config(
        tmp_path,
        sandbox.url,
        database_url=database_url,
        worker={"concurrency": 1, "poll_seconds": 0.2, "reconcile_seconds": 1},
        retry={"base_seconds": 0.2, "max_delay_seconds": 1, "max_attempts": 8},
        budgets={ACCOUNT: {"per_15_minutes": 0}},  # the sandbox limits nothing here
    )
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    data["accounts"][ACCOUNT]["credentials"] = dict.fromkeys(OAUTH2_KEYS, "secrets")
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def auth_oauth2(path: Path) -> tuple[str, str, str]:
    """`crosspost auth x tapchi-x --oauth2`, the test opening the address and pasting where X
    sent the browser; the address and what it printed (stdout, stderr)."""
    process = start_piped(path, "auth", "x", ACCOUNT, "--oauth2", CROSSPOST_X_CLIENT_ID=CLIENT_ID)
    assert process.stdout is not None
    url = next(line.strip() for line in process.stdout if line.startswith("http"))
    location = httpx.get(url, follow_redirects=False, timeout=10).headers["Location"]
    out, err = process.communicate(input=location + "\n", timeout=60)
    assert process.returncode == 0, err
    return url, out, err


def stored(tmp_path: Path) -> dict[str, str]:
    return read_secrets_file(tmp_path / "secrets.toml")[ACCOUNT]


def refreshable(sandbox: SandboxServer, refresh_token: str) -> bool:
    """Whether X still takes `refresh_token` (spends it: ask last)."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": CLIENT_ID}
    return httpx.post(f"{sandbox.url}/2/oauth2/token", data=form, timeout=10).status_code == 200


def advance(sandbox: SandboxServer, seconds: int) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance": seconds}).raise_for_status()


def test_auth_x_oauth2_stores_the_pair_and_prints_no_secret(sqlite_db, sandbox, tmp_path):
    path = oauth2_config(tmp_path, sandbox, sqlite_db.url)
    run(path, "db", "upgrade")
    url, out, err = auth_oauth2(path)
    assert f"ok {ACCOUNT} works as @" in out
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["code_challenge_method"] == "S256" and "offline.access" in query["scope"]
    values = stored(tmp_path)
    assert set(OAUTH2_KEYS) <= set(values)
    assert stat.S_IMODE((tmp_path / "secrets.toml").stat().st_mode) == 0o600
    for secret in (values["bearer_token"], values["refresh_token"]):
        assert secret not in out + err
    (exchange,) = [r for r in sandbox.app.request_log if r["action"] == "oauth2.token"]
    assert exchange["status"] == 200


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_two_workers_keep_publishing_across_token_expiries(backend, sandbox, tmp_path):
    db = Database(backend, tmp_path)
    try:
        path = oauth2_config(tmp_path, sandbox, db.url)
        run(path, "db", "upgrade")
        auth_oauth2(path)
        config = load_config(path)
        # Given two workers running
        workers = [start(path, "worker") for _ in range(2)]
        # When X's clock runs through several token lives, a pair of posts due at each step
        # (scheduled after the step, published before the next: each on its step's clock)
        for step in range(STEPS):
            advance(sandbox, STEP_SECONDS)
            with db.factory.begin() as session:
                for n in (2 * step, 2 * step + 1):
                    item = make_content(session, title=f"Tin số {n}: hội nghị cán bộ chủ chốt")
                    schedule(session, config, item.id, utcnow(), actor="t", platforms=["x"])
            deadline = time.monotonic() + STEP_TIMEOUT
            while time.monotonic() < deadline and published(db) < 2 * step + 2:
                time.sleep(0.1)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        logs = [worker.communicate(timeout=60)[1] for worker in workers]
        # Then every post went out once, nothing paused, no refresh token was lost
        assert published(db) == POSTS, logs[0][-3000:] + logs[1][-3000:]
        state = sandbox.state()
        assert len(state["x"]["tweets"]) == POSTS and duplicates(state) == []
        with db.factory() as session:
            account = session.scalars(select(Account).where(Account.name == ACCOUNT)).one()
            assert account.paused_at is None, account.paused_reason
        oauth2 = state["x"]["oauth2"]
        assert oauth2["refused"] == 0  # no spent refresh token was ever offered
        # One refresh per token life (at the steps where it ended), never two for one end
        assert oauth2["refreshed"] == STEPS * STEP_SECONDS // TOKEN_LIFETIME
        refreshed = [log.count("OAuth 2.0 token refreshed") for log in logs]
        took = [log.count("took the OAuth 2.0 token") for log in logs]
        renewed = [a + b for a, b in zip(refreshed, took, strict=True)]
        assert sum(refreshed) == oauth2["refreshed"]  # every refresh X made was a worker's
        # Both workers met the ended token and renewed it: one spent the refresh token, the other
        # found the rotated pair under the lock and took it (never spending the old one again).
        assert all(renewed), renewed
        token_answers = Counter(
            r["status"] for r in sandbox.app.request_log if r["action"] == "oauth2.token"
        )
        assert set(token_answers) == {200}, token_answers
        assert all(worker.returncode == 0 for worker in workers), logs
        assert refreshable(sandbox, stored(tmp_path)["refresh_token"])
    finally:
        db.drop()


def test_a_refused_refresh_pauses_until_authorised_again(sqlite_db, sandbox, tmp_path):
    path = oauth2_config(tmp_path, sandbox, sqlite_db.url)
    run(path, "db", "upgrade")
    auth_oauth2(path)
    with sqlite_db.factory.begin() as session:
        item = make_content(session)
        schedule(session, load_config(path), item.id, utcnow(), actor="t", platforms=["x"])
    # Given the refresh token is revoked (spent elsewhere) and the access token has ended
    assert refreshable(sandbox, stored(tmp_path)["refresh_token"])
    advance(sandbox, TOKEN_LIFETIME + 1)
    run(path, "worker", "--once")
    (post,) = json.loads(run(path, "posts", "list", "--json").stdout)
    assert post["state"] == "retry_wait" and post["charged_attempts"] == 0
    reason = post["waiting_for"]
    assert reason.startswith("account paused") and "\n" not in reason
    assert f"crosspost auth x {ACCOUNT} --oauth2" in reason
    assert sandbox.state()["x"]["tweets"] == []
    # When the account is authorised again, it resumes and the post goes out
    _, out, _ = auth_oauth2(path)
    assert "resumed" in out
    run(path, "worker", "--once")
    (post,) = json.loads(run(path, "posts", "list", "--json").stdout)
    assert post["state"] == "published"


def published(db: Database) -> int:
    with db.factory() as session:
        return int(
            session.scalar(select(func.count(Post.id)).where(Post.state == "published")) or 0
        )
