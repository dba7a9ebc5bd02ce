"""How Graph's answers become the base error classes, and what its usage headers say.

Graph names each failure with a code (and subcode): rate limits, a blocked action, a bad token,
a duplicate, a missing permission, a transient fault. Its usage headers give the percent used of
each budget, which the adapter paces by before Graph throttles.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from crosspost.adapters.base import (
    AuthenticationError,
    DuplicateContentError,
    PermanentError,
    PublishError,
    RateLimitedError,
    unsettled_error,
)
from crosspost.adapters.common import retry_in
from crosspost.adapters.facebook.access import Need

if TYPE_CHECKING:
    import httpx

# Code 368 ("deemed abusive or otherwise disallowed") blocks for hours, not minutes.
BLOCKED_RETRY = timedelta(hours=1)
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001})
AUTH_CODES = frozenset({102, 104, 190})
APP_SECRET_FIX = (
    "the app secret is missing or is not this app's; put the app's secret as app_secret in the "
    "secrets file, then run `crosspost accounts check`"
)
TRANSIENT_CODES = frozenset({1, 2})
DUPLICATE_CODE = 506
BLOCKED_CODE = 368
# Added to the message of a failure on the call that creates the post (AmbiguousOutcomeError).
MAY_EXIST = "the post may exist, reconcile first"


def permission_code(code: int) -> bool:
    return code == 10 or 200 <= code <= 299


def regain_at(headers: httpx.Headers) -> datetime | None:
    """When BUC usage says access returns (`estimated_time_to_regain_access`, minutes)."""
    try:
        usage = json.loads(headers.get("x-business-use-case-usage") or "{}")
    except ValueError:
        return None
    minutes = 0.0
    if isinstance(usage, dict):
        for entries in usage.values():
            for entry in entries if isinstance(entries, list) else []:
                try:
                    minutes = max(minutes, float(entry.get("estimated_time_to_regain_access")))
                except (AttributeError, TypeError, ValueError):
                    continue
    return retry_in(minutes * 60) if minutes > 0 else None  # 0: the usage does not say


def graph_error(
    response: httpx.Response,
    body: Any,
    what: str,
    *,
    creating: bool,
    scrub: Callable[[str], str],
    rate_limit_fallback: timedelta,
) -> PublishError:
    """Graph's error answer as the taxonomy, with its code and message, `scrub`bed."""
    status = response.status_code
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    raw_code: Any = error.get("code")
    try:
        code = int(raw_code)
    except (TypeError, ValueError):
        code = 0
    subcode = error.get("error_subcode")
    message = scrub(str(error.get("message") or response.reason_phrase or status))
    platform_code = f"{code}/{subcode}" if subcode else (str(code) if code else None)
    text = f"facebook {what}: {message}" + (f" (code {platform_code})" if code else "")
    kw: dict[str, Any] = {"http_status": status, "platform_code": platform_code}
    if code in RATE_LIMIT_CODES or (not code and status == 429):
        retry_at = regain_at(response.headers)
        retry_at = retry_at or datetime.now(UTC) + rate_limit_fallback
        return RateLimitedError(text, retry_at=retry_at, **kw)
    if code == BLOCKED_CODE:
        return RateLimitedError(text, retry_at=datetime.now(UTC) + BLOCKED_RETRY, **kw)
    if code in AUTH_CODES or (not code and status == 401):
        return AuthenticationError(text, **kw)
    if code == 100 and "appsecret_proof" in message:
        # A missing or wrong proof fails every call of the account: pause it, not the post.
        return AuthenticationError(f"{text}: {APP_SECRET_FIX}", **kw)
    if code == DUPLICATE_CODE:
        return DuplicateContentError(text, **kw)
    if permission_code(code):
        return PermanentError(f"{text}: the token lacks a permission on the Page", **kw)
    if code in TRANSIENT_CODES or error.get("is_transient") is True or status >= 500:
        return unsettled_error(text, creating=creating, note=MAY_EXIST, **kw)
    return PermanentError(text, **kw)


def lacking_permission(error: PublishError, need: Need, account: str) -> AuthenticationError | None:
    """A Graph permission refusal (code 10 or 200-299) of a call that needs `need`, as the
    account-level failure it is (the account pauses), naming what to grant; None otherwise."""
    code = (error.platform_code or "").split("/", 1)[0]
    if not code.isdigit() or not permission_code(int(code)):
        return None
    wanted = ", ".join(need.permissions) or "a permission"
    return AuthenticationError(
        f"{error.message} ({need.purpose} needs {wanted}): run `crosspost auth facebook "
        f"{account}` again, granting the app {wanted}",
        http_status=error.http_status,
        platform_code=error.platform_code,
    )


def usage_peak(usage: Mapping[str, Any]) -> tuple[float, float]:
    """The highest percent in Graph's usage headers (X-App-Usage, X-Page-Usage: a table of
    percents; X-Business-Use-Case-Usage: lists of them per object) and the longest
    `estimated_time_to_regain_access` in minutes."""
    percent = 0.0
    regain = 0.0
    tables: list[Any] = []
    for value in usage.values():
        if isinstance(value, dict):
            for entry in value.values():
                tables.extend(entry if isinstance(entry, list) else [])
            tables.append(value)
    for table in tables:
        if not isinstance(table, dict):
            continue
        for key in ("call_count", "total_cputime", "total_time"):
            number = table.get(key)
            if isinstance(number, int | float) and not isinstance(number, bool):
                percent = max(percent, float(number))
        minutes = table.get("estimated_time_to_regain_access")
        if isinstance(minutes, int | float) and not isinstance(minutes, bool):
            regain = max(regain, float(minutes))
    return percent, regain
