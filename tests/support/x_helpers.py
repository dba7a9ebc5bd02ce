"""Shared by the X sandbox, adapter and OpenAPI tests: the sandbox's raw X calls, accounts and
requests."""

from __future__ import annotations

from typing import Any

import httpx

from crosspost.adapters.base import (
    AccountConfig,
    ContentKind,
    Draft,
    MediaFile,
    Platform,
    PublishRequest,
)
from crosspost.sandbox.x import DEFAULTS
from tests.support.sandbox import SandboxControl, account_config, publish_request

# Credentials: recognisable values so a test can search messages, reprs and logs for them.
CONSUMER_KEY = "ck-sandbox-consumer-key-0001"
CONSUMER_SECRET = "cs-sandbox-consumer-secret-do-not-leak"
ACCESS_TOKEN = "at-1860-sandbox-access-token-0001"
ACCESS_TOKEN_SECRET = "ats-sandbox-token-secret-do-not-leak"
BEARER_TOKEN = "bt-oauth2-user-token-do-not-leak-0001"
SECRET_VALUES = (CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET, BEARER_TOKEN)
OAUTH1_CREDENTIALS = {
    "consumer_key": CONSUMER_KEY,
    "consumer_secret": CONSUMER_SECRET,
    "access_token": ACCESS_TOKEN,
    "access_token_secret": ACCESS_TOKEN_SECRET,
}


class XSandbox(SandboxControl):
    """The running sandbox: control endpoints, and raw X calls as a bearer-token user."""

    platform = "x"
    defaults = DEFAULTS

    def call(
        self, method: str, path: str, token: str | None = "user-token-1", **kwargs: Any
    ) -> httpx.Response:
        """A raw X API call with an OAuth 2.0 user bearer token (None: no Authorization)."""
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, path, headers=headers, **kwargs)


def oauth1_account(url: str, **settings: Any) -> AccountConfig:
    return account_config(Platform.X, "x-main", OAUTH1_CREDENTIALS, {"base_url": url, **settings})


def bearer_account(url: str, token: str = BEARER_TOKEN, **settings: Any) -> AccountConfig:
    credentials = {"bearer_token": token}
    return account_config(Platform.X, "x-oauth2", credentials, {"base_url": url, **settings})


def request_for(
    kind: ContentKind,
    *parts: str,
    media: tuple[MediaFile, ...] = (),
    post_id: int = 1,
    link: str | None = None,
) -> PublishRequest:
    """A request to publish a draft of these parts (a thread when there are several)."""
    draft = Draft(Platform.X, kind, parts=parts, media=media, link=link)
    return publish_request(draft, post_id=post_id)
