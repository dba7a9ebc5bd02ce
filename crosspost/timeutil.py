"""Times: stored as UTC-aware datetimes, shown and accepted in the configured zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crosspost.errors import UserError

# How far ahead a post may be scheduled unless [crosspost] horizon_days says otherwise.
DEFAULT_HORIZON_DAYS = 730


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


def parse_local_time(
    text: str,
    zone: ZoneInfo,
    *,
    now: datetime | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> datetime:
    """Parse `--at` ("2026-12-01 08:00" in the zone, an ISO time with offset, or "now") to UTC.

    Nothing is guessed: a date alone, a wall time the zone skips (DST gap) or shows twice
    (overlap), and a time past the horizon are refused, the fix spelled out.
    """
    value = text.strip()
    current = now or utcnow()
    if value.lower() == "now":
        return current
    try:  # Python 3.11 reads "YYYY-MM-DD HH:MM[:SS]", the "T" form and offsets alike
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(
            f"cannot read the time {text!r}; write it as 'YYYY-MM-DD HH:MM' in {zone.key}, or 'now'"
        ) from None
    if _DATE_ONLY.fullmatch(value):
        raise UserError(
            f"{text!r} is a date without a time; write 'YYYY-MM-DD HH:MM' in {zone.key}"
        )
    if parsed.tzinfo is None:
        parsed = _unambiguous(parsed, zone, value)
    try:
        when = parsed.astimezone(UTC)
    except OverflowError:  # 9999-12-31 with a negative offset: past what can be stored
        when = datetime.max.replace(tzinfo=UTC)
    if when - current > timedelta(days=horizon_days):
        limit = _with_offset(as_utc(current + timedelta(days=horizon_days)).astimezone(zone))
        raise UserError(
            f"{value} is more than {horizon_days} days ahead (the latest is {limit}); "
            f"give a nearer time, or raise [crosspost] horizon_days"
        )
    return when


_DATE_ONLY = re.compile(r"\d{4}-?\d{2}-?\d{2}")


def _unambiguous(wall: datetime, zone: ZoneInfo, value: str) -> datetime:
    """`wall` in `zone`, refused where the zone's clocks skip it or show it twice."""
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        shown = [wall.replace(tzinfo=zone, fold=f).astimezone(UTC).astimezone(zone) for f in (1, 0)]
        candidates = " or ".join(f'"{_with_offset(t)}"' for t in shown)
        raise UserError(
            f"{value} does not exist in {zone.key} (its clocks skip that hour); "
            f"give --at {candidates}, or another time"
        )
    candidates = " or ".join(f'--at "{_with_offset(t)}"' for t in (first, second))
    raise UserError(f"{value} happens twice in {zone.key}; give its offset: {candidates}")


def _with_offset(value: datetime) -> str:
    """ "2027-11-07 01:30-04:00": a wall time with its offset, as `--at` takes it back."""
    return value.isoformat(sep=" ", timespec="minutes")


def format_local(value: datetime | None, zone: ZoneInfo) -> str:
    if value is None:
        return "-"
    return as_utc(value).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def format_zoned(value: datetime, zone: ZoneInfo) -> str:
    """A confirmation's time: local, with the offset ("2027-11-07 01:30:00+07:00")."""
    return as_utc(value).astimezone(zone).isoformat(sep=" ", timespec="seconds")


def iso_local(value: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 with the zone's offset, for --json output."""
    if value is None:
        return None
    if value.tzinfo is None:  # as `as_utc`; an aware value goes to the zone in one step
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).isoformat()
