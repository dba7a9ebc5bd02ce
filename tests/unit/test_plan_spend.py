"""The plan's expected spend per account and billing month: spent, scheduled and planned
summed, and the placements a monthly cap would defer named as the gate would defer them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from crosspost.costs import Pricing
from crosspost.intake.spend import PLANNED, SCHEDULED, SPENT, Priced, month_spend

CAPPED = Pricing(Decimal("0.015"), Decimal("0.20"), Decimal("0.50"), "Asia/Ho_Chi_Minh")


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=UTC)


def test_placements_past_the_cap_are_named_in_claim_order_and_a_cheaper_one_may_still_fit():
    posts = [
        Priced("x", at(2), Decimal("0.20"), SPENT, 1),
        Priced("x", at(5), Decimal("0.20"), SCHEDULED, 2),
        Priced("x", at(9), Decimal("0.20"), PLANNED, 3, "dear"),
        Priced("x", at(7), Decimal("0.015"), PLANNED, 4, "cheap"),
        Priced("x", at(8), Decimal("0.20"), PLANNED, 5, "too late"),
    ]
    (row,) = month_spend(posts, {"x": CAPPED})
    assert (row.spent, row.scheduled, row.planned) == (
        Decimal("0.20"),
        Decimal("0.20"),
        Decimal("0.415"),
    )
    assert row.total == Decimal("0.815") and row.cap == Decimal("0.50")
    # 0.20 spent + 0.20 scheduled + 0.015 (day 7) fit; day 8 and day 9 would each pass 0.50
    assert [p.content_id for p in row.over_cap] == [5, 3]


def test_the_billing_month_follows_its_zone_and_unpriced_accounts_have_no_row():
    # 2026-12-31 20:00 UTC is already January in Vietnam: the cap's month is the zone's
    posts = [
        Priced("x", at(31, 20), Decimal("0.20"), PLANNED, 1),
        Priced("x", at(31, 10), Decimal("0.20"), PLANNED, 2),
        Priced("page", at(3), Decimal("0"), PLANNED, 3),
    ]
    rows = month_spend(posts, {"x": CAPPED})
    assert [(r.account, r.month, r.planned, r.over_cap) for r in rows] == [
        ("x", "2026-12", Decimal("0.20"), ()),
        ("x", "2027-01", Decimal("0.20"), ()),
    ]


def test_without_a_cap_nothing_is_deferred():
    posts = [Priced("x", at(d), Decimal("0.20"), PLANNED, d) for d in range(1, 20)]
    (row,) = month_spend(posts, {"x": Pricing(Decimal("0.015"), Decimal("0.20"))})
    assert row.cap is None and row.over_cap == () and row.planned == Decimal("3.80")
