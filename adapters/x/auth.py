"""X: the OAuth 1.0a PIN flow behind `crosspost auth x ACCOUNT` (and the switch to the OAuth 2.0
PKCE flow of oauth2_flow.py, `--oauth2`).

The PIN ("out of band") variant of X's three-legged flow needs no callback URL and no local web
server, so it works over SSH: the user opens a URL, authorises the app and types back the PIN X
shows. tweepy's OAuth1UserHandler runs the same flow but hard-codes api.twitter.com;
requests-oauthlib's OAuth1Session (what tweepy uses underneath) takes any host, so the flow runs
against the account's `base_url` too (the sandbox in tests).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests
from requests_oauthlib import OAuth1Session  # type: ignore[import-untyped]
from requests_oauthlib.oauth1_session import TokenRequestDenied  # type: ignore[import-untyped]

from crosspost.adapters.auth import AuthPrompts
from crosspost.adapters.x.adapter import DEFAULT_BASE_URL, DEFAULT_TIMEOUT
from crosspost.config import AccountSettings
from crosspost.errors import UserError

REASON_MAX = 160
# They log consumer keys, tokens, signatures and whole token answers (secrets included) at DEBUG.
CHATTY_LOGGERS = (
    "requests_oauthlib.oauth1_session",
    "requests_oauthlib.oauth1_auth",
    "oauthlib.oauth1.rfc5849",
)
REQUEST_TOKEN, ACCESS_TOKEN = "request token", "access token"


def run(
    account: AccountSettings, options: Mapping[str, Any], prompts: AuthPrompts
) -> dict[str, str]:
    """`crosspost auth x ACCOUNT [--oauth2]` (the options its `AuthCommand` declares): the
    OAuth 1.0a PIN flow by default, OAuth 2.0 with PKCE with `--oauth2`. A value neither an
    option nor its environment variable gives is asked for (secrets unseen)."""
    if options.get("oauth2"):
        return _run_oauth2(account, options, prompts)

    def ask_pin(url: str) -> str:
        intro = "Open this address, authorise crosspost, then type the PIN X shows:"
        prompts.show_address(intro, url)
        return prompts.ask("PIN")

    return authorize_pin(
        account,
        consumer_key=str(options.get("consumer_key") or prompts.ask("API key (consumer key)")),
        consumer_secret=str(options.get("consumer_secret") or prompts.ask_secret("API key secret")),
        ask_pin=ask_pin,
    )


def _run_oauth2(
    account: AccountSettings, options: Mapping[str, Any], prompts: AuthPrompts
) -> dict[str, str]:
    from crosspost.adapters.x.oauth2_flow import DEFAULT_REDIRECT_URI, authorize_oauth2

    def ask_redirect(url: str) -> str:
        intro = (
            "Open this address, authorise crosspost, then paste the address X sends your "
            "browser to (it need not load), or its code:"
        )
        prompts.show_address(intro, url)
        return prompts.ask("Redirect address")

    with _quiet(CHATTY_LOGGERS):
        return authorize_oauth2(
            account,
            _api_root(account),
            _timeout(account),
            client_id=str(options.get("client_id") or prompts.ask("OAuth 2.0 Client ID")),
            client_secret=options.get("client_secret") or None,
            redirect_uri=str(options.get("redirect_uri") or DEFAULT_REDIRECT_URI),
            ask_redirect=ask_redirect,
        )


def authorize_pin(
    account: AccountSettings,
    *,
    consumer_key: str,
    consumer_secret: str,
    ask_pin: Callable[[str], str],
) -> dict[str, str]:
    """Run X's PIN flow for `account` as the app `consumer_key` names.

    `ask_pin` gets the authorisation URL to show the user and returns the PIN they typed. The
    answer holds the four credentials the X adapter reads for OAuth 1.0a. Any refusal (the app's
    keys, the PIN, an expired request token, X unreachable) is one UserError line naming the fix,
    never a secret.
    """
    consumer_key, consumer_secret = consumer_key.strip(), consumer_secret.strip()
    if not consumer_key or not consumer_secret:
        raise UserError(
            "x: the app's consumer key and consumer secret (API Key and Secret) are both needed"
        )
    base = _api_root(account)
    flow = _Flow(account, base, secrets=[consumer_key, consumer_secret])
    with (
        _quiet(CHATTY_LOGGERS),
        OAuth1Session(consumer_key, client_secret=consumer_secret, callback_uri="oob") as session,
    ):
        pending = flow.fetch(
            REQUEST_TOKEN, session.fetch_request_token, f"{base}/oauth/request_token"
        )
        flow.secrets += [pending.get("oauth_token", ""), pending.get("oauth_token_secret", "")]
        if pending.get("oauth_callback_confirmed") != "true":
            # OAuth 1.0a's answer to a session-fixation hole: a server that does not confirm
            # the callback is not speaking 1.0a.
            raise UserError(f"x: {base} did not confirm the 'oob' callback; is base_url right?")
        url = str(session.authorization_url(f"{base}/oauth/authorize"))
        pin = "".join(ask_pin(url).split())
        if not pin:
            raise UserError(f"x: no PIN entered; run `crosspost auth x {account.name}` again")
        flow.secrets.append(pin)
        granted = flow.fetch(
            ACCESS_TOKEN, session.fetch_access_token, f"{base}/oauth/access_token", verifier=pin
        )
    token, secret = granted.get("oauth_token"), granted.get("oauth_token_secret")
    if not token or not secret:
        raise UserError(f"x: {base} granted access without an access token and secret")
    return {
        "consumer_key": consumer_key,
        "consumer_secret": consumer_secret,
        "access_token": token,
        "access_token_secret": secret,
    }


class _Flow:
    """One run of the flow: its settings, the secrets it has seen, X's refusals as UserErrors."""

    def __init__(self, account: AccountSettings, base: str, secrets: list[str]) -> None:
        self.account = account
        self.base = base
        self.secrets = secrets
        self.timeout = _timeout(account)

    def fetch(self, step: str, call: Callable[..., Any], url: str, **kwargs: Any) -> dict[str, str]:
        """One token request through requests-oauthlib, its failures as one UserError."""
        try:
            answer = call(url, timeout=self.timeout, **kwargs)
        except TokenRequestDenied as exc:
            raise self.refusal(step, exc.response) from None
        except requests.RequestException as exc:
            raise UserError(
                f"x: cannot reach {self.base} for the {step} ({type(exc).__name__}); check the "
                f"network and the account's base_url"
            ) from None
        except ValueError:  # TokenMissing, or an answer that is not form-encoded
            raise UserError(f"x: {self.base} answered the {step} request without a token") from None
        return {str(k): str(v) for k, v in dict(answer).items()}

    def refusal(self, step: str, response: requests.Response) -> UserError:
        """X's refusal of a token request as the one line that says what to do."""
        status = response.status_code
        reason = self.scrub(_reason(response))
        said = f"HTTP {status}: {reason}" if reason else f"HTTP {status}"
        again = f"run `crosspost auth x {self.account.name}` again"
        lowered = reason.lower()
        if status == 429:
            return UserError(f"x: X is limiting authorisation requests ({said}); wait and retry")
        if status >= 500:
            return UserError(f"x: X failed to issue the {step} ({said}); try again later")
        if step == ACCESS_TOKEN and status == 401 and "verifier" in lowered:
            return UserError(f"x: X did not accept the PIN ({said}); {again} and type its PIN")
        if step == ACCESS_TOKEN and status == 401 and "request token" in lowered:
            return UserError(
                f"x: the authorisation expired or was already used ({said}); {again} and enter "
                f"the PIN within a few minutes"
            )
        if status == 401:
            return UserError(
                f"x: X refused the app's consumer key and secret ({said}); check the API Key and "
                f"Secret under the app's 'Keys and tokens' in the X developer portal"
            )
        if step == REQUEST_TOKEN and status == 403 and "callback" in lowered:
            return UserError(
                f"x: X refused to start the PIN flow ({said}); set up User authentication for "
                f"the app in the X developer portal (it needs a callback URL even for PINs)"
            )
        return UserError(f"x: X refused the {step} ({said})")

    def scrub(self, text: str) -> str:
        for value in sorted(filter(None, self.secrets), key=len, reverse=True):
            text = text.replace(value, "***")
        return text


def _reason(response: requests.Response) -> str:
    """X's own short reason: the first error's message, a Problem's detail or a line of text."""
    text = response.text.strip()
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        errors = body.get("errors")
        first = errors[0] if isinstance(errors, list) and errors else None
        message = first.get("message") if isinstance(first, dict) else None
        text = str(message or body.get("detail") or body.get("title") or "")
    elif "<" in text or "\n" in text:  # an HTML error page says nothing to print
        text = ""
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


def _api_root(account: AccountSettings) -> str:
    base = str(account.settings.get("base_url") or DEFAULT_BASE_URL).rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise UserError(f"x: account {account.name!r} has base_url {base!r}, not an http(s) URL")
    return base


def _timeout(account: AccountSettings) -> float:
    value = account.settings.get("timeout_seconds", DEFAULT_TIMEOUT)
    return float(value) if isinstance(value, int | float) and value > 0 else DEFAULT_TIMEOUT


class _DropAll(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextmanager
def _quiet(names: tuple[str, ...]) -> Iterator[None]:
    """Silence these loggers while the flow runs: their records carry the secrets."""
    drop = _DropAll()
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addFilter(drop)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(drop)
