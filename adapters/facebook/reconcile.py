"""What Facebook's find_existing accepts as proof that a Page post or video is this post's copy.

Facebook gives no field a feed post could carry where the public does not read it: a Page post's
fields (developers.facebook.com/docs/graph-api/reference/post) are all shown or describe the
story. A video can be given `custom_labels` ("not published and only appear in insights data",
developers.facebook.com/docs/graph-api/reference/page/videos), but no read of the Video node
documented there gives them back, so they cannot be checked: no marker on Facebook.

So a candidate is matched by its text (a feed post's `message`, a video's `title`), and then:
never a remote id another post holds (`exclude_ids`: a repost is not its original); created at
or after `since` (`created_time`, "the time the post was initially published", on the Post and
Video nodes; Graph gives whole seconds, so `since` is taken to the second; the reconciler takes
its clock slack off `since` already); and two or more left is no proof: InconclusiveError.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from crosspost.adapters.base import InconclusiveError, PublishRequest


def floor_to_second(since: datetime) -> datetime:
    """`since` in UTC (naive means UTC), to the whole second Graph's times are given in."""
    aware = since if since.tzinfo else since.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0)


def created(item: dict[str, Any]) -> datetime | None:
    """Graph's `created_time` ("2026-07-01T08:00:00+0000"); None when absent or unreadable."""
    value = item.get("created_time")
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None
    return parsed


def the_one(
    items: Iterable[dict[str, Any]],
    request: PublishRequest,
    since: datetime,
    text_of: str,
    text: str,
) -> dict[str, Any] | None:
    """The single item whose `text_of` field is `text` by every rule above, or None; several
    raise InconclusiveError naming them."""
    from crosspost.adapters.common import nfc

    floor = floor_to_second(since)
    found = []
    for item in items:
        when = created(item)
        if str(item["id"]) in request.exclude_ids or when is None or when < floor:
            continue
        if nfc(item.get(text_of)) == text:
            found.append(item)
    if len(found) <= 1:
        return found[0] if found else None
    ids = ", ".join(str(i["id"]) for i in found)
    raise InconclusiveError(
        f"facebook: {len(found)} Page objects could be this post's ({ids}), each with the same "
        f"{text_of} and Facebook has no marker to tell them apart: decide which stands"
    )
