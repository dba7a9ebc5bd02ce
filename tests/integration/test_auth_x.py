"""`crosspost auth x`'s OAuth 1.0a PIN flow against the sandbox, the test playing the user: it
opens the authorisation URL and reads the PIN off the page. The sandbox knows the app's key and
secret here, so it checks every signature, and the tokens it issues work only when signed with
their own secret: `verify()` passing proves the flow handed back the right four values."""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from requests_oauthlib import OAuth1Session
from requests_oauthlib.oauth1_session import TokenRequestDenied

from crosspost.adapters.base import AuthenticationError, ContentKind, MediaRole, Platform
from crosspost.adapters.x import XAdapter
from crosspost.adapters.x.auth import authorize_pin
from crosspost.config import AccountSettings
from crosspost.errors import UserError
from crosspost.sandbox.x import SIGNED_IN_USERNAME
from tests.support.sandbox import account_config, closing_adapters, media_file, sandbox_fixtures
from tests.support.x_helpers import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    SECRET_VALUES,
    XSandbox,
    request_for,
)

sandbox_server, sb = sandbox_fixtures(
    XSandbox, consumer_key=CONSUMER_KEY, consumer_secret=CONSUMER_SECRET
)
PIN = re.compile(r"<code>([0-9]+)</code>")
AskPin = Callable[[str], str]


def account(url: str, name: str = "x-main") -> AccountSettings:
    return AccountSettings(name, Platform.X, None, True, {"base_url": url}, {})


def authorize(
    sb: XSandbox, ask_pin: AskPin, key: str = CONSUMER_KEY, secret: str = CONSUMER_SECRET
) -> dict[str, str]:
    return authorize_pin(account(sb.url), consumer_key=key, consumer_secret=secret, ask_pin=ask_pin)


class User:
    """The person at the keyboard: opens the URL, reads the PIN, types it back (or another)."""

    def __init__(self, sb: XSandbox, types: Callable[[str], str] = lambda pin: pin) -> None:
        self.sb = sb
        self.types = types
        self.urls: list[str] = []
        self.pins: list[str] = []

    def __call__(self, url: str) -> str:
        self.urls.append(url)
        page = self.sb.http.get(url)
        assert page.status_code == 200
        found = PIN.search(page.text)
        assert found is not None, page.text
        self.pins.append(found[1])
        return self.types(found[1])


def refusal(sb: XSandbox, ask_pin: AskPin, **kwargs: Any) -> str:
    """The UserError's message, checked to be one line without any secret in it."""
    with pytest.raises(UserError) as caught:
        authorize(sb, ask_pin, **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    assert not [v for v in (*SECRET_VALUES, "oauth_token") if v in message], message
    return message


# -- the flow working ----------------------------------------------------------------------------


def test_the_pin_flow_gives_credentials_the_adapter_posts_with(
    sb: XSandbox, tmp_path: Path
) -> None:
    user = User(sb)
    credentials = authorize(sb, user)

    assert set(credentials) == {
        "consumer_key",
        "consumer_secret",
        "access_token",
        "access_token_secret",
    }
    assert credentials["consumer_key"] == CONSUMER_KEY
    assert credentials["consumer_secret"] == CONSUMER_SECRET
    (url,) = user.urls
    assert url.startswith(f"{sb.url}/oauth/authorize?oauth_token=")
    actions = [r["action"] for r in sb.requests()]
    assert actions == ["oauth.request_token", "oauth.authorize", "oauth.access_token"]
    assert sb.state()["access_tokens_issued"] == 1

    # Every kind of call the adapter signs: GET with a query, JSON POST, multipart append,
    # body-less finalize; a video adds the STATUS polls.
    settings = {"base_url": sb.url}
    video = media_file(tmp_path, "clip.mp4", 3000, MediaRole.VIDEO)
    with closing_adapters(XAdapter) as make:
        adapter = make(account_config(Platform.X, "x-main", credentials, settings))
        assert adapter.verify() == f"@{SIGNED_IN_USERNAME}"  # the user who authorised
        draft = request_for(ContentKind.VIDEO, "Chào từ crosspost auth", media=(video,))
        receipt = adapter.publish(draft)
    (tweet,) = sb.state()["tweets"]
    assert tweet["id"] == receipt.remote_id and tweet["media_ids"] == list(receipt.extra_ids)
    assert f"/{SIGNED_IN_USERNAME}/status/" in receipt.url
    assert {r["action"] for r in sb.requests()} >= {"media.append", "media.status"}


def test_issued_tokens_work_only_with_their_secret_and_app(sb: XSandbox) -> None:
    """The check that makes the test above mean something: the sandbox is not accepting any
    well-formed header for a token it issued."""
    credentials = authorize(sb, User(sb))
    settings = {"base_url": sb.url}
    wrong_secret = {**credentials, "access_token_secret": "not-the-issued-secret"}
    other_app = {**credentials, "consumer_key": "another-app", "consumer_secret": "its-secret"}
    with closing_adapters(XAdapter) as make:
        for values in (wrong_secret, other_app):
            adapter = make(account_config(Platform.X, "x-main", values, settings))
            with pytest.raises(AuthenticationError):
                adapter.verify()


def test_a_pin_typed_with_spaces_is_accepted(sb: XSandbox) -> None:
    credentials = authorize(sb, User(sb, types=lambda pin: f" {pin[:3]} {pin[3:]}\n"))
    assert credentials["access_token"]


def test_nothing_secret_reaches_the_logs(sb: XSandbox, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        credentials = authorize(sb, User(sb))
    leaks = [v for v in (*credentials.values(), "oauth_token_secret") if v in caplog.text]
    assert leaks == []


# -- refusals ------------------------------------------------------------------------------------


def test_a_wrong_pin_is_refused(sb: XSandbox) -> None:
    user = User(sb, types=lambda pin: str((int(pin) + 1) % 10**7).zfill(7))
    message = refusal(sb, user)
    assert "did not accept the PIN" in message and "crosspost auth x x-main" in message
    assert user.pins[0] not in message
    assert sb.state()["access_tokens_issued"] == 0


def test_no_pin_entered_stops_before_asking_for_a_token(sb: XSandbox) -> None:
    assert "no PIN entered" in refusal(sb, lambda url: "  ")
    assert sb.requests("oauth.access_token") == []


def test_an_expired_request_token_is_refused(sb: XSandbox) -> None:
    def slow_user(pin: str) -> str:
        sb.configure(request_token_secs=0)  # the user took too long: the token is now expired
        return pin

    message = refusal(sb, User(sb, types=slow_user))
    assert "expired or was already used" in message


@pytest.mark.parametrize(
    ("key", "secret"),
    [(CONSUMER_KEY, "a-wrong-consumer-secret"), ("an-unknown-consumer-key", CONSUMER_SECRET)],
)
def test_a_refused_consumer_key_or_secret(sb: XSandbox, key: str, secret: str) -> None:
    user = User(sb)
    message = refusal(sb, user, key=key, secret=secret)
    assert "refused the app's consumer key and secret" in message
    assert "HTTP 401: Could not authenticate you." in message
    assert key not in message and secret not in message
    assert user.urls == []  # the user was never sent to authorise


def test_missing_consumer_values_are_refused_before_any_request(sb: XSandbox) -> None:
    assert "both needed" in refusal(sb, User(sb), secret=" ")
    assert sb.requests() == []


def test_x_failing_or_unreachable(sb: XSandbox) -> None:
    sb.fault("5xx", action="oauth.request_token")
    assert "try again later" in refusal(sb, User(sb))

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(UserError, match=re.escape(f"cannot reach http://127.0.0.1:{port} ")):
        authorize_pin(
            account(f"http://127.0.0.1:{port}"),
            consumer_key=CONSUMER_KEY,
            consumer_secret=CONSUMER_SECRET,
            ask_pin=User(sb),
        )


def test_a_base_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(UserError, match="not an http"):
        authorize_pin(
            account("ftp://example.invalid"),
            consumer_key=CONSUMER_KEY,
            consumer_secret=CONSUMER_SECRET,
            ask_pin=lambda url: "1",
        )


# -- the sandbox's endpoints as X answers them ---------------------------------------------------


def test_sandbox_request_token_answers(sb: XSandbox) -> None:
    url = f"{sb.url}/oauth/request_token"
    no_header = sb.http.post("/oauth/request_token")
    assert no_header.status_code == 400
    assert no_header.json() == {"errors": [{"code": 215, "message": "Bad Authentication data."}]}
    for callback, code in ((None, 417), ("https://example.com/cb", 415)):
        with OAuth1Session(CONSUMER_KEY, CONSUMER_SECRET, callback_uri=callback) as session:
            answer = session.post(url)
        assert answer.status_code == 403 and answer.json()["errors"][0]["code"] == code
    with OAuth1Session(CONSUMER_KEY, CONSUMER_SECRET, callback_uri="oob") as session:
        token = session.fetch_request_token(url)
    assert set(token) == {"oauth_token", "oauth_token_secret", "oauth_callback_confirmed"}
    assert token["oauth_callback_confirmed"] == "true"


def test_sandbox_access_token_answers(sb: XSandbox) -> None:
    access_url = f"{sb.url}/oauth/access_token"
    with OAuth1Session(CONSUMER_KEY, CONSUMER_SECRET, callback_uri="oob") as session:
        pending = session.fetch_request_token(f"{sb.url}/oauth/request_token")
        authorize_url = session.authorization_url(f"{sb.url}/oauth/authorize")
        unread = session.post(access_url)  # signed, but the user has not seen a PIN yet
        assert unread.status_code == 401
        assert (
            unread.text == "Error processing your OAuth request: Invalid oauth_verifier parameter"
        )
        pin = User(sb)(authorize_url)
        assert User(sb)(authorize_url) == pin  # the page shows the same PIN again
        granted = session.fetch_access_token(access_url, verifier=pin)
    assert set(granted) == {"oauth_token", "oauth_token_secret", "user_id", "screen_name"}
    assert granted["screen_name"] == SIGNED_IN_USERNAME
    assert granted["oauth_token"].startswith(granted["user_id"] + "-")
    # The same exchange again, correctly signed: the request token is spent.
    replay = OAuth1Session(
        CONSUMER_KEY,
        CONSUMER_SECRET,
        pending["oauth_token"],
        pending["oauth_token_secret"],
        verifier=pin,
    )
    with replay:
        again = replay.post(access_url)
    assert (again.status_code, again.text) == (401, "Invalid request token.")
    spent = sb.http.get(authorize_url)
    assert spent.status_code == 200 and PIN.search(spent.text) is None
    assert "no longer valid" in spent.text


def test_sandbox_a_wrong_pin_leaves_the_request_token_usable(sb: XSandbox) -> None:
    access_url = f"{sb.url}/oauth/access_token"
    with OAuth1Session(CONSUMER_KEY, CONSUMER_SECRET, callback_uri="oob") as session:
        session.fetch_request_token(f"{sb.url}/oauth/request_token")
        pin = User(sb)(session.authorization_url(f"{sb.url}/oauth/authorize"))
        with pytest.raises(TokenRequestDenied) as denied:
            session.fetch_access_token(access_url, verifier=pin[::-1] + "0")
        assert denied.value.status_code == 401
        granted = session.fetch_access_token(access_url, verifier=pin)
    assert granted["screen_name"] == SIGNED_IN_USERNAME


def test_sandbox_knobs_hide_the_consumer_secret(sb: XSandbox) -> None:
    settings = sb.configure()
    assert settings["consumer_key"] == CONSUMER_KEY and settings["consumer_secret_set"] is True
    assert CONSUMER_SECRET not in str(settings)
    response = sb.http.post("/_sandbox/config", json={"x": {"consumer_secret": ""}})
    assert response.status_code == 400


def test_an_unconfigured_sandbox_takes_any_app(sb: XSandbox) -> None:
    sb.configure(consumer_key=None, consumer_secret=None)
    credentials = authorize(sb, User(sb), key="any-app", secret="any-secret")
    settings = {"base_url": sb.url}
    with closing_adapters(XAdapter) as make:
        adapter = make(account_config(Platform.X, "x-main", credentials, settings))
        assert adapter.verify() == f"@{SIGNED_IN_USERNAME}"
