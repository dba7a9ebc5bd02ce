"""`crosspost preview`: each platform's draft as it will be sent, with its counted lengths.

The document (`--json`) has, for the platforms previewed: `x.posts[].text`,
`x.posts[].weighted_length`, `youtube.title`, `youtube.description`, `youtube.tags`,
`facebook.message`, `facebook.link`, and `problems[]` (every draft's); each platform also gives
its own `problems`, its `media`, and each counted length beside its `..._limit`. Lengths are
counted as the platform counts them (X: twitter-text weighted length; YouTube: title in
characters, description in UTF-8 bytes, tags as YouTube counts them; Facebook: characters).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from crosspost.adapters.base import ContentSnapshot, Draft, Limits, Platform
from crosspost.render.weighted import WeightConfig, weighted_length
from crosspost.render.youtube import YouTubeLimits, tags_length


def _media(draft: Draft) -> list[dict[str, Any]]:
    return [
        {"role": str(m.role), "path": str(m.path), "size": m.size, "mime_type": m.mime_type}
        for m in draft.media
    ]


def _x(draft: Draft, limits: Limits) -> dict[str, Any]:
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


def _youtube(draft: Draft, limits: Limits) -> dict[str, Any]:
    title = draft.title or ""
    description = draft.description or ""
    limit = YouTubeLimits.for_limits(limits)  # as render_youtube reads them
    return {
        "title": title,
        "title_length": len(title),
        "title_limit": limit.title_max,
        "description": description,
        "description_bytes": len(description.encode("utf-8")),
        "description_limit_bytes": limit.description_max_bytes,
        "tags": list(draft.tags),
        "tags_length": tags_length(draft.tags),
        "tags_limit": limit.tags_max_total,
    }


def _facebook(draft: Draft, limits: Limits) -> dict[str, Any]:
    return {
        "message": draft.text,
        "message_length": len(draft.text),
        "message_limit": limits.text_max,
        "link": draft.link,
        "title": draft.title,
    }


_SECTIONS = {Platform.X: _x, Platform.YOUTUBE: _youtube, Platform.FACEBOOK: _facebook}


def _declared_limits(platform: Platform) -> Limits:
    """The limits the platform's built-in adapter declares."""
    from crosspost.adapters.registry import adapter_class

    return adapter_class(platform).limits


def preview_command(
    content: ContentSnapshot,
    drafts: Mapping[Platform, Draft],
    *,
    limits: Mapping[Platform, Limits] | None = None,
) -> dict[str, Any]:
    """The preview document for `drafts` (one per platform previewed), JSON-ready.

    `limits` (the adapters' Limits) sets the limits shown; for a platform left out, they are
    the ones its built-in adapter declares.
    """
    doc: dict[str, Any] = {
        "content_id": content.content_id,
        "kind": str(content.kind),
        "title": content.title,
    }
    problems: list[str] = []
    for platform in Platform:
        draft = drafts.get(platform)
        if draft is None:
            continue
        given = (limits or {}).get(platform)
        section = _SECTIONS[platform](draft, given or _declared_limits(platform))
        section["media"] = _media(draft)
        section["problems"] = list(draft.problems)
        doc[str(platform)] = section
        problems.extend(draft.problems)
    doc["problems"] = problems
    return doc


def _count(value: int, limit: int, unit: str) -> Text:
    style = "bold red" if value > limit else "green"
    return Text(f"{value}/{limit} {unit}", style=style)


def _x_body(section: Mapping[str, Any]) -> list[Any]:
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("#", justify="right", width=3)
    table.add_column("post")
    table.add_column("weighted", justify="right", no_wrap=True)
    for index, post in enumerate(section["posts"], start=1):
        table.add_row(str(index), post["text"], _count(post["weighted_length"], post["limit"], ""))
    return [table]


def _youtube_body(section: Mapping[str, Any]) -> list[Any]:
    return [
        Text.assemble(
            ("title ", "bold"), _count(section["title_length"], section["title_limit"], "chars")
        ),
        Text(section["title"]),
        Text.assemble(
            ("description ", "bold"),
            _count(section["description_bytes"], section["description_limit_bytes"], "bytes"),
        ),
        Text(section["description"]),
        Text.assemble(
            ("tags ", "bold"), _count(section["tags_length"], section["tags_limit"], "chars")
        ),
        Text(", ".join(section["tags"]) or "—"),
    ]


def _facebook_body(section: Mapping[str, Any]) -> list[Any]:
    return [
        Text.assemble(
            ("message ", "bold"),
            _count(section["message_length"], section["message_limit"], "chars"),
        ),
        Text(section["message"]),
        Text.assemble(("link ", "bold"), section["link"] or "—"),
    ]


_BODIES = {Platform.X: _x_body, Platform.YOUTUBE: _youtube_body, Platform.FACEBOOK: _facebook_body}


def print_preview(doc: Mapping[str, Any], console: Console) -> None:
    """Show each platform's rendering, its lengths against the limits, and its problems."""
    console.print(Text(f"#{doc['content_id']} {doc['kind']}: {doc['title']}", style="bold"))
    for platform in Platform:
        section = doc.get(str(platform))
        if section is None:
            continue
        parts = _BODIES[platform](section)
        for media in section.get("media", []):
            parts.append(
                Text(f"{media['role']}: {media['path']} ({media['size']} bytes)", style="dim")
            )
        for problem in section.get("problems", []):
            parts.append(Text(f"✗ {problem}", style="bold red"))
        ok = not section.get("problems")
        title = f"{platform} {'✓' if ok else '✗'}"
        console.print(Panel(Group(*parts), title=title, border_style="green" if ok else "red"))
    if not doc.get("problems"):
        console.print(Text("no problems", style="green"))
