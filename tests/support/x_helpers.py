"""Shared by the X sandbox, adapter and OpenAPI tests: the sandbox's control API, accounts,
drafts and media files."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from crosspost.adapters.base import (
    AccountConfig,
    ContentKind,
    Draft,
    MediaFile,
    MediaRole,
    Platform,
    PublishRequest,
    Secret,
)
from crosspost.sandbox import SandboxServer
from crosspost.sandbox.x import DEFAULTS

# Credentials: recognisable values so a test can search messages, reprs and logs for them.
CONSUMER_KEY = "ck-sandbox-consumer-key-0001"
CONSUMER_SECRET = "cs-sandbox-consumer-secret-do-not-leak"
ACCESS_TOKEN = "at-1860-sandbox-access-token-0001"
ACCESS_TOKEN_SECRET = "ats-sandbox-token-secret-do-not-leak"
BEARER_TOKEN = "bt-oauth2-user-token-do-not-leak-0001"
SECRET_VALUES = (CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET, BEARER_TOKEN)


class XSandbox:
    """The running sandbox: control endpoints, and raw X calls as a bearer-token user."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.url = server.url
        self.http = httpx.Client(base_url=server.url, timeout=10)

    def reset(self) -> None:
        self.http.post("/_sandbox/reset").raise_for_status()
        self.http.post("/_sandbox/faults", json={"clear_rules": True, "rates": {}})
        self.configure(**DEFAULTS)

    def configure(self, **options: Any) -> dict[str, Any]:
        response = self.http.post("/_sandbox/config", json={"x": options})
        response.raise_for_status()
        result: dict[str, Any] = response.json()["x"]
        return result

    def fault(self, fault: str, action: str = "*", count: int = 1, retry_after: int = 2) -> None:
        rule = {
            "fault": fault,
            "platform": "x",
            "action": action,
            "count": count,
            "retry_after": retry_after,
        }
        self.http.post("/_sandbox/faults", json={"rules": [rule]}).raise_for_status()

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self.server.state()["x"]
        return result

    def requests(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.http.get("/_sandbox/requests").json()
        return [r for r in result if r.get("platform") == "x"]

    def call(
        self, method: str, path: str, token: str | None = "user-token-1", **kwargs: Any
    ) -> httpx.Response:
        """A raw X API call with an OAuth 2.0 user bearer token (None: no Authorization)."""
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, path, headers=headers, **kwargs)


def oauth1_account(url: str, **settings: Any) -> AccountConfig:
    return AccountConfig(
        name="x-main",
        platform=Platform.X,
        settings={"base_url": url, **settings},
        credentials={
            "consumer_key": Secret(CONSUMER_KEY),
            "consumer_secret": Secret(CONSUMER_SECRET),
            "access_token": Secret(ACCESS_TOKEN),
            "access_token_secret": Secret(ACCESS_TOKEN_SECRET),
        },
    )


def bearer_account(url: str, token: str = BEARER_TOKEN, **settings: Any) -> AccountConfig:
    return AccountConfig(
        name="x-oauth2",
        platform=Platform.X,
        settings={"base_url": url, **settings},
        credentials={"bearer_token": Secret(token)},
    )


def media_file(
    folder: Path, name: str, size: int, role: MediaRole, mime: str | None = None
) -> MediaFile:
    """A file of `size` deterministic bytes (the sandbox counts and hashes, never decodes)."""
    data = random.Random(name).randbytes(size)
    path = folder / name
    path.write_bytes(data)
    return MediaFile(path, role, size, hashlib.sha256(data).hexdigest(), mime)


def request_for(
    kind: ContentKind,
    *parts: str,
    media: tuple[MediaFile, ...] = (),
    post_id: int = 1,
    link: str | None = None,
) -> PublishRequest:
    draft = Draft(Platform.X, kind, parts=parts, media=media, link=link)
    now = datetime.now(UTC)
    return PublishRequest(post_id, 1, draft, scheduled_at=now, first_attempt_at=now)
