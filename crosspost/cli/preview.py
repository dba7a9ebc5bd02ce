"""`crosspost preview` printed: each platform's draft as it will be sent, with its counted lengths.

The document itself is made in `crosspost.previews` (the web's approval queue shows it too).

The document (`--json`) has a section per platform previewed, keyed by the platform's name and
made by its adapter package's preview (`crosspost.adapters.registry.preview_for`): its texts,
each counted as the platform counts it beside its `..._limit`, its `media` and its `problems`;
and `problems[]`, every draft's. Each section also has `cost`: where the account's posts are
priced (`[accounts.NAME.cost]`, X's reported pay-per-use rates by default) what publishing the
draft is expected to cost (crosspost/costs.py `cost_json`: a thread's parts priced one by one,
at the URL rate where a part holds one), and null where posts are not billed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from crosspost.adapters.base import Platform
from crosspost.adapters.registry import preview_for
from crosspost.costs import PostCost, Pricing, cost_line
from crosspost.previews import preview_command as preview_command


def print_preview(doc: Mapping[str, Any], console: Console) -> None:
    """Show each platform's rendering, its lengths against the limits, and its problems."""
    console.print(Text(f"#{doc['content_id']} {doc['kind']}: {doc['title']}", style="bold"))
    for platform in Platform:
        section = doc.get(str(platform))
        if section is None:
            continue
        parts = preview_for(platform).rows(section)
        for media in section.get("media", []):
            parts.append(
                Text(f"{media['role']}: {media['path']} ({media['size']} bytes)", style="dim")
            )
        if section.get("cost"):
            parts.append(Text(_cost_words(section["cost"])))
        for problem in section.get("problems", []):
            parts.append(Text(f"✗ {problem}", style="bold red"))
        ok = not section.get("problems")
        title = f"{platform} {'✓' if ok else '✗'}"
        console.print(Panel(Group(*parts), title=title, border_style="green" if ok else "red"))
    if not doc.get("problems"):
        console.print(Text("no problems", style="green"))


def _cost_words(cost: Mapping[str, Any]) -> str:
    """The JSON cost back in words, so the table and --json can never disagree."""
    prices = {p["with_url"]: Decimal(p["price"]) for p in cost["parts"]}
    pricing = Pricing(prices.get(False, Decimal(0)), prices.get(True, Decimal(0)))
    parts = tuple(p["with_url"] for p in cost["parts"])
    return cost_line(PostCost(parts, Decimal(cost["total"])), pricing)
