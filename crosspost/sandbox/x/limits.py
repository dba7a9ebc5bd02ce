"""X's per-user rate limits: 15-minute windows per endpoint group, and their headers.

Every answer carries ``x-rate-limit-limit``/``-remaining``/``-reset`` as X sends them; calls are
refused with 429 only when the ``enforce_rate_limits`` knob is on.
"""

from __future__ import annotations

from typing import Any

WINDOW_SECONDS = 15 * 60
# Per-user limits per 15-minute window (X docs, edited 2026-07); enforced only when configured.
RATE_LIMITS = {
    "tweets.create": 100,
    "media": 1875,
    "users.me": 75,
    "users.tweets": 900,
    "tweets.get": 900,
}
ACTION_GROUP = {
    "tweets.create": "tweets.create",
    "media.initialize": "media",
    "media.append": "media",
    "media.finalize": "media",
    "media.status": "media",
    "users.me": "users.me",
    "users.tweets": "users.tweets",
    "tweets.get": "tweets.get",
}


class RateWindows:
    """Each user's window per group: when it started and how many calls it has counted."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self._settings = settings  # the platform's live settings (limits, enforcement)
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def clear(self) -> None:
        self._windows.clear()

    def _limit(self, group: str) -> int:
        overrides: dict[str, int] = self._settings["rate_limits"]
        return overrides.get(group, RATE_LIMITS.get(group, 900))

    def _window(self, user_id: str, group: str, now: float) -> tuple[float, int]:
        """The user's window for the group: (its start, calls in it), a new one once it ends."""
        start, used = self._windows.get((user_id, group), (now, 0))
        return (now, 0) if now >= start + WINDOW_SECONDS else (start, used)

    def charge(self, user_id: str, group: str, now: float) -> tuple[dict[str, str], bool]:
        """Count a call in the window, unless enforced limits refuse it; its headers."""
        limit = self._limit(group)
        start, used = self._window(user_id, group, now)
        allowed = not (self._settings["enforce_rate_limits"] and used >= limit)
        if allowed:
            used += 1
        self._windows[(user_id, group)] = (start, used)
        return _headers(limit, used, start), allowed

    def peek(self, user_id: str, group: str, now: float) -> dict[str, str]:
        """The window's headers without counting a call (for a faulted answer)."""
        start, used = self._window(user_id, group, now)
        return _headers(self._limit(group), used, start)


def _headers(limit: int, used: int, start: float) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(max(limit - used, 0)),
        "x-rate-limit-reset": str(int(start + WINDOW_SECONDS)),
    }
