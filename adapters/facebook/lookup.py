"""Facebook's find_existing: read the Page edge the post would be on, newest first, and take
the one candidate `reconcile.the_one` accepts as proof.

The edge is the feed for a feed post, `videos` for a video, `video_reels` for a video the
account publishes as a Reel (`video_as_reel`). Kept apart from the adapter so the adapter
holds the publishing and this module the reading back.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from crosspost.adapters.base import PermanentError, PublishRequest, Receipt, StepKind, StepReceipt
from crosspost.adapters.common import nfc
from crosspost.adapters.facebook.access import READ_PAGE
from crosspost.adapters.facebook.checks import video_of
from crosspost.adapters.facebook.errors import lacking_permission
from crosspost.adapters.facebook.settings import FEED_PAGES_MAX

if TYPE_CHECKING:
    from crosspost.adapters.facebook.adapter import FacebookAdapter


def find_existing(
    adapter: FacebookAdapter, request: PublishRequest, since: datetime
) -> Receipt | None:
    """The post's object: the one an earlier attempt confirmed, else the one the rules of
    `reconcile` accept (text, not another post's, created since `since`, only one)."""
    from crosspost.adapters.facebook.reconcile import floor_to_second, the_one

    draft = request.draft
    is_video = video_of(draft) is not None
    made = request.done_id(StepKind.VIDEO if is_video else StepKind.PART)
    if made is not None:
        return Receipt(made, adapter._permalink(made), steps=request.done)
    after = floor_to_second(since)
    if is_video and adapter.video_as_reel:
        edge, field, text = "video_reels", "description", nfc(draft.text)
    elif is_video:
        edge, field, text = "videos", "title", adapter._video_title(draft)
    else:
        edge, field, text = "feed", "message", nfc(draft.text)
    items = read_edge(adapter, edge, f"id,{field},created_time,permalink_url", after)
    item = the_one(items, request, after, field, text)
    if item is None:
        return None
    object_id = str(item["id"])
    url = adapter._absolute(item.get("permalink_url")) or adapter._fallback(object_id)
    step = StepReceipt(StepKind.VIDEO if is_video else StepKind.PART, 1, object_id, url)
    return Receipt(object_id, url, (object_id,) if is_video else (), steps=(step,))


def read_edge(
    adapter: FacebookAdapter, edge: str, fields: str, since: datetime
) -> list[dict[str, Any]]:
    """Read a Page edge newest first, following `after` cursors (never a `next` URL).

    A permission refused here is the account's problem, not the post's: the account pauses
    naming the permission (a post left unknown would be asked about for ever)."""
    params = {"fields": fields, "since": str(int(since.timestamp())), "limit": "100"}
    items: list[dict[str, Any]] = []
    for _ in range(FEED_PAGES_MAX):
        try:
            body = adapter._call("GET", f"{adapter.page_id}/{edge}", params=params, need=READ_PAGE)
        except PermanentError as exc:
            raise lacking_permission(exc, READ_PAGE, adapter.account.name) or exc from None
        data = body.get("data")
        if isinstance(data, list):
            items.extend(d for d in data if isinstance(d, dict) and d.get("id"))
        paging = body.get("paging") or {}
        after = (paging.get("cursors") or {}).get("after")
        if not data or not paging.get("next") or not after:
            break
        params = {**params, "after": str(after)}
    return items
