"""Shared by the YouTube sandbox and adapter tests: raw HTTP, sandbox control, test values."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlencode, urlsplit

from crosspost.adapters.base import AccountConfig, ContentKind, Draft, MediaFile, Platform
from crosspost.sandbox.youtube import DEFAULTS
from tests.support.sandbox import SandboxControl, account_config

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


class Sandbox(SandboxControl):
    """The running sandbox's control endpoints, and raw HTTP to its YouTube (http.client, so a
    test can send any header and see a dropped connection as the client library does)."""

    platform = "youtube"
    defaults = DEFAULTS

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


def account(url: str, secrets: dict[str, str] | None = None, **settings: Any) -> AccountConfig:
    base: dict[str, Any] = {
        "base_url": url,
        "token_uri": f"{url}/token",
        "chunk_bytes": CHUNK,
        "retry_backoff_seconds": 0,
        "timeout_seconds": 5,
        "playlists": {"video": "PLvideos", "podcast": "PLpodcasts"},
    }
    credentials = SECRETS if secrets is None else secrets
    return account_config(Platform.YOUTUBE, "kenh-chinh", credentials, {**base, **settings})


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
