"""X's OAuth 1.0a PIN flow (``/oauth/request_token``, ``/oauth/authorize``,
``/oauth/access_token``), served as X serves it, and who an API call's credentials name (the
OAuth 2.0 PKCE flow is oauth2.py's; its tokens name their users here too).

`crosspost auth x` can be tested end to end: the authorise page is what the signed-in sandbox
user sees after clicking "Authorize app", a PIN. With the ``consumer_key``/``consumer_secret``
knobs set, only that app may start the flow and every signature on it is checked (HMAC-SHA1, the
one method X takes); the access tokens it issues are then bound to the app and their API calls'
signatures checked too. Other tokens stay as before: any well-formed header is a user.
"""

from __future__ import annotations

import hashlib
import hmac
import html
from dataclasses import dataclass
from urllib.parse import urlencode

from crosspost.sandbox.api import Route, SandboxContext
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.tokens import ExpiringTokens, seeded_hex
from crosspost.sandbox.x.oauth2 import XOAuth2
from crosspost.sandbox.x.signatures import (
    credential_key,
    oauth_complete,
    oauth_parameters,
    signature_ok,
)
from crosspost.sandbox.x.state import User, XState

# The OAuth 1.0a endpoints answer in X's older shapes: JSON `errors` for a refused app, plain text
# for a bad request token or verifier (what X sends; clients match on these texts).
OAUTH_ERROR_BAD_AUTH = (400, 215, "Bad Authentication data.")
OAUTH_ERROR_NOT_AUTHENTICATED = (401, 32, "Could not authenticate you.")
OAUTH_ERROR_DESKTOP_ONLY = (
    403,
    417,
    "Desktop applications only support the oauth_callback value 'oob'",
)
OAUTH_ERROR_CALLBACK = (
    403,
    415,
    "Callback URL not approved for this client application. Approved callback URLs can be "
    "adjusted in your application settings",
)
INVALID_REQUEST_TOKEN = "Invalid request token."
INVALID_VERIFIER = "Error processing your OAuth request: Invalid oauth_verifier parameter"
PIN_DIGITS = 7
# Who is signed in on the sandbox's authorise page: the user every PIN flow authorises.
SIGNED_IN_USERNAME = "sandbox_owner"
SIGNED_IN = "signed-in"  # its key in XState.users: never a credential key (those have a scheme)


@dataclass
class RequestToken:
    """Step 1 of the PIN flow; the PIN is set when the user opens the authorise page. It
    expires request_token_secs after it was issued, as configured when checked."""

    secret: str
    consumer_key: str
    pin: str | None = None


@dataclass
class AccessGrant:
    """An access token the PIN flow issued: its user, the app it is bound to and, when the
    sandbox checked signatures then, the consumer secret its calls must be signed with."""

    secret: str
    user: User
    consumer_key: str
    consumer_secret: str | None


class XOAuth:
    """The PIN flow's three endpoints, the tokens they issue, and the users tokens name."""

    def __init__(self, ctx: SandboxContext, state: XState) -> None:
        self.ctx = ctx
        self.state = state
        self._request_tokens: ExpiringTokens[RequestToken] = ExpiringTokens()
        self._grants: dict[str, AccessGrant] = {}  # by credential key (oauth1:TOKEN)
        self.oauth2 = XOAuth2(ctx, state, self.signed_in)  # the PKCE flow and its tokens

    def routes(self) -> list[Route]:
        return [
            Route.make("POST", "/oauth/request_token", self._request_token, "oauth.request_token"),
            # A web page, not an API call: faults and rate limits are the API's.
            Route.make(
                "GET", "/oauth/authorize", self._authorize_page, "oauth.authorize", faultable=False
            ),
            Route.make("POST", "/oauth/access_token", self._access_token, "oauth.access_token"),
            *self.oauth2.routes(),
        ]

    @property
    def access_tokens_issued(self) -> int:
        return len(self._grants)

    def reset(self) -> None:
        self._request_tokens.clear()
        self._grants.clear()  # an issued token is then any other token: a user of its own
        self.oauth2.reset()

    # -- the OAuth 1.0a PIN flow -----------------------------------------------------------
    def _request_token(self, request: Request) -> Response:
        """Step 1: the app, signing with its consumer secret alone, asks for a request token."""
        params = oauth_parameters(request)
        oauth = dict(params or [])
        if params is None or not oauth_complete(oauth, with_token=False):
            return _oauth_error(*OAUTH_ERROR_BAD_AUTH)
        callback = oauth.get("oauth_callback")
        with self.ctx.lock:
            if not self._app_ok(request, params, token_secret=""):
                return _oauth_error(*OAUTH_ERROR_NOT_AUTHENTICATED)
            if callback is None:
                return _oauth_error(*OAUTH_ERROR_DESKTOP_ONLY)
            if callback != "oob":  # the sandbox's app has no callback URLs registered
                return _oauth_error(*OAUTH_ERROR_CALLBACK)
            token = self._token_text("request token", 27)
            secret = self._token_text("request token secret", 32)
            consumer_key = oauth["oauth_consumer_key"]
            self._request_tokens.issue(token, RequestToken(secret, consumer_key), self.ctx.now())
        return _form_answer(
            oauth_token=token, oauth_token_secret=secret, oauth_callback_confirmed="true"
        )

    def _authorize_page(self, request: Request) -> Response:
        """Step 2, in the user's browser: the signed-in user has authorised; X shows a PIN."""
        with self.ctx.lock:
            pending = self._live_request_token(request.arg("oauth_token") or "")
            if pending is None:
                return _page(
                    "X / Error",
                    "<p>This page is no longer valid: its request token is unknown, already used "
                    "or expired. Go back to the application that sent you here and start again."
                    "</p>",
                )
            if pending.pin is None:
                digest = hashlib.sha256(self._token_text("pin", 64).encode()).hexdigest()
                pending.pin = str(int(digest, 16) % 10**PIN_DIGITS).zfill(PIN_DIGITS)
            user, pin = self.signed_in(), pending.pin
        return _page(
            "X / Authorize an application",
            f'<div id="oauth_pin"><p><span id="code-desc">You granted the application access to '
            f"@{html.escape(user.username)}. Next, return to the application and enter this PIN "
            f'to complete the authorization process:</span> <kbd aria-labelledby="code-desc">'
            f"<code>{pin}</code></kbd></p></div>",
        )

    def _access_token(self, request: Request) -> Response:
        """Step 3: the app trades the request token and the PIN (the verifier) for the user's
        access token and secret."""
        params = oauth_parameters(request)
        oauth = dict(params or [])
        if params is None or not oauth_complete(oauth, with_token=True):
            return _oauth_error(*OAUTH_ERROR_BAD_AUTH)
        request_token = oauth["oauth_token"]
        verifier = oauth.get("oauth_verifier", "")
        with self.ctx.lock:
            pending = self._live_request_token(request_token)
            if pending is None or pending.consumer_key != oauth["oauth_consumer_key"]:
                return _oauth_text_error(INVALID_REQUEST_TOKEN)
            if not self._app_ok(request, params, token_secret=pending.secret):
                return _oauth_error(*OAUTH_ERROR_NOT_AUTHENTICATED)
            # A wrong PIN leaves the request token usable: the user may retype it.
            if pending.pin is None or not hmac.compare_digest(
                verifier.encode("utf-8"), pending.pin.encode("utf-8")
            ):
                return _oauth_text_error(INVALID_VERIFIER)
            self._request_tokens.revoke(request_token)
            user = self.signed_in()
            token = f"{user.id}-{self._token_text('access token', 40)}"
            secret = self._token_text("access token secret", 45)
            self._grants[f"oauth1:{token}"] = AccessGrant(
                secret, user, pending.consumer_key, self.state.settings["consumer_secret"]
            )
        return _form_answer(
            oauth_token=token, oauth_token_secret=secret, user_id=user.id, screen_name=user.username
        )

    def _app_ok(self, request: Request, params: list[tuple[str, str]], token_secret: str) -> bool:
        """Whether the configured app (any, unconfigured) signed this flow request."""
        key, secret = self.state.settings["consumer_key"], self.state.settings["consumer_secret"]
        if key is not None and dict(params).get("oauth_consumer_key") != key:
            return False
        return secret is None or signature_ok(request, params, secret, token_secret)

    def _live_request_token(self, token: str) -> RequestToken | None:
        lifetime = self.state.settings["request_token_secs"]
        return self._request_tokens.live(token, self.ctx.now(), lifetime)

    def signed_in(self) -> User:
        """The user signed in on the authorise page (one per sandbox, made on first use)."""
        user = self.state.users.get(SIGNED_IN)
        if user is None:
            user = User(self.ctx.snowflake(), SIGNED_IN_USERNAME, "Sandbox Owner")
            self.state.users[SIGNED_IN] = user
        return user

    def _token_text(self, kind: str, length: int) -> str:
        """A new token of `length` hex digits, reproducible from the sandbox's seed."""
        return seeded_hex(f"{self.ctx.seed}:{kind}:{self.ctx.next_id()}", length, "sha512")

    def user_for(self, request: Request) -> User | None:
        """The user a well-formed OAuth 1.0a or OAuth 2.0 user header names, else None. A token
        the PIN flow issued is its user's only with its app's key (and signature, if checked);
        one the OAuth 2.0 flow issued only while it lives (two hours, oauth2.py)."""
        bearer = request.bearer_token()
        if bearer and self.oauth2.issued(bearer):
            live = self.oauth2.grant_for(bearer)
            return live.user if live is not None else None
        key = credential_key(*request.authorization())
        if key is None:
            return None
        grant = self._grants.get(key)
        if grant is not None:
            params = oauth_parameters(request) or []
            oauth = dict(params)
            if oauth.get("oauth_consumer_key") != grant.consumer_key:
                return None
            if grant.consumer_secret is not None and not signature_ok(
                request, params, grant.consumer_secret, grant.secret
            ):
                return None
            return grant.user
        user = self.state.users.get(key)
        if user is None:
            n = len(self.state.users) + 1
            user = User(self.ctx.snowflake(), f"sandbox_user{n}", f"Sandbox User {n}")
            self.state.users[key] = user
        return user


def _oauth_error(status: int, code: int, message: str) -> Response:
    return Response.json({"errors": [{"code": code, "message": message}]}, status=status)


def _oauth_text_error(message: str) -> Response:
    return Response.text(message, status=401)


def _form_answer(**values: str) -> Response:
    return Response.html(urlencode(values))


def _page(title: str, body: str) -> Response:
    return Response.html(
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body>{body}</body></html>\n"
    )
