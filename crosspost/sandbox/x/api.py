"""X API v2 in the sandbox: posts, the v2 chunked media upload, the reads reconciliation uses,
the OAuth 1.0a PIN flow and the OAuth 2.0 PKCE flow, on X's user-context auth (scopes checked
for OAuth 2.0 user tokens) and rate-limit windows.

Failures are Problem objects (see problems.py); every API answer carries X's rate-limit headers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crosspost.sandbox.api import PlatformAPI, Route, SandboxContext
from crosspost.sandbox.errors import Refusal
from crosspost.sandbox.faults import Fault
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.settings import shown_settings
from crosspost.sandbox.x.limits import ACTION_GROUP, RateWindows
from crosspost.sandbox.x.media import XMedia
from crosspost.sandbox.x.oauth import XOAuth
from crosspost.sandbox.x.posts import XPosts, iso
from crosspost.sandbox.x.problems import (
    forbidden,
    invalid,
    problem,
    too_many_requests,
    unauthorized,
)
from crosspost.sandbox.x.settings import check_options
from crosspost.sandbox.x.state import User, XState

UserHandler = Callable[[Request, User], Response]


class XApi(PlatformAPI):
    """The X API v2 endpoints crosspost uses, with X's checks and X's error shapes."""

    name = "x"

    def __init__(self, ctx: SandboxContext) -> None:
        super().__init__(ctx)
        self.state = XState()
        self.oauth = XOAuth(ctx, self.state)
        self.limits = RateWindows(self.state.settings)
        self.posts = XPosts(ctx, self.state)
        self.media = XMedia(ctx, self.state)

    def routes(self) -> list[Route]:
        media = r"/2/media/upload/(?P<id>[^/]+)"
        posts, uploads = self.posts, self.media
        endpoints: list[tuple[str, str, UserHandler, str]] = [
            ("POST", "/2/tweets", posts.create_tweet, "tweets.create"),
            ("GET", r"/2/tweets/(?P<id>[^/]+)", posts.get_tweet, "tweets.get"),
            ("GET", "/2/users/me", posts.users_me, "users.me"),
            ("GET", r"/2/users/(?P<id>[^/]+)/tweets", posts.timeline, "users.tweets"),
            ("POST", "/2/media/upload/initialize", uploads.initialize, "media.initialize"),
            ("POST", media + "/append", uploads.append, "media.append"),
            ("POST", media + "/finalize", uploads.finalize, "media.finalize"),
            ("GET", "/2/media/upload", uploads.status, "media.status"),
        ]
        return self.oauth.routes() + [
            Route.make(method, path, self._api(action, handler), action)
            for method, path, handler, action in endpoints
        ]

    def _api(self, action: str, handler: UserHandler) -> Callable[[Request], Response]:
        """Wrap a handler: user-context auth, the rate-limit window and its headers."""
        group = ACTION_GROUP[action]

        def run(request: Request) -> Response:
            with self.ctx.lock:
                user = self.oauth.user_for(request)
                headers, allowed = self.limits.charge(
                    user.id if user else "-", group, self.ctx.now()
                )
                missing = self._missing_scopes(request, action) if user is not None else None
            if user is None:
                response = unauthorized()
            elif not allowed:
                response = too_many_requests()
            elif missing:
                response = forbidden("Forbidden").response  # oauth2.py: X's body for a scope
            else:
                try:
                    response = handler(request, user)
                except Refusal as refusal:
                    response = refusal.response
            response.headers.update(headers)
            return response

        return run

    def _missing_scopes(self, request: Request, action: str) -> frozenset[str]:
        """The scopes an OAuth 2.0 user token of the PKCE flow lacks for `action` (the spec's
        `security`); other credentials are not scoped."""
        token = request.bearer_token()
        grant = self.oauth.oauth2.grant_for(token) if token else None
        return self.oauth.oauth2.missing_scopes(grant, action) if grant else frozenset()

    def fault_response(self, fault: Fault, request: Request, route: Route) -> Response:
        group = ACTION_GROUP.get(route.action, route.action)
        with self.ctx.lock:
            user = self.oauth.user_for(request)
            headers = self.limits.peek(user.id if user else "-", group, self.ctx.now())
        if fault.kind == "429":
            headers["x-rate-limit-remaining"] = "0"
            headers["x-rate-limit-reset"] = str(int(self.ctx.now()) + fault.retry_after)
            response = too_many_requests()
        elif fault.kind == "expired":
            response = unauthorized()
        elif fault.kind == "permanent":
            response = invalid("The request was refused (sandbox permanent fault).").response
        else:
            response = problem(503, "Service Unavailable", "Service Unavailable")
        response.headers.update(headers)
        return response

    def snapshot(self) -> dict[str, Any]:
        with self.ctx.lock:
            return {
                "tweets": [
                    {
                        "id": t.id,
                        "text": t.text,
                        "media_ids": list(t.media_ids),
                        "in_reply_to": t.in_reply_to,
                        "created_at": iso(t.created_at),
                        "author_id": t.author_id,
                    }
                    for t in self.state.tweets.values()
                ],
                "media": [
                    {
                        "id": m.id,
                        "media_key": m.media_key,
                        "media_type": m.media_type,
                        "media_category": m.media_category,
                        "total_bytes": m.total_bytes,
                        "bytes_received": m.received,
                        "segments": m.chunks,
                        "state": m.state,
                        "sha256": m.body.sha256,
                        "owner_id": m.owner_id,
                    }
                    for m in self.state.media.values()
                ],
                "users": [{"id": u.id, "username": u.username} for u in self.state.users.values()],
                "access_tokens_issued": self.oauth.access_tokens_issued,
                "oauth2": dict(self.oauth.oauth2.counts),
            }

    def reset(self) -> None:
        with self.ctx.lock:
            self.state.reset()
            self.limits.clear()
            self.oauth.reset()

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        """Knobs as in settings.check_options; the consumer secret is shown only as set or not."""
        check_options(options)
        with self.ctx.lock:
            self.state.settings.update(options)
            shown = shown_settings(self.state.settings, "consumer_secret")
            return shown_settings(shown, "oauth2_client_secret")
