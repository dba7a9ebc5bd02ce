"""`crosspost auth x NAME --oauth2`: the Authorization Code Flow with PKCE against the sandbox,
the test playing the person at the browser. The sandbox knows the app's Client ID and callback
here and checks the S256 verifier against the challenge, so a token that posts proves the flow
sent the right code, verifier and callback; the secrets file holds the pair (mode 0600)."""

from __future__ import annotations

import base64
import hashlib
import logging
import stat
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import requests
import tweepy
from oauthlib.oauth2 import OAuth2Error

from crosspost.adapters.base import ContentKind
from crosspost.adapters.x import XAdapter
from crosspost.adapters.x.oauth2 import SCOPES
from crosspost.credentials import read_secrets_file, save_credentials
from crosspost.errors import UserError
from crosspost.sandbox.x import SIGNED_IN_USERNAME
from tests.support.sandbox import sandbox_fixtures
from tests.support.x_helpers import XSandbox, request_for
from tests.support.x_oauth2 import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    TOKEN_LIFETIME,
    Browser,
    authorize,
    consent_code,
    query_of,
    settings_for,
    stored_account,
    token_call,
)

sandbox_server, sb = sandbox_fixtures(
    XSandbox, oauth2_client_id=CLIENT_ID, oauth2_redirect_uris=[REDIRECT_URI]
)


def refusal(sb: XSandbox, browser: Browser, secret: str | None = None) -> str:
    """The flow's UserError: one line, naming the command to run again, no secret in it."""
    with pytest.raises(UserError) as caught:
        authorize(sb.url, browser, secret=secret)
    message = str(caught.value)
    assert "\n" not in message
    pasted = " ".join(browser.locations)
    secrets = [query_of(loc).get("code", "") for loc in browser.locations]
    assert not [s for s in (*secrets, CLIENT_SECRET) if s and s in message], (message, pasted)
    return message


# -- the flow working ----------------------------------------------------------------------------


def test_the_flow_stores_a_pair_the_adapter_posts_with(
    sb: XSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    browser = Browser()
    with caplog.at_level(logging.DEBUG):
        values = authorize(sb.url, browser)
    assert set(values) == {"bearer_token", "refresh_token", "token_expires_at", "client_id"}
    # What the person was sent to: S256, every scope crosspost needs, offline.access among them.
    (url,) = browser.urls
    sent = query_of(url)
    assert url.startswith(f"{sb.url}/i/oauth2/authorize?")
    assert sent["code_challenge_method"] == "S256" and sent["redirect_uri"] == REDIRECT_URI
    assert "offline.access" in sent["scope"].split()
    # The token request carried the verifier whose S256 is that challenge.
    (exchange,) = sb.requests("oauth2.token")
    form = exchange["form"]
    digest = hashlib.sha256(form["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).decode().rstrip("=") == sent["code_challenge"]
    assert form["grant_type"] == "authorization_code" and exchange["status"] == 200
    assert sb.state()["oauth2"]["issued"] == 1
    # Stored as `crosspost auth` stores it: the secrets file, owner-only.
    secrets = tmp_path / "secrets.toml"
    advice = save_credentials(settings_for(sb.url), secrets, values)
    assert advice == []
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert read_secrets_file(secrets)["x-oauth2"] == values
    # The pair works: the adapter posts as the user who consented.
    adapter = XAdapter(stored_account(sb.url, secrets))
    try:
        assert adapter.verify() == f"@{SIGNED_IN_USERNAME}"
        receipt = adapter.publish(request_for(ContentKind.ARTICLE, "Chào từ OAuth 2.0"))
    finally:
        adapter.close()
    (tweet,) = sb.state()["tweets"]
    assert tweet["id"] == receipt.remote_id
    assert [v for v in values.values() if v != values["client_id"] and v in caplog.text] == []


def test_a_confidential_client_sends_its_secret_and_stores_it(sb: XSandbox) -> None:
    sb.configure(oauth2_client_secret=CLIENT_SECRET)
    values = authorize(sb.url, secret=CLIENT_SECRET)
    assert values["client_secret"] == CLIENT_SECRET
    (exchange,) = sb.requests("oauth2.token")
    assert exchange["status"] == 200


def test_a_wrong_client_secret_is_refused_naming_the_fix(sb: XSandbox) -> None:
    sb.configure(oauth2_client_secret=CLIENT_SECRET)
    message = refusal(sb, Browser(), secret="not-the-secret")
    assert "check the Client ID and Secret" in message
    assert "not-the-secret" not in message


# -- refusals ------------------------------------------------------------------------------------


def test_a_redirect_with_another_state_is_refused_before_any_exchange(sb: XSandbox) -> None:
    forged = Browser(edit=lambda location: location.replace("state=", "state=x"))
    message = refusal(sb, forged)
    assert "state is not the one this run sent" in message
    assert "crosspost auth x x-oauth2 --oauth2" in message
    assert sb.requests("oauth2.token") == []


def test_declining_on_the_consent_page_says_so(sb: XSandbox) -> None:
    sb.configure(oauth2_user_denies=True)
    assert "declined" in refusal(sb, Browser())
    assert sb.requests("oauth2.token") == []


def test_a_code_pasted_too_late_is_refused(sb: XSandbox) -> None:
    def slow(location: str) -> str:
        sb.http.post("/_sandbox/clock", json={"advance": 31}).raise_for_status()
        return location

    message = refusal(sb, Browser(edit=slow))
    assert "refused the authorization code" in message and "within 30 seconds" in message
    assert sb.state()["oauth2"]["issued"] == 0


# -- the sandbox's endpoints as X answers them ---------------------------------------------------


def test_sandbox_checks_the_verifier_against_the_s256_challenge(sb: XSandbox) -> None:
    verifier = "v" * 64
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    form = {"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI}
    code = consent_code(sb.http, code_challenge=challenge, code_challenge_method="S256")
    wrong = token_call(sb.http, **form, code=code, code_verifier="w" * 64)
    assert wrong.status_code == 400
    assert wrong.json() == {
        "error": "invalid_request",
        "error_description": "Value passed for the token was invalid.",
    }
    code = consent_code(sb.http, code_challenge=challenge, code_challenge_method="S256")
    right = token_call(sb.http, **form, code=code, code_verifier=verifier)
    assert right.status_code == 200
    body = right.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == TOKEN_LIFETIME
    again = token_call(sb.http, **form, code=code, code_verifier=verifier)
    assert again.status_code == 400  # a code is single-use


def test_sandbox_gives_a_refresh_token_only_with_offline_access(sb: XSandbox) -> None:
    form = {"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI}
    online = consent_code(sb.http, ("tweet.read", "users.read"))
    body = token_call(sb.http, **form, code=online, code_verifier="plain-verifier-0001").json()
    assert "refresh_token" not in body and body["scope"] == "tweet.read users.read"
    offline = consent_code(sb.http, ("tweet.read", "offline.access"))
    body = token_call(sb.http, **form, code=offline, code_verifier="plain-verifier-0001").json()
    assert body["refresh_token"]


def test_sandbox_consent_page_refuses_an_unknown_app_or_callback(sb: XSandbox) -> None:
    base = {"response_type": "code", "state": "s", "scope": "tweet.read", "code_challenge": "c"}
    other_app = sb.http.get(
        "/i/oauth2/authorize", params={**base, "client_id": "other", "redirect_uri": REDIRECT_URI}
    )
    other_callback = sb.http.get(
        "/i/oauth2/authorize",
        params={**base, "client_id": CLIENT_ID, "redirect_uri": "https://evil.example/cb"},
    )
    # Never a redirect to an address the app did not register (RFC 6749 section 4.1.2.1).
    assert other_app.status_code == 400 and "Location" not in other_app.headers
    assert other_callback.status_code == 400 and "Location" not in other_callback.headers
    unknown_scope = sb.http.get(
        "/i/oauth2/authorize",
        params={**base, "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "scope": "x.all"},
    )
    assert query_of(unknown_scope.headers["Location"])["error"] == "invalid_scope"


def test_sandbox_checks_each_endpoints_scopes_for_an_oauth2_user_token(sb: XSandbox) -> None:
    code = consent_code(sb.http, ("tweet.read", "users.read"))
    token = token_call(
        sb.http,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier="plain-verifier-0001",
    ).json()["access_token"]
    assert sb.call("GET", "/2/users/me", token=token).status_code == 200
    for method, path, body in (
        ("POST", "/2/tweets", {"text": "không có quyền viết"}),
        ("POST", "/2/media/upload/initialize", {"media_type": "image/png", "total_bytes": 4}),
    ):
        refused = sb.call(method, path, token=token, json=body)
        assert refused.status_code == 403
        assert refused.json() == {
            "title": "Forbidden",
            "detail": "Forbidden",
            "type": "about:blank",
            "status": 403,
        }
    assert sb.state()["tweets"] == [] and sb.state()["media"] == []


class ToSandbox(requests.adapters.HTTPAdapter):
    """tweepy's hard-coded X hosts (PLATFORMS.md) moved to the sandbox at send time."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(str(request.url))
        request.url = self.url + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(request, **kwargs)


def test_tweepys_own_oauth2_handler_completes_the_flow_and_rotates(sb: XSandbox) -> None:
    """The sandbox speaks X's flow to the official client, not only to crosspost's: tweepy's
    OAuth2UserHandler (requests-oauthlib, which checks the state and the token answer)."""
    callback = "https://crosspost.example/callback"  # oauthlib insists on https
    sb.configure(oauth2_redirect_uris=[callback])
    handler = tweepy.OAuth2UserHandler(
        client_id=CLIENT_ID, redirect_uri=callback, scope=list(SCOPES)
    )
    handler.mount("https://api.twitter.com/", ToSandbox(sb.url))
    url = handler.get_authorization_url()
    assert url.startswith("https://twitter.com/i/oauth2/authorize?")
    consent = httpx.get(f"{sb.url}/i/oauth2/authorize?{urlsplit(url).query}", timeout=10)
    token = handler.fetch_token(consent.headers["Location"])
    assert set(token["scope"]) == set(SCOPES) and token["refresh_token"]
    assert sb.call("GET", "/2/users/me", token=token["access_token"]).status_code == 200
    token_url = "https://api.twitter.com/2/oauth2/token"
    fresh = handler.refresh_token(
        token_url, refresh_token=token["refresh_token"], client_id=CLIENT_ID
    )
    assert fresh["refresh_token"] != token["refresh_token"]
    with pytest.raises(OAuth2Error):  # the spent one is refused
        handler.refresh_token(token_url, refresh_token=token["refresh_token"], client_id=CLIENT_ID)
