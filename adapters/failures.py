"""The error taxonomy: every failure an adapter reports is one of these classes, and the
worker decides what happens next (retry, rest the account, pause it, reconcile, fail) from the
class alone. `adapters.base` re-exports them: adapters and the worker import them from there.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from crosspost.adapters.base import StepKind


class PublishError(Exception):
    """Base of every failure an adapter reports."""

    outcome: ClassVar[str] = "error"

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        platform_code: str | None = None,
        retry_at: datetime | None = None,
        step: tuple[StepKind, int] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.platform_code = platform_code
        self.retry_at = retry_at
        # The step this failure is about (thread part 3: (PART, 3)), when a publish has several;
        # a refusal for good of a later step ends the post failed with the first steps kept.
        self.step = step


class RetryableError(PublishError):
    """A transient failure known NOT to have created anything: safe to try again."""

    outcome = "retryable"


class RateLimitedError(RetryableError):
    """The platform asked us to slow down; `retry_at` says until when, if it told us."""

    outcome = "rate_limited"


class QuotaExhaustedError(RetryableError):
    """A daily or per-period quota is used up; `retry_at` is when it resets."""

    outcome = "quota_exhausted"


class AuthenticationError(PublishError):
    """The credentials are missing, expired or revoked: pause the account, burn no retries."""

    outcome = "auth_failed"


class PermanentError(PublishError):
    """The platform refused the content for good (invalid, not allowed, too long…)."""

    outcome = "permanent"


class AmbiguousOutcomeError(PublishError):
    """The request may have reached the platform (timeout, dropped connection, 5xx mid-write).

    The post must not go straight back to the queue: reconciliation asks the platform first.
    """

    outcome = "ambiguous"


class InconclusiveError(PublishError):
    """find_existing saw candidates but no proof (several alike, or one without its marker):
    the post stays unknown and says so, rather than guessing."""

    outcome = "inconclusive"


class DuplicateContentError(AmbiguousOutcomeError):
    """The platform says this exact content exists already: reconcile to find the copy."""

    outcome = "duplicate"


def unsettled_error(
    message: str,
    *,
    creating: bool,
    note: str = "",
    http_status: int | None = None,
    platform_code: str | None = None,
) -> PublishError:
    """A failure that may pass: a 5xx, a lost answer, an answer without the new object's id.

    If the call creates something, it may exist now: ambiguous (reconcile before trying again),
    with `note` added to the message to say so. Otherwise nothing was made: retryable.
    """
    if creating:
        text = f"{message}; {note}" if note else message
        return AmbiguousOutcomeError(text, http_status=http_status, platform_code=platform_code)
    return RetryableError(message, http_status=http_status, platform_code=platform_code)


def no_answer(
    what: str, cause: str, *, creating: bool, connected: bool = True, note: str = ""
) -> PublishError:
    """No answer came to `what` (a timeout, a dropped connection: `cause`). If the connection
    was never made nothing was sent: retryable. Otherwise as `unsettled_error`."""
    if not connected:
        return RetryableError(f"{what}: could not connect ({cause})")
    return unsettled_error(f"{what}: no answer ({cause})", creating=creating, note=note)
