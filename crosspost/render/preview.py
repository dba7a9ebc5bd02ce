"""What every platform's preview shows the same way: a counted length against its limit."""

from __future__ import annotations

from rich.text import Text


def count(value: int, limit: int | None, unit: str) -> Text:
    """`value/limit unit`, red when over the limit (no limit: the value alone)."""
    if limit is None:
        return Text(f"{value} {unit}".strip(), style="green")
    style = "bold red" if value > limit else "green"
    return Text(f"{value}/{limit} {unit}", style=style)
