"""The retry policy: what follows each kind of failure (table-driven)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from crosspost.adapters.base import (
    AmbiguousOutcomeError,
    AuthenticationError,
    DuplicateContentError,
    PermanentError,
    QuotaExhaustedError,
    RateLimitedError,
    RetryableError,
)
from crosspost.config import RetrySettings
from crosspost.worker.retry import RetryPolicy

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
SETTINGS = RetrySettings(max_attempts=3, base_seconds=10, max_delay_seconds=60, max_age_hours=24)


@pytest.mark.parametrize(
    ("error", "charged", "action", "refund"),
    [
        (RetryableError("503"), 1, "retry", False),
        (RetryableError("503"), 3, "fail", False),
        (RateLimitedError("429"), 9, "retry", True),
        (QuotaExhaustedError("quota"), 9, "retry", True),
        (AuthenticationError("expired"), 1, "pause", True),
        (PermanentError("too long"), 1, "fail", False),
        (AmbiguousOutcomeError("dropped"), 1, "reconcile", False),
        (DuplicateContentError("duplicate"), 1, "reconcile", False),
    ],
)
def test_decision_per_error_class(error, charged, action, refund):
    decision = RetryPolicy(SETTINGS, random.Random(1)).decide(
        error, charged_attempts=charged, created_at=NOW, now=NOW
    )
    assert decision.action == action
    assert decision.refund_attempt is refund


def test_backoff_is_full_jitter_within_the_exponential_ceiling():
    policy = RetryPolicy(SETTINGS, random.Random(7))
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
        waits = [policy.backoff(attempt).total_seconds() for _ in range(200)]
        assert min(waits) >= 0 and max(waits) <= ceiling
        assert max(waits) > ceiling * 0.8  # the whole range is used, not a fixed delay


def test_platform_reset_time_wins_over_a_shorter_backoff():
    reset = NOW + timedelta(minutes=15)
    decision = RetryPolicy(SETTINGS, random.Random(1)).decide(
        RateLimitedError("429", retry_at=reset), charged_attempts=1, created_at=NOW, now=NOW
    )
    assert decision.next_attempt_at == reset
    assert decision.reason == "rate limited: 429"


def test_too_old_a_post_fails_instead_of_retrying():
    decision = RetryPolicy(SETTINGS).decide(
        RetryableError("503"), charged_attempts=1, created_at=NOW - timedelta(hours=25), now=NOW
    )
    assert decision.action == "fail"
