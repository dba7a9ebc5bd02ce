"""Graph's tokens: the check on every call, and getting a Page token (``crosspost auth
facebook``).

Every token the sandbox accepts has a `Grant` (access.py): a User or a Page token, the
permissions granted, its life on the sandbox's one clock (``/_sandbox/clock``, which the
``clock_offset_seconds`` knob moves too).
``GET /oauth/access_token`` with the ``fb_exchange_token`` grant turns a user token into a
long-lived one (checking the app id and secret), and ``GET /me/accounts`` lists the user's Pages
with a Page token each; those Page tokens are accepted by the Page routes even when the
``tokens`` knob restricts them. ``GET /me`` with a user token answers with the user, as Graph
does, so a client that keeps the user token by mistake is caught. ``GET /debug_token`` and
``GET /me/permissions`` say what a token is and may do.
"""

from __future__ import annotations

from typing import Any

from crosspost.sandbox.api import SandboxContext
from crosspost.sandbox.facebook.access import (
    ALL_PERMISSIONS,
    INVALID_SUBCODE,
    PAGE,
    PAGES_SHOW_LIST,
    USER,
    Grant,
    Need,
    check_proof,
    expired,
    refuse_kind,
    refuse_scopes,
)
from crosspost.sandbox.facebook.errors import GraphError
from crosspost.sandbox.facebook.params import access_token, fields, graph_params, paged
from crosspost.sandbox.facebook.settings import ADMIN_TASKS
from crosspost.sandbox.facebook.state import Page
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.tokens import seeded_hex

# A long-lived user token's lifetime, as Meta's "Long-Lived Access Tokens" sample answers.
LONG_LIVED_SECONDS = 5_183_944
SANDBOX_USER = {"id": "100000000000042", "name": "Nguyễn Văn Thử"}
SANDBOX_APP_NAME = "Crosspost Sandbox"
CANNOT_PARSE = "Invalid OAuth access token - Cannot parse access token"


class GraphTokens:
    """Which tokens a call may use, and the calls that turn a user token into Page tokens."""

    def __init__(self, ctx: SandboxContext, page: Page) -> None:
        self.ctx = ctx
        self.page = page

    def now(self) -> float:
        """The token clock: the sandbox's shared clock, which moves X's tokens too."""
        return self.ctx.now()

    def grant_of(self, token: str) -> Grant | None:
        """What `token` is: one the sandbox issued, a configured user token, or (``tokens``
        unset) any other token taken as a Page token of the Page; None if unknown."""
        config = self.page.config
        issued = self.page.grants.get(token)
        if issued is not None:
            return issued
        scopes = frozenset(config["granted_permissions"])
        if token in config["user_tokens"]:
            return Grant(USER, scopes, issued_at=0.0)
        allowed = config["tokens"]
        if allowed is None or token in allowed:
            return Grant(PAGE, scopes, issued_at=0.0, page_id=self.page.id)
        return None

    def check(
        self,
        request: Request,
        params: dict[str, str] | None = None,
        need: Need | None = None,
        node: str = "",
    ) -> Grant:
        """The access token (an `access_token` parameter, or a Bearer or OAuth header),
        checked: known, live, proven when the app requires it, and of the type and permissions
        `need` asks. `params` are the request's parameters when a handler has read them
        (default: its query)."""
        params = request.args() if params is None else params
        token = access_token(request, params)
        if not token:
            raise GraphError("An access token is required to request this resource.", 104)
        grant = self.grant_of(token)
        if grant is None:
            raise GraphError(CANNOT_PARSE, 190)
        refusal = expired(grant, self.now())
        # A proof is checked whenever one is sent, required or not: Graph refuses a wrong one
        # even for an app without "Require App Secret" (a wrong app secret in the config).
        required = bool(self.page.config["require_app_secret"])
        if refusal is None and (required or params.get("appsecret_proof")):
            check_proof(token, params, str(self.page.config["app_secret"]))
        if refusal is None and need is not None:
            refusal = refuse_kind(need, grant, node, request.method) or refuse_scopes(need, grant)
        if refusal is not None:
            raise refusal
        return grant

    def page_edge(
        self, request: Request, method: str, need: Need | None = None
    ) -> tuple[dict[str, str], dict[str, bytes]]:
        """A call on an edge of the Page: its parameters and files, once its token is checked
        (against `need`) and its node is the Page."""
        params, files = graph_params(request)
        self.check(request, params, need, request.params["node"])
        self.page.check(request.params["node"], method)
        return params, files

    def user_grant(self, token: str | None) -> Grant | None:
        grant = self.grant_of(token) if token else None
        return grant if grant is not None and grant.kind == USER else None

    def me(self, request: Request) -> Response:
        params, _ = graph_params(request)
        grant = self.check(request, params)
        if grant.kind == USER:
            return Response.json(fields(dict(SANDBOX_USER), params, ("id", "name")))
        page = {"id": self.page.id, "name": self.page.config["page_name"]}
        return Response.json(fields(page, params, ("id", "name")))

    def token_exchange(self, request: Request) -> Response:
        """The ``fb_exchange_token`` grant: app id and secret checked, then the user token."""
        params, _ = graph_params(request)
        if params.get("grant_type") != "fb_exchange_token":
            raise GraphError(
                "(#100) Unsupported grant_type: this sandbox serves fb_exchange_token only", 100
            )
        if not params.get("client_id"):
            raise GraphError("Missing client_id parameter.", 101)
        if params["client_id"] != str(self.page.config["app_id"]):
            raise GraphError("Error validating application. Invalid application ID.", 101)
        if params.get("client_secret") != self.page.config["app_secret"]:
            raise GraphError("Error validating client secret.", 1)
        token = params.get("fb_exchange_token")
        if not token:
            raise GraphError("Missing fb_exchange_token parameter.", 101)
        user = self.user_grant(token)
        if user is None:
            # Graph quotes the token back in this message (seen in SDK bug reports): clients
            # must scrub what they show.
            raise GraphError(f"Malformed access token {token}", 190)
        refusal = expired(user, self.now())
        if refusal is not None:
            raise refusal
        long_lived = "EAABsandboxLONG" + seeded_hex(f"long:{token}:{self.ctx.next_id()}", 40)
        now = self.now()
        with self.ctx.lock:
            self.page.long_lived.add(long_lived)
            self.page.grants[long_lived] = Grant(
                USER, user.scopes, issued_at=now, expires_at=now + LONG_LIVED_SECONDS
            )
        return Response.json(
            {"access_token": long_lived, "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS}
        )

    def me_accounts(self, request: Request) -> Response:
        """The user's Pages, each with a Page token, paged by `limit` and an `after` cursor;
        none without pages_show_list ("Show a list of the Pages you manage", Meta's
        permissions reference; that the list is then empty is UNVERIFIED)."""
        params, _ = graph_params(request)
        grant = self.check(request, params)
        if grant.kind != USER:
            raise GraphError(
                "(#100) Tried accessing nonexisting field (accounts) on node type (Page)", 100
            )
        token = str(access_token(request, params))
        pages = [dict(p) for p in self.page.config["other_pages"]]
        if self.page.config["page_tasks"]:
            pages.append(
                {
                    "id": self.page.id,
                    "name": self.page.config["page_name"],
                    "tasks": list(self.page.config["page_tasks"]),
                    "category": "Media/News Company",
                }
            )
        if PAGES_SHOW_LIST not in grant.scopes:
            pages = []
        body = paged(pages, params, f"{self.ctx.base_url}{request.path}")
        with self.ctx.lock:
            for page in body["data"]:
                page.setdefault("tasks", ADMIN_TASKS)
                page.setdefault("category", "Community")
                page["access_token"] = self._page_token(token, grant, page["id"])
        wanted = ("id", "name", "access_token", "tasks", "category")
        body["data"] = [fields(p, params, wanted) for p in body["data"]]
        return Response.json(body)

    def _page_token(self, user_token: str, user: Grant, page_id: str) -> str:
        """The same Page token for the same user token and Page, remembered as valid, with the
        user's permissions; one from a long-lived user token does not expire ("Long-Lived
        Access Tokens": developers.facebook.com/docs/facebook-login/guides/access-tokens/
        get-long-lived)."""
        token = "EAABsandboxPAGE" + seeded_hex(f"page:{page_id}:{user_token}", 40)
        long_lived = user_token in self.page.long_lived
        self.page.page_tokens[token] = {"page_id": page_id, "long_lived": long_lived}
        self.page.grants[token] = Grant(
            PAGE,
            user.scopes,
            issued_at=self.now(),
            expires_at=None if long_lived else user.expires_at,
            page_id=page_id,
        )
        return token

    def debug_token(self, request: Request) -> Response:
        """``GET /debug_token?input_token=…``: what the input token is ("type", "scopes",
        "expires_at" 0 for never, "profile_id" for a Page token; developers.facebook.com/docs/
        graph-api/reference/debug_token). The caller's token may be any live token of the app
        or the app token ``{app-id}|{app-secret}``."""
        params, _ = graph_params(request)
        config = self.page.config
        if access_token(request, params) != f"{config['app_id']}|{config['app_secret']}":
            self.check(request, params)
        inspected = params.get("input_token") or ""
        grant = self.grant_of(inspected) if inspected else None
        data: dict[str, Any] = {"app_id": str(config["app_id"]), "application": SANDBOX_APP_NAME}
        if grant is None:
            data.update(is_valid=False, scopes=[])
            data["error"] = {"code": 190, "message": CANNOT_PARSE, "subcode": INVALID_SUBCODE}
            return Response.json({"data": data})
        refusal = expired(grant, self.now())
        scopes = sorted(grant.scopes)
        data.update(
            type=grant.kind,
            is_valid=refusal is None,
            issued_at=int(grant.issued_at),
            expires_at=int(grant.expires_at or 0),
            scopes=scopes,
            granular_scopes=[{"scope": s} for s in scopes],
            user_id=SANDBOX_USER["id"],
        )
        if grant.kind == PAGE:
            data["profile_id"] = grant.page_id
        if refusal is not None:
            data["error"] = {"code": 190, "message": refusal.message, "subcode": refusal.subcode}
        return Response.json({"data": data})

    def me_permissions(self, request: Request) -> Response:
        """``GET /me/permissions`` with a user token: each permission and whether it is granted
        or declined (developers.facebook.com/docs/graph-api/reference/user/permissions)."""
        params, _ = graph_params(request)
        grant = self.check(request, params)
        if grant.kind != USER:
            raise GraphError(
                "(#100) Tried accessing nonexisting field (permissions) on node type (Page)", 100
            )
        asked = sorted({*grant.scopes, *ALL_PERMISSIONS})
        data = [
            {"permission": p, "status": "granted" if p in grant.scopes else "declined"}
            for p in asked
        ]
        return Response.json({"data": data})
