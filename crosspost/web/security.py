"""Sessions, CSRF tokens, login throttling and the headers every response carries.

Sessions live in this process's memory (one `crosspost web` process serves the workspace; a
restart signs everyone out). The cookie holds only a random token; the server keeps who it
belongs to and its CSRF token. Signing in always starts a new session (the token a visitor had
before is dropped), so a token planted before login is worth nothing after it.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

COOKIE = "crosspost_session"
CSRF_FIELD = "csrf"
ANONYMOUS_IDLE_SECONDS = 30 * 60
SIGNED_IN_IDLE_SECONDS = 8 * 60 * 60
MAX_SESSIONS = 20_000  # the oldest are dropped first: visitors cannot fill the memory
# Sessions nobody has signed in to (a visitor's login form) are capped on their own and dropped
# oldest first, so a flood of visitors can never push a signed-in user out.
MAX_ANONYMOUS = 10_000

# No inline script or style anywhere: every page uses /static files only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass
class WebSession:
    token: str
    csrf: str
    last_seen: float
    user_id: int | None = None
    user_name: str | None = None
    signed_in_at: datetime | None = None
    language: str = "vi"  # the workspace's language for this browser (texts.LANGUAGES)

    def csrf_matches(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf, str(given))


@dataclass
class SessionStore:
    """Server-side sessions keyed by their random token."""

    sessions: OrderedDict[str, WebSession] = field(default_factory=OrderedDict)
    anonymous: OrderedDict[str, None] = field(default_factory=OrderedDict)  # their tokens
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, token: str | None) -> WebSession | None:
        if not token:
            return None
        with self.lock:
            found = self.sessions.get(token)
            if found is None:
                return None
            idle = SIGNED_IN_IDLE_SECONDS if found.user_id else ANONYMOUS_IDLE_SECONDS
            now = time.monotonic()
            if now - found.last_seen > idle:
                del self.sessions[token]
                self.anonymous.pop(token, None)
                return None
            found.last_seen = now
            self.sessions.move_to_end(token)
            if token in self.anonymous:
                self.anonymous.move_to_end(token)
            return found

    def new(self) -> WebSession:
        created = WebSession(
            token=secrets.token_urlsafe(32),
            csrf=secrets.token_urlsafe(32),
            last_seen=time.monotonic(),
        )
        with self.lock:
            self.sessions[created.token] = created
            self.anonymous[created.token] = None
            while len(self.anonymous) > MAX_ANONYMOUS:
                oldest, _ = self.anonymous.popitem(last=False)
                self.sessions.pop(oldest, None)
            while len(self.sessions) > MAX_SESSIONS:  # only signed-in sessions are left to drop
                dropped, _ = self.sessions.popitem(last=False)
                self.anonymous.pop(dropped, None)
        return created

    def end(self, token: str | None) -> None:
        with self.lock:
            self.sessions.pop(token or "", None)
            self.anonymous.pop(token or "", None)

    def sign_in(self, old: WebSession | None, user_id: int, user_name: str) -> WebSession:
        """A fresh session (new token, new CSRF token) for the user; the old one ends."""
        from crosspost.timeutil import utcnow

        if old is not None:
            self.end(old.token)
        fresh = self.new()
        fresh.user_id, fresh.user_name, fresh.signed_in_at = user_id, user_name, utcnow()
        with self.lock:
            self.anonymous.pop(fresh.token, None)
        if old is not None:
            fresh.language = old.language  # chosen on the sign-in form: it stays
        return fresh


@dataclass(frozen=True)
class Limit:
    failures: int
    window_seconds: float


ACCOUNT_LIMIT = Limit(failures=5, window_seconds=15 * 60)
ADDRESS_LIMIT = Limit(failures=20, window_seconds=15 * 60)


@dataclass
class LoginThrottle:
    """Failed sign-ins counted per account name and per client address in a sliding window;
    past the limit, every try is refused (even a right password) until the window clears."""

    account: Limit = ACCOUNT_LIMIT
    address: Limit = ADDRESS_LIMIT
    failures: dict[str, deque[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _keys(self, name: str, address: str) -> list[tuple[str, Limit]]:
        return [(f"name:{name.strip().lower()}", self.account), (f"addr:{address}", self.address)]

    def wait_seconds(self, name: str, address: str, now: float | None = None) -> float:
        """How long this name or address must wait before trying again (0: it may try)."""
        now = time.monotonic() if now is None else now
        wait = 0.0
        with self.lock:
            for key, limit in self._keys(name, address):
                seen = self.failures.get(key)
                if not seen:
                    continue
                while seen and now - seen[0] > limit.window_seconds:
                    seen.popleft()
                if len(seen) >= limit.failures:
                    wait = max(wait, limit.window_seconds - (now - seen[0]))
        return wait

    def failed(self, name: str, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self.lock:
            for key, _limit in self._keys(name, address):
                self.failures.setdefault(key, deque()).append(now)

    def succeeded(self, name: str) -> None:
        """A right password clears the name's count (the address keeps its own)."""
        with self.lock:
            self.failures.pop(f"name:{name.strip().lower()}", None)
