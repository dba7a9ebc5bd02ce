"""`crosspost preview`: each platform's draft as it will be sent, with its counted lengths.

The document (`--json`) has a section per platform previewed, keyed by the platform's name and
made by its adapter package's preview (`crosspost.adapters.registry.preview_for`): its texts,
each counted as the platform counts it beside its `..._limit`, its `media` and its `problems`;
and `problems[]`, every draft's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from crosspost.adapters.base import ContentSnapshot, Draft, Limits, Platform
from crosspost.adapters.registry import adapter_class, preview_for


def _media(draft: Draft) -> list[dict[str, Any]]:
    return [
        {"role": str(m.role), "path": str(m.path), "size": m.size, "mime_type": m.mime_type}
        for m in draft.media
    ]


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
        section = preview_for(platform).section(draft, given or adapter_class(platform).limits)
        section["media"] = _media(draft)
        section["problems"] = list(draft.problems)
        doc[str(platform)] = section
        problems.extend(draft.problems)
    doc["problems"] = problems
    return doc


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
        for problem in section.get("problems", []):
            parts.append(Text(f"✗ {problem}", style="bold red"))
        ok = not section.get("problems")
        title = f"{platform} {'✓' if ok else '✗'}"
        console.print(Panel(Group(*parts), title=title, border_style="green" if ok else "red"))
    if not doc.get("problems"):
        console.print(Text("no problems", style="green"))
