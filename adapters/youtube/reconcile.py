"""What YouTube's find_existing accepts as proof that a video is this post's copy.

A post with a marker uploads its video with the tag ``cp-<marker>``: tags are not shown on the
watch page and are read back only through videos.list (the discovery document's
``VideoSnippet.tags``; search and playlistItems carry none: claudiob/yt pull request #82), so
the tag is the proof, whatever the title has become. A post from before markers is matched by
its title, and then only by a video that carries no other post's marker. Candidates come from
the uploads playlist and from search.list(forMine): neither listing is promised complete at
once or in order (`find_video`), so neither alone decides that a video is not there.

Every candidate, marker or not: never a remote id another post holds (`exclude_ids`: a repost
is not its original), and uploaded at or after `since` (``snippet.publishedAt``, "the date and
time when the video was uploaded", youtube.v3.json revision 20261104; YouTube gives whole
seconds, so `since` is taken to the second; the reconciler passes `since` with its clock slack
taken off already). Two or more left is no proof: InconclusiveError names them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from crosspost.adapters.base import (
    AuthenticationError,
    InconclusiveError,
    PermanentError,
    PublishRequest,
)
from crosspost.adapters.common import nfc

MARKER_PREFIX = "cp-"
MARKER_MAX = 32  # post.marker is a String(32)
# What the marker tag adds to the tags as YouTube counts them (developers.google.com/youtube/
# v3/docs/videos#snippet.tags[]: 500 characters, commas between tags count): a comma and the
# tag, which has no space so no quotes. Drafts are rendered and checked within 500 less this.
MARKER_ROOM = 1 + len(MARKER_PREFIX) + MARKER_MAX
_MARKER = re.compile(rf"[0-9A-Za-z]{{1,{MARKER_MAX}}}")
# A tag some post's marker made (new_marker gives 16 hex digits); a person's tag is not this.
_ANY_MARKER_TAG = re.compile(re.escape(MARKER_PREFIX) + r"[0-9a-f]{16,32}")
UPLOAD_PAGES = 4  # of 50 uploads, in whatever order the playlist gives them
SEARCH_PAGES = 2  # of 50 search results, 100 units each
VIDEOS_PER_CALL = 50  # videos.list takes up to 50 ids

Call = Callable[[Any], dict[str, Any]]  # the adapter's `_execute`


def marker_tag(marker: str) -> str:
    """The tag that carries `marker`; refused before anything is sent if it cannot be one."""
    if not _MARKER.fullmatch(marker):
        raise PermanentError(
            f"youtube: the post's marker {marker!r} cannot be a tag (1-{MARKER_MAX} letters "
            "or digits)"
        )
    return MARKER_PREFIX + marker


def floor_to_second(since: datetime) -> datetime:
    """`since` in UTC (naive means UTC), to the whole second YouTube's times are given in."""
    aware = since if since.tzinfo else since.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def uploads_since(call: Call, client: Any, floor: datetime) -> list[str]:
    """Ids of the channel's uploads added at or after `floor`, in the order they came.

    Every page up to UPLOAD_PAGES is read: nothing documents the uploads playlist as newest
    first or complete at once (youtube.v3.json: playlistItems.list has no order parameter;
    crosspost/sandbox/youtube/listing.py), so an older item is no sign that the rest are older.
    """
    channels = call(client.channels().list(mine=True, part="contentDetails"))
    items = channels.get("items") or []
    if not items:
        raise AuthenticationError("the account has no YouTube channel")
    uploads = items[0]["contentDetails"]["relatedPlaylists"]["uploads"]
    ids: list[str] = []
    token: str | None = None
    for _ in range(UPLOAD_PAGES):
        page = call(
            client.playlistItems().list(
                playlistId=uploads, part="snippet", maxResults=50, pageToken=token
            )
        )
        for item in page.get("items", []):
            snippet = item.get("snippet", {})
            added = _time(snippet.get("publishedAt"))
            if added is None or added >= floor:
                ids.append(str(snippet["resourceId"]["videoId"]))
        token = page.get("nextPageToken")
        if not token:
            break
    return ids


def searched_since(call: Call, client: Any, floor: datetime) -> list[str]:
    """Ids of the channel's own videos uploaded after `floor`, by search.list(forMine).

    A second listing beside the uploads playlist, at 100 units a page (developers.google.com/
    youtube/v3/docs/search/list; forMine needs type=video); search gives no tags, so its ids go
    to videos.list like the playlist's.
    """
    ids: list[str] = []
    token: str | None = None
    after = floor.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for _ in range(SEARCH_PAGES):
        page = call(
            client.search().list(
                part="id",
                forMine=True,
                type="video",
                order="date",
                publishedAfter=after,
                maxResults=50,
                pageToken=token,
            )
        )
        ids += [str(i["id"]["videoId"]) for i in page.get("items", []) if "videoId" in i["id"]]
        token = page.get("nextPageToken")
        if not token:
            break
    return ids


def find_video(
    call: Call, client: Any, request: PublishRequest, floor: datetime
) -> dict[str, Any] | None:
    """This post's video by the proof rules, from the uploads playlist and from search.

    The playlist costs 1 unit a page and search 100: a post with a marker is searched only when
    the playlist shows no video with its tag (one tag is one video), a post without one always
    (two alike titles must both be seen to be inconclusive).
    """
    seen = uploads_since(call, client, floor)
    found = [v for v in videos(call, client, seen) if is_candidate(v, request, floor)]
    if not found or not request.marker:
        more = [i for i in dict.fromkeys(searched_since(call, client, floor)) if i not in seen]
        found += [v for v in videos(call, client, more) if is_candidate(v, request, floor)]
    return the_one(found, request)


def videos(call: Call, client: Any, ids: Sequence[str]) -> Iterator[dict[str, Any]]:
    """The videos' resources with their snippets (tags, publishedAt), in batches of 50."""
    for start in range(0, len(ids), VIDEOS_PER_CALL):
        batch = ",".join(ids[start : start + VIDEOS_PER_CALL])
        yield from call(client.videos().list(part="snippet", id=batch)).get("items", [])


def is_candidate(video: dict[str, Any], request: PublishRequest, floor: datetime) -> bool:
    """Whether `video` may be this post's copy by every rule of the module docstring."""
    if str(video.get("id")) in request.exclude_ids:
        return False
    snippet = video.get("snippet") or {}
    uploaded = _time(snippet.get("publishedAt"))
    if uploaded is None or uploaded < floor:
        return False
    tags = [str(t) for t in snippet.get("tags") or []]
    if request.marker:
        return marker_tag(request.marker) in tags
    if any(_ANY_MARKER_TAG.fullmatch(t) for t in tags):
        return False  # another post's video
    title = nfc(request.draft.title).strip()
    return bool(title) and nfc(snippet.get("title")).strip() == title


def the_one(found: list[dict[str, Any]], request: PublishRequest) -> dict[str, Any] | None:
    """The single candidate, none, or InconclusiveError naming all of them."""
    if len(found) <= 1:
        return found[0] if found else None
    ids = ", ".join(str(v["id"]) for v in found)
    proof = "the post's marker tag" if request.marker else "the same title and no marker"
    raise InconclusiveError(
        f"youtube: {len(found)} videos could be this post's ({ids}), each with {proof}; "
        "none is proof: decide which stands"
    )


def playlist_item(call: Call, client: Any, playlist_id: str, video_id: str) -> str | None:
    """The id of `video_id`'s item in `playlist_id`, if it is there (playlistItems.list with
    playlistId and videoId: "Return the playlist items associated with the given video ID",
    youtube.v3.json)."""
    page = call(
        client.playlistItems().list(
            part="id", playlistId=playlist_id, videoId=video_id, maxResults=50
        )
    )
    items = page.get("items") or []
    return str(items[0]["id"]) if items else None
