"""Which token and which permissions each Graph call the adapter makes needs, as data, and the
app secret proof sent with every call when the account has an app secret.

Sources (also in docs/platform-facts.md, Facebook):
- feed posts and photos: a Page access token with pages_manage_posts and pages_read_engagement
  (developers.facebook.com/docs/pages-api/posts);
- Page videos: the Page token with pages_show_list, pages_read_engagement, pages_manage_posts
  (developers.facebook.com/docs/video-api/guides/publishing, "Publishing on Pages");
- the Resumable Upload API: "A User access token" of an app user with a role on the app
  (developers.facebook.com/docs/graph-api/guides/upload);
- reading the Page's feed and videos (reconciliation): pages_read_engagement
  (developers.facebook.com/docs/graph-api/reference/page/feed).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

PAGE_TOKEN = "page_access_token"
USER_TOKEN = "user_access_token"
APP_SECRET = "app_secret"

PAGES_SHOW_LIST = "pages_show_list"
PAGES_MANAGE_POSTS = "pages_manage_posts"
PAGES_READ_ENGAGEMENT = "pages_read_engagement"


@dataclass(frozen=True)
class Need:
    """What one kind of call needs: which stored token, which permissions, and why (for the
    line that names a missing one)."""

    token: str
    permissions: tuple[str, ...]
    purpose: str


PUBLISH_POST = Need(
    PAGE_TOKEN, (PAGES_MANAGE_POSTS, PAGES_READ_ENGAGEMENT), "publishing posts and photos"
)
PUBLISH_VIDEO = Need(
    PAGE_TOKEN,
    (PAGES_SHOW_LIST, PAGES_READ_ENGAGEMENT, PAGES_MANAGE_POSTS),
    "publishing videos",
)
UPLOAD = Need(USER_TOKEN, (), "uploading videos (Resumable Upload API)")
READ_PAGE = Need(PAGE_TOKEN, (PAGES_READ_ENGAGEMENT,), "reading the Page's posts (reconciliation)")
IDENTITY = Need(PAGE_TOKEN, (), "reading the Page")

# Every permission the adapter's calls need: what `crosspost auth facebook` asks for.
REQUIRED_PERMISSIONS: tuple[str, ...] = (PAGES_SHOW_LIST, PAGES_MANAGE_POSTS, PAGES_READ_ENGAGEMENT)
PAGE_NEEDS = (PUBLISH_POST, PUBLISH_VIDEO, READ_PAGE)


def appsecret_proof(token: str, app_secret: str) -> str:
    """HMAC-SHA256 of the access token keyed by the app secret, in hex ("Securing Graph API
    Requests": developers.facebook.com/docs/graph-api/securing-requests)."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def missing_for(scopes: set[str]) -> list[str]:
    """Each needed permission `scopes` lacks, with what it is needed for: one phrase each."""
    lacking: dict[str, list[str]] = {}
    for need in PAGE_NEEDS:
        for permission in need.permissions:
            if permission not in scopes:
                lacking.setdefault(permission, []).append(need.purpose)
    return [f"{p} (for {', '.join(why)})" for p, why in lacking.items()]
