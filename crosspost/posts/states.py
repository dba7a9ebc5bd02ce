"""The post store's vocabulary: which state changes exist, and the values stored for outcomes.

`TRANSITIONS` is the whole life of a post. Every change of a post's state is checked against it
before any SQL runs, so a move nobody declared is a programming error found at once, not a row
quietly in a state no code expects. The enums are StrEnums: the stored strings and the `--json`
output are the values, byte for byte.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping

from crosspost.db.models import PostState


class AttemptOutcome(enum.StrEnum):
    """What an attempt row records once it ends (None while in flight)."""

    PUBLISHED = "published"
    RECONCILED = "reconciled"  # the reconciler found the copy on the platform
    NOT_FOUND = "not_found"  # the reconciler found no copy: the post goes again
    LEASE_EXPIRED = "lease_expired"  # the worker stopped before recording anything
    # The adapter's error taxonomy (`PublishError.outcome` of each class in adapters/base.py).
    ERROR = "error"
    RETRYABLE = "retryable"
    RATE_LIMITED = "rate_limited"
    QUOTA_EXHAUSTED = "quota_exhausted"
    AUTH_FAILED = "auth_failed"
    PERMANENT = "permanent"
    AMBIGUOUS = "ambiguous"
    DUPLICATE = "duplicate"
    INCONCLUSIVE = "inconclusive"  # find_existing only: candidates but no proof


class RetryAction(enum.StrEnum):
    """What the retry policy decides after a failed attempt."""

    RETRY = "retry"
    FAIL = "fail"
    PAUSE = "pause"  # the account is paused; the post waits for it
    RECONCILE = "reconcile"  # the outcome is unknown: ask the platform first


S = PostState
TRANSITIONS: Mapping[PostState, frozenset[PostState]] = {
    # claimed by a worker; cancelled by an operator
    S.SCHEDULED: frozenset({S.PUBLISHING, S.CANCELLED}),
    # as scheduled, and `crosspost retry` puts it back in the queue now
    S.RETRY_WAIT: frozenset({S.PUBLISHING, S.CANCELLED, S.SCHEDULED}),
    # an attempt's result; `unknown` also when its lease expires
    S.PUBLISHING: frozenset({S.PUBLISHED, S.RETRY_WAIT, S.FAILED, S.UNKNOWN}),
    # the reconciler's finding: the copy, none (again), none and no attempts left
    S.UNKNOWN: frozenset({S.PUBLISHED, S.RETRY_WAIT, S.FAILED}),
    # `crosspost retry`, with a fresh retry budget
    S.FAILED: frozenset({S.SCHEDULED}),
    S.PUBLISHED: frozenset(),  # a new post links to it instead (`crosspost repost`)
    S.CANCELLED: frozenset(),
}
# Where a post begins.
INITIAL_STATE = S.SCHEDULED


class UndeclaredTransition(RuntimeError):
    """Code asked for a state change TRANSITIONS does not declare: a bug, not a race."""


class LostLease(Exception):
    """The post is no longer ours (lease expired and someone else took it): record nothing."""


def check_transition(expected: Collection[PostState], to: PostState) -> None:
    """Raise UndeclaredTransition unless every state in `expected` may become `to`."""
    if not expected:
        raise UndeclaredTransition(f"a move to {to} must name the state(s) it expects")
    for state in expected:
        if to not in TRANSITIONS[state]:
            raise UndeclaredTransition(f"a post never goes from {state} to {to}")
