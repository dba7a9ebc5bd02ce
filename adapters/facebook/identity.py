"""What `crosspost accounts check` asks Graph about a Facebook account's tokens: their type and
their permissions, by ``GET /debug_token`` (developers.facebook.com/docs/graph-api/reference/
debug_token: "type", "scopes", "is_valid", "profile_id" of a Page token).

debug_token is called with an app token or "a user access token of a developer of the app": the
stored user token when there is one (its user has a role on the app, the Resumable Upload API
needs that), else the app token ``{app-id}|{app-secret}`` when an app secret is stored, else the
Page token itself (as the facebook-access-token-api crate's ``debug_page_access_token`` does).
Every problem found goes into one line, with the command that fixes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crosspost.adapters.base import AuthenticationError, Secret
from crosspost.adapters.facebook.access import (
    APP_SECRET,
    PAGE_TOKEN,
    USER_TOKEN,
    missing_for,
)

if TYPE_CHECKING:
    from crosspost.adapters.facebook.adapter import FacebookAdapter


def check_tokens(adapter: FacebookAdapter) -> None:
    """Raise AuthenticationError naming each wrong token type and missing permission."""
    credentials = adapter.account.credentials
    caller = _caller(adapter)
    problems: list[str] = []
    page = _debug(adapter, credentials[PAGE_TOKEN], caller)
    kind = str(page.get("type") or "unknown")
    if not page.get("is_valid", False):
        problems.append(f"{PAGE_TOKEN} is not valid ({_why(page)})")
    elif kind != "PAGE":
        problems.append(f"{PAGE_TOKEN} is a {kind} access token, not a Page access token")
    else:
        scopes = {str(s) for s in page.get("scopes") or []}
        lacking = missing_for(scopes)
        if lacking:
            problems.append(f"{PAGE_TOKEN} lacks " + ", ".join(lacking))
    user = credentials.get(USER_TOKEN)
    if user is not None:
        data = _debug(adapter, user, caller)
        if not data.get("is_valid", False):
            problems.append(f"{USER_TOKEN} is not valid ({_why(data)})")
        elif data.get("type") != "USER":
            problems.append(
                f"{USER_TOKEN} is a {data.get('type')} access token, not a User access token"
            )
    if problems:
        name = adapter.account.name
        raise AuthenticationError(
            f"facebook: {'; '.join(problems)}: run `crosspost auth facebook {name}` again"
        )


def _caller(adapter: FacebookAdapter) -> Secret:
    credentials = adapter.account.credentials
    if USER_TOKEN in credentials:
        return credentials[USER_TOKEN]
    secret = credentials.get(APP_SECRET)
    if secret is not None and adapter.app_id:
        return Secret(f"{adapter.app_id}|{secret.reveal()}")
    return credentials[PAGE_TOKEN]


def _debug(adapter: FacebookAdapter, token: Secret, caller: Secret) -> dict[str, Any]:
    body = adapter.graph_get("debug_token", {"input_token": token.reveal()}, as_token=caller)
    data = body.get("data")
    return data if isinstance(data, dict) else {}


def _why(data: dict[str, Any]) -> str:
    error = data.get("error")
    if isinstance(error, dict) and error.get("message"):
        return f"Graph: {error.get('message')}"
    return "Graph says it is not valid"
