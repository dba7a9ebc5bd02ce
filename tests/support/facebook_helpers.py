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


# The Page token for Page calls and the app user's User token for the Resumable Upload API, as
# `crosspost auth facebook` stores them; the sandbox takes TOKEN as a Page token (its `tokens`
# knob unset) and USER_TOKEN as a user token (its `user_tokens`).
CREDENTIALS = {"page_access_token": TOKEN, "user_access_token": USER_TOKEN}


def account(url: str, credentials: dict[str, str] | None = None, **settings: Any) -> AccountConfig:
    merged: dict[str, Any] = {
        "page_id": PAGE_ID,
        "app_id": APP_ID,
        "graph_version": VERSION,
        "base_url": url,
        "upload_chunk_bytes": 64 * 1024,
        "timeout_seconds": 5,
        **settings,
    }
    chosen = CREDENTIALS if credentials is None else credentials
    return account_config(Platform.FACEBOOK, "fanpage", chosen, merged)


def article(
    text: str, link: str | None = "https://example.vn/bai-viet", *files: MediaFile
) -> Draft:
    return Draft(Platform.FACEBOOK, ContentKind.ARTICLE, parts=(text,), link=link, media=files)
