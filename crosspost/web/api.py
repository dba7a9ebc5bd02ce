"""The JSON API's door: `Authorization: Bearer TOKEN` (made by `crosspost users token`), the
route's roles as for the pages, a small JSON body, and every error as `{"error": "one line"}`
with its status.

Cookies are never read here: a browser session cannot call the API, so a page on another site
cannot make a signed-in browser post to it (no CSRF token is needed, and none is possible).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from crosspost.users import Role
from crosspost.web.page import Viewer, WebState, log_unexpected

MAX_BODY = 64 * 1024
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="crosspost"'}


class ApiError(Exception):
    """A refusal with its HTTP status; the message is the one line sent back."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Call:
    """What an API handler is given: who calls, the path and query parameters, the body."""

    state: WebState
    viewer: Viewer
    params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] = field(default_factory=dict)

    def int_param(self, name: str) -> int:
        text = self.params.get(name, "")
        if not text.isdigit() or len(text) > 18:
            raise ApiError(404, f"no such {name.removesuffix('_id')}: {text!r}")
        return int(text)


ApiHandler = Callable[[Call], Any]


def error(status: int, message: str) -> Response:
    headers = CHALLENGE if status == 401 else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _token_viewer(state: WebState, token: str) -> Viewer | None:
    from crosspost.tokens import user_for_token

    with state.factory() as session:
        user = user_for_token(session, token)
        return None if user is None else Viewer(user.id, user.name, user.role, user.unit)


def api_endpoint(
    handler: ApiHandler, roles: frozenset[Role]
) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        state: WebState = request.app.state.web
        try:
            return await checked(request, state)
        except ApiError as exc:
            return error(exc.status, str(exc))
        except Exception as exc:
            ref = log_unexpected(exc, request.url.path)
            return error(500, f"unexpected error; tell the administrator (reference {ref})")

    async def checked(request: Request, state: WebState) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401, "no API token: send 'Authorization: Bearer TOKEN' (crosspost users token)"
            )
        viewer = await run_in_threadpool(_token_viewer, state, token.strip())
        if viewer is None:
            raise ApiError(401, "the API token is unknown, revoked, or its user is disabled")
        if Role(viewer.role) not in roles:
            raise ApiError(403, f"a {viewer.role} may not use {request.url.path}")
        body = await _body(request) if request.method == "POST" else {}
        query = {k: v for k, v in request.query_params.items()}
        call = Call(state, viewer, dict(request.path_params), query, body)
        data = await run_in_threadpool(_handle, handler, call)
        return JSONResponse(data)

    return run


async def _body(request: Request) -> Mapping[str, Any]:
    """The JSON object sent, or {} for an empty body; anything else is refused."""
    declared = request.headers.get("content-length")
    if declared is None and request.headers.get("transfer-encoding"):
        raise ApiError(411, "send a Content-Length with the body")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise ApiError(413, f"the body is larger than {MAX_BODY} bytes")
    raw = await request.body()
    if not raw.strip():
        return {}
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise ApiError(415, "send the body as application/json")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "the body is not valid JSON") from None
    except RecursionError:
        raise ApiError(400, "the body is nested too deeply; send a flat JSON object") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    return data


def _handle(handler: ApiHandler, call: Call) -> Any:
    """The handler's data; a refusal a person can act on is its one line and status."""
    from crosspost.errors import NotFoundError, Problems, StateError, UserError

    try:
        return handler(call)
    except NotFoundError as exc:
        raise ApiError(404, str(exc)) from None
    except Problems as exc:
        raise ApiError(409, exc.one_line()) from None
    except StateError as exc:
        raise ApiError(409, str(exc)) from None
    except UserError as exc:
        raise ApiError(400, str(exc)) from None
