"""The X sandbox's knobs (``POST /_sandbox/config`` under "x") and their checks."""

from __future__ import annotations

from typing import Any

from crosspost.sandbox.x.limits import RATE_LIMITS

DEFAULTS: dict[str, Any] = {
    "enforce_rate_limits": False,
    "check_after_secs": 0,
    "processing_polls": 2,
    "processing_outcome": "succeeded",
    "refuse_replies": False,
    "rate_limits": {},
    "consumer_key": None,  # the one app the PIN flow accepts; None: any
    "consumer_secret": None,  # when set, OAuth 1.0a signatures on the flow are checked
    "request_token_secs": 900,  # a request token's life (the sandbox's choice)
    # OAuth 2.0 (oauth2.py): the app's Client ID (None: any), its Client Secret (set: a
    # confidential client, Basic auth required; None: a public one), its registered callback
    # URLs (None: any), the access token's and the authorization code's lives, and whether the
    # user declines on the consent page.
    "oauth2_client_id": None,
    "oauth2_client_secret": None,
    "oauth2_redirect_uris": None,
    "oauth2_access_token_secs": 7200,  # docs.x.com ...oauth-2-0/authorization-code: two hours
    "oauth2_code_secs": 30,  # docs.x.com ...oauth-2-0/user-access-token: "valid for 30 seconds"
    "oauth2_user_denies": False,
}


def check_options(options: dict[str, Any]) -> None:
    """Knobs: enforce_rate_limits, check_after_secs, processing_polls, processing_outcome,
    refuse_replies (every reply gets X's 2026 'not allowed' answer), rate_limits
    (per-group overrides, groups as in RATE_LIMITS), and for the PIN flow consumer_key,
    consumer_secret (shown only as consumer_secret_set) and request_token_secs, and for
    OAuth 2.0 the oauth2_* knobs in DEFAULTS (oauth2_client_secret shown only as _set).

    Raises ValueError naming the first option that is unknown or out of range."""
    for key, value in options.items():
        if key not in DEFAULTS:
            raise ValueError(f"x sandbox has no option {key!r} (allowed: {sorted(DEFAULTS)})")
        if key in (
            "enforce_rate_limits",
            "refuse_replies",
            "oauth2_user_denies",
        ) and not isinstance(value, bool):
            raise ValueError(f"x option {key} must be true or false")
        if key in (
            "consumer_key",
            "consumer_secret",
            "oauth2_client_id",
            "oauth2_client_secret",
        ) and not (value is None or (isinstance(value, str) and value)):
            raise ValueError(f"x option {key} must be a non-empty string or null")
        if key == "oauth2_redirect_uris" and not (
            value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        ):
            raise ValueError("x option oauth2_redirect_uris must be a list of URLs or null")
        if key in ("oauth2_access_token_secs", "oauth2_code_secs") and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            raise ValueError(f"x option {key} must be a whole number >= 1")
        if key in ("check_after_secs", "processing_polls", "request_token_secs") and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise ValueError(f"x option {key} must be a whole number >= 0")
        if key == "processing_outcome" and value not in ("succeeded", "failed"):
            raise ValueError("x option processing_outcome must be 'succeeded' or 'failed'")
        if key == "rate_limits" and (
            not isinstance(value, dict)
            or not set(value) <= set(RATE_LIMITS)
            or not all(isinstance(v, int) and v > 0 for v in value.values())
        ):
            raise ValueError(f"x option rate_limits maps {sorted(RATE_LIMITS)} to limits > 0")
