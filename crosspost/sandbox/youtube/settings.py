"""The YouTube sandbox's knobs (``POST /_sandbox/config`` under "youtube")."""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "uploads_per_day": 100,
    "units_per_day": 10_000,
    "channel_upload_limit": None,
    "access_token_ttl": 3600,
    "max_thumbnail_bytes": 2 * 1024 * 1024,
    "channel_title": "Kênh Sandbox",
    "client_id": None,
    "client_secret": None,
    "deny_consent": False,  # the consent page answers error=access_denied
    "issue_refresh_tokens": True,  # False: code exchanges leave refresh_token out
}
# Not settings but actions: add playlists, revoke refresh tokens.
ACTIONS = ("playlists", "revoke_refresh_tokens")


def check_options(options: dict[str, Any]) -> None:
    allowed = [*DEFAULTS, *ACTIONS]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(f"unknown youtube option(s) {unknown}; allowed: {sorted(allowed)}")
