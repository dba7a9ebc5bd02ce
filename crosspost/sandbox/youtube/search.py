"""search.list for the channel's own videos (forMine), the way the adapter's look-up asks.

developers.google.com/youtube/v3/docs/search/list: "Quota impact: A call to this method has a
quota cost of 100 units"; ``forMine`` "restricts the search to only retrieve videos owned by the
authenticated user. If you set this parameter to true, then the type parameter's value must
also be set to video" (else 400 ``invalidSearchFilter``); youtube.v3.json (revision 20261104):
``forMine`` "Search for the private videos of the authenticated user", ``publishedAfter``
"Filter on resources published after this date", ``order`` "date": "reverse chronological
order based on the date they were created", ``maxResults`` 0-50, default 5. The sandbox answers
forMine searches only and models no relevance: a ``q`` is refused rather than half-matched.
A new upload is found only ``search_delay_seconds`` after it (listing.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crosspost.sandbox.api import SandboxContext
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.youtube.api_channel import page_of
from crosspost.sandbox.youtube.errors import ApiError
from crosspost.sandbox.youtube.listing import searchable
from crosspost.sandbox.youtube.resources import requested_parts, rfc3339
from crosspost.sandbox.youtube.state import Channel

COST_SEARCH = 100


class Search:
    """GET /youtube/v3/search for the channel's owner."""

    def __init__(self, ctx: SandboxContext, channel: Channel) -> None:
        self.ctx = ctx
        self.channel = channel

    def list(self, request: Request) -> Response:
        parts = requested_parts(request)
        if request.arg("forMine") != "true":
            raise ApiError(400, "badRequest", "The sandbox answers only forMine=true searches.")
        if request.arg("type") != "video":
            raise ApiError(
                400,
                "invalidSearchFilter",
                "The request contains an invalid combination of search filters and/or "
                "restrictions. Note that you must set the type parameter to video if you set "
                "the forMine parameter to true.",
            )
        if request.arg("q"):
            raise ApiError(400, "badRequest", "The sandbox does not model q (relevance).")
        after = _published_after(request.arg("publishedAfter"))
        with self.ctx.lock:
            self.channel.quota.charge(self.ctx.now(), units=COST_SEARCH)
            found = searchable(
                list(self.channel.videos.values()), self.channel.settings, self.ctx.now()
            )
            found = [v for v in found if after is None or v.created_at >= after]
            page, next_token = page_of(found, request)
            items = [self._result(v.id, v.created_at, v.title, v.description, parts) for v in page]
        body: dict[str, Any] = {
            "kind": "youtube#searchListResponse",
            "items": items,
            "pageInfo": {"totalResults": len(found), "resultsPerPage": len(page)},
        }
        if next_token:
            body["nextPageToken"] = next_token
        return Response.json(body)

    def _result(
        self, video_id: str, created: float, title: str, description: str, parts: set[str]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": "youtube#searchResult",
            "id": {"kind": "youtube#video", "videoId": video_id},
        }
        if "snippet" in parts:
            out["snippet"] = {
                "publishedAt": rfc3339(created),
                "channelId": self.channel.id,
                "title": title,
                "description": description,
                "channelTitle": self.channel.title,
                "liveBroadcastContent": "none",
            }
        return out


def _published_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ApiError(400, "invalidParameter", "publishedAfter is not RFC 3339.") from None
