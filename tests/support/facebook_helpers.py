"""Shared pieces of the Facebook sandbox and adapter tests: the sandbox's Graph URLs, accounts,
drafts."""

from __future__ import annotations

from typing import Any

from crosspost.adapters.base import AccountConfig, ContentKind, Draft, MediaFile, Platform
from crosspost.sandbox.facebook import DEFAULT_CONFIG
from tests.support.sandbox import SandboxControl, account_config

PAGE_ID = str(DEFAULT_CONFIG["page_id"])
APP_ID = str(DEFAULT_CONFIG["app_id"])
PAGE_NAME = str(DEFAULT_CONFIG["page_name"])
TOKEN = "EAABsandboxPAGEtokenDoNotLeak0123456789"
APP_SECRET = str(DEFAULT_CONFIG["app_secret"])
USER_TOKEN = str(DEFAULT_CONFIG["user_tokens"][0])
VERSION = "v26.0"


class Sandbox(SandboxControl):
    """The running sandbox's control endpoints, and the URLs of its Graph API."""

    platform = "facebook"
    defaults = DEFAULT_CONFIG

    def api(self, path: str) -> str:
        return f"{self.url}/{VERSION}/{path.lstrip('/')}"


def account(url: str, **settings: Any) -> AccountConfig:
    merged: dict[str, Any] = {
        "page_id": PAGE_ID,
        "app_id": APP_ID,
        "graph_version": VERSION,
        "base_url": url,
        "upload_chunk_bytes": 64 * 1024,
        "timeout_seconds": 5,
        **settings,
    }
    return account_config(Platform.FACEBOOK, "fanpage", {"page_access_token": TOKEN}, merged)


def article(
    text: str, link: str | None = "https://example.vn/bai-viet", *files: MediaFile
) -> Draft:
    return Draft(Platform.FACEBOOK, ContentKind.ARTICLE, parts=(text,), link=link, media=files)
