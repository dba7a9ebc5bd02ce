"""X's OAuth 2.0 Authorization Code Flow with PKCE: its pieces (verifier, S256 challenge, state,
authorize URL, the redirect's code) and the token endpoint (code exchange, refresh).

Sources: https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token (the
authorize URL and its parameters, the token request, Basic auth for confidential clients,
`client_id` in the body for public ones), https://docs.x.com/fundamentals/authentication/
oauth-2-0/authorization-code (two-hour tokens, `offline.access` for a refresh token, the
refresh request), RFC 7636 (PKCE) and tweepy 4.17's OAuth2UserHandler (tweepy/auth.py), which
sends `client_id` in the body for every client and Basic auth when there is a secret. tweepy's
handler hard-codes twitter.com's hosts, so this module speaks the same requests to `base_url`.
Pure where it can be: the HTTP lives in `TokenEndpoint` alone.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from crosspost.adapters.x.adapter import DEFAULT_BASE_URL
from crosspost.adapters.x.errors import OAUTH2_SCOPES

# What crosspost does on X, by the spec's `security` of each call it makes
# (../shared/reference/x-api/openapi.json), and offline.access for a refresh token.
SCOPES = OAUTH2_SCOPES
AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"  # user-access-token, step 2
AUTHORIZE_PATH = "/i/oauth2/authorize"
TOKEN_PATH = "/2/oauth2/token"
VERIFIER_CHARS = 128  # RFC 7636 4.1: 43 to 128 characters; tweepy uses 128
# The credential names the flow stores and the adapter reads.
ACCESS, REFRESH, EXPIRES_AT = "bearer_token", "refresh_token", "token_expires_at"
CLIENT_ID, CLIENT_SECRET = "client_id", "client_secret"


def utc_now() -> datetime:
    """Our clock, which a token's end is reckoned on (tests set it to the sandbox's clock)."""
    return datetime.now(UTC)


def new_verifier() -> str:
    """A code verifier: 128 characters of the unreserved alphabet (RFC 7636 4.1)."""
    return secrets.token_urlsafe(96)[:VERIFIER_CHARS]


def s256_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def new_state() -> str:
    """An unguessable `state`, checked on the way back (RFC 6749 10.12)."""
    return secrets.token_urlsafe(32)


def authorize_root(base_url: str) -> str:
    """The consent page: on x.com for X's own API host, on `base_url` otherwise (the sandbox)."""
    base = base_url.rstrip("/")
    return AUTHORIZE_URL if base == DEFAULT_BASE_URL else base + AUTHORIZE_PATH


def authorize_url(
    base_url: str, client_id: str, redirect_uri: str, state: str, challenge: str
) -> str:
    """The address the user opens (user-access-token, step 1), with an S256 challenge."""
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(SCOPES),
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{authorize_root(base_url)}?{urlencode(query)}"


class RedirectProblem(ValueError):
    """What the pasted redirect says instead of a code (its state, an error, nothing)."""


def code_from(answer: str, state: str) -> str:
    """The authorization code in what the user pasted: the whole redirect address (its
    `state` must be ours) or the code alone."""
    text = answer.strip()
    if not text:
        raise RedirectProblem("nothing was pasted")
    if "://" not in text and "=" not in text:
        return text  # the code alone
    query = parse_qs(urlsplit(text).query or text.lstrip("?"))
    error = (query.get("error") or [""])[0]
    if error:
        raise RedirectProblem(f"X sent back error={error}" + _denied_hint(error))
    if (query.get("state") or [""])[0] != state:
        raise RedirectProblem("its state is not the one this run sent (an old or forged address)")
    code = (query.get("code") or [""])[0]
    if not code:
        raise RedirectProblem("it carries no code")
    return code


def _denied_hint(error: str) -> str:
    return " (the authorisation was declined)" if error == "access_denied" else ""


@dataclass(frozen=True)
class Tokens:
    """The token endpoint's answer: a bearer access token, its end, maybe a refresh token."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scopes: frozenset[str]

    @classmethod
    def of(cls, body: Any, now: datetime) -> Tokens:
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise TokenUnavailable("the answer holds no access token")
        lifetime = body.get("expires_in")
        seconds = lifetime if isinstance(lifetime, int) and lifetime > 0 else 7200
        refresh = body.get("refresh_token")
        return cls(
            body["access_token"],
            refresh if isinstance(refresh, str) and refresh else None,
            now + timedelta(seconds=seconds),
            frozenset(str(body.get("scope") or "").split()),
        )


class TokenRefused(Exception):
    """X refused the grant or the client (400/401 with an OAuth error): do not try again."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"HTTP {status}: {error}: {description}".rstrip(": "))
        self.status = status
        self.error = error


class TokenUnavailable(Exception):
    """No usable answer (X down, limiting, unreachable): the grant may still be good."""


class TokenEndpoint:
    """POST /2/oauth2/token for one app: a confidential client by Basic auth, every client by
    `client_id` in the body too (tweepy's `include_client_id=True`)."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str | None,
        timeout: float,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + TOKEN_PATH
        self.client_id = client_id
        self.client_secret = client_secret or None
        self.timeout = timeout
        self.clock = clock

    def __repr__(self) -> str:
        return f"TokenEndpoint({self.url!r})"

    def exchange(self, code: str, verifier: str, redirect_uri: str) -> Tokens:
        """The code for the user's tokens (user-access-token, step 3)."""
        return self._post(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            }
        )

    def refresh(self, refresh_token: str) -> Tokens:
        """A refresh token for a new pair (authorization-code, "Refresh tokens"); X spends it."""
        return self._post({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _post(self, form: dict[str, str]) -> Tokens:
        import requests
        from requests.auth import HTTPBasicAuth

        auth = HTTPBasicAuth(self.client_id, self.client_secret) if self.client_secret else None
        try:
            response = requests.post(
                self.url,
                data={**form, "client_id": self.client_id},
                auth=auth,
                timeout=self.timeout,
                headers={"Accept": "application/json"},
            )
        except requests.RequestException as exc:
            raise TokenUnavailable(f"{self.url} unreachable ({type(exc).__name__})") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code in (400, 401) and isinstance(body, dict) and "error" in body:
            description = str(body.get("error_description") or "")
            raise TokenRefused(response.status_code, str(body["error"]), description)
        if response.status_code != 200:
            raise TokenUnavailable(f"{self.url} answered HTTP {response.status_code}")
        return Tokens.of(body, self.clock() if self.clock else utc_now())


def expiry_text(moment: datetime) -> str:
    """How the expiry is stored: ISO 8601 in UTC, to the second."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_expiry(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
