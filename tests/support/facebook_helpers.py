"""Shared pieces of the Facebook sandbox and adapter tests: the server, its control API, drafts."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

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
from crosspost.sandbox.facebook import DEFAULT_CONFIG

PAGE_ID = str(DEFAULT_CONFIG["page_id"])
APP_ID = str(DEFAULT_CONFIG["app_id"])
PAGE_NAME = str(DEFAULT_CONFIG["page_name"])
TOKEN = "EAABsandboxPAGEtokenDoNotLeak0123456789"
VERSION = "v26.0"


class Sandbox:
    """The running sandbox and its control endpoints."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.url = server.url
        self.http = httpx.Client(base_url=server.url, timeout=10)

    def api(self, path: str) -> str:
        return f"{self.url}/{VERSION}/{path.lstrip('/')}"

    def reset(self) -> None:
        self.http.post("/_sandbox/reset").raise_for_status()
        self.http.post("/_sandbox/faults", json={"clear_rules": True, "rates": {}})
        self.configure(**DEFAULT_CONFIG)

    def configure(self, **options: Any) -> dict[str, Any]:
        response = self.http.post("/_sandbox/config", json={"facebook": options})
        response.raise_for_status()
        result: dict[str, Any] = response.json()["facebook"]
        return result

    def fault(self, fault: str, action: str = "*", count: int = 1, retry_after: int = 2) -> None:
        rule = {
            "fault": fault,
            "platform": "facebook",
            "action": action,
            "count": count,
            "retry_after": retry_after,
        }
        self.http.post("/_sandbox/faults", json={"rules": [rule]}).raise_for_status()

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self.server.state()["facebook"]
        return result

    def requests(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.http.get("/_sandbox/requests").json()
        return result


@pytest.fixture(scope="module")
def fb_server() -> Iterator[Sandbox]:
    """One sandbox per test module (starting it and an HTTP client costs more than a test)."""
    with SandboxServer(platforms=["facebook"]) as server:
        box = Sandbox(server)
        yield box
        box.http.close()


@pytest.fixture
def sandbox(fb_server: Sandbox) -> Sandbox:
    """The module's sandbox, emptied: no state, no fault rules, the default config."""
    fb_server.reset()
    return fb_server


def account(sandbox: Sandbox, **settings: Any) -> AccountConfig:
    merged: dict[str, Any] = {
        "page_id": PAGE_ID,
        "app_id": APP_ID,
        "graph_version": VERSION,
        "base_url": sandbox.url,
        "upload_chunk_bytes": 64 * 1024,
        "timeout_seconds": 5,
    }
    merged.update(settings)
    return AccountConfig(
        name="fanpage",
        platform=Platform.FACEBOOK,
        settings=merged,
        credentials={"page_access_token": Secret(TOKEN)},
    )


def media(path: Path, role: MediaRole, size: int, mime: str) -> MediaFile:
    """A file of random bytes (the sandbox never decodes media)."""
    data = os.urandom(size)
    path.write_bytes(data)
    return MediaFile(path, role, size, hashlib.sha256(data).hexdigest(), mime)


def request_for(draft: Draft, post_id: int = 1, attempt: int = 1) -> PublishRequest:
    now = datetime.now(UTC)
    return PublishRequest(post_id, attempt, draft, now, first_attempt_at=now)


def article(
    text: str, link: str | None = "https://example.vn/bai-viet", *files: MediaFile
) -> Draft:
    return Draft(Platform.FACEBOOK, ContentKind.ARTICLE, parts=(text,), link=link, media=files)
