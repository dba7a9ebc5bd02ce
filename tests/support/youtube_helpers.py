"""Shared by the YouTube sandbox and adapter tests: raw HTTP, sandbox control, test values."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

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
from crosspost.sandbox.youtube import DEFAULTS

CHUNK = 256 * 1024
SECRETS = {
    "client_id": "cid-1234.apps.sandbox",
    "client_secret": "csecret-very-private-42",
    "refresh_token": "1//refresh-token-very-private-77",
}


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def reason(self) -> str:
        """The first Google error reason of the body."""
        return str(self.json()["error"]["errors"][0]["reason"])


class Sandbox:
    """Raw HTTP to a running sandbox, and its control endpoints."""

    def __init__(self, url: str) -> None:
        self.url = url

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        **query: Any,
    ) -> Reply:
        parts = urlsplit(path if path.startswith("http") else self.url + path)
        target = parts.path + ("?" + parts.query if parts.query else "")
        if query:
            target += ("&" if "?" in target else "?") + urlencode(query)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        try:
            conn.request(method, target, body=body, headers=headers or {})
            resp = conn.getresponse()
            return Reply(resp.status, resp.headers, resp.read())
        finally:
            conn.close()

    def post_json(self, path: str, obj: Any, token: str | None = None, **query: Any) -> Reply:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.call("POST", path, json.dumps(obj).encode(), headers, **query)

    def get(self, path: str, token: str | None = None, **query: Any) -> Reply:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.call("GET", path, None, headers, **query)

    # -- control ---------------------------------------------------------------------------
    def control(self, name: str, obj: Any = None) -> Any:
        if obj is None:
            return self.get(f"/_sandbox/{name}").json()
        reply = self.post_json(f"/_sandbox/{name}", obj)
        assert reply.status == 200, reply.body
        return reply.json()

    def fault(self, kind: str, action: str, count: int = 1, retry_after: int = 2) -> None:
        rule = {"fault": kind, "platform": "youtube", "action": action, "count": count}
        self.control("faults", {"rules": [{**rule, "retry_after": retry_after}]})

    def configure(self, **options: Any) -> Any:
        return self.control("config", {"youtube": options})["youtube"]

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = self.control("state")["youtube"]
        return state

    def requests(self, action: str | None = None) -> list[dict[str, Any]]:
        log: list[dict[str, Any]] = self.control("requests")
        return [e for e in log if action is None or e["action"] == action]

    def restore(self) -> None:
        """Back to a fresh sandbox: no state, no pending faults, default knobs."""
        self.control("faults", {"clear_rules": True, "rates": {}})
        self.configure(**DEFAULTS)
        self.control("reset", {})

    def token(self, refresh_token: str = SECRETS["refresh_token"]) -> str:
        form = {
            "grant_type": "refresh_token",
            "client_id": SECRETS["client_id"],
            "client_secret": SECRETS["client_secret"],
            "refresh_token": refresh_token,
        }
        reply = self.call(
            "POST",
            "/token",
            urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert reply.status == 200, reply.body
        return str(reply.json()["access_token"])


def media_file(
    directory: Path, name: str, size: int, role: MediaRole, mime: str | None = None
) -> MediaFile:
    """Random bytes in a file: the sandbox counts and hashes, it does not decode."""
    data = os.urandom(size)
    path = directory / name
    path.write_bytes(data)
    return MediaFile(path, role, size, hashlib.sha256(data).hexdigest(), mime)


def account(url: str, secrets: dict[str, str] | None = None, **settings: Any) -> AccountConfig:
    base: dict[str, Any] = {
        "base_url": url,
        "token_uri": f"{url}/token",
        "chunk_bytes": CHUNK,
        "retry_backoff_seconds": 0,
        "timeout_seconds": 5,
        "playlists": {"video": "PLvideos", "podcast": "PLpodcasts"},
    }
    creds = {k: Secret(v) for k, v in (SECRETS if secrets is None else secrets).items()}
    return AccountConfig("kenh-chinh", Platform.YOUTUBE, {**base, **settings}, creds)


def draft(
    kind: ContentKind = ContentKind.VIDEO,
    media: tuple[MediaFile, ...] = (),
    title: str = "Hướng dẫn nấu phở bò Hà Nội",
    **fields: Any,
) -> Draft:
    return Draft(
        Platform.YOUTUBE,
        kind,
        title=title,
        description=fields.pop("description", "Công thức phở bò truyền thống, từng bước."),
        tags=fields.pop("tags", ("phở", "ẩm thực Việt", "nấu ăn")),
        media=media,
        **fields,
    )


def publish_request(d: Draft, scheduled_at: datetime | None = None) -> PublishRequest:
    now = datetime.now(UTC)
    return PublishRequest(7, 1, d, scheduled_at or now, first_attempt_at=now)
