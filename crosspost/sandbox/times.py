"""Time stamps as the platforms write and read them (each has its own format, all are UTC), and
the sandbox's clock, which tests move forward to let tokens expire."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def utc_text(ts: float, pattern: str) -> str:
    """`ts` (Unix seconds) in UTC, written with the strftime `pattern` a platform uses."""
    return datetime.fromtimestamp(ts, UTC).strftime(pattern)


def parse_iso(value: str) -> datetime | None:
    """An ISO 8601 / RFC 3339 time (``Z`` or an offset, or none: the caller decides what a
    missing zone means); None when `value` is not one."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class SandboxClock:
    """The sandbox's own time: the wall clock plus an offset a test moves forward (through
    ``POST /_sandbox/clock``), so hours of token lifetimes pass in a second. Only forward: a
    platform's clock never runs back, and what it issued must never come back to life."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        """Move the clock `seconds` on (>= 0); the offset now."""
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError("the sandbox clock moves forward only: advance must be a number >= 0")
        self.offset += float(seconds)
        return self.offset

    def reset(self) -> None:
        self.offset = 0.0
