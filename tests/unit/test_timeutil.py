"""Times typed in Asia/Ho_Chi_Minh are stored as UTC and shown back in the zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crosspost.errors import UserError
from crosspost.timeutil import format_local, format_zoned, iso_local, parse_local_time

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


NEW_YORK = ZoneInfo("America/New_York")
JUNE_2026 = datetime(2026, 6, 1, tzinfo=UTC)


def test_an_overlapping_wall_time_is_refused_with_both_offsets():
    with pytest.raises(UserError) as refused:
        parse_local_time("2027-11-07 01:30", NEW_YORK, now=JUNE_2026)
    assert str(refused.value) == (
        "2027-11-07 01:30 happens twice in America/New_York; give its offset: "
        '--at "2027-11-07 01:30-04:00" or --at "2027-11-07 01:30-05:00"'
    )


def test_each_candidate_offset_is_taken_as_written():
    first = parse_local_time("2027-11-07 01:30-04:00", NEW_YORK, now=JUNE_2026)
    second = parse_local_time("2027-11-07 01:30-05:00", NEW_YORK, now=JUNE_2026)
    assert (first, second) == (
        datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
        datetime(2027, 11, 7, 6, 30, tzinfo=UTC),
    )


def test_a_wall_time_in_the_dst_gap_is_refused_with_the_two_real_times():
    with pytest.raises(UserError) as refused:
        parse_local_time("2027-03-14 02:30", NEW_YORK, now=JUNE_2026)
    assert str(refused.value) == (
        "2027-03-14 02:30 does not exist in America/New_York (its clocks skip that hour); "
        'give --at "2027-03-14 01:30-05:00" or "2027-03-14 03:30-04:00", or another time'
    )


def test_times_beside_a_transition_are_taken():
    assert parse_local_time("2027-03-14 03:00", NEW_YORK, now=JUNE_2026) == datetime(
        2027, 3, 14, 7, 0, tzinfo=UTC
    )
    assert parse_local_time("2027-11-07 02:00", NEW_YORK, now=JUNE_2026) == datetime(
        2027, 11, 7, 7, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("text", ["2026-12-01", "9999-12-31", "20261201"])
def test_a_date_without_a_time_is_refused(text):
    with pytest.raises(UserError, match="is a date without a time; write 'YYYY-MM-DD HH:MM'"):
        parse_local_time(text, HCM, now=JUNE_2026)


@pytest.mark.parametrize("text", ["9999-12-31 08:00", "9999-12-31 23:59-12:00", "2028-06-01 08:00"])
def test_a_time_past_the_horizon_is_refused(text):
    with pytest.raises(
        UserError, match=r"more than 730 days ahead \(the latest is 2028-05-31 07:00\+07:00\)"
    ):
        parse_local_time(text, HCM, now=JUNE_2026)


def test_the_horizon_is_configurable():
    when = parse_local_time("2030-01-01 08:00", HCM, now=JUNE_2026, horizon_days=3650)
    assert when == datetime(2030, 1, 1, 1, 0, tzinfo=UTC)
    with pytest.raises(UserError, match="more than 30 days ahead"):
        parse_local_time("2026-07-02 08:00", HCM, now=JUNE_2026, horizon_days=30)


def test_confirmations_show_the_offset():
    assert format_zoned(datetime(2026, 12, 1, 1, 0, 0, 123, tzinfo=UTC), HCM) == (
        "2026-12-01 08:00:00+07:00"
    )
