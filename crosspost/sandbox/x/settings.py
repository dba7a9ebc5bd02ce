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
}


def check_options(options: dict[str, Any]) -> None:
    """Knobs: enforce_rate_limits, check_after_secs, processing_polls, processing_outcome,
    refuse_replies (every reply gets X's 2026 'not allowed' answer), rate_limits
    (per-group overrides, groups as in RATE_LIMITS), and for the PIN flow consumer_key,
    consumer_secret (shown only as consumer_secret_set) and request_token_secs.

    Raises ValueError naming the first option that is unknown or out of range."""
    for key, value in options.items():
        if key not in DEFAULTS:
            raise ValueError(f"x sandbox has no option {key!r} (allowed: {sorted(DEFAULTS)})")
        if key in ("enforce_rate_limits", "refuse_replies") and not isinstance(value, bool):
            raise ValueError(f"x option {key} must be true or false")
        if key in ("consumer_key", "consumer_secret") and not (
            value is None or (isinstance(value, str) and value)
        ):
            raise ValueError(f"x option {key} must be a non-empty string or null")
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
