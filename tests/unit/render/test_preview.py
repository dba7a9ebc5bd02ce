"""The preview document and its rich rendering."""

from __future__ import annotations

import json

from rich.console import Console

from crosspost.adapters.base import ContentKind, Draft, Platform
from crosspost.adapters.x.weighted import weighted_length
from crosspost.cli.preview import preview_command, print_preview
from crosspost.render import render_draft

from .samples import LIMITS, LINK, TITLE, content


def _drafts(kind: ContentKind = ContentKind.ARTICLE) -> dict[Platform, Draft]:
    item = content(kind)
    settings = {"thread": "auto"}
    return {p: render_draft(p, item, settings, limits=lim) for p, lim in LIMITS.items()}


def test_the_document_has_the_agreed_keys() -> None:
    item = content()
    drafts = _drafts()
    doc = preview_command(item, drafts, limits=LIMITS)
    json.dumps(doc)  # JSON-ready
    posts = doc["x"]["posts"]
    assert [p["text"] for p in posts] == list(drafts[Platform.X].parts)
    assert [p["weighted_length"] for p in posts] == [weighted_length(p["text"]) for p in posts]
    assert doc["youtube"]["title"] == TITLE
    assert doc["youtube"]["description"] == drafts[Platform.YOUTUBE].description
    assert doc["youtube"]["tags"] == list(drafts[Platform.YOUTUBE].tags)
    assert doc["facebook"]["message"] == drafts[Platform.FACEBOOK].text
    assert doc["facebook"]["link"] == LINK
    assert doc["problems"] == []
    assert doc["youtube"]["description_limit_bytes"] == 5000


def test_problems_are_gathered_from_every_platform() -> None:
    doc = preview_command(content(ContentKind.VIDEO), _drafts(ContentKind.VIDEO))
    assert doc["problems"] == [
        "facebook: a video post needs a video file",
        "youtube: a video post needs a video file",
        "x: a video post needs a video file",
    ]
    assert doc["youtube"]["problems"] == ["youtube: a video post needs a video file"]


def test_only_the_platforms_previewed_appear() -> None:
    doc = preview_command(content(), {Platform.X: _drafts()[Platform.X]})
    assert set(doc) == {"content_id", "kind", "title", "x", "problems"}


def test_print_preview_shows_lengths_against_limits_and_problems() -> None:
    console = Console(record=True, width=120)
    doc = preview_command(content(ContentKind.VIDEO), _drafts(ContentKind.VIDEO))
    print_preview(doc, console)
    shown = console.export_text()
    x_length = doc["x"]["posts"][0]["weighted_length"]
    assert f"{x_length}/280" in shown
    assert f"{doc['youtube']['title_length']}/100 chars" in shown
    assert f"{doc['youtube']['description_bytes']}/5000 bytes" in shown
    assert "✗ youtube: a video post needs a video file" in shown
