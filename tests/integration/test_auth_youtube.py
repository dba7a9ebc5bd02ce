"""`crosspost auth youtube`: google-auth-oauthlib's installed-app flow against the sandbox.

The test plays the browser: it takes the consent URL `authorize` shows, GETs it with httpx and
follows the sandbox's redirect to the flow's server on localhost, as a browser would after the
user clicks Allow. The refresh token that comes back must then work in the real adapter.
"""

from __future__ import annotations

import os
import queue
import threading
import webbrowser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from crosspost.adapters.base import AuthenticationError, Platform
from crosspost.adapters.youtube import YouTubeAdapter
from crosspost.adapters.youtube.auth import GOOGLE_AUTH_URI, SCOPES, authorize, oauth_endpoints
from crosspost.config import AccountSettings
from crosspost.errors import UserError
from tests.support.sandbox import sandbox_fixtures
from tests.support.youtube_helpers import SECRETS, Sandbox, account

CLIENT = {"client_id": SECRETS["client_id"], "client_secret": SECRETS["client_secret"]}
WRONG_SECRET = "csecret-wrong-but-still-private-13"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
WAIT = 5.0

sandbox_server, sb = sandbox_fixtures(Sandbox, **CLIENT)


def settings_for(url: str, name: str = "kenh-chinh", **settings: Any) -> AccountSettings:
    """The account as the config gives it to `authorize`: settings, no credential values."""
    refs = dict.fromkeys(("client_id", "client_secret", "refresh_token"), "secrets")
    return AccountSettings(name, Platform.YOUTUBE, None, True, settings, refs)


class Browser:
    """Runs `authorize` on a thread and plays the user's browser on the URL it shows."""

    def __init__(self, sandbox: Sandbox, **kwargs: Any) -> None:
        self.urls: queue.Queue[str] = queue.Queue()
        self.result: dict[str, str] | None = None
        self.error: BaseException | None = None
        acct = settings_for(sandbox.url, base_url=sandbox.url, token_uri=f"{sandbox.url}/token")
        kwargs = {**CLIENT, "open_browser": False, "show_url": self.urls.put, **kwargs}
        self.thread = threading.Thread(target=self._run, args=(acct, kwargs), daemon=True)

    def _run(self, acct: AccountSettings, kwargs: dict[str, Any]) -> None:
        try:
            self.result = authorize(acct, **kwargs)
        except BaseException as exc:
            self.error = exc

    def consent(self) -> tuple[str, httpx.Response]:
        """Start the flow, open its URL following redirects; the URL and the last answer."""
        self.thread.start()
        url = self.urls.get(timeout=WAIT)
        with httpx.Client(follow_redirects=True, timeout=WAIT, trust_env=False) as client:
            answer = client.get(url)
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "authorize() did not finish after the redirect"
        return url, answer

    def credentials(self) -> dict[str, str]:
        _, answer = self.consent()
        assert answer.status_code == 200, answer.text
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result

    def refusal(self) -> UserError:
        self.consent()
        assert isinstance(self.error, UserError), repr(self.error)
        return self.error


def assert_no_secret(text: str, *extra: str) -> None:
    for value in (*SECRETS.values(), WRONG_SECRET, *extra):
        if value != SECRETS["client_id"]:
            assert value not in text


def verify_with(sandbox: Sandbox, creds: dict[str, str]) -> str:
    adapter = YouTubeAdapter(account(sandbox.url, creds))
    try:
        return adapter.verify()
    finally:
        adapter.close()


# -- the flow through the library --------------------------------------------------------------
def test_consent_gives_a_refresh_token_the_adapter_can_use(sb: Sandbox) -> None:
    browser = Browser(sb)
    url, answer = browser.consent()
    assert answer.status_code == 200 and "completed" in answer.text  # the flow's own page
    if browser.error is not None:
        raise browser.error
    creds = browser.result
    assert creds is not None and set(creds) == {"client_id", "client_secret", "refresh_token"}
    assert (creds["client_id"], creds["client_secret"]) == (
        CLIENT["client_id"],
        CLIENT["client_secret"],
    )
    assert creds["refresh_token"] and creds["refresh_token"] != SECRETS["refresh_token"]

    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{sb.url}/o/oauth2/auth"
    assert set(query["scope"].split()) == set(SCOPES)
    assert (query["access_type"], query["prompt"], query["response_type"]) == (
        "offline",
        "consent",
        "code",
    )
    assert query["code_challenge_method"] == "S256" and query["state"]
    assert urlsplit(query["redirect_uri"]).hostname == "localhost"
    assert sb.state()["oauth"] == {
        "codes_issued": 1,
        "codes_pending": 0,
        "refresh_tokens_granted": 1,
    }

    assert not [name for name in os.environ if name.startswith("OAUTHLIB_")]  # put back

    assert verify_with(sb, creds) == sb.state()["channel"]["title"]
    # It was this refresh token the adapter used: revoked, the same credentials stop working.
    sb.configure(revoke_refresh_tokens=[creds["refresh_token"]])
    with pytest.raises(AuthenticationError):
        verify_with(sb, creds)


def test_denied_consent_is_one_clear_line(sb: Sandbox) -> None:
    sb.configure(deny_consent=True)
    error = Browser(sb).refusal()
    text = str(error)
    assert "access_denied" in text and "not granted" in text and "\n" not in text
    assert_no_secret(text)
    assert sb.state()["oauth"]["codes_issued"] == 0


def test_wrong_client_secret_is_refused_without_showing_it(sb: Sandbox) -> None:
    error = Browser(sb, client_secret=WRONG_SECRET).refusal()
    text = str(error)
    assert "invalid_client" in text and "client_secret" in text and "\n" not in text
    assert_no_secret(text)
    assert error.__cause__ is None and error.__context__ is None
    assert sb.state()["oauth"]["refresh_tokens_granted"] == 0


def test_no_refresh_token_in_the_answer_says_to_revoke_and_retry(sb: Sandbox) -> None:
    sb.configure(issue_refresh_tokens=False)
    text = str(Browser(sb).refusal())
    assert "no refresh token" in text and "myaccount.google.com/permissions" in text
    assert "crosspost auth youtube kenh-chinh" in text
    assert_no_secret(text)


def test_no_browser_still_shows_the_url_first(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_browser(using: str | None = None) -> webbrowser.BaseBrowser:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", no_browser)
    shown: list[str] = []
    with pytest.raises(UserError, match="no web browser"):
        authorize(
            settings_for(sb.url, token_uri=f"{sb.url}/token"),
            client_id=CLIENT["client_id"],
            client_secret=CLIENT["client_secret"],
            open_browser=True,
            show_url=shown.append,
        )
    assert len(shown) == 1 and shown[0].startswith(f"{sb.url}/o/oauth2/auth?")


def test_a_browser_that_never_answers_times_out(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("crosspost.adapters.youtube.auth.WAIT_SECONDS", 0.2)
    with pytest.raises(UserError, match=r"no answer from the browser in 0\.2 s"):
        authorize(
            settings_for(sb.url, token_uri=f"{sb.url}/token"),
            client_id=CLIENT["client_id"],
            client_secret=CLIENT["client_secret"],
            open_browser=False,
            show_url=lambda url: None,
        )


def test_endpoints_are_googles_unless_token_uri_names_another_server() -> None:
    google = settings_for("", "kenh")
    assert oauth_endpoints(google) == (GOOGLE_AUTH_URI, "https://oauth2.googleapis.com/token")
    local = settings_for("", "kenh", token_uri="http://127.0.0.1:8765/token")
    assert oauth_endpoints(local) == (
        "http://127.0.0.1:8765/o/oauth2/auth",
        "http://127.0.0.1:8765/token",
    )
    with pytest.raises(UserError, match="must be https"):
        oauth_endpoints(settings_for("", "kenh", token_uri="http://sandbox.example:8765/token"))
    facebook = AccountSettings("trang", Platform.FACEBOOK, None, True, {}, {})
    with pytest.raises(UserError, match="not youtube"):
        authorize(facebook, client_id="a", client_secret="b", open_browser=False)


# -- the sandbox's side, raw -------------------------------------------------------------------
def consent_url(sb: Sandbox, **overrides: str) -> str:
    query = {
        "client_id": CLIENT["client_id"],
        "redirect_uri": "http://127.0.0.1:9/cb",
        "response_type": "code",
        "scope": " ".join(SCOPES),
        "state": "st-1",
        "access_type": "offline",
        "prompt": "consent",
        **overrides,
    }
    return f"/o/oauth2/auth?{urlencode({k: v for k, v in query.items() if v})}"


def code_from(sb: Sandbox, **overrides: str) -> str:
    reply = sb.call("GET", consent_url(sb, **overrides))
    assert reply.status == 302, reply.body
    location = urlsplit(reply.headers["Location"])
    assert location.netloc == "127.0.0.1:9" and location.path == "/cb"
    query = parse_qs(location.query)
    assert query["state"] == ["st-1"]
    return query["code"][0]


def exchange(sb: Sandbox, code: str, **overrides: str) -> tuple[int, dict[str, Any]]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://127.0.0.1:9/cb",
        **CLIENT,
        **overrides,
    }
    reply = sb.call("POST", "/token", urlencode(form).encode(), FORM)
    return reply.status, reply.json()


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_id": "someone-else"}, 401, "invalid_client"),
        ({"redirect_uri": "https://evil.example/cb"}, 400, "redirect_uri_mismatch"),
        ({"redirect_uri": ""}, 400, "invalid_request"),
        ({"response_type": "token"}, 400, "unsupported_response_type"),
        ({"scope": "https://www.googleapis.com/auth/drive"}, 400, "invalid_scope"),
        ({"state": ""}, 400, "invalid_request"),
    ],
)
def test_consent_page_errors_are_pages_not_redirects(
    sb: Sandbox, overrides: dict[str, str], status: int, error: str
) -> None:
    reply = sb.call("GET", consent_url(sb, **overrides))
    assert reply.status == status and "Location" not in reply.headers
    assert f"Error {status}: {error}" in reply.body.decode()


def test_codes_are_single_use_and_bound_to_their_redirect_uri(sb: Sandbox) -> None:
    code = code_from(sb)
    status, body = exchange(sb, code, redirect_uri="http://127.0.0.1:10/cb")
    assert (status, body["error"]) == (400, "redirect_uri_mismatch")
    assert exchange(sb, code)[1]["error"] == "invalid_grant"  # used up by the failed try

    code = code_from(sb)
    status, body = exchange(sb, code)
    assert status == 200 and body["refresh_token"] and body["token_type"] == "Bearer"
    assert set(body["scope"].split()) == set(SCOPES)
    assert (
        sb.get("/youtube/v3/channels", body["access_token"], part="id", mine="true").status == 200
    )
    assert sb.token(body["refresh_token"])  # the refresh grant takes it
    # Replayed, the code is refused and what it gave is revoked.
    assert exchange(sb, code)[1]["error"] == "invalid_grant"
    with pytest.raises(AssertionError, match="invalid_grant"):
        sb.token(body["refresh_token"])


def test_exchange_checks_the_client_and_pkce(sb: Sandbox) -> None:
    status, body = exchange(sb, code_from(sb), client_secret=WRONG_SECRET)
    assert (status, body["error"]) == (401, "invalid_client")
    assert_no_secret(str(body))
    challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # RFC 7636 appendix B
    code = code_from(sb, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(sb, code)[1]["error_description"] == "Missing code verifier."
    code = code_from(sb, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(sb, code, code_verifier="x" * 43)[1]["error_description"] == (
        "Invalid code verifier."
    )
    code = code_from(sb, code_challenge=challenge, code_challenge_method="S256")
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert exchange(sb, code, code_verifier=verifier)[0] == 200


def test_refresh_token_only_on_first_offline_consent_or_prompt_consent(sb: Sandbox) -> None:
    first = exchange(sb, code_from(sb, prompt=""))[1]
    again = exchange(sb, code_from(sb, prompt=""))[1]
    asked = exchange(sb, code_from(sb))[1]
    online = exchange(sb, code_from(sb, access_type="online"))[1]
    assert ["refresh_token" in b for b in (first, again, asked, online)] == [
        True,
        False,
        True,
        False,
    ]


def test_a_refresh_token_works_only_for_its_client(sb: Sandbox) -> None:
    refresh = exchange(sb, code_from(sb))[1]["refresh_token"]
    sb.configure(client_id=None, client_secret=None)
    form = {
        "grant_type": "refresh_token",
        "client_id": "another-client",
        "client_secret": "another-secret",
        "refresh_token": refresh,
    }
    reply = sb.call("POST", "/token", urlencode(form).encode(), FORM)
    assert (reply.status, reply.json()["error"]) == (400, "unauthorized_client")
