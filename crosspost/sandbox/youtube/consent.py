"""Google's consent page for installed apps, consenting at once (``GET /o/oauth2/auth``).

The user always consents, unless the ``deny_consent`` knob says no, and is sent back to a
loopback ``redirect_uri`` with a single-use code. Errors on the consent page are pages, as
Google's are; only a refusal by the user goes back to the redirect URI. Sandbox choices:
``state`` is required (Google only recommends it) and codes live ten minutes.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode, urlsplit

from crosspost.sandbox.api import Route, SandboxContext
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.tokens import fingerprint
from crosspost.sandbox.youtube.grants import AUTH_CODE_TTL, AuthCode, Grants
from crosspost.sandbox.youtube.state import Channel

AUTH_PATH = "/o/oauth2(?:/v2)?/auth"  # the client secrets file's auth_uri, and Google's v2
SCOPE_ROOT = "https://www.googleapis.com/auth/"
KNOWN_SCOPES = frozenset(
    {
        *(
            SCOPE_ROOT + name
            for name in (
                "youtube",
                "youtube.upload",
                "youtube.readonly",
                "youtube.force-ssl",
                "youtubepartner",
                "userinfo.email",
                "userinfo.profile",
            )
        ),
        "openid",
        "email",
        "profile",
    }
)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class ConsentPage:
    """``GET /o/oauth2/auth``: checks the request, then issues a code to the redirect URI."""

    def __init__(self, ctx: SandboxContext, channel: Channel, grants: Grants) -> None:
        self.ctx = ctx
        self.channel = channel
        self.grants = grants

    def route(self) -> Route:
        return Route.make("GET", AUTH_PATH, self.consent, "oauth.authorize", faultable=False)

    def consent(self, request: Request) -> Response:
        """Google's consent page, consenting at once: a redirect carrying a code (or a refusal).

        Until the client and its redirect URI check out, an error is a page, never a redirect
        (an unchecked redirect URI must not receive anything).
        """
        args = request.args()
        client_id = args.get("client_id")
        if not client_id:
            return _error_page(400, "invalid_request", "Missing required parameter: client_id")
        want_id = self.channel.settings["client_id"]
        if want_id and client_id != want_id:
            return _error_page(401, "invalid_client", "The OAuth client was not found.")
        redirect_uri = args.get("redirect_uri")
        if not redirect_uri:
            return _error_page(400, "invalid_request", "Missing required parameter: redirect_uri")
        if not _is_loopback(redirect_uri):
            return _error_page(
                400,
                "redirect_uri_mismatch",
                "Installed apps must use a loopback redirect URI (http://127.0.0.1:PORT, "
                "http://[::1]:PORT or http://localhost:PORT).",
            )
        problem = _consent_problem(args)
        if problem is not None:
            return _error_page(*problem)
        state = args["state"]
        if self.channel.settings["deny_consent"]:
            return _redirect(redirect_uri, error="access_denied", state=state)
        scopes = tuple(args["scope"].split())
        consent = "consent" in args.get("prompt", "").split()
        offline = args.get("access_type") == "offline"
        challenge = args.get("code_challenge")
        with self.ctx.lock:
            # Google sends a refresh token on a client's first offline consent, and after that
            # only when prompt=consent asks the user again.
            refreshable = offline and (consent or client_id not in self.grants.consented)
            if offline:
                self.grants.consented.add(client_id)
            code = "4/0Sbx" + self.channel.token_text("code", self.ctx.next_id(), 40)
            self.grants.codes_issued += 1
            self.grants.auth_codes.issue(
                fingerprint(code),
                AuthCode(
                    client_id=client_id,
                    redirect_uri=redirect_uri,
                    scopes=scopes,
                    offline=refreshable,
                    challenge=challenge,
                    challenge_method=args.get("code_challenge_method") or "plain",
                ),
                self.ctx.now(),
                AUTH_CODE_TTL,
            )
        return _redirect(redirect_uri, state=state, code=code, scope=" ".join(scopes))


def _error_page(status: int, error: str, description: str) -> Response:
    """The consent page's error, shown to the user as Google shows it (an HTML page)."""
    text = f"Error {status}: {error}"
    return Response.html(
        f"<!doctype html><title>{text}</title><h1>Access blocked: authorization error</h1>"
        f"<p>{html.escape(description)}</p><p>{text}</p>",
        status,
    )


def _redirect(redirect_uri: str, **params: str) -> Response:
    """A 302 to the client's redirect URI with `params` added to its query."""
    sep = "&" if urlsplit(redirect_uri).query else "?"
    return Response.empty(302, {"Location": redirect_uri + sep + urlencode(params)})


def _is_loopback(uri: str) -> bool:
    """An installed app's redirect URI: plain http to a loopback host, any port, no fragment."""
    try:
        parts = urlsplit(uri)
        _ = parts.port  # a port that is not a number raises ValueError
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and not parts.fragment


def _consent_problem(args: dict[str, str]) -> tuple[int, str, str] | None:
    """What is wrong with a consent request once its client and redirect URI are known good."""
    response_type = args.get("response_type")
    if not response_type:
        return 400, "invalid_request", "Missing required parameter: response_type"
    if response_type != "code":
        return 400, "unsupported_response_type", f"Invalid response_type: {response_type}"
    scopes = args.get("scope", "").split()
    if not scopes:
        return 400, "invalid_request", "Missing required parameter: scope"
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown:
        return 400, "invalid_scope", f"Some requested scopes were invalid. {{invalid={unknown}}}"
    if not args.get("state"):
        return 400, "invalid_request", "Missing required parameter: state (a sandbox rule)"
    access_type = args.get("access_type", "online")
    if access_type not in ("online", "offline"):
        return 400, "invalid_request", f"Invalid access_type: {access_type}"
    method = args.get("code_challenge_method")
    if method is not None and method not in ("S256", "plain"):
        return 400, "invalid_request", f"Invalid code_challenge_method: {method}"
    if method is not None and not args.get("code_challenge"):
        return 400, "invalid_request", "Missing code_challenge."
    return None
