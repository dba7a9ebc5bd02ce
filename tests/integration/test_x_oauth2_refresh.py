"""An X account on OAuth 2.0 keeps its token valid against the sandbox: refreshed before it
ends and after a 401, each rotated pair written back to the secrets file under its lock, and
paused only when X refuses the refresh itself (or the grant lacks a scope). Judged by what the
sandbox received: its request log, and which refresh tokens it still takes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path

import pytest

from crosspost.adapters.base import AuthenticationError, ContentKind, RetryableError
from crosspost.adapters.x import XAdapter
from crosspost.adapters.x.oauth2 import TokenRefused
from crosspost.credentials import SecretsFileStore, read_secrets_file, store_secrets
from tests.support.sandbox import sandbox_fixtures
from tests.support.x_helpers import XSandbox, request_for
from tests.support.x_oauth2 import (
    CLIENT_ID,
    REDIRECT_URI,
    TOKEN_LIFETIME,
    SandboxClock,
    actions,
    consent_code,
    endpoint,
    follow_sandbox_clock,
    granted,
    stored_account,
    token_call,
)

sandbox_server, sb = sandbox_fixtures(
    XSandbox, oauth2_client_id=CLIENT_ID, oauth2_redirect_uris=[REDIRECT_URI]
)
ARTICLE = ContentKind.ARTICLE
NAME = "x-oauth2"


@pytest.fixture
def secrets(tmp_path: Path) -> Path:
    return tmp_path / "secrets.toml"


@pytest.fixture
def clock(sb: XSandbox) -> SandboxClock:
    return SandboxClock(sb.http)


@pytest.fixture
def adapter(sb: XSandbox, secrets: Path) -> Iterator[XAdapter]:
    """An adapter on a freshly authorised account (the flow's pair in the secrets file); the
    flow's own requests are left out of the log."""
    granted(sb.url, secrets)
    built = XAdapter(stored_account(sb.url, secrets))
    yield built
    built.close()


def stored(secrets: Path) -> dict[str, str]:
    return read_secrets_file(secrets)[NAME]


def since(sb: XSandbox, before: int) -> list[tuple[str, int]]:
    return actions(sb.requests())[before:]


def refreshable(sb: XSandbox, refresh_token: str) -> bool:
    """Whether the sandbox still takes `refresh_token` (spends it if so: call last)."""
    answer = token_call(sb.http, grant_type="refresh_token", refresh_token=refresh_token)
    return answer.status_code == 200


# -- refreshing ----------------------------------------------------------------------------------


def test_the_token_is_refreshed_before_it_ends(
    sb: XSandbox, adapter: XAdapter, secrets: Path, clock: SandboxClock, monkeypatch
) -> None:
    follow_sandbox_clock(monkeypatch, clock)
    first = stored(secrets)
    start = len(sb.requests())
    adapter.publish(request_for(ARTICLE, "Trước khi hết hạn"))
    assert ("oauth2.token", 200) not in since(sb, start)  # two hours left: no refresh
    clock.advance(TOKEN_LIFETIME - 120)  # two minutes left, within the five-minute margin
    start = len(sb.requests())
    adapter.publish(request_for(ARTICLE, "Gần hết hạn"))
    # Refreshed first, so X never saw the old token refused.
    assert since(sb, start) == [("oauth2.token", 200), ("tweets.create", 201)]
    now = stored(secrets)
    assert now["bearer_token"] != first["bearer_token"]
    assert now["refresh_token"] != first["refresh_token"]
    assert now["token_expires_at"] > first["token_expires_at"]
    assert len(sb.state()["tweets"]) == 2


def test_a_401_is_followed_by_a_refresh_and_the_same_request_again(
    sb: XSandbox, adapter: XAdapter, secrets: Path, clock: SandboxClock
) -> None:
    first = stored(secrets)
    clock.advance(TOKEN_LIFETIME + 1)  # ended on X's clock; ours does not know
    start = len(sb.requests())
    receipt = adapter.publish(request_for(ARTICLE, "Sau khi hết hạn"))
    # The first request (who the account is) meets the 401 and is sent again after the refresh.
    assert since(sb, start) == [
        ("users.me", 401),
        ("oauth2.token", 200),
        ("users.me", 200),
        ("tweets.create", 201),
    ]
    (tweet,) = sb.state()["tweets"]
    assert tweet["id"] == receipt.remote_id
    assert stored(secrets)["bearer_token"] != first["bearer_token"]


def test_without_a_refresh_the_ended_token_is_refused(
    sb: XSandbox, adapter: XAdapter, secrets: Path, clock: SandboxClock
) -> None:
    """The check that makes the two tests above mean something: the sandbox does end tokens
    after two hours."""
    token = stored(secrets)["bearer_token"]
    assert sb.call("GET", "/2/users/me", token=token).status_code == 200
    clock.advance(TOKEN_LIFETIME + 1)
    assert sb.call("GET", "/2/users/me", token=token).status_code == 401


# -- rotation ------------------------------------------------------------------------------------


def test_a_used_refresh_token_is_refused_and_its_successor_is_stored(
    sb: XSandbox, adapter: XAdapter, secrets: Path, clock: SandboxClock
) -> None:
    spent = stored(secrets)["refresh_token"]
    clock.advance(TOKEN_LIFETIME + 1)
    adapter.publish(request_for(ARTICLE, "Xoay vòng"))
    after = stored(secrets)
    assert after["refresh_token"] != spent
    with pytest.raises(TokenRefused) as refused:
        endpoint(sb.url).refresh(spent)
    assert (refused.value.status, refused.value.error) == (400, "invalid_request")
    # Nothing else in the file was lost by the rewrite; it stays owner-only.
    assert set(after) == {"bearer_token", "refresh_token", "token_expires_at", "client_id"}
    assert secrets.stat().st_mode & 0o077 == 0
    assert not list(secrets.parent.glob(".secrets-*"))  # no temporary file left behind
    assert refreshable(sb, after["refresh_token"])


class UnlockedStore(SecretsFileStore):
    """The store with its lock taken away, and every reader waiting for the others: what two
    workers without a lock would do."""

    def __init__(self, path: Path, account: str, readers: threading.Barrier) -> None:
        super().__init__(path, account)
        self.readers = readers

    def locked(self) -> AbstractContextManager[None]:
        return nullcontext()

    def read(self) -> dict[str, str]:
        values = super().read()
        self.readers.wait(timeout=10)
        return values


def race(sb: XSandbox, secrets: Path, adapters: list[XAdapter]) -> list[BaseException]:
    """Every adapter publishes at once; the exceptions they raised."""
    failures: list[BaseException] = []

    def publish(n: int, adapter: XAdapter) -> None:
        try:
            adapter.publish(request_for(ARTICLE, f"Cùng lúc {n}", post_id=n + 1))
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=publish, args=(n, a)) for n, a in enumerate(adapters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return failures


def test_holders_refreshing_at_once_spend_the_refresh_token_once(
    sb: XSandbox, secrets: Path, clock: SandboxClock
) -> None:
    granted(sb.url, secrets)
    adapters = [XAdapter(stored_account(sb.url, secrets)) for _ in range(4)]
    clock.advance(TOKEN_LIFETIME + 1)
    try:
        failures = race(sb, secrets, adapters)
    finally:
        for adapter in adapters:
            adapter.close()
    assert failures == []
    oauth2 = sb.state()["oauth2"]
    assert (oauth2["refreshed"], oauth2["refused"]) == (1, 0)
    assert len(sb.state()["tweets"]) == 4
    assert refreshable(sb, stored(secrets)["refresh_token"])


def test_without_the_lock_one_holder_loses_the_token(
    sb: XSandbox, secrets: Path, clock: SandboxClock
) -> None:
    """The hazard the lock prevents is real in the sandbox: two holders spending the same
    refresh token get one new pair and one refusal (X's rotation)."""
    granted(sb.url, secrets)
    readers = threading.Barrier(2)
    adapters = []
    for _ in range(2):
        account = stored_account(sb.url, secrets)
        adapters.append(XAdapter(replace(account, store=UnlockedStore(secrets, NAME, readers))))
    clock.advance(TOKEN_LIFETIME + 1)
    try:
        failures = race(sb, secrets, adapters)
    finally:
        for adapter in adapters:
            adapter.close()
    assert [type(f) for f in failures] == [AuthenticationError]
    assert sb.state()["oauth2"]["refused"] == 1


# -- pausing -------------------------------------------------------------------------------------


def test_a_refused_refresh_pauses_naming_the_command(
    sb: XSandbox, adapter: XAdapter, secrets: Path, clock: SandboxClock
) -> None:
    # The refresh token is revoked (here: spent by someone else), and the access token ends.
    assert refreshable(sb, stored(secrets)["refresh_token"])
    clock.advance(TOKEN_LIFETIME + 1)
    before = secrets.read_text()
    with pytest.raises(AuthenticationError) as caught:
        adapter.publish(request_for(ARTICLE, "Bị từ chối"))
    message = caught.value.message
    assert "\n" not in message
    assert "X refused to refresh" in message
    assert f"run `crosspost auth x {NAME} --oauth2`" in message
    assert not [v for v in stored(secrets).values() if len(v) > 30 and v in message]
    assert secrets.read_text() == before  # nothing written
    assert sb.state()["tweets"] == []


def test_x_unreachable_while_refreshing_is_retried_not_paused(
    sb: XSandbox, adapter: XAdapter, secrets: Path, clock: SandboxClock
) -> None:
    clock.advance(TOKEN_LIFETIME + 1)
    sb.fault("5xx", action="oauth2.token")
    before = stored(secrets)
    with pytest.raises(RetryableError):
        adapter.publish(request_for(ARTICLE, "Mạng chập chờn"))
    assert stored(secrets) == before  # the refresh token was not spent: still the one in force
    adapter.publish(request_for(ARTICLE, "Mạng chập chờn"))
    assert len(sb.state()["tweets"]) == 1


def test_a_refresh_whose_answer_is_lost_pauses_at_the_next_refresh(
    sb: XSandbox, adapter: XAdapter, secrets: Path, clock: SandboxClock
) -> None:
    """The one loss rotation leaves open (X offers no grace for a spent refresh token): X
    rotated, but its answer never arrived. The attempt is retried, and the next refresh is
    refused, so the account pauses naming the command, rather than failing posts."""
    clock.advance(TOKEN_LIFETIME + 1)
    sb.fault("ambiguous", action="oauth2.token")
    with pytest.raises(RetryableError):
        adapter.publish(request_for(ARTICLE, "Mất câu trả lời"))
    assert sb.state()["oauth2"]["refreshed"] == 1  # X did rotate
    with pytest.raises(AuthenticationError) as caught:
        adapter.publish(request_for(ARTICLE, "Mất câu trả lời"))
    assert f"run `crosspost auth x {NAME} --oauth2`" in caught.value.message
    assert sb.state()["tweets"] == []


def test_a_grant_without_a_needed_scope_pauses_instead_of_failing_posts(
    sb: XSandbox, secrets: Path
) -> None:
    # A token granted without tweet.write (the spec's security for POST /2/tweets).
    code = consent_code(sb.http, ("tweet.read", "users.read", "media.write", "offline.access"))
    body = token_call(
        sb.http,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier="plain-verifier-0001",
    ).json()
    values = {
        "bearer_token": body["access_token"],
        "refresh_token": body["refresh_token"],
        "token_expires_at": "2999-01-01T00:00:00Z",
        "client_id": CLIENT_ID,
    }
    store_secrets(secrets, NAME, values)
    adapter = XAdapter(stored_account(sb.url, secrets))
    try:
        assert adapter.verify()  # reading is within its scopes
        with pytest.raises(AuthenticationError) as caught:
            adapter.publish(request_for(ARTICLE, "Thiếu quyền"))
    finally:
        adapter.close()
    assert caught.value.http_status == 403
    assert "lacks a scope" in caught.value.message
    assert f"run `crosspost auth x {NAME} --oauth2`" in caught.value.message
    assert actions(sb.requests("tweets.create")) == [("tweets.create", 403)]


def test_a_duplicate_is_still_a_duplicate_for_an_oauth2_account(
    sb: XSandbox, adapter: XAdapter
) -> None:
    """Only X's bare scope answer pauses: a 403 that says why stays the post's own problem."""
    adapter.publish(request_for(ARTICLE, "Trùng lặp"))
    with pytest.raises(Exception) as caught:
        adapter.publish(request_for(ARTICLE, "Trùng lặp", post_id=2))
    assert not isinstance(caught.value, AuthenticationError)
    assert "duplicate" in str(caught.value).lower()
