"""The Graph API's Page publishing surface, as the Facebook adapter uses it.

Served under any version prefix (``/v26.0/...``). It checks what Graph checks (a token, a known
Page or app, required fields, upload offsets), answers in Graph's shapes and error body, and puts
``X-App-Usage`` / ``X-Business-Use-Case-Usage`` on every answer so pacing code has real input.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from crosspost.sandbox.api import PlatformAPI, Route, SandboxContext
from crosspost.sandbox.facebook.errors import REFUSAL_MESSAGES, GraphError, error_response
from crosspost.sandbox.facebook.limits import RATE_LIMIT_MESSAGES, Usage
from crosspost.sandbox.facebook.oauth import GraphTokens
from crosspost.sandbox.facebook.posts import PagePosts
from crosspost.sandbox.facebook.reels import PageReels
from crosspost.sandbox.facebook.settings import CLOCK_OPTION, check_options
from crosspost.sandbox.facebook.state import Page
from crosspost.sandbox.facebook.uploads import ResumableUploads
from crosspost.sandbox.faults import Fault
from crosspost.sandbox.http import Request, Response

V = r"/v\d+\.\d+"
NODE = r"/(?P<node>[^/:]+)"


class FacebookApi(PlatformAPI):
    """The Graph API Page endpoints, stateful, with Graph's errors and usage headers."""

    name = "facebook"

    def __init__(self, ctx: SandboxContext) -> None:
        super().__init__(ctx)
        self.page = Page(ctx)
        self.usage = Usage()
        self.tokens = GraphTokens(ctx, self.page)
        self.posts = PagePosts(ctx, self.page, self.tokens)
        self.uploads = ResumableUploads(ctx, self.page, self.tokens)
        self.reels = PageReels(ctx, self.page, self.tokens)
        self._traces = itertools.count(1)

    def routes(self) -> list[Route]:
        def r(method: str, path: str, handler: Callable[[Request], Response], action: str) -> Route:
            return Route.make(method, V + path, self._api(handler), action)

        tokens, posts, uploads, reels = self.tokens, self.posts, self.uploads, self.reels
        # Specific paths first: the generic object read matches anything.
        return [
            # rupload.facebook.com's reel upload, served under the sandbox's own base URL.
            Route.make(
                "POST",
                "/video-upload" + V + r"/(?P<vid>\d+)",
                self._api(reels.upload),
                "reel_upload",
            ),
            r("GET", "/oauth/access_token", tokens.token_exchange, "token_exchange"),
            r("GET", "/me/accounts", tokens.me_accounts, "me_accounts"),
            r("GET", "/me/permissions", tokens.me_permissions, "me_permissions"),
            r("GET", "/debug_token", tokens.debug_token, "debug_token"),
            r("GET", "/me", tokens.me, "me"),
            r("POST", r"/(?P<app>[^/:]+)/uploads", uploads.start, "upload_start"),
            r("POST", r"/upload:(?P<sid>[^/]+)", uploads.chunk, "upload_chunk"),
            r("GET", r"/upload:(?P<sid>[^/]+)", uploads.status, "upload_status"),
            r("POST", NODE + "/feed", posts.create_post, "create_post"),
            r("GET", NODE + "/feed", posts.read_feed, "read_feed"),
            r("POST", NODE + "/photos", posts.upload_photo, "upload_photo"),
            r("POST", NODE + "/videos", uploads.create_video, "create_video"),
            r("GET", NODE + "/videos", posts.read_videos, "read_videos"),
            r("POST", NODE + "/video_reels", reels.phase, "reel_phase"),
            r("GET", NODE + "/video_reels", posts.read_reels, "read_reels"),
            r("GET", NODE, posts.read_object, "read_object"),
        ]

    def _api(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """Wrap a handler: Graph errors become error bodies; every answer gets usage headers."""

        def run(request: Request) -> Response:
            with self.ctx.lock:
                self.usage.count_call(self.ctx.now())
            try:
                response = handler(request)
            except GraphError as err:
                return self._error(err)
            response.headers.update(self._usage_headers())
            return response

        return run

    def _usage_headers(self, regain_minutes: int | None = None) -> dict[str, str]:
        with self.ctx.lock:
            budget: int = self.page.config["usage_call_budget"]
            return self.usage.headers(self.page.id, budget, regain_minutes)

    def _error(self, err: GraphError, regain_minutes: int | None = None) -> Response:
        return error_response(err, self._trace_id(), self._usage_headers(regain_minutes))

    def _trace_id(self) -> str:
        raw = hashlib.sha256(f"trace-{next(self._traces)}".encode()).digest()[:9]
        return base64.b64encode(raw).decode("ascii")

    def fault_response(self, fault: Fault, request: Request, route: Route) -> Response:
        if fault.kind == "429":
            code = int(self.page.config["rate_limit_code"])
            minutes = max(0, math.ceil(fault.retry_after / 60))
            err = GraphError(
                RATE_LIMIT_MESSAGES[code],
                code,
                status=int(self.page.config["rate_limit_status"]),
                transient=code == 4,
            )
            return self._error(err, regain_minutes=minutes)
        if fault.kind == "5xx":
            err = GraphError(
                "An unexpected error has occurred. Please retry your request later.",
                2,
                status=500,
                transient=True,
            )
        elif fault.kind == "expired":
            err = GraphError(
                "Error validating access token: Session has expired on "
                f"{datetime.now(UTC).strftime('%A, %d-%b-%y %H:%M:%S')} PST.",
                190,
                subcode=463,
            )
        else:
            code = int(self.page.config["permanent_code"])
            err = GraphError(REFUSAL_MESSAGES[code], code, status=403 if code == 10 else 400)
        return self._error(err)

    def snapshot(self) -> dict[str, Any]:
        with self.ctx.lock:
            return {
                "page": {"id": self.page.id, "name": self.page.config["page_name"]},
                "posts": [dict(p) for p in self.page.posts],
                "photos": [dict(p) for p in self.page.photos],
                "videos": [dict(v) for v in self.page.videos],
                "reels": [dict(r) for r in self.page.reels],
                "reel_uploads": [u.describe() for u in self.reels.sessions.values()],
                "uploads": [u.describe() for u in self.uploads.sessions.values()],
                # What was issued, never the token values.
                "long_lived_tokens": len(self.page.long_lived),
                "page_tokens": [dict(t) for t in self.page.page_tokens.values()],
            }

    def reset(self) -> None:
        with self.ctx.lock:
            self.page.reset()
            self.uploads.reset()
            self.reels.reset()
            self.usage = Usage()

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        """The knobs (settings.py); `clock_offset_seconds` moves the sandbox's shared clock to
        that offset (forward only), so every platform's tokens see the same time."""
        check_options(options)
        settings = {k: v for k, v in options.items() if k != CLOCK_OPTION}
        with self.ctx.lock:
            if CLOCK_OPTION in options:
                ahead = float(options[CLOCK_OPTION]) - self.ctx.clock.offset
                if ahead < 0:
                    raise ValueError(
                        f"facebook sandbox: the sandbox clock is already "
                        f"{self.ctx.clock.offset:.0f} s ahead and moves forward only"
                    )
                self.ctx.clock.advance(ahead)
            self.page.config.update(settings)
            return {**self.page.config, CLOCK_OPTION: self.ctx.clock.offset}
