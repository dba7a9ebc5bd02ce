"""Shared by the X OAuth 2.0 tests: the person at the browser (opens the authorize address,
reads where X redirects), the sandbox's clock, accounts whose tokens live in a secrets file, and
raw token-endpoint calls for what X itself answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from crosspost.adapters.base import AccountConfig, Platform
from crosspost.adapters.x.oauth2 import SCOPES, TokenEndpoint
from crosspost.adapters.x.oauth2_flow import authorize_oauth2
from crosspost.config import AccountSettings
from crosspost.credentials import SecretsFileStore, resolve_credentials, store_secrets

CLIENT_ID = "cid-sandbox-oauth2-client-0001"
CLIENT_SECRET = "csec-sandbox-oauth2-secret-do-not-leak"
REDIRECT_URI = "http://127.0.0.1:8765/callback"
# What the adapter reads for an OAuth 2.0 account (the flow's names), all from the secrets file.
OAUTH2_KEYS = ("bearer_token", "refresh_token", "token_expires_at", "client_id")
TOKEN_LIFETIME = 7200  # docs.x.com .../oauth-2-0/authorization-code: two hours


class Browser:
    """The person at the keyboard: opens the address, approves, and copies the address bar
    X sent the browser to (the callback need not load). `edit` changes what is pasted."""

    def __init__(self, edit: Callable[[str], str] = lambda location: location) -> None:
        self.edit = edit
        self.urls: list[str] = []
        self.locations: list[str] = []

    def __call__(self, url: str) -> str:
        self.urls.append(url)
        answer = httpx.get(url, follow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        location = answer.headers["Location"]
        self.locations.append(location)
        return self.edit(location)


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def settings_for(url: str, name: str = "x-oauth2") -> AccountSettings:
    credentials = dict.fromkeys(OAUTH2_KEYS, "secrets")
    return AccountSettings(name, Platform.X, None, True, {"base_url": url}, credentials)


def authorize(
    url: str, browser: Browser | None = None, *, secret: str | None = None, name: str = "x-oauth2"
) -> dict[str, str]:
    """`crosspost auth x NAME --oauth2`'s flow against the sandbox at `url`."""
    return authorize_oauth2(
        settings_for(url, name),
        url,
        10.0,
        client_id=CLIENT_ID,
        client_secret=secret,
        redirect_uri=REDIRECT_URI,
        ask_redirect=browser or Browser(),
    )


def stored_account(url: str, secrets: Path, name: str = "x-oauth2") -> AccountConfig:
    """The account as the worker builds it: credentials read from the secrets file, and the
    file as the store its rotated tokens go back to."""
    settings = settings_for(url, name)
    return AccountConfig(
        name,
        Platform.X,
        {"base_url": url},
        resolve_credentials(settings, secrets),
        store=SecretsFileStore(secrets, name),
    )


def granted(url: str, secrets: Path, name: str = "x-oauth2") -> dict[str, str]:
    """Authorise through the flow and store the pair, as `crosspost auth` does."""
    values = authorize(url, name=name)
    store_secrets(secrets, name, values)
    return values


def consent_code(http: httpx.Client, scopes: tuple[str, ...] = SCOPES, **extra: str) -> str:
    """A code from the consent page for a chosen scope set and challenge (as another client
    might ask), for the raw token-endpoint tests."""
    query = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": " ".join(scopes),
        "state": "st",
        "code_challenge": extra.pop("code_challenge", "plain-verifier-0001"),
        "code_challenge_method": extra.pop("code_challenge_method", "plain"),
        **extra,
    }
    answer = http.get("/i/oauth2/authorize", params=query)
    assert answer.status_code == 302, answer.text
    return query_of(answer.headers["Location"])["code"]


def token_call(http: httpx.Client, **form: str) -> httpx.Response:
    """POST /2/oauth2/token as a public client."""
    return http.post("/2/oauth2/token", data={"client_id": CLIENT_ID, **form})


def endpoint(url: str) -> TokenEndpoint:
    return TokenEndpoint(url, CLIENT_ID, None, 10.0)


class SandboxClock:
    """The sandbox's clock (``/_sandbox/clock``): tokens expire on it."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def advance(self, seconds: float) -> float:
        answer = self.http.post("/_sandbox/clock", json={"advance": seconds})
        answer.raise_for_status()
        return float(answer.json()["offset"])

    def now(self) -> datetime:
        return datetime.fromtimestamp(float(self.http.get("/_sandbox/clock").json()["now"]), UTC)


def follow_sandbox_clock(monkeypatch: pytest.MonkeyPatch, clock: SandboxClock) -> None:
    """Make the adapter reckon token ends on the sandbox's clock, as it does on X's (ours and
    X's agree): then moving the sandbox's clock moves ours too."""
    monkeypatch.setattr("crosspost.adapters.x.oauth2.utc_now", clock.now)


def actions(log: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """(action, status) of each request, in order."""
    return [(entry["action"], int(entry.get("status") or 0)) for entry in log]
