"""Facebook in `crosspost preview`: the message in characters, and the link it carries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from crosspost.adapters.base import Draft, Limits
from crosspost.render.preview import count


class FacebookPreview:
    def section(self, draft: Draft, limits: Limits) -> dict[str, Any]:
        return {
            "message": draft.text,
            "message_length": len(draft.text),
            "message_limit": limits.text_max,
            "link": draft.link,
            "title": draft.title,
        }

    def rows(self, section: Mapping[str, Any]) -> list[Any]:
        return [
            Text.assemble(
                ("message ", "bold"),
                count(section["message_length"], section["message_limit"], "chars"),
            ),
            Text(section["message"]),
            Text.assemble(("link ", "bold"), section["link"] or "—"),
        ]


PREVIEW = FacebookPreview()
