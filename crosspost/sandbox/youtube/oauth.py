"""Google's token endpoint (``POST /token``) and the bearer check on every API call.

``POST /token`` exchanges a consent code (PKCE checked) for an access token and, when the
consent asked for ``access_type=offline``, a refresh token; it also refreshes. Sandbox choices:
a failed exchange still uses up its code, and a code presented twice revokes the refresh token it
gave. Client credentials come as HTTP Basic or in the form, as Google takes both.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from crosspost.sandbox.api import Route, SandboxContext
from crosspost.sandbox.faults import Fault
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.tokens import fingerprint
from crosspost.sandbox.youtube.errors import auth_error
from crosspost.sandbox.youtube.grants import Grants
from crosspost.sandbox.youtube.state import Channel


class TokenEndpoint:
    """``POST /token`` (codes and refresh tokens for access tokens) and the bearer check."""

    def __init__(self, ctx: SandboxContext, channel: Channel, grants: Grants) -> None:
        self.ctx = ctx
        self.channel = channel
        self.grants = grants

    def route(self) -> Route:
        return Route.make("POST", "/token", self.token, "token")

    def token(self, request: Request) -> Response:
        form = request.form()
        grant = form.get("grant_type")
        if grant not in ("refresh_token", "authorization_code"):
            return _oauth_error(
                400,
                "unsupported_grant_type",
                "Only authorization_code and refresh_token are served.",
            )
        client_id, secret = _client_credentials(request, form)
        if grant == "authorization_code":
            return self._exchange_code(form, client_id, secret)
        refresh = form.get("refresh_token")
        if not client_id or not secret or not refresh:
            return _oauth_error(
                400, "invalid_request", "client_id, client_secret and refresh_token are required."
            )
        refused = self._client_refusal(client_id, secret)
        if refused is not None:
            return refused
        with self.ctx.lock:
            if fingerprint(refresh) in self.grants.revoked:
                return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
            owner = self.grants.granted.get(fingerprint(refresh))
            if owner is not None and owner != client_id:
                return _oauth_error(400, "unauthorized_client", "Unauthorized")
            token, ttl = self._issue_access_token(client_id)
        return Response.json(
            {
                "access_token": token,
                "expires_in": ttl,
                "token_type": "Bearer",
                "scope": "https://www.googleapis.com/auth/youtube",
            }
        )

    def _exchange_code(
        self, form: dict[str, str], client_id: str | None, secret: str | None
    ) -> Response:
        """grant_type=authorization_code: one use per code, same client and redirect_uri, and
        the PKCE verifier when the consent request carried a challenge."""
        if not client_id:
            return _oauth_error(
                400, "invalid_request", "Could not determine client ID from request."
            )
        if not secret:
            return _oauth_error(400, "invalid_request", "client_secret is missing.")
        refused = self._client_refusal(client_id, secret)
        if refused is not None:
            return refused
        code, redirect_uri = form.get("code"), form.get("redirect_uri")
        if not code:
            return _oauth_error(400, "invalid_request", "Missing required parameter: code")
        if not redirect_uri:
            return _oauth_error(400, "invalid_request", "Missing parameter: redirect_uri")
        key = fingerprint(code)
        with self.ctx.lock:
            grant = self.grants.auth_codes.take(key, self.ctx.now())
            if grant is None:  # unknown, used up or expired
                replayed = self.grants.redeemed.get(key)
                if replayed is not None:  # a code seen twice: what it gave is revoked
                    self.grants.revoked.add(replayed)
                return _oauth_error(400, "invalid_grant", "Bad Request")
            self.grants.redeemed[key] = None
            if grant.client_id != client_id:
                return _oauth_error(400, "invalid_grant", "Bad Request")
            if redirect_uri != grant.redirect_uri:
                return _oauth_error(400, "redirect_uri_mismatch", "Bad Request")
            if grant.challenge is not None:
                verifier = form.get("code_verifier")
                if not verifier:
                    return _oauth_error(400, "invalid_grant", "Missing code verifier.")
                if _pkce_challenge(verifier, grant.challenge_method) != grant.challenge:
                    return _oauth_error(400, "invalid_grant", "Invalid code verifier.")
            token, ttl = self._issue_access_token(client_id)
            body: dict[str, Any] = {
                "access_token": token,
                "expires_in": ttl,
                "scope": " ".join(grant.scopes),
                "token_type": "Bearer",
            }
            if grant.offline and self.channel.settings["issue_refresh_tokens"]:
                refresh = "1//0Sbx" + self.channel.token_text("refresh", self.ctx.next_id(), 40)
                self.grants.granted[fingerprint(refresh)] = client_id
                self.grants.redeemed[key] = fingerprint(refresh)
                body["refresh_token"] = refresh
        return Response.json(body)

    def _client_refusal(self, client_id: str, secret: str) -> Response | None:
        """Google's answer for a client it does not know or a secret that is not the client's;
        None when the sandbox is not configured to check them, or they match."""
        want_id, want_secret = (
            self.channel.settings["client_id"],
            self.channel.settings["client_secret"],
        )
        if want_id and client_id != want_id:
            return _oauth_error(401, "invalid_client", "The OAuth client was not found.")
        if want_secret and secret != want_secret:
            return _oauth_error(401, "invalid_client", "Unauthorized")
        return None

    def _issue_access_token(self, client_id: str) -> tuple[str, int]:
        """A new access token and its lifetime; the caller holds the lock."""
        self.grants.tokens_issued += 1
        token = "ya29.sandbox-" + self.channel.token_text("access", self.ctx.next_id(), 32)
        ttl = int(self.channel.settings["access_token_ttl"])
        self.grants.access_tokens.issue(token, client_id, self.ctx.now(), ttl)
        return token, ttl

    def fault_response(self, fault: Fault) -> Response:
        if fault.kind == "expired":
            return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
        if fault.kind == "permanent":
            return _oauth_error(401, "invalid_client", "The OAuth client was not found.")
        if fault.kind == "429":
            return _oauth_error(429, "rate_limit_exceeded", "Too many token requests.")
        return _oauth_error(503, "internal_failure", "Backend Error")

    def authorize(self, request: Request) -> None:
        """Refuse an API call whose bearer token was not issued here or has expired."""
        token = request.bearer_token()
        with self.ctx.lock:
            if self.grants.access_tokens.live(token or "", self.ctx.now()) is None:
                raise auth_error()


def _oauth_error(status: int, error: str, description: str) -> Response:
    return Response.json({"error": error, "error_description": description}, status=status)


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """The client's id and secret: from HTTP Basic (requests-oauthlib's way) or the form
    (google-auth's way); Google takes either."""
    basic = request.token("Basic")
    if basic:
        try:
            decoded = base64.b64decode(basic, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        return client_id or None, secret or None
    return form.get("client_id"), form.get("client_secret")


def _pkce_challenge(verifier: str, method: str) -> str:
    """RFC 7636: S256 is the unpadded base64url SHA-256 of the verifier; plain is itself."""
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
