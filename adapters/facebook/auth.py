"""A Facebook Page access token from a user token (`crosspost auth facebook ACCOUNT`).

The user token (Graph API Explorer, or the app's own login) lasts an hour; exchanged for a
long-lived one first, the Page token read from ``/me/accounts`` with it does not expire (Meta's
"Long-Lived Access Tokens" guide), so the stored credential keeps working. The long-lived user
token is kept too (``user_access_token``): the Resumable Upload API takes only a User access
token. The user must have granted every permission the adapter's calls need
(`access.REQUIRED_PERMISSIONS`), checked with ``GET /me/permissions``; the app secret is stored
so every call can carry its ``appsecret_proof``. Every failure is one
`UserError` line saying what to do; tokens and the app secret travel in query strings here, so
nothing from httpx or Graph is shown unscrubbed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from crosspost.adapters.auth import AuthPrompts
from crosspost.adapters.base import Platform
from crosspost.adapters.facebook.access import (
    APP_SECRET,
    PAGE_TOKEN,
    REQUIRED_PERMISSIONS,
    USER_TOKEN,
    appsecret_proof,
)
from crosspost.adapters.facebook.settings import DEFAULT_BASE_URL, DEFAULT_GRAPH_VERSION
from crosspost.config import AccountSettings
from crosspost.errors import UserError

DEFAULT_TIMEOUT_SECONDS = 30.0
ACCOUNTS_PAGE_SIZE = 100
ACCOUNTS_PAGES_MAX = 50  # 5,000 Pages: far beyond any real user, and never an endless loop
# A Page token can publish only for someone with one of these tasks on the Page.
PUBLISH_TASKS = frozenset({"CREATE_CONTENT", "MANAGE"})
# Graph's codes for a token that is invalid, expired or revoked, and for an app id it rejects.
TOKEN_CODE = 190
APP_ID_CODE = 101
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001})
TOKEN_SUBCODES = {
    458: "the user has not authorised the app",
    459: "the user must log in to Facebook to fix a checkpoint",
    460: "the user's password changed",
    463: "it has expired",
    464: "the user is not confirmed",
    467: "it is invalid",
}
NEW_TOKEN = "get a new user token (Graph API Explorer or the app's login) and run this again"
GRANT_ALL = f"log in again granting the app {', '.join(REQUIRED_PERMISSIONS)}"


def run(
    account: AccountSettings, options: Mapping[str, Any], prompts: AuthPrompts
) -> dict[str, str]:
    """`crosspost auth facebook ACCOUNT` (the options its `AuthCommand` declares)."""
    chosen_app = options.get("app_id") or account.settings.get("app_id")
    if not chosen_app:
        raise UserError(f"give --app-id, or set app_id in [accounts.{account.name}]")
    return authorize(
        account,
        app_id=str(chosen_app),
        app_secret=str(options["app_secret"]),
        user_token=str(options["user_token"]),
    )


def authorize(
    account: AccountSettings, *, app_id: str, app_secret: str, user_token: str
) -> dict[str, str]:
    """Exchange `user_token` for a long-lived one, then return the Page token of the account's
    Page (``page_access_token``), which from a long-lived user token does not expire."""
    if account.platform != Platform.FACEBOOK:
        raise UserError(f"account {account.name!r} is a {account.platform} account, not facebook")
    page_id = str(account.settings.get("page_id") or "").strip()
    if not page_id:
        raise UserError(f"account {account.name!r} has no page_id setting: add the Page's id")
    for name, value in (("app id", app_id), ("app secret", app_secret), ("user token", user_token)):
        if not str(value).strip():
            raise UserError(f"facebook: the {name} is empty")
    configured = str(account.settings.get("app_id") or "").strip()
    if configured and configured != str(app_id).strip():
        # Videos upload through /{app_id}/uploads with the Page token: both must be one app's.
        raise UserError(
            f"facebook: account {account.name!r} has app_id {configured} but the app id given is "
            f"{str(app_id).strip()}: use the app the account is set up with, or fix app_id"
        )
    with _Graph(account, secrets=(app_secret, user_token), app_secret=app_secret) as graph:
        long_lived = graph.exchange(str(app_id).strip(), app_secret.strip(), user_token.strip())
        graph.check_permissions(long_lived)
        page = graph.find_page(long_lived, page_id)
    token = page.get("access_token")
    name = _label(page)
    if not isinstance(token, str) or not token:
        raise UserError(
            f"facebook: /me/accounts gave no Page token for {name}: {GRANT_ALL} for this Page, "
            "then run this again"
        )
    tasks = page.get("tasks")
    if isinstance(tasks, list) and not PUBLISH_TASKS & {str(t) for t in tasks}:
        held = ", ".join(str(t) for t in tasks) or "none"
        raise UserError(
            f"facebook: your role on {name} cannot publish (tasks: {held}); a Page admin must "
            "give you content (CREATE_CONTENT) or full (MANAGE) access, then run this again"
        )
    return {PAGE_TOKEN: token, USER_TOKEN: long_lived, APP_SECRET: app_secret.strip()}


def _label(page: Mapping[str, Any]) -> str:
    name = page.get("name")
    return f"Page {page.get('id')} ({name})" if name else f"Page {page.get('id')}"


class _Graph:
    """The two Graph calls, on one httpx client, with every message scrubbed of secrets."""

    def __init__(
        self, account: AccountSettings, secrets: Iterable[str], app_secret: str = ""
    ) -> None:
        settings = account.settings
        self.app_secret = app_secret.strip()
        self.account = account.name
        self.base_url = str(settings.get("base_url") or DEFAULT_BASE_URL).rstrip("/")
        self.version = str(settings.get("graph_version") or DEFAULT_GRAPH_VERSION).strip("/")
        timeout = float(settings.get("timeout_seconds") or DEFAULT_TIMEOUT_SECONDS)
        self.secrets = {s.strip() for s in secrets if s.strip()}
        self.client = httpx.Client(timeout=timeout, headers={"User-Agent": "crosspost"})

    def __enter__(self) -> _Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def scrub(self, text: str) -> str:
        """`text` without any secret this run has seen: Graph quotes tokens back at times."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    # -- the flow ----------------------------------------------------------------------------
    def exchange(self, app_id: str, app_secret: str, user_token: str) -> str:
        params = {
            "grant_type": "fb_exchange_token",
            "client_id": app_id,
            "client_secret": app_secret,
            "fb_exchange_token": user_token,
        }
        body = self.get("oauth/access_token", params, step="exchanging the user token")
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise UserError(
                f"facebook: {self.base_url} answered the token exchange without an access_token: "
                "check the base_url setting"
            )
        self.secrets.add(token)
        return token

    def check_permissions(self, user_token: str) -> None:
        """Every permission the adapter's calls need is granted (``GET /me/permissions``:
        developers.facebook.com/docs/graph-api/reference/user/permissions), else one line
        naming the missing ones."""
        headers = {"Authorization": f"Bearer {user_token}"}
        body = self.get(
            "me/permissions", {}, step="reading the granted permissions", headers=headers
        )
        data = body.get("data")
        rows = [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []
        granted = {str(r.get("permission")) for r in rows if r.get("status") == "granted"}
        missing = [p for p in REQUIRED_PERMISSIONS if p not in granted]
        if missing:
            raise UserError(
                f"facebook: the user token does not grant {', '.join(missing)} (crosspost needs "
                f"all of {', '.join(REQUIRED_PERMISSIONS)}: posting, videos and reading the "
                f"Page's posts): {GRANT_ALL}, then run this again"
            )

    def find_page(self, user_token: str, page_id: str) -> dict[str, Any]:
        """The account's Page among the user's Pages, following `after` cursors."""
        params = {"fields": "id,name,access_token,tasks", "limit": str(ACCOUNTS_PAGE_SIZE)}
        headers = {"Authorization": f"Bearer {user_token}"}
        seen: list[dict[str, Any]] = []
        for _ in range(ACCOUNTS_PAGES_MAX):
            body = self.get("me/accounts", params, step="listing your Pages", headers=headers)
            data = body.get("data")
            pages = [p for p in data if isinstance(p, dict)] if isinstance(data, list) else []
            for page in pages:
                if isinstance(page.get("access_token"), str):
                    self.secrets.add(page["access_token"])
                if str(page.get("id")) == page_id:
                    return page
            seen.extend(pages)
            paging = body.get("paging")
            paging = paging if isinstance(paging, dict) else {}
            cursors = paging.get("cursors")
            after = cursors.get("after") if isinstance(cursors, dict) else None
            if not pages or not paging.get("next") or not after:
                break
            params = {**params, "after": str(after)}
        raise UserError(f"facebook: {self._not_managed(page_id, seen)}")

    def _not_managed(self, page_id: str, seen: list[dict[str, Any]]) -> str:
        if not seen:
            found = "the token lists no Pages"
        else:
            shown = ", ".join(_label(p) for p in seen[:5])
            more = f" and {len(seen) - 5} more" if len(seen) > 5 else ""
            found = f"it lists {shown}{more}"
        return (
            f"Page {page_id} (account {self.account!r}, setting page_id) is not among the Pages "
            f"this user manages ({found}): log in as someone with a role on that Page and grant "
            f"the app access to it ({', '.join(REQUIRED_PERMISSIONS)}), or fix page_id"
        )

    # -- HTTP and errors ---------------------------------------------------------------------
    def get(
        self,
        path: str,
        params: Mapping[str, str],
        *,
        step: str,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """One GET; any failure leaves as a scrubbed UserError, raised outside every `except`
        so no httpx exception (whose URL holds the secrets) is chained to it."""
        url = f"{self.base_url}/{self.version}/{path}"
        bearer = (headers or {}).get("Authorization", "").removeprefix("Bearer ")
        if bearer and self.app_secret:
            proof = appsecret_proof(bearer, self.app_secret)
            self.secrets.add(proof)
            params = {**params, "appsecret_proof": proof}
        outcome = self._send(url, params, headers, step)
        if isinstance(outcome, UserError):
            raise outcome
        try:
            body = outcome.json()
        except ValueError:
            body = None
        if outcome.is_success and isinstance(body, dict) and "error" not in body:
            return body
        raise self._graph_error(outcome, body, path, step)

    def _send(
        self, url: str, params: Mapping[str, str], headers: Mapping[str, str] | None, step: str
    ) -> httpx.Response | UserError:
        try:
            return self.client.get(url, params=params, headers=headers)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            detail = self.scrub(str(exc))
            return UserError(f"facebook: bad base_url setting {self.base_url!r} ({detail})")
        except httpx.HTTPError as exc:
            detail = self.scrub(f"{type(exc).__name__}: {exc}")
            return UserError(
                f"facebook: {step} failed, no answer from {self.base_url} ({detail}): check the "
                "network and the base_url setting, then run this again"
            )

    def _graph_error(self, response: httpx.Response, body: Any, path: str, step: str) -> UserError:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return UserError(
                f"facebook: {step} failed: {self.base_url} answered HTTP {response.status_code} "
                "without a Graph error: check the base_url and graph_version settings"
            )
        try:
            code = int(error.get("code") or 0)
        except (TypeError, ValueError):
            code = 0
        try:
            subcode = int(error.get("error_subcode") or 0)
        except (TypeError, ValueError):
            subcode = 0
        message = self.scrub(str(error.get("message") or response.reason_phrase))
        cited = f"Graph: {message} (code {code}/{subcode})" if subcode else ""
        cited = cited or f"Graph: {message} (code {code})"
        if code == TOKEN_CODE:
            why = TOKEN_SUBCODES.get(subcode, "it is invalid, expired or revoked")
            return UserError(f"facebook: the user token was refused, {why} ({cited}): {NEW_TOKEN}")
        if path.startswith("oauth/") and (
            code == APP_ID_CODE or "client secret" in message.lower()
        ):
            return UserError(
                f"facebook: Graph refused the app id or app secret ({cited}): copy both from "
                "the app's Settings > Basic in the Meta developer dashboard and run this again"
            )
        if code == 100 and path == "me/accounts":
            return UserError(
                f"facebook: the token is not a user token ({cited}): {NEW_TOKEN}, using a user "
                "token, not a Page token"
            )
        if code == 10 or 200 <= code <= 299:
            return UserError(
                f"facebook: {step} was not permitted ({cited}): {GRANT_ALL}, then run this again"
            )
        if code in RATE_LIMIT_CODES:
            return UserError(f"facebook: Graph is rate limiting ({cited}): wait, then run again")
        return UserError(f"facebook: {step} failed ({cited}): run this again later")
