"""YouTube in `crosspost preview`: title in characters, description in UTF-8 bytes, tags as
YouTube counts them, each beside the adapter's limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from crosspost.adapters.base import Draft, Limits
from crosspost.adapters.youtube.checks import tags_length
from crosspost.render.preview import count


class YouTubePreview:
    def section(self, draft: Draft, limits: Limits) -> dict[str, Any]:
        title = draft.title or ""
        description = draft.description or ""
        return {
            "title": title,
            "title_length": len(title),
            "title_limit": limits.title_max,
            "description": description,
            "description_bytes": len(description.encode("utf-8")),
            "description_limit_bytes": limits.description_max_bytes,
            "tags": list(draft.tags),
            "tags_length": tags_length(draft.tags),
            "tags_limit": limits.tags_max_total,
        }

    def rows(self, section: Mapping[str, Any]) -> list[Any]:
        return [
            Text.assemble(
                ("title ", "bold"), count(section["title_length"], section["title_limit"], "chars")
            ),
            Text(section["title"]),
            Text.assemble(
                ("description ", "bold"),
                count(section["description_bytes"], section["description_limit_bytes"], "bytes"),
            ),
            Text(section["description"]),
            Text.assemble(
                ("tags ", "bold"), count(section["tags_length"], section["tags_limit"], "chars")
            ),
            Text(", ".join(section["tags"]) or "—"),
        ]


PREVIEW = YouTubePreview()
