"""The planner as a pure function: examples of what it decides, then properties that hold for
any input (hypothesis): one post per slot and account, the gap, the YouTube day's budget, the
window and the month, every item accounted for, and the same plan for the same input."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosspost.config import Budget, WindowSettings
from crosspost.intake.month import Month
from crosspost.intake.planner import (
    ExistingPost,
    Plan,
    PlanAccount,
    PlanItem,
    interleave,
    plan_month,
)
from crosspost.intake.slots import hour_ranges, separation

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PACIFIC = ZoneInfo("America/Los_Angeles")
DECEMBER = Month(2026, 12)
BEFORE = datetime(2026, 11, 20, tzinfo=UTC)
ALL_KINDS = frozenset({"article", "video", "podcast"})
PAGE = PlanAccount("page", "facebook", ALL_KINDS)
CHANNEL = PlanAccount("channel", "youtube", frozenset({"video", "podcast"}))
FEED = PlanAccount("feed", "x", ALL_KINDS)
WINDOWS = {
    "facebook": WindowSettings(4, ("07:00-21:00",), 90),
    "youtube": WindowSettings(2, ("09:00-20:00",), 180),
    "x": WindowSettings(6, ("06:30-22:00",), 60),
}
YOUTUBE_DAY = Budget({"per_day": 1}, "America/Los_Angeles")


def items(count: int, kind: str = "article", units: tuple[str, ...] = ("ha-noi",)) -> list:
    return [PlanItem(n + 1, kind, units[n % len(units)], f"tin {n + 1}") for n in range(count)]


def plan(
    todo,
    accounts=(PAGE,),
    *,
    windows=WINDOWS,
    budgets=None,
    existing=(),
    month=DECEMBER,
    now=BEFORE,
) -> Plan:
    return plan_month(todo, accounts, windows, budgets or {}, existing, month, now, HCM)


def local(at: datetime) -> datetime:
    return at.astimezone(HCM)


def test_items_are_spread_over_the_month():
    result = plan(items(4))
    days = [local(p.at).day for p in result.placements]
    assert days == sorted(set(days))  # one a day, in order
    assert days[0] == 1 and days[-1] >= 24
    assert result.unplaced == ()


def test_each_account_takes_only_its_kinds_and_what_it_lacks():
    todo = [
        PlanItem(1, "article", "ha-noi"),
        PlanItem(2, "video", "ha-noi", done=frozenset({"page"})),
        PlanItem(3, "podcast", "hai-phong", done=frozenset({"page", "channel"})),
    ]
    result = plan(todo, (PAGE, CHANNEL))
    assert sorted((p.content_id, p.account) for p in result.placements) == [
        (1, "page"),
        (2, "channel"),
    ]
    assert result.unplaced == ()


def test_a_kind_no_account_takes_is_reported():
    result = plan([PlanItem(1, "article", "ha-noi")], (CHANNEL,))
    assert result.placements == ()
    (missed,) = result.unplaced
    assert (missed.content_id, missed.account) == (1, None)
    assert missed.reason == "no enabled account takes article content"


def test_posts_already_scheduled_hold_their_slot_and_the_gap_around_it():
    taken = datetime(2026, 12, 1, 1, 45, tzinfo=UTC)  # 08:45 in Vietnam: the first slot
    nearby = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 12:00: 15 minutes before the second
    existing = [ExistingPost("page", taken, "da-nang"), ExistingPost("page", nearby, "da-nang")]
    result = plan(items(130), existing=existing)
    gap = separation(WINDOWS["facebook"])
    assert all(abs(p.at - e.at) >= gap for p in result.placements for e in existing)
    assert result.accounts[0].free == 124 - 2
    assert len(result.placements) == 122
    reasons = {u.reason for u in result.unplaced}
    assert reasons == {
        "page has no free slot left in 2026-12 (124 slots from now on: "
        "2 taken by posts already scheduled, 122 planned here)"
    }


def test_one_units_items_are_kept_apart():
    # two units' items, listed one unit after the other, on the last three days of the month
    todo = items(3, units=("ha-noi",)) + [PlanItem(n, "article", "hue") for n in (4, 5, 6)]
    window = {"facebook": WindowSettings(2, ("08:00-20:00",), 60)}
    result = plan(todo, windows=window, now=datetime(2026, 12, 28, 17, tzinfo=UTC))
    units = [p.unit for p in result.placements]
    assert len(units) == 6
    assert all(a != b for a, b in itertools.pairwise(units))
    per_day = Counter((local(p.at).date(), p.unit) for p in result.placements)
    assert max(per_day.values()) == 1


def test_interleave_takes_units_in_turn_and_kinds_in_turn():
    todo = [
        PlanItem(1, "article", "hue"),
        PlanItem(2, "article", "hue"),
        PlanItem(3, "video", "hue"),
        PlanItem(4, "article", "an-giang"),
        PlanItem(5, "podcast", None),
    ]
    assert [i.content_id for i in interleave(todo)] == [4, 1, 5, 3, 2]


def test_youtube_budget_counts_the_pacific_day_with_posts_already_there():
    # 11:45 in Vietnam is the evening before in California; 17:15 is the small hours after
    existing = [ExistingPost("channel", datetime(2026, 12, 1, 10, 15, tzinfo=UTC), "hue")]
    result = plan(
        items(70, kind="video", units=("ha-noi", "hue")),
        (CHANNEL,),
        budgets={"channel": YOUTUBE_DAY},
        existing=existing,
    )
    days = Counter(p.at.astimezone(PACIFIC).date() for p in result.placements)
    assert max(days.values()) == 1
    assert existing[0].at.astimezone(PACIFIC).date() not in days
    # the month's slots span 30 November to 31 December in California: 32 days, one used
    assert len(result.placements) == 31
    assert result.unplaced[0].reason == (
        "channel's budget (per_day 1 (America/Los_Angeles day)) is used up on every day that "
        "still has a free slot in 2026-12"
    )


def test_a_reels_window_counts_only_the_page_videos_with_the_videos_already_there():
    # A page publishing videos as Reels: 1 post carrying a video in any 24 hours (30 in life);
    # its articles are not held by it, and a video already there counts
    reels = {"page": Budget(video_limits={"per_day": 1})}
    existing = [ExistingPost("page", datetime(2026, 12, 1, 2, tzinfo=UTC), "hue", video=True)]
    videos = [
        PlanItem(n + 1, "video", "ha-noi", f"phóng sự {n + 1}", videos=frozenset({"page"}))
        for n in range(40)
    ]
    result = plan(videos, budgets=reels, existing=existing)
    times = sorted([existing[0].at, *(p.at for p in result.placements)])
    assert all(b - a >= timedelta(days=1) for a, b in itertools.pairwise(times))
    assert result.placements and result.unplaced
    assert "posts with a video: per_day 1" in result.unplaced[0].reason
    articles = plan(items(40), budgets=reels, existing=existing)
    assert len(articles.placements) == 40  # four slots a day: articles are not Reels


def test_nothing_is_planned_before_now():
    now = datetime(2026, 12, 15, 6, tzinfo=UTC)  # 13:00 on 15 December in Vietnam
    result = plan(items(200), now=now)
    assert min(p.at for p in result.placements) == datetime(2026, 12, 15, 8, 45, tzinfo=UTC)
    assert len(result.placements) == result.accounts[0].slots == 2 + 16 * 4


def test_a_month_already_over_has_no_slots():
    result = plan(items(2), now=datetime(2027, 1, 1, tzinfo=UTC))
    assert result.placements == ()
    assert [u.reason for u in result.unplaced] == [
        "page has no posting slot in 2026-12 after now"
    ] * 2


def test_input_order_does_not_change_the_plan():
    todo = items(40, units=("ha-noi", "hue", "da-nang")) + items(10, "video")
    todo = [PlanItem(n, i.kind, i.unit) for n, i in enumerate(todo)]
    shuffled = list(todo)
    random.Random(7).shuffle(shuffled)
    accounts = (PAGE, CHANNEL, FEED)
    assert plan(todo, accounts) == plan(shuffled, tuple(reversed(accounts)))


# --- properties -------------------------------------------------------------------------------

CLOCKS = st.integers(0, 23 * 60 + 59)


@st.composite
def windows(draw: st.DrawFn) -> WindowSettings:
    ranges = []
    for _ in range(draw(st.integers(1, 2))):
        start, end = sorted(draw(st.lists(CLOCKS, min_size=2, max_size=2, unique=True)))
        ranges.append(f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}")
    return WindowSettings(draw(st.integers(1, 8)), tuple(ranges), draw(st.integers(0, 600)))


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    month = draw(st.sampled_from([Month(2026, 11), Month(2026, 12), Month(2027, 2)]))
    start = month.start(HCM)
    minutes = st.integers(-2 * 1440, 31 * 1440)
    accounts = draw(st.lists(st.sampled_from([PAGE, CHANNEL, FEED]), min_size=1, unique=True))
    todo = [
        PlanItem(
            n,
            draw(st.sampled_from(sorted(ALL_KINDS))),
            draw(st.sampled_from(["ha-noi", "hue", "da-nang", None])),
            done=frozenset(draw(st.lists(st.sampled_from(["page", "channel", "feed"])))),
        )
        for n in range(draw(st.integers(0, 40)))
    ]
    existing = [
        ExistingPost(account, start + timedelta(minutes=minute), unit)
        for account, minute, unit in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["page", "channel", "feed"]),
                    minutes,
                    st.sampled_from(["ha-noi", "hue", None]),
                ),
                max_size=30,
            )
        )
    ]
    return {
        "todo": todo,
        "accounts": accounts,
        "windows": {p: draw(windows()) for p in ("facebook", "youtube", "x")},
        "budgets": {
            "channel": Budget({"per_day": draw(st.integers(1, 4))}, "America/Los_Angeles"),
            "feed": Budget({"per_hour": draw(st.integers(1, 3))}),
        },
        "existing": existing,
        "month": month,
        "now": start + timedelta(minutes=draw(minutes)),
    }


def run(s: dict) -> Plan:
    return plan(
        s["todo"],
        s["accounts"],
        windows=s["windows"],
        budgets=s["budgets"],
        existing=s["existing"],
        month=s["month"],
        now=s["now"],
    )


PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(scenarios())
def test_every_item_is_placed_or_explained_exactly_once(s):
    result = run(s)
    wanted = {
        (i.content_id, a.name)
        for i in s["todo"]
        for a in s["accounts"]
        if i.kind in a.kinds and a.name not in i.done
    }
    placed = [(p.content_id, p.account) for p in result.placements]
    missed = [(u.content_id, u.account) for u in result.unplaced if u.account]
    assert sorted(placed + missed) == sorted(wanted)


@PROPERTY
@given(scenarios())
def test_placements_keep_the_slot_the_gap_the_window_the_month_and_now(s):
    result = run(s)
    month = s["month"]
    for p in result.placements:
        window = s["windows"][p.platform]
        others = [e.at for e in s["existing"] if e.account == p.account] + [
            q.at for q in result.placements if q.account == p.account and q is not p
        ]
        assert all(abs(p.at - other) >= separation(window) for other in others)
        seen = local(p.at)
        minute = seen.hour * 60 + seen.minute
        assert any(start <= minute < end for start, end in hour_ranges(window))
        assert (seen.year, seen.month) == (month.year, month.month)
        assert p.at >= s["now"]


@PROPERTY
@given(scenarios())
def test_budgets_are_never_exceeded(s):
    result = run(s)
    youtube_day = s["budgets"]["channel"].per_day
    on_channel = [e.at for e in s["existing"] if e.account == "channel"]
    planned = [p.at for p in result.placements if p.account == "channel"]
    per_day = Counter(at.astimezone(PACIFIC).date() for at in on_channel + planned)
    assert all(per_day[at.astimezone(PACIFIC).date()] <= youtube_day for at in planned)
    hourly = s["budgets"]["feed"].limits["per_hour"]
    feed = sorted([e.at for e in s["existing"] if e.account == "feed"]) + [
        p.at for p in result.placements if p.account == "feed"
    ]
    for p in result.placements:
        if p.account == "feed":
            for start in (t for t in feed if p.at - timedelta(hours=1) < t <= p.at):
                inside = [t for t in feed if start <= t < start + timedelta(hours=1)]
                assert len(inside) <= hourly


@PROPERTY
@given(scenarios())
def test_the_same_input_gives_the_same_plan(s):
    assert run(s) == run({**s, "todo": s["todo"][::-1], "existing": s["existing"][::-1]})
