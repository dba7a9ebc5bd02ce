"""Graph's tokens: the check on every call, and getting a Page token (``crosspost auth
facebook``).

``GET /oauth/access_token`` with the ``fb_exchange_token`` grant turns a user token into a
long-lived one (checking the app id and secret), and ``GET /me/accounts`` lists the user's Pages
with a Page token each; those Page tokens are accepted by the Page routes even when the
``tokens`` knob restricts them. ``GET /me`` with a user token answers with the user, as Graph
does, so a client that keeps the user token by mistake is caught.
"""

from __future__ import annotations

from crosspost.sandbox.api import SandboxContext
from crosspost.sandbox.facebook.errors import GraphError
from crosspost.sandbox.facebook.params import access_token, fields, graph_params, paged
from crosspost.sandbox.facebook.settings import ADMIN_TASKS
from crosspost.sandbox.facebook.state import Page
from crosspost.sandbox.http import Request, Response
from crosspost.sandbox.tokens import seeded_hex

# A long-lived user token's lifetime, as Meta's "Long-Lived Access Tokens" sample answers.
LONG_LIVED_SECONDS = 5_183_944
SANDBOX_USER = {"id": "100000000000042", "name": "Nguyễn Văn Thử"}


class GraphTokens:
    """Which tokens a call may use, and the calls that turn a user token into Page tokens."""

    def __init__(self, ctx: SandboxContext, page: Page) -> None:
        self.ctx = ctx
        self.page = page

    def check(self, request: Request, params: dict[str, str] | None = None) -> str:
        """The access token (an `access_token` parameter, or a Bearer or OAuth header), checked.

        `params` are the request's parameters when a handler has read them (default: its
        query)."""
        token = access_token(request, request.args() if params is None else params)
        if not token:
            raise GraphError("An access token is required to request this resource.", 104)
        allowed = self.page.config["tokens"]
        if allowed is not None and token not in allowed and token not in self.page.page_tokens:
            raise GraphError("Invalid OAuth access token - Cannot parse access token", 190)
        return token

    def page_edge(self, request: Request, method: str) -> tuple[dict[str, str], dict[str, bytes]]:
        """A call on an edge of the Page: its parameters and files, once its token is checked
        and its node is the Page."""
        params, files = graph_params(request)
        self.check(request, params)
        self.page.check(request.params["node"], method)
        return params, files

    def user_token(self, token: str) -> bool:
        """A token of the sandbox user: one the config lists, or one the exchange made."""
        return token in self.page.config["user_tokens"] or token in self.page.long_lived

    def me(self, request: Request) -> Response:
        params, _ = graph_params(request)
        token = access_token(request, params)
        if token and self.user_token(token):
            return Response.json(fields(dict(SANDBOX_USER), params, ("id", "name")))
        self.check(request, params)
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
        if not self.user_token(token):
            # Graph quotes the token back in this message (seen in SDK bug reports): clients
            # must scrub what they show.
            raise GraphError(f"Malformed access token {token}", 190)
        long_lived = "EAABsandboxLONG" + seeded_hex(f"long:{token}:{self.ctx.next_id()}", 40)
        with self.ctx.lock:
            self.page.long_lived.add(long_lived)
        return Response.json(
            {"access_token": long_lived, "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS}
        )

    def me_accounts(self, request: Request) -> Response:
        """The user's Pages, each with a Page token, paged by `limit` and an `after` cursor."""
        params, _ = graph_params(request)
        token = access_token(request, params)
        if not token:
            raise GraphError("An access token is required to request this resource.", 104)
        if not self.user_token(token):
            if token in self.page.page_tokens or self.page.config["tokens"] is None:
                raise GraphError(
                    "(#100) Tried accessing nonexisting field (accounts) on node type (Page)", 100
                )
            raise GraphError("Invalid OAuth access token - Cannot parse access token", 190)
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
        body = paged(pages, params, f"{self.ctx.base_url}{request.path}")
        with self.ctx.lock:
            for page in body["data"]:
                page.setdefault("tasks", ADMIN_TASKS)
                page.setdefault("category", "Community")
                page["access_token"] = self._page_token(token, page["id"])
        wanted = ("id", "name", "access_token", "tasks", "category")
        body["data"] = [fields(p, params, wanted) for p in body["data"]]
        return Response.json(body)

    def _page_token(self, user_token: str, page_id: str) -> str:
        """The same Page token for the same user token and Page, remembered as valid."""
        token = "EAABsandboxPAGE" + seeded_hex(f"page:{page_id}:{user_token}", 40)
        self.page.page_tokens[token] = {
            "page_id": page_id,
            "long_lived": user_token in self.page.long_lived,
        }
        return token
