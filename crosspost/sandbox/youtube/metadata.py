"""YouTube's checks on a new video's metadata (its snippet and status)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from crosspost.sandbox.times import parse_iso
from crosspost.sandbox.youtube.errors import metadata_error

PRIVACY_STATUSES = ("public", "unlisted", "private")
CATEGORY_IDS = frozenset(
    {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"}
)


def tags_length(tags: Iterable[str]) -> int:
    """YouTube's count: commas between tags count, a tag with a space counts its quotes."""
    items = [t + '""' if " " in t else t for t in tags]
    return sum(len(t) for t in items) + max(len(items) - 1, 0)


def _parse_time(value: str) -> datetime | None:
    """An RFC 3339 time with its zone; None for anything else."""
    parsed = parse_iso(value)
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def validate_metadata(body: dict[str, Any], parts: set[str], now: float) -> dict[str, Any]:
    """YouTube's checks on a new video's snippet and status; return the values to keep."""
    snippet = body.get("snippet") if "snippet" in parts else None
    status = (body.get("status") if "status" in parts else None) or {}
    if not isinstance(snippet, dict) or not isinstance(status, dict):
        raise metadata_error("invalidVideoMetadata", "snippet (with a title) is required.")
    title = snippet.get("title")
    if not isinstance(title, str) or not title.strip():
        raise metadata_error("invalidTitle", "The video title is empty.")
    if len(title) > 100 or "<" in title or ">" in title:
        raise metadata_error("invalidTitle", "The title is over 100 characters or has < or >.")
    description = snippet.get("description") or ""
    if not isinstance(description, str):
        raise metadata_error("invalidDescription", "The description must be a string.")
    if len(description.encode("utf-8")) > 5000 or "<" in description or ">" in description:
        raise metadata_error(
            "invalidDescription", "The description is over 5000 bytes or has < or >."
        )
    tags = snippet.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise metadata_error("invalidTags", "tags must be a list of strings.")
    if tags_length(tags) > 500:
        raise metadata_error("invalidTags", "The tags are over 500 characters in total.")
    category = str(snippet.get("categoryId") or "22")
    if category not in CATEGORY_IDS:
        raise metadata_error("invalidCategoryId", f"Unknown category {category!r}.")
    privacy = status.get("privacyStatus") or "public"
    if privacy not in PRIVACY_STATUSES:
        raise metadata_error("invalidVideoMetadata", f"Unknown privacyStatus {privacy!r}.")
    publish_at = status.get("publishAt")
    if publish_at is not None:
        when = _parse_time(str(publish_at))
        if privacy != "private" or when is None or when.timestamp() <= now:
            raise metadata_error(
                "invalidPublishAt",
                "publishAt must be an RFC 3339 time in the future, with privacyStatus private.",
            )
    return {
        "title": title,
        "description": description,
        "tags": list(tags),
        "category_id": category,
        "privacy": privacy,
        "publish_at": publish_at,
        "made_for_kids": bool(status.get("selfDeclaredMadeForKids", False)),
    }
