"""X in `crosspost preview`: each post of the thread, weighed as twitter-text weighs it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table

from crosspost.adapters.base import Draft, Limits
from crosspost.adapters.x.weighted import WeightConfig, weighted_length
from crosspost.render.preview import count


class XPreview:
    def section(self, draft: Draft, limits: Limits) -> dict[str, Any]:
        config = WeightConfig.for_limits(limits)
        return {
            "posts": [
                {
                    "text": part,
                    "weighted_length": weighted_length(part, config),
                    "limit": config.max_weighted_length,
                }
                for part in draft.parts
            ],
            "thread": len(draft.parts) > 1,
        }

    def rows(self, section: Mapping[str, Any]) -> list[Any]:
        table = Table(show_header=True, header_style="bold", expand=True)
        table.add_column("#", justify="right", width=3)
        table.add_column("post")
        table.add_column("weighted", justify="right", no_wrap=True)
        for index, post in enumerate(section["posts"], start=1):
            length = count(post["weighted_length"], post["limit"], "")
            table.add_row(str(index), post["text"], length)
        return [table]


PREVIEW = XPreview()
