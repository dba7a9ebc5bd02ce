"""Times: stored as UTC-aware datetimes, shown and accepted in the configured zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crosspost.errors import UserError


def utcnow() -> datetime:
    return datetime.now(UTC)


def load_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"unknown time zone {name!r}; use an IANA name such as Asia/Ho_Chi_Minh"
        ) from None


def as_utc(value: datetime) -> datetime:
    """Aware UTC. SQLite hands back naive datetimes; crosspost only ever stores UTC in them."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_local_time(text: str, zone: ZoneInfo, *, now: datetime | None = None) -> datetime:
    """Parse `--at` ("2026-12-01 08:00" in the zone, an ISO time with offset, or "now") to UTC."""
    value = text.strip()
    if value.lower() == "now":
        return now or utcnow()
    try:  # Python 3.11 reads "YYYY-MM-DD HH:MM[:SS]", the "T" form and offsets alike
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(
            f"cannot read the time {text!r}; write it as 'YYYY-MM-DD HH:MM' in {zone.key}, or 'now'"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def format_local(value: datetime | None, zone: ZoneInfo) -> str:
    if value is None:
        return "-"
    return as_utc(value).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def iso_local(value: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 with the zone's offset, for --json output."""
    if value is None:
        return None
    return as_utc(value).astimezone(zone).isoformat()
