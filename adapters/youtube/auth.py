"""A YouTube refresh token through Google's installed-app flow (`crosspost auth youtube ACCOUNT`).

google-auth-oauthlib's `InstalledAppFlow` opens the consent page, takes the browser's redirect
on a one-shot server on localhost and exchanges the code (with PKCE) at the token endpoint. The
adapter refreshes its own access tokens, so only the client and the refresh token are returned.

The endpoints follow the account's `token_uri` setting: Google's, or (for the sandbox) a server
on loopback that also serves the consent page at ``/o/oauth2/auth``. Every failure is one
`UserError` line saying what to do, built outside the `except` that caught it so no library
exception (and nothing secret) is chained to it.
"""

from __future__ import annotations

import os
import threading
import webbrowser
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import requests
from google_auth_oauthlib.flow import InstalledAppFlow, WSGITimeoutError
from oauthlib.oauth2.rfc6749.errors import OAuth2Error  # type: ignore[import-untyped]

from crosspost.adapters.auth import AuthPrompts
from crosspost.adapters.base import Platform
from crosspost.adapters.youtube.adapter import GOOGLE_TOKEN_URI
from crosspost.config import AccountSettings
from crosspost.errors import UserError

SCOPES = (
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube",
)
GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
SANDBOX_AUTH_PATH = "/o/oauth2/auth"  # where a non-Google token server serves consent
GOOGLE_DOMAINS = ("google.com", "googleapis.com")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
WAIT_SECONDS = 600  # for the browser's answer; then the local server gives up
PROMPT = "Open this address in a browser and allow crosspost to manage the channel:\n{url}"
CLIENT_HELP = (
    "check client_id and client_secret: both come from one OAuth client of type "
    '"Desktop app" in the Google Cloud console (APIs & Services > Credentials)'
)

_env_lock = threading.Lock()
_env_users = 0
_env_saved: dict[str, str | None] = {}


def run(
    account: AccountSettings, options: Mapping[str, Any], prompts: AuthPrompts
) -> dict[str, str]:
    """`crosspost auth youtube ACCOUNT` (the options its `AuthCommand` declares)."""
    intro = "Open this address to let crosspost post to YouTube:"
    return authorize(
        account,
        client_id=str(options["client_id"]),
        client_secret=str(options["client_secret"]),
        open_browser=not options["no_browser"],
        port=int(options["port"]),
        show_url=partial(prompts.show_address, intro),
    )


def authorize(
    account: AccountSettings,
    *,
    client_id: str,
    client_secret: str,
    open_browser: bool = True,
    port: int = 0,
    show_url: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """Run the consent flow for `account`'s channel and return the credentials the adapter
    reads: ``client_id``, ``client_secret`` and ``refresh_token``.

    `show_url` receives the consent URL (before any browser opens) so the CLI can print it;
    without it the library prints its own prompt. `port` 0 picks a free port for the redirect.
    """
    if account.platform != Platform.YOUTUBE:
        raise UserError(f"account {account.name!r} is a {account.platform} account, not youtube")
    client_id, client_secret = client_id.strip(), client_secret.strip()
    if not client_id or not client_secret:
        raise UserError(f"youtube: the client id or client secret is empty; {CLIENT_HELP}")
    auth_uri, token_uri = oauth_endpoints(account)
    flow = _Flow.from_client_config(
        {
            "installed": {
                "client_id": client_id,
                "client_secret": client_secret,
                "auth_uri": auth_uri,
                "token_uri": token_uri,
                "redirect_uris": ["http://localhost"],
            }
        },
        scopes=list(SCOPES),
    )
    flow.on_url = show_url
    outcome = _run(flow, account.name, token_uri, port=port, open_browser=open_browser)
    if isinstance(outcome, UserError):
        raise outcome
    granted = set(outcome.granted_scopes or SCOPES)
    missing = [scope.rsplit("/", 1)[-1] for scope in SCOPES if scope not in granted]
    if missing:
        raise UserError(
            f"youtube: the consent left out {', '.join(missing)}; run `crosspost auth youtube "
            f"{account.name}` again and tick every box on Google's consent page"
        )
    refresh_token = outcome.refresh_token
    if not refresh_token:
        raise UserError(
            "youtube: Google sent no refresh token; remove crosspost's access at "
            "https://myaccount.google.com/permissions, then run `crosspost auth youtube "
            f"{account.name}` again"
        )
    return {
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": str(refresh_token),
    }


def oauth_endpoints(account: AccountSettings) -> tuple[str, str]:
    """(auth_uri, token_uri) for the account: Google's two, or the consent page on the server
    its `token_uri` names (the sandbox), since adapters declare no auth_uri setting.

    Plain http is refused except on loopback: the client secret and the code travel in it.
    """
    token_uri = str(account.settings.get("token_uri") or GOOGLE_TOKEN_URI)
    parts = urlsplit(token_uri)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise UserError(
            f"youtube: account {account.name!r} has token_uri {token_uri!r}, not an http(s) URL"
        )
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        raise UserError(
            f"youtube: account {account.name!r} has token_uri {token_uri!r}: it must be https "
            "(plain http only on this machine, for the sandbox)"
        )
    if parts.scheme == "https" and any(
        host == domain or host.endswith("." + domain) for domain in GOOGLE_DOMAINS
    ):
        return GOOGLE_AUTH_URI, token_uri
    return f"{parts.scheme}://{parts.netloc}{SANDBOX_AUTH_PATH}", token_uri


class _Flow(InstalledAppFlow):  # type: ignore[misc]
    """`InstalledAppFlow` that hands the consent URL to `on_url` as soon as it is built.

    `run_local_server` only prints the URL, after trying the browser; the CLI wants it first,
    to show it itself (and a test wants it to play the browser).
    """

    on_url: Callable[[str], None] | None = None

    def authorization_url(self, **kwargs: Any) -> tuple[str, str]:
        url, state = super().authorization_url(**kwargs)
        if self.on_url is not None:
            self.on_url(url)
        return url, state


def _run(flow: _Flow, account: str, token_uri: str, *, port: int, open_browser: bool) -> Any:
    """The flow's credentials, or the UserError that says why there are none."""
    again = f"run `crosspost auth youtube {account}` again"
    try:
        with _oauthlib_env(plain_http=urlsplit(token_uri).scheme == "http"):
            return flow.run_local_server(
                host="localhost",
                port=port,
                open_browser=open_browser,
                authorization_prompt_message=None if flow.on_url else PROMPT,
                timeout_seconds=WAIT_SECONDS,
                access_type="offline",
                prompt="consent",
            )
    except WSGITimeoutError:
        waited = f"{WAIT_SECONDS // 60} minutes" if WAIT_SECONDS >= 60 else f"{WAIT_SECONDS:g} s"
        return UserError(f"youtube: no answer from the browser in {waited}; {again}")
    except OAuth2Error as exc:
        return UserError(f"youtube: {_oauth_message(exc, flow, again)}")
    except webbrowser.Error:
        return UserError(
            "youtube: no web browser to open here; run again with the browser turned off "
            "and open the printed address on any machine that can reach this one's localhost"
        )
    except requests.RequestException as exc:
        return UserError(
            f"youtube: no answer from the token endpoint {token_uri} ({type(exc).__name__}): "
            f"check the network and the token_uri setting, then {again}"
        )
    except OSError as exc:  # the local server could not listen
        return UserError(
            f"youtube: cannot listen on localhost port {port} for the browser's answer "
            f"({exc.strerror or type(exc).__name__}); pick another port or free this one"
        )


def _oauth_message(exc: OAuth2Error, flow: _Flow, again: str) -> str:
    """One line for an OAuth error, quoting Google's code and description, never a secret."""
    code = str(exc.error or type(exc).__name__)
    detail = _scrub(str(exc.description or ""), flow)
    cited = f"{code}: {detail}" if detail and detail != code else code
    if code == "access_denied":
        return f"access to the channel was not granted ({cited}); {again} and allow it"
    if code in ("invalid_client", "unauthorized_client"):
        return f"Google refused the OAuth client ({cited}); {CLIENT_HELP}"
    if code == "mismatching_state":
        return f"the browser's answer belongs to another sign-in ({cited}); {again}"
    if code in ("invalid_grant", "redirect_uri_mismatch", "missing_code"):
        return f"the authorization code was refused ({cited}); {again}"
    return f"authorization failed ({cited}); {again}"


def _scrub(text: str, flow: _Flow) -> str:
    """`text` without the client secret or the PKCE verifier, should a server quote them."""
    for secret in (flow.client_config.get("client_secret"), flow.code_verifier):
        if secret:
            text = text.replace(str(secret), "***")
    return text


@contextmanager
def _oauthlib_env(*, plain_http: bool) -> Iterator[None]:
    """oauthlib reads two switches from the environment: set them only while flows run.

    OAUTHLIB_RELAX_TOKEN_SCOPE lets a partial consent through, so `authorize` can name what
    was left out instead of oauthlib's bare Warning. OAUTHLIB_INSECURE_TRANSPORT allows http,
    set only for endpoints on loopback (`oauth_endpoints` refuses http elsewhere).
    """
    global _env_users
    names = ["OAUTHLIB_RELAX_TOKEN_SCOPE"] + (["OAUTHLIB_INSECURE_TRANSPORT"] if plain_http else [])
    with _env_lock:
        if _env_users == 0:
            _env_saved.clear()
        _env_users += 1
        for name in names:
            _env_saved.setdefault(name, os.environ.get(name))
            os.environ[name] = "1"
    try:
        yield
    finally:
        with _env_lock:
            _env_users -= 1
            if _env_users == 0:
                for name, value in _env_saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
