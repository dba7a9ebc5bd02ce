"""The sandbox's Facebook Page: its posts, photos and videos, and the tokens issued for it.

Shared by the API and token parts; read and changed under the sandbox's lock.
"""

from __future__ import annotations

from typing import Any

from crosspost.sandbox.api import SandboxContext
from crosspost.sandbox.facebook.access import Grant
from crosspost.sandbox.facebook.errors import missing_object
from crosspost.sandbox.facebook.params import graph_time
from crosspost.sandbox.facebook.settings import DEFAULT_CONFIG


class Page:
    """The one Page the sandbox serves, configured by the knobs (its id, name, tokens)."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.config: dict[str, Any] = dict(DEFAULT_CONFIG)
        self.reset()

    def reset(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.photos: list[dict[str, Any]] = []
        self.videos: list[dict[str, Any]] = []
        self.reels: list[dict[str, Any]] = []  # finished reels (sandbox/facebook/reels.py)
        self.long_lived: set[str] = set()  # user tokens made by the exchange
        # Page token -> {"page_id", "long_lived": made from a long-lived user token}
        self.page_tokens: dict[str, dict[str, Any]] = {}
        # Every token the sandbox issued -> what it is and may do (access.Grant)
        self.grants: dict[str, Grant] = {}

    @property
    def id(self) -> str:
        return str(self.config["page_id"])

    def check(self, node: str, method: str) -> None:
        """Refuse a Page edge of any node but this Page."""
        if node != self.id:
            raise missing_object(node, method)

    def new_post(
        self, kind: str, message: str | None, link: str | None, **extra: Any
    ) -> dict[str, Any]:
        now = self.ctx.now()
        post_id = f"{self.id}_{self.ctx.next_id() + 900_000_000_000}"
        post: dict[str, Any] = {
            "id": post_id,
            "kind": kind,
            "message": message,
            "link": link,
            "attached_media": [],
            "created_time": graph_time(now),
            "created_ts": now,
            "published": True,
            "scheduled_publish_time": None,
            "permalink_url": f"https://www.facebook.com/{self.id}/posts/{post_id.split('_')[1]}",
        }
        post.update(extra)
        self.posts.append(post)
        return post
