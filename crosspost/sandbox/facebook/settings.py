"""The Facebook sandbox's knobs (``POST /_sandbox/config`` under "facebook") and their checks."""

from __future__ import annotations

from typing import Any

from crosspost.sandbox.facebook.access import ALL_PERMISSIONS
from crosspost.sandbox.facebook.errors import REFUSAL_MESSAGES
from crosspost.sandbox.facebook.limits import RATE_LIMIT_CODES

# The tasks a full-control Page admin has (Graph's `tasks` on /me/accounts).
ADMIN_TASKS = ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"]
# The file types the Resumable Upload API documents (Meta, "Upload a file").
UPLOAD_FILE_TYPES = ("application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4")

# The Page edges a look-up reads.
EDGES = ("feed", "videos", "video_reels")

DEFAULT_CONFIG: dict[str, Any] = {
    "page_id": "109876543210987",
    "page_name": "Tạp chí Thử nghiệm",
    "app_id": "987654321098765",
    # None accepts any non-empty token; a list accepts only those (others get code 190).
    "tokens": None,
    # Page tokens hit Business Use Case limits (80001); user tokens hit 32. Graph answers
    # throttling with 400 (seen for 32) or 403 (seen for 4): both are configurable.
    "rate_limit_code": 80001,
    "rate_limit_status": 400,
    # The Graph code a `permanent` fault answers with: 100 invalid parameter, 10 or 200
    # permissions, 368 temporarily blocked for abuse.
    "permanent_code": 100,
    # Calls per hour that make call_count reach 100 in the usage headers.
    "usage_call_budget": 4800,
    # The app secret GET /oauth/access_token checks against client_secret (with app_id).
    "app_secret": "sandbox-app-secret-5f3c9d2e7a41b6c8",
    # User tokens (as Graph API Explorer or Facebook Login give them) that can be exchanged for
    # a long-lived one and can list their Pages.
    "user_tokens": ["EAABsandboxUSERtokenShortLived0123456789"],
    # The user's tasks on the sandbox Page; [] means the user has no role there (not listed).
    "page_tasks": ADMIN_TASKS,
    # Other Pages the user manages, listed before the sandbox Page by /me/accounts: each
    # {"id", "name"} with optional "tasks" and "category".
    "other_pages": [{"id": "102030405060708", "name": "Trang Phụ", "category": "Blog"}],
    # The permissions the sandbox user granted the app: configured user tokens carry them, and
    # so do the tokens made from those (and, with `tokens` unset, any other token).
    "granted_permissions": list(ALL_PERMISSIONS),
    # The app's "Require App Secret" setting: every call must carry appsecret_proof.
    "require_app_secret": False,
    # Edges (of EDGES) whose reads ignore `since`: Graph applies time-based paging only
    # on edges that support it (developers.facebook.com/docs/graph-api/results), and the
    # /videos reference lists no `since`, so a look-up must check `created_time` itself.
    "edges_ignoring_since": [],
    # Reels a Page may publish through the API in a 24-hour moving period (Reels Publishing
    # API, "Rate Limit": 30).
    "reels_per_24h": 30,
}
# Not a setting of its own: `clock_offset_seconds` moves the sandbox's one clock (times.py,
# `/_sandbox/clock`) to that many seconds ahead, so X's and Graph's tokens age together.
CLOCK_OPTION = "clock_offset_seconds"


def check_options(options: dict[str, Any]) -> None:
    """Raise ValueError naming what is wrong with the first bad option."""
    allowed = {*DEFAULT_CONFIG, CLOCK_OPTION}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ValueError(
            f"facebook sandbox: unknown option(s) {unknown}; allowed: {sorted(allowed)}"
        )
    if "rate_limit_code" in options and options["rate_limit_code"] not in RATE_LIMIT_CODES:
        raise ValueError(f"facebook sandbox: rate_limit_code must be one of {RATE_LIMIT_CODES}")
    if "permanent_code" in options and options["permanent_code"] not in REFUSAL_MESSAGES:
        raise ValueError(
            f"facebook sandbox: permanent_code must be one of {list(REFUSAL_MESSAGES)}"
        )
    if "rate_limit_status" in options and options["rate_limit_status"] not in (400, 403):
        raise ValueError("facebook sandbox: rate_limit_status must be 400 or 403")
    _check_auth_options(options)


def _check_auth_options(options: dict[str, Any]) -> None:
    def strings(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) and v for v in value)

    secret = options.get("app_secret", "x")
    if not isinstance(secret, str) or not secret:
        raise ValueError("facebook sandbox: app_secret must be a non-empty string")
    if "user_tokens" in options and not strings(options["user_tokens"]):
        raise ValueError("facebook sandbox: user_tokens must be a list of non-empty strings")
    if "page_tasks" in options and not (
        options["page_tasks"] == [] or strings(options["page_tasks"])
    ):
        raise ValueError("facebook sandbox: page_tasks must be a list of task names")
    if "granted_permissions" in options and not (
        options["granted_permissions"] == [] or strings(options["granted_permissions"])
    ):
        raise ValueError("facebook sandbox: granted_permissions must be a list of permissions")
    if not isinstance(options.get("require_app_secret", False), bool):
        raise ValueError("facebook sandbox: require_app_secret must be true or false")
    ignoring = options.get("edges_ignoring_since", [])
    if not isinstance(ignoring, list) or not set(ignoring) <= set(EDGES):
        raise ValueError(f"facebook sandbox: edges_ignoring_since must list some of {EDGES}")
    cap = options.get("reels_per_24h", 30)
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
        raise ValueError("facebook sandbox: reels_per_24h must be a whole number, 0 or more")
    offset = options.get(CLOCK_OPTION, 0)
    if isinstance(offset, bool) or not isinstance(offset, int | float) or offset < 0:
        raise ValueError("facebook sandbox: clock_offset_seconds must be a number of seconds >= 0")
    pages = options.get("other_pages", [])
    if not isinstance(pages, list) or not all(
        isinstance(p, dict)
        and isinstance(p.get("id"), str)
        and isinstance(p.get("name"), str)
        and set(p) <= {"id", "name", "tasks", "category"}
        for p in pages
    ):
        raise ValueError(
            'facebook sandbox: other_pages must be a list of {"id", "name"} with optional '
            '"tasks" and "category"'
        )
