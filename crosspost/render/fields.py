"""What templates see as `content`: the item's text for one platform, overrides applied.

Every string is NFC here, so nothing downstream meets NFD text. The link carries the account's
UTM parameters and hashtags are already in their "#Tag" form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crosspost.adapters.base import ContentSnapshot, Platform
from crosspost.render.links import add_utm
from crosspost.render.text import hashtags, nfc


@dataclass(frozen=True)
class Fields:
    """The template's `content`: title, summary, body, link, hashtags, unit, kind."""

    title: str
    summary: str
    body: str
    link: str
    hashtags: tuple[str, ...]
    unit: str
    kind: str
    content_id: int


def overrides_for(content: ContentSnapshot, platform: Platform) -> Mapping[str, Any]:
    """`content.overrides[platform]`, or an empty mapping."""
    found = content.overrides.get(str(platform)) if content.overrides else None
    return found if isinstance(found, Mapping) else {}


def override_text(content: ContentSnapshot, platform: Platform, key: str) -> str | None:
    """The content's `key` override for `platform` as NFC text; None when it sets none."""
    value = overrides_for(content, platform).get(key)
    return None if value is None else nfc(str(value))


def labels(value: Any) -> tuple[str, ...]:
    """An override's list of labels; a string is read as a comma-separated list."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p for p in (nfc(s).strip() for s in re.split(r"[,\n]", value)) if p)
    return tuple(nfc(str(v)).strip() for v in value if str(v).strip())


def build_fields(
    content: ContentSnapshot, platform: Platform, settings: Mapping[str, Any]
) -> Fields:
    override = overrides_for(content, platform)
    title = override_text(content, platform, "title")
    tags = labels(override["hashtags"]) if "hashtags" in override else content.hashtags
    utm = settings.get("utm")
    link = nfc(content.link).strip()
    return Fields(
        title=(nfc(content.title) if title is None else title).strip(),
        summary=nfc(content.summary).strip(),
        body=nfc(content.body).strip(),
        link=add_utm(link, utm if isinstance(utm, Mapping) else None) if link else "",
        hashtags=hashtags(tags),
        unit=nfc(content.unit).strip(),
        kind=str(content.kind),
        content_id=content.content_id,
    )
