"""What each Graph endpoint asks of the token it is called with: its type (User or Page access
token), the permissions the app user granted, its life, and the app secret proof.

Every rule here follows a page of Meta's documentation, named beside it (and in the Facebook
section of docs/platform-facts.md). Where Meta documents no answer, the sandbox gives Graph's
general one and the facts table says UNVERIFIED.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from crosspost.sandbox.facebook.errors import GraphError

USER = "USER"
PAGE = "PAGE"

# The permissions a Page publisher's app is granted, as Meta names them.
PAGES_SHOW_LIST = "pages_show_list"
PAGES_MANAGE_POSTS = "pages_manage_posts"
PAGES_READ_ENGAGEMENT = "pages_read_engagement"
ALL_PERMISSIONS = (PAGES_SHOW_LIST, PAGES_MANAGE_POSTS, PAGES_READ_ENGAGEMENT)

# Pages API error codes (developers.facebook.com/docs/pages-api/error-codes): "190 with subcode
# 2069032: A Page access token is required for this call."
PAGE_TOKEN_SUBCODE = 2069032
# Handling Errors (developers.facebook.com/docs/graph-api/guides/error-handling): 190 subcode
# 463 is an expired token, 467 an invalid one.
EXPIRED_SUBCODE = 463
INVALID_SUBCODE = 467


@dataclass(frozen=True)
class Grant:
    """What the sandbox knows of a token it accepts: whose it is and what it may do."""

    kind: str  # USER or PAGE
    scopes: frozenset[str]
    issued_at: float
    expires_at: float | None = None  # None: does not expire
    page_id: str | None = None  # a Page token's Page


@dataclass(frozen=True)
class Need:
    """What one endpoint needs of its token, and how Graph refuses a token without it."""

    kind: str
    permissions: tuple[str, ...] = ()
    refusal: str = ""  # Graph's message when a permission is missing
    code: int = 200


# POST /{page-id}/feed and /photos: a Page token and, "If posting to a page, requires both
# pages_read_engagement and pages_manage_posts as an admin" (Graph's code-200 message, as quoted
# in Codeinwp/tweet-old-post#649); the permissions also in developers.facebook.com/docs/pages-api/
# posts.
PUBLISH = Need(
    PAGE,
    (PAGES_MANAGE_POSTS, PAGES_READ_ENGAGEMENT),
    "(#200) If posting to a group, requires app being installed in the group, and either "
    "publish_to_groups permission with user token, or both pages_read_engagement and "
    "pages_manage_posts permission with page token; If posting to a page, requires both "
    "pages_read_engagement and pages_manage_posts as an admin with sufficient administrative "
    "permission",
)
# POST /{page-id}/videos: "the app user's Page Access Token and they must grant your app the
# pages_show_list, pages_read_engagement, and pages_manage_posts permissions"
# (developers.facebook.com/docs/video-api/guides/publishing, "Publishing on Pages").
PUBLISH_VIDEO = Need(
    PAGE,
    (PAGES_SHOW_LIST, PAGES_READ_ENGAGEMENT, PAGES_MANAGE_POSTS),
    "(#200) The user hasn't authorized the application to perform this action",
)
# GET /{page-id}/feed and /videos: pages_read_engagement; Graph's code-10 refusal as quoted in
# sns-sdks/python-facebook#102 and pdir/social-feed-bundle#184.
READ = Need(
    PAGE,
    (PAGES_READ_ENGAGEMENT,),
    "(#10) This endpoint requires the 'pages_read_engagement' permission or the 'Page Public "
    "Content Access' feature. Refer to https://developers.facebook.com/docs/apps/review/"
    "login-permissions#manage-pages and https://developers.facebook.com/docs/apps/review/"
    "feature#reference-PAGES_ACCESS for details.",
    code=10,
)
# POST /{app-id}/uploads and the upload: session: "A User access token"; "The app user must
# have an administrator or developer role on this app" (developers.facebook.com/docs/graph-api/
# guides/upload; .../resumable-upload-api).
UPLOAD = Need(USER)


def refuse_kind(need: Need, grant: Grant, node: str, method: str) -> GraphError | None:
    """The refusal of a token of the wrong type for `need`, or None."""
    if need.kind == grant.kind:
        return None
    if need.kind == PAGE:
        return GraphError(
            "A Page access token is required for this call.", 190, subcode=PAGE_TOKEN_SUBCODE
        )
    # Meta documents no answer for a Page token on an app's uploads (UNVERIFIED): Graph's
    # general one for a node the token cannot see.
    return GraphError(
        f"Unsupported {method.lower()} request. Object with ID '{node}' does not exist, cannot "
        "be loaded due to missing permissions, or does not support this operation.",
        100,
        subcode=33,
        error_type="GraphMethodException",
    )


def refuse_scopes(need: Need, grant: Grant) -> GraphError | None:
    """The refusal of a token missing a permission `need` lists, or None."""
    if set(need.permissions) <= grant.scopes:
        return None
    return GraphError(need.refusal, need.code, status=403 if need.code == 10 else 400)


def expired(grant: Grant, now: float) -> GraphError | None:
    """Graph's answer to a token past its life (190/463, Handling Errors), or None."""
    if grant.expires_at is None or now < grant.expires_at:
        return None
    when = datetime.fromtimestamp(grant.expires_at, UTC).strftime("%A, %d-%b-%y %H:%M:%S")
    now_text = datetime.fromtimestamp(now, UTC).strftime("%A, %d-%b-%y %H:%M:%S")
    return GraphError(
        f"Error validating access token: Session has expired on {when} UTC. The current time "
        f"is {now_text} UTC.",
        190,
        subcode=EXPIRED_SUBCODE,
    )


def proof_of(token: str, app_secret: str, when: str | None = None) -> str:
    """appsecret_proof: "a sha256 hash of your access token, using the app secret as the key"
    (developers.facebook.com/docs/graph-api/securing-requests); with `appsecret_time` the
    hashed text is ``token|time`` (developers.facebook.com/docs/facebook-login/security)."""
    text = f"{token}|{when}" if when else token
    return hmac.new(app_secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def check_proof(token: str, params: dict[str, str], app_secret: str) -> None:
    """With "Require App Secret" on, every call carries a valid appsecret_proof; Graph's two
    answers are quoted in thephpleague/oauth2-facebook#17 and facebook-python-business-sdk#528
    (both GraphMethodException, code 100)."""
    proof = params.get("appsecret_proof")
    if not proof:
        raise GraphError(
            "API calls from the server require an appsecret_proof argument",
            100,
            error_type="GraphMethodException",
        )
    expected = proof_of(token, app_secret, params.get("appsecret_time"))
    if not hmac.compare_digest(proof.lower(), expected):
        raise GraphError(
            "Invalid appsecret_proof provided in the API argument",
            100,
            error_type="GraphMethodException",
        )
