"""The route table: every route with the roles that may use it, and the one dispatcher that
enforces it (sign-in, role, CSRF on every POST) before a page handler runs.

A route with `roles=PUBLIC` is open to anyone (the login form); every other route names its
roles, and the role × route test walks this table, so a route cannot be added unguarded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, cast
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from crosspost.users import Role
from crosspost.web import api_v1
from crosspost.web.api import ApiHandler, api_endpoint
from crosspost.web.page import Page, Viewer, WebState, log_unexpected, render
from crosspost.web.pages import calendar, login, media, plan, portal, post, queue, today, units
from crosspost.web.security import COOKIE, CSRF_FIELD, WebSession
from crosspost.web.texts import t as _t

Handler = Callable[[Page], Response]
PUBLIC: frozenset[Role] | None = None
EVERYONE = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.EDITOR, Role.PLANNER, Role.VIEWER})
REVIEWERS = frozenset({Role.ADMIN, Role.EDITOR})
PLANNERS = frozenset({Role.ADMIN, Role.PLANNER})
CONTRIBUTORS = frozenset({Role.CONTRIBUTOR})


@dataclass(frozen=True)
class Route:
    method: Literal["GET", "POST"]
    path: str
    handler: Handler | ApiHandler
    roles: frozenset[Role] | None  # None: public
    files: bool = False  # a form with files: [uploads] caps instead of MAX_FORM_BYTES
    api: bool = False  # JSON with a bearer token (web/api.py), never a cookie


ROUTES: tuple[Route, ...] = (
    Route("GET", "/login", login.form, PUBLIC),
    Route("POST", "/login", login.submit, PUBLIC),
    Route("POST", "/logout", login.logout, EVERYONE),
    Route("POST", "/language", login.language, PUBLIC),
    Route("GET", "/", today.page, STAFF),
    # A contributor sees its own unit's submitted items there, read-only.
    Route("GET", "/queue", queue.page, EVERYONE),
    Route("POST", "/queue/decide", queue.decide, REVIEWERS),
    # A contributor gets its own unit's files only (the handler checks the item's unit).
    Route("GET", "/media/{media_id}", media.file, EVERYONE),
    Route("GET", "/posts/{post_id}", post.page, EVERYONE),
    Route("POST", "/posts/{post_id}/cancel", post.cancel, PLANNERS),
    Route("POST", "/posts/{post_id}/retry", post.retry, PLANNERS),
    Route("POST", "/posts/{post_id}/move", calendar.move, PLANNERS),
    Route("POST", "/posts/{post_id}/repost", post.repost, PLANNERS),
    Route("GET", "/calendar", calendar.page, STAFF),
    Route("GET", "/plan", plan.page, STAFF),
    Route("POST", "/plan/apply", plan.apply, PLANNERS),
    Route("GET", "/units", units.page, STAFF),
    Route("GET", "/units.csv", units.csv, STAFF),
    Route("GET", "/portal", portal.page, CONTRIBUTORS),
    Route("POST", "/portal/item", portal.item, CONTRIBUTORS, files=True),
    Route("POST", "/portal/submission", portal.submission, CONTRIBUTORS, files=True),
    Route("GET", "/api/v1/posts", api_v1.posts, EVERYONE, api=True),
    Route("GET", "/api/v1/posts/{post_id}", api_v1.post, EVERYONE, api=True),
    Route("POST", "/api/v1/posts/{post_id}/cancel", api_v1.cancel, PLANNERS, api=True),
    Route("POST", "/api/v1/posts/{post_id}/retry", api_v1.retry, PLANNERS, api=True),
    Route("GET", "/api/v1/queue", api_v1.queue, EVERYONE, api=True),
    Route("POST", "/api/v1/queue/decide", api_v1.decide, REVIEWERS, api=True),
    Route("GET", "/api/v1/today", api_v1.today, STAFF, api=True),
)


def _viewer(state: WebState, session: WebSession) -> Viewer | None:
    """Who the session belongs to, read fresh: a user disabled, or whose password changed
    since they signed in, is signed out here."""
    from crosspost.db.models import User

    if session.user_id is None:
        return None
    with state.factory() as db:
        user = db.get(User, session.user_id)
        ended = (
            user is None
            or user.disabled_at is not None
            or user.password_hash is None
            or (
                user.password_changed_at is not None
                and session.signed_in_at is not None
                and user.password_changed_at > session.signed_in_at
            )
        )
        if ended or user is None:
            state.sessions.end(session.token)
            return None
        return Viewer(user.id, user.name, user.role, user.unit)


def refused(
    state: WebState,
    session: WebSession | None,
    viewer: Viewer | None,
    key: str,
    status: int = 403,
) -> Response:
    from crosspost.web.texts import t

    language = session.language if session else "vi"
    return render(state, "error.html", session, viewer, status, message=t(key, language))


MAX_FORM_BYTES = 256 * 1024  # the forms of this slice are a few fields of text
MAX_FILES = 4  # an upload form sends one file; a few more are refused by the parser


def _too_long(request: Request, cap: int) -> bool:
    """A form body past the cap (or a length that is not a number) is refused unread."""
    declared = request.headers.get("content-length")
    if declared is None:
        return request.headers.get("transfer-encoding", "").lower() == "chunked"
    return not declared.isdigit() or int(declared) > cap


def endpoint(route: Route) -> Callable[[Request], Awaitable[Response]]:
    """The ASGI endpoint for `route`: the checks in order, then its handler in a thread."""
    if route.api:
        assert route.roles is not None, "every API route names its roles"
        return api_endpoint(cast(ApiHandler, route.handler), route.roles)
    handler = cast(Handler, route.handler)

    async def run(request: Request) -> Response:
        state: WebState = request.app.state.web
        try:
            return await checked(request, state)
        except HTTPException:
            raise  # a malformed request: the app's handler makes it a page
        except Exception as exc:
            # Answered here, not re-raised: the server would log the exception's text.
            ref = log_unexpected(exc, request.url.path)
            return render(
                state, "error.html", None, None, 500, message=_t("error.unexpected", ref=ref)
            )

    async def checked(request: Request, state: WebState) -> Response:
        token = request.cookies.get(COOKIE)
        session = state.sessions.get(token)
        viewer = await run_in_threadpool(_viewer, state, session) if session else None
        if viewer is None and session is not None and session.user_id is not None:
            session = None  # signed out just now: its token is gone
        if route.roles is not None:
            if viewer is None:
                if route.method == "GET":
                    return Response(
                        status_code=303,
                        headers={"Location": "/login?next=" + quote(request.url.path)},
                    )
                return refused(state, session, None, "error.forbidden")
            if Role(viewer.role) not in route.roles:
                return refused(state, session, viewer, "error.forbidden")
        form: dict[str, list[str]] = {}
        files: dict[str, list[UploadFile]] = {}
        if route.method == "POST":
            cap = state.config.uploads.max_request_bytes if route.files else MAX_FORM_BYTES
            if _too_long(request, cap):
                return refused(state, session, viewer, "error.too_large", 413)
            data = await request.form(
                max_files=MAX_FILES if route.files else 0,
                max_fields=200,
                max_part_size=MAX_FORM_BYTES,
            )
            for key, value in data.multi_items():
                if isinstance(value, str):
                    form.setdefault(key, []).append(value)
                elif value.filename:  # a file input left empty sends a part with no name
                    files.setdefault(key, []).append(value)
            given = (form.get(CSRF_FIELD) or [""])[0]
            if session is None or not session.csrf_matches(given):
                return refused(state, session, viewer, "error.csrf")
        if session is None:
            session = state.sessions.new()  # its CSRF token goes into the page's forms
        page = Page(request, state, session, viewer, form, dict(request.path_params), files)
        response: Response = await run_in_threadpool(_handle, handler, page)
        _keep_cookie(state, response, token, page.session)
        return response

    return run


def _handle(handler: Handler, page: Page) -> Response:
    """The handler's answer; an error a person can act on is a page with its one line."""
    from crosspost.errors import NotFoundError, StateError, UserError

    try:
        return handler(page)
    except NotFoundError:
        return page.render("error.html", 404, message=page.t("error.not_found"))
    except UserError as exc:
        status = 409 if isinstance(exc, StateError) else 400
        message = page.t("error.refused", message=str(exc))
        return page.render("error.html", status, message=message)
    except Exception as exc:
        # Answered here, not re-raised: the server would log the exception's text.
        ref = log_unexpected(exc, page.request.url.path)
        return page.render("error.html", 500, message=page.t("error.unexpected", ref=ref))


def _keep_cookie(
    state: WebState, response: Response, sent: str | None, session: WebSession | None
) -> None:
    if session is None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
    elif session.token != sent:
        response.set_cookie(
            COOKIE,
            session.token,
            path="/",
            httponly=True,
            samesite="lax",
            secure=state.secure_cookies,
        )
