"""Costs as data: X's reported prices per post and per post holding a URL, per account
overridable, a thread costing one post per part, and the monthly cap's arithmetic."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from crosspost.adapters.base import ContentKind, Draft, Platform
from crosspost.config import parse_config
from crosspost.costs import Pricing, billing_month, cap_wait, draft_cost, usd
from crosspost.errors import ConfigError

PRICES = Pricing(Decimal("0.015"), Decimal("0.20"))


def parse(text: str):
    return parse_config(tomllib.loads(text), Path("/etc/crosspost/crosspost.toml"))


def x_draft(*parts: str) -> Draft:
    return Draft(Platform.X, ContentKind.ARTICLE, parts=parts)


def test_a_thread_of_n_parts_costs_n_posts_and_a_part_with_a_url_the_higher_rate():
    cost = draft_cost(
        x_draft("Phần 1: công tác xây dựng Đảng", "Phần 2 đọc thêm tại baomoi.vn/bai-viet", "3/3"),
        PRICES,
    )
    assert cost.parts == (False, True, False)  # a bare domain is a URL to twitter-text
    assert cost.with_url == 1
    assert cost.total == Decimal("0.015") * 2 + Decimal("0.20")
    assert usd(cost.total) == "0.230"
    assert draft_cost(x_draft("Không có liên kết"), PRICES).total == Decimal("0.015")


def test_x_accounts_default_to_the_reported_rates_and_an_account_may_override_them():
    config = parse(
        '[accounts.xa]\nplatform = "x"\n'
        '[accounts.xb]\nplatform = "x"\n[accounts.xb.cost]\n'
        "per_post = 0.01\nper_post_with_url = 0.25\nmonthly_cap = 40\n"
        'month_zone = "Asia/Ho_Chi_Minh"\n'
        '[accounts.yt]\nplatform = "youtube"\n'
    )
    assert config.accounts["xa"].budget.pricing == PRICES
    assert config.accounts["xb"].budget.pricing == Pricing(
        Decimal("0.01"), Decimal("0.25"), Decimal("40"), "Asia/Ho_Chi_Minh"
    )
    assert config.accounts["yt"].budget.pricing is None  # YouTube bills no post


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("per_tweet = 1", "[accounts.xa.cost] per_tweet: unknown key; allowed here: month_zone"),
        ("monthly_cap = -5", "[accounts.xa.cost] monthly_cap: -5 must be a number from 0 to"),
        ('per_post = "0.015"', "[accounts.xa.cost] per_post: '0.015' must be a number"),
        ('month_zone = "Mars/Olympus"', "[accounts.xa.cost] month_zone: 'Mars/Olympus' is not"),
    ],
)
def test_a_wrong_cost_is_one_line_naming_the_key(table, message):
    with pytest.raises(ConfigError) as caught:
        parse(f'[accounts.xa]\nplatform = "x"\n[accounts.xa.cost]\n{table}\n')
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_cap_waits_for_the_next_billing_month_in_its_zone():
    now = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # already 1 December in Vietnam
    capped = Pricing(Decimal("0.015"), Decimal("0.20"), Decimal("1.00"), "Asia/Ho_Chi_Minh")
    assert cap_wait(capped, [Decimal("0.80")], Decimal("0.20"), now, "xa") is None
    wait = cap_wait(capped, [Decimal("0.80")], Decimal("0.215"), now, "xa")
    assert wait is not None
    assert wait.until == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert wait.reason == (
        "spend cap: xa may spend $1.000 in a month (2026-12: $0.800 spent, this post $0.215)"
    )
    assert billing_month(now, "UTC").label == "2026-11"
    assert cap_wait(PRICES, [Decimal("99")], Decimal("1"), now, "xa") is None  # no cap
