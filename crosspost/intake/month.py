"""A reporting month ("YYYY-MM", the `period` units submit for), read strictly so a typo such
as "2026-13" or "11/2026" is refused instead of silently reporting an empty month."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from crosspost.errors import UserError

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = MONTH.match(text.strip())
        if (
            match is None
            or not 1 <= int(match.group(2)) <= 12
            or not 1970 <= int(match.group(1)) <= 2999
        ):
            raise UserError(f"month {text!r} must be YYYY-MM, such as 2026-11")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def days(self) -> list[date]:
        count = calendar.monthrange(self.year, self.month)[1]
        return [date(self.year, self.month, day) for day in range(1, count + 1)]

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def start(self, zone: ZoneInfo) -> datetime:
        """Midnight of the first day in `zone`, as UTC."""
        return datetime.combine(date(self.year, self.month, 1), time(), zone).astimezone(UTC)

    def end(self, zone: ZoneInfo) -> datetime:
        """Midnight of the next month's first day in `zone`, as UTC (exclusive)."""
        return self.next().start(zone)
