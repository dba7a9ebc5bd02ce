"""Time stamps as the platforms write and read them (each has its own format, all are UTC)."""

from __future__ import annotations

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
