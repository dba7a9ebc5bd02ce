"""`[accounts.NAME.cost]`: what the account's posts cost and its optional monthly spend cap.

The defaults are the adapter's `default_prices` (X: the 2026 pay-per-use rate card as reported,
crosspost/costs.py); any key here overrides them for this account, since the rates are not
confirmed and change. `monthly_cap` (USD) makes the worker defer posts beyond it to the next
billing month; `month_zone` is the billing month's calendar (UTC unless told).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from crosspost.adapters.base import Adapter
from crosspost.config_reader import Reader
from crosspost.costs import Pricing
from crosspost.errors import UserError
from crosspost.timeutil import load_zone

COST_KEYS = frozenset({"per_post", "per_post_with_url", "monthly_cap", "month_zone"})
MAX_PRICE = 1_000.0  # per post, USD: anything above is a typo
MAX_CAP = 10_000_000.0


def default_prices(adapter_cls: type[Adapter]) -> Mapping[str, float]:
    """The prices an adapter declares (none: its posts cost nothing per post)."""
    prices: Mapping[str, float] = getattr(adapter_cls, "default_prices", {}) or {}
    return prices


def read_pricing(r: Reader, adapter_cls: type[Adapter]) -> Pricing | None:
    """The account's Pricing, or None when nothing is priced and no cap is set."""
    r.only(COST_KEYS)
    defaults = default_prices(adapter_cls)
    per_post = r.number("per_post", defaults.get("per_post", 0.0), minimum=0, maximum=MAX_PRICE)
    with_url = r.number(
        "per_post_with_url",
        defaults.get("per_post_with_url", per_post),
        minimum=0,
        maximum=MAX_PRICE,
    )
    cap = None
    if "monthly_cap" in r.data:
        cap = r.number("monthly_cap", 0.0, minimum=0, maximum=MAX_CAP)
    zone = r.string("month_zone", "UTC") or "UTC"
    try:
        load_zone(zone)
    except UserError:
        r.fail("month_zone", f"{zone!r} is not a time zone name such as UTC or Asia/Ho_Chi_Minh")
        zone = "UTC"
    pricing = Pricing(
        per_post=Decimal(str(per_post)),
        per_post_with_url=Decimal(str(with_url)),
        monthly_cap=None if cap is None else Decimal(str(cap)),
        month_zone=zone,
    )
    return pricing if pricing.priced or pricing.monthly_cap is not None else None
