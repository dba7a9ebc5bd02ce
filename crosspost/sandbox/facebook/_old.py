"""The Graph API's Page publishing surface, as the Facebook adapter uses it.

Served under any version prefix (``/v26.0/...``). It checks what Graph checks (a token, a known
Page or app, required fields, upload offsets), answers in Graph's shapes and error body, and puts
``X-App-Usage`` / ``X-Business-Use-Case-Usage`` on every answer so pacing code has real input.

Video goes through the Resumable Upload API (``/{app-id}/uploads`` → ``/upload:…`` chunks with a
``file_offset`` header → ``/{page-id}/videos`` with ``fbuploader_video_file_chunk``, the parameter
Meta's "Publish with the Video API" guide names). Upload bodies are streamed: counted and hashed,
never held.

Getting a Page token (``crosspost auth facebook``): ``GET /oauth/access_token`` with the
``fb_exchange_token`` grant turns a user token into a long-lived one (checking the app id and
secret), and ``GET /me/accounts`` lists the user's Pages with a Page token each; those Page
tokens are accepted by the Page routes even when the ``tokens`` knob restricts them. ``GET /me``
with a user token answers with the user, as Graph does, so a client that keeps the user token
by mistake is caught.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from crosspost.sandbox.api import PlatformAPI, Route, SandboxContext
from crosspost.sandbox.faults import Fault
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.uploads import Received

V = r"/v\d+\.\d+"
NODE = r"/(?P<node>[^/:]+)"
RATE_LIMIT_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try "
    "again. For more info, please refer to "
    "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
}
RATE_LIMIT_CODES = tuple(RATE_LIMIT_MESSAGES)
REFUSAL_MESSAGES = {
    100: "(#100) Invalid parameter",
    10: "(#10) Application does not have permission for this action",
    200: "(#200) Permissions error",
    368: "The action attempted has been deemed abusive or is otherwise disallowed",
}
# A long-lived user token's lifetime, as Meta's "Long-Lived Access Tokens" sample answers.
LONG_LIVED_SECONDS = 5_183_944
SANDBOX_USER = {"id": "100000000000042", "name": "Nguyễn Văn Thử"}
# The tasks a full-control Page admin has (Graph's `tasks` on /me/accounts).
ADMIN_TASKS = ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"]
# The file types the Resumable Upload API documents (Meta, "Upload a file").
UPLOAD_FILE_TYPES = ("application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4")

DEFAULT_CONFIG: dict[str, Any] = {
    "page_id": "109876543210987",
    "page_name": "Tạp chí Thử nghiệm",
    "app_id": "987654321098765",
    # None accepts any non-empty token; a list accepts only those (others get code 190).
    "tokens": None,
    # Page tokens hit Business Use Case limits (80001); user tokens hit 32. Graph answers
    # throttling with 400 (seen for 32) or 403 (seen for 4): both are configurable.
    "rate_limit_code": 80001,
    "rate_limit_status": 400,
    # The Graph code a `permanent` fault answers with: 100 invalid parameter, 10 or 200
    # permissions, 368 temporarily blocked for abuse.
    "permanent_code": 100,
    # Calls per hour that make call_count reach 100 in the usage headers.
    "usage_call_budget": 4800,
    # The app secret GET /oauth/access_token checks against client_secret (with app_id).
    "app_secret": "sandbox-app-secret-5f3c9d2e7a41b6c8",
    # User tokens (as Graph API Explorer or Facebook Login give them) that can be exchanged for
    # a long-lived one and can list their Pages.
    "user_tokens": ["EAABsandboxUSERtokenShortLived0123456789"],
    # The user's tasks on the sandbox Page; [] means the user has no role there (not listed).
    "page_tasks": ADMIN_TASKS,
    # Other Pages the user manages, listed before the sandbox Page by /me/accounts: each
    # {"id", "name"} with optional "tasks" and "category".
    "other_pages": [{"id": "102030405060708", "name": "Trang Phụ", "category": "Blog"}],
}


class GraphError(Exception):
    """A Graph error answer, raised inside handlers and turned into the error body."""

    def __init__(
        self,
        message: str,
        code: int,
        *,
        status: int = 400,
        subcode: int | None = None,
        transient: bool = False,
        error_type: str = "OAuthException",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.subcode = subcode
        self.transient = transient
        self.error_type = error_type


def missing_object(node: str, method: str) -> GraphError:
    return GraphError(
        f"Unsupported {method.lower()} request. Object with ID '{node}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
        100,
        subcode=33,
        error_type="GraphMethodException",
    )


def graph_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_time(value: str | None) -> float | None:
    """Graph's `since`/`until`: a Unix timestamp or an ISO 8601 time."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise GraphError(f"(#100) Invalid time for since/until: {value!r}", 100) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def truthy(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in ("false", "0", "no")


@dataclass
class UploadSession:
    id: str
    file_name: str
    file_length: int
    file_type: str
    body: Received = field(default_factory=Received)
    busy: bool = False
    handle: str | None = None
    chunks: int = 0

    @property
    def received(self) -> int:
        """The session's `file_offset`: where the next chunk must start."""
        return self.body.size

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file_name": self.file_name,
            "file_length": self.file_length,
            "file_type": self.file_type,
            "file_offset": self.received,
            "bytes_received": self.received,
            "chunks": self.chunks,
            "complete": self.handle is not None,
            "handle": self.handle,
            "sha256": self.body.sha256,
        }


class FacebookApi(PlatformAPI):
    """The Graph API Page endpoints, stateful, with Graph's errors and usage headers."""

    name = "facebook"

    def __init__(self, ctx: SandboxContext) -> None:
        super().__init__(ctx)
        self.config: dict[str, Any] = dict(DEFAULT_CONFIG)
        self._traces = itertools.count(1)
        self.reset()

    # -- PlatformAPI -------------------------------------------------------------------------
    def reset(self) -> None:
        with self.ctx.lock:
            self.posts: list[dict[str, Any]] = []
            self.photos: list[dict[str, Any]] = []
            self.videos: list[dict[str, Any]] = []
            self.uploads: dict[str, UploadSession] = {}
            self.handles: dict[str, str] = {}  # handle -> upload session id
            self.calls: deque[float] = deque()
            self.long_lived: set[str] = set()  # user tokens made by the exchange
            # Page token -> {"page_id", "long_lived": made from a long-lived user token}
            self.page_tokens: dict[str, dict[str, Any]] = {}

    def configure(self, options: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(options) - set(DEFAULT_CONFIG))
        if unknown:
            raise ValueError(
                f"facebook sandbox: unknown option(s) {unknown}; allowed: {sorted(DEFAULT_CONFIG)}"
            )
        if "rate_limit_code" in options and options["rate_limit_code"] not in RATE_LIMIT_CODES:
            raise ValueError(f"facebook sandbox: rate_limit_code must be one of {RATE_LIMIT_CODES}")
        if "permanent_code" in options and options["permanent_code"] not in REFUSAL_MESSAGES:
            raise ValueError(
                f"facebook sandbox: permanent_code must be one of {list(REFUSAL_MESSAGES)}"
            )
        if "rate_limit_status" in options and options["rate_limit_status"] not in (400, 403):
            raise ValueError("facebook sandbox: rate_limit_status must be 400 or 403")
        self._check_auth_options(options)
        self.config.update(options)
        return dict(self.config)

    @staticmethod
    def _check_auth_options(options: dict[str, Any]) -> None:
        def strings(value: Any) -> bool:
            return isinstance(value, list) and all(isinstance(v, str) and v for v in value)

        secret = options.get("app_secret", "x")
        if not isinstance(secret, str) or not secret:
            raise ValueError("facebook sandbox: app_secret must be a non-empty string")
        if "user_tokens" in options and not strings(options["user_tokens"]):
            raise ValueError("facebook sandbox: user_tokens must be a list of non-empty strings")
        if "page_tasks" in options and not (
            options["page_tasks"] == [] or strings(options["page_tasks"])
        ):
            raise ValueError("facebook sandbox: page_tasks must be a list of task names")
        pages = options.get("other_pages", [])
        if not isinstance(pages, list) or not all(
            isinstance(p, dict)
            and isinstance(p.get("id"), str)
            and isinstance(p.get("name"), str)
            and set(p) <= {"id", "name", "tasks", "category"}
            for p in pages
        ):
            raise ValueError(
                'facebook sandbox: other_pages must be a list of {"id", "name"} with optional '
                '"tasks" and "category"'
            )

    def snapshot(self) -> dict[str, Any]:
        with self.ctx.lock:
            return {
                "page": {"id": self.page_id, "name": self.config["page_name"]},
                "posts": [dict(p) for p in self.posts],
                "photos": [dict(p) for p in self.photos],
                "videos": [dict(v) for v in self.videos],
                "uploads": [u.describe() for u in self.uploads.values()],
                # What was issued, never the token values.
                "long_lived_tokens": len(self.long_lived),
                "page_tokens": [dict(t) for t in self.page_tokens.values()],
            }

    def routes(self) -> list[Route]:
        def r(method: str, path: str, handler: Any, action: str) -> Route:
            return Route.make(method, V + path, self._api(handler), action)

        # Specific paths first: the generic object read matches anything.
        return [
            r("GET", "/oauth/access_token", self.token_exchange, "token_exchange"),
            r("GET", "/me/accounts", self.me_accounts, "me_accounts"),
            r("GET", "/me", self.me, "me"),
            r("POST", r"/(?P<app>[^/:]+)/uploads", self.upload_start, "upload_start"),
            r("POST", r"/upload:(?P<sid>[^/]+)", self.upload_chunk, "upload_chunk"),
            r("GET", r"/upload:(?P<sid>[^/]+)", self.upload_status, "upload_status"),
            r("POST", NODE + "/feed", self.create_post, "create_post"),
            r("GET", NODE + "/feed", self.read_feed, "read_feed"),
            r("POST", NODE + "/photos", self.upload_photo, "upload_photo"),
            r("POST", NODE + "/videos", self.create_video, "create_video"),
            r("GET", NODE + "/videos", self.read_videos, "read_videos"),
            r("GET", NODE, self.read_object, "read_object"),
        ]

    def fault_response(self, fault: Fault, request: Request, route: Route) -> Response:
        if fault.kind == "429":
            code = int(self.config["rate_limit_code"])
            minutes = max(0, math.ceil(fault.retry_after / 60))
            err = GraphError(
                RATE_LIMIT_MESSAGES[code],
                code,
                status=int(self.config["rate_limit_status"]),
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
            code = int(self.config["permanent_code"])
            err = GraphError(REFUSAL_MESSAGES[code], code, status=403 if code == 10 else 400)
        return self._error(err)

    # -- plumbing ----------------------------------------------------------------------------
    @property
    def page_id(self) -> str:
        return str(self.config["page_id"])

    def _api(self, handler: Any) -> Any:
        """Wrap a handler: Graph errors become error bodies; every answer gets usage headers."""

        def run(request: Request) -> Response:
            self._count_call()
            try:
                response: Response = handler(request)
            except GraphError as err:
                return self._error(err)
            response.headers.update(self._usage_headers())
            return response

        return run

    def _count_call(self) -> None:
        now = self.ctx.now()
        with self.ctx.lock:
            self.calls.append(now)
            while self.calls and self.calls[0] < now - 3600:
                self.calls.popleft()

    def _usage_headers(self, regain_minutes: int | None = None) -> dict[str, str]:
        """Usage in percent of the budget; throttled (regain_minutes given) reads 100."""
        with self.ctx.lock:
            calls = len(self.calls)
        budget = self.config["usage_call_budget"]
        pct = 100 if regain_minutes is not None else min(100, calls * 100 // budget)
        app = {"call_count": pct, "total_time": pct // 2, "total_cputime": pct // 3}
        buc = {
            self.page_id: [
                {
                    "type": "pages",
                    "call_count": pct,
                    "total_time": pct // 2,
                    "total_cputime": pct // 3,
                    "estimated_time_to_regain_access": regain_minutes or 0,
                }
            ]
        }
        return {"X-App-Usage": json.dumps(app), "X-Business-Use-Case-Usage": json.dumps(buc)}

    def _error(self, err: GraphError, regain_minutes: int | None = None) -> Response:
        body: dict[str, Any] = {
            "message": err.message,
            "type": err.error_type,
            "code": err.code,
            "is_transient": err.transient,
            "fbtrace_id": self._trace_id(),
        }
        if err.subcode is not None:
            body["error_subcode"] = err.subcode
        headers = self._usage_headers(regain_minutes)
        if err.code in (104, 190):
            headers["WWW-Authenticate"] = (
                f'OAuth "Facebook Platform" "invalid_token" "{err.message}"'
            )
        return Response.json({"error": body}, status=err.status, headers=headers)

    def _trace_id(self) -> str:
        raw = hashlib.sha256(f"trace-{next(self._traces)}".encode()).digest()[:9]
        return base64.b64encode(raw).decode("ascii")

    def _params(self, request: Request) -> tuple[dict[str, str], dict[str, bytes]]:
        """Query, urlencoded and multipart fields (Graph takes all three); file parts apart."""
        params = request.args()
        files: dict[str, bytes] = {}
        if request.content_type == "multipart/form-data":
            try:
                parts = request.multipart()
            except ValueError as exc:
                raise GraphError(f"(#100) Malformed multipart body: {exc}", 100) from None
            for name, part in parts.items():
                if part.filename is not None:
                    files[name] = part.data
                else:
                    params[name] = part.text
        elif request.content_type == "application/x-www-form-urlencoded":
            params.update(request.form())
        return params, files

    def _auth(self, request: Request, params: dict[str, str] | None = None) -> str:
        """The access token (an `access_token` parameter, or a Bearer or OAuth header), checked.

        `params` are the request's parameters when a handler has read them (default: its
        query)."""
        given = request.args() if params is None else params
        token = given.get("access_token") or request.token("Bearer", "OAuth")
        if not token:
            raise GraphError("An access token is required to request this resource.", 104)
        allowed = self.config["tokens"]
        if allowed is not None and token not in allowed and token not in self.page_tokens:
            raise GraphError("Invalid OAuth access token - Cannot parse access token", 190)
        return token

    def _user_token(self, token: str) -> bool:
        """A token of the sandbox user: one the config lists, or one the exchange made."""
        return token in self.config["user_tokens"] or token in self.long_lived

    def _page(self, node: str, method: str) -> None:
        if node != self.page_id:
            raise missing_object(node, method)

    def _new_post(
        self, kind: str, message: str | None, link: str | None, **extra: Any
    ) -> dict[str, Any]:
        now = self.ctx.now()
        post_id = f"{self.page_id}_{self.ctx.next_id() + 900_000_000_000}"
        post: dict[str, Any] = {
            "id": post_id,
            "kind": kind,
            "message": message,
            "link": link,
            "attached_media": [],
            "created_time": graph_time(now),
            "created_ts": now,
            "published": True,
            "scheduled_publish_time": None,
            "permalink_url": f"https://www.facebook.com/{self.page_id}/posts/{post_id.split('_')[1]}",
        }
        post.update(extra)
        self.posts.append(post)
        return post

    # -- reads -------------------------------------------------------------------------------
    def me(self, request: Request) -> Response:
        params, _ = self._params(request)
        token = params.get("access_token") or request.token("Bearer", "OAuth")
        if token and self._user_token(token):
            return Response.json(self._fields(dict(SANDBOX_USER), params, ("id", "name")))
        self._auth(request, params)
        page = {"id": self.page_id, "name": self.config["page_name"]}
        return Response.json(self._fields(page, params, ("id", "name")))

    # -- user tokens to Page tokens ----------------------------------------------------------
    def token_exchange(self, request: Request) -> Response:
        """The ``fb_exchange_token`` grant: app id and secret checked, then the user token."""
        params, _ = self._params(request)
        if params.get("grant_type") != "fb_exchange_token":
            raise GraphError(
                "(#100) Unsupported grant_type: this sandbox serves fb_exchange_token only", 100
            )
        if not params.get("client_id"):
            raise GraphError("Missing client_id parameter.", 101)
        if params["client_id"] != str(self.config["app_id"]):
            raise GraphError("Error validating application. Invalid application ID.", 101)
        if params.get("client_secret") != self.config["app_secret"]:
            raise GraphError("Error validating client secret.", 1)
        token = params.get("fb_exchange_token")
        if not token:
            raise GraphError("Missing fb_exchange_token parameter.", 101)
        if not self._user_token(token):
            # Graph quotes the token back in this message (seen in SDK bug reports): clients
            # must scrub what they show.
            raise GraphError(f"Malformed access token {token}", 190)
        digest = hashlib.sha256(f"long:{token}:{self.ctx.next_id()}".encode()).hexdigest()
        long_lived = f"EAABsandboxLONG{digest[:40]}"
        with self.ctx.lock:
            self.long_lived.add(long_lived)
        return Response.json(
            {"access_token": long_lived, "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS}
        )

    def me_accounts(self, request: Request) -> Response:
        """The user's Pages, each with a Page token, paged by `limit` and an `after` cursor."""
        params, _ = self._params(request)
        token = params.get("access_token") or request.token("Bearer", "OAuth")
        if not token:
            raise GraphError("An access token is required to request this resource.", 104)
        if not self._user_token(token):
            if token in self.page_tokens or self.config["tokens"] is None:
                raise GraphError(
                    "(#100) Tried accessing nonexisting field (accounts) on node type (Page)", 100
                )
            raise GraphError("Invalid OAuth access token - Cannot parse access token", 190)
        try:
            limit = min(100, max(1, int(params.get("limit") or 25)))
            start = int(base64.b64decode(params["after"]).decode()) if params.get("after") else 0
        except ValueError:
            raise GraphError("(#100) Invalid limit or after cursor", 100) from None
        pages = [dict(p) for p in self.config["other_pages"]]
        if self.config["page_tasks"]:
            pages.append(
                {
                    "id": self.page_id,
                    "name": self.config["page_name"],
                    "tasks": list(self.config["page_tasks"]),
                    "category": "Media/News Company",
                }
            )
        chosen = pages[start : start + limit]
        with self.ctx.lock:
            for page in chosen:
                page.setdefault("tasks", ADMIN_TASKS)
                page.setdefault("category", "Community")
                page["access_token"] = self._page_token(token, page["id"])
        wanted = ("id", "name", "access_token", "tasks", "category")
        body: dict[str, Any] = {"data": [self._fields(p, params, wanted) for p in chosen]}
        if chosen:
            cursors = {
                "before": base64.b64encode(str(start).encode()).decode(),
                "after": base64.b64encode(str(start + len(chosen)).encode()).decode(),
            }
            body["paging"] = {"cursors": cursors}
            if start + limit < len(pages):
                query = urlencode({**params, "after": cursors["after"]})
                body["paging"]["next"] = f"{self.ctx.base_url}{request.path}?{query}"
        return Response.json(body)

    def _page_token(self, user_token: str, page_id: str) -> str:
        """The same Page token for the same user token and Page, remembered as valid."""
        digest = hashlib.sha256(f"page:{page_id}:{user_token}".encode()).hexdigest()
        token = f"EAABsandboxPAGE{digest[:40]}"
        self.page_tokens[token] = {"page_id": page_id, "long_lived": user_token in self.long_lived}
        return token

    @staticmethod
    def _fields(
        obj: dict[str, Any], params: dict[str, str], default: tuple[str, ...]
    ) -> dict[str, Any]:
        wanted = [f.strip() for f in params.get("fields", "").split(",") if f.strip()]
        names = wanted or list(default)
        if "id" not in names:
            names.insert(0, "id")
        return {k: obj[k] for k in names if obj.get(k) is not None}

    def _window(
        self, items: list[dict[str, Any]], params: dict[str, str], path: str
    ) -> dict[str, Any]:
        """Newest first, filtered by since/until, paged by limit and an `after` cursor."""
        since, until = parse_time(params.get("since")), parse_time(params.get("until"))
        try:
            limit = min(100, max(1, int(params.get("limit") or 25)))
            start = int(base64.b64decode(params["after"]).decode()) if params.get("after") else 0
        except ValueError:
            raise GraphError("(#100) Invalid limit or after cursor", 100) from None
        chosen = [
            i
            for i in sorted(items, key=lambda i: i["created_ts"], reverse=True)
            if (since is None or i["created_ts"] >= since)
            and (until is None or i["created_ts"] <= until)
        ]
        page = chosen[start : start + limit]
        body: dict[str, Any] = {"data": page}
        if page:
            cursors = {
                "before": base64.b64encode(str(start).encode()).decode(),
                "after": base64.b64encode(str(start + len(page)).encode()).decode(),
            }
            body["paging"] = {"cursors": cursors}
            if start + limit < len(chosen):
                query = urlencode({**params, "after": cursors["after"]})
                body["paging"]["next"] = f"{self.ctx.base_url}{path}?{query}"
        return body

    def read_feed(self, request: Request) -> Response:
        def published() -> list[dict[str, Any]]:
            return [p for p in self.posts if p["published"]]

        return self._read_edge(request, published, ("id", "message", "created_time"))

    def read_videos(self, request: Request) -> Response:
        return self._read_edge(request, lambda: self.videos, ("id", "description", "updated_time"))

    def _read_edge(
        self,
        request: Request,
        items: Callable[[], list[dict[str, Any]]],
        default: tuple[str, ...],
    ) -> Response:
        """A Page edge: `items()` (read under the lock) windowed, with the fields asked for."""
        params, _ = self._params(request)
        self._auth(request, params)
        self._page(request.params["node"], "get")
        with self.ctx.lock:
            body = self._window(items(), params, request.path)
            body["data"] = [self._fields(i, params, default) for i in body["data"]]
        return Response.json(body)

    def read_object(self, request: Request) -> Response:
        params, _ = self._params(request)
        self._auth(request, params)
        node = request.params["node"]
        with self.ctx.lock:
            if node == self.page_id:
                page = {"id": node, "name": self.config["page_name"]}
                return Response.json(self._fields(page, params, ("id", "name")))
            for obj in (*self.posts, *self.photos, *self.videos):
                if obj["id"] == node:
                    return Response.json(self._fields(obj, params, ("id", "created_time")))
        raise missing_object(node, "get")

    # -- posts and photos --------------------------------------------------------------------
    def create_post(self, request: Request) -> Response:
        params, _ = self._params(request)
        self._auth(request, params)
        self._page(request.params["node"], "post")
        message = params.get("message") or None
        link = params.get("link") or None
        media_ids = self._attached_media(params)
        if not (message or link or media_ids):
            raise GraphError("(#100) Missing message or attachment", 100)
        published = truthy(params.get("published"), True)
        scheduled = self._scheduled_time(params, published)
        with self.ctx.lock:
            for post in self.posts:
                if post["kind"] in ("status", "link") and (post["message"], post["link"]) == (
                    message,
                    link,
                ):
                    raise GraphError("(#506) Duplicate status message", 506)
            photos = {p["id"]: p for p in self.photos}
            for media_id in media_ids:
                photo = photos.get(media_id)
                if photo is None or photo["published"] or photo["attached_to"]:
                    raise GraphError(
                        f"(#100) attached_media: {media_id} is not an unpublished photo of "
                        "this Page",
                        100,
                    )
            post = self._new_post(
                "link" if link else "status",
                message,
                link,
                attached_media=media_ids,
                published=published and scheduled is None,
                scheduled_publish_time=scheduled,
            )
            for media_id in media_ids:
                photos[media_id]["attached_to"] = post["id"]
        return Response.json({"id": post["id"]})

    @staticmethod
    def _attached_media(params: dict[str, str]) -> list[str]:
        """`attached_media=[{"media_fbid": …}]` or `attached_media[0]={"media_fbid": …}`."""
        raw: list[Any] = []
        try:
            if params.get("attached_media"):
                value = json.loads(params["attached_media"])
                raw.extend(value if isinstance(value, list) else [value])
            indexed = sorted(
                (int(k[len("attached_media[") : -1]), v)
                for k, v in params.items()
                if k.startswith("attached_media[") and k.endswith("]")
            )
            raw.extend(json.loads(v) for _, v in indexed)
            ids = [str(item["media_fbid"]) for item in raw]
        except (ValueError, TypeError, KeyError):
            raise GraphError(
                '(#100) param attached_media must be a list of {"media_fbid": id}', 100
            ) from None
        return ids

    def _scheduled_time(self, params: dict[str, str], published: bool) -> int | None:
        raw = params.get("scheduled_publish_time")
        if not raw:
            return None
        if published:
            raise GraphError(
                "(#100) You cannot specify a scheduled publish time on a published post", 100
            )
        when = parse_time(raw)
        assert when is not None
        now = self.ctx.now()
        if not now + 600 <= when <= now + 30 * 86400:
            raise GraphError(
                "(#100) The specified scheduled publish time is invalid: it must be between "
                "10 minutes and 30 days from now",
                100,
            )
        return int(when)

    def upload_photo(self, request: Request) -> Response:
        params, files = self._params(request)
        self._auth(request, params)
        self._page(request.params["node"], "post")
        source = files.get("source")
        url = params.get("url")
        if source is None and not url:
            raise GraphError("(#324) Requires upload file", 324)
        published = truthy(params.get("published"), True)
        caption = params.get("caption") or params.get("message") or None
        with self.ctx.lock:
            now = self.ctx.now()
            photo: dict[str, Any] = {
                "id": str(self.ctx.next_id() + 700_000_000_000_000),
                "post_id": None,
                "caption": caption,
                "published": published,
                "url": url,
                "bytes_received": len(source) if source is not None else 0,
                "sha256": hashlib.sha256(source).hexdigest() if source is not None else None,
                "attached_to": None,
                "created_ts": now,
                "created_time": graph_time(now),
            }
            self.photos.append(photo)
            if not published:
                return Response.json({"id": photo["id"]})
            post = self._new_post("photo", caption, None, attached_media=[photo["id"]])
            photo["post_id"] = post["id"]
        return Response.json({"id": photo["id"], "post_id": post["id"]})

    # -- resumable upload and videos ---------------------------------------------------------
    def upload_start(self, request: Request) -> Response:
        params, _ = self._params(request)
        self._auth(request, params)
        if request.params["app"] != str(self.config["app_id"]):
            raise missing_object(request.params["app"], "post")
        for name in ("file_name", "file_length", "file_type"):
            if not params.get(name):
                raise GraphError(f"(#100) The parameter {name} is required", 100)
        try:
            length = int(params["file_length"])
        except ValueError:
            length = -1
        if length <= 0:
            raise GraphError("(#100) file_length must be a positive integer", 100)
        if params["file_type"] not in UPLOAD_FILE_TYPES:
            raise GraphError(f"(#100) file_type must be one of {', '.join(UPLOAD_FILE_TYPES)}", 100)
        sid = "upload:" + base64.urlsafe_b64encode(
            hashlib.sha256(f"session-{self.ctx.next_id()}".encode()).digest()[:18]
        ).decode("ascii")
        with self.ctx.lock:
            self.uploads[sid] = UploadSession(sid, params["file_name"], length, params["file_type"])
        return Response.json({"id": sid})

    def _session(self, request: Request) -> UploadSession:
        sid = "upload:" + request.params["sid"]
        session = self.uploads.get(sid)
        if session is None:
            raise missing_object(sid, request.method)
        return session

    def upload_status(self, request: Request) -> Response:
        self._auth(request)
        with self.ctx.lock:
            session = self._session(request)
            return Response.json({"id": session.id, "file_offset": session.received})

    def upload_chunk(self, request: Request) -> Response:
        self._auth(request)
        raw_offset = request.header("file_offset")
        with self.ctx.lock:
            session = self._session(request)
            if raw_offset is None or not raw_offset.strip().isdigit():
                raise GraphError("(#100) The header file_offset is required", 100)
            offset = int(raw_offset)
            if session.handle is not None:
                # Asking again at the end with no bytes gives the handle back, so a client
                # whose last answer was lost need not upload again.
                if offset == session.file_length and request.content_length == 0:
                    return Response.json({"h": session.handle})
                raise GraphError("(#100) This upload session is already complete", 100)
            if session.busy:
                raise GraphError(
                    "An upload to this session is in progress. Please retry your request later.",
                    2,
                    status=500,
                    transient=True,
                )
            if offset != session.received:
                raise GraphError(
                    f"(#100) file_offset {offset} does not match the session's file_offset "
                    f"{session.received}; query the session to resume",
                    100,
                )
            if offset + request.content_length > session.file_length:
                raise GraphError(
                    f"(#100) file_offset + body ({offset + request.content_length} bytes) is "
                    f"more than file_length ({session.file_length})",
                    100,
                )
            session.busy = True
        try:
            # Outside the lock: a large chunk must not stall every other request.
            session.body.absorb(request.stream(1 << 16))
        finally:
            with self.ctx.lock:
                session.busy = False
                session.chunks += 1
        with self.ctx.lock:
            if session.received < session.file_length:
                return Response.json({"id": session.id, "file_offset": session.received})
            handle = "4:" + base64.b64encode(f"sandbox:{session.id}".encode()).decode("ascii")
            session.handle = handle
            self.handles[handle] = session.id
        return Response.json({"h": handle})

    def create_video(self, request: Request) -> Response:
        params, _ = self._params(request)
        self._auth(request, params)
        self._page(request.params["node"], "post")
        handle = params.get("fbuploader_video_file_chunk")
        file_url = params.get("file_url")
        if not handle and not file_url:
            raise GraphError(
                "(#100) A video file is required: pass fbuploader_video_file_chunk (an upload "
                "handle) or file_url",
                100,
            )
        with self.ctx.lock:
            session: UploadSession | None = None
            if handle:
                sid = self.handles.get(handle)
                session = self.uploads.get(sid) if sid else None
                if session is None:
                    raise GraphError(
                        "(#100) fbuploader_video_file_chunk is not a handle of a completed upload",
                        100,
                    )
            title = params.get("title") or None
            description = params.get("description") or None
            published = truthy(params.get("published"), True)
            post = self._new_post("video", description, None, published=published)
            now = self.ctx.now()
            video: dict[str, Any] = {
                "id": str(self.ctx.next_id() + 800_000_000_000_000),
                "post_id": post["id"],
                "title": title,
                "description": description,
                "published": published,
                "file_url": file_url,
                "upload_session": session.id if session else None,
                "bytes_received": session.received if session else 0,
                "sha256": session.body.sha256 if session else None,
                "created_time": graph_time(now),
                "updated_time": graph_time(now),
                "created_ts": now,
            }
            video["permalink_url"] = f"/{self.page_id}/videos/{video['id']}/"
            post["attached_media"] = [video["id"]]
            self.videos.append(video)
        return Response.json({"id": video["id"]})
