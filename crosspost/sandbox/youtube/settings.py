"""The YouTube sandbox's knobs (``POST /_sandbox/config`` under "youtube")."""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "uploads_per_day": 100,
    "units_per_day": 10_000,
    "channel_upload_limit": None,
    "access_token_ttl": 3600,
    # thumbnails.set's mediaUpload.maxSize in the shipped discovery document (youtube.v3.json
    # revision 20261104: "52428800"), raised from 2 MiB by the 2026-09-14 revision history.
    "max_thumbnail_bytes": 50 * 1024 * 1024,
    # The uploads playlist shows a new upload only this many sandbox seconds after it, and lists
    # its items newest first or in a seeded shuffle: neither immediacy nor order is documented
    # (playlistItems.list and channels.list in youtube.v3.json promise none; see listing.py).
    "uploads_listing_delay_seconds": 0,
    "uploads_order": "newest_first",
    # search.list(forMine) shows a new upload only this many sandbox seconds after it.
    "search_delay_seconds": 0,
    "channel_title": "Kênh Sandbox",
    "client_id": None,
    "client_secret": None,
    "deny_consent": False,  # the consent page answers error=access_denied
    "issue_refresh_tokens": True,  # False: code exchanges leave refresh_token out
}
# Not settings but actions: add playlists, revoke refresh tokens.
ACTIONS = ("playlists", "revoke_refresh_tokens")


UPLOADS_ORDERS = ("newest_first", "shuffled")


def check_options(options: dict[str, Any]) -> None:
    allowed = [*DEFAULTS, *ACTIONS]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(f"unknown youtube option(s) {unknown}; allowed: {sorted(allowed)}")
    order = options.get("uploads_order", UPLOADS_ORDERS[0])
    if order not in UPLOADS_ORDERS:
        raise ValueError(f"uploads_order {order!r} is not one of {', '.join(UPLOADS_ORDERS)}")
