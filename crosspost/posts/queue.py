"""The moves a person asks for: a new post in the queue, one taken out, one put back.

Scheduling (crosspost/scheduling.py) decides whether these may happen and says why not; here
they happen, each checked against the declared transitions and guarded by the state expected.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crosspost.db.models import Post, PostState
from crosspost.posts.moves import move
from crosspost.posts.states import INITIAL_STATE, TRANSITIONS

# What `crosspost cancel` and `crosspost retry` (back to the queue) may be asked of.
CANCELLABLE = tuple(s for s, to in TRANSITIONS.items() if PostState.CANCELLED in to)
RETRIABLE = tuple(s for s, to in TRANSITIONS.items() if PostState.SCHEDULED in to)


def add_post(
    session: Session,
    *,
    content_id: int,
    account_id: int,
    platform: str,
    at: datetime,
    actor: str,
    now: datetime,
    reposted_from_id: int | None = None,
    reason: str | None = None,
    draft: Mapping[str, Any] | None = None,
) -> Post | None:
    """A new post, due at `at`, with its stored draft (`posts.drafts.stored_document`); None
    if the database refused it (`uq_post_live`: a live post of this content on the account;
    `uq_post_once`: a first post live or published): another process scheduled it just now."""
    post = Post(
        content_id=content_id,
        account_id=account_id,
        platform=platform,
        scheduled_at=at,
        next_attempt_at=at,
        state=INITIAL_STATE.value,
        created_by=actor,
        created_at=now,
        updated_at=now,
        reposted_from_id=reposted_from_id,
        reason=reason,
        draft=dict(draft) if draft is not None else None,
        marker=new_marker(),
    )
    session.add(post)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        return None
    return post


def new_marker() -> str:
    """A post's own token for reconciliation's proof: random, so no other post has it."""
    return secrets.token_hex(8)


def cancel_post(session: Session, post_id: int) -> None:
    """Take a post that has not gone out out of the queue."""
    move(
        session,
        post_id,
        CANCELLABLE,
        PostState.CANCELLED,
        next_attempt_at=None,
        wait_reason=None,
    )


def requeue_post(session: Session, post_id: int, now: datetime) -> None:
    """Put a failed (or waiting) post back in the queue now, with a fresh retry budget."""
    move(
        session,
        post_id,
        RETRIABLE,
        PostState.SCHEDULED,
        next_attempt_at=now,
        attempt_count=0,
        wait_reason=None,
    )
