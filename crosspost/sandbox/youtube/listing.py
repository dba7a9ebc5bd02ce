"""What the channel's listings show of its uploads, and when: the uploads playlist and search.

Nothing Google publishes promises that a new upload is in the uploads playlist at once, nor that
the playlist lists it first. youtube.v3.json (revision 20261104) says of
``ChannelContentDetails.relatedPlaylists.uploads`` only "The ID of the playlist that contains
the channel's uploaded videos", of ``playlistItems.list`` "Retrieves a list of resources,
possibly filtered" with no ordering parameter, and of ``PlaylistItemSnippet.position`` only that
it is the item's index; developers.google.com/youtube/v3/docs/playlistItems/list and
/docs/channels#contentDetails.relatedPlaylists.uploads say no more. Clients that watch uploads
report the playlist "loosely (not consistent) sorted by recently published" (BluABK/sane-subfeed
wiki, "Missed videos (and tests)"). So the sandbox shows an upload only
``uploads_listing_delay_seconds`` after it and, with ``uploads_order = "shuffled"``, in a seeded
order that is not newest first. search.list promises no immediacy either (its index is
Google's): ``search_delay_seconds`` holds new uploads back from it the same way.
"""

from __future__ import annotations

import hashlib
from typing import Any

from crosspost.sandbox.youtube.resources import Playlist, PlaylistItem, Video


def visible_items(
    playlist: Playlist, settings: dict[str, Any], now: float, seed: int
) -> list[PlaylistItem]:
    """The playlist's items as playlistItems.list gives them at sandbox time `now`."""
    items: list[PlaylistItem] = list(playlist.items)
    if not playlist.newest_first:
        return items  # a playlist of the channel's own keeps the order items were added in
    delay = float(settings["uploads_listing_delay_seconds"])
    shown = [i for i in items if i.added_at + delay <= now]
    newest_first = list(reversed(shown))
    if settings["uploads_order"] == "shuffled":
        # A permutation fixed by the seed and the position alone, so a test knows it.
        rank = {id(i): _rank(seed, n) for n, i in enumerate(newest_first)}
        return sorted(newest_first, key=lambda i: rank[id(i)])
    return newest_first


def _rank(seed: int, position: int) -> bytes:
    return hashlib.sha256(f"{seed}:{position}".encode()).digest()


def searchable(videos: list[Video], settings: dict[str, Any], now: float) -> list[Video]:
    """The channel's videos search.list can find at `now`, newest first (order=date)."""
    delay = float(settings["search_delay_seconds"])
    shown = [v for v in videos if v.created_at + delay <= now]
    return sorted(shown, key=lambda v: v.created_at, reverse=True)
