"""Times typed in Asia/Ho_Chi_Minh are stored as UTC and shown back in the zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crosspost.errors import UserError
from crosspost.timeutil import format_local, iso_local, parse_local_time

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 08:00", datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
        ("2026-12-01 08:00:30", datetime(2026, 12, 1, 1, 0, 30, tzinfo=UTC)),
        ("2026-12-01T08:00", datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
        ("2026-12-01T08:00:00+00:00", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
    ],
)
def test_parse_local_time(text, expected):
    assert parse_local_time(text, HCM) == expected


def test_now_is_now():
    fixed = datetime(2026, 11, 29, tzinfo=UTC)
    assert parse_local_time(" NOW ", HCM, now=fixed) == fixed


@pytest.mark.parametrize("text", ["01/12/2026 08:00", "tomorrow", "2026-12-01 25:00", ""])
def test_unreadable_time_says_the_format(text):
    with pytest.raises(UserError, match="write it as 'YYYY-MM-DD HH:MM' in Asia/Ho_Chi_Minh"):
        parse_local_time(text, HCM)


def test_shown_in_the_zone():
    value = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert format_local(value, HCM) == "2026-12-01 08:00:00"
    assert iso_local(value, HCM) == "2026-12-01T08:00:00+07:00"
