"""X: `crosspost auth x ACCOUNT --oauth2`, the OAuth 2.0 Authorization Code Flow with PKCE.

Works over SSH like the PIN flow: crosspost prints the authorize URL, the user opens it in any
browser, approves, and pastes back the address X redirected to (the page need not load: its
query carries `state` and `code`), or the code alone. The code lives 30 seconds
(https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token), so it is
exchanged at once, with the S256 verifier only this run knows. What is stored: the access token,
the refresh token (offline.access), the access token's end in UTC, and the app's client id and
secret (a public client has none) the refresh needs.
"""

from __future__ import annotations

from collections.abc import Callable

from crosspost.adapters.x.oauth2 import (
    ACCESS,
    CLIENT_ID,
    CLIENT_SECRET,
    EXPIRES_AT,
    REFRESH,
    SCOPES,
    RedirectProblem,
    TokenEndpoint,
    TokenRefused,
    TokenUnavailable,
    authorize_url,
    code_from,
    expiry_text,
    new_state,
    new_verifier,
    s256_challenge,
)
from crosspost.config import AccountSettings
from crosspost.errors import UserError

# Where X sends the browser back: it must be one of the app's registered callback URLs (a
# loopback address the user's browser need not reach: only its address bar is read).
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"


def authorize_oauth2(
    account: AccountSettings,
    base_url: str,
    timeout: float,
    *,
    client_id: str,
    client_secret: str | None,
    redirect_uri: str,
    ask_redirect: Callable[[str], str],
) -> dict[str, str]:
    """Run the flow for `account`; the credentials the X adapter reads for OAuth 2.0.

    `ask_redirect` gets the authorize URL to show and returns what the user pasted. Every
    refusal is one UserError line naming the fix, never a secret.
    """
    client_id, secret = client_id.strip(), (client_secret or "").strip() or None
    again = f"run `crosspost auth x {account.name} --oauth2` again"
    if not client_id:
        raise UserError("x: the app's OAuth 2.0 Client ID is needed (Keys and tokens, X portal)")
    if not redirect_uri.startswith(("http://", "https://")):
        raise UserError(f"x: redirect URI {redirect_uri!r} is not an http(s) URL")
    verifier, state = new_verifier(), new_state()
    url = authorize_url(base_url, client_id, redirect_uri, state, s256_challenge(verifier))
    try:
        code = code_from(ask_redirect(url), state)
    except RedirectProblem as exc:
        raise UserError(f"x: the pasted address cannot be used: {exc}; {again}") from None
    endpoint = TokenEndpoint(base_url, client_id, secret, timeout)
    try:
        tokens = endpoint.exchange(code, verifier, redirect_uri)
    except TokenRefused as exc:
        hint = (
            "check the Client ID and Secret (a public client has no secret)"
            if exc.status == 401
            else f"{again} and paste the address within 30 seconds"
        )
        raise UserError(
            f"x: X refused the authorization code ({_scrub(exc, code)}); {hint}"
        ) from None
    except TokenUnavailable as exc:
        raise UserError(
            f"x: cannot get the token ({exc}); check the network and base_url"
        ) from None
    missing = [scope for scope in SCOPES if scope not in tokens.scopes]
    if missing or not tokens.refresh_token:
        named = ", ".join(missing) or "offline.access"
        raise UserError(
            f"x: X granted the token without {named}; enable them for the app (User "
            f"authentication settings: Read and write) and {again}"
        )
    values = {
        ACCESS: tokens.access_token,
        REFRESH: tokens.refresh_token,
        EXPIRES_AT: expiry_text(tokens.expires_at),
        CLIENT_ID: client_id,
    }
    if secret:
        values[CLIENT_SECRET] = secret
    return values


def _scrub(exc: Exception, *secrets: str) -> str:
    text = str(exc)
    for value in secrets:
        text = text.replace(value, "***")
    return text
