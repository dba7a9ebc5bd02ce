"""X's OAuth 2.0 Authorization Code Flow with PKCE, served as X documents it, and the scopes
each v2 endpoint asks of an OAuth 2.0 user token.

Sources (each rule below names its own):
- AUTHZ: https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code
  (two-hour access tokens; a refresh token only with ``offline.access``; the refresh request)
- USER_TOKEN: https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token
  (the authorize URL's parameters, S256 or plain challenges, the 30-second code, Basic auth
  for confidential clients, ``client_id`` in the body for public ones)
- SPEC: /work/shared/reference/x-api/openapi.json ``components.securitySchemes.OAuth2UserToken``
  and each path's ``security`` (the scopes below)
- tweepy 4.17 ``OAuth2UserHandler`` (tweepy/auth.py): Basic auth and ``client_id`` in the body
  for a confidential client, ``client_id`` alone for a public one.
- Refusal bodies: a spent or unknown refresh token or code is answered 400
  ``{"error": "invalid_request", "error_description": "Value passed for the token was
  invalid."}`` (what clients of X match on, e.g. transitive-bullshit/agentic twitter error
  handling); a confidential client without its header 401 ``unauthorized_client``, "Missing
  valid authorization header". A token lacking a scope is answered 403 ``{"title":
  "Forbidden", "type": "about:blank", "status": 403, "detail": "Forbidden"}``
  (plhery/node-twitter-api-v2 issue 265).

Refresh tokens ROTATE: each is single-use (RFC 6749 section 6 allows it; X does it), the old
one refused once the new pair is issued. The old access token lives on until its own end.
Tokens are kept by fingerprint (SHA-256), as tokens.py says a server should.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from crosspost.sandbox.api import Route, SandboxContext
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.tokens import ExpiringTokens, fingerprint, seeded_b64url
from crosspost.sandbox.x.state import User, XState

AUTHORIZE_PATH = "/i/oauth2/authorize"  # USER_TOKEN: https://x.com/i/oauth2/authorize
TOKEN_PATH = "/2/oauth2/token"  # SPEC tokenUrl
OFFLINE = "offline.access"
# SPEC: components.securitySchemes.OAuth2UserToken.flows.authorizationCode.scopes
KNOWN_SCOPES = frozenset(
    {
        *(
            f"{area}.{verb}"
            for area in ("block", "bookmark", "like", "list", "mute", "follows")
            for verb in ("read", "write")
        ),
        *(f"{area}.{verb}" for area in ("broadcast", "dm") for verb in ("read", "write")),
        "media.write",
        OFFLINE,
        "space.read",
        "timeline.read",
        "tweet.moderate.write",
        "tweet.read",
        "tweet.write",
        "users.read",
    }
)
# SPEC: each path's `security` OAuth2UserToken scopes, by the sandbox's action name.
READ_SCOPES = frozenset({"tweet.read", "users.read"})
ACTION_SCOPES: dict[str, frozenset[str]] = {
    "tweets.create": frozenset({"tweet.write", "tweet.read", "users.read"}),
    "tweets.get": READ_SCOPES,
    "users.me": READ_SCOPES,
    "users.tweets": READ_SCOPES,
    "media.initialize": frozenset({"media.write"}),
    "media.append": frozenset({"media.write"}),
    "media.finalize": frozenset({"media.write"}),
    "media.status": frozenset({"media.write"}),
}
TOKEN_INVALID = "Value passed for the token was invalid."


@dataclass(frozen=True)
class Consent:
    """What the user approved on the consent page, bound to its code (USER_TOKEN)."""

    client_id: str
    redirect_uri: str
    scopes: frozenset[str]
    challenge: str
    method: str  # S256 or plain


@dataclass(frozen=True)
class UserGrant:
    """The user and scopes behind an access or refresh token, and the app they belong to."""

    user: User
    client_id: str
    scopes: frozenset[str]


class XOAuth2:
    """The consent page, the token endpoint, and what a bearer token it issued may do."""

    def __init__(self, ctx: SandboxContext, state: XState, signed_in: Callable[[], User]) -> None:
        self.ctx = ctx
        self.state = state
        self.signed_in = signed_in
        self._codes: ExpiringTokens[Consent] = ExpiringTokens()
        self._access: ExpiringTokens[UserGrant] = ExpiringTokens()
        self._refresh: dict[str, UserGrant] = {}  # by fingerprint; taken on use (rotation)
        self._issued: set[str] = set()  # every access token's fingerprint, expired ones too
        self.counts = {"codes": 0, "issued": 0, "refreshed": 0, "refused": 0}

    def routes(self) -> list[Route]:
        return [
            # A web page, not an API call: faults and rate limits are the API's.
            Route.make("GET", AUTHORIZE_PATH, self._consent, "oauth2.authorize", faultable=False),
            Route.make("POST", TOKEN_PATH, self._token, "oauth2.token"),
        ]

    def reset(self) -> None:
        self._codes.clear()
        self._access.clear()
        self._refresh.clear()
        self._issued.clear()
        self.counts = dict.fromkeys(self.counts, 0)

    # -- what the API asks ----------------------------------------------------------------
    def issued(self, token: str) -> bool:
        """Whether this flow issued `token` (live or not): then it alone decides the user."""
        return fingerprint(token) in self._issued

    def grant_for(self, token: str) -> UserGrant | None:
        """The live grant of an access token this flow issued; None once it has expired."""
        return self._access.live(fingerprint(token), self.ctx.now())

    @staticmethod
    def missing_scopes(grant: UserGrant, action: str) -> frozenset[str]:
        """SPEC: the scopes `action` needs that the token was not granted."""
        return ACTION_SCOPES.get(action, frozenset()) - grant.scopes

    # -- the consent page (USER_TOKEN step 2) ---------------------------------------------
    def _consent(self, request: Request) -> Response:
        """The signed-in user approves at once (or declines, with the knob): a redirect to the
        app's callback with ``state`` and ``code``. Until the app and its callback check out,
        an error is a page, never a redirect (RFC 6749 section 4.1.2.1)."""
        settings = self.state.settings
        client_id = request.arg("client_id") or ""
        redirect_uri = request.arg("redirect_uri") or ""
        allowed = settings["oauth2_redirect_uris"]
        configured = settings["oauth2_client_id"]
        if not client_id or (configured is not None and client_id != configured):
            return _page("Something went wrong: this app is not known. Go back and try again.")
        if not redirect_uri.startswith(("http://", "https://")) or (
            allowed is not None and redirect_uri not in allowed
        ):
            return _page("Something went wrong: the callback URL is not the app's. Go back.")
        state = request.arg("state")
        scopes = frozenset((request.arg("scope") or "").split())
        challenge = request.arg("code_challenge") or ""
        method = request.arg("code_challenge_method") or "plain"
        if request.arg("response_type") != "code" or not state or not challenge:
            return _redirect(redirect_uri, error="invalid_request", state=state or "")
        if method not in ("S256", "plain"):
            return _redirect(redirect_uri, error="invalid_request", state=state)
        if not scopes or not scopes <= KNOWN_SCOPES:
            return _redirect(redirect_uri, error="invalid_scope", state=state)
        if settings["oauth2_user_denies"]:
            return _redirect(redirect_uri, error="access_denied", state=state)
        with self.ctx.lock:
            code = self._text("code")
            consent = Consent(client_id, redirect_uri, scopes, challenge, method)
            lifetime = float(settings["oauth2_code_secs"])
            self._codes.issue(fingerprint(code), consent, self.ctx.now(), lifetime)
            self.counts["codes"] += 1
        return _redirect(redirect_uri, state=state, code=code)

    # -- the token endpoint (USER_TOKEN step 3, AUTHZ refresh) ----------------------------
    def _token(self, request: Request) -> Response:
        if request.content_type != "application/x-www-form-urlencoded":
            return _oauth_error(400, "invalid_request", "Content-Type must be form-encoded.")
        form = request.form()
        with self.ctx.lock:
            client_id = self._client(request, form)
            if client_id is None:
                return _oauth_error(
                    401, "unauthorized_client", "Missing valid authorization header"
                )
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                return self._exchange(form, client_id)
            if grant_type == "refresh_token":
                return self._rotate(form, client_id)
            return _oauth_error(400, "invalid_request", "Missing required parameter [grant_type].")

    def _client(self, request: Request, form: dict[str, str]) -> str | None:
        """The app making the request (USER_TOKEN, tweepy): a confidential client by its Basic
        header, a public one by ``client_id`` in the body; None when it does not check out."""
        settings = self.state.settings
        secret, configured = settings["oauth2_client_secret"], settings["oauth2_client_id"]
        basic = _basic(request.token("Basic"))
        if secret is not None:
            if basic is None or not hmac.compare_digest(basic[1], secret):
                return None
            client_id = basic[0]
        else:
            client_id = form.get("client_id") or (basic[0] if basic else "")
        if not client_id or (configured is not None and client_id != configured):
            return None
        return client_id

    def _exchange(self, form: dict[str, str], client_id: str) -> Response:
        """The code (single-use, 30 s) for the user's tokens, its verifier checked against the
        challenge (RFC 7636 section 4.6)."""
        for name in ("code", "redirect_uri", "code_verifier"):
            if not form.get(name):
                return _oauth_error(400, "invalid_request", f"Missing required parameter [{name}].")
        consent = self._codes.take(fingerprint(form["code"]), self.ctx.now())
        if (
            consent is None
            or consent.client_id != client_id
            or consent.redirect_uri != form["redirect_uri"]
            or not _verifier_matches(form["code_verifier"], consent.challenge, consent.method)
        ):
            self.counts["refused"] += 1
            return _oauth_error(400, "invalid_request", TOKEN_INVALID)
        return self._issue(UserGrant(self.signed_in(), client_id, consent.scopes))

    def _rotate(self, form: dict[str, str], client_id: str) -> Response:
        """AUTHZ: a refresh token for a new pair; the one used is spent (rotation)."""
        token = form.get("refresh_token")
        if not token:
            return _oauth_error(
                400, "invalid_request", "Missing required parameter [refresh_token]."
            )
        grant = self._refresh.get(fingerprint(token))
        if grant is None or grant.client_id != client_id:
            self.counts["refused"] += 1
            return _oauth_error(400, "invalid_request", TOKEN_INVALID)
        del self._refresh[fingerprint(token)]
        self.counts["refreshed"] += 1
        return self._issue(grant)

    def _issue(self, grant: UserGrant) -> Response:
        """AUTHZ: a bearer access token for two hours, and a refresh token only with
        offline.access."""
        lifetime = int(self.state.settings["oauth2_access_token_secs"])
        access = self._text("access token")
        self._access.issue(fingerprint(access), grant, self.ctx.now(), float(lifetime))
        self._issued.add(fingerprint(access))
        self.counts["issued"] += 1
        body: dict[str, object] = {
            "token_type": "bearer",
            "expires_in": lifetime,
            "access_token": access,
            "scope": " ".join(sorted(grant.scopes)),
        }
        if OFFLINE in grant.scopes:
            refresh = self._text("refresh token")
            self._refresh[fingerprint(refresh)] = grant
            body["refresh_token"] = refresh
        return Response.json(body)

    def _text(self, kind: str) -> str:
        """A token in X's alphabet (base64url), reproducible from the sandbox's seed."""
        material = f"{self.ctx.seed}:oauth2 {kind}:{self.ctx.next_id()}"
        return seeded_b64url(material, 43) + seeded_b64url(material + ":tail", 24)


def _verifier_matches(verifier: str, challenge: str, method: str) -> bool:
    """RFC 7636 section 4.6: S256 is BASE64URL(SHA256(verifier)) without padding."""
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    else:
        expected = verifier
    return hmac.compare_digest(expected.encode(), challenge.encode("utf-8", "replace"))


def _basic(credentials: str | None) -> tuple[str, str] | None:
    """RFC 7617 Basic credentials as (user id, password), or None when malformed."""
    if not credentials:
        return None
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _oauth_error(status: int, error: str, description: str) -> Response:
    return Response.json({"error": error, "error_description": description}, status=status)


def _redirect(redirect_uri: str, **params: str) -> Response:
    sep = "&" if "?" in redirect_uri else "?"
    return Response.empty(302, {"Location": redirect_uri + sep + urlencode(params)})


def _page(message: str) -> Response:
    return Response.html(
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>X / Error</title></head>'
        f"<body><p>{html.escape(message)}</p></body></html>\n",
        status=400,
    )
