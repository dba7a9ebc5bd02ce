"""What a post costs where the platform bills per post, and the monthly spend cap, as pure data.

X bills API use under pay-per-use: its 2026 rate card, as reported (not confirmed from a primary
source: ../shared/reference/PLATFORMS.md, "A post with a URL costs more under pay-per-use"), is
about $0.015 per post created and $0.20 for a post that holds a URL. The figures are data: the
adapter declares them as defaults (`default_prices`) and `[accounts.NAME.cost]` overrides them
per account. A thread of N parts is N posts; each part holding a URL pays the higher rate. A URL
is what twitter-text extracts (the spans X turns into t.co links), or the draft's own link.

Three callers agree through this module: `crosspost preview` (each draft's cost), `crosspost
plan` (the month's sum per account) and the claim-time gate (posts/gate.py: a post that would
take the month's spend over the cap waits for the next month). No database, no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from crosspost.adapters.base import Draft
from crosspost.timeutil import as_utc

CENT = Decimal("0.001")  # shown to a tenth of a cent: $0.015 must not round to $0.02


@dataclass(frozen=True)
class Pricing:
    """An account's price per post, per post holding a URL, and optional monthly cap (USD)."""

    per_post: Decimal
    per_post_with_url: Decimal
    monthly_cap: Decimal | None = None
    month_zone: str = "UTC"  # the billing month's calendar; X's is UNVERIFIED, so configurable

    @property
    def priced(self) -> bool:
        return bool(self.per_post or self.per_post_with_url)


@dataclass(frozen=True)
class PostCost:
    """One draft's cost: its parts (True where the part holds a URL) and the total in USD."""

    parts: tuple[bool, ...]
    total: Decimal

    @property
    def with_url(self) -> int:
        return sum(self.parts)


def holds_url(text: str) -> bool:
    """Whether `text` holds a URL as twitter-text finds them (bare domains included)."""
    from twitter_text.extract_urls import extract_urls_with_indices

    return bool(extract_urls_with_indices(text))


def draft_cost(draft: Draft, pricing: Pricing) -> PostCost:
    """What publishing `draft` costs: each part a post, at the URL rate where it holds one."""
    texts = list(draft.parts) or [draft.title or ""]
    parts = tuple(holds_url(t) or (n == 0 and bool(draft.link)) for n, t in enumerate(texts))
    total = sum(
        (pricing.per_post_with_url if url else pricing.per_post for url in parts), Decimal(0)
    )
    return PostCost(parts, total)


def usd(amount: Decimal) -> str:
    """`amount` as text to the tenth of a cent, the way --json and the tables show it."""
    return str(amount.quantize(CENT))


def cost_json(cost: PostCost, pricing: Pricing) -> dict[str, object]:
    """A draft's cost with stable keys (amounts as text in USD, so nothing rounds on the way):
    currency, total, posts (one per part), with_url (how many pay the URL rate), and each
    part's price in order."""
    return {
        "currency": "USD",
        "total": usd(cost.total),
        "posts": len(cost.parts),
        "with_url": cost.with_url,
        "parts": [
            {
                "part": n,
                "with_url": url,
                "price": usd(pricing.per_post_with_url if url else pricing.per_post),
            }
            for n, url in enumerate(cost.parts, start=1)
        ],
    }


def cost_line(cost: PostCost, pricing: Pricing) -> str:
    """The cost in words: the total, then how it is made up."""
    plain = len(cost.parts) - cost.with_url
    pieces = []
    if plain:
        pieces.append(f"{plain} at ${usd(pricing.per_post)}")
    if cost.with_url:
        pieces.append(f"{cost.with_url} with a URL at ${usd(pricing.per_post_with_url)}")
    posts = "1 post" if len(cost.parts) == 1 else f"{len(cost.parts)} posts"
    return f"expected cost ${usd(cost.total)} ({posts}: {', '.join(pieces)})"


@dataclass(frozen=True)
class BillingMonth:
    """The billing month holding a moment, and its bounds in UTC."""

    label: str  # YYYY-MM
    start: datetime
    end: datetime


def billing_month(at: datetime, zone: str) -> BillingMonth:
    tz = ZoneInfo(zone)
    local = as_utc(at).astimezone(tz)
    first = local.date().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(following, time(0), tzinfo=tz)
    return BillingMonth(first.strftime("%Y-%m"), as_utc(start), as_utc(end))


@dataclass(frozen=True)
class CapWait:
    until: datetime
    reason: str


def cap_wait(
    pricing: Pricing, spent: Iterable[Decimal], cost: Decimal, now: datetime, account: str
) -> CapWait | None:
    """None if `cost` more fits the month's cap after `spent`; else wait for the next month."""
    if pricing.monthly_cap is None:
        return None
    so_far = sum(spent, Decimal(0))
    if so_far + cost <= pricing.monthly_cap:
        return None
    month = billing_month(now, pricing.month_zone)
    return CapWait(
        month.end,
        f"spend cap: {account} may spend ${usd(pricing.monthly_cap)} in a month "
        f"({month.label}: ${usd(so_far)} spent, this post ${usd(cost)})",
    )
