"""How Google's answers become the base error classes: quota, rate, auth, transient, refused.

A used-up quota waits for YouTube's day to end (midnight Pacific); a refused token refresh is
an authentication failure naming the account to authorise again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from crosspost.adapters.base import (
    AuthenticationError,
    PermanentError,
    PublishError,
    QuotaExhaustedError,
    RateLimitedError,
    RetryableError,
)
from crosspost.adapters.common import retry_in

if TYPE_CHECKING:
    from google.auth.exceptions import RefreshError
    from googleapiclient.errors import HttpError

PACIFIC = ZoneInfo("America/Los_Angeles")  # YouTube's quota day ends at midnight here
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded", "uploadLimitExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
# Google documents no Retry-After for its token endpoint: a 429 there waits this long.
TOKEN_RATE_WAIT = timedelta(seconds=60)
AUTH_REASONS = frozenset({"authError", "insufficientPermissions", "forbiddenByScope"})


def next_pacific_midnight(now: datetime | None = None) -> datetime:
    """When YouTube's daily quota resets: the next midnight in America/Los_Angeles, in UTC."""
    local = (now or datetime.now(UTC)).astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), PACIFIC)
    return midnight.astimezone(UTC)


def http_error(exc: HttpError, scrub: Callable[[str], str], account: str) -> PublishError:
    """Google's error answer as the taxonomy, `scrub`bed of the account's credentials."""
    status = int(exc.resp.status)
    reason, message = google_error(exc.content)
    text = scrub(f"YouTube answered {status} {reason or ''}: {message}".strip())
    kwargs: dict[str, Any] = {"http_status": status, "platform_code": reason}
    if reason in QUOTA_REASONS:
        return QuotaExhaustedError(text, retry_at=next_pacific_midnight(), **kwargs)
    if status == 429 or reason in RATE_REASONS:
        retry_at = retry_in(exc.resp.get("retry-after")) if exc.resp is not None else None
        return RateLimitedError(text, retry_at=retry_at, **kwargs)
    if status == 401 or reason in AUTH_REASONS:
        return AuthenticationError(f"{text}; re-authorise account {account!r}", **kwargs)
    if status >= 500 or status == 408:
        return RetryableError(text, **kwargs)
    return PermanentError(text, **kwargs)


def refresh_error(
    exc: RefreshError,
    scrub: Callable[[str], str],
    account: str,
    answer: Mapping[str, str] | None = None,
) -> PublishError:
    """Google did not refresh the access token. A refused grant means the account must be
    authorised again; an answer google-auth marks retryable (a 5xx, a 429, "server_error",
    after its own three tries: `google.oauth2._client._can_retry`) is a wait, with the
    endpoint's Retry-After when `answer` (its last status and headers) has one."""
    data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
    code = str(data.get("error") or "refresh failed")
    if getattr(exc, "retryable", False):
        answer = answer or {}
        status = int(answer["status"]) if answer.get("status", "").isdigit() else None
        text = f"Google's token endpoint could not refresh the access token now ({code})"
        if status == 429:
            wait = retry_in(answer.get("retry-after")) or datetime.now(UTC) + TOKEN_RATE_WAIT
            return RateLimitedError(text, http_status=429, platform_code=code, retry_at=wait)
        return RetryableError(text, http_status=status, platform_code=code)
    return AuthenticationError(
        scrub(
            f"Google refused to refresh the access token for account "
            f"{account!r} ({code}); run `crosspost auth youtube`"
        ),
        platform_code=code,
    )


def google_error(content: bytes | str | None) -> tuple[str | None, str]:
    """(reason, message) from Google's error body, or (None, a short excerpt)."""
    raw = content.decode("utf-8", "replace") if isinstance(content, bytes) else content or ""
    try:
        error = json.loads(raw)["error"]
        errors = error.get("errors") or [{}]
        return errors[0].get("reason"), str(error.get("message", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, raw[:200]


def kind_of(exc: BaseException) -> str:
    return type(exc).__name__


def never_connected(exc: BaseException) -> bool:
    """The request never left: the server refused the connection or its name did not resolve
    (so even a write is safe to retry, with nothing to reconcile)."""
    import socket

    import httplib2  # type: ignore[import-untyped]

    return isinstance(exc, ConnectionRefusedError | socket.gaierror | httplib2.ServerNotFoundError)
