"""The time bounds of a listing: `--since` / `--until` in the configured zone, and the day
`posts today` covers. A date alone is a whole day here (a range bound guesses nothing: since a
day is its first moment, until a day includes it), unlike `--at`, where it is refused."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from crosspost.errors import UserError

if TYPE_CHECKING:
    from crosspost.listing import PostFilter

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Posts that may still go out today; with the published ones they make "today".
STILL_TO_GO = ("scheduled", "publishing", "retry_wait", "unknown")
WAITING = ("scheduled", "retry_wait")


@dataclass(frozen=True)
class Today:
    """What goes out today, and the posts due by midnight that wait for a paused account to
    be fixed instead (they go out only once it is)."""

    rows: list[dict[str, Any]]
    held: list[dict[str, Any]]


def bound(text: str | None, zone: ZoneInfo, flag: str, *, end: bool) -> datetime | None:
    """A listing bound in UTC: a local time (its offset if given), or a date's first moment
    (for --until, the next day's first moment, so the date is included)."""
    from crosspost.timeutil import parse_local_time

    if text is None:
        return None
    value = text.strip()
    if _DATE.fullmatch(value):
        try:
            day = datetime.fromisoformat(value).date()
        except ValueError:
            raise UserError(f"{flag} {text!r} is not a date; write YYYY-MM-DD") from None
        if end and day == date.max:
            raise UserError(f"{flag} {text!r} is the last day there is; leave {flag} out instead")
        return _day_start(day + timedelta(days=1 if end else 0), zone)
    try:  # the horizon does not bound a listing: a year ago or ahead is a fair question
        return parse_local_time(value, zone, horizon_days=365_000)
    except UserError as exc:
        raise UserError(f"{flag}: {exc}") from None


def _day_start(day: Any, zone: ZoneInfo) -> datetime:
    from crosspost.timeutil import as_utc

    # The zone's first moment of the day (a zone whose midnight is skipped starts later).
    return as_utc(datetime.combine(day, time(0), tzinfo=zone))


def goes_out_today(
    collect: Callable[[PostFilter], Iterator[dict[str, Any]]],
    zone: ZoneInfo,
    platform: Sequence[str],
) -> Today:
    """What goes out today in `zone`, in the order it goes: posts still to go whose time (the
    scheduled one, or later when they wait) falls before midnight, overdue ones included, and
    the posts published today."""
    from crosspost.listing import PostFilter
    from crosspost.timeutil import utcnow

    now = utcnow().astimezone(zone)
    start = _day_start(now.date(), zone)
    midnight = _day_start(now.date() + timedelta(days=1), zone)

    def goes(r: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(r["goes_out_at"] or r["scheduled_at"])

    def going_today(r: dict[str, Any]) -> bool:
        """Out by midnight: being published now; waiting with a time before midnight (a post
        of a paused account has none: it waits for the fix, not the clock); or unknown from
        today's schedule (an older unknown post is the reconciler's, not today's)."""
        if r["state"] == "publishing":
            return True
        if r["state"] == "unknown":
            return datetime.fromisoformat(r["scheduled_at"]) >= start
        return r["goes_out_at"] is not None and goes(r) < midnight

    candidates = list(collect(PostFilter(status=STILL_TO_GO, platform=platform, until=midnight)))
    pending = [r for r in candidates if going_today(r)]
    held = [r for r in candidates if r["state"] in WAITING and r["goes_out_at"] is None]
    published = list(
        collect(PostFilter(status=("published",), platform=platform, published_since=start))
    )
    rows = sorted(published, key=lambda r: datetime.fromisoformat(r["published_at"])) + sorted(
        pending, key=lambda r: (goes(r), r["id"])
    )
    return Today(rows, held)


def goes_out_tomorrow(
    collect: Callable[[PostFilter], Iterator[dict[str, Any]]],
    zone: ZoneInfo,
    platform: Sequence[str],
) -> list[dict[str, Any]]:
    """What goes out tomorrow in `zone`, in the order it goes: posts still to go whose time
    (the scheduled one, or later when they wait) falls on that day."""
    from crosspost.listing import PostFilter
    from crosspost.timeutil import utcnow

    today = utcnow().astimezone(zone).date()
    start = _day_start(today + timedelta(days=1), zone)
    end = _day_start(today + timedelta(days=2), zone)

    def goes(r: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(r["goes_out_at"] or r["scheduled_at"])

    rows = collect(PostFilter(status=STILL_TO_GO, platform=platform, until=end))
    # a paused account's post has no time to go (it waits for the fix): not tomorrow's
    going = (r for r in rows if r["goes_out_at"] is not None and start <= goes(r) < end)
    return sorted(going, key=lambda r: (goes(r), r["id"]))
