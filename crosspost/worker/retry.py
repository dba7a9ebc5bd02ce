"""What happens after a failed attempt: wait (how long, and why), fail for good, or pause.

Backoff is exponential with full jitter (a random wait between 0 and base·2^(n-1), capped), and
never shorter than what the platform asked for (Retry-After, rate-limit reset, quota reset).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from crosspost.adapters.base import (
    AmbiguousOutcomeError,
    AuthenticationError,
    PermanentError,
    PublishError,
    QuotaExhaustedError,
    RateLimitedError,
    RetryableError,
)
from crosspost.config import RetrySettings
from crosspost.posts.results import Decision
from crosspost.posts.states import RetryAction


class RetryPolicy:
    def __init__(self, settings: RetrySettings, rng: random.Random | None = None) -> None:
        self.settings = settings
        self.rng = rng or random.Random()

    def backoff(self, charged_attempts: int) -> timedelta:
        ceiling = min(
            self.settings.max_delay_seconds,
            self.settings.base_seconds * (2 ** max(charged_attempts - 1, 0)),
        )
        return timedelta(seconds=self.rng.uniform(0, ceiling))

    def decide(
        self, error: PublishError, *, charged_attempts: int, created_at: datetime, now: datetime
    ) -> Decision:
        if isinstance(error, AuthenticationError):
            return Decision(
                RetryAction.PAUSE, now, f"account paused: {error.message}", refund_attempt=True
            )
        if isinstance(error, AmbiguousOutcomeError):
            return Decision(RetryAction.RECONCILE, now, "outcome unknown: asking the platform")
        if isinstance(error, PermanentError) or not isinstance(error, RetryableError):
            return Decision(RetryAction.FAIL, None, error.message)
        platform_wait = isinstance(error, RateLimitedError | QuotaExhaustedError)
        age = now - created_at
        # A rate limit or quota is the account's, not the post's: its other posts wait too.
        rest = error.retry_at if platform_wait else None
        if age > timedelta(hours=self.settings.max_age_hours):
            return Decision(
                RetryAction.FAIL,
                None,
                f"gave up after {age} without success: {error.message}",
                rest_account_until=rest,
            )
        if not platform_wait and charged_attempts >= self.settings.max_attempts:
            return Decision(
                RetryAction.FAIL,
                None,
                f"gave up after {charged_attempts} attempts: {error.message}",
            )
        wait_until = now + self.backoff(charged_attempts)
        if error.retry_at is not None and error.retry_at > wait_until:
            wait_until = error.retry_at
        label = {
            RateLimitedError: "rate limited",
            QuotaExhaustedError: "quota exhausted",
        }.get(type(error), "temporary error")
        return Decision(
            RetryAction.RETRY,
            wait_until,
            f"{label}: {error.message}",
            refund_attempt=platform_wait,
            rest_account_until=(rest or wait_until) if platform_wait else None,
        )
