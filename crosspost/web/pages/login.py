"""Sign in and out. A right password starts a new session (rotation); failures are counted
per name and per address, and past the limit every try waits, right password or not."""

from __future__ import annotations

import math

from starlette.responses import Response

from crosspost.db.engine import transaction
from crosspost.users import verify_login
from crosspost.web.page import Page, log


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never `//host` or a URL)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def form(page: Page) -> Response:
    if page.viewer is not None:
        return page.redirect(home(page.viewer.role))
    return page.render("login.html", next=safe_next(page.request.query_params.get("next")))


def submit(page: Page) -> Response:
    name, password = page.field("name").strip(), page.field("password")
    target = safe_next(page.field("next"))
    address = page.request.client.host if page.request.client else "unknown"
    throttle = page.state.throttle
    wait = throttle.wait_seconds(name, address)
    if wait > 0:
        message = page.t("login.throttled", minutes=max(1, math.ceil(wait / 60)))
        return page.render("login.html", 429, next=target, message=message, name=name)
    with transaction(page.state.factory) as session:
        user = verify_login(session, name, password)
        signed = (user.id, user.name, user.role) if user is not None else None
    if signed is None:
        throttle.failed(name, address)
        log.info("sign-in refused for %r from %s", name[:64], address)
        return page.render("login.html", 401, next=target, message=page.t("login.wrong"), name=name)
    throttle.succeeded(name)
    user_id, user_name, role = signed
    page.session = page.state.sessions.sign_in(page.session, user_id, user_name)
    log.info("signed in: %s from %s", user_name, address)
    if target == "/":
        target = home(role)  # Today lists every unit's posts; a contributor starts at its own
    return page.redirect(target)


def home(role: str) -> str:
    """Where a user starts: a contributor at its unit's portal, staff at Today."""
    return "/portal" if role == "contributor" else "/"


def logout(page: Page) -> Response:
    if page.session is not None:
        page.state.sessions.end(page.session.token)
    page.session = None
    return page.redirect("/login")


def language(page: Page) -> Response:
    """The language switch in every page's header: kept in the session (signed in or not,
    and across signing in), then back to the page it was pressed on."""
    from crosspost.web.texts import LANGUAGES

    chosen = page.field("language")
    if chosen not in LANGUAGES:
        return page.render("error.html", 400, message=page.t("error.refused", message=chosen[:20]))
    if page.session is not None:
        page.session.language = chosen
    return page.redirect(safe_next(page.field("next")))
