"""The app factory: the route table mounted, our static files, security headers on every
response, and errors as friendly pages (a traceback only in the server's log, never on a page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crosspost.web.page import STATIC, WebState, log_unexpected, render, template_environment
from crosspost.web.routing import ROUTES, endpoint
from crosspost.web.security import SECURITY_HEADERS
from crosspost.web.texts import t

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.orm import Session, sessionmaker

    from crosspost.config import Config


class SecurityHeaders:
    """Adds the CSP and its companions to every response; pages are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                for name, value in SECURITY_HEADERS.items():
                    headers.append((name.lower().encode(), value.encode()))
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def settle_memory() -> None:
    """Once the app is built, before it serves: what was loaded at start (modules, templates,
    config) is moved out of the garbage collector's view (`gc.freeze`), so a full collection
    during a request scans only what requests made, not the whole process (without it a
    calendar page every dozen requests took 3× its time)."""
    import gc

    gc.collect()
    gc.freeze()


def create_app(
    config: Config,
    *,
    factory: sessionmaker[Session] | None = None,
    secure_cookies: bool = False,
) -> FastAPI:
    """The workspace on `config`'s database (migrated if need be). `secure_cookies`: the
    session cookie is sent over HTTPS only (behind a TLS reverse proxy)."""
    from fastapi import FastAPI

    if factory is None:
        from crosspost.db.engine import make_engine, session_factory
        from crosspost.db.migrate import ensure_schema

        engine = make_engine(config.database_url)
        ensure_schema(engine)
        factory = session_factory(engine)
    state = WebState(config, factory, template_environment(), secure_cookies)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = state
    for route in ROUTES:
        app.router.add_route(route.path, endpoint(route), methods=[route.method])
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        key = {404: "error.not_found", 405: "error.method"}.get(status, "error.forbidden")
        return render(state, "error.html", None, None, status, message=t(key))

    async def unexpected(request: Request, exc: Exception) -> Response:
        ref = log_unexpected(exc, request.url.path)  # the page gets the reference only
        response = render(
            state, "error.html", None, None, 500, message=t("error.unexpected", ref=ref)
        )
        response.headers.update(SECURITY_HEADERS)
        response.headers["cache-control"] = "no-store"
        return response

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
    app.add_middleware(SecurityHeaders)
    return app
