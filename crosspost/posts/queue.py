"""The moves a person asks for: a new post in the queue, one taken out, one put back.

Scheduling (crosspost/scheduling.py) decides whether these may happen and says why not; here
they happen, each checked against the declared transitions and guarded by the state expected.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crosspost.db.models import Post, PostState, PostStep, StepState
from crosspost.errors import StateError
from crosspost.posts.moves import move, rowcount, transition
from crosspost.posts.states import INITIAL_STATE, TRANSITIONS
from crosspost.posts.steps import confirmed_steps, summarise
from crosspost.timeutil import utcnow

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
    """Take a post that has not gone out out of the queue. A post with steps already on the
    platform (a thread partly out) is not cancelled: that would leave it cut short in public;
    it resumes at its next attempt. The check is part of the one guarded statement, so a
    worker recording a step meanwhile cannot slip between them."""
    nothing_out = ~exists(
        select(PostStep.id).where(
            PostStep.post_id == post_id, PostStep.state == StepState.CONFIRMED.value
        )
    )
    result = session.execute(
        transition(CANCELLABLE, PostState.CANCELLED, utcnow())
        .where(Post.id == post_id, nothing_out)
        .values(next_attempt_at=None, wait_reason=None)
    )
    if rowcount(result) == 1:
        return
    out = confirmed_steps(session, post_id)
    if out:
        raise StateError(
            f"post {post_id} cannot be cancelled: {summarise(out)} already out on the platform "
            "(cancelling would leave it cut short); it resumes at its next attempt"
        )
    move(session, post_id, CANCELLABLE, PostState.CANCELLED)  # raises, naming its state


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
