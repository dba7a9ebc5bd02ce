"""What the X sandbox holds: users, posts and media uploads, shared by its API and OAuth parts.

Everything here is read and changed under the sandbox's lock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crosspost.sandbox.uploads import UploadSession
from crosspost.sandbox.x.settings import DEFAULTS

DIGITS = re.compile(r"[0-9]{1,19}")  # an X id: a numeric string


@dataclass
class User:
    id: str
    username: str
    name: str


@dataclass
class Tweet:
    id: str
    text: str  # as posted, NFC
    author_id: str
    created_at: float
    media_ids: list[str]
    media_keys: list[str]
    in_reply_to: str | None
    in_reply_to_user_id: str | None
    conversation_id: str
    media_link: str | None = None  # the t.co link X ends a post with media with (posts.py)


@dataclass(kw_only=True)
class Media(UploadSession):
    """A chunked media upload: its chunks are X's segments (APPEND calls)."""

    media_key: str
    owner_id: str
    media_type: str
    media_category: str
    kind: str  # image, gif or video
    total_bytes: int
    created_at: float
    state: str = "initialized"  # then pending, in_progress, succeeded or failed
    polls: int = 0


@dataclass
class XState:
    """The platform's settings and everything created, one object for all its parts."""

    settings: dict[str, Any] = field(default_factory=lambda: dict(DEFAULTS))
    users: dict[str, User] = field(default_factory=dict)  # by credential (token); kept on reset
    tweets: dict[str, Tweet] = field(default_factory=dict)
    texts: set[tuple[str, str]] = field(default_factory=set)  # (author id, text): O(1) duplicates
    media: dict[str, Media] = field(default_factory=dict)

    def reset(self) -> None:
        """Forget posts and media; users stay (a credential keeps naming the same user)."""
        self.tweets.clear()
        self.texts.clear()
        self.media.clear()
