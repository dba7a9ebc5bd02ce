"""YouTube's quota: a day of videos.insert calls and a day of units for every other call.

The day is YouTube's, in Pacific time; a call over either bucket is refused with quotaExceeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crosspost.sandbox.youtube.errors import ApiError

PACIFIC = ZoneInfo("America/Los_Angeles")  # YouTube's quota day
COST_WRITE = 50  # thumbnails.set, playlistItems.insert (2026 revision)
COST_READ = 1


@dataclass
class Quota:
    """The 2026 buckets: videos.insert calls per day, and units for every other call."""

    uploads_per_day: int
    units_per_day: int
    uploads_used: int = 0
    units_used: int = 0
    day: str = ""

    def _roll(self, now: float) -> None:
        today = datetime.fromtimestamp(now, PACIFIC).date().isoformat()
        if today != self.day:
            self.day, self.uploads_used, self.units_used = today, 0, 0

    def charge(self, now: float, *, upload: bool = False, units: int = 0) -> None:
        self._roll(now)
        if upload and self.uploads_used + 1 > self.uploads_per_day:
            raise quota_error("videos.insert calls")
        if units and self.units_used + units > self.units_per_day:
            raise quota_error("units")
        self.uploads_used += int(upload)
        self.units_used += units

    def describe(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "uploads_used": self.uploads_used,
            "uploads_per_day": self.uploads_per_day,
            "units_used": self.units_used,
            "units_per_day": self.units_per_day,
        }


def quota_error(bucket: str) -> ApiError:
    return ApiError(
        403,
        "quotaExceeded",
        f"The request cannot be completed because you have exceeded your quota ({bucket}).",
        "youtube.quota",
    )
