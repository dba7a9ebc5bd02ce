"""An OAuth 2.0 user token that stays valid: refreshed before it expires and after a 401, the
rotated pair written back to the account's store under its lock.

X's refresh tokens are single-use (rotation), and several workers, each with an adapter per
thread, share one account. So a refresh happens only under the store's exclusive lock, after
reading the store again: a worker that finds the pair already rotated by another (a token it
has not been refused, not about to expire) takes that pair instead of refreshing. Only one
holder at a time ever spends the refresh token in force, and its successor is on disk before
the lock is released. The account pauses (AuthenticationError) only when X refuses the refresh
itself; X unreachable is a RetryableError (nothing was sent to the API).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from requests.auth import AuthBase

from crosspost.adapters.auth import CredentialStore
from crosspost.adapters.failures import AuthenticationError, RetryableError
from crosspost.adapters.x import oauth2
from crosspost.adapters.x.oauth2 import (
    ACCESS,
    EXPIRES_AT,
    REFRESH,
    TokenEndpoint,
    TokenRefused,
    TokenUnavailable,
    expiry_text,
    parse_expiry,
)
from crosspost.errors import UserError

log = logging.getLogger("crosspost.adapters.x.oauth2")
REFRESH_MARGIN = timedelta(minutes=5)  # refresh this long before the token's end
RENEWALS_PER_REQUEST = 3  # a 401: take another worker's pair, then refresh, then give up


@dataclass(frozen=True)
class Pair:
    """The access token in use, its refresh token and when the access token ends (UTC)."""

    access: str
    refresh: str
    expires_at: datetime

    @classmethod
    def of(cls, values: Mapping[str, str], account: str) -> Pair:
        access, refresh = values.get(ACCESS), values.get(REFRESH)
        if not access or not refresh:
            raise AuthenticationError(
                f"x: account {account!r} has no OAuth 2.0 {ACCESS} and {REFRESH} stored; run "
                f"`crosspost auth x {account} --oauth2`"
            )
        # No expiry stored: treat the token as due, so the first use refreshes it.
        expires = parse_expiry(values.get(EXPIRES_AT)) or datetime.fromtimestamp(0, UTC)
        return cls(str(access), str(refresh), expires)

    def values(self) -> dict[str, str]:
        return {
            ACCESS: self.access,
            REFRESH: self.refresh,
            EXPIRES_AT: expiry_text(self.expires_at),
        }


class TokenKeeper:
    """One adapter's view of the account's token pair; `token()` before each request,
    `after_unauthorized()` when X answered 401 to one."""

    def __init__(
        self,
        account: str,
        initial: Mapping[str, str],
        store: CredentialStore | None,
        endpoint: TokenEndpoint,
        *,
        on_new_secrets: Callable[[Iterable[str]], None] = lambda values: None,
        clock: Callable[[], datetime] | None = None,
        margin: timedelta = REFRESH_MARGIN,
    ) -> None:
        self.account = account
        self.store = store
        self.endpoint = endpoint
        self.on_new_secrets = on_new_secrets
        self.clock = clock
        self.margin = margin
        self._pair = Pair.of(initial, account)
        self._lock = threading.Lock()
        self.refreshes = 0  # refreshes this keeper made (others' pairs taken are not counted)

    def __repr__(self) -> str:
        return f"TokenKeeper(account={self.account!r})"

    def token(self) -> str:
        """The access token to send: renewed first when it ends within the margin."""
        with self._lock:
            if self._due(self._pair):
                self._renew(rejected=self._pair.access)
            return self._pair.access

    def after_unauthorized(self, rejected: str) -> str | None:
        """X refused `rejected` (401): the token to try instead, or None when there is none
        other than the one refused."""
        with self._lock:
            if self._pair.access != rejected:
                return self._pair.access  # renewed meanwhile
            self._renew(rejected=rejected)
            return self._pair.access if self._pair.access != rejected else None

    def _due(self, pair: Pair) -> bool:
        now = self.clock() if self.clock else oauth2.utc_now()
        return pair.expires_at - self.margin <= now

    def _renew(self, rejected: str) -> None:
        """Under the store's lock: take a pair another worker stored, or refresh and store."""
        store = self.store
        if store is None:
            raise AuthenticationError(
                f"x: account {self.account!r} has no secrets file to keep its rotated OAuth 2.0 "
                f'tokens in; its credentials must be stored as "secrets"'
            )
        try:
            with store.locked():
                stored = Pair.of(store.read(), self.account)
                if stored.access != rejected and not self._due(stored):
                    self._pair = stored  # another worker rotated it already: use theirs
                    self.on_new_secrets([stored.access, stored.refresh])
                    log.info(
                        "x: account %s: took the OAuth 2.0 token another holder refreshed",
                        self.account,
                    )
                    return
                self._pair = self._refreshed(stored)
                store.write(self._pair.values())
                log.info(
                    "x: account %s: OAuth 2.0 token refreshed, valid until %s",
                    self.account,
                    expiry_text(self._pair.expires_at),
                )
        except OSError as exc:  # the lock or the file: the pair (if new) is kept in memory
            raise RetryableError(
                f"x: cannot write the account's rotated token ({exc.strerror or exc}); check "
                f"the secrets file's folder"
            ) from None
        except UserError as exc:  # the secrets file cannot be used (mode, TOML): pause
            raise AuthenticationError(str(exc)) from None

    def _refreshed(self, stored: Pair) -> Pair:
        try:
            tokens = self.endpoint.refresh(stored.refresh)
        except TokenRefused as exc:
            raise AuthenticationError(
                f"x: X refused to refresh the account's OAuth 2.0 token ({exc}); run "
                f"`crosspost auth x {self.account} --oauth2`",
                http_status=exc.status,
                platform_code=exc.error,
            ) from None
        except TokenUnavailable as exc:
            raise RetryableError(f"x: cannot refresh the OAuth 2.0 token now ({exc})") from None
        self.refreshes += 1
        pair = Pair(tokens.access_token, tokens.refresh_token or stored.refresh, tokens.expires_at)
        self.on_new_secrets([pair.access, pair.refresh])
        return pair


class RefreshingBearerAuth(AuthBase):
    """OAuth 2.0 user context on a `requests` session: the keeper's token on every request;
    after a 401 the request is sent again with a renewed token (X authenticates before it acts,
    so a 401 left nothing behind to double)."""

    def __init__(self, keeper: TokenKeeper) -> None:
        self.keeper = keeper

    def __repr__(self) -> str:
        return "RefreshingBearerAuth('***')"

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = f"Bearer {self.keeper.token()}"
        request.register_hook("response", self._after)
        return request

    def _after(self, response: Any, **kwargs: Any) -> Any:
        for _ in range(RENEWALS_PER_REQUEST):
            if response.status_code != 401:
                break
            sent = str(response.request.headers.get("Authorization", "")).removeprefix("Bearer ")
            fresh = self.keeper.after_unauthorized(sent)
            if fresh is None:
                break
            _ = response.content  # read it, so the connection goes back to the pool
            response.close()
            again = response.request.copy()
            again.headers["Authorization"] = f"Bearer {fresh}"
            answer = response.connection.send(again, **kwargs)
            answer.history.append(response)
            answer.request = again
            response = answer
        return response
